/*
 * vendorcsv.c — a vendor's response file for a form, and its item analysis (see
 * vendorcsv.h). The file is read twice by lib/csv's streaming reader, with no allocation per
 * cell: a first pass matches the header to the form's items, counts the rows and decides
 * whether the file is scored (0/1 only) or names options; a second reads every cell, scores
 * it and keeps each row's cells as JSON text.
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
    int nomem; /* a problem could not be kept, or memory ran out */
    const struct vendor_item *items;
    size_t nitems;
    size_t *col; /* nitems: the file column (from 0; 0 none) of each item */
    size_t rows; /* candidate rows (pass 1) */
    int scored;  /* pass 1: every cell so far is 0, 1 or empty */
    struct vendorcsv *v;
    json_t *seen; /* candidate id -> the line of their row */
    char *buf;    /* a row's cells as JSON text, grown as needed */
    size_t cap;
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

/* The bytes of s (n of them, at most max) that end on a whole UTF-8 character: for quoting. */
static int quote_len(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return (int)n;
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0u) == 0x80u)
        n--;
    return (int)n;
}

/* Field i of rec trimmed of the spaces and tabs around it (*len bytes), "" when absent. */
static const char *cell(const struct csv_record *rec, size_t i, size_t *len)
{
    const char *s;
    size_t n;

    if (i >= rec->nfields) {
        *len = 0;
        return "";
    }
    s = rec->field[i].p;
    n = rec->field[i].n;
    while (n > 0 && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    *len = n;
    return s;
}

/* The column (from 1) of field i of rec, or 1 past the record's end. */
static size_t column(const struct csv_record *rec, size_t i)
{
    return i < rec->nfields ? (size_t)rec->field[i].col : 1;
}

/* 1 when a trimmed cell (n bytes at t) is empty, "0" or "1". */
static int scored_cell(const char *t, size_t n)
{
    return n == 0 || (n == 1 && (t[0] == '0' || t[0] == '1'));
}

/*
 * Matches the header to the items: r->col[i] gets the file column (from 0) of item i.
 * Reports an unknown or repeated identifier where it stands and an item without a column at
 * 1:1.
 */
static void read_header(struct rd *r, const struct csv_record *rec)
{
    for (size_t i = 0; i < r->nitems; i++)
        r->col[i] = 0;
    for (size_t h = 1; h < rec->nfields; h++) {
        size_t len, i;
        const char *t = cell(rec, h, &len);

        for (i = 0; i < r->nitems; i++)
            if (strlen(r->items[i].identifier) == len &&
                memcmp(r->items[i].identifier, t, len) == 0)
                break;
        if (len == 0)
            problem(r, 1, column(rec, h),
                    "This column has no heading: name the form's item it holds.");
        else if (i == r->nitems)
            problem(r, 1, column(rec, h), "\"%.*s\" is not an item of this form.",
                    quote_len(t, len, QUOTE_MAX), t);
        else if (r->col[i] != 0)
            problem(r, 1, column(rec, h),
                    "The item %s has a column already (column %zu); each item has one.",
                    r->items[i].identifier, column(rec, r->col[i]));
        else
            r->col[i] = h;
    }
    for (size_t i = 0; i < r->nitems; i++)
        if (r->col[i] == 0)
            problem(r, 1, 1, "The form's item %s has no column. Add one headed %s.",
                    r->items[i].identifier, r->items[i].identifier);
}

/* Checks the keys the bank gave: an item without options or a key cannot be scored. */
static void check_keys(struct rd *r)
{
    for (size_t i = 0; i < r->nitems; i++) {
        const struct vendor_item *it = &r->items[i];
        uint32_t all = it->noptions >= 32 ? 0xFFFFFFFFu : (1u << it->noptions) - 1u;

        if (it->noptions < 1 || it->noptions > DISTRACTOR_OPTIONS_MAX || it->key == 0 ||
            (it->key & ~all) != 0)
            problem(r, 1, 1, "The bank's item %s has no usable key; fix it in the bank first.",
                    it->identifier);
    }
}

/* Pass 1, per record: the header, then each row counted and its cells tried as 0/1. */
static int first_pass(const struct csv_record *rec, void *arg)
{
    struct rd *r = arg;

    if (rec->index == 0) {
        read_header(r, rec);
        return r->nomem ? CF_ENOMEM : CF_OK;
    }
    r->rows++;
    for (size_t j = 0; j < r->nitems && r->scored; j++) {
        size_t len;
        const char *t = r->col[j] != 0 ? cell(rec, r->col[j], &len) : "";

        r->scored = r->col[j] == 0 || scored_cell(t, r->col[j] != 0 ? len : 0);
    }
    return CF_OK;
}

/* Appends n bytes to r's row buffer; 0, or -1 when memory runs out. */
static int put(struct rd *r, size_t *at, const char *s, size_t n)
{
    if (*at + n + 1 > r->cap) {
        size_t cap = r->cap > 0 ? r->cap : 1024;
        char *b;

        while (*at + n + 1 > cap)
            cap *= 2;
        b = realloc(r->buf, cap);
        if (b == NULL)
            return -1;
        r->buf = b;
        r->cap = cap;
    }
    memcpy(r->buf + *at, s, n);
    *at += n;
    r->buf[*at] = '\0';
    return 0;
}

/* Appends s (n bytes of UTF-8) as a JSON string; 0, or -1 when memory runs out. */
static int put_string(struct rd *r, size_t *at, const char *s, size_t n)
{
    size_t from = 0;

    if (put(r, at, "\"", 1) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];

        if (c != '"' && c != '\\' && c >= 0x20)
            continue;
        if (put(r, at, s + from, i - from) != 0)
            return -1;
        snprintf(esc, sizeof esc, c == '"' || c == '\\' ? "\\%c" : "\\u%04x", c);
        if (put(r, at, esc, strlen(esc)) != 0)
            return -1;
        from = i + 1;
    }
    return put(r, at, s + from, n - from) != 0 || put(r, at, "\"", 1) != 0 ? -1 : 0;
}

