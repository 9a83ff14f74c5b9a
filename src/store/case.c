/*
 * case.c — CASE packages in the database.
 *
 * A package is split into its CFDocument (case_documents) and one row per
 * item, association and rubric (case_objects), each keeping its exact JSON.
 * The package's top-level keys and their order are kept in `layout`, so
 * store_case_package_get() rebuilds the same JSON field for field.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_impl.h"

static const char SQL_DOC_POS[] = "SELECT position FROM case_documents WHERE identifier = ?";
static const char SQL_DOC_MAXPOS[] = "SELECT COALESCE(MAX(position), 0) + 1 FROM case_documents";
static const char SQL_DOC_DEL[] = "DELETE FROM case_documents WHERE identifier = ?";
static const char SQL_OBJ_DEL[] = "DELETE FROM case_objects WHERE doc_identifier = ?";
static const char SQL_DOC_INS[] =
    "INSERT INTO case_documents (identifier, title, position, layout, document, definitions,"
    " imported_at, import_seq) VALUES (?, ?, ?, ?, ?, ?, ?,"
    " (SELECT value + 1 FROM store_meta WHERE name = 'case_generation'))";
static const char SQL_OBJ_INS[] =
    "INSERT INTO case_objects (doc_identifier, kind, identifier, position, origin, destination,"
    " assoc_type, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_GEN_BUMP[] =
    "UPDATE store_meta SET value = value + 1 WHERE name = 'case_generation'";
static const char SQL_GEN_GET[] = "SELECT value FROM store_meta WHERE name = 'case_generation'";
static const char SQL_DOC_GET[] =
    "SELECT layout, document, definitions FROM case_documents WHERE identifier = ?";
static const char SQL_OBJS_OF_DOC[] =
    "SELECT kind, body FROM case_objects WHERE doc_identifier = ? ORDER BY kind, position";
static const char SQL_DOC_LIST[] =
    "SELECT document FROM case_documents ORDER BY position LIMIT ? OFFSET ?";
static const char SQL_DOC_COUNT[] = "SELECT COUNT(*) FROM case_documents";
static const char SQL_OBJ_GET[] =
    "SELECT o.body, o.doc_identifier FROM case_objects o"
    " JOIN case_documents d ON d.identifier = o.doc_identifier"
    " WHERE o.identifier = ? AND o.kind = ? ORDER BY d.import_seq DESC LIMIT 1";
static const char SQL_ASSOC_OF[] =
    "SELECT o.body FROM case_objects o JOIN case_documents d ON d.identifier = o.doc_identifier"
    " WHERE o.kind = 'association' AND (o.origin = ? OR o.destination = ?)"
    " ORDER BY d.position, o.position";
static const char SQL_NODE_EXISTS[] =
    "SELECT 1 FROM case_documents WHERE identifier = ?"
    " UNION ALL SELECT 1 FROM case_objects WHERE identifier = ? AND kind = 'item'";

/* Steps a statement expected to finish without rows; returns CF_OK or the error. */
static int step_done(struct db_stmt *st, struct cf_error *err)
{
    int rc = db_step(st, err);

    db_done(st);
    return rc == DB_DONE ? CF_OK : (rc < 0 ? rc : CF_EDB);
}

static int exec1(struct store *s, const char *sql, const char *arg, struct cf_error *err)
{
    struct db_stmt *st = db_prepare(s->db, sql, err);

    if (st == NULL)
        return CF_EDB;
    if (arg != NULL)
        db_bind_text(st, 1, arg, -1);
    return step_done(st, err);
}

static const char *link_id(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(json_object_get(obj, key), "identifier"));
}

static int put_objects(struct store *s, const char *doc_id, const char *kind, const json_t *arr,
                       struct cf_error *err)
{
    size_t i;
    json_t *o;

    json_array_foreach(arr, i, o)
    {
        struct db_stmt *st;
        char *body = store__dump(o);
        int assoc = strcmp(kind, "association") == 0;
        int rc;

        if (body == NULL)
            return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
        st = db_prepare(s->db, SQL_OBJ_INS, err);
        if (st == NULL) {
            free(body);
            return CF_EDB;
        }
        db_bind_text(st, 1, doc_id, -1);
        db_bind_text(st, 2, kind, -1);
        db_bind_text(st, 3, json_string_value(json_object_get(o, "identifier")), -1);
        db_bind_int64(st, 4, (int64_t)i);
        db_bind_text(st, 5, assoc ? link_id(o, "originNodeURI") : NULL, -1);
        db_bind_text(st, 6, assoc ? link_id(o, "destinationNodeURI") : NULL, -1);
        db_bind_text(st, 7, assoc ? json_string_value(json_object_get(o, "associationType")) : NULL,
                     -1);
        db_bind_text(st, 8, body, -1);
        rc = step_done(st, err);
        free(body);
        if (rc != CF_OK)
            return rc;
    }
    return CF_OK;
}

