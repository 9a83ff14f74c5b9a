/*
 * jobs.c — `ctoframe jobs [list] | retry ID` (the background jobs and their
 * state) and `ctoframe tick` (the periodic work once, then the due jobs).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "svc/jobs.h"
#include "svc/mail.h"

static const char USAGE_JOBS[] =
    "usage: ctoframe jobs [list] [--status STATE] [--kind KIND] [--json] [--db PATH|URL]\n"
    "       ctoframe jobs retry ID [--db PATH|URL]\n\n"
    "Background work (delivering the outbox; later certificates and reminders) is a\n"
    "queue of jobs: queued, running (leased to one worker), done, dead (its last\n"
    "attempt failed) or cancelled.\n"
    "list   how many jobs are in each state, then the newest jobs (at most 1000): id,\n"
    "       kind, state, attempts, when it runs next, and the last error; --status and\n"
    "       --kind filter them; --json prints {counts, kinds, jobs}.\n"
    "retry  a dead or cancelled job is queued again with its attempts from 0 (a\n"
    "       message's job makes the message pending again, as `ctoframe outbox retry`).\n";

static const char USAGE_TICK[] =
    "usage: ctoframe tick [--smtp URL [--from ADDR]] [--json] [--db PATH|URL]\n\n"
    "Runs the periodic work once: jobs whose worker stopped (its lease ran out) are\n"
    "queued again, and messages without a delivery job get one. On PostgreSQL one\n"
    "process at a time does this (the others skip it). Then it runs every job that is\n"
    "due: with --smtp (and --from, CTOFRAME_SMTP_USER, CTOFRAME_SMTP_PASSWORD as for\n"
    "`ctoframe outbox send`) the outbox is delivered too. `ctoframe serve` does all of\n"
    "this by itself every few seconds; tick is for cron or a second look.\n";

#define LIST_MAX 1000L

static const char *str(const json_t *row, const char *key)
{
    const char *v = json_string_value(json_object_get(row, key));

    return v != NULL ? v : "";
}

/* Writes s with control characters shown as \xNN (stored text may hold anything). */
static void put_text(const char *s)
{
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;

        if (c < 0x20 || c == 0x7f)
            printf("\\x%02x", c);
        else
            fputc(c, stdout);
    }
}

static void print_jobs(const json_t *view)
{
    const json_t *counts = json_object_get(view, "counts");
    const json_t *jobs = json_object_get(view, "jobs");
    const char *k;
    json_t *v, *row;
    size_t i;
    int first = 1;

    json_object_foreach((json_t *)counts, k, v)
    {
        printf("%s%s %lld", first ? "" : ", ", k, (long long)json_integer_value(v));
        first = 0;
    }
    fputc('\n', stdout);
    if (json_array_size(jobs) == 0)
        return;
    printf("\n%6s  %-16s  %-9s  %8s  %-20s  %s\n", "id", "kind", "state", "attempts", "run after",
           "key");
    json_array_foreach(jobs, i, row)
    {
        char att[48];

        snprintf(att, sizeof att, "%lld/%lld",
                 (long long)json_integer_value(json_object_get(row, "attempts")),
                 (long long)json_integer_value(json_object_get(row, "max_attempts")));
        printf("%6lld  %-16s  %-9s  %8s  %-20s  ",
               (long long)json_integer_value(json_object_get(row, "id")), str(row, "kind"),
               str(row, "state"), att, str(row, "run_after"));
        put_text(str(row, "key"));
        fputc('\n', stdout);
        if (json_is_string(json_object_get(row, "last_error"))) {
            fputs("        last error: ", stdout);
            put_text(str(row, "last_error"));
            fputc('\n', stdout);
        }
    }
}

