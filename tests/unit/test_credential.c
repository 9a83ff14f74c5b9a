/*
 * test_credential.c — src/core/credential.c: the credential life cycle.
 *
 * The fixture is one credential issued on 2026-03-15 under the default rules
 * (3-year term, 90 days' grace, expiring from 180 days before expiry,
 * reminders 180/90/30/7). Its dates, computed by hand:
 *   expires_on            2026-03-15 + 3 years                       = 2029-03-15
 *   expiring from         2029-03-15 - 180 days                      = 2028-09-16
 *                         (15 Mar + 28 Feb + 31 Jan + 31 Dec + 30 Nov = 135 days back
 *                          to 2028-10-31, 45 more back to 2028-09-16)
 *   expired from          the day after expiry                       = 2029-03-16
 *   last day of grace     2029-03-15 + 90 days: 16 (rest of Mar) + 30 (Apr) + 31 (May)
 *                         = 77, + 13 (Jun)                           = 2029-06-13
 *   lapsed from                                                      = 2029-06-14
 *   reminders             180: 2028-09-16; 90: 2028-12-15 (15 + 28 + 31 = 74 back to
 *                         2028-12-31, 16 more); 30: 2029-02-13 (15 back to 02-28, 15
 *                         more); 7: 2029-03-08
 *   renewed               2029-03-15 + 3 years                       = 2032-03-15
 *
 * Every (status, event) pair is a row of one table, legal and illegal; an
 * illegal one must give CF_ECONFLICT and the exact sentence the HTTP layer
 * answers with 409.
 */
#include "testutil.h"

#include "core/credential.h"

#define ISSUED   "2026-03-15"
#define EXPIRES  "2029-03-15"
#define RENEWED  "2032-03-15"
#define D_NONE   "2026-03-15" /* issue day */
#define D_ACTIVE "2027-01-10"
#define D_EXPNG  "2029-01-10" /* within 180 days of expiry */
#define D_EXPD   "2029-04-01" /* 17 days after expiry: in grace */
#define D_LAPSED "2029-07-01" /* 108 days after expiry: past grace */

static struct clock_date day(const char *s)
{
    struct clock_date d = {0, 0, 0};

    if (clock_date_parse(s, &d) != 0)
        fail_msg("bad date in the test: %s", s);
    return d;
}

static const char *fmt(struct clock_date d, char *buf)
{
    if (clock_date_format(d, buf, CLOCK_DATE_LEN) != 0)
        return "(not a date)";
    return buf;
}

static struct cred_state state(enum cred_status s)
{
    struct cred_state st;

    memset(&st, 0, sizeof st);
    st.status = s;
    if (s != CRED_NONE) {
        st.issued_on = day(ISSUED);
        st.expires_on = day(EXPIRES);
    }
    return st;
}

/* A message people read: a capital first, a period last, no doubled space. */
static void assert_voice(const char *m)
{
    size_t n = strlen(m);

    if (n < 2 || !(m[0] >= 'A' && m[0] <= 'Z') || m[n - 1] != '.' || strstr(m, "  ") != NULL)
        fail_msg("not a sentence in one voice: \"%s\"", m);
}

struct row {
    enum cred_status from;
    const char *today;
    enum cred_event_kind ev;
    int reinstate_lapsed;
    int rc;
    enum cred_status to; /* when rc is CF_OK */
    const char *expires; /* when rc is CF_OK */
    const char *message; /* when rc is not CF_OK */
};

#define OK(f, t, e, to, exp)                                                                       \
    {                                                                                              \
        f, t, e, 0, CF_OK, to, exp, NULL                                                           \
    }
#define OKL(f, t, e, to, exp)                                                                      \
    {                                                                                              \
        f, t, e, 1, CF_OK, to, exp, NULL                                                           \
    }
#define NO(f, t, e, msg)                                                                           \
    {                                                                                              \
        f, t, e, 0, CF_ECONFLICT, CRED_NONE, NULL, msg                                             \
    }
#define NOL(f, t, e, msg)                                                                          \
    {                                                                                              \
        f, t, e, 1, CF_ECONFLICT, CRED_NONE, NULL, msg                                             \
    }

static const char M_ISSUED[] =
    "This credential is already issued; renew it when the requirement is met.";
static const char M_NOT_ISSUED_RENEW[] =
    "A credential that was not issued cannot be renewed; issue it first.";

