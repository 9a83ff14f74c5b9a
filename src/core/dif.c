/*
 * dif.c — Mantel-Haenszel DIF by stratum of total score (dif.h has the formulas).
 */
#include "core/dif.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rasch.h"

void dif_add_stratum(struct dif_sums *s, double a, double b, double c, double d)
{
    double t = a + b + c + d, nr = a + b, nf = c + d, m1 = a + c, m0 = b + d;
    double p, q, r, ss;

    if (t < 2.0 || nr == 0.0 || nf == 0.0)
        return;
    p = (a + d) / t;
    q = (b + c) / t;
    r = a * d / t;
    ss = b * c / t;
    s->ad_t += r;
    s->bc_t += ss;
    s->pr += p * r;
    s->ps_qr += p * ss + q * r;
    s->qs += q * ss;
    s->a += a;
    s->ea += nr * m1 / t;
    s->va += nr * nf * m1 * m0 / (t * t * (t - 1.0));
    s->strata++;
}

char dif_ets_class(double d, double se, double chi2)
{
    double ad = fabs(d);

    if (ad < 1.0 || !(chi2 >= DIF_CHI2_05))
        return 'A';
    if (ad >= 1.5 && se > 0.0 && (ad - 1.0) / se > DIF_Z_05_ONE)
        return 'C';
    return 'B';
}

void dif_from_sums(const struct dif_sums *s, struct dif_item *out)
{
    double var, dev;

    out->strata = s->strata;
    out->defined = 0;
    out->alpha = out->d = out->se = out->chi2 = 0.0;
    out->ets = '-';
    if (!(s->ad_t > 0.0) || !(s->bc_t > 0.0) || !(s->va > 0.0))
        return;
    out->defined = 1;
    out->alpha = s->ad_t / s->bc_t;
    out->d = -DIF_DELTA * log(out->alpha);
    var = s->pr / (2.0 * s->ad_t * s->ad_t) + s->ps_qr / (2.0 * s->ad_t * s->bc_t) +
          s->qs / (2.0 * s->bc_t * s->bc_t);
    out->se = DIF_DELTA * sqrt(var);
    /* The continuity correction applies when the difference is at least a half, as R's
     * mantelhaen.test() does (tests/http/exam_link_cli.test.mjs compares with it). */
    dev = fabs(s->a - s->ea);
    if (dev >= 0.5)
        dev -= 0.5;
    out->chi2 = dev * dev / s->va;
    out->ets = dif_ets_class(out->d, out->se, out->chi2);
}

int dif_mh(const signed char *x, int n, int k, const int *group, struct dif_item *out,
           int *left_missing, struct cf_error *err)
{
    int *total = NULL, *cnt = NULL, nref = 0, nfoc = 0;
    int rc = CF_OK;

    *left_missing = 0;
    if (k < 1 || n < 0)
        return cf_error_set(err, CF_EINVAL, "responses", "DIF needs at least one item.");
    total = malloc(((size_t)n + 1) * sizeof *total);
    /* cnt[(s * 2 + g) * 2 + right]: persons of stratum s, group g, right or wrong */
    cnt = malloc(((size_t)k + 1) * 4 * sizeof *cnt);
    if (total == NULL || cnt == NULL) {
        rc = CF_ENOMEM;
        goto out;
    }

    /* Each person's total, or -1 when left out. */
    for (int p = 0; p < n; p++) {
        int t = 0;

        if (group[p] != DIF_GROUP_REF && group[p] != DIF_GROUP_FOCAL &&
            group[p] != DIF_GROUP_NONE) {
            rc = cf_error_set(err, CF_EINVAL, "group", "Person %d has no valid group.", p + 1);
            goto out;
        }
        for (int i = 0; i < k && t >= 0; i++) {
            signed char v = x[(size_t)p * (size_t)k + (size_t)i];

            if (v == RASCH_MISSING)
                t = -2;
            else if (v == 0 || v == 1)
                t += v;
            else {
                rc = cf_error_set(err, CF_EINVAL, "responses",
                                  "Person %d, item %d: the cell is not 0, 1 or missing.", p + 1,
                                  i + 1);
                goto out;
            }
        }
        if (group[p] == DIF_GROUP_NONE) {
            total[p] = -1;
        } else if (t == -2) {
            total[p] = -1;
            (*left_missing)++;
        } else {
            total[p] = t;
            if (group[p] == DIF_GROUP_REF)
                nref++;
            else
                nfoc++;
        }
    }
    if (nref == 0 || nfoc == 0) {
        rc = cf_error_set(err, CF_EINVAL, "group",
                          "The %s group has no person with a response to every item.",
                          nref == 0 ? "reference" : "focal");
        goto out;
    }

    for (int i = 0; i < k; i++) {
        struct dif_sums s;

        memset(&s, 0, sizeof s);
        memset(cnt, 0, ((size_t)k + 1) * 4 * sizeof *cnt);
        for (int p = 0; p < n; p++)
            if (total[p] >= 0)
                cnt[(total[p] * 2 + group[p]) * 2 + x[(size_t)p * (size_t)k + (size_t)i]]++;
        for (int t = 0; t <= k; t++) {
            const int *c = &cnt[t * 4];

            /* A ref right, B ref wrong, C focal right, D focal wrong */
            dif_add_stratum(&s, c[1], c[0], c[3], c[2]);
        }
        dif_from_sums(&s, &out[i]);
        out[i].n_ref = nref;
        out[i].n_focal = nfoc;
    }

out:
    free(total);
    free(cnt);
    return rc;
}
