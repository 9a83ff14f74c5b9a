/*
 * application.c — applications for a credential, their events, the
 * authorizations to test an approval gives (migration 014), reviewers'
 * conflicts of interest and supervisors' recommendations (migration 015).
 */
#include "store/store_impl.h"

#include <string.h>

/* An application row with its program code and its candidate's name, e-mail and organization. */
#define APP_COLS                                                                                   \
    "id,program_code,person_id,person_name,person_email,person_org,status,path,data@,"             \
    "rules_version#,submitted_at,decided_at,decided_by,decided_by_name,reason,created_at,"         \
    "updated_at"
#define APP_SELECT                                                                                 \
    "SELECT a.id, pr.code, a.person_id, pe.name, pe.email, pe.org_id, a.status, a.path, a.data,"   \
    " a.rules_version, a.submitted_at, a.decided_at, a.decided_by, d.name, a.reason,"              \
    " a.created_at, a.updated_at FROM applications a JOIN programs pr ON pr.id = a.program_id"     \
    " JOIN people pe ON pe.id = a.person_id LEFT JOIN people d ON d.id = a.decided_by"

int store_app_insert(struct store *s, const char *id, const char *program, const char *person,
                     const char *data, const char *now, struct cf_error *err)
{
    int64_t n = 0;
    int rc = store__exec(s,
                         "INSERT INTO applications (id, program_id, person_id, status, data,"
                         " created_at, updated_at) SELECT ?, id, ?, 'draft', ?, ?, ? FROM programs"
                         " WHERE code = ?",
                         &n, err, "ssssss", id, person, data, now, now, program);

    if (rc == CF_OK && n == 0)
        return cf_error_set(err, CF_ENOTFOUND, "program", "There is no program %s.", program);
    return rc;
}

int store_app_get(struct store *s, const char *id, json_t **out, struct cf_error *err)
{
    return store__query_one(s, APP_SELECT " WHERE a.id = ?", APP_COLS, out, err, "s", id);
}

int store_app_latest(struct store *s, const char *person, const char *program, json_t **out,
                     struct cf_error *err)
{
    return store__query_one(s,
                            APP_SELECT " WHERE a.person_id = ? AND pr.code = ?"
                                       " ORDER BY a.created_at DESC, a.id DESC LIMIT 1",
                            APP_COLS, out, err, "ss", person, program);
}

int store_app_list_person(struct store *s, const char *person, json_t **out, struct cf_error *err)
{
    return store__query(s,
                        "SELECT a.id, pr.code, a.status, a.submitted_at, a.decided_at, a.created_at"
                        " FROM applications a JOIN programs pr ON pr.id = a.program_id"
                        " WHERE a.person_id = ? ORDER BY a.created_at DESC, a.id DESC",
                        "id,program_code,status,submitted_at,decided_at,created_at", out, err, "s",
                        person);
}

int store_app_save_data(struct store *s, const char *id, const char *data, const char *now,
                        struct cf_error *err)
{
    return store__exec(s, "UPDATE applications SET data = ?, updated_at = ? WHERE id = ?", NULL,
                       err, "sss", data, now, id);
}

int store_app_set_status(struct store *s, const char *id, const char *from, const char *to,
                         const char *path, int rules_version, const char *decided_by,
                         const char *reason, const char *now, struct cf_error *err)
{
    int64_t n = 0;
    int rc;

    /* The first submission starts the application's age in the queue; an answer keeps it. */
    rc = store__exec(s,
                     "UPDATE applications SET status = ?, path = COALESCE(?, path),"
                     " rules_version = ?, submitted_at = COALESCE(submitted_at, ?),"
                     " decided_at = COALESCE(?, decided_at), decided_by = COALESCE(?, decided_by),"
                     " reason = COALESCE(?, reason), updated_at = ? WHERE id = ? AND status = ?",
                     &n, err, "ssisssssss", to, path, (int64_t)rules_version,
                     strcmp(to, "submitted") == 0 ? now : NULL, decided_by != NULL ? now : NULL,
                     decided_by, reason, now, id, from);
    if (rc == CF_OK && n == 0)
        return cf_error_set(err, CF_ECONFLICT, NULL,
                            "The application changed meanwhile. Reload the page and try again.");
    return rc;
}

int store_app_event_add(struct store *s, const char *app, const char *at, const char *actor,
                        const char *kind, const char *note, struct cf_error *err)
{
    return store__exec(s,
                       "INSERT INTO application_events (application_id, at, actor, kind, note)"
                       " VALUES (?, ?, ?, ?, ?)",
                       NULL, err, "sssss", app, at, actor, kind, note);
}

int store_app_events(struct store *s, const char *app, json_t **out, struct cf_error *err)
{
    return store__query(s,
                        "SELECT e.id, e.at, e.actor, pe.name, e.kind, e.note"
                        " FROM application_events e"
                        " LEFT JOIN people pe ON e.actor = 'user:' || pe.id"
                        " WHERE e.application_id = ? ORDER BY e.id",
                        "id#,at,actor,actor_name,kind,note", out, err, "s", app);
}

