/*
 * test_bankjson.c — src/core/bankjson.c: the bank file "ctoframe-bank/1" (docs/exam.md). A
 * good file with a scenario set is read with every field as written here (white space of
 * prompts, choices and rationales squeezed as QTI reads text); each refusal is named at its
 * JSON path; JSON that does not read is named at its line and column (counted by hand
 * beside the document); every problem of a file is listed, not just the first.
 */
#include "testutil.h"

#include "core/bankjson.h"

/* A good file: one stimulus shared by two items, and an item on its own. */
static const char GOOD[] =
    "{\"format\": \"ctoframe-bank/1\",\n"
    " \"notice\": \"Practice items written for the tests; not the real exam.\",\n"
    " \"stimuli\": [{\"identifier\": \"case-1\", \"title\": \"A district\",\n"
    "               \"text\": \"Twelve schools.\\nAn old network.\"}],\n"
    " \"items\": [\n"
    "  {\"identifier\": \"s-1\", \"title\": \"First step\", \"interaction\": \"single\",\n"
    "   \"skills\": [\"II.B\", \"I.A\"], \"cognitive\": \"analysis\", \"stimulus\": \"case-1\",\n"
    "   \"prompt\": \"  What comes\\n first? \",\n"
    "   \"choices\": [{\"id\": \"A\", \"text\": \"Plan\", \"rationale\": \"Right:  plan "
    "first.\"},\n"
    "               {\"id\": \"B\", \"text\": \"Buy\", \"rationale\": \"Wrong: it buys "
    "blind.\"}],\n"
    "   \"correct\": [\"A\"], \"references\": [\"CoSN Framework (2018)\"], \"author\": \"A. "
    "Writer\"},\n"
    "  {\"identifier\": \"s-2\", \"title\": \"Second step\", \"interaction\": \"multiple\",\n"
    "   \"skills\": [\"III.D\"], \"cognitive\": \"recall\", \"stimulus\": \"case-1\",\n"
    "   \"prompt\": \"Which two?\",\n"
    "   \"choices\": [{\"id\": \"A\", \"text\": \"x\", \"rationale\": \"r1\"},\n"
    "               {\"id\": \"B\", \"text\": \"y\", \"rationale\": \"r2\"},\n"
    "               {\"id\": \"C\", \"text\": \"z\", \"rationale\": \"r3\"}],\n"
    "   \"correct\": [\"A\", \"C\"], \"references\": [], \"author\": \"B. Writer\"},\n"
    "  {\"identifier\": \"lone\", \"title\": \"Alone\", \"interaction\": \"single\",\n"
    "   \"skills\": [\"I.C\"], \"cognitive\": \"application\", \"prompt\": \"Why?\",\n"
    "   \"choices\": [{\"id\": \"A\", \"text\": \"a\", \"rationale\": \"ra\"},\n"
    "               {\"id\": \"B\", \"text\": \"b\", \"rationale\": \"rb\"}],\n"
    "   \"correct\": [\"B\"], \"references\": [\"One\", \"Two\"], \"author\": \"C\"}\n"
    " ]}\n";

/* The value at a small path such as "items[0].choices[1].rationale" (tests only). */
static json_t *json_path_get_or_null(const json_t *doc, const char *path)
{
    const json_t *v = doc;
    char key[64];

    while (*path != '\0' && v != NULL) {
        size_t n = strcspn(path, ".[");

        if (n > 0) {
            snprintf(key, sizeof key, "%.*s", (int)n, path);
            v = json_object_get(v, key);
            path += n;
        } else if (*path == '[') {
            char *end;
            long i = strtol(path + 1, &end, 10);

            v = json_array_get(v, (size_t)i);
            path = end + 1;
        } else {
            path++;
        }
    }
    return (json_t *)v;
}

static const char *str_at(const json_t *doc, const char *path)
{
    json_t *v = json_path_get_or_null(doc, path);

    return json_string_value(v);
}

