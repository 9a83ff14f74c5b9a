/*
 * test_store.c — src/store: the one interface to persistent data.
 *
 * The same suite runs on SQLite (a file in a fresh temporary directory per
 * test) and, when CTOFRAME_TEST_PG holds a libpq URL of a throwaway cluster,
 * on PostgreSQL too: the run creates its own database there (t_<random>),
 * empties its public schema before each test and drops the database at the
 * end. The PostgreSQL variants are registered only when the variable is set
 * and are named "... (postgresql)". With CTOFRAME_TEST_PG_ONLY=1 (scripts/test's
 * PostgreSQL phase) the SQLite group is left out.
 */
#include "testutil.h"
#include "pgutil.h"

#include <dirent.h>
#include <glob.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include "store/store.h"
#include "store/store_impl.h"
#include "store/migrate.h"

#define F2009          "data/frameworks/cosn-k12cto-2009.json"
#define F2019          "data/frameworks/cosn-k12cto-2019.json"
#define FXWALK         "data/frameworks/cosn-crosswalk-2009-2019.json"
#define FISTE          "data/frameworks/iste-education-leaders-2018.json"
#define MIGRATIONS_DIR "src/store/migrations"
#define NOW            "2024-01-31T12:00:00Z"

struct backend {
    int pg;           /* 0 SQLite, 1 PostgreSQL */
    char dir[64];     /* SQLite: the test's temporary directory */
    char url[2048];   /* the database of the current test */
    struct store *s;  /* opened by open_store(), closed by teardown */
    struct store *s2; /* a second connection some tests open */
};

static struct backend g_sqlite = {0, "", "", NULL, NULL};
static struct backend g_pg = {1, "", "", NULL, NULL};

static char g_pg_admin[2048]; /* CTOFRAME_TEST_PG */
static char g_pg_db[64];      /* the database this run created */
static char g_pg_url[2048];   /* its URL */

/* The four packages in import order: 2009, 2019, crosswalk, ISTE. */
static json_t *g_pkg[4];
static const char *const g_files[4] = {F2009, F2019, FXWALK, FISTE};
#define P2009  g_pkg[0]
#define P2019  g_pkg[1]
#define PXWALK g_pkg[2]
#define PISTE  g_pkg[3]

/* --- helpers ------------------------------------------------------------- */

/* Fails the test with the error's message when rc is not CF_OK. */
#define assert_ok(rc, err)                                                                         \
    do {                                                                                           \
        int rc_ = (rc);                                                                            \
        if (rc_ != CF_OK)                                                                          \
            fail_msg("%s returned %d (%s): %s", #rc, rc_, cf_err_name(rc_), (err).message);        \
    } while (0)

/* 1 when the decimal number n occurs in s, not as part of a longer number. */
static int contains_number(const char *s, long n)
{
    char num[32];
    size_t len;

    snprintf(num, sizeof num, "%ld", n);
    len = strlen(num);
    for (const char *p = strstr(s, num); p != NULL; p = strstr(p + 1, num)) {
        int before = p > s && p[-1] >= '0' && p[-1] <= '9';
        int after = p[len] >= '0' && p[len] <= '9';

        if (!before && !after)
            return 1;
    }
    return 0;
}

/* How many migration files there are; *highest (may be NULL) = the highest NNN of NNN_name.sql. */
static int count_migration_files_max(int *highest)
{
    DIR *d = opendir(MIGRATIONS_DIR);
    struct dirent *e;
    int n = 0;

    if (highest != NULL)
        *highest = 0;
    if (d == NULL)
        fail_msg("cannot open %s (run the tests from the project root)", MIGRATIONS_DIR);
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);

        if (len > 4 && strcmp(e->d_name + len - 4, ".sql") == 0) {
            int v = (int)strtol(e->d_name, NULL, 10);

            n++;
            if (highest != NULL && v > *highest)
                *highest = v;
        }
    }
    closedir(d);
    return n;
}

/* The highest migration number (numbers may have gaps: one can be reserved by a branch). */
static int latest_migration(void)
{
    DIR *d = opendir(MIGRATIONS_DIR);
    struct dirent *e;
    int latest = 0;

    if (d == NULL)
        fail_msg("cannot open %s (run the tests from the project root)", MIGRATIONS_DIR);
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        int v = (int)strtol(e->d_name, NULL, 10);

        if (len > 4 && strcmp(e->d_name + len - 4, ".sql") == 0 && v > latest)
            latest = v;
    }
    closedir(d);
    return latest;
}

static void load_packages(void)
{
    for (int i = 0; i < 4; i++)
        if (g_pkg[i] == NULL)
            g_pkg[i] = tu_load_json(g_files[i]);
}

/* Per test: an empty database for b->url. */
static int setup(void **state)
{
    struct backend *b = *state;

    load_packages();
    b->s = NULL;
    b->s2 = NULL;
    if (b->pg) {
        /* Without a database the test itself fails (pg_ready), so it is counted. */
        if (g_pg_url[0] == '\0') {
            b->url[0] = '\0';
            return 0;
        }
        pg_exec(g_pg_url, "SET client_min_messages = warning;"
                          " DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public");
        snprintf(b->url, sizeof b->url, "%s", g_pg_url);
    } else {
        tu_mkdtemp(b->dir, sizeof b->dir);
        snprintf(b->url, sizeof b->url, "%s/test.db", b->dir);
    }
    return 0;
}

static int teardown(void **state)
{
    struct backend *b = *state;

    store_close(b->s2);
    store_close(b->s);
    b->s = NULL;
    b->s2 = NULL;
    if (!b->pg && b->dir[0] != '\0') {
        tu_rmrf(b->dir);
        b->dir[0] = '\0';
    }
    return 0;
}

/* Opens (creating and migrating) the test's database into b->s. */
static struct store *open_store(struct backend *b)
{
    struct cf_error err = {0};

    assert_ok(store_open(b->url, STORE_CREATE | STORE_MIGRATE, &b->s, NULL, &err), err);
    assert_non_null(b->s);
    assert_string_equal(store_kind_name(b->s), b->pg ? "postgresql" : "sqlite");
    return b->s;
}

static void put_pkg(struct store *s, const json_t *pkg)
{
    struct cf_error err = {0};

    assert_ok(store_case_package_put(s, pkg, NOW, &err), err);
}

static void put_all(struct store *s)
{
    for (int i = 0; i < 4; i++)
        put_pkg(s, g_pkg[i]);
}

/* Asserts the stored package id equals want (json_equal). */
static void assert_pkg_stored(struct store *s, const json_t *want, const char *what)
{
    struct cf_error err = {0};
    json_t *got = NULL;

    assert_ok(store_case_package_get(s, tu_doc_id(want), &got, &err), err);
    tu_assert_json_equal(want, got, what);
    json_decref(got);
}

