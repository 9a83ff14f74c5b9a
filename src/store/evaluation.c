/*
 * evaluation.c — evaluations, their counted skills, raters, answers and
 * timeline (migration 019; docs/internals/evaluations.md). The rules of who
 * may do what are in core/evaluation.c; the svc checks them inside the
 * transaction these functions run in.
 */
#include "store/store_impl.h"

#include <string.h>

#define EVAL_LIST_MAX 500 /* evaluations a list shows at most */

#define EVAL_COLS                                                                                  \
    "id,org_id,subject_kind,subject_id,subject_name,purpose,title,framework_doc,rubric_id,"        \
    "levels#,status,blind#,due_on,opened_at,closed_at,created_by,created_at,updated_at"
#define EVAL_SELECT                                                                                \
    "SELECT e.id, e.org_id, e.subject_kind, e.subject_id, p.name, e.purpose, e.title,"             \
    " e.framework_doc, e.rubric_id, e.levels, e.status, e.blind, e.due_on, e.opened_at,"           \
    " e.closed_at, e.created_by, e.created_at, e.updated_at FROM evaluations e"                    \
    " LEFT JOIN people p ON e.subject_kind = 'person' AND p.id = e.subject_id"

#define RATER_COLS                                                                                 \
    "id,evaluation_id,kind,person_id,name,email,status,due_on,invited_at,started_at,"              \
    "submitted_at,reminded_at"
#define RATER_SELECT                                                                               \
    "SELECT id, evaluation_id, kind, person_id, name, email, status, due_on, invited_at,"          \
    " started_at, submitted_at, reminded_at FROM evaluation_raters"

/* The string k of o, or NULL. */
static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

int store_eval_insert(struct store *s, const json_t *row, struct cf_error *err)
{
    return store__exec(s,
                       "INSERT INTO evaluations (id, org_id, subject_kind, subject_id, purpose,"
                       " title, framework_doc, rubric_id, levels, status, blind, due_on,"
                       " created_by, created_at, updated_at)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?)",
                       NULL, err, "ssssssssiissss", str(row, "id"), str(row, "org_id"),
                       str(row, "subject_kind"), str(row, "subject_id"), str(row, "purpose"),
                       str(row, "title"), str(row, "framework_doc"), str(row, "rubric_id"),
                       (int64_t)json_integer_value(json_object_get(row, "levels")),
                       (int64_t)json_is_true(json_object_get(row, "blind")), str(row, "due_on"),
                       str(row, "created_by"), str(row, "created_at"), str(row, "created_at"));
}

int store_eval_get(struct store *s, const char *id, json_t **out, struct cf_error *err)
{
    return store__query_one(s, EVAL_SELECT " WHERE e.id = ?", EVAL_COLS, out, err, "s", id);
}

int store_eval_list(struct store *s, const json_t *orgs, long limit, json_t **out,
                    struct cf_error *err)
{
    json_t *all = NULL;
    int rc;

    *out = NULL;
    rc = store__query_ids(
        s, EVAL_SELECT " WHERE e.org_id" IDS_SQLITE " ORDER BY e.created_at DESC, e.id LIMIT 500",
        EVAL_SELECT " WHERE e.org_id" IDS_PG " ORDER BY e.created_at DESC, e.id LIMIT 500",
        EVAL_COLS, orgs, &all, err);
    if (rc != CF_OK)
        return rc;
    /* The statement's bound is the constant (EVAL_LIST_MAX); a smaller limit trims. */
    while (limit >= 0 && limit < EVAL_LIST_MAX && json_array_size(all) > (size_t)limit)
        json_array_remove(all, json_array_size(all) - 1);
    *out = all;
    return CF_OK;
}

int store_eval_set_status(struct store *s, const char *id, const char *from, const char *to,
                          const char *now, struct cf_error *err)
{
    int64_t n = 0;
    int rc = store__exec(s,
                         "UPDATE evaluations SET status = ?, updated_at = ?,"
                         " opened_at = CASE WHEN ? = 'open' THEN COALESCE(opened_at, ?)"
                         " ELSE opened_at END,"
                         " closed_at = CASE WHEN ? = 'closed' THEN ? ELSE closed_at END"
                         " WHERE id = ? AND status = ?",
                         &n, err, "ssssssss", to, now, to, now, to, now, id, from);

    if (rc == CF_OK && n == 0)
        return cf_error_set(err, CF_ECONFLICT, NULL,
                            "The evaluation changed meanwhile. Reload the page and try again.");
    return rc;
}

