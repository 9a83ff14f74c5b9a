/*
 * test_case.c — src/core/case.c: parsing and validating CASE 1.0 CFPackages.
 *
 * Good input: OpenSALT's test frameworks (shared test data) and our own four
 * packages in data/frameworks. Bad input: a good package edited in code with
 * jansson, one defect at a time; each test asserts how many problems are
 * reported and the exact JSON path of each.
 */
#include "testutil.h"

#include <glob.h>

#include "core/case.h"

#define F2009  TU_F2009
#define F2019  TU_F2019
#define FXWALK TU_FXWALK
#define FISTE  TU_FISTE

/* Identifiers of the small package built in code (mini_pkg). */
#define ID_DOC       "11111111-1111-4111-8111-111111111111"
#define ID_LEAF      "22222222-2222-4222-8222-222222222222"
#define ID_PARENT    "33333333-3333-4333-8333-333333333333"
#define ID_A_LEAF    "44444444-4444-4444-8444-444444444444"
#define ID_A_PARENT  "55555555-5555-4555-8555-555555555555"
#define ID_RUBRIC    "66666666-6666-4666-8666-666666666666"
#define ID_CRIT      "77777777-7777-4777-8777-777777777777"
#define ID_LEVEL     "88888888-8888-4888-8888-888888888888"
#define ID_ELSEWHERE "99999999-9999-4999-8999-999999999999"
#define STAMP        "2024-01-31T12:00:00+00:00"

/* The four packages of data/frameworks, loaded once for the group. */
static struct tu_packages g_pkgs;
#define g_2009  (g_pkgs.p2009)
#define g_2019  (g_pkgs.p2019)
#define g_xwalk (g_pkgs.xwalk)
#define g_iste  (g_pkgs.iste)

/* What an exists-callback knows, and how often it was asked. */
struct known {
    json_t *ids; /* identifier -> true */
    int answer;  /* when ids is NULL: the answer to every question */
    int calls;
};

static int exists_cb(void *ctx, const char *id)
{
    struct known *k = ctx;

    k->calls++;
    if (k->ids == NULL)
        return k->answer;
    return json_object_get(k->ids, id) != NULL;
}

static void add_node_ids(json_t *ids, const json_t *pkg)
{
    size_t i;
    json_t *it;

    json_object_set_new(
        ids, json_string_value(json_object_get(json_object_get(pkg, "CFDocument"), "identifier")),
        json_true());
    json_array_foreach(json_object_get(pkg, "CFItems"), i, it)
        json_object_set_new(ids, json_string_value(json_object_get(it, "identifier")), json_true());
}

static int group_setup(void **state)
{
    (void)state;
    tu_packages_load(&g_pkgs);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    tu_packages_free(&g_pkgs);
    return 0;
}

/* Prints a problem list (for failure messages). */
static void print_problems(const json_t *problems)
{
    char *s = json_dumps(problems, JSON_INDENT(1));

    print_error("problems reported: %s\n", s != NULL ? s : "(unprintable)");
    free(s);
}

/*
 * Asserts problems holds exactly n entries whose paths are the n strings
 * that follow, in order.
 */
static void assert_problem_paths(const json_t *problems, size_t n, ...)
{
    va_list ap;

    if (!json_is_array(problems))
        fail_msg("problems is not an array");
    if (json_array_size(problems) != n) {
        print_problems(problems);
        fail_msg("expected %zu problem(s), got %zu", n, json_array_size(problems));
    }
    va_start(ap, n);
    for (size_t i = 0; i < n; i++) {
        const char *want = va_arg(ap, const char *);
        const json_t *p = json_array_get(problems, i);
        const char *path = json_string_value(json_object_get(p, "path"));
        const char *msg = json_string_value(json_object_get(p, "message"));

        if (path == NULL || msg == NULL || msg[0] == '\0') {
            print_problems(problems);
            va_end(ap);
            fail_msg("problem %zu lacks a path or a message", i);
        }
        if (strcmp(path, want) != 0) {
            print_problems(problems);
            va_end(ap);
            fail_msg("problem %zu: path %s, expected %s", i, path, want);
        }
    }
    va_end(ap);
}

static const char *problem_message(const json_t *problems, size_t i)
{
    return json_string_value(json_object_get(json_array_get(problems, i), "message"));
}

/* Serializes v and runs case_parse on the bytes; returns the problems (decref them). */
static json_t *parse_value(const json_t *v, case_exists_fn exists, void *ctx)
{
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    json_t *pkg = NULL, *problems = NULL;

    assert_non_null(text);
    case_parse(text, strlen(text), exists, ctx, &pkg, &problems);
    free(text);
    assert_non_null(pkg);
    assert_non_null(problems);
    json_decref(pkg);
    return problems;
}

/* A fresh copy of the 2019 package to edit. */
static json_t *copy2019(void)
{
    json_t *p = json_deep_copy(g_2019);

    assert_non_null(p);
    return p;
}

static json_t *link_to(const char *id, const char *title)
{
    return json_pack("{s:s, s:s, s:s+}", "title", title, "identifier", id, "uri",
                     "https://example.org/uri/", id);
}

/*
 * A small good package built in code: a document, a parent item (child of
 * the document, with a rubric criterion) and a leaf item (child of the
 * parent; CFItems[0]).
 */
static json_t *mini_pkg(void)
{
    json_t *p = json_pack(
        "{s:{s:s, s:s, s:s, s:s, s:s},"
        " s:[{s:s, s:s, s:s, s:s, s:s, s:s}, {s:s, s:s, s:s, s:s, s:s, s:s}],"
        " s:[{s:s, s:s, s:s, s:o, s:o, s:s, s:i}, {s:s, s:s, s:s, s:o, s:o, s:s, s:i}],"
        " s:[{s:s, s:s, s:s, s:s, s:[{s:s, s:s, s:s, s:o, s:f, s:i, s:[{s:s, s:s, s:s, s:s,"
        " s:f, s:i}]}]}], s:{s:[], s:[]}}",
        "CFDocument", "identifier", ID_DOC, "uri", "https://example.org/uri/" ID_DOC, "creator",
        "unit test", "title", "Mini", "lastChangeDateTime", STAMP,
        /* items */
        "CFItems", "identifier", ID_LEAF, "uri", "https://example.org/uri/" ID_LEAF,
        "lastChangeDateTime", STAMP, "fullStatement", "The leaf", "humanCodingScheme", "P.1",
        "CFItemType", "Indicator", "identifier", ID_PARENT, "uri",
        "https://example.org/uri/" ID_PARENT, "lastChangeDateTime", STAMP, "fullStatement",
        "The parent", "humanCodingScheme", "P", "CFItemType", "Skill",
        /* associations */
        "CFAssociations", "identifier", ID_A_LEAF, "uri", "https://example.org/uri/" ID_A_LEAF,
        "associationType", "isChildOf", "originNodeURI", link_to(ID_LEAF, "P.1"),
        "destinationNodeURI", link_to(ID_PARENT, "P"), "lastChangeDateTime", STAMP,
        "sequenceNumber", 1, "identifier", ID_A_PARENT, "uri",
        "https://example.org/uri/" ID_A_PARENT, "associationType", "isChildOf", "originNodeURI",
        link_to(ID_PARENT, "P"), "destinationNodeURI", link_to(ID_DOC, "Mini"),
        "lastChangeDateTime", STAMP, "sequenceNumber", 1,
        /* rubric */
        "CFRubrics", "identifier", ID_RUBRIC, "uri", "https://example.org/uri/" ID_RUBRIC,
        "lastChangeDateTime", STAMP, "title", "Rubric", "CFRubricCriteria", "identifier", ID_CRIT,
        "uri", "https://example.org/uri/" ID_CRIT, "lastChangeDateTime", STAMP, "CFItemURI",
        link_to(ID_PARENT, "P"), "weight", 10.0, "position", 1, "CFRubricCriterionLevels",
        "identifier", ID_LEVEL, "uri", "https://example.org/uri/" ID_LEVEL, "lastChangeDateTime",
        STAMP, "quality", "Good", "score", 1.0, "position", 1,
        /* definitions */
        "CFDefinitions", "CFItemTypes", "CFLicenses");

    if (p == NULL)
        fail_msg("json_pack of the mini package failed");
    return p;
}

