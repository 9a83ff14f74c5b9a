/*
 * test_auth_threads.c — svc/auth.c from several threads at once.
 *
 * The dummy password hash (verified against when no account has the address,
 * so a wrong address takes as long as a wrong password) is made on first use.
 * Eight threads ask for it at the same moment: each must see the same whole
 * argon2id string, one that verifies its own phrase. Under ThreadSanitizer
 * (the TSan pass) a lazy build without a lock is reported as a data race.
 */
#include "testutil.h"

#include <pthread.h>

#include <sodium.h>

#include "svc/svc_impl.h"

#define THREADS 8

static pthread_barrier_t g_start;

static void *ask(void *arg)
{
    const char **got = arg;

    pthread_barrier_wait(&g_start);
    *got = svc__dummy_hash();
    return NULL;
}

static void test_dummy_hash_threads(void **state)
{
    pthread_t t[THREADS];
    const char *got[THREADS];
    static const char phrase[] = "not a password of anyone";

    (void)state;
    setenv("CTOFRAME_ARGON2", "t=1,m=8", 1);
    assert_int_equal(sodium_init() >= 0, 1);
    assert_int_equal(pthread_barrier_init(&g_start, NULL, THREADS), 0);
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, ask, &got[i]), 0);
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    pthread_barrier_destroy(&g_start);

    for (int i = 0; i < THREADS; i++) {
        assert_non_null(got[i]);
        assert_string_equal(got[i], got[0]);
    }
    assert_true(strncmp(got[0], "$argon2id$", 10) == 0);
    assert_int_equal(crypto_pwhash_str_verify(got[0], phrase, strlen(phrase)), 0);
    /* Made once: a later call gives the same string, not a new salt. */
    assert_string_equal(svc__dummy_hash(), got[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dummy_hash_threads),
    };

    return cmocka_run_group_tests_name("auth threads", tests, NULL, NULL);
}
