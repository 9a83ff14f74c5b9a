/*
 * h_evaluation.c — evaluations against the framework's rubric (issue 9): the
 * list, a new evaluation, its page (raters, progress, the cycle's actions),
 * and the rating form — for signed-in raters at /evaluations/{id}/rate, and
 * for raters without an account at /rate/{token}. Thin: form → svc →
 * redirect or page.
 *
 * The rating form works without JavaScript: "Save" posts every answer and the
 * handler saves those that changed. With JavaScript (static/rate.js) each
 * answer is posted to .../answer the moment it is given.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/chart.h"
#include "web/web.h"

#define FIELD_MAX 200 /* bytes of a rating form's field name: "level_" + an item id */

/* What a ?done= after a redirect says. */
static void notice(struct req *r, json_t *out)
{
    static const char *const words[][2] = {
        {"created", "The evaluation is created as a draft. Add the raters, then open it."},
        {"rater", "The rater is added."},
        {"removed", "The rater is removed."},
        {"reopened_rater", "The rater's answers are open again; the reason is recorded."},
        {"open", "The evaluation is open: every rater has been sent their invitation."},
        {"close", "The evaluation is closed. Everyone with a part in it can read the results."},
        {"reopen", "The evaluation is open again; the reason is recorded."},
        {"cancel", "The evaluation is cancelled."},
        {"saved", "Your answers are saved."},
        {"submitted", "Your ratings are submitted. Thank you."},
    };
    const char *done = req_query(r, "done");

    for (size_t i = 0; done != NULL && i < sizeof words / sizeof words[0]; i++)
        if (strcmp(done, words[i][0]) == 0)
            json_object_set_new(out, "notice", json_string(words[i][1]));
}

int h_evals(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc = svc_eval_list(&sv, out, err);

    if (rc == CF_OK) {
        json_object_set_new(*out, "has_mine",
                            json_boolean(json_array_size(json_object_get(*out, "mine")) > 0));
        json_object_set_new(*out, "has_managed",
                            json_boolean(json_array_size(json_object_get(*out, "managed")) > 0));
        json_object_set_new(*out, "may_aggregate", json_boolean(svc_eval_may_aggregate(&sv)));
    }
    return rc;
}

/* The new-evaluation form: the people sv may evaluate, the purposes, a default title. */
static int new_page(struct req *r, const json_t *typed, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    json_t *people = NULL, *choices = json_array(), *p;
    const char *chosen = json_string_value(json_object_get(typed, "subject"));
    const char *purpose = json_string_value(json_object_get(typed, "purpose"));
    size_t i;
    int rc = svc_person_list(&sv, &people, err);
    static const char *const purposes[][2] = {
        {"annual", "Annual review"},
        {"readiness", "Readiness for certification"},
        {"360", "360-degree review"},
    };
    json_t *ps = json_array();

    if (rc != CF_OK) {
        json_decref(choices);
        json_decref(ps);
        return rc;
    }
    json_array_foreach(json_object_get(people, "people"), i, p)
    {
        const char *id = json_string_value(json_object_get(p, "id"));
        const char *org = json_string_value(json_object_get(p, "org_id"));

        /* From the reach resolved for the request: no query per person. */
        if (org == NULL || !svc_can(&sv, PERM_EVALUATIONS_MANAGE, org) ||
            json_is_true(json_object_get(p, "erased")))
            continue;
        json_array_append_new(
            choices, json_pack("{s:s, s:O, s:O, s:b}", "id", id, "name", json_object_get(p, "name"),
                               "email", json_object_get(p, "email"), "selected",
                               chosen != NULL && id != NULL && strcmp(chosen, id) == 0));
    }
    for (size_t k = 0; k < sizeof purposes / sizeof purposes[0]; k++)
        json_array_append_new(
            ps,
            json_pack("{s:s, s:s, s:b}", "code", purposes[k][0], "label", purposes[k][1],
                      "selected", purpose != NULL ? strcmp(purpose, purposes[k][0]) == 0 : k == 0));
    *out = json_pack("{s:o, s:o, s:b, s:O}", "people", choices, "purposes", ps, "has_people",
                     json_array_size(choices) > 0, "form",
                     typed != NULL ? (json_t *)typed : json_object());
    if (typed == NULL)
        json_decref(json_object_get(*out, "form"));
    json_decref(people);

    /* The frameworks to rate against and the chosen one's skills with their weights: every
     * skill ticked at its framework weight, or as typed. */
    {
        const char *fw = json_string_value(json_object_get(typed, "framework"));
        json_t *form = NULL, *sk;
        char f[FIELD_MAX];

        if (fw == NULL)
            fw = req_query(r, "framework");
        rc = svc_eval_form(&sv, fw, &form, err);
        if (rc != CF_OK) {
            json_decref(*out);
            *out = NULL;
            return rc;
        }
        json_array_foreach(json_object_get(form, "skills"), i, sk)
        {
            const char *id = json_string_value(json_object_get(sk, "item_id"));
            const json_t *w;

            snprintf(f, sizeof f, "skill_%s", id);
            json_object_set_new(
                sk, "checked",
                json_boolean(typed == NULL || json_object_get(typed, "skills_for") == NULL
                                 ? 1
                                 : json_object_get(typed, f) != NULL));
            snprintf(f, sizeof f, "weight_%s", id);
            w = json_object_get(typed, f);
            if (json_is_string(w))
                json_object_set(sk, "weight", (json_t *)w);
        }
        json_object_update(*out, form);
        json_decref(form);
    }
    return CF_OK;
}

