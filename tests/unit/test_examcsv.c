/*
 * test_examcsv.c — src/core/examcsv.c: a calibration, group and category file read whole,
 * and each kind of refusal named by line and column.
 */
#include "testutil.h"

#include <math.h>

#include "core/examcsv.h"

/* Reads text; when want_line > 0 expects refusal with a first problem at line:col. */
static void expect(enum examcsv_kind kind, const char *text, long want_line, long want_col)
{
    struct examcsv f;
    json_t *problems = NULL, *first;
    int count = examcsv_parse(kind, text, strlen(text), &f, &problems);

    if (want_line == 0) {
        if (count != 0)
            fail_msg("refused: %s", json_dumps(problems, 0));
        examcsv_free(&f);
        return;
    }
    if (count == 0)
        fail_msg("read, want a problem at %ld:%ld: %s", want_line, want_col, text);
    assert_int_equal(f.n, 0);
    first = json_array_get(problems, 0);
    if (json_integer_value(json_object_get(first, "line")) != want_line ||
        json_integer_value(json_object_get(first, "column")) != want_col)
        fail_msg("problem %s, want %ld:%ld", json_dumps(first, 0), want_line, want_col);
    json_decref(problems);
}

static void test_calibration(void **state)
{
    const char *ok =
        "item,difficulty,se,infit,outfit\nI1,0.5,0.1,1.02,0.98\n\"I,2\",-0.5,0.2,1,1\n";
    struct examcsv f;

    (void)state;
    assert_int_equal(examcsv_parse(EXAMCSV_CALIBRATION, ok, strlen(ok), &f, NULL), 0);
    assert_int_equal(f.n, 2);
    assert_string_equal(f.key[1], "I,2");
    assert_true(f.value[0] == 0.5 && f.se[1] == 0.2);
    assert_int_equal(f.line[1], 3);
    assert_int_equal(examcsv_find(&f, "I,2"), 1);
    assert_int_equal(examcsv_find(&f, "I3"), -1);
    examcsv_free(&f);

    expect(EXAMCSV_CALIBRATION, ok, 0, 0);
    expect(EXAMCSV_CALIBRATION, "item,difficulty,se\nI1,0,1\n", 1, 1);            /* 3 columns */
    expect(EXAMCSV_CALIBRATION, "item,diff,se,infit,outfit\nI1,0,1,1,1\n", 1, 6); /* name */
    expect(EXAMCSV_CALIBRATION, "item,difficulty,se,infit,outfit\nI1,x,1,1,1\n", 2, 4);
    expect(EXAMCSV_CALIBRATION, "item,difficulty,se,infit,outfit\nI1,0,0,1,1\n", 2, 6);
    expect(EXAMCSV_CALIBRATION, "item,difficulty,se,infit,outfit\nI1,0,1,1,-1\n", 2, 10);
    expect(EXAMCSV_CALIBRATION, "item,difficulty,se,infit,outfit\nI1,inf,1,1,1\n", 2, 4);
    expect(EXAMCSV_CALIBRATION, "item,difficulty,se,infit,outfit\nI1,0,1,1,1\nI1,0,1,1,1\n", 3, 1);
    expect(EXAMCSV_CALIBRATION, "item,difficulty,se,infit,outfit\n,0,1,1,1\n", 2, 1);
    expect(EXAMCSV_CALIBRATION, "item,difficulty,se,infit,outfit\n", 1, 1); /* no row */
    expect(EXAMCSV_CALIBRATION, "item,difficulty,se,infit,outfit\nI1,0,1\n", 2,
           7); /* ragged: at its end */
}

static void test_groups_and_categories(void **state)
{
    (void)state;
    expect(EXAMCSV_GROUPS, "person,group\nP1,R\nP2,F\nP3,R\n", 0, 0);
    expect(EXAMCSV_GROUPS, "person,group\nP1,R\nP2,F\nP3,X\n", 4, 2); /* a third group */
    expect(EXAMCSV_GROUPS, "person,group\nP1,R\nP2,R\n", 1, 2);       /* only one */
    expect(EXAMCSV_GROUPS, "person,group\nP1,R\nP2,\n", 3, 4);        /* empty group */
    expect(EXAMCSV_GROUPS, "person,grp\nP1,R\n", 1, 8);
    expect(EXAMCSV_CATEGORIES, "item,category\nI1,a\nI2,a\n", 0, 0);
    expect(EXAMCSV_CATEGORIES, "item,category\nI1,a\nI1,b\n", 3, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_calibration),
        cmocka_unit_test(test_groups_and_categories),
    };

    return cmocka_run_group_tests_name("examcsv", tests, NULL, NULL);
}
