/*
 * people.c — organizations, people and their roles; privacy (export, erase).
 *
 * Visibility follows the grants: a district admin sees their district, its
 * schools and the people in them; program-wide roles see everything. What an
 * actor may not see does not exist for them (CF_ENOTFOUND, never "forbidden").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "lib/buf.h"
#include "lib/clock.h"
#include "svc/svc_impl.h"

#define NAME_MAX_CHARS 200

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

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* A text field: trimmed copy into out; CF_EINVAL naming field when required and empty, too
 * long, or holding control characters. */
int svc__text(const json_t *in, const char *field, int required, size_t max_chars,
              const char *label, char *out, size_t n, struct cf_error *err)
{
    const char *v = str(in, field);
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
                                "%s has a control character or a line break.", label);
        if ((*c & 0xc0) != 0x80)
            chars++;
    }
    if (chars > max_chars || (size_t)(e - b) + 1 > n)
        return cf_error_set(err, CF_EINVAL, field, "%s is longer than %zu characters.", label,
                            max_chars);
    memcpy(out, b, (size_t)(e - b));
    out[e - b] = '\0';
    return CF_OK;
}

/* 1 when sv holds p through a program-wide role (or is the CLI). */
static int can_everywhere(const struct svc *sv, enum perm p)
{
    size_t i;
    json_t *g;

    if (sv->who == NULL)
        return 1;
    json_array_foreach(sv->who->grants, i, g)
    {
        const char *role = str(g, "role");

        if (authz_role_program_wide(role) && authz_role_has(role, p))
            return 1;
    }
    return 0;
}

/* 1 when sv holds p in at least one organization (any role, any scope). */
static int can_somewhere(const struct svc *sv, enum perm p)
{
    size_t i;
    json_t *g;

    if (sv->who == NULL)
        return 1;
    json_array_foreach(sv->who->grants, i, g) if (authz_role_has(str(g, "role"), p)) return 1;
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

/* A grant as pages show it: {role, role_label, org_id, org_name, org_kind}. */
static json_t *grant_view(const json_t *g)
{
    return json_pack("{s:O, s:s, s:O, s:O, s:O}", "role", json_object_get(g, "role"), "role_label",
                     authz_role_label(str(g, "role")), "org_id", json_object_get(g, "org_id"),
                     "org_name", json_object_get(g, "org_name"), "org_kind",
                     json_object_get(g, "org_kind"));
}

json_t *svc_roles_offered(const struct svc *sv, const char *selected)
{
    json_t *list = json_array();

    if (!can_somewhere(sv, PERM_PEOPLE_WRITE))
        return list;
    for (int i = 0; i < authz_nroles; i++) {
        const char *role = authz_roles[i];

        if (authz_role_program_wide(role) && !can_everywhere(sv, PERM_PEOPLE_WRITE))
            continue;
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:b}", "role", role, "label",
                                              authz_role_label(role), "description",
                                              authz_role_description(role), "selected",
                                              selected != NULL && strcmp(selected, role) == 0));
    }
    return list;
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

/* --- organizations ---------------------------------------------------------------- */

json_t *svc__org_new(const char *kind, const char *name, const char *parent, const char *nces,
                     long enrollment, const char *now)
{
    char id[37];

    svc__uuid(id);
    return json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:o, s:s, s:s}", "id", id, "kind", kind, "name",
                     name, "parent_id", parent, "nces_id", nces, "enrollment",
                     enrollment >= 0 ? json_integer(enrollment) : json_null(), "created_at", now,
                     "updated_at", now);
}

/* Index of orgs by id, and the chain of one from the index (no queries). */
static json_t *org_index(const json_t *orgs)
{
    json_t *idx = json_object();
    size_t i;
    json_t *o;

    json_array_foreach(orgs, i, o) json_object_set(idx, str(o, "id"), o);
    return idx;
}

static json_t *chain_in(const json_t *idx, const char *id)
{
    json_t *chain = json_array();

    for (int depth = 0; id != NULL && depth < 16; depth++) {
        json_t *o = json_object_get(idx, id);

        if (o == NULL)
            break;
        json_array_append_new(chain, json_string(id));
        id = str(o, "parent_id");
    }
    return chain;
}

/* 1 when sv may use p on organization id (chain from idx). */
static int can_on(const struct svc *sv, enum perm p, const json_t *idx, const char *id)
{
    json_t *chain;
    int ok;

    if (sv->who == NULL)
        return 1;
    if (sv->who->person_id == NULL)
        return 0;
    chain = chain_in(idx, id);
    ok = authz_allows(sv->who->grants, p, chain);
    json_decref(chain);
    return ok;
}

int svc_org_resolve(const struct svc *sv, const char *key, char id[37], struct cf_error *err)
{
    json_t *found, *seen;
    size_t i, n;
    json_t *o;
    int rc;

    id[0] = '\0';
    if (key == NULL || key[0] == '\0')
        return cf_error_set(err, CF_EINVAL, "org", "Name an organization.");
    rc = store_org_find(sv->store, key, &found, err);
    if (rc != CF_OK)
        return rc;
    /* Only what the actor may see counts: another district's school does not exist for them. */
    seen = json_array();
    json_array_foreach(found, i, o) if (svc__can(sv, PERM_ORGS_READ, str(o, "id")))
        json_array_append(seen, o);
    json_decref(found);
    n = json_array_size(seen);
    if (n == 1)
        snprintf(id, 37, "%s", str(json_array_get(seen, 0), "id"));
    json_decref(seen);
    if (n == 0)
        return cf_error_set(err, CF_ENOTFOUND, "org", "There is no organization \"%s\".", key);
    if (n > 1)
        return cf_error_set(err, CF_EINVAL, "org",
                            "%zu organizations are called \"%s\"; name it by its id instead.", n,
                            key);
    return CF_OK;
}

/* Reads enrollment (a number or digits) into *v (-1 when empty). */
static int enrollment_of(const json_t *in, long *v, struct cf_error *err)
{
    const json_t *e = json_object_get(in, "enrollment");

    *v = -1;
    if (e == NULL || json_is_null(e) || (json_is_string(e) && json_string_length(e) == 0))
        return CF_OK;
    if (json_is_integer(e))
        *v = (long)json_integer_value(e);
    else if (json_is_string(e)) {
        char *end;
        char digits[32];
        size_t n = 0;
        const char *s = json_string_value(e);

        /* "7,200" and "7 200" as people write them; anything else but digits is refused. */
        for (; *s != '\0' && n + 1 < sizeof digits; s++)
            if (*s != ',' && *s != ' ')
                digits[n++] = *s;
        digits[n] = '\0';
        *v = strtol(digits, &end, 10);
        if (end == digits || *end != '\0' || *s != '\0' || digits[0] == '-')
            *v = -2;
    } else
        *v = -2;
    if (*v < 0 || *v > 2000000)
        return cf_error_set(err, CF_EINVAL, "enrollment",
                            "Student enrollment is a whole number from 0 to 2,000,000.");
    return CF_OK;
}

