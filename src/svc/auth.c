/*
 * auth.c — signing in and out, sessions, single-use links (first-run setup,
 * invitation, password reset), API tokens, throttling.
 *
 * Secrets (session cookies, link tokens, API tokens) are 32 random bytes;
 * only their BLAKE2b hash is stored, so a copy of the database signs nobody
 * in. Passwords are argon2id strings (libsodium), which carry their own
 * parameters; a hash made with other parameters than today's is redone at
 * the next successful sign-in.
 */
#include <ctype.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lib/clock.h"
#include "svc/svc_impl.h"

/* --- small helpers ---------------------------------------------------------- */

void svc__token_new(char token[44])
{
    unsigned char raw[32];

    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(token, 44, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
}

void svc__token_hash(const char *token, char hash[65])
{
    unsigned char h[32];

    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(hash, 65, h, sizeof h);
}

void svc__check(struct svc_checks *ck, int rc, const struct cf_error *e)
{
    if (rc == CF_OK)
        return;
    if (ck->rc == CF_OK) {
        ck->rc = rc;
        cf_error_set(ck->err, rc, e->field[0] != '\0' ? e->field : NULL, "%s", e->message);
    } else {
        cf_error_also(ck->err, e->field, "%s", e->message);
    }
}

void svc__token_new_hex(char out[33])
{
    unsigned char b[16];

    randombytes_buf(b, sizeof b);
    sodium_bin2hex(out, 33, b, sizeof b);
}

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

void svc__iso_after(long seconds, char *buf, size_t n)
{
    clock_iso(clock_now() + (time_t)seconds, buf, n);
}

int svc__audit(const struct svc *sv, const char *org, const char *action, const char *object_type,
               const char *object_id, const json_t *before, const json_t *after,
               struct cf_error *err)
{
    struct audit_entry e = {NULL,      sv->actor, org,   action,        object_type,
                            object_id, before,    after, sv->request_id};

    return store_audit_append(sv->store, &e, err);
}

json_t *svc__person_view(const json_t *row)
{
    static const char *const keys[] = {"id",     "email",  "name",       "title",
                                       "org_id", "status", "created_at", "updated_at"};
    json_t *v = json_object();

    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        json_t *x = json_object_get(row, keys[i]);

        json_object_set(v, keys[i], x != NULL ? x : json_null());
    }
    return v;
}

int svc__email(const char *in, char *out, size_t n, const char *field, struct cf_error *err)
{
    size_t len, j = 0;
    const char *at;
    const char *b, *e;

    if (in == NULL)
        in = "";
    b = in;
    while (*b == ' ' || *b == '\t')
        b++;
    e = b + strlen(b);
    while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
        e--;
    len = (size_t)(e - b);
    if (len == 0)
        return cf_error_set(err, CF_EINVAL, field, "Enter an e-mail address.");
    if (len > 254 || len + 1 > n)
        return cf_error_set(err, CF_EINVAL, field, "That e-mail address is too long.");
    for (const char *c = b; c < e; c++) {
        if ((unsigned char)*c <= ' ' || *c == 0x7f || *c == '<' || *c == '>' || *c == ',' ||
            *c == ';' || *c == '"' || *c == '\\')
            return cf_error_set(err, CF_EINVAL, field,
                                "An e-mail address has no spaces or <>,;\"\\ characters.");
        out[j++] = (char)tolower((unsigned char)*c);
    }
    out[j] = '\0';
    at = strchr(out, '@');
    if (at == NULL || at == out || at[1] == '\0' || strchr(at + 1, '@') != NULL ||
        strchr(at + 1, '.') == NULL || at[strlen(at) - 1] == '.')
        return cf_error_set(err, CF_EINVAL, field,
                            "Enter an e-mail address like name@district.org.");
    return CF_OK;
}

#define PASSWORD_MIN 10
#define PASSWORD_MAX 1024

int svc__password_ok(const char *pw, const char *email, const char *field, struct cf_error *err)
{
    size_t chars = 0;

    if (pw == NULL)
        pw = "";
    for (const unsigned char *c = (const unsigned char *)pw; *c != '\0'; c++)
        if ((*c & 0xc0) != 0x80)
            chars++;
    if (chars < PASSWORD_MIN)
        return cf_error_set(err, CF_EINVAL, field,
                            "Use at least %d characters for the password (a few words work well).",
                            PASSWORD_MIN);
    if (strlen(pw) > PASSWORD_MAX)
        return cf_error_set(err, CF_EINVAL, field, "Use at most %d characters for the password.",
                            PASSWORD_MAX);
    if (email != NULL && strcasecmp(pw, email) == 0)
        return cf_error_set(err, CF_EINVAL, field, "The password must not be your e-mail address.");
    return CF_OK;
}

