/* ce.c — continuing-education points: values, caps, the term window, what is still needed. */
#include "core/ce.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RULE_TEXT_MAX 160 /* the "4 points per certification; ..." part of a line's text */

/* The CETL categories (domain/cosn.md); the value of structured PD is assumed. */
static const struct ce_category cetl_cats[] = {
    {"pd", "hour", CE_PER_HOUR, 1, 0},
    {"certification", "certification", CE_PER_ITEM, 4, 12},
    {"membership", "membership-year", CE_PER_MEMBERSHIP_YEAR, 2, 0},
    {"publication", "publication", CE_PER_ITEM, 4, 12},
    {"teaching", "hour", CE_PER_HOUR, 1, 30},
    {"volunteer", "hour", CE_PER_HOUR, 1, 20},
};

void ce_rules_default(struct ce_rules *r)
{
    memset(r, 0, sizeof *r);
    for (size_t i = 0; i < sizeof cetl_cats / sizeof cetl_cats[0]; i++)
        r->cats[r->ncats++] = cetl_cats[i];
    r->required = CE_DEFAULT_NEEDED;
}

void ce_points_format(long hundredths, char *buf, size_t n)
{
    long whole = hundredths / CE_SCALE, frac = hundredths % CE_SCALE;
    const char *sign = "";

    if (n == 0)
        return;
    if (hundredths < 0) {
        sign = "-";
        whole = -whole;
        frac = -frac;
    }
    if (frac == 0)
        snprintf(buf, n, "%s%ld", sign, whole);
    else if (frac % 10 == 0)
        snprintf(buf, n, "%s%ld.%ld", sign, whole, frac / 10);
    else
        snprintf(buf, n, "%s%ld.%02ld", sign, whole, frac);
}

int ce_quantity_parse(const char *s, long *hundredths)
{
    long v = 0;
    int decimals = -1; /* -1: no point seen yet */
    size_t i;

    if (s == NULL || s[0] == '\0' || s[0] == '.')
        return -1;
    for (i = 0; s[i] != '\0'; i++) {
        if (s[i] == '.') {
            if (decimals >= 0)
                return -1;
            decimals = 0;
            continue;
        }
        if (s[i] < '0' || s[i] > '9' || decimals == 2)
            return -1;
        if (decimals >= 0)
            decimals++;
        v = v * 10 + (s[i] - '0');
        if (v > CE_QUANTITY_MAX * 100L) /* stop early: the scale is applied below */
            return -1;
    }
    if (decimals == 0) /* "2." */
        return -1;
    for (int d = decimals < 0 ? 0 : decimals; d < 2; d++)
        v *= 10;
    if (v <= 0 || v > CE_QUANTITY_MAX)
        return -1;
    *hundredths = v;
    return 0;
}

/* The category of code, or NULL. */
static const struct ce_category *category_of(const struct ce_rules *r, const char *code, int *idx)
{
    for (int i = 0; code != NULL && i < r->ncats; i++) {
        if (strcmp(r->cats[i].code, code) == 0) {
            *idx = i;
            return &r->cats[i];
        }
    }
    return NULL;
}

/* 1 when the rules can be used: known units, values and caps not negative, codes unique. */
static int rules_ok(const struct ce_rules *r)
{
    if (r == NULL || r->ncats < 0 || r->ncats > CE_CATEGORIES_MAX || r->required < 0)
        return 0;
    for (int i = 0; i < r->ncats; i++) {
        const struct ce_category *c = &r->cats[i];

        if (c->code[0] == '\0' || c->points < 0 || c->cap < 0 ||
            (c->unit != CE_PER_HOUR && c->unit != CE_PER_ITEM && c->unit != CE_PER_MEMBERSHIP_YEAR))
            return 0;
        for (int j = 0; j < i; j++)
            if (strcmp(r->cats[j].code, c->code) == 0)
                return 0;
    }
    return 1;
}

/* The noun of one unit of c ("hour", "certification", "membership-year"). */
static const char *unit_noun(const struct ce_category *c)
{
    if (c->unit == CE_PER_HOUR)
        return "hour";
    if (c->unit == CE_PER_MEMBERSHIP_YEAR)
        return "membership-year";
    return c->noun[0] != '\0' ? c->noun : "item";
}