static const struct row table[] = {
    /* issue */
    OK(CRED_NONE, D_NONE, CRED_EV_ISSUE, CRED_ACTIVE, EXPIRES),
    NO(CRED_ACTIVE, D_ACTIVE, CRED_EV_ISSUE, M_ISSUED),
    NO(CRED_EXPIRING, D_EXPNG, CRED_EV_ISSUE, M_ISSUED),
    NO(CRED_EXPIRED, D_EXPD, CRED_EV_ISSUE, M_ISSUED),
    NO(CRED_LAPSED, D_LAPSED, CRED_EV_ISSUE,
       "A lapsed credential cannot be issued again; the holder applies again for a new "
       "credential."),
    NOL(CRED_LAPSED, D_LAPSED, CRED_EV_ISSUE,
        "A lapsed credential cannot be issued again; reinstate it or have the holder apply "
        "again."),
    NO(CRED_SUSPENDED, D_ACTIVE, CRED_EV_ISSUE,
       "A suspended credential cannot be issued again; reinstate it instead."),
    NO(CRED_REVOKED, D_ACTIVE, CRED_EV_ISSUE,
       "A revoked credential cannot be issued again; the holder applies again for a new "
       "credential."),

    /* renew: one term from the old expiry, whatever today is */
    NO(CRED_NONE, D_NONE, CRED_EV_RENEW, M_NOT_ISSUED_RENEW),
    OK(CRED_ACTIVE, D_ACTIVE, CRED_EV_RENEW, CRED_ACTIVE, RENEWED),
    OK(CRED_EXPIRING, D_EXPNG, CRED_EV_RENEW, CRED_ACTIVE, RENEWED),
    OK(CRED_EXPIRED, D_EXPD, CRED_EV_RENEW, CRED_ACTIVE, RENEWED),
    NO(CRED_LAPSED, D_LAPSED, CRED_EV_RENEW,
       "A lapsed credential cannot be renewed; the holder applies again for a new credential."),
    NOL(CRED_LAPSED, D_LAPSED, CRED_EV_RENEW,
        "A lapsed credential cannot be renewed; reinstate it instead."),
    NO(CRED_SUSPENDED, D_ACTIVE, CRED_EV_RENEW,
       "A suspended credential cannot be renewed; reinstate it first."),
    NO(CRED_REVOKED, D_ACTIVE, CRED_EV_RENEW, "A revoked credential cannot be renewed."),

    /* suspend */
    NO(CRED_NONE, D_NONE, CRED_EV_SUSPEND, "A credential that was not issued cannot be suspended."),
    OK(CRED_ACTIVE, D_ACTIVE, CRED_EV_SUSPEND, CRED_SUSPENDED, EXPIRES),
    OK(CRED_EXPIRING, D_EXPNG, CRED_EV_SUSPEND, CRED_SUSPENDED, EXPIRES),
    OK(CRED_EXPIRED, D_EXPD, CRED_EV_SUSPEND, CRED_SUSPENDED, EXPIRES),
    NO(CRED_LAPSED, D_LAPSED, CRED_EV_SUSPEND,
       "A lapsed credential cannot be suspended; it is no longer in force."),
    NO(CRED_SUSPENDED, D_ACTIVE, CRED_EV_SUSPEND, "This credential is already suspended."),
    NO(CRED_REVOKED, D_ACTIVE, CRED_EV_SUSPEND,
       "A revoked credential cannot be suspended; revocation is final."),

    /* reinstate */
    NO(CRED_NONE, D_NONE, CRED_EV_REINSTATE,
       "A credential that was not issued cannot be reinstated."),
    NO(CRED_ACTIVE, D_ACTIVE, CRED_EV_REINSTATE,
       "Only a suspended credential can be reinstated; this one is in force."),
    NOL(CRED_ACTIVE, D_ACTIVE, CRED_EV_REINSTATE,
        "Only a suspended or lapsed credential can be reinstated; this one is in force."),
    NO(CRED_EXPIRING, D_EXPNG, CRED_EV_REINSTATE,
       "Only a suspended credential can be reinstated; this one is in force."),
    NO(CRED_EXPIRED, D_EXPD, CRED_EV_REINSTATE,
       "Only a suspended credential can be reinstated; this one is in force."),
    NO(CRED_LAPSED, D_LAPSED, CRED_EV_REINSTATE,
       "This program does not reinstate lapsed credentials; the holder applies again for a new "
       "credential."),
    /* 2029-03-15 + 3 years = 2032-03-15, more than 180 days after 2029-07-01: active */
    OKL(CRED_LAPSED, D_LAPSED, CRED_EV_REINSTATE, CRED_ACTIVE, RENEWED),
    OK(CRED_SUSPENDED, D_ACTIVE, CRED_EV_REINSTATE, CRED_ACTIVE, EXPIRES),
    /* suspended into the last 180 days: reinstated as expiring, then after expiry as expired */
    OK(CRED_SUSPENDED, D_EXPNG, CRED_EV_REINSTATE, CRED_EXPIRING, EXPIRES),
    OK(CRED_SUSPENDED, D_EXPD, CRED_EV_REINSTATE, CRED_EXPIRED, EXPIRES),
    /* suspended past the grace period: the suspension ends, the credential has lapsed */
    OK(CRED_SUSPENDED, D_LAPSED, CRED_EV_REINSTATE, CRED_LAPSED, EXPIRES),
    NO(CRED_REVOKED, D_ACTIVE, CRED_EV_REINSTATE,
       "A revoked credential cannot be reinstated; revocation is final."),
    NOL(CRED_REVOKED, D_ACTIVE, CRED_EV_REINSTATE,
        "A revoked credential cannot be reinstated; revocation is final."),

    /* revoke: from every issued status but revoked */
    NO(CRED_NONE, D_NONE, CRED_EV_REVOKE, "A credential that was not issued cannot be revoked."),
    OK(CRED_ACTIVE, D_ACTIVE, CRED_EV_REVOKE, CRED_REVOKED, EXPIRES),
    OK(CRED_EXPIRING, D_EXPNG, CRED_EV_REVOKE, CRED_REVOKED, EXPIRES),
    OK(CRED_EXPIRED, D_EXPD, CRED_EV_REVOKE, CRED_REVOKED, EXPIRES),
    OK(CRED_LAPSED, D_LAPSED, CRED_EV_REVOKE, CRED_REVOKED, EXPIRES),
    OK(CRED_SUSPENDED, D_ACTIVE, CRED_EV_REVOKE, CRED_REVOKED, EXPIRES),
    NO(CRED_REVOKED, D_ACTIVE, CRED_EV_REVOKE, "This credential is already revoked."),

    /* tick: time moves the timed statuses forward only */
    NO(CRED_NONE, D_NONE, CRED_EV_TICK,
       "A credential that was not issued has no dates to move; issue it first."),
    OK(CRED_ACTIVE, D_ACTIVE, CRED_EV_TICK, CRED_ACTIVE, EXPIRES),
    OK(CRED_ACTIVE, "2028-09-15", CRED_EV_TICK, CRED_ACTIVE, EXPIRES),
    OK(CRED_ACTIVE, "2028-09-16", CRED_EV_TICK, CRED_EXPIRING, EXPIRES),
    OK(CRED_ACTIVE, D_EXPD, CRED_EV_TICK, CRED_EXPIRED, EXPIRES),     /* missed ticks */
    OK(CRED_ACTIVE, D_LAPSED, CRED_EV_TICK, CRED_LAPSED, EXPIRES),    /* missed ticks */
    OK(CRED_EXPIRING, EXPIRES, CRED_EV_TICK, CRED_EXPIRING, EXPIRES), /* in force on the day */
    OK(CRED_EXPIRING, "2029-03-16", CRED_EV_TICK, CRED_EXPIRED, EXPIRES),
    OK(CRED_EXPIRED, "2029-06-13", CRED_EV_TICK, CRED_EXPIRED, EXPIRES),
    OK(CRED_EXPIRED, "2029-06-14", CRED_EV_TICK, CRED_LAPSED, EXPIRES),
    OK(CRED_LAPSED, D_LAPSED, CRED_EV_TICK, CRED_LAPSED, EXPIRES),
    OK(CRED_LAPSED, D_ACTIVE, CRED_EV_TICK, CRED_LAPSED, EXPIRES),     /* never backwards */
    OK(CRED_EXPIRING, D_ACTIVE, CRED_EV_TICK, CRED_EXPIRING, EXPIRES), /* never backwards */
    OK(CRED_SUSPENDED, D_LAPSED, CRED_EV_TICK, CRED_SUSPENDED, EXPIRES),
    OK(CRED_REVOKED, D_LAPSED, CRED_EV_TICK, CRED_REVOKED, EXPIRES),

    /* An event sees the credential as of today: a missed tick does not make it renewable. */
    NO(CRED_ACTIVE, D_LAPSED, CRED_EV_RENEW,
       "A lapsed credential cannot be renewed; the holder applies again for a new credential."),
    NO(CRED_EXPIRING, D_LAPSED, CRED_EV_SUSPEND,
       "A lapsed credential cannot be suspended; it is no longer in force."),
};

