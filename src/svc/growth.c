/*
 * growth.c — growth plans (issue 9 point 5): goals proposed from a closed
 * evaluation's gaps, professional development activities recommended from
 * the PD catalog (core/recommend.h, solved exactly), edited and agreed by the
 * leader and the supervisor side, progress tracked, and a completed activity
 * claimed as continuing education on the leader's credential in one step.
 * docs/growth-plans.md says what users see; docs/internals/evaluations.md how
 * it is kept.
 *
 * Who. A plan is seen and edited by the leader it is for (the evaluation's
 * subject), the evaluation's supervisor raters and the administrators of
 * evaluations in its organization; anyone else gets 404. The leader agrees
 * for themselves; a supervisor rater or an administrator agrees for the
 * supervisor side. Only the leader claims CE: the claim is theirs
 * (svc_ce_log as the holder).
 *
 * Rules read from stored state (the version agreed to, an activity still
 * planned, one plan per evaluation) are checked inside the write transaction
 * with the plan's row held (store_plan_lock); any edit makes a new version
 * and clears both agreements, so an agreement always names what was agreed.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ce.h"
#include "core/pdcatalog.h"
#include "core/blueprint.h"
#include "core/program.h"
#include "core/recommend.h"
#include "lib/clock.h"
#include "svc/svc_impl.h"

#define PLAN_NODE_LIMIT 200000L /* recommender nodes per request (the page says when reached) */
#define PLAN_HOURS_MAX  1000    /* hours a plan may budget */
#define PLAN_BUDGET_MAX 1000000 /* dollars a plan may budget */
#define PLAN_TEXT_MAX   160     /* characters of an activity's title or provider */
#define REASON_MAX      1024

static const char NO_SUCH[] = "There is no such growth plan. Check the address.";

static int nomem(struct cf_error *err)
{
    return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
}

static const char *me(const struct svc *sv)
{
    return sv->who != NULL ? sv->who->person_id : NULL;
}

static long num(const json_t *o, const char *k)
{
    return (long)json_integer_value(json_object_get(o, k));
}

/* --- the PD catalog, read once ------------------------------------------------------------ */

static pthread_mutex_t pd_lock = PTHREAD_MUTEX_INITIALIZER;
static char pd_path[1024] = "data/pd-catalog.json";
static struct pd_catalog *pd_cat;
static int pd_tried;

void svc_pd_catalog_use(const char *path)
{
    pthread_mutex_lock(&pd_lock);
    if (pd_cat == NULL && path != NULL) {
        snprintf(pd_path, sizeof pd_path, "%s", path);
        pd_tried = 0;
    }
    pthread_mutex_unlock(&pd_lock);
}

/* The catalog (NULL with err set when it does not read: it was checked when shipped). */
static const struct pd_catalog *pd_catalog(struct cf_error *err)
{
    const struct pd_catalog *c;

    pthread_mutex_lock(&pd_lock);
    if (pd_cat == NULL && !pd_tried) {
        FILE *f = fopen(pd_path, "rb");

        pd_tried = 1;
        if (f != NULL) {
            char *data = malloc(PD_MAX_BYTES + 1);
            size_t n = data != NULL ? fread(data, 1, PD_MAX_BYTES + 1, f) : 0;

            if (data != NULL && n <= PD_MAX_BYTES)
                (void)pdcatalog_parse(data, n, &pd_cat, NULL);
            free(data);
            fclose(f);
        }
    }
    c = pd_cat;
    pthread_mutex_unlock(&pd_lock);
    if (c == NULL)
        cf_error_set(err, CF_EIO, NULL,
                     "The catalog of professional development (%s) cannot be read; run "
                     "`ctoframe pd recommend` to see why.",
                     pd_path);
    return c;
}

/* --- small readers --------------------------------------------------------------------------- */

/* A number field (JSON number or form text); *given 0 when absent or empty. */
static int number_of(const json_t *in, const char *k, double *v, int *given)
{
    const json_t *x = json_object_get(in, k);
    char *end;

    *given = 0;
    if (x == NULL || json_is_null(x))
        return 0;
    if (json_is_number(x)) {
        *v = json_number_value(x);
        *given = 1;
        return isfinite(*v) ? 0 : -1;
    }
    if (!json_is_string(x))
        return -1;
    if (json_string_value(x)[0] == '\0')
        return 0;
    *v = strtod(json_string_value(x), &end);
    *given = 1;
    while (*end == ' ')
        end++;
    return *end == '\0' && end != json_string_value(x) && isfinite(*v) ? 0 : -1;
}

/* A whole or half-hour amount of field k into *half (hours * 2) or *whole; dflt when absent. */
static int amount(const json_t *in, const char *k, double dflt, double max, int halves, long *out,
                  const char *label, struct cf_error *err)
{
    double v = dflt;
    int given;

    if (number_of(in, k, &v, &given) != 0 || v < 0 || v > max)
        return cf_error_set(err, CF_EINVAL, k, "Enter %s as a number from 0 to %g.", label, max);
    if (halves)
        *out = (long)floor(v * 2 + 1e-9);
    else if (fabs(v - floor(v)) > 1e-9)
        return cf_error_set(err, CF_EINVAL, k, "Enter %s in whole dollars.", label);
    else
        *out = (long)v;
    return CF_OK;
}

/* A date field (YYYY-MM-DD) or dflt when empty; *out its text. */
static int date_of(const json_t *in, const char *k, struct clock_date dflt, struct clock_date *d,
                   char out[CLOCK_DATE_LEN], const char *label, struct cf_error *err)
{
    const char *s = svc__str(in, k);

    *d = dflt;
    if (s != NULL && s[0] != '\0' && clock_date_parse(s, d) != 0)
        return cf_error_set(err, CF_EINVAL, k, "Enter %s as a date, as 2027-06-30.", label);
    clock_date_format(*d, out, CLOCK_DATE_LEN);
    return CF_OK;
}

/* The half-hours as text for people: "12", "1.5". */
static void hours_text(long half, char *out, size_t n)
{
    if (half % 2 == 0)
        snprintf(out, n, "%ld", half / 2);
    else
        snprintf(out, n, "%ld.5", half / 2);
}

/* --- who the viewer is to a plan -------------------------------------------------------------- */

struct pctx {
    json_t *plan;
    json_t *ev;
    int admin, leader, supervisor;
};

static void pctx_free(struct pctx *c)
{
    json_decref(c->plan);
    json_decref(c->ev);
    c->plan = c->ev = NULL;
}

