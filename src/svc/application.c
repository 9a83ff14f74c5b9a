/*
 * application.c — applying for a credential and reviewing applications
 * (issue 8, point 2).
 *
 * A candidate fills in one application per program (a draft saved at every
 * form post), sees the arithmetic of their years of relevant experience and
 * every eligibility rule met or missed, then submits. A waiver application
 * asks the supervisor for a signed recommendation by a one-time link.
 * Reviewers work the queue oldest first: approve (an authorization to test
 * with an eligibility id), reject with a reason or ask for information.
 * A rejection can be appealed once, decided by someone other than the reviewer
 * who rejected. A reviewer's declared conflicts of interest keep them off the
 * applications they cover. Every change runs after svc__begin (the rules read
 * inside the transaction), records the rules version used, writes an
 * application event and an audit entry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/application.h"
#include "core/program.h"
#include "lib/clock.h"
#include "svc/svc_impl.h"

/* Characters of a short field (employer, title, institution, a name). */
#define APP_SHORT_MAX 200
/* Characters of a long text (waiver request, reason, statement, answer). */
#define APP_LONG_MAX 4000
/* Bytes of a long text's copy (UTF-8: up to 4 bytes a character). */
#define APP_LONG_BYTES  (APP_LONG_MAX * 4 + 1)
#define APP_SHORT_BYTES (APP_SHORT_MAX * 4 + 1)
/* Applications a queue page shows. */
#define QUEUE_PAGE 25
/* The supervisor's link works this long. */
#define SUPERVISOR_TTL_S (30L * 24 * 60 * 60)
/* Digits of an eligibility id's sequence (E-CETL-2026-000123). */
#define ELIG_SEQ_DIGITS 6
#define ELIG_ID_MAX     48
/* The earliest year of a degree the form takes. */
#define DEGREE_YEAR_MIN 1940
#define ACTOR_MAX       64

static const char NO_SUCH[] = "There is no such application. Check the address.";

/* --- small helpers ------------------------------------------------------------------ */

static int nomem(struct cf_error *err)
{
    return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
}

/* A checkbox or boolean: true, or a form's "on", "1", "true", "yes". */
static int flag(const json_t *v)
{
    const char *s = json_string_value(v);

    return json_is_true(v) || (s != NULL && (strcmp(s, "on") == 0 || strcmp(s, "1") == 0 ||
                                             strcmp(s, "true") == 0 || strcmp(s, "yes") == 0));
}

/*
 * A long text (line breaks allowed) of in: trimmed copy into out (APP_LONG_BYTES);
 * CF_EINVAL naming field when required and empty, too long, or holding other
 * control characters.
 */
