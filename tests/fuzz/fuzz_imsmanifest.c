/*
 * fuzz_imsmanifest.c — libFuzzer harness for the IMS content package manifest on its own
 * (core/qtipkg.c: qtipkg_manifest_parse, the first step of reading a package).
 *
 * Any bytes must come back as a manifest or as a refusal with a message, never as
 * CF_ENOMEM. A refused manifest holds nothing. In a manifest read, every href and file is a
 * safe relative path: not empty, no leading '/', no backslash, no "." or ".." segment, no
 * empty segment; an item resource has an href. Built by `make fuzz` (clang):
 *   build/fuzz/fuzz_imsmanifest -max_total_time=60 build/fuzz/work/imsmanifest \
 *       tests/fuzz/corpus/imsmanifest
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/qtipkg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts unless path is a safe relative path (or "" when empty is allowed). */
static void check_path(const char *path, int may_be_empty)
{
    const char *seg = path;

    if (path == NULL)
        abort();
    if (path[0] == '\0') {
        if (!may_be_empty)
            abort();
        return;
    }
    if (path[0] == '/' || strchr(path, '\\') != NULL)
        abort();
    for (;;) {
        size_t len = strcspn(seg, "/");

        if (len == 0 || (len == 1 && seg[0] == '.') || (len == 2 && memcmp(seg, "..", 2) == 0))
            abort();
        if (seg[len] == '\0')
            break;
        seg += len + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct qtipkg_manifest m;
    struct cf_error err;
    int rc;

    cf_error_clear(&err);
    rc = qtipkg_manifest_parse((const char *)data, size, &m, &err);
    if (rc == CF_ENOMEM)
        abort();
    if (rc != CF_OK) {
        if (err.message[0] == '\0' || m.res != NULL || m.nres != 0)
            abort();
        return 0;
    }
    for (size_t i = 0; i < m.nres; i++) {
        check_path(m.res[i].href, !m.res[i].is_item);
        for (size_t j = 0; j < m.res[i].nfiles; j++)
            check_path(m.res[i].files[j], 0);
    }
    qtipkg_manifest_free(&m);
    return 0;
}
