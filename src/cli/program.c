/*
 * program.c — `ctoframe program list|show|import|export`: certification
 * program rules (docs/programs.md).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/program.h"
#include "svc/svc.h"

static const char USAGE[] =
    "usage: ctoframe program list [--json] [--db PATH|URL]\n"
    "       ctoframe program show CODE [--version N] [--json] [--db PATH|URL]\n"
    "       ctoframe program import FILE.json [--note TEXT] [--db PATH|URL]\n"
    "       ctoframe program export CODE [--version N] [--db PATH|URL]\n\n"
    "list    every program with its current version.\n"
    "show    the rules of program CODE (the current version, or --version N) as people\n"
    "        read them; --json prints them with the version history as JSON.\n"
    "import  reads program rules (JSON, see docs/programs.md), checks them and saves them\n"
    "        as a new version of the program their \"code\" names (a new program starts at\n"
    "        version 1). Every problem is listed with its JSON path; if there is any,\n"
    "        nothing is written (exit 1). Rules identical to the current version write\n"
    "        nothing. FILE - reads standard input. --note says why (kept with the version).\n"
    "export  writes the rules of program CODE (current, or --version N) as JSON.\n";

/* --version N as a positive number into *v (0 when not given); CLI_USAGE when it is not one. */
static int version_opt(const struct cli_opts *o, int *v)
{
    char *end;
    long n;

    *v = 0;
    if (o->version == NULL)
        return CLI_OK;
    errno = 0;
    n = strtol(o->version, &end, 10);
    if (errno != 0 || *end != '\0' || n < 1 || n > INT_MAX) {
        fprintf(stderr, "ctoframe: --version must be a version number (1, 2, …), not \"%s\"\n%s",
                o->version, USAGE);
        return CLI_USAGE;
    }
    *v = (int)n;
    return CLI_OK;
}

static int do_import(const struct cli_opts *o)
{
    const char *file = o->pos[1];
    struct svc sv = {NULL, "cli", NULL, NULL, NULL, NULL};
    struct cf_error err;
    json_t *res = NULL, *problems = NULL, *w;
    char *data = NULL;
    size_t n = 0, i;
    int rc;

    rc = cli_read_input(file, PROGRAM_MAX_BYTES, &data, &n);
    if (rc != CLI_OK)
        return rc;
    rc = cli_open_store(o, &sv.store);
    if (rc != CLI_OK) {
        free(data);
        return rc;
    }
    cf_error_clear(&err);
    rc = svc_program_save(&sv, NULL, data, n, o->note, 0, &res, &problems, &err);
    free(data);
    if (rc == CF_EINVAL && json_array_size(problems) > 0) {
        json_t *pb;

        fprintf(stderr, "ctoframe: %s does not hold valid program rules; nothing was saved:\n",
                file);
        json_array_foreach(problems, i, pb)
        {
            fprintf(stderr, "  %s: %s\n", json_string_value(json_object_get(pb, "path")),
                    json_string_value(json_object_get(pb, "message")));
        }
        rc = CLI_FAIL;
    } else if (rc != CF_OK) {
        rc = cli_fail(&err);
    } else {
        json_array_foreach(json_object_get(res, "warnings"), i, w)
        {
            fprintf(stderr, "ctoframe: warning: %s: %s\n",
                    json_string_value(json_object_get(w, "path")),
                    json_string_value(json_object_get(w, "message")));
        }
        if (json_is_true(json_object_get(res, "unchanged")))
            fprintf(stderr,
                    "ctoframe: program %s: the rules are those of version %lld already; nothing "
                    "was saved\n",
                    json_string_value(json_object_get(res, "code")),
                    (long long)json_integer_value(json_object_get(res, "version")));
        else
            fprintf(stderr, "ctoframe: program %s (%s) saved as version %lld\n",
                    json_string_value(json_object_get(res, "code")),
                    json_string_value(json_object_get(res, "name")),
                    (long long)json_integer_value(json_object_get(res, "version")));
        printf("%s %lld\n", json_string_value(json_object_get(res, "code")),
               (long long)json_integer_value(json_object_get(res, "version")));
        rc = CLI_OK;
    }
    json_decref(res);
    json_decref(problems);
    store_close(sv.store);
    return rc;
}

