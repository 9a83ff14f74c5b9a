/*
 * growth.c — growth plans, their goals, activities and timeline (migration
 * 020; docs/internals/evaluations.md). Who may do what, and the rule that an
 * edit clears both agreements, are checked by svc/growth.c inside the
 * transaction these functions run in, with the plan's row held
 * (store_plan_lock).
 */
#include "store/store_impl.h"

#include <string.h>

#define PLAN_COLS                                                                                  \
    "id,evaluation_id,org_id,person_id,person_name,evaluation_title,status,starts_on,months#,"     \
    "half_hours#,budget#,version#,proven#,leader_agreed_at,supervisor_agreed_at,"                  \
    "supervisor_agreed_by,supervisor_agreed_name,created_by,created_at,updated_at"
#define PLAN_SELECT                                                                                \
    "SELECT g.id, g.evaluation_id, g.org_id, g.person_id, p.name, e.title, g.status,"              \
    " g.starts_on, g.months, g.half_hours, g.budget, g.version, g.proven, g.leader_agreed_at,"     \
    " g.supervisor_agreed_at, g.supervisor_agreed_by, sp.name, g.created_by, g.created_at,"        \
    " g.updated_at FROM growth_plans g JOIN people p ON p.id = g.person_id"                        \
    " JOIN evaluations e ON e.id = g.evaluation_id"                                                \
    " LEFT JOIN people sp ON sp.id = g.supervisor_agreed_by"
#define PLAN_ORDER " ORDER BY g.created_at DESC, g.id LIMIT 500"

#define ACT_COLS                                                                                   \
    "id,plan_id,catalog_id,title,provider,format,half_hours#,cost#,skills,ce_category,reason,"     \
    "source,status,completed_on,ce_activity_id,position#"

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static int64_t i64(const json_t *o, const char *k)
{
    return (int64_t)json_integer_value(json_object_get(o, k));
}

int store_plan_insert(struct store *s, const json_t *row, struct cf_error *err)
{
    static const char sql[] =
        "INSERT INTO growth_plans (id, evaluation_id, org_id, person_id, status, starts_on,"
        " months, half_hours, budget, version, proven, created_by, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, 'draft', ?, ?, ?, ?, 1, NULL, ?, ?, ?)";

    return store__exec(s, sql, NULL, err, "sssssiiisss", str(row, "id"), str(row, "evaluation_id"),
                       str(row, "org_id"), str(row, "person_id"), str(row, "starts_on"),
                       i64(row, "months"), i64(row, "half_hours"), i64(row, "budget"),
                       str(row, "created_by"), str(row, "created_at"), str(row, "created_at"));
}

int store_plan_get(struct store *s, const char *id, json_t **out, struct cf_error *err)
{
    return store__query_one(s, PLAN_SELECT " WHERE g.id = ?", PLAN_COLS, out, err, "s", id);
}

int store_plan_of_evaluation(struct store *s, const char *evaluation, json_t **out,
                             struct cf_error *err)
{
    return store__query_one(s, PLAN_SELECT " WHERE g.evaluation_id = ?", PLAN_COLS, out, err, "s",
                            evaluation);
}

int store_plan_lock(struct store *s, const char *id, struct cf_error *err)
{
    json_t *row = NULL;
    int rc;

    /* SQLite's write transaction (BEGIN IMMEDIATE) already lets one writer in at a time. */
    if (db_kind(s->db) != DB_PG)
        return CF_OK;
    rc = store__query_one(s, "SELECT id FROM growth_plans WHERE id = ? FOR UPDATE", "id", &row, err,
                          "s", id);
    json_decref(row);
    return rc;
}

int store_plan_mine(struct store *s, const char *person, json_t **out, struct cf_error *err)
{
    return store__query(s,
                        PLAN_SELECT " WHERE g.person_id = ? OR g.evaluation_id IN"
                                    " (SELECT r.evaluation_id FROM evaluation_raters r"
                                    " WHERE r.person_id = ? AND r.kind = 'supervisor')" PLAN_ORDER,
                        PLAN_COLS, out, err, "ss", person, person);
}

