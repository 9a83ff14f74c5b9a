/* program.c — reading, checking and applying a certification program's rules. */
#include "core/program.h"

#include "core/jsonread.h"

_Static_assert(PROGRAM_PATH_MAX == JR_PATH_MAX, "jr_sub and jr_idx fill buffers of this size");

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Reads the whole number obj.key into *out; it must lie in [min, max]. what: "a number of days". */
static void get_int(struct jr *rd, const json_t *obj, const char *path, const char *key, int min,
                    int max, const char *what, int *out)
{
    json_t *v = json_object_get(obj, key);
    char p[PROGRAM_PATH_MAX];

    jr_sub(p, path, key);
    *out = min;
    if (v == NULL) {
        jr_problem(rd, p, "is missing; it must be %s from %d to %d.", what, min, max);
        return;
    }
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        jr_problem(rd, p, "must be %s from %d to %d.", what, min, max);
        return;
    }
    *out = (int)json_integer_value(v);
}

static void get_bool(struct jr *rd, const json_t *obj, const char *path, const char *key, int *out)
{
    json_t *v = json_object_get(obj, key);
    char p[PROGRAM_PATH_MAX];

    jr_sub(p, path, key);
    *out = 0;
    if (!json_is_boolean(v)) {
        jr_problem(rd, p, "%s; it must be true or false.",
                   v == NULL ? "is missing" : "is not a boolean");
        return;
    }
    *out = json_is_true(v);
}

/* A code: 1-16 of letters, digits, '.', '_' and '-'. */
static void get_code(struct jr *rd, const json_t *obj, const char *path, const char *key, char *out)
{
    const char *s = json_string_value(json_object_get(obj, key));
    char p[PROGRAM_PATH_MAX];
    size_t len = s != NULL ? strlen(s) : 0;
    int ok = len > 0 && len < PROGRAM_CODE_MAX;

    jr_sub(p, path, key);
    out[0] = '\0';
    for (size_t i = 0; ok && i < len; i++) {
        char c = s[i];

        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '_' || c == '-' || c == '.';
    }
    if (!ok) {
        jr_problem(rd, p, "must be a code of 1 to %d letters, digits, '.', '_' or '-'.",
                   PROGRAM_CODE_MAX - 1);
        return;
    }
    snprintf(out, PROGRAM_CODE_MAX, "%s", s);
}

/* The array obj.key with at least min and at most max elements, or NULL (problem recorded). */
static const json_t *get_array(struct jr *rd, const json_t *obj, const char *path, const char *key,
                               size_t min, size_t max, const char *what)
{
    json_t *v = json_object_get(obj, key);
    char p[PROGRAM_PATH_MAX];

    jr_sub(p, path, key);
    if (!json_is_array(v) || json_array_size(v) < min || json_array_size(v) > max) {
        jr_problem(rd, p, "must be a list of %zu to %zu %s.", min, max, what);
        return NULL;
    }
    return v;
}

static int is_uuid(const char *s)
{
    if (s == NULL || strlen(s) != 36)
        return 0;
    for (int i = 0; i < 36; i++) {
        char c = s[i];

        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return 0;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return 0;
        }
    }
    return 1;
}

static const char *const degree_names[] = {"none", "associate", "bachelor", "master", "doctorate"};

const char *program_degree_name(enum program_degree d)
{
    return (int)d >= 0 && (size_t)d < sizeof degree_names / sizeof degree_names[0] ? degree_names[d]
                                                                                   : "none";
}

int program_degree_of(const char *name)
{
    for (size_t i = 0; name != NULL && i < sizeof degree_names / sizeof degree_names[0]; i++)
        if (strcmp(name, degree_names[i]) == 0)
            return (int)i;
    return -1;
}

