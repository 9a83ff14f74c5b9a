/*
 * mail.c — delivering the outbox over SMTP with libcurl, as the job kind
 * "outbox.deliver" (one job per message): run once by `ctoframe outbox send`
 * (svc_mail_deliver) and `ctoframe tick --smtp`, or every few seconds by the
 * background worker of `ctoframe serve --smtp` (svc/jobs.c).
 *
 * The jobs layer claims each message's job with a lease, so several
 * processes never send one message twice, and records each outcome as soon
 * as it is known, together with the message row: a crash loses nothing and
 * sends again at most the message that was in hand (after its lease).
 */
#include "svc/mail.h"

#include <assert.h>
#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/clock.h"
#include "svc/jobs.h"

#define MAIL_MAX_BYTES  (8u << 20) /* one whole message as sent */
#define MAIL_LINE_MAX   998        /* RFC 5322 2.1.1, without the CRLF */
#define MAIL_WORD_BYTES 39         /* subject bytes per encoded-word: 52 base64 characters */
#define MAIL_B64_LINE   76         /* base64 body line length (RFC 2045) */
#define MAIL_LEASE_S    600        /* a claimed message may be taken by another worker after this */

/*
 * Seconds from the n-th failed attempt to the next one. The attempt after the
 * last of these is the last: when it fails too, the message is 'failed'.
 */
static const long backoff_s[] = {60, 5 * 60, 30 * 60, 2 * 3600, 12 * 3600};
_Static_assert(sizeof backoff_s / sizeof backoff_s[0] + 1 == OUTBOX_MAX_ATTEMPTS,
               "one delay between each two of the outbox's attempts");

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;
static char default_from[300]; /* "ctoframe@<host name>" */

/* Once per process: libcurl's global state and the default sender. */
static void mail_init(void)
{
    char host[256];

    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (gethostname(host, sizeof host) != 0 || host[0] == '\0')
        snprintf(host, sizeof host, "localhost");
    host[sizeof host - 1] = '\0';
    snprintf(default_from, sizeof default_from, "ctoframe@%s", host);
}

/* --- logging -------------------------------------------------------------- */

/*
 * Copies s into out (n >= 8 bytes) with control characters written as \r, \n
 * or \xNN, so that no stored value can forge a log line. Truncates with "...".
 */
