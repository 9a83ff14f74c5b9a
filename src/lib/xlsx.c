/*
 * xlsx.c — a table as an XLSX workbook in memory, through a temporary file
 * (libxlsxwriter 1.1.4 has no output buffer).
 */
#include "lib/xlsx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#define XLSX_PATH_MAX 4096 /* the temporary file's path and its NUL */

/* Reads the whole file at path into a malloc'd buffer. */
static int read_back(const char *path, char **out, size_t *n, struct cf_error *err)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    char *data = NULL;
    int rc = CF_OK;

    if (f == NULL || fstat(fileno(f), &st) != 0 || st.st_size <= 0 || st.st_size > XLSX_MAX_BYTES) {
        rc = cf_error_set(err, CF_EIO, NULL, "The spreadsheet could not be written. Try again.");
        goto out;
    }
    data = malloc((size_t)st.st_size);
    if (data == NULL) {
        rc = cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
        goto out;
    }
    if (fread(data, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
        rc = cf_error_set(err, CF_EIO, NULL, "The spreadsheet could not be read back. Try again.");
        goto out;
    }
    *out = data;
    *n = (size_t)st.st_size;
    data = NULL;

out:
    free(data);
    if (f != NULL)
        fclose(f);
    return rc;
}

/*
 * Writes the header row and the rows into a new workbook at path (which
 * libxlsxwriter opens by name) and closes it; CF_OK when the file is complete.
 */
static int write_book(const char *path, const char *sheet, const json_t *columns,
                      const json_t *rows, struct cf_error *err)
{
    lxw_workbook *wb = workbook_new(path);
    lxw_worksheet *ws;
    lxw_format *bold;
    size_t c, i;
    json_t *col, *row;

    if (wb == NULL)
        return cf_error_set(err, CF_EIO, NULL, "The spreadsheet could not be written. Try again.");
    ws = workbook_add_worksheet(wb, sheet);
    if (ws == NULL) {
        workbook_close(wb);
        return cf_error_set(err, CF_EIO, NULL, "The spreadsheet could not be written. Try again.");
    }
    bold = workbook_add_format(wb);
    format_set_bold(bold);
    json_array_foreach(columns, c, col)
    {
        const char *label = json_string_value(json_object_get(col, "label"));

        worksheet_write_string(ws, 0, (lxw_col_t)c, label != NULL ? label : "", bold);
    }
    json_array_foreach(rows, i, row)
    {
        lxw_row_t r = (lxw_row_t)(i + 1);

        json_array_foreach(columns, c, col)
        {
            json_t *v = json_object_get(row, json_string_value(json_object_get(col, "key")));

            if (json_is_integer(v))
                worksheet_write_number(ws, r, (lxw_col_t)c, (double)json_integer_value(v), NULL);
            else if (json_is_real(v))
                worksheet_write_number(ws, r, (lxw_col_t)c, json_real_value(v), NULL);
            else if (json_is_string(v))
                worksheet_write_string(ws, r, (lxw_col_t)c, json_string_value(v), NULL);
        }
    }
    if (workbook_close(wb) != LXW_NO_ERROR)
        return cf_error_set(err, CF_EIO, NULL, "The spreadsheet could not be written. Try again.");
    return CF_OK;
}

int xlsx_table(const char *sheet, const json_t *columns, const json_t *rows, char **out, size_t *n,
               struct cf_error *err)
{
    const char *dir = getenv("TMPDIR");
    char path[XLSX_PATH_MAX];
    int fd, rc, w;

    *out = NULL;
    *n = 0;
    if (dir == NULL || dir[0] == '\0')
        dir = "/tmp";
    w = snprintf(path, sizeof path, "%s/ctoframe-xlsx-XXXXXX", dir);
    if (w < 0 || (size_t)w >= sizeof path)
        return cf_error_set(err, CF_EIO, NULL, "The temporary directory's path is too long.");
    fd = mkstemp(path);
    if (fd < 0)
        return cf_error_set(err, CF_EIO, NULL, "The spreadsheet could not be written. Try again.");
    close(fd);
    rc = write_book(path, sheet, columns, rows, err);
    if (rc == CF_OK)
        rc = read_back(path, out, n, err);
    unlink(path);
    return rc;
}