/* Replaces every string equal to from, anywhere in v, by to. */
static void rename_strings(json_t *v, const char *from, const char *to)
{
    const char *key;
    json_t *val;
    size_t i;

    if (json_is_object(v)) {
        json_object_foreach(v, key, val)
        {
            if (json_is_string(val) && strcmp(json_string_value(val), from) == 0)
                json_object_set_new(v, key, json_string(to));
            else
                rename_strings(val, from, to);
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, val)
        {
            if (json_is_string(val) && strcmp(json_string_value(val), from) == 0)
                json_array_set_new(v, i, json_string(to));
            else
                rename_strings(val, from, to);
        }
    }
}

static json_t *item_at(json_t *pkg, size_t i)
{
    json_t *it = json_array_get(json_object_get(pkg, "CFItems"), i);

    assert_non_null(it);
    return it;
}

static json_t *assoc_at(json_t *pkg, size_t i)
{
    json_t *a = json_array_get(json_object_get(pkg, "CFAssociations"), i);

    assert_non_null(a);
    return a;
}

static json_t *criterion_at(json_t *pkg, size_t i)
{
    json_t *c = json_array_get(
        json_object_get(json_array_get(json_object_get(pkg, "CFRubrics"), 0), "CFRubricCriteria"),
        i);

    assert_non_null(c);
    return c;
}

/* Index of the isChildOf association whose origin is id; fails when there is none. */
static size_t child_assoc_of(const json_t *pkg, const char *id)
{
    size_t i;
    json_t *a;

    json_array_foreach(json_object_get(pkg, "CFAssociations"), i, a)
    {
        const char *o =
            json_string_value(json_object_get(json_object_get(a, "originNodeURI"), "identifier"));

        if (o != NULL && strcmp(o, id) == 0 &&
            strcmp(json_string_value(json_object_get(a, "associationType")), "isChildOf") == 0)
            return i;
    }
    fail_msg("no isChildOf association from %s", id);
    return 0;
}

/* --- good input ---------------------------------------------------------- */

static void test_opensalt_packages(void **state)
{
    char pattern[4096];
    glob_t g;

    (void)state;
    tu_shared_path(pattern, sizeof pattern, "testdata/case/*Framework.json");
    if (glob(pattern, 0, NULL, &g) != 0 || g.gl_pathc == 0)
        fail_msg("no OpenSALT packages match %s", pattern);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        size_t n;
        char *bytes = tu_read_file(g.gl_pathv[i], &n);
        json_t *pkg = NULL, *problems = NULL;

        case_parse(bytes, n, NULL, NULL, &pkg, &problems);
        free(bytes);
        if (pkg == NULL || json_array_size(problems) != 0) {
            print_problems(problems);
            fail_msg("%s: expected no problems", g.gl_pathv[i]);
        }
        assert_non_null(json_object_get(pkg, "CFDocument"));
        json_decref(pkg);
        json_decref(problems);
    }
    globfree(&g);
}

static void test_our_packages(void **state)
{
    const json_t *pkgs[] = {g_2009, g_2019, g_xwalk, g_iste};
    static const char *const names[] = {F2009, F2019, FXWALK, FISTE};
    struct known k = {json_object(), 0, 0};
    glob_t g;

    (void)state;
    if (glob("data/frameworks/*.json", 0, NULL, &g) != 0 || g.gl_pathc < 4)
        fail_msg("expected at least 4 packages in data/frameworks (run from the project root)");
    /* The callback knows every node of every package. */
    for (size_t i = 0; i < g.gl_pathc; i++) {
        json_t *p = tu_load_json(g.gl_pathv[i]);

        add_node_ids(k.ids, p);
        json_decref(p);
    }
    for (size_t i = 0; i < g.gl_pathc; i++) {
        size_t n;
        char *bytes = tu_read_file(g.gl_pathv[i], &n);
        json_t *pkg = NULL, *problems = NULL;

        case_parse(bytes, n, exists_cb, &k, &pkg, &problems);
        free(bytes);
        if (pkg == NULL || json_array_size(problems) != 0) {
            print_problems(problems);
            fail_msg("%s: expected no problems", g.gl_pathv[i]);
        }
        for (size_t j = 0; j < 4; j++)
            if (strcmp(g.gl_pathv[i], names[j]) == 0)
                tu_assert_json_equal(pkgs[j], pkg, names[j]);
        json_decref(pkg);
        json_decref(problems);
    }
    globfree(&g);
    /* The crosswalk's ends are all outside it: the callback was asked. */
    assert_true(k.calls > 0);
    json_decref(k.ids);
}

/* The crosswalk's references, when nobody knows them: one problem per end. */
static void check_xwalk_unknown(case_exists_fn fn, void *ctx)
{
    size_t nassoc = json_array_size(json_object_get(g_xwalk, "CFAssociations"));
    size_t total = 2 * nassoc;
    size_t shown = total > CASE_MAX_PROBLEMS ? CASE_MAX_PROBLEMS : total;
    json_t *problems = parse_value(g_xwalk, fn, ctx);
    char more[64];

    assert_true(nassoc > 0);
    if (json_array_size(problems) != shown + (total > shown)) {
        print_problems(problems);
        fail_msg("expected %zu problems (+1 summary), got %zu", shown, json_array_size(problems));
    }
    for (size_t i = 0; i < shown; i++) {
        char want[128];
        const char *path = json_string_value(json_object_get(json_array_get(problems, i), "path"));

        snprintf(want, sizeof want, "$.CFAssociations[%zu].%s.identifier", i / 2,
                 i % 2 == 0 ? "originNodeURI" : "destinationNodeURI");
        if (path == NULL || strcmp(path, want) != 0)
            fail_msg("problem %zu: path %s, expected %s", i, path != NULL ? path : "(none)", want);
    }
    if (total > shown) {
        snprintf(more, sizeof more, "%zu more", total - shown);
        assert_string_equal(
            json_string_value(json_object_get(json_array_get(problems, shown), "path")), "$");
        tu_assert_contains(problem_message(problems, shown), more);
    }
    json_decref(problems);
}

static void test_crosswalk_refs_unknown(void **state)
{
    struct known no = {NULL, 0, 0};

    (void)state;
    check_xwalk_unknown(exists_cb, &no);
    assert_true(no.calls > 0);
    check_xwalk_unknown(NULL, NULL);
}

