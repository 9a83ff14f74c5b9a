/*
 * report.c — the program's reports (issue 8 point 8): applications by status
 * and age, pass rates by form and period, credentials by state and status,
 * upcoming expirations, CE compliance. Each reads one grouped query
 * (store/report.c) and becomes {report, title, columns: [{key, label}], rows,
 * filters}; the same rows go out as a page, JSON, CSV or XLSX. For program
 * staff with PERM_REPORTS_READ (reviewers, program admins). docs/reports.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ce.h"
#include "core/program.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/xlsx.h"
#include "store/store.h"
#include "svc/svc.h"
#include "svc/svc_impl.h"

#define REPORT_DAY         86400L              /* seconds in a day */
#define REPORT_DAYS_MAX    3650                /* the furthest expirations look ahead */
#define REPORT_DAYS_DEF    180                 /* expirations: the default look ahead */
#define REPORT_ROWS_MAX    10000               /* expirations listed at most */
#define REPORT_PAGE_MAX    1000000L            /* CE compliance: the last page asked for at most */
#define REPORT_CE_PAGE     500                 /* CE compliance: credentials per page */
#define REPORT_CSV_MAX     (64L * 1024 * 1024) /* a CSV download at most */
#define REPORT_NUM_MAX     16                  /* a number as text */
#define REPORT_ISO_LEN     24                  /* an ISO instant and its NUL */
#define REPORT_SKILLS_MAX  32                  /* skill areas of one activity */
#define REPORT_SKILLS_TEXT 512                 /* their ';'-separated text */

/* The reports, in the order the index page lists them. */
static const struct report_def {
    const char *name;
    const char *title;
    const char *about;
} reports[] = {
    {"applications", "Applications by status and age",
     "How many applications are in each status, by days since they were submitted."},
    {"pass-rates", "Pass rates by form and period",
     "Exam sittings, passes and the pass rate for each form, by month or quarter."},
    {"credentials", "Credentials by state and status",
     "Every credential counted by the holder's state and the credential's status."},
    {"expirations", "Upcoming expirations",
     "Credentials in force that expire within the next days, soonest first."},
    {"ce", "Continuing education compliance",
     "For each credential in force, points counted against the requirement, and whether "
     "the holder is on track."},
};
#define NREPORTS (sizeof reports / sizeof reports[0])

/* Columns as a JSON array from "key:Label" pairs. */
static json_t *columns_of(const char *const *pairs, size_t n)
{
    json_t *cols = json_array();

    for (size_t i = 0; i < n; i++) {
        const char *colon = strchr(pairs[i], ':');

        json_array_append_new(cols, json_pack("{s:s%, s:s}", "key", pairs[i],
                                              (size_t)(colon - pairs[i]), "label", colon + 1));
    }
    return cols;
}

/* Hundredths of a point as a JSON number (integer when whole). */
static json_t *points(long hundredths)
{
    if (hundredths % CE_SCALE == 0)
        return json_integer(hundredths / CE_SCALE);
    return json_real((double)hundredths / CE_SCALE);
}

/* A whole number of at least 1 and at most max from s; def when s is NULL or empty. */
static int whole(const char *s, long def, long max, const char *field, const char *msg, long *out,
                 struct cf_error *err)
{
    char *end = NULL;
    long v;

    if (s == NULL || s[0] == '\0') {
        *out = def;
        return CF_OK;
    }
    v = strtol(s, &end, 10);
    if (s[0] < '0' || s[0] > '9' || end == NULL || *end != '\0' || v < 1 || v > max)
        return cf_error_set(err, CF_EINVAL, field, "%s", msg);
    *out = v;
    return CF_OK;
}

