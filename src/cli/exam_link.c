/*
 * exam_link.c — `ctoframe exam equate` (a new form's calibration onto the base scale,
 * core/equate.c), `exam scale` (the raw -> ability -> scaled score table, core/scale.c) and
 * `exam dif` (Mantel-Haenszel DIF between two groups, core/dif.c): issue 10 point 6 after
 * the calibration. core/examcsv.c reads the calibration, group and category files,
 * core/responses.c the response file. docs/exam-rasch.md explains the three.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/dif.h"
#include "core/equate.h"
#include "core/examcsv.h"
#include "core/rasch.h"
#include "core/responses.h"
#include "core/scale.h"

#define LINK_OPTS_MAX 4  /* options a command takes */
#define LINK_POS_MAX  2  /* positional arguments kept */
#define LINK_NAME_MAX 32 /* an option's name as read */

static const char USAGE_EQUATE[] =
    "usage: ctoframe exam equate --base BASE.csv --new NEW.csv [--drift D]\n\n"
    "Puts the difficulties of a new form on the scale of a base form through the items the\n"
    "two share (the anchors). BASE and NEW are outputs of `ctoframe exam calibrate` (header\n"
    "item,difficulty,se,infit,outfit). Under the Rasch model the link is one shift:\n"
    "shift = mean over the anchors of (base - new). An anchor whose displacement\n"
    "|new + shift - base| is above D logits (default 0.3) has drifted: the worst one is\n"
    "dropped and the shift recomputed until none is above D, keeping at least 2 anchors.\n"
    "Prints JSON: shift, se (and se_measurement, se_spread), drift, floor_reached, anchors\n"
    "[{item, base, new, displacement, kept}], dropped [{item, displacement}] and items\n"
    "[{item, difficulty, se}] (every item of NEW, its difficulty on the base scale).\n"
    "Exit 0 when equated, 1 when a file is refused or the forms share fewer than 2 items,\n"
    "2 on a usage error.\n";

static const char USAGE_SCALE[] =
    "usage: ctoframe exam scale CALIBRATION.csv --cut RAW [--categories MAP.csv]\n\n"
    "Prints the score table of the calibrated items as CSV raw,theta,se,scaled: each raw\n"
    "score 0..k, its ML ability in logits and that ability's SE, and its scaled score\n"
    "round(600 + 100 (theta - theta_cut)) kept within 0..800, where theta_cut is the\n"
    "ability of the raw cut score RAW (1 to k-1): RAW scores 600. Raw 0 scores 0 and raw k\n"
    "800 (no finite ability; theta and se are empty). CALIBRATION is an output of\n"
    "`ctoframe exam calibrate`.\n"
    "  --categories MAP.csv  a file with header item,category naming each calibrated item\n"
    "                        once: the table gets a first column category (empty for the\n"
    "                        whole form), then one table per category in the order first\n"
    "                        seen, each subscore's ability on that category's items and its\n"
    "                        scaled score against the same theta_cut (a diagnostic).\n"
    "Exit 0 when printed, 1 when a file is refused or RAW is outside 1..k-1, 2 on a usage\n"
    "error.\n";

static const char USAGE_DIF[] =
    "usage: ctoframe exam dif RESPONSES.csv --groups GROUPS.csv [--focal LABEL]\n\n"
    "Mantel-Haenszel DIF of each item between two groups of persons matched on their total\n"
    "raw score. RESPONSES is a response file as for `exam analyze`; GROUPS has the header\n"
    "person,group and names exactly two groups. The focal group is LABEL, else the second\n"
    "label in GROUPS' order; the other is the reference group. Persons with a missing cell,\n"
    "and persons of RESPONSES that GROUPS does not name, are left out (counted).\n"
    "Prints JSON: reference, focal, the counts, and per item (items): item, alpha_mh,\n"
    "mh_d_dif (-2.35 ln alpha_mh), se, chi2 (with continuity correction), p, ets (A, B or\n"
    "C) and favours (reference, focal or neither); null with null_because when alpha_mh\n"
    "cannot be computed.\n"
    "Exit 0 when computed, 1 when a file is refused, 2 on a usage error.\n";