static const char *printable(const char *s, char *out, size_t n)
{
    size_t o = 0;

    assert(n >= 8);
    for (; s != NULL && *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[8];
        size_t k;

        if (c == '\r' || c == '\n')
            snprintf(esc, sizeof esc, "\\%c", c == '\r' ? 'r' : 'n');
        else if (c < 0x20 || c == 0x7f)
            snprintf(esc, sizeof esc, "\\x%02x", c);
        else
            snprintf(esc, sizeof esc, "%c", c);
        k = strlen(esc);
        if (o + k + 4 > n) {
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        memcpy(out + o, esc, k);
        o += k;
    }
    out[o] = '\0';
    return out;
}

/* One line on stderr, written by one call so that threads do not interleave. */
static void log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void log_line(const char *fmt, ...)
{
    char line[1200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s\n", line);
}

/* --- checking addresses and headers --------------------------------------- */

static int has_line_break(const char *s)
{
    return strpbrk(s, "\r\n") != NULL;
}

/*
 * NULL when a is one plain address ("local@domain": no whitespace, control
 * characters, brackets, quotes or commas, exactly one '@' with text on both
 * sides); otherwise why it is not, for people.
 */
static const char *bad_address(const char *a)
{
    const char *at = strchr(a, '@');

    if (a[0] == '\0')
        return "the address is empty";
    if (has_line_break(a))
        return "the address contains a line break (header injection)";
    for (const char *p = a; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;

        if (c <= 0x20 || c == 0x7f || strchr("<>()[],;:\"\\", c) != NULL)
            return "the address contains a space, a control character or one of <>()[],;:\"\\";
    }
    if (at == NULL || at == a || at[1] == '\0' || strchr(at + 1, '@') != NULL)
        return "the address is not of the form name@domain";
    return NULL;
}

/*
 * The configuration every message of a run shares. from is the From: header
 * text: a plain address or "Display Name <address>" in printable ASCII;
 * envelope is the bare address (MAIL FROM) and domain its part after '@'
 * (for Message-ID).
 */
struct run_config {
    const struct mail_config *mc;
    const char *from;
    char envelope[256];
    const char *domain;
    long timeout_s;
};

/* Fills rc from mc; CF_EINVAL with a message naming the setting at fault. */
static int check_config(const struct mail_config *mc, struct run_config *rc, struct cf_error *err)
{
    const char *url = mc->smtp_url;
    const char *lt, *why;
    size_t len;

    memset(rc, 0, sizeof *rc);
    rc->mc = mc;
    rc->timeout_s = mc->timeout_s > 0 ? mc->timeout_s : 30;
    if (url == NULL || (strncmp(url, "smtp://", 7) != 0 && strncmp(url, "smtps://", 8) != 0) ||
        url[strcspn(url, "\r\n")] != '\0')
        return cf_error_set(err, CF_EINVAL, "smtp",
                            "Give the SMTP server as smtp://HOST[:PORT] or smtps://HOST[:PORT], "
                            "not “%s”.",
                            url != NULL ? url : "");

    rc->from = mc->from != NULL && mc->from[0] != '\0' ? mc->from : default_from;
    for (const char *p = rc->from; *p != '\0'; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
            return cf_error_set(err, CF_EINVAL, "from",
                                "Give the sender as printable ASCII on one line.");
    lt = strrchr(rc->from, '<');
    if (lt != NULL) {
        const char *gt = strchr(lt, '>');

        if (gt == NULL || gt[1] != '\0')
            return cf_error_set(err, CF_EINVAL, "from",
                                "Give the sender as name@domain or “Name <name@domain>”, not “%s”.",
                                rc->from);
        len = (size_t)(gt - lt - 1);
        lt++;
    } else {
        len = strlen(rc->from);
        lt = rc->from;
    }
    if (len >= sizeof rc->envelope)
        return cf_error_set(err, CF_EINVAL, "from",
                            "The sender address is too long. Use a shorter one.");
    memcpy(rc->envelope, lt, len);
    rc->envelope[len] = '\0';
    why = bad_address(rc->envelope);
    if (why != NULL)
        return cf_error_set(err, CF_EINVAL, "from",
                            "The sender “%s” cannot be used (%s). Give another.", rc->envelope,
                            why);
    rc->domain = strchr(rc->envelope, '@') + 1;
    return CF_OK;
}

/* --- composing a message --------------------------------------------------- */

/* Appends base64 of n bytes at p (no line breaks). */
static int add_base64(struct buf *b, const unsigned char *p, size_t n)
{
    size_t len = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
    char small[128];
    char *tmp = len <= sizeof small ? small : malloc(len);
    int rc;

    if (tmp == NULL) {
        buf_free(b);
        return CF_ENOMEM;
    }
    sodium_bin2base64(tmp, len, p, n, sodium_base64_VARIANT_ORIGINAL);
    rc = buf_add(b, tmp, len - 1);
    if (tmp != small)
        free(tmp);
    return rc;
}

/* "Date: Thu, 01 Jan 2026 00:00:00 +0000" in English whatever the locale. */
static int add_date(struct buf *b, time_t t)
{
    static const char days[][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;

    gmtime_r(&t, &tm);
    return buf_printf(b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday],
                      tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                      tm.tm_sec);
}

/*
 * The Subject: header. Printable ASCII of reasonable length goes as it is;
 * anything else as RFC 2047 encoded-words (UTF-8, base64), each on its own
 * folded line and never splitting a UTF-8 sequence.
 */
static int add_subject(struct buf *b, const char *s)
{
    size_t n = strlen(s), off = 0;
    int plain = n <= 900 && strstr(s, "=?") == NULL;
    int rc;

    for (const char *p = s; plain && *p != '\0'; p++)
        if (((unsigned char)*p < 0x20 && *p != '\t') || (unsigned char)*p >= 0x7f)
            plain = 0;
    if (plain)
        return buf_printf(b, "Subject: %s\r\n", s);

    rc = buf_adds(b, "Subject:");
    while (rc == CF_OK && off < n) {
        size_t end = off + MAIL_WORD_BYTES < n ? off + MAIL_WORD_BYTES : n;

        /* Back off to the start of a UTF-8 sequence (unless the text is not UTF-8). */
        while (end < n && end > off + 1 && ((unsigned char)s[end] & 0xC0) == 0x80)
            end--;
        if (end < n && ((unsigned char)s[end] & 0xC0) == 0x80)
            end = off + MAIL_WORD_BYTES < n ? off + MAIL_WORD_BYTES : n;
        rc = buf_adds(b, off == 0 ? " =?UTF-8?B?" : "\r\n =?UTF-8?B?");
        if (rc == CF_OK)
            rc = add_base64(b, (const unsigned char *)s + off, end - off);
        if (rc == CF_OK)
            rc = buf_adds(b, "?=");
        off = end;
    }
    if (rc == CF_OK)
        rc = buf_adds(b, "\r\n");
    return rc;
}

/*
 * The body with every line ending in CRLF (LF, CR and CRLF all count as line
 * ends). *longest gets the longest line's length.
 */
static int normalize_body(const char *body, struct buf *out, size_t *longest)
{
    size_t line = 0;
    int rc = CF_OK;

    *longest = 0;
    for (const char *p = body; rc == CF_OK && *p != '\0'; p++) {
        if (*p == '\r' || *p == '\n') {
            if (*p == '\r' && p[1] == '\n')
                p++;
            rc = buf_add(out, "\r\n", 2);
            line = 0;
            continue;
        }
        rc = buf_addc(out, *p);
        if (++line > *longest)
            *longest = line;
    }
    if (rc == CF_OK && line > 0)
        rc = buf_add(out, "\r\n", 2);
    return rc;
}

/*
 * Builds the whole message of row (an outbox row) into b. The body is sent
 * as 8bit text; a body with a line longer than SMTP allows goes as base64.
 */
static int compose(const struct run_config *rc, const json_t *row, struct buf *b)
{
    const char *to = json_string_value(json_object_get(row, "to_addr"));
    const char *subject = json_string_value(json_object_get(row, "subject"));
    const char *body = json_string_value(json_object_get(row, "body"));
    json_int_t id = json_integer_value(json_object_get(row, "id"));
    struct buf text;
    size_t longest = 0;
    int r;

    buf_init(&text, MAIL_MAX_BYTES);
    r = normalize_body(body != NULL ? body : "", &text, &longest);
    if (r == CF_OK)
        r = add_date(b, clock_now());
    if (r == CF_OK)
        r = buf_printf(b, "From: %s\r\nTo: %s\r\n", rc->from, to);
    if (r == CF_OK)
        r = add_subject(b, subject != NULL ? subject : "");
    if (r == CF_OK)
        r = buf_printf(b,
                       "Message-ID: <outbox-%lld@%s>\r\n"
                       "MIME-Version: 1.0\r\n"
                       "Content-Type: text/plain; charset=utf-8\r\n"
                       "Content-Transfer-Encoding: %s\r\n"
                       "Auto-Submitted: auto-generated\r\n"
                       "\r\n",
                       (long long)id, rc->domain, longest > MAIL_LINE_MAX ? "base64" : "8bit");
    if (r == CF_OK && longest <= MAIL_LINE_MAX) {
        r = buf_add(b, text.p != NULL ? text.p : "", text.n);
    } else if (r == CF_OK) {
        for (size_t off = 0; r == CF_OK && off < text.n; off += MAIL_B64_LINE / 4 * 3) {
            size_t k = text.n - off < MAIL_B64_LINE / 4 * 3 ? text.n - off : MAIL_B64_LINE / 4 * 3;

            r = add_base64(b, (const unsigned char *)text.p + off, k);
            if (r == CF_OK)
                r = buf_add(b, "\r\n", 2);
        }
    }
    buf_free(&text);
    return r;
}

/* --- sending ---------------------------------------------------------------- */

struct upload {
    const char *p;
    size_t n, off;
};

static size_t read_cb(char *dst, size_t size, size_t nmemb, void *arg)
{
    struct upload *u = arg;
    size_t k = size * nmemb;

    if (k > u->n - u->off)
        k = u->n - u->off;
    memcpy(dst, u->p + u->off, k);
    u->off += k;
    return k;
}

/* libcurl rewinds when it sends again on a fresh connection. */
static int seek_cb(void *arg, curl_off_t offset, int origin)
{
    struct upload *u = arg;

    if (origin != SEEK_SET || offset < 0 || (size_t)offset > u->n)
        return CURL_SEEKFUNC_CANTSEEK;
    u->off = (size_t)offset;
    return CURL_SEEKFUNC_OK;
}

/*
 * The server's first error reply (4yz or 5yz) of a message, for the error
 * text of a failed attempt and to tell a permanent refusal: later replies
 * (curl's RSET or QUIT after the refusal) do not replace it.
 */
struct reply {
    char line[256];
};

static int debug_cb(CURL *c, curl_infotype type, char *data, size_t n, void *arg)
{
    struct reply *r = arg;
    size_t end = n, start;

    (void)c;
    if (type != CURLINFO_HEADER_IN)
        return 0;
    while (end > 0 && (data[end - 1] == '\r' || data[end - 1] == '\n'))
        end--;
    start = end;
    while (start > 0 && data[start - 1] != '\n')
        start--;
    if (end == start || r->line[0] != '\0' || (data[start] != '4' && data[start] != '5'))
        return 0;
    if (end - start >= sizeof r->line)
        end = start + sizeof r->line - 1;
    for (size_t i = start; i < end; i++) {
        unsigned char ch = (unsigned char)data[i];

        r->line[i - start] = ch < 0x20 || ch == 0x7f ? ' ' : (char)ch;
    }
    r->line[end - start] = '\0';
    return 0;
}

/* Ends a transfer when the worker that runs it must stop now. */
static int progress_cb(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    int (*const *should_abort)(void) = arg;

    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    return (*should_abort)() ? 1 : 0;
}

/* A handle set up with everything the run's messages share; NULL on failure. */
static CURL *smtp_handle(const struct run_config *rc, char *errbuf, struct reply *reply,
                         int (*const *should_abort)(void))
{
    const struct mail_config *mc = rc->mc;
    CURL *c = curl_easy_init();
    char from[sizeof rc->envelope + 2];

    if (c == NULL)
        return NULL;
    snprintf(from, sizeof from, "<%s>", rc->envelope);
    if (curl_easy_setopt(c, CURLOPT_URL, mc->smtp_url) != CURLE_OK ||
#if LIBCURL_VERSION_NUM >= 0x075500
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps") != CURLE_OK ||
#else
        curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_SMTP | CURLPROTO_SMTPS)) !=
            CURLE_OK ||
#endif
        curl_easy_setopt(c, CURLOPT_MAIL_FROM, from) != CURLE_OK ||
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, rc->timeout_s) != CURLE_OK ||
        curl_easy_setopt(c, CURLOPT_TIMEOUT, rc->timeout_s) != CURLE_OK ||
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK ||
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L) != CURLE_OK ||
        curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb) != CURLE_OK ||
        curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, seek_cb) != CURLE_OK ||
        curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress_cb) != CURLE_OK ||
        curl_easy_setopt(c, CURLOPT_XFERINFODATA, should_abort) != CURLE_OK ||
        curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L) != CURLE_OK ||
        curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, debug_cb) != CURLE_OK ||
        curl_easy_setopt(c, CURLOPT_DEBUGDATA, reply) != CURLE_OK ||
        curl_easy_setopt(c, CURLOPT_VERBOSE, 1L) != CURLE_OK ||
        /* A password never crosses the network in clear: with one, STARTTLS is required. */
        (strncmp(mc->smtp_url, "smtp://", 7) == 0 &&
         curl_easy_setopt(c, CURLOPT_USE_SSL,
                          (long)(mc->password != NULL && mc->password[0] != '\0'
                                     ? CURLUSESSL_ALL
                                     : CURLUSESSL_TRY)) != CURLE_OK) ||
        (mc->user != NULL && mc->user[0] != '\0' &&
         curl_easy_setopt(c, CURLOPT_USERNAME, mc->user) != CURLE_OK) ||
        (mc->password != NULL && mc->password[0] != '\0' &&
         curl_easy_setopt(c, CURLOPT_PASSWORD, mc->password) != CURLE_OK)) {
        curl_easy_cleanup(c);
        return NULL;
    }
    return c;
}

