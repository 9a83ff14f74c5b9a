/*
 * results.c — the testing vendor's exam results, imported all or nothing,
 * and the credential each passing result issues (issue 8 points 3 and 4).
 *
 * A file is read with lib/csv; every row is checked against the program's
 * rules and against what is stored (authorizations, earlier sittings,
 * credentials) inside the one write transaction, so two imports cannot both
 * pass a rule. Any problem anywhere: every problem is reported with its line
 * and column, and nothing is written. Otherwise every result, every
 * credential a pass issues (its number, dates, event, audit entry and the
 * job that renders its certificate) and the import's own audit entry are
 * written in that transaction. docs/internals/results.md tells the rules.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/credential.h"
#include "core/program.h"
#include "lib/clock.h"
#include "lib/csv.h"
#include "store/store.h"
#include "svc/jobs.h"
#include "svc/svc_impl.h"

#define RES_FIXED        4   /* eligibility_id, form, taken_on, scaled_score */
#define RES_PROGRAMS_MAX 8   /* programs one file may report for */
#define RES_ID_MAX       64  /* an eligibility id, in bytes */
#define RES_FORM_MAX     32  /* an exam form's name, in bytes */
#define RES_SCORE_DIGITS 6   /* a score has at most this many digits */
#define RES_KEY_MAX      160 /* a sitting's key: id, form and date */
#define RES_MSG_MAX      400 /* one problem's sentence */
#define RES_JOB_ATTEMPTS 5   /* a certificate is tried this often */
#define RES_SCORES_TEXT  512 /* the category scores as JSON text */

static const char *const FIXED[RES_FIXED] = {"eligibility_id", "form", "taken_on", "scaled_score"};

/* One row of the file as checked. */
struct row {
    long line;
    const char *elig, *form, *taken;
    struct clock_date date;
    long score;
    long cats[PROGRAM_SCORES_MAX];
    const json_t *auth; /* the authorization row, NULL when unknown */
    int prog;           /* index into the import's programs */
    int ok;             /* no problem */
    int keyed;          /* its sitting reads (id known, form and date good): checked twice */
    int scored;         /* also its score: it joins the candidate's history */
    int passed;
    struct clock_date retake_on;
};

/* A program the file reports for. */
struct prog {
    char code[PROGRAM_CODE_MAX];
    int64_t id;
    int version;
    struct program *p;
    int col[PROGRAM_SCORES_MAX]; /* the file's column of each score category */
};

struct import {
    const struct svc *sv;
    json_t *header, *rows; /* from csv_parse */
    int fixed[RES_FIXED];  /* the column of each fixed field */
    int ncols;
    struct row *r;
    size_t n;
    struct prog progs[RES_PROGRAMS_MAX];
    int nprogs;
    json_t *problems;
    json_t *auths, *by_id; /* the authorizations the rows name: rows point into them */
    struct clock_date today;
};

