/*
 * h_ce.c — continuing education and renewal: the holder's page (log an
 * activity, pick one from the catalog, renew), the review queue (activities
 * and renewal audits) and the providers' upload. Thin: parse → svc → JSON.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "web/multipart.h"
#include "web/web.h"

/* What a ?done= after a redirect says. */
static void notice(struct req *r, json_t *out)
{
    static const struct {
        const char *done;
        const char *text;
    } notes[] = {
        {"logged", "Activity logged. It counts once a reviewer approves it."},
        {"renewed", "Renewed: the credential runs one more term from its old expiry."},
        {"audit", "The renewal was picked for an audit: a reviewer checks the evidence of your "
                  "activities, and the credential is renewed when the audit passes."},
        {"approved", "Activity approved."},
        {"rejected", "Activity rejected; the holder sees the reason."},
        {"passed", "Audit passed."},
        {"failed", "Audit failed; the holder sees the reason."},
    };
    const char *done = req_query(r, "done");

    for (size_t i = 0; done != NULL && i < sizeof notes / sizeof notes[0]; i++)
        if (strcmp(done, notes[i].done) == 0)
            json_object_set_new(out, "notice", json_string(notes[i].text));
}

/* Sets name to whether the array key of v has elements (the templates test it). */
static void flag(json_t *v, const char *key, const char *name)
{
    json_object_set_new(v, name, json_boolean(json_array_size(json_object_get(v, key)) > 0));
}

/* 1 when the skill code is among the form's skills (a string or an array of them). */
static int has_skill(const json_t *skills, const char *code)
{
    const json_t *x;
    size_t i;

    if (json_is_string(skills)) {
        const char *s = json_string_value(skills), *p = s;
        size_t n = strlen(code);

        while ((p = strstr(p, code)) != NULL) {
            if ((p == s || p[-1] == ';' || p[-1] == ' ') &&
                (p[n] == '\0' || p[n] == ';' || p[n] == ' '))
                return 1;
            p += n;
        }
        return 0;
    }
    json_array_foreach(skills, i, x)
    {
        if (json_is_string(x) && strcmp(json_string_value(x), code) == 0)
            return 1;
    }
    return 0;
}

/* Marks the category selected and the skill areas checked that form (the typed values) names. */
static void mark_choices(json_t *page, const json_t *form)
{
    json_t *choices = json_object_get(page, "choices"), *x;
    const char *cat = json_string_value(json_object_get(form, "category"));
    size_t i;

    json_array_foreach(json_object_get(choices, "categories"), i, x)
    {
        json_object_set_new(
            x, "selected",
            json_boolean(cat != NULL &&
                         strcmp(cat, json_string_value(json_object_get(x, "code"))) == 0));
    }
    json_array_foreach(json_object_get(choices, "skills"), i, x)
    {
        json_object_set_new(x, "checked",
                            json_boolean(has_skill(json_object_get(form, "skills"),
                                                   json_string_value(json_object_get(x, "code")))));
    }
}

int h_ce_mine(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc = svc_ce_mine(&sv, out, err);

    if (rc == CF_OK)
        flag(*out, "credentials", "has_credentials");
    return rc;
}

int h_ce_page(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    const char *pick = req_query(r, "catalog");
    json_t *x;
    size_t i;
    int rc = svc_ce_page(&sv, r->params[0], out, err);

    if (rc != CF_OK)
        return rc;
    notice(r, *out);
    flag(*out, "activities", "has_activities");
    /* An activity picked from the catalog fills the form. */
    json_array_foreach(json_object_get(json_object_get(*out, "choices"), "catalog"), i, x)
    {
        const char *id = json_string_value(json_object_get(x, "id"));

        if (pick != NULL && id != NULL && strcmp(pick, id) == 0) {
            json_t *skills = json_object_get(x, "skills");
            json_t *form =
                json_pack("{s:O, s:O, s:O, s:O, s:O, s:O}", "catalog", json_object_get(x, "id"),
                          "category", json_object_get(x, "category"), "title",
                          json_object_get(x, "title"), "provider", json_object_get(x, "provider"),
                          "hours", json_object_get(x, "hours"), "skills", skills);

            if (form != NULL) {
                mark_choices(*out, form);
                json_object_set_new(*out, "form", form);
                json_object_set_new(*out, "picked", json_true());
            }
        }
    }
    mark_choices(*out, json_object_get(*out, "form"));
    return CF_OK;
}

int h_ce_log(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    struct svc_file ev = {NULL, NULL, 0}, *evp = NULL;
    int rc;

    /* The evidence file of a multipart form (an empty file input is no file). */
    for (int i = 0; i < r->nfiles; i++)
        if (strcmp(r->files[i].field, "evidence") == 0) {
            ev.name = r->files[i].filename;
            ev.data = r->files[i].data;
            ev.n = r->files[i].n;
            evp = &ev;
        }
    rc = svc_ce_log(&sv, r->params[0], r->form, evp, out, err);

    if (rc == CF_OK) {
        req_redirect(r, arena_printf(r->arena, "/credentials/%s/ce?done=logged#activities",
                                     json_string_value(json_object_get(*out, "number"))));
        r->status_ok = 201;
        return CF_OK;
    }
    /* The page again, with what was typed kept and marked. */
    if (rc != CF_ENOTFOUND && svc_ce_page(&sv, r->params[0], &r->form_page, NULL) == CF_OK) {
        mark_choices(r->form_page, r->form);
        flag(r->form_page, "activities", "has_activities");
    }
    return rc;
}

