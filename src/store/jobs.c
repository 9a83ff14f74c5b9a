/*
 * jobs.c — background work as rows: enqueue, claim with a lease, finish,
 * fail (again later or dead), and the views of the queue.
 *
 * Every change of a job's state is one conditional UPDATE, so it is atomic
 * on its own and safe between processes: claiming takes only a row that is
 * still queued (PostgreSQL locks it with FOR UPDATE SKIP LOCKED, so two
 * claimers never wait for or take the same row; SQLite runs the one
 * statement under its write lock), and finishing or failing acts only while
 * the row is still running under the caller's lease.
 */
#include "store/store_impl.h"

#include <stdlib.h>
#include <string.h>

#define JOB_COLS                                                                                   \
    "id#,kind,key,payload@,state,attempts#,max_attempts#,run_after,lease_owner,lease_until,"       \
    "last_error,created_at,updated_at"
#define JOB_RETURNING                                                                              \
    " RETURNING id, kind, key, payload, state, attempts, max_attempts, run_after, lease_owner,"    \
    " lease_until, last_error, created_at, updated_at"
#define JOB_SELECT                                                                                 \
    "SELECT id, kind, key, payload, state, attempts, max_attempts, run_after, lease_owner,"        \
    " lease_until, last_error, created_at, updated_at FROM jobs"

/* The fixed key of the PostgreSQL advisory lock that one tick at a time holds. */
#define TICK_LOCK_KEY "4242003"

int store_job_enqueue(struct store *s, const char *kind, const char *key, const json_t *payload,
                      int max_attempts, const char *run_after, const char *now, int64_t *id,
                      int *created, struct cf_error *err)
{
    char *text = NULL;
    json_t *row = NULL;
    int rc;

    if (id != NULL)
        *id = 0;
    if (created != NULL)
        *created = 0;
    text = payload != NULL ? store__dump(payload) : strdup("{}");
    if (text == NULL)
        return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");

    /* A key already taken returns no row here: then the existing job is the answer. */
    rc = store__query(s,
                      "INSERT INTO jobs (kind, key, payload, state, attempts, max_attempts,"
                      " run_after, created_at, updated_at)"
                      " VALUES (?, ?, ?, 'queued', 0, ?, ?, ?, ?)"
                      " ON CONFLICT (key) DO NOTHING RETURNING id",
                      "id#", &row, err, "sssisss", kind, key, text, (int64_t)max_attempts,
                      run_after, now, now);
    free(text);
    if (rc != CF_OK)
        return rc;
    if (json_array_size(row) == 1) {
        if (id != NULL)
            *id = (int64_t)json_integer_value(json_object_get(json_array_get(row, 0), "id"));
        if (created != NULL)
            *created = 1;
        json_decref(row);
        return CF_OK;
    }
    json_decref(row);
    rc = store__query_one(s, "SELECT id FROM jobs WHERE key = ?", "id#", &row, err, "s", key);
    if (rc == CF_OK && id != NULL)
        *id = (int64_t)json_integer_value(json_object_get(row, "id"));
    json_decref(row);
    return rc;
}

int store_job_claim(struct store *s, const char *kind, const char *owner, const char *now,
                    const char *lease_until, json_t **out, struct cf_error *err)
{
    int rc;

    *out = NULL;
    if (db_kind(s->db) == DB_PG)
        rc = store__query_one(
            s,
            "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = ?,"
            " lease_until = ?, updated_at = ?"
            " WHERE id = (SELECT id FROM jobs WHERE state = 'queued' AND run_after <= ?"
            " AND (CAST(? AS TEXT) IS NULL OR kind = ?) ORDER BY run_after, id LIMIT 1"
            " FOR UPDATE SKIP LOCKED) AND state = 'queued'" JOB_RETURNING,
            JOB_COLS, out, err, "ssssss", owner, lease_until, now, now, kind, kind);
    else
        rc = store__query_one(
            s,
            "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = ?,"
            " lease_until = ?, updated_at = ?"
            " WHERE id = (SELECT id FROM jobs WHERE state = 'queued' AND run_after <= ?"
            " AND (CAST(? AS TEXT) IS NULL OR kind = ?) ORDER BY run_after, id LIMIT 1)"
            " AND state = 'queued'" JOB_RETURNING,
            JOB_COLS, out, err, "ssssss", owner, lease_until, now, now, kind, kind);
    return rc == CF_ENOTFOUND ? CF_OK : rc;
}

