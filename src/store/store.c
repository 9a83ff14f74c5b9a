/* store.c — opening, closing, transactions and the JSON column helpers. */
#include "store/store_impl.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/migrate.h"

int store_open(const char *url, int flags, struct store **out, int *migrated, struct cf_error *err)
{
    struct store *s;
    int rc;

    *out = NULL;
    if (migrated != NULL)
        *migrated = 0;
    s = calloc(1, sizeof *s);
    if (s == NULL)
        return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
    rc = db_open(url,
                 ((flags & STORE_CREATE) ? DB_OPEN_CREATE : 0) |
                     ((flags & STORE_READONLY_OK) ? DB_OPEN_READONLY_OK : 0),
                 &s->db, err);
    if (rc == CF_OK && (flags & STORE_MIGRATE))
        rc = store_migrate(s->db, migrated, err);
    if (rc != CF_OK) {
        store_close(s);
        return rc;
    }
    *out = s;
    return CF_OK;
}

void store_close(struct store *s)
{
    if (s == NULL)
        return;
    db_close(s->db);
    free(s);
}

int store_readonly(const struct store *s)
{
    return db_readonly(s->db);
}

const char *store_kind_name(const struct store *s)
{
    return db_kind(s->db) == DB_SQLITE ? "sqlite" : "postgresql";
}

/*
 * Reads the version only (a database that cannot be written, such as a
 * read-only replica, still answers /healthz); a database without the
 * migrations table yet gets it made, as store_schema_version_db does.
 */
int store_schema_version(struct store *s, int *version, struct cf_error *err)
{
    json_t *row = NULL;

    *version = 0;
    if (store__query_one(s, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", "v#", &row,
                         NULL, "") != CF_OK)
        return store_schema_version_db(s->db, version, err);
    *version = (int)json_integer_value(json_object_get(row, "v"));
    json_decref(row);
    return CF_OK;
}

int store_begin(struct store *s, struct cf_error *err)
{
    return db_begin(s->db, err);
}

int store_commit(struct store *s, struct cf_error *err)
{
    return db_commit(s->db, err);
}

void store_rollback(struct store *s)
{
    db_rollback(s->db);
}

int store_backup(struct store *s, const char *path, struct cf_error *err)
{
    return db_backup(s->db, path, err);
}

