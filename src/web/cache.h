/*
 * cache.h — finished responses of public read routes, valid while the
 * store's framework generation is unchanged (see cache.c).
 *
 * A cached body is shared and reference-counted: a hit hands out a
 * reference that the response releases when libmicrohttpd has sent it, so
 * the bytes are never copied per request.
 */
#ifndef CF_WEB_CACHE_H
#define CF_WEB_CACHE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct cbody {
    atomic_int refs;
    size_t n;
    char etag[40];
    char type[64];
    char extra_name[32]; /* one extra header (X-Total-Count), "" for none */
    char extra_value[32];
    char data[];
};

/* A new body (one reference) holding a copy of the bytes and their ETag; NULL on failure. */
struct cbody *cbody_new(const char *data, size_t n, const char *type, const char *etag,
                        const char *extra_name, const char *extra_value);

/* Drops one reference; frees at zero. A void* signature so libmicrohttpd can call it. */
void cbody_release(void *b);

/* On a hit for gen: a new reference to the body. NULL on a miss. */
struct cbody *cache_get(const char *key, int64_t gen);

/* Keeps a reference to b under key for generation gen. */
void cache_put(const char *key, int64_t gen, struct cbody *b);

/* Drops every entry (at shutdown). */
void cache_clear(void);

#endif
