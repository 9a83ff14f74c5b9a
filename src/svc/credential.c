/*
 * credential.c — credentials once issued (issue 8 point 4): one credential
 * with its history and CE points, the list program staff work from, the
 * holder's own, the program admin's actions (suspend, reinstate, revoke:
 * core/credential.c decides, a refusal is CF_ECONFLICT with its sentence),
 * and the certificate PDF: rendered by the job credential.certificate
 * (registered in svc/jobs.c) and stored, or on demand when the job has not
 * run. Issuing is svc/results.c (a passing result).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ce.h"
#include "core/certificate.h"
#include "core/credential.h"
#include "core/program.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "store/store.h"
#include "svc/jobs.h"
#include "svc/svc_impl.h"

#define CRED_PAGE_SIZE    50 /* credentials per page of the list */
#define CRED_PAGE_MAX     100000
#define CRED_FOR_MAX      600  /* what a stored certificate shows, as one text */
#define CRED_URL_MAX      400  /* the public address and /verify/NUMBER */
#define CRED_SKILLS_MAX   64   /* skill areas of one CE activity */
#define CRED_SKILL_TEXT   1024 /* the skills column of one activity */
#define CRED_CERT_LEASE_S 120
#define CRED_CERT_BACKOFF 60
#define CRED_CERT_CAP     3600

/*
 * The credential with number, if sv may see it (credentials.read, or its
 * holder); CF_ENOTFOUND otherwise (existence is not leaked). *canon gets the
 * number as stored.
 */
static int load(const struct svc *sv, const char *number, json_t **row, struct cf_error *err)
{
    char canon[CRED_NUMBER_MAX];
    int rc;

    *row = NULL;
    if (number == NULL ||
        cred_number_parse(NULL, number, NULL, NULL, canon, sizeof canon, NULL) != CF_OK)
        return cf_error_set(err, CF_ENOTFOUND, "number", "There is no credential %s.",
                            number != NULL ? number : "");
    rc = store_credential_get(sv->store, canon, row, err);
    if (rc == CF_ENOTFOUND)
        return cf_error_set(err, CF_ENOTFOUND, "number", "There is no credential %s.", canon);
    if (rc != CF_OK)
        return rc;
    if (!svc__can(sv, PERM_CREDENTIALS_READ, NULL) &&
        !(sv->who != NULL && sv->who->person_id != NULL &&
          strcmp(sv->who->person_id, svc__str(*row, "person_id")) == 0)) {
        json_decref(*row);
        *row = NULL;
        return cf_error_set(err, CF_ENOTFOUND, "number", "There is no credential %s.", canon);
    }
    return CF_OK;
}

/*
 * The status as of today: a credential in force moves forward with the
 * dates (active, expiring, expired, lapsed) even before the tick has
 * written it; suspended and revoked stay as set.
 */
static enum cred_status status_today(const json_t *row, const struct cred_rules *cr,
                                     struct clock_date today)
{
    enum cred_status s = CRED_ACTIVE, by_date;
    struct clock_date ex;

    cred_status_parse(svc__str(row, "status"), &s);
    if (s == CRED_SUSPENDED || s == CRED_REVOKED ||
        clock_date_parse(svc__str(row, "expires_on"), &ex) != 0)
        return s;
    by_date = cred_status_on(cr, ex, today);
    return by_date > s ? by_date : s;
}

/* Hundredths of a point as a JSON number: 400 is 4, 150 is 1.5. */
static json_t *points(long hundredths)
{
    if (hundredths % CE_SCALE == 0)
        return json_integer(hundredths / CE_SCALE);
    return json_real((double)hundredths / CE_SCALE);
}

/*
 * The CE points of credential row for its current term: {earned, counted,
 * categories: [{code, earned, counted}], required, needed, by}, from its
 * approved activities through ce_compute (zero while there are none).
 */
