/*
 * ce.c — continuing education, renewal and lapse (issue 8, points 5 and 6).
 *
 * A holder logs activities on their own credential; a reviewer approves or
 * rejects them; providers report attendance in bulk (approved at once); the
 * points follow the program's rules with caps (core/ce.c); the holder renews
 * once the requirement is met (or the exam was passed again within the term),
 * a deterministic sample of renewals waiting for an audit; the tick moves
 * credentials through expiring, expired and lapsed and queues the reminders.
 * Every decision records the rules version it used. docs/internals/ce.md.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ce.h"
#include "core/credential.h"
#include "core/program.h"
#include "lib/clock.h"
#include "lib/csv.h"
#include "svc/svc_impl.h"

#define CE_TITLE_MAX     200  /* characters of an activity's title or provider */
#define CE_REASON_MAX    500  /* characters of a reviewer's reason */
#define CE_SKILLS_MAX    32   /* skill areas named by one activity */
#define CE_QUEUE_PAGE    25   /* activities per page of the review queue */
#define CE_PROGRAMS_MAX  8    /* programs named in one import file */
#define CE_PROBLEMS_MAX  1000 /* bad rows reported by one import */
#define CE_TEXT_BUF      1024 /* a field copied for checking */
#define CE_MSG_MAX       2048 /* a reminder's body */
#define CE_URL_MAX       512
#define CE_CATALOG_BYTES (256u * 1024u)
#define CE_KEY_MAX       96   /* "<credential id>|<expiry>" and its NUL */
#define CE_AUDIT_BUCKETS 100u /* the sample is hash % 100 < audit_percent */
#define CE_FNV_OFFSET    2166136261u
#define CE_FNV_PRIME     16777619u

/* The import file's columns, in the order the documentation lists them. */
static const char *const IMPORT_COLS[] = {"credential_number", "category", "title", "provider",
                                          "completed_on",      "hours",    "skills"};
#define NIMPORT_COLS (sizeof IMPORT_COLS / sizeof IMPORT_COLS[0])

/* One credential with the rules of its program (the current version). */
struct cctx {
    json_t *cred;
    struct program prog;
    int version;
    struct cred_rules cr;
    struct ce_rules ce;
    struct cred_state st;
    struct clock_date term_start;
    json_t *skills; /* {code: label}: the skill areas of the program's framework */
};

static void cctx_free(struct cctx *c)
{
    if (c == NULL)
        return;
    json_decref(c->cred);
    json_decref(c->skills);
    free(c);
}

static int oom(struct cf_error *err)
{
    return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
}

static int no_credential(const char *number, struct cf_error *err)
{
    return cf_error_set(err, CF_ENOTFOUND, NULL, "There is no credential %s.", number);
}

/* The skill areas of the framework p names ({code: label}); empty when it is not stored. */
static int skill_areas(const struct svc *sv, const struct program *p, json_t **out,
                       struct cf_error *err)
{
    json_t *pkg = NULL, *it;
    size_t i;
    int rc = svc_framework_export(sv, p->framework_id, &pkg, err);

    *out = json_object();
    if (*out == NULL) {
        json_decref(pkg);
        return oom(err);
    }
    if (rc == CF_ENOTFOUND) {
        cf_error_clear(err);
        return CF_OK;
    }
    if (rc != CF_OK) {
        json_decref(*out);
        *out = NULL;
        return rc;
    }
    json_array_foreach(json_object_get(pkg, "CFItems"), i, it)
    {
        const char *type = svc__str(it, "CFItemType"), *code = svc__str(it, "humanCodingScheme");
        const char *label = svc__str(it, "abbreviatedStatement");

        if (label == NULL)
            label = svc__str(it, "fullStatement");
        if (type != NULL && code != NULL && strcmp(type, p->ce_skill_area_type) == 0)
            json_object_set_new(*out, code, json_string(label != NULL ? label : code));
    }
    json_decref(pkg);
    return CF_OK;
}

/* Fills c's rules, state and skill areas from c->cred (the row of store_ce_credential). */
static int cctx_rules(const struct svc *sv, struct cctx *c, struct cf_error *err)
{
    enum cred_status s;
    int rc =
        svc__program_rules(sv, svc__str(c->cred, "program_code"), 0, &c->prog, &c->version, err);

    if (rc != CF_OK)
        return rc;
    program_cred_rules(&c->prog, &c->cr);
    program_ce_rules(&c->prog, &c->ce);
    memset(&c->st, 0, sizeof c->st);
    if (cred_status_parse(svc__str(c->cred, "status"), &s) != 0 ||
        clock_date_parse(svc__str(c->cred, "issued_on"), &c->st.issued_on) != 0 ||
        clock_date_parse(svc__str(c->cred, "expires_on"), &c->st.expires_on) != 0 ||
        clock_date_parse(svc__str(c->cred, "term_start"), &c->term_start) != 0)
        return cf_error_set(err, CF_EIO, NULL, "The stored dates of credential %s do not read.",
                            svc__str(c->cred, "number"));
    c->st.status = s;
    return skill_areas(sv, &c->prog, &c->skills, err);
}

/* 1 when sv acts for the holder of the credential row. */
static int holder(const struct svc *sv, const json_t *cred)
{
    const char *p = svc__str(cred, "person_id");

    return sv->who != NULL && sv->who->person_id != NULL && p != NULL &&
           strcmp(sv->who->person_id, p) == 0;
}

/*
 * Loads credential number with its rules for sv: the holder, or someone
 * holding other (PERM_CREDENTIALS_READ to look, _WRITE to act). Anyone else
 * gets the same CF_ENOTFOUND as for a number that does not exist. *out is
 * the caller's (cctx_free) on CF_OK.
 */
static int cctx_load(const struct svc *sv, const char *number, enum perm other, struct cctx **out,
                     struct cf_error *err)
{
    char canon[CRED_NUMBER_MAX];
    struct cctx *c;
    struct cf_error e;
    int rc;

    *out = NULL;
    if (number == NULL ||
        cred_number_parse(NULL, number, NULL, NULL, canon, sizeof canon, &e) != CF_OK)
        return no_credential(number != NULL ? number : "", err);
    c = calloc(1, sizeof *c);
    if (c == NULL)
        return oom(err);
    rc = store_ce_credential(sv->store, canon, &c->cred, err);
    if (rc == CF_ENOTFOUND || (rc == CF_OK && !holder(sv, c->cred) && !svc__can(sv, other, NULL)))
        rc = no_credential(canon, err);
    if (rc == CF_OK)
        rc = cctx_rules(sv, c, err);
    if (rc != CF_OK) {
        cctx_free(c);
        return rc;
    }
    *out = c;
    return CF_OK;
}

/* --- points ---------------------------------------------------------------------------- */

/* One approved activity's skill codes, split out of "I.A;II.B". */
struct split {
    char *text;
    const char *codes[CE_SKILLS_MAX];
    size_t n;
};

/* Splits s at ';' into sp (codes trimmed, empty ones dropped); -1 on memory failure. */
static int split_skills(const char *s, struct split *sp)
{
    char *p, *save = NULL;

    sp->n = 0;
    sp->text = strdup(s != NULL ? s : "");
    if (sp->text == NULL)
        return -1;
    for (p = strtok_r(sp->text, ";", &save); p != NULL; p = strtok_r(NULL, ";", &save)) {
        char *e = p + strlen(p);

        while (*p == ' ')
            p++;
        while (e > p && e[-1] == ' ')
            *--e = '\0';
        if (*p != '\0' && sp->n < CE_SKILLS_MAX)
            sp->codes[sp->n++] = p;
    }
    return 0;
}

/* The outcome of the points of a credential's activities. */
struct tally {
    struct ce_line *lines; /* one per activity row; NULL text: not computed (not approved) */
    int *counted;          /* 1 when row i was passed to ce_compute */
    struct ce_result res;
};

static void tally_free(struct tally *t)
{
    free(t->lines);
    free(t->counted);
    memset(t, 0, sizeof *t);
}

/*
 * Computes the points of the approved activities among rows (the rows of
 * store_ce_activities) for c's current term, with the current rules. An
 * activity whose category the rules no longer have is left out (and says so
 * on the page).
 */
static int tally(const struct cctx *c, const json_t *rows, struct tally *t, struct cf_error *err)
{
    size_t n = json_array_size(rows), k = 0;
    struct ce_activity *acts = calloc(n + 1, sizeof *acts);
    struct split *sp = calloc(n + 1, sizeof *sp);
    struct ce_line *lines = calloc(n + 1, sizeof *lines);
    size_t *at = calloc(n + 1, sizeof *at);
    int rc = CF_OK;

    memset(t, 0, sizeof *t);
    t->lines = calloc(n + 1, sizeof *t->lines);
    t->counted = calloc(n + 1, sizeof *t->counted);
    if (acts == NULL || sp == NULL || lines == NULL || at == NULL || t->lines == NULL ||
        t->counted == NULL) {
        rc = oom(err);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *a = json_array_get(rows, i);
        const char *st = svc__str(a, "status");

        if (st == NULL || strcmp(st, "approved") != 0 ||
            program_category(&c->prog, svc__str(a, "category")) == NULL)
            continue;
        if (split_skills(svc__str(a, "skills"), &sp[k]) != 0) {
            rc = oom(err);
            goto out;
        }
        acts[k].title = svc__str(a, "title");
        acts[k].category = svc__str(a, "category");
        if (clock_date_parse(svc__str(a, "completed_on"), &acts[k].completed_on) != 0) {
            rc = cf_error_set(err, CF_EIO, NULL, "A stored activity's date does not read.");
            goto out;
        }
        acts[k].quantity = (long)json_integer_value(json_object_get(a, "quantity"));
        acts[k].skills = sp[k].codes;
        acts[k].nskills = sp[k].n;
        at[k] = i;
        k++;
    }
    rc = ce_compute(&c->ce, acts, k, c->term_start, c->st.expires_on, lines, &t->res, err);
    if (rc != CF_OK)
        goto out;
    for (size_t j = 0; j < k; j++) {
        t->lines[at[j]] = lines[j];
        t->counted[at[j]] = 1;
    }

out:
    for (size_t j = 0; sp != NULL && j < n; j++)
        free(sp[j].text);
    free(acts);
    free(sp);
    free(lines);
    free(at);
    if (rc != CF_OK)
        tally_free(t);
    return rc;
}

