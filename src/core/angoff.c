/*
 * angoff.c — the modified Angoff study, its impact data, and the Hofstee and Beuk
 * compromises (angoff.h has the contracts, docs/standard-setting.md the formulas).
 */
#include "core/angoff.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/csv.h"
#include "lib/csvtable.h"
#include "lib/err.h"

#define NUM_MAX 64 /* a number cell copied for strtod/strtol */

/* What angoff_parse() carries while it reads. */
struct rd {
    struct csv_table t;
    struct angoff_ratings *out;
    size_t cap; /* rows out's arrays have room for */
};

/*
 * The n bytes at s without the blanks around them, into out (size bytes). Returns 0, or -1
 * when they do not fit (then it is no number we read).
 */
static int trimmed(const char *s, size_t n, char *out, size_t size)
{
    size_t b = 0;

    while (b < n && (s[b] == ' ' || s[b] == '\t'))
        b++;
    while (n > b && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n - b >= size)
        return -1;
    memcpy(out, s + b, n - b);
    out[n - b] = '\0';
    return 0;
}

/* A plain decimal number: digits with at most one point, nothing else (no sign, exponent). */
static int plain_decimal(const char *s)
{
    int digits = 0, points = 0;

    for (; *s != '\0'; s++) {
        if (*s >= '0' && *s <= '9')
            digits++;
        else if (*s == '.')
            points++;
        else
            return 0;
    }
    return digits > 0 && points <= 1;
}

/*
 * The header h: its size gives the items; unless the reader found it wrong, `round,panelist,`
 * then item ids, non-empty and distinct (copied, with their columns).
 */
static void read_header(struct rd *rd, const struct csv_record *h)
{
    static const char *const first[] = {"round", "panelist"};
    struct angoff_ratings *out = rd->out;
    char text[CSV_SHOWN_LEN], name[NUM_MAX];

    out->items = h->nfields > 2 ? (int)h->nfields - 2 : 0;
    out->item_id = calloc((size_t)out->items + 1, sizeof *out->item_id);
    out->item_col = calloc((size_t)out->items + 1, sizeof *out->item_col);
    if (out->item_id == NULL || out->item_col == NULL) {
        rd->t.nomem = 1;
        return;
    }
    if (h->bad)
        return;
    for (size_t j = 0; j < 2; j++) {
        const struct csv_field *f = j < h->nfields ? &h->field[j] : NULL;

        if (f == NULL || trimmed(f->p, f->n, name, sizeof name) != 0 || strcmp(name, first[j]) != 0)
            csv_table_problem(&rd->t, 1, f == NULL ? 1 : (size_t)f->col,
                              "Column %zu is headed \"%s\", not \"%s\". The header is "
                              "round,panelist, then one column per item headed by the item's id.",
                              j + 1, f == NULL ? "" : csv_shown(f->p, f->n, text, sizeof text),
                              first[j]);
    }
    if (h->nfields < 3)
        csv_table_problem(&rd->t, 1, 1,
                          "The file has no item column. After round and panelist, give one column "
                          "per item, headed by the item's id.");
    csv_table_ids(&rd->t, h, 2, out->item_id, out->item_col);
}

/* A round cell: a whole number 1..ANGOFF_ROUNDS_MAX, or 0 when it is not one. */
static int read_round(const struct csv_field *f)
{
    char num[NUM_MAX], *end = NULL;
    long v;

    if (trimmed(f->p, f->n, num, sizeof num) != 0 || num[0] < '0' || num[0] > '9')
        return 0;
    errno = 0;
    v = strtol(num, &end, 10);
    if (errno != 0 || *end != '\0' || v < 1 || v > ANGOFF_ROUNDS_MAX)
        return 0;
    return (int)v;
}

/*
 * One rating cell into *v. Returns 0 when it is a probability 0..1; 1 when it is empty; 2
 * when it is a number above 1 (a percentage, it seems); 3 when it is no plain number.
 */
