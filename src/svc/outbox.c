/*
 * outbox.c — the outbox as staff see it: the list, one message, and sending
 * a failed message again (after the mail server was fixed, or an address
 * corrected). Delivery itself is the job kind in mail.c.
 */
#include <stdio.h>
#include <string.h>

#include "lib/clock.h"
#include "svc/mail.h"
#include "svc/svc_impl.h"

/*
 * CF_OK when message m may be sent again: it failed, and was neither
 * cancelled on purpose nor addressed to a person since erased. Otherwise
 * CF_ECONFLICT with the reason in err (may be NULL), naming message id.
 */
static int retriable(const json_t *m, int64_t id, struct cf_error *err)
{
    const char *to = json_string_value(json_object_get(m, "to_addr"));
    const char *status = json_string_value(json_object_get(m, "status"));

    if (json_is_string(json_object_get(m, "cancelled_at")))
        return cf_error_set(err, CF_ECONFLICT, NULL,
                            "Message #%lld was not sent on purpose (%s); send a new one from the "
                            "person's page if needed.",
                            (long long)id, json_string_value(json_object_get(m, "last_error")));
    if (to != NULL && strcmp(to, "[erased]") == 0)
        return cf_error_set(
            err, CF_ECONFLICT, NULL,
            "Message #%lld was for a person who has been erased; it cannot be sent.",
            (long long)id);
    if (status == NULL || strcmp(status, "failed") != 0)
        return cf_error_set(err, CF_ECONFLICT, NULL,
                            "Message #%lld is %s; only a failed message can be sent again.",
                            (long long)id, status != NULL ? status : "unknown");
    return CF_OK;
}

/*
 * Adds to message m how people read its status: status_text ("pending",
 * "sent", "failed", "no longer needed") and obsolete (true when its link was
 * used or replaced before it went out: neither sent nor a failure).
 */
static void status_view(json_t *m)
{
    const char *status = json_string_value(json_object_get(m, "status"));
    int obsolete = status != NULL && strcmp(status, "obsolete") == 0;

    json_object_set_new(m, "status_text",
                        json_string(obsolete         ? "no longer needed"
                                    : status != NULL ? status
                                                     : ""));
    json_object_set_new(m, "obsolete", json_boolean(obsolete));
}

int svc_outbox_list(const struct svc *sv, const char *status, long limit, json_t **out,
                    struct cf_error *err)
{
    json_t *m;
    size_t i;
    int rc, may_retry;

    *out = NULL;
    if (!svc__can(sv, PERM_OUTBOX_READ, NULL))
        return cf_error_set(err, CF_EFORBIDDEN, NULL,
                            "Only program administrators see the outbox.");
    if (status != NULL && strcmp(status, "pending") != 0 && strcmp(status, "sent") != 0 &&
        strcmp(status, "failed") != 0 && strcmp(status, "obsolete") != 0)
        return cf_error_set(err, CF_EINVAL, "status",
                            "Choose a status: pending, sent, failed or obsolete.");
    rc = store_outbox_list(sv->store, status, limit, out, err);
    if (rc != CF_OK)
        return rc;
    may_retry = svc__can(sv, PERM_OUTBOX_WRITE, NULL);
    json_array_foreach(*out, i, m)
    {
        int64_t id = json_integer_value(json_object_get(m, "id"));

        json_object_set_new(m, "can_retry",
                            json_boolean(may_retry && retriable(m, id, NULL) == CF_OK));
        status_view(m);
    }
    return CF_OK;
}

int svc_outbox_get(const struct svc *sv, int64_t id, json_t **out, struct cf_error *err)
{
    int rc;

    *out = NULL;
    if (!svc__can(sv, PERM_OUTBOX_READ, NULL))
        return cf_error_set(err, CF_EFORBIDDEN, NULL,
                            "Only program administrators see the outbox.");
    rc = store_outbox_get(sv->store, id, out, err);
    if (rc == CF_ENOTFOUND)
        return cf_error_set(err, CF_ENOTFOUND, NULL, "There is no message #%lld in the outbox.",
                            (long long)id);
    if (rc == CF_OK)
        status_view(*out);
    return rc;
}

int svc__outbox_requeue(const struct svc *sv, int64_t id, const char *now, json_t **m,
                        struct cf_error *err)
{
    int64_t n = 0;
    int rc;

    *m = NULL;
    rc = store_outbox_get(sv->store, id, m, err);
    if (rc == CF_ENOTFOUND)
        return cf_error_set(err, CF_ENOTFOUND, NULL, "There is no message #%lld in the outbox.",
                            (long long)id);
    if (rc != CF_OK)
        return rc;
    rc = retriable(*m, id, err);
    if (rc == CF_OK)
        rc = store_outbox_requeue(sv->store, id, now, &n, err);
    if (rc == CF_OK && n != 1)
        rc = cf_error_set(err, CF_ECONFLICT, NULL, "Message #%lld changed meanwhile; look again.",
                          (long long)id);
    /* Its delivery job, dead or never made, is queued again. */
    if (rc == CF_OK)
        rc = store_outbox_adopt(sv->store, id, OUTBOX_MAX_ATTEMPTS, now, NULL, err);
    if (rc != CF_OK) {
        json_decref(*m);
        *m = NULL;
    }
    return rc;
}

int svc_outbox_retry(const struct svc *sv, int64_t id, json_t **out, struct cf_error *err)
{
    char now[32], oid[32];
    json_t *m = NULL, *before = NULL, *after = NULL;
    int rc;

    *out = NULL;
    if (!svc__can(sv, PERM_OUTBOX_WRITE, NULL))
        return cf_error_set(err, CF_EFORBIDDEN, NULL,
                            "Only program administrators send messages again.");
    clock_now_iso(now, sizeof now);
    rc = store_begin(sv->store, err);
    if (rc != CF_OK)
        return rc;
    rc = svc__outbox_requeue(sv, id, now, &m, err);
    if (rc != CF_OK)
        goto out;

    snprintf(oid, sizeof oid, "%lld", (long long)id);
    before =
        json_pack("{s:O, s:O, s:O}", "status", json_object_get(m, "status"), "attempts",
                  json_object_get(m, "attempts"), "last_error", json_object_get(m, "last_error"));
    after =
        json_pack("{s:s, s:i, s:s}", "status", "pending", "attempts", 0, "next_attempt_at", now);
    rc = svc__audit(sv, NULL, "outbox.retry", "message", oid, before, after, err);

out:
    json_decref(before);
    json_decref(after);
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    if (rc != CF_OK) {
        json_decref(m);
        return rc;
    }
    json_object_set_new(m, "status", json_string("pending"));
    json_object_set_new(m, "attempts", json_integer(0));
    json_object_set_new(m, "next_attempt_at", json_string(now));
    *out = m;
    return CF_OK;
}