/* $.framework: the CASE document the program's skill areas come from. */
static void read_framework(struct jr *rd, const json_t *doc, struct program *p)
{
    static const char *const keys[] = {"identifier", "title", NULL};
    const json_t *fw = json_object_get(doc, "framework");
    const char *id;

    if (!jr_keys_ok(rd, fw, "$.framework", keys))
        return;
    id = json_string_value(json_object_get(fw, "identifier"));
    if (!is_uuid(id))
        jr_problem(rd, "$.framework.identifier",
                   "must be the CASE CFDocument identifier of the framework (a lowercase UUID).");
    else
        snprintf(p->framework_id, sizeof p->framework_id, "%s", id);
    jr_text(rd, fw, "$.framework", "title", p->framework_title, sizeof p->framework_title);
}

/* $.eligibility: the code of conduct and the paths. */
static void read_eligibility(struct jr *rd, const json_t *doc, struct program *p)
{
    static const char *const keys[] = {"code_of_conduct", "paths", NULL};
    static const char *const pkeys[] = {"id",         "label",  "degree",
                                        "years",      "waiver", "supervisor_recommendation",
                                        "decided_by", NULL};
    const json_t *el = json_object_get(doc, "eligibility"), *paths, *v;
    size_t i;

    if (!jr_keys_ok(rd, el, "$.eligibility", keys))
        return;
    get_bool(rd, el, "$.eligibility", "code_of_conduct", &p->code_of_conduct);
    paths = get_array(rd, el, "$.eligibility", "paths", 1, PROGRAM_PATHS_MAX, "paths");
    json_array_foreach(paths, i, v)
    {
        struct program_path *pp = &p->paths[p->npaths++];
        char at[PROGRAM_PATH_MAX], q[PROGRAM_PATH_MAX];
        const char *deg, *by;

        jr_idx(at, "$.eligibility.paths", i);
        if (!jr_keys_ok(rd, v, at, pkeys))
            continue;
        get_code(rd, v, at, "id", pp->id);
        for (size_t k = 0; k < i && pp->id[0] != '\0'; k++)
            if (strcmp(p->paths[k].id, pp->id) == 0) {
                jr_sub(q, at, "id");
                jr_problem(rd, q,
                           "\"%s\" is already the id of paths[%zu]; each path needs its own.",
                           pp->id, k);
            }
        jr_text(rd, v, at, "label", pp->label, sizeof pp->label);
        deg = json_string_value(json_object_get(v, "degree"));
        if (program_degree_of(deg) < 0) {
            jr_sub(q, at, "degree");
            jr_problem(rd, q,
                       "must be the least degree the path needs: none, associate, bachelor, master "
                       "or doctorate.");
        } else {
            pp->degree = (enum program_degree)program_degree_of(deg);
        }
        get_int(rd, v, at, "years", 0, 50, "a whole number of years", &pp->years);
        get_bool(rd, v, at, "waiver", &pp->waiver);
        get_bool(rd, v, at, "supervisor_recommendation", &pp->supervisor_recommendation);
        by = json_string_value(json_object_get(v, "decided_by"));
        if (by == NULL || (strcmp(by, "reviewer") != 0 && strcmp(by, "committee") != 0)) {
            jr_sub(q, at, "decided_by");
            jr_problem(rd, q, "must be \"reviewer\" or \"committee\".");
        } else {
            snprintf(pp->decided_by, sizeof pp->decided_by, "%s", by);
        }
    }
}

