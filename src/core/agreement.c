/*
 * agreement.c — rater agreement: Cohen's kappa (1960) and weighted kappa (1968) for two
 * raters, the intraclass correlations of Shrout & Fleiss (1979), and the ratings file.
 */
#include "core/agreement.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/csv.h"

#define SHOWN_MAX 40              /* bytes of a cell or id quoted in a message */
#define SHOWN_LEN (SHOWN_MAX + 4) /* the same with "..." and the NUL */
#define LEVEL_BIG 100000000L      /* a level read no further: far above AGREEMENT_LEVELS_MAX */

/* --- the statistics ------------------------------------------------------------------- */

/* A value that is not defined, for reason why. */
static struct agreement_value undefined(enum agreement_why why)
{
    struct agreement_value v = {0.0, 0, why};

    return v;
}

/*
 * num / den, or undefined when den is 0 (within AGREEMENT_EPS) or below: every denominator
 * here estimates a variance, and only ICC(2,k)'s can come out negative (MSR + (MSC - MSE)/n
 * with MSR = MSC = 0), where the quotient would read as an agreement above 1.
 */
static struct agreement_value ratio(double num, double den)
{
    struct agreement_value v = {0.0, 1, AGREEMENT_DEFINED};

    if (den <= AGREEMENT_EPS)
        return undefined(AGREEMENT_NO_VARIANCE);
    v.value = num / den;
    return v;
}

/* 1 when row i of m has every rating. */
static int complete_row(const struct agreement_matrix *m, size_t i)
{
    for (size_t j = 0; j < m->r; j++)
        if (m->x[i * m->r + j] == AGREEMENT_MISSING)
            return 0;
    return 1;
}

/* Sets every ICC of out to undefined for reason why. */
static void icc_undefined(struct agreement_icc *out, enum agreement_why why)
{
    out->icc1 = out->icc2 = out->icc3 = undefined(why);
    out->icc1k = out->icc2k = out->icc3k = undefined(why);
}

/*
 * Two passes over the complete rows: the grand and column means first, then the sums of
 * squared deviations (more accurate than sums of squares minus a correction term).
 */
int agreement_icc(const struct agreement_matrix *m, struct agreement_icc *out)
{
    double *colmean = NULL;
    double n, k, total = 0.0;
    int rc = CF_OK;

    memset(out, 0, sizeof *out);
    out->k = m->r;
    colmean = calloc(m->r + 1, sizeof *colmean);
    if (colmean == NULL) {
        rc = CF_ENOMEM;
        goto out;
    }

    /* The complete subjects, the column sums and the total. */
    for (size_t i = 0; i < m->n; i++) {
        if (!complete_row(m, i)) {
            out->dropped++;
            continue;
        }
        out->n++;
        for (size_t j = 0; j < m->r; j++) {
            colmean[j] += m->x[i * m->r + j];
            total += m->x[i * m->r + j];
        }
    }
    if (out->k < 2) {
        icc_undefined(out, AGREEMENT_FEW_RATERS);
        goto out;
    }
    if (out->n < 2) {
        icc_undefined(out, AGREEMENT_FEW_SUBJECTS);
        goto out;
    }
    n = (double)out->n;
    k = (double)out->k;
    out->mean = total / (n * k);
    for (size_t j = 0; j < m->r; j++) {
        colmean[j] /= n;
        out->ssc += (colmean[j] - out->mean) * (colmean[j] - out->mean);
    }
    out->ssc *= n;

    /* The deviations: of each row mean, of each rating from its row mean, and the residual. */
    for (size_t i = 0; i < m->n; i++) {
        double rowmean = 0.0;

        if (!complete_row(m, i))
            continue;
        for (size_t j = 0; j < m->r; j++)
            rowmean += m->x[i * m->r + j];
        rowmean /= k;
        out->ssr += (rowmean - out->mean) * (rowmean - out->mean);
        for (size_t j = 0; j < m->r; j++) {
            double x = m->x[i * m->r + j];
            double e = x - rowmean - colmean[j] + out->mean;

            out->sst += (x - out->mean) * (x - out->mean);
            out->ssw += (x - rowmean) * (x - rowmean);
            out->sse += e * e;
        }
    }
    out->ssr *= k;
    out->msr = out->ssr / (n - 1.0);
    out->msw = out->ssw / (n * (k - 1.0));
    out->msc = out->ssc / (k - 1.0);
    out->mse = out->sse / ((n - 1.0) * (k - 1.0));

    /* Shrout & Fleiss (1979), equations 2-4 and their average-measure forms. */
    out->icc1 = ratio(out->msr - out->msw, out->msr + (k - 1.0) * out->msw);
    out->icc2 =
        ratio(out->msr - out->mse, out->msr + (k - 1.0) * out->mse + k * (out->msc - out->mse) / n);
    out->icc3 = ratio(out->msr - out->mse, out->msr + (k - 1.0) * out->mse);
    out->icc1k = ratio(out->msr - out->msw, out->msr);
    out->icc2k = ratio(out->msr - out->mse, out->msr + (out->msc - out->mse) / n);
    out->icc3k = ratio(out->msr - out->mse, out->msr);

out:
    free(colmean);
    if (rc != CF_OK)
        memset(out, 0, sizeof *out);
    return rc;
}

