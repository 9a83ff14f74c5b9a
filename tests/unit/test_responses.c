/*
 * test_responses.c — src/core/responses.c: the response file of `ctoframe exam analyze`:
 * what it reads, and each refusal with its line and column, with nothing returned.
 */
#include "testutil.h"

#include "core/responses.h"

#define M RESP_MISSING

/* The problem i of problems as "LINE:COL: message". */
static const char *problem_at(const json_t *problems, size_t i)
{
    static char s[512];
    const json_t *pb = json_array_get(problems, i);

    if (pb == NULL)
        fail_msg("no problem %zu (of %zu)", i, json_array_size(problems));
    snprintf(s, sizeof s, "%lld:%lld: %s",
             (long long)json_integer_value(json_object_get(pb, "line")),
             (long long)json_integer_value(json_object_get(pb, "column")),
             json_string_value(json_object_get(pb, "message")));
    return s;
}

/* Asserts problem i starts with "LINE:COL: " and holds words. */
static void assert_problem(const json_t *problems, size_t i, const char *at, const char *words)
{
    const char *s = problem_at(problems, i);

    if (strncmp(s, at, strlen(at)) != 0 || strstr(s, words) == NULL)
        fail_msg("problem %zu is \"%s\", want %s ... %s", i, s, at, words);
}

/* Asserts r is empty, as it must be after a refusal. */
static void assert_empty(const struct responses *r)
{
    assert_int_equal(r->persons, 0);
    assert_int_equal(r->items, 0);
    assert_null(r->person_id);
    assert_null(r->item_id);
    assert_null(r->x);
}

/*
 * Parses text, expecting want problems (> 0): returns them (the caller frees), with r
 * checked empty.
 */
static json_t *refused(const char *text, size_t n, int want)
{
    struct responses r;
    json_t *problems = NULL;
    int got = responses_parse(text, n, &r, &problems);

    if (got != want)
        fail_msg("%d problems, want %d; the first: %s", got, want,
                 json_array_size(problems) > 0 ? problem_at(problems, 0) : "(none)");
    assert_int_equal(json_array_size(problems), (size_t)want);
    assert_empty(&r);
    return problems;
}

static void test_reads(void **state)
{
    static const char file[] = "\xEF\xBB\xBF"
                               "candidate,Q1,Q2,\"Q,3\"\r\n"
                               "c-001,1,0,1\r\n"
                               "\r\n"
                               "c-002, 0 ,,1\r\n"
                               "\"c,003\",,,\r\n";
    static const signed char want[] = {1, 0, 1, 0, M, 1, M, M, M};
    struct responses r;
    json_t *problems = NULL;

    (void)state;
    assert_int_equal(responses_parse(file, sizeof file - 1, &r, &problems), 0);
    assert_null(problems);
    assert_int_equal(r.persons, 3);
    assert_int_equal(r.items, 3);
    assert_string_equal(r.item_id[0], "Q1");
    assert_string_equal(r.item_id[2], "Q,3");
    assert_string_equal(r.person_id[0], "c-001");
    assert_string_equal(r.person_id[2], "c,003");
    assert_memory_equal(r.x, want, sizeof want);
    responses_free(&r);
    assert_empty(&r);
    responses_free(&r);

    /* problems may be NULL. */
    assert_int_equal(responses_parse(file, sizeof file - 1, &r, NULL), 0);
    responses_free(&r);
}

/* Every bad cell and id in one file, each with its line and column, in file order. */
static void test_refusals(void **state)
{
    static const char cells[] = "id,a,b,c\n"    /* line 1 */
                                "p1,1,2,0\n"    /* 2: "2" at column 6 */
                                "p2,yes,0,\n"   /* 3: "yes" at column 4 */
                                "p1,1,1,1\n"    /* 4: p1 again */
                                ",0,0,0\n"      /* 5: no id */
                                "p3,-1,1,0.5\n" /* 6: "-1" at 4, "0.5" at 9 */
                                "p4,01,1,1\n";  /* 7: "01" at 4 */
    static const char header[] = "id,a,,a,b\np1,1,1,1,1\n";
    static const char ragged[] = "id,a,b\np1,1\np2,1,x\np3,1,0,1\n";
    json_t *pb;

    (void)state;
    pb = refused(cells, sizeof cells - 1, 7);
    assert_problem(pb, 0, "2:6: ", "The cell \"2\" is not 0, 1 or empty.");
    assert_problem(pb, 1, "3:4: ", "The cell \"yes\" is not 0, 1 or empty.");
    assert_problem(pb, 2, "4:1: ", "The person \"p1\" already has a row on line 2.");
    assert_problem(pb, 3, "5:1: ", "The person id is empty.");
    assert_problem(pb, 4, "6:4: ", "\"-1\" is not 0, 1 or empty");
    assert_problem(pb, 5, "6:9: ", "\"0.5\" is not 0, 1 or empty");
    assert_problem(pb, 6, "7:4: ", "\"01\" is not 0, 1 or empty");
    json_decref(pb);

    pb = refused(header, sizeof header - 1, 2);
    assert_problem(pb, 0, "1:6: ", "The item id of column 3 is empty.");
    assert_problem(pb, 1, "1:7: ", "The item \"a\" already heads column 2.");
    json_decref(pb);

    /* The reader's problems and the cells', in file order (line 2 is not read further). */
    pb = refused(ragged, sizeof ragged - 1, 3);
    assert_problem(pb, 0, "2:5: ", "This row has 2 fields; the header has 3.");
    assert_problem(pb, 1, "3:6: ", "The cell \"x\" is not 0, 1 or empty.");
    assert_problem(pb, 2, "4:8: ", "more fields than the header");
    json_decref(pb);
}

