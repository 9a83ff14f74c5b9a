/*
 * test_framework.c — src/core/framework.c: a CASE package seen as a framework.
 *
 * The CoSN 2019 package gives the tree, weights and rubric; ISTE shows a
 * framework without weights or rubric; the 2009 package and the crosswalk
 * give the crosswalk view. Expected values come from the packages themselves
 * wherever they can, and from data/frameworks/README.md otherwise.
 */
#include "testutil.h"

#include <math.h>

#include "core/framework.h"

#define F2009  TU_F2009
#define F2019  TU_F2019
#define FXWALK TU_FXWALK
#define FISTE  TU_FISTE

static struct tu_packages g_pkgs;
#define g_2009  (g_pkgs.p2009)
#define g_2019  (g_pkgs.p2019)
#define g_xwalk (g_pkgs.xwalk)
#define g_iste  (g_pkgs.iste)

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

/* The item of pkg with humanCodingScheme code; fails the test when there is none. */
static const json_t *item_by_code(const json_t *pkg, const char *code)
{
    size_t i;
    json_t *it;

    json_array_foreach(json_object_get(pkg, "CFItems"), i, it)
    {
        const char *c = tu_str(it, "humanCodingScheme");

        if (c != NULL && strcmp(c, code) == 0)
            return it;
    }
    fail_msg("no item with code %s", code);
    return NULL;
}

static const char *id_by_code(const json_t *pkg, const char *code)
{
    return tu_str(item_by_code(pkg, code), "identifier");
}

/* The criterion whose CFItemURI is item id, or NULL. */
static const json_t *criterion_of(const json_t *pkg, const char *id)
{
    size_t i, j;
    json_t *r, *c;

    json_array_foreach(json_object_get(pkg, "CFRubrics"), i, r)
    {
        json_array_foreach(json_object_get(r, "CFRubricCriteria"), j, c)
        {
            if (strcmp(tu_link_id(c, "CFItemURI"), id) == 0)
                return c;
        }
    }
    return NULL;
}

/*
 * Identifiers of the isChildOf children of parent, ordered by sequenceNumber
 * then array order (computed here independently of framework.c).
 */
static json_t *children_of(const json_t *pkg, const char *parent)
{
    json_t *out = json_array();
    json_int_t last = -1;

    for (;;) {
        json_int_t best = -1;
        size_t i;
        json_t *a;

        /* Smallest sequenceNumber greater than the last one taken. */
        json_array_foreach(json_object_get(pkg, "CFAssociations"), i, a)
        {
            json_int_t seq = json_integer_value(json_object_get(a, "sequenceNumber"));

            if (strcmp(tu_str(a, "associationType"), "isChildOf") != 0 ||
                strcmp(tu_link_id(a, "destinationNodeURI"), parent) != 0)
                continue;
            if (!json_is_integer(json_object_get(a, "sequenceNumber")))
                fail_msg("children_of: association %s has no sequenceNumber",
                         tu_str(a, "identifier"));
            if (seq > last && (best < 0 || seq < best))
                best = seq;
        }
        if (best < 0)
            break;
        json_array_foreach(json_object_get(pkg, "CFAssociations"), i, a)
        {
            if (strcmp(tu_str(a, "associationType"), "isChildOf") == 0 &&
                strcmp(tu_link_id(a, "destinationNodeURI"), parent) == 0 &&
                json_integer_value(json_object_get(a, "sequenceNumber")) == best)
                json_array_append_new(out, json_string(tu_link_id(a, "originNodeURI")));
        }
        last = best;
    }
    return out;
}

static void preorder(const json_t *pkg, const char *id, json_t *out)
{
    json_t *kids = children_of(pkg, id);
    size_t i;
    json_t *k;

    json_array_foreach(kids, i, k)
    {
        json_array_append(out, k);
        preorder(pkg, json_string_value(k), out);
    }
    json_decref(kids);
}

/* Identifiers of a list of node views. */
static json_t *ids_of(const json_t *nodes)
{
    json_t *out = json_array();
    size_t i;
    json_t *n;

    json_array_foreach(nodes, i, n) json_array_append(out, json_object_get(n, "identifier"));
    return out;
}

static double weight_of(const json_t *node)
{
    const json_t *w = json_object_get(node, "weight");

    if (!json_is_number(w))
        fail_msg("node %s has no numeric weight", tu_str(node, "code"));
    return json_number_value(w);
}

