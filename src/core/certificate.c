/*
 * certificate.c — the certificate PDF (see certificate.h): the fields checked,
 * then one page drawn with cairo, its text set by pango, its QR code made by
 * libqrencode. The layout (in points, US Letter landscape):
 *
 *     a double rule around the page, 28 and 34 points in
 *     the issuing body, small and letter-spaced, at the top
 *     the credential's title, large
 *     "This certifies that", then the holder's name, largest, shrunk to fit
 *     a sentence naming the program and the issuing body
 *     bottom left: credential number, issue date, expiry date (dates in words)
 *     bottom right: the QR code of the verification page, its address under it
 *     with demo set: "DEMO — not a real credential" across the page
 *
 * Every text is drawn by one function (draw_box) that fits it into its box
 * (fit: smaller sizes, then wrapping), so no value can run off the page.
 */
#include "core/certificate.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <glib.h>
#include <pango/pangocairo.h>
#include <qrencode.h>

#include "core/pdfpen.h"

/* Fonts: DejaVu for Latin, Greek, Cyrillic (Sans also Arabic and Hebrew); WenQuanYi for CJK. */
#define FONT_SERIF "DejaVu Serif, DejaVu Sans, WenQuanYi Micro Hei"
#define FONT_SANS  "DejaVu Sans, WenQuanYi Micro Hei"

/* The page's parts, in points. */
#define BORDER_OUT    28.0 /* the outer rule, from the page's edge */
#define BORDER_IN     34.0 /* the inner rule */
#define MARGIN        72.0 /* text starts one inch in */
#define CONTENT_W     (CERT_PAGE_W - 2 * MARGIN)
#define QR_SIDE       108.0 /* the QR code with its quiet zone: 1.5 inches */
#define QR_QUIET      4     /* modules of white around the code (ISO/IEC 18004) */
#define QR_TOP        402.0 /* the QR code's top edge */
#define COLUMN_GAP    24.0  /* between the number and dates and the QR code */
#define FOOT_TEXT_W   300.0 /* the address under the QR code may use this much width */
#define SIZE_STEP_10  5     /* fitting tries sizes this many tenths of a point apart */
#define DEMO_TEXT     "DEMO \xe2\x80\x94 not a real credential"
#define PDF_DATE_SIZE 24 /* "2026-12-02T00:00:00Z" and its NUL */
#define META_MAX      (4 * (CERT_TEXT_MAX + CERT_NAME_MAX) + 64) /* UTF-8: 4 bytes a character */

/* Ink colours (RGB 0–1). */
static const double INK[3] = {0.10, 0.13, 0.20};   /* text */
static const double NAVY[3] = {0.12, 0.23, 0.40};  /* rules, title */
static const double MUTED[3] = {0.38, 0.41, 0.47}; /* labels */
static const double DEMO_RED[3] = {0.80, 0.10, 0.10};

static const char *const MONTHS[] = {"January",   "February", "March",    "April",
                                     "May",       "June",     "July",     "August",
                                     "September", "October",  "November", "December"};

/* --- checking the fields ------------------------------------------------------------- */

/* Records one field at fault: the first in err itself, the others in its extra. */
static void bad(struct cf_error *err, int *rc, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void bad(struct cf_error *err, int *rc, const char *field, const char *fmt, ...)
{
    char msg[sizeof err->message];
    va_list ap;

    va_start(ap, fmt);
    if (vsnprintf(msg, sizeof msg, fmt, ap) < 0)
        msg[0] = '\0';
    va_end(ap);
    if (*rc == CF_OK)
        cf_error_set(err, CF_EINVAL, field, "%s", msg);
    else
        cf_error_also(err, field, "%s", msg);
    *rc = CF_EINVAL;
}

/*
 * A text field: present, UTF-8, on one line, at most max characters. what is
 * how a sentence names it ("The holder's name"), hint what to type instead.
 */
static void check_text(struct cf_error *err, int *rc, const char *field, const char *what,
                       const char *v, long max, const char *hint)
{
    const char *p;
    long n;

    if (v == NULL || v[strspn(v, " ")] == '\0') {
        bad(err, rc, field, "%s is empty. %s", what, hint);
        return;
    }
    if (!g_utf8_validate(v, -1, NULL)) {
        bad(err, rc, field, "%s is not UTF-8 text. Type it again in UTF-8.", what);
        return;
    }
    for (p = v; *p != '\0'; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);

        if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c == 0x2028 || c == 0x2029) {
            bad(err, rc, field,
                "%s holds a line break or another control character. Put it on one line.", what);
            return;
        }
    }
    n = g_utf8_strlen(v, -1);
    if (n > max)
        bad(err, rc, field, "%s is %ld characters long. Shorten it to at most %ld characters.",
            what, n, max);
}

