/*
 * exam_angoff.c — standard setting (issue 10 point 7): `ctoframe exam angoff` (a modified
 * Angoff study, with impact data from a response file), `exam hofstee` and `exam beuk`
 * (the compromise checks on a response file). core/angoff.c computes; docs/standard-setting.md
 * explains.
 *
 * The options are read here rather than by cli_parse(): they are numbers these commands
 * alone take, each checked with its own message.
 */
#include "cli/exam_angoff.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/angoff.h"
#include "core/responses.h"
#include "lib/csv.h"

#define OPT_NAME_MAX 32 /* an option's name as read */

/* angoff_hofstee() holds a curve of items + 1 values on the stack */
_Static_assert(RESP_MAX_ITEMS <= ANGOFF_ITEMS_MAX, "a response file has more items than angoff");

static const char USAGE_ANGOFF[] =
    "usage: ctoframe exam angoff RATINGS.csv [--responses RESPONSES.csv] [--round N]\n\n"
    "Prints, as JSON, a modified Angoff study. RATINGS has the header\n"
    "`round,panelist,ITEM,...` and one row per panelist per round: the round (1 to 100),\n"
    "the panelist's id, and per item the probability from 0 to 1 that a minimally\n"
    "qualified candidate answers it right (0.65, not 65: values above 1 are refused).\n"
    "Per round: each panelist's cut (the sum of their ratings, in raw points), the panel's\n"
    "cut (their mean), its sd and se (sd / sqrt(panelists)), each item's mean and sd, and\n"
    "the items the panel disagrees on most. The final round is the last one, or N.\n"
    "  --responses FILE  impact data: the pass rate at every raw cut on this scored\n"
    "                    response file (the items of RATINGS), and at the final cut\n"
    "                    rounded up to a whole raw score\n"
    "  --round N         report round N only and take its cut as the final one\n"
    "A file with problems prints each as FILE:LINE:COLUMN: sentence.\n"
    "Exit 0 when computed, 1 when a file is refused, 2 on a usage error.\n";

static const char USAGE_HOFSTEE[] =
    "usage: ctoframe exam hofstee --responses RESPONSES.csv --kmin PCT --kmax PCT\n"
    "                             --fmin PCT --fmax PCT\n\n"
    "The Hofstee compromise, as JSON: the panel's lowest and highest acceptable cut\n"
    "(--kmin, --kmax, percent correct) and lowest and highest acceptable fail rate\n"
    "(--fmin, --fmax, percent of candidates), all from 0 to 100, kmin below kmax and fmin\n"
    "below fmax. The cut is where the line from (kmin, fmax) to (kmax, fmin) meets the\n"
    "fail-rate curve observed on RESPONSES; when they do not meet within the bounds there\n"
    "is no cut (crosses false, and why).\n"
    "Exit 0 when computed, 1 when the file is refused, 2 on a usage error.\n";

static const char USAGE_BEUK[] =
    "usage: ctoframe exam beuk --responses RESPONSES.csv --cut PCT --cut-sd SD\n"
    "                          --pass PCT --pass-sd SD\n\n"
    "The Beuk compromise, as JSON: the panel's mean cut (--cut, percent correct) and mean\n"
    "acceptable pass rate (--pass, percent of candidates), both 0 to 100, with their\n"
    "standard deviations across panelists (--cut-sd, --pass-sd, 0 or more). The cut is\n"
    "where the line through (cut, pass) with slope -(pass-sd / cut-sd) meets the pass-rate\n"
    "curve observed on RESPONSES (the meeting nearest the panel's cut when there are\n"
    "several); with --cut-sd 0 the cut is the panel's.\n"
    "Exit 0 when computed, 1 when the file is refused, 2 on a usage error.\n";

/* One option a command takes: its name and, once read, its value. */
struct opt {
    const char *name;
    const char *val;
};

/*
 * Reads argv[1..] into opts (n of them): --name VALUE or --name=VALUE, each at most once;
 * the one positional argument, when pos is not NULL, into *pos. Returns CLI_OK, CLI_USAGE
 * after printing why, or -1 after printing the usage for --help.
 */
