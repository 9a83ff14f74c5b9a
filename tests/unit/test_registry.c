/*
 * test_registry.c — src/core/registry: the registry's search text read into
 * words (what reaches FTS5 / tsquery) and the state code.
 */
#include "testutil.h"

#include <string.h>

#include "core/registry.h"

/* Reads q and checks it gives exactly the words listed (NULL-terminated). */
static void words(const char *q, const char *const *want)
{
    struct registry_query r;
    struct cf_error err;
    int n = 0;

    memset(&err, 0, sizeof err);
    if (registry_query_parse(q, &r, &err) != CF_OK)
        fail_msg("refused \"%s\": %s", q, err.message);
    while (want[n] != NULL) {
        if (n >= r.nwords)
            fail_msg("\"%s\": %d words, wanted more", q, r.nwords);
        assert_string_equal(r.words[n], want[n]);
        n++;
    }
    assert_int_equal(r.nwords, n);
}

static void refused(const char *q, const char *says)
{
    struct registry_query r;
    struct cf_error err;

    memset(&err, 0, sizeof err);
    assert_int_equal(registry_query_parse(q, &r, &err), CF_EINVAL);
    assert_string_equal(err.field, "q");
    assert_non_null(strstr(err.message, says));
    assert_int_equal(r.nwords, 0);
}

static void test_words(void **state)
{
    (void)state;
    words(NULL, (const char *const[]){NULL});
    words("", (const char *const[]){NULL});
    words("   ", (const char *const[]){NULL});
    words("Zoë Ångström", (const char *const[]){"Zoë", "Ångström", NULL});
    words("cetl-2026-000123", (const char *const[]){"cetl", "2026", "000123", NULL});
    /* Query syntax is only separators: nothing FTS5 or tsquery would read reaches them. */
    words("\"a\"* OR NEAR(b c) & !d:*",
          (const char *const[]){"a", "OR", "NEAR", "b", "c", "d", NULL});
    words("O’Brien\xc2\xa0Smith", (const char *const[]){"O", "Brien", "Smith", NULL});
    words("a b c d e f g h", (const char *const[]){"a", "b", "c", "d", "e", "f", "g", "h", NULL});
}

static void test_refused(void **state)
{
    char long_q[REGISTRY_Q_MAX + 2], long_word[REGISTRY_WORD_MAX + 1];

    (void)state;
    refused("a b c d e f g h i", "at most 8 words");
    refused("bad \xc3\x28 text", "not readable");
    refused("\xed\xa0\x80", "not readable"); /* a surrogate */
    refused("\xc0\xaf", "not readable");     /* overlong */
    memset(long_q, 'a', sizeof long_q - 1);
    long_q[sizeof long_q - 1] = '\0';
    refused(long_q, "at most 200 characters");
    memset(long_word, 'a', sizeof long_word - 1);
    long_word[sizeof long_word - 1] = '\0';
    refused(long_word, "at most 63 letters");
}

static void test_state(void **state)
{
    char st[3];
    struct cf_error err;

    (void)state;
    assert_int_equal(registry_state_parse(NULL, st, &err), CF_OK);
    assert_string_equal(st, "");
    assert_int_equal(registry_state_parse("oh", st, &err), CF_OK);
    assert_string_equal(st, "OH");
    assert_int_equal(registry_state_parse("Tx", st, &err), CF_OK);
    assert_string_equal(st, "TX");
    {
        static const char *const bad[] = {"Ohio", "O", "O1", "ÖH", "OH ", "1H"};

        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            memset(&err, 0, sizeof err);
            assert_int_equal(registry_state_parse(bad[i], st, &err), CF_EINVAL);
            assert_string_equal(err.field, "state");
            assert_string_equal(st, "");
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_words),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_state),
    };

    return cmocka_run_group_tests_name("registry", tests, NULL, NULL);
}
