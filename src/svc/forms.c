/*
 * forms.c — exam forms (issue 10 point 3): a form is built by hand from the bank's items,
 * each scored or pretest, and checked against the blueprint (core/blueprint.h) on every
 * view; release re-reads the items and their enemies inside the write transaction, with the
 * form's row held, and refuses while any check fails. A released form is frozen; a retired
 * one stays retired. docs/exam-forms.md describes forms for examiners.
 *
 * Who: as the item bank (svc/bank.c), examiners only — the examiner role (its permission to
 * import results, program-wide; program administrators hold every permission) and the
 * command line. Anyone else is told there is no such form or page (404).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/blueprint.h"
#include "lib/clock.h"
#include "svc/svc_impl.h"

#define FORM_CODE_MAX  32  /* characters of a form's code */
#define FORM_TITLE_MAX 200 /* characters of a form's title */
#define FORM_ITEMS_MAX 500 /* identifiers one add or remove takes */
#define ACTOR_LEN      64
#define ID_LEN         37 /* a UUID's 36 characters and the NUL (svc__uuid) */
#define NOW_LEN        32

static const char NO_SUCH[] = "There is no such exam form. Check the code.";

static int nomem(struct cf_error *err)
{
    return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
}

int svc__form_allowed(const struct svc *sv, struct cf_error *err)
{
    if (sv->who == NULL || svc__can_everywhere(sv, PERM_RESULTS_IMPORT))
        return CF_OK;
    /* The forms hold which items an exam uses: not even their existence leaks. */
    return cf_error_set(err, CF_ENOTFOUND, NULL, "%s", NO_SUCH);
}

static void actor_of(const struct svc *sv, char *out, size_t n)
{
    snprintf(out, n, "%s", sv->actor != NULL ? sv->actor : "cli");
}

int svc__form_row(const struct svc *sv, const char *code, json_t **row, struct cf_error *err)
{
    int rc = code != NULL && code[0] != '\0' ? store_form_by_code(sv->store, code, row, err)
                                             : CF_ENOTFOUND;

    if (rc == CF_ENOTFOUND)
        return cf_error_set(err, CF_ENOTFOUND, "form", "There is no exam form \"%s\".",
                            code != NULL ? code : "");
    return rc;
}

/* 1 when code is 1-FORM_CODE_MAX letters, digits, '.', '-' or '_'. */
static int code_ok(const char *code)
{
    size_t n = 0;

    for (; code != NULL && code[n] != '\0'; n++) {
        char c = code[n];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == '_'))
            return 0;
    }
    return n > 0 && n <= FORM_CODE_MAX;
}

/* The pretest slots of in ("pretest_slots": a whole number or its text; absent: 0), or -1. */
static long slots_of(const json_t *in)
{
    const json_t *v = json_object_get(in, "pretest_slots");
    const char *s = json_string_value(v);
    char *end = NULL;
    long n;

    if (v == NULL || json_is_null(v) || (s != NULL && s[0] == '\0'))
        return 0;
    if (json_is_integer(v))
        n = (long)json_integer_value(v);
    else if (s != NULL) {
        errno = 0;
        n = strtol(s, &end, 10);
        if (errno != 0 || end == s || *end != '\0')
            return -1;
    } else
        return -1;
    return n >= 0 && n <= BLUEPRINT_PRETEST_MAX ? n : -1;
}

int svc_form_create(const struct svc *sv, const json_t *in, json_t **out, struct cf_error *err)
{
    struct svc_checks ck = {err, CF_OK};
    struct cf_error e;
    const char *code = svc__str(in, "code");
    char title[FORM_TITLE_MAX * 4 + 1], id[ID_LEN], now[NOW_LEN], actor[ACTOR_LEN];
    long slots = slots_of(in);
    json_t *after = NULL;
    int rc = svc__form_allowed(sv, err);

    *out = NULL;
    if (rc != CF_OK)
        return rc;
    cf_error_clear(&e);
    if (!code_ok(code))
        svc__check(&ck,
                   cf_error_set(&e, CF_EINVAL, "code",
                                "Give the form a code of 1 to %d letters, digits, '.', '-' or "
                                "'_' (as CETL-2027-A).",
                                FORM_CODE_MAX),
                   &e);
    svc__check(
        &ck, svc__text(in, "title", 1, FORM_TITLE_MAX, "the form's title", title, sizeof title, &e),
        &e);
    if (slots < 0)
        svc__check(&ck,
                   cf_error_set(&e, CF_EINVAL, "pretest_slots",
                                "Pretest slots are a whole number from 0 to %d.",
                                BLUEPRINT_PRETEST_MAX),
                   &e);
    if (ck.rc != CF_OK)
        return ck.rc;

    svc__uuid(id);
    clock_now_iso(now, sizeof now);
    actor_of(sv, actor, sizeof actor);
    rc = store_begin(sv->store, err);
    if (rc != CF_OK)
        return rc;
    rc = store_form_create(sv->store, id, code, title, (int)slots, actor, now, err);
    if (rc != CF_OK)
        goto out;
    after = json_pack("{s:s, s:s, s:s, s:i, s:s}", "id", id, "code", code, "title", title,
                      "pretest_slots", (int)slots, "status", "draft");
    if (after == NULL) {
        rc = nomem(err);
        goto out;
    }
    rc = svc__audit(sv, NULL, "form.create", "exam_form", code, NULL, after, err);
out:
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    if (rc == CF_OK)
        *out = after;
    else
        json_decref(after);
    return rc;
}