static void assert_pkg_absent(struct store *s, const char *id)
{
    struct cf_error err = {0};
    json_t *got = (json_t *)1;

    assert_int_equal(store_case_package_get(s, id, &got, &err), CF_ENOTFOUND);
    assert_null(got);
}

static long doc_total(struct store *s)
{
    struct cf_error err = {0};
    json_t *list = NULL;
    long total = -1;

    assert_ok(store_case_document_list(s, 0, 0, &list, &total, &err), err);
    assert_int_equal(json_array_size(list), total);
    json_decref(list);
    return total;
}

static int64_t generation(struct store *s)
{
    struct cf_error err = {0};
    int64_t g = -1;

    assert_ok(store_case_generation(s, &g, &err), err);
    return g;
}

/* Summary counts of document id: items, or -1 when it is not listed. */
static long summary_items(struct store *s, const char *id, long *index)
{
    struct cf_error err = {0};
    json_t *sums = NULL;
    long items = -1;
    size_t i;
    json_t *e;

    assert_ok(store_case_document_summaries(s, &sums, &err), err);
    json_array_foreach(sums, i, e)
    {
        if (strcmp(tu_str(json_object_get(e, "document"), "identifier"), id) == 0) {
            items = (long)json_integer_value(json_object_get(e, "items"));
            if (index != NULL)
                *index = (long)i;
        }
    }
    json_decref(sums);
    return items;
}

/* --- opening and migrating ---------------------------------------------- */

static void test_open_migrates(void **state)
{
    struct backend *b = *state;
    struct cf_error err = {0};
    int latest = 0;
    int files = count_migration_files_max(&latest);
    int migrated = -1, version = -1;

    assert_true(files > 0);
    assert_ok(store_open(b->url, STORE_CREATE | STORE_MIGRATE, &b->s, &migrated, &err), err);
    assert_int_equal(migrated, files);
    assert_ok(store_schema_version(b->s, &version, &err), err);
    assert_int_equal(version, latest_migration());
    store_close(b->s);
    b->s = NULL;

    /* Reopening applies nothing. */
    migrated = -1;
    assert_ok(store_open(b->url, STORE_CREATE | STORE_MIGRATE, &b->s, &migrated, &err), err);
    assert_int_equal(migrated, 0);
    assert_ok(store_schema_version(b->s, &version, &err), err);
    assert_int_equal(version, latest_migration());

    /* Migrated tables are usable right away. */
    assert_int_equal(doc_total(b->s), 0);
    assert_true(generation(b->s) >= 0);
}

static void test_newer_schema_refused(void **state)
{
    struct backend *b = *state;
    struct cf_error err = {0};
    int files = latest_migration();
    struct db *db = NULL;
    struct store *s = (struct store *)1;
    char sql[200];
    int version = -1;

    count_migration_files_max(&files); /* the highest version this binary knows */
    open_store(b);
    store_close(b->s);
    b->s = NULL;

    /* A newer ctoframe recorded a migration this one does not know. */
    assert_ok(db_open(b->url, 0, &db, &err), err);
    snprintf(sql, sizeof sql,
             "INSERT INTO schema_migrations (version, name, applied_at)"
             " VALUES (%d, 'from_the_future', '2099-01-01T00:00:00Z')",
             files + 1);
    assert_ok(db_exec(db, sql, &err), err);
    db_close(db);

    assert_int_equal(store_open(b->url, STORE_CREATE | STORE_MIGRATE, &s, NULL, &err), CF_EVERSION);
    assert_null(s);
    assert_int_equal(err.code, CF_EVERSION);
    if (!contains_number(err.message, files + 1) || !contains_number(err.message, files))
        fail_msg("message should name versions %d and %d: %s", files + 1, files, err.message);

    /* Nothing was changed: without migrating it opens and reports the newer version. */
    assert_ok(store_open(b->url, 0, &b->s, NULL, &err), err);
    assert_ok(store_schema_version(b->s, &version, &err), err);
    assert_int_equal(version, files + 1);
}

/* --- packages ------------------------------------------------------------ */

static void test_roundtrip_ours(void **state)
{
    struct backend *b = *state;
    struct store *s = open_store(b);

    for (int i = 0; i < 4; i++) {
        put_pkg(s, g_pkg[i]);
        assert_pkg_stored(s, g_pkg[i], g_files[i]);
    }
    /* Still equal once all are in. */
    for (int i = 0; i < 4; i++)
        assert_pkg_stored(s, g_pkg[i], g_files[i]);
    assert_int_equal(doc_total(s), 4);
}

static void test_roundtrip_opensalt(void **state)
{
    struct backend *b = *state;
    struct store *s = open_store(b);
    json_t *ids = json_object();
    char pattern[4096];
    glob_t g;

    tu_shared_path(pattern, sizeof pattern, "testdata/case/*Framework.json");
    if (glob(pattern, 0, NULL, &g) != 0 || g.gl_pathc == 0)
        fail_msg("no OpenSALT packages match %s", pattern);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        json_t *pkg = tu_load_json(g.gl_pathv[i]);

        put_pkg(s, pkg);
        assert_pkg_stored(s, pkg, g.gl_pathv[i]);
        json_object_set_new(ids, tu_doc_id(pkg), json_true());
        json_decref(pkg);
    }
    /* Packages sharing a document identifier replaced one another. */
    assert_int_equal(doc_total(s), json_object_size(ids));
    globfree(&g);
    json_decref(ids);
}

static void test_reput_replaces(void **state)
{
    struct backend *b = *state;
    struct store *s = open_store(b);
    const char *id = tu_doc_id(P2019);
    long n = (long)json_array_size(json_object_get(P2019, "CFItems"));
    long idx_before = -1, idx_after = -1;
    int64_t g0;
    json_t *copy;

    put_all(s);
    assert_int_equal(summary_items(s, id, &idx_before), n);
    assert_int_equal(idx_before, 1);

    /* The same document again: nothing doubles, the place in the list is kept. */
    g0 = generation(s);
    put_pkg(s, P2019);
    assert_int_equal(summary_items(s, id, &idx_after), n);
    assert_int_equal(idx_after, idx_before);
    assert_int_equal(doc_total(s), 4);
    assert_true(generation(s) > g0);
    assert_pkg_stored(s, P2019, "re-put 2019");

    /* A changed version replaces the old one field for field. */
    copy = json_deep_copy(P2019);
    json_object_set_new(json_object_get(copy, "CFDocument"), "title", json_string("Renamed"));
    json_array_remove(json_object_get(copy, "CFItems"), (size_t)n - 1);
    put_pkg(s, copy);
    assert_int_equal(summary_items(s, id, &idx_after), n - 1);
    assert_int_equal(idx_after, idx_before);
    assert_pkg_stored(s, copy, "changed 2019");
    json_decref(copy);
}

