/*
 * itemstats.c — classical item analysis: p-values, point-biserials, alpha if deleted,
 * KR-20 (Kuder & Richardson 1937, formula 20), Cronbach's alpha (1951) and the SEM.
 */
#include "core/itemstats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"

/* A value that is not defined, for reason why. */
static struct itemstats_value undefined(enum itemstats_why why)
{
    struct itemstats_value v = {0.0, 0, why};

    return v;
}

static struct itemstats_value defined(double x)
{
    struct itemstats_value v = {x, 1, ITEMSTATS_DEFINED};

    return v;
}

/* 1 when person i of r was presented every item. */
static int complete(const struct responses *r, int i)
{
    for (int j = 0; j < r->items; j++)
        if (r->x[(size_t)i * (size_t)r->items + (size_t)j] == RESP_MISSING)
            return 0;
    return 1;
}

/*
 * Pearson r from the sum of cross products and the two sums of squared deviations, or
 * undefined when either sum of squares is 0: why_a for the first, why_b for the second.
 */
static struct itemstats_value pearson(double sxy, double sxx, double syy, enum itemstats_why why_a,
                                      enum itemstats_why why_b)
{
    if (sxx <= ITEMSTATS_EPS)
        return undefined(why_a);
    if (syy <= ITEMSTATS_EPS)
        return undefined(why_b);
    return defined(sxy / sqrt(sxx * syy));
}

/* The flags of an item from its p and its item-rest r (thresholds in itemstats.h). */
static unsigned flags_of(const struct itemstats_item *it)
{
    unsigned f = 0;

    if (it->p.defined && it->p.value > ITEMSTATS_EASY_P)
        f |= ITEMSTATS_TOO_EASY;
    if (it->p.defined && it->p.value < ITEMSTATS_HARD_P)
        f |= ITEMSTATS_TOO_HARD;
    if (it->r_pb_rest.defined && it->r_pb_rest.value < ITEMSTATS_NEG_R)
        f |= ITEMSTATS_NEGATIVE_DISCRIMINATION;
    else if (it->r_pb_rest.defined && it->r_pb_rest.value < ITEMSTATS_LOW_R)
        f |= ITEMSTATS_LOW_DISCRIMINATION;
    return f;
}

/*
 * Two passes over the complete persons: the means (of each item and of the total) first,
 * then the sums of squared deviations and cross products, more accurate than sums of
 * squares less a correction term. With n complete persons and k items:
 *   sxx[j]  = sum (x_j - mean_j)^2          (item j's variance times n - 1)
 *   sxt[j]  = sum (x_j - mean_j)(X - mean_X)
 *   stt     = sum (X - mean_X)^2
 * the rest score X - x_j then has sum of squares stt - 2 sxt[j] + sxx[j] and cross product
 * with x_j sxt[j] - sxx[j].
 */
