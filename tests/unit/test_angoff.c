/*
 * test_angoff.c — src/core/angoff.c: the modified Angoff study on hand-worked panels
 * (the arithmetic beside each), rounds, impact data on a small known distribution, the
 * Hofstee and Beuk compromises on hand-built curves (crossing worked out by hand), the
 * cases where they have no cut, and the ratings file reader with its refusals.
 *
 * Methods (docs/standard-setting.md):
 *   Hofstee, W. K. B. (1983). The case for compromise in educational selection and
 *     grading. In S. B. Anderson & J. S. Helmick (Eds.), On educational testing
 *     (pp. 109-127). San Francisco: Jossey-Bass.
 *   Beuk, C. H. (1984). A method for reaching a compromise between absolute and relative
 *     standards in examinations. Journal of Educational Measurement, 21(2), 147-152.
 */
#include "testutil.h"

#include <math.h>

#include "core/angoff.h"

#define EXACT 1e-12 /* values worked out as fractions */

#define assert_near(got, want, tol)                                                                \
    do {                                                                                           \
        if (fabs((double)(got) - (double)(want)) > (tol))                                          \
            fail_msg("%s = %.12f, want %.12f", #got, (double)(got), (double)(want));               \
    } while (0)

/* Parses text, which must be read whole; the caller frees r. */
static void parse_ok(const char *text, struct angoff_ratings *r)
{
    json_t *problems = NULL;
    int n = angoff_parse(text, strlen(text), r, &problems);

    if (n != 0)
        fail_msg("%d problems; the first: %s", n,
                 json_string_value(json_object_get(json_array_get(problems, 0), "message")));
    assert_null(problems);
}

/* Asserts problem i is at line:column and holds words. */
static void assert_problem(const json_t *problems, size_t i, long line, long col, const char *words)
{
    const json_t *pb = json_array_get(problems, i);
    const char *msg = json_string_value(json_object_get(pb, "message"));

    if (pb == NULL)
        fail_msg("no problem %zu (of %zu)", i, json_array_size(problems));
    if (json_integer_value(json_object_get(pb, "line")) != line ||
        json_integer_value(json_object_get(pb, "column")) != col || strstr(msg, words) == NULL)
        fail_msg("problem %zu is %lld:%lld: %s; want %ld:%ld: ...%s...", i,
                 (long long)json_integer_value(json_object_get(pb, "line")),
                 (long long)json_integer_value(json_object_get(pb, "column")), msg, line, col,
                 words);
}

/* Parses text, expecting want problems; returns them (the caller frees), r checked empty. */
static json_t *refused(const char *text, int want)
{
    struct angoff_ratings r;
    json_t *problems = NULL;
    int got = angoff_parse(text, strlen(text), &r, &problems);

    if (got != want)
        fail_msg("%d problems, want %d; the first: %s", got, want,
                 json_string_value(json_object_get(json_array_get(problems, 0), "message")));
    assert_int_equal(json_array_size(problems), (size_t)want);
    assert_int_equal(r.items, 0);
    assert_int_equal(r.rows, 0);
    assert_null(r.item_id);
    assert_null(r.rating);
    return problems;
}

/*
 * One round, three panelists, four items:
 *
 *   panelist   I1   I2   I3   I4   cut (sum)
 *     P1      .6   .7   .5   .8   2.6
 *     P2      .5   .6   .1   .7   1.9
 *     P3      .7   .8   .6   .9   3.0
 *
 * Panel cut = (2.6 + 1.9 + 3.0) / 3 = 7.5 / 3 = 2.5.
 * Deviations .1, -.6, .5: SS = .01 + .36 + .25 = .62; SD = sqrt(.62 / 2) = sqrt(.31);
 * SE = SD / sqrt(3) = sqrt(.31 / 3).
 * Items: I1 mean .6, deviations -0, -.1, .1 → SD sqrt(.02 / 2) = .1; I2 mean .7, SD .1;
 * I4 mean .8, SD .1; I3 mean 1.2 / 3 = .4, deviations .1, -.3, .2, SS .14, SD sqrt(.07).
 * Disagreement, largest SD first: I3, then I1, I2, I4 (equal SDs in file order).
 */
static void test_panel(void **state)
{
    static const char file[] = "round,panelist,I1,I2,I3,I4\n"
                               "1,P1,.6,.7,.5,.8\n"
                               "1,P2,0.5,0.6,0.1,0.7\n"
                               "1,P3, 0.7 ,0.8,0.6,0.9\n";
    struct angoff_ratings r;
    struct angoff_study s;
    const struct angoff_round *t;

    (void)state;
    parse_ok(file, &r);
    assert_int_equal(r.items, 4);
    assert_int_equal(r.rows, 3);
    assert_string_equal(r.item_id[2], "I3");
    assert_string_equal(r.panelist[1], "P2");
    assert_int_equal(r.line[2], 4);
    /* "round,panelist," is 15 characters: I1 starts at column 16, I4 at 16 + 3 * 3 = 25 */
    assert_int_equal(r.item_col[0], 16);
    assert_int_equal(r.item_col[3], 25);
    assert_int_equal(angoff_study(&r, &s), CF_OK);
    assert_int_equal(s.rounds, 1);
    t = &s.round[0];
    assert_int_equal(t->round, 1);
    assert_int_equal(t->panelists, 3);
    assert_near(t->panelist_cut[0], 2.6, EXACT);
    assert_near(t->panelist_cut[1], 1.9, EXACT);
    assert_near(t->panelist_cut[2], 3.0, EXACT);
    assert_near(t->cut, 2.5, EXACT);
    assert_true(t->sd.defined && t->se.defined);
    assert_near(t->sd.value, sqrt(0.31), EXACT);
    assert_near(t->se.value, sqrt(0.31 / 3.0), EXACT);
    assert_near(t->item_mean[0], 0.6, EXACT);
    assert_near(t->item_mean[1], 0.7, EXACT);
    assert_near(t->item_mean[2], 0.4, EXACT);
    assert_near(t->item_mean[3], 0.8, EXACT);
    assert_near(t->item_sd[0].value, 0.1, EXACT);
    assert_near(t->item_sd[2].value, sqrt(0.07), EXACT);
    assert_near(t->item_sd[3].value, 0.1, EXACT);
    assert_int_equal(t->disagree[0], 2);
    assert_int_equal(t->disagree[1], 0);
    assert_int_equal(t->disagree[2], 1);
    assert_int_equal(t->disagree[3], 3);

    /* the view carries the same numbers, by id */
    {
        json_t *v = angoff_study_view(&r, &s), *r0;

        assert_non_null(v);
        r0 = json_array_get(json_object_get(v, "rounds"), 0);
        assert_near(json_real_value(json_object_get(r0, "cut")), 2.5, EXACT);
        assert_near(json_real_value(json_object_get(r0, "cut_percent")), 62.5, EXACT);
        assert_string_equal(
            json_string_value(json_array_get(json_object_get(r0, "most_disagreement"), 0)), "I3");
        assert_string_equal(
            json_string_value(json_object_get(
                json_array_get(json_object_get(r0, "panelist_cuts"), 1), "panelist")),
            "P2");
        assert_int_equal(json_array_size(json_object_get(r0, "items")), 4);
        json_decref(v);
    }
    angoff_study_free(&s);
    angoff_ratings_free(&r);
}

/*
 * Rounds are reported in increasing number whatever the file order, each from its own
 * rows; a panelist may rate again in a later round; a round of one panelist has no SD.
 *
 * Round 2: Q .5 .5 → 1.0 and R .7 .7 → 1.4; cut 1.2; deviations ±.2, SS .08,
 * SD sqrt(.08 / 1) = sqrt(.08); SE = sqrt(.08) / sqrt(2) = sqrt(.04) = .2.
 * Each item: .5 and .7, mean .6, SD sqrt(.02).
 * Round 1: Q alone, .2 + .3 = .5; SD and SE undefined.
 */
static void test_rounds(void **state)
{
    static const char file[] = "round,panelist,a,b\n"
                               "2,Q,0.5,0.5\n"
                               "1,Q,0.2,0.3\n"
                               "2,R,0.7,0.7\n";
    struct angoff_ratings r;
    struct angoff_study s;
    json_t *v;

    (void)state;
    parse_ok(file, &r);
    assert_int_equal(angoff_study(&r, &s), CF_OK);
    assert_int_equal(s.rounds, 2);
    assert_int_equal(s.round[0].round, 1);
    assert_int_equal(s.round[0].panelists, 1);
    assert_near(s.round[0].cut, 0.5, EXACT);
    assert_false(s.round[0].sd.defined);
    assert_false(s.round[0].se.defined);
    assert_false(s.round[0].item_sd[0].defined);

    assert_int_equal(s.round[1].round, 2);
    assert_int_equal(s.round[1].panelists, 2);
    assert_int_equal(s.round[1].row[0], 0);
    assert_int_equal(s.round[1].row[1], 2);
    assert_near(s.round[1].cut, 1.2, EXACT);
    assert_near(s.round[1].sd.value, sqrt(0.08), EXACT);
    assert_near(s.round[1].se.value, 0.2, EXACT);
    assert_near(s.round[1].item_mean[1], 0.6, EXACT);
    assert_near(s.round[1].item_sd[1].value, sqrt(0.02), EXACT);

    /* undefined values are null in the view; one panelist lists no disagreement */
    v = angoff_study_view(&r, &s);
    assert_non_null(v);
    {
        json_t *r0 = json_array_get(json_object_get(v, "rounds"), 0);

        assert_true(json_is_null(json_object_get(r0, "se")));
        assert_true(json_is_null(json_object_get(r0, "sd")));
        assert_int_equal(json_array_size(json_object_get(r0, "most_disagreement")), 0);
    }
    json_decref(v);
    angoff_study_free(&s);
    angoff_ratings_free(&r);
}

/*
 * Impact on 8 persons with raw totals 0, 1, 1, 2, 3, 3, 3, 4 on 4 items: persons at or
 * above each raw cut 8, 7, 5, 4, 1, so the pass rates are 8/8, 7/8, 5/8, 4/8, 1/8.
 * A cut with a fraction applies as the next whole raw score up.
 */
static void test_impact(void **state)
{
    static const int total[] = {3, 0, 1, 4, 3, 1, 2, 3};
    double pass[5];

    (void)state;
    angoff_pass_rates(total, 8, 4, pass);
    assert_near(pass[0], 1.0, EXACT);
    assert_near(pass[1], 7.0 / 8, EXACT);
    assert_near(pass[2], 5.0 / 8, EXACT);
    assert_near(pass[3], 4.0 / 8, EXACT);
    assert_near(pass[4], 1.0 / 8, EXACT);

    assert_int_equal(angoff_raw_cut(0.0), 0);
    assert_int_equal(angoff_raw_cut(2.5), 3);
    assert_int_equal(angoff_raw_cut(2.01), 3);
    assert_int_equal(angoff_raw_cut(3.0), 3);
    /* a sum of ratings a rounding error above 3 is still 3 */
    assert_int_equal(angoff_raw_cut(3.0 + 1e-12), 3);
    assert_int_equal(angoff_raw_cut(3.0 + 1e-6), 4);
    /* the panel cut 2.5 of test_panel on this distribution passes 4 of 8 */
    assert_near(pass[angoff_raw_cut(2.5)], 0.5, EXACT);
}

/*
 * Hofstee on the distribution of test_impact: fail rates 1 - pass at raw 0..4 are
 * 0, 1/8, 3/8, 4/8, 7/8, straight between.
 */
static void test_hofstee(void **state)
{
    static const int total[] = {0, 1, 1, 2, 3, 3, 3, 4};
    double pass[5];
    struct angoff_compromise c;

    (void)state;
    angoff_pass_rates(total, 8, 4, pass);

    /*
     * kmin 1, kmax 3, fmin .25, fmax .75: the line is .75 - .25 (x - 1). At x = 2 the line
     * is .5 and the curve .375; at 3, .25 and .5. On 2..3 with t = x - 2: curve .375 +
     * .125 t, line .5 - .25 t; equal at .375 t = .125, t = 1/3: x = 7/3, fail rate
     * .375 + .125 / 3 = 5/12. Raw cut 3, passing 4/8.
     */
    angoff_hofstee(pass, 4, 1.0, 3.0, 0.25, 0.75, &c);
    assert_int_equal(c.why, ANGOFF_CROSSES);
    assert_near(c.x, 7.0 / 3, EXACT);
    assert_near(c.rate, 5.0 / 12, EXACT);
    assert_int_equal(c.raw_cut, 3);
    assert_near(c.raw_pass, 0.5, EXACT);

    /*
     * kmin 1, kmax 3, fmin 0, fmax .75: the line .75 - .375 (x - 1) is .375 at x = 2, where
     * the curve is .375 too: the crossing is the whole score 2, passing 5/8.
     */
    angoff_hofstee(pass, 4, 1.0, 3.0, 0.0, 0.75, &c);
    assert_int_equal(c.why, ANGOFF_CROSSES);
    assert_near(c.x, 2.0, EXACT);
    assert_near(c.rate, 0.375, EXACT);
    assert_int_equal(c.raw_cut, 2);
    assert_near(c.raw_pass, 5.0 / 8, EXACT);

    /* kmin 3, kmax 4, fmin 0, fmax .25: the fail rate at 3 is already .5 > .25 */
    angoff_hofstee(pass, 4, 3.0, 4.0, 0.0, 0.25, &c);
    assert_int_equal(c.why, ANGOFF_FAIL_ABOVE);
    /* kmin 0, kmax 1, fmin .5, fmax .9: the fail rate at 1 is still .125 < .5 */
    angoff_hofstee(pass, 4, 0.0, 1.0, 0.5, 0.9, &c);
    assert_int_equal(c.why, ANGOFF_FAIL_BELOW);
    assert_non_null(strstr(angoff_cross_text(c.why), "below f_min"));
}

/*
 * Beuk on the same distribution: pass rates in percent 100, 87.5, 62.5, 50, 12.5 at raw
 * 0..4, i.e. at 0, 25, 50, 75, 100 percent correct (p = 25 x).
 */
static void test_beuk(void **state)
{
    static const int total[] = {0, 1, 1, 2, 3, 3, 3, 4};
    static const int plateau[] = {0, 0, 3, 3, 4}; /* pass 100, 60, 60, 60, 20 percent */
    double pass[5], pass2[5];
    struct angoff_compromise c;

    (void)state;
    angoff_pass_rates(total, 8, 4, pass);

    /*
     * cut 50 (SD 10), pass 40 (SD 20): slope -2, y = 40 - 2 (p - 50) = 140 - 50 x. At x = 1
     * the line is 90 and the curve 87.5; at x = 2, 40 and 62.5. On 1..2 with t = x - 1:
     * curve 87.5 - 25 t, line 90 - 50 t; equal at t = .1: x = 1.1 (27.5 percent), pass
     * 85 percent. Raw cut 2, passing 5/8.
     */
    angoff_beuk(pass, 4, 50.0, 10.0, 40.0, 20.0, &c);
    assert_int_equal(c.why, ANGOFF_CROSSES);
    assert_near(c.x, 1.1, 1e-12);
    assert_near(c.rate, 0.85, 1e-12);
    assert_int_equal(c.raw_cut, 2);
    assert_near(c.raw_pass, 5.0 / 8, EXACT);

    /* cut SD 0: the line is vertical at 60 percent, x = 2.4; the curve 62.5 - 12.5 * .4 */
    angoff_beuk(pass, 4, 60.0, 0.0, 70.0, 10.0, &c);
    assert_int_equal(c.why, ANGOFF_CROSSES);
    assert_near(c.x, 2.4, 1e-12);
    assert_near(c.rate, 0.575, 1e-12);
    assert_int_equal(c.raw_cut, 3);
    assert_near(c.raw_pass, 0.5, EXACT);

    /* pass SD 0: the line is flat at 50 percent and meets the curve at x = 3 only */
    angoff_beuk(pass, 4, 40.0, 10.0, 50.0, 0.0, &c);
    assert_int_equal(c.why, ANGOFF_CROSSES);
    assert_near(c.x, 3.0, EXACT);

    /*
     * No meeting: cut 50 (SD 10), pass 80 (SD 10), y = 130 - 25 x, which lies above the
     * curve at every whole score (130 > 100, 105 > 87.5, 80 > 62.5, 55 > 50, 30 > 12.5)
     * and so between them; and a flat line at 0 percent, below the curve's 12.5 at most.
     */
    angoff_beuk(pass, 4, 50.0, 10.0, 80.0, 10.0, &c);
    assert_int_equal(c.why, ANGOFF_NO_MEET);
    angoff_beuk(pass, 4, 50.0, 10.0, 0.0, 0.0, &c);
    assert_int_equal(c.why, ANGOFF_NO_MEET);

    /*
     * Several meetings: on 5 persons with totals 0, 0, 3, 3, 4 the pass rate is 60 percent
     * from raw 1 to raw 3. A flat line at 60 meets all of 1..3; the point nearest the
     * panel's cut is taken: cut 30 percent (x = 1.2) gives 1, cut 70 percent (2.8) gives 3.
     */
    angoff_pass_rates(plateau, 5, 4, pass2);
    assert_near(pass2[2], 0.6, EXACT);
    angoff_beuk(pass2, 4, 30.0, 10.0, 60.0, 0.0, &c);
    assert_int_equal(c.why, ANGOFF_CROSSES);
    assert_near(c.x, 1.0, EXACT);
    angoff_beuk(pass2, 4, 70.0, 10.0, 60.0, 0.0, &c);
    assert_int_equal(c.why, ANGOFF_CROSSES);
    assert_near(c.x, 3.0, EXACT);
}

/* The reader: quoting, a BOM and blanks are read; every bad cell named where it is. */
static void test_reader(void **state)
{
    static const char ok[] = "\xEF\xBB\xBF round ,panelist,\"Q,1\",Q2\r\n"
                             "1,\"Smith, J.\",1,0\r\n"
                             "\r\n"
                             "1,Jones,1.0,0.000\r\n";
    static const char bad[] = "round,panelist,a,b\n" /* line 1 */
                              "1,p1,65,x\n"          /* 2: 65 at 6, x at 9 */
                              "0,p2,,0.5\n"          /* 3: round at 1, empty at 6 */
                              "1,p1,0.2,-0.1\n"      /* 4: p1 again at 3, -0.1 at 10 */
                              "two,,1e-1,0.5\n";     /* 5: round 1, panelist 5, 1e-1 at 6 */
    static const char header[] = "rnd,panelist,a,,a\n1,p,0.1,0.1,0.1\n";
    static const char noitem[] = "round,panelist\n1,p\n";
    static const char norow[] = "round,panelist,a\n";
    static const char ragged[] = "round,panelist,a\n1,p,0.5,0.5\n";
    struct angoff_ratings r;
    json_t *pb;

    (void)state;
    parse_ok(ok, &r);
    assert_string_equal(r.item_id[0], "Q,1");
    assert_string_equal(r.panelist[0], "Smith, J.");
    assert_int_equal(r.line[1], 4);
    assert_near(r.rating[0], 1.0, EXACT);
    assert_near(r.rating[3], 0.0, EXACT);
    angoff_ratings_free(&r);
    assert_int_equal(angoff_parse(ok, sizeof ok - 1, &r, NULL), 0);
    angoff_ratings_free(&r);

    pb = refused(bad, 9);
    assert_problem(pb, 0, 2, 6, "\"65\" is above 1");
    assert_problem(pb, 1, 2, 9, "\"x\" is not a number from 0 to 1");
    assert_problem(pb, 2, 3, 1, "The round \"0\" is not a whole number");
    assert_problem(pb, 3, 3, 6, "The rating of item \"a\" is empty");
    assert_problem(pb, 4, 4, 3, "\"p1\" already has a row in round 1, on line 2");
    assert_problem(pb, 5, 4, 10, "\"-0.1\" is not a number");
    assert_problem(pb, 6, 5, 1, "The round \"two\"");
    assert_problem(pb, 7, 5, 5, "The panelist is empty");
    assert_problem(pb, 8, 5, 6, "\"1e-1\" is not a number");
    json_decref(pb);

    pb = refused(header, 3);
    assert_problem(pb, 0, 1, 1, "Column 1 is headed \"rnd\", not \"round\"");
    assert_problem(pb, 1, 1, 16, "The item id of column 4 is empty");
    assert_problem(pb, 2, 1, 17, "The item \"a\" already heads column 3");
    json_decref(pb);

    pb = refused(noitem, 1);
    assert_problem(pb, 0, 1, 1, "no item column");
    json_decref(pb);
    pb = refused(norow, 1);
    assert_problem(pb, 0, 1, 1, "no ratings");
    json_decref(pb);
    /* a row longer than the header: the CSV reader's problem, on its line */
    pb = refused(ragged, 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(pb, 0), "line")), 2);
    json_decref(pb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_panel),  cmocka_unit_test(test_rounds),
        cmocka_unit_test(test_impact), cmocka_unit_test(test_hofstee),
        cmocka_unit_test(test_beuk),   cmocka_unit_test(test_reader),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
