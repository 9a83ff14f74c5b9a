/*
 * h_framework.c — the public pages: home, framework list, one framework,
 * one item (skill), the crosswalk between two frameworks.
 */
#include <string.h>

#include "core/case.h"
#include "web/web.h"

static int not_found(struct cf_error *err, const char *what)
{
    return cf_error_set(err, CF_ENOTFOUND, NULL, "There is no %s at this address.", what);
}

int h_home(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    json_t *list = NULL;
    int rc = svc_framework_list(&sv, &list, err);

    if (rc != CF_OK)
        return rc;
    json_object_set_new(list, "product", json_string("ctoframe"));
    *out = list;
    return CF_OK;
}

int h_health(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);

    return svc_health(&sv, out, err);
}

int h_frameworks(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);

    return svc_framework_list(&sv, out, err);
}

int h_framework(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);

    if (!case_is_uuid(r->params[0]))
        return not_found(err, "framework");
    return svc_framework_show(&sv, r->params[0], out, err);
}

int h_framework_item(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);

    if (!case_is_uuid(r->params[0]) || !case_is_uuid(r->params[1]))
        return not_found(err, "framework item");
    return svc_framework_item(&sv, r->params[0], r->params[1], out, err);
}

int h_crosswalk(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);

    if (!case_is_uuid(r->params[0]) || !case_is_uuid(r->params[1]) ||
        strcmp(r->params[0], r->params[1]) == 0)
        return not_found(err, "crosswalk");
    return svc_framework_crosswalk(&sv, r->params[0], r->params[1], out, err);
}
