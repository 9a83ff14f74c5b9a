/*
 * bankjson.h — the item bank's own JSON file, format "ctoframe-bank/1" (issue 10 point 1),
 * pure: read and checked whole, every problem named with its JSON path. docs/exam.md
 * describes the format; `ctoframe bank import FILE.json` reads it and `ctoframe bank export
 * --json` writes it.
 *
 *   {"format": "ctoframe-bank/1", "notice": TEXT,
 *    "stimuli": [{"identifier", "title", "text"}],
 *    "items": [{"identifier", "title", "interaction": "single"|"multiple",
 *               "skills": ["I.A", ...], "cognitive": "recall"|"application"|"analysis",
 *               "stimulus": IDENTIFIER (optional), "prompt",
 *               "choices": [{"id", "text", "rationale"}], "correct": [ids],
 *               "references": [TEXT], "author"}]}
 *
 * A stimulus is the shared text of a scenario set: the items that name it are read with it.
 */
#ifndef CF_CORE_BANKJSON_H
#define CF_CORE_BANKJSON_H

#include <jansson.h>
#include <stddef.h>

#define BANKJSON_FORMAT       "ctoframe-bank/1"
#define BANKJSON_MAX_BYTES    (32u * 1024u * 1024u) /* a file read at most */
#define BANKJSON_MAX_ITEMS    10000
#define BANKJSON_MAX_STIMULI  2000
#define BANKJSON_MAX_REFS     20   /* references of one item */
#define BANKJSON_MAX_PROBLEMS 100  /* problems listed; the last then says there are more */
#define BANKJSON_SHORT_MAX    1000 /* bytes of a title, a reference, an author, the notice */
#define BANKJSON_TEXT_MAX     (64u * 1024u) /* bytes of a prompt, choice, rationale, stimulus text */

/*
 * Reads and checks the n bytes at bytes as a bank file. Returns the number of problems: 0
 * means *doc is the document, checked, with the white space of every prompt, choice text
 * and rationale squeezed to single spaces and trimmed (as QTI reads text), and "stimuli"
 * present (an empty array when the file had none); the caller json_decref()s it. Otherwise
 * *doc is NULL. *problems (may be NULL) gets a new array [{"path", "message"}] in document
 * order, at most BANKJSON_MAX_PROBLEMS; when the JSON itself does not read the one problem
 * is at "$" and also carries "line" and "column" as jansson found them (from 1; the column
 * is 0 when nothing was read on the line, as in an empty file). Out of memory is reported as
 * a problem at "$".
 */
int bankjson_read(const char *bytes, size_t n, json_t **doc, json_t **problems);

/*
 * 1 when s is a text a bank file may hold: 1 to max bytes (after trimming when squeezed),
 * no control character but tab, line feed and carriage return when multiline (none at all
 * otherwise), no U+FFFE or U+FFFF (XML 1.0 cannot carry them). s is UTF-8 (jansson's).
 */
int bankjson_text_ok(const char *s, size_t max, int multiline);

#endif
