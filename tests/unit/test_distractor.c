/*
 * test_distractor.c — src/core/distractor: cells read from a vendor's text,
 * scored against keys, and the distractor analysis, on a small file worked
 * by hand below (every number is counted from the table, not taken from the
 * code's output).
 */
#include "testutil.h"

#include <string.h>

#include "core/distractor.h"

static uint32_t cell(const char *text, const char *const *ids, int n)
{
    uint32_t m = 0;
    struct cf_error err;

    memset(&err, 0, sizeof err);
    if (distractor_cell(text, strlen(text), ids, n, &m, &err) != CF_OK)
        fail_msg("\"%s\": %s", text, err.message);
    return m;
}

static void test_cell(void **state)
{
    static const char *const ids[] = {"ChoiceA", "ChoiceB", "ChoiceC", "ChoiceD"};
    struct cf_error err;
    uint32_t m;

    (void)state;
    memset(&err, 0, sizeof err);
    assert_int_equal(cell("", ids, 4), DISTRACTOR_NOT_PRESENTED);
    assert_int_equal(cell("  ", ids, 4), DISTRACTOR_NOT_PRESENTED);
    assert_int_equal(cell("-", ids, 4), 0);
    assert_int_equal(cell("ChoiceB", ids, 4), 2);
    assert_int_equal(cell("B", ids, 4), 2); /* a letter names the option at its place */
    assert_int_equal(cell("A; ChoiceC", ids, 4), 5);
    assert_int_equal(distractor_cell("E", 1, ids, 4, &m, &err), CF_EINVAL);
    assert_non_null(strstr(err.message, "\"E\" is not an option of this item (it has 4)"));
    assert_int_equal(distractor_cell("A;ChoiceA", 9, ids, 4, &m, &err), CF_EINVAL);
    assert_non_null(strstr(err.message, "named twice"));
    assert_int_equal(distractor_cell("A;;B", 4, ids, 4, &m, &err), CF_EINVAL);
    assert_int_equal(distractor_cell("A;", 2, ids, 4, &m, &err), CF_EINVAL);
}

/*
 * Six candidates, three items. Item 1: options A-D, key B. Item 2: options A-D, key A
 * and C (multiple response, all or nothing). Item 3: options A-C, key A.
 *
 *        item 1  item 2  item 3   scores   total
 *   P1   B       A;C     C        1 1 0    2
 *   P2   B       A       C        1 0 0    1
 *   P3   A       A;C     C        0 1 0    1
 *   P4   C       (none)  A        0 - 1    1
 *   P5   B       C;A     C        1 1 0    2
 *   P6   -       D       B        0 0 0    0
 */
#define A  1u
#define B  2u
#define C  4u
#define D  8u
#define NP DISTRACTOR_NOT_PRESENTED
static const uint32_t cells[6 * 3] = {
    B, A | C, C, B, A, C, A, A | C, C, C, NP, A, B, C | A, C, 0, D, B,
};
static const struct distractor_key keys[3] = {{4, B, 0}, {4, A | C, 0}, {3, A, 0}};

static void test_score(void **state)
{
    signed char scores[18];
    int totals[6];
    static const signed char want[18] = {1, 1, 0, 1, 0, 0, 0, 1, 0, 0, -1, 1, 1, 1, 0, 0, 0, 0};
    static const int want_totals[6] = {2, 1, 1, 1, 2, 0};

    (void)state;
    distractor_score(cells, 6, 3, keys, scores, totals);
    assert_memory_equal(scores, want, sizeof want);
    assert_memory_equal(totals, want_totals, sizeof want_totals);
}

