/*
 * test_application_races.c — two reviewers deciding one application at once:
 * exactly one wins (svc/application.c checks the status after svc__begin).
 *
 * The infrastructure is test_races.c's: each racer has its own store
 * connection and waits on a barrier so the decisions overlap; SQLite always,
 * PostgreSQL too when CTOFRAME_TEST_PG is set.
 */
#include "tu_db.h"

#define PW       "correct horse battery"
#define ROUNDS   5
#define NTHREADS 4
#define BASE_URL TU_DB_BASE_URL

/* Adds a person with role in org (active, with a password); id receives their id. */
static void person_add(struct store *s, const char *email, const char *role, const char *org,
                       char id[37])
{
    struct svc sv = cli_of(s);
    struct cf_error err = {0};
    json_t *in = json_pack("{s:s, s:s, s:s, s:s, s:s}", "email", email, "name", email, "role", role,
                           "org", org, "password", PW);
    json_t *out = NULL;

    assert_ok(svc_person_add(&sv, in, &out, &err), err);
    snprintf(id, 37, "%s", tu_str(json_object_get(out, "person"), "id"));
    json_decref(in);
    json_decref(out);
}

/* The CETL rules as version 1, straight into the store (the framework is not needed). */
static void program_load(struct store *s)
{
    struct cf_error err = {0};
    size_t n = 0;
    char *text = tu_read_file("data/programs/cetl.json", &n);
    int version = 0;

    assert_non_null(text);
    assert_ok(store_program_save(s, "CETL", "Certified Education Technology Leader", text, "cli",
                                 "", "2030-03-01T09:00:00Z", &version, &err),
              err);
    free(text);
}

/* As person id (with their grants), svc run by fn. */
struct as {
    struct principal who;
    char actor[64];
    struct svc sv;
};

static void as_person(struct as *a, struct store *s, const char *id)
{
    struct cf_error err = {0};

    a->who = (struct principal){id, NULL, "session", NULL};
    assert_ok(store_grants_of(s, id, &a->who.grants, &err), err);
    snprintf(a->actor, sizeof a->actor, "user:%s", id);
    a->sv = (struct svc){s, a->actor, "req", BASE_URL, &a->who, "192.0.2.1"};
}

/* A submitted, eligible application of candidate; its id into id. */
static void submitted(struct store *s, const char *candidate, char id[37])
{
    struct cf_error err = {0};
    struct as a;
    json_t *out = NULL;
    json_t *in = json_pack("{s:s, s:s, s:s, s:[{s:s, s:s, s:s, s:s, s:b}], s:b, s:b}", "degree",
                           "master", "institution", "U", "year", "2001", "employment", "employer",
                           "District", "title", "CTO", "start", "2010-01-01", "end", "2020-12-31",
                           "relevant", 1, "attestation", 1, "code_of_conduct", 1);

    as_person(&a, s, candidate);
    assert_ok(svc_apply_save(&a.sv, "CETL", in, 1, &out, &err), err);
    assert_string_equal(tu_str(out, "status"), "submitted");
    snprintf(id, 37, "%s", tu_str(out, "id"));
    json_decref(out);
    json_decref(in);
    json_decref(a.who.grants);
}

struct decider {
    const char *url;
    pthread_barrier_t *start;
    const char *actor_id;
    const char *app;
    const char *decision; /* approve, reject, or "withdraw" (the candidate) */
    int rc;
    struct cf_error err;
};

static void *decide(void *arg)
{
    struct decider *d = arg;
    struct store *s = NULL;
    struct principal who = {d->actor_id, NULL, "session", NULL};
    char actor[64];
    struct svc sv;
    json_t *out = NULL, *in = json_pack("{s:s, s:s}", "decision", d->decision, "reason", "Race.");

    d->rc = store_open(d->url, 0, &s, NULL, &d->err);
    if (d->rc == CF_OK)
        d->rc = store_grants_of(s, d->actor_id, &who.grants, &d->err);
    snprintf(actor, sizeof actor, "user:%s", d->actor_id);
    sv = (struct svc){s, actor, "req", BASE_URL, &who, "192.0.2.1"};
    pthread_barrier_wait(d->start);
    if (d->rc == CF_OK)
        d->rc = strcmp(d->decision, "withdraw") == 0
                    ? svc_application_act(&sv, d->app, "withdraw", in, &out, &d->err)
                    : svc_review_decide(&sv, d->app, in, &out, &d->err);
    json_decref(out);
    json_decref(in);
    json_decref(who.grants);
    store_close(s);
    return NULL;
}

