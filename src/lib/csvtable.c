/* csvtable.c — what the readers of a CSV table with a header share; see csvtable.h. */
#include "lib/csvtable.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"

int csv_table_init(struct csv_table *t, size_t max)
{
    memset(t, 0, sizeof *t);
    t->max = max;
    t->csvp = json_array();
    t->problems = json_array();
    t->seen = json_object();
    if (t->csvp == NULL || t->problems == NULL || t->seen == NULL) {
        csv_table_free(t);
        return CF_ENOMEM;
    }
    return CF_OK;
}

void csv_table_free(struct csv_table *t)
{
    json_decref(t->csvp);
    json_decref(t->problems);
    json_decref(t->seen);
    t->csvp = t->problems = t->seen = NULL;
}

void csv_table_problem(struct csv_table *t, size_t line, size_t col, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    csv_problem_vadd(t->problems, t->max, &t->full, &t->nomem, line, col, fmt, ap);
    va_end(ap);
}

int csv_table_read(struct csv_table *t, const char *p, size_t n, const struct csv_limits *lim,
                   csv_record_fn fn, void *arg)
{
    int rc = csv_read(p, n, lim, t->csvp, fn, arg);

    if (rc == CF_ENOMEM)
        t->nomem = 1;
    return rc;
}

long csv_table_seen(struct csv_table *t, const char *key, size_t line)
{
    const json_t *was = json_object_get(t->seen, key);

    if (was != NULL)
        return (long)json_integer_value(was);
    if (json_object_set_new(t->seen, key, json_integer((json_int_t)line)) != 0)
        t->nomem = 1;
    return 0;
}

void csv_table_ids(struct csv_table *t, const struct csv_record *h, size_t first, char **id,
                   long *col)
{
    json_t *seen = json_object(); /* id -> its column number */
    char text[CSV_SHOWN_LEN];

    if (seen == NULL) {
        t->nomem = 1;
        return;
    }
    for (size_t j = first; j < h->nfields && !t->nomem; j++) {
        const struct csv_field *f = &h->field[j];
        const json_t *was;
        char *s;

        if (csv_blank(f->p, f->n)) {
            csv_table_problem(t, 1, (size_t)f->col,
                              "The item id of column %zu is empty. Head each item column with "
                              "the item's id.",
                              j + 1);
            continue;
        }
        s = strndup(f->p, f->n);
        if (s == NULL) {
            t->nomem = 1;
            break;
        }
        was = json_object_get(seen, s);
        if (was != NULL) {
            csv_table_problem(t, 1, (size_t)f->col,
                              "The item \"%s\" already heads column %lld. Give each item one "
                              "column.",
                              csv_shown(f->p, f->n, text, sizeof text),
                              (long long)json_integer_value(was));
            free(s);
            continue;
        }
        if (json_object_set_new(seen, s, json_integer((json_int_t)j + 1)) != 0)
            t->nomem = 1;
        id[j - first] = s;
        if (col != NULL)
            col[j - first] = f->col;
    }
    json_decref(seen);
}

struct csv_field csv_table_field(const struct csv_record *r, size_t i)
{
    struct csv_field f = {"", 0, 1};
    const struct csv_field *last;

    if (i < r->nfields)
        return r->field[i];
    if (r->nfields == 0)
        return f;
    /* After the last field's characters and comma, one more comma per empty field. */
    last = &r->field[r->nfields - 1];
    f.col = last->col + 1 + (long)(i - r->nfields);
    for (size_t k = 0; k < last->n; k++)
        if (((unsigned char)last->p[k] & 0xC0) != 0x80)
            f.col++;
    return f;
}

int csv_table_grow(void **arr, const size_t *size, size_t n, size_t i, size_t *cap)
{
    size_t old = *cap, want = old > 0 ? 2 * old : 64;

    if (i < old)
        return 0;
    for (size_t k = 0; k < n; k++) {
        /* (one byte more: an array of rows of no bytes is still an allocation) */
        char *p = realloc(arr[k], want * size[k] + 1);

        if (p == NULL)
            return -1;
        memset(p + old * size[k], 0, (want - old) * size[k]);
        arr[k] = p;
    }
    *cap = want;
    return 0;
}

