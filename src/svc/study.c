/*
 * study.c — the Angoff study of an exam form kept in the database (issue 10 point 7): a study
 * is opened for a released form, its panel's ratings are imported round by round (the ratings
 * file of core/angoff.h, on the form's scored items), the compromise parameters (Hofstee,
 * Beuk) are recorded, and the cut of one round is adopted as the form's raw cut, which closes
 * the study. svc_study_show() is the record an accreditor reads: every round with its cut, SD
 * and SE, the items the panel disagrees on, impact data from the form's latest response set,
 * the compromise checks and who did what when. docs/standard-setting.md explains.
 *
 * Who: as forms (svc/forms.c), examiners only; anyone else is told there is no such form.
 * Every change is one transaction holding the form's row, with its audit entry.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/angoff.h"
#include "core/scale.h"
#include "lib/clock.h"
#include "svc/svc_impl.h"

#define ACTOR_LEN       64
#define ID_LEN          37 /* a UUID's 36 characters and the NUL (svc__uuid) */
#define NOW_LEN         32
#define FILE_NAME_MAX   200 /* bytes of a file name kept */
#define TITLE_MAX_CHARS 200
#define MSG_LEN         512

static int nomem(struct cf_error *err)
{
    return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
}

static void actor_of(const struct svc *sv, char *out, size_t n)
{
    snprintf(out, n, "%s", sv->actor != NULL ? sv->actor : "cli");
}

/* The identifiers of the form's scored items in form order into *out (a new array). */
static int scored_items(const struct svc *sv, const char *form, json_t **out, struct cf_error *err)
{
    json_t *list = NULL, *x;
    size_t i;
    int rc = store_form_items(sv->store, form, &list, err);

    *out = NULL;
    if (rc != CF_OK)
        return rc;
    *out = json_array();
    json_array_foreach(list, i, x)
    {
        if (*out != NULL && strcmp(svc__str(x, "role"), "scored") == 0 &&
            json_array_append(*out, json_object_get(x, "identifier")) != 0) {
            json_decref(*out);
            *out = NULL;
        }
    }
    json_decref(list);
    return *out != NULL ? CF_OK : nomem(err);
}

/* The index of identifier id in the array of strings ids, or -1. */
static int index_of(const json_t *ids, const char *id)
{
    const json_t *x;
    size_t i;

    json_array_foreach(ids, i, x)
    {
        if (json_string_value(x) != NULL && strcmp(json_string_value(x), id) == 0)
            return (int)i;
    }
    return -1;
}

/* Ends the transaction begun by svc__form_begin: commits when rc is CF_OK, else rolls back. */
static int end_form(const struct svc *sv, int rc, struct cf_error *err)
{
    if (rc == CF_OK)
        return store_commit(sv->store, err);
    store_rollback(sv->store);
    return rc;
}

/* The open study of form (row) into *study; CF_ECONFLICT naming the form when there is none. */
static int open_study(const struct svc *sv, const char *code, const json_t *form, json_t **study,
                      struct cf_error *err)
{
    char msg[MSG_LEN];
    int rc = store_study_open(sv->store, svc__str(form, "id"), study, err);

    if (rc != CF_ENOTFOUND)
        return rc;
    snprintf(msg, sizeof msg, "The form %s has no open Angoff study. Start one first.", code);
    return cf_error_set(err, CF_ECONFLICT, "study", "%s", msg);
}

int svc_study_create(const struct svc *sv, const char *code, const char *title, json_t **out,
                     struct cf_error *err)
{
    json_t *form = NULL, *open = NULL, *in, *after = NULL;
    char id[ID_LEN], now[NOW_LEN], actor[ACTOR_LEN], t[TITLE_MAX_CHARS * 4 + 1], msg[MSG_LEN];
    int rc = svc__form_allowed(sv, err);

    *out = NULL;
    if (rc != CF_OK)
        return rc;
    in = json_pack("{s:s?}", "title", title);
    if (in == NULL)
        return nomem(err);
    rc = svc__text(in, "title", 1, TITLE_MAX_CHARS, "the study's title", t, sizeof t, err);
    json_decref(in);
    if (rc != CF_OK)
        return rc;
    svc__uuid(id);
    clock_now_iso(now, sizeof now);
    actor_of(sv, actor, sizeof actor);

