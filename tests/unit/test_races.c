/*
 * test_races.c — rules that read stored state hold when requests race
 * (svc/people.c, svc/auth.c over store_lock() and migration 009).
 *
 * Each race starts several threads, each with its own store connection (as
 * the server's worker threads have), lined up on a barrier so their actions
 * overlap, and repeats a few rounds: a check made before the transaction lets
 * two of them pass in most rounds, a check made inside lets exactly one.
 *
 * Every test runs on SQLite (a file in a fresh temporary directory) and, when
 * CTOFRAME_TEST_PG holds the URL of a throwaway PostgreSQL cluster, on
 * PostgreSQL too, in a database this run creates (t_<random>) and drops.
 */
#include "tu_db.h"

#define PW       "correct horse battery"
#define ROUNDS   6
#define NTHREADS 4
#define BASE_URL TU_DB_BASE_URL

/* Adds an active program administrator of org; id receives their id. */
static void admin_add(struct store *s, const char *email, const char *org, char id[37])
{
    struct svc sv = cli_of(s);
    struct cf_error err = {0};
    json_t *in = json_pack("{s:s, s:s, s:s, s:s, s:s}", "email", email, "name", email, "role",
                           "program_admin", "org", org, "password", PW);
    json_t *out = NULL;

    assert_ok(svc_person_add(&sv, in, &out, &err), err);
    snprintf(id, 37, "%s", tu_str(json_object_get(out, "person"), "id"));
    json_decref(in);
    json_decref(out);
}

/* Active people holding program_admin somewhere. */
static long active_admins(struct store *s)
{
    struct cf_error err = {0};
    json_t *grants = NULL, *g;
    size_t i;
    long n = 0;

    assert_ok(store_grants_all(s, &grants, &err), err);
    json_array_foreach(grants, i, g)
    {
        json_t *p = NULL;

        if (strcmp(tu_str(g, "role"), "program_admin") != 0)
            continue;
        assert_ok(store_person_get(s, tu_str(g, "person_id"), &p, &err), err);
        n += strcmp(tu_str(p, "status"), "active") == 0;
        json_decref(p);
    }
    json_decref(grants);
    return n;
}

/* --- racing threads ------------------------------------------------------------------- */

enum action { DISABLE, REVOKE_ADMIN, ADD_ORG, ACCEPT_INVITE, RESET_REQUEST, MOVE_ORG, DELETE_ORG };

struct racer {
    const char *url;
    pthread_barrier_t *start;
    enum action what;
    const char *actor_id; /* acting person (NULL: the CLI) */
    const char *target;   /* person or organization acted on, a new organization's name, a token */
    const char *org;      /* where the role is held (REVOKE_ADMIN), the new parent (MOVE_ORG) */
    int rc;
    struct cf_error err;
};

/* One thread: its own connection, the acting person's grants, then the action at the barrier. */
static void *race(void *arg)
{
    struct racer *r = arg;
    struct store *s = NULL;
    struct principal who = {r->actor_id, NULL, "session", NULL};
    char actor[64];
    struct svc sv;
    json_t *out = NULL;

    r->rc = store_open(r->url, 0, &s, NULL, &r->err);
    if (r->rc == CF_OK && r->actor_id != NULL)
        r->rc = store_grants_of(s, r->actor_id, &who.grants, &r->err);
    snprintf(actor, sizeof actor, "user:%s", r->actor_id != NULL ? r->actor_id : "cli");
    sv = (struct svc){s, actor, "req", BASE_URL, r->actor_id != NULL ? &who : NULL, "192.0.2.1"};
    pthread_barrier_wait(r->start);
    if (r->rc == CF_OK) {
        if (r->what == DISABLE) {
            r->rc = svc_person_set_status(&sv, r->target, "disabled", &out, &r->err);
        } else if (r->what == ACCEPT_INVITE) {
            r->rc = svc_invite_accept(&sv, r->target, PW, "test", &out, &r->err);
        } else if (r->what == RESET_REQUEST) {
            r->rc = svc_reset_request(&sv, r->target, &out, &r->err);
        } else if (r->what == REVOKE_ADMIN) {
            r->rc = svc_person_revoke(&sv, r->target, "program_admin", r->org, &out, &r->err);
        } else if (r->what == DELETE_ORG) {
            r->rc = svc_org_delete(&sv, r->target, &out, &r->err);
        } else if (r->what == MOVE_ORG) {
            json_t *in = json_pack("{s:s, s:s}", "name", "Moving School", "parent", r->org);

            r->rc = svc_org_update(&sv, r->target, in, &out, &r->err);
            json_decref(in);
        } else {
            json_t *in = json_pack("{s:s, s:s}", "kind", "state", "name", r->target);

            r->rc = svc_org_add(&sv, in, &out, &r->err);
            json_decref(in);
        }
    }
    json_decref(out);
    json_decref(who.grants);
    store_close(s);
    return NULL;
}

