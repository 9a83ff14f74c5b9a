/*
 * test_program.c — src/core/program.c: program rules as data. The shipped
 * CETL rules read cleanly; a second, made-up program (built here by code)
 * reads through the same format, so nothing is hard-coded to CETL; every
 * kind of mistake is refused with its JSON path; and the computations (term
 * end across leap days, reminders, credential numbers, CE points with caps,
 * eligibility) give hand-computed answers.
 */
#include "testutil.h"

#include "core/program.h"

/* Reads a whole file (fails the test when it cannot). */
static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long len;

    if (f == NULL)
        fail_msg("cannot open %s: %s", path, strerror(errno));
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)len + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    buf[len] = '\0';
    *n = (size_t)len;
    return buf;
}

/* The shipped CETL rules, parsed (fails the test on any problem). */
static void cetl(struct program *p, json_t **doc)
{
    size_t n;
    char *s = slurp("data/programs/cetl.json", &n);
    json_t *problems = NULL;
    int count = program_parse(s, n, p, doc, &problems);

    if (count != 0)
        fail_msg("cetl.json: %s", json_dumps(problems, 0));
    json_decref(problems);
    free(s);
}

/*
 * A second program, nothing like CETL: a made-up "network engineer" credential
 * with a master's path only, a 1-5 scale... built as JSON by code.
 */
static json_t *other_program(void)
{
    return json_pack(
        "{s:i, s:s, s:s, s:{s:s, s:s}, s:{s:b, s:[{s:s, s:s, s:s, s:i, s:b, s:b, s:s}]},"
        " s:{s:i}, s:{s:{s:i, s:i}, s:i, s:[{s:s, s:s}], s:{s:i, s:i, s:i}}, s:{s:i},"
        " s:{s:i, s:i, s:s, s:[{s:s, s:s, s:{s:i, s:s}, s:i}]}, s:i, s:{s:i, s:b},"
        " s:{s:[i, i]}, s:{s:s, s:i}}",
        "format", 1, "code", "K12NE", "name", "K-12 Network Engineer", "framework", "identifier",
        "11111111-2222-3333-4444-555555555555", "title", "Some other framework", "eligibility",
        "code_of_conduct", 0, "paths", "id", "masters", "label", "Master's and 2 years", "degree",
        "master", "years", 2, "waiver", 0, "supervisor_recommendation", 0, "decided_by", "reviewer",
        "authorization", "window_days", 30, "exam", "scale", "min", 100, "max", 500, "cut", 350,
        "score_categories", "code", "NET", "label", "Networks", "retake", "wait_days", 14,
        "max_attempts", 2, "period_days", 180, "term", "years", 2, "ce", "points_required", 20,
        "skill_areas_per_activity", 0, "skill_area_type", "Competency", "categories", "code", "lab",
        "label", "Lab hours", "value", "points", 2, "per", "hour", "cap", 10, "grace_period_days",
        0, "audit", "sample_percent", 0, "failed_audit_blocks_renewal", 0, "reminders",
        "days_before_expiry", 60, 1, "credential_number", "prefix", "NE", "sequence_digits", 4);
}

