/*
 * test_recommend.c — src/core/recommend.c: the exact growth-plan recommender.
 *
 * On 200 small random catalogs (8 to 14 activities, seeded) the best plan is
 * found here by enumerating every subset, with the objective and the
 * tie-break written again from the header's words; the recommender must
 * return the same plan, within the budgets, proven optimal. Hand cases show,
 * with the reasoning in comments, what the cap does, zero budgets, no gaps,
 * an activity serving two skills, the tie-breaks, activities excluded or
 * already chosen, the node limit and the reasons a page shows. The shipped
 * catalog is solved exactly for a realistic person. Goals get their dates.
 */
#include "testutil.h"

#include <math.h>

#include "core/recommend.h"

#define MAXN 16

/* A catalog built by code: up to MAXN activities. */
struct tcat {
    struct pd_catalog c;
    struct pd_activity acts[MAXN];
};

/* Appends an activity of hours and cost serving skill s1 by q1 quarters (and s2 by q2 when >= 0).
 */
static int add(struct tcat *t, const char *id, double hours, int cost, int s1, int q1, int s2,
               int q2)
{
    struct pd_activity *a = &t->acts[t->c.n];

    memset(a, 0, sizeof *a);
    snprintf(a->id, sizeof a->id, "%s", id);
    snprintf(a->title, sizeof a->title, "%s", id);
    a->half_hours = (int)(hours * 2);
    a->cost = cost;
    a->skills[a->nskills++] = s1;
    a->gain_q[s1] = q1;
    if (s2 >= 0) {
        a->skills[a->nskills++] = s2;
        a->gain_q[s2] = q2;
    }
    t->c.acts = t->acts;
    return t->c.n++;
}

static void tcat_init(struct tcat *t)
{
    memset(t, 0, sizeof *t);
    t->c.acts = t->acts;
}

/* An input with no gaps, weight 1 everywhere, hours and dollars of budget. */
static struct reco_input input(double hours, int dollars)
{
    struct reco_input in;

    memset(&in, 0, sizeof in);
    for (int s = 0; s < PD_NSKILLS; s++)
        in.weight[s] = 1;
    in.half_hours = (int)(hours * 2);
    in.cost = dollars;
    return in;
}

/* Solves, failing the test on an error. */
static void solve(const struct tcat *t, const struct reco_input *in, struct reco_result *r)
{
    struct cf_error err = {0};

    if (recommend(&t->c, in, r, &err) != CF_OK)
        fail_msg("recommend: %s", err.message);
}

/* The catalog ids of the plan, joined by spaces, into buf. */
static const char *ids(const struct tcat *t, const struct reco_result *r, char *buf, size_t n)
{
    size_t off = 0;

    buf[0] = '\0';
    for (int i = 0; i < r->npicks; i++) {
        int w = snprintf(buf + off, n - off, "%s%s", i > 0 ? " " : "", t->acts[r->picks[i].act].id);

        if (w < 0 || (size_t)w >= n - off)
            break;
        off += (size_t)w;
    }
    return buf;
}

#define assert_plan(t, r, want)                                                                    \
    do {                                                                                           \
        char b_[256];                                                                              \
        assert_string_equal(ids((t), (r), b_, sizeof b_), (want));                                 \
    } while (0)

/*
 * The cap. Gaps: I.A 0.5, I.B 0.5, weights 1. "big" moves I.A a whole level
 * in 6 hours — counted without the cap it would be worth 1, the best gain per
 * hour in the catalog — but only half a level of I.A is missing, so it is
 * worth 0.5. "a-half" (I.A 0.5) and "b-half" (I.B 0.5) take 4 hours each and
 * close both gaps: 1.0 in 8 hours. With 8 hours the cheaper pair beats the big
 * one (a greedy by uncapped gain per hour would take "big" and have no room
 * left for anything).
 */
