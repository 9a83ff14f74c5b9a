/*
 * test_application.c — core/application.c: years of relevant experience from
 * dated periods, against hand-computed cases (overlaps counted once, touching
 * periods joined, a leap day, a period ending before it starts).
 */
#include "testutil.h"

#include "core/application.h"

static struct app_period period(int y1, int m1, int d1, int y2, int m2, int d2)
{
    struct app_period p = {{y1, m1, d1}, {y2, m2, d2}};

    return p;
}

/* One period: both ends count; 2020 is a leap year (366 days). */
static void test_one_period(void **state)
{
    struct app_period p[1] = {period(2020, 1, 1, 2020, 12, 31)};
    struct app_experience x;

    (void)state;
    assert_int_equal(app_experience(p, 1, &x), 0);
    assert_int_equal(x.days[0], 366);
    assert_int_equal(x.union_days, 366);
    assert_int_equal(x.tenths, 10); /* 366 / 365.25 = 1.002 */
    assert_int_equal(x.months, 12);
}

/*
 * Two overlapping jobs: 2015-01-01..2019-12-31 (1826 days) and
 * 2019-07-01..2021-06-30 (731 days) overlap 184 days (July-December 2019):
 * the union is 2015-01-01..2021-06-30 = 2373 days = 6.497 years → 6.5.
 */
static void test_overlap_counted_once(void **state)
{
    struct app_period p[2] = {period(2019, 7, 1, 2021, 6, 30), period(2015, 1, 1, 2019, 12, 31)};
    struct app_experience x;

    (void)state;
    assert_int_equal(app_experience(p, 2, &x), 0);
    assert_int_equal(x.days[0], 731);
    assert_int_equal(x.days[1], 1826);
    assert_int_equal(x.union_days, 2373);
    assert_int_equal(x.tenths, 65);
    assert_int_equal(x.months, 77); /* 2373 * 12 / 365.25 = 77.96 */
}

/* A period inside another adds nothing; touching ones join; a gap is not counted. */
static void test_inside_touching_gap(void **state)
{
    struct app_period p[4] = {
        period(2010, 1, 1, 2010, 12, 31), /* 365 */
        period(2010, 3, 1, 2010, 3, 31),  /* inside */
        period(2011, 1, 1, 2011, 1, 31),  /* the next day: joined, 31 */
        period(2012, 1, 1, 2012, 1, 1),   /* after a gap: 1 */
    };
    struct app_experience x;

    (void)state;
    assert_int_equal(app_experience(p, 4, &x), 0);
    assert_int_equal(x.union_days, 365 + 31 + 1);
}

/* An end before the start counts nothing; too many periods are refused. */
static void test_bad_periods(void **state)
{
    struct app_period p[APP_PERIODS_MAX + 1];
    struct app_experience x;

    (void)state;
    p[0] = period(2020, 5, 1, 2020, 4, 1);
    assert_int_equal(app_experience(p, 1, &x), 0);
    assert_int_equal(x.days[0], 0);
    assert_int_equal(x.union_days, 0);
    assert_int_equal(x.tenths, 0);
    for (int i = 0; i <= APP_PERIODS_MAX; i++)
        p[i] = period(2020, 1, 1, 2020, 1, 2);
    assert_int_equal(app_experience(p, APP_PERIODS_MAX + 1, &x), -1);
    assert_int_equal(app_experience(p, APP_PERIODS_MAX, &x), 0);
    assert_int_equal(x.union_days, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_period),
        cmocka_unit_test(test_overlap_counted_once),
        cmocka_unit_test(test_inside_touching_gap),
        cmocka_unit_test(test_bad_periods),
    };

    return cmocka_run_group_tests_name("application", tests, NULL, NULL);
}
