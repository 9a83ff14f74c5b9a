/*
 * test_itemstats.c — src/core/itemstats.c: classical item analysis against two small
 * examples worked by hand (the arithmetic is written beside each, in fractions), the
 * undefined values with their reasons, the flags at their thresholds, and the JSON view.
 *
 * No published example is used: we could not check a textbook's data table and its printed
 * KR-20 against the book itself here, so both examples are our own, worked independently
 * of the code. The outside check against R's psych::alpha is tests/http/exam_cli.test.mjs.
 *
 * Formulas (docs/exam.md): over the n complete persons, with X the total score,
 *   alpha = k/(k-1) (1 - sum s_j^2 / s_X^2)      variances with divisor n - 1
 *   KR-20 = k/(k-1) (1 - sum p_j q_j / sigma_X^2) sigma_X^2 with divisor n
 *   SEM   = s_X sqrt(1 - alpha)
 * and r_pb, r_pb_rest Pearson's r of the item with X and with X - x_j.
 */
#include "testutil.h"

#include <math.h>

#include "core/itemstats.h"

#define M     RESP_MISSING
#define EXACT 1e-12

/* Asserts v is defined and within EXACT of want. */
#define assert_value(v, want)                                                                      \
    do {                                                                                           \
        if (!(v).defined)                                                                          \
            fail_msg("%s is undefined (%s), want %.10f", #v, itemstats_why_text((v).why),          \
                     (double)(want));                                                              \
        if (fabs((v).value - (want)) > EXACT)                                                      \
            fail_msg("%s = %.12f, want %.12f", #v, (v).value, (double)(want));                     \
    } while (0)

/* Asserts v is undefined for reason. */
#define assert_undefined(v, reason)                                                                \
    do {                                                                                           \
        if ((v).defined)                                                                           \
            fail_msg("%s = %g, want undefined", #v, (v).value);                                    \
        assert_int_equal((v).why, (reason));                                                       \
    } while (0)

/* A struct responses over the caller's matrix x (persons x items); ids are not needed. */
static struct responses matrix(signed char *x, int persons, int items)
{
    struct responses r = {persons, items, NULL, NULL, x};

    return r;
}

/*
 * Example A: 6 persons, 3 items; p6 was not presented item 2, so 5 persons are complete.
 *
 *   person  i1 i2 i3   X
 *     p1     1  1  1   3
 *     p2     1  1  0   2
 *     p3     1  0  0   1
 *     p4     0  1  0   1
 *     p5     0  0  0   0
 *     p6     1  -  1   (incomplete)
 *
 * p over every person presented: i1 4/6, i2 3/5, i3 2/6.
 * Over the 5 complete persons: means .6, .6, .2; mean X = 7/5 = 1.4.
 *   X - 1.4 = 1.6, .6, -.4, -.4, -1.4; sum of squares stt = 2.56+.36+.16+.16+1.96 = 5.2
 *   s_X^2 = 5.2/4 = 1.3; sigma_X^2 = 5.2/5 = 1.04; s_X = sqrt(1.3)
 *   item sums of squares sxx = n p q: 5(.6)(.4) = 1.2, 1.2, 5(.2)(.8) = .8; sum 3.2
 *   item variances s_j^2 = sxx/4 = .3, .3, .2; sum .8. p q = .24, .24, .16; sum .64
 *   alpha = 3/2 (1 - .8/1.3) = 3/2 x 5/13 = 15/26
 *   KR-20 = 3/2 (1 - .64/1.04) = 3/2 x 5/13 = 15/26 (the same, as it must be)
 *   SEM = sqrt(1.3) sqrt(1 - 15/26) = sqrt(1.3 x 11/26) = sqrt(.55)
 *   cross products sxt = sum (x - mean)(X - 1.4):
 *     i1: .4(1.6) + .4(.6) + .4(-.4) - .6(-.4) - .6(-1.4) = .64+.24-.16+.24+.84 = 1.8
 *     i2: .4(1.6) + .4(.6) - .6(-.4) + .4(-.4) - .6(-1.4) = 1.8 (the same by symmetry)
 *     i3: .8(1.6) - .2(.6 - .4 - .4 - 1.4) = 1.28 + .32 = 1.6
 *   r_pb: i1 = i2 = 1.8/sqrt(1.2 x 5.2) = 1.8/sqrt(6.24); i3 = 1.6/sqrt(.8 x 5.2) = 1.6/sqrt(4.16)
 *   rest scores X - x1 = 2,1,0,1,0 (mean .8): sum of squares 1.44+.04+.64+.04+.64 = 2.8,
 *     cross product with x1: 1.8 - 1.2 = .6, so r_pb_rest(i1) = .6/sqrt(1.2 x 2.8)
 *   X - x3 = 2,2,1,1,0 (mean 1.2): sum of squares .64+.64+.04+.04+1.44 = 2.8, cross product
 *     1.6 - .8 = .8, so r_pb_rest(i3) = .8/sqrt(.8 x 2.8)
 *   alpha without i1 (items i2, i3): 2/1 (1 - (.3+.2)/(2.8/4)) = 2(1 - 5/7) = 4/7; i2 alike
 *   alpha without i3 (items i1, i2): 2 (1 - (.3+.3)/.7) = 2/7
 */
static signed char EX_A[] = {
    1, 1, 1, 1, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, M, 1,
};

static void test_example_a(void **state)
{
    struct responses r = matrix(EX_A, 6, 3);
    struct itemstats s;

    (void)state;
    assert_int_equal(itemstats_compute(&r, &s), CF_OK);
    assert_int_equal(s.persons, 6);
    assert_int_equal(s.items, 3);
    assert_int_equal(s.persons_complete, 5);
    assert_value(s.mean, 1.4);
    assert_value(s.sd, sqrt(1.3));
    assert_value(s.alpha, 15.0 / 26.0);
    assert_value(s.kr20, 15.0 / 26.0);
    assert_value(s.sem, sqrt(0.55));

    assert_int_equal(s.item[0].presented, 6);
    assert_int_equal(s.item[0].right, 4);
    assert_int_equal(s.item[1].presented, 5);
    assert_value(s.item[0].p, 4.0 / 6.0);
    assert_value(s.item[1].p, 3.0 / 5.0);
    assert_value(s.item[2].p, 2.0 / 6.0);
    assert_value(s.item[0].r_pb, 1.8 / sqrt(6.24));
    assert_value(s.item[1].r_pb, 1.8 / sqrt(6.24));
    assert_value(s.item[2].r_pb, 1.6 / sqrt(4.16));
    assert_value(s.item[0].r_pb_rest, 0.6 / sqrt(1.2 * 2.8));
    assert_value(s.item[1].r_pb_rest, 0.6 / sqrt(1.2 * 2.8));
    assert_value(s.item[2].r_pb_rest, 0.8 / sqrt(0.8 * 2.8));
    assert_value(s.item[0].alpha_if_deleted, 4.0 / 7.0);
    assert_value(s.item[1].alpha_if_deleted, 4.0 / 7.0);
    assert_value(s.item[2].alpha_if_deleted, 2.0 / 7.0);
    for (int j = 0; j < 3; j++)
        assert_int_equal(s.item[j].flags, 0);
    itemstats_free(&s);
    assert_null(s.item);
}

/*
 * Example B: 6 persons, 4 items, all complete; item 2 discriminates little, item 4 the
 * wrong way.
 *
 *   person  i1 i2 i3 i4   X   X - 7/3
 *     p1     1  1  1  1   4     5/3
 *     p2     1  1  1  0   3     2/3
 *     p3     1  1  0  1   3     2/3
 *     p4     1  0  1  0   2    -1/3
 *     p5     0  1  0  0   1    -4/3
 *     p6     0  0  0  1   1    -4/3
 *
 * p = 4/6, 4/6, 3/6, 3/6. stt = (25+4+4+1+16+16)/9 = 66/9 = 22/3.
 * sxx = n p q = 6(2/3)(1/3) = 4/3, 4/3, 6(1/2)(1/2) = 3/2, 3/2; sum 17/3.
 * alpha = 4/3 (1 - (17/3)/(22/3)) = 4/3 x 5/22 = 10/33.
 * KR-20: sum p q = 2/9+2/9+1/4+1/4 = 17/18; sigma_X^2 = (22/3)/6 = 11/9;
 *   4/3 (1 - (17/18)/(11/9)) = 4/3 (1 - 17/22) = 10/33.
 * s_X^2 = (22/3)/5 = 22/15; SEM = sqrt(22/15 x (1 - 10/33)) = sqrt(22/15 x 23/33) = sqrt(46/45).
 * sxt = the sum of X - 7/3 over the persons right on the item (the deviations sum to 0):
 *   i1 (p1-p4): 5/3+2/3+2/3-1/3 = 8/3;  i2 (p1,p2,p3,p5): 5/3+2/3+2/3-4/3 = 5/3;
 *   i3 (p1,p2,p4): 5/3+2/3-1/3 = 2;     i4 (p1,p3,p6): 5/3+2/3-4/3 = 1.
 * r_pb = sxt / sqrt(sxx stt): i1 (8/3)/sqrt(88/9) = 8/sqrt(88); i2 5/sqrt(88);
 *   i3 2/sqrt(3/2 x 22/3) = 2/sqrt(11); i4 1/sqrt(11).
 * The rest score X - x_j has sum of squares srr = stt - 2 sxt + sxx and cross product with
 * x_j sxt - sxx:
 *   i1: srr = 22/3 - 16/3 + 4/3 = 10/3, cross 4/3: r = (4/3)/sqrt(4/3 x 10/3) = 4/sqrt(40)
 *   i2: srr = 22/3 - 10/3 + 4/3 = 16/3, cross 1/3: r = (1/3)/sqrt(64/9) = 1/8 (low, < .15)
 *   i3: srr = 22/3 - 4 + 3/2 = 29/6, cross 1/2: r = (1/2)/sqrt(29/4) = 1/sqrt(29)
 *   i4: srr = 22/3 - 2 + 3/2 = 41/6, cross -1/2: r = -1/sqrt(41) (negative)
 * alpha without j = 3/2 (1 - (17/3 - sxx_j)/srr):
 *   i1: 3/2 (1 - (13/3)/(10/3)) = 3/2 (-3/10) = -9/20;  i2: 3/2 (1 - 13/16) = 9/32;
 *   i3: 3/2 (1 - (25/6)/(29/6)) = 3/2 x 4/29 = 6/29;   i4: 3/2 (1 - 25/41) = 24/41.
 */
static signed char EX_B[] = {
    1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1,
};

static void test_example_b(void **state)
{
    struct responses r = matrix(EX_B, 6, 4);
    struct itemstats s;

    (void)state;
    assert_int_equal(itemstats_compute(&r, &s), CF_OK);
    assert_int_equal(s.persons_complete, 6);
    assert_value(s.mean, 7.0 / 3.0);
    assert_value(s.alpha, 10.0 / 33.0);
    assert_value(s.kr20, 10.0 / 33.0);
    assert_value(s.sem, sqrt(46.0 / 45.0));
    assert_value(s.item[0].p, 4.0 / 6.0);
    assert_value(s.item[3].p, 0.5);
    assert_value(s.item[0].r_pb, 8.0 / sqrt(88.0));
    assert_value(s.item[1].r_pb, 5.0 / sqrt(88.0));
    assert_value(s.item[2].r_pb, 2.0 / sqrt(11.0));
    assert_value(s.item[3].r_pb, 1.0 / sqrt(11.0));
    assert_value(s.item[0].r_pb_rest, 4.0 / sqrt(40.0));
    assert_value(s.item[1].r_pb_rest, 1.0 / 8.0);
    assert_value(s.item[2].r_pb_rest, 1.0 / sqrt(29.0));
    assert_value(s.item[3].r_pb_rest, -1.0 / sqrt(41.0));
    assert_value(s.item[0].alpha_if_deleted, -9.0 / 20.0);
    assert_value(s.item[1].alpha_if_deleted, 9.0 / 32.0);
    assert_value(s.item[2].alpha_if_deleted, 6.0 / 29.0);
    assert_value(s.item[3].alpha_if_deleted, 24.0 / 41.0);

    /* Flags: i2's .125 is below .15, i4's -.156 below 0, i1 and i3 (.186) are fine. */
    assert_int_equal(s.item[0].flags, 0);
    assert_int_equal(s.item[1].flags, ITEMSTATS_LOW_DISCRIMINATION);
    assert_int_equal(s.item[2].flags, 0);
    assert_int_equal(s.item[3].flags, ITEMSTATS_NEGATIVE_DISCRIMINATION);
    itemstats_free(&s);
}

/*
 * Too easy and too hard at the thresholds: 20 persons, 3 items.
 *   i1: 19 of 20 right, p = .95: not above .95, no flag; i2: all 20 right, p = 1: too easy,
 *   and it does not vary, so its correlations are null; i3: 4 of 20 right, p = .20: not
 *   below .20; then one more person wrong on i3 and right on i1: i1 20/21 > .95 (too
 *   easy), i3 4/21 < .20 (too hard).
 */
static void test_flags_thresholds(void **state)
{
    signed char x[21 * 3];
    struct responses r;
    struct itemstats s;

    (void)state;
    for (int i = 0; i < 21; i++) {
        x[i * 3] = i != 0;
        x[i * 3 + 1] = 1;
        x[i * 3 + 2] = i < 4;
    }
    r = matrix(x, 20, 3);
    assert_int_equal(itemstats_compute(&r, &s), CF_OK);
    assert_value(s.item[0].p, 0.95);
    assert_int_equal(s.item[0].flags & (ITEMSTATS_TOO_EASY | ITEMSTATS_TOO_HARD), 0);
    assert_value(s.item[2].p, 0.20);
    assert_int_equal(s.item[2].flags & (ITEMSTATS_TOO_EASY | ITEMSTATS_TOO_HARD), 0);
    assert_int_equal(s.item[1].flags, ITEMSTATS_TOO_EASY);
    assert_undefined(s.item[1].r_pb, ITEMSTATS_ITEM_NO_VARIANCE);
    assert_undefined(s.item[1].r_pb_rest, ITEMSTATS_ITEM_NO_VARIANCE);
    assert_true(s.item[1].alpha_if_deleted.defined);
    itemstats_free(&s);

    x[20 * 3] = 1, x[20 * 3 + 2] = 0;
    r = matrix(x, 21, 3);
    assert_int_equal(itemstats_compute(&r, &s), CF_OK);
    assert_value(s.item[0].p, 20.0 / 21.0);
    assert_true(s.item[0].flags & ITEMSTATS_TOO_EASY);
    assert_value(s.item[2].p, 4.0 / 21.0);
    assert_true(s.item[2].flags & ITEMSTATS_TOO_HARD);
    itemstats_free(&s);
}

/*
 * Undefined values, each worked by hand:
 *  - rows (1,0), (0,1): both totals are 1, so alpha, KR-20, SEM and r_pb are undefined (the
 *    total does not vary); the rest score of i1 is i2, and r(i1, i2) = -1 (negative);
 *    alpha if deleted leaves one item: undefined;
 *  - one item, rows 1, 0: r_pb = r(x, x) = 1; the rest is always 0 (no variance); alpha
 *    needs 2 items;
 *  - one complete person: nothing but p and the mean;
 *  - an item nobody was presented: p undefined, and nobody is complete;
 *  - no person at all.
 */
static void test_undefined(void **state)
{
    signed char crossed[] = {1, 0, 0, 1};
    signed char one_item[] = {1, 0};
    signed char one_complete[] = {1, 1, 0, M};
    signed char none[] = {1, M, 0, M};
    struct responses r;
    struct itemstats s;

    (void)state;
    r = matrix(crossed, 2, 2);
    assert_int_equal(itemstats_compute(&r, &s), CF_OK);
    assert_value(s.sd, 0.0);
    assert_undefined(s.alpha, ITEMSTATS_TOTAL_NO_VARIANCE);
    assert_undefined(s.kr20, ITEMSTATS_TOTAL_NO_VARIANCE);
    assert_undefined(s.sem, ITEMSTATS_TOTAL_NO_VARIANCE);
    assert_undefined(s.item[0].r_pb, ITEMSTATS_TOTAL_NO_VARIANCE);
    assert_value(s.item[0].r_pb_rest, -1.0);
    assert_undefined(s.item[0].alpha_if_deleted, ITEMSTATS_FEW_ITEMS);
    assert_int_equal(s.item[0].flags, ITEMSTATS_NEGATIVE_DISCRIMINATION);
    itemstats_free(&s);

    r = matrix(one_item, 2, 1);
    assert_int_equal(itemstats_compute(&r, &s), CF_OK);
    assert_value(s.item[0].r_pb, 1.0);
    assert_undefined(s.item[0].r_pb_rest, ITEMSTATS_REST_NO_VARIANCE);
    assert_undefined(s.alpha, ITEMSTATS_FEW_ITEMS);
    assert_undefined(s.kr20, ITEMSTATS_FEW_ITEMS);
    assert_undefined(s.item[0].alpha_if_deleted, ITEMSTATS_FEW_ITEMS);
    itemstats_free(&s);

    r = matrix(one_complete, 2, 2);
    assert_int_equal(itemstats_compute(&r, &s), CF_OK);
    assert_int_equal(s.persons_complete, 1);
    assert_value(s.mean, 2.0);
    assert_value(s.item[0].p, 0.5);
    assert_undefined(s.sd, ITEMSTATS_FEW_PERSONS);
    assert_undefined(s.alpha, ITEMSTATS_FEW_PERSONS);
    assert_undefined(s.item[0].r_pb, ITEMSTATS_FEW_PERSONS);
    assert_undefined(s.item[1].r_pb_rest, ITEMSTATS_FEW_PERSONS);
    itemstats_free(&s);

    r = matrix(none, 2, 2);
    assert_int_equal(itemstats_compute(&r, &s), CF_OK);
    assert_undefined(s.item[1].p, ITEMSTATS_NOT_PRESENTED);
    assert_int_equal(s.item[1].flags, 0);
    assert_int_equal(s.persons_complete, 0);
    assert_undefined(s.mean, ITEMSTATS_FEW_PERSONS);
    assert_undefined(s.kr20, ITEMSTATS_FEW_PERSONS);
    itemstats_free(&s);

    r = matrix(NULL, 0, 0);
    assert_int_equal(itemstats_compute(&r, &s), CF_OK);
    assert_undefined(s.alpha, ITEMSTATS_FEW_PERSONS);
    itemstats_free(&s);
}

/* The view of example B read from its file: the keys, nulls with reasons, flags by name. */
static void test_view(void **state)
{
    static const char file[] = "person,i1,i2,i3,i4,const\n"
                               "p1,1,1,1,1,1\np2,1,1,1,0,1\np3,1,1,0,1,1\n"
                               "p4,1,0,1,0,1\np5,0,1,0,0,1\np6,0,0,0,1,1\np7,1,,1,1,1\n";
    struct responses r;
    struct itemstats s;
    json_t *v, *items, *it, *problems = NULL;
    const char *keys[] = {"persons", "persons_complete", "item_count", "alpha", "kr20",
                          "sem",     "mean_total",       "sd_total",   "items", "null_because"};
    const char *item_keys[] = {"id",        "presented",        "p",     "r_pb",
                               "r_pb_rest", "alpha_if_deleted", "flags", "null_because"};

    (void)state;
    assert_int_equal(responses_parse(file, sizeof file - 1, &r, &problems), 0);
    assert_null(problems);
    assert_int_equal(itemstats_compute(&r, &s), CF_OK);
    v = itemstats_view(&r, &s);
    assert_non_null(v);
    assert_int_equal(json_object_size(v), sizeof keys / sizeof keys[0]);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        assert_non_null(json_object_get(v, keys[i]));
    assert_int_equal(json_integer_value(json_object_get(v, "persons")), 7);
    assert_int_equal(json_integer_value(json_object_get(v, "persons_complete")), 6);
    assert_int_equal(json_integer_value(json_object_get(v, "item_count")), 5);

    /*
     * A constant fifth item adds no variance to any item and shifts every total by 1: the
     * covariances are example B's, so with k = 5 alpha = 5/4 (1 - (17/3)/(22/3)) = 25/88.
     */
    assert_true(fabs(json_real_value(json_object_get(v, "alpha")) - 25.0 / 88.0) < EXACT);
    items = json_object_get(v, "items");
    assert_int_equal(json_array_size(items), 5);
    it = json_array_get(items, 1);
    assert_int_equal(json_object_size(it), sizeof item_keys / sizeof item_keys[0]);
    for (size_t i = 0; i < sizeof item_keys / sizeof item_keys[0]; i++)
        assert_non_null(json_object_get(it, item_keys[i]));
    assert_string_equal(json_string_value(json_object_get(it, "id")), "i2");
    assert_int_equal(json_integer_value(json_object_get(it, "presented")), 6);
    assert_true(fabs(json_real_value(json_object_get(it, "r_pb_rest")) - 0.125) < EXACT);
    assert_string_equal(json_string_value(json_array_get(json_object_get(it, "flags"), 0)),
                        "low_discrimination");
    it = json_array_get(items, 3);
    assert_string_equal(json_string_value(json_array_get(json_object_get(it, "flags"), 0)),
                        "negative_discrimination");
    it = json_array_get(items, 4);
    assert_true(json_is_null(json_object_get(it, "r_pb")));
    assert_true(json_is_null(json_object_get(it, "r_pb_rest")));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(it, "null_because"), "r_pb")),
        itemstats_why_text(ITEMSTATS_ITEM_NO_VARIANCE));
    assert_string_equal(json_string_value(json_array_get(json_object_get(it, "flags"), 0)),
                        "too_easy");
    assert_int_equal(json_object_size(json_object_get(v, "null_because")), 0);
    json_decref(v);
    itemstats_free(&s);
    responses_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_example_a),
        cmocka_unit_test(test_example_b),
        cmocka_unit_test(test_flags_thresholds),
        cmocka_unit_test(test_undefined),
        cmocka_unit_test(test_view),
    };

    return cmocka_run_group_tests_name("itemstats", tests, NULL, NULL);
}
