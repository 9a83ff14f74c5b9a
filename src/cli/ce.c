/*
 * ce.c — `ctoframe ce import|show|renew`: continuing education and renewal
 * (docs/ce.md). `ctoframe tick` moves credentials and queues reminders
 * (cli/jobs.c, svc_tick).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "svc/svc.h"

#define CE_FILE_MAX (64u * 1024u * 1024u) /* bytes of an attendance file */

static const char USAGE[] =
    "usage: ctoframe ce import FILE.csv [--json] [--db PATH|URL]\n"
    "       ctoframe ce show NUMBER [--json] [--db PATH|URL]\n"
    "       ctoframe ce renew NUMBER [--json] [--db PATH|URL]\n\n"
    "import  a provider's attendance file: the columns credential_number, category,\n"
    "        title, provider, completed_on (YYYY-MM-DD), hours and skills (skill-area\n"
    "        codes separated by ';'). All or nothing: every problem is listed on standard\n"
    "        error as FILE:LINE:COLUMN: message and nothing is written (exit 1). Imported\n"
    "        activities are approved.\n"
    "        FILE - reads standard input.\n"
    "show    the points of credential NUMBER: earned and counted per category, required,\n"
    "        still needed and by when.\n"
    "renew   renews credential NUMBER when its requirement is met (exit 1 with the reason\n"
    "        when it is not); a renewal the audit sample picks waits for a reviewer.\n";

static int do_import(const struct cli_opts *o)
{
    const char *file = o->pos[1];
    struct svc sv = {NULL, "cli", NULL, NULL, NULL, NULL};
    struct cf_error err;
    json_t *res = NULL, *problems = NULL, *pb;
    char *data = NULL;
    size_t n = 0, i;
    int rc;

    rc = cli_read_input(file, CE_FILE_MAX, &data, &n);
    if (rc != CLI_OK)
        return rc;
    if (n > CE_FILE_MAX) {
        fprintf(stderr, "%s:1:1: The file is larger than %u bytes. Split it into smaller files.\n",
                file, CE_FILE_MAX);
        free(data);
        return CLI_FAIL;
    }
    rc = cli_open_store(o, &sv.store);
    if (rc != CLI_OK) {
        free(data);
        return rc;
    }
    cf_error_clear(&err);
    rc = svc_ce_import(&sv, data, n, &res, &problems, &err);
    free(data);
    store_close(sv.store);
    if (rc == CF_EINVAL && json_array_size(problems) > 0) {
        /* FILE:LINE:COL: message, one a line, as `results import` and compilers say it. */
        json_array_foreach(problems, i, pb)
        {
            fprintf(stderr, "%s:%lld:%lld: %s\n", file,
                    (long long)json_integer_value(json_object_get(pb, "line")),
                    (long long)json_integer_value(json_object_get(pb, "column")),
                    json_string_value(json_object_get(pb, "message")));
        }
        fprintf(stderr, "ctoframe: %s\n", err.message);
        if (o->json) {
            json_t *doc = json_pack("{s:O}", "problems", problems);

            json_dumpf(doc, stdout, JSON_INDENT(2));
            fputc('\n', stdout);
            json_decref(doc);
        }
        json_decref(problems);
        return CLI_FAIL;
    }
    json_decref(problems);
    if (rc != CF_OK)
        return cli_fail(&err);
    if (o->json) {
        json_dumpf(res, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
    }
    fprintf(stderr, "ctoframe: %s: %lld activities imported (import %s)\n", file,
            (long long)json_integer_value(json_object_get(res, "imported")),
            json_string_value(json_object_get(res, "import_id")));
    json_decref(res);
    return CLI_OK;
}

/* show and renew: one credential. */
static int do_one(const struct cli_opts *o, int renew)
{
    struct svc sv = {NULL, "cli", NULL, NULL, NULL, NULL};
    struct cf_error err;
    json_t *v = NULL;
    int rc = cli_open_store(o, &sv.store);

    if (rc != CLI_OK)
        return rc;
    cf_error_clear(&err);
    rc = renew ? svc_credential_renew(&sv, o->pos[1], &v, &err)
               : svc_ce_summary(&sv, o->pos[1], &v, &err);
    store_close(sv.store);
    if (rc != CF_OK)
        return cli_fail(&err);
    if (o->json) {
        json_dumpf(v, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
    } else if (renew) {
        const char *res = json_string_value(json_object_get(v, "result"));

        if (res != NULL && strcmp(res, "audit") == 0)
            printf("%s\n", json_string_value(json_object_get(v, "message")));
        else
            printf("%s renewed: %s until %s\n", json_string_value(json_object_get(v, "number")),
                   json_string_value(json_object_get(v, "status")),
                   json_string_value(json_object_get(v, "expires_on")));
    } else {
        json_t *p = json_object_get(v, "points"), *c;
        const char *code;

        printf("%s: %s, issued %s, expires %s\n", json_string_value(json_object_get(v, "number")),
               json_string_value(json_object_get(v, "status")),
               json_string_value(json_object_get(v, "issued_on")),
               json_string_value(json_object_get(v, "expires_on")));
        printf("points: %s counted of %s required (%s earned); %s still needed by %s\n",
               json_string_value(json_object_get(p, "counted")),
               json_string_value(json_object_get(p, "required")),
               json_string_value(json_object_get(p, "earned")),
               json_string_value(json_object_get(p, "needed")),
               json_string_value(json_object_get(p, "by")));
        json_object_foreach(json_object_get(p, "categories"), code, c)
        {
            printf("  %-14s earned %s, counted %s\n", code,
                   json_string_value(json_object_get(c, "earned")),
                   json_string_value(json_object_get(c, "counted")));
        }
    }
    json_decref(v);
    return CLI_OK;
}

int cli_ce(int argc, char **argv)
{
    struct cli_opts o;
    int rc = cli_parse(argc, argv, 2, "db json", &o, USAGE);

    if (rc != CLI_OK || o.help)
        return rc;
    if (o.npos == 2 && strcmp(o.pos[0], "import") == 0)
        return do_import(&o);
    if (o.npos == 2 && strcmp(o.pos[0], "show") == 0)
        return do_one(&o, 0);
    if (o.npos == 2 && strcmp(o.pos[0], "renew") == 0)
        return do_one(&o, 1);
    fprintf(stderr, "ctoframe: ce: wrong arguments\n%s", USAGE);
    return CLI_USAGE;
}
