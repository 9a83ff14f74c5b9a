/*
 * exam_rasch.c — `ctoframe exam calibrate`: the Rasch calibration of a response file by
 * conditional maximum likelihood (core/responses.c reads, core/rasch.c computes; issue 10
 * point 6), and `ctoframe exam simulate`: response data from known Rasch parameters
 * (core/simulate.c), for tests and demos (point 8). docs/exam-rasch.md explains both.
 *
 * simulate's options are read here rather than by cli_parse(): they are numbers this
 * command alone takes, each checked with its own message.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/rasch.h"
#include "core/responses.h"
#include "core/simulate.h"

#define SIM_PERSONS_MAX 1000000 /* --persons at most */
#define SIM_OPT_MAX     32      /* an option's name as read */

static const char USAGE_SIMULATE[] =
    "usage: ctoframe exam simulate --persons N --items K --seed S [--missing F]\n"
    "                              [--truth FILE]\n\n"
    "Prints a response file of N persons and K items simulated from the Rasch model:\n"
    "the header `person,I001,...`, then one row per person (P00001, ...) with 1 (right),\n"
    "0 (wrong) or an empty cell (not presented). The true difficulties are drawn from\n"
    "N(0,1) and centred to sum 0, the abilities from N(0,1), and each response is right\n"
    "with probability 1/(1 + exp(-(ability - difficulty))). The same seed (a whole number\n"
    "0 to 18446744073709551615) gives the same file on every machine.\n"
    "  --persons N   1 to 1000000 persons\n"
    "  --items K     2 to 1000 items\n"
    "  --seed S      the seed of the random numbers\n"
    "  --missing F   leave each cell empty with probability F (0 to 0.9; default 0)\n"
    "  --truth FILE  also write the true values as CSV `kind,id,value` (kind item or\n"
    "                person) to FILE\n"
    "Exit 0 when written, 1 when FILE cannot be written, 2 on a usage error.\n";

/* The options of exam simulate, as given (NULL when not). */
struct sim_opts {
    const char *persons, *items, *seed, *missing, *truth;
};

/*
 * Reads argv[1..] into o: --name VALUE or --name=VALUE, each at most once, no positional
 * argument. Returns CLI_OK, CLI_USAGE after printing why, or -1 after printing the usage
 * for --help.
 */
static int sim_parse(int argc, char **argv, struct sim_opts *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *eq, *val = NULL, **dst = NULL;
        char name[SIM_OPT_MAX];
        size_t len;

        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(USAGE_SIMULATE, stdout);
            return -1;
        }
        if (strncmp(a, "--", 2) != 0) {
            fprintf(stderr, "ctoframe: exam simulate takes no argument \"%s\".\n%s", a,
                    USAGE_SIMULATE);
            return CLI_USAGE;
        }
        eq = strchr(a, '=');
        len = eq != NULL ? (size_t)(eq - a - 2) : strlen(a + 2);
        if (len >= sizeof name)
            len = sizeof name - 1;
        memcpy(name, a + 2, len);
        name[len] = '\0';
        if (strcmp(name, "persons") == 0)
            dst = &o->persons;
        else if (strcmp(name, "items") == 0)
            dst = &o->items;
        else if (strcmp(name, "seed") == 0)
            dst = &o->seed;
        else if (strcmp(name, "missing") == 0)
            dst = &o->missing;
        else if (strcmp(name, "truth") == 0)
            dst = &o->truth;
        if (dst == NULL) {
            fprintf(stderr, "ctoframe: unknown option --%s\n%s", name, USAGE_SIMULATE);
            return CLI_USAGE;
        }
        if (*dst != NULL) {
            fprintf(stderr, "ctoframe: The option --%s is given twice.\n", name);
            return CLI_USAGE;
        }
        if (eq != NULL)
            val = eq + 1;
        else if (i + 1 < argc)
            val = argv[++i];
        if (val == NULL || val[0] == '\0') {
            fprintf(stderr, "ctoframe: option --%s needs a value\n", name);
            return CLI_USAGE;
        }
        *dst = val;
    }
    return CLI_OK;
}

/* s as a whole number min..max into *v; prints why and returns CLI_USAGE if it is not. */
static int whole_opt(const char *name, const char *s, long min, long max, long *v)
{
    char *end = NULL;

    errno = 0;
    *v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || *v < min || *v > max) {
        fprintf(stderr,
                "ctoframe: The option --%s takes a whole number from %ld to %ld, not "
                "\"%s\".\n",
                name, min, max, s);
        return CLI_USAGE;
    }
    return CLI_OK;
}