static void test_mini_is_good(void **state)
{
    json_t *p = mini_pkg();
    json_t *problems = parse_value(p, NULL, NULL);

    (void)state;
    assert_problem_paths(problems, 0);
    json_decref(problems);
    json_decref(p);
}

/* --- bad input: bytes ---------------------------------------------------- */

static void test_not_json(void **state)
{
    static const char text[] = "{\"CFDocument\": {\"title\": \"x\",\n  oops}}";
    json_t *pkg = (json_t *)1, *problems = NULL;

    (void)state;
    case_parse(text, sizeof text - 1, NULL, NULL, &pkg, &problems);
    assert_null(pkg);
    assert_problem_paths(problems, 1, "$");
    tu_assert_contains(problem_message(problems, 0), "line 2");
    tu_assert_contains(problem_message(problems, 0), "column");
    json_decref(problems);

    /* Duplicate keys are not JSON a package may have. */
    case_parse("{\"a\": 1, \"a\": 2}", 16, NULL, NULL, &pkg, &problems);
    assert_null(pkg);
    assert_problem_paths(problems, 1, "$");
    json_decref(problems);

    /* Empty input. */
    case_parse("", 0, NULL, NULL, &pkg, &problems);
    assert_null(pkg);
    assert_problem_paths(problems, 1, "$");
    json_decref(problems);
}

static void test_top_level_array(void **state)
{
    json_t *pkg = NULL, *problems = NULL;

    (void)state;
    case_parse("[{\"CFDocument\": {}}]", 20, NULL, NULL, &pkg, &problems);
    assert_true(json_is_array(pkg));
    assert_problem_paths(problems, 1, "$");
    tu_assert_contains(problem_message(problems, 0), "object");
    json_decref(pkg);
    json_decref(problems);
}

static void test_too_big(void **state)
{
    size_t n = (size_t)CASE_MAX_BYTES + 1;
    char *text = json_dumps(g_2019, JSON_COMPACT);
    size_t len = strlen(text);
    char *bytes = malloc(n);
    json_t *pkg = (json_t *)1, *problems = NULL;

    (void)state;
    assert_non_null(bytes);
    /* A good package padded with spaces: valid JSON, but over the limit. */
    memcpy(bytes, text, len);
    memset(bytes + len, ' ', n - len);
    free(text);
    case_parse(bytes, n, NULL, NULL, &pkg, &problems);
    free(bytes);
    assert_null(pkg);
    assert_problem_paths(problems, 1, "$");
    json_decref(problems);
}

static void test_exactly_max_bytes_is_parsed(void **state)
{
    size_t n = (size_t)CASE_MAX_BYTES;
    char *text = json_dumps(g_2019, JSON_COMPACT);
    size_t len = strlen(text);
    char *bytes = malloc(n);
    json_t *pkg = NULL, *problems = NULL;

    (void)state;
    assert_non_null(bytes);
    memcpy(bytes, text, len);
    memset(bytes + len, ' ', n - len);
    free(text);
    case_parse(bytes, n, NULL, NULL, &pkg, &problems);
    free(bytes);
    assert_non_null(pkg);
    assert_problem_paths(problems, 0);
    json_decref(pkg);
    json_decref(problems);
}

/* --- bad input: edited packages ----------------------------------------- */

static void test_missing_cfdocument(void **state)
{
    json_t *p = mini_pkg();
    json_t *problems;

    (void)state;
    json_object_del(p, "CFDocument");
    problems = parse_value(p, NULL, NULL);
    /* The parent's isChildOf now points at a node the package no longer has. */
    assert_problem_paths(problems, 2, "$.CFDocument",
                         "$.CFAssociations[1].destinationNodeURI.identifier");
    json_decref(problems);
    json_decref(p);
}

static void test_missing_cfdocument_2019(void **state)
{
    json_t *p = copy2019();
    const char *doc_id =
        json_string_value(json_object_get(json_object_get(g_2019, "CFDocument"), "identifier"));
    json_t *want = json_array(), *problems;
    size_t i;
    json_t *a;

    (void)state;
    /* Expected: the missing document, then every association that points at it. */
    json_array_append_new(want, json_string("$.CFDocument"));
    json_array_foreach(json_object_get(g_2019, "CFAssociations"), i, a)
    {
        const char *d = json_string_value(
            json_object_get(json_object_get(a, "destinationNodeURI"), "identifier"));

        if (strcmp(d, doc_id) == 0)
            json_array_append_new(
                want, json_sprintf("$.CFAssociations[%zu].destinationNodeURI.identifier", i));
    }
    assert_true(json_array_size(want) > 1);
    json_object_del(p, "CFDocument");
    problems = parse_value(p, NULL, NULL);
    {
        json_t *got = json_array();
        json_t *pr;

        json_array_foreach(problems, i, pr) json_array_append(got, json_object_get(pr, "path"));
        tu_assert_json_equal(want, got, "problem paths");
        json_decref(got);
    }
    json_decref(want);
    json_decref(problems);
    json_decref(p);
}

static void test_document_missing_title(void **state)
{
    json_t *p = copy2019();
    json_t *problems;

    (void)state;
    json_object_del(json_object_get(p, "CFDocument"), "title");
    problems = parse_value(p, NULL, NULL);
    assert_problem_paths(problems, 1, "$.CFDocument.title");
    tu_assert_contains(problem_message(problems, 0), "missing");
    json_decref(problems);
    json_decref(p);
}

static void test_item_bad_uuid(void **state)
{
    json_t *p = copy2019();
    char *old = strdup(json_string_value(json_object_get(item_at(p, 0), "identifier")));
    json_t *problems;

    (void)state;
    /* Renamed everywhere, so every reference still resolves: only the format is wrong. */
    rename_strings(p, old, "not-a-uuid");
    assert_string_equal(json_string_value(json_object_get(item_at(p, 0), "identifier")),
                        "not-a-uuid");
    problems = parse_value(p, NULL, NULL);
    assert_problem_paths(problems, 1, "$.CFItems[0].identifier");
    tu_assert_contains(problem_message(problems, 0), "not-a-uuid");
    json_decref(problems);
    json_decref(p);
    free(old);
}

static void test_bad_last_change(void **state)
{
    json_t *p = copy2019();
    json_t *problems;

    (void)state;
    json_object_set_new(item_at(p, 3), "lastChangeDateTime", json_string("2023-02-29T10:00:00Z"));
    json_object_set_new(assoc_at(p, 5), "lastChangeDateTime", json_string("yesterday"));
    json_object_set_new(json_object_get(p, "CFDocument"), "lastChangeDateTime", json_integer(7));
    problems = parse_value(p, NULL, NULL);
    assert_problem_paths(problems, 3, "$.CFDocument.lastChangeDateTime",
                         "$.CFItems[3].lastChangeDateTime",
                         "$.CFAssociations[5].lastChangeDateTime");
    tu_assert_contains(problem_message(problems, 1), "2023-02-29T10:00:00Z");
    json_decref(problems);
    json_decref(p);
}