static json_t *points(long hundredths)
{
    char b[CE_POINTS_MAX];

    ce_points_format(hundredths, b, sizeof b);
    return json_string(b);
}

/* 1 when the sample picks the renewal of credential id for the term ending expires_on. */
static int sampled(const char *id, const char *expires_on, int percent)
{
    uint32_t h = CE_FNV_OFFSET;
    char key[CE_KEY_MAX];

    snprintf(key, sizeof key, "%s|%s", id, expires_on);
    for (const unsigned char *p = (const unsigned char *)key; *p != '\0'; p++) {
        h ^= *p;
        h *= CE_FNV_PRIME;
    }
    return (h % CE_AUDIT_BUCKETS) < (uint32_t)(percent < 0 ? 0 : percent);
}

/* --- the catalog of pre-approved activities -------------------------------------------- */

static pthread_mutex_t catalog_lock = PTHREAD_MUTEX_INITIALIZER;
static char catalog_path[1024] = "data/ce-catalog.json";
static json_t *catalog;

void svc_ce_catalog_use(const char *path)
{
    pthread_mutex_lock(&catalog_lock);
    if (catalog == NULL && path != NULL)
        snprintf(catalog_path, sizeof catalog_path, "%s", path);
    pthread_mutex_unlock(&catalog_lock);
}

/* The catalog's entries (a borrowed array, empty when the file does not read). */
static const json_t *catalog_get(void)
{
    pthread_mutex_lock(&catalog_lock);
    if (catalog == NULL) {
        json_error_t je;
        json_t *doc = json_load_file(catalog_path, 0, &je);
        json_t *a = json_object_get(doc, "activities");

        catalog = json_is_array(a) ? json_incref(a) : json_array();
        json_decref(doc);
    }
    pthread_mutex_unlock(&catalog_lock);
    return catalog;
}

static const json_t *catalog_entry(const char *id)
{
    const json_t *a = catalog_get(), *e;
    size_t i;

    json_array_foreach(a, i, e)
    {
        const char *eid = svc__str(e, "id");

        if (id != NULL && eid != NULL && strcmp(eid, id) == 0)
            return e;
    }
    return NULL;
}

/* --- the holder's page ---------------------------------------------------------------- */

static const char *status_label(const char *s)
{
    if (s != NULL && strcmp(s, "approved") == 0)
        return "Approved";
    if (s != NULL && strcmp(s, "rejected") == 0)
        return "Not approved";
    return "Waiting for review";
}

/* One activity as the page shows it, with the sentence of the rule that applied. */
static json_t *activity_view(const struct cctx *c, const json_t *a, const struct tally *t, size_t i)
{
    const struct program_category *cat = program_category(&c->prog, svc__str(a, "category"));
    json_t *v = json_pack(
        "{s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:s, s:O, s:O}", "id", json_object_get(a, "id"),
        "category", json_object_get(a, "category"), "title", json_object_get(a, "title"),
        "provider", json_object_get(a, "provider"), "started_on", json_object_get(a, "started_on"),
        "completed_on", json_object_get(a, "completed_on"), "status", json_object_get(a, "status"),
        "source", json_object_get(a, "source"), "status_label", status_label(svc__str(a, "status")),
        "reason", json_object_get(a, "reason"), "rules_version",
        json_object_get(a, "rules_version"));
    json_t *skills = json_array();
    struct split sp;
    char rule[CE_TEXT_MAX + CE_REASON_MAX];
    const char *st = svc__str(a, "status");

    if (v == NULL || skills == NULL) {
        json_decref(v);
        json_decref(skills);
        return NULL;
    }
    json_object_set_new(v, "category_label",
                        json_string(cat != NULL ? cat->label : svc__str(a, "category")));
    json_object_set_new(v, "quantity",
                        points((long)json_integer_value(json_object_get(a, "quantity"))));
    json_object_set(v, "evidence_id", json_object_get(a, "evidence_id"));
    if (split_skills(svc__str(a, "skills"), &sp) == 0) {
        for (size_t k = 0; k < sp.n; k++) {
            const char *label = json_string_value(json_object_get(c->skills, sp.codes[k]));

            json_array_append_new(skills, json_pack("{s:s, s:s}", "code", sp.codes[k], "label",
                                                    label != NULL ? label : sp.codes[k]));
        }
        free(sp.text);
    }
    json_object_set_new(v, "skills", skills);
    if (t->counted[i]) {
        json_object_set_new(v, "earned", points(t->lines[i].earned));
        json_object_set_new(v, "counted", points(t->lines[i].counted));
        snprintf(rule, sizeof rule, "%s", t->lines[i].text);
    } else {
        json_object_set_new(v, "earned", json_string("0"));
        json_object_set_new(v, "counted", json_string("0"));
        if (st != NULL && strcmp(st, "rejected") == 0)
            snprintf(rule, sizeof rule, "A reviewer did not approve this activity: %s",
                     svc__str(a, "reason") != NULL ? svc__str(a, "reason") : "");
        else if (cat == NULL)
            snprintf(rule, sizeof rule,
                     "The program's rules no longer have the category \"%s\", so this activity "
                     "earns no points.",
                     svc__str(a, "category"));
        else
            snprintf(rule, sizeof rule, "This activity counts once a reviewer approves it.");
    }
    json_object_set_new(v, "rule", json_string(rule));
    return v;
}

/* The categories of the rules, with what each earned and counted this term. */
static json_t *categories_view(const struct cctx *c, const struct tally *t)
{
    json_t *a = json_array();

    for (int i = 0; a != NULL && i < c->prog.ncats; i++) {
        const struct program_category *pc = &c->prog.cats[i];
        char value[PROGRAM_LABEL_MAX], cap[PROGRAM_LABEL_MAX];
        long earned = 0, counted = 0;

        for (int k = 0; k < t->res.ncats; k++)
            if (strcmp(t->res.cats[k].code, pc->code) == 0) {
                earned = t->res.cats[k].earned;
                counted = t->res.cats[k].counted;
            }
        program_value_text(pc, value, sizeof value);
        if (pc->cap < 0)
            snprintf(cap, sizeof cap, "No cap");
        else
            snprintf(cap, sizeof cap, "At most %d points per term", pc->cap);
        json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:b}", "code", pc->code,
                                           "label", pc->label, "value", value, "cap", cap, "earned",
                                           points(earned), "counted", points(counted), "capped",
                                           earned > counted));
    }
    return a;
}

/* What the holder still needs, as a progress bar and a sentence. */
static json_t *progress_view(const struct tally *t)
{
    const struct ce_result *r = &t->res;
    long pct = r->required > 0 ? r->counted * 100 / r->required : 100;
    char by[CLOCK_DATE_LEN], need[CE_POINTS_MAX], got[CE_POINTS_MAX], req[CE_POINTS_MAX];
    char text[CE_TEXT_MAX];

    clock_date_format(r->by, by, sizeof by);
    ce_points_format(r->needed, need, sizeof need);
    ce_points_format(r->counted, got, sizeof got);
    ce_points_format(r->required, req, sizeof req);
    if (r->eligible)
        snprintf(text, sizeof text,
                 "You have counted %s of the %s points this term needs, so you can renew.", got,
                 req);
    else
        snprintf(text, sizeof text,
                 "You have counted %s of the %s points this term needs; log %s more by %s to "
                 "renew.",
                 got, req, need, by);
    return json_pack("{s:o, s:o, s:o, s:o, s:s, s:I, s:b, s:s, s:I, s:I}", "counted",
                     points(r->counted), "earned", points(r->earned), "required",
                     points(r->required), "needed", points(r->needed), "by", by, "percent",
                     (json_int_t)(pct > 100 ? 100 : pct), "met", r->eligible, "text", text, "value",
                     (json_int_t)(r->counted > r->required ? r->required : r->counted) / CE_SCALE,
                     "max", (json_int_t)(r->required / CE_SCALE));
}

/*
 * Whether c can renew on today and why not: *by_exam is set when a passing
 * exam within the term is the reason. Fills text with a sentence either way.
 */
static int renewable(const struct svc *sv, const struct cctx *c, const struct tally *t,
                     struct clock_date today, int *by_exam, char *text, size_t n,
                     struct cf_error *err)
{
    struct cred_event ev = {CRED_EV_RENEW, NULL};
    struct cred_state next;
    struct cf_error e;
    char from[CLOCK_DATE_LEN], to[CLOCK_DATE_LEN], need[CE_POINTS_MAX], by[CLOCK_DATE_LEN];
    int rc;

