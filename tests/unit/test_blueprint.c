/*
 * test_blueprint.c — src/core/blueprint.c: the blueprint's table and the check of a form
 * against it, on forms built here by hand.
 *
 * The blueprint is the exam weights of the CoSN framework (domain/cosn.md): of 100 scored
 * items I.A 15, I.B 15, I.C 10, II.A 12, II.B 9, II.C 9, III.A 9, III.B 7, III.C 7, III.D 7.
 * The "exact" form below has exactly that many operational items per skill, named
 * "<skill>-<n>" (I.A-1 ... I.A-15, I.B-1 ...); the other cases change it by one or two
 * items and say beside each assertion what the count must be.
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "core/blueprint.h"

#define FORM_MAX 160

struct form {
    struct bp_item items[FORM_MAX];
    char names[FORM_MAX][16];
    char skills[FORM_MAX][16];
    size_t n;
};

/* Appends an item named name, tagged skills, in status, role pretest or scored. */
static void put(struct form *f, const char *name, const char *skills, const char *status,
                int pretest)
{
    assert_true(f->n < FORM_MAX);
    snprintf(f->names[f->n], sizeof f->names[0], "%s", name);
    snprintf(f->skills[f->n], sizeof f->skills[0], "%s", skills);
    f->items[f->n] = (struct bp_item){f->names[f->n], f->skills[f->n], status, pretest};
    f->n++;
}

/* The exact blueprint: weights[s] operational scored items per skill, 100 in all. */
static void exact(struct form *f)
{
    memset(f, 0, sizeof *f);
    for (int s = 0; s < PD_NSKILLS; s++)
        for (int k = 1; k <= blueprint_weights[s]; k++) {
            char name[16];

            snprintf(name, sizeof name, "%s-%d", pd_skill_codes[s], k);
            put(f, name, pd_skill_codes[s], "operational", 0);
        }
}

static int ok_of(const json_t *r)
{
    return json_is_true(json_object_get(r, "ok"));
}

static const json_t *problems(const json_t *r)
{
    return json_object_get(r, "problems");
}

static const char *message(const json_t *r, size_t i)
{
    return json_string_value(json_object_get(json_array_get(problems(r), i), "message"));
}

static const char *check(const json_t *r, size_t i)
{
    return json_string_value(json_object_get(json_array_get(problems(r), i), "check"));
}

/* The {required, have} of skill code in r's skills. */
static void skill_counts(const json_t *r, const char *code, long *required, long *have)
{
    const json_t *x;
    size_t i;

    *required = *have = -1;
    json_array_foreach(json_object_get(r, "skills"), i, x)
    {
        if (strcmp(json_string_value(json_object_get(x, "code")), code) == 0) {
            *required = (long)json_integer_value(json_object_get(x, "required"));
            *have = (long)json_integer_value(json_object_get(x, "have"));
        }
    }
}

static void test_table(void **state)
{
    /* The published weights, in framework order, summing to 100. */
    static const int want[PD_NSKILLS] = {15, 15, 10, 12, 9, 9, 9, 7, 7, 7};
    int sum = 0;

    (void)state;
    for (int s = 0; s < PD_NSKILLS; s++) {
        assert_int_equal(blueprint_weights[s], want[s]);
        sum += blueprint_weights[s];
    }
    assert_int_equal(sum, BLUEPRINT_SCORED);

    /* An item counts toward its FIRST skill code. */
    assert_int_equal(blueprint_skill_of("II.B;I.A"), 4);
    assert_int_equal(blueprint_skill_of("III.D"), 9);
    assert_int_equal(blueprint_skill_of(" I.C, II.A"), 2);
    assert_int_equal(blueprint_skill_of(""), -1);
    assert_int_equal(blueprint_skill_of("IV.A;I.A"), -1); /* the first code is unknown */
    assert_int_equal(blueprint_skill_of(NULL), -1);
}

static void test_exact(void **state)
{
    struct form f;
    json_t *r;
    long req, have;

    (void)state;
    exact(&f);
    assert_int_equal(f.n, 100);
    r = blueprint_check(f.items, f.n, NULL, 0, 0);
    assert_non_null(r);
    assert_true(ok_of(r));
    assert_int_equal(json_array_size(problems(r)), 0);
    assert_int_equal(json_integer_value(json_object_get(r, "scored")), 100);
    assert_int_equal(json_integer_value(json_object_get(r, "pretest")), 0);
    assert_int_equal(json_array_size(json_object_get(r, "skills")), PD_NSKILLS);
    skill_counts(r, "II.A", &req, &have);
    assert_int_equal(req, 12);
    assert_int_equal(have, 12);
    skill_counts(r, "III.D", &req, &have);
    assert_int_equal(req, 7);
    assert_int_equal(have, 7);
    json_decref(r);
}

