/*
 * test_ce.c — src/core/ce.c: continuing-education points against hand-computed cases.
 *
 * The rules are the CETL defaults (ce_rules_default): pd 1 per hour, no cap;
 * certification 4 each, cap 12; membership 2 per membership-year, no cap;
 * publication 4 each, cap 12; teaching 1 per hour, cap 30; volunteer 1 per
 * hour, cap 20; 60 points per term. Points are hundredths (CE_SCALE): 6000 is
 * 60 points. Unless a test says otherwise the term is 2026-03-15 to
 * 2029-03-15.
 */
#include "testutil.h"

#include "core/ce.h"

#define P(x) ((long)((x)*CE_SCALE)) /* whole points or units in hundredths */

static const char *const SKILL_IA[] = {"I.A"};
static const char *const SKILLS_2[] = {"III.A", "III.D"};

static struct clock_date day(const char *s)
{
    struct clock_date d = {0, 0, 0};

    if (clock_date_parse(s, &d) != 0)
        fail_msg("bad date in the test: %s", s);
    return d;
}

static struct ce_activity act(const char *title, const char *cat, const char *on, long qty)
{
    struct ce_activity a;

    memset(&a, 0, sizeof a);
    a.title = title;
    a.category = cat;
    a.completed_on = day(on);
    a.quantity = qty;
    a.skills = SKILL_IA;
    a.nskills = 1;
    return a;
}

/* The tally of category code in res. */
static const struct ce_tally *tally(const struct ce_result *res, const char *code)
{
    for (int i = 0; i < res->ncats; i++)
        if (strcmp(res->cats[i].code, code) == 0)
            return &res->cats[i];
    fail_msg("no tally for %s", code);
    return NULL;
}

/* Runs ce_compute over the default term and rules, asserting CF_OK. */
static void compute(const struct ce_activity *a, size_t n, struct ce_line *lines,
                    struct ce_result *res, const char *from, const char *to)
{
    struct ce_rules r;
    struct cf_error err;
    int rc;

    ce_rules_default(&r);
    cf_error_clear(&err);
    rc = ce_compute(&r, a, n, day(from), day(to), lines, res, &err);
    if (rc != CF_OK)
        fail_msg("ce_compute: %d %s", rc, err.message);
}

/* Exactly 60: 24 + 10.5 + 4 + 2 x 3 + 7.5 + 8 = 60. */
static void test_exactly_sixty(void **state)
{
    struct ce_activity a[] = {
        act("State conference", "pd", "2026-06-01", P(24)),
        act("Webinar series", "pd", "2027-02-10", P(10.5)),
        act("Security+", "certification", "2027-05-01", P(1)),
        act("CoSN membership", "membership", "2027-07-01", P(3)),
        act("Session on data privacy", "teaching", "2028-01-15", P(7.5)),
        act("Library board", "volunteer", "2028-03-01", P(8)),
    };
    struct ce_line l[6];
    struct ce_result res;
    char b[CLOCK_DATE_LEN];

    (void)state;
    a[1].skills = SKILLS_2;
    a[1].nskills = 2;
    compute(a, 6, l, &res, "2026-03-15", "2029-03-15");
    assert_int_equal(l[0].counted, P(24));
    assert_int_equal(l[1].counted, P(10.5));
    assert_int_equal(l[2].counted, P(4));
    assert_int_equal(l[3].counted, P(6));
    assert_int_equal(l[4].counted, P(7.5));
    assert_int_equal(l[5].counted, P(8));
    assert_int_equal(res.counted, P(60));
    assert_int_equal(res.earned, P(60));
    assert_int_equal(res.required, P(60));
    assert_int_equal(res.needed, 0);
    assert_true(res.eligible);
    clock_date_format(res.by, b, sizeof b);
    assert_string_equal(b, "2029-03-15");
    assert_int_equal(tally(&res, "pd")->counted, P(34.5)); /* 24 + 10.5 */
    assert_int_equal(tally(&res, "publication")->earned, 0);
    assert_int_equal(res.ncats, 6);

    assert_string_equal(l[0].text, "1 point per hour for 24 hours; no cap: 24 of 24 counted.");
    assert_string_equal(l[1].text,
                        "1 point per hour for 10.5 hours; no cap: 10.5 of 10.5 counted.");
    assert_string_equal(l[2].text,
                        "4 points per certification; 12 counted at most per term: 4 of 4 counted.");
    assert_string_equal(l[3].text, "2 points per membership-year for 3 membership-years; no cap: "
                                   "6 of 6 counted.");
    assert_string_equal(l[4].text, "1 point per hour for 7.5 hours; 30 counted at most per term: "
                                   "7.5 of 7.5 counted.");
    for (int i = 0; i < 6; i++)
        assert_true(l[i].in_term);

    /* One hour less anywhere and it is not met: 59, 1 still needed. */
    a[5].quantity = P(7);
    compute(a, 6, l, &res, "2026-03-15", "2029-03-15");
    assert_int_equal(res.counted, P(59));
    assert_int_equal(res.needed, P(1));
    assert_false(res.eligible);
}

