/*
 * fuzz_time.c — libFuzzer harness for ISO-8601 instants (clock_parse_iso in
 * src/lib/clock.c): CTOFRAME_NOW, stored timestamps, audit filters, CASE dates.
 *
 * Any text parses or is refused without a crash or sanitizer report. What
 * parses is a real instant: an input in the canonical form
 * YYYY-MM-DDTHH:MM:SSZ (not a leap second) formats back to itself.
 * Seeds: tests/fuzz/corpus/time/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/clock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char s[64], back[32];
    time_t t;

    if (size >= sizeof s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    if (clock_parse_iso(s, &t) != 0)
        return 0;
    if (strlen(s) == 20 && s[10] == 'T' && s[19] == 'Z' && strncmp(s + 17, "60", 2) != 0 &&
        s[0] != '0') {
        clock_iso(t, back, sizeof back);
        if (strcmp(back, s) != 0)
            abort();
    }
    return 0;
}