static int read_opts(int argc, char **argv, struct opt *opts, int n, const char **pos,
                     const char *usage)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *eq, *val = NULL;
        char name[OPT_NAME_MAX];
        size_t len;
        int k;

        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return -1;
        }
        if (strncmp(a, "--", 2) != 0) {
            if (pos == NULL || *pos != NULL) {
                fprintf(stderr, "ctoframe: exam %s takes no argument \"%s\".\n%s", argv[0], a,
                        usage);
                return CLI_USAGE;
            }
            *pos = a;
            continue;
        }
        eq = strchr(a, '=');
        len = eq != NULL ? (size_t)(eq - a - 2) : strlen(a + 2);
        if (len >= sizeof name)
            len = sizeof name - 1;
        memcpy(name, a + 2, len);
        name[len] = '\0';
        for (k = 0; k < n && strcmp(opts[k].name, name) != 0; k++)
            ;
        if (k == n) {
            fprintf(stderr, "ctoframe: unknown option --%s\n%s", name, usage);
            return CLI_USAGE;
        }
        if (opts[k].val != NULL) {
            fprintf(stderr, "ctoframe: The option --%s is given twice.\n", name);
            return CLI_USAGE;
        }
        if (eq != NULL)
            val = eq + 1;
        else if (i + 1 < argc)
            val = argv[++i];
        if (val == NULL || val[0] == '\0') {
            fprintf(stderr, "ctoframe: The option --%s needs a value.\n", name);
            return CLI_USAGE;
        }
        opts[k].val = val;
    }
    return CLI_OK;
}

/* The value of option name s as a number lo..hi into *v; prints why and returns CLI_USAGE. */
static int number_opt(const struct opt *o, double lo, double hi, double *v)
{
    char *end = NULL;

    errno = 0;
    *v = strtod(o->val, &end);
    if (errno != 0 || end == o->val || *end != '\0' || !isfinite(*v) || *v < lo || *v > hi) {
        fprintf(stderr, "ctoframe: The option --%s takes a number from %g to %g, not \"%s\".\n",
                o->name, lo, hi, o->val);
        return CLI_USAGE;
    }
    return CLI_OK;
}

/*
 * The character column of each item's header cell in the response file data (n bytes), into
 * col (items values): read from the header line alone. When that line cannot be read on its
 * own (a quoted id holding a line break), each is 1, the start of the header line: a field's
 * number is never passed off as a column.
 */
static void header_columns(const char *data, size_t n, int items, long *col)
{
    size_t len = 0;
    json_t *parsed = NULL, *problems = NULL, *header;

    while (len < n && data[len] != '\n' && data[len] != '\r')
        len++;
    for (int j = 0; j < items; j++)
        col[j] = 1;
    if (csv_parse(data, len, NULL, &parsed, &problems) == CF_OK &&
        json_array_size(header = json_object_get(parsed, "header")) == (size_t)items + 1)
        for (int j = 0; j < items; j++)
            col[j] = csv_column_of(header, (size_t)j + 1);
    json_decref(parsed);
    json_decref(problems);
}

/*
 * Reads the response file at path into r and the pass rates at each raw cut into *pass
 * (r->items + 1 values, malloc'd): a person's raw score is the count of items right, an item
 * not presented counting as not right. col, when not NULL, gets the character column of each
 * item's header cell (malloc'd). Prints why and returns CLI_FAIL when refused.
 */
