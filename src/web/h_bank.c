/*
 * h_bank.c — the item bank's pages for examiners (issue 10 point 1): the list at /exam/bank
 * (filtered by status, skill and text, paged; counts per status), the scenario sets at
 * /exam/bank/sets, one item at /exam/bank/{identifier} with its content, keys, rationales,
 * history, comments, enemies, stimulus and forms, its moves posted to
 * /exam/bank/{identifier}/move and comments to /exam/bank/{identifier}/comment. Thin: query
 * or form -> svc (svc/bank.c decides who: examiners, 404 to anyone else) -> redirect or page.
 */
#include <stdlib.h>
#include <string.h>

#include "core/pdcatalog.h"
#include "web/web.h"

#define BANK_PAGE_SIZE 50      /* items per page of the list */
#define BANK_PAGE_MAX  1000000 /* the highest page number taken */

static int nomem(struct cf_error *err)
{
    return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
}

/* "I.A;II.B" (or a list of codes) in words: "I.A, II.B"; "" for none. */
static json_t *skills_words(const json_t *skills)
{
    char out[PD_NSKILLS * 8] = "";
    size_t off = 0, i;
    json_t *v;

    if (json_is_string(skills)) {
        const char *s = json_string_value(skills);

        for (i = 0; s[i] != '\0' && off + 3 < sizeof out; i++) {
            if (s[i] == ';') {
                out[off++] = ',';
                out[off++] = ' ';
            } else
                out[off++] = s[i];
        }
        out[off] = '\0';
        return json_string(out);
    }
    json_array_foreach(skills, i, v)
    {
        const char *c = json_string_value(v);
        size_t l = c != NULL ? strlen(c) : 0;

        if (off + l + 3 >= sizeof out)
            break;
        if (i > 0) {
            out[off++] = ',';
            out[off++] = ' ';
        }
        memcpy(out + off, c, l);
        off += l;
        out[off] = '\0';
    }
    return json_string(out);
}

/* --- the list --------------------------------------------------------------------------- */

/* The list's address with the filters in f and page n (n 0: no page). */
static const char *list_href(struct req *r, const json_t *f, long n)
{
    const char *st = json_string_value(json_object_get(f, "status"));
    const char *sk = json_string_value(json_object_get(f, "skill"));
    const char *q = json_string_value(json_object_get(f, "q"));
    char *h = arena_printf(r->arena, "/exam/bank");
    char sep = '?';

    if (h != NULL && st != NULL && st[0] != '\0') {
        h = arena_printf(r->arena, "%s%cstatus=%s", h, sep, req_url_part(r, st));
        sep = '&';
    }
    if (h != NULL && sk != NULL && sk[0] != '\0') {
        h = arena_printf(r->arena, "%s%cskill=%s", h, sep, req_url_part(r, sk));
        sep = '&';
    }
    if (h != NULL && q != NULL && q[0] != '\0') {
        h = arena_printf(r->arena, "%s%cq=%s", h, sep, req_url_part(r, q));
        sep = '&';
    }
    if (h != NULL && n > 0)
        h = arena_printf(r->arena, "%s%cpage=%ld", h, sep, n);
    return h != NULL ? h : "/exam/bank";
}

/*
 * The filter form's choices, as typed in f: statuses and skills, each {value, label,
 * selected}. Set in page.
 */
static void filter_choices(const json_t *f, json_t *page)
{
    const char *st = json_string_value(json_object_get(f, "status"));
    const char *sk = json_string_value(json_object_get(f, "skill"));
    static const char *const STATUSES[][2] = {{"draft", "Draft"},
                                              {"review", "In review"},
                                              {"pretest", "Pretest"},
                                              {"operational", "Operational"},
                                              {"retired", "Retired"}};
    json_t *statuses = json_array(), *skills = json_array();

    for (size_t i = 0; i < sizeof STATUSES / sizeof STATUSES[0]; i++)
        json_array_append_new(statuses, json_pack("{s:s, s:s, s:b}", "value", STATUSES[i][0],
                                                  "label", STATUSES[i][1], "selected",
                                                  st != NULL && strcmp(st, STATUSES[i][0]) == 0));
    for (int i = 0; i < PD_NSKILLS; i++)
        json_array_append_new(skills, json_pack("{s:s, s:s, s:b}", "value", pd_skill_codes[i],
                                                "label", pd_skill_codes[i], "selected",
                                                sk != NULL && strcmp(sk, pd_skill_codes[i]) == 0));
    json_object_set_new(page, "status_choices", statuses);
    json_object_set_new(page, "skill_choices", skills);
}

