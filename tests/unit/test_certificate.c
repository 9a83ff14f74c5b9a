/*
 * test_certificate.c — src/core/certificate.c (the certificate PDF) and
 * svc_certificate_sample: every field checked and named, dates in words,
 * text fitted into its box (smaller, then wrapped), and the PDF itself:
 * the same bytes for the same fields, within size bounds, refused input and a
 * full buffer leaving nothing behind. tests/http/certificate.test.mjs reads
 * the PDF back with pdftotext, pdfinfo and zbarimg.
 */
#include "testutil.h"

#include "core/certificate.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "svc/certificate.h"

#define FONT_SERIF "DejaVu Serif, DejaVu Sans, WenQuanYi Micro Hei"
/* A PDF with a few font subsets: well over the fonts' tables, well under a megabyte. */
#define PDF_MIN_BYTES (10L * 1024)
#define PDF_MAX_BYTES (400L * 1024)

static struct cert_fields sample(void)
{
    struct cert_fields f = {
        .name = "Zoë Ångström-Núñez",
        .title = "Certified Education Technology Leader",
        .program = "CETL",
        .number = "CETL-2026-000123",
        .issued_on = "2026-12-02",
        .expires_on = "2029-12-02",
        .issuer = "CoSN (Consortium for School Networking)",
        .verify_url = "https://registry.example.org/verify/CETL-2026-000123",
        .demo = 0,
    };
    return f;
}

/* A string of n copies of the UTF-8 character c (the caller frees it). */
static char *repeat(const char *c, size_t n)
{
    size_t k = strlen(c);
    char *s = malloc(n * k + 1);

    assert_non_null(s);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * k, c, k);
    s[n * k] = '\0';
    return s;
}

/* A message people read: a capital letter first, a period last. */
static void assert_sentence(const char *m)
{
    size_t n = strlen(m);

    assert_true(n > 2);
    if (!(m[0] >= 'A' && m[0] <= 'Z') || m[n - 1] != '.')
        fail_msg("not one sentence in one voice: \"%s\"", m);
}

static void test_date_words(void **state)
{
    static const struct {
        const char *in, *want;
    } ok[] = {
        {"2026-12-02", "2 December 2026"},   {"2024-02-29", "29 February 2024"},
        {"2000-02-29", "29 February 2000"},  {"2026-01-31", "31 January 2026"},
        {"2026-09-30", "30 September 2026"},
    };
    static const char *const bad[] = {"2026-02-29", "2100-02-29", "2026-04-31",
                                      "2026-13-01", "2026-00-10", "2026-1-01",
                                      "26-01-01",   "2026/01/01", "2026-01-01T00:00:00Z",
                                      "",           "0999-01-01", "2026-01-00"};
    char out[CERT_DATE_WORDS];

    (void)state;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        assert_int_equal(cert_date_words(ok[i].in, out, sizeof out), CF_OK);
        assert_string_equal(out, ok[i].want);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (cert_date_words(bad[i], out, sizeof out) != CF_EINVAL)
            fail_msg("\"%s\" taken as a date: \"%s\"", bad[i], out);
        assert_string_equal(out, "");
    }
    /* Too small a buffer is refused, never cut short. */
    assert_int_equal(cert_date_words("2026-09-30", out, 8), CF_EINVAL);
    assert_string_equal(out, "");
}

static void test_check_sample_passes(void **state)
{
    struct cert_fields f = sample();
    struct cf_error err;

    (void)state;
    cf_error_clear(&err);
    assert_int_equal(cert_fields_check(&f, &err), CF_OK);
    f.verify_url = "http://127.0.0.1:8080/verify/CETL-2026-000123";
    f.name = "محمد عبد الله";
    assert_int_equal(cert_fields_check(&f, &err), CF_OK);
}

/* One field changed to a bad value, and the field the refusal names. */
struct bad_case {
    const char *what;
    size_t off; /* offsetof the field in struct cert_fields */
    const char *value;
    const char *field;
};

#define AT(m) offsetof(struct cert_fields, m)

