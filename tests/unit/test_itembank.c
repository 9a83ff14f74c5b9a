/*
 * test_itembank.c — src/core/itembank: the item workflow as a table of every move (the
 * allowed ones written out from docs/qti.md's rule, every other one refused), the tag rule
 * for pretest and operational, names and levels.
 */
#include "testutil.h"

#include <string.h>

#include "core/itembank.h"

static void test_names(void **state)
{
    (void)state;
    for (int s = 0; s < ITEM__COUNT; s++) {
        assert_int_equal(item_status_parse(item_status_name((enum item_status)s)), s);
        assert_true(strlen(item_status_label((enum item_status)s)) > 0);
    }
    assert_int_equal(item_status_parse("published"), -1);
    assert_int_equal(item_status_parse(NULL), -1);
    assert_int_equal(item_cognitive_parse("recall"), 0);
    assert_int_equal(item_cognitive_parse("analysis"), 2);
    assert_int_equal(item_cognitive_parse("Recall"), -1);
}

static void test_every_move(void **state)
{
    /* The moves the workflow allows, from -> to; every other pair is refused. */
    static const int ok[][2] = {
        {ITEM_DRAFT, ITEM_REVIEW},        {ITEM_REVIEW, ITEM_DRAFT},
        {ITEM_REVIEW, ITEM_PRETEST},      {ITEM_REVIEW, ITEM_RETIRED},
        {ITEM_PRETEST, ITEM_REVIEW},      {ITEM_PRETEST, ITEM_OPERATIONAL},
        {ITEM_PRETEST, ITEM_RETIRED},     {ITEM_OPERATIONAL, ITEM_REVIEW},
        {ITEM_OPERATIONAL, ITEM_RETIRED},
    };
    int allowed = 0;

    (void)state;
    for (int f = 0; f < ITEM__COUNT; f++)
        for (int t = 0; t < ITEM__COUNT; t++) {
            struct cf_error e;
            int want = 0, rc;

            for (size_t k = 0; k < sizeof ok / sizeof ok[0]; k++)
                want |= ok[k][0] == f && ok[k][1] == t;
            cf_error_clear(&e);
            rc = item_move_check((enum item_status)f, (enum item_status)t, 1, &e);
            if (want != (rc == CF_OK))
                fail_msg("%s -> %s: %s", item_status_name((enum item_status)f),
                         item_status_name((enum item_status)t),
                         rc == CF_OK ? "allowed" : e.message);
            if (rc != CF_OK) {
                assert_int_equal(rc, CF_ECONFLICT);
                assert_string_equal(e.field, "status");
            }
            allowed += rc == CF_OK;
        }
    assert_int_equal(allowed, 9);
}

static void test_tags_needed(void **state)
{
    struct cf_error e;

    (void)state;
    cf_error_clear(&e);
    assert_int_equal(item_move_check(ITEM_REVIEW, ITEM_PRETEST, 0, &e), CF_ECONFLICT);
    assert_non_null(strstr(e.message, "Tag the item"));
    assert_int_equal(item_move_check(ITEM_PRETEST, ITEM_OPERATIONAL, 0, &e), CF_ECONFLICT);
    /* Going back or retiring needs no tags. */
    assert_int_equal(item_move_check(ITEM_REVIEW, ITEM_DRAFT, 0, &e), CF_OK);
    assert_int_equal(item_move_check(ITEM_REVIEW, ITEM_RETIRED, 0, &e), CF_OK);
    cf_error_clear(&e);
    assert_int_equal(item_move_check(ITEM_RETIRED, ITEM_REVIEW, 1, &e), CF_ECONFLICT);
    assert_non_null(strstr(e.message, "stays retired"));
    assert_int_equal(item_move_check((enum item_status)9, ITEM_REVIEW, 1, &e), CF_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_every_move),
        cmocka_unit_test(test_tags_needed),
    };

    return cmocka_run_group_tests_name("itembank", tests, NULL, NULL);
}