static void assert_weight(const json_t *node, double want)
{
    double w = weight_of(node);

    if (fabs(w - want) > 1e-9)
        fail_msg("node %s: weight %g, expected %g", tu_str(node, "code"), w, want);
}

/* Every node of a view tree carries the keys templates test, and the right url. */
static void check_node_keys(const json_t *nodes, const char *base, long *count)
{
    size_t i;
    json_t *n;

    json_array_foreach(nodes, i, n)
    {
        char url[256];

        if (json_object_get(n, "weight_label") == NULL)
            fail_msg("node %s has no weight_label key", tu_str(n, "code"));
        if (json_object_get(n, "notes") == NULL)
            fail_msg("node %s has no notes key", tu_str(n, "code"));
        if (json_object_get(n, "weight") == NULL)
            fail_msg("node %s has no weight key", tu_str(n, "code"));
        snprintf(url, sizeof url, "%s/items/%s", base, tu_str(n, "identifier"));
        assert_string_equal(tu_str(n, "url"), url);
        (*count)++;
        check_node_keys(json_object_get(n, "children"), base, count);
    }
}

/* --- framework_view: CoSN 2019 ------------------------------------------ */

static void test_view_2019_groups(void **state)
{
    static const char *const cats[] = {"I", "II", "III"};
    json_t *v = framework_view(g_2019, "/frameworks/x");
    json_t *groups = json_object_get(v, "groups");

    (void)state;
    assert_non_null(v);
    assert_string_equal(tu_str(v, "title"), tu_str(json_object_get(g_2019, "CFDocument"), "title"));
    assert_string_equal(tu_str(v, "identifier"), tu_doc_id(g_2019));
    assert_int_equal(json_array_size(groups), 3);
    for (size_t i = 0; i < 3; i++) {
        const json_t *g = json_array_get(groups, i);
        const json_t *it = item_by_code(g_2019, cats[i]);

        assert_string_equal(tu_str(g, "code"), cats[i]);
        assert_string_equal(tu_str(g, "name"), tu_str(it, "abbreviatedStatement"));
        assert_string_equal(tu_str(g, "statement"), tu_str(it, "fullStatement"));
        assert_string_equal(tu_str(g, "identifier"), tu_str(it, "identifier"));
        assert_string_equal(tu_str(g, "type"), "Category");
        assert_int_equal(json_integer_value(json_object_get(g, "depth")), 1);
        assert_true(json_is_true(json_object_get(g, "has_children")));
    }
    assert_int_equal(json_integer_value(json_object_get(v, "item_count")),
                     json_array_size(json_object_get(g_2019, "CFItems")));
    assert_int_equal(json_integer_value(json_object_get(v, "second_level_count")), 10);
    json_decref(v);
}

static void test_view_2019_skill_weights(void **state)
{
    static const struct {
        const char *code;
        double weight;
    } want[] = {
        {"I.A", 15}, {"I.B", 15},  {"I.C", 10},  {"II.A", 12}, {"II.B", 9},
        {"II.C", 9}, {"III.A", 9}, {"III.B", 7}, {"III.C", 7}, {"III.D", 7},
    };
    json_t *v = framework_view(g_2019, "/f");
    size_t k = 0, i, j;
    json_t *g, *s;
    double sum = 0;

    (void)state;
    json_array_foreach(json_object_get(v, "groups"), i, g)
    {
        json_array_foreach(json_object_get(g, "children"), j, s)
        {
            const json_t *crit;
            char label[16];

            if (k >= 10)
                fail_msg("more than 10 skill areas (extra: %s)", tu_str(s, "code"));
            assert_string_equal(tu_str(s, "code"), want[k].code);
            assert_string_equal(tu_str(s, "type"), "Skill Area");
            assert_weight(s, want[k].weight);
            snprintf(label, sizeof label, "%.0f%%", want[k].weight);
            assert_string_equal(tu_str(s, "weight_label"), label);
            assert_true(json_is_true(json_object_get(s, "has_rubric")));
            /* The weight is the criterion's. */
            crit = criterion_of(g_2019, tu_str(s, "identifier"));
            assert_non_null(crit);
            assert_true(fabs(json_number_value(json_object_get(crit, "weight")) - weight_of(s)) <
                        1e-9);
            /* The skill's notes are the package's. */
            assert_string_equal(tu_str(s, "notes"),
                                tu_str(item_by_code(g_2019, want[k].code), "notes"));
            sum += weight_of(s);
            k++;
        }
    }
    assert_int_equal(k, 10);
    assert_true(fabs(sum - 100.0) < 1e-9);
    assert_string_equal(
        tu_str(json_array_get(
                   json_object_get(json_array_get(json_object_get(v, "groups"), 0), "children"), 0),
               "weight_label"),
        "15%");
    json_decref(v);
}

