/*
 * registry.c — the public registry's search text, read into words (see registry.h).
 */
#include "core/registry.h"

#include <string.h>

/*
 * The length of the UTF-8 sequence at p (at most n bytes), or 0 when it is not
 * one: overlong forms, surrogates and code points past U+10FFFF are refused.
 * *cp gets the code point.
 */
static size_t utf8_len(const unsigned char *p, size_t n, unsigned long *cp)
{
    size_t len;
    unsigned long c;

    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    if (p[0] >= 0xC2 && p[0] <= 0xDF) {
        len = 2;
        c = p[0] & 0x1Fu;
    } else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        len = 3;
        c = p[0] & 0x0Fu;
    } else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
        len = 4;
        c = p[0] & 0x07u;
    } else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0u) != 0x80u)
            return 0;
        c = (c << 6) | (p[i] & 0x3Fu);
    }
    if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
        (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

/* 1 when code point c is part of a word: ASCII letters and digits, and non-ASCII
 * characters other than the no-break space and Unicode's general punctuation. */
static int word_char(unsigned long c)
{
    if (c < 0x80)
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (c == 0xA0 || (c >= 0x2000 && c <= 0x206F) || c == 0x3000 || c == 0xFEFF)
        return 0;
    return 1;
}

int registry_query_parse(const char *q, struct registry_query *out, struct cf_error *err)
{
    const unsigned char *p = (const unsigned char *)q;
    size_t n, i = 0, wl = 0;
    int rc = CF_OK;

    memset(out, 0, sizeof *out);
    if (q == NULL)
        return CF_OK;
    n = strlen(q);
    if (n > REGISTRY_Q_MAX) {
        rc = cf_error_set(err, CF_EINVAL, "q", "Shorten the search to at most %d characters.",
                          REGISTRY_Q_MAX);
        goto out;
    }
    while (i < n) {
        unsigned long c;
        size_t len = utf8_len(p + i, n - i, &c);

        if (len == 0) {
            rc = cf_error_set(err, CF_EINVAL, "q",
                              "Type the search again: it is not readable text.");
            goto out;
        }
        if (!word_char(c)) {
            if (wl > 0) {
                out->nwords++;
                wl = 0;
            }
            i += len;
            continue;
        }
        if (wl == 0 && out->nwords == REGISTRY_WORDS_MAX) {
            rc = cf_error_set(err, CF_EINVAL, "q", "Search for at most %d words.",
                              REGISTRY_WORDS_MAX);
            goto out;
        }
        if (wl + len >= REGISTRY_WORD_MAX) {
            rc = cf_error_set(err, CF_EINVAL, "q",
                              "Shorten the words of the search to at most %d letters each.",
                              REGISTRY_WORD_MAX - 1);
            goto out;
        }
        memcpy(out->words[out->nwords] + wl, p + i, len);
        wl += len;
        i += len;
    }
    if (wl > 0)
        out->nwords++;

out:
    if (rc != CF_OK)
        memset(out, 0, sizeof *out);
    return rc;
}

int registry_state_parse(const char *s, char out[3], struct cf_error *err)
{
    out[0] = '\0';
    if (s == NULL || s[0] == '\0')
        return CF_OK;
    for (int i = 0; i < 2; i++) {
        char c = s[i];

        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (c < 'A' || c > 'Z') {
            out[0] = '\0';
            return cf_error_set(err, CF_EINVAL, "state",
                                "Choose a state by its two-letter code, such as OH.");
        }
        out[i] = c;
    }
    if (s[2] != '\0') {
        out[0] = '\0';
        return cf_error_set(err, CF_EINVAL, "state",
                            "Choose a state by its two-letter code, such as OH.");
    }
    out[2] = '\0';
    return CF_OK;
}
