/*
 * test_db.c — the SQL driver under store/ (src/store/db.c, db_sqlite.c,
 * db_pg.c): the statement cache, bind failures, text that is not UTF-8, and
 * reopening a PostgreSQL connection after the server restarted.
 *
 * Every common test runs on SQLite (a file in a fresh temporary directory)
 * and, when CTOFRAME_TEST_PG holds the URL of a throwaway PostgreSQL cluster,
 * on PostgreSQL too, in a database this run creates (t_<random>) and drops.
 * The restart test also needs that cluster's directory in
 * CTOFRAME_TEST_PG_DIR (scripts/pg-cluster restart DIR); without it the test
 * is reported as skipped.
 */
#include "testutil.h"
#include "pgutil.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/db_impl.h"
#include "store/store_impl.h"

#define NSTMTS 500

struct backend {
    int pg;         /* 0 SQLite, 1 PostgreSQL */
    char dir[64];   /* SQLite: the test's temporary directory */
    char url[2048]; /* the database of the current test */
    struct db *db;  /* opened by setup, closed by teardown */
};

static struct backend g_sqlite = {0, "", "", NULL};
static struct backend g_pg = {1, "", "", NULL};

static char g_pg_admin[2048]; /* CTOFRAME_TEST_PG */
static char g_pg_db[64];      /* the database this run created */
static char g_pg_url[2048];   /* its URL */

/* Distinct SQL texts: the cache is keyed by their addresses, which outlive every connection. */
static char g_sql[NSTMTS][48];

