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
size_t registry_utf8(const unsigned char *p, size_t n, unsigned long *cp)
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
int registry_word_char(unsigned long c)
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
        size_t len = registry_utf8(p + i, n - i, &c);

        if (len == 0) {
            rc = cf_error_set(err, CF_EINVAL, "q",
                              "Type the search again: it is not readable text.");
            goto out;
        }
        if (!registry_word_char(c)) {
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

/*
 * The letters cf_fold() (migration 018, PostgreSQL) translates, with the base
 * letter of each, in code point order. tests/unit/test_registry.c reads the
 * migration and checks the two tables are the same.
 */
static const struct {
    unsigned short cp;
    char base;
} fold_table[] = {
    {0x00C0, 'a'}, {0x00C1, 'a'}, {0x00C2, 'a'}, {0x00C3, 'a'}, {0x00C4, 'a'}, {0x00C5, 'a'},
    {0x00C7, 'c'}, {0x00C8, 'e'}, {0x00C9, 'e'}, {0x00CA, 'e'}, {0x00CB, 'e'}, {0x00CC, 'i'},
    {0x00CD, 'i'}, {0x00CE, 'i'}, {0x00CF, 'i'}, {0x00D1, 'n'}, {0x00D2, 'o'}, {0x00D3, 'o'},
    {0x00D4, 'o'}, {0x00D5, 'o'}, {0x00D6, 'o'}, {0x00D8, 'o'}, {0x00D9, 'u'}, {0x00DA, 'u'},
    {0x00DB, 'u'}, {0x00DC, 'u'}, {0x00DD, 'y'}, {0x00E0, 'a'}, {0x00E1, 'a'}, {0x00E2, 'a'},
    {0x00E3, 'a'}, {0x00E4, 'a'}, {0x00E5, 'a'}, {0x00E7, 'c'}, {0x00E8, 'e'}, {0x00E9, 'e'},
    {0x00EA, 'e'}, {0x00EB, 'e'}, {0x00EC, 'i'}, {0x00ED, 'i'}, {0x00EE, 'i'}, {0x00EF, 'i'},
    {0x00F1, 'n'}, {0x00F2, 'o'}, {0x00F3, 'o'}, {0x00F4, 'o'}, {0x00F5, 'o'}, {0x00F6, 'o'},
    {0x00F8, 'o'}, {0x00F9, 'u'}, {0x00FA, 'u'}, {0x00FB, 'u'}, {0x00FC, 'u'}, {0x00FD, 'y'},
    {0x00FF, 'y'}, {0x0100, 'a'}, {0x0101, 'a'}, {0x0102, 'a'}, {0x0103, 'a'}, {0x0104, 'a'},
    {0x0105, 'a'}, {0x0106, 'c'}, {0x0107, 'c'}, {0x0108, 'c'}, {0x0109, 'c'}, {0x010A, 'c'},
    {0x010B, 'c'}, {0x010C, 'c'}, {0x010D, 'c'}, {0x010E, 'd'}, {0x010F, 'd'}, {0x0110, 'd'},
    {0x0111, 'd'}, {0x0112, 'e'}, {0x0113, 'e'}, {0x0114, 'e'}, {0x0115, 'e'}, {0x0116, 'e'},
    {0x0117, 'e'}, {0x0118, 'e'}, {0x0119, 'e'}, {0x011A, 'e'}, {0x011B, 'e'}, {0x011C, 'g'},
    {0x011D, 'g'}, {0x011E, 'g'}, {0x011F, 'g'}, {0x0120, 'g'}, {0x0121, 'g'}, {0x0122, 'g'},
    {0x0123, 'g'}, {0x0124, 'h'}, {0x0125, 'h'}, {0x0126, 'h'}, {0x0127, 'h'}, {0x0128, 'i'},
    {0x0129, 'i'}, {0x012A, 'i'}, {0x012B, 'i'}, {0x012C, 'i'}, {0x012D, 'i'}, {0x012E, 'i'},
    {0x012F, 'i'}, {0x0130, 'i'}, {0x0131, 'i'}, {0x0134, 'j'}, {0x0135, 'j'}, {0x0136, 'k'},
    {0x0137, 'k'}, {0x0139, 'l'}, {0x013A, 'l'}, {0x013B, 'l'}, {0x013C, 'l'}, {0x013D, 'l'},
    {0x013E, 'l'}, {0x0141, 'l'}, {0x0142, 'l'}, {0x0143, 'n'}, {0x0144, 'n'}, {0x0145, 'n'},
    {0x0146, 'n'}, {0x0147, 'n'}, {0x0148, 'n'}, {0x014C, 'o'}, {0x014D, 'o'}, {0x014E, 'o'},
    {0x014F, 'o'}, {0x0150, 'o'}, {0x0151, 'o'}, {0x0154, 'r'}, {0x0155, 'r'}, {0x0156, 'r'},
    {0x0157, 'r'}, {0x0158, 'r'}, {0x0159, 'r'}, {0x015A, 's'}, {0x015B, 's'}, {0x015C, 's'},
    {0x015D, 's'}, {0x015E, 's'}, {0x015F, 's'}, {0x0160, 's'}, {0x0161, 's'}, {0x0162, 't'},
    {0x0163, 't'}, {0x0164, 't'}, {0x0165, 't'}, {0x0166, 't'}, {0x0167, 't'}, {0x0168, 'u'},
    {0x0169, 'u'}, {0x016A, 'u'}, {0x016B, 'u'}, {0x016C, 'u'}, {0x016D, 'u'}, {0x016E, 'u'},
    {0x016F, 'u'}, {0x0170, 'u'}, {0x0171, 'u'}, {0x0172, 'u'}, {0x0173, 'u'}, {0x0174, 'w'},
    {0x0175, 'w'}, {0x0176, 'y'}, {0x0177, 'y'}, {0x0178, 'y'}, {0x0179, 'z'}, {0x017A, 'z'},
    {0x017B, 'z'}, {0x017C, 'z'}, {0x017D, 'z'}, {0x017E, 'z'}, {0x01A0, 'o'}, {0x01A1, 'o'},
    {0x01AF, 'u'}, {0x01B0, 'u'}, {0x01CD, 'a'}, {0x01CE, 'a'}, {0x01CF, 'i'}, {0x01D0, 'i'},
    {0x01D1, 'o'}, {0x01D2, 'o'}, {0x01D3, 'u'}, {0x01D4, 'u'}, {0x01D5, 'u'}, {0x01D6, 'u'},
    {0x01D7, 'u'}, {0x01D8, 'u'}, {0x01D9, 'u'}, {0x01DA, 'u'}, {0x01DB, 'u'}, {0x01DC, 'u'},
    {0x01DE, 'a'}, {0x01DF, 'a'}, {0x01E0, 'a'}, {0x01E1, 'a'}, {0x01E6, 'g'}, {0x01E7, 'g'},
    {0x01E8, 'k'}, {0x01E9, 'k'}, {0x01EA, 'o'}, {0x01EB, 'o'}, {0x01EC, 'o'}, {0x01ED, 'o'},
    {0x01F0, 'j'}, {0x01F4, 'g'}, {0x01F5, 'g'}, {0x01F8, 'n'}, {0x01F9, 'n'}, {0x01FA, 'a'},
    {0x01FB, 'a'}, {0x0200, 'a'}, {0x0201, 'a'}, {0x0202, 'a'}, {0x0203, 'a'}, {0x0204, 'e'},
    {0x0205, 'e'}, {0x0206, 'e'}, {0x0207, 'e'}, {0x0208, 'i'}, {0x0209, 'i'}, {0x020A, 'i'},
    {0x020B, 'i'}, {0x020C, 'o'}, {0x020D, 'o'}, {0x020E, 'o'}, {0x020F, 'o'}, {0x0210, 'r'},
    {0x0211, 'r'}, {0x0212, 'r'}, {0x0213, 'r'}, {0x0214, 'u'}, {0x0215, 'u'}, {0x0216, 'u'},
    {0x0217, 'u'}, {0x0218, 's'}, {0x0219, 's'}, {0x021A, 't'}, {0x021B, 't'}, {0x021E, 'h'},
    {0x021F, 'h'}, {0x0226, 'a'}, {0x0227, 'a'}, {0x0228, 'e'}, {0x0229, 'e'}, {0x022A, 'o'},
    {0x022B, 'o'}, {0x022C, 'o'}, {0x022D, 'o'}, {0x022E, 'o'}, {0x022F, 'o'}, {0x0230, 'o'},
    {0x0231, 'o'}, {0x0232, 'y'}, {0x0233, 'y'},
};

/* The base letter of c from fold_table, or 0 when c is not there. */
static char fold_latin(unsigned long c)
{
    size_t lo = 0, hi = sizeof fold_table / sizeof fold_table[0];

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (fold_table[mid].cp == c)
            return fold_table[mid].base;
        if (fold_table[mid].cp < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

size_t registry_fold(const char *w, size_t n, char *out, size_t cap, int *unknown)
{
    const unsigned char *p = (const unsigned char *)w;
    size_t i = 0, o = 0;

    if (cap == 0)
        return 0;
    while (i < n) {
        unsigned long c;
        size_t len = registry_utf8(p + i, n - i, &c);
        char base;

        if (len == 0)
            goto bad;
        if (c < 0x80)
            base = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : (char)c;
        else
            base = fold_latin(c);
        if (base != 0) {
            if (o + 1 >= cap)
                goto bad;
            out[o++] = base;
        } else {
            if (o + len >= cap)
                goto bad;
            memcpy(out + o, p + i, len);
            o += len;
            if (unknown != NULL)
                (*unknown)++;
        }
        i += len;
    }
    out[o] = '\0';
    return o;

bad:
    out[0] = '\0';
    return 0;
}
