/*
 * test_pdcatalog.c — src/core/pdcatalog.c: the professional development
 * catalog. The shipped data/pd-catalog.json reads cleanly, has at least 60
 * activities, serves every one of the ten skills with at least 5 of them and
 * names only CE categories of data/programs/cetl.json; every kind of mistake
 * in a catalog is refused with its JSON path.
 */
#include "testutil.h"

#include "core/pdcatalog.h"

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

/* The shipped catalog, parsed (fails the test on any problem). */
static struct pd_catalog *shipped(void)
{
    size_t n;
    char *s = slurp("data/pd-catalog.json", &n);
    json_t *problems = NULL;
    struct pd_catalog *c = NULL;

    if (pdcatalog_parse(s, n, &c, &problems) != 0)
        fail_msg("pd-catalog.json: %s", json_dumps(problems, 0));
    assert_non_null(c);
    json_decref(problems);
    free(s);
    return c;
}

static void test_shipped_reads(void **state)
{
    struct pd_catalog *c = shipped();
    int per_skill[PD_NSKILLS] = {0}, free_ones = 0, given = 0;

    (void)state;
    assert_true(c->n >= 60);
    for (int i = 0; i < c->n; i++) {
        const struct pd_activity *a = &c->acts[i];

        assert_true(a->nskills >= 1);
        assert_true(a->half_hours >= 1);
        for (int j = 0; j < a->nskills; j++) {
            int g = a->gain_q[a->skills[j]];

            per_skill[a->skills[j]]++;
            assert_true(g >= 1 && g <= PD_GAIN_QUARTERS_MAX);
        }
        free_ones += a->cost == 0;
        given += a->gain_given;
    }
    for (int s = 0; s < PD_NSKILLS; s++)
        if (per_skill[s] < 5)
            fail_msg("skill %s is served by %d activities, fewer than 5", pd_skill_codes[s],
                     per_skill[s]);

    /* Varied: some free, some with their own gains, others on the default. */
    assert_true(free_ones >= 5);
    assert_true(given >= 5 && given < c->n);
    assert_non_null(pdcatalog_find(c, "erate-workshop"));
    assert_null(pdcatalog_find(c, "no-such-activity"));
    pdcatalog_free(c);
}

static void test_shipped_categories_in_cetl(void **state)
{
    struct pd_catalog *c = shipped();
    struct program p;
    size_t n;
    char *s = slurp("data/programs/cetl.json", &n);
    json_t *problems = json_array();

    (void)state;
    assert_int_equal(program_parse(s, n, &p, NULL, NULL), 0);
    if (pdcatalog_check_program(c, &p, problems) != 0)
        fail_msg("%s", json_dumps(problems, 0));

    /* A category the program does not have is named with its path. */
    snprintf(c->acts[3].ce_category, sizeof c->acts[3].ce_category, "%s", "hobby");
    assert_int_equal(pdcatalog_check_program(c, &p, problems), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(problems, 0), "path")),
                        "$.activities[3].ce_category");
    json_decref(problems);
    free(s);
    pdcatalog_free(c);
}

static void test_default_gain(void **state)
{
    (void)state;
    assert_int_equal(pd_default_gain_q(1), 1);   /* half an hour */
    assert_int_equal(pd_default_gain_q(11), 1);  /* 5.5 hours */
    assert_int_equal(pd_default_gain_q(12), 2);  /* 6 hours */
    assert_int_equal(pd_default_gain_q(29), 2);  /* 14.5 hours */
    assert_int_equal(pd_default_gain_q(30), 3);  /* 15 hours */
    assert_int_equal(pd_default_gain_q(59), 3);  /* 29.5 hours */
    assert_int_equal(pd_default_gain_q(60), 4);  /* 30 hours */
    assert_int_equal(pd_default_gain_q(400), 4); /* never more than a level */
    assert_int_equal(pd_skill_index("III.D"), 9);
    assert_int_equal(pd_skill_index("IV.A"), -1);
}

/* A good one-activity catalog to spoil, as a JSON value. */
static json_t *good(void)
{
    return json_pack("{s:s, s:[{s:s, s:s, s:s, s:s, s:f, s:i, s:[s, s], s:s, s:s, s:{s:f, s:f}}]}",
                     "about", "A test catalog.", "activities", "id", "budget-webinar", "title",
                     "Budgets", "provider", "State association", "format", "webinar", "hours", 1.5,
                     "cost", 0, "skills", "III.C", "I.B", "ce_category", "pd", "description",
                     "One hour and a half on budgets.", "gain", "III.C", 0.5, "I.B", 0.25);
}

/* Parses doc (stolen) and checks the first problem's path is path. */
static void refused(json_t *doc, const char *path)
{
    char *s = json_dumps(doc, JSON_ENCODE_ANY);
    json_t *problems = NULL;
    struct pd_catalog *c = (struct pd_catalog *)1;
    const char *got, *msg;
    int n;

    n = pdcatalog_parse(s, strlen(s), &c, &problems);
    if (n == 0)
        fail_msg("accepted: %s", s);
    assert_null(c);
    assert_int_equal((size_t)n, json_array_size(problems));
    got = json_string_value(json_object_get(json_array_get(problems, 0), "path"));
    msg = json_string_value(json_object_get(json_array_get(problems, 0), "message"));
    if (got == NULL || strcmp(got, path) != 0)
        fail_msg("wanted a problem at %s, got %s", path, json_dumps(problems, 0));
    assert_non_null(msg);
    assert_true(msg[strlen(msg) - 1] == '.');
    json_decref(problems);
    free(s);
    json_decref(doc);
}