static void test_transitions(void **state_)
{
    int seen[CRED_STATUS_COUNT][CRED_EVENT_COUNT];
    char b1[CLOCK_DATE_LEN];

    (void)state_;
    memset(seen, 0, sizeof seen);
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        const struct row *t = &table[i];
        struct cred_rules r;
        struct cred_state cur = state(t->from), next;
        struct cred_event ev = {t->ev, "Misconduct found by the committee."};
        struct cf_error err;
        int rc;

        cred_rules_default(&r);
        r.reinstate_lapsed = t->reinstate_lapsed;
        cf_error_clear(&err);
        rc = cred_apply(&cur, &ev, day(t->today), &r, &next, &err);
        seen[t->from][t->ev] = 1;
        if (rc != t->rc)
            fail_msg("row %zu: %s + %s on %s: rc %d (%s), want %d", i, cred_status_name(t->from),
                     cred_event_name(t->ev), t->today, rc, err.message, t->rc);
        if (rc == CF_OK) {
            if (next.status != t->to)
                fail_msg("row %zu: %s + %s on %s gave %s, want %s", i, cred_status_name(t->from),
                         cred_event_name(t->ev), t->today, cred_status_name(next.status),
                         cred_status_name(t->to));
            if (strcmp(fmt(next.expires_on, b1), t->expires) != 0)
                fail_msg("row %zu: %s + %s: expires %s, want %s", i, cred_status_name(t->from),
                         cred_event_name(t->ev), b1, t->expires);
            /* The issue day never changes after the issue. */
            if (t->from != CRED_NONE)
                assert_int_equal(clock_date_cmp(next.issued_on, cur.issued_on), 0);
        } else {
            assert_string_equal(err.message, t->message);
            assert_voice(err.message);
            /* A refusal leaves the state as it was. */
            assert_int_equal(next.status, cur.status);
            assert_int_equal(clock_date_cmp(next.expires_on, cur.expires_on), 0);
        }
    }

    /* Every pair of status and event is in the table. */
    for (int s = 0; s < CRED_STATUS_COUNT; s++)
        for (int e = 0; e < CRED_EVENT_COUNT; e++)
            if (!seen[s][e])
                fail_msg("no row for %s + %s", cred_status_name((enum cred_status)s),
                         cred_event_name((enum cred_event_kind)e));
}

