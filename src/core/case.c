/*
 * case.c — the CFPackage validator.
 *
 * The shape checks are table-driven from the CASE 1.0 package schema
 * (1EdTech's case-v1p0-cfpackage-schema.json): one table of fields per class,
 * with its type and whether it is required. On top of the schema come the
 * checks a schema cannot express: identifiers unique in the package,
 * associations whose ends exist, and no cycle in the isChildOf tree.
 */
#include "core/case.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/clock.h"

const char *const case_association_types[] = {
    "isChildOf",   "isPeerOf",   "isPartOf", "exactMatchOf",  "precedes",
    "isRelatedTo", "replacedBy", "exemplar", "hasSkillLevel", NULL,
};

enum ftype {
    T_STR,
    T_UUID,
    T_URI,
    T_DATETIME,
    T_DATE_OPT_NULL, /* date or date-time or null */
    T_DATE_OR_DT,    /* date or date-time */
    T_STRS,          /* array of strings */
    T_STRS_OR_STR,
    T_STRS_OR_NULL,
    T_LINK,         /* LinkURI */
    T_LINK_OR_NULL, /* LinkURI or null */
    T_LINKGEN,      /* LinkGenURI */
    T_LINKS,        /* array of LinkURI */
    T_INT,
    T_NUM,
    T_STR_OR_NULL,
    T_ASSOC_TYPE,
    T_ARRAY, /* array of a nested class */
};

struct cls;

struct field {
    const char *name;
    enum ftype type;
    int required;
    const struct cls *of; /* T_ARRAY */
};

struct cls {
    const char *name;
    int closed; /* additionalProperties: false */
    const struct field *fields;
};

static const struct field f_level[] = {
    {"identifier", T_UUID, 1, NULL},
    {"uri", T_URI, 1, NULL},
    {"lastChangeDateTime", T_DATETIME, 1, NULL},
    {"description", T_STR, 0, NULL},
    {"quality", T_STR, 0, NULL},
    {"score", T_NUM, 0, NULL},
    {"feedback", T_STR, 0, NULL},
    {"position", T_INT, 0, NULL},
    {"rubricCriterionId", T_UUID, 0, NULL},
    {NULL, T_STR, 0, NULL},
};
static const struct cls c_level = {"CFRubricCriterionLevel", 1, f_level};

static const struct field f_criterion[] = {
    {"identifier", T_UUID, 1, NULL},
    {"uri", T_URI, 1, NULL},
    {"lastChangeDateTime", T_DATETIME, 1, NULL},
    {"category", T_STR, 0, NULL},
    {"description", T_STR, 0, NULL},
    {"CFItemURI", T_LINK, 0, NULL},
    {"weight", T_NUM, 0, NULL},
    {"position", T_INT, 0, NULL},
    {"rubricId", T_UUID, 0, NULL},
    {"CFRubricCriterionLevels", T_ARRAY, 0, &c_level},
    {NULL, T_STR, 0, NULL},
};
static const struct cls c_criterion = {"CFRubricCriterion", 1, f_criterion};

static const struct field f_rubric[] = {
    {"identifier", T_UUID, 1, NULL},
    {"uri", T_URI, 1, NULL},
    {"lastChangeDateTime", T_DATETIME, 1, NULL},
    {"title", T_STR, 0, NULL},
    {"description", T_STR, 0, NULL},
    {"CFRubricCriteria", T_ARRAY, 0, &c_criterion},
    {NULL, T_STR, 0, NULL},
};
static const struct cls c_rubric = {"CFRubric", 1, f_rubric};

static const struct field f_document[] = {
    {"identifier", T_UUID, 1, NULL},
    {"uri", T_URI, 1, NULL},
    {"creator", T_STR, 1, NULL},
    {"title", T_STR, 1, NULL},
    {"lastChangeDateTime", T_DATETIME, 1, NULL},
    {"officialSourceURL", T_STR, 0, NULL},
    {"publisher", T_STR, 0, NULL},
    {"description", T_STR, 0, NULL},
    {"subject", T_STRS_OR_STR, 0, NULL},
    {"subjectURI", T_LINKS, 0, NULL},
    {"language", T_STR, 0, NULL},
    {"version", T_STR, 0, NULL},
    {"adoptionStatus", T_STR, 0, NULL},
    {"statusStartDate", T_DATE_OPT_NULL, 0, NULL},
    {"statusEndDate", T_DATE_OPT_NULL, 0, NULL},
    {"licenseURI", T_LINK_OR_NULL, 0, NULL},
    {"notes", T_STR, 0, NULL},
    {"CFPackageURI", T_LINK, 0, NULL},
    {NULL, T_STR, 0, NULL},
};
static const struct cls c_document = {"CFDocument", 0, f_document};

static const struct field f_item[] = {
    {"identifier", T_UUID, 1, NULL},
    {"fullStatement", T_STR, 1, NULL},
    {"uri", T_URI, 1, NULL},
    {"lastChangeDateTime", T_DATETIME, 1, NULL},
    {"alternativeLabel", T_STR, 0, NULL},
    {"CFItemType", T_STR, 0, NULL},
    {"humanCodingScheme", T_STR, 0, NULL},
    {"listEnumeration", T_STR, 0, NULL},
    {"abbreviatedStatement", T_STR, 0, NULL},
    {"conceptKeywords", T_STRS_OR_NULL, 0, NULL},
    {"conceptKeywordsURI", T_LINK_OR_NULL, 0, NULL},
    {"notes", T_STR, 0, NULL},
    {"language", T_STR, 0, NULL},
    {"educationLevel", T_STRS_OR_STR, 0, NULL},
    {"CFItemTypeURI", T_LINK, 0, NULL},
    {"licenseURI", T_LINK, 0, NULL},
    {"statusStartDate", T_DATE_OR_DT, 0, NULL},
    {"statusEndDate", T_DATE_OR_DT, 0, NULL},
    {"CFDocumentURI", T_LINK, 0, NULL},
    {NULL, T_STR, 0, NULL},
};
static const struct cls c_item = {"CFItem", 0, f_item};

