/*
 * test_csvtable.c — src/lib/csvtable.c: the layer the exam's file readers share. The header's
 * item ids, the two ways problems are handed back (with the cap), a field past a record's
 * end, and how a cell is quoted in a message. Every expected value is worked by hand beside
 * it.
 */
#include "testutil.h"

#include "lib/csv.h"
#include "lib/csvtable.h"
#include "lib/err.h"

/* The message of problem i. */
static const char *message(const json_t *problems, size_t i)
{
    return json_string_value(json_object_get(json_array_get(problems, i), "message"));
}

/* What the header test's callback keeps: the ids and columns of the header. */
struct ids {
    struct csv_table *t;
    char *id[5];
    long col[5];
};

static int header_ids(const struct csv_record *rec, void *arg)
{
    struct ids *h = arg;

    if (rec->index == 0)
        csv_table_ids(h->t, rec, 1, h->id, h->col);
    return CF_OK;
}

/*
 * The ids after the first column: a blank one and a repeated one are refused at their
 * columns. "id,a, ,b,a,é": fields start at characters 1, 4, 6, 8, 10 and 12.
 */
static void test_ids(void **state)
{
    const char *text = "id,a, ,b,a,\xc3\xa9\n";
    struct csv_table t;
    struct ids h = {&t, {NULL}, {0}};
    json_t *problems = NULL;

    (void)state;
    assert_int_equal(csv_table_init(&t, 100), CF_OK);
    assert_int_equal(csv_table_read(&t, text, strlen(text), NULL, header_ids, &h), CF_OK);
    assert_string_equal(h.id[0], "a");
    assert_null(h.id[1]);
    assert_string_equal(h.id[2], "b");
    assert_null(h.id[3]);
    assert_string_equal(h.id[4], "\xc3\xa9");
    assert_int_equal(h.col[0], 4);
    assert_int_equal(h.col[2], 8);
    assert_int_equal(h.col[4], 12);
    assert_int_equal(csv_table_finish(&t, CSV_TABLE_MERGE, &problems), 2);
    assert_string_equal(tu_places(problems), "1:6 1:10");
    assert_string_equal(message(problems, 0),
                        "The item id of column 3 is empty. Head each item column with the item's "
                        "id.");
    assert_string_equal(message(problems, 1),
                        "The item \"a\" already heads column 2. Give each item one column.");
    for (size_t i = 0; i < 5; i++)
        free(h.id[i]);
    json_decref(problems);
}

/*
 * Finishing cases: the reader's problems and the file's own (each "line:col ..."), added in
 * that order, and what csv_table_finish() hands back (the reader's messages say "reader",
 * the file's "own").
 */
struct finish_case {
    const char *name;
    size_t max;
    const char *reader, *own;
    enum csv_table_way way;
    int count;
    const char *places, *first, *last; /* messages of the first and last problem */
};

static const struct finish_case finish_cases[] = {
    /* by line, then column; at the same place the reader's first (it found them first) */
    {"merged", 100, "3:1 1:5", "2:2 1:5", CSV_TABLE_MERGE, 4, "1:5 1:5 2:2 3:1", "reader",
     "reader"},
    {"reader's alone", 100, "3:1", "2:2", CSV_TABLE_CSV_ONLY, 1, "3:1", "reader", "reader"},
    /* the file's own, alone, stay in the order found */
    {"own alone", 100, "", "4:2 2:9", CSV_TABLE_CSV_ONLY, 2, "4:2 2:9", "own", "own"},
    {"none", 100, "", "", CSV_TABLE_MERGE, 0, "", NULL, NULL},
    /*
     * max 4 (three problems and one saying there are more). The file's five fill its list
     * at three (lines 2-4) plus its "more" on line 5; merged with the reader's on line 1,
     * the first three by place are shown and a new "more" stands on line 3, column 1.
     */
    {"capped", 4, "1:1", "2:1 3:1 4:1 5:1 6:1", CSV_TABLE_MERGE, 4, "1:1 2:1 3:1 3:1", "reader",
     "There are more problems; only the first 3 are shown. Fix these and try again."},
    /* the reader's list full (max entries): it alone, as it is */
    {"reader full", 4, "9:1 8:1 7:1 6:1", "2:1", CSV_TABLE_MERGE, 4, "9:1 8:1 7:1 6:1", "reader",
     "reader"},
};

/* Adds the problems at places ("line:col ...") to t: the reader's, or the file's own. */
static void add_places(struct csv_table *t, const char *places, int reader)
{
    int line, col, used;

    while (sscanf(places, "%d:%d%n", &line, &col, &used) == 2) {
        if (reader)
            assert_int_equal(
                json_array_append_new(t->csvp, json_pack("{s:i, s:i, s:s}", "line", line, "column",
                                                         col, "message", "reader")),
                0);
        else
            csv_table_problem(t, (size_t)line, (size_t)col, "own");
        places += used;
    }
}

static void test_finish(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof finish_cases / sizeof finish_cases[0]; i++) {
        const struct finish_case *c = &finish_cases[i];
        struct csv_table t;
        json_t *problems = NULL;
        int count;

        assert_int_equal(csv_table_init(&t, c->max), CF_OK);
        add_places(&t, c->reader, 1);
        add_places(&t, c->own, 0);
        count = csv_table_finish(&t, c->way, &problems);
        if (count != c->count || strcmp(tu_places(problems), c->places) != 0)
            fail_msg("%s: %d problems at \"%s\", expected %d at \"%s\"", c->name, count,
                     tu_places(problems), c->count, c->places);
        if (c->count == 0) {
            assert_null(problems);
            continue;
        }
        assert_string_equal(message(problems, 0), c->first);
        assert_string_equal(message(problems, (size_t)c->count - 1), c->last);
        json_decref(problems);
    }
}

/* A field past the record's end: empty, one comma after the last field per field missed. */
static void test_field_past_end(void **state)
{
    const struct csv_field f[2] = {{"ab", 2, 1}, {"\xc3\xa9", 2, 4}};
    const struct csv_record r = {1, 2, 2, f, 0};
    struct csv_field g;

    (void)state;
    g = csv_table_field(&r, 1);
    assert_int_equal(g.col, 4);
    assert_int_equal(g.n, 2);
    /* "ab,é": é is at 4 and one character long, so the next field would start at 6, then 7 */
    g = csv_table_field(&r, 2);
    assert_int_equal(g.col, 6);
    assert_int_equal(g.n, 0);
    assert_int_equal(csv_table_field(&r, 3).col, 7);
}

/* Quoting in messages: at most 40 bytes, never half a UTF-8 character, "..." when cut. */
static void test_shown(void **state)
{
    char out[CSV_SHOWN_LEN], in[64];

    (void)state;
    assert_string_equal(csv_shown("abc", 3, out, sizeof out), "abc");
    memset(in, 'a', 45);
    assert_int_equal(csv_shown_len(in, 45), 40);
    csv_shown(in, 45, out, sizeof out);
    assert_int_equal(strlen(out), 43);
    assert_string_equal(out + 40, "...");
    /* 39 a's then é (bytes 39 and 40): byte 40 is a continuation, so the cut is at 39 */
    memcpy(in + 39, "\xc3\xa9zz", 4);
    assert_int_equal(csv_shown_len(in, 43), 39);
    assert_true(csv_blank(" \t ", 3));
    assert_true(csv_blank("", 0));
    assert_false(csv_blank(" x", 2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ids),
        cmocka_unit_test(test_finish),
        cmocka_unit_test(test_field_past_end),
        cmocka_unit_test(test_shown),
    };

    return cmocka_run_group_tests_name("csvtable", tests, NULL, NULL);
}
