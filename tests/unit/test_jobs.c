/*
 * test_jobs.c — background jobs: store/jobs.c (enqueue, claim with a lease,
 * finish, fail with backoff, dead after the last attempt) and svc/jobs.c
 * (backoff, the tick: expired leases, the outbox sweep, the PostgreSQL lock;
 * retrying a dead job).
 *
 * Every test runs on SQLite (a file in a fresh temporary directory) and,
 * when CTOFRAME_TEST_PG holds a libpq URL of a throwaway cluster, on
 * PostgreSQL too (a database t_<random> made for the run, its public schema
 * emptied before each test). Time travels with CTOFRAME_NOW.
 */
#include "testutil.h"
#include "pgutil.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <unistd.h>

#include "lib/clock.h"
#include "store/store.h"
#include "store/store_impl.h"
#include "svc/jobs.h"
#include "svc/svc.h"

#define T0      "2026-01-01T00:00:00Z"
#define T1      "2026-01-01T00:01:00Z"
#define T10     "2026-01-01T00:10:00Z"
#define NJOBS   200 /* jobs the two concurrent claimers share */
#define CLAIMER 2

struct backend {
    int pg;
    char dir[64];
    char url[2048];
    struct store *s, *s2;
};

static struct backend g_sqlite = {0, "", "", NULL, NULL};
static struct backend g_pg = {1, "", "", NULL, NULL};
static char g_pg_admin[2048];
static char g_pg_db[64];
static char g_pg_url[2048];

