/*
 * h_forms.c — exam forms for examiners (issue 10 point 3): the list and a new form at
 * /exam/forms, one form at /exam/forms/{code} with its items grouped by skill and the
 * blueprint check, its changes posted to /exam/forms/{code}/act (one form per change, each
 * naming its action: add, remove, release, retire). Thin: form -> svc (svc/forms.c decides
 * who: examiners, 404 to anyone else) -> redirect or page.
 */
#include <string.h>

#include "web/web.h"

#define ITEMS_MAX 500 /* identifiers one add takes (svc/forms.c says so too) */

/* What a ?done= after a redirect says. */
static void notice(struct req *r, json_t *out)
{
    static const char *const words[][2] = {
        {"created", "The form is made. Add its items by identifier; the check below follows "
                    "every change."},
        {"added", "The items are added."},
        {"removed", "The item is removed."},
        {"released", "The form is released. Its items are frozen."},
        {"retired", "The form is retired."},
    };
    const char *done = req_query(r, "done");

    for (size_t i = 0; done != NULL && i < sizeof words / sizeof words[0]; i++)
        if (strcmp(done, words[i][0]) == 0)
            json_object_set_new(out, "notice", json_string(words[i][1]));
}

int h_forms(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    json_t *list = NULL;
    int rc = svc_form_list(&sv, &list, err);

    *out = NULL;
    if (rc != CF_OK)
        return rc;
    *out = json_pack("{s:o, s:b}", "forms", list, "has_forms", json_array_size(list) > 0);
    return *out != NULL
               ? CF_OK
               : cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
}

int h_form_create(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    json_t *none = json_object();
    int rc = svc_form_create(&sv, r->form != NULL ? r->form : none, out, err);

    json_decref(none);
    if (rc == CF_OK) {
        req_redirect(r, arena_printf(r->arena, "/exam/forms/%s?done=created",
                                     json_string_value(json_object_get(*out, "code"))));
        r->status_ok = 201;
        return rc;
    }
    /* The list again, with the error and what was typed. */
    if (rc != CF_ENOTFOUND)
        (void)h_forms(r, &r->form_page, NULL);
    return rc;
}

/*
 * The page's view of a form (svc_form_show's answer, changed in place): the items grouped
 * by the skill they count toward, each group with the blueprint's required and have; then
 * the pretest items; then scored items of no skill.
 */
static void group_view(json_t *form)
{
    json_t *check = json_object_get(form, "check"), *items = json_object_get(form, "items");
    json_t *groups = json_array(), *pretest = json_array(), *none = json_array(), *pairs, *s, *x;
    size_t i, j;

    json_array_foreach(json_object_get(check, "skills"), i, s)
    {
        json_t *g = json_deep_copy(s), *in = json_array();

        json_array_foreach(items, j, x)
        {
            if (strcmp(json_string_value(json_object_get(x, "role")), "scored") == 0 &&
                strcmp(json_string_value(json_object_get(x, "skill")),
                       json_string_value(json_object_get(s, "code"))) == 0)
                json_array_append(in, x);
        }
        json_object_set_new(g, "items", in);
        json_object_set_new(g, "empty", json_boolean(json_array_size(in) == 0));
        json_array_append_new(groups, g);
    }
    json_array_foreach(items, j, x)
    {
        if (strcmp(json_string_value(json_object_get(x, "role")), "pretest") == 0)
            json_array_append(pretest, x);
        else if (json_string_value(json_object_get(x, "skill"))[0] == '\0')
            json_array_append(none, x);
    }
    pairs = json_array();
    json_array_foreach(json_object_get(check, "enemies"), i, x)
    {
        json_array_append_new(
            pairs, json_pack("{s:O, s:O}", "a", json_array_get(x, 0), "b", json_array_get(x, 1)));
    }
    json_object_set_new(form, "enemy_pairs", pairs);
    json_object_set_new(form, "has_enemies", json_boolean(json_array_size(pairs) > 0));
    /* The form's code under a name no nested section shadows (a skill group has a code). */
    json_object_set(form, "form_code", json_object_get(form, "code"));
    json_object_set_new(form, "groups", groups);
    json_object_set_new(form, "pretest_items", pretest);
    json_object_set_new(form, "has_pretest_items", json_boolean(json_array_size(pretest) > 0));
    json_object_set_new(form, "unskilled_items", none);
    json_object_set_new(form, "has_unskilled_items", json_boolean(json_array_size(none) > 0));
    json_object_set_new(
        form, "is_released",
        json_boolean(strcmp(json_string_value(json_object_get(form, "status")), "released") == 0));
    json_object_set_new(
        form, "is_draft",
        json_boolean(strcmp(json_string_value(json_object_get(form, "status")), "draft") == 0));
}

