/*
 * arena.h — a region allocator (after h2o's per-request pool).
 *
 * Everything allocated from an arena lives until arena_free(); nobody frees
 * single objects. The web layer makes one per request and frees it when the
 * response is queued.
 */
#ifndef CF_ARENA_H
#define CF_ARENA_H

#include <stddef.h>

struct arena;

/* A new empty arena, or NULL on memory failure. */
struct arena *arena_new(void);

/* Frees the arena and everything allocated from it. NULL is a no-op. */
void arena_free(struct arena *a);

/* n bytes aligned for any type, zeroed; NULL on memory failure. */
void *arena_alloc(struct arena *a, size_t n);

/* A copy of s (or its first n bytes) in the arena; NULL on memory failure. */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);

/* printf into the arena; NULL on memory or format failure. */
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
