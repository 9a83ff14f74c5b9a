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
    return cf_error_set(err, CF_EFORBIDDEN, NULL,
                        "The item bank holds the exam's answer keys: it is open to examiners "
                        "only.");
}

static const char *scoring_name(enum qti_scoring s)
{
    return s == QTI_MATCH_CORRECT  ? "match_correct"
           : s == QTI_MAP_RESPONSE ? "map_response"
                                   : "none";
}

/*
 * The item's content as the bank keeps it (body): a JSON object with sorted keys, so that
 * the same item always gives the same text. NULL when memory runs out.
 */
static char *body_of(const struct qti_item *it)
{
    json_t *b = json_object(), *choices = json_array(), *correct = json_array(), *map = NULL;
    char *text = NULL;

    if (b == NULL || choices == NULL || correct == NULL)
        goto out;
    for (size_t i = 0; i < it->nchoices; i++)
        json_array_append_new(choices,
                              json_pack("{s:s, s:s, s:b}", "id", it->choices[i].id, "text",
                                        it->choices[i].text, "fixed", it->choices[i].fixed));
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
    json_object_set(b, "choices", choices);
    json_object_set(b, "correct", correct);
    json_object_set_new(b, "max_choices", json_integer(it->max_choices));
    json_object_set_new(b, "min_choices", json_integer(it->min_choices));
    json_object_set_new(b, "shuffle", json_boolean(it->shuffle));
    json_object_set_new(b, "scoring", json_string(scoring_name(it->scoring)));
    json_object_set_new(b, "mapping", map != NULL ? map : json_null());
    text = json_dumps(b, JSON_COMPACT | JSON_SORT_KEYS);
out:
    json_decref(b);
    json_decref(choices);
    json_decref(correct);
    return text;
}

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
        bad |= it->choices[i].id == NULL || it->choices[i].text == NULL;
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

int svc_bank_import(const struct svc *sv, const char *name, const char *bytes, size_t n,
                    json_t **out, struct cf_error *err)
{
    struct qtipkg pkg;
    struct qti_item one;
    const struct qti_item *items;
    const char *const *hrefs = NULL;
    size_t count, i;
    long made = 0, changed = 0, same = 0;
    char now[32], actor[64];
    int rc = allowed(sv, err);

    *out = NULL;
    memset(&pkg, 0, sizeof pkg);
    memset(&one, 0, sizeof one);
    if (rc != CF_OK)
        return rc;
    if (is_zip(bytes, n)) {
        rc = qtipkg_read(bytes, n, &pkg, err);
        items = pkg.items;
        hrefs = (const char *const *)pkg.hrefs;
        count = pkg.n;
    } else {
        rc = qti_parse(bytes, n, &one, err);
        items = &one;
        count = 1;
    }
    if (rc != CF_OK)
        goto out;
    if (count == 0) {
        rc = cf_error_set(err, CF_EINVAL, NULL, "The package holds no item.");
        goto out;
    }
    /* One identifier once: the bank keys its items by it. */
    for (i = 0; i < count; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(items[i].identifier, items[j].identifier) == 0) {
                rc = cf_error_set(err, CF_EINVAL, NULL,
                                  "Two items have the identifier \"%s\"%s%s%s%s; an identifier "
                                  "names one item.",
                                  items[i].identifier, hrefs != NULL ? ": " : "",
                                  hrefs != NULL ? hrefs[j] : "", hrefs != NULL ? " and " : "",
                                  hrefs != NULL ? hrefs[i] : "");
                goto out;
            }

    clock_now_iso(now, sizeof now);
    snprintf(actor, sizeof actor, "%s", sv->actor != NULL ? sv->actor : "cli");
    rc = store_begin(sv->store, err);
    if (rc != CF_OK)
        goto out;
    for (i = 0; i < count && rc == CF_OK; i++) {
        char id[37], *body = body_of(&items[i]);
        json_t *row = NULL;
        int outcome = 0;

        svc__uuid(id);
        if (body != NULL)
            row = json_pack(
                "{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", id, "identifier", items[i].identifier,
                "title", items[i].title[0] != '\0' ? items[i].title : items[i].identifier,
                "interaction", items[i].cardinality == QTI_MULTIPLE ? "multiple" : "single",
                "status", "draft", "skills", "", "body", body);
        free(body);
        if (row == NULL) {
            rc = nomem(err);
            break;
        }
        rc = store_bank_put(sv->store, row, actor, name, now, &outcome, err);
        if (rc == CF_OK && outcome != 0) {
            /* The history: the new item's or the new version's import, and from where. */
            json_t *cur = NULL;

            rc = store_bank_item_by_identifier(sv->store, items[i].identifier, &cur, err);
            if (rc == CF_OK)
                rc = store_bank_event_add(sv->store, svc__str(cur, "id"), now, actor, "import",
                                          NULL, NULL, name, err);
            json_decref(cur);
        }
        made += outcome == 1;
        changed += outcome == 2;
        same += outcome == 0;
        json_decref(row);
    }
    if (rc == CF_OK) {
        json_t *after = json_pack("{s:s, s:I, s:I, s:I, s:I}", "file", name != NULL ? name : "",
                                  "items", (json_int_t)count, "added", (json_int_t)made, "changed",
                                  (json_int_t)changed, "unchanged", (json_int_t)same);

        rc = after != NULL ? svc__audit(sv, NULL, "bank.import", "bank", NULL, NULL, after, err)
                           : nomem(err);
        *out = after;
    }
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    if (rc != CF_OK) {
        json_decref(*out);
        *out = NULL;
    }
out:
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
        if (rc == CF_OK && (dest < from || dest == ITEM_RETIRED) &&
            (note == NULL || note[0] == '\0'))
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
