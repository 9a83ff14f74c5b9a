/*
 * certificate.h — a credential's certificate as a one-page PDF (cairo + pango
 * for the typography, libqrencode for the QR code of the verification page).
 *
 * Pure in the sense of core/: plain fields in, PDF bytes out. No SQL, no HTTP,
 * no files: the PDF is written to memory (cairo_pdf_surface_create_for_stream)
 * and the fonts are the ones fontconfig finds (DejaVu and WenQuanYi Micro Hei,
 * installed by scripts/bootstrap). Whoever issues credentials (svc/) reads them
 * from the store, fills struct cert_fields and hands the bytes on.
 *
 * The same fields always give the same bytes with the same libraries and
 * fonts: the PDF's creation date is the issue date, never the clock.
 * docs/internals/certificate.md describes the layout.
 */
#ifndef CF_CORE_CERTIFICATE_H
#define CF_CORE_CERTIFICATE_H

#include <stddef.h>

#include "lib/buf.h"
#include "lib/err.h"

/* Limits on the fields, in characters (Unicode code points) unless said otherwise. */
#define CERT_NAME_MAX   120 /* the holder's full name */
#define CERT_TEXT_MAX   120 /* the credential's title, the program, the issuing body */
#define CERT_NUMBER_MAX 40  /* the credential number: letters, digits, '-' */
#define CERT_URL_MAX    300 /* the verification address, in bytes (ASCII) */
#define CERT_DATE_LEN   10  /* YYYY-MM-DD */
#define CERT_DATE_WORDS 24  /* room for "30 September 2026" and its NUL */
#define CERT_PDF_MAX    (4L * 1024 * 1024) /* a buffer cap that any certificate fits */

/* US Letter, landscape, in PDF points (1/72 inch). */
#define CERT_PAGE_W 792.0
#define CERT_PAGE_H 612.0

/* What a certificate shows. Every string is UTF-8; none may be NULL except as said. */
struct cert_fields {
    const char *name;       /* the holder's full name, any script */
    const char *title;      /* "Certified Education Technology Leader" */
    const char *program;    /* the program's code or name: "CETL" */
    const char *number;     /* "CETL-2026-000123" */
    const char *issued_on;  /* "2026-12-02" */
    const char *expires_on; /* "2029-12-02", after issued_on */
    const char *issuer;     /* the issuing body: "CoSN" */
    const char *verify_url; /* http(s) address of the public verification page */
    int demo;               /* 1: a "DEMO — not a real credential" watermark */
};

/*
 * Checks every field of f (see the limits above; dates are real calendar
 * dates, the expiry after the issue; the address starts with http:// or
 * https:// and holds no spaces). CF_OK, or CF_EINVAL with err naming the
 * first field at fault ("name", "title", "program", "number", "issued_on",
 * "expires_on", "issuer", "verify_url") and the others in err's extra, each
 * in a sentence that says what to do.
 */
int cert_fields_check(const struct cert_fields *f, struct cf_error *err);

/*
 * "2026-12-02" as "2 December 2026" into out (n bytes, CERT_DATE_WORDS is
 * enough). CF_OK, or CF_EINVAL when ymd is not a real date in that form
 * (out is then "").
 */
int cert_date_words(const char *ymd, char *out, size_t n);

/* How a line of text was fitted into a box (cert_fit_text). */
struct cert_fit {
    double size;   /* the font size chosen, in points */
    int lines;     /* 1, or more when even the smallest size had to wrap */
    double width;  /* the text's width at that size, in points */
    double height; /* and its height */
};

/*
 * Fits text (UTF-8) set in font family (a pango family list: "DejaVu Serif,
 * WenQuanYi Micro Hei") into a box max_w by max_h points: the largest size
 * from start down to min that fits on one line; below that it wraps
 * (between words, or between characters when a word is longer than a line)
 * at ever smaller sizes down to smallest. CF_OK with *fit, CF_ENOMEM, or CF_EIO
 * when cairo or pango fail. The result is what cert_pdf_render draws.
 */
int cert_fit_text(const char *text, const char *family, int bold, double start, double min,
                  double smallest, double max_w, double max_h, struct cert_fit *fit);

/*
 * The certificate for f as a PDF (one page, US Letter landscape), appended to
 * out (which the caller initialized with buf_init; a cap of CERT_PDF_MAX is
 * plenty). Checks f first (cert_fields_check). CF_OK; CF_EINVAL with err
 * naming the field; CF_ENOMEM or CF_ETOOBIG (out's cap) when the bytes do not
 * fit; CF_EIO when cairo, pango or libqrencode fail. On failure out is empty.
 */
int cert_pdf_render(const struct cert_fields *f, struct buf *out, struct cf_error *err);

#endif