static void test_cetl_reads(void **state)
{
    struct program p;
    json_t *doc = NULL;

    (void)state;
    cetl(&p, &doc);
    assert_string_equal(p.code, "CETL");
    assert_string_equal(p.framework_id, "5ef29530-42e9-50e6-945e-87aceef0dae5");
    assert_int_equal(p.npaths, 2);
    assert_int_equal(p.paths[0].degree, PROGRAM_DEGREE_BACHELOR);
    assert_int_equal(p.paths[0].years, 4);
    assert_int_equal(p.paths[1].degree, PROGRAM_DEGREE_NONE);
    assert_int_equal(p.paths[1].years, 7);
    assert_true(p.paths[1].waiver && p.paths[1].supervisor_recommendation);
    assert_string_equal(p.paths[1].decided_by, "committee");
    assert_int_equal(p.authorization_days, 90);
    assert_int_equal(p.scale_min, 0);
    assert_int_equal(p.scale_max, 800);
    assert_int_equal(p.cut, 600);
    assert_int_equal(p.nscores, 3);
    assert_int_equal(p.term_years, 3);
    assert_int_equal(p.ce_points_required, 60);
    assert_int_equal(p.ncats, 6);
    assert_int_equal(program_category(&p, "certification")->cap, 12);
    assert_int_equal(program_category(&p, "pd")->cap, -1);
    assert_int_equal(program_category(&p, "membership")->unit, PROGRAM_PER_MEMBERSHIP_YEAR);
    assert_int_equal(p.nreminders, 4);
    assert_int_equal(p.reminders[0], 180);
    assert_int_equal(p.reminders[3], 7);
    assert_true(program_is_assumed(&p, "$.grace_period_days"));
    assert_false(program_is_assumed(&p, "$.exam.cut"));
    json_decref(doc);
}

static void test_second_program(void **state)
{
    struct program p;
    json_t *doc = other_program(), *problems = json_array();
    char num[CRED_NUMBER_MAX];
    struct cred_rules cr;
    struct ce_rules ce;
    struct clock_date d;

    (void)state;
    assert_int_equal(program_from_json(doc, &p, problems), 0);
    assert_string_equal(p.code, "K12NE");
    assert_int_equal(p.cut, 350);
    assert_int_equal(p.paths[0].degree, PROGRAM_DEGREE_MASTER);
    /* Its numbers, term and CE rules reach the shared life cycle through the adapters. */
    program_cred_rules(&p, &cr);
    assert_int_equal(cred_number_format(&cr, 2027, 42, num, sizeof num), CF_OK);
    assert_string_equal(num, "NE-2027-0042");
    assert_int_equal(cred_number_format(&cr, 2027, 10000, num, sizeof num), CF_EINVAL);
    assert_int_equal(clock_date_parse("2026-05-01", &d), 0);
    assert_int_equal(clock_date_format(clock_date_add_years(d, cr.term_years), num, sizeof num), 0);
    assert_string_equal(num, "2028-05-01");
    program_ce_rules(&p, &ce);
    {
        /* 2 points per hour: 4 hours then 3 hours = 8 + 6 = 14, cap 10 → 8 + 2. */
        const char *sk[] = {"I.A"};
        struct ce_activity a2[] = {
            {"Lab one", "lab", {2026, 6, 1}, 400, sk, 1},
            {"Lab two", "lab", {2026, 7, 1}, 300, sk, 1},
        };
        struct ce_line l[2];
        struct ce_result res;
        struct cf_error err = {0};

        assert_int_equal(
            ce_compute(&ce, a2, 2, d, clock_date_add_years(d, cr.term_years), l, &res, &err),
            CF_OK);
        assert_int_equal(l[0].counted, 800);
        assert_int_equal(l[1].earned, 600);
        assert_int_equal(l[1].counted, 200);
    }
    json_decref(doc);
    json_decref(problems);
}

/* One mutation of the second program and the path and words of the problem it must give. */
struct bad {
    const char *what;
    const char *json_set; /* the JSON path to change, as a jansson pointer list */
    json_t *(*value)(void);
    const char *path;
    const char *says;
};

static json_t *v_neg(void)
{
    return json_integer(-1);
}
static json_t *v_text(void)
{
    return json_string("twelve");
}
static json_t *v_900(void)
{
    return json_integer(900);
}
static json_t *v_true(void)
{
    return json_true();
}

