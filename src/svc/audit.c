/* audit.c — browsing and exporting the audit trail; recording refusals. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/clock.h"
#include "svc/svc_impl.h"

static int allowed(const struct svc *sv, struct cf_error *err)
{
    if (!svc__can(sv, PERM_AUDIT_READ, NULL))
        return cf_error_set(err, CF_EFORBIDDEN, NULL,
                            "Only program administrators see the audit trail.");
    return CF_OK;
}

/* --- the trail in words ---------------------------------------------------- */

static json_t *shown(const json_t *v);

/*
 * Every action the code base writes to the audit trail (grep svc__audit and
 * store_audit_append), in words, in the order the filter offers them. An
 * action missing here still reads as words (action_words_of); the JSON and
 * the CSV keep the codes.
 */
static const struct {
    const char *code;
    const char *words;
} ACTIONS[] = {
    {"auth.login", "Signed in"},
    {"auth.login_failed", "Sign-in failed"},
    {"auth.logout", "Signed out"},
    {"auth.logout_everywhere", "Signed out everywhere"},
    {"auth.session_end", "Session ended"},
    {"auth.refused", "Request refused"},
    {"auth.password_changed", "Password changed"},
    {"auth.password_change_failed", "Password change failed"},
    {"auth.password_reset", "Password reset with a link"},
    {"auth.password_upgraded", "Password storage upgraded"},
    {"auth.reset_requested", "New password requested"},
    {"auth.invitation_accepted", "Invitation accepted"},
    {"auth.setup_link", "Setup link made"},
    {"person.add", "Person added"},
    {"person.update", "Person's details changed"},
    {"person.disable", "Person disabled"},
    {"person.enable", "Person enabled"},
    {"person.reinvite", "Invitation sent again"},
    {"person.export", "Person's data downloaded"},
    {"person.erase", "Person erased"},
    {"grant.add", "Role given"},
    {"grant.remove", "Role taken away"},
    {"org.add", "Organization added"},
    {"org.update", "Organization changed"},
    {"org.rename", "Organization renamed"},
    {"org.move", "Organization moved"},
    {"org.delete", "Organization deleted"},
    {"token.create", "API token made"},
    {"token.revoke", "API token revoked"},
    {"outbox.retry", "Message sent again"},
    {"outbox.cancel", "Message cancelled"},
    {"outbox.not_needed", "Message no longer needed"},
    {"outbox.sent", "Message sent"},
    {"outbox.failed", "Message failed"},
    {"job.retry", "Background job run again"},
    {"framework.import", "Framework imported"},
    {"framework.replace", "Framework replaced"},
    /* applications and their review (issue 8 point 2) */
    {"application.create", "Application started"},
    {"application.save", "Application draft saved"},
    {"application.submit", "Application submitted"},
    {"application.withdraw", "Application withdrawn"},
    {"application.answer", "Information given for an application"},
    {"application.appeal", "Rejection appealed"},
    {"application.approve", "Application approved"},
    {"application.reject", "Application rejected"},
    {"application.info_request", "Information asked for an application"},
    {"application.appeal_uphold", "Appeal upheld"},
    {"application.appeal_deny", "Appeal denied"},
    {"application.supervisor_request", "Supervisor asked to recommend"},
    {"application.supervisor_sign", "Supervisor's recommendation signed"},
    {"review.conflict_add", "Conflict of interest declared"},
    /* issue 8: exam results and credentials */
    {"results.import", "Exam results imported"},
    {"credential.issue", "Credential issued"},
    {"credential.suspend", "Credential suspended"},
    {"credential.reinstate", "Credential reinstated"},
    {"credential.revoke", "Credential revoked"},
    /* issue 8 points 5-6: continuing education, renewal and lapse */
    {"ce.log", "CE activity logged"},
    {"ce.approve", "CE activity approved"},
    {"ce.reject", "CE activity rejected"},
    {"ce.import", "CE attendance imported"},
    {"credential.renew", "Credential renewed"},
    {"credential.tick", "Credential status moved with the dates"},
    {"credential.audit_requested", "Renewal picked for an audit"},
    {"credential.audit_passed", "Renewal audit passed"},
    {"credential.audit_failed", "Renewal audit failed"},
    /* the public registry and the demo (issue 8 points 7 and 9) */
    {"credential.listed", "Credential shown in the public registry"},
    {"credential.unlisted", "Credential taken out of the public registry"},
    {"demo.load", "Demo data loaded"},
    {"demo.remove", "Demo data removed"},
    /* issue 9: evaluations */
    {"evaluation.create", "Evaluation created"},
    {"evaluation.rater_add", "Rater added to an evaluation"},
    {"evaluation.rater_remove", "Rater removed from an evaluation"},
    {"evaluation.invite", "Rater invited"},
    {"evaluation.remind", "Rater reminded of the due date"},
    {"evaluation.open", "Evaluation opened"},
    {"evaluation.close", "Evaluation closed"},
    {"evaluation.reopen", "Evaluation reopened"},
    {"evaluation.cancel", "Evaluation cancelled"},
    /* issue 9 point 5: growth plans */
    {"plan.create", "Growth plan proposed"},
    {"plan.goal", "Growth plan goal changed"},
    {"plan.add", "Activity added to a growth plan"},
    {"plan.remove", "Activity removed from a growth plan"},
    {"plan.recommend", "Growth plan activities recommended again"},
    {"plan.agree", "Growth plan agreed"},
    {"plan.done", "Growth plan activity completed"},
    {"plan.claim", "Growth plan activity claimed as continuing education"},
    {"plan.close", "Growth plan closed"},
    /* issue 10: the item bank */
    {"bank.import", "Items imported into the item bank"},
    {"bank.move", "Item moved in the workflow"},
    {"bank.tag", "Item tagged"},
    {"bank.enemy", "Enemy items named"},
    {"bank.enemy_remove", "Enemy items no longer"},
    {"evaluation.answer", "Rating saved"},
    {"evaluation.submit", "Ratings submitted"},
    {"evaluation.rater_reopen", "Submitted ratings reopened"},
};

