/*
 * test_lib.c — src/lib: the capped buffer, the arena, the error vocabulary
 * and the clock.
 */
#include "testutil.h"

#include <stdalign.h>
#include <time.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/err.h"

/* --- buf ----------------------------------------------------------------- */

static void test_buf_empty(void **state)
{
    struct buf b;

    (void)state;
    buf_init(&b, 100);
    assert_null(b.p);
    assert_int_equal(b.n, 0);
    assert_int_equal(b.alloc, 0);
    assert_string_equal(buf_str(&b), "");
    buf_free(&b);
}

static void test_buf_growth(void **state)
{
    struct buf b;
    size_t i;

    (void)state;
    buf_init(&b, 1u << 20);
    for (i = 0; i < 10000; i++)
        assert_int_equal(buf_addc(&b, (char)('a' + (char)(i % 26))), CF_OK);
    assert_int_equal(b.n, 10000);
    assert_true(b.alloc >= b.n + 1);
    assert_int_equal(strlen(buf_str(&b)), 10000);
    for (i = 0; i < 10000; i++)
        if (b.p[i] != (char)('a' + (char)(i % 26)))
            fail_msg("byte %zu is '%c', expected '%c'", i, b.p[i], 'a' + (int)(i % 26));
    assert_int_equal(b.p[b.n], '\0');

    assert_int_equal(buf_adds(&b, "-end"), CF_OK);
    assert_int_equal(b.n, 10004);
    assert_string_equal(buf_str(&b) + 10000, "-end");

    /* Bytes with NULs inside are kept; the length counts them. */
    assert_int_equal(buf_add(&b, "x\0y", 3), CF_OK);
    assert_int_equal(b.n, 10007);
    assert_memory_equal(b.p + 10004, "x\0y", 3);
    buf_free(&b);
}

static void test_buf_reset_keeps_memory(void **state)
{
    struct buf b;
    char *before;

    (void)state;
    buf_init(&b, 1000);
    assert_int_equal(buf_adds(&b, "hello"), CF_OK);
    before = b.p;
    buf_reset(&b);
    assert_int_equal(b.n, 0);
    assert_ptr_equal(b.p, before);
    assert_string_equal(buf_str(&b), "");
    assert_int_equal(buf_adds(&b, "again"), CF_OK);
    assert_string_equal(buf_str(&b), "again");
    buf_free(&b);
    assert_null(b.p);
    assert_int_equal(b.n, 0);
}

static void test_buf_cap(void **state)
{
    struct buf b;

    (void)state;
    buf_init(&b, 16);
    assert_int_equal(buf_adds(&b, "0123456789"), CF_OK);
    assert_int_equal(buf_adds(&b, "abcdef"), CF_OK); /* exactly 16: allowed */
    assert_int_equal(b.n, 16);
    assert_string_equal(buf_str(&b), "0123456789abcdef");

    /* One byte over: CF_ETOOBIG, and the buffer is freed and empty. */
    assert_int_equal(buf_addc(&b, 'x'), CF_ETOOBIG);
    assert_null(b.p);
    assert_int_equal(b.n, 0);
    assert_int_equal(b.alloc, 0);
    assert_string_equal(buf_str(&b), "");

    /* And usable again, with the same cap. */
    assert_int_equal(buf_adds(&b, "abc"), CF_OK);
    assert_string_equal(buf_str(&b), "abc");
    assert_int_equal(buf_add(&b, "0123456789abcdef", 14), CF_ETOOBIG);
    assert_null(b.p);
    assert_int_equal(buf_adds(&b, "0123456789abcdef"), CF_OK);
    assert_int_equal(b.n, 16);

    /* A single append bigger than the cap on an empty buffer. */
    buf_free(&b);
    assert_int_equal(buf_adds(&b, "0123456789abcdefg"), CF_ETOOBIG);
    assert_null(b.p);
    buf_free(&b);
}

