/*
 * regindex.c — the registry's words in memory (see regindex.h).
 *
 * Building: each row's words are folded and looked up in an open-addressing
 * table of the distinct words; a (word, rank) pair is recorded unless the row
 * already gave that word. Finishing sorts the distinct words by their bytes
 * (so the words sharing a prefix are one run) and lays the ranks of each word
 * out together; rows were added in rank order, so each word's ranks come out
 * ascending without a sort.
 */
#include "core/regindex.h"

#include <stdlib.h>
#include <string.h>

#include "core/registry.h"

#define WORD_MAX REGISTRY_WORD_MAX /* bytes of a folded word kept, with its NUL */
/* A word held by at least one row in DENSE_SHARE (and DENSE_MIN rows) keeps its ranks as a
 * bitmap too: a search ORs its words instead of setting a bit per rank (a state code or
 * "district" is in most rows). At most DENSE_MAX such words. */
#define DENSE_SHARE 16
#define DENSE_MIN   256
#define DENSE_MAX   256

struct regindex {
    int64_t gen;
    uint32_t nrows;
    int64_t *ids;         /* by rank */
    char *states;         /* by rank, two bytes each ("\0\0" for none) */
    char *payload;        /* the rows' payloads, one after the other */
    uint32_t *payload_at; /* row r's payload: payload[payload_at[r] .. payload_at[r + 1]) */
    uint32_t nterms;      /* distinct words, in byte order */
    char *text;           /* the words, NUL-separated */
    size_t ntext;
    uint32_t *term_at; /* word i starts at text + term_at[i] */
    uint32_t *post_at; /* ranks of word i: post[post_at[i] .. post_at[i + 1]) */
    uint32_t *post;
    uint64_t **dense; /* word i's ranks as a bitmap too when it is frequent, else NULL */
    uint32_t ndense;  /* words with a bitmap */
};

struct regindex_builder {
    int64_t *ids;
    char *states;
    uint32_t nrows;
    size_t cap_ids, cap_states;
    char *payload;
    size_t npayload, cap_payload;
    uint32_t *payload_at; /* nrows + 1 entries */
    size_t cap_payload_at;

    char *text; /* distinct words, NUL-separated, in first-seen order */
    size_t ntext, cap_text;
    uint32_t *term_at; /* by word id */
    uint32_t *last;    /* by word id: the last rank that gave the word, + 1 */
    uint32_t *count;   /* by word id: ranks holding it */
    uint32_t nterms;
    size_t cap_term_at, cap_last, cap_count;

    uint32_t *slots; /* hash table of word id + 1 (0 empty) */
    uint32_t nslots;

    uint32_t *pairs; /* (word id, rank) pairs in the order added */
    size_t npairs, cap_pairs;
};

/*
 * p (of *cap elements of size each) grown to hold need elements: p itself when
 * it has room, else the reallocated block (*cap updated); NULL when memory runs
 * out (p is then unchanged).
 */
static void *grow(void *p, size_t each, size_t *cap, size_t need)
{
    size_t n = *cap != 0 ? *cap : 64;
    void *q;

    if (need <= *cap && p != NULL)
        return p;
    while (n < need)
        n *= 2;
    q = realloc(p, n * each);
    if (q != NULL)
        *cap = n;
    return q;
}

/* Grows the array field f of b with grow(); on failure jumps to the label fail. */
#define GROW(f, cap, need, fail)                                                                   \
    do {                                                                                           \
        void *q_ = grow((f), sizeof *(f), (cap), (need));                                          \
        if (q_ == NULL)                                                                            \
            goto fail;                                                                             \
        (f) = q_;                                                                                  \
    } while (0)

static uint32_t hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a */

    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

struct regindex_builder *regindex_builder_new(void)
{
    struct regindex_builder *b = calloc(1, sizeof *b);

    if (b == NULL)
        return NULL;
    b->nslots = 1024;
    b->slots = calloc(b->nslots, sizeof *b->slots);
    if (b->slots == NULL) {
        free(b);
        return NULL;
    }
    return b;
}

void regindex_builder_free(struct regindex_builder *b)
{
    if (b == NULL)
        return;
    free(b->ids);
    free(b->states);
    free(b->payload);
    free(b->payload_at);
    free(b->text);
    free(b->term_at);
    free(b->last);
    free(b->count);
    free(b->slots);
    free(b->pairs);
    free(b);
}

