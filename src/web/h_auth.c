/*
 * h_auth.c — sign in and out, first-run setup, invitations, password reset,
 * my account (sessions, API tokens, my data).
 *
 * A successful form POST answers 303 (to the dashboard, or the page it came
 * from); JSON clients get the value instead. A failed one shows the form
 * again with the message next to its field (render.c).
 */
#include <string.h>

#include "lib/path.h"
#include "web/web.h"

/*
 * Where to go after signing in: the dashboard when nothing is asked for; a
 * path on this site as a browser would resolve it (lib/path.h); anything
 * else, the home page.
 */
static const char *next_of(const char *next)
{
    if (next == NULL || next[0] == '\0')
        return "/dashboard";
    return path_local_or(next, "/");
}

/* Signs the browser in with the session in res ({token, expires_at, person}). */
static void signed_in(struct req *r, json_t *res, const char *next)
{
    req_set_session_cookie(r, json_string_value(json_object_get(res, "token")));
    req_redirect(r, next_of(next));
    /* The token travels in the cookie only. */
    json_object_del(res, "token");
    json_object_set_new(res, "next", json_string(next_of(next)));
}

int h_login_form(struct req *r, json_t **out, struct cf_error *err)
{
    const char *next = req_query(r, "next");

    (void)err;
    if (r->who.person_id != NULL && !r->want_json) {
        req_redirect(r, next_of(next));
        *out = json_object();
        return CF_OK;
    }
    *out = json_pack("{s:s?, s:s, s:{}}", "csrf", r->csrf, "next", next_of(next), "form");
    {
        const char *so = req_query(r, "signed_out");

        if (so != NULL)
            json_object_set_new(
                *out, "notice",
                json_string(strcmp(so, "all") == 0
                                ? "You are signed out everywhere, and your API tokens have "
                                  "been revoked."
                                : "You are signed out."));
    }
    return CF_OK;
}

int h_login(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    json_t *res;
    int rc;

    rc = svc_login(&sv, req_field(r, "email"), req_field(r, "password"),
                   MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "User-Agent"),
                   r->session_token, &res, err);
    if (rc != CF_OK) {
        r->form_page = json_pack("{s:s}", "next", next_of(req_field(r, "next")));
        return rc;
    }
    signed_in(r, res, req_field(r, "next"));
    *out = res;
    return CF_OK;
}

int h_logout(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc = svc_logout(&sv, r->session_token, err);

    if (rc != CF_OK)
        return rc;
    if (r->session_token != NULL)
        req_set_session_cookie(r, NULL);
    req_redirect(r, "/login?signed_out=1");
    *out = json_pack("{s:b}", "signed_out", 1);
    return CF_OK;
}

/* GET of a link page: the link's state, or the error page saying why it cannot be used. */
static int link_page(struct req *r, const char *kind, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    json_t *link;
    int rc = svc_link_check(&sv, r->params[0], kind, &link, err);

    if (rc != CF_OK)
        return rc;
    *out = json_pack("{s:o, s:s, s:s?, s:{}}", "link", link, "token", r->params[0], "csrf", r->csrf,
                     "form");
    return CF_OK;
}

int h_setup_form(struct req *r, json_t **out, struct cf_error *err)
{
    return link_page(r, "setup", out, err);
}

int h_setup(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    json_t *res;
    int rc = svc_setup_finish(&sv, r->params[0], r->form,
                              MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "User-Agent"),
                              &res, err);
    if (rc != CF_OK) {
        link_page(r, "setup", &r->form_page, NULL); /* the form again, if the link still works */
        return rc;
    }
    signed_in(r, res, "/dashboard");
    *out = res;
    return CF_OK;
}

int h_invite_form(struct req *r, json_t **out, struct cf_error *err)
{
    return link_page(r, "invite", out, err);
}

/* POST of an invitation or reset link: set the password, sign in. */
static int password_link(struct req *r, const char *kind, json_t **out, struct cf_error *err,
                         int (*finish)(const struct svc *, const char *, const char *, const char *,
                                       json_t **, struct cf_error *))
{
    struct svc sv = req_svc(r);
    json_t *res;
    int rc = svc_passwords_agree(&sv, kind, r->params[0], req_field(r, "password"),
                                 req_field(r, "password2"), err);

    if (rc == CF_OK)
        rc = finish(&sv, r->params[0], req_field(r, "password"),
                    MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "User-Agent"), &res, err);
    if (rc != CF_OK) {
        link_page(r, kind, &r->form_page, NULL); /* the form again, if the link still works */
        return rc;
    }
    signed_in(r, res, "/dashboard");
    *out = res;
    return CF_OK;
}

