/*
 * fuzz_multipart.c — libFuzzer harness for multipart/form-data decoding
 * (src/web/multipart.c), the body of a form with a file (CE evidence).
 *
 * The first byte picks one of a few boundaries; the rest is the body. Any
 * bytes give fields and files or CF_EINVAL: no crash, leak or sanitizer
 * report. On success every file lies inside the body, and every field is a
 * string or an array of two or more. Seeds: tests/fuzz/corpus/multipart/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"
#include "web/multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const boundaries[] = {"X", "----b0undary", "a'()+_,-./:=?"};
    struct mp_file files[MP_FILES_MAX];
    json_t *o = NULL, *v;
    const char *k, *body;
    int nfiles = 0, rc;

    if (size == 0)
        return 0;
    body = (const char *)data + 1;
    rc = web_multipart_parse(body, size - 1, boundaries[data[0] % 3], &o, files, &nfiles);
    if (rc != CF_OK) {
        if (o != NULL || nfiles != 0 || (rc != CF_EINVAL && rc != CF_ENOMEM))
            abort();
        return 0;
    }
    if (nfiles < 0 || nfiles > MP_FILES_MAX)
        abort();
    for (int i = 0; i < nfiles; i++)
        if (files[i].data < body || files[i].data + files[i].n > body + size - 1)
            abort();
    json_object_foreach(o, k, v)
    {
        if (!json_is_string(v) && (!json_is_array(v) || json_array_size(v) < 2))
            abort();
    }
    json_decref(o);
    return 0;
}