/*
 * 63 earned, 59 counted: 47 PD hours + four certifications (4 x 4 = 16, cap
 * 12): the fourth certification counts nothing. 47 + 12 = 59, 1 still needed.
 */
static void test_fifty_nine_after_cap(void **state)
{
    struct ce_activity a[] = {
        act("Leadership academy", "pd", "2026-04-20", P(47)),
        act("CCNA", "certification", "2026-05-01", P(1)),
        act("CISSP", "certification", "2026-09-01", P(1)),
        act("PMP", "certification", "2027-01-01", P(1)),
        act("ITIL", "certification", "2027-06-01", P(1)),
    };
    struct ce_line l[5];
    struct ce_result res;

    (void)state;
    compute(a, 5, l, &res, "2026-03-15", "2029-03-15");
    assert_int_equal(l[1].counted, P(4));
    assert_int_equal(l[2].counted, P(4));
    assert_int_equal(l[3].counted, P(4));
    assert_int_equal(l[4].counted, 0);
    assert_int_equal(l[4].earned, P(4));
    assert_string_equal(l[4].text, "4 points per certification; 12 counted at most per term: 0 "
                                   "of 4 counted, as the cap was already reached.");
    assert_int_equal(tally(&res, "certification")->earned, P(16));
    assert_int_equal(tally(&res, "certification")->counted, P(12));
    assert_int_equal(res.earned, P(63));
    assert_int_equal(res.counted, P(59));
    assert_int_equal(res.needed, P(1));
    assert_false(res.eligible);
}

/*
 * A cap crossed in date order, whatever the order given. Teaching (cap 30):
 * 2026-04-01 12 h -> 12 (18 left), 2026-10-01 12 h -> 12 (6 left),
 * 2027-03-01 10 h -> 6 of 10, 2027-04-01 2 h -> 0 of 2. Publications (cap 12):
 * one entry of 4 items on 2027-05-05 = 16 -> 12 of 16. PD 2028-01-01: 18 h.
 * Counted: 30 + 12 + 18 = 60.
 */
