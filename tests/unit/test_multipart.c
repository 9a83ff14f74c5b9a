/*
 * test_multipart.c — src/web/multipart.c: multipart/form-data decoding (CE
 * evidence). The boundary from a Content-Type, a form with fields and a file,
 * and what is refused.
 */
#include "testutil.h"

#include "lib/err.h"
#include "web/multipart.h"

#define B "--xyz\r\n"

static void test_boundary(void **state)
{
    char b[MP_BOUNDARY_MAX];

    (void)state;
    assert_int_equal(web_multipart_boundary("multipart/form-data; boundary=abc", b, sizeof b), 0);
    assert_string_equal(b, "abc");
    assert_int_equal(
        web_multipart_boundary("multipart/form-data; boundary=\"a b\"; x=1", b, sizeof b), 0);
    assert_string_equal(b, "a b");
    assert_int_equal(web_multipart_boundary("multipart/form-data", b, sizeof b), -1);
    assert_int_equal(web_multipart_boundary("multipart/form-data; boundary=", b, sizeof b), -1);
}

static void test_fields_and_file(void **state)
{
    static const char body[] =
        B "Content-Disposition: form-data; name=\"title\"\r\n\r\nA course\r\n" B
          "Content-Disposition: form-data; name=\"skills\"\r\n\r\nI.A\r\n" B
          "Content-Disposition: form-data; name=\"skills\"\r\n\r\nII.B\r\n" B
          "Content-Disposition: form-data; name=\"evidence\"; filename=\"C:\\\\x\\\\c.pdf\"\r\n"
          "Content-Type: application/pdf\r\n\r\n%PDF-1\r\n--xy\r\n" B
          "Content-Disposition: form-data; name=\"empty\"; filename=\"\"\r\n\r\n\r\n"
          "--xyz--\r\n";
    struct mp_file files[MP_FILES_MAX];
    json_t *o = NULL, *exp;
    int n = -1;

    (void)state;
    assert_int_equal(web_multipart_parse(body, sizeof body - 1, "xyz", &o, files, &n), CF_OK);
    exp = json_loads("{\"title\":\"A course\",\"skills\":[\"I.A\",\"II.B\"]}", 0, NULL);
    tu_assert_json_equal(exp, o, "fields");
    json_decref(exp);
    json_decref(o);
    assert_int_equal(n, 1); /* the empty file input is no file */
    assert_string_equal(files[0].field, "evidence");
    assert_string_equal(files[0].filename, "c.pdf");
    assert_string_equal(files[0].type, "application/pdf");
    assert_int_equal(files[0].n, 12); /* a near-delimiter inside the file is data */
    assert_memory_equal(files[0].data, "%PDF-1\r\n--xy", 12);
}

static void test_refused(void **state)
{
    static const char *const bad[] = {
        "",
        "--abc\r\n\r\nno headers\r\n--abc--",
        B "Content-Disposition: form-data; name=\"a\"\r\n\r\nno end",
        B "Content-Disposition: form-data\r\n\r\nno name\r\n--xyz--",
        B "Content-Disposition: form-data; name=\"a\"\r\n\r\n\xff\r\n--xyz--",
        "--xyz",
    };
    struct mp_file files[MP_FILES_MAX];
    json_t *o = (json_t *)1;
    int n = 5;

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        o = (json_t *)1;
        if (web_multipart_parse(bad[i], strlen(bad[i]), "xyz", &o, files, &n) != CF_EINVAL)
            fail_msg("case %zu was not refused", i);
        assert_null(o);
        assert_int_equal(n, 0);
    }
    /* A NUL byte inside a text part. */
    {
        static const char nul[] = B "Content-Disposition: form-data; name=\"a\"\r\n\r\nx\0y\r\n"
                                    "--xyz--";

        assert_int_equal(web_multipart_parse(nul, sizeof nul - 1, "xyz", &o, files, &n), CF_EINVAL);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_boundary),
        cmocka_unit_test(test_fields_and_file),
        cmocka_unit_test(test_refused),
    };

    return cmocka_run_group_tests_name("multipart", tests, NULL, NULL);
}