int h_ce_renew(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc = svc_credential_renew(&sv, r->params[0], out, err);

    if (rc == CF_OK) {
        const char *res = json_string_value(json_object_get(*out, "result"));

        req_redirect(r,
                     arena_printf(r->arena, "/credentials/%s/ce?done=%s",
                                  json_string_value(json_object_get(*out, "number")),
                                  res != NULL && strcmp(res, "audit") == 0 ? "audit" : "renewed"));
        if (res != NULL && strcmp(res, "audit") == 0)
            r->status_ok = 202;
        return CF_OK;
    }
    if (rc != CF_ENOTFOUND && svc_ce_page(&sv, r->params[0], &r->form_page, NULL) == CF_OK) {
        mark_choices(r->form_page, NULL);
        flag(r->form_page, "activities", "has_activities");
    }
    return rc;
}

/* ?page=N, 1 when absent; 0 when it is not a page number. */
static long page_of(struct req *r)
{
    const char *s = req_query(r, "page");
    char *end;
    long n;

    if (s == NULL || s[0] == '\0')
        return 1;
    errno = 0;
    n = strtol(s, &end, 10);
    return errno == 0 && *end == '\0' && n > 0 && n <= INT_MAX ? n : 0;
}

int h_ce_queue(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    long page = page_of(r);
    int rc;

    if (page == 0)
        return cf_error_set(err, CF_EINVAL, "page", "The page must be a page number (1, 2, …).");
    rc = svc_ce_queue(&sv, page, out, err);
    if (rc == CF_OK) {
        notice(r, *out);
        flag(*out, "activities", "has_activities");
        flag(*out, "audits", "has_audits");
    }
    return rc;
}

int h_ce_decide(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc = svc_ce_review(&sv, r->params[0], req_field(r, "decision"), req_field(r, "reason"), out,
                           err);

    if (rc == CF_OK) {
        req_redirect(r, arena_printf(r->arena, "/ce/review?done=%s",
                                     json_string_value(json_object_get(*out, "status"))));
        return CF_OK;
    }
    if (rc != CF_ENOTFOUND && svc_ce_queue(&sv, 1, &r->form_page, NULL) == CF_OK) {
        flag(r->form_page, "activities", "has_activities");
        flag(r->form_page, "audits", "has_audits");
    }
    return rc;
}

int h_ce_audit(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc = svc_renewal_audit_decide(&sv, r->params[0], req_field(r, "decision"),
                                      req_field(r, "reason"), out, err);

    if (rc == CF_OK) {
        req_redirect(r, arena_printf(r->arena, "/ce/review?done=%s",
                                     json_string_value(json_object_get(*out, "status"))));
        return CF_OK;
    }
    if (rc != CF_ENOTFOUND && svc_ce_queue(&sv, 1, &r->form_page, NULL) == CF_OK) {
        flag(r->form_page, "activities", "has_activities");
        flag(r->form_page, "audits", "has_audits");
    }
    return rc;
}

int h_ce_import_form(struct req *r, json_t **out, struct cf_error *err)
{
    (void)r;
    *out = json_object();
    return *out != NULL
               ? CF_OK
               : cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
}

int h_ce_import(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    const char *csv = req_field(r, "csv");
    json_t *problems = NULL;
    int rc;

    if (csv == NULL || csv[0] == '\0')
        return cf_error_set(err, CF_EINVAL, "csv", "Paste the attendance file (CSV) to import.");
    rc = svc_ce_import(&sv, csv, strlen(csv), out, &problems, err);
    if (rc == CF_EINVAL && problems != NULL) {
        /* Every bad row with its line and column: as JSON, or beside the file on the page. */
        if (r->want_json) {
            *out = json_pack("{s:{s:s, s:s, s:s}, s:o}", "error", "code", "invalid", "message",
                             err->message, "field", "csv", "problems", problems);
            r->status_ok = 400;
            return *out != NULL ? CF_OK
                                : cf_error_set(err, CF_ENOMEM, NULL,
                                               "Out of memory. Try again in a moment.");
        }
        r->form_page = json_pack("{s:o, s:b}", "problems", problems, "has_problems", 1);
        snprintf(err->field, sizeof err->field, "csv");
        return rc;
    }
    json_decref(problems);
    if (rc == CF_OK && !r->want_json)
        json_object_set_new(*out, "done", json_true());
    return rc;
}

int h_ce_evidence(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    json_t *meta = NULL;
    char *bytes = NULL, *copy;
    size_t n = 0;
    int rc = svc_ce_evidence(&sv, r->params[0], r->params[1], &bytes, &n, &meta, err);

    *out = NULL;
    if (rc != CF_OK)
        return rc;
    copy = arena_alloc(r->arena, n > 0 ? n : 1);
    if (copy == NULL) {
        free(bytes);
        json_decref(meta);
        return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
    }
    memcpy(copy, bytes, n);
    free(bytes);
    req_bytes(r, arena_strdup(r->arena, json_string_value(json_object_get(meta, "type"))),
              arena_strdup(r->arena, json_string_value(json_object_get(meta, "name"))), copy, n);
    json_decref(meta);
    return CF_OK;
}
