/*
 * eval_report.h — the printable report of an evaluation's results as a PDF
 * (issue 9 point 4), drawn with cairo, its text set by pango.
 *
 * Pure in the sense of core/: the view in (the JSON svc_eval_get returns, with
 * its results), PDF bytes out, written to memory. No SQL, no HTTP, no files.
 * Every text from the view is set as plain text (never as pango markup), so a
 * name holding <, > or & is printed as typed. US Letter portrait, as many
 * pages as the skills need, each numbered "Page n of m".
 */
#ifndef CF_CORE_EVAL_REPORT_H
#define CF_CORE_EVAL_REPORT_H

#include <jansson.h>

#include "lib/buf.h"
#include "lib/err.h"

#define EVAL_REPORT_PDF_MAX (16L * 1024 * 1024) /* a buffer cap any report fits */

/* US Letter, portrait, in PDF points (1/72 inch). */
#define EVAL_REPORT_PAGE_W 612.0
#define EVAL_REPORT_PAGE_H 792.0

/*
 * The report of view (svc_eval_get's view holding "results"; an
 * evaluation.framework_name, when set, names the framework in words instead of
 * its framework_doc identifier) as a PDF,
 * appended to out (initialized by the caller with buf_init; a cap of
 * EVAL_REPORT_PDF_MAX is plenty). Numbers that are null print as "Not rated"
 * (a rating) or a dash (a spread, a gap). CF_OK; CF_EINVAL when view holds no
 * results (field "results") or its scale is outside EVAL_LEVELS_MIN..MAX
 * (field "levels"); CF_ENOMEM or CF_ETOOBIG (out's cap) when the bytes do not fit;
 * CF_EIO when cairo or pango fail. On failure out is empty and err says why.
 */
int eval_report_pdf(const json_t *view, struct buf *out, struct cf_error *err);

#endif
