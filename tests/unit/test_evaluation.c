/*
 * test_evaluation.c — src/core/evaluation.c: the rules of evaluations and raters.
 *
 * Every (status, action) pair of an evaluation is a row of one table, legal and
 * illegal; an illegal one must give CF_ECONFLICT with a sentence (the HTTP layer
 * answers it with 409). Submit, answer checks and visibility likewise.
 */
#include "testutil.h"

#include "core/evaluation.h"

/* A sentence: starts with a capital and ends with a period. */
static void assert_sentence(const char *m)
{
    size_t n = strlen(m);

    assert_true(n > 2);
    assert_true(m[0] >= 'A' && m[0] <= 'Z');
    assert_int_equal(m[n - 1], '.');
}

static void test_codes(void **state)
{
    (void)state;
    for (int i = 0; i < EVAL_STATUS_COUNT; i++) {
        assert_int_equal(eval_status_parse(eval_status_code((enum eval_status)i)), i);
        assert_true(eval_status_label((enum eval_status)i)[0] != '\0');
    }
    for (int i = 0; i < EVAL_ACTION_COUNT; i++)
        assert_int_equal(eval_action_parse(eval_action_code((enum eval_action)i)), i);
    for (int i = 0; i < RATER_KIND_COUNT; i++) {
        assert_int_equal(rater_kind_parse(rater_kind_code((enum rater_kind)i)), i);
        assert_true(rater_kind_label((enum rater_kind)i)[0] != '\0');
    }
    for (int i = 0; i < RATER_STATUS_COUNT; i++) {
        assert_int_equal(rater_status_parse(rater_status_code((enum rater_status)i)), i);
        assert_true(rater_status_label((enum rater_status)i)[0] != '\0');
    }
    assert_int_equal(eval_status_parse("archived"), -1);
    assert_int_equal(eval_status_parse(NULL), -1);
    assert_int_equal(rater_kind_parse("Self"), -1); /* codes are exact */
    assert_string_equal(eval_status_code((enum eval_status)99), "");
}

/* Every status against every action: the next status, or -1 for a refusal. */
static void test_transitions(void **state)
{
    static const int want[EVAL_STATUS_COUNT][EVAL_ACTION_COUNT] = {
        /*              open       close        reopen     cancel */
        /* draft */ {EVAL_OPEN, -1, -1, EVAL_CANCELLED},
        /* open */ {-1, EVAL_CLOSED, -1, EVAL_CANCELLED},
        /* closed */ {-1, -1, EVAL_OPEN, -1},
        /* cancelled */ {-1, -1, -1, -1},
    };

    (void)state;
    for (int s = 0; s < EVAL_STATUS_COUNT; s++) {
        for (int a = 0; a < EVAL_ACTION_COUNT; a++) {
            struct cf_error err = {0};
            enum eval_status next;
            int rc = eval_apply((enum eval_status)s, (enum eval_action)a, 3, 2, &next, &err);

            if (want[s][a] < 0) {
                assert_int_equal(rc, CF_ECONFLICT);
                assert_int_equal((int)next, s); /* unchanged */
                assert_sentence(err.message);
            } else {
                assert_int_equal(rc, CF_OK);
                assert_int_equal((int)next, want[s][a]);
            }
        }
    }
}

static void test_open_needs_skills_and_raters(void **state)
{
    struct cf_error err = {0};
    enum eval_status next;

    (void)state;
    assert_int_equal(eval_apply(EVAL_DRAFT, EVAL_ACT_OPEN, 0, 2, &next, &err), CF_ECONFLICT);
    assert_non_null(strstr(err.message, "skill"));
    assert_int_equal(eval_apply(EVAL_DRAFT, EVAL_ACT_OPEN, 10, 0, &next, &err), CF_ECONFLICT);
    assert_non_null(strstr(err.message, "rater"));
    assert_int_equal(eval_apply(EVAL_DRAFT, EVAL_ACT_OPEN, 1, 1, &next, &err), CF_OK);
    assert_int_equal(next, EVAL_OPEN);
}

static void test_answers(void **state)
{
    struct cf_error err = {0};

    (void)state;
    /* Only while open and not submitted. */
    assert_int_equal(eval_may_answer(EVAL_OPEN, RATER_INVITED, &err), CF_OK);
    assert_int_equal(eval_may_answer(EVAL_OPEN, RATER_STARTED, &err), CF_OK);
    assert_int_equal(eval_may_answer(EVAL_OPEN, RATER_SUBMITTED, &err), CF_ECONFLICT);
    assert_non_null(strstr(err.message, "locked"));
    for (int s = 0; s < EVAL_STATUS_COUNT; s++)
        if (s != EVAL_OPEN) {
            assert_int_equal(eval_may_answer((enum eval_status)s, RATER_STARTED, &err),
                             CF_ECONFLICT);
            assert_sentence(err.message);
        }

    /* Levels 1..K, none, or no basis (not for self, not with a level). */
    for (int l = 0; l <= 4; l++)
        assert_int_equal(eval_answer_check(RATER_SUPERVISOR, l, 0, 4, &err), CF_OK);
    assert_int_equal(eval_answer_check(RATER_SUPERVISOR, 5, 0, 4, &err), CF_EINVAL);
    assert_string_equal(err.field, "level");
    assert_non_null(strstr(err.message, "1 to 4"));
    assert_int_equal(eval_answer_check(RATER_SUPERVISOR, -1, 0, 4, &err), CF_EINVAL);
    assert_int_equal(eval_answer_check(RATER_PEER, 0, 1, 4, &err), CF_OK);
    assert_int_equal(eval_answer_check(RATER_PEER, 2, 1, 4, &err), CF_EINVAL);
    assert_int_equal(eval_answer_check(RATER_SELF, 0, 1, 4, &err), CF_EINVAL);
    assert_sentence(err.message);
    assert_int_equal(eval_answer_check(RATER_SELF, 5, 0, 5, &err), CF_OK); /* K = 5 */
}

