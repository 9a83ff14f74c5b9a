/* store.c — opening, closing, transactions and the JSON column helpers. */
#include "store/store_impl.h"

#include <stdlib.h>

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
        return cf_error_set(err, CF_ENOMEM, NULL, "out of memory");
    rc = db_open(url, (flags & STORE_CREATE) != 0, &s->db, err);
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

const char *store_kind_name(const struct store *s)
{
    return db_kind(s->db) == DB_SQLITE ? "sqlite" : "postgresql";
}

int store_schema_version(struct store *s, int *version, struct cf_error *err)
{
    return store_schema_version_db(s->db, version, err);
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