/*
 * The counted skills of a posted form, as the svc takes them: [{item_id, weight}] of the
 * skill_ID boxes ticked, with weight_ID as a number (text that is not one is passed on, and
 * the svc names it). Nothing when the form's table was for another framework than the one
 * posted (then every skill counts) or when the client sent "skills" itself.
 */
static void form_skills(json_t *in)
{
    const char *fw = json_string_value(json_object_get(in, "framework"));
    const char *made = json_string_value(json_object_get(in, "skills_for"));
    json_t *skills, *v;
    const char *k;
    char f[FIELD_MAX];

    if (json_object_get(in, "skills") != NULL || made == NULL ||
        (fw != NULL && fw[0] != '\0' && strcmp(fw, made) != 0))
        return;
    skills = json_array();
    json_object_foreach(in, k, v)
    {
        const char *ws;
        json_t *w;
        char *end;
        long n;

        if (strncmp(k, "skill_", 6) != 0)
            continue;
        snprintf(f, sizeof f, "weight_%s", k + 6);
        ws = json_string_value(json_object_get(in, f));
        n = ws != NULL ? strtol(ws, &end, 10) : 0;
        w = ws != NULL && ws[0] != '\0' && *end == '\0' ? json_integer(n)
            : ws != NULL                                ? json_string(ws)
                                                        : NULL;
        json_array_append_new(skills, w != NULL
                                          ? json_pack("{s:s, s:o}", "item_id", k + 6, "weight", w)
                                          : json_pack("{s:s}", "item_id", k + 6));
    }
    json_object_set_new(in, "skills", skills);
}

int h_eval_new(struct req *r, json_t **out, struct cf_error *err)
{
    return new_page(r, NULL, out, err);
}

int h_eval_create(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    json_t *in = json_deep_copy(r->form != NULL ? r->form : NULL);
    const json_t *blind;
    int rc;

    if (in == NULL)
        in = json_object();
    /* A form's checkbox: "on" when ticked, absent when not (then the cycle is not blind). */
    blind = json_object_get(in, "blind");
    if (!r->want_json || (blind != NULL && json_is_string(blind)))
        json_object_set_new(in, "blind", json_boolean(blind != NULL && !json_is_false(blind)));
    if (!r->want_json)
        form_skills(in);
    rc = svc_eval_create(&sv, in, out, err);
    if (rc == CF_OK) {
        req_redirect(r, arena_printf(r->arena, "/evaluations/%s?done=created",
                                     json_string_value(json_object_get(*out, "id"))));
        r->status_ok = 201;
    } else if (new_page(r, in, &r->form_page, NULL) != CF_OK)
        r->form_page = NULL;
    json_decref(in);
    return rc;
}

#define CHART_BYTES (256u * 1024u) /* one chart's SVG or table at most */

/*
 * The results' charts, drawn on the server (core/chart.h): the skills as a radar of the self
 * rating against the others' mean, the same as bars with the others' range, and the data
 * table both stand for. Set on view as charts {radar, bars, table} (markup the template
 * includes as it is: every text in it is escaped by core/chart.c). Nothing is set when
 * there is nothing to draw.
 */
