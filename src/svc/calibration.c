/*
 * calibration.c — Rasch calibration of an exam form as a job, its result kept with the form
 * (issue 10 point 6; migration 026; docs/exam-rasch.md). An examiner asks for a calibration
 * of a released form's latest response set: a calibration row and a job of kind
 * "form.calibrate" are written in one transaction, with the form's row held, so that two
 * requests for one set make one job. The job reads the set's candidate rows, scores them
 * against the form's items (0/1 cells as they are; chosen options against the keys of the item
 * versions the form was released with, as core/vendorcsv.c scores them), runs rasch_cml over every
 * item of the form (scored and pretest, one scale) and keeps the result: per item its difficulty,
 * SE, infit, outfit and a misfit flag; the persons used and left out; the score table over the
 * scored items only.
 *
 * Who: as forms (svc/forms.c), examiners only; anyone else is told there is no such form.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/distractor.h"
#include "core/rasch.h"
#include "core/scale.h"
#include "lib/clock.h"
#include "svc/jobs.h"
#include "svc/svc_impl.h"

#define ACTOR_LEN     64
#define ID_LEN        37 /* a UUID's 36 characters and the NUL (svc__uuid) */
#define NOW_LEN       32
#define CAL_KIND      "form.calibrate"
#define CAL_KEY_LEN   (sizeof "calibration:" + ID_LEN)
#define CAL_ATTEMPTS  3   /* a store error is tried again; a refusal of the data is not */
#define CAL_LEASE_S   600 /* 10,000 x 100 calibrates in well under a minute */
#define CAL_BACKOFF_S 30
#define CAL_CAP_S     600

static int nomem(struct cf_error *err)
{
    return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
}

/* --- asking for one ---------------------------------------------------------------- */

/* What a request returns: the calibration row without its result, and created (0 or 1). */
static json_t *request_view(const char *code, const json_t *row, int created)
{
    return json_pack("{s:s, s:O, s:O, s:O, s:O, s:O, s:O, s:b}", "form", code, "id",
                     json_object_get(row, "id"), "set_id", json_object_get(row, "set_id"), "state",
                     json_object_get(row, "state"), "job_id", json_object_get(row, "job_id"),
                     "requested_at", json_object_get(row, "requested_at"), "requested_by",
                     json_object_get(row, "requested_by"), "created", created);
}

int svc_form_calibrate(const struct svc *sv, const char *code, json_t **out, struct cf_error *err)
{
    json_t *form = NULL, *set = NULL, *row = NULL, *payload = NULL, *after = NULL;
    char id[ID_LEN], now[NOW_LEN], actor[ACTOR_LEN], key[CAL_KEY_LEN];
    int64_t job = 0;
    int rc = svc__form_allowed(sv, err), created = 0;

    *out = NULL;
    if (rc != CF_OK)
        return rc;
    svc__uuid(id);
    clock_now_iso(now, sizeof now);
    snprintf(actor, sizeof actor, "%s", sv->actor != NULL ? sv->actor : "cli");
    snprintf(key, sizeof key, "calibration:%s", id);
    rc = svc__form_begin(sv, code, &form, err);
    if (rc != CF_OK)
        return rc;

    /* The rule: a released form with responses, held while the request is written. */
    if (strcmp(svc__str(form, "status"), "released") != 0) {
        rc = cf_error_set(err, CF_ECONFLICT, "form",
                          "The form %s is %s: only a released form is calibrated.", code,
                          svc__str(form, "status"));
        goto out;
    }
    rc = store_response_set_latest(sv->store, svc__str(form, "id"), &set, err);
    if (rc == CF_ENOTFOUND)
        rc =
            cf_error_set(err, CF_ECONFLICT, "form",
                         "The form %s has no responses yet. Import the vendor's file first.", code);
    if (rc != CF_OK)
        goto out;

    /* One waiting or running calibration of the set at a time: a second request gets it. */
    rc = store_calibration_active(sv->store, svc__str(set, "id"), &row, err);
    if (rc == CF_OK)
        goto out;
    if (rc != CF_ENOTFOUND)
        goto out;
    payload = json_pack("{s:s}", "calibration_id", id);
    if (payload == NULL) {
        rc = nomem(err);
        goto out;
    }
    rc = store_job_enqueue(sv->store, CAL_KIND, key, payload, CAL_ATTEMPTS, now, now, &job, NULL,
                           err);
    if (rc == CF_OK)
        rc = store_calibration_add(sv->store, id, svc__str(form, "id"), svc__str(set, "id"), job,
                                   actor, now, err);
    if (rc == CF_OK)
        rc = store_calibration_get(sv->store, id, &row, err);
    if (rc != CF_OK)
        goto out;
    created = 1;
    after = json_pack("{s:s, s:s, s:s, s:O, s:I}", "calibration", id, "set", svc__str(set, "id"),
                      "file_name", svc__str(set, "file_name"), "persons",
                      json_object_get(set, "persons"), "job", (json_int_t)job);
    if (after == NULL) {
        rc = nomem(err);
        goto out;
    }
    rc = svc__audit(sv, NULL, "form.calibrate", "exam_form", code, NULL, after, err);
out:
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    if (rc == CF_OK) {
        *out = request_view(code, row, created);
        if (*out == NULL)
            rc = nomem(err);
    }
    json_decref(form);
    json_decref(set);
    json_decref(row);
    json_decref(payload);
    json_decref(after);
    return rc;
}