/* $.authorization and $.exam. */
static void read_exam(struct jr *rd, const json_t *doc, struct program *p)
{
    static const char *const akeys[] = {"window_days", NULL};
    static const char *const ekeys[] = {"scale", "cut", "score_categories", "retake", NULL};
    static const char *const skeys[] = {"min", "max", NULL};
    static const char *const ckeys[] = {"code", "label", NULL};
    static const char *const rkeys[] = {"wait_days", "max_attempts", "period_days", NULL};
    const json_t *au = json_object_get(doc, "authorization");
    const json_t *ex = json_object_get(doc, "exam"), *cats, *v;
    size_t i;

    if (jr_keys_ok(rd, au, "$.authorization", akeys))
        get_int(rd, au, "$.authorization", "window_days", 1, 3660, "a whole number of days",
                &p->authorization_days);
    if (!jr_keys_ok(rd, ex, "$.exam", ekeys))
        return;
    if (jr_keys_ok(rd, json_object_get(ex, "scale"), "$.exam.scale", skeys)) {
        const json_t *sc = json_object_get(ex, "scale");

        get_int(rd, sc, "$.exam.scale", "min", 0, 100000, "a whole number", &p->scale_min);
        get_int(rd, sc, "$.exam.scale", "max", 1, 100000, "a whole number", &p->scale_max);
        if (p->scale_max <= p->scale_min)
            jr_problem(rd, "$.exam.scale.max", "must be above the scale's min (%d).", p->scale_min);
    }
    get_int(rd, ex, "$.exam", "cut", 0, 100000, "a whole number on the scale", &p->cut);
    if (json_is_integer(json_object_get(ex, "cut")) &&
        (p->cut <= p->scale_min || p->cut > p->scale_max))
        jr_problem(rd, "$.exam.cut",
                   "must lie on the scale: above its min (%d) and at most its max (%d).",
                   p->scale_min, p->scale_max);
    cats =
        get_array(rd, ex, "$.exam", "score_categories", 1, PROGRAM_SCORES_MAX, "score categories");
    json_array_foreach(cats, i, v)
    {
        struct program_score_category *c = &p->scores[p->nscores++];
        char at[PROGRAM_PATH_MAX], q[PROGRAM_PATH_MAX];

        jr_idx(at, "$.exam.score_categories", i);
        if (!jr_keys_ok(rd, v, at, ckeys))
            continue;
        get_code(rd, v, at, "code", c->code);
        jr_text(rd, v, at, "label", c->label, sizeof c->label);
        for (size_t k = 0; k < i && c->code[0] != '\0'; k++)
            if (strcmp(p->scores[k].code, c->code) == 0) {
                jr_sub(q, at, "code");
                jr_problem(rd, q, "\"%s\" is already score_categories[%zu]; each appears once.",
                           c->code, k);
            }
    }
    if (jr_keys_ok(rd, json_object_get(ex, "retake"), "$.exam.retake", rkeys)) {
        const json_t *rt = json_object_get(ex, "retake");

        get_int(rd, rt, "$.exam.retake", "wait_days", 0, 3660, "a whole number of days",
                &p->retake_wait_days);
        get_int(rd, rt, "$.exam.retake", "max_attempts", 1, 100, "a whole number of sittings",
                &p->retake_max_attempts);
        get_int(rd, rt, "$.exam.retake", "period_days", 1, 3660, "a whole number of days",
                &p->retake_period_days);
    }
}