static void charts_of(struct req *r, json_t *view)
{
    const json_t *res = json_object_get(view, "results");
    const json_t *skills = json_object_get(res, "skills"), *x;
    size_t n = json_array_size(skills), i;
    int levels =
        (int)json_integer_value(json_object_get(json_object_get(view, "evaluation"), "levels"));
    struct chart_axis *axes;
    double *self, *mean, *lo, *hi;
    struct chart_series series[2];
    const char *names[CHART_LEVELS_MAX];
    struct chart c;
    struct buf b;
    json_t *out;
    size_t ns = 0;

    if (n == 0 || levels < CHART_LEVELS_MIN || levels > CHART_LEVELS_MAX)
        return;
    axes = arena_alloc(r->arena, n * sizeof *axes);
    self = arena_alloc(r->arena, n * sizeof *self);
    mean = arena_alloc(r->arena, n * sizeof *mean);
    lo = arena_alloc(r->arena, n * sizeof *lo);
    hi = arena_alloc(r->arena, n * sizeof *hi);
    if (axes == NULL || self == NULL || mean == NULL || lo == NULL || hi == NULL)
        return;
    json_array_foreach(skills, i, x)
    {
        const json_t *v;

        axes[i].code = json_string_value(json_object_get(x, "code"));
        axes[i].name = json_string_value(json_object_get(x, "name"));
        v = json_object_get(x, "self");
        self[i] = json_is_number(v) ? json_number_value(v) : NAN;
        v = json_object_get(x, "others_mean");
        mean[i] = json_is_number(v) ? json_number_value(v) : NAN;
        v = json_object_get(x, "others_min");
        lo[i] = json_is_number(v) ? json_number_value(v) : NAN;
        v = json_object_get(x, "others_max");
        hi[i] = json_is_number(v) ? json_number_value(v) : NAN;
    }
    {
        size_t k = 0;

        json_array_foreach(
            json_object_get(json_array_get(json_object_get(view, "skills"), 0), "levels"), i, x)
        {
            if (k < CHART_LEVELS_MAX)
                names[k++] = json_string_value(json_object_get(x, "label"));
        }
        if ((int)k != levels)
            names[0] = NULL;
    }
    if (json_is_true(json_object_get(res, "has_self")))
        series[ns++] = (struct chart_series){"Self", self, NULL, NULL};
    series[ns++] = (struct chart_series){"Others' mean", mean, lo, hi};
    c = (struct chart){"radar",
                       "Self and others, skill by skill",
                       "Skill",
                       levels,
                       names[0] != NULL ? names : NULL,
                       n,
                       axes,
                       ns,
                       series};
    out = json_object();
    buf_init(&b, CHART_BYTES);
    if (n >= CHART_RADAR_AXES_MIN && n <= CHART_RADAR_AXES_MAX &&
        chart_radar_svg(&c, &b, NULL) == CF_OK)
        json_object_set_new(out, "radar", json_stringn(b.p, b.n));
    buf_free(&b);
    c.id = "bars";
    buf_init(&b, CHART_BYTES);
    if (chart_bars_svg(&c, &b, NULL) == CF_OK)
        json_object_set_new(out, "bars", json_stringn(b.p, b.n));
    buf_free(&b);
    c.id = "data";
    c.title = "The ratings behind the charts";
    buf_init(&b, CHART_BYTES);
    if (chart_table_html(&c, &b, NULL) == CF_OK)
        json_object_set_new(out, "table", json_stringn(b.p, b.n));
    buf_free(&b);
    json_object_set_new(view, "charts", out);
}

