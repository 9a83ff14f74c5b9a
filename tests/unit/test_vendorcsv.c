/*
 * test_vendorcsv.c — src/core/vendorcsv: a vendor's response file read for a form (its
 * header matched to the form's items, options or 0/1 cells, every refusal named by line and
 * column) and the item analysis of a small file worked by hand below.
 */
#include "testutil.h"

#include <math.h>
#include <string.h>

#include "core/vendorcsv.h"

static const char *const abc[] = {"A", "B", "C"};

/* Three items of three options A, B, C; keys A, B and C. */
static const struct vendor_item form3[] = {
    {"Q1", 3, abc, 1u << 0, 0},
    {"Q2", 3, abc, 1u << 1, 0},
    {"Q3", 3, abc, 1u << 2, 0},
};

/* The same three items with Q3 a pretest item: not in the total score. */
static const struct vendor_item form3p[] = {
    {"Q1", 3, abc, 1u << 0, 0},
    {"Q2", 3, abc, 1u << 1, 0},
    {"Q3", 3, abc, 1u << 2, 1},
};

/* The problems of a refused file as "LINE:COLUMN message" lines, for strstr. */
static char *problems_text(const char *csv, const struct vendor_item *items, size_t n)
{
    static char text[8192];
    struct vendorcsv v;
    json_t *pb = NULL, *x;
    size_t i, len = 0;

    assert_int_equal(vendorcsv_parse(csv, strlen(csv), items, n, &v, &pb), CF_EINVAL);
    assert_non_null(pb);
    assert_int_equal(v.persons, 0);
    assert_null(v.kept);
    text[0] = '\0';
    json_array_foreach(pb, i, x)
    {
        len += (size_t)snprintf(text + len, sizeof text - len, "%d:%d %s\n",
                                (int)json_integer_value(json_object_get(x, "line")),
                                (int)json_integer_value(json_object_get(x, "column")),
                                json_string_value(json_object_get(x, "message")));
    }
    json_decref(pb);
    return text;
}

static double num(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);

    if (!json_is_number(v))
        fail_msg("%s is not a number", k);
    return json_number_value(v);
}

static const json_t *item_of(const json_t *a, const char *id)
{
    size_t i;
    json_t *x;

    json_array_foreach(json_object_get(a, "items"), i, x)
    {
        if (strcmp(json_string_value(json_object_get(x, "id")), id) == 0)
            return x;
    }
    fail_msg("no item %s", id);
    return NULL;
}

static int has_flag(const json_t *x, const char *flag)
{
    size_t i;
    json_t *f;

    json_array_foreach(json_object_get(x, "flags"), i, f)
    {
        if (strcmp(json_string_value(f), flag) == 0)
            return 1;
    }
    return 0;
}

/*
 * The hand-worked file. Keys Q1 = A, Q2 = B, Q3 = C; columns in another order than the
 * form's, to show they are matched by heading.
 *
 *   cand  Q3 Q1 Q2   scores Q1 Q2 Q3  total
 *   c1    C  A  B           1  1  1   3
 *   c2    A  A  B           1  1  0   2
 *   c3    C  A  C           1  0  1   2
 *   c4    B  B  B           0  1  0   1
 *   c5    B  C  A           0  0  0   0
 *
 * p: Q1 3/5 = 0.6, Q2 3/5 = 0.6, Q3 2/5 = 0.4. Totals 3 2 2 1 0: mean 1.6, squared
 * deviations 1.96 .16 .16 .36 2.56 = 5.2, variance (n - 1) 1.3. Each item's scores have
 * sum of squared deviations 1.2, variance 0.3.
 * alpha = 3/2 (1 - 0.9 / 1.3) = 0.6 / 1.3 = 6/13 = 0.461538; KR-20 the same (sum pq = 0.72
 * over the total's variance with divisor n, 1.04).
 * Q1 item-total: deviations .4 .4 .4 -.6 -.6 against 1.4 .4 .4 -.6 -1.6, products sum 2.2;
 *   r = 2.2 / sqrt(1.2 * 5.2) = 0.880705.
 * Q1 item-rest: rest 2 1 1 1 0, deviations 1 0 0 0 -1 (sum of squares 2), products sum
 *   1.0; r = 1 / sqrt(1.2 * 2) = 0.645497.
 * Q2 item-rest: rest 2 1 2 0 0, deviations 1 0 1 -1 -1, Q2's .4 .4 -.6 .4 -.6, products
 *   sum 0: r = 0, below 0.15: flagged for its discrimination.
 * Q1 alpha if deleted: Q2 and Q3 have covariance (.24 - .16 - .36 - .16 + .24) / 4 = -0.05,
 *   so their sum's variance is .3 + .3 - .1 = .5 and alpha = 2 (1 - .6 / .5) = -0.4.
 * Q1's options: A by c1 c2 c3 (share 0.6, mean total 7/3), B by c4 (0.2, 1), C by c5
 *   (0.2, 0). Q3's: C by c1 c3 (0.4, 2.5), A by c2 (0.2, 2), B by c4 c5 (0.4, 0.5): B
 *   draws as many as the key, not more, so no flag.
 */