static int read_impact(const char *path, struct responses *r, double **pass, long **col)
{
    json_t *problems = NULL;
    char *data = NULL;
    int *total = NULL, rc = CLI_FAIL;
    size_t n = 0;

    memset(r, 0, sizeof *r);
    *pass = NULL;
    if (col != NULL)
        *col = NULL;
    if (cli_read_input(path, RESP_MAX_BYTES, &data, &n) != CLI_OK)
        return CLI_FAIL;
    if (responses_parse(data, n, r, &problems) != 0) {
        if (problems == NULL)
            fprintf(stderr, "ctoframe: Out of memory. Try again in a moment.\n");
        else
            cli_print_problems(path, problems);
        goto out;
    }
    total = calloc((size_t)r->persons, sizeof *total);
    *pass = malloc(((size_t)r->items + 1) * sizeof **pass);
    if (col != NULL) {
        *col = malloc(((size_t)r->items + 1) * sizeof **col);
        if (*col != NULL)
            header_columns(data, n, r->items, *col);
    }
    if (total == NULL || *pass == NULL || (col != NULL && *col == NULL)) {
        fprintf(stderr, "ctoframe: Out of memory. Try again in a moment.\n");
        goto out;
    }
    for (int p = 0; p < r->persons; p++)
        for (int i = 0; i < r->items; i++)
            total[p] += r->x[(size_t)p * (size_t)r->items + (size_t)i] == 1;
    angoff_pass_rates(total, r->persons, r->items, *pass);
    rc = CLI_OK;

out:
    if (rc != CLI_OK) {
        responses_free(r);
        free(*pass);
        *pass = NULL;
        if (col != NULL) {
            free(*col);
            *col = NULL;
        }
    }
    free(total);
    free(data);
    json_decref(problems);
    return rc;
}

/* Prints v as indented JSON; returns CLI_OK, or CLI_FAIL after saying memory ran out. */
static int print_json(json_t *v)
{
    char *text = v != NULL
                     ? json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12))
                     : NULL;

    if (text == NULL) {
        fprintf(stderr, "ctoframe: Out of memory. Try again in a moment.\n");
        return CLI_FAIL;
    }
    printf("%s\n", text);
    free(text);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "ctoframe: Cannot write the result: %s.\n", strerror(errno));
        return CLI_FAIL;
    }
    return CLI_OK;
}

/* --- exam angoff --------------------------------------------------------------------------- */

/*
 * Checks that the ratings rate the items of the response file, each once: every rated item
 * is in r and every item of r is rated. Prints each mismatch at its header cell; returns
 * the count.
 */
static int same_items(const char *rfile, const struct angoff_ratings *a, const char *pfile,
                      const struct responses *r, const long *pcol)
{
    int bad = 0;

    for (int i = 0; i < a->items; i++) {
        int j;

        for (j = 0; j < r->items && strcmp(a->item_id[i], r->item_id[j]) != 0; j++)
            ;
        if (j == r->items) {
            fprintf(stderr, "%s:1:%ld: The item \"%s\" is not in %s.\n", rfile, a->item_col[i],
                    a->item_id[i], pfile);
            bad++;
        }
    }
    for (int j = 0; j < r->items; j++) {
        int i;

        for (i = 0; i < a->items && strcmp(a->item_id[i], r->item_id[j]) != 0; i++)
            ;
        if (i == a->items) {
            fprintf(stderr, "%s:1:%ld: The item \"%s\" has no rating in %s.\n", pfile, pcol[j],
                    r->item_id[j], rfile);
            bad++;
        }
    }
    if (bad > 0)
        fprintf(stderr,
                "ctoframe: Impact data needs the ratings and the responses on the same items "
                "(columns named by line 1 and column above).\n");
    return bad;
}

/* {persons, by_raw_cut: [{raw_cut, pass_rate}], final_raw_cut, pass_rate} for cut. */
static json_t *impact_view(const struct responses *r, const double *pass, double cut)
{
    json_t *v, *by = json_array();
    int raw = angoff_raw_cut(cut);

    if (by == NULL)
        return NULL;
    for (int c = 0; c <= r->items; c++)
        if (json_array_append_new(
                by, json_pack("{s:i, s:f}", "raw_cut", c, "pass_rate", pass[c])) != 0) {
            json_decref(by);
            return NULL;
        }
    if (raw > r->items)
        raw = r->items;
    v = json_pack("{s:i, s:o, s:f, s:i, s:f}", "persons", r->persons, "by_raw_cut", by, "final_cut",
                  cut, "final_raw_cut", raw, "pass_rate", pass[raw]);
    return v;
}