/* The agreement weight of levels a and b (1..K): 0 unweighted, 1 linear, 2 quadratic. */
static double weight(int kind, int a, int b, int levels)
{
    double d = fabs((double)(a - b)), span = (double)(levels - 1);

    if (kind == 0)
        return a == b ? 1.0 : 0.0;
    if (span <= 0.0)
        return 1.0;
    if (kind == 1)
        return 1.0 - d / span;
    return 1.0 - (d * d) / (span * span);
}

/* The kappa, observed and expected agreement with weights of kind, from the marginals. */
static struct agreement_kappa_part kappa_part(const struct agreement_matrix *m, int kind,
                                              int levels, const double *pa, const double *pb,
                                              size_t n)
{
    struct agreement_kappa_part k;

    memset(&k, 0, sizeof k);
    for (size_t i = 0; i < m->n; i++) {
        int a = m->x[2 * i], b = m->x[2 * i + 1];

        if (a != AGREEMENT_MISSING && b != AGREEMENT_MISSING)
            k.observed += weight(kind, a, b, levels);
    }
    k.observed /= (double)n;
    for (int a = 1; a <= levels; a++)
        for (int b = 1; b <= levels; b++)
            k.expected += weight(kind, a, b, levels) * pa[a - 1] * pb[b - 1];
    if (kind != 0 && levels < 2)
        k.kappa = undefined(AGREEMENT_ONE_LEVEL);
    else
        k.kappa = ratio(k.observed - k.expected, 1.0 - k.expected);
    return k;
}

int agreement_kappa(const struct agreement_matrix *m, int levels, struct agreement_kappa *out,
                    struct cf_error *err)
{
    double *pa = NULL, *pb = NULL;
    int rc = CF_OK;

    memset(out, 0, sizeof *out);
    if (m->r != 2) {
        rc =
            cf_error_set(err, CF_EINVAL, NULL, "Kappa compares exactly two raters, not %zu.", m->r);
        goto out;
    }
    if (levels < 1 || levels > AGREEMENT_LEVELS_MAX) {
        rc = cf_error_set(err, CF_EINVAL, "levels", "The scale has %d levels; give 1 to %d.",
                          levels, AGREEMENT_LEVELS_MAX);
        goto out;
    }
    for (size_t i = 0; i < 2 * m->n; i++) {
        if (m->x[i] != AGREEMENT_MISSING && (m->x[i] < 1 || m->x[i] > levels)) {
            rc = cf_error_set(err, CF_EINVAL, NULL,
                              "Subject %zu has the level %d, outside the scale 1 to %d.", i / 2 + 1,
                              m->x[i], levels);
            goto out;
        }
    }
    pa = calloc((size_t)levels, sizeof *pa);
    pb = calloc((size_t)levels, sizeof *pb);
    if (pa == NULL || pb == NULL) {
        rc = cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
        goto out;
    }

