/*
 * fuzz_router.c — libFuzzer harness for the router (router_match in
 * src/web/router.c) with a request that has only an arena.
 *
 * The first byte picks the method, the rest is the path. Every match must be
 * exact: the route's pattern with the captured parameters put back in place of
 * its {} segments gives the path again, and each parameter is one non-empty
 * segment. Seeds: tests/fuzz/corpus/router/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web/web.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const methods[] = {"GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS"};

/* The pattern with {} replaced by the parameters; 0 when it does not fit. */
static int rebuild(const char *pattern, const struct req *r, char *out, size_t n)
{
    size_t k = 0;
    int i = 0;

    for (const char *p = pattern; *p != '\0'; p++) {
        const char *add = p;
        size_t len = 1;

        if (p[0] == '{' && p[1] == '}') {
            if (i >= r->nparams)
                return 0;
            add = r->params[i++];
            len = strlen(add);
            p++;
        }
        if (k + len >= n)
            return 0;
        memcpy(out + k, add, len);
        k += len;
    }
    out[k] = '\0';
    return i == r->nparams;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct req r;
    char path[4096], again[8192];
    const struct route *rt;
    int allowed;

    if (size < 1 || size > sizeof path)
        return 0;
    memset(&r, 0, sizeof r);
    r.arena = arena_new();
    if (r.arena == NULL)
        return 0;
    memcpy(path, data + 1, size - 1);
    path[size - 1] = '\0';
    rt = router_match(&r, methods[data[0] % (sizeof methods / sizeof methods[0])], path, &allowed);
    if (rt != NULL) {
        if (r.nparams < 0 || r.nparams > REQ_MAX_PARAMS)
            abort();
        for (int i = 0; i < r.nparams; i++)
            if (r.params[i][0] == '\0' || strchr(r.params[i], '/') != NULL)
                abort();
        if (!rebuild(rt->pattern, &r, again, sizeof again) || strcmp(again, path) != 0)
            abort();
    } else if (r.nparams != 0) {
        abort();
    }
    arena_free(r.arena);
    return 0;
}