    /* The rules, with the form held: a released form, and no other open study of it. */
    rc = svc__form_begin(sv, code, &form, err);
    if (rc != CF_OK)
        goto out;
    if (strcmp(svc__str(form, "status"), "released") != 0) {
        snprintf(msg, sizeof msg,
                 "The form %s is %s: an Angoff study rates the frozen items of a released form.",
                 code, svc__str(form, "status"));
        rc = cf_error_set(err, CF_ECONFLICT, "form", "%s", msg);
        goto out;
    }
    rc = store_study_open(sv->store, svc__str(form, "id"), &open, err);
    if (rc == CF_OK)
        rc = CF_ECONFLICT;
    else if (rc == CF_ENOTFOUND)
        rc = store_study_create(sv->store, id, svc__str(form, "id"), t, actor, now, err);
    if (rc == CF_ECONFLICT) {
        snprintf(msg, sizeof msg,
                 "The form %s has an open Angoff study already. Adopt a cut in it first.", code);
        rc = cf_error_set(err, CF_ECONFLICT, "title", "%s", msg);
    }
    if (rc != CF_OK)
        goto out;
    after =
        json_pack("{s:s, s:s, s:s, s:s}", "form", code, "study", id, "title", t, "status", "open");
    if (after == NULL) {
        rc = nomem(err);
        goto out;
    }
    rc = svc__audit(sv, NULL, "form.study.create", "exam_form", code, NULL, after, err);
out:
    rc = end_form(sv, rc, err);
    if (rc == CF_OK)
        *out = json_incref(after);
    json_decref(form);
    json_decref(open);
    json_decref(after);
    return rc;
}

/* Appends {line, column, message} to problems, at most ANGOFF_MAX_PROBLEMS (then one more). */
static void problem(json_t *problems, long line, long column, const char *message)
{
    size_t n = json_array_size(problems);

    if (n > ANGOFF_MAX_PROBLEMS)
        return;
    if (n == ANGOFF_MAX_PROBLEMS)
        json_array_append_new(problems, json_pack("{s:I, s:I, s:s}", "line", (json_int_t)line,
                                                  "column", (json_int_t)column, "message",
                                                  "There are more problems than are listed here."));
    else
        json_array_append_new(problems,
                              json_pack("{s:I, s:I, s:s}", "line", (json_int_t)line, "column",
                                        (json_int_t)column, "message", message));
}

/*
 * The problems of ratings a as round next of a study of a form whose scored items are scored:
 * the item columns must be exactly those items, and every row must carry round next. Appended
 * to problems in file order.
 */
static void round_problems(const struct angoff_ratings *a, const json_t *scored, int next,
                           json_t *problems)
{
    char msg[MSG_LEN];
    const json_t *x;
    size_t i;

    json_array_foreach(scored, i, x)
    {
        int k;

        for (k = 0; k < a->items && strcmp(a->item_id[k], json_string_value(x)) != 0; k++)
            ;
        if (k == a->items) {
            snprintf(msg, sizeof msg, "The form's scored item %s has no column.",
                     json_string_value(x));
            problem(problems, 1, 1, msg);
        }
    }
    for (int k = 0; k < a->items; k++)
        if (index_of(scored, a->item_id[k]) < 0) {
            snprintf(msg, sizeof msg, "\"%s\" is not a scored item of this form.", a->item_id[k]);
            problem(problems, 1, a->item_col[k], msg);
        }
    for (int r = 0; r < a->rows; r++)
        if (a->round[r] != next) {
            snprintf(msg, sizeof msg,
                     "The round is %d: the next round of this study is %d (a round once imported "
                     "is kept; a correction is a new round).",
                     a->round[r], next);
            problem(problems, a->line[r], 1, msg);
        }
}

/* The refusal of a ratings file with problems: their count and the first, in err. */
static int refuse_file(const json_t *problems, struct cf_error *err)
{
    size_t np = json_array_size(problems);
    const json_t *first = json_array_get(problems, 0);
    char msg[MSG_LEN];

    snprintf(msg, sizeof msg,
             "The ratings were not imported: %zu problem%s, the first at line %d, column %d: %s",
             np, np == 1 ? "" : "s", (int)json_integer_value(json_object_get(first, "line")),
             (int)json_integer_value(json_object_get(first, "column")), svc__str(first, "message"));
    return cf_error_set(err, CF_EINVAL, "file", "%s", msg);
}

int svc_study_round(const struct svc *sv, const char *code, const char *file_name,
                    const char *bytes, size_t n, json_t **out, json_t **problems,
                    struct cf_error *err)
{
    struct angoff_ratings a;
    struct angoff_study s;
    json_t *form = NULL, *study = NULL, *scored = NULL, *rounds = NULL, *probs = NULL;
    json_t *after = NULL;
    char now[NOW_LEN], actor[ACTOR_LEN], name[FILE_NAME_MAX + 1];
    int rc = svc__form_allowed(sv, err), next;

    *out = NULL;
    if (problems != NULL)
        *problems = NULL;
    memset(&a, 0, sizeof a);
    memset(&s, 0, sizeof s);
    if (rc != CF_OK)
        return rc;
    snprintf(name, sizeof name, "%s",
             file_name != NULL && file_name[0] != '\0' ? file_name : "ratings.csv");
    clock_now_iso(now, sizeof now);
    actor_of(sv, actor, sizeof actor);

