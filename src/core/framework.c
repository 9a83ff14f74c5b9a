/*
 * framework.c — the tree, weights and rubric of a CASE package, as views.
 *
 * Views are JSON objects shaped for the templates: names a person reads
 * ("name", "statement", "weight_label"), booleans for sections that may be
 * absent ("has_children"), and the links the page needs ("url").
 */
#include "core/framework.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Everything derived once from a package. */
struct tree {
    const json_t *pkg;
    const char *doc_id;
    json_t *items;    /* id -> item */
    json_t *children; /* parent id -> [ {id, seq, pos} ] sorted */
    json_t *parent;   /* child id -> parent id (first isChildOf) */
    json_t *criteria; /* item id -> criterion */
    const json_t *rubric;
    const char *base;
};

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static int cmp_child(const void *a, const void *b)
{
    const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
    json_int_t sx = json_integer_value(json_object_get(x, "seq"));
    json_int_t sy = json_integer_value(json_object_get(y, "seq"));
    json_int_t px = json_integer_value(json_object_get(x, "pos"));
    json_int_t py = json_integer_value(json_object_get(y, "pos"));

    if (sx != sy)
        return sx < sy ? -1 : 1;
    return px < py ? -1 : px > py;
}

static void sort_array(json_t *arr)
{
    size_t n = json_array_size(arr);
    json_t **v;

    if (n < 2)
        return;
    v = malloc(n * sizeof *v);
    if (v == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        v[i] = json_incref(json_array_get(arr, i));
    qsort(v, n, sizeof *v, cmp_child);
    json_array_clear(arr);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, v[i]);
    free(v);
}

static void tree_init(struct tree *t, const json_t *pkg, const char *base)
{
    const char *key;
    json_t *val;
    size_t i, j;
    json_t *o, *c;

    memset(t, 0, sizeof *t);
    t->pkg = pkg;
    t->base = base;
    t->doc_id = str(json_object_get(pkg, "CFDocument"), "identifier");
    t->items = json_object();
    t->children = json_object();
    t->parent = json_object();
    t->criteria = json_object();

    json_array_foreach(json_object_get(pkg, "CFItems"), i, o)
    {
        if (str(o, "identifier") != NULL)
            json_object_set(t->items, str(o, "identifier"), o);
    }
    json_array_foreach(json_object_get(pkg, "CFAssociations"), i, o)
    {
        const char *type = str(o, "associationType");
        const char *from = str(json_object_get(o, "originNodeURI"), "identifier");
        const char *to = str(json_object_get(o, "destinationNodeURI"), "identifier");
        json_t *seq = json_object_get(o, "sequenceNumber");
        json_t *list;

        if (type == NULL || from == NULL || to == NULL || strcmp(type, "isChildOf") != 0)
            continue;
        list = json_object_get(t->children, to);
        if (list == NULL) {
            list = json_array();
            json_object_set_new(t->children, to, list);
        }
        json_array_append_new(
            list, json_pack("{s:s, s:I, s:I}", "id", from, "seq",
                            json_is_integer(seq) ? json_integer_value(seq) : (json_int_t)1 << 40,
                            "pos", (json_int_t)i));
        if (json_object_get(t->parent, from) == NULL)
            json_object_set_new(t->parent, from, json_string(to));
    }
    json_object_foreach(t->children, key, val) sort_array(val);

    t->rubric = json_array_get(json_object_get(pkg, "CFRubrics"), 0);
    json_array_foreach(json_object_get(pkg, "CFRubrics"), i, o)
    {
        json_array_foreach(json_object_get(o, "CFRubricCriteria"), j, c)
        {
            const char *item = str(json_object_get(c, "CFItemURI"), "identifier");

            if (item != NULL && json_object_get(t->criteria, item) == NULL)
                json_object_set(t->criteria, item, c);
        }
    }
}

static void tree_free(struct tree *t)
{
    json_decref(t->items);
    json_decref(t->children);
    json_decref(t->parent);
    json_decref(t->criteria);
}

