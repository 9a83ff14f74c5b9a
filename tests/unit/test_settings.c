/*
 * test_settings.c — svc/settings.c: which public base URLs are accepted, and
 * what they become.
 */
#include "testutil.h"

#include "svc/svc.h"

static void ok(const char *url, const char *want)
{
    char out[SVC_URL_MAX];
    struct cf_error err;

    cf_error_clear(&err);
    if (svc_public_url_check(url, "--public-url", out, sizeof out, &err) != CF_OK)
        fail_msg("refused %s: %s", url, err.message);
    assert_string_equal(out, want);
}

static void refused(const char *url)
{
    char out[SVC_URL_MAX];
    struct cf_error err;

    cf_error_clear(&err);
    if (svc_public_url_check(url, "--public-url", out, sizeof out, &err) != CF_EINVAL)
        fail_msg("accepted %s", url);
    assert_string_equal(err.field, "--public-url");
    assert_non_null(strstr(err.message, "--public-url"));
}

static void test_accepted(void **state)
{
    (void)state;
    ok("https://ctoframe.example.org", "https://ctoframe.example.org");
    ok("https://ctoframe.example.org/", "https://ctoframe.example.org"); /* one / dropped */
    ok("http://127.0.0.1:8080", "http://127.0.0.1:8080");
    ok("http://[::1]:8080", "http://[::1]:8080");
    ok("http://[2001:db8::5]", "http://[2001:db8::5]");
    ok("https://cto-1.example.org:65535", "https://cto-1.example.org:65535");
    ok("http://localhost", "http://localhost");
}

static void test_refused(void **state)
{
    static const char *const bad[] = {
        "",
        "ctoframe.example.org",
        "ftp://ctoframe.example.org",
        "HTTPS://ctoframe.example.org",
        "https://",
        "https:///",
        "https://ctoframe.example.org//",
        "https://ctoframe.example.org/app",
        "https://ctoframe.example.org?x=1",
        "https://ctoframe.example.org#top",
        "https://user@ctoframe.example.org",
        "https://ctoframe.example.org:",
        "https://ctoframe.example.org:0",
        "https://ctoframe.example.org:65536",
        "https://ctoframe.example.org:80a",
        "https://ctoframe.example.org:123456",
        "https://cto frame.example.org",
        "https://ctoframe.example.org\"><script>",
        "https://.example.org",
        "https://-x.example.org",
        "https://[::1",
        "https://[zz::1]",
        "https://evil.example\\@good.example",
    };

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        refused(bad[i]);
}

static void test_too_long(void **state)
{
    char url[SVC_URL_MAX + 20], out[SVC_URL_MAX];
    struct cf_error err;

    (void)state;
    memset(url, 'a', sizeof url);
    memcpy(url, "https://", 8);
    url[sizeof url - 1] = '\0';
    cf_error_clear(&err);
    assert_int_equal(svc_public_url_check(url, "--public-url", out, sizeof out, &err), CF_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepted),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_too_long),
    };

    return cmocka_run_group_tests_name("settings", tests, NULL, NULL);
}
