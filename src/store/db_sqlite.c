/*
 * db_sqlite.c — opening a SQLite database the way ctoframe needs it, and
 * the online backup.
 *
 * Settings: WAL journal (readers never wait for the writer), foreign keys on,
 * a 5 s busy timeout, synchronous=FULL so a committed transaction survives a
 * crash or kill of the process and a power cut.
 */
#include "store/db_impl.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Explains why path cannot be opened, in words a person can act on. */
static int explain_open_failure(const char *path, int create, struct cf_error *err)
{
    struct stat sb;
    char *copy = strdup(path);
    const char *dir = copy != NULL ? dirname(copy) : ".";
    int rc;

    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        rc = cf_error_set(err, CF_EIO, "db", "cannot open database %s: it is a directory", path);
    else if (stat(path, &sb) != 0 && !create)
        rc = cf_error_set(err, CF_ENOTFOUND, "db", "cannot open database %s: no such file", path);
    else if (stat(dir, &sb) != 0)
        rc = cf_error_set(err, CF_EIO, "db", "cannot open database %s: directory %s does not exist",
                          path, dir);
    else if (!S_ISDIR(sb.st_mode))
        rc = cf_error_set(err, CF_EIO, "db", "cannot open database %s: %s is not a directory", path,
                          dir);
    else if (access(dir, W_OK) != 0)
        rc = cf_error_set(err, CF_EREADONLY, "db",
                          "cannot open database %s: directory %s is not writable", path, dir);
    else
        rc = cf_error_set(err, CF_EIO, "db", "cannot open database %s: %s", path, strerror(errno));
    free(copy);
    return rc;
}

int db__sqlite_open(struct db *db, const char *path, int open_flags, struct cf_error *err)
{
    int flags =
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE | SQLITE_OPEN_URI;
    int create = (open_flags & DB_OPEN_CREATE) != 0;
    struct stat sb;
    int rc;

    if (create)
        flags |= SQLITE_OPEN_CREATE;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return explain_open_failure(path, create, err);
    rc = sqlite3_open_v2(path, &db->sq, flags, NULL);
    if (rc != SQLITE_OK) {
        errno = 0;
        return explain_open_failure(path, create, err);
    }
    if (sqlite3_db_readonly(db->sq, "main") == 1) {
        if (!(open_flags & DB_OPEN_READONLY_OK))
            return cf_error_set(err, CF_EREADONLY, "db",
                                "database %s is read-only: ctoframe needs to write to it "
                                "(check the file's owner and permissions)",
                                path);
        /* Reading only (a server on a read-only copy): no journal mode to set. */
        db->readonly = 1;
        sqlite3_busy_timeout(db->sq, 5000);
        rc = sqlite3_exec(db->sq, "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;", NULL, NULL,
                          NULL);
        if (rc != SQLITE_OK)
            return cf_error_set(err,
                                (sqlite3_errcode(db->sq) & 0xff) == SQLITE_NOTADB ? CF_EIO : CF_EDB,
                                "db", "cannot read database %s: %s", path, sqlite3_errmsg(db->sq));
        return CF_OK;
    }
    sqlite3_busy_timeout(db->sq, 5000);

    /* The first statement reads the header: a non-database file fails here. */
    rc = sqlite3_exec(db->sq, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        int code = sqlite3_extended_errcode(db->sq);

        if ((code & 0xff) == SQLITE_NOTADB)
            return cf_error_set(err, CF_EIO, "db", "%s is not a SQLite database", path);
        if ((code & 0xff) == SQLITE_READONLY || (code & 0xff) == SQLITE_CANTOPEN)
            return cf_error_set(err, CF_EREADONLY, "db",
                                "database %s cannot be written (read-only file or directory)",
                                path);
        return cf_error_set(err, CF_EDB, "db", "cannot open database %s: %s", path,
                            sqlite3_errmsg(db->sq));
    }
    rc = sqlite3_exec(db->sq,
                      "PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL; "
                      "PRAGMA temp_store=MEMORY;",
                      NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return cf_error_set(err, CF_EDB, "db", "cannot configure database %s: %s", path,
                            sqlite3_errmsg(db->sq));
    return CF_OK;
}

/*
 * Copies the live database into path through SQLite's online backup API:
 * the copy is one consistent snapshot even while the server writes. It is
 * written beside the target and renamed into place, so a failed backup never
 * leaves a half file under the target's name.
 */
int db_backup(struct db *db, const char *path, struct cf_error *err)
{
    sqlite3 *dst = NULL;
    sqlite3_backup *bk;
    char tmp[4096];
    int rc;

    if (db->kind != DB_SQLITE)
        return cf_error_set(err, CF_EINVAL, "db",
                            "backup works on SQLite databases; for PostgreSQL use pg_dump");
    if (snprintf(tmp, sizeof tmp, "%s.partial", path) >= (int)sizeof tmp)
        return cf_error_set(err, CF_EINVAL, "file", "backup path too long");
    unlink(tmp);
    rc = sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_close(dst);
        return explain_open_failure(path, 1, err);
    }
    bk = sqlite3_backup_init(dst, "main", db->sq, "main");
    if (bk == NULL) {
        rc = cf_error_set(err, CF_EDB, NULL, "backup failed: %s", sqlite3_errmsg(dst));
        sqlite3_close(dst);
        unlink(tmp);
        return rc;
    }
    do {
        rc = sqlite3_backup_step(bk, 256);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
            sqlite3_sleep(20);
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    sqlite3_backup_finish(bk);
    if (rc != SQLITE_DONE) {
        int code = cf_error_set(err, CF_EIO, "file", "backup failed: %s", sqlite3_errstr(rc));

        sqlite3_close(dst);
        unlink(tmp);
        return code;
    }
    /* The copy must not depend on a -wal file beside it. */
    sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL);
    sqlite3_close(dst);
    if (rename(tmp, path) != 0) {
        rc = cf_error_set(err, CF_EIO, "file", "cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
        return rc;
    }
    return CF_OK;
}
