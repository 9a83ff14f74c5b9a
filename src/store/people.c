/* people.c — organizations, people and the roles they hold. */
#include <string.h>

#include "store/store_impl.h"

#define ORG_COLS "id,kind,name,parent_id,nces_id,enrollment#,created_at,updated_at"
#define ORG_SELECT                                                                                 \
    "SELECT id, kind, name, parent_id, nces_id, enrollment, created_at, updated_at FROM orgs"
#define PERSON_COLS "id,email,name,title,org_id,status,pseudonym,created_at,updated_at"
#define PERSON_SELECT                                                                              \
    "SELECT id, email, name, title, org_id, status, pseudonym, created_at, updated_at FROM people"

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* A duplicate organization: names the field whose unique index it hit (see store.h). */
static int org_conflict(struct store *s, struct cf_error *err)
{
    const char *field = strstr(db_errmsg(s->db), "nces") != NULL ? "nces_id" : "name";

    return cf_error_set(err, CF_ECONFLICT, field, "database: %s", db_errmsg(s->db));
}

int store_org_insert(struct store *s, const json_t *org, struct cf_error *err)
{
    static const char sql[] = "INSERT INTO orgs (id, kind, name, parent_id, nces_id, enrollment,"
                              " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    const json_t *e = json_object_get(org, "enrollment");
    struct db_stmt *st = db_prepare(s->db, sql, err);
    int rc;

    if (st == NULL)
        return CF_EDB;
    db_bind_text(st, 1, str(org, "id"), -1);
    db_bind_text(st, 2, str(org, "kind"), -1);
    db_bind_text(st, 3, str(org, "name"), -1);
    db_bind_text(st, 4, str(org, "parent_id"), -1);
    db_bind_text(st, 5, str(org, "nces_id"), -1);
    if (json_is_integer(e))
        db_bind_int64(st, 6, (int64_t)json_integer_value(e));
    else
        db_bind_null(st, 6);
    db_bind_text(st, 7, str(org, "created_at"), -1);
    db_bind_text(st, 8, str(org, "updated_at"), -1);
    rc = db_step(st, err);
    db_done(st);
    if (rc == CF_ECONFLICT)
        return org_conflict(s, err);
    return rc < 0 ? rc : CF_OK;
}

int store_org_update(struct store *s, const json_t *org, struct cf_error *err)
{
    static const char sql[] = "UPDATE orgs SET kind = ?, name = ?, parent_id = ?, nces_id = ?,"
                              " enrollment = ?, updated_at = ? WHERE id = ?";
    const json_t *e = json_object_get(org, "enrollment");
    struct db_stmt *st = db_prepare(s->db, sql, err);
    int rc;

    if (st == NULL)
        return CF_EDB;
    db_bind_text(st, 1, str(org, "kind"), -1);
    db_bind_text(st, 2, str(org, "name"), -1);
    db_bind_text(st, 3, str(org, "parent_id"), -1);
    db_bind_text(st, 4, str(org, "nces_id"), -1);
    if (json_is_integer(e))
        db_bind_int64(st, 5, (int64_t)json_integer_value(e));
    else
        db_bind_null(st, 5);
    db_bind_text(st, 6, str(org, "updated_at"), -1);
    db_bind_text(st, 7, str(org, "id"), -1);
    rc = db_step(st, err);
    if (rc >= 0)
        rc = db_changes(st) > 0
                 ? CF_OK
                 : cf_error_set(err, CF_ENOTFOUND, "id", "There is no such organization.");
    db_done(st);
    if (rc == CF_ECONFLICT)
        return org_conflict(s, err);
    return rc;
}

int store_org_get(struct store *s, const char *id, json_t **out, struct cf_error *err)
{
    return store__query_one(s, ORG_SELECT " WHERE id = ?", ORG_COLS, out, err, "s", id);
}

int store_org_find(struct store *s, const char *key, json_t **out, struct cf_error *err)
{
    return store__query(s,
                        ORG_SELECT " WHERE id = ? OR lower(name) = lower(?) OR nces_id = ?"
                                   " ORDER BY name, id",
                        ORG_COLS, out, err, "sss", key, key, key);
}