/* Runs n racers at once and waits for all of them. */
static void run_race(struct racer *r, int n)
{
    assert_true(n <= NTHREADS);
    tu_run_together(race, r, sizeof *r, n, offsetof(struct racer, start));
}

/* Asserts exactly one racer succeeded and the others failed with want on field. */
static void one_winner(const struct racer *r, int n, int want, const char *field, int round)
{
    int ok = 0;

    for (int i = 0; i < n; i++) {
        if (r[i].rc == CF_OK) {
            ok++;
            continue;
        }
        if (r[i].rc != want || strcmp(r[i].err.field, field) != 0)
            fail_msg("round %d, racer %d: %d (%s) on \"%s\": %s; expected %s on \"%s\"", round, i,
                     r[i].rc, cf_err_name(r[i].rc), r[i].err.field, r[i].err.message,
                     cf_err_name(want), field);
    }
    if (ok != 1)
        fail_msg("round %d: %d of %d racers succeeded; exactly one may", round, ok, n);
}

/*
 * Two program administrators disable each other at the same moment: one
 * wins, the other is told they are the last one, and one administrator
 * remains. Before: both checks ran before either write, so both passed and
 * nobody was left.
 */
static void test_admins_disable_each_other(void **state)
{
    struct backend *b = *state;
    struct svc cli = cli_of(b->s);
    struct cf_error err = {0};
    char body[37], a[37], c[37];

    org_add(b->s, "body", "The Program", body);
    admin_add(b->s, "a@x.test", body, a);
    admin_add(b->s, "c@x.test", body, c);
    for (int round = 0; round < ROUNDS; round++) {
        struct racer r[2] = {{b->url, NULL, DISABLE, a, c, NULL, 0, {0}},
                             {b->url, NULL, DISABLE, c, a, NULL, 0, {0}}};
        json_t *out = NULL;

        run_race(r, 2);
        one_winner(r, 2, CF_ECONFLICT, "status", round);
        assert_int_equal(active_admins(b->s), 1);
        /* Back to two for the next round. */
        assert_ok(svc_person_set_status(&cli, r[0].rc == CF_OK ? c : a, "active", &out, &err), err);
        json_decref(out);
        assert_int_equal(active_admins(b->s), 2);
    }
}

/*
 * Four requests for a new password for one account at once: at most
 * RESET_PER_ACCOUNT messages go out, whatever the timing. Every request gets
 * the same answer. Before (PostgreSQL, READ COMMITTED): each request could
 * count the earlier messages before any other wrote its own.
 */
static void test_reset_requests_at_once(void **state)
{
    struct backend *b = *state;
    struct cf_error err = {0};
    char body[37], id[37];

    org_add(b->s, "body", "The Program", body);
    /* Every racer comes from one address: 4 rounds of 4 stay under its limit of 20. */
    for (int round = 0; round < 4; round++) {
        char email[64];
        struct racer r[NTHREADS];
        json_t *all = NULL, *m;
        size_t i;
        int sent = 0;

        snprintf(email, sizeof email, "reset%d@x.test", round);
        admin_add(b->s, email, body, id);
        for (int k = 0; k < NTHREADS; k++)
            r[k] = (struct racer){b->url, NULL, RESET_REQUEST, NULL, email, NULL, 0, {0}};
        run_race(r, NTHREADS);
        for (int k = 0; k < NTHREADS; k++)
            if (r[k].rc != CF_OK)
                fail_msg("round %d, racer %d: %s", round, k, r[k].err.message);
        assert_ok(store_outbox_list(b->s, NULL, 100000, &all, &err), err);
        json_array_foreach(all, i, m)
        {
            sent +=
                strcmp(tu_str(m, "kind"), "reset") == 0 && strcmp(tu_str(m, "to_addr"), email) == 0;
        }
        json_decref(all);
        if (sent != RESET_PER_ACCOUNT)
            fail_msg("round %d: %d reset messages to one account; the limit is %d", round, sent,
                     RESET_PER_ACCOUNT);
    }
}