static void test_view_2019_category_weights(void **state)
{
    static const double want[] = {40, 30, 30};
    static const char *const labels[] = {"40%", "30%", "30%"};
    json_t *v = framework_view(g_2019, "/f");
    size_t i;
    json_t *g;

    (void)state;
    json_array_foreach(json_object_get(v, "groups"), i, g)
    {
        double sum = 0;
        size_t j;
        json_t *s;

        assert_true(i < 3);
        /* Derived: no criterion of its own, the sum of its skill areas. */
        assert_null(criterion_of(g_2019, tu_str(g, "identifier")));
        assert_false(json_is_true(json_object_get(g, "has_rubric")));
        assert_weight(g, want[i]);
        assert_string_equal(tu_str(g, "weight_label"), labels[i]);
        json_array_foreach(json_object_get(g, "children"), j, s) sum += weight_of(s);
        assert_true(fabs(sum - weight_of(g)) < 1e-9);
    }
    assert_true(json_is_true(json_object_get(v, "has_weights")));
    json_decref(v);
}

static void test_view_2019_core_values(void **state)
{
    json_t *v = framework_view(g_2019, "/f");
    json_t *cvs = json_object_get(v, "core_values");
    json_t *want = json_array();
    size_t i;
    json_t *c, *g, *got;

    (void)state;
    /* Expected: the document's children of type Core Value, in order. */
    {
        json_t *top = children_of(g_2019, tu_doc_id(g_2019));
        json_t *id;

        json_array_foreach(top, i, id)
        {
            size_t k;
            json_t *it;

            json_array_foreach(json_object_get(g_2019, "CFItems"), k, it)
            {
                if (strcmp(tu_str(it, "identifier"), json_string_value(id)) == 0 &&
                    strcmp(tu_str(it, "CFItemType"), "Core Value") == 0)
                    json_array_append(want, id);
            }
        }
        json_decref(top);
    }
    assert_int_equal(json_array_size(want), 5);
    assert_true(json_is_true(json_object_get(v, "has_core_values")));
    got = ids_of(cvs);
    tu_assert_json_equal(want, got, "core value identifiers");
    json_decref(got);
    json_array_foreach(cvs, i, c)
    {
        char code[32];

        snprintf(code, sizeof code, "CV.%zu", i + 1);
        assert_string_equal(tu_str(c, "code"), code);
        assert_string_equal(tu_str(c, "type"), "Core Value");
    }
    /* Listed apart: no group is a core value. */
    json_array_foreach(json_object_get(v, "groups"), i, g)
        assert_string_not_equal(tu_str(g, "type"), "Core Value");
    json_decref(want);
    json_decref(v);
}

static void test_view_2019_rubric(void **state)
{
    static const char *const names[] = {"Emerging", "Developing", "Proficient", "Exemplary"};
    json_t *v = framework_view(g_2019, "/f");
    json_t *r = json_object_get(v, "rubric");
    json_t *levels = json_object_get(r, "levels");

    (void)state;
    assert_true(json_is_true(json_object_get(v, "has_rubric")));
    assert_true(json_is_object(r));
    assert_string_equal(tu_str(r, "title"),
                        tu_str(json_array_get(json_object_get(g_2019, "CFRubrics"), 0), "title"));
    assert_int_equal(json_array_size(levels), 4);
    assert_int_equal(json_integer_value(json_object_get(r, "level_count")), 4);
    for (size_t i = 0; i < 4; i++) {
        const json_t *l = json_array_get(levels, i);

        assert_string_equal(tu_str(l, "quality"), names[i]);
        assert_true(fabs(json_number_value(json_object_get(l, "score")) - (double)(i + 1)) < 1e-9);
    }
    json_decref(v);
}