/* The page of evaluation id with its forms' choices. */
static int eval_page(struct req *r, const char *id, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc = svc_eval_get(&sv, id, out, err);

    if (rc == CF_OK) {
        const char *st =
            json_string_value(json_object_get(json_object_get(*out, "evaluation"), "status"));

        notice(r, *out);
        json_object_set_new(*out, "is_draft", json_boolean(strcmp(st, "draft") == 0));
        json_object_set_new(*out, "is_open", json_boolean(strcmp(st, "open") == 0));
        json_object_set_new(*out, "is_closed", json_boolean(strcmp(st, "closed") == 0));
        json_object_set_new(*out, "has_raters",
                            json_boolean(json_array_size(json_object_get(*out, "raters")) > 0));
        json_object_set_new(*out, "has_others",
                            json_boolean(json_array_size(json_object_get(*out, "others")) > 0));
        json_object_set_new(*out, "has_values",
                            json_boolean(json_array_size(json_object_get(*out, "values")) > 0));
        /* issue 9 point 5: the evaluation's growth plan, or the form that proposes one. */
        if (strcmp(st, "closed") == 0 && json_object_get(*out, "results") != NULL) {
            const json_t *v = json_object_get(*out, "viewer");
            const char *kind = json_string_value(json_object_get(v, "rater_kind"));
            long levels = (long)json_integer_value(
                json_object_get(json_object_get(*out, "evaluation"), "levels"));
            json_t *plan = NULL;

            if (svc_plan_of_evaluation(&sv, id, &plan, NULL) == CF_OK)
                json_object_set_new(*out, "plan", plan);
            json_object_set_new(*out, "may_plan",
                                json_boolean(json_is_true(json_object_get(v, "admin")) ||
                                             json_is_true(json_object_get(v, "subject")) ||
                                             (kind != NULL && strcmp(kind, "supervisor") == 0)));
            json_object_set_new(*out, "plan_target", json_integer(levels > 2 ? levels - 1 : 2));
        }
        /* Charts are markup for the page; a JSON client has the numbers in results. */
        if (!r->want_json && json_object_get(*out, "results") != NULL)
            charts_of(r, *out);
    }
    return rc;
}

int h_eval(struct req *r, json_t **out, struct cf_error *err)
{
    return eval_page(r, r->params[0], out, err);
}

/* After an administrator's form: back to the page, or the page again with the error. */
static int after(struct req *r, int rc, const char *done, json_t **out, struct cf_error *err)
{
    (void)out;
    if (rc == CF_OK) {
        req_redirect(r, arena_printf(r->arena, "/evaluations/%s?done=%s", r->params[0], done));
        return CF_OK;
    }
    if (rc != CF_ENOTFOUND && eval_page(r, r->params[0], &r->form_page, NULL) == CF_OK)
        json_object_set(r->form_page, "typed", r->form != NULL ? r->form : json_null());
    (void)err;
    return rc;
}

int h_eval_rater_add(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc = svc_eval_rater_add(&sv, r->params[0], r->form, out, err);

    return after(r, rc, "rater", out, err);
}

int h_eval_rater_remove(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc = svc_eval_rater_remove(&sv, r->params[0], r->params[1], err);

    if (rc == CF_OK)
        *out = json_pack("{s:s}", "removed", r->params[1]);
    return after(r, rc, "removed", out, err);
}

int h_eval_rater_reopen(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc = svc_eval_rater_reopen(&sv, r->params[0], r->params[1], r->form, err);

    if (rc == CF_OK)
        *out = json_pack("{s:s}", "reopened", r->params[1]);
    return after(r, rc, "reopened_rater", out, err);
}

int h_eval_act(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    const char *action = req_field(r, "action");
    int rc = svc_eval_act(&sv, r->params[0], action, r->form, err);

    if (rc == CF_OK)
        *out = json_pack("{s:s}", "done", action);
    return after(r, rc, action != NULL ? action : "", out, err);
}

/* --- the rating form ----------------------------------------------------------------------- */

/* The svc input of one answer: from a JSON client as it is; from a form, the fields of skill
 * item (level_ID: "1".."K" or "nb"; note_ID, links_ID, seq_ID), or without item the plain
 * fields item_id, level, note, links, seq of one answer. */
static json_t *answer_input(const json_t *form, const char *item)
{
    char f[FIELD_MAX];
    const char *level, *note, *links, *seq;
    json_t *in;

    if (item == NULL) {
        item = json_string_value(json_object_get(form, "item_id"));
        level = json_string_value(json_object_get(form, "level"));
        if (json_is_integer(json_object_get(form, "level")) ||
            json_object_get(form, "no_basis") != NULL)
            return json_deep_copy(form);
        note = json_string_value(json_object_get(form, "note"));
        links = json_string_value(json_object_get(form, "links"));
        seq = json_string_value(json_object_get(form, "seq"));
    } else {
        snprintf(f, sizeof f, "level_%s", item);
        level = json_string_value(json_object_get(form, f));
        snprintf(f, sizeof f, "note_%s", item);
        note = json_string_value(json_object_get(form, f));
        snprintf(f, sizeof f, "links_%s", item);
        links = json_string_value(json_object_get(form, f));
        snprintf(f, sizeof f, "seq_%s", item);
        seq = json_string_value(json_object_get(form, f));
    }
    in = json_pack("{s:s?, s:s, s:b, s:s, s:s, s:s}", "item_id", item, "level",
                   level != NULL && strcmp(level, "nb") != 0 ? level : "", "no_basis",
                   level != NULL && strcmp(level, "nb") == 0, "note", note != NULL ? note : "",
                   "links", links != NULL ? links : "", "seq", seq != NULL ? seq : "0");
    return in;
}

