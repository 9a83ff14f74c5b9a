/* credential.c — the credential life cycle: statuses, events, reminders, numbers. */
#include "core/credential.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define REASON_MAX 2000 /* bytes of a suspension, reinstatement or revocation reason */
#define TERM_MAX   100  /* years: a sanity bound on the rules, not a policy */

static const char *const status_names[CRED_STATUS_COUNT] = {
    "none", "active", "expiring", "expired", "lapsed", "suspended", "revoked",
};

static const char *const event_names[CRED_EVENT_COUNT] = {
    "issue", "renew", "suspend", "reinstate", "revoke", "tick",
};

void cred_rules_default(struct cred_rules *r)
{
    static const int reminders[] = {180, 90, 30, 7};

    memset(r, 0, sizeof *r);
    r->term_years = CRED_DEFAULT_TERM;
    r->grace_days = CRED_DEFAULT_GRACE;
    r->expiring_days = CRED_DEFAULT_WARN;
    for (size_t i = 0; i < sizeof reminders / sizeof reminders[0]; i++)
        r->reminder_days[r->nreminders++] = reminders[i];
    r->reinstate_lapsed = 0;
    snprintf(r->number_prefix, sizeof r->number_prefix, "%s", "CETL");
    r->number_digits = CRED_DEFAULT_DIGITS;
}

const char *cred_status_name(enum cred_status s)
{
    if ((int)s < 0 || (int)s >= CRED_STATUS_COUNT)
        return "unknown";
    return status_names[s];
}

const char *cred_event_name(enum cred_event_kind k)
{
    if ((int)k < 0 || (int)k >= CRED_EVENT_COUNT)
        return "unknown";
    return event_names[k];
}

int cred_status_parse(const char *s, enum cred_status *out)
{
    for (int i = 0; s != NULL && i < CRED_STATUS_COUNT; i++) {
        if (strcmp(s, status_names[i]) == 0) {
            *out = (enum cred_status)i;
            return 0;
        }
    }
    return -1;
}

enum cred_status cred_status_on(const struct cred_rules *r, struct clock_date expires_on,
                                struct clock_date today)
{
    long left = clock_date_diff(today, expires_on); /* days from today to expiry */

    if (left > r->expiring_days)
        return CRED_ACTIVE;
    if (left >= 0)
        return CRED_EXPIRING;
    if (-left <= r->grace_days)
        return CRED_EXPIRED;
    return CRED_LAPSED;
}

/*
 * The first term runs from the issue day through expires_on; a renewed term
 * starts the day after the old expiry, which is expires_on moved back one
 * term. Moving back can land on or before the issue day only in the first
 * term (a Feb 29 issue gives a Feb 28 expiry, and Feb 28 three years back is
 * before the issue), so that case is the first term.
 */
struct clock_date cred_term_start(const struct cred_rules *r, const struct cred_state *st)
{
    struct clock_date back = clock_date_add_years(st->expires_on, -r->term_years);

    if (clock_date_cmp(back, st->issued_on) <= 0)
        return st->issued_on;
    return clock_date_add_days(back, 1);
}

/* 1 when status s follows from the dates alone (tick may move it). */
static int timed(enum cred_status s)
{
    return s == CRED_ACTIVE || s == CRED_EXPIRING || s == CRED_EXPIRED || s == CRED_LAPSED;
}

/* 1 when the rules can drive the life cycle. */
static int rules_ok(const struct cred_rules *r)
{
    return r != NULL && r->term_years >= 1 && r->term_years <= TERM_MAX && r->grace_days >= 0 &&
           r->expiring_days >= 0 && r->nreminders >= 0 && r->nreminders <= CRED_REMINDERS_MAX;
}

/* 1 when reason holds something other than spaces, within REASON_MAX bytes. */
static int reason_given(const char *reason)
{
    size_t n;

    if (reason == NULL)
        return 0;
    n = strnlen(reason, REASON_MAX + 1);
    if (n > REASON_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isspace((unsigned char)reason[i]))
            return 1;
    return 0;
}

/*
 * The sentence refusing event k from status s (already brought up to today),
 * for every pair that cred_apply() refuses on the status alone. NULL when the
 * status allows the event (further checks may still refuse it).
 */
