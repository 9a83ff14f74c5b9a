/*
 * outbox.c — every message the system sends, a row before it is sent, and
 * the link between a message and the job that delivers it.
 *
 * A pending message has one job of kind "outbox.deliver" with key
 * "outbox:ID" (store/jobs.c); the job carries the lease, the attempts and
 * the backoff, and the message row mirrors its outcome (store_outbox_settle)
 * in the same transaction, so what the outbox page shows is what happened.
 */
#include "store/store_impl.h"

#include <string.h>

#define OUTBOX_COLS                                                                                \
    "id#,kind,to_addr,subject,body,person_id,status,attempts#,next_attempt_at,last_error,"         \
    "created_at,sent_at,cancelled_at,created_by"
#define OUTBOX_SELECT                                                                              \
    "SELECT id, kind, to_addr, subject, body, person_id, status, attempts, next_attempt_at,"       \
    " last_error, created_at, sent_at, cancelled_at, created_by FROM outbox"

int store_outbox_add(struct store *s, const char *kind, const char *to, const char *subject,
                     const char *body, const char *person, const char *by, const char *now,
                     int64_t *id, struct cf_error *err)
{
    json_t *row = NULL;
    int64_t mid = 0;
    int rc;

    if (id != NULL)
        *id = 0;
    rc = store_begin(s, err);
    if (rc != CF_OK)
        return rc;
    rc = store__query_one(s,
                          "INSERT INTO outbox (kind, to_addr, subject, body, person_id, created_by,"
                          " status, next_attempt_at, created_at)"
                          " VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?) RETURNING id",
                          "id#", &row, err, "ssssssss", kind, to, subject, body, person, by, now,
                          now);
    if (rc != CF_OK)
        goto out;
    mid = (int64_t)json_integer_value(json_object_get(row, "id"));
    /* Its delivery job is born with it: a message is never pending without one. */
    rc = store_outbox_adopt(s, mid, OUTBOX_MAX_ATTEMPTS, now, NULL, err);

out:
    json_decref(row);
    if (rc == CF_OK)
        rc = store_commit(s, err);
    else
        store_rollback(s);
    if (rc == CF_OK && id != NULL)
        *id = mid;
    return rc;
}

int store_outbox_adopt(struct store *s, int64_t id, int max_attempts, const char *now, int64_t *n,
                       struct cf_error *err)
{
    /*
     * A job that ended (done, dead, cancelled) is queued again when its
     * message is pending once more (sent again from the outbox page); a
     * queued or running one is left alone. Attempts carry over from the
     * message, so a message tried 5 times has one attempt left.
     */
    return store__exec(
        s,
        "INSERT INTO jobs (kind, key, payload, state, attempts, max_attempts, run_after,"
        " created_at, updated_at)"
        " SELECT 'outbox.deliver', 'outbox:' || o.id, '{\"message\":' || o.id || '}', 'queued',"
        " CASE WHEN o.attempts < ? THEN o.attempts ELSE ? - 1 END, ?, o.next_attempt_at, ?, ?"
        " FROM outbox o WHERE o.status = 'pending' AND (CAST(? AS BIGINT) = 0 OR o.id = ?)"
        " AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.key = 'outbox:' || o.id"
        " AND j.state IN ('queued', 'running'))"
        " ON CONFLICT (key) DO UPDATE SET state = 'queued', attempts = excluded.attempts,"
        " max_attempts = excluded.max_attempts, run_after = excluded.run_after,"
        " last_error = NULL, lease_owner = NULL, lease_until = NULL,"
        " updated_at = excluded.updated_at"
        " WHERE jobs.state IN ('done', 'dead', 'cancelled')",
        n, err, "iiissii", (int64_t)max_attempts, (int64_t)max_attempts, (int64_t)max_attempts, now,
        now, id, id);
}

int store_outbox_drop_stale(struct store *s, const char *now, int64_t *n, struct cf_error *err)
{
    return store__exec(
        s,
        "UPDATE jobs SET state = 'cancelled', updated_at = ?"
        " WHERE kind = 'outbox.deliver' AND state = 'queued'"
        " AND NOT EXISTS (SELECT 1 FROM outbox o"
        " WHERE o.id = CAST(substr(jobs.key, 8) AS BIGINT) AND o.status = 'pending')",
        n, err, "s", now);
}

int store_outbox_list(struct store *s, const char *status, long limit, json_t **out,
                      struct cf_error *err)
{
    return store__query(s,
                        OUTBOX_SELECT " WHERE (CAST(? AS TEXT) IS NULL OR status = ?)"
                                      " ORDER BY id DESC LIMIT ?",
                        OUTBOX_COLS, out, err, "ssl", status, status, limit > 0 ? limit : 100);
}

int store_outbox_settle(struct store *s, int64_t id, const char *status, int64_t attempts,
                        const char *next, const char *error, const char *now, struct cf_error *err)
{
    /* It went out: that is the truth even if it was cancelled meanwhile. */
    if (strcmp(status, "sent") == 0)
        return store__exec(s,
                           "UPDATE outbox SET status = 'sent', sent_at = ?, attempts = ?,"
                           " last_error = NULL WHERE id = ?",
                           NULL, err, "sii", now, attempts, id);
    /* Otherwise a message that stopped being pending (cancelled, erased) stays as it is. */
    return store__exec(s,
                       "UPDATE outbox SET status = ?, attempts = ?,"
                       " next_attempt_at = COALESCE(CAST(? AS TEXT), next_attempt_at),"
                       " last_error = ? WHERE id = ? AND status = 'pending'",
                       NULL, err, "sissi", status, attempts, next, error, id);
}

int store_outbox_cancel(struct store *s, const char *person, const char *kind, const char *why,
                        const char *now, struct cf_error *err)
{
    int rc = store_begin(s, err);

    if (rc != CF_OK)
        return rc;
    rc = store__exec(s,
                     "UPDATE jobs SET state = 'cancelled', updated_at = ?"
                     " WHERE state = 'queued' AND key IN (SELECT 'outbox:' || id FROM outbox"
                     " WHERE person_id = ? AND kind = ? AND status = 'pending')",
                     NULL, err, "sss", now, person, kind);
    if (rc != CF_OK)
        goto out;
    rc = store__exec(s,
                     "UPDATE outbox SET status = 'obsolete', last_error = ?, cancelled_at = ?"
                     " WHERE person_id = ? AND kind = ? AND status = 'pending'",
                     NULL, err, "ssss", why, now, person, kind);

out:
    if (rc == CF_OK)
        rc = store_commit(s, err);
    else
        store_rollback(s);
    return rc;
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

int store_outbox_latest_by(struct store *s, const char *person, const char *kind, const char *by,
                           json_t **out, struct cf_error *err)
{
    return store__query_one(s,
                            OUTBOX_SELECT " WHERE person_id = ? AND kind = ? AND created_by = ?"
                                          " AND status IN ('pending', 'sent')"
                                          " ORDER BY id DESC LIMIT 1",
                            OUTBOX_COLS, out, err, "sss", person, kind, by);
}
