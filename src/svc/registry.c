/*
 * registry.c — the public registry (issue 8 point 7): search, counts by state
 * and status, verification by number, and a holder leaving or rejoining the
 * directory. The registry table is kept in step with credentials, people and
 * orgs by the triggers of migration 018, so every writer keeps it current.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/credential.h"
#include "core/registry.h"
#include "lib/clock.h"
#include "svc/svc_impl.h"

#define HREF_MAX 512 /* bytes of a page link */

/* The words people read for a status. */
static const char *status_label(const char *s)
{
    static const struct {
        const char *code, *label;
    } labels[] = {
        {"active", "Active"}, {"expiring", "Expiring soon"}, {"expired", "Expired"},
        {"lapsed", "Lapsed"}, {"suspended", "Suspended"},    {"revoked", "Revoked"},
    };

    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (s != NULL && strcmp(s, labels[i].code) == 0)
            return labels[i].label;
    return s != NULL ? s : "";
}

/* A page number from text: 1 when NULL or empty; CF_EINVAL (field "page") otherwise. */
static int page_parse(const char *s, long *page, struct cf_error *err)
{
    char *end;
    long n;

    *page = 1;
    if (s == NULL || s[0] == '\0')
        return CF_OK;
    errno = 0;
    n = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || end == s || n < 1 || n > REGISTRY_PAGE_MAX)
        return cf_error_set(err, CF_EINVAL, "page", "Choose a page number from 1 to %d.",
                            REGISTRY_PAGE_MAX);
    *page = n;
    return CF_OK;
}

/* Appends "name=value" (value percent-encoded) to a link being built in b. */
static void href_add(char *b, size_t n, const char *name, const char *value)
{
    size_t o = strlen(b);
    int w = snprintf(b + o, n - o, "%s%s=", strchr(b, '?') != NULL ? "&" : "?", name);

    if (w < 0 || (size_t)w >= n - o)
        return;
    o += (size_t)w;
    for (const unsigned char *p = (const unsigned char *)value; *p != '\0' && o + 4 < n; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.')
            b[o++] = (char)*p;
        else {
            w = snprintf(b + o, n - o, "%%%02X", *p);
            if (w < 0 || (size_t)w >= n - o)
                break;
            o += (size_t)w;
        }
    }
    b[o] = '\0';
}

/* The link to page of the search (q, state). */
static json_t *page_href(const char *q, const char *state, long page)
{
    char b[HREF_MAX] = "/registry", num[24];

    if (q != NULL && q[0] != '\0')
        href_add(b, sizeof b, "q", q);
    if (state[0] != '\0')
        href_add(b, sizeof b, "state", state);
    if (page > 1) {
        snprintf(num, sizeof num, "%ld", page);
        href_add(b, sizeof b, "page", num);
    }
    return json_string(b);
}

/*
 * The counts of the HTML page: by_state [{state, total, statuses: [{status,
 * label, count}]}] and by_status [{status, label, count}], from one grouped
 * query; states offers the codes seen for the search form's choice.
 */
static int counts_view(const struct svc *sv, const char *chosen, json_t *out, struct cf_error *err)
{
    static const char *const order[] = {"active", "expiring",  "expired",
                                        "lapsed", "suspended", "revoked"};
    json_t *rows = NULL, *by_state = json_array(), *by_status = json_array(),
           *states = json_array(), *cur = NULL;
    long totals[sizeof order / sizeof order[0]] = {0};
    size_t i;
    json_t *r;
    int rc = store_registry_counts(sv->store, &rows, err);

    if (rc != CF_OK)
        goto out;
    json_array_foreach(rows, i, r)
    {
        const char *st = svc__str(r, "state"), *status = svc__str(r, "status");
        json_int_t n = json_integer_value(json_object_get(r, "count"));

        if (cur == NULL || strcmp(svc__str(cur, "state"), st) != 0) {
            cur = json_pack("{s:s, s:s, s:I, s:[]}", "state", st, "state_label",
                            st[0] != '\0' ? st : "No state", "total", (json_int_t)0, "statuses");
            json_array_append_new(by_state, cur);
            if (st[0] != '\0')
                json_array_append_new(states, json_pack("{s:s, s:b}", "code", st, "selected",
                                                        strcmp(st, chosen) == 0));
        }
        json_object_set_new(cur, "total",
                            json_integer(json_integer_value(json_object_get(cur, "total")) + n));
        json_array_append_new(json_object_get(cur, "statuses"),
                              json_pack("{s:s, s:s, s:I}", "status", status, "label",
                                        status_label(status), "count", n));
        for (size_t k = 0; k < sizeof order / sizeof order[0]; k++)
            if (strcmp(order[k], status) == 0)
                totals[k] += (long)n;
    }
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++)
        json_array_append_new(by_status,
                              json_pack("{s:s, s:s, s:I}", "status", order[k], "label",
                                        status_label(order[k]), "count", (json_int_t)totals[k]));
    json_object_set(out, "by_state", by_state);
    json_object_set(out, "by_status", by_status);
    json_object_set(out, "states", states);
    json_object_set_new(out, "has_counts", json_boolean(json_array_size(by_state) > 0));

