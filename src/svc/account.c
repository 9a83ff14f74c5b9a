/*
 * account.c — the signed-in person's own account: who am I (/me), the
 * account page with its sessions, changing one's password.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "lib/clock.h"
#include "svc/svc_impl.h"

int svc_me(const struct svc *sv, json_t **out, struct cf_error *err)
{
    json_t *p, *grants, *orgs;
    size_t i;
    json_t *g;
    int rc;

    *out = NULL;
    if (sv->who == NULL || sv->who->person_id == NULL)
        return cf_error_set(err, CF_EUNAUTH, NULL, "Please sign in.");
    rc = store_person_get(sv->store, sv->who->person_id, &p, err);
    if (rc != CF_OK)
        return rc;
    grants = json_array();
    orgs = json_array();
    json_array_foreach(sv->who->grants, i, g)
    {
        json_t *o =
            json_pack("{s:O, s:O, s:O}", "id", json_object_get(g, "org_id"), "name",
                      json_object_get(g, "org_name"), "kind", json_object_get(g, "org_kind"));

        json_array_append_new(grants, svc__grant_view(g));
        if (!svc__contains(orgs, o))
            json_array_append(orgs, o);
        json_decref(o);
    }
    *out = json_pack("{s:o, s:o, s:o, s:s}", "person", svc__person_view(p), "roles", grants,
                     "organizations", orgs, "via", sv->who->via != NULL ? sv->who->via : "session");
    json_decref(p);
    return CF_OK;
}

/*
 * The frameworks the dashboard links into *out, each {title, version, url, has_rubric}:
 * what every signed-in person can open. CF_OK with a new array, else the error (and *out
 * NULL).
 */
static int dashboard_frameworks(const struct svc *sv, json_t **out, struct cf_error *err)
{
    json_t *list = NULL, *f;
    size_t i;
    int rc = svc_framework_list(sv, &list, err);

    *out = NULL;
    if (rc != CF_OK)
        return rc;
    *out = json_array();
    json_array_foreach(json_object_get(list, "frameworks"), i, f)
    {
        json_array_append_new(*out, json_pack("{s:O?, s:O?, s:O?, s:O?}", "title",
                                              json_object_get(f, "title"), "version",
                                              json_object_get(f, "version"), "url",
                                              json_object_get(f, "url"), "has_rubric",
                                              json_object_get(f, "has_rubric")));
    }
    json_decref(list);
    return CF_OK;
}

/*
 * The dashboard: who the person is (svc_me), each role with what it lets them do today
 * (authz_role_description), the frameworks, and "can": which cards it offers. A card is
 * offered only when its page answers this person (the permission its route needs), so
 * the dashboard never links a page that refuses them. *out is the caller's; NULL on error.
 */
int svc_dashboard(const struct svc *sv, json_t **out, struct cf_error *err)
{
    const json_t *grants;
    json_t *nowhere, *role, *frameworks = NULL;
    size_t i;
    int rc = svc_me(sv, out, err);

    if (rc != CF_OK)
        return rc;
    if ((rc = dashboard_frameworks(sv, &frameworks, err)) != CF_OK) {
        json_decref(*out);
        *out = NULL;
        return rc;
    }
    json_object_set_new(*out, "has_frameworks", json_boolean(json_array_size(frameworks) > 0));
    json_object_set_new(*out, "frameworks", frameworks);
    json_array_foreach(json_object_get(*out, "roles"), i, role)
    {
        json_object_set_new(role, "description",
                            json_string(authz_role_description(svc__str(role, "role"))));
    }
    grants = sv->who->grants;
    /* An empty chain: only program-wide roles reach it (the whole tree, not one district). */
    nowhere = json_array();
    json_object_set_new(*out, "can",
                        json_pack("{s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b}", "people",
                                  authz_allows(grants, PERM_PEOPLE_READ, NULL), "people_write",
                                  authz_allows(grants, PERM_PEOPLE_WRITE, NULL), "orgs",
                                  authz_allows(grants, PERM_ORGS_READ, NULL), "orgs_all",
                                  authz_allows(grants, PERM_ORGS_WRITE, nowhere), "orgs_see_all",
                                  authz_allows(grants, PERM_ORGS_READ, nowhere), "audit",
                                  authz_allows(grants, PERM_AUDIT_READ, NULL), "outbox",
                                  authz_allows(grants, PERM_OUTBOX_READ, NULL), "programs",
                                  authz_allows(grants, PERM_PROGRAM_READ, NULL)));
    /* applications (issue 8 point 2): the review queue's card */
    json_object_set_new(json_object_get(*out, "can"), "review",
                        json_boolean(authz_allows(grants, PERM_APPLICATIONS_REVIEW, NULL)));
    /* issue 8: exam results and credentials */
    json_object_set_new(json_object_get(*out, "can"), "results",
                        json_boolean(authz_allows(grants, PERM_RESULTS_IMPORT, NULL)));
    json_object_set_new(json_object_get(*out, "can"), "credentials",
                        json_boolean(authz_allows(grants, PERM_CREDENTIALS_READ, NULL)));
    json_decref(nowhere);
    /* issue 8 points 5-6: continuing education (review, import) and one's own credentials. */
    {
        json_t *can = json_object_get(*out, "can"), *mine = NULL;

        json_object_set_new(can, "ce_review",
                            json_boolean(authz_allows(grants, PERM_CE_REVIEW, NULL)));
        json_object_set_new(can, "ce_import",
                            json_boolean(authz_allows(grants, PERM_CE_IMPORT, NULL)));
        /* issue 9: starting evaluations (every signed-in person may be asked to rate) */
        json_object_set_new(can, "evaluations",
                            json_boolean(authz_allows(grants, PERM_EVALUATIONS_MANAGE, NULL)));
        if (sv->who->person_id != NULL)
            rc = store_ce_credentials_of(sv->store, sv->who->person_id, &mine, err);
        if (rc != CF_OK) {
            json_decref(*out);
            *out = NULL;
            return rc;
        }
        json_object_set_new(can, "my_credentials", json_boolean(json_array_size(mine) > 0));
        json_decref(mine);
    }
    /* issue 8 point 8: the reports */
    json_object_set_new(json_object_get(*out, "can"), "reports",
                        json_boolean(authz_allows(grants, PERM_REPORTS_READ, NULL)));
    return CF_OK;
}