/* Options as read: values by name (NULL when not given), positional arguments. */
struct link_opts {
    const char *val[LINK_OPTS_MAX];
    const char *pos[LINK_POS_MAX];
    int npos;
};

/*
 * Reads argv[1..] (argv[0] the subcommand) into o: each of names (n of them) as --name
 * VALUE or --name=VALUE at most once, and up to maxpos positional arguments. Returns
 * CLI_OK, CLI_USAGE after printing why, or -1 after printing usage for --help.
 */
static int link_parse(int argc, char **argv, const char *const *names, int n, int maxpos,
                      struct link_opts *o, const char *usage)
{
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *eq, *val = NULL;
        char name[LINK_NAME_MAX];
        size_t len;
        int which = -1;

        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return -1;
        }
        if (strncmp(a, "--", 2) != 0) {
            if (o->npos >= maxpos) {
                fprintf(stderr, "ctoframe: exam %s takes %s \"%s\".\n%s", argv[0],
                        maxpos == 0 ? "no argument" : "one file, not also", a, usage);
                return CLI_USAGE;
            }
            o->pos[o->npos++] = a;
            continue;
        }
        eq = strchr(a, '=');
        len = eq != NULL ? (size_t)(eq - a - 2) : strlen(a + 2);
        if (len >= sizeof name)
            len = sizeof name - 1;
        memcpy(name, a + 2, len);
        name[len] = '\0';
        for (int j = 0; j < n; j++)
            if (strcmp(name, names[j]) == 0)
                which = j;
        if (which < 0) {
            fprintf(stderr, "ctoframe: unknown option --%s\n%s", name, usage);
            return CLI_USAGE;
        }
        if (o->val[which] != NULL) {
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
        o->val[which] = val;
    }
    return CLI_OK;
}

static int nomem(void)
{
    fprintf(stderr, "ctoframe: Out of memory. Try again in a moment.\n");
    return CLI_FAIL;
}

/* Reads file as a kind of examcsv into *f; prints why and returns CLI_FAIL when refused. */
static int read_examcsv(const char *file, enum examcsv_kind kind, struct examcsv *f)
{
    json_t *problems = NULL;
    char *data = NULL;
    size_t n = 0;
    int rc;

    memset(f, 0, sizeof *f);
    rc = cli_read_input(file, EXAMCSV_MAX_BYTES, &data, &n);
    if (rc != CLI_OK)
        return rc;
    if (examcsv_parse(kind, data, n, f, &problems) != 0) {
        free(data);
        if (problems == NULL)
            return nomem();
        cli_print_problems(file, problems);
        json_decref(problems);
        return CLI_FAIL;
    }
    free(data);
    /* a calibration holds at most RASCH_ITEMS_MAX items (and anchors are matched by search) */
    if (kind == EXAMCSV_CALIBRATION && f->n > RASCH_ITEMS_MAX) {
        fprintf(stderr, "%s:%ld:1: The calibration has %d items; at most %d are read.\n", file,
                f->line[RASCH_ITEMS_MAX], f->n, RASCH_ITEMS_MAX);
        examcsv_free(f);
        return CLI_FAIL;
    }
    return CLI_OK;
}

/* Prints view as JSON on stdout. */
static int print_json(json_t *view)
{
    char *text;

    if (view == NULL)
        return nomem();
    text = json_dumps(view, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    json_decref(view);
    if (text == NULL)
        return nomem();
    printf("%s\n", text);
    free(text);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "ctoframe: Cannot write the result: %s.\n", strerror(errno));
        return CLI_FAIL;
    }
    return CLI_OK;
}

/* --- exam equate --------------------------------------------------------------------------- */

