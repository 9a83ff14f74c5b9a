/*
 * ce.c — continuing education, renewal and lapse (migrations 014 and 017):
 * a credential as CE and renewal read it, its activities, the review queue,
 * the renewal audits, the reminders sent, and the credentials the tick moves.
 */
#include "store/store_impl.h"

#include <string.h>

/* A credential with its program and holder, as CE and renewal read it. */
#define CRED_COLS                                                                                  \
    "id,number,program_id#,program_code,person_id,holder_name,holder_email,status,issued_on,"      \
    "term_start,expires_on,rules_version#,result_id#"
#define CRED_SELECT                                                                                \
    "SELECT c.id, c.number, c.program_id, p.code, c.person_id, pe.name, pe.email, c.status,"       \
    " c.issued_on, c.term_start, c.expires_on, c.rules_version, c.result_id"                       \
    " FROM credentials c JOIN programs p ON p.id = c.program_id"                                   \
    " JOIN people pe ON pe.id = c.person_id"

int store_ce_credential(struct store *s, const char *number, json_t **out, struct cf_error *err)
{
    return store__query_one(s, CRED_SELECT " WHERE c.number = ?", CRED_COLS, out, err, "s", number);
}

int store_ce_credential_by_id(struct store *s, const char *id, json_t **out, struct cf_error *err)
{
    return store__query_one(s, CRED_SELECT " WHERE c.id = ?", CRED_COLS, out, err, "s", id);
}

int store_ce_credentials_of(struct store *s, const char *person, json_t **out, struct cf_error *err)
{
    return store__query(s, CRED_SELECT " WHERE c.person_id = ? ORDER BY c.issued_on, c.number",
                        CRED_COLS, out, err, "s", person);
}

int store_ce_credentials_numbered(struct store *s, const json_t *numbers, json_t **out,
                                  struct cf_error *err)
{
    /* Only what an import needs of each: a file names thousands. */
    return store__query_ids(s,
                            "SELECT c.id, c.number, p.code FROM credentials c"
                            " JOIN programs p ON p.id = c.program_id WHERE c.number" IDS_SQLITE,
                            "SELECT c.id, c.number, p.code FROM credentials c"
                            " JOIN programs p ON p.id = c.program_id WHERE c.number" IDS_PG,
                            "id,number,program_code", numbers, out, err);
}

#define ACT_COLS                                                                                   \
    "id,credential_id,category,title,provider,started_on,completed_on,quantity#,skills,source,"    \
    "status,evidence_id,reviewed_by,reviewed_at,reason,rules_version#,import_id,created_at"
#define ACT_SELECT                                                                                 \
    "SELECT a.id, a.credential_id, a.category, a.title, a.provider, a.started_on,"                 \
    " a.completed_on, a.quantity, a.skills, a.source, a.status, a.evidence_id, a.reviewed_by,"     \
    " a.reviewed_at, a.reason, a.rules_version, a.import_id, a.created_at FROM ce_activities a"

int store_ce_activities(struct store *s, const char *credential, json_t **out, struct cf_error *err)
{
    return store__query(s,
                        ACT_SELECT
                        " WHERE a.credential_id = ? ORDER BY a.completed_on, a.created_at,"
                        " a.id",
                        ACT_COLS, out, err, "s", credential);
}

int store_ce_activity(struct store *s, const char *id, json_t **out, struct cf_error *err)
{
    return store__query_one(s, ACT_SELECT " WHERE a.id = ?", ACT_COLS, out, err, "s", id);
}

