/*
 * test_program_svc.c — svc/program.c on a SQLite file: saving rules makes
 * versions and audit entries, refusals write nothing, the framework the rules
 * name is consulted when it is stored, a stale base version is a conflict, and
 * svc__program_rules gives later code the rules of any version.
 */
#include "testutil.h"

#include "core/program.h"
#include "store/store_impl.h"
#include "svc/svc.h"
#include "svc/svc_impl.h"

#define assert_ok(rc, err)                                                                         \
    do {                                                                                           \
        int rc_ = (rc);                                                                            \
        if (rc_ != CF_OK)                                                                          \
            fail_msg("%s returned %d (%s): %s", #rc, rc_, cf_err_name(rc_), (err).message);        \
    } while (0)

/* Reads a whole file (fails the test when it cannot). */
static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long len;

    if (f == NULL)
        fail_msg("cannot open %s: %s", path, strerror(errno));
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)len + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    buf[len] = '\0';
    *n = (size_t)len;
    return buf;
}

struct fx {
    char dir[64];
    struct svc sv;
    char *cetl;
    size_t n;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    char url[128];
    struct cf_error err = {0};

    tu_mkdtemp(f->dir, sizeof f->dir);
    snprintf(url, sizeof url, "%s/t.db", f->dir);
    f->sv.actor = "cli";
    if (store_open(url, STORE_CREATE | STORE_MIGRATE, &f->sv.store, NULL, &err) != CF_OK)
        fail_msg("store_open: %s", err.message);
    f->cetl = slurp("data/programs/cetl.json", &f->n);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    store_close(f->sv.store);
    tu_rmrf(f->dir);
    free(f->cetl);
    free(f);
    return 0;
}

/* How many audit entries have action. */
static size_t audits(struct fx *f, const char *action)
{
    json_t *list = NULL;
    struct cf_error err = {0};
    size_t n;

    assert_ok(store_audit_list(f->sv.store, &(struct audit_filter){.action = action, .limit = 100},
                               &list, &err),
              err);
    n = json_array_size(list);
    json_decref(list);
    return n;
}

/* The CETL rules with one change made by edit, as text (free it). */
static char *cetl_with(struct fx *f, void (*edit)(json_t *))
{
    json_t *doc = json_loadb(f->cetl, f->n, 0, NULL);
    char *s;

    assert_non_null(doc);
    edit(doc);
    s = json_dumps(doc, 0);
    json_decref(doc);
    return s;
}

static void grace_60(json_t *d)
{
    json_object_set_new(d, "grace_period_days", json_integer(60));
}

static void bad_category(json_t *d)
{
    json_t *c = json_array_get(json_object_get(json_object_get(d, "exam"), "score_categories"), 1);

    json_object_set_new(c, "code", json_string("IX"));
}

static void test_versions(void **state)
{
    struct fx *f = *state;
    struct cf_error err = {0};
    json_t *out = NULL, *problems = NULL;
    struct program p;
    int used = 0;
    char *v2 = cetl_with(f, grace_60);

    /* Version 1; the framework is not stored, so a warning says what was not checked. */
    assert_ok(svc_program_save(&f->sv, NULL, f->cetl, f->n, "first", 0, &out, &problems, &err),
              err);
    assert_int_equal(json_integer_value(json_object_get(out, "version")), 1);
    assert_int_equal(json_array_size(json_object_get(out, "warnings")), 1);
    json_decref(out);
    /* The same again: nothing new. */
    assert_ok(svc_program_save(&f->sv, NULL, f->cetl, f->n, NULL, 0, &out, &problems, &err), err);
    assert_true(json_is_true(json_object_get(out, "unchanged")));
    json_decref(out);
    assert_int_equal(audits(f, "program.save"), 1);

    /* Version 2 from version 1; a second change still based on version 1 is a conflict. */
    assert_ok(svc_program_save(&f->sv, "CETL", v2, strlen(v2), "grace", 1, &out, &problems, &err),
              err);
    assert_int_equal(json_integer_value(json_object_get(out, "version")), 2);
    json_decref(out);
    assert_int_equal(
        svc_program_save(&f->sv, "CETL", f->cetl, f->n, NULL, 1, &out, &problems, &err),
        CF_ECONFLICT);
    assert_null(out);
    json_decref(problems);
    assert_int_equal(audits(f, "program.save"), 2);

    /* Later code reads any version and records which one it used. */
    assert_ok(svc__program_rules(&f->sv, "CETL", 0, &p, &used, &err), err);
    assert_int_equal(used, 2);
    assert_int_equal(p.grace_days, 60);
    assert_ok(svc__program_rules(&f->sv, "CETL", 1, &p, &used, &err), err);
    assert_int_equal(used, 1);
    assert_int_equal(p.grace_days, 90);
    assert_int_equal(svc__program_rules(&f->sv, "CETL", 3, &p, &used, &err), CF_ENOTFOUND);
    assert_int_equal(svc__program_rules(&f->sv, "NOPE", 0, &p, &used, &err), CF_ENOTFOUND);
    free(v2);
}

static void test_refusals_write_nothing(void **state)
{
    struct fx *f = *state;
    struct cf_error err = {0};
    json_t *out = NULL, *problems = NULL, *pkg = NULL;
    char *bad = cetl_with(f, bad_category);
    char *fw = NULL;
    size_t n = 0;

    /* With the framework stored, a score category it lacks is refused by its path. */
    fw = slurp("data/frameworks/cosn-k12cto-2019.json", &n);
    assert_ok(svc_framework_import(&f->sv, fw, n, 1, &pkg, &problems, &err), err);
    json_decref(pkg);
    json_decref(problems);
    assert_int_equal(
        svc_program_save(&f->sv, NULL, bad, strlen(bad), NULL, 0, &out, &problems, &err),
        CF_EINVAL);
    assert_string_equal(err.field, "$.exam.score_categories[1].code");
    assert_int_equal(json_array_size(problems), 1);
    json_decref(problems);
    /* Not JSON; a program page given another program's rules; a note too long. */
    assert_int_equal(svc_program_save(&f->sv, NULL, "[", 1, NULL, 0, &out, &problems, &err),
                     CF_EINVAL);
    json_decref(problems);
    assert_ok(svc_program_save(&f->sv, NULL, f->cetl, f->n, NULL, 0, &out, &problems, &err), err);
    assert_int_equal(json_array_size(json_object_get(out, "warnings")), 0);
    json_decref(out);
    assert_int_equal(
        svc_program_save(&f->sv, "OTHER", f->cetl, f->n, NULL, 0, &out, &problems, &err),
        CF_ENOTFOUND);
    json_decref(problems);
    {
        char note[PROGRAM_NOTE_MAX + 2];

        memset(note, 'x', sizeof note - 1);
        note[sizeof note - 1] = '\0';
        assert_int_equal(
            svc_program_save(&f->sv, NULL, f->cetl, f->n, note, 0, &out, &problems, &err),
            CF_EINVAL);
        assert_string_equal(err.field, "note");
        json_decref(problems);
    }
    assert_int_equal(audits(f, "program.save"), 1);
    free(bad);
    free(fw);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_versions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals_write_nothing, setup, teardown),
    };

    return cmocka_run_group_tests_name("program svc", tests, NULL, NULL);
}