    *by_exam = 0;
    cf_error_clear(&e);
    if (cred_apply(&c->st, &ev, today, &c->cr, &next, &e) != CF_OK) {
        snprintf(text, n, "%s", e.message);
        return 0;
    }
    clock_date_format(c->term_start, from, sizeof from);
    clock_date_format(c->st.expires_on, to, sizeof to);
    rc = store_ce_exam_passed(
        sv->store, svc__str(c->cred, "person_id"),
        (int64_t)json_integer_value(json_object_get(c->cred, "program_id")), from, to,
        (int64_t)json_integer_value(json_object_get(c->cred, "result_id")), by_exam, err);
    if (rc != CF_OK)
        return -1;
    if (t->res.eligible) {
        snprintf(text, n,
                 "The requirement is met: renew to extend the credential by %d years "
                 "from %s.",
                 c->cr.term_years, to);
        return 1;
    }
    if (*by_exam) {
        snprintf(text, n,
                 "You passed the exam again within this term: renew to extend the "
                 "credential by %d years from %s.",
                 c->cr.term_years, to);
        return 1;
    }
    ce_points_format(t->res.needed, need, sizeof need);
    clock_date_format(t->res.by, by, sizeof by);
    snprintf(text, n,
             "This credential needs %s more points by %s to renew, or the exam passed again "
             "before then.",
             need, by);
    return 0;
}

static json_t *credential_view(const struct cctx *c)
{
    return json_pack(
        "{s:O, s:O, s:s, s:O, s:O, s:O, s:O, s:O, s:O}", "number",
        json_object_get(c->cred, "number"), "status", json_object_get(c->cred, "status"), "program",
        c->prog.name, "program_code", json_object_get(c->cred, "program_code"), "holder_name",
        json_object_get(c->cred, "holder_name"), "issued_on", json_object_get(c->cred, "issued_on"),
        "term_start", json_object_get(c->cred, "term_start"), "expires_on",
        json_object_get(c->cred, "expires_on"), "rules_version",
        json_object_get(c->cred, "rules_version"));
}

/* The form's choices: categories, the framework's skill areas, the catalog. */
static json_t *form_view(const struct cctx *c)
{
    json_t *cats = json_array(), *skills = json_array(), *cat = json_array(), *v;
    const json_t *e;
    const char *k;
    size_t i;

    for (int j = 0; j < c->prog.ncats; j++) {
        char value[PROGRAM_LABEL_MAX];

        program_value_text(&c->prog.cats[j], value, sizeof value);
        json_array_append_new(cats, json_pack("{s:s, s:s, s:s}", "code", c->prog.cats[j].code,
                                              "label", c->prog.cats[j].label, "value", value));
    }
    json_object_foreach((json_t *)c->skills, k, v)
    {
        json_array_append_new(skills, json_pack("{s:s, s:O}", "code", k, "label", v));
    }
    json_array_foreach(catalog_get(), i, e)
    {
        if (program_category(&c->prog, svc__str(e, "category")) != NULL)
            json_array_append(cat, (json_t *)e);
    }
    return json_pack("{s:o, s:o, s:o, s:i}", "categories", cats, "skills", skills, "catalog", cat,
                     "skills_min", c->prog.ce_skill_areas_min);
}

int svc_ce_page(const struct svc *sv, const char *number, json_t **out, struct cf_error *err)
{
    struct cctx *c = NULL;
    json_t *rows = NULL, *acts = NULL, *events = NULL, *audit = NULL;
    struct tally t;
    struct clock_date today = clock_date_of(clock_now());
    char text[CE_TEXT_MAX + CE_REASON_MAX];
    size_t i;
    int by_exam = 0, can, rc;

    *out = NULL;
    memset(&t, 0, sizeof t);
    rc = cctx_load(sv, number, PERM_CREDENTIALS_READ, &c, err);
    if (rc != CF_OK)
        return rc;
    rc = store_ce_activities(sv->store, svc__str(c->cred, "id"), &rows, err);
    if (rc == CF_OK)
        rc = tally(c, rows, &t, err);
    if (rc != CF_OK)
        goto out;
    acts = json_array();
    for (i = 0; acts != NULL && i < json_array_size(rows); i++)
        json_array_append_new(acts, activity_view(c, json_array_get(rows, i), &t, i));
    can = renewable(sv, c, &t, today, &by_exam, text, sizeof text, err);
    if (can < 0) {
        rc = err->code;
        goto out;
    }
    rc = store_ce_credential_events(sv->store, svc__str(c->cred, "id"), &events, err);
    if (rc != CF_OK)
        goto out;
    rc = store_renewal_audit(sv->store, svc__str(c->cred, "id"), svc__str(c->cred, "expires_on"),
                             &audit, err);
    if (rc == CF_ENOTFOUND) {
        cf_error_clear(err);
        rc = CF_OK;
    }
    if (rc != CF_OK)
        goto out;
    if (audit != NULL && strcmp(svc__str(audit, "status"), "pending") == 0) {
        can = 0;
        snprintf(text, sizeof text,
                 "The renewal was picked for an audit; a reviewer is checking "
                 "the evidence of its activities.");
    } else if (audit != NULL && strcmp(svc__str(audit, "status"), "failed") == 0 &&
               c->prog.audit_blocks_renewal) {
        can = 0;
        snprintf(text, sizeof text,
                 "The audit of this renewal failed, so the credential cannot be "
                 "renewed for this term: %s",
                 svc__str(audit, "reason") != NULL ? svc__str(audit, "reason") : "");
    }
    *out = json_pack("{s:o, s:o, s:o, s:o, s:{s:b, s:b, s:s, s:O}, s:o, s:o, s:i, s:b}",
                     "credential", credential_view(c), "activities", acts, "categories",
                     categories_view(c, &t), "progress", progress_view(&t), "renewal", "possible",
                     can == 1, "by_exam", by_exam, "text", text, "audit",
                     audit != NULL ? json_object_get(audit, "status") : json_null(), "choices",
                     form_view(c), "events", events, "rules_version", c->version, "is_holder",
                     holder(sv, c->cred));
    acts = NULL;
    events = NULL;
    if (*out == NULL)
        rc = oom(err);
    else /* the holder, or someone who acts for holders, logs and renews from the page */
        json_object_set_new(
            *out, "can_act",
            json_boolean(holder(sv, c->cred) || svc__can(sv, PERM_CREDENTIALS_WRITE, NULL)));

out:
    tally_free(&t);
    json_decref(rows);
    json_decref(acts);
    json_decref(events);
    json_decref(audit);
    cctx_free(c);
    return rc;
}

int svc_ce_summary(const struct svc *sv, const char *number, json_t **out, struct cf_error *err)
{
    json_t *page = NULL, *cats, *c;
    size_t i;
    int rc = svc_ce_page(sv, number, &page, err);

    *out = NULL;
    if (rc != CF_OK)
        return rc;
    cats = json_object();
    json_array_foreach(json_object_get(page, "categories"), i, c)
    {
        json_object_set_new(cats, svc__str(c, "code"),
                            json_pack("{s:O, s:O}", "earned", json_object_get(c, "earned"),
                                      "counted", json_object_get(c, "counted")));
    }
    *out =
        json_pack("{s:O, s:O, s:O, s:O, s:O, s:{s:O, s:O, s:O, s:O, s:O, s:o}, s:O}", "number",
                  json_object_get(json_object_get(page, "credential"), "number"), "status",
                  json_object_get(json_object_get(page, "credential"), "status"), "issued_on",
                  json_object_get(json_object_get(page, "credential"), "issued_on"), "term_start",
                  json_object_get(json_object_get(page, "credential"), "term_start"), "expires_on",
                  json_object_get(json_object_get(page, "credential"), "expires_on"), "points",
                  "earned", json_object_get(json_object_get(page, "progress"), "earned"), "counted",
                  json_object_get(json_object_get(page, "progress"), "counted"), "required",
                  json_object_get(json_object_get(page, "progress"), "required"), "needed",
                  json_object_get(json_object_get(page, "progress"), "needed"), "by",
                  json_object_get(json_object_get(page, "progress"), "by"), "categories", cats,
                  "renewal", json_object_get(page, "renewal"));
    json_decref(page);
    return *out != NULL ? CF_OK : oom(err);
}

int svc_ce_mine(const struct svc *sv, json_t **out, struct cf_error *err)
{
    json_t *rows = NULL;
    int rc;

    *out = NULL;
    if (sv->who == NULL || sv->who->person_id == NULL)
        return cf_error_set(err, CF_EFORBIDDEN, NULL, "Sign in to see your credentials.");
    rc = store_ce_credentials_of(sv->store, sv->who->person_id, &rows, err);
    if (rc != CF_OK)
        return rc;
    *out = json_pack("{s:o}", "credentials", rows);
    return *out != NULL ? CF_OK : oom(err);
}

/* --- logging an activity --------------------------------------------------------------- */

/* The skill codes of in[field] (an array, or one string of codes separated by ';'). */
static int skills_of(const json_t *v, json_t *codes)
{
    size_t i;
    const json_t *x;

    if (json_is_string(v)) {
        struct split sp;

        if (split_skills(json_string_value(v), &sp) != 0)
            return -1;
        for (size_t k = 0; k < sp.n; k++)
            json_array_append_new(codes, json_string(sp.codes[k]));
        free(sp.text);
        return 0;
    }
    json_array_foreach(v, i, x)
    {
        if (json_is_string(x) && json_string_length(x) > 0)
            json_array_append(codes, (json_t *)x);
    }
    return 0;
}

/*
 * Checks the skill codes: each a skill area of c's framework, at least the
 * rules' minimum, at most CE_SKILLS_MAX; joins them with ';' into out.
 */
