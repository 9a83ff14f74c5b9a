/*
 * org.c — organizations: adding, renaming, listing them as a tree, showing one.
 *
 * Visibility follows the grants: a district admin sees their district and its
 * schools; program-wide roles see everything. What an actor may not see does
 * not exist for them (CF_ENOTFOUND, never "forbidden").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/clock.h"
#include "svc/svc_impl.h"

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

    json_array_foreach(orgs, i, o) json_object_set(idx, svc__str(o, "id"), o);
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
        id = svc__str(o, "parent_id");
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
    json_array_foreach(found, i, o) if (svc__can(sv, PERM_ORGS_READ, svc__str(o, "id")))
        json_array_append(seen, o);
    json_decref(found);
    n = json_array_size(seen);
    if (n == 1)
        snprintf(id, 37, "%s", svc__str(json_array_get(seen, 0), "id"));
    json_decref(seen);
    if (n == 0)
        return cf_error_set(err, CF_ENOTFOUND, "org", "There is no organization \"%s\".", key);
    if (n > 1)
        return cf_error_set(err, CF_EINVAL, "org",
                            "There are %zu organizations called “%s”. Name it by its id instead.",
                            n, key);
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
    const char *v = svc__str(in, "nces_id");
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
        const char *op = svc__str(o, "parent_id");

        if (strcmp(svc__str(o, "kind"), kind) != 0 || strcasecmp(svc__str(o, "name"), name) != 0 ||
            (self != NULL && strcmp(svc__str(o, "id"), self) == 0) ||
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

/*
 * CF_EINVAL on "parent" when an organization of kind may not sit under one of
 * pkind (NULL: under nothing), with what to choose instead; CF_OK when it may.
 */
static int placement_ok(const char *kind, const char *pkind, struct cf_error *err)
{
    if (authz_org_parent_ok(kind, pkind))
        return CF_OK;
    if (strcmp(kind, "school") == 0)
        return cf_error_set(err, CF_EINVAL, "parent",
                            "A school belongs to a district. Choose its district.");
    if (strcmp(kind, "district") == 0)
        return cf_error_set(err, CF_EINVAL, "parent",
                            "A district belongs to a state. Choose its state.");
    return cf_error_set(err, CF_EINVAL, "parent",
                        "A %s stands on its own. Choose no parent for it.",
                        strcmp(kind, "body") == 0 ? "certification body" : kind);
}

/*
 * CF_EINVAL on "parent" when parent is id itself or inside it (the move would
 * make a loop); reads the chain above parent from the store, so call it inside
 * the transaction.
 */
static int not_inside(const struct svc *sv, const char *id, const char *parent,
                      struct cf_error *err)
{
    json_t *chain = NULL;
    size_t i;
    json_t *c;
    int rc = store_org_chain(sv->store, parent, &chain, err);

    if (rc != CF_OK)
        return rc;
    json_array_foreach(chain, i, c)
    {
        if (strcmp(json_string_value(c), id) == 0) {
            rc = cf_error_set(err, CF_EINVAL, "parent",
                              "An organization cannot belong to itself or to one inside it. "
                              "Choose another place.");
            break;
        }
    }
    json_decref(chain);
    return rc;
}