static void test_view_every_node_has_keys(void **state)
{
    const json_t *pkgs[] = {g_2019, g_2009, g_iste};

    (void)state;
    for (size_t p = 0; p < 3; p++) {
        json_t *v = framework_view(pkgs[p], "/frameworks/abc");
        long count = 0;

        check_node_keys(json_object_get(v, "groups"), "/frameworks/abc", &count);
        check_node_keys(json_object_get(v, "core_values"), "/frameworks/abc", &count);
        /* Every item of these packages is in the tree exactly once. */
        assert_int_equal(count, json_array_size(json_object_get(pkgs[p], "CFItems")));
        assert_string_equal(tu_str(v, "url"), "/frameworks/abc");
        json_decref(v);
    }
}

/* --- framework_view: ISTE ------------------------------------------------ */

static void check_no_weights(const json_t *nodes)
{
    size_t i;
    json_t *n;

    json_array_foreach(nodes, i, n)
    {
        if (!json_is_null(json_object_get(n, "weight")) ||
            !json_is_null(json_object_get(n, "weight_label")))
            fail_msg("ISTE node %s has a weight", tu_str(n, "code"));
        check_no_weights(json_object_get(n, "children"));
    }
}

static void test_view_iste(void **state)
{
    json_t *v = framework_view(g_iste, "/f");
    json_t *groups = json_object_get(v, "groups");
    json_t *want = children_of(g_iste, tu_doc_id(g_iste));
    json_t *got = ids_of(groups);

    (void)state;
    assert_int_equal(json_array_size(groups), 5);
    tu_assert_json_equal(want, got, "ISTE standards in order");
    assert_string_equal(tu_str(json_array_get(groups, 0), "code"), "3.1");
    assert_string_equal(tu_str(json_array_get(groups, 4), "code"), "3.5");
    check_no_weights(groups);
    assert_true(json_is_null(json_object_get(v, "rubric")));
    assert_false(json_is_true(json_object_get(v, "has_rubric")));
    assert_false(json_is_true(json_object_get(v, "has_core_values")));
    {
        const json_t *hw = json_object_get(v, "has_weights");
        const char *seen = json_is_false(hw) ? NULL : json_is_true(hw) ? "true" : "(missing)";

        json_decref(got);
        json_decref(want);
        json_decref(v);
        if (seen != NULL)
            fail_msg("ISTE has no weights, but framework_view says has_weights = %s", seen);
    }
}

/* --- framework_item_view ------------------------------------------------- */

static void test_item_view_skill(void **state)
{
    const char *ia = id_by_code(g_2019, "I.A");
    const json_t *crit = criterion_of(g_2019, ia);
    const json_t *clevels = json_object_get(crit, "CFRubricCriterionLevels");
    json_t *v = framework_item_view(g_2019, ia, NULL, "/frameworks/d");
    json_t *anc, *levels, *kids, *want_kids;

    (void)state;
    assert_non_null(v);
    assert_non_null(crit);
    assert_string_equal(tu_str(json_object_get(v, "item"), "code"), "I.A");
    assert_string_equal(tu_str(json_object_get(v, "item"), "identifier"), ia);
    assert_string_equal(tu_str(json_object_get(v, "framework"), "identifier"), tu_doc_id(g_2019));

    anc = json_object_get(v, "ancestors");
    assert_int_equal(json_array_size(anc), 1);
    assert_string_equal(tu_str(json_array_get(anc, 0), "identifier"), id_by_code(g_2019, "I"));
    assert_string_equal(tu_str(json_array_get(anc, 0), "code"), "I");

    levels = json_object_get(json_object_get(v, "rubric"), "levels");
    assert_int_equal(json_array_size(levels), 4);
    assert_int_equal(json_array_size(clevels), 4);
    for (size_t i = 0; i < 4; i++) {
        const json_t *l = json_array_get(levels, i);
        const json_t *cl = json_array_get(clevels, i);

        assert_true(strlen(tu_str(l, "description")) > 0);
        assert_string_equal(tu_str(l, "description"), tu_str(cl, "description"));
        assert_string_equal(tu_str(l, "quality"), tu_str(cl, "quality"));
        assert_string_equal(tu_str(l, "feedback"), tu_str(cl, "feedback"));
        assert_string_equal(tu_str(l, "identifier"), tu_str(cl, "identifier"));
        assert_true(fabs(json_number_value(json_object_get(l, "score")) - (double)(i + 1)) < 1e-9);
        assert_int_equal(json_integer_value(json_object_get(l, "position")), i + 1);
    }
    assert_string_equal(tu_str(json_object_get(v, "rubric"), "criterion_id"),
                        tu_str(crit, "identifier"));

    kids = ids_of(json_object_get(json_object_get(v, "item"), "children"));
    want_kids = children_of(g_2019, ia);
    assert_true(json_array_size(want_kids) >= 3);
    tu_assert_json_equal(want_kids, kids, "children of I.A");
    json_decref(kids);
    json_decref(want_kids);

    assert_true(json_is_null(json_object_get(v, "prev")));
    assert_string_equal(tu_str(json_object_get(v, "next"), "code"), "I.B");
    assert_false(json_is_true(json_object_get(v, "has_related")));
    json_decref(v);
}