/*
 * With the form's adopted raw cut (its Angoff study, svc/study.c) and a done calibration: each
 * score table row gets its scaled score (core/scale.h: the cut's ability maps to 600) and view
 * gets cut {raw, theta, scaled}; else cut is null.
 */
static int add_scale(const struct svc *sv, const json_t *form, json_t *view, struct cf_error *err)
{
    json_t *cut = NULL, *table = json_object_get(json_object_get(view, "result"), "score_table");
    json_t *row, *scale = json_null();
    const json_t *tc;
    size_t i;
    int rc = store_form_cut(sv->store, svc__str(form, "id"), &cut, err);

    if (rc != CF_OK)
        return rc;
    if (json_is_integer(json_object_get(cut, "cut_raw")) && json_is_array(table)) {
        json_int_t raw = json_integer_value(json_object_get(cut, "cut_raw"));

        tc = raw >= 0 ? json_object_get(json_array_get(table, (size_t)raw), "theta") : NULL;
        if (json_is_number(tc)) {
            double theta_cut = json_number_value(tc);

            json_array_foreach(table, i, row)
            {
                const json_t *th = json_object_get(row, "theta");
                int scaled = json_is_number(th) ? scale_score(json_number_value(th), theta_cut)
                             : i == 0           ? SCALE_MIN
                                                : SCALE_MAX;

                json_object_set_new(row, "scaled", json_integer(scaled));
            }
            json_decref(scale);
            scale =
                json_pack("{s:I, s:f, s:i}", "raw", raw, "theta", theta_cut, "scaled", SCALE_CUT);
        }
    }
    json_decref(cut);
    if (scale == NULL || json_object_set_new(view, "cut", scale) != 0)
        return nomem(err);
    return CF_OK;
}

int svc_form_calibration(const struct svc *sv, const char *code, json_t **out, struct cf_error *err)
{
    json_t *form = NULL, *row = NULL, *set = NULL;
    int rc = svc__form_allowed(sv, err);

    *out = NULL;
    if (rc != CF_OK)
        return rc;
    rc = svc__form_row(sv, code, &form, err);
    if (rc == CF_OK) {
        rc = store_calibration_latest(sv->store, svc__str(form, "id"), &row, err);
        if (rc == CF_ENOTFOUND)
            rc = cf_error_set(err, CF_ENOTFOUND, "form",
                              "The form %s has not been calibrated yet. Ask for a calibration "
                              "first.",
                              code);
    }
    if (rc == CF_OK)
        rc = store_calibration_set(sv->store, svc__str(row, "set_id"), &set, err);
    if (rc == CF_OK) {
        *out = json_pack("{s:s, s:O, s:O, s:O, s:{s:O, s:O, s:O, s:O}, s:O, s:O, s:O, s:O, s:O, "
                         "s:O, s:O}",
                         "form", code, "title", json_object_get(form, "title"), "status",
                         json_object_get(form, "status"), "id", json_object_get(row, "id"), "set",
                         "id", json_object_get(set, "id"), "file_name",
                         json_object_get(set, "file_name"), "kind", json_object_get(set, "kind"),
                         "created_at", json_object_get(set, "created_at"), "state",
                         json_object_get(row, "state"), "job_id", json_object_get(row, "job_id"),
                         "requested_at", json_object_get(row, "requested_at"), "requested_by",
                         json_object_get(row, "requested_by"), "finished_at",
                         json_object_get(row, "finished_at"), "error",
                         json_object_get(row, "error"), "result", json_object_get(row, "result"));
        if (*out == NULL)
            rc = nomem(err);
    }
    if (rc == CF_OK)
        rc = add_scale(sv, form, *out, err);
    if (rc != CF_OK) {
        json_decref(*out);
        *out = NULL;
    }
    json_decref(form);
    json_decref(row);
    json_decref(set);
    return rc;
}