static int read_rating(const struct csv_field *f, double *v)
{
    char num[NUM_MAX], *end = NULL;

    *v = 0.0;
    if (csv_blank(f->p, f->n))
        return 1;
    if (trimmed(f->p, f->n, num, sizeof num) != 0 || !plain_decimal(num))
        return 3;
    *v = strtod(num, &end);
    if (*end != '\0' || !isfinite(*v))
        return 3;
    return *v > 1.0 ? 2 : 0;
}

/* Makes room in out for row i (its panelist NULL until it is read). */
static int room_for(struct rd *rd, size_t i)
{
    struct angoff_ratings *out = rd->out;
    void *arr[4] = {out->panelist, out->round, out->line, out->rating};
    const size_t size[4] = {sizeof *out->panelist, sizeof *out->round, sizeof *out->line,
                            (size_t)out->items * sizeof *out->rating};
    int rc = csv_table_grow(arr, size, 4, i, &rd->cap);

    out->panelist = arr[0];
    out->round = arr[1];
    out->line = arr[2];
    out->rating = arr[3];
    return rc;
}

/*
 * Row i (record r): its round, its panelist (not already in that round: the table's seen
 * keys are "round\tpanelist") and its ratings.
 */
static void read_row(struct rd *rd, const struct csv_record *r, size_t i)
{
    struct angoff_ratings *out = rd->out;
    /* (a header of fewer than two columns gives rows as short, to be read all the same) */
    const struct csv_field round = csv_table_field(r, 0), panelist = csv_table_field(r, 1);
    const struct csv_field *rs = &round, *who = &panelist;
    size_t k = (size_t)out->items;
    long line = (long)r->line;
    char text[CSV_SHOWN_LEN];

    out->line[i] = line;
    out->round[i] = read_round(rs);
    if (out->round[i] == 0)
        csv_table_problem(&rd->t, r->line, 1,
                          "The round \"%s\" is not a whole number from 1 to %d.",
                          csv_shown(rs->p, rs->n, text, sizeof text), ANGOFF_ROUNDS_MAX);

    if (csv_blank(who->p, who->n)) {
        csv_table_problem(&rd->t, r->line, (size_t)who->col,
                          "The panelist is empty. Give each row the id of its panelist.");
    } else {
        long was;

        out->panelist[i] = strndup(who->p, who->n);
        if (out->panelist[i] == NULL) {
            rd->t.nomem = 1;
            return;
        }
        /* the key "round<TAB>id" holds the whole id: ids alike in their first bytes differ */
        if (out->round[i] != 0) {
            size_t len = who->n + NUM_MAX;
            char *k2 = malloc(len);

            if (k2 == NULL) {
                rd->t.nomem = 1;
                return;
            }
            snprintf(k2, len, "%d\t%s", out->round[i], out->panelist[i]);
            was = csv_table_seen(&rd->t, k2, r->line);
            if (was > 0)
                csv_table_problem(&rd->t, r->line, (size_t)who->col,
                                  "The panelist \"%s\" already has a row in round %d, on line "
                                  "%ld. Give each panelist one row per round.",
                                  csv_shown(who->p, who->n, text, sizeof text), out->round[i], was);
            free(k2);
        }
    }

    for (size_t j = 0; j < k; j++) {
        const struct csv_field *cell = &r->field[j + 2];
        size_t col = (size_t)cell->col;
        int why = read_rating(cell, &out->rating[i * k + j]);
        const char *id = out->item_id[j] != NULL ? out->item_id[j] : "";

        if (why == 1)
            csv_table_problem(&rd->t, r->line, col,
                              "The rating of item \"%s\" is empty. Every panelist rates every "
                              "item.",
                              csv_shown(id, strlen(id), text, sizeof text));
        else if (why == 2)
            csv_table_problem(&rd->t, r->line, col,
                              "The rating \"%s\" is above 1. Ratings are probabilities from 0 to "
                              "1 (write 0.65, not 65); percentages are not read.",
                              csv_shown(cell->p, cell->n, text, sizeof text));
        else if (why == 3)
            csv_table_problem(&rd->t, r->line, col,
                              "The rating \"%s\" is not a number from 0 to 1. Write the "
                              "probability that a minimally qualified candidate answers right, "
                              "such as 0.65.",
                              csv_shown(cell->p, cell->n, text, sizeof text));
    }
}