    /* The rule: the form's open study, held while the round is written. */
    rc = svc__form_begin(sv, code, &form, err);
    if (rc == CF_OK)
        rc = open_study(sv, code, form, &study, err);
    if (rc != CF_OK)
        goto out;
    if (bytes == NULL || n == 0) {
        rc = cf_error_set(err, CF_EINVAL, "file", "Choose the panel's ratings file (CSV).");
        goto out;
    }
    if (n > ANGOFF_MAX_BYTES) {
        rc = cf_error_set(err, CF_EINVAL, "file", "The ratings file is larger than %u MB.",
                          ANGOFF_MAX_BYTES / (1024u * 1024u));
        goto out;
    }
    rc = scored_items(sv, svc__str(form, "id"), &scored, err);
    if (rc == CF_OK)
        rc = store_study_rounds(sv->store, svc__str(study, "id"), &rounds, err);
    if (rc != CF_OK)
        goto out;
    next = 1 + (int)json_integer_value(
                   json_object_get(json_array_get(rounds, json_array_size(rounds) - 1), "round"));

    /* The file: read, then checked against the form and the study, whole or not at all. */
    if (angoff_parse(bytes, n, &a, &probs) != 0) {
        rc = probs != NULL ? refuse_file(probs, err) : nomem(err);
        goto out;
    }
    probs = json_array();
    if (probs == NULL) {
        rc = nomem(err);
        goto out;
    }
    round_problems(&a, scored, next, probs);
    if (json_array_size(probs) > 0) {
        rc = refuse_file(probs, err);
        goto out;
    }

    rc = store_study_round_add(sv->store, svc__str(study, "id"), next, name, a.rows, actor, now,
                               err);
    for (int r = 0; rc == CF_OK && r < a.rows; r++)
        for (int i = 0; rc == CF_OK && i < a.items; i++)
            rc = store_study_rating_add(sv->store, svc__str(study, "id"), next, r + 1,
                                        a.panelist[r], a.item_id[i],
                                        a.rating[(size_t)r * (size_t)a.items + (size_t)i], err);
    if (rc != CF_OK)
        goto out;
    if (angoff_study(&a, &s) != CF_OK) {
        rc = nomem(err);
        goto out;
    }
    after = json_pack("{s:s, s:s, s:i, s:s, s:i, s:f, s:o, s:o, s:i}", "form", code, "study",
                      svc__str(study, "id"), "round", next, "file_name", name, "panelists", a.rows,
                      "cut", s.round[0].cut, "sd",
                      s.round[0].sd.defined ? json_real(s.round[0].sd.value) : json_null(), "se",
                      s.round[0].se.defined ? json_real(s.round[0].se.value) : json_null(),
                      "raw_cut", angoff_raw_cut(s.round[0].cut));
    if (after == NULL) {
        rc = nomem(err);
        goto out;
    }
    rc = svc__audit(sv, NULL, "form.study.round", "exam_form", code, NULL, after, err);
out:
    rc = end_form(sv, rc, err);
    if (rc == CF_OK)
        *out = json_incref(after);
    if (rc == CF_EINVAL && problems != NULL && json_array_size(probs) > 0)
        *problems = json_incref(probs);
    json_decref(form);
    json_decref(study);
    json_decref(scored);
    json_decref(rounds);
    json_decref(probs);
    json_decref(after);
    angoff_study_free(&s);
    angoff_ratings_free(&a);
    return rc;
}

/* A number of in: a number or a numeric string, lo..hi; *v = -1 when absent and not required. */
static int number_field(const json_t *in, const char *k, int required, double hi, const char *label,
                        double *v, struct cf_error *err)
{
    const json_t *x = json_object_get(in, k);
    const char *s = json_string_value(x);
    char msg[MSG_LEN], *end = NULL;

    *v = -1;
    if (x == NULL || json_is_null(x) || (s != NULL && s[0] == '\0')) {
        if (!required)
            return CF_OK;
        snprintf(msg, sizeof msg, "Enter %s.", label);
        return cf_error_set(err, CF_EINVAL, k, "%s", msg);
    }
    if (json_is_number(x))
        *v = json_number_value(x);
    else if (s != NULL) {
        errno = 0;
        *v = strtod(s, &end);
        if (errno != 0 || end == s || *end != '\0')
            *v = NAN;
    } else
        *v = NAN;
    if (!isfinite(*v) || *v < 0 || *v > hi) {
        *v = -1;
        snprintf(msg, sizeof msg, "Enter %s as a number from 0 to %g.", label, hi);
        return cf_error_set(err, CF_EINVAL, k, "%s", msg);
    }
    return CF_OK;
}

/* The compromise parameters of in, checked field by field: hofstee[4], *bp, *bs (-1: none). */
static int compromise_in(const json_t *in, double hofstee[4], double *bp, double *bs,
                         struct cf_error *err)
{
    static const char *const keys[] = {"kmin", "kmax", "fmin", "fmax"};
    static const char *const labels[] = {
        "the lowest acceptable cut (percent correct)",
        "the highest acceptable cut (percent correct)",
        "the lowest acceptable fail rate (percent)",
        "the highest acceptable fail rate (percent)",
    };
    struct svc_checks ck = {err, CF_OK};
    struct cf_error e;

