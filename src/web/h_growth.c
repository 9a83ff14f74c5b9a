/*
 * h_growth.c — growth plans (issue 9 point 5): made from a closed
 * evaluation's page, listed at /plans, one plan's page with its goals,
 * activities, agreement and progress, its changes posted to /plans/{id}/act
 * (one form per change, each naming its action), and the plan as CSV or XLSX.
 * Thin: form → svc (svc/growth.c decides who may do what) → redirect or page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/web.h"

/* What a ?done= after a redirect says. */
static void notice(struct req *r, json_t *out)
{
    static const char *const words[][2] = {
        {"created", "The plan is proposed from the evaluation's gaps. Read it, change what you "
                    "need, then agree it."},
        {"goal", "The goal is changed. Both sides agree the plan again."},
        {"goal_removed", "The goal is removed. Both sides agree the plan again."},
        {"added", "The activity is added. Both sides agree the plan again."},
        {"removed", "The activity is removed. Both sides agree the plan again."},
        {"recommended", "The activities are recommended again for the hours and budget."},
        {"agreed_leader", "Your agreement is recorded."},
        {"agreed_supervisor", "The supervisor's agreement is recorded."},
        {"done", "The activity is marked done."},
        {"claimed", "The activity is claimed as continuing education; a reviewer approves it."},
        {"closed", "The plan is closed."},
    };
    const char *done = req_query(r, "done");

    for (size_t i = 0; done != NULL && i < sizeof words / sizeof words[0]; i++)
        if (strcmp(done, words[i][0]) == 0)
            json_object_set_new(out, "notice", json_string(words[i][1]));
}

int h_plans(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);

    return svc_plan_list(&sv, out, err);
}

static int plan_page(struct req *r, const char *id, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc = svc_plan_get(&sv, id, out, err);

    if (rc == CF_OK)
        notice(r, *out);
    return rc;
}

int h_plan(struct req *r, json_t **out, struct cf_error *err)
{
    return plan_page(r, r->params[0], out, err);
}

int h_plan_create(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc = svc_plan_create(&sv, r->params[0], r->form, out, err);

    if (rc == CF_OK) {
        req_redirect(r, arena_printf(r->arena, "/plans/%s?done=created",
                                     json_string_value(json_object_get(*out, "id"))));
        r->status_ok = 201;
        return rc;
    }
    /* The evaluation's page again, with the error and what was typed. */
    if (rc != CF_ENOTFOUND && svc_eval_get(&sv, r->params[0], &r->form_page, NULL) == CF_OK) {
        json_object_set(r->form_page, "typed", r->form != NULL ? r->form : json_null());
        json_object_set_new(r->form_page, "is_closed", json_true());
    }
    return rc;
}

int h_plan_act(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    const char *action = req_field(r, "action");
    json_t *in = json_deep_copy(r->form != NULL ? r->form : NULL);
    int rc;

    if (in == NULL)
        in = json_object();
    rc = svc_plan_act(&sv, r->params[0], action, in, out, err);
    json_decref(in);
    if (rc == CF_OK) {
        req_redirect(
            r, arena_printf(r->arena, "/plans/%s?done=%s#%s", r->params[0],
                            json_string_value(json_object_get(*out, "done")),
                            action != NULL &&
                                    (strcmp(action, "done") == 0 || strcmp(action, "claim") == 0 ||
                                     strcmp(action, "add") == 0 || strcmp(action, "remove") == 0 ||
                                     strcmp(action, "recommend") == 0)
                                ? "activities-title"
                                : "plan-title"));
        return rc;
    }
    if (rc != CF_ENOTFOUND && plan_page(r, r->params[0], &r->form_page, NULL) == CF_OK)
        json_object_set(r->form_page, "typed", r->form != NULL ? r->form : json_null());
    return rc;
}

/*
 * The plan as a download: ?format=csv or xlsx; ?part=goals the goals, else the activities
 * (what, hours, cost, skills, status, why).
 */
int h_plan_export(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    const char *format = req_query(r, "format"), *part = req_query(r, "part");
    json_t *view = NULL, *rep, *rows, *x;
    size_t i;
    int rc, goals = part != NULL && strcmp(part, "goals") == 0;

    (void)out;
    if (format == NULL || (strcmp(format, "csv") != 0 && strcmp(format, "xlsx") != 0))
        return cf_error_set(err, CF_EINVAL, "format", "Choose csv or xlsx as the format.");
    rc = svc_plan_get(&sv, r->params[0], &view, err);
    if (rc != CF_OK)
        return rc;
    rows = json_object_get(view, goals ? "goals" : "activities");
    /* Hours as a number a spreadsheet reads as one (the page shows text). */
    json_array_foreach(rows, i, x)
    {
        if (!goals)
            json_object_set_new(
                x, "hours_n",
                json_real((double)json_integer_value(json_object_get(x, "half_hours")) / 2.0));
    }
    if (goals)
        rep = json_pack("{s:s, s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s},"
                        " {s:s, s:s}], s:O}",
                        "report", "growth-plan-goals", "columns", "key", "skill", "label",
                        "Skill code", "key", "name", "label", "Skill", "key", "current_level",
                        "label", "Current level", "key", "target", "label", "Target level", "key",
                        "weight", "label", "Weight", "key", "due_on", "label", "Due", "rows", rows);
    else
        rep = json_pack("{s:s, s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s},"
                        " {s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s},"
                        " {s:s, s:s}], s:O}",
                        "report", "growth-plan-activities", "columns", "key", "title", "label",
                        "Activity", "key", "provider", "label", "Provider", "key", "format",
                        "label", "Format", "key", "hours_n", "label", "Hours", "key", "cost",
                        "label", "Cost (USD)", "key", "skills", "label", "Skills", "key",
                        "ce_category", "label", "CE category", "key", "source", "label", "Source",
                        "key", "status", "label", "Status", "key", "completed_on", "label",
                        "Completed on", "key", "reason", "label", "Why", "rows", rows);
    json_decref(view);
    if (rep == NULL)
        return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
    rc = req_report(
        r, rep, format,
        arena_printf(r->arena, "growth-plan-%s.%s", goals ? "goals" : "activities", format), err);
    json_decref(rep);
    return rc;
}