/* 1 when s is exactly YYYY-MM-DD and a real date; the parts into y, m, d. */
static int parse_date(const char *s, int *y, int *m, int *d)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap;

    if (s == NULL || strlen(s) != CERT_DATE_LEN || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < CERT_DATE_LEN; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return 0;
    *y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    *m = (s[5] - '0') * 10 + (s[6] - '0');
    *d = (s[8] - '0') * 10 + (s[9] - '0');
    if (*y < 1000 || *m < 1 || *m > 12 || *d < 1)
        return 0;
    leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
    return *d <= mdays[*m - 1] + (*m == 2 && leap);
}

int cert_date_words(const char *ymd, char *out, size_t n)
{
    int y, m, d, w;

    if (n > 0)
        out[0] = '\0';
    if (!parse_date(ymd, &y, &m, &d))
        return CF_EINVAL;
    w = snprintf(out, n, "%d %s %d", d, MONTHS[m - 1], y);
    if (w < 0 || (size_t)w >= n) {
        if (n > 0)
            out[0] = '\0';
        return CF_EINVAL;
    }
    return CF_OK;
}

/* The credential number: letters, digits and hyphens, at most CERT_NUMBER_MAX. */
static void check_number(struct cf_error *err, int *rc, const char *v)
{
    const char *hint = "Type it as the program writes it, for example CETL-2026-000123.";
    size_t n = v != NULL ? strlen(v) : 0;

    if (n == 0) {
        bad(err, rc, "number", "The credential number is empty. %s", hint);
        return;
    }
    if (strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") != n) {
        bad(err, rc, "number",
            "The credential number may hold only letters, digits and hyphens. %s", hint);
        return;
    }
    if (n > CERT_NUMBER_MAX)
        bad(err, rc, "number",
            "The credential number is %zu characters long. Shorten it to at most %d characters.", n,
            CERT_NUMBER_MAX);
}

/* The verification address: http(s)://host…, printable ASCII, at most CERT_URL_MAX bytes. */
static void check_url(struct cf_error *err, int *rc, const char *v)
{
    const char *rest;
    size_t n = v != NULL ? strlen(v) : 0;

    if (n == 0) {
        bad(err, rc, "verify_url",
            "The verification address is empty. Give the address of the public verification "
            "page, starting with https://.");
        return;
    }
    if (g_ascii_strncasecmp(v, "https://", 8) == 0)
        rest = v + 8;
    else if (g_ascii_strncasecmp(v, "http://", 7) == 0)
        rest = v + 7;
    else {
        bad(err, rc, "verify_url",
            "The verification address does not start with http:// or https://. Give the full "
            "address of the public verification page.");
        return;
    }
    for (const char *p = v; *p != '\0'; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f) {
            bad(err, rc, "verify_url",
                "The verification address holds a space, a control character or a character "
                "outside ASCII. Percent-encode it and try again.");
            return;
        }
    if (*rest == '\0' || *rest == '/' || *rest == '?' || *rest == '#') {
        bad(err, rc, "verify_url",
            "The verification address has no host name. Give the full address of the public "
            "verification page.");
        return;
    }
    if (n > CERT_URL_MAX)
        bad(err, rc, "verify_url",
            "The verification address is %zu bytes long. Shorten it to at most %d bytes.", n,
            CERT_URL_MAX);
}