void framework_weight_label(double w, char *buf, size_t n)
{
    if (fabs(w - round(w)) < 1e-9)
        snprintf(buf, n, "%.0f%%", w);
    else
        snprintf(buf, n, "%.1f%%", w);
}

/* The weight of a node: its criterion's, else the sum of its children's when all have one. */
static int node_weight(const struct tree *t, const char *id, double *w, int depth)
{
    const json_t *c = json_object_get(t->criteria, id);
    const json_t *kids = json_object_get(t->children, id);
    double sum = 0;
    size_t i;
    json_t *k;

    if (c != NULL && json_is_number(json_object_get(c, "weight"))) {
        *w = json_number_value(json_object_get(c, "weight"));
        return 1;
    }
    if (kids == NULL || json_array_size(kids) == 0 || depth > 64)
        return 0;
    json_array_foreach(kids, i, k)
    {
        double kw;

        if (!node_weight(t, str(k, "id"), &kw, depth + 1))
            return 0;
        sum += kw;
    }
    *w = sum;
    return 1;
}

static int is_core_value(const json_t *item)
{
    const char *type = str(item, "CFItemType");

    return type != NULL && strcasecmp(type, "Core Value") == 0;
}

/* The fields every node view has, without children. */
static json_t *node_head(const struct tree *t, const json_t *item)
{
    const char *id = str(item, "identifier");
    const char *code = str(item, "humanCodingScheme");
    const char *full = str(item, "fullStatement");
    const char *abbr = str(item, "abbreviatedStatement");
    json_t *v = json_object();
    double w;

    json_object_set_new(v, "identifier", json_string(id));
    json_object_set_new(v, "code", code != NULL ? json_string(code) : json_null());
    json_object_set_new(v, "name", json_string(abbr != NULL ? abbr : full != NULL ? full : ""));
    json_object_set_new(v, "statement", json_string(full != NULL ? full : ""));
    json_object_set_new(v, "has_statement",
                        json_boolean(abbr != NULL && full != NULL && strcmp(abbr, full) != 0));
    json_object_set_new(v, "type",
                        str(item, "CFItemType") != NULL ? json_string(str(item, "CFItemType"))
                                                        : json_null());
    /* Every key the templates test is present (null when empty): a missing key
     * would make Mustache look it up in the enclosing node instead. */
    json_object_set_new(v, "notes",
                        str(item, "notes") != NULL ? json_string(str(item, "notes")) : json_null());
    json_object_set_new(v, "url", json_sprintf("%s/items/%s", t->base, id));
    if (node_weight(t, id, &w, 0)) {
        char label[32];

        framework_weight_label(w, label, sizeof label);
        json_object_set_new(v, "weight", json_real(w));
        json_object_set_new(v, "weight_label", json_string(label));
    } else {
        json_object_set_new(v, "weight", json_null());
        json_object_set_new(v, "weight_label", json_null());
    }
    json_object_set_new(v, "has_rubric", json_boolean(json_object_get(t->criteria, id) != NULL));
    return v;
}

/* A node and its descendants; depth 1 is a top-level node. */
static json_t *node_tree(const struct tree *t, const char *id, int depth)
{
    const json_t *item = json_object_get(t->items, id);
    const json_t *kids = json_object_get(t->children, id);
    json_t *v, *arr;
    size_t i;
    json_t *k;

    if (item == NULL)
        return NULL;
    v = node_head(t, item);
    arr = json_array();
    if (depth < 32) {
        json_array_foreach(kids, i, k)
        {
            json_t *child = node_tree(t, str(k, "id"), depth + 1);

            if (child != NULL)
                json_array_append_new(arr, child);
        }
    }
    json_object_set_new(v, "depth", json_integer(depth));
    json_object_set_new(v, "hlevel", json_integer(depth + 1 > 6 ? 6 : depth + 1));
    json_object_set_new(v, "has_children", json_boolean(json_array_size(arr) > 0));
    json_object_set_new(v, "child_count", json_integer((json_int_t)json_array_size(arr)));
    {
        int leaves = json_array_size(arr) > 0;

        json_array_foreach(arr, i, k) leaves &= !json_is_true(json_object_get(k, "has_children"));
        json_object_set_new(v, "children_are_leaves", json_boolean(leaves));
    }
    json_object_set_new(v, "children", arr);
    return v;
}