#define assert_ok(rc, err)                                                                         \
    do {                                                                                           \
        int rc_ = (rc);                                                                            \
        if (rc_ != CF_OK)                                                                          \
            fail_msg("%s returned %d (%s): %s", #rc, rc_, cf_err_name(rc_), (err).message);        \
    } while (0)

static int setup(void **state)
{
    struct backend *b = *state;

    b->s = NULL;
    b->s2 = NULL;
    setenv("CTOFRAME_NOW", T0, 1);
    if (b->pg) {
        if (g_pg_url[0] == '\0') {
            b->url[0] = '\0';
            return 0;
        }
        pg_exec(g_pg_url, "SET client_min_messages = warning;"
                          " DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public");
        snprintf(b->url, sizeof b->url, "%s", g_pg_url);
    } else {
        tu_mkdtemp(b->dir, sizeof b->dir);
        snprintf(b->url, sizeof b->url, "%s/test.db", b->dir);
    }
    return 0;
}

static int teardown(void **state)
{
    struct backend *b = *state;

    store_close(b->s2);
    store_close(b->s);
    b->s = NULL;
    b->s2 = NULL;
    unsetenv("CTOFRAME_NOW");
    if (!b->pg && b->dir[0] != '\0') {
        tu_rmrf(b->dir);
        b->dir[0] = '\0';
    }
    return 0;
}

static struct store *open_store(void **state)
{
    struct backend *b = *state;
    struct cf_error err = {0};

    if (b->pg && b->url[0] == '\0')
        fail_msg("the PostgreSQL test database could not be created on CTOFRAME_TEST_PG=%s",
                 g_pg_admin);
    assert_ok(store_open(b->url, STORE_CREATE | STORE_MIGRATE, &b->s, NULL, &err), err);
    return b->s;
}

/* A second connection to the same database. */
static struct store *open_second(void **state)
{
    struct backend *b = *state;
    struct cf_error err = {0};

    assert_ok(store_open(b->url, 0, &b->s2, NULL, &err), err);
    return b->s2;
}

static int64_t enqueue(struct store *s, const char *key, int max, const char *run_after)
{
    struct cf_error err = {0};
    json_t *payload = json_pack("{s:s}", "k", key != NULL ? key : "");
    int64_t id = 0;
    int created = -1;

    assert_ok(
        store_job_enqueue(s, "test.kind", key, payload, max, run_after, T0, &id, &created, &err),
        err);
    json_decref(payload);
    assert_int_equal(created, 1);
    assert_true(id > 0);
    return id;
}

static json_t *job_get(struct store *s, int64_t id)
{
    struct cf_error err = {0};
    json_t *j = NULL;

    assert_ok(store_job_get(s, id, &j, &err), err);
    return j;
}

static void assert_state(struct store *s, int64_t id, const char *state, int64_t attempts)
{
    json_t *j = job_get(s, id);

    assert_string_equal(tu_str(j, "state"), state);
    assert_int_equal(json_integer_value(json_object_get(j, "attempts")), attempts);
    json_decref(j);
}

/* Claims the next due test job as owner at now (lease until); NULL when none. */
static json_t *claim(struct store *s, const char *owner, const char *now, const char *until)
{
    struct cf_error err = {0};
    json_t *j = (json_t *)1;

    assert_ok(store_job_claim(s, "test.kind", owner, now, until, &j, &err), err);
    return j;
}

/* --- enqueue ------------------------------------------------------------------ */

static void test_enqueue_idempotent(void **state)
{
    struct store *s = open_store(state);
    struct cf_error err = {0};
    int64_t a = enqueue(s, "cert:1", 3, T0), again = 0, b;
    int created = -1;
    json_t *j;

    /* The same key: no second job, the first one's id. */
    assert_ok(store_job_enqueue(s, "test.kind", "cert:1", NULL, 3, T0, T0, &again, &created, &err),
              err);
    assert_int_equal(created, 0);
    assert_int_equal(again, a);
    /* No key: a new job every time. */
    b = enqueue(s, NULL, 3, T0);
    assert_true(b != a);
    assert_int_not_equal(enqueue(s, NULL, 3, T0), b);

    j = job_get(s, a);
    assert_string_equal(tu_str(j, "state"), "queued");
    assert_string_equal(tu_str(j, "kind"), "test.kind");
    assert_string_equal(tu_str(json_object_get(j, "payload"), "k"), "cert:1");
    assert_int_equal(json_integer_value(json_object_get(j, "max_attempts")), 3);
    assert_true(json_is_null(json_object_get(j, "lease_owner")));
    json_decref(j);
}

/* --- claim, finish, lease ----------------------------------------------------------- */

static void test_claim_due_only_once(void **state)
{
    struct store *s = open_store(state);
    struct cf_error err = {0};
    int64_t now_id = enqueue(s, "a", 3, T0), later = enqueue(s, "b", 3, T1);
    json_t *j, *none;
    int ok = -1;

    j = claim(s, "w1", T0, T10);
    assert_non_null(j);
    assert_int_equal(json_integer_value(json_object_get(j, "id")), now_id);
    assert_string_equal(tu_str(j, "state"), "running");
    assert_int_equal(json_integer_value(json_object_get(j, "attempts")), 1);
    assert_string_equal(tu_str(j, "lease_owner"), "w1");
    assert_string_equal(tu_str(j, "lease_until"), T10);
    json_decref(j);
    /* Nothing else is due at T0: the claimed one is taken, the other one is later. */
    none = claim(s, "w2", T0, T10);
    assert_null(none);

    /* Only the lease holder finishes it. */
    assert_ok(store_job_finish(s, now_id, "w2", T0, &ok, &err), err);
    assert_int_equal(ok, 0);
    assert_state(s, now_id, "running", 1);
    assert_ok(store_job_finish(s, now_id, "w1", T0, &ok, &err), err);
    assert_int_equal(ok, 1);
    assert_state(s, now_id, "done", 1);
    assert_ok(store_job_finish(s, now_id, "w1", T0, &ok, &err), err);
    assert_int_equal(ok, 0);

    /* The later one at its time. */
    j = claim(s, "w2", T1, T10);
    assert_non_null(j);
    assert_int_equal(json_integer_value(json_object_get(j, "id")), later);
    json_decref(j);
    j = claim(s, "w2", T1, T10); /* a done job is not claimed again */
    assert_null(j);
}

static void test_release_uncounts(void **state)
{
    struct store *s = open_store(state);
    struct cf_error err = {0};
    int64_t id = enqueue(s, "a", 3, T0);
    json_t *j = claim(s, "w1", T0, T10);
    int ok = -1;

    json_decref(j);
    assert_ok(store_job_release(s, id, "w2", T0, &ok, &err), err);
    assert_int_equal(ok, 0);
    assert_ok(store_job_release(s, id, "w1", T0, &ok, &err), err);
    assert_int_equal(ok, 1);
    assert_state(s, id, "queued", 0);
    j = claim(s, "w2", T0, T10);
    assert_non_null(j);
    json_decref(j);
}

/* --- failures: backoff, dead ------------------------------------------------------ */

static void test_fail_retry_then_dead(void **state)
{
    struct store *s = open_store(state);
    struct cf_error err = {0};
    int64_t id = enqueue(s, "a", 2, T0);
    json_t *j = claim(s, "w1", T0, T10), *after = NULL;

    json_decref(j);
    /* The first failure: queued again at the time given, the error kept. */
    assert_ok(store_job_fail(s, id, "w1", "451 try later", T1, T0, &after, &err), err);
    assert_non_null(after);
    assert_string_equal(tu_str(after, "state"), "queued");
    assert_string_equal(tu_str(after, "run_after"), T1);
    assert_string_equal(tu_str(after, "last_error"), "451 try later");
    assert_true(json_is_null(json_object_get(after, "lease_owner")));
    json_decref(after);
    assert_null(claim(s, "w1", T0, T10)); /* not before T1 */

    /* The second (the last of 2): dead even though a retry time is given. */
    j = claim(s, "w1", T1, T10);
    assert_non_null(j);
    assert_int_equal(json_integer_value(json_object_get(j, "attempts")), 2);
    json_decref(j);
    assert_ok(store_job_fail(s, id, "w1", "451 again", T10, T1, &after, &err), err);
    assert_string_equal(tu_str(after, "state"), "dead");
    json_decref(after);
    assert_null(claim(s, "w1", "2027-01-01T00:00:00Z", "2027-01-01T00:10:00Z"));

    /* A failure for good (no retry time) is dead at once; a stranger's fail changes nothing. */
    id = enqueue(s, "b", 5, T0);
    json_decref(claim(s, "w1", T1, T10));
    after = (json_t *)1;
    assert_ok(store_job_fail(s, id, "w9", "x", NULL, T1, &after, &err), err);
    assert_null(after);
    assert_state(s, id, "running", 1);
    assert_ok(store_job_fail(s, id, "w1", "550 no such user", NULL, T1, &after, &err), err);
    assert_string_equal(tu_str(after, "state"), "dead");
    json_decref(after);
}

static void test_backoff(void **state)
{
    static const struct job_kind expo = {
        .name = "x", .max_attempts = 10, .base_s = 30, .cap_s = 3600};
    const struct job_kind *outbox = svc_job_kind("outbox.deliver");

    (void)state;
    assert_int_equal(svc_job_backoff(&expo, 1), 30);
    assert_int_equal(svc_job_backoff(&expo, 2), 60);
    assert_int_equal(svc_job_backoff(&expo, 3), 120);
    assert_int_equal(svc_job_backoff(&expo, 7), 1920);
    assert_int_equal(svc_job_backoff(&expo, 8), 3600); /* 3840 capped */
    assert_int_equal(svc_job_backoff(&expo, 60), 3600);
    assert_int_equal(svc_job_backoff(&expo, 0), 30);

    /* The outbox keeps its schedule: 1 min, 5 min, 30 min, 2 h, 12 h; 6 attempts. */
    assert_non_null(outbox);
    assert_int_equal(outbox->max_attempts, 6);
    assert_int_equal(svc_job_backoff(outbox, 1), 60);
    assert_int_equal(svc_job_backoff(outbox, 2), 300);
    assert_int_equal(svc_job_backoff(outbox, 3), 1800);
    assert_int_equal(svc_job_backoff(outbox, 4), 7200);
    assert_int_equal(svc_job_backoff(outbox, 5), 43200);
    assert_int_equal(svc_job_backoff(outbox, 9), 43200);
    assert_null(svc_job_kind("no.such"));
}

/* --- the tick ---------------------------------------------------------------------- */

static void test_tick_expires_leases(void **state)
{
    struct store *s = open_store(state);
    struct svc sv = {s, "system", NULL, NULL, NULL, NULL};
    struct tick_report rep;
    struct cf_error err = {0};
    int64_t a = enqueue(s, "a", 3, T0), last = enqueue(s, "b", 1, T0);
    json_t *j;
    int ok = -1;

    json_decref(claim(s, "dead-worker", T0, T1));
    json_decref(claim(s, "dead-worker", T0, T1));

    /* Before the lease ends nothing happens. */
    setenv("CTOFRAME_NOW", "2026-01-01T00:00:59Z", 1);
    assert_ok(svc_tick(&sv, &rep, &err), err);
    assert_int_equal(rep.ran, 1);
    assert_int_equal(rep.expired, 0);
    assert_state(s, a, "running", 1);

    /* At its end: queued again at once; the one on its last attempt is dead. */
    setenv("CTOFRAME_NOW", T1, 1);
    assert_ok(svc_tick(&sv, &rep, &err), err);
    assert_int_equal(rep.expired, 2);
    j = job_get(s, a);
    assert_string_equal(tu_str(j, "state"), "queued");
    assert_string_equal(tu_str(j, "run_after"), T1);
    tu_assert_contains(tu_str(j, "last_error"), "lease ran out");
    json_decref(j);
    assert_state(s, last, "dead", 1);

    /* The worker that lost the lease cannot finish the job any more. */
    assert_ok(store_job_finish(s, a, "dead-worker", T1, &ok, &err), err);
    assert_int_equal(ok, 0);
    j = claim(s, "w2", T1, T10);
    assert_non_null(j);
    assert_int_equal(json_integer_value(json_object_get(j, "attempts")), 2);
    json_decref(j);
}

/* Runs sql on s (test set-up that no store function offers: rows "by hand"). */
static void exec_sql(struct store *s, const char *sql)
{
    struct cf_error err = {0};

    assert_ok(store__exec(s, sql, NULL, &err, ""), err);
}

/* A message is born with its job; a dead job retried makes the message pending again. */
static void test_outbox_jobs(void **state)
{
    struct store *s = open_store(state);
    struct svc sv = {s, "cli", NULL, NULL, NULL, NULL};
    struct tick_report rep;
    struct cf_error err = {0};
    json_t *list = NULL, *j = NULL, *out = NULL, *m = NULL;
    int64_t id = 0, jid;

    assert_ok(store_outbox_add(s, "invite", "a@x.test", "S", "B", NULL, NULL, T0, &id, &err), err);
    assert_ok(store_job_list(s, NULL, "outbox.deliver", 0, &list, &err), err);
    assert_int_equal(json_array_size(list), 1);
    j = json_array_get(list, 0);
    assert_string_equal(tu_str(j, "state"), "queued");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "payload"), "message")),
                     id);
    assert_int_equal(json_integer_value(json_object_get(j, "max_attempts")), OUTBOX_MAX_ATTEMPTS);
    jid = (int64_t)json_integer_value(json_object_get(j, "id"));
    json_decref(list);

    /* A tick adds nothing for it: it has its job. */
    assert_ok(svc_tick(&sv, &rep, &err), err);
    assert_int_equal(rep.queued, 0);
    /* A worker of another kind does not take it. */
    assert_null(claim(s, "w", T0, T10));

    /* Refused for good: the job is dead and (as the kind does) the message failed. */
    assert_ok(store_job_claim(s, "outbox.deliver", "w", T0, T10, &j, &err), err);
    assert_non_null(j);
    json_decref(j);
    assert_ok(store_job_fail(s, jid, "w", "550 no", NULL, T0, &j, &err), err);
    assert_string_equal(tu_str(j, "state"), "dead");
    json_decref(j);
    assert_ok(store_outbox_settle(s, id, "failed", 1, NULL, "550 no", T0, &err), err);

    /* `ctoframe jobs retry`: both live again, from attempt 0, audited. */
    assert_ok(svc_job_retry(&sv, jid, &out, &err), err);
    assert_string_equal(tu_str(out, "state"), "queued");
    assert_int_equal(json_integer_value(json_object_get(out, "attempts")), 0);
    json_decref(out);
    assert_ok(store_outbox_get(s, id, &m, &err), err);
    assert_string_equal(tu_str(m, "status"), "pending");
    assert_int_equal(json_integer_value(json_object_get(m, "attempts")), 0);
    json_decref(m);
    {
        struct audit_filter f = {0};

        f.action = "job.retry";
        assert_ok(store_audit_list(s, &f, &list, &err), err);
        assert_int_equal(json_array_size(list), 1);
        json_decref(list);
    }
    /* A queued job is not retried; an unknown one is not found. */
    assert_int_equal(svc_job_retry(&sv, jid, &out, &err), CF_ECONFLICT);
    assert_null(out);
    assert_int_equal(svc_job_retry(&sv, jid + 100, &out, &err), CF_ENOTFOUND);

    /* A cancelled message's job cannot be retried into sending it. */
    exec_sql(s, "UPDATE jobs SET state = 'dead'");
    exec_sql(s, "UPDATE outbox SET status = 'failed', cancelled_at = '" T0 "'");
    assert_int_equal(svc_job_retry(&sv, jid, &out, &err), CF_ECONFLICT);
    tu_assert_contains(err.message, "not sent on purpose");
    assert_state(s, jid, "dead", 0);
}