static void test_issue_sets_dates(void **state_)
{
    struct cred_rules r;
    struct cred_state cur = state(CRED_NONE), next;
    struct cred_event ev = {CRED_EV_ISSUE, NULL};
    char b[CLOCK_DATE_LEN];

    (void)state_;
    cred_rules_default(&r);
    assert_int_equal(cred_apply(&cur, &ev, day("2026-03-15"), &r, &next, NULL), CF_OK);
    assert_string_equal(fmt(next.issued_on, b), "2026-03-15");
    assert_string_equal(fmt(next.expires_on, b), "2029-03-15");

    /* Issued on a leap day: 2024-02-29 + 3 years is 2027-02-28 (2027 is not leap). */
    assert_int_equal(cred_apply(&cur, &ev, day("2024-02-29"), &r, &next, NULL), CF_OK);
    assert_string_equal(fmt(next.expires_on, b), "2027-02-28");
    /* With a 4-year term it stays on Feb 29: 2028 is leap. */
    r.term_years = 4;
    assert_int_equal(cred_apply(&cur, &ev, day("2024-02-29"), &r, &next, NULL), CF_OK);
    assert_string_equal(fmt(next.expires_on, b), "2028-02-29");
}

static void test_status_boundaries(void **state_)
{
    struct cred_rules r;
    struct clock_date exp = day(EXPIRES);

    (void)state_;
    cred_rules_default(&r);
    assert_int_equal(cred_status_on(&r, exp, day("2028-09-15")), CRED_ACTIVE);
    assert_int_equal(cred_status_on(&r, exp, day("2028-09-16")), CRED_EXPIRING);
    assert_int_equal(cred_status_on(&r, exp, day("2029-03-15")), CRED_EXPIRING);
    assert_int_equal(cred_status_on(&r, exp, day("2029-03-16")), CRED_EXPIRED);
    assert_int_equal(cred_status_on(&r, exp, day("2029-06-13")), CRED_EXPIRED);
    assert_int_equal(cred_status_on(&r, exp, day("2029-06-14")), CRED_LAPSED);

    /* No grace: the day after expiry is a lapse. Expiring from 30 days: 2029-02-13. */
    r.grace_days = 0;
    r.expiring_days = 30;
    assert_int_equal(cred_status_on(&r, exp, day("2029-02-12")), CRED_ACTIVE);
    assert_int_equal(cred_status_on(&r, exp, day("2029-02-13")), CRED_EXPIRING);
    assert_int_equal(cred_status_on(&r, exp, day("2029-03-16")), CRED_LAPSED);
}

/* Renewal counts from the old expiry, never from today, and once per term. */
static void test_renewal_from_old_expiry(void **state_)
{
    struct cred_rules r;
    struct cred_state cur = state(CRED_ACTIVE), next, again;
    struct cred_event ev = {CRED_EV_RENEW, NULL};
    struct cf_error err;
    char b[CLOCK_DATE_LEN];

    (void)state_;
    cred_rules_default(&r);
    /* Renewed early (2027-01-10) or late in grace (2029-06-13): 2032-03-15 both times. */
    assert_int_equal(cred_apply(&cur, &ev, day("2027-01-10"), &r, &next, NULL), CF_OK);
    assert_string_equal(fmt(next.expires_on, b), RENEWED);
    cur.status = CRED_EXPIRED;
    assert_int_equal(cred_apply(&cur, &ev, day("2029-06-13"), &r, &next, NULL), CF_OK);
    assert_string_equal(fmt(next.expires_on, b), RENEWED);
    /* The renewed term began the day after the old expiry. */
    assert_string_equal(fmt(cred_term_start(&r, &next), b), "2029-03-16");

    /* A second renewal before the renewed term begins would add a term for nothing. */
    cur.status = CRED_ACTIVE;
    assert_int_equal(cred_apply(&cur, &ev, day("2027-01-10"), &r, &next, NULL), CF_OK);
    assert_int_equal(cred_apply(&next, &ev, day("2027-01-11"), &r, &again, &err), CF_ECONFLICT);
    assert_string_equal(err.message, "This credential is already renewed through 2032-03-15; "
                                     "renew it again from 2029-03-16.");
    assert_voice(err.message);
    /* Once it has begun, the next renewal is allowed: 2032-03-15 + 3 years. */
    assert_int_equal(cred_apply(&next, &ev, day("2029-03-16"), &r, &again, NULL), CF_OK);
    assert_string_equal(fmt(again.expires_on, b), "2035-03-15");
}