/*
 * The argon2id cost: t=2 passes over 19 MiB (OWASP's recommendation), or
 * CTOFRAME_ARGON2="t=N,m=KIB" (tests use a cheaper cost to check upgrades).
 */
static void pw_cost(unsigned long long *ops, size_t *mem)
{
    const char *env = getenv("CTOFRAME_ARGON2");
    unsigned long long t = 2, m = 19456;

    if (env != NULL) {
        unsigned long long et, em;

        if (sscanf(env, "t=%llu,m=%llu", &et, &em) == 2 &&
            et >= crypto_pwhash_argon2id_OPSLIMIT_MIN && em * 1024 >= crypto_pwhash_MEMLIMIT_MIN &&
            em <= 1024 * 1024) {
            t = et;
            m = em;
        }
    }
    *ops = t;
    *mem = (size_t)(m * 1024);
}

int svc__password_hash(const char *pw, char *out, size_t n, struct cf_error *err)
{
    unsigned long long ops;
    size_t mem;

    pw_cost(&ops, &mem);
    if (n < crypto_pwhash_STRBYTES ||
        crypto_pwhash_str_alg(out, pw, strlen(pw), ops, mem, crypto_pwhash_ALG_ARGON2ID13) != 0)
        return cf_error_set(err, CF_ENOMEM, NULL, "out of memory while hashing the password");
    return CF_OK;
}

int svc__session_start(const struct svc *sv, const char *person, const char *user_agent,
                       char token[44], char *expires, size_t en, struct cf_error *err)
{
    char now[32], hash[65];
    char ua[201];

    clock_now_iso(now, sizeof now);
    svc__iso_after(SESSION_MAX_S, expires, en);
    svc__token_new(token);
    svc__token_hash(token, hash);
    snprintf(ua, sizeof ua, "%s", user_agent != NULL ? user_agent : "");
    return store_session_insert(sv->store, hash, person, now, expires, sv->address,
                                ua[0] != '\0' ? ua : NULL, err);
}

int svc__link_issue(const struct svc *sv, const char *kind, const char *person, long ttl,
                    char token[44], struct cf_error *err)
{
    char now[32], exp[32], hash[65];
    int rc;

    clock_now_iso(now, sizeof now);
    svc__iso_after(ttl, exp, sizeof exp);
    rc = store_ott_void(sv->store, person, kind, now, err);
    /* The e-mail with the replaced link, if still waiting, would only mislead. */
    if (rc == CF_OK && person != NULL)
        rc = store_outbox_cancel(sv->store, person, kind, "not sent: a newer message replaced it",
                                 now, err);
    if (rc != CF_OK)
        return rc;
    svc__token_new(token);
    svc__token_hash(token, hash);
    return store_ott_insert(sv->store, hash, kind, person, now, exp, err);
}

int svc__send(const struct svc *sv, const char *kind, const char *to, const char *person,
              const char *subject, const char *body, struct cf_error *err)
{
    char now[32];

    clock_now_iso(now, sizeof now);
    return store_outbox_add(sv->store, kind, to, subject, body, person, now, NULL, err);
}

static const char *link_base(const struct svc *sv)
{
    return sv->base_url != NULL ? sv->base_url : "http://127.0.0.1:8080";
}

/* --- throttling -------------------------------------------------------------- */

/* CF_ETOOMANY with "try again in N minutes" when key has limit failures in the window. */
static int throttled(const struct svc *sv, const char *key, long limit, const char *who,
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

        return cf_error_set(err, CF_ETOOMANY, "email",
                            "Too many failed sign-ins %s. Try again in %ld minute%s.", who, minutes,
                            minutes == 1 ? "" : "s");
    }
}

/* --- sign-in ----------------------------------------------------------------- */

/* A hash to verify against when there is no account, so both cases take as long. */
static const char *dummy_hash(void)
{
    static char h[crypto_pwhash_STRBYTES];

    if (h[0] == '\0' && svc__password_hash("not a password of anyone", h, sizeof h, NULL) != CF_OK)
        h[0] = '\0';
    return h;
}