static void test_cap_crossing(void **state)
{
    struct ce_activity a[] = {
        act("Workshop C", "teaching", "2027-03-01", P(10)),
        act("Workshop A", "teaching", "2026-04-01", P(12)),
        act("Workshop D", "teaching", "2027-04-01", P(2)),
        act("Workshop B", "teaching", "2026-10-01", P(12)),
        act("Four articles", "publication", "2027-05-05", P(4)),
        act("Summit", "pd", "2028-01-01", P(18)),
    };
    struct ce_line l[6];
    struct ce_result res;

    (void)state;
    compute(a, 6, l, &res, "2026-03-15", "2029-03-15");
    assert_int_equal(l[1].counted, P(12));
    assert_int_equal(l[3].counted, P(12));
    assert_int_equal(l[0].counted, P(6));
    assert_int_equal(l[2].counted, 0);
    assert_string_equal(l[0].text, "1 point per hour for 10 hours; 30 counted at most per term: 6 "
                                   "of 10 counted, as the cap was reached.");
    assert_string_equal(l[2].text, "1 point per hour for 2 hours; 30 counted at most per term: 0 "
                                   "of 2 counted, as the cap was already reached.");
    assert_int_equal(l[4].earned, P(16));
    assert_int_equal(l[4].counted, P(12));
    assert_string_equal(l[4].text, "4 points per publication for 4 publications; 12 counted at "
                                   "most per term: 12 of 16 counted, as the cap was reached.");
    assert_int_equal(tally(&res, "teaching")->earned, P(36));
    assert_int_equal(tally(&res, "teaching")->counted, P(30));
    assert_int_equal(res.counted, P(60));
    assert_true(res.eligible);

    /* The same day: the order given decides (the first one fills the cap). */
    {
        struct ce_activity b[] = {
            act("Micro-credential 1", "certification", "2027-01-01", P(2)), /* 8 */
            act("Micro-credential 2", "certification", "2027-01-01", P(1)), /* 4 */
            act("Micro-credential 3", "certification", "2027-01-01", P(1)), /* 0 */
        };

        compute(b, 3, l, &res, "2026-03-15", "2029-03-15");
        assert_int_equal(l[0].counted, P(8));
        assert_int_equal(l[1].counted, P(4));
        assert_int_equal(l[2].counted, 0);
    }
}

/*
 * A leap-day term: issued 2024-02-29, expires 2027-02-28 (2027 is not leap).
 * 2024-02-28 is the day before it began, 2027-03-01 the day after it ended:
 * 20 h on the first day + 40 h on the last = 60 exactly.
 */
static void test_leap_day_term(void **state)
{
    struct ce_activity a[] = {
        act("Too early", "pd", "2024-02-28", P(10)),
        act("First day", "pd", "2024-02-29", P(20)),
        act("Last day", "pd", "2027-02-28", P(40)),
        act("Too late", "pd", "2027-03-01", P(5)),
    };
    struct ce_line l[4];
    struct ce_result res;

    (void)state;
    compute(a, 4, l, &res, "2024-02-29", "2027-02-28");
    assert_false(l[0].in_term);
    assert_int_equal(l[0].earned, P(10));
    assert_int_equal(l[0].counted, 0);
    assert_string_equal(l[0].text, "1 point per hour for 10 hours; no cap; completed on "
                                   "2024-02-28, before this term began on 2024-02-29: 0 of 10 "
                                   "counted.");
    assert_true(l[1].in_term);
    assert_true(l[2].in_term);
    assert_false(l[3].in_term);
    assert_string_equal(l[3].text, "1 point per hour for 5 hours; no cap; completed on "
                                   "2027-03-01, after this term ended on 2027-02-28: 0 of 5 "
                                   "counted.");
    /* Out-of-term activities are not earned in this term either. */
    assert_int_equal(tally(&res, "pd")->earned, P(60));
    assert_int_equal(res.earned, P(60));
    assert_int_equal(res.counted, P(60));
    assert_true(res.eligible);

    /* The renewed term (2027-03-01 to 2030-02-28) takes the late one and not the others. */
    compute(a, 4, l, &res, "2027-03-01", "2030-02-28");
    assert_int_equal(res.counted, P(5));
    assert_int_equal(res.needed, P(55));
    assert_false(res.eligible);

    /* An out-of-term activity spends no cap. */
    {
        struct ce_activity b[] = {
            act("Old", "certification", "2025-01-01", P(3)),
            act("New", "certification", "2027-06-01", P(3)),
        };

        compute(b, 2, l, &res, "2027-03-01", "2030-02-28");
        assert_int_equal(l[0].counted, 0);
        assert_int_equal(l[1].counted, P(12));
    }
}