int store_ce_activity_add(struct store *s, const json_t *a, struct cf_error *err)
{
    const json_t *q = json_object_get(a, "quantity"), *v = json_object_get(a, "rules_version");

    return store__exec(
        s,
        "INSERT INTO ce_activities (id, credential_id, category, title, provider, started_on,"
        " completed_on, quantity, skills, source, status, evidence_id, reviewed_by, reviewed_at,"
        " rules_version, import_id, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        NULL, err, "sssssssissssssisss", json_string_value(json_object_get(a, "id")),
        json_string_value(json_object_get(a, "credential_id")),
        json_string_value(json_object_get(a, "category")),
        json_string_value(json_object_get(a, "title")),
        json_string_value(json_object_get(a, "provider")),
        json_string_value(json_object_get(a, "started_on")),
        json_string_value(json_object_get(a, "completed_on")), (int64_t)json_integer_value(q),
        json_string_value(json_object_get(a, "skills")),
        json_string_value(json_object_get(a, "source")),
        json_string_value(json_object_get(a, "status")),
        json_string_value(json_object_get(a, "evidence_id")),
        json_string_value(json_object_get(a, "reviewed_by")),
        json_string_value(json_object_get(a, "reviewed_at")), (int64_t)json_integer_value(v),
        json_string_value(json_object_get(a, "import_id")),
        json_string_value(json_object_get(a, "created_at")),
        json_string_value(json_object_get(a, "created_at")));
}

int store_ce_activity_decide(struct store *s, const char *id, const char *status, const char *by,
                             const char *reason, int version, const char *now, struct cf_error *err)
{
    int64_t n = 0;
    int rc = store__exec(s,
                         "UPDATE ce_activities SET status = ?, reviewed_by = ?, reviewed_at = ?,"
                         " reason = ?, rules_version = ?, updated_at = ?"
                         " WHERE id = ? AND status = 'pending'",
                         &n, err, "ssssiss", status, by, now, reason, (int64_t)version, now, id);

    if (rc == CF_OK && n == 0)
        rc = cf_error_set(err, CF_ECONFLICT, NULL,
                          "This activity was already reviewed; reload the queue to see it.");
    return rc;
}

int store_ce_review_queue(struct store *s, long limit, long offset, json_t **out, int64_t *total,
                          struct cf_error *err)
{
    json_t *n = NULL;
    int rc;

    *total = 0;
    rc = store__query_one(s, "SELECT COUNT(*) FROM ce_activities WHERE status = 'pending'", "n#",
                          &n, err, "");
    if (rc != CF_OK)
        return rc;
    *total = (int64_t)json_integer_value(json_object_get(n, "n"));
    json_decref(n);
    return store__query(
        s,
        "SELECT a.id, a.category, a.title, a.provider, a.started_on, a.completed_on, a.quantity,"
        " a.skills, a.source, a.created_at, c.number, pe.name, p.code"
        " FROM ce_activities a JOIN credentials c ON c.id = a.credential_id"
        " JOIN people pe ON pe.id = c.person_id JOIN programs p ON p.id = c.program_id"
        " WHERE a.status = 'pending' ORDER BY a.created_at, a.id LIMIT ? OFFSET ?",
        "id,category,title,provider,started_on,completed_on,quantity#,skills,source,created_at,"
        "number,holder_name,program_code",
        out, err, "ii", (int64_t)limit, (int64_t)offset);
}

int store_ce_credential_move(struct store *s, const char *id, const char *from_status,
                             const char *status, const char *term_start, const char *expires_on,
                             const char *now, struct cf_error *err)
{
    int64_t n = 0;
    int rc = store__exec(s,
                         "UPDATE credentials SET status = ?, term_start = ?, expires_on = ?,"
                         " updated_at = ? WHERE id = ? AND status = ?",
                         &n, err, "ssssss", status, term_start, expires_on, now, id, from_status);

    if (rc == CF_OK && n == 0)
        rc = cf_error_set(err, CF_ECONFLICT, NULL,
                          "The credential changed meanwhile; reload the page and try again.");
    return rc;
}

int store_ce_credential_event(struct store *s, const char *credential, const char *at,
                              const char *actor, const char *kind, const char *from_status,
                              const char *to_status, const char *expires_on, const char *reason,
                              int version, struct cf_error *err)
{
    return store__exec(s,
                       "INSERT INTO credential_events (credential_id, at, actor, kind, from_status,"
                       " to_status, expires_on, reason, rules_version)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       NULL, err, "ssssssssi", credential, at, actor, kind, from_status, to_status,
                       expires_on, reason, (int64_t)version);
}

