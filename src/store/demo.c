/*
 * demo.c — the rows of the demo program (issue 8 point 9), each marked
 * demo = 1, and their removal. svc/demo.c decides what they hold.
 */
#include "store/store_impl.h"

#include <string.h>

int store_demo_org(struct store *s, const struct store_demo_org *o, struct cf_error *err)
{
    return store__exec(s,
                       "INSERT INTO orgs (id, kind, name, parent_id, state_code, demo, created_at,"
                       " updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
                       NULL, err, "sssssss", o->id, o->kind, o->name, o->parent_id, o->state_code,
                       o->now, o->now);
}

int store_demo_person(struct store *s, const struct store_demo_person *p, struct cf_error *err)
{
    return store__exec(s,
                       "INSERT INTO people (id, email, name, org_id, status, pseudonym, demo,"
                       " created_at, updated_at) VALUES (?, ?, ?, ?, 'active', ?, 1, ?, ?)",
                       NULL, err, "sssssss", p->id, p->email, p->name, p->org_id, p->pseudonym,
                       p->now, p->now);
}

int store_demo_app(struct store *s, const struct store_demo_app *a, struct cf_error *err)
{
    return store__exec(s,
                       "INSERT INTO applications (id, program_id, person_id, status, path, data,"
                       " rules_version, submitted_at, decided_at, demo, created_at, updated_at)"
                       " VALUES (?, ?, ?, ?, ?, '{}', ?, ?, ?, 1, ?, ?)",
                       NULL, err, "sisssissss", a->id, a->program_id, a->person_id, a->status,
                       a->path, (int64_t)a->rules_version, a->submitted_at, a->decided_at, a->now,
                       a->now);
}

int store_demo_app_event(struct store *s, const struct store_demo_event *e, struct cf_error *err)
{
    return store__exec(s,
                       "INSERT INTO application_events (application_id, at, actor, kind, note)"
                       " VALUES (?, ?, 'demo', ?, ?)",
                       NULL, err, "ssss", e->parent_id, e->at, e->kind, e->reason);
}

int store_demo_auth(struct store *s, const struct store_demo_auth *a, struct cf_error *err)
{
    return store__exec(s,
                       "INSERT INTO authorizations (eligibility_id, application_id, person_id,"
                       " program_id, rules_version, issued_on, expires_on, status, demo,"
                       " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?)",
                       NULL, err, "sssiissss", a->eligibility_id, a->application_id, a->person_id,
                       a->program_id, (int64_t)a->rules_version, a->issued_on, a->expires_on,
                       a->status, a->now);
}

int store_demo_result(struct store *s, const struct store_demo_result *r, int64_t *id,
                      struct cf_error *err)
{
    json_t *row = NULL;
    int rc;

    *id = 0;
    rc = store__exec(s,
                     "INSERT INTO exam_results (eligibility_id, form, taken_on, scaled_score,"
                     " passed, retake_on, rules_version, demo, created_at)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)",
                     NULL, err, "sssiisis", r->eligibility_id, r->form, r->taken_on,
                     (int64_t)r->scaled_score, (int64_t)r->passed, r->retake_on,
                     (int64_t)r->rules_version, r->now);
    if (rc != CF_OK)
        return rc;
    rc = store__query_one(s,
                          "SELECT id FROM exam_results WHERE eligibility_id = ? AND form = ?"
                          " AND taken_on = ?",
                          "id#", &row, err, "sss", r->eligibility_id, r->form, r->taken_on);
    if (rc == CF_OK)
        *id = (int64_t)json_integer_value(json_object_get(row, "id"));
    json_decref(row);
    return rc;
}

int store_demo_cred(struct store *s, const struct store_demo_cred *c, struct cf_error *err)
{
    return store__exec(s,
                       "INSERT INTO credentials (id, number, program_id, person_id, result_id,"
                       " status, issued_on, term_start, expires_on, rules_version, listed, demo,"
                       " status_reason, created_at, updated_at)"
                       " VALUES (?, ?, ?, ?, NULLIF(?, 0), ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)",
                       NULL, err, "ssisissssiisss", c->id, c->number, c->program_id, c->person_id,
                       c->result_id, c->status, c->issued_on, c->term_start, c->expires_on,
                       (int64_t)c->rules_version, (int64_t)c->listed, c->reason, c->now, c->now);
}

