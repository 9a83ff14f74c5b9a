/*
 * h_admin.c — people and organizations, the audit trail, the outbox.
 *
 * The route table has already checked the permission and, for routes about
 * one person or organization, that it is within the actor's reach (else
 * 404). The svc functions check again: the rule lives in one place.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/web.h"

/* A known notice for ?done=…, never text taken from the address. */
static void notice(struct req *r, json_t *out)
{
    static const struct {
        const char *done, *text;
    } notices[] = {
        {"invited", "The invitation has been e-mailed."},
        {"added", "Added."},
        {"granted", "The role has been given."},
        {"revoked", "The role has been taken away."},
        {"disabled", "The account is disabled and its sessions have ended."},
        {"enabled", "The account is active again."},
        {"enabled_invited", "The account is enabled; the person still has to accept the "
                            "invitation (send a new one if the old link has expired)."},
        {"reinvited", "A new invitation has been e-mailed."},
        {"saved", "Saved."},
        {"erased", "The person's personal data has been erased."},
        {"deleted", "The organization has been deleted."},
        {"retried", "The message is pending again; it goes out with the next delivery."},
    };
    const char *done = req_query(r, "done");

    for (size_t i = 0; done != NULL && i < sizeof notices / sizeof notices[0]; i++)
        if (strcmp(done, notices[i].done) == 0)
            json_object_set_new(out, "notice", json_string(notices[i].text));
}

/*
 * Marks the option a failed form had chosen: "selected" on each object of list
 * whose key equals the request's field of that name (a re-rendered form keeps
 * the choice); on a GET, the one equal to fallback (may be NULL: the first
 * option shows).
 */
static void mark_selected(struct req *r, json_t *list, const char *key, const char *field,
                          const char *fallback)
{
    const char *want = req_field(r, field) != NULL ? req_field(r, field) : fallback;
    size_t i;
    json_t *o;

    json_array_foreach(list, i, o) json_object_set_new(
        o, "selected",
        json_boolean(want != NULL && json_is_string(json_object_get(o, key)) &&
                     strcmp(json_string_value(json_object_get(o, key)), want) == 0));
}

/* Above this many organizations a form asks for a name instead of offering a list. */
#define ORG_CHOICES_MAX 150

/*
 * The organizations a form may name, and the roles sv may give, the failed
 * choice kept; at first the organization org (may be NULL).
 */
static void grant_choices(struct req *r, const struct svc *sv, json_t *page, const char *org)
{
    json_t *orgs = NULL;

    long n = 0;

    /* Too many to scroll through: the field takes a name or NCES id instead. */
    if (svc_org_count_visible(sv, &n, NULL) == CF_OK && n > ORG_CHOICES_MAX) {
        const char *typed = req_field(r, "org");

        json_object_set_new(
            page, "org_text",
            json_pack("{s:s, s:I}", "value", typed != NULL ? typed : "", "count", (json_int_t)n));
    } else if (svc_org_list(sv, &orgs, NULL) == CF_OK) {
        json_t *list = json_deep_copy(json_object_get(orgs, "orgs"));

        mark_selected(r, list, "id", "org", org);
        json_object_set_new(page, "orgs", list);
        json_decref(orgs);
    }
    json_object_set_new(page, "roles_offered", svc_roles_offered(sv, req_field(r, "role")));
}

/* s percent-encoded for a query string (unreserved characters kept). */
static const char *query_escape(struct req *r, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s);
    char *out = arena_alloc(r->arena, 3 * n + 1), *o = out;

    if (out == NULL)
        return "";
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            *o++ = (char)*p;
        } else {
            *o++ = '%';
            *o++ = hex[*p >> 4];
            *o++ = hex[*p & 15];
        }
    }
    *o = '\0';
    return out;
}

/* The address of page n of the people list with the same search. */
static const char *people_href(struct req *r, const char *q, const char *org, long n)
{
    return arena_printf(r->arena, "/admin/people?%s%s%s%s%spage=%ld", q[0] != '\0' ? "q=" : "",
                        q[0] != '\0' ? query_escape(r, q) : "", q[0] != '\0' ? "&" : "",
                        org != NULL ? arena_printf(r->arena, "org=%s", query_escape(r, org)) : "",
                        org != NULL ? "&" : "", n);
}

/* People per page of the people list. */
#define PEOPLE_PAGE_SIZE 50