int store_org_list(struct store *s, json_t **out, struct cf_error *err)
{
    return store__query(s, ORG_SELECT " ORDER BY name, id", ORG_COLS, out, err, "");
}

int store_org_count(struct store *s, long *n, struct cf_error *err)
{
    json_t *row;
    int rc = store__query_one(s, "SELECT count(*) FROM orgs", "n#", &row, err, "");

    *n = 0;
    if (rc == CF_OK)
        *n = (long)json_integer_value(json_object_get(row, "n"));
    json_decref(row);
    return rc;
}

int store_org_holdings(struct store *s, const char *id, json_t **out, struct cf_error *err)
{
    /* One query: the people (erased ones apart), the roles given in it, the organizations
     * inside it, the erased people whose rows still name it, the reviewers' conflicts of
     * interest declared with it, and the evaluations it runs (issue 9). */
    static const char sql[] =
        "SELECT (SELECT count(*) FROM people WHERE org_id = ? AND status <> 'erased'),"
        " (SELECT count(*) FROM grants WHERE org_id = ?),"
        " (SELECT count(*) FROM orgs WHERE parent_id = ?),"
        " (SELECT count(*) FROM people WHERE org_id = ? AND status = 'erased'),"
        " (SELECT count(*) FROM review_conflicts WHERE org_id = ?),"
        " (SELECT count(*) FROM evaluations WHERE org_id = ?)";

    return store__query_one(s, sql, "people#,roles#,children#,erased#,conflicts#,evaluations#", out,
                            err, "ssssss", id, id, id, id, id, id);
}

int store_org_delete(struct store *s, const char *id, struct cf_error *err)
{
    int64_t n = 0;
    int rc =
        store__exec(s, "UPDATE people SET org_id = NULL WHERE org_id = ? AND status = 'erased'",
                    NULL, err, "s", id);

    if (rc == CF_OK)
        rc = store__exec(s, "DELETE FROM orgs WHERE id = ?", &n, err, "s", id);
    if (rc == CF_OK && n == 0)
        rc = cf_error_set(err, CF_ENOTFOUND, "id", "no such organization");
    return rc;
}

int store_person_insert(struct store *s, const json_t *p, struct cf_error *err)
{
    static const char sql[] = "INSERT INTO people (id, email, name, title, org_id, password_hash,"
                              " status, pseudonym, created_at, updated_at)"
                              " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    return store__exec(s, sql, NULL, err, "ssssssssss", str(p, "id"), str(p, "email"),
                       str(p, "name"), str(p, "title"), str(p, "org_id"), str(p, "password_hash"),
                       str(p, "status"), str(p, "pseudonym"), str(p, "created_at"),
                       str(p, "updated_at"));
}

int store_person_update(struct store *s, const json_t *p, struct cf_error *err)
{
    static const char sql[] = "UPDATE people SET email = ?, name = ?, title = ?, org_id = ?,"
                              " status = ?, updated_at = ? WHERE id = ?";
    int64_t n;
    int rc =
        store__exec(s, sql, &n, err, "sssssss", str(p, "email"), str(p, "name"), str(p, "title"),
                    str(p, "org_id"), str(p, "status"), str(p, "updated_at"), str(p, "id"));

    if (rc == CF_OK && n == 0)
        rc = cf_error_set(err, CF_ENOTFOUND, "id", "There is no such person.");
    return rc;
}

int store_person_get(struct store *s, const char *id, json_t **out, struct cf_error *err)
{
    return store__query_one(s, PERSON_SELECT " WHERE id = ?", PERSON_COLS, out, err, "s", id);
}

int store_person_by_email(struct store *s, const char *email, json_t **out, struct cf_error *err)
{
    return store__query_one(s,
                            "SELECT id, email, name, title, org_id, status, pseudonym, created_at,"
                            " updated_at, password_hash FROM people WHERE email = ?",
                            PERSON_COLS ",password_hash", out, err, "s", email);
}

