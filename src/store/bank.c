/*
 * bank.c — the exam's item bank (issue 10 point 1; migration 021). An item is kept with
 * its QTI identifier and its content as JSON (body); every change of content is a new
 * version, the old ones kept in bank_item_versions. svc/bank.c decides who may read keys
 * and runs an import in one transaction.
 */
#include "store/store_impl.h"

#include <string.h>

#define ITEM_COLS                                                                                  \
    "id,identifier,title,interaction,status,version#,skills,cognitive,body,source,created_by,"     \
    "created_at,updated_at,stimulus_id"
#define ITEM_SELECT                                                                                \
    "SELECT id, identifier, title, interaction, status, version, skills, cognitive, body, source," \
    " created_by, created_at, updated_at, stimulus_id FROM bank_items"
#define STIMULUS_COLS "id,identifier,title,text,version#,created_by,created_at,updated_at"
#define STIMULUS_SELECT                                                                            \
    "SELECT id, identifier, title, text, version, created_by, created_at, updated_at"              \
    " FROM bank_stimuli"

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

int store_bank_set_status(struct store *s, const char *id, const char *from, const char *to,
                          const char *now, struct cf_error *err)
{
    int64_t n = 0;
    int rc = store__exec(
        s, "UPDATE bank_items SET status = ?, updated_at = ? WHERE id = ? AND status = ?", &n, err,
        "ssss", to, now, id, from);

    if (rc == CF_OK && n == 0)
        return cf_error_set(err, CF_ECONFLICT, "status",
                            "The item's status changed meanwhile; look at it again.");
    return rc;
}

int store_bank_tag(struct store *s, const char *id, const char *skills, const char *cognitive,
                   const char *now, struct cf_error *err)
{
    return store__exec(
        s, "UPDATE bank_items SET skills = ?, cognitive = ?, updated_at = ? WHERE id = ?", NULL,
        err, "ssss", skills, cognitive, now, id);
}