/*
 * Page data for the people list (also what a failed invitation form needs):
 * ?q= (a piece of a name or e-mail address), ?org= (an organization and
 * everything below it), ?page= (from 1). The filtering is done by SQL.
 */
static int people_page(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    struct person_query pq = {req_query(r, "q"), req_query(r, "org"), 0, PEOPLE_PAGE_SIZE};
    const char *page = req_query(r, "page");
    long n = 1;
    int rc;

    if (page != NULL && page[0] != '\0') {
        char *end = NULL;

        n = strtol(page, &end, 10);
        if (end == page || *end != '\0' || n < 1 || n > 1000000)
            return cf_error_set(err, CF_EINVAL, "page",
                                "The page number must be a whole number "
                                "from 1 up.");
    }
    pq.offset = (n - 1) * PEOPLE_PAGE_SIZE;
    rc = svc_person_search(&sv, &pq, out, err);
    if (rc != CF_OK)
        return rc;
    {
        json_int_t total = json_integer_value(json_object_get(*out, "total"));
        long pages = (long)((total + PEOPLE_PAGE_SIZE - 1) / PEOPLE_PAGE_SIZE);
        const char *q = pq.q != NULL ? pq.q : "";
        const char *org = json_string_value(json_object_get(*out, "org"));
        json_object_set_new(*out, "page_no", json_integer(n));
        json_object_set_new(*out, "pages", json_integer(pages > 0 ? pages : 1));
        json_object_set_new(*out, "paged", json_boolean(pages > 1));
        json_object_set_new(*out, "first_shown",
                            json_integer(total > 0 ? (json_int_t)pq.offset + 1 : 0));
        json_object_set_new(
            *out, "last_shown",
            json_integer((json_int_t)pq.offset +
                         (json_int_t)json_array_size(json_object_get(*out, "people"))));
        if (json_object_get(*out, "next_offset") != NULL)
            json_object_set_new(*out, "next_href", json_string(people_href(r, q, org, n + 1)));
        if (n > 1)
            json_object_set_new(*out, "prev_href", json_string(people_href(r, q, org, n - 1)));
        json_object_set_new(*out, "filtered", json_boolean(q[0] != '\0' || org != NULL));
    }
    grant_choices(r, &sv, *out, NULL);
    return CF_OK;
}

int h_people(struct req *r, json_t **out, struct cf_error *err)
{
    int rc = people_page(r, out, err);

    if (rc == CF_OK)
        notice(r, *out);
    return rc;
}

/*
 * Without a mail server, the answer to an invitation (JSON clients) carries
 * the link its sender passes on, as the person's page does.
 */
static void add_invitation(struct req *r, json_t *out, const char *id)
{
    struct svc sv = req_svc(r);
    json_t *inv = NULL;

    if (out == NULL || id == NULL || r->app->mail_delivery ||
        svc_person_invitation(&sv, id, &inv, NULL) != CF_OK)
        return;
    if (json_is_object(json_object_get(inv, "invitation")))
        json_object_set(out, "invitation", json_object_get(inv, "invitation"));
    json_decref(inv);
}

int h_people_add(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    json_t *in = json_deep_copy(r->form);
    int rc;

    json_object_del(in, "password"); /* people are invited from the web, never given a password */
    rc = svc_person_add(&sv, in, out, err);
    json_decref(in);
    if (rc != CF_OK) {
        people_page(r, &r->form_page, NULL);
        return rc;
    }
    add_invitation(r, *out,
                   json_string_value(json_object_get(json_object_get(*out, "person"), "id")));
    req_redirect(
        r, arena_printf(r->arena, "/admin/people/%s?done=invited",
                        json_string_value(json_object_get(json_object_get(*out, "person"), "id"))));
    r->status_ok = 201;
    return CF_OK;
}

static int person_page(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc = svc_person_show(&sv, r->params[0], out, err);

    /* A new role is most often in the person's own organization. */
    if (rc == CF_OK)
        grant_choices(
            r, &sv, *out,
            json_string_value(json_object_get(json_object_get(*out, "person"), "org_id")));
    return rc;
}

/*
 * Without a mail server (this process was started without --smtp) an
 * invitation waits in the outbox: the person who sent it gets its link on the
 * person's page ("invitation"), and the notice after inviting says where the
 * link is — never pointing at a page the viewer cannot open.
 */