/* Applications: one row per status, the counts by age bucket beside each other. */
static int rep_applications(const struct svc *sv, json_t *out, struct cf_error *err)
{
    static const char *const cols[] = {"status:Status",           "total:Total",
                                       "age_0_7:0 to 7 days",     "age_8_30:8 to 30 days",
                                       "age_31_90:31 to 90 days", "age_over_90:Over 90 days",
                                       "oldest:Oldest since"};
    static const char *const buckets[] = {"age_0_7", "age_8_30", "age_31_90", "age_over_90"};
    time_t now = clock_now();
    char d7[REPORT_ISO_LEN], d30[REPORT_ISO_LEN], d90[REPORT_ISO_LEN];
    json_t *raw = NULL, *rows = json_array(), *cur = NULL, *r;
    size_t i;
    int rc;

    clock_iso(now - 7 * REPORT_DAY, d7, sizeof d7);
    clock_iso(now - 30 * REPORT_DAY, d30, sizeof d30);
    clock_iso(now - 90 * REPORT_DAY, d90, sizeof d90);
    rc = store_report_applications(sv->store, d7, d30, d90, &raw, err);
    if (rc != CF_OK)
        goto out;
    json_array_foreach(raw, i, r)
    {
        const char *st = svc__str(r, "status"), *oldest = svc__str(r, "oldest");
        json_int_t n = json_integer_value(json_object_get(r, "count"));
        json_int_t b = json_integer_value(json_object_get(r, "bucket"));

        if (cur == NULL || strcmp(svc__str(cur, "status"), st) != 0) {
            cur = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:s}", "status", st, "total",
                            (json_int_t)0, buckets[0], (json_int_t)0, buckets[1], (json_int_t)0,
                            buckets[2], (json_int_t)0, buckets[3], (json_int_t)0, "oldest",
                            oldest != NULL ? oldest : "");
            json_array_append_new(rows, cur);
        }
        if (b >= 0 && b < 4)
            json_object_set_new(cur, buckets[b], json_integer(n));
        json_object_set_new(cur, "total",
                            json_integer(json_integer_value(json_object_get(cur, "total")) + n));
        /* The buckets come youngest first, so the last one seen holds the oldest. */
        if (oldest != NULL)
            json_object_set_new(cur, "oldest", json_string(oldest));
    }
    json_object_set_new(out, "columns", columns_of(cols, sizeof cols / sizeof cols[0]));
    json_object_set(out, "rows", rows);

out:
    json_decref(raw);
    json_decref(rows);
    return rc;
}

/* Pass rates: ?period=month|quarter, ?from= and ?to= (dates; the last year by default). */
static int rep_pass_rates(const struct svc *sv, const json_t *q, json_t *out, struct cf_error *err)
{
    static const char *const cols[] = {"form:Form",     "period:Period", "sittings:Sittings",
                                       "passed:Passed", "failed:Failed", "pass_rate:Pass rate (%)"};
    const char *period = svc__str(q, "period"), *from = svc__str(q, "from"),
               *to = svc__str(q, "to");
    struct clock_date today = clock_date_of(clock_now()), df, dt;
    char fs[CLOCK_DATE_LEN], ts[CLOCK_DATE_LEN];
    json_t *raw = NULL, *rows = json_array(), *r;
    size_t i;
    int quarter = 0, rc = CF_OK;

    if (period != NULL && period[0] != '\0' && strcmp(period, "month") != 0 &&
        strcmp(period, "quarter") != 0) {
        rc = cf_error_set(err, CF_EINVAL, "period", "Choose month or quarter as the period.");
        goto out;
    }
    quarter = period != NULL && strcmp(period, "quarter") == 0;
    dt = today;
    if (to != NULL && to[0] != '\0' && clock_date_parse(to, &dt) != 0) {
        rc = cf_error_set(err, CF_EINVAL, "to", "Enter the last day as a date like 2026-12-31.");
        goto out;
    }
    df = clock_date_add_years(dt, -1);
    if (from != NULL && from[0] != '\0' && clock_date_parse(from, &df) != 0) {
        rc = cf_error_set(err, CF_EINVAL, "from", "Enter the first day as a date like 2026-01-01.");
        goto out;
    }
    if (clock_date_cmp(df, dt) > 0) {
        rc = cf_error_set(err, CF_EINVAL, "to", "Enter a last day on or after the first day.");
        goto out;
    }
    clock_date_format(df, fs, sizeof fs);
    clock_date_format(dt, ts, sizeof ts);
    rc = store_report_pass_rates(sv->store, quarter, fs, ts, &raw, err);
    if (rc != CF_OK)
        goto out;
    json_array_foreach(raw, i, r)
    {
        json_int_t n = json_integer_value(json_object_get(r, "sittings"));
        json_int_t p = json_integer_value(json_object_get(r, "passed"));
        /* One decimal, rounded half up, from integers. */
        json_int_t tenths = n > 0 ? (p * 1000 + n / 2) / n : 0;

        json_array_append_new(
            rows, json_pack("{s:O, s:O, s:I, s:I, s:I, s:f}", "form", json_object_get(r, "form"),
                            "period", json_object_get(r, "period"), "sittings", n, "passed", p,
                            "failed", n - p, "pass_rate", (double)tenths / 10.0));
    }
    json_object_set_new(out, "columns", columns_of(cols, sizeof cols / sizeof cols[0]));
    json_object_set(out, "rows", rows);
    json_object_set_new(out, "filters",
                        json_pack("{s:s, s:s, s:s, s:b}", "period", quarter ? "quarter" : "month",
                                  "from", fs, "to", ts, "quarter", quarter));

out:
    json_decref(raw);
    json_decref(rows);
    return rc;
}