/* The NCES id of in into out ("" when none), checked against kind (may be NULL: unknown). */
static int nces_of(const json_t *in, const char *kind, char *out, struct cf_error *err)
{
    const char *v = str(in, "nces_id");
    size_t n;

    out[0] = '\0';
    if (v == NULL || v[0] == '\0')
        return CF_OK;
    n = strlen(v);
    if (kind != NULL && strcmp(kind, "district") != 0 && strcmp(kind, "school") != 0)
        return cf_error_set(err, CF_EINVAL, "nces_id", "Only districts and schools have NCES ids.");
    if (kind != NULL &&
        (n != (strcmp(kind, "district") == 0 ? 7u : 12u) || strspn(v, "0123456789") != n))
        return cf_error_set(err, CF_EINVAL, "nces_id", "A %s's NCES id has %d digits.", kind,
                            strcmp(kind, "district") == 0 ? 7 : 12);
    if ((n != 7 && n != 12) || strspn(v, "0123456789") != n)
        return cf_error_set(err, CF_EINVAL, "nces_id",
                            "An NCES id is 7 digits (district) or 12 digits (school).");
    memcpy(out, v, n + 1);
    return CF_OK;
}

/*
 * CF_ECONFLICT on "name" when another organization (not self, may be NULL) of
 * kind under the same parent already has the name, case aside: two "Ohio"
 * states, or two schools of one name in a district, could not be told apart.
 */
static int name_free(const struct svc *sv, const char *kind, const char *parent, const char *name,
                     const char *self, struct cf_error *err)
{
    json_t *all = NULL, *o;
    size_t i;
    int rc = store_org_list(sv->store, &all, err);

    if (rc != CF_OK)
        return rc;
    json_array_foreach(all, i, o)
    {
        const char *op = str(o, "parent_id");

        if (strcmp(str(o, "kind"), kind) != 0 || strcasecmp(str(o, "name"), name) != 0 ||
            (self != NULL && strcmp(str(o, "id"), self) == 0) ||
            !(op == NULL ? parent == NULL || parent[0] == '\0'
                         : parent != NULL && strcmp(op, parent) == 0))
            continue;
        rc = cf_error_set(err, CF_ECONFLICT, "name",
                          op == NULL ? "There is already a %s named %s."
                                     : "There is already a %s named %s in the same place.",
                          strcmp(kind, "body") == 0 ? "certification body" : kind, name);
        break;
    }
    json_decref(all);
    return rc;
}

/*
 * The message of a duplicate organization; err->field, from the store, names the
 * unique key it hit ("nces_id", else the name).
 */
static void org_taken(struct cf_error *err, const char *kind, const char *name, int has_parent,
                      const char *nces)
{
    if (strcmp(err->field, "nces_id") == 0) {
        cf_error_set(err, CF_ECONFLICT, "nces_id", "Another organization already has NCES id %s.",
                     nces);
        return;
    }
    cf_error_set(err, CF_ECONFLICT, "name",
                 has_parent ? "There is already a %s named %s in the same place."
                            : "There is already a %s named %s.",
                 strcmp(kind, "body") == 0 ? "certification body" : kind, name);
}

int svc_org_add(const struct svc *sv, const json_t *in, json_t **out, struct cf_error *err)
{
    char name[4 * NAME_MAX_CHARS + 1], nces[16], parent[37] = "", now[32];
    const char *kind = str(in, "kind");
    const char *pkey = str(in, "parent");
    const char *pkind = NULL;
    json_t *p = NULL, *org = NULL;
    long enrollment;
    int rc;

    *out = NULL;
    {
        /* Every field at fault at once. */
        struct svc_checks ck = {err, CF_OK};
        struct cf_error e;
        int kind_ok = authz_org_kind_valid(kind);

        svc__check(&ck, svc__text(in, "name", 1, NAME_MAX_CHARS, "a name", name, sizeof name, &e),
                   &e);
        if (!kind_ok)
            svc__check(&ck,
                       cf_error_set(&e, CF_EINVAL, "kind",
                                    "The kind is one of body, state, district, school."),
                       &e);
        svc__check(&ck, nces_of(in, kind_ok ? kind : NULL, nces, &e), &e);
        svc__check(&ck, enrollment_of(in, &enrollment, &e), &e);
        if (ck.rc != CF_OK)
            return ck.rc;
    }
    rc = svc__begin(sv, err);
    if (rc != CF_OK)
        return rc;

    /* The parent, the permission and the name are read inside the transaction. */
    if (pkey != NULL && pkey[0] != '\0') {
        rc = svc_org_resolve(sv, pkey, parent, err);
        if (rc != CF_OK) {
            snprintf(err->field, sizeof err->field, "parent");
            rc = rc == CF_ENOTFOUND ? CF_EINVAL : rc;
            goto out;
        }
        if ((rc = store_org_get(sv->store, parent, &p, err)) != CF_OK)
            goto out;
        pkind = str(p, "kind");
    }
    if (!authz_org_parent_ok(kind, pkind)) {
        if (strcmp(kind, "school") == 0)
            rc = cf_error_set(err, CF_EINVAL, "parent", "A school belongs to a district.");
        else if (strcmp(kind, "district") == 0)
            rc = cf_error_set(err, CF_EINVAL, "parent",
                              "A district belongs to a state (or to nothing).");
        else
            rc = cf_error_set(err, CF_EINVAL, "parent", "A %s has no parent organization.", kind);
        goto out;
    }
    /* District admins add schools to their districts; the rest is program-wide work. */
    if (!(strcmp(kind, "school") == 0 ? svc__can(sv, PERM_ORGS_WRITE, parent)
                                      : can_everywhere(sv, PERM_ORGS_WRITE))) {
        rc = cf_error_set(err, CF_EFORBIDDEN, NULL, "You may not add a %s here.", kind);
        goto out;
    }
    if ((rc = name_free(sv, kind, parent, name, NULL, err)) != CF_OK)
        goto out;

    clock_now_iso(now, sizeof now);
    org = svc__org_new(kind, name, parent[0] != '\0' ? parent : NULL, nces[0] != '\0' ? nces : NULL,
                       enrollment, now);
    rc = store_org_insert(sv->store, org, err);
    if (rc == CF_ECONFLICT)
        org_taken(err, kind, name, parent[0] != '\0', nces);
    if (rc != CF_OK)
        goto out;
    rc = svc__audit(sv, str(org, "id"), "org.add", "org", str(org, "id"), NULL, org, err);

out:
    json_decref(p);
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    if (rc != CF_OK) {
        json_decref(org);
        return rc;
    }
    *out = org;
    return CF_OK;
}

int svc_org_update(const struct svc *sv, const char *id, const json_t *in, json_t **out,
                   struct cf_error *err)
{
    char name[4 * NAME_MAX_CHARS + 1], nces[16], now[32];
    json_t *before = NULL, *after = NULL;
    long enrollment;
    int rc;