/* The seed: a whole number 0 to 2^64 - 1, digits only. */
static int seed_opt(const char *s, uint64_t *v)
{
    char *end = NULL;
    unsigned long long u;

    errno = 0;
    u = strtoull(s, &end, 10);
    if (s[0] < '0' || s[0] > '9' || errno != 0 || *end != '\0') {
        fprintf(stderr,
                "ctoframe: The option --seed takes a whole number from 0 to "
                "18446744073709551615, not \"%s\".\n",
                s);
        return CLI_USAGE;
    }
    *v = (uint64_t)u;
    return CLI_OK;
}

/* --missing: a fraction 0 to 0.9. */
static int missing_opt(const char *s, double *v)
{
    char *end = NULL;

    *v = 0.0;
    if (s == NULL)
        return CLI_OK;
    errno = 0;
    *v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !(*v >= 0.0 && *v <= 0.9)) {
        fprintf(stderr,
                "ctoframe: The option --missing takes a fraction from 0 to 0.9, not "
                "\"%s\".\n",
                s);
        return CLI_USAGE;
    }
    return CLI_OK;
}

/* Writes the true values to path as `kind,id,value`; prints why and returns CLI_FAIL. */
static int write_truth(const char *path, const double *b, long k, const double *theta, long n)
{
    FILE *f = fopen(path, "w");
    int bad;

    if (f == NULL) {
        fprintf(stderr, "ctoframe: Cannot write %s: %s.\n", path, strerror(errno));
        return CLI_FAIL;
    }
    fputs("kind,id,value\n", f);
    for (long i = 0; i < k; i++)
        fprintf(f, "item,I%03ld,%.17g\n", i + 1, b[i]);
    for (long p = 0; p < n; p++)
        fprintf(f, "person,P%05ld,%.17g\n", p + 1, theta[p]);
    bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        fprintf(stderr, "ctoframe: Cannot write %s: %s.\n", path, strerror(errno));
        return CLI_FAIL;
    }
    return CLI_OK;
}

/* The response file on stdout, row by row. */
static int write_responses(const signed char *x, long n, long k)
{
    printf("person");
    for (long i = 0; i < k; i++)
        printf(",I%03ld", i + 1);
    putchar('\n');
    for (long p = 0; p < n; p++) {
        printf("P%05ld", p + 1);
        for (long i = 0; i < k; i++) {
            signed char v = x[p * k + i];

            putchar(',');
            if (v != SIM_MISSING)
                putchar(v ? '1' : '0');
        }
        putchar('\n');
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "ctoframe: Cannot write the responses: %s.\n", strerror(errno));
        return CLI_FAIL;
    }
    return CLI_OK;
}

int cli_exam_simulate(int argc, char **argv)
{
    struct sim_opts o;
    struct sim_rng rng;
    long n = 0, k = 0;
    uint64_t seed = 0;
    double missing = 0.0, *b = NULL, *theta = NULL;
    signed char *x = NULL;
    int rc;

    rc = sim_parse(argc, argv, &o);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    if (o.persons == NULL || o.items == NULL || o.seed == NULL) {
        fprintf(stderr, "ctoframe: exam simulate needs --persons, --items and --seed.\n%s",
                USAGE_SIMULATE);
        return CLI_USAGE;
    }
    if (whole_opt("persons", o.persons, 1, SIM_PERSONS_MAX, &n) != CLI_OK ||
        whole_opt("items", o.items, 2, RASCH_ITEMS_MAX, &k) != CLI_OK ||
        seed_opt(o.seed, &seed) != CLI_OK || missing_opt(o.missing, &missing) != CLI_OK)
        return CLI_USAGE;

    b = malloc((size_t)k * sizeof *b);
    theta = malloc((size_t)n * sizeof *theta);
    x = malloc((size_t)n * (size_t)k);
    if (b == NULL || theta == NULL || x == NULL) {
        fprintf(stderr, "ctoframe: Out of memory. Try again in a moment.\n");
        rc = CLI_FAIL;
        goto out;
    }

    /* the order of the draws is part of the seed's promise: difficulties, abilities, cells */
    sim_seed(&rng, seed);
    sim_normals(&rng, b, (size_t)k, 1);
    sim_normals(&rng, theta, (size_t)n, 0);
    sim_responses(&rng, b, (size_t)k, theta, (size_t)n, missing, x);

    if (o.truth != NULL) {
        rc = write_truth(o.truth, b, k, theta, n);
        if (rc != CLI_OK)
            goto out;
    }
    rc = write_responses(x, n, k);

out:
    free(b);
    free(theta);
    free(x);
    return rc;
}

/* --- exam calibrate ------------------------------------------------------------------------ */