static const char hand[] = "cand,Q3,Q1,Q2\r\n"
                           "c1,C,A,B\r\n"
                           "c2,A,A,B\r\n"
                           "c3,C,A,C\r\n"
                           "c4,B,B,B\r\n"
                           "c5,B,C,A\r\n";

static void test_hand_worked(void **state)
{
    struct vendorcsv v;
    json_t *pb = NULL, *a, *opts;
    const json_t *q1, *q2, *q3;

    (void)state;
    assert_int_equal(vendorcsv_parse(hand, strlen(hand), form3, 3, &v, &pb), CF_OK);
    assert_null(pb);
    assert_false(v.scored);
    assert_int_equal(v.persons, 5);
    assert_int_equal(v.total[0], 3);
    assert_int_equal(v.total[4], 0);
    assert_int_equal(v.score[2 * 3 + 1], 0); /* c3's Q2: C, the key is B */
    {
        json_t *kept = json_loads(v.kept[0], 0, NULL);

        assert_non_null(kept);
        assert_string_equal(json_string_value(json_object_get(kept, "Q3")), "C");
        json_decref(kept);
    }

    a = vendorcsv_analysis(&v, form3);
    assert_non_null(a);
    assert_string_equal(json_string_value(json_object_get(a, "kind")), "options");
    assert_int_equal(num(a, "persons"), 5);
    assert_true(fabs(num(a, "alpha") - 6.0 / 13.0) < 1e-9);
    assert_true(fabs(num(a, "kr20") - 6.0 / 13.0) < 1e-9);
    q1 = item_of(a, "Q1");
    q2 = item_of(a, "Q2");
    q3 = item_of(a, "Q3");
    assert_true(fabs(num(q1, "p") - 0.6) < 1e-9);
    assert_true(fabs(num(q3, "p") - 0.4) < 1e-9);
    assert_true(fabs(num(q1, "r_pb") - 2.2 / sqrt(1.2 * 5.2)) < 1e-9);
    assert_true(fabs(num(q1, "r_pb_rest") - 1.0 / sqrt(2.4)) < 1e-9);
    assert_true(fabs(num(q1, "alpha_if_deleted") - -0.4) < 1e-9);
    assert_true(fabs(num(q2, "r_pb_rest")) < 1e-9);
    /* r is 0 by hand; rounding may put it a hair below 0 (negative) or at 0 (low). */
    assert_true(has_flag(q2, "low_discrimination") || has_flag(q2, "negative_discrimination"));
    assert_true(json_is_true(json_object_get(q2, "flagged")));
    assert_false(json_is_true(json_object_get(q1, "flagged")));
    assert_int_equal(json_array_size(json_object_get(a, "flagged")), 1);
    assert_string_equal(json_string_value(json_array_get(json_object_get(a, "flagged"), 0)), "Q2");

    opts = json_object_get(q1, "options");
    assert_int_equal(json_array_size(opts), 3);
    assert_true(json_is_true(json_object_get(json_array_get(opts, 0), "key")));
    assert_false(json_is_true(json_object_get(json_array_get(opts, 1), "key")));
    assert_true(fabs(num(json_array_get(opts, 0), "share") - 0.6) < 1e-9);
    assert_true(fabs(num(json_array_get(opts, 0), "mean_total") - 7.0 / 3.0) < 1e-9);
    assert_true(fabs(num(json_array_get(opts, 1), "mean_total") - 1.0) < 1e-9);
    assert_true(fabs(num(json_array_get(opts, 2), "share") - 0.2) < 1e-9);
    assert_true(fabs(num(json_array_get(opts, 2), "mean_total")) < 1e-9);
    opts = json_object_get(q3, "options");
    assert_true(fabs(num(json_array_get(opts, 1), "share") - 0.4) < 1e-9);
    assert_true(fabs(num(json_array_get(opts, 1), "mean_total") - 0.5) < 1e-9);
    assert_int_equal(json_array_size(json_object_get(json_array_get(opts, 1), "flags")), 0);
    assert_false(has_flag(q3, "distractor_outdraws_key"));
    json_decref(a);
    vendorcsv_free(&v);
}