static void test_put_atomic(void **state)
{
    struct backend *b = *state;
    struct store *s = open_store(b);
    struct cf_error err = {0};
    json_t *bad = json_deep_copy(P2019);
    json_t *items = json_object_get(bad, "CFItems");
    int64_t g0;
    int rc;

    put_all(s);
    g0 = generation(s);

    /* Two items with one identifier (case_parse would refuse it): the put fails as a whole. */
    json_array_append_new(items, json_deep_copy(json_array_get(items, 0)));
    json_object_set_new(json_object_get(bad, "CFDocument"), "title", json_string("Broken"));
    rc = store_case_package_put(s, bad, NOW, &err);
    if (rc != CF_ECONFLICT)
        fail_msg("put with a duplicate item: %d (%s), expected CF_ECONFLICT: %s", rc,
                 cf_err_name(rc), err.message);
    assert_pkg_stored(s, P2019, "the previous version survives a failed put");
    assert_int_equal(generation(s), g0);
    assert_int_equal(doc_total(s), 4);

    /* A package without a CFDocument identifier is refused before anything is written. */
    json_object_del(json_object_get(bad, "CFDocument"), "identifier");
    assert_int_equal(store_case_package_put(s, bad, NOW, &err), CF_EINVAL);
    assert_int_equal(generation(s), g0);
    json_decref(bad);
}

/* A package of one item (itemid) in document did, with the given statement. */
static json_t *one_item_pkg(const char *did, const char *itemid, const char *statement)
{
    json_t *p = json_pack("{s:{s:s, s:s+, s:s, s:s, s:s}, s:[{s:s, s:s+, s:s, s:s}], s:[]}",
                          "CFDocument", "identifier", did, "uri", "https://example.org/", did,
                          "creator", "t", "title", did, "lastChangeDateTime", NOW, "CFItems",
                          "identifier", itemid, "uri", "https://example.org/", itemid,
                          "lastChangeDateTime", NOW, "fullStatement", statement, "CFAssociations");

    assert_non_null(p);
    return p;
}

static void test_object_get_latest_import(void **state)
{
    static const char da[] = "a1111111-1111-4111-8111-111111111111";
    static const char db[] = "b2222222-2222-4222-8222-222222222222";
    static const char it[] = "c3333333-3333-4333-8333-333333333333";
    struct backend *b = *state;
    struct store *s = open_store(b);
    struct cf_error err = {0};
    json_t *pa = one_item_pkg(da, it, "from A");
    json_t *pb = one_item_pkg(db, it, "from B");
    char doc[64] = "";
    json_t *got = NULL;

    put_pkg(s, pa);
    put_pkg(s, pb);
    assert_ok(store_case_object_get(s, "item", it, &got, doc, &err), err);
    assert_string_equal(doc, db);
    assert_string_equal(tu_str(got, "fullStatement"), "from B");
    json_decref(got);

    /* A is imported again: it is now the most recently imported document. */
    json_decref(pa);
    pa = one_item_pkg(da, it, "from A, again");
    put_pkg(s, pa);
    json_decref(pa);
    json_decref(pb);
    assert_ok(store_case_object_get(s, "item", it, &got, doc, &err), err);
    if (strcmp(doc, da) != 0 || strcmp(tu_str(got, "fullStatement"), "from A, again") != 0) {
        char text[128];

        snprintf(text, sizeof text, "%s", tu_str(got, "fullStatement"));
        json_decref(got);
        fail_msg("after re-importing %s, object_get(item %s) answers from %s (\"%s\"); store.h: "
                 "\"The most recently imported document wins\"",
                 da, it, doc, text);
    }
    json_decref(got);
}

static void test_document_list(void **state)
{
    struct backend *b = *state;
    struct store *s = open_store(b);
    struct cf_error err = {0};
    json_t *list = NULL;
    long total = -1;

    put_all(s);
    assert_ok(store_case_document_list(s, 0, 0, &list, &total, &err), err);
    assert_int_equal(total, 4);
    assert_int_equal(json_array_size(list), 4);
    for (size_t i = 0; i < 4; i++)
        tu_assert_json_equal(json_object_get(g_pkg[i], "CFDocument"), json_array_get(list, i),
                             "document in import order");
    json_decref(list);

    assert_ok(store_case_document_list(s, 2, 1, &list, &total, &err), err);
    assert_int_equal(total, 4);
    assert_int_equal(json_array_size(list), 2);
    assert_string_equal(tu_str(json_array_get(list, 0), "identifier"), tu_doc_id(P2019));
    assert_string_equal(tu_str(json_array_get(list, 1), "identifier"), tu_doc_id(PXWALK));
    json_decref(list);

    assert_ok(store_case_document_list(s, 10, 3, &list, &total, &err), err);
    assert_int_equal(json_array_size(list), 1);
    assert_string_equal(tu_str(json_array_get(list, 0), "identifier"), tu_doc_id(PISTE));
    json_decref(list);

    assert_ok(store_case_document_list(s, 5, 10, &list, &total, &err), err);
    assert_int_equal(total, 4);
    assert_int_equal(json_array_size(list), 0);
    json_decref(list);

    assert_ok(store_case_document_list(s, -1, 2, &list, &total, &err), err);
    assert_int_equal(json_array_size(list), 2);
    assert_string_equal(tu_str(json_array_get(list, 0), "identifier"), tu_doc_id(PXWALK));
    json_decref(list);

    {
        json_t *doc = NULL;

        assert_ok(store_case_document_get(s, tu_doc_id(PISTE), &doc, &err), err);
        tu_assert_json_equal(json_object_get(PISTE, "CFDocument"), doc, "document_get");
        json_decref(doc);
        doc = (json_t *)1;
        assert_int_equal(store_case_document_get(s, "no-such-document", &doc, &err), CF_ENOTFOUND);
        assert_null(doc);
    }
}

static void check_object(struct store *s, const char *kind, const json_t *want, const json_t *pkg)
{
    struct cf_error err = {0};
    char doc[64] = "";
    json_t *got = NULL;

    assert_ok(store_case_object_get(s, kind, tu_str(want, "identifier"), &got, doc, &err), err);
    tu_assert_json_equal(want, got, kind);
    assert_string_equal(doc, tu_doc_id(pkg));
    json_decref(got);
    /* doc_id may be NULL. */
    assert_ok(store_case_object_get(s, kind, tu_str(want, "identifier"), &got, NULL, &err), err);
    json_decref(got);
}

