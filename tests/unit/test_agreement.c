/*
 * test_agreement.c — src/core/agreement.c: kappa and the intraclass correlations against a
 * published table (Shrout & Fleiss 1979), hand-worked examples whose arithmetic is written
 * beside them, the degenerate cases, and the ratings file reader.
 *
 * References:
 *   Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater
 *     reliability. Psychological Bulletin, 86(2), 420-428.
 *   Cohen, J. (1960). A coefficient of agreement for nominal scales. Educational and
 *     Psychological Measurement, 20(1), 37-46.
 *   Cohen, J. (1968). Weighted kappa. Psychological Bulletin, 70(4), 213-220.
 */
#include "testutil.h"

#include <math.h>

#include "core/agreement.h"

#define M AGREEMENT_MISSING

/* Asserts v is defined and within tol of want. */
#define assert_value(v, want, tol)                                                                 \
    do {                                                                                           \
        if (!(v).defined)                                                                          \
            fail_msg("%s is undefined (%s), want %g", #v, agreement_why_text((v).why),             \
                     (double)(want));                                                              \
        if (fabs((v).value - (want)) > (tol))                                                      \
            fail_msg("%s = %.10f, want %.10f", #v, (v).value, (double)(want));                     \
    } while (0)

/* Asserts v is undefined for reason why. */
#define assert_undefined(v, reason)                                                                \
    do {                                                                                           \
        if ((v).defined)                                                                           \
            fail_msg("%s = %g, want undefined", #v, (v).value);                                    \
        assert_int_equal((v).why, (reason));                                                       \
        assert_true((v).value == 0.0);                                                             \
    } while (0)

#define EXACT 1e-12 /* values worked out as fractions */
#define TWO   0.005 /* a published value given to 2 decimals */

static struct agreement_matrix matrix(const int *x, size_t n, size_t r)
{
    struct agreement_matrix m = {x, n, r};

    return m;
}

/*
 * Shrout & Fleiss (1979), Table 2: 6 targets rated by 4 judges on a 10-point scale.
 *
 *   target  J1  J2  J3  J4   row sum
 *     1      9   2   5   8     24
 *     2      6   1   3   2     12
 *     3      8   4   6   8     26
 *     4      7   1   2   6     16
 *     5     10   5   6   9     30
 *     6      6   2   4   7     19
 *   column  46  15  26  40    127
 *
 * The ANOVA by hand (N = 24 ratings, correction C = 127^2 / 24 = 672.0417):
 *   sum of squares of the ratings = 174 + 50 + 180 + 90 + 242 + 105 = 841
 *   total   SS = 841 - C                                   = 168.9583  df 23
 *   targets SS = (24^2+12^2+26^2+16^2+30^2+19^2)/4 - C
 *              = 2913/4 - C = 728.25 - 672.0417             =  56.2083  df 5   BMS = 11.2417
 *   within  SS = 168.9583 - 56.2083                         = 112.7500  df 18  WMS =  6.2639
 *   judges  SS = (46^2+15^2+26^2+40^2)/6 - C
 *              = 4617/6 - C = 769.5 - 672.0417              =  97.4583  df 3   JMS = 32.4861
 *   residual SS = 112.75 - 97.4583                          =  15.2917  df 15  EMS =  1.0194
 * The paper's Table 3 gives BMS 11.24, WMS 6.26, JMS 32.49, EMS 1.02, and the text
 * ICC(1,1) = .17, ICC(2,1) = .29, ICC(3,1) = .71, ICC(1,4) = .44, ICC(2,4) = .62,
 * ICC(3,4) = .91. E.g. ICC(1,1) = (11.2417 - 6.2639) / (11.2417 + 3 x 6.2639) = .1657.
 */
static const int SF[] = {
    9, 2, 5, 8, 6, 1, 3, 2, 8, 4, 6, 8, 7, 1, 2, 6, 10, 5, 6, 9, 6, 2, 4, 7,
};

static void check_sf(const struct agreement_icc *icc)
{
    assert_int_equal(icc->n, 6);
    assert_int_equal(icc->k, 4);
    assert_true(fabs(icc->sst - 841.0 + 16129.0 / 24.0) < 1e-9);
    assert_true(fabs(icc->ssr - (2913.0 / 4.0 - 16129.0 / 24.0)) < 1e-9);
    assert_true(fabs(icc->ssc - (4617.0 / 6.0 - 16129.0 / 24.0)) < 1e-9);
    assert_true(fabs(icc->ssw - 112.75) < 1e-9);
    assert_true(fabs(icc->msr - 11.24) < TWO);
    assert_true(fabs(icc->msw - 6.26) < TWO);
    assert_true(fabs(icc->msc - 32.49) < TWO);
    assert_true(fabs(icc->mse - 1.02) < TWO);
    assert_value(icc->icc1, 0.17, TWO);
    assert_value(icc->icc2, 0.29, TWO);
    assert_value(icc->icc3, 0.71, TWO);
    assert_value(icc->icc1k, 0.44, TWO);
    assert_value(icc->icc2k, 0.62, TWO);
    assert_value(icc->icc3k, 0.91, TWO);
}

static void test_shrout_fleiss(void **state)
{
    struct agreement_matrix m = matrix(SF, 6, 4);
    struct agreement_icc icc;

    (void)state;
    assert_int_equal(agreement_icc(&m, &icc), CF_OK);
    check_sf(&icc);
    assert_int_equal(icc.dropped, 0);
    assert_true(fabs(icc.mean - 127.0 / 24.0) < 1e-12);
}

/* The same table with two incomplete targets added: they are dropped, nothing else moves. */
static void test_icc_complete_cases(void **state)
{
    int x[8 * 4];
    struct agreement_matrix m;
    struct agreement_icc icc;

    (void)state;
    memcpy(x, SF, sizeof SF);
    x[24] = 3, x[25] = M, x[26] = 4, x[27] = 5;
    x[28] = M, x[29] = M, x[30] = M, x[31] = M;
    m = matrix(x, 8, 4);
    assert_int_equal(agreement_icc(&m, &icc), CF_OK);
    check_sf(&icc);
    assert_int_equal(icc.dropped, 2);
}

/*
 * Degenerate ICCs, each worked by hand:
 *  - one subject, or one rater: nothing is defined;
 *  - every rating alike: every mean square is 0, every denominator 0;
 *  - rows (1,2), (1,2): the subjects do not differ (BMS = 0) but the raters do:
 *    WMS = 2 x 0.25 x 2 / 2 = 0.5, JMS = 2 x 2 x 0.25 / 1 = 1, EMS = 0. Then
 *    ICC(1,1) = (0 - .5)/(0 + .5) = -1; ICC(2,1) = 0 / (0 + 0 + 2 x 1 / 2) = 0;
 *    ICC(3,1) = 0/0, ICC(1,k) = -.5/0 and ICC(3,k) = 0/0 undefined; ICC(2,k) = 0/(1/2) = 0;
 *  - perfect agreement (1,1), (2,2), (3,3): WMS = EMS = 0, every ICC is 1;
 *  - rows (1,2), (2,1): neither subjects nor raters differ (MSR = MSC = 0), SSE = 4 x 0.25 = 1,
 *    MSE = 1/1, MSW = 1/2. ICC(1,1) = -.5/.5 = -1; ICC(3,1) = -1/(0 + 1) = -1;
 *    ICC(2,1) = -1/(0 + 1 + 2(0 - 1)/2) = -1/0 and ICC(1,k), ICC(3,k) = x/0 undefined;
 *    ICC(2,k) = -1/(0 + (0 - 1)/2) = -1/-.5 would read 2, above 1: a negative denominator
 *    (a negative variance estimate) is undefined too.
 */
static void test_icc_degenerate(void **state)
{
    static const int one[] = {3, 4};
    static const int col[] = {1, 2, 3};
    static const int same[] = {2, 2, 2, 2, 2, 2};
    static const int shift[] = {1, 2, 1, 2};
    static const int perfect[] = {1, 1, 2, 2, 3, 3};
    static const int crossed[] = {1, 2, 2, 1};
    struct agreement_matrix m;
    struct agreement_icc icc;

    (void)state;
    m = matrix(one, 1, 2);
    assert_int_equal(agreement_icc(&m, &icc), CF_OK);
    assert_undefined(icc.icc1, AGREEMENT_FEW_SUBJECTS);
    assert_undefined(icc.icc2k, AGREEMENT_FEW_SUBJECTS);
    assert_int_equal(icc.n, 1);

    m = matrix(col, 3, 1);
    assert_int_equal(agreement_icc(&m, &icc), CF_OK);
    assert_undefined(icc.icc3, AGREEMENT_FEW_RATERS);
    assert_undefined(icc.icc1k, AGREEMENT_FEW_RATERS);
    m = matrix(NULL, 0, 0);
    assert_int_equal(agreement_icc(&m, &icc), CF_OK);
    assert_undefined(icc.icc1, AGREEMENT_FEW_RATERS);
    m = matrix(NULL, 0, 3);
    assert_int_equal(agreement_icc(&m, &icc), CF_OK);
    assert_undefined(icc.icc1, AGREEMENT_FEW_SUBJECTS);

    m = matrix(same, 3, 2);
    assert_int_equal(agreement_icc(&m, &icc), CF_OK);
    assert_undefined(icc.icc1, AGREEMENT_NO_VARIANCE);
    assert_undefined(icc.icc2, AGREEMENT_NO_VARIANCE);
    assert_undefined(icc.icc3, AGREEMENT_NO_VARIANCE);
    assert_undefined(icc.icc1k, AGREEMENT_NO_VARIANCE);
    assert_undefined(icc.icc2k, AGREEMENT_NO_VARIANCE);
    assert_undefined(icc.icc3k, AGREEMENT_NO_VARIANCE);

    m = matrix(shift, 2, 2);
    assert_int_equal(agreement_icc(&m, &icc), CF_OK);
    assert_true(fabs(icc.msr) < EXACT && fabs(icc.mse) < EXACT);
    assert_true(fabs(icc.msw - 0.5) < EXACT && fabs(icc.msc - 1.0) < EXACT);
    assert_value(icc.icc1, -1.0, EXACT);
    assert_value(icc.icc2, 0.0, EXACT);
    assert_undefined(icc.icc3, AGREEMENT_NO_VARIANCE);
    assert_undefined(icc.icc1k, AGREEMENT_NO_VARIANCE);
    assert_value(icc.icc2k, 0.0, EXACT);
    assert_undefined(icc.icc3k, AGREEMENT_NO_VARIANCE);

    m = matrix(crossed, 2, 2);
    assert_int_equal(agreement_icc(&m, &icc), CF_OK);
    assert_true(fabs(icc.mse - 1.0) < EXACT && fabs(icc.msw - 0.5) < EXACT);
    assert_value(icc.icc1, -1.0, EXACT);
    assert_undefined(icc.icc2, AGREEMENT_NO_VARIANCE);
    assert_value(icc.icc3, -1.0, EXACT);
    assert_undefined(icc.icc1k, AGREEMENT_NO_VARIANCE);
    assert_undefined(icc.icc2k, AGREEMENT_NO_VARIANCE);
    assert_undefined(icc.icc3k, AGREEMENT_NO_VARIANCE);

    m = matrix(perfect, 3, 2);
    assert_int_equal(agreement_icc(&m, &icc), CF_OK);
    assert_value(icc.icc1, 1.0, EXACT);
    assert_value(icc.icc2, 1.0, EXACT);
    assert_value(icc.icc3, 1.0, EXACT);
    assert_value(icc.icc1k, 1.0, EXACT);
    assert_value(icc.icc2k, 1.0, EXACT);
    assert_value(icc.icc3k, 1.0, EXACT);
}

/*
 * Hand-worked, K = 4, six subjects rated by A and B (one further subject B did not rate):
 *   (A,B) = (1,1) (2,2) (3,3) (2,3) (4,2) (1,2)
 * Counts per level 1..4: A = 2 2 1 1, B = 1 3 2 0 (of n = 6).
 *
 * Unweighted (Cohen 1960): observed = 3/6 = 1/2 (three on the diagonal);
 *   expected = (2x1 + 2x3 + 1x2 + 1x0)/36 = 10/36 = 5/18;
 *   kappa = (1/2 - 5/18) / (1 - 5/18) = (4/18)/(13/18) = 4/13 = 0.307692...
 * Linear (Cohen 1968, w = 1 - |i-j|/3: 1, 2/3, 1/3, 0 for |i-j| = 0..3):
 *   observed = (1 + 1 + 1 + 2/3 + 1/3 + 2/3)/6 = (14/3)/6 = 7/9;
 *   expected = sum over i,j of countA(i) countB(j) w(i,j) / 36; by A's level:
 *     i=1: 2(1x1 + 3x2/3 + 2x1/3 + 0) = 22/3; i=2: 2(1x2/3 + 3 + 2x2/3) = 10;
 *     i=3: 1(1x1/3 + 3x2/3 + 2x1) = 13/3;     i=4: 1(0 + 3x1/3 + 2x2/3) = 7/3;
 *     total 24, expected = 24/36 = 2/3;
 *   kappa = (7/9 - 2/3)/(1 - 2/3) = (1/9)/(1/3) = 1/3.
 * Quadratic (w = 1 - (i-j)^2/9: 1, 8/9, 5/9, 0):
 *   observed = (3 + 8/9 + 5/9 + 8/9)/6 = (16/3)/6 = 8/9;
 *   expected by A's level: i=1: 2(1 + 3x8/9 + 2x5/9) = 86/9; i=2: 2(8/9 + 3 + 2x8/9) = 34/3;
 *     i=3: 1(5/9 + 3x8/9 + 2) = 47/9; i=4: 1(0 + 3x5/9 + 2x8/9) = 31/9;
 *     total 266/9, expected = 266/324 = 133/162;
 *   kappa = (8/9 - 133/162)/(1 - 133/162) = (11/162)/(29/162) = 11/29 = 0.379310...
 */
static void test_kappa_hand(void **state)
{
    static const int x[] = {1, 1, 2, 2, 3, 3, 2, 3, 4, 2, 1, 2, 3, M};
    struct agreement_matrix m = matrix(x, 7, 2);
    struct agreement_kappa k;
    struct cf_error err;

    (void)state;
    assert_int_equal(agreement_kappa(&m, 4, &k, &err), CF_OK);
    assert_int_equal(k.n, 6);
    assert_int_equal(k.dropped, 1);
    assert_int_equal(k.levels, 4);
    assert_true(fabs(k.unweighted.observed - 0.5) < EXACT);
    assert_true(fabs(k.unweighted.expected - 5.0 / 18.0) < EXACT);
    assert_value(k.unweighted.kappa, 4.0 / 13.0, EXACT);
    assert_true(fabs(k.linear.observed - 7.0 / 9.0) < EXACT);
    assert_true(fabs(k.linear.expected - 2.0 / 3.0) < EXACT);
    assert_value(k.linear.kappa, 1.0 / 3.0, EXACT);
    assert_true(fabs(k.quadratic.observed - 8.0 / 9.0) < EXACT);
    assert_true(fabs(k.quadratic.expected - 133.0 / 162.0) < EXACT);
    assert_value(k.quadratic.kappa, 11.0 / 29.0, EXACT);
}

/*
 * The worked example of the Wikipedia article "Cohen's kappa" (50 grant proposals, each
 * read by A and B, yes or no): both yes 20, A yes B no 5, A no B yes 10, both no 15.
 * observed = (20 + 15)/50 = 0.7; A says yes 25/50 = 0.5, B 30/50 = 0.6;
 * expected = 0.5 x 0.6 + 0.5 x 0.4 = 0.5; kappa = (0.7 - 0.5)/(1 - 0.5) = 0.4.
 * (The arithmetic is ours, so the check stands as hand-worked whatever the article says
 * today.) With K = 2 the linear and quadratic weights are 1 and 0 too: all three 0.4.
 */
static void test_kappa_two_by_two(void **state)
{
    int x[100];
    size_t i = 0;
    struct agreement_matrix m;
    struct agreement_kappa k;

    (void)state;
    for (int c = 0; c < 20; c++, i += 2)
        x[i] = 1, x[i + 1] = 1;
    for (int c = 0; c < 5; c++, i += 2)
        x[i] = 1, x[i + 1] = 2;
    for (int c = 0; c < 10; c++, i += 2)
        x[i] = 2, x[i + 1] = 1;
    for (int c = 0; c < 15; c++, i += 2)
        x[i] = 2, x[i + 1] = 2;
    m = matrix(x, 50, 2);
    assert_int_equal(agreement_kappa(&m, 2, &k, NULL), CF_OK);
    assert_true(fabs(k.unweighted.observed - 0.7) < EXACT);
    assert_true(fabs(k.unweighted.expected - 0.5) < EXACT);
    assert_value(k.unweighted.kappa, 0.4, EXACT);
    assert_value(k.linear.kappa, 0.4, EXACT);
    assert_value(k.quadratic.kappa, 0.4, EXACT);
}

/*
 * The full scale matters. Eight subjects rated on a 4-level rubric using levels 1 and 2
 * only: (1,1) (1,1) (2,2) (1,2) (2,1) (2,2) (2,2) (1,2). A: 1 x4, 2 x4; B: 1 x3, 2 x5.
 * Over K = 4 the weight of a one-level disagreement is 2/3 (linear) and 8/9 (quadratic),
 * not the 0 it would be over the two levels used (K = 2):
 *   linear:    observed = (5 + 3 x 2/3)/8 = 7/8;
 *              expected = (4x3 + 4x5)/64 x 1 + (4x5 + 4x3)/64 x 2/3 = 1/2 + 1/3 = 5/6;
 *   quadratic: observed = (5 + 3 x 8/9)/8 = 23/24; expected = 1/2 + 1/2 x 8/9 = 17/18;
 *   unweighted: observed 5/8, expected 1/2, kappa 1/4.
 * Every weighted kappa still equals 1/4 here: with two levels in use every weight is
 * 1 - c x (disagreement), and kappa does not change when weights are rescaled that way.
 *
 * Where levels used are unevenly spaced it shows in kappa too: seven subjects on levels
 * 1, 2 and 4 of K = 4, (1,1) (2,2) (4,4) (1,2) (2,4) (4,1) (2,2). Quadratic weights
 * 1, 8/9, 5/9, 0: observed = (4 + 8/9 + 5/9 + 0)/7 = 7/9; A: 1 x2, 2 x3, 4 x2;
 * B: 1 x2, 2 x3, 4 x2; expected = 103/147; kappa = (34/441)/(44/147) = 17/66 = 0.2576,
 * where squeezing the used levels to 1, 2, 3 (K = 3) would give 1/4.
 */
static void test_kappa_full_scale(void **state)
{
    static const int x[] = {1, 1, 1, 1, 2, 2, 1, 2, 2, 1, 2, 2, 2, 2, 1, 2};
    static const int y[] = {1, 1, 2, 2, 4, 4, 1, 2, 2, 4, 4, 1, 2, 2};
    struct agreement_matrix m = matrix(x, 8, 2);
    struct agreement_kappa k;

    (void)state;
    assert_int_equal(agreement_kappa(&m, 4, &k, NULL), CF_OK);
    assert_true(fabs(k.unweighted.observed - 5.0 / 8.0) < EXACT);
    assert_true(fabs(k.unweighted.expected - 0.5) < EXACT);
    assert_true(fabs(k.linear.observed - 7.0 / 8.0) < EXACT);
    assert_true(fabs(k.linear.expected - 5.0 / 6.0) < EXACT);
    assert_true(fabs(k.quadratic.observed - 23.0 / 24.0) < EXACT);
    assert_true(fabs(k.quadratic.expected - 17.0 / 18.0) < EXACT);
    assert_value(k.unweighted.kappa, 0.25, EXACT);
    assert_value(k.linear.kappa, 0.25, EXACT);
    assert_value(k.quadratic.kappa, 0.25, EXACT);

    /* Over the two levels used the one-level weight is 0: the observed agreement drops. */
    assert_int_equal(agreement_kappa(&m, 2, &k, NULL), CF_OK);
    assert_true(fabs(k.linear.observed - 5.0 / 8.0) < EXACT);

    m = matrix(y, 7, 2);
    assert_int_equal(agreement_kappa(&m, 4, &k, NULL), CF_OK);
    assert_true(fabs(k.quadratic.observed - 7.0 / 9.0) < EXACT);
    assert_true(fabs(k.quadratic.expected - 103.0 / 147.0) < EXACT);
    assert_value(k.quadratic.kappa, 17.0 / 66.0, EXACT);
}

/*
 * Degenerate kappas: one subject both rated; K = 1 (no weights; expected agreement 1);
 * both raters giving level 3 to everyone on K = 4 (expected 1 for every weighting); and the
 * refusals: three raters, a level outside the scale, a scale out of range.
 */
static void test_kappa_degenerate(void **state)
{
    static const int one[] = {1, 2, M, 3, 4, M};
    static const int ones[] = {1, 1, 1, 1, 1, 1};
    static const int threes[] = {3, 3, 3, 3, 3, 3};
    static const int three_raters[] = {1, 2, 3};
    static const int five[] = {1, 5, 2, 2};
    struct agreement_matrix m;
    struct agreement_kappa k;
    struct cf_error err;

    (void)state;
    m = matrix(one, 3, 2);
    assert_int_equal(agreement_kappa(&m, 4, &k, NULL), CF_OK);
    assert_int_equal(k.n, 1);
    assert_int_equal(k.dropped, 2);
    assert_undefined(k.unweighted.kappa, AGREEMENT_FEW_SUBJECTS);
    assert_undefined(k.linear.kappa, AGREEMENT_FEW_SUBJECTS);
    assert_undefined(k.quadratic.kappa, AGREEMENT_FEW_SUBJECTS);

    m = matrix(ones, 3, 2);
    assert_int_equal(agreement_kappa(&m, 1, &k, NULL), CF_OK);
    assert_undefined(k.unweighted.kappa, AGREEMENT_NO_VARIANCE);
    assert_undefined(k.linear.kappa, AGREEMENT_ONE_LEVEL);
    assert_undefined(k.quadratic.kappa, AGREEMENT_ONE_LEVEL);

    m = matrix(threes, 3, 2);
    assert_int_equal(agreement_kappa(&m, 4, &k, NULL), CF_OK);
    assert_true(fabs(k.unweighted.observed - 1.0) < EXACT);
    assert_undefined(k.unweighted.kappa, AGREEMENT_NO_VARIANCE);
    assert_undefined(k.linear.kappa, AGREEMENT_NO_VARIANCE);
    assert_undefined(k.quadratic.kappa, AGREEMENT_NO_VARIANCE);

    cf_error_clear(&err);
    m = matrix(three_raters, 1, 3);
    assert_int_equal(agreement_kappa(&m, 4, &k, &err), CF_EINVAL);
    assert_non_null(strstr(err.message, "exactly two"));
    m = matrix(five, 2, 2);
    assert_int_equal(agreement_kappa(&m, 4, &k, &err), CF_EINVAL);
    assert_non_null(strstr(err.message, "level 5"));
    assert_int_equal(k.n, 0);
    assert_int_equal(agreement_kappa(&m, 0, &k, &err), CF_EINVAL);
    assert_int_equal(agreement_kappa(&m, AGREEMENT_LEVELS_MAX + 1, &k, &err), CF_EINVAL);
    assert_int_equal(agreement_kappa(&m, 5, &k, NULL), CF_OK);
}

/* The problem i of problems as "LINE:COL: message". */
static const char *problem_at(const json_t *problems, size_t i)
{
    static char s[512];
    const json_t *pb = json_array_get(problems, i);

    if (pb == NULL)
        fail_msg("no problem %zu (of %zu)", i, json_array_size(problems));
    snprintf(s, sizeof s, "%lld:%lld: %s",
             (long long)json_integer_value(json_object_get(pb, "line")),
             (long long)json_integer_value(json_object_get(pb, "column")),
             json_string_value(json_object_get(pb, "message")));
    return s;
}

/* Asserts problem i starts with "LINE:COL: " and holds words. */
static void assert_problem(const json_t *problems, size_t i, const char *at, const char *words)
{
    const char *s = problem_at(problems, i);

    if (strncmp(s, at, strlen(at)) != 0 || strstr(s, words) == NULL)
        fail_msg("problem %zu is \"%s\", want %s ... %s", i, s, at, words);
}

static void test_csv_reads(void **state)
{
    static const char file[] = "\xEF\xBB\xBFsubject,self,supervisor\r\n"
                               "a, 3 ,4\r\n"
                               "b,,2\r\n"
                               "c,1,1\r\n"
                               "d,2,+2\r\n";
    struct agreement_table t;
    json_t *problems = NULL;

    (void)state;
    assert_int_equal(agreement_csv(file, sizeof file - 1, 0, &t, &problems), CF_OK);
    assert_int_equal(json_array_size(problems), 0);
    assert_int_equal(t.n, 4);
    assert_int_equal(t.r, 2);
    assert_int_equal(t.levels, 4);
    assert_int_equal(t.complete, 3);
    assert_int_equal(t.x[0], 3);
    assert_int_equal(t.x[2], M);
    assert_int_equal(t.x[7], 2);
    agreement_table_free(&t);
    json_decref(problems);

    /* --levels widens the scale beyond what is used. */
    assert_int_equal(agreement_csv(file, sizeof file - 1, 5, &t, &problems), CF_OK);
    assert_int_equal(t.levels, 5);
    agreement_table_free(&t);
    json_decref(problems);
}

static void test_csv_problems(void **state)
{
    static const char file[] = "id,r1,r2,r3\n"
                               "a,1,x,2\n"
                               "b,0,2,5\n"
                               "a,1,2,3\n"
                               ",1,2,3\n"
                               "c,2.5,,-1\n";
    static const char narrow[] = "id,only\na,1\nb,2\n";
    static const char few[] = "id,r1,r2\na,1,2\nb,,2\n";
    /* A 50-byte id (25 characters, so the rating is at column 27), repeated; a 41-byte rating. */
    static const char accents[] =
        "id,a,b\n"
        "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
        "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
        "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9,"
        "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
        "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9x,2\n"
        "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
        "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
        "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9,1,2\n";
    static const char huge[] = "id,r1,r2\na,1,101\nb,2,99999999999999\n";
    struct agreement_table t;
    json_t *problems = NULL;
    char *big;

    (void)state;
    assert_int_equal(agreement_csv(file, sizeof file - 1, 4, &t, &problems), CF_EINVAL);
    assert_null(t.x);
    assert_problem(problems, 0, "2:5: ", "\"x\" is not a whole number");
    assert_problem(problems, 1, "3:3: ", "level 0 is below 1");
    assert_problem(problems, 2, "3:7: ", "level 5 is above 4");
    assert_problem(problems, 3, "4:1: ", "\"a\" already has a row on line 2");
    assert_problem(problems, 4, "5:1: ", "subject id is empty");
    assert_problem(problems, 5, "6:3: ", "\"2.5\" is not a whole number");
    assert_problem(problems, 6, "6:8: ", "level -1 is below 1");
    assert_int_equal(json_array_size(problems), 7);
    json_decref(problems);

    assert_int_equal(agreement_csv(narrow, sizeof narrow - 1, 0, &t, &problems), CF_EINVAL);
    assert_problem(problems, 0, "1:1: ", "1 rater column.");
    json_decref(problems);

    assert_int_equal(agreement_csv(few, sizeof few - 1, 0, &t, &problems), CF_EINVAL);
    assert_problem(problems, 0, "1:1: ", "Only 1 subject is rated by every rater");
    assert_int_equal(json_array_size(problems), 1);
    json_decref(problems);

    assert_int_equal(agreement_csv("id,a,b\n", 7, 0, &t, &problems), CF_EINVAL);
    assert_problem(problems, 0, "1:1: ", "No subject is rated by every rater");
    json_decref(problems);

    assert_int_equal(agreement_csv(huge, sizeof huge - 1, 0, &t, &problems), CF_EINVAL);
    assert_problem(problems, 0, "2:5: ", "level 101 is above 100");
    assert_problem(problems, 1, "3:5: ", "level 99999999999999 is above 100");
    json_decref(problems);

    /* A long cell is quoted shortened, never cut inside a character (the message is JSON). */
    assert_int_equal(agreement_csv(accents, sizeof accents - 1, 0, &t, &problems), CF_EINVAL);
    assert_problem(problems, 0, "2:27: ",
                   "The rating \"\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
                   "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
                   "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9...\" is not");
    assert_problem(problems, 1, "3:1: ", "already has a row on line 2");
    json_decref(problems);

    /* Past the size limit nothing is read. */
    big = malloc(AGREEMENT_MAX_BYTES + 1);
    assert_non_null(big);
    memset(big, '1', AGREEMENT_MAX_BYTES + 1);
    assert_int_equal(agreement_csv(big, AGREEMENT_MAX_BYTES + 1, 0, &t, &problems), CF_ETOOBIG);
    free(big);
    assert_problem(problems, 0, "1:1: ", "larger than 8 MB");
    assert_null(t.x);
    json_decref(problems);

    /* A file that does not read as CSV gives the reader's problems. */
    assert_int_equal(agreement_csv("id,a,b\nx,1\n", 11, 0, &t, &problems), CF_EINVAL);
    assert_int_equal(json_array_size(problems), 1);
    json_decref(problems);
}

/* The view: the keys outside checks read, kappa only for two raters, null for undefined. */
static void test_report(void **state)
{
    static const char two[] = "id,a,b\ns1,1,1\ns2,2,2\ns3,3,3\ns4,2,3\ns5,4,2\ns6,1,2\ns7,3,\n";
    static const char three[] = "id,a,b,c\ns1,1,1,1\ns2,1,1,1\n";
    json_t *out = NULL, *problems = NULL, *icc, *kappa;

    (void)state;
    assert_int_equal(agreement_report(two, sizeof two - 1, 4, &out, &problems), CF_OK);
    assert_int_equal(json_integer_value(json_object_get(out, "subjects")), 7);
    assert_int_equal(json_integer_value(json_object_get(out, "raters")), 2);
    assert_int_equal(json_integer_value(json_object_get(out, "complete_subjects")), 6);
    icc = json_object_get(out, "icc");
    assert_int_equal(json_object_size(icc), 6);
    assert_true(json_is_real(json_object_get(icc, "ICC2k")));
    kappa = json_object_get(out, "kappa");
    assert_int_equal(json_object_size(kappa), 3);
    assert_true(fabs(json_real_value(json_object_get(kappa, "unweighted")) - 4.0 / 13.0) < EXACT);
    assert_true(fabs(json_real_value(json_object_get(kappa, "linear")) - 1.0 / 3.0) < EXACT);
    assert_true(fabs(json_real_value(json_object_get(kappa, "quadratic")) - 11.0 / 29.0) < EXACT);
    json_decref(out);
    json_decref(problems);

    assert_int_equal(agreement_report(three, sizeof three - 1, 0, &out, &problems), CF_OK);
    assert_null(json_object_get(out, "kappa"));
    assert_true(json_is_null(json_object_get(json_object_get(out, "icc"), "ICC1")));
    assert_int_equal(json_integer_value(json_object_get(out, "levels")), 1);
    json_decref(out);
    json_decref(problems);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shrout_fleiss),    cmocka_unit_test(test_icc_complete_cases),
        cmocka_unit_test(test_icc_degenerate),   cmocka_unit_test(test_kappa_hand),
        cmocka_unit_test(test_kappa_two_by_two), cmocka_unit_test(test_kappa_full_scale),
        cmocka_unit_test(test_kappa_degenerate), cmocka_unit_test(test_csv_reads),
        cmocka_unit_test(test_csv_problems),     cmocka_unit_test(test_report),
    };

    return cmocka_run_group_tests_name("agreement", tests, NULL, NULL);
}