static void test_item_view_edges(void **state)
{
    json_t *v;

    (void)state;
    /* The last skill area of a category: prev, no next. */
    v = framework_item_view(g_2019, id_by_code(g_2019, "I.C"), NULL, "/f");
    assert_string_equal(tu_str(json_object_get(v, "prev"), "code"), "I.B");
    assert_true(json_is_null(json_object_get(v, "next")));
    json_decref(v);

    /* An indicator: two ancestors, no rubric, no children. */
    v = framework_item_view(g_2019, id_by_code(g_2019, "I.A.1"), NULL, "/f");
    assert_non_null(v);
    assert_int_equal(json_array_size(json_object_get(v, "ancestors")), 2);
    assert_string_equal(tu_str(json_array_get(json_object_get(v, "ancestors"), 0), "code"), "I");
    assert_string_equal(tu_str(json_array_get(json_object_get(v, "ancestors"), 1), "code"), "I.A");
    assert_true(json_is_null(json_object_get(v, "rubric")));
    assert_int_equal(json_array_size(json_object_get(json_object_get(v, "item"), "children")), 0);
    json_decref(v);

    /* Unknown items: NULL. */
    assert_null(framework_item_view(g_2019, "00000000-0000-4000-8000-000000000000", NULL, "/f"));
    assert_null(framework_item_view(g_2019, tu_doc_id(g_2009), NULL, "/f"));
    assert_null(framework_item_view(g_2019, id_by_code(g_2009, "1"), NULL, "/f"));
}

static void test_item_view_related(void **state)
{
    const char *ia = id_by_code(g_2019, "I.A");
    json_t *related = json_array();
    json_t *v, *rel;
    size_t i;
    json_t *a;

    (void)state;
    json_array_foreach(json_object_get(g_xwalk, "CFAssociations"), i, a)
    {
        if (strcmp(tu_link_id(a, "destinationNodeURI"), ia) == 0) {
            json_t *c = json_deep_copy(a);

            json_object_set_new(c, "doc", json_string(tu_doc_id(g_2009)));
            json_array_append_new(related, c);
        }
    }
    assert_true(json_array_size(related) > 0);
    v = framework_item_view(g_2019, ia, related, "/f");
    rel = json_object_get(v, "related");
    assert_int_equal(json_array_size(rel), json_array_size(related));
    assert_true(json_is_true(json_object_get(v, "has_related")));
    json_array_foreach(rel, i, a)
    {
        const json_t *src = json_array_get(related, i);
        const char *other = tu_link_id(src, "originNodeURI");
        char url[256];

        assert_string_equal(tu_str(a, "identifier"), other);
        assert_string_equal(tu_str(a, "type"), tu_str(src, "associationType"));
        assert_false(json_is_true(json_object_get(a, "outgoing")));
        snprintf(url, sizeof url, "/frameworks/%s/items/%s", tu_doc_id(g_2009), other);
        assert_string_equal(tu_str(a, "url"), url);
    }
    json_decref(v);
    json_decref(related);
}

/* --- framework_crosswalk_view ------------------------------------------- */

