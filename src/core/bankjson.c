/*
 * bankjson.c — the bank file "ctoframe-bank/1" read and checked (see bankjson.h).
 */
#include "core/bankjson.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/itembank.h"
#include "core/jsonread.h"
#include "core/pdcatalog.h"
#include "core/qti.h"

static const char *const TOP_KEYS[] = {"format", "notice", "stimuli", "items", NULL};
static const char *const STIMULUS_KEYS[] = {"identifier", "title", "text", NULL};
static const char *const ITEM_KEYS[] = {"identifier", "title",      "interaction", "skills",
                                        "cognitive",  "stimulus",   "prompt",      "choices",
                                        "correct",    "references", "author",      NULL};
static const char *const CHOICE_KEYS[] = {"id", "text", "rationale", NULL};

int bankjson_text_ok(const char *s, size_t max, int multiline)
{
    size_t n;

    if (s == NULL)
        return 0;
    n = strlen(s);
    if (n == 0 || n > max)
        return 0;
    for (const unsigned char *c = (const unsigned char *)s; *c != '\0'; c++) {
        if (*c < 0x20 && !(multiline && (*c == '\t' || *c == '\n' || *c == '\r')))
            return 0;
        if (*c == 0x7f)
            return 0;
        /* U+FFFE and U+FFFF: EF BF BE / EF BF BF. */
        if (c[0] == 0xEF && c[1] == 0xBF && (c[2] == 0xBE || c[2] == 0xBF))
            return 0;
    }
    return 1;
}

/* 1 when s is an identifier QTI can carry: 1..QTI_ID_MAX bytes, no white space or control. */
static int id_ok(const char *s)
{
    size_t n = s != NULL ? strlen(s) : 0;

    if (n == 0 || n > QTI_ID_MAX)
        return 0;
    for (; *s != '\0'; s++)
        if ((unsigned char)*s <= ' ' || *s == 0x7f)
            return 0;
    return 1;
}

/* s with every run of white space one space, trimmed: a new string, or NULL (no memory). */
static char *squeezed(const char *s)
{
    char *out = malloc(strlen(s) + 1), *o = out;

    if (out == NULL)
        return NULL;
    for (; *s != '\0'; s++) {
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
            if (o > out && o[-1] != ' ')
                *o++ = ' ';
        } else {
            *o++ = *s;
        }
    }
    if (o > out && o[-1] == ' ')
        o--;
    *o = '\0';
    return out;
}

/*
 * Checks obj.key as a text (required unless optional): a problem at its path unless
 * bankjson_text_ok(). squeeze: QTI's white space rule is applied first (and the value
 * replaced by the squeezed text). Returns the text or NULL.
 */
static const char *text_at(struct jr *rd, json_t *obj, const char *path, const char *key,
                           size_t max, int multiline, int squeeze, int optional)
{
    json_t *v = json_object_get(obj, key);
    const char *s = json_string_value(v);
    char p[JR_PATH_MAX];

    jr_sub(p, path, key);
    if (v == NULL && optional)
        return NULL;
    if (s == NULL) {
        jr_problem(rd, p, "%s; it must be a text.", v == NULL ? "is missing" : "is not a text");
        return NULL;
    }
    if (squeeze) {
        char *q = squeezed(s);

        if (q == NULL) {
            jr_problem(rd, "$", "could not be read: out of memory.");
            return NULL;
        }
        json_object_set_new(obj, key, json_string(q));
        free(q);
        s = json_string_value(json_object_get(obj, key));
        if (s == NULL) {
            jr_problem(rd, "$", "could not be read: out of memory.");
            return NULL;
        }
    }
    if (!bankjson_text_ok(s, max, multiline)) {
        jr_problem(rd, p,
                   "must be a text of 1 to %zu bytes%s (no control characters%s, no U+FFFE or "
                   "U+FFFF).",
                   max, squeeze ? " once white space is squeezed" : "",
                   multiline ? " but tabs and line breaks" : "");
        return NULL;
    }
    return s;
}

/* Checks obj.key as an identifier; returns it or NULL. */
static const char *id_at(struct jr *rd, const json_t *obj, const char *path, const char *key)
{
    json_t *v = json_object_get(obj, key);
    const char *s = json_string_value(v);
    char p[JR_PATH_MAX];

    jr_sub(p, path, key);
    if (s == NULL) {
        jr_problem(rd, p, "%s; it must be an identifier (a text).",
                   v == NULL ? "is missing" : "is not a text");
        return NULL;
    }
    if (!id_ok(s)) {
        jr_problem(rd, p, "must be 1 to %d characters without white space or control characters.",
                   QTI_ID_MAX);
        return NULL;
    }
    return s;
}

