/*
 * responses.c — the scored response file of an exam: read in one pass with lib/csvtable.h,
 * each id and cell checked as its row goes by, every problem named with its line and column.
 */
#include "core/responses.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/csv.h"
#include "lib/csvtable.h"
#include "lib/err.h"

/*
 * Cells read at most (persons times items): a file is refused before it is read when it
 * may hold more (commas and line breaks counted: an upper bound), so that what one read
 * holds stays bounded whatever the file's shape.
 */
#define RESP_MAX_CELLS 20000000u

/* What responses_parse() carries while it reads. */
struct rd {
    struct csv_table t;
    struct responses *out;
    size_t cap; /* rows out's arrays have room for */
};

/*
 * A cell as a score: 0 or 1 (blanks around allowed), RESP_MISSING when blank, or -2 when it
 * is anything else.
 */
static int read_cell(const char *s, size_t n)
{
    size_t b = 0;

    if (n == 1 && (s[0] == '0' || s[0] == '1'))
        return s[0] - '0';
    while (b < n && (s[b] == ' ' || s[b] == '\t'))
        b++;
    if (b == n)
        return RESP_MISSING;
    while (n > b && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n - b == 1 && (s[b] == '0' || s[b] == '1'))
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

/* The header h: its size gives the items; unless the reader found it wrong, its ids. */
static void read_header(struct rd *rd, const struct csv_record *h)
{
    struct responses *out = rd->out;

    out->items = h->nfields > 1 ? (int)h->nfields - 1 : 0;
    out->item_id = calloc((size_t)out->items + 1, sizeof *out->item_id);
    if (out->item_id == NULL) {
        rd->t.nomem = 1;
        return;
    }
    if (h->bad)
        return;
    if (h->nfields < 2)
        csv_table_problem(&rd->t, 1, 1,
                          "The file has no item column. The first column holds the person's id, "
                          "then one column per item, headed by the item's id.");
    csv_table_ids(&rd->t, h, 1, out->item_id, NULL);
}

/* Makes room in out for row i (its id NULL until it is read). */
static int room_for(struct rd *rd, size_t i)
{
    void *arr[2] = {rd->out->person_id, rd->out->x};
    const size_t size[2] = {sizeof *rd->out->person_id, (size_t)rd->out->items};
    int rc = csv_table_grow(arr, size, 2, i, &rd->cap);

    rd->out->person_id = arr[0];
    rd->out->x = arr[1];
    return rc;
}

/*
 * One person's row (number i, record r): the id (non-empty, not on an earlier row) and the
 * cells into out->x.
 */
static void read_row(struct rd *rd, const struct csv_record *r, size_t i)
{
    struct responses *out = rd->out;
    const struct csv_field *id = &r->field[0];
    size_t k = (size_t)out->items;
    char text[CSV_SHOWN_LEN];

    if (csv_blank(id->p, id->n)) {
        csv_table_problem(&rd->t, r->line, 1,
                          "The person id is empty. Give each row the id of its person.");
    } else {
        char *s = strndup(id->p, id->n);
        long was;

        if (s == NULL) {
            rd->t.nomem = 1;
            return;
        }
        was = csv_table_seen(&rd->t, s, r->line);
        if (was > 0) {
            csv_table_problem(&rd->t, r->line, 1,
                              "The person \"%s\" already has a row on line %ld. Give each "
                              "person one row.",
                              csv_shown(id->p, id->n, text, sizeof text), was);
            free(s);
        } else {
            out->person_id[i] = s;
        }
    }

    for (size_t j = 0; j < k; j++) {
        const struct csv_field *cell = &r->field[j + 1];
        int v = read_cell(cell->p, cell->n);

        if (v == -2) {
            csv_table_problem(&rd->t, r->line, (size_t)cell->col,
                              "The cell \"%s\" is not 0, 1 or empty. Score each item 1 (right) or "
                              "0 (wrong); leave the cell empty when the item was not presented.",
                              csv_shown(cell->p, cell->n, text, sizeof text));
            v = RESP_MISSING;
        }
        out->x[i * k + j] = (signed char)v;
    }
}

/*
 * Each record as csv_read() passes it: the header, then the rows. A record the reader
 * found wrong is counted but not checked, so that one run names every problem.
 */
static int on_record(const struct csv_record *r, void *arg)
{
    struct rd *rd = arg;

    if (r->index == 0) {
        read_header(rd, r);
    } else {
        size_t i = r->index - 1;

        if (room_for(rd, i) != 0)
            return CF_ENOMEM;
        rd->out->persons = (int)r->index;
        if (!r->bad)
            read_row(rd, r, i);
    }
    return rd->t.nomem ? CF_ENOMEM : CF_OK;
}

/*
 * The file's checks in order: size, then in one pass the CSV itself (lib/csv.h: quoting,
 * UTF-8, ragged rows, limits), the header and each row. On any problem *out is emptied.
 */
int responses_parse(const char *bytes, size_t n, struct responses *out, json_t **problems)
{
    const struct csv_limits lim = {CSV_MAX_FIELD, RESP_MAX_ITEMS + 1u, RESP_MAX_PERSONS,
                                   RESP_MAX_PROBLEMS};
    struct rd rd;
    int count;

    memset(out, 0, sizeof *out);
    memset(&rd, 0, sizeof rd);
    rd.out = out;
    if (problems != NULL)
        *problems = NULL;
    if (csv_table_init(&rd.t, RESP_MAX_PROBLEMS) != CF_OK)
        return 1;

    if (n > RESP_MAX_BYTES) {
        csv_table_problem(&rd.t, 1, 1,
                          "The file is larger than %u MB. Split it into smaller files.",
                          RESP_MAX_BYTES / (1024u * 1024u));
    } else if (cells_at_most(bytes, n) > RESP_MAX_CELLS) {
        csv_table_problem(&rd.t, 1, 1,
                          "The file may hold more than %u cells (persons times items). Split it "
                          "into smaller files.",
                          RESP_MAX_CELLS);
    } else {
        csv_table_read(&rd.t, bytes, n, &lim, on_record, &rd);
        if (out->persons == 0 && json_array_size(rd.t.csvp) == 0)
            csv_table_problem(&rd.t, 1, 1,
                              "The file has no person: after the header, give one row per "
                              "person.");
    }

    /* the reader's problems and the cells' together, in file order */
    if ((count = csv_table_finish(&rd.t, CSV_TABLE_MERGE, problems)) != 0)
        responses_free(out);
    return count;
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
