/*
 * h_credential.c — exam results and credentials (issue 8 points 3 and 4):
 * the results upload (a pasted CSV, or the file as the body with
 * Content-Type text/csv), the credentials list and page with the program
 * admin's actions, the holder's own credentials and certificates. Thin:
 * parse → svc → JSON.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "web/web.h"

/* A count from the query (digits only, at most 9), else NULL: never other text on the page. */
static const char *count_of(struct req *r, const char *name)
{
    const char *s = req_query(r, name);
    size_t n = s != NULL ? strlen(s) : 0;

    if (n == 0 || n > 9 || strspn(s, "0123456789") != n)
        return NULL;
    return s;
}

/* The page of the results upload, with what the last import did (?passed=… after it). */
int h_results_form(struct req *r, json_t **out, struct cf_error *err)
{
    const char *done = req_query(r, "done");
    const char *results = count_of(r, "results"), *passed = count_of(r, "passed");
    const char *failed = count_of(r, "failed"), *issued = count_of(r, "issued");

    (void)err;
    *out = json_object();
    if (done != NULL && strcmp(done, "imported") == 0 && results != NULL && passed != NULL &&
        failed != NULL && issued != NULL)
        json_object_set_new(
            *out, "notice",
            json_sprintf("Imported %s result%s: %s passed, %s failed; %s credential%s issued.",
                         results, strcmp(results, "1") == 0 ? "" : "s", passed, failed, issued,
                         strcmp(issued, "1") == 0 ? "" : "s"));
    return CF_OK;
}

/*
 * Imports the pasted file (field csv) or the text/csv body. Refused: the page
 * again with every problem beside the box (400); a JSON client gets them in
 * error.problems. Imported: a redirect to the page with the counts.
 */
int h_results_import(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    const json_t *field = r->form != NULL ? json_object_get(r->form, "csv") : NULL;
    const char *csv = json_string_value(field);
    json_t *problems = NULL;
    int rc;

    if (csv == NULL || csv[0] == '\0') {
        r->form_page = json_pack("{s:b}", "csv_failed", 1);
        return cf_error_set(err, CF_EINVAL, "csv",
                            "Paste the results file (CSV) into the box, header line first.");
    }
    rc = svc_results_import(&sv, csv, json_string_length(field), out, &problems, err);
    if (rc == CF_EINVAL && json_array_size(problems) > 0 && r->want_json) {
        /* A JSON client gets every problem with its line and column in the error. */
        *out = json_pack("{s:{s:s, s:s, s:s, s:O}}", "error", "code", "invalid", "message",
                         err->message, "field", "csv", "problems", problems);
        json_decref(problems);
        r->status_ok = 400;
        return CF_OK;
    }
    if (rc != CF_OK) {
        r->form_page = json_pack("{s:b, s:b, s:o}", "csv_failed", 1, "has_problems",
                                 json_array_size(problems) > 0, "problems",
                                 problems != NULL ? problems : json_array());
        if (err->field[0] == '\0' || strcmp(err->field, "file") == 0)
            snprintf(err->field, sizeof err->field, "csv");
        return rc;
    }
    req_redirect(r, arena_printf(r->arena,
                                 "/admin/results?done=imported&results=%lld&passed=%lld&failed=%lld"
                                 "&issued=%lld",
                                 (long long)json_integer_value(json_object_get(*out, "results")),
                                 (long long)json_integer_value(json_object_get(*out, "passed")),
                                 (long long)json_integer_value(json_object_get(*out, "failed")),
                                 (long long)json_integer_value(
                                     json_object_get(*out, "credentials_issued"))));
    return CF_OK;
}

/* A page number from ?page= (1 when absent); 0 when it is not one. */
static long page_of(struct req *r)
{
    const char *s = req_query(r, "page");
    char *end;
    long n;

    if (s == NULL || s[0] == '\0')
        return 1;
    errno = 0;
    n = strtol(s, &end, 10);
    return errno == 0 && *end == '\0' && n > 0 ? n : 0;
}

/* The list of credentials, ?status= and ?page=, with the status choices of the filter. */
int h_credentials(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    const char *status = req_query(r, "status");
    static const char *const STATUSES[] = {"active", "expiring",  "expired",
                                           "lapsed", "suspended", "revoked"};
    json_t *choices;
    int rc = svc_credential_list(&sv, status, page_of(r), out, err);

    if (rc != CF_OK)
        return rc;
    choices = json_array();
    for (size_t i = 0; i < sizeof STATUSES / sizeof STATUSES[0]; i++)
        json_array_append_new(choices,
                              json_pack("{s:s, s:b}", "value", STATUSES[i], "selected",
                                        status != NULL && strcmp(status, STATUSES[i]) == 0));
    json_object_set_new(*out, "statuses", choices);
    return CF_OK;
}

/* What a ?done= after an action says. */
static void notice(struct req *r, json_t *out)
{
    const char *done = req_query(r, "done");

    if (done != NULL && (strcmp(done, "suspended") == 0 || strcmp(done, "active") == 0 ||
                         strcmp(done, "revoked") == 0 || strcmp(done, "expiring") == 0 ||
                         strcmp(done, "expired") == 0 || strcmp(done, "lapsed") == 0))
        json_object_set_new(out, "notice", json_sprintf("Done: the credential is now %s.", done));
}

int h_credential(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc = svc_credential_show(&sv, r->params[0], out, err);

    if (rc == CF_OK)
        notice(r, *out);
    return rc;
}

/*
 * Suspend, reinstate or revoke ({action}) with the reason; refused, the
 * credential's page again with the message beside that action's reason.
 */
int h_credential_act(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    const char *action = r->params[1];
    int rc;

    if (strcmp(action, "suspend") != 0 && strcmp(action, "reinstate") != 0 &&
        strcmp(action, "revoke") != 0)
        return cf_error_set(err, CF_ENOTFOUND, NULL, "There is no such action on a credential.");
    rc = svc_credential_act(&sv, r->params[0], action, req_field(r, "reason"), out, err);
    if (rc != CF_OK) {
        /* The credential's page again, the message beside the reason of this action. */
        if (rc != CF_ENOTFOUND &&
            svc_credential_show(&sv, r->params[0], &r->form_page, NULL) == CF_OK)
            json_object_set_new(r->form_page, arena_printf(r->arena, "failed_%s", action),
                                json_true());
        r->form_ids = arena_printf(r->arena, "reason:reason-%s", action);
        if (err->field[0] == '\0')
            snprintf(err->field, sizeof err->field, "reason");
        return rc;
    }
    req_redirect(r, arena_printf(r->arena, "/admin/credentials/%s?done=%s",
                                 json_string_value(json_object_get(*out, "number")),
                                 json_string_value(json_object_get(*out, "status"))));
    return CF_OK;
}

/* The certificate PDF as an attachment named for the number. */
int h_credential_certificate(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    char *pdf = NULL, *copy;
    size_t n = 0;
    int rc;

    (void)out; /* the result is bytes */
    rc = svc_credential_certificate(&sv, r->params[0], &pdf, &n, NULL, err);
    if (rc != CF_OK)
        return rc;
    copy = arena_alloc(r->arena, n + 1);
    if (copy == NULL) {
        free(pdf);
        return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
    }
    memcpy(copy, pdf, n);
    free(pdf);
    req_bytes(r, "application/pdf", arena_printf(r->arena, "%s.pdf", r->params[0]), copy, n);
    return CF_OK;
}

int h_my_credentials(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);

    return svc_credential_mine(&sv, out, err);
}
