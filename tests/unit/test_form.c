/*
 * test_form.c — src/web/form.c: application/x-www-form-urlencoded decoding.
 * Table tests of what a body decodes to and of what is refused.
 */
#include "testutil.h"

#include "lib/err.h"
#include "web/form.h"

struct fcase {
    const char *name, *in;
    size_t n;           /* 0: strlen(in) */
    int rc;             /* expected result */
    const char *expect; /* the object (JSON) when rc is CF_OK */
};

static const struct fcase cases[] = {
    {"empty", "", 0, CF_OK, "{}"},
    {"two fields", "a=1&b=two", 0, CF_OK, "{\"a\":\"1\",\"b\":\"two\"}"},
    {"plus and escapes", "q=a+b%20c%2Bd%26e%3D", 0, CF_OK, "{\"q\":\"a b c+d&e=\"}"},
    {"a name given twice becomes an array", "r=x&r=y&r=z", 0, CF_OK, "{\"r\":[\"x\",\"y\",\"z\"]}"},
    /* The whole input one name without '=' needs room for two NULs (found by fuzz_form). */
    {"a name without '='", "alone", 0, CF_OK, "{\"alone\":\"\"}"},
    {"empty pieces skipped", "&a=1&&b&", 0, CF_OK, "{\"a\":\"1\",\"b\":\"\"}"},
    {"bad escapes kept as they are", "a=%zz%4&b=100%", 0, CF_OK,
     "{\"a\":\"%zz%4\",\"b\":\"100%\"}"},
    {"escaped name", "na%6De=v", 0, CF_OK, "{\"name\":\"v\"}"},
    {"UTF-8", "n=Zo%C3%AB", 0, CF_OK, "{\"n\":\"Zo\xC3\xAB\"}"},
    {"%00 in a value", "a=x%00y", 0, CF_EINVAL, NULL},
    {"%00 in a name", "%00=1", 0, CF_EINVAL, NULL},
    {"raw NUL byte", "a=x\0y", 5, CF_EINVAL, NULL},
    {"value not UTF-8", "a=%FF", 0, CF_EINVAL, NULL},
    {"name not UTF-8", "%C3=1", 0, CF_EINVAL, NULL},
};

static void test_form_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct fcase *c = &cases[i];
        size_t n = c->n > 0 ? c->n : strlen(c->in);
        /* An exact-size copy, so a sanitizer sees any read or write past the input. */
        char *in = malloc(n > 0 ? n : 1);
        json_t *out = (json_t *)1;
        int rc;

        assert_non_null(in);
        memcpy(in, c->in, n);
        rc = web_form_parse(in, n, &out);
        free(in);
        if (rc != c->rc)
            fail_msg("%s: rc %d, expected %d", c->name, rc, c->rc);
        if (c->rc != CF_OK) {
            assert_null(out);
            continue;
        }
        json_t *exp = json_loads(c->expect, 0, NULL);

        tu_assert_json_equal(exp, out, c->name);
        json_decref(exp);
        json_decref(out);
    }
}

static void test_urldecode(void **state)
{
    char out[32];
    size_t n = 99;

    (void)state;
    assert_int_equal(web_urldecode("a+%41%4", 7, out, &n), CF_OK);
    assert_string_equal(out, "a A%4");
    assert_int_equal(n, 5);
    assert_int_equal(web_urldecode("%00", 3, out, &n), CF_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_form_table),
        cmocka_unit_test(test_urldecode),
    };

    return cmocka_run_group_tests_name("form", tests, NULL, NULL);
}
