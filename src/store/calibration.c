/*
 * calibration.c — Rasch calibrations of exam forms (issue 10 point 6; migration 026): one row
 * per request, its state as the job "form.calibrate" moves it, and the result kept with the
 * form; and the candidate rows of a response set as the job reads them. svc/calibration.c
 * decides who may ask and runs the job; the writes here run inside its transactions.
 */
#include "store/store_impl.h"

#include <stdlib.h>

#define CAL_COLS                                                                                   \
    "id,form_id,set_id,state,job_id#,result@,error,requested_at,requested_by,finished_at"
#define CAL_SELECT                                                                                 \
    "SELECT id, form_id, set_id, state, job_id, result, error, requested_at, requested_by,"        \
    " finished_at FROM exam_calibrations"

int store_calibration_add(struct store *s, const char *id, const char *form, const char *set,
                          int64_t job, const char *actor, const char *now, struct cf_error *err)
{
    return store__exec(s,
                       "INSERT INTO exam_calibrations (id, form_id, set_id, state, job_id,"
                       " requested_at, requested_by) VALUES (?, ?, ?, 'queued', ?, ?, ?)",
                       NULL, err, "sssiss", id, form, set, job, now, actor);
}

int store_calibration_get(struct store *s, const char *id, json_t **out, struct cf_error *err)
{
    return store__query_one(s, CAL_SELECT " WHERE id = ?", CAL_COLS, out, err, "s", id);
}

int store_calibration_active(struct store *s, const char *set, json_t **out, struct cf_error *err)
{
    return store__query_one(s,
                            CAL_SELECT " WHERE set_id = ? AND state IN ('queued', 'running')"
                                       " ORDER BY requested_at DESC, job_id DESC LIMIT 1",
                            CAL_COLS, out, err, "s", set);
}

int store_calibration_latest(struct store *s, const char *form, json_t **out, struct cf_error *err)
{
    return store__query_one(s,
                            CAL_SELECT " WHERE form_id = ? ORDER BY requested_at DESC, job_id DESC"
                                       " LIMIT 1",
                            CAL_COLS, out, err, "s", form);
}

int store_calibration_state(struct store *s, const char *id, const char *from, const char *to,
                            const char *error, const char *finished_at, int64_t *n,
                            struct cf_error *err)
{
    return store__exec(s,
                       "UPDATE exam_calibrations SET state = ?, error = ?, finished_at = ?"
                       " WHERE id = ? AND state = ?",
                       n, err, "sssss", to, error, finished_at, id, from);
}

int store_calibration_result(struct store *s, const char *id, const json_t *result,
                             struct cf_error *err)
{
    char *text = store__dump(result);
    int rc;

    if (text == NULL)
        return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
    rc =
        store__exec(s, "UPDATE exam_calibrations SET result = ? WHERE id = ? AND state = 'running'",
                    NULL, err, "ss", text, id);
    free(text);
    return rc;
}

int store_calibration_set(struct store *s, const char *set, json_t **out, struct cf_error *err)
{
    return store__query_one(s,
                            "SELECT id, form_id, file_name, kind, persons, items, created_at"
                            " FROM exam_response_sets WHERE id = ?",
                            "id,form_id,file_name,kind,persons#,items#,created_at", out, err, "s",
                            set);
}

int store_calibration_rows(struct store *s, const char *set, json_t **out, struct cf_error *err)
{
    return store__query(s,
                        "SELECT candidate, cells FROM exam_responses WHERE set_id = ?"
                        " ORDER BY candidate",
                        "candidate,cells@", out, err, "s", set);
}
