/*
 * migrate.h — numbered schema migrations (private to store/).
 *
 * src/store/migrations/NNN_name.sql are embedded into the binary at build
 * time (scripts/embed-migrations). store_migrate() applies the missing ones in
 * one transaction and records each in schema_migrations.
 */
#ifndef CF_STORE_MIGRATE_H
#define CF_STORE_MIGRATE_H

#include "store/db.h"

struct store_migration {
    int version;
    const char *name;
    const char *sql;
};

extern const struct store_migration store_migrations[];
extern const int store_nmigrations;

/*
 * Brings the schema up to the newest embedded migration. CF_EVERSION when the
 * database was migrated by a newer ctoframe; then nothing is changed.
 * *applied (may be NULL) receives the number of migrations run.
 */
int store_migrate(struct db *db, int *applied, struct cf_error *err);

/* The highest version recorded in the database (0 for a new one). */
int store_schema_version_db(struct db *db, int *version, struct cf_error *err);

#endif
