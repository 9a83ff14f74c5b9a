/*
 * h_eval_views.c — evaluations across people (issue 9 point 6): the team
 * heatmap of a district (/evaluations/team) and the state and program
 * aggregates (/evaluations/aggregate) that show no group smaller than five.
 * Thin: query → svc → page or JSON (Accept: application/json).
 */
#include "web/web.h"

int h_eval_team(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);

    return svc_eval_team(&sv, req_query(r, "org"), out, err);
}

int h_eval_aggregate(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    const char *scope = req_query(r, "scope");
    int rc =
        svc_eval_aggregate(&sv, scope != NULL ? scope : "program", req_query(r, "org"), out, err);

    if (rc == CF_OK)
        json_object_set_new(*out, "is_state",
                            json_boolean(json_is_object(json_object_get(*out, "place"))));
    return rc;
}
