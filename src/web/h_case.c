/*
 * h_case.c — the CASE 1.0 service endpoints under /ims/case/v1p0/.
 *
 * Read-only and public. Errors are imsx_StatusInfo bodies (render.c);
 * the list sends X-Total-Count.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/case.h"
#include "web/web.h"

/* Parses a non-negative integer query argument; CF_EINVAL naming it when bad. */
static int query_long(struct req *r, const char *name, long dflt, long min, long max, long *v,
                      struct cf_error *err)
{
    const char *s = req_query(r, name);
    char *end;

    *v = dflt;
    if (s == NULL)
        return CF_OK;
    errno = 0;
    *v = strtol(s, &end, 10);
    if (s[0] == '\0' || *end != '\0' || errno != 0 || *v < min || *v > max)
        return cf_error_set(err, CF_EINVAL, name, "Give %s as a whole number from %ld to %ld.",
                            name, min, max);
    return CF_OK;
}

static int check_id(struct req *r, struct cf_error *err)
{
    if (!case_is_uuid(r->params[0]))
        return cf_error_set(
            err, CF_EINVAL, "sourcedId",
            "The sourcedId “%s” is not a UUID. Give the identifier of a CASE object.",
            r->params[0]);
    return CF_OK;
}

int h_case_documents(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    const char *order = req_query(r, "orderBy");
    long limit, offset, total = 0;
    int rc = query_long(r, "limit", 100, 1, 1000, &limit, err);

    if (rc == CF_OK)
        rc = query_long(r, "offset", 0, 0, 1000000000L, &offset, err);
    if (rc != CF_OK)
        return rc;
    if (order != NULL && strcmp(order, "asc") != 0 && strcmp(order, "desc") != 0)
        return cf_error_set(err, CF_EINVAL, "orderBy", "Give orderBy as asc or desc.");
    if (req_query(r, "filter") != NULL)
        return cf_error_set(
            err, CF_EINVAL, "filter",
            "The filter parameter is not supported. Use sort, orderBy, fields, limit and offset.");
    rc = svc_case_documents(&sv, limit, offset, req_query(r, "sort"),
                            order != NULL && strcmp(order, "desc") == 0, req_query(r, "fields"),
                            out, &total, err);
    if (rc == CF_OK)
        req_header(r, "X-Total-Count", arena_printf(r->arena, "%ld", total));
    return rc;
}

#define BY_ID(fn, svcfn)                                                                           \
    int fn(struct req *r, json_t **out, struct cf_error *err)                                      \
    {                                                                                              \
        struct svc sv = req_svc(r);                                                                \
        int rc = check_id(r, err);                                                                 \
                                                                                                   \
        return rc != CF_OK ? rc : svcfn(&sv, r->params[0], out, err);                              \
    }

BY_ID(h_case_document, svc_case_document)
BY_ID(h_case_package, svc_case_package)
BY_ID(h_case_item, svc_case_item)
BY_ID(h_case_item_associations, svc_case_item_associations)
BY_ID(h_case_association, svc_case_association)
BY_ID(h_case_rubric, svc_case_rubric)

/* /case-api: the guide to the CASE service for people (the same JSON for clients). */
int h_case_api(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);

    return svc_case_api_guide(&sv, out, err);
}
