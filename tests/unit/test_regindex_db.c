/*
 * test_regindex_db.c — the registry searched through the in-memory index
 * (svc/registry.c over core/regindex.c) on the demo registry, page by page,
 * gives what a plain scan of every visible row in the database's display order
 * gives, and on PostgreSQL also what its full-text search gives
 * (store_registry_search: a tsquery over cf_fold(doc), which folds the same
 * letters) for searches without digits. SQLite's FTS5 is not a reference: its
 * unicode61 tokenizer keeps letters such as ø and ł that cf_fold folds; nor is
 * PostgreSQL's for digits (docs/registry.md). The index
 * follows every change at once, in the same database and in a new one.
 * Runs on PostgreSQL too when CTOFRAME_TEST_PG names a throwaway cluster (tu_db.h).
 */
#include "tu_db.h"

#include "core/registry.h"

/* The shown fields of a result list's rows, one "number|name|organization|state|status|issued|
 * expires" per row, into out. */
static void numbers(const json_t *rows, char *out, size_t n)
{
    size_t i, o = 0;
    json_t *r;

    out[0] = '\0';
    json_array_foreach(rows, i, r)
    {
        int w = snprintf(out + o, n - o, "%s|%s|%s|%s|%s|%s|%s\n",
                         json_string_value(json_object_get(r, "number")),
                         json_string_value(json_object_get(r, "name")),
                         json_string_value(json_object_get(r, "organization")),
                         json_string_value(json_object_get(r, "state")),
                         json_string_value(json_object_get(r, "status")),
                         json_string_value(json_object_get(r, "issued_on")),
                         json_string_value(json_object_get(r, "expires_on")));

        if (w < 0 || (size_t)w >= n - o)
            fail_msg("numbers: buffer too small");
        o += (size_t)w;
    }
}

/* True when every folded word starts some word of the folded text doc. */
static int scan_match(const char *doc, char (*words)[REGISTRY_WORD_MAX], int nwords)
{
    for (int k = 0; k < nwords; k++) {
        const unsigned char *p = (const unsigned char *)doc;
        size_t n = strlen(doc), i = 0;
        int found = 0;

        while (i < n && !found) {
            size_t start, len = 0;
            unsigned long c;
            char w[4 * REGISTRY_WORD_MAX];

            while (i < n && (len = registry_utf8(p + i, n - i, &c)) > 0 && !registry_word_char(c))
                i += len;
            start = i;
            while (i < n && (len = registry_utf8(p + i, n - i, &c)) > 0 && registry_word_char(c))
                i += len;
            if (i > start && registry_fold(doc + start, i - start, w, sizeof w, NULL) > 0 &&
                strncmp(w, words[k], strlen(words[k])) == 0)
                found = 1;
            if (len == 0)
                i++;
        }
        if (!found)
            return 0;
    }
    return 1;
}

static long agree_with(struct backend *b, const json_t *all, const char *q, const char *st,
                       const char *page);

/*
 * Searches q (state st, page) through the index and by a scan of every visible row (and,
 * on PostgreSQL, by its full-text search), checks they agree, and returns the total.
 */
static long agree(struct backend *b, const char *q, const char *st, const char *page)
{
    json_t *all = NULL;
    struct cf_error err = {0};
    long n;

    assert_ok(store__query(
                  b->s,
                  "SELECT number, name, organization, state, status, issued_on, expires_on, doc"
                  " FROM registry WHERE visible = 1 ORDER BY sortkey, number",
                  "number,name,organization,state,status,issued_on,expires_on,doc", &all, &err, ""),
              err);
    n = agree_with(b, all, q, st, page);
    json_decref(all);
    return n;
}

/* agree() against rows already read (all: the visible rows in display order). */
static long agree_with(struct backend *b, const json_t *all, const char *q, const char *st,
                       const char *page)
{
    struct svc sv = cli_of(b->s);
    struct cf_error err = {0};
    struct registry_query query;
    char folded[REGISTRY_WORDS_MAX][REGISTRY_WORD_MAX];
    json_t *out = NULL, *r;
    long total = 0, pg = page != NULL ? strtol(page, NULL, 10) : 1;
    long first = (pg - 1) * REGISTRY_PAGE_SIZE;
    char a[16384], want[16384];
    json_t *page_rows = json_array();
    size_t i;

    assert_ok(svc_registry_search(&sv, q, st, page, 0, &out, &err), err);
    assert_ok(registry_query_parse(q, &query, &err), err);
    for (int w = 0; w < query.nwords; w++)
        assert_true(registry_fold(query.words[w], strlen(query.words[w]), folded[w],
                                  sizeof folded[w], NULL) > 0);
    want[0] = '\0';
    json_array_foreach(all, i, r)
    {
        if (st[0] != '\0' && strcmp(json_string_value(json_object_get(r, "state")), st) != 0)
            continue;
        if (!scan_match(json_string_value(json_object_get(r, "doc")), folded, query.nwords))
            continue;
        if (total >= first && total < first + REGISTRY_PAGE_SIZE)
            json_array_append(page_rows, r);
        total++;
    }
    if (json_integer_value(json_object_get(out, "total")) != total)
        fail_msg("\"%s\" [%s] page %ld: the index counts %lld, the scan %ld", q, st, pg,
                 (long long)json_integer_value(json_object_get(out, "total")), total);
    numbers(json_object_get(out, "results"), a, sizeof a);
    numbers(page_rows, want, sizeof want);
    json_decref(page_rows);
    if (strcmp(a, want) != 0)
        fail_msg("\"%s\" [%s] page %ld:\n index\n%s\n scan\n%s", q, st, pg, a, want);

    /* PostgreSQL's parser reads "CETL-2026-000123" as cetl, -2026, -000123: its full-text
     * search finds no number, so only searches of letters are compared with it. */
    static int calls;

    /* Every fifth search only: PostgreSQL's full-text count re-folds every row it reads
     * (about 0.2 s a search on 1,000 rows), and the scan above already checks them all. */
    if (b->pg && strpbrk(q, "0123456789") == NULL && calls++ % 5 == 0) {
        const char *words[REGISTRY_WORDS_MAX];
        json_t *rows = NULL;
        long dbtotal = 0;

        for (int w = 0; w < query.nwords; w++)
            words[w] = query.words[w];
        assert_ok(store_registry_search(b->s, "", words, query.nwords, st, REGISTRY_PAGE_SIZE,
                                        first, &rows, &dbtotal, &err),
                  err);
        if (dbtotal != total)
            fail_msg("\"%s\" [%s]: the index counts %ld, full-text %ld", q, st, total, dbtotal);
        numbers(rows, want, sizeof want);
        if (strcmp(a, want) != 0)
            fail_msg("\"%s\" [%s] page %ld:\n index     %s\n full-text %s", q, st, pg, a, want);
        json_decref(rows);
    }
    json_decref(out);
    return total;
}

