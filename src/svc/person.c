/*
 * person.c — people: adding (and inviting) them, finding, showing, editing,
 * suspending and reactivating an account.
 *
 * Visibility follows the grants: a district admin sees the people of their
 * district and its schools; program-wide roles see everyone. What an actor may
 * not see does not exist for them (CF_ENOTFOUND, never "forbidden").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lib/buf.h"
#include "lib/clock.h"
#include "svc/svc_impl.h"

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
    json_array_foreach(grants, i, g) ok &=
        svc__may_grant(sv, svc__str(g, "role"), svc__str(g, "org_id"));
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
    int rc = svc__link_issue(sv, "invite", svc__str(p, "id"), INVITE_TTL_S, token, err);

    if (rc != CF_OK)
        return rc;
    /* Who asks, and for what: a stranger's link in an e-mail is easy to ignore. */
    if (sv->who != NULL && sv->who->person_id != NULL &&
        store_person_get(sv->store, sv->who->person_id, &who, NULL) == CF_OK)
        snprintf(inviter, sizeof inviter, "%s invited you", svc__str(who, "name"));
    else
        snprintf(inviter, sizeof inviter, "You have been invited");
    json_decref(who);
    buf_init(&roles, 4096);
    if (store_grants_of(sv->store, svc__str(p, "id"), &grants, NULL) == CF_OK)
        json_array_foreach(grants, i, g)
            buf_printf(&roles, "  - %s in %s\n", authz_role_label(svc__str(g, "role")),
                       svc__str(g, "org_name") != NULL ? svc__str(g, "org_name") : "the program");
    json_decref(grants);
    if (asprintf(&body,
                 "Hello %s,\n\n"
                 "%s to ctoframe%s%s. There you can read the K-12 CTO\n"
                 "framework, the rubric of each skill and the crosswalks between frameworks,\n"
                 "and, if your role allows, look after %s people and organizations.%s\n%s\n"
                 "Open this link within 7 days to choose your password:\n\n"
                 "%s/invite/%s\n\n"
                 "The link works once. If you did not expect this message, ignore it.\n",
                 svc__str(p, "name"), inviter, org_name != NULL ? " for " : "",
                 org_name != NULL ? org_name : "",
                 org_name != NULL ? "your organization's" : "the program's",
                 roles.n > 0 ? " Your role:" : "", buf_str(&roles),
                 sv->base_url != NULL ? sv->base_url : "http://127.0.0.1:8080", token) < 0) {
        buf_free(&roles);
        return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
    }
    buf_free(&roles);
    rc = svc__send(sv, "invite", svc__str(p, "email"), svc__str(p, "id"),
                   "Your ctoframe invitation", body, err);
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
    svc__check(ck, svc__email(svc__str(in, "email"), email, 256, "email", &e), &e);
    svc__check(
        ck,
        svc__text(in, "title", 0, NAME_MAX_CHARS, "the title", title, 4 * NAME_MAX_CHARS + 1, &e),
        &e);
}

