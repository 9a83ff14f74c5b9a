/*
 * mail.c — delivering the outbox over SMTP with libcurl: once (svc_mail_deliver,
 * `ctoframe outbox send`) or every few seconds from a background thread
 * (svc_mail_worker_start, `ctoframe serve --smtp`).
 *
 * Each message's outcome is written as soon as it is known, by one store call
 * that is atomic on its own: a crash loses nothing and sends again at most the
 * message that was in hand.
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

#define MAIL_MAX_BYTES    (8u << 20) /* one whole message as sent */
#define MAIL_LINE_MAX     998        /* RFC 5322 2.1.1, without the CRLF */
#define MAIL_WORD_BYTES   39         /* subject bytes per encoded-word: 52 base64 characters */
#define MAIL_B64_LINE     76         /* base64 body line length (RFC 2045) */
#define MAIL_BATCH        100        /* messages per run when the caller gives no limit */
#define MAIL_TICK_S       2          /* the worker looks for due messages this often */
#define MAIL_STOP_WAIT_MS 5000.0     /* how long stopping waits for the message in hand */
#define MAIL_LEASE_S      600        /* a claimed message is due again after this (a sender died) */

/*
 * Seconds from the n-th failed attempt to the next one. The attempt after the
 * last of these is the last: when it fails too, the message is 'failed'.
 */
static const long backoff_s[] = {60, 5 * 60, 30 * 60, 2 * 3600, 12 * 3600};
#define MAIL_MAX_ATTEMPTS ((int64_t)(sizeof backoff_s / sizeof backoff_s[0]) + 1)

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
                            "the SMTP server must be given as smtp://HOST[:PORT] or "
                            "smtps://HOST[:PORT], not \"%s\"",
                            url != NULL ? url : "");

    rc->from = mc->from != NULL && mc->from[0] != '\0' ? mc->from : default_from;
    for (const char *p = rc->from; *p != '\0'; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
            return cf_error_set(err, CF_EINVAL, "from",
                                "the sender must be printable ASCII on one line");
    lt = strrchr(rc->from, '<');
    if (lt != NULL) {
        const char *gt = strchr(lt, '>');

        if (gt == NULL || gt[1] != '\0')
            return cf_error_set(err, CF_EINVAL, "from",
                                "the sender must be name@domain or \"Name <name@domain>\","
                                " not \"%s\"",
                                rc->from);
        len = (size_t)(gt - lt - 1);
        lt++;
    } else {
        len = strlen(rc->from);
        lt = rc->from;
    }
    if (len >= sizeof rc->envelope)
        return cf_error_set(err, CF_EINVAL, "from", "the sender address is too long");
    memcpy(rc->envelope, lt, len);
    rc->envelope[len] = '\0';
    why = bad_address(rc->envelope);
    if (why != NULL)
        return cf_error_set(err, CF_EINVAL, "from", "sender \"%s\": %s", rc->envelope, why);
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

static int worker_should_stop(void);
static int worker_should_abort(void);

/* Ends a transfer of the worker's that outlasts the grace time after stop was asked. */
static int progress_cb(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    const int *in_worker = arg;

    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    return *in_worker && worker_should_abort() ? 1 : 0;
}

/* A handle set up with everything the run's messages share; NULL on failure. */
static CURL *smtp_handle(const struct run_config *rc, char *errbuf, struct reply *reply,
                         const int *in_worker)
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
        curl_easy_setopt(c, CURLOPT_XFERINFODATA, in_worker) != CURLE_OK ||
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
        snprintf(why, n, "out of memory");
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

/* --- one run ----------------------------------------------------------------- */

/*
 * Records a failed attempt at message id (its attempts-th): pending again
 * after the backoff delay, or 'failed' when that was the last attempt or
 * final is set. Logs one line.
 */
static int record_failure(struct store *s, json_int_t id, const char *to, int64_t attempt,
                          const char *why, int final, struct cf_error *err)
{
    char next[32], pto[300], pwhy[600];
    const char *nextp = NULL;

    if (attempt < 1)
        attempt = 1; /* a row edited by hand */
    if (!final && attempt < MAIL_MAX_ATTEMPTS) {
        clock_iso(clock_now() + backoff_s[attempt - 1], next, sizeof next);
        nextp = next;
    }
    printable(to, pto, sizeof pto);
    printable(why, pwhy, sizeof pwhy);
    if (final)
        log_line("mail: #%lld to %s %s; not sent", (long long)id, pto, pwhy);
    else if (nextp != NULL)
        log_line("mail: #%lld to %s failed (attempt %lld): %s; next try at %s", (long long)id, pto,
                 (long long)attempt, pwhy, nextp);
    else
        log_line("mail: #%lld to %s failed (attempt %lld): %s; giving up after %lld attempts",
                 (long long)id, pto, (long long)attempt, pwhy, (long long)MAIL_MAX_ATTEMPTS);
    return store_outbox_retry(s, (int64_t)id, nextp, why, err);
}

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
        return cf_error_set(err, CF_EIO, NULL, "libcurl did not initialize: %s",
                            curl_easy_strerror(curl_init_rc));
    return check_config(mc, run, err);
}

