/* audit.c — browsing and exporting the audit trail; recording refusals. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "svc/svc_impl.h"

static int allowed(const struct svc *sv, struct cf_error *err)
{
    if (!svc__can(sv, PERM_AUDIT_READ, NULL))
        return cf_error_set(err, CF_EFORBIDDEN, NULL,
                            "Only program administrators see the audit trail.");
    return CF_OK;
}

int svc_audit_list(const struct svc *sv, const struct audit_filter *f, json_t **out,
                   struct cf_error *err)
{
    json_t *entries;
    struct audit_filter g = *f;
    long limit = f->limit > 0 && f->limit <= 1000 ? f->limit : 100;
    int rc;

    *out = NULL;
    if ((rc = allowed(sv, err)) != CF_OK)
        return rc;
    g.limit = limit + 1;
    rc = store_audit_list(sv->store, &g, &entries, err);
    if (rc != CF_OK)
        return rc;
    {
        json_t *next = json_null();

        if ((long)json_array_size(entries) > limit) {
            json_array_remove(entries, (size_t)limit);
            next = json_integer(json_integer_value(
                json_object_get(json_array_get(entries, (size_t)limit - 1), "id")));
        }
        *out =
            json_pack("{s:o, s:{s:s?, s:s?, s:s?, s:s?, s:s?, s:s?}, s:o}", "entries", entries,
                      "filter", "actor", f->actor, "action", f->action, "org", f->org, "object_id",
                      f->object_id, "since", f->since, "until", f->until, "next_before", next);
    }
    return CF_OK;
}

/*
 * One CSV field (RFC 4180), with a leading ' against formula injection in
 * spreadsheets. Sets *bad when the buffer refused bytes (a failed add empties it).
 */
static void csv_field(struct buf *b, const char *s, int *bad)
{
    if (s == NULL)
        s = "";
    *bad |= buf_addc(b, '"') != CF_OK;
    if (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r')
        *bad |= buf_addc(b, '\'') != CF_OK;
    for (; *s != '\0'; s++) {
        if (*s == '"')
            *bad |= buf_addc(b, '"') != CF_OK;
        *bad |= buf_addc(b, *s) != CF_OK;
    }
    *bad |= buf_addc(b, '"') != CF_OK;
}

int svc_audit_csv(const struct svc *sv, const struct audit_filter *f, char **csv, size_t *n,
                  struct cf_error *err)
{
    static const char *const cols[] = {"id",        "at",       "actor",  "actor_name",
                                       "org",       "org_name", "action", "object_type",
                                       "object_id", "before",   "after",  "request_id"};
    struct audit_filter g = *f;
    json_t *entries;
    struct buf b;
    size_t i;
    json_t *e;
    int rc, bad = 0;

    *csv = NULL;
    *n = 0;
    if ((rc = allowed(sv, err)) != CF_OK)
        return rc;
    g.limit = f->limit > 0 ? f->limit : 1000000;
    rc = store_audit_list(sv->store, &g, &entries, err);
    if (rc != CF_OK)
        return rc;
    buf_init(&b, 512u * 1024u * 1024u);
    for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++) {
        if (c > 0)
            bad |= buf_addc(&b, ',') != CF_OK;
        bad |= buf_adds(&b, cols[c]) != CF_OK;
    }
    bad |= buf_adds(&b, "\r\n") != CF_OK;
    json_array_foreach(entries, i, e)
    {
        for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++) {
            json_t *v = json_object_get(e, cols[c]);

            if (c > 0)
                bad |= buf_addc(&b, ',') != CF_OK;
            if (json_is_string(v))
                csv_field(&b, json_string_value(v), &bad);
            else if (json_is_integer(v))
                bad |= buf_printf(&b, "%lld", (long long)json_integer_value(v)) != CF_OK;
            else if (v != NULL && !json_is_null(v)) {
                char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

                csv_field(&b, t, &bad);
                free(t);
            }
        }
        bad |= buf_adds(&b, "\r\n") != CF_OK;
    }
    json_decref(entries);
    if (bad) {
        buf_free(&b);
        return cf_error_set(err, CF_ETOOBIG, NULL, "The export is too large; narrow the filter.");
    }
    *csv = buf_detach(&b, n);
    return CF_OK;
}

void svc_audit_refusal(const struct svc *sv, const char *reason, const char *method,
                       const char *path)
{
    json_t *a = json_pack("{s:s, s:s, s:s}", "reason", reason, "method", method, "path", path);

    svc__audit(sv, NULL, "auth.refused", "request", NULL, NULL, a, NULL);
    json_decref(a);
}
