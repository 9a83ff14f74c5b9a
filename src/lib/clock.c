/* clock.c — now, injectable for tests, ISO-8601 formatting, and civil dates of record. */
#include "lib/clock.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void clock_iso(time_t t, char *buf, size_t n)
{
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int clock_parse_iso(const char *s, time_t *t)
{
    struct tm tm;
    int y, mo, d, h, mi, se;
    long off = 0;
    const char *p;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (strlen(s) < 20)
        return -1;
    if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
        digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') || digits(s + 11, 2, &h) ||
        s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' || digits(s + 17, 2, &se))
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || se > 60)
        return -1;
    if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return -1;
    p = s + 19;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return -1;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;

        if (digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om) || oh > 23 || om > 59)
            return -1;
        off = (oh * 3600L + om * 60L) * (*p == '+' ? 1 : -1);
        p += 6;
    } else {
        return -1;
    }
    if (*p != '\0')
        return -1;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = se;
    *t = timegm(&tm) - off;
    return 0;
}

time_t clock_now(void)
{
    const char *env = getenv("CTOFRAME_NOW");
    time_t t;

    if (env != NULL && env[0] != '\0' && clock_parse_iso(env, &t) == 0)
        return t;
    return time(NULL);
}

void clock_now_iso(char *buf, size_t n)
{
    clock_iso(clock_now(), buf, n);
}

double clock_mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* --- civil dates --------------------------------------------------------- */

int clock_leap_year(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int clock_month_days(int y, int m)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (m < 1 || m > 12)
        return 0;
    if (m == 2 && clock_leap_year(y))
        return 29;
    return mdays[m - 1];
}

int clock_date_valid(struct clock_date d)
{
    return d.y >= CLOCK_YEAR_MIN && d.y <= CLOCK_YEAR_MAX && d.m >= 1 && d.m <= 12 && d.d >= 1 &&
           d.d <= clock_month_days(d.y, d.m);
}

int clock_date_parse(const char *s, struct clock_date *out)
{
    struct clock_date d;

    if (s == NULL || strlen(s) != CLOCK_DATE_LEN - 1)
        return -1;
    if (digits(s, 4, &d.y) || s[4] != '-' || digits(s + 5, 2, &d.m) || s[7] != '-' ||
        digits(s + 8, 2, &d.d))
        return -1;
    if (!clock_date_valid(d))
        return -1;
    *out = d;
    return 0;
}

int clock_date_format(struct clock_date d, char *buf, size_t n)
{
    int w;

    if (n == 0)
        return -1;
    buf[0] = '\0';
    if (!clock_date_valid(d) || n < CLOCK_DATE_LEN)
        return -1;
    w = snprintf(buf, n, "%04d-%02d-%02d", d.y, d.m, d.d);
    if (w < 0 || (size_t)w >= n) {
        buf[0] = '\0';
        return -1;
    }
    return 0;
}

int clock_date_cmp(struct clock_date a, struct clock_date b)
{
    if (a.y != b.y)
        return a.y < b.y ? -1 : 1;
    if (a.m != b.m)
        return a.m < b.m ? -1 : 1;
    if (a.d != b.d)
        return a.d < b.d ? -1 : 1;
    return 0;
}

/*
 * Days since 1970-01-01, by counting in 400-year eras that start on March 1
 * (so the leap day is the last day of an era's year): Howard Hinnant's
 * days_from_civil, exact for every proleptic Gregorian date.
 */
long clock_date_to_days(struct clock_date d)
{
    long y = d.y - (d.m <= 2);
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;                                            /* [0, 399] */
    long doy = (153L * (d.m > 2 ? d.m - 3 : d.m + 9) + 2) / 5 + d.d - 1; /* [0, 365] */
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                    /* [0, 146096] */

    return era * 146097 + doe - 719468;
}

/* The inverse of clock_date_to_days (Hinnant's civil_from_days). */
struct clock_date clock_date_from_days(long days)
{
    struct clock_date r;
    long z = days + 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;                                      /* [0, 146096] */
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    long mp = (5 * doy + 2) / 153;                                    /* [0, 11] */
    long m = mp < 10 ? mp + 3 : mp - 9;

    r.d = (int)(doy - (153 * mp + 2) / 5 + 1);
    r.m = (int)m;
    r.y = (int)(yoe + era * 400 + (m <= 2));
    return r;
}

struct clock_date clock_date_add_days(struct clock_date d, long n)
{
    return clock_date_from_days(clock_date_to_days(d) + n);
}

struct clock_date clock_date_add_years(struct clock_date d, int n)
{
    struct clock_date r = d;

    r.y = d.y + n;
    if (r.m == 2 && r.d == 29 && !clock_leap_year(r.y))
        r.d = 28;
    return r;
}

long clock_date_diff(struct clock_date a, struct clock_date b)
{
    return clock_date_to_days(b) - clock_date_to_days(a);
}

struct clock_date clock_date_of(time_t t)
{
    long days = (long)(t / 86400);

    /* Division truncates toward zero; an instant before 1970 belongs to the day before. */
    if (t < 0 && t % 86400 != 0)
        days--;
    return clock_date_from_days(days);
}
