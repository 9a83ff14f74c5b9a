/*
 * fuzz_password.c — libFuzzer harness for the password rules and the list of
 * common passwords (src/core/password.c): any bytes, as a list file or as a
 * password with a name and an e-mail address, are judged without a crash or
 * sanitizer report. A list made from an input of one line holds that line.
 * The input is split at the first two NUL bytes: password, e-mail, name.
 * Seeds: tests/fuzz/corpus/password/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/password.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 3);
    const char *email, *name;
    struct pw_list *l = NULL;
    enum pw_verdict v;

    if (s == NULL)
        return 0;
    memcpy(s, data, size);
    s[size] = s[size + 1] = s[size + 2] = '\0';
    email = s + strlen(s) + 1;
    name = email + strlen(email) + 1;

    /* The whole input as a list file; its first line as a password. */
    if (pw_list_parse((const char *)data, size, &l) == 0) {
        (void)pw_check(s, email, name, l);
        if (memchr(data, '\0', size) == NULL && strchr(s, '\n') == NULL && s[0] != '#' &&
            s[0] != '\0' && s[strlen(s) - 1] != ' ' && s[strlen(s) - 1] != '\r' &&
            strlen(s) <= PW_MAX_BYTES && !pw_list_has(l, s))
            abort();
        pw_list_free(l);
    }
    v = pw_check(s, email, name, NULL);
    if (v > PW_PRODUCT)
        abort();
    free(s);
    return 0;
}
