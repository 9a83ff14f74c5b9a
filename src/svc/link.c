/*
 * link.c — single-use links: first-run setup, invitation and password reset,
 * from issuing one to setting the password it is for.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lib/clock.h"
#include "svc/svc_impl.h"

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

static const char *link_base(const struct svc *sv)
{
    return sv->base_url != NULL ? sv->base_url : "http://127.0.0.1:8080";
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

/*
 * The token in the last "/invite/TOKEN" of body into token (44 bytes); 0 when
 * the body holds none.
 */
static int token_in_body(const char *body, const char *kind, char token[44])
{
    char mark[16];
    const char *p = NULL, *q;
    size_t n;

    snprintf(mark, sizeof mark, "/%s/", kind);
    for (q = body != NULL ? strstr(body, mark) : NULL; q != NULL; q = strstr(q + 1, mark))
        p = q + strlen(mark);
    if (p == NULL)
        return 0;
    n = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
    if (n != 43)
        return 0;
    memcpy(token, p, 43);
    token[43] = '\0';
    return 1;
}

int svc_person_invitation(const struct svc *sv, const char *id, json_t **out, struct cf_error *err)
{
    json_t *p = NULL, *m = NULL, *l = NULL, *inv = json_null();
    const char *me = sv->who != NULL ? sv->who->person_id : NULL;
    char token[44];
    int rc;

    *out = NULL;
    rc = svc__person_for(sv, id, PERM_PEOPLE_READ, &p, err);
    if (rc != CF_OK)
        return rc;

    /* Only the sender's own, newest invitation, and only while its link still works. */
    if (me != NULL && strcmp(svc__str(p, "status"), "invited") == 0 &&
        store_outbox_latest_by(sv->store, id, "invite", me, &m, NULL) == CF_OK &&
        token_in_body(svc__str(m, "body"), "invite", token) &&
        link_get(sv, token, "invite", &l, NULL) == CF_OK &&
        strcmp(svc__str(l, "person_id") != NULL ? svc__str(l, "person_id") : "", id) == 0) {
        json_decref(inv);
        inv = json_pack("{s:s++, s:O}", "link", link_base(sv), "/invite/", token, "expires_at",
                        json_object_get(l, "expires_at"));
    }
    sodium_memzero(token, sizeof token);
    json_decref(l);
    json_decref(m);
    json_decref(p);
    if (inv == NULL)
        return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
    *out = json_pack("{s:o, s:b}", "invitation", inv, "outbox_readable",
                     svc__can(sv, PERM_OUTBOX_READ, NULL));
    return *out != NULL
               ? CF_OK
               : cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
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
    char body_name[801] = "", your_name[801] = "";
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
        svc__check(&ck,
                   svc__password_ok(pw, rc == CF_OK ? email : NULL,
                                    your_name[0] != '\0' ? your_name : NULL, "password", &e),
                   &e);
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
    /* Sign-ins tried with this address before the account existed do not lock it out. */
    if (rc == CF_OK) {
        char acct[300];

        snprintf(acct, sizeof acct, "acct:%s", email);
        rc = store_login_failures_clear(sv->store, acct, err);
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
    int64_t revoked = 0;
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
                   ? cf_error_set(err, CF_ENOTFOUND, "token",
                                  "This link is not valid any more. Ask for a new one.")
                   : rc;
    if (strcmp(json_string_value(json_object_get(p, "status")), "disabled") == 0 ||
        strcmp(json_string_value(json_object_get(p, "status")), "erased") == 0) {
        json_decref(p);
        return cf_error_set(err, CF_ECONFLICT, "token",
                            "This account is disabled. Ask your administrator.");
    }
    if (svc__password_ok(pw, svc__str(p, "email"), svc__str(p, "name"), "password", err) != CF_OK ||
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
    /* The new password works at once: failed sign-ins with the old one no longer count. */
    if (rc == CF_OK) {
        char acct[300];

        snprintf(acct, sizeof acct, "acct:%s", json_string_value(json_object_get(p, "email")));
        rc = store_login_failures_clear(sv->store, acct, err);
    }
    /* A new password ends every session the old one opened, and every API token. */
    if (rc == CF_OK)
        rc = store_session_delete_person(sv->store, pid, NULL, err);
    if (rc == CF_OK)
        rc = store_api_token_revoke_person(sv->store, pid, now, &revoked, err);
    if (rc == CF_OK && revoked > 0)
        json_object_set_new(after, "tokens_revoked", json_integer((json_int_t)revoked));
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

int svc_passwords_agree(const struct svc *sv, const char *kind, const char *token,
                        const char *password, const char *password2, struct cf_error *err)
{
    json_t *link = NULL;

    if (password2 == NULL || (password != NULL && strcmp(password, password2) == 0))
        return CF_OK;
    cf_error_set(err, CF_EINVAL, "password2", "The two passwords are not the same.");

    /* Say too if the first one would be refused anyway. */
    if (svc_link_check(sv, token, kind, &link, NULL) == CF_OK) {
        struct cf_error weak;
        const json_t *who = json_object_get(link, "person");

        cf_error_clear(&weak);
        if (svc__password_ok(password, svc__str(who, "email"), svc__str(who, "name"), "password",
                             &weak) == CF_EINVAL)
            cf_error_also(err, weak.field, "%s", weak.message);
    }
    json_decref(link);
    return CF_EINVAL;
}

static const char RESET_SENT[] =
    "If an account uses that address, a message with a link to choose a new password is on "
    "its way. The link works once, within an hour.";

/*
 * Requests for a reset are counted per address (every request, so the form
 * cannot be used to probe addresses or send mail quickly: CF_ETOOMANY beyond
 * THROTTLE_ADDRESS) and per e-mail address (RESET_PER_ACCOUNT, whether an
 * account has it or not). Beyond the second limit the answer is the same as
 * always but no new message goes out: the link already sent still works, and
 * the answer says nothing about whether the account exists.
 */
int svc_reset_request(const struct svc *sv, const char *email_in, json_t **out,
                      struct cf_error *err)
{
    char email[256], token[44], addr_key[300], acct_key[300], now[32], since[32], oldest[32];
    json_t *p = NULL;
    char *body = NULL;
    const char *pid;
    long n = 0;
    int rc;

    *out = NULL;
    if (svc__email(email_in, email, sizeof email, "email", err) != CF_OK)
        return CF_EINVAL;
    snprintf(addr_key, sizeof addr_key, "reset:%s", sv->address != NULL ? sv->address : "-");
    snprintf(acct_key, sizeof acct_key, "reset-acct:%s", email);
    clock_now_iso(now, sizeof now);
    svc__iso_after(-THROTTLE_WINDOW_S, since, sizeof since);
    /* The counts are read and written under the lock, so requests at once cannot all
     * count the earlier ones before any writes its own (PostgreSQL). */
    rc = svc__begin(sv, err);
    if (rc != CF_OK)
        return rc;

    rc = svc__throttled(sv, addr_key, THROTTLE_ADDRESS,
                        "requests for a new password from your address", err);
    if (rc == CF_OK)
        rc = store_login_failure_add(sv->store, addr_key, now, err);
    if (rc == CF_OK)
        rc = store_login_failures(sv->store, acct_key, since, &n, oldest, err);
    if (rc != CF_OK || n >= RESET_PER_ACCOUNT)
        goto out;
    rc = store_login_failure_add(sv->store, acct_key, now, err);
    if (rc != CF_OK)
        goto out;
    rc = store_person_by_email(sv->store, email, &p, err);
    if (rc == CF_ENOTFOUND ||
        (rc == CF_OK && strcmp(json_string_value(json_object_get(p, "status")), "active") != 0)) {
        rc = CF_OK; /* the same answer: nothing is sent */
        goto out;
    }
    if (rc != CF_OK)
        goto out;

    pid = json_string_value(json_object_get(p, "id"));
    rc = svc__link_issue(sv, "reset", pid, RESET_TTL_S, token, err);
    if (rc == CF_OK &&
        asprintf(&body,
                 "Hello %s,\n\n"
                 "Someone (we hope you) asked to choose a new password for your ctoframe\n"
                 "account. Open this link within an hour to do so:\n\n"
                 "%s/reset/%s\n\n"
                 "The link works once. If you did not ask for it, ignore this message:\n"
                 "your password stays as it is.\n",
                 json_string_value(json_object_get(p, "name")), link_base(sv), token) < 0) {
        body = NULL;
        rc = cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
    }
    if (rc == CF_OK)
        rc = svc__send(sv, "reset", email, pid, "Choose a new ctoframe password", body, err);
    if (rc == CF_OK)
        rc = svc__audit(sv, json_string_value(json_object_get(p, "org_id")), "auth.reset_requested",
                        "person", pid, NULL, NULL, err);

out:
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    free(body);
    json_decref(p);
    if (rc != CF_OK)
        return rc;
    *out = json_pack("{s:s}", "message", RESET_SENT);
    return CF_OK;
}
