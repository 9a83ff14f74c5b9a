/*
 * jobs.c — the registry of job kinds, running due jobs, the periodic tick,
 * the queue as people see it, and the background thread of `serve`.
 *
 * Retry, backoff and leases are decided here for every kind; a kind only
 * says how to run one job and how its own rows follow the outcome.
 */
#include "svc/jobs.h"

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/clock.h"
#include "svc/mail.h"
#include "svc/svc_impl.h"

/* The registry: a new kind is one line here. */
static const struct job_kind *const kinds[] = {
    &svc__outbox_deliver_kind,
    &svc__credential_certificate_kind, /* issue 8: results and credentials */
    &svc__form_calibrate_kind,         /* issue 10 point 6: Rasch calibration of a form */
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

#define JOBS_ROUND        100    /* jobs per round of the worker before it looks at the tick */
#define JOBS_EXPIRE_BATCH 1000   /* expired leases handled per tick */
#define JOBS_STOP_WAIT_MS 5000.0 /* how long stopping waits for the job in hand */
#define JOBS_CLAIM_TRIES  3      /* claims that found nothing while jobs were due (a race) */
#define OWNER_MAX         300

static const char *const job_states[] = {"queued", "running", "done", "dead", "cancelled"};

/* One line on stderr, written by one call so that threads do not interleave. */
static void log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void log_line(const char *fmt, ...)
{
    char line[1200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s\n", line);
}

const struct job_kind *svc_job_kind(const char *name)
{
    for (size_t i = 0; name != NULL && i < NKINDS; i++)
        if (strcmp(kinds[i]->name, name) == 0)
            return kinds[i];
    return NULL;
}

long svc_job_backoff(const struct job_kind *k, int64_t attempt)
{
    long d;

    if (attempt < 1)
        attempt = 1; /* a row edited by hand */
    if (k->steps != NULL && k->nsteps > 0)
        return k->steps[(size_t)attempt - 1 < k->nsteps ? (size_t)attempt - 1 : k->nsteps - 1];
    d = k->base_s > 0 ? k->base_s : 1;
    for (int64_t i = 1; i < attempt && d < k->cap_s; i++)
        d *= 2;
    return k->cap_s > 0 && d > k->cap_s ? k->cap_s : d;
}

/* "host:pid:n", a name no other run of any process uses, for the leases of one run. */
static void owner_name(char *out, size_t n)
{
    static atomic_uint seq;
    char host[256];

    if (gethostname(host, sizeof host) != 0 || host[0] == '\0')
        snprintf(host, sizeof host, "localhost");
    host[sizeof host - 1] = '\0';
    snprintf(out, n, "%s:%ld:%u", host, (long)getpid(), atomic_fetch_add(&seq, 1u) + 1u);
}

static int never(void)
{
    return 0;
}

/* --- running jobs ------------------------------------------------------------------ */

static void count(struct jobs_stats *st, const struct job_outcome *o)
{
    if (o->result == JOB_DONE)
        st->done++;
    else if (o->result == JOB_SKIP)
        st->skipped++;
    else if (o->result == JOB_RELEASE)
        st->released++;
    else if (strcmp(o->state, "queued") == 0)
        st->retried++;
    else
        st->dead++;
}

/*
 * Records what run() said about job (claimed under owner) and lets the kind's
 * rows follow, in one transaction: done; queued again after the backoff or
 * dead; released. A lease lost meanwhile (it ran out and another worker took
 * the job) changes nothing and is counted as lost.
 */
static int record(const struct svc *sv, const struct job_kind *k, const json_t *job,
                  const char *owner, enum job_result res, const char *why, struct jobs_stats *st,
                  struct cf_error *err)
{
    int64_t id = (int64_t)json_integer_value(json_object_get(job, "id"));
    int64_t attempts = (int64_t)json_integer_value(json_object_get(job, "attempts"));
    char now[32], retry_at[32];
    struct job_outcome o;
    json_t *after = NULL;
    int ok = 0, rc;

    clock_now_iso(now, sizeof now);
    memset(&o, 0, sizeof o);
    o.result = res;
    o.attempts = attempts;
    o.now = now;
    rc = store_begin(sv->store, err);
    if (rc != CF_OK)
        return rc;

    if (res == JOB_DONE || res == JOB_SKIP) {
        rc = store_job_finish(sv->store, id, owner, now, &ok, err);
        o.state = "done";
    } else if (res == JOB_RELEASE) {
        rc = store_job_release(sv->store, id, owner, now, &ok, err);
        o.state = "queued";
        o.attempts = attempts - 1;
        o.run_after = json_string_value(json_object_get(job, "run_after"));
    } else {
        clock_iso(clock_now() + svc_job_backoff(k, attempts), retry_at, sizeof retry_at);
        o.error = why[0] != '\0' ? why : "failed without a reason";
        rc = store_job_fail(sv->store, id, owner, o.error, res == JOB_RETRY ? retry_at : NULL, now,
                            &after, err);
        ok = after != NULL;
        o.state = json_string_value(json_object_get(after, "state"));
        o.run_after = json_string_value(json_object_get(after, "run_after"));
    }
    if (rc != CF_OK)
        goto out;
    if (!ok) {
        st->lost++;
        log_line("jobs: #%lld (%s): its lease ran out before it finished; another worker took it",
                 (long long)id, k->name);
        goto out;
    }
    if (k->settle != NULL)
        rc = k->settle(sv, job, &o, err);
    if (rc == CF_OK)
        count(st, &o);

out:
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    json_decref(after);
    return rc;
}

/*
 * Claims a due job of kind k for owner. A claim can find nothing while jobs
 * are due when it raced another claimer for the same row (PostgreSQL skips
 * the row the other one locked and may stop there): then it looks again.
 */
static int claim(const struct svc *sv, const struct job_kind *k, const char *owner, json_t **job,
                 struct cf_error *err)
{
    char now[32], until[32];
    int rc = CF_OK;

    for (int i = 0; i < JOBS_CLAIM_TRIES; i++) {
        long due = 0;

        clock_now_iso(now, sizeof now);
        clock_iso(clock_now() + k->lease_s, until, sizeof until);
        rc = store_job_claim(sv->store, k->name, owner, now, until, job, err);
        if (rc != CF_OK || *job != NULL)
            return rc;
        rc = store_job_due(sv->store, k->name, now, &due, err);
        if (rc != CF_OK || due == 0)
            return rc;
    }
    return rc;
}

/*
 * svc_jobs_run, with the worker's tests: should_stop ends the run between
 * jobs, should_abort a job's long step (both never NULL).
 */
static int run_jobs(const struct svc *sv, const struct jobs_env *env, const char *only, long limit,
                    int (*should_stop)(void), int (*should_abort)(void), struct jobs_stats *st,
                    struct cf_error *err)
{
    char owner[OWNER_MAX];
    long total = 0;
    int rc = CF_OK;

    if (only != NULL && svc_job_kind(only) == NULL)
        return cf_error_set(err, CF_EINVAL, "kind", "There is no job kind \"%s\".", only);
    owner_name(owner, sizeof owner);
    for (size_t i = 0; i < NKINDS && rc == CF_OK; i++) {
        const struct job_kind *k = kinds[i];
        struct job_ctx ctx = {sv, env, NULL, should_abort};
        int begun = 0;

        if ((only != NULL && strcmp(only, k->name) != 0) || (k->usable != NULL && !k->usable(env)))
            continue;
        while ((limit <= 0 || total < limit) && !should_stop()) {
            json_t *job = NULL;
            char why[1024] = "";
            enum job_result res;

            rc = claim(sv, k, owner, &job, err);
            if (rc != CF_OK || job == NULL)
                break;
            if (!begun && k->begin != NULL) {
                rc = k->begin(&ctx, &ctx.state, err);
                if (rc != CF_OK) {
                    /* Not tried: the job goes back as it was. */
                    struct cf_error e2;

                    cf_error_clear(&e2);
                    record(sv, k, job, owner, JOB_RELEASE, why, st, &e2);
                    json_decref(job);
                    break;
                }
            }
            begun = 1;
            res = k->run(&ctx, job, why, sizeof why);
            rc = record(sv, k, job, owner, res, why, st, err);
            json_decref(job);
            total++;
            if (rc != CF_OK)
                break;
        }
        if (begun && k->end != NULL)
            k->end(ctx.state);
    }
    return rc;
}

int svc_jobs_run(const struct svc *sv, const struct jobs_env *env, const char *kind, long limit,
                 struct jobs_stats *st, struct cf_error *err)
{
    struct jobs_stats mine;

    if (st == NULL)
        st = &mine;
    memset(st, 0, sizeof *st);
    return run_jobs(sv, env, kind, limit, never, never, st, err);
}

/* --- the tick ---------------------------------------------------------------------- */

int svc_tick(const struct svc *sv, struct tick_report *rep, struct cf_error *err)
{
    char now[32];
    json_t *expired = NULL, *job;
    size_t i;
    int got = 0, rc;

    memset(rep, 0, sizeof *rep);
    clock_now_iso(now, sizeof now);
    rc = store_begin(sv->store, err);
    if (rc != CF_OK)
        return rc;
    /* One node at a time: another one holding it means this tick has nothing to do. */
    rc = store_tick_lock(sv->store, &got, err);
    if (rc != CF_OK || !got)
        goto out;
    rep->ran = 1;

    /* A worker that died (or stalled past its lease): its job is due again at once. */
    rc = store_job_expired(sv->store, now, JOBS_EXPIRE_BATCH, &expired, err);
    if (rc != CF_OK)
        goto out;
    json_array_foreach(expired, i, job)
    {
        const struct job_kind *k = svc_job_kind(json_string_value(json_object_get(job, "kind")));
        static const char why[] = "the worker stopped before it finished (its lease ran out)";
        struct job_outcome o;
        json_t *after = NULL;

        rc = store_job_fail(sv->store, (int64_t)json_integer_value(json_object_get(job, "id")),
                            json_string_value(json_object_get(job, "lease_owner")), why, now, now,
                            &after, err);
        if (rc == CF_OK && after != NULL && k != NULL && k->settle != NULL) {
            memset(&o, 0, sizeof o);
            o.result = JOB_RETRY;
            o.state = json_string_value(json_object_get(after, "state"));
            o.attempts = (int64_t)json_integer_value(json_object_get(after, "attempts"));
            o.run_after = json_string_value(json_object_get(after, "run_after"));
            o.error = why;
            o.now = now;
            rc = k->settle(sv, job, &o, err);
        }
        if (after != NULL)
            rep->expired++;
        json_decref(after);
        if (rc != CF_OK)
            goto out;
    }

    /* issue 8 points 5-6: credentials move with the dates; reminders go to the outbox
     * before the sweeps, so they get their delivery jobs in this same tick. */
    rc = svc__credentials_tick(sv, &rep->moved, &rep->reminded, err);
    if (rc != CF_OK)
        goto out;
    /* issue 9: raters who have not submitted are reminded as the due date nears. */
    rc = svc__evaluations_tick(sv, &rep->rater_reminders, err);
    if (rc != CF_OK)
        goto out;

    /* Work recorded elsewhere gets its jobs. */
    for (size_t j = 0; j < NKINDS; j++) {
        int64_t n = 0;

        if (kinds[j]->sweep == NULL)
            continue;
        rc = kinds[j]->sweep(sv, now, &n, err);
        if (rc != CF_OK)
            goto out;
        rep->queued += n;
    }

    /* Counted refusals of ended intervals go into the audit trail. */
    rc = svc_refusals_flush(sv, err);

out:
    json_decref(expired);
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    return rc;
}

/* --- the queue for people ---------------------------------------------------------------- */

static int known_state(const char *state)
{
    for (size_t i = 0; i < sizeof job_states / sizeof job_states[0]; i++)
        if (strcmp(state, job_states[i]) == 0)
            return 1;
    return 0;
}

int svc_jobs_list(const struct svc *sv, const char *state, const char *kind, long limit,
                  json_t **out, struct cf_error *err)
{
    json_t *kinds_n = NULL, *jobs = NULL, *counts, *row;
    size_t i;
    int rc;

    *out = NULL;
    if (!svc__can(sv, PERM_OUTBOX_READ, NULL))
        return cf_error_set(err, CF_EFORBIDDEN, NULL,
                            "Only program administrators see the background jobs.");
    if (state != NULL && !known_state(state))
        return cf_error_set(err, CF_EINVAL, "state",
                            "Choose a state: queued, running, done, dead or cancelled.");
    if (kind != NULL && svc_job_kind(kind) == NULL)
        return cf_error_set(err, CF_EINVAL, "kind", "There is no job kind \"%s\".", kind);
    rc = store_job_counts(sv->store, &kinds_n, err);
    if (rc == CF_OK)
        rc = store_job_list(sv->store, state, kind, limit, &jobs, err);
    if (rc != CF_OK) {
        json_decref(kinds_n);
        json_decref(jobs);
        return rc;
    }
    counts = json_object();
    for (size_t s = 0; s < sizeof job_states / sizeof job_states[0]; s++)
        json_object_set_new(counts, job_states[s], json_integer(0));
    json_array_foreach(kinds_n, i, row)
    {
        const char *st = json_string_value(json_object_get(row, "state"));
        json_int_t n = json_integer_value(json_object_get(row, "n"));

        if (st != NULL)
            json_object_set_new(counts, st,
                                json_integer(json_integer_value(json_object_get(counts, st)) + n));
    }
    *out = json_pack("{s:o, s:o, s:o}", "counts", counts, "kinds", kinds_n, "jobs", jobs);
    return *out != NULL
               ? CF_OK
               : cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
}

int svc_job_retry(const struct svc *sv, int64_t id, json_t **out, struct cf_error *err)
{
    char now[32], oid[32];
    json_t *job = NULL, *before = NULL, *after = NULL;
    const struct job_kind *k;
    const char *state;
    int64_t n = 0;
    int rc;

    *out = NULL;
    if (!svc__can(sv, PERM_OUTBOX_WRITE, NULL))
        return cf_error_set(err, CF_EFORBIDDEN, NULL,
                            "Only program administrators run background jobs again.");
    clock_now_iso(now, sizeof now);
    rc = store_begin(sv->store, err);
    if (rc != CF_OK)
        return rc;
    rc = store_job_get(sv->store, id, &job, err);
    if (rc == CF_ENOTFOUND)
        cf_error_set(err, CF_ENOTFOUND, NULL, "There is no job #%lld.", (long long)id);
    if (rc != CF_OK)
        goto out;
    state = json_string_value(json_object_get(job, "state"));
    if (strcmp(state, "dead") != 0 && strcmp(state, "cancelled") != 0) {
        rc = cf_error_set(err, CF_ECONFLICT, NULL,
                          "Job #%lld is %s; only a dead or cancelled job can be run again.",
                          (long long)id, state);
        goto out;
    }

    /* The kind readies its own rows (and queues the job); any other job is simply queued. */
    k = svc_job_kind(json_string_value(json_object_get(job, "kind")));
    if (k != NULL && k->retry != NULL)
        rc = k->retry(sv, job, now, err);
    else
        rc = store_job_retry(sv->store, id, now, &n, err);
    if (rc != CF_OK)
        goto out;
    rc = store_job_get(sv->store, id, &after, err);
    if (rc == CF_OK && strcmp(json_string_value(json_object_get(after, "state")), "queued") != 0)
        rc = cf_error_set(err, CF_ECONFLICT, NULL, "Job #%lld changed meanwhile; look again.",
                          (long long)id);
    if (rc != CF_OK)
        goto out;

    snprintf(oid, sizeof oid, "%lld", (long long)id);
    before = json_pack("{s:O, s:O, s:O}", "state", json_object_get(job, "state"), "attempts",
                       json_object_get(job, "attempts"), "last_error",
                       json_object_get(job, "last_error"));
    {
        json_t *a = json_pack("{s:O, s:O, s:O}", "state", json_object_get(after, "state"),
                              "attempts", json_object_get(after, "attempts"), "run_after",
                              json_object_get(after, "run_after"));

        rc = svc__audit(sv, NULL, "job.retry", "job", oid, before, a, err);
        json_decref(a);
    }

out:
    json_decref(job);
    json_decref(before);
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    if (rc != CF_OK) {
        json_decref(after);
        return rc;
    }
    *out = after;
    return CF_OK;
}

/* --- the background thread of `serve` ----------------------------------------------------- */

static pthread_mutex_t worker_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t worker_cv;
static pthread_t worker_thread;
static int worker_running;    /* a thread exists (start succeeded, stop not done) */
static int worker_stopping;   /* stop was asked */
static double worker_stop_ms; /* when, by clock_mono_ms() */
static const char *worker_db;
static const struct jobs_env *worker_env;
static long worker_tick_s;

/* Between jobs: 1 as soon as stop was asked. */
static int worker_should_stop(void)
{
    int stop;

    pthread_mutex_lock(&worker_mu);
    stop = worker_stopping;
    pthread_mutex_unlock(&worker_mu);
    return stop;
}

/* Inside a job: 1 once stop was asked and the grace time is over. */
static int worker_should_abort(void)
{
    int stop;

    pthread_mutex_lock(&worker_mu);
    stop = worker_stopping && clock_mono_ms() - worker_stop_ms >= JOBS_STOP_WAIT_MS;
    pthread_mutex_unlock(&worker_mu);
    return stop;
}

/* Logs err once (not every round while it lasts); 1 when the store should be reopened. */
static int worker_trouble(const char *what, const struct cf_error *e, struct cf_error *last)
{
    if (strcmp(last->message, e->message) != 0)
        log_line("jobs: %s: %s; trying again every %d s", what, e->message, JOBS_POLL_S);
    *last = *e;
    return e->code == CF_EDB || e->code == CF_EIO;
}

static void *worker_main(void *arg)
{
    struct store *s = NULL;
    struct svc sv = {NULL, "system", NULL, NULL, NULL, NULL};
    struct cf_error last; /* the last error logged, so that it is logged once */
    double next_tick = 0;

    (void)arg;
    cf_error_clear(&last);
    while (!worker_should_stop()) {
        struct jobs_stats st;
        struct cf_error err;
        struct timespec until;
        int rc = CF_OK, busy = 0;

        cf_error_clear(&err);
        memset(&st, 0, sizeof st);
        if (s == NULL)
            rc = store_open(worker_db, 0, &s, NULL, &err);
        sv.store = s;
        if (rc == CF_OK && clock_mono_ms() >= next_tick) {
            struct tick_report rep;

            rc = svc_tick(&sv, &rep, &err);
            if (rc == CF_OK)
                next_tick = clock_mono_ms() + (double)worker_tick_s * 1000.0;
        }
        if (rc == CF_OK) {
            rc = run_jobs(&sv, worker_env, NULL, JOBS_ROUND, worker_should_stop,
                          worker_should_abort, &st, &err);
            busy = st.done + st.skipped + st.retried + st.dead >= JOBS_ROUND;
        }
        if (rc != CF_OK) {
            if (worker_trouble("background work", &err, &last)) {
                store_close(s);
                s = NULL;
            }
        } else {
            cf_error_clear(&last);
        }
        if (busy)
            continue; /* more is due: no pause */

        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += JOBS_POLL_S;
        pthread_mutex_lock(&worker_mu);
        while (!worker_stopping && pthread_cond_timedwait(&worker_cv, &worker_mu, &until) == 0)
            ;
        pthread_mutex_unlock(&worker_mu);
    }
    store_close(s);
    return NULL;
}

/* The tick interval: tick_s, else CTOFRAME_TICK_S (1 to 3600), else JOBS_TICK_S. */
static long tick_interval(long tick_s)
{
    const char *env = getenv("CTOFRAME_TICK_S");
    char *end;
    long v;

    if (tick_s > 0)
        return tick_s;
    if (env == NULL || env[0] == '\0')
        return JOBS_TICK_S;
    v = strtol(env, &end, 10);
    return *end == '\0' && v >= 1 && v <= 3600 ? v : JOBS_TICK_S;
}

int svc_jobs_worker_start(const char *db_url, const struct jobs_env *env, long tick_s,
                          struct cf_error *err)
{
    pthread_condattr_t attr;
    sigset_t all, old;
    int rc, made;

    if (env->mail != NULL) {
        rc = svc_mail_check(env->mail, err);
        if (rc != CF_OK)
            return rc;
    }

    pthread_mutex_lock(&worker_mu);
    if (worker_running) {
        pthread_mutex_unlock(&worker_mu);
        return cf_error_set(err, CF_ECONFLICT, NULL, "The background worker is already running.");
    }
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&worker_cv, &attr);
    pthread_condattr_destroy(&attr);
    worker_db = db_url;
    worker_env = env;
    worker_tick_s = tick_interval(tick_s);
    worker_stopping = 0;
    /*
     * The thread takes no signals: SIGTERM and SIGINT must reach the server's
     * main thread, which waits for them with sigwait (a thread that left them
     * unblocked would receive them and the process would die at once).
     */
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    made = pthread_create(&worker_thread, NULL, worker_main, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (made != 0) {
        pthread_cond_destroy(&worker_cv);
        pthread_mutex_unlock(&worker_mu);
        return cf_error_set(err, CF_ENOMEM, NULL,
                            "Cannot start the background worker. Restart the server.");
    }
    worker_running = 1;
    pthread_mutex_unlock(&worker_mu);
    return CF_OK;
}

void svc_jobs_worker_stop(void)
{
    pthread_mutex_lock(&worker_mu);
    if (!worker_running || worker_stopping) {
        pthread_mutex_unlock(&worker_mu);
        return;
    }
    worker_stopping = 1;
    worker_stop_ms = clock_mono_ms();
    pthread_cond_signal(&worker_cv);
    pthread_mutex_unlock(&worker_mu);

    pthread_join(worker_thread, NULL);

    pthread_mutex_lock(&worker_mu);
    pthread_cond_destroy(&worker_cv);
    worker_running = 0;
    worker_stopping = 0;
    pthread_mutex_unlock(&worker_mu);
}
