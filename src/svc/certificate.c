/*
 * certificate.c — certificates as bytes: the sample a person fills in by
 * hand (see svc/certificate.h). The drawing is core/certificate.c.
 */
#include "svc/certificate.h"

#include "lib/buf.h"

int svc_certificate_sample(const struct cert_fields *f, char **pdf, size_t *n, struct cf_error *err)
{
    struct buf b;
    int rc;

    *pdf = NULL;
    *n = 0;
    buf_init(&b, CERT_PDF_MAX);
    rc = cert_pdf_render(f, &b, err);
    if (rc == CF_OK)
        *pdf = buf_detach(&b, n);
    buf_free(&b);
    return rc;
}