/* Plan id as sv sees it; CF_ENOTFOUND when sv has no part in it. */
static int plan_load(const struct svc *sv, const char *id, struct pctx *c, struct cf_error *err)
{
    int rc;

    memset(c, 0, sizeof c[0]);
    if (id == NULL || strlen(id) != 36)
        return cf_error_set(err, CF_ENOTFOUND, NULL, NO_SUCH);
    rc = store_plan_get(sv->store, id, &c->plan, err);
    if (rc == CF_OK)
        rc = store_eval_get(sv->store, svc__str(c->plan, "evaluation_id"), &c->ev, err);
    if (rc == CF_ENOTFOUND)
        rc = cf_error_set(err, CF_ENOTFOUND, NULL, NO_SUCH);
    if (rc != CF_OK) {
        pctx_free(c);
        return rc;
    }
    c->admin = svc__can(sv, PERM_EVALUATIONS_MANAGE, svc__str(c->plan, "org_id"));
    if (me(sv) != NULL) {
        json_t *r = NULL;

        c->leader = strcmp(svc__str(c->plan, "person_id"), me(sv)) == 0;
        rc = store_eval_rater_of(sv->store, svc__str(c->plan, "evaluation_id"), me(sv), &r, err);
        if (rc == CF_OK)
            c->supervisor = strcmp(svc__str(r, "kind"), "supervisor") == 0;
        json_decref(r);
        if (rc == CF_ENOTFOUND)
            rc = CF_OK;
        if (rc != CF_OK) {
            pctx_free(c);
            return rc;
        }
    }
    if (!c->admin && !c->leader && !c->supervisor) {
        pctx_free(c);
        return cf_error_set(err, CF_ENOTFOUND, NULL, NO_SUCH);
    }
    return CF_OK;
}

/* The leader's credential a claim goes on: the newest not revoked or lapsed (NULL: none). */
static json_t *claim_credential(const struct svc *sv, const char *person)
{
    json_t *rows = NULL, *x, *found = NULL;
    size_t i;

    if (store_ce_credentials_of(sv->store, person, &rows, NULL) != CF_OK)
        return NULL;
    json_array_foreach(rows, i, x)
    {
        const char *st = svc__str(x, "status");

        if (st != NULL && strcmp(st, "revoked") != 0 && strcmp(st, "lapsed") != 0 &&
            strcmp(st, "suspended") != 0)
            found = x;
    }
    json_incref(found);
    json_decref(rows);
    return found;
}

/* --- recommending ------------------------------------------------------------------------------
 */

/* Why pick p was made, in a sentence or two. */
static void reason_of(const struct reco_pick *p, char *out, size_t n)
{
    size_t used = 0;

    out[0] = '\0';
    for (int j = 0; j < p->nparts && used < n; j++) {
        const struct reco_part *q = &p->parts[j];
        int w;

        if (q->closed <= 0)
            w = snprintf(out + used, n - used, "%s%s: its gap was already closed", j ? "; " : "",
                         pd_skill_codes[q->skill]);
        else
            w = snprintf(out + used, n - used, "%s%s: closes %g of the %g level%s still open",
                         j ? "; " : "", pd_skill_codes[q->skill], q->closed, q->gap_before,
                         fabs(q->gap_before - 1) < 1e-9 ? "" : "s");
        if (w < 0)
            return;
        used += (size_t)w;
    }
    if (used < n)
        snprintf(out + used, n - used,
                 ". Without it the plan would close %g less of the weighted gap.", p->marginal);
}

/*
 * Recommends activities for plan id into it (inside the transaction): the
 * recommended activities not yet done are taken out first; the activities
 * still in the plan count first (those from the catalog by their gains; the
 * plan's own only by their hours and cost). *proven as recommend() says.
 */
static int recommend_into(const struct svc *sv, const char *id, long half_hours, long budget,
                          const char *now, int *proven, struct cf_error *err)
{
    const struct pd_catalog *cat = pd_catalog(err);
    json_t *goals = NULL, *acts = NULL, *x, *row;
    unsigned char *status = NULL;
    struct reco_input in;
    struct reco_result res;
    long own_half = 0, own_cost = 0, chosen_half = 0, chosen_cost = 0, pos = 0;
    size_t i;
    int rc;

    memset(&in, 0, sizeof in);
    memset(&res, 0, sizeof res);
    *proven = 0;
    if (cat == NULL)
        return CF_EIO;
    rc = store_plan_activities_unpick(sv->store, id, err);
    if (rc == CF_OK)
        rc = store_plan_goals(sv->store, id, &goals, err);
    if (rc == CF_OK)
        rc = store_plan_activities(sv->store, id, &acts, err);
    if (rc != CF_OK)
        goto out;
    status = calloc((size_t)cat->n + 1, 1);
    if (status == NULL) {
        rc = nomem(err);
        goto out;
    }
    json_array_foreach(goals, i, x)
    {
        int s = pd_skill_index(svc__str(x, "skill"));
        double gap = (double)num(x, "target") - (double)num(x, "current") / 100.0;

        if (s < 0 || gap <= 0)
            continue;
        in.gap[s] = gap > RECO_GAP_MAX ? RECO_GAP_MAX : gap;
        in.weight[s] =
            (double)num(x, "weight") > RECO_WEIGHT_MAX ? RECO_WEIGHT_MAX : (double)num(x, "weight");
    }
    json_array_foreach(acts, i, x)
    {
        const char *cid = svc__str(x, "catalog_id");
        const struct pd_activity *a = cid != NULL ? pdcatalog_find(cat, cid) : NULL;

        if (num(x, "position") >= pos)
            pos = num(x, "position") + 1;
        if (a != NULL && status[a - cat->acts] != RECO_CHOSEN) {
            status[a - cat->acts] = RECO_CHOSEN;
            chosen_half += a->half_hours;
            chosen_cost += a->cost;
        } else if (a == NULL) {
            own_half += num(x, "half_hours");
            own_cost += num(x, "cost");
        }
    }
    if (own_half + chosen_half > half_hours || own_cost + chosen_cost > budget) {
        char h1[24], h2[24];

        hours_text(own_half + chosen_half, h1, sizeof h1);
        hours_text(half_hours, h2, sizeof h2);
        rc = cf_error_set(err, CF_ECONFLICT,
                          own_half + chosen_half > half_hours ? "hours" : "budget",
                          "The activities already in the plan take %s hours and $%ld, more than "
                          "the plan's %s hours and $%ld; raise the budget or remove an activity.",
                          h1, own_cost + chosen_cost, h2, budget);
        goto out;
    }
    in.half_hours = (int)(half_hours - own_half);
    in.cost = (int)(budget - own_cost);
    in.status = status;
    in.node_limit = PLAN_NODE_LIMIT;
    rc = recommend(cat, &in, &res, err);
    if (rc != CF_OK)
        goto out;
    *proven = res.proven;
    for (int k = 0; k < res.npicks && rc == CF_OK; k++) {
        const struct reco_pick *p = &res.picks[k];
        const struct pd_activity *a = &cat->acts[p->act];
        char aid[37], reason[REASON_MAX], skills[PD_NSKILLS * 8] = "";

        if (p->fixed)
            continue;
        for (int t = 0; t < a->nskills; t++) {
            size_t l = strlen(skills);

            snprintf(skills + l, sizeof skills - l, "%s%s", t ? ";" : "",
                     pd_skill_codes[a->skills[t]]);
        }
        reason_of(p, reason, sizeof reason);
        svc__uuid(aid);
        row = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:s, s:s, s:s, s:s, s:I}", "id",
                        aid, "plan_id", id, "catalog_id", a->id, "title", a->title, "provider",
                        a->provider, "format", a->format, "half_hours", a->half_hours, "cost",
                        a->cost, "skills", skills, "ce_category", a->ce_category, "reason", reason,
                        "source", "recommended", "position", (json_int_t)(pos + k));
        if (row == NULL)
            rc = nomem(err);
        else
            rc = store_plan_activity_add(sv->store, row, now, err);
        json_decref(row);
    }
    if (rc == CF_OK)
        rc = store_plan_set_budget(sv->store, id, half_hours, budget, res.proven, err);
