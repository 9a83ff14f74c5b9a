/*
 * bank.c — the exam's item bank (issue 10 points 1 and 2): QTI items and IMS content
 * packages imported whole or not at all, listed, and exported as a package that imports
 * back identical. core/qti.c and core/qtipkg.c read and write QTI; store/bank.c keeps the
 * items with their versions. docs/qti.md describes the mapping.
 *
 * Who: the answer keys never leave the server except to examiners: the bank is open to the
 * command line (an operator on the server) and to the examiner role (its permission to
 * import results, program-wide; program administrators hold every permission) only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bankjson.h"
#include "core/itembank.h"
#include "core/pdcatalog.h"
#include "core/qti.h"
#include "core/qtipkg.h"
#include "lib/clock.h"
#include "svc/svc_impl.h"

static int nomem(struct cf_error *err)
{
    return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
}

static int allowed(const struct svc *sv, struct cf_error *err)
{
    if (sv->who == NULL || svc__can_everywhere(sv, PERM_RESULTS_IMPORT))
        return CF_OK;
    /* The bank holds the exam's answer keys: to anyone else not even its pages exist. */
    return cf_error_set(err, CF_ENOTFOUND, NULL, "There is no such page. Check the address.");
}

static const char *scoring_name(enum qti_scoring s)
{
    return s == QTI_MATCH_CORRECT  ? "match_correct"
           : s == QTI_MAP_RESPONSE ? "map_response"
                                   : "none";
}

/*
 * The item's content as the bank keeps it (body): a JSON object (the caller decrefs it), NULL
 * when memory runs out. A choice's rationale is a key only when the choice has one, so items
 * without rationales keep the body they had before rationales existed.
 */
static json_t *body_obj(const struct qti_item *it)
{
    json_t *b = json_object(), *choices = json_array(), *correct = json_array(), *map = NULL;

    if (b == NULL || choices == NULL || correct == NULL) {
        json_decref(b);
        json_decref(choices);
        json_decref(correct);
        return NULL;
    }
    for (size_t i = 0; i < it->nchoices; i++) {
        json_t *c = json_pack("{s:s, s:s, s:b}", "id", it->choices[i].id, "text",
                              it->choices[i].text, "fixed", it->choices[i].fixed);

        if (c != NULL && it->choices[i].rationale != NULL && it->choices[i].rationale[0] != '\0')
            json_object_set_new(c, "rationale", json_string(it->choices[i].rationale));
        json_array_append_new(choices, c);
    }
    for (size_t i = 0; i < it->ncorrect; i++)
        json_array_append_new(correct, json_string(it->correct[i]));
    if (it->has_mapping) {
        json_t *entries = json_array();

        for (size_t i = 0; entries != NULL && i < it->nmap; i++)
            json_array_append_new(
                entries, json_pack("{s:s, s:f}", "key", it->map[i].key, "value", it->map[i].value));
        map = json_pack("{s:f, s:o, s:o, s:o}", "default", it->map_default, "lower",
                        it->has_lower ? json_real(it->map_lower) : json_null(), "upper",
                        it->has_upper ? json_real(it->map_upper) : json_null(), "entries",
                        entries != NULL ? entries : json_array());
    }
    json_object_set_new(b, "prompt", json_string(it->prompt));
    json_object_set_new(b, "body", json_string(it->body));
    json_object_set_new(b, "choices", choices);
    json_object_set_new(b, "correct", correct);
    json_object_set_new(b, "max_choices", json_integer(it->max_choices));
    json_object_set_new(b, "min_choices", json_integer(it->min_choices));
    json_object_set_new(b, "shuffle", json_boolean(it->shuffle));
    json_object_set_new(b, "scoring", json_string(scoring_name(it->scoring)));
    json_object_set_new(b, "mapping", map != NULL ? map : json_null());
    return b;
}

/* The body as text with sorted keys, so the same item always gives the same text; NULL. */
static char *body_text(const json_t *b)
{
    return b != NULL ? json_dumps(b, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
}

/* The keys of a body that QTI does not carry: kept from the stored item on a QTI import. */
static const char *const OUTSIDE_QTI[] = {"references", "author", "stimulus"};

static char *dup_of(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));

    return strdup(s != NULL ? s : "");
}

/* The item a bank row holds, back as QTI's struct; -1 when the body does not read. */
static int item_of(const json_t *row, struct qti_item *it)
{
    json_error_t je;
    json_t *b = json_loads(svc__str(row, "body"), 0, &je), *x, *map;
    const char *sc;
    size_t i;
    int bad = 0;

    memset(it, 0, sizeof it[0]);
    if (!json_is_object(b))
        return -1;
    it->identifier = strdup(svc__str(row, "identifier"));
    it->title = strdup(svc__str(row, "title"));
    it->prompt = dup_of(b, "prompt");
    it->body = dup_of(b, "body");
    it->cardinality =
        strcmp(svc__str(row, "interaction"), "multiple") == 0 ? QTI_MULTIPLE : QTI_SINGLE;
    it->nchoices = json_array_size(json_object_get(b, "choices"));
    it->choices = calloc(it->nchoices + 1, sizeof it->choices[0]);
    json_array_foreach(json_object_get(b, "choices"), i, x)
    {
        if (it->choices == NULL)
            break;
        it->choices[i].id = dup_of(x, "id");
        it->choices[i].text = dup_of(x, "text");
        it->choices[i].fixed = json_is_true(json_object_get(x, "fixed"));
        it->choices[i].rationale = dup_of(x, "rationale");
        bad |= it->choices[i].id == NULL || it->choices[i].text == NULL ||
               it->choices[i].rationale == NULL;
    }
    it->ncorrect = json_array_size(json_object_get(b, "correct"));
    it->correct = calloc(it->ncorrect + 1, sizeof it->correct[0]);
    json_array_foreach(json_object_get(b, "correct"), i, x)
    {
        if (it->correct == NULL)
            break;
        it->correct[i] = strdup(json_string_value(x) != NULL ? json_string_value(x) : "");
        bad |= it->correct[i] == NULL;
    }
    it->max_choices = (int)json_integer_value(json_object_get(b, "max_choices"));
    it->min_choices = (int)json_integer_value(json_object_get(b, "min_choices"));
    it->shuffle = json_is_true(json_object_get(b, "shuffle"));
    sc = json_string_value(json_object_get(b, "scoring"));
    it->scoring = sc != NULL && strcmp(sc, "match_correct") == 0  ? QTI_MATCH_CORRECT
                  : sc != NULL && strcmp(sc, "map_response") == 0 ? QTI_MAP_RESPONSE
                                                                  : QTI_SCORING_NONE;
    map = json_object_get(b, "mapping");
    if (json_is_object(map)) {
        json_t *entries = json_object_get(map, "entries");

        it->has_mapping = 1;
        it->map_default = json_number_value(json_object_get(map, "default"));
        it->has_lower = json_is_number(json_object_get(map, "lower"));
        it->map_lower = json_number_value(json_object_get(map, "lower"));
        it->has_upper = json_is_number(json_object_get(map, "upper"));
        it->map_upper = json_number_value(json_object_get(map, "upper"));
        it->nmap = json_array_size(entries);
        it->map = calloc(it->nmap + 1, sizeof it->map[0]);
        json_array_foreach(entries, i, x)
        {
            if (it->map == NULL)
                break;
            it->map[i].key = dup_of(x, "key");
            it->map[i].value = json_number_value(json_object_get(x, "value"));
            bad |= it->map[i].key == NULL;
        }
        bad |= it->map == NULL;
    }
    json_decref(b);
    if (bad || it->identifier == NULL || it->title == NULL || it->prompt == NULL ||
        it->body == NULL || it->choices == NULL || it->correct == NULL) {
        qti_item_free(it);
        return -1;
    }
    return 0;
}

