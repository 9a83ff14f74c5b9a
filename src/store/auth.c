/* auth.c — sessions, single-use links, API tokens, sign-in failures, secrets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_impl.h"

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* --- sessions --------------------------------------------------------------- */

int store_session_insert(struct store *s, const char *id_hash, const char *person, const char *now,
                         const char *expires, const char *address, const char *user_agent,
                         struct cf_error *err)
{
    return store__exec(s,
                       "INSERT INTO sessions (id_hash, person_id, created_at, last_seen,"
                       " expires_at, address, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       NULL, err, "sssssss", id_hash, person, now, now, expires, address,
                       user_agent);
}

#define SESSION_COLS "id_hash,person_id,created_at,last_seen,expires_at,address,user_agent"
#define SESSION_SELECT                                                                             \
    "SELECT id_hash, person_id, created_at, last_seen, expires_at, address, user_agent"            \
    " FROM sessions"

int store_session_get(struct store *s, const char *id_hash, json_t **out, struct cf_error *err)
{
    return store__query_one(s, SESSION_SELECT " WHERE id_hash = ?", SESSION_COLS, out, err, "s",
                            id_hash);
}

int store_session_touch(struct store *s, const char *id_hash, const char *now, struct cf_error *err)
{
    return store__exec(s, "UPDATE sessions SET last_seen = ? WHERE id_hash = ?", NULL, err, "ss",
                       now, id_hash);
}

int store_session_delete(struct store *s, const char *id_hash, struct cf_error *err)
{
    return store__exec(s, "DELETE FROM sessions WHERE id_hash = ?", NULL, err, "s", id_hash);
}

int store_session_delete_person(struct store *s, const char *person, int64_t *n,
                                struct cf_error *err)
{
    return store__exec(s, "DELETE FROM sessions WHERE person_id = ?", n, err, "s", person);
}

int store_session_delete_stale(struct store *s, const char *person, const char *now,
                               const char *idle_before, struct cf_error *err)
{
    return store__exec(
        s, "DELETE FROM sessions WHERE person_id = ? AND (expires_at <= ? OR last_seen <= ?)", NULL,
        err, "sss", person, now, idle_before);
}

int store_session_list(struct store *s, const char *person, json_t **out, struct cf_error *err)
{
    return store__query(s, SESSION_SELECT " WHERE person_id = ? ORDER BY created_at DESC",
                        SESSION_COLS, out, err, "s", person);
}

/* --- single-use links --------------------------------------------------------- */

int store_ott_insert(struct store *s, const char *hash, const char *kind, const char *person,
                     const char *now, const char *expires, struct cf_error *err)
{
    return store__exec(s,
                       "INSERT INTO one_time_tokens (hash, kind, person_id, created_at, expires_at)"
                       " VALUES (?, ?, ?, ?, ?)",
                       NULL, err, "sssss", hash, kind, person, now, expires);
}

int store_ott_get(struct store *s, const char *hash, json_t **out, struct cf_error *err)
{
    return store__query_one(s,
                            "SELECT hash, kind, person_id, created_at, expires_at, used_at,"
                            " replaced_at FROM one_time_tokens WHERE hash = ?",
                            "hash,kind,person_id,created_at,expires_at,used_at,replaced_at", out,
                            err, "s", hash);
}

int store_ott_use(struct store *s, const char *hash, const char *now, struct cf_error *err)
{
    int64_t n;
    int rc =
        store__exec(s, "UPDATE one_time_tokens SET used_at = ? WHERE hash = ? AND used_at IS NULL",
                    &n, err, "ss", now, hash);

    if (rc == CF_OK && n == 0)
        rc = cf_error_set(err, CF_ECONFLICT, "token",
                          "This link has already been used. Ask for a new one.");
    return rc;
}

int store_ott_void(struct store *s, const char *person, const char *kind, const char *now,
                   struct cf_error *err)
{
    return store__exec(s,
                       "UPDATE one_time_tokens SET used_at = ?, replaced_at = ?"
                       " WHERE kind = ? AND used_at IS NULL"
                       " AND (person_id = ? OR (CAST(? AS TEXT) IS NULL AND person_id IS NULL))",
                       NULL, err, "sssss", now, now, kind, person, person);
}

/* --- API tokens ----------------------------------------------------------------- */