static int do_list(const struct cli_opts *o)
{
    struct svc sv = {NULL, "cli", NULL, NULL, NULL, NULL};
    struct cf_error err;
    json_t *view = NULL;
    int rc = cli_open_store(o, &sv.store);

    if (rc != CLI_OK)
        return rc;
    cf_error_clear(&err);
    rc = svc_jobs_list(&sv, o->status, o->kind, LIST_MAX, &view, &err);
    store_close(sv.store);
    if (rc == CF_EINVAL) {
        fprintf(stderr, "ctoframe: %s\n%s", err.message, USAGE_JOBS);
        return CLI_USAGE;
    }
    if (rc != CF_OK)
        return cli_fail(&err);
    if (o->json) {
        json_dumpf(view, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
    } else {
        print_jobs(view);
    }
    json_decref(view);
    return CLI_OK;
}

static int do_retry(const struct cli_opts *o)
{
    struct svc sv = {NULL, "cli", NULL, NULL, NULL, NULL};
    struct cf_error err;
    json_t *job = NULL;
    char *end;
    long long id;
    int rc;

    errno = 0;
    id = strtoll(o->pos[1], &end, 10);
    if (o->pos[1][0] == '\0' || *end != '\0' || errno != 0 || id <= 0) {
        fprintf(stderr, "ctoframe: \"%s\" is not a job id (a positive number)\n%s", o->pos[1],
                USAGE_JOBS);
        return CLI_USAGE;
    }
    rc = cli_open_store(o, &sv.store);
    if (rc != CLI_OK)
        return rc;
    cf_error_clear(&err);
    rc = svc_job_retry(&sv, (int64_t)id, &job, &err);
    store_close(sv.store);
    if (rc != CF_OK)
        return cli_fail(&err);
    fprintf(stderr, "ctoframe: job #%lld (%s) is queued again\n", id, str(job, "kind"));
    json_decref(job);
    return CLI_OK;
}

int cli_jobs(int argc, char **argv)
{
    struct cli_opts o;
    const char *cmd;
    int rc = cli_parse(argc, argv, 2, "db status kind json", &o, USAGE_JOBS);

    if (rc != CLI_OK || o.help)
        return rc;
    cmd = o.npos > 0 ? o.pos[0] : "list";
    if (strcmp(cmd, "list") == 0 && o.npos <= 1)
        return do_list(&o);
    if (strcmp(cmd, "retry") == 0 && o.npos == 2 && o.status == NULL && o.kind == NULL && !o.json)
        return do_retry(&o);
    fprintf(stderr, "ctoframe: jobs %s: wrong arguments\n%s", cmd, USAGE_JOBS);
    return CLI_USAGE;
}

int cli_tick(int argc, char **argv)
{
    struct cli_opts o;
    struct svc sv = {NULL, "system", NULL, NULL, NULL, NULL};
    struct mail_config mc;
    struct jobs_env env = {NULL};
    struct tick_report rep;
    struct jobs_stats st;
    struct cf_error err;
    int rc = cli_parse(argc, argv, 2, "db smtp from json", &o, USAGE_TICK);

    if (rc != CLI_OK || o.help)
        return rc;
    if (o.npos != 0 || (o.from != NULL && o.smtp == NULL)) {
        fprintf(stderr, "ctoframe: tick takes no arguments (--from only with --smtp)\n%s",
                USAGE_TICK);
        return CLI_USAGE;
    }
    cf_error_clear(&err);
    if (o.smtp != NULL) {
        memset(&mc, 0, sizeof mc);
        mc.smtp_url = o.smtp;
        mc.from = o.from;
        mc.user = getenv("CTOFRAME_SMTP_USER");
        mc.password = getenv("CTOFRAME_SMTP_PASSWORD");
        if (svc_mail_check(&mc, &err) != CF_OK) {
            fprintf(stderr, "ctoframe: %s\n", err.message);
            return CLI_USAGE;
        }
        env.mail = &mc;
    }
    rc = cli_open_store(&o, &sv.store);
    if (rc != CLI_OK)
        return rc;
    memset(&st, 0, sizeof st);
    rc = svc_tick(&sv, &rep, &err);
    if (rc == CF_OK)
        rc = svc_jobs_run(&sv, &env, NULL, 0, &st, &err);
    store_close(sv.store);
    if (rc != CF_OK)
        return cli_fail(&err);
    if (o.json) {
        printf("{\"tick\": {\"ran\": %s, \"expired\": %lld, \"queued\": %lld, "
               "\"credentials_moved\": %lld, \"reminders\": %lld, \"rater_reminders\": %lld}, "
               "\"jobs\": {\"done\": %d, \"skipped\": %d, \"retried\": %d, \"dead\": %d, "
               "\"released\": %d, \"lost\": %d}}\n",
               rep.ran ? "true" : "false", (long long)rep.expired, (long long)rep.queued,
               (long long)rep.moved, (long long)rep.reminded, (long long)rep.rater_reminders,
               st.done, st.skipped, st.retried, st.dead, st.released, st.lost);
    }
    if (rep.ran)
        fprintf(stderr, "ctoframe: tick: %lld expired lease(s) queued again, %lld job(s) queued\n",
                (long long)rep.expired, (long long)rep.queued);
    if (rep.ran) /* issue 8 points 5-6 */
        fprintf(stderr, "ctoframe: tick: %lld credential(s) moved, %lld reminder(s) queued\n",
                (long long)rep.moved, (long long)rep.reminded);
    if (rep.ran) /* issue 9 */
        fprintf(stderr, "ctoframe: tick: %lld rater reminder(s) queued\n",
                (long long)rep.rater_reminders);
    if (!rep.ran)
        fprintf(stderr, "ctoframe: tick: another process is running it; skipped\n");
    fprintf(stderr, "ctoframe: jobs: %d done, %d to be tried again, %d dead\n",
            st.done + st.skipped, st.retried, st.dead);
    return CLI_OK;
}