/* obj.key as an array (a problem at its path otherwise); NULL when it is not one. */
static json_t *array_at(struct jr *rd, const json_t *obj, const char *path, const char *key)
{
    json_t *v = json_object_get(obj, key);
    char p[JR_PATH_MAX];

    if (json_is_array(v))
        return v;
    jr_sub(p, path, key);
    jr_problem(rd, p, "%s; it must be a list ([…]).", v == NULL ? "is missing" : "is not a list");
    return NULL;
}

/* The stimuli: checked, identifiers distinct. */
static void read_stimuli(struct jr *rd, json_t *list)
{
    size_t i;
    json_t *s;

    if (json_array_size(list) > BANKJSON_MAX_STIMULI) {
        jr_problem(rd, "$.stimuli", "holds %zu stimuli; a file holds at most %d.",
                   json_array_size(list), BANKJSON_MAX_STIMULI);
        return;
    }
    json_array_foreach(list, i, s)
    {
        char at[JR_PATH_MAX], p[JR_PATH_MAX];
        const char *id;

        jr_idx(at, "$.stimuli", i);
        if (!jr_keys_ok(rd, s, at, STIMULUS_KEYS))
            continue;
        id = id_at(rd, s, at, "identifier");
        text_at(rd, s, at, "title", BANKJSON_SHORT_MAX, 0, 0, 0);
        text_at(rd, s, at, "text", BANKJSON_TEXT_MAX, 1, 0, 0);
        for (size_t j = 0; id != NULL && j < i; j++) {
            const char *o =
                json_string_value(json_object_get(json_array_get(list, j), "identifier"));

            if (o != NULL && strcmp(o, id) == 0) {
                jr_sub(p, at, "identifier");
                jr_problem(rd, p, "\"%s\" is also the identifier of stimuli[%zu].", id, j);
                break;
            }
        }
    }
}

/* 1 when stimuli holds a stimulus with identifier id. */
static int has_stimulus(const json_t *stimuli, const char *id)
{
    size_t i;
    json_t *s;

    json_array_foreach(stimuli, i, s)
    {
        const char *x = json_string_value(json_object_get(s, "identifier"));

        if (x != NULL && strcmp(x, id) == 0)
            return 1;
    }
    return 0;
}

/* The skills of item it at path at: codes I.A … III.D, at least one, each once. */
static void read_skills(struct jr *rd, const json_t *it, const char *at)
{
    json_t *list = array_at(rd, it, at, "skills"), *v;
    int seen[PD_NSKILLS] = {0};
    char p[JR_PATH_MAX], q[JR_PATH_MAX];
    size_t i;

    if (list == NULL)
        return;
    jr_sub(p, at, "skills");
    if (json_array_size(list) == 0)
        jr_problem(rd, p, "is empty; name at least one skill area (I.A to III.D).");
    json_array_foreach(list, i, v)
    {
        int k = pd_skill_index(json_string_value(v) != NULL ? json_string_value(v) : "");

        jr_idx(q, p, i);
        if (k < 0)
            jr_problem(rd, q,
                       "is not a skill code; the ten codes are I.A, I.B, I.C, II.A, II.B, II.C, "
                       "III.A, III.B, III.C, III.D.");
        else if (seen[k]++)
            jr_problem(rd, q, "names %s a second time.", pd_skill_codes[k]);
    }
}

/* The choices of item it: 2 to QTI_CHOICES_MAX, ids distinct, each with text and rationale. */
static void read_choices(struct jr *rd, json_t *it, const char *at)
{
    json_t *list = array_at(rd, it, at, "choices"), *c;
    char p[JR_PATH_MAX];
    size_t i;

    if (list == NULL)
        return;
    jr_sub(p, at, "choices");
    if (json_array_size(list) < 2 || json_array_size(list) > QTI_CHOICES_MAX) {
        jr_problem(rd, p, "holds %zu choices; an item has 2 to %d.", json_array_size(list),
                   QTI_CHOICES_MAX);
        if (json_array_size(list) > QTI_CHOICES_MAX)
            return;
    }
    json_array_foreach(list, i, c)
    {
        char ca[JR_PATH_MAX], q[JR_PATH_MAX];
        const char *id;

        jr_idx(ca, p, i);
        if (!jr_keys_ok(rd, c, ca, CHOICE_KEYS))
            continue;
        id = id_at(rd, c, ca, "id");
        text_at(rd, c, ca, "text", BANKJSON_TEXT_MAX, 0, 1, 0);
        text_at(rd, c, ca, "rationale", BANKJSON_TEXT_MAX, 0, 1, 0);
        for (size_t j = 0; id != NULL && j < i; j++) {
            const char *o = json_string_value(json_object_get(json_array_get(list, j), "id"));

            if (o != NULL && strcmp(o, id) == 0) {
                jr_sub(q, ca, "id");
                jr_problem(rd, q, "\"%s\" is also the id of choices[%zu].", id, j);
                break;
            }
        }
    }
}

