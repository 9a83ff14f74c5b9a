/*
 * responses.c — response files of exam forms (issue 10 points 4 and 5; migration 025): one
 * set per import with its analysis, one row per candidate. svc/responses.c reads the file,
 * computes the analysis and decides who may import; every write here runs inside its
 * transaction.
 */
#include "store/store_impl.h"

#include <stdlib.h>

int store_response_set_add(struct store *s, const char *id, const char *form, const char *file_name,
                           const char *kind, int persons, int items, const json_t *analysis,
                           const char *actor, const char *now, struct cf_error *err)
{
    char *text = store__dump(analysis);
    int rc;

    if (text == NULL)
        return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
    rc = store__exec(s,
                     "INSERT INTO exam_response_sets (id, form_id, file_name, kind, persons,"
                     " items, analysis, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     NULL, err, "ssssiisss", id, form, file_name, kind, (int64_t)persons,
                     (int64_t)items, text, now, actor);
    free(text);
    return rc;
}

int store_response_add(struct store *s, const char *set, const char *candidate, const json_t *cells,
                       int total, struct cf_error *err)
{
    char *text = store__dump(cells);
    int rc;

    if (text == NULL)
        return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
    rc = store__exec(s,
                     "INSERT INTO exam_responses (set_id, candidate, cells, total)"
                     " VALUES (?, ?, ?, ?)",
                     NULL, err, "sssi", set, candidate, text, (int64_t)total);
    free(text);
    return rc;
}

int store_response_set_latest(struct store *s, const char *form, json_t **out, struct cf_error *err)
{
    return store__query_one(s,
                            "SELECT id, file_name, kind, persons, items, analysis, created_at,"
                            " created_by FROM exam_response_sets WHERE form_id = ?"
                            " ORDER BY created_at DESC, id DESC LIMIT 1",
                            "id,file_name,kind,persons#,items#,analysis@,created_at,created_by",
                            out, err, "s", form);
}

int store_response_count(struct store *s, const char *set, int *n, struct cf_error *err)
{
    json_t *row = NULL;
    int rc = store__query_one(s, "SELECT COUNT(*) FROM exam_responses WHERE set_id = ?", "n#", &row,
                              err, "s", set);

    *n = rc == CF_OK ? (int)json_integer_value(json_object_get(row, "n")) : 0;
    json_decref(row);
    return rc;
}
