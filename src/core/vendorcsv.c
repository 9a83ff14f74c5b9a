/*
 * vendorcsv.c — a vendor's response file for a form, and its item analysis (see
 * vendorcsv.h). The file is read by lib/csv; the header is matched to the form's items;
 * a first pass over the cells decides whether the file is scored (0/1 only) or names
 * options; a second reads every cell, scores it and keeps its text.
 */
#include "core/vendorcsv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/itemstats.h"
#include "core/responses.h"
#include "lib/csv.h"

#define QUOTE_MAX 40 /* bytes of a file's text quoted in a message at most */

/* What vendorcsv_parse() carries while it reads. */
struct rd {
    json_t *problems;
    int full;  /* VENDORCSV_MAX_PROBLEMS reached */
    int nomem; /* a problem could not be kept */
};

static void problem(struct rd *r, size_t line, size_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void problem(struct rd *r, size_t line, size_t col, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    csv_problem_vadd(r->problems, VENDORCSV_MAX_PROBLEMS, &r->full, &r->nomem, line, col, fmt, ap);
    va_end(ap);
}

/* The bytes of s (at most max) that end on a whole UTF-8 character: for quoting it. */
static int quote_len(const char *s, size_t max)
{
    size_t n = strlen(s);

    if (n <= max)
        return (int)n;
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0u) == 0x80u)
        n--;
    return (int)n;
}

/* The character column (from 1) where field i of a record starts, as if none were quoted. */
static size_t column_of(const json_t *fields, size_t i)
{
    size_t c = 1;

    for (size_t k = 0; k < i; k++) {
        const char *f = json_string_value(json_array_get(fields, k));

        for (; f != NULL && *f != '\0'; f++)
            c += ((unsigned char)*f & 0xC0u) != 0x80u;
        c++; /* the comma */
    }
    return c;
}

