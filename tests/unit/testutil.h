/*
 * testutil.h — small helpers shared by the cmocka unit tests.
 *
 * Everything here is static inline so each test file takes what it uses and
 * nothing else. A helper that cannot do its job fails the running test with
 * fail_msg() (never skips), so a missing fixture is a red test, not a silent
 * green one. Tests run from the project root.
 */
#ifndef CF_TESTUTIL_H
#define CF_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/*
 * 1 when only the PostgreSQL groups of a suite are to run: CTOFRAME_TEST_PG_ONLY is set to
 * a non-empty value other than "0". scripts/test sets it (with CTOFRAME_TEST_PG) in its
 * PostgreSQL phase, where the SQLite groups have already run. A suite that has SQLite and
 * PostgreSQL groups skips its SQLite groups then.
 */
static inline int tu_pg_only(void)
{
    const char *v = getenv("CTOFRAME_TEST_PG_ONLY");

    return v != NULL && v[0] != '\0' && strcmp(v, "0") != 0;
}

/* 1 when path is an existing directory. */
static inline int tu_is_dir(const char *path)
{
    struct stat sb;

    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/*
 * The absolute path of the shared test data folder: $CTOFRAME_SHARED when set
 * (it must then be a directory), else ../shared beside the project root, else
 * /work/shared. Fails the test when none exists. The string is static.
 */
static inline const char *tu_shared_dir(void)
{
    static char dir[PATH_MAX];
    const char *env = getenv("CTOFRAME_SHARED");
    const char *cand = NULL;

    if (dir[0] != '\0')
        return dir;
    if (env != NULL && env[0] != '\0') {
        if (!tu_is_dir(env))
            fail_msg("CTOFRAME_SHARED=%s is not a directory", env);
        cand = env;
    } else if (tu_is_dir("../shared")) {
        cand = "../shared";
    } else if (tu_is_dir("/work/shared")) {
        cand = "/work/shared";
    } else {
        fail_msg("shared test data not found: set CTOFRAME_SHARED, or put it at ../shared or "
                 "/work/shared");
    }
    if (realpath(cand, dir) == NULL) {
        dir[0] = '\0';
        fail_msg("cannot resolve shared test data folder %s: %s", cand, strerror(errno));
    }
    return dir;
}

/* Writes "$SHARED/rel" into out (n bytes); fails the test when it does not fit. */
static inline void tu_shared_path(char *out, size_t n, const char *rel)
{
    int w = snprintf(out, n, "%s/%s", tu_shared_dir(), rel);

    if (w < 0 || (size_t)w >= n)
        fail_msg("path too long: %s/%s", tu_shared_dir(), rel);
}

/*
 * Reads the whole file into a new NUL-terminated buffer (free() it); its
 * length goes to *len when len is not NULL. Fails the test on any error.
 */
static inline char *tu_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *p = NULL;
    size_t n = 0, cap = 0;

    if (f == NULL)
        fail_msg("cannot open %s: %s", path, strerror(errno));
    for (;;) {
        size_t got;

        if (cap - n < 4096) {
            char *q;

            cap = cap == 0 ? 65536 : cap * 2;
            q = realloc(p, cap + 1);
            if (q == NULL) {
                free(p);
                fclose(f);
                fail_msg("out of memory reading %s", path);
            }
            p = q;
        }
        got = fread(p + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        free(p);
        fclose(f);
        fail_msg("cannot read %s", path);
    }
    fclose(f);
    p[n] = '\0';
    if (len != NULL)
        *len = n;
    return p;
}

/* Loads a JSON file (json_decref() it); fails the test when it is not JSON. */
static inline json_t *tu_load_json(const char *path)
{
    json_error_t je;
    json_t *v = json_load_file(path, 0, &je);

    if (v == NULL)
        fail_msg("cannot load %s: line %d: %s", path, je.line, je.text);
    return v;
}

/* Creates a fresh directory under /tmp into buf (n >= 32 bytes); fails the test on error. */
static inline void tu_mkdtemp(char *buf, size_t n)
{
    if (snprintf(buf, n, "/tmp/ctoframe-unit.XXXXXX") >= (int)n)
        fail_msg("tu_mkdtemp: buffer too small");
    if (mkdtemp(buf) == NULL)
        fail_msg("mkdtemp: %s", strerror(errno));
}

static inline int tu_rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Removes path and everything under it (no symlinks are followed). 0 on success. */
static inline int tu_rmrf(const char *path)
{
    if (path == NULL || path[0] == '\0')
        return 0;
    return nftw(path, tu_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Compact JSON text for a failure message (free() it); never NULL. */
static inline char *tu_dump(const json_t *v)
{
    char *s;

    if (v == NULL)
        return strdup("(NULL)");
    s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
    return s != NULL ? s : strdup("(unprintable)");
}

/*
 * Where a reader's problems ([{line, column, message}]) are, as "line:column line:column
 * ..." (a static buffer, valid until the next call; cut short past 511 bytes).
 */
static inline const char *tu_places(const json_t *problems)
{
    static char s[512];
    size_t i, k = 0;
    json_t *pb;

    s[0] = '\0';
    json_array_foreach(problems, i, pb)
    {
        int w = snprintf(s + k, sizeof s - k, "%s%lld:%lld", k > 0 ? " " : "",
                         (long long)json_integer_value(json_object_get(pb, "line")),
                         (long long)json_integer_value(json_object_get(pb, "column")));

        if (w < 0 || (size_t)w >= sizeof s - k)
            break;
        k += (size_t)w;
    }
    return s;
}

/* Asserts json_equal(a, b), printing both (truncated) when they differ. */
static inline void tu_assert_json_equal_at(const json_t *expected, const json_t *actual,
                                           const char *what, const char *file, int line)
{
    char *e, *a;

    if (expected != NULL && actual != NULL && json_equal(expected, actual))
        return;
    e = tu_dump(expected);
    a = tu_dump(actual);
    print_error("%s:%d: JSON differs (%s)\n  expected: %.2000s%s\n  actual:   %.2000s%s\n", file,
                line, what, e, strlen(e) > 2000 ? "..." : "", a, strlen(a) > 2000 ? "..." : "");
    free(e);
    free(a);
    _fail(file, line);
}

#define tu_assert_json_equal(expected, actual, what)                                               \
    tu_assert_json_equal_at((expected), (actual), (what), __FILE__, __LINE__)

/* Asserts that haystack contains needle, printing both when it does not. */
#define tu_assert_contains(haystack, needle)                                                       \
    do {                                                                                           \
        const char *tu_h_ = (haystack);                                                            \
        const char *tu_n_ = (needle);                                                              \
        if (tu_h_ == NULL || strstr(tu_h_, tu_n_) == NULL)                                         \
            fail_msg("expected \"%s\" to contain \"%s\"", tu_h_ != NULL ? tu_h_ : "(NULL)",        \
                     tu_n_);                                                                       \
    } while (0)

/* Small accessors for CASE JSON used across the test files. */
static inline const char *tu_str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static inline const char *tu_doc_id(const json_t *pkg)
{
    return tu_str(json_object_get(pkg, "CFDocument"), "identifier");
}

static inline const char *tu_link_id(const json_t *a, const char *end)
{
    return tu_str(json_object_get(a, end), "identifier");
}

/* The four shipped packages, loaded once per test group (paths from the project root). */
#define TU_F2009  "data/frameworks/cosn-k12cto-2009.json"
#define TU_F2019  "data/frameworks/cosn-k12cto-2019.json"
#define TU_FXWALK "data/frameworks/cosn-crosswalk-2009-2019.json"
#define TU_FISTE  "data/frameworks/iste-education-leaders-2018.json"

struct tu_packages {
    json_t *p2009, *p2019, *xwalk, *iste;
};

static inline void tu_packages_load(struct tu_packages *p)
{
    p->p2009 = tu_load_json(TU_F2009);
    p->p2019 = tu_load_json(TU_F2019);
    p->xwalk = tu_load_json(TU_FXWALK);
    p->iste = tu_load_json(TU_FISTE);
}

static inline void tu_packages_free(struct tu_packages *p)
{
    json_decref(p->p2009);
    json_decref(p->p2019);
    json_decref(p->xwalk);
    json_decref(p->iste);
}

#endif