/*
 * svc_mail_deliver; in the worker (in_worker set) a stop request also ends
 * the run between messages, and a message still on the wire
 * MAIL_STOP_WAIT_MS after it (that message stays pending as it was).
 */
static int deliver(const struct svc *sv, const struct mail_config *mc, long limit, int in_worker,
                   int *sent, int *failed, struct cf_error *err)
{
    struct run_config run;
    char now[32], errbuf[CURL_ERROR_SIZE];
    struct reply reply;
    json_t *rows = NULL, *row;
    CURL *c = NULL;
    size_t i;
    int rc;

    assert(sv != NULL && sv->store != NULL && mc != NULL);
    if (sent != NULL)
        *sent = 0;
    if (failed != NULL)
        *failed = 0;
    rc = mail_ready(mc, &run, err);
    if (rc != CF_OK)
        return rc;

    clock_now_iso(now, sizeof now);
    rc = store_outbox_due(sv->store, now, limit > 0 ? limit : MAIL_BATCH, &rows, err);
    if (rc != CF_OK || json_array_size(rows) == 0)
        goto out;
    c = smtp_handle(&run, errbuf, &reply, &in_worker);
    if (c == NULL) {
        rc = cf_error_set(err, CF_ENOMEM, NULL, "cannot set up libcurl for %s", mc->smtp_url);
        goto out;
    }

    json_array_foreach(rows, i, row)
    {
        json_int_t id = json_integer_value(json_object_get(row, "id"));
        int64_t attempt = (int64_t)json_integer_value(json_object_get(row, "attempts")) + 1;
        const char *to = json_string_value(json_object_get(row, "to_addr"));
        const char *subject = json_string_value(json_object_get(row, "subject"));
        const char *seen = json_string_value(json_object_get(row, "next_attempt_at"));
        char why[CURL_ERROR_SIZE + sizeof reply.line + 100], pto[300], until[32];
        struct buf msg;
        CURLcode cc;
        int claimed = 0;

        if (in_worker && worker_should_stop())
            break;
        /*
         * Several processes may deliver from one database: each message is
         * claimed first (its next attempt moved past the lease), so only one
         * sends it. A sender that dies leaves it claimed until the lease ends.
         */
        clock_iso(clock_now() + MAIL_LEASE_S, until, sizeof until);
        rc = store_outbox_claim(sv->store, (int64_t)id, seen != NULL ? seen : "", until, &claimed,
                                err);
        if (rc != CF_OK)
            break;
        if (!claimed)
            continue;
        if (refusal(to, subject, why, sizeof why) != NULL) {
            rc = record_failure(sv->store, id, to, attempt, why, 1, err);
            if (failed != NULL)
                ++*failed;
            if (rc != CF_OK)
                break;
            continue;
        }
        buf_init(&msg, MAIL_MAX_BYTES);
        if (compose(&run, row, &msg) != CF_OK) {
            /* Too big or out of memory: this message can never go. */
            snprintf(why, sizeof why, "refused: the message is over %u MB or memory ran out",
                     MAIL_MAX_BYTES >> 20);
            rc = record_failure(sv->store, id, to, attempt, why, 1, err);
            if (failed != NULL)
                ++*failed;
            if (rc != CF_OK)
                break;
            continue;
        }
        cc = smtp_send(c, to, &msg, errbuf, &reply, why, sizeof why);
        buf_free(&msg);
        if (cc == CURLE_ABORTED_BY_CALLBACK) {
            /* Stopping: the message stays as it was and goes next time. */
            log_line("mail: #%lld to %s: stopped while sending; it stays pending", (long long)id,
                     printable(to, pto, sizeof pto));
            rc = store_outbox_claim(sv->store, (int64_t)id, until, seen, &claimed, err);
            break;
        }
        if (cc == CURLE_OK) {
            clock_now_iso(now, sizeof now);
            log_line("mail: sent #%lld to %s", (long long)id, printable(to, pto, sizeof pto));
            rc = store_outbox_sent(sv->store, (int64_t)id, now, err);
            if (sent != NULL)
                ++*sent;
        } else {
            rc = record_failure(sv->store, id, to, attempt, why, permanent(reply.line), err);
            if (failed != NULL)
                ++*failed;
        }
        if (rc != CF_OK)
            break;
    }

out:
    if (c != NULL)
        curl_easy_cleanup(c);
    json_decref(rows);
    return rc;
}