/*
 * Two program administrators take each other's role away at once: one
 * keeps it. Before: both saw another administrator and both revoked.
 */
static void test_admins_revoke_each_other(void **state)
{
    struct backend *b = *state;
    struct svc cli = cli_of(b->s);
    struct cf_error err = {0};
    char body[37], a[37], c[37];

    org_add(b->s, "body", "The Program", body);
    admin_add(b->s, "a@x.test", body, a);
    admin_add(b->s, "c@x.test", body, c);
    for (int round = 0; round < ROUNDS; round++) {
        struct racer r[2] = {{b->url, NULL, REVOKE_ADMIN, a, c, body, 0, {0}},
                             {b->url, NULL, REVOKE_ADMIN, c, a, body, 0, {0}}};
        json_t *out = NULL;

        run_race(r, 2);
        one_winner(r, 2, CF_ECONFLICT, "role", round);
        assert_int_equal(active_admins(b->s), 1);
        assert_ok(
            svc_person_grant(&cli, r[0].rc == CF_OK ? c : a, "program_admin", body, &out, &err),
            err);
        json_decref(out);
        assert_int_equal(active_admins(b->s), 2);
    }
}

/*
 * Four "add organization" with one name (case aside) at once: one is
 * created, the others are a conflict on "name". Before: two or three were
 * created.
 */
static void test_org_add_same_name(void **state)
{
    static const char *const names[ROUNDS][NTHREADS] = {
        {"Ohio", "Ohio", "Ohio", "Ohio"},     {"Utah", "UTAH", "utah", "Utah"},
        {"Iowa", "iowa", "IOWA", "IoWa"},     {"Maine", "Maine", "MAINE", "maine"},
        {"Idaho", "idaho", "Idaho", "IDAHO"}, {"Texas", "TEXAS", "Texas", "texas"},
    };
    struct backend *b = *state;
    struct cf_error err = {0};

    for (int round = 0; round < ROUNDS; round++) {
        struct racer r[NTHREADS];
        json_t *found = NULL;

        for (int i = 0; i < NTHREADS; i++)
            r[i] = (struct racer){b->url, NULL, ADD_ORG, NULL, names[round][i], NULL, 0, {0}};
        run_race(r, NTHREADS);
        one_winner(r, NTHREADS, CF_ECONFLICT, "name", round);
        assert_ok(store_org_find(b->s, names[round][0], &found, &err), err);
        assert_int_equal(json_array_size(found), 1);
        json_decref(found);
    }
}

/*
 * An empty district is deleted while a school is moved into it: one wins. The
 * delete counts the school (refused, CF_ECONFLICT) or the move finds no such
 * district (CF_EINVAL on "parent"); never a school under a district that is
 * gone, nor a database error. (A loop cannot be raced into: a district only
 * goes under a state, a school under a district; svc checks it all the same.)
 */
static void test_org_delete_vs_move_in(void **state)
{
    struct backend *b = *state;
    struct svc cli = cli_of(b->s);
    struct cf_error err = {0};
    char st[37], home[37], school[37];
    json_t *in, *out = NULL;

    org_add(b->s, "state", "Race State", st);
    in = json_pack("{s:s, s:s, s:s}", "kind", "district", "name", "Home District", "parent", st);
    assert_ok(svc_org_add(&cli, in, &out, &err), err);
    snprintf(home, sizeof home, "%s", tu_str(out, "id"));
    json_decref(in);
    json_decref(out);
    in = json_pack("{s:s, s:s, s:s}", "kind", "school", "name", "Moving School", "parent", home);
    assert_ok(svc_org_add(&cli, in, &out, &err), err);
    snprintf(school, sizeof school, "%s", tu_str(out, "id"));
    json_decref(in);
    json_decref(out);
    for (int round = 0; round < ROUNDS; round++) {
        char name[32], target[37];
        struct racer r[2];
        json_t *row = NULL;
        int won;

        snprintf(name, sizeof name, "Empty District %d", round);
        in = json_pack("{s:s, s:s, s:s}", "kind", "district", "name", name, "parent", st);
        assert_ok(svc_org_add(&cli, in, &out, &err), err);
        snprintf(target, sizeof target, "%s", tu_str(out, "id"));
        json_decref(in);
        json_decref(out);
        r[0] = (struct racer){b->url, NULL, DELETE_ORG, NULL, target, NULL, 0, {0}};
        r[1] = (struct racer){b->url, NULL, MOVE_ORG, NULL, school, target, 0, {0}};
        run_race(r, 2);
        won = (r[0].rc == CF_OK) + (r[1].rc == CF_OK);
        if (won != 1)
            fail_msg("round %d: delete %s (%s), move %s (%s); exactly one may win", round,
                     cf_err_name(r[0].rc), r[0].err.message, cf_err_name(r[1].rc),
                     r[1].err.message);
        assert_ok(store_org_get(b->s, school, &row, &err), err);
        if (r[0].rc == CF_OK) {
            assert_int_equal(r[1].rc, CF_EINVAL);
            assert_string_equal(r[1].err.field, "parent");
            assert_string_equal(tu_str(row, "parent_id"), home);
        } else {
            assert_int_equal(r[0].rc, CF_ECONFLICT);
            assert_non_null(strstr(r[0].err.message, "1 child organization"));
            assert_string_equal(tu_str(row, "parent_id"), target);
            /* Back home for the next round; the district stays, with nothing in it. */
            in = json_pack("{s:s, s:s}", "name", "Moving School", "parent", home);
            assert_ok(svc_org_update(&cli, school, in, &out, &err), err);
            json_decref(in);
            json_decref(out);
        }
        json_decref(row);
    }
}

