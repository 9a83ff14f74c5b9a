/* buf.c — the capped growable buffer. */
#include "buf.h"

#include "err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t max)
{
    b->p = NULL;
    b->n = 0;
    b->alloc = 0;
    b->max = max;
}

void buf_free(struct buf *b)
{
    free(b->p);
    b->p = NULL;
    b->n = 0;
    b->alloc = 0;
}

void buf_reset(struct buf *b)
{
    b->n = 0;
    if (b->p != NULL)
        b->p[0] = '\0';
}

int buf_add(struct buf *b, const void *p, size_t n)
{
    if (n > b->max || b->n > b->max - n) {
        buf_free(b);
        return CF_ETOOBIG;
    }
    if (b->n + n + 1 > b->alloc) {
        size_t want = b->alloc ? b->alloc : 64;
        char *q;

        while (want < b->n + n + 1)
            want *= 2;
        if (want > b->max + 1)
            want = b->max + 1;
        q = realloc(b->p, want);
        if (q == NULL) {
            buf_free(b);
            return CF_ENOMEM;
        }
        b->p = q;
        b->alloc = want;
    }
    if (n > 0)
        memcpy(b->p + b->n, p, n);
    b->n += n;
    b->p[b->n] = '\0';
    return CF_OK;
}

int buf_adds(struct buf *b, const char *s)
{
    return buf_add(b, s, strlen(s));
}

int buf_addc(struct buf *b, char c)
{
    return buf_add(b, &c, 1);
}

int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
    char small[256];
    va_list ap2;
    int len;
    int rc;

    va_copy(ap2, ap);
    len = vsnprintf(small, sizeof small, fmt, ap2);
    va_end(ap2);
    if (len < 0) {
        buf_free(b);
        return CF_EINVAL;
    }
    if ((size_t)len < sizeof small)
        return buf_add(b, small, (size_t)len);

    /* Too long for the stack copy: grow first, then format in place. */
    rc = buf_add(b, small, 0);
    if (rc != CF_OK)
        return rc;
    {
        size_t need = (size_t)len;
        size_t at = b->n;

        if (need > b->max || at > b->max - need) {
            buf_free(b);
            return CF_ETOOBIG;
        }
        if (at + need + 1 > b->alloc) {
            char *q = realloc(b->p, at + need + 1);

            if (q == NULL) {
                buf_free(b);
                return CF_ENOMEM;
            }
            b->p = q;
            b->alloc = at + need + 1;
        }
        if (vsnprintf(b->p + at, need + 1, fmt, ap) != len) {
            buf_free(b);
            return CF_EINVAL;
        }
        b->n = at + need;
    }
    return CF_OK;
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

const char *buf_str(const struct buf *b)
{
    return b->p != NULL ? b->p : "";
}

char *buf_detach(struct buf *b, size_t *n)
{
    char *p = b->p;

    if (n != NULL)
        *n = b->n;
    b->p = NULL;
    b->n = 0;
    b->alloc = 0;
    return p;
}
