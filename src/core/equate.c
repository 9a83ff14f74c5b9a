/*
 * equate.c — the mean-mean shift of the Rasch model with drifting anchors dropped one at a
 * time (equate.h has the method).
 */
#include "core/equate.h"

#include <math.h>
#include <string.h>

/* The shift and its SEs over the kept anchors, and every anchor's displacement. */
static void compute(const double *base, const double *se_base, const double *new_b,
                    const double *se_new, int m, const int *kept, struct equate_result *out,
                    double *disp)
{
    double sum = 0.0, var = 0.0, ss = 0.0;
    int n = 0;

    for (int i = 0; i < m; i++)
        if (kept[i]) {
            sum += base[i] - new_b[i];
            var += se_base[i] * se_base[i] + se_new[i] * se_new[i];
            n++;
        }
    out->kept_n = n;
    out->shift = sum / n;
    for (int i = 0; i < m; i++) {
        disp[i] = new_b[i] + out->shift - base[i];
        if (kept[i])
            ss += disp[i] * disp[i]; /* d_i = -(diff_i - mean): squares of deviations */
    }
    out->se_measurement = sqrt(var) / n;
    out->se_spread = n >= 2 ? sqrt(ss / (n - 1)) / sqrt((double)n) : 0.0;
    out->se = out->se_spread > out->se_measurement ? out->se_spread : out->se_measurement;
}

int equate_shift(const double *base, const double *se_base, const double *new_b,
                 const double *se_new, int m, double drift, struct equate_result *out, int *kept,
                 double *disp, struct cf_error *err)
{
    memset(out, 0, sizeof *out);
    if (m < EQUATE_MIN_ANCHORS)
        return cf_error_set(err, CF_EINVAL, "anchors",
                            "The forms share %d item%s; equating needs at least %d anchors.", m,
                            m == 1 ? "" : "s", EQUATE_MIN_ANCHORS);
    if (!(drift > 0.0) || !isfinite(drift))
        return cf_error_set(err, CF_EINVAL, "drift",
                            "The drift threshold must be a positive number of logits.");
    for (int i = 0; i < m; i++) {
        if (!isfinite(base[i]) || !isfinite(new_b[i]) || !(se_base[i] > 0.0) ||
            !(se_new[i] > 0.0) || !isfinite(se_base[i]) || !isfinite(se_new[i]))
            return cf_error_set(err, CF_EINVAL, "anchors",
                                "Anchor %d has a difficulty or SE that is not a finite number "
                                "(SEs must be above 0).",
                                i + 1);
        kept[i] = 1;
    }

    for (;;) {
        int worst = -1;

        compute(base, se_base, new_b, se_new, m, kept, out, disp);
        for (int i = 0; i < m; i++)
            if (kept[i] && fabs(disp[i]) > drift &&
                (worst < 0 || fabs(disp[i]) > fabs(disp[worst])))
                worst = i;
        if (worst < 0)
            break;
        if (out->kept_n <= EQUATE_MIN_ANCHORS) {
            out->floor = 1;
            break;
        }
        kept[worst] = 0;
    }
    return CF_OK;
}
