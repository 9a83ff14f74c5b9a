/*
 * report.c — the program's reports (issue 8 point 8): each one grouped query,
 * so a report costs one statement whatever the number of rows it sums
 * (docs/reports.md says how each grows with the data).
 */
#include "store/store_impl.h"

int store_report_applications(struct store *s, const char *d7, const char *d30, const char *d90,
                              json_t **out, struct cf_error *err)
{
    /* Age from submission (creation for drafts); the cut-offs are ISO instants, so text
     * comparison orders them in both dialects. */
    return store__query(
        s,
        "SELECT status, bucket, COUNT(*) AS n, MIN(since) AS oldest FROM ("
        " SELECT status, COALESCE(submitted_at, created_at) AS since,"
        "  CASE WHEN COALESCE(submitted_at, created_at) >= ? THEN 0"
        "       WHEN COALESCE(submitted_at, created_at) >= ? THEN 1"
        "       WHEN COALESCE(submitted_at, created_at) >= ? THEN 2 ELSE 3 END AS bucket"
        " FROM applications) a GROUP BY status, bucket ORDER BY status, bucket",
        "status,bucket#,count#,oldest", out, err, "sss", d7, d30, d90);
}

int store_report_pass_rates(struct store *s, int quarter, const char *from, const char *to,
                            json_t **out, struct cf_error *err)
{
    static const char *const month =
        "SELECT form, substr(taken_on, 1, 7) AS period, COUNT(*) AS n,"
        " SUM(passed) AS passed FROM exam_results WHERE taken_on >= ? AND taken_on <= ?"
        " GROUP BY form, substr(taken_on, 1, 7) ORDER BY form, period";
    static const char *const quart =
        "SELECT form, substr(taken_on, 1, 4) || '-Q' ||"
        " CAST((CAST(substr(taken_on, 6, 2) AS INTEGER) + 2) / 3 AS TEXT) AS period,"
        " COUNT(*) AS n, SUM(passed) AS passed FROM exam_results"
        " WHERE taken_on >= ? AND taken_on <= ?"
        " GROUP BY form, substr(taken_on, 1, 4) || '-Q' ||"
        " CAST((CAST(substr(taken_on, 6, 2) AS INTEGER) + 2) / 3 AS TEXT) ORDER BY form, period";

    return store__query(s, quarter ? quart : month, "form,period,sittings#,passed#", out, err, "ss",
                        from, to);
}

int store_report_credentials(struct store *s, json_t **out, struct cf_error *err)
{
    /* The registry table holds one row per credential (visible or not) with its state. */
    return store__query(s,
                        "SELECT state, status, COUNT(*) AS n FROM registry"
                        " GROUP BY state, status ORDER BY state, status",
                        "state,status,count#", out, err, "");
}

int store_report_expirations(struct store *s, const char *today, const char *until, long limit,
                             json_t **out, struct cf_error *err)
{
    return store__query(s,
                        "SELECT name, number, state, status, expires_on FROM registry"
                        " WHERE status IN ('active', 'expiring') AND expires_on >= ?"
                        " AND expires_on <= ? ORDER BY expires_on, number LIMIT ?",
                        "name,number,state,status,expires_on", out, err, "ssl", today, until,
                        limit);
}

int store_report_ce(struct store *s, long limit, long offset, json_t **out, struct cf_error *err)
{
    /* One page of credentials in force, each with its approved activities (one row per
     * activity; a credential without any comes once with NULL activity columns). */
    return store__query(
        s,
        "SELECT c.id, c.number, r.name, r.state, c.status, c.term_start, c.expires_on,"
        " pr.code, a.title, a.category, a.completed_on, a.quantity, a.skills"
        " FROM (SELECT id FROM credentials WHERE status IN ('active', 'expiring')"
        "       ORDER BY number LIMIT ? OFFSET ?) pg"
        " JOIN credentials c ON c.id = pg.id"
        " JOIN registry r ON r.cred_id = c.id"
        " JOIN programs pr ON pr.id = c.program_id"
        " LEFT JOIN ce_activities a ON a.credential_id = c.id AND a.status = 'approved'"
        " ORDER BY c.number, a.completed_on, a.created_at, a.id",
        "id,number,name,state,status,term_start,expires_on,program_code,title,category,"
        "completed_on,quantity#,skills",
        out, err, "ll", limit, offset);
}

int store_report_ce_total(struct store *s, long *total, struct cf_error *err)
{
    json_t *row = NULL;
    int rc = store__query_one(
        s, "SELECT COUNT(*) AS n FROM credentials WHERE status IN ('active', 'expiring')", "n#",
        &row, err, "");

    if (rc == CF_OK)
        *total = (long)json_integer_value(json_object_get(row, "n"));
    json_decref(row);
    return rc;
}