static void test_cap_pair_beats_big(void **state)
{
    struct tcat t;
    struct reco_input in = input(8, 1000);
    struct reco_result r;

    (void)state;
    tcat_init(&t);
    add(&t, "big", 6, 100, 0, 4, -1, 0);
    add(&t, "a-half", 4, 100, 0, 2, -1, 0);
    add(&t, "b-half", 4, 100, 1, 2, -1, 0);
    in.gap[0] = 0.5;
    in.gap[1] = 0.5;
    solve(&t, &in, &r);
    assert_plan(&t, &r, "a-half b-half");
    assert_true(fabs(r.value - 1.0) < 1e-12);
    assert_true(fabs(r.max_value - 1.0) < 1e-12);
    assert_int_equal(r.half_hours, 16);
    assert_int_equal(r.cost, 200);
    assert_true(r.proven);
    assert_true(r.gap_left[0] == 0 && r.gap_left[1] == 0);

    /*
     * The reasons: each closes half a level of its skill, and without either
     * the plan would lose 0.5.
     */
    assert_int_equal(r.picks[0].nparts, 1);
    assert_int_equal(r.picks[0].parts[0].skill, 0);
    assert_true(r.picks[0].parts[0].closed == 0.5 && r.picks[0].parts[0].gap_before == 0.5);
    assert_true(fabs(r.picks[0].marginal - 0.5) < 1e-12);
    assert_true(fabs(r.picks[1].marginal - 0.5) < 1e-12);
    assert_false(r.picks[0].fixed);
    reco_result_free(&r);

    /* With 7 hours the pair does not fit: "big", "a-half" and "b-half" alone are worth 0.5
       each; the halves win on fewer hours, and "a-half" on catalog order. */
    in.half_hours = 14;
    solve(&t, &in, &r);
    assert_plan(&t, &r, "a-half");
    assert_true(fabs(r.value - 0.5) < 1e-12);
    reco_result_free(&r);
}

/*
 * Zero budgets. No hours: nothing fits, the plan is empty and still proven
 * optimal. No money: only the free activities can be picked.
 */
static void test_zero_budget(void **state)
{
    struct tcat t;
    struct reco_input in = input(0, 1000);
    struct reco_result r;

    (void)state;
    tcat_init(&t);
    add(&t, "paid", 2, 300, 3, 4, -1, 0);
    add(&t, "free", 2, 0, 3, 1, -1, 0);
    in.gap[3] = 1;
    solve(&t, &in, &r);
    assert_int_equal(r.npicks, 0);
    assert_true(r.value == 0);
    assert_true(r.gap_left[3] == 1);
    assert_int_equal(r.ncandidates, 0);
    assert_true(r.proven);
    reco_result_free(&r);

    in = input(40, 0);
    in.gap[3] = 1;
    solve(&t, &in, &r);
    assert_plan(&t, &r, "free");
    assert_true(fabs(r.value - 0.25) < 1e-12);
    assert_int_equal(r.cost, 0);
    reco_result_free(&r);
}

/* No gaps: nothing is worth anything, so the plan is empty (fewer hours wins the tie at 0). */
static void test_no_gaps(void **state)
{
    struct tcat t;
    struct reco_input in = input(100, 10000);
    struct reco_result r;

    (void)state;
    tcat_init(&t);
    add(&t, "one", 2, 0, 0, 4, -1, 0);
    add(&t, "two", 3, 10, 5, 2, 6, 2);
    solve(&t, &in, &r);
    assert_int_equal(r.npicks, 0);
    assert_int_equal(r.ncandidates, 0);
    assert_true(r.value == 0 && r.max_value == 0);
    reco_result_free(&r);

    /* A gap on a skill of weight 0 counts for nothing either. */
    in.gap[0] = 1;
    in.weight[0] = 0;
    solve(&t, &in, &r);
    assert_int_equal(r.npicks, 0);
    reco_result_free(&r);
}

