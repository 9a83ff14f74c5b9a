/*
 * test_password.c — src/core/password (the rules a new password meets, the
 * list of common passwords) and svc__password_ok (the list read from
 * data/common-passwords.txt, one sentence per reason). Tests run from the
 * project root.
 */
#include "testutil.h"

#include "core/password.h"
#include "lib/err.h"
#include "svc/svc.h"
#include "svc/svc_impl.h"

/* One case: a password for a person, and the verdict on it. */
struct pw_case {
    const char *pw, *email, *name;
    enum pw_verdict want;
};

static const char *verdict_name(enum pw_verdict v)
{
    static const char *const names[] = {"OK",       "SHORT",    "LONG",   "NOT_TEXT", "CONTROL",
                                        "REPEATED", "SEQUENCE", "COMMON", "PERSONAL", "PRODUCT"};

    return (size_t)v < sizeof names / sizeof names[0] ? names[v] : "?";
}

static const char *const JANE = "jane.smith@district.org";
static const char *const JANE_NAME = "Jane Smith-Okafor";

static const struct pw_case cases[] = {
    /* Length counts characters (code points), not bytes; spaces and any printable count. */
    {"", NULL, NULL, PW_SHORT},
    {"abc12xyz9", NULL, NULL, PW_SHORT},
    {"tulip river quilt", NULL, NULL, PW_OK},
    {"éàüöñçøåæœ", NULL, NULL, PW_OK},   /* 10 characters, 20 bytes */
    {"éàüöñçøåæ", NULL, NULL, PW_SHORT}, /* 9 characters, 18 bytes: short */
    {"雪の日に散歩する猫たち", NULL, NULL, PW_OK},
    {"   spaces   inside  ", NULL, NULL, PW_OK},
    {"!@#$%^&*()_+{}:<>?~", NULL, NULL, PW_OK},
    {"tab\there is bad", NULL, NULL, PW_CONTROL},
    {"line\nbreak in it", NULL, NULL, PW_CONTROL},
    {"\xc3\x28 not utf-8 text", NULL, NULL, PW_NOT_TEXT},
    {"\xc0\xafoverlong slash", NULL, NULL, PW_NOT_TEXT},
    /* One character repeated, runs of consecutive characters. */
    {"aaaaaaaaaa", NULL, NULL, PW_REPEATED},
    {"AAAAAAAAAAAAAAAAAAAAAAAA", NULL, NULL, PW_REPEATED},
    {"          ", NULL, NULL, PW_REPEATED},
    {"ééééééééééé", NULL, NULL, PW_REPEATED},
    {"0123456789", NULL, NULL, PW_SEQUENCE},
    {"5678901234", NULL, NULL, PW_SEQUENCE},
    {"9876543210", NULL, NULL, PW_SEQUENCE},
    {"abcdefghijklm", NULL, NULL, PW_SEQUENCE},
    {"ZYXWVUTSRQ", NULL, NULL, PW_SEQUENCE},
    /* The list, case-insensitively, and listed words with digits or symbols around them. */
    {"password123", NULL, NULL, PW_COMMON},
    {"PassWord123", NULL, NULL, PW_COMMON},
    {"qwertyuiop", NULL, NULL, PW_COMMON},
    {"1qaz2wsx3edc", NULL, NULL, PW_COMMON},
    {"iloveyou2024", NULL, NULL, PW_COMMON},
    {"football!!!!", NULL, NULL, PW_COMMON},
    {"2024 Monkey!!", NULL, NULL, PW_COMMON},
    {"abcabcabcabc", NULL, NULL, PW_COMMON},
    {"letmein12345", NULL, NULL, PW_COMMON},
    {"monkey business plan", NULL, NULL, PW_OK}, /* a listed word inside a phrase is fine */
    /* Built from the person's name or e-mail address, or the product's names. */
    {"jane.smith@district.org", JANE, JANE_NAME, PW_PERSONAL},
    {"JANE.SMITH2024", JANE, JANE_NAME, PW_PERSONAL},
    {"janesmith!!", JANE, JANE_NAME, PW_PERSONAL},
    {"Okafor 1987!", JANE, JANE_NAME, PW_PERSONAL},
    {"smith-okafor-99", JANE, JANE_NAME, PW_PERSONAL},
    {"jane password 1", JANE, JANE_NAME, PW_PERSONAL},
    {"jane walks to the lake", JANE, JANE_NAME, PW_OK}, /* enough of its own */
    {"ctoframe2026!", NULL, NULL, PW_PRODUCT},
    {"CoSN-CETL-2026", NULL, NULL, PW_PRODUCT},
    {"cetl exam 2026", NULL, NULL, PW_PRODUCT},
    {"cetl exam ready", NULL, NULL, PW_OK},
    {"cosn conference in spring", NULL, NULL, PW_OK},
    {"Al swims 1234567", "al@x.org", "Al Bo", PW_OK},    /* name parts under 3 characters */
    {"Al Bo 1234567", "al@x.org", "Al Bo", PW_PERSONAL}, /* but the whole name counts */
};