int store_demo_cred_event(struct store *s, const struct store_demo_event *e, struct cf_error *err)
{
    return store__exec(s,
                       "INSERT INTO credential_events (credential_id, at, actor, kind, from_status,"
                       " to_status, expires_on, reason, rules_version)"
                       " VALUES (?, ?, 'demo', ?, ?, ?, ?, ?, ?)",
                       NULL, err, "sssssssi", e->parent_id, e->at, e->kind, e->from_status,
                       e->to_status, e->expires_on, e->reason, (int64_t)e->rules_version);
}

int store_demo_ce(struct store *s, const struct store_demo_ce *a, struct cf_error *err)
{
    return store__exec(s,
                       "INSERT INTO ce_activities (id, credential_id, category, title, provider,"
                       " completed_on, quantity, skills, source, status, rules_version, demo,"
                       " created_at, updated_at)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'holder', ?, ?, 1, ?, ?)",
                       NULL, err, "ssssssississ", a->id, a->credential_id, a->category, a->title,
                       a->provider, a->completed_on, (int64_t)a->quantity, a->skills, a->status,
                       (int64_t)a->rules_version, a->now, a->now);
}

int store_demo_program_id(struct store *s, const char *code, int64_t *id, struct cf_error *err)
{
    json_t *row = NULL;
    int rc =
        store__query_one(s, "SELECT id FROM programs WHERE code = ?", "id#", &row, err, "s", code);

    *id = rc == CF_OK ? (int64_t)json_integer_value(json_object_get(row, "id")) : 0;
    json_decref(row);
    return rc;
}

int store_demo_bulk(struct store *s, struct cf_error *err)
{
    /* The default cache (2 MB) spills a large transaction's pages to the WAL many times. */
    if (db_kind(s->db) != DB_SQLITE)
        return CF_OK;
    return db_exec(s->db, "PRAGMA cache_size = -262144", err);
}

int store_demo_count(struct store *s, long *n, struct cf_error *err)
{
    json_t *row = NULL;
    int rc = store__query_one(s,
                              "SELECT (SELECT COUNT(*) FROM people WHERE demo = 1)"
                              " + (SELECT COUNT(*) FROM orgs WHERE demo = 1)",
                              "n#", &row, err, "");

    *n = rc == CF_OK ? (long)json_integer_value(json_object_get(row, "n")) : 0;
    json_decref(row);
    return rc;
}

/*
 * The deletes, children first. Events and evidence-free CE activities go with
 * their demo parents; the org tree goes leaves first (schools, districts,
 * states), since an org's parent must exist while it does. What the running
 * system wrote about demo rows since the load (certificates, reminders and
 * renewal audits of demo credentials, supervisor links of demo applications,
 * conflicts declared about demo people or organizations) goes with them; the
 * outbox keeps its record of messages to demo people, unlinked from them, and
 * those not sent yet are no longer needed.
 */