/* $.ce: the requirement and the categories. */
static void read_ce(struct jr *rd, const json_t *doc, struct program *p)
{
    static const char *const keys[] = {"points_required", "skill_areas_per_activity",
                                       "skill_area_type", "categories", NULL};
    static const char *const ckeys[] = {"code", "label", "value", "cap", NULL};
    static const char *const vkeys[] = {"points", "per", NULL};
    const json_t *ce = json_object_get(doc, "ce"), *cats, *v;
    size_t i;

    if (!jr_keys_ok(rd, ce, "$.ce", keys))
        return;
    get_int(rd, ce, "$.ce", "points_required", 1, 10000, "a whole number of points",
            &p->ce_points_required);
    get_int(rd, ce, "$.ce", "skill_areas_per_activity", 0, 20, "a whole number of skill areas",
            &p->ce_skill_areas_min);
    jr_text(rd, ce, "$.ce", "skill_area_type", p->ce_skill_area_type, sizeof p->ce_skill_area_type);
    cats = get_array(rd, ce, "$.ce", "categories", 1, PROGRAM_CATS_MAX, "categories");
    json_array_foreach(cats, i, v)
    {
        struct program_category *c = &p->cats[p->ncats++];
        char at[PROGRAM_PATH_MAX], q[PROGRAM_PATH_MAX];
        const json_t *val, *cap;
        const char *per;

        jr_idx(at, "$.ce.categories", i);
        if (!jr_keys_ok(rd, v, at, ckeys))
            continue;
        get_code(rd, v, at, "code", c->code);
        for (size_t k = 0; k < i && c->code[0] != '\0'; k++)
            if (strcmp(p->cats[k].code, c->code) == 0) {
                jr_sub(q, at, "code");
                jr_problem(rd, q,
                           "\"%s\" is already the code of categories[%zu]; codes are unique.",
                           c->code, k);
            }
        jr_text(rd, v, at, "label", c->label, sizeof c->label);
        jr_sub(q, at, "value");
        val = json_object_get(v, "value");
        if (jr_keys_ok(rd, val, q, vkeys)) {
            char r[PROGRAM_PATH_MAX];

            get_int(rd, val, q, "points", 1, 1000, "a whole number of points", &c->points);
            per = json_string_value(json_object_get(val, "per"));
            jr_sub(r, q, "per");
            if (per != NULL && strcmp(per, "hour") == 0)
                c->unit = PROGRAM_PER_HOUR;
            else if (per != NULL && strcmp(per, "item") == 0)
                c->unit = PROGRAM_PER_ITEM;
            else if (per != NULL && strcmp(per, "membership_year") == 0)
                c->unit = PROGRAM_PER_MEMBERSHIP_YEAR;
            else
                jr_problem(rd, r, "must be \"hour\", \"item\" or \"membership_year\".");
        }
        jr_sub(q, at, "cap");
        cap = json_object_get(v, "cap");
        c->cap = -1;
        if (cap == NULL)
            jr_problem(rd, q,
                       "is missing; it must be a whole number of points ≥ 0, or null for no "
                       "cap.");
        else if (json_is_integer(cap) && json_integer_value(cap) >= 0 &&
                 json_integer_value(cap) <= 100000)
            c->cap = (int)json_integer_value(cap);
        else if (!json_is_null(cap))
            jr_problem(rd, q, "must be a whole number of points ≥ 0 (null: no cap).");
    }
}

/* $.audit, $.reminders, $.credential_number. */
static void read_rest(struct jr *rd, const json_t *doc, struct program *p)
{
    static const char *const akeys[] = {"sample_percent", "failed_audit_blocks_renewal", NULL};
    static const char *const rkeys[] = {"days_before_expiry", NULL};
    static const char *const nkeys[] = {"prefix", "sequence_digits", NULL};
    const json_t *au = json_object_get(doc, "audit"), *re = json_object_get(doc, "reminders");
    const json_t *nu = json_object_get(doc, "credential_number"), *days, *v;
    size_t i;

    if (jr_keys_ok(rd, au, "$.audit", akeys)) {
        get_int(rd, au, "$.audit", "sample_percent", 0, 100, "a whole percentage",
                &p->audit_percent);
        get_bool(rd, au, "$.audit", "failed_audit_blocks_renewal", &p->audit_blocks_renewal);
    }
    if (jr_keys_ok(rd, re, "$.reminders", rkeys)) {
        days = get_array(rd, re, "$.reminders", "days_before_expiry", 0, PROGRAM_REMIND_MAX,
                         "numbers of days");
        json_array_foreach(days, i, v)
        {
            char at[PROGRAM_PATH_MAX];

            jr_idx(at, "$.reminders.days_before_expiry", i);
            if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 3660) {
                jr_problem(rd, at, "must be a whole number of days from 1 to 3660.");
                continue;
            }
            if (p->nreminders > 0 && json_integer_value(v) >= p->reminders[p->nreminders - 1]) {
                jr_problem(rd, at, "must be fewer days than the one before it (largest first).");
                continue;
            }
            p->reminders[p->nreminders++] = (int)json_integer_value(v);
        }
    }
    if (jr_keys_ok(rd, nu, "$.credential_number", nkeys)) {
        const char *pre = json_string_value(json_object_get(nu, "prefix"));
        size_t len = pre != NULL ? strlen(pre) : 0;
        int ok = len > 0 && len < PROGRAM_PREFIX_MAX;

        for (size_t k = 0; ok && k < len; k++)
            ok = (pre[k] >= 'A' && pre[k] <= 'Z') || (pre[k] >= '0' && pre[k] <= '9');
        if (!ok)
            jr_problem(rd, "$.credential_number.prefix",
                       "must be 1 to %d capital letters or digits (\"CETL\").",
                       PROGRAM_PREFIX_MAX - 1);
        else
            snprintf(p->number_prefix, sizeof p->number_prefix, "%s", pre);
        get_int(rd, nu, "$.credential_number", "sequence_digits", 3, 9, "a whole number of digits",
                &p->number_digits);
    }
}

