/*
 * test_regindex.c — src/core/regindex: the registry's words in memory, and
 * registry_fold(), the folding it shares with searches.
 *
 * Hand-built rows check each rule (prefixes, every word, one state, the page
 * window, accents and case, a word given twice); then a seeded random registry
 * is searched both through the index and by a plain scan of every row that
 * reads the rule off its definition, and the two must agree on every count
 * and page.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "core/regindex.h"
#include "core/registry.h"

struct row {
    int64_t id;
    const char *state, *text;
};

static struct regindex *build(const struct row *rows, size_t n, int64_t gen)
{
    struct regindex_builder *b = regindex_builder_new();
    struct cf_error err;
    struct regindex *ix;

    memset(&err, 0, sizeof err);
    assert_non_null(b);
    for (size_t i = 0; i < n; i++) {
        char payload[24];
        int np = snprintf(payload, sizeof payload, "row %lld", (long long)rows[i].id);

        if (regindex_builder_add(b, rows[i].id, rows[i].state, rows[i].text, strlen(rows[i].text),
                                 payload, (size_t)np, &err) != CF_OK)
            fail_msg("add %zu: %s", i, err.message);
    }
    ix = regindex_builder_finish(b, gen);
    assert_non_null(ix);
    return ix;
}

/* Searches q (space-separated words, already folded) and checks the total and the ids. */
static void expect(const struct regindex *ix, const char *q, const char *state, long offset,
                   long limit, long total, const int64_t *want, long nwant)
{
    char buf[256], *save = NULL;
    const char *words[8];
    int nwords = 0;
    uint32_t ranks[64];
    long nids = -1, tot = -1;
    struct cf_error err;

    memset(&err, 0, sizeof err);
    snprintf(buf, sizeof buf, "%s", q);
    for (char *w = strtok_r(buf, " ", &save); w != NULL; w = strtok_r(NULL, " ", &save))
        words[nwords++] = w;
    assert_int_equal(
        regindex_search(ix, words, nwords, state, offset, limit, ranks, &nids, &tot, &err), CF_OK);
    if (tot != total)
        fail_msg("\"%s\" [%s]: total %ld, wanted %ld", q, state, tot, total);
    assert_int_equal(nids, nwant);
    for (long i = 0; i < nwant; i++) {
        size_t np = 0;
        const char *p = regindex_payload(ix, ranks[i], &np);

        if (regindex_id(ix, ranks[i]) != want[i])
            fail_msg("\"%s\": id %ld is %lld, wanted %lld", q, i,
                     (long long)regindex_id(ix, ranks[i]), (long long)want[i]);
        char own[24];
        int n = snprintf(own, sizeof own, "row %lld", (long long)want[i]);

        /* The payload is the row's own. */
        assert_int_equal(np, (size_t)n);
        assert_memory_equal(p, own, np);
    }
}

