/*
 * pdfpen.c — the shared text pen of the PDF renderers (pdfpen.h).
 */
#include "core/pdfpen.h"

#include <string.h>

#include "lib/err.h"

void pdfpen_close(struct pdfpen *p)
{
    if (p->lay != NULL)
        g_object_unref(p->lay);
    if (p->ctx != NULL)
        g_object_unref(p->ctx);
    if (p->fm != NULL)
        g_object_unref(p->fm);
    if (p->cr != NULL)
        cairo_destroy(p->cr);
    memset(p, 0, sizeof *p);
}

int pdfpen_open(struct pdfpen *p, cairo_surface_t *s)
{
    cairo_font_options_t *fo = NULL;
    int rc = CF_OK;

    memset(p, 0, sizeof *p);
    p->cr = cairo_create(s);
    if (cairo_status(p->cr) != CAIRO_STATUS_SUCCESS) {
        rc = cairo_status(p->cr) == CAIRO_STATUS_NO_MEMORY ? CF_ENOMEM : CF_EIO;
        goto out;
    }
    p->fm = pango_cairo_font_map_new();
    if (p->fm == NULL) {
        rc = CF_EIO;
        goto out;
    }
    pango_cairo_font_map_set_resolution(PANGO_CAIRO_FONT_MAP(p->fm), 72.0);
    p->ctx = pango_font_map_create_context(p->fm);
    fo = cairo_font_options_create();
    if (p->ctx == NULL || fo == NULL) {
        rc = CF_ENOMEM;
        goto out;
    }
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    pango_cairo_context_set_font_options(p->ctx, fo);
    pango_cairo_update_context(p->cr, p->ctx);
    p->lay = pango_layout_new(p->ctx);
    if (p->lay == NULL)
        rc = CF_ENOMEM;

out:
    if (fo != NULL)
        cairo_font_options_destroy(fo);
    if (rc != CF_OK)
        pdfpen_close(p);
    return rc;
}