static void test_good(void **state)
{
    json_t *doc = NULL, *problems = NULL;

    (void)state;
    assert_int_equal(bankjson_read(GOOD, strlen(GOOD), &doc, &problems), 0);
    assert_non_null(doc);
    assert_int_equal(json_array_size(problems), 0);
    assert_int_equal(json_array_size(json_object_get(doc, "items")), 3);
    assert_string_equal(str_at(doc, "stimuli[0].identifier"), "case-1");
    /* A stimulus keeps its line breaks. */
    assert_string_equal(str_at(doc, "stimuli[0].text"), "Twelve schools.\nAn old network.");
    assert_string_equal(str_at(doc, "items[0].identifier"), "s-1");
    assert_string_equal(str_at(doc, "items[0].stimulus"), "case-1");
    assert_string_equal(str_at(doc, "items[0].skills[0]"), "II.B");
    assert_string_equal(str_at(doc, "items[0].skills[1]"), "I.A");
    /* "  What comes\n first? " squeezed: runs of white space one space, trimmed. */
    assert_string_equal(str_at(doc, "items[0].prompt"), "What comes first?");
    assert_string_equal(str_at(doc, "items[0].choices[0].rationale"), "Right: plan first.");
    assert_string_equal(str_at(doc, "items[0].references[0]"), "CoSN Framework (2018)");
    assert_string_equal(str_at(doc, "items[0].author"), "A. Writer");
    assert_string_equal(str_at(doc, "items[1].correct[1]"), "C");
    assert_null(json_object_get(json_array_get(json_object_get(doc, "items"), 2), "stimulus"));
    json_decref(doc);
    json_decref(problems);

    /* What was read, written again, reads the same (nothing left to squeeze). */
    {
        json_t *again = NULL;
        char *text;

        assert_int_equal(bankjson_read(GOOD, strlen(GOOD), &doc, NULL), 0);
        text = json_dumps(doc, 0);
        assert_int_equal(bankjson_read(text, strlen(text), &again, NULL), 0);
        assert_true(json_equal(doc, again));
        free(text);
        json_decref(again);
        json_decref(doc);
    }

    /* stimuli may be left out: an empty list. */
    {
        static const char NOSTIM[] =
            "{\"format\":\"ctoframe-bank/1\",\"notice\":\"n\",\"items\":[{\"identifier\":\"a\","
            "\"title\":\"t\",\"interaction\":\"single\",\"skills\":[\"I.A\"],\"cognitive\":"
            "\"recall\",\"prompt\":\"p\",\"choices\":[{\"id\":\"A\",\"text\":\"a\",\"rationale\":"
            "\"r\"},{\"id\":\"B\",\"text\":\"b\",\"rationale\":\"r\"}],\"correct\":[\"A\"],"
            "\"references\":[],\"author\":\"x\"}]}";

        assert_int_equal(bankjson_read(NOSTIM, strlen(NOSTIM), &doc, NULL), 0);
        assert_true(json_is_array(json_object_get(doc, "stimuli")));
        assert_int_equal(json_array_size(json_object_get(doc, "stimuli")), 0);
        json_decref(doc);
    }
}

/*
 * GOOD with the first occurrence of from replaced by to; reads it and asserts exactly one
 * problem, at path, whose message holds words.
 */
static void refused_at(const char *from, const char *to, const char *path, const char *words)
{
    char text[sizeof GOOD + 256];
    const char *at = strstr(GOOD, from);
    json_t *doc = (json_t *)1, *problems = NULL;
    int n;

    if (at == NULL)
        fail_msg("\"%s\" is not in the good file", from);
    snprintf(text, sizeof text, "%.*s%s%s", (int)(at - GOOD), GOOD, to, at + strlen(from));
    n = bankjson_read(text, strlen(text), &doc, &problems);
    if (n != 1) {
        char *dump = json_dumps(problems, 0);

        fail_msg("%s -> %s: %d problems, not 1: %s", from, to, n, dump);
    }
    assert_null(doc);
    assert_string_equal(json_string_value(json_object_get(json_array_get(problems, 0), "path")),
                        path);
    if (strstr(json_string_value(json_object_get(json_array_get(problems, 0), "message")), words) ==
        NULL)
        fail_msg("%s: the message \"%s\" does not say \"%s\"", path,
                 json_string_value(json_object_get(json_array_get(problems, 0), "message")), words);
    json_decref(problems);
}