int store_person_set_password(struct store *s, const char *id, const char *hash, const char *now,
                              struct cf_error *err)
{
    int64_t n;
    int rc = store__exec(s, "UPDATE people SET password_hash = ?, updated_at = ? WHERE id = ?", &n,
                         err, "sss", hash, now, id);

    if (rc == CF_OK && n == 0)
        rc = cf_error_set(err, CF_ENOTFOUND, "id", "There is no such person.");
    return rc;
}

int store_person_list(struct store *s, json_t **out, struct cf_error *err)
{
    return store__query(s, PERSON_SELECT " ORDER BY name, email", PERSON_COLS, out, err, "");
}

int store_person_count_role(struct store *s, const char *role, long *n, struct cf_error *err)
{
    json_t *row;
    int rc = store__query_one(s,
                              "SELECT count(DISTINCT g.person_id) FROM grants g JOIN people p"
                              " ON p.id = g.person_id WHERE (CAST(? AS TEXT) IS NULL OR g.role = ?)"
                              " AND p.status <> 'erased'",
                              "n#", &row, err, "ss", role, role);

    *n = 0;
    if (rc == CF_OK)
        *n = (long)json_integer_value(json_object_get(row, "n"));
    json_decref(row);
    return rc;
}

int store_grant_add(struct store *s, const char *person, const char *role, const char *org,
                    const char *now, struct cf_error *err)
{
    return store__exec(
        s, "INSERT INTO grants (person_id, role, org_id, created_at) VALUES (?, ?, ?, ?)", NULL,
        err, "ssss", person, role, org, now);
}

int store_grant_remove(struct store *s, const char *person, const char *role, const char *org,
                       struct cf_error *err)
{
    int64_t n;
    int rc = store__exec(s, "DELETE FROM grants WHERE person_id = ? AND role = ? AND org_id = ?",
                         &n, err, "sss", person, role, org);

    if (rc == CF_OK && n == 0)
        rc = cf_error_set(err, CF_ENOTFOUND, "role", "The person does not hold that role there.");
    return rc;
}

int store_grants_of(struct store *s, const char *person, json_t **out, struct cf_error *err)
{
    return store__query(s,
                        "SELECT g.role, g.org_id, o.name, o.kind, g.created_at FROM grants g"
                        " JOIN orgs o ON o.id = g.org_id WHERE g.person_id = ?"
                        " ORDER BY g.role, o.name",
                        "role,org_id,org_name,org_kind,created_at", out, err, "s", person);
}

int store_org_chain(struct store *s, const char *id, json_t **out, struct cf_error *err)
{
    json_t *rows, *chain, *r;
    size_t i;
    int rc = store__query(s,
                          "WITH RECURSIVE up (id, parent_id, depth) AS ("
                          " SELECT id, parent_id, 0 FROM orgs WHERE id = ?"
                          " UNION ALL SELECT o.id, o.parent_id, up.depth + 1 FROM orgs o"
                          " JOIN up ON o.id = up.parent_id WHERE up.depth < 16)"
                          " SELECT id FROM up ORDER BY depth",
                          "id", &rows, err, "s", id);

    *out = NULL;
    if (rc != CF_OK)
        return rc;
    chain = json_array();
    json_array_foreach(rows, i, r) json_array_append(chain, json_object_get(r, "id"));
    json_decref(rows);
    *out = chain;
    return CF_OK;
}

int store_grants_all(struct store *s, json_t **out, struct cf_error *err)
{
    return store__query(s,
                        "SELECT g.person_id, g.role, g.org_id, o.name, o.kind, g.created_at"
                        " FROM grants g JOIN orgs o ON o.id = g.org_id ORDER BY g.role, o.name",
                        "person_id,role,org_id,org_name,org_kind,created_at", out, err, "");
}

int store_person_erase_rows(struct store *s, const char *person, const char *now,
                            struct cf_error *err)
{
    int rc = store__exec(s, "DELETE FROM grants WHERE person_id = ?", NULL, err, "s", person);

