/*
 * test_redirect.c — lib/path.c: which "next" addresses stay on this site.
 *
 * One table: each string with whether a browser, resolving it as a WHATWG
 * URL parser does against a page of this site, stays here. Browsers drop tab,
 * CR and LF anywhere in a URL and read "\" as "/", so "/\t/evil.example/x"
 * means "//evil.example/x": another host. When in doubt the answer is no.
 */
#include "testutil.h"

#include "lib/path.h"

struct redirect_case {
    const char *in;
    int local;
    const char *why;
};

static const struct redirect_case cases[] = {
    /* what the site itself uses */
    {"/", 1, "the home page"},
    {"/dashboard", 1, "a page"},
    {"/admin/people", 1, "a nested page"},
    {"/admin/people/6f1c2a90-0c4e-4f7e-9a4b-2f1f4c1f2b3a", 1, "a page with an id"},
    {"/admin/audit?action=auth.login&since=2026-01-01", 1, "a query string"},
    {"/frameworks#top", 1, "a fragment"},
    {"/a/b/", 1, "a trailing slash"},
    {"/a//b", 1, "an empty segment in the middle stays on the host"},
    {"/search?q=a%20b", 1, "an encoded space"},
    {"/file.v2.json", 1, "dots inside a segment"},
    {"/a?x=../..", 1, "dots in the query"},
    {"/@evil.example", 1, "@ in a path is a path"},
    {"/javascript:alert(1)", 1, "a colon in a path is a path"},
    /* another site */
    {"//evil.example/x", 0, "protocol-relative"},
    {"///evil.example", 0, "three slashes"},
    {"/\\evil.example", 0, "slash backslash"},
    {"\\/evil.example", 0, "backslash slash"},
    {"\\\\evil.example", 0, "two backslashes"},
    {"/\t/evil.example/x", 0, "a tab browsers drop"},
    {"/\n/evil.example", 0, "a newline browsers drop"},
    {"/\r\n/evil.example", 0, "CR LF"},
    {"/%2F/evil.example", 0, "an encoded slash"},
    {"/%2f/evil.example", 0, "an encoded slash, lower case"},
    {"/%5C/evil.example", 0, "an encoded backslash"},
    {"/%5c%5cevil.example", 0, "encoded backslashes"},
    {"/%252F/evil.example", 0, "an encoded percent (decoded twice, a slash)"},
    {"/%09/evil.example", 0, "an encoded tab"},
    {"/%00", 0, "an encoded NUL"},
    {"/a%", 0, "a lone percent"},
    {"/a%2", 0, "a percent with one digit"},
    {"/a%zz", 0, "a percent without hex digits"},
    {"/./evil.example", 0, "a dot segment"},
    {"/.//evil.example", 0, "a dot segment before //"},
    {"/../evil.example", 0, "a dot-dot segment"},
    {"/a/..", 0, "a trailing dot-dot segment"},
    {"/%2e%2e/x", 0, "an encoded dot-dot segment"},
    {"/%2E/", 0, "an encoded dot segment"},
    {"https://evil.example/", 0, "an absolute URL"},
    {"http:/evil.example", 0, "a scheme with one slash"},
    {"javascript:alert(1)", 0, "a script URL"},
    {"data:text/html,x", 0, "a data URL"},
    {"evil.example", 0, "a relative path"},
    {" /dashboard", 0, "a leading space (stripped, then maybe //)"},
    {" //evil.example", 0, "a leading space before //"},
    {"/a b", 0, "a raw space"},
    {"/a\x7f", 0, "DEL"},
    {"/\x01", 0, "a control character"},
    {"/caf\xc3\xa9", 0, "non-ASCII bytes"},
    {"/\xef\xbc\x8f"
     "evil.example",
     0, "a full-width slash"},
    {"", 0, "empty"},
    {NULL, 0, "none"},
};

static void test_redirect_table(void **state)
{
    int bad = 0;

    (void)state;
    assert_true(sizeof cases / sizeof cases[0] >= 25);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int got = path_is_local(cases[i].in);

        if (got != cases[i].local) {
            print_error("case %zu (%s): path_is_local(\"%s\") = %d, want %d\n", i, cases[i].why,
                        cases[i].in != NULL ? cases[i].in : "(null)", got, cases[i].local);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

/* Too long is refused; just short enough is kept. */
static void test_redirect_length(void **state)
{
    char s[PATH_LOCAL_MAX + 2];

    (void)state;
    memset(s, 'a', sizeof s);
    s[0] = '/';
    s[PATH_LOCAL_MAX] = '\0';
    assert_int_equal(path_is_local(s), 1);
    s[PATH_LOCAL_MAX] = 'a';
    s[PATH_LOCAL_MAX + 1] = '\0';
    assert_int_equal(path_is_local(s), 0);
}

/* path_local_or gives the path or the fallback. */
static void test_redirect_fallback(void **state)
{
    (void)state;
    assert_string_equal(path_local_or("/account", "/"), "/account");
    assert_string_equal(path_local_or("/\t/evil.example/x", "/"), "/");
    assert_string_equal(path_local_or(NULL, "/"), "/");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_redirect_table),
        cmocka_unit_test(test_redirect_length),
        cmocka_unit_test(test_redirect_fallback),
    };

    return cmocka_run_group_tests_name("redirect", tests, NULL, NULL);
}