static void test_refusals(void **state)
{
    (void)state;
    refused_at("ctoframe-bank/1", "ctoframe-bank/2", "$.format", "ctoframe-bank/1");
    refused_at("\"notice\": \"Practice", "\"notes\": 1, \"notice\": \"Practice", "$.notes",
               "not a known key");
    /* The brief's own example of a place: a rationale missing from items[?].choices[?]. */
    refused_at(", \"rationale\": \"r3\"", "", "$.items[1].choices[2].rationale", "is missing");
    refused_at("\"rationale\": \"Wrong: it buys blind.\"", "\"rationale\": \"   \"",
               "$.items[0].choices[1].rationale", "1 to");
    refused_at("[\"III.D\"]", "[\"IV.A\"]", "$.items[1].skills[0]", "not a skill code");
    refused_at("[\"III.D\"]", "[\"III.D\", \"III.D\"]", "$.items[1].skills[1]", "second time");
    refused_at("[\"III.D\"]", "[]", "$.items[1].skills", "at least one");
    refused_at("\"cognitive\": \"recall\"", "\"cognitive\": \"memory\"", "$.items[1].cognitive",
               "recall, application or analysis");
    refused_at("\"interaction\": \"multiple\"", "\"interaction\": \"many\"",
               "$.items[1].interaction", "single");
    refused_at("\"stimulus\": \"case-1\",\n   \"prompt\": \"Which",
               "\"stimulus\": \"case-9\",\n   \"prompt\": \"Which", "$.items[1].stimulus",
               "\"case-9\" is not the identifier");
    refused_at("\"correct\": [\"A\"]", "\"correct\": [\"A\", \"B\"]", "$.items[0].correct",
               "exactly one");
    refused_at("\"correct\": [\"A\", \"C\"]", "\"correct\": [\"A\", \"D\"]",
               "$.items[1].correct[1]", "\"D\" is not the id");
    refused_at("\"correct\": [\"A\", \"C\"]", "\"correct\": [\"A\", \"A\"]",
               "$.items[1].correct[1]", "second time");
    refused_at("{\"id\": \"B\", \"text\": \"y\"", "{\"id\": \"A\", \"text\": \"y\"",
               "$.items[1].choices[1].id", "also the id of choices[0]");
    refused_at("\"identifier\": \"lone\"", "\"identifier\": \"s-1\"", "$.items[2].identifier",
               "also the identifier of items[0]");
    refused_at("\"identifier\": \"lone\"", "\"identifier\": \"two words\"", "$.items[2].identifier",
               "without white space");
    refused_at("\"author\": \"C\"", "\"author\": 7", "$.items[2].author", "not a text");
    refused_at(", \"author\": \"C\"", "", "$.items[2].author", "is missing");
    refused_at("\"references\": [\"One\", \"Two\"]", "\"references\": [\"One\", 2]",
               "$.items[2].references[1]", "text");
    refused_at("\"references\": [\"One\", \"Two\"]", "\"references\": \"One\"",
               "$.items[2].references", "not a list");
    refused_at("{\"id\": \"A\", \"text\": \"a\", \"rationale\": \"ra\"},\n", "",
               "$.items[2].choices", "2 to");
    refused_at("\"text\": \"x\"", "\"text\": \"x\", \"hint\": \"h\"", "$.items[1].choices[0].hint",
               "not a known key");
    refused_at("\"title\": \"A district\"", "\"title\": \"A\\u0007district\"", "$.stimuli[0].title",
               "control characters");
}

/* Every problem of a file is listed, in document order. */
static void test_all_problems(void **state)
{
    static const char BAD[] =
        "{\"format\":\"ctoframe-bank/1\",\"notice\":\"n\",\"stimuli\":[],\"items\":["
        "{\"identifier\":\"a\",\"title\":\"t\",\"interaction\":\"single\",\"skills\":[\"I.Z\"],"
        "\"cognitive\":\"recall\",\"stimulus\":\"nowhere\",\"prompt\":\"p\",\"choices\":[{\"id\":"
        "\"A\",\"text\":\"a\"},{\"id\":\"B\",\"text\":\"b\",\"rationale\":\"r\"}],\"correct\":"
        "[\"A\"],\"references\":[],\"author\":\"x\"}]}";
    static const char *const paths[] = {"$.items[0].skills[0]", "$.items[0].stimulus",
                                        "$.items[0].choices[0].rationale"};
    json_t *doc = NULL, *problems = NULL;

    (void)state;
    assert_int_equal(bankjson_read(BAD, strlen(BAD), &doc, &problems), 3);
    assert_null(doc);
    assert_int_equal(json_array_size(problems), 3);
    for (size_t i = 0; i < 3; i++)
        assert_string_equal(json_string_value(json_object_get(json_array_get(problems, i), "path")),
                            paths[i]);
    json_decref(problems);
}

