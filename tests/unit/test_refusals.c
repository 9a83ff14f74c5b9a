/*
 * test_refusals.c — svc/audit.c: refusals of anonymous requests are counted,
 * not written to the audit trail one by one (issue 6, fault 5).
 *
 * On a fresh SQLite database (a temporary directory) with the clock fixed
 * through CTOFRAME_NOW: a burst from one address is one entry at once and one
 * with the count once its interval is over; many addresses in one interval
 * add at most REFUSAL_ADDRESSES_MAX + 1 keys; a signed-in person's refusal is
 * one entry each.
 */
#include "testutil.h"

#include <unistd.h>

#include "store/store.h"
#include "svc/jobs.h"
#include "svc/svc.h"

#define T0 "2030-03-01T09:01:00Z" /* one minute into a 10-minute interval */
#define T1 "2030-03-01T09:11:00Z" /* the next interval */
#define T2 "2030-03-01T09:21:00Z" /* the one after */

static char g_dir[64];
static char g_db[128];

static int setup(void **state)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/cf-refusals-XXXXXX");
    if (mkdtemp(g_dir) == NULL)
        return -1;
    snprintf(g_db, sizeof g_db, "%s/t.db", g_dir);
    setenv("CTOFRAME_NOW", T0, 1);
    *state = NULL;
    return 0;
}

static int teardown(void **state)
{
    char wal[160];

    (void)state;
    unlink(g_db);
    snprintf(wal, sizeof wal, "%s-wal", g_db);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", g_db);
    unlink(wal);
    rmdir(g_dir);
    unsetenv("CTOFRAME_NOW");
    return 0;
}

/* The auth.refused entries, newest first. */
static json_t *refused(struct store *s)
{
    struct audit_filter f = {NULL, "auth.refused", NULL, NULL, NULL, NULL, 0, 1000};
    struct cf_error err = {0};
    json_t *out = NULL;

    if (store_audit_list(s, &f, &out, &err) != CF_OK)
        fail_msg("store_audit_list: %s", err.message);
    return out;
}

static void test_refusals_counted(void **state)
{
    static const struct principal anon = {NULL, NULL, "session", NULL};
    struct principal someone = {"11111111-1111-4111-8111-111111111111", NULL, "session", NULL};
    struct store *s = NULL;
    struct cf_error err = {0};
    struct svc sv;
    json_t *e, *open = NULL;
    size_t n_before;
    char addr[64];
    long keys = 0;

    (void)state;
    assert_int_equal(store_open(g_db, STORE_CREATE | STORE_MIGRATE, &s, NULL, &err), CF_OK);
    sv = (struct svc){s, "anonymous", "r", NULL, &anon, "192.0.2.1"};

    /* A burst from one address: one entry now, the rest counted. */
    for (int i = 0; i < 500; i++)
        svc_audit_refusal(&sv, "csrf", "POST", "/login");
    e = refused(s);
    assert_int_equal(json_array_size(e), 1);
    assert_int_equal(json_integer_value(
                         json_object_get(json_object_get(json_array_get(e, 0), "after"), "count")),
                     1);
    json_decref(e);

    /* Many addresses: past REFUSAL_ADDRESSES_MAX they share one key. */
    for (int i = 0; i < REFUSAL_ADDRESSES_MAX + 50; i++) {
        snprintf(addr, sizeof addr, "2001:db8::%x", i + 2);
        sv.address = addr;
        svc_audit_refusal(&sv, "csrf", "POST", "/reset");
    }
    assert_int_equal(store_refusals_open(s, 1000, &open, &err), CF_OK);
    keys = (long)json_array_size(open);
    assert_int_equal(keys, REFUSAL_ADDRESSES_MAX + 1);
    {
        size_t i;
        json_t *row;
        long others = -1;

        json_array_foreach(open, i, row)
        {
            if (strcmp(json_string_value(json_object_get(row, "address")), "other addresses") == 0)
                others = (long)json_integer_value(json_object_get(row, "count"));
        }
        assert_int_equal(others, 51);
    }
    json_decref(open);
    e = refused(s);
    assert_int_equal((long)json_array_size(e), keys);
    json_decref(e);

    /* A signed-in person's refusal: one entry each. */
    sv.who = &someone;
    sv.actor = "user:11111111-1111-4111-8111-111111111111";
    svc_audit_refusal(&sv, "forbidden", "GET", "/admin/audit");
    svc_audit_refusal(&sv, "forbidden", "GET", "/admin/audit");
    e = refused(s);
    assert_int_equal((long)json_array_size(e), keys + 2);
    json_decref(e);

    /* The next interval: the counts of the last one go in, one entry per key counted more
     * than once, and the rows are gone. */
    setenv("CTOFRAME_NOW", T1, 1);
    assert_int_equal(svc_refusals_flush(&sv, &err), CF_OK);
    e = refused(s);
    assert_int_equal((long)json_array_size(e), keys + 2 + 2);
    {
        json_t *a = json_object_get(json_array_get(e, 0), "after");
        json_t *b = json_object_get(json_array_get(e, 1), "after");
        json_int_t n1 = json_integer_value(json_object_get(a, "count"));
        json_int_t n2 = json_integer_value(json_object_get(b, "count"));

        assert_true((n1 == 500 && n2 == 51) || (n1 == 51 && n2 == 500));
        assert_string_equal(json_string_value(json_object_get(json_array_get(e, 0), "actor")),
                            "anonymous");
    }
    json_decref(e);
    assert_int_equal(store_refusals_open(s, 1000, &open, &err), CF_OK);
    assert_int_equal(json_array_size(open), 0);
    json_decref(open);

    /* The periodic tick flushes too: a burst in T1 is in the trail once T2 has come. */
    sv = (struct svc){s, "anonymous", "r", NULL, &anon, "192.0.2.9"};
    for (int i = 0; i < 30; i++)
        svc_audit_refusal(&sv, "csrf", "POST", "/login");
    e = refused(s);
    n_before = json_array_size(e);
    json_decref(e);
    setenv("CTOFRAME_NOW", T2, 1);
    {
        struct svc sys = {s, "system", NULL, NULL, NULL, NULL};
        struct tick_report rep;

        assert_int_equal(svc_tick(&sys, &rep, &err), CF_OK);
        assert_true(rep.ran);
    }
    e = refused(s);
    assert_int_equal(json_array_size(e), n_before + 1);
    json_decref(e);
    assert_int_equal(store_refusals_open(s, 1000, &open, &err), CF_OK);
    assert_int_equal(json_array_size(open), 0);
    json_decref(open);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_refusals_counted, setup, teardown),
    };

    return cmocka_run_group_tests_name("refusals", tests, NULL, NULL);
}
