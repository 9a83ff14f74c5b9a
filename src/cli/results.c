/*
 * results.c — `ctoframe results import FILE.csv`: the testing vendor's exam
 * results, all or nothing (svc/results.c; docs/guide.md "Exam results").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "svc/svc.h"

static const char USAGE[] =
    "usage: ctoframe results import FILE.csv [--json] [--db PATH|URL]\n\n"
    "Imports the testing vendor's exam results. The first line names the columns:\n"
    "eligibility_id, form, taken_on (YYYY-MM-DD), scaled_score, then one column per score\n"
    "category of the program, named by its code (I, II, III for CETL). Each row is checked:\n"
    "a known eligibility id with an open authorization to test, taken_on within its window,\n"
    "each sitting once, scores within the scale, the retake wait after a fail and the\n"
    "number of attempts. If any row has a problem, every problem is printed as\n"
    "FILE:LINE:COLUMN: sentence and nothing is written (exit 1). Otherwise every result is\n"
    "written, a pass at the program's cut issues a credential, and the counts are printed.\n"
    "FILE - reads standard input. --json prints the summary as JSON.\n"
    "Exit 0 when imported, 1 when the file is refused, 2 on a usage error.\n";

static int do_import(const struct cli_opts *o)
{
    const char *file = o->pos[1];
    struct svc sv = {NULL, "cli", NULL, NULL, NULL, NULL};
    struct cf_error err;
    json_t *res = NULL, *problems = NULL, *pb;
    char *data = NULL;
    size_t n = 0, i;
    int rc;

    rc = cli_read_input(file, RESULTS_MAX_BYTES, &data, &n);
    if (rc != CLI_OK)
        return rc;
    if (n > RESULTS_MAX_BYTES) {
        fprintf(stderr, "%s:1:1: The file is larger than %u MB. Split it into smaller files.\n",
                file, RESULTS_MAX_BYTES / (1024u * 1024u));
        free(data);
        return CLI_FAIL;
    }
    rc = cli_open_store(o, &sv.store);
    if (rc != CLI_OK) {
        free(data);
        return rc;
    }
    cf_error_clear(&err);
    rc = svc_results_import(&sv, data, n, &res, &problems, &err);
    free(data);
    if (rc == CF_EINVAL && json_array_size(problems) > 0) {
        json_array_foreach(problems, i, pb)
        {
            fprintf(stderr, "%s:%lld:%lld: %s\n", file,
                    (long long)json_integer_value(json_object_get(pb, "line")),
                    (long long)json_integer_value(json_object_get(pb, "column")),
                    json_string_value(json_object_get(pb, "message")));
        }
        fprintf(stderr, "ctoframe: %s\n", err.message);
        rc = CLI_FAIL;
    } else if (rc != CF_OK) {
        rc = cli_fail(&err);
    } else {
        if (o->json) {
            char *text = json_dumps(res, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

            if (text != NULL)
                printf("%s\n", text);
            free(text);
        } else {
            printf("results %lld: passed %lld, failed %lld, credentials issued %lld\n",
                   (long long)json_integer_value(json_object_get(res, "results")),
                   (long long)json_integer_value(json_object_get(res, "passed")),
                   (long long)json_integer_value(json_object_get(res, "failed")),
                   (long long)json_integer_value(json_object_get(res, "credentials_issued")));
        }
        rc = CLI_OK;
    }
    json_decref(res);
    json_decref(problems);
    store_close(sv.store);
    return rc;
}

int cli_results(int argc, char **argv)
{
    struct cli_opts o;
    int rc = cli_parse(argc, argv, 2, "db json", &o, USAGE);

    if (rc != CLI_OK || o.help)
        return rc;
    if (o.npos != 2 || strcmp(o.pos[0], "import") != 0) {
        fputs(USAGE, stderr);
        return CLI_USAGE;
    }
    return do_import(&o);
}
