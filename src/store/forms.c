/*
 * forms.c — exam forms (issue 10 point 3; migration 022): a form and its items, each item
 * the bank's (bank_items) in the role scored or pretest. svc/forms.c checks the blueprint
 * and decides who may change a form; every write here runs inside its transaction.
 */
#include "store/store_impl.h"

#include <string.h>

#define FORM_COLS                                                                                  \
    "id,code,title,status,pretest_slots#,version#,created_at,created_by,updated_at,updated_by,"    \
    "released_at,released_by,retired_at,retired_by"
#define FORM_SELECT                                                                                \
    "SELECT id, code, title, status, pretest_slots, version, created_at, created_by, updated_at,"  \
    " updated_by, released_at, released_by, retired_at, retired_by FROM exam_forms"

int store_form_create(struct store *s, const char *id, const char *code, const char *title,
                      int pretest_slots, const char *actor, const char *now, struct cf_error *err)
{
    int rc = store__exec(s,
                         "INSERT INTO exam_forms (id, code, title, status, pretest_slots, version,"
                         " created_at, created_by, updated_at, updated_by)"
                         " VALUES (?, ?, ?, 'draft', ?, 1, ?, ?, ?, ?)",
                         NULL, err, "sssissss", id, code, title, (int64_t)pretest_slots, now, actor,
                         now, actor);

    if (rc == CF_ECONFLICT)
        return cf_error_set(err, CF_ECONFLICT, "code", "There is already a form with the code %s.",
                            code);
    return rc;
}

int store_form_by_code(struct store *s, const char *code, json_t **out, struct cf_error *err)
{
    return store__query_one(s, FORM_SELECT " WHERE code = ?", FORM_COLS, out, err, "s", code);
}

int store_forms(struct store *s, json_t **out, struct cf_error *err)
{
    return store__query(
        s,
        "SELECT f.code, f.title, f.status, f.pretest_slots, f.version, f.updated_at,"
        " f.released_at, (SELECT COUNT(*) FROM exam_form_items i WHERE i.form_id = f.id AND"
        " i.role = 'scored'), (SELECT COUNT(*) FROM exam_form_items i WHERE i.form_id = f.id AND"
        " i.role = 'pretest') FROM exam_forms f ORDER BY f.code",
        "code,title,status,pretest_slots#,version#,updated_at,released_at,scored#,pretest#", out,
        err, "");
}

int store_form_lock(struct store *s, const char *id, struct cf_error *err)
{
    json_t *row = NULL;
    int rc;

    /* SQLite's write transaction (BEGIN IMMEDIATE) already lets one writer in at a time. */
    if (db_kind(s->db) != DB_PG)
        return CF_OK;
    rc = store__query_one(s, "SELECT id FROM exam_forms WHERE id = ? FOR UPDATE", "id", &row, err,
                          "s", id);
    json_decref(row);
    return rc;
}

int store_form_items(struct store *s, const char *form, json_t **out, struct cf_error *err)
{
    return store__query(s,
                        "SELECT b.id, b.identifier, b.title, b.skills, b.status, f.role,"
                        " f.position FROM exam_form_items f JOIN bank_items b ON b.id = f.item_id"
                        " WHERE f.form_id = ? ORDER BY f.position",
                        "item_id,identifier,title,skills,status,role,position#", out, err, "s",
                        form);
}

int store_form_item_bodies(struct store *s, const char *form, json_t **out, struct cf_error *err)
{
    return store__query(s,
                        "SELECT b.identifier, f.role, COALESCE(v.version, b.version),"
                        " COALESCE(v.body, b.body) FROM exam_form_items f"
                        " JOIN bank_items b ON b.id = f.item_id"
                        " LEFT JOIN bank_item_versions v ON v.item_id = f.item_id"
                        " AND v.version = f.item_version"
                        " WHERE f.form_id = ? ORDER BY f.position",
                        "identifier,role,version#,body", out, err, "s", form);
}

int store_form_enemies(struct store *s, const char *form, json_t **out, struct cf_error *err)
{
    return store__query(s,
                        "SELECT a.identifier, b.identifier FROM bank_enemies e"
                        " JOIN exam_form_items fa ON fa.item_id = e.item_a AND fa.form_id = ?"
                        " JOIN exam_form_items fb ON fb.item_id = e.item_b AND fb.form_id = ?"
                        " JOIN bank_items a ON a.id = e.item_a JOIN bank_items b ON b.id = e.item_b"
                        " ORDER BY a.identifier, b.identifier",
                        "a,b", out, err, "ss", form, form);
}

int store_form_item_add(struct store *s, const char *form, const char *item, const char *role,
                        const char *actor, const char *now, struct cf_error *err)
{
    return store__exec(s,
                       "INSERT INTO exam_form_items (form_id, item_id, position, role, added_at,"
                       " added_by) SELECT ?, ?, COALESCE(MAX(position), 0) + 1, ?, ?, ?"
                       " FROM exam_form_items WHERE form_id = ?",
                       NULL, err, "ssssss", form, item, role, now, actor, form);
}

int store_form_item_remove(struct store *s, const char *form, const char *item,
                           struct cf_error *err)
{
    int64_t n = 0;
    int rc = store__exec(s, "DELETE FROM exam_form_items WHERE form_id = ? AND item_id = ?", &n,
                         err, "ss", form, item);

    if (rc == CF_OK && n == 0)
        return cf_error_set(err, CF_ENOTFOUND, "item", "That item is not on the form.");
    return rc;
}

int store_form_touch(struct store *s, const char *id, const char *actor, const char *now,
                     struct cf_error *err)
{
    return store__exec(s,
                       "UPDATE exam_forms SET version = version + 1, updated_at = ?,"
                       " updated_by = ? WHERE id = ?",
                       NULL, err, "sss", now, actor, id);
}

int store_form_set_status(struct store *s, const char *id, const char *from, const char *to,
                          const char *actor, const char *now, struct cf_error *err)
{
    int64_t n = 0;
    int released = strcmp(to, "released") == 0;
    int rc =
        store__exec(s,
                    released ? "UPDATE exam_forms SET status = ?, released_at = ?, released_by = ?,"
                               " updated_at = ?, updated_by = ? WHERE id = ? AND status = ?"
                             : "UPDATE exam_forms SET status = ?, retired_at = ?, retired_by = ?,"
                               " updated_at = ?, updated_by = ? WHERE id = ? AND status = ?",
                    &n, err, "sssssss", to, now, actor, now, actor, id, from);

    if (rc == CF_OK && n == 0)
        return cf_error_set(err, CF_ECONFLICT, "status",
                            "The form's status changed meanwhile; look at it again.");
    if (rc == CF_OK && released)
        rc = store__exec(s,
                         "UPDATE exam_form_items SET item_version = (SELECT b.version FROM"
                         " bank_items b WHERE b.id = exam_form_items.item_id) WHERE form_id = ?",
                         NULL, err, "s", id);
    return rc;
}
