/*
 * jobs.h — background work: the registry of job kinds, the worker that
 * claims and runs due jobs, and the periodic tick.
 *
 * A job is a row (store/jobs.c). A worker claims one due job at a time with
 * a lease, runs the handler its kind names, and records the outcome in one
 * transaction with whatever the kind keeps of its own (the outbox row of a
 * message): done, again later (backoff), or dead after the kind's last
 * attempt. Retry, backoff and leases live here, once, for every kind.
 *
 * Adding a kind: write a struct job_kind beside the code it runs (mail.c has
 * "outbox.deliver") and add one line to the registry in jobs.c.
 */
#ifndef CF_SVC_JOBS_H
#define CF_SVC_JOBS_H

#include "svc/svc.h"

struct mail_config;

/* What the process running jobs was given; a kind that needs something absent is not run. */
struct jobs_env {
    const struct mail_config *mail; /* SMTP settings, or NULL: outbox.deliver waits */
};

/* What a handler says about one run of one job. */
enum job_result {
    JOB_DONE,    /* the work is done */
    JOB_SKIP,    /* nothing to do any more (the work was cancelled meanwhile): done */
    JOB_RETRY,   /* failed for now: again after the kind's backoff, dead after the last attempt */
    JOB_FAIL,    /* failed for good: dead at once */
    JOB_RELEASE, /* not tried (the worker is stopping): queued as before, attempt uncounted */
};

/* Passed to a handler: the worker's store and what the kind set up for this batch. */
struct job_ctx {
    const struct svc *sv;
    const struct jobs_env *env;
    void *state;               /* from the kind's begin(), or NULL */
    int (*should_abort)(void); /* 1 when a long step (a transfer) must end now; never NULL */
};

/* The outcome as recorded, for the kind's settle(). */
struct job_outcome {
    enum job_result result;
    const char *state;     /* "done", "queued", "dead", or "queued" after a release */
    int64_t attempts;      /* the job's attempts, this one included */
    const char *run_after; /* when it runs again (state "queued") */
    const char *error;     /* the reason of a failure, or NULL */
    const char *now;
};

struct job_kind {
    const char *name;  /* "outbox.deliver" */
    int max_attempts;  /* >= 1 */
    long lease_s;      /* how long a run may take before another worker may take the job */
    const long *steps; /* delays (s) after the 1st, 2nd … failure; NULL: exponential below */
    size_t nsteps;     /* the last step repeats */
    long base_s, cap_s; /* without steps: base_s · 2^(n−1) after the n-th failure, at most cap_s */
    /* 1 when env has what the kind needs (NULL: always). */
    int (*usable)(const struct jobs_env *env);
    /* Before the first job of a batch / after the last (may be NULL): ctx->state for run(). */
    int (*begin)(const struct job_ctx *ctx, void **state, struct cf_error *err);
    void (*end)(void *state);
    /* Runs job (a claimed row); why (n bytes) gets the reason of a failure. */
    enum job_result (*run)(const struct job_ctx *ctx, const json_t *job, char *why, size_t n);
    /*
     * In the transaction that records the outcome (may be NULL): the kind's own
     * rows follow it. Also called when a lease runs out (result JOB_RETRY).
     */
    int (*settle)(const struct svc *sv, const json_t *job, const struct job_outcome *o,
                  struct cf_error *err);
    /* On each tick (may be NULL): queue jobs for work recorded elsewhere; *n = jobs queued. */
    int (*sweep)(const struct svc *sv, const char *now, int64_t *n, struct cf_error *err);
    /*
     * When a dead job is retried (may be NULL): in the same transaction, the
     * kind makes its own rows ready again, or refuses with CF_ECONFLICT.
     */
    int (*retry)(const struct svc *sv, const json_t *job, const char *now, struct cf_error *err);
};

/* The kind called name, or NULL. */
const struct job_kind *svc_job_kind(const char *name);

/* Seconds to wait after the attempt-th failed attempt (attempt >= 1) of a job of kind k. */
long svc_job_backoff(const struct job_kind *k, int64_t attempt);