static int long_text(const json_t *in, const char *field, int required, const char *label,
                     char *out, struct cf_error *err)
{
    const char *v = svc__str(in, field), *b, *e;
    size_t chars = 0;

    out[0] = '\0';
    if (v == NULL)
        v = "";
    for (b = v; *b == ' ' || *b == '\t' || *b == '\n' || *b == '\r'; b++)
        ;
    for (e = b + strlen(b);
         e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'); e--)
        ;
    if (e == b)
        return required ? cf_error_set(err, CF_EINVAL, field, "Enter %s.", label) : CF_OK;
    for (const unsigned char *c = (const unsigned char *)b; c < (const unsigned char *)e; c++) {
        if ((*c < 0x20 && *c != '\n' && *c != '\r' && *c != '\t') || *c == 0x7f)
            return cf_error_set(err, CF_EINVAL, field, "Remove the control characters from %s.",
                                label);
        if ((*c & 0xc0) != 0x80)
            chars++;
    }
    if (chars > APP_LONG_MAX || (size_t)(e - b) + 1 > APP_LONG_BYTES)
        return cf_error_set(err, CF_EINVAL, field, "Shorten %s to at most %d characters.", label,
                            APP_LONG_MAX);
    memcpy(out, b, (size_t)(e - b));
    out[e - b] = '\0';
    return CF_OK;
}

static const char *me(const struct svc *sv)
{
    return sv->who != NULL ? sv->who->person_id : NULL;
}

static void actor_of(const struct svc *sv, char *buf, size_t n)
{
    if (snprintf(buf, n, "%s", sv->actor != NULL ? sv->actor : "system") >= (int)n)
        buf[n - 1] = '\0';
}

static const char *str_or(const json_t *o, const char *k, const char *dflt)
{
    const char *s = svc__str(o, k);

    return s != NULL ? s : dflt;
}

/* The application's state change: the event on its timeline and the audit entry. */
static int record(const struct svc *sv, const json_t *app, const char *kind, const char *note,
                  const char *action, const json_t *after, struct cf_error *err)
{
    char now[32], actor[ACTOR_MAX];
    int rc;

    clock_now_iso(now, sizeof now);
    actor_of(sv, actor, sizeof actor);
    rc = store_app_event_add(sv->store, svc__str(app, "id"), now, actor, kind, note, err);
    if (rc == CF_OK)
        rc = svc__audit(sv, svc__str(app, "person_org"), action, "application", svc__str(app, "id"),
                        NULL, after, err);
    return rc;
}

/* --- the form: checked and kept as the application's data --------------------------------- */

/* One employment row of in (an object) into row, errors named emp<i>_<field>. */
static void check_row(struct svc_checks *ck, const json_t *in, int i, struct clock_date today,
                      json_t *row, int *blank)
{
    static const char *const keys[] = {"employer", "title", "start", "end"};
    char f[4][24], v[4][APP_SHORT_BYTES];
    struct clock_date s = {0, 0, 0}, e = {0, 0, 0};
    int current = flag(json_object_get(in, "current")),
        relevant = flag(json_object_get(in, "relevant"));
    struct cf_error er;

    for (int k = 0; k < 4; k++) {
        json_t *one = json_object();

        snprintf(f[k], sizeof f[k], "emp%d_%s", i, keys[k]);
        json_object_set(one, f[k], json_object_get(in, keys[k]));
        svc__check(ck,
                   svc__text(one, f[k], 0, APP_SHORT_MAX,
                             k == 0   ? "the employer"
                             : k == 1 ? "the title"
                             : k == 2 ? "the start date"
                                      : "the end date",
                             v[k], sizeof v[k], &er),
                   &er);
        json_decref(one);
    }
    *blank = v[0][0] == '\0' && v[1][0] == '\0' && v[2][0] == '\0' && v[3][0] == '\0' && !current;
    if (*blank)
        return;
    if (v[2][0] != '\0' && clock_date_parse(v[2], &s) != 0) {
        cf_error_set(&er, CF_EINVAL, f[2],
                     "Enter the start date as YYYY-MM-DD, for example 2019-08-01.");
        svc__check(ck, CF_EINVAL, &er);
        s.y = 0;
    } else if (v[2][0] != '\0' && clock_date_cmp(s, today) > 0) {
        cf_error_set(&er, CF_EINVAL, f[2], "Enter a start date that is not in the future.");
        svc__check(ck, CF_EINVAL, &er);
    }
    if (v[3][0] != '\0' && current) {
        cf_error_set(&er, CF_EINVAL, f[3],
                     "Leave the end date empty for a current job, or untick \"current\".");
        svc__check(ck, CF_EINVAL, &er);
    } else if (v[3][0] != '\0' && clock_date_parse(v[3], &e) != 0) {
        cf_error_set(&er, CF_EINVAL, f[3],
                     "Enter the end date as YYYY-MM-DD, for example 2023-06-30.");
        svc__check(ck, CF_EINVAL, &er);
    } else if (v[3][0] != '\0' && s.y != 0 && clock_date_cmp(e, s) < 0) {
        cf_error_set(&er, CF_EINVAL, f[3], "Enter an end date on or after the start date.");
        svc__check(ck, CF_EINVAL, &er);
    } else if (v[3][0] != '\0' && clock_date_cmp(e, today) > 0) {
        cf_error_set(&er, CF_EINVAL, f[3],
                     "Enter an end date that is not in the future, or tick \"current\".");
        svc__check(ck, CF_EINVAL, &er);
    }
    json_object_set_new(row, "employer", json_string(v[0]));
    json_object_set_new(row, "title", json_string(v[1]));
    json_object_set_new(row, "start", json_string(v[2]));
    json_object_set_new(row, "end", json_string(v[3]));
    json_object_set_new(row, "current", json_boolean(current));
    json_object_set_new(row, "relevant", json_boolean(relevant));
}

/*
 * The form in (flat fields and "employment": [{employer, title, start, end,
 * current, relevant}]) checked field by field into *data (a new object). Every
 * field at fault is reported; CF_EINVAL then, *data NULL.
 */
static int form_data(const json_t *in, struct clock_date today, json_t **data, struct cf_error *err)
{
    struct svc_checks ck = {err, CF_OK};
    char inst[APP_SHORT_BYTES], sname[APP_SHORT_BYTES], semail[256] = "";
    char *wreq = malloc(APP_LONG_BYTES);
    const char *deg = svc__str(in, "degree"), *year = svc__str(in, "year");
    const char *se = svc__str(in, "supervisor_email");
    json_t *rows = json_array(), *emp = json_object_get(in, "employment"), *r;
    struct cf_error e;
    size_t i;
    int blank;

    *data = NULL;
    if (wreq == NULL || rows == NULL) {
        free(wreq);
        json_decref(rows);
        return nomem(err);
    }
    if (deg != NULL && deg[0] != '\0' && program_degree_of(deg) < 0) {
        cf_error_set(&e, CF_EINVAL, "degree",
                     "Choose your highest degree from the list (or \"No degree\").");
        svc__check(&ck, CF_EINVAL, &e);
    }
    svc__check(
        &ck,
        svc__text(in, "institution", 0, APP_SHORT_MAX, "the institution", inst, sizeof inst, &e),
        &e);
    if (year != NULL && year[0] != '\0') {
        char *end;
        long y = strtol(year, &end, 10);

        if (*end != '\0' || y < DEGREE_YEAR_MIN || y > today.y) {
            cf_error_set(&e, CF_EINVAL, "year",
                         "Enter the year of the degree as four digits, %d to %d.", DEGREE_YEAR_MIN,
                         today.y);
            svc__check(&ck, CF_EINVAL, &e);
        }
    }
    if (emp != NULL && !json_is_array(emp)) {
        cf_error_set(&e, CF_EINVAL, "employment", "Send the employment history as a list of rows.");
        svc__check(&ck, CF_EINVAL, &e);
    } else if (json_array_size(emp) > APP_PERIODS_MAX) {
        cf_error_set(&e, CF_EINVAL, "employment",
                     "List at most %d jobs: join short ones at the same employer.",
                     APP_PERIODS_MAX);
        svc__check(&ck, CF_EINVAL, &e);
    } else {
        json_array_foreach(emp, i, r)
        {
            json_t *row = json_object();

            check_row(&ck, json_is_object(r) ? r : NULL, (int)i, today, row, &blank);
            if (!blank)
                json_array_append(rows, row);
            json_decref(row);
        }
    }
    svc__check(&ck, long_text(in, "waiver_request", 0, "the waiver request", wreq, &e), &e);
    svc__check(&ck,
               svc__text(in, "supervisor_name", 0, APP_SHORT_MAX, "your supervisor's name", sname,
                         sizeof sname, &e),
               &e);
    if (se != NULL && se[0] != '\0')
        svc__check(&ck, svc__email(se, semail, sizeof semail, "supervisor_email", &e), &e);

    if (ck.rc == CF_OK)
        *data =
            json_pack("{s:s, s:s, s:s, s:O, s:b, s:b, s:s, s:s, s:s}", "degree",
                      deg != NULL ? deg : "", "institution", inst, "year", year != NULL ? year : "",
                      "employment", rows, "attestation", flag(json_object_get(in, "attestation")),
                      "code_of_conduct", flag(json_object_get(in, "code_of_conduct")),
                      "waiver_request", wreq, "supervisor_name", sname, "supervisor_email", semail);
    free(wreq);
    json_decref(rows);
    if (ck.rc == CF_OK && *data == NULL)
        return nomem(err);
    return ck.rc;
}

/* --- eligibility: the arithmetic and every rule ------------------------------------------ */

struct evaluation {
    struct app_experience x;
    struct program_eligibility elig;
    int waiver_path; /* index of the path the waiver request is for, -1: none */
    int waiver_ok;   /* that path's rules met but the signature still to come */
};

static int is_waiver(const json_t *data)
{
    const char *w = svc__str(data, "waiver_request");

    return w != NULL && w[0] != '\0';
}

/*
 * The experience (relevant rows only; a current job up to today) and the
 * eligibility of data under p, with signed the supervisor's signature, into ev
 * and a view {experience: {periods, union_days, years, months, arithmetic},
 * eligibility: {eligible, path, path_label, waiver, rules: [{path, met, text}]}}.
 */
static json_t *evaluate(const struct program *p, const json_t *data, int signed_,
                        struct clock_date today, struct evaluation *ev)
{
    struct app_period per[APP_PERIODS_MAX];
    const json_t *rowsrc[APP_PERIODS_MAX];
    struct program_applicant a;
    struct program_eligibility hyp;
    json_t *periods = json_array(), *rules = json_array(), *row, *v;
    char arith[512] = "", years[16];
    size_t i, used = 0;
    int n = 0, deg;

    memset(ev, 0, sizeof *ev);
    json_array_foreach(json_object_get(data, "employment"), i, row)
    {
        struct clock_date s, e = today;

        if (n >= APP_PERIODS_MAX || !json_is_true(json_object_get(row, "relevant")) ||
            clock_date_parse(str_or(row, "start", ""), &s) != 0)
            continue;
        if (!json_is_true(json_object_get(row, "current")) &&
            clock_date_parse(str_or(row, "end", ""), &e) != 0)
            continue;
        per[n].start = s;
        per[n].end = e;
        rowsrc[n] = row;
        n++;
    }
    app_experience(per, n, &ev->x);
    for (int k = 0; k < n; k++) {
        char end[CLOCK_DATE_LEN];
        int w;

        clock_date_format(per[k].end, end, sizeof end);
        json_array_append_new(periods,
                              json_pack("{s:s, s:s, s:s, s:s, s:b, s:i}", "employer",
                                        str_or(rowsrc[k], "employer", ""), "title",
                                        str_or(rowsrc[k], "title", ""), "start",
                                        str_or(rowsrc[k], "start", ""), "end", end, "current",
                                        json_is_true(json_object_get(rowsrc[k], "current")), "days",
                                        (int)ev->x.days[k]));
        w = snprintf(arith + used, sizeof arith - used, "%s%ld", k > 0 ? " + " : "", ev->x.days[k]);
        if (w > 0 && (size_t)w < sizeof arith - used)
            used += (size_t)w;
    }
    snprintf(years, sizeof years, "%d.%d", ev->x.tenths / 10, ev->x.tenths % 10);
    if (n == 0)
        snprintf(arith, sizeof arith, "No dated relevant employment yet: 0 days, 0.0 years.");
    else if (snprintf(arith + used, sizeof arith - used,
                      " days; counted once where periods overlap: %ld days = %ld / 365.25 = %s "
                      "years.",
                      ev->x.union_days, ev->x.union_days, years) < 0)
        arith[0] = '\0';

    deg = program_degree_of(str_or(data, "degree", ""));
    a.degree = deg > 0 ? (enum program_degree)deg : PROGRAM_DEGREE_NONE;
    a.experience_months = ev->x.months;
    a.waiver_requested = is_waiver(data);
    a.supervisor_recommendation = signed_;
    a.code_of_conduct = json_is_true(json_object_get(data, "code_of_conduct"));
    program_eligibility(p, &a, &ev->elig);

    /* A waiver application may be submitted before the supervisor signs. */
    ev->waiver_path = -1;
    if (a.waiver_requested) {
        a.supervisor_recommendation = 1;
        program_eligibility(p, &a, &hyp);
        for (int k = 0; k < p->npaths; k++)
            if (p->paths[k].waiver) {
                ev->waiver_path = k;
                break;
            }
        ev->waiver_ok = hyp.eligible && ev->waiver_path >= 0 && p->paths[hyp.path].waiver;
    }
    for (int k = 0; k < ev->elig.nrules; k++) {
        const struct program_elig_rule *r = &ev->elig.rules[k];

        json_array_append_new(rules,
                              json_pack("{s:s, s:b, s:s}", "path",
                                        r->path >= 0 ? p->paths[r->path].label : "Every path",
                                        "met", r->met, "text", r->text));
    }
    v = json_pack("{s:{s:b, s:o, s:i, s:s, s:i, s:s}, s:{s:b, s:s?, s:s?, s:b, s:b, s:o}}",
                  "experience", "has_periods", n > 0, "periods", periods, "union_days",
                  (int)ev->x.union_days, "years", years, "months", ev->x.months, "arithmetic",
                  arith, "eligibility", "eligible", ev->elig.eligible, "path",
                  ev->elig.eligible ? p->paths[ev->elig.path].id : NULL, "path_label",
                  ev->elig.eligible ? p->paths[ev->elig.path].label : NULL, "waiver",
                  a.waiver_requested, "waiver_ok", ev->waiver_ok, "rules", rules);
    return v;
}

/*
 * What submission still needs, every field named into err: CF_EINVAL when a
 * required field is missing, CF_ECONFLICT (no field) when the candidate is not
 * eligible and not applying by waiver, with every rule missed.
 */
static int submit_ready(const struct program *p, const json_t *data, const struct evaluation *ev,
                        struct cf_error *err)
{
    struct svc_checks ck = {err, CF_OK};
    struct cf_error e;
    const char *deg = str_or(data, "degree", "");
    json_t *row;
    size_t i;

#define NEED(cond, field, msg)                                                                     \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            cf_error_set(&e, CF_EINVAL, field, msg);                                               \
            svc__check(&ck, CF_EINVAL, &e);                                                        \
        }                                                                                          \
    } while (0)
    NEED(deg[0] != '\0', "degree", "Choose your highest degree (or \"No degree\").");
    NEED(strcmp(deg, "none") == 0 || str_or(data, "institution", "")[0] != '\0', "institution",
         "Enter the institution that awarded your degree.");
    NEED(strcmp(deg, "none") == 0 || str_or(data, "year", "")[0] != '\0', "year",
         "Enter the year of your degree.");
    NEED(json_array_size(json_object_get(data, "employment")) > 0, "emp0_employer",
         "Enter at least one job of your employment history.");
    json_array_foreach(json_object_get(data, "employment"), i, row)
    {
        char f[48];

        snprintf(f, sizeof f, "emp%zu_employer", i);
        NEED(str_or(row, "employer", "")[0] != '\0', f, "Enter the employer or organization.");
        snprintf(f, sizeof f, "emp%zu_title", i);
        NEED(str_or(row, "title", "")[0] != '\0', f, "Enter the job title.");
        snprintf(f, sizeof f, "emp%zu_start", i);
        NEED(str_or(row, "start", "")[0] != '\0', f, "Enter the start date.");
        snprintf(f, sizeof f, "emp%zu_end", i);
        NEED(str_or(row, "end", "")[0] != '\0' || json_is_true(json_object_get(row, "current")), f,
             "Enter the end date, or tick \"current\".");
    }
    NEED(json_is_true(json_object_get(data, "attestation")), "attestation",
         "Tick the box to attest that what you entered is true.");
    NEED(!p->code_of_conduct || json_is_true(json_object_get(data, "code_of_conduct")),
         "code_of_conduct", "Tick the box to accept the code of conduct.");
    if (is_waiver(data)) {
        NEED(str_or(data, "supervisor_name", "")[0] != '\0', "supervisor_name",
             "Enter your supervisor's name: they sign the recommendation a waiver needs.");
        NEED(str_or(data, "supervisor_email", "")[0] != '\0', "supervisor_email",
             "Enter your supervisor's e-mail address: the link to sign is sent there.");
    }