static const struct bad_case bad_cases[] = {
    {"empty name", AT(name), "", "name"},
    {"name of spaces", AT(name), "   ", "name"},
    {"no name", AT(name), NULL, "name"},
    {"name with a line break", AT(name), "Jane\nDoe", "name"},
    {"name with a tab", AT(name), "Jane\tDoe", "name"},
    {"name with a C1 control", AT(name),
     "Jane\xc2\x85"
     "Doe",
     "name"},
    {"name not UTF-8", AT(name), "Jos\xe9", "name"},
    {"empty title", AT(title), "", "title"},
    {"empty program", AT(program), "", "program"},
    {"empty issuer", AT(issuer), "", "issuer"},
    {"empty number", AT(number), "", "number"},
    {"number with a space", AT(number), "CETL 2026", "number"},
    {"number with a slash", AT(number), "CETL/2026", "number"},
    {"number of 41", AT(number), "CETL-2026-0000000000000000000000000000001", "number"},
    {"issue date not a date", AT(issued_on), "2026-02-30", "issued_on"},
    {"issue date with a time", AT(issued_on), "2026-12-02T00:00:00Z", "issued_on"},
    {"expiry date empty", AT(expires_on), "", "expires_on"},
    {"expiry before issue", AT(expires_on), "2025-12-02", "expires_on"},
    {"expiry on the issue date", AT(expires_on), "2026-12-02", "expires_on"},
    {"empty address", AT(verify_url), "", "verify_url"},
    {"ftp address", AT(verify_url), "ftp://registry.example.org/v/1", "verify_url"},
    {"javascript address", AT(verify_url), "javascript:alert(1)", "verify_url"},
    {"relative address", AT(verify_url), "/verify/CETL-2026-000123", "verify_url"},
    {"address without host", AT(verify_url), "https:///verify/1", "verify_url"},
    {"address of the scheme alone", AT(verify_url), "https://", "verify_url"},
    {"address with a space", AT(verify_url), "https://x.org/verify/A B", "verify_url"},
    {"address not ASCII", AT(verify_url), "https://x.org/vérify/1", "verify_url"},
};

static void test_check_names_each_field(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        struct cert_fields f = sample();
        struct cf_error err;

        *(const char **)(void *)((char *)&f + bad_cases[i].off) = bad_cases[i].value;
        cf_error_clear(&err);
        if (cert_fields_check(&f, &err) != CF_EINVAL)
            fail_msg("%s: accepted", bad_cases[i].what);
        if (strcmp(err.field, bad_cases[i].field) != 0)
            fail_msg("%s: names \"%s\", not \"%s\"", bad_cases[i].what, err.field,
                     bad_cases[i].field);
        assert_int_equal(err.nextra, 0);
        assert_sentence(err.message);
    }
}

/* Lengths count characters, not bytes: 120 of anything pass, 121 do not. */
static void test_check_lengths(void **state)
{
    static const char *const chars[] = {"a", "é", "龍", "م"};
    struct cf_error err;

    (void)state;
    for (size_t i = 0; i < sizeof chars / sizeof chars[0]; i++) {
        char *at = repeat(chars[i], CERT_NAME_MAX), *over = repeat(chars[i], CERT_NAME_MAX + 1);
        struct cert_fields f = sample();

        f.name = at;
        f.title = at;
        assert_int_equal(cert_fields_check(&f, &err), CF_OK);
        f.name = over;
        assert_int_equal(cert_fields_check(&f, &err), CF_EINVAL);
        assert_string_equal(err.field, "name");
        assert_non_null(strstr(err.message, "121 characters"));
        assert_non_null(strstr(err.message, "at most 120"));
        free(at);
        free(over);
    }
    {
        char url[CERT_URL_MAX + 2];
        struct cert_fields f = sample();

        memset(url, 'a', sizeof url - 1);
        url[sizeof url - 1] = '\0';
        memcpy(url, "https://x.org/", 14);
        url[CERT_URL_MAX] = '\0';
        f.verify_url = url;
        assert_int_equal(cert_fields_check(&f, &err), CF_OK);
        url[CERT_URL_MAX] = 'a';
        assert_int_equal(cert_fields_check(&f, &err), CF_EINVAL);
        assert_string_equal(err.field, "verify_url");
    }
}