int svc_org_add(const struct svc *sv, const json_t *in, json_t **out, struct cf_error *err)
{
    char name[4 * NAME_MAX_CHARS + 1], nces[16], parent[37] = "", now[32];
    const char *kind = svc__str(in, "kind");
    const char *pkey = svc__str(in, "parent");
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
                                    "Choose a kind: body, state, district or school."),
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
        pkind = svc__str(p, "kind");
    }
    /* District admins add schools to their districts; the rest is program-wide work (refused
     * before the placement: a district admin's district without a state is not theirs to add). */
    if (strcmp(kind, "school") != 0 && !svc__can_everywhere(sv, PERM_ORGS_WRITE)) {
        rc = cf_error_set(err, CF_EFORBIDDEN, NULL, "You may not add a %s here.", kind);
        goto out;
    }
    if ((rc = placement_ok(kind, pkind, err)) != CF_OK)
        goto out;
    if (strcmp(kind, "school") == 0 && !svc__can(sv, PERM_ORGS_WRITE, parent)) {
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
    rc = svc__audit(sv, svc__str(org, "id"), "org.add", "org", svc__str(org, "id"), NULL, org, err);

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

/*
 * The new parent of before asked for by in ("parent": a name, id or NCES id;
 * "" for none) into parent, checked inside the transaction: it is visible to
 * sv (else an unknown organization), the kinds fit, it is not before itself or
 * inside it, and sv may change it (the new place is in reach too). *moving = 0
 * when in names no parent or the one before already has.
 */
static int new_parent(const struct svc *sv, const json_t *before, const json_t *in, char parent[37],
                      int *moving, struct cf_error *err)
{
    const char *id = svc__str(before, "id"), *kind = svc__str(before, "kind");
    const char *old = svc__str(before, "parent_id"), *pkey = svc__str(in, "parent");
    json_t *p = NULL;
    int rc = CF_OK;

    *moving = 0;
    parent[0] = '\0';
    /* Its present parent by id is no move, also when the actor may not see that parent (a
     * district administrator saving their district as it is, in its state). */
    if (pkey == NULL || (old != NULL && strcmp(pkey, old) == 0))
        return CF_OK;
    if (pkey[0] != '\0') {
        rc = svc_org_resolve(sv, pkey, parent, err);
        if (rc != CF_OK) {
            snprintf(err->field, sizeof err->field, "parent");
            return rc == CF_ENOTFOUND ? CF_EINVAL : rc;
        }
    }
    if (old != NULL ? strcmp(parent, old) == 0 : parent[0] == '\0')
        return CF_OK;
    *moving = 1;
    if (parent[0] != '\0' && (rc = store_org_get(sv->store, parent, &p, err)) != CF_OK)
        return rc;
    rc = placement_ok(kind, svc__str(p, "kind"), err);
    if (rc == CF_OK && parent[0] != '\0')
        rc = not_inside(sv, id, parent, err);
    if (rc == CF_OK && parent[0] != '\0' && !svc__can(sv, PERM_ORGS_WRITE, parent))
        rc = cf_error_set(err, CF_EFORBIDDEN, "parent",
                          "You may not move an organization into %s. Choose one you look after.",
                          svc__str(p, "name"));
    json_decref(p);
    return rc;
}

int svc_org_update(const struct svc *sv, const char *id, const json_t *in, json_t **out,
                   struct cf_error *err)
{
    char name[4 * NAME_MAX_CHARS + 1], nces[16], now[32], parent[37] = "";
    json_t *before = NULL, *after = NULL;
    const char *to;
    long enrollment;
    int moving = 0;
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
        /* Every field at fault at once; the name must be free where the organization ends up. */
        struct svc_checks ck = {err, CF_OK};
        struct cf_error e;
        int prc = new_parent(sv, before, in, parent, &moving, &e);

        svc__check(&ck, prc, &e);
        to = moving ? (parent[0] != '\0' ? parent : NULL) : svc__str(before, "parent_id");
        rc = svc__text(in, "name", 1, NAME_MAX_CHARS, "a name", name, sizeof name, &e);
        if (rc == CF_OK && prc == CF_OK)
            rc = name_free(sv, svc__str(before, "kind"), to, name, id, &e);
        svc__check(&ck, rc, &e);
        svc__check(&ck, nces_of(in, svc__str(before, "kind"), nces, &e), &e);
        svc__check(&ck, enrollment_of(in, &enrollment, &e), &e);
        if ((rc = ck.rc) != CF_OK)
            goto out;
    }
    after = json_deep_copy(before);
    json_object_set_new(after, "name", json_string(name));
    json_object_set_new(after, "parent_id", to != NULL ? json_string(to) : json_null());
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
        org_taken(err, svc__str(before, "kind"), name, to != NULL, nces);
    if (rc != CF_OK)
        goto out;
    /* A move is its own entry (old and new parent in before and after), so it can be found. */
    rc = svc__audit(sv, id, moving ? "org.move" : "org.update", "org", id, before, after, err);

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

/*
 * What keeps organization id from being deleted, as a sentence into msg ("" when
 * nothing does): the people, roles, organizations and reviewers' conflicts of
 * interest h (store_org_holdings) counts. Returns 1 when something does.
 */
static int delete_blocked(const json_t *h, char *msg, size_t n)
{
    /* Each count with its words for one and for more. */
    static const struct {
        const char *key, *one, *more;
    } what[] = {
        {"people", "person", "people"},
        {"roles", "role given in it", "roles given in it"},
        {"children", "child organization", "child organizations"},
        {"conflicts", "reviewer's conflict of interest declared with it",
         "reviewers' conflicts of interest declared with it"},
        {"evaluations", "evaluation it runs", "evaluations it runs"}, /* issue 9 */
    };
    char list[512] = "";
    size_t len = 0;
    int np = 0, total = 0, w;

    msg[0] = '\0';
    for (size_t i = 0; i < sizeof what / sizeof what[0]; i++)
        total += json_integer_value(json_object_get(h, what[i].key)) > 0;
    for (size_t i = 0; i < sizeof what / sizeof what[0]; i++) {
        long c = (long)json_integer_value(json_object_get(h, what[i].key));

        if (c <= 0)
            continue;
        np++;
        w = snprintf(list + len, sizeof list - len, "%s%ld %s",
                     np == 1       ? ""
                     : np == total ? " and "
                                   : ", ",
                     c, c == 1 ? what[i].one : what[i].more);
        if (w < 0 || (size_t)w >= sizeof list - len)
            break;
        len += (size_t)w;
    }
    if (np == 0)
        return 0;
    w = snprintf(msg, n, "This organization still has %s. Move or remove them first.", list);
    if (w < 0 || (size_t)w >= n)
        msg[n - 1] = '\0';
    return 1;
}

int svc_org_delete(const struct svc *sv, const char *id, json_t **out, struct cf_error *err)
{
    char why[sizeof err->message];
    json_t *before = NULL, *held = NULL;
    const char *parent;
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
        rc = cf_error_set(err, CF_EFORBIDDEN, NULL, "You may not delete this organization.");
        goto out;
    }

    /* Only an empty organization goes: counted here, inside the transaction, so a person
     * added or a school moved in meanwhile is seen. */
    if ((rc = store_org_holdings(sv->store, id, &held, err)) != CF_OK)
        goto out;
    if (delete_blocked(held, why, sizeof why)) {
        rc = cf_error_set(err, CF_ECONFLICT, NULL, "%s", why);
        goto out;
    }
    if ((rc = store_org_delete(sv->store, id, err)) != CF_OK)
        goto out;
    /* Filed under the parent (which remains), so those who look after it see the entry. */
    parent = svc__str(before, "parent_id");
    rc = svc__audit(sv, parent != NULL ? parent : id, "org.delete", "org", id, before, NULL, err);

out:
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    if (rc == CF_OK)
        *out = json_pack("{s:s, s:b, s:O?}", "id", id, "deleted", 1, "parent_id",
                         json_object_get(before, "parent_id"));
    json_decref(held);
    json_decref(before);
    return rc;
}

