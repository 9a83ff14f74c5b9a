/*
 * scale.c — raw score to ability to scaled score (scale.h has the formula and why).
 */
#include "core/scale.h"

#include <math.h>

#include "core/rasch.h"

int scale_score(double theta, double theta_cut)
{
    double s = round(SCALE_CUT + SCALE_SLOPE * (theta - theta_cut));

    if (!(s > SCALE_MIN)) /* NaN too */
        return SCALE_MIN;
    if (s > SCALE_MAX)
        return SCALE_MAX;
    return (int)s;
}

int scale_cut_theta(const double *b, int k, int cut, double *theta_cut, struct cf_error *err)
{
    double se;

    *theta_cut = 0.0;
    if (k < 2 || cut < 1 || cut > k - 1)
        return cf_error_set(err, CF_EINVAL, "cut",
                            "The raw cut score must be from 1 to %d (the number of items less "
                            "one): a raw score of 0 or every item has no finite ability.",
                            k - 1);
    if (rasch_theta(b, k, cut, theta_cut, &se) != CF_OK)
        return cf_error_set(err, CF_EINVAL, "cut", "The ability of raw score %d has no estimate.",
                            cut);
    return CF_OK;
}

int scale_table(const double *b, int k, double theta_cut, struct scale_row *rows,
                struct cf_error *err)
{
    if (k < 1)
        return cf_error_set(err, CF_EINVAL, "items", "A score table needs at least one item.");
    for (int r = 0; r <= k; r++) {
        struct scale_row *w = &rows[r];

        w->raw = r;
        w->theta = w->se = 0.0;
        w->finite = r > 0 && r < k && rasch_theta(b, k, r, &w->theta, &w->se) == CF_OK;
        if (w->finite)
            w->scaled = scale_score(w->theta, theta_cut);
        else
            w->scaled = r == 0 ? SCALE_MIN : SCALE_MAX;
    }
    return CF_OK;
}