static json_t *doc_fields(const json_t *doc)
{
    static const char *const keys[][2] = {
        {"identifier", "identifier"},
        {"title", "title"},
        {"creator", "creator"},
        {"publisher", "publisher"},
        {"version", "version"},
        {"description", "description"},
        {"notes", "notes"},
        {"adoptionStatus", "adoption_status"},
        {"language", "language"},
        {"lastChangeDateTime", "last_change"},
        {"officialSourceURL", "official_source_url"},
        {"uri", "uri"},
        {"statusStartDate", "status_start"},
    };
    json_t *v = json_object();

    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *s = str(doc, keys[i][0]);

        if (s != NULL)
            json_object_set_new(v, keys[i][1], json_string(s));
    }
    return v;
}

static json_t *rubric_head(const json_t *rubric)
{
    json_t *v = json_object();
    json_t *levels = json_array();
    const json_t *first = json_array_get(json_object_get(rubric, "CFRubricCriteria"), 0);
    size_t i;
    json_t *l;

    json_object_set_new(v, "identifier", json_string(str(rubric, "identifier")));
    json_object_set_new(v, "title",
                        json_string(str(rubric, "title") ? str(rubric, "title") : "Rubric"));
    if (str(rubric, "description") != NULL)
        json_object_set_new(v, "description", json_string(str(rubric, "description")));
    json_array_foreach(json_object_get(first, "CFRubricCriterionLevels"), i, l)
    {
        json_t *lv = json_object();

        json_object_set_new(lv, "quality", json_string(str(l, "quality") ? str(l, "quality") : ""));
        if (json_is_number(json_object_get(l, "score")))
            json_object_set_new(lv, "score",
                                json_real(json_number_value(json_object_get(l, "score"))));
        json_array_append_new(levels, lv);
    }
    json_object_set_new(v, "levels", levels);
    json_object_set_new(v, "level_count", json_integer((json_int_t)json_array_size(levels)));
    return v;
}

static void count_nodes(const json_t *nodes, long *n)
{
    size_t i;
    json_t *c;

    json_array_foreach(nodes, i, c)
    {
        (*n)++;
        count_nodes(json_object_get(c, "children"), n);
    }
}

json_t *framework_view(const json_t *pkg, const char *base)
{
    struct tree t;
    json_t *v, *groups, *values;
    const json_t *top;
    size_t i;
    json_t *k;
    long nitems = 0, nskills = 0;
    int weighted = 0;

    tree_init(&t, pkg, base);
    v = doc_fields(json_object_get(pkg, "CFDocument"));
    json_object_set_new(v, "url", json_string(base));
    groups = json_array();
    values = json_array();
    top = t.doc_id != NULL ? json_object_get(t.children, t.doc_id) : NULL;
    json_array_foreach(top, i, k)
    {
        const json_t *item = json_object_get(t.items, str(k, "id"));
        json_t *node = node_tree(&t, str(k, "id"), 1);

        if (node == NULL)
            continue;
        if (json_is_number(json_object_get(node, "weight")))
            weighted = 1;
        json_array_append_new(is_core_value(item) ? values : groups, node);
    }
    count_nodes(groups, &nitems);
    count_nodes(values, &nitems);
    json_array_foreach(groups, i, k) nskills +=
        (long)json_array_size(json_object_get(k, "children"));

    json_object_set_new(v, "groups", groups);
    json_object_set_new(v, "core_values", values);
    json_object_set_new(v, "has_core_values", json_boolean(json_array_size(values) > 0));
    json_object_set_new(v, "has_weights", json_boolean(weighted));
    json_object_set_new(v, "item_count", json_integer(nitems));
    json_object_set_new(v, "second_level_count", json_integer(nskills));
    json_object_set_new(v, "rubric", t.rubric != NULL ? rubric_head(t.rubric) : json_null());
    json_object_set_new(v, "has_rubric", json_boolean(t.rubric != NULL));
    tree_free(&t);
    return v;
}