/*
 * Sends one composed message to to over c. CURLE_OK, or the curl code with
 * its text and the server's last reply (when it was an error) in why.
 */
static CURLcode smtp_send(CURL *c, const char *to, const struct buf *msg, char *errbuf,
                          struct reply *reply, char *why, size_t n)
{
    struct upload up = {msg->p, msg->n, 0};
    struct curl_slist *rcpt = NULL;
    char addr[600];
    CURLcode cc;

    snprintf(addr, sizeof addr, "<%s>", to);
    rcpt = curl_slist_append(NULL, addr);
    if (rcpt == NULL) {
        snprintf(why, n, "Out of memory. Try again in a moment.");
        return CURLE_OUT_OF_MEMORY;
    }
    errbuf[0] = '\0';
    reply->line[0] = '\0';
    cc = curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(c, CURLOPT_READDATA, &up);
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(c, CURLOPT_SEEKDATA, &up);
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)msg->n);
    if (cc == CURLE_OK)
        cc = curl_easy_perform(c);
    /* The handle must not keep pointers to what is freed here. */
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, (struct curl_slist *)NULL);
    curl_easy_setopt(c, CURLOPT_READDATA, (void *)NULL);
    curl_easy_setopt(c, CURLOPT_SEEKDATA, (void *)NULL);
    curl_slist_free_all(rcpt);
    if (cc != CURLE_OK) {
        /* The server's own words say most ("550 5.1.1 no such user"); curl's say the rest. */
        if (reply->line[0] == '4' || reply->line[0] == '5')
            snprintf(why, n, "SMTP server: %s (%s%s%s)", reply->line, curl_easy_strerror(cc),
                     errbuf[0] != '\0' ? ": " : "", errbuf);
        else
            snprintf(why, n, "%s%s%s", curl_easy_strerror(cc), errbuf[0] != '\0' ? ": " : "",
                     errbuf);
    }
    return cc;
}