int cli_exam_angoff(int argc, char **argv)
{
    struct opt opts[] = {{"responses", NULL}, {"round", NULL}};
    const char *file = NULL;
    struct angoff_ratings a;
    struct angoff_study s;
    struct responses r;
    json_t *problems = NULL, *view = NULL, *rounds, *fin;
    double *pass = NULL;
    long *pcol = NULL;
    char *data = NULL;
    size_t n = 0;
    int rc, last, want = 0;

    memset(&a, 0, sizeof a);
    memset(&s, 0, sizeof s);
    memset(&r, 0, sizeof r);
    rc = read_opts(argc, argv, opts, 2, &file, USAGE_ANGOFF);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    if (file == NULL) {
        fprintf(stderr, "ctoframe: exam angoff takes one RATINGS file.\n%s", USAGE_ANGOFF);
        return CLI_USAGE;
    }
    if (opts[1].val != NULL) {
        char *end = NULL;
        long n_round;

        errno = 0;
        n_round = strtol(opts[1].val, &end, 10);
        if (errno != 0 || *end != '\0' || opts[1].val[0] < '0' || opts[1].val[0] > '9' ||
            n_round < 1 || n_round > ANGOFF_ROUNDS_MAX) {
            fprintf(stderr,
                    "ctoframe: The option --round takes a whole number from 1 to %d, not \"%s\".\n",
                    ANGOFF_ROUNDS_MAX, opts[1].val);
            return CLI_USAGE;
        }
        want = (int)n_round;
    }

    rc = cli_read_input(file, ANGOFF_MAX_BYTES, &data, &n);
    if (rc != CLI_OK)
        return rc;
    rc = CLI_FAIL;
    if (angoff_parse(data, n, &a, &problems) != 0) {
        if (problems == NULL)
            fprintf(stderr, "ctoframe: Out of memory. Try again in a moment.\n");
        else
            cli_print_problems(file, problems);
        goto out;
    }
    if (angoff_study(&a, &s) != CF_OK || (view = angoff_study_view(&a, &s)) == NULL) {
        fprintf(stderr, "ctoframe: Out of memory. Try again in a moment.\n");
        goto out;
    }

    /* the final round: the last, or the one asked for (the others then left out) */
    rounds = json_object_get(view, "rounds");
    last = s.rounds - 1;
    if (opts[1].val != NULL) {
        for (last = s.rounds - 1; last >= 0 && s.round[last].round != want; last--)
            ;
        if (last < 0) {
            fprintf(stderr, "%s: The file has no round %d.\n", file, want);
            goto out;
        }
        fin = json_incref(json_array_get(rounds, (size_t)last));
        json_array_clear(rounds);
        if (json_array_append_new(rounds, fin) != 0)
            goto nomem;
    }
    if (json_object_set_new(view, "final_round", json_integer(s.round[last].round)) != 0 ||
        json_object_set_new(view, "final_cut", json_real(s.round[last].cut)) != 0 ||
        json_object_set_new(view, "final_raw_cut",
                            json_integer(angoff_raw_cut(s.round[last].cut))) != 0)
        goto nomem;

    if (opts[0].val != NULL) {
        if (read_impact(opts[0].val, &r, &pass, &pcol) != CLI_OK ||
            same_items(file, &a, opts[0].val, &r, pcol) != 0)
            goto out;
        if (json_object_set_new(view, "impact", impact_view(&r, pass, s.round[last].cut)) != 0)
            goto nomem;
    }
    rc = print_json(view);
    goto out;

nomem:
    fprintf(stderr, "ctoframe: Out of memory. Try again in a moment.\n");
    rc = CLI_FAIL;
out:
    free(data);
    free(pass);
    free(pcol);
    json_decref(view);
    json_decref(problems);
    angoff_study_free(&s);
    angoff_ratings_free(&a);
    responses_free(&r);
    return rc;
}

/* --- exam hofstee and exam beuk ------------------------------------------------------------ */