static const char *refusal(enum cred_event_kind k, enum cred_status s, const struct cred_rules *r)
{
    switch (k) {
    case CRED_EV_ISSUE:
        switch (s) {
        case CRED_NONE:
            return NULL;
        case CRED_ACTIVE:
        case CRED_EXPIRING:
        case CRED_EXPIRED:
            return "This credential is already issued; renew it when the requirement is met.";
        case CRED_LAPSED:
            return r->reinstate_lapsed ? "A lapsed credential cannot be issued again; reinstate "
                                         "it or have the holder apply again."
                                       : "A lapsed credential cannot be issued again; the holder "
                                         "applies again for a new credential.";
        case CRED_SUSPENDED:
            return "A suspended credential cannot be issued again; reinstate it instead.";
        case CRED_REVOKED:
            return "A revoked credential cannot be issued again; the holder applies again for a "
                   "new credential.";
        }
        break;
    case CRED_EV_RENEW:
        switch (s) {
        case CRED_ACTIVE:
        case CRED_EXPIRING:
        case CRED_EXPIRED:
            return NULL;
        case CRED_NONE:
            return "A credential that was not issued cannot be renewed; issue it first.";
        case CRED_LAPSED:
            return r->reinstate_lapsed ? "A lapsed credential cannot be renewed; reinstate it "
                                         "instead."
                                       : "A lapsed credential cannot be renewed; the holder "
                                         "applies again for a new credential.";
        case CRED_SUSPENDED:
            return "A suspended credential cannot be renewed; reinstate it first.";
        case CRED_REVOKED:
            return "A revoked credential cannot be renewed.";
        }
        break;
    case CRED_EV_SUSPEND:
        switch (s) {
        case CRED_ACTIVE:
        case CRED_EXPIRING:
        case CRED_EXPIRED:
            return NULL;
        case CRED_NONE:
            return "A credential that was not issued cannot be suspended.";
        case CRED_LAPSED:
            return "A lapsed credential cannot be suspended; it is no longer in force.";
        case CRED_SUSPENDED:
            return "This credential is already suspended.";
        case CRED_REVOKED:
            return "A revoked credential cannot be suspended; revocation is final.";
        }
        break;
    case CRED_EV_REINSTATE:
        switch (s) {
        case CRED_SUSPENDED:
            return NULL;
        case CRED_LAPSED:
            return r->reinstate_lapsed ? NULL
                                       : "This program does not reinstate lapsed credentials; "
                                         "the holder applies again for a new credential.";
        case CRED_NONE:
            return "A credential that was not issued cannot be reinstated.";
        case CRED_ACTIVE:
        case CRED_EXPIRING:
        case CRED_EXPIRED:
            return r->reinstate_lapsed ? "Only a suspended or lapsed credential can be "
                                         "reinstated; this one is in force."
                                       : "Only a suspended credential can be reinstated; this "
                                         "one is in force.";
        case CRED_REVOKED:
            return "A revoked credential cannot be reinstated; revocation is final.";
        }
        break;
    case CRED_EV_REVOKE:
        switch (s) {
        case CRED_ACTIVE:
        case CRED_EXPIRING:
        case CRED_EXPIRED:
        case CRED_LAPSED:
        case CRED_SUSPENDED:
            return NULL;
        case CRED_NONE:
            return "A credential that was not issued cannot be revoked.";
        case CRED_REVOKED:
            return "This credential is already revoked.";
        }
        break;
    case CRED_EV_TICK:
        return s == CRED_NONE ? "A credential that was not issued has no dates to move; issue "
                                "it first."
                              : NULL;
    }
    return "This change is not one a credential knows.";
}

/* What a reason is for, in "Write the reason for %s this credential." */
static const char *reason_verb(enum cred_event_kind k)
{
    switch (k) {
    case CRED_EV_SUSPEND:
        return "suspending";
    case CRED_EV_REINSTATE:
        return "reinstating";
    default:
        return "revoking";
    }
}

/*
 * The checks come in this order: usable input (CF_EINVAL), the status as of
 * today (CF_ECONFLICT: an illegal transition outranks a missing reason, which
 * would not make it legal), the reason (CF_EINVAL, field "reason"), and the
 * date checks of renewal and reinstatement (CF_ECONFLICT).
 */