/* Prints the rules of a program version as people read them. */
static void print_view(const json_t *v)
{
    const json_t *view = json_object_get(v, "view"), *x;
    const json_t *exam = json_object_get(view, "exam"), *ce = json_object_get(view, "ce");
    size_t i;

    printf("%s — %s, version %lld%s\n",
           json_string_value(json_object_get(json_object_get(v, "program"), "code")),
           json_string_value(json_object_get(json_object_get(v, "program"), "name")),
           (long long)json_integer_value(json_object_get(v, "version")),
           json_is_true(json_object_get(v, "is_current")) ? " (current)" : "");
    printf("saved %s by %s%s%s\n", json_string_value(json_object_get(v, "created_at")),
           json_string_value(json_object_get(v, "created_by_name")) != NULL
               ? json_string_value(json_object_get(v, "created_by_name"))
               : json_string_value(json_object_get(v, "created_by")),
           json_string_value(json_object_get(v, "note"))[0] != '\0' ? ": " : "",
           json_string_value(json_object_get(v, "note")));
    printf("framework: %s (%s)\n",
           json_string_value(json_object_get(json_object_get(view, "framework"), "title")),
           json_string_value(json_object_get(json_object_get(view, "framework"), "identifier")));
    printf("eligibility paths:\n");
    json_array_foreach(json_object_get(json_object_get(view, "eligibility"), "paths"), i, x)
    {
        printf("  %s: %s; %lld years%s%s; decided by %s\n",
               json_string_value(json_object_get(x, "label")),
               json_string_value(json_object_get(x, "degree")),
               (long long)json_integer_value(json_object_get(x, "years")),
               json_is_true(json_object_get(x, "waiver")) ? "; a waiver request" : "",
               json_is_true(json_object_get(x, "supervisor_recommendation"))
                   ? "; a supervisor recommendation"
                   : "",
               json_string_value(json_object_get(x, "decided_by")));
    }
    printf("authorization to test: %lld days\n",
           (long long)json_integer_value(json_object_get(view, "authorization_days")));
    printf("exam: scale %lld-%lld, pass at %lld; retake after %lld days, at most %lld sittings in "
           "%lld days\n",
           (long long)json_integer_value(json_object_get(exam, "scale_min")),
           (long long)json_integer_value(json_object_get(exam, "scale_max")),
           (long long)json_integer_value(json_object_get(exam, "cut")),
           (long long)json_integer_value(
               json_object_get(json_object_get(exam, "retake"), "wait_days")),
           (long long)json_integer_value(
               json_object_get(json_object_get(exam, "retake"), "max_attempts")),
           (long long)json_integer_value(
               json_object_get(json_object_get(exam, "retake"), "period_days")));
    printf("term: %lld years; grace period %lld days\n",
           (long long)json_integer_value(json_object_get(view, "term_years")),
           (long long)json_integer_value(json_object_get(json_object_get(view, "grace"), "days")));
    printf("continuing education: %lld points per term, each activity mapped to at least %lld "
           "skill area(s)\n",
           (long long)json_integer_value(json_object_get(ce, "points_required")),
           (long long)json_integer_value(json_object_get(ce, "skill_areas_per_activity")));
    json_array_foreach(json_object_get(ce, "categories"), i, x)
    {
        printf("  %-14s %s; %s — %s\n", json_string_value(json_object_get(x, "code")),
               json_string_value(json_object_get(x, "value")),
               json_string_value(json_object_get(x, "cap")),
               json_string_value(json_object_get(x, "label")));
    }
    printf("audit: %lld%% of renewals; a failed audit %s renewal\n",
           (long long)json_integer_value(
               json_object_get(json_object_get(view, "audit"), "sample_percent")),
           json_is_true(json_object_get(json_object_get(view, "audit"), "blocks_renewal"))
               ? "blocks"
               : "does not block");
    printf("reminders: %s\n",
           json_string_value(json_object_get(json_object_get(view, "reminders"), "text")));
    printf("credential number: %s\n",
           json_string_value(json_object_get(json_object_get(view, "number"), "example")));
    if (json_array_size(json_object_get(view, "assumed")) > 0) {
        printf("assumed defaults (not known facts):\n");
        json_array_foreach(json_object_get(view, "assumed"), i, x)
        {
            printf("  %s = %s\n", json_string_value(json_object_get(x, "path")),
                   json_string_value(json_object_get(x, "value")));
        }
    }
}