static void test_no_persons_no_items(void **state)
{
    json_t *pb;

    (void)state;
    pb = refused("id,a,b\n", 7, 1);
    assert_problem(pb, 0, "1:1: ", "The file has no person");
    json_decref(pb);
    pb = refused("id\np1\np2\n", 9, 1);
    assert_problem(pb, 0, "1:1: ", "The file has no item column.");
    json_decref(pb);
    pb = refused("", 0, 1);
    assert_problem(pb, 0, "1:1: ", "The file is empty.");
    json_decref(pb);
    pb = refused("\n\n", 2, 1);
    assert_problem(pb, 0, "1:1: ", "The file is empty.");
    json_decref(pb);
    pb = refused("id,a\np1,\xff\n", 9, 1);
    assert_problem(pb, 0, "2:4: ", "not UTF-8");
    json_decref(pb);
}

/* The limits: items, problems, bytes. */
static void test_limits(void **state)
{
    size_t cap = 8 * (RESP_MAX_ITEMS + 2) + 64;
    char *text = malloc(cap);
    size_t n = 0;
    json_t *pb;

    (void)state;
    assert_non_null(text);

    /* RESP_MAX_ITEMS item columns read; one more is refused where the field starts. */
    n = (size_t)snprintf(text, cap, "id");
    for (int j = 0; j < RESP_MAX_ITEMS; j++)
        n += (size_t)snprintf(text + n, cap - n, ",i%d", j);
    n += (size_t)snprintf(text + n, cap - n, "\np1");
    for (int j = 0; j < RESP_MAX_ITEMS; j++)
        n += (size_t)snprintf(text + n, cap - n, ",%d", j % 2);
    n += (size_t)snprintf(text + n, cap - n, "\n");
    {
        struct responses r;

        assert_int_equal(responses_parse(text, n, &r, NULL), 0);
        assert_int_equal(r.items, RESP_MAX_ITEMS);
        assert_int_equal(r.x[RESP_MAX_ITEMS - 1], 1);
        responses_free(&r);
    }
    n = (size_t)snprintf(text, cap, "id");
    for (int j = 0; j <= RESP_MAX_ITEMS; j++)
        n += (size_t)snprintf(text + n, cap - n, ",i%d", j);
    n += (size_t)snprintf(text + n, cap - n, "\n");
    pb = refused(text, n, 1);
    assert_problem(pb, 0, "1:", "more than 1001 fields");
    json_decref(pb);

    /* 150 bad cells: the first RESP_MAX_PROBLEMS - 1, then one saying there are more. */
    n = (size_t)snprintf(text, cap, "id,a\n");
    for (int i = 0; i < 150; i++)
        n += (size_t)snprintf(text + n, cap - n, "p%d,2\n", i);
    pb = refused(text, n, RESP_MAX_PROBLEMS);
    assert_problem(pb, 0, "2:4: ", "\"2\"");
    assert_problem(pb, RESP_MAX_PROBLEMS - 2, "100:5: ", "\"2\""); /* p98,2 */
    assert_problem(pb, RESP_MAX_PROBLEMS - 1, "", "There are more problems");
    json_decref(pb);

    /* 60 ragged rows (the reader's) between 60 bad cells: merged in file order, then cut. */
    n = (size_t)snprintf(text, cap, "id,a,b\n");
    for (int i = 0; i < 120; i++)
        n += (size_t)snprintf(text + n, cap - n, i % 2 == 0 ? "p%03d,1\n" : "p%03d,2,0\n", i);
    pb = refused(text, n, RESP_MAX_PROBLEMS);
    assert_problem(pb, 0, "2:7: ", "This row has 2 fields");
    assert_problem(pb, 1, "3:6: ", "The cell \"2\"");
    assert_problem(pb, 2, "4:7: ", "This row has 2 fields");
    assert_problem(pb, RESP_MAX_PROBLEMS - 2, "100:7: ", "This row has 2 fields"); /* p098 */
    assert_problem(pb, RESP_MAX_PROBLEMS - 1, "100:1: ", "only the first 99 are shown");
    json_decref(pb);

    /*
     * A size above RESP_MAX_BYTES is refused before a byte is read (so the few bytes given
     * here are enough to show it).
     */
    pb = refused(text, (size_t)RESP_MAX_BYTES + 1, 1);
    assert_problem(pb, 0, "1:1: ", "larger than 256 MB");
    json_decref(pb);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_no_persons_no_items),
        cmocka_unit_test(test_limits),
    };

    return cmocka_run_group_tests_name("responses", tests, NULL, NULL);
}