static void invitation_notice(struct req *r, json_t *out)
{
    struct svc sv = req_svc(r);
    const char *done = req_query(r, "done");
    int sent = done != NULL && (strcmp(done, "invited") == 0 || strcmp(done, "reinvited") == 0);
    json_t *inv = NULL, *link;

    if (r->app->mail_delivery || svc_person_invitation(&sv, r->params[0], &inv, NULL) != CF_OK)
        return;
    link = json_object_get(inv, "invitation");
    if (json_is_object(link))
        json_object_set(out, "invitation", link);
    if (sent && json_is_object(link))
        json_object_set_new(out, "notice",
                            json_string("This server sends no e-mail: copy the invitation link "
                                        "below and pass it on yourself."));
    else if (sent && json_is_true(json_object_get(inv, "outbox_readable"))) {
        json_object_set_new(out, "notice",
                            json_string("This server sends no e-mail: the invitation waits in "
                                        "the outbox, where you can read its link."));
        json_object_set_new(
            out, "notice_link",
            json_pack("{s:s, s:s}", "href", "/admin/outbox", "text", "Open the outbox."));
    } else if (sent)
        json_object_set_new(out, "notice",
                            json_string("This server sends no e-mail: ask a program "
                                        "administrator to pass the invitation on from the "
                                        "outbox."));
    json_decref(inv);
}

int h_person(struct req *r, json_t **out, struct cf_error *err)
{
    int rc = person_page(r, out, err);

    if (rc == CF_OK) {
        notice(r, *out);
        invitation_notice(r, *out);
    }
    return rc;
}

/* After a change to person {}: back to their page, or the failed form with its page. */
static int person_done(struct req *r, int rc, const char *done, json_t **out)
{
    if (rc != CF_OK) {
        person_page(r, &r->form_page, NULL);
        r->form_ids = "name:d-name email:d-email title:d-title role:grant-role org:grant-org";
        return rc;
    }
    req_redirect(r, arena_printf(r->arena, "/admin/people/%s?done=%s", r->params[0], done));
    (void)out;
    return CF_OK;
}

int h_person_grant(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);

    return person_done(
        r, svc_person_grant(&sv, r->params[0], req_field(r, "role"), req_field(r, "org"), out, err),
        "granted", out);
}

int h_person_revoke(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);

    return person_done(
        r,
        svc_person_revoke(&sv, r->params[0], req_field(r, "role"), req_field(r, "org"), out, err),
        "revoked", out);
}

int h_person_disable(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);

    return person_done(r, svc_person_set_status(&sv, r->params[0], "disabled", out, err),
                       "disabled", out);
}

int h_person_update(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc = svc_person_update(&sv, r->params[0], r->form, out, err);

    rc = person_done(r, rc, "saved", out);
    /* The details form shows what was typed; the other forms keep the page's values. */
    if (rc != CF_OK && r->form_page != NULL)
        json_object_set_new(r->form_page, "details_failed", json_true());
    return rc;
}

int h_person_enable(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc = svc_person_set_status(&sv, r->params[0], "active", out, err);
    const char *status =
        rc == CF_OK ? json_string_value(json_object_get(json_object_get(*out, "person"), "status"))
                    : NULL;

    /* Someone who never chose a password is invited again, not active. */
    return person_done(
        r, rc, status != NULL && strcmp(status, "invited") == 0 ? "enabled_invited" : "enabled",
        out);
}

int h_person_reinvite(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc = svc_person_reinvite(&sv, r->params[0], out, err);

    if (rc == CF_OK)
        add_invitation(r, *out, r->params[0]);
    return person_done(r, rc, "reinvited", out);
}

/* The page that asks to confirm an erasure: the person, what goes, the field to type in. */
int h_person_erase_confirm(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);

    return svc_person_show(&sv, r->params[0], out, err);
}

int h_person_erase(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    const char *confirm = req_field(r, "confirm");
    /* Nothing typed is no confirmation: only the CLI erases without one. */
    int rc = svc_person_erase(&sv, r->params[0], confirm != NULL ? confirm : "", out, err);

    if (rc != CF_OK) {
        svc_person_show(&sv, r->params[0], &r->form_page, NULL);
        return rc;
    }
    req_redirect(r, "/admin/people?done=erased");
    return CF_OK;
}

int h_person_export(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc = svc_person_export(&sv, r->params[0], out, err);

    if (rc == CF_OK)
        req_header(r, "Content-Disposition", "attachment; filename=\"person-export.json\"");
    return rc;
}

