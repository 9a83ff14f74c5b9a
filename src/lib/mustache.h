/*
 * mustache.h — Mustache templates over jansson values, compiled once, rendered many times.
 *
 * A struct mustache_set holds compiled templates under names; templates, partials
 * ({{>name}}) and parents ({{<name}}) share that one namespace. Compiling turns the
 * source into a flat array of nodes, so rendering never parses and allocates nothing
 * but the output. Semantics are the official Mustache spec (interpolation, sections,
 * inverted sections, comments, set delimiters, partials and the optional inheritance
 * module; no lambdas), plus dynamic names ({{>*name}}). See docs/internals/mustache.md.
 *
 * A set is not changed by rendering: once loaded, any number of threads may render
 * from it at the same time. Adding templates while others render is not allowed.
 */
#ifndef CF_MUSTACHE_H
#define CF_MUSTACHE_H

#include "lib/buf.h"
#include "lib/err.h"

#include <jansson.h>
#include <stddef.h>

/* Sections, partials, parents and blocks nested deeper than this stop with an error. */
#define MUSTACHE_MAX_DEPTH 128

/* The largest template source mustache_set_add() accepts, in bytes. */
#define MUSTACHE_MAX_SOURCE (16u * 1024u * 1024u)

/* The most nodes one render may visit before it gives up (CF_ETOOBIG). */
#define MUSTACHE_MAX_STEPS (1ul << 22)

struct mustache_set;

/* A new empty set, or NULL on memory failure. Free it with mustache_set_free(). */
struct mustache_set *mustache_set_new(void);

/* Frees the set and every template in it. NULL is a no-op. */
void mustache_set_free(struct mustache_set *s);

/*
 * Compiles src (n bytes, need not be NUL-terminated; the set keeps its own copy of
 * what it needs) and stores it under name, replacing any template of that name. On a
 * syntax error returns CF_EINVAL with err->message "NAME:LINE: what is wrong" (for
 * instance `page:3: unclosed section "x"`) and leaves the set as it was; CF_ETOOBIG
 * when src is over MUSTACHE_MAX_SOURCE, CF_ENOMEM on memory failure. err may be NULL.
 */
int mustache_set_add(struct mustache_set *s, const char *name, const char *src, size_t n,
                     struct cf_error *err);

/*
 * Compiles every regular file "NAME.mustache" directly in dir (not in subfolders) and
 * stores it under NAME, in name order. CF_EIO when dir or a file cannot be read; a
 * template that does not compile stops the loading with its mustache_set_add() error,
 * the ones before it staying in the set.
 */
int mustache_set_load_dir(struct mustache_set *s, const char *dir, struct cf_error *err);

/* 1 when the set holds a template called name, else 0. */
int mustache_set_has(const struct mustache_set *s, const char *name);

/*
 * Renders template name against data (NULL renders as an empty context) and appends
 * the text to out. A missing partial or parent renders as nothing, as the spec says.
 * Returns CF_OK; CF_ENOTFOUND when there is no template called name; CF_ETOOBIG or
 * CF_ENOMEM when out cannot take the text (out is then freed and empty, as buf does),
 * and CF_ETOOBIG when templates nest deeper than MUSTACHE_MAX_DEPTH (a partial that
 * includes itself forever) or the render takes more than MUSTACHE_MAX_STEPS. After an
 * error out may hold part of the text. err may be NULL.
 */
int mustache_render(const struct mustache_set *s, const char *name, const json_t *data,
                    struct buf *out, struct cf_error *err);

#endif