/* Pass 2, per row: checks the id, reads and scores the cells into v's row p, keeps them. */
static int second_pass(const struct csv_record *rec, void *arg)
{
    struct rd *r = arg;
    struct vendorcsv *v = r->v;
    size_t p = rec->index - 1, len, at = 0;
    const char *id;
    int total = 0, first = 1;

    if (rec->index == 0 || p >= v->persons)
        return CF_OK;
    id = cell(rec, 0, &len);
    if (len == 0)
        problem(r, rec->line, 1, "The candidate's id is empty.");
    else {
        char *c = strndup(id, len);
        const json_t *line = c != NULL ? json_object_get(r->seen, c) : NULL;

        if (c == NULL)
            r->nomem = 1;
        else if (line != NULL)
            problem(r, rec->line, 1, "The candidate %.*s has a row already (line %d).",
                    quote_len(c, len, QUOTE_MAX), c, (int)json_integer_value(line));
        else if (json_object_set_new(r->seen, c, json_integer((json_int_t)rec->line)) != 0)
            r->nomem = 1;
        v->candidate[p] = c;
    }
    if (put(r, &at, "{", 1) != 0)
        r->nomem = 1;

    for (size_t i = 0; i < v->items && !r->nomem; i++) {
        const struct vendor_item *it = &r->items[i];
        const char *t = r->col[i] > 0 ? cell(rec, r->col[i], &len) : "";
        signed char s = -1;

        if (r->col[i] == 0)
            len = 0;
        if (v->scored) {
            if (len == 1)
                s = (signed char)(t[0] - '0');
        } else if (it->noptions < 1 || it->noptions > DISTRACTOR_OPTIONS_MAX) {
            continue; /* reported with the keys */
        } else {
            struct cf_error e;
            uint32_t m;

            memset(&e, 0, sizeof e);
            if (distractor_cell(t, len, it->option_id, it->noptions, &m, &e) != CF_OK) {
                problem(r, rec->line, column(rec, r->col[i]), "Item %s: %.*s", it->identifier,
                        quote_len(e.message, strlen(e.message), sizeof e.message - 1), e.message);
                continue;
            }
            v->cells[p * v->items + i] = m;
            s = m == DISTRACTOR_NOT_PRESENTED ? -1 : m == it->key ? 1 : 0;
        }
        v->score[p * v->items + i] = s;
        total += s == 1 && !it->pretest;
        if (s >= 0 && ((!first && put(r, &at, ",", 1) != 0) ||
                       put_string(r, &at, it->identifier, strlen(it->identifier)) != 0 ||
                       put(r, &at, ":", 1) != 0 || put_string(r, &at, t, len) != 0))
            r->nomem = 1;
        if (s >= 0)
            first = 0;
    }
    v->total[p] = total;
    if (!r->nomem && put(r, &at, "}", 1) == 0) {
        v->kept[p] = strdup(r->buf);
        if (v->kept[p] == NULL)
            r->nomem = 1;
    } else
        r->nomem = 1;
    return r->nomem ? CF_ENOMEM : CF_OK;
}