    for (int k = 0; k < 4; k++)
        svc__check(&ck, number_field(in, keys[k], 1, 100, labels[k], &hofstee[k], &e), &e);
    svc__check(&ck,
               number_field(in, "beuk_pass", 0, 100,
                            "the panel's mean acceptable pass rate (percent)", bp, &e),
               &e);
    svc__check(&ck,
               number_field(in, "beuk_sd", 0, 100,
                            "the standard deviation of the panel's pass rates", bs, &e),
               &e);
    if (ck.rc != CF_OK)
        return ck.rc;
    if (hofstee[0] >= hofstee[1])
        svc__check(&ck,
                   cf_error_set(&e, CF_EINVAL, "kmax",
                                "The highest acceptable cut must be above the lowest."),
                   &e);
    if (hofstee[2] >= hofstee[3])
        svc__check(&ck,
                   cf_error_set(&e, CF_EINVAL, "fmax",
                                "The highest acceptable fail rate must be above the lowest."),
                   &e);
    if ((*bp < 0) != (*bs < 0))
        svc__check(&ck,
                   cf_error_set(&e, CF_EINVAL, *bp < 0 ? "beuk_pass" : "beuk_sd",
                                "Give both Beuk values, the pass rate and its standard "
                                "deviation, or neither."),
                   &e);
    return ck.rc;
}

int svc_study_compromise(const struct svc *sv, const char *code, const json_t *in, json_t **out,
                         struct cf_error *err)
{
    json_t *form = NULL, *study = NULL, *after = NULL;
    char now[NOW_LEN], actor[ACTOR_LEN];
    double h[4] = {0}, bp = -1, bs = -1;
    int rc = svc__form_allowed(sv, err);

    *out = NULL;
    if (rc != CF_OK)
        return rc;
    clock_now_iso(now, sizeof now);
    actor_of(sv, actor, sizeof actor);
    rc = svc__form_begin(sv, code, &form, err);
    if (rc == CF_OK)
        rc = open_study(sv, code, form, &study, err);
    if (rc == CF_OK)
        rc = compromise_in(in, h, &bp, &bs, err);
    if (rc == CF_OK)
        rc = store_study_compromise(sv->store, svc__str(study, "id"), h, bp, bs, actor, now, err);
    if (rc != CF_OK)
        goto out;
    after = json_pack("{s:s, s:s, s:f, s:f, s:f, s:f, s:o, s:o}", "form", code, "study",
                      svc__str(study, "id"), "kmin", h[0], "kmax", h[1], "fmin", h[2], "fmax", h[3],
                      "beuk_pass", bp >= 0 ? json_real(bp) : json_null(), "beuk_sd",
                      bs >= 0 ? json_real(bs) : json_null());
    if (after == NULL) {
        rc = nomem(err);
        goto out;
    }
    rc = svc__audit(sv, NULL, "form.study.compromise", "exam_form", code, NULL, after, err);
out:
    rc = end_form(sv, rc, err);
    if (rc == CF_OK)
        *out = json_incref(after);
    json_decref(form);
    json_decref(study);
    json_decref(after);
    return rc;
}

/*
 * The stored ratings of study rebuilt into *a (angoff_ratings_free it): the items are the
 * form's scored items (scored, form order), the rows by round and place in their file. CF_EIO
 * when a stored rating names another item or does not read.
 */
static int ratings_load(const struct svc *sv, const char *study, const json_t *scored,
                        struct angoff_ratings *a, struct cf_error *err)
{
    json_t *list = NULL, *x;
    size_t i, nrows = 0;
    long prev_round = -1, prev_row = -1;
    int rc = store_study_ratings(sv->store, study, &list, err), r = -1;

    memset(a, 0, sizeof *a);
    if (rc != CF_OK)
        return rc;
    json_array_foreach(list, i, x)
    {
        long rd = (long)json_integer_value(json_object_get(x, "round"));
        long rw = (long)json_integer_value(json_object_get(x, "row_no"));

        if (rd != prev_round || rw != prev_row)
            nrows++;
        prev_round = rd;
        prev_row = rw;
    }
    a->items = (int)json_array_size(scored);
    a->rows = (int)nrows;
    a->item_id = calloc((size_t)a->items + 1, sizeof *a->item_id);
    a->item_col = calloc((size_t)a->items + 1, sizeof *a->item_col);
    a->panelist = calloc(nrows + 1, sizeof *a->panelist);
    a->round = calloc(nrows + 1, sizeof *a->round);
    a->line = calloc(nrows + 1, sizeof *a->line);
    a->rating = calloc(nrows * (size_t)a->items + 1, sizeof *a->rating);
    if (a->item_id == NULL || a->item_col == NULL || a->panelist == NULL || a->round == NULL ||
        a->line == NULL || a->rating == NULL) {
        rc = nomem(err);
        goto out;
    }
    for (int k = 0; k < a->items; k++) {
        a->item_id[k] = strdup(json_string_value(json_array_get(scored, (size_t)k)));
        if (a->item_id[k] == NULL) {
            rc = nomem(err);
            goto out;
        }
    }
    prev_round = prev_row = -1;
    json_array_foreach(list, i, x)
    {
        long rd = (long)json_integer_value(json_object_get(x, "round"));
        long rw = (long)json_integer_value(json_object_get(x, "row_no"));
        int k = index_of(scored, svc__str(x, "item"));
        const char *text = svc__str(x, "rating");
        char *end = NULL;
        double v;

        if (rd != prev_round || rw != prev_row) {
            r++;
            a->round[r] = (int)rd;
            a->line[r] = rw + 1;
            a->panelist[r] = strdup(svc__str(x, "panelist") != NULL ? svc__str(x, "panelist") : "");
            if (a->panelist[r] == NULL) {
                rc = nomem(err);
                goto out;
            }
        }
        prev_round = rd;
        prev_row = rw;
        v = text != NULL ? strtod(text, &end) : NAN;
        if (k < 0 || text == NULL || end == text || !(v >= 0 && v <= 1)) {
            rc = cf_error_set(err, CF_EIO, NULL,
                              "A stored rating of this study no longer matches the form's scored "
                              "items.");
            goto out;
        }
        a->rating[(size_t)r * (size_t)a->items + (size_t)k] = v;
    }
out:
    json_decref(list);
    if (rc != CF_OK)
        angoff_ratings_free(a);
    return rc;
}

