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

/* One endpoint of the guide: its name, path pattern, what it returns and an example. */
struct guide_entry {
    const char *name;
    const char *path;    /* under /ims/case/v1p0 */
    const char *returns; /* for people */
    const char *key;     /* the example's kind: NULL (no identifier), "document", "item"… */
};

static const struct guide_entry guide[] = {
    {"All frameworks", "/CFDocuments",
     "The list of every framework this server publishes (one CFDocument each: title, version, "
     "publisher, status), with a link to each one's full package. Add ?limit=10&offset=10 to page "
     "through it; the X-Total-Count header says how many there are.",
     NULL},
    {"One framework's description", "/CFDocuments/{identifier}",
     "The CFDocument of one framework: its title, creator, version, adoption status and dates.",
     "document"},
    {"One whole framework", "/CFPackages/{identifier}",
     "Everything in one framework at once: the document, every item (categories, skills, "
     "indicators), every association between them and the rubrics. This is the file other CASE "
     "tools import.",
     "document"},
    {"One item", "/CFItems/{identifier}",
     "One item of a framework (a category, skill or indicator): its statement, its code and a "
     "link to the framework it belongs to.",
     "item"},
    {"An item and its links", "/CFItemAssociations/{identifier}",
     "One item with every association that starts or ends at it: where it sits in its framework "
     "and what it matches in other frameworks (crosswalks).",
     "item"},
    {"One association", "/CFAssociations/{identifier}",
     "One link between two items, or an item and its framework: its type (isChildOf, "
     "exactMatchOf…) and both ends.",
     "association"},
    {"One rubric", "/CFRubrics/{identifier}",
     "A rubric with its criteria (one per skill) and the levels of each, with what each level "
     "looks like and its score.",
     "rubric"},
};

/*
 * The identifiers the guide's examples name, from the frameworks stored: the
 * first framework with a rubric (else the first with items), its first item,
 * association and rubric. Sets *doc to a new object {identifier, title} or
 * NULL when there is no framework; ids gets kind -> identifier.
 */
static int guide_examples(const struct svc *sv, json_t *ids, json_t **doc, struct cf_error *err)
{
    json_t *rows = NULL, *pkg = NULL, *pick = NULL, *r;
    const char *id;
    size_t i;
    int rc;

    *doc = NULL;
    rc = store_case_document_summaries(sv->store, &rows, err);
    if (rc != CF_OK)
        return rc;
    for (int pass = 0; pass < 2 && pick == NULL; pass++) {
        json_array_foreach(rows, i, r)
        {
            const char *what = pass == 0 ? "rubrics" : "items";

            if (json_integer_value(json_object_get(r, what)) > 0) {
                pick = json_object_get(r, "document");
                break;
            }
        }
    }
    id = json_string_value(json_object_get(pick, "identifier"));
    if (id == NULL)
        goto out;
    rc = store_case_package_get(sv->store, id, &pkg, err);
    if (rc != CF_OK)
        goto out;
    *doc = json_pack("{s:s, s:O*}", "identifier", id, "title", json_object_get(pick, "title"));
    json_object_set_new(ids, "document", json_string(id));
    {
        static const char *const kinds[][2] = {
            {"item", "CFItems"}, {"association", "CFAssociations"}, {"rubric", "CFRubrics"}};

        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
            json_t *first = json_array_get(json_object_get(pkg, kinds[k][1]), 0);
            json_t *fid = json_object_get(first, "identifier");

            if (json_is_string(fid))
                json_object_set(ids, kinds[k][0], fid);
        }
    }
out:
    json_decref(rows);
    json_decref(pkg);
    return rc;
}

int svc_case_api_guide(const struct svc *sv, json_t **out, struct cf_error *err)
{
    const char *base = sv->base_url != NULL ? sv->base_url : "";
    json_t *ids = json_object(), *doc = NULL, *endpoints;
    char service[512];
    int rc;

    *out = NULL;
    rc = guide_examples(sv, ids, &doc, err);
    if (rc != CF_OK) {
        json_decref(ids);
        return rc;
    }
    if (snprintf(service, sizeof service, "%s/ims/case/v1p0", base) >= (int)sizeof service) {
        json_decref(ids);
        json_decref(doc);
        return cf_error_set(err, CF_EINVAL, "public_url", "The public address is too long.");
    }
    endpoints = json_array();
    for (size_t i = 0; i < sizeof guide / sizeof guide[0]; i++) {
        const struct guide_entry *g = &guide[i];
        const char *id = g->key != NULL ? json_string_value(json_object_get(ids, g->key)) : NULL;
        json_t *e = json_pack("{s:s, s:s+, s:s}", "name", g->name, "path", "/ims/case/v1p0",
                              g->path, "returns", g->returns);
        char url[1024], curl[1100];
        int has = g->key == NULL || id != NULL;

        if (has) {
            size_t stem = strcspn(g->path, "{");

            if (snprintf(url, sizeof url, "%s%.*s%s", service, (int)stem, g->path,
                         id != NULL ? id : "") < (int)sizeof url &&
                snprintf(curl, sizeof curl, "curl -s '%s'", url) < (int)sizeof curl) {
                json_object_set_new(e, "url", json_string(url));
                json_object_set_new(e, "curl", json_string(curl));
            } else {
                has = 0;
            }
        }
        json_object_set_new(e, "has_url", json_boolean(has));
        json_array_append_new(endpoints, e);
    }
    json_decref(ids);
    *out = json_pack("{s:s, s:s, s:b, s:o?, s:o}", "base_url", base, "service_url", service,
                     "has_examples", doc != NULL, "example_framework", doc, "endpoints", endpoints);
    return CF_OK;
}
