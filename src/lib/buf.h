/*
 * buf.h — a growable byte buffer with a hard maximum size (after curl's dynbuf).
 *
 * The content is always NUL-terminated once anything was added, so buf_str()
 * can hand it to C string functions. A failed append (out of memory or over
 * the maximum) frees the buffer and leaves it empty and usable again; the
 * caller only has to report the error.
 */
#ifndef CF_BUF_H
#define CF_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
    char *p;      /* the bytes, NUL-terminated; NULL while empty */
    size_t n;     /* bytes in use, not counting the NUL */
    size_t alloc; /* bytes allocated */
    size_t max;   /* the most bytes this buffer may hold */
};

/* Starts an empty buffer that may grow to max bytes. Allocates nothing. */
void buf_init(struct buf *b, size_t max);

/* Appends n bytes. CF_OK, or CF_ENOMEM / CF_ETOOBIG after freeing the buffer. */
int buf_add(struct buf *b, const void *p, size_t n);

/* Appends a NUL-terminated string; as buf_add. */
int buf_adds(struct buf *b, const char *s);

/* Appends one byte; as buf_add. */
int buf_addc(struct buf *b, char c);

/* Appends printf-style formatted text; as buf_add. */
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* The content as a C string: "" when empty. Valid until the next change. */
const char *buf_str(const struct buf *b);

/* Empties the buffer, keeping its memory. */
void buf_reset(struct buf *b);

/* Frees the memory; the buffer is empty and usable again. */
void buf_free(struct buf *b);

/*
 * Hands the memory to the caller (who frees it with free()); stores the length
 * in *n when n is not NULL. Returns NULL when the buffer is empty. The buffer
 * is left empty.
 */
char *buf_detach(struct buf *b, size_t *n);

#endif