/* Several fields at fault: the first in err, the others in its extra. */
static void test_check_reports_every_field(void **state)
{
    struct cert_fields f = sample();
    struct cf_error err;

    (void)state;
    f.name = "";
    f.number = "no spaces";
    f.expires_on = "2020-01-01";
    f.verify_url = "mailto:x@y.org";
    cf_error_clear(&err);
    assert_int_equal(cert_fields_check(&f, &err), CF_EINVAL);
    assert_string_equal(err.field, "name");
    assert_int_equal(err.nextra, 3);
    assert_string_equal(err.extra[0].field, "number");
    assert_string_equal(err.extra[1].field, "expires_on");
    assert_string_equal(err.extra[2].field, "verify_url");
    for (int i = 0; i < err.nextra; i++)
        assert_sentence(err.extra[i].message);
}

/* A short text stays at the start size on one line. */
static void test_fit_short(void **state)
{
    struct cert_fit fit;

    (void)state;
    assert_int_equal(cert_fit_text("Ann Lee", FONT_SERIF, 1, 40, 20, 10, 648, 78, &fit), CF_OK);
    assert_true(fit.size == 40);
    assert_int_equal(fit.lines, 1);
    assert_true(fit.width > 0 && fit.width <= 648);
    assert_true(fit.height > 0 && fit.height <= 78);
}

/* Longer text: a smaller size, never a larger one, and it always fits. */
static void test_fit_shrinks(void **state)
{
    static const char *const names[] = {
        "Ann Lee",
        "Maria Fernanda Rodríguez",
        "Maria Fernanda Rodríguez de la Cruz Villanueva",
        "Maria Fernanda Rodríguez de la Cruz y Villanueva",
    };
    double last = 1000;

    (void)state;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        struct cert_fit fit;

        assert_int_equal(cert_fit_text(names[i], FONT_SERIF, 1, 40, 20, 10, 648, 78, &fit), CF_OK);
        if (fit.size > last)
            fail_msg("\"%s\" at %.1f pt, larger than a shorter name's %.1f", names[i], fit.size,
                     last);
        assert_int_equal(fit.lines, 1);
        assert_true(fit.width <= 648 && fit.height <= 78);
        last = fit.size;
    }
    assert_true(last < 40 && last >= 20);
}

/* The longest names the checks let through wrap and still fit, at a size no smaller than need be.
 */
static void test_fit_wraps_longest(void **state)
{
    static const char *const chars[] = {"W", "龍", "م", "é"};

    (void)state;
    for (size_t i = 0; i < sizeof chars / sizeof chars[0]; i++) {
        char *s = repeat(chars[i], CERT_NAME_MAX);
        struct cert_fit fit, bigger;

        assert_int_equal(cert_fit_text(s, FONT_SERIF, 1, 40, 20, 10, 648, 78, &fit), CF_OK);
        if (!(fit.width <= 648 && fit.height <= 78))
            fail_msg("%zu x \"%s\" overflows: %.1f x %.1f at %.1f pt", (size_t)CERT_NAME_MAX,
                     chars[i], fit.width, fit.height, fit.size);
        assert_true(fit.lines > 1);
        assert_true(fit.size >= 10 && fit.size <= 20);
        /* Half a point larger would not fit (unless it is already the largest). */
        if (fit.size < 20) {
            assert_int_equal(cert_fit_text(s, FONT_SERIF, 1, fit.size + 0.5, fit.size + 0.5,
                                           fit.size + 0.5, 648, 78, &bigger),
                             CF_OK);
            assert_true(bigger.height > 78 || bigger.width > 648);
        }
        free(s);
    }
}

/* Renders f into a fresh buffer; the caller frees it. */
static int render(const struct cert_fields *f, struct buf *b, size_t max, struct cf_error *err)
{
    buf_init(b, max);
    cf_error_clear(err);
    return cert_pdf_render(f, b, err);
}

static void assert_pdf(const struct buf *b)
{
    assert_true(b->n >= (size_t)PDF_MIN_BYTES && b->n <= (size_t)PDF_MAX_BYTES);
    assert_memory_equal(b->p, "%PDF-1.", 7);
    assert_non_null(strstr(b->p + b->n - 16, "%%EOF"));
}