/* 1 when the choices of it hold one with id. */
static int has_choice(const json_t *it, const char *id)
{
    size_t i;
    json_t *c;

    json_array_foreach(json_object_get(it, "choices"), i, c)
    {
        const char *x = json_string_value(json_object_get(c, "id"));

        if (x != NULL && strcmp(x, id) == 0)
            return 1;
    }
    return 0;
}

/* The key: choice ids, each once; one for a single-answer item, at least one otherwise. */
static void read_correct(struct jr *rd, const json_t *it, const char *at, int single)
{
    json_t *list = array_at(rd, it, at, "correct"), *v;
    char p[JR_PATH_MAX], q[JR_PATH_MAX];
    size_t i;

    if (list == NULL)
        return;
    jr_sub(p, at, "correct");
    if (single == 1 && json_array_size(list) != 1)
        jr_problem(rd, p, "holds %zu ids; a single-answer item has exactly one correct choice.",
                   json_array_size(list));
    else if (json_array_size(list) == 0)
        jr_problem(rd, p, "is empty; name the correct choices by their ids.");
    json_array_foreach(list, i, v)
    {
        const char *id = json_string_value(v);

        jr_idx(q, p, i);
        if (id == NULL) {
            jr_problem(rd, q, "is not a text; it must be a choice's id.");
            continue;
        }
        if (!has_choice(it, id)) {
            jr_problem(rd, q, "\"%.*s\" is not the id of one of the item's choices.", QTI_ID_MAX,
                       id);
            continue;
        }
        for (size_t j = 0; j < i; j++)
            if (json_string_value(json_array_get(list, j)) != NULL &&
                strcmp(json_string_value(json_array_get(list, j)), id) == 0) {
                jr_problem(rd, q, "names \"%s\" a second time.", id);
                break;
            }
    }
}

/* The references: 0 to BANKJSON_MAX_REFS short texts. */
static void read_references(struct jr *rd, const json_t *it, const char *at)
{
    json_t *list = array_at(rd, it, at, "references"), *v;
    char p[JR_PATH_MAX], q[JR_PATH_MAX];
    size_t i;

    if (list == NULL)
        return;
    jr_sub(p, at, "references");
    if (json_array_size(list) > BANKJSON_MAX_REFS)
        jr_problem(rd, p, "holds %zu references; an item has at most %d.", json_array_size(list),
                   BANKJSON_MAX_REFS);
    json_array_foreach(list, i, v)
    {
        jr_idx(q, p, i);
        if (!bankjson_text_ok(json_string_value(v), BANKJSON_SHORT_MAX, 0))
            jr_problem(rd, q, "must be a text of 1 to %d bytes without control characters.",
                       BANKJSON_SHORT_MAX);
    }
}

/* One item at path at; stimuli are the file's (checked before). */
static void read_item(struct jr *rd, json_t *it, const char *at, const json_t *stimuli)
{
    const char *inter, *cog, *stim;
    char p[JR_PATH_MAX];
    int single = -1;

    if (!jr_keys_ok(rd, it, at, ITEM_KEYS))
        return;
    id_at(rd, it, at, "identifier");
    text_at(rd, it, at, "title", BANKJSON_SHORT_MAX, 0, 0, 0);
    inter = text_at(rd, it, at, "interaction", BANKJSON_SHORT_MAX, 0, 0, 0);
    if (inter != NULL) {
        single = strcmp(inter, "single") == 0 ? 1 : strcmp(inter, "multiple") == 0 ? 0 : -1;
        if (single < 0) {
            jr_sub(p, at, "interaction");
            jr_problem(rd, p, "must be single (one best answer) or multiple (multiple response).");
        }
    }
    read_skills(rd, it, at);
    cog = text_at(rd, it, at, "cognitive", BANKJSON_SHORT_MAX, 0, 0, 0);
    if (cog != NULL && item_cognitive_parse(cog) < 0) {
        jr_sub(p, at, "cognitive");
        jr_problem(rd, p, "must be recall, application or analysis.");
    }
    stim = json_string_value(json_object_get(it, "stimulus"));
    jr_sub(p, at, "stimulus");
    if (json_object_get(it, "stimulus") != NULL && stim == NULL)
        jr_problem(rd, p, "is not a text; it must be the identifier of one of the file's stimuli.");
    else if (stim != NULL && !has_stimulus(stimuli, stim))
        jr_problem(rd, p, "\"%.*s\" is not the identifier of one of the file's stimuli.",
                   QTI_ID_MAX, stim);
    text_at(rd, it, at, "prompt", BANKJSON_TEXT_MAX, 0, 1, 0);
    read_choices(rd, it, at);
    read_correct(rd, it, at, single);
    read_references(rd, it, at);
    text_at(rd, it, at, "author", BANKJSON_SHORT_MAX, 0, 0, 0);
}