/* Leap-day terms: issued 2024-02-29, expiring 2027-02-28, renewed to 2030-02-28. */
static void test_renewal_leap_day(void **state_)
{
    struct cred_rules r;
    struct cred_state cur, next;
    struct cred_event ev = {CRED_EV_RENEW, NULL};
    char b[CLOCK_DATE_LEN];

    (void)state_;
    cred_rules_default(&r);
    memset(&cur, 0, sizeof cur);
    cur.status = CRED_EXPIRING;
    cur.issued_on = day("2024-02-29");
    cur.expires_on = day("2027-02-28");
    /* The first term starts on the issue day, not on 2027-02-28 - 3 years = 2024-02-28. */
    assert_string_equal(fmt(cred_term_start(&r, &cur), b), "2024-02-29");
    assert_int_equal(cred_apply(&cur, &ev, day("2027-02-01"), &r, &next, NULL), CF_OK);
    assert_string_equal(fmt(next.expires_on, b), "2030-02-28");
    assert_string_equal(fmt(cred_term_start(&r, &next), b), "2027-03-01");
    assert_int_equal(next.status, CRED_ACTIVE);

    /* Grace across a leap day: 2028-02-28 expiry + 90 days = 2028-05-28 (1 + 31 + 30 + 28). */
    cur.issued_on = day("2025-02-28");
    cur.expires_on = day("2028-02-28");
    assert_int_equal(cred_status_on(&r, cur.expires_on, day("2028-05-28")), CRED_EXPIRED);
    assert_int_equal(cred_status_on(&r, cur.expires_on, day("2028-05-29")), CRED_LAPSED);
}

static void test_reinstate_lapsed_too_late(void **state_)
{
    struct cred_rules r;
    struct cred_state cur = state(CRED_LAPSED), next;
    struct cred_event ev = {CRED_EV_REINSTATE, "Paid the late fee and showed the points."};
    struct cf_error err;
    char b[CLOCK_DATE_LEN];

    (void)state_;
    cred_rules_default(&r);
    r.reinstate_lapsed = 1;
    /* The next term would have ended on 2032-03-15: on that day it is still possible. */
    assert_int_equal(cred_apply(&cur, &ev, day("2032-03-15"), &r, &next, NULL), CF_OK);
    assert_string_equal(fmt(next.expires_on, b), RENEWED);
    assert_int_equal(next.status, CRED_EXPIRING);
    assert_int_equal(cred_apply(&cur, &ev, day("2032-03-16"), &r, &next, &err), CF_ECONFLICT);
    assert_string_equal(err.message, "This credential lapsed more than a term ago (its next term "
                                     "ended on 2032-03-15); the holder applies again for a new "
                                     "credential.");
    assert_voice(err.message);
}

static void test_reasons(void **state_)
{
    static const enum cred_event_kind kinds[] = {CRED_EV_SUSPEND, CRED_EV_REVOKE,
                                                 CRED_EV_REINSTATE};
    static const char *const want[] = {
        "Write the reason for suspending this credential (at most 2000 characters).",
        "Write the reason for revoking this credential (at most 2000 characters).",
        "Write the reason for reinstating this credential (at most 2000 characters).",
    };
    char *longr = malloc(2002);
    struct cred_rules r;
    struct cf_error err;

    (void)state_;
    assert_non_null(longr);
    memset(longr, 'x', 2001);
    longr[2001] = '\0';
    cred_rules_default(&r);
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        struct cred_state cur = state(kinds[i] == CRED_EV_REINSTATE ? CRED_SUSPENDED : CRED_ACTIVE);
        struct cred_state next;
        const char *reasons[] = {NULL, "", "  \t ", longr};

        for (size_t j = 0; j < sizeof reasons / sizeof reasons[0]; j++) {
            struct cred_event ev = {kinds[i], reasons[j]};

            cf_error_clear(&err);
            assert_int_equal(cred_apply(&cur, &ev, day(D_ACTIVE), &r, &next, &err), CF_EINVAL);
            assert_string_equal(err.field, "reason");
            assert_string_equal(err.message, want[i]);
            assert_int_equal(next.status, cur.status);
        }
        /* 2000 characters are enough. */
        longr[2000] = '\0';
        {
            struct cred_event ev = {kinds[i], longr};

            assert_int_equal(cred_apply(&cur, &ev, day(D_ACTIVE), &r, &next, NULL), CF_OK);
        }
        longr[2000] = 'x';
    }

    /* An illegal change is a conflict even without a reason: a reason would not help. */
    {
        struct cred_state cur = state(CRED_REVOKED), next;
        struct cred_event ev = {CRED_EV_SUSPEND, NULL};

        assert_int_equal(cred_apply(&cur, &ev, day(D_ACTIVE), &r, &next, &err), CF_ECONFLICT);
    }
    free(longr);
}

