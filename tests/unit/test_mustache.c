/*
 * test_mustache.c — the Mustache engine: one test per case of the official spec
 * (every .json file of testdata/mustache-spec), then our own cases: syntax errors with
 * line numbers, escaping, limits, lookups of unknown templates and loading a folder.
 *
 * The spec data is found through CTOFRAME_SHARED, else ../shared, else /work/shared;
 * when it is nowhere, a test fails saying so.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "lib/mustache.h"

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SPEC_MAIN "<spec template>"
#define OUT_MAX   (1u << 20)

/* One spec case: its test name and its JSON object (owned by the loaded file). */
struct spec_case {
    char name[256];
    const json_t *test;
};

/* Everything the spec run loaded, freed after the run. */
struct spec_run {
    json_t **files;
    size_t nfiles;
    struct spec_case *cases;
    size_t ncases;
    char problem[1024]; /* why the spec could not be loaded, or "" */
};

static struct spec_run run;

/* ---- helpers ------------------------------------------------------------------------- */

/* s with newlines, tabs and other control bytes made visible, for failure reports. */
static const char *show(struct buf *b, const char *s, size_t n)
{
    size_t i;

    buf_reset(b);
    buf_addc(b, '"');
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '\n')
            buf_adds(b, "\\n");
        else if (c == '\r')
            buf_adds(b, "\\r");
        else if (c == '\t')
            buf_adds(b, "\\t");
        else if (c == '"' || c == '\\')
            buf_printf(b, "\\%c", c);
        else if (c < 0x20)
            buf_printf(b, "\\x%02x", c);
        else
            buf_addc(b, (char)c);
    }
    buf_addc(b, '"');
    return buf_str(b);
}

/* Compiles every name/template pair (NULL-terminated list) into a new set. */
static struct mustache_set *set_of(const char *const *pairs)
{
    struct mustache_set *s = mustache_set_new();
    struct cf_error err;
    size_t i;

    assert_non_null(s);
    for (i = 0; pairs[i] != NULL; i += 2) {
        int rc = mustache_set_add(s, pairs[i], pairs[i + 1], strlen(pairs[i + 1]), &err);

        if (rc != CF_OK)
            print_error("compiling %s: %s\n", pairs[i], err.message);
        assert_int_equal(rc, CF_OK);
    }
    return s;
}

/* Renders name from s against the JSON text data and checks the output is want. */
static void expect_render(const struct mustache_set *s, const char *name, const char *data,
                          const char *want)
{
    json_t *d = json_loads(data, JSON_DECODE_ANY, NULL);
    struct cf_error err;
    struct buf out;
    struct buf a;
    struct buf b;
    int rc;
    int same;

    assert_non_null(d);
    buf_init(&out, OUT_MAX);
    buf_init(&a, OUT_MAX);
    buf_init(&b, OUT_MAX);
    rc = mustache_render(s, name, d, &out, &err);
    if (rc != CF_OK)
        print_error("render %s: %s\n", name, err.message);
    same = rc == CF_OK && strcmp(buf_str(&out), want) == 0;
    if (!same)
        print_error("template %s\n  expected: %s\n  actual:   %s\n", name,
                    show(&a, want, strlen(want)), show(&b, buf_str(&out), out.n));
    buf_free(&out);
    buf_free(&a);
    buf_free(&b);
    json_decref(d);
    assert_true(same);
}

/* Compiles one template and renders it: for the short cases. */
static void expect_one(const char *src, const char *data, const char *want)
{
    const char *pairs[] = {"t", src, NULL};
    struct mustache_set *s = set_of(pairs);

    expect_render(s, "t", data, want);
    mustache_set_free(s);
}

/* ---- the spec ------------------------------------------------------------------------ */

