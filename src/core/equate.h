/*
 * equate.h — common-item equating of a new form's Rasch difficulties onto the base scale
 * (issue 10 point 6), pure. Under the Rasch model the two calibrations of the same items
 * differ only by an origin, so the link is one shift (mean-mean): shift = mean over the
 * anchors of (b_base - b_new), and a new-form difficulty on the base scale is b_new + shift.
 * docs/exam-rasch.md has the method and its references (Wright & Stone 1979, ch. 5;
 * Kolen & Brennan 2014, ch. 6).
 *
 * Drift: an anchor's displacement is d = b_new + shift - b_base. While some kept anchor has
 * |d| above the threshold, the one with the largest |d| is dropped and the shift recomputed
 * (one at a time: a single drifting anchor pulls the shift, so its neighbours may look
 * displaced until it is gone). Dropping stops at EQUATE_MIN_ANCHORS kept anchors: with two
 * left their displacements are equal and opposite and the data cannot say which one moved;
 * then floor is set, the two stay, and the caller must report it.
 */
#ifndef CF_CORE_EQUATE_H
#define CF_CORE_EQUATE_H

#include "lib/err.h"

#define EQUATE_DRIFT       0.3 /* logits: the default drift threshold */
#define EQUATE_MIN_ANCHORS 2   /* anchors kept at least, and needed at the start */

/* The result of equate_shift(). */
struct equate_result {
    double shift;          /* mean of b_base - b_new over the kept anchors */
    double se;             /* max(se_measurement, se_spread), see equate_shift */
    double se_measurement; /* sqrt(sum(se_base^2 + se_new^2)) / m */
    double se_spread;      /* sd(b_base - b_new) / sqrt(m), sd with m - 1; 0 when m < 2 */
    int kept_n;            /* m: anchors kept */
    int floor;             /* 1 when dropping stopped at EQUATE_MIN_ANCHORS with drift left */
};

/*
 * Equates over m anchors: base[i], se_base[i] their base-form difficulties and SEs, new[i],
 * se_new[i] their new-form ones. kept[i] (the caller's m ints) gets 1 for a kept anchor, 0
 * for a dropped one; disp[i] (the caller's m doubles) each anchor's displacement against
 * the final shift. drift is the threshold in logits (> 0; EQUATE_DRIFT by default).
 *
 * The SE of the shift: the shift is a mean of m differences, each measured with variance
 * se_base^2 + se_new^2, so from the calibrations alone SE = sqrt(sum(se_base^2 +
 * se_new^2)) / m; from the anchors' spread SE = sd(d) / sqrt(m). The spread holds the
 * measurement error and any drift left, so it is the honest figure when it is the larger;
 * when it is smaller (chance, with few anchors) the measurement SE is the floor. se is the
 * larger of the two; both are given.
 *
 * Returns CF_OK, or CF_EINVAL with err set (err may be NULL) when m < EQUATE_MIN_ANCHORS,
 * drift is not a positive finite number, or a value is not finite (SEs must be > 0).
 */
int equate_shift(const double *base, const double *se_base, const double *new_b,
                 const double *se_new, int m, double drift, struct equate_result *out, int *kept,
                 double *disp, struct cf_error *err);

#endif