/* 1 when the answer typed (in) differs from the stored one (skill, as the view has it). */
static int changed(const json_t *in, const json_t *skill)
{
    const char *lv = json_string_value(json_object_get(in, "level"));
    long level = lv != NULL && lv[0] != '\0' ? strtol(lv, NULL, 10) : 0;
    const char *note = json_string_value(json_object_get(in, "note"));
    const char *links = json_string_value(json_object_get(in, "links"));
    json_t *stored = json_object_get(skill, "links"), *x;
    size_t i, n = 0;
    char joined[4096] = "";

    if (level != (long)json_integer_value(json_object_get(skill, "level")) ||
        json_is_true(json_object_get(in, "no_basis")) !=
            json_is_true(json_object_get(skill, "no_basis")) ||
        strcmp(note != NULL ? note : "", json_string_value(json_object_get(skill, "note")) != NULL
                                             ? json_string_value(json_object_get(skill, "note"))
                                             : "") != 0)
        return 1;
    json_array_foreach(stored, i, x)
    {
        int w = snprintf(joined + n, sizeof joined - n, "%s%s", i > 0 ? "\n" : "",
                         json_string_value(x));

        if (w < 0 || (size_t)w >= sizeof joined - n)
            return 1;
        n += (size_t)w;
    }
    {
        /* Compare the typed lines trimmed, as the svc keeps them. */
        char typed[4096];
        size_t o = 0;
        const char *p = links != NULL ? links : "";

        while (*p != '\0' && o + 2 < sizeof typed) {
            size_t k = strcspn(p, "\r\n");
            const char *b = p, *e = p + k;

            while (b < e && (*b == ' ' || *b == '\t'))
                b++;
            while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
                e--;
            if (e > b) {
                int w = snprintf(typed + o, sizeof typed - o, "%s%.*s", o > 0 ? "\n" : "",
                                 (int)(e - b), b);

                if (w < 0 || (size_t)w >= sizeof typed - o)
                    return 1;
                o += (size_t)w;
            }
            p += k;
            while (*p == '\r' || *p == '\n')
                p++;
        }
        typed[o] = '\0';
        return strcmp(typed, joined) != 0;
    }
}

/* The rating page of id (or of the link token) with the form's fields named. */
static int rate_page(struct req *r, const char *id, const char *token, json_t **out,
                     struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc =
        token != NULL ? svc_eval_get_link(&sv, token, out, err) : svc_eval_get(&sv, id, out, err);
    json_t *sk, *l;
    size_t i, j;

    if (rc != CF_OK)
        return rc;
    if (json_object_get(json_object_get(*out, "viewer"), "rater_id") == NULL ||
        json_is_null(json_object_get(json_object_get(*out, "viewer"), "rater_id"))) {
        json_decref(*out);
        *out = NULL;
        return cf_error_set(err, CF_ENOTFOUND, NULL, "You are not a rater of this evaluation.");
    }
    notice(r, *out);
    json_object_set_new(*out, "has_values",
                        json_boolean(json_array_size(json_object_get(*out, "values")) > 0));
    json_object_set_new(*out, "answer_url",
                        json_string(token != NULL
                                        ? arena_printf(r->arena, "/rate/%s/answer", token)
                                        : arena_printf(r->arena, "/evaluations/%s/answer", id)));
    json_object_set_new(*out, "action",
                        json_string(token != NULL
                                        ? arena_printf(r->arena, "/rate/%s", token)
                                        : arena_printf(r->arena, "/evaluations/%s/rate", id)));
    json_object_set_new(*out, "self",
                        json_boolean(strcmp(json_string_value(json_object_get(
                                                json_object_get(*out, "viewer"), "rater_kind")),
                                            "self") == 0));
    json_array_foreach(json_object_get(*out, "skills"), i, sk)
    {
        json_t *links = json_object_get(sk, "links"), *x;
        size_t k, n = 0;
        char joined[4096] = "";

        json_array_foreach(json_object_get(sk, "levels"), j, l)
        {
            json_object_set_new(l, "item_id", json_incref(json_object_get(sk, "item_id")));
        }
        json_array_foreach(links, k, x)
        {
            int w = snprintf(joined + n, sizeof joined - n, "%s%s", k > 0 ? "\n" : "",
                             json_string_value(x));

            if (w < 0 || (size_t)w >= sizeof joined - n)
                break;
            n += (size_t)w;
        }
        json_object_set_new(sk, "links_text", json_string(joined));
        json_object_set_new(sk, "has_indicators",
                            json_boolean(json_array_size(json_object_get(sk, "indicators")) > 0));
        json_object_set_new(sk, "answered",
                            json_boolean(json_integer_value(json_object_get(sk, "level")) > 0 ||
                                         json_is_true(json_object_get(sk, "no_basis"))));
    }
    return CF_OK;
}