int cred_apply(const struct cred_state *cur, const struct cred_event *ev, struct clock_date today,
               const struct cred_rules *r, struct cred_state *next, struct cf_error *err)
{
    int rc = CF_OK;
    struct cred_state st = *cur;
    enum cred_status now;
    const char *why;
    char d1[CLOCK_DATE_LEN], d2[CLOCK_DATE_LEN];

    *next = *cur;
    if (!rules_ok(r))
        return cf_error_set(err, CF_EINVAL, NULL,
                            "The program's life-cycle rules are not usable; "
                            "check its term, grace period and reminders.");
    if (!clock_date_valid(today))
        return cf_error_set(err, CF_EINVAL, "today", "Give today's date as YYYY-MM-DD.");
    if (st.status != CRED_NONE &&
        (!clock_date_valid(st.issued_on) || !clock_date_valid(st.expires_on) ||
         clock_date_cmp(st.expires_on, st.issued_on) < 0))
        return cf_error_set(err, CF_EINVAL, "expires_on",
                            "The credential's dates are not usable; its expiry must be a date on "
                            "or after its issue.");

    /* Bring a timed status up to today, forward only: a late tick changes nothing. */
    if (timed(st.status)) {
        now = cred_status_on(r, st.expires_on, today);
        if (now > st.status)
            st.status = now;
    }

    why = refusal(ev->kind, st.status, r);
    if (why != NULL)
        return cf_error_set(err, CF_ECONFLICT, NULL, "%s", why);
    if ((ev->kind == CRED_EV_SUSPEND || ev->kind == CRED_EV_REINSTATE ||
         ev->kind == CRED_EV_REVOKE) &&
        !reason_given(ev->reason))
        return cf_error_set(err, CF_EINVAL, "reason",
                            "Write the reason for %s this credential (at most %d characters).",
                            reason_verb(ev->kind), REASON_MAX);

    switch (ev->kind) {
    case CRED_EV_ISSUE:
        st.issued_on = today;
        st.expires_on = clock_date_add_years(today, r->term_years);
        st.status = cred_status_on(r, st.expires_on, today);
        break;
    case CRED_EV_RENEW: {
        /* Renewing the term once it began only: a second renewal would add a second term. */
        struct clock_date start = cred_term_start(r, &st);

        if (clock_date_cmp(today, start) < 0) {
            clock_date_format(st.expires_on, d1, sizeof d1);
            clock_date_format(start, d2, sizeof d2);
            return cf_error_set(err, CF_ECONFLICT, NULL,
                                "This credential is already renewed through %s; renew it again "
                                "from %s.",
                                d1, d2);
        }
        st.expires_on = clock_date_add_years(st.expires_on, r->term_years);
        st.status = cred_status_on(r, st.expires_on, today);
        break;
    }
    case CRED_EV_SUSPEND:
        st.status = CRED_SUSPENDED;
        break;
    case CRED_EV_REINSTATE:
        if (st.status == CRED_LAPSED) {
            /* One term from the old expiry, like a renewal; never a fresh term from today. */
            struct clock_date until = clock_date_add_years(st.expires_on, r->term_years);

            if (clock_date_cmp(until, today) < 0) {
                clock_date_format(until, d1, sizeof d1);
                return cf_error_set(err, CF_ECONFLICT, NULL,
                                    "This credential lapsed more than a term ago (its next term "
                                    "ended on %s); the holder applies again for a new credential.",
                                    d1);
            }
            st.expires_on = until;
        }
        st.status = cred_status_on(r, st.expires_on, today);
        break;
    case CRED_EV_REVOKE:
        st.status = CRED_REVOKED;
        break;
    case CRED_EV_TICK:
        break; /* already brought up to today; suspended and revoked stay as they are */
    }
    *next = st;
    return rc;
}

int cred_reminder_due(const struct cred_rules *r, const struct cred_state *st,
                      struct clock_date today, const int *sent, size_t nsent)
{
    long left;
    int best = 0;

    if (!rules_ok(r) || !clock_date_valid(today) || !clock_date_valid(st->expires_on))
        return 0;
    if (st->status != CRED_ACTIVE && st->status != CRED_EXPIRING)
        return 0;
    left = clock_date_diff(today, st->expires_on);
    if (left < 0)
        return 0;

    /* The reminder closest to expiry whose day has come. */
    for (int i = 0; i < r->nreminders; i++) {
        int days = r->reminder_days[i];

        if (days > 0 && left <= days && (best == 0 || days < best))
            best = days;
    }
    if (best == 0)
        return 0;

    /* Sent already (this one, or one closer to expiry after a change of schedule). */
    for (size_t i = 0; i < nsent; i++)
        if (sent[i] > 0 && sent[i] <= best)
            return 0;
    return best;
}