static const char USAGE_CALIBRATE[] =
    "usage: ctoframe exam calibrate RESPONSES.csv\n\n"
    "Calibrates the items of RESPONSES by the Rasch model, conditional maximum likelihood\n"
    "(as R's eRm::RM() does), and prints CSV with the header\n"
    "`item,difficulty,se,infit,outfit`: each item's difficulty in logits (the difficulties\n"
    "sum to 0), its standard error, and its infit and outfit mean-squares.\n"
    "RESPONSES has a header row (the person column, then the item ids), then one row per\n"
    "person: the id, then 1 (right), 0 (wrong) or nothing (not presented) per item.\n"
    "Persons with a score of 0 or every presented item right carry no information under\n"
    "CML; they are left out and counted on standard error. RESPONSES - reads standard input.\n"
    "A file with problems prints each as FILE:LINE:COLUMN: sentence.\n"
    "Exit 0 when calibrated, 1 when the file is refused, 2 on a usage error.\n";

/* Writes s as one CSV field to f: quoted (quotes doubled) when it holds , " CR or LF. */
static void csv_field(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, f);
        return;
    }
    putc('"', f);
    for (; *s != '\0'; s++) {
        if (*s == '"')
            putc('"', f);
        putc(*s, f);
    }
    putc('"', f);
}

/* The calibration of r printed as CSV on stdout, the persons left out on stderr. */
static int print_calibration(const char *file, const struct responses *r)
{
    struct rasch_fit fit;
    struct cf_error err;
    int rc, item = 0;

    memset(&err, 0, sizeof err);
    rc = rasch_cml(r->x, r->persons, r->items, &fit, &err);
    if (rc == CF_ENOMEM) {
        fprintf(stderr, "ctoframe: Out of memory. Try again in a moment.\n");
        return CLI_FAIL;
    }
    if (rc != CF_OK) {
        /* the item at fault by its id and column (the person column is column 1) */
        if (sscanf(err.field, "item %d", &item) == 1 && item >= 1 && item <= r->items)
            fprintf(stderr, "%s:1:%d: item %s: %s\n", file, item + 1, r->item_id[item - 1],
                    err.message);
        else
            fprintf(stderr, "%s: %s\n", file, err.message);
        fprintf(stderr, "ctoframe: The responses cannot be calibrated.\n");
        return CLI_FAIL;
    }

    printf("item,difficulty,se,infit,outfit\n");
    for (int i = 0; i < r->items; i++) {
        csv_field(stdout, r->item_id[i]);
        printf(",%.6f,%.6f,%.4f,%.4f\n", fit.difficulty[i], fit.se[i], fit.infit[i], fit.outfit[i]);
    }
    fprintf(stderr,
            "ctoframe: %d of %d persons used; left out as CML requires: %d with a score of 0, "
            "%d with every presented item right (a perfect score), %d presented no item.\n",
            fit.used, fit.persons, fit.zero, fit.perfect, fit.none);
    rasch_fit_free(&fit);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "ctoframe: Cannot write the calibration: %s.\n", strerror(errno));
        return CLI_FAIL;
    }
    return CLI_OK;
}

int cli_exam_calibrate(int argc, char **argv)
{
    const char *file = NULL;
    struct responses r;
    json_t *problems = NULL;
    char *data = NULL;
    size_t n = 0;
    int rc;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(USAGE_CALIBRATE, stdout);
            return CLI_OK;
        }
        if (strncmp(argv[i], "--", 2) == 0) {
            fprintf(stderr, "ctoframe: unknown option %s\n%s", argv[i], USAGE_CALIBRATE);
            return CLI_USAGE;
        }
        if (file != NULL) {
            fprintf(stderr, "ctoframe: exam calibrate takes one RESPONSES file.\n%s",
                    USAGE_CALIBRATE);
            return CLI_USAGE;
        }
        file = argv[i];
    }
    if (file == NULL) {
        fprintf(stderr, "ctoframe: exam calibrate takes one RESPONSES file.\n%s", USAGE_CALIBRATE);
        return CLI_USAGE;
    }

    rc = cli_read_input(file, RESP_MAX_BYTES, &data, &n);
    if (rc != CLI_OK)
        return rc;
    if (n > RESP_MAX_BYTES) {
        fprintf(stderr, "ctoframe: %s is larger than %u bytes; it is refused.\n", file,
                RESP_MAX_BYTES);
        free(data);
        return CLI_FAIL;
    }
    memset(&r, 0, sizeof r);
    if (responses_parse(data, n, &r, &problems) != 0) {
        free(data);
        if (problems == NULL) {
            fprintf(stderr, "ctoframe: Out of memory. Try again in a moment.\n");
            return CLI_FAIL;
        }
        cli_print_problems(file, problems);
        json_decref(problems);
        return CLI_FAIL;
    }
    free(data);
    rc = print_calibration(file, &r);
    responses_free(&r);
    return rc;
}
