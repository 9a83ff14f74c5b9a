/*
 * outbox.c — `ctoframe outbox [list] | show ID | send`: the messages the
 * system sends, read by an operator or delivered over SMTP once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "svc/mail.h"

static const char USAGE[] =
    "usage: ctoframe outbox [list] [--status pending|sent|failed|obsolete] [--json]\n"
    "                       [--db PATH|URL]\n"
    "       ctoframe outbox show ID [--json] [--db PATH|URL]\n"
    "       ctoframe outbox send --smtp URL [--from ADDR] [--json] [--db PATH|URL]\n"
    "       ctoframe outbox retry ID | --status failed [--db PATH|URL]\n\n"
    "Every message ctoframe sends (invitations, password resets) is kept in the outbox.\n"
    "list  the newest messages first (at most 1000): id, created, status, attempts,\n"
    "      recipient, subject and the last delivery error; --json prints the rows.\n"
    "      A message whose link was used or replaced before it went out is \"no longer\n"
    "      needed\" (status obsolete): not sent, and not a failure.\n"
    "show  one message in full, headers and body (how to read an invitation link when\n"
    "      no mail server is set up).\n"
    "send  delivers every message that is due, once, to the SMTP server URL\n"
    "      (smtp://HOST:PORT, STARTTLS when offered, or smtps://HOST:PORT; a path names\n"
    "      the EHLO domain: smtp://HOST:587/example.org). --from is the sender\n"
    "      (\"name@domain\" or \"Name <name@domain>\"; default ctoframe@<this host>).\n"
    "      SMTP AUTH user and password come from CTOFRAME_SMTP_USER and\n"
    "      CTOFRAME_SMTP_PASSWORD. Exit 1 when any message failed; a failed message is\n"
    "      tried again after 1 min, 5 min, 30 min, 2 h and 12 h, then marked failed.\n"
    "      A permanent refusal (a 5xx reply other than to the login) fails it at once.\n"
    "retry a failed message (or, with --status failed, every failed message) is\n"
    "      pending again with its attempts counted from 0, for example once the mail\n"
    "      server's settings are fixed. --status failed leaves out the messages that\n"
    "      cannot be sent again: those replaced by a newer one and those to an erased\n"
    "      person.\n";

#define LIST_MAX 1000L
#define ALL_ROWS 1000000000L /* "every row" for svc_outbox_list */

/* "123" → 123; 0 (after a usage message) when text is not a positive number. */
static long long message_id(const char *text)
{
    char *end;
    long long id;

    errno = 0;
    id = strtoll(text, &end, 10);
    if (text[0] == '\0' || *end != '\0' || errno != 0 || id <= 0) {
        fprintf(stderr, "ctoframe: \"%s\" is not a message id (a positive number)\n%s", text,
                USAGE);
        return 0;
    }
    return id;
}

/* Writes s with control characters (but tab, and newline when lines) shown as \xNN. */
static void put_text(FILE *f, const char *s, int lines)
{
    for (; s != NULL && *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '\t' || (lines && c == '\n'))
            fputc(c, f);
        else if (lines && c == '\r' && s[1] == '\n')
            continue; /* CRLF prints as a line break */
        else if (c == '\r' || c == '\n')
            fputs(c == '\r' ? "\\r" : "\\n", f);
        else if (c < 0x20 || c == 0x7f)
            fprintf(f, "\\x%02x", c);
        else
            fputc(c, f);
    }
}

static const char *str(const json_t *row, const char *key)
{
    const char *v = json_string_value(json_object_get(row, key));

    return v != NULL ? v : "";
}