/* The JSON of an equating: anchors ai[] index base (bi) and new (ni) rows. */
static json_t *equate_view(const struct examcsv *base, const struct examcsv *nw, const int *bi,
                           const int *ni, int m, const struct equate_result *res, const int *kept,
                           const double *disp, double drift)
{
    json_t *v = json_object(), *anchors = json_array(), *dropped = json_array(),
           *items = json_array(), *head;
    int bad = v == NULL || anchors == NULL || dropped == NULL || items == NULL;

    for (int a = 0; !bad && a < m; a++) {
        bad |= json_array_append_new(anchors,
                                     json_pack("{s:s, s:f, s:f, s:f, s:b}", "item", nw->key[ni[a]],
                                               "base", base->value[bi[a]], "new", nw->value[ni[a]],
                                               "displacement", disp[a], "kept", kept[a])) != 0;
        if (!kept[a])
            bad |= json_array_append_new(dropped, json_pack("{s:s, s:f}", "item", nw->key[ni[a]],
                                                            "displacement", disp[a])) != 0;
    }
    for (int i = 0; !bad && i < nw->n; i++)
        bad |= json_array_append_new(items,
                                     json_pack("{s:s, s:f, s:f}", "item", nw->key[i], "difficulty",
                                               nw->value[i] + res->shift, "se", nw->se[i])) != 0;
    /* json_object_update() copies the keys and keeps no reference: head is released here. */
    head = json_pack("{s:f, s:f, s:f, s:f, s:f, s:i, s:b}", "shift", res->shift, "se", res->se,
                     "se_measurement", res->se_measurement, "se_spread", res->se_spread, "drift",
                     drift, "kept", res->kept_n, "floor_reached", res->floor);
    bad |= head == NULL || json_object_update(v, head) != 0;
    json_decref(head);
    if (bad || json_object_set(v, "anchors", anchors) != 0 ||
        json_object_set(v, "dropped", dropped) != 0 || json_object_set(v, "items", items) != 0) {
        json_decref(v);
        v = NULL;
    }
    json_decref(anchors);
    json_decref(dropped);
    json_decref(items);
    return v;
}

/* A drift threshold: a positive finite number of logits. */
static int drift_opt(const char *s, double *v)
{
    char *end = NULL;

    *v = EQUATE_DRIFT;
    if (s == NULL)
        return CLI_OK;
    errno = 0;
    *v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !isfinite(*v) || !(*v > 0.0)) {
        fprintf(stderr,
                "ctoframe: The option --drift takes a positive number of logits, not "
                "\"%s\".\n",
                s);
        return CLI_USAGE;
    }
    return CLI_OK;
}

int cli_exam_equate(int argc, char **argv)
{
    static const char *const names[] = {"base", "new", "drift"};
    struct link_opts o;
    struct examcsv base, nw;
    struct equate_result res;
    struct cf_error err;
    double drift, *bb = NULL, *bs = NULL, *nb = NULL, *ns = NULL, *disp = NULL;
    int *bi = NULL, *ni = NULL, *kept = NULL, m = 0, rc;

    memset(&base, 0, sizeof base);
    memset(&nw, 0, sizeof nw);
    rc = link_parse(argc, argv, names, 3, 0, &o, USAGE_EQUATE);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    if (o.val[0] == NULL || o.val[1] == NULL) {
        fprintf(stderr, "ctoframe: exam equate needs --base and --new.\n%s", USAGE_EQUATE);
        return CLI_USAGE;
    }
    if (drift_opt(o.val[2], &drift) != CLI_OK)
        return CLI_USAGE;
    rc = read_examcsv(o.val[0], EXAMCSV_CALIBRATION, &base);
    if (rc == CLI_OK)
        rc = read_examcsv(o.val[1], EXAMCSV_CALIBRATION, &nw);
    if (rc != CLI_OK)
        goto out;

    /* The anchors in the new form's order. */
    bi = malloc((size_t)nw.n * sizeof *bi);
    ni = malloc((size_t)nw.n * sizeof *ni);
    kept = malloc((size_t)nw.n * sizeof *kept);
    bb = malloc((size_t)nw.n * sizeof *bb);
    bs = malloc((size_t)nw.n * sizeof *bs);
    nb = malloc((size_t)nw.n * sizeof *nb);
    ns = malloc((size_t)nw.n * sizeof *ns);
    disp = malloc((size_t)nw.n * sizeof *disp);
    if (bi == NULL || ni == NULL || kept == NULL || bb == NULL || bs == NULL || nb == NULL ||
        ns == NULL || disp == NULL) {
        rc = nomem();
        goto out;
    }
    for (int i = 0; i < nw.n; i++) {
        int j = examcsv_find(&base, nw.key[i]);

        if (j < 0)
            continue;
        bi[m] = j;
        ni[m] = i;
        bb[m] = base.value[j];
        bs[m] = base.se[j];
        nb[m] = nw.value[i];
        ns[m] = nw.se[i];
        m++;
    }

    memset(&err, 0, sizeof err);
    if (equate_shift(bb, bs, nb, ns, m, drift, &res, kept, disp, &err) != CF_OK) {
        fprintf(stderr, "%s: %s\nctoframe: %s and %s cannot be equated.\n", o.val[1], err.message,
                o.val[0], o.val[1]);
        rc = CLI_FAIL;
        goto out;
    }
    if (res.floor)
        fprintf(stderr,
                "ctoframe: Only %d anchors are left and they still differ by more than %g "
                "logits; neither can be told to be the one that drifted. Both are kept; check "
                "them.\n",
                res.kept_n, drift);
    rc = print_json(equate_view(&base, &nw, bi, ni, m, &res, kept, disp, drift));

out:
    free(bi);
    free(ni);
    free(kept);
    free(bb);
    free(bs);
    free(nb);
    free(ns);
    free(disp);
    examcsv_free(&base);
    examcsv_free(&nw);
    return rc;
}