static void test_buf_printf(void **state)
{
    struct buf b;
    char *big;

    (void)state;
    buf_init(&b, 1u << 20);
    assert_int_equal(buf_printf(&b, "%d-%s-%c", 42, "x", 'y'), CF_OK);
    assert_string_equal(buf_str(&b), "42-x-y");
    assert_int_equal(b.n, 6);

    /* Longer than the 256-byte stack copy, appended after existing content. */
    big = malloc(5001);
    assert_non_null(big);
    memset(big, 'q', 5000);
    big[5000] = '\0';
    assert_int_equal(buf_printf(&b, "[%s]%d", big, 7), CF_OK);
    assert_int_equal(b.n, 6 + 1 + 5000 + 1 + 1);
    assert_int_equal(strlen(buf_str(&b)), b.n);
    assert_memory_equal(b.p, "42-x-y[", 7);
    assert_memory_equal(b.p + 7, big, 5000);
    assert_string_equal(b.p + 5007, "]7");

    /* Exactly 255 and 256 characters: both sides of the stack-copy size. */
    buf_reset(&b);
    big[255] = '\0';
    assert_int_equal(buf_printf(&b, "%s", big), CF_OK);
    assert_int_equal(b.n, 255);
    big[255] = 'q';
    big[256] = '\0';
    assert_int_equal(buf_printf(&b, "%s", big), CF_OK);
    assert_int_equal(b.n, 511);
    assert_int_equal(strlen(buf_str(&b)), 511);
    free(big);
    buf_free(&b);
}

static void test_buf_printf_cap(void **state)
{
    struct buf b;
    char big[600];

    (void)state;
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';

    /* Short formatted text over the cap. */
    buf_init(&b, 8);
    assert_int_equal(buf_printf(&b, "%s", "123456789"), CF_ETOOBIG);
    assert_null(b.p);
    assert_int_equal(b.n, 0);

    /* Long formatted text (the in-place path) over the cap. */
    buf_init(&b, 500);
    assert_int_equal(buf_adds(&b, "abc"), CF_OK);
    assert_int_equal(buf_printf(&b, "%s", big), CF_ETOOBIG);
    assert_null(b.p);
    assert_int_equal(b.n, 0);
    assert_int_equal(buf_printf(&b, "%s!", "ok"), CF_OK);
    assert_string_equal(buf_str(&b), "ok!");

    /* Long text that fits exactly. */
    buf_free(&b);
    buf_init(&b, 599);
    assert_int_equal(buf_printf(&b, "%s", big), CF_OK);
    assert_int_equal(b.n, 599);
    buf_free(&b);
}

static void test_buf_detach(void **state)
{
    struct buf b;
    size_t n = 99;
    char *p;

    (void)state;
    buf_init(&b, 100);
    assert_null(buf_detach(&b, &n));
    assert_int_equal(n, 0);

    assert_int_equal(buf_adds(&b, "detached"), CF_OK);
    p = buf_detach(&b, &n);
    assert_non_null(p);
    assert_int_equal(n, 8);
    assert_string_equal(p, "detached");
    assert_null(b.p);
    assert_int_equal(b.n, 0);
    assert_int_equal(b.alloc, 0);
    assert_string_equal(buf_str(&b), "");

    /* The buffer is reusable and independent of the detached memory. */
    assert_int_equal(buf_adds(&b, "new"), CF_OK);
    assert_string_equal(buf_str(&b), "new");
    assert_string_equal(p, "detached");
    free(p);
    p = buf_detach(&b, NULL);
    assert_string_equal(p, "new");
    free(p);
    buf_free(&b);
}

/* --- arena --------------------------------------------------------------- */

static int is_aligned(const void *p)
{
    return ((uintptr_t)p % alignof(max_align_t)) == 0;
}

static void test_arena_many(void **state)
{
    enum { N = 20000 };
    struct arena *a = arena_new();
    unsigned char **ptrs;
    size_t i;

    (void)state;
    assert_non_null(a);
    ptrs = calloc(N, sizeof *ptrs);
    assert_non_null(ptrs);
    for (i = 0; i < N; i++) {
        size_t n = 1 + i % 61;

        ptrs[i] = arena_alloc(a, n);
        assert_non_null(ptrs[i]);
        for (size_t k = 0; k < n; k++)
            if (ptrs[i][k] != 0)
                fail_msg("allocation %zu byte %zu is not zeroed", i, k);
        memset(ptrs[i], (int)(i & 0xff), n);
    }
    /* No allocation overlapped another: every pattern is intact. */
    for (i = 0; i < N; i++) {
        size_t n = 1 + i % 61;

        for (size_t k = 0; k < n; k++)
            if (ptrs[i][k] != (unsigned char)(i & 0xff))
                fail_msg("allocation %zu byte %zu was overwritten", i, k);
    }
    free(ptrs);
    arena_free(a);
}