static int points_view(const struct svc *sv, const json_t *row, const struct program *p,
                       json_t **out, struct cf_error *err)
{
    json_t *acts = NULL, *a, *cats;
    struct ce_rules rules;
    struct ce_activity *v = NULL;
    struct ce_line *lines = NULL;
    struct ce_result res;
    char(*skill_text)[CRED_SKILL_TEXT] = NULL;
    const char *(*skills)[CRED_SKILLS_MAX] = NULL;
    struct clock_date from, to;
    char by[CLOCK_DATE_LEN];
    size_t n, i;
    int rc;

    *out = NULL;
    program_ce_rules(p, &rules);
    rc = store_ce_approved(sv->store, svc__str(row, "id"), &acts, err);
    if (rc != CF_OK)
        return rc;
    n = json_array_size(acts);
    v = calloc(n + 1, sizeof *v);
    lines = calloc(n + 1, sizeof *lines);
    skill_text = calloc(n + 1, sizeof *skill_text);
    skills = calloc(n + 1, sizeof *skills);
    if (v == NULL || lines == NULL || skill_text == NULL || skills == NULL) {
        rc = cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
        goto out;
    }
    json_array_foreach(acts, i, a)
    {
        char *save = NULL, *tok;
        size_t k = 0;

        v[i].title = svc__str(a, "title");
        v[i].category = svc__str(a, "category");
        clock_date_parse(svc__str(a, "completed_on"), &v[i].completed_on);
        v[i].quantity = (long)json_integer_value(json_object_get(a, "quantity"));
        snprintf(skill_text[i], sizeof skill_text[i], "%s",
                 svc__str(a, "skills") != NULL ? svc__str(a, "skills") : "");
        for (tok = strtok_r(skill_text[i], ";", &save); tok != NULL && k < CRED_SKILLS_MAX;
             tok = strtok_r(NULL, ";", &save))
            skills[i][k++] = tok;
        v[i].skills = skills[i];
        v[i].nskills = k;
    }
    if (clock_date_parse(svc__str(row, "term_start"), &from) != 0 ||
        clock_date_parse(svc__str(row, "expires_on"), &to) != 0) {
        rc = cf_error_set(err, CF_EIO, NULL, "The credential's stored dates do not read.");
        goto out;
    }
    rc = ce_compute(&rules, v, n, from, to, lines, &res, err);
    if (rc != CF_OK)
        goto out;
    cats = json_array();
    for (int c = 0; c < res.ncats; c++)
        json_array_append_new(cats, json_pack("{s:s, s:o, s:o}", "code", res.cats[c].code, "earned",
                                              points(res.cats[c].earned), "counted",
                                              points(res.cats[c].counted)));
    clock_date_format(res.by, by, sizeof by);
    /* "categories" and, for readers of the wording ("per category"), per_category. */
    *out = json_pack("{s:o, s:o, s:o, s:O, s:o, s:o, s:s, s:b}", "earned", points(res.earned),
                     "counted", points(res.counted), "categories", cats, "per_category", cats,
                     "required", points(res.required), "needed", points(res.needed), "by", by,
                     "met", res.eligible);

out:
    free(v);
    free(lines);
    free(skill_text);
    free(skills);
    json_decref(acts);
    return rc;
}

/* The rules of the credential's program, as recorded with it (its rules_version). */
static int rules_of(const struct svc *sv, const json_t *row, int current, struct program *p,
                    int *used, struct cf_error *err)
{
    int version = current ? 0 : (int)json_integer_value(json_object_get(row, "rules_version"));

    return svc__program_rules(sv, svc__str(row, "program_code"), version, p, used, err);
}

/* The row as people see it: no email unless the viewer may read credentials. */
static json_t *cred_view(const struct svc *sv, const json_t *row, enum cred_status st)
{
    json_t *v = json_pack(
        "{s:s, s:s, s:s?, s:s, s:s, s:s, s:s?, s:s, s:s, s:s, s:I}", "id", svc__str(row, "id"),
        "number", svc__str(row, "number"), "status", cred_status_name(st), "issued_on",
        svc__str(row, "issued_on"), "term_start", svc__str(row, "term_start"), "expires_on",
        svc__str(row, "expires_on"), "status_reason", svc__str(row, "status_reason"), "holder",
        svc__str(row, "person_name"), "person_id", svc__str(row, "person_id"), "program",
        svc__str(row, "program_code"), "rules_version",
        json_integer_value(json_object_get(row, "rules_version")));

    if (v != NULL)
        json_object_set_new(v, "in_force", json_boolean(st == CRED_ACTIVE || st == CRED_EXPIRING));
    (void)sv;
    return v;
}

int svc_credential_show(const struct svc *sv, const char *number, json_t **out,
                        struct cf_error *err)
{
    struct program *p = calloc(1, sizeof *p);
    json_t *row = NULL, *events = NULL, *pts = NULL, *v = NULL;
    struct cred_rules cr;
    enum cred_status st;
    int rc, can_write = svc__can(sv, PERM_CREDENTIALS_WRITE, NULL);