out:
    json_decref(rows);
    json_decref(by_state);
    json_decref(by_status);
    json_decref(states);
    return rc;
}

int svc_registry_search(const struct svc *sv, const char *q, const char *state, const char *page,
                        int detail, json_t **out, struct cf_error *err)
{
    struct registry_query query;
    const char *words[REGISTRY_WORDS_MAX];
    char st[3], number[CRED_NUMBER_MAX];
    long pg, total = 0, pages;
    json_t *rows = NULL, *results = NULL, *r;
    size_t i;
    int rc;

    *out = NULL;
    rc = registry_query_parse(q, &query, err);
    if (rc == CF_OK)
        rc = registry_state_parse(state, st, err);
    if (rc == CF_OK)
        rc = page_parse(page, &pg, err);
    if (rc != CF_OK)
        return rc;
    for (int w = 0; w < query.nwords; w++)
        words[w] = query.words[w];

    /* A credential number is looked up as one (case and spaces forgiven), not as words. */
    if (q == NULL || cred_number_parse(NULL, q, NULL, NULL, number, sizeof number, NULL) != CF_OK)
        number[0] = '\0';
    rc = store_registry_search(sv->store, number, words, query.nwords, st, REGISTRY_PAGE_SIZE,
                               (pg - 1) * REGISTRY_PAGE_SIZE, &rows, &total, err);
    if (rc != CF_OK)
        return rc;

    /* The JSON answer has exactly the documented fields; the page gets a little more. */
    results = json_array();
    json_array_foreach(rows, i, r)
    {
        json_t *row = json_pack(
            "{s:O, s:O, s:O, s:O, s:O, s:O, s:O}", "number", json_object_get(r, "number"), "name",
            json_object_get(r, "name"), "organization", json_object_get(r, "organization"), "state",
            json_object_get(r, "state"), "status", json_object_get(r, "status"), "issued_on",
            json_object_get(r, "issued_on"), "expires_on", json_object_get(r, "expires_on"));

        if (detail && row != NULL) {
            char href[HREF_MAX];

            json_object_set_new(row, "demo",
                                json_boolean(json_integer_value(json_object_get(r, "demo")) != 0));
            json_object_set_new(row, "status_label",
                                json_string(status_label(svc__str(r, "status"))));
            snprintf(href, sizeof href, "/verify/%s", svc__str(r, "number"));
            json_object_set_new(row, "href", json_string(href));
        }
        json_array_append_new(results, row);
    }
    json_decref(rows);
    *out = json_pack("{s:o, s:I}", "results", results, "total", (json_int_t)total);
    if (*out == NULL)
        return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
    if (!detail)
        return CF_OK;

    pages = (total + REGISTRY_PAGE_SIZE - 1) / REGISTRY_PAGE_SIZE;
    json_object_set_new(*out, "has_results", json_boolean(json_array_size(results) > 0));
    json_object_set_new(*out, "q", json_string(q != NULL ? q : ""));
    json_object_set_new(*out, "state", json_string(st));
    json_object_set_new(*out, "page", json_integer(pg));
    json_object_set_new(*out, "pages", json_integer(pages));
    json_object_set_new(*out, "first",
                        json_integer(total > 0 ? (pg - 1) * REGISTRY_PAGE_SIZE + 1 : 0));
    json_object_set_new(
        *out, "last", json_integer((pg - 1) * REGISTRY_PAGE_SIZE + (long)json_array_size(results)));
    json_object_set_new(*out, "searched",
                        json_boolean((q != NULL && q[0] != '\0') || st[0] != '\0'));
    if (pg > 1)
        json_object_set_new(*out, "prev_href", page_href(q, st, pg - 1));
    if (pg < pages)
        json_object_set_new(*out, "next_href", page_href(q, st, pg + 1));
    rc = counts_view(sv, st, *out, err);
    if (rc != CF_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int svc_registry_verify(const struct svc *sv, const char *number, int detail, json_t **out,
                        struct cf_error *err)
{
    char canon[CRED_NUMBER_MAX];
    json_t *row = NULL;
    int rc;

    *out = NULL;
    /* A number that cannot be one is unknown, like a well-formed one no one holds. */
    if (number == NULL ||
        cred_number_parse(NULL, number, NULL, NULL, canon, sizeof canon, NULL) != CF_OK)
        return cf_error_set(err, CF_ENOTFOUND, "number",
                            "No credential has that number. Check the number and try again.");
    rc = store_registry_verify(sv->store, canon, &row, err);
    if (rc == CF_ENOTFOUND)
        return cf_error_set(err, CF_ENOTFOUND, "number",
                            "No credential has the number %s. Check the number and try again.",
                            canon);
    if (rc != CF_OK)
        return rc;
    *out = json_pack("{s:O, s:O, s:O, s:O, s:O, s:O}", "number", json_object_get(row, "number"),
                     "name", json_object_get(row, "name"), "program",
                     json_object_get(row, "program"), "status", json_object_get(row, "status"),
                     "issued_on", json_object_get(row, "issued_on"), "expires_on",
                     json_object_get(row, "expires_on"));
    if (*out != NULL && detail) {
        const char *s = svc__str(row, "status");

        json_object_set_new(*out, "demo",
                            json_boolean(json_integer_value(json_object_get(row, "demo")) != 0));
        json_object_set_new(*out, "status_label", json_string(status_label(s)));
        json_object_set_new(*out, "in_force",
                            json_boolean(strcmp(s, "active") == 0 || strcmp(s, "expiring") == 0));
    }
    json_decref(row);
    if (*out == NULL)
        return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
    return CF_OK;
}

int svc_registry_generation(const struct svc *sv, int64_t *gen, struct cf_error *err)
{
    return store_registry_generation(sv->store, gen, err);
}

int svc_registry_mine(const struct svc *sv, json_t **out, struct cf_error *err)
{
    json_t *rows = NULL, *r;
    size_t i;
    int rc;

    *out = NULL;
    if (sv->who == NULL || sv->who->person_id == NULL)
        return cf_error_set(err, CF_EFORBIDDEN, NULL, "Sign in to see your credentials.");
    rc = store_registry_mine(sv->store, sv->who->person_id, &rows, err);
    if (rc != CF_OK)
        return rc;
    json_array_foreach(rows, i, r)
    {
        json_object_set_new(r, "listed",
                            json_boolean(json_integer_value(json_object_get(r, "listed")) != 0));
        json_object_set_new(r, "demo",
                            json_boolean(json_integer_value(json_object_get(r, "demo")) != 0));
        json_object_set_new(r, "status_label", json_string(status_label(svc__str(r, "status"))));
    }
    *out =
        json_pack("{s:b, s:o}", "has_credentials", json_array_size(rows) > 0, "credentials", rows);
    return *out != NULL
               ? CF_OK
               : cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
}

int svc_registry_set_listed(const struct svc *sv, const char *id, int listed, struct cf_error *err)
{
    char now[32];
    json_t *after = NULL;
    int rc;

    if (sv->who == NULL || sv->who->person_id == NULL)
        return cf_error_set(err, CF_EFORBIDDEN, NULL, "Sign in to change your credentials.");
    if (id == NULL || id[0] == '\0')
        return cf_error_set(err, CF_ENOTFOUND, NULL, "There is no such credential.");
    clock_now_iso(now, sizeof now);
    rc = svc__begin(sv, err);
    if (rc != CF_OK)
        return rc;
    /* Ownership is part of the update: someone else's credential is not found. */
    rc = store_registry_set_listed(sv->store, id, sv->who->person_id, listed != 0, now, err);
    if (rc != CF_OK)
        goto out;
    after = json_pack("{s:b}", "listed", listed != 0);
    rc = svc__audit(sv, NULL, listed ? "credential.listed" : "credential.unlisted", "credential",
                    id, NULL, after, err);

out:
    json_decref(after);
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    return rc;
}
