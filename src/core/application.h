/*
 * application.h — the arithmetic of an application for a credential: years of
 * relevant experience from dated employment periods, each overlap counted
 * once. Pure: no I/O.
 *
 *     struct app_period p[2] = {{{2015,1,1}, {2019,12,31}}, {{2018,1,1}, {2022,6,30}}};
 *     struct app_experience x;
 *     app_experience(p, 2, &x);      // x.union_days, x.months, x.tenths (of a year)
 */
#ifndef CF_CORE_APPLICATION_H
#define CF_CORE_APPLICATION_H

#include "lib/clock.h"

/* An application lists at most this many employment periods. */
#define APP_PERIODS_MAX 20

/* One period of relevant work, both days included. */
struct app_period {
    struct clock_date start;
    struct clock_date end;
};

struct app_experience {
    long days[APP_PERIODS_MAX]; /* of each period as given, both ends counted */
    long union_days;            /* of the union: a day worked in two jobs counts once */
    int months;                 /* whole months of the union (a month is 365.25/12 days) */
    int tenths;                 /* years to one decimal, rounded: 47 is 4.7 years */
};

/*
 * Computes the experience of n (at most APP_PERIODS_MAX) periods into out.
 * A period whose end is before its start counts 0 days. Returns 0, or -1 when n
 * is out of range (out zeroed).
 */
int app_experience(const struct app_period *p, int n, struct app_experience *out);

#endif