static void test_spec_case(void **state)
{
    const struct spec_case *c = *state;
    const json_t *partials = json_object_get(c->test, "partials");
    const json_t *tmpl = json_object_get(c->test, "template");
    const json_t *want = json_object_get(c->test, "expected");
    struct mustache_set *s = mustache_set_new();
    struct cf_error err;
    const char *key;
    json_t *value;
    struct buf out;
    struct buf a;
    struct buf b;
    int rc = CF_OK;
    int same;

    assert_non_null(s);
    assert_true(json_is_string(tmpl) && json_is_string(want));
    buf_init(&out, OUT_MAX);
    buf_init(&a, OUT_MAX);
    buf_init(&b, OUT_MAX);
    err.message[0] = '\0';

    json_object_foreach((json_t *)partials, key, value)
    {
        rc = mustache_set_add(s, key, json_string_value(value), json_string_length(value), &err);
        if (rc != CF_OK)
            break;
    }
    if (rc == CF_OK)
        rc =
            mustache_set_add(s, SPEC_MAIN, json_string_value(tmpl), json_string_length(tmpl), &err);
    if (rc == CF_OK)
        rc = mustache_render(s, SPEC_MAIN, json_object_get(c->test, "data"), &out, &err);

    same = rc == CF_OK && out.n == json_string_length(want) &&
           memcmp(buf_str(&out), json_string_value(want), out.n) == 0;
    if (rc != CF_OK)
        print_error("%s: error %d: %s\n", c->name, rc, err.message);
    if (!same)
        print_error("%s\n  template: %s\n  expected: %s\n  actual:   %s\n", c->name,
                    show(&a, json_string_value(tmpl), json_string_length(tmpl)),
                    show(&b, json_string_value(want), json_string_length(want)),
                    show(&out, buf_str(&out), out.n));
    buf_free(&out);
    buf_free(&a);
    buf_free(&b);
    mustache_set_free(s);
    assert_true(same);
}