/* A message written without a job (by hand, by an older ctoframe) gets one on the next tick. */
static void test_tick_adopts_and_tidies(void **state)
{
    struct store *s = open_store(state);
    struct svc sv = {s, "system", NULL, NULL, NULL, NULL};
    struct tick_report rep;
    struct cf_error err = {0};
    json_t *list = NULL, *j;
    int64_t id = 0;

    assert_ok(store_outbox_add(s, "invite", "a@x.test", "S", "B", NULL, NULL, T0, &id, &err), err);
    exec_sql(s, "DELETE FROM jobs");
    exec_sql(s, "UPDATE outbox SET attempts = 2, next_attempt_at = '" T1 "'");

    assert_ok(svc_tick(&sv, &rep, &err), err);
    assert_int_equal(rep.ran, 1);
    assert_int_equal(rep.queued, 1);
    assert_ok(store_job_list(s, NULL, "outbox.deliver", 0, &list, &err), err);
    assert_int_equal(json_array_size(list), 1);
    j = json_array_get(list, 0);
    assert_string_equal(tu_str(j, "state"), "queued");
    assert_int_equal(json_integer_value(json_object_get(j, "attempts")), 2);
    assert_string_equal(tu_str(j, "run_after"), T1);
    json_decref(list);
    assert_ok(svc_tick(&sv, &rep, &err), err);
    assert_int_equal(rep.queued, 0); /* once only */

    /* The message stops being pending (erased): the next tick cancels its queued job. */
    exec_sql(s, "UPDATE outbox SET status = 'failed'");
    assert_ok(svc_tick(&sv, &rep, &err), err);
    assert_ok(store_job_list(s, "cancelled", "outbox.deliver", 0, &list, &err), err);
    assert_int_equal(json_array_size(list), 1);
    json_decref(list);
}

