/*
 * h_application.c — applying for a credential and reviewing applications
 * (issue 8, point 2). Thin: the form's fields into the svc input → svc →
 * redirect or page.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/web.h"

/* Employment rows a form posts at most (the svc refuses more: core/application.h). */
#define FORM_ROWS_MAX 20
/* The program /apply is for when ?program= does not say. */
#define DEFAULT_PROGRAM "CETL"

static const char *const ROW_KEYS[] = {"employer", "title", "start", "end", "current", "relevant"};
#define NROW_KEYS (sizeof ROW_KEYS / sizeof ROW_KEYS[0])

static const char *program_of(struct req *r)
{
    const char *p = req_query(r, "program");

    return p != NULL && p[0] != '\0' ? p : DEFAULT_PROGRAM;
}

/* What a ?done= after a redirect says. */
static void notice(struct req *r, json_t *out)
{
    static const char *const words[][2] = {
        {"saved", "Your draft is saved."},
        {"submitted", "Your application is submitted. You will see each step below."},
        {"withdrawn", "Your application is withdrawn."},
        {"answered", "Your answer is sent; the application is back with the reviewers."},
        {"appealed", "Your appeal is sent. Someone other than the first reviewer decides it."},
        {"decided", "The decision is recorded."},
        {"conflict", "The conflict of interest is recorded."},
        {"signed", "Thank you: your recommendation is signed."},
    };
    const char *done = req_query(r, "done");

    for (size_t i = 0; done != NULL && i < sizeof words / sizeof words[0]; i++)
        if (strcmp(done, words[i][0]) == 0)
            json_object_set_new(out, "notice", json_string(words[i][1]));
}

/*
 * The svc input of the application form: a JSON client's object as it is; a
 * form's emp<i>_<key> fields gathered into "employment" rows (the posted
 * index kept, so a message names the row the person sees).
 */
static json_t *apply_input(struct req *r)
{
    json_t *in = json_deep_copy(r->form != NULL ? r->form : NULL), *rows;
    int last = -1;
    char f[32];

    if (in == NULL)
        in = json_object();
    if (json_is_array(json_object_get(in, "employment")))
        return in;
    for (int i = 0; i < FORM_ROWS_MAX; i++)
        for (size_t k = 0; k < NROW_KEYS; k++) {
            snprintf(f, sizeof f, "emp%d_%s", i, ROW_KEYS[k]);
            if (json_object_get(in, f) != NULL)
                last = i;
        }
    rows = json_array();
    for (int i = 0; i <= last; i++) {
        json_t *row = json_object();

        for (size_t k = 0; k < NROW_KEYS; k++) {
            json_t *v;

            snprintf(f, sizeof f, "emp%d_%s", i, ROW_KEYS[k]);
            v = json_object_get(in, f);
            if (v != NULL)
                json_object_set(row, ROW_KEYS[k], v);
        }
        json_array_append_new(rows, row);
    }
    json_object_set_new(in, "employment", rows);
    return in;
}

/* The message err has for field, or NULL. */
static const char *message_for(const struct cf_error *err, const char *field)
{
    if (strcmp(err->field, field) == 0)
        return err->message;
    for (int i = 0; i < err->nextra; i++)
        if (strcmp(err->extra[i].field, field) == 0)
            return err->extra[i].message;
    return NULL;
}

/*
 * The form as typed (in), for the page shown again: the svc's blank-row
 * layout with what was posted, each row carrying its own messages.
 */
static json_t *fill_of(const json_t *in, const json_t *fill_template, const struct cf_error *err)
{
    json_t *fill = json_deep_copy(fill_template), *rows = json_array(), *row;
    size_t i, n;
    char f[32];

    if (fill == NULL)
        fill = json_object();
    json_object_update(fill, (json_t *)in);
    json_array_foreach(json_object_get(in, "employment"), i, row)
    {
        json_t *c = json_deep_copy(row), *errs = json_object();

        json_object_set_new(c, "i", json_integer((json_int_t)i));
        for (size_t k = 0; k < NROW_KEYS; k++) {
            const char *m;

            snprintf(f, sizeof f, "emp%zu_%s", i, ROW_KEYS[k]);
            if ((m = message_for(err, f)) != NULL)
                json_object_set_new(errs, ROW_KEYS[k], json_string(m));
            if (k >= 4) /* the checkboxes: ticked or not */
                json_object_set_new(
                    c, ROW_KEYS[k],
                    json_boolean(json_object_get(row, ROW_KEYS[k]) != NULL &&
                                 !json_is_false(json_object_get(row, ROW_KEYS[k]))));
        }
        json_object_set_new(c, "errors", errs);
        json_array_append_new(rows, c);
    }
    n = json_array_size(rows);
    if (n < FORM_ROWS_MAX)
        json_array_append_new(rows, json_pack("{s:i, s:s, s:s, s:s, s:s, s:b, s:b}", "i", (int)n,
                                              "employer", "", "title", "", "start", "", "end", "",
                                              "current", 0, "relevant", 1));
    json_object_set_new(fill, "rows", rows);
    {
        const char *deg = json_string_value(json_object_get(in, "degree"));
        json_t *o;

        json_array_foreach(json_object_get(fill, "degrees"), i, o)
        {
            json_object_set_new(
                o, "selected",
                json_boolean(deg != NULL &&
                             strcmp(deg, json_string_value(json_object_get(o, "value"))) == 0));
        }
    }
    {
        static const char *const boxes[] = {"attestation", "code_of_conduct"};

        for (size_t k = 0; k < 2; k++) {
            json_t *v = json_object_get(in, boxes[k]);

            json_object_set_new(fill, boxes[k], json_boolean(v != NULL && !json_is_false(v)));
        }
    }
    return fill;
}