int vendorcsv_parse(const char *p, size_t n, const struct vendor_item *items, size_t nitems,
                    struct vendorcsv *out, json_t **problems)
{
    struct rd rd;
    json_t *scratch = NULL;
    int rc = CF_OK;

    memset(out, 0, sizeof *out);
    memset(&rd, 0, sizeof rd);
    *problems = NULL;
    rd.items = items;
    rd.nitems = nitems;
    rd.scored = 1;
    rd.problems = json_array();
    *problems = json_array();
    if (rd.problems == NULL || *problems == NULL) {
        rc = CF_ENOMEM;
        goto out;
    }
    if (n > VENDORCSV_MAX_BYTES || nitems > VENDORCSV_MAX_ITEMS) {
        problem(&rd, 1, 1, "The file is larger than %u MB or the form has more than %d items.",
                VENDORCSV_MAX_BYTES / (1024u * 1024u), VENDORCSV_MAX_ITEMS);
        rc = CF_EINVAL;
        goto out;
    }
    rd.col = calloc(nitems + 1, sizeof *rd.col);
    if (rd.col == NULL) {
        rc = CF_ENOMEM;
        goto out;
    }

    /* Pass 1: the file as CSV (one that does not read is refused with the reader's
     * problems), the header against the form's items, the rows counted, scored or not. */
    rc = csv_read(p, n, NULL, *problems, first_pass, &rd);
    if (rc != CF_OK || rd.nomem) {
        rc = rd.nomem ? CF_ENOMEM : rc;
        goto out;
    }
    json_decref(*problems);
    *problems = NULL;
    /* The keys, and the cells even when the header failed (an item without a column is read
     * as not presented), so that every problem of the file is reported at once. */
    check_keys(&rd);
    if (rd.rows == 0)
        problem(&rd, 1, 1, "The file has no candidate rows after its header.");
    if (rd.nomem) {
        rc = CF_ENOMEM;
        goto out;
    }

    out->scored = rd.rows > 0 && rd.scored;
    out->persons = rd.rows;
    out->items = nitems;
    out->candidate = calloc(out->persons + 1, sizeof *out->candidate);
    out->kept = calloc(out->persons + 1, sizeof *out->kept);
    out->score = calloc(out->persons * nitems + 1, sizeof *out->score);
    out->total = calloc(out->persons + 1, sizeof *out->total);
    out->cells = out->scored ? NULL : calloc(out->persons * nitems + 1, sizeof *out->cells);
    rd.seen = json_object();
    scratch = json_array();
    if (out->candidate == NULL || out->kept == NULL || out->score == NULL || out->total == NULL ||
        (!out->scored && out->cells == NULL) || rd.seen == NULL || scratch == NULL) {
        rc = CF_ENOMEM;
        goto out;
    }

    /* Pass 2: every cell read, scored and kept (the reader's problems were seen in pass 1). */
    rd.v = out;
    rc = csv_read(p, n, NULL, scratch, second_pass, &rd);
    if (rd.nomem)
        rc = CF_ENOMEM;
    else
        rc = json_array_size(rd.problems) > 0 ? CF_EINVAL : CF_OK;
out:
    json_decref(scratch);
    json_decref(rd.seen);
    free(rd.col);
    free(rd.buf);
    if (rc == CF_OK) {
        json_decref(rd.problems);
        json_decref(*problems);
        *problems = NULL;
        return rc;
    }
    vendorcsv_free(out);
    if (rc == CF_ENOMEM) {
        json_decref(rd.problems);
        json_decref(*problems);
        *problems = NULL;
    } else if (*problems == NULL || json_array_size(*problems) == 0) {
        json_decref(*problems);
        *problems = rd.problems;
    } else
        json_decref(rd.problems);
    return rc;
}

void vendorcsv_free(struct vendorcsv *v)
{
    if (v == NULL)
        return;
    for (size_t p = 0; p < v->persons; p++) {
        if (v->candidate != NULL)
            free(v->candidate[p]);
        if (v->kept != NULL)
            free(v->kept[p]);
    }
    free(v->candidate);
    free(v->kept);
    free(v->cells);
    free(v->score);
    free(v->total);
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