/* Stands in for the spec when it could not be loaded, so the run fails and says why. */
static void test_spec_missing(void **state)
{
    (void)state;
    print_error("%s\n", run.problem);
    fail();
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Where the spec files are: see the top of this file. NULL, with run.problem, if nowhere. */
static const char *spec_dir(char *path, size_t n)
{
    const char *shared = getenv("CTOFRAME_SHARED");
    struct stat st;

    if (shared != NULL && shared[0] != '\0') {
        if (snprintf(path, n, "%s/testdata/mustache-spec", shared) < (int)n &&
            stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            return path;
        snprintf(run.problem, sizeof run.problem,
                 "mustache spec not found: CTOFRAME_SHARED=%.400s but %.400s is not a directory",
                 shared, path);
        return NULL;
    }
    snprintf(path, n, "../shared/testdata/mustache-spec");
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return path;
    snprintf(path, n, "/work/shared/testdata/mustache-spec");
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return path;
    snprintf(run.problem, sizeof run.problem,
             "mustache spec not found: set CTOFRAME_SHARED, or put it at "
             "../shared/testdata/mustache-spec or /work/shared/testdata/mustache-spec");
    return NULL;
}

/* Adds the cases of one spec file to run; "" problem on success. */
static void load_spec_file(const char *dir, const char *file)
{
    char path[4096];
    json_error_t jerr;
    json_t *root;
    const json_t *tests;
    size_t i;
    size_t j;
    struct spec_case *more;

    if (snprintf(path, sizeof path, "%s/%s", dir, file) >= (int)sizeof path) {
        snprintf(run.problem, sizeof run.problem, "%.800s: path too long", file);
        return;
    }
    root = json_load_file(path, 0, &jerr);
    if (root == NULL) {
        snprintf(run.problem, sizeof run.problem, "%.800s:%d: %.200s", path, jerr.line, jerr.text);
        return;
    }
    run.files[run.nfiles++] = root;
    tests = json_object_get(root, "tests");
    if (!json_is_array(tests) || json_array_size(tests) == 0) {
        snprintf(run.problem, sizeof run.problem, "%.800s: no \"tests\" array", path);
        return;
    }
    more = realloc(run.cases, (run.ncases + json_array_size(tests)) * sizeof *more);
    if (more == NULL) {
        snprintf(run.problem, sizeof run.problem, "out of memory");
        return;
    }
    run.cases = more;
    for (i = 0; i < json_array_size(tests); i++) {
        const json_t *t = json_array_get(tests, i);
        struct spec_case *c = &run.cases[run.ncases];
        const char *name = json_string_value(json_object_get(t, "name"));
        int dup = 1;

        /* Names repeat within a file now and then: number the repeats. */
        for (j = 0; j < i; j++) {
            const char *other =
                json_string_value(json_object_get(json_array_get(tests, j), "name"));

            if (name != NULL && other != NULL && strcmp(name, other) == 0)
                dup++;
        }
        if (dup > 1)
            snprintf(c->name, sizeof c->name, "%s: %s #%d", file, name, dup);
        else
            snprintf(c->name, sizeof c->name, "%s: %s", file, name != NULL ? name : "?");
        c->test = t;
        run.ncases++;
    }
}

/* Loads every *.json spec file, in name order. */
static void load_spec(void)
{
    char path[4096];
    const char *dir = spec_dir(path, sizeof path);
    char *names[64];
    size_t nnames = 0;
    struct dirent *de;
    DIR *d;
    size_t i;

    if (dir == NULL)
        return;
    d = opendir(dir);
    if (d == NULL) {
        snprintf(run.problem, sizeof run.problem, "%.800s: cannot open", dir);
        return;
    }
    while ((de = readdir(d)) != NULL && nnames < 64) {
        size_t len = strlen(de->d_name);

        if (len > 5 && strcmp(de->d_name + len - 5, ".json") == 0)
            names[nnames++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, nnames, sizeof *names, cmp_str);
    run.files = calloc(nnames + 1, sizeof *run.files);
    for (i = 0; i < nnames; i++) {
        if (run.files != NULL && names[i] != NULL && run.problem[0] == '\0')
            load_spec_file(dir, names[i]);
        free(names[i]);
    }
    if (run.problem[0] == '\0' && run.ncases == 0)
        snprintf(run.problem, sizeof run.problem, "%.800s: no spec cases (*.json) found", dir);
}

/* ---- our own cases ------------------------------------------------------------------- */

static void expect_syntax_error(const char *src, int code, const char *message)
{
    struct mustache_set *s = mustache_set_new();
    struct cf_error err;
    int rc;

    assert_non_null(s);
    err.message[0] = '\0';
    rc = mustache_set_add(s, "t", src, strlen(src), &err);
    if (rc != code || strcmp(err.message, message) != 0)
        print_error("source %s\n  expected: %d %s\n  actual:   %d %s\n", src, code, message, rc,
                    err.message);
    assert_int_equal(rc, code);
    assert_string_equal(err.message, message);
    assert_false(mustache_set_has(s, "t"));
    mustache_set_free(s);
}

static void test_syntax_errors(void **state)
{
    char deep[200 * 6 + 1];
    size_t i;

    (void)state;
    expect_syntax_error("a\nb\n{{#x}}\nc", CF_EINVAL, "t:3: unclosed section \"x\"");
    expect_syntax_error("{{^x}}", CF_EINVAL, "t:1: unclosed inverted section \"x\"");
    expect_syntax_error("{{<p}}\n{{$b}}\n", CF_EINVAL, "t:2: unclosed block \"b\"");
    expect_syntax_error("\n{{<p}}", CF_EINVAL, "t:2: unclosed parent \"p\"");
    expect_syntax_error("{{#a}}\n{{/b}}", CF_EINVAL,
                        "t:2: closing tag \"b\" does not match \"a\" opened on line 1");
    expect_syntax_error("x\n\n{{/a}}", CF_EINVAL, "t:3: unexpected closing tag \"a\"");
    expect_syntax_error("a\n{{x", CF_EINVAL, "t:2: unclosed tag");
    expect_syntax_error("{{{x}}", CF_EINVAL, "t:1: unclosed tag");
    expect_syntax_error("{{=a=}}", CF_EINVAL, "t:1: invalid set delimiter tag");
    expect_syntax_error("{{=a b c=}}", CF_EINVAL, "t:1: invalid set delimiter tag");
    expect_syntax_error("{{a b}}", CF_EINVAL, "t:1: invalid name \"a b\"");
    expect_syntax_error("{{}}", CF_EINVAL, "t:1: invalid name \"\"");
    expect_syntax_error("{{a..b}}", CF_EINVAL, "t:1: invalid name \"a..b\"");
    expect_syntax_error("{{#}}{{/}}", CF_EINVAL, "t:1: invalid section name \"\"");
    expect_syntax_error("{{>}}", CF_EINVAL, "t:1: invalid partial name \"\"");
    expect_syntax_error("{{$}}", CF_EINVAL, "t:1: invalid block name \"\"");
    for (i = 0; i < 200; i++)
        memcpy(deep + i * 6, "{{#a}}", 6);
    deep[sizeof deep - 1] = '\0';
    expect_syntax_error(deep, CF_EINVAL, "t:1: sections nested deeper than 128");
}

static void test_failed_add_keeps_old(void **state)
{
    const char *pairs[] = {"t", "old {{x}}", NULL};
    struct mustache_set *s = set_of(pairs);
    struct cf_error err;

    (void)state;
    assert_int_equal(mustache_set_add(s, "t", "{{#x}}", 6, &err), CF_EINVAL);
    expect_render(s, "t", "{\"x\":1}", "old 1");
    assert_int_equal(mustache_set_add(s, "t", "new {{x}}", 9, &err), CF_OK);
    expect_render(s, "t", "{\"x\":1}", "new 1");
    mustache_set_free(s);
}

static void test_escaping(void **state)
{
    (void)state;
    expect_one("{{x}}|{{{x}}}|{{&x}}", "{\"x\":\"<a href='u'>&\\\"\"}",
               "&lt;a href=&#39;u&#39;&gt;&amp;&quot;|<a href='u'>&\"|<a href='u'>&\"");
    expect_one("{{x}}", "{\"x\":\"plain text\"}", "plain text");
}

static void test_values(void **state)
{
    (void)state;
    expect_one("{{i}} {{n}} {{r1}} {{r2}} {{r3}} {{r4}} {{t}} {{f}} [{{z}}] [{{o}}] [{{a}}]",
               "{\"i\":42,\"n\":-7,\"r1\":1.0,\"r2\":1.21,\"r3\":0.1,\"r4\":-2.5,\"t\":true,"
               "\"f\":false,\"z\":null,\"o\":{\"k\":1},\"a\":[1]}",
               "42 -7 1 1.21 0.1 -2.5 true false [] [] []");
    expect_one("x{{a}}y{{.}}z", "null", "xyz");
}

static void test_truthiness(void **state)
{
    (void)state;
    /* JavaScript's !!value: false, null, 0, 0.0, "" and [] are falsy; {} is truthy. */
    expect_one("{{#v}}T{{/v}}{{^v}}F{{/v}}", "{\"v\":\"\"}", "F");
    expect_one("{{#v}}T{{/v}}{{^v}}F{{/v}}", "{\"v\":0}", "F");
    expect_one("{{#v}}T{{/v}}{{^v}}F{{/v}}", "{\"v\":0.0}", "F");
    expect_one("{{#v}}T{{/v}}{{^v}}F{{/v}}", "{\"v\":[]}", "F");
    expect_one("{{#v}}T{{/v}}{{^v}}F{{/v}}", "{\"v\":null}", "F");
    expect_one("{{#v}}T{{/v}}{{^v}}F{{/v}}", "{}", "F");
    expect_one("{{#v}}T{{/v}}{{^v}}F{{/v}}", "{\"v\":{}}", "T");
    expect_one("{{#v}}T{{/v}}{{^v}}F{{/v}}", "{\"v\":\"0\"}", "T");
    expect_one("{{#v}}T{{/v}}{{^v}}F{{/v}}", "{\"v\":-1}", "T");
    expect_one("{{#v}}<{{.}}>{{/v}}", "{\"v\":\" \"}", "< >");
}

/* A partial that includes itself forever stops with an error, not a crash. */
static void test_recursion_cap(void **state)
{
    const char *pairs[] = {"loop",   "x{{>loop}}",
                           "twice",  "{{>twice}}{{>twice}}",
                           "parent", "{{<parent}}{{$b}}{{/b}}{{/parent}}",
                           "deep",   "{{#a}}{{>deep}}{{/a}}",
                           NULL};
    const char *names[] = {"loop", "twice", "parent", "deep"};
    struct mustache_set *s = set_of(pairs);
    json_t *data = json_pack("{s:{s:i}}", "a", "b", 1);
    struct cf_error err;
    struct buf out;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        int rc;

        buf_init(&out, OUT_MAX);
        rc = mustache_render(s, names[i], data, &out, &err);
        buf_free(&out);
        assert_int_equal(rc, CF_ETOOBIG);
        assert_non_null(strstr(err.message, "nested deeper than 128"));
    }
    json_decref(data);
    mustache_set_free(s);
}

/* A render that would visit an exponential number of nodes gives up. */
static void test_step_cap(void **state)
{
    char src[16 * 20 + 1];
    struct mustache_set *s = mustache_set_new();
    json_t *data = json_pack("{s:[i,i,i,i,i,i,i,i]}", "l", 1, 2, 3, 4, 5, 6, 7, 8);
    struct cf_error err;
    struct buf out;
    size_t i;
    int rc;

    (void)state;
    assert_non_null(s);
    for (i = 0; i < 10; i++)
        memcpy(src + i * 6, "{{#l}}", 6);
    for (i = 0; i < 10; i++)
        memcpy(src + 60 + i * 6, "{{/l}}", 6);
    src[120] = '\0';
    assert_int_equal(mustache_set_add(s, "t", src, strlen(src), &err), CF_OK);
    buf_init(&out, OUT_MAX);
    rc = mustache_render(s, "t", data, &out, &err);
    buf_free(&out);
    assert_int_equal(rc, CF_ETOOBIG);
    assert_non_null(strstr(err.message, "steps"));
    json_decref(data);
    mustache_set_free(s);
}

static void test_output_cap(void **state)
{
    const char *pairs[] = {"t", "{{#l}}0123456789{{/l}}", NULL};
    struct mustache_set *s = set_of(pairs);
    json_t *data = json_pack("{s:[i,i,i]}", "l", 1, 2, 3);
    struct cf_error err;
    struct buf out;

    (void)state;
    buf_init(&out, 25);
    assert_int_equal(mustache_render(s, "t", data, &out, &err), CF_ETOOBIG);
    assert_int_equal(out.n, 0);
    buf_free(&out);
    json_decref(data);
    mustache_set_free(s);
}

static void test_unknown_template(void **state)
{
    const char *pairs[] = {"page", "{{>nowhere}}[{{<gone}}{{/gone}}]", NULL};
    struct mustache_set *s = set_of(pairs);
    struct cf_error err;
    struct buf out;

    (void)state;
    buf_init(&out, OUT_MAX);
    assert_int_equal(mustache_render(s, "nope", NULL, &out, &err), CF_ENOTFOUND);
    assert_string_equal(err.message, "no template \"nope\"");
    assert_true(mustache_set_has(s, "page"));
    assert_false(mustache_set_has(s, "nope"));
    /* Missing partials and parents render as nothing. */
    assert_int_equal(mustache_render(s, "page", NULL, &out, &err), CF_OK);
    assert_string_equal(buf_str(&out), "[]");
    buf_free(&out);
    mustache_set_free(s);
}

static void test_render_many_times(void **state)
{
    const char *pairs[] = {"row", "<li>{{name}}</li>\n", "list",
                           "<ul>\n{{#items}}\n  {{>row}}\n{{/items}}\n</ul>\n", NULL};
    struct mustache_set *s = set_of(pairs);
    size_t i;

    (void)state;
    for (i = 0; i < 3; i++)
        expect_render(s, "list", "{\"items\":[{\"name\":\"a\"},{\"name\":\"b\"}]}",
                      "<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>\n");
    expect_render(s, "list", "{\"items\":[]}", "<ul>\n</ul>\n");
    mustache_set_free(s);
}

static void test_indentation(void **state)
{
    const char *pairs[] = {
        "outer", "<div>\n  {{>inner}}\n</div>\n", "inner",  "<p>\n\n  {{>leaf}}\n</p>\n",
        "leaf",  "{{x}}\n{{x}} {{>inline}}\n",    "inline", "a\nb",
        NULL};
    struct mustache_set *s = set_of(pairs);

    (void)state;
    /* Blank lines stay blank; inline partials are not indented; indentation adds up. */
    expect_render(s, "outer", "{\"x\":\"1\\n2\"}",
                  "<div>\n  <p>\n\n    1\n2\n    1\n2 a\nb\n  </p>\n</div>\n");
    mustache_set_free(s);
}

static void test_dynamic_names(void **state)
{
    const char *pairs[] = {"t", "[{{>*which}}] [{{>*missing}}] [{{>*n}}]", "b", "B{{x}}", NULL};
    struct mustache_set *s = set_of(pairs);

    (void)state;
    expect_render(s, "t", "{\"which\":\"b\",\"x\":1,\"n\":5}", "[B1] [] []");
    mustache_set_free(s);
}

static void test_binary_safe(void **state)
{
    struct mustache_set *s = mustache_set_new();
    json_t *data = json_pack("{s:s%}", "x", "a\0b", (size_t)3);
    struct cf_error err;
    struct buf out;

    (void)state;
    assert_non_null(s);
    assert_int_equal(mustache_set_add(s, "t",
                                      "1\0{{x}}\0"
                                      "2",
                                      9, &err),
                     CF_OK);
    buf_init(&out, OUT_MAX);
    assert_int_equal(mustache_render(s, "t", data, &out, &err), CF_OK);
    assert_int_equal(out.n, 7);
    assert_memory_equal(out.p,
                        "1\0a\0b\0"
                        "2",
                        7);
    buf_free(&out);
    json_decref(data);
    mustache_set_free(s);
}

/* Writes a file under dir. */
static void write_file(const char *dir, const char *name, const char *text)
{
    char path[4096];
    FILE *f;

    assert_true(snprintf(path, sizeof path, "%s/%s", dir, name) < (int)sizeof path);
    f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

static void remove_file(const char *dir, const char *name)
{
    char path[4096];

    assert_true(snprintf(path, sizeof path, "%s/%s", dir, name) < (int)sizeof path);
    assert_int_equal(unlink(path), 0);
}

static void test_load_dir(void **state)
{
    char dir[] = "/tmp/test_mustache.XXXXXX";
    char sub[4096];
    struct mustache_set *s = mustache_set_new();
    struct cf_error err;

    (void)state;
    assert_non_null(s);
    assert_non_null(mkdtemp(dir));
    write_file(dir, "page.mustache", "<h1>{{title}}</h1>\n{{>footer}}");
    write_file(dir, "footer.mustache", "<footer>{{year}}</footer>\n");
    write_file(dir, "notes.txt", "{{#not a template");
    write_file(dir, ".mustache", "no name");
    assert_true(snprintf(sub, sizeof sub, "%s/sub.mustache", dir) < (int)sizeof sub);
    assert_int_equal(mkdir(sub, 0700), 0);

    assert_int_equal(mustache_set_load_dir(s, dir, &err), CF_OK);
    assert_true(mustache_set_has(s, "page"));
    assert_true(mustache_set_has(s, "footer"));
    assert_false(mustache_set_has(s, "notes"));
    assert_false(mustache_set_has(s, ""));
    assert_false(mustache_set_has(s, "sub"));
    expect_render(s, "page", "{\"title\":\"Hi\",\"year\":2024}",
                  "<h1>Hi</h1>\n<footer>2024</footer>\n");

    /* A template that does not compile is reported by its name and line. */
    write_file(dir, "zbad.mustache", "ok\n{{#open}}\n");
    assert_int_equal(mustache_set_load_dir(s, dir, &err), CF_EINVAL);
    assert_string_equal(err.message, "zbad:2: unclosed section \"open\"");

    remove_file(dir, "page.mustache");
    remove_file(dir, "footer.mustache");
    remove_file(dir, "notes.txt");
    remove_file(dir, ".mustache");
    remove_file(dir, "zbad.mustache");
    rmdir(sub);
    rmdir(dir);

    assert_int_equal(mustache_set_load_dir(s, dir, &err), CF_EIO);
    mustache_set_free(s);
}

static void test_inheritance_extras(void **state)
{
    const char *pairs[] = {"base",
                           "<html>\n"
                           "  <title>{{$title}}Site{{/title}}</title>\n"
                           "  <body>\n"
                           "    {{$body}}\n"
                           "    <p>empty</p>\n"
                           "    {{/body}}\n"
                           "  </body>\n"
                           "</html>\n",
                           "page",
                           "{{<base}}\n"
                           "{{$title}}{{name}}{{/title}}\n"
                           "{{$body}}\n"
                           "<ul>\n"
                           "{{#items}}\n"
                           "  <li>{{.}}</li>\n"
                           "{{/items}}\n"
                           "</ul>\n"
                           "{{/body}}\n"
                           "{{/base}}\n",
                           NULL};
    struct mustache_set *s = set_of(pairs);

    (void)state;
    expect_render(s, "page", "{\"name\":\"N\",\"items\":[1,2]}",
                  "<html>\n  <title>N</title>\n  <body>\n    <ul>\n      <li>1</li>\n"
                  "      <li>2</li>\n    </ul>\n  </body>\n</html>\n");
    expect_render(s, "base", "{}",
                  "<html>\n  <title>Site</title>\n  <body>\n    <p>empty</p>\n  </body>\n"
                  "</html>\n");
    mustache_set_free(s);
}

int main(void)
{
    static const struct CMUnitTest own[] = {
        cmocka_unit_test(test_syntax_errors),      cmocka_unit_test(test_failed_add_keeps_old),
        cmocka_unit_test(test_escaping),           cmocka_unit_test(test_values),
        cmocka_unit_test(test_truthiness),         cmocka_unit_test(test_recursion_cap),
        cmocka_unit_test(test_step_cap),           cmocka_unit_test(test_output_cap),
        cmocka_unit_test(test_unknown_template),   cmocka_unit_test(test_render_many_times),
        cmocka_unit_test(test_indentation),        cmocka_unit_test(test_dynamic_names),
        cmocka_unit_test(test_binary_safe),        cmocka_unit_test(test_load_dir),
        cmocka_unit_test(test_inheritance_extras),
    };
    size_t nown = sizeof own / sizeof own[0];
    struct CMUnitTest *tests;
    size_t ntests = 0;
    size_t i;
    int failed;

    load_spec();
    tests = calloc(run.ncases + nown + 1, sizeof *tests);
    if (tests == NULL)
        return 1;
    if (run.problem[0] != '\0') {
        tests[ntests].name = "mustache spec: loading the test data";
        tests[ntests].test_func = test_spec_missing;
        ntests++;
    }
    for (i = 0; i < run.ncases; i++) {
        tests[ntests].name = run.cases[i].name;
        tests[ntests].test_func = test_spec_case;
        tests[ntests].initial_state = &run.cases[i];
        ntests++;
    }
    for (i = 0; i < nown; i++)
        tests[ntests++] = own[i];

    failed = _cmocka_run_group_tests("mustache", tests, ntests, NULL, NULL);

    free(tests);
    for (i = 0; i < run.nfiles; i++)
        json_decref(run.files[i]);
    free(run.files);
    free(run.cases);
    return failed;
}