/* A problem with where it is and when it was found, for sorting. */
struct placed {
    json_t *pb;
    json_int_t line, col;
    size_t order;
};

/* Orders problems by line, then column, then as found (a is before b when negative). */
static int by_place(const void *a, const void *b)
{
    const struct placed *pa = a, *pb = b;

    if (pa->line != pb->line)
        return pa->line < pb->line ? -1 : 1;
    if (pa->col != pb->col)
        return pa->col < pb->col ? -1 : 1;
    return pa->order < pb->order ? -1 : pa->order > pb->order;
}

/*
 * The reader's problems (fewer than t->max) and the file's own together in file order;
 * when there are more than t->max, the first ones and one saying there are more, on the
 * line of the last one shown. Returns the new list, or NULL when memory runs out.
 */
static json_t *merged(struct csv_table *t)
{
    size_t nc = json_array_size(t->csvp), nr = json_array_size(t->problems), n, i;
    struct placed *all;
    json_t *out = json_array();

    /* The file's last problem, when it is the one saying there are more, is made anew. */
    if (t->full)
        nr--;
    n = nc + nr;
    all = calloc(n + 1, sizeof *all);
    if (all == NULL || out == NULL)
        goto nomem;
    for (i = 0; i < n; i++) {
        all[i].pb = i < nc ? json_array_get(t->csvp, i) : json_array_get(t->problems, i - nc);
        all[i].line = json_integer_value(json_object_get(all[i].pb, "line"));
        all[i].col = json_integer_value(json_object_get(all[i].pb, "column"));
        all[i].order = i;
    }
    qsort(all, n, sizeof *all, by_place);
    for (i = 0; i < n && i + 1 < t->max; i++)
        if (json_array_append(out, all[i].pb) != 0)
            goto nomem;
    if (i < n || t->full) {
        json_int_t line = i > 0 ? all[i - 1].line : 1;
        char msg[CSV_PROBLEM_MSG_MAX];

        snprintf(msg, sizeof msg,
                 "There are more problems; only the first %zu are shown. Fix these and try again.",
                 i);
        if (json_array_append_new(out, json_pack("{s:I, s:I, s:s}", "line", line, "column",
                                                 (json_int_t)1, "message", msg)) != 0)
            goto nomem;
    }
    free(all);
    return out;

nomem:
    free(all);
    json_decref(out);
    return NULL;
}

int csv_table_finish(struct csv_table *t, enum csv_table_way way, json_t **problems)
{
    size_t nc = json_array_size(t->csvp);
    json_t *out;
    int count;

    if (problems != NULL)
        *problems = NULL;
    if (t->nomem) {
        csv_table_free(t);
        return 1;
    }
    if (nc >= t->max || (nc > 0 && way == CSV_TABLE_CSV_ONLY))
        out = json_incref(t->csvp);
    else if (nc > 0)
        out = merged(t);
    else
        out = json_incref(t->problems);
    csv_table_free(t);
    if (out == NULL)
        return 1;
    count = (int)json_array_size(out);
    if (problems != NULL && count > 0)
        *problems = out;
    else
        json_decref(out);
    return count;
}

int csv_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t')
            return 0;
    return 1;
}

int csv_shown_len(const char *s, size_t n)
{
    if (n > CSV_SHOWN_MAX) {
        n = CSV_SHOWN_MAX;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    return (int)n;
}

const char *csv_shown(const char *s, size_t n, char *out, size_t size)
{
    int len = csv_shown_len(s, n);

    if (snprintf(out, size, "%.*s%s", len, s, (size_t)len < n ? "..." : "") >= (int)size)
        out[0] = '\0';
    return out;
}
