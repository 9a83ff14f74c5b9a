/* blueprint.c — the exam's blueprint and a form's check against it (see blueprint.h). */
#include "core/blueprint.h"

#include <stdarg.h>
#include <string.h>

#include "lib/buf.h"

#define BP_MSG_MAX    2048 /* one problem's message */
#define BP_NAME_MAX   100  /* bytes of an identifier a message quotes (longer ones are cut) */
#define BP_STATUS_MAX 20   /* bytes of a status a message quotes (the bank's are shorter) */
#define BP_LABEL_MAX  (BP_NAME_MAX + 32) /* an identifier with its status: "I.A-1 (draft)" */

const int blueprint_weights[PD_NSKILLS] = {15, 15, 10, 12, 9, 9, 9, 7, 7, 7};

int blueprint_skill_of(const char *skills)
{
    char code[8];
    size_t k = 0;

    if (skills == NULL)
        return -1;
    while (*skills == ' ')
        skills++;
    while (skills[k] != '\0' && skills[k] != ';' && skills[k] != ',' && skills[k] != ' ') {
        if (k + 1 >= sizeof code)
            return -1;
        code[k] = skills[k];
        k++;
    }
    code[k] = '\0';
    return k > 0 ? pd_skill_index(code) : -1;
}

/* The bytes of s to quote, at most max, cut at the start of a UTF-8 character. */
static int clip(const char *s, size_t max)
{
    size_t n = strlen(s);

    if (n <= max)
        return (int)n;
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return (int)n;
}

static const char *items_word(long n)
{
    return n == 1 ? "item" : "items";
}

/*
 * Appends a problem {check, skill?, items, message}; names (an array of identifiers, taken)
 * is listed after the message's text when not empty. CF_OK or -1 on memory failure.
 */
