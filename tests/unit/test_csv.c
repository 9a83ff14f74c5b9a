/*
 * test_csv.c — src/lib/csv.c: the RFC 4180 reader. Table tests of what it
 * reads and of every problem it reports, each with its line and column.
 */
#include "testutil.h"

#include "lib/csv.h"
#include "lib/err.h"

/* Rows of a parse as [[fields...], ...] and their lines as [n, ...]. */
static void split_rows(const json_t *out, json_t **fields, json_t **lines)
{
    const json_t *rows = json_object_get(out, "rows");
    size_t i;
    json_t *row;

    *fields = json_array();
    *lines = json_array();
    json_array_foreach(rows, i, row)
    {
        json_array_append(*fields, json_object_get(row, "fields"));
        json_array_append(*lines, json_object_get(row, "line"));
    }
}

struct good {
    const char *name, *in;
    size_t n; /* 0: strlen(in) */
    const char *header, *rows, *lines;
};

static const struct good goods[] = {
    {"plain, LF", "a,b\n1,2\n3,4\n", 0, "[\"a\",\"b\"]", "[[\"1\",\"2\"],[\"3\",\"4\"]]", "[2,3]"},
    {"CRLF and no final line break", "a,b\r\n1,2\r\n3,4", 0, "[\"a\",\"b\"]",
     "[[\"1\",\"2\"],[\"3\",\"4\"]]", "[2,3]"},
    {"lone CR ends a record", "a,b\r1,2\r", 0, "[\"a\",\"b\"]", "[[\"1\",\"2\"]]", "[2]"},
    {"quoted: comma, doubled quote, line breaks",
     "a,b\n\"x,y\",\"say \"\"hi\"\"\"\n\"l1\nl2\r\nl3\",z\n4,5\n", 0, "[\"a\",\"b\"]",
     "[[\"x,y\",\"say \\\"hi\\\"\"],[\"l1\\nl2\\r\\nl3\",\"z\"],[\"4\",\"5\"]]", "[2,3,6]"},
    {"empty fields and an empty quoted field", "a,b,c\n,,\n\"\",x,\n", 0, "[\"a\",\"b\",\"c\"]",
     "[[\"\",\"\",\"\"],[\"\",\"x\",\"\"]]", "[2,3]"},
    {"BOM skipped", "\xEF\xBB\xBFid,name\n1,Ann\n", 0, "[\"id\",\"name\"]", "[[\"1\",\"Ann\"]]",
     "[2]"},
    {"empty lines skipped, line numbers kept", "a\n\n1\r\n\r\n2\n\n", 0, "[\"a\"]",
     "[[\"1\"],[\"2\"]]", "[3,5]"},
    {"UTF-8 text", "name\nZo\xC3\xAB \xE2\x82\xAC\n", 0, "[\"name\"]",
     "[[\"Zo\xC3\xAB \xE2\x82\xAC\"]]", "[2]"},
    {"header only", "a,b\n", 0, "[\"a\",\"b\"]", "[]", "[]"},
    {"spaces kept", "a, b\n 1 ,2 \n", 0, "[\"a\",\" b\"]", "[[\" 1 \",\"2 \"]]", "[2]"},
};

static void test_csv_reads(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof goods / sizeof goods[0]; i++) {
        const struct good *g = &goods[i];
        json_t *out = NULL, *problems = NULL, *fields, *lines;
        json_t *eh = json_loads(g->header, 0, NULL), *er = json_loads(g->rows, 0, NULL),
               *el = json_loads(g->lines, 0, NULL);
        int rc = csv_parse(g->in, g->n > 0 ? g->n : strlen(g->in), NULL, &out, &problems);

        if (rc != CF_OK) {
            char *d = tu_dump(problems);

            fail_msg("%s: rc %d, problems %s", g->name, rc, d);
        }
        assert_int_equal(json_array_size(problems), 0);
        split_rows(out, &fields, &lines);
        tu_assert_json_equal(eh, json_object_get(out, "header"), g->name);
        tu_assert_json_equal(er, fields, g->name);
        tu_assert_json_equal(el, lines, g->name);
        json_decref(fields);
        json_decref(lines);
        json_decref(eh);
        json_decref(er);
        json_decref(el);
        json_decref(out);
        json_decref(problems);
    }
}