/* --- the job ----------------------------------------------------------------------- */

/* One item of the form as the job scores it. */
struct cal_item {
    const char *identifier;
    int scored;   /* 1 scored, 0 pretest */
    int noptions; /* options, for an options file */
    const char *option_id[DISTRACTOR_OPTIONS_MAX];
    uint32_t key; /* the right options, a bit each */
};

/*
 * The form's items (form order) with their options and keys into *items: those of the versions
 * the form was released with (store_form_item_bodies, one query), as the import scored them.
 */
static int items_read(const struct svc *sv, const char *form, struct cal_item **items, int *k,
                      json_t **keep, struct cf_error *err)
{
    json_t *list = NULL, *x;
    size_t i;
    int rc;

    *items = NULL;
    *k = 0;
    *keep = json_array();
    if (*keep == NULL)
        return nomem(err);
    rc = store_form_item_bodies(sv->store, form, &list, err);
    if (rc != CF_OK)
        return rc;
    *items = calloc(json_array_size(list) + 1, sizeof **items);
    if (*items == NULL) {
        json_decref(list);
        return nomem(err);
    }
    json_array_foreach(list, i, x)
    {
        struct cal_item *it = &(*items)[i];
        const json_t *c;
        json_t *body = json_loads(svc__str(x, "body"), 0, NULL);
        size_t o;

        it->identifier = svc__str(x, "identifier");
        it->scored = strcmp(svc__str(x, "role"), "pretest") != 0;
        if (body == NULL || json_array_append_new(*keep, body) != 0) {
            rc = nomem(err);
            break;
        }
        json_array_foreach(json_object_get(body, "choices"), o, c)
        {
            if (it->noptions < DISTRACTOR_OPTIONS_MAX && svc__str(c, "id") != NULL)
                it->option_id[it->noptions++] = svc__str(c, "id");
        }
        json_array_foreach(json_object_get(body, "correct"), o, c)
        {
            for (int q = 0; q < it->noptions; q++)
                if (json_string_value(c) != NULL &&
                    strcmp(it->option_id[q], json_string_value(c)) == 0)
                    it->key |= 1u << q;
        }
    }
    /* The identifiers point into list: it stays with the bodies. */
    if (json_array_append_new(*keep, list) != 0 && rc == CF_OK)
        rc = nomem(err);
    if (rc == CF_OK)
        *k = (int)json_array_size(list);
    return rc;
}

/* The score of one stored cell (text) of item it: 1, 0 or RASCH_MISSING. */
static signed char cell_score(const struct cal_item *it, const char *text, int scored_file)
{
    struct cf_error e;
    uint32_t m = 0;

    if (text == NULL)
        return RASCH_MISSING;
    if (scored_file)
        return strcmp(text, "1") == 0 ? 1 : strcmp(text, "0") == 0 ? 0 : RASCH_MISSING;
    cf_error_clear(&e);
    if (distractor_cell(text, strlen(text), it->option_id, it->noptions, &m, &e) != CF_OK ||
        m == DISTRACTOR_NOT_PRESENTED)
        return RASCH_MISSING;
    return m == it->key ? 1 : 0;
}