static const struct field f_assoc[] = {
    {"identifier", T_UUID, 1, NULL},
    {"associationType", T_ASSOC_TYPE, 1, NULL},
    {"uri", T_URI, 1, NULL},
    {"originNodeURI", T_LINKGEN, 1, NULL},
    {"destinationNodeURI", T_LINKGEN, 1, NULL},
    {"lastChangeDateTime", T_DATETIME, 1, NULL},
    {"sequenceNumber", T_INT, 0, NULL},
    {"CFAssociationGroupingURI", T_LINK_OR_NULL, 0, NULL},
    {"CFDocumentURI", T_LINK, 0, NULL},
    {NULL, T_STR, 0, NULL},
};
static const struct cls c_assoc = {"CFAssociation", 0, f_assoc};

static const struct field f_concept[] = {
    {"identifier", T_UUID, 1, NULL},
    {"uri", T_URI, 1, NULL},
    {"title", T_STR, 1, NULL},
    {"keywords", T_STR, 0, NULL},
    {"hierarchyCode", T_STR, 1, NULL},
    {"description", T_STR, 0, NULL},
    {"lastChangeDateTime", T_DATETIME, 1, NULL},
    {NULL, T_STR, 0, NULL},
};
static const struct cls c_concept = {"CFConcept", 1, f_concept};

static const struct field f_subject[] = {
    {"identifier", T_UUID, 1, NULL}, {"uri", T_URI, 1, NULL},
    {"title", T_STR, 1, NULL},       {"hierarchyCode", T_STR, 1, NULL},
    {"description", T_STR, 0, NULL}, {"lastChangeDateTime", T_DATETIME, 1, NULL},
    {NULL, T_STR, 0, NULL},
};
static const struct cls c_subject = {"CFSubject", 1, f_subject};

static const struct field f_license[] = {
    {"identifier", T_UUID, 1, NULL}, {"uri", T_URI, 1, NULL},
    {"title", T_STR, 1, NULL},       {"description", T_STR, 0, NULL},
    {"licenseText", T_STR, 1, NULL}, {"lastChangeDateTime", T_DATETIME, 1, NULL},
    {NULL, T_STR, 0, NULL},
};
static const struct cls c_license = {"CFLicense", 1, f_license};

static const struct field f_itemtype[] = {
    {"identifier", T_UUID, 1, NULL},
    {"uri", T_URI, 1, NULL},
    {"title", T_STR, 1, NULL},
    {"description", T_STR, 0, NULL},
    {"hierarchyCode", T_STR, 1, NULL},
    {"typeCode", T_STR_OR_NULL, 0, NULL},
    {"lastChangeDateTime", T_DATETIME, 1, NULL},
    {NULL, T_STR, 0, NULL},
};
static const struct cls c_itemtype = {"CFItemType", 1, f_itemtype};

static const struct field f_grouping[] = {
    {"identifier", T_UUID, 1, NULL},
    {"uri", T_URI, 1, NULL},
    {"title", T_STR, 1, NULL},
    {"description", T_STR, 0, NULL},
    {"lastChangeDateTime", T_DATETIME, 1, NULL},
    {NULL, T_STR, 0, NULL},
};
static const struct cls c_grouping = {"CFAssociationGrouping", 1, f_grouping};

static const struct field f_definitions[] = {
    {"CFConcepts", T_ARRAY, 0, &c_concept},
    {"CFSubjects", T_ARRAY, 0, &c_subject},
    {"CFLicenses", T_ARRAY, 0, &c_license},
    {"CFItemTypes", T_ARRAY, 0, &c_itemtype},
    {"CFAssociationGroupings", T_ARRAY, 0, &c_grouping},
    {NULL, T_STR, 0, NULL},
};
static const struct cls c_definitions = {"CFDefinitions", 1, f_definitions};

/* --- problem list -------------------------------------------------------- */

struct check {
    json_t *problems;
    size_t dropped;
};