/* 1 when the bytes are a zip (a local file header or an empty archive's end record). */
static int is_zip(const char *bytes, size_t n)
{
    return n >= 4 && bytes[0] == 'P' && bytes[1] == 'K' &&
           ((bytes[2] == 3 && bytes[3] == 4) || (bytes[2] == 5 && bytes[3] == 6));
}

/* 1 when the file is a bank file (JSON): its name ends in .json or its text starts with '{'. */
static int is_json(const char *name, const char *bytes, size_t n)
{
    size_t l = name != NULL ? strlen(name) : 0, i = 0;

    if (l >= 5 && strcmp(name + l - 5, ".json") == 0)
        return 1;
    if (n >= 3 && memcmp(bytes, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < n && (bytes[i] == ' ' || bytes[i] == '\t' || bytes[i] == '\n' || bytes[i] == '\r'))
        i++;
    return i < n && bytes[i] == '{';
}

/* What an import did, counted for its result and its audit entry. */
struct counts {
    long items, made, changed, same;
    long stimuli, s_made, s_changed, s_same;
};

/* Records the import of the item identifier (a new item or a new version) in its history. */
static int import_event(const struct svc *sv, const char *identifier, const char *now,
                        const char *actor, const char *name, struct cf_error *err)
{
    json_t *cur = NULL;
    int rc = store_bank_item_by_identifier(sv->store, identifier, &cur, err);

    if (rc == CF_OK)
        rc = store_bank_event_add(sv->store, svc__str(cur, "id"), now, actor, "import", NULL, NULL,
                                  name, err);
    json_decref(cur);
    return rc;
}

/*
 * Puts one item (inside the caller's transaction): body is consumed. outcome as
 * store_bank_put's.
 */
static int put_item(const struct svc *sv, const char *identifier, const char *title,
                    const char *interaction, const char *skills, json_t *body, const char *name,
                    const char *now, const char *actor, int *outcome, struct cf_error *err)
{
    char id[37], *text = body_text(body);
    json_t *row = NULL;
    int rc;

    *outcome = 0;
    svc__uuid(id);
    if (text != NULL)
        row = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", id, "identifier", identifier,
                        "title", title, "interaction", interaction, "status", "draft", "skills",
                        skills, "body", text);
    free(text);
    json_decref(body);
    if (row == NULL)
        return nomem(err);
    rc = store_bank_put(sv->store, row, actor, name, now, outcome, err);
    if (rc == CF_OK && *outcome != 0)
        rc = import_event(sv, identifier, now, actor, name, err);
    json_decref(row);
    return rc;
}

/*
 * QTI items into the bank (inside the caller's transaction). A known identifier keeps what
 * QTI does not carry (references, author, scenario set) from the stored item.
 */
static int import_qti(const struct svc *sv, const struct qti_item *items, size_t count,
                      const char *name, const char *now, const char *actor, struct counts *c,
                      struct cf_error *err)
{
    int rc = CF_OK;

    for (size_t i = 0; i < count && rc == CF_OK; i++) {
        json_t *body = body_obj(&items[i]), *old = NULL;
        int outcome = 0;

        if (body == NULL)
            return nomem(err);
        rc = store_bank_item_by_identifier(sv->store, items[i].identifier, &old, err);
        if (rc == CF_ENOTFOUND) {
            cf_error_clear(err);
            rc = CF_OK;
        } else if (rc == CF_OK) {
            json_error_t je;
            json_t *ob = json_loads(svc__str(old, "body"), 0, &je);

            for (size_t k = 0; k < sizeof OUTSIDE_QTI / sizeof OUTSIDE_QTI[0]; k++)
                if (json_object_get(ob, OUTSIDE_QTI[k]) != NULL)
                    json_object_set(body, OUTSIDE_QTI[k], json_object_get(ob, OUTSIDE_QTI[k]));
            json_decref(ob);
        }
        json_decref(old);
        if (rc != CF_OK) {
            json_decref(body);
            break;
        }
        rc = put_item(sv, items[i].identifier,
                      items[i].title[0] != '\0' ? items[i].title : items[i].identifier,
                      items[i].cardinality == QTI_MULTIPLE ? "multiple" : "single", "", body, name,
                      now, actor, &outcome, err);
        c->made += outcome == 1;
        c->changed += outcome == 2;
        c->same += outcome == 0;
    }
    c->items = (long)count;
    return rc;
}

/* The skills of a bank file's item as the bank keeps them: "I.A;II.B" (codes checked). */
static void skills_text(const json_t *list, char *out, size_t n)
{
    size_t i, off = 0;
    json_t *v;

    out[0] = '\0';
    json_array_foreach(list, i, v)
    {
        int w = snprintf(out + off, n - off, "%s%s", i > 0 ? ";" : "", json_string_value(v));

        if (w < 0 || (size_t)w >= n - off)
            break;
        off += (size_t)w;
    }
}

/*
 * The body of a bank file's item x: the keys body_obj() writes for a QTI item (so a QTI
 * export read back gives the same body) and those QTI does not carry. NULL: no memory.
 */
