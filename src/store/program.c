/*
 * program.c — certification programs and the versions of their rules
 * (migration 013). A version is written once and never changed; the current
 * rules of a program are its highest version.
 */
#include "store/store_impl.h"

#include <string.h>

/* A version row with the name of the person who saved it (NULL for the CLI or the system). */
#define VERSION_COLS "code,name,version#,rules,created_at,created_by,created_by_name,note"
#define VERSION_SELECT                                                                             \
    "SELECT p.code, p.name, v.version, v.rules, v.created_at, v.created_by, pe.name, v.note"       \
    " FROM programs p JOIN program_versions v ON v.program_id = p.id"                              \
    " LEFT JOIN people pe ON v.created_by = 'user:' || pe.id"

int store_program_list(struct store *s, json_t **out, struct cf_error *err)
{
    return store__query(s,
                        "SELECT p.code, p.name, v.version, v.created_at, v.created_by, pe.name"
                        " FROM programs p JOIN program_versions v ON v.program_id = p.id"
                        " LEFT JOIN people pe ON v.created_by = 'user:' || pe.id"
                        " WHERE v.version = (SELECT MAX(w.version) FROM program_versions w"
                        " WHERE w.program_id = p.id) ORDER BY p.code",
                        "code,name,version#,updated_at,updated_by,updated_by_name", out, err, "");
}

int store_program_get(struct store *s, const char *code, int version, json_t **out,
                      struct cf_error *err)
{
    if (version > 0)
        return store__query_one(s, VERSION_SELECT " WHERE p.code = ? AND v.version = ?",
                                VERSION_COLS, out, err, "si", code, (int64_t)version);
    return store__query_one(s, VERSION_SELECT " WHERE p.code = ? ORDER BY v.version DESC LIMIT 1",
                            VERSION_COLS, out, err, "s", code);
}

int store_program_versions(struct store *s, const char *code, json_t **out, struct cf_error *err)
{
    return store__query(s,
                        "SELECT v.version, v.created_at, v.created_by, pe.name, v.note"
                        " FROM programs p JOIN program_versions v ON v.program_id = p.id"
                        " LEFT JOIN people pe ON v.created_by = 'user:' || pe.id"
                        " WHERE p.code = ? ORDER BY v.version DESC",
                        "version#,created_at,created_by,created_by_name,note", out, err, "s", code);
}

int store_program_save(struct store *s, const char *code, const char *name, const char *rules,
                       const char *created_by, const char *note, const char *now, int *version,
                       struct cf_error *err)
{
    json_t *row = NULL;
    int64_t pid;
    int rc;

    *version = 0;
    rc = store_begin(s, err);
    if (rc != CF_OK)
        return rc;
    rc = store__exec(s,
                     "INSERT INTO programs (code, name, created_at) VALUES (?, ?, ?)"
                     " ON CONFLICT (code) DO UPDATE SET name = excluded.name",
                     NULL, err, "sss", code, name, now);
    if (rc != CF_OK)
        goto out;
    rc = store__query_one(s,
                          "SELECT p.id, COALESCE((SELECT MAX(v.version) FROM program_versions v"
                          " WHERE v.program_id = p.id), 0) + 1 FROM programs p WHERE p.code = ?",
                          "id#,next#", &row, err, "s", code);
    if (rc != CF_OK)
        goto out;
    pid = (int64_t)json_integer_value(json_object_get(row, "id"));
    *version = (int)json_integer_value(json_object_get(row, "next"));
    /* Two saves at once: the primary key lets one have the number, the other is a conflict. */
    rc = store__exec(s,
                     "INSERT INTO program_versions (program_id, version, rules, created_at,"
                     " created_by, note) VALUES (?, ?, ?, ?, ?, ?)",
                     NULL, err, "iissss", pid, (int64_t)*version, rules, now, created_by,
                     note != NULL ? note : "");

out:
    json_decref(row);
    if (rc == CF_OK)
        rc = store_commit(s, err);
    else
        store_rollback(s);
    if (rc != CF_OK)
        *version = 0;
    return rc;
}
