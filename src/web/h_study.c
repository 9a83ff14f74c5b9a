/*
 * h_study.c — the Angoff study record of an exam form, for examiners (issue 10 point 7):
 * GET /exam/forms/{code}/study (JSON or a printable page), its changes posted to
 * /exam/forms/{code}/study (action create, compromise or adopt) and a round's ratings file
 * uploaded (multipart) to /exam/forms/{code}/study/round. Thin: form -> svc (svc/study.c
 * decides who: examiners, 404 to anyone else) -> redirect or page.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/multipart.h"
#include "web/web.h"

static int nomem(struct cf_error *err)
{
    return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
}

/* A number as the page shows it, with prec decimals (percent when pct), or an en dash. */
static json_t *shown(const json_t *v, int prec, int pct)
{
    char buf[32];

    if (!json_is_number(v))
        return json_string("\xe2\x80\x93");
    snprintf(buf, sizeof buf, "%.*f%s", prec, json_number_value(v) * (pct ? 100.0 : 1.0),
             pct ? " %" : "");
    return json_string(buf);
}

/* The texts of a compromise check (c changed in place). */
static void compromise_texts(json_t *c)
{
    if (!json_is_object(c))
        return;
    json_object_set_new(c, "cut_percent_text", shown(json_object_get(c, "cut_percent"), 1, 0));
    json_object_set_new(c, "pass_at_raw_text",
                        shown(json_object_get(c, "pass_percent_at_raw_cut"), 1, 0));
}

/* What a ?done= after a redirect says. */
static void notice(struct req *r, json_t *page)
{
    static const char *const words[][2] = {
        {"created", "The study is started. Upload the panel's first round of ratings."},
        {"round", "The round is imported. Its cut and impact data follow."},
        {"compromise", "The compromise parameters are recorded."},
        {"adopted", "The cut is adopted as the form's raw cut. The study is closed."},
    };
    const char *done = req_query(r, "done");

    for (size_t i = 0; done != NULL && i < sizeof words / sizeof words[0]; i++)
        if (strcmp(done, words[i][0]) == 0)
            json_object_set_new(page, "notice", json_string(words[i][1]));
}

/* Adds the page's texts to the record (svc_study_show's answer, changed in place). */
static void study_view(struct req *r, json_t *page)
{
    json_t *st = json_object_get(page, "study"), *x, *y;
    size_t i, k;
    int open =
        json_is_object(st) && strcmp(json_string_value(json_object_get(st, "status")), "open") == 0;

    json_object_set(page, "form_code", json_object_get(page, "form"));
    json_object_set_new(page, "is_open", json_boolean(open));
    json_object_set_new(
        page, "can_start",
        json_boolean(!open &&
                     strcmp(json_string_value(json_object_get(page, "status")), "released") == 0));
    json_object_set_new(page, "has_cut",
                        json_boolean(json_is_integer(json_object_get(page, "cut_raw"))));
    json_object_set_new(page, "has_rounds",
                        json_boolean(json_array_size(json_object_get(page, "rounds")) > 0));
    json_array_foreach(json_object_get(page, "rounds"), i, x)
    {
        json_object_set_new(x, "cut_text", shown(json_object_get(x, "cut"), 2, 0));
        json_object_set_new(x, "cut_percent_text", shown(json_object_get(x, "cut_percent"), 1, 0));
        json_object_set_new(x, "sd_text", shown(json_object_get(x, "sd"), 2, 0));
        json_object_set_new(x, "se_text", shown(json_object_get(x, "se"), 2, 0));
        json_object_set_new(x, "pass_text", shown(json_object_get(x, "pass_rate"), 1, 1));
        json_object_set_new(x, "is_open", json_boolean(open));
        json_object_set(x, "form_code", json_object_get(page, "form"));
        json_array_foreach(json_object_get(x, "panelist_cuts"), k, y)
        {
            json_object_set_new(y, "cut_text", shown(json_object_get(y, "cut"), 2, 0));
        }
    }
    compromise_texts(json_object_get(page, "hofstee"));
    compromise_texts(json_object_get(page, "beuk"));
    if (json_is_object(st))
        json_object_set_new(st, "has_compromise",
                            json_boolean(json_is_object(json_object_get(st, "compromise"))));
    notice(r, page);
}