/*
 * Each record as csv_read() passes it: the header, then each row. Once the reader has
 * found a problem the rows are not checked: its problems alone are the answer.
 */
static int on_record(const struct csv_record *r, void *arg)
{
    struct rd *rd = arg;

    if (r->index == 0) {
        read_header(rd, r);
    } else if (json_array_size(rd->t.csvp) == 0) {
        if (room_for(rd, (size_t)rd->out->rows) != 0)
            return CF_ENOMEM;
        read_row(rd, r, (size_t)rd->out->rows++);
    }
    return rd->t.nomem ? CF_ENOMEM : CF_OK;
}

int angoff_parse(const char *bytes, size_t n, struct angoff_ratings *out, json_t **problems)
{
    const struct csv_limits lim = {CSV_MAX_FIELD, ANGOFF_ITEMS_MAX + 2u, ANGOFF_ROWS_MAX,
                                   ANGOFF_MAX_PROBLEMS};
    struct rd rd;
    int count;

    memset(out, 0, sizeof *out);
    memset(&rd, 0, sizeof rd);
    rd.out = out;
    if (problems != NULL)
        *problems = NULL;
    if (csv_table_init(&rd.t, ANGOFF_MAX_PROBLEMS) != CF_OK)
        return 1;

    /* The file as CSV first: when it is not well formed, those problems are the answer. */
    if (n > ANGOFF_MAX_BYTES)
        csv_table_problem(&rd.t, 1, 1, "The file is larger than %u MB.",
                          ANGOFF_MAX_BYTES / (1024u * 1024u));
    else if (csv_table_read(&rd.t, bytes, n, &lim, on_record, &rd) != CF_ENOMEM && out->rows == 0)
        csv_table_problem(&rd.t, 1, 1,
                          "The file has no ratings: after the header, give one row per panelist "
                          "per round.");

    if ((count = csv_table_finish(&rd.t, CSV_TABLE_CSV_ONLY, problems)) != 0)
        angoff_ratings_free(out);
    return count;
}

void angoff_ratings_free(struct angoff_ratings *r)
{
    if (r == NULL)
        return;
    for (int i = 0; r->item_id != NULL && i < r->items; i++)
        free(r->item_id[i]);
    for (int i = 0; r->panelist != NULL && i < r->rows; i++)
        free(r->panelist[i]);
    free(r->item_id);
    free(r->item_col);
    free(r->panelist);
    free(r->round);
    free(r->line);
    free(r->rating);
    memset(r, 0, sizeof *r);
}

/* --- the study ----------------------------------------------------------------------------- */

/* The sample SD (divisor n - 1) of the n values x[i * stride]; undefined when n < 2. */
static struct angoff_value sample_sd(const double *x, int n, size_t stride, double mean)
{
    struct angoff_value v = {0.0, 0};
    double ss = 0.0;

    if (n < 2)
        return v;
    for (int i = 0; i < n; i++)
        ss += (x[(size_t)i * stride] - mean) * (x[(size_t)i * stride] - mean);
    v.value = sqrt(ss / (n - 1));
    v.defined = 1;
    return v;
}

/*
 * The item indexes into order (k of them) by SD, largest first, equal SDs in file order. SDs
 * are compared on a grid of ANGOFF_EPS, so that ratings alike on paper (.5 .6 .7 and .6 .7
 * .8) tie despite rounding in binary. An insertion sort (stable, at most ANGOFF_ITEMS_MAX
 * items) rather than qsort, whose comparison would need the SDs in a global: studies may
 * be computed on several threads.
 */