int svc_form_list(const struct svc *sv, json_t **out, struct cf_error *err)
{
    int rc = svc__form_allowed(sv, err);

    *out = NULL;
    if (rc != CF_OK)
        return rc;
    return store_forms(sv->store, out, err);
}

/*
 * The blueprint check of a form's items and enemy pairs (store rows) with slots pretest
 * slots; NULL when memory runs out.
 */
static json_t *check_of(const json_t *items, const json_t *enemies, int slots)
{
    size_t n = json_array_size(items), ne = json_array_size(enemies), i;
    struct bp_item *bi = calloc(n + 1, sizeof bi[0]);
    struct bp_enemy *be = calloc(ne + 1, sizeof be[0]);
    json_t *x, *res = NULL;

    if (bi != NULL && be != NULL) {
        json_array_foreach(items, i, x)
        {
            bi[i].identifier = svc__str(x, "identifier");
            bi[i].skills = svc__str(x, "skills");
            bi[i].status = svc__str(x, "status");
            bi[i].pretest = strcmp(svc__str(x, "role"), "pretest") == 0;
        }
        json_array_foreach(enemies, i, x)
        {
            be[i].a = svc__str(x, "a");
            be[i].b = svc__str(x, "b");
        }
        res = blueprint_check(bi, n, be, ne, slots);
    }
    free(bi);
    free(be);
    return res;
}

/*
 * Reads the items and enemies of form (a row) and checks them: *items and *check (the
 * caller owns both). Inside a transaction with the form held, what it reads is what the
 * commit keeps.
 */
static int read_and_check(const struct svc *sv, const json_t *form, json_t **items, json_t **check,
                          struct cf_error *err)
{
    json_t *enemies = NULL;
    int rc = store_form_items(sv->store, svc__str(form, "id"), items, err);

    *check = NULL;
    if (rc == CF_OK)
        rc = store_form_enemies(sv->store, svc__str(form, "id"), &enemies, err);
    if (rc == CF_OK) {
        *check = check_of(*items, enemies,
                          (int)json_integer_value(json_object_get(form, "pretest_slots")));
        if (*check == NULL)
            rc = nomem(err);
    }
    json_decref(enemies);
    return rc;
}

/* An item as a form's page shows it: {identifier, title, skill, skills, status, role}. */
static json_t *item_view(const json_t *x)
{
    int s = blueprint_skill_of(svc__str(x, "skills"));

    return json_pack("{s:O, s:O, s:s, s:O, s:O, s:O, s:O}", "identifier",
                     json_object_get(x, "identifier"), "title", json_object_get(x, "title"),
                     "skill", s >= 0 ? pd_skill_codes[s] : "", "skills",
                     json_object_get(x, "skills"), "status", json_object_get(x, "status"), "role",
                     json_object_get(x, "role"), "position", json_object_get(x, "position"));
}

int svc_form_show(const struct svc *sv, const char *code, json_t **out, struct cf_error *err)
{
    json_t *form = NULL, *items = NULL, *check = NULL, *list = NULL, *x;
    size_t i;
    int rc = svc__form_allowed(sv, err);

    *out = NULL;
    if (rc != CF_OK)
        return rc;
    rc = svc__form_row(sv, code, &form, err);
    if (rc == CF_OK)
        rc = read_and_check(sv, form, &items, &check, err);
    if (rc == CF_OK) {
        list = json_array();
        json_array_foreach(items, i, x)
        {
            if (list != NULL && json_array_append_new(list, item_view(x)) != 0) {
                json_decref(list);
                list = NULL;
            }
        }
        if (json_object_set_new(form, "check", check) != 0 || list == NULL ||
            json_object_set_new(form, "items", list) != 0)
            rc = nomem(err);
        check = NULL;
        json_object_del(form, "id");
    }
    if (rc == CF_OK)
        *out = json_incref(form);
    json_decref(form);
    json_decref(items);
    json_decref(check);
    return rc;
}

