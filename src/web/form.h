/*
 * form.h — application/x-www-form-urlencoded decoding (request bodies).
 *
 * No HTTP here: bytes in, a JSON object out, so the decoder is tested and
 * fuzzed on its own (tests/fuzz/fuzz_form.c, fuzz_query.c). Query strings are
 * split and decoded by libmicrohttpd (req_query); web_urldecode decodes a
 * single value the same way, so a field means the same in a form and in a URL.
 */
#ifndef CF_WEB_FORM_H
#define CF_WEB_FORM_H

#include <jansson.h>
#include <stddef.h>

/*
 * Decodes the n bytes at s ('+' is a space, %XX a byte; a '%' not followed by
 * two hex digits stays as it is) into out, which must hold n + 1 bytes; the
 * result is NUL-terminated and its length goes to *len. CF_OK, or CF_EINVAL
 * when it would hold a NUL byte (%00).
 */
int web_urldecode(const char *s, size_t n, char *out, size_t *len);

/*
 * Parses n bytes of form data ("a=1&b=2&b=3") into *out, a new JSON object:
 * one string per name, an array of strings for a name given more than once
 * (checkbox groups), "" for a name without '='. Empty pieces ("a=1&&b=2") are
 * skipped. CF_OK; CF_EINVAL when a name or value holds a NUL byte or is not
 * UTF-8 (jansson refuses other bytes); CF_ENOMEM. *out is NULL on failure.
 */
int web_form_parse(const char *p, size_t n, json_t **out);

#endif
