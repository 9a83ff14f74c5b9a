/*
 * case_api.c — the CASE 1.0 service operations (read-only).
 *
 * Objects come back as imported, with the links the service adds:
 * CFPackageURI on a CFDocument, CFDocumentURI on a CFItem.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc/svc.h"

static json_t *link_to(const char *title, const char *id, const char *uri)
{
    return json_pack("{s:s, s:s, s:s}", "title", title != NULL ? title : "", "identifier", id,
                     "uri", uri != NULL ? uri : "");
}

static void add_package_uri(const struct svc *sv, json_t *doc)
{
    const char *id = json_string_value(json_object_get(doc, "identifier"));
    char uri[512];

    snprintf(uri, sizeof uri, "%s/ims/case/v1p0/CFPackages/%s",
             sv->base_url != NULL ? sv->base_url : "", id);
    json_object_set_new(doc, "CFPackageURI",
                        link_to(json_string_value(json_object_get(doc, "title")), id, uri));
}

static const char *sort_key;
static int sort_desc;

static int cmp_docs(const void *a, const void *b)
{
    const char *x = json_string_value(json_object_get(*(json_t *const *)a, sort_key));
    const char *y = json_string_value(json_object_get(*(json_t *const *)b, sort_key));
    int c = strcmp(x != NULL ? x : "", y != NULL ? y : "");

    return sort_desc ? -c : c;
}

/* The CFDocument fields a client may sort on. */
static int sortable(const char *f)
{
    static const char *const ok[] = {"identifier",     "title",    "creator",
                                     "publisher",      "version",  "lastChangeDateTime",
                                     "adoptionStatus", "language", NULL};

    for (int i = 0; ok[i] != NULL; i++)
        if (strcmp(f, ok[i]) == 0)
            return 1;
    return 0;
}

/* A copy of doc with only the named fields (comma-separated). */
static json_t *select_fields(const json_t *doc, const char *fields)
{
    json_t *out = json_object();
    const char *p = fields;

    while (*p != '\0') {
        size_t n = strcspn(p, ",");
        char name[64];

        snprintf(name, sizeof name, "%.*s", (int)(n < sizeof name ? n : sizeof name - 1), p);
        if (json_object_get(doc, name) != NULL)
            json_object_set(out, name, json_object_get(doc, name));
        p += n;
        if (*p == ',')
            p++;
    }
    return out;
}

int svc_case_documents(const struct svc *sv, long limit, long offset, const char *sort, int desc,
                       const char *fields, json_t **out, long *total, struct cf_error *err)
{
    json_t *docs = NULL, *page, **v;
    size_t i, n;
    json_t *d;
    int rc;

    *out = NULL;
    if (sort != NULL && !sortable(sort))
        return cf_error_set(err, CF_EINVAL, "sort",
                            "Sort on identifier, title, creator, publisher, version, "
                            "lastChangeDateTime, adoptionStatus or language, not “%s”.",
                            sort);
    rc = store_case_document_list(sv->store, 0, 0, &docs, total, err);
    if (rc != CF_OK)
        return rc;
    n = json_array_size(docs);
    v = calloc(n + 1, sizeof *v);
    if (v == NULL) {
        json_decref(docs);
        return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
    }
    json_array_foreach(docs, i, d) v[i] = d;
    if (sort != NULL) {
        /* Few documents; a static comparator key is fine under the caller's thread. */
        static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

        pthread_mutex_lock(&lock);
        sort_key = sort;
        sort_desc = desc;
        qsort(v, n, sizeof *v, cmp_docs);
        pthread_mutex_unlock(&lock);
    } else if (desc) {
        for (i = 0; i < n / 2; i++) {
            json_t *t = v[i];

            v[i] = v[n - 1 - i];
            v[n - 1 - i] = t;
        }
    }
    page = json_array();
    for (i = (size_t)offset; i < n && (limit <= 0 || i < (size_t)offset + (size_t)limit); i++) {
        add_package_uri(sv, v[i]);
        json_array_append_new(page,
                              fields != NULL ? select_fields(v[i], fields) : json_incref(v[i]));
    }
    free(v);
    json_decref(docs);
    *out = json_pack("{s:o}", "CFDocuments", page);
    return CF_OK;
}

int svc_case_document(const struct svc *sv, const char *id, json_t **out, struct cf_error *err)
{
    int rc = store_case_document_get(sv->store, id, out, err);

    if (rc == CF_OK)
        add_package_uri(sv, *out);
    return rc;
}

int svc_case_package(const struct svc *sv, const char *id, json_t **out, struct cf_error *err)
{
    return store_case_package_get(sv->store, id, out, err);
}

int svc_case_item(const struct svc *sv, const char *id, json_t **out, struct cf_error *err)
{
    char doc_id[40];
    json_t *doc = NULL;
    int rc = store_case_object_get(sv->store, "item", id, out, doc_id, err);

    if (rc != CF_OK)
        return rc;
    if (store_case_document_get(sv->store, doc_id, &doc, NULL) == CF_OK) {
        json_object_set_new(*out, "CFDocumentURI",
                            link_to(json_string_value(json_object_get(doc, "title")), doc_id,
                                    json_string_value(json_object_get(doc, "uri"))));
        json_decref(doc);
    }
    return CF_OK;
}

int svc_case_item_associations(const struct svc *sv, const char *id, json_t **out,
                               struct cf_error *err)
{
    json_t *item = NULL, *assocs = NULL;
    int rc = svc_case_item(sv, id, &item, err);

    *out = NULL;
    if (rc != CF_OK)
        return rc;
    rc = store_case_associations_of(sv->store, id, &assocs, err);
    if (rc != CF_OK) {
        json_decref(item);
        return rc;
    }
    *out = json_pack("{s:o, s:o}", "CFItem", item, "CFAssociations", assocs);
    return CF_OK;
}

int svc_case_association(const struct svc *sv, const char *id, json_t **out, struct cf_error *err)
{
    return store_case_object_get(sv->store, "association", id, out, NULL, err);
}

int svc_case_rubric(const struct svc *sv, const char *id, json_t **out, struct cf_error *err)
{
    return store_case_object_get(sv->store, "rubric", id, out, NULL, err);
}
