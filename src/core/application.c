/*
 * application.c — years of relevant experience from dated periods.
 */
#include "core/application.h"

#include <stdlib.h>
#include <string.h>

/* Hundredths of days in a year (365.25), to turn days into months and years without floats. */
#define CENTIDAYS_PER_YEAR 36525L

struct span {
    long a, b; /* days since 1970, both included */
};

static int span_cmp(const void *x, const void *y)
{
    const struct span *s = x, *t = y;

    return s->a < t->a ? -1 : s->a > t->a ? 1 : 0;
}

/*
 * Each period's days, then the union: sorted by start, a span that begins on or
 * before the day after the current one ends joins it; otherwise the current
 * one is counted and the next begins.
 */
int app_experience(const struct app_period *p, int n, struct app_experience *out)
{
    struct span s[APP_PERIODS_MAX];
    int k = 0;

    memset(out, 0, sizeof *out);
    if (n < 0 || n > APP_PERIODS_MAX)
        return -1;
    for (int i = 0; i < n; i++) {
        long a = clock_date_to_days(p[i].start), b = clock_date_to_days(p[i].end);

        out->days[i] = b >= a ? b - a + 1 : 0;
        if (b >= a) {
            s[k].a = a;
            s[k].b = b;
            k++;
        }
    }
    qsort(s, (size_t)k, sizeof s[0], span_cmp);
    for (int i = 0; i < k;) {
        long a = s[i].a, b = s[i].b;
        int j = i + 1;

        while (j < k && s[j].a <= b + 1) {
            if (s[j].b > b)
                b = s[j].b;
            j++;
        }
        out->union_days += b - a + 1;
        i = j;
    }
    out->months = (int)(out->union_days * 1200L / CENTIDAYS_PER_YEAR);
    out->tenths = (int)((out->union_days * 1000L + CENTIDAYS_PER_YEAR / 2) / CENTIDAYS_PER_YEAR);
    return 0;
}