    /* The subjects both rated, and each rater's share of each level (the marginals). */
    out->levels = levels;
    for (size_t i = 0; i < m->n; i++) {
        int a = m->x[2 * i], b = m->x[2 * i + 1];

        if (a == AGREEMENT_MISSING || b == AGREEMENT_MISSING) {
            out->dropped++;
            continue;
        }
        out->n++;
        pa[a - 1] += 1.0;
        pb[b - 1] += 1.0;
    }
    if (out->n < 2) {
        out->unweighted.kappa = undefined(AGREEMENT_FEW_SUBJECTS);
        out->linear.kappa = undefined(AGREEMENT_FEW_SUBJECTS);
        out->quadratic.kappa = undefined(AGREEMENT_FEW_SUBJECTS);
        goto out;
    }
    for (int l = 0; l < levels; l++) {
        pa[l] /= (double)out->n;
        pb[l] /= (double)out->n;
    }
    out->unweighted = kappa_part(m, 0, levels, pa, pb, out->n);
    out->linear = kappa_part(m, 1, levels, pa, pb, out->n);
    out->quadratic = kappa_part(m, 2, levels, pa, pb, out->n);

out:
    free(pa);
    free(pb);
    if (rc != CF_OK)
        memset(out, 0, sizeof *out);
    return rc;
}

const char *agreement_why_text(enum agreement_why why)
{
    switch (why) {
    case AGREEMENT_DEFINED:
        return "";
    case AGREEMENT_FEW_SUBJECTS:
        return "fewer than 2 subjects";
    case AGREEMENT_FEW_RATERS:
        return "fewer than 2 raters";
    case AGREEMENT_ONE_LEVEL:
        return "a scale of one level has no weights";
    case AGREEMENT_NO_VARIANCE:
        return "no variation to measure: the denominator is not positive";
    }
    return "";
}

/* --- the ratings file ------------------------------------------------------------------ */

/* What agreement_csv() carries while it reads. */
struct rd {
    json_t *problems;
    int full;  /* CSV_MAX_PROBLEMS reached */
    int nomem; /* a problem could not be kept */
};