/* The organizations page; a failed form keeps its kind and parent. */
static int orgs_page(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc = svc_org_list(&sv, out, err);

    if (rc == CF_OK) {
        mark_selected(r, json_object_get(*out, "kinds"), "kind", "kind", NULL);
        mark_selected(r, json_object_get(*out, "parents"), "id", "parent", NULL);
    }
    return rc;
}

int h_orgs(struct req *r, json_t **out, struct cf_error *err)
{
    int rc = orgs_page(r, out, err);

    if (rc == CF_OK)
        notice(r, *out);
    return rc;
}

int h_orgs_add(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc = svc_org_add(&sv, r->form, out, err);
    const char *from = req_field(r, "from");

    if (rc != CF_OK) {
        /* The school form lives on its district's page: the error goes back there. */
        if (from != NULL && strcmp(from, "org") == 0 && req_field(r, "parent") != NULL &&
            svc_org_show(&sv, req_field(r, "parent"), &r->form_page, NULL) == CF_OK) {
            json_object_set_new(r->form_page, "school_failed", json_true());
            r->form_template = "org";
            r->form_ids = "name:school-name nces_id:school-nces";
        } else {
            orgs_page(r, &r->form_page, NULL);
        }
        return rc;
    }
    req_redirect(r, arena_printf(r->arena, "/admin/orgs/%s?done=added",
                                 json_string_value(json_object_get(*out, "id"))));
    r->status_ok = 201;
    return CF_OK;
}

/*
 * The organization page; with more places to move it to than a list should hold, the
 * form's "Belongs to" takes a name or NCES id (move_to) instead of offering the list.
 */
static int org_page(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc = svc_org_show(&sv, r->params[0], out, err);

    if (rc == CF_OK && json_array_size(json_object_get(*out, "move_choices")) > ORG_CHOICES_MAX) {
        json_object_set_new(
            *out, "move_text",
            json_pack("{s:I}", "count",
                      (json_int_t)json_array_size(json_object_get(*out, "move_choices"))));
        json_object_del(*out, "move_choices");
        json_object_set_new(*out, "can_move", json_false());
    }
    return rc;
}

int h_org(struct req *r, json_t **out, struct cf_error *err)
{
    int rc = org_page(r, out, err);

    if (rc == CF_OK)
        notice(r, *out);
    return rc;
}

int h_org_update(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    const char *move_to = req_field(r, "move_to");
    int rc;

    /* The typed place (a long list's stand-in) moves it; left empty, it stays. */
    if (move_to != NULL && move_to[0] != '\0' && req_field(r, "parent") == NULL)
        json_object_set_new(r->form, "parent", json_string(move_to));
    rc = svc_org_update(&sv, r->params[0], r->form, out, err);
    if (rc != CF_OK) {
        if (org_page(r, &r->form_page, NULL) == CF_OK)
            json_object_set_new(r->form_page, "edit_failed", json_true());
        return rc;
    }
    req_redirect(r, arena_printf(r->arena, "/admin/orgs/%s?done=saved", r->params[0]));
    return CF_OK;
}

/* The page that asks to confirm a deletion, or says what keeps the organization. */
int h_org_delete_confirm(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);

    return svc_org_show(&sv, r->params[0], out, err);
}

int h_org_delete(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc = svc_org_delete(&sv, r->params[0], out, err);
    const char *parent;

    if (rc != CF_OK) {
        svc_org_show(&sv, r->params[0], &r->form_page, NULL);
        return rc;
    }
    /* Back to where it was: its parent's page, or the list. */
    parent = json_string_value(json_object_get(*out, "parent_id"));
    req_redirect(r, parent != NULL && svc_can_org(&sv, PERM_ORGS_READ, parent)
                        ? arena_printf(r->arena, "/admin/orgs/%s?done=deleted", parent)
                        : "/admin/orgs?done=deleted");
    return CF_OK;
}

/* The audit filter from the query string (?actor=&action=&org=&object=&since=&until=&before=). */
static int audit_filter(struct req *r, struct audit_filter *f, struct cf_error *err)
{
    const char *before = req_query(r, "before");
    const char *limit = req_query(r, "limit");

    memset(f, 0, sizeof *f);
#define Q(field, name)                                                                             \
    do {                                                                                           \
        const char *v = req_query(r, name);                                                        \
        f->field = v != NULL && v[0] != '\0' ? v : NULL;                                           \
    } while (0)
    Q(actor, "actor");
    Q(action, "action");
    Q(org, "org");
    Q(object_id, "object");
    Q(since, "since");
    Q(until, "until");
#undef Q
    if (before != NULL && before[0] != '\0') {
        char *end;

        f->before_id = strtoll(before, &end, 10);
        if (*end != '\0' || f->before_id <= 0)
            return cf_error_set(err, CF_EINVAL, "before", "Give before as an entry number.");
    }
    if (limit != NULL && limit[0] != '\0') {
        char *end;

        f->limit = strtol(limit, &end, 10);
        if (*end != '\0' || f->limit < 1 || f->limit > 1000)
            return cf_error_set(err, CF_EINVAL, "limit", "Give limit as a number from 1 to 1000.");
    }
    return CF_OK;
}