/* Doubles the hash table; 0 on success. */
static int rehash(struct regindex_builder *b)
{
    uint32_t n = b->nslots * 2, *slots = calloc(n, sizeof *slots);

    if (slots == NULL)
        return -1;
    for (uint32_t t = 0; t < b->nterms; t++) {
        const char *w = b->text + b->term_at[t];
        uint32_t i = hash(w, strlen(w)) & (n - 1);

        while (slots[i] != 0)
            i = (i + 1) & (n - 1);
        slots[i] = t + 1;
    }
    free(b->slots);
    b->slots = slots;
    b->nslots = n;
    return 0;
}

/* The id of word w (n bytes), added when new; -1 when memory runs out. */
static long term_id(struct regindex_builder *b, const char *w, size_t n)
{
    uint32_t i = hash(w, n) & (b->nslots - 1);

    for (; b->slots[i] != 0; i = (i + 1) & (b->nslots - 1)) {
        const char *t = b->text + b->term_at[b->slots[i] - 1];

        if (strncmp(t, w, n) == 0 && t[n] == '\0')
            return (long)b->slots[i] - 1;
    }
    if (b->ntext + n + 1 > UINT32_MAX)
        return -1;
    GROW(b->text, &b->cap_text, b->ntext + n + 1, nomem);
    GROW(b->term_at, &b->cap_term_at, (size_t)b->nterms + 1, nomem);
    GROW(b->last, &b->cap_last, (size_t)b->nterms + 1, nomem);
    GROW(b->count, &b->cap_count, (size_t)b->nterms + 1, nomem);
    memcpy(b->text + b->ntext, w, n);
    b->text[b->ntext + n] = '\0';
    b->term_at[b->nterms] = (uint32_t)b->ntext;
    b->last[b->nterms] = 0;
    b->count[b->nterms] = 0;
    b->ntext += n + 1;
    b->slots[i] = b->nterms + 1;
    b->nterms++;
    if ((size_t)b->nterms * 2 > b->nslots && rehash(b) != 0)
        return -1;
    return (long)b->nterms - 1;

nomem:
    return -1;
}

/* The length of the first at most max bytes of w (n bytes of UTF-8) that end at a character. */
static size_t cut(const char *w, size_t n, size_t max)
{
    if (n <= max)
        return n;
    while (max > 0 && ((unsigned char)w[max] & 0xC0u) == 0x80u)
        max--;
    return max;
}

/*
 * Records word w (n bytes, unfolded) for the row being added. A word longer
 * than a search's word can be is kept by its start, which every word a
 * search may hold matches the same way.
 */
static int add_word(struct regindex_builder *b, const char *w, size_t n)
{
    char folded[4 * WORD_MAX];
    size_t fn = registry_fold(w, cut(w, n, sizeof folded - 1), folded, sizeof folded, NULL);
    long t;

    if (fn == 0)
        return 0; /* not UTF-8: no search can name it */
    fn = cut(folded, fn, WORD_MAX - 1);
    folded[fn] = '\0';
    t = term_id(b, folded, fn);
    if (t < 0)
        return -1;
    if (b->last[t] == b->nrows)
        return 0; /* the row gave this word already (last holds rank + 1) */
    b->last[t] = b->nrows;
    b->count[t]++;
    GROW(b->pairs, &b->cap_pairs, b->npairs + 2, nomem);
    b->pairs[b->npairs++] = (uint32_t)t;
    b->pairs[b->npairs++] = b->nrows - 1;
    return 0;

nomem:
    return -1;
}

int regindex_builder_add(struct regindex_builder *b, int64_t id, const char *state,
                         const char *text, size_t n, const void *payload, size_t np,
                         struct cf_error *err)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t i = 0, start = 0;
    int in_word = 0;

    if (b->nrows >= REGINDEX_ROWS_MAX || b->npayload + np > REGINDEX_BYTES_MAX)
        return cf_error_set(err, CF_EINVAL, NULL, "The registry is too large to index.");
    GROW(b->ids, &b->cap_ids, (size_t)b->nrows + 1, nomem);
    GROW(b->states, &b->cap_states, 2 * ((size_t)b->nrows + 1), nomem);
    GROW(b->payload_at, &b->cap_payload_at, (size_t)b->nrows + 2, nomem);
    GROW(b->payload, &b->cap_payload, b->npayload + np + 1, nomem);
    if (np > 0)
        memcpy(b->payload + b->npayload, payload, np);
    b->payload_at[b->nrows] = (uint32_t)b->npayload;
    b->npayload += np;
    b->payload_at[b->nrows + 1] = (uint32_t)b->npayload;
    b->ids[b->nrows] = id;
    b->states[2 * b->nrows] = state != NULL && state[0] != '\0' ? state[0] : '\0';
    b->states[2 * b->nrows + 1] = state != NULL && state[0] != '\0' ? state[1] : '\0';
    b->nrows++; /* ranks are 0-based; last[] keeps rank + 1 = nrows */

    /* Words as registry_query_parse reads them: word characters between the others; a
     * byte that is not UTF-8 ends a word like a space. */
    while (i <= n) {
        unsigned long c = 0;
        size_t len = i < n ? registry_utf8(p + i, n - i, &c) : 0;
        int wc = len > 0 && registry_word_char(c);

        if (wc && !in_word) {
            start = i;
            in_word = 1;
        } else if (!wc && in_word) {
            if (add_word(b, text + start, i - start) != 0)
                goto nomem;
            in_word = 0;
        }
        i += len > 0 ? len : 1;
    }
    return CF_OK;