int svc__form_begin(const struct svc *sv, const char *code, json_t **form, struct cf_error *err)
{
    json_t *row = NULL;
    int rc = store_begin(sv->store, err);

    *form = NULL;
    if (rc != CF_OK)
        return rc;
    rc = svc__form_row(sv, code, &row, err);
    if (rc == CF_OK)
        rc = store_form_lock(sv->store, svc__str(row, "id"), err);
    json_decref(row);
    row = NULL;
    if (rc == CF_OK)
        rc = svc__form_row(sv, code, &row, err);
    if (rc != CF_OK) {
        store_rollback(sv->store);
        json_decref(row);
        return rc;
    }
    *form = row;
    return CF_OK;
}

/* svc__form_begin(), and CF_ECONFLICT (rolled back) when the form is not a draft. */
static int begin_draft(const struct svc *sv, const char *code, json_t **form, struct cf_error *err)
{
    int rc = svc__form_begin(sv, code, form, err);

    if (rc != CF_OK || strcmp(svc__str(*form, "status"), "draft") == 0)
        return rc;
    rc = cf_error_set(err, CF_ECONFLICT, "form",
                      "The form %s is %s: its items are frozen. Make a new form to change them.",
                      code, svc__str(*form, "status"));
    store_rollback(sv->store);
    json_decref(*form);
    *form = NULL;
    return rc;
}

/* 1 when items (store rows) hold identifier. */
static int on_form(const json_t *items, const char *identifier)
{
    size_t i;
    json_t *x;

    json_array_foreach(items, i, x)
    {
        if (strcmp(svc__str(x, "identifier"), identifier) == 0)
            return 1;
    }
    return 0;
}

/*
 * Adds (add) or removes the n items named by identifiers to or from draft form code, all
 * or none, in role pretest or scored (adding). The form gets a new version; the change is
 * audited.
 */
static int change_items(const struct svc *sv, const char *code, const char *const *ids, size_t n,
                        int add, int pretest, struct cf_error *err)
{
    json_t *form = NULL, *items = NULL, *names = NULL, *after = NULL;
    char now[NOW_LEN], actor[ACTOR_LEN];
    int rc = svc__form_allowed(sv, err);

    if (rc != CF_OK)
        return rc;
    if (n == 0 || n > FORM_ITEMS_MAX)
        return cf_error_set(err, CF_EINVAL, "items", "Name 1 to %d items by their identifiers.",
                            FORM_ITEMS_MAX);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(ids[i], ids[j]) == 0)
                return cf_error_set(err, CF_EINVAL, "items",
                                    "The item %s is named twice; an item is on a form once.",
                                    ids[i]);
    clock_now_iso(now, sizeof now);
    actor_of(sv, actor, sizeof actor);
    rc = begin_draft(sv, code, &form, err);
    if (rc != CF_OK)
        return rc;
    rc = store_form_items(sv->store, svc__str(form, "id"), &items, err);
    names = json_array();
    if (rc == CF_OK && names == NULL)
        rc = nomem(err);
    for (size_t i = 0; rc == CF_OK && i < n; i++) {
        json_t *item = NULL;
        int there = on_form(items, ids[i]);

        rc = store_bank_item_by_identifier(sv->store, ids[i], &item, err);
        if (rc == CF_ENOTFOUND)
            rc = cf_error_set(err, CF_EINVAL, "items", "The bank has no item \"%s\".", ids[i]);
        else if (rc == CF_OK && add && there)
            rc = cf_error_set(err, CF_ECONFLICT, "items", "The item %s is already on the form.",
                              ids[i]);
        else if (rc == CF_OK && !add && !there)
            rc = cf_error_set(err, CF_EINVAL, "items", "The item %s is not on the form.", ids[i]);
        else if (rc == CF_OK && add && strcmp(svc__str(item, "status"), "retired") == 0)
            rc = cf_error_set(err, CF_ECONFLICT, "items",
                              "The item %s is retired: it cannot go on a form.", ids[i]);
        else if (rc == CF_OK && add)
            rc = store_form_item_add(sv->store, svc__str(form, "id"), svc__str(item, "id"),
                                     pretest ? "pretest" : "scored", actor, now, err);
        else if (rc == CF_OK)
            rc = store_form_item_remove(sv->store, svc__str(form, "id"), svc__str(item, "id"), err);
        if (rc == CF_OK && json_array_append_new(names, json_string(ids[i])) != 0)
            rc = nomem(err);
        json_decref(item);
    }
    if (rc != CF_OK)
        goto out;
    rc = store_form_touch(sv->store, svc__str(form, "id"), actor, now, err);
    if (rc != CF_OK)
        goto out;
    after = add ? json_pack("{s:O, s:s}", "items", names, "role", pretest ? "pretest" : "scored")
                : json_pack("{s:O}", "items", names);
    rc = after != NULL ? svc__audit(sv, NULL, add ? "form.add" : "form.remove", "exam_form", code,
                                    NULL, after, err)
                       : nomem(err);