static void test_object_get(void **state)
{
    struct backend *b = *state;
    struct store *s = open_store(b);
    struct cf_error err = {0};
    const json_t *item = json_array_get(json_object_get(P2019, "CFItems"), 7);
    json_t *got = (json_t *)1;

    put_all(s);
    check_object(s, "item", item, P2019);
    check_object(s, "item", json_array_get(json_object_get(PISTE, "CFItems"), 0), PISTE);
    check_object(s, "association", json_array_get(json_object_get(PXWALK, "CFAssociations"), 5),
                 PXWALK);
    check_object(s, "association", json_array_get(json_object_get(P2009, "CFAssociations"), 0),
                 P2009);
    check_object(s, "rubric", json_array_get(json_object_get(P2019, "CFRubrics"), 0), P2019);

    assert_int_equal(
        store_case_object_get(s, "item", "00000000-0000-4000-8000-000000000000", &got, NULL, &err),
        CF_ENOTFOUND);
    assert_null(got);
    got = (json_t *)1;
    /* The right identifier under the wrong kind is not found either. */
    assert_int_equal(
        store_case_object_get(s, "association", tu_str(item, "identifier"), &got, NULL, &err),
        CF_ENOTFOUND);
    assert_null(got);
    assert_int_equal(store_case_object_get(s, "item", tu_doc_id(P2019), &got, NULL, &err),
                     CF_ENOTFOUND);
}

/* Every association of the four packages touching id, in import then array order. */
static json_t *expected_assocs_of(const char *id)
{
    json_t *out = json_array();

    for (int p = 0; p < 4; p++) {
        size_t i;
        json_t *a;

        json_array_foreach(json_object_get(g_pkg[p], "CFAssociations"), i, a)
        {
            if (strcmp(tu_link_id(a, "originNodeURI"), id) == 0 ||
                strcmp(tu_link_id(a, "destinationNodeURI"), id) == 0)
                json_array_append(out, a);
        }
    }
    return out;
}

static void test_associations_of(void **state)
{
    struct backend *b = *state;
    struct store *s = open_store(b);
    struct cf_error err = {0};
    const char *ids[3];
    json_t *got = NULL, *want;

    put_all(s);
    ids[0] = tu_str(json_array_get(json_object_get(P2019, "CFItems"), 1), "identifier"); /* I.A */
    ids[1] = tu_str(json_array_get(json_object_get(P2009, "CFItems"), 3), "identifier");
    ids[2] = tu_doc_id(PISTE);
    for (int i = 0; i < 3; i++) {
        want = expected_assocs_of(ids[i]);
        assert_true(json_array_size(want) > 0);
        assert_ok(store_case_associations_of(s, ids[i], &got, &err), err);
        tu_assert_json_equal(want, got, "associations_of");
        json_decref(got);
        json_decref(want);
    }
    /* I.A has its parent, its children and at least one crosswalk link. */
    want = expected_assocs_of(ids[0]);
    assert_true(json_array_size(want) >= 3);
    json_decref(want);

    assert_ok(store_case_associations_of(s, "nothing-here", &got, &err), err);
    assert_int_equal(json_array_size(got), 0);
    json_decref(got);
}

static void test_associations_between(void **state)
{
    struct backend *b = *state;
    struct store *s = open_store(b);
    struct cf_error err = {0};
    const json_t *want = json_object_get(PXWALK, "CFAssociations");
    json_t *got = NULL;

    put_all(s);
    assert_int_equal(json_array_size(want), 63);
    assert_ok(store_case_associations_between(s, tu_doc_id(P2009), tu_doc_id(P2019), &got, &err),
              err);
    assert_int_equal(json_array_size(got), 63);
    tu_assert_json_equal(want, got, "2009/2019");
    json_decref(got);

    assert_ok(store_case_associations_between(s, tu_doc_id(P2019), tu_doc_id(P2009), &got, &err),
              err);
    tu_assert_json_equal(want, got, "2019/2009");
    json_decref(got);

    assert_ok(store_case_associations_between(s, tu_doc_id(P2019), tu_doc_id(PISTE), &got, &err),
              err);
    assert_int_equal(json_array_size(got), 0);
    json_decref(got);
    /* isChildOf within one package does not count. */
    assert_ok(store_case_associations_between(s, tu_doc_id(P2019), tu_doc_id(P2019), &got, &err),
              err);
    assert_int_equal(json_array_size(got), 0);
    json_decref(got);
}

static void test_linked_documents(void **state)
{
    struct backend *b = *state;
    struct store *s = open_store(b);
    struct cf_error err = {0};
    json_t *got = NULL, *want;

    put_all(s);
    assert_ok(store_case_linked_documents(s, tu_doc_id(P2009), &got, &err), err);
    want = json_pack("[s]", tu_doc_id(P2019));
    tu_assert_json_equal(want, got, "linked to 2009");
    json_decref(want);
    json_decref(got);

    assert_ok(store_case_linked_documents(s, tu_doc_id(P2019), &got, &err), err);
    want = json_pack("[s]", tu_doc_id(P2009));
    tu_assert_json_equal(want, got, "linked to 2019");
    json_decref(want);
    json_decref(got);

    assert_ok(store_case_linked_documents(s, tu_doc_id(PISTE), &got, &err), err);
    assert_int_equal(json_array_size(got), 0);
    json_decref(got);
}

static void test_node_exists(void **state)
{
    struct backend *b = *state;
    struct store *s = open_store(b);
    struct cf_error err = {0};
    int e = -1;

    assert_ok(store_case_node_exists(s, tu_doc_id(P2019), &e, &err), err);
    assert_int_equal(e, 0);
    put_all(s);
    assert_ok(store_case_node_exists(s, tu_doc_id(P2019), &e, &err), err);
    assert_int_equal(e, 1);
    assert_ok(store_case_node_exists(
                  s, tu_str(json_array_get(json_object_get(PISTE, "CFItems"), 4), "identifier"), &e,
                  &err),
              err);
    assert_int_equal(e, 1);
    /* Associations and rubrics are not nodes. */
    assert_ok(store_case_node_exists(
                  s,
                  tu_str(json_array_get(json_object_get(P2019, "CFAssociations"), 0), "identifier"),
                  &e, &err),
              err);
    assert_int_equal(e, 0);
    assert_ok(store_case_node_exists(
                  s, tu_str(json_array_get(json_object_get(P2019, "CFRubrics"), 0), "identifier"),
                  &e, &err),
              err);
    assert_int_equal(e, 0);
    assert_ok(store_case_node_exists(s, "00000000-0000-4000-8000-000000000000", &e, &err), err);
    assert_int_equal(e, 0);
}

static void test_generation_and_delete(void **state)
{
    struct backend *b = *state;
    struct store *s = open_store(b);
    struct cf_error err = {0};
    const char *item = tu_str(json_array_get(json_object_get(PISTE, "CFItems"), 0), "identifier");
    int64_t g0, g1, g2, g3;
    json_t *got = NULL;
    int e = -1;

    g0 = generation(s);
    put_pkg(s, PISTE);
    g1 = generation(s);
    assert_true(g1 > g0);
    put_pkg(s, P2019);
    g2 = generation(s);
    assert_true(g2 > g1);

    assert_ok(store_case_package_delete(s, tu_doc_id(PISTE), &err), err);
    g3 = generation(s);
    assert_true(g3 > g2);
    assert_pkg_absent(s, tu_doc_id(PISTE));
    assert_int_equal(store_case_object_get(s, "item", item, &got, NULL, &err), CF_ENOTFOUND);
    assert_ok(store_case_node_exists(s, item, &e, &err), err);
    assert_int_equal(e, 0);
    assert_int_equal(doc_total(s), 1);
    assert_pkg_stored(s, P2019, "the other package stays");

    /* Deleting what is not there: CF_ENOTFOUND, and nothing changes. */
    assert_int_equal(store_case_package_delete(s, tu_doc_id(PISTE), &err), CF_ENOTFOUND);
    assert_int_equal(generation(s), g3);
}