int store_api_token_insert(struct store *s, const json_t *t, struct cf_error *err)
{
    char *roles = store__dump(json_object_get(t, "roles"));
    int rc;

    if (roles == NULL)
        return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
    rc = store__exec(s,
                     "INSERT INTO api_tokens (id, person_id, name, hash, roles, created_at,"
                     " form_nonce) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     NULL, err, "sssssss", str(t, "id"), str(t, "person_id"), str(t, "name"),
                     str(t, "hash"), roles, str(t, "created_at"), str(t, "form_nonce"));
    free(roles);
    return rc;
}

#define TOKEN_COLS "id,person_id,name,roles@,created_at,last_used_at,revoked_at"
#define TOKEN_SELECT                                                                               \
    "SELECT id, person_id, name, roles, created_at, last_used_at, revoked_at FROM api_tokens"

int store_api_token_by_hash(struct store *s, const char *hash, json_t **out, struct cf_error *err)
{
    return store__query_one(s, TOKEN_SELECT " WHERE hash = ?", TOKEN_COLS, out, err, "s", hash);
}

int store_api_token_list(struct store *s, const char *person, json_t **out, struct cf_error *err)
{
    return store__query(s, TOKEN_SELECT " WHERE person_id = ? ORDER BY created_at DESC, name",
                        TOKEN_COLS, out, err, "s", person);
}

int store_api_token_touch(struct store *s, const char *id, const char *now, struct cf_error *err)
{
    return store__exec(s, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", NULL, err, "ss",
                       now, id);
}

int store_api_token_revoke_person(struct store *s, const char *person, const char *now, int64_t *n,
                                  struct cf_error *err)
{
    return store__exec(s,
                       "UPDATE api_tokens SET revoked_at = ? WHERE person_id = ?"
                       " AND revoked_at IS NULL",
                       n, err, "ss", now, person);
}

int store_api_token_revoke(struct store *s, const char *person, const char *id, const char *now,
                           struct cf_error *err)
{
    int64_t n;
    int rc = store__exec(s,
                         "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND person_id = ?"
                         " AND revoked_at IS NULL",
                         &n, err, "sss", now, id, person);

    if (rc == CF_OK && n == 0)
        rc = cf_error_set(err, CF_ENOTFOUND, "id", "There is no such token.");
    return rc;
}

/* --- sign-in failures ------------------------------------------------------------ */

int store_login_failure_add(struct store *s, const char *key, const char *now, struct cf_error *err)
{
    return store__exec(s, "INSERT INTO login_failures (key, at) VALUES (?, ?)", NULL, err, "ss",
                       key, now);
}

int store_login_failures(struct store *s, const char *key, const char *since, long *n, char *oldest,
                         struct cf_error *err)
{
    json_t *row;
    int rc = store__query_one(
        s, "SELECT count(*), min(at) FROM login_failures WHERE key = ? AND at >= ?", "n#,oldest",
        &row, err, "ss", key, since);
    const char *o;

    *n = 0;
    oldest[0] = '\0';
    if (rc != CF_OK)
        return rc;
    *n = (long)json_integer_value(json_object_get(row, "n"));
    o = json_string_value(json_object_get(row, "oldest"));
    if (o != NULL)
        snprintf(oldest, 32, "%s", o);
    json_decref(row);
    return CF_OK;
}

int store_login_failures_clear(struct store *s, const char *key, struct cf_error *err)
{
    return store__exec(s, "DELETE FROM login_failures WHERE key = ?", NULL, err, "s", key);
}

/* --- secrets ---------------------------------------------------------------------- */

int store_secret_get(struct store *s, const char *name, char *out, struct cf_error *err)
{
    json_t *row;
    int rc = store__query_one(s, "SELECT value FROM secrets WHERE name = ?", "value", &row, err,
                              "s", name);

    out[0] = '\0';
    if (rc != CF_OK)
        return rc;
    snprintf(out, 129, "%s", json_string_value(json_object_get(row, "value")));
    json_decref(row);
    return CF_OK;
}

int store_secret(struct store *s, const char *name, const char *fresh, char *out,
                 struct cf_error *err)
{
    json_t *row;
    int rc =
        store__exec(s, "INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT DO NOTHING",
                    NULL, err, "ss", name, fresh);

    if (rc != CF_OK)
        return rc;
    rc = store__query_one(s, "SELECT value FROM secrets WHERE name = ?", "value", &row, err, "s",
                          name);
    if (rc != CF_OK)
        return rc;
    snprintf(out, 129, "%s", json_string_value(json_object_get(row, "value")));
    json_decref(row);
    return CF_OK;
}