/* Credentials by state and status: the grouped counts as they are. */
static int rep_credentials(const struct svc *sv, json_t *out, struct cf_error *err)
{
    static const char *const cols[] = {"state:State", "status:Status", "count:Credentials"};
    json_t *raw = NULL;
    int rc = store_report_credentials(sv->store, &raw, err);

    if (rc != CF_OK)
        return rc;
    json_object_set_new(out, "columns", columns_of(cols, sizeof cols / sizeof cols[0]));
    json_object_set_new(out, "rows", raw);
    return CF_OK;
}

/* Upcoming expirations: ?days=N (1 to 3650, default 180). */
static int rep_expirations(const struct svc *sv, const json_t *q, json_t *out, struct cf_error *err)
{
    static const char *const cols[] = {"name:Holder",           "number:Number",
                                       "state:State",           "status:Status",
                                       "expires_on:Expires on", "days_left:Days left"};
    struct clock_date today = clock_date_of(clock_now()), e;
    char ts[CLOCK_DATE_LEN], us[CLOCK_DATE_LEN];
    json_t *raw = NULL, *r;
    long days;
    size_t i;
    int rc = whole(svc__str(q, "days"), REPORT_DAYS_DEF, REPORT_DAYS_MAX, "days",
                   "Enter the number of days ahead as a whole number from 1 to 3650.", &days, err);

    if (rc != CF_OK)
        return rc;
    clock_date_format(today, ts, sizeof ts);
    clock_date_format(clock_date_add_days(today, days), us, sizeof us);
    rc = store_report_expirations(sv->store, ts, us, REPORT_ROWS_MAX, &raw, err);
    if (rc != CF_OK)
        return rc;
    json_array_foreach(raw, i, r)
    {
        if (clock_date_parse(svc__str(r, "expires_on"), &e) == 0)
            json_object_set_new(r, "days_left", json_integer(clock_date_diff(today, e)));
    }
    json_object_set_new(out, "columns", columns_of(cols, sizeof cols / sizeof cols[0]));
    json_object_set_new(out, "rows", raw);
    json_object_set_new(
        out, "filters",
        json_pack("{s:I, s:s, s:s}", "days", (json_int_t)days, "from", ts, "until", us));
    return CF_OK;
}

/* The activities of one credential (rows first..last-1 of raw) through ce_compute. */
struct ce_batch {
    struct ce_activity *acts;
    char (*skill_text)[REPORT_SKILLS_TEXT];
    const char *(*skills)[REPORT_SKILLS_MAX];
    struct ce_line *lines;
};

/*
 * The compliance row of the credential whose rows are raw[first..last): its
 * points counted after the caps against the requirement, the share of the
 * requirement expected by today (pro rata over the term), and on_track when
 * it is met or what is counted is at least that share.
 */
static int ce_row(const json_t *raw, size_t first, size_t last, const struct ce_rules *rules,
                  struct clock_date today, struct ce_batch *b, json_t **out, struct cf_error *err)
{
    const json_t *c = json_array_get(raw, first);
    struct clock_date from, to;
    struct ce_result res;
    size_t n = 0;
    long term, elapsed, expected;
    int rc;