int store_eval_set_skills(struct store *s, const char *id, const json_t *skills,
                          struct cf_error *err)
{
    size_t i;
    json_t *k;
    int rc =
        store__exec(s, "DELETE FROM evaluation_skills WHERE evaluation_id = ?", NULL, err, "s", id);

    json_array_foreach(skills, i, k)
    {
        if (rc != CF_OK)
            break;
        rc = store__exec(s,
                         "INSERT INTO evaluation_skills (evaluation_id, item_id, weight, position)"
                         " VALUES (?, ?, ?, ?)",
                         NULL, err, "ssii", id, str(k, "item_id"),
                         (int64_t)json_integer_value(json_object_get(k, "weight")), (int64_t)i);
    }
    return rc;
}

int store_eval_skills(struct store *s, const char *id, json_t **out, struct cf_error *err)
{
    return store__query(s,
                        "SELECT item_id, weight, position FROM evaluation_skills"
                        " WHERE evaluation_id = ? ORDER BY position",
                        "item_id,weight#,position#", out, err, "s", id);
}

int store_eval_rater_insert(struct store *s, const json_t *row, const char *token_hash,
                            struct cf_error *err)
{
    int rc = store__exec(s,
                         "INSERT INTO evaluation_raters (id, evaluation_id, kind, person_id, name,"
                         " email, token_hash, status, due_on, invited_at)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?, 'invited', ?, ?)",
                         NULL, err, "sssssssss", str(row, "id"), str(row, "evaluation_id"),
                         str(row, "kind"), str(row, "person_id"), str(row, "name"),
                         str(row, "email"), token_hash, str(row, "due_on"), str(row, "invited_at"));

    if (rc == CF_ECONFLICT)
        return cf_error_set(err, CF_ECONFLICT, "person",
                            strcmp(str(row, "kind") != NULL ? str(row, "kind") : "", "self") == 0
                                ? "This evaluation already has a self-assessment."
                                : "This person is already a rater of this evaluation.");
    return rc;
}

int store_eval_rater_get(struct store *s, const char *id, json_t **out, struct cf_error *err)
{
    return store__query_one(s, RATER_SELECT " WHERE id = ?", RATER_COLS, out, err, "s", id);
}

int store_eval_rater_by_token(struct store *s, const char *token_hash, json_t **out,
                              struct cf_error *err)
{
    return store__query_one(s, RATER_SELECT " WHERE token_hash = ?", RATER_COLS, out, err, "s",
                            token_hash);
}

int store_eval_raters(struct store *s, const char *id, json_t **out, struct cf_error *err)
{
    return store__query(s,
                        RATER_SELECT " WHERE evaluation_id = ? ORDER BY CASE kind"
                                     " WHEN 'self' THEN 0 WHEN 'supervisor' THEN 1"
                                     " WHEN 'peer' THEN 2 ELSE 3 END, name, id",
                        RATER_COLS, out, err, "s", id);
}

int store_eval_rater_set_status(struct store *s, const char *id, const char *from, const char *to,
                                const char *now, struct cf_error *err)
{
    int64_t n = 0;
    int rc = store__exec(s,
                         "UPDATE evaluation_raters SET status = ?,"
                         " started_at = CASE WHEN ? = 'started' THEN COALESCE(started_at, ?)"
                         " ELSE started_at END,"
                         " submitted_at = CASE WHEN ? = 'submitted' THEN ? ELSE NULL END"
                         " WHERE id = ? AND status = ?",
                         &n, err, "sssssss", to, to, now, to, now, id, from);

    if (rc == CF_OK && n == 0)
        return cf_error_set(err, CF_ECONFLICT, NULL,
                            "These ratings changed meanwhile. Reload the page and try again.");
    return rc;
}