/*
 * An activity serving two skills. Gaps: I.A 0.5, II.B 0.5. "both" closes both
 * in 6 hours; "a-only" and "b-only" close one each in 4 hours. With 8 hours,
 * "both" (value 1, 6 hours) and the pair (value 1, 8 hours) tie on value and
 * "both" wins on hours. Its reason names the two skills.
 */
static void test_two_skills(void **state)
{
    struct tcat t;
    struct reco_input in = input(8, 1000);
    struct reco_result r;

    (void)state;
    tcat_init(&t);
    add(&t, "a-only", 4, 50, 0, 2, -1, 0);
    add(&t, "b-only", 4, 50, 4, 2, -1, 0);
    add(&t, "both", 6, 400, 0, 2, 4, 2);
    in.gap[0] = 0.5;
    in.gap[4] = 0.5;
    solve(&t, &in, &r);
    assert_plan(&t, &r, "both");
    assert_int_equal(r.picks[0].nparts, 2);
    assert_int_equal(r.picks[0].parts[0].skill, 0);
    assert_int_equal(r.picks[0].parts[1].skill, 4);
    assert_true(r.picks[0].parts[1].closed == 0.5);
    assert_true(fabs(r.picks[0].marginal - 1.0) < 1e-12);
    reco_result_free(&r);

    /* Weights change the answer: with II.B worth 3 and 4 hours, "b-only" (3 * 0.5 = 1.5)
       beats "a-only" (0.5); "both" does not fit. */
    in.half_hours = 8;
    in.weight[4] = 3;
    solve(&t, &in, &r);
    assert_plan(&t, &r, "b-only");
    assert_true(fabs(r.value - 1.5) < 1e-12);
    reco_result_free(&r);
}

/* Ties: equal value and hours go to the cheaper; equal cost too, to the earlier in the catalog. */
static void test_ties(void **state)
{
    struct tcat t;
    struct reco_input in = input(10, 1000);
    struct reco_result r;

    (void)state;
    tcat_init(&t);
    add(&t, "dear", 5, 300, 2, 2, -1, 0);
    add(&t, "cheap", 5, 200, 2, 2, -1, 0);
    add(&t, "cheap-too", 5, 200, 2, 2, -1, 0);
    in.gap[2] = 0.5;
    solve(&t, &in, &r);
    assert_plan(&t, &r, "cheap");
    reco_result_free(&r);
}

/*
 * Excluded and already chosen. Gap III.A 1, 12 hours. "course" (1 level, 10
 * hours) would close it alone but is excluded; "lab" (0.5, 4 hours) is already
 * chosen, so half the gap is closed and 8 hours are left. "workshop" (0.5 in 6
 * hours) closes the rest; adding "webinar" (0.25 in 1 hour) as well would go
 * beyond the gap, adding nothing for an hour more, so it is left out.
 */
static void test_status(void **state)
{
    struct tcat t;
    struct reco_input in = input(12, 5000);
    unsigned char status[4] = {RECO_EXCLUDE, RECO_CHOSEN, RECO_FREE, RECO_FREE};
    struct reco_result r;
    struct cf_error err = {0};

    (void)state;
    tcat_init(&t);
    add(&t, "course", 10, 900, 6, 4, -1, 0);
    add(&t, "lab", 4, 200, 6, 2, -1, 0);
    add(&t, "webinar", 1, 0, 6, 1, -1, 0);
    add(&t, "workshop", 6, 150, 6, 2, -1, 0);
    in.gap[6] = 1;
    in.status = status;
    solve(&t, &in, &r);
    assert_plan(&t, &r, "lab workshop");
    assert_true(r.picks[0].fixed);
    assert_false(r.picks[1].fixed);
    assert_int_equal(r.half_hours, 20);
    assert_true(fabs(r.value - 1.0) < 1e-12);
    reco_result_free(&r);

    /* Already chosen over the budget: refused, naming the budget. */
    in.cost = 100;
    assert_int_equal(recommend(&t.c, &in, &r, &err), CF_EINVAL);
    assert_string_equal(err.field, "budget");
    assert_null(r.picks);
}