/*
 * The no-JavaScript save: every skill's typed answer that differs from the stored one is
 * saved (each with the seq the page showed); then, with action=submit, the ratings are
 * submitted. The first refusal is answered with the page again.
 */
static int rate_save(struct req *r, const char *id, const char *token, json_t **out,
                     struct cf_error *err)
{
    struct svc sv = req_svc(r);
    json_t *page = NULL, *sk, *in, *res;
    const char *action = req_field(r, "action");
    char f[FIELD_MAX];
    size_t i;
    int rc = rate_page(r, id, token, &page, err);

    if (rc != CF_OK)
        return rc;
    /* The skills, their indicators, then the core values' comments: each saved when it
     * changed. */
    {
        json_t *all = json_array(), *ind;
        size_t q;

        json_array_foreach(json_object_get(page, "skills"), i, sk)
        {
            json_array_append(all, sk);
            json_array_foreach(json_object_get(sk, "indicators"), q, ind)
            {
                json_array_append(all, ind);
            }
        }
        json_array_extend(all, json_object_get(page, "values"));
        json_object_set_new(page, "skills", all);
    }
    json_array_foreach(json_object_get(page, "skills"), i, sk)
    {
        if (rc != CF_OK || json_is_false(json_object_get(page, "may_answer")))
            break;
        /* A skill the post does not carry (its hidden seq is absent) is left as it is. */
        snprintf(f, sizeof f, "seq_%s", json_string_value(json_object_get(sk, "item_id")));
        if (json_object_get(r->form, f) == NULL)
            continue;
        in = answer_input(r->form, json_string_value(json_object_get(sk, "item_id")));
        if (in != NULL && changed(in, sk)) {
            res = NULL;
            rc = token != NULL ? svc_eval_answer_link(&sv, token, in, &res, err)
                               : svc_eval_answer(&sv, id, in, &res, err);
            if (rc != CF_OK && err->field[0] != '\0') {
                /* Name the skill's own field, so the summary links to it. */
                int w = snprintf(f, sizeof f, "%s_%s", err->field,
                                 json_string_value(json_object_get(sk, "item_id")));

                if (w > 0 && (size_t)w < sizeof err->field)
                    memcpy(err->field, f, (size_t)w + 1);
            }
            json_decref(res);
        }
        json_decref(in);
    }
    if (rc == CF_OK && action != NULL && strcmp(action, "submit") == 0)
        rc = token != NULL ? svc_eval_submit_link(&sv, token, err) : svc_eval_submit(&sv, id, err);
    json_decref(page);
    if (rc == CF_OK) {
        const char *done = action != NULL && strcmp(action, "submit") == 0 ? "submitted" : "saved";

        req_redirect(r, token != NULL
                            ? arena_printf(r->arena, "/rate/%s?done=%s", token, done)
                            : arena_printf(r->arena, "/evaluations/%s/rate?done=%s", id, done));
        *out = json_pack("{s:s}", "done", done);
        return CF_OK;
    }
    if (rc != CF_ENOTFOUND && rate_page(r, id, token, &r->form_page, NULL) == CF_OK) {
        /* The refused skill shows its message beside its levels. */
        json_array_foreach(json_object_get(r->form_page, "skills"), i, sk)
        {
            const char *item = json_string_value(json_object_get(sk, "item_id"));
            const char *u = strchr(err->field, '_');

            if (item != NULL && u != NULL && strcmp(u + 1, item) == 0) {
                json_object_set_new(sk, "skill_error", json_string(err->message));
                r->form_ids = arena_printf(r->arena, "%s:skill-%s", err->field, item);
            }
        }
    }
    return rc;
}

