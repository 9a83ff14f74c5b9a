/* outbox.c — every message the system sends, a row before it is sent. */
#include "store/store_impl.h"

#define OUTBOX_COLS                                                                                \
    "id#,kind,to_addr,subject,body,person_id,status,attempts#,next_attempt_at,last_error,"         \
    "created_at,sent_at,cancelled_at"
#define OUTBOX_SELECT                                                                              \
    "SELECT id, kind, to_addr, subject, body, person_id, status, attempts, next_attempt_at,"       \
    " last_error, created_at, sent_at, cancelled_at FROM outbox"

int store_outbox_add(struct store *s, const char *kind, const char *to, const char *subject,
                     const char *body, const char *person, const char *now, int64_t *id,
                     struct cf_error *err)
{
    json_t *row;
    int rc =
        store__query_one(s,
                         "INSERT INTO outbox (kind, to_addr, subject, body, person_id, status,"
                         " next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)"
                         " RETURNING id",
                         "id#", &row, err, "sssssss", kind, to, subject, body, person, now, now);

    if (id != NULL)
        *id = 0;
    if (rc != CF_OK)
        return rc;
    if (id != NULL)
        *id = (int64_t)json_integer_value(json_object_get(row, "id"));
    json_decref(row);
    return CF_OK;
}

int store_outbox_list(struct store *s, const char *status, long limit, json_t **out,
                      struct cf_error *err)
{
    return store__query(s,
                        OUTBOX_SELECT " WHERE (CAST(? AS TEXT) IS NULL OR status = ?)"
                                      " ORDER BY id DESC LIMIT ?",
                        OUTBOX_COLS, out, err, "ssl", status, status, limit > 0 ? limit : 100);
}

int store_outbox_due(struct store *s, const char *now, long limit, json_t **out,
                     struct cf_error *err)
{
    return store__query(s,
                        OUTBOX_SELECT " WHERE status = 'pending' AND next_attempt_at <= ?"
                                      " ORDER BY id LIMIT ?",
                        OUTBOX_COLS, out, err, "sl", now, limit > 0 ? limit : 10);
}

int store_outbox_sent(struct store *s, int64_t id, const char *now, struct cf_error *err)
{
    return store__exec(s,
                       "UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1,"
                       " last_error = NULL WHERE id = ?",
                       NULL, err, "si", now, id);
}

int store_outbox_cancel(struct store *s, const char *person, const char *kind, const char *why,
                        const char *now, struct cf_error *err)
{
    return store__exec(s,
                       "UPDATE outbox SET status = 'failed', last_error = ?, cancelled_at = ?"
                       " WHERE person_id = ? AND kind = ? AND status = 'pending'",
                       NULL, err, "ssss", why, now, person, kind);
}

int store_outbox_get(struct store *s, int64_t id, json_t **out, struct cf_error *err)
{
    return store__query_one(s, OUTBOX_SELECT " WHERE id = ?", OUTBOX_COLS, out, err, "i", id);
}

int store_outbox_requeue(struct store *s, int64_t id, const char *now, int64_t *n,
                         struct cf_error *err)
{
    return store__exec(s,
                       "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?"
                       " WHERE id = ? AND status = 'failed'",
                       n, err, "si", now, id);
}

int store_outbox_claim(struct store *s, int64_t id, const char *seen, const char *until,
                       int *claimed, struct cf_error *err)
{
    int64_t n = 0;
    int rc = store__exec(s,
                         "UPDATE outbox SET next_attempt_at = ?"
                         " WHERE id = ? AND status = 'pending' AND next_attempt_at = ?",
                         &n, err, "sis", until, id, seen);

    *claimed = rc == CF_OK && n == 1;
    return rc;
}

int store_outbox_retry(struct store *s, int64_t id, const char *next, const char *error,
                       struct cf_error *err)
{
    if (next == NULL)
        return store__exec(s,
                           "UPDATE outbox SET status = 'failed', attempts = attempts + 1,"
                           " last_error = ? WHERE id = ?",
                           NULL, err, "si", error, id);
    return store__exec(s,
                       "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?,"
                       " last_error = ? WHERE id = ?",
                       NULL, err, "ssi", next, error, id);
}