static void run_deciders(struct decider *d, int n)
{
    assert_true(n <= NTHREADS);
    tu_run_together(decide, d, sizeof *d, n, offsetof(struct decider, start));
}

/* Exactly one decider succeeded; the others were told the application changed (409). */
static void one_decision(const struct decider *d, int n, int round)
{
    int ok = 0;

    for (int i = 0; i < n; i++) {
        if (d[i].rc == CF_OK) {
            ok++;
            continue;
        }
        if (d[i].rc != CF_ECONFLICT)
            fail_msg("round %d, decider %d: %d (%s): %s; expected a conflict", round, i, d[i].rc,
                     cf_err_name(d[i].rc), d[i].err.message);
    }
    if (ok != 1)
        fail_msg("round %d: %d of %d deciders succeeded; exactly one may", round, ok, n);
}

static long count(struct store *s, const char *sql, const char *app)
{
    struct cf_error err = {0};
    json_t *row = NULL;
    long n;

    assert_ok(store__query_one(s, sql, "n#", &row, &err, "s", app), err);
    n = (long)json_integer_value(json_object_get(row, "n"));
    json_decref(row);
    return n;
}

/*
 * Two (then three) reviewers decide one application at the same moment,
 * approving and rejecting: one decision stands, with one event and, for an
 * approval, one authorization; the others get 409. Then a reviewer approves
 * while the candidate withdraws: one of them wins.
 */
static void test_reviewers_race(void **state)
{
    struct backend *b = *state;
    char body[37], district[37], r1[37], r2[37], r3[37];

    program_load(b->s);
    org_add(b->s, "body", "The Program", body);
    org_add(b->s, "state", "Ohio", district);
    person_add(b->s, "r1@x.test", "reviewer", body, r1);
    person_add(b->s, "r2@x.test", "reviewer", body, r2);
    person_add(b->s, "r3@x.test", "program_admin", body, r3);
    for (int round = 0; round < ROUNDS; round++) {
        char email[64], cand[37], app[37];
        const char *kinds[] = {"approve", round % 2 == 0 ? "approve" : "reject", "info"};
        struct decider d[3];
        long decided;

        snprintf(email, sizeof email, "cand%d@x.test", round);
        person_add(b->s, email, "leader", district, cand);
        submitted(b->s, cand, app);
        d[0] = (struct decider){b->url, NULL, r1, app, kinds[0], 0, {0}};
        d[1] = (struct decider){b->url, NULL, r2, app, kinds[1], 0, {0}};
        d[2] = (struct decider){b->url, NULL, r3, app, kinds[2], 0, {0}};
        run_deciders(d, round < 2 ? 2 : 3);
        one_decision(d, round < 2 ? 2 : 3, round);
        decided = count(b->s,
                        "SELECT COUNT(*) FROM application_events WHERE application_id = ?"
                        " AND kind IN ('approved', 'rejected', 'info_requested')",
                        app);
        assert_int_equal(decided, 1);
        assert_int_equal(
            count(b->s, "SELECT COUNT(*) FROM authorizations WHERE application_id = ?", app),
            count(b->s,
                  "SELECT COUNT(*) FROM applications WHERE id = ?"
                  " AND status = 'approved'",
                  app));
    }
    for (int round = 0; round < ROUNDS; round++) {
        char email[64], cand[37], app[37];
        struct decider d[2];

        snprintf(email, sizeof email, "w%d@x.test", round);
        person_add(b->s, email, "leader", district, cand);
        submitted(b->s, cand, app);
        d[0] = (struct decider){b->url, NULL, r1, app, "approve", 0, {0}};
        d[1] = (struct decider){b->url, NULL, cand, app, "withdraw", 0, {0}};
        run_deciders(d, 2);
        one_decision(d, 2, round);
    }
}

#define COMMON_TESTS(X) X(test_reviewers_race)

int main(void)
{
    TU_DB_MAIN("application races", COMMON_TESTS);
}