static json_t *json_body(const json_t *x)
{
    int single = strcmp(svc__str(x, "interaction"), "single") == 0;
    json_t *b, *choices = json_array(), *c;
    size_t i;

    json_array_foreach(json_object_get(x, "choices"), i, c)
    {
        json_array_append_new(choices,
                              json_pack("{s:O, s:O, s:b, s:O}", "id", json_object_get(c, "id"),
                                        "text", json_object_get(c, "text"), "fixed", 0, "rationale",
                                        json_object_get(c, "rationale")));
    }
    b = json_pack("{s:O, s:s, s:o, s:O, s:i, s:i, s:b, s:s, s:n, s:O, s:O}", "prompt",
                  json_object_get(x, "prompt"), "body", "", "choices", choices, "correct",
                  json_object_get(x, "correct"), "max_choices", single ? 1 : 0, "min_choices", 1,
                  "shuffle", 0, "scoring", "match_correct", "mapping", "references",
                  json_object_get(x, "references"), "author", json_object_get(x, "author"));
    if (b != NULL && json_object_get(x, "stimulus") != NULL)
        json_object_set(b, "stimulus", json_object_get(x, "stimulus"));
    return b;
}

/*
 * A bank file's stimuli and items into the bank (inside the caller's transaction): doc is
 * checked (bankjson_read). Tags and scenario set come from the file; an operational item
 * keeps its tags (a refusal naming the item's place).
 */
static int import_json(const struct svc *sv, const json_t *doc, const char *name, const char *now,
                       const char *actor, struct counts *c, struct cf_error *err)
{
    const json_t *stimuli = json_object_get(doc, "stimuli"), *items = json_object_get(doc, "items");
    json_t *x;
    size_t i;
    int rc = CF_OK;

    json_array_foreach(stimuli, i, x)
    {
        char id[37];
        json_t *row;
        int outcome = 0;

        svc__uuid(id);
        row = json_pack("{s:s, s:O, s:O, s:O}", "id", id, "identifier",
                        json_object_get(x, "identifier"), "title", json_object_get(x, "title"),
                        "text", json_object_get(x, "text"));
        rc = row != NULL ? store_bank_stimulus_put(sv->store, row, actor, name, now, &outcome, err)
                         : nomem(err);
        json_decref(row);
        if (rc != CF_OK)
            return rc;
        c->s_made += outcome == 1;
        c->s_changed += outcome == 2;
        c->s_same += outcome == 0;
    }
    c->stimuli = (long)json_array_size(stimuli);

    json_array_foreach(items, i, x)
    {
        const char *ident = svc__str(x, "identifier"), *cog = svc__str(x, "cognitive");
        const char *stim = svc__str(x, "stimulus");
        char skills[PD_NSKILLS * 8];
        json_t *cur = NULL, *srow = NULL;
        const char *old_sk, *old_cog, *old_stim, *stim_id = NULL;
        int outcome = 0, retag, restim;

        skills_text(json_object_get(x, "skills"), skills, sizeof skills);
        rc = put_item(sv, ident, svc__str(x, "title"), svc__str(x, "interaction"), skills,
                      json_body(x), name, now, actor, &outcome, err);
        if (rc == CF_OK)
            rc = store_bank_item_by_identifier(sv->store, ident, &cur, err);
        if (rc == CF_OK && stim != NULL) {
            rc = store_bank_stimulus_by_identifier(sv->store, stim, &srow, err);
            stim_id = svc__str(srow, "id");
        }
        if (rc != CF_OK) {
            json_decref(cur);
            json_decref(srow);
            return rc;
        }

        /* The tags and the scenario set: columns, set when they differ from the file's. */
        old_sk = svc__str(cur, "skills");
        old_cog = svc__str(cur, "cognitive");
        old_stim = svc__str(cur, "stimulus_id");
        retag = strcmp(old_sk != NULL ? old_sk : "", skills) != 0 || old_cog == NULL ||
                strcmp(old_cog, cog) != 0;
        restim = (old_stim == NULL) != (stim_id == NULL) ||
                 (old_stim != NULL && stim_id != NULL && strcmp(old_stim, stim_id) != 0);
        if (retag && outcome != 1 && strcmp(svc__str(cur, "status"), "operational") == 0)
            rc = cf_error_set(err, CF_EINVAL, "skills",
                              "The item \"%s\" ($.items[%zu].skills) is operational and keeps "
                              "its skills and cognitive level (forms were built on them). Send "
                              "it back to review to change them.",
                              ident, i);
        if (rc == CF_OK && retag)
            rc = store_bank_tag(sv->store, svc__str(cur, "id"), skills, cog, now, err);
        if (rc == CF_OK && retag && outcome != 1) {
            char note[PD_NSKILLS * 8 + 32];

            snprintf(note, sizeof note, "%s, %s", skills, cog);
            rc = store_bank_event_add(sv->store, svc__str(cur, "id"), now, actor, "tag", NULL, NULL,
                                      note, err);
        }
        if (rc == CF_OK && restim)
            rc = store_bank_set_stimulus(sv->store, svc__str(cur, "id"), stim_id, now, err);
        json_decref(cur);
        json_decref(srow);
        if (rc != CF_OK)
            return rc;
        if (outcome == 0 && (retag || restim))
            outcome = 2;
        c->made += outcome == 1;
        c->changed += outcome == 2;
        c->same += outcome == 0;
    }
    c->items = (long)json_array_size(items);
    return CF_OK;
}

/*
 * Reads the file into items or a checked bank document; CF_EINVAL with the reason (and, for
 * a bank file, *problems: every problem with its place) when it is refused.
 */
static int read_file(const char *name, const char *bytes, size_t n, struct qtipkg *pkg,
                     struct qti_item *one, json_t **doc, json_t **problems, struct cf_error *err)
{
    const struct qti_item *items;
    const char *const *hrefs = NULL;
    size_t count;
    int rc;