int store_case_package_put(struct store *s, const json_t *pkg, const char *now,
                           struct cf_error *err)
{
    const json_t *doc = json_object_get(pkg, "CFDocument");
    const char *doc_id = json_string_value(json_object_get(doc, "identifier"));
    const char *title = json_string_value(json_object_get(doc, "title"));
    const json_t *defs = json_object_get(pkg, "CFDefinitions");
    json_t *layout = NULL;
    char *layout_s = NULL, *doc_s = NULL, *defs_s = NULL;
    struct db_stmt *st;
    int64_t position = 0;
    const char *key;
    json_t *val;
    int rc;

    if (doc_id == NULL || title == NULL)
        return cf_error_set(
            err, CF_EINVAL, "CFDocument",
            "The package has no CFDocument identifier. Add one and import it again.");
    rc = store_begin(s, err);
    if (rc != CF_OK)
        return rc;

    /* Imports run one at a time (SQLite's write lock does this by itself). */
    if (db_kind(s->db) == DB_PG) {
        rc = db_exec(s->db, "SELECT pg_advisory_xact_lock(4242002)", err);
        if (rc != CF_OK)
            goto out;
    }

    /* A re-import keeps the document's place in the list. */
    st = db_prepare(s->db, SQL_DOC_POS, err);
    if (st == NULL) {
        rc = CF_EDB;
        goto out;
    }
    db_bind_text(st, 1, doc_id, -1);
    rc = db_step(st, err);
    if (rc == DB_ROW)
        position = db_col_int64(st, 0);
    db_done(st);
    if (rc < 0)
        goto out;
    if (position == 0) {
        st = db_prepare(s->db, SQL_DOC_MAXPOS, err);
        if (st == NULL) {
            rc = CF_EDB;
            goto out;
        }
        rc = db_step(st, err);
        if (rc == DB_ROW)
            position = db_col_int64(st, 0);
        db_done(st);
        if (rc < 0)
            goto out;
    }
    rc = exec1(s, SQL_OBJ_DEL, doc_id, err);
    if (rc == CF_OK)
        rc = exec1(s, SQL_DOC_DEL, doc_id, err);
    if (rc != CF_OK)
        goto out;

    layout = json_array();
    json_object_foreach((json_t *)pkg, key, val)
    {
        (void)val;
        json_array_append_new(layout, json_string(key));
    }
    layout_s = store__dump(layout);
    doc_s = store__dump(doc);
    defs_s = defs != NULL ? store__dump(defs) : NULL;
    if (layout_s == NULL || doc_s == NULL || (defs != NULL && defs_s == NULL)) {
        rc = cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
        goto out;
    }
    st = db_prepare(s->db, SQL_DOC_INS, err);
    if (st == NULL) {
        rc = CF_EDB;
        goto out;
    }
    db_bind_text(st, 1, doc_id, -1);
    db_bind_text(st, 2, title, -1);
    db_bind_int64(st, 3, position);
    db_bind_text(st, 4, layout_s, -1);
    db_bind_text(st, 5, doc_s, -1);
    db_bind_text(st, 6, defs_s, -1);
    db_bind_text(st, 7, now, -1);
    rc = step_done(st, err);
    if (rc != CF_OK)
        goto out;

    rc = put_objects(s, doc_id, "item", json_object_get(pkg, "CFItems"), err);
    if (rc == CF_OK)
        rc = put_objects(s, doc_id, "association", json_object_get(pkg, "CFAssociations"), err);
    if (rc == CF_OK)
        rc = put_objects(s, doc_id, "rubric", json_object_get(pkg, "CFRubrics"), err);
    if (rc == CF_OK)
        rc = exec1(s, SQL_GEN_BUMP, NULL, err);

out:
    json_decref(layout);
    free(layout_s);
    free(doc_s);
    free(defs_s);
    if (rc == CF_OK)
        return store_commit(s, err);
    store_rollback(s);
    return rc;
}