int store_eval_answer_save(struct store *s, const char *rater, const char *item, int level,
                           int no_basis, const char *note, const char *links, int64_t seen,
                           const char *now, int64_t *seq, struct cf_error *err)
{
    int64_t n = 0;
    int rc;

    *seq = 0;
    /* One statement either way, so two savers of one answer cannot both win: the insert
     * of a first answer meets the primary key, the update of a later one its seq. */
    if (seen == 0)
        rc = store__exec(
            s,
            "INSERT INTO evaluation_answers (rater_id, item_id, level, no_basis,"
            " note, links, seq, updated_at) VALUES (?, ?, NULLIF(?, 0), ?, ?, ?, 1, ?)",
            &n, err, "ssiisss", rater, item, (int64_t)level, (int64_t)no_basis, note, links, now);
    else
        rc = store__exec(
            s,
            "UPDATE evaluation_answers SET level = NULLIF(?, 0), no_basis = ?, note = ?,"
            " links = ?, seq = seq + 1, updated_at = ?"
            " WHERE rater_id = ? AND item_id = ? AND seq = ?",
            &n, err, "iisssssi", (int64_t)level, (int64_t)no_basis, note, links, now, rater, item,
            seen);
    if (rc == CF_ECONFLICT || (rc == CF_OK && n == 0))
        return cf_error_set(err, CF_ECONFLICT, "level",
                            "This answer was changed in another window meanwhile. Reload the"
                            " page to see it.");
    if (rc == CF_OK)
        *seq = seen + 1;
    return rc;
}

int store_eval_answers(struct store *s, const char *id, const char *rater, json_t **out,
                       struct cf_error *err)
{
    return store__query(s,
                        "SELECT a.rater_id, a.item_id, COALESCE(a.level, 0), a.no_basis, a.note,"
                        " a.links, a.seq, a.updated_at FROM evaluation_answers a"
                        " JOIN evaluation_raters r ON r.id = a.rater_id"
                        " WHERE r.evaluation_id = ? AND (? = '' OR a.rater_id = ?)"
                        " ORDER BY a.rater_id, a.item_id",
                        "rater_id,item_id,level#,no_basis#,note,links@,seq#,updated_at", out, err,
                        "sss", id, rater != NULL ? rater : "", rater != NULL ? rater : "");
}

int store_eval_event_add(struct store *s, const char *id, const char *rater, const char *at,
                         const char *actor, const char *kind, const char *note,
                         struct cf_error *err)
{
    return store__exec(s,
                       "INSERT INTO evaluation_events (evaluation_id, rater_id, at, actor, kind,"
                       " note) VALUES (?, ?, ?, ?, ?, ?)",
                       NULL, err, "ssssss", id, rater, at, actor, kind, note);
}

int store_eval_events(struct store *s, const char *id, json_t **out, struct cf_error *err)
{
    return store__query(s,
                        "SELECT e.id, e.rater_id, e.at, e.actor, pe.name, e.kind, e.note"
                        " FROM evaluation_events e"
                        " LEFT JOIN people pe ON e.actor = 'user:' || pe.id"
                        " WHERE e.evaluation_id = ? ORDER BY e.id",
                        "id#,rater_id,at,actor,actor_name,kind,note", out, err, "s", id);
}

int store_eval_lock(struct store *s, const char *id, struct cf_error *err)
{
    json_t *row = NULL;
    int rc;

    /* SQLite's write transaction (BEGIN IMMEDIATE) already lets one writer in at a time. */
    if (db_kind(s->db) != DB_PG)
        return CF_OK;
    rc = store__query_one(s, "SELECT id FROM evaluations WHERE id = ? FOR UPDATE", "id", &row, err,
                          "s", id);
    json_decref(row);
    return rc;
}

int store_eval_rater_set_token(struct store *s, const char *id, const char *token_hash,
                               const char *now, struct cf_error *err)
{
    return store__exec(
        s,
        "UPDATE evaluation_raters SET token_hash = COALESCE(?, token_hash), reminded_at = ?"
        " WHERE id = ?",
        NULL, err, "sss", token_hash, now, id);
}

int store_eval_rater_remove(struct store *s, const char *id, struct cf_error *err)
{
    int64_t n = 0;
    int rc =
        store__exec(s, "DELETE FROM evaluation_answers WHERE rater_id = ?", NULL, err, "s", id);

    /* The timeline keeps its entries (an invitation was sent), no longer tied to the rater. */
    if (rc == CF_OK)
        rc = store__exec(s, "UPDATE evaluation_events SET rater_id = NULL WHERE rater_id = ?", NULL,
                         err, "s", id);
    if (rc == CF_OK)
        rc = store__exec(s, "DELETE FROM evaluation_raters WHERE id = ? AND status = 'invited'", &n,
                         err, "s", id);
    if (rc == CF_OK && n == 0)
        return cf_error_set(err, CF_ECONFLICT, NULL,
                            "This rater has started, so they stay on the evaluation.");
    return rc;
}

