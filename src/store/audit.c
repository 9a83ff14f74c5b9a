/* audit.c — the append-only audit trail. */
#include <stdlib.h>

#include "lib/clock.h"
#include "store/store_impl.h"

static const char SQL_INS[] =
    "INSERT INTO audit_log (at, actor, org, action, object_type, object_id, before, after,"
    " request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_LIST[] =
    "SELECT id, at, actor, org, action, object_type, object_id, before, after, request_id"
    " FROM audit_log ORDER BY id DESC LIMIT ?";

int store_audit_append(struct store *s, const struct audit_entry *e, struct cf_error *err)
{
    char now[32];
    char *before = e->before != NULL ? store__dump(e->before) : NULL;
    char *after = e->after != NULL ? store__dump(e->after) : NULL;
    struct db_stmt *st;
    int rc;

    if ((e->before != NULL && before == NULL) || (e->after != NULL && after == NULL)) {
        rc = cf_error_set(err, CF_ENOMEM, NULL, "out of memory");
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

static json_t *text_or_null(struct db_stmt *st, int i)
{
    const char *t = db_col_text(st, i);

    return t != NULL ? json_string(t) : json_null();
}

static json_t *json_or_null(struct db_stmt *st, int i)
{
    json_t *v;

    if (db_col_is_null(st, i))
        return json_null();
    v = store__parse(db_col_text(st, i), db_col_len(st, i), NULL);
    return v != NULL ? v : json_null();
}

int store_audit_list(struct store *s, long limit, json_t **out, struct cf_error *err)
{
    struct db_stmt *st = db_prepare(s->db, SQL_LIST, err);
    json_t *arr;
    int rc;

    *out = NULL;
    if (st == NULL)
        return CF_EDB;
    db_bind_int64(st, 1, limit > 0 ? limit : 100);
    arr = json_array();
    while ((rc = db_step(st, err)) == DB_ROW) {
        json_array_append_new(
            arr, json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
                           (json_int_t)db_col_int64(st, 0), "at", text_or_null(st, 1), "actor",
                           text_or_null(st, 2), "org", text_or_null(st, 3), "action",
                           text_or_null(st, 4), "object_type", text_or_null(st, 5), "object_id",
                           text_or_null(st, 6), "before", json_or_null(st, 7), "after",
                           json_or_null(st, 8), "request_id", text_or_null(st, 9)));
    }
    db_done(st);
    if (rc < 0) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return CF_OK;
}
