/*
 * mail.h — delivering the outbox over SMTP (libcurl).
 *
 * Every message is a row in the outbox before anything is sent
 * (store_outbox_add). Delivery takes due rows, sends each, and records the
 * outcome: sent, or another attempt later with backoff, or failed after the
 * last attempt. A row is never deleted, so nothing is lost when delivery fails.
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
 * Sends every due pending message once (at most limit; <= 0: 100), oldest
 * first, over one SMTP connection. Each outcome is written at once by its own
 * store call (so do not call this inside store_begin/store_commit):
 *   - sent: status 'sent', sent_at = now;
 *   - failed: attempts + 1, last_error = the reason, next_attempt_at = now +
 *     1 min, 5 min, 30 min, 2 h, 12 h after the 1st to 5th failure; the 6th
 *     failure makes it 'failed';
 *   - a recipient that is not one plain address, or a subject with CR or LF
 *     (header injection), is never sent: 'failed' at once;
 *   - a permanent refusal (a 5yz reply, but for those about the login) is
 *     'failed' at once; `ctoframe outbox retry` makes it pending again.
 * Logs one line per message on stderr ("mail: sent #ID to ADDR", "mail: #ID
 * to ADDR failed (attempt N): ERROR; next try at T"). *sent and *failed (may
 * be NULL) count this run's successes and failed or refused messages. Returns
 * CF_EINVAL for a bad smtp_url or from (nothing is tried), a store error if
 * one stops the run, else CF_OK whatever the messages' outcomes.
 */
int svc_mail_deliver(const struct svc *sv, const struct mail_config *mc, long limit, int *sent,
                     int *failed, struct cf_error *err);

/*
 * Starts a background thread that opens its own store on db_url (which must
 * exist and be migrated) and calls svc_mail_deliver every 2 seconds until
 * svc_mail_worker_stop(). mc and its strings must outlive the worker. Checks
 * mc first (CF_EINVAL as svc_mail_deliver); CF_ECONFLICT when a worker runs
 * already. Database errors are logged once and retried on the next tick.
 */
int svc_mail_worker_start(const char *db_url, const struct mail_config *mc, struct cf_error *err);

/*
 * Stops the worker and waits for it: at once when it is idle; a message on
 * the wire gets 5 seconds to finish, after which it is abandoned and stays
 * pending as it was. Does nothing when no worker runs.
 */
void svc_mail_worker_stop(void);

#endif
