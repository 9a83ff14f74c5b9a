/* framework.c — importing, exporting and showing frameworks. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/case.h"
#include "core/framework.h"
#include "lib/clock.h"
#include "svc/svc.h"

static int exists_in_store(void *ctx, const char *id)
{
    int yes = 0;

    if (store_case_node_exists(ctx, id, &yes, NULL) != CF_OK)
        return 0;
    return yes;
}

/* How many of the values an import rewrote its audit entry lists (all are counted). */
#define IMPORT_AUDIT_WARNINGS 5

/* The first IMPORT_AUDIT_WARNINGS warnings as "path: message" strings (a new array). */
static json_t *first_warnings(const json_t *warnings)
{
    json_t *out = json_array(), *w;
    size_t i;

    json_array_foreach(warnings, i, w)
    {
        if (i == IMPORT_AUDIT_WARNINGS)
            break;
        json_array_append_new(out,
                              json_pack("s++", json_string_value(json_object_get(w, "path")), ": ",
                                        json_string_value(json_object_get(w, "message"))));
    }
    return out;
}

int svc_framework_import(const struct svc *sv, const char *bytes, size_t n, int strict,
                         json_t **out, json_t **problems, struct cf_error *err)
{
    json_t *pkg = NULL, *before = NULL, *after = NULL, *warnings = NULL;
    size_t normalized = 0;
    const char *id;
    char now[32];
    int rc;

    *out = NULL;
    if (strict)
        case_parse(bytes, n, exists_in_store, sv->store, &pkg, problems);
    else
        normalized =
            case_parse_lenient(bytes, n, exists_in_store, sv->store, &pkg, problems, &warnings);
    if (json_array_size(*problems) > 0) {
        json_t *p = json_array_get(*problems, 0);

        json_decref(pkg);
        json_decref(warnings);
        return cf_error_set(
            err, CF_EINVAL, json_string_value(json_object_get(p, "path")),
            "The package has %zu problem%s (the first at %s: %s). Correct it and import "
            "it again.",
            json_array_size(*problems), json_array_size(*problems) == 1 ? "" : "s",
            json_string_value(json_object_get(p, "path")),
            json_string_value(json_object_get(p, "message")));
    }
    id = json_string_value(json_object_get(json_object_get(pkg, "CFDocument"), "identifier"));
    clock_now_iso(now, sizeof now);

    rc = store_begin(sv->store, err);
    if (rc != CF_OK)
        goto out;
    rc = store_case_document_get(sv->store, id, &before, NULL);
    if (rc != CF_OK && rc != CF_ENOTFOUND)
        goto fail;
    rc = store_case_package_put(sv->store, pkg, now, err);
    if (rc != CF_OK)
        goto fail;
    after = json_pack("{s:s, s:O, s:I, s:I, s:I}", "identifier", id, "title",
                      json_object_get(json_object_get(pkg, "CFDocument"), "title"), "items",
                      (json_int_t)json_array_size(json_object_get(pkg, "CFItems")), "associations",
                      (json_int_t)json_array_size(json_object_get(pkg, "CFAssociations")),
                      "rubrics", (json_int_t)json_array_size(json_object_get(pkg, "CFRubrics")));
    if (normalized > 0) {
        json_object_set_new(after, "normalized", json_integer((json_int_t)normalized));
        json_object_set_new(after, "normalized_first", first_warnings(warnings));
    }
    {
        struct audit_entry e = {
            .at = now,
            .actor = sv->actor != NULL ? sv->actor : "system",
            .action = before != NULL ? "framework.replace" : "framework.import",
            .object_type = "CFDocument",
            .object_id = id,
            .before = before,
            .after = after,
            .request_id = sv->request_id,
        };

        rc = store_audit_append(sv->store, &e, err);
    }
    if (rc != CF_OK)
        goto fail;
    rc = store_commit(sv->store, err);
    if (rc != CF_OK)
        goto out;
    json_object_set_new(after, "replaced", json_boolean(before != NULL));
    json_object_del(after, "normalized_first");
    json_object_set_new(after, "normalized", json_integer((json_int_t)normalized));
    json_object_set_new(after, "warnings", warnings != NULL ? warnings : json_array());
    warnings = NULL;
    *out = after;
    after = NULL;
    goto out;

fail:
    store_rollback(sv->store);
out:
    json_decref(pkg);
    json_decref(before);
    json_decref(after);
    json_decref(warnings);
    return rc;
}

int svc_framework_export(const struct svc *sv, const char *id, json_t **out, struct cf_error *err)
{
    return store_case_package_get(sv->store, id, out, err);
}

