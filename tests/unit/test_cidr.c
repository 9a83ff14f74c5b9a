/*
 * test_cidr.c — src/lib/cidr: addresses, ranges, lists, and finding the
 * client behind trusted proxies in X-Forwarded-For.
 */
#include "testutil.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "lib/cidr.h"

static void addr(const char *s, unsigned char a[CIDR_ADDR_LEN])
{
    if (cidr_addr_parse(s, a) != 0)
        fail_msg("not an address: %s", s);
}

static int in_range(const char *range, const char *ip)
{
    struct cidr c;
    unsigned char a[CIDR_ADDR_LEN];

    if (cidr_parse(range, &c) != 0)
        fail_msg("not a range: %s", range);
    addr(ip, a);
    return cidr_contains(&c, a);
}

static void test_addr_parse(void **state)
{
    unsigned char a[CIDR_ADDR_LEN], b[CIDR_ADDR_LEN];
    char text[CIDR_TEXT_MAX];

    (void)state;
    assert_int_equal(cidr_addr_parse("192.0.2.1", a), 0);
    cidr_addr_text(a, text);
    assert_string_equal(text, "192.0.2.1");
    /* IPv4 and its IPv4-mapped IPv6 form are the same address. */
    assert_int_equal(cidr_addr_parse("::ffff:192.0.2.1", b), 0);
    assert_memory_equal(a, b, CIDR_ADDR_LEN);
    assert_int_equal(cidr_addr_parse("2001:db8::1", a), 0);
    cidr_addr_text(a, text);
    assert_string_equal(text, "2001:db8::1");
    static const char *const bad[] = {"",         "1.2.3",        "1.2.3.4.5",   "256.1.1.1",
                                      "1.2.3.4 ", "2001:db8:::1", "example.org", "1.2.3.4/32",
                                      "::g"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(cidr_addr_parse(bad[i], a), -1);
}

static void test_addr_of_sockaddr(void **state)
{
    struct sockaddr_in in4;
    struct sockaddr_in6 in6;
    unsigned char a[CIDR_ADDR_LEN], b[CIDR_ADDR_LEN];

    (void)state;
    memset(&in4, 0, sizeof in4);
    in4.sin_family = AF_INET;
    inet_pton(AF_INET, "127.0.0.2", &in4.sin_addr);
    assert_int_equal(cidr_addr_of((struct sockaddr *)&in4, a), 0);
    addr("127.0.0.2", b);
    assert_memory_equal(a, b, CIDR_ADDR_LEN);
    memset(&in6, 0, sizeof in6);
    in6.sin6_family = AF_INET6;
    inet_pton(AF_INET6, "::1", &in6.sin6_addr);
    assert_int_equal(cidr_addr_of((struct sockaddr *)&in6, a), 0);
    addr("::1", b);
    assert_memory_equal(a, b, CIDR_ADDR_LEN);
}

static void test_ranges(void **state)
{
    (void)state;
    assert_true(in_range("10.0.0.0/8", "10.255.1.2"));
    assert_false(in_range("10.0.0.0/8", "11.0.0.1"));
    assert_true(in_range("192.0.2.0/25", "192.0.2.127"));
    assert_false(in_range("192.0.2.0/25", "192.0.2.128"));
    assert_true(in_range("127.0.0.1", "127.0.0.1")); /* a bare address is /32 */
    assert_false(in_range("127.0.0.1", "127.0.0.2"));
    assert_true(in_range("0.0.0.0/0", "203.0.113.9"));
    assert_false(in_range("0.0.0.0/0", "2001:db8::1")); /* IPv4 ranges hold IPv4 only */
    assert_true(in_range("10.0.0.0/8", "::ffff:10.1.2.3"));
    assert_true(in_range("2001:db8::/32", "2001:db8:ffff::1"));
    assert_false(in_range("2001:db8::/32", "2001:db9::1"));
    assert_true(in_range("fc00::/7", "fdff::1"));
    assert_false(in_range("fd00::/8", "fe00::1"));
    assert_true(in_range("::/0", "2001:db8::1"));
    assert_true(in_range("::1/128", "::1"));
}

static void test_range_parse_refuses(void **state)
{
    struct cidr c;
    static const char *const bad[] = {
        "10.0.0.0/33",    "10.0.0.0/", "10.0.0.0/-1",   "10.0.0.0/8x", "/8", "10.1.0.0/8",
        "2001:db8::1/64", "::/129",    "10.0.0.0/0008", "host/8",      ""};

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(cidr_parse(bad[i], &c), -1);
}

static void test_list_parse(void **state)
{
    struct cidr_list l;
    char bad[80];
    unsigned char a[CIDR_ADDR_LEN];

    (void)state;
    assert_int_equal(cidr_list_parse("127.0.0.1/32, 10.0.0.0/8,::1", &l, bad, sizeof bad), 0);
    assert_int_equal(l.n, 3);
    addr("10.9.9.9", a);
    assert_true(cidr_list_contains(&l, a));
    addr("::1", a);
    assert_true(cidr_list_contains(&l, a));
    addr("192.0.2.1", a);
    assert_false(cidr_list_contains(&l, a));
    assert_false(cidr_list_contains(NULL, a));

    assert_int_equal(cidr_list_parse("127.0.0.1/32,10.0.0.0/40", &l, bad, sizeof bad), -1);
    assert_string_equal(bad, "10.0.0.0/40");
    assert_int_equal(cidr_list_parse("127.0.0.1,,10.0.0.0/8", &l, bad, sizeof bad), -1);
    assert_int_equal(cidr_list_parse("proxy.example", &l, bad, sizeof bad), -1);
    assert_string_equal(bad, "proxy.example");
    {
        char many[40 * 12] = "";
        size_t n = 0;

        for (int i = 0; i < CIDR_LIST_MAX + 1; i++)
            n += (size_t)snprintf(many + n, sizeof many - n, "%s10.0.0.%d", i ? "," : "", i);
        assert_int_equal(cidr_list_parse(many, &l, bad, sizeof bad), -1);
        assert_non_null(strstr(bad, "more than"));
    }
}

static void forwarded(const char *trusted, const char *xff, const char *want)
{
    struct cidr_list l;
    char bad[80], text[CIDR_TEXT_MAX];
    unsigned char a[CIDR_ADDR_LEN];

    if (cidr_list_parse(trusted, &l, bad, sizeof bad) != 0)
        fail_msg("bad list %s", trusted);
    if (want == NULL) {
        assert_int_equal(cidr_forwarded_for(&l, xff, a), -1);
        return;
    }
    assert_int_equal(cidr_forwarded_for(&l, xff, a), 0);
    cidr_addr_text(a, text);
    assert_string_equal(text, want);
}

static void test_forwarded_for(void **state)
{
    (void)state;
    forwarded("10.0.0.0/8", "203.0.113.7", "203.0.113.7");
    /* The rightmost hop not trusted: what is left of it could be forged. */
    forwarded("10.0.0.0/8", "1.1.1.1, 203.0.113.7", "203.0.113.7");
    forwarded("10.0.0.0/8", "1.1.1.1, 203.0.113.7, 10.0.0.2", "203.0.113.7");
    forwarded("10.0.0.0/8", "10.0.0.5,10.0.0.2", "10.0.0.5"); /* all trusted: leftmost */
    forwarded("10.0.0.0/8", "  2001:db8::7 ", "2001:db8::7");
    /* Junk stops the walk at the last address that was read. */
    forwarded("10.0.0.0/8", "203.0.113.7, junk, 10.0.0.3", "10.0.0.3");
    forwarded("10.0.0.0/8", "junk", NULL);
    forwarded("10.0.0.0/8", "", NULL);
    forwarded("10.0.0.0/8", ",", NULL);
    forwarded("10.0.0.0/8", "203.0.113.7,", NULL);
    {
        struct cidr_list l = {0};
        unsigned char a[CIDR_ADDR_LEN];

        assert_int_equal(cidr_forwarded_for(&l, NULL, a), -1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_addr_parse), cmocka_unit_test(test_addr_of_sockaddr),
        cmocka_unit_test(test_ranges),     cmocka_unit_test(test_range_parse_refuses),
        cmocka_unit_test(test_list_parse), cmocka_unit_test(test_forwarded_for),
    };

    return cmocka_run_group_tests_name("cidr", tests, NULL, NULL);
}
