/*
 * stream.c — bytes made a page at a time (see svc.h, struct svc_stream).
 *
 * A large export is not built in one buffer: its svc function checks the
 * request and returns a stream; the reader (the web layer's response, or the
 * command line) pulls bytes and the stream makes the next page only when the
 * previous one has been read. Each page is its own query, so no transaction
 * or statement stays open between reads.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "svc/svc_impl.h"

struct svc_stream {
    int (*page)(void *state, struct buf *out, int *done, struct cf_error *err);
    void (*free_state)(void *state);
    void *state;
    struct buf pending; /* the page being read */
    size_t off;         /* how much of it has been read */
    int done;           /* page() said no more pages come */
};

struct svc_stream *svc__stream_new(int (*page)(void *, struct buf *, int *, struct cf_error *),
                                   void (*free_state)(void *), void *state, size_t page_max)
{
    struct svc_stream *s = calloc(1, sizeof *s);

    if (s == NULL) {
        free_state(state);
        return NULL;
    }
    s->page = page;
    s->free_state = free_state;
    s->state = state;
    buf_init(&s->pending, page_max);
    return s;
}

long svc_stream_read(struct svc_stream *s, char *dst, size_t max, struct cf_error *err)
{
    while (s->off == s->pending.n) {
        if (s->done)
            return 0;
        buf_reset(&s->pending);
        s->off = 0;
        if (s->page(s->state, &s->pending, &s->done, err) != CF_OK)
            return -1;
    }
    {
        size_t n = s->pending.n - s->off;

        if (n > max)
            n = max;
        memcpy(dst, s->pending.p + s->off, n);
        s->off += n;
        return (long)n;
    }
}

void svc_stream_free(struct svc_stream *s)
{
    if (s == NULL)
        return;
    s->free_state(s->state);
    buf_free(&s->pending);
    free(s);
}