/* --- exam scale ---------------------------------------------------------------------------- */

/* Prints the table of the m items b against theta_cut, each row led by category when not NULL. */
static int print_table(const char *category, const double *b, int m, double theta_cut)
{
    struct scale_row *rows = malloc(((size_t)m + 1) * sizeof *rows);

    if (rows == NULL)
        return nomem();
    scale_table(b, m, theta_cut, rows, NULL);
    for (int r = 0; r <= m; r++) {
        if (category != NULL) {
            /* a category is a CSV field: quoted when it holds , " CR or LF */
            if (strpbrk(category, ",\"\r\n") == NULL) {
                fputs(category, stdout);
            } else {
                putchar('"');
                for (const char *s = category; *s != '\0'; s++) {
                    if (*s == '"')
                        putchar('"');
                    putchar(*s);
                }
                putchar('"');
            }
            putchar(',');
        }
        if (rows[r].finite)
            printf("%d,%.6f,%.6f,%d\n", r, rows[r].theta, rows[r].se, rows[r].scaled);
        else
            printf("%d,,,%d\n", r, rows[r].scaled);
    }
    free(rows);
    return CLI_OK;
}

/* Checks the category map against the calibration; prints each mismatch. */
static int check_map(const char *calfile, const struct examcsv *cal, const char *mapfile,
                     const struct examcsv *map)
{
    int bad = 0;

    for (int i = 0; i < map->n; i++)
        if (examcsv_find(cal, map->key[i]) < 0) {
            fprintf(stderr, "%s:%ld:1: The item \"%s\" is not in %s.\n", mapfile, map->line[i],
                    map->key[i], calfile);
            bad = 1;
        }
    for (int i = 0; i < cal->n; i++)
        if (examcsv_find(map, cal->key[i]) < 0) {
            fprintf(stderr, "%s:%ld:1: The item \"%s\" has no category in %s.\n", calfile,
                    cal->line[i], cal->key[i], mapfile);
            bad = 1;
        }
    if (bad)
        fprintf(stderr, "ctoframe: %s must name each item of %s once.\n", mapfile, calfile);
    return bad ? CLI_FAIL : CLI_OK;
}

/* One table per category of map, in the order first seen. */
static int print_categories(const struct examcsv *cal, const struct examcsv *map, double theta_cut)
{
    double *b = malloc((size_t)cal->n * sizeof *b);
    int rc = CLI_OK;

    if (b == NULL)
        return nomem();
    for (int c = 0; rc == CLI_OK && c < map->n; c++) {
        int seen = 0, m = 0;

        for (int j = 0; j < c && !seen; j++)
            seen = strcmp(map->label[j], map->label[c]) == 0;
        if (seen)
            continue;
        for (int i = 0; i < map->n; i++)
            if (strcmp(map->label[i], map->label[c]) == 0)
                b[m++] = cal->value[examcsv_find(cal, map->key[i])];
        rc = print_table(map->label[c], b, m, theta_cut);
    }
    free(b);
    return rc;
}

