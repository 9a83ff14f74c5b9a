/*
 * h_calibration.c — the Rasch calibration of an exam form, for examiners (issue 10 point 6):
 * a calibration asked for by a POST to /exam/forms/{code}/calibrate (from the form's page and
 * the item analysis), and the latest one with its kept result at
 * /exam/forms/{code}/calibration. Thin: svc/calibration.c decides who (examiners, 404 to
 * anyone else) and queues the job; the page shows what the job left.
 */
#include <stdio.h>
#include <string.h>

#include "web/web.h"

int h_form_calibrate(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    const char *code = r->params[0];
    int rc = svc_form_calibrate(&sv, code, out, err);

    if (rc == CF_OK) {
        req_redirect(r, arena_printf(r->arena, "/exam/forms/%s/calibration", code));
        r->status_ok = 202;
        return rc;
    }
    /* The form's page again, the reason at its top. */
    if (rc != CF_ENOTFOUND)
        h__form_page(r, code, &r->form_page, NULL);
    return rc;
}

/* A number as the page shows it: digits decimals, or an en dash for a null. */
static json_t *shown(const json_t *v, int digits)
{
    char buf[32];

    if (!json_is_number(v))
        return json_string("\xe2\x80\x93");
    snprintf(buf, sizeof buf, "%.*f", digits, json_number_value(v));
    return json_string(buf);
}

/* Adds the page's texts to the calibration (svc_form_calibration's answer, changed in place). */
static void calibration_view(json_t *page)
{
    const char *state = json_string_value(json_object_get(page, "state"));
    json_t *res = json_object_get(page, "result"), *x;
    const json_t *cut = json_object_get(page, "cut");
    size_t i;

    json_object_set(page, "form_code", json_object_get(page, "form"));
    json_object_set_new(page, "waiting",
                        json_boolean(state != NULL && (strcmp(state, "queued") == 0 ||
                                                       strcmp(state, "running") == 0)));
    json_object_set_new(page, "failed",
                        json_boolean(state != NULL && strcmp(state, "failed") == 0));
    if (!json_is_object(res))
        return;
    json_object_set_new(res, "loglik_text", shown(json_object_get(res, "loglik"), 3));
    json_object_set_new(res, "left_out",
                        json_integer(json_integer_value(json_object_get(res, "zero")) +
                                     json_integer_value(json_object_get(res, "perfect")) +
                                     json_integer_value(json_object_get(res, "none"))));
    json_object_set_new(res, "low_text",
                        shown(json_object_get(json_object_get(res, "misfit_rule"), "low"), 1));
    json_object_set_new(res, "high_text",
                        shown(json_object_get(json_object_get(res, "misfit_rule"), "high"), 1));
    json_array_foreach(json_object_get(res, "items"), i, x)
    {
        json_object_set_new(x, "difficulty_text", shown(json_object_get(x, "difficulty"), 3));
        json_object_set_new(x, "se_text", shown(json_object_get(x, "se"), 3));
        json_object_set_new(x, "infit_text", shown(json_object_get(x, "infit"), 2));
        json_object_set_new(x, "outfit_text", shown(json_object_get(x, "outfit"), 2));
    }
    json_array_foreach(json_object_get(res, "score_table"), i, x)
    {
        json_object_set_new(x, "theta_text", shown(json_object_get(x, "theta"), 3));
        json_object_set_new(x, "has_scaled", json_boolean(json_object_get(x, "scaled") != NULL));
        json_object_set_new(x, "is_cut",
                            json_boolean(json_is_object(cut) &&
                                         json_integer_value(json_object_get(x, "raw")) ==
                                             json_integer_value(json_object_get(cut, "raw"))));
        json_object_set_new(x, "se_text", shown(json_object_get(x, "se"), 3));
    }
}

int h_form_calibration(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc = svc_form_calibration(&sv, r->params[0], out, err);

    if (rc != CF_OK)
        return rc;
    if (!r->want_json)
        calibration_view(*out);
    return CF_OK;
}