static void test_crosswalk_view(void **state)
{
    const json_t *assocs = json_object_get(g_xwalk, "CFAssociations");
    json_t *v = framework_crosswalk_view(g_2009, g_2019, assocs, "/a", "/b");
    json_t *rows = json_object_get(v, "rows");
    json_t *order = json_array(), *pos = json_object();
    json_t *linked_a = json_object(), *linked_b = json_object();
    json_t *want_only_a = json_array(), *want_only_b = json_array(), *got;
    size_t i, nexact = 0, nexact_data = 0;
    json_int_t last = -1;
    json_t *r, *a, *id;

    (void)state;
    assert_non_null(v);
    preorder(g_2009, tu_doc_id(g_2009), order);
    json_array_foreach(order, i, id)
        json_object_set_new(pos, json_string_value(id), json_integer((json_int_t)i));
    json_array_foreach(assocs, i, a)
    {
        nexact_data += strcmp(tu_str(a, "associationType"), "exactMatchOf") == 0;
        json_object_set_new(linked_a, tu_link_id(a, "originNodeURI"), json_true());
        json_object_set_new(linked_b, tu_link_id(a, "destinationNodeURI"), json_true());
    }

    /* Every crosswalk association is a row; 18 of them exact. */
    assert_int_equal(json_array_size(rows), json_array_size(assocs));
    assert_int_equal(json_integer_value(json_object_get(v, "row_count")), json_array_size(assocs));
    assert_int_equal(nexact_data, 18);
    assert_int_equal(json_integer_value(json_object_get(v, "exact_count")), 18);
    assert_int_equal(json_integer_value(json_object_get(v, "related_count")),
                     json_array_size(assocs) - 18);

    /* Rows list the 2009 side in tree order. */
    json_array_foreach(rows, i, r)
    {
        const char *from = tu_str(json_object_get(r, "from"), "identifier");
        json_t *p = json_object_get(pos, from);

        nexact += json_is_true(json_object_get(r, "exact"));
        if (p == NULL)
            fail_msg("row %zu: %s is not a 2009 item", i, from);
        if (json_integer_value(p) < last)
            fail_msg("row %zu (%s) comes before an earlier row in 2009 tree order", i,
                     tu_str(json_object_get(r, "from"), "code"));
        last = json_integer_value(p);
        assert_non_null(tu_str(json_object_get(r, "to"), "identifier"));
    }
    assert_int_equal(nexact, 18);
    assert_string_equal(tu_str(json_object_get(json_array_get(rows, 0), "from"), "code"), "I");

    /* only_from: the 2009 nodes no association touches, in tree order — all indicators. */
    json_array_foreach(order, i, id)
    {
        if (json_object_get(linked_a, json_string_value(id)) == NULL)
            json_array_append(want_only_a, id);
    }
    assert_true(json_array_size(want_only_a) > 0);
    got = ids_of(json_object_get(v, "only_from"));
    tu_assert_json_equal(want_only_a, got, "only_from");
    json_decref(got);
    json_array_foreach(json_object_get(v, "only_from"), i, r)
        assert_string_equal(tu_str(r, "type"), "Indicator");
    assert_true(json_is_true(json_object_get(v, "has_only_from")));

    /* only_to likewise for the 2019 side. */
    json_array_clear(order);
    preorder(g_2019, tu_doc_id(g_2019), order);
    json_array_foreach(order, i, id)
    {
        if (json_object_get(linked_b, json_string_value(id)) == NULL)
            json_array_append(want_only_b, id);
    }
    got = ids_of(json_object_get(v, "only_to"));
    tu_assert_json_equal(want_only_b, got, "only_to");
    json_decref(got);

    json_decref(want_only_a);
    json_decref(want_only_b);
    json_decref(linked_a);
    json_decref(linked_b);
    json_decref(order);
    json_decref(pos);
    json_decref(v);
}

/* --- sequenceNumber ------------------------------------------------------ */

#define SQ_DOC "a0000000-0000-4000-8000-000000000000"

static json_t *sq_item(const char *id, const char *code)
{
    return json_pack("{s:s, s:s+, s:s, s:s, s:s}", "identifier", id, "uri", "https://example.org/",
                     id, "lastChangeDateTime", "2024-01-01T00:00:00Z", "fullStatement", code,
                     "humanCodingScheme", code);
}

static json_t *sq_child(const char *aid, const char *child, const char *parent, json_int_t seq)
{
    json_t *a = json_pack("{s:s, s:s+, s:s, s:s, s:{s:s, s:s, s:s+}, s:{s:s, s:s, s:s+}}",
                          "identifier", aid, "uri", "https://example.org/", aid,
                          "lastChangeDateTime", "2024-01-01T00:00:00Z", "associationType",
                          "isChildOf", "originNodeURI", "title", "c", "identifier", child, "uri",
                          "https://example.org/", child, "destinationNodeURI", "title", "p",
                          "identifier", parent, "uri", "https://example.org/", parent);

    if (seq >= 0)
        json_object_set_new(a, "sequenceNumber", json_integer(seq));
    return a;
}