/* Impact data: the pass rate at each raw cut 0..items from the form's latest response set. */
struct impact {
    int have;     /* 1 when the form has a response set */
    int persons;  /* its candidates */
    double *pass; /* items + 1 values */
    json_t *set;  /* the set's row */
};

static void impact_free(struct impact *im)
{
    free(im->pass);
    json_decref(im->set);
    memset(im, 0, sizeof *im);
}

/*
 * Reads the latest response set of form into *im: each candidate's raw score is the total
 * kept at import, the number right over the scored items by the keys the form was released
 * with (svc/responses.c). im->have is 0 when there is no set.
 */
static int impact_read(const struct svc *sv, const char *form, const json_t *scored,
                       struct impact *im, struct cf_error *err)
{
    json_t *rows = NULL, *x;
    int *t = NULL, items = (int)json_array_size(scored);
    size_t i;
    int rc = store_response_set_latest(sv->store, form, &im->set, err);

    if (rc == CF_ENOTFOUND)
        return CF_OK;
    if (rc == CF_OK)
        rc = store_response_totals(sv->store, svc__str(im->set, "id"), &rows, err);
    if (rc != CF_OK)
        goto out;
    im->persons = (int)json_array_size(rows);
    t = calloc((size_t)im->persons + 1, sizeof *t);
    im->pass = calloc((size_t)items + 1, sizeof *im->pass);
    if (t == NULL || im->pass == NULL) {
        rc = nomem(err);
        goto out;
    }
    json_array_foreach(rows, i, x)
    {
        t[i] = (int)json_integer_value(json_object_get(x, "total"));
    }
    if (im->persons > 0) {
        angoff_pass_rates(t, im->persons, items, im->pass);
        im->have = 1;
    }
out:
    free(t);
    json_decref(rows);
    return rc;
}

/*
 * The impact data kept with a closed study at its adoption (impact_view's object) into *im, so
 * the record of an adopted cut does not change with later imports. CF_OK or CF_ENOMEM.
 */
static int impact_kept(const json_t *kept, int items, struct impact *im, struct cf_error *err)
{
    const json_t *rates = json_object_get(kept, "pass_rates");

    im->persons = (int)json_integer_value(json_object_get(kept, "persons"));
    im->pass = calloc((size_t)items + 1, sizeof *im->pass);
    im->set = json_pack("{s:O, s:O}", "file_name", json_object_get(kept, "file_name"), "created_at",
                        json_object_get(kept, "created_at"));
    if (im->pass == NULL || im->set == NULL)
        return nomem(err);
    for (int c = 0; c <= items; c++)
        im->pass[c] = json_number_value(json_array_get(rates, (size_t)c));
    im->have = 1;
    return CF_OK;
}

/* A stored number (text) of row k, or -1 when null. */
static double stored_num(const json_t *row, const char *k)
{
    const char *s = svc__str(row, k);

    return s != NULL ? strtod(s, NULL) : -1;
}

/* A compromise's result as the record shows it (beuk: pass rates; else fail rates). */
static json_t *compromise_view(const struct angoff_compromise *c, int items, int beuk)
{
    if (c->why != ANGOFF_CROSSES)
        return json_pack("{s:b, s:s, s:n}", "crosses", 0, "why", angoff_cross_text(c->why),
                         "raw_cut");
    return json_pack("{s:b, s:f, s:f, s:f, s:i, s:f}", "crosses", 1, "cut_points", c->x,
                     "cut_percent", 100.0 * c->x / items,
                     beuk ? "pass_percent_there" : "fail_percent_there", 100.0 * c->rate, "raw_cut",
                     c->raw_cut, "pass_percent_at_raw_cut", 100.0 * c->raw_pass);
}

/* Adds the event {at, who, what} to events when at is set. */
static void event(json_t *events, const char *at, const char *who, const char *what)
{
    if (at != NULL && at[0] != '\0')
        json_array_append_new(events, json_pack("{s:s, s:s, s:s}", "at", at, "who",
                                                who != NULL ? who : "", "what", what));
}