/*
 * The list page's view of svc_bank_search's answer (changed in place): each item's skills
 * in words and its address; each status count with the list's address filtered by it; the
 * page's place and the addresses of its neighbours.
 */
static void list_view(struct req *r, json_t *out, long n)
{
    json_t *f = json_pack("{s:O, s:O, s:O}", "status", json_object_get(out, "status"), "skill",
                          json_object_get(out, "skill"), "q", json_object_get(out, "q"));
    json_int_t total = json_integer_value(json_object_get(out, "total"));
    long pages = (long)((total + BANK_PAGE_SIZE - 1) / BANK_PAGE_SIZE);
    size_t i, shown = json_array_size(json_object_get(out, "items"));
    json_t *x;

    if (f == NULL)
        return;
    json_array_foreach(json_object_get(out, "items"), i, x)
    {
        json_object_set_new(x, "skills_text", skills_words(json_object_get(x, "skills")));
        json_object_set_new(
            x, "href",
            json_string(arena_printf(
                r->arena, "/exam/bank/%s",
                req_url_part(r, json_string_value(json_object_get(x, "identifier"))))));
    }
    json_array_foreach(json_object_get(out, "counts"), i, x)
    {
        json_t *g = json_deep_copy(f);
        const char *st = json_string_value(json_object_get(f, "status"));

        json_object_set(g, "status", json_object_get(x, "status"));
        json_object_set_new(x, "href", json_string(list_href(r, g, 0)));
        json_object_set_new(x, "current",
                            json_boolean(st != NULL && strcmp(st, json_string_value(json_object_get(
                                                                      x, "status"))) == 0));
        json_decref(g);
    }
    {
        json_t *g = json_deep_copy(f);

        json_object_del(g, "status");
        json_object_set_new(out, "all_href", json_string(list_href(r, g, 0)));
        json_decref(g);
    }
    json_object_set_new(out, "page_no", json_integer(n));
    json_object_set_new(out, "pages", json_integer(pages > 0 ? pages : 1));
    json_object_set_new(out, "first_shown",
                        json_integer(shown > 0 ? (json_int_t)(n - 1) * BANK_PAGE_SIZE + 1 : 0));
    json_object_set_new(out, "last_shown",
                        json_integer((json_int_t)(n - 1) * BANK_PAGE_SIZE + (json_int_t)shown));
    json_object_set_new(out, "has_items", json_boolean(shown > 0));
    json_object_set_new(out, "filtered",
                        json_boolean(json_object_get(out, "status") != NULL ||
                                     json_object_get(out, "skill") != NULL ||
                                     json_string_length(json_object_get(out, "q")) > 0));
    if (n < pages)
        json_object_set_new(out, "next_href", json_string(list_href(r, f, n + 1)));
    if (n > 1)
        json_object_set_new(out, "prev_href", json_string(list_href(r, f, n - 1)));
    json_object_set_new(out, "filter", f);
    filter_choices(f, out);
}

int h_bank(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    struct bank_query bq = {req_query(r, "status"), req_query(r, "skill"), req_query(r, "q"), 0,
                            BANK_PAGE_SIZE};
    const char *page = req_query(r, "page");
    long n = 1;
    int rc;

    *out = NULL;
    if (page != NULL && page[0] != '\0') {
        char *end = NULL;

        n = strtol(page, &end, 10);
        if (end == page || *end != '\0' || n < 1 || n > BANK_PAGE_MAX)
            n = -1;
    }
    bq.offset = n > 0 ? (n - 1) * BANK_PAGE_SIZE : -1;
    rc = svc_bank_search(&sv, &bq, out, err);
    if (rc == CF_OK) {
        list_view(r, *out, n);
        return CF_OK;
    }
    /* The filters again, each refused one marked (the svc answers 404 to non-examiners). */
    if (rc == CF_EINVAL) {
        json_t *f =
            json_pack("{s:s?, s:s?, s:s?}", "status", bq.status, "skill", bq.skill, "q", bq.q);

        r->form_page =
            json_pack("{s:o, s:b}", "filter", f != NULL ? f : json_object(), "has_items", 0);
        if (r->form_page == NULL)
            return nomem(err);
        filter_choices(json_object_get(r->form_page, "filter"), r->form_page);
        r->form_ids = "status:f-status skill:f-skill q:f-q page:f-q";
    }
    return rc;
}

