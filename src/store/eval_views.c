/*
 * eval_views.c — what the team heatmap and the aggregate views of evaluations
 * read (issue 9 point 6; docs/evaluations.md "Team and aggregate views"): for
 * every person in a scope, their latest closed evaluation's answers summed per
 * skill and rater kind, in one statement.
 */
#include "store/store_impl.h"

#include <string.h>

#define VIEW_COLS                                                                                  \
    "person_id,person_name,evaluation_id,framework_doc,levels#,closed_at,district_id,state_id,"    \
    "item_id,kind,total#,n#"

/*
 * The statement: one row per (person, skill, rater kind) of each person's
 * latest closed evaluation (latest by closed_at, then id, over every
 * organization), with the sum and count of the levels given. "No basis to
 * rate" and unanswered skills have no level and are left out; only counted
 * skills are read. The district of an evaluation run at a school is the
 * school's parent; its state is the district's parent. %s is the scope's
 * condition.
 *
 * Cost: the NOT EXISTS is answered from evaluations_subject for each closed
 * evaluation of the scope, and the rows read grow with the answers of those
 * latest evaluations (people x skills x raters); the rows returned with
 * people x skills x rater kinds (at most four). No query per person.
 */
#define VIEW_SQL(scope)                                                                            \
    "SELECT e.subject_id, p.name, e.id, e.framework_doc, e.levels, e.closed_at,"                   \
    " CASE WHEN o.kind = 'school' THEN o.parent_id ELSE o.id END,"                                 \
    " CASE WHEN o.kind = 'school' THEN op.parent_id ELSE o.parent_id END,"                         \
    " a.item_id, r.kind, SUM(a.level), COUNT(a.level)"                                             \
    " FROM evaluations e"                                                                          \
    " JOIN orgs o ON o.id = e.org_id"                                                              \
    " LEFT JOIN orgs op ON op.id = o.parent_id"                                                    \
    " JOIN people p ON p.id = e.subject_id"                                                        \
    " JOIN evaluation_raters r ON r.evaluation_id = e.id"                                          \
    " JOIN evaluation_answers a ON a.rater_id = r.id"                                              \
    " JOIN evaluation_skills k ON k.evaluation_id = e.id AND k.item_id = a.item_id"                \
    " WHERE e.status = 'closed' AND e.subject_kind = 'person' AND a.level IS NOT NULL"             \
    " AND p.status <> 'erased' AND o.kind IN ('district', 'school') AND " scope                    \
    " AND NOT EXISTS (SELECT 1 FROM evaluations e2 WHERE e2.subject_kind = 'person'"               \
    " AND e2.subject_id = e.subject_id AND e2.status = 'closed'"                                   \
    " AND (e2.closed_at > e.closed_at OR (e2.closed_at = e.closed_at AND e2.id > e.id)))"          \
    " GROUP BY e.subject_id, p.name, e.id, e.framework_doc, e.levels, e.closed_at, o.kind, o.id,"  \
    " o.parent_id, op.parent_id, a.item_id, r.kind"                                                \
    " ORDER BY p.name, e.subject_id, a.item_id, r.kind"

int store_eval_view_rows(struct store *s, const char *scope, const char *org, json_t **out,
                         struct cf_error *err)
{
    *out = NULL;
    if (scope != NULL && strcmp(scope, "district") == 0)
        return store__query(s, VIEW_SQL("(o.id = ? OR (o.kind = 'school' AND o.parent_id = ?))"),
                            VIEW_COLS, out, err, "ss", org, org);
    if (scope != NULL && strcmp(scope, "state") == 0)
        return store__query(s,
                            VIEW_SQL("((o.kind = 'district' AND o.parent_id = ?)"
                                     " OR (o.kind = 'school' AND op.parent_id = ?))"),
                            VIEW_COLS, out, err, "ss", org, org);
    if (scope != NULL && strcmp(scope, "all") == 0)
        return store__query(s, VIEW_SQL("1 = 1"), VIEW_COLS, out, err, "");
    return cf_error_set(err, CF_EINVAL, "scope", "The scope must be district, state or all.");
}