    *out = NULL;
    rc = svc__begin(sv, err);
    if (rc != CF_OK)
        return rc;
    rc = store_org_get(sv->store, id, &before, err);
    if (rc == CF_ENOTFOUND || (rc == CF_OK && !svc__can(sv, PERM_ORGS_READ, id))) {
        rc = cf_error_set(err, CF_ENOTFOUND, NULL, "There is no such organization.");
        goto out;
    }
    if (rc != CF_OK)
        goto out;
    if (!svc__can(sv, PERM_ORGS_WRITE, id)) {
        rc = cf_error_set(err, CF_EFORBIDDEN, NULL, "You may not change this organization.");
        goto out;
    }
    {
        /* Every field at fault at once. */
        struct svc_checks ck = {err, CF_OK};
        struct cf_error e;

        rc = svc__text(in, "name", 1, NAME_MAX_CHARS, "a name", name, sizeof name, &e);
        if (rc == CF_OK)
            rc = name_free(sv, str(before, "kind"), str(before, "parent_id"), name, id, &e);
        svc__check(&ck, rc, &e);
        svc__check(&ck, nces_of(in, str(before, "kind"), nces, &e), &e);
        svc__check(&ck, enrollment_of(in, &enrollment, &e), &e);
        if ((rc = ck.rc) != CF_OK)
            goto out;
    }
    after = json_deep_copy(before);
    json_object_set_new(after, "name", json_string(name));
    json_object_set_new(after, "nces_id", nces[0] != '\0' ? json_string(nces) : json_null());
    json_object_set_new(after, "enrollment",
                        enrollment >= 0 ? json_integer(enrollment) : json_null());
    /* Saved as it was: nothing to write, nothing to audit. */
    if (json_equal(before, after))
        goto out;
    clock_now_iso(now, sizeof now);
    json_object_set_new(after, "updated_at", json_string(now));
    rc = store_org_update(sv->store, after, err);
    if (rc == CF_ECONFLICT)
        org_taken(err, str(before, "kind"), name, str(before, "parent_id") != NULL, nces);
    if (rc != CF_OK)
        goto out;
    rc = svc__audit(sv, id, "org.update", "org", id, before, after, err);

out:
    json_decref(before);
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    if (rc != CF_OK) {
        json_decref(after);
        return rc;
    }
    *out = after;
    return CF_OK;
}

/* Organizations by parent id ("" for the top), each list in the order of orgs (by name). */
static json_t *children_index(const json_t *orgs)
{
    json_t *kids = json_object();
    size_t i;
    json_t *o;

    json_array_foreach(orgs, i, o)
    {
        const char *p = str(o, "parent_id");
        json_t *list = json_object_get(kids, p != NULL ? p : "");

        if (list == NULL) {
            list = json_array();
            json_object_set_new(kids, p != NULL ? p : "", list);
        }
        json_array_append(list, o);
    }
    return kids;
}

/*
 * Appends the children of parent ("" for the top) that sv may see, each
 * followed by its own (depth first, by name), with their depth; an invisible
 * organization's visible children take its place. Linear in the organizations.
 */
static void tree_walk(const struct svc *sv, const json_t *kids, const json_t *idx,
                      const char *parent, int depth, json_t *out)
{
    size_t i;
    json_t *o;

    if (depth > 16)
        return;
    json_array_foreach(json_object_get(kids, parent), i, o)
    {
        const char *id = str(o, "id");

        if (svc__can(sv, PERM_ORGS_READ, id)) {
            json_t *c = json_deep_copy(o);
            const char *p = str(o, "parent_id");
            const json_t *po = p != NULL ? json_object_get(idx, p) : NULL;

            json_object_set_new(c, "depth", json_integer(depth));
            /* Where it is, for lists where two of one name must be told apart. */
            if (po != NULL)
                json_object_set(c, "parent_name", json_object_get(po, "name"));
            json_array_append_new(out, c);
            tree_walk(sv, kids, idx, id, depth + 1, out);
        } else
            tree_walk(sv, kids, idx, id, depth, out);
    }
}

int svc_org_list(const struct svc *sv, json_t **out, struct cf_error *err)
{
    json_t *orgs, *idx, *kids, *list;
    int rc = store_org_list(sv->store, &orgs, err);

    *out = NULL;
    if (rc != CF_OK)
        return rc;
    idx = org_index(orgs);
    kids = children_index(orgs);
    list = json_array();
    tree_walk(sv, kids, idx, "", 0, list);
    *out = json_pack("{s:o, s:b, s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s}]}", "orgs", list,
                     "can_add_top", can_everywhere(sv, PERM_ORGS_WRITE), "kinds", "kind", "state",
                     "label", "State", "kind", "district", "label", "District", "kind", "school",
                     "label", "School", "kind", "body", "label", "Certification body");
    json_decref(kids);
    json_decref(idx);
    json_decref(orgs);
    return CF_OK;
}

int svc_org_count_visible(const struct svc *sv, long *n, struct cf_error *err)
{
    const json_t *set;

    *n = 0;
    if (sv->who == NULL || can_everywhere(sv, PERM_ORGS_READ))
        return store_org_count(sv->store, n, err);
    set =
        sv->who->reach != NULL ? json_object_get(sv->who->reach, perm_name(PERM_ORGS_READ)) : NULL;
    if (json_is_object(set)) {
        *n = (long)json_object_size(set);
        return CF_OK;
    }
    if (sv->who->reach != NULL) /* resolved, and nothing reached */
        return CF_OK;
    {
        json_t *out = NULL;
        int rc = svc_org_list(sv, &out, err);

        if (rc == CF_OK)
            *n = (long)json_array_size(json_object_get(out, "orgs"));
        json_decref(out);
        return rc;
    }
}

int svc_org_show(const struct svc *sv, const char *id, json_t **out, struct cf_error *err)
{
    json_t *orgs, *idx, *org, *children, *people = NULL, *parent;
    size_t i;
    json_t *o;
    int rc = store_org_list(sv->store, &orgs, err);

    *out = NULL;
    if (rc != CF_OK)
        return rc;
    idx = org_index(orgs);
    org = json_object_get(idx, id);
    if (org == NULL || !can_on(sv, PERM_ORGS_READ, idx, id)) {
        json_decref(idx);
        json_decref(orgs);
        return cf_error_set(err, CF_ENOTFOUND, NULL, "There is no such organization.");
    }
    children = json_array();
    json_array_foreach(orgs, i,
                       o) if (str(o, "parent_id") != NULL && strcmp(str(o, "parent_id"), id) == 0)
        json_array_append(children, o);
    /* The parent by name even when out of reach (a district admin's state), linked only
     * when this viewer may open it. */
    parent = json_null();
    if (str(org, "parent_id") != NULL && json_object_get(idx, str(org, "parent_id")) != NULL) {
        const json_t *po = json_object_get(idx, str(org, "parent_id"));

        parent = json_pack("{s:O, s:O, s:O, s:b}", "id", json_object_get(po, "id"), "name",
                           json_object_get(po, "name"), "kind", json_object_get(po, "kind"),
                           "reachable", can_on(sv, PERM_ORGS_READ, idx, str(org, "parent_id")));
    }
    if (can_on(sv, PERM_PEOPLE_READ, idx, id)) {
        json_t *all;

        people = json_array();
        if (store_person_list(sv->store, &all, NULL) == CF_OK) {
            json_array_foreach(all, i, o) if (str(o, "org_id") != NULL &&
                                              strcmp(str(o, "org_id"), id) == 0 &&
                                              strcmp(str(o, "status"), "erased") != 0)
                json_array_append_new(people, svc__person_view(o));
            json_decref(all);
        }
    }
    *out = json_pack(
        "{s:O, s:o, s:o, s:o, s:b, s:b, s:b, s:b}", "org", org, "parent", parent, "children",
        children, "people", people != NULL ? people : json_null(), "people_visible", people != NULL,
        "has_children_kind",
        strcmp(str(org, "kind"), "state") == 0 || strcmp(str(org, "kind"), "district") == 0,
        "can_edit", can_on(sv, PERM_ORGS_WRITE, idx, id), "can_add_school",
        strcmp(str(org, "kind"), "district") == 0 && can_on(sv, PERM_ORGS_WRITE, idx, id));
    json_decref(idx);
    json_decref(orgs);
    return CF_OK;
}

/* --- people ---------------------------------------------------------------------- */