/* --- the scenario sets ------------------------------------------------------------------ */

int h_bank_sets(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    json_t *sets = NULL, *s, *x;
    size_t i, j;
    int rc = svc_bank_sets(&sv, &sets, err);

    *out = NULL;
    if (rc != CF_OK)
        return rc;
    json_array_foreach(sets, i, s)
    {
        json_object_set_new(s, "has_items",
                            json_boolean(json_array_size(json_object_get(s, "items")) > 0));
        json_array_foreach(json_object_get(s, "items"), j, x)
        {
            json_object_set_new(
                x, "href",
                json_string(arena_printf(
                    r->arena, "/exam/bank/%s",
                    req_url_part(r, json_string_value(json_object_get(x, "identifier"))))));
        }
    }
    *out = json_pack("{s:o, s:b}", "sets", sets, "has_sets", json_array_size(sets) > 0);
    return *out != NULL ? CF_OK : nomem(err);
}

/* --- one item --------------------------------------------------------------------------- */

/* What a ?done= after a redirect says. */
static void notice(struct req *r, json_t *out)
{
    static const char *const words[][2] = {
        {"moved", "The item is moved. The move is in its history below."},
        {"commented", "The comment is added to the item's history."},
    };
    const char *done = req_query(r, "done");

    for (size_t i = 0; done != NULL && i < sizeof words / sizeof words[0]; i++)
        if (strcmp(done, words[i][0]) == 0)
            json_object_set_new(out, "notice", json_string(words[i][1]));
}

/* An event of the item's history in words: "Moved from draft to review." */
static json_t *event_words(const json_t *e)
{
    const char *kind = json_string_value(json_object_get(e, "kind"));
    const char *from = json_string_value(json_object_get(e, "from_status"));
    const char *to = json_string_value(json_object_get(e, "to_status"));
    char buf[160];

    if (kind == NULL)
        kind = "";
    if (strcmp(kind, "status") == 0 && from != NULL && to != NULL)
        snprintf(buf, sizeof buf, "Moved from %s to %s.", from, to);
    else if (strcmp(kind, "import") == 0)
        snprintf(buf, sizeof buf, "Imported (a new version) from:");
    else if (strcmp(kind, "tag") == 0)
        snprintf(buf, sizeof buf, "Tagged with skills and cognitive level:");
    else if (strcmp(kind, "enemy") == 0)
        snprintf(buf, sizeof buf, "Enemy named or removed:");
    else if (strcmp(kind, "comment") == 0)
        snprintf(buf, sizeof buf, "Comment.");
    else
        snprintf(buf, sizeof buf, "%s.", kind);
    return json_string(buf);
}

/*
 * The item page's view of svc_bank_show's answer (changed in place): each choice marked as
 * the key or a distractor, in words; skills in words; the history in words, newest first;
 * each enemy's and form's address; the moves as choices (typed: the move form as it was
 * sent, to keep what was chosen).
 */
