/*
 * tu_db.h — the database scaffolding of the unit suites that run each test on SQLite and,
 * when CTOFRAME_TEST_PG holds the URL of a throwaway PostgreSQL cluster, on PostgreSQL too
 * (test_races.c, test_application_races.c).
 *
 * A test's state is a struct backend: g_sqlite or g_pg. tu_db_setup gives it an empty,
 * migrated database (SQLite: a file in a fresh temporary directory; PostgreSQL: the public
 * schema of the database this run creates, t_<random>, emptied) opened into b->s;
 * tu_db_teardown closes it. tu_db_main runs the two groups and drops the database.
 * tu_run_together starts racing threads lined up on a barrier.
 */
#ifndef CF_TEST_TU_DB_H
#define CF_TEST_TU_DB_H

#include "testutil.h"
#include "pgutil.h"

#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <unistd.h>

#include "lib/clock.h"
#include "store/db.h"
#include "store/migrate.h"
#include "store/store.h"
#include "store/store_impl.h"
#include "svc/svc.h"

#define TU_DB_ARGON    "t=1,m=8"
#define TU_DB_NOW      "2030-03-01T09:00:00Z"
#define TU_DB_BASE_URL "http://x.test"

struct backend {
    int pg;          /* 0 SQLite, 1 PostgreSQL */
    char dir[64];    /* SQLite: the test's temporary directory */
    char url[2048];  /* the database of the current test */
    struct store *s; /* the test's own connection */
};

static struct backend g_sqlite = {0, "", "", NULL};
static struct backend g_pg = {1, "", "", NULL};

static char g_pg_admin[2048]; /* CTOFRAME_TEST_PG */
static char g_pg_db[64];      /* the database this run created */
static char g_pg_url[2048];   /* its URL */

