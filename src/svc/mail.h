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
    const char *smtp_url; /* "smtp://host:port" or "smtps://host:port" */
    const char *from;     /* envelope and From: address */
    const char *user;     /* SMTP AUTH user, or NULL */
    const char *password; /* SMTP AUTH password, or NULL */
    long timeout_s;       /* per message; <= 0: 30 */
};

/*
 * Sends every due pending message once (at most limit; <= 0: 100). *sent and
 * *failed (may be NULL) count this run's successes and failed attempts.
 */
int svc_mail_deliver(const struct svc *sv, const struct mail_config *mc, long limit, int *sent,
                     int *failed, struct cf_error *err);

/*
 * Starts a background thread that opens its own store on db_url and calls
 * svc_mail_deliver every few seconds until svc_mail_worker_stop(). mc and its
 * strings must outlive the worker.
 */
int svc_mail_worker_start(const char *db_url, const struct mail_config *mc, struct cf_error *err);

/* Stops the worker (finishing the message in hand) and waits for it. */
void svc_mail_worker_stop(void);

#endif