static void item_view(struct req *r, json_t *it, const char *typed_to)
{
    json_t *body = json_object_get(it, "body"), *correct = json_object_get(body, "correct");
    json_t *hist = json_array(), *c, *k, *x;
    size_t i, j;

    json_array_foreach(json_object_get(body, "choices"), i, c)
    {
        int key = 0;

        json_array_foreach(correct, j, k)
        {
            if (json_is_string(k) && json_equal(k, json_object_get(c, "id")))
                key = 1;
        }
        json_object_set_new(c, "is_key", json_boolean(key));
        json_object_set_new(c, "role", json_string(key ? "The key" : "A distractor"));
    }
    json_object_set_new(it, "skills_text", skills_words(json_object_get(it, "skills")));
    json_object_set_new(it, "has_references",
                        json_boolean(json_array_size(json_object_get(body, "references")) > 0));
    json_object_set_new(
        it, "multiple",
        json_boolean(json_string_value(json_object_get(it, "interaction")) != NULL &&
                     strcmp(json_string_value(json_object_get(it, "interaction")), "multiple") ==
                         0));

    /* The history, newest first: what a reviewer wants to read is what happened last. */
    for (i = json_array_size(json_object_get(it, "events")); i > 0; i--) {
        json_t *e = json_deep_copy(json_array_get(json_object_get(it, "events"), i - 1));

        if (e == NULL)
            break;
        json_object_set_new(e, "words", event_words(e));
        json_array_append_new(hist, e);
    }
    json_object_set_new(it, "history", hist);
    json_object_set_new(it, "has_comments",
                        json_boolean(json_array_size(json_object_get(it, "comments")) > 0));
    json_array_foreach(json_object_get(it, "enemies"), i, x)
    {
        json_object_set_new(
            x, "href",
            json_string(arena_printf(
                r->arena, "/exam/bank/%s",
                req_url_part(r, json_string_value(json_object_get(x, "identifier"))))));
    }
    json_object_set_new(it, "has_enemies",
                        json_boolean(json_array_size(json_object_get(it, "enemies")) > 0));
    json_object_set_new(it, "has_forms",
                        json_boolean(json_array_size(json_object_get(it, "forms")) > 0));
    json_array_foreach(json_object_get(it, "moves"), i, x)
    {
        json_object_set_new(
            x, "checked",
            json_boolean(typed_to != NULL &&
                         strcmp(typed_to, json_string_value(json_object_get(x, "to"))) == 0));
    }
    json_object_set_new(it, "has_moves",
                        json_boolean(json_array_size(json_object_get(it, "moves")) > 0));
    /* The identifier under a name no nested section shadows (an enemy has one too). */
    json_object_set(it, "item_identifier", json_object_get(it, "identifier"));
    json_object_set_new(
        it, "item_href",
        json_string(
            arena_printf(r->arena, "/exam/bank/%s",
                         req_url_part(r, json_string_value(json_object_get(it, "identifier"))))));
    /* The stored row's internal id and the raw history stay on the server's side. */
    json_object_del(it, "id");
    json_object_del(it, "stimulus_id");
}

/* The item page's data for identifier (typed_to: the move chosen in a refused form). */
static int item_page(struct req *r, const char *identifier, const char *typed_to, json_t **out,
                     struct cf_error *err)
{
    struct svc sv = req_svc(r);
    int rc = svc_bank_show(&sv, identifier, out, err);

    if (rc != CF_OK)
        return rc;
    item_view(r, *out, typed_to);
    return CF_OK;
}

int h_bank_item(struct req *r, json_t **out, struct cf_error *err)
{
    int rc = item_page(r, r->params[0], NULL, out, err);

    if (rc == CF_OK)
        notice(r, *out);
    return rc;
}

/* After a change: the item's page (HTML) or {identifier, done} (JSON). */
static int changed(struct req *r, const char *done, const char *anchor, json_t **out,
                   struct cf_error *err)
{
    const char *id = r->params[0];

    *out = json_pack("{s:s, s:s}", "identifier", id, "done", done);
    req_redirect(
        r, arena_printf(r->arena, "/exam/bank/%s?done=%s#%s", req_url_part(r, id), done, anchor));
    return *out != NULL ? CF_OK : nomem(err);
}

int h_bank_move(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    const char *to = req_field(r, "to"), *note = req_field(r, "note");
    int rc;

    *out = NULL;
    rc = to != NULL && to[0] != '\0'
             ? svc_bank_move(&sv, r->params[0], to, note != NULL && note[0] != '\0' ? note : NULL,
                             err)
             : cf_error_set(err, CF_EINVAL, "to", "Choose where the item moves.");
    if (rc == CF_OK)
        return changed(r, "moved", "history-title", out, err);
    /* The item's page again: the rule's sentence, the choice and the note kept. */
    if (rc != CF_ENOTFOUND) {
        struct cf_error e;

        cf_error_clear(&e);
        if (item_page(r, r->params[0], to, &r->form_page, &e) == CF_OK)
            r->form_ids = "to:move-to status:move-to note:move-note";
    }
    return rc;
}

int h_bank_comment(struct req *r, json_t **out, struct cf_error *err)
{
    struct svc sv = req_svc(r);
    const char *text = req_field(r, "text");
    int rc = svc_bank_comment(&sv, r->params[0], text != NULL ? text : "", err);

    *out = NULL;
    if (rc == CF_OK)
        return changed(r, "commented", "comments-title", out, err);
    if (rc != CF_ENOTFOUND) {
        struct cf_error e;

        cf_error_clear(&e);
        if (item_page(r, r->params[0], NULL, &r->form_page, &e) == CF_OK)
            r->form_ids = "text:comment-text";
    }
    return rc;
}