struct bad {
    const char *name, *in;
    size_t n;
    const char *where; /* every problem's line:column */
    const char *says;  /* in the first problem's message */
};

static const struct bad bads[] = {
    {"unterminated quote: at the opening quote", "a,b\n1,\"two\n3,4\n", 0, "2:3",
     "no closing quote"},
    {"stray quote in an unquoted field", "a,b\n1,tw\"o\n", 0, "2:5", "inside a field"},
    {"text after the closing quote", "a,b\n\"x\"y,2\n", 0, "2:4", "after the closing quote"},
    {"too many fields: at the first extra one", "a,b\n1,2,3\n", 0, "2:5",
     "more fields than the header (2)"},
    {"too few fields: at the end of the row", "a,b,c\n1,2\n", 0, "2:4",
     "2 fields; the header has 3"},
    {"one field", "a,b\nx\n", 0, "2:2", "1 field;"},
    {"columns count characters, not bytes", "a,b\n\xC3\xA9\xC3\xA9,x\"\n", 0, "2:5",
     "inside a field"},
    {"lines counted inside quoted fields", "a,b\n\"1\n\n\",2\nx\"y,3\n", 0, "5:2",
     "inside a field"},
    {"every problem, in order", "a,b\n1\n2,3,4\n\"5,6\n", 0, "2:2 3:5 4:1",
     "1 field; the header has 2"},
    {"not UTF-8", "a\n\xFF\xFE\n", 0, "2:1", "not UTF-8"},
    {"NUL byte", "a,b\n1,x\0y\n", 10, "2:3", "NUL byte"},
    {"empty file", "", 0, "1:1", "empty"},
    {"only empty lines", "\r\n\n", 0, "1:1", "empty"},
};

static void test_csv_problems(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
        const struct bad *b = &bads[i];
        json_t *out = NULL, *problems = NULL;
        int rc = csv_parse(b->in, b->n > 0 ? b->n : strlen(b->in), NULL, &out, &problems);
        const char *msg;

        if (rc != CF_EINVAL)
            fail_msg("%s: rc %d, expected CF_EINVAL", b->name, rc);
        assert_non_null(out);
        if (strcmp(tu_places(problems), b->where) != 0)
            fail_msg("%s: problems at \"%s\", expected \"%s\"", b->name, tu_places(problems),
                     b->where);
        msg = json_string_value(json_object_get(json_array_get(problems, 0), "message"));
        if (msg == NULL || strstr(msg, b->says) == NULL)
            fail_msg("%s: message \"%s\" does not say \"%s\"", b->name, msg ? msg : "(none)",
                     b->says);
        json_decref(out);
        json_decref(problems);
    }
}

/* A row with a problem is still read as far as it goes: the importer can show it. */
static void test_csv_keeps_rows_with_problems(void **state)
{
    json_t *out = NULL, *problems = NULL;
    json_t *exp = json_loads("[{\"line\":2,\"fields\":[\"1\",\"tw\\\"o\"]},"
                             "{\"line\":3,\"fields\":[\"3\",\"4\"]}]",
                             0, NULL);

    (void)state;
    assert_int_equal(csv_parse("a,b\n1,tw\"o\n3,4\n", 15, NULL, &out, &problems), CF_EINVAL);
    tu_assert_json_equal(exp, json_object_get(out, "rows"), "rows");
    json_decref(exp);
    json_decref(out);
    json_decref(problems);
}

