/*
 * password.c — the rules a new password must meet (see password.h), and the
 * list of common and breached passwords as a sorted array searched by halves.
 */
#include "core/password.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"

struct pw_list {
    char *text;   /* every entry, NUL-terminated, one after another */
    char **items; /* sorted pointers into text */
    size_t n;
};

/* Words of the product itself: a password made of them is guessed first. */
static const char *const product_words[] = {"ctoframe", "cosn", "cetl"};

#define PW_MAX_WORDS 24 /* context words taken from one name and address */
#define PW_WORD_MIN  3  /* shorter parts of a name or address are not looked for */

static int lower_ascii(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* A copy of s[0..n) with ASCII letters in lower case, into out (n + 1 bytes). */
static void fold(const char *s, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (char)lower_ascii((unsigned char)s[i]);
    out[n] = '\0';
}

static int cmp_items(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int pw_list_parse(const char *text, size_t n, struct pw_list **out)
{
    struct pw_list *l = calloc(1, sizeof *l);
    size_t lines = 1, o = 0;
    int rc = CF_OK;

    *out = NULL;
    if (l == NULL)
        return CF_ENOMEM;
    for (size_t i = 0; i < n; i++)
        lines += text[i] == '\n';
    l->text = malloc(n + 1);
    l->items = malloc(lines * sizeof *l->items);
    if (l->text == NULL || l->items == NULL) {
        rc = CF_ENOMEM;
        goto out;
    }

    for (size_t i = 0; i < n;) {
        size_t end = i, len;

        while (end < n && text[end] != '\n')
            end++;
        len = end;
        while (len > i && (text[len - 1] == '\r' || text[len - 1] == ' '))
            len--;
        if (len > i && text[i] != '#' && memchr(text + i, '\0', len - i) == NULL) {
            fold(text + i, len - i, l->text + o);
            l->items[l->n++] = l->text + o;
            o += len - i + 1;
        }
        i = end + 1;
    }
    qsort(l->items, l->n, sizeof *l->items, cmp_items);

out:
    if (rc != CF_OK) {
        pw_list_free(l);
        return rc;
    }
    *out = l;
    return CF_OK;
}

void pw_list_free(struct pw_list *l)
{
    if (l == NULL)
        return;
    free(l->text);
    free(l->items);
    free(l);
}

size_t pw_list_size(const struct pw_list *l)
{
    return l != NULL ? l->n : 0;
}

int pw_list_has(const struct pw_list *l, const char *s)
{
    char key[PW_MAX_BYTES + 1];
    const char *k = key;
    size_t n = strlen(s);

    if (l == NULL || l->n == 0 || n > PW_MAX_BYTES)
        return 0;
    fold(s, n, key);
    return bsearch(&k, l->items, l->n, sizeof *l->items, cmp_items) != NULL;
}

/*
 * The code point at s (a NUL-terminated string) into *cp; the bytes it takes,
 * or 0 when s does not start with well-formed UTF-8 (overlong forms,
 * surrogates and values past U+10FFFF included).
 */
static size_t utf8_next(const unsigned char *s, uint32_t *cp)
{
    size_t n, i;
    uint32_t v, min;

    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if ((s[0] & 0xe0) == 0xc0) {
        n = 2, v = s[0] & 0x1fu, min = 0x80;
    } else if ((s[0] & 0xf0) == 0xe0) {
        n = 3, v = s[0] & 0x0fu, min = 0x800;
    } else if ((s[0] & 0xf8) == 0xf0) {
        n = 4, v = s[0] & 0x07u, min = 0x10000;
    } else {
        return 0;
    }
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3fu);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return n;
}

/* 1 for ASCII characters that are not letters: digits, punctuation, space. */
static int ascii_filler(unsigned char c)
{
    return c < 0x80 && !(lower_ascii(c) >= 'a' && lower_ascii(c) <= 'z');
}

/* 1 when the code points cps[0..n) run up or down one by one (9 to 0 and 0 to 9 count). */
static int is_sequence(const uint32_t *cps, size_t n)
{
    int up = 1, down = 1;

    for (size_t i = 1; i < n; i++) {
        uint32_t a = cps[i - 1], b = cps[i];
        int digits = a >= '0' && a <= '9' && b >= '0' && b <= '9';

        if (!(b == a + 1 || (digits && a == '9' && b == '0')))
            up = 0;
        if (!(a == b + 1 || (digits && a == '0' && b == '9')))
            down = 0;
    }
    return up || down;
}

/* Adds the lower-cased s[0..n) to words when it has PW_WORD_MIN characters or more. */
static void add_word(char words[][PW_MAX_BYTES + 1], int *kinds, size_t *nw, const char *s,
                     size_t n, int kind)
{
    size_t chars = 0;

    for (size_t i = 0; i < n; i++)
        chars += ((unsigned char)s[i] & 0xc0) != 0x80;
    if (chars < PW_WORD_MIN || n > PW_MAX_BYTES || *nw >= PW_MAX_WORDS)
        return;
    fold(s, n, words[*nw]);
    kinds[*nw] = kind;
    (*nw)++;
}

/* Adds s whole, and each of its parts between characters of seps, to words. */
static void add_parts(char words[][PW_MAX_BYTES + 1], int *kinds, size_t *nw, const char *s,
                      size_t n, const char *seps, int kind)
{
    size_t start = 0;

    add_word(words, kinds, nw, s, n, kind);
    for (size_t i = 0; i <= n; i++) {
        if (i < n && strchr(seps, s[i]) == NULL)
            continue;
        if (i > start && (start > 0 || i < n))
            add_word(words, kinds, nw, s + start, i - start, kind);
        start = i + 1;
    }
}

/* Removes every occurrence of w from s (in place). 1 when there was one. */
static int remove_all(char *s, const char *w)
{
    size_t wn = strlen(w);
    int found = 0;
    char *p;

    while (wn > 0 && (p = strstr(s, w)) != NULL) {
        memmove(p, p + wn, strlen(p + wn) + 1);
        found = 1;
    }
    return found;
}

/*
 * PW_PERSONAL or PW_PRODUCT when lower (the folded password) is made of the
 * person's name parts, e-mail address or the product's names and little else:
 * taking them out leaves fewer than PW_OWN_MIN other characters, or only a
 * listed password with digits and symbols. PW_OK otherwise.
 */
static enum pw_verdict built_from_names(const char *lower, const char *email, const char *name,
                                        const struct pw_list *l)
{
    char words[PW_MAX_WORDS][PW_MAX_BYTES + 1];
    char rest[PW_MAX_BYTES + 1], letters[PW_MAX_BYTES + 1];
    int kinds[PW_MAX_WORDS], personal = 0, product = 0;
    size_t nw = 0, own = 0, nl = 0;

    if (email != NULL && email[0] != '\0') {
        const char *at = strchr(email, '@');

        add_word(words, kinds, &nw, email, strlen(email), 1);
        add_parts(words, kinds, &nw, email, at != NULL ? (size_t)(at - email) : strlen(email),
                  "._-+", 1);
    }
    if (name != NULL && name[0] != '\0') {
        char joined[PW_MAX_BYTES + 1];
        size_t nj = 0;

        add_parts(words, kinds, &nw, name, strlen(name), " \t-.,'", 1);
        for (const char *p = name; *p != '\0' && nj < PW_MAX_BYTES; p++)
            if (strchr(" \t-.,'", *p) == NULL)
                joined[nj++] = *p;
        add_word(words, kinds, &nw, joined, nj, 1);
    }
    for (size_t i = 0; i < sizeof product_words / sizeof product_words[0]; i++)
        add_word(words, kinds, &nw, product_words[i], strlen(product_words[i]), 2);

    /* Longest first: "jane.smith" goes before "jane" can split it. */
    snprintf(rest, sizeof rest, "%s", lower);
    for (size_t round = 0; round < nw; round++) {
        size_t best = nw;

        for (size_t i = 0; i < nw; i++)
            if (words[i][0] != '\0' && (best == nw || strlen(words[i]) > strlen(words[best])))
                best = i;
        if (best == nw)
            break;
        if (remove_all(rest, words[best])) {
            personal |= kinds[best] == 1;
            product |= kinds[best] == 2;
        }
        words[best][0] = '\0';
    }
    if (!personal && !product)
        return PW_OK;

    for (const char *p = rest; *p != '\0'; p++) {
        if (ascii_filler((unsigned char)*p))
            continue;
        letters[nl++] = *p;
        own += ((unsigned char)*p & 0xc0) != 0x80;
    }
    letters[nl] = '\0';
    if (own >= PW_OWN_MIN && !pw_list_has(l, letters))
        return PW_OK;
    return personal ? PW_PERSONAL : PW_PRODUCT;
}

enum pw_verdict pw_check(const char *pw, const char *email, const char *name,
                         const struct pw_list *l)
{
    uint32_t cps[PW_MAX_CHARS];
    char lower[PW_MAX_BYTES + 1], core[PW_MAX_BYTES + 1];
    const unsigned char *p = (const unsigned char *)(pw != NULL ? pw : "");
    size_t n = 0, bytes = strlen((const char *)p), a, b;
    int same = 1;

    /* Characters, not bytes: "é" is one. Control characters cannot be typed at sign-in. */
    while (*p != '\0') {
        uint32_t cp;
        size_t k = utf8_next(p, &cp);

        if (k == 0)
            return PW_NOT_TEXT;
        if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp == 0x2028 || cp == 0x2029)
            return PW_CONTROL;
        if (n == PW_MAX_CHARS)
            return PW_LONG;
        cps[n++] = cp;
        p += k;
    }
    if (n < PW_MIN_CHARS)
        return PW_SHORT;

    for (size_t i = 1; i < n; i++)
        same &= cps[i] == cps[0];
    if (same)
        return PW_REPEATED;
    if (is_sequence(cps, n))
        return PW_SEQUENCE;

    /* Listed as it is, or a listed word with digits, symbols or spaces around it. */
    fold(pw, bytes, lower);
    if (pw_list_has(l, lower))
        return PW_COMMON;
    for (a = 0; a < bytes && ascii_filler((unsigned char)lower[a]); a++)
        ;
    for (b = bytes; b > a && ascii_filler((unsigned char)lower[b - 1]); b--)
        ;
    if (b > a && (a > 0 || b < bytes)) {
        memcpy(core, lower + a, b - a);
        core[b - a] = '\0';
        if (pw_list_has(l, core))
            return PW_COMMON;
    }
    return built_from_names(lower, email, name, l);
}
