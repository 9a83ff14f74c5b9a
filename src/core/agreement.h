/*
 * agreement.h — how far raters agree, pure: Cohen's kappa for two raters (unweighted, and
 * weighted with linear or quadratic agreement weights over the rubric's full scale) and the
 * six intraclass correlations of Shrout & Fleiss (1979). docs/stats.md has the formulas.
 *
 * Ratings are a matrix of n subjects (rows) by r raters (columns) of whole numbers, the
 * rubric levels 1..K; AGREEMENT_MISSING marks a rating not given.
 *
 * Missing ratings: kappa uses the subjects both raters rated; ICC uses the subjects every
 * rater rated (complete cases). The others are counted in "dropped", never imputed.
 *
 * Undefined values: a statistic that cannot be computed is reported as not defined, with
 * the reason (enum agreement_why), never as NaN or infinity:
 *   - fewer than 2 usable subjects (n < 2): AGREEMENT_FEW_SUBJECTS, every value;
 *   - fewer than 2 raters: AGREEMENT_FEW_RATERS, every ICC (kappa needs exactly two);
 *   - K = 1: the weights divide by K - 1, so the weighted kappas are AGREEMENT_ONE_LEVEL
 *     (the unweighted kappa then has expected agreement 1: AGREEMENT_NO_VARIANCE);
 *   - a denominator of 0 (within AGREEMENT_EPS) or below: AGREEMENT_NO_VARIANCE, that value
 *     only (every subject rated alike; both raters giving one same level throughout; or,
 *     for ICC(2,k) alone, a negative estimate when neither subjects nor raters differ).
 */
#ifndef CF_CORE_AGREEMENT_H
#define CF_CORE_AGREEMENT_H

#include <jansson.h>
#include <stddef.h>

#include "lib/err.h"

#define AGREEMENT_MISSING    0                    /* a rating not given */
#define AGREEMENT_LEVELS_MAX 100                  /* K at most: a rubric has a handful */
#define AGREEMENT_MAX_BYTES  (8u * 1024u * 1024u) /* a ratings file read at most */
#define AGREEMENT_EPS        1e-9 /* a denominator this close to 0 is 0 (levels are whole) */
#define AGREEMENT_MSG_MAX    256  /* one problem's message and its NUL */

enum agreement_why {
    AGREEMENT_DEFINED = 0,
    AGREEMENT_FEW_SUBJECTS, /* fewer than 2 subjects rated by the raters compared */
    AGREEMENT_FEW_RATERS,   /* fewer than 2 raters */
    AGREEMENT_ONE_LEVEL,    /* K = 1: the weights are not defined */
    AGREEMENT_NO_VARIANCE,  /* the denominator is 0 or below */
};

/* One statistic: value is meaningful only when defined (it is 0 otherwise). */
struct agreement_value {
    double value;
    int defined;
    enum agreement_why why; /* AGREEMENT_DEFINED when defined */
};

/* n x r ratings, row by row (x[i * r + j]: subject i, rater j); the caller's, only read. */
struct agreement_matrix {
    const int *x;
    size_t n;
    size_t r;
};

/*
 * The ICCs with their ingredients: the two-way ANOVA of the complete subjects (Shrout &
 * Fleiss's BMS, WMS, JMS and EMS are msr, msw, msc and mse here). The sums of squares and
 * mean squares are 0 when their degrees of freedom are 0.
 */
struct agreement_icc {
    size_t n;       /* complete subjects used */
    size_t k;       /* raters */
    size_t dropped; /* subjects missing at least one rating */
    double mean;    /* the grand mean of the ratings used */
    double sst;     /* total sum of squares, df n*k - 1 */
    double ssr;     /* between subjects (rows), df n - 1 */
    double ssw;     /* within subjects, df n(k - 1) */
    double ssc;     /* between raters (columns), df k - 1 */
    double sse;     /* residual, df (n - 1)(k - 1) */
    double msr, msw, msc, mse;
    struct agreement_value icc1, icc2, icc3;    /* single rater: ICC(1,1), ICC(2,1), ICC(3,1) */
    struct agreement_value icc1k, icc2k, icc3k; /* mean of k raters: ICC(1,k) ... */
};