out:
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    json_decref(form);
    json_decref(items);
    json_decref(names);
    json_decref(after);
    return rc;
}

int svc_form_add(const struct svc *sv, const char *code, const char *const *identifiers, size_t n,
                 int pretest, struct cf_error *err)
{
    return change_items(sv, code, identifiers, n, 1, pretest, err);
}

int svc_form_remove(const struct svc *sv, const char *code, const char *const *identifiers,
                    size_t n, struct cf_error *err)
{
    return change_items(sv, code, identifiers, n, 0, 0, err);
}

/*
 * err's message: "The form cannot be released: " and the failing checks, as many as fit:
 * first those about the form as a whole (enemies, statuses, pretest slots, the total), then
 * the counts per skill, which the form's page and `form show` list in full.
 */
static int refusal(const json_t *check, struct cf_error *err)
{
    const json_t *problems = json_object_get(check, "problems"), *p;
    char msg[sizeof err->message];
    size_t i, len, said = 0, n = json_array_size(problems);

    len = (size_t)snprintf(msg, sizeof msg, "The form cannot be released: %zu %s.", n,
                           n == 1 ? "check fails" : "checks fail");
    for (int skills = 0; skills < 2 && said < n; skills++)
        json_array_foreach(problems, i, p)
        {
            const char *m = svc__str(p, "message");

            if ((strcmp(svc__str(p, "check"), "skill") == 0) != skills)
                continue;
            if (len + strlen(m) + 2 + sizeof " (and 999 more)" >= sizeof msg) {
                snprintf(msg + len, sizeof msg - len, " (and %zu more)", n - said);
                said = n;
                break;
            }
            len += (size_t)snprintf(msg + len, sizeof msg - len, " %s", m);
            said++;
        }
    return cf_error_set(err, CF_ECONFLICT, "form", "%s", msg);
}

int svc_form_release(const struct svc *sv, const char *code, json_t **check, struct cf_error *err)
{
    json_t *form = NULL, *items = NULL, *ck = NULL, *after = NULL;
    char now[NOW_LEN], actor[ACTOR_LEN];
    int rc = svc__form_allowed(sv, err);

    if (check != NULL)
        *check = NULL;
    if (rc != CF_OK)
        return rc;
    clock_now_iso(now, sizeof now);
    actor_of(sv, actor, sizeof actor);
    rc = begin_draft(sv, code, &form, err);
    if (rc != CF_OK)
        return rc;

    /* The rule: the items and enemies as they stand now, with the form held until commit. */
    rc = read_and_check(sv, form, &items, &ck, err);
    if (rc != CF_OK)
        goto out;
    if (!json_is_true(json_object_get(ck, "ok"))) {
        rc = refusal(ck, err);
        goto out;
    }
    rc = store_form_set_status(sv->store, svc__str(form, "id"), "draft", "released", actor, now,
                               err);
    if (rc != CF_OK)
        goto out;
    after = json_pack("{s:s, s:O, s:O, s:I}", "status", "released", "scored",
                      json_object_get(ck, "scored"), "pretest", json_object_get(ck, "pretest"),
                      "version", json_integer_value(json_object_get(form, "version")));
    rc = after != NULL ? svc__audit(sv, NULL, "form.release", "exam_form", code, NULL, after, err)
                       : nomem(err);
out:
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    if (rc == CF_ECONFLICT && check != NULL && ck != NULL)
        *check = json_incref(ck);
    json_decref(form);
    json_decref(items);
    json_decref(ck);
    json_decref(after);
    return rc;
}

int svc_form_retire(const struct svc *sv, const char *code, struct cf_error *err)
{
    json_t *form = NULL, *before = NULL, *after = NULL;
    char now[NOW_LEN], actor[ACTOR_LEN];
    const char *from;
    int rc = svc__form_allowed(sv, err);

    if (rc != CF_OK)
        return rc;
    clock_now_iso(now, sizeof now);
    actor_of(sv, actor, sizeof actor);
    rc = svc__form_begin(sv, code, &form, err);
    if (rc != CF_OK)
        return rc;
    from = svc__str(form, "status");
    if (strcmp(from, "retired") == 0) {
        rc = cf_error_set(err, CF_ECONFLICT, "form", "The form %s is already retired.", code);
        goto out;
    }
    rc = store_form_set_status(sv->store, svc__str(form, "id"), from, "retired", actor, now, err);
    if (rc != CF_OK)
        goto out;
    before = json_pack("{s:s}", "status", from);
    after = json_pack("{s:s}", "status", "retired");
    rc = before != NULL && after != NULL
             ? svc__audit(sv, NULL, "form.retire", "exam_form", code, before, after, err)
             : nomem(err);
out:
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    json_decref(form);
    json_decref(before);
    json_decref(after);
    return rc;
}