int cli_exam_scale(int argc, char **argv)
{
    static const char *const names[] = {"cut", "categories"};
    struct link_opts o;
    struct examcsv cal, map;
    struct cf_error err;
    double theta_cut = 0.0;
    char *end = NULL;
    long cut;
    int rc;

    memset(&cal, 0, sizeof cal);
    memset(&map, 0, sizeof map);
    rc = link_parse(argc, argv, names, 2, 1, &o, USAGE_SCALE);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    if (o.npos != 1 || o.val[0] == NULL) {
        fprintf(stderr, "ctoframe: exam scale needs a CALIBRATION file and --cut.\n%s",
                USAGE_SCALE);
        return CLI_USAGE;
    }
    errno = 0;
    cut = strtol(o.val[0], &end, 10);
    if (errno != 0 || end == o.val[0] || *end != '\0' || cut < 0 || cut > RASCH_ITEMS_MAX) {
        fprintf(stderr, "ctoframe: The option --cut takes a whole raw score, not \"%s\".\n",
                o.val[0]);
        return CLI_USAGE;
    }
    rc = read_examcsv(o.pos[0], EXAMCSV_CALIBRATION, &cal);
    if (rc == CLI_OK && o.val[1] != NULL)
        rc = read_examcsv(o.val[1], EXAMCSV_CATEGORIES, &map);
    if (rc == CLI_OK && o.val[1] != NULL)
        rc = check_map(o.pos[0], &cal, o.val[1], &map);
    if (rc != CLI_OK)
        goto out;

    memset(&err, 0, sizeof err);
    if (scale_cut_theta(cal.value, cal.n, (int)cut, &theta_cut, &err) != CF_OK) {
        fprintf(stderr, "ctoframe: %s\n", err.message);
        rc = CLI_FAIL;
        goto out;
    }
    fputs(o.val[1] != NULL ? "category,raw,theta,se,scaled\n" : "raw,theta,se,scaled\n", stdout);
    rc = print_table(o.val[1] != NULL ? "" : NULL, cal.value, cal.n, theta_cut);
    if (rc == CLI_OK && o.val[1] != NULL)
        rc = print_categories(&cal, &map, theta_cut);
    if (rc == CLI_OK && (fflush(stdout) != 0 || ferror(stdout))) {
        fprintf(stderr, "ctoframe: Cannot write the table: %s.\n", strerror(errno));
        rc = CLI_FAIL;
    }

out:
    examcsv_free(&cal);
    examcsv_free(&map);
    return rc;
}

/* --- exam dif ------------------------------------------------------------------------------ */

/* One item's JSON. */
static json_t *dif_item_view(const char *id, const struct dif_item *d)
{
    if (!d->defined)
        return json_pack("{s:s, s:n, s:n, s:n, s:n, s:n, s:n, s:n, s:i, s:s}", "item", id,
                         "alpha_mh", "mh_d_dif", "se", "chi2", "p", "ets", "favours", "strata",
                         d->strata, "null_because",
                         "no stratum has both a right answer in one group and a wrong one in "
                         "the other, on both sides: alpha_mh is 0, infinite or undefined");
    return json_pack("{s:s, s:f, s:f, s:f, s:f, s:f, s:s#, s:s, s:i}", "item", id, "alpha_mh",
                     d->alpha, "mh_d_dif", d->d, "se", d->se, "chi2", d->chi2, "p",
                     erfc(sqrt(d->chi2 / 2.0)), "ets", &d->ets, (size_t)1, "favours",
                     d->d < 0.0   ? "reference"
                     : d->d > 0.0 ? "focal"
                                  : "neither",
                     "strata", d->strata);
}

/* The persons' groups: g[p] for each person of r, from groups (focal label given). */
static int assign_groups(const struct responses *r, const struct examcsv *groups, const char *focal,
                         int *g, int *no_group)
{
    json_t *index = json_object();

    if (index == NULL)
        return CF_ENOMEM;
    for (int i = 0; i < groups->n; i++) {
        json_t *v =
            json_integer(strcmp(groups->label[i], focal) == 0 ? DIF_GROUP_FOCAL : DIF_GROUP_REF);

        if (v == NULL || json_object_set_new(index, groups->key[i], v) != 0) {
            json_decref(index);
            return CF_ENOMEM;
        }
    }
    *no_group = 0;
    for (int p = 0; p < r->persons; p++) {
        json_t *v = json_object_get(index, r->person_id[p]);

        g[p] = v != NULL ? (int)json_integer_value(v) : DIF_GROUP_NONE;
        *no_group += v == NULL;
    }
    json_decref(index);
    return CF_OK;
}