static void test_arena_big(void **state)
{
    struct arena *a = arena_new();
    unsigned char *small1, *big1, *small2, *big2, *small3;
    size_t i;

    (void)state;
    assert_non_null(a);
    small1 = arena_alloc(a, 100);
    assert_non_null(small1);
    memset(small1, 0x11, 100);

    big1 = arena_alloc(a, 20000); /* more than a chunk */
    assert_non_null(big1);
    assert_true(is_aligned(big1));
    for (i = 0; i < 20000; i++)
        if (big1[i] != 0)
            fail_msg("big allocation byte %zu is not zeroed", i);
    memset(big1, 0x22, 20000);

    small2 = arena_alloc(a, 100);
    assert_non_null(small2);
    memset(small2, 0x33, 100);

    big2 = arena_alloc(a, 1u << 20);
    assert_non_null(big2);
    memset(big2, 0x44, 1u << 20);

    small3 = arena_alloc(a, 8192); /* exactly a chunk */
    assert_non_null(small3);
    memset(small3, 0x55, 8192);

    /* Sizes whose rounding would overflow are refused, not wrapped. */
    assert_null(arena_alloc(a, SIZE_MAX));
    assert_null(arena_alloc(a, SIZE_MAX - 8));

    for (i = 0; i < 100; i++) {
        assert_int_equal(small1[i], 0x11);
        assert_int_equal(small2[i], 0x33);
    }
    for (i = 0; i < 20000; i++)
        if (big1[i] != 0x22)
            fail_msg("big allocation byte %zu was overwritten", i);
    for (i = 0; i < (1u << 20); i++)
        if (big2[i] != 0x44)
            fail_msg("1 MB allocation byte %zu was overwritten", i);
    for (i = 0; i < 8192; i++)
        if (small3[i] != 0x55)
            fail_msg("chunk-sized allocation byte %zu was overwritten", i);
    arena_free(a);
}

static void test_arena_alignment(void **state)
{
    static const size_t sizes[] = {0,  1,  2,   3,    7,    8,    9,    15, 16, 17,
                                   31, 33, 100, 1000, 8191, 8193, 9000, 3,  1};
    struct arena *a = arena_new();
    void *prev = NULL;

    (void)state;
    assert_non_null(a);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        void *p = arena_alloc(a, sizes[i]);

        assert_non_null(p);
        if (!is_aligned(p))
            fail_msg("arena_alloc(%zu) returned %p, not aligned to %zu", sizes[i], p,
                     (size_t)alignof(max_align_t));
        assert_ptr_not_equal(p, prev);
        prev = p;
    }
    {
        /* A double and a long double stored through the returned pointers. */
        double *d = arena_alloc(a, sizeof *d);
        long double *ld = arena_alloc(a, sizeof *ld);

        assert_non_null(d);
        assert_non_null(ld);
        *d = 1.5;
        *ld = 2.5L;
        assert_true(*d == 1.5);
        assert_true(*ld == 2.5L);
    }
    arena_free(a);
    arena_free(NULL);
}

static void test_arena_strings(void **state)
{
    struct arena *a = arena_new();
    char *s, *t, *u, *big, *v;
    char long_src[12001];

    (void)state;
    assert_non_null(a);
    s = arena_strdup(a, "hello");
    assert_string_equal(s, "hello");
    t = arena_strndup(a, "hello world", 5);
    assert_string_equal(t, "hello");
    assert_ptr_not_equal(s, t);
    u = arena_strdup(a, "");
    assert_string_equal(u, "");
    v = arena_printf(a, "%s=%d;%.2f", "n", -12, 0.5);
    assert_string_equal(v, "n=-12;0.50");

    memset(long_src, 'L', sizeof long_src - 1);
    long_src[sizeof long_src - 1] = '\0';
    big = arena_printf(a, "<%s>", long_src);
    assert_non_null(big);
    assert_int_equal(strlen(big), 12002);
    assert_int_equal(big[0], '<');
    assert_int_equal(big[12001], '>');
    assert_memory_equal(big + 1, long_src, 12000);
    big = arena_strdup(a, long_src);
    assert_string_equal(big, long_src);

    /* Earlier strings survive later allocations. */
    assert_string_equal(s, "hello");
    assert_string_equal(v, "n=-12;0.50");
    arena_free(a);
}

/* --- err ----------------------------------------------------------------- */