/* Sets obj[path...] = v, where path is "a/b/0/c". */
static void set_at(json_t *doc, const char *path, json_t *v)
{
    char buf[256], *save = NULL, *tok, *next;
    json_t *at = doc;

    snprintf(buf, sizeof buf, "%s", path);
    tok = strtok_r(buf, "/", &save);
    while (tok != NULL) {
        next = strtok_r(NULL, "/", &save);
        if (next == NULL) {
            if (json_is_array(at))
                json_array_set_new(at, strtoul(tok, NULL, 10), v);
            else
                json_object_set_new(at, tok, v);
            return;
        }
        at = json_is_array(at) ? json_array_get(at, strtoul(tok, NULL, 10))
                               : json_object_get(at, tok);
        assert_non_null(at);
        tok = next;
    }
}

static void test_problems_name_paths(void **state)
{
    const struct bad cases[] = {
        {"negative cap", "ce/categories/0/cap", v_neg, "$.ce.categories[0].cap",
         "must be a whole number of points ≥ 0"},
        {"text cap", "ce/categories/0/cap", v_text, "$.ce.categories[0].cap", "whole number"},
        {"cut above scale", "exam/cut", v_900, "$.exam.cut", "must lie on the scale"},
        {"typo key", "exam/cutt", v_900, "$.exam.cutt", "is not a known key"},
        {"typo top", "grace_days", v_900, "$.grace_days", "is not a known key"},
        {"bool as number", "term/years", v_true, "$.term.years", "whole number of years"},
        {"unit", "ce/categories/0/value/per", v_text, "$.ce.categories[0].value.per",
         "\"hour\", \"item\" or \"membership_year\""},
        {"degree", "eligibility/paths/0/degree", v_text, "$.eligibility.paths[0].degree",
         "bachelor"},
        {"reminder", "reminders/days_before_expiry/1", v_900, "$.reminders.days_before_expiry[1]",
         "fewer days than the one before"},
        {"format", "format", v_900, "$.format", "must be 1"},
        {"assumed path", "assumed", v_text, "$.assumed", "list"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *doc = other_program(), *problems = json_array(), *pb;
        struct program p;
        int found = 0;
        size_t k;

        set_at(doc, cases[i].json_set, cases[i].value());
        if (program_from_json(doc, &p, problems) == 0)
            fail_msg("%s: accepted", cases[i].what);
        json_array_foreach(problems, k, pb)
        {
            const char *path = json_string_value(json_object_get(pb, "path"));
            const char *msg = json_string_value(json_object_get(pb, "message"));

            if (strcmp(path, cases[i].path) == 0 && strstr(msg, cases[i].says) != NULL)
                found = 1;
        }
        if (!found)
            fail_msg("%s: wanted %s: …%s…, got %s", cases[i].what, cases[i].path, cases[i].says,
                     json_dumps(problems, 0));
        json_decref(doc);
        json_decref(problems);
    }
}

static void test_cross_field(void **state)
{
    json_t *doc, *problems, *cats;
    struct program p;
    char *s;

    (void)state;
    /* Two categories with one code. */
    doc = other_program();
    problems = json_array();
    cats = json_object_get(json_object_get(doc, "ce"), "categories");
    json_array_append_new(cats, json_deep_copy(json_array_get(cats, 0)));
    assert_int_equal(program_from_json(doc, &p, problems), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(problems, 0), "path")),
                        "$.ce.categories[1].code");
    json_decref(doc);
    json_decref(problems);

    /* An assumed path that names nothing. */
    doc = other_program();
    problems = json_array();
    json_object_set_new(doc, "assumed", json_pack("[s, s]", "$.exam.cut", "$.exam.nothing"));
    assert_int_equal(program_from_json(doc, &p, problems), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(problems, 0), "path")),
                        "$.assumed[1]");
    json_decref(doc);
    json_decref(problems);

    /* The scale upside down. */
    doc = other_program();
    problems = json_array();
    json_object_set_new(json_object_get(json_object_get(doc, "exam"), "scale"), "max",
                        json_integer(50));
    assert_true(program_from_json(doc, &p, problems) >= 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(problems, 0), "path")),
                        "$.exam.scale.max");
    json_decref(doc);
    json_decref(problems);

    /* Not JSON at all; a duplicate key. */
    assert_int_equal(program_parse("{\"format\": 1,", 13, &p, NULL, &problems), 1);
    tu_assert_contains(json_string_value(json_object_get(json_array_get(problems, 0), "message")),
                       "is not valid JSON");
    json_decref(problems);
    s = "{\"format\": 1, \"format\": 1}";
    assert_int_equal(program_parse(s, strlen(s), &p, NULL, &problems), 1);
    json_decref(problems);
}