int h_audit(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    struct audit_filter f;
    int rc = audit_filter(r, &f, err);

    if (rc == CF_OK)
        rc = svc_audit_list(&sv, &f, out, err);
    if (rc == CF_EINVAL) {
        /* The filter again, as typed, with the message beside the field at fault. */
        r->form_page = json_pack("{s:{s:s?, s:s?, s:s?, s:s?, s:s?, s:s?}, s:[]}", "filter",
                                 "actor", f.actor, "action", f.action, "org", f.org, "object_id",
                                 f.object_id, "since", f.since, "until", f.until, "entries");
        json_object_set_new(r->form_page, "actions", svc_audit_action_choices(f.action));
        r->form_ids = "actor:f-actor action:f-action org:f-org object_id:f-object since:f-since "
                      "until:f-until";
        return rc;
    }
    if (rc == CF_OK) {
        /* The query of the next page, for the "older entries" link. */
        json_t *next = json_object_get(*out, "next_before");

        if (json_is_integer(next))
            json_object_set_new(*out, "has_more", json_true());
    }
    return rc;
}

int h_audit_csv(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    struct audit_filter f;
    struct svc_stream *csv = NULL;
    int rc = audit_filter(r, &f, err);

    (void)out; /* the result is bytes */
    if (rc != CF_OK)
        return rc;
    rc = svc_audit_csv_open(&sv, &f, &csv, err);
    if (rc != CF_OK)
        return rc;
    /* Streamed a page at a time while it is sent. */
    req_stream(r, "text/csv; charset=utf-8", "ctoframe-audit.csv", csv);
    return CF_OK;
}

int h_outbox(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    const char *status = req_query(r, "status");
    json_t *list;
    int rc;

    if (status != NULL && status[0] == '\0')
        status = NULL;
    rc = svc_outbox_list(&sv, status, 200, &list, err);
    if (rc != CF_OK)
        return rc;
    *out = json_pack("{s:o, s:s?, s:[], s:b}", "messages", list, "status", status, "tabs",
                     "delivering", r->app->mail_delivery);
    {
        /* status, tab label, address, the status as the page says it */
        static const char *const tabs[][4] = {
            {"", "All", "/admin/outbox", ""},
            {"pending", "Pending", "/admin/outbox?status=pending", "pending"},
            {"sent", "Sent", "/admin/outbox?status=sent", "sent"},
            {"failed", "Failed", "/admin/outbox?status=failed", "failed"},
            {"obsolete", "No longer needed", "/admin/outbox?status=obsolete", "no longer needed"}};

        for (size_t k = 0; status != NULL && k < sizeof tabs / sizeof tabs[0]; k++)
            if (strcmp(tabs[k][0], status) == 0)
                json_object_set_new(*out, "status_text", json_string(tabs[k][3]));

        for (size_t k = 0; k < sizeof tabs / sizeof tabs[0]; k++)
            json_array_append_new(json_object_get(*out, "tabs"),
                                  json_pack("{s:s, s:s, s:b}", "label", tabs[k][1], "href",
                                            tabs[k][2], "current",
                                            strcmp(tabs[k][0], status != NULL ? status : "") == 0));
    }
    notice(r, *out);
    return CF_OK;
}

int h_outbox_retry(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    char *end;
    long long id = strtoll(r->params[0], &end, 10);
    int rc;

    if (r->params[0][0] == '\0' || *end != '\0' || id <= 0)
        return cf_error_set(err, CF_ENOTFOUND, NULL, "There is no such message in the outbox.");
    rc = svc_outbox_retry(&sv, (int64_t)id, out, err);
    if (rc != CF_OK) {
        json_t *page = NULL;

        /* The outbox again, with the reason. */
        if (h_outbox(r, &page, NULL) == CF_OK)
            r->form_page = page;
        return rc;
    }
    req_redirect(r, "/admin/outbox?done=retried");
    return CF_OK;
}
