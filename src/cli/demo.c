/*
 * demo.c — `ctoframe demo [--remove] [--holders N]`: the demo program of
 * fictional people (issue 8 point 9; svc/demo.c, docs/registry.md).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "svc/svc.h"

static const char USAGE[] =
    "usage: ctoframe demo [--holders N] [--json] [--db PATH|URL]\n"
    "       ctoframe demo --remove [--json] [--db PATH|URL]\n\n"
    "Loads the demo program: a few hundred fictional people in organizations named\n"
    "\"Demo ...\" across many states, in every stage (applications, results, credentials\n"
    "in every status, CE activities). Every row is marked as demo data, and pages show a\n"
    "\"Demo data\" badge on demo credentials. A database without programs first gets the\n"
    "shipped frameworks and programs, as `serve` does.\n"
    "--holders N  instead loads N credential holders (for benchmarks), in one transaction.\n"
    "--remove     takes out exactly the demo rows and nothing else.\n"
    "It refuses a second load (exit 1): remove the demo first.\n";

/* A database without programs gets the shipped frameworks and programs first. */
static int load_shipped(struct store *s, struct cf_error *err)
{
    struct svc sv = {s, "cli", NULL, NULL, NULL, NULL};
    char dir[PATH_MAX];
    json_t *list = NULL;
    int loaded = 0, rc = svc_program_list(&sv, &list, err);

    if (rc != CF_OK || json_array_size(json_object_get(list, "programs")) > 0)
        goto out;
    json_decref(list);
    list = NULL;
    rc = svc_framework_list(&sv, &list, err);
    if (rc == CF_OK && json_array_size(json_object_get(list, "frameworks")) == 0 &&
        snprintf(dir, sizeof dir, "%s/data/frameworks", cli_home()) < (int)sizeof dir)
        rc = svc_framework_load_dir(&sv, dir, &loaded, err);
    if (rc == CF_OK && snprintf(dir, sizeof dir, "%s/data/programs", cli_home()) < (int)sizeof dir)
        rc = svc_program_load_dir(&sv, dir, &loaded, err);

out:
    json_decref(list);
    return rc;
}

int cli_demo(int argc, char **argv)
{
    struct cli_opts o;
    struct store *s = NULL;
    struct svc sv = {NULL, "cli", NULL, NULL, NULL, NULL};
    struct cf_error err;
    json_t *res = NULL;
    long holders = 0;
    int rc = cli_parse(argc, argv, 2, "db json remove holders", &o, USAGE);

    if (rc != CLI_OK || o.help)
        return rc;
    if (o.npos > 0 || (o.remove && o.holders != NULL)) {
        fputs(USAGE, stderr);
        return CLI_USAGE;
    }
    if (o.holders != NULL) {
        char *end;

        errno = 0;
        holders = strtol(o.holders, &end, 10);
        if (errno != 0 || *end != '\0' || holders < 1 || holders > INT_MAX) {
            fprintf(stderr, "ctoframe: --holders must be a number of holders, not \"%s\"\n%s",
                    o.holders, USAGE);
            return CLI_USAGE;
        }
    }
    rc = cli_open_store(&o, &s);
    if (rc != CLI_OK)
        return rc;
    sv.store = s;
    if (o.remove)
        rc = svc_demo_remove(&sv, &res, &err) == CF_OK ? CLI_OK : cli_fail(&err);
    else if (load_shipped(s, &err) != CF_OK)
        rc = cli_fail(&err);
    else
        rc = svc_demo_load(&sv, holders, &res, &err) == CF_OK ? CLI_OK : cli_fail(&err);
    if (rc == CLI_OK) {
        if (o.json) {
            char *text = json_dumps(res, JSON_COMPACT | JSON_SORT_KEYS);

            if (text != NULL)
                puts(text);
            free(text);
        } else if (o.remove) {
            fprintf(stderr, "ctoframe: removed the demo: %lld people, %lld credentials\n",
                    (long long)json_integer_value(json_object_get(res, "people")),
                    (long long)json_integer_value(json_object_get(res, "credentials")));
        } else {
            fprintf(stderr,
                    "ctoframe: loaded the demo: %lld people, %lld credentials "
                    "(remove it with `ctoframe demo --remove`)\n",
                    (long long)json_integer_value(json_object_get(res, "people")),
                    (long long)json_integer_value(json_object_get(res, "credentials")));
        }
    }
    json_decref(res);
    store_close(s);
    return rc;
}