static void date_is(struct clock_date d, const char *want)
{
    char buf[CLOCK_DATE_LEN];

    assert_int_equal(clock_date_format(d, buf, sizeof buf), 0);
    assert_string_equal(buf, want);
}

static struct clock_date day(const char *s)
{
    struct clock_date d;

    assert_int_equal(clock_date_parse(s, &d), 0);
    return d;
}

/* CETL's term, grace and reminders reach the life cycle (core/credential.c) as written. */
static void test_cred_rules(void **state)
{
    struct program p;
    json_t *doc = NULL;
    struct cred_rules cr;
    struct cred_state st = {CRED_NONE, {0, 0, 0}, {0, 0, 0}}, next;
    struct cred_event issue = {CRED_EV_ISSUE, NULL};
    struct cf_error err = {0};

    (void)state;
    cetl(&p, &doc);
    program_cred_rules(&p, &cr);
    assert_int_equal(cr.term_years, 3);
    assert_int_equal(cr.grace_days, p.grace_days);
    assert_int_equal(cr.nreminders, 4);
    assert_int_equal(cr.reminder_days[0], 180);
    assert_int_equal(cr.reminder_days[3], 7);
    assert_int_equal(cr.expiring_days, 180);
    /* Issued on a leap day: 3 years later has no 29 February → 28 February. */
    assert_int_equal(cred_apply(&st, &issue, day("2024-02-29"), &cr, &next, &err), CF_OK);
    date_is(next.expires_on, "2027-02-28");
    /* Reminders 180/90/30/7 days before 2029-03-15 (2028 is a leap year): the first is due
     * on 2028-09-16 (2029-03-15 − 180 days), not the day before. */
    st.status = CRED_ACTIVE;
    st.issued_on = day("2026-03-15");
    st.expires_on = day("2029-03-15");
    assert_int_equal(cred_reminder_due(&cr, &st, day("2028-09-15"), NULL, 0), 0);
    assert_int_equal(cred_reminder_due(&cr, &st, day("2028-09-16"), NULL, 0), 180);
    json_decref(doc);
}

static void test_number(void **state)
{
    struct program p;
    json_t *doc = NULL;
    struct cred_rules cr;
    char num[CRED_NUMBER_MAX];

    (void)state;
    cetl(&p, &doc);
    program_cred_rules(&p, &cr);
    assert_int_equal(cred_number_format(&cr, 2026, 123, num, sizeof num), CF_OK);
    assert_string_equal(num, "CETL-2026-000123");
    assert_int_equal(cred_number_format(&cr, 2026, 999999, num, sizeof num), CF_OK);
    assert_string_equal(num, "CETL-2026-999999");
    assert_int_equal(cred_number_format(&cr, 2026, 1000000, num, sizeof num), CF_EINVAL);
    assert_int_equal(cred_number_format(&cr, 2026, 0, num, sizeof num), CF_EINVAL);
    json_decref(doc);
}