static void sort_by_sd(const struct angoff_value *sd, int k, int *order)
{
    for (int i = 0; i < k; i++) {
        double key = round(sd[i].value / ANGOFF_EPS);
        int j = i;

        while (j > 0 && round(sd[order[j - 1]].value / ANGOFF_EPS) < key) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
}

/* Fills round t (number num, its nrow rows given in rows[]) from r. */
static int fill_round(const struct angoff_ratings *r, int num, const int *rows, int nrow,
                      struct angoff_round *t)
{
    int k = r->items;
    double *x = NULL;

    t->round = num;
    t->panelists = nrow;
    t->row = malloc((size_t)nrow * sizeof *t->row);
    t->panelist_cut = malloc((size_t)nrow * sizeof *t->panelist_cut);
    t->item_mean = calloc((size_t)k, sizeof *t->item_mean);
    t->item_sd = calloc((size_t)k, sizeof *t->item_sd);
    t->disagree = malloc((size_t)k * sizeof *t->disagree);
    x = malloc((size_t)nrow * (size_t)k * sizeof *x);
    if (t->row == NULL || t->panelist_cut == NULL || t->item_mean == NULL || t->item_sd == NULL ||
        t->disagree == NULL || x == NULL) {
        free(x);
        return CF_ENOMEM;
    }

    /* each panelist's cut: the sum of their ratings, in raw points; the panel's: the mean */
    t->cut = 0.0;
    for (int p = 0; p < nrow; p++) {
        double sum = 0.0;

        t->row[p] = rows[p];
        for (int i = 0; i < k; i++) {
            x[(size_t)p * (size_t)k + (size_t)i] =
                r->rating[(size_t)rows[p] * (size_t)k + (size_t)i];
            sum += x[(size_t)p * (size_t)k + (size_t)i];
        }
        t->panelist_cut[p] = sum;
        t->cut += sum;
    }
    t->cut /= nrow;
    t->sd = sample_sd(t->panelist_cut, nrow, 1, t->cut);
    t->se.defined = t->sd.defined;
    t->se.value = t->sd.defined ? t->sd.value / sqrt((double)nrow) : 0.0;

    /* per item */
    for (int i = 0; i < k; i++) {
        for (int p = 0; p < nrow; p++)
            t->item_mean[i] += x[(size_t)p * (size_t)k + (size_t)i];
        t->item_mean[i] /= nrow;
        t->item_sd[i] = sample_sd(x + i, nrow, (size_t)k, t->item_mean[i]);
    }
    sort_by_sd(t->item_sd, k, t->disagree);
    free(x);
    return CF_OK;
}

int angoff_study(const struct angoff_ratings *r, struct angoff_study *s)
{
    int *rows = NULL, rc = CF_OK;

    memset(s, 0, sizeof *s);
    s->items = r->items;
    s->round = calloc(ANGOFF_ROUNDS_MAX, sizeof *s->round);
    rows = malloc(((size_t)r->rows + 1) * sizeof *rows);
    if (s->round == NULL || rows == NULL) {
        rc = CF_ENOMEM;
        goto out;
    }
    for (int num = 1; num <= ANGOFF_ROUNDS_MAX; num++) {
        int nrow = 0;

        for (int i = 0; i < r->rows; i++)
            if (r->round[i] == num)
                rows[nrow++] = i;
        if (nrow == 0)
            continue;
        rc = fill_round(r, num, rows, nrow, &s->round[s->rounds]);
        s->rounds++;
        if (rc != CF_OK)
            goto out;
    }

out:
    free(rows);
    if (rc != CF_OK)
        angoff_study_free(s);
    return rc;
}

void angoff_study_free(struct angoff_study *s)
{
    if (s == NULL)
        return;
    for (int t = 0; s->round != NULL && t < s->rounds; t++) {
        free(s->round[t].row);
        free(s->round[t].panelist_cut);
        free(s->round[t].item_mean);
        free(s->round[t].item_sd);
        free(s->round[t].disagree);
    }
    free(s->round);
    memset(s, 0, sizeof *s);
}

/* v as a JSON number, or null when undefined. */
static json_t *value_json(struct angoff_value v)
{
    return v.defined ? json_real(v.value) : json_null();
}

/* One round as JSON. */
static json_t *round_view(const struct angoff_ratings *r, const struct angoff_round *t, int k)
{
    json_t *v, *cuts, *items, *most;
    int shown_n = 0;

    v = json_pack("{s:i, s:i, s:f, s:f, s:o, s:o}", "round", t->round, "panelists", t->panelists,
                  "cut", t->cut, "cut_percent", k > 0 ? 100.0 * t->cut / k : 0.0, "sd",
                  value_json(t->sd), "se", value_json(t->se));
    cuts = json_array();
    items = json_array();
    most = json_array();
    if (v == NULL || cuts == NULL || items == NULL || most == NULL)
        goto nomem;
    for (int p = 0; p < t->panelists; p++)
        if (json_array_append_new(cuts, json_pack("{s:s, s:f}", "panelist", r->panelist[t->row[p]],
                                                  "cut", t->panelist_cut[p])) != 0)
            goto nomem;
    for (int i = 0; i < k; i++)
        if (json_array_append_new(items,
                                  json_pack("{s:s, s:f, s:o}", "id", r->item_id[i], "mean",
                                            t->item_mean[i], "sd", value_json(t->item_sd[i]))) != 0)
            goto nomem;
    for (int i = 0; t->panelists >= 2 && i < k && shown_n < ANGOFF_DISAGREE_SHOWN; i++, shown_n++)
        if (json_array_append_new(most, json_string(r->item_id[t->disagree[i]])) != 0)
            goto nomem;
    if (json_object_set_new(v, "panelist_cuts", cuts) != 0) {
        cuts = NULL;
        goto nomem;
    }
    if (json_object_set_new(v, "items", items) != 0) {
        cuts = items = NULL;
        goto nomem;
    }
    if (json_object_set_new(v, "most_disagreement", most) != 0) {
        cuts = items = most = NULL;
        goto nomem;
    }
    return v;

nomem:
    json_decref(v);
    json_decref(cuts);
    json_decref(items);
    json_decref(most);
    return NULL;
}

json_t *angoff_study_view(const struct angoff_ratings *r, const struct angoff_study *s)
{
    json_t *v = json_object(), *rounds = json_array();

    if (v == NULL || rounds == NULL || json_object_set_new(v, "items", json_integer(s->items)) != 0)
        goto nomem;
    for (int t = 0; t < s->rounds; t++)
        if (json_array_append_new(rounds, round_view(r, &s->round[t], s->items)) != 0)
            goto nomem;
    if (json_object_set_new(v, "rounds", rounds) != 0) {
        rounds = NULL;
        goto nomem;
    }
    return v;

nomem:
    json_decref(v);
    json_decref(rounds);
    return NULL;
}

/* --- impact and the compromises ------------------------------------------------------------ */

int angoff_raw_cut(double cut)
{
    double f = floor(cut);

    return (int)(cut - f <= ANGOFF_EPS ? f : f + 1.0);
}

void angoff_pass_rates(const int *total, int persons, int items, double *pass)
{
    for (int c = 0; c <= items; c++)
        pass[c] = 0.0;
    /* count each total, then pass[c] = (persons with total >= c) / persons */
    for (int p = 0; p < persons; p++)
        if (total[p] >= 0 && total[p] <= items)
            pass[total[p]] += 1.0;
    for (int c = items - 1; c >= 0; c--)
        pass[c] += pass[c + 1];
    for (int c = 0; c <= items; c++)
        pass[c] /= persons;
}

/* The curve y (items + 1 values at whole raw scores) at x in 0..items, straight between. */
static double curve_at(const double *y, int items, double x)
{
    int c = (int)floor(x);

    if (c >= items)
        return y[items];
    if (c < 0)
        return y[0];
    return y[c] + (y[c + 1] - y[c]) * (x - c);
}

/*
 * Where the curve y (straight between whole raw scores) meets the line a + b x for x in
 * lo..hi; of several meeting points the one nearest x0. Returns 1 and *x, or 0 when they do
 * not meet. A segment where curve and line coincide meets at its end nearest x0.
 */
static int meet(const double *y, int items, double a, double b, double lo, double hi, double x0,
                double *x)
{
    int found = 0;

    for (int c = (int)floor(lo); c < items && c <= hi; c++) {
        double s = c < lo ? lo : c, e = c + 1 > hi ? hi : c + 1;
        double ds = curve_at(y, items, s) - (a + b * s);
        double de = curve_at(y, items, e) - (a + b * e);
        double cand[2];
        int nc = 0;

        if (e < s)
            continue;
        if (fabs(ds) <= 1e-12)
            cand[nc++] = s;
        if (fabs(de) <= 1e-12)
            cand[nc++] = e;
        if (nc == 0 && ((ds < 0 && de > 0) || (ds > 0 && de < 0)))
            cand[nc++] = s + (e - s) * ds / (ds - de);
        for (int j = 0; j < nc; j++)
            if (!found || fabs(cand[j] - x0) < fabs(*x - x0)) {
                *x = cand[j];
                found = 1;
            }
    }
    return found;
}

/* Fills out's cut from x: the rate of curve y at x, the raw cut and its pass rate. */
static void settle(const double *pass, const double *y, int items, double x,
                   struct angoff_compromise *out)
{
    out->why = ANGOFF_CROSSES;
    out->x = x;
    out->rate = curve_at(y, items, x);
    out->raw_cut = angoff_raw_cut(x);
    if (out->raw_cut > items)
        out->raw_cut = items;
    out->raw_pass = pass[out->raw_cut];
}

void angoff_hofstee(const double *pass, int items, double kmin, double kmax, double fmin,
                    double fmax, struct angoff_compromise *out)
{
    double fail[ANGOFF_ITEMS_MAX + 1];
    double b = (fmin - fmax) / (kmax - kmin), a = fmax - b * kmin, x = 0.0;

    memset(out, 0, sizeof *out);
    for (int c = 0; c <= items; c++)
        fail[c] = 1.0 - pass[c];

    /* the fail rate rises with the cut and the line falls: they meet once, or not at all */
    if (curve_at(fail, items, kmin) > fmax + 1e-12) {
        out->why = ANGOFF_FAIL_ABOVE;
        return;
    }
    if (curve_at(fail, items, kmax) < fmin - 1e-12) {
        out->why = ANGOFF_FAIL_BELOW;
        return;
    }
    if (!meet(fail, items, a, b, kmin, kmax, kmin, &x)) {
        out->why = ANGOFF_FAIL_BELOW; /* not reached: the ends have opposite signs */
        return;
    }
    settle(pass, fail, items, x, out);
}

void angoff_beuk(const double *pass, int items, double cut_pct, double cut_sd, double pass_pct,
                 double pass_sd, struct angoff_compromise *out)
{
    double x0 = cut_pct * items / 100.0, x = 0.0, a, b;

    memset(out, 0, sizeof *out);
    if (cut_sd <= 0.0) {
        settle(pass, pass, items, x0, out);
        return;
    }

    /*
     * In percent, y = pass_pct - (pass_sd / cut_sd)(p - cut_pct) with p = 100 x / items;
     * as a fraction of x in raw points: a + b x.
     */
    b = -(pass_sd / cut_sd) / items;
    a = (pass_pct + (pass_sd / cut_sd) * cut_pct) / 100.0;
    if (!meet(pass, items, a, b, 0.0, (double)items, x0, &x)) {
        out->why = ANGOFF_NO_MEET;
        return;
    }
    settle(pass, pass, items, x, out);
}

const char *angoff_cross_text(enum angoff_cross why)
{
    switch (why) {
    case ANGOFF_CROSSES:
        return "The line meets the observed curve.";
    case ANGOFF_FAIL_ABOVE:
        return "The fail rate at k_min is already above f_max: the line and the observed "
               "fail-rate curve do not meet within the panel's bounds.";
    case ANGOFF_FAIL_BELOW:
        return "The fail rate at k_max is still below f_min: the line and the observed "
               "fail-rate curve do not meet within the panel's bounds.";
    case ANGOFF_NO_MEET:
        return "The line does not meet the observed pass-rate curve anywhere from 0 to 100 "
               "percent correct.";
    }
    return "Unknown.";
}