/*
 * "4 points per certification; 12 counted at most per term" or, with the
 * quantity when it is not one unit, "1 point per hour for 1.5 hours; no cap".
 */
static void rule_text(const struct ce_category *c, long quantity, char *buf, size_t n)
{
    char q[CE_POINTS_MAX], for_part[CE_NOUN_MAX + CE_POINTS_MAX + 8] = "";
    const char *noun = unit_noun(c);

    if (quantity != CE_SCALE) {
        ce_points_format(quantity, q, sizeof q);
        snprintf(for_part, sizeof for_part, " for %s %ss", q, noun);
    }
    if (c->cap > 0)
        snprintf(buf, n, "%d point%s per %s%s; %d counted at most per term", c->points,
                 c->points == 1 ? "" : "s", noun, for_part, c->cap);
    else
        snprintf(buf, n, "%d point%s per %s%s; no cap", c->points, c->points == 1 ? "" : "s", noun,
                 for_part);
}

/* Fills err for activity i (0-based) of acts: "Activity 3, “Title”, ..." plus the fix. */
static int activity_error(struct cf_error *err, const char *field, size_t i,
                          const struct ce_activity *a, const char *fix)
{
    const char *title = a->title != NULL && a->title[0] != '\0' ? a->title : "(untitled)";

    return cf_error_set(err, CF_EINVAL, field, "Activity %zu, \u201c%.120s\u201d: %s", i + 1, title,
                        fix);
}

/* Checks one activity against the rules; CF_OK or CF_EINVAL naming it. */
static int check_activity(const struct ce_rules *r, const struct ce_activity *a, size_t i, int *cat,
                          struct cf_error *err)
{
    const struct ce_category *c = category_of(r, a->category, cat);
    int mapped = 0;

    if (c == NULL)
        return activity_error(err, "category", i, a,
                              "choose one of the program's activity categories.");
    for (size_t k = 0; a->skills != NULL && k < a->nskills; k++)
        if (a->skills[k] != NULL && a->skills[k][0] != '\0')
            mapped = 1;
    if (!mapped)
        return activity_error(err, "skills", i, a, "map it to at least one skill area.");
    if (!clock_date_valid(a->completed_on))
        return activity_error(err, "completed_on", i, a,
                              "give the day it was completed as YYYY-MM-DD.");
    if (a->quantity <= 0 || a->quantity > CE_QUANTITY_MAX)
        return activity_error(err, "quantity", i, a,
                              c->unit == CE_PER_HOUR
                                  ? "give its hours, more than 0 and at most 1000."
                                  : "give how many, at least 1 and at most 1000.");
    if (c->unit != CE_PER_HOUR && a->quantity % CE_SCALE != 0)
        return activity_error(err, "quantity", i, a, "give a whole number of items or years.");
    return CF_OK;
}

/* Activities in date order: the sort key (day, position) keeps ties in the order given. */
struct order {
    long day;
    size_t pos;
    int cat;
};

static int order_cmp(const void *a, const void *b)
{
    const struct order *x = a, *y = b;

    if (x->day != y->day)
        return x->day < y->day ? -1 : 1;
    return x->pos < y->pos ? -1 : (x->pos > y->pos);
}

/*
 * Three phases: check every activity (nothing is filled when one is wrong),
 * sort by completion day, then walk in that order spending each category's
 * cap. A line's counted points are what is left of the cap, at most what it
 * earned.
 */
int ce_compute(const struct ce_rules *r, const struct ce_activity *acts, size_t n,
               struct clock_date from, struct clock_date to, struct ce_line *lines,
               struct ce_result *res, struct cf_error *err)
{
    int rc = CF_OK;
    struct order *ord = NULL;
    long left[CE_CATEGORIES_MAX];
    char rule[RULE_TEXT_MAX], e[CE_POINTS_MAX], k[CE_POINTS_MAX], d1[CLOCK_DATE_LEN],
        d2[CLOCK_DATE_LEN];