int cert_fields_check(const struct cert_fields *f, struct cf_error *err)
{
    int rc = CF_OK;
    int y, m, d;
    int issued_ok, expires_ok;

    check_text(err, &rc, "name", "The holder's name", f->name, CERT_NAME_MAX,
               "Type the name as it should appear on the certificate.");
    check_text(err, &rc, "title", "The credential's title", f->title, CERT_TEXT_MAX,
               "Type the credential's full title, for example Certified Education Technology "
               "Leader.");
    check_text(err, &rc, "program", "The program", f->program, CERT_TEXT_MAX,
               "Type the program's code or name, for example CETL.");
    check_number(err, &rc, f->number);

    issued_ok = parse_date(f->issued_on, &y, &m, &d);
    if (!issued_ok)
        bad(err, &rc, "issued_on",
            "The issue date is not a date in the form YYYY-MM-DD. Type it as, for example, "
            "2026-12-02.");
    expires_ok = parse_date(f->expires_on, &y, &m, &d);
    if (!expires_ok)
        bad(err, &rc, "expires_on",
            "The expiry date is not a date in the form YYYY-MM-DD. Type it as, for example, "
            "2029-12-02.");
    else if (issued_ok && strcmp(f->expires_on, f->issued_on) <= 0)
        bad(err, &rc, "expires_on",
            "The expiry date is not after the issue date. Give an expiry date after %s.",
            f->issued_on);

    check_text(err, &rc, "issuer", "The issuing body", f->issuer, CERT_TEXT_MAX,
               "Type the name of the body that issues the credential.");
    check_url(err, &rc, f->verify_url);
    return rc;
}

/* --- text in boxes -------------------------------------------------------------------- */

/* How a text is set: its font, sizes (start, wrap below min, never below smallest), colour. */
struct style {
    const char *family;
    int bold, italic;
    double start, min, smallest;
    const double *rgb;
    PangoAlignment align;
    int middle; /* 1: centred in its box's height; 0: at its top */
};

/* A cairo context with a pango context of its own (its own font map: nothing cached across
 * certificates, so nothing is kept between renders or shared between threads). */