static void test_unknown_association_type(void **state)
{
    json_t *p = copy2019();
    json_t *problems;

    (void)state;
    json_object_set_new(assoc_at(p, 2), "associationType", json_string("isCousinOf"));
    problems = parse_value(p, NULL, NULL);
    assert_problem_paths(problems, 1, "$.CFAssociations[2].associationType");
    tu_assert_contains(problem_message(problems, 0), "isCousinOf");
    json_decref(problems);
    json_decref(p);
}

static void test_sequence_number_string(void **state)
{
    json_t *p = copy2019();
    json_t *problems;

    (void)state;
    json_object_set_new(assoc_at(p, 1), "sequenceNumber", json_string("2"));
    problems = parse_value(p, NULL, NULL);
    assert_problem_paths(problems, 1, "$.CFAssociations[1].sequenceNumber");
    tu_assert_contains(problem_message(problems, 0), "integer");
    json_decref(problems);
    json_decref(p);
}

static void test_duplicate_identifier(void **state)
{
    json_t *p = copy2019();
    json_t *items = json_object_get(p, "CFItems");
    size_t n = json_array_size(items);
    char want[64];
    json_t *problems;

    (void)state;
    json_array_append_new(items, json_deep_copy(json_array_get(items, 5)));
    problems = parse_value(p, NULL, NULL);
    snprintf(want, sizeof want, "$.CFItems[%zu].identifier", n);
    assert_problem_paths(problems, 1, want);
    tu_assert_contains(problem_message(problems, 0), "$.CFItems[5]");
    json_decref(problems);

    /* An association reusing an item's identifier: the association is the second. */
    json_array_remove(items, n);
    json_object_set(assoc_at(p, 0), "identifier", json_object_get(item_at(p, 2), "identifier"));
    problems = parse_value(p, NULL, NULL);
    assert_problem_paths(problems, 1, "$.CFAssociations[0].identifier");
    tu_assert_contains(problem_message(problems, 0), "$.CFItems[2]");
    json_decref(problems);
    json_decref(p);
}

static void test_child_of_outside_node(void **state)
{
    json_t *p = copy2019();
    struct known yes = {NULL, 1, 0};
    json_t *problems;

    (void)state;
    json_object_set_new(json_object_get(assoc_at(p, 4), "destinationNodeURI"), "identifier",
                        json_string(ID_ELSEWHERE));
    problems = parse_value(p, NULL, NULL);
    assert_problem_paths(problems, 1, "$.CFAssociations[4].destinationNodeURI.identifier");
    tu_assert_contains(problem_message(problems, 0), ID_ELSEWHERE);
    json_decref(problems);

    /* Even when the node exists in the database: the tree is the package's own. */
    problems = parse_value(p, exists_cb, &yes);
    assert_problem_paths(problems, 1, "$.CFAssociations[4].destinationNodeURI.identifier");
    json_decref(problems);
    json_decref(p);
}

static void test_child_of_cycle_mini(void **state)
{
    json_t *p = mini_pkg();
    json_t *problems;

    (void)state;
    /* leaf isChildOf parent (assoc 0), parent isChildOf leaf (assoc 1). */
    json_object_set_new(assoc_at(p, 1), "destinationNodeURI", link_to(ID_LEAF, "P.1"));
    problems = parse_value(p, NULL, NULL);
    assert_problem_paths(problems, 1, "$.CFAssociations[0]");
    tu_assert_contains(problem_message(problems, 0), "cycle");
    json_decref(problems);

    /* A node that is its own parent. */
    json_object_set_new(assoc_at(p, 1), "destinationNodeURI", link_to(ID_DOC, "Mini"));
    json_object_set_new(assoc_at(p, 0), "destinationNodeURI", link_to(ID_LEAF, "P.1"));
    problems = parse_value(p, NULL, NULL);
    assert_problem_paths(problems, 1, "$.CFAssociations[0]");
    tu_assert_contains(problem_message(problems, 0), "cycle");
    json_decref(problems);
    json_decref(p);
}

static void test_child_of_cycle_2019(void **state)
{
    json_t *p = copy2019();
    const char *cat = json_string_value(json_object_get(item_at(p, 0), "identifier"));
    const char *skill = json_string_value(json_object_get(item_at(p, 1), "identifier"));
    size_t a_cat = child_assoc_of(p, cat), a_skill = child_assoc_of(p, skill);
    char p1[64], p2[64];
    const char *path;
    json_t *problems;

    (void)state;
    /* CFItems[1] (I.A) is a child of CFItems[0] (I); make I a child of I.A. */
    json_object_set(json_object_get(assoc_at(p, a_cat), "destinationNodeURI"), "identifier",
                    json_object_get(item_at(p, 1), "identifier"));
    problems = parse_value(p, NULL, NULL);
    assert_int_equal(json_array_size(problems), 1);
    path = json_string_value(json_object_get(json_array_get(problems, 0), "path"));
    snprintf(p1, sizeof p1, "$.CFAssociations[%zu]", a_cat);
    snprintf(p2, sizeof p2, "$.CFAssociations[%zu]", a_skill);
    if (strcmp(path, p1) != 0 && strcmp(path, p2) != 0)
        fail_msg("cycle reported at %s; expected %s or %s", path, p1, p2);
    tu_assert_contains(problem_message(problems, 0), "cycle");
    json_decref(problems);
    json_decref(p);
}

static void test_criterion_missing_item(void **state)
{
    json_t *p = copy2019();
    struct known yes = {NULL, 1, 0};
    json_t *problems;

    (void)state;
    json_object_set_new(json_object_get(criterion_at(p, 3), "CFItemURI"), "identifier",
                        json_string(ID_ELSEWHERE));
    problems = parse_value(p, NULL, NULL);
    assert_problem_paths(problems, 1, "$.CFRubrics[0].CFRubricCriteria[3].CFItemURI.identifier");
    tu_assert_contains(problem_message(problems, 0), ID_ELSEWHERE);
    json_decref(problems);

    /* A criterion may point at an item of a stored framework. */
    problems = parse_value(p, exists_cb, &yes);
    assert_problem_paths(problems, 0);
    assert_true(yes.calls > 0);
    json_decref(problems);
    json_decref(p);
}

static void test_unknown_top_level_key(void **state)
{
    json_t *p = copy2019();
    json_t *problems;

    (void)state;
    json_object_set_new(p, "CFExtras", json_object());
    problems = parse_value(p, NULL, NULL);
    assert_problem_paths(problems, 1, "$.CFExtras");
    json_decref(problems);
    json_decref(p);
}

static void test_unknown_field_closed_class(void **state)
{
    json_t *p = copy2019();
    json_t *level;
    json_t *problems;

    (void)state;
    level = json_array_get(json_object_get(criterion_at(p, 2), "CFRubricCriterionLevels"), 1);
    assert_non_null(level);
    json_object_set_new(level, "colour", json_string("red"));
    problems = parse_value(p, NULL, NULL);
    assert_problem_paths(problems, 1,
                         "$.CFRubrics[0].CFRubricCriteria[2].CFRubricCriterionLevels[1].colour");
    tu_assert_contains(problem_message(problems, 0), "CFRubricCriterionLevel");
    json_decref(problems);
    json_decref(p);
}