/* What one call of svc_jobs_run did. */
struct jobs_stats {
    int done, skipped, retried, dead, released, lost;
};

/*
 * Runs due jobs: of kind only (NULL: every registered kind env can serve),
 * at most limit in all (<= 0: until none is due), each claimed with a lease
 * in this process's name and its outcome recorded at once. Call it outside
 * any transaction. *st (may be NULL) counts outcomes. Returns a store error
 * when one stops the run (the job in hand keeps its lease until it runs
 * out), CF_EINVAL for an unknown kind, else CF_OK whatever the jobs did.
 */
int svc_jobs_run(const struct svc *sv, const struct jobs_env *env, const char *kind, long limit,
                 struct jobs_stats *st, struct cf_error *err);

/* What one tick did. */
struct tick_report {
    int ran;         /* 0: another process was running the tick (PostgreSQL) */
    int64_t expired; /* leases that had run out: queued again (or dead) */
    int64_t queued;  /* jobs the kinds' sweeps queued */
    /* issue 8 points 5-6: credentials */
    int64_t moved;    /* credentials moved to expiring, expired or lapsed */
    int64_t reminded; /* renewal reminders queued */
    /* issue 9: evaluations */
    int64_t rater_reminders; /* raters reminded of a due date */
};

/*
 * The periodic work, once, in one transaction that one process at a time
 * holds (PostgreSQL advisory lock; SQLite's write lock): jobs whose lease
 * ran out are queued again (dead after their last attempt), then every
 * kind's sweep runs (the outbox: messages without a delivery job get one).
 * Later: lapses and reminders.
 */
int svc_tick(const struct svc *sv, struct tick_report *rep, struct cf_error *err);

/*
 * The queue for people: {counts: {queued, running, done, dead, cancelled},
 * kinds: [{kind, state, n}], jobs: [...newest first, at most limit]} with
 * jobs filtered by state and kind (NULL: all). Needs outbox.read.
 */
int svc_jobs_list(const struct svc *sv, const char *state, const char *kind, long limit,
                  json_t **out, struct cf_error *err);

/*
 * A dead or cancelled job queued again now with attempts from 0 (its kind
 * readies its own rows: a message is pending again). outbox.write; audited
 * as job.retry. CF_ENOTFOUND, or CF_ECONFLICT when it is not dead or
 * cancelled. *out = the job as it is now.
 */
int svc_job_retry(const struct svc *sv, int64_t id, json_t **out, struct cf_error *err);

/* How often `serve` runs the tick unless CTOFRAME_TICK_S says otherwise, and looks for jobs. */
#define JOBS_TICK_S 5
#define JOBS_POLL_S 2

/*
 * Starts the background thread of `serve`: it opens its own store on db_url
 * (which must exist and be migrated), runs the tick every tick_s seconds
 * (<= 0: JOBS_TICK_S) and due jobs every JOBS_POLL_S, until
 * svc_jobs_worker_stop(). env and what it points to must outlive the worker;
 * CF_EINVAL when env->mail is set but not usable, CF_ECONFLICT when a worker
 * runs already. Database errors are logged once and retried.
 */
int svc_jobs_worker_start(const char *db_url, const struct jobs_env *env, long tick_s,
                          struct cf_error *err);

/*
 * Stops the worker and waits for it: at once when it is idle; a job in hand
 * gets 5 seconds to finish, after which it is abandoned and released (the
 * message stays pending as it was). Does nothing when no worker runs.
 */
void svc_jobs_worker_stop(void);

/* The kinds (in mail.c etc.) the registry lists. */
extern const struct job_kind svc__outbox_deliver_kind;
/* issue 8 results/credentials: renders a credential's certificate (svc/credential.c). */
extern const struct job_kind svc__credential_certificate_kind;
/* issue 10 point 6: calibrates an exam form (svc/calibration.c). */
extern const struct job_kind svc__form_calibrate_kind;

#endif