    if (is_zip(bytes, n)) {
        rc = qtipkg_read(bytes, n, pkg, err);
        items = pkg->items;
        hrefs = (const char *const *)pkg->hrefs;
        count = pkg->n;
    } else if (is_json(name, bytes, n)) {
        size_t skip = n >= 3 && memcmp(bytes, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
        int np = bankjson_read(bytes + skip, n - skip, doc, problems);
        json_t *first = json_array_get(*problems, 0);

        if (np == 0)
            return CF_OK;
        char msg[sizeof err->message];

        /* The first problem at its place; the caller lists them all from *problems. */
        snprintf(msg, sizeof msg, "At %s: %s%s", first != NULL ? svc__str(first, "path") : "$",
                 first != NULL ? svc__str(first, "message") : "Out of memory.",
                 np > 1 ? " (And more problems.)" : "");
        return cf_error_set(err, CF_EINVAL, NULL, "%s", msg);
    } else {
        rc = qti_parse(bytes, n, one, err);
        items = one;
        count = 1;
    }
    if (rc != CF_OK)
        return rc;
    if (count == 0)
        return cf_error_set(err, CF_EINVAL, NULL, "The package holds no item.");
    /* One identifier once: the bank keys its items by it. */
    for (size_t i = 0; i < count; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(items[i].identifier, items[j].identifier) == 0)
                return cf_error_set(err, CF_EINVAL, NULL,
                                    "Two items have the identifier \"%s\"%s%s%s%s; an identifier "
                                    "names one item.",
                                    items[i].identifier, hrefs != NULL ? ": " : "",
                                    hrefs != NULL ? hrefs[j] : "", hrefs != NULL ? " and " : "",
                                    hrefs != NULL ? hrefs[i] : "");
    return CF_OK;
}

int svc_bank_import(const struct svc *sv, const char *name, const char *bytes, size_t n,
                    json_t **out, struct cf_error *err)
{
    struct qtipkg pkg;
    struct qti_item one;
    struct counts c;
    json_t *doc = NULL, *problems = NULL, *after = NULL;
    char now[32], actor[64];
    int rc = allowed(sv, err);

    *out = NULL;
    memset(&pkg, 0, sizeof pkg);
    memset(&one, 0, sizeof one);
    memset(&c, 0, sizeof c);
    if (rc != CF_OK)
        return rc;
    rc = read_file(name, bytes, n, &pkg, &one, &doc, &problems, err);
    if (rc != CF_OK) {
        if (problems != NULL)
            *out = json_pack("{s:O}", "problems", problems);
        goto out;
    }

    clock_now_iso(now, sizeof now);
    snprintf(actor, sizeof actor, "%s", sv->actor != NULL ? sv->actor : "cli");
    rc = store_begin(sv->store, err);
    if (rc != CF_OK)
        goto out;
    if (doc != NULL)
        rc = import_json(sv, doc, name, now, actor, &c, err);
    else if (pkg.n > 0)
        rc = import_qti(sv, pkg.items, pkg.n, name, now, actor, &c, err);
    else
        rc = import_qti(sv, &one, 1, name, now, actor, &c, err);
    if (rc == CF_OK) {
        after = json_pack("{s:s, s:I, s:I, s:I, s:I}", "file", name != NULL ? name : "", "items",
                          (json_int_t)c.items, "added", (json_int_t)c.made, "changed",
                          (json_int_t)c.changed, "unchanged", (json_int_t)c.same);
        if (after != NULL && doc != NULL)
            json_object_set_new(after, "stimuli",
                                json_pack("{s:I, s:I, s:I, s:I}", "count", (json_int_t)c.stimuli,
                                          "added", (json_int_t)c.s_made, "changed",
                                          (json_int_t)c.s_changed, "unchanged",
                                          (json_int_t)c.s_same));
        rc = after != NULL ? svc__audit(sv, NULL, "bank.import", "bank", NULL, NULL, after, err)
                           : nomem(err);
    }
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    if (rc == CF_OK) {
        *out = after;
        after = NULL;
    }
out:
    json_decref(after);
    json_decref(doc);
    json_decref(problems);
    qtipkg_free(&pkg);
    qti_item_free(&one);
    return rc;
}

int svc_bank_list(const struct svc *sv, json_t **out, struct cf_error *err)
{
    json_t *rows = NULL, *list, *x;
    size_t i;
    int rc = allowed(sv, err);

    *out = NULL;
    if (rc == CF_OK)
        rc = store_bank_items(sv->store, &rows, err);
    if (rc != CF_OK)
        return rc;
    list = json_array();
    json_array_foreach(rows, i, x)
    {
        json_error_t je;
        json_t *b = json_loads(svc__str(x, "body"), 0, &je), *skills = json_array();
        const char *sk = svc__str(x, "skills");

        /* "I.A;II.B" as a list. */
        if (sk != NULL && sk[0] != '\0') {
            char buf[256], *save = NULL, *t;

            snprintf(buf, sizeof buf, "%s", sk);
            for (t = strtok_r(buf, ";", &save); t != NULL; t = strtok_r(NULL, ";", &save))
                json_array_append_new(skills, json_string(t));
        }
        json_array_append_new(
            list, json_pack("{s:O, s:O, s:O, s:I, s:O, s:o, s:O, s:O}", "identifier",
                            json_object_get(x, "identifier"), "title", json_object_get(x, "title"),
                            "interaction", json_object_get(x, "interaction"), "choices",
                            (json_int_t)json_array_size(json_object_get(b, "choices")), "correct",
                            json_object_get(b, "correct") != NULL ? json_object_get(b, "correct")
                                                                  : json_array(),
                            "skills", skills, "status", json_object_get(x, "status"), "version",
                            json_object_get(x, "version")));
        json_decref(b);
    }
    json_decref(rows);
    *out = list;
    return list != NULL ? CF_OK : nomem(err);
}

int svc_bank_export(const struct svc *sv, void **zip, size_t *n, struct cf_error *err)
{
    json_t *rows = NULL, *x;
    struct qti_item *items = NULL;
    size_t i, k = 0;
    int rc = allowed(sv, err);

    *zip = NULL;
    *n = 0;
    if (rc == CF_OK)
        rc = store_bank_items(sv->store, &rows, err);
    if (rc != CF_OK)
        return rc;
    if (json_array_size(rows) == 0) {
        json_decref(rows);
        return cf_error_set(err, CF_ECONFLICT, NULL, "The item bank is empty: nothing to export.");
    }
    items = calloc(json_array_size(rows), sizeof items[0]);
    if (items == NULL)
        rc = nomem(err);
    json_array_foreach(rows, i, x)
    {
        if (rc != CF_OK)
            break;
        if (item_of(x, &items[k]) != 0)
            rc = cf_error_set(err, CF_EIO, NULL, "The stored item \"%s\" does not read back.",
                              svc__str(x, "identifier"));
        else
            k++;
    }
    if (rc == CF_OK)
        rc = qtipkg_write(items, k, zip, n, err);
    for (i = 0; i < k; i++)
        qti_item_free(&items[i]);
    free(items);
    json_decref(rows);
    return rc;
}

/* "I.A;II.B" as ["I.A", "II.B"] (a new array). */
static json_t *skills_list(const char *sk)
{
    json_t *skills = json_array();

    if (skills != NULL && sk != NULL && sk[0] != '\0') {
        char buf[256], *save = NULL, *t;

        snprintf(buf, sizeof buf, "%s", sk);
        for (t = strtok_r(buf, ";", &save); t != NULL; t = strtok_r(NULL, ";", &save))
            json_array_append_new(skills, json_string(t));
    }
    return skills;
}

/*
 * One bank row as an item of the bank file, its keys in the format's order. What the item
 * lacks (a QTI item has no rationales, references or author until they are written) is left
 * out, so bankjson_read() of the export names each missing piece.
 */
static json_t *file_item(const json_t *row)
{
    json_error_t je;
    json_t *b = json_loads(svc__str(row, "body"), 0, &je), *x, *c, *choices = json_array();
    static const char *const LATE[] = {"correct", "references", "author"};
    size_t i;

    x = json_pack("{s:O, s:O, s:O, s:o}", "identifier", json_object_get(row, "identifier"), "title",
                  json_object_get(row, "title"), "interaction", json_object_get(row, "interaction"),
                  "skills", skills_list(svc__str(row, "skills")));
    if (x == NULL || choices == NULL || !json_is_object(b)) {
        json_decref(x);
        json_decref(b);
        json_decref(choices);
        return NULL;
    }
    if (svc__str(row, "cognitive") != NULL)
        json_object_set(x, "cognitive", json_object_get(row, "cognitive"));
    if (json_object_get(b, "stimulus") != NULL)
        json_object_set(x, "stimulus", json_object_get(b, "stimulus"));
    json_object_set(x, "prompt", json_object_get(b, "prompt"));
    json_array_foreach(json_object_get(b, "choices"), i, c)
    {
        json_t *o = json_pack("{s:O, s:O}", "id", json_object_get(c, "id"), "text",
                              json_object_get(c, "text"));

        if (o != NULL && json_object_get(c, "rationale") != NULL)
            json_object_set(o, "rationale", json_object_get(c, "rationale"));
        json_array_append_new(choices, o);
    }
    json_object_set_new(x, "choices", choices);
    for (i = 0; i < sizeof LATE / sizeof LATE[0]; i++)
        if (json_object_get(b, LATE[i]) != NULL)
            json_object_set(x, LATE[i], json_object_get(b, LATE[i]));
    json_decref(b);
    return x;
}

int svc_bank_export_json(const struct svc *sv, json_t **out, struct cf_error *err)
{
    json_t *rows = NULL, *stimuli = NULL, *doc = NULL, *items, *list, *x;
    size_t i;
    int rc = allowed(sv, err);

    *out = NULL;
    if (rc == CF_OK)
        rc = store_bank_items(sv->store, &rows, err);
    if (rc == CF_OK)
        rc = store_bank_stimuli(sv->store, &stimuli, err);
    if (rc != CF_OK)
        goto out;
    if (json_array_size(rows) == 0) {
        rc = cf_error_set(err, CF_ECONFLICT, NULL, "The item bank is empty: nothing to export.");
        goto out;
    }
    doc = json_pack("{s:s, s:s, s:[], s:[]}", "format", BANKJSON_FORMAT, "notice",
                    "Exported from a ctoframe item bank. It holds the answer keys and the "
                    "rationales: keep it with the examiners.",
                    "stimuli", "items");
    if (doc == NULL) {
        rc = nomem(err);
        goto out;
    }
    list = json_object_get(doc, "stimuli");
    json_array_foreach(stimuli, i, x)
    {
        json_array_append_new(list, json_pack("{s:O, s:O, s:O}", "identifier",
                                              json_object_get(x, "identifier"), "title",
                                              json_object_get(x, "title"), "text",
                                              json_object_get(x, "text")));
    }
    items = json_object_get(doc, "items");
    json_array_foreach(rows, i, x)
    {
        json_t *it = file_item(x);

        if (it == NULL) {
            rc = cf_error_set(err, CF_EIO, NULL, "The stored item \"%s\" does not read back.",
                              svc__str(x, "identifier"));
            goto out;
        }
        json_array_append_new(items, it);
    }
    if (json_array_size(list) != json_array_size(stimuli) ||
        json_array_size(items) != json_array_size(rows))
        rc = nomem(err);
out:
    if (rc == CF_OK)
        *out = json_incref(doc);
    json_decref(doc);
    json_decref(rows);
    json_decref(stimuli);
    return rc;
}

/* --- the workflow, tags and enemies --------------------------------------------------------- */

/* The item row of identifier (inside the caller's transaction); CF_ENOTFOUND naming it. */
static int item_row(const struct svc *sv, const char *identifier, json_t **row,
                    struct cf_error *err)
{
    int rc = identifier != NULL ? store_bank_item_by_identifier(sv->store, identifier, row, err)
                                : CF_ENOTFOUND;