/* --- transactions -------------------------------------------------------- */

static void test_tx_rollback(void **state)
{
    struct backend *b = *state;
    struct store *s = open_store(b);
    struct cf_error err = {0};
    int64_t g0 = generation(s);

    assert_ok(store_begin(s, &err), err);
    put_pkg(s, P2019);
    assert_pkg_stored(s, P2019, "visible inside the transaction");
    store_rollback(s);
    assert_pkg_absent(s, tu_doc_id(P2019));
    assert_int_equal(doc_total(s), 0);
    assert_int_equal(generation(s), g0);

    /* The connection is usable after a rollback. */
    put_pkg(s, PISTE);
    assert_pkg_stored(s, PISTE, "after rollback");
}

static void test_tx_nested(void **state)
{
    struct backend *b = *state;
    struct store *s = open_store(b);
    struct cf_error err = {0};

    /* Inner commit, outer commit: stored. */
    assert_ok(store_begin(s, &err), err);
    assert_ok(store_begin(s, &err), err);
    put_pkg(s, P2009);
    assert_ok(store_commit(s, &err), err);
    put_pkg(s, PISTE);
    assert_ok(store_commit(s, &err), err);
    assert_pkg_stored(s, P2009, "nested commit");
    assert_pkg_stored(s, PISTE, "nested commit");

    /* Inner commit, outer rollback: nothing of it stays. */
    assert_ok(store_begin(s, &err), err);
    assert_ok(store_begin(s, &err), err);
    put_pkg(s, P2019);
    assert_ok(store_commit(s, &err), err);
    store_rollback(s);
    assert_pkg_absent(s, tu_doc_id(P2019));

    /* Inner rollback: the outer commit fails and nothing stays. */
    assert_ok(store_begin(s, &err), err);
    put_pkg(s, P2019);
    assert_ok(store_begin(s, &err), err);
    store_rollback(s);
    assert_int_not_equal(store_commit(s, &err), CF_OK);
    assert_pkg_absent(s, tu_doc_id(P2019));
    assert_int_equal(doc_total(s), 2);

    /* A commit without a transaction is an error, not a crash. */
    assert_int_not_equal(store_commit(s, &err), CF_OK);
    put_pkg(s, P2019);
    assert_pkg_stored(s, P2019, "after the failed commit");
}

static void test_tx_isolation(void **state)
{
    struct backend *b = *state;
    struct store *s = open_store(b);
    struct cf_error err = {0};

    assert_ok(store_open(b->url, 0, &b->s2, NULL, &err), err);
    assert_ok(store_begin(s, &err), err);
    put_pkg(s, PISTE);
    /* Another connection does not see uncommitted writes. */
    assert_pkg_absent(b->s2, tu_doc_id(PISTE));
    assert_ok(store_commit(s, &err), err);
    assert_pkg_stored(b->s2, PISTE, "seen by another connection after commit");
}

/* --- audit --------------------------------------------------------------- */

static void test_audit(void **state)
{
    struct backend *b = *state;
    struct store *s = open_store(b);
    struct cf_error err = {0};
    json_t *v1 = json_pack("{s:s, s:i}", "title", "One", "n", 1);
    json_t *v2 = json_pack("{s:s, s:[i, i]}", "title", "Two", "list", 1, 2);
    struct audit_entry e[3] = {
        {"2024-01-01T00:00:00Z", "cli", NULL, "framework.import", "CFDocument", "doc-1", NULL, v1,
         "req-1"},
        {"2024-01-02T00:00:00Z", "user:abc", "org-9", "framework.import", "CFDocument", "doc-1", v1,
         v2, NULL},
        {NULL, "system", NULL, "framework.delete", "CFDocument", "doc-1", v2, NULL, "req-3"},
    };
    const char *old = getenv("CTOFRAME_NOW");
    char *saved = old != NULL ? strdup(old) : NULL;
    json_t *list = NULL, *x;

    setenv("CTOFRAME_NOW", "2029-03-01T09:00:00Z", 1);
    for (int i = 0; i < 3; i++)
        assert_ok(store_audit_append(s, &e[i], &err), err);
    if (saved != NULL)
        setenv("CTOFRAME_NOW", saved, 1);
    else
        unsetenv("CTOFRAME_NOW");
    free(saved);

    assert_ok(store_audit_list(s, &(struct audit_filter){.limit = 10}, &list, &err), err);
    assert_int_equal(json_array_size(list), 3);
    for (int i = 0; i < 3; i++) {
        const struct audit_entry *want = &e[2 - i]; /* newest first */

        x = json_array_get(list, (size_t)i);
        assert_string_equal(tu_str(x, "actor"), want->actor);
        assert_string_equal(tu_str(x, "action"), want->action);
        assert_string_equal(tu_str(x, "object_type"), want->object_type);
        assert_string_equal(tu_str(x, "object_id"), want->object_id);
        if (want->org != NULL)
            assert_string_equal(tu_str(x, "org"), want->org);
        else
            assert_true(json_is_null(json_object_get(x, "org")));
        if (want->request_id != NULL)
            assert_string_equal(tu_str(x, "request_id"), want->request_id);
        else
            assert_true(json_is_null(json_object_get(x, "request_id")));
        if (want->before != NULL)
            tu_assert_json_equal(want->before, json_object_get(x, "before"), "before");
        else
            assert_true(json_is_null(json_object_get(x, "before")));
        if (want->after != NULL)
            tu_assert_json_equal(want->after, json_object_get(x, "after"), "after");
        else
            assert_true(json_is_null(json_object_get(x, "after")));
        assert_string_equal(tu_str(x, "at"), want->at != NULL ? want->at : "2029-03-01T09:00:00Z");
        if (i > 0)
            assert_true(
                json_integer_value(json_object_get(x, "id")) <
                json_integer_value(json_object_get(json_array_get(list, (size_t)i - 1), "id")));
    }
    json_decref(list);

    assert_ok(store_audit_list(s, &(struct audit_filter){.limit = 2}, &list, &err), err);
    assert_int_equal(json_array_size(list), 2);
    assert_string_equal(tu_str(json_array_get(list, 0), "action"), "framework.delete");
    assert_string_equal(tu_str(json_array_get(list, 1), "actor"), "user:abc");
    json_decref(list);

    /* Append-only in the database: a DELETE or UPDATE by any other path is refused. */
    {
        int64_t n = -1, id;
        json_t *row = NULL;

        assert_ok(store_audit_list(s, &(struct audit_filter){.limit = 1}, &list, &err), err);
        id = (int64_t)json_integer_value(json_object_get(json_array_get(list, 0), "id"));
        json_decref(list);
        assert_int_not_equal(store__exec(s, "DELETE FROM audit_log", &n, &err, ""), CF_OK);
        assert_non_null(strstr(err.message, "append-only"));
        assert_int_not_equal(
            store__exec(s, "UPDATE audit_log SET actor = 'someone else'", &n, &err, ""), CF_OK);
        assert_non_null(strstr(err.message, "append-only"));
        /* The erasure path alone may rewrite, and leaves the lock in place after. */
        assert_ok(store_audit_rewrite(s, id, v1, NULL, &err), err);
        assert_ok(store__query_one(s, "SELECT COUNT(*) FROM audit_unlock", "n#", &row, &err, ""),
                  err);
        assert_int_equal(json_integer_value(json_object_get(row, "n")), 0);
        json_decref(row);
        assert_int_not_equal(store__exec(s, "UPDATE audit_log SET before = NULL", &n, &err, ""),
                             CF_OK);
        assert_ok(store_audit_list(s, &(struct audit_filter){.limit = 10}, &list, &err), err);
        assert_int_equal(json_array_size(list), 3); /* nothing deleted */
        tu_assert_json_equal(v1, json_object_get(json_array_get(list, 0), "before"), "rewritten");
        json_decref(list);
    }
    json_decref(v1);
    json_decref(v2);
}