/*
 * 1 when o is a district that belongs to no state: allowed before districts had
 * to, and shown as such wherever its place is shown until someone chooses one.
 */
static int no_state(const json_t *o)
{
    return strcmp(svc__str(o, "kind"), "district") == 0 && svc__str(o, "parent_id") == NULL;
}

/*
 * Organizations by parent id, each list in the order of orgs (by name); those
 * whose parent is not in idx (the top, or above a partial list) under "".
 */
static json_t *children_index(const json_t *orgs, const json_t *idx)
{
    json_t *kids = json_object();
    size_t i;
    json_t *o;

    json_array_foreach(orgs, i, o)
    {
        const char *p = svc__str(o, "parent_id");
        const char *key = p != NULL && json_object_get(idx, p) != NULL ? p : "";
        json_t *list = json_object_get(kids, key);

        if (list == NULL) {
            list = json_array();
            json_object_set_new(kids, key, list);
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
        const char *id = svc__str(o, "id");

        if (svc__can(sv, PERM_ORGS_READ, id)) {
            json_t *c = json_deep_copy(o);
            const char *p = svc__str(o, "parent_id");
            const json_t *po = p != NULL ? json_object_get(idx, p) : NULL;

            json_object_set_new(c, "depth", json_integer(depth));
            if (no_state(o))
                json_object_set_new(c, "no_state", json_true());
            /* Where it is, for lists where two of one name must be told apart (a partial
             * list brings its parents' names along). */
            if (po != NULL)
                json_object_set(c, "parent_name", json_object_get(po, "name"));
            else if (json_is_null(json_object_get(c, "parent_name")))
                json_object_del(c, "parent_name");
            json_array_append_new(out, c);
            tree_walk(sv, kids, idx, id, depth + 1, out);
        } else
            tree_walk(sv, kids, idx, id, depth, out);
    }
}

/* 1 when an organization of kind may have another below it (authz_org_parent_ok). */
static int may_be_parent(const char *kind)
{
    static const char *const kinds[] = {"body", "state", "district", "school"};

    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (authz_org_parent_ok(kinds[i], kind))
            return 1;
    return 0;
}

int svc_org_list(const struct svc *sv, json_t **out, struct cf_error *err)
{
    json_t *orgs, *idx, *kids, *list, *parents, *o;
    const json_t *reached = sv->who != NULL && sv->who->reach != NULL
                                ? json_object_get(sv->who->reach, perm_name(PERM_ORGS_READ))
                                : NULL;
    size_t i;
    int rc;

    *out = NULL;
    if (sv->who != NULL && sv->who->reach != NULL && !json_is_true(reached)) {
        /* Only what the reach covers, in one query: not every organization of the program. */
        json_t *ids = json_array();
        const char *k;
        json_t *v;

        json_object_foreach((json_t *)reached, k, v)
        {
            json_array_append_new(ids, json_string(k));
        }
        rc = store_org_list_in(sv->store, ids, &orgs, err);
        json_decref(ids);
    } else
        rc = store_org_list(sv->store, &orgs, err);
    if (rc != CF_OK)
        return rc;
    idx = org_index(orgs);
    kids = children_index(orgs, idx);
    list = json_array();
    tree_walk(sv, kids, idx, "", 0, list);
    parents = json_array();
    json_array_foreach(list, i, o)
    {
        const char *kind = svc__str(o, "kind");

        if (kind != NULL && may_be_parent(kind))
            json_array_append_new(parents, json_deep_copy(o));
    }
    *out = json_pack("{s:o, s:o, s:b, s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s}]}", "orgs",
                     list, "parents", parents, "can_add_top",
                     svc__can_everywhere(sv, PERM_ORGS_WRITE), "kinds", "kind", "state", "label",
                     "State", "kind", "district", "label", "District", "kind", "school", "label",
                     "School", "kind", "body", "label", "Certification body");
    json_decref(kids);
    json_decref(idx);
    json_decref(orgs);
    return CF_OK;
}

int svc_org_count_visible(const struct svc *sv, long *n, struct cf_error *err)
{
    const json_t *set;

    *n = 0;
    if (sv->who == NULL || svc__can_everywhere(sv, PERM_ORGS_READ))
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

/* An organization as an option of a form: {id, name, kind, parent_name, selected}. */
static json_t *choice_view(const json_t *o, const json_t *idx, int selected)
{
    const char *p = svc__str(o, "parent_id");
    const json_t *po = p != NULL ? json_object_get(idx, p) : NULL;

    return json_pack("{s:O, s:O, s:O, s:O, s:b, s:b}", "id", json_object_get(o, "id"), "name",
                     json_object_get(o, "name"), "kind", json_object_get(o, "kind"), "parent_name",
                     po != NULL ? json_object_get(po, "name") : json_null(), "selected", selected,
                     "no_state", no_state(o));
}

/*
 * The places org may be moved to by sv, for the edit form: the organizations
 * (from orgs, idx) of a kind that may hold it, that sv may change, and that are
 * not org or inside it; each {id, name, kind, parent_name, selected}, the
 * current parent first and selected (also when sv may not change it, so that
 * saving a new name moves nothing). An empty array for a kind that stands alone.
 */
static json_t *move_choices(const struct svc *sv, const json_t *orgs, const json_t *idx,
                            const json_t *org)
{
    const char *id = svc__str(org, "id"), *kind = svc__str(org, "kind");
    const char *cur = svc__str(org, "parent_id");
    json_t *list = json_array(), *o;
    size_t i;

    if (cur != NULL && json_object_get(idx, cur) != NULL)
        json_array_append_new(list, choice_view(json_object_get(idx, cur), idx, 1));
    json_array_foreach(orgs, i, o)
    {
        const char *oid = svc__str(o, "id");
        json_t *chain;
        int inside;

        if (!authz_org_parent_ok(kind, svc__str(o, "kind")) ||
            (cur != NULL && strcmp(oid, cur) == 0) || !can_on(sv, PERM_ORGS_WRITE, idx, oid))
            continue;
        chain = chain_in(idx, oid);
        inside = svc__contains(chain, json_object_get(org, "id"));
        json_decref(chain);
        if (!inside && strcmp(oid, id) != 0)
            json_array_append_new(list, choice_view(o, idx, 0));
    }
    return list;
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
    json_array_foreach(orgs, i, o) if (svc__str(o, "parent_id") != NULL &&
                                       strcmp(svc__str(o, "parent_id"), id) == 0)
        json_array_append(children, o);
    /* The parent by name even when out of reach (a district admin's state), linked only
     * when this viewer may open it. */
    parent = json_null();
    if (svc__str(org, "parent_id") != NULL &&
        json_object_get(idx, svc__str(org, "parent_id")) != NULL) {
        const json_t *po = json_object_get(idx, svc__str(org, "parent_id"));

        parent =
            json_pack("{s:O, s:O, s:O, s:b}", "id", json_object_get(po, "id"), "name",
                      json_object_get(po, "name"), "kind", json_object_get(po, "kind"), "reachable",
                      can_on(sv, PERM_ORGS_READ, idx, svc__str(org, "parent_id")));
    }
    if (can_on(sv, PERM_PEOPLE_READ, idx, id)) {
        json_t *all;

        people = json_array();
        if (store_person_list(sv->store, &all, NULL) == CF_OK) {
            json_array_foreach(all, i, o) if (svc__str(o, "org_id") != NULL &&
                                              strcmp(svc__str(o, "org_id"), id) == 0 &&
                                              strcmp(svc__str(o, "status"), "erased") != 0)
                json_array_append_new(people, svc__person_view(o));
            json_decref(all);
        }
    }
    *out = json_pack(
        "{s:o, s:o, s:o, s:o, s:b, s:b, s:b, s:b}", "org", json_deep_copy(org), "parent", parent,
        "children", children, "people", people != NULL ? people : json_null(), "people_visible",
        people != NULL, "has_children_kind",
        strcmp(svc__str(org, "kind"), "state") == 0 ||
            strcmp(svc__str(org, "kind"), "district") == 0,
        "can_edit", can_on(sv, PERM_ORGS_WRITE, idx, id), "can_add_school",
        strcmp(svc__str(org, "kind"), "district") == 0 && can_on(sv, PERM_ORGS_WRITE, idx, id));
    if (no_state(org))
        json_object_set_new(json_object_get(*out, "org"), "no_state", json_true());
    if (can_on(sv, PERM_ORGS_WRITE, idx, id)) {
        json_t *held = NULL;
        char why[sizeof err->message];
        json_t *choices = move_choices(sv, orgs, idx, org);

        json_object_set_new(*out, "can_move", json_boolean(json_array_size(choices) > 0));
        json_object_set_new(*out, "move_choices", choices);
        /* What keeps it from being deleted, said before anyone tries. */
        if (store_org_holdings(sv->store, id, &held, err) == CF_OK) {
            json_object_set_new(*out, "delete_blocked",
                                delete_blocked(held, why, sizeof why) ? json_string(why)
                                                                      : json_null());
            json_object_set_new(
                *out, "can_delete",
                json_boolean(!json_is_string(json_object_get(*out, "delete_blocked"))));
        }
        json_decref(held);
    }
    json_decref(idx);
    json_decref(orgs);
    return CF_OK;
}