#define assert_ok(rc, err)                                                                         \
    do {                                                                                           \
        int rc_ = (rc);                                                                            \
        if (rc_ != CF_OK)                                                                          \
            fail_msg("%s returned %d (%s): %s", #rc, rc_, cf_err_name(rc_), (err).message);        \
    } while (0)

/* --- PostgreSQL database of this run -------------------------------------------------- */

static int pg_admin_exec(const char *sql)
{
    PGconn *c = PQconnectdb(g_pg_admin);
    PGresult *r;
    int ok;

    if (PQstatus(c) != CONNECTION_OK) {
        print_error("cannot connect to CTOFRAME_TEST_PG=%s: %s", g_pg_admin, PQerrorMessage(c));
        PQfinish(c);
        return -1;
    }
    r = PQexec(c, sql);
    ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        print_error("%s: %s", sql, PQresultErrorMessage(r));
    PQclear(r);
    PQfinish(c);
    return ok ? 0 : -1;
}

/* A fresh database name t_<12 hex digits> into out (at least 16 bytes). */
static int random_db_name(char *out, size_t n)
{
    unsigned char rnd[6];
    int fd = open("/dev/urandom", O_RDONLY);

    if (fd < 0 || read(fd, rnd, sizeof rnd) != (ssize_t)sizeof rnd) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    snprintf(out, n, "t_%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5]);
    return 0;
}

static void pg_create_database(void)
{
    char sql[200];

    if (random_db_name(g_pg_db, sizeof g_pg_db) != 0 ||
        pg_url_with_db(g_pg_admin, g_pg_db, g_pg_url, sizeof g_pg_url) != 0) {
        g_pg_url[0] = '\0';
        return;
    }
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", g_pg_db);
    if (pg_admin_exec(sql) != 0)
        g_pg_url[0] = '\0';
}

static int pg_drop_database(const char *name)
{
    char sql[200];

    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
    return pg_admin_exec(sql);
}

/* --- fixtures ------------------------------------------------------------------------- */

static int setup(void **state)
{
    struct backend *b = *state;
    struct cf_error err = {0};

    b->db = NULL;
    if (b->pg) {
        if (g_pg_url[0] == '\0')
            fail_msg("the PostgreSQL test database could not be created on CTOFRAME_TEST_PG=%s",
                     g_pg_admin);
        pg_exec(g_pg_url, "SET client_min_messages = warning;"
                          " DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public");
        snprintf(b->url, sizeof b->url, "%s", g_pg_url);
    } else {
        tu_mkdtemp(b->dir, sizeof b->dir);
        snprintf(b->url, sizeof b->url, "%s/test.db", b->dir);
    }
    if (db_open(b->url, 1, &b->db, &err) != CF_OK)
        fail_msg("db_open %s: %s", b->url, err.message);
    return 0;
}

static int teardown(void **state)
{
    struct backend *b = *state;

    db_close(b->db);
    b->db = NULL;
    if (!b->pg && b->dir[0] != '\0')
        tu_rmrf(b->dir);
    return 0;
}

/* Runs sql (a literal or a g_sql entry) and returns its one integer. */
static int64_t one_int(struct db *db, const char *sql)
{
    struct cf_error err = {0};
    struct db_stmt *st = db_prepare(db, sql, &err);
    int64_t v;
    int rc;

    if (st == NULL)
        fail_msg("prepare %s: %s", sql, err.message);
    rc = db_step(st, &err);
    if (rc != DB_ROW) {
        db_done(st);
        fail_msg("step %s: %d %s", sql, rc, err.message);
    }
    v = db_col_int64(st, 0);
    db_done(st);
    return v;
}

/* --- the statement cache -------------------------------------------------------------- */

/*
 * 500 distinct statements on one connection, twice over (the second pass
 * finds many evicted and prepares them again), with the cache kept to its
 * size; then 200 statements held at once, beyond that size, all still right.
 * Before: the 65th statement failed with "statement cache full".
 */
static void test_stmt_cache_500(void **state)
{
    struct backend *b = *state;
    struct db_stmt *held[200];
    struct cf_error err = {0};

    for (int i = 0; i < NSTMTS; i++)
        snprintf(g_sql[i], sizeof g_sql[i], "SELECT %d + 1", i);
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < NSTMTS; i++)
            assert_int_equal(one_int(b->db, g_sql[i]), i + 1);
        assert_true(b->db->nstmts <= DB_STMT_KEEP);
    }
    /* The most recently used is still cached: the same statement comes back. */
    {
        struct db_stmt *a = db_prepare(b->db, g_sql[NSTMTS - 1], &err);

        assert_non_null(a);
        db_done(a);
        assert_ptr_equal(db_prepare(b->db, g_sql[NSTMTS - 1], &err), a);
        db_done(a);
    }
    for (int i = 0; i < 200; i++) {
        held[i] = db_prepare(b->db, g_sql[i], &err);
        if (held[i] == NULL)
            fail_msg("prepare %d: %s", i, err.message);
        assert_int_equal(db_step(held[i], &err), DB_ROW);
    }
    assert_true(b->db->nstmts >= 200);
    for (int i = 0; i < 200; i++) {
        assert_int_equal(db_col_int64(held[i], 0), i + 1);
        db_done(held[i]);
    }
    /* The same text twice at once: two statements, each with its own row. */
    {
        struct db_stmt *x = db_prepare(b->db, g_sql[7], &err);
        struct db_stmt *y = db_prepare(b->db, g_sql[7], &err);

        assert_non_null(x);
        assert_non_null(y);
        assert_ptr_not_equal(x, y);
        assert_int_equal(db_step(x, &err), DB_ROW);
        assert_int_equal(db_step(y, &err), DB_ROW);
        assert_int_equal(db_col_int64(x, 0), 8);
        assert_int_equal(db_col_int64(y, 0), 8);
        db_done(x);
        db_done(y);
    }
    assert_int_equal(one_int(b->db, g_sql[0]), 1);
}

/* On PostgreSQL an evicted statement is deallocated on the server too: nothing piles up. */
static void test_stmt_cache_deallocates(void **state)
{
    struct backend *b = *state;

    for (int i = 0; i < NSTMTS; i++)
        snprintf(g_sql[i], sizeof g_sql[i], "SELECT %d + 2", i);
    for (int i = 0; i < NSTMTS; i++)
        assert_int_equal(one_int(b->db, g_sql[i]), i + 2);
    assert_true(one_int(b->db, "SELECT count(*) FROM pg_prepared_statements") <= DB_STMT_KEEP + 1);
}

/* --- bind failures and text that is not UTF-8 ----------------------------------------- */

/*
 * A bind that fails (here a parameter number the statement does not have)
 * makes the step fail, and nothing is written. Before: the return code was
 * ignored and the row was inserted with NULL in place of the value.
 */