int svc__person_insert(const struct svc *sv, const char *email, const char *name, const char *title,
                       const char *org, const char *password_hash, const char *status, json_t **out,
                       struct cf_error *err)
{
    char id[37], now[32], pseudo[32];
    json_t *p, *view;
    int rc;

    *out = NULL;
    svc__uuid(id);
    clock_now_iso(now, sizeof now);
    snprintf(pseudo, sizeof pseudo, "Person %.8s", id);
    p = json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:s?, s:s, s:s, s:s, s:s}", "id", id, "email", email,
                  "name", name, "title", title, "org_id", org, "password_hash", password_hash,
                  "status", status, "pseudonym", pseudo, "created_at", now, "updated_at", now);
    rc = store_person_insert(sv->store, p, err);
    if (rc == CF_ECONFLICT)
        cf_error_set(err, CF_ECONFLICT, "email", "Someone already has the e-mail address %s.",
                     email);
    if (rc == CF_OK) {
        view = svc__person_view(p);
        rc = svc__audit(sv, org, "person.add", "person", id, NULL, view, err);
        json_decref(view);
    }
    if (rc != CF_OK) {
        json_decref(p);
        return rc;
    }
    json_object_del(p, "password_hash");
    *out = p;
    return CF_OK;
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
static int may_grant(const struct svc *sv, const char *role, const char *org)
{
    if (authz_role_program_wide(role))
        return can_everywhere(sv, PERM_PEOPLE_WRITE);
    return svc__can(sv, PERM_PEOPLE_WRITE, org);
}

/* CF_EINVAL on "org" when role cannot be held in org (of kind kind). */
static int role_fits(const char *role, const char *kind, struct cf_error *err)
{
    if (authz_role_fits(role, kind))
        return CF_OK;
    return cf_error_set(err, CF_EINVAL, "org", "%s is given %s, not in a %s.",
                        authz_role_label(role), authz_role_where(role),
                        kind != NULL && strcmp(kind, "body") == 0 ? "certification body"
                        : kind != NULL                            ? kind
                                                                  : "organization");
}

/*
 * CF_OK when sv could take away every role person holds: only then may sv
 * change their account (disable, enable, invite again), so a district admin
 * cannot switch off someone who also works for the program or another
 * district. CF_EFORBIDDEN otherwise.
 */
static int reaches_every_role(const struct svc *sv, const char *person, struct cf_error *err)
{
    json_t *grants = NULL, *g;
    size_t i;
    int ok = 1, rc = store_grants_of(sv->store, person, &grants, err);

    if (rc != CF_OK)
        return rc;
    json_array_foreach(grants, i, g) ok &= may_grant(sv, str(g, "role"), str(g, "org_id"));
    json_decref(grants);
    return ok ? CF_OK
              : cf_error_set(err, CF_EFORBIDDEN, NULL,
                             "This person also holds roles outside the organizations you look "
                             "after; a program administrator can change their account.");
}

static int invite_message(const struct svc *sv, const json_t *p, const char *org_name,
                          struct cf_error *err)
{
    char token[44], inviter[4 * NAME_MAX_CHARS + 40] = "";
    char *body = NULL;
    struct buf roles;
    json_t *grants = NULL, *g, *who = NULL;
    size_t i;
    int rc = svc__link_issue(sv, "invite", str(p, "id"), INVITE_TTL_S, token, err);

    if (rc != CF_OK)
        return rc;
    /* Who asks, and for what: a stranger's link in an e-mail is easy to ignore. */
    if (sv->who != NULL && sv->who->person_id != NULL &&
        store_person_get(sv->store, sv->who->person_id, &who, NULL) == CF_OK)
        snprintf(inviter, sizeof inviter, "%s invited you", str(who, "name"));
    else
        snprintf(inviter, sizeof inviter, "You have been invited");
    json_decref(who);
    buf_init(&roles, 4096);
    if (store_grants_of(sv->store, str(p, "id"), &grants, NULL) == CF_OK)
        json_array_foreach(grants, i, g)
            buf_printf(&roles, "  - %s in %s\n", authz_role_label(str(g, "role")),
                       str(g, "org_name") != NULL ? str(g, "org_name") : "the program");
    json_decref(grants);
    if (asprintf(&body,
                 "Hello %s,\n\n"
                 "%s to ctoframe%s%s, where %s keeps the K-12 CTO framework,\n"
                 "assessments and certification records.%s\n%s\n"
                 "Open this link within 7 days to choose your password:\n\n"
                 "%s/invite/%s\n\n"
                 "The link works once. If you did not expect this message, ignore it.\n",
                 str(p, "name"), inviter, org_name != NULL ? " for " : "",
                 org_name != NULL ? org_name : "",
                 org_name != NULL ? "your organization" : "your program",
                 roles.n > 0 ? " Your role:" : "", buf_str(&roles),
                 sv->base_url != NULL ? sv->base_url : "http://127.0.0.1:8080", token) < 0) {
        buf_free(&roles);
        return cf_error_set(err, CF_ENOMEM, NULL, "out of memory");
    }
    buf_free(&roles);
    rc = svc__send(sv, "invite", str(p, "email"), str(p, "id"), "Your ctoframe invitation", body,
                   err);
    free(body);
    return rc;
}

/*
 * A person's own fields from a form (name required, e-mail, title optional)
 * into name, email and title (4 * NAME_MAX_CHARS + 1, 256, 4 * NAME_MAX_CHARS
 * + 1 bytes), each problem added to ck.
 */
static void person_fields(struct svc_checks *ck, const json_t *in, char *name, char *email,
                          char *title)
{
    struct cf_error e;

    svc__check(ck,
               svc__text(in, "name", 1, NAME_MAX_CHARS, "a name", name, 4 * NAME_MAX_CHARS + 1, &e),
               &e);
    svc__check(ck, svc__email(str(in, "email"), email, 256, "email", &e), &e);
    svc__check(
        ck,
        svc__text(in, "title", 0, NAME_MAX_CHARS, "The title", title, 4 * NAME_MAX_CHARS + 1, &e),
        &e);
}