int store_case_package_delete(struct store *s, const char *id, struct cf_error *err)
{
    struct db_stmt *st;
    int rc = store_begin(s, err);

    if (rc != CF_OK)
        return rc;
    rc = exec1(s, SQL_OBJ_DEL, id, err);
    if (rc != CF_OK)
        goto out;
    st = db_prepare(s->db, SQL_DOC_DEL, err);
    if (st == NULL) {
        rc = CF_EDB;
        goto out;
    }
    db_bind_text(st, 1, id, -1);
    rc = db_step(st, err);
    if (rc == DB_DONE)
        rc = db_changes(st) > 0
                 ? CF_OK
                 : cf_error_set(err, CF_ENOTFOUND, "id", "There is no framework %s.", id);
    db_done(st);
    if (rc == CF_OK)
        rc = exec1(s, SQL_GEN_BUMP, NULL, err);
out:
    if (rc == CF_OK)
        return store_commit(s, err);
    store_rollback(s);
    return rc;
}

int store_case_package_get(struct store *s, const char *id, json_t **out, struct cf_error *err)
{
    json_t *layout = NULL, *doc = NULL, *defs = NULL, *pkg = NULL;
    json_t *items = json_array(), *assocs = json_array(), *rubrics = json_array();
    struct db_stmt *st;
    size_t i;
    json_t *k;
    int rc;

    *out = NULL;
    st = db_prepare(s->db, SQL_DOC_GET, err);
    if (st == NULL) {
        rc = CF_EDB;
        goto out;
    }
    db_bind_text(st, 1, id, -1);
    rc = db_step(st, err);
    if (rc == DB_ROW) {
        layout = store__parse(db_col_text(st, 0), db_col_len(st, 0), err);
        doc = store__parse(db_col_text(st, 1), db_col_len(st, 1), err);
        if (!db_col_is_null(st, 2))
            defs = store__parse(db_col_text(st, 2), db_col_len(st, 2), err);
        rc = (layout != NULL && doc != NULL) ? CF_OK : CF_EDB;
    } else if (rc == DB_DONE) {
        rc = cf_error_set(err, CF_ENOTFOUND, "id", "There is no framework with identifier %s.", id);
    }
    db_done(st);
    if (rc != CF_OK)
        goto out;

    st = db_prepare(s->db, SQL_OBJS_OF_DOC, err);
    if (st == NULL) {
        rc = CF_EDB;
        goto out;
    }
    db_bind_text(st, 1, id, -1);
    while ((rc = db_step(st, err)) == DB_ROW) {
        const char *kind = db_col_text(st, 0);
        json_t *o = store__parse(db_col_text(st, 1), db_col_len(st, 1), err);

        if (o == NULL) {
            rc = CF_EDB;
            break;
        }
        if (strcmp(kind, "item") == 0)
            json_array_append_new(items, o);
        else if (strcmp(kind, "association") == 0)
            json_array_append_new(assocs, o);
        else
            json_array_append_new(rubrics, o);
    }
    db_done(st);
    if (rc < 0)
        goto out;

    pkg = json_object();
    json_array_foreach(layout, i, k)
    {
        const char *key = json_string_value(k);

        if (key == NULL)
            continue;
        if (strcmp(key, "CFDocument") == 0)
            json_object_set(pkg, key, doc);
        else if (strcmp(key, "CFItems") == 0)
            json_object_set(pkg, key, items);
        else if (strcmp(key, "CFAssociations") == 0)
            json_object_set(pkg, key, assocs);
        else if (strcmp(key, "CFRubrics") == 0)
            json_object_set(pkg, key, rubrics);
        else if (strcmp(key, "CFDefinitions") == 0 && defs != NULL)
            json_object_set(pkg, key, defs);
    }
    *out = pkg;
    rc = CF_OK;

out:
    json_decref(layout);
    json_decref(doc);
    json_decref(defs);
    json_decref(items);
    json_decref(assocs);
    json_decref(rubrics);
    return rc;
}

int store_case_document_list(struct store *s, long limit, long offset, json_t **out, long *total,
                             struct cf_error *err)
{
    struct db_stmt *st;
    json_t *arr;
    int rc;

    *out = NULL;
    st = db_prepare(s->db, SQL_DOC_COUNT, err);
    if (st == NULL)
        return CF_EDB;
    rc = db_step(st, err);
    if (rc == DB_ROW)
        *total = (long)db_col_int64(st, 0);
    db_done(st);
    if (rc < 0)
        return rc;

