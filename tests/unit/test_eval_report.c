/*
 * test_eval_report.c — src/core/eval_report.c (the evaluation report PDF):
 * a hand-made view renders to a PDF whose text pdftotext reads back (title,
 * person, skills, numbers, the agreement's words, the core value comments,
 * "Page 1 of n"); null numbers print "Not rated"; hostile text (<>&, very
 * long names, 40 skills) renders on several pages without a crash; a view
 * without results, or with a scale beyond the rubric's bounds, is refused and leaves nothing
 * behind; a small cap is CF_ETOOBIG. tests/http/eval_report.test.mjs fetches the PDF through HTTP.
 */
#include "testutil.h"

#include <unistd.h>

#include <glib.h>

#include "core/eval_report.h"
#include "lib/buf.h"
#include "lib/err.h"

#define TEXT_MAX (1024 * 1024) /* what pdftotext prints of a report, at most */

/* A view as svc_eval_get gives it, with results: two skills, three raters and self. */
static json_t *sample(void)
{
    json_error_t je;
    json_t *v = json_loads(
        "{\"evaluation\": {\"id\": \"e1\", \"title\": \"Annual review 2026\","
        " \"purpose\": \"annual\", \"purpose_label\": \"Annual review\", \"status\": \"closed\","
        " \"status_label\": \"Closed\", \"blind\": true, \"due_on\": \"2026-11-30\","
        " \"levels\": 4, \"subject_name\": \"Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m\","
        " \"framework_doc\": \"CTO Framework 2024\", \"opened_at\": \"2026-11-01T09:00:00Z\","
        " \"closed_at\": \"2026-12-01T17:00:00Z\"},"
        " \"skills\": [{\"item_id\": \"s1\", \"levels\": [{\"level\": 1, \"label\": \"Emerging\"},"
        "  {\"level\": 2, \"label\": \"Developing\"}, {\"level\": 3, \"label\": \"Proficient\"},"
        "  {\"level\": 4, \"label\": \"Exemplary\"}]}],"
        " \"values\": [{\"item_id\": \"v1\", \"name\": \"Integrity\", \"comments\":"
        "  [{\"by\": \"Supervisor\", \"note\": \"Keeps every promise to the board.\"}]},"
        "  {\"item_id\": \"v2\", \"name\": \"Service\", \"comments\": []}],"
        " \"results\": {\"skills\": ["
        "  {\"item_id\": \"s1\", \"code\": \"I.A\", \"name\": \"Strategic planning\","
        "   \"weight\": 3, \"self\": 4, \"others_mean\": 2.67, \"others_sd\": 0.58,"
        "   \"others_min\": 2, \"others_max\": 3, \"others_n\": 3, \"gap\": 1.33},"
        "  {\"item_id\": \"s2\", \"code\": \"II.B\", \"name\": \"Budget stewardship\","
        "   \"weight\": 1, \"self\": null, \"others_mean\": 3.5, \"others_sd\": 0.71,"
        "   \"others_min\": 3, \"others_max\": 4, \"others_n\": 2, \"gap\": null}],"
        "  \"categories\": [{\"code\": \"I\", \"self\": 4, \"others_mean\": 2.67},"
        "   {\"code\": \"II\", \"self\": null, \"others_mean\": 3.5}],"
        "  \"strengths\": [{\"code\": \"II.B\", \"name\": \"Budget stewardship\","
        "   \"others_mean\": 3.5, \"self\": null}],"
        "  \"gaps\": [{\"code\": \"I.A\", \"name\": \"Strategic planning\","
        "   \"others_mean\": 2.67, \"self\": 4}],"
        "  \"overall_others\": 2.88, \"overall_self\": 4, \"has_self\": true,"
        "  \"agreement\": {\"method\": \"Intraclass correlation (Shrout & Fleiss 1979)\","
        "   \"form\": \"ICC(2,1): two-way random effects, absolute agreement, one rater\","
        "   \"value\": 0.41, \"average\": {\"value\": null, \"why\": \"fewer than two raters\"},"
        "   \"skills\": 2, \"dropped\": 0}}}",
        0, &je);

    if (v == NULL)
        fail_msg("the sample view does not parse: %s (line %d)", je.text, je.line);
    return v;
}

