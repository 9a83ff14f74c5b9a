/*
 * h_responses.c — a form's response file and its item analysis, for examiners (issue 10
 * points 4 and 5): the upload of the vendor's file posted (multipart) from the form's page
 * to /exam/forms/{code}/responses, the analysis of the latest file at
 * /exam/forms/{code}/analysis, and an item sent back to review from it posted to
 * /exam/forms/{code}/send-back. Thin: form -> svc (svc/responses.c decides who: examiners,
 * 404 to anyone else) -> redirect or page.
 */
#include <stdio.h>
#include <string.h>

#include "web/multipart.h"
#include "web/web.h"

int h_form_responses(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    const char *code = r->params[0];
    const struct mp_file *file = req_file(r, "file");
    json_t *problems = NULL;
    int rc, json;

    *out = NULL;
    /* No file is the service's refusal too, after who may import and which form: anyone
     * but an examiner gets 404 whatever they send. */
    rc = svc_form_responses(&sv, code, file != NULL ? file->filename : NULL,
                            file != NULL ? file->data : NULL, file != NULL ? file->n : 0, out,
                            &problems, err);
    if (rc == CF_OK) {
        req_redirect(r, arena_printf(r->arena, "/exam/forms/%s/analysis?done=imported", code));
        r->status_ok = 201;
        return rc;
    }
    json = req_upload_refused(r, rc, problems, out, err);
    if (json >= 0) {
        json_decref(problems);
        return json;
    }
    /* The form's page again, the problems listed beside the upload. */
    if (rc != CF_ENOTFOUND && h__form_page(r, code, &r->form_page, NULL) == CF_OK &&
        problems != NULL) {
        json_object_set(r->form_page, "file_problems", problems);
        json_object_set_new(r->form_page, "has_file_problems", json_true());
    }
    json_decref(problems);
    return rc;
}

/* A number as the page shows it: three decimals, or an en dash for a null. */
static json_t *shown(const json_t *v)
{
    char buf[32];

    if (!json_is_number(v))
        return json_string("\xe2\x80\x93");
    snprintf(buf, sizeof buf, "%.3f", json_number_value(v));
    return json_string(buf);
}

/* The flags of an item in words, joined by commas. */
static json_t *flags_text(const json_t *flags)
{
    static const char *const words[][2] = {
        {"too_easy", "too easy"},
        {"too_hard", "too hard"},
        {"low_discrimination", "low discrimination"},
        {"negative_discrimination", "negative discrimination"},
        {"distractor_outdraws_key", "a distractor out-draws the key"},
        {"distractor_draws_stronger", "a distractor draws stronger candidates"},
    };
    char buf[512] = "";
    size_t len = 0, i;
    const json_t *f;

    json_array_foreach(flags, i, f)
    {
        const char *w = json_string_value(f);

        for (size_t k = 0; k < sizeof words / sizeof words[0]; k++)
            if (w != NULL && strcmp(w, words[k][0]) == 0)
                w = words[k][1];
        if (len < sizeof buf)
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", i > 0 ? ", " : "",
                                    w != NULL ? w : "");
    }
    return json_string(buf);
}

/* Adds the page's texts to the analysis (svc_form_analysis's answer, changed in place). */
static void analysis_view(struct req *r, json_t *page)
{
    json_t *a = json_object_get(page, "analysis"), *x, *o;
    const char *sent = req_query(r, "sent"), *done = req_query(r, "done");
    size_t i, k;

    json_object_set_new(a, "alpha_text", shown(json_object_get(a, "alpha")));
    json_object_set_new(a, "kr20_text", shown(json_object_get(a, "kr20")));
    json_object_set_new(a, "sem_text", shown(json_object_get(a, "sem")));
    json_object_set_new(a, "mean_text", shown(json_object_get(a, "mean_total")));
    json_object_set_new(a, "sd_text", shown(json_object_get(a, "sd_total")));
    json_object_set_new(
        a, "is_options",
        json_boolean(strcmp(json_string_value(json_object_get(a, "kind")), "options") == 0));
    json_object_set_new(a, "flagged_count",
                        json_integer((json_int_t)json_array_size(json_object_get(a, "flagged"))));
    json_array_foreach(json_object_get(a, "items"), i, x)
    {
        json_object_set_new(x, "p_text", shown(json_object_get(x, "p")));
        json_object_set_new(x, "r_pb_text", shown(json_object_get(x, "r_pb")));
        json_object_set_new(x, "r_pb_rest_text", shown(json_object_get(x, "r_pb_rest")));
        json_object_set_new(x, "alpha_if_deleted_text",
                            shown(json_object_get(x, "alpha_if_deleted")));
        json_object_set_new(x, "flags_text", flags_text(json_object_get(x, "flags")));
        json_object_set_new(
            x, "is_pretest",
            json_boolean(json_is_string(json_object_get(x, "role")) &&
                         strcmp(json_string_value(json_object_get(x, "role")), "pretest") == 0));
        json_object_set_new(
            x, "just_sent",
            json_boolean(sent != NULL &&
                         strcmp(sent, json_string_value(json_object_get(x, "id"))) == 0));
        json_array_foreach(json_object_get(x, "options"), k, o)
        {
            json_object_set_new(o, "share_text", shown(json_object_get(o, "share")));
            json_object_set_new(o, "mean_text", shown(json_object_get(o, "mean_total")));
            json_object_set_new(o, "flags_text", flags_text(json_object_get(o, "flags")));
        }
    }
    json_object_set(page, "form_code", json_object_get(page, "form"));
    if (done != NULL && strcmp(done, "imported") == 0)
        json_object_set_new(page, "notice",
                            json_string("The response file is imported. Its item analysis "
                                        "follows."));
    else if (sent != NULL)
        json_object_set_new(page, "notice",
                            json_string(arena_printf(r->arena,
                                                     "The item %s is sent back to review, with "
                                                     "its statistics in its history.",
                                                     sent)));
}

int h_form_analysis(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc = svc_form_analysis(&sv, r->params[0], out, err);

    if (rc != CF_OK)
        return rc;
    if (!r->want_json)
        analysis_view(r, *out);
    return CF_OK;
}

int h_form_send_back(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    const char *code = r->params[0], *item = req_field(r, "item");
    int rc;

    *out = NULL;
    rc = item != NULL && item[0] != '\0'
             ? svc_form_send_back(&sv, code, item, out, err)
             : cf_error_set(err, CF_EINVAL, "item", "Name the item to send back.");
    if (rc == CF_OK) {
        const char *enc = req_url_part(r, item);

        req_redirect(
            r, arena_printf(r->arena, "/exam/forms/%s/analysis?sent=%s#item-%s", code, enc, enc));
        return rc;
    }
    if (rc != CF_ENOTFOUND && svc_form_analysis(&sv, code, &r->form_page, NULL) == CF_OK)
        analysis_view(r, r->form_page);
    return rc;
}
