/*
 * h_eval_report.c — the printable report of an evaluation as a PDF (issue 9
 * point 4): GET /evaluations/{id}/report.pdf. Thin: the view svc_eval_get
 * gives the viewer (404 outside it), refused while it holds no results (the
 * raters may not read each other's ratings yet), then drawn by
 * core/eval_report.c and sent as an attachment.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/eval_report.h"
#include "web/web.h"

#define SLUG_MAX 60 /* bytes of the title kept in the file's name */

/*
 * "evaluation-<slug>.pdf" in r's arena, the slug the title's ASCII letters and
 * digits in lower case, every other run of characters one hyphen, at most
 * SLUG_MAX bytes; "evaluation-report.pdf" when nothing is left. NULL on memory failure.
 */
static const char *file_name(struct req *r, const char *title)
{
    char slug[SLUG_MAX + 1];
    size_t k = 0;
    int dash = 0;

    for (const char *p = title != NULL ? title : ""; *p != '\0' && k < SLUG_MAX; p++) {
        unsigned char c = (unsigned char)*p;

        if (c < 0x80 && isalnum(c)) {
            if (dash && k > 0 && k < SLUG_MAX - 1)
                slug[k++] = '-';
            slug[k++] = (char)tolower(c);
            dash = 0;
        } else
            dash = 1;
    }
    slug[k] = '\0';
    return arena_printf(r->arena, "evaluation-%s.pdf", k > 0 ? slug : "report");
}

/*
 * Sets evaluation.framework_name on view: the title and version of the
 * framework document the evaluation keeps, as the framework list shows them.
 * Nothing is set when the list cannot be read or no longer holds it (the
 * report then names the document by its identifier).
 */
static void framework_name(const struct svc *sv, json_t *view)
{
    json_t *ev = json_object_get(view, "evaluation"), *list = NULL, *f;
    const char *doc = json_string_value(json_object_get(ev, "framework_doc"));
    struct cf_error ignored = {0};
    size_t i;

    if (doc == NULL || svc_framework_list(sv, &list, &ignored) != CF_OK)
        return;
    json_array_foreach(json_object_get(list, "frameworks"), i, f)
    {
        const char *id = json_string_value(json_object_get(f, "identifier"));
        const char *title = json_string_value(json_object_get(f, "title"));
        const char *version = json_string_value(json_object_get(f, "version"));

        if (id == NULL || title == NULL || strcmp(id, doc) != 0)
            continue;
        if (version != NULL)
            json_object_set_new(ev, "framework_name",
                                json_sprintf("%s, version %s", title, version));
        else
            json_object_set_new(ev, "framework_name", json_string(title));
        break;
    }
    json_decref(list);
}

int h_eval_report(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    json_t *view = NULL;
    struct buf b;
    const char *name;
    char *copy;
    int rc;

    (void)out; /* the result is bytes */
    buf_init(&b, EVAL_REPORT_PDF_MAX);
    rc = svc_eval_get(&sv, r->params[0], &view, err);
    if (rc != CF_OK)
        goto out;
    if (json_object_get(view, "results") == NULL) {
        rc = cf_error_set(err, CF_ECONFLICT, NULL,
                          "The report exists once the raters may read each other's ratings: "
                          "when the evaluation closes.");
        goto out;
    }
    framework_name(&sv, view);
    rc = eval_report_pdf(view, &b, err);
    if (rc != CF_OK)
        goto out;

    /* The bytes live as long as the request. */
    copy = arena_alloc(r->arena, b.n + 1);
    name = file_name(
        r, json_string_value(json_object_get(json_object_get(view, "evaluation"), "title")));
    if (copy == NULL || name == NULL) {
        rc = cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
        goto out;
    }
    memcpy(copy, b.p, b.n);
    req_bytes(r, "application/pdf", name, copy, b.n);

out:
    buf_free(&b);
    json_decref(view);
    return rc;
}
