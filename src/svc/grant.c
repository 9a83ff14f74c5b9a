/*
 * grant.c — roles: which roles an actor may offer, granting and revoking
 * them, and the rule that the program keeps an active administrator.
 */
#include <stdio.h>
#include <string.h>

#include "lib/clock.h"
#include "svc/svc_impl.h"

/* 1 when sv holds p in at least one organization (any role, any scope). */
static int can_somewhere(const struct svc *sv, enum perm p)
{
    size_t i;
    json_t *g;

    if (sv->who == NULL)
        return 1;
    json_array_foreach(sv->who->grants, i, g) if (authz_role_has(svc__str(g, "role"), p)) return 1;
    return 0;
}

/* A grant as pages show it: {role, role_label, org_id, org_name, org_kind, org_kind_label}. */
json_t *svc__grant_view(const json_t *g)
{
    const char *kind = svc__str(g, "org_kind");

    return json_pack("{s:O, s:s, s:O, s:O, s:O, s:s}", "role", json_object_get(g, "role"),
                     "role_label", authz_role_label(svc__str(g, "role")), "org_id",
                     json_object_get(g, "org_id"), "org_name", json_object_get(g, "org_name"),
                     "org_kind", json_object_get(g, "org_kind"), "org_kind_label",
                     kind != NULL && strcmp(kind, "body") == 0 ? "certification body"
                                                               : (kind != NULL ? kind : ""));
}

json_t *svc_roles_offered(const struct svc *sv, const char *selected)
{
    json_t *list = json_array();

    if (!can_somewhere(sv, PERM_PEOPLE_WRITE))
        return list;
    for (int i = 0; i < authz_nroles; i++) {
        const char *role = authz_roles[i];

        if (authz_role_program_wide(role) && !svc__can_everywhere(sv, PERM_PEOPLE_WRITE))
            continue;
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:b}", "role", role, "label",
                                              authz_role_label(role), "description",
                                              authz_role_description(role), "selected",
                                              selected != NULL && strcmp(selected, role) == 0));
    }
    return list;
}

int svc__grant(const struct svc *sv, const char *person, const char *role, const char *org,
               struct cf_error *err)
{
    char now[32];
    json_t *g;
    int rc;

    clock_now_iso(now, sizeof now);
    rc = store_grant_add(sv->store, person, role, org, now, err);
    if (rc == CF_ECONFLICT)
        return cf_error_set(err, CF_ECONFLICT, "role", "The person already holds that role there.");
    if (rc != CF_OK)
        return rc;
    g = json_pack("{s:s, s:s}", "role", role, "org_id", org);
    rc = svc__audit(sv, org, "grant.add", "person", person, NULL, g, err);
    json_decref(g);
    return rc;
}

/* May sv grant or revoke role in org? (people.write there; program-wide roles need a
 * program-wide granter.) */
int svc__may_grant(const struct svc *sv, const char *role, const char *org)
{
    if (authz_role_program_wide(role))
        return svc__can_everywhere(sv, PERM_PEOPLE_WRITE);
    return svc__can(sv, PERM_PEOPLE_WRITE, org);
}

/* CF_EINVAL on "org" when role cannot be held in org (of kind kind). */
int svc__role_fits(const char *role, const char *kind, struct cf_error *err)
{
    if (authz_role_fits(role, kind))
        return CF_OK;
    return cf_error_set(err, CF_EINVAL, "org",
                        "The role %s is given %s, not in a %s. Choose another organization.",
                        authz_role_label(role), authz_role_where(role),
                        kind != NULL && strcmp(kind, "body") == 0 ? "certification body"
                        : kind != NULL                            ? kind
                                                                  : "organization");
}

/* The number of active program administrators other than person. */
static int other_program_admins(const struct svc *sv, const char *person, long *n,
                                struct cf_error *err)
{
    json_t *grants;
    size_t i;
    json_t *g;
    int rc = store_grants_all(sv->store, &grants, err);

    *n = 0;
    if (rc != CF_OK)
        return rc;
    json_array_foreach(grants, i, g)
    {
        json_t *p;

        if (strcmp(svc__str(g, "role"), "program_admin") != 0 ||
            strcmp(svc__str(g, "person_id"), person) == 0)
            continue;
        if (store_person_get(sv->store, svc__str(g, "person_id"), &p, NULL) == CF_OK) {
            if (strcmp(svc__str(p, "status"), "active") == 0)
                (*n)++;
            json_decref(p);
        }
    }
    json_decref(grants);
    return CF_OK;
}

/* CF_ECONFLICT (naming field) when person is the only active program administrator left. */
int svc__last_program_admin(const struct svc *sv, const char *person, const char *field,
                            struct cf_error *err)
{
    json_t *gr = NULL;
    size_t i;
    json_t *g;
    long others = 0;
    int is_admin = 0;
    int rc = other_program_admins(sv, person, &others, err);

