/*
 * cidr.h — IP addresses and CIDR ranges, IPv4 and IPv6, for the trusted
 * proxy list and for counting connections per client address.
 *
 * An address is kept as 16 bytes: IPv6 as is, IPv4 as the IPv4-mapped IPv6
 * address ::ffff:a.b.c.d, so "10.0.0.0/8" and a peer seen as ::ffff:10.1.2.3
 * on a dual-stack socket match. Pure functions, no allocation.
 */
#ifndef CF_LIB_CIDR_H
#define CF_LIB_CIDR_H

#include <stddef.h>

struct sockaddr;

#define CIDR_ADDR_LEN 16 /* bytes of an address */
#define CIDR_TEXT_MAX 46 /* INET6_ADDRSTRLEN: longest address text with its NUL */
#define CIDR_LIST_MAX 32 /* ranges in one list */

struct cidr {
    unsigned char addr[CIDR_ADDR_LEN]; /* bits past the prefix are zero */
    int bits;                          /* prefix length over the 16 bytes: 0..128 */
};

struct cidr_list {
    int n;
    struct cidr v[CIDR_LIST_MAX];
};

/* Parses an IPv4 or IPv6 address ("192.0.2.1", "2001:db8::1"); 0, or -1 when it is not one. */
int cidr_addr_parse(const char *s, unsigned char a[CIDR_ADDR_LEN]);

/* The address of an AF_INET or AF_INET6 socket address; -1 for any other family. */
int cidr_addr_of(const struct sockaddr *sa, unsigned char a[CIDR_ADDR_LEN]);

/* The address as text ("192.0.2.1" for a mapped IPv4 address, else IPv6) into out. */
void cidr_addr_text(const unsigned char a[CIDR_ADDR_LEN], char out[CIDR_TEXT_MAX]);

/*
 * Parses "ADDR/BITS" or a bare ADDR (a single address): IPv4 takes 0..32
 * bits, IPv6 0..128. Bits set past the prefix ("10.1.0.0/8") are refused:
 * they are usually a typo. 0, or -1 when s is not such a range.
 */
int cidr_parse(const char *s, struct cidr *c);

/*
 * Parses a comma-separated list of ranges (spaces around entries allowed)
 * into l. 0; or -1 with the first bad entry copied into bad (bn bytes), an
 * empty entry, or more than CIDR_LIST_MAX entries (bad then says so).
 */
int cidr_list_parse(const char *s, struct cidr_list *l, char *bad, size_t bn);

/* 1 when address a lies in range c. */
int cidr_contains(const struct cidr *c, const unsigned char a[CIDR_ADDR_LEN]);

/* 1 when address a lies in any range of l (l may be NULL: then 0). */
int cidr_list_contains(const struct cidr_list *l, const unsigned char a[CIDR_ADDR_LEN]);

/*
 * The client behind trusted proxies, from an X-Forwarded-For value ("client,
 * proxy1, proxy2", each proxy appending the address it received from): walks
 * from the right and gives the first address not in trusted (the hops to its
 * left could have been written by anyone). When an entry is not an address
 * the walk stops at the last good one; when every entry is trusted, the
 * leftmost. 0 with *client set, or -1 when xff holds no address at all.
 */
int cidr_forwarded_for(const struct cidr_list *trusted, const char *xff,
                       unsigned char client[CIDR_ADDR_LEN]);

#endif