static void test_err_set(void **state)
{
    struct cf_error e;
    char longmsg[1000];

    (void)state;
    memset(&e, 'x', sizeof e);
    assert_int_equal(cf_error_set(&e, CF_ENOTFOUND, "email", "no user %s (%d)", "ann", 7),
                     CF_ENOTFOUND);
    assert_int_equal(e.code, CF_ENOTFOUND);
    assert_string_equal(e.message, "no user ann (7)");
    assert_string_equal(e.field, "email");

    assert_int_equal(cf_error_set(&e, CF_EINVAL, NULL, "plain"), CF_EINVAL);
    assert_int_equal(e.code, CF_EINVAL);
    assert_string_equal(e.field, "");
    assert_string_equal(e.message, "plain");

    /* A NULL error only returns the code. */
    assert_int_equal(cf_error_set(NULL, CF_EIO, "f", "ignored"), CF_EIO);

    /* Over-long message and field are cut, still NUL-terminated. */
    memset(longmsg, 'm', sizeof longmsg - 1);
    longmsg[sizeof longmsg - 1] = '\0';
    cf_error_set(&e, CF_EDB, longmsg, "%s", longmsg);
    assert_int_equal(strlen(e.message), sizeof e.message - 1);
    assert_int_equal(strlen(e.field), sizeof e.field - 1);

    cf_error_clear(&e);
    assert_int_equal(e.code, CF_OK);
    assert_string_equal(e.message, "");
    assert_string_equal(e.field, "");
    cf_error_clear(NULL);
}

/* Further fields at fault: added once each, up to the limit; set and clear forget them. */
static void test_err_also(void **state)
{
    struct cf_error e;

    (void)state;
    cf_error_also(NULL, "x", "ignored");
    cf_error_set(&e, CF_EINVAL, "email", "bad e-mail");
    assert_int_equal(e.nextra, 0);
    cf_error_also(&e, "email", "the first field again"); /* already the first */
    cf_error_also(&e, "", "no field");
    cf_error_also(&e, NULL, "no field");
    assert_int_equal(e.nextra, 0);
    cf_error_also(&e, "name", "no name %d", 1);
    cf_error_also(&e, "name", "no name twice");
    assert_int_equal(e.nextra, 1);
    assert_string_equal(e.extra[0].field, "name");
    assert_string_equal(e.extra[0].message, "no name 1");
    for (int i = 0; i < CF_ERROR_EXTRA + 3; i++) {
        char f[16];

        snprintf(f, sizeof f, "f%d", i);
        cf_error_also(&e, f, "m");
    }
    assert_int_equal(e.nextra, CF_ERROR_EXTRA);
    assert_string_equal(e.field, "email");
    assert_string_equal(e.message, "bad e-mail");
    cf_error_set(&e, CF_EINVAL, "other", "again");
    assert_int_equal(e.nextra, 0);
    cf_error_also(&e, "name", "n");
    cf_error_clear(&e);
    assert_int_equal(e.nextra, 0);
    assert_int_equal(e.code, CF_OK);
}

static void test_err_names(void **state)
{
    static const struct {
        int code;
        const char *name;
    } want[] = {
        {CF_OK, "ok"},
        {CF_EINVAL, "invalid"},
        {CF_ENOTFOUND, "not_found"},
        {CF_ECONFLICT, "conflict"},
        {CF_EFORBIDDEN, "forbidden"},
        {CF_ENOMEM, "internal"},
        {CF_EIO, "internal"},
        {CF_EDB, "internal"},
        {CF_ETOOBIG, "too_large"},
        {CF_EUNAUTH, "unauthorized"},
        {CF_ETOOMANY, "too_many_requests"},
        {CF_EVERSION, "version"},
        {CF_EBUSY, "busy"},
        {CF_EREADONLY, "read_only"},
    };
    const char *unknown = cf_strerror(-9999);

    (void)state;
    assert_non_null(unknown);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const char *text = cf_strerror(want[i].code);

        assert_non_null(text);
        if (strcmp(text, unknown) == 0)
            fail_msg("cf_strerror(%d) has no text of its own (\"%s\")", want[i].code, text);
        if (strcmp(cf_err_name(want[i].code), want[i].name) != 0)
            fail_msg("cf_err_name(%d) = \"%s\", expected \"%s\"", want[i].code,
                     cf_err_name(want[i].code), want[i].name);
        /* Texts are distinct: a person can tell the errors apart. */
        for (size_t j = 0; j < i; j++)
            if (strcmp(text, cf_strerror(want[j].code)) == 0)
                fail_msg("codes %d and %d share the text \"%s\"", want[i].code, want[j].code, text);
    }
    assert_string_equal(cf_strerror(CF_ENOTFOUND), "not found");
    assert_string_equal(cf_err_name(-9999), "internal");
    assert_non_null(cf_strerror(12345));
}