static void test_refusals(void **state)
{
    static const char *const empty_skill[] = {""};
    struct ce_activity a[] = {
        act("Conference", "pd", "2026-06-01", P(5)),
        act("Board retreat", "volunteer", "2026-07-01", P(3)),
    };
    struct ce_line l[2];
    struct ce_result res;
    struct ce_rules r;
    struct cf_error err;

    (void)state;
    ce_rules_default(&r);

    /* No skill area: refused, naming the activity; nothing filled. */
    a[1].skills = NULL;
    a[1].nskills = 0;
    assert_int_equal(ce_compute(&r, a, 2, day("2026-03-15"), day("2029-03-15"), l, &res, &err),
                     CF_EINVAL);
    assert_string_equal(err.field, "skills");
    assert_string_equal(err.message, "Activity 2, \u201cBoard retreat\u201d: map it to at least "
                                     "one skill area.");
    assert_int_equal(res.counted, 0);
    assert_int_equal(res.ncats, 0);
    assert_int_equal(l[0].counted, 0);
    assert_string_equal(l[0].text, "");
    a[1].skills = empty_skill;
    a[1].nskills = 1;
    assert_int_equal(ce_compute(&r, a, 2, day("2026-03-15"), day("2029-03-15"), l, &res, &err),
                     CF_EINVAL);
    assert_string_equal(err.field, "skills");
    a[1].skills = SKILL_IA;

    /* Unknown category. */
    a[0].category = "golf";
    assert_int_equal(ce_compute(&r, a, 2, day("2026-03-15"), day("2029-03-15"), l, &res, &err),
                     CF_EINVAL);
    assert_string_equal(err.field, "category");
    assert_string_equal(err.message, "Activity 1, \u201cConference\u201d: choose one of the "
                                     "program's activity categories.");
    a[0].category = "pd";

    /* Quantities: none, too many, a part of an item. */
    a[0].quantity = 0;
    assert_int_equal(ce_compute(&r, a, 2, day("2026-03-15"), day("2029-03-15"), l, &res, &err),
                     CF_EINVAL);
    assert_string_equal(err.field, "quantity");
    assert_string_equal(err.message, "Activity 1, \u201cConference\u201d: give its hours, more "
                                     "than 0 and at most 1000.");
    a[0].quantity = CE_QUANTITY_MAX + 1;
    assert_int_equal(ce_compute(&r, a, 2, day("2026-03-15"), day("2029-03-15"), l, &res, &err),
                     CF_EINVAL);
    a[0] = act("Half a certification", "certification", "2026-06-01", P(1.5));
    assert_int_equal(ce_compute(&r, a, 2, day("2026-03-15"), day("2029-03-15"), l, &res, &err),
                     CF_EINVAL);
    assert_string_equal(err.field, "quantity");
    assert_string_equal(err.message, "Activity 1, \u201cHalf a certification\u201d: give a whole "
                                     "number of items or years.");
    a[0] = act("Conference", "pd", "2026-06-01", P(5));

    /* A date that does not exist; an untitled activity. */
    a[0].completed_on.d = 31;
    a[0].completed_on.m = 4;
    a[0].title = NULL;
    assert_int_equal(ce_compute(&r, a, 2, day("2026-03-15"), day("2029-03-15"), l, &res, &err),
                     CF_EINVAL);
    assert_string_equal(err.field, "completed_on");
    assert_string_equal(err.message, "Activity 1, \u201c(untitled)\u201d: give the day it was "
                                     "completed as YYYY-MM-DD.");
    a[0] = act("Conference", "pd", "2026-06-01", P(5));

    /* A term that ends before it begins; rules that cannot be used. */
    assert_int_equal(ce_compute(&r, a, 2, day("2029-03-15"), day("2026-03-15"), l, &res, &err),
                     CF_EINVAL);
    r.cats[1].cap = -1;
    assert_int_equal(ce_compute(&r, a, 2, day("2026-03-15"), day("2029-03-15"), l, &res, &err),
                     CF_EINVAL);
    ce_rules_default(&r);
    snprintf(r.cats[1].code, sizeof r.cats[1].code, "%s", "pd"); /* two "pd" */
    assert_int_equal(ce_compute(&r, a, 2, day("2026-03-15"), day("2029-03-15"), l, &res, &err),
                     CF_EINVAL);

    /* No activities: nothing counted, all 60 needed. */
    ce_rules_default(&r);
    assert_int_equal(
        ce_compute(&r, NULL, 0, day("2026-03-15"), day("2029-03-15"), NULL, &res, &err), CF_OK);
    assert_int_equal(res.needed, P(60));
    assert_false(res.eligible);
}