int h_apply(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc = svc_apply_get(&sv, program_of(r), out, err);

    if (rc == CF_OK)
        notice(r, *out);
    return rc;
}

int h_apply_save(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    json_t *in = apply_input(r), *page = NULL;
    const char *action = json_string_value(json_object_get(in, "action"));
    int submit = (action != NULL && strcmp(action, "submit") == 0) ||
                 json_is_true(json_object_get(in, "submit"));
    int rc = svc_apply_save(&sv, program_of(r), in, submit, out, err);

    if (rc == CF_OK) {
        if (submit)
            req_redirect(r, arena_printf(r->arena, "/applications/%s?done=submitted",
                                         json_string_value(json_object_get(*out, "id"))));
        else
            req_redirect(r, "/apply?done=saved");
        json_decref(in);
        return CF_OK;
    }

    /* The form again: the page as it stands, with what was typed and each row's messages. */
    page = *out;
    *out = NULL;
    if (page == NULL && svc_apply_get(&sv, program_of(r), &page, NULL) != CF_OK)
        page = NULL;
    if (page != NULL) {
        json_object_set_new(page, "fill", fill_of(in, json_object_get(page, "fill"), err));
        r->form_page = page;
        r->form_template = "apply";
    }
    json_decref(in);
    return rc;
}

int h_application(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc = svc_application_get(&sv, r->params[0], out, err);

    if (rc == CF_OK)
        notice(r, *out);
    return rc;
}

/* A candidate's action (withdraw, answer, appeal) and back to the application. */
static int act(struct req *r, const char *action, const char *done, json_t **out,
               struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc = svc_application_act(&sv, r->params[0], action, r->form, out, err);

    if (rc == CF_OK) {
        req_redirect(r, arena_printf(r->arena, "/applications/%s?done=%s", r->params[0], done));
        return CF_OK;
    }
    if (rc != CF_ENOTFOUND && svc_application_get(&sv, r->params[0], &r->form_page, NULL) != CF_OK)
        r->form_page = NULL;
    return rc;
}

int h_application_withdraw(struct req *r, json_t **out, struct cf_error *err)
{
    return act(r, "withdraw", "withdrawn", out, err);
}

int h_application_answer(struct req *r, json_t **out, struct cf_error *err)
{
    return act(r, "answer", "answered", out, err);
}

int h_application_appeal(struct req *r, json_t **out, struct cf_error *err)
{
    return act(r, "appeal", "appealed", out, err);
}

int h_review_queue(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    const char *p = req_query(r, "page");
    char *end;
    long page = 1;
    int rc;

    if (p != NULL && p[0] != '\0') {
        errno = 0;
        page = strtol(p, &end, 10);
        if (errno != 0 || *end != '\0' || page < 1 || page > 1000000)
            return cf_error_set(err, CF_EINVAL, "page", "The page must be a number (1, 2, …).");
    }
    rc = svc_review_queue(&sv, page, out, err);
    if (rc == CF_OK)
        notice(r, *out);
    return rc;
}

int h_review(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc = svc_review_get(&sv, r->params[0], out, err);

    if (rc == CF_OK)
        notice(r, *out);
    return rc;
}

int h_review_decide(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc = svc_review_decide(&sv, r->params[0], r->form, out, err);

    if (rc == CF_OK) {
        req_redirect(r, arena_printf(r->arena, "/review/%s?done=decided", r->params[0]));
        return CF_OK;
    }
    if (rc != CF_ENOTFOUND && svc_review_get(&sv, r->params[0], &r->form_page, NULL) != CF_OK)
        r->form_page = NULL;
    return rc;
}

int h_review_conflict(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc = svc_review_conflict_add(&sv, r->form, out, err);

    if (rc == CF_OK) {
        req_redirect(r, "/review?done=conflict");
        return CF_OK;
    }
    if (svc_review_queue(&sv, 1, &r->form_page, NULL) != CF_OK)
        r->form_page = NULL;
    return rc;
}

int h_supervisor(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc = svc_supervisor_get(&sv, r->params[0], out, err);

    if (rc == CF_OK) {
        notice(r, *out);
        json_object_set_new(*out, "token", json_string(r->params[0]));
    }
    return rc;
}

int h_supervisor_sign(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc = svc_supervisor_sign(&sv, r->params[0], r->form, out, err);

    if (rc == CF_OK) {
        req_redirect(r, arena_printf(r->arena, "/supervisor/%s?done=signed", r->params[0]));
        return CF_OK;
    }
    if (rc != CF_ENOTFOUND && svc_supervisor_get(&sv, r->params[0], &r->form_page, NULL) != CF_OK)
        r->form_page = NULL;
    return rc;
}