/* The list shipped in data/, read as the server reads it. */
static struct pw_list *shipped_list(void)
{
    FILE *f = fopen("data/common-passwords.txt", "rb");
    static char text[4u << 20];
    struct pw_list *l = NULL;
    size_t n;

    if (f == NULL)
        fail_msg("data/common-passwords.txt: %s", strerror(errno));
    n = fread(text, 1, sizeof text, f);
    fclose(f);
    if (n == 0 || n == sizeof text)
        fail_msg("data/common-passwords.txt is empty or over %zu bytes", sizeof text);
    if (pw_list_parse(text, n, &l) != CF_OK)
        fail_msg("out of memory");
    return l;
}

/* Every case gets its verdict, for its reason. */
static void test_table(void **state)
{
    struct pw_list *l = shipped_list();
    int failed = 0;

    (void)state;
    assert_true(pw_list_size(l) > 5000);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        enum pw_verdict got = pw_check(cases[i].pw, cases[i].email, cases[i].name, l);

        if (got != cases[i].want) {
            print_error("case %zu \"%s\": want %s, got %s\n", i, cases[i].pw,
                        verdict_name(cases[i].want), verdict_name(got));
            failed++;
        }
    }
    pw_list_free(l);
    assert_int_equal(failed, 0);
}

/* The list format: comments, blank lines, CRLF and case. */
static void test_list_parse(void **state)
{
    static const char text[] = "# comment\nPassword123\r\nmonkey\n\nqwertyuiop  \n";
    struct pw_list *l = NULL;

    (void)state;
    assert_int_equal(pw_list_parse(text, sizeof text - 1, &l), CF_OK);
    assert_int_equal(pw_list_size(l), 3);
    assert_true(pw_list_has(l, "PASSWORD123"));
    assert_true(pw_list_has(l, "qwertyuiop"));
    assert_false(pw_list_has(l, "# comment"));
    assert_false(pw_list_has(l, "monkey1"));
    assert_int_equal(pw_check("monkey!!2024", NULL, NULL, l), PW_COMMON);
    assert_int_equal(pw_check("monkey!!2024", NULL, NULL, NULL), PW_OK);
    pw_list_free(l);
}

/*
 * svc__password_ok: the list read from the file once, a refusal names the
 * field and says why in one sentence (a capital letter, a full stop).
 */
static void test_svc_sentences(void **state)
{
    struct cf_error err;
    size_t n = 0;

    (void)state;
    svc_password_list_use("data/common-passwords.txt");
    cf_error_clear(&err);
    if (svc_password_list_ready(&n, &err) != CF_OK)
        fail_msg("%s", err.message);
    assert_true(n > 5000);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct cf_error e;
        int rc;
        size_t len;

        cf_error_clear(&e);
        rc = svc__password_ok(cases[i].pw, cases[i].email, cases[i].name, "pw", &e);
        if (cases[i].want == PW_OK) {
            assert_int_equal(rc, CF_OK);
            continue;
        }
        assert_int_equal(rc, CF_EINVAL);
        assert_string_equal(e.field, "pw");
        len = strlen(e.message);
        assert_true(len > 10 && e.message[0] >= 'A' && e.message[0] <= 'Z');
        assert_true(e.message[len - 1] == '.');
    }
    cf_error_clear(&err);
    assert_int_equal(svc__password_ok("password123", NULL, NULL, "password", &err), CF_EINVAL);
    assert_non_null(strstr(err.message, "stolen from other sites"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_list_parse),
        cmocka_unit_test(test_svc_sentences),
    };

    return cmocka_run_group_tests_name("password", tests, NULL, NULL);
}
