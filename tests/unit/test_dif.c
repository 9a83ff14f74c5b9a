/*
 * test_dif.c — src/core/dif.c: Mantel-Haenszel DIF on a published 2 x 2 x K table (Agresti's
 * Penicillin and Rabbits, with R's documented results) and on two hand-worked tables (the
 * arithmetic written out beside each assertion), the ETS class boundaries exactly, and dif_mh on a
 * small response matrix whose strata are worked out by hand, with persons left out for a missing
 * cell or no group.
 *
 * References:
 *   Mantel, N., & Haenszel, W. (1959). JNCI, 22, 719-748.
 *   Robins, J., Breslow, N., & Greenland, S. (1986). Estimators of the Mantel-Haenszel
 *     variance consistent in both sparse data and large-strata limiting models. Biometrics,
 *     42, 311-323.
 *   Holland, P. W., & Thayer, D. T. (1988). Differential item performance and the
 *     Mantel-Haenszel procedure. In Wainer & Braun (Eds.), Test validity, 129-145.
 *   Agresti, A. (1990). Categorical data analysis. Wiley, pp. 231-237.
 *   Mantel, N. (1963). Chi-square tests with one degree of freedom. JASA, 58, 690-700.
 *   Zieky, M. (1993). Practical questions in the use of DIF statistics in test development.
 *     In Holland & Wainer (Eds.), Differential item functioning, 337-347.
 */
#include "testutil.h"

#include <math.h>

#include "core/dif.h"
#include "core/rasch.h"

/*
 * Table 1, two strata (A ref right, B ref wrong, C focal right, D focal wrong):
 *   s1: A=10 B=10 C=5  D=15 T=40    s2: A=20 B=5 C=10 D=10 T=45
 * sum AD/T = 150/40 + 200/45 = 3.75 + 4.444444 = 8.194444 (73.75/9)
 * sum BC/T =  50/40 +  50/45 = 1.25 + 1.111111 = 2.361111 (21.25/9)
 * alpha = 73.75 / 21.25 = 3.470588;  D = -2.35 ln 3.470588 = -2.35 x 1.244324 = -2.924162
 * RBG: s1 P=25/40=.625 Q=.375 R=3.75 S=1.25; s2 P=30/45 Q=15/45 R=4.444444 S=1.111111
 *   sum PR = 2.34375 + 2.962963 = 5.306713
 *   sum PS+QR = .78125 + 1.40625 + .740741 + 1.481481 = 4.409722
 *   sum QS = .46875 + .370370 = .839120
 *   Var = 5.306713/(2 x 67.148919) + 4.409722/(2 x 8.194444 x 2.361111)
 *         + .839120/(2 x 5.574846) = .039514 + .113958 + .075259 = .228732
 *   SE(D) = 2.35 sqrt(.228732) = 2.35 x .478259 = 1.123910
 * chi2: s1 E = 20 x 15/40 = 7.5, V = 20 x 20 x 15 x 25 / (40^2 x 39) = 2.403846
 *       s2 E = 25 x 30/45 = 16.666667, V = 25 x 20 x 30 x 15 / (45^2 x 44) = 2.525253
 *   (|30 - 24.166667| - .5)^2 / 4.929099 = 5.333333^2 / 4.929099 = 28.444444 / 4.929099
 *   = 5.770719
 * ETS: |D| >= 1.5, chi2 > 3.841, (2.924162 - 1)/1.123910 = 1.712 > 1.645: C, favouring
 * the reference group (D < 0).
 */
static void test_table_one(void **state)
{
    struct dif_sums s;
    struct dif_item r;

    (void)state;
    memset(&s, 0, sizeof s);
    dif_add_stratum(&s, 10, 10, 5, 15);
    dif_add_stratum(&s, 20, 5, 10, 10);
    dif_from_sums(&s, &r);
    assert_true(r.defined);
    assert_int_equal(r.strata, 2);
    assert_true(fabs(r.alpha - 3.470588) < 1e-5);
    assert_true(fabs(r.d - (-2.924162)) < 1e-5);
    assert_true(fabs(r.se - 1.123910) < 1e-5);
    assert_true(fabs(r.chi2 - 5.770719) < 1e-5);
    assert_int_equal(r.ets, 'C');
}

/*
 * Table 2: one stratum A=B=C=D=10 (no DIF): alpha = (100/40)/(100/40) = 1, D = 0; E(A) =
 * 20 x 20/40 = 10 = A, so |0| - .5 < 0 is taken as 0 and chi2 = 0; class A. A stratum with
 * one group only (A=5, B=5, C=D=0) or one person adds nothing: strata stays 1.
 */
static void test_table_two(void **state)
{
    struct dif_sums s;
    struct dif_item r;

    (void)state;
    memset(&s, 0, sizeof s);
    dif_add_stratum(&s, 10, 10, 10, 10);
    dif_add_stratum(&s, 5, 5, 0, 0);
    dif_add_stratum(&s, 1, 0, 0, 0);
    dif_from_sums(&s, &r);
    assert_true(r.defined);
    assert_int_equal(r.strata, 1);
    assert_true(fabs(r.alpha - 1.0) < 1e-12);
    assert_true(fabs(r.d) < 1e-12);
    assert_true(r.chi2 == 0.0);
    assert_int_equal(r.ets, 'A');

    /* every reference person right, every focal person wrong: sum BC/T = 0, undefined */
    memset(&s, 0, sizeof s);
    dif_add_stratum(&s, 5, 0, 0, 5);
    dif_from_sums(&s, &r);
    assert_false(r.defined);
    assert_int_equal(r.ets, '-');
}