static void test_submit(void **state)
{
    struct eval_answer_state all[3] = {{2, 0}, {3, 0}, {4, 0}};
    struct eval_answer_state gaps[3] = {{2, 0}, {0, 0}, {0, 0}};
    struct eval_answer_state nb[3] = {{2, 0}, {0, 1}, {1, 0}};
    struct cf_error err = {0};
    size_t first = 99;

    (void)state;
    assert_int_equal(eval_may_submit(EVAL_OPEN, RATER_STARTED, RATER_SELF, all, 3, &first, &err),
                     CF_OK);
    assert_int_equal(first, 3);

    assert_int_equal(
        eval_may_submit(EVAL_OPEN, RATER_STARTED, RATER_SUPERVISOR, gaps, 3, &first, &err),
        CF_EINVAL);
    assert_int_equal(first, 1);
    assert_string_equal(err.field, "answers");
    assert_non_null(strstr(err.message, "2 skills"));

    gaps[2].level = 1;
    assert_int_equal(
        eval_may_submit(EVAL_OPEN, RATER_STARTED, RATER_SUPERVISOR, gaps, 3, &first, &err),
        CF_EINVAL);
    assert_non_null(strstr(err.message, "One skill"));

    /* "No basis to rate" counts for a peer, not for the self rater. */
    assert_int_equal(eval_may_submit(EVAL_OPEN, RATER_STARTED, RATER_PEER, nb, 3, &first, &err),
                     CF_OK);
    assert_int_equal(eval_may_submit(EVAL_OPEN, RATER_STARTED, RATER_SELF, nb, 3, &first, &err),
                     CF_EINVAL);
    assert_int_equal(first, 1);

    /* Submitted once: locked; a closed cycle: refused before the answers are looked at. */
    assert_int_equal(eval_may_submit(EVAL_OPEN, RATER_SUBMITTED, RATER_SELF, all, 3, NULL, &err),
                     CF_ECONFLICT);
    assert_int_equal(eval_may_submit(EVAL_CLOSED, RATER_STARTED, RATER_SELF, gaps, 3, NULL, &err),
                     CF_ECONFLICT);
    /* No counted skill: nothing is missing (opening needs one, so this is only a guard). */
    assert_int_equal(eval_may_submit(EVAL_OPEN, RATER_INVITED, RATER_PEER, NULL, 0, NULL, &err),
                     CF_OK);
}

static void test_reopen_rater(void **state)
{
    struct cf_error err = {0};

    (void)state;
    assert_int_equal(eval_may_reopen_rater(EVAL_OPEN, RATER_SUBMITTED, &err), CF_OK);
    assert_int_equal(eval_may_reopen_rater(EVAL_OPEN, RATER_STARTED, &err), CF_ECONFLICT);
    assert_sentence(err.message);
    assert_int_equal(eval_may_reopen_rater(EVAL_CLOSED, RATER_SUBMITTED, &err), CF_ECONFLICT);
    assert_non_null(strstr(err.message, "reopen"));
}

/* Who reads others' answers: every viewer x status x blind. */
static void test_visibility(void **state)
{
    (void)state;
    for (int s = 0; s < EVAL_STATUS_COUNT; s++) {
        for (int blind = 0; blind <= 1; blind++) {
            int closed = s == EVAL_CLOSED;

            assert_int_equal(eval_may_read_others(VIEWER_RATER, (enum eval_status)s, blind),
                             closed || (s == EVAL_OPEN && !blind));
            assert_int_equal(eval_may_read_others(VIEWER_SUBJECT, (enum eval_status)s, blind),
                             closed);
            assert_int_equal(eval_may_read_others(VIEWER_ADMIN, (enum eval_status)s, blind),
                             closed);
            assert_int_equal(eval_may_read_others(VIEWER_NONE, (enum eval_status)s, blind), 0);
        }
    }
    /* The case the issue names: a blind, open cycle hides others' answers from raters. */
    assert_int_equal(eval_may_read_others(VIEWER_RATER, EVAL_OPEN, 1), 0);
    assert_int_equal(eval_may_read_others(VIEWER_RATER, EVAL_DRAFT, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codes),
        cmocka_unit_test(test_transitions),
        cmocka_unit_test(test_open_needs_skills_and_raters),
        cmocka_unit_test(test_answers),
        cmocka_unit_test(test_submit),
        cmocka_unit_test(test_reopen_rater),
        cmocka_unit_test(test_visibility),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
