/*
 * stats.c — `ctoframe stats agreement FILE.csv [--levels K]`: how far raters agree on a
 * file of ratings (issue 9; core/agreement.c computes, docs/stats.md explains).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/agreement.h"

static const char USAGE[] =
    "usage: ctoframe stats agreement FILE.csv [--levels K]\n\n"
    "Prints, as JSON, how far the raters of FILE agree. The first line names the columns:\n"
    "the subject's id, then one column per rater. Each further line is one subject: its id,\n"
    "then each rater's level (a whole number 1..K; an empty cell is no rating).\n"
    "--levels K gives the rubric's number of levels (at least 2; default: the largest level\n"
    "in the file); weighted kappa spreads its weights over all K levels.\n\n"
    "Printed: subjects, raters, the six intraclass correlations of Shrout & Fleiss (1979)\n"
    "over the subjects every rater rated (icc: ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k) and,\n"
    "for two raters, Cohen's kappa unweighted and weighted (kappa: unweighted, linear,\n"
    "quadratic) over the subjects both rated; a value that cannot be computed is null.\n"
    "\"details\" holds the arithmetic. FILE - reads standard input.\n"
    "A file with problems prints each as FILE:LINE:COLUMN: sentence.\n"
    "Exit 0 when computed, 1 when the file is refused, 2 on a usage error.\n";

static const char USAGE_STATS[] = "usage: ctoframe stats agreement FILE.csv [--levels K]\n\n"
                                  "Statistics of ratings files.\n"
                                  "  agreement   how far raters agree (kappa and ICC)\n"
                                  "`ctoframe stats agreement --help` for details.\n";

/* --levels as a number 2..AGREEMENT_LEVELS_MAX into *k (0 when not given); CLI_USAGE if not. */
static int levels_opt(const char *s, int *k)
{
    char *end = NULL;
    long v;

    *k = 0;
    if (s == NULL)
        return CLI_OK;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < 2 || v > AGREEMENT_LEVELS_MAX) {
        fprintf(stderr,
                "ctoframe: The option --levels takes a whole number from 2 to %d, not \"%s\".\n",
                AGREEMENT_LEVELS_MAX, s);
        return CLI_USAGE;
    }
    *k = (int)v;
    return CLI_OK;
}

static int do_agreement(const struct cli_opts *o, int levels)
{
    const char *file = o->pos[1];
    json_t *res = NULL, *problems = NULL;
    char *data = NULL, *text = NULL;
    size_t n = 0;
    int rc;

    rc = cli_read_input(file, AGREEMENT_MAX_BYTES, &data, &n);
    if (rc != CLI_OK)
        return rc;
    rc = agreement_report(data, n, levels, &res, &problems);
    free(data);
    if (rc == CF_ENOMEM) {
        fprintf(stderr, "ctoframe: Out of memory. Try again in a moment.\n");
        rc = CLI_FAIL;
        goto out;
    }
    if (rc != CF_OK) {
        cli_print_problems(file, problems);
        rc = CLI_FAIL;
        goto out;
    }
    text = json_dumps(res, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
    if (text == NULL) {
        fprintf(stderr, "ctoframe: Out of memory. Try again in a moment.\n");
        rc = CLI_FAIL;
        goto out;
    }
    printf("%s\n", text);
    rc = CLI_OK;

out:
    free(text);
    json_decref(res);
    json_decref(problems);
    return rc;
}

int cli_stats(int argc, char **argv)
{
    struct cli_opts o;
    int levels = 0;
    int rc;

    if (argc < 3 || strcmp(argv[2], "agreement") != 0) {
        if (argc >= 3 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0)) {
            fputs(USAGE_STATS, stdout);
            return CLI_OK;
        }
        fputs(USAGE_STATS, stderr);
        return CLI_USAGE;
    }
    rc = cli_parse(argc, argv, 2, "levels", &o, USAGE);
    if (rc != CLI_OK || o.help)
        return rc;
    if (o.npos != 2) {
        fprintf(stderr, "ctoframe: The command stats agreement takes one FILE.\n%s", USAGE);
        return CLI_USAGE;
    }
    rc = levels_opt(o.levels, &levels);
    if (rc != CLI_OK)
        return rc;
    return do_agreement(&o, levels);
}