/* --- clock --------------------------------------------------------------- */

static time_t parse_ok(const char *s)
{
    time_t t = (time_t)-12345;

    if (clock_parse_iso(s, &t) != 0)
        fail_msg("clock_parse_iso(\"%s\") failed; it is valid", s);
    return t;
}

static void test_clock_parse_valid(void **state)
{
    time_t base;

    (void)state;
    assert_int_equal(parse_ok("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(parse_ok("2000-01-01T00:00:00Z"), 946684800);
    base = parse_ok("2024-01-31T12:00:00Z");
    assert_int_equal(base, 1706702400);

    /* Lowercase separators, fractions of any length. */
    assert_int_equal(parse_ok("2024-01-31t12:00:00z"), base);
    assert_int_equal(parse_ok("2024-01-31T12:00:00.5Z"), base);
    assert_int_equal(parse_ok("2024-01-31T12:00:00.123456789Z"), base);

    /* Offsets: the instant is the same. */
    assert_int_equal(parse_ok("2024-01-31T12:00:00+00:00"), base);
    assert_int_equal(parse_ok("2024-01-31T12:00:00-00:00"), base);
    assert_int_equal(parse_ok("2024-01-31T14:30:00+02:30"), base);
    assert_int_equal(parse_ok("2024-01-31T07:00:00-05:00"), base);
    assert_int_equal(parse_ok("2024-02-01T01:00:00.250+13:00"), base);
    assert_int_equal(parse_ok("2024-01-30T23:59:00-12:01"), base);

    /* Leap days in leap years, month ends. */
    assert_int_equal(parse_ok("2024-02-29T00:00:00Z"), parse_ok("2024-02-28T00:00:00Z") + 86400);
    assert_int_equal(parse_ok("2000-02-29T00:00:00Z"), parse_ok("2000-03-01T00:00:00Z") - 86400);
    assert_int_equal(parse_ok("2023-12-31T23:59:59Z"), parse_ok("2024-01-01T00:00:00Z") - 1);
}

static void test_clock_parse_invalid(void **state)
{
    static const char *const bad[] = {
        "",
        "2023-02-29T00:00:00Z", /* 2023 is not a leap year */
        "1900-02-29T00:00:00Z", /* nor is 1900 */
        "2024-13-01T00:00:00Z", /* 13th month */
        "2024-00-10T00:00:00Z",
        "2024-04-31T00:00:00Z",
        "2024-01-32T00:00:00Z",
        "2024-01-00T00:00:00Z",
        "2024-01-31T24:00:00Z",
        "2024-01-31T12:60:00Z",
        "2024-01-31T12:00:00",        /* missing zone */
        "2024-01-31T12:00:00.5",      /* missing zone after a fraction */
        "2024-01-31",                 /* a date alone */
        "2024-01-31T12:00:00Zjunk",   /* trailing junk */
        "2024-01-31T12:00:00+02:00x", /* trailing junk after an offset */
        "2024-01-31T12:00:00Z ",      /* trailing space */
        "2024-01-31T12:00:00.Z",      /* fraction without digits */
        "2024-01-31T12:00:00+0200",   /* offset without colon */
        "2024-01-31T12:00:00+24:00",  /* offset hour out of range */
        "2024-01-31T12:00:00+02:60",  /* offset minute out of range */
        "2024-01-31 12:00:00Z",       /* space instead of T */
        "2024/01/31T12:00:00Z",
        "24-01-31T12:00:00Z",
        "2024-1-31T12:00:00Z",
        "2024-01-31T12:00Z",
        "abcd-ef-ghTij:kl:mnZ",
    };

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        time_t t = 0;

        if (clock_parse_iso(bad[i], &t) != -1)
            fail_msg("clock_parse_iso(\"%s\") accepted an invalid instant", bad[i]);
    }
}

static void test_clock_iso_roundtrip(void **state)
{
    static const char *const samples[] = {"1970-01-01T00:00:00Z", "2024-02-29T23:59:59Z",
                                          "2029-03-01T09:00:00Z", "2038-01-19T03:14:08Z"};
    char buf[32];

    (void)state;
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        clock_iso(parse_ok(samples[i]), buf, sizeof buf);
        assert_string_equal(buf, samples[i]);
    }
    clock_iso(parse_ok("2024-01-31T14:30:00.9+02:30"), buf, sizeof buf);
    assert_string_equal(buf, "2024-01-31T12:00:00Z");
}