int store_job_due(struct store *s, const char *kind, const char *now, long *n, struct cf_error *err)
{
    json_t *row = NULL;
    int rc = store__query_one(s,
                              "SELECT COUNT(*) AS n FROM jobs WHERE state = 'queued'"
                              " AND run_after <= ? AND (CAST(? AS TEXT) IS NULL OR kind = ?)",
                              "n#", &row, err, "sss", now, kind, kind);

    *n = rc == CF_OK ? (long)json_integer_value(json_object_get(row, "n")) : 0;
    json_decref(row);
    return rc;
}

int store_job_finish(struct store *s, int64_t id, const char *owner, const char *now, int *ok,
                     struct cf_error *err)
{
    int64_t n = 0;
    int rc = store__exec(s,
                         "UPDATE jobs SET state = 'done', last_error = NULL, lease_owner = NULL,"
                         " lease_until = NULL, updated_at = ?"
                         " WHERE id = ? AND state = 'running' AND lease_owner = ?",
                         &n, err, "sis", now, id, owner);

    *ok = rc == CF_OK && n == 1;
    return rc;
}

int store_job_fail(struct store *s, int64_t id, const char *owner, const char *error,
                   const char *retry_at, const char *now, json_t **out, struct cf_error *err)
{
    int rc = store__query_one(
        s,
        "UPDATE jobs SET state = CASE WHEN CAST(? AS TEXT) IS NULL OR attempts >= max_attempts"
        " THEN 'dead' ELSE 'queued' END, run_after = COALESCE(CAST(? AS TEXT), run_after),"
        " last_error = ?, lease_owner = NULL, lease_until = NULL, updated_at = ?"
        " WHERE id = ? AND state = 'running' AND lease_owner = ?" JOB_RETURNING,
        JOB_COLS, out, err, "ssssis", retry_at, retry_at, error, now, id, owner);

    return rc == CF_ENOTFOUND ? CF_OK : rc;
}

int store_job_release(struct store *s, int64_t id, const char *owner, const char *now, int *ok,
                      struct cf_error *err)
{
    int64_t n = 0;
    int rc = store__exec(s,
                         "UPDATE jobs SET state = 'queued', attempts = attempts - 1,"
                         " lease_owner = NULL, lease_until = NULL, updated_at = ?"
                         " WHERE id = ? AND state = 'running' AND lease_owner = ? AND attempts > 0",
                         &n, err, "sis", now, id, owner);

    *ok = rc == CF_OK && n == 1;
    return rc;
}

int store_job_expired(struct store *s, const char *now, long limit, json_t **out,
                      struct cf_error *err)
{
    return store__query(s,
                        JOB_SELECT " WHERE state = 'running' AND lease_until <= ?"
                                   " ORDER BY lease_until, id LIMIT ?",
                        JOB_COLS, out, err, "sl", now, limit > 0 ? limit : 100);
}

int store_job_get(struct store *s, int64_t id, json_t **out, struct cf_error *err)
{
    return store__query_one(s, JOB_SELECT " WHERE id = ?", JOB_COLS, out, err, "i", id);
}

int store_job_list(struct store *s, const char *state, const char *kind, long limit, json_t **out,
                   struct cf_error *err)
{
    return store__query(s,
                        JOB_SELECT " WHERE (CAST(? AS TEXT) IS NULL OR state = ?)"
                                   " AND (CAST(? AS TEXT) IS NULL OR kind = ?)"
                                   " ORDER BY id DESC LIMIT ?",
                        JOB_COLS, out, err, "ssssl", state, state, kind, kind,
                        limit > 0 ? limit : 100);
}

int store_job_counts(struct store *s, json_t **out, struct cf_error *err)
{
    return store__query(s,
                        "SELECT kind, state, COUNT(*) AS n FROM jobs GROUP BY kind, state"
                        " ORDER BY kind, state",
                        "kind,state,n#", out, err, "");
}

int store_job_retry(struct store *s, int64_t id, const char *now, int64_t *n, struct cf_error *err)
{
    return store__exec(s,
                       "UPDATE jobs SET state = 'queued', attempts = 0, run_after = ?,"
                       " updated_at = ? WHERE id = ? AND state IN ('dead', 'cancelled')",
                       n, err, "ssi", now, now, id);
}

int store_tick_lock(struct store *s, int *got, struct cf_error *err)
{
    json_t *row = NULL;
    int rc;

    *got = 0;
    /* SQLite: the caller's BEGIN IMMEDIATE holds the one write lock already. */
    if (db_kind(s->db) != DB_PG) {
        *got = 1;
        return CF_OK;
    }
    rc = store__query_one(
        s, "SELECT CASE WHEN pg_try_advisory_xact_lock(" TICK_LOCK_KEY ") THEN 1 ELSE 0 END AS got",
        "got#", &row, err, "");
    if (rc == CF_OK)
        *got = json_integer_value(json_object_get(row, "got")) == 1;
    json_decref(row);
    return rc;
}
