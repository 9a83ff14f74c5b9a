/*
 * db.c — the SQL driver over SQLite and libpq.
 *
 * Each function switches on the connection's kind; the two halves are kept
 * side by side so a reader sees at once where the dialects differ.
 *
 * Prepared statements are cached per connection in a hash table keyed by the
 * address of their SQL text, with a list in order of use: past DB_STMT_KEEP
 * statements the least recently used idle one is finalized (DEALLOCATE on
 * PostgreSQL), so there is no fixed cap and a lookup stays one hash probe.
 *
 * A PostgreSQL connection that broke (the server restarted) is reopened:
 * outside a transaction the statement is retried once on the new session;
 * inside one the transaction is lost, so the statement and every later one of
 * that transaction fail with CF_EBUSY until the caller rolls back.
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
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int is_pg_url(const char *url)
{
    return strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0;
}

int db_open(const char *url, int flags, struct db **out, struct cf_error *err)
{
    struct db *db;
    int rc;

    *out = NULL;
    if (url == NULL || url[0] == '\0')
        return cf_error_set(err, CF_EINVAL, "db", "no database given");
    db = calloc(1, sizeof *db);
    if (db == NULL)
        return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
    if (is_pg_url(url)) {
        db->kind = DB_PG;
        rc = db__pg_open(db, url, err);
    } else {
        db->kind = DB_SQLITE;
        rc = db__sqlite_open(db, url, flags, err);
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

/* Frees st's memory and its SQLite statement (the PostgreSQL name is the caller's concern). */
static void stmt_release(struct db_stmt *st)
{
    if (st->sq != NULL)
        sqlite3_finalize(st->sq);
    stmt_clear_pg(st);
    free(st->vals);
    free(st->pgsql);
    free(st);
}

void db_close(struct db *db)
{
    if (db == NULL)
        return;
    for (struct db_stmt *st = db->newest, *next; st != NULL; st = next) {
        next = st->older;
        stmt_release(st);
    }
    free(db->buckets);
    if (db->sq != NULL)
        sqlite3_close_v2(db->sq);
    if (db->pg != NULL)
        PQfinish(db->pg);
    free(db);
}