    if (rc == CF_ENOTFOUND)
        return cf_error_set(err, CF_ENOTFOUND, "item", "The bank has no item \"%s\".",
                            identifier != NULL ? identifier : "");
    return rc;
}

/*
 * What show adds to an item row: its scenario set's stimulus ({identifier, title, text,
 * version} or null) and the reviewers' comments ([{at, actor, text}], the events of kind
 * comment, in order).
 */
static int show_extras(const struct svc *sv, json_t *row, const json_t *events,
                       struct cf_error *err)
{
    json_t *comments = json_array(), *stim = NULL, *e;
    size_t i;
    int rc = CF_OK;

    if (comments == NULL)
        return nomem(err);
    json_array_foreach(events, i, e)
    {
        if (strcmp(svc__str(e, "kind"), "comment") == 0)
            json_array_append_new(comments,
                                  json_pack("{s:O, s:O, s:O}", "at", json_object_get(e, "at"),
                                            "actor", json_object_get(e, "actor"), "text",
                                            json_object_get(e, "note")));
    }
    json_object_set_new(row, "comments", comments);
    if (svc__str(row, "stimulus_id") != NULL)
        rc = store_bank_stimulus_by_id(sv->store, svc__str(row, "stimulus_id"), &stim, err);
    if (rc == CF_OK)
        json_object_set_new(row, "stimulus",
                            stim != NULL ? json_pack("{s:O, s:O, s:O, s:O}", "identifier",
                                                     json_object_get(stim, "identifier"), "title",
                                                     json_object_get(stim, "title"), "text",
                                                     json_object_get(stim, "text"), "version",
                                                     json_object_get(stim, "version"))
                                         : json_null());
    json_decref(stim);
    return rc;
}

/* 1 when a move from to to needs a note: sending an item back, retiring it. */
static int note_needed(int from, int to)
{
    return to < from || to == ITEM_RETIRED;
}

/*
 * What show adds for the pages: the exam forms that carry the item ([{code, title, status,
 * role}]) and the moves its status allows ([{to, label, note_required}], in workflow order;
 * core/itembank.h decides which, the tags included).
 */
static int show_forms_moves(const struct svc *sv, json_t *row, int st, struct cf_error *err)
{
    json_t *forms = NULL, *moves = json_array();
    const char *sk = svc__str(row, "skills");
    int tagged = sk != NULL && sk[0] != '\0' && svc__str(row, "cognitive") != NULL;
    int rc = moves != NULL ? store_bank_item_forms(sv->store, svc__str(row, "id"), &forms, err)
                           : nomem(err);

    for (int to = 0; rc == CF_OK && to < ITEM__COUNT; to++) {
        struct cf_error e;

        cf_error_clear(&e);
        if (item_move_check((enum item_status)st, (enum item_status)to, tagged, &e) != CF_OK)
            continue;
        json_array_append_new(moves, json_pack("{s:s, s:s, s:b}", "to",
                                               item_status_name((enum item_status)to), "label",
                                               item_status_label((enum item_status)to),
                                               "note_required", note_needed(st, to)));
    }
    if (rc == CF_OK) {
        json_object_set(row, "forms", forms);
        json_object_set(row, "moves", moves);
    }
    json_decref(forms);
    json_decref(moves);
    return rc;
}

int svc_bank_show(const struct svc *sv, const char *identifier, json_t **out, struct cf_error *err)
{
    json_t *row = NULL, *versions = NULL, *events = NULL, *enemies = NULL, *body;
    json_error_t je;
    int rc = allowed(sv, err), st;

    *out = NULL;
    if (rc == CF_OK)
        rc = item_row(sv, identifier, &row, err);
    if (rc == CF_OK)
        rc = store_bank_versions(sv->store, svc__str(row, "id"), &versions, err);
    if (rc == CF_OK)
        rc = store_bank_events(sv->store, svc__str(row, "id"), &events, err);
    if (rc == CF_OK)
        rc = store_bank_enemies(sv->store, svc__str(row, "id"), &enemies, err);
    if (rc == CF_OK) {
        size_t i;
        json_t *v;

        /* The versions' content as objects, not text. */
        json_array_foreach(versions, i, v)
        {
            json_object_set_new(v, "body", json_loads(svc__str(v, "body"), 0, &je));
        }
        body = json_loads(svc__str(row, "body"), 0, &je);
        st = item_status_parse(svc__str(row, "status"));
        json_object_set_new(row, "body", body != NULL ? body : json_null());
        json_object_set_new(row, "status_label",
                            json_string(item_status_label((enum item_status)st)));
        json_object_set(row, "versions", versions);
        json_object_set(row, "events", events);
        json_object_set(row, "enemies", enemies);
        rc = show_extras(sv, row, events, err);
        if (rc == CF_OK)
            rc = show_forms_moves(sv, row, st, err);
        if (rc == CF_OK)
            *out = json_incref(row);
    }
    json_decref(row);
    json_decref(versions);
    json_decref(events);
    json_decref(enemies);
    return rc;
}

/* Appends the audit entry of a change (after is consumed), inside its transaction. */
static int bank_change(const struct svc *sv, const char *action, const char *identifier,
                       json_t *after, struct cf_error *err)
{
    int rc = after != NULL ? svc__audit(sv, NULL, action, "bank_item", identifier, NULL, after, err)
                           : nomem(err);

    json_decref(after);
    return rc;
}

static void actor_of(const struct svc *sv, char *out, size_t n)
{
    snprintf(out, n, "%s", sv->actor != NULL ? sv->actor : "cli");
}

int svc_bank_move(const struct svc *sv, const char *identifier, const char *to, const char *note,
                  struct cf_error *err)
{
    json_t *row = NULL;
    char now[32], actor[64];
    int rc = allowed(sv, err), from, dest;