json_t *store__parse(const char *text, long n, struct cf_error *err)
{
    json_error_t je;
    json_t *v;

    if (text == NULL) {
        cf_error_set(err, CF_EDB, NULL, "database: missing JSON value");
        return NULL;
    }
    v = json_loadb(text, (size_t)n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    if (v == NULL)
        cf_error_set(err, CF_EDB, NULL, "database: stored JSON is damaged: %s", je.text);
    return v;
}

char *store__dump(const json_t *v)
{
    return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
}

/* --- small query helpers ---------------------------------------------------- */

static void bind_va(struct db_stmt *st, const char *binds, va_list ap)
{
    for (int i = 0; binds[i] != '\0'; i++) {
        switch (binds[i]) {
        case 's':
            db_bind_text(st, i + 1, va_arg(ap, const char *), -1);
            break;
        case 'i':
            db_bind_int64(st, i + 1, va_arg(ap, int64_t));
            break;
        case 'l':
            db_bind_int64(st, i + 1, (int64_t)va_arg(ap, long));
            break;
        default:
            db_bind_null(st, i + 1);
            break;
        }
    }
}

int store__exec(struct store *s, const char *sql, int64_t *changes, struct cf_error *err,
                const char *binds, ...)
{
    struct db_stmt *st = db_prepare(s->db, sql, err);
    va_list ap;
    int rc;

    if (changes != NULL)
        *changes = 0;
    if (st == NULL)
        return CF_EDB;
    va_start(ap, binds);
    bind_va(st, binds, ap);
    va_end(ap);
    rc = db_step(st, err);
    if (rc >= 0 && changes != NULL)
        *changes = db_changes(st);
    db_done(st);
    return rc < 0 ? rc : CF_OK;
}

/* The first table a query reads (the word after its first FROM), for messages. */
static void table_of(const char *sql, char *out, size_t n)
{
    const char *p = strstr(sql, " FROM ");
    size_t k = 0;

    snprintf(out, n, "a table");
    if (p == NULL)
        return;
    for (p += 6; (isalnum((unsigned char)p[k]) || p[k] == '_') && k + 1 < n; k++)
        ;
    if (k > 0)
        snprintf(out, n, "%.*s", (int)k, p);
}

/*
 * One row as an object, columns named and typed by cols. NULL with err filled
 * (CF_EDB naming the column and table) when a stored text is not UTF-8 or a
 * JSON column is damaged: such a value must not read back as null.
 */
static json_t *row_object(struct db_stmt *st, const char *sql, const char *cols,
                          struct cf_error *err)
{
    json_t *o = json_object();
    const char *p = cols;

    for (int i = 0; *p != '\0'; i++) {
        const char *end = strchr(p, ',');
        size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
        char name[64], table[64];
        char type = 's';
        json_t *v;

        if (n > 0 && (p[n - 1] == '#' || p[n - 1] == '@'))
            type = p[--n];
        snprintf(name, sizeof name, "%.*s", (int)n, p);
        if (db_col_is_null(st, i))
            v = json_null();
        else if (type == '#')
            v = json_integer((json_int_t)db_col_int64(st, i));
        else if (type == '@')
            v = store__parse(db_col_text(st, i), db_col_len(st, i), NULL);
        else
            v = json_stringn(db_col_text(st, i), (size_t)db_col_len(st, i));
        if (v == NULL) {
            table_of(sql, table, sizeof table);
            json_decref(o);
            cf_error_set(err, CF_EDB, NULL,
                         type == '@' ? "database: the stored JSON in column %s of %s is damaged"
                                     : "database: the text in column %s of %s is not valid UTF-8",
                         name, table);
            return NULL;
        }
        json_object_set_new(o, name, v);
        p = end != NULL ? end + 1 : p + strlen(p);
    }
    return o;
}

static int query_va(struct store *s, const char *sql, const char *cols, int max, json_t **out,
                    struct cf_error *err, const char *binds, va_list ap)
{
    struct db_stmt *st = db_prepare(s->db, sql, err);
    json_t *arr;
    int rc = DB_DONE;

    *out = NULL;
    if (st == NULL)
        return CF_EDB;
    bind_va(st, binds, ap);
    arr = json_array();
    while ((max <= 0 || (int)json_array_size(arr) < max) && (rc = db_step(st, err)) == DB_ROW) {
        json_t *row = row_object(st, sql, cols, err);

        if (row == NULL) {
            rc = CF_EDB;
            break;
        }
        json_array_append_new(arr, row);
    }
    if (max > 0 && (int)json_array_size(arr) >= max)
        rc = DB_DONE;
    db_done(st);
    if (rc < 0) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return CF_OK;
}

int store__query(struct store *s, const char *sql, const char *cols, json_t **out,
                 struct cf_error *err, const char *binds, ...)
{
    va_list ap;
    int rc;

    va_start(ap, binds);
    rc = query_va(s, sql, cols, 0, out, err, binds, ap);
    va_end(ap);
    return rc;
}

int store__query_one(struct store *s, const char *sql, const char *cols, json_t **out,
                     struct cf_error *err, const char *binds, ...)
{
    json_t *arr;
    va_list ap;
    int rc;

    *out = NULL;
    va_start(ap, binds);
    rc = query_va(s, sql, cols, 1, &arr, err, binds, ap);
    va_end(ap);
    if (rc != CF_OK)
        return rc;
    if (json_array_size(arr) == 0) {
        json_decref(arr);
        return CF_ENOTFOUND;
    }
    *out = json_incref(json_array_get(arr, 0));
    json_decref(arr);
    return CF_OK;
}

int store_lock(struct store *s, enum store_lock which, struct cf_error *err)
{
    char sql[64];

    if (!db_in_transaction(s->db))
        return cf_error_set(err, CF_EDB, NULL, "database: store_lock outside a transaction");
    if (db_kind(s->db) == DB_SQLITE)
        return CF_OK;
    /* 4242001 is the migration lock (migrate.c); rule locks follow it. */
    snprintf(sql, sizeof sql, "SELECT pg_advisory_xact_lock(%d)", 4242100 + (int)which);
    return db_exec(s->db, sql, err);
}

/*
 * --- settings ---------------------------------------------------------------
 * Named values every process shares live in the name/value table `secrets`
 * (migration 004) beside the CSRF key, under names "setting:NAME", so a
 * setting can never be read as a secret or the other way round.
 */

int store_setting_put(struct store *s, const char *name, const char *value, struct cf_error *err)
{
    char key[128];

    if (snprintf(key, sizeof key, "setting:%s", name) >= (int)sizeof key)
        return cf_error_set(err, CF_EINVAL, name, "the setting name %s is too long", name);
    return store__exec(s,
                       "INSERT INTO secrets (name, value) VALUES (?, ?)"
                       " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                       NULL, err, "ss", key, value);
}

int store_setting_get(struct store *s, const char *name, char *out, size_t n, struct cf_error *err)
{
    json_t *row = NULL;
    const char *v;
    char key[128];
    int rc;

    if (snprintf(key, sizeof key, "setting:%s", name) >= (int)sizeof key)
        return cf_error_set(err, CF_EINVAL, name, "the setting name %s is too long", name);
    rc = store__query_one(s, "SELECT value FROM secrets WHERE name = ?", "value", &row, err, "s",
                          key);
    if (rc != CF_OK)
        return rc;
    v = json_string_value(json_object_get(row, "value"));
    if (v == NULL || strlen(v) >= n) {
        json_decref(row);
        return cf_error_set(err, CF_EINVAL, name, "the stored setting %s is too long", name);
    }
    snprintf(out, n, "%s", v);
    json_decref(row);
    return CF_OK;
}