/* --- SQLite specifics ---------------------------------------------------- */

static const char SQL_JOURNAL[] = "PRAGMA journal_mode";
static const char SQL_FK[] = "PRAGMA foreign_keys";

static void test_sqlite_pragmas(void **state)
{
    struct backend *b = *state;
    struct store *s = open_store(b);
    struct cf_error err = {0};
    struct db_stmt *st;
    sqlite3 *h = NULL;
    sqlite3_stmt *q = NULL;

    /* On the store's own connection. */
    st = db_prepare(s->db, SQL_JOURNAL, &err);
    assert_non_null(st);
    assert_int_equal(db_step(st, &err), DB_ROW);
    assert_string_equal(db_col_text(st, 0), "wal");
    db_done(st);
    st = db_prepare(s->db, SQL_FK, &err);
    assert_non_null(st);
    assert_int_equal(db_step(st, &err), DB_ROW);
    assert_int_equal(db_col_int64(st, 0), 1);
    db_done(st);

    /* Foreign keys are enforced: an object of a document that does not exist. */
    assert_int_not_equal(db_exec(s->db,
                                 "INSERT INTO case_objects (doc_identifier, kind, identifier,"
                                 " position, body) VALUES ('nope', 'item', 'x', 0, '{}')",
                                 &err),
                         CF_OK);

    /* WAL is a property of the file: a second handle sees it too. */
    assert_int_equal(sqlite3_open_v2(b->url, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA journal_mode", -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(q, 0), "wal");
    sqlite3_finalize(q);
    sqlite3_close(h);
}

static void test_sqlite_fts5(void **state)
{
    struct backend *b = *state;
    char path[256];
    sqlite3 *h = NULL;
    sqlite3_stmt *q = NULL;
    char *msg = NULL;
    int rc;

    snprintf(path, sizeof path, "%s/fts.db", b->dir);
    assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
    rc = sqlite3_exec(h,
                      "CREATE VIRTUAL TABLE x USING fts5(a);"
                      "INSERT INTO x (a) VALUES ('strategic planning for districts'),"
                      " ('network infrastructure');",
                      NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        char copy[256];

        snprintf(copy, sizeof copy, "%s", msg != NULL ? msg : "?");
        sqlite3_free(msg);
        sqlite3_close(h);
        fail_msg("FTS5 is not available: %s", copy);
    }
    assert_int_equal(
        sqlite3_prepare_v2(h, "SELECT a FROM x WHERE x MATCH 'planning'", -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(q, 0),
                        "strategic planning for districts");
    assert_int_equal(sqlite3_step(q), SQLITE_DONE);
    sqlite3_finalize(q);
    sqlite3_close(h);
}

static void test_sqlite_backup(void **state)
{
    struct backend *b = *state;
    struct store *s = open_store(b);
    struct cf_error err = {0};
    struct store *copy = NULL;
    char path[256], partial[300], wal[300];
    sqlite3 *h = NULL;
    sqlite3_stmt *q = NULL;
    int version = -1, want_version = -1;

    put_all(s);
    /* Another connection is open (and has read) while the backup runs. */
    assert_ok(store_open(b->url, 0, &b->s2, NULL, &err), err);
    assert_int_equal(doc_total(b->s2), 4);

    snprintf(path, sizeof path, "%s/backup.db", b->dir);
    snprintf(partial, sizeof partial, "%s.partial", path);
    snprintf(wal, sizeof wal, "%s-wal", path);
    assert_ok(store_backup(s, path, &err), err);
    assert_int_equal(access(path, F_OK), 0);
    assert_int_not_equal(access(partial, F_OK), 0);
    assert_int_not_equal(access(wal, F_OK), 0);

    /* The copy stands alone: not in WAL mode. */
    assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA journal_mode", -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(q, 0), "delete");
    sqlite3_finalize(q);
    sqlite3_close(h);

    /* It opens as a store and holds the same packages. */
    assert_ok(store_open(path, 0, &copy, NULL, &err), err);
    for (int i = 0; i < 4; i++)
        assert_pkg_stored(copy, g_pkg[i], "in the backup");
    assert_int_equal(doc_total(copy), 4);
    assert_ok(store_schema_version(copy, &version, &err), err);
    assert_ok(store_schema_version(s, &want_version, &err), err);
    assert_int_equal(version, want_version);
    store_close(copy);

    /* A backup into a missing directory fails and names it. */
    snprintf(path, sizeof path, "%s/missing/backup.db", b->dir);
    assert_int_not_equal(store_backup(s, path, &err), CF_OK);
    tu_assert_contains(err.message, "missing");
}

static void test_pg_backup_refused(void **state)
{
    struct backend *b = *state;
    struct store *s = open_store(b);
    struct cf_error err = {0};
    char path[] = "/tmp/ctoframe-unit-pg-backup.db";

    assert_int_equal(store_backup(s, path, &err), CF_EINVAL);
    tu_assert_contains(err.message, "pg_dump");
    assert_int_not_equal(access(path, F_OK), 0);
}

static void test_pg_unreachable(void **state)
{
    struct cf_error err = {0};
    struct store *s = (struct store *)1;

    (void)state;
    assert_int_equal(store_open("postgres://postgres@127.0.0.1:1/none?connect_timeout=2",
                                STORE_MIGRATE, &s, NULL, &err),
                     CF_EIO);
    assert_null(s);
    tu_assert_contains(err.message, "PostgreSQL");
}

static void test_sqlite_open_errors(void **state)
{
    struct backend *b = *state;
    struct cf_error err = {0};
    struct store *s = (struct store *)1;
    char path[512], dir[256];
    FILE *f;

    /* A path in a directory that does not exist: CF_EIO naming the directory. */
    snprintf(dir, sizeof dir, "%s/no/such/dir", b->dir);
    snprintf(path, sizeof path, "%s/x.db", dir);
    assert_int_equal(store_open(path, STORE_CREATE | STORE_MIGRATE, &s, NULL, &err), CF_EIO);
    assert_null(s);
    tu_assert_contains(err.message, dir);
    tu_assert_contains(err.message, "does not exist");

    /* A directory. */
    s = (struct store *)1;
    assert_int_not_equal(store_open(b->dir, STORE_CREATE | STORE_MIGRATE, &s, NULL, &err), CF_OK);
    assert_null(s);
    tu_assert_contains(err.message, b->dir);
    tu_assert_contains(err.message, "directory");

    /* A file that is not a database. */
    snprintf(path, sizeof path, "%s/notes.txt", b->dir);
    f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < 200; i++)
        fputs("These are notes, not a database. ", f);
    fclose(f);
    s = (struct store *)1;
    assert_int_equal(store_open(path, STORE_CREATE | STORE_MIGRATE, &s, NULL, &err), CF_EIO);
    assert_null(s);
    tu_assert_contains(err.message, "not a SQLite database");

    /* A missing file without STORE_CREATE. */
    snprintf(path, sizeof path, "%s/absent.db", b->dir);
    s = (struct store *)1;
    assert_int_equal(store_open(path, STORE_MIGRATE, &s, NULL, &err), CF_ENOTFOUND);
    assert_null(s);
    assert_int_not_equal(access(path, F_OK), 0);

    /* No database at all. */
    assert_int_equal(store_open("", STORE_MIGRATE, &s, NULL, &err), CF_EINVAL);
    assert_null(s);
}

/*
 * Migration 012: messages marked failed because their link was used or replaced
 * (cancelled_at set) become obsolete; real failures, pending and sent ones stay
 * as they were, and new ids keep counting after the old ones.
 */
static void test_outbox_obsolete_migrated(void **state)
{
    struct backend *b = *state;
    struct cf_error err = {0};
    struct db *db = NULL;
    json_t *rows = NULL, *m;
    int64_t id = 0;
    json_int_t max_id = 0;
    int version = 0;
    size_t i;

    /* A database as ctoframe left it before 012. */
    assert_ok(db_open(b->url, DB_OPEN_CREATE, &db, &err), err);
    assert_ok(store_schema_version_db(db, &version, &err), err);
    for (int k = 0; k < store_nmigrations && store_migrations[k].version < 12; k++) {
        char *sql = db_dialect(db, store_migrations[k].sql);
        char rec[200];

        assert_non_null(sql);
        assert_ok(db_exec(db, sql, &err), err);
        free(sql);
        snprintf(rec, sizeof rec,
                 "INSERT INTO schema_migrations (version, name, applied_at)"
                 " VALUES (%d, 'old', '" NOW "')",
                 store_migrations[k].version);
        assert_ok(db_exec(db, rec, &err), err);
    }
    assert_ok(db_exec(db,
                      "INSERT INTO people (id, email, name, status, pseudonym, created_at,"
                      " updated_at) VALUES ('p1', 'p@x.test', 'P', 'invited', 'Person 1', '" NOW
                      "', '" NOW "');"
                      "INSERT INTO outbox (kind, to_addr, subject, body, person_id, status,"
                      " next_attempt_at, created_at, last_error, cancelled_at) VALUES"
                      " ('invite', 'p@x.test', 'obsolete', 'B', 'p1', 'failed', '" NOW "', '" NOW
                      "', 'not sent: a newer message replaced it', '" NOW "'),"
                      " ('invite', 'p@x.test', 'failed', 'B', 'p1', 'failed', '" NOW "', '" NOW
                      "', '550 no such user', NULL),"
                      " ('reset', 'p@x.test', 'sent', 'B', 'p1', 'sent', '" NOW "', '" NOW
                      "', NULL, NULL),"
                      " ('invite', 'p@x.test', 'pending', 'B', 'p1', 'pending', '" NOW "', '" NOW
                      "', NULL, NULL)",
                      &err),
              err);
    db_close(db);

    open_store(b);
    assert_ok(store_outbox_list(b->s, NULL, 100, &rows, &err), err);
    assert_int_equal(json_array_size(rows), 4);
    json_array_foreach(rows, i, m)
    {
        /* Each row's subject is the status it must have now. */
        json_int_t mid = json_integer_value(json_object_get(m, "id"));

        assert_string_equal(json_string_value(json_object_get(m, "status")),
                            json_string_value(json_object_get(m, "subject")));
        if (mid > max_id)
            max_id = mid;
    }
    json_decref(rows);

    /* The new status is allowed, and ids go on after the old ones. */
    assert_ok(store_outbox_add(b->s, "invite", "p@x.test", "S", "B", "p1", "p1", NOW, &id, &err),
              err);
    assert_true(id > max_id);
    assert_ok(store_outbox_cancel(b->s, "p1", "invite", "not sent: replaced", NOW, &err), err);
    assert_ok(store_outbox_get(b->s, id, &m, &err), err);
    assert_string_equal(json_string_value(json_object_get(m, "status")), "obsolete");
    assert_string_equal(json_string_value(json_object_get(m, "created_by")), "p1");
    json_decref(m);
    assert_ok(store_outbox_list(b->s, "pending", 100, &rows, &err), err);
    assert_int_equal(json_array_size(rows), 0); /* the old pending one was cancelled too */
    json_decref(rows);
}

/* --- registration -------------------------------------------------------- */

/*
 * Programs (migration 013): each save is the next version, the current one is
 * the highest, old versions stay, a program is listed with its current version.
 */
static void test_programs(void **state)
{
    struct backend *b = *state;
    struct store *s = open_store(b);
    struct cf_error err = {0};
    json_t *v = NULL;
    int version = 0;

    assert_int_equal(store_program_get(s, "CETL", 0, &v, &err), CF_ENOTFOUND);
    assert_null(v);
    assert_ok(store_program_save(s, "CETL", "Old name", "{\"a\": 1}", "system", "first", NOW,
                                 &version, &err),
              err);
    assert_int_equal(version, 1);
    assert_ok(
        store_program_save(s, "CETL", "New name", "{\"a\": 2}", "cli", NULL, NOW, &version, &err),
        err);
    assert_int_equal(version, 2);
    assert_ok(store_program_save(s, "OTHER", "Other", "{}", "cli", "", NOW, &version, &err), err);
    assert_int_equal(version, 1);

    assert_ok(store_program_get(s, "CETL", 0, &v, &err), err);
    assert_int_equal(json_integer_value(json_object_get(v, "version")), 2);
    assert_string_equal(json_string_value(json_object_get(v, "rules")), "{\"a\": 2}");
    assert_string_equal(json_string_value(json_object_get(v, "name")), "New name");
    assert_string_equal(json_string_value(json_object_get(v, "note")), "");
    json_decref(v);
    assert_ok(store_program_get(s, "CETL", 1, &v, &err), err);
    assert_string_equal(json_string_value(json_object_get(v, "rules")), "{\"a\": 1}");
    assert_string_equal(json_string_value(json_object_get(v, "note")), "first");
    assert_string_equal(json_string_value(json_object_get(v, "created_by")), "system");
    json_decref(v);
    assert_int_equal(store_program_get(s, "CETL", 3, &v, &err), CF_ENOTFOUND);

    assert_ok(store_program_versions(s, "CETL", &v, &err), err);
    assert_int_equal(json_array_size(v), 2);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(v, 0), "version")), 2);
    json_decref(v);
    assert_ok(store_program_list(s, &v, &err), err);
    assert_int_equal(json_array_size(v), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(v, 0), "code")), "CETL");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(v, 0), "version")), 2);
    json_decref(v);

    /* A version number taken is a conflict, and the failed save leaves nothing behind. */
    assert_int_equal(store__exec(s,
                                 "INSERT INTO program_versions (program_id, version, rules,"
                                 " created_at, created_by) SELECT id, 1, '{}', ?, 'x' FROM programs"
                                 " WHERE code = 'OTHER'",
                                 NULL, &err, "s", NOW),
                     CF_ECONFLICT);
}