static void read_doc(struct jr *rd, json_t *d)
{
    const char *fmt;
    json_t *stimuli, *items, *it;
    size_t i;

    if (!jr_keys_ok(rd, d, "$", TOP_KEYS))
        return;
    fmt = json_string_value(json_object_get(d, "format"));
    if (fmt == NULL || strcmp(fmt, BANKJSON_FORMAT) != 0)
        jr_problem(rd, "$.format", "must be \"%s\".", BANKJSON_FORMAT);
    text_at(rd, d, "$", "notice", BANKJSON_SHORT_MAX, 1, 0, 0);

    stimuli = json_object_get(d, "stimuli");
    if (stimuli == NULL) {
        json_object_set_new(d, "stimuli", json_array());
        stimuli = json_object_get(d, "stimuli");
    } else {
        stimuli = array_at(rd, d, "$", "stimuli");
    }
    read_stimuli(rd, stimuli);

    items = array_at(rd, d, "$", "items");
    if (items == NULL)
        return;
    if (json_array_size(items) == 0 || json_array_size(items) > BANKJSON_MAX_ITEMS) {
        jr_problem(rd, "$.items", "holds %zu items; a file holds 1 to %d.", json_array_size(items),
                   BANKJSON_MAX_ITEMS);
        if (json_array_size(items) > BANKJSON_MAX_ITEMS)
            return;
    }
    json_array_foreach(items, i, it)
    {
        char at[JR_PATH_MAX], p[JR_PATH_MAX];
        const char *id;

        jr_idx(at, "$.items", i);
        read_item(rd, it, at, stimuli);
        id = json_string_value(json_object_get(it, "identifier"));
        for (size_t j = 0; id != NULL && j < i; j++) {
            const char *o =
                json_string_value(json_object_get(json_array_get(items, j), "identifier"));

            if (o != NULL && strcmp(o, id) == 0) {
                jr_sub(p, at, "identifier");
                jr_problem(rd, p,
                           "\"%s\" is also the identifier of items[%zu]; an identifier "
                           "names one item.",
                           id, j);
                break;
            }
        }
    }
}

int bankjson_read(const char *bytes, size_t n, json_t **doc, json_t **problems)
{
    struct jr rd = {json_array(), 0};
    json_error_t je;
    json_t *d = NULL;

    *doc = NULL;
    if (problems != NULL)
        *problems = NULL;
    if (n > BANKJSON_MAX_BYTES) {
        jr_problem(&rd, "$", "is too long: a bank file has at most %u MB.",
                   BANKJSON_MAX_BYTES / (1024u * 1024u));
        goto out;
    }
    d = json_loadb(bytes, n, JSON_REJECT_DUPLICATES, &je);
    if (d == NULL) {
        json_t *pb;

        jr_problem(&rd, "$", "is not valid JSON: line %d, column %d: %s.", je.line, je.column,
                   je.text);
        pb = json_array_get(rd.problems, 0);
        json_object_set_new(pb, "line", json_integer(je.line));
        json_object_set_new(pb, "column", json_integer(je.column));
        goto out;
    }
    read_doc(&rd, d);

out:
    if (rd.problems == NULL && rd.n == 0) {
        /* Without the list there is no way to say what went wrong. */
        rd.n = 1;
    }
    if (rd.problems != NULL && json_array_size(rd.problems) > BANKJSON_MAX_PROBLEMS) {
        size_t more = json_array_size(rd.problems) - (BANKJSON_MAX_PROBLEMS - 1);
        char msg[JR_MSG_MAX];

        while (json_array_size(rd.problems) > BANKJSON_MAX_PROBLEMS - 1)
            json_array_remove(rd.problems, json_array_size(rd.problems) - 1);
        snprintf(msg, sizeof msg, "and %zu more problems not listed.", more);
        json_array_append_new(rd.problems, json_pack("{s:s, s:s}", "path", "$", "message", msg));
    }
    if (rd.n == 0) {
        *doc = d;
        d = NULL;
    }
    json_decref(d);
    if (problems != NULL)
        *problems = rd.problems;
    else
        json_decref(rd.problems);
    return rd.n;
}
