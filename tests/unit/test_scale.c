/*
 * test_scale.c — src/core/scale.c: the scaled score formula, its rounding and clamps, the
 * cut's ability against an ability found here by bisection, and a score table whose
 * symmetry is known.
 */
#include "testutil.h"

#include <math.h>

#include "core/scale.h"

/* The ability where sum_i 1/(1 + exp(b_i - theta)) = r, by bisection (independent of rasch). */
static double theta_bisect(const double *b, int k, int r)
{
    double lo = -20.0, hi = 20.0;

    for (int it = 0; it < 200; it++) {
        double mid = (lo + hi) / 2.0, s = 0.0;

        for (int i = 0; i < k; i++)
            s += 1.0 / (1.0 + exp(b[i] - mid));
        if (s < r)
            lo = mid;
        else
            hi = mid;
    }
    return (lo + hi) / 2.0;
}

/* 600 + 100 (theta - cut), rounded half away from zero, kept within 0..800. */
static void test_score(void **state)
{
    (void)state;
    assert_int_equal(scale_score(0.0, 0.0), 600);
    assert_int_equal(scale_score(1.3, 0.8), 650);    /* 600 + 100 x .5 */
    assert_int_equal(scale_score(0.006, 0.0), 601);  /* 600.6 */
    assert_int_equal(scale_score(-0.004, 0.0), 600); /* 599.6 */
    assert_int_equal(scale_score(2.0, 0.0), 800);    /* 800: the top, not clamped */
    assert_int_equal(scale_score(2.5, 0.0), 800);    /* 850 clamped */
    assert_int_equal(scale_score(-6.0, 0.0), 0);     /* 0 */
    assert_int_equal(scale_score(-7.0, 0.0), 0);     /* -100 clamped */
    assert_int_equal(scale_score(NAN, 0.0), 0);
}

/*
 * Three items b = {-1, 0, 1}, cut 1. theta_cut solves sum P = 1 (bisection here). By the
 * symmetry of b, theta(2) = -theta(1), so raw 2 scales to round(600 + 100 x (-2 theta_cut)).
 * Raw 0 and 3 have no ability: 0 and 800. The cut's row is 600.
 */
static void test_table(void **state)
{
    const double b[] = {-1.0, 0.0, 1.0};
    struct scale_row rows[4];
    struct cf_error err;
    double tc, want = theta_bisect(b, 3, 1);

    (void)state;
    assert_int_equal(scale_cut_theta(b, 3, 1, &tc, &err), CF_OK);
    assert_true(fabs(tc - want) < 1e-7);
    assert_true(tc < 0.0);
    assert_int_equal(scale_table(b, 3, tc, rows, &err), CF_OK);
    assert_false(rows[0].finite);
    assert_int_equal(rows[0].scaled, 0);
    assert_false(rows[3].finite);
    assert_int_equal(rows[3].scaled, 800);
    assert_true(rows[1].finite && rows[2].finite);
    assert_int_equal(rows[1].scaled, 600);
    assert_true(fabs(rows[2].theta + tc) < 1e-7);
    assert_int_equal(rows[2].scaled, (int)round(600.0 - 200.0 * tc));
    assert_true(rows[1].se > 0.0);

    /* the cut must be 1..k-1 */
    assert_int_equal(scale_cut_theta(b, 3, 0, &tc, &err), CF_EINVAL);
    assert_int_equal(scale_cut_theta(b, 3, 3, &tc, &err), CF_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_score),
        cmocka_unit_test(test_table),
    };

    return cmocka_run_group_tests_name("scale", tests, NULL, NULL);
}
