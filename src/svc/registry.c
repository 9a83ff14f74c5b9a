/*
 * registry.c — the public registry (issue 8 point 7): search, counts by state
 * and status, verification by number, and a holder leaving or rejoining the
 * directory. The registry table is kept in step with credentials, people and
 * orgs by the triggers of migration 018, so every writer keeps it current.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/credential.h"
#include "core/regindex.h"
#include "core/registry.h"
#include "lib/clock.h"
#include "svc/svc_impl.h"

#define HREF_MAX    512 /* bytes of a page link */
#define INDEX_TRIES 3   /* searches through the index before the database answers alone */
#define EPOCH_MAX   40  /* bytes of a registry epoch, with its NUL */

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

/*
 * One row of a search's answer from what the registry shows of it (f: number,
 * status, name, state, organization, issued_on, expires_on): exactly the
 * documented fields for JSON, a little more for the page (detail).
 */
static json_t *result_row(const char *const f[7], int demo, int detail)
{
    json_t *row = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "number", f[0], "name", f[2],
                            "organization", f[4], "state", f[3], "status", f[1], "issued_on", f[5],
                            "expires_on", f[6]);

    if (detail && row != NULL) {
        char href[HREF_MAX];

        json_object_set_new(row, "demo", json_boolean(demo));
        json_object_set_new(row, "status_label", json_string(status_label(f[1])));
        snprintf(href, sizeof href, "/verify/%s", f[0]);
        json_object_set_new(row, "href", json_string(href));
    }
    return row;
}

/*
 * The registry's words in memory (core/regindex.h), shared by every worker of
 * the process like web/cache.c's answers (one database per process). The index
 * holds what the registry shows of every row, and is stamped with the
 * registry generation and epoch it was read at; a search answers from it only
 * when the stamp read after the search is still that one, so an answer is
 * always the registry as it is. A stale index is rebuilt by the worker
 * that finds it stale; meanwhile the others answer from the database's
 * full-text search (docs/registry.md).
 */
struct index_ref {
    struct regindex *ix;
    char epoch[EPOCH_MAX]; /* the database's registry epoch (migration 024) */
    long refs;             /* under index_lock */
};

static pthread_mutex_t index_lock = PTHREAD_MUTEX_INITIALIZER;
static struct index_ref *index_cur; /* holds one reference; NULL before the first build */
static int index_building;

static void index_release(struct index_ref *r)
{
    int last;

    if (r == NULL)
        return;
    pthread_mutex_lock(&index_lock);
    last = --r->refs == 0;
    pthread_mutex_unlock(&index_lock);
    if (last) {
        regindex_free(r->ix);
        free(r);
    }
}

/* The fields a row shows, in the order of a payload (NUL-terminated each, then demo). */
#define PAYLOAD_FIELDS 7

/* Adds a row to the builder ctx, its shown fields as the payload. */
static int index_add_row(void *ctx, const struct store_registry_row *row)
{
    const char *f[PAYLOAD_FIELDS] = {row->number,       row->status,    row->name,      row->state,
                                     row->organization, row->issued_on, row->expires_on};
    char small[1024], *buf = small;
    size_t n = 1, o = 0;
    struct cf_error err;
    int rc;

    memset(&err, 0, sizeof err);
    for (int i = 0; i < PAYLOAD_FIELDS; i++)
        n += strlen(f[i]) + 1;
    if (n > sizeof small && (buf = malloc(n)) == NULL)
        return CF_ENOMEM;
    for (int i = 0; i < PAYLOAD_FIELDS; i++) {
        size_t len = strlen(f[i]) + 1;

        memcpy(buf + o, f[i], len);
        o += len;
    }
    buf[o++] = row->demo ? '1' : '0';
    rc = regindex_builder_add(ctx, row->id, row->state, row->doc, row->ndoc, buf, o, &err);
    if (buf != small)
        free(buf);
    return rc;
}

/* The answer's row for the row at rank of the index (see index_add_row and result_row). */
static json_t *index_row(const struct regindex *ix, uint32_t rank, int detail)
{
    size_t n = 0;
    const char *p = regindex_payload(ix, rank, &n), *f[PAYLOAD_FIELDS];

    for (int i = 0; i < PAYLOAD_FIELDS; i++) {
        f[i] = p;
        p += strlen(p) + 1;
    }
    return result_row(f, *p == '1', detail);
}

/* A new index of the registry as it is now and its epoch, or NULL with err filled. */
static struct regindex *index_read(const struct svc *sv, char epoch[EPOCH_MAX],
                                   struct cf_error *err)
{
    for (int tries = 0; tries < INDEX_TRIES; tries++) {
        struct regindex_builder *b = regindex_builder_new();
        int64_t gen = 0;
        int rc;

        if (b == NULL)
            break;
        rc = store_registry_each(sv->store, &gen, epoch, EPOCH_MAX, index_add_row, b, err);
        if (rc == CF_OK) {
            struct regindex *ix = regindex_builder_finish(b, gen);

            if (ix == NULL)
                break;
            return ix;
        }
        regindex_builder_free(b);
        if (rc != CF_ECONFLICT)
            return NULL;
    }
    cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
    return NULL;
}

/*
 * A reference to the current index (release it with index_release), rebuilt
 * first when there is none or it is the stale one the caller found (stale may
 * be NULL). NULL with err filled when the registry cannot be read, or with
 * CF_ECONFLICT when another worker is rebuilding it: the caller then asks the
 * database instead of waiting (a build reads every visible row: 0.4 s at
 * 100,000 credentials).
 */