int store_plan_list(struct store *s, const json_t *orgs, json_t **out, struct cf_error *err)
{
    return store__query_ids(s, PLAN_SELECT " WHERE g.org_id" IDS_SQLITE PLAN_ORDER,
                            PLAN_SELECT " WHERE g.org_id" IDS_PG PLAN_ORDER, PLAN_COLS, orgs, out,
                            err);
}

int store_plan_list_all(struct store *s, json_t **out, struct cf_error *err)
{
    return store__query(s, PLAN_SELECT PLAN_ORDER, PLAN_COLS, out, err, "");
}

int store_plan_edited(struct store *s, const char *id, const char *now, struct cf_error *err)
{
    return store__exec(s,
                       "UPDATE growth_plans SET version = version + 1, status = 'draft',"
                       " leader_agreed_at = NULL, supervisor_agreed_at = NULL,"
                       " supervisor_agreed_by = NULL, updated_at = ? WHERE id = ?",
                       NULL, err, "ss", now, id);
}

int store_plan_set_budget(struct store *s, const char *id, long half_hours, long budget, int proven,
                          struct cf_error *err)
{
    /* proven < 0: no recommendation was made (NULL). The binds skip nothing: '-' binds NULL
     * without taking an argument. */
    if (proven < 0)
        return store__exec(s,
                           "UPDATE growth_plans SET half_hours = ?, budget = ?, proven = NULL"
                           " WHERE id = ?",
                           NULL, err, "lls", half_hours, budget, id);
    return store__exec(
        s, "UPDATE growth_plans SET half_hours = ?, budget = ?, proven = ? WHERE id = ?", NULL, err,
        "llls", half_hours, budget, (long)proven, id);
}

int store_plan_agree(struct store *s, const char *id, int supervisor, const char *who,
                     const char *now, struct cf_error *err)
{
    int rc = supervisor ? store__exec(s,
                                      "UPDATE growth_plans SET supervisor_agreed_at = ?,"
                                      " supervisor_agreed_by = ?, updated_at = ? WHERE id = ?",
                                      NULL, err, "ssss", now, who, now, id)
                        : store__exec(s,
                                      "UPDATE growth_plans SET leader_agreed_at = ?,"
                                      " updated_at = ? WHERE id = ?",
                                      NULL, err, "sss", now, now, id);

    if (rc == CF_OK)
        rc = store__exec(s,
                         "UPDATE growth_plans SET status = CASE WHEN leader_agreed_at IS NOT NULL"
                         " AND supervisor_agreed_at IS NOT NULL THEN 'agreed' ELSE 'draft' END"
                         " WHERE id = ? AND status <> 'closed'",
                         NULL, err, "s", id);
    return rc;
}

int store_plan_set_status(struct store *s, const char *id, const char *status, const char *now,
                          struct cf_error *err)
{
    return store__exec(s, "UPDATE growth_plans SET status = ?, updated_at = ? WHERE id = ?", NULL,
                       err, "sss", status, now, id);
}

/* --- goals -------------------------------------------------------------------------------- */

int store_plan_goals(struct store *s, const char *id, json_t **out, struct cf_error *err)
{
    return store__query(s,
                        "SELECT skill, name, current, target, weight, due_on, position"
                        " FROM growth_goals WHERE plan_id = ? ORDER BY position",
                        "skill,name,current#,target#,weight#,due_on,position#", out, err, "s", id);
}

int store_plan_goal_add(struct store *s, const char *id, const json_t *g, struct cf_error *err)
{
    return store__exec(s,
                       "INSERT INTO growth_goals (plan_id, skill, name, current, target, weight,"
                       " due_on, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       NULL, err, "sssiiisi", id, str(g, "skill"), str(g, "name"),
                       i64(g, "current"), i64(g, "target"), i64(g, "weight"), str(g, "due_on"),
                       i64(g, "position"));
}

int store_plan_goal_set(struct store *s, const char *id, const char *skill, long target,
                        const char *due_on, struct cf_error *err)
{
    int64_t n = 0;
    int rc = store__exec(s,
                         "UPDATE growth_goals SET target = ?, due_on = ?"
                         " WHERE plan_id = ? AND skill = ?",
                         &n, err, "lsss", target, due_on, id, skill);

    if (rc == CF_OK && n == 0)
        return cf_error_set(err, CF_ENOTFOUND, "skill", "The plan has no goal on that skill.");
    return rc;
}

