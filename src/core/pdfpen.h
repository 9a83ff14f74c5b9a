/*
 * pdfpen.h — the text pen the PDF renderers share (core/certificate.c,
 * core/eval_report.c): a cairo context on a surface with its own pango font
 * map at 72 dpi (a pango point is a cairo unit) and no hinting, so text sizes
 * scale linearly and fitting gives the same answer on any surface.
 */
#ifndef CF_CORE_PDFPEN_H
#define CF_CORE_PDFPEN_H

#include <cairo.h>
#include <pango/pangocairo.h>

struct pdfpen {
    cairo_t *cr;
    PangoFontMap *fm;
    PangoContext *ctx;
    PangoLayout *lay; /* one layout, reused for every piece of text */
};

/*
 * Opens p on surface s (p's fields are overwritten). CF_OK, or CF_ENOMEM /
 * CF_EIO with nothing left open (every field NULL).
 */
int pdfpen_open(struct pdfpen *p, cairo_surface_t *s);

/* Releases what p holds; every field is NULL after. Safe on a pen never opened (zeroed). */
void pdfpen_close(struct pdfpen *p);

#endif