int db_readonly(const struct db *db)
{
    return db->readonly;
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

/* --- PostgreSQL connection loss ------------------------------------------ */

/* 1 when the PostgreSQL connection broke (the server restarted or went away). */
static int pg_broken(const struct db *db)
{
    return PQstatus(db->pg) == CONNECTION_BAD;
}

/* The open transaction's session is gone: CF_EBUSY until the caller rolls back. */
static int pg_lost(struct db *db, struct cf_error *err)
{
    db->lost = 1;
    keep_errmsg(db, "the connection to PostgreSQL was lost during a transaction");
    return cf_error_set(err, CF_EBUSY, NULL,
                        "The connection to the database was lost and nothing was saved; "
                        "please try again.");
}

/*
 * Before a statement: a connection that broke outside a transaction is
 * reopened; inside one the transaction is lost (CF_EBUSY).
 */
static int pg_ready(struct db *db, struct cf_error *err)
{
    if (db->txdepth > 0 && (db->lost || pg_broken(db)))
        return pg_lost(db, err);
    if (pg_broken(db))
        return db__pg_reset(db, err);
    return CF_OK;
}

static int pg_exec_once(struct db *db, const char *sql, struct cf_error *err)
{
    PGresult *res = PQexec(db->pg, sql);
    ExecStatusType s = PQresultStatus(res);
    int rc = CF_OK;

    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
        rc = pg_code(db, res, err);
    PQclear(res);
    return rc;
}

int db_exec(struct db *db, const char *sql, struct cf_error *err)
{
    int rc;

    if (db->kind == DB_SQLITE) {
        rc = sqlite3_exec(db->sq, sql, NULL, NULL, NULL);
        return rc == SQLITE_OK ? CF_OK : sqlite_code(db, rc, err);
    }
    rc = pg_ready(db, err);
    if (rc != CF_OK)
        return rc;
    rc = pg_exec_once(db, sql, err);
    if (rc == CF_OK || !pg_broken(db))
        return rc;
    if (db->txdepth > 0)
        return pg_lost(db, err);
    /* Outside a transaction nothing is lost: reopen and try once more. */
    rc = db__pg_reset(db, err);
    return rc == CF_OK ? pg_exec_once(db, sql, err) : rc;
}

/* --- the statement cache --------------------------------------------------- */

/* The bucket of a SQL text's address (a 64-bit mix, so aligned addresses spread). */
static size_t bucket_of(const struct db *db, const char *sql)
{
    uint64_t h = (uint64_t)(uintptr_t)sql;

    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return (size_t)(h & (db->nbuckets - 1));
}

/* Doubles the hash table (64 buckets at first). CF_ENOMEM leaves it as it was. */
static int grow_buckets(struct db *db)
{
    size_t oldn = db->nbuckets, n = oldn == 0 ? 64 : oldn * 2;
    struct db_stmt **old = db->buckets, **b = calloc(n, sizeof *b);

    if (b == NULL)
        return CF_ENOMEM;
    db->buckets = b;
    db->nbuckets = n;
    for (size_t i = 0; i < oldn; i++) {
        for (struct db_stmt *st = old[i], *next; st != NULL; st = next) {
            size_t k = bucket_of(db, st->sql);

            next = st->hnext;
            st->hnext = b[k];
            b[k] = st;
        }
    }
    free(old);
    return CF_OK;
}

static void lru_unlink(struct db *db, struct db_stmt *st)
{
    if (st->newer != NULL)
        st->newer->older = st->older;
    else
        db->newest = st->older;
    if (st->older != NULL)
        st->older->newer = st->newer;
    else
        db->oldest = st->newer;
    st->newer = st->older = NULL;
}

static void lru_push(struct db *db, struct db_stmt *st)
{
    st->newer = NULL;
    st->older = db->newest;
    if (db->newest != NULL)
        db->newest->newer = st;
    else
        db->oldest = st;
    db->newest = st;
}

/* Takes st out of the cache and frees it; on PostgreSQL its prepared statement is dropped. */
static void stmt_evict(struct db *db, struct db_stmt *st)
{
    struct db_stmt **pp = &db->buckets[bucket_of(db, st->sql)];

    while (*pp != st)
        pp = &(*pp)->hnext;
    *pp = st->hnext;
    lru_unlink(db, st);
    db->nstmts--;
    if (db->kind == DB_PG && st->name[0] != '\0' && !pg_broken(db)) {
        char sql[48];

        snprintf(sql, sizeof sql, "DEALLOCATE %s", st->name);
        PQclear(PQexec(db->pg, sql));
    }
    stmt_release(st);
}

/*
 * Finalizes the least recently used idle statements while more than
 * DB_STMT_KEEP are cached. Not inside a failed PostgreSQL transaction, which
 * refuses even DEALLOCATE: the cache stays larger until that one ends.
 */
static void evict_idle(struct db *db)
{
    if (db->kind == DB_PG && PQtransactionStatus(db->pg) == PQTRANS_INERROR)
        return;
    for (struct db_stmt *st = db->oldest, *newer; st != NULL && db->nstmts > DB_STMT_KEEP;
         st = newer) {
        newer = st->newer;
        if (!st->in_use)
            stmt_evict(db, st);
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

/* A new statement for sql, not yet in the cache; NULL with err filled on failure. */
static struct db_stmt *stmt_new(struct db *db, const char *sql, struct cf_error *err)
{
    struct db_stmt *st = calloc(1, sizeof *st);

    if (st == NULL) {
        cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
        return NULL;
    }
    st->db = db;
    st->sql = sql;
    st->row = -1;
    if (db->kind == DB_SQLITE) {
        int rc = sqlite3_prepare_v3(db->sq, sql, -1, SQLITE_PREPARE_PERSISTENT, &st->sq, NULL);

        if (rc != SQLITE_OK) {
            sqlite_code(db, rc, err);
            stmt_release(st);
            return NULL;
        }
    } else {
        st->pgsql = pg_rewrite(sql, &st->nparams);
        st->vals = st->nparams > 0 ? calloc((size_t)st->nparams, sizeof(char *)) : NULL;
        if (st->pgsql == NULL || (st->nparams > 0 && st->vals == NULL)) {
            st->nparams = 0;
            stmt_release(st);
            cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
            return NULL;
        }
    }
    return st;
}

struct db_stmt *db_prepare(struct db *db, const char *sql, struct cf_error *err)
{
    struct db_stmt *st = NULL;

    if (db->nstmts >= db->nbuckets * 2 && grow_buckets(db) != CF_OK && db->nbuckets == 0) {
        cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
        return NULL;
    }
    for (st = db->buckets[bucket_of(db, sql)]; st != NULL; st = st->hnext)
        if (st->sql == sql && !st->in_use)
            break;
    if (st != NULL) {
        lru_unlink(db, st);
    } else {
        size_t k;

        st = stmt_new(db, sql, err);
        if (st == NULL)
            return NULL;
        k = bucket_of(db, sql);
        st->hnext = db->buckets[k];
        db->buckets[k] = st;
        db->nstmts++;
    }
    lru_push(db, st);
    st->in_use = 1;
    st->changes = 0;
    st->bind_rc = CF_OK;
    st->bind_at = 0;
    evict_idle(db);
    return st;
}

/* --- binding ------------------------------------------------------------- */

/* Keeps the first failed bind of st for db_step() to report; returns rc. */
static int bind_result(struct db_stmt *st, int i, int rc)
{
    if (rc != CF_OK && st->bind_rc == CF_OK) {
        st->bind_rc = rc;
        st->bind_at = i;
    }
    return rc;
}

static int sqlite_bind_code(int rc)
{
    return rc == SQLITE_OK       ? CF_OK
           : rc == SQLITE_NOMEM  ? CF_ENOMEM
           : rc == SQLITE_TOOBIG ? CF_ETOOBIG
                                 : CF_EDB;
}

int db_bind_text(struct db_stmt *st, int i, const char *s, long n)
{
    if (s == NULL)
        return db_bind_null(st, i);
    if (st->db->kind == DB_SQLITE) {
        if (n > INT_MAX)
            return bind_result(st, i, CF_ETOOBIG);
        return bind_result(st, i,
                           sqlite_bind_code(sqlite3_bind_text(st->sq, i, s, n < 0 ? -1 : (int)n,
                                                              SQLITE_TRANSIENT)));
    }
    if (i < 1 || i > st->nparams)
        return bind_result(st, i, CF_EDB);
    free(st->vals[i - 1]);
    st->vals[i - 1] = n < 0 ? strdup(s) : strndup(s, (size_t)n);
    return bind_result(st, i, st->vals[i - 1] != NULL ? CF_OK : CF_ENOMEM);
}

int db_bind_int64(struct db_stmt *st, int i, int64_t v)
{
    char tmp[24];

    if (st->db->kind == DB_SQLITE)
        return bind_result(st, i, sqlite_bind_code(sqlite3_bind_int64(st->sq, i, v)));
    snprintf(tmp, sizeof tmp, "%" PRId64, v);
    return db_bind_text(st, i, tmp, -1);
}

int db_bind_null(struct db_stmt *st, int i)
{
    if (st->db->kind == DB_SQLITE)
        return bind_result(st, i, sqlite_bind_code(sqlite3_bind_null(st->sq, i)));
    if (i < 1 || i > st->nparams)
        return bind_result(st, i, CF_EDB);
    free(st->vals[i - 1]);
    st->vals[i - 1] = NULL;
    return CF_OK;
}

/* --- running ------------------------------------------------------------- */

static int pg_run_once(struct db_stmt *st, struct cf_error *err)
{
    struct db *db = st->db;
    ExecStatusType s;

    if (st->name[0] == '\0') {
        char name[sizeof st->name];
        PGresult *p;

        snprintf(name, sizeof name, "s%lu", ++db->nprepared);
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
    {
        int rc = pg_code(db, st->res, err);

        PQclear(st->res);
        st->res = NULL;
        return rc;
    }
}

/* Runs st on PostgreSQL, reopening a broken connection (see the top of this file). */
static int pg_run(struct db_stmt *st, struct cf_error *err)
{
    struct db *db = st->db;
    int rc = pg_ready(db, err);

    if (rc != CF_OK)
        return rc;
    rc = pg_run_once(st, err);
    if (rc == CF_OK || !pg_broken(db))
        return rc;
    if (db->txdepth > 0)
        return pg_lost(db, err);
    rc = db__pg_reset(db, err);
    return rc == CF_OK ? pg_run_once(st, err) : rc;
}

int db_step(struct db_stmt *st, struct cf_error *err)
{
    if (st->bind_rc != CF_OK) {
        keep_errmsg(st->db, "a parameter could not be bound");
        return cf_error_set(err, st->bind_rc, NULL,
                            "database: parameter %d of a statement could not be bound (%s)",
                            st->bind_at, cf_strerror(st->bind_rc));
    }
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
    st->bind_rc = CF_OK;
    st->in_use = 0;
}

/* --- transactions -------------------------------------------------------- */

/*
 * Sends COMMIT or ROLLBACK for the outermost level. Never retried on a new
 * session: a COMMIT there would "succeed" with nothing to commit.
 */
static int tx_end(struct db *db, const char *sql, struct cf_error *err)
{
    int rc;

    if (db->kind == DB_SQLITE) {
        rc = sqlite3_exec(db->sq, sql, NULL, NULL, NULL);
        return rc == SQLITE_OK ? CF_OK : sqlite_code(db, rc, err);
    }
    if (db->lost || pg_broken(db)) {
        db->lost = 0;
        return cf_error_set(err, CF_EBUSY, NULL,
                            "The connection to the database was lost and nothing was saved; "
                            "please try again.");
    }
    return pg_exec_once(db, sql, err);
}

int db_begin(struct db *db, struct cf_error *err)
{
    int rc;

    if (db->txdepth > 0) {
        db->txdepth++;
        return CF_OK;
    }
    db->failed = 0;
    db->lost = 0;
    /* Still at depth 0: a broken PostgreSQL connection is reopened and BEGIN retried. */
    rc = db_exec(db, db->kind == DB_SQLITE ? "BEGIN IMMEDIATE" : "BEGIN", err);
    if (rc == CF_OK)
        db->txdepth = 1;
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
        tx_end(db, "ROLLBACK", NULL);
        return cf_error_set(err, CF_EDB, NULL, "database: an inner step failed; rolled back");
    }
    rc = tx_end(db, "COMMIT", err);
    if (rc != CF_OK)
        tx_end(db, "ROLLBACK", NULL);
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
    tx_end(db, "ROLLBACK", NULL);
}

int db_in_transaction(const struct db *db)
{
    return db->txdepth > 0;
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
