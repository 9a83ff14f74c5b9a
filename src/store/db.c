/*
 * db.c — the SQL driver over SQLite and libpq.
 *
 * Each function switches on the connection's kind; the two halves are kept
 * side by side so a reader sees at once where the dialects differ.
 *
 * Dialect tokens that migrations may use (db_dialect):
 *   @PK@    an auto-numbered 64-bit primary key column type
 *   @BLOB@  a byte string column type
 *   @SQLITE@ … @END@, @PG@ … @END@   text for that database only (triggers)
 */
#include "store/db_impl.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int is_pg_url(const char *url)
{
    return strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0;
}

int db_open(const char *url, int create, struct db **out, struct cf_error *err)
{
    struct db *db;
    int rc;

    *out = NULL;
    if (url == NULL || url[0] == '\0')
        return cf_error_set(err, CF_EINVAL, "db", "no database given");
    db = calloc(1, sizeof *db);
    if (db == NULL)
        return cf_error_set(err, CF_ENOMEM, NULL, "out of memory");
    if (is_pg_url(url)) {
        db->kind = DB_PG;
        rc = db__pg_open(db, url, err);
    } else {
        db->kind = DB_SQLITE;
        rc = db__sqlite_open(db, url, create, err);
    }
    if (rc != CF_OK) {
        db_close(db);
        return rc;
    }
    *out = db;
    return CF_OK;
}

static void stmt_clear_pg(struct db_stmt *st)
{
    if (st->res != NULL)
        PQclear(st->res);
    st->res = NULL;
    st->row = -1;
    st->nrows = 0;
    for (int i = 0; i < st->nparams; i++) {
        free(st->vals[i]);
        st->vals[i] = NULL;
    }
}

void db_close(struct db *db)
{
    if (db == NULL)
        return;
    for (int i = 0; i < db->nstmts; i++) {
        struct db_stmt *st = &db->stmts[i];

        if (st->sq != NULL)
            sqlite3_finalize(st->sq);
        stmt_clear_pg(st);
        free(st->vals);
        free(st->pgsql);
    }
    if (db->sq != NULL)
        sqlite3_close_v2(db->sq);
    if (db->pg != NULL)
        PQfinish(db->pg);
    free(db);
}

enum db_kind db_kind(const struct db *db)
{
    return db->kind;
}

const char *db_errmsg(const struct db *db)
{
    return db->errmsg;
}

/* Copies the driver's last message into db->errmsg, trimmed of its newline. */
static void keep_errmsg(struct db *db, const char *msg)
{
    size_t n;

    snprintf(db->errmsg, sizeof db->errmsg, "%s", msg != NULL ? msg : "unknown error");
    n = strlen(db->errmsg);
    while (n > 0 && (db->errmsg[n - 1] == '\n' || db->errmsg[n - 1] == ' '))
        db->errmsg[--n] = '\0';
}

static int sqlite_code(struct db *db, int src, struct cf_error *err)
{
    int code;

    keep_errmsg(db, sqlite3_errmsg(db->sq));
    switch (src & 0xff) {
    case SQLITE_CONSTRAINT:
        code = (src == SQLITE_CONSTRAINT_UNIQUE || src == SQLITE_CONSTRAINT_PRIMARYKEY)
                   ? CF_ECONFLICT
                   : CF_EINVAL;
        break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        code = CF_EBUSY;
        break;
    case SQLITE_READONLY:
        code = CF_EREADONLY;
        break;
    case SQLITE_NOTADB:
        return cf_error_set(err, CF_EIO, "db", "the file is not a SQLite database");
    case SQLITE_FULL:
        return cf_error_set(err, CF_EIO, "db", "the disk is full");
    default:
        code = CF_EDB;
        break;
    }
    return cf_error_set(err, code, NULL, "database: %s", db->errmsg);
}