static int check_skills(const struct cctx *c, const json_t *codes, const char *field, char *out,
                        size_t n, struct cf_error *err)
{
    const json_t *x;
    size_t i, used = 0;
    int min = c->prog.ce_skill_areas_min > 0 ? c->prog.ce_skill_areas_min : 1;

    out[0] = '\0';
    if (json_object_size(c->skills) == 0)
        return cf_error_set(err, CF_EINVAL, field,
                            "The framework of the program is not loaded, so no skill area can be "
                            "chosen; ask a program administrator to import it.");
    if (json_array_size(codes) < (size_t)min)
        return cf_error_set(err, CF_EINVAL, field,
                            "Choose at least %d skill area%s this activity served.", min,
                            min == 1 ? "" : "s");
    if (json_array_size(codes) > CE_SKILLS_MAX)
        return cf_error_set(err, CF_EINVAL, field, "Choose at most %d skill areas.", CE_SKILLS_MAX);
    json_array_foreach(codes, i, x)
    {
        const char *code = json_string_value(x);
        int w;

        if (json_object_get(c->skills, code) == NULL)
            return cf_error_set(err, CF_EINVAL, field,
                                "The code \"%.40s\" is not a skill area of the framework; use its "
                                "codes, such as I.A.",
                                code);
        w = snprintf(out + used, n - used, "%s%s", used > 0 ? ";" : "", code);
        if (w < 0 || (size_t)w >= n - used)
            return cf_error_set(err, CF_EINVAL, field, "Choose fewer skill areas.");
        used += (size_t)w;
    }
    return CF_OK;
}

/* A date field of in: required or not, not after today. */
static int check_date(const json_t *in, const char *field, int required, struct clock_date today,
                      const char *what, struct clock_date *d, int *given, struct cf_error *err)
{
    const char *s = svc__str(in, field);

    *given = 0;
    if (s == NULL || s[0] == '\0') {
        if (required)
            return cf_error_set(err, CF_EINVAL, field, "Enter the day %s, as YYYY-MM-DD.", what);
        return CF_OK;
    }
    if (clock_date_parse(s, d) != 0)
        return cf_error_set(err, CF_EINVAL, field, "Write the day %s as YYYY-MM-DD.", what);
    if (clock_date_cmp(*d, today) > 0)
        return cf_error_set(err, CF_EINVAL, field,
                            "The day %s cannot be later than today; log the activity once it is "
                            "done.",
                            what);
    *given = 1;
    return CF_OK;
}

/* The quantity of an activity in hundredths, whole for items and membership-years. */
static int check_quantity(const struct program_category *cat, const char *s, const char *field,
                          long *q, struct cf_error *err)
{
    if (s == NULL || ce_quantity_parse(s, q) != 0)
        return cf_error_set(err, CF_EINVAL, field,
                            "Enter the hours (or items, or membership-years) as a number above 0, "
                            "such as 1.5.");
    if (cat != NULL && cat->unit != PROGRAM_PER_HOUR && *q % CE_SCALE != 0)
        return cf_error_set(err, CF_EINVAL, field, "Enter a whole number of %s for this category.",
                            cat->unit == PROGRAM_PER_ITEM ? "items" : "membership-years");
    return CF_OK;
}

/* The type of an evidence file by its first bytes: PDF, PNG or JPEG; NULL otherwise. */
static const char *evidence_type(const struct svc_file *f)
{
    static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    static const unsigned char jpeg[] = {0xff, 0xd8, 0xff};
    const unsigned char *d = (const unsigned char *)f->data;

    if (f->n >= 5 && memcmp(d, "%PDF-", 5) == 0)
        return "application/pdf";
    if (f->n >= sizeof png && memcmp(d, png, sizeof png) == 0)
        return "image/png";
    if (f->n >= sizeof jpeg && memcmp(d, jpeg, sizeof jpeg) == 0)
        return "image/jpeg";
    return NULL;
}

static int check_evidence(const struct svc_file *f, struct cf_error *err)
{
    if (f == NULL)
        return CF_OK;
    if (f->n == 0)
        return cf_error_set(err, CF_EINVAL, "evidence",
                            "The evidence file is empty; choose the file again.");
    if (f->n > CE_EVIDENCE_MAX)
        return cf_error_set(err, CF_EINVAL, "evidence", "Choose an evidence file of at most %u MB.",
                            CE_EVIDENCE_MAX / (1024u * 1024u));
    if (evidence_type(f) == NULL)
        return cf_error_set(err, CF_EINVAL, "evidence",
                            "Choose a PDF, PNG or JPEG file as evidence.");
    return CF_OK;
}

/* The value of a hex digit, or -1. */
static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Stores f (checked) as a new ce_evidence row; id gets its id. */
static int store_evidence(const struct svc *sv, const struct svc_file *f, const char *now,
                          char id[37], struct cf_error *err)
{
    static const char hexd[] = "0123456789abcdef";
    char *hex = malloc(2 * f->n + 3), name[CE_TEXT_BUF];
    const unsigned char *d = (const unsigned char *)f->data;
    json_t *in;
    int rc;

    if (hex == NULL)
        return oom(err);
    hex[0] = '\\';
    hex[1] = 'x';
    for (size_t i = 0; i < f->n; i++) {
        hex[2 + 2 * i] = hexd[d[i] >> 4];
        hex[3 + 2 * i] = hexd[d[i] & 15];
    }
    hex[2 + 2 * f->n] = '\0';
    /* The name as sent, cleaned like any text; a name that is not usable becomes "evidence". */
    in = json_pack("{s:s}", "name", f->name != NULL ? f->name : "");
    if (in == NULL ||
        svc__text(in, "name", 1, CE_TITLE_MAX, "the file name", name, sizeof name, err) != CF_OK) {
        cf_error_clear(err);
        snprintf(name, sizeof name, "evidence");
    }
    json_decref(in);
    svc__uuid(id);
    rc = store_ce_evidence_add(sv->store, id, name, evidence_type(f), (int64_t)f->n, hex,
                               sv->who != NULL ? sv->who->person_id : NULL, now, err);
    free(hex);
    return rc;
}