static void test_clock_now_env(void **state)
{
    const char *old = getenv("CTOFRAME_NOW");
    char *saved = old != NULL ? strdup(old) : NULL;
    char buf[32];
    time_t sys, got;
    double m1, m2;

    (void)state;
    assert_int_equal(setenv("CTOFRAME_NOW", "2029-03-01T09:00:00Z", 1), 0);
    assert_int_equal(clock_now(), parse_ok("2029-03-01T09:00:00Z"));
    clock_now_iso(buf, sizeof buf);
    assert_string_equal(buf, "2029-03-01T09:00:00Z");

    assert_int_equal(setenv("CTOFRAME_NOW", "2029-03-01T10:00:00+01:00", 1), 0);
    assert_int_equal(clock_now(), parse_ok("2029-03-01T09:00:00Z"));

    /* An invalid or empty value falls back to the system clock. */
    assert_int_equal(setenv("CTOFRAME_NOW", "next tuesday", 1), 0);
    sys = time(NULL);
    got = clock_now();
    if (got < sys - 2 || got > sys + 2)
        fail_msg("invalid CTOFRAME_NOW: clock_now() = %lld, system clock %lld", (long long)got,
                 (long long)sys);
    assert_int_equal(setenv("CTOFRAME_NOW", "", 1), 0);
    got = clock_now();
    assert_true(got >= sys - 2 && got <= time(NULL) + 2);

    assert_int_equal(unsetenv("CTOFRAME_NOW"), 0);
    got = clock_now();
    assert_true(got >= sys - 2 && got <= time(NULL) + 2);

    m1 = clock_mono_ms();
    m2 = clock_mono_ms();
    assert_true(m2 >= m1);

    if (saved != NULL) {
        setenv("CTOFRAME_NOW", saved, 1);
        free(saved);
    }
}

/* --- civil dates ---------------------------------------------------------- */

static struct clock_date date_ok(const char *s)
{
    struct clock_date d = {0, 0, 0};

    if (clock_date_parse(s, &d) != 0)
        fail_msg("clock_date_parse(\"%s\") failed; it is a real date", s);
    return d;
}

/* Asserts that d prints as want. */
static void assert_date(struct clock_date d, const char *want)
{
    char buf[CLOCK_DATE_LEN];

    if (clock_date_format(d, buf, sizeof buf) != 0)
        fail_msg("%04d-%02d-%02d does not format; %s was expected", d.y, d.m, d.d, want);
    assert_string_equal(buf, want);
}

static void test_date_parse(void **state)
{
    static const char *const good[] = {"2024-02-29", "2000-02-29", "0001-01-01",
                                       "9999-12-31", "2026-04-30", "2023-02-28"};
    static const char *const bad[] = {
        "2023-02-29", /* 2023 is not divisible by 4 */
        "1900-02-29", /* a century not divisible by 400 */
        "2100-02-29",  "2024-13-01", "2024-00-01", "2024-04-31",           "2024-06-31",
        "2024-01-32",  "2024-01-00", "0000-01-01", /* no year 0 */
        "2024-1-01",   "2024-01-1",  "24-01-01",   "20240-01-01",          " 2024-01-01",
        "2024-01-01 ", "2024/01/01", "+024-01-01", "2024-01-01T00:00:00Z", "",
        "2024-0a-01",  "-024-01-01",
    };
    struct clock_date d = {7, 7, 7};

    (void)state;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_date(date_ok(good[i]), good[i]);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (clock_date_parse(bad[i], &d) != -1)
            fail_msg("clock_date_parse(\"%s\") accepted a date that does not exist", bad[i]);
    assert_int_equal(clock_date_parse(NULL, &d), -1);
    /* A refusal leaves the output untouched. */
    assert_int_equal(d.y, 7);
    assert_int_equal(d.m, 7);
    assert_int_equal(d.d, 7);

    d = date_ok("2026-03-15");
    assert_int_equal(d.y, 2026);
    assert_int_equal(d.m, 3);
    assert_int_equal(d.d, 15);
}

