/*
 * study.c — Angoff studies of exam forms (issue 10 point 7; migration 027): a study, its
 * rounds and their ratings, the compromise parameters, the adopted cut on the form. svc/study.c
 * reads the ratings file, computes and decides who may act; every write here runs inside its
 * transaction. A rating is bound as text with 17 significant digits (the store binds no
 * doubles): the column is DOUBLE PRECISION in both databases, so it is read back the same.
 */
#include "store/store_impl.h"

#include <stdio.h>

#define STUDY_COLS                                                                                 \
    "id,form_id,title,status,hofstee_kmin,hofstee_kmax,hofstee_fmin,hofstee_fmax,beuk_pass,"       \
    "beuk_pass_sd,compromise_at,compromise_by,adopted_round#,adopted_cut_raw#,created_at,"         \
    "created_by,closed_at,closed_by,adopted_impact@"
#define STUDY_SELECT                                                                               \
    "SELECT id, form_id, title, status, hofstee_kmin, hofstee_kmax, hofstee_fmin, hofstee_fmax,"   \
    " beuk_pass, beuk_pass_sd, compromise_at, compromise_by, adopted_round, adopted_cut_raw,"      \
    " created_at, created_by, closed_at, closed_by, adopted_impact FROM exam_studies"
#define NUM_TEXT_LEN 40 /* a double as "%.17g" */

int store_study_create(struct store *s, const char *id, const char *form, const char *title,
                       const char *actor, const char *now, struct cf_error *err)
{
    return store__exec(s,
                       "INSERT INTO exam_studies (id, form_id, title, status, created_at,"
                       " created_by) VALUES (?, ?, ?, 'open', ?, ?)",
                       NULL, err, "sssss", id, form, title, now, actor);
}

int store_study_open(struct store *s, const char *form, json_t **out, struct cf_error *err)
{
    return store__query_one(s, STUDY_SELECT " WHERE form_id = ? AND status = 'open'", STUDY_COLS,
                            out, err, "s", form);
}

int store_study_latest(struct store *s, const char *form, json_t **out, struct cf_error *err)
{
    return store__query_one(s,
                            STUDY_SELECT " WHERE form_id = ? ORDER BY CASE status WHEN 'open'"
                                         " THEN 0 ELSE 1 END, created_at DESC, id DESC LIMIT 1",
                            STUDY_COLS, out, err, "s", form);
}

int store_study_rounds(struct store *s, const char *study, json_t **out, struct cf_error *err)
{
    return store__query(s,
                        "SELECT round, file_name, panelists, created_at, created_by"
                        " FROM exam_study_rounds WHERE study_id = ? ORDER BY round",
                        "round#,file_name,panelists#,created_at,created_by", out, err, "s", study);
}

int store_study_round_add(struct store *s, const char *study, int round, const char *file_name,
                          int panelists, const char *actor, const char *now, struct cf_error *err)
{
    return store__exec(s,
                       "INSERT INTO exam_study_rounds (study_id, round, file_name, panelists,"
                       " created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)",
                       NULL, err, "sisiss", study, (int64_t)round, file_name, (int64_t)panelists,
                       now, actor);
}

int store_study_rating_add(struct store *s, const char *study, int round, int row_no,
                           const char *panelist, const char *item, double rating,
                           struct cf_error *err)
{
    char text[NUM_TEXT_LEN];

    snprintf(text, sizeof text, "%.17g", rating);
    return store__exec(s,
                       "INSERT INTO exam_study_ratings (study_id, round, row_no, panelist, item,"
                       " rating) VALUES (?, ?, ?, ?, ?, ?)",
                       NULL, err, "siisss", study, (int64_t)round, (int64_t)row_no, panelist, item,
                       text);
}

int store_study_ratings(struct store *s, const char *study, json_t **out, struct cf_error *err)
{
    return store__query(s,
                        "SELECT round, row_no, panelist, item, rating FROM exam_study_ratings"
                        " WHERE study_id = ? ORDER BY round, row_no",
                        "round#,row_no#,panelist,item,rating", out, err, "s", study);
}

/* A number as bound text, or NULL (SQL NULL) when v < 0 (not given). */
static const char *num_or_null(double v, char *buf, size_t n)
{
    if (v < 0)
        return NULL;
    snprintf(buf, n, "%.17g", v);
    return buf;
}

int store_study_compromise(struct store *s, const char *study, const double hofstee[4],
                           double beuk_pass, double beuk_sd, const char *actor, const char *now,
                           struct cf_error *err)
{
    char k0[NUM_TEXT_LEN], k1[NUM_TEXT_LEN], f0[NUM_TEXT_LEN], f1[NUM_TEXT_LEN];
    char bp[NUM_TEXT_LEN], bs[NUM_TEXT_LEN];

    return store__exec(
        s,
        "UPDATE exam_studies SET hofstee_kmin = ?, hofstee_kmax = ?, hofstee_fmin = ?,"
        " hofstee_fmax = ?, beuk_pass = ?, beuk_pass_sd = ?, compromise_at = ?,"
        " compromise_by = ? WHERE id = ?",
        NULL, err, "sssssssss", num_or_null(hofstee[0], k0, sizeof k0),
        num_or_null(hofstee[1], k1, sizeof k1), num_or_null(hofstee[2], f0, sizeof f0),
        num_or_null(hofstee[3], f1, sizeof f1), num_or_null(beuk_pass, bp, sizeof bp),
        num_or_null(beuk_sd, bs, sizeof bs), now, actor, study);
}

int store_study_adopt(struct store *s, const char *study, const char *form, int round, int cut_raw,
                      const json_t *impact, const char *actor, const char *now,
                      struct cf_error *err)
{
    int64_t changed = 0;
    char *text = impact != NULL && !json_is_null(impact) ? store__dump(impact) : NULL;
    int rc;

    if (impact != NULL && !json_is_null(impact) && text == NULL)
        return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
    rc = store__exec(s,
                     "UPDATE exam_studies SET status = 'closed', adopted_round = ?,"
                     " adopted_cut_raw = ?, adopted_impact = ?, closed_at = ?, closed_by = ?"
                     " WHERE id = ? AND status = 'open'",
                     &changed, err, "iissss", (int64_t)round, (int64_t)cut_raw, text, now, actor,
                     study);

    free(text);

    if (rc == CF_OK && changed != 1)
        return cf_error_set(err, CF_ECONFLICT, "study", "The study is closed already.");
    if (rc == CF_OK)
        rc = store__exec(s, "UPDATE exam_forms SET cut_raw = ?, cut_study = ? WHERE id = ?", NULL,
                         err, "iss", (int64_t)cut_raw, study, form);
    return rc;
}

int store_form_cut(struct store *s, const char *form, json_t **out, struct cf_error *err)
{
    return store__query_one(s, "SELECT cut_raw, cut_study FROM exam_forms WHERE id = ?",
                            "cut_raw#,cut_study", out, err, "s", form);
}

int store_response_totals(struct store *s, const char *set, json_t **out, struct cf_error *err)
{
    return store__query(s, "SELECT total FROM exam_responses WHERE set_id = ? ORDER BY candidate",
                        "total#", out, err, "s", set);
}
