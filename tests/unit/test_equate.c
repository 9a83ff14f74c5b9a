/*
 * test_equate.c — src/core/equate.c: the mean-mean shift and its SEs on hand-worked anchors,
 * a drifting anchor dropped (one at a time), the floor of two anchors, the refusals, and the
 * recovery of a known shift from two overlapping forms simulated and calibrated by CML
 * (core/simulate.c, core/rasch.c) with one anchor moved by 1 logit on the new form.
 *
 * Reference: Wright, B. D., & Stone, M. H. (1979). Best test design, ch. 5 (common-item
 * equating of Rasch calibrations by a mean shift).
 */
#include "testutil.h"

#include <math.h>

#include "core/equate.h"
#include "core/rasch.h"
#include "core/simulate.h"

/*
 * base {0, 1, -1, .5}, new {-.2, .8, -1.2, .3}: every base - new = .2, shift .2, every
 * displacement 0. SEs all .1: se_measurement = sqrt(4 x (.01 + .01)) / 4 = sqrt(.08)/4 =
 * .0707107; the spread is 0.
 */
static void test_exact_shift(void **state)
{
    const double b[] = {0, 1, -1, .5}, n[] = {-.2, .8, -1.2, .3}, se[] = {.1, .1, .1, .1};
    struct equate_result r;
    int kept[4];
    double d[4];

    (void)state;
    assert_int_equal(equate_shift(b, se, n, se, 4, EQUATE_DRIFT, &r, kept, d, NULL), CF_OK);
    assert_true(fabs(r.shift - .2) < 1e-12);
    assert_int_equal(r.kept_n, 4);
    assert_false(r.floor);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(kept[i], 1);
        assert_true(fabs(d[i]) < 1e-12);
    }
    assert_true(fabs(r.se_measurement - .0707107) < 1e-6);
    assert_true(r.se_spread < 1e-12);
    assert_true(fabs(r.se - r.se_measurement) < 1e-15);
}

/*
 * The spread: base {0, 0, 0}, new {0, -.2, .2}, SEs .01. Differences 0, .2, -.2: shift 0,
 * sd = sqrt((0 + .04 + .04)/2) = .2, se_spread = .2/sqrt(3) = .1154701; se_measurement =
 * sqrt(3 x .0002)/3 = .0081650; se is the larger, .1154701.
 */
static void test_spread(void **state)
{
    const double b[] = {0, 0, 0}, n[] = {0, -.2, .2}, se[] = {.01, .01, .01};
    struct equate_result r;
    int kept[3];
    double d[3];

    (void)state;
    assert_int_equal(equate_shift(b, se, n, se, 3, EQUATE_DRIFT, &r, kept, d, NULL), CF_OK);
    assert_true(fabs(r.shift) < 1e-12);
    assert_true(fabs(r.se_spread - .1154701) < 1e-6);
    assert_true(fabs(r.se_measurement - .0081650) < 1e-6);
    assert_true(fabs(r.se - .1154701) < 1e-6);
}

/*
 * Drift: the anchors of test_exact_shift and a fifth, base 0 and new -1.2 (moved by 1).
 * Round 1: shift = (4 x .2 + 1.2)/5 = .4; displacements .2 for the four (not above .3) and
 * -1.2 + .4 - 0 = -.8 for the fifth: dropped. Round 2: shift .2, displacements 0; the
 * dropped anchor's is -1.2 + .2 = -1.0.
 */
static void test_drift_dropped(void **state)
{
    const double b[] = {0, 1, -1, .5, 0}, n[] = {-.2, .8, -1.2, .3, -1.2},
                 se[] = {.1, .1, .1, .1, .1};
    struct equate_result r;
    int kept[5];
    double d[5];

    (void)state;
    assert_int_equal(equate_shift(b, se, n, se, 5, EQUATE_DRIFT, &r, kept, d, NULL), CF_OK);
    assert_true(fabs(r.shift - .2) < 1e-12);
    assert_int_equal(r.kept_n, 4);
    assert_int_equal(kept[4], 0);
    assert_true(fabs(d[4] - (-1.0)) < 1e-12);
    /* with a threshold of 1.5 nothing is dropped: shift .4 */
    assert_int_equal(equate_shift(b, se, n, se, 5, 1.5, &r, kept, d, NULL), CF_OK);
    assert_true(fabs(r.shift - .4) < 1e-12);
    assert_int_equal(r.kept_n, 5);
}

