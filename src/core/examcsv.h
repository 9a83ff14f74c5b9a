/*
 * examcsv.h — the small CSV files the exam commands read besides the response file (issue
 * 10, pure): a calibration (the output of `ctoframe exam calibrate`, read by `exam equate`
 * and `exam scale`), a group file (`exam dif --groups`) and a category map (`exam scale
 * --categories`). Each is read in one pass with lib/csvtable.h; every problem is reported
 * with its line and column (from 1), and a file with any problem fills nothing.
 *
 *   calibration   header item,difficulty,se,infit,outfit; item non-empty and distinct,
 *                 difficulty a finite number, se a finite number > 0, infit and outfit
 *                 finite numbers >= 0 (read, checked, not kept)
 *   groups        header person,group; person non-empty and distinct, group non-empty;
 *                 exactly two distinct group labels in the file
 *   categories    header item,category; item non-empty and distinct, category non-empty
 */
#ifndef CF_CORE_EXAMCSV_H
#define CF_CORE_EXAMCSV_H

#include <jansson.h>
#include <stddef.h>

#define EXAMCSV_MAX_BYTES    (64u * 1024u * 1024u) /* a file is at most this many bytes */
#define EXAMCSV_MAX_ROWS     1000000               /* rows after the header */
#define EXAMCSV_MAX_PROBLEMS 100                   /* problems reported at most */

/* The kinds of file. */
enum examcsv_kind { EXAMCSV_CALIBRATION, EXAMCSV_GROUPS, EXAMCSV_CATEGORIES };

/*
 * A file read: n rows in file order. key[i] is the first column (item or person); for a
 * calibration value[i] and se[i] are the difficulty and its SE and label is NULL; for groups
 * and categories label[i] is the second column and value, se are NULL.
 */
struct examcsv {
    int n;
    char **key;
    char **label;
    double *value;
    double *se;
    long *line; /* the line of each row, for messages about it later */
};

/*
 * Reads the n bytes at bytes as a file of the given kind. Returns the number of problems: 0
 * means *out is filled (examcsv_free); else *out is empty and *problems (may be NULL) gets a
 * new array [{line, column, message}] in file order. When memory runs out it returns 1 with
 * *out empty and *problems left NULL.
 */
int examcsv_parse(enum examcsv_kind kind, const char *bytes, size_t n, struct examcsv *out,
                  json_t **problems);

/* Frees what examcsv_parse() put in f and empties it (an empty f is fine). */
void examcsv_free(struct examcsv *f);

/* The index of key in f, or -1. A linear search: files are small. */
int examcsv_find(const struct examcsv *f, const char *key);

#endif