static void test_date_format_refuses(void **state)
{
    char buf[CLOCK_DATE_LEN] = "x";
    char small[CLOCK_DATE_LEN - 1] = "x";
    struct clock_date feb29_2023 = {2023, 2, 29}, zero = {0, 1, 1}, big = {10000, 1, 1};

    (void)state;
    assert_int_equal(clock_date_format(feb29_2023, buf, sizeof buf), -1);
    assert_string_equal(buf, "");
    assert_int_equal(clock_date_format(zero, buf, sizeof buf), -1);
    assert_int_equal(clock_date_format(big, buf, sizeof buf), -1);
    assert_int_equal(clock_date_format(date_ok("2024-01-01"), small, sizeof small), -1);
    assert_string_equal(small, "");
}

static void test_date_leap_rule(void **state)
{
    (void)state;
    assert_true(clock_leap_year(2024));
    assert_true(clock_leap_year(2000)); /* divisible by 400 */
    assert_true(clock_leap_year(2400));
    assert_false(clock_leap_year(2023));
    assert_false(clock_leap_year(1900)); /* divisible by 100, not by 400 */
    assert_false(clock_leap_year(2100));
    assert_int_equal(clock_month_days(2024, 2), 29);
    assert_int_equal(clock_month_days(2023, 2), 28);
    assert_int_equal(clock_month_days(2023, 4), 30);
    assert_int_equal(clock_month_days(2023, 12), 31);
    assert_int_equal(clock_month_days(2023, 13), 0);
    assert_int_equal(clock_month_days(2023, 0), 0);
}

static void test_date_days(void **state)
{
    struct clock_date d, prev;
    long n;

    (void)state;
    assert_int_equal(clock_date_to_days(date_ok("1970-01-01")), 0);
    assert_int_equal(clock_date_to_days(date_ok("1969-12-31")), -1);
    /* 946684800 s (2000-01-01T00:00:00Z, tested above) / 86400 = 10957 days. */
    assert_int_equal(clock_date_to_days(date_ok("2000-01-01")), 10957);
    /* 1706702400 s is 2024-01-31T12:00:00Z: floor(1706702400 / 86400) = 19753. */
    assert_int_equal(clock_date_to_days(date_ok("2024-01-31")), 19753);

    /* Every day from 0001-01-01 to 9999-12-31: one more than the day before, and back. */
    prev = date_ok("0001-01-01");
    n = clock_date_to_days(prev);
    assert_date(clock_date_from_days(n), "0001-01-01");
    for (long i = n + 1; i <= clock_date_to_days(date_ok("9999-12-31")); i++) {
        d = clock_date_from_days(i);
        if (!clock_date_valid(d) || clock_date_cmp(d, prev) <= 0 || clock_date_to_days(d) != i)
            fail_msg("day %ld: %04d-%02d-%02d after %04d-%02d-%02d", i, d.y, d.m, d.d, prev.y,
                     prev.m, prev.d);
        /* The next day is the next in the month, or the 1st of the next month. */
        if (!((d.y == prev.y && d.m == prev.m && d.d == prev.d + 1) ||
              (d.d == 1 && prev.d == clock_month_days(prev.y, prev.m) &&
               ((d.y == prev.y && d.m == prev.m + 1) ||
                (d.y == prev.y + 1 && d.m == 1 && prev.m == 12)))))
            fail_msg("%04d-%02d-%02d does not follow %04d-%02d-%02d", d.y, d.m, d.d, prev.y, prev.m,
                     prev.d);
        prev = d;
    }
    /* 3,652,059 days from 0001-01-01 to 9999-12-31: 9999 years of 365 days plus 2424 leap
       days (9999/4 = 2499, minus 99 centuries, plus 24 of them divisible by 400). */
    assert_int_equal(clock_date_diff(date_ok("0001-01-01"), date_ok("9999-12-31")) + 1,
                     9999L * 365 + 2424);
}

