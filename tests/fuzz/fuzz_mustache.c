/*
 * fuzz_mustache.c — libFuzzer harness for the Mustache compiler and renderer.
 *
 * Each input is compiled as the template "main" in a set that also holds a few
 * partials and parents (one of which includes "main" back, so recursion is reached),
 * then rendered against a small fixed object into a capped buffer. Errors are fine;
 * crashes, leaks, sanitizer reports and hangs are not.
 *
 *   clang -std=c17 -D_DEFAULT_SOURCE -D_GNU_SOURCE -g -O1 \
 *       -fsanitize=fuzzer,address,undefined -Isrc tests/fuzz/fuzz_mustache.c \
 *       src/lib/mustache.c src/lib/buf.c src/lib/err.c $(pkg-config --cflags --libs jansson) \
 *       -o build/fuzz_mustache && build/fuzz_mustache -max_total_time=60
 */
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/mustache.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const partials[] = {
    "item",   "<li>{{name}}: {{#tags}}{{.}} {{/tags}}</li>\n",
    "list",   "<ul>\n  {{#list}}\n  {{>item}}\n  {{/list}}\n</ul>\n",
    "layout", "<main>\n  {{$body}}default {{title}}{{/body}}\n</main>\n{{$foot}}{{/foot}}",
    "page",   "{{<layout}}{{$body}}\n  {{>list}}\n{{/body}}{{/layout}}",
    "again",  "[{{>main}}]",
    "which",  "{{=<% %>=}}<%n%>",
};

static const char data_json[] = "{\"title\": \"<T & 'q'>\", \"n\": 3, \"r\": 1.5, \"yes\": true,"
                                " \"no\": false, \"none\": null, \"empty\": \"\","
                                " \"list\": [{\"name\": \"a\", \"tags\": [\"x\", \"y\"]},"
                                " {\"name\": \"b\", \"tags\": []}, {\"name\": \"c\"}],"
                                " \"obj\": {\"a\": {\"b\": \"deep\"}}, \"pick\": \"item\"}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mustache_set *s = mustache_set_new();
    json_t *ctx = json_loads(data_json, 0, NULL);
    struct cf_error err;
    struct buf out;
    size_t i;

    if (s == NULL || ctx == NULL)
        goto out;
    for (i = 0; i < sizeof partials / sizeof partials[0]; i += 2)
        if (mustache_set_add(s, partials[i], partials[i + 1], strlen(partials[i + 1]), &err) !=
            CF_OK)
            goto out;
    if (mustache_set_add(s, "main", (const char *)data, size, &err) != CF_OK)
        goto out;

    /* The input on its own, then as the argument-taking child of a parent. */
    buf_init(&out, 1u << 20);
    (void)mustache_render(s, "main", ctx, &out, &err);
    buf_free(&out);
    buf_init(&out, 1u << 20);
    (void)mustache_render(s, "again", ctx, &out, &err);
    buf_free(&out);
out:
    json_decref(ctx);
    mustache_set_free(s);
    return 0;
}