int svc_person_add(const struct svc *sv, const json_t *in, json_t **out, struct cf_error *err)
{
    char email[256], name[4 * NAME_MAX_CHARS + 1], title[4 * NAME_MAX_CHARS + 1], org[37];
    char hash[crypto_pwhash_STRBYTES];
    const char *role = str(in, "role");
    const char *pw = str(in, "password");
    json_t *p = NULL, *o = NULL;
    int rc;

    *out = NULL;
    rc = svc__begin(sv, err);
    if (rc != CF_OK)
        return rc;
    {
        /* Every field at fault at once. */
        struct svc_checks ck = {err, CF_OK};
        struct cf_error e;

        person_fields(&ck, in, name, email, title);
        rc = svc_org_resolve(sv, str(in, "org"), org, &e);
        if (rc != CF_OK) {
            if (rc != CF_ENOTFOUND && rc != CF_EINVAL) {
                rc = cf_error_set(err, rc, NULL, "%s", e.message);
                goto out;
            }
            snprintf(e.field, sizeof e.field, "org");
            svc__check(&ck, CF_EINVAL, &e);
        }
        if (!authz_role_valid(role))
            svc__check(&ck,
                       cf_error_set(&e, CF_EINVAL, "role",
                                    "The role is one of leader, evaluator, district_admin, "
                                    "reviewer, examiner, program_admin."),
                       &e);
        if ((rc = ck.rc) != CF_OK)
            goto out;
    }
    if (!may_grant(sv, role, org)) {
        rc = cf_error_set(err, CF_EFORBIDDEN, "role",
                          "You may not give the role %s in that organization.", role);
        goto out;
    }
    /* Argon2 inside the transaction keeps the order of the checks; adding with a password is rare.
     */
    if (pw != NULL && pw[0] != '\0' &&
        (svc__password_ok(pw, email, "password", err) != CF_OK ||
         svc__password_hash(pw, hash, sizeof hash, err) != CF_OK)) {
        rc = err->code;
        goto out;
    }
    if ((rc = store_org_get(sv->store, org, &o, err)) != CF_OK)
        goto out;
    if ((rc = role_fits(role, str(o, "kind"), err)) != CF_OK)
        goto out;
    rc = svc__person_insert(sv, email, name, title[0] != '\0' ? title : NULL, org,
                            pw != NULL && pw[0] != '\0' ? hash : NULL,
                            pw != NULL && pw[0] != '\0' ? "active" : "invited", &p, err);
    if (rc == CF_OK)
        rc = svc__grant(sv, str(p, "id"), role, org, err);
    if (rc == CF_OK && (pw == NULL || pw[0] == '\0'))
        rc = invite_message(sv, p, str(o, "name"), err);

out:
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    if (rc != CF_OK) {
        json_decref(p);
        json_decref(o);
        return rc;
    }
    *out =
        json_pack("{s:o, s:[{s:s, s:s, s:O, s:O}], s:b}", "person", svc__person_view(p), "roles",
                  "role", role, "org_id", org, "org_name", json_object_get(o, "name"), "org_kind",
                  json_object_get(o, "kind"), "invitation_sent", pw == NULL || pw[0] == '\0');
    json_decref(p);
    json_decref(o);
    return CF_OK;
}

/* The person row, if sv may use p on them (people of no organization: program-wide only). */
static int person_for(const struct svc *sv, const char *id, enum perm p, json_t **out,
                      struct cf_error *err)
{
    json_t *row;
    int rc;

    *out = NULL;
    if (id == NULL || strlen(id) != 36)
        return cf_error_set(err, CF_ENOTFOUND, NULL, "There is no such person.");
    rc = store_person_get(sv->store, id, &row, err);
    if (rc == CF_ENOTFOUND)
        return cf_error_set(err, CF_ENOTFOUND, NULL, "There is no such person.");
    if (rc != CF_OK)
        return rc;
    if (!(str(row, "org_id") != NULL ? svc__can(sv, p, str(row, "org_id"))
                                     : can_everywhere(sv, p))) {
        json_decref(row);
        return cf_error_set(err, CF_ENOTFOUND, NULL, "There is no such person.");
    }
    *out = row;
    return CF_OK;
}

int svc_person_resolve(const struct svc *sv, const char *key, char id[37], struct cf_error *err)
{
    char email[256];
    json_t *p = NULL;
    int rc;

    id[0] = '\0';
    if (key != NULL && strchr(key, '@') != NULL) {
        if (svc__email(key, email, sizeof email, "email", err) != CF_OK)
            return CF_EINVAL;
        rc = store_person_by_email(sv->store, email, &p, err);
        if (rc == CF_OK) {
            json_t *row = p;

            rc = person_for(sv, str(row, "id"), PERM_PEOPLE_READ, &p, err);
            json_decref(row);
        }
    } else
        rc = person_for(sv, key, PERM_PEOPLE_READ, &p, err);
    if (rc == CF_ENOTFOUND)
        return cf_error_set(err, CF_ENOTFOUND, "email", "There is no person \"%s\".",
                            key != NULL ? key : "");
    if (rc != CF_OK)
        return rc;
    snprintf(id, 37, "%s", str(p, "id"));
    json_decref(p);
    return CF_OK;
}

/* 1 when sv may see grant g (a program-wide role: program staff only). */
static int grant_visible(const struct svc *sv, const json_t *g)
{
    return authz_role_program_wide(str(g, "role"))
               ? can_everywhere(sv, PERM_PEOPLE_READ)
               : svc__can(sv, PERM_PEOPLE_READ, str(g, "org_id"));
}

/*
 * The non-program-wide roles of sv's grants that bring p, comma-separated
 * (the SQL reach filter walks the tree below grants of these roles).
 */
static char *roles_with(const struct svc *sv, enum perm p, char *buf, size_t n)
{
    size_t i, o = 0;
    json_t *g;

    buf[0] = '\0';
    if (sv->who == NULL)
        return buf;
    json_array_foreach(sv->who->grants, i, g)
    {
        const char *role = str(g, "role");
        int w;

        if (role == NULL || authz_role_program_wide(role) || !authz_role_has(role, p) ||
            strstr(buf, role) != NULL)
            continue;
        w = snprintf(buf + o, n - o, "%s%s", o > 0 ? "," : "", role);
        if (w < 0 || (size_t)w >= n - o)
            break;
        o += (size_t)w;
    }
    return buf;
}

/* The roles of each person of people (one query), those sv may see: person id -> [grant]. */
static int roles_by_person(const struct svc *sv, const json_t *people, json_t **out,
                           struct cf_error *err)
{
    json_t *ids = json_array(), *grants = NULL, *by = json_object();
    size_t i;
    json_t *p, *g;
    int rc;

    json_array_foreach(people, i, p) json_array_append(ids, json_object_get(p, "id"));
    rc = store_grants_of_people(sv->store, ids, &grants, err);
    json_decref(ids);
    if (rc != CF_OK) {
        json_decref(by);
        return rc;
    }
    json_array_foreach(grants, i, g)
    {
        const char *who = str(g, "person_id");
        json_t *list;

        if (who == NULL || !grant_visible(sv, g))
            continue;
        list = json_object_get(by, who);
        if (list == NULL) {
            list = json_array();
            json_object_set_new(by, who, list);
        }
        json_array_append_new(list, grant_view(g));
    }
    json_decref(grants);
    *out = by;
    return CF_OK;
}

int svc_person_search(const struct svc *sv, const struct person_query *pq, json_t **out,
                      struct cf_error *err)
{
    struct store_people_query sq;
    json_t *people = NULL, *by = NULL, *list, *p;
    char roles[256], org[37] = "";
    const char *org_name = NULL;
    json_t *org_row = NULL;
    long total = 0, limit = pq->limit > 0 ? pq->limit : 0, offset = pq->offset > 0 ? pq->offset : 0;
    size_t i;
    int rc;