static void test_date_arithmetic(void **state)
{
    (void)state;
    /* Days across a leap day, a non-leap February, a year end, backwards. */
    assert_date(clock_date_add_days(date_ok("2024-02-28"), 1), "2024-02-29");
    assert_date(clock_date_add_days(date_ok("2024-02-28"), 2), "2024-03-01");
    assert_date(clock_date_add_days(date_ok("2023-02-28"), 1), "2023-03-01");
    assert_date(clock_date_add_days(date_ok("2024-12-31"), 1), "2025-01-01");
    assert_date(clock_date_add_days(date_ok("2024-03-01"), -1), "2024-02-29");
    /* 2029-03-15 - 180 days: 15 (Mar) + 28 (Feb) + 31 (Jan) + 31 (Dec) + 30 (Nov) = 135 days
       back to 2028-10-31, 45 more back is 2028-09-16. */
    assert_date(clock_date_add_days(date_ok("2029-03-15"), -180), "2028-09-16");

    /* Years: Feb 29 to a year that is not leap is Feb 28, to a leap year stays Feb 29. */
    assert_date(clock_date_add_years(date_ok("2024-02-29"), 3), "2027-02-28");
    assert_date(clock_date_add_years(date_ok("2024-02-29"), 4), "2028-02-29");
    assert_date(clock_date_add_years(date_ok("2024-02-29"), -1), "2023-02-28");
    assert_date(clock_date_add_years(date_ok("2027-02-28"), 1), "2028-02-28");
    assert_date(clock_date_add_years(date_ok("2026-03-15"), 3), "2029-03-15");
    assert_date(clock_date_add_years(date_ok("2026-12-31"), -3), "2023-12-31");

    /* Differences: 2026-03-15 to 2029-03-15 is 365 + 366 (Feb 29, 2028) + 365 = 1096. */
    assert_int_equal(clock_date_diff(date_ok("2026-03-15"), date_ok("2029-03-15")), 1096);
    assert_int_equal(clock_date_diff(date_ok("2029-03-15"), date_ok("2026-03-15")), -1096);
    assert_int_equal(clock_date_diff(date_ok("2024-02-28"), date_ok("2024-03-01")), 2);
    assert_int_equal(clock_date_diff(date_ok("2023-02-28"), date_ok("2023-03-01")), 1);
    assert_int_equal(clock_date_diff(date_ok("2024-05-05"), date_ok("2024-05-05")), 0);
    assert_true(clock_date_cmp(date_ok("2024-05-05"), date_ok("2024-05-06")) < 0);
    assert_true(clock_date_cmp(date_ok("2024-06-01"), date_ok("2024-05-31")) > 0);
    assert_true(clock_date_cmp(date_ok("2025-01-01"), date_ok("2024-12-31")) > 0);
    assert_int_equal(clock_date_cmp(date_ok("2024-05-05"), date_ok("2024-05-05")), 0);
}

static void test_date_of_instant(void **state)
{
    (void)state;
    assert_date(clock_date_of(0), "1970-01-01");
    assert_date(clock_date_of(86399), "1970-01-01");
    assert_date(clock_date_of(86400), "1970-01-02");
    assert_date(clock_date_of(-1), "1969-12-31");
    assert_date(clock_date_of(-86400), "1969-12-31");
    assert_date(clock_date_of(-86401), "1969-12-30");
    assert_date(clock_date_of(parse_ok("2024-01-31T12:00:00Z")), "2024-01-31");
    assert_date(clock_date_of(parse_ok("2028-02-29T23:59:59Z")), "2028-02-29");
    /* A local time's date is its UTC date: 01:00 at +02:00 is the day before in UTC. */
    assert_date(clock_date_of(parse_ok("2024-03-01T01:00:00+02:00")), "2024-02-29");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_empty),
        cmocka_unit_test(test_buf_growth),
        cmocka_unit_test(test_buf_reset_keeps_memory),
        cmocka_unit_test(test_buf_cap),
        cmocka_unit_test(test_buf_printf),
        cmocka_unit_test(test_buf_printf_cap),
        cmocka_unit_test(test_buf_detach),
        cmocka_unit_test(test_arena_many),
        cmocka_unit_test(test_arena_big),
        cmocka_unit_test(test_arena_alignment),
        cmocka_unit_test(test_arena_strings),
        cmocka_unit_test(test_err_set),
        cmocka_unit_test(test_err_also),
        cmocka_unit_test(test_err_names),
        cmocka_unit_test(test_clock_parse_valid),
        cmocka_unit_test(test_clock_parse_invalid),
        cmocka_unit_test(test_clock_iso_roundtrip),
        cmocka_unit_test(test_clock_now_env),
        cmocka_unit_test(test_date_parse),
        cmocka_unit_test(test_date_format_refuses),
        cmocka_unit_test(test_date_leap_rule),
        cmocka_unit_test(test_date_days),
        cmocka_unit_test(test_date_arithmetic),
        cmocka_unit_test(test_date_of_instant),
    };

    return cmocka_run_group_tests_name("lib", tests, NULL, NULL);
}