/* CETL's categories reach continuing education (core/ce.c) with their values and caps. */
static void test_ce_rules(void **state)
{
    struct program p;
    json_t *doc = NULL;
    struct ce_rules ce;
    const char *sk[] = {"I.A"};
    /* Certifications: 4 each, cap 12: 2 + 2 items = 8 + 8 earned, 8 + 4 counted.
     * Volunteer 25 hours, cap 20: 20. Membership 3 years × 2 = 6, no cap. */
    struct ce_activity a[] = {
        {"Two certifications", "certification", {2026, 6, 1}, 200, sk, 1},
        {"Two more", "certification", {2026, 7, 1}, 200, sk, 1},
        {"Library board", "volunteer", {2026, 8, 1}, 2500, sk, 1},
        {"CoSN membership", "membership", {2026, 9, 1}, 300, sk, 1},
    };
    struct ce_line l[4];
    struct ce_result res;
    struct cf_error err = {0};

    (void)state;
    cetl(&p, &doc);
    program_ce_rules(&p, &ce);
    assert_int_equal(ce.required, 60);
    assert_int_equal(ce.ncats, p.ncats);
    assert_int_equal(ce_compute(&ce, a, 4, day("2026-03-15"), day("2029-03-15"), l, &res, &err),
                     CF_OK);
    assert_int_equal(l[0].counted, 800);
    assert_int_equal(l[1].earned, 800);
    assert_int_equal(l[1].counted, 400);
    assert_int_equal(l[2].counted, 2000);
    assert_int_equal(l[3].counted, 600);
    assert_int_equal(res.counted, 800 + 400 + 2000 + 600);
    json_decref(doc);
}

/* The rule texts of e joined, for messages. */
static int met_count(const struct program_eligibility *e, int path)
{
    int n = 0;

    for (int i = 0; i < e->nrules; i++)
        if (e->rules[i].path == path && e->rules[i].met)
            n++;
    return n;
}

static void test_eligibility(void **state)
{
    struct program p;
    json_t *doc = NULL;
    struct program_eligibility e;
    struct program_applicant a = {PROGRAM_DEGREE_BACHELOR, 48, 0, 0, 1};

    (void)state;
    cetl(&p, &doc);
    /* Bachelor's + exactly 4 years: the degree path, decided by a reviewer. */
    program_eligibility(&p, &a, &e);
    assert_true(e.eligible);
    assert_int_equal(e.path, 0);
    assert_false(e.decision_by_committee);
    assert_int_equal(met_count(&e, 0), 2);

    /* One month short. */
    a.experience_months = 47;
    program_eligibility(&p, &a, &e);
    assert_false(e.eligible);
    assert_int_equal(e.path, -1);
    tu_assert_contains(e.rules[2].text, "3 years and 11 months (not enough)");

    /* No degree, 7 years, waiver and recommendation: the waiver path, by the committee. */
    a = (struct program_applicant){PROGRAM_DEGREE_NONE, 84, 1, 1, 1};
    program_eligibility(&p, &a, &e);
    assert_true(e.eligible);
    assert_int_equal(e.path, 1);
    assert_true(e.decision_by_committee);
    /* ...without the supervisor's signature: missed, and said so. */
    a.supervisor_recommendation = 0;
    program_eligibility(&p, &a, &e);
    assert_false(e.eligible);
    {
        int said = 0;

        for (int i = 0; i < e.nrules; i++)
            if (!e.rules[i].met && strstr(e.rules[i].text, "not signed yet") != NULL)
                said = 1;
        assert_true(said);
    }
    /* Everything but the code of conduct. */
    a = (struct program_applicant){PROGRAM_DEGREE_MASTER, 120, 0, 0, 0};
    program_eligibility(&p, &a, &e);
    assert_false(e.eligible);
    assert_int_equal(e.rules[0].path, -1);
    assert_false(e.rules[0].met);
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cetl_reads),
        cmocka_unit_test(test_second_program),
        cmocka_unit_test(test_problems_name_paths),
        cmocka_unit_test(test_cross_field),
        cmocka_unit_test(test_cred_rules),
        cmocka_unit_test(test_number),
        cmocka_unit_test(test_ce_rules),
        cmocka_unit_test(test_eligibility),
    };

    return cmocka_run_group_tests_name("program", tests, NULL, NULL);
}