int svc_ce_log(const struct svc *sv, const char *number, const json_t *in,
               const struct svc_file *evidence, json_t **out, struct cf_error *err)
{
    char evid[37] = "";
    struct cctx *c = NULL;
    struct svc_checks ck = {err, CF_OK};
    struct cf_error e;
    struct clock_date today = clock_date_of(clock_now()), started, completed;
    const struct program_category *cat = NULL;
    const json_t *entry = NULL;
    json_t *codes = json_array(), *row = NULL;
    char title[CE_TEXT_BUF], provider[CE_TEXT_BUF], skills[CE_TEXT_BUF], id[37], now[32];
    char sdate[CLOCK_DATE_LEN] = "", cdate[CLOCK_DATE_LEN] = "";
    const char *catalog_id = svc__str(in, "catalog");
    long q = 0;
    int has_start = 0, has_end = 0, rc;

    *out = NULL;
    if (codes == NULL)
        return oom(err);
    rc = svc__begin(sv, err);
    if (rc != CF_OK) {
        json_decref(codes);
        return rc;
    }
    rc = cctx_load(sv, number, PERM_CREDENTIALS_WRITE, &c, err);
    if (rc != CF_OK)
        goto out;
    if (c->st.status == CRED_REVOKED || c->st.status == CRED_LAPSED) {
        rc = cf_error_set(err, CF_ECONFLICT, NULL,
                          "A %s credential takes no continuing-education activities.",
                          cred_status_name(c->st.status));
        goto out;
    }
    if (catalog_id != NULL && catalog_id[0] != '\0') {
        entry = catalog_entry(catalog_id);
        if (entry == NULL) {
            rc = cf_error_set(err, CF_EINVAL, "catalog",
                              "Choose an activity of the catalog, or leave the choice empty.");
            goto out;
        }
    }

    cf_error_clear(&e);
    cat = program_category(&c->prog, svc__str(in, "category"));
    if (cat == NULL)
        svc__check(&ck,
                   cf_error_set(&e, CF_EINVAL, "category",
                                "Choose the category of the activity from the program's list."),
                   &e);
    svc__check(&ck,
               svc__text(in, "title", 1, CE_TITLE_MAX, "the title of the activity", title,
                         sizeof title, &e),
               &e);
    svc__check(
        &ck,
        svc__text(in, "provider", 0, CE_TITLE_MAX, "the provider", provider, sizeof provider, &e),
        &e);
    svc__check(
        &ck,
        check_date(in, "started_on", 0, today, "the activity started", &started, &has_start, &e),
        &e);
    svc__check(&ck,
               check_date(in, "completed_on", 1, today, "the activity was completed", &completed,
                          &has_end, &e),
               &e);
    if (has_start && has_end && clock_date_cmp(started, completed) > 0)
        svc__check(&ck,
                   cf_error_set(&e, CF_EINVAL, "started_on",
                                "The first day cannot be after the day the activity was "
                                "completed."),
                   &e);
    svc__check(&ck, check_quantity(cat, svc__str(in, "hours"), "hours", &q, &e), &e);
    if (skills_of(json_object_get(in, "skills"), codes) != 0) {
        rc = oom(err);
        goto out;
    }
    svc__check(&ck, check_skills(c, codes, "skills", skills, sizeof skills, &e), &e);
    svc__check(&ck, check_evidence(evidence, &e), &e);
    if (ck.rc != CF_OK) {
        rc = ck.rc;
        goto out;
    }

    svc__uuid(id);
    clock_now_iso(now, sizeof now);
    if (evidence != NULL) {
        rc = store_evidence(sv, evidence, now, evid, err);
        if (rc != CF_OK)
            goto out;
    }
    if (has_start)
        clock_date_format(started, sdate, sizeof sdate);
    clock_date_format(completed, cdate, sizeof cdate);
    row =
        json_pack("{s:s, s:O, s:s, s:s, s:s, s:s?, s:s, s:I, s:s, s:s, s:s, s:i, s:s, s:s?}", "id",
                  id, "credential_id", json_object_get(c->cred, "id"), "category", cat->code,
                  "title", title, "provider", provider, "started_on", has_start ? sdate : NULL,
                  "completed_on", cdate, "quantity", (json_int_t)q, "skills", skills, "source",
                  entry != NULL ? "catalog" : "holder", "status", "pending", "rules_version",
                  c->version, "created_at", now, "evidence_id", evid[0] != '\0' ? evid : NULL);
    if (row == NULL) {
        rc = oom(err);
        goto out;
    }
    rc = store_ce_activity_add(sv->store, row, err);
    if (rc == CF_OK)
        rc = svc__audit(sv, NULL, "ce.log", "ce_activity", id, NULL, row, err);
    if (rc == CF_OK) {
        *out = json_pack("{s:s, s:O, s:s}", "id", id, "number", json_object_get(c->cred, "number"),
                         "status", "pending");
        if (*out == NULL)
            rc = oom(err);
    }

out:
    json_decref(codes);
    json_decref(row);
    cctx_free(c);
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    if (rc != CF_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

/* --- review ----------------------------------------------------------------------------- */

int svc_ce_queue(const struct svc *sv, long page, json_t **out, struct cf_error *err)
{
    json_t *rows = NULL, *audits = NULL, *r;
    int64_t total = 0;
    size_t i;
    int rc;

    *out = NULL;
    if (!svc__can(sv, PERM_CE_REVIEW, NULL))
        return cf_error_set(err, CF_EFORBIDDEN, NULL,
                            "Reviewing continuing education needs the ce.review permission.");
    if (page < 1)
        page = 1;
    rc = store_ce_review_queue(sv->store, CE_QUEUE_PAGE, (page - 1) * CE_QUEUE_PAGE, &rows, &total,
                               err);
    if (rc == CF_OK)
        rc = store_renewal_audits_pending(sv->store, &audits, err);
    if (rc != CF_OK) {
        json_decref(rows);
        return rc;
    }
    json_array_foreach(rows, i, r)
    {
        json_object_set_new(r, "quantity",
                            points((long)json_integer_value(json_object_get(r, "quantity"))));
    }
    *out = json_pack("{s:o, s:o, s:I, s:i, s:I, s:b, s:b, s:i, s:i}", "activities", rows, "audits",
                     audits, "total", (json_int_t)total, "page", (int)page, "pages",
                     (json_int_t)((total + CE_QUEUE_PAGE - 1) / CE_QUEUE_PAGE), "has_prev",
                     page > 1, "has_next", (int64_t)page * CE_QUEUE_PAGE < total, "prev",
                     (int)page - 1, "next", (int)page + 1);
    return *out != NULL ? CF_OK : oom(err);
}

/* The reason of a decision: required when it refuses, at most CE_REASON_MAX characters. */
static int check_reason(const char *reason, int required, char *out, size_t n, struct cf_error *err)
{
    json_t *in = json_pack("{s:s}", "reason", reason != NULL ? reason : "");
    int rc;

    if (in == NULL)
        return oom(err);
    rc = svc__text(in, "reason", required, CE_REASON_MAX, "the reason", out, n, err);
    json_decref(in);
    return rc;
}

int svc_ce_review(const struct svc *sv, const char *id, const char *decision, const char *reason,
                  json_t **out, struct cf_error *err)
{
    json_t *a = NULL, *cred = NULL, *after = NULL;
    struct cctx *c = NULL;
    char why[CE_TEXT_BUF], now[32];
    int approve = decision != NULL && strcmp(decision, "approve") == 0;
    int reject = decision != NULL && strcmp(decision, "reject") == 0;
    int rc;

    *out = NULL;
    if (!svc__can(sv, PERM_CE_REVIEW, NULL))
        return cf_error_set(err, CF_EFORBIDDEN, NULL,
                            "Reviewing continuing education needs the ce.review permission.");
    if (!approve && !reject)
        return cf_error_set(err, CF_EINVAL, "decision", "Choose to approve or to reject.");
    rc = check_reason(reason, reject, why, sizeof why, err);
    if (rc != CF_OK)
        return rc;
    rc = svc__begin(sv, err);
    if (rc != CF_OK)
        return rc;
    rc = store_ce_activity(sv->store, id, &a, err);
    if (rc == CF_ENOTFOUND)
        rc = cf_error_set(err, CF_ENOTFOUND, NULL, "There is no such activity.");
    if (rc == CF_OK)
        rc = store_ce_credential_by_id(sv->store, svc__str(a, "credential_id"), &cred, err);
    if (rc != CF_OK)
        goto out;
    if (holder(sv, cred)) {
        rc = cf_error_set(err, CF_ECONFLICT, NULL,
                          "You cannot review an activity on your own credential; another "
                          "reviewer decides it.");
        goto out;
    }
    c = calloc(1, sizeof *c);
    if (c == NULL) {
        rc = oom(err);
        goto out;
    }
    c->cred = json_incref(cred);
    rc = cctx_rules(sv, c, err);
    if (rc != CF_OK)
        goto out;
    clock_now_iso(now, sizeof now);
    rc = store_ce_activity_decide(sv->store, id, approve ? "approved" : "rejected",
                                  sv->who != NULL ? sv->who->person_id : NULL,
                                  why[0] != '\0' ? why : NULL, c->version, now, err);
    if (rc != CF_OK)
        goto out;
    after = json_pack("{s:s, s:s, s:i}", "status", approve ? "approved" : "rejected", "reason", why,
                      "rules_version", c->version);
    rc = svc__audit(sv, NULL, approve ? "ce.approve" : "ce.reject", "ce_activity", id, a, after,
                    err);
    if (rc == CF_OK) {
        *out = json_pack("{s:s, s:s}", "id", id, "status", approve ? "approved" : "rejected");
        if (*out == NULL)
            rc = oom(err);
    }

out:
    json_decref(a);
    json_decref(cred);
    json_decref(after);
    cctx_free(c);
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    if (rc != CF_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

/* --- renewal ----------------------------------------------------------------------------- */

/*
 * Renews c on today inside the caller's transaction: cred_apply RENEW (one
 * term from the old expiry), the new term, the event and the audit entry.
 */
static int renew_now(const struct svc *sv, struct cctx *c, struct clock_date today, json_t **out,
                     struct cf_error *err)
{
    struct cred_event ev = {CRED_EV_RENEW, NULL};
    struct cred_state next;
    char start[CLOCK_DATE_LEN], until[CLOCK_DATE_LEN], now[32];
    const char *id = svc__str(c->cred, "id"), *from = svc__str(c->cred, "status");
    json_t *before = NULL, *after = NULL;
    int rc = cred_apply(&c->st, &ev, today, &c->cr, &next, err);

    if (rc != CF_OK)
        return rc;
    clock_now_iso(now, sizeof now);
    clock_date_format(cred_term_start(&c->cr, &next), start, sizeof start);
    clock_date_format(next.expires_on, until, sizeof until);
    rc = store_ce_credential_move(sv->store, id, from, cred_status_name(next.status), start, until,
                                  now, err);
    if (rc == CF_OK)
        rc = store_ce_credential_event(sv->store, id, now, sv->actor, "renew", from,
                                       cred_status_name(next.status), until, NULL, c->version, err);
    if (rc != CF_OK)
        return rc;
    before = json_pack("{s:O, s:O, s:O}", "status", json_object_get(c->cred, "status"),
                       "term_start", json_object_get(c->cred, "term_start"), "expires_on",
                       json_object_get(c->cred, "expires_on"));
    after = json_pack("{s:s, s:s, s:s, s:i}", "status", cred_status_name(next.status), "term_start",
                      start, "expires_on", until, "rules_version", c->version);
    rc = svc__audit(sv, NULL, "credential.renew", "credential", svc__str(c->cred, "number"), before,
                    after, err);
    if (rc == CF_OK) {
        *out =
            json_pack("{s:s, s:O, s:s, s:s, s:s, s:i}", "result", "renewed", "number",
                      json_object_get(c->cred, "number"), "status", cred_status_name(next.status),
                      "term_start", start, "expires_on", until, "rules_version", c->version);
        if (*out == NULL)
            rc = oom(err);
    }
    json_decref(before);
    json_decref(after);
    return rc;
}

int svc_credential_renew(const struct svc *sv, const char *number, json_t **out,
                         struct cf_error *err)
{
    struct cctx *c = NULL;
    json_t *rows = NULL, *audit = NULL;
    struct tally t;
    struct clock_date today = clock_date_of(clock_now());
    char why[CE_TEXT_MAX + CE_REASON_MAX], aid[37], now[32];
    const char *id, *exp;
    int by_exam = 0, can, rc;

    *out = NULL;
    memset(&t, 0, sizeof t);
    rc = svc__begin(sv, err);
    if (rc != CF_OK)
        return rc;
    rc = cctx_load(sv, number, PERM_CREDENTIALS_WRITE, &c, err);
    if (rc != CF_OK)
        goto out;
    id = svc__str(c->cred, "id");
    exp = svc__str(c->cred, "expires_on");
    rc = store_ce_activities(sv->store, id, &rows, err);
    if (rc == CF_OK)
        rc = tally(c, rows, &t, err);
    if (rc != CF_OK)
        goto out;
    can = renewable(sv, c, &t, today, &by_exam, why, sizeof why, err);
    if (can < 0) {
        rc = err->code;
        goto out;
    }
    if (!can) {
        rc = cf_error_set(err, CF_ECONFLICT, NULL, "%s", why);
        goto out;
    }

    /* The sample: the same credential and term always give the same answer. */
    if (sampled(id, exp, c->prog.audit_percent)) {
        rc = store_renewal_audit(sv->store, id, exp, &audit, err);
        if (rc == CF_ENOTFOUND) {
            cf_error_clear(err);
            svc__uuid(aid);
            clock_now_iso(now, sizeof now);
            rc = store_renewal_audit_add(sv->store, aid, id, exp, sv->actor, c->version, now, err);
            if (rc == CF_OK)
                rc = store_ce_credential_event(
                    sv->store, id, now, sv->actor, "audit_requested", svc__str(c->cred, "status"),
                    svc__str(c->cred, "status"), exp, NULL, c->version, err);
            if (rc == CF_OK)
                rc = svc__audit(sv, NULL, "credential.audit_requested", "credential",
                                svc__str(c->cred, "number"), NULL, NULL, err);
            if (rc == CF_OK) {
                *out = json_pack("{s:s, s:O, s:s, s:s, s:i}", "result", "audit", "number",
                                 json_object_get(c->cred, "number"), "audit", aid, "message",
                                 "The renewal was picked for an audit: a reviewer checks the "
                                 "evidence of its activities, and the credential is renewed when "
                                 "the audit passes.",
                                 "rules_version", c->version);
                if (*out == NULL)
                    rc = oom(err);
            }
            goto out;
        }
        if (rc != CF_OK)
            goto out;
        if (strcmp(svc__str(audit, "status"), "pending") == 0) {
            rc = cf_error_set(err, CF_ECONFLICT, NULL,
                              "This renewal waits for its audit; it is renewed when a reviewer "
                              "passes the audit.");
            goto out;
        }
        if (strcmp(svc__str(audit, "status"), "failed") == 0 && c->prog.audit_blocks_renewal) {
            rc = cf_error_set(err, CF_ECONFLICT, NULL,
                              "The audit of this renewal failed, so the credential cannot be "
                              "renewed for this term.");
            goto out;
        }
    }
    rc = renew_now(sv, c, today, out, err);

out:
    tally_free(&t);
    json_decref(rows);
    json_decref(audit);
    cctx_free(c);
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    if (rc != CF_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int svc_renewal_audit_decide(const struct svc *sv, const char *id, const char *decision,
                             const char *reason, json_t **out, struct cf_error *err)
{
    json_t *audit = NULL, *renewed = NULL;
    struct cctx *c = NULL;
    char why[CE_TEXT_BUF], now[32];
    int pass = decision != NULL && strcmp(decision, "pass") == 0;
    int fail = decision != NULL && strcmp(decision, "fail") == 0;
    int rc;

    *out = NULL;
    if (!svc__can(sv, PERM_CE_REVIEW, NULL))
        return cf_error_set(err, CF_EFORBIDDEN, NULL,
                            "Deciding a renewal audit needs the ce.review permission.");
    if (!pass && !fail)
        return cf_error_set(err, CF_EINVAL, "decision", "Choose to pass or to fail the audit.");
    rc = check_reason(reason, fail, why, sizeof why, err);
    if (rc != CF_OK)
        return rc;
    rc = svc__begin(sv, err);
    if (rc != CF_OK)
        return rc;
    rc = store_renewal_audit_by_id(sv->store, id, &audit, err);
    if (rc == CF_ENOTFOUND)
        rc = cf_error_set(err, CF_ENOTFOUND, NULL, "There is no such audit.");
    if (rc == CF_OK)
        rc = cctx_load(sv, svc__str(audit, "number"), PERM_CE_REVIEW, &c, err);
    if (rc != CF_OK)
        goto out;
    if (holder(sv, c->cred)) {
        rc = cf_error_set(err, CF_ECONFLICT, NULL,
                          "You cannot decide the audit of your own renewal; another reviewer "
                          "decides it.");
        goto out;
    }
    clock_now_iso(now, sizeof now);
    rc = store_renewal_audit_decide(sv->store, id, pass ? "passed" : "failed",
                                    sv->who != NULL ? sv->who->person_id : sv->actor,
                                    why[0] != '\0' ? why : NULL, now, err);
    if (rc == CF_OK)
        rc = store_ce_credential_event(sv->store, svc__str(c->cred, "id"), now, sv->actor,
                                       pass ? "audit_passed" : "audit_failed",
                                       svc__str(c->cred, "status"), svc__str(c->cred, "status"),
                                       svc__str(audit, "expires_on"), why[0] != '\0' ? why : NULL,
                                       c->version, err);
    if (rc == CF_OK)
        rc = svc__audit(sv, NULL, pass ? "credential.audit_passed" : "credential.audit_failed",
                        "credential", svc__str(c->cred, "number"), NULL, NULL, err);
    if (rc != CF_OK)
        goto out;
    /* A passed audit (or a failed one the rules do not let block) renews at once. */
    if (pass || !c->prog.audit_blocks_renewal) {
        rc = renew_now(sv, c, clock_date_of(clock_now()), &renewed, err);
        if (rc != CF_OK)
            goto out;
    }
    *out = json_pack("{s:s, s:s, s:o*}", "id", id, "status", pass ? "passed" : "failed", "renewal",
                     renewed);
    renewed = NULL;
    if (*out == NULL)
        rc = oom(err);

out:
    json_decref(audit);
    json_decref(renewed);
    cctx_free(c);
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    if (rc != CF_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

/* --- the tick: expiring, expired, lapsed; reminders -------------------------------------- */

/* Queues reminder days for credential row cr (state st) of program p. */
static int remind(const struct svc *sv, const struct program *p, const json_t *cr,
                  struct clock_date expires, int days, const char *base, struct cf_error *err)
{
    char subject[PROGRAM_LABEL_MAX + CRED_NUMBER_MAX + 64], body[CE_MSG_MAX], until[CLOCK_DATE_LEN];
    char link[CE_URL_MAX + CRED_NUMBER_MAX + 32];
    int w;

    clock_date_format(expires, until, sizeof until);
    if (base[0] != '\0')
        snprintf(link, sizeof link, "%s/credentials/%s/ce", base, svc__str(cr, "number"));
    else
        snprintf(link, sizeof link, "your credential's page in ctoframe");
    snprintf(subject, sizeof subject, "Your %s credential %s expires on %s", p->code,
             svc__str(cr, "number"), until);
    w = snprintf(body, sizeof body,
                 "Hello %s,\n\n"
                 "Your %s credential %s expires on %s, in %d days.\n\n"
                 "To renew it, count at least %d continuing-education points in this term, or "
                 "pass the exam again before that day. Log your activities and renew it here:\n"
                 "%s\n\n"
                 "After %s the credential is expired; %d days later it lapses and can no longer "
                 "be renewed.\n",
                 svc__str(cr, "holder_name"), p->name, svc__str(cr, "number"), until, days,
                 p->ce_points_required, link, until, p->grace_days);
    if (w < 0 || (size_t)w >= sizeof body)
        return cf_error_set(err, CF_EINVAL, NULL, "A reminder is too long to send.");
    return svc__send(sv, "credential_reminder", svc__str(cr, "holder_email"),
                     svc__str(cr, "person_id"), subject, body, err);
}

/* Appends the rows of more to all, each credential once (seen: the ids so far). */
static void add_unique(json_t *all, json_t *seen, const json_t *more)
{
    const json_t *row;
    size_t i;

    json_array_foreach(more, i, row)
    {
        const char *id = svc__str(row, "id");

        if (id != NULL && json_object_get(seen, id) == NULL) {
            json_object_set_new(seen, id, json_true());
            json_array_append(all, (json_t *)row);
        }
    }
}

/*
 * The credentials of program pid the tick has work for on today, selected in
 * SQL so an idle tick reads next to nothing: those whose status is behind the
 * dates, and, per reminder of the schedule (largest first), those whose
 * closest reminder due is that one and was not sent for their current expiry.
 */
static int tick_candidates(const struct svc *sv, int64_t pid, const struct cred_rules *cr,
                           struct clock_date today, json_t **out, struct cf_error *err)
{
    char d_today[CLOCK_DATE_LEN], d_exp[CLOCK_DATE_LEN], d_lapse[CLOCK_DATE_LEN];
    char after[CLOCK_DATE_LEN], until[CLOCK_DATE_LEN];
    json_t *all = json_array(), *seen = json_object(), *part = NULL;
    int rc;

    *out = NULL;
    if (all == NULL || seen == NULL) {
        json_decref(all);
        json_decref(seen);
        return oom(err);
    }
    clock_date_format(today, d_today, sizeof d_today);
    clock_date_format(clock_date_add_days(today, cr->expiring_days), d_exp, sizeof d_exp);
    clock_date_format(clock_date_add_days(today, -cr->grace_days), d_lapse, sizeof d_lapse);
    rc = store_ce_tick_moves(sv->store, pid, d_exp, d_today, d_lapse, &part, err);
    if (rc == CF_OK)
        add_unique(all, seen, part);
    json_decref(part);
    for (int k = 0; rc == CF_OK && k < cr->nreminders; k++) {
        part = NULL;
        clock_date_format(clock_date_add_days(today, cr->reminder_days[k]), until, sizeof until);
        clock_date_format(
            clock_date_add_days(today, k + 1 < cr->nreminders ? cr->reminder_days[k + 1] : -1),
            after, sizeof after);
        rc = store_ce_tick_remind(sv->store, pid, after, until, cr->reminder_days[k], &part, err);
        if (rc == CF_OK)
            add_unique(all, seen, part);
        json_decref(part);
    }
    json_decref(seen);
    if (rc != CF_OK) {
        json_decref(all);
        return rc;
    }
    *out = all;
    return CF_OK;
}

/* Moves and reminds the credentials of one program (row {id, code}) on today. */
static int tick_program(const struct svc *sv, const json_t *prow, struct clock_date today,
                        const char *base, int64_t *moved, int64_t *reminded, struct cf_error *err)
{
    struct program *p = malloc(sizeof *p);
    struct cred_rules cr;
    json_t *due = NULL, *sent = NULL, *ids = NULL, *bycred = json_object(), *row;
    char now[32];
    int64_t pid = (int64_t)json_integer_value(json_object_get(prow, "id"));
    int version = 0, rc;
    size_t i;

    if (p == NULL || bycred == NULL) {
        rc = oom(err);
        goto out;
    }
    rc = svc__program_rules(sv, svc__str(prow, "code"), 0, p, &version, err);
    if (rc == CF_ENOTFOUND) {
        cf_error_clear(err);
        rc = CF_OK;
        goto out;
    }
    if (rc != CF_OK)
        goto out;
    program_cred_rules(p, &cr);
    rc = tick_candidates(sv, pid, &cr, today, &due, err);
    if (rc != CF_OK)
        goto out;
    ids = json_array();
    if (ids == NULL) {
        rc = oom(err);
        goto out;
    }
    json_array_foreach(due, i, row)
    {
        json_array_append(ids, json_object_get(row, "id"));
    }
    rc = store_ce_tick_sent(sv->store, ids, &sent, err);
    if (rc != CF_OK)
        goto out;
    json_array_foreach(sent, i, row)
    {
        const char *cid = svc__str(row, "credential_id");
        json_t *a = json_object_get(bycred, cid);

        if (a == NULL) {
            a = json_array();
            json_object_set_new(bycred, cid, a);
        }
        json_array_append(a, json_object_get(row, "days"));
    }
    clock_now_iso(now, sizeof now);
    json_array_foreach(due, i, row)
    {
        struct cred_state st, next;
        struct cred_event ev = {CRED_EV_TICK, NULL};
        enum cred_status s;
        int sentdays[CRED_REMINDERS_MAX], nsent = 0, d;
        const json_t *a = json_object_get(bycred, svc__str(row, "id")), *x;
        size_t k;
        const char *id = svc__str(row, "id");

        memset(&st, 0, sizeof st);
        if (cred_status_parse(svc__str(row, "status"), &s) != 0 ||
            clock_date_parse(svc__str(row, "issued_on"), &st.issued_on) != 0 ||
            clock_date_parse(svc__str(row, "expires_on"), &st.expires_on) != 0)
            continue; /* a row edited by hand: left for a person to see */
        st.status = s;
        if (cred_apply(&st, &ev, today, &cr, &next, NULL) != CF_OK)
            continue;
        if (next.status != st.status) {
            rc = store_ce_credential_move(
                sv->store, id, svc__str(row, "status"), cred_status_name(next.status),
                svc__str(row, "term_start"), svc__str(row, "expires_on"), now, err);
            if (rc == CF_OK)
                rc = store_ce_credential_event(
                    sv->store, id, now, sv->actor, "tick", svc__str(row, "status"),
                    cred_status_name(next.status), svc__str(row, "expires_on"), NULL, version, err);
            if (rc == CF_OK) {
                json_t *b = json_pack("{s:O}", "status", json_object_get(row, "status"));
                json_t *af = json_pack("{s:s, s:i}", "status", cred_status_name(next.status),
                                       "rules_version", version);

                rc = svc__audit(sv, NULL, "credential.tick", "credential", svc__str(row, "number"),
                                b, af, err);
                json_decref(b);
                json_decref(af);
            }
            if (rc != CF_OK)
                goto out;
            (*moved)++;
        }
        json_array_foreach(a, k, x)
        {
            if (nsent < CRED_REMINDERS_MAX)
                sentdays[nsent++] = (int)json_integer_value(x);
        }
        d = cred_reminder_due(&cr, &next, today, sentdays, (size_t)nsent);
        if (d > 0) {
            rc = remind(sv, p, row, next.expires_on, d, base, err);
            if (rc == CF_OK)
                rc = store_ce_reminder_add(sv->store, id, svc__str(row, "expires_on"), d, version,
                                           now, err);
            if (rc != CF_OK)
                goto out;
            (*reminded)++;
        }
    }

out:
    free(p);
    json_decref(due);
    json_decref(sent);
    json_decref(ids);
    json_decref(bycred);
    return rc;
}

int svc__credentials_tick(const struct svc *sv, int64_t *moved, int64_t *reminded,
                          struct cf_error *err)
{
    json_t *programs = NULL, *p;
    struct clock_date today = clock_date_of(clock_now());
    char base[CE_URL_MAX];
    struct cf_error e;
    size_t i;
    int rc;

    *moved = 0;
    *reminded = 0;
    if (svc_public_url_known(sv, base, sizeof base, &e) != CF_OK)
        base[0] = '\0';
    rc = store_ce_programs(sv->store, &programs, err);
    json_array_foreach(programs, i, p)
    {
        if (rc == CF_OK)
            rc = tick_program(sv, p, today, base, moved, reminded, err);
    }
    json_decref(programs);
    return rc;
}

/* --- providers' attendance files --------------------------------------------------------- */

/* The rules of one program an import file names, looked up once. */
struct iprog {
    char code[PROGRAM_CODE_MAX];
    struct cctx *c;
};

/*
 * Adds a problem at line and character column col: msg, with the column's name
 * in front when msg does not say it (the same message serves the form, where the
 * field is beside it).
 */
static void problem(json_t *problems, json_int_t line, long col, const char *field, const char *msg)
{
    char named[CE_TEXT_MAX + 64];

    if (json_array_size(problems) >= CE_PROBLEMS_MAX)
        return;
    if (strstr(msg, field) == NULL &&
        snprintf(named, sizeof named, "Column %s: %s", field, msg) < (int)sizeof named)
        msg = named;
    json_array_append_new(problems, json_pack("{s:I, s:I, s:s, s:s}", "line", line, "column",
                                              (json_int_t)col, "field", field, "message", msg));
}

/* The rules (a cctx without a credential of its own) of program code, cached in progs. */
static int iprog_get(const struct svc *sv, struct iprog *progs, int *n, const json_t *cred,
                     struct cctx **out, struct cf_error *err)
{
    const char *code = svc__str(cred, "program_code");
    int rc;

    *out = NULL;
    for (int i = 0; i < *n; i++)
        if (strcmp(progs[i].code, code) == 0) {
            *out = progs[i].c;
            return CF_OK;
        }
    if (*n == CE_PROGRAMS_MAX)
        return cf_error_set(err, CF_EINVAL, "file",
                            "The file names credentials of more than %d programs; split it by "
                            "program.",
                            CE_PROGRAMS_MAX);
    progs[*n].c = calloc(1, sizeof *progs[*n].c);
    if (progs[*n].c == NULL)
        return oom(err);
    snprintf(progs[*n].code, sizeof progs[*n].code, "%s", code);
    rc = store_ce_credential_by_id(sv->store, svc__str(cred, "id"), &progs[*n].c->cred, err);
    if (rc == CF_OK)
        rc = cctx_rules(sv, progs[*n].c, err);
    *out = progs[*n].c;
    (*n)++;
    return rc;
}

/* A text field of a file's row checked as svc__text checks a form's (trimmed, no control
 * characters, at most CE_TITLE_MAX characters) into out. */
static int text_field(const char *v, int required, const char *label, char *out, size_t n,
                      struct cf_error *err)
{
    const char *b = v != NULL ? v : "", *e;
    size_t chars = 0;

    out[0] = '\0';
    while (*b == ' ' || *b == '\t')
        b++;
    for (e = b + strlen(b); e > b && (e[-1] == ' ' || e[-1] == '\t'); e--)
        ;
    if (e == b)
        return required ? cf_error_set(err, CF_EINVAL, NULL, "Enter %s.", label) : CF_OK;
    for (const unsigned char *c = (const unsigned char *)b; c < (const unsigned char *)e; c++) {
        if (*c < 0x20 || *c == 0x7f)
            return cf_error_set(err, CF_EINVAL, NULL,
                                "Remove the line breaks and control characters from %s.", label);
        if ((*c & 0xc0) != 0x80)
            chars++;
    }
    if (chars > CE_TITLE_MAX || (size_t)(e - b) + 1 > n)
        return cf_error_set(err, CF_EINVAL, NULL, "Shorten %s to at most %d characters.", label,
                            CE_TITLE_MAX);
    memcpy(out, b, (size_t)(e - b));
    out[e - b] = '\0';
    return CF_OK;
}

/*
 * Checks one record of the file (fields in IMPORT_COLS order via col[]) and,
 * when it is good, appends the activity row to rows. Problems go to problems.
 */
static int import_row(const struct svc *sv, const json_t *rec, const int *col, const json_t *creds,
                      struct iprog *progs, int *nprogs, struct clock_date today, const char *now,
                      const char *import_id, json_t *rows, json_t *problems, struct cf_error *err)
{
    json_int_t line = json_integer_value(json_object_get(rec, "line"));
    const json_t *f = json_object_get(rec, "fields");
    const char *v[NIMPORT_COLS];
    const json_t *cred;
    const struct program_category *cat = NULL;
    struct cctx *c = NULL;
    struct clock_date d;
    struct cf_error e;
    json_t *codes = NULL, *row;
    char skills[CE_TEXT_BUF], id[37], date[CLOCK_DATE_LEN], tbuf[CE_TEXT_BUF], pbuf[CE_TEXT_BUF];
    size_t before = json_array_size(problems);
    long q = 0;
    int rc;

    for (size_t i = 0; i < NIMPORT_COLS; i++)
        v[i] = json_string_value(json_array_get(f, (size_t)col[i]));
    cred = json_object_get(creds, v[0] != NULL ? v[0] : "");
    if (cred == NULL) {
        problem(problems, line, csv_column_of(f, (size_t)col[0]), "credential_number",
                "No credential has this number; check it against the holder's certificate.");
    } else {
        rc = iprog_get(sv, progs, nprogs, cred, &c, err);
        if (rc != CF_OK)
            return rc;
        cat = program_category(&c->prog, v[1]);
        if (cat == NULL)
            problem(problems, line, csv_column_of(f, (size_t)col[1]), "category",
                    "The program has no such category; use one of its codes, such as pd.");
    }
    cf_error_clear(&e);
    if (text_field(v[2], 1, "the title", tbuf, sizeof tbuf, &e) != CF_OK)
        problem(problems, line, csv_column_of(f, (size_t)col[2]), "title", e.message);
    cf_error_clear(&e);
    if (text_field(v[3], 0, "the provider", pbuf, sizeof pbuf, &e) != CF_OK)
        problem(problems, line, csv_column_of(f, (size_t)col[3]), "provider", e.message);
    if (v[4] == NULL || clock_date_parse(v[4], &d) != 0)
        problem(problems, line, csv_column_of(f, (size_t)col[4]), "completed_on",
                "Write the day the activity was completed as YYYY-MM-DD.");
    else if (clock_date_cmp(d, today) > 0)
        problem(problems, line, csv_column_of(f, (size_t)col[4]), "completed_on",
                "The day the activity was completed cannot be later than today.");
    cf_error_clear(&e);
    if (check_quantity(cat, v[5], "hours", &q, &e) != CF_OK)
        problem(problems, line, csv_column_of(f, (size_t)col[5]), "hours", e.message);
    if (c != NULL) {
        json_t *text = json_string(v[6] != NULL ? v[6] : "");

        codes = json_array();
        if (codes == NULL || text == NULL || skills_of(text, codes) != 0) {
            json_decref(codes);
            json_decref(text);
            return oom(err);
        }
        json_decref(text);
        cf_error_clear(&e);
        if (check_skills(c, codes, "skills", skills, sizeof skills, &e) != CF_OK)
            problem(problems, line, csv_column_of(f, (size_t)col[6]), "skills", e.message);
        json_decref(codes);
    }
    if (json_array_size(problems) > before || c == NULL)
        return CF_OK;

    svc__uuid(id);
    clock_date_format(d, date, sizeof date);
    row =
        json_pack("{s:s, s:O, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:i, s:s, s:s}", "id",
                  id, "credential_id", json_object_get(cred, "id"), "category", cat->code, "title",
                  tbuf, "provider", pbuf, "completed_on", date, "quantity", (json_int_t)q, "skills",
                  skills, "source", "provider", "status", "approved", "reviewed_at", now,
                  "rules_version", c->version, "import_id", import_id, "created_at", now);
    if (row == NULL)
        return oom(err);
    json_array_append_new(rows, row);
    return CF_OK;
}

int svc_ce_import(const struct svc *sv, const char *bytes, size_t n, json_t **out,
                  json_t **problems, struct cf_error *err)
{
    json_t *doc = NULL, *numbers = NULL, *found = NULL, *creds = NULL, *rows = NULL, *rec;
    struct iprog progs[CE_PROGRAMS_MAX];
    struct clock_date today = clock_date_of(clock_now());
    int col[NIMPORT_COLS], nprogs = 0, rc;
    char import_id[37], now[32];
    size_t i;

    *out = NULL;
    *problems = NULL;
    memset(progs, 0, sizeof progs);
    if (!svc__can(sv, PERM_CE_IMPORT, NULL))
        return cf_error_set(err, CF_EFORBIDDEN, NULL,
                            "Importing attendance needs the ce.import permission.");
    rc = csv_parse(bytes, n, NULL, &doc, problems);
    if (rc == CF_ENOMEM)
        return oom(err);
    if (rc != CF_OK) {
        json_decref(doc);
        return cf_error_set(err, CF_EINVAL, "file",
                            "The file is not a readable CSV file; fix the lines listed and import "
                            "it again. Nothing was imported.");
    }

    /* The header names the columns; their order is free. */
    for (size_t k = 0; k < NIMPORT_COLS; k++) {
        const json_t *h;

        col[k] = -1;
        json_array_foreach(json_object_get(doc, "header"), i, h)
        {
            if (json_is_string(h) && strcmp(json_string_value(h), IMPORT_COLS[k]) == 0)
                col[k] = (int)i;
        }
        if (col[k] < 0) {
            char msg[CE_TEXT_MAX];

            snprintf(msg, sizeof msg,
                     "The header has no column \"%s\"; the columns are credential_number, "
                     "category, title, provider, completed_on, hours and skills.",
                     IMPORT_COLS[k]);
            problem(*problems, 1, 1, IMPORT_COLS[k], msg);
        }
    }
    if (json_array_size(*problems) > 0) {
        rc = cf_error_set(err, CF_EINVAL, "file",
                          "The file's header is missing columns; nothing was imported.");
        goto done;
    }

    rc = svc__begin(sv, err);
    if (rc != CF_OK)
        goto done;
    numbers = json_array();
    creds = json_object();
    rows = json_array();
    if (numbers == NULL || creds == NULL || rows == NULL) {
        rc = oom(err);
        goto out;
    }
    json_array_foreach(json_object_get(doc, "rows"), i, rec)
    {
        json_array_append(numbers, json_array_get(json_object_get(rec, "fields"), (size_t)col[0]));
    }
    rc = store_ce_credentials_numbered(sv->store, numbers, &found, err);
    if (rc != CF_OK)
        goto out;
    json_array_foreach(found, i, rec)
    {
        json_object_set(creds, svc__str(rec, "number"), rec);
    }
    svc__uuid(import_id);
    clock_now_iso(now, sizeof now);
    json_array_foreach(json_object_get(doc, "rows"), i, rec)
    {
        rc = import_row(sv, rec, col, creds, progs, &nprogs, today, now, import_id, rows, *problems,
                        err);
        if (rc != CF_OK)
            goto out;
    }
    if (json_array_size(json_object_get(doc, "rows")) == 0)
        problem(*problems, 2, 1, "file", "The file has no rows after its header.");
    if (json_array_size(*problems) > 0) {
        rc = cf_error_set(err, CF_EINVAL, "file",
                          "The file has %zu problem%s; nothing was imported. Fix every row listed "
                          "and import the file again.",
                          json_array_size(*problems), json_array_size(*problems) == 1 ? "" : "s");
        goto out;
    }

    /* Every row is good: all of them, in this one transaction. */
    json_array_foreach(rows, i, rec)
    {
        rc = store_ce_activity_add(sv->store, rec, err);
        if (rc != CF_OK)
            goto out;
    }
    {
        json_t *after = json_pack("{s:I, s:s}", "rows", (json_int_t)json_array_size(rows),
                                  "import_id", import_id);

        rc = svc__audit(sv, NULL, "ce.import", "ce_import", import_id, NULL, after, err);
        json_decref(after);
    }
    if (rc == CF_OK) {
        *out = json_pack("{s:I, s:s}", "imported", (json_int_t)json_array_size(rows), "import_id",
                         import_id);
        if (*out == NULL)
            rc = oom(err);
    }

out:
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
done:
    for (int k = 0; k < nprogs; k++)
        cctx_free(progs[k].c);
    json_decref(doc);
    json_decref(numbers);
    json_decref(found);
    json_decref(creds);
    json_decref(rows);
    if (rc != CF_OK) {
        json_decref(*out);
        *out = NULL;
    } else {
        json_decref(*problems);
        *problems = NULL;
    }
    return rc;
}

int svc_ce_evidence(const struct svc *sv, const char *number, const char *id, char **bytes,
                    size_t *n, json_t **out, struct cf_error *err)
{
    struct cctx *c = NULL;
    json_t *row = NULL;
    const char *hex;
    size_t len;
    int rc;

    *bytes = NULL;
    *n = 0;
    *out = NULL;
    rc = cctx_load(sv, number, PERM_CREDENTIALS_READ, &c, err);
    if (rc != CF_OK)
        return rc;
    rc = store_ce_evidence_get(sv->store, svc__str(c->cred, "id"), id, &row, err);
    if (rc == CF_ENOTFOUND)
        rc = cf_error_set(err, CF_ENOTFOUND, NULL, "There is no such evidence file.");
    if (rc != CF_OK)
        goto out;
    hex = svc__str(row, "bytes");
    len = hex != NULL ? strlen(hex) : 0;
    if (len < 2 || hex[0] != '\\' || hex[1] != 'x' || len % 2 != 0) {
        rc = cf_error_set(err, CF_EIO, NULL, "The stored evidence file does not read.");
        goto out;
    }
    *bytes = malloc(len / 2);
    if (*bytes == NULL) {
        rc = oom(err);
        goto out;
    }
    for (size_t i = 2; i < len; i += 2) {
        int hi = hexval(hex[i]), lo = hexval(hex[i + 1]);

        if (hi < 0 || lo < 0) {
            rc = cf_error_set(err, CF_EIO, NULL, "The stored evidence file does not read.");
            goto out;
        }
        (*bytes)[(i - 2) / 2] = (char)(hi << 4 | lo);
    }
    *n = (len - 2) / 2;
    *out = json_pack("{s:O, s:O, s:O}", "name", json_object_get(row, "name"), "type",
                     json_object_get(row, "type"), "size", json_object_get(row, "size"));
    if (*out == NULL)
        rc = oom(err);

out:
    json_decref(row);
    cctx_free(c);
    if (rc != CF_OK) {
        free(*bytes);
        *bytes = NULL;
        *n = 0;
    }
    return rc;
}