out:
    reco_result_free(&res);
    free(status);
    json_decref(goals);
    json_decref(acts);
    return rc;
}

/* --- making a plan ------------------------------------------------------------------------------
 */

int svc_plan_create(const struct svc *sv, const char *evaluation, const json_t *in, json_t **out,
                    struct cf_error *err)
{
    json_t *view = NULL, *existing = NULL, *row = NULL, *skills, *x, *ev, *viewer, *res;
    struct svc_checks ck = {err, CF_OK};
    struct cf_error e;
    struct reco_goal goals[PD_NSKILLS];
    struct clock_date start;
    double current[PD_NSKILLS], target[PD_NSKILLS], weight[PD_NSKILLS], tgt = 3;
    char id[37], now[32], starts[CLOCK_DATE_LEN];
    long half = 0, budget = 0, months = 12, target_in = 0, levels;
    int rc, ngoals, proven = 0, given, crosswalk = 0;
    size_t i;

    *out = NULL;
    rc = svc_eval_get(sv, evaluation, &view, err);
    if (rc != CF_OK)
        return rc;
    ev = json_object_get(view, "evaluation");
    viewer = json_object_get(view, "viewer");
    levels = num(ev, "levels");
    if (!json_is_true(json_object_get(viewer, "admin")) &&
        !json_is_true(json_object_get(viewer, "subject")) &&
        (svc__str(viewer, "rater_kind") == NULL ||
         strcmp(svc__str(viewer, "rater_kind"), "supervisor") != 0)) {
        rc = cf_error_set(err, CF_EFORBIDDEN, NULL,
                          "A growth plan is made by the leader, their supervisor or the district's "
                          "administrator of evaluations.");
        goto out;
    }
    if (strcmp(svc__str(ev, "status"), "closed") != 0 ||
        (res = json_object_get(view, "results")) == NULL) {
        rc = cf_error_set(err, CF_ECONFLICT, NULL,
                          "A growth plan is made from the results of a closed evaluation; close "
                          "the evaluation first.");
        goto out;
    }

    /* The form: hours, budget, months, the target level, the first day. */
    cf_error_clear(&e);
    svc__check(&ck, amount(in, "hours", 40, PLAN_HOURS_MAX, 1, &half, "the hours", &e), &e);
    svc__check(&ck, amount(in, "budget", 2000, PLAN_BUDGET_MAX, 0, &budget, "the budget", &e), &e);
    {
        double v = 12;

        if (number_of(in, "months", &v, &given) != 0 || v < 1 || v > 120 || v != floor(v))
            svc__check(&ck,
                       cf_error_set(&e, CF_EINVAL, "months",
                                    "Enter the plan's length as a whole number of months from 1 "
                                    "to 120."),
                       &e);
        months = (long)v;
        tgt = levels > 2 ? (double)levels - 1 : 2;
        v = tgt;
        if (number_of(in, "target", &v, &given) != 0 || v < 1 || v > (double)levels ||
            v != floor(v))
            svc__check(&ck,
                       cf_error_set(&e, CF_EINVAL, "target",
                                    "Choose the target level from 1 to %ld of the rubric.", levels),
                       &e);
        target_in = (long)v;
    }
    svc__check(&ck,
               date_of(in, "starts_on", clock_date_of(clock_now()), &start, starts,
                       "the plan's first day", &e),
               &e);
    if (ck.rc != CF_OK) {
        rc = ck.rc;
        goto out;
    }

    /* Where the evaluation put each skill: the others' mean, or the self rating without one.
     * A 2009 evaluation is read in the current framework's terms through the crosswalk. */
    skills = json_object_get(res, "skills");
    if (json_object_get(res, "crosswalk") != NULL) {
        skills = json_object_get(json_object_get(res, "crosswalk"), "skills");
        crosswalk = 1;
    }
    for (int s = 0; s < PD_NSKILLS; s++) {
        current[s] = target[s] = (double)target_in;
        weight[s] = 0;
    }
    json_array_foreach(skills, i, x)
    {
        int s = pd_skill_index(svc__str(x, "code"));
        const json_t *o = json_object_get(x, "others_mean"), *sf = json_object_get(x, "self");

        if (s < 0 || (!json_is_number(o) && !json_is_number(sf)))
            continue;
        current[s] = json_number_value(json_is_number(o) ? o : sf);
        weight[s] = crosswalk ? (double)blueprint_weights[s] : (double)num(x, "weight");
    }
    ngoals = reco_goals(current, target, start, (int)months, goals);
    if (ngoals < 0) {
        rc = cf_error_set(err, CF_EINVAL, "months", "The plan's length does not give a real date.");
        goto out;
    }

