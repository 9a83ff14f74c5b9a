/*
 * h_registry.c — the public registry (issue 8 point 7): the search page,
 * the verification page of one credential, and a holder's own page where
 * they leave or rejoin the directory. Thin: parse → svc → JSON.
 */
#include <string.h>

#include "web/web.h"

int h_registry(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc = svc_registry_search(&sv, req_query(r, "q"), req_query(r, "state"),
                                 req_query(r, "page"), !r->want_json, out, err);

    /*
     * The page again with the message beside the field at fault and what was typed kept: a bad
     * page number shows the search's first page; a bad search or state lists nobody (listing
     * the whole registry under a search box that says otherwise misleads).
     */
    if (rc == CF_EINVAL && !r->want_json) {
        const char *q = req_query(r, "q");

        if (strcmp(err->field, "page") == 0 &&
            svc_registry_search(&sv, q, req_query(r, "state"), NULL, 1, &r->form_page, NULL) ==
                CF_OK)
            return rc;
        if (svc_registry_search(&sv, NULL, NULL, NULL, 1, &r->form_page, NULL) == CF_OK) {
            json_object_set_new(r->form_page, "q", json_string(q != NULL ? q : ""));
            json_object_set_new(r->form_page, "searched", json_true());
            json_object_set_new(r->form_page, "results", json_array());
            json_object_set_new(r->form_page, "has_results", json_false());
            json_object_set_new(r->form_page, "total", json_integer(0));
            json_object_set_new(r->form_page, "refused", json_true());
            json_object_del(r->form_page, "prev_href");
            json_object_del(r->form_page, "next_href");
        }
    }
    return rc;
}

int h_verify(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);

    return svc_registry_verify(&sv, r->params[0], !r->want_json, out, err);
}

int h_my_registry(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    const char *done = req_query(r, "done");
    int rc = svc_registry_mine(&sv, out, err);

    if (rc == CF_OK && done != NULL && strcmp(done, "listed") == 0)
        json_object_set_new(*out, "notice",
                            json_string("Your credential is in the public registry again."));
    else if (rc == CF_OK && done != NULL && strcmp(done, "unlisted") == 0)
        json_object_set_new(*out, "notice",
                            json_string("Your credential is no longer in the public registry. "
                                        "A lookup by its number still verifies it."));
    return rc;
}

int h_my_registry_set(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    const char *v = req_field(r, "listed");
    json_t *jv = json_object_get(r->form, "listed");
    int listed, rc;

    /* A form sends "1" or "0"; a JSON client may send true or false. */
    if (json_is_boolean(jv))
        listed = json_is_true(jv);
    else if (v != NULL && (strcmp(v, "1") == 0 || strcmp(v, "0") == 0))
        listed = v[0] == '1';
    else
        return cf_error_set(err, CF_EINVAL, "listed",
                            "Choose whether the credential is shown in the public registry.");
    rc = svc_registry_set_listed(&sv, r->params[0], listed, err);
    if (rc != CF_OK)
        return rc;
    *out = json_pack("{s:s, s:b}", "id", r->params[0], "listed", listed);
    req_redirect(r, listed ? "/me/registry?done=listed" : "/me/registry?done=unlisted");
    return CF_OK;
}