    *out = NULL;
    if (p == NULL)
        return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
    rc = load(sv, number, &row, err);
    if (rc == CF_OK)
        rc = rules_of(sv, row, 1, p, NULL, err);
    if (rc == CF_OK)
        rc = points_view(sv, row, p, &pts, err);
    if (rc == CF_OK)
        rc = store_credential_events(sv->store, svc__str(row, "id"), &events, err);
    if (rc != CF_OK)
        goto out;
    program_cred_rules(p, &cr);
    st = status_today(row, &cr, clock_date_of(clock_now()));
    v = cred_view(sv, row, st);
    json_object_set_new(v, "points", pts);
    pts = NULL;
    json_object_set_new(v, "events", events);
    events = NULL;
    json_object_set_new(v, "can_write", json_boolean(can_write));
    json_object_set_new(v, "can_suspend",
                        json_boolean(can_write && (st == CRED_ACTIVE || st == CRED_EXPIRING ||
                                                   st == CRED_EXPIRED)));
    json_object_set_new(v, "can_reinstate", json_boolean(can_write && st == CRED_SUSPENDED));
    json_object_set_new(v, "can_revoke", json_boolean(can_write && st != CRED_REVOKED));
    *out = v;

out:
    free(p);
    json_decref(row);
    json_decref(events);
    json_decref(pts);
    return rc;
}

int svc_credential_list(const struct svc *sv, const char *status, long page, json_t **out,
                        struct cf_error *err)
{
    enum cred_status s;
    json_t *rows = NULL, *list, *r;
    long total = 0;
    size_t i;
    int rc;

    *out = NULL;
    if (!svc__can(sv, PERM_CREDENTIALS_READ, NULL))
        return cf_error_set(err, CF_EFORBIDDEN, NULL,
                            "Only program staff see the list of credentials.");
    if (status != NULL && status[0] == '\0')
        status = NULL;
    if (status != NULL && (cred_status_parse(status, &s) != 0 || s == CRED_NONE))
        return cf_error_set(err, CF_EINVAL, "status",
                            "Choose a status: active, expiring, expired, lapsed, suspended or "
                            "revoked.");
    if (page < 1 || page > CRED_PAGE_MAX)
        return cf_error_set(err, CF_EINVAL, "page", "The page must be a number from 1 to %d.",
                            CRED_PAGE_MAX);
    rc = store_credential_list(sv->store, status, NULL, CRED_PAGE_SIZE, (page - 1) * CRED_PAGE_SIZE,
                               &rows, &total, err);
    if (rc != CF_OK)
        return rc;
    list = json_array();
    json_array_foreach(rows, i, r)
    {
        enum cred_status rs = CRED_ACTIVE;

        cred_status_parse(svc__str(r, "status"), &rs);
        json_array_append_new(list, cred_view(sv, r, rs));
    }
    json_decref(rows);
    *out = json_pack("{s:o, s:I, s:I, s:I, s:s?, s:o, s:o}", "credentials", list, "total",
                     (json_int_t)total, "page", (json_int_t)page, "pages",
                     (json_int_t)((total + CRED_PAGE_SIZE - 1) / CRED_PAGE_SIZE), "status", status,
                     "prev", page > 1 ? json_integer(page - 1) : json_null(), "next",
                     page * CRED_PAGE_SIZE < total ? json_integer(page + 1) : json_null());
    return *out != NULL ? CF_OK : cf_error_set(err, CF_ENOMEM, NULL, "Out of memory.");
}

int svc_credential_mine(const struct svc *sv, json_t **out, struct cf_error *err)
{
    json_t *rows = NULL, *list, *r;
    long total = 0;
    size_t i;
    int rc;

    *out = NULL;
    if (sv->who == NULL || sv->who->person_id == NULL)
        return cf_error_set(err, CF_EFORBIDDEN, NULL, "Sign in to see your credentials.");
    rc = store_credential_list(sv->store, NULL, sv->who->person_id, CRED_PAGE_SIZE, 0, &rows,
                               &total, err);
    if (rc != CF_OK)
        return rc;
    list = json_array();
    json_array_foreach(rows, i, r)
    {
        enum cred_status rs = CRED_ACTIVE;

        cred_status_parse(svc__str(r, "status"), &rs);
        json_array_append_new(list, cred_view(sv, r, rs));
    }
    json_decref(rows);
    *out = json_pack("{s:o, s:I}", "credentials", list, "total", (json_int_t)total);
    return CF_OK;
}