    if (rc == CF_OK)
        rc = store__exec(s, "DELETE FROM sessions WHERE person_id = ?", NULL, err, "s", person);
    if (rc == CF_OK)
        rc = store__exec(s,
                         "UPDATE api_tokens SET revoked_at = ?, name = '[erased]'"
                         " WHERE person_id = ?",
                         NULL, err, "ss", now, person);
    if (rc == CF_OK)
        rc = store__exec(s,
                         "UPDATE one_time_tokens SET used_at = ? WHERE person_id = ?"
                         " AND used_at IS NULL",
                         NULL, err, "ss", now, person);
    if (rc == CF_OK)
        rc = store__exec(s,
                         "UPDATE outbox SET to_addr = '[erased]', subject = '[erased]',"
                         " body = '[erased]', status = CASE WHEN status = 'pending' THEN 'failed'"
                         " ELSE status END, last_error = CASE WHEN status = 'pending'"
                         " THEN 'not sent: the person was erased' ELSE last_error END"
                         " WHERE person_id = ? OR (kind = 'supervisor' AND created_by = ?)",
                         NULL, err, "ss", person, person);
    /* issue 9: evaluations. As a rater: the name and address typed for them, their notes and
     * links (levels stay: they are numbers in others' results). As the person rated: every
     * note and link about them, the titles (they may name them), the invitations that named
     * them, and the timeline's notes. */
    if (rc == CF_OK)
        rc = store__exec(s,
                         "UPDATE outbox SET subject = '[erased]', body = '[erased]'"
                         " WHERE kind = 'evaluation' AND body LIKE '%' ||"
                         " (SELECT name FROM people WHERE id = ?) || '%'",
                         NULL, err, "s", person);
    if (rc == CF_OK)
        rc = store__exec(s,
                         "UPDATE evaluation_answers SET note = '', links = '[]' WHERE rater_id IN"
                         " (SELECT r.id FROM evaluation_raters r JOIN evaluations e"
                         " ON e.id = r.evaluation_id WHERE r.person_id = ?"
                         " OR (e.subject_kind = 'person' AND e.subject_id = ?))",
                         NULL, err, "ss", person, person);
    if (rc == CF_OK)
        rc = store__exec(s,
                         "UPDATE evaluation_events SET note = NULL WHERE rater_id IN"
                         " (SELECT id FROM evaluation_raters WHERE person_id = ?)"
                         " OR evaluation_id IN (SELECT id FROM evaluations"
                         " WHERE subject_kind = 'person' AND subject_id = ?)",
                         NULL, err, "ss", person, person);
    if (rc == CF_OK)
        rc = store__exec(s,
                         "UPDATE evaluation_raters SET name = (SELECT pseudonym FROM people"
                         " WHERE id = ?), email = 'erased+' || person_id || '@invalid'"
                         " WHERE person_id = ?",
                         NULL, err, "ss", person, person);
    /* issue 9 point 5: their growth plans' own activities (typed, they may say anything about
     * the person) and the timeline's notes; the catalog's activities are the catalog's text. */
    if (rc == CF_OK)
        rc = store__exec(s,
                         "UPDATE growth_activities SET title = '[erased]', provider = '',"
                         " reason = NULL WHERE source = 'added' AND plan_id IN"
                         " (SELECT id FROM growth_plans WHERE person_id = ?)",
                         NULL, err, "s", person);
    if (rc == CF_OK)
        rc = store__exec(s,
                         "UPDATE growth_events SET note = NULL WHERE plan_id IN"
                         " (SELECT id FROM growth_plans WHERE person_id = ?)",
                         NULL, err, "s", person);
    if (rc == CF_OK)
        rc = store__exec(s,
                         "UPDATE evaluations SET title = '[erased]', updated_at = ?"
                         " WHERE subject_kind = 'person' AND subject_id = ?",
                         NULL, err, "ss", now, person);
    if (rc == CF_OK)
        rc =
            store__exec(s,
                        "UPDATE people SET email = 'erased+' || id || '@invalid', name = pseudonym,"
                        " title = NULL, password_hash = NULL, status = 'erased', updated_at = ?"
                        " WHERE id = ?",
                        NULL, err, "ss", now, person);
    return rc;
}