static void test_unknown_field_open_class(void **state)
{
    json_t *p = copy2019();
    json_t *problems;

    (void)state;
    /* CFItem, CFDocument and CFAssociation allow extensions. */
    json_object_set_new(item_at(p, 0), "x-extension", json_string("kept"));
    json_object_set_new(json_object_get(p, "CFDocument"), "x-extension", json_true());
    json_object_set_new(assoc_at(p, 0), "x-extension", json_integer(1));
    problems = parse_value(p, NULL, NULL);
    assert_problem_paths(problems, 0);
    json_decref(problems);
    json_decref(p);
}

static void test_definitions_shapes(void **state)
{
    json_t *p = copy2019();
    json_t *problems;

    (void)state;
    json_object_set_new(p, "CFDefinitions", json_array());
    problems = parse_value(p, NULL, NULL);
    assert_problem_paths(problems, 0);
    json_decref(problems);

    json_object_set_new(p, "CFDefinitions", json_pack("[i]", 1));
    problems = parse_value(p, NULL, NULL);
    assert_problem_paths(problems, 1, "$.CFDefinitions");
    json_decref(problems);

    json_object_set_new(p, "CFDefinitions", json_pack("{s:[], s:[]}", "CFConcepts", "CFColours"));
    problems = parse_value(p, NULL, NULL);
    assert_problem_paths(problems, 1, "$.CFDefinitions.CFColours");
    json_decref(problems);
    json_decref(p);
}

static void test_exemplar_destination_free(void **state)
{
    json_t *p = mini_pkg();
    json_t *a = json_deep_copy(assoc_at(p, 0));
    json_t *problems;

    (void)state;
    json_object_set_new(a, "identifier", json_string(ID_ELSEWHERE));
    json_object_set_new(a, "associationType", json_string("exemplar"));
    json_object_set_new(a, "destinationNodeURI",
                        json_pack("{s:s, s:s, s:s}", "title", "An example", "identifier",
                                  "urn:example:anything", "uri", "https://example.org/ex"));
    json_object_del(a, "sequenceNumber");
    json_array_append_new(json_object_get(p, "CFAssociations"), a);
    problems = parse_value(p, NULL, NULL);
    assert_problem_paths(problems, 0);
    json_decref(problems);

    /* The same link as isRelatedTo must resolve. */
    json_object_set_new(a, "associationType", json_string("isRelatedTo"));
    problems = parse_value(p, NULL, NULL);
    assert_problem_paths(problems, 1, "$.CFAssociations[2].destinationNodeURI.identifier");
    json_decref(problems);
    json_decref(p);
}

static void test_too_many_problems(void **state)
{
    json_t *p = copy2019();
    size_t n = json_array_size(json_object_get(p, "CFItems"));
    size_t total = 2 * n;
    char more[64];
    size_t i;
    json_t *it, *problems;

    (void)state;
    assert_true(total > CASE_MAX_PROBLEMS);
    json_array_foreach(json_object_get(p, "CFItems"), i, it)
    {
        json_object_del(it, "fullStatement");
        json_object_del(it, "uri");
    }
    problems = parse_value(p, NULL, NULL);
    if (json_array_size(problems) != CASE_MAX_PROBLEMS + 1) {
        print_problems(problems);
        fail_msg("expected %d problems plus a summary, got %zu", CASE_MAX_PROBLEMS,
                 json_array_size(problems));
    }
    for (i = 0; i < CASE_MAX_PROBLEMS; i++) {
        char want[64];
        const char *path = json_string_value(json_object_get(json_array_get(problems, i), "path"));

        snprintf(want, sizeof want, "$.CFItems[%zu].%s", i / 2,
                 i % 2 == 0 ? "fullStatement" : "uri");
        if (path == NULL || strcmp(path, want) != 0)
            fail_msg("problem %zu: path %s, expected %s", i, path != NULL ? path : "(none)", want);
    }
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(problems, CASE_MAX_PROBLEMS), "path")),
        "$");
    snprintf(more, sizeof more, "%zu more problems", total - CASE_MAX_PROBLEMS);
    tu_assert_contains(problem_message(problems, CASE_MAX_PROBLEMS), more);
    json_decref(problems);
    json_decref(p);
}

static void test_validate_appends(void **state)
{
    json_t *problems = json_pack("[{s:s, s:s}]", "path", "$.earlier", "message", "kept");
    json_t *p = mini_pkg();

    (void)state;
    json_object_del(json_object_get(p, "CFDocument"), "creator");
    case_validate(p, NULL, NULL, problems);
    assert_problem_paths(problems, 2, "$.earlier", "$.CFDocument.creator");
    json_decref(problems);

    problems = json_array();
    case_validate(json_null(), NULL, NULL, problems);
    assert_problem_paths(problems, 1, "$");
    json_decref(problems);
    json_decref(p);
}

/* --- identifiers --------------------------------------------------------- */

static void test_is_uuid(void **state)
{
    static const char *const good[] = {
        "d0000000-0000-0000-0000-000000000000", "5EF29530-42E9-50E6-945E-87ACEEF0DAE5",
        "5ef29530-42e9-50e6-945e-87aceef0dae5", "ffffffff-ffff-ffff-ffff-ffffffffffff",
        "e144c2e6-c0ea-11e7-95f7-5d664f4d8844",
    };
    static const char *const bad[] = {
        "",
        "5ef29530-42e9-50e6-945e-87aceef0dae",   /* 35 */
        "5ef29530-42e9-50e6-945e-87aceef0dae5a", /* 37 */
        "5ef2953042e9-50e6-945e-87aceef0dae5-",  /* dash moved */
        "5ef29530_42e9_50e6_945e_87aceef0dae5",
        "5ef29530-42e9-50e6-945e-87aceef0dag5", /* g */
        "{ef29530-42e9-50e6-945e-87aceef0dae}",
        " 5ef29530-42e9-50e6-945e-87aceef0dae",
        "5ef29530-42e9-50e6-945e-87aceef0dae ",
    };

    (void)state;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        if (!case_is_uuid(good[i]))
            fail_msg("case_is_uuid(\"%s\") = 0, expected 1", good[i]);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (case_is_uuid(bad[i]))
            fail_msg("case_is_uuid(\"%s\") = 1, expected 0", bad[i]);
    assert_int_equal(case_is_uuid(NULL), 0);
}

static void test_is_strict_uuid(void **state)
{
    static const char *const good[] = {
        "5ef29530-42e9-50e6-945e-87aceef0dae5", /* v5 */
        "e144c2e6-c0ea-11e7-95f7-5d664f4d8844", /* v1 */
        "123e4567-e89b-42d3-a456-426614174000", /* v4 */
        "123e4567-e89b-32d3-b456-426614174000", /* v3, variant b */
        "123e4567-e89b-22d3-8456-426614174000", /* v2, variant 8 */
    };
    static const char *const bad[] = {
        "5EF29530-42E9-50E6-945E-87ACEEF0DAE5", /* uppercase */
        "5ef29530-42e9-50e6-945E-87aceef0dae5", /* one uppercase digit */
        "d0000000-0000-0000-0000-000000000000", /* version 0 */
        "123e4567-e89b-62d3-a456-426614174000", /* version 6 */
        "123e4567-e89b-42d3-c456-426614174000", /* variant c */
        "123e4567-e89b-42d3-7456-426614174000", /* variant 7 */
        "123e4567-e89b-42d3-a456-42661417400",  /* short */
        "",
    };

    (void)state;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        if (!case_is_strict_uuid(good[i]))
            fail_msg("case_is_strict_uuid(\"%s\") = 0, expected 1", good[i]);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (case_is_strict_uuid(bad[i]))
            fail_msg("case_is_strict_uuid(\"%s\") = 1, expected 0", bad[i]);
    assert_int_equal(case_is_strict_uuid(NULL), 0);
}