int store_ce_credential_events(struct store *s, const char *credential, json_t **out,
                               struct cf_error *err)
{
    return store__query(s,
                        "SELECT at, actor, kind, from_status, to_status, expires_on, reason,"
                        " rules_version FROM credential_events WHERE credential_id = ? ORDER BY id",
                        "at,actor,kind,from_status,to_status,expires_on,reason,rules_version#", out,
                        err, "s", credential);
}

int store_ce_exam_passed(struct store *s, const char *person, int64_t program, const char *from,
                         const char *to, int64_t except_result, int *found, struct cf_error *err)
{
    json_t *rows = NULL;
    int rc = store__query(s,
                          "SELECT e.id FROM exam_results e JOIN authorizations z"
                          " ON z.eligibility_id = e.eligibility_id WHERE z.person_id = ?"
                          " AND z.program_id = ? AND e.passed = 1 AND e.taken_on >= ?"
                          " AND e.taken_on <= ? AND e.id <> ? LIMIT 1",
                          "id#", &rows, err, "sissi", person, program, from, to, except_result);

    *found = rc == CF_OK && json_array_size(rows) > 0;
    json_decref(rows);
    return rc;
}

#define AUDIT_COLS                                                                                 \
    "id,credential_id,expires_on,status,requested_by,rules_version#,decided_by,decided_at,reason," \
    "created_at,number"
#define AUDIT_SELECT                                                                               \
    "SELECT r.id, r.credential_id, r.expires_on, r.status, r.requested_by, r.rules_version,"       \
    " r.decided_by, r.decided_at, r.reason, r.created_at, c.number FROM renewal_audits r"          \
    " JOIN credentials c ON c.id = r.credential_id"

int store_renewal_audit(struct store *s, const char *credential, const char *expires_on,
                        json_t **out, struct cf_error *err)
{
    return store__query_one(s, AUDIT_SELECT " WHERE r.credential_id = ? AND r.expires_on = ?",
                            AUDIT_COLS, out, err, "ss", credential, expires_on);
}

int store_renewal_audit_by_id(struct store *s, const char *id, json_t **out, struct cf_error *err)
{
    return store__query_one(s, AUDIT_SELECT " WHERE r.id = ?", AUDIT_COLS, out, err, "s", id);
}

int store_renewal_audit_add(struct store *s, const char *id, const char *credential,
                            const char *expires_on, const char *by, int version, const char *now,
                            struct cf_error *err)
{
    return store__exec(s,
                       "INSERT INTO renewal_audits (id, credential_id, expires_on, status,"
                       " requested_by, rules_version, created_at)"
                       " VALUES (?, ?, ?, 'pending', ?, ?, ?)",
                       NULL, err, "ssssis", id, credential, expires_on, by, (int64_t)version, now);
}

int store_renewal_audit_decide(struct store *s, const char *id, const char *status, const char *by,
                               const char *reason, const char *now, struct cf_error *err)
{
    int64_t n = 0;
    int rc = store__exec(s,
                         "UPDATE renewal_audits SET status = ?, decided_by = ?, decided_at = ?,"
                         " reason = ? WHERE id = ? AND status = 'pending'",
                         &n, err, "sssss", status, by, now, reason, id);

    if (rc == CF_OK && n == 0)
        rc = cf_error_set(err, CF_ECONFLICT, NULL,
                          "This audit was already decided; reload the queue to see it.");
    return rc;
}

int store_renewal_audits_pending(struct store *s, json_t **out, struct cf_error *err)
{
    return store__query(
        s,
        "SELECT r.id, r.expires_on, r.created_at, c.number, pe.name FROM renewal_audits r"
        " JOIN credentials c ON c.id = r.credential_id JOIN people pe ON pe.id = c.person_id"
        " WHERE r.status = 'pending' ORDER BY r.created_at, r.id",
        "id,expires_on,created_at,number,holder_name", out, err, "");
}

int store_ce_tick_moves(struct store *s, int64_t program, const char *expiring_by,
                        const char *today, const char *lapse_before, json_t **out,
                        struct cf_error *err)
{
    return store__query(s,
                        CRED_SELECT " WHERE c.program_id = ? AND ("
                                    "(c.status = 'active' AND c.expires_on <= ?)"
                                    " OR (c.status = 'expiring' AND c.expires_on < ?)"
                                    " OR (c.status = 'expired' AND c.expires_on < ?))",
                        CRED_COLS, out, err, "isss", program, expiring_by, today, lapse_before);
}