    svc__uuid(id);
    clock_now_iso(now, sizeof now);
    rc = store_begin(sv->store, err);
    if (rc != CF_OK)
        goto out;
    rc = store_plan_of_evaluation(sv->store, evaluation, &existing, err);
    if (rc == CF_OK) {
        rc = cf_error_set(err, CF_ECONFLICT, NULL,
                          "This evaluation already has a growth plan: open it from the "
                          "evaluation's page.");
        json_object_set(view, "plan_id", json_object_get(existing, "id"));
    } else if (rc == CF_ENOTFOUND) {
        rc = CF_OK;
        cf_error_clear(err);
    }
    if (rc == CF_OK) {
        row = json_pack("{s:s, s:s, s:O, s:O, s:s, s:I, s:I, s:I, s:s?, s:s}", "id", id,
                        "evaluation_id", evaluation, "org_id", json_null(), "person_id",
                        json_null(), "starts_on", starts, "months", (json_int_t)months,
                        "half_hours", (json_int_t)half, "budget", (json_int_t)budget, "created_by",
                        me(sv), "created_at", now);
        if (row == NULL)
            rc = nomem(err);
    }
    if (rc == CF_OK) {
        /* org_id and person_id come from the evaluation row itself (the view is a reader's). */
        json_t *evrow = NULL;

        rc = store_eval_get(sv->store, evaluation, &evrow, err);
        if (rc == CF_OK) {
            json_object_set(row, "org_id", json_object_get(evrow, "org_id"));
            json_object_set(row, "person_id", json_object_get(evrow, "subject_id"));
            if (strcmp(svc__str(evrow, "subject_kind"), "person") != 0)
                rc = cf_error_set(err, CF_ECONFLICT, NULL,
                                  "A growth plan is for a person; this evaluation rates a "
                                  "candidate.");
        }
        json_decref(evrow);
    }
    if (rc == CF_OK)
        rc = store_plan_insert(sv->store, row, err);
    for (int g = 0; g < ngoals && rc == CF_OK; g++) {
        char due[CLOCK_DATE_LEN];
        const char *name = pd_skill_codes[goals[g].skill];
        json_t *gr;

        json_array_foreach(skills, i, x)
        {
            if (pd_skill_index(svc__str(x, "code")) == goals[g].skill && svc__str(x, "name"))
                name = svc__str(x, "name");
        }
        clock_date_format(goals[g].due, due, sizeof due);
        gr = json_pack("{s:s, s:s, s:I, s:I, s:I, s:s, s:i}", "skill",
                       pd_skill_codes[goals[g].skill], "name", name, "current",
                       (json_int_t)lround(goals[g].current * 100), "target",
                       (json_int_t)lround(goals[g].target), "weight",
                       (json_int_t)lround(weight[goals[g].skill]), "due_on", due, "position", g);
        rc = gr != NULL ? store_plan_goal_add(sv->store, id, gr, err) : nomem(err);
        json_decref(gr);
    }
    if (rc == CF_OK)
        rc = recommend_into(sv, id, half, budget, now, &proven, err);
    if (rc == CF_OK)
        rc = store_plan_event_add(sv->store, id, now, me(sv) != NULL ? me(sv) : sv->actor,
                                  "proposed", NULL, err);
    if (rc == CF_OK)
        rc = svc__audit(sv, svc__str(row, "org_id"), "plan.create", "growth_plan", id, NULL, row,
                        err);
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    if (rc == CF_OK) {
        *out = json_pack("{s:s, s:b}", "id", id, "proven", proven);
        if (*out == NULL)
            rc = nomem(err);
    }
out:
    json_decref(row);
    json_decref(existing);
    json_decref(view);
    return rc;
}

/* --- reading
 * ---------------------------------------------------------------------------------------- */

static const char *plan_status_label(const char *s)
{
    if (strcmp(s, "agreed") == 0)
        return "Agreed";
    if (strcmp(s, "closed") == 0)
        return "Closed";
    return "Draft";
}

static const char *event_words(const char *kind)
{
    static const char *const w[][2] = {
        {"proposed", "Plan proposed from the evaluation's gaps"},
        {"goal", "Goal changed"},
        {"goal_removed", "Goal removed"},
        {"added", "Activity added"},
        {"removed", "Activity removed"},
        {"recommended", "Activities recommended again"},
        {"agreed_leader", "Agreed by the leader"},
        {"agreed_supervisor", "Agreed for the supervisor"},
        {"done", "Activity completed"},
        {"claimed", "Claimed as continuing education"},
        {"closed", "Plan closed"},
    };

    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
        if (strcmp(kind, w[i][0]) == 0)
            return w[i][1];
    return kind;
}

/* The catalog as the add form offers it: [{id, title, provider, hours, cost, skills}]. */
static json_t *catalog_choices(const struct pd_catalog *cat, const json_t *acts)
{
    json_t *out = json_array(), *x;
    size_t i;

    for (int k = 0; cat != NULL && out != NULL && k < cat->n; k++) {
        const struct pd_activity *a = &cat->acts[k];
        char skills[PD_NSKILLS * 8] = "", h[24];
        int taken = 0;

        json_array_foreach(acts, i, x)
        {
            if (svc__str(x, "catalog_id") != NULL && strcmp(svc__str(x, "catalog_id"), a->id) == 0)
                taken = 1;
        }
        if (taken)
            continue;
        for (int t = 0; t < a->nskills; t++) {
            size_t l = strlen(skills);

            snprintf(skills + l, sizeof skills - l, "%s%s", t ? ", " : "",
                     pd_skill_codes[a->skills[t]]);
        }
        hours_text(a->half_hours, h, sizeof h);
        json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s, s:i, s:s}", "id", a->id, "title",
                                             a->title, "provider", a->provider, "hours", h, "cost",
                                             a->cost, "skills", skills));
    }
    return out;
}