/* --- the job kind "outbox.deliver" ------------------------------------------ */

/* A batch's shared state: the checked settings and one SMTP connection. */
struct mailer {
    struct run_config run;
    int (*should_abort)(void); /* the worker's; the progress callback reads it */
    char errbuf[CURL_ERROR_SIZE];
    struct reply reply;
    CURL *c;
};

/*
 * Whether the server's last reply refuses the message for good (RFC 5321
 * 4.2.1: a 5yz reply is a permanent failure, such as 550 "no such user").
 * Replies about the login (530, 534, 535, 538) are the operator's settings,
 * not the message's fault: those are retried like transient ones.
 */
static int permanent(const char *line)
{
    return line[0] == '5' && strncmp(line, "530", 3) != 0 && strncmp(line, "534", 3) != 0 &&
           strncmp(line, "535", 3) != 0 && strncmp(line, "538", 3) != 0;
}

/*
 * The refusal reason when row must never be sent (header injection or a
 * recipient that is not one plain address); NULL when it may go.
 */
static const char *refusal(const char *to, const char *subject, char *why, size_t n)
{
    const char *bad;

    if (to == NULL || subject == NULL) {
        snprintf(why, n, "refused: the message has no recipient or no subject");
        return why;
    }
    if (has_line_break(subject)) {
        snprintf(why, n, "refused: the subject contains a line break (header injection)");
        return why;
    }
    bad = bad_address(to);
    if (bad != NULL) {
        snprintf(why, n, "refused: recipient: %s", bad);
        return why;
    }
    return NULL;
}