int svc_person_add(const struct svc *sv, const json_t *in, json_t **out, struct cf_error *err)
{
    char email[256], name[4 * NAME_MAX_CHARS + 1], title[4 * NAME_MAX_CHARS + 1], org[37];
    char hash[crypto_pwhash_STRBYTES];
    const char *role = svc__str(in, "role");
    const char *pw = svc__str(in, "password");
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
        rc = svc_org_resolve(sv, svc__str(in, "org"), org, &e);
        if (rc != CF_OK) {
            if (rc != CF_ENOTFOUND && rc != CF_EINVAL) {
                rc = cf_error_set(err, rc, NULL, "%s", e.message);
                goto out;
            }
            snprintf(e.field, sizeof e.field, "org");
            svc__check(&ck, CF_EINVAL, &e);
        }
        if (!authz_role_valid(role))
            svc__check(
                &ck,
                cf_error_set(
                    &e, CF_EINVAL, "role",
                    "Choose a role: leader, evaluator, district_admin, reviewer, examiner or "
                    "program_admin."),
                &e);
        if ((rc = ck.rc) != CF_OK)
            goto out;
    }
    if (!svc__may_grant(sv, role, org)) {
        rc = cf_error_set(err, CF_EFORBIDDEN, "role",
                          "You may not give the role %s in that organization. Ask a program "
                          "administrator.",
                          role);
        goto out;
    }
    /* Argon2 inside the transaction keeps the order of the checks; adding with a password is rare.
     */
    if (pw != NULL && pw[0] != '\0' &&
        (svc__password_ok(pw, email, name, "password", err) != CF_OK ||
         svc__password_hash(pw, hash, sizeof hash, err) != CF_OK)) {
        rc = err->code;
        goto out;
    }
    if ((rc = store_org_get(sv->store, org, &o, err)) != CF_OK)
        goto out;
    if ((rc = svc__role_fits(role, svc__str(o, "kind"), err)) != CF_OK)
        goto out;
    rc = svc__person_insert(sv, email, name, title[0] != '\0' ? title : NULL, org,
                            pw != NULL && pw[0] != '\0' ? hash : NULL,
                            pw != NULL && pw[0] != '\0' ? "active" : "invited", &p, err);
    if (rc == CF_OK)
        rc = svc__grant(sv, svc__str(p, "id"), role, org, err);
    if (rc == CF_OK && (pw == NULL || pw[0] == '\0'))
        rc = invite_message(sv, p, svc__str(o, "name"), err);

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
int svc__person_for(const struct svc *sv, const char *id, enum perm p, json_t **out,
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
    if (!(svc__str(row, "org_id") != NULL ? svc__can(sv, p, svc__str(row, "org_id"))
                                          : svc__can_everywhere(sv, p))) {
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

            rc = svc__person_for(sv, svc__str(row, "id"), PERM_PEOPLE_READ, &p, err);
            json_decref(row);
        }
    } else
        rc = svc__person_for(sv, key, PERM_PEOPLE_READ, &p, err);
    if (rc == CF_ENOTFOUND)
        return cf_error_set(err, CF_ENOTFOUND, "email", "There is no person \"%s\".",
                            key != NULL ? key : "");
    if (rc != CF_OK)
        return rc;
    snprintf(id, 37, "%s", svc__str(p, "id"));
    json_decref(p);
    return CF_OK;
}

/* 1 when sv may see grant g (a program-wide role: program staff only). */
static int grant_visible(const struct svc *sv, const json_t *g)
{
    return authz_role_program_wide(svc__str(g, "role"))
               ? svc__can_everywhere(sv, PERM_PEOPLE_READ)
               : svc__can(sv, PERM_PEOPLE_READ, svc__str(g, "org_id"));
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
        const char *role = svc__str(g, "role");
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
        const char *who = svc__str(g, "person_id");
        json_t *list;

        if (who == NULL || !grant_visible(sv, g))
            continue;
        list = json_object_get(by, who);
        if (list == NULL) {
            list = json_array();
            json_object_set_new(by, who, list);
        }
        json_array_append_new(list, svc__grant_view(g));
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
            org_name = svc__str(org_row, "name");
    }
    memset(&sq, 0, sizeof sq);
    sq.everywhere = sv->who == NULL || svc__can_everywhere(sv, PERM_PEOPLE_READ);
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
        json_t *v = svc__person_view(p), *roles_of_p = json_object_get(by, svc__str(p, "id"));

        json_object_set_new(v, "roles",
                            roles_of_p != NULL ? json_incref(roles_of_p) : json_array());
        json_object_set(v, "org_name", json_object_get(p, "org_name"));
        json_array_append_new(list, v);
    }
    *out = json_pack("{s:o, s:I, s:I, s:I, s:s?, s:s?, s:s?, s:b}", "people", list, "total",
                     (json_int_t)total, "offset", (json_int_t)offset, "limit", (json_int_t)limit,
                     "q", sq.q, "org", sq.org, "org_name", org_name, "can_invite",
                     sv->who == NULL || svc__can_everywhere(sv, PERM_PEOPLE_WRITE) ||
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
    int rc = svc__person_for(sv, id, PERM_PEOPLE_READ, &p, err);

    *out = NULL;
    if (rc != CF_OK)
        return rc;
    if (strcmp(svc__str(p, "status"), "erased") == 0) {
        json_decref(p);
        return cf_error_set(err, CF_ENOTFOUND, NULL, "There is no such person.");
    }
    rc = store_grants_of(sv->store, id, &grants, err);
    if (rc != CF_OK) {
        json_decref(p);
        return rc;
    }
    v = svc__person_view(p);
    if (svc__str(p, "org_id") != NULL) {
        json_t *o;

        if (store_org_get(sv->store, svc__str(p, "org_id"), &o, NULL) == CF_OK) {
            json_object_set(v, "org_name", json_object_get(o, "name"));
            json_decref(o);
        }
    }
    {
        size_t i;
        json_t *g, *seen = json_array();
        const char *status = svc__str(p, "status");
        int edit = svc__can(sv, PERM_PEOPLE_WRITE, svc__str(p, "org_id"));
        int self =
            sv->who != NULL && sv->who->person_id != NULL && strcmp(sv->who->person_id, id) == 0;
        int reach = edit && reaches_every_role(sv, id, NULL) == CF_OK;
        int account = reach && !self;

        /* Only the roles in organizations this viewer can see (program-wide ones: program
         * staff), each saying whether this viewer may take it away. */
        json_array_foreach(grants, i, g)
        {
            const char *role = svc__str(g, "role"), *org = svc__str(g, "org_id");

            if (!grant_visible(sv, g))
                continue;
            json_object_set_new(g, "role_label", json_string(authz_role_label(role)));
            json_object_set_new(g, "can_revoke",
                                json_boolean(!self && svc__may_grant(sv, role, org)));
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
                         svc__can_everywhere(sv, PERM_PEOPLE_ERASE) && !self);
    }
    json_decref(p);
    return CF_OK;
}