    *out = NULL;
    if (pq->org != NULL && pq->org[0] != '\0') {
        rc = svc_org_resolve(sv, pq->org, org, err);
        if (rc != CF_OK)
            return rc;
        if (store_org_get(sv->store, org, &org_row, NULL) == CF_OK)
            org_name = str(org_row, "name");
    }
    memset(&sq, 0, sizeof sq);
    sq.everywhere = sv->who == NULL || can_everywhere(sv, PERM_PEOPLE_READ);
    sq.viewer = sv->who != NULL ? sv->who->person_id : NULL;
    sq.roles = roles_with(sv, PERM_PEOPLE_READ, roles, sizeof roles);
    sq.q = pq->q != NULL && pq->q[0] != '\0' ? pq->q : NULL;
    sq.org = org[0] != '\0' ? org : NULL;
    sq.offset = offset;
    sq.limit = limit;
    if (!sq.everywhere && (sv->who == NULL || sv->who->person_id == NULL)) {
        json_decref(org_row);
        return cf_error_set(err, CF_EFORBIDDEN, NULL, "Please sign in.");
    }
    rc = store_people_page(sv->store, &sq, &people, &total, err);
    if (rc == CF_OK)
        rc = roles_by_person(sv, people, &by, err);
    if (rc != CF_OK) {
        json_decref(people);
        json_decref(org_row);
        return rc;
    }
    list = json_array();
    json_array_foreach(people, i, p)
    {
        json_t *v = svc__person_view(p), *roles_of_p = json_object_get(by, str(p, "id"));

        json_object_set_new(v, "roles",
                            roles_of_p != NULL ? json_incref(roles_of_p) : json_array());
        json_object_set(v, "org_name", json_object_get(p, "org_name"));
        json_array_append_new(list, v);
    }
    *out = json_pack("{s:o, s:I, s:I, s:I, s:s?, s:s?, s:s?, s:b}", "people", list, "total",
                     (json_int_t)total, "offset", (json_int_t)offset, "limit", (json_int_t)limit,
                     "q", sq.q, "org", sq.org, "org_name", org_name, "can_invite",
                     sv->who == NULL || can_everywhere(sv, PERM_PEOPLE_WRITE) ||
                         svc__can(sv, PERM_PEOPLE_WRITE, NULL));
    if (limit > 0 && offset + limit < total)
        json_object_set_new(*out, "next_offset", json_integer(offset + limit));
    if (limit > 0 && offset > 0)
        json_object_set_new(*out, "prev_offset", json_integer(offset > limit ? offset - limit : 0));
    json_decref(people);
    json_decref(by);
    json_decref(org_row);
    return CF_OK;
}

int svc_person_list(const struct svc *sv, json_t **out, struct cf_error *err)
{
    struct person_query pq = {NULL, NULL, 0, 0};

    return svc_person_search(sv, &pq, out, err);
}

int svc_person_show(const struct svc *sv, const char *id, json_t **out, struct cf_error *err)
{
    json_t *p, *grants = NULL, *v;
    int rc = person_for(sv, id, PERM_PEOPLE_READ, &p, err);

    *out = NULL;
    if (rc != CF_OK)
        return rc;
    if (strcmp(str(p, "status"), "erased") == 0) {
        json_decref(p);
        return cf_error_set(err, CF_ENOTFOUND, NULL, "There is no such person.");
    }
    rc = store_grants_of(sv->store, id, &grants, err);
    if (rc != CF_OK) {
        json_decref(p);
        return rc;
    }
    v = svc__person_view(p);
    if (str(p, "org_id") != NULL) {
        json_t *o;

        if (store_org_get(sv->store, str(p, "org_id"), &o, NULL) == CF_OK) {
            json_object_set(v, "org_name", json_object_get(o, "name"));
            json_decref(o);
        }
    }
    {
        size_t i;
        json_t *g, *seen = json_array();
        const char *status = str(p, "status");
        int edit = svc__can(sv, PERM_PEOPLE_WRITE, str(p, "org_id"));
        int self =
            sv->who != NULL && sv->who->person_id != NULL && strcmp(sv->who->person_id, id) == 0;
        int reach = edit && reaches_every_role(sv, id, NULL) == CF_OK;
        int account = reach && !self;

        /* Only the roles in organizations this viewer can see (program-wide ones: program
         * staff), each saying whether this viewer may take it away. */
        json_array_foreach(grants, i, g)
        {
            const char *role = str(g, "role"), *org = str(g, "org_id");

            if (!grant_visible(sv, g))
                continue;
            json_object_set_new(g, "role_label", json_string(authz_role_label(role)));
            json_object_set_new(g, "can_revoke", json_boolean(!self && may_grant(sv, role, org)));
            json_array_append(seen, g);
        }
        json_decref(grants);
        grants = seen;
        /* What this viewer may do to this person now (the page offers only that). */
        *out = json_pack("{s:o, s:o, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b}", "person", v, "roles",
                         grants, "is_self", self, "can_edit_details", reach, "account_elsewhere",
                         edit && !reach, "can_edit", edit, "can_disable",
                         account && strcmp(status, "disabled") != 0, "can_enable",
                         account && strcmp(status, "disabled") == 0, "can_reinvite",
                         account && strcmp(status, "invited") == 0, "can_erase",
                         can_everywhere(sv, PERM_PEOPLE_ERASE) && !self);
    }
    json_decref(p);
    return CF_OK;
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

        if (strcmp(str(g, "role"), "program_admin") != 0 ||
            strcmp(str(g, "person_id"), person) == 0)
            continue;
        if (store_person_get(sv->store, str(g, "person_id"), &p, NULL) == CF_OK) {
            if (strcmp(str(p, "status"), "active") == 0)
                (*n)++;
            json_decref(p);
        }
    }
    json_decref(grants);
    return CF_OK;
}