/* The result of a compromise as JSON, its inputs (in) added to it. */
static json_t *compromise_view(json_t *in, const struct responses *r,
                               const struct angoff_compromise *c, int beuk)
{
    int k = r->items;

    if (in == NULL)
        return NULL;
    if (json_object_set_new(in, "items", json_integer(k)) != 0 ||
        json_object_set_new(in, "persons", json_integer(r->persons)) != 0 ||
        json_object_set_new(in, "crosses", json_boolean(c->why == ANGOFF_CROSSES)) != 0)
        goto nomem;
    if (c->why != ANGOFF_CROSSES) {
        if (json_object_set_new(in, "why", json_string(angoff_cross_text(c->why))) != 0 ||
            json_object_set_new(in, "raw_cut", json_null()) != 0)
            goto nomem;
        return in;
    }
    if (json_object_set_new(in, "cut_points", json_real(c->x)) != 0 ||
        json_object_set_new(in, "cut_percent", json_real(100.0 * c->x / k)) != 0 ||
        json_object_set_new(in, beuk ? "pass_percent_there" : "fail_percent_there",
                            json_real(100.0 * c->rate)) != 0 ||
        json_object_set_new(in, "raw_cut", json_integer(c->raw_cut)) != 0 ||
        json_object_set_new(in, "pass_percent_at_raw_cut", json_real(100.0 * c->raw_pass)) != 0)
        goto nomem;
    return in;

nomem:
    json_decref(in);
    return NULL;
}

/* What exam hofstee and exam beuk share: the options, then the response file. */
static int compromise_args(int argc, char **argv, struct opt *opts, int n, double *v,
                           const char *usage)
{
    int rc = read_opts(argc, argv, opts, n, NULL, usage);

    if (rc != CLI_OK)
        return rc;
    for (int i = 0; i < n; i++)
        if (opts[i].val == NULL) {
            fprintf(stderr, "ctoframe: exam %s needs --%s.\n%s", argv[0], opts[i].name, usage);
            return CLI_USAGE;
        }
    for (int i = 1; i < n; i++)
        if (number_opt(&opts[i], 0.0, 100.0, &v[i]) != CLI_OK)
            return CLI_USAGE;
    return CLI_OK;
}

int cli_exam_hofstee(int argc, char **argv)
{
    struct opt opts[] = {
        {"responses", NULL}, {"kmin", NULL}, {"kmax", NULL}, {"fmin", NULL}, {"fmax", NULL}};
    double v[5] = {0}, *pass = NULL;
    struct angoff_compromise c;
    struct responses r;
    json_t *view;
    int rc, k;

    rc = compromise_args(argc, argv, opts, 5, v, USAGE_HOFSTEE);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    if (v[1] >= v[2] || v[3] >= v[4]) {
        fprintf(stderr, "ctoframe: --kmin must be below --kmax and --fmin below --fmax.\n");
        return CLI_USAGE;
    }
    if (read_impact(opts[0].val, &r, &pass, NULL) != CLI_OK)
        return CLI_FAIL;
    k = r.items;
    angoff_hofstee(pass, k, v[1] * k / 100.0, v[2] * k / 100.0, v[3] / 100.0, v[4] / 100.0, &c);
    view = compromise_view(
        json_pack("{s:f, s:f, s:f, s:f}", "kmin", v[1], "kmax", v[2], "fmin", v[3], "fmax", v[4]),
        &r, &c, 0);
    rc = print_json(view);
    json_decref(view);
    free(pass);
    responses_free(&r);
    return rc;
}

int cli_exam_beuk(int argc, char **argv)
{
    struct opt opts[] = {
        {"responses", NULL}, {"cut", NULL}, {"cut-sd", NULL}, {"pass", NULL}, {"pass-sd", NULL}};
    double v[5] = {0}, *pass = NULL;
    struct angoff_compromise c;
    struct responses r;
    json_t *view;
    int rc;

    rc = compromise_args(argc, argv, opts, 5, v, USAGE_BEUK);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    if (read_impact(opts[0].val, &r, &pass, NULL) != CLI_OK)
        return CLI_FAIL;
    angoff_beuk(pass, r.items, v[1], v[2], v[3], v[4], &c);
    /* the slope in percent pass per percent correct; null for a vertical line */
    view = compromise_view(json_pack("{s:f, s:f, s:f, s:f, s:o}", "cut", v[1], "cut_sd", v[2],
                                     "pass", v[3], "pass_sd", v[4], "slope",
                                     v[2] > 0.0 ? json_real(-(v[4] / v[2])) : json_null()),
                           &r, &c, 1);
    rc = print_json(view);
    json_decref(view);
    free(pass);
    responses_free(&r);
    return rc;
}
