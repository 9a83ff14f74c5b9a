/*
 * multipart.h — multipart/form-data decoding (RFC 7578): a form with a file.
 *
 * No HTTP here: bytes in, fields and files out, so the decoder is tested and
 * fuzzed on its own (tests/fuzz/fuzz_multipart.c). Text parts become form
 * fields exactly as web_form_parse makes them (one string per name, an array
 * for a name given more than once); parts with a filename become files whose
 * bytes point into the body (they live as long as it does).
 */
#ifndef CF_WEB_MULTIPART_H
#define CF_WEB_MULTIPART_H

#include <jansson.h>
#include <stddef.h>

#define MP_BOUNDARY_MAX 72  /* RFC 2046: 1-70 characters, and "--" */
#define MP_NAME_MAX     128 /* a field name and its NUL */
#define MP_FILENAME_MAX 256 /* a file name and its NUL */
#define MP_TYPE_MAX     128 /* a part's Content-Type and its NUL */
#define MP_FILES_MAX    4   /* files in one form */
#define MP_PARTS_MAX    256 /* parts in one form */

struct mp_file {
    char field[MP_NAME_MAX];
    char filename[MP_FILENAME_MAX]; /* as the browser sent it, path parts removed */
    char type[MP_TYPE_MAX];         /* as the browser declared it ("" when none) */
    const char *data;               /* into the body */
    size_t n;
};

/*
 * The boundary of a Content-Type "multipart/form-data; boundary=X" (quoted or
 * not) into out (n >= MP_BOUNDARY_MAX). 0, or -1 when there is none or it is
 * not a valid boundary.
 */
int web_multipart_boundary(const char *content_type, char *out, size_t n);

/*
 * Parses the n bytes at p, delimited by boundary. *fields gets a new object of
 * the text parts; files[0..*nfiles) the file parts (at most MP_FILES_MAX; an
 * empty file input, filename "", is left out). CF_OK; CF_EINVAL when the body
 * is not well-formed multipart (a missing delimiter or end, headers without
 * a name, a text part that is not UTF-8 or holds NUL, too many parts or
 * files); CF_ENOMEM. *fields is NULL on failure.
 */
int web_multipart_parse(const char *p, size_t n, const char *boundary, json_t **fields,
                        struct mp_file *files, int *nfiles);

#endif