int store_app_last_actor(struct store *s, const char *app, const char *kind, json_t **out,
                         struct cf_error *err)
{
    return store__query_one(s,
                            "SELECT actor, at FROM application_events WHERE application_id = ?"
                            " AND kind = ? ORDER BY id DESC LIMIT 1",
                            "actor,at", out, err, "ss", app, kind);
}

/* The organizations reviewer's conflicts cover (each named one and all below it). */
#define COVERED                                                                                    \
    "WITH RECURSIVE cov(id) AS (SELECT org_id FROM review_conflicts WHERE reviewer_id = ?"         \
    " AND org_id IS NOT NULL UNION SELECT o.id FROM orgs o JOIN cov ON o.parent_id = cov.id) "
#define CONFLICTED                                                                                 \
    "CASE WHEN pe.org_id IN (SELECT id FROM cov) OR EXISTS (SELECT 1 FROM review_conflicts c"      \
    " WHERE c.reviewer_id = ? AND c.person_id = a.person_id) THEN 1 ELSE 0 END"

int store_app_queue(struct store *s, const char *reviewer, long limit, long offset, json_t **out,
                    long *total, struct cf_error *err)
{
    json_t *n = NULL;
    int rc;

    *out = NULL;
    rc = store__query_one(s,
                          "SELECT COUNT(*) FROM applications WHERE status IN ('submitted',"
                          " 'appealed')",
                          "n#", &n, err, "");
    if (rc != CF_OK)
        return rc;
    *total = (long)json_integer_value(json_object_get(n, "n"));
    json_decref(n);
    return store__query(s,
                        COVERED "SELECT a.id, pr.code, pe.name, a.status, a.submitted_at,"
                                " a.updated_at, " CONFLICTED " FROM applications a"
                                " JOIN programs pr ON pr.id = a.program_id"
                                " JOIN people pe ON pe.id = a.person_id"
                                " WHERE a.status IN ('submitted', 'appealed')"
                                " ORDER BY a.submitted_at, a.id LIMIT ? OFFSET ?",
                        "id,program_code,person_name,status,submitted_at,updated_at,conflict#", out,
                        err, "ssll", reviewer, reviewer, limit, offset);
}

int store_conflict_covers(struct store *s, const char *reviewer, const char *person, int *yes,
                          struct cf_error *err)
{
    json_t *row = NULL;
    int rc = store__query_one(
        s,
        COVERED "SELECT " CONFLICTED " FROM people pe"
                " JOIN (SELECT CAST(? AS TEXT) AS person_id) a ON a.person_id = pe.id",
        "c#", &row, err, "sss", reviewer, reviewer, person);

    *yes = rc == CF_OK && json_integer_value(json_object_get(row, "c")) != 0;
    json_decref(row);
    return rc == CF_ENOTFOUND ? CF_OK : rc;
}

int store_conflict_add(struct store *s, const char *reviewer, const char *person, const char *org,
                       const char *reason, const char *now, struct cf_error *err)
{
    return store__exec(s,
                       "INSERT INTO review_conflicts (reviewer_id, person_id, org_id, reason,"
                       " created_at) VALUES (?, ?, ?, ?, ?)",
                       NULL, err, "sssss", reviewer, person, org, reason, now);
}

int store_conflict_list(struct store *s, const char *reviewer, json_t **out, struct cf_error *err)
{
    return store__query(s,
                        "SELECT c.id, c.person_id, pe.name, c.org_id, o.name, c.reason,"
                        " c.created_at FROM review_conflicts c"
                        " LEFT JOIN people pe ON pe.id = c.person_id"
                        " LEFT JOIN orgs o ON o.id = c.org_id"
                        " WHERE c.reviewer_id = ? ORDER BY c.id",
                        "id#,person_id,person_name,org_id,org_name,reason,created_at", out, err,
                        "s", reviewer);
}

int store_auth_next_seq(struct store *s, const char *prefix, long *next, struct cf_error *err)
{
    json_t *row = NULL;
    int rc = store__query_one(s, "SELECT COUNT(*) FROM authorizations WHERE eligibility_id LIKE ?",
                              "n#", &row, err, "s", prefix);

    *next = rc == CF_OK ? (long)json_integer_value(json_object_get(row, "n")) + 1 : 0;
    json_decref(row);
    return rc;
}

int store_auth_insert(struct store *s, const char *elig, const char *app, int rules_version,
                      const char *issued_on, const char *expires_on, const char *now,
                      struct cf_error *err)
{
    return store__exec(s,
                       "INSERT INTO authorizations (eligibility_id, application_id, person_id,"
                       " program_id, rules_version, issued_on, expires_on, status, created_at)"
                       " SELECT ?, id, person_id, program_id, ?, ?, ?, 'open', ? FROM applications"
                       " WHERE id = ?",
                       NULL, err, "sissss", elig, (int64_t)rules_version, issued_on, expires_on,
                       now, app);
}