const char *framework_assoc_label(const char *type)
{
    static const char *const labels[][2] = {
        {"isChildOf", "part of"},         {"isPeerOf", "peer of"},
        {"isPartOf", "part of"},          {"exactMatchOf", "exact match"},
        {"precedes", "comes before"},     {"isRelatedTo", "related"},
        {"replacedBy", "replaced by"},    {"exemplar", "exemplar"},
        {"hasSkillLevel", "skill level"},
    };

    for (size_t i = 0; type != NULL && i < sizeof labels / sizeof labels[0]; i++)
        if (strcmp(type, labels[i][0]) == 0)
            return labels[i][1];
    return type != NULL ? type : "";
}

json_t *framework_item_view(const json_t *pkg, const char *item_id, const json_t *related,
                            const char *base)
{
    struct tree t;
    const json_t *c;
    json_t *v, *node, *anc, *rel;
    const char *p;
    size_t i;
    json_t *a;
    int guard = 0;

    tree_init(&t, pkg, base);
    node = node_tree(&t, item_id, 1);
    if (node == NULL) {
        tree_free(&t);
        return NULL;
    }
    v = json_object();
    json_object_set_new(v, "framework", doc_fields(json_object_get(pkg, "CFDocument")));
    json_object_set_new(json_object_get(v, "framework"), "url", json_string(base));
    json_object_set_new(v, "item", node);

    /* Ancestors, outermost first. */
    anc = json_array();
    for (p = str(t.parent, item_id); p != NULL && guard < 64; p = str(t.parent, p), guard++) {
        const json_t *it = json_object_get(t.items, p);

        if (it == NULL)
            break;
        json_array_insert_new(anc, 0, node_head(&t, it));
    }
    json_object_set_new(v, "ancestors", anc);

    /* Previous and next sibling of the same kind (core values are listed apart). */
    {
        const char *par = str(t.parent, item_id);
        const json_t *sibs = par != NULL ? json_object_get(t.children, par) : NULL;
        int cv = is_core_value(json_object_get(t.items, item_id));
        const json_t *prev = NULL, *next = NULL;
        int seen = 0;
        json_t *k;

        json_array_foreach(sibs, i, k)
        {
            const json_t *it = json_object_get(t.items, str(k, "id"));

            if (it == NULL || is_core_value(it) != cv)
                continue;
            if (strcmp(str(k, "id"), item_id) == 0) {
                seen = 1;
            } else if (!seen) {
                prev = it;
            } else {
                next = it;
                break;
            }
        }
        if (prev != NULL)
            json_object_set_new(v, "prev", node_head(&t, prev));
        if (next != NULL)
            json_object_set_new(v, "next", node_head(&t, next));
    }

    if (json_object_get(v, "prev") == NULL)
        json_object_set_new(v, "prev", json_null());
    if (json_object_get(v, "next") == NULL)
        json_object_set_new(v, "next", json_null());
    c = json_object_get(t.criteria, item_id);
    if (c != NULL) {
        json_t *r = json_object();
        json_t *levels = json_array();
        json_t *l;

        json_object_set_new(
            r, "title", json_string(str(t.rubric, "title") ? str(t.rubric, "title") : "Rubric"));
        json_object_set_new(r, "criterion_id", json_string(str(c, "identifier")));
        if (str(c, "description") != NULL)
            json_object_set_new(r, "description", json_string(str(c, "description")));
        json_array_foreach(json_object_get(c, "CFRubricCriterionLevels"), i, l)
        {
            json_t *lv = json_object();
            json_t *score = json_object_get(l, "score");

            json_object_set_new(lv, "identifier", json_string(str(l, "identifier")));
            json_object_set_new(lv, "quality",
                                json_string(str(l, "quality") ? str(l, "quality") : ""));
            json_object_set_new(lv, "description",
                                json_string(str(l, "description") ? str(l, "description") : ""));
            json_object_set_new(lv, "feedback",
                                str(l, "feedback") != NULL ? json_string(str(l, "feedback"))
                                                           : json_null());
            json_object_set_new(lv, "position", json_integer((json_int_t)i + 1));
            if (json_is_number(score)) {
                char sb[32];

                snprintf(sb, sizeof sb, "%g", json_number_value(score));
                json_object_set_new(lv, "score", json_real(json_number_value(score)));
                json_object_set_new(lv, "score_label", json_string(sb));
            }
            json_array_append_new(levels, lv);
        }
        json_object_set_new(r, "levels", levels);
        json_object_set_new(v, "rubric", r);
    } else {
        json_object_set_new(v, "rubric", json_null());
    }

    /* Links to nodes in other frameworks (crosswalks) or elsewhere in this one. */
    rel = json_array();
    json_array_foreach(related, i, a)
    {
        const char *type = str(a, "associationType");
        const char *from = str(json_object_get(a, "originNodeURI"), "identifier");
        int outgoing = from != NULL && strcmp(from, item_id) == 0;
        const json_t *other = json_object_get(a, outgoing ? "destinationNodeURI" : "originNodeURI");
        json_t *r;

        if (type == NULL || strcmp(type, "isChildOf") == 0 || other == NULL)
            continue;
        r = json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:b}", "type", type, "label",
                      framework_assoc_label(type), "identifier", str(other, "identifier"), "title",
                      str(other, "title"), "uri", str(other, "uri"), "outgoing", outgoing);
        if (r == NULL)
            continue;
        if (str(a, "doc") != NULL)
            json_object_set_new(
                r, "url",
                json_sprintf("/frameworks/%s/items/%s", str(a, "doc"), str(other, "identifier")));
        json_object_set_new(r, "framework_title",
                            str(a, "doc_title") != NULL ? json_string(str(a, "doc_title"))
                                                        : json_null());
        json_object_set_new(r, "framework_version",
                            str(a, "doc_version") != NULL ? json_string(str(a, "doc_version"))
                                                          : json_null());
        if (json_object_get(r, "url") == NULL)
            json_object_set_new(r, "url", json_null());
        json_array_append_new(rel, r);
    }
    json_object_set_new(v, "related", rel);
    json_object_set_new(v, "has_related", json_boolean(json_array_size(rel) > 0));
    tree_free(&t);
    return v;
}

