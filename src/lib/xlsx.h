/*
 * xlsx.h — a table as an XLSX workbook in memory (libxlsxwriter).
 *
 * libxlsxwriter 1.1.4 writes to a file path only, so the workbook is written
 * to a temporary file made with mkstemp in $TMPDIR (else /tmp), read back and
 * removed before xlsx_table returns.
 */
#ifndef CF_LIB_XLSX_H
#define CF_LIB_XLSX_H

#include <jansson.h>
#include <stddef.h>

#include "lib/err.h"

#define XLSX_MAX_BYTES (64L * 1024 * 1024) /* a workbook read back at most */
#define XLSX_SHEET_MAX 31                  /* Excel's limit on a sheet name */

/*
 * One sheet named sheet: a header row of the columns' labels (columns: [{key,
 * label}]), then one row per object of rows, the cell of each column its key's
 * value (integers and reals as numbers, strings as text, anything else empty).
 * On CF_OK *out (malloc'd, *n bytes) holds the workbook; the caller frees it.
 */
int xlsx_table(const char *sheet, const json_t *columns, const json_t *rows, char **out, size_t *n,
               struct cf_error *err);

#endif
