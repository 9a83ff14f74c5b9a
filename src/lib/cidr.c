/* cidr.c — IP addresses and CIDR ranges (see cidr.h). */
#include "lib/cidr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static const unsigned char V4_MAPPED[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static int is_v4_mapped(const unsigned char a[CIDR_ADDR_LEN])
{
    return memcmp(a, V4_MAPPED, sizeof V4_MAPPED) == 0;
}

int cidr_addr_parse(const char *s, unsigned char a[CIDR_ADDR_LEN])
{
    struct in_addr v4;
    struct in6_addr v6;

    if (s == NULL)
        return -1;
    if (inet_pton(AF_INET, s, &v4) == 1) {
        memcpy(a, V4_MAPPED, sizeof V4_MAPPED);
        memcpy(a + 12, &v4, 4);
        return 0;
    }
    if (inet_pton(AF_INET6, s, &v6) == 1) {
        memcpy(a, &v6, CIDR_ADDR_LEN);
        return 0;
    }
    return -1;
}

int cidr_addr_of(const struct sockaddr *sa, unsigned char a[CIDR_ADDR_LEN])
{
    if (sa == NULL)
        return -1;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;

        memcpy(a, V4_MAPPED, sizeof V4_MAPPED);
        memcpy(a + 12, &in->sin_addr, 4);
        return 0;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;

        memcpy(a, &in6->sin6_addr, CIDR_ADDR_LEN);
        return 0;
    }
    return -1;
}

void cidr_addr_text(const unsigned char a[CIDR_ADDR_LEN], char out[CIDR_TEXT_MAX])
{
    if (is_v4_mapped(a)) {
        if (inet_ntop(AF_INET, a + 12, out, CIDR_TEXT_MAX) != NULL)
            return;
    } else if (inet_ntop(AF_INET6, a, out, CIDR_TEXT_MAX) != NULL) {
        return;
    }
    snprintf(out, CIDR_TEXT_MAX, "-");
}

int cidr_parse(const char *s, struct cidr *c)
{
    char addr[CIDR_TEXT_MAX];
    const char *slash = strchr(s, '/');
    size_t n = slash != NULL ? (size_t)(slash - s) : strlen(s);
    int v4, max, bits;

    if (n == 0 || n >= sizeof addr)
        return -1;
    memcpy(addr, s, n);
    addr[n] = '\0';
    if (cidr_addr_parse(addr, c->addr) != 0)
        return -1;
    v4 = strchr(addr, ':') == NULL;
    max = v4 ? 32 : 128;
    bits = max;
    if (slash != NULL) {
        const char *p = slash + 1;

        if (*p == '\0' || strlen(p) > 3)
            return -1;
        bits = 0;
        for (; *p != '\0'; p++) {
            if (*p < '0' || *p > '9')
                return -1;
            bits = bits * 10 + (*p - '0');
        }
        if (bits > max)
            return -1;
    }
    c->bits = v4 ? bits + 96 : bits;
    /* Nothing may be set past the prefix. */
    for (int i = c->bits; i < 128; i++)
        if (c->addr[i / 8] & (0x80 >> (i % 8)))
            return -1;
    return 0;
}

int cidr_list_parse(const char *s, struct cidr_list *l, char *bad, size_t bn)
{
    l->n = 0;
    if (bn > 0)
        bad[0] = '\0';
    for (const char *p = s;;) {
        const char *end = strchr(p, ',');
        size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
        char one[64];

        while (n > 0 && (*p == ' ' || *p == '\t')) {
            p++;
            n--;
        }
        while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        if (n == 0 || n >= sizeof one) {
            snprintf(bad, bn, "%.*s", (int)(n < 60 ? n : 60), p);
            return -1;
        }
        memcpy(one, p, n);
        one[n] = '\0';
        if (l->n == CIDR_LIST_MAX) {
            snprintf(bad, bn, "%s (more than %d entries)", one, CIDR_LIST_MAX);
            return -1;
        }
        if (cidr_parse(one, &l->v[l->n]) != 0) {
            snprintf(bad, bn, "%s", one);
            return -1;
        }
        l->n++;
        if (end == NULL)
            return 0;
        p = end + 1;
    }
}

int cidr_contains(const struct cidr *c, const unsigned char a[CIDR_ADDR_LEN])
{
    int whole = c->bits / 8, rest = c->bits % 8;

    if (memcmp(c->addr, a, (size_t)whole) != 0)
        return 0;
    if (rest == 0)
        return 1;
    return ((c->addr[whole] ^ a[whole]) & (unsigned char)(0xff << (8 - rest))) == 0;
}

int cidr_list_contains(const struct cidr_list *l, const unsigned char a[CIDR_ADDR_LEN])
{
    if (l == NULL)
        return 0;
    for (int i = 0; i < l->n; i++)
        if (cidr_contains(&l->v[i], a))
            return 1;
    return 0;
}

int cidr_forwarded_for(const struct cidr_list *trusted, const char *xff,
                       unsigned char client[CIDR_ADDR_LEN])
{
    const char *end = xff != NULL ? xff + strlen(xff) : NULL;
    int found = 0;

    if (xff == NULL)
        return -1;
    while (end > xff) {
        const char *start = end;
        char one[CIDR_TEXT_MAX + 2];
        unsigned char a[CIDR_ADDR_LEN];
        size_t n;

        while (start > xff && start[-1] != ',')
            start--;
        /* Trim spaces; the entry is [start, end). */
        n = (size_t)(end - start);
        while (n > 0 && (*start == ' ' || *start == '\t')) {
            start++;
            n--;
        }
        while (n > 0 && (start[n - 1] == ' ' || start[n - 1] == '\t'))
            n--;
        if (n == 0 || n >= sizeof one)
            break;
        memcpy(one, start, n);
        one[n] = '\0';
        if (cidr_addr_parse(one, a) != 0)
            break;
        memcpy(client, a, CIDR_ADDR_LEN);
        found = 1;
        if (!cidr_list_contains(trusted, a))
            break;
        /* Step left past this entry and its comma. */
        end = start;
        while (end > xff && end[-1] != ',')
            end--;
        if (end > xff)
            end--;
        else
            break;
    }
    return found ? 0 : -1;
}