/* Orders events by their instant (ISO text orders as time), stably. */
static json_t *events_sorted(json_t *events)
{
    size_t n = json_array_size(events);

    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0; j--) {
            json_t *a = json_array_get(events, j - 1), *b = json_array_get(events, j);

            if (strcmp(svc__str(a, "at"), svc__str(b, "at")) <= 0)
                break;
            json_incref(a);
            json_array_set(events, j - 1, b);
            json_array_set_new(events, j, a);
        }
    return events;
}

/* The history of a study: created, each round, the compromise, the adoption. */
static json_t *study_events(const json_t *study, const json_t *rounds)
{
    json_t *events = json_array(), *x;
    char what[MSG_LEN];
    size_t i;

    if (events == NULL)
        return NULL;
    snprintf(what, sizeof what, "Started the study \"%s\".", svc__str(study, "title"));
    event(events, svc__str(study, "created_at"), svc__str(study, "created_by"), what);
    json_array_foreach(rounds, i, x)
    {
        snprintf(what, sizeof what, "Imported round %d from %s (%d panelists).",
                 (int)json_integer_value(json_object_get(x, "round")), svc__str(x, "file_name"),
                 (int)json_integer_value(json_object_get(x, "panelists")));
        event(events, svc__str(x, "created_at"), svc__str(x, "created_by"), what);
    }
    event(events, svc__str(study, "compromise_at"), svc__str(study, "compromise_by"),
          "Recorded the compromise parameters.");
    snprintf(what, sizeof what, "Adopted the cut of round %d: raw cut %d; closed the study.",
             (int)json_integer_value(json_object_get(study, "adopted_round")),
             (int)json_integer_value(json_object_get(study, "adopted_cut_raw")));
    event(events, svc__str(study, "closed_at"), svc__str(study, "closed_by"), what);
    return events_sorted(events);
}

/* The study's row as the record shows it, with its compromise parameters as numbers. */
static json_t *study_view(const json_t *study)
{
    json_t *v = json_pack(
        "{s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O}", "id", json_object_get(study, "id"),
        "title", json_object_get(study, "title"), "status", json_object_get(study, "status"),
        "created_at", json_object_get(study, "created_at"), "created_by",
        json_object_get(study, "created_by"), "closed_at", json_object_get(study, "closed_at"),
        "closed_by", json_object_get(study, "closed_by"), "adopted_round",
        json_object_get(study, "adopted_round"), "adopted_cut_raw",
        json_object_get(study, "adopted_cut_raw"));
    json_t *c = NULL;

    if (v == NULL)
        return NULL;
    if (svc__str(study, "compromise_at") != NULL) {
        double bp = stored_num(study, "beuk_pass"), bs = stored_num(study, "beuk_pass_sd");

        c = json_pack(
            "{s:f, s:f, s:f, s:f, s:o, s:o, s:O, s:O}", "kmin", stored_num(study, "hofstee_kmin"),
            "kmax", stored_num(study, "hofstee_kmax"), "fmin", stored_num(study, "hofstee_fmin"),
            "fmax", stored_num(study, "hofstee_fmax"), "beuk_pass",
            bp >= 0 ? json_real(bp) : json_null(), "beuk_sd", bs >= 0 ? json_real(bs) : json_null(),
            "recorded_at", json_object_get(study, "compromise_at"), "recorded_by",
            json_object_get(study, "compromise_by"));
        if (c == NULL) {
            json_decref(v);
            return NULL;
        }
    }
    json_object_set_new(v, "compromise", c != NULL ? c : json_null());
    return v;
}

/*
 * Adds to view (the record) the rounds (angoff_study_view's, each with its file, who and when,
 * its raw cut and, with impact data, the pass rate there), the impact set and the compromise
 * checks. Returns CF_OK or CF_ENOMEM.
 */
static int record_rounds(json_t *view, const struct angoff_ratings *a, const struct angoff_study *s,
                         const json_t *meta, const json_t *study, const struct impact *im,
                         struct cf_error *err)
{
    json_t *sv_view = angoff_study_view(a, s), *rounds, *x, *hof = json_null(), *beuk = json_null();
    int items = a->items, pick = s->rounds - 1;
    size_t i;

    if (sv_view == NULL)
        return nomem(err);
    rounds = json_object_get(sv_view, "rounds");
    json_array_foreach(rounds, i, x)
    {
        const json_t *m = json_array_get(meta, i);
        int raw = angoff_raw_cut(s->round[i].cut);

        if (raw > items)
            raw = items;
        json_object_set(x, "file_name", json_object_get(m, "file_name"));
        json_object_set(x, "created_at", json_object_get(m, "created_at"));
        json_object_set(x, "created_by", json_object_get(m, "created_by"));
        json_object_set_new(x, "raw_cut", json_integer(raw));
        json_object_set_new(x, "pass_rate", im->have ? json_real(im->pass[raw]) : json_null());
        if (s->round[i].round == (int)json_integer_value(json_object_get(study, "adopted_round")))
            pick = (int)i;
    }