/* Adds a problem at line and column, unless the list is full. */
static void problem(struct rd *r, long line, long col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void problem(struct rd *r, long line, long col, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    csv_problem_vadd(r->problems, CSV_MAX_PROBLEMS, &r->full, &r->nomem, (size_t)line, (size_t)col,
                     fmt, ap);
    va_end(ap);
}

/* The character column where field col of a record starts (as if no field were quoted). */
static long column_of(const json_t *fields, size_t col)
{
    long c = 1;

    for (size_t i = 0; i < col; i++) {
        const char *f = json_string_value(json_array_get(fields, i));

        for (const unsigned char *p = (const unsigned char *)f; p != NULL && *p != '\0'; p++)
            if ((*p & 0xC0) != 0x80)
                c++;
        c++;
    }
    return c;
}

/*
 * The start of text s for a message, in out (n bytes): at most SHOWN_MAX bytes, cut before a
 * whole UTF-8 character (a cut one would make the message invalid for JSON), "..." added
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

/*
 * Reads a cell: 0 when empty (blanks only), 1 with *v the level when it is a whole number
 * (blanks around it allowed; one of LEVEL_BIG or more reads as LEVEL_BIG), -1 when it is
 * something else.
 */
static int read_level(const char *s, long *v)
{
    const char *p = s, *end = s + strlen(s);
    long sign = 1, x = 0;

    while (*p == ' ' || *p == '\t')
        p++;
    while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    if (p == end)
        return 0;
    if (*p == '-' || *p == '+') {
        sign = *p == '-' ? -1 : 1;
        p++;
    }
    if (p == end)
        return -1;
    for (; p < end; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        if (x < LEVEL_BIG)
            x = x * 10 + (*p - '0');
    }
    *v = sign * (x < LEVEL_BIG ? x : LEVEL_BIG);
    return 1;
}

/*
 * The cells of one record into row (r ratings), with a problem for each bad one. levels is
 * the K given (0: none); *max grows to the largest level read.
 */
static void read_row(struct rd *rd, const json_t *fields, long line, int levels, int *row, size_t r,
                     int *max)
{
    for (size_t j = 0; j < r; j++) {
        const char *cell = json_string_value(json_array_get(fields, j + 1));
        char text[SHOWN_LEN];
        long v = 0;
        int got = read_level(cell != NULL ? cell : "", &v);

        row[j] = AGREEMENT_MISSING;
        if (got == 0)
            continue;
        if (got > 0 && v >= 1 && (levels == 0 || v <= levels) && v <= AGREEMENT_LEVELS_MAX) {
            row[j] = (int)v;
            if (row[j] > *max)
                *max = row[j];
            continue;
        }

        /* A problem: the cell as written, shortened, names it. */
        shown(cell != NULL ? cell : "", text, sizeof text);
        if (got < 0)
            problem(rd, line, column_of(fields, j + 1),
                    "The rating \"%s\" is not a whole number. Give a level (1, 2, ...) or "
                    "leave the cell empty.",
                    text);
        else if (v < 1)
            problem(rd, line, column_of(fields, j + 1),
                    "The level %s is below 1. Levels start at 1; leave the cell empty when "
                    "there is no rating.",
                    text);
        else if (levels > 0 && v > levels)
            problem(rd, line, column_of(fields, j + 1),
                    "The level %s is above %d, the highest level of the scale.", text, levels);
        else
            problem(rd, line, column_of(fields, j + 1),
                    "The level %s is above %d, the most levels a scale can have here.", text,
                    AGREEMENT_LEVELS_MAX);
    }
}

/*
 * The subject id of a record: not empty, and not one an earlier record has (seen maps an
 * id to its line).
 */
static void check_id(struct rd *rd, json_t *seen, const json_t *fields, long line)
{
    const char *id = json_string_value(json_array_get(fields, 0));
    const json_t *was;
    char text[SHOWN_LEN];

    if (id == NULL || id[strspn(id, " \t")] == '\0') {
        problem(rd, line, 1, "The subject id is empty. Give each row the id of its subject.");
        return;
    }
    was = json_object_get(seen, id);
    if (was != NULL) {
        problem(rd, line, 1,
                "The subject \"%s\" already has a row on line %lld. Give each subject one "
                "row.",
                shown(id, text, sizeof text), (long long)json_integer_value(was));
        return;
    }
    if (json_object_set_new(seen, id, json_integer(line)) != 0)
        rd->nomem = 1;
}

int agreement_csv(const char *p, size_t n, int levels, struct agreement_table *t, json_t **problems)
{
    struct rd rd = {NULL, 0, 0};
    json_t *parsed = NULL, *seen = NULL, *rows, *header, *row;
    size_t i, nrows;
    int max = 0;
    int rc = CF_OK;

    memset(t, 0, sizeof *t);
    *problems = NULL;
    rd.problems = json_array();
    if (rd.problems == NULL) {
        rc = CF_ENOMEM;
        goto out;
    }
    if (n > AGREEMENT_MAX_BYTES) {
        problem(&rd, 1, 1, "The file is larger than %u MB. Split it into smaller files.",
                AGREEMENT_MAX_BYTES / (1024u * 1024u));
        rc = CF_ETOOBIG;
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
    nrows = json_array_size(rows);
    if (json_array_size(header) < 3)
        problem(&rd, 1, 1,
                "The file has %zu rater column%s. Agreement needs at least two: the first "
                "column holds the subject's id, then one column per rater.",
                json_array_size(header) > 0 ? json_array_size(header) - 1 : 0,
                json_array_size(header) == 2 ? "" : "s");
    t->r = json_array_size(header) > 0 ? json_array_size(header) - 1 : 0;
    t->n = nrows;
    t->x = calloc(nrows * t->r + 1, sizeof *t->x);
    seen = json_object();
    if (t->x == NULL || seen == NULL) {
        rc = CF_ENOMEM;
        goto out;
    }

    /* Each record: its id, then its cells. */
    json_array_foreach(rows, i, row)
    {
        const json_t *fields = json_object_get(row, "fields");
        long line = (long)json_integer_value(json_object_get(row, "line"));

        check_id(&rd, seen, fields, line);
        read_row(&rd, fields, line, levels, t->x + i * t->r, t->r, &max);
        if (rd.nomem) {
            rc = CF_ENOMEM;
            goto out;
        }
    }
    t->levels = levels > 0 ? levels : max;
    for (i = 0; i < t->n; i++) {
        int all = 1;

        for (size_t j = 0; j < t->r; j++)
            if (t->x[i * t->r + j] == AGREEMENT_MISSING)
                all = 0;
        t->complete += (size_t)all;
    }

    /* How many subjects count says something only when every cell could be read. */
    if (json_array_size(rd.problems) == 0 && t->complete < 2) {
        if (t->complete == 0)
            problem(&rd, 1, 1,
                    "No subject is rated by every rater; agreement needs at least 2 such "
                    "subjects.");
        else
            problem(&rd, 1, 1,
                    "Only 1 subject is rated by every rater; agreement needs at least 2 such "
                    "subjects.");
    }
    rc = rd.nomem ? CF_ENOMEM : json_array_size(rd.problems) > 0 ? CF_EINVAL : CF_OK;

out:
    json_decref(parsed);
    json_decref(seen);
    if (rc == CF_ENOMEM) {
        json_decref(rd.problems);
        json_decref(*problems);
        *problems = NULL;
    } else if (*problems == NULL) {
        *problems = rd.problems;
    } else {
        json_decref(rd.problems);
    }
    if (rc != CF_OK)
        agreement_table_free(t);
    return rc;
}

void agreement_table_free(struct agreement_table *t)
{
    if (t == NULL)
        return;
    free(t->x);
    memset(t, 0, sizeof *t);
}

/* --- the view -------------------------------------------------------------------------- */

/* A value as a JSON number, or null when undefined. */
static json_t *value_json(const struct agreement_value *v)
{
    return v->defined && isfinite(v->value) ? json_real(v->value) : json_null();
}

/* {"value", "why"} for the details: why names the reason a value is null. */
static json_t *value_detail(const struct agreement_value *v)
{
    return json_pack("{s:o, s:s?}", "value", value_json(v), "why",
                     v->defined ? NULL : agreement_why_text(v->why));
}

/* The ICC object {"ICC1", ..., "ICC3k"}. */
static json_t *icc_view(const struct agreement_icc *icc)
{
    return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "ICC1", value_json(&icc->icc1), "ICC2",
                     value_json(&icc->icc2), "ICC3", value_json(&icc->icc3), "ICC1k",
                     value_json(&icc->icc1k), "ICC2k", value_json(&icc->icc2k), "ICC3k",
                     value_json(&icc->icc3k));
}

/* The ingredients of the ICCs: the ANOVA table of the complete subjects. */
static json_t *icc_detail(const struct agreement_icc *icc)
{
    json_int_t n = (json_int_t)icc->n, k = (json_int_t)icc->k;
    int ok = icc->n >= 2 && icc->k >= 2;

    return json_pack(
        "{s:s, s:I, s:I, s:I, s:f, s:{s:f, s:f, s:f, s:f, s:f},"
        " s:{s:I, s:I, s:I, s:I, s:I}, s:{s:f, s:f, s:f, s:f},"
        " s:{s:o, s:o, s:o, s:o, s:o, s:o}}",
        "method", "Shrout & Fleiss (1979) from a two-way ANOVA of the subjects every rater rated",
        "subjects", n, "raters", k, "dropped_subjects", (json_int_t)icc->dropped, "mean", icc->mean,
        "ss", "total", icc->sst, "subjects", icc->ssr, "within", icc->ssw, "raters", icc->ssc,
        "residual", icc->sse, "df", "total", ok ? n * k - 1 : 0, "subjects", ok ? n - 1 : 0,
        "within", ok ? n * (k - 1) : 0, "raters", ok ? k - 1 : 0, "residual",
        ok ? (n - 1) * (k - 1) : 0, "ms", "MSR", icc->msr, "MSW", icc->msw, "MSC", icc->msc, "MSE",
        icc->mse, "values", "ICC1", value_detail(&icc->icc1), "ICC2", value_detail(&icc->icc2),
        "ICC3", value_detail(&icc->icc3), "ICC1k", value_detail(&icc->icc1k), "ICC2k",
        value_detail(&icc->icc2k), "ICC3k", value_detail(&icc->icc3k));
}

/* One kappa's details: the value, why it is null, the observed and expected agreement. */
static json_t *kappa_part_detail(const struct agreement_kappa_part *k)
{
    return json_pack("{s:o, s:s?, s:f, s:f}", "value", value_json(&k->kappa), "why",
                     k->kappa.defined ? NULL : agreement_why_text(k->kappa.why), "observed",
                     k->observed, "expected", k->expected);
}

json_t *agreement_view(const struct agreement_table *t, const struct agreement_icc *icc,
                       const struct agreement_kappa *kappa)
{
    json_t *v = json_pack("{s:I, s:I, s:I, s:I, s:o}", "subjects", (json_int_t)t->n, "raters",
                          (json_int_t)t->r, "levels", (json_int_t)t->levels, "complete_subjects",
                          (json_int_t)t->complete, "icc", icc_view(icc));
    json_t *details = json_pack("{s:o}", "icc", icc_detail(icc));

    if (v == NULL || details == NULL)
        goto fail;
    if (kappa != NULL) {
        if (json_object_set_new(v, "kappa",
                                json_pack("{s:o, s:o, s:o}", "unweighted",
                                          value_json(&kappa->unweighted.kappa), "linear",
                                          value_json(&kappa->linear.kappa), "quadratic",
                                          value_json(&kappa->quadratic.kappa))) != 0 ||
            json_object_set_new(
                details, "kappa",
                json_pack("{s:s, s:I, s:I, s:I, s:o, s:o, s:o}", "method",
                          "Cohen (1960) and weighted (1968), weights over the full scale of "
                          "levels, subjects both raters rated",
                          "subjects", (json_int_t)kappa->n, "dropped_subjects",
                          (json_int_t)kappa->dropped, "levels", (json_int_t)kappa->levels,
                          "unweighted", kappa_part_detail(&kappa->unweighted), "linear",
                          kappa_part_detail(&kappa->linear), "quadratic",
                          kappa_part_detail(&kappa->quadratic))) != 0)
            goto fail;
    }
    if (json_object_set_new(v, "details", details) != 0) {
        details = NULL;
        goto fail;
    }
    return v;

fail:
    json_decref(v);
    json_decref(details);
    return NULL;
}

int agreement_report(const char *p, size_t n, int levels, json_t **out, json_t **problems)
{
    struct agreement_table t;
    struct agreement_matrix m;
    struct agreement_icc icc;
    struct agreement_kappa kappa;
    int rc;

    *out = NULL;
    rc = agreement_csv(p, n, levels, &t, problems);
    if (rc != CF_OK)
        return rc;
    m.x = t.x;
    m.n = t.n;
    m.r = t.r;
    rc = agreement_icc(&m, &icc);
    if (rc == CF_OK && t.r == 2)
        rc = agreement_kappa(&m, t.levels, &kappa, NULL);
    if (rc == CF_OK) {
        *out = agreement_view(&t, &icc, t.r == 2 ? &kappa : NULL);
        if (*out == NULL)
            rc = CF_ENOMEM;
    }
    agreement_table_free(&t);
    if (rc != CF_OK) {
        json_decref(*problems);
        *problems = NULL;
    }
    return rc;
}