nomem:
    return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
}

struct word_order {
    const char *w;
    uint32_t id;
};

static int by_bytes(const void *a, const void *b)
{
    return strcmp(((const struct word_order *)a)->w, ((const struct word_order *)b)->w);
}

struct regindex *regindex_builder_finish(struct regindex_builder *b, int64_t gen)
{
    struct regindex *ix = calloc(1, sizeof *ix);
    struct word_order *order = calloc((size_t)b->nterms + 1, sizeof *order);
    uint32_t *place = calloc((size_t)b->nterms + 1, sizeof *place);
    uint32_t *cursor = calloc((size_t)b->nterms + 1, sizeof *cursor);
    size_t o = 0;

    if (ix == NULL || order == NULL || place == NULL || cursor == NULL)
        goto fail;
    ix->gen = gen;
    ix->nrows = b->nrows;
    ix->nterms = b->nterms;
    ix->ids = b->ids;
    ix->states = b->states;
    ix->payload = b->payload;
    ix->payload_at = b->payload_at;
    b->ids = NULL;
    b->states = NULL;
    b->payload = NULL;
    b->payload_at = NULL;
    ix->text = malloc(b->ntext + 1);
    ix->term_at = calloc((size_t)b->nterms + 1, sizeof *ix->term_at);
    ix->post_at = calloc((size_t)b->nterms + 1, sizeof *ix->post_at);
    ix->post = malloc(b->npairs / 2 * sizeof *ix->post + 1);
    if (ix->text == NULL || ix->term_at == NULL || ix->post_at == NULL || ix->post == NULL)
        goto fail;

    /* The words in byte order; place[] maps a word id to its position there. */
    for (uint32_t t = 0; t < b->nterms; t++)
        order[t] = (struct word_order){b->text + b->term_at[t], t};
    qsort(order, b->nterms, sizeof *order, by_bytes);
    for (uint32_t k = 0; k < b->nterms; k++) {
        size_t len = strlen(order[k].w);

        place[order[k].id] = k;
        memcpy(ix->text + o, order[k].w, len + 1);
        ix->term_at[k] = (uint32_t)o;
        o += len + 1;
    }
    ix->ntext = o;

    /* Each word's ranks together, in the order they were added (ascending). */
    for (uint32_t k = 0; k < b->nterms; k++) {
        ix->post_at[k + 1] = ix->post_at[k] + b->count[order[k].id];
        cursor[k] = ix->post_at[k];
    }
    for (size_t i = 0; i < b->npairs; i += 2)
        ix->post[cursor[place[b->pairs[i]]]++] = b->pairs[i + 1];

    /* Bitmaps of the frequent words. */
    ix->dense = calloc((size_t)b->nterms + 1, sizeof *ix->dense);
    if (ix->dense == NULL)
        goto fail;
    for (uint32_t k = 0; k < b->nterms && ix->ndense < DENSE_MAX; k++) {
        uint32_t n = ix->post_at[k + 1] - ix->post_at[k];
        size_t nw = ((size_t)ix->nrows + 63) / 64;

        if (n < DENSE_MIN || (size_t)n * DENSE_SHARE < ix->nrows)
            continue;
        ix->dense[k] = calloc(nw, sizeof **ix->dense);
        if (ix->dense[k] == NULL)
            goto fail;
        for (uint32_t i = ix->post_at[k]; i < ix->post_at[k + 1]; i++)
            ix->dense[k][ix->post[i] >> 6] |= (uint64_t)1 << (ix->post[i] & 63);
        ix->ndense++;
    }

    free(order);
    free(place);
    free(cursor);
    regindex_builder_free(b);
    return ix;

fail:
    free(order);
    free(place);
    free(cursor);
    regindex_free(ix);
    regindex_builder_free(b);
    return NULL;
}

void regindex_free(struct regindex *ix)
{
    if (ix == NULL)
        return;
    free(ix->ids);
    free(ix->states);
    free(ix->payload);
    free(ix->payload_at);
    free(ix->text);
    free(ix->term_at);
    free(ix->post_at);
    free(ix->post);
    if (ix->dense != NULL)
        for (uint32_t k = 0; k < ix->nterms; k++)
            free(ix->dense[k]);
    free(ix->dense);
    free(ix);
}