    /* The compromise checks on the impact data: Beuk with the adopted, else the last round. */
    if (im->have && svc__str(study, "compromise_at") != NULL && items > 0) {
        struct angoff_compromise c;
        double bp = stored_num(study, "beuk_pass"), bs = stored_num(study, "beuk_pass_sd");

        angoff_hofstee(im->pass, items, stored_num(study, "hofstee_kmin") * items / 100.0,
                       stored_num(study, "hofstee_kmax") * items / 100.0,
                       stored_num(study, "hofstee_fmin") / 100.0,
                       stored_num(study, "hofstee_fmax") / 100.0, &c);
        hof = compromise_view(&c, items, 0);
        if (bp >= 0 && bs >= 0 && pick >= 0) {
            const struct angoff_round *rd = &s->round[pick];

            angoff_beuk(im->pass, items, 100.0 * rd->cut / items,
                        rd->sd.defined ? 100.0 * rd->sd.value / items : 0.0, bp, bs, &c);
            beuk = compromise_view(&c, items, 1);
            if (beuk != NULL &&
                (json_object_set_new(beuk, "round", json_integer(rd->round)) != 0 ||
                 json_object_set_new(beuk, "cut_percent_panel",
                                     json_real(100.0 * rd->cut / items)) != 0 ||
                 json_object_set_new(
                     beuk, "cut_sd_percent",
                     json_real(rd->sd.defined ? 100.0 * rd->sd.value / items : 0.0)) != 0)) {
                json_decref(beuk);
                beuk = NULL;
            }
        }
    }
    if (hof == NULL || beuk == NULL || json_object_set(view, "rounds", rounds) != 0 ||
        json_object_set_new(view, "hofstee", hof) != 0 ||
        json_object_set_new(view, "beuk", beuk) != 0) {
        json_decref(sv_view);
        return nomem(err);
    }
    json_decref(sv_view);
    return CF_OK;
}

/* {set: {file_name, created_at, persons}, pass_rates: [items + 1]} or null. */
static json_t *impact_view(const struct impact *im, int items)
{
    json_t *rates;

    if (!im->have)
        return json_null();
    rates = json_array();
    for (int c = 0; rates != NULL && c <= items; c++)
        if (json_array_append_new(rates, json_real(im->pass[c])) != 0) {
            json_decref(rates);
            rates = NULL;
        }
    if (rates == NULL)
        return NULL;
    return json_pack("{s:O, s:O, s:i, s:o}", "file_name", json_object_get(im->set, "file_name"),
                     "created_at", json_object_get(im->set, "created_at"), "persons", im->persons,
                     "pass_rates", rates);
}

int svc_study_show(const struct svc *sv, const char *code, json_t **out, struct cf_error *err)
{
    struct angoff_ratings a;
    struct angoff_study s;
    struct impact im;
    json_t *form = NULL, *cut = NULL, *scored = NULL, *study = NULL, *meta = NULL, *view = NULL;
    json_t *x;
    int rc = svc__form_allowed(sv, err);

    *out = NULL;
    memset(&a, 0, sizeof a);
    memset(&s, 0, sizeof s);
    memset(&im, 0, sizeof im);
    if (rc != CF_OK)
        return rc;
    rc = svc__form_row(sv, code, &form, err);
    if (rc == CF_OK)
        rc = store_form_cut(sv->store, svc__str(form, "id"), &cut, err);
    if (rc == CF_OK)
        rc = scored_items(sv, svc__str(form, "id"), &scored, err);
    if (rc != CF_OK)
        goto out;
    view = json_pack("{s:s, s:O, s:O, s:i, s:O, s:i, s:n, s:[], s:n, s:n, s:n, s:[]}", "form", code,
                     "title", json_object_get(form, "title"), "status",
                     json_object_get(form, "status"), "scored_items", (int)json_array_size(scored),
                     "cut_raw", json_object_get(cut, "cut_raw"), "scaled_cut", SCALE_CUT, "study",
                     "rounds", "impact", "hofstee", "beuk", "events");
    if (view == NULL) {
        rc = nomem(err);
        goto out;
    }
    rc = store_study_latest(sv->store, svc__str(form, "id"), &study, err);
    if (rc == CF_ENOTFOUND) {
        rc = CF_OK; /* no study yet: the record says so */
        goto out;
    }
    if (rc == CF_OK)
        rc = store_study_rounds(sv->store, svc__str(study, "id"), &meta, err);
    if (rc == CF_OK)
        rc = ratings_load(sv, svc__str(study, "id"), scored, &a, err);
    if (rc == CF_OK && json_is_object(json_object_get(study, "adopted_impact")))
        rc = impact_kept(json_object_get(study, "adopted_impact"), (int)json_array_size(scored),
                         &im, err);
    else if (rc == CF_OK)
        rc = impact_read(sv, svc__str(form, "id"), scored, &im, err);
    if (rc != CF_OK)
        goto out;
    if (angoff_study(&a, &s) != CF_OK) {
        rc = nomem(err);
        goto out;
    }
    if ((size_t)s.rounds != json_array_size(meta)) {
        rc = cf_error_set(err, CF_EIO, NULL, "The stored rounds of this study do not agree.");
        goto out;
    }
    rc = record_rounds(view, &a, &s, meta, study, &im, err);
    if (rc != CF_OK)
        goto out;
    x = impact_view(&im, a.items);
    if (json_is_object(x))
        json_object_set_new(x, "kept_at_adoption",
                            json_boolean(json_is_object(json_object_get(study, "adopted_impact"))));
    if (x == NULL || json_object_set_new(view, "impact", x) != 0 ||
        json_object_set_new(view, "study", study_view(study)) != 0 ||
        json_object_set_new(view, "events", study_events(study, meta)) != 0 ||
        json_is_null(json_object_get(view, "study")) || json_object_get(view, "events") == NULL)
        rc = nomem(err);
out:
    if (rc == CF_OK)
        *out = json_incref(view);
    json_decref(view);
    json_decref(form);
    json_decref(cut);
    json_decref(scored);
    json_decref(study);
    json_decref(meta);
    angoff_study_free(&s);
    angoff_ratings_free(&a);
    impact_free(&im);
    return rc;
}