    memset(res, 0, sizeof *res);
    if (n > 0)
        memset(lines, 0, n * sizeof *lines);
    if (!rules_ok(r)) {
        rc = cf_error_set(err, CF_EINVAL, NULL,
                          "The program's continuing-education rules are not usable; check its "
                          "categories, values and caps.");
        goto out;
    }
    if (!clock_date_valid(from) || !clock_date_valid(to) || clock_date_cmp(from, to) > 0) {
        rc = cf_error_set(err, CF_EINVAL, NULL,
                          "The term's dates are not usable; its start must be on or before its "
                          "end.");
        goto out;
    }
    if (n > 0) {
        ord = calloc(n, sizeof *ord);
        if (ord == NULL) {
            rc = cf_error_set(err, CF_ENOMEM, NULL, "Out of memory; try again.");
            goto out;
        }
    }

    /* 1. Every activity checked before anything is computed. */
    for (size_t i = 0; i < n; i++) {
        rc = check_activity(r, &acts[i], i, &ord[i].cat, err);
        if (rc != CF_OK)
            goto out;
        ord[i].day = clock_date_to_days(acts[i].completed_on);
        ord[i].pos = i;
    }

    /* 2. Date order. */
    if (n > 1)
        qsort(ord, n, sizeof *ord, order_cmp);

    /* 3. Spend the caps in that order. */
    for (int c = 0; c < r->ncats; c++) {
        left[c] = r->cats[c].cap > 0 ? (long)r->cats[c].cap * CE_SCALE : -1; /* -1: no cap */
        snprintf(res->cats[c].code, sizeof res->cats[c].code, "%s", r->cats[c].code);
    }
    res->ncats = r->ncats;
    for (size_t j = 0; j < n; j++) {
        const struct ce_activity *a = &acts[ord[j].pos];
        const struct ce_category *cat = &r->cats[ord[j].cat];
        struct ce_line *ln = &lines[ord[j].pos];
        struct ce_tally *t = &res->cats[ord[j].cat];
        long *cap_left = &left[ord[j].cat];

        ln->earned = (long)cat->points * a->quantity;
        rule_text(cat, a->quantity, rule, sizeof rule);
        ce_points_format(ln->earned, e, sizeof e);
        if (clock_date_cmp(a->completed_on, from) < 0 || clock_date_cmp(a->completed_on, to) > 0) {
            int before = clock_date_cmp(a->completed_on, from) < 0;

            clock_date_format(a->completed_on, d1, sizeof d1);
            clock_date_format(before ? from : to, d2, sizeof d2);
            snprintf(ln->text, sizeof ln->text,
                     "%s; completed on %s, %s this term %s on %s: 0 of %s counted.", rule, d1,
                     before ? "before" : "after", before ? "began" : "ended", d2, e);
            continue;
        }
        ln->in_term = 1;
        ln->counted = *cap_left < 0 || ln->earned <= *cap_left ? ln->earned : *cap_left;
        if (*cap_left >= 0)
            *cap_left -= ln->counted;
        t->earned += ln->earned;
        t->counted += ln->counted;
        res->earned += ln->earned;
        res->counted += ln->counted;

        ce_points_format(ln->counted, k, sizeof k);
        if (ln->counted == ln->earned)
            snprintf(ln->text, sizeof ln->text, "%s: %s of %s counted.", rule, k, e);
        else if (ln->counted > 0)
            snprintf(ln->text, sizeof ln->text, "%s: %s of %s counted, as the cap was reached.",
                     rule, k, e);
        else
            snprintf(ln->text, sizeof ln->text,
                     "%s: 0 of %s counted, as the cap was already reached.", rule, e);
    }
    res->required = (long)r->required * CE_SCALE;
    res->needed = res->counted >= res->required ? 0 : res->required - res->counted;
    res->by = to;
    res->eligible = res->counted >= res->required;

out:
    free(ord);
    if (rc != CF_OK) {
        memset(res, 0, sizeof *res);
        if (n > 0)
            memset(lines, 0, n * sizeof *lines);
    }
    return rc;
}