int store_eval_mine(struct store *s, const char *person, json_t **out, struct cf_error *err)
{
    return store__query(s,
                        EVAL_SELECT " WHERE e.status <> 'draft' AND (e.subject_kind = 'person'"
                                    " AND e.subject_id = ? OR e.id IN (SELECT evaluation_id FROM"
                                    " evaluation_raters WHERE person_id = ?))"
                                    " ORDER BY e.created_at DESC, e.id LIMIT 500",
                        EVAL_COLS, out, err, "ss", person, person);
}

int store_eval_rater_of(struct store *s, const char *id, const char *person, json_t **out,
                        struct cf_error *err)
{
    return store__query_one(s, RATER_SELECT " WHERE evaluation_id = ? AND person_id = ?",
                            RATER_COLS, out, err, "ss", id, person);
}

int store_eval_list_all(struct store *s, long limit, json_t **out, struct cf_error *err)
{
    return store__query(s, EVAL_SELECT " ORDER BY e.created_at DESC, e.id LIMIT ?", EVAL_COLS, out,
                        err, "l", limit);
}

int store_eval_raters_due(struct store *s, const char *until, long limit, json_t **out,
                          struct cf_error *err)
{
    /* Raters of open evaluations, not submitted, whose due date (their own, else the
     * evaluation's) is on or before until: the tick decides which reminder is due. */
    return store__query(s,
                        "SELECT r.id, r.evaluation_id, r.kind, r.person_id, r.name, r.email,"
                        " r.status, COALESCE(r.due_on, e.due_on), r.invited_at, r.reminded_at,"
                        " e.title, e.org_id, p.name FROM evaluation_raters r"
                        " JOIN evaluations e ON e.id = r.evaluation_id"
                        " LEFT JOIN people p ON e.subject_kind = 'person' AND p.id = e.subject_id"
                        " WHERE e.status = 'open' AND r.status <> 'submitted'"
                        " AND COALESCE(r.due_on, e.due_on) IS NOT NULL"
                        " AND COALESCE(r.due_on, e.due_on) <= ? ORDER BY r.id LIMIT ?",
                        "id,evaluation_id,kind,person_id,name,email,status,due_on,invited_at,"
                        "reminded_at,title,org_id,subject_name",
                        out, err, "sl", until, limit);
}

int store_eval_export(struct store *s, const char *person, json_t **about, json_t **answers,
                      struct cf_error *err)
{
    int rc;

    *answers = NULL;
    rc = store__query(s,
                      "SELECT id, purpose, title, status, due_on, opened_at, closed_at, created_at"
                      " FROM evaluations WHERE subject_kind = 'person' AND subject_id = ?"
                      " ORDER BY created_at, id",
                      "id,purpose,title,status,due_on,opened_at,closed_at,created_at", about, err,
                      "s", person);
    if (rc == CF_OK)
        rc = store__query(s,
                          "SELECT r.evaluation_id, r.kind, r.status, a.item_id,"
                          " COALESCE(a.level, 0), a.no_basis, a.note, a.links, a.updated_at"
                          " FROM evaluation_raters r JOIN evaluation_answers a ON a.rater_id = r.id"
                          " WHERE r.person_id = ? ORDER BY r.evaluation_id, a.item_id",
                          "evaluation_id,kind,status,item_id,level#,no_basis#,note,links@,"
                          "updated_at",
                          answers, err, "s", person);
    if (rc != CF_OK) {
        json_decref(*about);
        *about = NULL;
    }
    return rc;
}

int store_eval_latest_closed(struct store *s, const char *person, json_t **out,
                             struct cf_error *err)
{
    return store__query_one(s,
                            "SELECT id, closed_at FROM evaluations WHERE subject_kind = 'person'"
                            " AND subject_id = ? AND status = 'closed'"
                            " ORDER BY closed_at DESC, id LIMIT 1",
                            "id,closed_at", out, err, "s", person);
}