static void problem(struct check *ck, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(struct check *ck, const char *path, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    if (json_array_size(ck->problems) >= CASE_MAX_PROBLEMS) {
        ck->dropped++;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_array_append_new(ck->problems, json_pack("{s:s, s:s}", "path", path, "message", msg));
}

/* --- scalar formats ------------------------------------------------------ */

int case_is_uuid(const char *s)
{
    static const int groups[] = {8, 4, 4, 4, 12};

    if (s == NULL || strlen(s) != CASE_UUID_CHARS)
        return 0;
    for (int g = 0, i = 0; g < 5; g++) {
        for (int k = 0; k < groups[g]; k++, i++)
            if (!isxdigit((unsigned char)s[i]))
                return 0;
        if (g < 4 && s[i++] != '-')
            return 0;
    }
    return 1;
}

int case_is_strict_uuid(const char *s)
{
    if (!case_is_uuid(s))
        return 0;
    for (const char *p = s; *p; p++)
        if (isupper((unsigned char)*p))
            return 0;
    return s[14] >= '1' && s[14] <= '5' && strchr("89ab", s[19]) != NULL;
}

static int is_uri(const char *s)
{
    const char *p = s;

    if (!isalpha((unsigned char)*p))
        return 0;
    while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
        p++;
    if (*p != ':' || p[1] == '\0')
        return 0;
    for (p++; *p; p++)
        if (isspace((unsigned char)*p))
            return 0;
    return 1;
}

static int is_date(const char *s)
{
    char tmp[32];
    time_t t;

    if (strlen(s) != 10)
        return 0;
    snprintf(tmp, sizeof tmp, "%sT00:00:00Z", s);
    return clock_parse_iso(tmp, &t) == 0;
}

static int is_datetime(const char *s)
{
    time_t t;

    return clock_parse_iso(s, &t) == 0;
}

static const char *type_name(const json_t *v)
{
    if (v == NULL)
        return "nothing";
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "a value";
}

/* --- shape checks -------------------------------------------------------- */

static void check_object(struct check *ck, const json_t *o, const struct cls *c, const char *path);

static void check_link(struct check *ck, const json_t *v, const char *path, int gen)
{
    const char *title, *id, *uri;
    char sub[600];
    const char *key;
    json_t *val;

    if (!json_is_object(v)) {
        problem(ck, path, "must be a link object {title, identifier, uri}, not %s", type_name(v));
        return;
    }
    title = json_string_value(json_object_get(v, "title"));
    id = json_string_value(json_object_get(v, "identifier"));
    uri = json_string_value(json_object_get(v, "uri"));
    if (title == NULL) {
        snprintf(sub, sizeof sub, "%s.title", path);
        problem(ck, sub, "required string is missing");
    }
    snprintf(sub, sizeof sub, "%s.identifier", path);
    if (id == NULL)
        problem(ck, sub, "required string is missing");
    else if (!gen && !case_is_uuid(id))
        problem(ck, sub, "\"%s\" is not a UUID", id);
    snprintf(sub, sizeof sub, "%s.uri", path);
    if (uri == NULL)
        problem(ck, sub, "required string is missing");
    else if (!is_uri(uri))
        problem(ck, sub, "\"%s\" is not an absolute URI", uri);
    json_object_foreach((json_t *)v, key, val)
    {
        (void)val;
        if (strcmp(key, "title") != 0 && strcmp(key, "identifier") != 0 &&
            strcmp(key, "uri") != 0 && !(gen && strcmp(key, "targetType") == 0)) {
            snprintf(sub, sizeof sub, "%s.%s", path, key);
            problem(ck, sub, "unknown field in a link");
        }
    }
}

static int is_strings(const json_t *v)
{
    size_t i;
    json_t *e;

    if (!json_is_array(v))
        return 0;
    json_array_foreach(v, i, e) if (!json_is_string(e)) return 0;
    return 1;
}

static void check_field(struct check *ck, const json_t *v, const struct field *f, const char *path)
{
    const char *s = json_string_value(v);
    char sub[600];
    size_t i;
    json_t *e;

    switch (f->type) {
    case T_STR:
        if (s == NULL)
            problem(ck, path, "must be a string, not %s", type_name(v));
        break;
    case T_STR_OR_NULL:
        if (s == NULL && !json_is_null(v))
            problem(ck, path, "must be a string or null, not %s", type_name(v));
        break;
    case T_UUID:
        if (s == NULL)
            problem(ck, path, "must be a UUID string, not %s", type_name(v));
        else if (!case_is_uuid(s))
            problem(ck, path, "\"%s\" is not a UUID (8-4-4-4-12 hexadecimal digits)", s);
        break;
    case T_URI:
        if (s == NULL)
            problem(ck, path, "must be a URI string, not %s", type_name(v));
        else if (!is_uri(s))
            problem(ck, path, "\"%s\" is not an absolute URI", s);
        break;
    case T_DATETIME:
        if (s == NULL)
            problem(ck, path, "must be a date-time string, not %s", type_name(v));
        else if (!is_datetime(s))
            problem(ck, path, "\"%s\" is not an ISO 8601 date-time like 2024-01-31T12:00:00+00:00",
                    s);
        break;
    case T_DATE_OPT_NULL:
    case T_DATE_OR_DT:
        if (json_is_null(v) && f->type == T_DATE_OPT_NULL)
            break;
        if (s == NULL)
            problem(ck, path, "must be a date string, not %s", type_name(v));
        else if (!is_date(s) && !is_datetime(s))
            problem(ck, path, "\"%s\" is not a date like 2024-01-31", s);
        break;
    case T_STRS:
        if (!is_strings(v))
            problem(ck, path, "must be an array of strings");
        break;
    case T_STRS_OR_STR:
        if (!is_strings(v) && s == NULL)
            problem(ck, path, "must be a string or an array of strings");
        break;
    case T_STRS_OR_NULL:
        if (!is_strings(v) && !json_is_null(v))
            problem(ck, path, "must be an array of strings or null");
        break;
    case T_LINK:
        check_link(ck, v, path, 0);
        break;
    case T_LINK_OR_NULL:
        if (!json_is_null(v))
            check_link(ck, v, path, 0);
        break;
    case T_LINKGEN:
        check_link(ck, v, path, 1);
        break;
    case T_LINKS:
        if (!json_is_array(v)) {
            problem(ck, path, "must be an array of links, not %s", type_name(v));
            break;
        }
        json_array_foreach(v, i, e)
        {
            snprintf(sub, sizeof sub, "%s[%zu]", path, i);
            check_link(ck, e, sub, 0);
        }
        break;
    case T_INT:
        if (!json_is_integer(v))
            problem(ck, path, "must be an integer, not %s", type_name(v));
        else if (json_integer_value(v) > 2147483647 || json_integer_value(v) < -2147483647 - 1)
            problem(ck, path, "is out of the 32-bit integer range");
        break;
    case T_NUM:
        if (!json_is_number(v))
            problem(ck, path, "must be a number, not %s", type_name(v));
        break;
    case T_ASSOC_TYPE: {
        int ok = 0;

        for (int k = 0; s != NULL && case_association_types[k] != NULL; k++)
            ok |= strcmp(s, case_association_types[k]) == 0;
        if (s == NULL)
            problem(ck, path, "must be a string, not %s", type_name(v));
        else if (!ok)
            problem(ck, path,
                    "\"%s\" is not a CASE 1.0 association type (isChildOf, isPeerOf, isPartOf, "
                    "exactMatchOf, precedes, isRelatedTo, replacedBy, exemplar, hasSkillLevel)",
                    s);
        break;
    }
    case T_ARRAY:
        if (!json_is_array(v)) {
            problem(ck, path, "must be an array, not %s", type_name(v));
            break;
        }
        json_array_foreach(v, i, e)
        {
            snprintf(sub, sizeof sub, "%s[%zu]", path, i);
            check_object(ck, e, f->of, sub);
        }
        break;
    }
}

static void check_object(struct check *ck, const json_t *o, const struct cls *c, const char *path)
{
    char sub[600];
    const char *key;
    json_t *val;

    if (!json_is_object(o)) {
        problem(ck, path, "must be a %s object, not %s", c->name, type_name(o));
        return;
    }
    for (const struct field *f = c->fields; f->name != NULL; f++) {
        json_t *v = json_object_get(o, f->name);

        snprintf(sub, sizeof sub, "%s.%s", path, f->name);
        if (v == NULL) {
            if (f->required)
                problem(ck, sub, "required field of %s is missing", c->name);
            continue;
        }
        check_field(ck, v, f, sub);
    }
    if (!c->closed)
        return;
    json_object_foreach((json_t *)o, key, val)
    {
        const struct field *f;

        (void)val;
        for (f = c->fields; f->name != NULL; f++)
            if (strcmp(f->name, key) == 0)
                break;
        if (f->name == NULL) {
            snprintf(sub, sizeof sub, "%s.%s", path, key);
            problem(ck, sub, "unknown field: %s does not allow it", c->name);
        }
    }
}

/* --- semantic checks ----------------------------------------------------- */

/* Records identifier -> first path in seen; reports a duplicate. */
static void note_id(struct check *ck, json_t *seen, const json_t *o, const char *path)
{
    const char *id = json_string_value(json_object_get(o, "identifier"));
    char sub[600];
    json_t *first;

    if (id == NULL)
        return;
    first = json_object_get(seen, id);
    if (first != NULL) {
        snprintf(sub, sizeof sub, "%s.identifier", path);
        problem(ck, sub, "identifier %s is used twice (first at %s)", id, json_string_value(first));
        return;
    }
    json_object_set_new(seen, id, json_string(path));
}

static void note_ids(struct check *ck, json_t *seen, const json_t *arr, const char *path,
                     const char *nested, const char *nested2)
{
    char sub[600], sub2[700];
    size_t i, j, k;
    json_t *o, *c, *l;

    json_array_foreach(arr, i, o)
    {
        snprintf(sub, sizeof sub, "%s[%zu]", path, i);
        note_id(ck, seen, o, sub);
        if (nested == NULL)
            continue;
        json_array_foreach(json_object_get(o, nested), j, c)
        {
            snprintf(sub2, sizeof sub2, "%s.%s[%zu]", sub, nested, j);
            note_id(ck, seen, c, sub2);
            if (nested2 == NULL)
                continue;
            json_array_foreach(json_object_get(c, nested2), k, l)
            {
                char sub3[800];

                snprintf(sub3, sizeof sub3, "%s.%s[%zu]", sub2, nested2, k);
                note_id(ck, seen, l, sub3);
            }
        }
    }
}

static int node_known(const json_t *nodes, const char *id, case_exists_fn exists, void *ctx)
{
    if (json_object_get(nodes, id) != NULL)
        return 1;
    return exists != NULL && exists(ctx, id);
}

/*
 * Every association must join nodes that exist: isChildOf within the package
 * (the tree is the package's own), the other kinds in the package or in the
 * database. exemplar may point at any resource, so its destination is free.
 * Rubric criteria must name an item that exists.
 */
static void check_references(struct check *ck, const json_t *pkg, const json_t *nodes,
                             case_exists_fn exists, void *ctx)
{
    char sub[600];
    size_t i, j;
    json_t *a, *r, *c;

    json_array_foreach(json_object_get(pkg, "CFAssociations"), i, a)
    {
        const char *type = json_string_value(json_object_get(a, "associationType"));
        const char *ends[2] = {"originNodeURI", "destinationNodeURI"};

        if (type == NULL)
            continue;
        for (int e = 0; e < 2; e++) {
            const char *id =
                json_string_value(json_object_get(json_object_get(a, ends[e]), "identifier"));
            int child = strcmp(type, "isChildOf") == 0;

            if (id == NULL || (e == 1 && strcmp(type, "exemplar") == 0))
                continue;
            if (child ? json_object_get(nodes, id) != NULL : node_known(nodes, id, exists, ctx))
                continue;
            snprintf(sub, sizeof sub, "$.CFAssociations[%zu].%s.identifier", i, ends[e]);
            problem(ck, sub,
                    child ? "%s is not a CFDocument or CFItem of this package (an isChildOf "
                            "association must join nodes of the same package)"
                          : "%s is neither in this package nor in a framework already stored",
                    id);
        }
    }
    json_array_foreach(json_object_get(pkg, "CFRubrics"), i, r)
    {
        json_array_foreach(json_object_get(r, "CFRubricCriteria"), j, c)
        {
            const char *id =
                json_string_value(json_object_get(json_object_get(c, "CFItemURI"), "identifier"));

            if (id == NULL || node_known(nodes, id, exists, ctx))
                continue;
            snprintf(sub, sizeof sub, "$.CFRubrics[%zu].CFRubricCriteria[%zu].CFItemURI.identifier",
                     i, j);
            problem(ck, sub, "%s is not a CFItem of this package or of a stored framework", id);
        }
    }
}

/*
 * Finds cycles in the isChildOf graph. Each node has one or more parents;
 * a walk from any node must reach a root. Colours: 0 new, 1 on the current
 * path, 2 done.
 */
static int visit(const json_t *parents, json_t *colour, const char *id, int depth)
{
    json_t *c = json_object_get(colour, id);
    json_t *ps;
    size_t i;
    json_t *p;

    if (c != NULL && json_integer_value(c) == 2)
        return 0;
    if (c != NULL && json_integer_value(c) == 1)
        return 1;
    if (depth > 10000)
        return 1;
    json_object_set_new(colour, id, json_integer(1));
    ps = json_object_get(parents, id);
    json_array_foreach(ps, i, p)
    {
        if (visit(parents, colour, json_string_value(json_object_get(p, "id")), depth + 1))
            return 1;
    }
    json_object_set_new(colour, id, json_integer(2));
    return 0;
}

static void check_cycles(struct check *ck, const json_t *pkg)
{
    json_t *parents = json_object();
    json_t *colour = json_object();
    const char *id;
    json_t *list;
    size_t i;
    json_t *a;

    json_array_foreach(json_object_get(pkg, "CFAssociations"), i, a)
    {
        const char *type = json_string_value(json_object_get(a, "associationType"));
        const char *from =
            json_string_value(json_object_get(json_object_get(a, "originNodeURI"), "identifier"));
        const char *to = json_string_value(
            json_object_get(json_object_get(a, "destinationNodeURI"), "identifier"));
        json_t *l;

        if (type == NULL || from == NULL || to == NULL || strcmp(type, "isChildOf") != 0)
            continue;
        l = json_object_get(parents, from);
        if (l == NULL) {
            l = json_array();
            json_object_set_new(parents, from, l);
        }
        json_array_append_new(l, json_pack("{s:s, s:I}", "id", to, "at", (json_int_t)i));
    }
    json_object_foreach(parents, id, list)
    {
        (void)list;
        if (visit(parents, colour, id, 0)) {
            char path[64];
            json_t *first = json_array_get(json_object_get(parents, id), 0);

            snprintf(path, sizeof path, "$.CFAssociations[%lld]",
                     (long long)json_integer_value(json_object_get(first, "at")));
            problem(ck, path, "isChildOf associations form a cycle through %s", id);
            break;
        }
    }
    json_decref(parents);
    json_decref(colour);
}

void case_validate(const json_t *pkg, case_exists_fn exists, void *ctx, json_t *problems)
{
    static const struct {
        const char *key;
        const struct cls *of;
    } lists[] = {
        {"CFItems", &c_item},
        {"CFAssociations", &c_assoc},
        {"CFRubrics", &c_rubric},
    };
    struct check ck = {problems, 0};
    const json_t *doc, *defs;
    json_t *seen, *nodes;
    const char *key;
    json_t *val;
    size_t i;

    if (!json_is_object(pkg)) {
        problem(&ck, "$", "a CFPackage must be a JSON object, not %s", type_name(pkg));
        return;
    }
    json_object_foreach((json_t *)pkg, key, val)
    {
        (void)val;
        if (strcmp(key, "CFDocument") != 0 && strcmp(key, "CFItems") != 0 &&
            strcmp(key, "CFAssociations") != 0 && strcmp(key, "CFDefinitions") != 0 &&
            strcmp(key, "CFRubrics") != 0) {
            char path[300];

            snprintf(path, sizeof path, "$.%s", key);
            problem(&ck, path,
                    "unknown top-level field (a CFPackage has CFDocument, CFItems, "
                    "CFAssociations, CFDefinitions and CFRubrics)");
        }
    }
    doc = json_object_get(pkg, "CFDocument");
    if (doc == NULL)
        problem(&ck, "$.CFDocument", "required: a package must have a CFDocument");
    else
        check_object(&ck, doc, &c_document, "$.CFDocument");
    for (i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        const json_t *arr = json_object_get(pkg, lists[i].key);
        struct field f = {lists[i].key, T_ARRAY, 0, lists[i].of};
        char path[64];

        if (arr == NULL)
            continue;
        snprintf(path, sizeof path, "$.%s", lists[i].key);
        check_field(&ck, arr, &f, path);
    }
    defs = json_object_get(pkg, "CFDefinitions");
    if (defs != NULL && !(json_is_array(defs) && json_array_size(defs) == 0))
        check_object(&ck, defs, &c_definitions, "$.CFDefinitions");

    /* Identifiers: unique across the whole package. */
    seen = json_object();
    if (json_is_object(doc))
        note_id(&ck, seen, doc, "$.CFDocument");
    note_ids(&ck, seen, json_object_get(pkg, "CFItems"), "$.CFItems", NULL, NULL);
    note_ids(&ck, seen, json_object_get(pkg, "CFAssociations"), "$.CFAssociations", NULL, NULL);
    note_ids(&ck, seen, json_object_get(pkg, "CFRubrics"), "$.CFRubrics", "CFRubricCriteria",
             "CFRubricCriterionLevels");
    if (json_is_object(defs)) {
        static const char *const kinds[] = {"CFConcepts", "CFSubjects", "CFLicenses", "CFItemTypes",
                                            "CFAssociationGroupings"};

        for (i = 0; i < 5; i++) {
            char path[64];

            snprintf(path, sizeof path, "$.CFDefinitions.%s", kinds[i]);
            note_ids(&ck, seen, json_object_get(defs, kinds[i]), path, NULL, NULL);
        }
    }
    json_decref(seen);

    /* The nodes an association may join: the document and its items. */
    nodes = json_object();
    if (json_is_object(doc) && json_is_string(json_object_get(doc, "identifier")))
        json_object_set_new(nodes, json_string_value(json_object_get(doc, "identifier")),
                            json_true());
    json_array_foreach(json_object_get(pkg, "CFItems"), i, val)
    {
        const char *id = json_string_value(json_object_get(val, "identifier"));

        if (id != NULL)
            json_object_set_new(nodes, id, json_true());
    }
    check_references(&ck, pkg, nodes, exists, ctx);
    json_decref(nodes);
    check_cycles(&ck, pkg);

    if (ck.dropped > 0) {
        char msg[32];

        snprintf(msg, sizeof msg, "%zu", ck.dropped);
        json_array_append_new(problems, json_pack("{s:s, s:s+}", "path", "$", "message", msg,
                                                  " more problems not shown"));
    }
}

/*
 * Reads n bytes of JSON into *pkg (NULL when they are not JSON or too many)
 * and sets *problems to a new array holding why not.
 */
static void load(const char *bytes, size_t n, json_t **pkg, json_t **problems)
{
    json_error_t je;

    *pkg = NULL;
    *problems = json_array();
    if (n > CASE_MAX_BYTES) {
        char msg[160];

        snprintf(msg, sizeof msg, "the package is %zu bytes; the limit is %u MB", n,
                 CASE_MAX_BYTES / (1024u * 1024u));
        json_array_append_new(*problems, json_pack("{s:s, s:s}", "path", "$", "message", msg));
        return;
    }
    *pkg = json_loadb(bytes, n, JSON_REJECT_DUPLICATES, &je);
    if (*pkg == NULL) {
        char msg[400];

        snprintf(msg, sizeof msg, "not valid JSON: line %d, column %d: %s", je.line, je.column,
                 je.text);
        json_array_append_new(*problems, json_pack("{s:s, s:s}", "path", "$", "message", msg));
    }
}

void case_parse(const char *bytes, size_t n, case_exists_fn exists, void *ctx, json_t **pkg,
                json_t **problems)
{
    load(bytes, n, pkg, problems);
    if (*pkg != NULL)
        case_validate(*pkg, exists, ctx, *problems);
}

size_t case_parse_lenient(const char *bytes, size_t n, case_exists_fn exists, void *ctx,
                          json_t **pkg, json_t **problems, json_t **warnings)
{
    size_t count = 0;

    *warnings = json_array();
    load(bytes, n, pkg, problems);
    if (*pkg != NULL) {
        count = case_normalize(*pkg, *warnings);
        case_validate(*pkg, exists, ctx, *problems);
    }
    return count;
}

/* --- packages from the wild ---------------------------------------------- */

/* Room for any time worth rewriting (a date-time with a fraction and an offset). */
#define CASE_TIME_MAX 64

/* A path or a message of a warning. */
#define CASE_PATH_MAX 600
#define CASE_MSG_MAX  512

struct norm {
    json_t *warnings;
    size_t count;                 /* rewrites made */
    size_t listed;                /* of them in warnings */
    json_t *titles;               /* identifier -> title, for the objects of the package */
    char doc_time[CASE_TIME_MAX]; /* the CFDocument's lastChangeDateTime; "" when it has none */
};

/* Cuts s before a UTF-8 sequence that snprintf left incomplete at its end. */
static void utf8_trim(char *s)
{
    size_t n = strlen(s), lead = n;
    size_t want;
    unsigned char c;

    while (lead > 0 && n - lead < 4 && ((unsigned char)s[lead - 1] & 0xC0) == 0x80)
        lead--;
    if (lead == 0)
        return;
    c = (unsigned char)s[lead - 1];
    want = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (n - (lead - 1) < want)
        s[lead - 1] = '\0';
}

static void warn(struct norm *nm, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Counts one rewrite and lists it, while the list has room. */
static void warn(struct norm *nm, const char *path, const char *fmt, ...)
{
    char msg[CASE_MSG_MAX];
    va_list ap;

    nm->count++;
    if (nm->listed >= CASE_MAX_PROBLEMS)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    utf8_trim(msg);
    if (json_array_append_new(nm->warnings,
                              json_pack("{s:s, s:s}", "path", path, "message", msg)) == 0)
        nm->listed++;
}

enum { TF_SPACE = 1, TF_ZONELESS = 2, TF_COLON = 4, TF_DATE = 8 };

/*
 * The strict form of a time s written loosely, into out (n bytes). want_dt:
 * the field takes a date-time only (else a date is fine too). Returns what
 * was changed (TF_*), or 0 when s needs no change or has no obvious reading.
 */
static int fix_time(const char *s, int want_dt, char *out, size_t n)
{
    char t[CASE_TIME_MAX];
    size_t len = strlen(s), p = 19;
    int flags = 0;

    if (is_datetime(s) || (!want_dt && is_date(s)) || len + 4 >= sizeof t)
        return 0;
    if (is_date(s)) {
        if (snprintf(out, n, "%sT00:00:00Z", s) >= (int)n)
            return 0;
        return TF_DATE;
    }
    if (len < p)
        return 0;
    memcpy(t, s, len + 1);
    if (t[10] == ' ') {
        t[10] = 'T';
        flags |= TF_SPACE;
    }
    if (t[p] == '.') {
        p++;
        while (isdigit((unsigned char)t[p]))
            p++;
    }
    if (t[p] == '\0') {
        t[p] = 'Z';
        t[p + 1] = '\0';
        flags |= TF_ZONELESS;
    } else if ((t[p] == '+' || t[p] == '-') && strlen(t + p) == 5 &&
               strspn(t + p + 1, "0123456789") == 4) {
        memmove(t + p + 4, t + p + 3, 3); /* "+hhmm" -> "+hh:mm" */
        t[p + 3] = ':';
        flags |= TF_COLON;
    }
    if (flags == 0 || !is_datetime(t) || snprintf(out, n, "%s", t) >= (int)n)
        return 0;
    return flags;
}

static void warn_time(struct norm *nm, const char *path, const char *was, const char *now,
                      int flags)
{
    if (flags & TF_DATE)
        warn(nm, path,
             "\"%s\" is a date where a date-time belongs; it was read as midnight UTC, %s.", was,
             now);
    else if (flags & TF_ZONELESS)
        warn(nm, path, "The time \"%s\" has no zone%s; it was read as UTC, %s.", was,
             (flags & TF_SPACE) ? " and a space for the T" : "", now);
    else if (flags & TF_COLON)
        warn(nm, path, "The time \"%s\" writes its offset without a colon%s; it was read as %s.",
             was, (flags & TF_SPACE) ? " and a space for the T" : "", now);
    else
        warn(nm, path, "The time \"%s\" has a space for the T; it was read as %s.", was, now);
}

/*
 * The UUID that the last segment of uri (after its last '/' or ':', before
 * any query or fragment, a trailing slash forgiven) names, into id (n bytes).
 * Returns 1, or 0 when that segment is not a UUID.
 */
static int uuid_of_uri(const char *uri, char *id, size_t n)
{
    size_t end = strcspn(uri, "?#"), start;

    if (end > 0 && uri[end - 1] == '/')
        end--;
    start = end;
    while (start > 0 && uri[start - 1] != '/' && uri[start - 1] != ':')
        start--;
    if (end - start != CASE_UUID_CHARS || n <= CASE_UUID_CHARS)
        return 0;
    memcpy(id, uri + start, CASE_UUID_CHARS);
    id[CASE_UUID_CHARS] = '\0';
    return case_is_uuid(id);
}

static const char *title_of(const struct norm *nm, const char *id)
{
    const char *t = json_string_value(json_object_get(nm->titles, id));

    return t != NULL ? t : "";
}

/*
 * A link in its strict form. A URI string naming a UUID comes back as a new
 * link object (the caller puts it in place of v); a link object missing its
 * identifier or title gets them in place (NULL returned). NULL too when v has
 * no obvious reading: case_validate reports it.
 */
static json_t *fix_link(struct norm *nm, json_t *v, const char *path)
{
    char id[CASE_UUID_CHARS + 1], sub[CASE_PATH_MAX];
    const char *s = json_string_value(v), *uri, *idv, *title;
    json_t *t;

    if (s != NULL) {
        if (!is_uri(s) || !uuid_of_uri(s, id, sizeof id))
            return NULL;
        title = title_of(nm, id);
        if (title[0] != '\0')
            warn(nm, path, "The link is a URI string; it was read as a link to %s, \"%s\".", id,
                 title);
        else
            warn(nm, path,
                 "The link is a URI string; it was read as a link to %s (no title: that object "
                 "is not in the package).",
                 id);
        return json_pack("{s:s, s:s, s:s}", "title", title, "identifier", id, "uri", s);
    }
    if (!json_is_object(v))
        return NULL;
    uri = json_string_value(json_object_get(v, "uri"));
    if (json_object_get(v, "identifier") == NULL && uri != NULL &&
        uuid_of_uri(uri, id, sizeof id)) {
        json_object_set_new(v, "identifier", json_string(id));
        if (snprintf(sub, sizeof sub, "%s.identifier", path) < (int)sizeof sub)
            warn(nm, sub, "The link has no identifier; the UUID its uri names, %s, was used.", id);
    }
    idv = json_string_value(json_object_get(v, "identifier"));
    t = json_object_get(v, "title");
    if ((t == NULL || json_is_null(t)) && idv != NULL && uri != NULL) {
        title = title_of(nm, idv);
        json_object_set_new(v, "title", json_string(title));
        if (snprintf(sub, sizeof sub, "%s.title", path) >= (int)sizeof sub)
            return NULL;
        if (title[0] != '\0')
            warn(nm, sub, "The link has no title; the title of %s, \"%s\", was used.", idv, title);
        else
            warn(nm, sub, "The link has no title; it was left empty (%s is not in the package).",
                 idv);
    }
    return NULL;
}

/* The number s writes, all of it (integer: a whole number in 32 bits); NULL when none. */
static json_t *number_of(const char *s, int integer)
{
    char *end;
    long long i;
    double d;

    if (s[0] == '\0' || strspn(s, "+-.0123456789eE") != strlen(s))
        return NULL;
    errno = 0;
    i = strtoll(s, &end, 10);
    if (*end == '\0' && errno == 0 && i <= INT32_MAX && i >= INT32_MIN)
        return json_integer((json_int_t)i);
    if (integer)
        return NULL;
    errno = 0;
    d = strtod(s, &end);
    if (*end != '\0' || errno != 0 || !isfinite(d))
        return NULL;
    return json_real(d);
}

static int allows_null(enum ftype t)
{
    return t == T_DATE_OPT_NULL || t == T_STRS_OR_NULL || t == T_LINK_OR_NULL || t == T_STR_OR_NULL;
}

/* 1 when the empty string is a value of the type (text), not a stand-in for "none". */
static int allows_empty(enum ftype t)
{
    return t == T_STR || t == T_STR_OR_NULL || t == T_STRS_OR_STR;
}

static void norm_object(struct norm *nm, json_t *o, const struct cls *c, const char *path);

/* Rewrites field f of object o (at path) when it has one obvious strict reading. */
static void norm_field(struct norm *nm, json_t *o, const struct field *f, const char *path)
{
    json_t *v = json_object_get(o, f->name), *nv, *e;
    const char *s = json_string_value(v);
    char fixed[CASE_TIME_MAX], sub[CASE_PATH_MAX];
    size_t i;
    int flags;

    /* A missing change time: the package's own (the CFDocument's). */
    if (f->required && strcmp(f->name, "lastChangeDateTime") == 0 && nm->doc_time[0] != '\0' &&
        (v == NULL || json_is_null(v) || (s != NULL && s[0] == '\0'))) {
        warn(nm, path, "lastChangeDateTime is missing; the CFDocument's, %s, was used.",
             nm->doc_time);
        json_object_set_new(o, f->name, json_string(nm->doc_time));
        return;
    }
    if (v == NULL)
        return;

    /* null or "" in an optional field that takes neither: the field is absent. */
    if (!f->required && ((json_is_null(v) && !allows_null(f->type)) ||
                         (s != NULL && s[0] == '\0' && !allows_empty(f->type)))) {
        warn(nm, path, "%s",
             json_is_null(v) ? "The optional field is null; it was left out."
                             : "The optional field is an empty string; it was left out.");
        json_object_del(o, f->name);
        return;
    }

    switch (f->type) {
    case T_DATETIME:
    case T_DATE_OPT_NULL:
    case T_DATE_OR_DT:
        if (s != NULL && (flags = fix_time(s, f->type == T_DATETIME, fixed, sizeof fixed)) != 0) {
            warn_time(nm, path, s, fixed, flags);
            json_object_set_new(o, f->name, json_string(fixed));
        }
        break;
    case T_INT:
    case T_NUM:
        if (s != NULL && (nv = number_of(s, f->type == T_INT)) != NULL) {
            warn(nm, path, "The number is written as text, \"%s\"; it was read as a number.", s);
            json_object_set_new(o, f->name, nv);
        }
        break;
    case T_STR:
    case T_STR_OR_NULL:
        if (json_is_integer(v)) {
            char text[32];

            snprintf(text, sizeof text, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
            warn(nm, path, "The text is written as a number, %s; it was read as the text \"%s\".",
                 text, text);
            json_object_set_new(o, f->name, json_string(text));
        }
        break;
    case T_LINK:
    case T_LINK_OR_NULL:
    case T_LINKGEN:
        nv = fix_link(nm, v, path);
        if (nv != NULL)
            json_object_set_new(o, f->name, nv);
        break;
    case T_LINKS:
        if (json_is_string(v) || json_is_object(v)) {
            nv = json_array();
            json_array_append(nv, v);
            warn(nm, path, "%s",
                 "One link is given where a list of links belongs; it was read as a list of one.");
            json_object_set_new(o, f->name, nv);
            v = nv;
        }
        json_array_foreach(v, i, e)
        {
            if (snprintf(sub, sizeof sub, "%s[%zu]", path, i) >= (int)sizeof sub)
                break;
            nv = fix_link(nm, e, sub);
            if (nv != NULL)
                json_array_set_new(v, i, nv);
        }
        break;
    case T_ARRAY:
        json_array_foreach(v, i, e)
        {
            if (snprintf(sub, sizeof sub, "%s[%zu]", path, i) >= (int)sizeof sub)
                break;
            if (json_is_object(e))
                norm_object(nm, e, f->of, sub);
        }
        break;
    default:
        break;
    }
}

static void norm_object(struct norm *nm, json_t *o, const struct cls *c, const char *path)
{
    char sub[CASE_PATH_MAX];

    for (const struct field *f = c->fields; f->name != NULL; f++) {
        if (snprintf(sub, sizeof sub, "%s.%s", path, f->name) >= (int)sizeof sub)
            continue; /* deeper than any package goes */
        norm_field(nm, o, f, sub);
    }
}

/* Notes the title of o (the first of keys it has) under its identifier. */
static void note_title(json_t *titles, const json_t *o, const char *const keys[])
{
    const char *id = json_string_value(json_object_get(o, "identifier"));

    if (id == NULL)
        return;
    for (int k = 0; keys[k] != NULL; k++) {
        const char *t = json_string_value(json_object_get(o, keys[k]));

        if (t != NULL && t[0] != '\0') {
            json_object_set_new(titles, id, json_string(t));
            return;
        }
    }
}

/* identifier -> title of every object of pkg a link may name (a new object). */
static json_t *titles_of(const json_t *pkg)
{
    static const char *const by_title[] = {"title", NULL};
    static const char *const item_keys[] = {"humanCodingScheme", "abbreviatedStatement",
                                            "fullStatement", NULL};
    static const char *const kinds[] = {
        "CFConcepts", "CFSubjects", "CFLicenses", "CFItemTypes", "CFAssociationGroupings", NULL};
    const json_t *defs = json_object_get(pkg, "CFDefinitions");
    json_t *titles = json_object(), *o;
    size_t i;

    note_title(titles, json_object_get(pkg, "CFDocument"), by_title);
    json_array_foreach(json_object_get(pkg, "CFItems"), i, o) note_title(titles, o, item_keys);
    json_array_foreach(json_object_get(pkg, "CFRubrics"), i, o) note_title(titles, o, by_title);
    for (int k = 0; kinds[k] != NULL; k++) {
        json_array_foreach(json_object_get(defs, kinds[k]), i, o) note_title(titles, o, by_title);
    }
    return titles;
}

size_t case_normalize(json_t *pkg, json_t *warnings)
{
    static const struct field lists[] = {
        {"CFItems", T_ARRAY, 0, &c_item},
        {"CFAssociations", T_ARRAY, 0, &c_assoc},
        {"CFRubrics", T_ARRAY, 0, &c_rubric},
        {NULL, T_STR, 0, NULL},
    };
    struct norm nm = {warnings, 0, 0, NULL, ""};
    json_t *doc, *defs;
    char path[CASE_PATH_MAX];

    if (!json_is_object(pkg))
        return 0;
    nm.titles = titles_of(pkg);

    /* The document first: its change time stands in for the ones missing below. */
    doc = json_object_get(pkg, "CFDocument");
    if (json_is_object(doc)) {
        const char *t;

        norm_object(&nm, doc, &c_document, "$.CFDocument");
        t = json_string_value(json_object_get(doc, "lastChangeDateTime"));
        if (t != NULL && is_datetime(t) && strlen(t) < sizeof nm.doc_time)
            snprintf(nm.doc_time, sizeof nm.doc_time, "%s", t);
    }
    for (const struct field *f = lists; f->name != NULL; f++) {
        snprintf(path, sizeof path, "$.%s", f->name);
        norm_field(&nm, pkg, f, path);
    }
    defs = json_object_get(pkg, "CFDefinitions");
    if (json_is_null(defs)) {
        warn(&nm, "$.CFDefinitions", "%s", "The optional field is null; it was left out.");
        json_object_del(pkg, "CFDefinitions");
    } else if (json_is_object(defs)) {
        norm_object(&nm, defs, &c_definitions, "$.CFDefinitions");
    }
    json_decref(nm.titles);

    if (nm.count > nm.listed)
        json_array_append_new(warnings,
                              json_pack("{s:s, s:s}", "path", "$", "message",
                                        "More values were rewritten the same ways; they are "
                                        "counted but not listed."));
    return nm.count;
}