/* The invitation token in the newest outbox message (to to). */
static void invite_token(struct store *s, const char *to, char token[44])
{
    struct cf_error err = {0};
    json_t *all = NULL, *m;
    const char *body, *at;

    assert_ok(store_outbox_list(s, NULL, 100000, &all, &err), err);
    m = json_array_get(all, 0);
    assert_non_null(m);
    assert_string_equal(tu_str(m, "to_addr"), to);
    body = tu_str(m, "body");
    at = strstr(body, BASE_URL "/invite/");
    if (at == NULL)
        fail_msg("no invitation link in: %s", body);
    at += strlen(BASE_URL "/invite/");
    snprintf(token, 44, "%.43s", at);
    json_decref(all);
}

/*
 * A person accepts their invitation while an administrator disables them:
 * whichever comes first, a disable that succeeded is not undone. Before:
 * accepting read the account before its transaction and wrote it back as
 * active over the disable.
 */
static void test_invite_accept_vs_disable(void **state)
{
    struct backend *b = *state;
    struct svc cli = cli_of(b->s);
    char body[37];

    org_add(b->s, "body", "The Program", body);
    for (int round = 0; round < ROUNDS; round++) {
        struct cf_error err = {0};
        char email[64], id[37], token[44];
        json_t *in, *out = NULL, *p = NULL;

        snprintf(email, sizeof email, "invitee%d@x.test", round);
        in = json_pack("{s:s, s:s, s:s, s:s}", "email", email, "name", email, "role", "reviewer",
                       "org", body);
        assert_ok(svc_person_add(&cli, in, &out, &err), err);
        snprintf(id, sizeof id, "%s", tu_str(json_object_get(out, "person"), "id"));
        json_decref(in);
        json_decref(out);
        invite_token(b->s, email, token);
        {
            struct racer r[2] = {{b->url, NULL, ACCEPT_INVITE, NULL, token, NULL, 0, {0}},
                                 {b->url, NULL, DISABLE, NULL, id, NULL, 0, {0}}};

            run_race(r, 2);
            assert_ok(r[1].rc, r[1].err);
            if (r[0].rc != CF_OK && r[0].rc != CF_ECONFLICT)
                fail_msg("round %d: accepting gave %d (%s): %s", round, r[0].rc,
                         cf_err_name(r[0].rc), r[0].err.message);
        }
        assert_ok(store_person_get(b->s, id, &p, &err), err);
        if (strcmp(tu_str(p, "status"), "disabled") != 0)
            fail_msg("round %d: the disabled person is %s again", round, tu_str(p, "status"));
        json_decref(p);
    }
}

/*
 * The rule is also a constraint: a duplicate written past svc is refused
 * (CF_ECONFLICT on "name"), top-level (NULL parent) included. And migration
 * 009 on a database that already holds duplicates keeps every row, renaming
 * all but the oldest of each group, then creates the index.
 */
