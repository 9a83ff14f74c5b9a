/*
 * dif.h — Mantel-Haenszel differential item functioning between a reference and a focal
 * group (issue 10 point 6), pure, with the ETS A/B/C classes.
 *
 * Persons are matched on their total raw score over all k items (the studied item
 * included, as Holland & Thayer 1988 advise); each score 0..k is a stratum. A person with
 * any missing cell has no total on the same items as the others and is left out of every
 * item's analysis (counted). Per item and stratum s: A right and B wrong in the reference
 * group, C right and D wrong in the focal group, T = A + B + C + D. A stratum with fewer
 * than two persons or only one group adds nothing.
 *
 *   alpha_MH = sum(A D / T) / sum(B C / T)       (Mantel & Haenszel 1959)
 *   D        = -2.35 ln alpha_MH                 (MH D-DIF, the ETS delta metric)
 *   Var(ln alpha_MH), Robins, Breslow & Greenland (1986), with P = (A + D)/T,
 *   Q = (B + C)/T, R = A D / T, S = B C / T:
 *     sum(P R) / (2 (sum R)^2) + sum(P S + Q R) / (2 sum R sum S) + sum(Q S) / (2 (sum S)^2)
 *   SE(D)    = 2.35 sqrt(Var(ln alpha_MH))
 *   chi2_MH  = (|sum A - sum E(A)| - 1/2)^2 / sum Var(A), E(A) = n_R m_1 / T,
 *              Var(A) = n_R n_F m_1 m_0 / (T^2 (T - 1))  (with continuity correction)
 *
 * D < 0: the item is harder for the focal group than for reference-group persons of the
 * same total score (it favours the reference group); D > 0 favours the focal group.
 *
 * ETS classes (Zieky 1993; Dorans & Holland 1993):
 *   A  |D| < 1, or D not significantly different from 0: chi2_MH < DIF_CHI2_05
 *   C  |D| >= 1.5 and |D| significantly greater than 1: (|D| - 1) / SE(D) > DIF_Z_05_ONE
 *   B  otherwise
 */
#ifndef CF_CORE_DIF_H
#define CF_CORE_DIF_H

#include "lib/err.h"

#define DIF_DELTA       2.35     /* the ETS delta scale: 4 / 1.702 rounded, as ETS uses it */
#define DIF_CHI2_05     3.841459 /* chi-square (1 df) at .05: 1.959964^2 */
#define DIF_Z_05_ONE    1.644854 /* one-sided normal quantile at .05 */
#define DIF_GROUP_REF   0
#define DIF_GROUP_FOCAL 1
#define DIF_GROUP_NONE  (-1)

/* Sums of one item's 2 x 2 x K table (what dif_from_sums needs). */
struct dif_sums {
    double ad_t, bc_t;    /* sum A D / T, sum B C / T */
    double pr, ps_qr, qs; /* the RBG sums */
    double a, ea, va;     /* sum A, sum E(A), sum Var(A) */
    int strata;           /* strata that added something */
};

/* One item's result. */
struct dif_item {
    int defined;        /* 0 when alpha_MH is 0, infinite or undefined: then only strata, n set */
    double alpha;       /* alpha_MH */
    double d;           /* MH D-DIF */
    double se;          /* SE of D */
    double chi2;        /* MH chi-square with continuity correction */
    char ets;           /* 'A', 'B' or 'C' ('-' when not defined) */
    int strata;         /* strata used */
    int n_ref, n_focal; /* persons used in each group */
};

/* Adds one stratum (a, b, c, d as above) to s. */
void dif_add_stratum(struct dif_sums *s, double a, double b, double c, double d);

/* The result from the sums into *out (defined = 0 when sum AD/T or sum BC/T is 0). */
void dif_from_sums(const struct dif_sums *s, struct dif_item *out);

/* The ETS class of D with its SE and the MH chi-square. */
char dif_ets_class(double d, double se, double chi2);

/*
 * Mantel-Haenszel DIF for each of the k items of the n x k responses x (0, 1 or
 * RASCH_MISSING) with group[p] DIF_GROUP_REF, DIF_GROUP_FOCAL or DIF_GROUP_NONE (left out)
 * into out[0..k-1]; *left_missing gets the persons left out for a missing cell. Returns
 * CF_OK, CF_ENOMEM, or CF_EINVAL with err set when k < 1, a cell or group is out of range,
 * or either group has no person with complete responses.
 */
int dif_mh(const signed char *x, int n, int k, const int *group, struct dif_item *out,
           int *left_missing, struct cf_error *err);

#endif
