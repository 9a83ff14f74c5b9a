/*
 * registry.h — the public registry's search text, read into words.
 *
 * A search is a few words; each must match the start of a word of a
 * credential's number, holder name, organization or state. The store turns
 * the words into its database's query (FTS5 on SQLite, a tsquery on
 * PostgreSQL), so the words carry nothing either query language would read
 * as syntax: only letters and digits (and any non-ASCII letter, whose case
 * and accents the database folds).
 */
#ifndef CF_CORE_REGISTRY_H
#define CF_CORE_REGISTRY_H

#include <stddef.h>

#include "lib/err.h"

#define REGISTRY_Q_MAX     200  /* bytes of search text at most */
#define REGISTRY_WORDS_MAX 8    /* words in one search at most */
#define REGISTRY_WORD_MAX  64   /* bytes of one word at most, with its NUL */
#define REGISTRY_PAGE_SIZE 25   /* results per page */
#define REGISTRY_PAGE_MAX  4000 /* pages at most (100,000 results) */

struct registry_query {
    char words[REGISTRY_WORDS_MAX][REGISTRY_WORD_MAX];
    int nwords;
};

/*
 * Reads the search text q (UTF-8, may be NULL or empty: no words) into words:
 * runs of ASCII letters and digits and non-ASCII characters, split at
 * everything else (spaces, hyphens, quotes, punctuation, and the no-break
 * space and general punctuation of Unicode). CF_OK; CF_EINVAL with a sentence
 * (field "q") when q is longer than REGISTRY_Q_MAX bytes, not UTF-8, has a
 * word longer than REGISTRY_WORD_MAX - 1 bytes or more than
 * REGISTRY_WORDS_MAX words. out is always initialized (no words on failure).
 */
int registry_query_parse(const char *q, struct registry_query *out, struct cf_error *err);

/*
 * A state code from the ?state= text: two ASCII letters, upper-cased into out
 * (3 bytes). An empty or NULL text gives "" (every state). CF_EINVAL (field
 * "state") for anything else.
 */
int registry_state_parse(const char *s, char out[3], struct cf_error *err);

/*
 * One character of UTF-8 at p (n bytes left): its length in bytes (1-4) and
 * *cp its code point; 0 when the bytes are not a well-formed character.
 */
size_t registry_utf8(const unsigned char *p, size_t n, unsigned long *cp);

/* 1 when the code point belongs to a word of a search (see registry_query_parse). */
int registry_word_char(unsigned long c);

/*
 * Folds one word (n bytes of UTF-8, word characters only) into out (cap
 * bytes): ASCII letters to lower case and the accented Latin letters that
 * cf_fold() of migration 018 knows to their base letter; any other character
 * is copied unchanged and counted in *unknown (may be NULL). Returns the
 * length written (out is NUL-terminated), or 0 when out is too small or the
 * word is empty or not UTF-8.
 */
size_t registry_fold(const char *w, size_t n, char *out, size_t cap, int *unknown);

#endif
