/*
 * credential.c — credentials, their events and their certificates
 * (migrations 014 and 016). The life cycle's rules are core/credential.c,
 * applied by svc/credential.c; this file reads and writes rows.
 */
#include "store/store_impl.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define CRED_COLS                                                                                  \
    "id,number,status,issued_on,term_start,expires_on,rules_version#,status_reason,demo#,"         \
    "person_id,person_name,person_email,org_id,program_id#,program_code,program_name,created_at,"  \
    "updated_at"
#define CRED_SELECT                                                                                \
    "SELECT c.id, c.number, c.status, c.issued_on, c.term_start, c.expires_on, c.rules_version,"   \
    " c.status_reason, c.demo, c.person_id, pe.name, pe.email, pe.org_id, c.program_id, p.code,"   \
    " p.name, c.created_at, c.updated_at FROM credentials c JOIN people pe ON pe.id = c.person_id" \
    " JOIN programs p ON p.id = c.program_id"

int store_credential_insert(struct store *s, const struct store_credential *c, struct cf_error *err)
{
    return store__exec(s,
                       "INSERT INTO credentials (id, number, program_id, person_id, result_id,"
                       " status, issued_on, term_start, expires_on, rules_version, created_at,"
                       " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       NULL, err, "ssisissssiss", c->id, c->number, c->program_id, c->person_id,
                       c->result_id, c->status, c->issued_on, c->term_start, c->expires_on,
                       (int64_t)c->rules_version, c->now, c->now);
}

int store_credential_event(struct store *s, const char *credential_id, const char *at,
                           const char *actor, const char *kind, const char *from_status,
                           const char *to_status, const char *expires_on, const char *reason,
                           int rules_version, struct cf_error *err)
{
    return store__exec(s,
                       "INSERT INTO credential_events (credential_id, at, actor, kind, from_status,"
                       " to_status, expires_on, reason, rules_version)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       NULL, err, "ssssssssi", credential_id, at, actor, kind, from_status,
                       to_status, expires_on, reason, (int64_t)rules_version);
}

int store_credential_get(struct store *s, const char *number, json_t **out, struct cf_error *err)
{
    return store__query_one(s, CRED_SELECT " WHERE c.number = ?", CRED_COLS, out, err, "s", number);
}

int store_credential_get_id(struct store *s, const char *id, json_t **out, struct cf_error *err)
{
    return store__query_one(s, CRED_SELECT " WHERE c.id = ?", CRED_COLS, out, err, "s", id);
}

int store_credential_list(struct store *s, const char *status, const char *person, long limit,
                          long offset, json_t **out, long *total, struct cf_error *err)
{
    json_t *row = NULL;
    int rc;

    *out = NULL;
    *total = 0;
    rc = store__query_one(
        s,
        "SELECT COUNT(*) FROM credentials c WHERE (CAST(? AS TEXT) IS NULL OR c.status = ?)"
        " AND (CAST(? AS TEXT) IS NULL OR c.person_id = ?)",
        "n#", &row, err, "ssss", status, status, person, person);
    if (rc != CF_OK)
        return rc;
    *total = (long)json_integer_value(json_object_get(row, "n"));
    json_decref(row);
    return store__query(
        s,
        CRED_SELECT
        " WHERE (CAST(? AS TEXT) IS NULL OR c.status = ?) AND (CAST(? AS TEXT) IS NULL OR"
        " c.person_id = ?) ORDER BY c.number LIMIT ? OFFSET ?",
        CRED_COLS, out, err, "ssssll", status, status, person, person, limit, offset);
}

int store_credential_events(struct store *s, const char *credential_id, json_t **out,
                            struct cf_error *err)
{
    return store__query(s,
                        "SELECT e.at, e.actor, e.kind, e.from_status, e.to_status, e.expires_on,"
                        " e.reason, e.rules_version FROM credential_events e"
                        " WHERE e.credential_id = ? ORDER BY e.id",
                        "at,actor,kind,from_status,to_status,expires_on,reason,rules_version#", out,
                        err, "s", credential_id);
}

int store_credential_set(struct store *s, const char *id, const char *status,
                         const char *expires_on, const char *reason, const char *now,
                         struct cf_error *err)
{
    return store__exec(s,
                       "UPDATE credentials SET status = ?, expires_on = ?, status_reason = ?,"
                       " updated_at = ? WHERE id = ?",
                       NULL, err, "sssss", status, expires_on, reason, now, id);
}

int store_ce_approved(struct store *s, const char *credential_id, json_t **out,
                      struct cf_error *err)
{
    return store__query(s,
                        "SELECT a.title, a.category, a.completed_on, a.quantity, a.skills"
                        " FROM ce_activities a WHERE a.credential_id = ? AND a.status = 'approved'"
                        " ORDER BY a.completed_on, a.created_at, a.id",
                        "title,category,completed_on,quantity#,skills", out, err, "s",
                        credential_id);
}

int store_certificate_put(struct store *s, const char *credential_id, const char *pdf, size_t n,
                          const char *rendered_for, const char *now, struct cf_error *err)
{
    size_t len = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
    char *text = malloc(len);
    int rc;

    if (text == NULL)
        return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
    sodium_bin2base64(text, len, (const unsigned char *)pdf, n, sodium_base64_VARIANT_ORIGINAL);
    rc = store__exec(s,
                     "INSERT INTO certificates (credential_id, pdf, size, rendered_for,"
                     " rendered_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (credential_id) DO UPDATE"
                     " SET pdf = excluded.pdf, size = excluded.size,"
                     " rendered_for = excluded.rendered_for, rendered_at = excluded.rendered_at",
                     NULL, err, "ssiss", credential_id, text, (int64_t)n, rendered_for, now);
    free(text);
    return rc;
}

int store_certificate_get(struct store *s, const char *credential_id, char **pdf, size_t *n,
                          char **rendered_for, struct cf_error *err)
{
    json_t *row = NULL;
    const char *text, *rf;
    size_t len, got = 0;
    char *bytes = NULL;
    int rc;

    *pdf = NULL;
    *n = 0;
    if (rendered_for != NULL)
        *rendered_for = NULL;
    rc = store__query_one(s,
                          "SELECT c.pdf, c.size, c.rendered_for FROM certificates c"
                          " WHERE c.credential_id = ?",
                          "pdf,size#,rendered_for", &row, err, "s", credential_id);
    if (rc != CF_OK)
        return rc;
    text = json_string_value(json_object_get(row, "pdf"));
    len = text != NULL ? strlen(text) : 0;
    bytes = malloc(len / 4 * 3 + 3);
    if (bytes == NULL) {
        rc = cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
        goto out;
    }
    if (sodium_base642bin((unsigned char *)bytes, len / 4 * 3 + 3, text, len, NULL, &got, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0) {
        rc = cf_error_set(err, CF_EIO, NULL, "The stored certificate is damaged. Render it again.");
        goto out;
    }
    rf = json_string_value(json_object_get(row, "rendered_for"));
    if (rendered_for != NULL && rf != NULL && (*rendered_for = strdup(rf)) == NULL) {
        rc = cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
        goto out;
    }
    *pdf = bytes;
    *n = got;
    bytes = NULL;

out:
    free(bytes);
    json_decref(row);
    return rc;
}

int store_certificates_drop_of(struct store *s, const char *person, struct cf_error *err)
{
    return store__exec(s,
                       "DELETE FROM certificates WHERE credential_id IN"
                       " (SELECT id FROM credentials WHERE person_id = ?)",
                       NULL, err, "s", person);
}