/* s without the spaces and tabs around it: *len bytes from the returned pointer. */
static const char *trimmed(const char *s, size_t *len)
{
    size_t n = strlen(s);

    while (n > 0 && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    *len = n;
    return s;
}

/* 1 when the trimmed cell is empty, "0" or "1". */
static int scored_cell(const char *s)
{
    size_t n;
    const char *t = trimmed(s, &n);

    return n == 0 || (n == 1 && (t[0] == '0' || t[0] == '1'));
}

/*
 * Matches the header to the items: col[i] gets the file column (from 1) of item i. Reports
 * an unknown or repeated identifier where it stands and an item without a column at 1:1.
 */
static void read_header(struct rd *r, const json_t *header, const struct vendor_item *items,
                        size_t nitems, size_t *col)
{
    size_t nh = json_array_size(header);

    for (size_t i = 0; i < nitems; i++)
        col[i] = 0;
    for (size_t h = 1; h < nh; h++) {
        size_t len, i;
        const char *t = trimmed(json_string_value(json_array_get(header, h)), &len);

        for (i = 0; i < nitems; i++)
            if (strlen(items[i].identifier) == len && memcmp(items[i].identifier, t, len) == 0)
                break;
        if (len == 0)
            problem(r, 1, column_of(header, h),
                    "This column has no heading: name the form's item it holds.");
        else if (i == nitems)
            problem(r, 1, column_of(header, h), "\"%.*s\" is not an item of this form.",
                    quote_len(t, QUOTE_MAX), t);
        else if (col[i] != 0)
            problem(r, 1, column_of(header, h),
                    "The item %s has a column already (column %zu); each item has one.",
                    items[i].identifier, column_of(header, col[i]));
        else
            col[i] = h;
    }
    for (size_t i = 0; i < nitems; i++)
        if (col[i] == 0)
            problem(r, 1, 1, "The form's item %s has no column. Add one headed %s.",
                    items[i].identifier, items[i].identifier);
}

/* Checks the keys the bank gave: an item without options or a key cannot be scored. */
static void check_keys(struct rd *r, const struct vendor_item *items, size_t nitems)
{
    for (size_t i = 0; i < nitems; i++) {
        uint32_t all = items[i].noptions >= 32 ? 0xFFFFFFFFu : (1u << items[i].noptions) - 1u;

        if (items[i].noptions < 1 || items[i].noptions > DISTRACTOR_OPTIONS_MAX ||
            items[i].key == 0 || (items[i].key & ~all) != 0)
            problem(r, 1, 1, "The bank's item %s has no usable key; fix it in the bank first.",
                    items[i].identifier);
    }
}

/* One candidate's row: checks the id, reads and scores the cells into v's row p. */
static void read_row(struct rd *r, struct vendorcsv *v, const struct vendor_item *items,
                     const size_t *col, const json_t *fields, size_t line, size_t p, json_t *seen)
{
    size_t len;
    const char *id = trimmed(json_string_value(json_array_get(fields, 0)), &len);
    json_t *cells = json_object(), *row;
    int total = 0;

    if (len == 0)
        problem(r, line, 1, "The candidate's id is empty.");
    else {
        char buf[CSV_MAX_FIELD + 1];

        snprintf(buf, sizeof buf, "%.*s", (int)len, id);
        if (json_object_get(seen, buf) != NULL)
            problem(r, line, 1, "The candidate %.*s has a row already (line %d).",
                    quote_len(buf, QUOTE_MAX), buf,
                    (int)json_integer_value(json_object_get(seen, buf)));
        else if (json_object_set_new(seen, buf, json_integer((json_int_t)line)) != 0)
            r->nomem = 1;
        v->candidate[p] = strdup(buf);
        if (v->candidate[p] == NULL)
            r->nomem = 1;
    }
    if (cells == NULL)
        r->nomem = 1;

    for (size_t i = 0; i < v->items && !r->nomem; i++) {
        const char *raw = col[i] > 0 ? json_string_value(json_array_get(fields, col[i])) : NULL;
        const char *t = trimmed(raw != NULL ? raw : "", &len);
        signed char s = -1;

        if (v->scored) {
            if (len == 1)
                s = (signed char)(t[0] - '0');
        } else if (items[i].noptions < 1 || items[i].noptions > DISTRACTOR_OPTIONS_MAX) {
            continue; /* reported with the keys */
        } else {
            struct cf_error e;
            uint32_t m;

            memset(&e, 0, sizeof e);
            if (distractor_cell(t, len, items[i].option_id, items[i].noptions, &m, &e) != CF_OK) {
                problem(r, line, column_of(fields, col[i]), "Item %s: %.*s", items[i].identifier,
                        quote_len(e.message, sizeof e.message - 1), e.message);
                continue;
            }
            v->cells[p * v->items + i] = m;
            s = m == DISTRACTOR_NOT_PRESENTED ? -1 : m == items[i].key ? 1 : 0;
        }
        v->score[p * v->items + i] = s;
        total += s == 1 && !items[i].pretest;
        if (s >= 0 && cells != NULL) {
            char buf[CSV_MAX_FIELD + 1];

            snprintf(buf, sizeof buf, "%.*s", (int)len, t);
            if (json_object_set_new(cells, items[i].identifier, json_string(buf)) != 0)
                r->nomem = 1;
        }
    }
    v->total[p] = total;
    row = json_pack("{s:s, s:o, s:i}", "candidate", v->candidate[p] != NULL ? v->candidate[p] : "",
                    "cells", cells, "total", total);
    if (row == NULL || json_array_append_new(v->rows, row) != 0)
        r->nomem = 1;
}

int vendorcsv_parse(const char *p, size_t n, const struct vendor_item *items, size_t nitems,
                    struct vendorcsv *out, json_t **problems)
{
    struct rd rd = {NULL, 0, 0};
    json_t *parsed = NULL, *header, *rows, *row, *seen = NULL;
    size_t *col = NULL, i;
    int rc = CF_OK;

    memset(out, 0, sizeof *out);
    *problems = NULL;
    rd.problems = json_array();
    if (rd.problems == NULL) {
        rc = CF_ENOMEM;
        goto out;
    }
    if (n > VENDORCSV_MAX_BYTES || nitems > VENDORCSV_MAX_ITEMS) {
        problem(&rd, 1, 1, "The file is larger than %u MB or the form has more than %d items.",
                VENDORCSV_MAX_BYTES / (1024u * 1024u), VENDORCSV_MAX_ITEMS);
        rc = CF_EINVAL;
        goto out;
    }

    /* The file as CSV: one that does not read is refused with the reader's problems. */
    rc = csv_parse(p, n, NULL, &parsed, problems);
    if (rc != CF_OK)
        goto out;
    json_decref(*problems);
    *problems = NULL;
    header = json_object_get(parsed, "header");
    rows = json_object_get(parsed, "rows");

    /* The header against the form's items, and the bank's keys. The cells are read even when
     * these fail (an item without a column is read as not presented), so that every problem
     * of the file is reported at once. */
    col = calloc(nitems + 1, sizeof *col);
    seen = json_object();
    if (col == NULL || seen == NULL) {
        rc = CF_ENOMEM;
        goto out;
    }
    read_header(&rd, header, items, nitems, col);
    check_keys(&rd, items, nitems);
    if (json_array_size(rows) == 0)
        problem(&rd, 1, 1, "The file has no candidate rows after its header.");
    if (rd.nomem)
        goto counted;

    /* Scored or options: scored only when every cell of the file is 0, 1 or empty. */
    out->scored = 1;
    json_array_foreach(rows, i, row)
    {
        const json_t *fields = json_object_get(row, "fields");

        for (size_t j = 0; j < nitems && out->scored; j++)
            out->scored =
                col[j] == 0 || scored_cell(json_string_value(json_array_get(fields, col[j])));
    }

    out->persons = json_array_size(rows);
    out->items = nitems;
    out->candidate = calloc(out->persons + 1, sizeof *out->candidate);
    out->score = calloc(out->persons * nitems + 1, sizeof *out->score);
    out->total = calloc(out->persons + 1, sizeof *out->total);
    out->cells = out->scored ? NULL : calloc(out->persons * nitems + 1, sizeof *out->cells);
    out->rows = json_array();
    if (out->candidate == NULL || out->score == NULL || out->total == NULL ||
        (!out->scored && out->cells == NULL) || out->rows == NULL) {
        rc = CF_ENOMEM;
        goto out;
    }
    json_array_foreach(rows, i, row)
    {
        read_row(&rd, out, items, col, json_object_get(row, "fields"),
                 (size_t)json_integer_value(json_object_get(row, "line")), i, seen);
        if (rd.nomem)
            break;
    }

counted:
    rc = rd.nomem ? CF_ENOMEM : json_array_size(rd.problems) > 0 ? CF_EINVAL : CF_OK;
out:
    json_decref(parsed);
    json_decref(seen);
    free(col);
    if (rc == CF_OK) {
        json_decref(rd.problems);
        return rc;
    }
    vendorcsv_free(out);
    if (rc == CF_ENOMEM) {
        json_decref(rd.problems);
        json_decref(*problems);
        *problems = NULL;
    } else if (*problems == NULL)
        *problems = rd.problems;
    else
        json_decref(rd.problems);
    return rc;
}

void vendorcsv_free(struct vendorcsv *v)
{
    if (v == NULL)
        return;
    for (size_t p = 0; v->candidate != NULL && p < v->persons; p++)
        free(v->candidate[p]);
    free(v->candidate);
    free(v->cells);
    free(v->score);
    free(v->total);
    json_decref(v->rows);
    memset(v, 0, sizeof *v);
}

/* --- the analysis ---------------------------------------------------------------------- */

/* A real, or null when undefined. */
static json_t *real_or_null(int defined, double x)
{
    return defined ? json_real(x) : json_null();
}

/* The options of item i: [{id, key, chosen, share, mean_total, flags}]; NULL on no memory. */
static json_t *options_view(const struct vendor_item *it, const struct distractor_item *d)
{
    json_t *a = json_array();

    for (int o = 0; a != NULL && o < d->noptions; o++) {
        const struct distractor_option *op = &d->option[o];
        json_t *flags = json_array(), *x;

        if (flags != NULL && (op->flags & DISTRACTOR_OUTDRAWS_KEY))
            json_array_append_new(flags, json_string("outdraws_key"));
        if (flags != NULL && (op->flags & DISTRACTOR_DRAWS_STRONGER))
            json_array_append_new(flags, json_string("draws_stronger"));
        x = json_pack("{s:s, s:b, s:i, s:f, s:o, s:o}", "id", it->option_id[o], "key", op->is_key,
                      "chosen", op->chosen, "share", op->rate, "mean_total",
                      real_or_null(op->mean_defined, op->mean_total), "flags", flags);
        if (x == NULL || json_array_append_new(a, x) != 0) {
            json_decref(a);
            a = NULL;
        }
    }
    return a;
}

/* Adds the distractor analysis of item d to its view x; 0, or -1 when memory runs out. */
static int add_distractors(json_t *x, const struct vendor_item *it, const struct distractor_item *d)
{
    json_t *flags = json_object_get(x, "flags");

    if ((d->flags & DISTRACTOR_OUTDRAWS_KEY) &&
        json_array_append_new(flags, json_string("distractor_outdraws_key")) != 0)
        return -1;
    if ((d->flags & DISTRACTOR_DRAWS_STRONGER) &&
        json_array_append_new(flags, json_string("distractor_draws_stronger")) != 0)
        return -1;
    if (json_object_set_new(x, "right", json_integer(d->right)) != 0 ||
        json_object_set_new(x, "omitted", json_integer(d->omitted)) != 0 ||
        json_object_set_new(x, "options", options_view(it, d)) != 0)
        return -1;
    return 0;
}

/*
 * The persons x (ks + extra) matrix of the scored items (cols[0..ks-1]) and, when extra is
 * 1, the item column extra_col after them, from v's scores into x.
 */
static void columns(const struct vendorcsv *v, const size_t *cols, size_t ks, int extra,
                    size_t extra_col, signed char *x)
{
    size_t w = ks + (size_t)extra;

    for (size_t p = 0; p < v->persons; p++) {
        const signed char *row = v->score + p * v->items;

        for (size_t j = 0; j < ks; j++)
            x[p * w + j] = row[cols[j]];
        if (extra)
            x[p * w + ks] = row[extra_col];
    }
}

/*
 * The view of pretest item i: its statistics against the scored total, computed on the
 * scored items and it (the item last); alpha if deleted set aside. NULL on no memory.
 */
static json_t *pretest_view(const struct vendorcsv *v, const struct vendor_item *items,
                            const size_t *cols, size_t ks, size_t i, signed char *x, char **ids)
{
    struct responses r;
    struct itemstats st;
    json_t *view, *it = NULL, *why;

    memset(&st, 0, sizeof st);
    columns(v, cols, ks, 1, i, x);
    ids[ks] = (char *)items[i].identifier;
    r.persons = (int)v->persons;
    r.items = (int)ks + 1;
    r.person_id = v->candidate;
    r.item_id = ids;
    r.x = x;
    if (itemstats_compute(&r, &st) != CF_OK)
        return NULL;
    view = itemstats_view(&r, &st);
    itemstats_free(&st);
    if (view != NULL)
        it = json_incref(json_array_get(json_object_get(view, "items"), ks));
    json_decref(view);
    why = json_object_get(it, "null_because");
    if (it == NULL || json_object_set_new(it, "alpha_if_deleted", json_null()) != 0 ||
        json_object_set_new(why, "alpha_if_deleted",
                            json_string("a pretest item is not part of the score")) != 0) {
        json_decref(it);
        return NULL;
    }
    return it;
}

json_t *vendorcsv_analysis(const struct vendorcsv *v, const struct vendor_item *items)
{
    struct responses r;
    struct itemstats st;
    struct distractor_item *d = NULL;
    struct distractor_key *keys = NULL;
    char **ids = calloc(v->items + 1, sizeof *ids);
    size_t *cols = calloc(v->items + 1, sizeof *cols);
    signed char *x = NULL;
    json_t *view = NULL, *flagged = json_array(), *all = json_array(), *x_it;
    size_t i, ks = 0;
    int ok = 0;

    memset(&st, 0, sizeof st);
    if (ids == NULL || cols == NULL || flagged == NULL || all == NULL)
        goto out;
    for (i = 0; i < v->items; i++)
        if (!items[i].pretest) {
            cols[ks] = i;
            ids[ks++] = (char *)items[i].identifier;
        }
    x = malloc(v->persons * (ks + 1) + 1);
    if (x == NULL)
        goto out;

    /* The scored items: the test's statistics and theirs. */
    columns(v, cols, ks, 0, 0, x);
    r.persons = (int)v->persons;
    r.items = (int)ks;
    r.person_id = v->candidate;
    r.item_id = ids;
    r.x = x;
    if (itemstats_compute(&r, &st) != CF_OK)
        goto out;
    view = itemstats_view(&r, &st);
    if (view == NULL)
        goto out;

    /* Every item in the form's order, pretest items against the scored total. */
    for (i = 0, ks = 0; i < v->items; i++) {
        json_t *it = items[i].pretest
                         ? pretest_view(v, items, cols, (size_t)r.items, i, x, ids)
                         : json_incref(json_array_get(json_object_get(view, "items"), ks++));

        if (it == NULL ||
            json_object_set_new(it, "role", json_string(items[i].pretest ? "pretest" : "scored")) !=
                0 ||
            json_array_append_new(all, it) != 0)
            goto out;
    }
    if (json_object_set(view, "items", all) != 0 ||
        json_object_set_new(view, "item_count", json_integer((json_int_t)v->items)) != 0 ||
        json_object_set_new(view, "scored_count", json_integer((json_int_t)ks)) != 0)
        goto out;

    /* The options chosen, when the file names them. */
    if (!v->scored) {
        struct cf_error e;

        d = calloc(v->items + 1, sizeof *d);
        keys = calloc(v->items + 1, sizeof *keys);
        if (d == NULL || keys == NULL)
            goto out;
        for (i = 0; i < v->items; i++) {
            keys[i].noptions = items[i].noptions;
            keys[i].key = items[i].key;
            keys[i].uncounted = items[i].pretest;
        }
        memset(&e, 0, sizeof e);
        if (distractor_analyze(v->cells, v->persons, v->items, keys, d, &e) != CF_OK)
            goto out;
    }
    json_array_foreach(all, i, x_it)
    {
        int f;

        if (d != NULL && add_distractors(x_it, &items[i], &d[i]) != 0)
            goto out;
        f = json_array_size(json_object_get(x_it, "flags")) > 0;
        if (json_object_set_new(x_it, "flagged", json_boolean(f)) != 0 ||
            (f && json_array_append_new(flagged, json_string(items[i].identifier)) != 0))
            goto out;
    }
    if (json_object_set_new(view, "kind", json_string(v->scored ? "scored" : "options")) != 0 ||
        json_object_set(view, "flagged", flagged) != 0)
        goto out;
    ok = 1;
out:
    itemstats_free(&st);
    free(ids);
    free(cols);
    free(x);
    free(d);
    free(keys);
    json_decref(flagged);
    json_decref(all);
    if (!ok) {
        json_decref(view);
        return NULL;
    }
    return view;
}