/*
 * The person row when sv may change their account or details: people.write
 * where they belong, and reach over every role they hold (their account is
 * theirs everywhere). CF_ENOTFOUND for an erased person, CF_EFORBIDDEN when a
 * role is out of reach.
 */
static int account_for(const struct svc *sv, const char *id, json_t **p, struct cf_error *err)
{
    int rc = svc__person_for(sv, id, PERM_PEOPLE_WRITE, p, err);

    if (rc != CF_OK)
        return rc;
    if (strcmp(svc__str(*p, "status"), "erased") == 0)
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
        return cf_error_set(err, CF_EINVAL, "status", "Choose a status: disabled or active.");
    rc = svc__begin(sv, err);
    if (rc != CF_OK)
        return rc;
    /* Read inside the transaction: two administrators disabling each other at once are
     * taken one after the other, and the second finds the first no longer active. */
    if ((rc = account_for(sv, id, &p, err)) != CF_OK)
        goto out;
    /* Enabling someone who never chose a password makes them invited again, not active. */
    if (strcmp(status, "active") == 0 && strcmp(svc__str(p, "status"), "disabled") == 0) {
        json_t *full = NULL;

        if (store_person_by_email(sv->store, svc__str(p, "email"), &full, NULL) == CF_OK &&
            !json_is_string(json_object_get(full, "password_hash")))
            status = "invited";
        json_decref(full);
    }
    if (strcmp(status, "active") == 0 && strcmp(svc__str(p, "status"), "invited") == 0) {
        rc = cf_error_set(err, CF_ECONFLICT, "status",
                          "An invited person becomes active by accepting the invitation.");
        goto out;
    }
    if (strcmp(status, "disabled") == 0) {
        if (sv->who != NULL && sv->who->person_id != NULL && strcmp(sv->who->person_id, id) == 0) {
            rc = cf_error_set(err, CF_ECONFLICT, "status", "You cannot disable yourself.");
            goto out;
        }
        if ((rc = svc__last_program_admin(sv, id, "status", err)) != CF_OK)
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
    /* And every API token: enabling the account again does not bring them back. */
    if (strcmp(status, "disabled") == 0 &&
        (rc = store_api_token_revoke_person(sv->store, id, now, NULL, err)) != CF_OK)
        goto out;
    rc = svc__audit(sv, svc__str(p, "org_id"),
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
    rc = svc__audit(sv, svc__str(p, "org_id"), "person.update", "person", id, before, after, err);

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
    if (strcmp(svc__str(p, "status"), "invited") != 0) {
        rc = cf_error_set(err, CF_ECONFLICT, "status",
                          "Only a person who has not accepted yet can be invited again.");
        goto out;
    }
    if (svc__str(p, "org_id") != NULL)
        store_org_get(sv->store, svc__str(p, "org_id"), &o, NULL);
    if ((rc = invite_message(sv, p, o != NULL ? svc__str(o, "name") : NULL, err)) != CF_OK)
        goto out;
    rc = svc__audit(sv, svc__str(p, "org_id"), "person.reinvite", "person", id, NULL, NULL, err);

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