/* The text pdftotext reads from pdf, whitespace folded to single spaces (the caller frees it). */
static char *text_of(const struct buf *pdf)
{
    char path[] = "/tmp/test_eval_report_XXXXXX";
    char cmd[sizeof path + 64];
    char *t = calloc(1, TEXT_MAX + 1);
    size_t n = 0, k = 0;
    int fd = mkstemp(path), space = 0;
    FILE *f;

    assert_non_null(t);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, pdf->p, pdf->n), (ssize_t)pdf->n);
    close(fd);
    assert_true(snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 %s -", path) > 0);
    f = popen(cmd, "r");
    assert_non_null(f);
    n = fread(t, 1, TEXT_MAX, f);
    assert_int_equal(pclose(f), 0);
    unlink(path);
    for (size_t i = 0; i < n; i++) {
        char c = t[i];

        if (c == '\n' || c == '\t' || c == '\r' || c == ' ' || c == '\f') {
            space = k > 0;
            continue;
        }
        if (space)
            t[k++] = ' ';
        space = 0;
        t[k++] = c;
    }
    t[k] = '\0';
    return t;
}

/* Fails the test naming what is missing when text does not hold want. */
static void has(const char *text, const char *want)
{
    if (strstr(text, want) == NULL)
        fail_msg("the report's text lacks \"%s\"; it reads:\n%.3000s", want, text);
}

/* Renders v and returns its text; the PDF starts with %PDF and ends with %%EOF. */
static char *render_text(const json_t *v, int *pages)
{
    struct buf b;
    struct cf_error err = {0};
    char *t, *p;

    buf_init(&b, EVAL_REPORT_PDF_MAX);
    assert_int_equal(eval_report_pdf(v, &b, &err), CF_OK);
    assert_true(b.n > 1000);
    assert_memory_equal(b.p, "%PDF-", 5);
    t = text_of(&b);
    buf_free(&b);
    p = strstr(t, "Page 1 of ");
    assert_non_null(p);
    if (pages != NULL)
        *pages = (int)strtol(p + strlen("Page 1 of "), NULL, 10);
    return t;
}

static void test_sample_reads_back(void **state)
{
    json_t *v = sample();
    int pages = 0;
    char *t = render_text(v, &pages);

    (void)state;
    has(t, "Annual review 2026");
    has(t, "Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m");
    has(t, "Annual review");
    has(t, "CTO Framework 2024");
    has(t, "Closed");
    has(t, "1 December 2026");
    has(t, "1 November 2026");
    has(t, "Strategic planning");
    has(t, "Budget stewardship");
    has(t, "2.67");
    has(t, "0.58");
    has(t, "+1.33");
    has(t, "2.88");
    has(t, "75%");
    has(t, "Emerging");
    has(t, "Exemplary");
    has(t, "Intraclass correlation (Shrout & Fleiss 1979)");
    has(t, "ICC(2,1)");
    has(t, "0.41");
    has(t, "not defined (fewer than two raters)");
    has(t, "Keeps every promise to the board.");
    has(t, "Integrity");
    has(t, "No comments on Service.");
    has(t, "Strengths");
    has(t, "Gaps");
    has(t, "Not rated"); /* the second skill's self rating */
    assert_int_equal(pages, 1 + (strstr(t, "Page 2 of") != NULL));
    free(t);
    json_decref(v);
}

/* Every number null: the report still renders, saying "Not rated", and no agreement. */
static void test_nulls_render_not_rated(void **state)
{
    json_t *v = sample(), *res = json_object_get(v, "results"), *s;
    size_t i;
    char *t;

    (void)state;
    json_array_foreach(json_object_get(res, "skills"), i, s)
    {
        const char *keys[] = {"self",       "others_mean", "others_sd",
                              "others_min", "others_max",  "gap"};

        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
            json_object_set_new(s, keys[k], json_null());
        json_object_set_new(s, "others_n", json_integer(0));
    }
    json_object_set_new(res, "overall_others", json_null());
    json_object_set_new(res, "overall_self", json_null());
    json_object_set_new(res, "agreement", json_null());
    json_object_set_new(res, "strengths", json_array());
    json_object_set_new(res, "gaps", json_array());
    json_object_set_new(json_object_get(v, "evaluation"), "subject_name", json_null());
    t = render_text(v, NULL);
    has(t, "Not rated");
    has(t, "Others: Not rated");
    has(t, "Agreement is not computed");
    has(t, "Too few skills were rated");
    free(t);
    json_decref(v);
}

