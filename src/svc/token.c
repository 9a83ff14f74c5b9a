/*
 * token.c — API tokens: created for scripts with some of their creator's
 * roles, shown once, revoked.
 */
#include <stdio.h>
#include <string.h>

#include "lib/clock.h"
#include "svc/svc_impl.h"

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
    if ((rc = svc__browser_only(sv, "make API tokens", err)) != CF_OK) {
        json_decref(use);
        return rc;
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
            return cf_error_set(err, CF_EINVAL, "roles",
                                "You do not hold the role “%s”. Tick only roles you hold.",
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
    if ((rc = svc__browser_only(sv, "revoke API tokens", err)) != CF_OK)
        return rc;
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
