/* audit.c — the append-only audit trail. */
#include <stdlib.h>

#include "lib/clock.h"
#include "store/store_impl.h"

static const char SQL_INS[] =
    "INSERT INTO audit_log (at, actor, org, action, object_type, object_id, before, after,"
    " request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
int store_audit_append(struct store *s, const struct audit_entry *e, struct cf_error *err)
{
    char now[32];
    char *before = e->before != NULL ? store__dump(e->before) : NULL;
    char *after = e->after != NULL ? store__dump(e->after) : NULL;
    struct db_stmt *st;
    int rc;

    if ((e->before != NULL && before == NULL) || (e->after != NULL && after == NULL)) {
        rc = cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
        goto out;
    }
    if (e->at == NULL)
        clock_now_iso(now, sizeof now);
    st = db_prepare(s->db, SQL_INS, err);
    if (st == NULL) {
        rc = CF_EDB;
        goto out;
    }
    db_bind_text(st, 1, e->at != NULL ? e->at : now, -1);
    db_bind_text(st, 2, e->actor, -1);
    db_bind_text(st, 3, e->org, -1);
    db_bind_text(st, 4, e->action, -1);
    db_bind_text(st, 5, e->object_type, -1);
    db_bind_text(st, 6, e->object_id, -1);
    db_bind_text(st, 7, before, -1);
    db_bind_text(st, 8, after, -1);
    db_bind_text(st, 9, e->request_id, -1);
    rc = db_step(st, err);
    db_done(st);
    rc = rc == DB_DONE ? CF_OK : (rc < 0 ? rc : CF_EDB);
out:
    free(before);
    free(after);
    return rc;
}

int store_audit_list(struct store *s, const struct audit_filter *f, json_t **out,
                     struct cf_error *err)
{
    static const char sql[] =
        "SELECT a.id, a.at, a.actor, CASE WHEN p.status = 'erased' THEN p.pseudonym ELSE p.name "
        "END,"
        " a.org, o.name, a.action, a.object_type, a.object_id,"
        " COALESCE(CASE WHEN op.status = 'erased' THEN op.pseudonym ELSE op.name END, oo.name,"
        " ot.name),"
        " a.before, a.after, a.request_id,"
        " CASE WHEN p.status = 'erased' THEN 1 ELSE 0 END,"
        " CASE WHEN op.status = 'erased' THEN 1 ELSE 0 END"
        " FROM audit_log a"
        " LEFT JOIN people p ON a.actor = 'user:' || p.id"
        " LEFT JOIN orgs o ON o.id = a.org"
        " LEFT JOIN people op ON a.object_type = 'person' AND op.id = a.object_id"
        " LEFT JOIN orgs oo ON a.object_type = 'org' AND oo.id = a.object_id"
        " LEFT JOIN api_tokens ot ON a.object_type = 'api_token' AND ot.id = a.object_id"
        " WHERE (CAST(? AS TEXT) IS NULL OR a.actor = ?)"
        " AND (CAST(? AS TEXT) IS NULL OR a.action = ? OR a.action LIKE ? ESCAPE '!')"
        " AND (CAST(? AS TEXT) IS NULL OR a.org = ?)"
        " AND (CAST(? AS TEXT) IS NULL OR a.object_id = ?)"
        " AND (CAST(? AS TEXT) IS NULL OR a.at >= ?)"
        " AND (CAST(? AS TEXT) IS NULL OR a.at < ?)"
        " AND (? = 0 OR a.id < ?)"
        " ORDER BY a.id DESC LIMIT ?";
    char like[300] = "";
    size_t j = 0;

    if (f->action != NULL) {
        for (const char *c = f->action; *c != '\0' && j + 4 < sizeof like; c++) {
            if (*c == '%' || *c == '_' || *c == '!')
                like[j++] = '!';
            like[j++] = *c;
        }
        like[j++] = '.';
        like[j++] = '%';
        like[j] = '\0';
    }
    return store__query(s, sql,
                        "id#,at,actor,actor_name,org,org_name,action,object_type,object_id,"
                        "object_name,before@,after@,request_id,actor_erased#,object_erased#",
                        out, err, "sssssssssssssiil", f->actor, f->actor, f->action, f->action,
                        f->action != NULL ? like : NULL, f->org, f->org, f->object_id, f->object_id,
                        f->since, f->since, f->until, f->until, f->before_id, f->before_id,
                        f->limit > 0 ? f->limit : 100);
}