int h_invite(struct req *r, json_t **out, struct cf_error *err)
{
    return password_link(r, "invite", out, err, svc_invite_accept);
}

int h_reset_request_form(struct req *r, json_t **out, struct cf_error *err)
{
    (void)err;
    *out = json_pack("{s:s?, s:{}}", "csrf", r->csrf, "form");
    return CF_OK;
}

int h_reset_request(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    json_t *res;
    int rc = svc_reset_request(&sv, req_field(r, "email"), &res, err);

    if (rc != CF_OK)
        return rc;
    json_object_set_new(res, "sent", json_true());
    json_object_set_new(res, "form", json_object());
    *out = res;
    return CF_OK;
}

int h_reset_form(struct req *r, json_t **out, struct cf_error *err)
{
    return link_page(r, "reset", out, err);
}

int h_reset(struct req *r, json_t **out, struct cf_error *err)
{
    return password_link(r, "reset", out, err, svc_reset_finish);
}

int h_me(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);

    return svc_me(&sv, out, err);
}

int h_dashboard(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);

    return svc_dashboard(&sv, out, err);
}

int h_account(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    const char *done = req_query(r, "done");
    int rc = svc_account(&sv, r->session_token, out, err);

    if (rc != CF_OK)
        return rc;
    /* Known notices only: the page never echoes text from the address. */
    if (done != NULL && strcmp(done, "revoked") == 0)
        json_object_set_new(*out, "notice", json_string("The token has been revoked."));
    else if (done != NULL && strcmp(done, "password_changed") == 0)
        json_object_set_new(*out, "notice",
                            json_string("Your password has been changed. Every other browser has "
                                        "been signed out, and your API tokens have been "
                                        "revoked."));
    else if (done != NULL && strcmp(done, "session_ended") == 0)
        json_object_set_new(*out, "notice",
                            json_string("That session has ended: its browser is signed out."));
    return CF_OK;
}

int h_logout_everywhere(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc = svc_logout_everywhere(&sv, out, err);

    if (rc != CF_OK)
        return rc;
    req_set_session_cookie(r, NULL);
    req_redirect(r, "/login?signed_out=all");
    return CF_OK;
}

int h_password_change(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc = svc_password_change(
        &sv, r->form, MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "User-Agent"), out,
        err);

    if (rc != CF_OK) {
        json_t *acc = NULL;

        if (svc_account(&sv, r->session_token, &acc, NULL) == CF_OK) {
            json_object_set_new(acc, "password_failed", json_true());
            r->form_page = acc;
        }
        r->form_ids = "current:pw-current password:pw-new password2:pw-again";
        return rc;
    }
    /* The session id changes with the password; the token travels in the cookie only. */
    req_set_session_cookie(r, json_string_value(json_object_get(*out, "token")));
    json_object_del(*out, "token");
    req_redirect(r, "/account?done=password_changed");
    return CF_OK;
}

int h_session_end(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc = svc_session_end(&sv, r->params[0], r->session_token, out, err);

    if (rc != CF_OK)
        return rc;
    if (json_is_true(json_object_get(*out, "current"))) {
        req_set_session_cookie(r, NULL);
        req_redirect(r, "/login?signed_out=1");
    } else {
        req_redirect(r, "/account?done=session_ended");
    }
    return CF_OK;
}

int h_token_create(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    json_t *roles = json_object_get(r->form, "roles");
    json_t *list = json_array();
    int rc;

    if (json_is_string(roles))
        json_array_append(list, roles);
    else if (json_is_array(roles))
        json_array_extend(list, roles);
    rc = svc_api_token_create_once(&sv, req_field(r, "name"), list, req_field(r, "once"), out, err);
    json_decref(list);
    if (rc != CF_OK) {
        json_t *acc = NULL;

        if (svc_account(&sv, r->session_token, &acc, NULL) == CF_OK)
            r->form_page = acc;
        r->form_ids = "name:token-name roles:token-roles-error";
        return rc;
    }
    r->status_ok = 201;
    return CF_OK;
}

int h_token_revoke(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc = svc_api_token_revoke(&sv, r->params[0], err);

    if (rc != CF_OK)
        return rc;
    req_redirect(r, "/account?done=revoked");
    *out = json_pack("{s:s, s:b}", "id", r->params[0], "revoked", 1);
    return CF_OK;
}

int h_account_export(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc = svc_person_export(&sv, r->who.person_id, out, err);

    if (rc == CF_OK)
        req_header(r, "Content-Disposition", "attachment; filename=\"my-ctoframe-data.json\"");
    return rc;
}