int h_study(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc = svc_study_show(&sv, r->params[0], out, err);

    if (rc == CF_OK && !r->want_json)
        study_view(r, *out);
    return rc;
}

/* The record again for a failed form, with what was typed. */
static void page_again(struct req *r, const char *code)
{
    struct svc sv = req_svc(r);

    if (svc_study_show(&sv, code, &r->form_page, NULL) != CF_OK)
        return;
    study_view(r, r->form_page);
    json_object_set(r->form_page, "typed", r->form != NULL ? r->form : json_null());
}

int h_study_act(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    const char *code = r->params[0], *action = req_field(r, "action"), *done = NULL;
    int rc;

    *out = NULL;
    if (action != NULL && strcmp(action, "create") == 0) {
        rc = svc_study_create(&sv, code, req_field(r, "title"), out, err);
        done = "created";
    } else if (action != NULL && strcmp(action, "compromise") == 0) {
        json_t *none = json_object();

        rc = none != NULL
                 ? svc_study_compromise(&sv, code, r->form != NULL ? r->form : none, out, err)
                 : nomem(err);
        json_decref(none);
        done = "compromise";
    } else if (action != NULL && strcmp(action, "adopt") == 0) {
        const char *v = req_field(r, "round");
        char *end = NULL;
        long round;

        errno = 0;
        round = v != NULL ? strtol(v, &end, 10) : 0;
        rc = v == NULL || end == v || *end != '\0' || errno != 0 || round < 1 || round > 1000
                 ? cf_error_set(err, CF_EINVAL, "round", "Choose the round whose cut to adopt.")
                 : svc_study_adopt(&sv, code, (int)round, out, err);
        done = "adopted";
    } else
        rc = cf_error_set(err, CF_EINVAL, "action", "Choose create, compromise or adopt.");
    if (rc == CF_OK) {
        req_redirect(r, arena_printf(r->arena, "/exam/forms/%s/study?done=%s", code, done));
        return rc;
    }
    if (rc != CF_ENOTFOUND)
        page_again(r, code);
    return rc;
}

int h_study_round(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    const char *code = r->params[0];
    const struct mp_file *file = req_file(r, "file");
    json_t *problems = NULL;
    int rc, json;

    *out = NULL;
    /* No file is the service's refusal too, after who and which form: others get 404. */
    rc = svc_study_round(&sv, code, file != NULL ? file->filename : NULL,
                         file != NULL ? file->data : NULL, file != NULL ? file->n : 0, out,
                         &problems, err);
    if (rc == CF_OK) {
        req_redirect(r, arena_printf(r->arena, "/exam/forms/%s/study?done=round", code));
        r->status_ok = 201;
        return rc;
    }
    json = req_upload_refused(r, rc, problems, out, err);
    if (json >= 0) {
        json_decref(problems);
        return json;
    }
    if (rc != CF_ENOTFOUND) {
        page_again(r, code);
        if (r->form_page != NULL && problems != NULL) {
            json_object_set(r->form_page, "file_problems", problems);
            json_object_set_new(r->form_page, "has_file_problems", json_true());
        }
    }
    json_decref(problems);
    return rc;
}

void h__study_on_form(struct req *r, const char *code, json_t *form)
{
    struct svc sv = req_svc(r);
    json_t *rec = NULL, *cut;

    if (svc_study_cut(&sv, code, &rec, NULL) != CF_OK)
        return;
    cut = json_object_get(rec, "cut_raw");
    if (json_is_integer(cut))
        json_object_set_new(form, "cut_text",
                            json_string(arena_printf(
                                r->arena, "Raw cut %d of %d scored items = %d on the scaled score.",
                                (int)json_integer_value(cut),
                                (int)json_integer_value(json_object_get(rec, "scored_items")),
                                (int)json_integer_value(json_object_get(rec, "scaled_cut")))));
    json_object_set(form, "cut_raw", cut != NULL ? cut : json_null());
    json_decref(rec);
}