static void test_org_name_constraint_and_migration(void **state)
{
    struct backend *b = *state;
    struct cf_error err = {0};
    json_t *org, *rows = NULL;
    char ohio[37];
    int version = 0;

    org_add(b->s, "state", "Ohio", ohio);
    org = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", "00000000-0000-4000-8000-000000000001",
                    "kind", "state", "name", "OHIO", "created_at", "2030-03-01T10:00:00Z",
                    "updated_at", "2030-03-01T10:00:00Z");
    assert_int_equal(store_org_insert(b->s, org, &err), CF_ECONFLICT);
    assert_string_equal(err.field, "name");
    json_decref(org);

    /* A database from before 009 with duplicates in it. */
    assert_ok(store_schema_version(b->s, &version, &err), err);
    assert_ok(db_exec(b->s->db, "DROP INDEX orgs_name", &err), err);
    assert_ok(db_exec(b->s->db, "DELETE FROM schema_migrations WHERE version = 9", &err), err);
    assert_ok(db_exec(b->s->db,
                      "INSERT INTO orgs (id, kind, name, created_at, updated_at) VALUES"
                      " ('00000000-0000-4000-8000-000000000002', 'state', 'ohio',"
                      "  '2030-03-02T00:00:00Z', '2030-03-02T00:00:00Z'),"
                      " ('00000000-0000-4000-8000-000000000003', 'state', 'OHIO',"
                      "  '2030-03-03T00:00:00Z', '2030-03-03T00:00:00Z'),"
                      " ('00000000-0000-4000-8000-000000000004', 'district', 'Ohio',"
                      "  '2030-03-03T00:00:00Z', '2030-03-03T00:00:00Z')",
                      &err),
              err);
    /* Migration 009 itself, as an upgrade runs it (later migrations stay applied). */
    {
        const char *text = NULL;
        char *sql;

        for (int i = 0; i < store_nmigrations; i++)
            if (store_migrations[i].version == 9)
                text = store_migrations[i].sql;
        assert_non_null(text);
        sql = db_dialect(b->s->db, text);
        assert_non_null(sql);
        assert_ok(db_begin(b->s->db, &err), err);
        assert_ok(db_exec(b->s->db, sql, &err), err);
        assert_ok(db_commit(b->s->db, &err), err);
        free(sql);
    }
    assert_ok(store__query(b->s, "SELECT id, name FROM orgs ORDER BY created_at, id", "id,name",
                           &rows, &err, ""),
              err);
    assert_int_equal(json_array_size(rows), 4);
    assert_string_equal(tu_str(json_array_get(rows, 0), "name"), "Ohio"); /* the oldest */
    assert_string_equal(tu_str(json_array_get(rows, 1), "name"),
                        "ohio (00000000-0000-4000-8000-000000000002)");
    assert_string_equal(tu_str(json_array_get(rows, 2), "name"),
                        "OHIO (00000000-0000-4000-8000-000000000003)");
    assert_string_equal(tu_str(json_array_get(rows, 3), "name"), "Ohio"); /* another kind */
    json_decref(rows);
    org = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", "00000000-0000-4000-8000-000000000005",
                    "kind", "state", "name", "oHIO", "created_at", "2030-03-04T10:00:00Z",
                    "updated_at", "2030-03-04T10:00:00Z");
    assert_int_equal(store_org_insert(b->s, org, &err), CF_ECONFLICT);
    json_decref(org);
}

/* store_lock outside a transaction is a programming error, reported rather than ignored. */
static void test_lock_needs_transaction(void **state)
{
    struct backend *b = *state;
    struct cf_error err = {0};

    assert_int_equal(store_lock(b->s, STORE_LOCK_PEOPLE, &err), CF_EDB);
    assert_ok(store_begin(b->s, &err), err);
    assert_ok(store_lock(b->s, STORE_LOCK_PEOPLE, &err), err);
    assert_ok(store_commit(b->s, &err), err);
}

#define COMMON_TESTS(X)                                                                            \
    X(test_admins_disable_each_other)                                                              \
    X(test_admins_revoke_each_other)                                                               \
    X(test_org_add_same_name)                                                                      \
    X(test_org_delete_vs_move_in)                                                                  \
    X(test_invite_accept_vs_disable)                                                               \
    X(test_reset_requests_at_once)                                                                 \
    X(test_org_name_constraint_and_migration)                                                      \
    X(test_lock_needs_transaction)

int main(void)
{
    TU_DB_MAIN("races", COMMON_TESTS);
}