/* Another program: a category with a cap of 0 is uncapped; 10 points required. */
static void test_other_rules(void **state)
{
    struct ce_rules r;
    struct ce_activity a[] = {act("Reading group", "reading", "2030-01-01", P(12))};
    struct ce_line l[1];
    struct ce_result res;

    (void)state;
    memset(&r, 0, sizeof r);
    snprintf(r.cats[0].code, sizeof r.cats[0].code, "%s", "reading");
    r.cats[0].unit = CE_PER_ITEM;
    r.cats[0].points = 2;
    r.ncats = 1;
    r.required = 10;
    assert_int_equal(ce_compute(&r, a, 1, day("2030-01-01"), day("2030-12-31"), l, &res, NULL),
                     CF_OK);
    /* 2 points x 12 items = 24, no cap; the noun defaults to "item". */
    assert_int_equal(res.counted, P(24));
    assert_true(res.eligible);
    assert_string_equal(l[0].text, "2 points per item for 12 items; no cap: 24 of 24 counted.");
}

static void test_points_format(void **state)
{
    char b[CE_POINTS_MAX];

    (void)state;
    ce_points_format(0, b, sizeof b);
    assert_string_equal(b, "0");
    ce_points_format(5, b, sizeof b);
    assert_string_equal(b, "0.05");
    ce_points_format(150, b, sizeof b);
    assert_string_equal(b, "1.5");
    ce_points_format(1234, b, sizeof b);
    assert_string_equal(b, "12.34");
    ce_points_format(6000, b, sizeof b);
    assert_string_equal(b, "60");
    ce_points_format(-150, b, sizeof b);
    assert_string_equal(b, "-1.5");
}

static void test_quantity_parse(void **state)
{
    static const struct {
        const char *s;
        long v;
    } good[] = {{"1.5", 150},     {"2", 200},  {"0.25", 25}, {"10.50", 1050},
                {"1000", 100000}, {"0.01", 1}, {"007", 700}};
    static const char *const bad[] = {"",     ".5", "2.",  "1.234",   "0",
                                      "0.00", "-1", "1,5", "1000.01", "abc",
                                      " 1",   "1 ", "1e3", "1..2",    "99999999999999999999999"};
    long v;

    (void)state;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        v = -1;
        if (ce_quantity_parse(good[i].s, &v) != 0)
            fail_msg("\"%s\" refused", good[i].s);
        assert_int_equal(v, good[i].v);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (ce_quantity_parse(bad[i], &v) != -1)
            fail_msg("\"%s\" read as a quantity", bad[i]);
    assert_int_equal(ce_quantity_parse(NULL, &v), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exactly_sixty), cmocka_unit_test(test_fifty_nine_after_cap),
        cmocka_unit_test(test_cap_crossing),  cmocka_unit_test(test_leap_day_term),
        cmocka_unit_test(test_refusals),      cmocka_unit_test(test_other_rules),
        cmocka_unit_test(test_points_format), cmocka_unit_test(test_quantity_parse),
    };

    return cmocka_run_group_tests_name("ce", tests, NULL, NULL);
}
