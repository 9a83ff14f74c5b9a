/*
 * fuzz_regindex.c — libFuzzer harness for the registry's in-memory index
 * (src/core/regindex.c) and registry_fold (src/core/registry.c).
 *
 * The input's lines are rows (any bytes: the index must read whatever a
 * registry row holds) and its last line a search. Every row is indexed
 * without a crash or sanitizer report; the search, folded as svc/registry.c
 * folds it, then gives a total no larger than the rows and page ranks that
 * ascend and name rows with their own ids and payloads.
 * Seeds: tests/fuzz/corpus/regindex/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/regindex.h"
#include "core/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct regindex_builder *b = regindex_builder_new();
    struct regindex *ix;
    struct registry_query q;
    struct cf_error err;
    const char *text = (const char *)data, *last = text;
    char folded[REGISTRY_WORDS_MAX][REGISTRY_WORD_MAX], search[REGISTRY_Q_MAX + 1];
    const char *words[REGISTRY_WORDS_MAX];
    uint32_t ranks[REGISTRY_PAGE_SIZE];
    int64_t rows = 0;
    long nids = 0, total = 0;
    size_t start = 0;

    if (b == NULL)
        return 0;
    for (size_t i = 0; i <= size; i++) {
        if (i < size && data[i] != '\n')
            continue;
        if (i == size) {
            last = text + start;
            break;
        }
        if (regindex_builder_add(b, rows + 1, rows % 2 ? "OH" : "", text + start, i - start,
                                 text + start, i - start, &err) != CF_OK) {
            regindex_builder_free(b);
            return 0;
        }
        rows++;
        start = i + 1;
    }
    ix = regindex_builder_finish(b, 1);
    if (ix == NULL)
        return 0;
    if ((size_t)rows != regindex_rows(ix))
        abort();

    if ((size_t)(text + size - last) > REGISTRY_Q_MAX)
        goto out;
    memcpy(search, last, (size_t)(text + size - last));
    search[text + size - last] = '\0';
    if (strlen(search) != (size_t)(text + size - last) ||
        registry_query_parse(search, &q, &err) != CF_OK)
        goto out;
    for (int w = 0; w < q.nwords; w++) {
        if (registry_fold(q.words[w], strlen(q.words[w]), folded[w], sizeof folded[w], NULL) == 0)
            abort(); /* a word the parser read always folds */
        words[w] = folded[w];
    }
    for (long offset = 0; offset < 2 * REGISTRY_PAGE_SIZE; offset += REGISTRY_PAGE_SIZE) {
        if (regindex_search(ix, words, q.nwords, offset ? "OH" : NULL, offset, REGISTRY_PAGE_SIZE,
                            ranks, &nids, &total, &err) != CF_OK)
            break;
        if (total > rows || nids > REGISTRY_PAGE_SIZE || nids < 0)
            abort();
        for (long i = 0; i < nids; i++) {
            size_t np = 0;

            /* Ranks ascend; a row's id is its rank + 1 here, its payload its own line. */
            if (ranks[i] >= (uint32_t)rows || (i > 0 && ranks[i] <= ranks[i - 1]) ||
                regindex_id(ix, ranks[i]) != (int64_t)ranks[i] + 1)
                abort();
            (void)regindex_payload(ix, ranks[i], &np);
            if (np > size)
                abort();
        }
    }

out:
    regindex_free(ix);
    return 0;
}