static void test_analysis(void **state)
{
    struct distractor_item it[3];
    struct cf_error err;

    (void)state;
    memset(&err, 0, sizeof err);
    assert_int_equal(distractor_analyze(cells, 6, 3, keys, it, &err), CF_OK);

    /* Item 1: presented 6, one omit (P6), right P1 P2 P5: key mean (2+1+2)/3. A: P3 (1).
     * C: P4 (1). D: no one. No distractor draws more or stronger candidates than B. */
    assert_int_equal(it[0].presented, 6);
    assert_int_equal(it[0].omitted, 1);
    assert_int_equal(it[0].right, 3);
    assert_float_equal(it[0].key_mean_total, 5.0 / 3, 1e-12);
    assert_int_equal(it[0].option[0].chosen, 1);
    assert_float_equal(it[0].option[0].rate, 1.0 / 6, 1e-12);
    assert_float_equal(it[0].option[0].mean_total, 1, 1e-12);
    assert_true(it[0].option[1].is_key);
    assert_float_equal(it[0].option[1].rate, 0.5, 1e-12);
    assert_float_equal(it[0].option[2].mean_total, 1, 1e-12);
    assert_int_equal(it[0].option[3].chosen, 0);
    assert_false(it[0].option[3].mean_defined);
    assert_int_equal(it[0].flags, 0);

    /* Item 2: P4 not presented: 5. Right P1 P3 P5 (mean 5/3). A: P1 P2 P3 P5 (4, mean
     * 6/4); C: P1 P3 P5 (3, mean 5/3); D: P6 (1, mean 0). The least chosen right option
     * (C, 3) draws more than every distractor. */
    assert_int_equal(it[1].presented, 5);
    assert_int_equal(it[1].omitted, 0);
    assert_int_equal(it[1].right, 3);
    assert_int_equal(it[1].option[0].chosen, 4);
    assert_float_equal(it[1].option[0].rate, 0.8, 1e-12);
    assert_float_equal(it[1].option[0].mean_total, 1.5, 1e-12);
    assert_float_equal(it[1].option[2].mean_total, 5.0 / 3, 1e-12);
    assert_float_equal(it[1].option[3].rate, 0.2, 1e-12);
    assert_int_equal(it[1].flags, 0);

    /* Item 3: only P4 right (key mean 1). C: P1 P2 P3 P5 (4 > 1; mean 6/4 > 1): it
     * out-draws the key and draws stronger candidates. B: P6 (1, not more than 1; mean 0). */
    assert_int_equal(it[2].right, 1);
    assert_float_equal(it[2].key_mean_total, 1, 1e-12);
    assert_int_equal(it[2].option[2].chosen, 4);
    assert_float_equal(it[2].option[2].mean_total, 1.5, 1e-12);
    assert_int_equal(it[2].option[2].flags, DISTRACTOR_OUTDRAWS_KEY | DISTRACTOR_DRAWS_STRONGER);
    assert_int_equal(it[2].option[1].flags, 0);
    assert_int_equal(it[2].flags, DISTRACTOR_OUTDRAWS_KEY | DISTRACTOR_DRAWS_STRONGER);
}

static void test_refusals(void **state)
{
    struct distractor_item it[1];
    struct cf_error err;
    const struct distractor_key empty = {4, 0, 0}, past = {3, D, 0}, ok = {3, A, 0};
    const uint32_t bad[1] = {D};

    (void)state;
    memset(&err, 0, sizeof err);
    assert_int_equal(distractor_analyze(cells, 0, 1, &empty, it, &err), CF_EINVAL);
    assert_string_equal(err.field, "key");
    assert_int_equal(distractor_analyze(cells, 0, 1, &past, it, &err), CF_EINVAL);
    assert_int_equal(distractor_analyze(bad, 1, 1, &ok, it, &err), CF_EINVAL);
    assert_string_equal(err.field, "cell");
    assert_non_null(strstr(err.message, "Person 1, item 1"));
    /* No one at all: every count 0, nothing defined, no flag. */
    assert_int_equal(distractor_analyze(cells, 0, 1, &ok, it, &err), CF_OK);
    assert_int_equal(it[0].presented, 0);
    assert_false(it[0].key_mean_defined);
    assert_int_equal(it[0].flags, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cell),
        cmocka_unit_test(test_score),
        cmocka_unit_test(test_analysis),
        cmocka_unit_test(test_refusals),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
