/*
 * regindex.h — the registry's words held in memory, for searches that must
 * answer in well under a millisecond at 100,000 credentials.
 *
 * The database's full-text index finds the rows of a broad word ("quill",
 * 7 % of the registry) quickly, but counting them and putting the first page
 * in name order costs about 2 ms of CPU per search (docs/registry.md); with 64
 * connections on 2 cores that queues to 80 ms. This index holds, for every
 * visible credential in display order (its rank), the words of its number,
 * holder, organizations and state, folded as registry_fold() folds them. A
 * search marks the ranks of each word's prefix matches in a bitmap, ANDs the
 * words, and reads the count and the page off the bitmap in rank order: cost
 * grows with the matches of the words (a bit each) and the registry's size
 * (a bit per row, 12.5 KB at 100,000), not with sorting.
 *
 * An index is built once from rows given in display order and never changes;
 * a changed registry gets a new index (svc/registry.c). Pure: no I/O.
 */
#ifndef CF_CORE_REGINDEX_H
#define CF_CORE_REGINDEX_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

#define REGINDEX_ROWS_MAX  4000000u    /* rows in one index at most */
#define REGINDEX_BYTES_MAX 0x7fffffffu /* bytes of the rows' payloads at most */

struct regindex;
struct regindex_builder;

/* A new, empty builder; NULL when memory runs out. */
struct regindex_builder *regindex_builder_new(void);

/*
 * Adds the next row (rows are ranked in the order they are added): its id,
 * its state (two letters, or ""), its text (n bytes of UTF-8), split into
 * words as a search's text is (registry_query_parse) and folded, and a
 * payload of np bytes kept as it is for regindex_payload (what the caller
 * shows of the row; may be NULL when np is 0). A word the row already holds
 * is kept once. CF_OK; CF_ENOMEM, or CF_EINVAL past REGINDEX_ROWS_MAX rows or
 * REGINDEX_BYTES_MAX bytes of payload, with err filled (the builder is then
 * only fit for regindex_builder_free).
 */
int regindex_builder_add(struct regindex_builder *b, int64_t id, const char *state,
                         const char *text, size_t n, const void *payload, size_t np,
                         struct cf_error *err);

/*
 * Turns the builder into an index stamped with gen (the registry generation
 * the rows were read at) and frees the builder. NULL when memory runs out.
 */
struct regindex *regindex_builder_finish(struct regindex_builder *b, int64_t gen);

void regindex_builder_free(struct regindex_builder *b);
void regindex_free(struct regindex *ix);

int64_t regindex_gen(const struct regindex *ix);
size_t regindex_rows(const struct regindex *ix);
/* Bytes the index holds (for logs and the benchmark). */
size_t regindex_bytes(const struct regindex *ix);

/*
 * The rows holding, for every one of the nwords folded words, a word that
 * starts with it, in a state (two letters; "" or NULL for any), in rank
 * order: *total of them, and the ranks of those at [offset, offset + limit)
 * into ranks (room for limit), *n of them. CF_OK; CF_ENOMEM with err filled.
 * No words: every row (of the state).
 */
int regindex_search(const struct regindex *ix, const char *const *words, int nwords,
                    const char *state, long offset, long limit, uint32_t *ranks, long *n,
                    long *total, struct cf_error *err);

/* The id of the row at rank (< regindex_rows). */
int64_t regindex_id(const struct regindex *ix, uint32_t rank);

/* The payload of the row at rank: its bytes, *n of them (valid while ix is). */
const char *regindex_payload(const struct regindex *ix, uint32_t rank, size_t *n);

#endif