int svc_credential_act(const struct svc *sv, const char *number, const char *action,
                       const char *reason, json_t **out, struct cf_error *err)
{
    static const struct {
        const char *name, *audit;
        enum cred_event_kind kind;
    } ACTS[] = {
        {"suspend", "credential.suspend", CRED_EV_SUSPEND},
        {"reinstate", "credential.reinstate", CRED_EV_REINSTATE},
        {"revoke", "credential.revoke", CRED_EV_REVOKE},
    };
    struct program *p = calloc(1, sizeof *p);
    json_t *row = NULL, *before = NULL, *after = NULL;
    struct cred_rules cr;
    struct cred_state cur, next;
    struct cred_event ev;
    char now[32], ex[CLOCK_DATE_LEN], why[NAME_MAX_CHARS * 4 + 1];
    size_t k;
    int used = 0, rc, began = 0;

    *out = NULL;
    for (k = 0; k < sizeof ACTS / sizeof ACTS[0]; k++)
        if (action != NULL && strcmp(action, ACTS[k].name) == 0)
            break;
    if (p == NULL) {
        rc = cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
        goto out;
    }
    if (k == sizeof ACTS / sizeof ACTS[0]) {
        rc = cf_error_set(err, CF_EINVAL, "action", "Choose suspend, reinstate or revoke.");
        goto out;
    }
    if (!svc__can(sv, PERM_CREDENTIALS_WRITE, NULL)) {
        rc = cf_error_set(err, CF_EFORBIDDEN, NULL,
                          "Only program administrators suspend, reinstate or revoke "
                          "credentials.");
        goto out;
    }
    {
        json_t *in = json_pack("{s:s?}", "reason", reason);

        rc = svc__text(in, "reason", 1, NAME_MAX_CHARS * 2, "the reason", why, sizeof why, err);
        json_decref(in);
        if (rc != CF_OK)
            goto out;
    }

    rc = svc__begin(sv, err);
    if (rc != CF_OK)
        goto out;
    began = 1;
    rc = load(sv, number, &row, err);
    if (rc == CF_OK)
        rc = rules_of(sv, row, 1, p, &used, err);
    if (rc != CF_OK)
        goto out;
    program_cred_rules(p, &cr);
    memset(&cur, 0, sizeof cur);
    cred_status_parse(svc__str(row, "status"), &cur.status);
    clock_date_parse(svc__str(row, "issued_on"), &cur.issued_on);
    clock_date_parse(svc__str(row, "expires_on"), &cur.expires_on);
    ev.kind = ACTS[k].kind;
    ev.reason = why;
    rc = cred_apply(&cur, &ev, clock_date_of(clock_now()), &cr, &next, err);
    if (rc != CF_OK)
        goto out;
    clock_now_iso(now, sizeof now);
    clock_date_format(next.expires_on, ex, sizeof ex);
    rc = store_credential_set(sv->store, svc__str(row, "id"), cred_status_name(next.status), ex,
                              why, now, err);
    if (rc == CF_OK)
        rc = store_credential_event(sv->store, svc__str(row, "id"), now, sv->actor, action,
                                    svc__str(row, "status"), cred_status_name(next.status), ex, why,
                                    used, err);
    if (rc != CF_OK)
        goto out;
    before = json_pack("{s:s, s:s}", "status", svc__str(row, "status"), "expires_on",
                       svc__str(row, "expires_on"));
    after = json_pack("{s:s, s:s, s:s, s:i}", "status", cred_status_name(next.status), "expires_on",
                      ex, "reason", why, "rules_version", used);
    rc = svc__audit(sv, NULL, ACTS[k].audit, "credential", svc__str(row, "number"), before, after,
                    err);
    if (rc == CF_OK)
        *out = json_pack("{s:s, s:s, s:s, s:s}", "number", svc__str(row, "number"), "status",
                         cred_status_name(next.status), "expires_on", ex, "reason", why);

out:
    if (began) {
        if (rc == CF_OK)
            rc = store_commit(sv->store, err);
        else
            store_rollback(sv->store);
    }
    if (rc != CF_OK) {
        json_decref(*out);
        *out = NULL;
    }
    free(p);
    json_decref(row);
    json_decref(before);
    json_decref(after);
    return rc;
}

/* --- the certificate ------------------------------------------------------- */

/* What a certificate of row shows, as one text: a stored one is current while it matches. */
static void rendered_for(const json_t *row, char *buf, size_t n)
{
    snprintf(buf, n, "%s|%s|%s|%s|%s", svc__str(row, "number"), svc__str(row, "person_name"),
             svc__str(row, "issued_on"), svc__str(row, "expires_on"),
             svc__str(row, "program_code"));
}

/*
 * Renders the certificate of credential row into *pdf (malloc'd, *n bytes).
 * The verification address is the public address (sv->base_url, else the
 * one the server recorded) and /verify/NUMBER; never a request header.
 */
