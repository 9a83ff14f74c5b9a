/*
 * fuzz_form.c — libFuzzer harness for form decoding (src/web/form.c), the
 * body of every HTML form post.
 *
 * Any bytes give an object or CF_EINVAL: no crash, leak or sanitizer report.
 * On success every member is a string or an array of two or more strings, and
 * no decoded value is longer than the input. Seeds: tests/fuzz/corpus/form/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"
#include "web/form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *o = NULL, *v;
    const char *k;
    int rc = web_form_parse((const char *)data, size, &o);

    if (rc != CF_OK) {
        if (o != NULL || (rc != CF_EINVAL && rc != CF_ENOMEM))
            abort();
        return 0;
    }
    json_object_foreach(o, k, v)
    {
        if (json_is_string(v)) {
            if (json_string_length(v) > size)
                abort();
        } else if (!json_is_array(v) || json_array_size(v) < 2) {
            abort();
        }
    }
    json_decref(o);
    return 0;
}
