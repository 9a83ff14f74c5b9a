/*
 * certificate.h — certificates as bytes (svc/certificate.c over
 * core/certificate.c).
 *
 * For now only a sample: the PDF for fields given by hand, for designers and
 * operators to preview (`ctoframe certificate sample`). It reads and writes
 * nothing in the database. Issuing credentials will add the certificate of a
 * stored credential beside it.
 */
#ifndef CF_SVC_CERTIFICATE_H
#define CF_SVC_CERTIFICATE_H

#include <stddef.h>

#include "core/certificate.h"
#include "svc/svc.h"

/*
 * The certificate PDF for f into *pdf (n bytes, the caller frees it with
 * free()). CF_OK; CF_EINVAL with err naming the field at fault (see
 * cert_fields_check) and nothing made; CF_ENOMEM, CF_ETOOBIG or CF_EIO with a
 * message.
 */
int svc_certificate_sample(const struct cert_fields *f, char **pdf, size_t *n,
                           struct cf_error *err);

#endif