static void test_sequence_number_order(void **state)
{
    static const char *const ids[] = {
        "a0000000-0000-4000-8000-000000000001", "a0000000-0000-4000-8000-000000000002",
        "a0000000-0000-4000-8000-000000000003", "a0000000-0000-4000-8000-000000000004",
        "a0000000-0000-4000-8000-000000000005", "a0000000-0000-4000-8000-000000000006",
        "a0000000-0000-4000-8000-000000000007",
    };
    static const char *const codes[] = {"X1", "X2", "X3", "Y1", "Y2", "Z", "W"};
    json_t *pkg =
        json_pack("{s:{s:s, s:s, s:s, s:s, s:s}, s:[], s:[]}", "CFDocument", "identifier", SQ_DOC,
                  "uri", "https://example.org/doc", "creator", "t", "title", "Seq",
                  "lastChangeDateTime", "2024-01-01T00:00:00Z", "CFItems", "CFAssociations");
    json_t *items = json_object_get(pkg, "CFItems");
    json_t *as = json_object_get(pkg, "CFAssociations");
    json_t *v, *groups, *kids;

    (void)state;
    for (size_t i = 0; i < 7; i++)
        json_array_append_new(items, sq_item(ids[i], codes[i]));
    /* Top level, in array order: Z (no number), X1 (3), X2 (2), X3 (1), W (2). */
    json_array_append_new(as, sq_child("b0000000-0000-4000-8000-000000000006", ids[5], SQ_DOC, -1));
    json_array_append_new(as, sq_child("b0000000-0000-4000-8000-000000000001", ids[0], SQ_DOC, 3));
    json_array_append_new(as, sq_child("b0000000-0000-4000-8000-000000000002", ids[1], SQ_DOC, 2));
    json_array_append_new(as, sq_child("b0000000-0000-4000-8000-000000000003", ids[2], SQ_DOC, 1));
    json_array_append_new(as, sq_child("b0000000-0000-4000-8000-000000000007", ids[6], SQ_DOC, 2));
    /* Under X1: Y1 (2), Y2 (1). */
    json_array_append_new(as, sq_child("b0000000-0000-4000-8000-000000000004", ids[3], ids[0], 2));
    json_array_append_new(as, sq_child("b0000000-0000-4000-8000-000000000005", ids[4], ids[0], 1));

    v = framework_view(pkg, "/f");
    groups = json_object_get(v, "groups");
    assert_int_equal(json_array_size(groups), 5);
    /* By number; equal numbers keep package order; unnumbered last. */
    assert_string_equal(tu_str(json_array_get(groups, 0), "code"), "X3");
    assert_string_equal(tu_str(json_array_get(groups, 1), "code"), "X2");
    assert_string_equal(tu_str(json_array_get(groups, 2), "code"), "W");
    assert_string_equal(tu_str(json_array_get(groups, 3), "code"), "X1");
    assert_string_equal(tu_str(json_array_get(groups, 4), "code"), "Z");
    kids = json_object_get(json_array_get(groups, 3), "children");
    assert_int_equal(json_array_size(kids), 2);
    assert_string_equal(tu_str(json_array_get(kids, 0), "code"), "Y2");
    assert_string_equal(tu_str(json_array_get(kids, 1), "code"), "Y1");
    json_decref(v);

    /* Item view prev/next follow the same order. */
    v = framework_item_view(pkg, ids[1], NULL, "/f");
    assert_string_equal(tu_str(json_object_get(v, "prev"), "code"), "X3");
    assert_string_equal(tu_str(json_object_get(v, "next"), "code"), "W");
    json_decref(v);
    json_decref(pkg);
}

static void test_sequence_number_opensalt(void **state)
{
    char path[4096];
    json_t *pkg, *v, *groups, *want, *got;

    (void)state;
    tu_shared_path(path, sizeof path, "testdata/case/SequenceNumberFramework.json");
    pkg = tu_load_json(path);
    v = framework_view(pkg, "/f");
    groups = json_object_get(v, "groups");
    want = children_of(pkg, tu_doc_id(pkg));
    got = ids_of(groups);
    assert_int_equal(json_array_size(groups), 2);
    tu_assert_json_equal(want, got, "OpenSALT sequence order");
    /* The second item in the array comes first. */
    assert_string_equal(tu_str(json_array_get(groups, 0), "code"), "SNT.2");
    assert_string_equal(tu_str(json_array_get(groups, 1), "code"), "SNT.1");
    json_decref(got);
    json_decref(want);
    json_decref(v);
    json_decref(pkg);
}