/*
 * 1 when path ("$.a.b[2].c") names a value of doc. Only the forms this
 * module writes are read: keys of letters, digits and '_', and [N].
 */
static int path_exists(const json_t *doc, const char *path)
{
    const json_t *at = doc;
    const char *s = path;

    if (strncmp(s, "$", 1) != 0)
        return 0;
    s++;
    while (*s != '\0' && at != NULL) {
        if (*s == '.') {
            char key[PROGRAM_PATH_MAX];
            size_t k = 0;

            s++;
            while (*s != '\0' && *s != '.' && *s != '[' && k + 1 < sizeof key)
                key[k++] = *s++;
            key[k] = '\0';
            if (k == 0)
                return 0;
            at = json_is_object(at) ? json_object_get(at, key) : NULL;
        } else if (*s == '[') {
            size_t n = 0;
            int digits = 0;

            s++;
            while (*s >= '0' && *s <= '9' && digits < 4) {
                n = n * 10 + (size_t)(*s++ - '0');
                digits++;
            }
            if (digits == 0 || *s != ']')
                return 0;
            s++;
            at = json_is_array(at) ? json_array_get(at, n) : NULL;
        } else {
            return 0;
        }
    }
    return at != NULL && *s == '\0' && at != doc;
}

/* $.assumed: the paths of the values that are assumed defaults, not known facts. */
static void read_assumed(struct jr *rd, const json_t *doc, struct program *p)
{
    const json_t *list = json_object_get(doc, "assumed"), *v;
    size_t i;

    if (list == NULL)
        return;
    list = get_array(rd, doc, "$", "assumed", 0, PROGRAM_ASSUMED_MAX, "JSON paths");
    json_array_foreach(list, i, v)
    {
        const char *s = json_string_value(v);
        char at[PROGRAM_PATH_MAX];

        jr_idx(at, "$.assumed", i);
        if (s == NULL || strlen(s) >= PROGRAM_PATH_MAX || !path_exists(doc, s) ||
            strncmp(s, "$.assumed", 9) == 0) {
            jr_problem(
                rd, at,
                "must be the JSON path of a value in this document (\"$.exam.retake.wait_days\").");
            continue;
        }
        if (program_is_assumed(p, s)) {
            jr_problem(rd, at, "\"%s\" is listed twice.", s);
            continue;
        }
        snprintf(p->assumed[p->nassumed++], PROGRAM_PATH_MAX, "%s", s);
    }
}

