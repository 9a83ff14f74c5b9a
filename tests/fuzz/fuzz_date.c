/*
 * fuzz_date.c — libFuzzer harness for dates of record (clock_date_parse in
 * src/lib/clock.c): issue and expiry dates, CE completion dates in imports.
 *
 * Any text parses or is refused without a crash or sanitizer report. What
 * parses is a real date that formats back to the same ten characters, counts
 * to a day number and back to itself, and moves by days and years to real
 * dates (Feb 29 to a common year is Feb 28).
 * Seeds: tests/fuzz/corpus/date/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/clock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char s[32], back[CLOCK_DATE_LEN];
    struct clock_date d, e;
    long n;

    if (size >= sizeof s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    if (clock_date_parse(s, &d) != 0)
        return 0;
    if (!clock_date_valid(d) || clock_date_format(d, back, sizeof back) != 0 ||
        strcmp(back, s) != 0)
        abort();
    n = clock_date_to_days(d);
    if (clock_date_cmp(clock_date_from_days(n), d) != 0)
        abort();

    /* Moves that stay within 0001-9999 land on real dates. */
    e = clock_date_add_days(d, 1);
    if (d.y < CLOCK_YEAR_MAX && (!clock_date_valid(e) || clock_date_diff(d, e) != 1))
        abort();
    e = clock_date_add_days(d, -1);
    if (d.y > CLOCK_YEAR_MIN && (!clock_date_valid(e) || clock_date_diff(d, e) != -1))
        abort();
    if (d.y + 3 <= CLOCK_YEAR_MAX) {
        e = clock_date_add_years(d, 3);
        if (!clock_date_valid(e) || e.m != d.m || (e.d != d.d && !(d.m == 2 && d.d == 29)))
            abort();
    }
    return 0;
}