/* A number, or null when it is not finite (JSON has no NaN). */
static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

/* 1 when an item's infit or outfit is outside [CAL_FIT_LOW, CAL_FIT_HIGH] (docs/exam-rasch.md). */
static int misfits(double infit, double outfit)
{
    return !(infit >= CAL_FIT_LOW && infit <= CAL_FIT_HIGH && outfit >= CAL_FIT_LOW &&
             outfit <= CAL_FIT_HIGH);
}

/* The score table over the scored items' difficulties: raw 0..ks, theta and se (null at the ends).
 */
static json_t *score_table(const struct rasch_fit *f, const struct cal_item *items)
{
    json_t *table = json_array();
    double *b = malloc(((size_t)f->k + 1) * sizeof *b);
    int ks = 0;

    if (table == NULL || b == NULL)
        goto fail;
    for (int i = 0; i < f->k; i++)
        if (items[i].scored)
            b[ks++] = f->difficulty[i];
    for (int r = 0; r <= ks; r++) {
        double theta = 0, se = 0;
        int ok = r > 0 && r < ks && rasch_theta(b, ks, r, &theta, &se) == CF_OK;

        if (json_array_append_new(table, json_pack("{s:i, s:o, s:o}", "raw", r, "theta",
                                                   ok ? num(theta) : json_null(), "se",
                                                   ok ? num(se) : json_null())) != 0)
            goto fail;
    }
    free(b);
    return table;
fail:
    free(b);
    json_decref(table);
    return NULL;
}

/* The result kept with the calibration (docs/exam-rasch.md lists its fields). */
static json_t *result_view(const struct rasch_fit *f, const struct cal_item *items,
                           const json_t *set)
{
    json_t *list = json_array(), *table = score_table(f, items), *res;
    int ks = 0, nmis = 0;

    if (list == NULL || table == NULL)
        goto fail;
    for (int i = 0; i < f->k; i++) {
        int mis = misfits(f->infit[i], f->outfit[i]);

        ks += items[i].scored;
        nmis += mis;
        if (json_array_append_new(
                list, json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:i, s:i, s:b}", "identifier",
                                items[i].identifier, "role", items[i].scored ? "scored" : "pretest",
                                "difficulty", num(f->difficulty[i]), "se", num(f->se[i]), "infit",
                                num(f->infit[i]), "outfit", num(f->outfit[i]), "count", f->count[i],
                                "score", f->score[i], "misfit", mis)) != 0)
            goto fail;
    }
    res = json_pack("{s:s, s:s, s:O, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:o, s:o, s:i, s:i, "
                    "s:{s:f, s:f}, s:o, s:o}",
                    "set_id", svc__str(set, "id"), "file_name", svc__str(set, "file_name"), "kind",
                    json_object_get(set, "kind"), "persons", f->persons, "used", f->used, "zero",
                    f->zero, "perfect", f->perfect, "none", f->none, "groups", f->groups,
                    "iterations", f->iterations, "loglik", num(f->loglik), "max_gradient",
                    num(f->max_gradient), "scored_items", ks, "misfits", nmis, "misfit_rule", "low",
                    CAL_FIT_LOW, "high", CAL_FIT_HIGH, "items", list, "score_table", table);
    return res;
fail:
    json_decref(list);
    json_decref(table);
    return NULL;
}

/*
 * The items of result in the form's order (items, k of them), each pretest item left out (in
 * dropped: identifier -> the reason) with null numbers and its reason as "dropped"; result
 * gets "dropped": how many. 0, or -1 when memory runs out.
 */
static int add_dropped(json_t *result, const struct cal_item *items, int k, const json_t *dropped)
{
    json_t *calibrated = json_object_get(result, "items"), *all = json_array();
    size_t next = 0;

    if (all == NULL)
        return -1;
    for (int i = 0; i < k; i++) {
        const json_t *why = json_object_get(dropped, items[i].identifier);
        json_t *x = why != NULL
                        ? json_pack("{s:s, s:s, s:n, s:n, s:n, s:n, s:b, s:O}", "identifier",
                                    items[i].identifier, "role", "pretest", "difficulty", "se",
                                    "infit", "outfit", "misfit", 0, "dropped", why)
                        : json_incref(json_array_get(calibrated, next++));

        if (x == NULL || json_array_append_new(all, x) != 0) {
            json_decref(all);
            return -1;
        }
    }
    if (json_object_set_new(result, "items", all) != 0 ||
        json_object_set_new(result, "dropped",
                            json_integer((json_int_t)json_object_size(dropped))) != 0)
        return -1;
    return 0;
}

