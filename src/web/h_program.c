/*
 * h_program.c — certification programs: the list, one program's rules (any
 * version) and saving a changed version. Thin: parse → svc → JSON.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "web/web.h"

/* What a ?done= after a redirect says. */
static void notice(struct req *r, json_t *out)
{
    const char *done = req_query(r, "done");

    if (done != NULL && strcmp(done, "saved") == 0)
        json_object_set_new(out, "notice", json_string("Saved as a new version."));
    else if (done != NULL && strcmp(done, "unchanged") == 0)
        json_object_set_new(out, "notice",
                            json_string("Nothing changed: the rules are those of the current "
                                        "version, so no new version was made."));
}

/* A positive whole number from text, or 0 when it is not one. */
static int positive(const char *s)
{
    char *end;
    long n;

    if (s == NULL || s[0] == '\0')
        return 0;
    errno = 0;
    n = strtol(s, &end, 10);
    return errno == 0 && *end == '\0' && n > 0 && n <= INT_MAX ? (int)n : 0;
}

int h_programs(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc = svc_program_list(&sv, out, err);

    if (rc == CF_OK)
        notice(r, *out);
    return rc;
}

int h_program(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    const char *v = req_query(r, "version");
    int version = positive(v), rc;

    if (v != NULL && version == 0)
        return cf_error_set(err, CF_EINVAL, "version",
                            "The version must be a version number (1, 2, …).");
    rc = svc_program_get(&sv, r->params[0], version, out, err);
    if (rc == CF_OK)
        notice(r, *out);
    return rc;
}

int h_program_save(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    json_t *rules = json_object_get(r->form, "rules"),
           *base = json_object_get(r->form, "base_version");
    json_t *problems = NULL;
    char *text = NULL;
    const char *t;
    int base_version = 0, rc;

    /* From a form the rules are the textarea's text; a JSON client may send the object. */
    if (json_is_object(rules))
        text = json_dumps(rules, JSON_COMPACT);
    t = text != NULL ? text : json_string_value(rules);
    if (json_is_integer(base))
        base_version = json_integer_value(base) > 0 && json_integer_value(base) <= INT_MAX
                           ? (int)json_integer_value(base)
                           : 0;
    else
        base_version = positive(json_string_value(base));
    if (t == NULL || t[0] == '\0') {
        free(text);
        rc = cf_error_set(err, CF_EINVAL, "rules", "Enter the rules as JSON.");
        problems = json_array();
        goto fail;
    }
    rc = svc_program_save(&sv, r->params[0], t, strlen(t), req_field(r, "note"), base_version, out,
                          &problems, err);
    free(text);
    if (rc != CF_OK)
        goto fail;
    req_redirect(
        r, arena_printf(r->arena, "/admin/programs/%s?done=%s", r->params[0],
                        json_is_true(json_object_get(*out, "unchanged")) ? "unchanged" : "saved"));
    return CF_OK;

fail:
    /* The page again with every problem beside the textarea and the text kept. */
    if (rc != CF_ENOTFOUND && svc_program_get(&sv, r->params[0], 0, &r->form_page, NULL) == CF_OK) {
        json_object_set_new(r->form_page, "edit_failed", json_true());
        /* The message goes beside the rules unless it is about the note. */
        json_object_set_new(r->form_page, "rules_failed",
                            json_boolean(err == NULL || strcmp(err->field, "note") != 0));
        json_object_set_new(r->form_page, "has_problems",
                            json_boolean(json_array_size(problems) > 0));
        json_object_set(r->form_page, "problems", problems);
    }
    json_decref(problems);
    return rc;
}