static void test_association_types(void **state)
{
    size_t n = 0;
    int exact = 0, child = 0;

    (void)state;
    for (; case_association_types[n] != NULL; n++) {
        exact |= strcmp(case_association_types[n], "exactMatchOf") == 0;
        child |= strcmp(case_association_types[n], "isChildOf") == 0;
    }
    assert_int_equal(n, 9);
    assert_true(exact);
    assert_true(child);
}

/* --- packages from the wild: the lenient reading -------------------------- */

/*
 * Serializes v and reads it leniently. Returns the warnings; *problems gets
 * the problems left and *out (when not NULL) the rewritten package.
 */
static json_t *lenient(const json_t *v, json_t **problems, json_t **out, size_t *count)
{
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    json_t *pkg = NULL, *warnings = NULL;
    size_t n;

    assert_non_null(text);
    n = case_parse_lenient(text, strlen(text), NULL, NULL, &pkg, problems, &warnings);
    free(text);
    assert_non_null(pkg);
    assert_non_null(*problems);
    assert_non_null(warnings);
    if (count != NULL)
        *count = n;
    if (out != NULL)
        *out = pkg;
    else
        json_decref(pkg);
    return warnings;
}

/* The string at key of object o ("" when there is none). */
static const char *str_at(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));

    return s != NULL ? s : "";
}

/* Asserts that pkg, rewritten, is now strictly good and reads again with no warning. */
static void assert_strict_now(const json_t *pkg)
{
    json_t *problems = parse_value(pkg, NULL, NULL), *again;
    size_t count = 99;

    assert_problem_paths(problems, 0);
    json_decref(problems);
    again = lenient(pkg, &problems, NULL, &count);
    assert_int_equal(count, 0);
    assert_problem_paths(again, 0);
    json_decref(again);
    json_decref(problems);
}

static void test_wild_time_without_zone(void **state)
{
    json_t *p = mini_pkg(), *problems, *warnings, *out;
    size_t count = 0;

    (void)state;
    json_object_set_new(item_at(p, 1), "lastChangeDateTime", json_string("2017-05-25T18:05:33"));
    json_object_set_new(item_at(p, 0), "statusStartDate", json_string("2017-05-25T18:05:33.250"));
    /* Strict: refused, as before. */
    problems = parse_value(p, NULL, NULL);
    assert_problem_paths(problems, 2, "$.CFItems[0].statusStartDate",
                         "$.CFItems[1].lastChangeDateTime");
    json_decref(problems);

    warnings = lenient(p, &problems, &out, &count);
    assert_problem_paths(problems, 0);
    assert_problem_paths(warnings, 2, "$.CFItems[0].statusStartDate",
                         "$.CFItems[1].lastChangeDateTime");
    assert_int_equal(count, 2);
    tu_assert_contains(problem_message(warnings, 1), "no zone");
    tu_assert_contains(problem_message(warnings, 1), "UTC");
    assert_string_equal(str_at(item_at(out, 1), "lastChangeDateTime"), "2017-05-25T18:05:33Z");
    assert_string_equal(str_at(item_at(out, 0), "statusStartDate"), "2017-05-25T18:05:33.250Z");
    assert_strict_now(out);
    json_decref(warnings);
    json_decref(problems);
    json_decref(out);
    json_decref(p);
}

static void test_wild_time_other_forms(void **state)
{
    json_t *p = mini_pkg(), *problems, *warnings, *out;

    (void)state;
    json_object_set_new(json_object_get(p, "CFDocument"), "lastChangeDateTime",
                        json_string("2017-05-25 18:05:33+0200"));
    json_object_set_new(assoc_at(p, 0), "lastChangeDateTime", json_string("2017-05-25"));
    json_object_set_new(assoc_at(p, 1), "lastChangeDateTime", json_string("2017-05-25 18:05:33"));
    /* A bare date is fine where a date belongs: no rewrite. */
    json_object_set_new(item_at(p, 0), "statusEndDate", json_string("2030-06-30"));
    warnings = lenient(p, &problems, &out, NULL);
    assert_problem_paths(problems, 0);
    assert_problem_paths(warnings, 3, "$.CFDocument.lastChangeDateTime",
                         "$.CFAssociations[0].lastChangeDateTime",
                         "$.CFAssociations[1].lastChangeDateTime");
    assert_string_equal(str_at(json_object_get(out, "CFDocument"), "lastChangeDateTime"),
                        "2017-05-25T18:05:33+02:00");
    assert_string_equal(str_at(assoc_at(out, 0), "lastChangeDateTime"), "2017-05-25T00:00:00Z");
    tu_assert_contains(problem_message(warnings, 1), "midnight UTC");
    assert_string_equal(str_at(assoc_at(out, 1), "lastChangeDateTime"), "2017-05-25T18:05:33Z");
    assert_string_equal(str_at(item_at(out, 0), "statusEndDate"), "2030-06-30");
    assert_strict_now(out);
    json_decref(warnings);
    json_decref(problems);
    json_decref(out);
    json_decref(p);
}

static void test_wild_time_no_reading(void **state)
{
    json_t *p = mini_pkg(), *problems, *warnings;

    (void)state;
    /* Not a time at all, an impossible date, an unknown zone form: still refused. */
    json_object_set_new(item_at(p, 0), "lastChangeDateTime", json_string("yesterday"));
    json_object_set_new(item_at(p, 1), "lastChangeDateTime", json_string("2023-02-29T10:00:00"));
    json_object_set_new(assoc_at(p, 0), "lastChangeDateTime",
                        json_string("2017-05-25T18:05:33 CET"));
    warnings = lenient(p, &problems, NULL, NULL);
    assert_problem_paths(warnings, 0);
    assert_problem_paths(problems, 3, "$.CFItems[0].lastChangeDateTime",
                         "$.CFItems[1].lastChangeDateTime",
                         "$.CFAssociations[0].lastChangeDateTime");
    json_decref(warnings);
    json_decref(problems);
    json_decref(p);
}