static void test_unusable_input(void **state_)
{
    struct cred_rules r;
    struct cred_state cur = state(CRED_ACTIVE), next;
    struct cred_event ev = {CRED_EV_TICK, NULL};
    struct clock_date bad = {2023, 2, 29};
    struct cf_error err;

    (void)state_;
    cred_rules_default(&r);
    r.term_years = 0;
    assert_int_equal(cred_apply(&cur, &ev, day(D_ACTIVE), &r, &next, &err), CF_EINVAL);
    assert_voice(err.message);
    cred_rules_default(&r);
    r.grace_days = -1;
    assert_int_equal(cred_apply(&cur, &ev, day(D_ACTIVE), &r, &next, NULL), CF_EINVAL);
    cred_rules_default(&r);
    assert_int_equal(cred_apply(&cur, &ev, bad, &r, &next, &err), CF_EINVAL);
    assert_string_equal(err.field, "today");
    cur.expires_on = day("2025-01-01"); /* before the issue */
    assert_int_equal(cred_apply(&cur, &ev, day(D_ACTIVE), &r, &next, &err), CF_EINVAL);
    assert_string_equal(err.field, "expires_on");
    assert_voice(err.message);
}

static void test_names(void **state_)
{
    enum cred_status s;

    (void)state_;
    for (int i = 0; i < CRED_STATUS_COUNT; i++) {
        assert_int_equal(cred_status_parse(cred_status_name((enum cred_status)i), &s), 0);
        assert_int_equal(s, i);
    }
    assert_string_equal(cred_status_name(CRED_EXPIRING), "expiring");
    assert_string_equal(cred_event_name(CRED_EV_REINSTATE), "reinstate");
    assert_string_equal(cred_status_name((enum cred_status)99), "unknown");
    assert_string_equal(cred_event_name((enum cred_event_kind)99), "unknown");
    assert_int_equal(cred_status_parse("Active", &s), -1);
    assert_int_equal(cred_status_parse(NULL, &s), -1);
}

/*
 * Daily ticks from issue to lapse: each reminder once, on its day, and the
 * statuses change on the days computed in the header.
 */
static void test_reminders_daily(void **state_)
{
    static const char *const want_day[] = {"2028-09-16", "2028-12-15", "2029-02-13", "2029-03-08"};
    static const int want_days[] = {180, 90, 30, 7};
    struct cred_rules r;
    struct cred_state st = state(CRED_NONE), next;
    struct cred_event issue = {CRED_EV_ISSUE, NULL}, tick = {CRED_EV_TICK, NULL};
    struct clock_date d = day(ISSUED);
    int sent[CRED_REMINDERS_MAX];
    size_t nsent = 0;
    char b[CLOCK_DATE_LEN], moved[3][CLOCK_DATE_LEN] = {"", "", ""};

    (void)state_;
    cred_rules_default(&r);
    assert_int_equal(cred_apply(&st, &issue, d, &r, &next, NULL), CF_OK);
    st = next;
    for (; clock_date_cmp(d, day("2029-12-31")) <= 0; d = clock_date_add_days(d, 1)) {
        int due;

        assert_int_equal(cred_apply(&st, &tick, d, &r, &next, NULL), CF_OK);
        if (next.status != st.status && next.status >= CRED_EXPIRING && next.status <= CRED_LAPSED)
            fmt(d, moved[next.status - CRED_EXPIRING]);
        st = next;
        due = cred_reminder_due(&r, &st, d, sent, nsent);
        if (due == 0)
            continue;
        if (nsent >= 4)
            fail_msg("a fifth reminder (%d days) on %s", due, fmt(d, b));
        assert_int_equal(due, want_days[nsent]);
        assert_string_equal(fmt(d, b), want_day[nsent]);
        sent[nsent++] = due;
        /* The same tick again sends nothing. */
        assert_int_equal(cred_reminder_due(&r, &st, d, sent, nsent), 0);
    }
    assert_int_equal(nsent, 4);
    assert_string_equal(moved[0], "2028-09-16");
    assert_string_equal(moved[1], "2029-03-16");
    assert_string_equal(moved[2], "2029-06-14");
    assert_int_equal(st.status, CRED_LAPSED);
}

