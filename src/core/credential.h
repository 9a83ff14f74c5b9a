/*
 * credential.h — the credential life cycle, pure: statuses and the events that
 * move them, the reminder schedule, and credential numbers.
 *
 * No I/O, no SQL, no clock: every function takes "today" as a civil date and
 * the few program rules it needs as a struct cred_rules (filled from the
 * program document by the caller). The svc layer loads a credential, calls
 * cred_apply() inside its transaction, stores the next state, and answers a
 * CF_ECONFLICT with the sentence this module wrote (409). The state diagram,
 * the date rules and the reminder choice are in docs/internals/credential.md.
 */
#ifndef CF_CORE_CREDENTIAL_H
#define CF_CORE_CREDENTIAL_H

#include <stddef.h>

#include "lib/clock.h"
#include "lib/err.h"

#define CRED_REMINDERS_MAX  8   /* reminders in a schedule, at most */
#define CRED_PREFIX_MAX     13  /* a number prefix: 1-12 of A-Z 0-9, and its NUL */
#define CRED_DIGITS_MIN     1   /* digits of a number's sequence, at least */
#define CRED_DIGITS_MAX     12  /* and at most */
#define CRED_NUMBER_MAX     40  /* "PREFIX-YYYY-SEQUENCE" and its NUL */
#define CRED_DEFAULT_TERM   3   /* years */
#define CRED_DEFAULT_GRACE  90  /* days after expiry before a credential lapses (assumed) */
#define CRED_DEFAULT_WARN   180 /* days before expiry a credential is "expiring" */
#define CRED_DEFAULT_DIGITS 6

/*
 * Statuses. ACTIVE, EXPIRING, EXPIRED and LAPSED follow from the dates and
 * today (tick moves them, only forward); SUSPENDED and REVOKED are set by a
 * program admin. NONE is a credential not yet issued.
 */
enum cred_status {
    CRED_NONE = 0,
    CRED_ACTIVE,
    CRED_EXPIRING,
    CRED_EXPIRED,
    CRED_LAPSED,
    CRED_SUSPENDED,
    CRED_REVOKED,
};
#define CRED_STATUS_COUNT 7

enum cred_event_kind {
    CRED_EV_ISSUE = 0, /* on a passing result */
    CRED_EV_RENEW,     /* requirement met, or the exam passed again, within the term */
    CRED_EV_SUSPEND,   /* by a program admin, with a reason */
    CRED_EV_REINSTATE, /* from suspended; from lapsed when the rules allow it */
    CRED_EV_REVOKE,    /* by a program admin, with a reason; final */
    CRED_EV_TICK,      /* time passes: active -> expiring -> expired -> lapsed */
};
#define CRED_EVENT_COUNT 6

/* The rules the life cycle needs (a subset of the program's rules). */
struct cred_rules {
    int term_years;    /* a term, in years (>= 1) */
    int grace_days;    /* after expiry, before lapse (>= 0; 0: lapse the day after expiry) */
    int expiring_days; /* "expiring" from this many days before expiry (>= 0) */
    int reminder_days[CRED_REMINDERS_MAX]; /* days before expiry, largest first */
    int nreminders;
    int reinstate_lapsed; /* a lapsed credential may be reinstated */
    char number_prefix[CRED_PREFIX_MAX];
    int number_digits; /* of the sequence, zero-padded */
};

struct cred_state {
    enum cred_status status;
    struct clock_date issued_on;  /* first issue; unset (all 0) for CRED_NONE */
    struct clock_date expires_on; /* the last day the credential is in force */
};

struct cred_event {
    enum cred_event_kind kind;
    const char *reason; /* suspend, reinstate, revoke: why (required); otherwise ignored */
};

/* The defaults: 3-year term, 90 days' grace, expiring at 180, reminders 180/90/30/7, CETL. */
void cred_rules_default(struct cred_rules *r);

/* The stable name of a status ("active") or event ("renew"); "unknown" when out of range. */
const char *cred_status_name(enum cred_status s);
const char *cred_event_name(enum cred_event_kind k);

/* Reads a status name; 0 with *out set, or -1. */
int cred_status_parse(const char *s, enum cred_status *out);

/*
 * The status the dates give on today, for a credential in force: ACTIVE until
 * expiring_days before expires_on, EXPIRING up to and including expires_on,
 * EXPIRED for grace_days after it, LAPSED from then on.
 */
enum cred_status cred_status_on(const struct cred_rules *r, struct clock_date expires_on,
                                struct clock_date today);

/*
 * The first day of the term that ends on st->expires_on: expires_on moved
 * back one term, but never before the first issue (a term issued on Feb 29
 * ends on Feb 28 and starts on Feb 29, not Feb 28).
 */
struct clock_date cred_term_start(const struct cred_rules *r, const struct cred_state *st);

/*
 * Applies event ev on day today to state cur. On CF_OK *next is the new state
 * (it may equal cur: a tick with nothing to move). On refusal *next is a copy
 * of cur and err (may be NULL) holds a sentence for people:
 *   CF_ECONFLICT  the transition is illegal from this status ("A revoked
 *                 credential cannot be renewed."); the HTTP layer answers 409;
 *   CF_EINVAL     a reason is missing (field "reason"), the rules or dates are
 *                 not usable.
 * Every event first sees the credential as of today (a missed tick cannot
 * make a lapsed credential renewable). Renewal extends from the old expiry,
 * never from today.
 */
int cred_apply(const struct cred_state *cur, const struct cred_event *ev, struct clock_date today,
               const struct cred_rules *r, struct cred_state *next, struct cf_error *err);

/*
 * The reminder to send now for a credential, given the reminders already sent
 * for this expiry date (sent: days-before-expiry values, nsent of them).
 * Returns the days-before-expiry of the reminder due (one of
 * r->reminder_days), or 0 when none is due. At most one is ever due: when
 * ticks were missed, only the reminder closest to expiry among those whose day
 * has come is sent, and the earlier ones are skipped for good. Only a
 * credential in force (active or expiring) on a day up to its expiry gets
 * reminders.
 */
int cred_reminder_due(const struct cred_rules *r, const struct cred_state *st,
                      struct clock_date today, const int *sent, size_t nsent);

/*
 * Writes the credential number "PREFIX-YYYY-SEQUENCE" (CETL-2026-000123) for
 * year and seq into buf. CF_OK; CF_EINVAL (buf "" when n > 0) when the prefix
 * or digit count of r is not valid, the year is not 1-9999, seq is not
 * between 1 and the largest number of number_digits digits, or buf is short.
 */
int cred_number_format(const struct cred_rules *r, int year, long seq, char *buf, size_t n);

/*
 * Reads a credential number. With r, the prefix must be r's and the sequence
 * exactly r->number_digits digits; with r NULL any prefix of 1-12 letters and
 * digits and any sequence of 1-12 digits is accepted (a registry lookup that
 * does not know the program). Letters may be lower case and spaces around the
 * number are ignored; canon (may be NULL, n >= CRED_NUMBER_MAX) gets the
 * number upper-cased and trimmed. year and seq may be NULL. CF_OK or
 * CF_EINVAL with a sentence in err (field "number").
 */
int cred_number_parse(const struct cred_rules *r, const char *s, int *year, long *seq, char *canon,
                      size_t n, struct cf_error *err);

#endif
