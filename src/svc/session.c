/*
 * session.c — signing in and out, sessions, the principal behind a session
 * cookie or an API token, throttling of failed sign-ins.
 *
 * Secrets (session cookies, link tokens, API tokens) are 32 random bytes;
 * only their BLAKE2b hash is stored, so a copy of the database signs nobody
 * in. Passwords are argon2id strings (libsodium), which carry their own
 * parameters; a hash made with other parameters than today's is redone at
 * the next successful sign-in.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "lib/clock.h"
#include "svc/svc_impl.h"

void svc__session_handle(const char *id_hash, char handle[33])
{
    unsigned char h[16];
    static const unsigned char ctx[] = "ctoframe session handle";

    crypto_generichash(h, sizeof h, (const unsigned char *)id_hash, strlen(id_hash), ctx,
                       sizeof ctx - 1);
    sodium_bin2hex(handle, 33, h, sizeof h);
}

int svc__session_live(const json_t *session, time_t t_now)
{
    time_t t_exp, t_seen;

    return clock_parse_iso(json_string_value(json_object_get(session, "expires_at")), &t_exp) ==
               0 &&
           clock_parse_iso(json_string_value(json_object_get(session, "last_seen")), &t_seen) ==
               0 &&
           t_exp > t_now && t_seen + SESSION_IDLE_S > t_now;
}

int svc__session_start(const struct svc *sv, const char *person, const char *user_agent,
                       char token[44], char *expires, size_t en, struct cf_error *err)
{
    char now[32], idle[32], hash[65];
    char ua[201];
    int rc;

    clock_now_iso(now, sizeof now);
    svc__iso_after(-SESSION_IDLE_S, idle, sizeof idle);
    svc__iso_after(SESSION_MAX_S, expires, en);
    svc__token_new(token);
    svc__token_hash(token, hash);
    snprintf(ua, sizeof ua, "%s", user_agent != NULL ? user_agent : "");
    /* Requests only read sessions; the person's ended ones are removed here. */
    rc = store_session_delete_stale(sv->store, person, now, idle, err);
    if (rc != CF_OK)
        return rc;
    return store_session_insert(sv->store, hash, person, now, expires, sv->address,
                                ua[0] != '\0' ? ua : NULL, err);
}

/* --- throttling -------------------------------------------------------------- */

/*
 * CF_ETOOMANY with "<what>. Try again in N minutes." when key has limit
 * entries (failed sign-ins, requests for a reset) in the window.
 */
int svc__throttled(const struct svc *sv, const char *key, long limit, const char *what,
                   struct cf_error *err)
{
    char since[32], oldest[32];
    long n;
    time_t t0;
    int rc;

    svc__iso_after(-THROTTLE_WINDOW_S, since, sizeof since);
    rc = store_login_failures(sv->store, key, since, &n, oldest, err);
    if (rc != CF_OK)
        return rc;
    if (n < limit)
        return CF_OK;
    if (clock_parse_iso(oldest, &t0) != 0)
        t0 = clock_now();
    {
        long wait = (long)(t0 + THROTTLE_WINDOW_S - clock_now());
        long minutes = wait <= 0 ? 1 : (wait + 59) / 60;

        /* The account or address as a whole, never one field: which was wrong is not said. */
        return cf_error_set(err, CF_ETOOMANY, NULL,
                            "There have been too many %s. Try again in %ld minute%s.", what,
                            minutes, minutes == 1 ? "" : "s");
    }
}

/* --- sign-in ----------------------------------------------------------------- */

/* Beside the password field, never the e-mail field: which of the two was wrong is not said. */
static const char BAD_LOGIN[] = "The e-mail address or password is not right. Check both and try "
                                "again, or choose a new password with “Forgot your password?”.";