int svc_mail_deliver(const struct svc *sv, const struct mail_config *mc, long limit, int *sent,
                     int *failed, struct cf_error *err)
{
    return deliver(sv, mc, limit, 0, sent, failed, err);
}

/* --- the background worker ------------------------------------------------- */

static pthread_mutex_t worker_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t worker_cv;
static pthread_t worker_thread;
static int worker_running;    /* a thread exists (start succeeded, stop not done) */
static int worker_stopping;   /* stop was asked */
static double worker_stop_ms; /* when, by clock_mono_ms() */
static const char *worker_db;
static const struct mail_config *worker_mc;

/* The worker's stop test: 1 once stop was asked and the grace time is over. */
static int worker_should_abort(void)
{
    int stop;

    pthread_mutex_lock(&worker_mu);
    stop = worker_stopping && clock_mono_ms() - worker_stop_ms >= MAIL_STOP_WAIT_MS;
    pthread_mutex_unlock(&worker_mu);
    return stop;
}

/* Between messages: 1 as soon as stop was asked. */
static int worker_should_stop(void)
{
    int stop;

    pthread_mutex_lock(&worker_mu);
    stop = worker_stopping;
    pthread_mutex_unlock(&worker_mu);
    return stop;
}

static void *worker_main(void *arg)
{
    struct store *s = NULL;
    struct svc sv = {NULL, "system", NULL, NULL, NULL, NULL};
    struct cf_error last; /* the last error logged, so that it is logged once */

    (void)arg;
    cf_error_clear(&last);
    while (!worker_should_stop()) {
        struct cf_error err;
        struct timespec until;
        int rc = CF_OK, sent = 0, failed = 0;

        cf_error_clear(&err);
        if (s == NULL)
            rc = store_open(worker_db, 0, &s, NULL, &err);
        if (rc == CF_OK) {
            sv.store = s;
            rc = deliver(&sv, worker_mc, 0, 1, &sent, &failed, &err);
        }
        if (rc != CF_OK) {
            /* Say it once, not every tick; reconnect after a database error. */
            if (strcmp(last.message, err.message) != 0)
                log_line("mail: %s; trying again every %d s", err.message, MAIL_TICK_S);
            last = err;
            if (rc == CF_EDB || rc == CF_EIO) {
                store_close(s);
                s = NULL;
            }
        } else {
            cf_error_clear(&last);
        }

        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += MAIL_TICK_S;
        pthread_mutex_lock(&worker_mu);
        while (!worker_stopping && pthread_cond_timedwait(&worker_cv, &worker_mu, &until) == 0)
            ;
        pthread_mutex_unlock(&worker_mu);
    }
    store_close(s);
    return NULL;
}

int svc_mail_worker_start(const char *db_url, const struct mail_config *mc, struct cf_error *err)
{
    struct run_config run;
    pthread_condattr_t attr;
    int rc;

    rc = mail_ready(mc, &run, err);
    if (rc != CF_OK)
        return rc;

    pthread_mutex_lock(&worker_mu);
    if (worker_running) {
        pthread_mutex_unlock(&worker_mu);
        return cf_error_set(err, CF_ECONFLICT, NULL, "the mail worker is already running");
    }
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&worker_cv, &attr);
    pthread_condattr_destroy(&attr);
    worker_db = db_url;
    worker_mc = mc;
    worker_stopping = 0;
    if (pthread_create(&worker_thread, NULL, worker_main, NULL) != 0) {
        pthread_cond_destroy(&worker_cv);
        pthread_mutex_unlock(&worker_mu);
        return cf_error_set(err, CF_ENOMEM, NULL, "cannot start the mail thread");
    }
    worker_running = 1;
    pthread_mutex_unlock(&worker_mu);
    return CF_OK;
}

void svc_mail_worker_stop(void)
{
    pthread_mutex_lock(&worker_mu);
    if (!worker_running || worker_stopping) {
        pthread_mutex_unlock(&worker_mu);
        return;
    }
    worker_stopping = 1;
    worker_stop_ms = clock_mono_ms();
    pthread_cond_signal(&worker_cv);
    pthread_mutex_unlock(&worker_mu);

    pthread_join(worker_thread, NULL);

    pthread_mutex_lock(&worker_mu);
    pthread_cond_destroy(&worker_cv);
    worker_running = 0;
    worker_stopping = 0;
    pthread_mutex_unlock(&worker_mu);
}