int program_from_json(const json_t *doc, struct program *p, json_t *problems)
{
    static const char *const keys[] = {"format",
                                       "code",
                                       "name",
                                       "framework",
                                       "eligibility",
                                       "authorization",
                                       "exam",
                                       "term",
                                       "ce",
                                       "grace_period_days",
                                       "audit",
                                       "reminders",
                                       "credential_number",
                                       "assumed",
                                       NULL};
    static const char *const tkeys[] = {"years", NULL};
    struct jr rd = {problems, 0};
    json_t *fmt = json_object_get(doc, "format");

    memset(p, 0, sizeof *p);
    if (!jr_keys_ok(&rd, doc, "$", keys))
        return rd.n;
    if (!json_is_integer(fmt) || json_integer_value(fmt) != PROGRAM_FORMAT) {
        jr_problem(&rd, "$.format",
                   "must be %d (the version of the program format this ctoframe reads).",
                   PROGRAM_FORMAT);
        return rd.n;
    }
    get_code(&rd, doc, "$", "code", p->code);
    jr_text(&rd, doc, "$", "name", p->name, sizeof p->name);
    read_framework(&rd, doc, p);
    read_eligibility(&rd, doc, p);
    read_exam(&rd, doc, p);
    if (jr_keys_ok(&rd, json_object_get(doc, "term"), "$.term", tkeys))
        get_int(&rd, json_object_get(doc, "term"), "$.term", "years", 1, 50,
                "a whole number of years", &p->term_years);
    read_ce(&rd, doc, p);
    get_int(&rd, doc, "$", "grace_period_days", 0, 3660, "a whole number of days", &p->grace_days);
    read_rest(&rd, doc, p);
    read_assumed(&rd, doc, p);
    return rd.n;
}

int program_parse(const char *bytes, size_t n, struct program *p, json_t **doc, json_t **problems)
{
    json_error_t je;
    json_t *d = NULL, *probs = json_array();
    int count;

    if (doc != NULL)
        *doc = NULL;
    memset(p, 0, sizeof *p);
    if (n > PROGRAM_MAX_BYTES) {
        json_array_append_new(probs, json_pack("{s:s, s:s}", "path", "$", "message",
                                               "is too long; a program document has at most "
                                               "256 KB."));
        count = 1;
        goto out;
    }
    d = json_loadb(bytes, n, JSON_REJECT_DUPLICATES, &je);
    if (d == NULL) {
        char msg[PROGRAM_RULE_MAX];

        snprintf(msg, sizeof msg, "is not valid JSON (line %d, column %d: %s).", je.line, je.column,
                 je.text);
        json_array_append_new(probs, json_pack("{s:s, s:s}", "path", "$", "message", msg));
        count = 1;
        goto out;
    }
    count = program_from_json(d, p, probs);
out:
    if (count == 0 && doc != NULL) {
        *doc = d;
        d = NULL;
    }
    if (count > 0)
        memset(p, 0, sizeof *p);
    json_decref(d);
    if (problems != NULL)
        *problems = probs;
    else
        json_decref(probs);
    return count;
}

int program_is_assumed(const struct program *p, const char *path)
{
    for (int i = 0; i < p->nassumed; i++)
        if (strcmp(p->assumed[i], path) == 0)
            return 1;
    return 0;
}

/* --- the life cycle's and continuing education's rules ------------------------------------ */

void program_cred_rules(const struct program *p, struct cred_rules *r)
{
    cred_rules_default(r);
    r->term_years = p->term_years;
    r->grace_days = p->grace_days;
    r->nreminders = 0;
    for (int i = 0; i < p->nreminders && i < CRED_REMINDERS_MAX; i++)
        r->reminder_days[r->nreminders++] = p->reminders[i];
    r->expiring_days = r->nreminders > 0 ? r->reminder_days[0] : CRED_DEFAULT_WARN;
    r->reinstate_lapsed = 0;
    snprintf(r->number_prefix, sizeof r->number_prefix, "%s", p->number_prefix);
    r->number_digits = p->number_digits;
}