int store_auth_for_app(struct store *s, const char *app, json_t **out, struct cf_error *err)
{
    return store__query(s,
                        "SELECT eligibility_id, issued_on, expires_on, status, rules_version"
                        " FROM authorizations WHERE application_id = ? ORDER BY created_at",
                        "eligibility_id,issued_on,expires_on,status,rules_version#", out, err, "s",
                        app);
}

#define SUP_COLS                                                                                   \
    "application_id,supervisor_name,supervisor_email,requested_at,expires_at,signed_at,"           \
    "signer_name,signer_title,statement,recommend#"
#define SUP_SELECT                                                                                 \
    "SELECT application_id, supervisor_name, supervisor_email, requested_at, expires_at,"          \
    " signed_at, signer_name, signer_title, statement, recommend FROM supervisor_recommendations"

int store_supervisor_request(struct store *s, const char *app, const char *hash, const char *name,
                             const char *email, const char *now, const char *expires,
                             struct cf_error *err)
{
    return store__exec(s,
                       "INSERT INTO supervisor_recommendations (application_id, token_hash,"
                       " supervisor_name, supervisor_email, requested_at, expires_at)"
                       " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (application_id) DO UPDATE SET"
                       " token_hash = excluded.token_hash, supervisor_name ="
                       " excluded.supervisor_name, supervisor_email = excluded.supervisor_email,"
                       " requested_at = excluded.requested_at, expires_at = excluded.expires_at",
                       NULL, err, "ssssss", app, hash, name, email, now, expires);
}

int store_supervisor_get(struct store *s, const char *app, json_t **out, struct cf_error *err)
{
    return store__query_one(s, SUP_SELECT " WHERE application_id = ?", SUP_COLS, out, err, "s",
                            app);
}

int store_supervisor_by_hash(struct store *s, const char *hash, json_t **out, struct cf_error *err)
{
    return store__query_one(s, SUP_SELECT " WHERE token_hash = ?", SUP_COLS, out, err, "s", hash);
}

int store_supervisor_sign(struct store *s, const char *app, const char *name, const char *title,
                          const char *statement, const char *now, struct cf_error *err)
{
    int64_t n = 0;
    int rc = store__exec(s,
                         "UPDATE supervisor_recommendations SET signed_at = ?, signer_name = ?,"
                         " signer_title = ?, statement = ?, recommend = 1"
                         " WHERE application_id = ? AND signed_at IS NULL",
                         &n, err, "sssss", now, name, title, statement, app);

    if (rc == CF_OK && n == 0)
        return cf_error_set(err, CF_ECONFLICT, "token",
                            "This recommendation has been signed already. Nothing more is needed.");
    return rc;
}

/* The applications of person still open, which the erasure withdraws. */
#define OPEN_APPS                                                                                  \
    " FROM applications WHERE person_id = ? AND status IN ('draft', 'submitted',"                  \
    " 'info_requested', 'appealed')"

int store_app_erase_person(struct store *s, const char *person, const char *actor, const char *now,
                           struct cf_error *err)
{
    /* The form, the reasons and the notes go; status, dates, path and ids stay. */
    int rc = store__exec(s,
                         "UPDATE application_events SET note = NULL WHERE application_id IN"
                         " (SELECT id FROM applications WHERE person_id = ?)",
                         NULL, err, "s", person);

    if (rc == CF_OK)
        rc = store__exec(s,
                         "UPDATE applications SET data = '{}', reason = NULL, updated_at = ?"
                         " WHERE person_id = ?",
                         NULL, err, "ss", now, person);

    /* What is still open is withdrawn, with the erasure as its last event. */
    if (rc == CF_OK)
        rc = store__exec(s,
                         "INSERT INTO application_events (application_id, at, actor, kind, note)"
                         " SELECT id, ?, ?, 'withdrawn', 'The candidate was erased.'" OPEN_APPS,
                         NULL, err, "sss", now, actor, person);
    if (rc == CF_OK)
        rc = store__exec(s,
                         "UPDATE applications SET status = 'withdrawn'"
                         " WHERE id IN (SELECT id" OPEN_APPS ")",
                         NULL, err, "s", person);
    if (rc == CF_OK)
        rc = store__exec(s,
                         "UPDATE authorizations SET status = 'cancelled'"
                         " WHERE person_id = ? AND status = 'open'",
                         NULL, err, "s", person);

    /* The supervisor's name, address and words go, and the link stops working (the hash
     * becomes a text no link hashes to); whether and when they signed stays. */
    if (rc == CF_OK)
        rc = store__exec(
            s,
            "UPDATE supervisor_recommendations SET token_hash = 'erased:' ||"
            " application_id, supervisor_name = '[erased]', supervisor_email ="
            " '[erased]', signer_name = NULL, signer_title = NULL, statement = NULL"
            " WHERE application_id IN (SELECT id FROM applications WHERE person_id = ?)",
            NULL, err, "s", person);
    return rc;
}