int h__form_page(struct req *r, const char *code, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    json_t *form = NULL;
    int rc = svc_form_show(&sv, code, &form, err);

    *out = NULL;
    if (rc != CF_OK)
        return rc;
    group_view(form);
    notice(r, form);
    h__study_on_form(r, code, form);
    *out = form;
    return CF_OK;
}

int h_form(struct req *r, json_t **out, struct cf_error *err)
{
    return h__form_page(r, r->params[0], out, err);
}

/*
 * The identifiers typed in "items" (separated by spaces, commas, semicolons or new lines)
 * into ids (at most max); their count, or -1 when there are more.
 */
static long split_ids(struct req *r, const char *text, const char **ids, size_t max)
{
    char *copy = arena_printf(r->arena, "%s", text != NULL ? text : ""), *save = NULL, *t;
    size_t n = 0;

    if (copy == NULL)
        return -1;
    for (t = strtok_r(copy, " ,;\t\r\n", &save); t != NULL;
         t = strtok_r(NULL, " ,;\t\r\n", &save)) {
        if (n == max)
            return -1;
        ids[n++] = t;
    }
    return (long)n;
}

int h_form_act(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    const char *code = r->params[0], *action = req_field(r, "action"), *done = NULL;
    const char **ids = arena_alloc(r->arena, ITEMS_MAX * sizeof ids[0]);
    int rc;

    *out = NULL;
    if (ids == NULL)
        return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
    if (action != NULL && strcmp(action, "add") == 0) {
        const char *role = req_field(r, "role");
        long n = split_ids(r, req_field(r, "items"), ids, ITEMS_MAX);

        if (n < 0)
            rc = cf_error_set(err, CF_EINVAL, "items", "Name at most %d items at once.", ITEMS_MAX);
        else if (role != NULL && strcmp(role, "scored") != 0 && strcmp(role, "pretest") != 0)
            rc = cf_error_set(err, CF_EINVAL, "role", "Choose scored or pretest.");
        else
            rc = svc_form_add(&sv, code, ids, (size_t)n,
                              role != NULL && strcmp(role, "pretest") == 0, err);
        done = "added";
    } else if (action != NULL && strcmp(action, "remove") == 0) {
        ids[0] = req_field(r, "item");
        rc = ids[0] != NULL && ids[0][0] != '\0'
                 ? svc_form_remove(&sv, code, ids, 1, err)
                 : cf_error_set(err, CF_EINVAL, "item", "Name the item to remove.");
        done = "removed";
    } else if (action != NULL && strcmp(action, "release") == 0) {
        rc = svc_form_release(&sv, code, NULL, err);
        done = "released";
    } else if (action != NULL && strcmp(action, "retire") == 0) {
        rc = svc_form_retire(&sv, code, err);
        done = "retired";
    } else
        rc = cf_error_set(err, CF_EINVAL, "action", "Choose add, remove, release or retire.");
    if (rc == CF_OK) {
        *out = json_pack("{s:s, s:s}", "code", code, "done", done);
        req_redirect(r, arena_printf(r->arena, "/exam/forms/%s?done=%s#check-title", code, done));
        return rc;
    }
    /* The form's page again: the check panel says why, the error says what was refused. */
    if (rc != CF_ENOTFOUND && h__form_page(r, code, &r->form_page, NULL) == CF_OK)
        json_object_set(r->form_page, "typed", r->form != NULL ? r->form : json_null());
    return rc;
}