static void test_bind_failure_fails_step(void **state)
{
    struct backend *b = *state;
    struct cf_error err = {0};
    struct db_stmt *st;
    int rc;

    assert_ok(db_exec(b->db, "CREATE TABLE t (a TEXT, b TEXT)", &err), err);
    st = db_prepare(b->db, "INSERT INTO t (a, b) VALUES (?, ?)", &err);
    assert_non_null(st);
    assert_int_equal(db_bind_text(st, 1, "one", -1), CF_OK);
    assert_int_not_equal(db_bind_text(st, 3, "two", -1), CF_OK);
    rc = db_step(st, &err);
    db_done(st);
    assert_true(rc < 0);
    tu_assert_contains(err.message, "parameter 3");
    assert_int_equal(one_int(b->db, "SELECT count(*) FROM t"), 0);

    /* The statement is clean for its next use. */
    st = db_prepare(b->db, "INSERT INTO t (a, b) VALUES (?, ?)", &err);
    assert_non_null(st);
    assert_int_equal(db_bind_text(st, 1, "one", -1), CF_OK);
    assert_int_equal(db_bind_text(st, 2, "two", -1), CF_OK);
    assert_int_equal(db_step(st, &err), DB_DONE);
    db_done(st);
    assert_int_equal(one_int(b->db, "SELECT count(*) FROM t WHERE b = 'two'"), 1);
}

/*
 * Stored text that is not UTF-8 (written by raw SQL) is an error naming the
 * column and the table, not a null. PostgreSQL refuses such bytes in a UTF8
 * database, so there the test uses a SQL_ASCII database of its own.
 */
static void test_invalid_utf8_is_error(void **state)
{
    struct backend *b = *state;
    struct cf_error err = {0};
    struct store s = {NULL};
    struct db *ascii = NULL;
    char name[32] = "", url[2048];
    json_t *rows = NULL;
    int rc;

    if (b->pg) {
        char sql[200];

        if (random_db_name(name, sizeof name) != 0 ||
            pg_url_with_db(g_pg_admin, name, url, sizeof url) != 0)
            fail_msg("cannot name a database");
        snprintf(sql, sizeof sql,
                 "CREATE DATABASE %s ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C'"
                 " TEMPLATE template0",
                 name);
        if (pg_admin_exec(sql) != 0)
            fail_msg("cannot create a SQL_ASCII database");
        if (db_open(url, 0, &ascii, &err) != CF_OK) {
            pg_drop_database(name);
            fail_msg("db_open %s: %s", url, err.message);
        }
        s.db = ascii;
        rc = db_exec(ascii,
                     "CREATE TABLE notes (id INTEGER, body TEXT);"
                     " INSERT INTO notes VALUES (1, 'fine'), (2, E'bad \\xff\\xfe here')",
                     &err);
    } else {
        s.db = b->db;
        rc = db_exec(b->db,
                     "CREATE TABLE notes (id INTEGER, body TEXT);"
                     " INSERT INTO notes VALUES (1, 'fine'),"
                     " (2, CAST(x'62616420fffe2068657265' AS TEXT))",
                     &err);
    }
    assert_ok(rc, err);

    rc = store__query(&s, "SELECT id, body FROM notes WHERE id = 1", "id#,body", &rows, &err, "");
    assert_ok(rc, err);
    assert_string_equal(tu_str(json_array_get(rows, 0), "body"), "fine");
    json_decref(rows);
    rows = NULL;

    rc = store__query(&s, "SELECT id, body FROM notes ORDER BY id", "id#,body", &rows, &err, "");
    assert_int_equal(rc, CF_EDB);
    assert_null(rows);
    tu_assert_contains(err.message, "body");
    tu_assert_contains(err.message, "notes");
    tu_assert_contains(err.message, "UTF-8");

    if (ascii != NULL) {
        db_close(ascii);
        pg_drop_database(name);
    }
}

/* --- PostgreSQL: the server restarts under an open connection ------------------------- */

/* Runs scripts/pg-cluster restart DIR; fails the test when it does not succeed. */
static void cluster_restart(const char *dir)
{
    pid_t pid = fork();
    int status = 0;

    if (pid < 0)
        fail_msg("fork: %s", strerror(errno));
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);

        if (null >= 0)
            dup2(null, STDOUT_FILENO);
        execl("scripts/pg-cluster", "scripts/pg-cluster", "restart", dir, (char *)NULL);
        _exit(127);
    }
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("scripts/pg-cluster restart %s failed (status %d)", dir, status);
}