static struct index_ref *index_get(const struct svc *sv, const struct index_ref *stale,
                                   struct cf_error *err)
{
    struct index_ref *r, *old = NULL;
    struct regindex *ix;
    char epoch[EPOCH_MAX];
    double started;

    pthread_mutex_lock(&index_lock);
    r = index_cur;
    if (r != NULL && r != stale) {
        r->refs++;
        pthread_mutex_unlock(&index_lock);
        return r;
    }
    if (index_building) {
        pthread_mutex_unlock(&index_lock);
        cf_error_set(err, CF_ECONFLICT, NULL, "The registry index is being built.");
        return NULL;
    }
    index_building = 1;
    pthread_mutex_unlock(&index_lock);

    started = clock_mono_ms();
    ix = index_read(sv, epoch, err);
    if (ix != NULL)
        fprintf(stderr, "registry index: %zu rows, %.1f MB, read in %.0f ms\n", regindex_rows(ix),
                (double)regindex_bytes(ix) / 1e6, clock_mono_ms() - started);
    r = ix != NULL ? malloc(sizeof *r) : NULL;
    if (r != NULL) {
        r->ix = ix;
        memcpy(r->epoch, epoch, sizeof r->epoch);
        r->refs = 2; /* index_cur's and the caller's */
    } else if (ix != NULL) {
        regindex_free(ix);
        cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
    }

    pthread_mutex_lock(&index_lock);
    if (r != NULL) {
        old = index_cur;
        index_cur = r;
    }
    index_building = 0;
    pthread_mutex_unlock(&index_lock);
    index_release(old);
    return r;
}

/*
 * One page of a search by words through the index: *rows as the answer
 * gives them (result_row, from the index's payloads), in display order, and
 * *total. CF_ECONFLICT when the registry kept
 * changing under INDEX_TRIES searches (the caller then asks the database).
 */
static int search_indexed(const struct svc *sv, const char *const *words, int nwords,
                          const char *state, long limit, long offset, int detail, json_t **rows,
                          long *total, struct cf_error *err)
{
    struct index_ref *r = NULL, *stale = NULL;
    uint32_t ranks[REGISTRY_PAGE_SIZE];
    int rc = CF_ECONFLICT;

    *rows = NULL;
    if (limit > REGISTRY_PAGE_SIZE)
        limit = REGISTRY_PAGE_SIZE;
    for (int tries = 0; tries < INDEX_TRIES; tries++) {
        long n = 0;
        int64_t gen = 0;
        char epoch[EPOCH_MAX];

        r = index_get(sv, stale, err);
        index_release(stale);
        stale = NULL;
        if (r == NULL)
            return err->code != 0 ? err->code : CF_EDB;
        rc = regindex_search(r->ix, words, nwords, state, offset, limit, ranks, &n, total, err);
        if (rc == CF_OK)
            rc = store_registry_stamp(sv->store, &gen, epoch, sizeof epoch, err);
        if (rc != CF_OK) {
            index_release(r);
            return rc;
        }
        if (gen == regindex_gen(r->ix) && strcmp(epoch, r->epoch) == 0) {
            /* The index is the registry as it is now: the rows come from it. */
            *rows = json_array();
            for (long i = 0; i < n; i++)
                json_array_append_new(*rows, index_row(r->ix, ranks[i], detail));
            index_release(r);
            return CF_OK;
        }
        stale = r; /* the registry changed since the index was read: read it again */
    }
    index_release(stale);
    return CF_ECONFLICT;
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
    /* Words go through the index when folding them is certain (the database's full-text
     * search answers the rest, and whatever the index could not). */
    rc = CF_ECONFLICT;
    if (number[0] == '\0' && query.nwords > 0) {
        char folded[REGISTRY_WORDS_MAX][REGISTRY_WORD_MAX];
        const char *fw[REGISTRY_WORDS_MAX];
        int unknown = 0;

        for (int w = 0; w < query.nwords; w++) {
            if (registry_fold(words[w], strlen(words[w]), folded[w], sizeof folded[w], &unknown) ==
                0)
                unknown++;
            fw[w] = folded[w];
        }
        if (unknown == 0)
            rc = search_indexed(sv, fw, query.nwords, st, REGISTRY_PAGE_SIZE,
                                (pg - 1) * REGISTRY_PAGE_SIZE, detail, &results, &total, err);
        if (rc != CF_OK && rc != CF_ECONFLICT)
            return rc;
    }
    if (rc == CF_ECONFLICT)
        rc = store_registry_search(sv->store, number, words, query.nwords, st, REGISTRY_PAGE_SIZE,
                                   (pg - 1) * REGISTRY_PAGE_SIZE, &rows, &total, err);
    if (rc != CF_OK)
        return rc;

    /* The JSON answer has exactly the documented fields; the page gets a little more. */
    if (results == NULL) {
        results = json_array();
        json_array_foreach(rows, i, r)
        {
            const char *f[7] = {svc__str(r, "number"),       svc__str(r, "status"),
                                svc__str(r, "name"),         svc__str(r, "state"),
                                svc__str(r, "organization"), svc__str(r, "issued_on"),
                                svc__str(r, "expires_on")};

            json_array_append_new(
                results,
                result_row(f, json_integer_value(json_object_get(r, "demo")) != 0, detail));
        }
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