static void test_csv_limits(void **state)
{
    struct csv_limits lim = {8, 3, 2, 100};
    json_t *out = NULL, *problems = NULL;

    (void)state;
    /* A field of 9 bytes: reported at its start, kept up to the cap. */
    assert_int_equal(csv_parse("a,b\n1,\"123456789\"\n", 18, &lim, &out, &problems), CF_EINVAL);
    assert_string_equal(tu_places(problems), "2:3");
    tu_assert_contains(json_string_value(json_object_get(json_array_get(problems, 0), "message")),
                       "longer than 8 bytes");
    assert_string_equal(
        json_string_value(json_array_get(
            json_object_get(json_array_get(json_object_get(out, "rows"), 0), "fields"), 1)),
        "12345678");
    json_decref(out);
    json_decref(problems);

    /* Four fields in the header: more than 3. */
    assert_int_equal(csv_parse("a,b,c,d\n", 8, &lim, &out, &problems), CF_EINVAL);
    assert_string_equal(tu_places(problems), "1:7");
    tu_assert_contains(json_string_value(json_object_get(json_array_get(problems, 0), "message")),
                       "more than 3 fields");
    assert_int_equal(json_array_size(json_object_get(out, "header")), 3);
    json_decref(out);
    json_decref(problems);

    /* A third row: more than 2. */
    assert_int_equal(csv_parse("a\n1\n2\n3\n", 8, &lim, &out, &problems), CF_EINVAL);
    assert_string_equal(tu_places(problems), "4:1");
    tu_assert_contains(json_string_value(json_object_get(json_array_get(problems, 0), "message")),
                       "more than 2 rows");
    assert_int_equal(json_array_size(json_object_get(out, "rows")), 2);
    json_decref(out);
    json_decref(problems);
}

/* After max_problems the reader stops, and its last problem says so. */
static void test_csv_problem_cap(void **state)
{
    struct csv_limits lim = {100, 10, 1000, 4};
    json_t *out = NULL, *problems = NULL;
    const char *last;

    (void)state;
    assert_int_equal(csv_parse("a,b\n1\n2\n3\n4\n5\n6\n", 16, &lim, &out, &problems), CF_EINVAL);
    assert_int_equal(json_array_size(problems), 4);
    assert_string_equal(tu_places(problems), "2:2 3:2 4:2 5:2");
    last = json_string_value(json_object_get(json_array_get(problems, 3), "message"));
    tu_assert_contains(last, "only the first 3 are shown");
    json_decref(out);
    json_decref(problems);
}

/* csv_column_of: characters (not bytes) from the line's start to a field, comma included. */
static void test_csv_column_of(void **state)
{
    json_t *out = NULL, *problems = NULL;
    const json_t *f;
    const char *text = "a,b,c,d\nE-1,\xc3\x85ngstr\xc3\xb6m,,x\n";

    (void)state;
    assert_int_equal(csv_parse(text, strlen(text), NULL, &out, &problems), CF_OK);
    f = json_object_get(json_array_get(json_object_get(out, "rows"), 0), "fields");
    assert_int_equal(csv_column_of(f, 0), 1);
    assert_int_equal(csv_column_of(f, 1), 5);
    assert_int_equal(csv_column_of(f, 2), 14); /* "Ångström" is 8 characters, 10 bytes */
    assert_int_equal(csv_column_of(f, 3), 15); /* after an empty field */
    assert_int_equal(csv_column_of(json_object_get(out, "header"), 3), 7);
    json_decref(out);
    json_decref(problems);
}

/* What the csv_read() tests see: each record's index, line, bad flag and fields as text. */
struct seen {
    char log[512];
    size_t k;
    size_t stop_at; /* the callback returns CF_ENOMEM at this record index (0: never) */
};

/* Logs a record as "index@line[!]:field|col;field|col ..." then a space. */
static int log_record(const struct csv_record *rec, void *arg)
{
    struct seen *s = arg;
    int w = snprintf(s->log + s->k, sizeof s->log - s->k, "%zu@%zu%s:", rec->index, rec->line,
                     rec->bad ? "!" : "");

    if (w > 0)
        s->k += (size_t)w;
    for (size_t i = 0; i < rec->nfields && s->k < sizeof s->log; i++) {
        w = snprintf(s->log + s->k, sizeof s->log - s->k, "%s%.*s|%ld", i > 0 ? ";" : "",
                     (int)rec->field[i].n, rec->field[i].p, rec->field[i].col);
        if (w > 0)
            s->k += (size_t)w;
    }
    if (s->k + 1 < sizeof s->log) {
        s->log[s->k++] = ' ';
        s->log[s->k] = '\0';
    }
    return s->stop_at > 0 && rec->index == s->stop_at ? CF_ENOMEM : CF_OK;
}