/* CF_ECONFLICT (naming field) when person is the only active program administrator left. */
static int last_program_admin(const struct svc *sv, const char *person, const char *field,
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
        json_array_foreach(gr, i, g) is_admin |= strcmp(str(g, "role"), "program_admin") == 0;
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
    if ((rc = person_for(sv, id, PERM_PEOPLE_READ, &p, err)) != CF_OK)
        goto out;
    if (!authz_role_valid(role)) {
        rc = cf_error_set(err, CF_EINVAL, "role",
                          "The role is one of leader, evaluator, district_admin, reviewer, "
                          "examiner, program_admin.");
        goto out;
    }
    rc = svc_org_resolve(sv, org_key, org, err);
    if (rc != CF_OK) {
        snprintf(err->field, sizeof err->field, "org");
        rc = rc == CF_ENOTFOUND ? CF_EINVAL : rc;
        goto out;
    }
    if (!may_grant(sv, role, org)) {
        rc = cf_error_set(err, CF_EFORBIDDEN, "role",
                          "You may not give the role %s in that organization.", role);
        goto out;
    }
    if ((rc = store_org_get(sv->store, org, &o, err)) != CF_OK)
        goto out;
    if ((rc = role_fits(role, str(o, "kind"), err)) != CF_OK)
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
    if ((rc = person_for(sv, id, PERM_PEOPLE_READ, &p, err)) != CF_OK)
        goto out;
    rc = svc_org_resolve(sv, org_key, org, err);
    if (rc != CF_OK) {
        snprintf(err->field, sizeof err->field, "org");
        rc = rc == CF_ENOTFOUND ? CF_EINVAL : rc;
        goto out;
    }
    if (!authz_role_valid(role)) {
        rc = cf_error_set(err, CF_EINVAL, "role", "There is no role \"%s\".",
                          role != NULL ? role : "");
        goto out;
    }
    if (!may_grant(sv, role, org)) {
        rc = cf_error_set(err, CF_EFORBIDDEN, "role",
                          "You may not take the role %s away in that organization.", role);
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
            json_array_foreach(gr, i, mine) if (strcmp(str(mine, "role"), "program_admin") == 0 &&
                                                strcmp(str(mine, "org_id"), org) != 0) others++;
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

/*
 * The person row when sv may change their account or details: people.write
 * where they belong, and reach over every role they hold (their account is
 * theirs everywhere). CF_ENOTFOUND for an erased person, CF_EFORBIDDEN when a
 * role is out of reach.
 */
static int account_for(const struct svc *sv, const char *id, json_t **p, struct cf_error *err)
{
    int rc = person_for(sv, id, PERM_PEOPLE_WRITE, p, err);

    if (rc != CF_OK)
        return rc;
    if (strcmp(str(*p, "status"), "erased") == 0)
        rc = cf_error_set(err, CF_ENOTFOUND, NULL, "There is no such person.");
    else
        rc = reaches_every_role(sv, id, err);
    if (rc != CF_OK) {
        json_decref(*p);
        *p = NULL;
    }
    return rc;
}

int svc_person_set_status(const struct svc *sv, const char *id, const char *status, json_t **out,
                          struct cf_error *err)
{
    char now[32];
    json_t *p = NULL, *before = NULL, *after = NULL;
    int rc;

    *out = NULL;
    if (status == NULL || (strcmp(status, "disabled") != 0 && strcmp(status, "active") != 0))
        return cf_error_set(err, CF_EINVAL, "status", "The status is disabled or active.");
    rc = svc__begin(sv, err);
    if (rc != CF_OK)
        return rc;
    /* Read inside the transaction: two administrators disabling each other at once are
     * taken one after the other, and the second finds the first no longer active. */
    if ((rc = account_for(sv, id, &p, err)) != CF_OK)
        goto out;
    /* Enabling someone who never chose a password makes them invited again, not active. */
    if (strcmp(status, "active") == 0 && strcmp(str(p, "status"), "disabled") == 0) {
        json_t *full = NULL;

        if (store_person_by_email(sv->store, str(p, "email"), &full, NULL) == CF_OK &&
            !json_is_string(json_object_get(full, "password_hash")))
            status = "invited";
        json_decref(full);
    }
    if (strcmp(status, "active") == 0 && strcmp(str(p, "status"), "invited") == 0) {
        rc = cf_error_set(err, CF_ECONFLICT, "status",
                          "An invited person becomes active by accepting the invitation.");
        goto out;
    }
    if (strcmp(status, "disabled") == 0) {
        if (sv->who != NULL && sv->who->person_id != NULL && strcmp(sv->who->person_id, id) == 0) {
            rc = cf_error_set(err, CF_ECONFLICT, "status", "You cannot disable yourself.");
            goto out;
        }
        if ((rc = last_program_admin(sv, id, "status", err)) != CF_OK)
            goto out;
    }
    clock_now_iso(now, sizeof now);
    before = json_pack("{s:O}", "status", json_object_get(p, "status"));
    after = json_pack("{s:s}", "status", status);
    json_object_set_new(p, "status", json_string(status));
    json_object_set_new(p, "updated_at", json_string(now));
    if ((rc = store_person_update(sv->store, p, err)) != CF_OK)
        goto out;
    if (strcmp(status, "disabled") == 0 &&
        (rc = store_session_delete_person(sv->store, id, NULL, err)) != CF_OK)
        goto out;
    rc = svc__audit(sv, str(p, "org_id"),
                    strcmp(status, "disabled") == 0 ? "person.disable" : "person.enable", "person",
                    id, before, after, err);

out:
    json_decref(before);
    json_decref(after);
    json_decref(p);
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    if (rc != CF_OK)
        return rc;
    return svc_person_show(sv, id, out, err);
}

int svc_person_update(const struct svc *sv, const char *id, const json_t *in, json_t **out,
                      struct cf_error *err)
{
    char email[256], name[4 * NAME_MAX_CHARS + 1], title[4 * NAME_MAX_CHARS + 1], now[32];
    json_t *p = NULL, *before = NULL, *after = NULL;
    int rc;

    *out = NULL;
    rc = svc__begin(sv, err);
    if (rc != CF_OK)
        return rc;
    if ((rc = account_for(sv, id, &p, err)) != CF_OK)
        goto out;
    {
        struct svc_checks ck = {err, CF_OK};

        person_fields(&ck, in, name, email, title);
        if ((rc = ck.rc) != CF_OK)
            goto out;
    }
    before = json_pack("{s:O, s:O, s:O}", "name", json_object_get(p, "name"), "email",
                       json_object_get(p, "email"), "title", json_object_get(p, "title"));
    after = json_pack("{s:s, s:s, s:s?}", "name", name, "email", email, "title",
                      title[0] != '\0' ? title : NULL);
    /* Saved as it was: nothing to write, nothing to audit. */
    if (json_equal(before, after))
        goto out;
    clock_now_iso(now, sizeof now);
    json_object_update(p, after);
    json_object_set_new(p, "updated_at", json_string(now));
    rc = store_person_update(sv->store, p, err);
    if (rc == CF_ECONFLICT)
        cf_error_set(err, CF_ECONFLICT, "email", "That e-mail address belongs to another account.");
    if (rc != CF_OK)
        goto out;
    rc = svc__audit(sv, str(p, "org_id"), "person.update", "person", id, before, after, err);

out:
    json_decref(before);
    json_decref(after);
    json_decref(p);
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    if (rc != CF_OK)
        return rc;
    return svc_person_show(sv, id, out, err);
}

int svc_person_reinvite(const struct svc *sv, const char *id, json_t **out, struct cf_error *err)
{
    json_t *p = NULL, *o = NULL;
    int rc;

    *out = NULL;
    rc = svc__begin(sv, err);
    if (rc != CF_OK)
        return rc;
    if ((rc = account_for(sv, id, &p, err)) != CF_OK)
        goto out;
    if (strcmp(str(p, "status"), "invited") != 0) {
        rc = cf_error_set(err, CF_ECONFLICT, "status",
                          "Only a person who has not accepted yet can be invited again.");
        goto out;
    }
    if (str(p, "org_id") != NULL)
        store_org_get(sv->store, str(p, "org_id"), &o, NULL);
    if ((rc = invite_message(sv, p, o != NULL ? str(o, "name") : NULL, err)) != CF_OK)
        goto out;
    rc = svc__audit(sv, str(p, "org_id"), "person.reinvite", "person", id, NULL, NULL, err);

out:
    json_decref(o);
    json_decref(p);
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    if (rc != CF_OK)
        return rc;
    return svc_person_show(sv, id, out, err);
}

/* What erasure removes from audit values. */
struct scrub {
    const char *pseudo, *name, *email, *title;
    int by_key; /* also every "name", "email", "title" member (entries about the person) */
};

static int personal(const struct scrub *sc, const char *k, const char *v)
{
    if (sc->by_key && k != NULL &&
        (strcmp(k, "name") == 0 || strcmp(k, "email") == 0 || strcmp(k, "title") == 0))
        return 1;
    return (sc->name != NULL && strcmp(v, sc->name) == 0) ||
           (sc->email != NULL && strcasecmp(v, sc->email) == 0) ||
           (sc->title != NULL && sc->title[0] != '\0' && strcmp(v, sc->title) == 0);
}

/* A copy of v with the person's personal values replaced by the pseudonym (recursively). */
static json_t *scrubbed(const json_t *v, const struct scrub *sc, const char *key, int *changed)
{
    json_t *c;
    const char *k;
    json_t *x;
    size_t i;

    if (json_is_string(v) && personal(sc, key, json_string_value(v))) {
        *changed = 1;
        return json_string(sc->pseudo);
    }
    if (json_is_object(v)) {
        c = json_object();
        json_object_foreach((json_t *)v, k, x)
            json_object_set_new(c, k, scrubbed(x, sc, k, changed));
        return c;
    }
    if (json_is_array(v)) {
        c = json_array();
        json_array_foreach(v, i, x) json_array_append_new(c, scrubbed(x, sc, NULL, changed));
        return c;
    }
    return v != NULL ? json_incref((json_t *)v) : json_null();
}

/* Rewrites the entries f selects that hold the person's personal values. */
static int scrub_entries(const struct svc *sv, const struct audit_filter *f, const struct scrub *sc,
                         struct cf_error *err)
{
    json_t *entries = NULL;
    size_t i;
    json_t *e;
    int rc = store_audit_list(sv->store, f, &entries, err);

    json_array_foreach(entries, i, e)
    {
        int changed = 0;
        json_t *b = scrubbed(json_object_get(e, "before"), sc, NULL, &changed);
        json_t *a = scrubbed(json_object_get(e, "after"), sc, NULL, &changed);

        if (changed && rc == CF_OK)
            rc = store_audit_rewrite(sv->store, json_integer_value(json_object_get(e, "id")),
                                     json_is_null(b) ? NULL : b, json_is_null(a) ? NULL : a, err);
        json_decref(b);
        json_decref(a);
    }
    json_decref(entries);
    return rc;
}

int svc_person_erase(const struct svc *sv, const char *id, json_t **out, struct cf_error *err)
{
    char now[32];
    json_t *p = NULL, *after = NULL;
    int rc;

    *out = NULL;
    rc = svc__begin(sv, err);
    if (rc != CF_OK)
        return rc;
    if ((rc = person_for(sv, id, PERM_PEOPLE_ERASE, &p, err)) != CF_OK)
        goto out;
    if (!can_everywhere(sv, PERM_PEOPLE_ERASE)) {
        rc = cf_error_set(err, CF_ENOTFOUND, NULL, "There is no such person.");
        goto out;
    }
    if (strcmp(str(p, "status"), "erased") == 0) {
        rc = cf_error_set(err, CF_ECONFLICT, NULL, "This person has already been erased.");
        goto out;
    }
    if (sv->who != NULL && sv->who->person_id != NULL && strcmp(sv->who->person_id, id) == 0) {
        rc = cf_error_set(err, CF_ECONFLICT, NULL, "You cannot erase yourself.");
        goto out;
    }
    if ((rc = last_program_admin(sv, id, NULL, err)) != CF_OK)
        goto out;
    clock_now_iso(now, sizeof now);
    if ((rc = store_person_erase_rows(sv->store, id, now, err)) != CF_OK)
        goto out;
    /* Audit entries keep what happened, with the pseudonym for who: those about the person,
     * those they made, and sign-in entries that name their address. */
    {
        char actor[64];
        struct scrub sc = {str(p, "pseudonym"), str(p, "name"), str(p, "email"), str(p, "title"),
                           1};
        struct audit_filter about = {.object_id = id, .limit = 10000000};
        struct audit_filter by = {.actor = actor, .limit = 10000000};
        struct audit_filter auth = {.action = "auth", .limit = 10000000};

        snprintf(actor, sizeof actor, "user:%s", id);
        rc = scrub_entries(sv, &about, &sc, err);
        sc.by_key = 0;
        if (rc == CF_OK)
            rc = scrub_entries(sv, &by, &sc, err);
        if (rc == CF_OK)
            rc = scrub_entries(sv, &auth, &sc, err);
        if (rc != CF_OK)
            goto out;
    }
    after =
        json_pack("{s:s, s:O}", "status", "erased", "pseudonym", json_object_get(p, "pseudonym"));
    rc = svc__audit(sv, str(p, "org_id"), "person.erase", "person", id, NULL, after, err);

out:
    json_decref(p);
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    if (rc != CF_OK) {
        json_decref(after);
        return rc;
    }
    json_object_set_new(after, "id", json_string(id));
    *out = after;
    return CF_OK;
}

static void strip_hash(json_t *arr, const char *key)
{
    size_t i;
    json_t *x;

    json_array_foreach(arr, i, x) json_object_del(x, key);
}

int svc_person_export(const struct svc *sv, const char *id, json_t **out, struct cf_error *err)
{
    json_t *p = NULL, *grants = NULL, *sessions = NULL, *tokens = NULL, *mine = NULL, *about = NULL,
           *mail = NULL, *all_mail = NULL;
    char actor[64], now[32];
    int self = sv->who != NULL && sv->who->person_id != NULL && strcmp(sv->who->person_id, id) == 0;
    int rc;

    *out = NULL;
    if (self || sv->who == NULL)
        rc = store_person_get(sv->store, id, &p, err);
    else
        rc = can_everywhere(sv, PERM_PEOPLE_ERASE)
                 ? person_for(sv, id, PERM_PEOPLE_READ, &p, err)
                 : cf_error_set(err, CF_ENOTFOUND, NULL, "There is no such person.");
    if (rc != CF_OK)
        return rc;
    snprintf(actor, sizeof actor, "user:%s", id);
    {
        struct audit_filter by = {.actor = actor, .limit = 100000};
        struct audit_filter on = {.object_id = id, .limit = 100000};

        if ((rc = store_grants_of(sv->store, id, &grants, err)) == CF_OK &&
            (rc = store_session_list(sv->store, id, &sessions, err)) == CF_OK &&
            (rc = store_api_token_list(sv->store, id, &tokens, err)) == CF_OK &&
            (rc = store_audit_list(sv->store, &by, &mine, err)) == CF_OK &&
            (rc = store_audit_list(sv->store, &on, &about, err)) == CF_OK)
            rc = store_outbox_list(sv->store, NULL, 100000, &all_mail, err);
    }
    if (rc == CF_OK) {
        size_t i;
        json_t *m;

        strip_hash(sessions, "id_hash");
        mail = json_array();
        json_array_foreach(all_mail, i, m) if (str(m, "person_id") != NULL &&
                                               strcmp(str(m, "person_id"), id) == 0)
            json_array_append(mail, m);
        clock_now_iso(now, sizeof now);
        *out =
            json_pack("{s:s, s:s, s:o, s:O, s:O, s:O, s:O, s:O, s:O}", "format",
                      "ctoframe person export 1", "exported_at", now, "person", svc__person_view(p),
                      "roles", grants, "sessions", sessions, "api_tokens", tokens,
                      "audit_by_person", mine, "audit_about_person", about, "messages", mail);
        {
            struct svc me = *sv;

            svc__audit(&me, str(p, "org_id"), "person.export", "person", id, NULL, NULL, NULL);
        }
    }
    json_decref(p);
    json_decref(grants);
    json_decref(sessions);
    json_decref(tokens);
    json_decref(mine);
    json_decref(about);
    json_decref(mail);
    json_decref(all_mail);
    return rc;
}

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

        json_array_append_new(grants, grant_view(g));
        if (!svc__contains(orgs, o))
            json_array_append(orgs, o);
        json_decref(o);
    }
    *out = json_pack("{s:o, s:o, s:o, s:s}", "person", svc__person_view(p), "roles", grants,
                     "organizations", orgs, "via", sv->who->via != NULL ? sv->who->via : "session");
    json_decref(p);
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
    /* Live sessions only (ended ones are removed when next presented), by handle. */
    for (i = 0; i < json_array_size(sessions);) {
        char handle[33];

        s = json_array_get(sessions, i);
        if (!svc__session_live(s, now)) {
            json_array_remove(sessions, i);
            continue;
        }
        svc__session_handle(str(s, "id_hash"), handle);
        json_object_set_new(s, "id", json_string(handle));
        json_object_set_new(s, "browser", browser_of(str(s, "user_agent")));
        json_object_set_new(s, "current", json_boolean(strcmp(str(s, "id_hash"), current) == 0));
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