/* The first activity of doc. */
static json_t *act0(json_t *doc)
{
    return json_array_get(json_object_get(doc, "activities"), 0);
}

static void test_good_reads(void **state)
{
    json_t *doc = good();
    char *s = json_dumps(doc, 0);
    struct pd_catalog *c = NULL;

    (void)state;
    assert_int_equal(pdcatalog_parse(s, strlen(s), &c, NULL), 0);
    assert_int_equal(c->n, 1);
    assert_int_equal(c->acts[0].half_hours, 3);
    assert_int_equal(c->acts[0].cost, 0);
    assert_int_equal(c->acts[0].nskills, 2);
    assert_int_equal(c->acts[0].skills[0], 8);
    assert_int_equal(c->acts[0].gain_q[8], 2);
    assert_int_equal(c->acts[0].gain_q[1], 1);
    assert_int_equal(c->acts[0].gain_q[0], 0);
    pdcatalog_free(c);
    free(s);

    /* Without gain every skill gets the default for its hours (1.5 hours: a quarter). */
    json_object_del(act0(doc), "gain");
    s = json_dumps(doc, 0);
    assert_int_equal(pdcatalog_parse(s, strlen(s), &c, NULL), 0);
    assert_int_equal(c->acts[0].gain_q[8], 1);
    assert_false(c->acts[0].gain_given);
    pdcatalog_free(c);
    free(s);
    json_decref(doc);
}

static void test_problems_name_paths(void **state)
{
    json_t *d;
    struct pd_catalog *c = NULL;
    json_t *problems = NULL;

    (void)state;
    d = good();
    json_object_set_new(act0(d), "colour", json_string("red"));
    refused(d, "$.activities[0].colour");

    d = good();
    json_object_set_new(d, "version", json_integer(2));
    refused(d, "$.version");

    d = good();
    json_object_set_new(act0(d), "hours", json_real(0.3));
    refused(d, "$.activities[0].hours");

    d = good();
    json_object_set_new(act0(d), "hours", json_integer(0));
    refused(d, "$.activities[0].hours");

    d = good();
    json_object_set_new(act0(d), "cost", json_real(9.99));
    refused(d, "$.activities[0].cost");

    d = good();
    json_object_set_new(act0(d), "cost", json_integer(-1));
    refused(d, "$.activities[0].cost");

    d = good();
    json_array_set_new(json_object_get(act0(d), "skills"), 1, json_string("IV.A"));
    refused(d, "$.activities[0].skills[1]");

    d = good();
    json_array_set_new(json_object_get(act0(d), "skills"), 1, json_string("III.C"));
    refused(d, "$.activities[0].skills[1]");

    d = good();
    json_object_set_new(act0(d), "skills", json_array());
    refused(d, "$.activities[0].skills");

    d = good();
    json_object_set_new(json_object_get(act0(d), "gain"), "II.A", json_real(0.5));
    refused(d, "$.activities[0].gain.II.A");

    d = good();
    json_object_set_new(json_object_get(act0(d), "gain"), "I.B", json_real(0.3));
    refused(d, "$.activities[0].gain.I.B");

    d = good();
    json_object_set_new(json_object_get(act0(d), "gain"), "I.B", json_real(1.25));
    refused(d, "$.activities[0].gain.I.B");

    d = good();
    json_object_del(json_object_get(act0(d), "gain"), "I.B");
    refused(d, "$.activities[0].gain");

    d = good();
    json_object_set_new(act0(d), "format", json_string("podcast"));
    refused(d, "$.activities[0].format");

    d = good();
    json_object_set_new(act0(d), "id", json_string("Budget Webinar"));
    refused(d, "$.activities[0].id");

    d = good();
    json_object_set_new(act0(d), "title", json_string("Two\nlines"));
    refused(d, "$.activities[0].title");

    d = good();
    json_object_del(act0(d), "description");
    refused(d, "$.activities[0].description");

    d = good();
    json_object_set_new(act0(d), "ce_category", json_integer(1));
    refused(d, "$.activities[0].ce_category");

    d = good();
    json_array_append_new(json_object_get(d, "activities"), json_deep_copy(act0(d)));
    refused(d, "$.activities[1].id");

    d = good();
    json_array_append_new(json_object_get(d, "activities"), json_string("x"));
    refused(d, "$.activities[1]");

    d = good();
    json_object_set_new(d, "activities", json_array());
    refused(d, "$.activities");

    refused(json_string("not a catalog"), "$");

    /* Not JSON at all: the line and column are named. */
    assert_int_equal(pdcatalog_parse("{\"about\": }", 11, &c, &problems), 1);
    assert_null(c);
    assert_non_null(
        strstr(json_string_value(json_object_get(json_array_get(problems, 0), "message")),
               "line 1, column"));
    json_decref(problems);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_reads),
        cmocka_unit_test(test_shipped_categories_in_cetl),
        cmocka_unit_test(test_default_gain),
        cmocka_unit_test(test_good_reads),
        cmocka_unit_test(test_problems_name_paths),
    };

    return cmocka_run_group_tests_name("pdcatalog", tests, NULL, NULL);
}
