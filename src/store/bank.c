/*
 * bank.c — the exam's item bank (issue 10 point 1; migration 021). An item is kept with
 * its QTI identifier and its content as JSON (body); every change of content is a new
 * version, the old ones kept in bank_item_versions. svc/bank.c decides who may read keys
 * and runs an import in one transaction.
 */
#include "store/store_impl.h"

#include <string.h>

#define ITEM_COLS                                                                                  \
    "id,identifier,title,interaction,status,version#,skills,body,source,created_by,created_at,"    \
    "updated_at"
#define ITEM_SELECT                                                                                \
    "SELECT id, identifier, title, interaction, status, version, skills, body, source,"            \
    " created_by, created_at, updated_at FROM bank_items"

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

int store_bank_item_by_identifier(struct store *s, const char *identifier, json_t **out,
                                  struct cf_error *err)
{
    return store__query_one(s, ITEM_SELECT " WHERE identifier = ?", ITEM_COLS, out, err, "s",
                            identifier);
}

int store_bank_items(struct store *s, json_t **out, struct cf_error *err)
{
    return store__query(s, ITEM_SELECT " ORDER BY identifier", ITEM_COLS, out, err, "");
}

int store_bank_put(struct store *s, const json_t *item, const char *actor, const char *note,
                   const char *now, int *outcome, struct cf_error *err)
{
    json_t *old = NULL;
    int rc = store_bank_item_by_identifier(s, str(item, "identifier"), &old, err);
    const char *id;
    int64_t version = 1;

    *outcome = 0;
    if (rc == CF_ENOTFOUND) {
        cf_error_clear(err);
        id = str(item, "id");
        rc = store__exec(s,
                         "INSERT INTO bank_items (id, identifier, title, interaction, status,"
                         " version, skills, body, source, created_by, created_at, updated_at)"
                         " VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)",
                         NULL, err, "sssssssssss", id, str(item, "identifier"), str(item, "title"),
                         str(item, "interaction"), str(item, "status"), str(item, "skills"),
                         str(item, "body"), note, actor, now, now);
        *outcome = 1;
    } else if (rc == CF_OK) {
        id = str(old, "id");
        version = json_integer_value(json_object_get(old, "version"));
        /* The same content again changes nothing (an export imported back is identical). */
        if (strcmp(str(old, "body"), str(item, "body")) == 0 &&
            strcmp(str(old, "title"), str(item, "title")) == 0 &&
            strcmp(str(old, "interaction"), str(item, "interaction")) == 0) {
            json_decref(old);
            return CF_OK;
        }
        version++;
        rc = store__exec(s,
                         "UPDATE bank_items SET title = ?, interaction = ?, body = ?, version = ?,"
                         " source = ?, updated_at = ? WHERE id = ?",
                         NULL, err, "sssisss", str(item, "title"), str(item, "interaction"),
                         str(item, "body"), version, note, now, id);
        *outcome = 2;
    } else
        return rc;
    if (rc == CF_OK)
        rc = store__exec(s,
                         "INSERT INTO bank_item_versions (item_id, version, title, body, actor,"
                         " note, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         NULL, err, "sisssss", id, version, str(item, "title"), str(item, "body"),
                         actor, note, now);
    json_decref(old);
    return rc;
}

int store_bank_versions(struct store *s, const char *item, json_t **out, struct cf_error *err)
{
    return store__query(s,
                        "SELECT version, title, body, actor, note, at FROM bank_item_versions"
                        " WHERE item_id = ? ORDER BY version",
                        "version#,title,body,actor,note,at", out, err, "s", item);
}