    if (rc != CF_OK || others > 0)
        return rc;
    if (store_grants_of(sv->store, person, &gr, NULL) == CF_OK)
        json_array_foreach(gr, i, g) is_admin |= strcmp(svc__str(g, "role"), "program_admin") == 0;
    json_decref(gr);
    return is_admin ? cf_error_set(err, CF_ECONFLICT, field,
                                   "This is the last program administrator; make someone else "
                                   "one first.")
                    : CF_OK;
}

int svc_person_grant(const struct svc *sv, const char *id, const char *role, const char *org_key,
                     json_t **out, struct cf_error *err)
{
    char org[37];
    json_t *p = NULL, *o = NULL;
    int rc;

    *out = NULL;
    rc = svc__begin(sv, err);
    if (rc != CF_OK)
        return rc;
    if ((rc = svc__person_for(sv, id, PERM_PEOPLE_READ, &p, err)) != CF_OK)
        goto out;
    if (!authz_role_valid(role)) {
        rc = cf_error_set(err, CF_EINVAL, "role",
                          "Choose a role: leader, evaluator, district_admin, reviewer, examiner or "
                          "program_admin.");
        goto out;
    }
    rc = svc_org_resolve(sv, org_key, org, err);
    if (rc != CF_OK) {
        snprintf(err->field, sizeof err->field, "org");
        rc = rc == CF_ENOTFOUND ? CF_EINVAL : rc;
        goto out;
    }
    if (!svc__may_grant(sv, role, org)) {
        rc = cf_error_set(err, CF_EFORBIDDEN, "role",
                          "You may not give the role %s in that organization. Ask a program "
                          "administrator.",
                          role);
        goto out;
    }
    if ((rc = store_org_get(sv->store, org, &o, err)) != CF_OK)
        goto out;
    if ((rc = svc__role_fits(role, svc__str(o, "kind"), err)) != CF_OK)
        goto out;
    rc = svc__grant(sv, id, role, org, err);

out:
    json_decref(p);
    json_decref(o);
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    if (rc != CF_OK)
        return rc;
    return svc_person_show(sv, id, out, err);
}

int svc_person_revoke(const struct svc *sv, const char *id, const char *role, const char *org_key,
                      json_t **out, struct cf_error *err)
{
    char org[37];
    json_t *p = NULL, *g;
    long others = 1;
    int rc;

    *out = NULL;
    rc = svc__begin(sv, err);
    if (rc != CF_OK)
        return rc;
    if ((rc = svc__person_for(sv, id, PERM_PEOPLE_READ, &p, err)) != CF_OK)
        goto out;
    rc = svc_org_resolve(sv, org_key, org, err);
    if (rc != CF_OK) {
        snprintf(err->field, sizeof err->field, "org");
        rc = rc == CF_ENOTFOUND ? CF_EINVAL : rc;
        goto out;
    }
    if (!authz_role_valid(role)) {
        rc = cf_error_set(err, CF_EINVAL, "role",
                          "There is no role “%s”. Choose one of the roles offered.",
                          role != NULL ? role : "");
        goto out;
    }
    if (!svc__may_grant(sv, role, org)) {
        rc = cf_error_set(err, CF_EFORBIDDEN, "role",
                          "You may not take the role %s away in that organization. Ask a "
                          "program administrator.",
                          role);
        goto out;
    }
    /* One click could lock you out of the pages you are on: another administrator does it. */
    if (sv->who != NULL && sv->who->person_id != NULL && strcmp(sv->who->person_id, id) == 0) {
        rc = cf_error_set(err, CF_ECONFLICT, "role",
                          "You cannot take away a role of your own; ask another administrator.");
        goto out;
    }
    if (strcmp(role, "program_admin") == 0) {
        json_t *gr = NULL;
        size_t i;
        json_t *mine;

        if ((rc = other_program_admins(sv, id, &others, err)) != CF_OK)
            goto out;
        /* Still one through another grant of their own? */
        if (store_grants_of(sv->store, id, &gr, NULL) == CF_OK)
            json_array_foreach(gr, i,
                               mine) if (strcmp(svc__str(mine, "role"), "program_admin") == 0 &&
                                         strcmp(svc__str(mine, "org_id"), org) != 0) others++;
        json_decref(gr);
    }
    if (others == 0) {
        rc = cf_error_set(err, CF_ECONFLICT, "role",
                          "This is the last program administrator; make someone else one first.");
        goto out;
    }
    if ((rc = store_grant_remove(sv->store, id, role, org, err)) != CF_OK)
        goto out;
    g = json_pack("{s:s, s:s}", "role", role, "org_id", org);
    rc = svc__audit(sv, org, "grant.remove", "person", id, g, NULL, err);
    json_decref(g);

out:
    json_decref(p);
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    if (rc != CF_OK)
        return rc;
    return svc_person_show(sv, id, out, err);
}