int svc_login(const struct svc *sv, const char *email_in, const char *password,
              const char *user_agent, const char *old_token, json_t **out, struct cf_error *err)
{
    char email[256], acct[300], addr[300], now[32], token[44], expires[32];
    json_t *p = NULL;
    const char *hash;
    int ok, rc;

    *out = NULL;
    clock_now_iso(now, sizeof now);
    if (svc__email(email_in, email, sizeof email, "email", err) != CF_OK)
        return CF_EINVAL;
    if (password == NULL || password[0] == '\0')
        return cf_error_set(err, CF_EINVAL, "password", "Enter your password.");
    if (strlen(password) > PASSWORD_MAX)
        return cf_error_set(err, CF_EUNAUTH, "password", "%s", BAD_LOGIN);
    snprintf(acct, sizeof acct, "acct:%s", email);
    snprintf(addr, sizeof addr, "addr:%s", sv->address != NULL ? sv->address : "-");
    rc = svc__throttled(sv, acct, THROTTLE_ACCOUNT, "failed sign-ins for this account", err);
    if (rc == CF_OK)
        rc = svc__throttled(sv, addr, THROTTLE_ADDRESS, "failed sign-ins from your address", err);
    if (rc != CF_OK) {
        /* Counted per address and interval, not one audit entry each (svc/audit.c). */
        if (rc == CF_ETOOMANY)
            svc_audit_refusal(sv, "sign-in throttled", "POST", "/login");
        return rc;
    }

    rc = store_person_by_email(sv->store, email, &p, err);
    if (rc != CF_OK && rc != CF_ENOTFOUND)
        return rc;
    hash = p != NULL ? json_string_value(json_object_get(p, "password_hash")) : NULL;
    if (hash != NULL)
        ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
    else {
        const char *d = svc__dummy_hash();

        /* The answer is no either way; only the time it takes matters. */
        ok = d[0] != '\0' && crypto_pwhash_str_verify(d, password, strlen(password)) == 0 && 0;
    }
    if (ok && strcmp(json_string_value(json_object_get(p, "status")), "active") != 0)
        ok = 0;
    if (!ok) {
        const char *pid = p != NULL ? json_string_value(json_object_get(p, "id")) : NULL;
        json_t *a = json_pack("{s:s}", "email", email);

        if (store_begin(sv->store, err) == CF_OK) {
            if (store_login_failure_add(sv->store, acct, now, err) == CF_OK &&
                store_login_failure_add(sv->store, addr, now, err) == CF_OK &&
                svc__audit(sv, p != NULL ? json_string_value(json_object_get(p, "org_id")) : NULL,
                           "auth.login_failed", "person", pid, NULL, a, err) == CF_OK)
                store_commit(sv->store, err);
            else
                store_rollback(sv->store);
        }
        json_decref(a);
        json_decref(p);
        return cf_error_set(err, CF_EUNAUTH, "password", "%s", BAD_LOGIN);
    }

    rc = store_begin(sv->store, err);
    if (rc != CF_OK)
        goto out;
    {
        const char *pid = json_string_value(json_object_get(p, "id"));
        unsigned long long ops;
        size_t mem;
        struct svc me = *sv;
        char actor[64];

        snprintf(actor, sizeof actor, "user:%s", pid);
        me.actor = actor;
        svc__pw_cost(&ops, &mem);
        rc = store_login_failures_clear(sv->store, acct, err);
        if (rc == CF_OK && crypto_pwhash_str_needs_rehash(hash, ops, mem) != 0) {
            char fresh[crypto_pwhash_STRBYTES];

            rc = svc__password_hash(password, fresh, sizeof fresh, err);
            if (rc == CF_OK)
                rc = store_person_set_password(sv->store, pid, fresh, now, err);
            if (rc == CF_OK) {
                json_t *a = json_pack("{s:s}", "password", "rehashed with the current cost");

                rc = svc__audit(&me, json_string_value(json_object_get(p, "org_id")),
                                "auth.password_upgraded", "person", pid, NULL, a, err);
                json_decref(a);
            }
        }
        if (rc == CF_OK && old_token != NULL && old_token[0] != '\0') {
            char old[65];

            svc__token_hash(old_token, old);
            rc = store_session_delete(sv->store, old, err);
        }
        if (rc == CF_OK)
            rc = svc__session_start(sv, pid, user_agent, token, expires, sizeof expires, err);
        if (rc == CF_OK)
            rc = svc__audit(&me, json_string_value(json_object_get(p, "org_id")), "auth.login",
                            "person", pid, NULL, NULL, err);
        if (rc == CF_OK)
            rc = store_commit(sv->store, err);
        if (rc != CF_OK) {
            store_rollback(sv->store);
            goto out;
        }
        *out = json_pack("{s:s, s:s, s:o}", "token", token, "expires_at", expires, "person",
                         svc__person_view(p));
    }
out:
    json_decref(p);
    return rc;
}