/* One answer, saved the moment it is given (static/rate.js, or any JSON client). */
static int rate_answer(struct req *r, const char *id, const char *token, json_t **out,
                       struct cf_error *err)
{
    struct svc sv = req_svc(r);
    json_t *in = answer_input(r->form != NULL ? r->form : NULL, NULL);
    int rc;

    if (in == NULL)
        return cf_error_set(err, CF_EINVAL, "item_id", "Say which skill the answer is for.");
    rc = token != NULL ? svc_eval_answer_link(&sv, token, in, out, err)
                       : svc_eval_answer(&sv, id, in, out, err);
    json_decref(in);
    if (rc == CF_OK)
        req_redirect(r, token != NULL
                            ? arena_printf(r->arena, "/rate/%s?done=saved", token)
                            : arena_printf(r->arena, "/evaluations/%s/rate?done=saved", id));
    else if (rc != CF_ENOTFOUND && rate_page(r, id, token, &r->form_page, NULL) != CF_OK)
        r->form_page = NULL;
    return rc;
}

int h_eval_rate(struct req *r, json_t **out, struct cf_error *err)
{
    return rate_page(r, r->params[0], NULL, out, err);
}

int h_eval_rate_save(struct req *r, json_t **out, struct cf_error *err)
{
    return rate_save(r, r->params[0], NULL, out, err);
}

int h_eval_answer(struct req *r, json_t **out, struct cf_error *err)
{
    return rate_answer(r, r->params[0], NULL, out, err);
}

int h_link_rate(struct req *r, json_t **out, struct cf_error *err)
{
    return rate_page(r, NULL, r->params[0], out, err);
}

int h_link_rate_save(struct req *r, json_t **out, struct cf_error *err)
{
    return rate_save(r, NULL, r->params[0], out, err);
}

int h_link_answer(struct req *r, json_t **out, struct cf_error *err)
{
    return rate_answer(r, NULL, r->params[0], out, err);
}

/*
 * The results as a download (point 9): ?format=csv or xlsx, one row per skill (the numbers of
 * the page's table; no rater's notes). 409 while the viewer may not read the results yet.
 */
int h_eval_export(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    const char *format = req_query(r, "format");
    json_t *view = NULL, *rep;
    int rc;

    (void)out;
    if (format == NULL || (strcmp(format, "csv") != 0 && strcmp(format, "xlsx") != 0))
        return cf_error_set(err, CF_EINVAL, "format", "Choose csv or xlsx as the format.");
    rc = svc_eval_get(&sv, r->params[0], &view, err);
    if (rc != CF_OK)
        return rc;
    if (json_object_get(view, "results") == NULL) {
        json_decref(view);
        return cf_error_set(err, CF_ECONFLICT, NULL,
                            "The results can be downloaded once the raters may read each other's "
                            "ratings: when the evaluation closes.");
    }
    rep = json_pack(
        "{s:s, s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s},"
        " {s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s}], s:O}",
        "report", "evaluation", "columns", "key", "code", "label", "Skill code", "key", "name",
        "label", "Skill", "key", "weight", "label", "Weight", "key", "self", "label", "Self", "key",
        "others_mean", "label", "Others' mean", "key", "others_sd", "label", "Others' SD", "key",
        "others_min", "label", "Others' lowest", "key", "others_max", "label", "Others' highest",
        "key", "others_n", "label", "Others who rated", "key", "gap", "label", "Self minus others",
        "rows", json_object_get(json_object_get(view, "results"), "skills"));
    json_decref(view);
    if (rep == NULL)
        return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
    rc = req_report(r, rep, format, arena_printf(r->arena, "evaluation-results.%s", format), err);
    json_decref(rep);
    return rc;
}

/* Readiness for the credential (point 7): the signed-in person's own. */
int h_readiness(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    const char *program = req_query(r, "program");
    int rc =
        svc_eval_readiness(&sv, program != NULL && program[0] != '\0' ? program : "CETL", out, err);

    if (rc == CF_OK) {
        const char *v = json_string_value(json_object_get(*out, "verdict"));

        json_object_set_new(*out, "is_apply", json_boolean(strcmp(v, "apply") == 0));
        json_object_set_new(*out, "has_below",
                            json_boolean(json_array_size(json_object_get(*out, "below")) > 0));
    }
    return rc;
}