static void test_rules(void **state)
{
    /* Ranks are the order given: the display order the database would sort. */
    static const struct row rows[] = {
        {11, "OH", "CETL-2026-000011 Ada Quill Springfield Schools Ohio OH"},
        {12, "OH", "CETL-2026-000012 Zoë Quillfeather Springfield Schools Ohio OH"},
        {13, "NY", "CETL-2026-000013 ZOE QUINN Albany District New York NY"},
        {14, "", "CETL-2026-000014 Quill Quill Quillon"},
        {15, "NY", "CETL-2026-000015 Łukasz Öz-Brien Albany NY"},
    };
    struct regindex *ix = build(rows, sizeof rows / sizeof rows[0], 7);

    (void)state;
    assert_int_equal(regindex_gen(ix), 7);
    assert_int_equal(regindex_rows(ix), 5);
    assert_true(regindex_bytes(ix) > 0);
    /* A prefix matches every word it starts: quill, quillfeather, quillon. */
    expect(ix, "quill", NULL, 0, 25, 3, (const int64_t[]){11, 12, 14}, 3);
    /* A row that gives a word twice is counted once. */
    expect(ix, "quillo", "", 0, 25, 1, (const int64_t[]){14}, 1);
    /* Every word must match (the same word of the row may serve two). */
    expect(ix, "zoe quill", NULL, 0, 25, 1, (const int64_t[]){12}, 1);
    expect(ix, "qui quill", NULL, 0, 25, 3, (const int64_t[]){11, 12, 14}, 3);
    expect(ix, "zoe quinn", NULL, 0, 25, 1, (const int64_t[]){13}, 1);
    /* Accents and case were folded when the rows were read; Ł and Ö as cf_fold folds them. */
    expect(ix, "zo", NULL, 0, 25, 2, (const int64_t[]){12, 13}, 2);
    expect(ix, "lukasz oz brien", NULL, 0, 25, 1, (const int64_t[]){15}, 1);
    /* One state. */
    expect(ix, "albany", "NY", 0, 25, 2, (const int64_t[]){13, 15}, 2);
    expect(ix, "albany", "OH", 0, 25, 0, NULL, 0);
    expect(ix, "", "OH", 0, 25, 2, (const int64_t[]){11, 12}, 2);
    /* The page window: total counts all, ids only the page. */
    expect(ix, "cetl", NULL, 1, 2, 5, (const int64_t[]){12, 13}, 2);
    expect(ix, "cetl", "NY", 1, 2, 2, (const int64_t[]){15}, 1);
    expect(ix, "cetl", NULL, 5, 2, 5, NULL, 0);
    /* No match at all, and a word past every word of the index. */
    expect(ix, "quillx", NULL, 0, 25, 0, NULL, 0);
    expect(ix, "zzzz", NULL, 0, 25, 0, NULL, 0);
    /* Numbers are words too. */
    expect(ix, "000013", NULL, 0, 25, 1, (const int64_t[]){13}, 1);
    regindex_free(ix);
}

/* A word longer than a search's word can be is found by any start a search can hold. */
static void test_long_word(void **state)
{
    char text[160], q[REGISTRY_WORD_MAX];
    struct row rows[1] = {{1, "OH", text}};
    struct regindex *ix;

    (void)state;
    memset(text, 'a', 150);
    memcpy(text + 150, " Bo", 4);
    ix = build(rows, 1, 1);
    memset(q, 'a', sizeof q - 1);
    q[sizeof q - 1] = '\0';
    expect(ix, q, NULL, 0, 25, 1, (const int64_t[]){1}, 1);
    expect(ix, "aaaa bo", NULL, 0, 25, 1, (const int64_t[]){1}, 1);
    regindex_free(ix);
}

static void test_empty(void **state)
{
    struct regindex *ix = build(NULL, 0, 1);

    (void)state;
    expect(ix, "a", NULL, 0, 25, 0, NULL, 0);
    expect(ix, "", NULL, 0, 25, 0, NULL, 0);
    regindex_free(ix);
}

static void test_fold(void **state)
{
    char out[64];
    int unknown = 0;

    (void)state;
    assert_int_equal(registry_fold("ZoË", strlen("ZoË"), out, sizeof out, &unknown), 3);
    assert_string_equal(out, "zoe");
    assert_int_equal(unknown, 0);
    /* A letter cf_fold does not translate is kept and counted. */
    assert_int_equal(registry_fold("Ωmega", strlen("Ωmega"), out, sizeof out, &unknown), 6);
    assert_string_equal(out, "Ωmega");
    assert_int_equal(unknown, 1);
    /* Too small a buffer, and bytes that are not UTF-8. */
    assert_int_equal(registry_fold("abcdef", 6, out, 4, NULL), 0);
    assert_int_equal(registry_fold("a\xff", 2, out, sizeof out, NULL), 0);
}

/*
 * The C table is the one of cf_fold() in migration 018: every character of its
 * translate() source folds in C to the letter at the same place of its target.
 */
static void test_fold_table_matches_migration(void **state)
{
    char *sql = tu_read_file("src/store/migrations/018_registry.sql", NULL);
    const char *from = strstr(sql, "translate(t, U&'"), *to;
    int n = 0;

    (void)state;
    assert_non_null(from);
    from += strlen("translate(t, U&'");
    to = strstr(from, "'");
    assert_non_null(to);
    to = strchr(to + 1, '\'');
    assert_non_null(to);
    to++;
    for (const char *p = from; *p == '\\'; p += 5, n++) {
        unsigned long cp = strtoul((char[5]){p[1], p[2], p[3], p[4], '\0'}, NULL, 16);
        unsigned char utf8[4];
        char out[8];
        size_t len;

        assert_true(cp >= 0x80 && cp < 0x800);
        utf8[0] = (unsigned char)(0xC0 | (cp >> 6));
        utf8[1] = (unsigned char)(0x80 | (cp & 0x3F));
        len = registry_fold((const char *)utf8, 2, out, sizeof out, NULL);
        if (len != 1 || out[0] != to[n])
            fail_msg("U+%04lX folds to \"%s\", cf_fold gives '%c'", cp, out, to[n]);
    }
    assert_true(n > 200);
    assert_int_equal(to[n], '\'');
    free(sql);
}