/* libcurl is initialized (once) and mc is usable: run gets its checked form. */
static int mail_ready(const struct mail_config *mc, struct run_config *run, struct cf_error *err)
{
    pthread_once(&init_once, mail_init);
    if (curl_init_rc != CURLE_OK)
        return cf_error_set(err, CF_EIO, NULL,
                            "Mail cannot be sent: libcurl did not start (%s). Restart the program.",
                            curl_easy_strerror(curl_init_rc));
    return check_config(mc, run, err);
}

int svc_mail_check(const struct mail_config *mc, struct cf_error *err)
{
    struct run_config run;

    return mail_ready(mc, &run, err);
}

static int deliver_usable(const struct jobs_env *env)
{
    return env != NULL && env->mail != NULL;
}

/* A batch begins: the settings are checked and a libcurl handle is made. */
static int deliver_begin(const struct job_ctx *ctx, void **state, struct cf_error *err)
{
    struct mailer *m = calloc(1, sizeof *m);
    int rc;

    *state = NULL;
    if (m == NULL)
        return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
    rc = mail_ready(ctx->env->mail, &m->run, err);
    if (rc != CF_OK) {
        free(m);
        return rc;
    }
    m->should_abort = ctx->should_abort;
    m->c = smtp_handle(&m->run, m->errbuf, &m->reply, &m->should_abort);
    if (m->c == NULL) {
        free(m);
        return cf_error_set(err, CF_ENOMEM, NULL,
                            "Mail cannot be sent: libcurl cannot be set up for %s. Try again.",
                            ctx->env->mail->smtp_url);
    }
    *state = m;
    return CF_OK;
}