/* Pre-order list of the item identifiers of a package's tree. */
static void preorder(const struct tree *t, const char *id, json_t *out, int depth)
{
    size_t i;
    json_t *k;

    if (depth > 32)
        return;
    json_array_foreach(json_object_get(t->children, id), i, k)
    {
        json_array_append_new(out, json_string(str(k, "id")));
        preorder(t, str(k, "id"), out, depth + 1);
    }
}

json_t *framework_crosswalk_view(const json_t *a, const json_t *b, const json_t *assocs,
                                 const char *base_a, const char *base_b)
{
    struct tree ta, tb;
    json_t *v, *rows, *order, *matched_a, *matched_b, *only_a, *only_b, *counts;
    size_t i, j;
    json_t *id, *as;

    tree_init(&ta, a, base_a);
    tree_init(&tb, b, base_b);
    v = json_object();
    json_object_set_new(v, "from", doc_fields(json_object_get(a, "CFDocument")));
    json_object_set_new(json_object_get(v, "from"), "url", json_string(base_a));
    json_object_set_new(v, "to", doc_fields(json_object_get(b, "CFDocument")));
    json_object_set_new(json_object_get(v, "to"), "url", json_string(base_b));

    order = json_array();
    preorder(&ta, ta.doc_id, order, 0);
    rows = json_array();
    matched_a = json_object();
    matched_b = json_object();
    counts = json_object();
    json_array_foreach(order, i, id)
    {
        const char *aid = json_string_value(id);

        json_array_foreach(assocs, j, as)
        {
            const char *type = str(as, "associationType");
            const char *o = str(json_object_get(as, "originNodeURI"), "identifier");
            const char *d = str(json_object_get(as, "destinationNodeURI"), "identifier");
            const char *other = NULL;
            const json_t *ia, *ib;
            json_t *row, *cnt;

            if (type == NULL || o == NULL || d == NULL || strcmp(type, "isChildOf") == 0)
                continue;
            if (strcmp(o, aid) == 0 && json_object_get(tb.items, d) != NULL)
                other = d;
            else if (strcmp(d, aid) == 0 && json_object_get(tb.items, o) != NULL)
                other = o;
            if (other == NULL)
                continue;
            ia = json_object_get(ta.items, aid);
            ib = json_object_get(tb.items, other);
            row = json_object();
            json_object_set_new(row, "from", node_head(&ta, ia));
            json_object_set_new(row, "to", node_head(&tb, ib));
            json_object_set_new(row, "type", json_string(type));
            json_object_set_new(row, "label", json_string(framework_assoc_label(type)));
            json_object_set_new(row, "exact", json_boolean(strcmp(type, "exactMatchOf") == 0));
            json_array_append_new(rows, row);
            json_object_set_new(matched_a, aid, json_true());
            json_object_set_new(matched_b, other, json_true());
            cnt = json_object_get(counts, type);
            json_object_set_new(counts, type, json_integer(json_integer_value(cnt) + 1));
        }
    }

    only_a = json_array();
    json_array_foreach(order, i, id)
    {
        if (json_object_get(matched_a, json_string_value(id)) == NULL)
            json_array_append_new(only_a,
                                  node_head(&ta, json_object_get(ta.items, json_string_value(id))));
    }
    json_array_clear(order);
    preorder(&tb, tb.doc_id, order, 0);
    only_b = json_array();
    json_array_foreach(order, i, id)
    {
        if (json_object_get(matched_b, json_string_value(id)) == NULL)
            json_array_append_new(only_b,
                                  node_head(&tb, json_object_get(tb.items, json_string_value(id))));
    }
    json_object_set_new(v, "rows", rows);
    json_object_set_new(v, "row_count", json_integer((json_int_t)json_array_size(rows)));
    json_object_set_new(v, "exact_count",
                        json_integer(json_integer_value(json_object_get(counts, "exactMatchOf"))));
    json_object_set_new(v, "related_count",
                        json_integer(json_integer_value(json_object_get(counts, "isRelatedTo"))));
    json_object_set_new(v, "only_from", only_a);
    json_object_set_new(v, "only_to", only_b);
    json_object_set_new(v, "has_only_from", json_boolean(json_array_size(only_a) > 0));
    json_object_set_new(v, "has_only_to", json_boolean(json_array_size(only_b) > 0));
    json_decref(order);
    json_decref(matched_a);
    json_decref(matched_b);
    json_decref(counts);
    tree_free(&ta);
    tree_free(&tb);
    return v;
}

json_t *framework_summary(const json_t *doc, long items, long associations, long rubrics)
{
    json_t *v = doc_fields(doc);
    const char *kind = items == 0 && associations > 0 ? "crosswalk" : "framework";

    json_object_set_new(v, "kind", json_string(kind));
    json_object_set_new(v, "is_crosswalk", json_boolean(strcmp(kind, "crosswalk") == 0));
    json_object_set_new(v, "item_count", json_integer(items));
    json_object_set_new(v, "association_count", json_integer(associations));
    json_object_set_new(v, "has_rubric", json_boolean(rubrics > 0));
    json_object_set_new(v, "url", json_sprintf("/frameworks/%s", str(doc, "identifier")));
    return v;
}