#undef NEED
    if (ck.rc != CF_OK)
        return ck.rc;
    if (!ev->elig.eligible && !ev->waiver_ok) {
        char msg[sizeof err->message];
        size_t used = 0;
        int w = snprintf(msg, sizeof msg,
                         "You are not eligible yet, so the application cannot "
                         "be submitted.");

        used = w > 0 ? (size_t)w : 0;
        for (int k = 0; k < ev->elig.nrules && used < sizeof msg; k++) {
            if (ev->elig.rules[k].met)
                continue;
            w = snprintf(msg + used, sizeof msg - used, " %s", ev->elig.rules[k].text);
            if (w < 0 || (size_t)w >= sizeof msg - used)
                break;
            used += (size_t)w;
        }
        return cf_error_set(err, CF_ECONFLICT, NULL, "%s", msg);
    }
    return CF_OK;
}

/* --- views -------------------------------------------------------------------------- */

/* Whether the candidate may still change the application's data. */
static int editable(const char *status)
{
    return strcmp(status, "draft") == 0 || strcmp(status, "info_requested") == 0;
}

/* The statuses after which /apply starts a new application. */
static int closed(const char *status)
{
    return strcmp(status, "withdrawn") == 0 || strcmp(status, "rejected") == 0 ||
           strcmp(status, "appeal_denied") == 0;
}

static const char *status_words(const char *s)
{
    static const char *const w[][2] = {
        {"draft", "Draft"},
        {"submitted", "Submitted, waiting for review"},
        {"info_requested", "More information requested"},
        {"approved", "Approved"},
        {"rejected", "Rejected"},
        {"withdrawn", "Withdrawn"},
        {"appealed", "Appealed, waiting for a decision"},
        {"appeal_upheld", "Appeal upheld: approved"},
        {"appeal_denied", "Appeal denied: final"},
    };

    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
        if (strcmp(w[i][0], s) == 0)
            return w[i][1];
    return s;
}

static const char *event_words(const char *k)
{
    static const char *const w[][2] = {
        {"created", "Application started"},
        {"submitted", "Submitted"},
        {"info_requested", "More information requested"},
        {"answered", "Information given"},
        {"approved", "Approved: authorization to test given"},
        {"rejected", "Rejected"},
        {"withdrawn", "Withdrawn"},
        {"appealed", "Appealed"},
        {"appeal_upheld", "Appeal upheld: authorization to test given"},
        {"appeal_denied", "Appeal denied"},
        {"supervisor_requested", "Supervisor asked to sign the recommendation"},
        {"supervisor_signed", "Supervisor signed the recommendation"},
    };

    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
        if (strcmp(w[i][0], k) == 0)
            return w[i][1];
    return k;
}

