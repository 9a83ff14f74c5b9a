/*
 * rasch.h — the dichotomous Rasch model, pure: item difficulties by conditional maximum
 * likelihood (CML) as eRm::RM() estimates them, their standard errors, person abilities by
 * raw score, and infit and outfit mean-squares. docs/exam-rasch.md has the formulas.
 *
 * The model: P(x = 1 | theta, b) = exp(theta - b) / (1 + exp(theta - b)) for a person of
 * ability theta and an item of difficulty b.
 *
 * Responses are a matrix of n persons (rows) by k items (columns): 1 right, 0 wrong,
 * RASCH_MISSING not presented. Persons are grouped by the set of items presented to them;
 * the conditional likelihood is the product over groups, each with the elementary symmetric
 * functions of its own items. A person whose score is 0 or every presented item (or who was
 * presented none) carries no information on the items under CML and is left out, counted.
 */
#ifndef CF_CORE_RASCH_H
#define CF_CORE_RASCH_H

#include <stddef.h>

#include "lib/err.h"

#define RASCH_MISSING   (-1) /* a response not presented */
#define RASCH_ITEMS_MAX 1000 /* k at most: the ESFs of 1000 items stay within doubles */
#define RASCH_TOL       1e-8 /* converged when every |dlogL/db_i| is below this */
#define RASCH_ITER_MAX  100  /* Newton-Raphson steps at most */
#define RASCH_CLOSE     1e-4 /* eps_i, eps_j this close (relative) take the direct route */
#define RASCH_FIELD_LEN 32   /* "item N" and its NUL */

/* The elementary symmetric functions of eps[0..m-1]: gamma_r for r = 0..m, scaled. */
struct rasch_esf {
    double *g;    /* g[r] * exp(scale) = gamma_r (m + 1 values; malloc'd) */
    double scale; /* the common log scale factor */
    int m;
};

/*
 * gamma_0..gamma_m of eps[0..m-1] (each > 0) by the summation algorithm into *out (out->g
 * malloc'd; rasch_esf_free). Returns CF_OK or CF_ENOMEM (then *out is zeroed).
 */
int rasch_esf(const double *eps, int m, struct rasch_esf *out);

/* Frees what e holds and zeroes it (e may be NULL). */
void rasch_esf_free(struct rasch_esf *e);

/* The result of rasch_cml(). Arrays malloc'd, k values each; rasch_fit_free. */
struct rasch_fit {
    int k;               /* items */
    int persons;         /* persons in the data */
    int used;            /* persons used: neither zero nor perfect on the items presented */
    int zero;            /* persons left out with a score of 0 */
    int perfect;         /* persons left out with every presented item right */
    int none;            /* persons left out with no item presented */
    int groups;          /* distinct sets of presented items among the persons used */
    int iterations;      /* Newton-Raphson steps taken */
    double max_gradient; /* max |dlogL/db_i| at the solution */
    double loglik;       /* the conditional log-likelihood at the solution */
    double *difficulty;  /* b_i, centred: sum 0 */
    double *se;          /* SE of the centred b_i (see rasch_cml) */
    double *infit;       /* information-weighted mean-square */
    double *outfit;      /* unweighted mean-square */
    int *count;          /* persons used who were presented item i */
    int *score;          /* how many of them got item i right */
    double *theta;       /* k + 1 values: the ML ability for raw score r over all k items */
    double *theta_se;    /* and its SE; r = 0 and r = k have none (0 there) */
};

/*
 * Calibrates the k items of the n x k responses x (x[p * k + i]: 0, 1 or RASCH_MISSING) by
 * CML into *out. Newton-Raphson on the difficulties with the first item held fixed, the
 * result centred to sum 0; it stops when every |dlogL/db_i| (expected minus observed item
 * score) divided by the N_i persons used who were presented item i is below RASCH_TOL: a
 * criterion per person, so that a million persons' rounding does not keep it from
 * stopping.
 *
 * The SEs: the observed information I (k x k, singular: adding a constant to every b leaves
 * the likelihood unchanged) with the first item's row and column removed is inverted; that
 * is the covariance V of b_2..b_k with b_1 = 0; the centred difficulties are c = A b with
 * A = I - J/k, so their covariance is A V A' (delta method). It does not depend on the item
 * held fixed and is what eRm reports as se.beta (with sum0 = TRUE).
 *
 * theta[r] and theta_se[r] are rasch_theta() for r = 1..k-1 over all k calibrated items
 * (the score table of a person presented every item).
 *
 * Infit and outfit use each person's ML ability for their raw score over the items presented
 * to them (rasch_theta); only the persons used (no extreme score) count.
 *
 * Refused with CF_EINVAL and err set (err may be NULL): k < 2 or above RASCH_ITEMS_MAX, a
 * cell other than 0, 1 or RASCH_MISSING (named by person and item, from 1), fewer than 2
 * persons used, an item no person used was presented or that every one of them got right or
 * wrong (its difficulty would be infinite), items that do not form one connected design (no
 * finite CML estimate exists: Fischer 1981), no convergence within RASCH_ITER_MAX steps.
 * When one item is at fault (a bad cell, an item not estimable or not linked to item 1),
 * err->field is "item N" with N from 1, else "responses". CF_ENOMEM when memory runs out.
 * *out is zeroed unless CF_OK.
 */
int rasch_cml(const signed char *x, int n, int k, struct rasch_fit *out, struct cf_error *err);

/* Frees what f holds and zeroes it (f may be NULL). */
void rasch_fit_free(struct rasch_fit *f);

/*
 * The ML ability of a person with raw score r (0 < r < k) on the items of difficulties
 * b[0..k-1]: Newton on sum_i P_i(theta) = r, into *theta and its SE 1/sqrt(sum P(1-P)) into
 * *se. Returns CF_OK, or CF_EINVAL when r is 0, k or outside (no finite estimate).
 */
int rasch_theta(const double *b, int k, int r, double *theta, double *se);

#endif
