/*
 * case_api.c — the CASE 1.0 service operations (read-only).
 *
 * Objects come back as imported, with the links the service adds:
 * CFPackageURI on a CFDocument, CFDocumentURI on a CFItem.
 */
#include <stdio.h>
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

int svc_case_documents(const struct svc *sv, long limit, long offset, json_t **out, long *total,
                       struct cf_error *err)
{
    json_t *docs = NULL;
    size_t i;
    json_t *d;
    int rc = store_case_document_list(sv->store, limit, offset, &docs, total, err);

    *out = NULL;
    if (rc != CF_OK)
        return rc;
    json_array_foreach(docs, i, d) add_package_uri(sv, d);
    *out = json_pack("{s:o}", "CFDocuments", docs);
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