/* The data as the form shows it: the rows plus blank ones to fill in (at least one). */
static json_t *form_view(const json_t *data)
{
    json_t *f = json_deep_copy(data), *rows = json_array(), *r;
    size_t i, n;

    if (f == NULL)
        f = json_object();
    json_array_foreach(json_object_get(data, "employment"), i, r)
    {
        json_t *c = json_deep_copy(r);

        json_object_set_new(c, "i", json_integer((json_int_t)i));
        json_array_append_new(rows, c);
    }
    n = json_array_size(rows);
    for (size_t k = n; k < APP_PERIODS_MAX && k < n + 2; k++)
        json_array_append_new(rows, json_pack("{s:i, s:s, s:s, s:s, s:s, s:b, s:b}", "i", (int)k,
                                              "employer", "", "title", "", "start", "", "end", "",
                                              "current", 0, "relevant", 1));
    json_object_set_new(f, "rows", rows);
    {
        const char *deg = str_or(data, "degree", "");
        json_t *opts = json_array();

        for (int d = 0; d <= PROGRAM_DEGREE_DOCTORATE; d++) {
            const char *nm = program_degree_name((enum program_degree)d);

            json_array_append_new(opts, json_pack("{s:s, s:s, s:b}", "value", nm, "label",
                                                  d == 0 ? "No degree" : nm, "selected",
                                                  strcmp(deg, nm) == 0));
        }
        json_object_set_new(f, "degrees", opts);
    }
    return f;
}

/*
 * The full view of application row (its events, authorization, supervisor's
 * recommendation and evaluation under p as of today).
 */
static int app_view(const struct svc *sv, const struct program *p, json_t *row, json_t **out,
                    struct cf_error *err)
{
    json_t *events = NULL, *auths = NULL, *sup = NULL, *e, *ev;
    const char *status = svc__str(row, "status");
    struct evaluation evl;
    size_t i;
    int rc, signed_;

    *out = NULL;
    rc = store_app_events(sv->store, svc__str(row, "id"), &events, err);
    if (rc == CF_OK)
        rc = store_auth_for_app(sv->store, svc__str(row, "id"), &auths, err);
    if (rc == CF_OK) {
        rc = store_supervisor_get(sv->store, svc__str(row, "id"), &sup, err);
        if (rc == CF_ENOTFOUND) {
            rc = CF_OK;
            sup = json_null();
        }
    }
    if (rc != CF_OK)
        goto out;
    json_array_foreach(events, i, e)
    {
        json_object_set_new(e, "words", json_string(event_words(svc__str(e, "kind"))));
    }
    signed_ = !json_is_null(json_object_get(sup, "signed_at")) && json_is_object(sup);
    ev = evaluate(p, json_object_get(row, "data"), signed_, clock_date_of(clock_now()), &evl);
    *out = json_object();
    if (*out == NULL || ev == NULL) {
        json_decref(ev);
        rc = nomem(err);
        goto out;
    }
    {
        static const char *const keys[] = {"id",         "program_code",    "person_name",
                                           "status",     "rules_version",   "submitted_at",
                                           "decided_at", "decided_by_name", "reason",
                                           "data",       "created_at",      "updated_at"};

        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            json_t *x = json_object_get(row, keys[k]);

            json_object_set(*out, keys[k], x != NULL ? x : json_null());
        }
    }
    json_object_set_new(*out, "program_name", json_string(p->name));
    json_object_set_new(*out, "status_words", json_string(status_words(status)));
    json_object_set(*out, "authorization",
                    json_array_size(auths) > 0 ? json_array_get(auths, 0) : json_null());
    json_object_set_new(*out, "has_events", json_boolean(json_array_size(events) > 0));
    json_object_set_new(*out, "events", events);
    json_object_set_new(*out, "supervisor", sup);
    events = sup = NULL;
    json_object_set_new(*out, "evaluation", ev);
    json_object_set_new(*out, "editable", json_boolean(editable(status)));
    json_object_set_new(*out, "is_draft", json_boolean(strcmp(status, "draft") == 0));
    json_object_set_new(*out, "can_withdraw",
                        json_boolean(strcmp(status, "draft") == 0 ||
                                     strcmp(status, "submitted") == 0 ||
                                     strcmp(status, "info_requested") == 0));
    json_object_set_new(*out, "can_answer", json_boolean(strcmp(status, "info_requested") == 0));
    json_object_set_new(*out, "can_appeal", json_boolean(strcmp(status, "rejected") == 0));
out:
    json_decref(events);
    json_decref(auths);
    json_decref(sup);
    return rc;
}

/* --- the candidate ---------------------------------------------------------------------- */

/* A new struct program (freed by the caller), or NULL. */
static struct program *program_new(struct cf_error *err)
{
    struct program *p = calloc(1, sizeof *p);

    if (p == NULL)
        nomem(err);
    return p;
}

int svc_apply_get(const struct svc *sv, const char *program, json_t **out, struct cf_error *err)
{
    struct program *p = program_new(err);
    json_t *row = NULL, *empty = NULL;
    struct evaluation evl;
    int rc;

    *out = NULL;
    if (p == NULL)
        return CF_ENOMEM;
    if (me(sv) == NULL) {
        rc = cf_error_set(err, CF_EUNAUTH, NULL, "Sign in to apply.");
        goto out;
    }
    rc = svc__program_rules(sv, program, 0, p, NULL, err);
    if (rc != CF_OK)
        goto out;
    rc = store_app_latest(sv->store, me(sv), program, &row, err);
    if (rc == CF_OK && !closed(svc__str(row, "status"))) {
        rc = app_view(sv, p, row, out, err);
        if (rc == CF_OK)
            json_object_set_new(*out, "fill", form_view(json_object_get(row, "data")));
        goto out;
    }
    if (rc != CF_OK && rc != CF_ENOTFOUND)
        goto out;
    rc = CF_OK;
    empty = json_pack("{s:[]}", "employment");
    *out = json_pack("{s:n, s:s, s:s, s:s, s:s, s:b, s:b, s:o, s:o, s:o}", "id", "program", p->code,
                     "program_name", p->name, "status", "new", "status_words", "Not started",
                     "editable", 1, "is_draft", 1, "evaluation",
                     evaluate(p, empty, 0, clock_date_of(clock_now()), &evl), "fill",
                     form_view(empty), "events", json_array());
    if (*out == NULL)
        rc = nomem(err);
    else if (row != NULL)
        json_object_set(*out, "previous", json_object_get(row, "id"));
out:
    json_decref(empty);
    json_decref(row);
    free(p);
    return rc;
}

/* Asks the supervisor of app (data) to sign, with a new one-time link by e-mail. */
static int ask_supervisor(const struct svc *sv, const json_t *app, const json_t *data,
                          struct cf_error *err)
{
    char token[44], hash[65], now[32], exp[32];
    char *body = NULL, *subject = NULL;
    int rc;

    clock_now_iso(now, sizeof now);
    svc__iso_after(SUPERVISOR_TTL_S, exp, sizeof exp);
    svc__token_new(token);
    svc__token_hash(token, hash);
    rc = store_supervisor_request(sv->store, svc__str(app, "id"), hash,
                                  svc__str(data, "supervisor_name"),
                                  svc__str(data, "supervisor_email"), now, exp, err);
    if (rc != CF_OK)
        goto out;
    if (asprintf(&subject, "%s asks for your recommendation", svc__str(app, "person_name")) < 0)
        subject = NULL;
    if (asprintf(&body,
                 "Dear %s,\n\n%s has applied for the %s credential by waiver and names you as "
                 "their supervisor. The waiver needs your signed recommendation.\n\nRead the "
                 "request and sign it here (no account needed; the link works for 30 days and "
                 "once):\n%s/supervisor/%s\n\nIf you do not know this person, ignore this "
                 "message.\n",
                 svc__str(data, "supervisor_name"), svc__str(app, "person_name"),
                 svc__str(app, "program_code"),
                 sv->base_url != NULL ? sv->base_url : "http://127.0.0.1:8080", token) < 0)
        body = NULL;
    if (subject == NULL || body == NULL) {
        rc = nomem(err);
        goto out;
    }
    rc = svc__send(sv, "supervisor", svc__str(data, "supervisor_email"), NULL, subject, body, err);
    if (rc == CF_OK)
        rc = record(sv, app, "supervisor_requested", svc__str(data, "supervisor_email"),
                    "application.supervisor_request", NULL, err);
out:
    sodium_memzero(token, sizeof token);
    if (body != NULL)
        sodium_memzero(body, strlen(body));
    free(body);
    free(subject);
    return rc;
}