/* Sets text in p's layout with style st at size tenths/10 points, wrapped at wrap_w (< 0: none). */
static void set_text(struct pdfpen *p, const char *text, const struct style *st, int tenths,
                     double wrap_w)
{
    PangoFontDescription *fd = pango_font_description_from_string(st->family);
    PangoAttrList *attrs = pango_attr_list_new();

    pango_font_description_set_weight(fd, st->bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_font_description_set_style(fd, st->italic ? PANGO_STYLE_ITALIC : PANGO_STYLE_NORMAL);
    pango_font_description_set_size(fd, tenths * PANGO_SCALE / 10);
    pango_layout_set_font_description(p->lay, fd);
    pango_font_description_free(fd);
    /* A line broken inside a word gets no hyphen: it would change a name or an address. */
    pango_attr_list_insert(attrs, pango_attr_insert_hyphens_new(FALSE));
    pango_layout_set_attributes(p->lay, attrs);
    pango_attr_list_unref(attrs);
    pango_layout_set_text(p->lay, text, -1);
    pango_layout_set_alignment(p->lay, st->align);
    pango_layout_set_wrap(p->lay, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_width(p->lay, wrap_w < 0 ? -1 : (int)(wrap_w * PANGO_SCALE));
}

/* The size of p's layout as set, in points. */
static void measure(struct pdfpen *p, double *w, double *h)
{
    PangoRectangle logical;

    pango_layout_get_extents(p->lay, NULL, &logical);
    *w = (double)logical.width / PANGO_SCALE;
    *h = (double)logical.height / PANGO_SCALE;
}

/*
 * Fits text into max_w by max_h (see cert_fit_text), leaving it set in p's
 * layout at the size chosen. When nothing fits, the smallest size, wrapped.
 */
static void fit(struct pdfpen *p, const char *text, const struct style *st, double max_w,
                double max_h, struct cert_fit *out)
{
    int start = (int)lround(st->start * 10), min = (int)lround(st->min * 10);
    int least = (int)lround(st->smallest * 10);
    double w = 0, h = 0;

    /* One line, from the start size down to min. */
    for (int t = start; t >= min; t -= SIZE_STEP_10) {
        set_text(p, text, st, t, -1);
        measure(p, &w, &h);
        if (w <= max_w && h <= max_h) {
            *out = (struct cert_fit){t / 10.0, pango_layout_get_line_count(p->lay), w, h};
            return;
        }
    }

    /* Wrapped to the width, from min down to smallest. */
    for (int t = min; t >= least; t -= SIZE_STEP_10) {
        set_text(p, text, st, t, max_w);
        measure(p, &w, &h);
        if (w <= max_w && h <= max_h) {
            *out = (struct cert_fit){t / 10.0, pango_layout_get_line_count(p->lay), w, h};
            return;
        }
    }
    set_text(p, text, st, least, max_w);
    measure(p, &w, &h);
    *out = (struct cert_fit){least / 10.0, pango_layout_get_line_count(p->lay), w, h};
}

/* Draws text fitted into the box (x, y, w, h) in style st. */
static void draw_box(struct pdfpen *p, const char *text, const struct style *st, double x, double y,
                     double w, double h)
{
    struct cert_fit f;
    PangoRectangle logical;
    double dx = 0, dy = 0;

    fit(p, text, st, w, h, &f);
    pango_layout_get_extents(p->lay, NULL, &logical);
    if (pango_layout_get_width(p->lay) < 0) {
        /* One line without a width: pango does not align it; place it here. */
        if (st->align == PANGO_ALIGN_CENTER)
            dx = (w - f.width) / 2;
        else if (st->align == PANGO_ALIGN_RIGHT)
            dx = w - f.width;
    }
    dx -= (double)logical.x / PANGO_SCALE;
    if (st->middle)
        dy = (h - f.height) / 2;
    cairo_set_source_rgb(p->cr, st->rgb[0], st->rgb[1], st->rgb[2]);
    cairo_move_to(p->cr, x + dx, y + dy);
    pango_cairo_show_layout(p->cr, p->lay);
}

/* --- the page ------------------------------------------------------------------------- */

static const struct style ISSUER = {FONT_SANS, 1, 0, 10.5, 8, 6, NAVY, PANGO_ALIGN_CENTER, 0};
static const struct style TITLE = {FONT_SERIF, 0, 0, 30, 18, 12, NAVY, PANGO_ALIGN_CENTER, 1};
static const struct style LEAD = {FONT_SERIF, 0, 1, 14, 14, 14, INK, PANGO_ALIGN_CENTER, 0};
static const struct style NAME = {FONT_SERIF, 1, 0, 40, 20, 10, INK, PANGO_ALIGN_CENTER, 1};
static const struct style BODY = {FONT_SERIF, 0, 0, 13, 13, 8, INK, PANGO_ALIGN_CENTER, 0};
static const struct style LABEL = {FONT_SANS, 1, 0, 7.5, 7.5, 7.5, MUTED, PANGO_ALIGN_LEFT, 0};
static const struct style VALUE = {FONT_SERIF, 0, 0, 14, 14, 9, INK, PANGO_ALIGN_LEFT, 0};
static const struct style URL_LABEL = {FONT_SANS, 0, 0, 7.5, 7.5, 7.5, MUTED, PANGO_ALIGN_RIGHT, 0};
static const struct style URL = {FONT_SANS, 0, 0, 8, 7, 5, INK, PANGO_ALIGN_RIGHT, 0};
static const struct style DEMO_LINE = {FONT_SANS, 1, 0, 9, 9, 9, DEMO_RED, PANGO_ALIGN_CENTER, 0};
static const struct style DEMO = {FONT_SANS, 1, 0, 64, 16, 16, DEMO_RED, PANGO_ALIGN_CENTER, 0};

/* The double rule around the page. */
static void draw_border(cairo_t *cr)
{
    cairo_set_source_rgb(cr, NAVY[0], NAVY[1], NAVY[2]);
    cairo_set_line_width(cr, 1.5);
    cairo_rectangle(cr, BORDER_OUT, BORDER_OUT, CERT_PAGE_W - 2 * BORDER_OUT,
                    CERT_PAGE_H - 2 * BORDER_OUT);
    cairo_stroke(cr);
    cairo_set_line_width(cr, 0.5);
    cairo_rectangle(cr, BORDER_IN, BORDER_IN, CERT_PAGE_W - 2 * BORDER_IN,
                    CERT_PAGE_H - 2 * BORDER_IN);
    cairo_stroke(cr);
}

/*
 * The QR code of url (byte mode, error correction M) as a square of side
 * QR_SIDE with its top-left corner at (x, y), quiet zone included. CF_OK, or
 * CF_ENOMEM / CF_EIO when libqrencode cannot encode it.
 */
static int draw_qr(cairo_t *cr, const char *url, double x, double y)
{
    QRcode *qr = QRcode_encodeString8bit(url, 0, QR_ECLEVEL_M);
    double mod;
    int n;

    if (qr == NULL)
        return errno == ENOMEM ? CF_ENOMEM : CF_EIO;
    n = qr->width;
    mod = QR_SIDE / (n + 2 * QR_QUIET);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_rectangle(cr, x, y, QR_SIDE, QR_SIDE);
    cairo_fill(cr);

    /* Every dark module in one path, filled once: no seams between neighbours. */
    for (int r = 0; r < n; r++)
        for (int c = 0; c < n; c++)
            if (qr->data[r * n + c] & 1)
                cairo_rectangle(cr, x + (c + QR_QUIET) * mod, y + (r + QR_QUIET) * mod, mod, mod);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_fill(cr);
    QRcode_free(qr);
    return CF_OK;
}

/*
 * "DEMO — not a real credential" across the page, from bottom left to top
 * right, as outlines (so text extraction reads the page's lines in order), and
 * once more as text at the top of the page for readers and search.
 */
static void draw_demo(struct pdfpen *p)
{
    double diag = sqrt(CERT_PAGE_W * CERT_PAGE_W + CERT_PAGE_H * CERT_PAGE_H);
    struct cert_fit f;
    PangoRectangle logical;

    cairo_save(p->cr);
    cairo_translate(p->cr, CERT_PAGE_W / 2, CERT_PAGE_H / 2);
    cairo_rotate(p->cr, -atan2(CERT_PAGE_H, CERT_PAGE_W));
    pango_cairo_update_context(p->cr, p->ctx);
    pango_layout_context_changed(p->lay);
    fit(p, DEMO_TEXT, &DEMO, diag - 2 * MARGIN - 2 * BORDER_IN, 120, &f);
    pango_layout_get_extents(p->lay, NULL, &logical);
    cairo_set_source_rgba(p->cr, DEMO_RED[0], DEMO_RED[1], DEMO_RED[2], 0.16);
    cairo_move_to(p->cr, -f.width / 2 - (double)logical.x / PANGO_SCALE, -f.height / 2);
    pango_cairo_layout_path(p->cr, p->lay);
    cairo_fill(p->cr);
    cairo_restore(p->cr);
    pango_cairo_update_context(p->cr, p->ctx);
    pango_layout_context_changed(p->lay);
    draw_box(p, DEMO_TEXT, &DEMO_LINE, MARGIN, BORDER_IN + 8, CONTENT_W, 14);
}

/* The page, drawn with p from checked fields f. CF_OK, or as draw_qr. */
static int draw_page(struct pdfpen *p, const struct cert_fields *f)
{
    char issued[CERT_DATE_WORDS], expires[CERT_DATE_WORDS];
    char *body = NULL;
    double y;
    const double left = MARGIN, col_w = CONTENT_W - QR_SIDE - COLUMN_GAP;
    int rc;

    /* Checked before: both are real dates. */
    cert_date_words(f->issued_on, issued, sizeof issued);
    cert_date_words(f->expires_on, expires, sizeof expires);

    cairo_set_source_rgb(p->cr, 1, 1, 1);
    cairo_paint(p->cr);
    draw_border(p->cr);

    /* Each box: left, top, width, height, in points from the page's top left corner. */
    draw_box(p, f->issuer, &ISSUER, left, 66, CONTENT_W, 30);
    draw_box(p, f->title, &TITLE, left, 100, CONTENT_W, 84);
    draw_box(p, "This certifies that", &LEAD, left, 196, CONTENT_W, 24);
    draw_box(p, f->name, &NAME, left, 222, CONTENT_W, 78);

    /* A short rule under the name. */
    cairo_set_source_rgb(p->cr, NAVY[0], NAVY[1], NAVY[2]);
    cairo_set_line_width(p->cr, 0.75);
    cairo_move_to(p->cr, CERT_PAGE_W / 2 - 150, 308);
    cairo_line_to(p->cr, CERT_PAGE_W / 2 + 150, 308);
    cairo_stroke(p->cr);

    body = g_strdup_printf("has met the requirements of the %s program of %s "
                           "and holds the credential named above.",
                           f->program, f->issuer);
    if (body == NULL)
        return CF_ENOMEM;
    draw_box(p, body, &BODY, left + 40, 322, CONTENT_W - 80, 62);
    g_free(body);

    /* Bottom left: number and dates, a label over each value. */
    y = QR_TOP + 18;
    draw_box(p, "CREDENTIAL NUMBER", &LABEL, left, y, col_w, 12);
    draw_box(p, f->number, &VALUE, left, y + 12, col_w, 22);
    draw_box(p, "ISSUED", &LABEL, left, y + 44, col_w, 12);
    draw_box(p, issued, &VALUE, left, y + 56, col_w, 22);
    draw_box(p, "EXPIRES", &LABEL, left, y + 88, col_w, 12);
    draw_box(p, expires, &VALUE, left, y + 100, col_w, 22);

    /* Bottom right: the QR code, the address under it. */
    rc = draw_qr(p->cr, f->verify_url, CERT_PAGE_W - MARGIN - QR_SIDE, QR_TOP);
    if (rc != CF_OK)
        return rc;
    draw_box(p, "Verify this credential at", &URL_LABEL, CERT_PAGE_W - MARGIN - FOOT_TEXT_W,
             QR_TOP + QR_SIDE + 2, FOOT_TEXT_W, 11);
    draw_box(p, f->verify_url, &URL, CERT_PAGE_W - MARGIN - FOOT_TEXT_W, QR_TOP + QR_SIDE + 13,
             FOOT_TEXT_W, CERT_PAGE_H - BORDER_IN - 4 - (QR_TOP + QR_SIDE + 13));

    if (f->demo)
        draw_demo(p);
    return cairo_status(p->cr) == CAIRO_STATUS_SUCCESS ? CF_OK : CF_EIO;
}

/* --- the PDF -------------------------------------------------------------------------- */

/* Where cairo's PDF bytes go: a buf, and the first failure. */
struct sink {
    struct buf *out;
    int rc;
};

static cairo_status_t sink_write(void *closure, const unsigned char *data, unsigned int n)
{
    struct sink *s = closure;

    if (s->rc != CF_OK)
        return CAIRO_STATUS_WRITE_ERROR;
    s->rc = buf_add(s->out, data, n);
    return s->rc == CF_OK ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

/* A sink that keeps nothing: cert_fit_text measures on a PDF surface it never finishes. */
static cairo_status_t sink_discard(void *closure, const unsigned char *data, unsigned int n)
{
    (void)closure;
    (void)data;
    (void)n;
    return CAIRO_STATUS_SUCCESS;
}

int cert_fit_text(const char *text, const char *family, int bold, double start, double min,
                  double smallest, double max_w, double max_h, struct cert_fit *out)
{
    cairo_surface_t *s =
        cairo_pdf_surface_create_for_stream(sink_discard, NULL, CERT_PAGE_W, CERT_PAGE_H);
    struct style st = {family, bold, 0, start, min, smallest, INK, PANGO_ALIGN_CENTER, 0};
    struct pdfpen p;
    int rc = cairo_surface_status(s) == CAIRO_STATUS_SUCCESS ? CF_OK : CF_EIO;

    if (rc == CF_OK)
        rc = pdfpen_open(&p, s);
    if (rc == CF_OK) {
        fit(&p, text, &st, max_w, max_h, out);
        pdfpen_close(&p);
    }
    cairo_surface_destroy(s);
    return rc;
}

/* The PDF's metadata: its title, author, subject, and the issue date as its dates. */
static int set_metadata(cairo_surface_t *s, const struct cert_fields *f)
{
    char title[META_MAX], subject[META_MAX], date[PDF_DATE_SIZE];
    int n1, n2, n3;

    n1 = snprintf(title, sizeof title, "%s%s \xe2\x80\x94 %s", f->demo ? "DEMO: " : "", f->title,
                  f->name);
    n2 = snprintf(subject, sizeof subject, "Credential %s, issued %s, expires %s", f->number,
                  f->issued_on, f->expires_on);
    n3 = snprintf(date, sizeof date, "%sT00:00:00Z", f->issued_on);
    if (n1 < 0 || (size_t)n1 >= sizeof title || n2 < 0 || (size_t)n2 >= sizeof subject || n3 < 0 ||
        (size_t)n3 >= sizeof date)
        return CF_EIO;
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_AUTHOR, f->issuer);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_SUBJECT, subject);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "ctoframe");
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, date);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_MOD_DATE, date);
    return CF_OK;
}

