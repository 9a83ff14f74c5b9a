/*
 * h_report.c — the program's reports (issue 8 point 8): the list, and each
 * report as a page, JSON, or a download (?format=csv or ?format=xlsx).
 * Thin: parse → svc → page or bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "web/web.h"

int h_reports(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);

    return svc_reports(&sv, out, err);
}

/* The query's filters as svc_report reads them (absent ones left out). */
static json_t *filters_of(struct req *r)
{
    static const char *const names[] = {"period", "from", "to", "days", "page"};
    json_t *q = json_object();

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v = req_query(r, names[i]);

        if (v != NULL)
            json_object_set_new(q, names[i], json_string(v));
    }
    return q;
}

int h_report(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    const char *format = req_query(r, "format");
    json_t *q = filters_of(r), *rep = NULL;
    int file, rc;

    if (format != NULL && format[0] != '\0' && strcmp(format, "csv") != 0 &&
        strcmp(format, "xlsx") != 0 && strcmp(format, "html") != 0) {
        json_decref(q);
        return cf_error_set(err, CF_EINVAL, "format", "Choose csv or xlsx as the format.");
    }
    file = format != NULL && (strcmp(format, "csv") == 0 || strcmp(format, "xlsx") == 0);
    rc = svc_report(&sv, r->params[0], q, !r->want_json && !file, &rep, err);
    if (rc == CF_EINVAL && !r->want_json && !file) {
        json_t *list = NULL, *one;
        size_t i;

        /* The page again, the filters as typed and the message beside the field at fault. */
        r->form_page = json_pack("{s:s, s:O, s:b, s:b, s:b}", "report", r->params[0], "filters", q,
                                 "is_pass_rates", strcmp(r->params[0], "pass-rates") == 0,
                                 "is_expirations", strcmp(r->params[0], "expirations") == 0,
                                 "is_ce", strcmp(r->params[0], "ce") == 0);
        /* The report's title and what it shows, from the list of reports. */
        if (r->form_page != NULL && svc_reports(&sv, &list, NULL) == CF_OK) {
            json_array_foreach(json_object_get(list, "reports"), i, one)
            {
                const char *name = json_string_value(json_object_get(one, "name"));

                if (name != NULL && strcmp(name, r->params[0]) == 0) {
                    json_object_set(r->form_page, "title", json_object_get(one, "title"));
                    json_object_set(r->form_page, "about", json_object_get(one, "about"));
                }
            }
        }
        json_decref(list);
    }
    json_decref(q);
    if (rc != CF_OK || !file) {
        *out = rep;
        return rc;
    }
    rc = req_report(r, rep, format, arena_printf(r->arena, "ctoframe-%s.%s", r->params[0], format),
                    err);
    json_decref(rep);
    return rc;
}
