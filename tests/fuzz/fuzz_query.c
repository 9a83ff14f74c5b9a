/*
 * fuzz_query.c — libFuzzer harness for query-string decoding.
 *
 * Query strings are split and decoded by libmicrohttpd (req_query): it turns
 * '+' into a space and then calls MHD_http_unescape on each name and value.
 * Form bodies are decoded by our web_urldecode. A value must mean the same in
 * a URL and in a form, so this harness decodes each input both ways and
 * aborts when they differ (our decoder refuses %00, which libmicrohttpd lets
 * cut the value short: those inputs are only checked not to crash). It also
 * parses the whole input as a query string with web_form_parse.
 * Seeds: tests/fuzz/corpus/query/.
 */
#include <microhttpd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"
#include "web/form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *theirs = malloc(size + 1), *ours = malloc(size + 1);
    size_t n_ours = 0, n_theirs;
    json_t *o = NULL;

    if (theirs == NULL || ours == NULL)
        goto out;
    memcpy(theirs, data, size);
    theirs[size] = '\0';
    for (size_t i = 0; i < size; i++)
        if (theirs[i] == '+')
            theirs[i] = ' ';
    n_theirs = MHD_http_unescape(theirs);

    if (web_urldecode((const char *)data, size, ours, &n_ours) == CF_OK) {
        if (n_ours > size || ours[n_ours] != '\0')
            abort();
        if (n_ours != n_theirs || memcmp(ours, theirs, n_ours) != 0)
            abort(); /* a query value and a form value would differ */
    }

    if (web_form_parse((const char *)data, size, &o) == CF_OK)
        json_decref(o);
out:
    free(theirs);
    free(ours);
    return 0;
}
