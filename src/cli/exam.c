/*
 * exam.c — `ctoframe exam SUBCOMMAND`: the psychometrics of exam response files (issue 10).
 * `exam analyze` is here (core/responses.c reads, core/itemstats.c computes, docs/exam.md
 * explains); each subcommand is one line of the table below.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/exam_angoff.h"
#include "core/itemstats.h"
#include "core/responses.h"

static const char USAGE_ANALYZE[] =
    "usage: ctoframe exam analyze RESPONSES.csv\n\n"
    "Prints, as JSON, the classical item analysis of a scored response file. The first line\n"
    "names the columns: the person's id, then one column per item headed by the item's id.\n"
    "Each further line is one person: the id, then per item 1 (right), 0 (wrong) or an\n"
    "empty cell (not presented).\n\n"
    "Printed: persons, persons_complete (presented every item), item_count, alpha, kr20,\n"
    "sem, mean_total, sd_total, and per item (items): id, presented, p, r_pb (item-total),\n"
    "r_pb_rest (item-rest), alpha_if_deleted and flags. p counts every person presented the\n"
    "item; the rest is over the complete persons. A value that cannot be computed is null,\n"
    "and null_because says why. docs/exam.md has the formulas. FILE - reads standard input.\n"
    "A file with problems prints each as FILE:LINE:COLUMN: sentence.\n"
    "Exit 0 when computed, 1 when the file is refused, 2 on a usage error.\n";

static int exam_analyze(int argc, char **argv);

/* exam_rasch.c's commands take argv[0] as the subcommand; the table passes the whole line. */
static int exam_calibrate(int argc, char **argv)
{
    return cli_exam_calibrate(argc - 2, argv + 2);
}

static int exam_simulate(int argc, char **argv)
{
    return cli_exam_simulate(argc - 2, argv + 2);
}

/* issue 10 point 7 (src/cli/exam_angoff.c): standard setting */
static int exam_angoff(int argc, char **argv)
{
    return cli_exam_angoff(argc - 2, argv + 2);
}

static int exam_hofstee(int argc, char **argv)
{
    return cli_exam_hofstee(argc - 2, argv + 2);
}

static int exam_beuk(int argc, char **argv)
{
    return cli_exam_beuk(argc - 2, argv + 2);
}

/* issue 10 point 6 after the calibration (src/cli/exam_link.c) */
static int exam_equate(int argc, char **argv)
{
    return cli_exam_equate(argc - 2, argv + 2);
}

static int exam_scale(int argc, char **argv)
{
    return cli_exam_scale(argc - 2, argv + 2);
}

static int exam_dif(int argc, char **argv)
{
    return cli_exam_dif(argc - 2, argv + 2);
}

/* The subcommands. */
static const struct exam_sub {
    const char *name;
    int (*run)(int argc, char **argv); /* argv[1] is "exam", argv[2] the subcommand */
    const char *summary;
} subs[] = {
    {"analyze", exam_analyze, "classical item analysis: p, point-biserials, alpha, KR-20, SEM"},
    /* issue 10 points 6 and 8 (src/cli/exam_rasch.c) */
    {"calibrate", exam_calibrate, "Rasch difficulties by conditional ML, SEs, infit, outfit"},
    {"simulate", exam_simulate, "a response file from known item and person parameters"},
    /* issue 10 point 7 (src/cli/exam_angoff.c) */
    {"angoff", exam_angoff, "a modified Angoff study: cuts per round, their SE, impact data"},
    {"hofstee", exam_hofstee, "the Hofstee compromise cut on a response file"},
    {"beuk", exam_beuk, "the Beuk compromise cut on a response file"},
    /* issue 10 point 6 after the calibration (src/cli/exam_link.c) */
    {"equate", exam_equate, "a new form's difficulties onto the base scale through anchors"},
    {"scale", exam_scale, "the raw -> ability -> scaled score table (0-800, cut at 600)"},
    {"dif", exam_dif, "Mantel-Haenszel DIF between two groups, ETS A/B/C classes"},
};

/* The list of subcommands, to f. */
static void usage_exam(FILE *f)
{
    fputs("usage: ctoframe exam SUBCOMMAND FILE\n\n"
          "The psychometrics of exam response files.\n",
          f);
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        fprintf(f, "  %-11s %s\n", subs[i].name, subs[i].summary);
    fputs("`ctoframe exam SUBCOMMAND --help` for details.\n", f);
}

static int exam_analyze(int argc, char **argv)
{
    struct cli_opts o;
    struct responses r;
    struct itemstats s;
    json_t *problems = NULL, *view = NULL;
    char *data = NULL, *text = NULL;
    size_t n = 0;
    int rc;

    memset(&r, 0, sizeof r);
    memset(&s, 0, sizeof s);
    rc = cli_parse(argc, argv, 2, "", &o, USAGE_ANALYZE);
    if (rc != CLI_OK || o.help)
        return rc;
    if (o.npos != 2) {
        fprintf(stderr, "ctoframe: The command exam analyze takes one FILE.\n%s", USAGE_ANALYZE);
        return CLI_USAGE;
    }

    rc = cli_read_input(o.pos[1], RESP_MAX_BYTES, &data, &n);
    if (rc != CLI_OK)
        return rc;
    if (responses_parse(data, n, &r, &problems) != 0) {
        if (problems == NULL)
            fprintf(stderr, "ctoframe: Out of memory. Try again in a moment.\n");
        else
            cli_print_problems(o.pos[1], problems);
        rc = CLI_FAIL;
        goto out;
    }
    if (itemstats_compute(&r, &s) != CF_OK || (view = itemstats_view(&r, &s)) == NULL ||
        (text = json_dumps(view, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))) ==
            NULL) {
        fprintf(stderr, "ctoframe: Out of memory. Try again in a moment.\n");
        rc = CLI_FAIL;
        goto out;
    }
    printf("%s\n", text);
    rc = CLI_OK;

out:
    free(data);
    free(text);
    json_decref(view);
    json_decref(problems);
    itemstats_free(&s);
    responses_free(&r);
    return rc;
}

int cli_exam(int argc, char **argv)
{
    if (argc >= 3 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0)) {
        usage_exam(stdout);
        return CLI_OK;
    }
    for (size_t i = 0; argc >= 3 && i < sizeof subs / sizeof subs[0]; i++)
        if (strcmp(argv[2], subs[i].name) == 0)
            return subs[i].run(argc, argv);
    if (argc >= 3)
        fprintf(stderr, "ctoframe: The command exam has no subcommand \"%s\".\n", argv[2]);
    usage_exam(stderr);
    return CLI_USAGE;
}