/* Adds a problem at line and the start of column col (0-based; -1: the line's start). */
static void problem(struct import *im, long line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The fields of the record at line (1: the header), or NULL; only used for a problem. */
static const json_t *row_fields(const struct import *im, long line)
{
    size_t i;
    json_t *r;

    if (line == 1)
        return im->header;
    json_array_foreach(im->rows, i, r)
    {
        if (json_integer_value(json_object_get(r, "line")) == line)
            return json_object_get(r, "fields");
    }
    return NULL;
}

static void problem(struct import *im, long line, int col, const char *fmt, ...)
{
    char msg[RES_MSG_MAX];
    va_list ap;
    long c = 1;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (col > 0)
        c = csv_column_of(row_fields(im, line), (size_t)col);
    json_array_append_new(im->problems, json_pack("{s:I, s:I, s:s}", "line", (json_int_t)line,
                                                  "column", (json_int_t)c, "message", msg));
}

/* The same for row i (its fields at hand: no search). */
static void row_problem(struct import *im, size_t i, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void row_problem(struct import *im, size_t i, int col, const char *fmt, ...)
{
    const json_t *fields = json_object_get(json_array_get(im->rows, i), "fields");
    char msg[RES_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_array_append_new(
        im->problems, json_pack("{s:I, s:I, s:s}", "line", (json_int_t)im->r[i].line, "column",
                                (json_int_t)csv_column_of(fields, (size_t)col), "message", msg));
    im->r[i].ok = 0;
}

/* Reads a whole number of at most RES_SCORE_DIGITS digits; -1 when s is not one. */
static long score_of(const char *s)
{
    long v = 0;
    size_t k = 0;

    if (s == NULL || *s == '\0')
        return -1;
    for (; s[k] != '\0'; k++) {
        if (s[k] < '0' || s[k] > '9' || k >= RES_SCORE_DIGITS)
            return -1;
        v = v * 10 + (s[k] - '0');
    }
    return v;
}

/* 1 when s is printable text (no control characters). */
static int printable(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
        if (*p < 0x20 || *p == 0x7F)
            return 0;
    return 1;
}

/* Finds the fixed columns; a missing one is a problem on the header. */
static void header_fixed(struct import *im)
{
    im->ncols = (int)json_array_size(im->header);
    for (int c = 1; c < im->ncols; c++)
        for (int e = 0; e < c; e++)
            if (strcmp(json_string_value(json_array_get(im->header, (size_t)c)),
                       json_string_value(json_array_get(im->header, (size_t)e))) == 0) {
                problem(im, 1, c, "The column %s is named twice. Keep one of them.",
                        json_string_value(json_array_get(im->header, (size_t)c)));
                break;
            }
    for (int k = 0; k < RES_FIXED; k++) {
        im->fixed[k] = -1;
        for (int c = 0; c < im->ncols; c++)
            if (strcmp(json_string_value(json_array_get(im->header, (size_t)c)), FIXED[k]) == 0)
                im->fixed[k] = c;
        if (im->fixed[k] < 0)
            problem(im, 1, -1, "The column %s is missing. Add it to the first line.", FIXED[k]);
    }
}

/* The index of the program with code among im's, loading its rules when new; -1 on error. */
static int prog_of(struct import *im, const json_t *auth, struct cf_error *err)
{
    const char *code = svc__str(auth, "program_code");
    struct prog *pg;
    int i;

    for (i = 0; i < im->nprogs; i++)
        if (strcmp(im->progs[i].code, code) == 0)
            return i;
    if (im->nprogs == RES_PROGRAMS_MAX) {
        cf_error_set(err, CF_EINVAL, "file",
                     "The file reports for more than %d programs. Split it by program.",
                     RES_PROGRAMS_MAX);
        return -1;
    }
    pg = &im->progs[im->nprogs];
    memset(pg, 0, sizeof *pg);
    snprintf(pg->code, sizeof pg->code, "%s", code);
    pg->id = (int64_t)json_integer_value(json_object_get(auth, "program_id"));
    pg->p = calloc(1, sizeof *pg->p);
    if (pg->p == NULL) {
        cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
        return -1;
    }
    if (svc__program_rules(im->sv, code, 0, pg->p, &pg->version, err) != CF_OK) {
        free(pg->p);
        pg->p = NULL;
        return -1;
    }

    /* Its score columns: each category once, and nothing the program does not know. */
    for (int s = 0; s < pg->p->nscores; s++) {
        pg->col[s] = -1;
        for (int c = 0; c < im->ncols; c++)
            if (strcmp(json_string_value(json_array_get(im->header, (size_t)c)),
                       pg->p->scores[s].code) == 0)
                pg->col[s] = c;
        if (pg->col[s] < 0)
            problem(im, 1, -1,
                    "The column %s (the %s score of %s) is missing. Add it to the first line.",
                    pg->p->scores[s].code, pg->p->scores[s].label, pg->code);
    }
    for (int c = 0; c < im->ncols; c++) {
        const char *name = json_string_value(json_array_get(im->header, (size_t)c));
        int known = 0;

        for (int k = 0; k < RES_FIXED; k++)
            known |= strcmp(name, FIXED[k]) == 0;
        for (int s = 0; s < pg->p->nscores; s++)
            known |= strcmp(name, pg->p->scores[s].code) == 0;
        if (!known)
            problem(im, 1, c,
                    "The column %s is not a score category of %s. Name the columns "
                    "eligibility_id, form, taken_on, scaled_score and the categories' codes.",
                    name, pg->code);
    }
    return im->nprogs++;
}

/*
 * The program whose scale row r's scores are read on: its authorization's, or
 * when its eligibility id is unknown the file's only program (NULL: none known).
 */
static const struct prog *scale_of(const struct import *im, const struct row *r)
{
    if (r->auth != NULL)
        return &im->progs[r->prog];
    return im->nprogs == 1 ? &im->progs[0] : NULL;
}

/* Checks the scores of row i: on pg's scale, else only that each is a whole number. */
static void check_scores(struct import *im, size_t i, const struct prog *pg)
{
    struct row *r = &im->r[i];
    const json_t *fields = json_object_get(json_array_get(im->rows, i), "fields");
    const struct program *p = pg != NULL ? pg->p : NULL;
    int fixed = 0;

    r->score = score_of(json_string_value(json_array_get(fields, (size_t)im->fixed[3])));
    if (p != NULL && (r->score < p->scale_min || r->score > p->scale_max))
        row_problem(im, i, im->fixed[3], "The scaled_score must be a whole number from %d to %d.",
                    p->scale_min, p->scale_max);
    else if (p == NULL && r->score < 0)
        row_problem(im, i, im->fixed[3], "The scaled_score must be a whole number.");
    if (p != NULL) {
        for (int s = 0; s < p->nscores; s++) {
            int c = pg->col[s];

            if (c < 0)
                continue;
            r->cats[s] = score_of(json_string_value(json_array_get(fields, (size_t)c)));
            if (r->cats[s] < p->scale_min || r->cats[s] > p->scale_max)
                row_problem(im, i, c, "The %s score must be a whole number from %d to %d.",
                            p->scores[s].code, p->scale_min, p->scale_max);
        }
        return;
    }
    /* No program to name the categories: every other column holds one. */
    for (int c = 0; c < im->ncols; c++) {
        fixed = 0;
        for (int k = 0; k < RES_FIXED; k++)
            fixed |= im->fixed[k] == c;
        if (!fixed && score_of(json_string_value(json_array_get(fields, (size_t)c))) < 0)
            row_problem(im, i, c, "The %s score must be a whole number.",
                        json_string_value(json_array_get(im->header, (size_t)c)));
    }
}

/*
 * Checks the fields of row i that need nothing stored but its authorization.
 * Every field is checked, whatever another one holds: each problem of the row
 * is reported.
 */
static void check_fields(struct import *im, size_t i, const json_t *auths_by_id)
{
    struct row *r = &im->r[i];
    const json_t *fields = json_object_get(json_array_get(im->rows, i), "fields");
    struct clock_date from, to;
    const struct prog *pg;
    char d1[CLOCK_DATE_LEN], d2[CLOCK_DATE_LEN];
    int form_ok = 1, date_ok = 1;
    size_t before = json_array_size(im->problems);

#define FIELD(k) json_string_value(json_array_get(fields, (size_t)im->fixed[k]))
    r->elig = FIELD(0);
    r->form = FIELD(1);
    r->taken = FIELD(2);
    r->ok = 1;
    r->auth = json_object_get(auths_by_id, r->elig);
    if (r->elig[0] == '\0')
        row_problem(im, i, im->fixed[0], "The eligibility_id is empty. Give the candidate's id.");
    else if (r->auth == NULL)
        row_problem(im, i, im->fixed[0],
                    "The eligibility_id %.*s is not known. Check it against the authorization "
                    "to test.",
                    RES_ID_MAX, r->elig);
    else if (strcmp(svc__str(r->auth, "status"), "open") != 0)
        row_problem(im, i, im->fixed[0],
                    "The authorization %.*s is %s: it takes no more results. Check the "
                    "eligibility_id.",
                    RES_ID_MAX, r->elig,
                    strcmp(svc__str(r->auth, "status"), "used") == 0 ? "used by a passing result"
                                                                     : svc__str(r->auth, "status"));
    if (r->form[0] == '\0' || strlen(r->form) > RES_FORM_MAX || !printable(r->form)) {
        row_problem(im, i, im->fixed[1], "The form must be 1 to %d characters of text.",
                    RES_FORM_MAX);
        form_ok = 0;
    }
    if (clock_date_parse(r->taken, &r->date) != 0) {
        row_problem(im, i, im->fixed[2], "The taken_on date must be a date as YYYY-MM-DD.");
        date_ok = 0;
    } else if (r->auth != NULL) {
        clock_date_parse(svc__str(r->auth, "issued_on"), &from);
        clock_date_parse(svc__str(r->auth, "expires_on"), &to);
        if (clock_date_cmp(r->date, from) < 0 || clock_date_cmp(r->date, to) > 0) {
            clock_date_format(from, d1, sizeof d1);
            clock_date_format(to, d2, sizeof d2);
            row_problem(im, i, im->fixed[2],
                        "The taken_on date %s is outside the authorization to test (%s to %s). "
                        "Check the date or the eligibility_id.",
                        r->taken, d1, d2);
            date_ok = 0;
        }
    }
    if (date_ok && clock_date_cmp(r->date, im->today) > 0) {
        row_problem(im, i, im->fixed[2], "The taken_on date %s is in the future. Check the date.",
                    r->taken);
        date_ok = 0;
    }
    pg = scale_of(im, r);
    check_scores(im, i, pg);
    r->ok = json_array_size(im->problems) == before;
    r->keyed = r->auth != NULL && form_ok && date_ok;
    r->scored = r->keyed && strcmp(svc__str(r->auth, "status"), "open") == 0 &&
                r->score >= pg->p->scale_min && r->score <= pg->p->scale_max;
    r->passed = r->auth != NULL && r->score >= pg->p->cut;
#undef FIELD
}

/* A sitting in one person's history: stored (row -1) or a row of the file. */
struct sitting {
    const char *person;
    int64_t program;
    struct clock_date date;
    int passed;
    long row; /* index into im->r, or -1 */
    long line;
};

/* Sittings by person, program, date; stored before the file's; then by line. */
static int sitting_cmp(const void *a, const void *b)
{
    const struct sitting *x = a, *y = b;
    int c = strcmp(x->person, y->person);

    if (c == 0)
        c = x->program < y->program ? -1 : x->program > y->program;
    if (c == 0)
        c = clock_date_cmp(x->date, y->date);
    if (c == 0)
        c = (x->row >= 0) - (y->row >= 0); /* stored sittings first */
    if (c == 0)
        c = x->line < y->line ? -1 : x->line > y->line;
    return c;
}

/*
 * The rules of one person's sittings in date order: no sitting after a
 * pass, the wait after a fail, at most max_attempts within period_days.
 * Refused rows leave the history, so a later row is judged without them.
 */
static int check_history(struct import *im, const json_t *stored, struct cf_error *err)
{
    size_t ns = json_array_size(stored), n = 0, i, j;
    struct sitting *h = calloc(ns + im->n + 1, sizeof *h);
    char d[CLOCK_DATE_LEN];
    json_t *s;

    if (h == NULL)
        return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
    json_array_foreach(stored, i, s)
    {
        h[n].person = svc__str(s, "person_id");
        h[n].program = (int64_t)json_integer_value(json_object_get(s, "program_id"));
        clock_date_parse(svc__str(s, "taken_on"), &h[n].date);
        h[n].passed = (int)json_integer_value(json_object_get(s, "passed"));
        h[n].row = -1;
        n++;
    }
    /* Each row whose sitting reads is judged; only good rows count for the others. */
    for (i = 0; i < im->n; i++) {
        if (!im->r[i].scored)
            continue;
        h[n].person = svc__str(im->r[i].auth, "person_id");
        h[n].program = im->progs[im->r[i].prog].id;
        h[n].date = im->r[i].date;
        h[n].passed = im->r[i].passed;
        h[n].row = (long)i;
        h[n].line = im->r[i].line;
        n++;
    }
    qsort(h, n, sizeof *h, sitting_cmp);

    for (i = 0; i < n; i++) {
        struct row *r;
        const struct program *p;
        const struct sitting *last = NULL;
        int attempts = 1;

        if (h[i].row < 0)
            continue;
        r = &im->r[h[i].row];
        p = im->progs[r->prog].p;
        for (j = i; j-- > 0;) {
            if (strcmp(h[j].person, h[i].person) != 0 || h[j].program != h[i].program)
                break;
            if (h[j].row >= 0 && !im->r[h[j].row].ok)
                continue;
            if (last == NULL)
                last = &h[j];
            if (clock_date_diff(h[j].date, h[i].date) < p->retake_period_days)
                attempts++;
        }
        if (last != NULL && last->passed) {
            clock_date_format(last->date, d, sizeof d);
            row_problem(im, (size_t)h[i].row, im->fixed[2],
                        "The candidate already passed on %s; a later sitting is not taken. "
                        "Check the eligibility_id and the date.",
                        d);
        } else if (last != NULL && clock_date_diff(last->date, h[i].date) < p->retake_wait_days) {
            clock_date_format(clock_date_add_days(last->date, p->retake_wait_days), d, sizeof d);
            row_problem(im, (size_t)h[i].row, im->fixed[2],
                        "This retake is too early: after a fail the candidate waits %d days, "
                        "until %s. Check the date.",
                        p->retake_wait_days, d);
        } else if (attempts > p->retake_max_attempts) {
            row_problem(im, (size_t)h[i].row, im->fixed[2],
                        "This is sitting %d within %d days; the rules allow %d. Check the "
                        "date or the eligibility_id.",
                        attempts, p->retake_period_days, p->retake_max_attempts);
        }
    }
    free(h);
    return CF_OK;
}

/* Sittings reported twice: in the file, or already stored (each row whose sitting reads). */
static void check_twice(struct import *im, const json_t *stored)
{
    json_t *seen = json_object();
    char key[RES_KEY_MAX];
    size_t i;
    json_t *s;

    json_array_foreach(stored, i, s)
    {
        snprintf(key, sizeof key, "%s\x1f%s\x1f%s", svc__str(s, "eligibility_id"),
                 svc__str(s, "form"), svc__str(s, "taken_on"));
        json_object_set_new(seen, key, json_integer(0));
    }
    for (i = 0; i < im->n; i++) {
        struct row *r = &im->r[i];
        json_t *at;

        if (!r->keyed)
            continue;
        snprintf(key, sizeof key, "%s\x1f%s\x1f%s", r->elig, r->form, r->taken);
        at = json_object_get(seen, key);
        /* A sitting refused as a repeat is no new sitting in the history either. */
        if (at != NULL)
            r->scored = 0;
        if (at != NULL && json_integer_value(at) == 0)
            row_problem(im, i, im->fixed[2],
                        "This sitting (%.*s, form %s, %s) is already stored. Remove the row.",
                        RES_ID_MAX, r->elig, r->form, r->taken);
        else if (at != NULL)
            row_problem(im, i, im->fixed[2],
                        "This sitting is reported twice; line %lld has it too. Remove one of "
                        "the rows.",
                        (long long)json_integer_value(at));
        else
            json_object_set_new(seen, key, json_integer(r->line));
    }
    json_decref(seen);
}

/* Problems by line, then column. */
static int problem_cmp(const void *a, const void *b)
{
    const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
    json_int_t lx = json_integer_value(json_object_get(x, "line"));
    json_int_t ly = json_integer_value(json_object_get(y, "line"));
    json_int_t cx = json_integer_value(json_object_get(x, "column"));
    json_int_t cy = json_integer_value(json_object_get(y, "column"));

    if (lx != ly)
        return lx < ly ? -1 : 1;
    return cx < cy ? -1 : cx > cy;
}

/* The problems in line and column order. */
static json_t *sorted(json_t *problems)
{
    size_t n = json_array_size(problems);
    json_t **v = calloc(n + 1, sizeof *v);
    json_t *out = json_array();

    if (v == NULL || out == NULL) {
        free(v);
        json_decref(out);
        return json_incref(problems);
    }
    for (size_t i = 0; i < n; i++)
        v[i] = json_array_get(problems, i);
    qsort(v, n, sizeof *v, problem_cmp);
    for (size_t i = 0; i < n; i++)
        json_array_append(out, v[i]);
    free(v);
    return out;
}

/* The category scores of row r as JSON text {"I": 612, ...}. */
static void scores_text(const struct import *im, const struct row *r, char *buf, size_t n)
{
    const struct program *p = im->progs[r->prog].p;
    size_t k = 0;
    int w;

    buf[0] = '\0';
    w = snprintf(buf, n, "{");
    k = w > 0 ? (size_t)w : 0;
    for (int s = 0; s < p->nscores && k < n; s++) {
        w = snprintf(buf + k, n - k, "%s\"%s\":%ld", s > 0 ? "," : "", p->scores[s].code,
                     r->cats[s]);
        if (w < 0)
            break;
        k += (size_t)w;
    }
    if (k < n)
        snprintf(buf + k, n - k, "}");
}

/*
 * Issues the credential of passing row r: number `number`, dates by
 * cred_apply(ISSUE) on today, and its audit entry. Its event, the
 * authorization used and the certificate job follow for the whole import at
 * once (store_results_settle).
 */
static int issue(struct import *im, const struct row *r, int64_t result_id, const char *number,
                 const char *now, json_t *issued, struct cf_error *err)
{
    const struct prog *pg = &im->progs[r->prog];
    struct cred_rules cr;
    struct cred_state cur, next;
    struct cred_event ev = {CRED_EV_ISSUE, NULL};
    struct store_credential c;
    char id[37], on[CLOCK_DATE_LEN], ex[CLOCK_DATE_LEN], start[CLOCK_DATE_LEN];
    json_t *after = NULL;
    int rc;

    memset(&cur, 0, sizeof cur);
    program_cred_rules(pg->p, &cr);
    rc = cred_apply(&cur, &ev, im->today, &cr, &next, err);
    if (rc != CF_OK)
        return rc;
    clock_date_format(next.issued_on, on, sizeof on);
    clock_date_format(next.expires_on, ex, sizeof ex);
    clock_date_format(cred_term_start(&cr, &next), start, sizeof start);
    svc__uuid(id);
    c.id = id;
    c.number = number;
    c.person_id = svc__str(r->auth, "person_id");
    c.status = cred_status_name(next.status);
    c.issued_on = on;
    c.term_start = start;
    c.expires_on = ex;
    c.now = now;
    c.program_id = pg->id;
    c.result_id = result_id;
    c.rules_version = pg->version;
    rc = store_credential_insert(im->sv->store, &c, err);
    if (rc != CF_OK)
        return rc;
    after = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i}", "number", number, "person_id",
                      c.person_id, "status", c.status, "issued_on", on, "expires_on", ex,
                      "eligibility_id", r->elig, "rules_version", pg->version);
    rc = svc__audit(im->sv, NULL, "credential.issue", "credential", number, NULL, after, err);
    if (rc == CF_OK)
        json_array_append_new(issued,
                              json_pack("{s:s, s:s, s:s, s:s}", "number", number, "eligibility_id",
                                        r->elig, "issued_on", on, "expires_on", ex));
    json_decref(after);
    return rc;
}

/* The key of a person's credential of a program in the set of those held. */
static void held_key(const char *person, int64_t program, char *buf, size_t n)
{
    snprintf(buf, n, "%s\x1f%lld", person, (long long)program);
}

/* The people and programs that hold a credential (not revoked): a set of held_key()s. */
static json_t *held_set(const json_t *held)
{
    json_t *set = json_object(), *c;
    char key[RES_KEY_MAX];
    size_t i;

    json_array_foreach(held, i, c)
    {
        if (strcmp(svc__str(c, "status"), "revoked") == 0)
            continue;
        held_key(svc__str(c, "person_id"),
                 (int64_t)json_integer_value(json_object_get(c, "program_id")), key, sizeof key);
        json_object_set_new(set, key, json_true());
    }
    return set;
}

/*
 * The first of the credential numbers of each program the passes of the
 * file need, taken at once (one statement per program, not per credential):
 * first[k] for im->progs[k]. The rows that issue get issues[i] = 1.
 */
static int take_numbers(struct import *im, const json_t *held, char *issues, long *first,
                        struct cf_error *err)
{
    long need[RES_PROGRAMS_MAX] = {0};
    char key[RES_KEY_MAX];
    int rc = CF_OK;

    for (size_t i = 0; i < im->n; i++) {
        const struct row *r = &im->r[i];

        if (!r->passed)
            continue;
        held_key(svc__str(r->auth, "person_id"), im->progs[r->prog].id, key, sizeof key);
        if (json_object_get(held, key) != NULL)
            continue;
        issues[i] = 1;
        need[r->prog]++;
    }
    for (int k = 0; k < im->nprogs && rc == CF_OK; k++) {
        first[k] = 0;
        if (need[k] > 0)
            rc = store_credential_numbers_take(im->sv->store, im->progs[k].id, im->today.y, need[k],
                                               &first[k], err);
    }
    return rc;
}

/* Writes every row (all were checked): results, then the credentials of the passes. */
static int write_all(struct import *im, const json_t *held_rows, const char *now, json_t *summary,
                     struct cf_error *err)
{
    json_t *issued = json_object_get(summary, "credentials"), *held = held_set(held_rows);
    char import_id[37], scores[RES_SCORES_TEXT], retake[CLOCK_DATE_LEN];
    char *issues = calloc(im->n + 1, 1);
    long passed = 0, failed = 0, next[RES_PROGRAMS_MAX];
    int rc;

    if (issues == NULL || held == NULL) {
        rc = cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
        goto out;
    }
    svc__uuid(import_id);
    rc = take_numbers(im, held, issues, next, err);
    for (size_t i = 0; i < im->n && rc == CF_OK; i++) {
        struct row *r = &im->r[i];
        const struct prog *pg = &im->progs[r->prog];
        struct cred_rules cr;
        char number[CRED_NUMBER_MAX];
        int64_t rid = 0;

        scores_text(im, r, scores, sizeof scores);
        if (!r->passed)
            clock_date_format(clock_date_add_days(r->date, pg->p->retake_wait_days), retake,
                              sizeof retake);
        rc = store_result_insert(im->sv->store, r->elig, r->form, r->taken, r->score, scores,
                                 r->passed, r->passed ? NULL : retake, pg->version, import_id, now,
                                 issues[i] ? &rid : NULL, err);
        if (rc != CF_OK)
            break;
        if (!r->passed) {
            failed++;
            continue;
        }
        passed++;
        if (!issues[i])
            continue;
        program_cred_rules(pg->p, &cr);
        if (cred_number_format(&cr, im->today.y, next[r->prog]++, number, sizeof number) != CF_OK) {
            rc = cf_error_set(err, CF_ECONFLICT, NULL,
                              "The credential numbers of %s for %d are used up. Widen the "
                              "program's sequence digits.",
                              pg->code, im->today.y);
            break;
        }
        rc = issue(im, r, rid, number, now, issued, err);
    }
    if (rc == CF_OK) {
        json_object_set_new(summary, "import_id", json_string(import_id));
        json_object_set_new(summary, "results", json_integer((json_int_t)im->n));
        json_object_set_new(summary, "passed", json_integer(passed));
        json_object_set_new(summary, "failed", json_integer(failed));
        json_object_set_new(summary, "credentials_issued",
                            json_integer((json_int_t)json_array_size(issued)));
        rc =
            store_results_settle(im->sv->store, import_id, im->sv->actor,
                                 svc__credential_certificate_kind.name, RES_JOB_ATTEMPTS, now, err);
    }
    if (rc == CF_OK)
        rc = svc__audit(im->sv, NULL, "results.import", "import", import_id, NULL, summary, err);

out:
    free(issues);
    json_decref(held);
    return rc;
}

/* The distinct values of column col of the rows, as an array. */
static json_t *distinct(const struct import *im, int col)
{
    json_t *set = json_object(), *arr = json_array(), *r;
    const char *k;
    json_t *v;
    size_t i;

    json_array_foreach(im->rows, i, r)
    {
        const char *s =
            json_string_value(json_array_get(json_object_get(r, "fields"), (size_t)col));

        if (s != NULL && s[0] != '\0')
            json_object_set_new(set, s, json_true());
    }
    json_object_foreach(set, k, v)
    {
        json_array_append_new(arr, json_string(k));
    }
    json_decref(set);
    return arr;
}

/*
 * Checks every row against stored state (inside the transaction): the
 * authorizations, the rules of their programs, sittings reported twice, the
 * history of each person. Problems go to im->problems; CF_OK unless the
 * store fails.
 */
static int check_all(struct import *im, json_t **stored, json_t **held, struct cf_error *err)
{
    json_t *ids = distinct(im, im->fixed[0]), *auths = NULL, *by_id = json_object(), *people;
    json_t *a;

    im->by_id = by_id;
    size_t i;
    int rc;

    rc = store_auths_in(im->sv->store, ids, &auths, err);
    json_decref(ids);
    im->auths = auths;
    if (rc != CF_OK)
        return rc;
    people = json_object();
    json_array_foreach(auths, i, a)
    {
        json_object_set(by_id, svc__str(a, "eligibility_id"), a);
        json_object_set_new(people, svc__str(a, "person_id"), json_true());
    }
    for (i = 0; i < im->n && rc == CF_OK; i++) {
        const json_t *fields = json_object_get(json_array_get(im->rows, i), "fields");
        const json_t *auth =
            json_object_get(by_id, json_string_value(json_array_get(fields, (size_t)im->fixed[0])));

        im->r[i].line =
            (long)json_integer_value(json_object_get(json_array_get(im->rows, i), "line"));
        im->r[i].prog = 0;
        if (auth != NULL && (im->r[i].prog = prog_of(im, auth, err)) < 0)
            rc = err != NULL && err->code != CF_OK ? err->code : CF_EINVAL;
    }
    if (rc == CF_OK)
        for (i = 0; i < im->n; i++)
            check_fields(im, i, by_id);
    ids = json_array();
    {
        const char *k;
        json_t *v;

        json_object_foreach(people, k, v)
        {
            json_array_append_new(ids, json_string(k));
        }
    }
    json_decref(people);
    if (rc == CF_OK)
        rc = store_sittings_of(im->sv->store, ids, stored, err);
    if (rc == CF_OK)
        rc = store_credentials_of(im->sv->store, ids, held, err);
    json_decref(ids);
    if (rc == CF_OK)
        check_twice(im, *stored);
    if (rc == CF_OK)
        rc = check_history(im, *stored, err);
    return rc;
}

int svc_results_import(const struct svc *sv, const char *bytes, size_t n, json_t **out,
                       json_t **problems, struct cf_error *err)
{
    struct import im;
    json_t *parsed = NULL, *stored = NULL, *held = NULL, *summary = NULL;
    char now[32];
    int rc, began = 0;

    *out = NULL;
    *problems = NULL;
    memset(&im, 0, sizeof im);
    im.sv = sv;
    im.problems = json_array();
    if (!svc__can(sv, PERM_RESULTS_IMPORT, NULL)) {
        rc = cf_error_set(err, CF_EFORBIDDEN, NULL,
                          "Only examiners and program administrators import exam results.");
        goto out;
    }

    if (n > RESULTS_MAX_BYTES) {
        rc = cf_error_set(err, CF_EINVAL, "file",
                          "The file is larger than %u MB. Split it into smaller files.",
                          RESULTS_MAX_BYTES / (1024u * 1024u));
        goto out;
    }

    /* The file as CSV: a file that does not read is refused before anything is looked up. */
    rc = csv_parse(bytes, n, NULL, &parsed, problems);
    if (rc != CF_OK) {
        if (rc == CF_EINVAL)
            cf_error_set(err, CF_EINVAL, "file",
                         "The file has problems; each is listed with its line and column. "
                         "Correct them and import the file again.");
        else
            cf_error_set(err, rc, NULL, "Out of memory. Try again in a moment.");
        goto out;
    }
    json_decref(*problems);
    *problems = NULL;
    im.header = json_object_get(parsed, "header");
    im.rows = json_object_get(parsed, "rows");
    im.n = json_array_size(im.rows);
    header_fixed(&im);
    if (json_array_size(im.problems) > 0)
        goto refused;
    im.r = calloc(im.n + 1, sizeof *im.r);
    if (im.r == NULL) {
        rc = cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
        goto out;
    }

    /* Every rule that reads stored state, inside the transaction that writes. */
    rc = svc__begin(sv, err);
    if (rc != CF_OK)
        goto out;
    began = 1;
    clock_now_iso(now, sizeof now);
    im.today = clock_date_of(clock_now());
    rc = check_all(&im, &stored, &held, err);
    if (rc != CF_OK)
        goto out;
    if (json_array_size(im.problems) > 0)
        goto refused;
    summary = json_pack("{s:[]}", "credentials");
    rc = write_all(&im, held, now, summary, err);
    goto out;

refused:
    *problems = sorted(im.problems);
    rc = cf_error_set(err, CF_EINVAL, "file",
                      "The file has %zu problem%s; each is listed with its line and column. "
                      "Nothing was imported. Correct them and import the file again.",
                      json_array_size(*problems), json_array_size(*problems) == 1 ? "" : "s");

out:
    if (began) {
        if (rc == CF_OK)
            rc = store_commit(sv->store, err);
        else
            store_rollback(sv->store);
    }
    if (rc == CF_OK) {
        *out = summary;
        summary = NULL;
    }
    for (int i = 0; i < im.nprogs; i++)
        free(im.progs[i].p);
    free(im.r);
    json_decref(im.problems);
    json_decref(im.auths);
    json_decref(im.by_id);
    json_decref(parsed);
    json_decref(stored);
    json_decref(held);
    json_decref(summary);
    return rc;
}
