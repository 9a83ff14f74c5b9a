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

/*
 * Civil dates of record ("issued on", "expires on"): a proleptic Gregorian
 * year, month and day with no time zone. Years run from 1 to 9999 so a date
 * always prints as YYYY-MM-DD. A struct clock_date is a plain value: copy it,
 * compare it with clock_date_cmp().
 */
#define CLOCK_DATE_LEN 11 /* "YYYY-MM-DD" and its NUL */
#define CLOCK_YEAR_MIN 1
#define CLOCK_YEAR_MAX 9999

struct clock_date {
    int y; /* 1-9999 */
    int m; /* 1-12 */
    int d; /* 1-31, within the month */
};

/* 1 when y is a leap year by the Gregorian rule (divisible by 4, centuries only by 400). */
int clock_leap_year(int y);

/* Days in month m (1-12) of year y; 0 when m is out of range. */
int clock_month_days(int y, int m);

/* 1 when d is a real date between 0001-01-01 and 9999-12-31. */
int clock_date_valid(struct clock_date d);

/*
 * Parses exactly "YYYY-MM-DD" (four, two and two digits, no sign, no
 * surrounding space) into *out. Refuses month 0 or 13, a day beyond its month
 * and February 29 of a year that is not leap. 0 on success; -1 otherwise,
 * *out untouched.
 */
int clock_date_parse(const char *s, struct clock_date *out);

/*
 * Writes d as "YYYY-MM-DD" into buf (n >= CLOCK_DATE_LEN). Returns 0, or -1
 * (buf set to "" when n > 0) when d is not a valid date or buf is too small.
 */
int clock_date_format(struct clock_date d, char *buf, size_t n);

/* Negative, 0 or positive as a is before, the same day as, or after b. */
int clock_date_cmp(struct clock_date a, struct clock_date b);

/* Days since 1970-01-01 (negative before it) of a valid date. */
long clock_date_to_days(struct clock_date d);

/* The date that many days after 1970-01-01 (the inverse of clock_date_to_days). */
struct clock_date clock_date_from_days(long days);

/* d moved by n days (n may be negative). */
struct clock_date clock_date_add_days(struct clock_date d, long n);

/*
 * d moved by n years (n may be negative), same month and day. February 29
 * moved to a year that is not leap becomes February 28 of that year (never
 * March 1): a term that starts on a leap day ends inside February.
 */
struct clock_date clock_date_add_years(struct clock_date d, int n);

/* Days from a to b: positive when b is after a (2024-02-28 to 2024-03-01 is 2). */
long clock_date_diff(struct clock_date a, struct clock_date b);

/* The UTC calendar date of instant t: today is clock_date_of(clock_now()). */
struct clock_date clock_date_of(time_t t);

#endif