    for (size_t i = first; i < last; i++) {
        const json_t *a = json_array_get(raw, i);
        char *save = NULL, *tok;
        size_t k = 0;

        if (svc__str(a, "category") == NULL)
            continue; /* the credential has no approved activity */
        b->acts[n].title = svc__str(a, "title");
        b->acts[n].category = svc__str(a, "category");
        clock_date_parse(svc__str(a, "completed_on"), &b->acts[n].completed_on);
        b->acts[n].quantity = (long)json_integer_value(json_object_get(a, "quantity"));
        snprintf(b->skill_text[n], sizeof b->skill_text[n], "%s",
                 svc__str(a, "skills") != NULL ? svc__str(a, "skills") : "");
        for (tok = strtok_r(b->skill_text[n], ";", &save); tok != NULL && k < REPORT_SKILLS_MAX;
             tok = strtok_r(NULL, ";", &save))
            b->skills[n][k++] = tok;
        b->acts[n].skills = b->skills[n];
        b->acts[n].nskills = k;
        n++;
    }
    if (clock_date_parse(svc__str(c, "term_start"), &from) != 0 ||
        clock_date_parse(svc__str(c, "expires_on"), &to) != 0)
        return cf_error_set(err, CF_EIO, NULL, "A credential's stored dates do not read.");
    rc = ce_compute(rules, b->acts, n, from, to, b->lines, &res, err);
    if (rc != CF_OK)
        return rc;
    term = clock_date_diff(from, to) + 1;
    elapsed = clock_date_diff(from, today) + 1;
    if (elapsed < 0)
        elapsed = 0;
    if (elapsed > term)
        elapsed = term;
    expected = term > 0 ? res.required * elapsed / term : res.required;
    *out = json_pack("{s:O, s:O, s:O, s:O, s:O, s:o, s:o, s:o, s:s}", "number",
                     json_object_get(c, "number"), "name", json_object_get(c, "name"), "state",
                     json_object_get(c, "state"), "status", json_object_get(c, "status"),
                     "expires_on", json_object_get(c, "expires_on"), "counted", points(res.counted),
                     "required", points(res.required), "expected", points(expected), "on_track",
                     res.eligible || res.counted >= expected ? "yes" : "no");
    return CF_OK;
}

/*
 * CE compliance, a page of REPORT_CE_PAGE credentials at a time (?page=N):
 * one query brings the page's credentials with their approved activities;
 * the points with caps are computed per credential in memory (core/ce), with
 * the rules of the credential's program now.
 */