/* Missed ticks send only the latest reminder due; the skipped ones never come. */
static void test_reminders_catch_up(void **state_)
{
    struct cred_rules r;
    struct cred_state st = state(CRED_ACTIVE);
    int sent[CRED_REMINDERS_MAX];
    size_t nsent = 0;

    (void)state_;
    cred_rules_default(&r);
    /* Nothing before 2028-09-16. */
    assert_int_equal(cred_reminder_due(&r, &st, day("2028-09-15"), sent, 0), 0);
    /* First tick on 2029-03-10: 5 days left, only the 7-day reminder. */
    st.status = CRED_EXPIRING;
    assert_int_equal(cred_reminder_due(&r, &st, day("2029-03-10"), sent, 0), 7);
    sent[nsent++] = 7;
    assert_int_equal(cred_reminder_due(&r, &st, day("2029-03-11"), sent, nsent), 0);
    assert_int_equal(cred_reminder_due(&r, &st, day("2029-03-15"), sent, nsent), 0);

    /* First tick on 2028-12-20 (85 days left): the 90-day one; the 180-day one is skipped. */
    nsent = 0;
    assert_int_equal(cred_reminder_due(&r, &st, day("2028-12-20"), sent, nsent), 90);
    sent[nsent++] = 90;
    assert_int_equal(cred_reminder_due(&r, &st, day("2029-01-20"), sent, nsent), 0);
    assert_int_equal(cred_reminder_due(&r, &st, day("2029-02-13"), sent, nsent), 30);

    /* Nothing after expiry, nothing while suspended or revoked, nothing for an empty schedule. */
    assert_int_equal(cred_reminder_due(&r, &st, day("2029-03-16"), sent, 0), 0);
    st.status = CRED_SUSPENDED;
    assert_int_equal(cred_reminder_due(&r, &st, day("2029-03-10"), sent, 0), 0);
    st.status = CRED_REVOKED;
    assert_int_equal(cred_reminder_due(&r, &st, day("2029-03-10"), sent, 0), 0);
    st.status = CRED_EXPIRING;
    r.nreminders = 0;
    assert_int_equal(cred_reminder_due(&r, &st, day("2029-03-10"), sent, 0), 0);

    /* After a renewal the reminders start again for the new expiry (2032-03-15 - 180 days
       is 2031-09-17: 15 + 29 (Feb 2032) + 31 + 31 + 30 = 136 back to 2031-10-31, 44 more). */
    cred_rules_default(&r);
    st.expires_on = day(RENEWED);
    assert_int_equal(cred_reminder_due(&r, &st, day("2031-09-16"), NULL, 0), 0);
    assert_int_equal(cred_reminder_due(&r, &st, day("2031-09-17"), NULL, 0), 180);
}

static void test_number_format(void **state_)
{
    struct cred_rules r;
    char buf[CRED_NUMBER_MAX], small[16];

    (void)state_;
    cred_rules_default(&r);
    assert_int_equal(cred_number_format(&r, 2026, 123, buf, sizeof buf), CF_OK);
    assert_string_equal(buf, "CETL-2026-000123");
    assert_int_equal(cred_number_format(&r, 2026, 999999, buf, sizeof buf), CF_OK);
    assert_string_equal(buf, "CETL-2026-999999");
    /* 1,000,000 does not fit in 6 digits; 0 and negatives are not sequence numbers. */
    assert_int_equal(cred_number_format(&r, 2026, 1000000, buf, sizeof buf), CF_EINVAL);
    assert_string_equal(buf, "");
    assert_int_equal(cred_number_format(&r, 2026, 0, buf, sizeof buf), CF_EINVAL);
    assert_int_equal(cred_number_format(&r, 2026, -5, buf, sizeof buf), CF_EINVAL);
    assert_int_equal(cred_number_format(&r, 0, 5, buf, sizeof buf), CF_EINVAL);
    /* "CETL-2026-000123" is 16 characters: 16 bytes leave no room for the NUL. */
    assert_int_equal(cred_number_format(&r, 2026, 123, small, sizeof small), CF_EINVAL);
    assert_string_equal(small, "");

    /* Another program's prefix and width. */
    snprintf(r.number_prefix, sizeof r.number_prefix, "%s", "ISTE2");
    r.number_digits = 4;
    assert_int_equal(cred_number_format(&r, 2031, 7, buf, sizeof buf), CF_OK);
    assert_string_equal(buf, "ISTE2-2031-0007");
    /* Prefixes are capitals and digits; digits 1-12. */
    snprintf(r.number_prefix, sizeof r.number_prefix, "%s", "cetl");
    assert_int_equal(cred_number_format(&r, 2031, 7, buf, sizeof buf), CF_EINVAL);
    snprintf(r.number_prefix, sizeof r.number_prefix, "%s", "CE-TL");
    assert_int_equal(cred_number_format(&r, 2031, 7, buf, sizeof buf), CF_EINVAL);
    r.number_prefix[0] = '\0';
    assert_int_equal(cred_number_format(&r, 2031, 7, buf, sizeof buf), CF_EINVAL);
    snprintf(r.number_prefix, sizeof r.number_prefix, "%s", "CETL");
    r.number_digits = 0;
    assert_int_equal(cred_number_format(&r, 2031, 7, buf, sizeof buf), CF_EINVAL);
    r.number_digits = 13;
    assert_int_equal(cred_number_format(&r, 2031, 7, buf, sizeof buf), CF_EINVAL);
    r.number_digits = 12;
    assert_int_equal(cred_number_format(&r, 9999, 999999999999L, buf, sizeof buf), CF_OK);
    assert_string_equal(buf, "CETL-9999-999999999999");
}

