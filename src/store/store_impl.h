/* store_impl.h — the store's private struct, shared by the entity files. */
#ifndef CF_STORE_IMPL_H
#define CF_STORE_IMPL_H

#include "store/db.h"
#include "store/store.h"

struct store {
    struct db *db;
};

/* Parses a JSON column; NULL (with err filled) when the stored text is not JSON. */
json_t *store__parse(const char *text, long n, struct cf_error *err);

/* Compact JSON text of v (malloc'd), order kept; NULL on memory failure. */
char *store__dump(const json_t *v);

#endif