/*
 * A published example: Agresti (1990, pp. 231-237), Penicillin and Rabbits (the data of
 * Mantel 1963), as printed by R's documented example(mantelhaen.test) in R 4: common odds
 * ratio 7, Mantel-Haenszel X-squared = 3.9286 (with continuity correction), 95 percent
 * confidence interval 1.026713 to 47.725133, which R computes as exp(ln alpha -/+ 1.959964
 * SE) with the RBG variance. Strata (A None cured, B None died, C 1.5h cured, D 1.5h died):
 * 1/8: 0 6 0 5; 1/4: 3 3 0 6; 1/2: 6 0 2 4; 1: 5 1 6 0; 4: 2 0 5 0. The ETS delta of
 * alpha 7 is -2.35 ln 7 = -2.35 x 1.945910 = -4.572889.
 */
static void test_rabbits(void **state)
{
    struct dif_sums s;
    struct dif_item r;
    double lse;

    (void)state;
    memset(&s, 0, sizeof s);
    dif_add_stratum(&s, 0, 6, 0, 5);
    dif_add_stratum(&s, 3, 3, 0, 6);
    dif_add_stratum(&s, 6, 0, 2, 4);
    dif_add_stratum(&s, 5, 1, 6, 0);
    dif_add_stratum(&s, 2, 0, 5, 0);
    dif_from_sums(&s, &r);
    assert_true(r.defined);
    assert_true(fabs(r.alpha - 7.0) < 1e-12);
    assert_true(fabs(r.chi2 - 3.9286) < 5e-5);
    assert_true(fabs(r.d - (-4.572889)) < 1e-6);
    lse = r.se / DIF_DELTA;
    assert_true(fabs(exp(log(7.0) - 1.959964 * lse) - 1.026713) < 5e-6);
    assert_true(fabs(exp(log(7.0) + 1.959964 * lse) - 47.725133) < 5e-4);
}

/* The ETS rules at their boundaries. */
static void test_ets_boundaries(void **state)
{
    (void)state;
    /* A: |D| < 1 whatever the significance */
    assert_int_equal(dif_ets_class(0.999999, 0.01, 1000.0), 'A');
    assert_int_equal(dif_ets_class(-0.999999, 0.01, 1000.0), 'A');
    /* |D| = 1 exactly is not below 1: B when significant */
    assert_int_equal(dif_ets_class(1.0, 0.01, 1000.0), 'B');
    /* A: not significant, chi2 just below 3.841459, even with |D| = 3 */
    assert_int_equal(dif_ets_class(3.0, 0.01, 3.8414), 'A');
    assert_int_equal(dif_ets_class(3.0, 0.01, DIF_CHI2_05), 'C');
    /* C needs |D| >= 1.5: 1.5 exactly with z = 0.5/0.1 = 5 is C, 1.499999 is B */
    assert_int_equal(dif_ets_class(1.5, 0.1, 100.0), 'C');
    assert_int_equal(dif_ets_class(-1.5, 0.1, 100.0), 'C');
    assert_int_equal(dif_ets_class(1.499999, 0.1, 100.0), 'B');
    /* and (|D| - 1)/SE > 1.644854: z exactly 1.644854 is not above (B); a hair more is C */
    assert_int_equal(dif_ets_class(2.0, 1.0 / 1.644854, 100.0), 'B');
    assert_int_equal(dif_ets_class(2.0, 1.0 / 1.6449, 100.0), 'C');
}

/*
 * dif_mh on k = 2 items. Reference: 3 persons (1,0), 1 person (0,1); focal: 1 person (1,0),
 * 3 persons (0,1); every one has total 1, one stratum. Item 1: A=3 B=1 C=1 D=3 T=8:
 * alpha = (9/8)/(1/8) = 9, D = -2.35 ln 9 = -5.163478 (favours the reference group).
 * Item 2: A=1 B=3 C=3 D=1: alpha = 1/9, D = +5.163478. A reference person with a missing
 * cell and a person of no group are left out.
 */
static void test_dif_mh(void **state)
{
    const signed char x[] = {1, 0,
                             1, 0,
                             1, 0,
                             0, 1, /* reference */
                             1, 0,
                             0, 1,
                             0, 1,
                             0, 1,             /* focal */
                             1, RASCH_MISSING, /* reference, missing */
                             1, 1};            /* no group */
    const int g[] = {0, 0, 0, 0, 1, 1, 1, 1, 0, DIF_GROUP_NONE};
    struct dif_item out[2];
    struct cf_error err;
    int missing = -1;

    (void)state;
    assert_int_equal(dif_mh(x, 10, 2, g, out, &missing, &err), CF_OK);
    assert_int_equal(missing, 1);
    assert_int_equal(out[0].n_ref, 4);
    assert_int_equal(out[0].n_focal, 4);
    assert_true(fabs(out[0].alpha - 9.0) < 1e-12);
    assert_true(fabs(out[0].d - (-5.163478)) < 1e-6);
    assert_true(fabs(out[1].alpha - 1.0 / 9.0) < 1e-12);
    assert_true(fabs(out[1].d - 5.163478) < 1e-6);

    /* no focal person with complete responses: refused */
    {
        const int g2[] = {0, 0, 0, 0, 0, 0, 0, 0, 1, DIF_GROUP_NONE};

        assert_int_equal(dif_mh(x, 10, 2, g2, out, &missing, &err), CF_EINVAL);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_one), cmocka_unit_test(test_table_two),
        cmocka_unit_test(test_rabbits),   cmocka_unit_test(test_ets_boundaries),
        cmocka_unit_test(test_dif_mh),
    };

    return cmocka_run_group_tests_name("dif", tests, NULL, NULL);
}