/*
 * The floor: two anchors, base {0, 1}, new {0, 0}: shift .5, displacements .5 and -.5, both
 * above .3, but two are the least: both kept and floor set. One anchor is refused; so is a
 * threshold of 0.
 */
static void test_floor_and_refusals(void **state)
{
    const double b[] = {0, 1}, n[] = {0, 0}, se[] = {.1, .1};
    struct equate_result r;
    struct cf_error err;
    int kept[2];
    double d[2];

    (void)state;
    assert_int_equal(equate_shift(b, se, n, se, 2, EQUATE_DRIFT, &r, kept, d, NULL), CF_OK);
    assert_true(r.floor);
    assert_int_equal(r.kept_n, 2);
    assert_true(fabs(r.shift - .5) < 1e-12);
    assert_true(fabs(d[0] - .5) < 1e-12 && fabs(d[1] + .5) < 1e-12);
    assert_int_equal(equate_shift(b, se, n, se, 1, EQUATE_DRIFT, &r, kept, d, &err), CF_EINVAL);
    assert_int_equal(equate_shift(b, se, n, se, 2, 0.0, &r, kept, d, &err), CF_EINVAL);
}

#define SIM_N  3000
#define SIM_K  30 /* items 0..19 on form A, 10..29 on form B: 10 anchors */
#define FORM_K 20

/* Calibrates persons n of one form (items from first, 20 of them) with difficulties b. */
static void calibrate_form(struct sim_rng *rng, const double *b, struct rasch_fit *fit)
{
    double *theta = malloc(SIM_N * sizeof *theta);
    signed char *x = malloc((size_t)SIM_N * FORM_K);

    assert_non_null(theta);
    assert_non_null(x);
    sim_normals(rng, theta, SIM_N, 0);
    sim_responses(rng, b, FORM_K, theta, SIM_N, 0.0, x);
    assert_int_equal(rasch_cml(x, SIM_N, FORM_K, fit, NULL), CF_OK);
    free(theta);
    free(x);
}

/*
 * Two forms of 20 items sharing items 10..19, calibrated apart (each centred on its own
 * items). Form B's item 10 is 1 logit harder than on form A. The true shift that puts B on
 * A's scale is mean(b_B's 20 items) - mean(b_A's 20 items) (each form's centring undone);
 * the equating must find it within .1 logit, drop item 10 and no other anchor.
 */
static void test_simulated_forms(void **state)
{
    double b[SIM_K], ba[FORM_K], bb[FORM_K], base[10], se_base[10], nw[10], se_new[10], d[10];
    double ma = 0.0, mb = 0.0;
    struct sim_rng rng;
    struct rasch_fit fa, fb;
    struct equate_result r;
    int kept[10];

    (void)state;
    sim_seed(&rng, 20261203);
    sim_normals(&rng, b, SIM_K, 1);
    for (int i = 0; i < FORM_K; i++) {
        ba[i] = b[i];
        bb[i] = b[10 + i] + (i == 0 ? 1.0 : 0.0);
        ma += ba[i] / FORM_K;
        mb += bb[i] / FORM_K;
    }
    calibrate_form(&rng, ba, &fa);
    calibrate_form(&rng, bb, &fb);
    for (int a = 0; a < 10; a++) {
        base[a] = fa.difficulty[10 + a];
        se_base[a] = fa.se[10 + a];
        nw[a] = fb.difficulty[a];
        se_new[a] = fb.se[a];
    }
    assert_int_equal(equate_shift(base, se_base, nw, se_new, 10, EQUATE_DRIFT, &r, kept, d, NULL),
                     CF_OK);
    if (fabs(r.shift - (mb - ma)) > .1)
        fail_msg("shift %.4f, true %.4f", r.shift, mb - ma);
    assert_int_equal(kept[0], 0);
    for (int a = 1; a < 10; a++)
        assert_int_equal(kept[a], 1);
    assert_true(fabs(d[0] - 1.0) < .25);
    /* a B-only item on A's scale: b_B + shift near its true value minus A's mean */
    assert_true(fabs(fb.difficulty[15] + r.shift - (b[25] - ma)) < .2);
    rasch_fit_free(&fa);
    rasch_fit_free(&fb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_shift),     cmocka_unit_test(test_spread),
        cmocka_unit_test(test_drift_dropped),   cmocka_unit_test(test_floor_and_refusals),
        cmocka_unit_test(test_simulated_forms),
    };

    return cmocka_run_group_tests_name("equate", tests, NULL, NULL);
}