int svc_plan_get(const struct svc *sv, const char *id, json_t **out, struct cf_error *err)
{
    struct pctx c;
    json_t *goals = NULL, *acts = NULL, *events = NULL, *cred = NULL, *x, *p;
    long half = 0, cost = 0, done_half = 0, done_n = 0;
    size_t i;
    int rc, closed, may_edit;
    char h[24];

    *out = NULL;
    rc = plan_load(sv, id, &c, err);
    if (rc != CF_OK)
        return rc;
    rc = store_plan_goals(sv->store, id, &goals, err);
    if (rc == CF_OK)
        rc = store_plan_activities(sv->store, id, &acts, err);
    if (rc == CF_OK)
        rc = store_plan_events(sv->store, id, &events, err);
    if (rc != CF_OK)
        goto out;
    p = c.plan;
    closed = strcmp(svc__str(p, "status"), "closed") == 0;
    may_edit = !closed;
    if (c.leader)
        cred = claim_credential(sv, me(sv));
    json_array_foreach(goals, i, x)
    {
        char cur[24], gap[24];
        double cv = (double)num(x, "current") / 100.0, gv = (double)num(x, "target") - cv;

        snprintf(cur, sizeof cur, "%.2f", cv);
        snprintf(gap, sizeof gap, "%.2f", gv > 0 ? gv : 0);
        json_object_set_new(x, "current_text", json_string(cur));
        json_object_set_new(x, "gap_text", json_string(gap));
        json_object_set_new(x, "current_level", json_real(cv));
    }
    json_array_foreach(acts, i, x)
    {
        int done = strcmp(svc__str(x, "status"), "done") == 0;
        const char *cat = svc__str(x, "ce_category");

        half += num(x, "half_hours");
        cost += num(x, "cost");
        if (done) {
            done_half += num(x, "half_hours");
            done_n++;
        }
        hours_text(num(x, "half_hours"), h, sizeof h);
        json_object_set_new(x, "hours", json_string(h));
        {
            /* "I.A;II.C" as people read it: "I.A, II.C". */
            char st[PD_NSKILLS * 8] = "";
            const char *sk = svc__str(x, "skills");

            for (size_t k = 0, o = 0; sk != NULL && sk[k] != '\0' && o + 3 < sizeof st; k++) {
                if (sk[k] == ';') {
                    st[o++] = ',';
                    st[o++] = ' ';
                } else
                    st[o++] = sk[k];
            }
            json_object_set_new(x, "skills_text", json_string(st));
        }
        json_object_set_new(x, "done", json_boolean(done));
        json_object_set_new(x, "recommended",
                            json_boolean(strcmp(svc__str(x, "source"), "recommended") == 0));
        json_object_set_new(x, "claimed", json_boolean(svc__str(x, "ce_activity_id") != NULL));
        json_object_set_new(x, "may_remove", json_boolean(may_edit && !done));
        json_object_set_new(x, "may_done", json_boolean(!closed && !done));
        json_object_set_new(x, "may_claim",
                            json_boolean(c.leader && cred != NULL && done &&
                                         svc__str(x, "ce_activity_id") == NULL && cat != NULL &&
                                         cat[0] != '\0'));
    }
    json_array_foreach(events, i, x)
    {
        json_object_set_new(x, "words", json_string(event_words(svc__str(x, "kind"))));
    }
    {
        struct clock_date start, end;
        char ends[CLOCK_DATE_LEN] = "", th[24], dh[24];
        json_t *plan, *viewer;
        int leader_agreed = svc__str(p, "leader_agreed_at") != NULL,
            sup_agreed = svc__str(p, "supervisor_agreed_at") != NULL;
        const json_t *pv = json_object_get(p, "proven");

        if (clock_date_parse(svc__str(p, "starts_on"), &start) == 0) {
            end = start;
            end.m += (int)num(p, "months");
            end.y += (end.m - 1) / 12;
            end.m = (end.m - 1) % 12 + 1;
            if (end.d > clock_month_days(end.y, end.m))
                end.d = clock_month_days(end.y, end.m);
            clock_date_format(end, ends, sizeof ends);
        }
        hours_text(num(p, "half_hours"), h, sizeof h);
        hours_text(half, th, sizeof th);
        hours_text(done_half, dh, sizeof dh);
        plan = json_deep_copy(p);
        json_object_set_new(plan, "status_label",
                            json_string(plan_status_label(svc__str(p, "status"))));
        json_object_set_new(plan, "ends_on", json_string(ends));
        json_object_set_new(plan, "hours", json_string(h));
        json_object_set_new(plan, "levels", json_integer(num(c.ev, "levels")));
        json_object_set_new(plan, "proven_optimal",
                            json_boolean(json_is_integer(pv) && json_integer_value(pv) == 1));
        json_object_set_new(plan, "not_proven",
                            json_boolean(json_is_integer(pv) && json_integer_value(pv) == 0));
        viewer =
            json_pack("{s:b, s:b, s:b, s:b, s:b, s:b, s:b}", "admin", c.admin, "leader", c.leader,
                      "supervisor", c.supervisor, "may_edit", may_edit, "may_agree_leader",
                      c.leader && !leader_agreed && !closed, "may_agree_supervisor",
                      (c.supervisor || c.admin) && !sup_agreed && !closed, "may_close",
                      (c.supervisor || c.admin) && !closed);
        *out = json_pack(
            "{s:o, s:o, s:O, s:O, s:O, s:{s:s, s:I, s:s, s:I, s:I, s:b, s:b},"
            " s:o, s:o, s:b, s:b}",
            "plan", plan, "viewer", viewer, "goals", goals, "activities", acts, "events", events,
            "totals", "hours", th, "cost", (json_int_t)cost, "done_hours", dh, "done",
            (json_int_t)done_n, "activities", (json_int_t)json_array_size(acts), "over_hours",
            half > num(p, "half_hours"), "over_budget", cost > num(p, "budget"), "catalog",
            may_edit ? catalog_choices(pd_catalog(NULL), acts) : json_array(), "credential",
            cred != NULL ? json_pack("{s:O, s:O}", "number", json_object_get(cred, "number"),
                                     "status", json_object_get(cred, "status"))
                         : json_null(),
            "has_goals", json_array_size(goals) > 0, "has_activities", json_array_size(acts) > 0);
        if (*out == NULL)
            rc = nomem(err);
    }
    /* The CE categories an own activity may name: those of the leader's program (CETL when
     * they hold no credential). */
    if (rc == CF_OK && may_edit) {
        struct program *prog = malloc(sizeof *prog);
        json_t *cats = json_array();

        if (prog != NULL && cats != NULL &&
            svc__program_rules(sv, cred != NULL ? svc__str(cred, "program_code") : "CETL", 0, prog,
                               NULL, NULL) == CF_OK)
            for (int k = 0; k < prog->ncats; k++)
                json_array_append_new(cats, json_pack("{s:s, s:s}", "code", prog->cats[k].code,
                                                      "label", prog->cats[k].label));
        json_object_set_new(*out, "ce_categories", cats != NULL ? cats : json_array());
        free(prog);
    }
out:
    json_decref(cred);
    json_decref(goals);
    json_decref(acts);
    json_decref(events);
    pctx_free(&c);
    return rc;
}

int svc_plan_of_evaluation(const struct svc *sv, const char *evaluation, json_t **out,
                           struct cf_error *err)
{
    json_t *row = NULL;
    int rc = store_plan_of_evaluation(sv->store, evaluation, &row, err);

    *out = NULL;
    if (rc == CF_ENOTFOUND) {
        cf_error_clear(err);
        *out = json_null();
        return CF_OK;
    }
    if (rc == CF_OK)
        *out = json_pack("{s:O, s:O, s:s}", "id", json_object_get(row, "id"), "status",
                         json_object_get(row, "status"), "status_label",
                         plan_status_label(svc__str(row, "status")));
    json_decref(row);
    return rc != CF_OK ? rc : *out != NULL ? CF_OK : nomem(err);
}

int svc_plan_list(const struct svc *sv, json_t **out, struct cf_error *err)
{
    json_t *mine = NULL, *managed = NULL, *orgs = json_array(), *x;
    size_t i;
    int rc = CF_OK;

    *out = NULL;
    if (orgs == NULL)
        return nomem(err);
    if (me(sv) != NULL)
        rc = store_plan_mine(sv->store, me(sv), &mine, err);
    else
        mine = json_array();
    /* Plans of the organizations where sv manages evaluations, cut to them in SQL. */
    if (rc == CF_OK)
        rc = svc__reach_ids(sv, PERM_EVALUATIONS_MANAGE, orgs)
                 ? store_plan_list_all(sv->store, &managed, err)
                 : store_plan_list(sv->store, orgs, &managed, err);
    if (rc == CF_OK) {
        json_array_foreach(mine, i, x)
        {
            json_object_set_new(x, "status_label",
                                json_string(plan_status_label(svc__str(x, "status"))));
        }
        json_array_foreach(managed, i, x)
        {
            json_object_set_new(x, "status_label",
                                json_string(plan_status_label(svc__str(x, "status"))));
        }
        *out = json_pack("{s:O, s:O, s:b, s:b}", "mine", mine, "managed", managed, "has_mine",
                         json_array_size(mine) > 0, "has_managed", json_array_size(managed) > 0);
        if (*out == NULL)
            rc = nomem(err);
    }
    json_decref(orgs);
    json_decref(mine);
    json_decref(managed);
    return rc;
}