#define assert_ok(rc, err)                                                                         \
    do {                                                                                           \
        int rc_ = (rc);                                                                            \
        if (rc_ != CF_OK)                                                                          \
            fail_msg("%s returned %d (%s): %s", #rc, rc_, cf_err_name(rc_), (err).message);        \
    } while (0)

/* --- PostgreSQL database of this run -------------------------------------------------- */

/* Runs sql on CTOFRAME_TEST_PG (the admin connection); -1 with a message on failure. */
static inline int pg_admin_exec(const char *sql)
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

/*
 * Creates this run's database t_<random> on CTOFRAME_TEST_PG; g_pg_url is its URL, or empty
 * when it could not be created (the PostgreSQL tests then fail in tu_db_setup).
 */
static inline void pg_create_database(void)
{
    unsigned char rnd[6];
    char sql[200];
    int fd = open("/dev/urandom", O_RDONLY);

    g_pg_url[0] = '\0';
    if (fd < 0 || read(fd, rnd, sizeof rnd) != (ssize_t)sizeof rnd) {
        if (fd >= 0)
            close(fd);
        return;
    }
    close(fd);
    snprintf(g_pg_db, sizeof g_pg_db, "t_%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2], rnd[3],
             rnd[4], rnd[5]);
    if (pg_url_with_db(g_pg_admin, g_pg_db, g_pg_url, sizeof g_pg_url) != 0) {
        g_pg_url[0] = '\0';
        return;
    }
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", g_pg_db);
    if (pg_admin_exec(sql) != 0)
        g_pg_url[0] = '\0';
}

/* Drops this run's database, with its connections. */
static inline int pg_drop_database(void)
{
    char sql[200];

    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", g_pg_db);
    return pg_admin_exec(sql);
}

/* --- fixtures ------------------------------------------------------------------------- */

/* Per test: an empty, migrated database for b->url, opened into b->s. */
static inline int tu_db_setup(void **state)
{
    struct backend *b = *state;
    struct cf_error err = {0};

    b->s = NULL;
    setenv("CTOFRAME_ARGON2", TU_DB_ARGON, 1);
    setenv("CTOFRAME_NOW", TU_DB_NOW, 1);
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
    assert_ok(store_open(b->url, STORE_CREATE | STORE_MIGRATE, &b->s, NULL, &err), err);
    return 0;
}

/* Per test: closes the connection and removes the SQLite directory. */
static inline int tu_db_teardown(void **state)
{
    struct backend *b = *state;

    store_close(b->s);
    b->s = NULL;
    if (!b->pg && b->dir[0] != '\0') {
        tu_rmrf(b->dir);
        b->dir[0] = '\0';
    }
    unsetenv("CTOFRAME_NOW");
    return 0;
}

/* The CLI: every right. */
static inline struct svc cli_of(struct store *s)
{
    struct svc sv = {s, "cli", NULL, TU_DB_BASE_URL, NULL, NULL};

    return sv;
}

/* Adds an organization; id receives its id. */
static inline void org_add(struct store *s, const char *kind, const char *name, char id[37])
{
    struct svc sv = cli_of(s);
    struct cf_error err = {0};
    json_t *in = json_pack("{s:s, s:s}", "kind", kind, "name", name);
    json_t *out = NULL;

    assert_ok(svc_org_add(&sv, in, &out, &err), err);
    snprintf(id, 37, "%s", tu_str(out, "id"));
    json_decref(in);
    json_decref(out);
}

/* --- people and principals (the evaluation suites) ------------------------------------ */

#define TU_DB_PW "correct horse battery"

/* Adds a person with role in org (active, password TU_DB_PW); id receives their id. */
static inline void tu_person_add(struct store *s, const char *email, const char *name,
                                 const char *role, const char *org, char id[37])
{
    struct svc sv = cli_of(s);
    struct cf_error err = {0};
    json_t *in = json_pack("{s:s, s:s, s:s, s:s, s:s}", "email", email, "name", name, "role", role,
                           "org", org, "password", TU_DB_PW);
    json_t *out = NULL;

    assert_ok(svc_person_add(&sv, in, &out, &err), err);
    snprintf(id, 37, "%s", tu_str(json_object_get(out, "person"), "id"));
    json_decref(in);
    json_decref(out);
}

/* Adds an organization of kind under parent; id receives its id. */
static inline void tu_child_add(struct store *s, const char *kind, const char *parent,
                                const char *name, char id[37])
{
    struct svc sv = cli_of(s);
    struct cf_error err = {0};
    json_t *in = json_pack("{s:s, s:s, s:s}", "kind", kind, "name", name, "parent", parent);
    json_t *out = NULL;

    assert_ok(svc_org_add(&sv, in, &out, &err), err);
    snprintf(id, 37, "%s", tu_str(out, "id"));
    json_decref(in);
    json_decref(out);
}

/* Imports the shipped CoSN 2019 framework (with its rubric). */
static inline void tu_framework_load(struct store *s)
{
    struct svc sv = cli_of(s);
    struct cf_error err = {0};
    json_t *pkg = NULL, *problems = NULL;
    size_t n = 0;
    char *fw = tu_read_file("data/frameworks/cosn-k12cto-2019.json", &n);

    assert_non_null(fw);
    assert_ok(svc_framework_import(&sv, fw, n, 1, &pkg, &problems, &err), err);
    json_decref(pkg);
    json_decref(problems);
    free(fw);
}

/* Acting as a person: their grants and reach resolved as a web request resolves them. */
struct tu_as {
    struct principal who;
    char actor[64];
    struct svc sv;
};

static inline void tu_as_person(struct tu_as *a, struct store *s, const char *id)
{
    struct cf_error err = {0};

    a->who = (struct principal){id, NULL, "session", NULL};
    assert_ok(store_grants_of(s, id, &a->who.grants, &err), err);
    assert_ok(svc_reach_resolve(s, &a->who, &err), err);
    snprintf(a->actor, sizeof a->actor, "user:%s", id);
    a->sv = (struct svc){s, a->actor, "req", TU_DB_BASE_URL, &a->who, "192.0.2.1"};
}

static inline void tu_as_done(struct tu_as *a)
{
    json_decref(a->who.grants);
    json_decref(a->who.reach);
}

/* --- threads -------------------------------------------------------------------------- */

/*
 * Runs fn on each of the n items (each size bytes, from items) in its own thread, all
 * released at once by one barrier whose address is stored in each item at start_off (a
 * pthread_barrier_t * member, offsetof(struct x, start)), and waits for all of them.
 */
static inline void tu_run_together(void *(*fn)(void *), void *items, size_t size, int n,
                                   size_t start_off)
{
    pthread_t *t = calloc((size_t)n, sizeof *t);
    pthread_barrier_t start;
    unsigned char *p = items;

    assert_non_null(t);
    assert_int_equal(pthread_barrier_init(&start, NULL, (unsigned)n), 0);
    for (int i = 0; i < n; i++) {
        pthread_barrier_t *bp = &start;

        memcpy(p + (size_t)i * size + start_off, &bp, sizeof bp);
        if (pthread_create(&t[i], NULL, fn, p + (size_t)i * size) != 0)
            fail_msg("pthread_create failed");
    }
    for (int i = 0; i < n; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&start);
    free(t);
}

/* --- main ----------------------------------------------------------------------------- */

#define TU_DB_SQ(f) {#f " (sqlite)", f, tu_db_setup, tu_db_teardown, &g_sqlite},
#define TU_DB_PG(f) {#f " (postgresql)", f, tu_db_setup, tu_db_teardown, &g_pg},

/*
 * The main of a suite whose tests are listed by COMMON_TESTS(X): the SQLite group (unless
 * scripts/test's PostgreSQL phase, where it has run already), then the PostgreSQL group in
 * a database of this run when CTOFRAME_TEST_PG is set. The number of failures.
 */
#define TU_DB_MAIN(name, COMMON_TESTS)                                                             \
    do {                                                                                           \
        const struct CMUnitTest sqlite_tests_[] = {COMMON_TESTS(TU_DB_SQ)};                        \
        const struct CMUnitTest pg_tests_[] = {COMMON_TESTS(TU_DB_PG)};                            \
        const char *pg_ = getenv("CTOFRAME_TEST_PG");                                              \
        int rc_;                                                                                   \
                                                                                                   \
        rc_ = tu_pg_only()                                                                         \
                  ? 0                                                                              \
                  : cmocka_run_group_tests_name(name " (sqlite)", sqlite_tests_, NULL, NULL);      \
        if (pg_ != NULL && pg_[0] != '\0') {                                                       \
            snprintf(g_pg_admin, sizeof g_pg_admin, "%s", pg_);                                    \
            pg_create_database();                                                                  \
            rc_ += cmocka_run_group_tests_name(name " (postgresql)", pg_tests_, NULL, NULL);       \
            if (g_pg_url[0] != '\0' && pg_drop_database() != 0)                                    \
                rc_++;                                                                             \
        }                                                                                          \
        return rc_;                                                                                \
    } while (0)

#endif