/*
 * Calibrates set (a row of store_calibration_set) over the items of its form into *result.
 * CF_EINVAL with err set when rasch_cml refuses the data (the reason to keep); else a store
 * error or CF_ENOMEM.
 */
static int calibrate(const struct svc *sv, const json_t *set, json_t **result, struct cf_error *err)
{
    struct cal_item *items = NULL, *used = NULL;
    struct rasch_fit fit;
    json_t *keep = NULL, *rows = NULL, *r, *dropped = NULL;
    signed char *x = NULL;
    int k = 0, ku, scored_file = strcmp(svc__str(set, "kind"), "scored") == 0, rc;
    size_t p, n;

    *result = NULL;
    memset(&fit, 0, sizeof fit);
    rc = items_read(sv, svc__str(set, "form_id"), &items, &k, &keep, err);
    if (rc == CF_OK)
        rc = store_calibration_rows(sv->store, svc__str(set, "id"), &rows, err);
    if (rc != CF_OK)
        goto out;
    n = json_array_size(rows);
    x = malloc(n * (size_t)k + 1);
    if (x == NULL) {
        rc = nomem(err);
        goto out;
    }
    json_array_foreach(rows, p, r)
    {
        const json_t *cells = json_object_get(r, "cells");

        for (int i = 0; i < k; i++)
            x[p * (size_t)k + (size_t)i] =
                cell_score(&items[i], svc__str(cells, items[i].identifier), scored_file);
    }
    /*
     * A pretest item CML cannot estimate (everyone right or wrong among the persons used, or not
     * linked to the others) is left out and reported, and the rest calibrated again: a
     * tried-out item must not stop the form's calibration. A scored item that cannot be
     * estimated stops it: the score table needs every scored item.
     */
    used = malloc(((size_t)k + 1) * sizeof *used);
    dropped = json_object();
    if (used == NULL || dropped == NULL) {
        rc = nomem(err);
        goto out;
    }
    for (int i = 0; i < k; i++)
        used[i] = items[i];
    ku = k;
    for (;;) {
        int at;

        rasch_fit_free(&fit);
        rc = rasch_cml(x, (int)n, ku, &fit, err);
        if (rc != CF_EINVAL || strncmp(err->field, "item ", 5) != 0)
            break;
        at = (int)strtol(err->field + 5, NULL, 10);
        if (at < 1 || at > ku)
            break;
        if (used[at - 1].scored) {
            /* Name the item by its identifier too, not only its place. */
            char msg[sizeof err->message];

            if (ku == k)
                snprintf(msg, sizeof msg, "%.400s Item %d of the form is %.64s.", err->message, at,
                         used[at - 1].identifier);
            else
                snprintf(msg, sizeof msg, "%.400s Item %d of those calibrated is %.64s.",
                         err->message, at, used[at - 1].identifier);
            cf_error_set(err, CF_EINVAL, "item", "%s", msg);
            break;
        }
        if (json_object_set_new(dropped, used[at - 1].identifier, json_string(err->message)) != 0) {
            rc = nomem(err);
            break;
        }
        /* Column at - 1 out of x and of used. */
        for (size_t q = 0; q < n; q++) {
            signed char *row = x + q * (size_t)ku, *to = x + q * (size_t)(ku - 1);

            memmove(to, row, (size_t)(at - 1));
            memmove(to + at - 1, row + at, (size_t)(ku - at));
        }
        memmove(used + at - 1, used + at, (size_t)(ku - at) * sizeof *used);
        ku--;
    }
    if (rc != CF_OK)
        goto out;
    *result = result_view(&fit, used, set);
    if (*result == NULL || add_dropped(*result, items, k, dropped) != 0)
        rc = nomem(err);
out:
    rasch_fit_free(&fit);
    free(x);
    free(items);
    free(used);
    json_decref(dropped);
    json_decref(rows);
    json_decref(keep);
    return rc;
}