int store_plan_goal_remove(struct store *s, const char *id, const char *skill, struct cf_error *err)
{
    int64_t n = 0;
    int rc = store__exec(s, "DELETE FROM growth_goals WHERE plan_id = ? AND skill = ?", &n, err,
                         "ss", id, skill);

    if (rc == CF_OK && n == 0)
        return cf_error_set(err, CF_ENOTFOUND, "skill", "The plan has no goal on that skill.");
    return rc;
}

/* --- activities --------------------------------------------------------------------------- */

int store_plan_activities(struct store *s, const char *id, json_t **out, struct cf_error *err)
{
    return store__query(s,
                        "SELECT id, plan_id, catalog_id, title, provider, format, half_hours, cost,"
                        " skills, ce_category, reason, source, status, completed_on,"
                        " ce_activity_id, position FROM growth_activities WHERE plan_id = ?"
                        " ORDER BY position, created_at, id",
                        ACT_COLS, out, err, "s", id);
}

int store_plan_activity_add(struct store *s, const json_t *a, const char *now, struct cf_error *err)
{
    return store__exec(s,
                       "INSERT INTO growth_activities (id, plan_id, catalog_id, title, provider,"
                       " format, half_hours, cost, skills, ce_category, reason, source, status,"
                       " position, created_at)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'planned', ?, ?)",
                       NULL, err, "ssssssiissssis", str(a, "id"), str(a, "plan_id"),
                       str(a, "catalog_id"), str(a, "title"), str(a, "provider"), str(a, "format"),
                       i64(a, "half_hours"), i64(a, "cost"), str(a, "skills"),
                       str(a, "ce_category"), str(a, "reason"), str(a, "source"),
                       i64(a, "position"), now);
}

int store_plan_activity_remove(struct store *s, const char *id, const char *act,
                               struct cf_error *err)
{
    int64_t n = 0;
    int rc = store__exec(s,
                         "DELETE FROM growth_activities WHERE plan_id = ? AND id = ?"
                         " AND status = 'planned'",
                         &n, err, "ss", id, act);

    if (rc == CF_OK && n == 0)
        return cf_error_set(err, CF_ECONFLICT, "activity",
                            "That activity is done or no longer in the plan; a done activity "
                            "stays on the record.");
    return rc;
}

int store_plan_activities_unpick(struct store *s, const char *id, struct cf_error *err)
{
    return store__exec(s,
                       "DELETE FROM growth_activities WHERE plan_id = ? AND source = 'recommended'"
                       " AND status = 'planned'",
                       NULL, err, "s", id);
}

int store_plan_activity_done(struct store *s, const char *act, const char *completed_on,
                             const char *ce_id, struct cf_error *err)
{
    return store__exec(s,
                       "UPDATE growth_activities SET status = 'done', completed_on ="
                       " COALESCE(?, completed_on), ce_activity_id = COALESCE(?, ce_activity_id)"
                       " WHERE id = ?",
                       NULL, err, "sss", completed_on, ce_id, act);
}

/* --- timeline ------------------------------------------------------------------------------ */

int store_plan_event_add(struct store *s, const char *id, const char *at, const char *actor,
                         const char *kind, const char *note, struct cf_error *err)
{
    return store__exec(s,
                       "INSERT INTO growth_events (plan_id, at, actor, kind, note)"
                       " VALUES (?, ?, ?, ?, ?)",
                       NULL, err, "sssss", id, at, actor, kind, note);
}

int store_plan_events(struct store *s, const char *id, json_t **out, struct cf_error *err)
{
    return store__query(s,
                        "SELECT ev.id, ev.at, ev.actor, COALESCE(p.name, ev.actor), ev.kind,"
                        " ev.note FROM growth_events ev LEFT JOIN people p ON p.id = ev.actor"
                        " WHERE ev.plan_id = ? ORDER BY ev.id",
                        "id#,at,actor,actor_name,kind,note", out, err, "s", id);
}