/* The rule read off its definition: every word starts some folded word of the text. */
static int naive_match(const char *text, const char *const *words, int nwords)
{
    for (int k = 0; k < nwords; k++) {
        const char *p = text;
        int found = 0;

        while (*p != '\0' && !found) {
            char w[64];
            size_t n = 0;

            while (*p == ' ')
                p++;
            while (*p != '\0' && *p != ' ')
                w[n++] = *p++;
            w[n] = '\0';
            if (n > 0 && strncmp(w, words[k], strlen(words[k])) == 0)
                found = 1;
        }
        if (!found)
            return 0;
    }
    return 1;
}

static void test_random_against_scan(void **state)
{
    enum { N = 3000 };
    static const char *const syll[] = {"qu", "ill", "an", "na", "zo", "e", "ro", "sa", "li", "m"};
    static const char *const states[] = {"OH", "NY", "CA", ""};
    struct regindex_builder *b = regindex_builder_new();
    static char texts[N][96];
    static char st[N][3];
    struct regindex *ix;
    struct cf_error err;
    unsigned seed = 12345;

    (void)state;
    memset(&err, 0, sizeof err);
    for (int i = 0; i < N; i++) {
        size_t o = 0;
        int words = 2 + (int)(rand_r(&seed) % 4);

        for (int w = 0; w < words; w++) {
            int parts = 1 + (int)(rand_r(&seed) % 3);

            if (w > 0)
                texts[i][o++] = ' ';
            for (int s = 0; s < parts; s++) {
                const char *x = syll[rand_r(&seed) % 10];

                memcpy(texts[i] + o, x, strlen(x));
                o += strlen(x);
            }
        }
        texts[i][o] = '\0';
        snprintf(st[i], sizeof st[i], "%s", states[rand_r(&seed) % 4]);
        assert_int_equal(regindex_builder_add(b, 1000 + i, st[i], texts[i], o, NULL, 0, &err),
                         CF_OK);
    }
    ix = regindex_builder_finish(b, 1);
    assert_non_null(ix);

    for (int q = 0; q < 400; q++) {
        char wbuf[3][16];
        const char *words[3];
        int nwords = 1 + (int)(rand_r(&seed) % 3);
        const char *state_q = states[rand_r(&seed) % 4];
        long offset = (long)(rand_r(&seed) % 40), limit = 25, total = 0, nids = 0, want_total = 0,
             want_n = 0;
        uint32_t ranks[25];
        int64_t want[25];

        for (int k = 0; k < nwords; k++) {
            snprintf(wbuf[k], sizeof wbuf[k], "%s%s", syll[rand_r(&seed) % 10],
                     rand_r(&seed) % 2 ? syll[rand_r(&seed) % 10] : "");
            words[k] = wbuf[k];
        }
        for (int i = 0; i < N; i++) {
            if (state_q[0] != '\0' && strcmp(st[i], state_q) != 0)
                continue;
            if (!naive_match(texts[i], words, nwords))
                continue;
            if (want_total >= offset && want_n < limit)
                want[want_n++] = 1000 + i;
            want_total++;
        }
        assert_int_equal(
            regindex_search(ix, words, nwords, state_q, offset, limit, ranks, &nids, &total, &err),
            CF_OK);
        assert_int_equal(total, want_total);
        assert_int_equal(nids, want_n);
        for (long i = 0; i < nids; i++)
            assert_int_equal(regindex_id(ix, ranks[i]), want[i]);
    }
    regindex_free(ix);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_long_word),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_fold),
        cmocka_unit_test(test_fold_table_matches_migration),
        cmocka_unit_test(test_random_against_scan),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
