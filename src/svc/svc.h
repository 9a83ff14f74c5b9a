/*
 * svc.h — the use cases. One function per action, shared by the CLI, the
 * JSON API and the HTML pages so the three can never disagree.
 *
 * Each takes a struct svc (who is acting, through which store) and returns
 * CF_OK with a new JSON value in *out, or an error with err filled (and *out
 * NULL). Changing actions run in one transaction, append their audit record
 * and commit; any failure rolls everything back.
 */
#ifndef CF_SVC_H
#define CF_SVC_H

#include <jansson.h>
#include <stddef.h>

#include "lib/err.h"
#include "store/store.h"

/*
 * Who is acting. The CLI and the system act with every right (whoever runs
 * them can already read the database); a web request acts as the signed-in
 * person, with the roles they hold (only those an API token allows).
 */
struct principal {
    const char *person_id; /* NULL: anonymous */
    json_t *grants;        /* [{role, org_id, org_name, org_kind}] in effect */
    const char *via;       /* "session" or "token" */
};

struct svc {
    struct store *store;
    const char *actor;      /* "cli", "system", "user:<id>", "anonymous" */
    const char *request_id; /* NULL outside a request */
    const char *base_url;   /* "http://host:port" for absolute links; may be NULL */
    const struct principal *who; /* NULL: the CLI or the system (all rights) */
    const char *address;         /* client address of a web request, or NULL */
};

/* --- frameworks (svc/framework.c) ----------------------------------------- */

/*
 * Validates bytes as a CASE 1.0 CFPackage and stores it (replacing a package
 * with the same CFDocument identifier). On invalid input returns CF_EINVAL
 * and *problems is the array of {path, message}; nothing is written. On
 * success *out = {identifier, title, items, associations, rubrics, replaced}.
 */
int svc_framework_import(const struct svc *sv, const char *bytes, size_t n, json_t **out,
                         json_t **problems, struct cf_error *err);

/* The package of document id, exactly as imported. */
int svc_framework_export(const struct svc *sv, const char *id, json_t **out, struct cf_error *err);

/*
 * Loads every *.json package in dir that is not stored yet, in passes so a
 * crosswalk loads after the frameworks it joins. *loaded = how many.
 */
int svc_framework_load_dir(const struct svc *sv, const char *dir, int *loaded,
                           struct cf_error *err);

/* Views for the pages (and the same JSON for the API). */
int svc_framework_list(const struct svc *sv, json_t **out, struct cf_error *err);
int svc_framework_show(const struct svc *sv, const char *id, json_t **out, struct cf_error *err);
int svc_framework_item(const struct svc *sv, const char *doc, const char *item, json_t **out,
                       struct cf_error *err);
int svc_framework_crosswalk(const struct svc *sv, const char *a, const char *b, json_t **out,
                            struct cf_error *err);

/* --- CASE 1.0 service endpoints (svc/case_api.c) -------------------------- */

/*
 * getAllCFDocuments: documents from offset, at most limit, sorted by the
 * field sort (NULL: import order) ascending or descending (desc), each cut
 * down to the comma-separated fields when fields is not NULL.
 */
int svc_case_documents(const struct svc *sv, long limit, long offset, const char *sort, int desc,
                       const char *fields, json_t **out, long *total, struct cf_error *err);
int svc_case_document(const struct svc *sv, const char *id, json_t **out, struct cf_error *err);
int svc_case_package(const struct svc *sv, const char *id, json_t **out, struct cf_error *err);
int svc_case_item(const struct svc *sv, const char *id, json_t **out, struct cf_error *err);
int svc_case_item_associations(const struct svc *sv, const char *id, json_t **out,
                               struct cf_error *err);
int svc_case_association(const struct svc *sv, const char *id, json_t **out, struct cf_error *err);
int svc_case_rubric(const struct svc *sv, const char *id, json_t **out, struct cf_error *err);

#endif