/* --- changing
 * ------------------------------------------------------------------------------------- */

/* The activity act of the plan's list acts, or NULL. */
static json_t *activity_of(const json_t *acts, const char *act)
{
    json_t *x;
    size_t i;

    json_array_foreach(acts, i, x)
    {
        if (act != NULL && strcmp(svc__str(x, "id"), act) == 0)
            return x;
    }
    return NULL;
}

/* Claims done activity a as CE on the leader's credential (inside the transaction). */
static int claim(const struct svc *sv, const json_t *a, char ce_id[37], struct cf_error *err)
{
    json_t *cred = claim_credential(sv, me(sv)), *in = NULL, *o = NULL;
    const struct program_category *pc;
    struct program prog;
    char hours[24];
    int rc;

    if (cred == NULL)
        return cf_error_set(err, CF_ECONFLICT, NULL,
                            "You hold no credential in force to claim continuing education on.");
    if (svc__str(a, "ce_category") == NULL || svc__str(a, "ce_category")[0] == '\0') {
        json_decref(cred);
        return cf_error_set(err, CF_ECONFLICT, "activity",
                            "This activity names no continuing-education category; log it on "
                            "your credential's page instead.");
    }
    rc = svc__program_rules(sv, svc__str(cred, "program_code"), 0, &prog, NULL, err);
    if (rc != CF_OK) {
        json_decref(cred);
        return rc;
    }
    pc = program_category(&prog, svc__str(a, "ce_category"));
    /* The quantity the category counts: the hours, or one item or membership-year. */
    if (pc != NULL && pc->unit != PROGRAM_PER_HOUR)
        snprintf(hours, sizeof hours, "1");
    else
        hours_text(num(a, "half_hours"), hours, sizeof hours);
    in = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "category", svc__str(a, "ce_category"),
                   "title", svc__str(a, "title"), "provider",
                   svc__str(a, "provider") != NULL ? svc__str(a, "provider") : "", "completed_on",
                   svc__str(a, "completed_on"), "hours", hours, "skills", svc__str(a, "skills"));
    if (in == NULL)
        rc = nomem(err);
    else
        rc = svc_ce_log(sv, svc__str(cred, "number"), in, NULL, &o, err);
    if (rc == CF_OK)
        snprintf(ce_id, 37, "%s", svc__str(o, "id"));
    json_decref(o);
    json_decref(in);
    json_decref(cred);
    return rc;
}

/* An own activity of the plan from the add form (in): checked field by field. */
static int own_activity(const json_t *in, json_t *row, struct cf_error *err)
{
    struct svc_checks ck = {err, CF_OK};
    struct cf_error e;
    char title[PLAN_TEXT_MAX * 4 + 1], provider[PLAN_TEXT_MAX * 4 + 1], skills[PD_NSKILLS * 8] = "";
    char category[PD_CODE_MAX] = "";
    const char *sk = svc__str(in, "skills"), *cat = svc__str(in, "ce_category");
    long half = 0, cost = 0;
    int n = 0, bad = 0, seen[PD_NSKILLS] = {0};

    cf_error_clear(&e);
    svc__check(
        &ck,
        svc__text(in, "title", 1, PLAN_TEXT_MAX, "the activity's title", title, sizeof title, &e),
        &e);
    svc__check(
        &ck,
        svc__text(in, "provider", 0, PLAN_TEXT_MAX, "the provider", provider, sizeof provider, &e),
        &e);
    if (amount(in, "hours", -1, PD_HALF_HOURS_MAX / 2, 1, &half, "the hours", &e) != CF_OK ||
        half <= 0)
        svc__check(&ck,
                   cf_error_set(&e, CF_EINVAL, "hours",
                                "Enter the hours as a number from 0.5 to %d.",
                                PD_HALF_HOURS_MAX / 2),
                   &e);
    svc__check(&ck, amount(in, "cost", 0, PD_COST_MAX, 0, &cost, "the cost", &e), &e);
    /* Skill codes separated by ';' or ',' (or spaces). */
    if (sk != NULL) {
        char buf[256], *save = NULL, *t;

        snprintf(buf, sizeof buf, "%s", sk);
        for (t = strtok_r(buf, ";, ", &save); t != NULL; t = strtok_r(NULL, ";, ", &save)) {
            int s = pd_skill_index(t);

            if (s < 0) {
                bad = 1;
                continue;
            }
            if (!seen[s]) {
                size_t l = strlen(skills);

                seen[s] = 1;
                snprintf(skills + l, sizeof skills - l, "%s%s", n ? ";" : "", pd_skill_codes[s]);
                n++;
            }
        }
    }
    if (bad || n == 0)
        svc__check(&ck,
                   cf_error_set(&e, CF_EINVAL, "skills",
                                "Name the skill areas the activity serves by their codes (I.A to "
                                "III.D), separated by ';'."),
                   &e);
    if (cat != NULL && cat[0] != '\0') {
        if (strlen(cat) >= sizeof category)
            svc__check(&ck,
                       cf_error_set(&e, CF_EINVAL, "ce_category",
                                    "Choose a continuing-education category from the list."),
                       &e);
        else
            snprintf(category, sizeof category, "%s", cat);
    }
    if (ck.rc != CF_OK)
        return ck.rc;
    json_object_set_new(row, "title", json_string(title));
    json_object_set_new(row, "provider", json_string(provider));
    json_object_set_new(row, "format", json_string("own"));
    json_object_set_new(row, "half_hours", json_integer(half));
    json_object_set_new(row, "cost", json_integer(cost));
    json_object_set_new(row, "skills", json_string(skills));
    if (category[0] != '\0')
        json_object_set_new(row, "ce_category", json_string(category));
    json_object_set_new(row, "source", json_string("added"));
    return CF_OK;
}