/* JSON that does not read: one problem at "$" with jansson's line and column. */
static void test_bad_json(void **state)
{
    /*
     * Line 1: {"format": "ctoframe-bank/1",
     * Line 2:  "items": [1,}
     * The '}' that cannot follow "1," is line 2, column 14 (a space, then "items": [1, is
     * 13 characters).
     */
    static const char BROKEN[] = "{\"format\": \"ctoframe-bank/1\",\n \"items\": [1,}";
    json_t *doc = NULL, *problems = NULL, *p;

    (void)state;
    assert_int_equal(bankjson_read(BROKEN, strlen(BROKEN), &doc, &problems), 1);
    assert_null(doc);
    p = json_array_get(problems, 0);
    assert_string_equal(json_string_value(json_object_get(p, "path")), "$");
    assert_int_equal(json_integer_value(json_object_get(p, "line")), 2);
    assert_int_equal(json_integer_value(json_object_get(p, "column")), 14);
    assert_non_null(strstr(json_string_value(json_object_get(p, "message")), "line 2, column 14"));
    json_decref(problems);

    /* A duplicate key is refused as bad JSON too (a value silently lost otherwise). */
    assert_int_equal(bankjson_read("{\"format\":1,\"format\":2}", 23, &doc, &problems), 1);
    assert_non_null(strstr(
        json_string_value(json_object_get(json_array_get(problems, 0), "message")), "duplicate"));
    json_decref(problems);

    /* Not an object; no items. */
    assert_int_equal(bankjson_read("[]", 2, &doc, NULL), 1);
    {
        static const char EMPTY[] =
            "{\"format\":\"ctoframe-bank/1\",\"notice\":\"n\",\"items\":[]}";

        assert_int_equal(bankjson_read(EMPTY, strlen(EMPTY), &doc, &problems), 1);
    }
    assert_string_equal(json_string_value(json_object_get(json_array_get(problems, 0), "path")),
                        "$.items");
    json_decref(problems);
}

/* At most BANKJSON_MAX_PROBLEMS listed; the last says how many more there are. */
static void test_problem_cap(void **state)
{
    char *text;
    size_t cap = 64 * 1024, off;
    json_t *doc = NULL, *problems = NULL;
    int n;

    (void)state;
    text = malloc(cap);
    assert_non_null(text);
    off =
        (size_t)snprintf(text, cap, "{\"format\":\"ctoframe-bank/1\",\"notice\":\"n\",\"items\":[");
    /* 150 items that are not objects: 150 problems. */
    for (int i = 0; i < 150; i++)
        off += (size_t)snprintf(text + off, cap - off, "%s1", i > 0 ? "," : "");
    snprintf(text + off, cap - off, "]}");
    n = bankjson_read(text, strlen(text), &doc, &problems);
    assert_int_equal(n, 150);
    assert_int_equal(json_array_size(problems), BANKJSON_MAX_PROBLEMS);
    /* 99 listed, then "and 51 more" (150 - 99). */
    assert_non_null(strstr(json_string_value(json_object_get(
                               json_array_get(problems, BANKJSON_MAX_PROBLEMS - 1), "message")),
                           "and 51 more"));
    json_decref(problems);
    free(text);
}

static void test_text_ok(void **state)
{
    (void)state;
    assert_true(bankjson_text_ok("a", 1, 0));
    assert_false(bankjson_text_ok("ab", 1, 0));
    assert_false(bankjson_text_ok("", 10, 0));
    assert_false(bankjson_text_ok(NULL, 10, 0));
    assert_false(bankjson_text_ok("a\nb", 10, 0));
    assert_true(bankjson_text_ok("a\nb", 10, 1));
    assert_false(bankjson_text_ok("a\x01", 10, 1));
    assert_false(bankjson_text_ok("a\xEF\xBF\xBF", 10, 1)); /* U+FFFF */
    assert_true(bankjson_text_ok("caf\xC3\xA9", 10, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good),         cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_all_problems), cmocka_unit_test(test_bad_json),
        cmocka_unit_test(test_problem_cap),  cmocka_unit_test(test_text_ok),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