static void test_bad_input(void **state)
{
    struct tcat t;
    struct reco_input in = input(10, 100);
    struct reco_result r;
    struct cf_error err = {0};

    (void)state;
    tcat_init(&t);
    add(&t, "x", 1, 0, 0, 1, -1, 0);
    in.gap[4] = -0.5;
    assert_int_equal(recommend(&t.c, &in, &r, &err), CF_EINVAL);
    assert_string_equal(err.field, "gap.II.B");
    in.gap[4] = NAN;
    assert_int_equal(recommend(&t.c, &in, &r, &err), CF_EINVAL);
    in.gap[4] = 0;
    in.weight[9] = -1;
    assert_int_equal(recommend(&t.c, &in, &r, &err), CF_EINVAL);
    assert_string_equal(err.field, "weight.III.D");
    in.weight[9] = 1;
    in.half_hours = -2;
    assert_int_equal(recommend(&t.c, &in, &r, &err), CF_EINVAL);
    assert_string_equal(err.field, "hours");
    assert_true(err.message[0] >= 'A' && err.message[0] <= 'Z');
    assert_true(err.message[strlen(err.message) - 1] == '.');
}

/* A small deterministic generator (the cases must be the same on every run). */
static unsigned long rng_state;

static int rnd(int n)
{
    rng_state = rng_state * 6364136223846793005UL + 1442695040888963407UL;
    return (int)((rng_state >> 33) % (unsigned long)n);
}

/* V of the subset mask, written again from the header: sum of w * min(gap, gains). */
static double enum_value(const struct tcat *t, const struct reco_input *in, unsigned mask)
{
    double v = 0;

    for (int s = 0; s < PD_NSKILLS; s++) {
        double sum = 0;

        for (int i = 0; i < t->c.n; i++)
            if (mask & (1u << i))
                sum += t->acts[i].gain_q[s] / 4.0;
        v += in->weight[s] * (sum < in->gap[s] ? sum : in->gap[s]);
    }
    return v;
}

/*
 * The best subset by enumeration: within both budgets, respecting status;
 * greatest value, then fewer hours, then lower cost, then first in catalog
 * order (lowest index first; a mask's indexes compared in increasing order).
 */
static unsigned enumerate(const struct tcat *t, const struct reco_input *in, double *best_v)
{
    unsigned best = 0;
    int best_hh = 0, best_cost = 0, found = 0;
    double bv = -1;

    for (unsigned mask = 0; mask < (1u << t->c.n); mask++) {
        int hh = 0, cost = 0, ok = 1;
        double v;

        for (int i = 0; i < t->c.n && ok; i++) {
            int in_set = (mask >> i) & 1u;

            if (in->status != NULL && in->status[i] == RECO_EXCLUDE && in_set)
                ok = 0;
            if (in->status != NULL && in->status[i] == RECO_CHOSEN && !in_set)
                ok = 0;
            if (in_set) {
                hh += t->acts[i].half_hours;
                cost += t->acts[i].cost;
            }
        }
        if (!ok || hh > in->half_hours || cost > in->cost)
            continue;
        v = enum_value(t, in, mask);
        if (found) {
            if (v < bv - 1e-9)
                continue;
            if (v <= bv + 1e-9) {
                if (hh != best_hh) {
                    if (hh > best_hh)
                        continue;
                } else if (cost != best_cost) {
                    if (cost > best_cost)
                        continue;
                } else {
                    /* The first index where the sets differ decides: the set holding it wins. */
                    unsigned diff = mask ^ best;

                    if (!(mask & diff & (~diff + 1u)))
                        continue;
                }
            }
        }
        found = 1;
        best = mask;
        bv = v;
        best_hh = hh;
        best_cost = cost;
    }
    *best_v = bv;
    return best;
}