#define COMMON_TESTS(X)                                                                            \
    X(test_open_migrates)                                                                          \
    X(test_newer_schema_refused)                                                                   \
    X(test_roundtrip_ours)                                                                         \
    X(test_roundtrip_opensalt)                                                                     \
    X(test_reput_replaces)                                                                         \
    X(test_put_atomic)                                                                             \
    X(test_object_get_latest_import)                                                               \
    X(test_document_list)                                                                          \
    X(test_object_get)                                                                             \
    X(test_associations_of)                                                                        \
    X(test_associations_between)                                                                   \
    X(test_linked_documents)                                                                       \
    X(test_node_exists)                                                                            \
    X(test_generation_and_delete)                                                                  \
    X(test_tx_rollback)                                                                            \
    X(test_tx_nested)                                                                              \
    X(test_tx_isolation)                                                                           \
    X(test_audit)                                                                                  \
    X(test_outbox_obsolete_migrated)                                                               \
    X(test_programs)

/* Fails the running test when this run's PostgreSQL database could not be created. */
static void pg_ready(void)
{
    if (g_pg_url[0] == '\0')
        fail_msg("the PostgreSQL test database could not be created on CTOFRAME_TEST_PG=%s "
                 "(see the message above)",
                 g_pg_admin);
}

#define PG_WRAPPER(f)                                                                              \
    static void f##_pg(void **state)                                                               \
    {                                                                                              \
        pg_ready();                                                                                \
        f(state);                                                                                  \
    }