static void test_short_and_over(void **state)
{
    struct form f;
    json_t *r;
    long req, have;

    (void)state;
    exact(&f);
    /* I.A-1 retagged "II.B;I.A": it now counts toward II.B (its first code), so I.A has
     * 15 - 1 = 14 and II.B 9 + 1 = 10; the total stays 100. */
    snprintf(f.skills[0], sizeof f.skills[0], "II.B;I.A");
    r = blueprint_check(f.items, f.n, NULL, 0, 0);
    assert_false(ok_of(r));
    skill_counts(r, "I.A", &req, &have);
    assert_int_equal(have, 14);
    skill_counts(r, "II.B", &req, &have);
    assert_int_equal(have, 10);
    assert_int_equal(json_integer_value(json_object_get(r, "scored")), 100);
    assert_int_equal(json_array_size(problems(r)), 2);
    assert_string_equal(check(r, 0), "skill");
    assert_string_equal(message(r, 0),
                        "I.A has 14 scored items; the blueprint asks for 15: add 1.");
    assert_string_equal(check(r, 1), "skill");
    /* The over skill names its ten items (in form order: II.B-1..9, then I.A-1). */
    assert_string_equal(message(r, 1),
                        "II.B has 10 scored items; the blueprint asks for 9: remove 1 of I.A-1, "
                        "II.B-1, II.B-2, II.B-3, II.B-4, II.B-5, II.B-6, II.B-7, II.B-8 and "
                        "II.B-9.");
    json_decref(r);

    /* One item fewer (III.D-7 gone): III.D short by one and 99 scored in all. */
    exact(&f);
    f.n--;
    r = blueprint_check(f.items, f.n, NULL, 0, 0);
    assert_false(ok_of(r));
    assert_int_equal(json_array_size(problems(r)), 2);
    assert_string_equal(message(r, 0),
                        "III.D has 6 scored items; the blueprint asks for 7: add 1.");
    assert_string_equal(check(r, 1), "total");
    assert_string_equal(message(r, 1), "The form has 99 scored items; the blueprint asks for 100.");
    json_decref(r);

    /* An item with no skill the framework knows: counted in the total, toward no skill. */
    exact(&f);
    snprintf(f.skills[99], sizeof f.skills[0], "IV.Z");
    r = blueprint_check(f.items, f.n, NULL, 0, 0);
    assert_false(ok_of(r));
    assert_int_equal(json_array_size(problems(r)), 2);
    assert_string_equal(check(r, 0), "skill"); /* III.D 6 of 7 */
    assert_string_equal(check(r, 1), "unskilled");
    assert_non_null(strstr(message(r, 1), "III.D-7"));
    json_decref(r);
}

static void test_enemies(void **state)
{
    struct form f;
    const struct bp_enemy en[] = {
        {"III.B-2", "I.A-3"},   /* both on the form (named in identifier order) */
        {"II.C-1", "NOT-HERE"}, /* one is not on the form: no problem */
    };
    json_t *r;

    (void)state;
    exact(&f);
    r = blueprint_check(f.items, f.n, en, 2, 0);
    assert_false(ok_of(r));
    assert_int_equal(json_array_size(problems(r)), 1);
    assert_string_equal(check(r, 0), "enemy");
    assert_string_equal(message(r, 0), "Enemy items cannot be on one form: I.A-3 and III.B-2.");
    assert_int_equal(json_array_size(json_object_get(r, "enemies")), 1);
    json_decref(r);

    /* The pair that is not on the form alone: the form passes. */
    r = blueprint_check(f.items, f.n, en + 1, 1, 0);
    assert_true(ok_of(r));
    json_decref(r);
}