static int render(const struct svc *sv, const json_t *row, char **pdf, size_t *n,
                  struct cf_error *err)
{
    struct program *p = calloc(1, sizeof *p);
    char base[CRED_URL_MAX], url[CRED_URL_MAX];
    struct cert_fields f;
    struct buf b;
    int rc;

    *pdf = NULL;
    *n = 0;
    if (p == NULL)
        return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
    if (sv->base_url != NULL)
        snprintf(base, sizeof base, "%s", sv->base_url);
    else if ((rc = svc_public_url_known(sv, base, sizeof base, err)) != CF_OK)
        goto out;
    if (snprintf(url, sizeof url, "%s/verify/%s", base, svc__str(row, "number")) >=
        (int)sizeof url) {
        rc = cf_error_set(err, CF_EINVAL, "public_url", "The public address is too long.");
        goto out;
    }
    rc = rules_of(sv, row, 0, p, NULL, err);
    if (rc != CF_OK)
        goto out;
    memset(&f, 0, sizeof f);
    f.name = svc__str(row, "person_name");
    f.title = p->name;
    f.program = p->code;
    f.number = svc__str(row, "number");
    f.issued_on = svc__str(row, "issued_on");
    f.expires_on = svc__str(row, "expires_on");
    f.issuer = "CoSN (Consortium for School Networking)";
    f.verify_url = url;
    f.demo = (int)json_integer_value(json_object_get(row, "demo"));
    buf_init(&b, CERT_PDF_MAX);
    rc = cert_pdf_render(&f, &b, err);
    if (rc == CF_OK)
        *pdf = buf_detach(&b, n);
    buf_free(&b);

out:
    free(p);
    return rc;
}

int svc_credential_certificate(const struct svc *sv, const char *number, char **pdf, size_t *n,
                               json_t **info, struct cf_error *err)
{
    json_t *row = NULL;
    char want[CRED_FOR_MAX], *have = NULL;
    int rc;

    *pdf = NULL;
    *n = 0;
    if (info != NULL)
        *info = NULL;
    rc = load(sv, number, &row, err);
    if (rc != CF_OK)
        return rc;
    rendered_for(row, want, sizeof want);
    rc = store_certificate_get(sv->store, svc__str(row, "id"), pdf, n, &have, err);
    if (rc == CF_OK && (have == NULL || strcmp(have, want) != 0)) {
        free(*pdf);
        *pdf = NULL;
        *n = 0;
        rc = CF_ENOTFOUND;
    }
    /* Not rendered yet (the job has not run), or out of date: made now, not stored by a read. */
    if (rc == CF_ENOTFOUND)
        rc = render(sv, row, pdf, n, err);
    if (rc == CF_OK && info != NULL)
        *info = json_pack("{s:s}", "number", svc__str(row, "number"));
    free(have);
    json_decref(row);
    return rc;
}

/* The job: renders the certificate of payload.credential_id and stores it. */
static enum job_result cert_run(const struct job_ctx *ctx, const json_t *job, char *why, size_t n)
{
    const json_t *payload = json_object_get(job, "payload");
    const char *id = svc__str(payload, "credential_id");
    struct cf_error err;
    json_t *row = NULL;
    char want[CRED_FOR_MAX], now[32], *pdf = NULL;
    size_t len = 0;
    int rc;

    cf_error_clear(&err);
    if (id == NULL) {
        snprintf(why, n, "The job names no credential.");
        return JOB_FAIL;
    }
    rc = store_credential_get_id(ctx->sv->store, id, &row, &err);
    if (rc == CF_ENOTFOUND)
        return JOB_SKIP;
    if (rc == CF_OK)
        rc = render(ctx->sv, row, &pdf, &len, &err);
    if (rc == CF_OK) {
        rendered_for(row, want, sizeof want);
        clock_now_iso(now, sizeof now);
        rc = store_certificate_put(ctx->sv->store, id, pdf, len, want, now, &err);
    }
    free(pdf);
    json_decref(row);
    if (rc == CF_OK)
        return JOB_DONE;
    snprintf(why, n, "%s", err.message);
    return rc == CF_EINVAL ? JOB_FAIL : JOB_RETRY;
}

const struct job_kind svc__credential_certificate_kind = {
    .name = "credential.certificate",
    .max_attempts = 5,
    .lease_s = CRED_CERT_LEASE_S,
    .base_s = CRED_CERT_BACKOFF,
    .cap_s = CRED_CERT_CAP,
    .run = cert_run,
};
