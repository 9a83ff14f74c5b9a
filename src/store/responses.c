/*
 * responses.c — response files of exam forms (issue 10 points 4 and 5; migration 025): one
 * set per import with its analysis, one row per candidate. svc/responses.c reads the file,
 * computes the analysis and decides who may import; every write here runs inside its
 * transaction.
 */
#include "store/store_impl.h"

#include <stdlib.h>

#include "lib/buf.h"

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
                     " items, analysis, created_at, created_by, seq) SELECT ?, ?, ?, ?, ?, ?, ?,"
                     " ?, ?, COALESCE(MAX(seq), 0) + 1 FROM exam_response_sets WHERE form_id = ?",
                     NULL, err, "ssssiissss", id, form, file_name, kind, (int64_t)persons,
                     (int64_t)items, text, now, actor, form);
    free(text);
    return rc;
}

/* PostgreSQL: rows bound as one JSON array [[candidate, {cells}, total], ...], one statement. */
#define RESPONSES_INSERT "INSERT INTO exam_responses (set_id, candidate, cells, total)"
static const char rows_pg[] = RESPONSES_INSERT " SELECT ?, e->>0, e->>1, CAST(e->>2 AS INTEGER)"
                                               " FROM json_array_elements(CAST(? AS json)) e";

/* Appends s to b as a JSON string; 0, or -1 when memory runs out. */
static int add_string(struct buf *b, const char *s)
{
    int rc = buf_addc(b, '"');

    for (; *s != '\0' && rc == 0; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\')
            rc = buf_printf(b, "\\%c", c);
        else if (c < 0x20)
            rc = buf_printf(b, "\\u%04x", c);
        else
            rc = buf_addc(b, (char)c);
    }
    return rc == 0 ? buf_addc(b, '"') : rc;
}

int store_responses_add(struct store *s, const char *set, size_t n, char *const *candidate,
                        char *const *cells, const int *total, struct cf_error *err)
{
    struct buf b;
    int rc = CF_OK;

    /* SQLite: one cached statement per row costs no round trip, and less than reading the
     * rows back out of JSON. */
    if (db_kind(s->db) == DB_SQLITE) {
        for (size_t i = 0; i < n && rc == CF_OK; i++)
            rc = store__exec(s, RESPONSES_INSERT " VALUES (?, ?, ?, ?)", NULL, err, "sssi", set,
                             candidate[i], cells[i], (int64_t)total[i]);
        return rc;
    }
    buf_init(&b, RESPONSES_BATCH_BYTES);
    for (size_t i = 0; i < n && rc == CF_OK; i += RESPONSES_BATCH) {
        int bad = buf_addc(&b, '[');

        for (size_t j = i; j < n && j - i < RESPONSES_BATCH && bad == 0; j++)
            bad = (j > i ? buf_addc(&b, ',') : 0) || buf_addc(&b, '[') ||
                  add_string(&b, candidate[j]) || buf_addc(&b, ',') || buf_adds(&b, cells[j]) ||
                  buf_printf(&b, ",%d]", total[j]);
        if (bad != 0 || buf_addc(&b, ']') != 0) {
            rc = cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
            break;
        }
        rc = store__exec(s, rows_pg, NULL, err, "ss", set, buf_str(&b));
        buf_reset(&b);
    }
    buf_free(&b);
    return rc;
}

int store_response_set_latest(struct store *s, const char *form, json_t **out, struct cf_error *err)
{
    return store__query_one(s,
                            "SELECT id, file_name, kind, persons, items, analysis, created_at,"
                            " created_by FROM exam_response_sets WHERE form_id = ?"
                            " ORDER BY seq DESC LIMIT 1",
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
