/*
 * scale.h — scaled scores from 0 to 800 with the cut at 600 (issue 10 points 6 and 7), pure.
 *
 *   scaled = clamp(round(600 + SCALE_SLOPE * (theta - theta_cut)), 0, 800)
 *
 * theta is the ML ability of a raw score on the calibrated items (rasch_theta), theta_cut
 * the ability of the raw cut score on the same items, so the raw cut maps to 600 exactly.
 * SCALE_SLOPE is 100 points per logit: one point is 0.01 logit, finer than any ability's
 * SE (0.2 logit and more on a 100-item form, 20 points), so rounding loses nothing; and
 * the 600 points below the cut and 200 above cover 6 logits down and 2 up before the clamp,
 * the range where candidates near a pass are. Raw scores 0 and k have no finite ML ability:
 * they get 0 and 800.
 */
#ifndef CF_CORE_SCALE_H
#define CF_CORE_SCALE_H

#include "lib/err.h"

#define SCALE_SLOPE 100.0 /* scaled points per logit */
#define SCALE_CUT   600   /* the scaled score of the raw cut */
#define SCALE_MIN   0
#define SCALE_MAX   800

/* One row of a raw-score table. */
struct scale_row {
    int raw;
    int finite; /* 0 for raw 0 and raw k: theta and se are 0, not estimates */
    double theta;
    double se;
    int scaled;
};

/* The scaled score of ability theta when the cut's ability is theta_cut. */
int scale_score(double theta, double theta_cut);

/*
 * The table raw = 0..k of the k items of difficulties b into rows (the caller's k + 1),
 * against theta_cut. Returns CF_OK, or CF_EINVAL with err set when k < 1.
 */
int scale_table(const double *b, int k, double theta_cut, struct scale_row *rows,
                struct cf_error *err);

/*
 * The ability of raw cut score cut on the k items of difficulties b into *theta_cut.
 * Returns CF_OK, or CF_EINVAL with err set when cut is not 1..k-1 (0 and k have no finite
 * ability, so no cut can be placed there).
 */
int scale_cut_theta(const double *b, int k, int cut, double *theta_cut, struct cf_error *err);

#endif