/* --- small functions ----------------------------------------------------- */

static void test_weight_label(void **state)
{
    char buf[32];

    (void)state;
    framework_weight_label(7.5, buf, sizeof buf);
    assert_string_equal(buf, "7.5%");
    framework_weight_label(15, buf, sizeof buf);
    assert_string_equal(buf, "15%");
    framework_weight_label(40.0, buf, sizeof buf);
    assert_string_equal(buf, "40%");
    framework_weight_label(0, buf, sizeof buf);
    assert_string_equal(buf, "0%");
    framework_weight_label(100, buf, sizeof buf);
    assert_string_equal(buf, "100%");
    framework_weight_label(0.5, buf, sizeof buf);
    assert_string_equal(buf, "0.5%");
    /* 0.1 + 0.2 is not exactly 0.3, but prints as a person expects. */
    framework_weight_label(0.1 + 0.2, buf, sizeof buf);
    assert_string_equal(buf, "0.3%");
    framework_weight_label(9.0 + 3.0, buf, sizeof buf);
    assert_string_equal(buf, "12%");
}

static void test_assoc_label_and_summary(void **state)
{
    json_t *s;

    (void)state;
    assert_string_equal(framework_assoc_label("exactMatchOf"), "exact match");
    assert_string_equal(framework_assoc_label("isRelatedTo"), "related");
    assert_string_equal(framework_assoc_label("somethingElse"), "somethingElse");
    assert_string_equal(framework_assoc_label(NULL), "");
    for (size_t i = 0; i < 9; i++) {
        static const char *const types[] = {"isChildOf",    "isPeerOf", "isPartOf",
                                            "exactMatchOf", "precedes", "isRelatedTo",
                                            "replacedBy",   "exemplar", "hasSkillLevel"};

        /* Every CASE type has words of its own, not the camelCase name. */
        const char *l = framework_assoc_label(types[i]);

        assert_true(strlen(l) > 0);
        for (const char *c = l; *c != '\0'; c++)
            if (*c >= 'A' && *c <= 'Z')
                fail_msg("label of %s is \"%s\"", types[i], l);
    }

    s = framework_summary(json_object_get(g_xwalk, "CFDocument"), 0, 63, 0);
    assert_string_equal(tu_str(s, "kind"), "crosswalk");
    assert_true(json_is_true(json_object_get(s, "is_crosswalk")));
    assert_int_equal(json_integer_value(json_object_get(s, "association_count")), 63);
    json_decref(s);
    s = framework_summary(json_object_get(g_2019, "CFDocument"), 66, 66, 1);
    assert_string_equal(tu_str(s, "kind"), "framework");
    assert_true(json_is_true(json_object_get(s, "has_rubric")));
    {
        char url[128];

        snprintf(url, sizeof url, "/frameworks/%s", tu_doc_id(g_2019));
        assert_string_equal(tu_str(s, "url"), url);
    }
    assert_string_equal(tu_str(s, "title"), tu_str(json_object_get(g_2019, "CFDocument"), "title"));
    json_decref(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_view_2019_groups),
        cmocka_unit_test(test_view_2019_skill_weights),
        cmocka_unit_test(test_view_2019_category_weights),
        cmocka_unit_test(test_view_2019_core_values),
        cmocka_unit_test(test_view_2019_rubric),
        cmocka_unit_test(test_view_every_node_has_keys),
        cmocka_unit_test(test_view_iste),
        cmocka_unit_test(test_item_view_skill),
        cmocka_unit_test(test_item_view_edges),
        cmocka_unit_test(test_item_view_related),
        cmocka_unit_test(test_crosswalk_view),
        cmocka_unit_test(test_sequence_number_order),
        cmocka_unit_test(test_sequence_number_opensalt),
        cmocka_unit_test(test_weight_label),
        cmocka_unit_test(test_assoc_label_and_summary),
    };

    return cmocka_run_group_tests_name("framework", tests, group_setup, group_teardown);
}