/* The same fields give the same bytes; other fields give other bytes. */
static void test_render_deterministic(void **state)
{
    struct cert_fields f = sample();
    struct buf a, b, c;
    struct cf_error err;

    (void)state;
    assert_int_equal(render(&f, &a, CERT_PDF_MAX, &err), CF_OK);
    assert_int_equal(render(&f, &b, CERT_PDF_MAX, &err), CF_OK);
    assert_pdf(&a);
    assert_int_equal(a.n, b.n);
    assert_memory_equal(a.p, b.p, a.n);
    /* The creation date is the issue date, not the clock. */
    assert_non_null(memmem(a.p, a.n, "/CreationDate (20261202000000Z)", 31));

    f.demo = 1;
    assert_int_equal(render(&f, &c, CERT_PDF_MAX, &err), CF_OK);
    assert_pdf(&c);
    assert_true(c.n != a.n || memcmp(a.p, c.p, a.n) != 0);
    buf_free(&a);
    buf_free(&b);
    buf_free(&c);
}

/* Every script and the longest values still make a PDF within the bounds. */
static void test_render_long_and_scripts(void **state)
{
    static const char *const names[] = {"山田 太郎", "محمد عبد الله الفارسي",
                                        "Σωκράτης Παπαδόπουλος", "Đặng Thị Ngọc Hân"};
    char *longest = repeat("龍", CERT_NAME_MAX);
    char url[CERT_URL_MAX + 1];
    struct cf_error err;

    (void)state;
    memset(url, 'a', CERT_URL_MAX);
    memcpy(url, "https://x.org/v/", 16);
    url[CERT_URL_MAX] = '\0';
    for (size_t i = 0; i <= sizeof names / sizeof names[0]; i++) {
        struct cert_fields f = sample();
        struct buf b;

        f.name = i < sizeof names / sizeof names[0] ? names[i] : longest;
        if (i == sizeof names / sizeof names[0]) {
            f.title = longest;
            f.issuer = longest;
            f.program = longest;
            f.verify_url = url;
            f.demo = 1;
        }
        if (render(&f, &b, CERT_PDF_MAX, &err) != CF_OK)
            fail_msg("%s: %s", f.name, err.message);
        assert_pdf(&b);
        buf_free(&b);
    }
    free(longest);
}

/* Refused fields and a full buffer: an error with a message, and nothing in the buffer. */
static void test_render_refuses(void **state)
{
    struct cert_fields f = sample();
    struct buf b;
    struct cf_error err;

    (void)state;
    f.verify_url = "ftp://x.org/";
    assert_int_equal(render(&f, &b, CERT_PDF_MAX, &err), CF_EINVAL);
    assert_string_equal(err.field, "verify_url");
    assert_null(b.p);
    assert_int_equal(b.n, 0);

    f = sample();
    assert_int_equal(render(&f, &b, 4096, &err), CF_ETOOBIG);
    assert_null(b.p);
    assert_int_equal(b.n, 0);
    assert_sentence(err.message);
}

static void test_svc_sample(void **state)
{
    struct cert_fields f = sample();
    struct cf_error err;
    char *pdf = NULL;
    size_t n = 0;

    (void)state;
    cf_error_clear(&err);
    assert_int_equal(svc_certificate_sample(&f, &pdf, &n, &err), CF_OK);
    assert_non_null(pdf);
    assert_true(n >= (size_t)PDF_MIN_BYTES);
    assert_memory_equal(pdf, "%PDF-", 5);
    free(pdf);

    f.name = "";
    assert_int_equal(svc_certificate_sample(&f, &pdf, &n, &err), CF_EINVAL);
    assert_null(pdf);
    assert_int_equal(n, 0);
    assert_string_equal(err.field, "name");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_date_words),
        cmocka_unit_test(test_check_sample_passes),
        cmocka_unit_test(test_check_names_each_field),
        cmocka_unit_test(test_check_lengths),
        cmocka_unit_test(test_check_reports_every_field),
        cmocka_unit_test(test_fit_short),
        cmocka_unit_test(test_fit_shrinks),
        cmocka_unit_test(test_fit_wraps_longest),
        cmocka_unit_test(test_render_deterministic),
        cmocka_unit_test(test_render_long_and_scripts),
        cmocka_unit_test(test_render_refuses),
        cmocka_unit_test(test_svc_sample),
    };

    return cmocka_run_group_tests_name("certificate", tests, NULL, NULL);
}
