/*
 * results.c — exam results as the testing vendor reports them, the
 * authorizations they are reported against, and credential numbers
 * (migration 014). The rules live in svc/results.c; this file reads and
 * writes rows, a whole file's worth in a few queries (lists of ids bound as
 * one JSON text, see store__query_ids).
 */
#include "store/store_impl.h"

#define AUTHS_SQL(in)                                                                              \
    "SELECT a.eligibility_id, a.person_id, a.program_id, p.code, a.issued_on, a.expires_on,"       \
    " a.status FROM authorizations a JOIN programs p ON p.id = a.program_id"                       \
    " WHERE a.eligibility_id" in

int store_auths_in(struct store *s, const json_t *ids, json_t **out, struct cf_error *err)
{
    static const char sqlite_sql[] = AUTHS_SQL(IDS_SQLITE);
    static const char pg_sql[] = AUTHS_SQL(IDS_PG);

    return store__query_ids(
        s, sqlite_sql, pg_sql,
        "eligibility_id,person_id,program_id#,program_code,issued_on,expires_on,status", ids, out,
        err);
}

#define SITTINGS_SQL(in)                                                                           \
    "SELECT a.person_id, a.program_id, r.eligibility_id, r.form, r.taken_on, r.passed"             \
    " FROM exam_results r JOIN authorizations a ON a.eligibility_id = r.eligibility_id"            \
    " WHERE a.person_id" in " ORDER BY a.person_id, r.taken_on, r.id"

int store_sittings_of(struct store *s, const json_t *ids, json_t **out, struct cf_error *err)
{
    static const char sqlite_sql[] = SITTINGS_SQL(IDS_SQLITE);
    static const char pg_sql[] = SITTINGS_SQL(IDS_PG);

    return store__query_ids(s, sqlite_sql, pg_sql,
                            "person_id,program_id#,eligibility_id,form,taken_on,passed#", ids, out,
                            err);
}

#define HELD_SQL(in)                                                                               \
    "SELECT c.person_id, c.program_id, c.number, c.status FROM credentials c"                      \
    " WHERE c.person_id" in

int store_credentials_of(struct store *s, const json_t *ids, json_t **out, struct cf_error *err)
{
    static const char sqlite_sql[] = HELD_SQL(IDS_SQLITE);
    static const char pg_sql[] = HELD_SQL(IDS_PG);

    return store__query_ids(s, sqlite_sql, pg_sql, "person_id,program_id#,number,status", ids, out,
                            err);
}

int store_result_insert(struct store *s, const char *eligibility_id, const char *form,
                        const char *taken_on, long scaled, const char *scores, int passed,
                        const char *retake_on, int rules_version, const char *import_id,
                        const char *now, int64_t *id, struct cf_error *err)
{
    json_t *row = NULL;
    int rc;

    /* No id wanted (a fail: no credential points at it): no row comes back. */
    if (id == NULL)
        return store__exec(s,
                           "INSERT INTO exam_results (eligibility_id, form, taken_on, scaled_score,"
                           " category_scores, passed, retake_on, rules_version, import_id,"
                           " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           NULL, err, "sssisisiss", eligibility_id, form, taken_on, (int64_t)scaled,
                           scores, (int64_t)passed, retake_on, (int64_t)rules_version, import_id,
                           now);
    *id = 0;
    rc = store__query_one(s,
                          "INSERT INTO exam_results (eligibility_id, form, taken_on, scaled_score,"
                          " category_scores, passed, retake_on, rules_version, import_id,"
                          " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                          "id#", &row, err, "sssisisiss", eligibility_id, form, taken_on,
                          (int64_t)scaled, scores, (int64_t)passed, retake_on,
                          (int64_t)rules_version, import_id, now);
    if (rc == CF_OK)
        *id = (int64_t)json_integer_value(json_object_get(row, "id"));
    json_decref(row);
    return rc;
}

int store_auth_set_status(struct store *s, const char *eligibility_id, const char *status,
                          struct cf_error *err)
{
    return store__exec(s, "UPDATE authorizations SET status = ? WHERE eligibility_id = ?", NULL,
                       err, "ss", status, eligibility_id);
}

int store_credential_numbers_take(struct store *s, int64_t program_id, int year, long count,
                                  long *first, struct cf_error *err)
{
    json_t *row = NULL;
    int rc;

    *first = 0;
    rc = store__exec(s,
                     "INSERT INTO credential_numbers (program_id, year, next) VALUES (?, ?, 1)"
                     " ON CONFLICT (program_id, year) DO NOTHING",
                     NULL, err, "ii", program_id, (int64_t)year);
    if (rc != CF_OK)
        return rc;
    rc = store__query_one(s,
                          "UPDATE credential_numbers SET next = next + ? WHERE program_id = ?"
                          " AND year = ? RETURNING next - ?",
                          "first#", &row, err, "iiii", (int64_t)count, program_id, (int64_t)year,
                          (int64_t)count);
    if (rc == CF_OK)
        *first = (long)json_integer_value(json_object_get(row, "first"));
    json_decref(row);
    return rc;
}

int store_results_settle(struct store *s, const char *import_id, const char *actor,
                         const char *job_kind, int job_attempts, const char *now,
                         struct cf_error *err)
{
    int rc;

    /* Every passing sitting uses up its authorization. */
    rc = store__exec(s,
                     "UPDATE authorizations SET status = 'used' WHERE status = 'open' AND"
                     " eligibility_id IN (SELECT r.eligibility_id FROM exam_results r"
                     " WHERE r.import_id = ? AND r.passed = 1)",
                     NULL, err, "s", import_id);
    if (rc != CF_OK)
        return rc;

    /* The issue event of each credential the import made. */
    rc = store__exec(s,
                     "INSERT INTO credential_events (credential_id, at, actor, kind, from_status,"
                     " to_status, expires_on, reason, rules_version)"
                     " SELECT c.id, ?, ?, 'issue', NULL, c.status, c.expires_on, NULL,"
                     " c.rules_version FROM credentials c JOIN exam_results r ON r.id = c.result_id"
                     " WHERE r.import_id = ? ORDER BY c.number",
                     NULL, err, "sss", now, actor, import_id);
    if (rc != CF_OK)
        return rc;

    /* And the job that renders its certificate (a job row as store_job_enqueue writes it). */
    return store__exec(
        s,
        "INSERT INTO jobs (kind, key, payload, state, attempts, max_attempts,"
        " run_after, created_at, updated_at)"
        " SELECT ?, 'certificate:' || c.id, '{\"credential_id\":\"' || c.id || '\"}',"
        " 'queued', 0, ?, ?, ?, ? FROM credentials c"
        " JOIN exam_results r ON r.id = c.result_id WHERE r.import_id = ?"
        " ORDER BY c.number ON CONFLICT (key) DO NOTHING",
        NULL, err, "sissss", job_kind, (int64_t)job_attempts, now, now, now, import_id);
}

int store_results_of_person(struct store *s, const char *person, json_t **out, struct cf_error *err)
{
    return store__query(s,
                        "SELECT r.eligibility_id, r.form, r.taken_on, r.scaled_score,"
                        " r.category_scores, r.passed, r.retake_on, r.rules_version, r.created_at"
                        " FROM exam_results r JOIN authorizations a"
                        " ON a.eligibility_id = r.eligibility_id WHERE a.person_id = ?"
                        " ORDER BY r.taken_on, r.id",
                        "eligibility_id,form,taken_on,scaled_score#,category_scores@,passed#,"
                        "retake_on,rules_version#,created_at",
                        out, err, "s", person);
}