/* show and export: one version of one program. */
static int do_get(const struct cli_opts *o, int export)
{
    struct svc sv = {NULL, "cli", NULL, NULL, NULL, NULL};
    struct cf_error err;
    json_t *v = NULL;
    int version, rc = version_opt(o, &version);

    if (rc != CLI_OK)
        return rc;
    rc = cli_open_store(o, &sv.store);
    if (rc != CLI_OK)
        return rc;
    cf_error_clear(&err);
    rc = svc_program_get(&sv, o->pos[1], version, &v, &err);
    store_close(sv.store);
    if (rc != CF_OK)
        return cli_fail(&err);
    if (export) {
        fputs(json_string_value(json_object_get(v, "text")), stdout);
        fputc('\n', stdout);
    } else if (o->json) {
        json_object_del(v, "text");
        json_dumpf(v, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
    } else {
        print_view(v);
    }
    json_decref(v);
    return CLI_OK;
}

static int do_list(const struct cli_opts *o)
{
    struct svc sv = {NULL, "cli", NULL, NULL, NULL, NULL};
    struct cf_error err;
    json_t *v = NULL, *p;
    size_t i;
    int rc = cli_open_store(o, &sv.store);

    if (rc != CLI_OK)
        return rc;
    cf_error_clear(&err);
    rc = svc_program_list(&sv, &v, &err);
    store_close(sv.store);
    if (rc != CF_OK)
        return cli_fail(&err);
    if (o->json) {
        json_dumpf(json_object_get(v, "programs"), stdout, JSON_INDENT(2));
        fputc('\n', stdout);
    } else {
        json_array_foreach(json_object_get(v, "programs"), i, p)
        {
            printf("%-10s v%-4lld %s  (saved %s)\n", json_string_value(json_object_get(p, "code")),
                   (long long)json_integer_value(json_object_get(p, "version")),
                   json_string_value(json_object_get(p, "name")),
                   json_string_value(json_object_get(p, "updated_at")));
        }
    }
    json_decref(v);
    return CLI_OK;
}

int cli_program(int argc, char **argv)
{
    struct cli_opts o;
    int rc = cli_parse(argc, argv, 2, "db json version note", &o, USAGE);

    if (rc != CLI_OK || o.help)
        return rc;
    if (o.npos == 0) {
        fputs(USAGE, stderr);
        return CLI_USAGE;
    }
    if (o.note != NULL && strcmp(o.pos[0], "import") != 0) {
        fprintf(stderr, "ctoframe: --note belongs to program import only\n%s", USAGE);
        return CLI_USAGE;
    }
    if (o.version != NULL && strcmp(o.pos[0], "show") != 0 && strcmp(o.pos[0], "export") != 0) {
        fprintf(stderr, "ctoframe: --version belongs to program show and export only\n%s", USAGE);
        return CLI_USAGE;
    }
    if (strcmp(o.pos[0], "list") == 0 && o.npos == 1)
        return do_list(&o);
    if (strcmp(o.pos[0], "show") == 0 && o.npos == 2)
        return do_get(&o, 0);
    if (strcmp(o.pos[0], "export") == 0 && o.npos == 2 && !o.json)
        return do_get(&o, 1);
    if (strcmp(o.pos[0], "import") == 0 && o.npos == 2 && !o.json)
        return do_import(&o);
    fprintf(stderr, "ctoframe: program %s: wrong arguments\n%s", o.pos[0], USAGE);
    return CLI_USAGE;
}