int cli_exam_dif(int argc, char **argv)
{
    static const char *const names[] = {"groups", "focal"};
    struct link_opts o;
    struct responses r;
    struct examcsv groups;
    struct dif_item *res = NULL;
    struct cf_error err;
    json_t *problems = NULL, *view = NULL, *items = NULL;
    const char *ref = NULL, *focal = NULL;
    char *data = NULL;
    size_t n = 0;
    int *g = NULL, rc, no_group = 0, left_missing = 0;

    memset(&r, 0, sizeof r);
    memset(&groups, 0, sizeof groups);
    rc = link_parse(argc, argv, names, 2, 1, &o, USAGE_DIF);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    if (o.npos != 1 || o.val[0] == NULL) {
        fprintf(stderr, "ctoframe: exam dif needs a RESPONSES file and --groups.\n%s", USAGE_DIF);
        return CLI_USAGE;
    }

    rc = cli_read_input(o.pos[0], RESP_MAX_BYTES, &data, &n);
    if (rc != CLI_OK)
        return rc;
    if (responses_parse(data, n, &r, &problems) != 0) {
        free(data);
        if (problems == NULL)
            return nomem();
        cli_print_problems(o.pos[0], problems);
        json_decref(problems);
        return CLI_FAIL;
    }
    free(data);
    rc = read_examcsv(o.val[0], EXAMCSV_GROUPS, &groups);
    if (rc != CLI_OK)
        goto out;

    /* The two labels in file order; the focal one named or the second. */
    ref = groups.label[0];
    for (int i = 1; i < groups.n && focal == NULL; i++)
        if (strcmp(groups.label[i], ref) != 0)
            focal = groups.label[i];
    if (o.val[1] != NULL) {
        if (strcmp(o.val[1], ref) == 0) {
            ref = focal;
            focal = groups.label[0];
        } else if (strcmp(o.val[1], focal) != 0) {
            fprintf(stderr, "ctoframe: --focal \"%s\" is not a group of %s (\"%s\", \"%s\").\n",
                    o.val[1], o.val[0], ref, focal);
            rc = CLI_FAIL;
            goto out;
        }
    }

    g = malloc(((size_t)r.persons + 1) * sizeof *g);
    res = calloc((size_t)r.items, sizeof *res);
    if (g == NULL || res == NULL || assign_groups(&r, &groups, focal, g, &no_group) != CF_OK) {
        rc = nomem();
        goto out;
    }
    memset(&err, 0, sizeof err);
    rc = dif_mh(r.x, r.persons, r.items, g, res, &left_missing, &err);
    if (rc == CF_ENOMEM) {
        rc = nomem();
        goto out;
    }
    if (rc != CF_OK) {
        fprintf(stderr, "ctoframe: %s\n", err.message);
        rc = CLI_FAIL;
        goto out;
    }
    if (no_group > 0 || left_missing > 0)
        fprintf(stderr,
                "ctoframe: Left out: %d person%s of %s not in %s, %d with a missing cell.\n",
                no_group, no_group == 1 ? "" : "s", o.pos[0], o.val[0], left_missing);

    items = json_array();
    view =
        json_pack("{s:s, s:s, s:i, s:i, s:i, s:i, s:i}", "reference", ref, "focal", focal,
                  "persons", r.persons, "persons_reference", res[0].n_ref, "persons_focal",
                  res[0].n_focal, "left_out_missing", left_missing, "left_out_no_group", no_group);
    if (items == NULL || view == NULL) {
        json_decref(items);
        json_decref(view);
        rc = nomem();
        goto out;
    }
    for (int i = 0; i < r.items; i++)
        if (json_array_append_new(items, dif_item_view(r.item_id[i], &res[i])) != 0) {
            json_decref(items);
            json_decref(view);
            rc = nomem();
            goto out;
        }
    if (json_object_set_new(view, "items", items) != 0) {
        json_decref(view);
        rc = nomem();
        goto out;
    }
    rc = print_json(view);

out:
    free(g);
    free(res);
    responses_free(&r);
    examcsv_free(&groups);
    return rc;
}