int itemstats_compute(const struct responses *r, struct itemstats *out)
{
    size_t k = (size_t)(r->items > 0 ? r->items : 0);
    double *mean = NULL, *sxx = NULL, *sxt = NULL;
    double n = 0.0, kk = (double)k, mean_t = 0.0, stt = 0.0, sum_sxx = 0.0;
    int rc = CF_OK;

    memset(out, 0, sizeof *out);
    out->persons = r->persons;
    out->items = r->items;
    out->item = calloc(k + 1, sizeof *out->item);
    mean = calloc(k + 1, sizeof *mean);
    sxx = calloc(k + 1, sizeof *sxx);
    sxt = calloc(k + 1, sizeof *sxt);
    if (out->item == NULL || mean == NULL || sxx == NULL || sxt == NULL) {
        rc = CF_ENOMEM;
        goto out;
    }

    /* p over every person presented the item; the means over the complete persons. */
    for (int i = 0; i < r->persons; i++) {
        const signed char *row = r->x + (size_t)i * k;
        int all = complete(r, i);
        int total = 0;

        for (size_t j = 0; j < k; j++) {
            if (row[j] == RESP_MISSING)
                continue;
            out->item[j].presented++;
            out->item[j].right += row[j];
            if (all) {
                mean[j] += row[j];
                total += row[j];
            }
        }
        if (all) {
            out->persons_complete++;
            mean_t += total;
        }
    }
    n = (double)out->persons_complete;
    for (size_t j = 0; j < k; j++) {
        struct itemstats_item *it = &out->item[j];

        it->p = it->presented > 0 ? defined((double)it->right / it->presented)
                                  : undefined(ITEMSTATS_NOT_PRESENTED);
        if (n > 0)
            mean[j] /= n;
    }
    if (n > 0)
        mean_t /= n;

    /* The deviations. */
    for (int i = 0; i < r->persons; i++) {
        const signed char *row = r->x + (size_t)i * k;
        double dt = -mean_t;

        if (!complete(r, i))
            continue;
        for (size_t j = 0; j < k; j++)
            dt += row[j];
        stt += dt * dt;
        for (size_t j = 0; j < k; j++) {
            double dx = row[j] - mean[j];

            sxx[j] += dx * dx;
            sxt[j] += dx * dt;
        }
    }
    for (size_t j = 0; j < k; j++)
        sum_sxx += sxx[j];

    /* The test: mean and SD of the total, alpha, KR-20, SEM. */
    if (out->persons_complete < 2) {
        out->mean = n > 0 ? defined(mean_t) : undefined(ITEMSTATS_FEW_PERSONS);
        out->sd = out->alpha = out->kr20 = out->sem = undefined(ITEMSTATS_FEW_PERSONS);
    } else {
        double sum_pq = 0.0;

        out->mean = defined(mean_t);
        out->sd = defined(sqrt(stt / (n - 1.0)));
        if (k < 2) {
            out->alpha = out->kr20 = out->sem = undefined(ITEMSTATS_FEW_ITEMS);
        } else if (stt <= ITEMSTATS_EPS) {
            out->alpha = out->kr20 = out->sem = undefined(ITEMSTATS_TOTAL_NO_VARIANCE);
        } else {
            /* Cronbach: k/(k-1) (1 - sum s_j^2 / s_X^2), variances with divisor n - 1. */
            double s2t = stt / (n - 1.0), sum_s2 = sum_sxx / (n - 1.0);

            out->alpha = defined(kk / (kk - 1.0) * (1.0 - sum_s2 / s2t));
            /* KR-20: k/(k-1) (1 - sum p_j q_j / sigma_X^2), sigma^2 with divisor n. */
            for (size_t j = 0; j < k; j++)
                sum_pq += mean[j] * (1.0 - mean[j]);
            out->kr20 = defined(kk / (kk - 1.0) * (1.0 - sum_pq / (stt / n)));
            out->sem = defined(out->sd.value * sqrt(1.0 - out->alpha.value));
        }
    }

    /* Each item: the two correlations and alpha without it. */
    for (size_t j = 0; j < k; j++) {
        struct itemstats_item *it = &out->item[j];
        double srr = stt - 2.0 * sxt[j] + sxx[j], sxr = sxt[j] - sxx[j];

        if (out->persons_complete < 2) {
            it->r_pb = it->r_pb_rest = it->alpha_if_deleted = undefined(ITEMSTATS_FEW_PERSONS);
            it->flags = flags_of(it);
            continue;
        }
        it->r_pb =
            pearson(sxt[j], sxx[j], stt, ITEMSTATS_ITEM_NO_VARIANCE, ITEMSTATS_TOTAL_NO_VARIANCE);
        it->r_pb_rest =
            pearson(sxr, sxx[j], srr, ITEMSTATS_ITEM_NO_VARIANCE, ITEMSTATS_REST_NO_VARIANCE);
        if (k < 3)
            it->alpha_if_deleted = undefined(ITEMSTATS_FEW_ITEMS);
        else if (srr <= ITEMSTATS_EPS)
            it->alpha_if_deleted = undefined(ITEMSTATS_REST_NO_VARIANCE);
        else
            it->alpha_if_deleted =
                defined((kk - 1.0) / (kk - 2.0) * (1.0 - (sum_sxx - sxx[j]) / srr));
        it->flags = flags_of(it);
    }

out:
    free(mean);
    free(sxx);
    free(sxt);
    if (rc != CF_OK)
        itemstats_free(out);
    return rc;
}

void itemstats_free(struct itemstats *s)
{
    if (s == NULL)
        return;
    free(s->item);
    memset(s, 0, sizeof *s);
}