/* Cancelling a person's pending messages cancels their queued jobs in the same call. */
static void test_outbox_cancel_cancels_job(void **state)
{
    struct store *s = open_store(state);
    struct cf_error err = {0};
    json_t *list = NULL;
    int64_t id = 0;

    exec_sql(s, "INSERT INTO people (id, email, name, status, pseudonym, created_at, updated_at)"
                " VALUES ('p1', 'p@x.test', 'P', 'invited', 'Person 1', '" T0 "', '" T0 "')");
    assert_ok(store_outbox_add(s, "invite", "p@x.test", "S", "B", "p1", NULL, T0, &id, &err), err);
    assert_ok(store_outbox_cancel(s, "p1", "invite", "not sent: replaced", T0, &err), err);
    assert_ok(store_job_list(s, "cancelled", "outbox.deliver", 0, &list, &err), err);
    assert_int_equal(json_array_size(list), 1);
    json_decref(list);
    assert_null(claim(s, "w", T10, "2026-01-01T00:20:00Z"));
}

/* --- concurrency ------------------------------------------------------------------- */

struct claimer {
    struct store *s;
    char owner[16];
    int64_t got[NJOBS];
    int n;
    int rc;
    struct cf_error err;
};

static void *claimer_main(void *arg)
{
    struct claimer *c = arg;

    for (;;) {
        json_t *j = NULL;
        int ok = 0;

        c->rc = store_job_claim(c->s, "test.kind", c->owner, T0, T10, &j, &c->err);
        if (c->rc != CF_OK || j == NULL) {
            long due = 0;

            /* An empty claim while jobs are due is a lost race: look again. */
            if (c->rc == CF_OK &&
                (c->rc = store_job_due(c->s, "test.kind", T0, &due, &c->err)) == CF_OK && due > 0)
                continue;
            break;
        }
        c->got[c->n++] = (int64_t)json_integer_value(json_object_get(j, "id"));
        c->rc = store_job_finish(c->s, c->got[c->n - 1], c->owner, T0, &ok, &c->err);
        json_decref(j);
        if (c->rc != CF_OK || !ok) {
            if (c->rc == CF_OK)
                c->rc = cf_error_set(&c->err, CF_ECONFLICT, NULL, "finish lost its lease");
            break;
        }
        if (c->n == NJOBS)
            break;
    }
    return NULL;
}