static void test_wild_uri_string_links(void **state)
{
    json_t *p = mini_pkg(), *problems, *warnings, *out, *l;

    (void)state;
    json_object_set_new(json_object_get(p, "CFDocument"), "CFPackageURI",
                        json_string("http://opensalt.example/uri/" ID_DOC));
    json_object_set_new(item_at(p, 0), "CFDocumentURI",
                        json_string("http://opensalt.example/uri/" ID_DOC "/?x=1"));
    json_object_set_new(assoc_at(p, 0), "originNodeURI", json_string("urn:uuid:" ID_LEAF));
    /* A type that is not in the package: the link comes with an empty title. */
    json_object_set_new(item_at(p, 1), "CFItemTypeURI",
                        json_string("https://elsewhere.example/CFItemTypes/" ID_ELSEWHERE));
    warnings = lenient(p, &problems, &out, NULL);
    assert_problem_paths(problems, 0);
    assert_problem_paths(warnings, 4, "$.CFDocument.CFPackageURI", "$.CFItems[0].CFDocumentURI",
                         "$.CFItems[1].CFItemTypeURI", "$.CFAssociations[0].originNodeURI");
    l = json_object_get(json_object_get(out, "CFDocument"), "CFPackageURI");
    assert_string_equal(str_at(l, "identifier"), ID_DOC);
    assert_string_equal(str_at(l, "title"), "Mini");
    assert_string_equal(str_at(l, "uri"), "http://opensalt.example/uri/" ID_DOC);
    l = json_object_get(item_at(out, 0), "CFDocumentURI");
    assert_string_equal(str_at(l, "identifier"), ID_DOC);
    l = json_object_get(assoc_at(out, 0), "originNodeURI");
    assert_string_equal(str_at(l, "identifier"), ID_LEAF);
    assert_string_equal(str_at(l, "title"), "P.1"); /* the item's humanCodingScheme */
    l = json_object_get(item_at(out, 1), "CFItemTypeURI");
    assert_string_equal(str_at(l, "identifier"), ID_ELSEWHERE);
    assert_string_equal(str_at(l, "title"), "");
    assert_strict_now(out);
    json_decref(warnings);
    json_decref(problems);
    json_decref(out);
    json_decref(p);
}

static void test_wild_uri_string_without_uuid(void **state)
{
    json_t *p = mini_pkg(), *problems, *warnings;

    (void)state;
    json_object_set_new(json_object_get(p, "CFDocument"), "CFPackageURI",
                        json_string("http://opensalt.example/packages/latest"));
    json_object_set_new(item_at(p, 0), "CFDocumentURI", json_string(ID_DOC)); /* no URI */
    warnings = lenient(p, &problems, NULL, NULL);
    assert_problem_paths(warnings, 0);
    assert_problem_paths(problems, 2, "$.CFDocument.CFPackageURI", "$.CFItems[0].CFDocumentURI");
    tu_assert_contains(problem_message(problems, 0), "link object");
    json_decref(warnings);
    json_decref(problems);
    json_decref(p);
}

static void test_wild_link_object_incomplete(void **state)
{
    json_t *p = mini_pkg(), *problems, *warnings, *out, *l;

    (void)state;
    json_object_del(json_object_get(assoc_at(p, 1), "destinationNodeURI"), "identifier");
    json_object_del(json_object_get(assoc_at(p, 1), "destinationNodeURI"), "title");
    json_object_set_new(json_object_get(assoc_at(p, 0), "originNodeURI"), "title", json_null());
    warnings = lenient(p, &problems, &out, NULL);
    assert_problem_paths(problems, 0);
    assert_problem_paths(warnings, 3, "$.CFAssociations[0].originNodeURI.title",
                         "$.CFAssociations[1].destinationNodeURI.identifier",
                         "$.CFAssociations[1].destinationNodeURI.title");
    l = json_object_get(assoc_at(out, 1), "destinationNodeURI");
    assert_string_equal(str_at(l, "identifier"), ID_DOC);
    assert_string_equal(str_at(l, "title"), "Mini");
    assert_strict_now(out);
    json_decref(warnings);
    json_decref(problems);
    json_decref(out);
    json_decref(p);
}

static void test_wild_null_and_empty_optional(void **state)
{
    json_t *p = mini_pkg(), *problems, *warnings, *out, *doc;

    (void)state;
    doc = json_object_get(p, "CFDocument");
    json_object_set_new(doc, "description", json_null());
    json_object_set_new(doc, "statusStartDate", json_string(""));
    json_object_set_new(doc, "licenseURI", json_string(""));
    json_object_set_new(doc, "statusEndDate", json_null());       /* null is allowed here */
    json_object_set_new(item_at(p, 0), "notes", json_string("")); /* "" is text: kept */
    json_object_set_new(item_at(p, 0), "CFItemTypeURI", json_null());
    json_object_set_new(assoc_at(p, 0), "sequenceNumber", json_string(""));
    warnings = lenient(p, &problems, &out, NULL);
    assert_problem_paths(problems, 0);
    assert_problem_paths(warnings, 5, "$.CFDocument.description", "$.CFDocument.statusStartDate",
                         "$.CFDocument.licenseURI", "$.CFItems[0].CFItemTypeURI",
                         "$.CFAssociations[0].sequenceNumber");
    tu_assert_contains(problem_message(warnings, 0), "left out");
    doc = json_object_get(out, "CFDocument");
    assert_null(json_object_get(doc, "description"));
    assert_null(json_object_get(doc, "licenseURI"));
    assert_true(json_is_null(json_object_get(doc, "statusEndDate")));
    assert_string_equal(str_at(item_at(out, 0), "notes"), "");
    assert_null(json_object_get(assoc_at(out, 0), "sequenceNumber"));
    assert_strict_now(out);
    json_decref(warnings);
    json_decref(problems);
    json_decref(out);
    json_decref(p);

    /* A required field that is null stays a problem. */
    p = mini_pkg();
    json_object_set_new(json_object_get(p, "CFDocument"), "title", json_null());
    warnings = lenient(p, &problems, NULL, NULL);
    assert_problem_paths(warnings, 0);
    assert_problem_paths(problems, 1, "$.CFDocument.title");
    json_decref(warnings);
    json_decref(problems);
    json_decref(p);
}

static void test_wild_numbers_and_text(void **state)
{
    json_t *p = mini_pkg(), *problems, *warnings, *out, *crit;

    (void)state;
    json_object_set_new(assoc_at(p, 0), "sequenceNumber", json_string("2"));
    crit = criterion_at(p, 0);
    json_object_set_new(crit, "weight", json_string("12.5"));
    json_object_set_new(item_at(p, 0), "listEnumeration", json_integer(3));
    json_object_set_new(assoc_at(p, 1), "sequenceNumber", json_string("two")); /* no reading */
    warnings = lenient(p, &problems, &out, NULL);
    assert_problem_paths(warnings, 3, "$.CFItems[0].listEnumeration",
                         "$.CFAssociations[0].sequenceNumber",
                         "$.CFRubrics[0].CFRubricCriteria[0].weight");
    assert_problem_paths(problems, 1, "$.CFAssociations[1].sequenceNumber");
    assert_int_equal(json_integer_value(json_object_get(assoc_at(out, 0), "sequenceNumber")), 2);
    assert_true(json_real_value(json_object_get(criterion_at(out, 0), "weight")) == 12.5);
    assert_string_equal(str_at(item_at(out, 0), "listEnumeration"), "3");
    json_decref(warnings);
    json_decref(problems);
    json_decref(out);
    json_decref(p);
}