/* The job: calibrates payload.calibration_id's set and keeps the result with it. */
static enum job_result cal_run(const struct job_ctx *ctx, const json_t *job, char *why, size_t n)
{
    const char *id = svc__str(json_object_get(job, "payload"), "calibration_id");
    struct cf_error err;
    json_t *row = NULL, *set = NULL, *result = NULL;
    int64_t moved = 0;
    int rc;

    cf_error_clear(&err);
    if (id == NULL) {
        snprintf(why, n, "The job names no calibration.");
        return JOB_FAIL;
    }
    rc = store_calibration_get(ctx->sv->store, id, &row, &err);
    if (rc == CF_ENOTFOUND)
        return JOB_SKIP;
    if (rc == CF_OK && strcmp(svc__str(row, "state"), "queued") == 0)
        rc = store_calibration_state(ctx->sv->store, id, "queued", "running", NULL, NULL, &moved,
                                     &err);
    if (rc == CF_OK && strcmp(svc__str(row, "state"), "queued") != 0 &&
        strcmp(svc__str(row, "state"), "running") != 0) {
        json_decref(row);
        return JOB_SKIP;
    }
    if (rc == CF_OK)
        rc = store_calibration_set(ctx->sv->store, svc__str(row, "set_id"), &set, &err);
    if (rc == CF_OK)
        rc = calibrate(ctx->sv, set, &result, &err);
    if (rc == CF_OK)
        rc = store_calibration_result(ctx->sv->store, id, result, &err);
    json_decref(row);
    json_decref(set);
    json_decref(result);
    if (rc == CF_OK)
        return JOB_DONE;
    snprintf(why, n, "%s", err.message);
    /* The data refused (an item everyone got right, ...): running again changes nothing. */
    return rc == CF_EINVAL ? JOB_FAIL : JOB_RETRY;
}

/* The calibration follows its job: done, failed (dead) or queued again. */
static int cal_settle(const struct svc *sv, const json_t *job, const struct job_outcome *o,
                      struct cf_error *err)
{
    const char *id = svc__str(json_object_get(job, "payload"), "calibration_id");

    if (id == NULL || o->result == JOB_SKIP)
        return CF_OK;
    if (o->result == JOB_DONE)
        return store_calibration_state(sv->store, id, "running", "done", NULL, o->now, NULL, err);
    if (o->state != NULL && strcmp(o->state, "dead") == 0)
        return store_calibration_state(sv->store, id, "running", "failed", o->error, o->now, NULL,
                                       err);
    return store_calibration_state(sv->store, id, "running", "queued", NULL, NULL, NULL, err);
}

/* A dead job retried (`ctoframe jobs retry`): its failed calibration waits again, and the job. */
static int cal_retry(const struct svc *sv, const json_t *job, const char *now, struct cf_error *err)
{
    const char *id = svc__str(json_object_get(job, "payload"), "calibration_id");
    int64_t n = 0;
    int rc;

    if (id == NULL)
        return cf_error_set(err, CF_ECONFLICT, NULL, "The job names no calibration.");
    rc = store_calibration_state(sv->store, id, "failed", "queued", NULL, NULL, &n, err);
    if (rc == CF_OK && n == 0)
        rc = cf_error_set(err, CF_ECONFLICT, NULL,
                          "Only a failed calibration is tried again; ask for a new one instead.");
    if (rc == CF_OK)
        rc = store_job_retry(sv->store, (int64_t)json_integer_value(json_object_get(job, "id")),
                             now, &n, err);
    return rc;
}

const struct job_kind svc__form_calibrate_kind = {
    .name = CAL_KIND,
    .max_attempts = CAL_ATTEMPTS,
    .lease_s = CAL_LEASE_S,
    .base_s = CAL_BACKOFF_S,
    .cap_s = CAL_CAP_S,
    .run = cal_run,
    .settle = cal_settle,
    .retry = cal_retry,
};