static void test_random_against_enumeration(void **state)
{
    int nonempty = 0, with_status = 0;

    (void)state;
    rng_state = 20261202UL;
    for (int k = 0; k < 200; k++) {
        struct tcat t;
        struct reco_input in;
        struct reco_result r;
        unsigned char status[MAXN] = {0};
        unsigned want, got = 0;
        double want_v;
        int n = 8 + rnd(7), total_hh = 0, total_cost = 0, hh = 0, cost = 0;

        tcat_init(&t);
        for (int i = 0; i < n; i++) {
            char id[16];
            int s1 = rnd(PD_NSKILLS), s2 = rnd(3) == 0 ? rnd(PD_NSKILLS) : -1;

            snprintf(id, sizeof id, "a%d", i);
            if (s2 == s1)
                s2 = -1;
            add(&t, id, (1 + rnd(24)) / 2.0, rnd(4) == 0 ? 0 : 25 * rnd(40), s1, 1 + rnd(4), s2,
                1 + rnd(4));
            total_hh += t.acts[i].half_hours;
            total_cost += t.acts[i].cost;
        }

        /* Quarter-level gaps on some skills, whole weights (sums are then exact in binary). */
        in = input(0, 0);
        for (int s = 0; s < PD_NSKILLS; s++) {
            in.gap[s] = rnd(3) == 0 ? 0 : rnd(9) / 4.0;
            in.weight[s] = rnd(16);
        }
        in.half_hours = rnd(total_hh / 2 + 2);
        in.cost = rnd(total_cost / 2 + 2);
        if (k % 4 == 3) {
            /* Exclude one activity and keep one already chosen when it fits. */
            int ex = rnd(n), ch = rnd(n);

            status[ex] = RECO_EXCLUDE;
            if (ch != ex && t.acts[ch].half_hours <= in.half_hours && t.acts[ch].cost <= in.cost) {
                status[ch] = RECO_CHOSEN;
                with_status++;
            }
            in.status = status;
        }

        want = enumerate(&t, &in, &want_v);
        solve(&t, &in, &r);
        for (int i = 0; i < r.npicks; i++) {
            got |= 1u << r.picks[i].act;
            hh += t.acts[r.picks[i].act].half_hours;
            cost += t.acts[r.picks[i].act].cost;
            /* Every activity the recommender picked adds value. */
            if (!r.picks[i].fixed && r.picks[i].marginal <= 0)
                fail_msg("case %d: %s adds nothing", k, t.acts[r.picks[i].act].id);
        }
        if (fabs(r.value - want_v) > 1e-9 || got != want)
            fail_msg("case %d: recommended %#x (value %g), enumeration %#x (value %g)", k, got,
                     r.value, want, want_v);
        assert_true(r.proven);
        assert_int_equal(hh, r.half_hours);
        assert_int_equal(cost, r.cost);
        assert_true(hh <= in.half_hours && cost <= in.cost);
        nonempty += r.npicks > 0;
        reco_result_free(&r);
    }

    /* The cases are not trivial: most plans hold something, some had statuses. */
    assert_true(nonempty > 150);
    assert_true(with_status > 10);
}

/* A node limit too small to finish: the best plan found so far, flagged "not proven". */
static void test_node_limit(void **state)
{
    struct tcat t;
    struct reco_input in = input(20, 2000);
    struct reco_result r;

    (void)state;
    tcat_init(&t);
    for (int i = 0; i < 12; i++) {
        char id[8];

        snprintf(id, sizeof id, "n%d", i);
        add(&t, id, 1 + i % 4, 100 + 10 * i, i % PD_NSKILLS, 1 + i % 4, (i + 3) % PD_NSKILLS, 1);
    }
    for (int s = 0; s < PD_NSKILLS; s++)
        in.gap[s] = 1;
    in.node_limit = 3;
    solve(&t, &in, &r);
    assert_false(r.proven);
    assert_true(r.half_hours <= in.half_hours && r.cost <= in.cost);
    reco_result_free(&r);
    in.node_limit = 0;
    solve(&t, &in, &r);
    assert_true(r.proven);
    reco_result_free(&r);
}