/* Display width of a UTF-8 string, counting code points (good enough for a table). */
static size_t width(const char *s)
{
    size_t n = 0;

    for (; *s != '\0'; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

/* The table of rows: one line each, and an indented line with the last error. */
static void print_table(const json_t *rows)
{
    size_t i, wto = 2;
    json_t *row;

    json_array_foreach(rows, i, row)
    {
        size_t w = width(str(row, "to_addr"));

        if (w > wto)
            wto = w > 40 ? 40 : w;
    }
    printf("%6s  %-20s  %-16s  %8s  %-*s  %s\n", "id", "created", "status", "attempts", (int)wto,
           "to", "subject");
    json_array_foreach(rows, i, row)
    {
        const char *to = str(row, "to_addr");
        size_t w = width(to);

        printf("%6lld  %-20s  %-16s  %8lld  ",
               (long long)json_integer_value(json_object_get(row, "id")), str(row, "created_at"),
               str(row, "status_text"),
               (long long)json_integer_value(json_object_get(row, "attempts")));
        put_text(stdout, to, 0);
        printf("%*s  ", w < wto ? (int)(wto - w) : 0, "");
        put_text(stdout, str(row, "subject"), 0);
        fputc('\n', stdout);
        if (json_is_string(json_object_get(row, "last_error"))) {
            fputs(json_is_true(json_object_get(row, "obsolete")) ? "        why: "
                                                                 : "        last error: ",
                  stdout);
            put_text(stdout, str(row, "last_error"), 0);
            fputc('\n', stdout);
        }
    }
}

static int do_list(const struct cli_opts *o)
{
    struct svc sv = {NULL, "cli", NULL, NULL, NULL, NULL};
    struct cf_error err;
    json_t *rows = NULL;
    int rc = cli_open_store(o, &sv.store);

    if (rc != CLI_OK)
        return rc;
    cf_error_clear(&err);
    rc = svc_outbox_list(&sv, o->status, LIST_MAX + 1, &rows, &err);
    store_close(sv.store);
    if (rc != CF_OK)
        return cli_fail(&err);
    if (json_array_size(rows) > (size_t)LIST_MAX) {
        json_array_remove(rows, (size_t)LIST_MAX);
        fprintf(stderr, "ctoframe: showing the newest %ld messages only\n", LIST_MAX);
    }
    if (o->json) {
        json_dumpf(rows, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
    } else if (json_array_size(rows) == 0) {
        if (o->status != NULL)
            fprintf(stderr, "ctoframe: no %s messages in the outbox\n", o->status);
        else
            fprintf(stderr, "ctoframe: outbox is empty\n");
    } else {
        print_table(rows);
    }
    json_decref(rows);
    return CLI_OK;
}

static int do_show(const struct cli_opts *o)
{
    struct svc sv = {NULL, "cli", NULL, NULL, NULL, NULL};
    struct cf_error err;
    json_t *rows = NULL, *found = NULL;
    long long id = message_id(o->pos[1]);
    int rc;

    if (id == 0)
        return CLI_USAGE;
    rc = cli_open_store(o, &sv.store);
    if (rc != CLI_OK)
        return rc;
    cf_error_clear(&err);
    rc = svc_outbox_get(&sv, (int64_t)id, &rows, &err);
    store_close(sv.store);
    if (rc == CF_ENOTFOUND) {
        fprintf(stderr, "ctoframe: no message #%lld in the outbox\n", id);
        return CLI_FAIL;
    }
    if (rc != CF_OK)
        return cli_fail(&err);
    found = rows;

    if (o->json) {
        json_dumpf(found, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
        json_decref(rows);
        return CLI_OK;
    }
    printf("Message: #%lld (%s)\n", id, str(found, "kind"));
    printf("Status: %s, %lld attempt(s)\n", str(found, "status_text"),
           (long long)json_integer_value(json_object_get(found, "attempts")));
    printf("Created: %s\n", str(found, "created_at"));
    if (strcmp(str(found, "status"), "sent") == 0)
        printf("Sent: %s\n", str(found, "sent_at"));
    else if (strcmp(str(found, "status"), "pending") == 0)
        printf("Next-Attempt: %s\n", str(found, "next_attempt_at"));
    if (json_is_string(json_object_get(found, "last_error"))) {
        fputs("Last-Error: ", stdout);
        put_text(stdout, str(found, "last_error"), 0);
        fputc('\n', stdout);
    }
    fputs("To: ", stdout);
    put_text(stdout, str(found, "to_addr"), 0);
    fputs("\nSubject: ", stdout);
    put_text(stdout, str(found, "subject"), 0);
    fputs("\n\n", stdout);
    put_text(stdout, str(found, "body"), 1);
    if (str(found, "body")[0] != '\0' && str(found, "body")[strlen(str(found, "body")) - 1] != '\n')
        fputc('\n', stdout);
    json_decref(rows);
    return CLI_OK;
}

static int do_send(const struct cli_opts *o)
{
    struct svc sv = {NULL, "cli", NULL, NULL, NULL, NULL};
    struct mail_config mc;
    struct cf_error err;
    int sent = 0, failed = 0, rc;

    if (o->smtp == NULL) {
        fprintf(stderr, "ctoframe: outbox send needs --smtp URL\n%s", USAGE);
        return CLI_USAGE;
    }
    memset(&mc, 0, sizeof mc);
    mc.smtp_url = o->smtp;
    mc.from = o->from;
    mc.user = getenv("CTOFRAME_SMTP_USER");
    mc.password = getenv("CTOFRAME_SMTP_PASSWORD");

    rc = cli_open_store(o, &sv.store);
    if (rc != CLI_OK)
        return rc;
    cf_error_clear(&err);
    /* Every due message once: one sent, refused or rescheduled is not due again in this run. */
    rc = svc_mail_deliver(&sv, &mc, 0, &sent, &failed, &err);
    store_close(sv.store);
    if (rc == CF_EINVAL) {
        fprintf(stderr, "ctoframe: %s\n", err.message);
        return CLI_USAGE;
    }
    if (rc != CF_OK)
        return cli_fail(&err);
    if (o->json)
        printf("{\"sent\": %d, \"failed\": %d}\n", sent, failed);
    if (sent + failed == 0)
        fprintf(stderr, "ctoframe: no messages due\n");
    else
        fprintf(stderr, "ctoframe: %d sent, %d failed\n", sent, failed);
    return failed > 0 ? CLI_FAIL : CLI_OK;
}

/* retry ID, or retry --status failed: each failed message that can be sent again pending again. */
static int do_retry(const struct cli_opts *o)
{
    struct svc sv = {NULL, "cli", NULL, NULL, NULL, NULL};
    struct cf_error err;
    json_t *ids = json_array(), *m, *out = NULL;
    size_t i;
    int rc, done = 0;

    if (o->npos == 2) {
        long long id = message_id(o->pos[1]);

        if (id == 0) {
            json_decref(ids);
            return CLI_USAGE;
        }
        json_array_append_new(ids, json_integer(id));
    }
    rc = cli_open_store(o, &sv.store);
    if (rc != CLI_OK) {
        json_decref(ids);
        return rc;
    }
    cf_error_clear(&err);
    if (o->npos == 1) {
        json_t *failed = NULL;

        /* Those svc says can be sent again (not cancelled, not for an erased person). */
        rc = svc_outbox_list(&sv, "failed", ALL_ROWS, &failed, &err);
        json_array_foreach(failed, i, m)
        {
            if (json_is_true(json_object_get(m, "can_retry")))
                json_array_append(ids, json_object_get(m, "id"));
        }
        json_decref(failed);
    } else {
        rc = CF_OK;
    }
    json_array_foreach(ids, i, m)
    {
        if (rc != CF_OK)
            break;
        rc = svc_outbox_retry(&sv, (int64_t)json_integer_value(m), &out, &err);
        if (rc == CF_OK) {
            fprintf(stderr, "ctoframe: message #%lld to %s is pending again\n",
                    (long long)json_integer_value(m), str(out, "to_addr"));
            done++;
        }
        json_decref(out);
        out = NULL;
    }
    store_close(sv.store);
    json_decref(ids);
    if (rc != CF_OK)
        return cli_fail(&err);
    if (o->npos == 1)
        fprintf(stderr, "ctoframe: %d failed message(s) pending again\n", done);
    return CLI_OK;
}

int cli_outbox(int argc, char **argv)
{
    struct cli_opts o;
    const char *cmd;
    int rc = cli_parse(argc, argv, 2, "db status json smtp from", &o, USAGE);

    if (rc != CLI_OK || o.help)
        return rc;
    cmd = o.npos > 0 ? o.pos[0] : "list";
    if (o.status != NULL && strcmp(o.status, "pending") != 0 && strcmp(o.status, "sent") != 0 &&
        strcmp(o.status, "failed") != 0 && strcmp(o.status, "obsolete") != 0) {
        fprintf(stderr,
                "ctoframe: --status must be pending, sent, failed or obsolete, not \"%s\"\n",
                o.status);
        return CLI_USAGE;
    }
    if (strcmp(cmd, "list") == 0 && o.npos <= 1 && o.smtp == NULL && o.from == NULL)
        return do_list(&o);
    if (strcmp(cmd, "show") == 0 && o.npos == 2 && o.status == NULL && o.smtp == NULL &&
        o.from == NULL)
        return do_show(&o);
    if (strcmp(cmd, "send") == 0 && o.npos == 1 && o.status == NULL)
        return do_send(&o);
    if (strcmp(cmd, "retry") == 0 && o.smtp == NULL && o.from == NULL && !o.json &&
        ((o.npos == 2 && o.status == NULL) ||
         (o.npos == 1 && o.status != NULL && strcmp(o.status, "failed") == 0)))
        return do_retry(&o);
    fprintf(stderr, "ctoframe: outbox %s: wrong arguments\n%s", cmd, USAGE);
    return CLI_USAGE;
}