static int read_file(const char *path, char **data, size_t *n, struct cf_error *err)
{
    FILE *f = fopen(path, "rb");
    struct stat sb;
    size_t got;

    *data = NULL;
    if (f == NULL)
        return cf_error_set(err, CF_EIO, "file",
                            "Cannot read %s (%s). Check the path and its permissions.", path,
                            strerror(errno));
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fclose(f);
        return cf_error_set(err, CF_EIO, "file",
                            "Cannot read %s: it is not a file. Give the path of a CASE JSON file.",
                            path);
    }
    if ((unsigned long long)sb.st_size > CASE_MAX_BYTES) {
        fclose(f);
        return cf_error_set(
            err, CF_ETOOBIG, "file",
            "The file %s has %lld bytes, more than the %u MB a CASE package may have. "
            "Import a smaller package.",
            path, (long long)sb.st_size, CASE_MAX_BYTES / (1024u * 1024u));
    }
    *data = malloc((size_t)sb.st_size + 1);
    if (*data == NULL) {
        fclose(f);
        return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
    }
    got = fread(*data, 1, (size_t)sb.st_size, f);
    fclose(f);
    if (got != (size_t)sb.st_size) {
        free(*data);
        *data = NULL;
        return cf_error_set(err, CF_EIO, "file",
                            "Cannot read all of %s. Check the file and try again.", path);
    }
    *n = got;
    return CF_OK;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int svc_framework_load_dir(const struct svc *sv, const char *dir, int *loaded, struct cf_error *err)
{
    DIR *d = opendir(dir);
    char *names[256];
    int done[256] = {0};
    int count = 0, left, progress, rc = CF_OK;
    struct dirent *de;

    *loaded = 0;
    if (d == NULL)
        return cf_error_set(err, CF_EIO, "dir", "Cannot open the folder %s (%s). Check the path.",
                            dir, strerror(errno));
    while ((de = readdir(d)) != NULL && count < 256) {
        size_t len = strlen(de->d_name);

        if (len > 5 && strcmp(de->d_name + len - 5, ".json") == 0)
            names[count++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, (size_t)count, sizeof names[0], cmp_names);

    /* Passes: a package that refers to another loads once that one is in. */
    left = count;
    do {
        progress = 0;
        for (int i = 0; i < count; i++) {
            char path[4096];
            char *data;
            size_t n;
            json_t *res = NULL, *problems = NULL;

            if (done[i] || names[i] == NULL)
                continue;
            snprintf(path, sizeof path, "%s/%s", dir, names[i]);
            rc = read_file(path, &data, &n, err);
            if (rc != CF_OK)
                goto out;
            rc = svc_framework_import(sv, data, n, 1, &res, &problems, err);
            free(data);
            json_decref(res);
            json_decref(problems);
            if (rc == CF_OK) {
                done[i] = 1;
                left--;
                progress = 1;
                (*loaded)++;
            } else if (rc != CF_EINVAL) {
                goto out;
            }
        }
    } while (left > 0 && progress);
    rc = CF_OK;
    if (left > 0) {
        for (int i = 0; i < count; i++) {
            if (!done[i]) {
                char path[4096];
                char *data;
                size_t n;
                json_t *res = NULL, *problems = NULL;

                /* Import once more to report why it does not load. */
                snprintf(path, sizeof path, "%s/%s", dir, names[i]);
                rc = read_file(path, &data, &n, err);
                if (rc == CF_OK) {
                    rc = svc_framework_import(sv, data, n, 1, &res, &problems, err);
                    free(data);
                }
                json_decref(res);
                json_decref(problems);
                if (rc != CF_OK && err != NULL) {
                    char why[sizeof err->message];
                    size_t len = strlen(err->message);

                    /* The reason is a sentence of its own: its period ends this one. */
                    snprintf(why, sizeof why, "%.*s",
                             (int)(len > 0 && err->message[len - 1] == '.' ? len - 1 : len),
                             err->message);
                    cf_error_set(err, rc, "file", "The file %s was not imported: %s.", path, why);
                }
                break;
            }
        }
    }
out:
    for (int i = 0; i < count; i++)
        free(names[i]);
    return rc;
}

int svc_framework_list(const struct svc *sv, json_t **out, struct cf_error *err)
{
    json_t *rows, *fw, *cw;
    size_t i;
    json_t *r;
    int rc;

    *out = NULL;
    rc = store_case_document_summaries(sv->store, &rows, err);
    if (rc != CF_OK)
        return rc;
    fw = json_array();
    cw = json_array();

    /* Frameworks in use first, deprecated and retired versions after them. */
    for (int pass = 0; pass < 2; pass++) {
        json_array_foreach(rows, i, r)
        {
            const char *status = json_string_value(
                json_object_get(json_object_get(r, "document"), "adoptionStatus"));
            int old = status != NULL &&
                      (strcmp(status, "Deprecated") == 0 || strcmp(status, "Retired") == 0);

            if (old != pass)
                continue;
            {
                json_t *s =
                    framework_summary(json_object_get(r, "document"),
                                      (long)json_integer_value(json_object_get(r, "items")),
                                      (long)json_integer_value(json_object_get(r, "associations")),
                                      (long)json_integer_value(json_object_get(r, "rubrics")));

                json_array_append_new(json_is_true(json_object_get(s, "is_crosswalk")) ? cw : fw,
                                      s);
            }
        }
    }
    json_decref(rows);
    *out = json_pack("{s:o, s:o, s:b, s:b}", "frameworks", fw, "crosswalk_documents", cw,
                     "has_frameworks", json_array_size(fw) > 0, "has_crosswalk_documents",
                     json_array_size(cw) > 0);
    return CF_OK;
}

int svc_framework_show(const struct svc *sv, const char *id, json_t **out, struct cf_error *err)
{
    json_t *pkg = NULL, *view, *linked = NULL, *links;
    char base[64];
    size_t i;
    json_t *d;
    int rc;

    *out = NULL;
    rc = store_case_package_get(sv->store, id, &pkg, err);
    if (rc != CF_OK)
        return rc;
    snprintf(base, sizeof base, "/frameworks/%s", id);
    view = framework_view(pkg, base);
    json_decref(pkg);

    /* Crosswalks: other frameworks whose items link to this one's. */
    rc = store_case_linked_documents(sv->store, id, &linked, err);
    if (rc != CF_OK) {
        json_decref(view);
        return rc;
    }
    links = json_array();
    json_array_foreach(linked, i, d)
    {
        json_t *doc = NULL;

        if (store_case_document_get(sv->store, json_string_value(d), &doc, NULL) != CF_OK)
            continue;
        json_array_append_new(links, json_pack("{s:O, s:O*, s:O*, s:s+++}", "identifier", d,
                                               "title", json_object_get(doc, "title"), "version",
                                               json_object_get(doc, "version"), "url", base,
                                               "/crosswalk/", json_string_value(d), ""));
        json_decref(doc);
    }
    json_decref(linked);
    json_object_set_new(view, "crosswalks", links);
    json_object_set_new(view, "has_crosswalks", json_boolean(json_array_size(links) > 0));
    *out = json_pack("{s:o}", "framework", view);
    return CF_OK;
}

int svc_framework_item(const struct svc *sv, const char *doc, const char *item, json_t **out,
                       struct cf_error *err)
{
    json_t *pkg = NULL, *rel = NULL, *view;
    char base[64];
    size_t i;
    json_t *a;
    int rc;

    *out = NULL;
    rc = store_case_package_get(sv->store, doc, &pkg, err);
    if (rc != CF_OK)
        return rc;
    rc = store_case_associations_of(sv->store, item, &rel, err);
    if (rc != CF_OK) {
        json_decref(pkg);
        return rc;
    }

    /* Say where each related node lives, so the page can link to it. */
    json_array_foreach(rel, i, a)
    {
        const char *from =
            json_string_value(json_object_get(json_object_get(a, "originNodeURI"), "identifier"));
        const char *other_key =
            from != NULL && strcmp(from, item) == 0 ? "destinationNodeURI" : "originNodeURI";
        const char *other =
            json_string_value(json_object_get(json_object_get(a, other_key), "identifier"));
        char other_doc[40];
        json_t *obj = NULL, *d = NULL;

        if (other == NULL ||
            store_case_object_get(sv->store, "item", other, &obj, other_doc, NULL) != CF_OK)
            continue;
        json_object_set_new(a, "doc", json_string(other_doc));
        if (store_case_document_get(sv->store, other_doc, &d, NULL) == CF_OK) {
            json_object_set(a, "doc_title", json_object_get(d, "title"));
            json_object_set(a, "doc_version", json_object_get(d, "version"));
        }
        json_decref(d);
        json_decref(obj);
    }
    snprintf(base, sizeof base, "/frameworks/%s", doc);
    view = framework_item_view(pkg, item, rel, base);
    json_decref(pkg);
    json_decref(rel);
    if (view == NULL)
        return cf_error_set(err, CF_ENOTFOUND, "item",
                            "Framework %s has no item %s. Check the item's identifier.", doc, item);
    *out = view;
    return CF_OK;
}

int svc_framework_crosswalk(const struct svc *sv, const char *a, const char *b, json_t **out,
                            struct cf_error *err)
{
    json_t *pa = NULL, *pb = NULL, *assocs = NULL;
    char base_a[64], base_b[64];
    int rc;

    *out = NULL;
    rc = store_case_package_get(sv->store, a, &pa, err);
    if (rc == CF_OK)
        rc = store_case_package_get(sv->store, b, &pb, err);
    if (rc == CF_OK)
        rc = store_case_associations_between(sv->store, a, b, &assocs, err);
    if (rc == CF_OK) {
        snprintf(base_a, sizeof base_a, "/frameworks/%s", a);
        snprintf(base_b, sizeof base_b, "/frameworks/%s", b);
        *out = json_pack("{s:o}", "crosswalk",
                         framework_crosswalk_view(pa, pb, assocs, base_a, base_b));
    }
    json_decref(pa);
    json_decref(pb);
    json_decref(assocs);
    return rc;
}

int svc_framework_generation(const struct svc *sv, int64_t *gen, struct cf_error *err)
{
    return store_case_generation(sv->store, gen, err);
}