/* The first k characters (not bytes) of the UTF-8 text t, appended to out. */
static void start_of(char *out, size_t n, const char *t, int k)
{
    size_t o = strlen(out), i = 0;

    while (t[i] != '\0' && k > 0 && o + 4 < n) {
        do
            out[o++] = t[i++];
        while (((unsigned char)t[i] & 0xC0u) == 0x80u);
        k--;
    }
    out[o] = '\0';
}

static void demo_load(struct store *s, long holders)
{
    struct svc sv = cli_of(s);
    struct cf_error err = {0};
    json_t *out = NULL;
    int loaded = 0;

    assert_ok(svc_program_load_dir(&sv, "data/programs", &loaded, &err), err);
    assert_ok(svc_demo_load(&sv, holders, &out, &err), err);
    json_decref(out);
}

static void test_index_agrees_with_database(void **state)
{
    struct backend *b = *state;
    struct cf_error err = {0};
    json_t *names = NULL, *all = NULL, *r;
    size_t i;
    long matched = 0;
    static const char *const fixed[] = {"cetl", "demo",      "a",  "ma",  "school district",
                                        "oh",   "cetl 2026", "zz", "s s", "e"};

    demo_load(b->s, 1000);
    assert_ok(store__query(
                  b->s,
                  "SELECT number, name, organization, state, status, issued_on, expires_on, doc"
                  " FROM registry WHERE visible = 1 ORDER BY sortkey, number",
                  "number,name,organization,state,status,issued_on,expires_on,doc", &all, &err, ""),
              err);
    for (i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        matched += agree_with(b, all, fixed[i], "", NULL);
        agree_with(b, all, fixed[i], "", "3");
        agree_with(b, all, fixed[i], "OH", NULL);
        agree_with(b, all, fixed[i], "CA", "2");
    }
    /* Starts of the names and organizations of real rows, one word and two. */
    assert_ok(store__query(b->s,
                           "SELECT name, organization FROM registry WHERE visible = 1"
                           " ORDER BY number LIMIT 60",
                           "name,organization", &names, &err, ""),
              err);
    json_array_foreach(names, i, r)
    {
        const char *name = json_string_value(json_object_get(r, "name"));
        const char *org = json_string_value(json_object_get(r, "organization"));
        char q[128];

        q[0] = '\0';
        start_of(q, sizeof q, name, (int)(1 + i % 5));
        matched += agree_with(b, all, q, "", NULL);
        snprintf(q, sizeof q, "%s ", strchr(name, ' ') != NULL ? strchr(name, ' ') + 1 : name);
        start_of(q, sizeof q, org, (int)(2 + i % 3));
        matched += agree_with(b, all, q, i % 2 ? "" : "TX", NULL);
    }
    assert_true(matched > 1000); /* the searches found rows, not only empty lists */
    json_decref(names);
    json_decref(all);
}

/* A holder leaving the directory and coming back shows at once; so does a new database. */
static void test_index_follows_changes(void **state)
{
    struct backend *b = *state;
    struct svc sv = cli_of(b->s);
    struct cf_error err = {0};
    json_t *out = NULL;
    const char *number;
    long before;
    int64_t n = 0;

    demo_load(b->s, 300);
    before = agree(b, "demo", "", NULL);
    assert_ok(svc_registry_search(&sv, "demo", "", NULL, 0, &out, &err), err);
    number = json_string_value(
        json_object_get(json_array_get(json_object_get(out, "results"), 0), "number"));
    assert_non_null(number);
    assert_ok(store__exec(b->s, "UPDATE credentials SET listed = 0 WHERE number = ?", &n, &err, "s",
                          number),
              err);
    assert_int_equal(n, 1);
    assert_int_equal(agree(b, "demo", "", NULL), before - 1);
    assert_ok(store__exec(b->s, "UPDATE credentials SET listed = 1 WHERE number = ?", &n, &err, "s",
                          number),
              err);
    assert_int_equal(agree(b, "demo", "", NULL), before);
    json_decref(out);
}

#define COMMON_TESTS(X)                                                                            \
    X(test_index_agrees_with_database)                                                             \
    X(test_index_follows_changes) X(test_index_agrees_with_database)

int main(void)
{
    TU_DB_MAIN("registry index", COMMON_TESTS);
}