static const char BAD_LOGIN[] = "The e-mail address or password is not right.";

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
    rc = throttled(sv, acct, THROTTLE_ACCOUNT, "for this account", err);
    if (rc == CF_OK)
        rc = throttled(sv, addr, THROTTLE_ADDRESS, "from your address", err);
    if (rc != CF_OK) {
        if (rc == CF_ETOOMANY) {
            json_t *a = json_pack("{s:s, s:s}", "email", email, "reason", "throttled");

            svc__audit(sv, NULL, "auth.login_refused", "person", NULL, NULL, a, NULL);
            json_decref(a);
        }
        return rc;
    }

    rc = store_person_by_email(sv->store, email, &p, err);
    if (rc != CF_OK && rc != CF_ENOTFOUND)
        return rc;
    hash = p != NULL ? json_string_value(json_object_get(p, "password_hash")) : NULL;
    if (hash != NULL)
        ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
    else {
        const char *d = dummy_hash();

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
        pw_cost(&ops, &mem);
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
    if (!svc__session_live(s, t_now) ||
        clock_parse_iso(json_string_value(json_object_get(s, "last_seen")), &t_seen) != 0) {
        json_decref(s);
        store_session_delete(sv->store, hash, NULL);
        return cf_error_set(err, CF_EUNAUTH, NULL,
                            "Your session has expired. Please sign in again.");
    }
    rc = load_person(sv, json_string_value(json_object_get(s, "person_id")), person, grants, err);
    if (rc == CF_EUNAUTH)
        store_session_delete(sv->store, hash, NULL);
    else if (rc == CF_OK && t_now - t_seen >= 60) {
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
    clock_now_iso(now, sizeof now);
    store_api_token_touch(sv->store, json_string_value(json_object_get(t, "id")), now, NULL);
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
    int64_t n = 0;
    int rc;

    *out = NULL;
    if (sv->who == NULL || sv->who->person_id == NULL)
        return cf_error_set(err, CF_EUNAUTH, NULL, "Please sign in.");
    rc = store_begin(sv->store, err);
    if (rc != CF_OK)
        return rc;
    rc = store_session_delete_person(sv->store, sv->who->person_id, &n, err);
    if (rc == CF_OK) {
        json_t *a = json_pack("{s:I}", "sessions_ended", (json_int_t)n);

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
    *out = json_pack("{s:I, s:s}", "sessions_ended", (json_int_t)n, "message",
                     "You have been signed out everywhere.");
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

/* --- single-use links ------------------------------------------------------------ */

/* The stored link for token, checked for kind, use and expiry. */
static int link_get(const struct svc *sv, const char *token, const char *kind, json_t **out,
                    struct cf_error *err)
{
    char hash[65];
    json_t *l;
    time_t exp;
    int rc;

    *out = NULL;
    if (token == NULL || strlen(token) != 43)
        return cf_error_set(err, CF_ENOTFOUND, "token",
                            "This link is not valid. Check that you copied all of it.");
    svc__token_hash(token, hash);
    rc = store_ott_get(sv->store, hash, &l, err);
    if (rc == CF_ENOTFOUND ||
        (rc == CF_OK && strcmp(json_string_value(json_object_get(l, "kind")), kind) != 0)) {
        json_decref(l);
        return cf_error_set(err, CF_ENOTFOUND, "token",
                            "This link is not valid. Check that you copied all of it.");
    }
    if (rc != CF_OK)
        return rc;
    if (!json_is_null(json_object_get(l, "replaced_at"))) {
        json_decref(l);
        return cf_error_set(err, CF_ECONFLICT, "token",
                            strcmp(kind, "setup") == 0
                                ? "A newer setup link has replaced this one: use the link the "
                                  "server printed when it last started."
                                : "A newer link has replaced this one: use the link in the most "
                                  "recent e-mail.");
    }
    if (!json_is_null(json_object_get(l, "used_at"))) {
        json_decref(l);
        return cf_error_set(
            err, CF_ECONFLICT, "token", "%s",
            strcmp(kind, "setup") == 0
                ? "This setup link has been used: the program administrator exists. Sign in "
                  "instead."
            : strcmp(kind, "invite") == 0
                ? "This invitation has been accepted already. Sign in, or use \"Forgot your "
                  "password?\" on the sign-in page."
                : "This link has been used already. Ask for a new one on the sign-in page if "
                  "you need it.");
    }
    if (clock_parse_iso(json_string_value(json_object_get(l, "expires_at")), &exp) != 0 ||
        exp <= clock_now()) {
        json_decref(l);
        return cf_error_set(err, CF_ECONFLICT, "token",
                            "This link has expired. Ask for a new one.");
    }
    *out = l;
    return CF_OK;
}

int svc_link_check(const struct svc *sv, const char *token, const char *kind, json_t **out,
                   struct cf_error *err)
{
    json_t *l, *p = NULL;
    const char *pid;
    int rc = link_get(sv, token, kind, &l, err);

    *out = NULL;
    if (rc != CF_OK)
        return rc;
    pid = json_string_value(json_object_get(l, "person_id"));
    if (pid != NULL && (rc = store_person_get(sv->store, pid, &p, err)) != CF_OK) {
        json_decref(l);
        return rc;
    }
    /* Say it before the form is filled in, not after. */
    if (p != NULL && strcmp(json_string_value(json_object_get(p, "status")), "disabled") == 0) {
        json_decref(p);
        json_decref(l);
        return cf_error_set(err, CF_ECONFLICT, "token",
                            "This account is disabled. Ask your administrator to enable it.");
    }
    *out = json_pack("{s:s, s:O, s:o}", "kind", kind, "expires_at",
                     json_object_get(l, "expires_at"), "person",
                     p != NULL ? json_pack("{s:O, s:O}", "email", json_object_get(p, "email"),
                                           "name", json_object_get(p, "name"))
                               : json_null());
    json_decref(p);
    json_decref(l);
    return CF_OK;
}

int svc_setup_needed(const struct svc *sv, int *needed, struct cf_error *err)
{
    long n;
    int rc = store_person_count_role(sv->store, "program_admin", &n, err);

    *needed = rc == CF_OK && n == 0;
    return rc;
}

int svc_setup_link(const struct svc *sv, char token[44], struct cf_error *err)
{
    int rc = store_begin(sv->store, err);

    if (rc != CF_OK)
        return rc;
    rc = svc__link_issue(sv, "setup", NULL, SETUP_TTL_S, token, err);
    if (rc == CF_OK)
        rc = svc__audit(sv, NULL, "auth.setup_link", "link", NULL, NULL, NULL, err);
    if (rc == CF_OK)
        return store_commit(sv->store, err);
    store_rollback(sv->store);
    return rc;
}

/* Uses the link and starts a session for person; *out = {token, expires_at, person}. */
static int finish_with_session(const struct svc *sv, const char *link_hash, const json_t *person,
                               const char *user_agent, json_t **out, struct cf_error *err)
{
    char now[32], token[44], expires[32];
    int rc;

    clock_now_iso(now, sizeof now);
    rc = store_ott_use(sv->store, link_hash, now, err);
    if (rc == CF_OK)
        rc = svc__session_start(sv, json_string_value(json_object_get(person, "id")), user_agent,
                                token, expires, sizeof expires, err);
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    if (rc != CF_OK) {
        store_rollback(sv->store);
        return rc;
    }
    *out = json_pack("{s:s, s:s, s:o}", "token", token, "expires_at", expires, "person",
                     svc__person_view(person));
    return CF_OK;
}

int svc_setup_finish(const struct svc *sv, const char *token, const json_t *in,
                     const char *user_agent, json_t **out, struct cf_error *err)
{
    const char *org_name = json_string_value(json_object_get(in, "organization"));
    const char *name = json_string_value(json_object_get(in, "name"));
    const char *pw = json_string_value(json_object_get(in, "password"));
    char email[256], now[32], hash[crypto_pwhash_STRBYTES];
    char body_name[801], your_name[801];
    json_t *l, *person = NULL, *body = NULL, *orgs = NULL;
    struct svc me = *sv, link = *sv;
    char actor[64];
    int needed, rc;

    /* Who made the body and the first account: the setup link (nobody is signed in yet). */
    link.actor = "setup-link";
    *out = NULL;
    rc = link_get(sv, token, "setup", &l, err);
    if (rc != CF_OK)
        return rc;
    json_decref(l);
    if ((rc = svc_setup_needed(sv, &needed, err)) != CF_OK)
        return rc;
    if (!needed)
        return cf_error_set(err, CF_ECONFLICT, "token",
                            "A program administrator already exists; sign in instead.");
    {
        /* Every field at fault at once. */
        struct svc_checks ck = {err, CF_OK};
        struct cf_error e;
        const char *pw2 = json_string_value(json_object_get(in, "password2"));

        svc__check(&ck,
                   svc__text(in, "organization", 1, 200, "the name of the certification body",
                             body_name, sizeof body_name, &e),
                   &e);
        svc__check(&ck, svc__text(in, "name", 1, 200, "your name", your_name, sizeof your_name, &e),
                   &e);
        rc = svc__email(json_string_value(json_object_get(in, "email")), email, sizeof email,
                        "email", &e);
        svc__check(&ck, rc, &e);
        svc__check(&ck, svc__password_ok(pw, rc == CF_OK ? email : "", "password", &e), &e);
        /* Forms have the password twice; JSON clients may send it once. */
        if (json_object_get(in, "password2") != NULL &&
            (pw == NULL || pw2 == NULL || strcmp(pw, pw2) != 0))
            svc__check(
                &ck,
                cf_error_set(&e, CF_EINVAL, "password2", "The two passwords are not the same."),
                &e);
        if (ck.rc != CF_OK)
            return ck.rc;
    }
    org_name = body_name;
    name = your_name;
    if (svc__password_hash(pw, hash, sizeof hash, err) != CF_OK)
        return err->code;

    clock_now_iso(now, sizeof now);
    rc = svc__begin(sv, err);
    if (rc != CF_OK)
        return rc;
    /* Again inside the transaction: of two setups at once, the second finds the first's
     * administrator. */
    if ((rc = svc_setup_needed(sv, &needed, err)) == CF_OK && !needed)
        rc = cf_error_set(err, CF_ECONFLICT, "token",
                          "A program administrator already exists; sign in instead.");
    /* The certification body: the one that exists, else a new one. */
    if (rc == CF_OK)
        rc = store_org_list(sv->store, &orgs, err);
    if (rc == CF_OK) {
        size_t i;
        json_t *o;

        json_array_foreach(
            orgs, i, o) if (strcmp(json_string_value(json_object_get(o, "kind")), "body") == 0 &&
                            body == NULL) body = json_incref(o);
        if (body == NULL) {
            body = svc__org_new("body", org_name, NULL, NULL, -1, now);
            rc = store_org_insert(sv->store, body, err);
            if (rc == CF_OK)
                rc = svc__audit(&link, json_string_value(json_object_get(body, "id")), "org.add",
                                "org", json_string_value(json_object_get(body, "id")), NULL, body,
                                err);
        }
    }
    if (rc == CF_OK) {
        rc = svc__person_insert(&link, email, name, NULL,
                                json_string_value(json_object_get(body, "id")), hash, "active",
                                &person, err);
    }
    if (rc == CF_OK) {
        snprintf(actor, sizeof actor, "user:%s", json_string_value(json_object_get(person, "id")));
        me.actor = actor;
        rc = svc__grant(&me, json_string_value(json_object_get(person, "id")), "program_admin",
                        json_string_value(json_object_get(body, "id")), err);
    }
    if (rc == CF_OK) {
        char lh[65];

        svc__token_hash(token, lh);
        rc = finish_with_session(&me, lh, person, user_agent, out, err);
    } else
        store_rollback(sv->store);
    json_decref(orgs);
    json_decref(body);
    json_decref(person);
    return rc;
}

/* Shared by invitation and reset: set the password of the link's person, sign them in. */
static int finish_password_link(const struct svc *sv, const char *token, const char *kind,
                                const char *pw, const char *user_agent, json_t **out,
                                struct cf_error *err)
{
    char now[32], hash[crypto_pwhash_STRBYTES], lh[65], actor[64];
    json_t *l, *p = NULL, *before = NULL, *after = NULL;
    struct svc me = *sv;
    const char *pid;
    int rc = link_get(sv, token, kind, &l, err);

    *out = NULL;
    if (rc != CF_OK)
        return rc;
    pid = json_string_value(json_object_get(l, "person_id"));
    rc = pid != NULL ? store_person_get(sv->store, pid, &p, err) : CF_ENOTFOUND;
    json_decref(l);
    pid = rc == CF_OK ? json_string_value(json_object_get(p, "id")) : NULL; /* l is gone */
    if (rc != CF_OK)
        return rc == CF_ENOTFOUND
                   ? cf_error_set(err, CF_ENOTFOUND, "token", "This link is not valid any more.")
                   : rc;
    if (strcmp(json_string_value(json_object_get(p, "status")), "disabled") == 0 ||
        strcmp(json_string_value(json_object_get(p, "status")), "erased") == 0) {
        json_decref(p);
        return cf_error_set(err, CF_ECONFLICT, "token",
                            "This account is disabled. Ask your administrator.");
    }
    if (svc__password_ok(pw, json_string_value(json_object_get(p, "email")), "password", err) !=
            CF_OK ||
        svc__password_hash(pw, hash, sizeof hash, err) != CF_OK) {
        json_decref(p);
        return err->code;
    }
    snprintf(actor, sizeof actor, "user:%s", pid);
    me.actor = actor;
    clock_now_iso(now, sizeof now);
    svc__token_hash(token, lh);
    rc = svc__begin(sv, err);
    if (rc != CF_OK) {
        json_decref(p);
        return rc;
    }
    /* The account as it is now, inside the transaction: it may have been disabled, erased
     * or corrected since it was read above, and that must not be written over. */
    {
        char id[37];
        json_t *now_p = NULL;

        snprintf(id, sizeof id, "%s", pid);
        rc = store_person_get(sv->store, id, &now_p, err);
        if (rc == CF_OK &&
            (strcmp(json_string_value(json_object_get(now_p, "status")), "disabled") == 0 ||
             strcmp(json_string_value(json_object_get(now_p, "status")), "erased") == 0))
            rc = cf_error_set(err, CF_ECONFLICT, "token",
                              "This account is disabled. Ask your administrator.");
        json_decref(p);
        p = now_p;
        pid = p != NULL ? json_string_value(json_object_get(p, "id")) : NULL;
        if (rc != CF_OK) {
            store_rollback(sv->store);
            json_decref(p);
            return rc;
        }
    }
    before = json_pack("{s:O}", "status", json_object_get(p, "status"));
    json_object_set_new(p, "status", json_string("active"));
    json_object_set_new(p, "updated_at", json_string(now));
    after = json_pack("{s:s, s:s}", "status", "active", "password", "set");
    rc = store_person_update(sv->store, p, err);
    if (rc == CF_OK)
        rc = store_person_set_password(sv->store, pid, hash, now, err);
    /* The link was used (perhaps passed on from the outbox page): its e-mail is moot. */
    if (rc == CF_OK)
        rc = store_outbox_cancel(sv->store, pid, kind, "not sent: the link was used before", now,
                                 err);
    /* A new password ends every session the old one opened. */
    if (rc == CF_OK)
        rc = store_session_delete_person(sv->store, pid, NULL, err);
    if (rc == CF_OK)
        rc = svc__audit(&me, json_string_value(json_object_get(p, "org_id")),
                        strcmp(kind, "invite") == 0 ? "auth.invitation_accepted"
                                                    : "auth.password_reset",
                        "person", pid, before, after, err);
    if (rc == CF_OK)
        rc = finish_with_session(&me, lh, p, user_agent, out, err);
    else
        store_rollback(sv->store);
    json_decref(before);
    json_decref(after);
    json_decref(p);
    return rc;
}

int svc_password_change(const struct svc *sv, const json_t *in, const char *user_agent,
                        json_t **out, struct cf_error *err)
{
    const char *current = json_string_value(json_object_get(in, "current"));
    const char *pw = json_string_value(json_object_get(in, "password"));
    const char *pw2 = json_string_value(json_object_get(in, "password2"));
    char acct[300], now[32], hash[crypto_pwhash_STRBYTES], token[44], expires[32];
    json_t *p = NULL, *row = NULL;
    const char *pid, *email;
    int64_t ended = 0;
    int rc;

    *out = NULL;
    if (sv->who == NULL || sv->who->person_id == NULL)
        return cf_error_set(err, CF_EUNAUTH, NULL, "Please sign in.");
    if (sv->who->via != NULL && strcmp(sv->who->via, "token") == 0)
        return cf_error_set(err, CF_EFORBIDDEN, NULL,
                            "An API token cannot change the password; sign in with a browser.");
    pid = sv->who->person_id;
    if ((rc = store_person_get(sv->store, pid, &row, err)) != CF_OK)
        return rc;
    rc =
        store_person_by_email(sv->store, json_string_value(json_object_get(row, "email")), &p, err);
    json_decref(row);
    if (rc != CF_OK)
        return rc;
    email = json_string_value(json_object_get(p, "email"));
    snprintf(acct, sizeof acct, "acct:%s", email);
    /* Guessing the current password from a borrowed session counts like failed sign-ins. */
    if ((rc = throttled(sv, acct, THROTTLE_ACCOUNT, "for this account", err)) != CF_OK) {
        json_decref(p);
        return rc;
    }
    {
        struct svc_checks ck = {err, CF_OK};
        struct cf_error e;
        const char *h = json_string_value(json_object_get(p, "password_hash"));

        if (current == NULL || current[0] == '\0')
            svc__check(&ck, cf_error_set(&e, CF_EINVAL, "current", "Enter your current password."),
                       &e);
        else if (h == NULL || strlen(current) > PASSWORD_MAX ||
                 crypto_pwhash_str_verify(h, current, strlen(current)) != 0) {
            clock_now_iso(now, sizeof now);
            if (store_login_failure_add(sv->store, acct, now, NULL) == CF_OK)
                svc__audit(sv, NULL, "auth.password_change_failed", "person", pid, NULL, NULL,
                           NULL);
            svc__check(&ck,
                       cf_error_set(&e, CF_EINVAL, "current", "That is not your current password."),
                       &e);
        }
        svc__check(&ck, svc__password_ok(pw, email, "password", &e), &e);
        if (pw2 == NULL || pw == NULL || strcmp(pw, pw2) != 0)
            svc__check(
                &ck,
                cf_error_set(&e, CF_EINVAL, "password2", "The two new passwords are not the same."),
                &e);
        if (ck.rc == CF_OK && current != NULL && pw != NULL && strcmp(current, pw) == 0)
            svc__check(&ck,
                       cf_error_set(&e, CF_EINVAL, "password",
                                    "The new password is the one you have now."),
                       &e);
        if (ck.rc != CF_OK) {
            json_decref(p);
            return ck.rc;
        }
    }
    if ((rc = svc__password_hash(pw, hash, sizeof hash, err)) != CF_OK) {
        json_decref(p);
        return rc;
    }
    clock_now_iso(now, sizeof now);
    rc = store_begin(sv->store, err);
    if (rc == CF_OK)
        rc = store_person_set_password(sv->store, pid, hash, now, err);
    if (rc == CF_OK)
        rc = store_login_failures_clear(sv->store, acct, err);
    /* Every session the old password opened ends; this browser gets a new one. */
    if (rc == CF_OK)
        rc = store_session_delete_person(sv->store, pid, &ended, err);
    if (rc == CF_OK)
        rc = svc__session_start(sv, pid, user_agent, token, expires, sizeof expires, err);
    if (rc == CF_OK) {
        json_t *a =
            json_pack("{s:s, s:I}", "password", "changed", "sessions_ended", (json_int_t)ended);

        rc = svc__audit(sv, json_string_value(json_object_get(p, "org_id")),
                        "auth.password_changed", "person", pid, NULL, a, err);
        json_decref(a);
    }
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    json_decref(p);
    if (rc != CF_OK) {
        store_rollback(sv->store);
        return rc;
    }
    *out = json_pack("{s:s, s:s, s:b}", "token", token, "expires_at", expires, "changed", 1);
    return CF_OK;
}

int svc_password_check(const char *password, const char *email, struct cf_error *err)
{
    return svc__password_ok(password, email != NULL ? email : "", "password", err);
}

int svc_invite_accept(const struct svc *sv, const char *token, const char *password,
                      const char *user_agent, json_t **out, struct cf_error *err)
{
    return finish_password_link(sv, token, "invite", password, user_agent, out, err);
}

int svc_reset_finish(const struct svc *sv, const char *token, const char *password,
                     const char *user_agent, json_t **out, struct cf_error *err)
{
    return finish_password_link(sv, token, "reset", password, user_agent, out, err);
}

static const char RESET_SENT[] =
    "If an account uses that address, a message with a link to choose a new password is on "
    "its way. The link works once, within an hour.";

int svc_reset_request(const struct svc *sv, const char *email_in, json_t **out,
                      struct cf_error *err)
{
    char email[256], token[44], key[300];
    json_t *p = NULL;
    int rc;

    *out = NULL;
    if (svc__email(email_in, email, sizeof email, "email", err) != CF_OK)
        return CF_EINVAL;
    snprintf(key, sizeof key, "reset:%s", sv->address != NULL ? sv->address : "-");
    rc = throttled(sv, key, THROTTLE_ADDRESS, "from your address", err);
    if (rc != CF_OK)
        return rc;
    rc = store_person_by_email(sv->store, email, &p, err);
    if (rc == CF_ENOTFOUND ||
        (rc == CF_OK && strcmp(json_string_value(json_object_get(p, "status")), "active") != 0)) {
        char now[32];

        /* Counted like a failure, so the form cannot be used to probe addresses quickly. */
        clock_now_iso(now, sizeof now);
        store_login_failure_add(sv->store, key, now, NULL);
        json_decref(p);
        *out = json_pack("{s:s}", "message", RESET_SENT);
        return CF_OK;
    }
    if (rc != CF_OK)
        return rc;
    rc = store_begin(sv->store, err);
    if (rc == CF_OK) {
        const char *pid = json_string_value(json_object_get(p, "id"));
        char *body = NULL;

        rc = svc__link_issue(sv, "reset", pid, RESET_TTL_S, token, err);
        if (rc == CF_OK &&
            asprintf(&body,
                     "Hello %s,\n\n"
                     "Someone (we hope you) asked to choose a new password for your ctoframe\n"
                     "account. Open this link within an hour to do so:\n\n"
                     "%s/reset/%s\n\n"
                     "The link works once. If you did not ask for it, ignore this message:\n"
                     "your password stays as it is.\n",
                     json_string_value(json_object_get(p, "name")), link_base(sv), token) < 0)
            rc = cf_error_set(err, CF_ENOMEM, NULL, "out of memory");
        if (rc == CF_OK)
            rc = svc__send(sv, "reset", email, pid, "Choose a new ctoframe password", body, err);
        if (rc == CF_OK)
            rc = svc__audit(sv, json_string_value(json_object_get(p, "org_id")),
                            "auth.reset_requested", "person", pid, NULL, NULL, err);
        free(body);
        if (rc == CF_OK)
            rc = store_commit(sv->store, err);
        else
            store_rollback(sv->store);
    }
    json_decref(p);
    if (rc != CF_OK)
        return rc;
    *out = json_pack("{s:s}", "message", RESET_SENT);
    return CF_OK;
}

/* --- API tokens ----------------------------------------------------------------- */

int svc_api_token_create(const struct svc *sv, const char *name, const json_t *roles, json_t **out,
                         struct cf_error *err)
{
    return svc_api_token_create_once(sv, name, roles, NULL, out, err);
}

int svc_api_token_create_once(const struct svc *sv, const char *name, const json_t *roles,
                              const char *form_nonce, json_t **out, struct cf_error *err)
{
    char token[44], full[48], hash[65], now[32], id[37];
    json_t *use = json_array(), *t;
    size_t i;
    json_t *r;
    int rc;

    *out = NULL;
    if (sv->who == NULL || sv->who->person_id == NULL) {
        json_decref(use);
        return cf_error_set(err, CF_EUNAUTH, NULL, "Please sign in.");
    }
    if (name == NULL || name[0] == '\0' || strlen(name) > 100) {
        json_decref(use);
        return cf_error_set(err, CF_EINVAL, "name",
                            "Give the token a name of up to 100 characters (what it is for).");
    }
    /* Roles asked for must be held; none asked for: every role held. */
    json_array_foreach(roles, i, r)
    {
        size_t j;
        json_t *g;
        int held = 0;

        json_array_foreach(sv->who->grants, j, g) held |= json_equal(r, json_object_get(g, "role"));
        if (!held) {
            json_decref(use);
            return cf_error_set(err, CF_EINVAL, "roles", "You do not hold the role \"%s\".",
                                json_is_string(r) ? json_string_value(r) : "?");
        }
        if (!svc__contains(use, r))
            json_array_append(use, r);
    }
    if (json_array_size(use) == 0) {
        json_t *g;

        json_array_foreach(sv->who->grants, i,
                           g) if (!svc__contains(use, json_object_get(g, "role")))
            json_array_append(use, json_object_get(g, "role"));
    }
    svc__token_new(token);
    snprintf(full, sizeof full, "cf_%s", token);
    svc__token_hash(full, hash);
    svc__uuid(id);
    clock_now_iso(now, sizeof now);
    t = json_pack("{s:s, s:s, s:s, s:s, s:O, s:s, s:s?}", "id", id, "person_id", sv->who->person_id,
                  "name", name, "hash", hash, "roles", use, "created_at", now, "form_nonce",
                  form_nonce != NULL && form_nonce[0] != '\0' ? form_nonce : NULL);
    rc = store_begin(sv->store, err);
    if (rc == CF_OK) {
        rc = store_api_token_insert(sv->store, t, err);
        if (rc == CF_ECONFLICT)
            cf_error_set(err, CF_ECONFLICT, "name",
                         "This form was sent already: that token was made then, and it is shown "
                         "only once. If you did not copy it, revoke it below and make a new one.");
    }
    json_object_del(t, "hash");
    json_object_del(t, "form_nonce");
    if (rc == CF_OK)
        rc = svc__audit(sv, NULL, "token.create", "api_token", id, NULL, t, err);
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    if (rc == CF_OK) {
        json_object_set_new(t, "token", json_string(full));
        json_object_set_new(t, "role_labels", svc__role_labels(json_object_get(t, "roles")));
        *out = json_incref(t);
    }
    json_decref(t);
    json_decref(use);
    return rc;
}

int svc_api_token_revoke(const struct svc *sv, const char *id, struct cf_error *err)
{
    char now[32];
    int rc;

    if (sv->who == NULL || sv->who->person_id == NULL)
        return cf_error_set(err, CF_EUNAUTH, NULL, "Please sign in.");
    clock_now_iso(now, sizeof now);
    rc = store_begin(sv->store, err);
    if (rc == CF_OK)
        rc = store_api_token_revoke(sv->store, sv->who->person_id, id, now, err);
    if (rc == CF_OK) {
        json_t *a = json_pack("{s:s}", "revoked_at", now);

        rc = svc__audit(sv, NULL, "token.revoke", "api_token", id, NULL, a, err);
        json_decref(a);
    }
    if (rc == CF_OK)
        return store_commit(sv->store, err);
    store_rollback(sv->store);
    return rc;
}