int64_t regindex_gen(const struct regindex *ix)
{
    return ix->gen;
}

size_t regindex_rows(const struct regindex *ix)
{
    return ix->nrows;
}

size_t regindex_bytes(const struct regindex *ix)
{
    return sizeof *ix + (size_t)ix->nrows * (sizeof *ix->ids + 2 + sizeof *ix->payload_at) +
           (ix->nrows > 0 ? ix->payload_at[ix->nrows] : 0) + ix->ntext +
           ((size_t)ix->nterms + 1) * 2 * sizeof(uint32_t) +
           (size_t)ix->post_at[ix->nterms] * sizeof *ix->post +
           (size_t)ix->nterms * sizeof *ix->dense +
           (size_t)ix->ndense * (((size_t)ix->nrows + 63) / 64) * sizeof(uint64_t);
}

/* The first word at or after w in byte order. */
static uint32_t lower_bound(const struct regindex *ix, const char *w)
{
    uint32_t lo = 0, hi = ix->nterms;

    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;

        if (strcmp(ix->text + ix->term_at[mid], w) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Marks in bits the ranks of every word starting with w. */
static void mark_prefix(const struct regindex *ix, const char *w, uint64_t *bits)
{
    size_t n = strlen(w);

    size_t nw = ((size_t)ix->nrows + 63) / 64;

    for (uint32_t k = lower_bound(ix, w);
         k < ix->nterms && strncmp(ix->text + ix->term_at[k], w, n) == 0; k++) {
        if (ix->dense[k] != NULL) {
            for (size_t i = 0; i < nw; i++)
                bits[i] |= ix->dense[k][i];
            continue;
        }
        for (uint32_t i = ix->post_at[k]; i < ix->post_at[k + 1]; i++)
            bits[ix->post[i] >> 6] |= (uint64_t)1 << (ix->post[i] & 63);
    }
}

int64_t regindex_id(const struct regindex *ix, uint32_t rank)
{
    return ix->ids[rank];
}

const char *regindex_payload(const struct regindex *ix, uint32_t rank, size_t *n)
{
    *n = ix->payload_at[rank + 1] - ix->payload_at[rank];
    return ix->payload + ix->payload_at[rank];
}

int regindex_search(const struct regindex *ix, const char *const *words, int nwords,
                    const char *state, long offset, long limit, uint32_t *ranks, long *nids,
                    long *total, struct cf_error *err)
{
    size_t nw = ((size_t)ix->nrows + 63) / 64;
    uint64_t *acc = calloc(nw + 1, sizeof *acc), *tmp = NULL;
    int any_state = state == NULL || state[0] == '\0';
    long seen = 0, got = 0;

    *nids = 0;
    *total = 0;
    if (acc == NULL)
        goto nomem;
    if (nwords == 0) {
        for (size_t i = 0; i < nw; i++)
            acc[i] = ~(uint64_t)0;
        if (ix->nrows % 64 != 0)
            acc[nw - 1] = ((uint64_t)1 << (ix->nrows % 64)) - 1;
    } else
        mark_prefix(ix, words[0], acc);
    if (nwords > 1 && (tmp = malloc((nw + 1) * sizeof *tmp)) == NULL)
        goto nomem;
    for (int k = 1; k < nwords; k++) {
        memset(tmp, 0, (nw + 1) * sizeof *tmp);
        mark_prefix(ix, words[k], tmp);
        for (size_t i = 0; i < nw; i++)
            acc[i] &= tmp[i];
    }

    /* The count and the page in rank order: whole 64-row blocks before the page are
     * counted without looking at their bits (when no state narrows them). */
    for (size_t i = 0; i < nw; i++) {
        uint64_t bits = acc[i];

        if (bits == 0)
            continue;
        if (any_state && (seen + __builtin_popcountll(bits) <= offset || got >= limit)) {
            seen += __builtin_popcountll(bits);
            continue;
        }
        while (bits != 0) {
            uint32_t rank = (uint32_t)(i * 64 + (size_t)__builtin_ctzll(bits));

            bits &= bits - 1;
            if (!any_state &&
                (ix->states[2 * rank] != state[0] || ix->states[2 * rank + 1] != state[1]))
                continue;
            if (seen >= offset && got < limit)
                ranks[got++] = rank;
            seen++;
        }
    }
    *total = seen;
    *nids = got;
    free(acc);
    free(tmp);
    return CF_OK;

nomem:
    free(acc);
    free(tmp);
    return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
}
