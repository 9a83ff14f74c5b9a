/*
 * common.c — the helpers the svc files share: checking form fields (text,
 * e-mail address, password), hashing passwords and tokens, permission
 * checks that need no tree, the people lock, audit and outbox entries.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lib/clock.h"
#include "svc/svc_impl.h"

void svc__uuid(char id[37])
{
    unsigned char b[16];

    randombytes_buf(b, sizeof b);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(id, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

int svc__contains(const json_t *arr, const json_t *v)
{
    size_t i;
    json_t *x;

    json_array_foreach(arr, i, x) if (json_equal(x, v)) return 1;
    return 0;
}

const char *svc__str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* A text field: trimmed copy into out; CF_EINVAL naming field when required and empty, too
 * long, or holding control characters. */
int svc__text(const json_t *in, const char *field, int required, size_t max_chars,
              const char *label, char *out, size_t n, struct cf_error *err)
{
    const char *v = svc__str(in, field);
    const char *b, *e;
    size_t chars = 0;

    out[0] = '\0';
    if (v == NULL)
        v = "";
    for (b = v; *b == ' ' || *b == '\t'; b++)
        ;
    for (e = b + strlen(b); e > b && (e[-1] == ' ' || e[-1] == '\t'); e--)
        ;
    if (e == b) {
        if (required)
            return cf_error_set(err, CF_EINVAL, field, "Enter %s.", label);
        return CF_OK;
    }
    for (const unsigned char *c = (const unsigned char *)b; c < (const unsigned char *)e; c++) {
        if (*c < 0x20 || *c == 0x7f)
            return cf_error_set(err, CF_EINVAL, field,
                                "Remove the line breaks and control characters from %s.", label);
        if ((*c & 0xc0) != 0x80)
            chars++;
    }
    if (chars > max_chars || (size_t)(e - b) + 1 > n)
        return cf_error_set(err, CF_EINVAL, field, "Shorten %s to at most %zu characters.", label,
                            max_chars);
    memcpy(out, b, (size_t)(e - b));
    out[e - b] = '\0';
    return CF_OK;
}

/* 1 when sv holds p through a program-wide role (or is the CLI). */
int svc__can_everywhere(const struct svc *sv, enum perm p)
{
    size_t i;
    json_t *g;

    if (sv->who == NULL)
        return 1;
    json_array_foreach(sv->who->grants, i, g)
    {
        const char *role = svc__str(g, "role");

        if (authz_role_program_wide(role) && authz_role_has(role, p))
            return 1;
    }
    return 0;
}

json_t *svc__role_labels(const json_t *roles)
{
    json_t *labels = json_array(), *role;
    size_t i;

    json_array_foreach(roles, i, role)
        json_array_append_new(labels, json_string(authz_role_label(json_string_value(role))));
    return labels;
}

/*
 * Opens the transaction of a change to organizations, people or roles and
 * takes their lock (store_lock), so that every rule read after it — a name
 * not yet taken, the last program administrator, a person not erased — still
 * holds when the transaction commits. Every stored state such a change
 * depends on is read after this call, never before.
 */
int svc__begin(const struct svc *sv, struct cf_error *err)
{
    int rc = store_begin(sv->store, err);

    if (rc != CF_OK)
        return rc;
    rc = store_lock(sv->store, STORE_LOCK_PEOPLE, err);
    if (rc != CF_OK)
        store_rollback(sv->store);
    return rc;
}

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
        return cf_error_set(err, CF_EINVAL, field,
                            "That e-mail address is too long. Use a shorter one.");
    for (const char *c = b; c < e; c++) {
        if ((unsigned char)*c <= ' ' || *c == 0x7f || *c == '<' || *c == '>' || *c == ',' ||
            *c == ';' || *c == '"' || *c == '\\')
            return cf_error_set(
                err, CF_EINVAL, field,
                "Remove the spaces and the characters <>,;\"\\ from the e-mail address.");
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

/*
 * The argon2id cost: t=2 passes over 19 MiB (OWASP's recommendation), or
 * CTOFRAME_ARGON2="t=N,m=KIB" (tests use a cheaper cost to check upgrades).
 */
void svc__pw_cost(unsigned long long *ops, size_t *mem)
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

    svc__pw_cost(&ops, &mem);
    if (n < crypto_pwhash_STRBYTES ||
        crypto_pwhash_str_alg(out, pw, strlen(pw), ops, mem, crypto_pwhash_ALG_ARGON2ID13) != 0)
        return cf_error_set(err, CF_ENOMEM, NULL,
                            "Out of memory while protecting the password. Try again in a moment.");
    return CF_OK;
}

static char dummy[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void dummy_make(void)
{
    if (svc__password_hash("not a password of anyone", dummy, sizeof dummy, NULL) != CF_OK)
        dummy[0] = '\0';
}

/*
 * A hash to verify against when there is no account, so both cases take as
 * long. Made once per process, by whichever thread asks first; the others
 * wait for it (pthread_once), so no thread reads it half written. An empty
 * string when hashing failed (out of memory).
 */
const char *svc__dummy_hash(void)
{
    pthread_once(&dummy_once, dummy_make);
    return dummy;
}

/*
 * CF_EFORBIDDEN when the acting person came with an API token: managing
 * sessions, tokens and the password needs a browser session, so a leaked
 * token cannot keep itself alive or lock its owner out. what says what was
 * refused ("make API tokens").
 */
int svc__browser_only(const struct svc *sv, const char *what, struct cf_error *err)
{
    if (sv->who != NULL && sv->who->via != NULL && strcmp(sv->who->via, "token") == 0)
        return cf_error_set(err, CF_EFORBIDDEN, NULL,
                            "An API token cannot %s. Sign in with a browser to do it.", what);
    return CF_OK;
}

int svc__send(const struct svc *sv, const char *kind, const char *to, const char *person,
              const char *subject, const char *body, struct cf_error *err)
{
    char now[32];

    clock_now_iso(now, sizeof now);
    return store_outbox_add(sv->store, kind, to, subject, body, person,
                            sv->who != NULL ? sv->who->person_id : NULL, now, NULL, err);
}