static int rep_ce(const struct svc *sv, const json_t *q, json_t *out, struct cf_error *err)
{
    static const char *const cols[] = {"number:Number",
                                       "name:Holder",
                                       "state:State",
                                       "status:Status",
                                       "expires_on:Expires on",
                                       "counted:Points counted",
                                       "required:Points required",
                                       "expected:Expected by today",
                                       "on_track:On track"};
    struct clock_date today = clock_date_of(clock_now());
    struct program *prog = calloc(1, sizeof *prog);
    struct ce_rules rules;
    struct ce_batch b = {0};
    char code[PROGRAM_CODE_MAX] = "";
    json_t *raw = NULL, *rows = json_array();
    long page, total = 0, pages;
    size_t n, first;
    int used, rc;

    rc = whole(svc__str(q, "page"), 1, REPORT_PAGE_MAX, "page",
               "Enter the page as a whole number of at least 1.", &page, err);
    if (rc != CF_OK)
        goto out;
    if (prog == NULL) {
        rc = cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
        goto out;
    }
    rc = store_report_ce_total(sv->store, &total, err);
    if (rc == CF_OK)
        rc = store_report_ce(sv->store, REPORT_CE_PAGE, (page - 1) * REPORT_CE_PAGE, &raw, err);
    if (rc != CF_OK)
        goto out;
    n = json_array_size(raw);
    b.acts = calloc(n + 1, sizeof *b.acts);
    b.skill_text = calloc(n + 1, sizeof *b.skill_text);
    b.skills = calloc(n + 1, sizeof *b.skills);
    b.lines = calloc(n + 1, sizeof *b.lines);
    if (b.acts == NULL || b.skill_text == NULL || b.skills == NULL || b.lines == NULL) {
        rc = cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
        goto out;
    }
    for (first = 0; first < n;) {
        const char *num = svc__str(json_array_get(raw, first), "number");
        const char *pc = svc__str(json_array_get(raw, first), "program_code");
        size_t last = first + 1;
        json_t *row = NULL;

        while (last < n && strcmp(svc__str(json_array_get(raw, last), "number"), num) == 0)
            last++;
        /* The rules are read again only when the program changes (the rows go by number). */
        if (strcmp(code, pc) != 0) {
            rc = svc__program_rules(sv, pc, 0, prog, &used, err);
            if (rc != CF_OK)
                goto out;
            program_ce_rules(prog, &rules);
            snprintf(code, sizeof code, "%s", pc);
        }
        rc = ce_row(raw, first, last, &rules, today, &b, &row, err);
        if (rc != CF_OK)
            goto out;
        json_array_append_new(rows, row);
        first = last;
    }
    pages = (total + REPORT_CE_PAGE - 1) / REPORT_CE_PAGE;
    json_object_set_new(out, "columns", columns_of(cols, sizeof cols / sizeof cols[0]));
    json_object_set(out, "rows", rows);
    json_object_set_new(out, "filters",
                        json_pack("{s:I, s:I, s:I}", "page", (json_int_t)page, "pages",
                                  (json_int_t)pages, "total", (json_int_t)total));
    if (page > 1)
        json_object_set_new(out, "prev_href", json_sprintf("/reports/ce?page=%ld", page - 1));
    if (page < pages)
        json_object_set_new(out, "next_href", json_sprintf("/reports/ce?page=%ld", page + 1));

out:
    free(prog);
    free(b.acts);
    free(b.skill_text);
    free(b.skills);
    free(b.lines);
    json_decref(raw);
    json_decref(rows);
    return rc;
}

int svc_reports(const struct svc *sv, json_t **out, struct cf_error *err)
{
    json_t *list;

    *out = NULL;
    if (!svc__can(sv, PERM_REPORTS_READ, NULL))
        return cf_error_set(err, CF_EFORBIDDEN, NULL, "You do not have access to the reports.");
    list = json_array();
    for (size_t i = 0; i < NREPORTS; i++)
        json_array_append_new(list,
                              json_pack("{s:s, s:s, s:s, s:o}", "name", reports[i].name, "title",
                                        reports[i].title, "about", reports[i].about, "href",
                                        json_sprintf("/reports/%s", reports[i].name)));
    *out = json_pack("{s:o}", "reports", list);
    if (*out == NULL)
        return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
    return CF_OK;
}

/* Each row as cells [{label, value}] in the columns' order, for the page's table. */
static void add_cells(json_t *rep)
{
    json_t *cols = json_object_get(rep, "columns"), *rows = json_object_get(rep, "rows"), *row,
           *col;
    size_t i, c;

    json_array_foreach(rows, i, row)
    {
        json_t *cells = json_array();

        json_array_foreach(cols, c, col)
        {
            json_t *v = json_object_get(row, svc__str(col, "key"));
            json_t *text;

            if (json_is_string(v))
                text = json_copy(v);
            else if (json_is_integer(v))
                text = json_sprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
            else if (json_is_real(v))
                text = json_sprintf("%g", json_real_value(v));
            else
                text = json_string("");
            json_array_append_new(cells, json_pack("{s:O, s:o}", "label",
                                                   json_object_get(col, "label"), "value", text));
        }
        json_object_set_new(row, "cells", cells);
    }
}

