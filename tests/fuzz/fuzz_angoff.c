/*
 * fuzz_angoff.c — libFuzzer harness for the Angoff ratings file and the study
 * (core/angoff.c: the path of `ctoframe exam angoff`), with the compromises on a curve
 * made from the same bytes.
 *
 * Any bytes must come back as filled ratings (0 problems) or as a list of problems with
 * nothing filled, each with a line and column from 1 and a message; the count returned is
 * the list's length. Ratings read have at least one item and one row, non-empty ids,
 * rounds 1..ANGOFF_ROUNDS_MAX and every rating in 0..1. The study then has rounds in
 * increasing order whose panelists add up to the rows, every cut within 0..items (the
 * panel's between its panelists' lowest and highest), SDs and SEs finite and not negative
 * and defined exactly when a round has two panelists or more, and item means in 0..1.
 * The pass rates made from the ratings (each row's cut rounded up as a total) fall from 1,
 * and the Hofstee and Beuk cuts, when they exist, lie within 0..items.
 * Built by `make fuzz` (clang):
 *   build/fuzz/fuzz_angoff -max_total_time=60 build/fuzz/work/angoff tests/fuzz/corpus/angoff
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/angoff.h"

#define TOL 1e-9

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts unless v is undefined (0) or finite and not negative, and defined as want says. */
static void check_sd(struct angoff_value v, int want)
{
    if (v.defined != want || (v.defined && (!isfinite(v.value) || v.value < 0.0)) ||
        (!v.defined && v.value != 0.0))
        abort();
}

/* The checks of one round t of a study of r. */
static void check_round(const struct angoff_ratings *r, const struct angoff_round *t)
{
    double lo = INFINITY, hi = -INFINITY;

    if (t->panelists < 1 || t->round < 1 || t->round > ANGOFF_ROUNDS_MAX)
        abort();
    for (int p = 0; p < t->panelists; p++) {
        if (r->round[t->row[p]] != t->round || t->panelist_cut[p] < -TOL ||
            t->panelist_cut[p] > r->items + TOL)
            abort();
        lo = fmin(lo, t->panelist_cut[p]);
        hi = fmax(hi, t->panelist_cut[p]);
    }
    if (!(t->cut >= lo - TOL && t->cut <= hi + TOL))
        abort();
    check_sd(t->sd, t->panelists >= 2);
    check_sd(t->se, t->panelists >= 2);
    for (int i = 0; i < r->items; i++) {
        if (!(t->item_mean[i] >= -TOL && t->item_mean[i] <= 1.0 + TOL))
            abort();
        check_sd(t->item_sd[i], t->panelists >= 2);
    }
}

/* The compromises on the pass rates of the rows' cuts taken as candidates' totals. */
static void check_compromises(const struct angoff_ratings *r, const struct angoff_study *s,
                              const uint8_t *data, size_t size)
{
    int k = r->items, *total = malloc((size_t)r->rows * sizeof *total), at = 0;
    double *pass = malloc(((size_t)k + 1) * sizeof *pass);
    struct angoff_compromise c;
    double v[4];

    if (total == NULL || pass == NULL)
        abort();
    for (int t = 0; t < s->rounds; t++)
        for (int p = 0; p < s->round[t].panelists; p++) {
            total[at] = angoff_raw_cut(s->round[t].panelist_cut[p]);
            if (total[at] < 0 || total[at] > k)
                abort();
            at++;
        }
    if (at != r->rows)
        abort();
    angoff_pass_rates(total, r->rows, k, pass);
    if (fabs(pass[0] - 1.0) > TOL)
        abort();
    for (int i = 1; i <= k; i++)
        if (pass[i] > pass[i - 1] + TOL || pass[i] < -TOL)
            abort();

    /* four numbers 0..100 from the first bytes */
    for (int i = 0; i < 4; i++)
        v[i] = size > (size_t)i ? (double)(data[i] % 101) : 50.0;
    if (v[0] < v[1] && v[2] < v[3]) {
        angoff_hofstee(pass, k, v[0] * k / 100.0, v[1] * k / 100.0, v[2] / 100.0, v[3] / 100.0, &c);
        if (c.why == ANGOFF_CROSSES &&
            (c.x < v[0] * k / 100.0 - TOL || c.x > v[1] * k / 100.0 + TOL || c.raw_cut < 0 ||
             c.raw_cut > k))
            abort();
    }
    angoff_beuk(pass, k, v[0], v[1] / 10.0, v[2], v[3] / 10.0, &c);
    if (c.why == ANGOFF_CROSSES && (c.x < -TOL || c.x > k + TOL || c.raw_cut < 0 || c.raw_cut > k ||
                                    c.rate < -TOL || c.rate > 1.0 + TOL))
        abort();
    free(total);
    free(pass);
}

/* The checks of a file read whole. */
static void check_read(const struct angoff_ratings *r, const uint8_t *data, size_t size)
{
    struct angoff_study s;
    int rows = 0;
    json_t *v;

    if (r->items < 1 || r->rows < 1 || r->items > ANGOFF_ITEMS_MAX)
        abort();
    for (int i = 0; i < r->items; i++)
        if (r->item_id[i] == NULL || r->item_id[i][0] == '\0' || r->item_col[i] < 1)
            abort();
    for (int p = 0; p < r->rows; p++) {
        if (r->panelist[p] == NULL || r->panelist[p][0] == '\0' || r->round[p] < 1 ||
            r->round[p] > ANGOFF_ROUNDS_MAX || r->line[p] < 2)
            abort();
        for (int i = 0; i < r->items; i++) {
            double x = r->rating[(size_t)p * (size_t)r->items + (size_t)i];

            if (!(x >= 0.0 && x <= 1.0))
                abort();
        }
    }

    if (angoff_study(r, &s) != CF_OK || s.rounds < 1)
        abort();
    for (int t = 0; t < s.rounds; t++) {
        if (t > 0 && s.round[t].round <= s.round[t - 1].round)
            abort();
        check_round(r, &s.round[t]);
        rows += s.round[t].panelists;
    }
    if (rows != r->rows)
        abort();
    v = angoff_study_view(r, &s);
    if (v == NULL || json_array_size(json_object_get(v, "rounds")) != (size_t)s.rounds)
        abort();
    json_decref(v);
    check_compromises(r, &s, data, size);
    angoff_study_free(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct angoff_ratings r;
    json_t *problems = NULL, *pb;
    size_t i;
    int n = angoff_parse((const char *)data, size, &r, &problems);

    if (n < 0 || (n > 0 && problems == NULL) || (size_t)n != json_array_size(problems))
        abort();
    if (n > 0 && (r.items != 0 || r.rows != 0 || r.item_id != NULL || r.rating != NULL ||
                  r.panelist != NULL || n > ANGOFF_MAX_PROBLEMS))
        abort();
    json_array_foreach(problems, i, pb)
    {
        if (json_integer_value(json_object_get(pb, "line")) < 1 ||
            json_integer_value(json_object_get(pb, "column")) < 1 ||
            json_string_value(json_object_get(pb, "message")) == NULL)
            abort();
    }
    if (n == 0)
        check_read(&r, data, size);

    angoff_ratings_free(&r);
    json_decref(problems);
    return 0;
}