/* One kappa with its observed and expected (weighted) agreement, both in 0..1. */
struct agreement_kappa_part {
    struct agreement_value kappa;
    double observed;
    double expected;
};

struct agreement_kappa {
    size_t n;                               /* subjects both raters rated */
    size_t dropped;                         /* subjects one or both did not rate */
    int levels;                             /* K, the rubric's full scale */
    struct agreement_kappa_part unweighted; /* Cohen (1960) */
    struct agreement_kappa_part linear;     /* Cohen (1968), w = 1 - |i-j|/(K-1) */
    struct agreement_kappa_part quadratic;  /* Cohen (1968), w = 1 - (i-j)^2/(K-1)^2 */
};

/*
 * The six ICCs of m's complete subjects into *out. m->r may be anything (fewer than 2
 * raters leaves every value undefined). Returns CF_OK, or CF_ENOMEM (then *out is zeroed).
 */
int agreement_icc(const struct agreement_matrix *m, struct agreement_icc *out);

/*
 * The three kappas of the two raters of m (m->r must be 2) over a scale of levels (K >= 1)
 * levels, into *out. A rating other than AGREEMENT_MISSING outside 1..levels, r != 2 or
 * levels outside 1..AGREEMENT_LEVELS_MAX is CF_EINVAL with err set (err may be NULL);
 * CF_ENOMEM when memory runs out. *out is zeroed on failure.
 */
int agreement_kappa(const struct agreement_matrix *m, int levels, struct agreement_kappa *out,
                    struct cf_error *err);

/* A ratings file read by agreement_csv(). */
struct agreement_table {
    int *x;          /* n x r ratings (malloc'd; agreement_table_free) */
    size_t n;        /* subjects: the file's rows */
    size_t r;        /* raters: the file's columns after the first */
    int levels;      /* K: the one given, else the largest level in the file */
    size_t complete; /* subjects every rater rated */
};

/*
 * Reads the n bytes at p as a ratings file: a header line, then one row per subject, the
 * first column the subject's id, then one column per rater holding a level 1..K or nothing.
 * levels is K when given (>= 1), 0 to take the largest level present. Every problem goes to
 * *problems (a new array of {"line", "column", "message"}, in file order): the file's own
 * (lib/csv.h), then a level that is not a whole number, below 1, above K (or above
 * AGREEMENT_LEVELS_MAX), an empty or repeated subject id, fewer than 2 rater columns, and,
 * when the cells are fine, fewer than 2 subjects every rater rated. Returns CF_OK with *t
 * filled, CF_EINVAL when there is a problem, CF_ETOOBIG past AGREEMENT_MAX_BYTES (with a
 * problem), CF_ENOMEM (then *problems may be NULL). *t is zeroed unless CF_OK.
 */
int agreement_csv(const char *p, size_t n, int levels, struct agreement_table *t,
                  json_t **problems);

/* Frees what t holds and zeroes it (t may be NULL). */
void agreement_table_free(struct agreement_table *t);

/*
 * The JSON view of a table's agreement: {"subjects", "raters", "levels",
 * "complete_subjects", "icc": {"ICC1", ..., "ICC3k"}, "kappa": {"unweighted", "linear",
 * "quadratic"} (two raters only), "details": the ingredients and the methods}; undefined
 * values are null. kappa may be NULL (more than two raters). A new reference, or NULL when
 * memory runs out.
 */
json_t *agreement_view(const struct agreement_table *t, const struct agreement_icc *icc,
                       const struct agreement_kappa *kappa);

/*
 * agreement_csv(), then the ICCs, the kappas when there are two raters, and the view into
 * *out (a new reference). Returns as agreement_csv() does; *out is NULL unless CF_OK.
 */
int agreement_report(const char *p, size_t n, int levels, json_t **out, json_t **problems);

/* The reason a value is undefined, as a short English phrase ("" when defined). */
const char *agreement_why_text(enum agreement_why why);

#endif