static int pg_code(struct db *db, const PGresult *res, struct cf_error *err)
{
    const char *state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    int code = CF_EDB;

    keep_errmsg(db, res != NULL ? PQresultErrorMessage(res) : PQerrorMessage(db->pg));
    if (state != NULL) {
        if (strcmp(state, "23505") == 0)
            code = CF_ECONFLICT;
        else if (strncmp(state, "23", 2) == 0)
            code = CF_EINVAL;
        else if (strcmp(state, "25006") == 0)
            code = CF_EREADONLY;
        else if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
                 strcmp(state, "55P03") == 0)
            code = CF_EBUSY;
    }
    return cf_error_set(err, code, NULL, "database: %s", db->errmsg);
}

int db_exec(struct db *db, const char *sql, struct cf_error *err)
{
    if (db->kind == DB_SQLITE) {
        int rc = sqlite3_exec(db->sq, sql, NULL, NULL, NULL);

        return rc == SQLITE_OK ? CF_OK : sqlite_code(db, rc, err);
    } else {
        PGresult *res = PQexec(db->pg, sql);
        ExecStatusType s = PQresultStatus(res);
        int rc = CF_OK;

        if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
            rc = pg_code(db, res, err);
        PQclear(res);
        return rc;
    }
}

/* Rewrites `?` placeholders to $1…$n outside quoted text; counts them. */
static char *pg_rewrite(const char *sql, int *nparams)
{
    size_t n = strlen(sql);
    char *out = malloc(n * 4 + 1);
    char *o = out;
    int k = 0;
    char quote = 0;

    if (out == NULL)
        return NULL;
    for (const char *p = sql; *p != '\0'; p++) {
        if (quote) {
            if (*p == quote)
                quote = 0;
            *o++ = *p;
        } else if (*p == '\'' || *p == '"') {
            quote = *p;
            *o++ = *p;
        } else if (*p == '?') {
            int w = snprintf(o, 12, "$%d", ++k);

            o += w > 0 ? w : 0;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    *nparams = k;
    return out;
}

struct db_stmt *db_prepare(struct db *db, const char *sql, struct cf_error *err)
{
    struct db_stmt *st = NULL;

    for (int i = 0; i < db->nstmts; i++) {
        if (db->stmts[i].sql == sql && !db->stmts[i].in_use) {
            st = &db->stmts[i];
            break;
        }
    }
    if (st == NULL) {
        if (db->nstmts == DB_STMT_CACHE) {
            cf_error_set(err, CF_EDB, NULL, "database: statement cache full");
            return NULL;
        }
        st = &db->stmts[db->nstmts];
        memset(st, 0, sizeof *st);
        st->db = db;
        st->sql = sql;
        st->row = -1;
        if (db->kind == DB_SQLITE) {
            int rc = sqlite3_prepare_v3(db->sq, sql, -1, SQLITE_PREPARE_PERSISTENT, &st->sq, NULL);

            if (rc != SQLITE_OK) {
                sqlite_code(db, rc, err);
                sqlite3_finalize(st->sq);
                st->sq = NULL;
                return NULL;
            }
        } else {
            st->pgsql = pg_rewrite(sql, &st->nparams);
            st->vals = st->nparams > 0 ? calloc((size_t)st->nparams, sizeof(char *)) : NULL;
            if (st->pgsql == NULL || (st->nparams > 0 && st->vals == NULL)) {
                free(st->pgsql);
                free(st->vals);
                cf_error_set(err, CF_ENOMEM, NULL, "out of memory");
                return NULL;
            }
        }
        db->nstmts++;
    }
    st->in_use = 1;
    st->changes = 0;
    return st;
}

int db_bind_text(struct db_stmt *st, int i, const char *s, long n)
{
    if (s == NULL)
        return db_bind_null(st, i);
    if (st->db->kind == DB_SQLITE) {
        int rc = sqlite3_bind_text(st->sq, i, s, n < 0 ? -1 : (int)n, SQLITE_TRANSIENT);

        return rc == SQLITE_OK ? CF_OK : CF_EDB;
    }
    if (i < 1 || i > st->nparams)
        return CF_EDB;
    free(st->vals[i - 1]);
    st->vals[i - 1] = n < 0 ? strdup(s) : strndup(s, (size_t)n);
    return st->vals[i - 1] != NULL ? CF_OK : CF_ENOMEM;
}

int db_bind_int64(struct db_stmt *st, int i, int64_t v)
{
    char tmp[24];

    if (st->db->kind == DB_SQLITE)
        return sqlite3_bind_int64(st->sq, i, v) == SQLITE_OK ? CF_OK : CF_EDB;
    snprintf(tmp, sizeof tmp, "%" PRId64, v);
    return db_bind_text(st, i, tmp, -1);
}

int db_bind_null(struct db_stmt *st, int i)
{
    if (st->db->kind == DB_SQLITE)
        return sqlite3_bind_null(st->sq, i) == SQLITE_OK ? CF_OK : CF_EDB;
    if (i < 1 || i > st->nparams)
        return CF_EDB;
    free(st->vals[i - 1]);
    st->vals[i - 1] = NULL;
    return CF_OK;
}

static int pg_run(struct db_stmt *st, struct cf_error *err)
{
    struct db *db = st->db;
    ExecStatusType s;

    if (st->name[0] == '\0') {
        char name[16];
        PGresult *p;

        snprintf(name, sizeof name, "s%d", ++db->nprepared);
        p = PQprepare(db->pg, name, st->pgsql, st->nparams, NULL);
        if (PQresultStatus(p) != PGRES_COMMAND_OK) {
            int rc = pg_code(db, p, err);

            PQclear(p);
            return rc;
        }
        PQclear(p);
        memcpy(st->name, name, sizeof name);
    }
    st->res =
        PQexecPrepared(db->pg, st->name, st->nparams, (const char *const *)st->vals, NULL, NULL, 0);
    s = PQresultStatus(st->res);
    if (s == PGRES_TUPLES_OK) {
        st->nrows = PQntuples(st->res);
        st->changes = strtoll(PQcmdTuples(st->res), NULL, 10);
        return CF_OK;
    }
    if (s == PGRES_COMMAND_OK) {
        st->nrows = 0;
        st->changes = strtoll(PQcmdTuples(st->res), NULL, 10);
        return CF_OK;
    }
    return pg_code(db, st->res, err);
}

int db_step(struct db_stmt *st, struct cf_error *err)
{
    if (st->db->kind == DB_SQLITE) {
        int rc = sqlite3_step(st->sq);

        if (rc == SQLITE_ROW)
            return DB_ROW;
        if (rc == SQLITE_DONE) {
            st->changes = sqlite3_changes64(st->db->sq);
            return DB_DONE;
        }
        return sqlite_code(st->db, sqlite3_extended_errcode(st->db->sq), err);
    }
    if (st->res == NULL) {
        int rc = pg_run(st, err);

        if (rc != CF_OK)
            return rc;
    }
    st->row++;
    return st->row < st->nrows ? DB_ROW : DB_DONE;
}

const char *db_col_text(struct db_stmt *st, int i)
{
    if (st->db->kind == DB_SQLITE)
        return (const char *)sqlite3_column_text(st->sq, i);
    if (PQgetisnull(st->res, st->row, i))
        return NULL;
    return PQgetvalue(st->res, st->row, i);
}

long db_col_len(struct db_stmt *st, int i)
{
    if (st->db->kind == DB_SQLITE)
        return sqlite3_column_bytes(st->sq, i);
    return PQgetlength(st->res, st->row, i);
}

int64_t db_col_int64(struct db_stmt *st, int i)
{
    const char *s;

    if (st->db->kind == DB_SQLITE)
        return sqlite3_column_int64(st->sq, i);
    s = db_col_text(st, i);
    return s != NULL ? strtoll(s, NULL, 10) : 0;
}

int db_col_is_null(struct db_stmt *st, int i)
{
    if (st->db->kind == DB_SQLITE)
        return sqlite3_column_type(st->sq, i) == SQLITE_NULL;
    return PQgetisnull(st->res, st->row, i);
}

int64_t db_changes(struct db_stmt *st)
{
    return st->changes;
}

void db_done(struct db_stmt *st)
{
    if (st == NULL)
        return;
    if (st->db->kind == DB_SQLITE) {
        sqlite3_reset(st->sq);
        sqlite3_clear_bindings(st->sq);
    } else {
        stmt_clear_pg(st);
    }
    st->in_use = 0;
}

int db_begin(struct db *db, struct cf_error *err)
{
    int rc;

    if (db->txdepth++ > 0)
        return CF_OK;
    db->failed = 0;
    rc = db_exec(db, db->kind == DB_SQLITE ? "BEGIN IMMEDIATE" : "BEGIN", err);
    if (rc != CF_OK)
        db->txdepth = 0;
    return rc;
}

int db_commit(struct db *db, struct cf_error *err)
{
    int rc;

    if (db->txdepth == 0)
        return cf_error_set(err, CF_EDB, NULL, "database: commit without a transaction");
    if (--db->txdepth > 0)
        return CF_OK;
    if (db->failed) {
        db_exec(db, "ROLLBACK", NULL);
        return cf_error_set(err, CF_EDB, NULL, "database: an inner step failed; rolled back");
    }
    rc = db_exec(db, "COMMIT", err);
    if (rc != CF_OK)
        db_exec(db, "ROLLBACK", NULL);
    return rc;
}

void db_rollback(struct db *db)
{
    if (db->txdepth == 0)
        return;
    if (--db->txdepth > 0) {
        db->failed = 1;
        return;
    }
    db_exec(db, "ROLLBACK", NULL);
}

char *db_dialect(const struct db *db, const char *sql)
{
    static const struct {
        const char *token;
        const char *sqlite;
        const char *pg;
    } tokens[] = {
        {"@PK@", "INTEGER PRIMARY KEY AUTOINCREMENT",
         "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"},
        {"@BLOB@", "BLOB", "BYTEA"},
    };
    size_t cap = strlen(sql) * 2 + 256;
    char *out = malloc(cap);
    size_t o = 0;

    if (out == NULL)
        return NULL;
    for (const char *p = sql; *p != '\0';) {
        int hit = 0;
        int mine_sqlite = strncmp(p, "@SQLITE@", 8) == 0, mine_pg = strncmp(p, "@PG@", 4) == 0;

        /* A dialect block: its text for that database, nothing for the other. */
        if (mine_sqlite || mine_pg) {
            const char *end = strstr(p, "@END@");

            if (end == NULL) {
                free(out);
                return NULL;
            }
            if ((mine_sqlite && db->kind == DB_SQLITE) || (mine_pg && db->kind == DB_PG))
                p += mine_sqlite ? 8 : 4;
            else
                p = end + 5;
            continue;
        }
        if (strncmp(p, "@END@", 5) == 0) {
            p += 5;
            continue;
        }
        for (size_t t = 0; t < sizeof tokens / sizeof tokens[0]; t++) {
            size_t tl = strlen(tokens[t].token);

            if (strncmp(p, tokens[t].token, tl) == 0) {
                const char *rep = db->kind == DB_SQLITE ? tokens[t].sqlite : tokens[t].pg;
                size_t rl = strlen(rep);

                if (o + rl + 1 > cap) {
                    char *q = realloc(out, cap = (o + rl + 1) * 2);

                    if (q == NULL) {
                        free(out);
                        return NULL;
                    }
                    out = q;
                }
                memcpy(out + o, rep, rl);
                o += rl;
                p += tl;
                hit = 1;
                break;
            }
        }
        if (!hit) {
            if (o + 2 > cap) {
                char *q = realloc(out, cap *= 2);

                if (q == NULL) {
                    free(out);
                    return NULL;
                }
                out = q;
            }
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
    return out;
}
