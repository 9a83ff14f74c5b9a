/*
 * privacy.c — a person's data: exporting everything stored about them, and
 * erasing them (their personal values scrubbed from the audit trail too).
 */
#include <stdio.h>
#include <string.h>

#include "lib/clock.h"
#include "svc/svc_impl.h"

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

/* What an application's audit entry keeps once its candidate is erased: the decision. */
static const char *const APP_RECORD_KEYS[] = {"status", "rules_version", "authorization", "path",
                                              "eligible"};

/* A copy of v (an object) with only the APP_RECORD_KEYS members, NULL for NULL. */
static json_t *record_only(const json_t *v, int *changed)
{
    json_t *c;
    const char *k;
    json_t *x;

    if (!json_is_object(v))
        return v != NULL ? json_incref((json_t *)v) : NULL;
    c = json_object();
    json_object_foreach((json_t *)v, k, x)
    {
        size_t i = 0;

        while (i < sizeof APP_RECORD_KEYS / sizeof APP_RECORD_KEYS[0] &&
               strcmp(k, APP_RECORD_KEYS[i]) != 0)
            i++;
        if (i < sizeof APP_RECORD_KEYS / sizeof APP_RECORD_KEYS[0])
            json_object_set(c, k, x);
        else
            *changed = 1;
    }
    return c;
}

/*
 * Rewrites the audit entries about person's applications (the saved form, the
 * supervisor's signature, the reasons) down to their decisions.
 */
static int scrub_applications(const struct svc *sv, const char *person, struct cf_error *err)
{
    json_t *apps = NULL, *app;
    size_t i;
    int rc = store_app_list_person(sv->store, person, &apps, err);

    json_array_foreach(apps, i, app)
    {
        struct audit_filter f = {.object_id = svc__str(app, "id"), .limit = 10000000};
        json_t *entries = NULL, *e;
        size_t j;

        if (rc == CF_OK)
            rc = store_audit_list(sv->store, &f, &entries, err);
        json_array_foreach(entries, j, e)
        {
            int changed = 0;
            json_t *b = record_only(json_object_get(e, "before"), &changed);
            json_t *a = record_only(json_object_get(e, "after"), &changed);

            if (changed && rc == CF_OK)
                rc = store_audit_rewrite(sv->store, json_integer_value(json_object_get(e, "id")),
                                         json_is_null(b) ? NULL : b, json_is_null(a) ? NULL : a,
                                         err);
            json_decref(b);
            json_decref(a);
        }
        json_decref(entries);
    }
    json_decref(apps);
    return rc;
}

/*
 * 1 when typed (the confirmation field) is person p's e-mail address or name,
 * ignoring case and the spaces around it.
 */
static int confirms(const json_t *p, const char *typed)
{
    const char *keys[] = {"email", "name"};
    size_t n;

    while (*typed == ' ' || *typed == '\t')
        typed++;
    n = strlen(typed);
    while (n > 0 && (typed[n - 1] == ' ' || typed[n - 1] == '\t'))
        n--;
    if (n == 0)
        return 0;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *v = svc__str(p, keys[i]);

        if (v != NULL && strlen(v) == n && strncasecmp(v, typed, n) == 0)
            return 1;
    }
    return 0;
}

int svc_person_erase(const struct svc *sv, const char *id, const char *confirm, json_t **out,
                     struct cf_error *err)
{
    char now[32];
    json_t *p = NULL, *after = NULL;
    int rc;