void program_ce_rules(const struct program *p, struct ce_rules *r)
{
    memset(r, 0, sizeof *r);
    r->required = p->ce_points_required;
    for (int i = 0; i < p->ncats && i < CE_CATEGORIES_MAX; i++) {
        const struct program_category *pc = &p->cats[i];
        struct ce_category *cc = &r->cats[r->ncats++];

        snprintf(cc->code, sizeof cc->code, "%s", pc->code);
        /* What one item is called in the activity's sentence: the category's code
         * ("certification") reads better than "item". */
        if (pc->unit == PROGRAM_PER_ITEM)
            snprintf(cc->noun, sizeof cc->noun, "%s", pc->code);
        cc->unit = pc->unit == PROGRAM_PER_HOUR   ? CE_PER_HOUR
                   : pc->unit == PROGRAM_PER_ITEM ? CE_PER_ITEM
                                                  : CE_PER_MEMBERSHIP_YEAR;
        cc->points = pc->points;
        cc->cap = pc->cap < 0 ? 0 : pc->cap;
    }
}

/* --- continuing education --------------------------------------------------------------- */

const struct program_category *program_category(const struct program *p, const char *code)
{
    for (int i = 0; code != NULL && i < p->ncats; i++)
        if (strcmp(p->cats[i].code, code) == 0)
            return &p->cats[i];
    return NULL;
}

void program_value_text(const struct program_category *c, char *buf, size_t n)
{
    const char *per = c->unit == PROGRAM_PER_HOUR   ? " per hour"
                      : c->unit == PROGRAM_PER_ITEM ? " each"
                                                    : " per membership-year";

    snprintf(buf, n, "%d point%s%s", c->points, c->points == 1 ? "" : "s", per);
}

/* --- eligibility ------------------------------------------------------------------------ */

static void rule(struct program_eligibility *out, int path, int met, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Adds one rule, met or missed, to out. */
static void rule(struct program_eligibility *out, int path, int met, const char *fmt, ...)
{
    struct program_elig_rule *r;
    va_list ap;

    if (out->nrules == PROGRAM_ELIG_RULES_MAX)
        return;
    r = &out->rules[out->nrules++];
    r->path = path;
    r->met = met;
    va_start(ap, fmt);
    vsnprintf(r->text, sizeof r->text, fmt, ap);
    va_end(ap);
}

void program_eligibility(const struct program *p, const struct program_applicant *a,
                         struct program_eligibility *out)
{
    int yrs = a->experience_months / 12, mos = a->experience_months % 12;

    memset(out, 0, sizeof *out);
    out->path = -1;
    if (p->code_of_conduct)
        rule(out, -1, a->code_of_conduct,
             a->code_of_conduct ? "The code of conduct is accepted."
                                : "The code of conduct must be accepted before applying.");
    for (int i = 0; i < p->npaths; i++) {
        const struct program_path *pp = &p->paths[i];
        int all = !p->code_of_conduct || a->code_of_conduct, met;

        if (pp->degree != PROGRAM_DEGREE_NONE) {
            met = a->degree >= pp->degree;
            all &= met;
            rule(out, i, met, "%s: a %s's degree or higher is needed; the application %s.",
                 pp->label, program_degree_name(pp->degree),
                 a->degree == PROGRAM_DEGREE_NONE ? "names no degree"
                 : met                            ? "names one"
                                                  : "names a lower degree");
        }
        met = a->experience_months >= pp->years * 12;
        all &= met;
        rule(out, i, met,
             "%s: %d years of relevant experience are needed; the application shows "
             "%d year%s and %d month%s%s.",
             pp->label, pp->years, yrs, yrs == 1 ? "" : "s", mos, mos == 1 ? "" : "s",
             met ? "" : " (not enough)");
        if (pp->waiver) {
            met = a->waiver_requested;
            all &= met;
            rule(out, i, met, "%s: a written waiver request is needed; %s.", pp->label,
                 met ? "it is part of the application" : "the application has none");
        }
        if (pp->supervisor_recommendation) {
            met = a->supervisor_recommendation;
            all &= met;
            rule(out, i, met, "%s: a signed supervisor recommendation is needed; %s.", pp->label,
                 met ? "it is signed" : "it is not signed yet");
        }
        if (all && !out->eligible) {
            out->eligible = 1;
            out->path = i;
            out->decision_by_committee = strcmp(pp->decided_by, "committee") == 0;
        }
    }
}