    if (rc != CF_OK)
        return rc;
    dest = item_status_parse(to);
    if (dest < 0)
        return cf_error_set(err, CF_EINVAL, "status",
                            "Choose draft, review, pretest, operational or retired.");
    clock_now_iso(now, sizeof now);
    actor_of(sv, actor, sizeof actor);
    rc = store_begin(sv->store, err);
    if (rc != CF_OK)
        return rc;
    rc = item_row(sv, identifier, &row, err);
    if (rc == CF_OK) {
        const char *sk = svc__str(row, "skills");

        from = item_status_parse(svc__str(row, "status"));
        rc =
            item_move_check((enum item_status)from, (enum item_status)dest,
                            sk != NULL && sk[0] != '\0' && svc__str(row, "cognitive") != NULL, err);
        if (rc == CF_OK && note_needed(from, dest) && (note == NULL || note[0] == '\0'))
            rc = cf_error_set(err, CF_EINVAL, "note",
                              "Say why the item goes back or is retired: the comment stays "
                              "with its history.");
        if (rc == CF_OK)
            rc = store_bank_set_status(sv->store, svc__str(row, "id"), svc__str(row, "status"), to,
                                       now, err);
        if (rc == CF_OK)
            rc = store_bank_event_add(sv->store, svc__str(row, "id"), now, actor, "status",
                                      svc__str(row, "status"), to, note, err);
        if (rc == CF_OK)
            rc = bank_change(sv, "bank.move", identifier,
                             json_pack("{s:s, s:s, s:s?}", "from", svc__str(row, "status"), "to",
                                       to, "note", note),
                             err);
    }
    json_decref(row);
    if (rc == CF_OK)
        return store_commit(sv->store, err);
    store_rollback(sv->store);
    return rc;
}

int svc_bank_tag(const struct svc *sv, const char *identifier, const char *skills,
                 const char *cognitive, struct cf_error *err)
{
    struct svc_checks ck = {err, CF_OK};
    struct cf_error e;
    json_t *row = NULL;
    char list[PD_NSKILLS * 8] = "", now[32], actor[64];
    int seen[PD_NSKILLS] = {0}, n = 0, bad = 0, rc = allowed(sv, err);

    if (rc != CF_OK)
        return rc;
    cf_error_clear(&e);
    if (skills != NULL) {
        char buf[256], *save = NULL, *t;

        snprintf(buf, sizeof buf, "%s", skills);
        for (t = strtok_r(buf, ";, ", &save); t != NULL; t = strtok_r(NULL, ";, ", &save)) {
            int k = pd_skill_index(t);

            if (k < 0) {
                bad = 1;
                continue;
            }
            if (!seen[k]) {
                size_t l = strlen(list);

                seen[k] = 1;
                snprintf(list + l, sizeof list - l, "%s%s", n++ ? ";" : "", pd_skill_codes[k]);
            }
        }
    }
    if (bad || n == 0)
        svc__check(&ck,
                   cf_error_set(&e, CF_EINVAL, "skills",
                                "Name the skill areas the item serves by their codes (I.A to "
                                "III.D), separated by ';'."),
                   &e);
    if (cognitive != NULL && cognitive[0] != '\0' && item_cognitive_parse(cognitive) < 0)
        svc__check(&ck,
                   cf_error_set(&e, CF_EINVAL, "level",
                                "Choose the cognitive level: recall, application or analysis."),
                   &e);
    if (ck.rc != CF_OK)
        return ck.rc;
    clock_now_iso(now, sizeof now);
    actor_of(sv, actor, sizeof actor);
    rc = store_begin(sv->store, err);
    if (rc != CF_OK)
        return rc;
    rc = item_row(sv, identifier, &row, err);
    if (rc == CF_OK && strcmp(svc__str(row, "status"), "operational") == 0)
        rc = cf_error_set(err, CF_ECONFLICT, "status",
                          "An operational item keeps its tags (forms were built on them); send it "
                          "back to review to change them.");
    if (rc == CF_OK)
        rc = store_bank_tag(sv->store, svc__str(row, "id"), list,
                            cognitive != NULL && cognitive[0] != '\0' ? cognitive : NULL, now, err);
    if (rc == CF_OK) {
        char note[PD_NSKILLS * 8 + 32];

        snprintf(note, sizeof note, "%s%s%s", list, cognitive != NULL && cognitive[0] ? ", " : "",
                 cognitive != NULL ? cognitive : "");
        rc = store_bank_event_add(sv->store, svc__str(row, "id"), now, actor, "tag", NULL, NULL,
                                  note, err);
    }
    if (rc == CF_OK)
        rc = bank_change(sv, "bank.tag", identifier,
                         json_pack("{s:s, s:s?}", "skills", list, "cognitive",
                                   cognitive != NULL && cognitive[0] ? cognitive : NULL),
                         err);
    json_decref(row);
    if (rc == CF_OK)
        return store_commit(sv->store, err);
    store_rollback(sv->store);
    return rc;
}

int svc_bank_enemy(const struct svc *sv, const char *a, const char *b, int add,
                   struct cf_error *err)
{
    json_t *ra = NULL, *rb = NULL;
    char now[32], actor[64];
    int rc = allowed(sv, err);

