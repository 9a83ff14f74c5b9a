/*
 * router.c — the one route table and its matcher.
 *
 * Each entry names the method, the path pattern ({} matches one segment),
 * the handler, the page template (NULL: JSON only), the permission it needs
 * and its flags. A route missing here does not exist: default deny.
 */
#include <string.h>

#include "web/web.h"

const struct route routes[] = {
    {"GET", "/", h_home, "home", "public", ROUTE_CACHE},
    {"GET", "/healthz", h_health, NULL, "public", ROUTE_JSON},
    {"GET", "/frameworks", h_frameworks, "frameworks", "public", ROUTE_CACHE},
    {"GET", "/frameworks/{}", h_framework, "framework", "public", ROUTE_CACHE},
    {"GET", "/frameworks/{}/items/{}", h_framework_item, "item", "public", ROUTE_CACHE},
    {"GET", "/frameworks/{}/crosswalk/{}", h_crosswalk, "crosswalk", "public", ROUTE_CACHE},
    {"GET", "/ims/case/v1p0/CFDocuments", h_case_documents, NULL, "public",
     ROUTE_CASE | ROUTE_CACHE},
    {"GET", "/ims/case/v1p0/CFDocuments/{}", h_case_document, NULL, "public",
     ROUTE_CASE | ROUTE_CACHE},
    {"GET", "/ims/case/v1p0/CFPackages/{}", h_case_package, NULL, "public",
     ROUTE_CASE | ROUTE_CACHE},
    {"GET", "/ims/case/v1p0/CFItems/{}", h_case_item, NULL, "public", ROUTE_CASE | ROUTE_CACHE},
    {"GET", "/ims/case/v1p0/CFItemAssociations/{}", h_case_item_associations, NULL, "public",
     ROUTE_CASE | ROUTE_CACHE},
    {"GET", "/ims/case/v1p0/CFAssociations/{}", h_case_association, NULL, "public",
     ROUTE_CASE | ROUTE_CACHE},
    {"GET", "/ims/case/v1p0/CFRubrics/{}", h_case_rubric, NULL, "public", ROUTE_CASE | ROUTE_CACHE},
};
const int nroutes = (int)(sizeof routes / sizeof routes[0]);

/* Matches path against pattern, storing {} segments in r->params. */
static int match(struct req *r, const char *pattern, const char *path)
{
    const char *p = pattern, *s = path;
    int n = 0;

    while (*p != '\0' && *s != '\0') {
        if (p[0] == '{' && p[1] == '}') {
            const char *end = strchr(s, '/');
            size_t len = end != NULL ? (size_t)(end - s) : strlen(s);

            if (len == 0 || n == REQ_MAX_PARAMS)
                return 0;
            r->params[n++] = arena_strndup(r->arena, s, len);
            p += 2;
            s += len;
            continue;
        }
        if (*p != *s)
            return 0;
        p++;
        s++;
    }
    if (*p != '\0' || *s != '\0')
        return 0;
    r->nparams = n;
    return 1;
}

const struct route *router_match(struct req *r, const char *method, const char *path, int *allowed)
{
    *allowed = 0;
    for (int i = 0; i < nroutes; i++) {
        if (!match(r, routes[i].pattern, path))
            continue;
        if (strcmp(routes[i].method, method) == 0 ||
            (strcmp(method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0))
            return &routes[i];
        *allowed = 1;
    }
    r->nparams = 0;
    return NULL;
}