/* Two connections claim at once: every job is taken exactly once. */
static void test_concurrent_claims(void **state)
{
    struct store *s = open_store(state);
    struct backend *b = *state;
    static struct claimer c[CLAIMER];
    pthread_t t[CLAIMER];
    char seen[NJOBS + 1];
    int total = 0;

    for (int i = 0; i < NJOBS; i++)
        enqueue(s, NULL, 3, T0);
    memset(seen, 0, sizeof seen);
    for (int i = 0; i < CLAIMER; i++) {
        struct cf_error err = {0};

        memset(&c[i], 0, sizeof c[i]);
        snprintf(c[i].owner, sizeof c[i].owner, "w%d", i);
        assert_ok(store_open(b->url, 0, &c[i].s, NULL, &err), err);
    }
    for (int i = 0; i < CLAIMER; i++)
        assert_int_equal(pthread_create(&t[i], NULL, claimer_main, &c[i]), 0);
    for (int i = 0; i < CLAIMER; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < CLAIMER; i++) {
        store_close(c[i].s);
        if (c[i].rc != CF_OK)
            fail_msg("claimer %d: %s", i, c[i].err.message);
        for (int k = 0; k < c[i].n; k++) {
            int64_t id = c[i].got[k];

            assert_true(id >= 1 && id <= NJOBS);
            if (seen[id])
                fail_msg("job %lld was claimed twice", (long long)id);
            seen[id] = 1;
        }
        total += c[i].n;
    }
    assert_int_equal(total, NJOBS);
    {
        struct cf_error err = {0};
        long due = -1;

        assert_ok(store_job_due(s, NULL, T0, &due, &err), err);
        assert_int_equal(due, 0);
    }
}