static void test_pretest(void **state)
{
    struct form f;
    json_t *r;
    long req, have;

    (void)state;
    exact(&f);
    /* One pretest item (tagged I.A, in status pretest) for 2 slots: one check fails; the
     * pretest item does not count toward I.A (still 15) nor the 100 scored. */
    put(&f, "P-1", "I.A", "pretest", 1);
    r = blueprint_check(f.items, f.n, NULL, 0, 2);
    assert_false(ok_of(r));
    assert_int_equal(json_array_size(problems(r)), 1);
    assert_string_equal(check(r, 0), "pretest");
    assert_string_equal(message(r, 0), "The form has 1 pretest item for 2 pretest slots.");
    skill_counts(r, "I.A", &req, &have);
    assert_int_equal(have, 15);
    assert_int_equal(json_integer_value(json_object_get(r, "scored")), 100);
    json_decref(r);

    /* The second slot filled: every check passes. */
    put(&f, "P-2", "III.C", "pretest", 1);
    r = blueprint_check(f.items, f.n, NULL, 0, 2);
    assert_true(ok_of(r));
    assert_int_equal(json_integer_value(json_object_get(r, "pretest")), 2);
    json_decref(r);

    /* A third: 3 items for 2 slots. */
    put(&f, "P-3", "III.C", "pretest", 1);
    r = blueprint_check(f.items, f.n, NULL, 0, 2);
    assert_false(ok_of(r));
    assert_string_equal(message(r, 0), "The form has 3 pretest items for 2 pretest slots.");
    json_decref(r);
}

static void test_status(void **state)
{
    struct form f;
    json_t *r;

    (void)state;
    exact(&f);
    /* A draft item as a scored one, an operational item as a pretest one. */
    f.items[10].status = "draft"; /* I.A-11 */
    put(&f, "P-1", "I.A", "operational", 1);
    r = blueprint_check(f.items, f.n, NULL, 0, 1);
    assert_false(ok_of(r));
    assert_int_equal(json_array_size(problems(r)), 2);
    assert_string_equal(check(r, 0), "status");
    assert_string_equal(message(r, 0),
                        "Scored items must be operational; this one is not: I.A-11 (draft).");
    assert_string_equal(check(r, 1), "status");
    assert_string_equal(message(r, 1),
                        "Pretest items must be in status pretest; this one is not: P-1 "
                        "(operational).");
    json_decref(r);
}

static void test_long_name(void **state)
{
    struct form f;
    char name[160];
    json_t *r;
    const char *m;

    (void)state;
    /* An identifier of 75 two-byte characters (150 bytes): a message quotes at most 100
     * bytes of it, cut between characters (50 of them), then "...". */
    for (int k = 0; k < 75; k++)
        memcpy(name + 2 * k, "\xc3\xa9", 2);
    name[150] = '\0';
    exact(&f);
    f.items[0].identifier = name;
    f.items[0].status = "review";
    r = blueprint_check(f.items, f.n, NULL, 0, 0);
    assert_non_null(r);
    m = message(r, 0);
    assert_non_null(m);
    assert_non_null(strstr(m, "\xc3\xa9..."
                              " (review)."));
    assert_null(strstr(m, "\xc3..."));
    /* 100 bytes of name: the quote is the prefix and the name's first 50 characters. */
    assert_int_equal(strlen(m), strlen("Scored items must be operational; this one is not: ") +
                                    100 + strlen("... (review)."));
    json_decref(r);
}

static void test_many_named(void **state)
{
    struct form f;
    json_t *r;
    const char *m;

    (void)state;
    /* 100 items all tagged I.A: I.A is over by 85 and the message names the first 12 of its
     * 100 items and "and 88 more"; the nine other skills are short. */
    exact(&f);
    for (size_t i = 0; i < f.n; i++)
        snprintf(f.skills[i], sizeof f.skills[0], "I.A");
    r = blueprint_check(f.items, f.n, NULL, 0, 0);
    assert_int_equal(json_array_size(problems(r)), 10);
    m = message(r, 0);
    assert_non_null(strstr(m, "I.A has 100 scored items; the blueprint asks for 15: remove 85 of"));
    assert_non_null(strstr(m, " and 88 more."));
    assert_int_equal(json_array_size(json_object_get(json_array_get(problems(r), 0), "items")),
                     100);
    json_decref(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),          cmocka_unit_test(test_exact),
        cmocka_unit_test(test_short_and_over), cmocka_unit_test(test_enemies),
        cmocka_unit_test(test_pretest),        cmocka_unit_test(test_status),
        cmocka_unit_test(test_long_name),      cmocka_unit_test(test_many_named),
    };

    return cmocka_run_group_tests_name("blueprint", tests, NULL, NULL);
}