static void test_number_parse(void **state_)
{
    static const char *const bad[] = {
        "CETL-2026-00123", /* 5 digits, the program has 6 */
        "CETL-2026-0000123",
        "CETX-2026-000123",
        "CET-2026-000123",
        "CETL-26-000123",
        "CETL2026000123",
        "CETL-2026-000123-1",
        "CETL-2026-0001a3",
        "CETL--2026-000123",
        "-2026-000123",
        "CETL-2026-",
        "CETL-0000-000123",
        "CETL-2026-000000",
        "",
        "   ",
        "CETL 2026 000123",
        "C\xc3\x89TL-2026-000123",
        "CETL-2026-000123\n",
        "CETL-+026-000123",
    };
    struct cred_rules r;
    struct cf_error err;
    char canon[CRED_NUMBER_MAX];
    int year = 0;
    long seq = 0;

    (void)state_;
    cred_rules_default(&r);
    assert_int_equal(
        cred_number_parse(&r, "CETL-2026-000123", &year, &seq, canon, sizeof canon, NULL), CF_OK);
    assert_int_equal(year, 2026);
    assert_int_equal(seq, 123);
    assert_string_equal(canon, "CETL-2026-000123");
    /* Case and surrounding spaces do not matter for a lookup. */
    assert_int_equal(
        cred_number_parse(&r, "  cetl-2026-000123 ", &year, &seq, canon, sizeof canon, NULL),
        CF_OK);
    assert_string_equal(canon, "CETL-2026-000123");

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cf_error_clear(&err);
        if (cred_number_parse(&r, bad[i], NULL, NULL, canon, sizeof canon, &err) != CF_EINVAL)
            fail_msg("\"%s\" was read as a credential number", bad[i]);
        assert_string_equal(err.field, "number");
        assert_string_equal(err.message, "Enter a credential number like CETL-2026-000001: the "
                                         "prefix, the year and 6 digits.");
        assert_string_equal(canon, "");
    }
    assert_int_equal(cred_number_parse(&r, NULL, NULL, NULL, NULL, 0, &err), CF_EINVAL);

    /* Without rules: any prefix of capitals and digits, any 1-12 digits. */
    assert_int_equal(
        cred_number_parse(NULL, "iste2-1999-7", &year, &seq, canon, sizeof canon, &err), CF_OK);
    assert_int_equal(year, 1999);
    assert_int_equal(seq, 7);
    assert_string_equal(canon, "ISTE2-1999-7");
    assert_int_equal(cred_number_parse(NULL, "ABCDEFGHIJKLM-2026-1", NULL, NULL, NULL, 0, &err),
                     CF_EINVAL); /* a 13-character prefix */
    assert_string_equal(err.message, "Enter a credential number like CETL-2026-000123: a prefix, "
                                     "the year and the sequence number.");
    assert_int_equal(cred_number_parse(NULL, "CETL-2026-1234567890123", NULL, NULL, NULL, 0, &err),
                     CF_EINVAL); /* 13 digits */

    /* A formatted number always parses back to its year and sequence. */
    for (long s = 1; s <= 999999; s += 9973) {
        char num[CRED_NUMBER_MAX];

        assert_int_equal(cred_number_format(&r, 2030, s, num, sizeof num), CF_OK);
        assert_int_equal(cred_number_parse(&r, num, &year, &seq, NULL, 0, NULL), CF_OK);
        assert_int_equal(year, 2030);
        assert_int_equal(seq, s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transitions),
        cmocka_unit_test(test_issue_sets_dates),
        cmocka_unit_test(test_status_boundaries),
        cmocka_unit_test(test_renewal_from_old_expiry),
        cmocka_unit_test(test_renewal_leap_day),
        cmocka_unit_test(test_reinstate_lapsed_too_late),
        cmocka_unit_test(test_reasons),
        cmocka_unit_test(test_unusable_input),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_reminders_daily),
        cmocka_unit_test(test_reminders_catch_up),
        cmocka_unit_test(test_number_format),
        cmocka_unit_test(test_number_parse),
    };

    return cmocka_run_group_tests_name("credential", tests, NULL, NULL);
}