static void test_wild_missing_last_change(void **state)
{
    json_t *p = mini_pkg(), *problems, *warnings, *out;

    (void)state;
    json_object_del(item_at(p, 0), "lastChangeDateTime");
    json_object_set_new(assoc_at(p, 1), "lastChangeDateTime", json_null());
    warnings = lenient(p, &problems, &out, NULL);
    assert_problem_paths(problems, 0);
    assert_problem_paths(warnings, 2, "$.CFItems[0].lastChangeDateTime",
                         "$.CFAssociations[1].lastChangeDateTime");
    assert_string_equal(str_at(item_at(out, 0), "lastChangeDateTime"), STAMP);
    assert_strict_now(out);
    json_decref(warnings);
    json_decref(problems);
    json_decref(out);
    json_decref(p);

    /* The document's own is missing: nothing stands in for any. */
    p = mini_pkg();
    json_object_del(json_object_get(p, "CFDocument"), "lastChangeDateTime");
    json_object_del(item_at(p, 0), "lastChangeDateTime");
    warnings = lenient(p, &problems, NULL, NULL);
    assert_problem_paths(warnings, 0);
    assert_problem_paths(problems, 2, "$.CFDocument.lastChangeDateTime",
                         "$.CFItems[0].lastChangeDateTime");
    json_decref(warnings);
    json_decref(problems);
    json_decref(p);
}

static void test_wild_single_subject_link(void **state)
{
    json_t *p = mini_pkg(), *problems, *warnings, *out, *subj;

    (void)state;
    json_object_set_new(json_object_get(p, "CFDocument"), "subjectURI",
                        json_string("https://subjects.example/CFSubjects/" ID_ELSEWHERE));
    warnings = lenient(p, &problems, &out, NULL);
    assert_problem_paths(problems, 0);
    assert_problem_paths(warnings, 2, "$.CFDocument.subjectURI", "$.CFDocument.subjectURI[0]");
    subj = json_object_get(json_object_get(out, "CFDocument"), "subjectURI");
    assert_int_equal(json_array_size(subj), 1);
    assert_string_equal(str_at(json_array_get(subj, 0), "identifier"), ID_ELSEWHERE);
    assert_strict_now(out);
    json_decref(warnings);
    json_decref(problems);
    json_decref(out);
    json_decref(p);
}

/* What is truly broken stays refused in the lenient reading too. */
static void test_wild_still_refused(void **state)
{
    json_t *p = mini_pkg(), *problems, *warnings;

    (void)state;
    json_object_set_new(item_at(p, 0), "identifier", json_string("not-a-uuid"));
    json_object_del(item_at(p, 1), "fullStatement");
    json_object_set_new(json_object_get(assoc_at(p, 1), "destinationNodeURI"), "identifier",
                        json_string(ID_ELSEWHERE)); /* dangling isChildOf */
    json_object_set_new(item_at(p, 1), "lastChangeDateTime", json_string("2017-05-25T18:05:33"));
    warnings = lenient(p, &problems, NULL, NULL);
    assert_problem_paths(warnings, 1, "$.CFItems[1].lastChangeDateTime");
    /* The leaf's identifier is bad, so the association from it dangles too. */
    assert_problem_paths(problems, 4, "$.CFItems[0].identifier", "$.CFItems[1].fullStatement",
                         "$.CFAssociations[0].originNodeURI.identifier",
                         "$.CFAssociations[1].destinationNodeURI.identifier");
    json_decref(warnings);
    json_decref(problems);
    json_decref(p);
}

/* Every rewrite is counted; the list stops at CASE_MAX_PROBLEMS plus a summary. */
static void test_wild_many_warnings(void **state)
{
    json_t *p = json_deep_copy(g_2019), *problems, *warnings, *out;
    size_t n = json_array_size(json_object_get(p, "CFItems")) +
               json_array_size(json_object_get(p, "CFAssociations")),
           count = 0, i;
    json_t *it;

    (void)state;
    assert_true(n > CASE_MAX_PROBLEMS);
    json_array_foreach(json_object_get(p, "CFItems"), i, it)
        json_object_set_new(it, "lastChangeDateTime", json_string("2019-01-01T00:00:00"));
    json_array_foreach(json_object_get(p, "CFAssociations"), i, it)
        json_object_set_new(it, "lastChangeDateTime", json_string("2019-01-01T00:00:00"));
    warnings = lenient(p, &problems, &out, &count);
    assert_problem_paths(problems, 0);
    assert_int_equal(count, n);
    assert_int_equal(json_array_size(warnings), CASE_MAX_PROBLEMS + 1);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(warnings, CASE_MAX_PROBLEMS), "path")),
        "$");
    json_decref(warnings);
    json_decref(problems);
    json_decref(out);
    json_decref(p);
}

/* Conformant packages come through the lenient reading untouched. */
static void test_wild_conformant_untouched(void **state)
{
    const json_t *pkgs[] = {g_2009, g_2019, g_iste};

    (void)state;
    for (size_t i = 0; i < 3; i++) {
        json_t *problems, *out;
        size_t count = 99;
        json_t *warnings = lenient(pkgs[i], &problems, &out, &count);

        assert_int_equal(count, 0);
        assert_problem_paths(warnings, 0);
        tu_assert_json_equal(pkgs[i], out, "lenient read of a conformant package");
        json_decref(warnings);
        json_decref(problems);
        json_decref(out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_opensalt_packages),
        cmocka_unit_test(test_our_packages),
        cmocka_unit_test(test_crosswalk_refs_unknown),
        cmocka_unit_test(test_mini_is_good),
        cmocka_unit_test(test_not_json),
        cmocka_unit_test(test_top_level_array),
        cmocka_unit_test(test_too_big),
        cmocka_unit_test(test_exactly_max_bytes_is_parsed),
        cmocka_unit_test(test_missing_cfdocument),
        cmocka_unit_test(test_missing_cfdocument_2019),
        cmocka_unit_test(test_document_missing_title),
        cmocka_unit_test(test_item_bad_uuid),
        cmocka_unit_test(test_bad_last_change),
        cmocka_unit_test(test_unknown_association_type),
        cmocka_unit_test(test_sequence_number_string),
        cmocka_unit_test(test_duplicate_identifier),
        cmocka_unit_test(test_child_of_outside_node),
        cmocka_unit_test(test_child_of_cycle_mini),
        cmocka_unit_test(test_child_of_cycle_2019),
        cmocka_unit_test(test_criterion_missing_item),
        cmocka_unit_test(test_unknown_top_level_key),
        cmocka_unit_test(test_unknown_field_closed_class),
        cmocka_unit_test(test_unknown_field_open_class),
        cmocka_unit_test(test_definitions_shapes),
        cmocka_unit_test(test_exemplar_destination_free),
        cmocka_unit_test(test_too_many_problems),
        cmocka_unit_test(test_validate_appends),
        cmocka_unit_test(test_is_uuid),
        cmocka_unit_test(test_is_strict_uuid),
        cmocka_unit_test(test_association_types),
        cmocka_unit_test(test_wild_time_without_zone),
        cmocka_unit_test(test_wild_time_other_forms),
        cmocka_unit_test(test_wild_time_no_reading),
        cmocka_unit_test(test_wild_uri_string_links),
        cmocka_unit_test(test_wild_uri_string_without_uuid),
        cmocka_unit_test(test_wild_link_object_incomplete),
        cmocka_unit_test(test_wild_null_and_empty_optional),
        cmocka_unit_test(test_wild_numbers_and_text),
        cmocka_unit_test(test_wild_missing_last_change),
        cmocka_unit_test(test_wild_single_subject_link),
        cmocka_unit_test(test_wild_still_refused),
        cmocka_unit_test(test_wild_many_warnings),
        cmocka_unit_test(test_wild_conformant_untouched),
    };

    return cmocka_run_group_tests_name("case", tests, group_setup, group_teardown);
}