/* Reads the shipped catalog (fails the test on any problem). */
static struct pd_catalog *shipped(void)
{
    FILE *f = fopen("data/pd-catalog.json", "rb");
    char buf[PD_MAX_BYTES];
    size_t n;
    struct pd_catalog *c = NULL;

    if (f == NULL)
        fail_msg("cannot open data/pd-catalog.json: %s", strerror(errno));
    n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    if (pdcatalog_parse(buf, n, &c, NULL) != 0)
        fail_msg("data/pd-catalog.json does not read");
    return c;
}

/*
 * The shipped catalog for a realistic person: a gap of 1.5 levels on every
 * skill, the exam weights, 80 hours and 5000 dollars. Solved to proven
 * optimality, within the budgets, every pick with a reason.
 */
static void test_shipped_catalog(void **state)
{
    static const double exam[PD_NSKILLS] = {15, 15, 10, 12, 9, 9, 9, 7, 7, 7};
    struct pd_catalog *c = shipped();
    struct reco_input in;
    struct reco_result r;
    struct cf_error err = {0};

    (void)state;
    memset(&in, 0, sizeof in);
    for (int s = 0; s < PD_NSKILLS; s++) {
        in.gap[s] = 1.5;
        in.weight[s] = exam[s];
    }
    in.half_hours = 160;
    in.cost = 5000;
    assert_int_equal(recommend(c, &in, &r, &err), CF_OK);
    assert_true(r.proven);
    assert_true(r.npicks > 0);
    assert_true(r.half_hours <= 160 && r.cost <= 5000);
    assert_true(r.value > 0 && r.value <= r.max_value);
    for (int i = 0; i < r.npicks; i++)
        assert_true(r.picks[i].marginal > 0);
    reco_result_free(&r);
    pdcatalog_free(c);
}

/* Goals: one per skill below target, due months later (the month's last day when shorter). */
static void test_goals(void **state)
{
    double cur[PD_NSKILLS] = {3, 2, 3, 1.5, 3, 3, 4, 3, 2.5, 3};
    double tgt[PD_NSKILLS] = {3, 3, 3, 3, 3, 3, 3, 3, 3, 3};
    struct reco_goal g[PD_NSKILLS];
    struct clock_date start = {2027, 8, 31};
    int n = reco_goals(cur, tgt, start, 6, g);

    (void)state;
    assert_int_equal(n, 3);
    assert_int_equal(g[0].skill, 1);
    assert_int_equal(g[1].skill, 3);
    assert_int_equal(g[2].skill, 8);
    assert_true(g[1].current == 1.5 && g[1].target == 3);
    /* 31 August + 6 months: February has 29 days in 2028. */
    assert_int_equal(g[0].due.y, 2028);
    assert_int_equal(g[0].due.m, 2);
    assert_int_equal(g[0].due.d, 29);
    /* 12 months from 15 March: 15 March next year. */
    start = (struct clock_date){2026, 3, 15};
    assert_int_equal(reco_goals(cur, tgt, start, 12, g), 3);
    assert_int_equal(g[0].due.y, 2027);
    assert_int_equal(g[0].due.m, 3);
    assert_int_equal(g[0].due.d, 15);
    assert_int_equal(reco_goals(cur, tgt, start, 0, g), -1);
    assert_int_equal(reco_goals(cur, cur, start, 6, g), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cap_pair_beats_big),
        cmocka_unit_test(test_zero_budget),
        cmocka_unit_test(test_no_gaps),
        cmocka_unit_test(test_two_skills),
        cmocka_unit_test(test_ties),
        cmocka_unit_test(test_status),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_random_against_enumeration),
        cmocka_unit_test(test_node_limit),
        cmocka_unit_test(test_shipped_catalog),
        cmocka_unit_test(test_goals),
    };

    return cmocka_run_group_tests_name("recommend", tests, NULL, NULL);
}