const char *itemstats_why_text(enum itemstats_why why)
{
    switch (why) {
    case ITEMSTATS_DEFINED:
        return "";
    case ITEMSTATS_NOT_PRESENTED:
        return "no person was presented the item";
    case ITEMSTATS_FEW_PERSONS:
        return "fewer than 2 persons were presented every item";
    case ITEMSTATS_FEW_ITEMS:
        return "fewer than 2 items";
    case ITEMSTATS_ITEM_NO_VARIANCE:
        return "every complete person scored the item alike, so it does not vary";
    case ITEMSTATS_TOTAL_NO_VARIANCE:
        return "every complete person has the same total score";
    case ITEMSTATS_REST_NO_VARIANCE:
        return "every complete person has the same total without this item";
    }
    return "";
}

/* --- the view -------------------------------------------------------------------------- */

/* A value as a JSON number, or null when undefined. */
static json_t *value_json(const struct itemstats_value *v)
{
    return v->defined && isfinite(v->value) ? json_real(v->value) : json_null();
}

/* Adds name: the reason to why when v is undefined; 0, or -1 when memory runs out. */
static int add_why(json_t *why, const char *name, const struct itemstats_value *v)
{
    if (v->defined)
        return 0;
    return json_object_set_new(why, name, json_string(itemstats_why_text(v->why)));
}

/* The flags of an item as an array of names. */
static json_t *flags_view(unsigned f)
{
    json_t *a = json_array();

    if (a == NULL)
        return NULL;
    if (((f & ITEMSTATS_TOO_EASY) && json_array_append_new(a, json_string("too_easy")) != 0) ||
        ((f & ITEMSTATS_TOO_HARD) && json_array_append_new(a, json_string("too_hard")) != 0) ||
        ((f & ITEMSTATS_LOW_DISCRIMINATION) &&
         json_array_append_new(a, json_string("low_discrimination")) != 0) ||
        ((f & ITEMSTATS_NEGATIVE_DISCRIMINATION) &&
         json_array_append_new(a, json_string("negative_discrimination")) != 0)) {
        json_decref(a);
        return NULL;
    }
    return a;
}

/* One item's object. */
static json_t *item_view(const char *id, const struct itemstats_item *it)
{
    json_t *why = json_object();
    json_t *v;

    if (why == NULL)
        return NULL;
    if (add_why(why, "p", &it->p) != 0 || add_why(why, "r_pb", &it->r_pb) != 0 ||
        add_why(why, "r_pb_rest", &it->r_pb_rest) != 0 ||
        add_why(why, "alpha_if_deleted", &it->alpha_if_deleted) != 0) {
        json_decref(why);
        return NULL;
    }
    v = json_pack("{s:s, s:i, s:o, s:o, s:o, s:o, s:o, s:o}", "id", id, "presented", it->presented,
                  "p", value_json(&it->p), "r_pb", value_json(&it->r_pb), "r_pb_rest",
                  value_json(&it->r_pb_rest), "alpha_if_deleted", value_json(&it->alpha_if_deleted),
                  "flags", flags_view(it->flags), "null_because", why);
    return v;
}

json_t *itemstats_view(const struct responses *r, const struct itemstats *s)
{
    json_t *items = json_array(), *why = json_object(), *v = NULL;

    if (items == NULL || why == NULL)
        goto fail;
    for (int j = 0; j < s->items; j++)
        if (json_array_append_new(items, item_view(r->item_id[j], &s->item[j])) != 0)
            goto fail;
    if (add_why(why, "alpha", &s->alpha) != 0 || add_why(why, "kr20", &s->kr20) != 0 ||
        add_why(why, "sem", &s->sem) != 0 || add_why(why, "mean_total", &s->mean) != 0 ||
        add_why(why, "sd_total", &s->sd) != 0)
        goto fail;
    v = json_pack("{s:i, s:i, s:i, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "persons", s->persons,
                  "persons_complete", s->persons_complete, "item_count", s->items, "alpha",
                  value_json(&s->alpha), "kr20", value_json(&s->kr20), "sem", value_json(&s->sem),
                  "mean_total", value_json(&s->mean), "sd_total", value_json(&s->sd), "items",
                  items, "null_because", why);
    return v;

fail:
    json_decref(items);
    json_decref(why);
    return NULL;
}