/* --- who is asking ------------------------------------------------------------ */

static int load_person(const struct svc *sv, const char *pid, json_t **person, json_t **grants,
                       struct cf_error *err)
{
    json_t *p;
    int rc = store_person_get(sv->store, pid, &p, err);

    if (rc == CF_ENOTFOUND)
        return cf_error_set(err, CF_EUNAUTH, NULL, "Please sign in.");
    if (rc != CF_OK)
        return rc;
    if (strcmp(json_string_value(json_object_get(p, "status")), "active") != 0) {
        json_decref(p);
        return cf_error_set(err, CF_EUNAUTH, NULL, "This account is not active.");
    }
    rc = store_grants_of(sv->store, pid, grants, err);
    if (rc != CF_OK) {
        json_decref(p);
        return rc;
    }
    *person = p;
    return CF_OK;
}

int svc_session_principal(const struct svc *sv, const char *token, json_t **person, json_t **grants,
                          struct cf_error *err)
{
    char hash[65], now[32];
    json_t *s;
    time_t t_now = clock_now(), t_seen = 0;
    int rc;

    *person = *grants = NULL;
    svc__token_hash(token, hash);
    rc = store_session_get(sv->store, hash, &s, err);
    if (rc == CF_ENOTFOUND)
        return cf_error_set(err, CF_EUNAUTH, NULL, "Your session has ended. Please sign in again.");
    if (rc != CF_OK)
        return rc;
    /* An ended session is refused, not deleted: reading writes nothing (the next sign-in
     * of the person removes it, svc__session_start). */
    if (!svc__session_live(s, t_now) ||
        clock_parse_iso(json_string_value(json_object_get(s, "last_seen")), &t_seen) != 0) {
        json_decref(s);
        return cf_error_set(err, CF_EUNAUTH, NULL,
                            "Your session has expired. Please sign in again.");
    }
    rc = load_person(sv, json_string_value(json_object_get(s, "person_id")), person, grants, err);
    /* Last seen: written at most once a minute (TOUCH_EVERY_S), not on every request. */
    if (rc == CF_OK && t_now - t_seen >= TOUCH_EVERY_S) {
        clock_now_iso(now, sizeof now);
        store_session_touch(sv->store, hash, now, NULL);
    }
    json_decref(s);
    return rc;
}

int svc_token_principal(const struct svc *sv, const char *token, json_t **person, json_t **grants,
                        struct cf_error *err)
{
    char hash[65], now[32];
    json_t *t, *all = NULL, *mine;
    size_t i;
    json_t *g;
    int rc;

    *person = *grants = NULL;
    svc__token_hash(token, hash);
    rc = store_api_token_by_hash(sv->store, hash, &t, err);
    if (rc == CF_ENOTFOUND)
        return cf_error_set(err, CF_EUNAUTH, NULL, "That API token is not valid.");
    if (rc != CF_OK)
        return rc;
    if (!json_is_null(json_object_get(t, "revoked_at"))) {
        json_decref(t);
        return cf_error_set(err, CF_EUNAUTH, NULL, "That API token has been revoked.");
    }
    rc = load_person(sv, json_string_value(json_object_get(t, "person_id")), person, &all, err);
    if (rc != CF_OK) {
        json_decref(t);
        return rc;
    }
    /* Only the roles the token was given (and the person still holds). */
    mine = json_array();
    json_array_foreach(all, i, g)
    {
        size_t j;
        json_t *r;

        json_array_foreach(json_object_get(t, "roles"), j,
                           r) if (json_equal(r, json_object_get(g, "role")))
            json_array_append(mine, g);
    }
    json_decref(all);
    *grants = mine;
    /* Last used: written at most once a minute, so that reads seldom write. */
    {
        const char *last = json_string_value(json_object_get(t, "last_used_at"));
        time_t t_last;

        if (last == NULL || clock_parse_iso(last, &t_last) != 0 ||
            clock_now() - t_last >= TOUCH_EVERY_S) {
            clock_now_iso(now, sizeof now);
            store_api_token_touch(sv->store, json_string_value(json_object_get(t, "id")), now,
                                  NULL);
        }
    }
    json_decref(t);
    return CF_OK;
}