/* 1 when p is 1-12 characters of A-Z and 0-9. */
static int prefix_ok(const char *p)
{
    size_t n = strnlen(p, CRED_PREFIX_MAX);

    if (n == 0 || n >= CRED_PREFIX_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= '0' && p[i] <= '9')))
            return 0;
    return 1;
}

/* 10^digits - 1: the largest sequence number of that many digits. */
static long seq_max(int digits)
{
    long m = 1;

    for (int i = 0; i < digits; i++)
        m *= 10;
    return m - 1;
}

int cred_number_format(const struct cred_rules *r, int year, long seq, char *buf, size_t n)
{
    int w;

    if (n > 0)
        buf[0] = '\0';
    if (r == NULL || !prefix_ok(r->number_prefix) || r->number_digits < CRED_DIGITS_MIN ||
        r->number_digits > CRED_DIGITS_MAX || year < CLOCK_YEAR_MIN || year > CLOCK_YEAR_MAX ||
        seq < 1 || seq > seq_max(r->number_digits) || n == 0)
        return CF_EINVAL;
    w = snprintf(buf, n, "%s-%04d-%0*ld", r->number_prefix, year, r->number_digits, seq);
    if (w < 0 || (size_t)w >= n) {
        buf[0] = '\0';
        return CF_EINVAL;
    }
    return CF_OK;
}

/*
 * Reads PREFIX-YYYY-DIGITS after trimming spaces and upper-casing into a
 * local copy, so the checks below see the canonical form only.
 */
int cred_number_parse(const struct cred_rules *r, const char *s, int *year, long *seq, char *canon,
                      size_t n, struct cf_error *err)
{
    char c[CRED_NUMBER_MAX];
    size_t len, i, plen, dlen;
    const char *p, *dash1, *dash2;
    int y = 0;
    long q = 0;

    if (canon != NULL && n > 0)
        canon[0] = '\0';
    if (s == NULL)
        goto bad;
    while (*s == ' ')
        s++;
    len = strnlen(s, CRED_NUMBER_MAX);
    while (len > 0 && s[len - 1] == ' ')
        len--;
    if (len == 0 || len >= CRED_NUMBER_MAX)
        goto bad;
    for (i = 0; i < len; i++)
        c[i] = (char)toupper((unsigned char)s[i]);
    c[len] = '\0';

    dash1 = strchr(c, '-');
    if (dash1 == NULL)
        goto bad;
    dash2 = strchr(dash1 + 1, '-');
    if (dash2 == NULL || dash2 - dash1 != 5 || strchr(dash2 + 1, '-') != NULL)
        goto bad;
    plen = (size_t)(dash1 - c);
    if (plen == 0 || plen >= CRED_PREFIX_MAX)
        goto bad;
    for (p = c; p < dash1; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            goto bad;
    for (p = dash1 + 1; p < dash2; p++) {
        if (*p < '0' || *p > '9')
            goto bad;
        y = y * 10 + (*p - '0');
    }
    dlen = strlen(dash2 + 1);
    if (dlen < CRED_DIGITS_MIN || dlen > CRED_DIGITS_MAX)
        goto bad;
    for (p = dash2 + 1; *p != '\0'; p++) {
        if (*p < '0' || *p > '9')
            goto bad;
        q = q * 10 + (*p - '0');
    }
    if (y < CLOCK_YEAR_MIN || q < 1)
        goto bad;
    if (r != NULL && (strlen(r->number_prefix) != plen || strncmp(c, r->number_prefix, plen) != 0 ||
                      dlen != (size_t)r->number_digits))
        goto bad;

    if (year != NULL)
        *year = y;
    if (seq != NULL)
        *seq = q;
    if (canon != NULL && n > len)
        memcpy(canon, c, len + 1);
    return CF_OK;

bad:
    if (r != NULL && prefix_ok(r->number_prefix) && r->number_digits >= CRED_DIGITS_MIN &&
        r->number_digits <= CRED_DIGITS_MAX)
        return cf_error_set(err, CF_EINVAL, "number",
                            "Enter a credential number like %s-2026-%0*d: the prefix, the year "
                            "and %d digits.",
                            r->number_prefix, r->number_digits, 1, r->number_digits);
    return cf_error_set(err, CF_EINVAL, "number",
                        "Enter a credential number like CETL-2026-000123: a prefix, the year and "
                        "the sequence number.");
}