int svc_report(const struct svc *sv, const char *name, const json_t *query, int detail,
               json_t **out, struct cf_error *err)
{
    const struct report_def *def = NULL;
    json_t *rep = NULL;
    int rc;

    *out = NULL;
    if (!svc__can(sv, PERM_REPORTS_READ, NULL))
        return cf_error_set(err, CF_EFORBIDDEN, NULL, "You do not have access to the reports.");
    for (size_t i = 0; i < NREPORTS; i++)
        if (name != NULL && strcmp(reports[i].name, name) == 0)
            def = &reports[i];
    if (def == NULL)
        return cf_error_set(err, CF_ENOTFOUND, NULL, "There is no such report.");
    rep = json_pack("{s:s, s:s, s:s, s:{}}", "report", def->name, "title", def->title, "about",
                    def->about, "filters");
    if (rep == NULL)
        return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
    if (strcmp(def->name, "applications") == 0)
        rc = rep_applications(sv, rep, err);
    else if (strcmp(def->name, "pass-rates") == 0)
        rc = rep_pass_rates(sv, query, rep, err);
    else if (strcmp(def->name, "credentials") == 0)
        rc = rep_credentials(sv, rep, err);
    else if (strcmp(def->name, "expirations") == 0)
        rc = rep_expirations(sv, query, rep, err);
    else
        rc = rep_ce(sv, query, rep, err);
    if (rc != CF_OK) {
        json_decref(rep);
        return rc;
    }
    json_object_set_new(rep, "count",
                        json_integer((json_int_t)json_array_size(json_object_get(rep, "rows"))));
    json_object_set_new(rep, "has_rows",
                        json_boolean(json_array_size(json_object_get(rep, "rows")) > 0));
    /* Which filter form the page shows. */
    json_object_set_new(rep, "is_pass_rates", json_boolean(strcmp(def->name, "pass-rates") == 0));
    json_object_set_new(rep, "is_expirations", json_boolean(strcmp(def->name, "expirations") == 0));
    json_object_set_new(rep, "is_ce", json_boolean(strcmp(def->name, "ce") == 0));
    if (detail)
        add_cells(rep);
    *out = rep;
    return CF_OK;
}

/*
 * One CSV field (RFC 4180): quoted when it holds a comma, a quote, CR or LF
 * (quotes doubled). A text that starts with = + - @ (or a tab or CR) gets a
 * leading apostrophe first, so a spreadsheet never runs it as a formula.
 */
static int csv_field(struct buf *b, const json_t *v)
{
    char num[REPORT_NUM_MAX * 2];
    const char *s = "";
    int rc = 0, quote;

    if (json_is_integer(v)) {
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return buf_adds(b, num);
    }
    if (json_is_real(v)) {
        snprintf(num, sizeof num, "%g", json_real_value(v));
        return buf_adds(b, num);
    }
    if (json_is_string(v))
        s = json_string_value(v);
    quote = strpbrk(s, ",\"\r\n") != NULL;
    if (quote)
        rc |= buf_addc(b, '"');
    if (s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL)
        rc |= buf_addc(b, '\'');
    if (!quote)
        return rc | buf_adds(b, s);
    for (; *s != '\0'; s++)
        rc |= *s == '"' ? buf_adds(b, "\"\"") : buf_addc(b, *s);
    return rc | buf_addc(b, '"');
}

int svc_report_file(const json_t *rep, const char *format, char **data, size_t *n,
                    const char **type, struct cf_error *err)
{
    const json_t *cols = json_object_get(rep, "columns"), *rows = json_object_get(rep, "rows");
    const json_t *col, *row;
    struct buf b;
    size_t i, c;
    int bad = 0;

    *data = NULL;
    *n = 0;
    if (strcmp(format, "xlsx") == 0) {
        char sheet[XLSX_SHEET_MAX + 1];

        *type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        snprintf(sheet, sizeof sheet, "%s", svc__str(rep, "report"));
        return xlsx_table(sheet, cols, rows, data, n, err);
    }
    *type = "text/csv; charset=utf-8";
    buf_init(&b, (size_t)REPORT_CSV_MAX);
    json_array_foreach(cols, c, col)
    {
        bad |= (c > 0 ? buf_addc(&b, ',') : 0) | csv_field(&b, json_object_get(col, "label"));
    }
    bad |= buf_adds(&b, "\r\n");
    json_array_foreach(rows, i, row)
    {
        json_array_foreach(cols, c, col)
        {
            bad |= (c > 0 ? buf_addc(&b, ',') : 0) |
                   csv_field(&b, json_object_get(row, svc__str(col, "key")));
        }
        bad |= buf_adds(&b, "\r\n");
    }
    if (bad != 0) {
        buf_free(&b);
        return cf_error_set(err, CF_ETOOBIG, NULL, "The report is too large to download.");
    }
    *data = buf_detach(&b, n);
    if (*data == NULL)
        return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
    return CF_OK;
}