    st = db_prepare(s->db, SQL_DOC_LIST, err);
    if (st == NULL)
        return CF_EDB;
    db_bind_int64(st, 1, limit > 0 ? limit : -1);
    db_bind_int64(st, 2, offset > 0 ? offset : 0);
    if (db_kind(s->db) == DB_PG && limit <= 0)
        db_bind_null(st, 1);
    arr = json_array();
    while ((rc = db_step(st, err)) == DB_ROW) {
        json_t *d = store__parse(db_col_text(st, 0), db_col_len(st, 0), err);

        if (d == NULL) {
            rc = CF_EDB;
            break;
        }
        json_array_append_new(arr, d);
    }
    db_done(st);
    if (rc < 0) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return CF_OK;
}

int store_case_document_get(struct store *s, const char *id, json_t **out, struct cf_error *err)
{
    struct db_stmt *st = db_prepare(s->db, SQL_DOC_GET, err);
    int rc;

    *out = NULL;
    if (st == NULL)
        return CF_EDB;
    db_bind_text(st, 1, id, -1);
    rc = db_step(st, err);
    if (rc == DB_ROW) {
        *out = store__parse(db_col_text(st, 1), db_col_len(st, 1), err);
        rc = *out != NULL ? CF_OK : CF_EDB;
    } else if (rc == DB_DONE) {
        rc =
            cf_error_set(err, CF_ENOTFOUND, "id", "There is no CFDocument with identifier %s.", id);
    }
    db_done(st);
    return rc;
}

int store_case_object_get(struct store *s, const char *kind, const char *id, json_t **out,
                          char *doc_id, struct cf_error *err)
{
    struct db_stmt *st = db_prepare(s->db, SQL_OBJ_GET, err);
    int rc;

    *out = NULL;
    if (st == NULL)
        return CF_EDB;
    db_bind_text(st, 1, id, -1);
    db_bind_text(st, 2, kind, -1);
    rc = db_step(st, err);
    if (rc == DB_ROW) {
        *out = store__parse(db_col_text(st, 0), db_col_len(st, 0), err);
        if (doc_id != NULL)
            snprintf(doc_id, 37, "%s", db_col_text(st, 1));
        rc = *out != NULL ? CF_OK : CF_EDB;
    } else if (rc == DB_DONE) {
        rc = cf_error_set(err, CF_ENOTFOUND, "id", "There is no %s with identifier %s.", kind, id);
    }
    db_done(st);
    return rc;
}

int store_case_associations_of(struct store *s, const char *id, json_t **out, struct cf_error *err)
{
    struct db_stmt *st = db_prepare(s->db, SQL_ASSOC_OF, err);
    json_t *arr;
    int rc;

    *out = NULL;
    if (st == NULL)
        return CF_EDB;
    db_bind_text(st, 1, id, -1);
    db_bind_text(st, 2, id, -1);
    arr = json_array();
    while ((rc = db_step(st, err)) == DB_ROW) {
        json_t *a = store__parse(db_col_text(st, 0), db_col_len(st, 0), err);

        if (a == NULL) {
            rc = CF_EDB;
            break;
        }
        json_array_append_new(arr, a);
    }
    db_done(st);
    if (rc < 0) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return CF_OK;
}

int store_case_node_exists(struct store *s, const char *id, int *exists, struct cf_error *err)
{
    struct db_stmt *st = db_prepare(s->db, SQL_NODE_EXISTS, err);
    int rc;

    *exists = 0;
    if (st == NULL)
        return CF_EDB;
    db_bind_text(st, 1, id, -1);
    db_bind_text(st, 2, id, -1);
    rc = db_step(st, err);
    if (rc == DB_ROW)
        *exists = 1;
    db_done(st);
    return rc < 0 ? rc : CF_OK;
}

int store_case_generation(struct store *s, int64_t *gen, struct cf_error *err)
{
    struct db_stmt *st = db_prepare(s->db, SQL_GEN_GET, err);
    int rc;

    *gen = 0;
    if (st == NULL)
        return CF_EDB;
    rc = db_step(st, err);
    if (rc == DB_ROW)
        *gen = db_col_int64(st, 0);
    db_done(st);
    return rc < 0 ? rc : CF_OK;
}

static const char SQL_SUMMARIES[] =
    "SELECT d.document,"
    " (SELECT COUNT(*) FROM case_objects o WHERE o.doc_identifier = d.identifier"
    "   AND o.kind = 'item'),"
    " (SELECT COUNT(*) FROM case_objects o WHERE o.doc_identifier = d.identifier"
    "   AND o.kind = 'association'),"
    " (SELECT COUNT(*) FROM case_objects o WHERE o.doc_identifier = d.identifier"
    "   AND o.kind = 'rubric')"
    " FROM case_documents d ORDER BY d.position";

