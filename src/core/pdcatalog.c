/* pdcatalog.c — reading and checking the professional development catalog. */
#include "core/pdcatalog.h"

#include "core/jsonread.h"

_Static_assert(PD_PATH_MAX == JR_PATH_MAX, "jr_sub and jr_idx fill buffers of this size");

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const pd_skill_codes[PD_NSKILLS] = {"I.A",  "I.B",   "I.C",   "II.A",  "II.B",
                                                "II.C", "III.A", "III.B", "III.C", "III.D"};

/* The formats an activity may have. */
static const char *const formats[] = {"course",   "workshop", "conference", "webinar",
                                      "coaching", "cohort",   "book-study", "membership",
                                      "teaching", "writing",  "service",    NULL};

/* Reads the id obj.key into out (n bytes): 1 to n-1 of a-z, 0-9 and '-'. */
static void get_id(struct jr *rd, const json_t *obj, const char *path, const char *key, char *out,
                   size_t n)
{
    const char *s = json_string_value(json_object_get(obj, key));
    char p[PD_PATH_MAX];
    size_t len = s != NULL ? strlen(s) : 0;
    int ok = len > 0 && len < n;

    jr_sub(p, path, key);
    out[0] = '\0';
    for (size_t i = 0; ok && i < len; i++)
        ok = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-';
    if (!ok) {
        jr_problem(rd, p, "must be a code of 1 to %zu lowercase letters, digits or '-'.", n - 1);
        return;
    }
    snprintf(out, n, "%s", s);
}

/*
 * The number v as a whole count of 1/den (den 2: half-hours, 4: quarters, 1: whole
 * units) when it is one and lies in [min, max] of those units; else -1.
 */
static int units_of(const json_t *v, int den, int min, int max)
{
    double x, u;

    if (!json_is_number(v))
        return -1;
    x = json_number_value(v);
    if (!isfinite(x))
        return -1;
    u = x * den;
    if (u < min || u > max || u != floor(u))
        return -1;
    return (int)u;
}

int pd_skill_index(const char *code)
{
    for (int i = 0; code != NULL && i < PD_NSKILLS; i++)
        if (strcmp(code, pd_skill_codes[i]) == 0)
            return i;
    return -1;
}

int pd_default_gain_q(int half_hours)
{
    if (half_hours < 12)
        return 1;
    if (half_hours < 30)
        return 2;
    if (half_hours < 60)
        return 3;
    return 4;
}

/* $.activities[i].skills: 1 to 10 different skill codes. */
static void read_skills(struct jr *rd, const json_t *v, const char *at, struct pd_activity *a)
{
    const json_t *sk = json_object_get(v, "skills"), *s;
    char p[PD_PATH_MAX], q[PD_PATH_MAX];
    size_t i;

    jr_sub(p, at, "skills");
    if (!json_is_array(sk) || json_array_size(sk) < 1 || json_array_size(sk) > PD_NSKILLS) {
        jr_problem(rd, p, "must be a list of 1 to %d skill codes (I.A to III.D).", PD_NSKILLS);
        return;
    }
    json_array_foreach(sk, i, s)
    {
        int k = pd_skill_index(json_string_value(s));

        jr_idx(q, p, i);
        if (k < 0) {
            jr_problem(rd, q,
                       "must be one of the ten skill codes: I.A, I.B, I.C, II.A, II.B, II.C, "
                       "III.A, III.B, III.C, III.D.");
            continue;
        }
        if (a->gain_q[k] != 0) {
            jr_problem(rd, q, "\"%s\" is already in the list; name each skill once.",
                       pd_skill_codes[k]);
            continue;
        }
        a->skills[a->nskills++] = k;
        a->gain_q[k] = pd_default_gain_q(a->half_hours);
    }
}

/* $.activities[i].gain: a gain for every skill served, none for others. */
static void read_gain(struct jr *rd, const json_t *v, const char *at, struct pd_activity *a)
{
    const json_t *g = json_object_get(v, "gain"), *x;
    char p[PD_PATH_MAX], q[PD_PATH_MAX];
    const char *k;

    if (g == NULL)
        return;
    jr_sub(p, at, "gain");
    if (!json_is_object(g)) {
        jr_problem(rd, p, "must be an object giving a gain per skill served ({\"I.A\": 0.5}).");
        return;
    }
    a->gain_given = 1;
    json_object_foreach((json_t *)g, k, x)
    {
        int s = pd_skill_index(k), u = units_of(x, 4, 1, PD_GAIN_QUARTERS_MAX);

        jr_sub(q, p, k);
        if (s < 0 || a->gain_q[s] == 0) {
            jr_problem(rd, q, "is not a skill this activity serves; name it in skills first.");
            continue;
        }
        if (u < 0) {
            jr_problem(rd, q, "must be a gain of 0.25, 0.5, 0.75 or 1 rubric level.");
            continue;
        }
        a->gain_q[s] = u;
    }
    for (int j = 0; j < a->nskills; j++)
        if (json_object_get(g, pd_skill_codes[a->skills[j]]) == NULL)
            jr_problem(rd, p,
                       "has no gain for %s; give one for every skill served, or leave gain "
                       "out to use the default for the hours.",
                       pd_skill_codes[a->skills[j]]);
}