/*
 * csv_read() cases: what the callback sees of each record ("index@line[!]:field|col;..."
 * with ! when bad), the code returned and where the problems are.
 */
struct read_case {
    const char *name, *in;
    const struct csv_limits *lim; /* NULL: the defaults */
    size_t stop_at;
    int rc;
    const char *log, *places;
};

static const struct csv_limits read_lim = {8, 2, 2, 100};

static const struct read_case read_cases[] = {
    /*
     * Records in order with their index (0 the header) and first line; fields without
     * quotes, "" read as one quote; an empty line is no record. Columns as csv_column_of()
     * counts them: the second field of line 2 follows x,"y" (5 characters) and a comma, so
     * 1 + 5 + 1 = 7 (its text starts at character 13 of the line: quotes are not counted).
     * Line 4's "l1\nl2" holds a line break, so the record after it starts on line 6.
     */
    {"records", "a,b\n\"x,\"\"y\"\"\",\xc3\xa9\n\n1,\"l1\nl2\"\r\n3,4", NULL, 0, CF_OK,
     "0@1:a|1;b|3 1@2:x,\"y\"|1;\xc3\xa9|7 2@4:1|1;l1\nl2|3 3@6:3|1;4|3 ", ""},
    /*
     * A record with a problem is passed with bad set, the rest without; a field that is
     * not UTF-8 comes as "". Line 2 ends at column 2 one field short; \xff is at 3:3.
     */
    {"bad records", "a,b\n1\n2,\xff\n3,4\n", NULL, 0, CF_EINVAL,
     "0@1:a|1;b|3 1@2!:1|1 2@3!:2|1;|3 3@4:3|1;4|3 ", "2:2 3:3"},
    /* The callback's code stops the reading and is returned; no record after it. */
    {"stopped", "a\n1\n2\n3\n", NULL, 2, CF_ENOMEM, "0@1:a|1 1@2:1|1 2@3:2|1 ", ""},
    /*
     * max_fields 2, max_rows 2: line 3's third field is one more than the header's and than
     * the limit (two problems at 3:5, the field not passed); the row on line 4 is past the
     * limit: reported at 4:1, not passed.
     */
    {"limits", "a,b\n1,2\n3,4,5\n6,7\n", &read_lim, 0, CF_EINVAL,
     "0@1:a|1;b|3 1@2:1|1;2|3 2@3!:3|1;4|3 ", "3:5 3:5 4:1"},
};

static void test_csv_read(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof read_cases / sizeof read_cases[0]; i++) {
        const struct read_case *c = &read_cases[i];
        struct seen s = {{0}, 0, c->stop_at};
        json_t *problems = json_array();
        int rc = csv_read(c->in, strlen(c->in), c->lim, problems, log_record, &s);

        if (rc != c->rc)
            fail_msg("%s: rc %d, expected %d", c->name, rc, c->rc);
        if (strcmp(s.log, c->log) != 0)
            fail_msg("%s: records \"%s\", expected \"%s\"", c->name, s.log, c->log);
        if (strcmp(tu_places(problems), c->places) != 0)
            fail_msg("%s: problems at \"%s\", expected \"%s\"", c->name, tu_places(problems),
                     c->places);
        json_decref(problems);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_reads),
        cmocka_unit_test(test_csv_problems),
        cmocka_unit_test(test_csv_keeps_rows_with_problems),
        cmocka_unit_test(test_csv_limits),
        cmocka_unit_test(test_csv_problem_cap),
        cmocka_unit_test(test_csv_column_of),
        cmocka_unit_test(test_csv_read),
    };

    return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