static void deliver_end(void *state)
{
    struct mailer *m = state;

    if (m == NULL)
        return;
    curl_easy_cleanup(m->c);
    free(m);
}

/* The message id a delivery job is for (0 when the payload has none). */
static int64_t job_message(const json_t *job)
{
    return (int64_t)json_integer_value(json_object_get(json_object_get(job, "payload"), "message"));
}

/*
 * One attempt at one message: refused at once when it must never be sent,
 * skipped when it is no longer pending (cancelled, erased, sent by hand),
 * else sent over the batch's connection.
 */
static enum job_result deliver_run(const struct job_ctx *ctx, const json_t *job, char *why,
                                   size_t n)
{
    struct mailer *m = ctx->state;
    struct cf_error err;
    json_t *row = NULL;
    const char *to, *subject, *status;
    struct buf msg;
    CURLcode cc;
    enum job_result res;
    int rc;

    cf_error_clear(&err);
    rc = store_outbox_get(ctx->sv->store, job_message(job), &row, &err);
    if (rc == CF_ENOTFOUND)
        return JOB_SKIP;
    if (rc != CF_OK) {
        snprintf(why, n, "%s", err.message);
        return JOB_RETRY;
    }
    to = json_string_value(json_object_get(row, "to_addr"));
    subject = json_string_value(json_object_get(row, "subject"));
    status = json_string_value(json_object_get(row, "status"));
    if (status == NULL || strcmp(status, "pending") != 0) {
        json_decref(row);
        return JOB_SKIP;
    }
    if (refusal(to, subject, why, n) != NULL) {
        json_decref(row);
        return JOB_FAIL;
    }
    buf_init(&msg, MAIL_MAX_BYTES);
    if (compose(&m->run, row, &msg) != CF_OK) {
        /* Too big or out of memory: this message can never go. */
        snprintf(why, n, "refused: the message is over %u MB or memory ran out",
                 MAIL_MAX_BYTES >> 20);
        json_decref(row);
        return JOB_FAIL;
    }
    cc = smtp_send(m->c, to, &msg, m->errbuf, &m->reply, why, n);
    buf_free(&msg);
    if (cc == CURLE_ABORTED_BY_CALLBACK)
        res = JOB_RELEASE; /* stopping: the message stays as it was and goes next time */
    else if (cc == CURLE_OK)
        res = JOB_DONE;
    else
        res = permanent(m->reply.line) ? JOB_FAIL : JOB_RETRY;
    json_decref(row);
    return res;
}

/*
 * The outcome on the message row, in the transaction that records the job's,
 * and one line on stderr ("mail: sent #ID to ADDR", "mail: #ID to ADDR failed
 * (attempt N): ERROR; next try at T", …).
 */
static int deliver_settle(const struct svc *sv, const json_t *job, const struct job_outcome *o,
                          struct cf_error *err)
{
    int64_t id = job_message(job);
    char pto[300], pwhy[600];
    json_t *row = NULL;
    int rc;