int store_case_document_summaries(struct store *s, json_t **out, struct cf_error *err)
{
    struct db_stmt *st = db_prepare(s->db, SQL_SUMMARIES, err);
    json_t *arr;
    int rc;

    *out = NULL;
    if (st == NULL)
        return CF_EDB;
    arr = json_array();
    while ((rc = db_step(st, err)) == DB_ROW) {
        json_t *d = store__parse(db_col_text(st, 0), db_col_len(st, 0), err);

        if (d == NULL) {
            rc = CF_EDB;
            break;
        }
        json_array_append_new(arr, json_pack("{s:o, s:I, s:I, s:I}", "document", d, "items",
                                             (json_int_t)db_col_int64(st, 1), "associations",
                                             (json_int_t)db_col_int64(st, 2), "rubrics",
                                             (json_int_t)db_col_int64(st, 3)));
    }
    db_done(st);
    if (rc < 0) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return CF_OK;
}

static const char SQL_BETWEEN[] =
    "SELECT a.body FROM case_objects a"
    " JOIN case_objects x ON x.identifier = a.origin AND x.kind = 'item'"
    " JOIN case_objects y ON y.identifier = a.destination AND y.kind = 'item'"
    " JOIN case_documents d ON d.identifier = a.doc_identifier"
    " WHERE a.kind = 'association' AND a.assoc_type <> 'isChildOf'"
    " AND ((x.doc_identifier = ? AND y.doc_identifier = ?)"
    "   OR (x.doc_identifier = ? AND y.doc_identifier = ?))"
    " ORDER BY d.position, a.position";

int store_case_associations_between(struct store *s, const char *a, const char *b, json_t **out,
                                    struct cf_error *err)
{
    struct db_stmt *st = db_prepare(s->db, SQL_BETWEEN, err);
    json_t *arr;
    int rc;

    *out = NULL;
    if (st == NULL)
        return CF_EDB;
    db_bind_text(st, 1, a, -1);
    db_bind_text(st, 2, b, -1);
    db_bind_text(st, 3, b, -1);
    db_bind_text(st, 4, a, -1);
    arr = json_array();
    while ((rc = db_step(st, err)) == DB_ROW) {
        json_t *v = store__parse(db_col_text(st, 0), db_col_len(st, 0), err);

        if (v == NULL) {
            rc = CF_EDB;
            break;
        }
        json_array_append_new(arr, v);
    }
    db_done(st);
    if (rc < 0) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return CF_OK;
}

static const char SQL_LINKED[] =
    "SELECT DISTINCT y.doc_identifier, dy.position FROM case_objects a"
    " JOIN case_objects x ON x.identifier = a.origin AND x.kind = 'item'"
    " JOIN case_objects y ON y.identifier = a.destination AND y.kind = 'item'"
    " JOIN case_documents dy ON dy.identifier = y.doc_identifier"
    " WHERE a.kind = 'association' AND a.assoc_type <> 'isChildOf'"
    " AND x.doc_identifier = ? AND y.doc_identifier <> ?"
    " UNION"
    " SELECT DISTINCT x.doc_identifier, dx.position FROM case_objects a"
    " JOIN case_objects x ON x.identifier = a.origin AND x.kind = 'item'"
    " JOIN case_objects y ON y.identifier = a.destination AND y.kind = 'item'"
    " JOIN case_documents dx ON dx.identifier = x.doc_identifier"
    " WHERE a.kind = 'association' AND a.assoc_type <> 'isChildOf'"
    " AND y.doc_identifier = ? AND x.doc_identifier <> ?"
    " ORDER BY 2";

int store_case_linked_documents(struct store *s, const char *id, json_t **out, struct cf_error *err)
{
    struct db_stmt *st = db_prepare(s->db, SQL_LINKED, err);
    json_t *arr;
    int rc;

    *out = NULL;
    if (st == NULL)
        return CF_EDB;
    for (int i = 1; i <= 4; i++)
        db_bind_text(st, i, id, -1);
    arr = json_array();
    while ((rc = db_step(st, err)) == DB_ROW) {
        const char *d = db_col_text(st, 0);
        size_t i;
        json_t *e;
        int dup = 0;

        json_array_foreach(arr, i, e) dup |= strcmp(json_string_value(e), d) == 0;
        if (!dup)
            json_array_append_new(arr, json_string(d));
    }
    db_done(st);
    if (rc < 0) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return CF_OK;
}