static int problem(json_t *problems, const char *check, const char *skill, json_t *names,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int problem(json_t *problems, const char *check, const char *skill, json_t *names,
                   const char *fmt, ...)
{
    struct buf b;
    va_list ap;
    json_t *p = NULL, *x;
    size_t i, n = json_array_size(names);
    int rc;

    buf_init(&b, BP_MSG_MAX);
    va_start(ap, fmt);
    rc = buf_vprintf(&b, fmt, ap);
    va_end(ap);
    json_array_foreach(names, i, x)
    {
        if (rc != 0 || i >= BLUEPRINT_NAMED_MAX)
            break;
        const char *name = json_string_value(x);
        int k = clip(name, BP_LABEL_MAX);

        rc = buf_printf(&b, "%s%.*s%s",
                        i == 0       ? " "
                        : i + 1 == n ? " and "
                                     : ", ",
                        k, name, name[k] != '\0' ? "..." : "");
    }
    if (rc == 0 && n > BLUEPRINT_NAMED_MAX)
        rc = buf_printf(&b, " and %zu more", n - BLUEPRINT_NAMED_MAX);
    if (rc == 0)
        rc = buf_adds(&b, ".");
    if (rc == 0)
        p = json_pack("{s:s, s:s?, s:o, s:s}", "check", check, "skill", skill, "items",
                      names != NULL ? names : json_array(), "message", buf_str(&b));
    else
        json_decref(names);
    buf_free(&b);
    return p != NULL && json_array_append_new(problems, p) == 0 ? 0 : -1;
}

/* The position of identifier among the items, or -1. */
static long find(const struct bp_item *items, size_t n, const char *identifier)
{
    for (size_t i = 0; identifier != NULL && i < n; i++)
        if (items[i].identifier != NULL && strcmp(items[i].identifier, identifier) == 0)
            return (long)i;
    return -1;
}

/* The per-skill counts and their problems. */
static int check_skills(const struct bp_item *items, size_t n, json_t *res, json_t *problems,
                        long *scored)
{
    json_t *skills = json_array(), *unskilled = json_array();
    int have[PD_NSKILLS] = {0}, bad = skills == NULL || unskilled == NULL;

    *scored = 0;
    for (size_t i = 0; !bad && i < n; i++) {
        int s = blueprint_skill_of(items[i].skills);

        if (items[i].pretest)
            continue;
        (*scored)++;
        if (s >= 0)
            have[s]++;
        else
            bad |= json_array_append_new(unskilled, json_string(items[i].identifier)) != 0;
    }
    for (int s = 0; !bad && s < PD_NSKILLS; s++) {
        int need = blueprint_weights[s];

        bad |= json_array_append_new(skills, json_pack("{s:s, s:i, s:i, s:b}", "code",
                                                       pd_skill_codes[s], "required", need, "have",
                                                       have[s], "ok", have[s] == need)) != 0;
        if (!bad && have[s] < need)
            bad |=
                problem(problems, "skill", pd_skill_codes[s], NULL,
                        "%s has %d scored %s; the blueprint asks for %d: add %d", pd_skill_codes[s],
                        have[s], items_word(have[s]), need, need - have[s]) != 0;
        else if (!bad && have[s] > need) {
            json_t *names = json_array();

            for (size_t i = 0; names != NULL && i < n; i++)
                if (!items[i].pretest && blueprint_skill_of(items[i].skills) == s)
                    json_array_append_new(names, json_string(items[i].identifier));
            bad |= names == NULL ||
                   problem(problems, "skill", pd_skill_codes[s], names,
                           "%s has %d scored items; the blueprint asks for %d: remove %d of",
                           pd_skill_codes[s], have[s], need, have[s] - need) != 0;
        }
    }
    if (!bad && *scored != BLUEPRINT_SCORED)
        bad |= problem(problems, "total", NULL, NULL,
                       "The form has %ld scored %s; the blueprint asks for %d", *scored,
                       items_word(*scored), BLUEPRINT_SCORED) != 0;
    if (!bad && json_array_size(unskilled) > 0) {
        bad |= problem(problems, "unskilled", NULL, json_incref(unskilled),
                       "A scored item counts toward its first skill area; %s no skill code of "
                       "the framework:",
                       json_array_size(unskilled) == 1 ? "this item has" : "these items have") != 0;
    }
    json_decref(unskilled);
    if (bad || json_object_set_new(res, "skills", skills) != 0)
        return -1;
    return 0;
}

/* Scored items operational, pretest items in pretest, pretest items = slots. */
static int check_roles(const struct bp_item *items, size_t n, int slots, json_t *res,
                       json_t *problems)
{
    json_t *scored = json_array(), *pre = json_array();
    long npre = 0;
    int bad = scored == NULL || pre == NULL;

    for (size_t i = 0; !bad && i < n; i++) {
        const char *st = items[i].status != NULL ? items[i].status : "";
        char label[BP_LABEL_MAX + 1];

        npre += items[i].pretest != 0;
        if (strcmp(st, items[i].pretest ? "pretest" : "operational") == 0)
            continue;
        int k = clip(items[i].identifier, BP_NAME_MAX);

        /* The status is one of the bank's five words; a longer one is cut like a name. */
        snprintf(label, sizeof label, "%.*s%s (%.*s)", k, items[i].identifier,
                 items[i].identifier[k] != '\0' ? "..." : "", clip(st, BP_STATUS_MAX), st);
        bad |= json_array_append_new(items[i].pretest ? pre : scored, json_string(label)) != 0;
    }
    if (!bad && json_array_size(scored) > 0)
        bad |= problem(problems, "status", NULL, json_incref(scored),
                       "Scored items must be operational; %s not:",
                       json_array_size(scored) == 1 ? "this one is" : "these are") != 0;
    if (!bad && json_array_size(pre) > 0)
        bad |= problem(problems, "status", NULL, json_incref(pre),
                       "Pretest items must be in status pretest; %s not:",
                       json_array_size(pre) == 1 ? "this one is" : "these are") != 0;
    if (!bad && npre != slots)
        bad |= problem(problems, "pretest", NULL, NULL,
                       "The form has %ld pretest %s for %d pretest %s", npre, items_word(npre),
                       slots, slots == 1 ? "slot" : "slots") != 0;
    json_decref(scored);
    json_decref(pre);
    if (bad || json_object_set_new(res, "pretest", json_integer(npre)) != 0)
        return -1;
    return 0;
}

/* No two enemies on the form. */
static int check_enemies(const struct bp_item *items, size_t n, const struct bp_enemy *en,
                         size_t nen, json_t *res, json_t *problems)
{
    json_t *pairs = json_array();
    int bad = pairs == NULL;

    for (size_t e = 0; !bad && e < nen; e++) {
        long a = find(items, n, en[e].a), b = find(items, n, en[e].b);
        const char *lo, *hi;

        if (a < 0 || b < 0 || a == b)
            continue;
        /* Each pair named in the order of the identifiers, whatever order it came in. */
        lo = strcmp(en[e].a, en[e].b) < 0 ? en[e].a : en[e].b;
        hi = lo == en[e].a ? en[e].b : en[e].a;
        bad |= json_array_append_new(pairs, json_pack("[s, s]", lo, hi)) != 0 ||
               problem(problems, "enemy", NULL, json_pack("[s, s]", lo, hi),
                       "Enemy items cannot be on one form:") != 0;
    }
    if (bad || json_object_set_new(res, "enemies", pairs) != 0)
        return -1;
    return 0;
}

json_t *blueprint_check(const struct bp_item *items, size_t n, const struct bp_enemy *enemies,
                        size_t nenemies, int pretest_slots)
{
    json_t *res = json_object(), *problems = json_array();
    long scored = 0;

    if (res == NULL || problems == NULL || check_skills(items, n, res, problems, &scored) != 0 ||
        check_roles(items, n, pretest_slots, res, problems) != 0 ||
        check_enemies(items, n, enemies, nenemies, res, problems) != 0 ||
        json_object_set_new(res, "scored", json_integer(scored)) != 0 ||
        json_object_set_new(res, "scored_required", json_integer(BLUEPRINT_SCORED)) != 0 ||
        json_object_set_new(res, "pretest_slots", json_integer(pretest_slots)) != 0 ||
        json_object_set_new(res, "ok", json_boolean(json_array_size(problems) == 0)) != 0 ||
        json_object_set(res, "problems", problems) != 0) {
        json_decref(res);
        res = NULL;
    }
    json_decref(problems);
    return res;
}
