/*
 * mail.h — delivering the outbox over SMTP (libcurl).
 *
 * Every message is a row in the outbox before anything is sent
 * (store_outbox_add), with a job of kind "outbox.deliver" that delivers it
 * (svc/jobs.h). Delivery sends each due message and records the outcome:
 * sent, or another attempt later with backoff, or failed after the last
 * attempt. A row is never deleted, so nothing is lost when delivery fails.
 */
#ifndef CF_SVC_MAIL_H
#define CF_SVC_MAIL_H

#include "svc/svc.h"

struct mail_config {
    const char *smtp_url; /* "smtp://host:port" (STARTTLS when offered) or "smtps://host:port";
                             a path names the EHLO domain: "smtp://host:587/example.org" */
    const char *from;     /* "name@domain" or "Name <name@domain>", printable ASCII;
                             NULL: ctoframe@<host name> */
    const char *user;     /* SMTP AUTH user, or NULL or "" */
    const char *password; /* SMTP AUTH password, or NULL or "" */
    long timeout_s;       /* per message; <= 0: 30 */
};

/*
 * Sends every due pending message once (at most limit; <= 0: all that are
 * due), oldest first, over one SMTP connection: the tick runs first
 * (svc_tick: messages without a delivery job get one, expired leases end),
 * then the "outbox.deliver" jobs that are due run (svc/jobs.h).
 * Each outcome is written at once with its job's (so do not call this inside
 * store_begin/store_commit):
 *   - sent: status 'sent', sent_at = now;
 *   - failed: attempts + 1, last_error = the reason, next_attempt_at = now +
 *     1 min, 5 min, 30 min, 2 h, 12 h after the 1st to 5th failure; the 6th
 *     failure makes it 'failed';
 *   - a recipient that is not one plain address, or a subject with CR or LF
 *     (header injection), is never sent: 'failed' at once;
 *   - a permanent refusal (a 5yz reply, but for those about the login) is
 *     'failed' at once; `ctoframe outbox retry` makes it pending again;
 *   - a message whose link was used or replaced meanwhile is 'obsolete'
 *     already (store_outbox_cancel) and is skipped: not sent, not a failure.
 * Logs one line per message on stderr ("mail: sent #ID to ADDR", "mail: #ID
 * to ADDR failed (attempt N): ERROR; next try at T"). *sent and *failed (may
 * be NULL) count this run's successes and failed or refused messages. Returns
 * CF_EINVAL for a bad smtp_url or from (nothing is tried), a store error if
 * one stops the run, else CF_OK whatever the messages' outcomes.
 */
int svc_mail_deliver(const struct svc *sv, const struct mail_config *mc, long limit, int *sent,
                     int *failed, struct cf_error *err);

/* CF_OK when mc can be used (CF_EINVAL naming the setting at fault otherwise). */
int svc_mail_check(const struct mail_config *mc, struct cf_error *err);

/*
 * Shared by outbox.c and the job kind in mail.c, inside the caller's
 * transaction: failed message id is pending again at now with its attempts
 * from 0, and its delivery job queued. CF_ENOTFOUND; CF_ECONFLICT (with a
 * message for people) when it was cancelled, its person erased, or it is not
 * failed. *m = the message as it was (json_decref it; NULL on failure).
 */
int svc__outbox_requeue(const struct svc *sv, int64_t id, const char *now, json_t **m,
                        struct cf_error *err);

#endif
