/*
 * cache.c — finished responses of public read routes, kept until the data
 * behind them changes.
 *
 * A route flagged ROUTE_CACHE produces the same bytes for the same URL,
 * Host and representation as long as the framework generation in the store
 * has not moved (every import or removal bumps it, in any app process). So a
 * hit costs one indexed read of that counter, instead of loading, shaping
 * and rendering the package again.
 *
 * One open-addressing table shared by all workers under a mutex; when a key
 * finds no free slot among its probes it takes its home slot's place, and when
 * the byte budget is spent the table is emptied at once (imports are rare).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/cache.h"

#define CACHE_SLOTS     1024
#define CACHE_PROBES    8
#define CACHE_MAX_BYTES (32u * 1024u * 1024u)

struct entry {
    char *key;
    int64_t gen;
    struct cbody *body;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct entry table[CACHE_SLOTS];
static size_t used_bytes;

struct cbody *cbody_new(const char *data, size_t n, const char *type, const char *etag,
                        const char *extra_name, const char *extra_value)
{
    struct cbody *b = malloc(sizeof *b + n + 1);

    if (b == NULL)
        return NULL;
    atomic_init(&b->refs, 1);
    b->n = n;
    snprintf(b->etag, sizeof b->etag, "%s", etag);
    snprintf(b->type, sizeof b->type, "%s", type);
    snprintf(b->extra_name, sizeof b->extra_name, "%s", extra_name != NULL ? extra_name : "");
    snprintf(b->extra_value, sizeof b->extra_value, "%s", extra_value != NULL ? extra_value : "");
    memcpy(b->data, data, n);
    b->data[n] = '\0';
    return b;
}

void cbody_release(void *p)
{
    struct cbody *b = p;

    if (b != NULL && atomic_fetch_sub(&b->refs, 1) == 1)
        free(b);
}

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static void entry_free(struct entry *e)
{
    if (e->key == NULL)
        return;
    used_bytes -= e->body->n + strlen(e->key);
    free(e->key);
    cbody_release(e->body);
    memset(e, 0, sizeof *e);
}

struct cbody *cache_get(const char *key, int64_t gen)
{
    struct cbody *b = NULL;
    size_t i = (size_t)(hash(key) % CACHE_SLOTS);

    pthread_mutex_lock(&lock);
    for (int probe = 0; probe < CACHE_PROBES; probe++, i = (i + 1) % CACHE_SLOTS) {
        struct entry *e = &table[i];

        if (e->key == NULL)
            break;
        if (strcmp(e->key, key) != 0)
            continue;
        if (e->gen == gen) {
            b = e->body;
            atomic_fetch_add(&b->refs, 1);
        }
        break;
    }
    pthread_mutex_unlock(&lock);
    return b;
}

void cache_put(const char *key, int64_t gen, struct cbody *b)
{
    size_t cost = b->n + strlen(key);
    size_t i = (size_t)(hash(key) % CACHE_SLOTS);
    struct entry *slot = NULL;
    char *k;

    if (cost > CACHE_MAX_BYTES / 8)
        return;
    k = strdup(key);
    if (k == NULL)
        return;
    pthread_mutex_lock(&lock);
    for (int probe = 0; probe < CACHE_PROBES; probe++, i = (i + 1) % CACHE_SLOTS) {
        if (table[i].key == NULL || strcmp(table[i].key, key) == 0) {
            slot = &table[i];
            break;
        }
    }
    /* No free slot among the probes: the key's home slot gives way (emptying the whole table
     * here, as before, freed up to 1024 answers under the lock every few hundred requests
     * when searches with new text kept arriving). Over the byte budget: everything goes. */
    if (slot == NULL)
        slot = &table[hash(key) % CACHE_SLOTS];
    if (used_bytes + cost > CACHE_MAX_BYTES) {
        for (size_t j = 0; j < CACHE_SLOTS; j++)
            entry_free(&table[j]);
        slot = &table[hash(key) % CACHE_SLOTS];
    }
    entry_free(slot);
    atomic_fetch_add(&b->refs, 1);
    slot->key = k;
    slot->gen = gen;
    slot->body = b;
    used_bytes += cost;
    pthread_mutex_unlock(&lock);
}

void cache_clear(void)
{
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < CACHE_SLOTS; i++)
        entry_free(&table[i]);
    pthread_mutex_unlock(&lock);
}