/* The kinds of action (the part before the dot), as a noun and as a filter choice. */
static const struct {
    const char *prefix;
    const char *noun;
    const char *every;
} FAMILIES[] = {
    {"auth", "Sign-in", "Every sign-in and password action"},
    {"person", "Person", "Every action on people"},
    {"grant", "Role", "Every change of roles"},
    {"org", "Organization", "Every action on organizations"},
    {"token", "API token", "Every action on API tokens"},
    {"outbox", "Message", "Every action on messages"},
    {"job", "Background job", "Every action on background jobs"},
    {"framework", "Framework", "Every action on frameworks"},
    /* applications and their review (issue 8 point 2) */
    {"application", "Application", "Every action on applications"},
    {"review", "Review", "Every conflict of interest declared"},
    /* issue 8: exam results and credentials */
    {"results", "Exam results", "Every import of exam results"},
    /* issue 8 points 5-6 */
    {"ce", "Continuing education", "Every action on continuing education"},
    {"credential", "Credential", "Every action on credentials"},
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
/* The longest action code put into words by the fallback (longer ones are cut). */
#define ACTION_WORDS_MAX 120

/*
 * An action code in words: from ACTIONS, else made of the code itself
 * ("org.merge_into" → "Organization: merge into", "x_y" → "X y"). A new string.
 */
static json_t *action_words_of(const char *code)
{
    char buf[ACTION_WORDS_MAX + 40];
    const char *dot, *rest;
    size_t n = 0;

    if (code == NULL || code[0] == '\0')
        return json_string("Unknown action");
    for (size_t i = 0; i < NELEM(ACTIONS); i++)
        if (strcmp(ACTIONS[i].code, code) == 0)
            return json_string(ACTIONS[i].words);
    dot = strchr(code, '.');
    rest = code;
    if (dot != NULL) {
        for (size_t i = 0; i < NELEM(FAMILIES); i++)
            if (strlen(FAMILIES[i].prefix) == (size_t)(dot - code) &&
                strncmp(FAMILIES[i].prefix, code, (size_t)(dot - code)) == 0) {
                int w = snprintf(buf, sizeof buf, "%s: ", FAMILIES[i].noun);

                n = w > 0 ? (size_t)w : 0;
                rest = dot + 1;
                break;
            }
    }
    for (const char *c = rest; *c != '\0' && n + 1 < sizeof buf && c - rest < ACTION_WORDS_MAX; c++)
        buf[n++] = *c == '_' || *c == '.' || *c == '-' ? ' ' : *c;
    buf[n] = '\0';
    if (buf[0] >= 'a' && buf[0] <= 'z')
        buf[0] = (char)(buf[0] - 'a' + 'A');
    return json_string(buf);
}

/*
 * The choices of the filter's action list: [{value, words, selected}], each
 * kind (every action of it) followed by its actions; a code not in the list
 * (typed into the address) is offered too, so the filter shows what it uses.
 */
json_t *svc_audit_action_choices(const char *current)
{
    json_t *list = json_array();
    int found = current == NULL || current[0] == '\0';

    for (size_t i = 0; i < NELEM(FAMILIES); i++) {
        size_t n = strlen(FAMILIES[i].prefix);
        int sel = current != NULL && strcmp(current, FAMILIES[i].prefix) == 0;

        found |= sel;
        json_array_append_new(list,
                              json_pack("{s:s, s:s, s:b, s:b}", "value", FAMILIES[i].prefix,
                                        "words", FAMILIES[i].every, "selected", sel, "kind", 1));
        for (size_t j = 0; j < NELEM(ACTIONS); j++) {
            if (strncmp(ACTIONS[j].code, FAMILIES[i].prefix, n) != 0 || ACTIONS[j].code[n] != '.')
                continue;
            sel = current != NULL && strcmp(current, ACTIONS[j].code) == 0;
            found |= sel;
            json_array_append_new(list,
                                  json_pack("{s:s, s:s, s:b, s:b}", "value", ACTIONS[j].code,
                                            "words", ACTIONS[j].words, "selected", sel, "kind", 0));
        }
    }
    if (!found)
        json_array_append_new(list, json_pack("{s:s, s:o, s:b, s:b}", "value", current, "words",
                                              action_words_of(current), "selected", 1, "kind", 0));
    return list;
}

/* Who acted, in words: the person's name, or what the actor code stands for. */
static json_t *actor_words(const json_t *e)
{
    const char *actor = json_string_value(json_object_get(e, "actor"));
    const char *name = json_string_value(json_object_get(e, "actor_name"));

    if (json_integer_value(json_object_get(e, "actor_erased")) != 0)
        return json_string("(erased person)");
    if (name != NULL)
        return json_string(name);
    if (actor == NULL)
        return json_string("Unknown");
    if (strcmp(actor, "cli") == 0)
        return json_string("Command line");
    if (strcmp(actor, "system") == 0)
        return json_string("The system");
    if (strcmp(actor, "anonymous") == 0)
        return json_string("Someone not signed in");
    if (strncmp(actor, "user:", 5) == 0)
        return json_string("(erased person)");
    return json_string(actor);
}

/* What kind of thing an entry is about, in words. */
static const char *object_type_words(const char *type)
{
    static const struct {
        const char *type;
        const char *words;
    } T[] = {{"person", "Person"},   {"org", "Organization"},    {"api_token", "API token"},
             {"link", "Link"},       {"request", "Request"},     {"job", "Background job"},
             {"message", "Message"}, {"CFDocument", "Framework"}};

    if (type == NULL)
        return NULL;
    for (size_t i = 0; i < NELEM(T); i++)
        if (strcmp(T[i].type, type) == 0)
            return T[i].words;
    return type;
}

/*
 * A field of before/after in words ("org_id" → "Organization"; a person's
 * "title" is their job title); unknown ones as they are.
 */
static const char *field_words(const char *field, const char *type)
{
    static const struct {
        const char *field;
        const char *words;
    } F[] = {{"id", "Id"},
             {"name", "Name"},
             {"email", "E-mail"},
             {"title", "Title"},
             {"status", "Status"},
             {"org_id", "Organization"},
             {"org", "Organization"},
             {"parent_id", "Belongs to"},
             {"parent", "Belongs to"},
             {"person_id", "Person"},
             {"role", "Role"},
             {"roles", "Roles"},
             {"kind", "Kind"},
             {"nces_id", "NCES id"},
             {"enrollment", "Student enrollment"},
             {"identifier", "Identifier"},
             {"items", "Items"},
             {"associations", "Associations"},
             {"rubrics", "Rubrics"},
             {"reason", "Why"},
             {"address", "Address"},
             {"method", "Method"},
             {"path", "Address on this site"},
             {"count", "Count"},
             {"attempts", "Attempts"},
             {"last_error", "Last error"},
             {"to_addr", "To"},
             {"subject", "Subject"},
             {"sessions_ended", "Sessions ended"},
             {"tokens_revoked", "Tokens revoked"},
             {"user_agent", "Browser"},
             {"value", "Value"}};

    if (strcmp(field, "title") == 0 && type != NULL && strcmp(type, "person") == 0)
        return "Job title";
    for (size_t i = 0; i < NELEM(F); i++)
        if (strcmp(F[i].field, field) == 0)
            return F[i].words;
    return field;
}

/* 1 when s has the shape of a UUID (what ids are). */
static int is_uuid(const char *s)
{
    if (s == NULL || strlen(s) != 36)
        return 0;
    for (int i = 0; i < 36; i++) {
        char c = s[i];
        int dash = i == 8 || i == 13 || i == 18 || i == 23;

        if (dash ? c != '-'
                 : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return 0;
    }
    return 1;
}

/* Adds the UUID-shaped values of v's top level (an object) to ids, each once (seen). */
static void ids_in(const json_t *v, json_t *ids, json_t *seen)
{
    const char *k;
    json_t *m;

    if (!json_is_object(v))
        return;
    json_object_foreach((json_t *)v, k, m)
    {
        const char *s = json_string_value(m);

        if (is_uuid(s) && json_object_get(seen, s) == NULL) {
            json_object_set_new(seen, s, json_true());
            json_array_append_new(ids, json_string(s));
        }
    }
}

/*
 * A value of "What changed" as people read it, {text, addr_parts}: an id
 * becomes the name of its organization or person ("(deleted organization)",
 * "(erased person)" once gone), a role its label, and an e-mail address is cut
 * into pieces after "@" and each "." (the page may wrap there, never mid-word).
 */
static json_t *shown_words(const char *field, const json_t *raw, const json_t *names)
{
    json_t *v = shown(raw), *out;
    const char *s = json_string_value(v);

    if (s == NULL) {
        json_decref(v);
        return json_null();
    }
    if (is_uuid(s)) {
        const json_t *n = json_object_get(names, s);
        int org_field = strcmp(field, "org_id") == 0 || strcmp(field, "org") == 0 ||
                        strcmp(field, "parent_id") == 0 || strcmp(field, "parent") == 0;

        if (n != NULL && json_integer_value(json_object_get(n, "erased")) != 0)
            out = json_pack("{s:s}", "text", "(erased person)");
        else if (n != NULL && json_is_string(json_object_get(n, "name")))
            out = json_pack("{s:O}", "text", json_object_get(n, "name"));
        else if (org_field)
            out = json_pack("{s:s}", "text", "(deleted organization)");
        else
            out = json_pack("{s:s}", "text", s);
    } else if (strcmp(field, "role") == 0) {
        out = json_pack("{s:s}", "text", authz_role_label(s));
    } else if (strcmp(field, "status") == 0 && s[0] >= 'a' && s[0] <= 'z') {
        out = json_pack("{s:o}", "text", json_sprintf("%c%s", s[0] - 'a' + 'A', s + 1));
    } else {
        out = json_pack("{s:O}", "text", v);
    }
    s = json_string_value(json_object_get(out, "text"));
    if (s != NULL && strchr(s, '@') != NULL && strchr(s, ' ') == NULL) {
        json_t *parts = json_array();
        const char *p = s;

        for (const char *c = s; *c != '\0'; c++)
            if (*c == '@' || *c == '.') {
                json_array_append_new(parts, json_stringn(p, (size_t)(c + 1 - p)));
                p = c + 1;
            }
        if (*p != '\0')
            json_array_append_new(parts, json_string(p));
        json_object_set_new(out, "addr_parts", parts);
        json_object_set_new(out, "is_addr", json_true());
    }
    json_decref(v);
    return out;
}

/*
 * The entries of a page in words, for people (the raw codes and ids stay
 * beside them for the JSON): action_words, actor_words, object_words
 * (type) and object_label (its name), org_label, and for every change
 * label, before_shown and after_shown. The ids inside before/after are
 * named with one query for the whole page.
 */
static int entries_in_words(const struct svc *sv, json_t *entries, struct cf_error *err)
{
    json_t *ids = json_array(), *seen = json_object(), *rows = NULL, *names = json_object();
    json_t *e, *row;
    size_t i, j;
    int rc;

    json_array_foreach(entries, i, e)
    {
        ids_in(json_object_get(e, "before"), ids, seen);
        ids_in(json_object_get(e, "after"), ids, seen);
    }
    rc = store_audit_names(sv->store, ids, &rows, err);
    json_decref(ids);
    json_decref(seen);
    if (rc != CF_OK) {
        json_decref(names);
        return rc;
    }
    json_array_foreach(rows, i, row)
    {
        json_object_set(names, json_string_value(json_object_get(row, "id")), row);
    }
    json_decref(rows);

    json_array_foreach(entries, i, e)
    {
        const char *type = json_string_value(json_object_get(e, "object_type"));
        const char *org = json_string_value(json_object_get(e, "org"));
        json_t *c;

        json_object_set_new(e, "action_words",
                            action_words_of(json_string_value(json_object_get(e, "action"))));
        json_object_set_new(e, "actor_words", actor_words(e));
        if (type != NULL)
            json_object_set_new(e, "object_words", json_string(object_type_words(type)));
        if (json_integer_value(json_object_get(e, "object_erased")) != 0)
            json_object_set_new(e, "object_label", json_string("(erased person)"));
        else if (json_is_string(json_object_get(e, "object_name")))
            json_object_set(e, "object_label", json_object_get(e, "object_name"));
        else if (type != NULL && strcmp(type, "org") == 0 &&
                 is_uuid(json_string_value(json_object_get(e, "object_id"))))
            json_object_set_new(e, "object_label", json_string("(deleted organization)"));
        else if (json_is_string(json_object_get(json_object_get(e, "after"), "title")))
            json_object_set(e, "object_label",
                            json_object_get(json_object_get(e, "after"), "title"));
        else if (json_is_string(json_object_get(json_object_get(e, "before"), "title")))
            json_object_set(e, "object_label",
                            json_object_get(json_object_get(e, "before"), "title"));
        if (org != NULL)
            json_object_set_new(e, "org_label",
                                json_is_string(json_object_get(e, "org_name"))
                                    ? json_incref(json_object_get(e, "org_name"))
                                    : json_string("(deleted organization)"));
        json_array_foreach(json_object_get(e, "changes"), j, c)
        {
            const char *f = json_string_value(json_object_get(c, "field"));
            json_t *raw_b = json_object_get(json_object_get(e, "before"), f);
            json_t *raw_a = json_object_get(json_object_get(e, "after"), f);

            /* The entry's own id says nothing the "About" column does not. */
            if ((strcmp(f, "id") == 0 || strcmp(f, "identifier") == 0) &&
                json_equal(raw_a != NULL ? raw_a : raw_b, json_object_get(e, "object_id")))
                json_object_set_new(c, "hidden", json_true());
            json_object_set_new(c, "label", json_string(field_words(f, type)));
            json_object_set_new(c, "before_shown",
                                shown_words(f, json_object_get(c, "before"), names));
            json_object_set_new(c, "after_shown",
                                shown_words(f, json_object_get(c, "after"), names));
        }
    }
    json_decref(names);
    return CF_OK;
}

/* A value as the audit page shows it: strings as they are, the rest as JSON. */
static json_t *shown(const json_t *v)
{
    char *t;
    json_t *r;

    if (v == NULL || json_is_null(v))
        return json_null();
    if (json_is_string(v))
        return json_copy((json_t *)v);
    t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    r = t != NULL ? json_string(t) : json_null();
    free(t);
    return r;
}

static int row_time(const char *k)
{
    return strcmp(k, "updated_at") == 0 || strcmp(k, "created_at") == 0;
}

/*
 * The entry's before/after as a list of {field, before, after} for the page
 * (fields of before, then those only in after; unchanged ones left out). A
 * value that is not an object is shown as the field "value". Fields without
 * a value on either side, and the row's created_at and updated_at (the entry
 * has its own time), are left out.
 */
static json_t *changes_of(const json_t *e)
{
    json_t *before = json_object_get(e, "before"), *after = json_object_get(e, "after");
    json_t *list = json_array(), *b = NULL, *a = NULL, *v;
    const char *k;

    b = json_is_object(before)                    ? json_incref(before)
        : before != NULL && !json_is_null(before) ? json_pack("{s:O}", "value", before)
                                                  : json_object();
    a = json_is_object(after)                   ? json_incref(after)
        : after != NULL && !json_is_null(after) ? json_pack("{s:O}", "value", after)
                                                : json_object();
    json_object_foreach(b, k, v)
    {
        json_t *w = json_object_get(a, k);

        if (w == NULL)
            w = json_null(); /* absent after: no value (a null before is no change) */
        if (!json_equal(v, w) && !row_time(k))
            json_array_append_new(list, json_pack("{s:s, s:o, s:o}", "field", k, "before", shown(v),
                                                  "after", shown(w)));
    }
    json_object_foreach(a, k,
                        v) if (json_object_get(b, k) == NULL && !json_is_null(v) && !row_time(k))
        json_array_append_new(
            list, json_pack("{s:s, s:n, s:o}", "field", k, "before", "after", shown(v)));
    json_decref(b);
    json_decref(a);
    return list;
}

/* A time bound of the filter: YYYY-MM-DD or a whole ISO 8601 UTC time, or absent. */
static int time_bound(const char *v, const char *field, struct cf_error *err)
{
    char full[32];
    time_t t;

    if (v == NULL)
        return CF_OK;
    if (strlen(v) == 10)
        snprintf(full, sizeof full, "%sT00:00:00Z", v);
    else
        snprintf(full, sizeof full, "%s", v);
    if (strlen(v) > 20 || clock_parse_iso(full, &t) != 0)
        return cf_error_set(err, CF_EINVAL, field,
                            "Give the date as YYYY-MM-DD (for example 2026-09-01), not “%s”.", v);
    return CF_OK;
}

/*
 * The filter's own checks (both the page and the CSV use them). The
 * organization may be named as people know it (name or NCES id), and the
 * actor by a person's e-mail address: g gets the ids, kept in ids.
 */
struct filter_ids {
    char org[37];
    char actor[48];
};

static int filter_ok(const struct svc *sv, const struct audit_filter *f, struct audit_filter *g,
                     struct filter_ids *ids, struct cf_error *err)
{
    char *org_id = ids->org;

    if (f->actor != NULL && strchr(f->actor, '@') != NULL) {
        struct cf_error e;
        char pid[37];

        if (svc_person_resolve(sv, f->actor, pid, &e) != CF_OK)
            return cf_error_set(err, CF_EINVAL, "actor", "%s", e.message);
        snprintf(ids->actor, sizeof ids->actor, "user:%s", pid);
        g->actor = ids->actor;
    }
    if (f->org != NULL) {
        struct cf_error e;
        int rc = svc_org_resolve(sv, f->org, org_id, &e);

        if (rc == CF_OK)
            g->org = org_id;
        else if (strlen(f->org) != 36) /* an id is kept as given: the org may be gone */
            return cf_error_set(err, CF_EINVAL, "org", "%s", e.message);
    }
    if (time_bound(f->since, "since", err) != CF_OK || time_bound(f->until, "until", err) != CF_OK)
        return CF_EINVAL;
    if (f->since != NULL && f->until != NULL && strcmp(f->since, f->until) >= 0)
        return cf_error_set(err, CF_EINVAL, "until", "Choose an Until date after the From date.");
    return CF_OK;
}

/* n with thousands separated by commas ("51,070") into buf. */
static void grouped(long long n, char *buf, size_t size)
{
    char digits[32];
    size_t len, j = 0;
    int w = snprintf(digits, sizeof digits, "%lld", n < 0 ? 0 : n);

    len = w > 0 ? (size_t)w : 0;
    for (size_t i = 0; i < len && j + 2 < size; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            buf[j++] = ',';
        buf[j++] = digits[i];
    }
    buf[j] = '\0';
}

/* "10:03:20 UTC" of an ISO instant (the time of day; the entry shows the date). */
static const char *time_of_day(const char *iso, char *buf, size_t size)
{
    snprintf(buf, size, "%.8s UTC", iso != NULL && strlen(iso) >= 19 ? iso + 11 : "?");
    return buf;
}

/*
 * What a counted refusal says, in words: refusals is {reason, address,
 * count, first_at, last_at} (an audit entry's after, or a row still being
 * counted). A new string, or NULL when it is not such a value.
 */
static json_t *refusal_words(const json_t *v, int counting)
{
    json_int_t n = json_integer_value(json_object_get(v, "count"));
    const char *reason = json_string_value(json_object_get(v, "reason"));
    const char *address = json_string_value(json_object_get(v, "address"));
    char num[40], t0[24], t1[24];

    if (!json_is_integer(json_object_get(v, "count")) || reason == NULL || address == NULL)
        return NULL;
    grouped(n, num, sizeof num);
    if (counting)
        return json_sprintf(
            "%s request%s from %s refused (%s) since %s, still being counted.", num,
            n == 1 ? "" : "s", address, reason,
            time_of_day(json_string_value(json_object_get(v, "first_at")), t0, sizeof t0));
    if (n <= 1)
        return json_sprintf("A request from %s was refused (%s). Further refusals from there in "
                            "the next %ld minutes are counted in one entry.",
                            address, reason, REFUSAL_WINDOW_S / 60);
    return json_sprintf(
        "%s requests from %s were refused (%s) between %s and %s.", num, address, reason,
        time_of_day(json_string_value(json_object_get(v, "first_at")), t0, sizeof t0),
        time_of_day(json_string_value(json_object_get(v, "last_at")), t1, sizeof t1));
}

/* The refusal intervals still being counted: [{reason, address, count, …, words}]. */
static json_t *counting_view(const struct svc *sv)
{
    json_t *rows = NULL, *row;
    size_t i;

    if (store_refusals_open(sv->store, REFUSAL_ADDRESSES_MAX + 1, &rows, NULL) != CF_OK)
        return json_array();
    json_array_foreach(rows, i, row)
    {
        json_t *w = refusal_words(row, 1);

        if (w != NULL)
            json_object_set_new(row, "words", w);
    }
    return rows;
}

int svc_audit_list(const struct svc *sv, const struct audit_filter *f, json_t **out,
                   struct cf_error *err)
{
    json_t *entries;
    struct audit_filter g = *f;
    struct filter_ids ids;
    long limit = f->limit > 0 && f->limit <= 1000 ? f->limit : 100;
    int rc;

    *out = NULL;
    if ((rc = allowed(sv, err)) != CF_OK || (rc = filter_ok(sv, f, &g, &ids, err)) != CF_OK)
        return rc;
    g.limit = limit + 1;
    rc = store_audit_list(sv->store, &g, &entries, err);
    if (rc != CF_OK)
        return rc;
    {
        json_t *next = json_null();

        size_t i;
        json_t *e;

        if ((long)json_array_size(entries) > limit) {
            json_array_remove(entries, (size_t)limit);
            next = json_integer(json_integer_value(
                json_object_get(json_array_get(entries, (size_t)limit - 1), "id")));
        }
        json_array_foreach(entries, i, e)
        {
            json_t *c = changes_of(e);

            json_object_set_new(e, "changed", json_boolean(json_array_size(c) > 0));
            json_object_set_new(e, "changes", c);
            if (strcmp(json_string_value(json_object_get(e, "action")), "auth.refused") == 0) {
                json_t *w = refusal_words(json_object_get(e, "after"), 0);

                if (w != NULL)
                    json_object_set_new(e, "summary", w);
            }
        }
        rc = entries_in_words(sv, entries, err);
        if (rc != CF_OK) {
            json_decref(entries);
            json_decref(next);
            return rc;
        }
        *out =
            json_pack("{s:o, s:{s:s?, s:s?, s:s?, s:s?, s:s?, s:s?}, s:o}", "entries", entries,
                      "filter", "actor", f->actor, "action", f->action, "org", f->org, "object_id",
                      f->object_id, "since", f->since, "until", f->until, "next_before", next);
        {
            json_t *counting = counting_view(sv);

            json_object_set_new(*out, "refusals_counting_any",
                                json_boolean(json_array_size(counting) > 0));
            json_object_set_new(*out, "refusals_counting", counting);
            json_object_set_new(*out, "refusal_minutes", json_integer(REFUSAL_WINDOW_S / 60));
            json_object_set_new(*out, "actions", svc_audit_action_choices(f->action));
        }
    }
    return CF_OK;
}

/*
 * One CSV field (RFC 4180), with a leading ' against formula injection in
 * spreadsheets. Sets *bad when the buffer refused bytes (a failed add empties it).
 */
static void csv_field(struct buf *b, const char *s, int *bad)
{
    if (s == NULL)
        s = "";
    *bad |= buf_addc(b, '"') != CF_OK;
    if (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r')
        *bad |= buf_addc(b, '\'') != CF_OK;
    for (; *s != '\0'; s++) {
        if (*s == '"')
            *bad |= buf_addc(b, '"') != CF_OK;
        *bad |= buf_addc(b, *s) != CF_OK;
    }
    *bad |= buf_addc(b, '"') != CF_OK;
}

/* The columns of the CSV export, in order. */
static const char *const csv_cols[] = {
    "id",          "at",        "actor",       "actor_name", "org",   "org_name",  "action",
    "object_type", "object_id", "object_name", "before",     "after", "request_id"};

/* Entries per page of the CSV export: one query each. */
#define CSV_PAGE_ROWS 500
/* The most one page may take (a page of very large before/after values). */
#define CSV_PAGE_MAX (64u * 1024u * 1024u)

/* Where the CSV export is: its filter (own copies) and the next page's place. */
struct csv_state {
    struct store *store;
    struct audit_filter g;
    char *strs[6]; /* the filter's strings, owned */
    long left;     /* entries still to write; < 0: no limit */
    int64_t before;
    int header_done;
};

static void csv_state_free(void *p)
{
    struct csv_state *st = p;

    if (st == NULL)
        return;
    for (size_t i = 0; i < sizeof st->strs / sizeof st->strs[0]; i++)
        free(st->strs[i]);
    free(st);
}

static void csv_row(struct buf *b, const json_t *e, int *bad)
{
    for (size_t c = 0; c < sizeof csv_cols / sizeof csv_cols[0]; c++) {
        json_t *v = json_object_get(e, csv_cols[c]);

        if (c > 0)
            *bad |= buf_addc(b, ',') != CF_OK;
        if (json_is_string(v))
            csv_field(b, json_string_value(v), bad);
        else if (json_is_integer(v))
            *bad |= buf_printf(b, "%lld", (long long)json_integer_value(v)) != CF_OK;
        else if (v != NULL && !json_is_null(v)) {
            char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

            csv_field(b, t, bad);
            free(t);
        }
    }
    *bad |= buf_adds(b, "\r\n") != CF_OK;
}

/*
 * The next page of the export into out: first the byte order mark and the
 * header line, then CSV_PAGE_ROWS entries at a time, newest first (the ids
 * below the last page's). *done once the last entry is written.
 */
static int csv_page(void *p, struct buf *out, int *done, struct cf_error *err)
{
    struct csv_state *st = p;
    json_t *entries = NULL, *e;
    size_t i;
    int rc, bad = 0;

    if (!st->header_done) {
        /* A UTF-8 byte order mark: without it Excel reads the file as Latin-1 and garbles names. */
        bad |= buf_adds(out, "\xEF\xBB\xBF") != CF_OK;
        for (size_t c = 0; c < sizeof csv_cols / sizeof csv_cols[0]; c++) {
            if (c > 0)
                bad |= buf_addc(out, ',') != CF_OK;
            bad |= buf_adds(out, csv_cols[c]) != CF_OK;
        }
        bad |= buf_adds(out, "\r\n") != CF_OK;
        st->header_done = 1;
        *done = st->left == 0;
        return bad ? cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.")
                   : CF_OK;
    }
    st->g.before_id = st->before;
    st->g.limit = st->left >= 0 && st->left < CSV_PAGE_ROWS ? st->left : CSV_PAGE_ROWS;
    rc = store_audit_list(st->store, &st->g, &entries, err);
    if (rc != CF_OK)
        return rc;
    json_array_foreach(entries, i, e)
    {
        csv_row(out, e, &bad);
        st->before = json_integer_value(json_object_get(e, "id"));
    }
    if (st->left >= 0)
        st->left -= (long)json_array_size(entries);
    *done = (long)json_array_size(entries) < st->g.limit || st->left == 0;
    json_decref(entries);
    if (bad)
        return cf_error_set(err, CF_ETOOBIG, NULL, "An audit entry is too large to export.");
    return CF_OK;
}

/* A copy of s (NULL stays NULL) kept in *slot; 0, or -1 when memory ran out. */
static int keep(const char *s, char **slot, const char **dst)
{
    *slot = NULL;
    *dst = NULL;
    if (s == NULL)
        return 0;
    *slot = strdup(s);
    *dst = *slot;
    return *slot != NULL ? 0 : -1;
}

int svc_audit_csv_open(const struct svc *sv, const struct audit_filter *f, struct svc_stream **out,
                       struct cf_error *err)
{
    struct audit_filter g = *f;
    struct filter_ids ids;
    struct csv_state *st;
    int rc;

    *out = NULL;
    if ((rc = allowed(sv, err)) != CF_OK || (rc = filter_ok(sv, f, &g, &ids, err)) != CF_OK)
        return rc;
    st = calloc(1, sizeof *st);
    if (st == NULL)
        return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
    st->store = sv->store;
    st->g = g;
    st->left = f->limit > 0 ? f->limit : -1;
    st->before = f->before_id;
    if (keep(g.actor, &st->strs[0], &st->g.actor) != 0 ||
        keep(g.action, &st->strs[1], &st->g.action) != 0 ||
        keep(g.org, &st->strs[2], &st->g.org) != 0 ||
        keep(g.object_id, &st->strs[3], &st->g.object_id) != 0 ||
        keep(g.since, &st->strs[4], &st->g.since) != 0 ||
        keep(g.until, &st->strs[5], &st->g.until) != 0) {
        csv_state_free(st);
        return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
    }
    *out = svc__stream_new(csv_page, csv_state_free, st, CSV_PAGE_MAX);
    if (*out == NULL)
        return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
    return CF_OK;
}

int svc_audit_csv(const struct svc *sv, const struct audit_filter *f, char **csv, size_t *n,
                  struct cf_error *err)
{
    struct svc_stream *st = NULL;
    struct buf b;
    char chunk[64 * 1024];
    long got;
    int rc = svc_audit_csv_open(sv, f, &st, err);

    *csv = NULL;
    *n = 0;
    if (rc != CF_OK)
        return rc;
    buf_init(&b, 512u * 1024u * 1024u);
    while ((got = svc_stream_read(st, chunk, sizeof chunk, err)) > 0)
        if (buf_add(&b, chunk, (size_t)got) != CF_OK) {
            rc = cf_error_set(err, CF_ETOOBIG, NULL, "The export is too large; narrow the filter.");
            goto out;
        }
    if (got < 0) {
        rc = err->code != CF_OK ? err->code : CF_EIO;
        goto out;
    }
    *csv = buf_detach(&b, n); /* never empty: the header line is always there */
out:
    buf_free(&b);
    svc_stream_free(st);
    return rc;
}

/* The start of the refusal interval holding t, as an ISO instant. */
static void window_of(time_t t, char *buf, size_t n)
{
    clock_iso(t - t % REFUSAL_WINDOW_S, buf, n);
}

/*
 * Writes the count of every refusal interval that ended before window into
 * the audit trail (one entry each; an interval of a single refusal was
 * audited when it happened) and removes its row. Inside the caller's
 * transaction. At most FLUSH_BATCH at a time (*n says how many): a later call
 * takes the rest.
 */
#define FLUSH_BATCH 100
static int flush_ended(const struct svc *sv, const char *window, size_t *n, struct cf_error *err)
{
    json_t *ended = NULL, *row;
    size_t i;
    int rc = store_refusals_take(sv->store, window, FLUSH_BATCH, &ended, err);

    *n = json_array_size(ended);
    json_array_foreach(ended, i, row)
    {
        struct svc anon = *sv;
        json_t *a;

        if (rc != CF_OK)
            break;
        if (json_integer_value(json_object_get(row, "count")) <= 1)
            continue;
        a = json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:O}", "reason",
                      json_object_get(row, "reason"), "address", json_object_get(row, "address"),
                      "count", json_object_get(row, "count"), "first_at",
                      json_object_get(row, "first_at"), "last_at", json_object_get(row, "last_at"),
                      "method", json_object_get(row, "method"), "path",
                      json_object_get(row, "path"));
        anon.actor = "anonymous";
        anon.request_id = NULL;
        rc = svc__audit(&anon, NULL, "auth.refused", "request", NULL, NULL, a, err);
        json_decref(a);
    }
    json_decref(ended);
    return rc;
}

/*
 * One more anonymous refusal from sv->address: counted in the row of its
 * (address, reason, interval); the first of an interval is audited at once.
 * Past REFUSAL_ADDRESSES_MAX addresses in one interval, new ones share the
 * row of the address "other addresses", so even many addresses add a
 * bounded number of entries.
 */
static int count_refusal(const struct svc *sv, const char *reason, const char *method,
                         const char *path, struct cf_error *err)
{
    char now[32], window[32];
    const char *address = sv->address != NULL ? sv->address : "-";
    long keys = 0, count = 0;
    size_t flushed;
    int known = 0;
    int rc;

    clock_now_iso(now, sizeof now);
    window_of(clock_now(), window, sizeof window);
    rc = store_begin(sv->store, err);
    if (rc != CF_OK)
        return rc;

    rc = flush_ended(sv, window, &flushed, err);
    if (rc == CF_OK)
        rc = store_refusal_window(sv->store, window, address, reason, &keys, &known, err);
    if (rc != CF_OK)
        goto out;
    if (!known && keys >= REFUSAL_ADDRESSES_MAX)
        address = "other addresses";
    rc = store_refusal_add(sv->store, address, reason, window, now, method, path, &count, err);
    if (rc == CF_OK && count == 1) {
        json_t *a = json_pack("{s:s, s:s, s:s, s:s, s:i}", "reason", reason, "address", address,
                              "method", method, "path", path, "count", 1);

        rc = svc__audit(sv, NULL, "auth.refused", "request", NULL, NULL, a, err);
        json_decref(a);
    }

out:
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    return rc;
}

void svc_audit_refusal(const struct svc *sv, const char *reason, const char *method,
                       const char *path)
{
    json_t *a;

    /* Anonymous: counted. Signed in: one entry each (attributable, and bounded by sessions). */
    if (sv->who == NULL || sv->who->person_id == NULL) {
        count_refusal(sv, reason, method, path, NULL);
        return;
    }
    a = json_pack("{s:s, s:s, s:s}", "reason", reason, "method", method, "path", path);
    svc__audit(sv, NULL, "auth.refused", "request", NULL, NULL, a, NULL);
    json_decref(a);
}

int svc_refusals_flush(const struct svc *sv, struct cf_error *err)
{
    char window[32];
    size_t n = FLUSH_BATCH;
    int rc;

    window_of(clock_now(), window, sizeof window);
    rc = store_begin(sv->store, err);
    if (rc != CF_OK)
        return rc;
    while (rc == CF_OK && n == FLUSH_BATCH)
        rc = flush_ended(sv, window, &n, err);
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    return rc;
}