int svc_logout(const struct svc *sv, const char *token, struct cf_error *err)
{
    char hash[65];
    int rc;

    if (token == NULL || token[0] == '\0')
        return CF_OK;
    svc__token_hash(token, hash);
    rc = store_begin(sv->store, err);
    if (rc != CF_OK)
        return rc;
    rc = store_session_delete(sv->store, hash, err);
    if (rc == CF_OK && sv->who != NULL && sv->who->person_id != NULL)
        rc = svc__audit(sv, NULL, "auth.logout", "person", sv->who->person_id, NULL, NULL, err);
    if (rc == CF_OK)
        return store_commit(sv->store, err);
    store_rollback(sv->store);
    return rc;
}

int svc_logout_everywhere(const struct svc *sv, json_t **out, struct cf_error *err)
{
    char now[32];
    int64_t n = 0, revoked = 0;
    int rc;

    *out = NULL;
    if (sv->who == NULL || sv->who->person_id == NULL)
        return cf_error_set(err, CF_EUNAUTH, NULL, "Please sign in.");
    if ((rc = svc__browser_only(sv, "sign you out everywhere", err)) != CF_OK)
        return rc;
    clock_now_iso(now, sizeof now);
    rc = store_begin(sv->store, err);
    if (rc != CF_OK)
        return rc;
    rc = store_session_delete_person(sv->store, sv->who->person_id, &n, err);
    /* Everywhere includes the scripts that hold an API token. */
    if (rc == CF_OK)
        rc = store_api_token_revoke_person(sv->store, sv->who->person_id, now, &revoked, err);
    if (rc == CF_OK) {
        json_t *a = json_pack("{s:I, s:I}", "sessions_ended", (json_int_t)n, "tokens_revoked",
                              (json_int_t)revoked);

        rc = svc__audit(sv, NULL, "auth.logout_everywhere", "person", sv->who->person_id, NULL, a,
                        err);
        json_decref(a);
    }
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    if (rc != CF_OK) {
        store_rollback(sv->store);
        return rc;
    }
    *out = json_pack("{s:I, s:I, s:s}", "sessions_ended", (json_int_t)n, "tokens_revoked",
                     (json_int_t)revoked, "message",
                     "You have been signed out everywhere, and your API tokens have been revoked.");
    return CF_OK;
}

int svc_session_end(const struct svc *sv, const char *handle, const char *current_token,
                    json_t **out, struct cf_error *err)
{
    char current[65] = "", h[33];
    json_t *list = NULL, *s, *found = NULL;
    size_t i;
    int rc;

    *out = NULL;
    if (sv->who == NULL || sv->who->person_id == NULL)
        return cf_error_set(err, CF_EUNAUTH, NULL, "Please sign in.");
    if ((rc = svc__browser_only(sv, "end sessions", err)) != CF_OK)
        return rc;
    if (current_token != NULL)
        svc__token_hash(current_token, current);
    rc = store_begin(sv->store, err);
    if (rc == CF_OK)
        rc = store_session_list(sv->store, sv->who->person_id, &list, err);
    if (rc == CF_OK) {
        json_array_foreach(list, i, s)
        {
            svc__session_handle(json_string_value(json_object_get(s, "id_hash")), h);
            if (handle != NULL && strcmp(h, handle) == 0)
                found = s;
        }
        if (found == NULL)
            rc = cf_error_set(err, CF_ENOTFOUND, NULL,
                              "That session has already ended, or it is not yours.");
    }
    if (rc == CF_OK)
        rc = store_session_delete(sv->store, json_string_value(json_object_get(found, "id_hash")),
                                  err);
    if (rc == CF_OK) {
        json_t *a = json_pack("{s:s, s:O, s:O, s:O}", "session", handle, "created_at",
                              json_object_get(found, "created_at"), "address",
                              json_object_get(found, "address"), "user_agent",
                              json_object_get(found, "user_agent"));

        rc = svc__audit(sv, NULL, "auth.session_end", "person", sv->who->person_id, a, NULL, err);
        json_decref(a);
    }
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    if (rc != CF_OK) {
        store_rollback(sv->store);
        json_decref(list);
        return rc;
    }
    *out = json_pack("{s:s, s:b}", "ended", handle, "current",
                     strcmp(json_string_value(json_object_get(found, "id_hash")), current) == 0);
    json_decref(list);
    return CF_OK;
}