int svc_apply_save(const struct svc *sv, const char *program, const json_t *in, int submit,
                   json_t **out, struct cf_error *err)
{
    struct program *p = program_new(err);
    struct clock_date today = clock_date_of(clock_now());
    json_t *data = NULL, *row = NULL, *sup = NULL, *ev = NULL;
    struct cf_error serr;
    struct evaluation evl;
    char now[32], id[37];
    char *text = NULL;
    int rc, src = CF_OK, version = 0;

    *out = NULL;
    if (p == NULL)
        return CF_ENOMEM;
    if (me(sv) == NULL) {
        rc = cf_error_set(err, CF_EUNAUTH, NULL, "Sign in to apply.");
        goto done;
    }
    rc = form_data(in, today, &data, err);
    if (rc != CF_OK)
        goto done;
    text = json_dumps(data, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (text == NULL) {
        rc = nomem(err);
        goto done;
    }
    clock_now_iso(now, sizeof now);

    rc = svc__begin(sv, err);
    if (rc != CF_OK)
        goto done;
    rc = svc__program_rules(sv, program, 0, p, &version, err);
    if (rc != CF_OK)
        goto out;
    rc = store_app_latest(sv->store, me(sv), program, &row, err);
    if (rc == CF_ENOTFOUND || (rc == CF_OK && closed(svc__str(row, "status")))) {
        json_decref(row);
        row = NULL;
        svc__uuid(id);
        rc = store_app_insert(sv->store, id, program, me(sv), "{}", now, err);
        if (rc == CF_OK)
            rc = store_app_get(sv->store, id, &row, err);
        if (rc == CF_OK)
            rc = record(sv, row, "created", NULL, "application.create", NULL, err);
    }
    if (rc != CF_OK)
        goto out;
    if (!editable(svc__str(row, "status"))) {
        rc = cf_error_set(err, CF_ECONFLICT, NULL,
                          "This application is %s, so it can no longer be changed. Open it to "
                          "follow its progress.",
                          status_words(svc__str(row, "status")));
        goto out;
    }
    rc = store_app_save_data(sv->store, svc__str(row, "id"), text, now, err);
    if (rc == CF_OK)
        rc = svc__audit(sv, svc__str(row, "person_org"), "application.save", "application",
                        svc__str(row, "id"), NULL, data, err);
    if (rc != CF_OK || !submit)
        goto out;

    /* Submitting: the draft stays saved; a refusal is said after the commit. */
    if (strcmp(svc__str(row, "status"), "draft") != 0) {
        src = cf_error_set(&serr, CF_ECONFLICT, NULL,
                           "This application waits for your answer: give it below instead of "
                           "submitting again.");
        goto out;
    }
    rc = store_supervisor_get(sv->store, svc__str(row, "id"), &sup, err);
    if (rc == CF_ENOTFOUND)
        rc = CF_OK;
    if (rc != CF_OK)
        goto out;
    ev = evaluate(p, data, sup != NULL && !json_is_null(json_object_get(sup, "signed_at")), today,
                  &evl);
    src = submit_ready(p, data, &evl, &serr);
    if (src != CF_OK)
        goto out;
    rc = store_app_set_status(sv->store, svc__str(row, "id"), "draft", "submitted",
                              evl.elig.eligible ? p->paths[evl.elig.path].id
                                                : p->paths[evl.waiver_path].id,
                              version, NULL, NULL, now, err);
    if (rc == CF_OK)
        rc = record(sv, row, "submitted", NULL, "application.submit",
                    json_object_get(ev, "eligibility"), err);
    if (rc == CF_OK && is_waiver(data) && !evl.elig.eligible)
        rc = ask_supervisor(sv, row, data, err);

out:
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    if (rc == CF_OK && src != CF_OK) {
        *err = serr;
        rc = src;
    }
    if (rc == CF_OK || src != CF_OK) {
        json_t *fresh = NULL;
        struct cf_error e2;

        /* The page again as it now stands (for a refused submission: beside the error). */
        if (store_app_get(sv->store, svc__str(row, "id"), &fresh, &e2) == CF_OK &&
            app_view(sv, p, fresh, out, &e2) == CF_OK)
            json_object_set_new(*out, "fill", form_view(json_object_get(fresh, "data")));
        json_decref(fresh);
        if (rc == CF_OK && *out == NULL)
            rc = nomem(err);
    }
done:
    json_decref(ev);
    json_decref(sup);
    json_decref(row);
    json_decref(data);
    free(text);
    free(p);
    return rc;
}

/* The application id of the acting person, read inside or outside a transaction; 404 else. */
static int own(const struct svc *sv, const char *id, json_t **row, struct cf_error *err)
{
    int rc = store_app_get(sv->store, id, row, err);

    if (rc == CF_OK && (me(sv) == NULL || strcmp(svc__str(*row, "person_id"), me(sv)) != 0)) {
        json_decref(*row);
        *row = NULL;
        rc = CF_ENOTFOUND;
    }
    if (rc == CF_ENOTFOUND)
        return cf_error_set(err, CF_ENOTFOUND, NULL, NO_SUCH);
    return rc;
}

/* The view of application row as of its program's current rules. */
static int view_of(const struct svc *sv, json_t *row, json_t **out, struct cf_error *err)
{
    struct program *p = program_new(err);
    int rc;

    if (p == NULL)
        return CF_ENOMEM;
    rc = svc__program_rules(sv, svc__str(row, "program_code"), 0, p, NULL, err);
    if (rc == CF_OK)
        rc = app_view(sv, p, row, out, err);
    free(p);
    return rc;
}

int svc_application_get(const struct svc *sv, const char *id, json_t **out, struct cf_error *err)
{
    json_t *row = NULL;
    int rc = own(sv, id, &row, err);

    *out = NULL;
    if (rc == CF_OK)
        rc = view_of(sv, row, out, err);
    json_decref(row);
    return rc;
}

/* What a candidate's action needs and does. */
struct own_action {
    const char *action;  /* "withdraw", "answer", "appeal" */
    const char *from[3]; /* the statuses it is allowed from */
    const char *to;      /* the status it leads to */
    const char *field;   /* the text it needs (NULL: none) */
    const char *label;   /* that text in a message */
    const char *event;   /* the timeline's kind */
};

static const struct own_action OWN_ACTIONS[] = {
    {"withdraw", {"draft", "submitted", "info_requested"}, "withdrawn", NULL, NULL, "withdrawn"},
    {"answer",
     {"info_requested", NULL, NULL},
     "submitted",
     "answer",
     "your answer to the reviewer",
     "answered"},
    {"appeal",
     {"rejected", NULL, NULL},
     "appealed",
     "statement",
     "why the decision should change",
     "appealed"},
};

int svc_application_act(const struct svc *sv, const char *id, const char *action, const json_t *in,
                        json_t **out, struct cf_error *err)
{
    const struct own_action *a = NULL;
    char *text = malloc(APP_LONG_BYTES);
    struct program *p = program_new(err);
    json_t *row = NULL;
    char now[32];
    int rc, version = 0, ok = 0;

    *out = NULL;
    for (size_t i = 0; i < sizeof OWN_ACTIONS / sizeof OWN_ACTIONS[0]; i++)
        if (strcmp(OWN_ACTIONS[i].action, action) == 0)
            a = &OWN_ACTIONS[i];
    if (text == NULL || p == NULL) {
        rc = nomem(err);
        goto done;
    }
    if (a == NULL) {
        rc = cf_error_set(err, CF_ENOTFOUND, NULL, NO_SUCH);
        goto done;
    }
    rc = a->field != NULL ? long_text(in, a->field, 1, a->label, text, err) : CF_OK;
    if (rc != CF_OK)
        goto done;
    clock_now_iso(now, sizeof now);

    rc = svc__begin(sv, err);
    if (rc != CF_OK)
        goto done;
    rc = own(sv, id, &row, err);
    if (rc == CF_OK)
        rc = svc__program_rules(sv, svc__str(row, "program_code"), 0, p, &version, err);
    if (rc != CF_OK)
        goto out;
    for (int k = 0; k < 3 && a->from[k] != NULL; k++)
        ok |= strcmp(a->from[k], svc__str(row, "status")) == 0;
    if (!ok) {
        const char *st = status_words(svc__str(row, "status"));

        if (strcmp(a->action, "withdraw") == 0)
            rc = cf_error_set(err, CF_ECONFLICT, NULL,
                              "This application is %s, so it can no longer be withdrawn.", st);
        else if (strcmp(a->action, "answer") == 0)
            rc = cf_error_set(err, CF_ECONFLICT, NULL,
                              "This application is %s: no question waits for an answer.", st);
        else
            rc = cf_error_set(err, CF_ECONFLICT, NULL,
                              "This application is %s: only a rejected application can be "
                              "appealed, and only once.",
                              st);
        goto out;
    }
    rc = store_app_set_status(sv->store, id, svc__str(row, "status"), a->to, NULL, version, NULL,
                              NULL, now, err);
    if (rc == CF_OK) {
        char action_code[40];

        snprintf(action_code, sizeof action_code, "application.%s", a->action);
        rc = record(sv, row, a->event, a->field != NULL ? text : NULL, action_code, NULL, err);
    }
out:
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    if (rc == CF_OK) {
        json_decref(row);
        row = NULL;
        rc = own(sv, id, &row, err);
        if (rc == CF_OK)
            rc = app_view(sv, p, row, out, err);
    }
done:
    json_decref(row);
    free(text);
    free(p);
    return rc;
}

/* --- reviewers ------------------------------------------------------------------------ */

static int forbidden_review(struct cf_error *err)
{
    return cf_error_set(err, CF_EFORBIDDEN, NULL,
                        "Only reviewers of the certification program review applications.");
}

int svc_review_queue(const struct svc *sv, long page, json_t **out, struct cf_error *err)
{
    json_t *rows = NULL, *conflicts = NULL, *r;
    long total = 0, pages;
    size_t i;
    int rc;

    *out = NULL;
    if (!svc__can(sv, PERM_APPLICATIONS_REVIEW, NULL))
        return forbidden_review(err);
    if (page < 1)
        page = 1;
    rc = store_app_queue(sv->store, me(sv) != NULL ? me(sv) : "", QUEUE_PAGE,
                         (page - 1) * QUEUE_PAGE, &rows, &total, err);
    if (rc == CF_OK)
        rc = store_conflict_list(sv->store, me(sv) != NULL ? me(sv) : "", &conflicts, err);
    if (rc != CF_OK)
        goto out;
    json_array_foreach(rows, i, r)
    {
        json_object_set_new(r, "status_words", json_string(status_words(svc__str(r, "status"))));
        json_object_set_new(r, "conflict",
                            json_boolean(json_integer_value(json_object_get(r, "conflict")) != 0));
    }
    pages = total == 0 ? 1 : (total + QUEUE_PAGE - 1) / QUEUE_PAGE;
    *out = json_pack("{s:o, s:I, s:I, s:I, s:b, s:o, s:b}", "applications", rows, "total",
                     (json_int_t)total, "page", (json_int_t)page, "pages", (json_int_t)pages,
                     "has_conflicts", json_array_size(conflicts) > 0, "conflicts", conflicts, "any",
                     json_array_size(rows) > 0);
    rows = conflicts = NULL;
    if (*out == NULL)
        rc = nomem(err);
    else {
        if (page > 1)
            json_object_set_new(*out, "prev", json_integer(page - 1));
        if (page < pages)
            json_object_set_new(*out, "next", json_integer(page + 1));
    }
out:
    json_decref(rows);
    json_decref(conflicts);
    return rc;
}

/*
 * Application id as a reviewer with p may act on it: 404 when it is a draft,
 * unknown, or its candidate out of reach; 403 for the reviewer's own
 * application or one their declared conflict of interest covers (set
 * *conflict instead of refusing when conflict is not NULL).
 */
static int reviewable(const struct svc *sv, const char *id, enum perm p, json_t **row,
                      int *conflict, struct cf_error *err)
{
    int rc = store_app_get(sv->store, id, row, err), covered = 0;

    if (rc == CF_OK && (strcmp(svc__str(*row, "status"), "draft") == 0 ||
                        !svc__can(sv, p, svc__str(*row, "person_org")))) {
        rc = CF_ENOTFOUND;
    }
    if (rc == CF_ENOTFOUND)
        rc = cf_error_set(err, CF_ENOTFOUND, NULL, NO_SUCH);
    if (rc == CF_OK && me(sv) != NULL) {
        covered = strcmp(svc__str(*row, "person_id"), me(sv)) == 0;
        if (!covered)
            rc = store_conflict_covers(sv->store, me(sv), svc__str(*row, "person_id"), &covered,
                                       err);
    }
    if (rc == CF_OK && conflict != NULL)
        *conflict = covered;
    else if (rc == CF_OK && covered)
        rc = cf_error_set(err, CF_EFORBIDDEN, NULL,
                          strcmp(svc__str(*row, "person_id"), me(sv)) == 0
                              ? "You cannot decide your own application. Another reviewer will."
                              : "You declared a conflict of interest with this candidate or "
                                "their organization, so you cannot act on this application. "
                                "Leave it to another reviewer.");
    if (rc != CF_OK) {
        json_decref(*row);
        *row = NULL;
    }
    return rc;
}

int svc_review_get(const struct svc *sv, const char *id, json_t **out, struct cf_error *err)
{
    json_t *row = NULL, *rej = NULL;
    const char *st;
    int rc, conflict = 0, rejecter = 0;

    *out = NULL;
    if (!svc__can(sv, PERM_APPLICATIONS_REVIEW, NULL) && !svc__can(sv, PERM_APPEALS_DECIDE, NULL))
        return forbidden_review(err);
    rc = reviewable(sv, id, PERM_APPLICATIONS_REVIEW, &row, &conflict, err);
    if (rc == CF_ENOTFOUND)
        rc = reviewable(sv, id, PERM_APPEALS_DECIDE, &row, &conflict, err);
    if (rc == CF_OK)
        rc = view_of(sv, row, out, err);
    if (rc != CF_OK)
        goto out;
    st = svc__str(row, "status");
    if (store_app_last_actor(sv->store, id, "rejected", &rej, NULL) == CF_OK && sv->actor != NULL)
        rejecter = strcmp(svc__str(rej, "actor"), sv->actor) == 0;
    json_object_set_new(*out, "candidate_email", json_string(str_or(row, "person_email", "")));
    json_object_set_new(*out, "conflict", json_boolean(conflict));
    json_object_set_new(
        *out, "can_decide",
        json_boolean(!conflict && strcmp(st, "submitted") == 0 &&
                     svc__can(sv, PERM_APPLICATIONS_REVIEW, svc__str(row, "person_org"))));
    json_object_set_new(
        *out, "can_decide_appeal",
        json_boolean(!conflict && !rejecter && strcmp(st, "appealed") == 0 &&
                     svc__can(sv, PERM_APPEALS_DECIDE, svc__str(row, "person_org"))));
    json_object_set_new(*out, "was_rejecter", json_boolean(rejecter));
out:
    json_decref(rej);
    json_decref(row);
    return rc;
}

/*
 * The authorization to test for application row under p (version): the next
 * eligibility id of the program and year, issued today, expiring after the
 * program's authorization window.
 */
static int authorize(const struct svc *sv, const struct program *p, int version, const json_t *row,
                     const char *now, json_t **auth, struct cf_error *err)
{
    struct clock_date today = clock_date_of(clock_now());
    char prefix[ELIG_ID_MAX], like[ELIG_ID_MAX + 2], elig[ELIG_ID_MAX], on[CLOCK_DATE_LEN],
        until[CLOCK_DATE_LEN];
    long seq = 0;
    int rc;

    if (snprintf(prefix, sizeof prefix, "E-%s-%04d-", p->code, today.y) >= (int)sizeof prefix ||
        snprintf(like, sizeof like, "%s%%", prefix) >= (int)sizeof like)
        return cf_error_set(err, CF_EINVAL, NULL, "The program code is too long for an id.");
    rc = store_auth_next_seq(sv->store, like, &seq, err);
    if (rc != CF_OK)
        return rc;
    if (snprintf(elig, sizeof elig, "%s%0*ld", prefix, ELIG_SEQ_DIGITS, seq) >= (int)sizeof elig)
        return cf_error_set(err, CF_EINVAL, NULL, "The eligibility id is too long.");
    clock_date_format(today, on, sizeof on);
    clock_date_format(clock_date_add_days(today, p->authorization_days), until, sizeof until);
    rc = store_auth_insert(sv->store, elig, svc__str(row, "id"), version, on, until, now, err);
    if (rc == CF_OK)
        *auth = json_pack("{s:s, s:s, s:s, s:i}", "eligibility_id", elig, "issued_on", on,
                          "expires_on", until, "rules_version", version);
    return rc;
}

/* The decisions a reviewer takes, and those on an appeal. */
struct decision {
    const char *decision; /* as posted */
    const char *from;     /* the status it needs */
    const char *to;
    enum perm perm;
    int reason_required;
    int authorizes;
    const char *event;
    const char *action;
};

static const struct decision DECISIONS[] = {
    {"approve", "submitted", "approved", PERM_APPLICATIONS_REVIEW, 0, 1, "approved",
     "application.approve"},
    {"reject", "submitted", "rejected", PERM_APPLICATIONS_REVIEW, 1, 0, "rejected",
     "application.reject"},
    {"info", "submitted", "info_requested", PERM_APPLICATIONS_REVIEW, 1, 0, "info_requested",
     "application.info_request"},
    {"uphold", "appealed", "appeal_upheld", PERM_APPEALS_DECIDE, 0, 1, "appeal_upheld",
     "application.appeal_uphold"},
    {"deny", "appealed", "appeal_denied", PERM_APPEALS_DECIDE, 1, 0, "appeal_denied",
     "application.appeal_deny"},
};

int svc_review_decide(const struct svc *sv, const char *id, const json_t *in, json_t **out,
                      struct cf_error *err)
{
    const char *dec = svc__str(in, "decision");
    const struct decision *d = NULL;
    struct program *p = program_new(err);
    char *reason = malloc(APP_LONG_BYTES);
    json_t *row = NULL, *sup = NULL, *rej = NULL, *auth = NULL, *ev = NULL;
    struct evaluation evl;
    char now[32];
    int rc, version = 0;

    *out = NULL;
    for (size_t i = 0; dec != NULL && i < sizeof DECISIONS / sizeof DECISIONS[0]; i++)
        if (strcmp(DECISIONS[i].decision, dec) == 0)
            d = &DECISIONS[i];
    if (p == NULL || reason == NULL) {
        rc = nomem(err);
        goto done;
    }
    if (d == NULL) {
        rc = cf_error_set(err, CF_EINVAL, "decision",
                          "Choose a decision: approve, reject or ask for information (on an "
                          "appeal: uphold or deny).");
        goto done;
    }
    if (!svc__can(sv, d->perm, NULL)) {
        rc = d->perm == PERM_APPEALS_DECIDE
                 ? cf_error_set(err, CF_EFORBIDDEN, NULL,
                                "Only those who decide appeals may uphold or deny one.")
                 : forbidden_review(err);
        goto done;
    }
    rc = long_text(in, "reason", d->reason_required,
                   strcmp(d->decision, "info") == 0 ? "what information you need"
                                                    : "the reason for the decision",
                   reason, err);
    if (rc != CF_OK)
        goto done;
    clock_now_iso(now, sizeof now);

    /* Everything below reads stored state, so it holds when the transaction commits. */
    rc = svc__begin(sv, err);
    if (rc != CF_OK)
        goto done;
    rc = reviewable(sv, id, d->perm, &row, NULL, err);
    if (rc == CF_OK)
        rc = svc__program_rules(sv, svc__str(row, "program_code"), 0, p, &version, err);
    if (rc != CF_OK)
        goto out;
    if (strcmp(svc__str(row, "status"), d->from) != 0) {
        rc = cf_error_set(err, CF_ECONFLICT, NULL,
                          strcmp(d->from, "appealed") == 0
                              ? "This application is %s: only an appealed application's appeal "
                                "can be decided."
                              : "This application is %s: only a submitted application can be "
                                "decided. Reload the queue.",
                          status_words(svc__str(row, "status")));
        goto out;
    }
    if (strcmp(d->from, "appealed") == 0 &&
        store_app_last_actor(sv->store, id, "rejected", &rej, NULL) == CF_OK &&
        strcmp(svc__str(rej, "actor"), sv->actor) == 0) {
        rc = cf_error_set(err, CF_ECONFLICT, NULL,
                          "You rejected this application, so its appeal must be decided by "
                          "someone else.");
        goto out;
    }
    if (strcmp(d->decision, "approve") == 0) {
        rc = store_supervisor_get(sv->store, id, &sup, err);
        if (rc == CF_ENOTFOUND)
            rc = CF_OK;
        if (rc != CF_OK)
            goto out;
        ev = evaluate(p, json_object_get(row, "data"),
                      sup != NULL && !json_is_null(json_object_get(sup, "signed_at")),
                      clock_date_of(clock_now()), &evl);
        if (!evl.elig.eligible) {
            rc = cf_error_set(err, CF_ECONFLICT, NULL,
                              "The candidate is not eligible under version %d of the rules%s: "
                              "reject the application or ask for information instead.",
                              version,
                              is_waiver(json_object_get(row, "data")) && evl.waiver_ok
                                  ? " until the supervisor signs the recommendation"
                                  : "");
            goto out;
        }
    }
    rc = store_app_set_status(sv->store, id, d->from, d->to, NULL, version, me(sv),
                              reason[0] != '\0' ? reason : NULL, now, err);
    if (rc == CF_OK && d->authorizes)
        rc = authorize(sv, p, version, row, now, &auth, err);
    if (rc == CF_OK) {
        json_t *after = json_pack("{s:s, s:i, s:s, s:O?}", "status", d->to, "rules_version",
                                  version, "reason", reason, "authorization", auth);

        rc =
            record(sv, row, d->event, reason[0] != '\0' ? reason : svc__str(auth, "eligibility_id"),
                   d->action, after, err);
        json_decref(after);
    }
out:
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    if (rc == CF_OK) {
        json_decref(row);
        row = NULL;
        rc = store_app_get(sv->store, id, &row, err);
        if (rc == CF_OK)
            rc = app_view(sv, p, row, out, err);
    }
done:
    json_decref(ev);
    json_decref(auth);
    json_decref(rej);
    json_decref(sup);
    json_decref(row);
    free(reason);
    free(p);
    return rc;
}

int svc_review_conflict_add(const struct svc *sv, const json_t *in, json_t **out,
                            struct cf_error *err)
{
    const char *person = svc__str(in, "person"), *org = svc__str(in, "org");
    char reason[APP_SHORT_BYTES], email[256], now[32];
    json_t *target = NULL, *after = NULL;
    int rc;

    *out = NULL;
    if (!svc__can(sv, PERM_APPLICATIONS_REVIEW, NULL) || me(sv) == NULL)
        return forbidden_review(err);
    if (person != NULL && person[0] == '\0')
        person = NULL;
    if (org != NULL && org[0] == '\0')
        org = NULL;
    if ((person == NULL) == (org == NULL))
        return cf_error_set(err, CF_EINVAL, "person",
                            "Enter either the candidate's e-mail address or an organization, "
                            "not both.");
    if (person != NULL && (rc = svc__email(person, email, sizeof email, "person", err)) != CF_OK)
        return rc;
    rc = svc__text(in, "reason", 0, APP_SHORT_MAX, "the reason", reason, sizeof reason, err);
    if (rc != CF_OK)
        return rc;
    clock_now_iso(now, sizeof now);

    rc = svc__begin(sv, err);
    if (rc != CF_OK)
        return rc;
    rc = person != NULL ? store_person_by_email(sv->store, email, &target, err)
                        : store_org_get(sv->store, org, &target, err);
    if (rc == CF_ENOTFOUND)
        rc = person != NULL ? cf_error_set(err, CF_EINVAL, "person",
                                           "No one has the e-mail address %s. Check it.", email)
                            : cf_error_set(err, CF_EINVAL, "org",
                                           "There is no such organization. Choose one from "
                                           "the list.");
    if (rc != CF_OK)
        goto out;
    rc = store_conflict_add(sv->store, me(sv), person != NULL ? svc__str(target, "id") : NULL,
                            org != NULL ? svc__str(target, "id") : NULL, reason, now, err);
    after =
        json_pack("{s:s?, s:s?, s:s}", "person_id", person != NULL ? svc__str(target, "id") : NULL,
                  "org_id", org != NULL ? svc__str(target, "id") : NULL, "reason", reason);
    if (rc == CF_OK)
        rc = svc__audit(sv, NULL, "review.conflict_add", "person", me(sv), NULL, after, err);
out:
    json_decref(after);
    json_decref(target);
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    if (rc == CF_OK)
        rc = svc_review_queue(sv, 1, out, err);
    return rc;
}

/* --- the supervisor's recommendation ----------------------------------------------------- */

/* The recommendation of the link token and its application; 404 / 409 as link.c says. */
static int sup_of(const struct svc *sv, const char *token, json_t **sup, json_t **app,
                  struct cf_error *err)
{
    char hash[65];
    time_t exp;
    int rc;

    *sup = *app = NULL;
    if (token == NULL || strlen(token) != 43)
        return cf_error_set(err, CF_ENOTFOUND, "token",
                            "This link is not valid. Check that you copied all of it.");
    svc__token_hash(token, hash);
    rc = store_supervisor_by_hash(sv->store, hash, sup, err);
    if (rc == CF_ENOTFOUND)
        return cf_error_set(err, CF_ENOTFOUND, "token",
                            "This link is not valid. Check that you copied all of it.");
    if (rc == CF_OK)
        rc = store_app_get(sv->store, svc__str(*sup, "application_id"), app, err);
    if (rc == CF_OK && json_is_null(json_object_get(*sup, "signed_at")) &&
        (clock_parse_iso(svc__str(*sup, "expires_at"), &exp) != 0 || exp <= clock_now()))
        rc = cf_error_set(err, CF_ECONFLICT, "token",
                          "This link has expired. Ask the candidate to send the request again.");
    if (rc != CF_OK) {
        json_decref(*sup);
        json_decref(*app);
        *sup = *app = NULL;
    }
    return rc;
}

static json_t *sup_view(const json_t *sup, const json_t *app)
{
    const json_t *data = json_object_get(app, "data");

    return json_pack(
        "{s:O, s:O, s:s, s:s, s:O, s:O, s:O, s:O, s:O, s:b}", "candidate",
        json_object_get(app, "person_name"), "program", json_object_get(app, "program_code"),
        "waiver_request", str_or(data, "waiver_request", ""), "supervisor_name",
        str_or(sup, "supervisor_name", ""), "signed_at", json_object_get(sup, "signed_at"),
        "signer_name", json_object_get(sup, "signer_name"), "signer_title",
        json_object_get(sup, "signer_title"), "statement", json_object_get(sup, "statement"),
        "status", json_object_get(app, "status"), "signed",
        !json_is_null(json_object_get(sup, "signed_at")));
}

int svc_supervisor_get(const struct svc *sv, const char *token, json_t **out, struct cf_error *err)
{
    json_t *sup, *app;
    int rc = sup_of(sv, token, &sup, &app, err);

    *out = NULL;
    if (rc != CF_OK)
        return rc;
    *out = sup_view(sup, app);
    json_decref(sup);
    json_decref(app);
    return *out != NULL ? CF_OK : nomem(err);
}

int svc_supervisor_sign(const struct svc *sv, const char *token, const json_t *in, json_t **out,
                        struct cf_error *err)
{
    struct svc_checks ck = {err, CF_OK};
    char name[APP_SHORT_BYTES], title[APP_SHORT_BYTES], now[32];
    char *statement = malloc(APP_LONG_BYTES);
    struct svc link = *sv;
    json_t *sup = NULL, *app = NULL;
    struct cf_error e;
    int rc;

    /* Nobody is signed in: the link is who acts. */
    link.actor = "supervisor-link";
    *out = NULL;
    if (statement == NULL)
        return nomem(err);
    svc__check(&ck, svc__text(in, "name", 1, APP_SHORT_MAX, "your name", name, sizeof name, &e),
               &e);
    svc__check(&ck, svc__text(in, "title", 1, APP_SHORT_MAX, "your title", title, sizeof title, &e),
               &e);
    svc__check(&ck, long_text(in, "statement", 1, "your statement", statement, &e), &e);
    if (!flag(json_object_get(in, "recommend"))) {
        cf_error_set(&e, CF_EINVAL, "recommend",
                     "Tick \"I recommend\" to sign; if you do not recommend the candidate, "
                     "do not sign.");
        svc__check(&ck, CF_EINVAL, &e);
    }
    rc = ck.rc;
    if (rc != CF_OK)
        goto done;
    clock_now_iso(now, sizeof now);

    rc = svc__begin(&link, err);
    if (rc != CF_OK)
        goto done;
    rc = sup_of(&link, token, &sup, &app, err);
    if (rc != CF_OK)
        goto out;
    if (!json_is_null(json_object_get(sup, "signed_at"))) {
        rc = cf_error_set(err, CF_ECONFLICT, "token",
                          "This recommendation has been signed already. Nothing more is needed.");
        goto out;
    }
    if (closed(svc__str(app, "status"))) {
        rc = cf_error_set(err, CF_ECONFLICT, "token",
                          "This application is %s, so it needs no recommendation any more.",
                          status_words(svc__str(app, "status")));
        goto out;
    }
    rc = store_supervisor_sign(link.store, svc__str(app, "id"), name, title, statement, now, err);
    if (rc == CF_OK) {
        json_t *after = json_pack("{s:s, s:s}", "signer_name", name, "signer_title", title);

        rc = record(&link, app, "supervisor_signed", name, "application.supervisor_sign", after,
                    err);
        json_decref(after);
    }
out:
    if (rc == CF_OK)
        rc = store_commit(link.store, err);
    else
        store_rollback(link.store);
    json_decref(sup);
    json_decref(app);
    if (rc == CF_OK)
        rc = svc_supervisor_get(sv, token, out, err);
done:
    free(statement);
    return rc;
}
