/*
 * reach.c — what a person's roles reach in the organization tree, and lists
 * filtered by it in SQL.
 *
 * A grant in an organization reaches that organization and everything below
 * it. The tree is walked by a recursive query, so the cost is one query per
 * request however many grants and organizations there are, and a list of
 * people is cut to the reach by the database (it never sends rows the viewer
 * may not see, and never needs a query per row).
 */
#include <stdlib.h>
#include <string.h>

#include "store/store_impl.h"

int store_reach_rows(struct store *s, const char *person, json_t **out, struct cf_error *err)
{
    /* UNION (not UNION ALL) ends the walk even if the tree held a cycle. */
    return store__query(s,
                        "WITH RECURSIVE r(role, root, org_id) AS ("
                        " SELECT role, org_id, org_id FROM grants WHERE person_id = ?"
                        " UNION"
                        " SELECT r.role, r.root, o.id FROM orgs o JOIN r ON o.parent_id = r.org_id)"
                        " SELECT role, root, org_id FROM r",
                        "role,root,org_id", out, err, "s", person);
}

/* "%piece%" for LIKE, with % _ and \ escaped (ESCAPE '\'), lowercased; "" for none. */
static void like_pattern(const char *q, char *out, size_t n)
{
    size_t o = 0;

    if (q == NULL || q[0] == '\0' || n < 3) {
        out[0] = '\0';
        return;
    }
    out[o++] = '%';
    for (const char *p = q; *p != '\0' && o + 3 < n; p++) {
        char c = *p;

        if (c == '%' || c == '_' || c == '\\')
            out[o++] = '\\';
        out[o++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    out[o++] = '%';
    out[o] = '\0';
}

/*
 * The people queries. Two shapes, so each can use an index: everyone (for
 * program-wide roles: people in name order, by the people_name index) and
 * the reach (driven from the organizations reached, by people_org). Both
 * take, after their own parameters, the org filter (twice: the subtree's
 * root, and "no filter") and the search pattern three times ("no search",
 * name, e-mail).
 */
#define ORG_FILTER_CTE                                                                             \
    " f(org_id) AS (SELECT id FROM orgs WHERE id = ?"                                              \
    " UNION SELECT o.id FROM orgs o JOIN f ON o.parent_id = f.org_id)"
#define PEOPLE_FILTER                                                                              \
    " WHERE p.status <> 'erased'"                                                                  \
    " AND (CAST(? AS TEXT) IS NULL OR p.org_id IN (SELECT org_id FROM f))"                         \
    " AND (CAST(? AS TEXT) IS NULL OR lower(p.name) LIKE ? ESCAPE '\\'"                            \
    " OR p.email LIKE ? ESCAPE '\\')"
/* Parameters: the org filter's root, then PEOPLE_FILTER's. */
#define PEOPLE_ALL_SQL(cols, join)                                                                 \
    "WITH RECURSIVE" ORG_FILTER_CTE " SELECT " cols " FROM people p" join PEOPLE_FILTER
/* Parameters: viewer, roles (comma-separated), the org filter's root, then PEOPLE_FILTER's. */
#define PEOPLE_REACH_SQL(cols, join)                                                               \
    "WITH RECURSIVE r(org_id) AS ("                                                                \
    " SELECT org_id FROM grants WHERE person_id = ?"                                               \
    " AND (',' || CAST(? AS TEXT) || ',') LIKE ('%,' || role || ',%')"                             \
    " UNION SELECT o.id FROM orgs o JOIN r ON o.parent_id = r.org_id)," ORG_FILTER_CTE             \
    " SELECT " cols " FROM r JOIN people p ON p.org_id = r.org_id" join PEOPLE_FILTER
/* The organization's name comes with a page's rows; a count needs no join. */
#define ORG_JOIN " LEFT JOIN orgs o ON o.id = p.org_id"

/* "No limit" (PostgreSQL refuses LIMIT -1). */
#define PEOPLE_NO_LIMIT 1000000000L

#define PEOPLE_COLS                                                                                \
    "p.id, p.email, p.name, p.title, p.org_id, p.status, p.pseudonym, p.created_at,"               \
    " p.updated_at, o.name"
#define PEOPLE_ORDER " ORDER BY lower(p.name), p.id LIMIT ? OFFSET ?"
/* The same order, in words the name index does not match: the reach (few rows, from
 * people_org) drives the query instead of a walk of every person in name order. */
#define REACH_ORDER " ORDER BY lower(p.name) || '', p.id LIMIT ? OFFSET ?"

int store_people_page(struct store *s, const struct store_people_query *pq, json_t **out,
                      long *total, struct cf_error *err)
{
    static const char all_page[] = PEOPLE_ALL_SQL(PEOPLE_COLS, ORG_JOIN) PEOPLE_ORDER;
    static const char all_count[] = PEOPLE_ALL_SQL("COUNT(*)", "");
    static const char reach_page[] = PEOPLE_REACH_SQL(PEOPLE_COLS, ORG_JOIN) REACH_ORDER;
    static const char reach_count[] = PEOPLE_REACH_SQL("COUNT(*)", "");
    static const char cols[] =
        "id,email,name,title,org_id,status,pseudonym,created_at,updated_at,org_name";
    char pat[512];
    const char *pp, *viewer = pq->viewer != NULL ? pq->viewer : "";
    const char *roles = pq->roles != NULL ? pq->roles : "";
    long limit = pq->limit > 0 ? pq->limit : PEOPLE_NO_LIMIT,
         offset = pq->offset > 0 ? pq->offset : 0;
    json_t *n = NULL;
    int rc;

    *out = NULL;
    *total = 0;
    like_pattern(pq->q, pat, sizeof pat);
    pp = pat[0] != '\0' ? pat : NULL;
    if (pq->everywhere)
        rc = store__query_one(s, all_count, "n#", &n, err, "sssss", pq->org, pq->org, pp, pp, pp);
    else
        rc = store__query_one(s, reach_count, "n#", &n, err, "sssssss", viewer, roles, pq->org,
                              pq->org, pp, pp, pp);
    if (rc != CF_OK)
        return rc;
    *total = (long)json_integer_value(json_object_get(n, "n"));
    json_decref(n);
    if (pq->everywhere)
        return store__query(s, all_page, cols, out, err, "sssssll", pq->org, pq->org, pp, pp, pp,
                            limit, offset);
    return store__query(s, reach_page, cols, out, err, "sssssssll", viewer, roles, pq->org, pq->org,
                        pp, pp, pp, limit, offset);
}

/* One statement for a list of ids of any length (store_impl.h). */
int store__query_ids(struct store *s, const char *sqlite_sql, const char *pg_sql, const char *cols,
                     const json_t *ids, json_t **out, struct cf_error *err)
{
    char *text;
    int rc;

    *out = NULL;
    if (json_array_size(ids) == 0) {
        *out = json_array();
        return CF_OK;
    }
    text = store__dump(ids);
    if (text == NULL)
        return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
    rc = store__query(s, db_kind(s->db) == DB_SQLITE ? sqlite_sql : pg_sql, cols, out, err, "s",
                      text);
    free(text);
    return rc;
}

#define GRANTS_SQL(in)                                                                             \
    "SELECT g.person_id, g.role, g.org_id, o.name, o.kind, g.created_at"                           \
    " FROM grants g JOIN orgs o ON o.id = g.org_id WHERE g.person_id" in                           \
    " ORDER BY g.role, o.name"

int store_grants_of_people(struct store *s, const json_t *ids, json_t **out, struct cf_error *err)
{
    static const char sqlite_sql[] = GRANTS_SQL(IDS_SQLITE);
    static const char pg_sql[] = GRANTS_SQL(IDS_PG);

    return store__query_ids(s, sqlite_sql, pg_sql,
                            "person_id,role,org_id,org_name,org_kind,created_at", ids, out, err);
}

#define ORGS_IN_SQL(in)                                                                            \
    "SELECT o.id, o.kind, o.name, o.parent_id, o.nces_id, o.enrollment, o.created_at,"             \
    " o.updated_at, p.name FROM orgs o LEFT JOIN orgs p ON p.id = o.parent_id"                     \
    " WHERE o.id" in " ORDER BY o.name, o.id"

int store_org_list_in(struct store *s, const json_t *ids, json_t **out, struct cf_error *err)
{
    static const char sqlite_sql[] = ORGS_IN_SQL(IDS_SQLITE);
    static const char pg_sql[] = ORGS_IN_SQL(IDS_PG);

    return store__query_ids(
        s, sqlite_sql, pg_sql,
        "id,kind,name,parent_id,nces_id,enrollment#,created_at,updated_at,parent_name", ids, out,
        err);
}
