/*
 * clock.h — the one source of "now".
 *
 * Tests travel in time by setting CTOFRAME_NOW to an ISO-8601 UTC instant
 * ("2029-03-01T09:00:00Z"); otherwise the system clock is used.
 */
#ifndef CF_CLOCK_H
#define CF_CLOCK_H

#include <stddef.h>
#include <time.h>

/* Seconds since the epoch, from CTOFRAME_NOW when set and valid. */
time_t clock_now(void);

/* Writes now as "YYYY-MM-DDTHH:MM:SSZ" into buf (at least 21 bytes). */
void clock_now_iso(char *buf, size_t n);

/* Formats t as "YYYY-MM-DDTHH:MM:SSZ". */
void clock_iso(time_t t, char *buf, size_t n);

/* Parses "YYYY-MM-DDTHH:MM:SS(.fff)?(Z|±HH:MM)" into *t. 0 on success, -1 otherwise. */
int clock_parse_iso(const char *s, time_t *t);

/* Monotonic milliseconds, for durations. */
double clock_mono_ms(void);

#endif