/* PostgreSQL: while one connection holds the tick, another one's tick does nothing. */
static void test_pg_tick_one_at_a_time(void **state)
{
    struct store *s = open_store(state);
    struct store *other = open_second(state);
    struct svc sv = {other, "system", NULL, NULL, NULL, NULL};
    struct tick_report rep;
    struct cf_error err = {0};
    int got = 0;

    assert_ok(store_begin(s, &err), err);
    assert_ok(store_tick_lock(s, &got, &err), err);
    assert_int_equal(got, 1);
    assert_ok(svc_tick(&sv, &rep, &err), err);
    assert_int_equal(rep.ran, 0);
    assert_ok(store_commit(s, &err), err); /* the lock ends with the transaction */
    assert_ok(svc_tick(&sv, &rep, &err), err);
    assert_int_equal(rep.ran, 1);
}

/* --- registration ------------------------------------------------------------------- */

#define COMMON_TESTS(X)                                                                            \
    X(test_enqueue_idempotent)                                                                     \
    X(test_claim_due_only_once)                                                                    \
    X(test_release_uncounts)                                                                       \
    X(test_fail_retry_then_dead)                                                                   \
    X(test_tick_expires_leases)                                                                    \
    X(test_outbox_jobs)                                                                            \
    X(test_tick_adopts_and_tidies)                                                                 \
    X(test_outbox_cancel_cancels_job)                                                              \
    X(test_concurrent_claims)