#define AUDIT_NAMES_SQL(ids)                                                                       \
    "WITH ids(id) AS (" ids ")"                                                                    \
    " SELECT o.id, CAST('org' AS TEXT), o.name, 0 FROM orgs o WHERE o.id IN (SELECT id FROM ids)"  \
    " UNION ALL SELECT p.id, CAST('person' AS TEXT),"                                              \
    " CASE WHEN p.status = 'erased' THEN NULL ELSE p.name END,"                                    \
    " CASE WHEN p.status = 'erased' THEN 1 ELSE 0 END FROM people p"                               \
    " WHERE p.id IN (SELECT id FROM ids)"

int store_audit_names(struct store *s, const json_t *ids, json_t **out, struct cf_error *err)
{
    static const char sqlite_sql[] = AUDIT_NAMES_SQL("SELECT value FROM json_each(?)");
    static const char pg_sql[] =
        AUDIT_NAMES_SQL("SELECT json_array_elements_text(CAST(? AS json))");

    return store__query_ids(s, sqlite_sql, pg_sql, "id,type,name,erased#", ids, out, err);
}

int store_audit_rewrite(struct store *s, int64_t id, const json_t *before, const json_t *after,
                        struct cf_error *err)
{
    char *b = before != NULL ? store__dump(before) : NULL;
    char *a = after != NULL ? store__dump(after) : NULL;
    /*
     * The database refuses any UPDATE of audit_log unless audit_unlock has
     * its row (migration 005): take it, rewrite, give it back, all in one
     * transaction, so no other connection ever sees the trail unlocked.
     */
    int rc = store_begin(s, err);

    if (rc == CF_OK)
        rc = store__exec(s, "INSERT INTO audit_unlock (id) VALUES (1)", NULL, err, "");
    if (rc == CF_OK)
        rc = store__exec(s, "UPDATE audit_log SET before = ?, after = ? WHERE id = ?", NULL, err,
                         "ssi", b, a, id);
    if (rc == CF_OK)
        rc = store__exec(s, "DELETE FROM audit_unlock", NULL, err, "");
    if (rc == CF_OK)
        rc = store_commit(s, err);
    else
        store_rollback(s);
    free(b);
    free(a);
    return rc;
}

/* --- refusals of anonymous requests, counted per address and interval ------ */

int store_refusal_window(struct store *s, const char *window, const char *address,
                         const char *reason, long *keys, int *known, struct cf_error *err)
{
    json_t *row;
    int rc = store__query_one(s,
                              "SELECT count(*), COALESCE(sum(CASE WHEN address = ? AND reason = ?"
                              " THEN 1 ELSE 0 END), 0) FROM refusals WHERE window_start = ?",
                              "n#,mine#", &row, err, "sss", address, reason, window);

    *keys = 0;
    *known = 0;
    if (rc != CF_OK)
        return rc;
    *keys = (long)json_integer_value(json_object_get(row, "n"));
    *known = json_integer_value(json_object_get(row, "mine")) > 0;
    json_decref(row);
    return CF_OK;
}

int store_refusal_add(struct store *s, const char *address, const char *reason, const char *window,
                      const char *now, const char *method, const char *path, long *count,
                      struct cf_error *err)
{
    json_t *row;
    int rc = store__query_one(
        s,
        "INSERT INTO refusals (address, reason, window_start, count, first_at, last_at, method,"
        " path) VALUES (?, ?, ?, 1, ?, ?, ?, ?)"
        " ON CONFLICT (address, reason, window_start)"
        " DO UPDATE SET count = refusals.count + 1, last_at = excluded.last_at"
        " RETURNING count",
        "count#", &row, err, "sssssss", address, reason, window, now, now, method, path);

    *count = 0;
    if (rc != CF_OK)
        return rc;
    *count = (long)json_integer_value(json_object_get(row, "count"));
    json_decref(row);
    return CF_OK;
}

int store_refusals_take(struct store *s, const char *before, long limit, json_t **out,
                        struct cf_error *err)
{
    /* DELETE … RETURNING claims each row once, even with several app processes flushing. */
    return store__query(s,
                        "DELETE FROM refusals WHERE (address, reason, window_start) IN"
                        " (SELECT address, reason, window_start FROM refusals"
                        " WHERE window_start < ? ORDER BY window_start LIMIT ?)"
                        " RETURNING address, reason, window_start, count, first_at, last_at,"
                        " method, path",
                        "address,reason,window_start,count#,first_at,last_at,method,path", out, err,
                        "sl", before, limit);
}

int store_refusals_open(struct store *s, long limit, json_t **out, struct cf_error *err)
{
    return store__query(s,
                        "SELECT address, reason, window_start, count, first_at, last_at, method,"
                        " path FROM refusals ORDER BY last_at DESC, address, reason LIMIT ?",
                        "address,reason,window_start,count#,first_at,last_at,method,path", out, err,
                        "l", limit);
}