int store_ce_tick_remind(struct store *s, int64_t program, const char *after, const char *until,
                         int days, json_t **out, struct cf_error *err)
{
    return store__query(s,
                        CRED_SELECT " WHERE c.program_id = ? AND c.status IN ('active', 'expiring')"
                                    " AND c.expires_on > ? AND c.expires_on <= ?"
                                    " AND NOT EXISTS (SELECT 1 FROM credential_reminders r"
                                    " WHERE r.credential_id = c.id AND r.expires_on = c.expires_on"
                                    " AND r.days <= ?)",
                        CRED_COLS, out, err, "issi", program, after, until, (int64_t)days);
}

int store_ce_tick_sent(struct store *s, const json_t *ids, json_t **out, struct cf_error *err)
{
    return store__query_ids(s,
                            "SELECT r.credential_id, r.days FROM credential_reminders r"
                            " JOIN credentials c ON c.id = r.credential_id"
                            " AND r.expires_on = c.expires_on WHERE c.id" IDS_SQLITE,
                            "SELECT r.credential_id, r.days FROM credential_reminders r"
                            " JOIN credentials c ON c.id = r.credential_id"
                            " AND r.expires_on = c.expires_on WHERE c.id" IDS_PG,
                            "credential_id,days#", ids, out, err);
}

int store_ce_reminder_add(struct store *s, const char *credential, const char *expires_on, int days,
                          int version, const char *now, struct cf_error *err)
{
    return store__exec(s,
                       "INSERT INTO credential_reminders (credential_id, expires_on, days, sent_at,"
                       " rules_version) VALUES (?, ?, ?, ?, ?)",
                       NULL, err, "ssisi", credential, expires_on, (int64_t)days, now,
                       (int64_t)version);
}

int store_ce_programs(struct store *s, json_t **out, struct cf_error *err)
{
    return store__query(s, "SELECT id, code FROM programs ORDER BY id", "id#,code", out, err, "");
}

/*
 * Evidence bytes are bound as text in PostgreSQL's bytea hex format ("\\x" and two hex
 * digits a byte), which PostgreSQL reads into its bytea column and SQLite keeps as it is,
 * and read back the same way: one text form on both databases.
 */
int store_ce_evidence_add(struct store *s, const char *id, const char *name, const char *type,
                          int64_t size, const char *hex, const char *by, const char *now,
                          struct cf_error *err)
{
    return store__exec(
        s,
        "INSERT INTO ce_evidence (id, name, type, size, bytes, created_by, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        NULL, err, "sssisss", id, name, type, size, hex, by, now);
}

int store_ce_evidence_get(struct store *s, const char *credential, const char *id, json_t **out,
                          struct cf_error *err)
{
    return store__query_one(s,
                            "SELECT e.name, e.type, e.size, e.bytes FROM ce_evidence e"
                            " JOIN ce_activities a ON a.evidence_id = e.id"
                            " WHERE a.credential_id = ? AND e.id = ?",
                            "name,type,size#,bytes", out, err, "ss", credential, id);
}

int store_ce_activities_of_person(struct store *s, const char *person, json_t **out,
                                  struct cf_error *err)
{
    return store__query(
        s,
        "SELECT a.id, c.number, a.category, a.title, a.provider, a.started_on, a.completed_on,"
        " a.quantity, a.skills, a.source, a.status, a.reviewed_at, a.reason, a.rules_version,"
        " a.created_at, e.name, e.type, e.size FROM ce_activities a"
        " JOIN credentials c ON c.id = a.credential_id"
        " LEFT JOIN ce_evidence e ON e.id = a.evidence_id WHERE c.person_id = ?"
        " ORDER BY c.number, a.completed_on, a.created_at, a.id",
        "id,credential_number,category,title,provider,started_on,completed_on,quantity#,skills,"
        "source,status,reviewed_at,reason,rules_version#,created_at,evidence_name,evidence_type,"
        "evidence_size#",
        out, err, "s", person);
}