#define SQ(f) {#f " (sqlite)", f, setup, teardown, &g_sqlite},
#define PG(f) {#f " (postgresql)", f, setup, teardown, &g_pg},

static int pg_create_database(void)
{
    unsigned char rnd[6];
    char sql[200];
    int fd = open("/dev/urandom", O_RDONLY);

    if (fd < 0 || read(fd, rnd, sizeof rnd) != (ssize_t)sizeof rnd) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    snprintf(g_pg_db, sizeof g_pg_db, "t_%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2], rnd[3],
             rnd[4], rnd[5]);
    if (pg_url_with_db(g_pg_admin, g_pg_db, g_pg_url, sizeof g_pg_url) != 0) {
        g_pg_url[0] = '\0';
        return -1;
    }
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", g_pg_db);
    {
        PGconn *c = PQconnectdb(g_pg_admin);
        PGresult *r = PQstatus(c) == CONNECTION_OK ? PQexec(c, sql) : NULL;
        int ok = r != NULL && PQresultStatus(r) == PGRES_COMMAND_OK;

        if (!ok)
            print_error("%s: %s", sql, r != NULL ? PQresultErrorMessage(r) : PQerrorMessage(c));
        PQclear(r);
        PQfinish(c);
        if (!ok) {
            g_pg_url[0] = '\0';
            return -1;
        }
    }
    return 0;
}

static int pg_drop_database(void)
{
    char sql[200];
    PGconn *c;
    PGresult *r;
    int ok;

    if (g_pg_url[0] == '\0')
        return 0;
    c = PQconnectdb(g_pg_admin);
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", g_pg_db);
    r = PQexec(c, sql);
    ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    PQfinish(c);
    return ok ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest sqlite_tests[] = {
        COMMON_TESTS(SQ) cmocka_unit_test_prestate(test_backoff, &g_sqlite)};
    const struct CMUnitTest pg_tests[] = {COMMON_TESTS(PG) PG(test_pg_tick_one_at_a_time)};
    const char *pg = getenv("CTOFRAME_TEST_PG");
    int rc;

    /* The PostgreSQL phase of scripts/test runs only the PostgreSQL group. */
    rc = tu_pg_only() ? 0 : cmocka_run_group_tests_name("jobs (sqlite)", sqlite_tests, NULL, NULL);
    if (pg != NULL && pg[0] != '\0') {
        snprintf(g_pg_admin, sizeof g_pg_admin, "%s", pg);
        pg_create_database();
        rc += cmocka_run_group_tests_name("jobs (postgresql)", pg_tests, NULL, NULL);
        if (pg_drop_database() != 0)
            rc++;
    }
    return rc;
}
