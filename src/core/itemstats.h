/*
 * itemstats.h — classical item analysis of a scored response file, pure (issue 10 point 5):
 * per item the p-value, the point-biserial item-total and item-rest correlations and alpha
 * if the item is deleted; for the test KR-20, Cronbach's alpha and the standard error of
 * measurement. docs/exam.md has the formulas.
 *
 * Missing cells (items not presented):
 *   - p counts every person presented the item: right answers / persons presented;
 *   - everything else (the correlations, alpha, KR-20, alpha if deleted, the SEM) uses the
 *     complete persons only, those presented every item (listwise deletion, as R's
 *     psych::alpha(x, use = "complete.obs")); their number is persons_complete. A total
 *     over the presented items only would compare persons on different tests.
 *
 * Undefined values are reported as not defined with the reason (enum itemstats_why), never
 * as NaN: a correlation with an item or a total that does not vary among the complete
 * persons divides by a standard deviation of 0; alpha and KR-20 need 2 items and a total
 * that varies; alpha if deleted needs 2 items left; all need 2 complete persons.
 */
#ifndef CF_CORE_ITEMSTATS_H
#define CF_CORE_ITEMSTATS_H

#include <jansson.h>

#include "core/responses.h"
#include "lib/err.h"

#define ITEMSTATS_EPS 1e-12 /* a variance this close to 0 is 0 (scores are 0 and 1) */

/* Flag thresholds (docs/exam.md says why these). */
#define ITEMSTATS_EASY_P 0.95 /* p above this: too easy */
#define ITEMSTATS_HARD_P 0.20 /* p below this: too hard */
#define ITEMSTATS_LOW_R  0.15 /* item-rest r below this (and not below 0): low discrimination */
#define ITEMSTATS_NEG_R  0.0  /* item-rest r below this: negative discrimination */

enum itemstats_flag {
    ITEMSTATS_TOO_EASY = 1,
    ITEMSTATS_TOO_HARD = 2,
    ITEMSTATS_LOW_DISCRIMINATION = 4,
    ITEMSTATS_NEGATIVE_DISCRIMINATION = 8,
};

enum itemstats_why {
    ITEMSTATS_DEFINED = 0,
    ITEMSTATS_NOT_PRESENTED,     /* no person was presented the item */
    ITEMSTATS_FEW_PERSONS,       /* fewer than 2 persons were presented every item */
    ITEMSTATS_FEW_ITEMS,         /* fewer than 2 items (left, for alpha if deleted) */
    ITEMSTATS_ITEM_NO_VARIANCE,  /* the complete persons all scored the item alike */
    ITEMSTATS_TOTAL_NO_VARIANCE, /* the complete persons all have the same total */
    ITEMSTATS_REST_NO_VARIANCE,  /* ... the same total without the item */
};

/* One statistic: value is meaningful only when defined (it is 0 otherwise). */
struct itemstats_value {
    double value;
    int defined;
    enum itemstats_why why; /* ITEMSTATS_DEFINED when defined */
};

struct itemstats_item {
    int presented;                    /* persons presented the item */
    int right;                        /* of them, right */
    struct itemstats_value p;         /* right / presented */
    struct itemstats_value r_pb;      /* Pearson r of the item with the total */
    struct itemstats_value r_pb_rest; /* ... with the total less the item */
    struct itemstats_value alpha_if_deleted;
    unsigned flags; /* enum itemstats_flag, or-ed */
};

struct itemstats {
    int persons;                 /* rows of the file */
    int items;                   /* item columns */
    int persons_complete;        /* persons presented every item: the rest is over them */
    struct itemstats_value mean; /* of the total score */
    struct itemstats_value sd;   /* of the total score, divisor n - 1 */
    struct itemstats_value alpha;
    struct itemstats_value kr20;
    struct itemstats_value sem;
    struct itemstats_item *item; /* items of them (malloc'd; itemstats_free) */
};

/*
 * The item analysis of r into *out. Returns CF_OK, or CF_ENOMEM (then *out is zeroed).
 * r is only read.
 */
int itemstats_compute(const struct responses *r, struct itemstats *out);

/* Frees what s holds and zeroes it (s may be NULL). */
void itemstats_free(struct itemstats *s);

/*
 * The JSON of `ctoframe exam analyze`: {"persons", "persons_complete", "item_count",
 * "alpha", "kr20", "sem", "mean_total", "sd_total", "items": [{"id", "presented", "p",
 * "r_pb", "r_pb_rest", "alpha_if_deleted", "flags": [...], "null_because": {...}}],
 * "null_because": {...}}; an undefined value is null and null_because names why. A new
 * reference, or NULL when memory runs out.
 */
json_t *itemstats_view(const struct responses *r, const struct itemstats *s);

/* The reason a value is undefined, as a short English phrase ("" when defined). */
const char *itemstats_why_text(enum itemstats_why why);

#endif
