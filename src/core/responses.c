/*
 * responses.c — the scored response file of an exam: read whole with lib/csv.h, then each
 * id and cell checked, every problem named with its line and column.
 */
#include "core/responses.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/csv.h"
#include "lib/err.h"

#define SHOWN_MAX 40              /* bytes of a cell or id quoted in a message */
#define SHOWN_LEN (SHOWN_MAX + 4) /* the same with "..." and the NUL */
#define MSG_MAX   256             /* one problem's message and its NUL */
/*
 * Cells read at most: csv_parse() keeps each cell as a JSON string (about 100 bytes of
 * memory), so a file is refused before it is read when it may hold more (commas and line
 * breaks counted: an upper bound).
 */
#define RESP_MAX_CELLS 20000000u

/* What responses_parse() carries while it reads. */
struct rd {
    json_t *problems;
    int full;  /* RESP_MAX_PROBLEMS reached */
    int nomem; /* a problem could not be kept */
};

static void problem(struct rd *r, long line, long col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Adds a problem at line and column, unless the list is full (then one says so, once). */
static void problem(struct rd *r, long line, long col, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    csv_problem_vadd(r->problems, RESP_MAX_PROBLEMS, &r->full, &r->nomem, (size_t)line, (size_t)col,
                     fmt, ap);
    va_end(ap);
}

/*
 * The start of text s for a message, in out (n bytes): at most SHOWN_MAX bytes, cut before
 * a whole UTF-8 character (a cut one would make the message invalid for JSON), "..." added
 * when cut.
 */
static const char *shown(const char *s, char *out, size_t n)
{
    size_t len = strlen(s);

    if (len > SHOWN_MAX) {
        len = SHOWN_MAX;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;
    }
    if (snprintf(out, n, "%.*s%s", (int)len, s, len < strlen(s) ? "..." : "") >= (int)n)
        out[0] = '\0';
    return out;
}

/* 1 when s is empty or blanks (spaces, tabs) only. */
static int blank(const char *s)
{
    return s == NULL || s[strspn(s, " \t")] == '\0';
}

/*
 * A cell as a score: 0 or 1 (blanks around allowed), RESP_MISSING when blank, or -2 when it
 * is anything else.
 */
static int read_cell(const char *s)
{
    size_t b, e;

    if (blank(s))
        return RESP_MISSING;
    b = strspn(s, " \t");
    e = strlen(s);
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t'))
        e--;
    if (e - b == 1 && (s[b] == '0' || s[b] == '1'))
        return s[b] - '0';
    return -2;
}

/* An upper bound of the cells in the n bytes at p: one more than its commas and breaks. */
static size_t cells_at_most(const char *p, size_t n)
{
    size_t c = 1;

    for (size_t i = 0; i < n; i++)
        c += p[i] == ',' || p[i] == '\n' || p[i] == '\r';
    return c;
}

/*
 * The header: every item id non-empty and distinct (seen maps an id to its column), at
 * least one item column. Copies the ids into out->item_id.
 */
static void read_header(struct rd *rd, const json_t *header, struct responses *out)
{
    json_t *seen = json_object();
    char text[SHOWN_LEN];

    if (seen == NULL) {
        rd->nomem = 1;
        return;
    }
    if (json_array_size(header) < 2)
        problem(rd, 1, 1,
                "The file has no item column. The first column holds the person's id, then "
                "one column per item, headed by the item's id.");
    for (size_t j = 1; j < json_array_size(header) && !rd->nomem; j++) {
        const char *id = json_string_value(json_array_get(header, j));
        long col = csv_column_of(header, j);
        const json_t *was;

        if (blank(id)) {
            problem(rd, 1, col,
                    "The item id of column %zu is empty. Head each item column "
                    "with the item's id.",
                    j + 1);
            continue;
        }
        was = json_object_get(seen, id);
        if (was != NULL) {
            problem(rd, 1, col,
                    "The item \"%s\" already heads column %lld. Give each item one column.",
                    shown(id, text, sizeof text), (long long)json_integer_value(was));
            continue;
        }
        if (json_object_set_new(seen, id, json_integer((json_int_t)j + 1)) != 0)
            rd->nomem = 1;
        if (out->item_id != NULL) {
            out->item_id[j - 1] = strdup(id);
            if (out->item_id[j - 1] == NULL)
                rd->nomem = 1;
        }
    }
    json_decref(seen);
}

/*
 * One person's row (number i, from line): the id (non-empty, not on an earlier row) and the
 * cells into out->x.
 */
static void read_row(struct rd *rd, json_t *seen, const json_t *fields, long line, size_t i,
                     struct responses *out)
{
    const char *id = json_string_value(json_array_get(fields, 0));
    size_t k = (size_t)out->items;
    char text[SHOWN_LEN];
    const json_t *was;

    if (blank(id)) {
        problem(rd, line, 1, "The person id is empty. Give each row the id of its person.");
    } else if ((was = json_object_get(seen, id)) != NULL) {
        problem(rd, line, 1,
                "The person \"%s\" already has a row on line %lld. Give each person one row.",
                shown(id, text, sizeof text), (long long)json_integer_value(was));
    } else {
        if (json_object_set_new(seen, id, json_integer(line)) != 0)
            rd->nomem = 1;
        out->person_id[i] = strdup(id);
        if (out->person_id[i] == NULL)
            rd->nomem = 1;
    }

    for (size_t j = 0; j < k; j++) {
        const char *cell = json_string_value(json_array_get(fields, j + 1));
        int v = read_cell(cell);

        if (v == -2) {
            problem(rd, line, csv_column_of(fields, j + 1),
                    "The cell \"%s\" is not 0, 1 or empty. Score each item 1 (right) or 0 "
                    "(wrong); leave the cell empty when the item was not presented.",
                    shown(cell, text, sizeof text));
            v = RESP_MISSING;
        }
        out->x[i * k + j] = (signed char)v;
    }
}

/* 1 when a problem of the CSV reader is on a line from..to-1 (problems: theirs). */
static int wrong_lines(const json_t *problems, long from, long to)
{
    const json_t *pb;
    size_t i;

    json_array_foreach(problems, i, pb)
    {
        long line = (long)json_integer_value(json_object_get(pb, "line"));

        if (line >= from && line < to)
            return 1;
    }
    return 0;
}

/* The line of the first person row (LONG_MAX when none): the header ends before it. */
static long first_row_line(const json_t *rows)
{
    const json_t *row = json_array_get(rows, 0);

    return row != NULL ? (long)json_integer_value(json_object_get(row, "line")) : LONG_MAX;
}

/* Orders problems by line, then column, then as found (a is before b when negative). */
static int by_place(const void *a, const void *b)
{
    const json_t *pa = *(json_t *const *)a, *pb = *(json_t *const *)b;
    json_int_t la = json_integer_value(json_object_get(pa, "line"));
    json_int_t lb = json_integer_value(json_object_get(pb, "line"));
    json_int_t ca = json_integer_value(json_object_get(pa, "column"));
    json_int_t cb = json_integer_value(json_object_get(pb, "column"));
    json_int_t oa = json_integer_value(json_object_get(pa, "order"));
    json_int_t ob = json_integer_value(json_object_get(pb, "order"));

    if (la != lb)
        return la < lb ? -1 : 1;
    if (ca != cb)
        return ca < cb ? -1 : 1;
    return oa < ob ? -1 : oa > ob;
}

/*
 * The reader's problems (csvp, fewer than RESP_MAX_PROBLEMS) and rd's together in file order,
 * into rd->problems; when there are more than RESP_MAX_PROBLEMS, the first ones and one
 * saying there are more. Returns 0, or -1 when memory runs out.
 */
static int merge(struct rd *rd, json_t *csvp)
{
    size_t nc = json_array_size(csvp), nr = json_array_size(rd->problems), n = nc + nr, i;
    json_t **all = calloc(n + 1, sizeof *all);
    json_t *merged = json_array();
    int more = rd->full;
    int rc = 0;

    if (all == NULL || merged == NULL) {
        rc = -1;
        goto out;
    }
    /* rd's last problem, when it is the one saying there are more, stays last. */
    if (more)
        nr--, n--;
    for (i = 0; i < n; i++) {
        all[i] = i < nc ? json_array_get(csvp, i) : json_array_get(rd->problems, i - nc);
        if (json_object_set_new(all[i], "order", json_integer((json_int_t)i)) != 0) {
            rc = -1;
            goto out;
        }
    }
    qsort(all, n, sizeof *all, by_place);
    for (i = 0; i < n && i + 1 < RESP_MAX_PROBLEMS; i++) {
        json_object_del(all[i], "order");
        if (json_array_append(merged, all[i]) != 0) {
            rc = -1;
            goto out;
        }
    }
    if (i < n || more) {
        /* It stands on the line of the last one shown. */
        json_int_t line = i > 0 ? json_integer_value(json_object_get(all[i - 1], "line")) : 1;
        char msg[MSG_MAX];

        snprintf(msg, sizeof msg,
                 "There are more problems; only the first %zu are shown. Fix these and try again.",
                 i);
        if (json_array_append_new(merged, json_pack("{s:I, s:I, s:s}", "line", line, "column",
                                                    (json_int_t)1, "message", msg)) != 0) {
            rc = -1;
            goto out;
        }
    }
    json_decref(rd->problems);
    rd->problems = merged;
    merged = NULL;

out:
    free(all);
    json_decref(merged);
    return rc;
}

/*
 * The file's checks in order: size, the CSV itself (lib/csv.h: quoting, UTF-8, ragged rows,
 * limits), the header, then each row. On any problem *out is emptied.
 */
int responses_parse(const char *bytes, size_t n, struct responses *out, json_t **problems)
{
    const struct csv_limits lim = {CSV_MAX_FIELD, RESP_MAX_ITEMS + 1u, RESP_MAX_PERSONS,
                                   RESP_MAX_PROBLEMS};
    struct rd rd = {NULL, 0, 0};
    json_t *parsed = NULL, *csvp = NULL, *seen = NULL, *rows, *header, *row;
    size_t i, nrows, count;

    memset(out, 0, sizeof *out);
    if (problems != NULL)
        *problems = NULL;
    rd.problems = json_array();
    if (rd.problems == NULL)
        goto nomem;

    if (n > RESP_MAX_BYTES) {
        problem(&rd, 1, 1, "The file is larger than %u MB. Split it into smaller files.",
                RESP_MAX_BYTES / (1024u * 1024u));
        goto refused;
    }
    if (cells_at_most(bytes, n) > RESP_MAX_CELLS) {
        problem(&rd, 1, 1,
                "The file may hold more than %u cells (persons times items). Split it into "
                "smaller files.",
                RESP_MAX_CELLS);
        goto refused;
    }

    /*
     * The file as CSV. Its problems (quoting, UTF-8, ragged rows, limits) come first; the
     * cells are still checked, except on the lines the reader found wrong, so that one
     * run names every problem. When the reader gave up (too many problems) it is left at
     * that.
     */
    if (csv_parse(bytes, n, &lim, &parsed, &csvp) == CF_ENOMEM)
        goto nomem;
    if (json_array_size(csvp) >= RESP_MAX_PROBLEMS) {
        json_decref(rd.problems);
        rd.problems = csvp;
        csvp = NULL;
        goto refused;
    }
    header = json_object_get(parsed, "header");
    rows = json_object_get(parsed, "rows");
    nrows = json_array_size(rows);

    /* The header, then the rows. */
    out->items = json_array_size(header) > 1 ? (int)json_array_size(header) - 1 : 0;
    out->persons = (int)nrows;
    out->item_id = calloc((size_t)out->items + 1, sizeof *out->item_id);
    out->person_id = calloc(nrows + 1, sizeof *out->person_id);
    out->x = malloc(nrows * (size_t)out->items + 1);
    seen = json_object();
    if (out->item_id == NULL || out->person_id == NULL || out->x == NULL || seen == NULL)
        goto nomem;
    if (!wrong_lines(csvp, 1, first_row_line(rows)))
        read_header(&rd, header, out);
    if (rd.nomem)
        goto nomem;
    if (nrows == 0 && json_array_size(csvp) == 0)
        problem(&rd, 1, 1, "The file has no person: after the header, give one row per person.");
    json_array_foreach(rows, i, row)
    {
        long line = (long)json_integer_value(json_object_get(row, "line"));
        long next =
            i + 1 < nrows
                ? (long)json_integer_value(json_object_get(json_array_get(rows, i + 1), "line"))
                : LONG_MAX;

        if (!wrong_lines(csvp, line, next))
            read_row(&rd, seen, json_object_get(row, "fields"), line, i, out);
        if (rd.nomem)
            goto nomem;
    }
    if (json_array_size(csvp) > 0 && merge(&rd, csvp) != 0)
        goto nomem;
    if (json_array_size(rd.problems) > 0)
        goto refused;

    json_decref(parsed);
    json_decref(csvp);
    json_decref(seen);
    json_decref(rd.problems);
    return 0;

refused:
    json_decref(parsed);
    json_decref(csvp);
    json_decref(seen);
    responses_free(out);
    count = json_array_size(rd.problems);
    if (problems != NULL)
        *problems = rd.problems;
    else
        json_decref(rd.problems);
    return count > 0 ? (int)count : 1;

nomem:
    json_decref(parsed);
    json_decref(csvp);
    json_decref(seen);
    json_decref(rd.problems);
    responses_free(out);
    return 1;
}

void responses_free(struct responses *r)
{
    if (r == NULL)
        return;
    for (int i = 0; r->person_id != NULL && i < r->persons; i++)
        free(r->person_id[i]);
    for (int j = 0; r->item_id != NULL && j < r->items; j++)
        free(r->item_id[j]);
    free(r->person_id);
    free(r->item_id);
    free(r->x);
    memset(r, 0, sizeof *r);
}