/*
 * A distractor that out-draws the key flags its item: one item (key A), three candidates,
 * two choose B (share 2/3 > the key's 1/3). The one who chose A has total 1, those who
 * chose B total 0: B's choosers are not stronger.
 */
static void test_distractor_flag(void **state)
{
    static const char csv[] = "id,Q1\nx,B\ny,A\nz,B\n";
    struct vendorcsv v;
    json_t *pb = NULL, *a;
    const json_t *q1;

    (void)state;
    assert_int_equal(vendorcsv_parse(csv, strlen(csv), form3, 1, &v, &pb), CF_OK);
    a = vendorcsv_analysis(&v, form3);
    assert_non_null(a);
    q1 = item_of(a, "Q1");
    assert_true(has_flag(q1, "distractor_outdraws_key"));
    assert_false(has_flag(q1, "distractor_draws_stronger"));
    assert_true(has_flag(json_array_get(json_object_get(q1, "options"), 1), "outdraws_key"));
    assert_true(json_is_true(json_object_get(q1, "flagged")));
    json_decref(a);
    vendorcsv_free(&v);
}

/*
 * A pretest item is analysed against the scored total without being part of it. Worked by
 * hand: the cells score a (1,1,1), b (1,0,0), c (0,1,1), d (0,0,0), e (1,1,0) on Q1, Q2, Q3;
 * the scored totals (Q1 + Q2) are 2, 1, 1, 0, 2 (mean 1.2, sum of squared deviations 2.8).
 *  - alpha over Q1, Q2: each item's variance 0.3, the total's 0.7 (divisor 4):
 *    2 (1 - 0.6 / 0.7) = 2/7.
 *  - Q1's item-rest r is its correlation with Q2: deviations (.4,.4,-.6,-.6,.4) and
 *    (.4,-.6,.4,-.6,.4), cross products sum to 0.2, each sum of squares 1.2: r = 1/6. (With
 *    Q3 in the total it would be r(Q1, Q2 + Q3), which is not 1/6.)
 *  - Q3 (p = 0.4) against the scored total: cross products .48 + .08 - .12 + .48 - .32 = .6,
 *    sums of squares 1.2 and 2.8: r_pb_rest = .6 / sqrt(3.36).
 *  - Q3's key C is chosen by a and c: their mean scored total (2 + 1) / 2 = 1.5 (2.5 if Q3
 *    counted); B by d and e: 1.0.
 */
static void test_pretest(void **state)
{
    static const char csv[] = "id,Q1,Q2,Q3\na,A,B,C\nb,A,C,A\nc,B,B,C\nd,C,A,B\ne,A,B,B\n";
    struct vendorcsv v;
    json_t *pb = NULL, *a;
    const json_t *q1, *q3, *opts;

    (void)state;
    assert_int_equal(vendorcsv_parse(csv, strlen(csv), form3p, 3, &v, &pb), CF_OK);
    assert_false(v.scored);
    assert_int_equal(v.total[0], 2); /* a: Q3 right but not counted */
    assert_int_equal(v.total[2], 1);
    a = vendorcsv_analysis(&v, form3p);
    assert_non_null(a);
    assert_int_equal(num(a, "item_count"), 3);
    assert_int_equal(num(a, "scored_count"), 2);
    assert_true(fabs(num(a, "alpha") - 2.0 / 7.0) < 1e-9);
    assert_true(fabs(num(a, "mean_total") - 1.2) < 1e-9);
    q1 = item_of(a, "Q1");
    q3 = item_of(a, "Q3");
    assert_string_equal(json_string_value(json_object_get(q1, "role")), "scored");
    assert_string_equal(json_string_value(json_object_get(q3, "role")), "pretest");
    assert_true(fabs(num(q1, "r_pb_rest") - 1.0 / 6.0) < 1e-9);
    assert_true(fabs(num(q3, "p") - 0.4) < 1e-9);
    assert_true(fabs(num(q3, "r_pb_rest") - 0.6 / sqrt(3.36)) < 1e-9);
    assert_true(json_is_null(json_object_get(q3, "alpha_if_deleted")));
    assert_non_null(json_object_get(json_object_get(q3, "null_because"), "alpha_if_deleted"));
    /* the items keep the form's order */
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(json_object_get(a, "items"), 2), "id")),
        "Q3");
    opts = json_object_get(q3, "options");
    assert_true(fabs(num(json_array_get(opts, 2), "mean_total") - 1.5) < 1e-9);
    assert_true(fabs(num(json_array_get(opts, 1), "mean_total") - 1.0) < 1e-9);
    json_decref(a);
    vendorcsv_free(&v);
}