/* <>&, a very long name, 40 skills and long comments: several pages, every one numbered. */
static void test_hostile_and_long(void **state)
{
    json_t *v = sample(), *res = json_object_get(v, "results"), *skills = json_array();
    GString *longname = g_string_new(NULL);
    int pages = 0;
    char *t, want[64];

    (void)state;
    for (int i = 0; i < 300; i++)
        g_string_append(longname, "Zo\xc3\xab-");
    for (int i = 0; i < 40; i++) {
        char code[16], name[64];

        assert_true(snprintf(code, sizeof code, "S.%d", i + 1) > 0);
        assert_true(snprintf(name, sizeof name, "<b>Skill & %d</b>", i + 1) > 0);
        json_array_append_new(
            skills,
            json_pack("{s:s, s:s, s:s, s:i, s:i, s:f, s:f, s:i, s:i, s:i, s:f}", "item_id", code,
                      "code", code, "name", i == 7 ? longname->str : name, "weight", 1 + i % 3,
                      "self", 1 + i % 4, "others_mean", 2.5, "others_sd", 0.5, "others_min", 1,
                      "others_max", 4, "others_n", 3, "gap", (double)(1 + i % 4) - 2.5));
    }
    json_object_set_new(res, "skills", skills);
    json_object_set_new(json_object_get(v, "evaluation"), "title",
                        json_string("<script>alert('x')</script> & review"));
    json_object_set_new(json_object_get(v, "evaluation"), "subject_name",
                        json_string(longname->str));
    json_object_set_new(
        json_array_get(json_object_get(json_array_get(json_object_get(v, "values"), 0), "comments"),
                       0),
        "note", json_string(longname->str));
    json_object_set_new(res, "agreement",
                        json_pack("{s:s, s:s, s:{s:n, s:s}}", "method", "Cohen's weighted kappa",
                                  "form", "quadratic weights", "value", "value", "why",
                                  "every rating alike: no spread to compare"));
    g_string_free(longname, TRUE);

    t = render_text(v, &pages);
    assert_true(pages >= 2);
    assert_true(snprintf(want, sizeof want, "Page %d of %d", pages, pages) > 0);
    has(t, want);
    has(t, "<script>alert('x')</script> & review");
    has(t, "<b>Skill & 40</b>");
    has(t, "Cohen's weighted kappa");
    has(t, "not defined (every rating alike: no spread to compare)");
    free(t);
    json_decref(v);
}

/* No results: CF_EINVAL naming them, in a sentence, and nothing left in the buffer. */
static void test_refuses_without_results(void **state)
{
    json_t *v = sample();
    struct buf b;
    struct cf_error err = {0};
    size_t n;

    (void)state;
    json_object_del(v, "results");
    buf_init(&b, EVAL_REPORT_PDF_MAX);
    assert_int_equal(eval_report_pdf(v, &b, &err), CF_EINVAL);
    assert_int_equal(b.n, 0);
    assert_string_equal(err.field, "results");
    n = strlen(err.message);
    assert_true(n > 2 && err.message[0] >= 'A' && err.message[0] <= 'Z' &&
                err.message[n - 1] == '.');
    json_decref(v);
}

/* A scale outside the rubric's bounds: refused, naming the levels. */
static void test_refuses_bad_scale(void **state)
{
    json_t *v = sample();
    struct buf b;
    struct cf_error err = {0};

    (void)state;
    json_object_set_new(json_object_get(v, "evaluation"), "levels", json_integer(1000));
    buf_init(&b, EVAL_REPORT_PDF_MAX);
    assert_int_equal(eval_report_pdf(v, &b, &err), CF_EINVAL);
    assert_int_equal(b.n, 0);
    assert_string_equal(err.field, "levels");
    json_decref(v);
}

/* A cap too small for the bytes: CF_ETOOBIG, an empty buffer, a sentence saying so. */
static void test_small_cap(void **state)
{
    json_t *v = sample();
    struct buf b;
    struct cf_error err = {0};

    (void)state;
    buf_init(&b, 2048);
    assert_int_equal(eval_report_pdf(v, &b, &err), CF_ETOOBIG);
    assert_int_equal(b.n, 0);
    assert_non_null(strstr(err.message, "larger than"));
    json_decref(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample_reads_back), cmocka_unit_test(test_nulls_render_not_rated),
        cmocka_unit_test(test_hostile_and_long),  cmocka_unit_test(test_refuses_without_results),
        cmocka_unit_test(test_refuses_bad_scale), cmocka_unit_test(test_small_cap),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