/* Adds an activity: from the catalog (in.catalog) or the plan's own. */
static int add_activity(const struct svc *sv, const char *id, const json_t *acts, const json_t *in,
                        const char *now, char *what, size_t wn, struct cf_error *err)
{
    const char *cid = svc__str(in, "catalog");
    json_t *row, *x;
    char aid[37];
    long pos = 0;
    size_t i;
    int rc = CF_OK;

    json_array_foreach(acts, i, x)
    {
        if (num(x, "position") >= pos)
            pos = num(x, "position") + 1;
    }
    svc__uuid(aid);
    row = json_pack("{s:s, s:s, s:I}", "id", aid, "plan_id", id, "position", (json_int_t)pos);
    if (row == NULL)
        return nomem(err);
    if (cid != NULL && cid[0] != '\0') {
        const struct pd_catalog *cat = pd_catalog(err);
        const struct pd_activity *a = cat != NULL ? pdcatalog_find(cat, cid) : NULL;
        char skills[PD_NSKILLS * 8] = "";

        if (cat == NULL)
            rc = CF_EIO;
        else if (a == NULL)
            rc = cf_error_set(err, CF_EINVAL, "catalog", "Choose an activity of the catalog.");
        json_array_foreach(acts, i, x)
        {
            if (rc == CF_OK && svc__str(x, "catalog_id") != NULL &&
                strcmp(svc__str(x, "catalog_id"), cid) == 0)
                rc = cf_error_set(err, CF_ECONFLICT, "catalog",
                                  "That activity is already in the plan.");
        }
        if (rc == CF_OK) {
            for (int t = 0; t < a->nskills; t++) {
                size_t l = strlen(skills);

                snprintf(skills + l, sizeof skills - l, "%s%s", t ? ";" : "",
                         pd_skill_codes[a->skills[t]]);
            }
            json_object_set_new(row, "catalog_id", json_string(a->id));
            json_object_set_new(row, "title", json_string(a->title));
            json_object_set_new(row, "provider", json_string(a->provider));
            json_object_set_new(row, "format", json_string(a->format));
            json_object_set_new(row, "half_hours", json_integer(a->half_hours));
            json_object_set_new(row, "cost", json_integer(a->cost));
            json_object_set_new(row, "skills", json_string(skills));
            json_object_set_new(row, "ce_category", json_string(a->ce_category));
            json_object_set_new(row, "source", json_string("added"));
        }
    } else
        rc = own_activity(in, row, err);
    if (rc == CF_OK)
        rc = store_plan_activity_add(sv->store, row, now, err);
    if (rc == CF_OK)
        snprintf(what, wn, "%s", svc__str(row, "title"));
    json_decref(row);
    return rc;
}