/* $.activities[i]. */
static void read_activity(struct jr *rd, const json_t *v, const char *at, struct pd_activity *a)
{
    static const char *const keys[] = {"id",          "title", "provider", "format",
                                       "hours",       "cost",  "skills",   "ce_category",
                                       "description", "gain",  NULL};
    const char *fmt;
    char p[PD_PATH_MAX], list[PD_MSG_MAX / 2];
    int u;

    if (!jr_keys_ok(rd, v, at, keys))
        return;
    get_id(rd, v, at, "id", a->id, sizeof a->id);
    jr_text(rd, v, at, "title", a->title, sizeof a->title);
    jr_text(rd, v, at, "provider", a->provider, sizeof a->provider);

    fmt = json_string_value(json_object_get(v, "format"));
    for (const char *const *f = formats; fmt != NULL && *f != NULL; f++)
        if (strcmp(fmt, *f) == 0)
            snprintf(a->format, sizeof a->format, "%s", fmt);
    if (a->format[0] == '\0') {
        jr_sub(p, at, "format");
        jr_join(list, sizeof list, formats);
        jr_problem(rd, p, "must be one of %s.", list);
    }

    /* Hours in half-hours and whole dollars keep the recommender's sums exact. */
    u = units_of(json_object_get(v, "hours"), 2, 1, PD_HALF_HOURS_MAX);
    if (u < 0) {
        jr_sub(p, at, "hours");
        jr_problem(rd, p, "must be a number of hours from 0.5 to %d in steps of 0.5.",
                   PD_HALF_HOURS_MAX / 2);
    } else {
        a->half_hours = u;
    }
    u = units_of(json_object_get(v, "cost"), 1, 0, PD_COST_MAX);
    if (u < 0) {
        jr_sub(p, at, "cost");
        jr_problem(rd, p, "must be a whole number of US dollars from 0 to %d.", PD_COST_MAX);
    } else {
        a->cost = u;
    }

    read_skills(rd, v, at, a);
    read_gain(rd, v, at, a);
    get_id(rd, v, at, "ce_category", a->ce_category, sizeof a->ce_category);
    jr_text(rd, v, at, "description", a->description, sizeof a->description);
}

/* Checks a parsed document into c (whose acts has room for every activity). */
static void read_catalog(struct jr *rd, const json_t *doc, struct pd_catalog *c)
{
    static const char *const keys[] = {"about", "activities", NULL};
    const json_t *acts, *v;
    char about[PD_DESC_MAX * 4];
    size_t i;

    if (!jr_keys_ok(rd, doc, "$", keys))
        return;
    jr_text(rd, doc, "$", "about", about, sizeof about);
    acts = json_object_get(doc, "activities");
    if (!json_is_array(acts) || json_array_size(acts) < 1 ||
        json_array_size(acts) > PD_MAX_ACTIVITIES) {
        jr_problem(rd, "$.activities", "must be a list of 1 to %d activities.", PD_MAX_ACTIVITIES);
        return;
    }
    json_array_foreach(acts, i, v)
    {
        struct pd_activity *a = &c->acts[c->n++];
        char at[PD_PATH_MAX], q[PD_PATH_MAX];

        jr_idx(at, "$.activities", i);
        read_activity(rd, v, at, a);
        for (size_t k = 0; k < i && a->id[0] != '\0'; k++)
            if (strcmp(c->acts[k].id, a->id) == 0) {
                jr_sub(q, at, "id");
                jr_problem(
                    rd, q,
                    "\"%s\" is already the id of activities[%zu]; each activity needs its own.",
                    a->id, k);
                break;
            }
    }
}

int pdcatalog_parse(const char *bytes, size_t n, struct pd_catalog **out, json_t **problems)
{
    struct jr rd = {json_array(), 0};
    json_error_t je;
    json_t *d = NULL;
    struct pd_catalog *c = NULL;
    size_t nacts;

    *out = NULL;
    if (n > PD_MAX_BYTES) {
        jr_problem(&rd, "$", "is too long; a catalog document has at most %u KB.",
                   PD_MAX_BYTES / 1024u);
        goto out;
    }
    d = json_loadb(bytes, n, JSON_REJECT_DUPLICATES, &je);
    if (d == NULL) {
        jr_problem(&rd, "$", "is not valid JSON (line %d, column %d: %s).", je.line, je.column,
                   je.text);
        goto out;
    }
    nacts = json_array_size(json_object_get(d, "activities"));
    c = calloc(1, sizeof *c);
    if (c != NULL && nacts > 0 && nacts <= PD_MAX_ACTIVITIES)
        c->acts = calloc(nacts, sizeof *c->acts);
    if (c == NULL || (nacts > 0 && nacts <= PD_MAX_ACTIVITIES && c->acts == NULL)) {
        jr_problem(&rd, "$", "could not be read: out of memory.");
        goto out;
    }
    read_catalog(&rd, d, c);
out:
    if (rd.n == 0) {
        *out = c;
        c = NULL;
    }
    pdcatalog_free(c);
    json_decref(d);
    if (problems != NULL)
        *problems = rd.problems;
    else
        json_decref(rd.problems);
    return rd.n;
}

void pdcatalog_free(struct pd_catalog *c)
{
    if (c == NULL)
        return;
    free(c->acts);
    free(c);
}

const struct pd_activity *pdcatalog_find(const struct pd_catalog *c, const char *id)
{
    for (int i = 0; c != NULL && id != NULL && i < c->n; i++)
        if (strcmp(c->acts[i].id, id) == 0)
            return &c->acts[i];
    return NULL;
}

int pdcatalog_check_program(const struct pd_catalog *c, const struct program *p, json_t *problems)
{
    struct jr rd = {problems, 0};

    for (int i = 0; i < c->n; i++) {
        char at[PD_PATH_MAX], q[PD_PATH_MAX];

        if (program_category(p, c->acts[i].ce_category) != NULL)
            continue;
        jr_idx(at, "$.activities", (size_t)i);
        jr_sub(q, at, "ce_category");
        jr_problem(&rd, q, "\"%s\" is not a continuing-education category of the %s program.",
                   c->acts[i].ce_category, p->code);
    }
    return rd.n;
}