int svc_study_cut(const struct svc *sv, const char *code, json_t **out, struct cf_error *err)
{
    json_t *form = NULL, *cut = NULL, *scored = NULL;
    int rc = svc__form_allowed(sv, err);

    *out = NULL;
    if (rc != CF_OK)
        return rc;
    rc = svc__form_row(sv, code, &form, err);
    if (rc == CF_OK)
        rc = store_form_cut(sv->store, svc__str(form, "id"), &cut, err);
    if (rc == CF_OK)
        rc = scored_items(sv, svc__str(form, "id"), &scored, err);
    if (rc == CF_OK) {
        *out = json_pack("{s:O, s:O, s:i, s:i}", "cut_raw", json_object_get(cut, "cut_raw"),
                         "cut_study", json_object_get(cut, "cut_study"), "scored_items",
                         (int)json_array_size(scored), "scaled_cut", SCALE_CUT);
        if (*out == NULL)
            rc = nomem(err);
    }
    json_decref(form);
    json_decref(cut);
    json_decref(scored);
    return rc;
}

int svc_study_adopt(const struct svc *sv, const char *code, int round, json_t **out,
                    struct cf_error *err)
{
    struct angoff_ratings a;
    struct angoff_study s;
    struct impact im;
    json_t *form = NULL, *study = NULL, *scored = NULL, *after = NULL, *impact = NULL;
    char now[NOW_LEN], actor[ACTOR_LEN], msg[MSG_LEN];
    int rc = svc__form_allowed(sv, err), k, raw;

    *out = NULL;
    memset(&a, 0, sizeof a);
    memset(&s, 0, sizeof s);
    memset(&im, 0, sizeof im);
    if (rc != CF_OK)
        return rc;
    clock_now_iso(now, sizeof now);
    actor_of(sv, actor, sizeof actor);

    /* The rule: the form's open study has the round; its cut is computed from what is kept. */
    rc = svc__form_begin(sv, code, &form, err);
    if (rc == CF_OK)
        rc = open_study(sv, code, form, &study, err);
    if (rc == CF_OK)
        rc = scored_items(sv, svc__str(form, "id"), &scored, err);
    if (rc == CF_OK)
        rc = ratings_load(sv, svc__str(study, "id"), scored, &a, err);
    if (rc != CF_OK)
        goto out;
    if (angoff_study(&a, &s) != CF_OK) {
        rc = nomem(err);
        goto out;
    }
    for (k = 0; k < s.rounds && s.round[k].round != round; k++)
        ;
    if (k == s.rounds) {
        snprintf(msg, sizeof msg, "The study has no round %d.", round);
        rc = cf_error_set(err, CF_EINVAL, "round", "%s", msg);
        goto out;
    }
    raw = angoff_raw_cut(s.round[k].cut);
    if (raw > a.items)
        raw = a.items;
    /* The impact data as the record shows it now is kept with the adopted cut. */
    rc = impact_read(sv, svc__str(form, "id"), scored, &im, err);
    if (rc != CF_OK)
        goto out;
    impact = impact_view(&im, a.items);
    if (impact == NULL) {
        rc = nomem(err);
        goto out;
    }
    rc = store_study_adopt(sv->store, svc__str(study, "id"), svc__str(form, "id"), round, raw,
                           impact, actor, now, err);
    if (rc != CF_OK)
        goto out;
    after = json_pack("{s:s, s:s, s:i, s:f, s:i, s:i, s:i}", "form", code, "study",
                      svc__str(study, "id"), "round", round, "cut", s.round[k].cut, "cut_raw", raw,
                      "scored_items", a.items, "scaled_cut", SCALE_CUT);
    if (after == NULL) {
        rc = nomem(err);
        goto out;
    }
    rc = svc__audit(sv, NULL, "form.study.adopt", "exam_form", code, NULL, after, err);
out:
    rc = end_form(sv, rc, err);
    if (rc == CF_OK)
        *out = json_incref(after);
    json_decref(form);
    json_decref(study);
    json_decref(scored);
    json_decref(after);
    json_decref(impact);
    impact_free(&im);
    angoff_study_free(&s);
    angoff_ratings_free(&a);
    return rc;
}
