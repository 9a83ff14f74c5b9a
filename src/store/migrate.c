/* migrate.c — applying the embedded migrations, all or nothing. */
#include "store/migrate.h"

#include <stdio.h>
#include <stdlib.h>

#include "lib/clock.h"

static const char SQL_CREATE[] = "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                 " version INTEGER PRIMARY KEY,"
                                 " name TEXT NOT NULL,"
                                 " applied_at TEXT NOT NULL)";
static const char SQL_MAX[] = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
static const char SQL_RECORD[] =
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)";

int store_schema_version_db(struct db *db, int *version, struct cf_error *err)
{
    struct db_stmt *st;
    int rc;

    *version = 0;
    rc = db_exec(db, SQL_CREATE, err);
    if (rc != CF_OK)
        return rc;
    st = db_prepare(db, SQL_MAX, err);
    if (st == NULL)
        return err != NULL ? err->code : CF_EDB;
    rc = db_step(st, err);
    if (rc == DB_ROW) {
        *version = (int)db_col_int64(st, 0);
        rc = CF_OK;
    }
    db_done(st);
    return rc;
}

int store_migrate(struct db *db, int *applied, struct cf_error *err)
{
    int latest = store_nmigrations > 0 ? store_migrations[store_nmigrations - 1].version : 0;
    char now[32];
    int version = 0;
    int count = 0;
    int rc;

    if (applied != NULL)
        *applied = 0;

    /* Up to date (the usual start): nothing to write, so no write lock is taken and a
     * read-only database opens. A missing table (a new database) goes the long way. */
    {
        struct db_stmt *st = db_prepare(db, SQL_MAX, NULL);

        if (st != NULL && db_step(st, NULL) == DB_ROW) {
            version = (int)db_col_int64(st, 0);
            db_done(st);
            if (version == latest)
                return CF_OK;
        } else
            db_done(st);
        version = 0;
    }
    rc = db_begin(db, err);
    if (rc != CF_OK)
        return rc;

    /* Two app nodes starting at once on PostgreSQL: the second waits here. */
    if (db_kind(db) == DB_PG) {
        rc = db_exec(db, "SELECT pg_advisory_xact_lock(4242001)", err);
        if (rc != CF_OK)
            goto out;
    }
    rc = store_schema_version_db(db, &version, err);
    if (rc != CF_OK)
        goto out;
    if (version > latest) {
        rc = cf_error_set(err, CF_EVERSION, "db",
                          "the database has schema version %d but this ctoframe knows only up to "
                          "%d; it was written by a newer ctoframe — upgrade ctoframe or use a "
                          "backup made for this version",
                          version, latest);
        goto out;
    }
    clock_now_iso(now, sizeof now);
    for (int i = 0; i < store_nmigrations; i++) {
        const struct store_migration *m = &store_migrations[i];
        struct db_stmt *st;
        char *sql;

        if (m->version <= version)
            continue;
        sql = db_dialect(db, m->sql);
        if (sql == NULL) {
            rc = cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
            goto out;
        }
        rc = db_exec(db, sql, err);
        free(sql);
        if (rc != CF_OK) {
            if (err != NULL) {
                char why[sizeof err->message];

                snprintf(why, sizeof why, "%s", err->message);
                cf_error_set(err, rc, "db", "migration %03d_%s failed: %s", m->version, m->name,
                             why);
            }
            goto out;
        }
        st = db_prepare(db, SQL_RECORD, err);
        if (st == NULL) {
            rc = CF_EDB;
            goto out;
        }
        db_bind_int64(st, 1, m->version);
        db_bind_text(st, 2, m->name, -1);
        db_bind_text(st, 3, now, -1);
        rc = db_step(st, err);
        db_done(st);
        if (rc < 0)
            goto out;
        count++;
    }
    rc = CF_OK;

out:
    if (rc == CF_OK)
        rc = db_commit(db, err);
    else
        db_rollback(db);
    if (rc == CF_OK && applied != NULL)
        *applied = count;
    return rc;
}