    if (o->result == JOB_SKIP)
        return CF_OK;
    rc = store_outbox_get(sv->store, id, &row, err);
    if (rc == CF_ENOTFOUND)
        return CF_OK;
    if (rc != CF_OK)
        return rc;
    printable(json_string_value(json_object_get(row, "to_addr")), pto, sizeof pto);
    printable(o->error, pwhy, sizeof pwhy);
    json_decref(row);

    if (o->result == JOB_RELEASE) {
        log_line("mail: #%lld to %s: stopped while sending; it stays pending", (long long)id, pto);
        return CF_OK;
    }
    if (o->result == JOB_DONE) {
        log_line("mail: sent #%lld to %s", (long long)id, pto);
        return store_outbox_settle(sv->store, id, "sent", o->attempts, NULL, NULL, o->now, err);
    }
    if (o->result == JOB_FAIL)
        log_line("mail: #%lld to %s %s; not sent", (long long)id, pto, pwhy);
    else if (strcmp(o->state, "queued") == 0)
        log_line("mail: #%lld to %s failed (attempt %lld): %s; next try at %s", (long long)id, pto,
                 (long long)o->attempts, pwhy, o->run_after);
    else
        log_line("mail: #%lld to %s failed (attempt %lld): %s; giving up after %lld attempts",
                 (long long)id, pto, (long long)o->attempts, pwhy, (long long)o->attempts);
    return store_outbox_settle(sv->store, id,
                               strcmp(o->state, "queued") == 0 ? "pending" : "failed", o->attempts,
                               o->run_after, o->error, o->now, err);
}

/* Each tick: messages without a delivery job get one; jobs of messages no longer pending end. */
static int deliver_sweep(const struct svc *sv, const char *now, int64_t *n, struct cf_error *err)
{
    int rc = store_outbox_adopt(sv->store, 0, OUTBOX_MAX_ATTEMPTS, now, n, err);

    if (rc == CF_OK)
        rc = store_outbox_drop_stale(sv->store, now, NULL, err);
    return rc;
}

/* `ctoframe jobs retry` of a dead delivery job: the message is sent again, as from the outbox. */
static int deliver_retry(const struct svc *sv, const json_t *job, const char *now,
                         struct cf_error *err)
{
    json_t *m = NULL;
    int rc = svc__outbox_requeue(sv, job_message(job), now, &m, err);

    json_decref(m);
    return rc;
}

const struct job_kind svc__outbox_deliver_kind = {
    .name = "outbox.deliver",
    .max_attempts = OUTBOX_MAX_ATTEMPTS,
    .lease_s = MAIL_LEASE_S,
    .steps = backoff_s,
    .nsteps = sizeof backoff_s / sizeof backoff_s[0],
    .usable = deliver_usable,
    .begin = deliver_begin,
    .end = deliver_end,
    .run = deliver_run,
    .settle = deliver_settle,
    .sweep = deliver_sweep,
    .retry = deliver_retry,
};

/* --- once, from the command line ----------------------------------------------- */

int svc_mail_deliver(const struct svc *sv, const struct mail_config *mc, long limit, int *sent,
                     int *failed, struct cf_error *err)
{
    struct jobs_env env = {mc};
    struct jobs_stats st;
    struct tick_report rep;
    int rc;

    assert(sv != NULL && sv->store != NULL && mc != NULL);
    memset(&st, 0, sizeof st);
    if (sent != NULL)
        *sent = 0;
    if (failed != NULL)
        *failed = 0;
    rc = svc_mail_check(mc, err);
    if (rc != CF_OK)
        return rc;
    /*
     * The tick first: messages written without a job (by hand, by an older
     * ctoframe) get one, and a message whose sender died is due again once
     * its lease ran out, even where no server runs the tick.
     */
    rc = svc_tick(sv, &rep, err);
    if (rc == CF_OK)
        rc = svc_jobs_run(sv, &env, svc__outbox_deliver_kind.name, limit, &st, err);
    if (sent != NULL)
        *sent = st.done;
    if (failed != NULL)
        *failed = st.retried + st.dead;
    return rc;
}