int store_bank_event_add(struct store *s, const char *item, const char *at, const char *actor,
                         const char *kind, const char *from, const char *to, const char *note,
                         struct cf_error *err)
{
    return store__exec(s,
                       "INSERT INTO bank_item_events (item_id, at, actor, kind, from_status,"
                       " to_status, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       NULL, err, "sssssss", item, at, actor, kind, from, to, note);
}

int store_bank_events(struct store *s, const char *item, json_t **out, struct cf_error *err)
{
    return store__query(s,
                        "SELECT at, actor, kind, from_status, to_status, note FROM bank_item_events"
                        " WHERE item_id = ? ORDER BY id",
                        "at,actor,kind,from_status,to_status,note", out, err, "s", item);
}

int store_bank_enemy_set(struct store *s, const char *a, const char *b, int add, const char *actor,
                         const char *now, struct cf_error *err)
{
    const char *lo = strcmp(a, b) < 0 ? a : b, *hi = strcmp(a, b) < 0 ? b : a;
    int64_t n = 0;
    int rc;

    if (!add) {
        rc = store__exec(s, "DELETE FROM bank_enemies WHERE item_a = ? AND item_b = ?", &n, err,
                         "ss", lo, hi);
        if (rc == CF_OK && n == 0)
            return cf_error_set(err, CF_ECONFLICT, NULL, "Those items are not enemies.");
        return rc;
    }
    rc = store__exec(s,
                     "INSERT INTO bank_enemies (item_a, item_b, created_by, created_at)"
                     " SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM bank_enemies"
                     " WHERE item_a = ? AND item_b = ?)",
                     &n, err, "ssssss", lo, hi, actor, now, lo, hi);
    if (rc == CF_OK && n == 0)
        return cf_error_set(err, CF_ECONFLICT, NULL, "Those items are already enemies.");
    return rc;
}

int store_bank_enemies(struct store *s, const char *item, json_t **out, struct cf_error *err)
{
    return store__query(s,
                        "SELECT i.identifier, i.title FROM bank_enemies e JOIN bank_items i"
                        " ON i.id = CASE WHEN e.item_a = ? THEN e.item_b ELSE e.item_a END"
                        " WHERE e.item_a = ? OR e.item_b = ? ORDER BY i.identifier",
                        "identifier,title", out, err, "sss", item, item, item);
}

int store_bank_set_stimulus(struct store *s, const char *id, const char *stimulus, const char *now,
                            struct cf_error *err)
{
    return store__exec(s, "UPDATE bank_items SET stimulus_id = ?, updated_at = ? WHERE id = ?",
                       NULL, err, "sss", stimulus, now, id);
}

int store_bank_stimulus_by_identifier(struct store *s, const char *identifier, json_t **out,
                                      struct cf_error *err)
{
    return store__query_one(s, STIMULUS_SELECT " WHERE identifier = ?", STIMULUS_COLS, out, err,
                            "s", identifier);
}

int store_bank_stimulus_by_id(struct store *s, const char *id, json_t **out, struct cf_error *err)
{
    return store__query_one(s, STIMULUS_SELECT " WHERE id = ?", STIMULUS_COLS, out, err, "s", id);
}

int store_bank_stimuli(struct store *s, json_t **out, struct cf_error *err)
{
    return store__query(s, STIMULUS_SELECT " ORDER BY identifier", STIMULUS_COLS, out, err, "");
}

int store_bank_stimulus_put(struct store *s, const json_t *stimulus, const char *actor,
                            const char *note, const char *now, int *outcome, struct cf_error *err)
{
    json_t *old = NULL;
    int rc = store_bank_stimulus_by_identifier(s, str(stimulus, "identifier"), &old, err);
    const char *id;
    int64_t version = 1;

    *outcome = 0;
    if (rc == CF_ENOTFOUND) {
        cf_error_clear(err);
        id = str(stimulus, "id");
        rc = store__exec(s,
                         "INSERT INTO bank_stimuli (id, identifier, title, text, version,"
                         " created_by, created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?, ?)",
                         NULL, err, "sssssss", id, str(stimulus, "identifier"),
                         str(stimulus, "title"), str(stimulus, "text"), actor, now, now);
        *outcome = 1;
    } else if (rc == CF_OK) {
        id = str(old, "id");
        version = json_integer_value(json_object_get(old, "version"));
        if (strcmp(str(old, "title"), str(stimulus, "title")) == 0 &&
            strcmp(str(old, "text"), str(stimulus, "text")) == 0) {
            json_decref(old);
            return CF_OK;
        }
        version++;
        rc = store__exec(s,
                         "UPDATE bank_stimuli SET title = ?, text = ?, version = ?, updated_at = ?"
                         " WHERE id = ?",
                         NULL, err, "ssiss", str(stimulus, "title"), str(stimulus, "text"), version,
                         now, id);
        *outcome = 2;
    } else
        return rc;
    if (rc == CF_OK)
        rc = store__exec(s,
                         "INSERT INTO bank_stimulus_versions (stimulus_id, version, title, text,"
                         " actor, note, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         NULL, err, "sisssss", id, version, str(stimulus, "title"),
                         str(stimulus, "text"), actor, note, now);
    json_decref(old);
    return rc;
}

/* --- the bank's pages ------------------------------------------------------------------- */

/*
 * The filters every list query shares: a NULL binds NULL and drops its test. The skill is
 * matched whole: ";I.A;" inside ";" || skills || ";", so I.A never matches II.A.
 */
#define PAGE_WHERE                                                                                 \
    " WHERE (CAST(? AS TEXT) IS NULL OR i.status = ?)"                                             \
    " AND (CAST(? AS TEXT) IS NULL OR (';' || i.skills || ';') LIKE ('%;' || CAST(? AS TEXT) || "  \
    "';%'))"                                                                                       \
    " AND (CAST(? AS TEXT) IS NULL OR LOWER(i.identifier) LIKE ? ESCAPE '!'"                       \
    " OR LOWER(i.title) LIKE ? ESCAPE '!')"

int store_bank_items_page(struct store *s, const char *status, const char *skill, const char *like,
                          long limit, long offset, json_t **out, struct cf_error *err)
{
    return store__query(
        s,
        "SELECT i.identifier, i.title, i.interaction, i.status, i.version, i.skills,"
        " i.cognitive, st.identifier FROM bank_items i"
        " LEFT JOIN bank_stimuli st ON st.id = i.stimulus_id" PAGE_WHERE
        " ORDER BY i.identifier LIMIT ? OFFSET ?",
        "identifier,title,interaction,status,version#,skills,cognitive,stimulus", out, err,
        "sssssssll", status, status, skill, skill, like, like, like, limit, offset);
}

int store_bank_status_counts(struct store *s, const char *skill, const char *like, json_t **out,
                             struct cf_error *err)
{
    const char *none = NULL;

    return store__query(
        s, "SELECT i.status, COUNT(*) FROM bank_items i" PAGE_WHERE " GROUP BY i.status",
        "status,n#", out, err, "sssssss", none, none, skill, skill, like, like, like);
}

int store_bank_stimulus_items(struct store *s, json_t **out, struct cf_error *err)
{
    return store__query(s,
                        "SELECT st.identifier, i.identifier, i.title, i.status FROM bank_items i"
                        " JOIN bank_stimuli st ON st.id = i.stimulus_id"
                        " ORDER BY st.identifier, i.identifier",
                        "stimulus,identifier,title,status", out, err, "");
}

int store_bank_item_forms(struct store *s, const char *item, json_t **out, struct cf_error *err)
{
    return store__query(s,
                        "SELECT f.code, f.title, f.status, fi.role FROM exam_form_items fi"
                        " JOIN exam_forms f ON f.id = fi.form_id WHERE fi.item_id = ?"
                        " ORDER BY f.code",
                        "code,title,status,role", out, err, "s", item);
}