    *out = NULL;
    rc = svc__begin(sv, err);
    if (rc != CF_OK)
        return rc;
    if ((rc = svc__person_for(sv, id, PERM_PEOPLE_ERASE, &p, err)) != CF_OK)
        goto out;
    if (!svc__can_everywhere(sv, PERM_PEOPLE_ERASE)) {
        rc = cf_error_set(err, CF_ENOTFOUND, NULL, "There is no such person.");
        goto out;
    }
    if (strcmp(svc__str(p, "status"), "erased") == 0) {
        rc = cf_error_set(err, CF_ECONFLICT, NULL, "This person has already been erased.");
        goto out;
    }
    if (sv->who != NULL && sv->who->person_id != NULL && strcmp(sv->who->person_id, id) == 0) {
        rc = cf_error_set(err, CF_ECONFLICT, NULL, "You cannot erase yourself.");
        goto out;
    }
    if ((rc = svc__last_program_admin(sv, id, NULL, err)) != CF_OK)
        goto out;
    /* Checked against the stored row: what was typed must name this very person. */
    if (confirm != NULL && !confirms(p, confirm)) {
        rc = cf_error_set(err, CF_EINVAL, "confirm",
                          confirm[0] == '\0'
                              ? "Type %s's e-mail address to confirm the erasure."
                              : "That is not %s's e-mail address. Type it exactly to confirm "
                                "the erasure.",
                          svc__str(p, "name"));
        goto out;
    }
    clock_now_iso(now, sizeof now);
    if ((rc = store_person_erase_rows(sv->store, id, now, err)) != CF_OK)
        goto out;
    /* Applications keep their status, dates and ids; the stored certificates (which print the
     * name) are dropped: a download renders one again with the pseudonym. */
    if ((rc = store_app_erase_person(sv->store, id, sv->actor != NULL ? sv->actor : "system", now,
                                     err)) != CF_OK ||
        (rc = store_certificates_drop_of(sv->store, id, err)) != CF_OK ||
        (rc = scrub_applications(sv, id, err)) != CF_OK)
        goto out;
    /* Audit entries keep what happened, with the pseudonym for who: those about the person,
     * those they made, and sign-in entries that name their address. */
    {
        char actor[64];
        struct scrub sc = {svc__str(p, "pseudonym"), svc__str(p, "name"), svc__str(p, "email"),
                           svc__str(p, "title"), 1};
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
    rc = svc__audit(sv, svc__str(p, "org_id"), "person.erase", "person", id, NULL, after, err);

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

/*
 * Person's applications for their export into *out (a new array): each row with
 * its form data, timeline, authorizations to test and supervisor's
 * recommendation (no link hash). NULL with err filled on failure.
 */
static int applications_export(const struct svc *sv, const char *person, json_t **out,
                               struct cf_error *err)
{
    json_t *list = NULL, *apps = json_array(), *item;
    size_t i;
    int rc = store_app_list_person(sv->store, person, &list, err);

    json_array_foreach(list, i, item)
    {
        const char *id = svc__str(item, "id");
        json_t *app = NULL, *events = NULL, *auths = NULL, *sup = NULL;

        if (rc == CF_OK)
            rc = store_app_get(sv->store, id, &app, err);
        if (rc == CF_OK)
            rc = store_app_events(sv->store, id, &events, err);
        if (rc == CF_OK)
            rc = store_auth_for_app(sv->store, id, &auths, err);
        if (rc == CF_OK && (rc = store_supervisor_get(sv->store, id, &sup, err)) == CF_ENOTFOUND)
            rc = CF_OK;
        if (rc == CF_OK) {
            json_object_set(app, "timeline", events);
            json_object_set(app, "authorizations", auths);
            json_object_set(app, "supervisor", sup != NULL ? sup : json_null());
            json_array_append(apps, app);
        }
        json_decref(app);
        json_decref(events);
        json_decref(auths);
        json_decref(sup);
    }
    json_decref(list);
    if (rc != CF_OK) {
        json_decref(apps);
        apps = NULL;
    }
    *out = apps;
    return rc;
}

/* Person's credentials, each with its events, for their export into *out (a new array). */
static int credentials_export(const struct svc *sv, const char *person, json_t **out,
                              struct cf_error *err)
{
    json_t *creds = NULL, *c;
    size_t i;
    int rc = store_ce_credentials_of(sv->store, person, &creds, err);

    json_array_foreach(creds, i, c)
    {
        json_t *events = NULL;

        if (rc == CF_OK)
            rc = store_credential_events(sv->store, svc__str(c, "id"), &events, err);
        if (rc == CF_OK)
            json_object_set(c, "events", events);
        json_decref(events);
    }
    if (rc != CF_OK) {
        json_decref(creds);
        creds = NULL;
    }
    *out = creds;
    return rc;
}

/* Person's growth plans (as the leader), each with its goals, activities and timeline. */
static int plans_export(const struct svc *sv, const char *person, json_t **out,
                        struct cf_error *err)
{
    json_t *all = NULL, *plans = json_array(), *p;
    size_t i;
    int rc = plans != NULL ? store_plan_mine(sv->store, person, &all, err)
                           : cf_error_set(err, CF_ENOMEM, NULL, "Out of memory.");

    json_array_foreach(all, i, p)
    {
        json_t *goals = NULL, *acts = NULL, *events = NULL;

        if (rc != CF_OK || strcmp(svc__str(p, "person_id"), person) != 0)
            continue;
        if ((rc = store_plan_goals(sv->store, svc__str(p, "id"), &goals, err)) == CF_OK &&
            (rc = store_plan_activities(sv->store, svc__str(p, "id"), &acts, err)) == CF_OK &&
            (rc = store_plan_events(sv->store, svc__str(p, "id"), &events, err)) == CF_OK) {
            json_object_set(p, "goals", goals);
            json_object_set(p, "activities", acts);
            json_object_set(p, "events", events);
            json_array_append(plans, p);
        }
        json_decref(goals);
        json_decref(acts);
        json_decref(events);
    }
    json_decref(all);
    if (rc != CF_OK) {
        json_decref(plans);
        plans = NULL;
    }
    *out = plans;
    return rc;
}

int svc_person_export(const struct svc *sv, const char *id, json_t **out, struct cf_error *err)
{
    json_t *p = NULL, *grants = NULL, *sessions = NULL, *tokens = NULL, *mine = NULL, *about = NULL,
           *mail = NULL, *all_mail = NULL, *apps = NULL, *creds = NULL, *ce = NULL, *results = NULL,
           *evals = NULL, *ratings = NULL, *plans = NULL;
    char actor[64], now[32];
    int self = sv->who != NULL && sv->who->person_id != NULL && strcmp(sv->who->person_id, id) == 0;
    int rc;

    *out = NULL;
    if (self || sv->who == NULL)
        rc = store_person_get(sv->store, id, &p, err);
    else
        rc = svc__can_everywhere(sv, PERM_PEOPLE_ERASE)
                 ? svc__person_for(sv, id, PERM_PEOPLE_READ, &p, err)
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
            (rc = store_audit_list(sv->store, &on, &about, err)) == CF_OK &&
            (rc = applications_export(sv, id, &apps, err)) == CF_OK &&
            (rc = credentials_export(sv, id, &creds, err)) == CF_OK &&
            (rc = store_results_of_person(sv->store, id, &results, err)) == CF_OK &&
            (rc = store_ce_activities_of_person(sv->store, id, &ce, err)) == CF_OK &&
            (rc = store_eval_export(sv->store, id, &evals, &ratings, err)) == CF_OK &&
            (rc = plans_export(sv, id, &plans, err)) == CF_OK)
            rc = store_outbox_list(sv->store, NULL, 100000, &all_mail, err);
    }
    if (rc == CF_OK) {
        size_t i;
        json_t *m;

        strip_hash(sessions, "id_hash");
        mail = json_array();
        json_array_foreach(all_mail, i, m) if (svc__str(m, "person_id") != NULL &&
                                               strcmp(svc__str(m, "person_id"), id) == 0)
            json_array_append(mail, m);
        clock_now_iso(now, sizeof now);
        *out = json_pack("{s:s, s:s, s:o, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O,"
                         " s:O, s:O}",
                         "format", "ctoframe person export 1", "exported_at", now, "person",
                         svc__person_view(p), "roles", grants, "sessions", sessions, "api_tokens",
                         tokens, "audit_by_person", mine, "audit_about_person", about, "messages",
                         mail, "applications", apps, "exam_results", results, "credentials", creds,
                         "ce_activities", ce, "evaluations_of_person", evals, "ratings_given",
                         ratings, "growth_plans", plans);
        {
            struct svc me = *sv;

            svc__audit(&me, svc__str(p, "org_id"), "person.export", "person", id, NULL, NULL, NULL);
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
    json_decref(apps);
    json_decref(creds);
    json_decref(ce);
    json_decref(results);
    json_decref(evals);
    json_decref(ratings);
    json_decref(plans);
    return rc;
}