    if (rc != CF_OK)
        return rc;
    if (a != NULL && b != NULL && strcmp(a, b) == 0)
        return cf_error_set(err, CF_EINVAL, "item", "An item cannot be its own enemy.");
    clock_now_iso(now, sizeof now);
    actor_of(sv, actor, sizeof actor);
    rc = store_begin(sv->store, err);
    if (rc != CF_OK)
        return rc;
    rc = item_row(sv, a, &ra, err);
    if (rc == CF_OK)
        rc = item_row(sv, b, &rb, err);
    if (rc == CF_OK)
        rc = store_bank_enemy_set(sv->store, svc__str(ra, "id"), svc__str(rb, "id"), add, actor,
                                  now, err);
    if (rc == CF_OK)
        rc = store_bank_event_add(sv->store, svc__str(ra, "id"), now, actor, "enemy", NULL, NULL, b,
                                  err);
    if (rc == CF_OK)
        rc = store_bank_event_add(sv->store, svc__str(rb, "id"), now, actor, "enemy", NULL, NULL, a,
                                  err);
    if (rc == CF_OK)
        rc = bank_change(sv, add ? "bank.enemy" : "bank.enemy_remove", a,
                         json_pack("{s:s, s:s}", "item", a, "enemy", b), err);
    json_decref(ra);
    json_decref(rb);
    if (rc == CF_OK)
        return store_commit(sv->store, err);
    store_rollback(sv->store);
    return rc;
}

int svc_bank_comment(const struct svc *sv, const char *identifier, const char *text,
                     struct cf_error *err)
{
    json_t *row = NULL;
    char now[32], actor[64];
    int rc = allowed(sv, err);