int cert_pdf_render(const struct cert_fields *f, struct buf *out, struct cf_error *err)
{
    struct sink sink = {out, CF_OK};
    cairo_surface_t *s = NULL;
    struct pdfpen p = {0};
    int rc = cert_fields_check(f, err);

    if (rc != CF_OK)
        goto out;
    s = cairo_pdf_surface_create_for_stream(sink_write, &sink, CERT_PAGE_W, CERT_PAGE_H);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        rc = CF_EIO;
        goto out;
    }
    rc = set_metadata(s, f);
    if (rc != CF_OK)
        goto out;
    rc = pdfpen_open(&p, s);
    if (rc != CF_OK)
        goto out;
    rc = draw_page(&p, f);
    if (rc != CF_OK)
        goto out;
    cairo_show_page(p.cr);
    pdfpen_close(&p);

    /* Finishing writes the fonts, the page and the trailer through sink_write. */
    cairo_surface_finish(s);
    if (sink.rc != CF_OK)
        rc = sink.rc;
    else if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
        rc = cairo_surface_status(s) == CAIRO_STATUS_NO_MEMORY ? CF_ENOMEM : CF_EIO;

out:
    pdfpen_close(&p);
    if (s != NULL)
        cairo_surface_destroy(s);
    if (rc != CF_OK) {
        buf_free(out);
        if (rc == CF_ETOOBIG)
            cf_error_set(err, rc, NULL,
                         "The certificate is larger than its buffer allows. Shorten the longest "
                         "field and try again.");
        else if (rc == CF_ENOMEM)
            cf_error_set(err, rc, NULL, "Out of memory. Try again in a moment.");
        else if (rc != CF_EINVAL)
            cf_error_set(err, rc, NULL,
                         "The certificate could not be drawn (cairo, pango or libqrencode "
                         "failed). Check that the fonts are installed (scripts/bootstrap) and "
                         "try again.");
    }
    return rc;
}