#define DEMO_CREDS "(SELECT id FROM credentials WHERE demo = 1)"
static const struct {
    const char *table;
    const char *sql;
} REMOVE[] = {
    {"certificates", "DELETE FROM certificates WHERE credential_id IN " DEMO_CREDS},
    {"credential_reminders", "DELETE FROM credential_reminders WHERE credential_id IN " DEMO_CREDS},
    {"renewal_audits", "DELETE FROM renewal_audits WHERE credential_id IN " DEMO_CREDS},
    {"supervisor_recommendations", "DELETE FROM supervisor_recommendations WHERE application_id IN"
                                   " (SELECT id FROM applications WHERE demo = 1)"},
    {"review_conflicts", "DELETE FROM review_conflicts WHERE person_id IN"
                         " (SELECT id FROM people WHERE demo = 1) OR org_id IN"
                         " (SELECT id FROM orgs WHERE demo = 1)"},
    {"outbox", "UPDATE outbox SET status = CASE WHEN status = 'pending' THEN 'obsolete' ELSE"
               " status END, person_id = NULL WHERE person_id IN"
               " (SELECT id FROM people WHERE demo = 1)"},
    {"ce_activities", "DELETE FROM ce_activities WHERE demo = 1"},
    {"credential_events", "DELETE FROM credential_events WHERE credential_id IN"
                          " (SELECT id FROM credentials WHERE demo = 1)"},
    {"credentials", "DELETE FROM credentials WHERE demo = 1"},
    {"exam_results", "DELETE FROM exam_results WHERE demo = 1"},
    {"authorizations", "DELETE FROM authorizations WHERE demo = 1"},
    {"application_events", "DELETE FROM application_events WHERE application_id IN"
                           " (SELECT id FROM applications WHERE demo = 1)"},
    {"applications", "DELETE FROM applications WHERE demo = 1"},
/* issue 9: evaluations of demo people or run by demo organizations go whole; a demo
 * person's ratings in any other evaluation go with them (the timeline keeps its entry). */
#define DEMO_EVALS                                                                                 \
    "(SELECT id FROM evaluations WHERE org_id IN (SELECT id FROM orgs WHERE demo = 1) OR"          \
    " (subject_kind = 'person' AND subject_id IN (SELECT id FROM people WHERE demo = 1)))"
#define DEMO_RATERS                                                                                \
    "(SELECT id FROM evaluation_raters WHERE evaluation_id IN " DEMO_EVALS " OR person_id IN"      \
    " (SELECT id FROM people WHERE demo = 1))"
    /* issue 9 point 5: the growth plans of those evaluations */
    {"growth_events", "DELETE FROM growth_events WHERE plan_id IN (SELECT id FROM growth_plans"
                      " WHERE evaluation_id IN " DEMO_EVALS ")"},
    {"growth_activities", "DELETE FROM growth_activities WHERE plan_id IN (SELECT id FROM"
                          " growth_plans WHERE evaluation_id IN " DEMO_EVALS ")"},
    {"growth_goals", "DELETE FROM growth_goals WHERE plan_id IN (SELECT id FROM growth_plans"
                     " WHERE evaluation_id IN " DEMO_EVALS ")"},
    {"growth_plans", "DELETE FROM growth_plans WHERE evaluation_id IN " DEMO_EVALS},
    {"evaluation_answers", "DELETE FROM evaluation_answers WHERE rater_id IN " DEMO_RATERS},
    {"evaluation_events", "DELETE FROM evaluation_events WHERE evaluation_id IN " DEMO_EVALS},
    {"evaluation_events_unlinked",
     "UPDATE evaluation_events SET rater_id = NULL WHERE rater_id IN " DEMO_RATERS},
    {"evaluation_raters", "DELETE FROM evaluation_raters WHERE id IN " DEMO_RATERS},
    {"evaluation_skills", "DELETE FROM evaluation_skills WHERE evaluation_id IN " DEMO_EVALS},
    {"evaluations", "DELETE FROM evaluations WHERE id IN " DEMO_EVALS},
    {"people", "DELETE FROM people WHERE demo = 1"},
    {"schools", "DELETE FROM orgs WHERE demo = 1 AND kind = 'school'"},
    {"districts", "DELETE FROM orgs WHERE demo = 1 AND kind = 'district'"},
    {"states", "DELETE FROM orgs WHERE demo = 1"},
};

int store_demo_remove(struct store *s, json_t **out, struct cf_error *err)
{
    json_t *counts = json_object();
    int rc = counts != NULL
                 ? CF_OK
                 : cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");

    *out = NULL;
    /* On PostgreSQL a running server's tick may queue a renewal reminder for a demo
     * credential between the reminders' delete and the credentials' (a foreign key then
     * refuses the second). Holding the demo credentials first makes such an insert wait for
     * this transaction (its key check needs the row), after which it finds no credential. */
    if (rc == CF_OK && db_kind(s->db) == DB_PG) {
        json_t *held = NULL;

        rc = store__query(s, "SELECT id FROM credentials WHERE demo = 1 FOR UPDATE", "id", &held,
                          err, "");
        json_decref(held);
    }
    for (size_t i = 0; rc == CF_OK && i < sizeof REMOVE / sizeof REMOVE[0]; i++) {
        int64_t n = 0;

        rc = store__exec(s, REMOVE[i].sql, &n, err, "");
        /* A foreign key: a row that is not demo data refers to a demo row. */
        if (rc == CF_ECONFLICT || rc == CF_EDB)
            rc = cf_error_set(err, CF_ECONFLICT, NULL,
                              "Data that is not part of the demo refers to demo %s. Move or "
                              "delete it first, then remove the demo again.",
                              REMOVE[i].table);
        if (rc == CF_OK)
            json_object_set_new(counts, REMOVE[i].table, json_integer(n));
    }
    if (rc == CF_OK)
        *out = counts;
    else
        json_decref(counts);
    return rc;
}