/* A file of 0, 1 and empty cells only is scored: no options; empty is not presented. */
static void test_scored(void **state)
{
    static const char csv[] = "id,Q2,Q1,Q3\na,1,1,\nb,0,1,1\nc,1,0,0\n";
    struct vendorcsv v;
    json_t *pb = NULL, *a;

    (void)state;
    assert_int_equal(vendorcsv_parse(csv, strlen(csv), form3, 3, &v, &pb), CF_OK);
    assert_true(v.scored);
    assert_null(v.cells);
    assert_int_equal(v.score[0 * 3 + 0], 1);  /* a's Q1 */
    assert_int_equal(v.score[0 * 3 + 2], -1); /* a's Q3: not presented */
    assert_int_equal(v.total[0], 2);
    assert_int_equal(v.total[1], 2);
    assert_int_equal(v.total[2], 1);
    a = vendorcsv_analysis(&v, form3);
    assert_non_null(a);
    assert_string_equal(json_string_value(json_object_get(a, "kind")), "scored");
    /* Q3 presented to b and c, one right: p = 1/2. */
    assert_true(fabs(num(item_of(a, "Q3"), "p") - 0.5) < 1e-9);
    assert_null(json_object_get(item_of(a, "Q1"), "options"));
    json_decref(a);
    vendorcsv_free(&v);

    /* One option cell makes the whole file an options file: then "1" is no option. */
    assert_non_null(strstr(problems_text("id,Q1,Q2,Q3\na,1,B,\n", form3, 3),
                           "2:3 Item Q1: \"1\" is not an option of this item (it has 3)."));
}

static void test_refusals(void **state)
{
    const char *t;

    (void)state;
    /* The header: an unknown item at its column, a repeated one, a missing one at 1:1. */
    t = problems_text("cand,Q1,Q9,Q2,Q1\nc1,A,A,B,A\n", form3, 3);
    assert_non_null(strstr(t, "1:9 \"Q9\" is not an item of this form."));
    assert_non_null(strstr(t, "1:15 The item Q1 has a column already (column 6)"));
    assert_non_null(strstr(t, "1:1 The form's item Q3 has no column."));

    /* Rows: an empty id, a repeated id, bad cells each at their line and column. */
    t = problems_text("cand,Q1,Q2,Q3\n"
                      "c1,A,B,C\n"
                      ",A,B,C\n"
                      "c1,A,B,C\n"
                      "c4,D,B;B,C\n"
                      "c5,A,;B,\n",
                      form3, 3);
    assert_non_null(strstr(t, "3:1 The candidate's id is empty."));
    assert_non_null(strstr(t, "4:1 The candidate c1 has a row already (line 2)."));
    assert_non_null(strstr(t, "5:4 Item Q1: \"D\" is not an option of this item (it has 3)."));
    assert_non_null(strstr(t, "5:6 Item Q2: The option \"B\" is named twice."));
    assert_non_null(strstr(t, "6:6 Item Q2: Name the options chosen separated by ';'"));

    /* No rows; a row of the wrong length (the CSV reader's own problem). */
    assert_non_null(
        strstr(problems_text("cand,Q1,Q2,Q3\n", form3, 3), "1:1 The file has no candidate rows"));
    t = problems_text("cand,Q1,Q2,Q3\nc1,A,B\n", form3, 3);
    assert_true(strncmp(t, "2:", 2) == 0);
}

/* The list of problems stops at VENDORCSV_MAX_PROBLEMS, the last saying more exist. */
static void test_cap(void **state)
{
    static char csv[8192];
    struct vendorcsv v;
    json_t *pb = NULL;
    size_t len = (size_t)snprintf(csv, sizeof csv, "id,Q1\n");

    (void)state;
    for (int i = 0; i < 150; i++)
        len += (size_t)snprintf(csv + len, sizeof csv - len, "p%d,Z\n", i);
    assert_int_equal(vendorcsv_parse(csv, len, form3, 1, &v, &pb), CF_EINVAL);
    assert_int_equal(json_array_size(pb), VENDORCSV_MAX_PROBLEMS);
    assert_non_null(strstr(json_string_value(json_object_get(
                               json_array_get(pb, VENDORCSV_MAX_PROBLEMS - 1), "message")),
                           "more problems"));
    json_decref(pb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_worked), cmocka_unit_test(test_distractor_flag),
        cmocka_unit_test(test_scored),      cmocka_unit_test(test_pretest),
        cmocka_unit_test(test_refusals),    cmocka_unit_test(test_cap),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
