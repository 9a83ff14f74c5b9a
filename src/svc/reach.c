/*
 * reach.c — what a principal's roles reach, resolved once per request, and
 * the permission check every svc function uses (svc__can).
 *
 * A web request resolves the reach right after it knows who is asking: one
 * query walks the organization tree below every grant (store_reach_rows).
 * From then on "may they use permission p on organization o" is a lookup in
 * memory, and lists are cut to the reach by SQL, so the cost of a page does
 * not grow with the number of grants or rows checked.
 */
#include <string.h>

#include "svc/svc_impl.h"

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* 1 when grants (the principal's, maybe cut down by an API token) hold role in org. */
static int holds(const json_t *grants, const char *role, const char *org)
{
    size_t i;
    json_t *g;

    json_array_foreach(grants, i, g)
    {
        if (strcmp(str(g, "role"), role) == 0 && strcmp(str(g, "org_id"), org) == 0)
            return 1;
    }
    return 0;
}

int svc_reach_resolve(struct store *s, struct principal *who, struct cf_error *err)
{
    json_t *rows = NULL, *reach, *r;
    size_t i;
    int rc;

    json_decref(who->reach);
    who->reach = NULL;
    if (who->person_id == NULL)
        return CF_OK;
    rc = store_reach_rows(s, who->person_id, &rows, err);
    if (rc != CF_OK)
        return rc;
    reach = json_object();
    json_array_foreach(rows, i, r)
    {
        const char *role = str(r, "role"), *org = str(r, "org_id");
        int wide = authz_role_program_wide(role);

        /* Only the grants in effect count (a token may be limited to some roles). */
        if (role == NULL || org == NULL || !holds(who->grants, role, str(r, "root")))
            continue;
        for (int p = PERM_PUBLIC; p < PERM__COUNT; p++) {
            const char *name = perm_name((enum perm)p);
            json_t *set;

            if (!authz_role_has(role, (enum perm)p))
                continue;
            set = json_object_get(reach, name);
            if (json_is_true(set))
                continue;
            if (wide) {
                json_object_set_new(reach, name, json_true());
                continue;
            }
            if (set == NULL) {
                set = json_object();
                json_object_set_new(reach, name, set);
            }
            json_object_set_new(set, org, json_true());
        }
    }
    json_decref(rows);
    who->reach = reach;
    return CF_OK;
}

int svc__can(const struct svc *sv, enum perm p, const char *org)
{
    json_t *chain = NULL;
    int ok;

    if (sv->who == NULL)
        return 1; /* the CLI or the system */
    if (p == PERM_PUBLIC)
        return 1;
    if (sv->who->person_id == NULL)
        return 0;
    if (p == PERM_SIGNED_IN)
        return 1;
    if (sv->who->reach != NULL) {
        const json_t *set = json_object_get(sv->who->reach, perm_name(p));

        if (set == NULL || p <= PERM_UNSET || p >= PERM__COUNT)
            return 0;
        if (json_is_true(set))
            return 1;
        return org == NULL ? json_object_size(set) > 0 : json_object_get(set, org) != NULL;
    }
    /* Not resolved (a caller outside a web request): walk the tree. */
    if (org != NULL && store_org_chain(sv->store, org, &chain, NULL) != CF_OK)
        return 0;
    ok = authz_allows(sv->who->grants, p, org != NULL ? chain : NULL);
    json_decref(chain);
    return ok;
}

int svc__reach_ids(const struct svc *sv, enum perm p, json_t *ids)
{
    const json_t *set;
    const char *k;
    json_t *v;

    if (sv->who == NULL)
        return 1; /* the CLI or the system */
    set = sv->who->reach != NULL ? json_object_get(sv->who->reach, perm_name(p)) : NULL;
    if (json_is_true(set))
        return 1;
    json_object_foreach((json_t *)set, k, v)
    {
        (void)v;
        json_array_append_new(ids, json_string(k));
    }
    return 0;
}

int svc_can(const struct svc *sv, enum perm p, const char *org)
{
    return svc__can(sv, p, org);
}

int svc_can_org(const struct svc *sv, enum perm p, const char *org)
{
    json_t *o = NULL;
    int ok = 0;

    /* It must exist: a program-wide reach covers ids that name nothing. */
    if (org != NULL && store_org_get(sv->store, org, &o, NULL) == CF_OK)
        ok = svc__can(sv, p, org);
    json_decref(o);
    return ok;
}

int svc_can_person(const struct svc *sv, enum perm p, const char *person)
{
    json_t *row = NULL;
    const char *org;
    int ok = 0;

    if (person == NULL || store_person_get(sv->store, person, &row, NULL) != CF_OK)
        return 0;
    org = str(row, "org_id");
    if (org != NULL)
        ok = svc__can(sv, p, org);
    else if (sv->who == NULL)
        ok = 1;
    else {
        json_t *none = json_array(); /* a person of no organization: program-wide roles only */

        ok = sv->who->person_id != NULL && authz_allows(sv->who->grants, p, none);
        json_decref(none);
    }
    json_decref(row);
    return ok;
}