int svc_plan_act(const struct svc *sv, const char *id, const char *action, const json_t *in,
                 json_t **out, struct cf_error *err)
{
    struct pctx c;
    json_t *acts = NULL, *a = NULL, *before = NULL;
    char now[32], note[PLAN_TEXT_MAX * 4 + 64] = "", kind[32] = "", ce_id[37] = "";
    const char *act = svc__str(in, "activity"), *status;
    double ver = 0;
    int rc, given = 0, edit = 0;

    *out = NULL;
    memset(&c, 0, sizeof c);
    if (action == NULL)
        action = "";
    clock_now_iso(now, sizeof now);
    rc = store_begin(sv->store, err);
    if (rc != CF_OK)
        return rc;
    if (id != NULL && strlen(id) == 36)
        rc = store_plan_lock(sv->store, id, err);
    if (rc == CF_OK || rc == CF_ENOTFOUND)
        rc = plan_load(sv, id, &c, err);
    if (rc == CF_OK)
        rc = store_plan_activities(sv->store, id, &acts, err);
    if (rc != CF_OK)
        goto out;
    before = json_deep_copy(c.plan);
    status = svc__str(c.plan, "status");
    if (number_of(in, "version", &ver, &given) != 0) {
        rc = cf_error_set(err, CF_EINVAL, "version", "The plan's version must be a number.");
        goto out;
    }
    if (given && (long)ver != num(c.plan, "version")) {
        rc = cf_error_set(err, CF_ECONFLICT, "version",
                          "The plan changed since you opened it (it is now version %ld); look at "
                          "it again before you %s.",
                          num(c.plan, "version"),
                          strcmp(action, "agree") == 0 ? "agree" : "change it");
        goto out;
    }
    if (strcmp(status, "closed") == 0) {
        rc = cf_error_set(err, CF_ECONFLICT, NULL, "The plan is closed; it can no longer change.");
        goto out;
    }

    if (strcmp(action, "goal") == 0) {
        const char *skill = svc__str(in, "skill");
        const char *rm = svc__str(in, "remove");

        edit = 1;
        if (skill == NULL || pd_skill_index(skill) < 0) {
            rc = cf_error_set(err, CF_EINVAL, "skill", "Choose the goal's skill.");
        } else if (rm != NULL && rm[0] != '\0' && strcmp(rm, "0") != 0) {
            rc = store_plan_goal_remove(sv->store, id, skill, err);
            snprintf(kind, sizeof kind, "goal_removed");
            snprintf(note, sizeof note, "%s", skill);
        } else {
            struct svc_checks ck = {err, CF_OK};
            struct cf_error e;
            struct clock_date due, start;
            char dues[CLOCK_DATE_LEN];
            double t = 0;
            long levels = num(c.ev, "levels");

            cf_error_clear(&e);
            if (number_of(in, "target", &t, &given) != 0 || !given || t < 1 || t > (double)levels ||
                t != floor(t))
                svc__check(&ck,
                           cf_error_set(&e, CF_EINVAL, "target",
                                        "Choose the target level from 1 to %ld.", levels),
                           &e);
            (void)clock_date_parse(svc__str(c.plan, "starts_on"), &start);
            svc__check(
                &ck, date_of(in, "due_on", start, &due, dues, "the date the goal is due", &e), &e);
            if (svc__str(in, "due_on") == NULL || svc__str(in, "due_on")[0] == '\0')
                svc__check(&ck,
                           cf_error_set(&e, CF_EINVAL, "due_on",
                                        "Enter the date the goal is due, as 2027-06-30."),
                           &e);
            else if (clock_date_cmp(due, start) < 0)
                svc__check(&ck,
                           cf_error_set(&e, CF_EINVAL, "due_on",
                                        "The goal cannot be due before the plan starts (%s).",
                                        svc__str(c.plan, "starts_on")),
                           &e);
            rc = ck.rc;
            if (rc == CF_OK)
                rc = store_plan_goal_set(sv->store, id, skill, (long)t, dues, err);
            snprintf(kind, sizeof kind, "goal");
            snprintf(note, sizeof note, "%s: level %ld by %s", skill, (long)t, dues);
        }
    } else if (strcmp(action, "add") == 0) {
        char what[PLAN_TEXT_MAX * 4 + 1] = "";

        edit = 1;
        rc = add_activity(sv, id, acts, in, now, what, sizeof what, err);
        snprintf(kind, sizeof kind, "added");
        snprintf(note, sizeof note, "%s", what);
    } else if (strcmp(action, "remove") == 0) {
        edit = 1;
        a = activity_of(acts, act);
        if (a == NULL)
            rc = cf_error_set(err, CF_ENOTFOUND, "activity", "The plan has no such activity.");
        else
            rc = store_plan_activity_remove(sv->store, id, act, err);
        snprintf(kind, sizeof kind, "removed");
        snprintf(note, sizeof note, "%s", a != NULL ? svc__str(a, "title") : "");
    } else if (strcmp(action, "recommend") == 0) {
        struct svc_checks ck = {err, CF_OK};
        struct cf_error e;
        long half = 0, budget = 0;
        int proven = 0;

        edit = 1;
        cf_error_clear(&e);
        svc__check(&ck,
                   amount(in, "hours", (double)num(c.plan, "half_hours") / 2, PLAN_HOURS_MAX, 1,
                          &half, "the hours", &e),
                   &e);
        svc__check(&ck,
                   amount(in, "budget", (double)num(c.plan, "budget"), PLAN_BUDGET_MAX, 0, &budget,
                          "the budget", &e),
                   &e);
        rc = ck.rc;
        if (rc == CF_OK)
            rc = recommend_into(sv, id, half, budget, now, &proven, err);
        snprintf(kind, sizeof kind, "recommended");
        {
            char h[24];

            hours_text(half, h, sizeof h);
            snprintf(note, sizeof note, "%s hours, $%ld%s", h, budget,
                     proven ? "" : " (not proven optimal)");
        }
    } else if (strcmp(action, "agree") == 0) {
        const char *side = svc__str(in, "side");
        int sup;

        if (!given) {
            rc = cf_error_set(err, CF_EINVAL, "version",
                              "Say which version of the plan you agree to.");
            goto out;
        }
        /* The side: as asked, else the leader's for the leader and the supervisor's for others. */
        sup = side != NULL && side[0] != '\0' ? strcmp(side, "supervisor") == 0 : !c.leader;
        if (sup && !c.supervisor && !c.admin)
            rc = cf_error_set(err, CF_EFORBIDDEN, "side",
                              "Only the supervisor or an administrator agrees for the supervisor.");
        else if (!sup && !c.leader)
            rc = cf_error_set(err, CF_EFORBIDDEN, "side", "Only the leader agrees for themselves.");
        else if (svc__str(c.plan, sup ? "supervisor_agreed_at" : "leader_agreed_at") != NULL)
            rc = cf_error_set(err, CF_ECONFLICT, NULL,
                              "This version of the plan is already agreed on that side.");
        else
            rc = store_plan_agree(sv->store, id, sup, me(sv), now, err);
        snprintf(kind, sizeof kind, "%s", sup ? "agreed_supervisor" : "agreed_leader");
        snprintf(note, sizeof note, "version %ld", num(c.plan, "version"));
    } else if (strcmp(action, "done") == 0 || strcmp(action, "claim") == 0) {
        int claiming = strcmp(action, "claim") == 0;
        const char *cl = svc__str(in, "claim");

        a = activity_of(acts, act);
        if (a == NULL) {
            rc = cf_error_set(err, CF_ENOTFOUND, "activity", "The plan has no such activity.");
            goto out;
        }
        if (!claiming) {
            struct clock_date d, today = clock_date_of(clock_now());
            char ds[CLOCK_DATE_LEN];

            if (strcmp(svc__str(a, "status"), "done") == 0)
                rc = cf_error_set(err, CF_ECONFLICT, "activity",
                                  "That activity is already marked done.");
            if (rc == CF_OK)
                rc = date_of(in, "completed_on", today, &d, ds, "the day it was completed", err);
            if (rc == CF_OK && clock_date_cmp(d, today) > 0)
                rc = cf_error_set(err, CF_EINVAL, "completed_on",
                                  "The day it was completed cannot be in the future.");
            if (rc == CF_OK)
                rc = store_plan_activity_done(sv->store, act, ds, NULL, err);
            if (rc == CF_OK) {
                json_object_set_new(a, "completed_on", json_string(ds));
                json_object_set_new(a, "status", json_string("done"));
            }
            claiming = cl != NULL && cl[0] != '\0' && strcmp(cl, "0") != 0;
            snprintf(kind, sizeof kind, "done");
            snprintf(note, sizeof note, "%s", svc__str(a, "title"));
        }
        if (rc == CF_OK && claiming) {
            if (!c.leader)
                rc = cf_error_set(err, CF_EFORBIDDEN, "claim",
                                  "Only the leader claims continuing education on their "
                                  "credential.");
            else if (strcmp(svc__str(a, "status"), "done") != 0)
                rc = cf_error_set(err, CF_ECONFLICT, "activity",
                                  "Mark the activity done before you claim it.");
            else if (svc__str(a, "ce_activity_id") != NULL)
                rc = cf_error_set(err, CF_ECONFLICT, "activity",
                                  "That activity is already claimed.");
            if (rc == CF_OK)
                rc = claim(sv, a, ce_id, err);
            if (rc == CF_OK)
                rc = store_plan_activity_done(sv->store, act, NULL, ce_id, err);
            if (rc == CF_OK && kind[0] != '\0')
                rc = store_plan_event_add(sv->store, id, now, me(sv) != NULL ? me(sv) : sv->actor,
                                          kind, note, err);
            snprintf(kind, sizeof kind, "claimed");
            snprintf(note, sizeof note, "%s", svc__str(a, "title"));
        }
    } else if (strcmp(action, "close") == 0) {
        if (!c.supervisor && !c.admin)
            rc = cf_error_set(err, CF_EFORBIDDEN, NULL,
                              "Only the supervisor or an administrator closes a plan.");
        else
            rc = store_plan_set_status(sv->store, id, "closed", now, err);
        snprintf(kind, sizeof kind, "closed");
    } else {
        rc = cf_error_set(err, CF_EINVAL, "action",
                          "Choose goal, add, remove, recommend, agree, done, claim or close.");
    }
    if (rc == CF_OK && edit)
        rc = store_plan_edited(sv->store, id, now, err);
    if (rc == CF_OK)
        rc = store_plan_event_add(sv->store, id, now, me(sv) != NULL ? me(sv) : sv->actor, kind,
                                  note[0] != '\0' ? note : NULL, err);
    if (rc == CF_OK) {
        json_t *after = NULL;
        char audit_action[48];

        snprintf(audit_action, sizeof audit_action, "plan.%s",
                 strcmp(kind, "claimed") == 0 ? "claim" : action);
        rc = store_plan_get(sv->store, id, &after, err);
        if (rc == CF_OK && note[0] != '\0')
            json_object_set_new(after, "change", json_string(note));
        if (rc == CF_OK)
            rc = svc__audit(sv, svc__str(c.plan, "org_id"), audit_action, "growth_plan", id, before,
                            after, err);
        if (rc == CF_OK)
            *out = json_pack("{s:s, s:s, s:I, s:s?}", "id", id, "done", kind, "version",
                             (json_int_t)num(after, "version"), "ce_activity_id",
                             ce_id[0] != '\0' ? ce_id : NULL);
        json_decref(after);
        if (rc == CF_OK && *out == NULL)
            rc = nomem(err);
    }
out:
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    if (rc != CF_OK) {
        json_decref(*out);
        *out = NULL;
    }
    json_decref(before);
    json_decref(acts);
    pctx_free(&c);
    return rc;
}