/*
 * After the server restarts, a statement outside a transaction is retried on
 * a new session and succeeds (its prepared statement made again); one inside
 * a transaction fails with CF_EBUSY, as does the commit, and the next
 * transaction works. Before: every statement failed until the process
 * restarted.
 */
static void test_pg_reconnect(void **state)
{
    struct backend *b = *state;
    const char *dir = getenv("CTOFRAME_TEST_PG_DIR");
    struct cf_error err = {0};
    struct db_stmt *st;
    int rc;

    if (dir == NULL || dir[0] == '\0') {
        print_message("skipped: set CTOFRAME_TEST_PG_DIR to the cluster's directory to run it\n");
        skip();
    }
    assert_ok(db_exec(b->db, "CREATE TABLE t (a INTEGER)", &err), err);
    assert_int_equal(one_int(b->db, "SELECT count(*) + 40 FROM t"), 40);

    cluster_restart(dir);
    assert_int_equal(one_int(b->db, "SELECT count(*) + 40 FROM t"), 40);
    assert_int_equal(b->db->nresets, 1);

    /* Inside a transaction the session is gone: fail, roll back, then carry on. */
    assert_ok(db_begin(b->db, &err), err);
    st = db_prepare(b->db, "INSERT INTO t (a) VALUES (?)", &err);
    assert_non_null(st);
    db_bind_int64(st, 1, 1);
    assert_int_equal(db_step(st, &err), DB_DONE);
    db_done(st);
    cluster_restart(dir);
    st = db_prepare(b->db, "INSERT INTO t (a) VALUES (?)", &err);
    assert_non_null(st);
    db_bind_int64(st, 1, 2);
    rc = db_step(st, &err);
    db_done(st);
    assert_int_equal(rc, CF_EBUSY);
    /* A later statement of the same transaction must not run on the new session. */
    st = db_prepare(b->db, "INSERT INTO t (a) VALUES (?)", &err);
    db_bind_int64(st, 1, 3);
    assert_int_equal(db_step(st, &err), CF_EBUSY);
    db_done(st);
    assert_int_equal(db_commit(b->db, &err), CF_EBUSY);
    assert_int_equal(b->db->txdepth, 0);

    assert_ok(db_begin(b->db, &err), err);
    st = db_prepare(b->db, "INSERT INTO t (a) VALUES (?)", &err);
    db_bind_int64(st, 1, 4);
    assert_int_equal(db_step(st, &err), DB_DONE);
    db_done(st);
    assert_ok(db_commit(b->db, &err), err);
    assert_int_equal(one_int(b->db, "SELECT count(*) FROM t"), 1);
    assert_int_equal(one_int(b->db, "SELECT sum(a) FROM t"), 4);
}

#define COMMON_TESTS(X)                                                                            \
    X(test_stmt_cache_500)                                                                         \
    X(test_bind_failure_fails_step)                                                                \
    X(test_invalid_utf8_is_error)

#define SQ(f) {#f " (sqlite)", f, setup, teardown, &g_sqlite},
#define PG(f) {#f " (postgresql)", f, setup, teardown, &g_pg},

int main(void)
{
    const struct CMUnitTest sqlite_tests[] = {COMMON_TESTS(SQ)};
    const struct CMUnitTest pg_tests[] = {COMMON_TESTS(PG) PG(test_stmt_cache_deallocates)
                                              PG(test_pg_reconnect)};
    const char *pg = getenv("CTOFRAME_TEST_PG");
    int rc;

    /* In scripts/test's PostgreSQL phase the SQLite group has run already. */
    rc = tu_pg_only() ? 0 : cmocka_run_group_tests_name("db (sqlite)", sqlite_tests, NULL, NULL);
    if (pg != NULL && pg[0] != '\0') {
        snprintf(g_pg_admin, sizeof g_pg_admin, "%s", pg);
        pg_create_database();
        rc += cmocka_run_group_tests_name("db (postgresql)", pg_tests, NULL, NULL);
        if (g_pg_url[0] != '\0' && pg_drop_database(g_pg_db) != 0)
            rc++;
    }
    return rc;
}
