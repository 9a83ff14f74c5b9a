/*
 * fuzz_registry.c — libFuzzer harness for the registry's search text
 * (registry_query_parse and registry_state_parse in src/core/registry.c):
 * GET /registry?q=&state=.
 *
 * Any text is read or refused without a crash or sanitizer report. A text
 * that is read gives at most REGISTRY_WORDS_MAX words, each non-empty,
 * NUL-terminated within REGISTRY_WORD_MAX bytes, holding no ASCII byte but
 * letters and digits (so nothing FTS5 or tsquery would read as syntax reaches
 * the database), and the words joined by spaces read again to the same
 * words. A refused text leaves no words. A state read is two capitals.
 * Seeds: tests/fuzz/corpus/registry/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 1 when byte c may be in a word: an ASCII letter or digit, or part of a non-ASCII character. */
static int word_byte(unsigned char c)
{
    return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct registry_query q, again;
    char s[REGISTRY_Q_MAX * 2], joined[REGISTRY_WORDS_MAX * REGISTRY_WORD_MAX], st[3];
    size_t o = 0;

    if (size >= sizeof s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';

    if (registry_state_parse(s, st, NULL) == CF_OK && st[0] != '\0' &&
        (strlen(st) != 2 || st[0] < 'A' || st[0] > 'Z' || st[1] < 'A' || st[1] > 'Z'))
        abort();

    if (registry_query_parse(s, &q, NULL) != CF_OK) {
        if (q.nwords != 0)
            abort();
        return 0;
    }
    if (q.nwords < 0 || q.nwords > REGISTRY_WORDS_MAX)
        abort();
    for (int i = 0; i < q.nwords; i++) {
        size_t n = strnlen(q.words[i], REGISTRY_WORD_MAX);

        if (n == 0 || n >= REGISTRY_WORD_MAX)
            abort();
        for (size_t k = 0; k < n; k++)
            if (!word_byte((unsigned char)q.words[i][k]))
                abort();
        memcpy(joined + o, q.words[i], n);
        o += n;
        joined[o++] = ' ';
    }
    joined[o > 0 ? o - 1 : 0] = '\0';
    if (strlen(joined) <= REGISTRY_Q_MAX) {
        if (registry_query_parse(joined, &again, NULL) != CF_OK || again.nwords != q.nwords)
            abort();
        for (int i = 0; i < q.nwords; i++)
            if (strcmp(again.words[i], q.words[i]) != 0)
                abort();
    }
    return 0;
}
