/*
 * test_xlsx.c — src/lib/xlsx.c: a table becomes XLSX bytes (a ZIP file), the
 * temporary file it goes through is removed, and a directory it cannot write
 * to is an error, not a crash. The cells are read back by openpyxl in
 * tests/http/reports.test.mjs.
 */
#include "testutil.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/xlsx.h"

#define DIR_TEMPLATE "/tmp/ctoframe-test-xlsx-XXXXXX"

/* How many entries (besides . and ..) the directory holds. */
static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static void test_table_bytes(void **state)
{
    char dir[] = DIR_TEMPLATE;
    json_t *cols = json_pack("[{s:s, s:s}, {s:s, s:s}]", "key", "name", "label", "Name", "key", "n",
                             "label", "Count");
    json_t *rows = json_pack("[{s:s, s:i}, {s:s, s:f}, {s:s}]", "name", "=SUM(A1)", "n", 3, "name",
                             "Zoë", "n", 1.5, "name", "no count");
    struct cf_error err = {0};
    char *out = NULL;
    size_t n = 0;

    (void)state;
    assert_non_null(mkdtemp(dir));
    setenv("TMPDIR", dir, 1);
    assert_int_equal(xlsx_table("report", cols, rows, &out, &n, &err), CF_OK);
    assert_non_null(out);
    assert_true(n > 100);
    assert_memory_equal(out, "PK\x03\x04", 4); /* a ZIP container */
    assert_int_equal(entries(dir), 0);         /* the temporary file is gone */
    free(out);
    rmdir(dir);
    unsetenv("TMPDIR");
    json_decref(cols);
    json_decref(rows);
}

static void test_unwritable_dir(void **state)
{
    json_t *cols = json_pack("[{s:s, s:s}]", "key", "a", "label", "A"), *rows = json_array();
    struct cf_error err = {0};
    char *out = NULL;
    size_t n = 0;

    (void)state;
    setenv("TMPDIR", "/nonexistent/ctoframe-xlsx", 1);
    assert_int_equal(xlsx_table("report", cols, rows, &out, &n, &err), CF_EIO);
    assert_null(out);
    assert_int_equal(n, 0);
    assert_true(strlen(err.message) > 0);
    unsetenv("TMPDIR");
    json_decref(cols);
    json_decref(rows);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_bytes),
        cmocka_unit_test(test_unwritable_dir),
    };

    return cmocka_run_group_tests_name("xlsx", tests, NULL, NULL);
}