/* "Mozilla/5.0 (X11; Linux x86_64) … Chrome/120 …" → "Chrome on Linux"; NULL → NULL. */
static json_t *browser_of(const char *ua)
{
    static const struct {
        const char *mark, *name;
    } browsers[] = {{"Edg/", "Edge"},      {"OPR/", "Opera"},    {"Firefox/", "Firefox"},
                    {"Chrome/", "Chrome"}, {"CriOS/", "Chrome"}, {"Safari/", "Safari"},
                    {"curl/", "curl"},     {"python", "Python"}, {"node", "Node.js"}},
      systems[] = {{"Windows", "Windows"}, {"iPhone", "iOS"},    {"iPad", "iPadOS"},
                   {"Android", "Android"}, {"CrOS", "ChromeOS"}, {"Mac OS X", "macOS"},
                   {"Linux", "Linux"}};
    const char *b = NULL, *o = NULL;
    char text[64];

    if (ua == NULL || ua[0] == '\0')
        return json_null();
    for (size_t i = 0; b == NULL && i < sizeof browsers / sizeof browsers[0]; i++)
        if (strstr(ua, browsers[i].mark) != NULL)
            b = browsers[i].name;
    for (size_t i = 0; o == NULL && i < sizeof systems / sizeof systems[0]; i++)
        if (strstr(ua, systems[i].mark) != NULL)
            o = systems[i].name;
    if (b == NULL)
        return json_null();
    if (o != NULL)
        snprintf(text, sizeof text, "%s on %s", b, o);
    else
        snprintf(text, sizeof text, "%s", b);
    return json_string(text);
}

int svc_account(const struct svc *sv, const char *session_token, json_t **out, struct cf_error *err)
{
    json_t *me, *sessions = NULL, *tokens = NULL;
    char current[65] = "";
    time_t now = clock_now();
    size_t i;
    json_t *s;
    int rc = svc_me(sv, &me, err);

    *out = NULL;
    if (rc != CF_OK)
        return rc;
    if (session_token != NULL)
        svc__token_hash(session_token, current);
    if ((rc = store_session_list(sv->store, sv->who->person_id, &sessions, err)) != CF_OK ||
        (rc = store_api_token_list(sv->store, sv->who->person_id, &tokens, err)) != CF_OK) {
        json_decref(me);
        json_decref(sessions);
        return rc;
    }
    /* Live sessions only (ended ones are removed at the next sign-in), by handle. */
    for (i = 0; i < json_array_size(sessions);) {
        char handle[33];

        s = json_array_get(sessions, i);
        if (!svc__session_live(s, now)) {
            json_array_remove(sessions, i);
            continue;
        }
        svc__session_handle(svc__str(s, "id_hash"), handle);
        json_object_set_new(s, "id", json_string(handle));
        json_object_set_new(s, "browser", browser_of(svc__str(s, "user_agent")));
        json_object_set_new(s, "current",
                            json_boolean(strcmp(svc__str(s, "id_hash"), current) == 0));
        json_object_del(s, "id_hash");
        i++;
    }
    json_object_set_new(me, "sessions", sessions);
    {
        /* The token form's one-time value (svc_api_token_create_once). */
        char nonce[33];

        svc__token_new_hex(nonce);
        json_object_set_new(me, "form_nonce", json_string(nonce));
    }
    json_array_foreach(tokens, i, s)
        json_object_set_new(s, "role_labels", svc__role_labels(json_object_get(s, "roles")));
    json_object_set_new(me, "tokens", tokens);
    *out = me;
    return CF_OK;
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
    int64_t ended = 0, revoked = 0;
    int rc;

    *out = NULL;
    if (sv->who == NULL || sv->who->person_id == NULL)
        return cf_error_set(err, CF_EUNAUTH, NULL, "Please sign in.");
    if ((rc = svc__browser_only(sv, "change the password", err)) != CF_OK)
        return rc;
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
    if ((rc = svc__throttled(sv, acct, THROTTLE_ACCOUNT, "failed sign-ins for this account",
                             err)) != CF_OK) {
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
        svc__check(&ck, svc__password_ok(pw, email, svc__str(p, "name"), "password", &e), &e);
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
    /* Every session the old password opened ends, and every API token; this browser gets a
     * new session. */
    if (rc == CF_OK)
        rc = store_session_delete_person(sv->store, pid, &ended, err);
    if (rc == CF_OK)
        rc = store_api_token_revoke_person(sv->store, pid, now, &revoked, err);
    if (rc == CF_OK)
        rc = svc__session_start(sv, pid, user_agent, token, expires, sizeof expires, err);
    if (rc == CF_OK) {
        json_t *a = json_pack("{s:s, s:I, s:I}", "password", "changed", "sessions_ended",
                              (json_int_t)ended, "tokens_revoked", (json_int_t)revoked);

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