COMMON_TESTS(PG_WRAPPER)
PG_WRAPPER(test_pg_backup_refused)
PG_WRAPPER(test_pg_unreachable)

#define SQ(f) {#f " (sqlite)", f, setup, teardown, &g_sqlite},
#define PG(f) {#f " (postgresql)", f##_pg, setup, teardown, &g_pg},

/* Creates this run's database t_<random> on CTOFRAME_TEST_PG; sets g_pg_url. */
static int pg_create_database(void)
{
    unsigned char rnd[6];
    char sql[200];
    int fd;

    fd = open("/dev/urandom", O_RDONLY);
    if (fd < 0 || read(fd, rnd, sizeof rnd) != (ssize_t)sizeof rnd) {
        if (fd >= 0)
            close(fd);
        print_error("cannot read /dev/urandom\n");
        return -1;
    }
    close(fd);
    snprintf(g_pg_db, sizeof g_pg_db, "t_%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2], rnd[3],
             rnd[4], rnd[5]);
    if (pg_url_with_db(g_pg_admin, g_pg_db, g_pg_url, sizeof g_pg_url) != 0) {
        print_error("CTOFRAME_TEST_PG=%s is not a postgres:// URL\n", g_pg_admin);
        g_pg_url[0] = '\0';
        return -1;
    }
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", g_pg_db);
    {
        PGconn *c = PQconnectdb(g_pg_admin);
        PGresult *r;
        int ok;

        if (PQstatus(c) != CONNECTION_OK) {
            print_error("cannot connect to CTOFRAME_TEST_PG=%s: %s", g_pg_admin, PQerrorMessage(c));
            PQfinish(c);
            g_pg_url[0] = '\0';
            return -1;
        }
        r = PQexec(c, sql);
        ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        if (!ok)
            print_error("%s: %s", sql, PQresultErrorMessage(r));
        PQclear(r);
        PQfinish(c);
        if (!ok) {
            g_pg_url[0] = '\0';
            return -1;
        }
    }
    return 0;
}

/* Drops this run's database. */
static int pg_drop_database(void)
{
    char sql[200];
    PGconn *c;
    PGresult *r;
    int ok;

    if (g_pg_url[0] == '\0')
        return 0;
    c = PQconnectdb(g_pg_admin);
    if (PQstatus(c) != CONNECTION_OK) {
        print_error("cannot connect to drop %s: %s", g_pg_db, PQerrorMessage(c));
        PQfinish(c);
        return -1;
    }
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", g_pg_db);
    r = PQexec(c, sql);
    ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        print_error("%s: %s", sql, PQresultErrorMessage(r));
    PQclear(r);
    PQfinish(c);
    return ok ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest sqlite_tests[] = {COMMON_TESTS(SQ) SQ(test_sqlite_pragmas) SQ(
        test_sqlite_fts5) SQ(test_sqlite_backup) SQ(test_sqlite_open_errors)};
    const struct CMUnitTest pg_tests[] = {COMMON_TESTS(PG) PG(test_pg_backup_refused)
                                              PG(test_pg_unreachable)};
    const char *pg = getenv("CTOFRAME_TEST_PG");
    int rc;

    /* In scripts/test's PostgreSQL phase the SQLite groups have run already. */
    rc = tu_pg_only() ? 0 : cmocka_run_group_tests_name("store (sqlite)", sqlite_tests, NULL, NULL);
    if (pg != NULL && pg[0] != '\0') {
        snprintf(g_pg_admin, sizeof g_pg_admin, "%s", pg);
        /* On failure g_pg_url stays empty and every test's setup fails: all are reported. */
        pg_create_database();
        rc += cmocka_run_group_tests_name("store (postgresql)", pg_tests, NULL, NULL);
        if (pg_drop_database() != 0)
            rc++;
    }
    for (int i = 0; i < 4; i++)
        json_decref(g_pkg[i]);
    return rc;
}