    if (rc != CF_OK)
        return rc;
    if (!bankjson_text_ok(text, BANK_COMMENT_MAX, 1) || strspn(text, " \t\r\n") == strlen(text))
        return cf_error_set(err, CF_EINVAL, "text",
                            "Write the comment: 1 to %d bytes of text (line breaks allowed, no "
                            "other control characters).",
                            BANK_COMMENT_MAX);
    clock_now_iso(now, sizeof now);
    actor_of(sv, actor, sizeof actor);
    rc = store_begin(sv->store, err);
    if (rc != CF_OK)
        return rc;
    rc = item_row(sv, identifier, &row, err);
    if (rc == CF_OK)
        rc = store_bank_event_add(sv->store, svc__str(row, "id"), now, actor, "comment", NULL, NULL,
                                  text, err);
    if (rc == CF_OK)
        rc = bank_change(sv, "bank.comment", identifier, json_pack("{s:s}", "comment", text), err);
    json_decref(row);
    if (rc == CF_OK)
        return store_commit(sv->store, err);
    store_rollback(sv->store);
    return rc;
}

/* --- the bank's pages ------------------------------------------------------------------- */

/*
 * text as a LIKE pattern found anywhere ("%text%"), lowercased (ASCII) with '%', '_' and
 * '!' escaped by '!'; NULL when memory runs out. The caller frees it.
 */
static char *like_of(const char *text)
{
    size_t n = strlen(text);
    char *out = malloc(2 * n + 3), *o = out;

    if (out == NULL)
        return NULL;
    *o++ = '%';
    for (const char *p = text; *p != '\0'; p++) {
        if (*p == '%' || *p == '_' || *p == '!')
            *o++ = '!';
        *o++ = *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p;
    }
    *o++ = '%';
    *o = '\0';
    return out;
}

/* The counts per status in workflow order, zeros included, from [{status, n}]; and *all. */
static json_t *counts_view(const json_t *rows, json_int_t *all)
{
    json_t *list = json_array(), *x;
    size_t i;

    *all = 0;
    for (int st = 0; list != NULL && st < ITEM__COUNT; st++) {
        json_int_t n = 0;

        json_array_foreach(rows, i, x)
        {
            if (strcmp(svc__str(x, "status"), item_status_name((enum item_status)st)) == 0)
                n = json_integer_value(json_object_get(x, "n"));
        }
        *all += n;
        json_array_append_new(list, json_pack("{s:s, s:s, s:I}", "status",
                                              item_status_name((enum item_status)st), "label",
                                              item_status_label((enum item_status)st), "count", n));
    }
    return list;
}

int svc_bank_search(const struct svc *sv, const struct bank_query *bq, json_t **out,
                    struct cf_error *err)
{
    struct svc_checks ck = {err, CF_OK};
    struct cf_error e;
    const char *status = bq->status != NULL && bq->status[0] != '\0' ? bq->status : NULL;
    const char *skill = bq->skill != NULL && bq->skill[0] != '\0' ? bq->skill : NULL;
    const char *q = bq->q != NULL ? bq->q + strspn(bq->q, " \t") : "";
    char *like = NULL;
    json_t *rows = NULL, *counts = NULL, *per_status, *utf8, *x;
    json_int_t all = 0, total = 0;
    size_t i;
    int rc = allowed(sv, err), st = -1, k = -1;

    *out = NULL;
    if (rc != CF_OK)
        return rc;
    cf_error_clear(&e);
    if (status != NULL && (st = item_status_parse(status)) < 0)
        svc__check(&ck,
                   cf_error_set(&e, CF_EINVAL, "status",
                                "Choose the status: draft, review, pretest, operational or "
                                "retired."),
                   &e);
    if (skill != NULL && (k = pd_skill_index(skill)) < 0)
        svc__check(&ck,
                   cf_error_set(&e, CF_EINVAL, "skill",
                                "Choose a skill area by its code, from I.A to III.D."),
                   &e);
    /* json_string() is NULL for text that is not UTF-8: the database would refuse it too. */
    utf8 = json_string(q);
    if (utf8 == NULL || (q[0] != '\0' && !bankjson_text_ok(q, BANK_QUERY_MAX, 0)))
        svc__check(&ck,
                   cf_error_set(&e, CF_EINVAL, "q",
                                "Search for at most %d bytes of text on one line (UTF-8).",
                                BANK_QUERY_MAX),
                   &e);
    if (bq->offset < 0 || bq->limit < 1)
        svc__check(&ck, cf_error_set(&e, CF_EINVAL, "page", "The page number must be 1 or more."),
                   &e);
    json_decref(utf8);
    if (ck.rc != CF_OK)
        return ck.rc;
    if (q[0] != '\0' && (like = like_of(q)) == NULL)
        return nomem(err);

    /* Two reads, no transaction: a count a moment older than the page changes only its words. */
    rc = store_bank_items_page(sv->store, status, k >= 0 ? pd_skill_codes[k] : NULL, like,
                               bq->limit, bq->offset, &rows, err);
    if (rc == CF_OK)
        rc = store_bank_status_counts(sv->store, k >= 0 ? pd_skill_codes[k] : NULL, like, &counts,
                                      err);
    free(like);
    if (rc != CF_OK)
        goto out;
    json_array_foreach(rows, i, x)
    {
        int s = item_status_parse(svc__str(x, "status"));

        json_object_set_new(x, "skills", skills_list(svc__str(x, "skills")));
        json_object_set_new(x, "status_label", json_string(item_status_label((enum item_status)s)));
    }
    per_status = counts_view(counts, &all);
    *out =
        json_pack("{s:O, s:o, s:I, s:I, s:I, s:s?, s:s?, s:s}", "items", rows, "counts", per_status,
                  "offset", (json_int_t)bq->offset, "limit", (json_int_t)bq->limit, "all", all,
                  "status", status, "skill", k >= 0 ? pd_skill_codes[k] : NULL, "q", q);
    if (*out == NULL) {
        rc = nomem(err);
        goto out;
    }
    json_array_foreach(json_object_get(*out, "counts"), i, x)
    {
        if (st < 0 || (int)i == st)
            total += json_integer_value(json_object_get(x, "count"));
    }
    json_object_set_new(*out, "total", json_integer(total));
out:
    json_decref(rows);
    json_decref(counts);
    return rc;
}

int svc_bank_sets(const struct svc *sv, json_t **out, struct cf_error *err)
{
    json_t *stimuli = NULL, *items = NULL, *s, *x;
    size_t i, j;
    int rc = allowed(sv, err);

    *out = NULL;
    if (rc == CF_OK)
        rc = store_bank_stimuli(sv->store, &stimuli, err);
    if (rc == CF_OK)
        rc = store_bank_stimulus_items(sv->store, &items, err);
    if (rc != CF_OK)
        goto out;
    *out = json_array();
    json_array_foreach(stimuli, i, s)
    {
        json_t *in = json_array();

        json_array_foreach(items, j, x)
        {
            if (strcmp(svc__str(x, "stimulus"), svc__str(s, "identifier")) == 0)
                json_array_append_new(in, json_pack("{s:O, s:O, s:O}", "identifier",
                                                    json_object_get(x, "identifier"), "title",
                                                    json_object_get(x, "title"), "status",
                                                    json_object_get(x, "status")));
        }
        json_array_append_new(*out, json_pack("{s:O, s:O, s:O, s:O, s:O, s:o}", "identifier",
                                              json_object_get(s, "identifier"), "title",
                                              json_object_get(s, "title"), "text",
                                              json_object_get(s, "text"), "version",
                                              json_object_get(s, "version"), "updated_at",
                                              json_object_get(s, "updated_at"), "items", in));
    }
    if (*out == NULL || json_array_size(*out) != json_array_size(stimuli)) {
        json_decref(*out);
        *out = NULL;
        rc = nomem(err);
    }
out:
    json_decref(stimuli);
    json_decref(items);
    return rc;
}
