/*
 * evaluation.c — the one rating engine (issue 9): a district administrator
 * opens an evaluation (a review cycle) of a person against a framework's
 * rubric, invites raters, and closes it; each rater answers skill by skill
 * (every answer saved as it is given) and submits, which locks their answers
 * until an administrator reopens them.
 *
 * Rules that read stored state (the cycle's status, the rater's, the seq of an
 * answer) are checked after store_begin() and store_eval_lock(), so racing
 * requests resolve to one outcome (docs/internals/evaluations.md). Who may
 * read whose answers is core/evaluation.c's eval_may_read_others().
 */
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/agreement.h"
#include "core/evaluation.h"
#include "lib/clock.h"
#include "svc/svc_impl.h"

#define EVAL_TITLE_MAX  120  /* characters of a title */
#define EVAL_NOTE_MAX   4000 /* characters of an evidence note */
#define EVAL_LINKS_MAX  10   /* links of one answer */
#define EVAL_LINK_MAX   500  /* bytes of one link */
#define EVAL_WEIGHT_MAX 100  /* a skill's relative weight */
#define EVAL_REASON_MAX 1000 /* characters of a reopen's or a cancel's reason */
#define ACTOR_MAX       64

static const char NO_SUCH[] = "There is no such evaluation. Check the address.";

/* The default scale of a framework without a rubric: the shipped rubric's level names. */
static const char *const DEFAULT_LEVELS[] = {"Emerging", "Developing", "Proficient", "Exemplary"};

static const struct {
    const char *code, *label;
} PURPOSES[] = {
    {"annual", "Annual review"},
    {"readiness", "Readiness for certification"},
    {"360", "360-degree review"},
};

static int nomem(struct cf_error *err)
{
    return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory.");
}

static const char *me(const struct svc *sv)
{
    return sv->who != NULL ? sv->who->person_id : NULL;
}

static void actor_of(const struct svc *sv, char *buf, size_t n)
{
    if (snprintf(buf, n, "%s", sv->actor != NULL ? sv->actor : "system") >= (int)n)
        buf[n - 1] = '\0';
}

static long num(const json_t *o, const char *k)
{
    return (long)json_integer_value(json_object_get(o, k));
}

static const char *purpose_label(const char *code)
{
    for (size_t i = 0; i < sizeof PURPOSES / sizeof PURPOSES[0]; i++)
        if (code != NULL && strcmp(PURPOSES[i].code, code) == 0)
            return PURPOSES[i].label;
    return code != NULL ? code : "";
}

/* The words of a timeline entry's kind. */
static const char *event_words(const char *kind)
{
    static const char *const words[][2] = {
        {"created", "Created"},
        {"rater_added", "Rater added"},
        {"rater_removed", "Rater removed"},
        {"invited", "Invitation sent"},
        {"reminded", "Reminder sent"},
        {"opened", "Opened"},
        {"submitted", "Ratings submitted"},
        {"reopened_rater", "Ratings reopened"},
        {"closed", "Closed"},
        {"reopened", "Reopened"},
        {"cancelled", "Cancelled"},
    };

    for (size_t i = 0; kind != NULL && i < sizeof words / sizeof words[0]; i++)
        if (strcmp(words[i][0], kind) == 0)
            return words[i][1];
    return kind != NULL ? kind : "";
}

/* The timeline entry and the audit entry of one change. */
static int record(const struct svc *sv, const json_t *ev, const char *rater, const char *kind,
                  const char *note, const char *action, const json_t *before, const json_t *after,
                  struct cf_error *err)
{
    char now[32], actor[ACTOR_MAX];
    int rc;

    clock_now_iso(now, sizeof now);
    actor_of(sv, actor, sizeof actor);
    rc = store_eval_event_add(sv->store, svc__str(ev, "id"), rater, now, actor, kind, note, err);
    if (rc == CF_OK)
        rc = svc__audit(sv, svc__str(ev, "org_id"), action, "evaluation", svc__str(ev, "id"),
                        before, after, err);
    return rc;
}

/* The skill of skills with item_id id, or NULL. */
static json_t *skill_of(const json_t *skills, const char *id)
{
    size_t i;
    json_t *s;

    json_array_foreach(skills, i, s)
    {
        if (id != NULL && strcmp(svc__str(s, "item_id"), id) == 0)
            return s;
    }
    return NULL;
}

/* --- the framework rated against ------------------------------------------------------- */

/*
 * What an evaluation rates, from the CASE package of doc: *skills =
 * [{item_id, code, name, statement, weight, levels: [{level, label,
 * description}]}] in the framework's order, *rubric its rubric's identifier
 * (NULL without one), *levels the scale K. With a rubric the skills are its
 * criteria (weights from it); without one, the document's skill areas at
 * weight 1 on the default four-level scale. *values (when values is not NULL)
 * gets the core values, commented on but not rated: [{item_id, name,
 * statement}]. CF_ENOTFOUND for an unknown doc.
 */
static int framework_skills(const struct svc *sv, const char *doc, json_t **skills, char *rubric,
                            size_t rn, int *levels, json_t **values, struct cf_error *err)
{
    json_t *pkg = NULL, *items, *rub, *crit, *it, *out = json_array(), *cv = json_array();
    size_t i, j;
    int rc = store_case_package_get(sv->store, doc, &pkg, err);

    *skills = NULL;
    rubric[0] = '\0';
    *levels = (int)(sizeof DEFAULT_LEVELS / sizeof DEFAULT_LEVELS[0]);
    if (out == NULL || cv == NULL) {
        json_decref(pkg);
        json_decref(out);
        json_decref(cv);
        return nomem(err);
    }
    if (rc == CF_ENOTFOUND)
        rc = cf_error_set(err, CF_ENOTFOUND, "framework", "There is no framework %s.",
                          doc != NULL ? doc : "");
    if (rc != CF_OK)
        goto out;
    items = json_object_get(pkg, "CFItems");
    rub = json_array_get(json_object_get(pkg, "CFRubrics"), 0);
    if (rub != NULL) {
        int k = 0;

        snprintf(rubric, rn, "%s", svc__str(rub, "identifier"));
        json_array_foreach(json_object_get(rub, "CFRubricCriteria"), i, crit)
        {
            const json_t *ref = json_object_get(crit, "CFItemURI");
            const char *id = svc__str(ref, "identifier");
            double w = json_number_value(json_object_get(crit, "weight"));
            json_t *lv = json_array(), *l, *skill;

            json_array_foreach(json_object_get(crit, "CFRubricCriterionLevels"), j, l)
            {
                json_array_append_new(
                    lv, json_pack("{s:I, s:s, s:s}", "level", (json_int_t)(j + 1), "label",
                                  svc__str(l, "quality") != NULL ? svc__str(l, "quality") : "",
                                  "description",
                                  svc__str(l, "description") != NULL ? svc__str(l, "description")
                                                                     : ""));
            }
            if ((int)json_array_size(lv) > k)
                k = (int)json_array_size(lv);
            skill = json_pack("{s:s, s:s, s:s, s:s, s:I, s:o}", "item_id", id != NULL ? id : "",
                              "code", "", "name", "", "statement", "", "weight",
                              (json_int_t)(w >= 1 ? (long)(w + 0.5) : 1), "levels", lv);
            json_array_append_new(out, skill);
        }
        if (k >= EVAL_LEVELS_MIN && k <= EVAL_LEVELS_MAX)
            *levels = k;
    }
    /* Codes, names and statements from the items; skill areas when there is no rubric. */
    json_array_foreach(items, i, it)
    {
        const char *id = svc__str(it, "identifier"), *type = svc__str(it, "CFItemType");
        json_t *skill = NULL, *s;

        json_array_foreach(out, j, s)
        {
            if (id != NULL && strcmp(svc__str(s, "item_id"), id) == 0)
                skill = s;
        }
        if (type != NULL && strcmp(type, "Core Value") == 0 && id != NULL)
            json_array_append_new(cv, json_pack("{s:s, s:s, s:s}", "item_id", id, "name",
                                                svc__str(it, "abbreviatedStatement") != NULL
                                                    ? svc__str(it, "abbreviatedStatement")
                                                    : "",
                                                "statement",
                                                svc__str(it, "fullStatement") != NULL
                                                    ? svc__str(it, "fullStatement")
                                                    : ""));
        if (skill == NULL && rub == NULL && type != NULL && strcmp(type, "Skill Area") == 0) {
            json_t *lv = json_array();

            for (int l = 0; l < *levels; l++)
                json_array_append_new(lv, json_pack("{s:i, s:s, s:s}", "level", l + 1, "label",
                                                    DEFAULT_LEVELS[l], "description", ""));
            skill =
                json_pack("{s:s, s:I, s:o}", "item_id", id, "weight", (json_int_t)1, "levels", lv);
            json_array_append_new(out, skill);
        }
        if (skill == NULL)
            continue;
        json_object_set_new(skill, "code",
                            json_string(svc__str(it, "humanCodingScheme") != NULL
                                            ? svc__str(it, "humanCodingScheme")
                                            : ""));
        json_object_set_new(skill, "name",
                            json_string(svc__str(it, "abbreviatedStatement") != NULL
                                            ? svc__str(it, "abbreviatedStatement")
                                            : svc__str(it, "fullStatement")));
        json_object_set_new(skill, "statement", json_string(svc__str(it, "fullStatement")));
    }
    /* Each skill's indicators (the items that are isChildOf it), rated optionally. */
    {
        json_t *as, *sk;

        json_array_foreach(out, i, sk)
        {
            json_object_set_new(sk, "indicators", json_array());
        }
        json_array_foreach(json_object_get(pkg, "CFAssociations"), i, as)
        {
            const char *type = svc__str(as, "associationType");
            const char *o = svc__str(json_object_get(as, "originNodeURI"), "identifier");
            json_t *parent, *ind = NULL;

            if (type == NULL || strcmp(type, "isChildOf") != 0 || o == NULL)
                continue;
            parent =
                skill_of(out, svc__str(json_object_get(as, "destinationNodeURI"), "identifier"));
            if (parent == NULL)
                continue;
            json_array_foreach(items, j, it)
            {
                if (strcmp(svc__str(it, "identifier") != NULL ? svc__str(it, "identifier") : "",
                           o) == 0 &&
                    svc__str(it, "CFItemType") != NULL &&
                    strcmp(svc__str(it, "CFItemType"), "Indicator") == 0)
                    ind = it;
            }
            if (ind != NULL)
                json_array_append_new(json_object_get(parent, "indicators"),
                                      json_pack("{s:s, s:s, s:s}", "item_id", o, "code",
                                                svc__str(ind, "humanCodingScheme") != NULL
                                                    ? svc__str(ind, "humanCodingScheme")
                                                    : "",
                                                "statement",
                                                svc__str(ind, "fullStatement") != NULL
                                                    ? svc__str(ind, "fullStatement")
                                                    : ""));
        }
    }
    if (json_array_size(out) == 0)
        rc = cf_error_set(err, CF_EINVAL, "framework",
                          "This framework has no skill areas to rate. Choose another.");
out:
    json_decref(pkg);
    if (rc == CF_OK)
        *skills = out;
    else
        json_decref(out);
    if (rc == CF_OK && values != NULL)
        *values = cv;
    else
        json_decref(cv);
    return rc;
}

/*
 * The counted skills of in (an array of {item_id, weight} or absent: every
 * skill at its framework weight) checked against the framework's, into
 * *chosen [{item_id, weight}] in the framework's order.
 */
static int chosen_skills(const json_t *in, const json_t *skills, json_t **chosen,
                         struct cf_error *err)
{
    const json_t *want = json_object_get(in, "skills");
    json_t *out = json_array(), *s, *w;
    size_t i, j;

    *chosen = NULL;
    if (out == NULL)
        return nomem(err);
    if (want != NULL && !json_is_array(want)) {
        json_decref(out);
        return cf_error_set(err, CF_EINVAL, "skills", "Choose the skills to rate.");
    }
    json_array_foreach(want, j, w)
    {
        const char *id = svc__str(w, "item_id");
        const json_t *wt = json_object_get(w, "weight");

        if (skill_of(skills, id) == NULL) {
            json_decref(out);
            return cf_error_set(err, CF_EINVAL, "skills",
                                "Skill %s is not one of this framework's skills.",
                                id != NULL ? id : "(none)");
        }
        if (wt != NULL && (!json_is_integer(wt) || json_integer_value(wt) < 1 ||
                           json_integer_value(wt) > EVAL_WEIGHT_MAX)) {
            json_decref(out);
            return cf_error_set(err, CF_EINVAL, "skills", "Give each skill a weight from 1 to %d.",
                                EVAL_WEIGHT_MAX);
        }
    }
    json_array_foreach(skills, i, s)
    {
        const json_t *pick = NULL;

        json_array_foreach(want, j, w)
        {
            if (strcmp(svc__str(w, "item_id"), svc__str(s, "item_id")) == 0)
                pick = w;
        }
        if (want != NULL && pick == NULL)
            continue;
        json_array_append_new(
            out, json_pack("{s:s, s:I}", "item_id", svc__str(s, "item_id"), "weight",
                           (json_int_t)(pick != NULL && json_object_get(pick, "weight") != NULL
                                            ? num(pick, "weight")
                                            : num(s, "weight"))));
    }
    if (json_array_size(out) == 0) {
        json_decref(out);
        return cf_error_set(err, CF_EINVAL, "skills", "Choose at least one skill to rate.");
    }
    *chosen = out;
    return CF_OK;
}

/* The identifier of the framework rated against by default: the newest one with a rubric. */
static int default_framework(const struct svc *sv, char *doc, size_t n, struct cf_error *err)
{
    json_t *docs = NULL, *d;
    size_t i;
    int rc = store_case_document_summaries(sv->store, &docs, err);

    doc[0] = '\0';
    if (rc != CF_OK)
        return rc;
    json_array_foreach(docs, i, d)
    {
        const char *id = svc__str(json_object_get(d, "document"), "identifier");

        /* In import order: the last one with a rubric is the newest. */
        if (num(d, "rubrics") > 0 && id != NULL)
            snprintf(doc, n, "%s", id);
    }
    json_decref(docs);
    if (doc[0] == '\0')
        return cf_error_set(err, CF_EINVAL, "framework",
                            "No framework with a rubric is loaded. Import one first.");
    return CF_OK;
}

/* --- creating an evaluation ------------------------------------------------------------ */

int svc_eval_create(const struct svc *sv, const json_t *in, json_t **out, struct cf_error *err)
{
    struct svc_checks ck = {err, CF_OK};
    struct cf_error e;
    char title[EVAL_TITLE_MAX * 4 + 1], doc[128], rubric[128], now[32], id[37];
    const char *purpose = svc__str(in, "purpose"), *due = svc__str(in, "due_on");
    json_t *subject = NULL, *skills = NULL, *chosen = NULL, *row = NULL;
    struct clock_date d;
    int rc, levels = 0, purpose_ok = 0;

    *out = NULL;
    rc = svc__person_for(sv, svc__str(in, "subject"), PERM_EVALUATIONS_MANAGE, &subject, &e);
    if (rc == CF_ENOTFOUND)
        cf_error_set(&e, CF_EINVAL, "subject", "Choose the person to evaluate.");
    svc__check(&ck, rc == CF_ENOTFOUND ? CF_EINVAL : rc, &e);
    for (size_t i = 0; i < sizeof PURPOSES / sizeof PURPOSES[0]; i++)
        if (purpose != NULL && strcmp(purpose, PURPOSES[i].code) == 0)
            purpose_ok = 1;
    if (!purpose_ok)
        svc__check(&ck,
                   cf_error_set(&e, CF_EINVAL, "purpose",
                                "Choose the purpose: annual review, readiness for certification"
                                " or 360-degree review."),
                   &e);
    svc__check(&ck, svc__text(in, "title", 1, EVAL_TITLE_MAX, "a title", title, sizeof title, &e),
               &e);
    if (due != NULL && due[0] != '\0' &&
        (clock_date_parse(due, &d) != 0 || clock_date_cmp(d, clock_date_of(clock_now())) < 0))
        svc__check(&ck,
                   cf_error_set(&e, CF_EINVAL, "due_on",
                                "Give the due date as YYYY-MM-DD, today or later."),
                   &e);
    if (svc__str(in, "framework") != NULL && svc__str(in, "framework")[0] != '\0')
        snprintf(doc, sizeof doc, "%s", svc__str(in, "framework"));
    else if (default_framework(sv, doc, sizeof doc, &e) != CF_OK)
        svc__check(&ck, CF_EINVAL, &e);
    if (doc[0] != '\0') {
        rc = framework_skills(sv, doc, &skills, rubric, sizeof rubric, &levels, NULL, &e);
        if (rc == CF_ENOTFOUND)
            rc = cf_error_set(&e, CF_EINVAL, "framework", "Choose a framework that is loaded.");
        svc__check(&ck, rc, &e);
        if (rc == CF_OK)
            svc__check(&ck, chosen_skills(in, skills, &chosen, &e), &e);
    }
    if (ck.rc != CF_OK) {
        rc = ck.rc;
        goto done;
    }

    svc__uuid(id);
    clock_now_iso(now, sizeof now);
    row = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:i, s:b, s:s?, s:s?, s:s}", "id", id, "org_id",
        svc__str(subject, "org_id"), "subject_kind", "person", "subject_id",
        svc__str(subject, "id"), "purpose", purpose, "title", title, "framework_doc", doc,
        "rubric_id", rubric[0] != '\0' ? rubric : NULL, "levels", levels, "blind",
        json_object_get(in, "blind") == NULL || json_is_true(json_object_get(in, "blind")),
        "due_on", due != NULL && due[0] != '\0' ? due : NULL, "created_by", me(sv), "created_at",
        now);
    if (row == NULL) {
        rc = nomem(err);
        goto done;
    }
    rc = store_begin(sv->store, err);
    if (rc != CF_OK)
        goto done;
    rc = store_eval_insert(sv->store, row, err);
    if (rc == CF_OK)
        rc = store_eval_set_skills(sv->store, id, chosen, err);
    if (rc == CF_OK) {
        json_object_set(row, "skills", chosen);
        rc = record(sv, row, NULL, "created", NULL, "evaluation.create", NULL, row, err);
    }
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    if (rc == CF_OK)
        *out = json_pack("{s:s}", "id", id);
done:
    json_decref(row);
    json_decref(chosen);
    json_decref(skills);
    json_decref(subject);
    return rc;
}

int svc_eval_form(const struct svc *sv, const char *doc, json_t **out, struct cf_error *err)
{
    json_t *docs = NULL, *list = json_array(), *skills = NULL, *d, *x;
    char chosen[128], rubric[128];
    size_t i;
    int rc = CF_OK, levels = 0;

    *out = NULL;
    if (list == NULL)
        return nomem(err);
    if (doc != NULL && doc[0] != '\0')
        snprintf(chosen, sizeof chosen, "%s", doc);
    else
        rc = default_framework(sv, chosen, sizeof chosen, err);
    if (rc == CF_OK)
        rc = store_case_document_summaries(sv->store, &docs, err);
    /* The frameworks a person can be rated against: those with skill areas (a handful of
     * packages, each read once). */
    json_array_foreach(docs, i, d)
    {
        const json_t *cd = json_object_get(d, "document");
        const char *id = svc__str(cd, "identifier");
        json_t *sk = NULL;
        char rb[128];
        int k = 0;

        if (rc != CF_OK || id == NULL)
            break;
        if (framework_skills(sv, id, &sk, rb, sizeof rb, &k, NULL, NULL) != CF_OK)
            continue;
        json_decref(sk);
        json_array_append_new(
            list, json_pack("{s:s, s:s, s:s, s:b, s:b}", "id", id, "title",
                            svc__str(cd, "title") != NULL ? svc__str(cd, "title") : id, "version",
                            svc__str(cd, "version") != NULL ? svc__str(cd, "version") : "",
                            "has_rubric", rb[0] != '\0', "selected", strcmp(id, chosen) == 0));
    }
    if (rc == CF_OK)
        rc = framework_skills(sv, chosen, &skills, rubric, sizeof rubric, &levels, NULL, err);
    if (rc == CF_OK) {
        json_array_foreach(skills, i, x)
        {
            json_object_del(x, "levels");
            json_object_del(x, "statement");
        }
        *out = json_pack("{s:o, s:o, s:s, s:i}", "frameworks", list, "skills", skills, "framework",
                         chosen, "levels", levels);
        list = skills = NULL;
    }
    json_decref(list);
    json_decref(skills);
    json_decref(docs);
    return rc;
}

/* --- reading: who the viewer is to the evaluation --------------------------------------- */

struct seen {
    json_t *ev;    /* the evaluation row */
    json_t *rater; /* the viewer's rater row, or NULL */
    int admin;     /* may manage it */
    int subject;   /* is the person rated */
    enum eval_status status;
};

static void seen_free(struct seen *s)
{
    json_decref(s->ev);
    json_decref(s->rater);
    s->ev = s->rater = NULL;
}

/*
 * Loads evaluation id as sv sees it; CF_ENOTFOUND (404) when sv has no part in
 * it. With token (the secret of a rater's one-time link; id is then ignored)
 * the viewer is that rater, account or not.
 */
static int seen_of(const struct svc *sv, const char *id, const char *token, struct seen *s,
                   struct cf_error *err)
{
    int rc;

    memset(s, 0, sizeof s[0]);
    if (token != NULL) {
        char hash[65];

        if (strlen(token) != 43)
            return cf_error_set(err, CF_ENOTFOUND, NULL,
                                "This link does not work. Use the newest one you were sent.");
        svc__token_hash(token, hash);
        rc = store_eval_rater_by_token(sv->store, hash, &s->rater, err);
        if (rc == CF_ENOTFOUND)
            return cf_error_set(err, CF_ENOTFOUND, NULL,
                                "This link does not work. Use the newest one you were sent.");
        if (rc != CF_OK)
            return rc;
        id = svc__str(s->rater, "evaluation_id");
    }
    if (id == NULL || strlen(id) != 36) {
        seen_free(s);
        return cf_error_set(err, CF_ENOTFOUND, NULL, NO_SUCH);
    }
    rc = store_eval_get(sv->store, id, &s->ev, err);
    if (rc == CF_ENOTFOUND)
        rc = cf_error_set(err, CF_ENOTFOUND, NULL, NO_SUCH);
    if (rc != CF_OK) {
        seen_free(s);
        return rc;
    }
    s->status = (enum eval_status)eval_status_parse(svc__str(s->ev, "status"));
    if (token == NULL) {
        s->admin = svc__can(sv, PERM_EVALUATIONS_MANAGE, svc__str(s->ev, "org_id"));
        if (me(sv) != NULL) {
            s->subject = strcmp(svc__str(s->ev, "subject_kind"), "person") == 0 &&
                         strcmp(svc__str(s->ev, "subject_id"), me(sv)) == 0;
            rc = store_eval_rater_of(sv->store, id, me(sv), &s->rater, err);
            if (rc == CF_ENOTFOUND)
                rc = CF_OK;
            if (rc != CF_OK) {
                seen_free(s);
                return rc;
            }
        }
    }
    /* Raters and the subject see nothing of a draft: it is the administrator's. */
    if (!s->admin && (s->status == EVAL_DRAFT || (s->rater == NULL && !s->subject))) {
        seen_free(s);
        return cf_error_set(err, CF_ENOTFOUND, NULL, NO_SUCH);
    }
    return CF_OK;
}

/* answers (rows of one rater) as {item_id: answer}. */
static json_t *by_item(const json_t *answers, const char *rater)
{
    json_t *out = json_object(), *a;
    size_t i;

    json_array_foreach(answers, i, a)
    {
        if (rater == NULL || strcmp(svc__str(a, "rater_id"), rater) == 0)
            json_object_set(out, svc__str(a, "item_id"), a);
    }
    return out;
}

/* The rater as a page shows it. */
static json_t *rater_view(const json_t *r)
{
    int k = rater_kind_parse(svc__str(r, "kind")), st = rater_status_parse(svc__str(r, "status"));

    return json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:O, s:O, s:b, s:b, s:b}", "id", svc__str(r, "id"),
        "kind", svc__str(r, "kind"), "kind_label",
        k >= 0 ? rater_kind_label((enum rater_kind)k) : "", "name", svc__str(r, "name"), "email",
        svc__str(r, "email"), "status", svc__str(r, "status"), "status_label",
        st >= 0 ? rater_status_label((enum rater_status)st) : "", "due_on",
        json_object_get(r, "due_on"), "submitted_at", json_object_get(r, "submitted_at"),
        "submitted", st == RATER_SUBMITTED, "not_started", st == RATER_INVITED, "has_account",
        !json_is_null(json_object_get(r, "person_id")));
}

/* --- results ------------------------------------------------------------------------------ */

/* The category of a skill code ("II.B" -> "II"), into out. */
static void category_of(const char *code, char *out, size_t n)
{
    size_t k = code != NULL ? strcspn(code, ".") : 0;

    if (k >= n)
        k = n - 1;
    if (k > 0)
        memcpy(out, code, k);
    out[k] = '\0';
}

/* A number rounded to two decimals, as JSON. */
static json_t *num2(double v)
{
    return json_real((double)(long long)(v * 100.0 + (v >= 0 ? 0.5 : -0.5)) / 100.0);
}

/* One agreement value as JSON: the number, or null with the reason. */
static json_t *agree_value(const struct agreement_value *v)
{
    static const char *const why[] = {"", "fewer than two skills rated by every rater compared",
                                      "fewer than two raters", "a scale of one level",
                                      "every rating alike: no spread to compare"};

    if (v->defined)
        return num2(v->value);
    return json_pack("{s:n, s:s}", "value", "why", why[v->why]);
}

/*
 * The results of a closed evaluation (or one whose raters may read each other):
 * per skill the self rating and the others' mean, spread (SD) and range, per
 * category and overall the weighted means, strengths and gaps ranked, and how
 * far the raters agree (kappa for two raters, ICC for more; the form named).
 * Raters who did not submit count with what they answered. "No basis to rate"
 * and unanswered skills are left out, never counted as 0.
 */
static json_t *results_of(const json_t *skills, const json_t *counted, const json_t *raters,
                          const json_t *answers, int levels)
{
    size_t ns = json_array_size(counted), nr = json_array_size(raters), i, j;
    int *grid = calloc(ns * (nr > 0 ? nr : 1) + 1, sizeof *grid);
    json_t *per = json_array(), *cats = json_array(), *rank = json_array(), *x, *r;
    json_t *self_rater = NULL, *out = NULL, *agree = NULL, *strong = json_array(),
           *weak = json_array();
    double wsum_o = 0, wsum_s = 0, w_o = 0, w_s = 0;

    if (grid == NULL || per == NULL || cats == NULL || rank == NULL)
        goto out;
    json_array_foreach(raters, j, r)
    {
        if (strcmp(svc__str(r, "kind"), "self") == 0)
            self_rater = r;
    }
    /* The grid of levels: skills down, raters across (0: none). */
    json_array_foreach(answers, i, x)
    {
        size_t si = ns, rj = nr;

        for (size_t a = 0; a < ns; a++)
            if (strcmp(svc__str(json_array_get(counted, a), "item_id"), svc__str(x, "item_id")) ==
                0)
                si = a;
        for (size_t b = 0; b < nr; b++)
            if (strcmp(svc__str(json_array_get(raters, b), "id"), svc__str(x, "rater_id")) == 0)
                rj = b;
        if (si < ns && rj < nr && num(x, "level") > 0)
            grid[si * nr + rj] = (int)num(x, "level");
    }
    json_array_foreach(counted, i, x)
    {
        const json_t *f = skill_of(skills, svc__str(x, "item_id"));
        double sum = 0, sq = 0, mean = 0, sd = 0, w = (double)num(x, "weight");
        int n = 0, lo = 0, hi = 0, self = 0;

        for (j = 0; j < nr; j++) {
            int v = grid[i * nr + j];

            if (v <= 0)
                continue;
            if (json_array_get(raters, j) == self_rater) {
                self = v;
                continue;
            }
            sum += v;
            sq += (double)v * v;
            lo = n == 0 || v < lo ? v : lo;
            hi = n == 0 || v > hi ? v : hi;
            n++;
        }
        if (n > 0) {
            mean = sum / n;
            sd = n > 1 ? sqrt((sq - sum * sum / n) / (n - 1)) : 0;
            wsum_o += w * mean;
            w_o += w;
        }
        if (self > 0) {
            wsum_s += w * self;
            w_s += w;
        }
        json_array_append_new(
            per,
            json_pack("{s:s, s:s, s:s, s:I, s:o, s:o, s:o, s:o, s:o, s:I, s:o}", "item_id",
                      svc__str(x, "item_id"), "code", f != NULL ? svc__str(f, "code") : "", "name",
                      f != NULL ? svc__str(f, "name") : "", "weight", (json_int_t)num(x, "weight"),
                      "self", self > 0 ? json_integer(self) : json_null(), "others_mean",
                      n > 0 ? num2(mean) : json_null(), "others_sd", n > 1 ? num2(sd) : json_null(),
                      "others_min", n > 0 ? json_integer(lo) : json_null(), "others_max",
                      n > 0 ? json_integer(hi) : json_null(), "others_n", (json_int_t)n, "gap",
                      self > 0 && n > 0 ? num2(self - mean) : json_null()));
    }
    /* Categories: the weighted means of their skills. */
    json_array_foreach(per, i, x)
    {
        char cat[16];
        json_t *c = NULL, *y;

        category_of(svc__str(x, "code"), cat, sizeof cat);
        json_array_foreach(cats, j, y)
        {
            if (strcmp(svc__str(y, "code"), cat) == 0)
                c = y;
        }
        if (c == NULL) {
            c = json_pack("{s:s, s:f, s:f, s:f, s:f}", "code", cat, "ws", 0.0, "w", 0.0, "wss", 0.0,
                          "wsw", 0.0);
            json_array_append_new(cats, c);
        }
        if (!json_is_null(json_object_get(x, "others_mean"))) {
            double w = (double)num(x, "weight");

            json_object_set_new(
                c, "ws",
                json_real(json_real_value(json_object_get(c, "ws")) +
                          w * json_number_value(json_object_get(x, "others_mean"))));
            json_object_set_new(c, "w", json_real(json_real_value(json_object_get(c, "w")) + w));
        }
        if (!json_is_null(json_object_get(x, "self"))) {
            double w = (double)num(x, "weight");

            json_object_set_new(
                c, "wss",
                json_real(json_real_value(json_object_get(c, "wss")) + w * (double)num(x, "self")));
            json_object_set_new(c, "wsw",
                                json_real(json_real_value(json_object_get(c, "wsw")) + w));
        }
    }
    json_array_foreach(cats, i, x)
    {
        double w = json_real_value(json_object_get(x, "w")),
               ws = json_real_value(json_object_get(x, "wsw"));

        json_object_set_new(x, "others_mean",
                            w > 0 ? num2(json_real_value(json_object_get(x, "ws")) / w)
                                  : json_null());
        json_object_set_new(x, "self",
                            ws > 0 ? num2(json_real_value(json_object_get(x, "wss")) / ws)
                                   : json_null());
        json_object_del(x, "ws");
        json_object_del(x, "w");
        json_object_del(x, "wss");
        json_object_del(x, "wsw");
    }
    /* Strengths first, gaps last: by the others' mean, then by weight (a gap in a heavy
     * skill matters more), then in the framework's order. */
    json_array_foreach(per, i, x)
    {
        if (!json_is_null(json_object_get(x, "others_mean")))
            json_array_append(rank, x);
    }
    for (i = 1; i < json_array_size(rank); i++)
        for (j = i; j > 0; j--) {
            json_t *a = json_array_get(rank, j - 1), *b = json_array_get(rank, j);
            double ma = json_number_value(json_object_get(a, "others_mean")),
                   mb = json_number_value(json_object_get(b, "others_mean"));

            if (mb > ma || (mb == ma && num(b, "weight") < num(a, "weight"))) {
                json_incref(a);
                json_array_set(rank, j - 1, b);
                json_array_set_new(rank, j, a);
            } else
                break;
        }

    /* Agreement between the raters other than self across the skills (the skills are the
     * subjects): self against others is shown apart, as the gap. */
    {
        size_t no = 0, c = 0;
        int *g2;

        json_array_foreach(raters, j, r)
        {
            if (r != self_rater)
                no++;
        }
        g2 = calloc(ns * (no > 0 ? no : 1) + 1, sizeof *g2);
        if (g2 != NULL) {
            json_array_foreach(raters, j, r)
            {
                if (r == self_rater)
                    continue;
                for (i = 0; i < ns; i++)
                    g2[i * no + c] = grid[i * nr + j];
                c++;
            }
            memcpy(grid, g2, ns * no * sizeof *g2);
            free(g2);
            nr = no;
        } else
            nr = 0;
    }
    {
        struct agreement_matrix m = {grid, ns, nr};

        if (nr == 2) {
            struct agreement_kappa k;

            if (agreement_kappa(&m, levels, &k, NULL) == CF_OK)
                agree = json_pack(
                    "{s:s, s:s, s:o, s:o, s:o, s:I}", "method", "Cohen's weighted kappa", "form",
                    "quadratic weights over the full scale of the rubric", "value",
                    agree_value(&k.quadratic.kappa), "linear", agree_value(&k.linear.kappa),
                    "unweighted", agree_value(&k.unweighted.kappa), "skills", (json_int_t)k.n);
        } else if (nr > 2) {
            struct agreement_icc c;

            if (agreement_icc(&m, &c) == CF_OK)
                agree = json_pack("{s:s, s:s, s:o, s:o, s:I, s:I}", "method",
                                  "Intraclass correlation (Shrout & Fleiss 1979)", "form",
                                  "ICC(2,1): two-way random effects, absolute agreement, one "
                                  "rater; ICC(2,k) for the mean of all raters",
                                  "value", agree_value(&c.icc2), "average", agree_value(&c.icc2k),
                                  "skills", (json_int_t)c.n, "dropped", (json_int_t)c.dropped);
        }
    }
    /* The three strongest and the three weakest (fewer when few skills were rated). */
    {
        size_t nk = json_array_size(rank), take = nk / 2 < 3 ? nk / 2 : 3;

        for (i = 0; i < take; i++) {
            json_array_append(strong, json_array_get(rank, i));
            json_array_append(weak, json_array_get(rank, nk - 1 - i));
        }
    }
    out = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "skills", per, "categories",
                    cats, "strengths", strong, "gaps", weak, "overall_others",
                    w_o > 0 ? num2(wsum_o / w_o) : json_null(), "overall_self",
                    w_s > 0 ? num2(wsum_s / w_s) : json_null(), "ranked", rank, "agreement",
                    agree != NULL ? agree : json_null(), "has_self",
                    json_boolean(self_rater != NULL));
    per = cats = rank = agree = strong = weak = NULL;
out:
    json_decref(strong);
    json_decref(weak);
    free(grid);
    json_decref(per);
    json_decref(cats);
    json_decref(rank);
    json_decref(agree);
    return out;
}

/*
 * Results rated on an older framework read in the current one's terms (point 8): for each
 * skill of the current framework (to), the skills of the evaluation's framework the
 * crosswalk joins to it (either direction, any association type but isChildOf) and the
 * mean of their self and others' means. The stored answers never change; this is computed
 * when read. NULL when the frameworks are the same or nothing joins them.
 */
static json_t *crosswalk_of(const struct svc *sv, const char *from, const json_t *results)
{
    json_t *assocs = NULL, *to_skills = NULL, *rows = json_array(), *out = NULL, *t, *a, *r;
    char to[128], rubric[128];
    size_t i, j, k;
    int levels = 0, joined = 0;

    if (rows == NULL || default_framework(sv, to, sizeof to, NULL) != CF_OK ||
        strcmp(to, from) == 0 ||
        store_case_associations_between(sv->store, from, to, &assocs, NULL) != CF_OK ||
        framework_skills(sv, to, &to_skills, rubric, sizeof rubric, &levels, NULL, NULL) != CF_OK)
        goto out;
    json_array_foreach(to_skills, i, t)
    {
        const char *tid = svc__str(t, "item_id");
        json_t *codes = json_array();
        double so = 0, ss = 0;
        int no = 0, ns = 0;

        json_array_foreach(json_object_get(results, "skills"), j, r)
        {
            const char *rid = svc__str(r, "item_id");
            int linked = 0;

            json_array_foreach(assocs, k, a)
            {
                const char *o = svc__str(json_object_get(a, "originNodeURI"), "identifier");
                const char *d = svc__str(json_object_get(a, "destinationNodeURI"), "identifier");

                if (o != NULL && d != NULL &&
                    ((strcmp(o, rid) == 0 && strcmp(d, tid) == 0) ||
                     (strcmp(d, rid) == 0 && strcmp(o, tid) == 0)))
                    linked = 1;
            }
            if (!linked)
                continue;
            json_array_append_new(codes, json_string(svc__str(r, "code")));
            if (json_is_number(json_object_get(r, "others_mean"))) {
                so += json_number_value(json_object_get(r, "others_mean"));
                no++;
            }
            if (json_is_number(json_object_get(r, "self"))) {
                ss += json_number_value(json_object_get(r, "self"));
                ns++;
            }
        }
        if (json_array_size(codes) > 0)
            joined = 1;
        json_array_append_new(rows,
                              json_pack("{s:s, s:s, s:o, s:o, s:o, s:b}", "code",
                                        svc__str(t, "code"), "name", svc__str(t, "name"), "from",
                                        codes, "others_mean", no > 0 ? num2(so / no) : json_null(),
                                        "self", ns > 0 ? num2(ss / ns) : json_null(), "mapped",
                                        json_array_size(codes) > 0));
    }
    if (joined)
        out = json_pack("{s:s, s:O}", "framework", to, "skills", rows);
out:
    json_decref(rows);
    json_decref(assocs);
    json_decref(to_skills);
    return out;
}

static int eval_get(const struct svc *sv, const char *id, const char *token, json_t **out,
                    struct cf_error *err)
{
    struct seen s;
    json_t *fw = NULL, *counted = NULL, *raters = NULL, *answers = NULL, *events = NULL;
    json_t *mine = NULL, *skills, *view = NULL, *others, *rv, *x, *sk, *values = NULL;
    json_t *results = NULL;
    char rubric[128];
    size_t i;
    long total_weight = 0, submitted = 0;
    int rc, levels = 0, read_others;
    enum rater_status rst = RATER_INVITED;

    *out = NULL;
    rc = seen_of(sv, id, token, &s, err);
    if (rc == CF_OK)
        id = svc__str(s.ev, "id");
    if (rc != CF_OK)
        return rc;
    rc = framework_skills(sv, svc__str(s.ev, "framework_doc"), &fw, rubric, sizeof rubric, &levels,
                          &values, err);
    if (rc == CF_OK)
        rc = store_eval_skills(sv->store, id, &counted, err);
    if (rc == CF_OK)
        rc = store_eval_raters(sv->store, id, &raters, err);
    if (rc == CF_OK)
        rc = store_eval_answers(sv->store, id, NULL, &answers, err);
    if (rc == CF_OK && s.admin)
        rc = store_eval_events(sv->store, id, &events, err);
    if (rc != CF_OK)
        goto out;

    if (s.rater != NULL)
        rst = (enum rater_status)rater_status_parse(svc__str(s.rater, "status"));
    read_others = eval_may_read_others(s.rater != NULL ? VIEWER_RATER
                                       : s.admin       ? VIEWER_ADMIN
                                                       : VIEWER_SUBJECT,
                                       s.status, (int)num(s.ev, "blind"));
    if (s.admin || s.subject)
        read_others = read_others || eval_may_read_others(s.admin ? VIEWER_ADMIN : VIEWER_SUBJECT,
                                                          s.status, (int)num(s.ev, "blind"));
    mine = by_item(answers, s.rater != NULL ? svc__str(s.rater, "id") : "");
    skills = json_array();
    json_array_foreach(counted, i, x)
    {
        total_weight += num(x, "weight");
    }
    json_array_foreach(counted, i, x)
    {
        json_t *f = skill_of(fw, svc__str(x, "item_id")), *a, *lv, *l, *links;
        size_t j;
        long level;

        if (f == NULL)
            continue;
        a = json_object_get(mine, svc__str(x, "item_id"));
        links = a != NULL ? json_incref(json_object_get(a, "links")) : json_array();
        level = a != NULL ? num(a, "level") : 0;
        lv = json_deep_copy(json_object_get(f, "levels"));
        json_array_foreach(lv, j, l)
        {
            json_object_set_new(l, "chosen", json_boolean(num(l, "level") == level && level > 0));
        }
        sk = json_pack(
            "{s:s, s:s, s:s, s:s, s:I, s:I, s:o, s:I, s:b, s:s, s:o, s:I}", "item_id",
            svc__str(x, "item_id"), "code", svc__str(f, "code"), "name", svc__str(f, "name"),
            "statement", svc__str(f, "statement") != NULL ? svc__str(f, "statement") : "", "weight",
            (json_int_t)num(x, "weight"), "weight_pct",
            (json_int_t)(total_weight > 0
                             ? (num(x, "weight") * 100 + total_weight / 2) / total_weight
                             : 0),
            "levels", lv, "level", (json_int_t)level, "no_basis",
            a != NULL && num(a, "no_basis") == 1, "note", a != NULL ? svc__str(a, "note") : "",
            "links", links, "seq", (json_int_t)(a != NULL ? num(a, "seq") : 0));
        /* The skill's indicators, each with the viewer's optional level. */
        {
            json_t *inds = json_deep_copy(json_object_get(f, "indicators")), *in;
            size_t q;

            json_array_foreach(inds, q, in)
            {
                const json_t *ia = json_object_get(mine, svc__str(in, "item_id"));
                long il = ia != NULL ? num(ia, "level") : 0;
                json_t *opts = json_array();

                for (long o = 1; o <= (long)json_array_size(lv); o++)
                    json_array_append_new(
                        opts, json_pack("{s:I, s:O, s:b}", "level", (json_int_t)o, "label",
                                        json_object_get(json_array_get(lv, (size_t)o - 1), "label"),
                                        "selected", o == il));
                json_object_set_new(in, "level", json_integer(il));
                json_object_set_new(in, "no_basis",
                                    json_boolean(ia != NULL && num(ia, "no_basis") == 1));
                json_object_set_new(in, "seq", json_integer(ia != NULL ? num(ia, "seq") : 0));
                json_object_set_new(in, "options", opts);
            }
            json_object_set_new(sk, "indicators", inds != NULL ? inds : json_array());
        }
        json_array_append_new(skills, sk);
    }

    others = json_array();
    rv = json_array();
    json_array_foreach(raters, i, x)
    {
        if (strcmp(svc__str(x, "status"), "submitted") == 0)
            submitted++;
        if (s.admin)
            json_array_append_new(rv, rater_view(x));
        if (read_others &&
            (s.rater == NULL || strcmp(svc__str(x, "id"), svc__str(s.rater, "id")) != 0)) {
            json_t *theirs = by_item(answers, svc__str(x, "id")), *list = json_array(), *c;
            size_t j;

            json_array_foreach(counted, j, c)
            {
                json_t *a = json_object_get(theirs, svc__str(c, "item_id"));

                long lv = a != NULL ? num(a, "level") : 0;
                int nb = a != NULL && num(a, "no_basis") == 1;
                char text[24];

                if (lv > 0)
                    snprintf(text, sizeof text, "%ld", lv);
                else
                    snprintf(text, sizeof text, "%s", nb ? "No basis" : "Not rated");
                json_array_append_new(
                    list, json_pack("{s:s, s:I, s:b, s:s, s:s}", "item_id", svc__str(c, "item_id"),
                                    "level", (json_int_t)lv, "no_basis", nb, "note",
                                    a != NULL ? svc__str(a, "note") : "", "text", text));
            }
            json_array_append_new(
                others,
                json_pack("{s:s, s:s, s:s, s:o}", "rater_id", svc__str(x, "id"), "kind",
                          svc__str(x, "kind"), "kind_label",
                          rater_kind_label((enum rater_kind)rater_kind_parse(svc__str(x, "kind"))),
                          "answers", list));
            json_decref(theirs);
        }
    }

    view = json_pack(
        "{s:{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:O, s:I, s:O, s:s, s:O, s:O},"
        " s:{s:b, s:b, s:s?, s:s?, s:b}, s:o, s:o, s:o, s:{s:I, s:I}, s:b}",
        "evaluation", "id", id, "title", svc__str(s.ev, "title"), "purpose",
        svc__str(s.ev, "purpose"), "purpose_label", purpose_label(svc__str(s.ev, "purpose")),
        "status", svc__str(s.ev, "status"), "status_label", eval_status_label(s.status), "blind",
        num(s.ev, "blind") == 1, "due_on", json_object_get(s.ev, "due_on"), "levels",
        (json_int_t)num(s.ev, "levels"), "subject_name", json_object_get(s.ev, "subject_name"),
        "framework_doc", svc__str(s.ev, "framework_doc"), "opened_at",
        json_object_get(s.ev, "opened_at"), "closed_at", json_object_get(s.ev, "closed_at"),
        "viewer", "admin", s.admin, "subject", s.subject, "rater_id",
        s.rater != NULL ? svc__str(s.rater, "id") : NULL, "rater_kind",
        s.rater != NULL ? svc__str(s.rater, "kind") : NULL, "submitted",
        s.rater != NULL && rst == RATER_SUBMITTED, "skills", skills, "raters", rv, "others", others,
        "progress", "submitted", (json_int_t)submitted, "raters",
        (json_int_t)json_array_size(raters), "may_answer",
        s.rater != NULL && eval_may_answer(s.status, rst, NULL) == CF_OK);
    if (view == NULL) {
        rc = nomem(err);
        goto out;
    }
    json_array_foreach(events, i, x)
    {
        json_object_set_new(x, "words", json_string(event_words(svc__str(x, "kind"))));
    }
    if (events != NULL)
        json_object_set(view, "timeline", events);
    json_object_set_new(view, "link", json_boolean(token != NULL));
    /* The core values: commented on, not rated; the viewer's own comments. */
    json_array_foreach(values, i, x)
    {
        const json_t *a = json_object_get(mine, svc__str(x, "item_id"));

        json_object_set_new(x, "note", json_string(a != NULL ? svc__str(a, "note") : ""));
        json_object_set_new(x, "seq", json_integer(a != NULL ? (json_int_t)num(a, "seq") : 0));
    }
    json_object_set(view, "values", values);
    if (read_others) {
        results = results_of(fw, counted, raters, answers, levels);
        if (results == NULL) {
            json_decref(view);
            rc = nomem(err);
            goto out;
        }
        json_object_set(view, "results", results);
        {
            json_t *cw = crosswalk_of(sv, svc__str(s.ev, "framework_doc"), results);

            if (cw != NULL)
                json_object_set_new(results, "crosswalk", cw);
        }
        /* Every rater's comments on each core value. */
        json_array_foreach(values, i, x)
        {
            json_t *cs = json_array(), *a;
            size_t j;

            json_array_foreach(answers, j, a)
            {
                const char *note = svc__str(a, "note");
                size_t k;
                json_t *r, *who = NULL;

                if (strcmp(svc__str(a, "item_id"), svc__str(x, "item_id")) != 0 || note == NULL ||
                    note[0] == '\0')
                    continue;
                json_array_foreach(raters, k, r)
                {
                    if (strcmp(svc__str(r, "id"), svc__str(a, "rater_id")) == 0)
                        who = r;
                }
                json_array_append_new(
                    cs, json_pack("{s:s, s:s}", "by",
                                  who != NULL ? rater_kind_label((enum rater_kind)rater_kind_parse(
                                                    svc__str(who, "kind")))
                                              : "",
                                  "note", note));
            }
            json_object_set_new(x, "comments", cs);
            json_object_set_new(x, "has_comments", json_boolean(json_array_size(cs) > 0));
        }
    }
    *out = view;
out:
    json_decref(results);
    json_decref(values);
    json_decref(mine);
    json_decref(events);
    json_decref(answers);
    json_decref(raters);
    json_decref(counted);
    json_decref(fw);
    seen_free(&s);
    return rc;
}

int svc_eval_list(const struct svc *sv, json_t **out, struct cf_error *err)
{
    json_t *mine = NULL, *managed = NULL, *orgs = json_array(), *e;
    size_t i;
    int rc = CF_OK;

    *out = NULL;
    if (orgs == NULL)
        return nomem(err);
    if (me(sv) != NULL)
        rc = store_eval_mine(sv->store, me(sv), &mine, err);
    else
        mine = json_array();
    /* The organizations where sv manages evaluations: resolved once per request. */
    if (rc == CF_OK)
        rc = svc__reach_ids(sv, PERM_EVALUATIONS_MANAGE, orgs)
                 ? store_eval_list_all(sv->store, 500, &managed, err)
                 : store_eval_list(sv->store, orgs, 500, &managed, err);
    if (rc == CF_OK) {
        json_array_foreach(mine, i, e)
        {
            json_object_set_new(e, "status_label",
                                json_string(eval_status_label(
                                    (enum eval_status)eval_status_parse(svc__str(e, "status")))));
            json_object_set_new(e, "purpose_label",
                                json_string(purpose_label(svc__str(e, "purpose"))));
        }
        json_array_foreach(managed, i, e)
        {
            json_object_set_new(e, "status_label",
                                json_string(eval_status_label(
                                    (enum eval_status)eval_status_parse(svc__str(e, "status")))));
            json_object_set_new(e, "purpose_label",
                                json_string(purpose_label(svc__str(e, "purpose"))));
        }
        *out = json_pack("{s:O, s:o, s:b}", "mine", mine, "managed",
                         managed != NULL ? json_incref(managed) : json_array(), "may_create",
                         svc__can(sv, PERM_EVALUATIONS_MANAGE, NULL));
    }
    json_decref(orgs);
    json_decref(mine);
    json_decref(managed);
    return rc;
}

/* --- raters ------------------------------------------------------------------------------ */

/*
 * Sends rater r of evaluation ev the invitation: to an account, the address of
 * the evaluation (they sign in); without one, a new one-time link (its hash
 * replaces the last one's). Inside the caller's transaction.
 */
static int invite(const struct svc *sv, const json_t *ev, const json_t *r, int reminder,
                  struct cf_error *err)
{
    char token[44], hash[65], now[32], addr[128];
    char *body = NULL, *subject = NULL;
    const char *base = sv->base_url != NULL ? sv->base_url : "http://127.0.0.1:8080";
    const char *due =
        svc__str(r, "due_on") != NULL ? svc__str(r, "due_on") : svc__str(ev, "due_on");
    int rc = CF_OK, account = !json_is_null(json_object_get(r, "person_id"));

    clock_now_iso(now, sizeof now);
    /* The last contact is kept (reminded_at), so the tick reminds once per point. */
    if (account) {
        snprintf(addr, sizeof addr, "/evaluations/%s/rate", svc__str(ev, "id"));
        rc = store_eval_rater_set_token(sv->store, svc__str(r, "id"), NULL, now, err);
    } else {
        svc__token_new(token);
        svc__token_hash(token, hash);
        rc = store_eval_rater_set_token(sv->store, svc__str(r, "id"), hash, now, err);
        snprintf(addr, sizeof addr, "/rate/%s", token);
        sodium_memzero(token, sizeof token);
    }
    if (rc != CF_OK)
        goto out;
    if ((reminder
             ? asprintf(&subject, "Reminder, due %s: %s", due != NULL ? due : "soon",
                        svc__str(ev, "title"))
             : asprintf(&subject, "Your ratings are asked for: %s", svc__str(ev, "title"))) < 0)
        subject = NULL;
    if (strcmp(svc__str(r, "kind"), "self") == 0) {
        if (asprintf(&body,
                     "Dear %s,\n\nYour district has opened \"%s\" and asks you to assess yourself "
                     "against the framework's rubric, skill by skill.%s%s%s\n\nStart here:\n"
                     "%s%s\n\nEvery answer is saved as you give it; submit when you are done.\n",
                     svc__str(r, "name"), svc__str(ev, "title"),
                     due != NULL ? " Please submit by " : "", due != NULL ? due : "",
                     due != NULL ? "." : "", base, addr) < 0)
            body = NULL;
    } else if (asprintf(&body,
                        "Dear %s,\n\nYou are asked to rate %s in \"%s\" against the framework's "
                        "rubric, skill by skill.%s%s%s\n\nStart here%s:\n%s%s\n\nEvery answer is "
                        "saved as you give it; submit when you are done.\n",
                        svc__str(r, "name"),
                        svc__str(ev, "subject_name") != NULL ? svc__str(ev, "subject_name")
                                                             : "a colleague",
                        svc__str(ev, "title"), due != NULL ? " Please submit by " : "",
                        due != NULL ? due : "", due != NULL ? "." : "",
                        account ? "" : " (no account needed; keep this link to yourself)", base,
                        addr) < 0)
        body = NULL;
    if (subject == NULL || body == NULL) {
        rc = nomem(err);
        goto out;
    }
    rc = svc__send(sv, "evaluation", svc__str(r, "email"),
                   account ? svc__str(r, "person_id") : NULL, subject, body, err);
    if (rc == CF_OK)
        rc = record(sv, ev, svc__str(r, "id"), reminder ? "reminded" : "invited",
                    rater_kind_label((enum rater_kind)rater_kind_parse(svc__str(r, "kind"))),
                    reminder ? "evaluation.remind" : "evaluation.invite", NULL, NULL, err);
out:
    if (body != NULL)
        sodium_memzero(body, strlen(body));
    free(body);
    free(subject);
    return rc;
}

int svc_eval_rater_add(const struct svc *sv, const char *id, const json_t *in, json_t **out,
                       struct cf_error *err)
{
    struct svc_checks ck = {err, CF_OK};
    struct cf_error e;
    struct seen s;
    char name[NAME_MAX_CHARS * 4 + 1], email[256], rid[37], now[32], hash[65], token[44];
    const char *kind = svc__str(in, "kind"), *due = svc__str(in, "due_on");
    json_t *row = NULL, *person = NULL, *subject = NULL;
    struct clock_date d;
    int rc, k = rater_kind_parse(kind);

    *out = NULL;
    memset(&s, 0, sizeof s);
    name[0] = email[0] = '\0';
    if (k < 0)
        svc__check(
            &ck,
            cf_error_set(&e, CF_EINVAL, "kind",
                         "Choose the kind of rater: self, supervisor, peer or panel member."),
            &e);
    if (k != RATER_SELF) {
        svc__check(
            &ck,
            svc__text(in, "name", 1, NAME_MAX_CHARS, "the rater's name", name, sizeof name, &e),
            &e);
        svc__check(&ck, svc__email(svc__str(in, "email"), email, sizeof email, "email", &e), &e);
    }
    if (due != NULL && due[0] != '\0' &&
        (clock_date_parse(due, &d) != 0 || clock_date_cmp(d, clock_date_of(clock_now())) < 0))
        svc__check(&ck,
                   cf_error_set(&e, CF_EINVAL, "due_on",
                                "Give the due date as YYYY-MM-DD, today or later."),
                   &e);
    if (ck.rc != CF_OK)
        return ck.rc;

    clock_now_iso(now, sizeof now);
    rc = store_begin(sv->store, err);
    if (rc != CF_OK)
        return rc;
    rc = seen_of(sv, id, NULL, &s, err);
    if (rc != CF_OK)
        goto out;
    if (!s.admin) {
        rc = cf_error_set(err, CF_ENOTFOUND, NULL, NO_SUCH);
        goto out;
    }
    rc = store_eval_lock(sv->store, id, err);
    if (rc != CF_OK)
        goto out;
    if (s.status == EVAL_CLOSED || s.status == EVAL_CANCELLED) {
        rc = cf_error_set(err, CF_ECONFLICT, NULL, "The evaluation is %s: no rater can be added.",
                          s.status == EVAL_CLOSED ? "closed" : "cancelled");
        goto out;
    }
    /* The self rater is the subject; another rater is the account with that address, when
     * there is one (they see it when they sign in), or a one-time link. */
    if (k == RATER_SELF) {
        rc = store_person_get(sv->store, svc__str(s.ev, "subject_id"), &subject, err);
        if (rc != CF_OK)
            goto out;
        snprintf(name, sizeof name, "%s", svc__str(subject, "name"));
        snprintf(email, sizeof email, "%s", svc__str(subject, "email"));
    } else {
        rc = store_person_by_email(sv->store, email, &person, err);
        if (rc == CF_ENOTFOUND)
            rc = CF_OK;
        if (rc != CF_OK)
            goto out;
        if (person != NULL && strcmp(svc__str(person, "status"), "active") != 0) {
            json_decref(person);
            person = NULL;
        }
        if (person != NULL && strcmp(svc__str(person, "id"), svc__str(s.ev, "subject_id")) == 0) {
            rc = cf_error_set(err, CF_EINVAL, "email",
                              "That is the person being evaluated: add them as the self rater.");
            goto out;
        }
    }
    svc__uuid(rid);
    row = json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s, s:s?, s:s}", "id", rid, "evaluation_id", id,
                    "kind", kind, "person_id",
                    k == RATER_SELF  ? svc__str(subject, "id")
                    : person != NULL ? svc__str(person, "id")
                                     : NULL,
                    "name", name, "email", email, "due_on",
                    due != NULL && due[0] != '\0' ? due : NULL, "invited_at", now);
    if (row == NULL) {
        rc = nomem(err);
        goto out;
    }
    /* A rater without an account needs a link hash from the start; it is replaced (and the
     * link sent) when the evaluation opens. */
    svc__token_new(token);
    svc__token_hash(token, hash);
    sodium_memzero(token, sizeof token);
    rc = store_eval_rater_insert(
        sv->store, row, json_is_null(json_object_get(row, "person_id")) ? hash : NULL, err);
    if (rc == CF_OK)
        rc = record(sv, s.ev, rid, "rater_added", rater_kind_label((enum rater_kind)k),
                    "evaluation.rater_add", NULL, row, err);
    json_object_set_new(row, "status", json_string("invited"));
    if (rc == CF_OK && s.status == EVAL_OPEN)
        rc = invite(sv, s.ev, row, 0, err);
out:
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    if (rc == CF_OK)
        *out = json_pack("{s:s}", "id", rid);
    json_decref(row);
    json_decref(person);
    json_decref(subject);
    seen_free(&s);
    return rc;
}

/*
 * Opens the write transaction of an administrator's action on rater of evaluation id: sv
 * must manage the evaluation (else 404); it is locked and read again under the lock into
 * s->ev, and the rater row (which must belong to it) into *r. CF_OK with the transaction
 * open; on failure it is rolled back and *s and *r are empty.
 */
static int admin_rater_begin(const struct svc *sv, const char *id, const char *rater,
                             struct seen *s, json_t **r, struct cf_error *err)
{
    int rc;

    memset(s, 0, sizeof *s);
    *r = NULL;
    rc = store_begin(sv->store, err);
    if (rc != CF_OK)
        return rc;
    rc = seen_of(sv, id, NULL, s, err);
    if (rc == CF_OK && !s->admin)
        rc = cf_error_set(err, CF_ENOTFOUND, NULL, NO_SUCH);
    if (rc == CF_OK)
        rc = store_eval_lock(sv->store, id, err);
    if (rc == CF_OK) {
        json_decref(s->ev);
        s->ev = NULL;
        rc = store_eval_get(sv->store, id, &s->ev, err);
    }
    if (rc == CF_OK) {
        rc = store_eval_rater_get(sv->store, rater != NULL ? rater : "", r, err);
        if (rc == CF_OK && strcmp(svc__str(*r, "evaluation_id"), id) != 0)
            rc = CF_ENOTFOUND;
        if (rc == CF_ENOTFOUND)
            rc = cf_error_set(err, CF_ENOTFOUND, NULL, "There is no such rater.");
    }
    if (rc != CF_OK) {
        store_rollback(sv->store);
        json_decref(*r);
        *r = NULL;
        seen_free(s);
    }
    return rc;
}

int svc_eval_rater_remove(const struct svc *sv, const char *id, const char *rater,
                          struct cf_error *err)
{
    struct seen s;
    json_t *r = NULL;
    int rc = admin_rater_begin(sv, id, rater, &s, &r, err);

    if (rc != CF_OK)
        return rc;
    rc = store_eval_rater_remove(sv->store, rater, err);
    if (rc == CF_OK)
        rc = record(sv, s.ev, NULL, "rater_removed",
                    rater_kind_label((enum rater_kind)rater_kind_parse(svc__str(r, "kind"))),
                    "evaluation.rater_remove", r, NULL, err);
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    json_decref(r);
    seen_free(&s);
    return rc;
}

/* --- the cycle: open, close, reopen, cancel --------------------------------------------- */

int svc_eval_act(const struct svc *sv, const char *id, const char *action, const json_t *in,
                 struct cf_error *err)
{
    char reason[EVAL_REASON_MAX * 4 + 1];
    struct seen s;
    json_t *skills = NULL, *raters = NULL, *r;
    enum eval_status next;
    size_t i;
    char now[32];
    int rc, a = eval_action_parse(action);

    memset(&s, 0, sizeof s);
    if (a < 0)
        return cf_error_set(err, CF_EINVAL, "action", "Choose open, close, reopen or cancel.");
    rc = svc__text(in, "reason", a == EVAL_ACT_REOPEN || a == EVAL_ACT_CANCEL, EVAL_REASON_MAX,
                   "the reason", reason, sizeof reason, err);
    if (rc != CF_OK)
        return rc;
    clock_now_iso(now, sizeof now);
    rc = store_begin(sv->store, err);
    if (rc != CF_OK)
        return rc;
    rc = seen_of(sv, id, NULL, &s, err);
    if (rc == CF_OK && !s.admin)
        rc = cf_error_set(err, CF_ENOTFOUND, NULL, NO_SUCH);
    if (rc == CF_OK)
        rc = store_eval_lock(sv->store, id, err);
    if (rc != CF_OK)
        goto out;
    /* Read again under the lock: the status the rule sees is the one that commits. */
    json_decref(s.ev);
    s.ev = NULL;
    rc = store_eval_get(sv->store, id, &s.ev, err);
    if (rc == CF_OK)
        rc = store_eval_skills(sv->store, id, &skills, err);
    if (rc == CF_OK)
        rc = store_eval_raters(sv->store, id, &raters, err);
    if (rc != CF_OK)
        goto out;
    s.status = (enum eval_status)eval_status_parse(svc__str(s.ev, "status"));
    rc = eval_apply(s.status, (enum eval_action)a, json_array_size(skills), json_array_size(raters),
                    &next, err);
    if (rc == CF_OK)
        rc = store_eval_set_status(sv->store, id, eval_status_code(s.status),
                                   eval_status_code(next), now, err);
    if (rc == CF_OK) {
        json_t *before = json_pack("{s:s}", "status", eval_status_code(s.status));
        json_t *after = json_pack("{s:s, s:s}", "status", eval_status_code(next), "reason", reason);
        char act[48];

        snprintf(act, sizeof act, "evaluation.%s", action);
        rc = record(sv, s.ev, NULL,
                    a == EVAL_ACT_OPEN     ? "opened"
                    : a == EVAL_ACT_CLOSE  ? "closed"
                    : a == EVAL_ACT_REOPEN ? "reopened"
                                           : "cancelled",
                    reason[0] != '\0' ? reason : NULL, act, before, after, err);
        json_decref(before);
        json_decref(after);
    }
    /* Opening sends every rater their invitation. */
    if (rc == CF_OK && a == EVAL_ACT_OPEN) {
        json_array_foreach(raters, i, r)
        {
            if (rc == CF_OK)
                rc = invite(sv, s.ev, r, 0, err);
        }
    }
out:
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    json_decref(skills);
    json_decref(raters);
    seen_free(&s);
    return rc;
}

/* --- answering and submitting ----------------------------------------------------------- */

/* The links of an answer: an array (or one string, one address per line) of http(s) addresses. */
static int links_of(const json_t *in, json_t **out, struct cf_error *err)
{
    const json_t *v = json_object_get(in, "links");
    json_t *arr = json_array(), *x;
    size_t i;

    *out = NULL;
    if (arr == NULL)
        return nomem(err);
    if (json_is_string(v)) {
        const char *p = json_string_value(v);

        while (*p != '\0') {
            size_t n = strcspn(p, "\r\n");
            const char *b = p, *e = p + n;

            while (b < e && (*b == ' ' || *b == '\t'))
                b++;
            while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
                e--;
            if (e > b)
                json_array_append_new(arr, json_stringn(b, (size_t)(e - b)));
            p += n;
            while (*p == '\r' || *p == '\n')
                p++;
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, x)
        {
            if (!json_is_string(x)) {
                json_decref(arr);
                return cf_error_set(err, CF_EINVAL, "links", "Give each link as an address.");
            }
            json_array_append(arr, x);
        }
    } else if (v != NULL && !json_is_null(v)) {
        json_decref(arr);
        return cf_error_set(err, CF_EINVAL, "links", "Give each link as an address.");
    }
    if (json_array_size(arr) > EVAL_LINKS_MAX) {
        json_decref(arr);
        return cf_error_set(err, CF_EINVAL, "links", "Give at most %d links.", EVAL_LINKS_MAX);
    }
    json_array_foreach(arr, i, x)
    {
        const char *u = json_string_value(x);

        if (strlen(u) > EVAL_LINK_MAX ||
            (strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0) ||
            strpbrk(u, " \t\"<>") != NULL) {
            json_decref(arr);
            return cf_error_set(err, CF_EINVAL, "links",
                                "Give each link as a web address starting with https://.");
        }
    }
    *out = arr;
    return CF_OK;
}

/* The integer field k of in (a number or decimal text), or dflt when absent or empty; -1 when
 * it is neither. */
static long int_of(const json_t *in, const char *k, long dflt)
{
    const json_t *v = json_object_get(in, k);
    const char *s;
    char *end;
    long n;

    if (v == NULL || json_is_null(v))
        return dflt;
    if (json_is_integer(v))
        return (long)json_integer_value(v);
    if (json_is_true(v))
        return 1;
    if (json_is_false(v))
        return 0;
    s = json_string_value(v);
    if (s == NULL)
        return -1;
    if (s[0] == '\0')
        return dflt;
    n = strtol(s, &end, 10);
    return *end == '\0' && n >= 0 && n < 1000000000L ? n : -1;
}

/*
 * Opens the write transaction of a rater's action on evaluation id (or the one of link
 * token): the viewer must be one of its raters; the evaluation is locked, then the rater's
 * row and the counted skills are read under the lock. CF_OK with the transaction open; on
 * failure it is rolled back and *s, *rater and *skills are empty.
 */
static int rater_begin(const struct svc *sv, const char *id, const char *token, struct seen *s,
                       json_t **rater, json_t **skills, struct cf_error *err)
{
    int rc;

    memset(s, 0, sizeof *s);
    *rater = *skills = NULL;
    rc = store_begin(sv->store, err);
    if (rc != CF_OK)
        return rc;
    rc = seen_of(sv, id, token, s, err);
    if (rc == CF_OK && s->rater == NULL)
        rc = cf_error_set(err, CF_EFORBIDDEN, NULL, "You are not a rater of this evaluation.");
    if (rc == CF_OK)
        rc = store_eval_lock(sv->store, svc__str(s->ev, "id"), err);
    if (rc == CF_OK)
        rc = store_eval_rater_get(sv->store, svc__str(s->rater, "id"), rater, err);
    if (rc == CF_OK)
        rc = store_eval_skills(sv->store, svc__str(s->ev, "id"), skills, err);
    if (rc != CF_OK) {
        store_rollback(sv->store);
        json_decref(*rater);
        json_decref(*skills);
        *rater = *skills = NULL;
        seen_free(s);
    }
    return rc;
}

static int eval_answer(const struct svc *sv, const char *id, const char *token, const json_t *in,
                       json_t **out, struct cf_error *err)
{
    char note[EVAL_NOTE_MAX * 4 + 1], now[32];
    const char *item = svc__str(in, "item_id");
    struct seen s;
    json_t *skills = NULL, *links = NULL, *rater = NULL, *after = NULL;
    long level = int_of(in, "level", 0), no_basis = int_of(in, "no_basis", 0),
         seen = int_of(in, "seq", 0);
    int64_t seq = 0;
    char *links_text = NULL;
    int rc, kind, rst;
    size_t i;
    json_t *x;
    int counted = 0;

    *out = NULL;
    memset(&s, 0, sizeof s);
    if (level < 0)
        return cf_error_set(err, CF_EINVAL, "level", "Choose a level.");
    if (seen < 0)
        return cf_error_set(err, CF_EINVAL, "seq", "Reload the page and answer again.");
    rc = svc__text(in, "note", 0, EVAL_NOTE_MAX, "the note", note, sizeof note, err);
    if (rc == CF_OK)
        rc = links_of(in, &links, err);
    if (rc != CF_OK)
        return rc;
    links_text = json_dumps(links, JSON_COMPACT);
    if (links_text == NULL) {
        json_decref(links);
        return nomem(err);
    }
    clock_now_iso(now, sizeof now);
    rc = rater_begin(sv, id, token, &s, &rater, &skills, err);
    if (rc != CF_OK)
        goto done;
    id = svc__str(s.ev, "id");
    json_array_foreach(skills, i, x)
    {
        if (item != NULL && strcmp(svc__str(x, "item_id"), item) == 0)
            counted = 1;
    }
    /* An indicator of a counted skill takes a level (optional), a core value a comment. */
    if (!counted && item != NULL) {
        json_t *fw = NULL, *sk2;
        char rb[128];
        int k2 = 0;
        size_t q, w;

        rc = framework_skills(sv, svc__str(s.ev, "framework_doc"), &fw, rb, sizeof rb, &k2, NULL,
                              err);
        json_array_foreach(skills, q, x)
        {
            json_t *ind;

            sk2 = skill_of(fw, svc__str(x, "item_id"));
            json_array_foreach(json_object_get(sk2, "indicators"), w, ind)
            {
                if (strcmp(svc__str(ind, "item_id"), item) == 0)
                    counted = 3;
            }
        }
        json_decref(fw);
        if (rc != CF_OK)
            goto out;
    }
    if (!counted && item != NULL) {
        json_t *fw = NULL, *values = NULL;
        char rubric[128];
        int k = 0;

        rc = framework_skills(sv, svc__str(s.ev, "framework_doc"), &fw, rubric, sizeof rubric, &k,
                              &values, err);
        json_array_foreach(values, i, x)
        {
            if (strcmp(svc__str(x, "item_id"), item) == 0)
                counted = 2;
        }
        json_decref(fw);
        json_decref(values);
        if (rc != CF_OK)
            goto out;
        if (counted == 2 && (level != 0 || no_basis != 0)) {
            rc = cf_error_set(err, CF_EINVAL, "level",
                              "The core values take a comment, not a level.");
            goto out;
        }
    }
    if (!counted) {
        rc = cf_error_set(err, CF_EINVAL, "item_id", "That skill is not rated in this evaluation.");
        goto out;
    }
    kind = rater_kind_parse(svc__str(rater, "kind"));
    rst = rater_status_parse(svc__str(rater, "status"));
    rc = eval_may_answer(s.status, (enum rater_status)rst, err);
    if (rc == CF_OK)
        rc = eval_answer_check((enum rater_kind)kind, (int)level, no_basis != 0,
                               (int)num(s.ev, "levels"), err);
    if (rc == CF_OK)
        rc = store_eval_answer_save(sv->store, svc__str(rater, "id"), item, (int)level,
                                    no_basis != 0, note, links_text, seen, now, &seq, err);
    if (rc == CF_OK && rst == RATER_INVITED)
        rc = store_eval_rater_set_status(sv->store, svc__str(rater, "id"), "invited", "started",
                                         now, err);
    if (rc == CF_OK) {
        after = json_pack("{s:s, s:s, s:I, s:b, s:s, s:O, s:I}", "rater_id", svc__str(rater, "id"),
                          "item_id", item, "level", (json_int_t)level, "no_basis", no_basis != 0,
                          "note", note, "links", links, "seq", (json_int_t)seq);
        rc = svc__audit(sv, svc__str(s.ev, "org_id"), "evaluation.answer", "evaluation", id, NULL,
                        after, err);
    }
out:
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    if (rc == CF_OK)
        *out =
            json_pack("{s:s, s:I, s:s}", "item_id", item, "seq", (json_int_t)seq, "saved_at", now);
done:
    free(links_text);
    json_decref(after);
    json_decref(links);
    json_decref(rater);
    json_decref(skills);
    seen_free(&s);
    return rc;
}

static int eval_submit(const struct svc *sv, const char *id, const char *token,
                       struct cf_error *err)
{
    struct seen s;
    json_t *skills = NULL, *answers = NULL, *rater = NULL, *mine = NULL, *x;
    struct eval_answer_state *st = NULL;
    size_t i, first = 0;
    int rc;
    char now[32];

    memset(&s, 0, sizeof s);
    clock_now_iso(now, sizeof now);
    rc = rater_begin(sv, id, token, &s, &rater, &skills, err);
    if (rc != CF_OK)
        return rc;
    id = svc__str(s.ev, "id");
    rc = store_eval_answers(sv->store, id, svc__str(rater, "id"), &answers, err);
    if (rc != CF_OK)
        goto out;
    mine = by_item(answers, NULL);
    st = calloc(json_array_size(skills) + 1, sizeof *st);
    if (st == NULL || mine == NULL) {
        rc = nomem(err);
        goto out;
    }
    json_array_foreach(skills, i, x)
    {
        const json_t *a = json_object_get(mine, svc__str(x, "item_id"));

        st[i].level = a != NULL ? (int)num(a, "level") : 0;
        st[i].no_basis = a != NULL && num(a, "no_basis") == 1;
    }
    rc = eval_may_submit(s.status, (enum rater_status)rater_status_parse(svc__str(rater, "status")),
                         (enum rater_kind)rater_kind_parse(svc__str(rater, "kind")), st,
                         json_array_size(skills), &first, err);
    if (rc == CF_OK)
        rc = store_eval_rater_set_status(sv->store, svc__str(rater, "id"), "started", "submitted",
                                         now, err);
    if (rc == CF_OK)
        rc = record(sv, s.ev, svc__str(rater, "id"), "submitted", svc__str(rater, "kind"),
                    "evaluation.submit", NULL, answers, err);
out:
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    free(st);
    json_decref(mine);
    json_decref(answers);
    json_decref(skills);
    json_decref(rater);
    seen_free(&s);
    return rc;
}

int svc_eval_rater_reopen(const struct svc *sv, const char *id, const char *rater, const json_t *in,
                          struct cf_error *err)
{
    char reason[EVAL_REASON_MAX * 4 + 1], now[32];
    struct seen s;
    json_t *r = NULL;
    int rc;

    rc = svc__text(in, "reason", 1, EVAL_REASON_MAX, "the reason", reason, sizeof reason, err);
    if (rc != CF_OK)
        return rc;
    clock_now_iso(now, sizeof now);
    rc = admin_rater_begin(sv, id, rater, &s, &r, err);
    if (rc != CF_OK)
        return rc;
    rc = eval_may_reopen_rater((enum eval_status)eval_status_parse(svc__str(s.ev, "status")),
                               (enum rater_status)rater_status_parse(svc__str(r, "status")), err);
    if (rc == CF_OK)
        rc = store_eval_rater_set_status(sv->store, rater, "submitted", "started", now, err);
    if (rc == CF_OK)
        rc = record(sv, s.ev, rater, "reopened_rater", reason, "evaluation.rater_reopen", r, NULL,
                    err);
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    json_decref(r);
    seen_free(&s);
    return rc;
}

int svc_eval_get(const struct svc *sv, const char *id, json_t **out, struct cf_error *err)
{
    return eval_get(sv, id, NULL, out, err);
}

int svc_eval_get_link(const struct svc *sv, const char *token, json_t **out, struct cf_error *err)
{
    return eval_get(sv, NULL, token, out, err);
}

int svc_eval_answer(const struct svc *sv, const char *id, const json_t *in, json_t **out,
                    struct cf_error *err)
{
    return eval_answer(sv, id, NULL, in, out, err);
}

int svc_eval_answer_link(const struct svc *sv, const char *token, const json_t *in, json_t **out,
                         struct cf_error *err)
{
    return eval_answer(sv, NULL, token, in, out, err);
}

int svc_eval_submit(const struct svc *sv, const char *id, struct cf_error *err)
{
    return eval_submit(sv, id, NULL, err);
}

int svc_eval_submit_link(const struct svc *sv, const char *token, struct cf_error *err)
{
    return eval_submit(sv, NULL, token, err);
}

/* --- reminders (run by the tick) --------------------------------------------------------- */

#define EVAL_REMIND_BATCH 500 /* raters reminded per tick at most; the next tick goes on */

int svc__evaluations_tick(const struct svc *sv, int64_t *reminded, struct cf_error *err)
{
    static const int before[] = {7, 1}; /* days before the due date */
    struct clock_date today = clock_date_of(clock_now());
    char until[CLOCK_DATE_LEN], now[32];
    json_t *due = NULL, *r;
    size_t i;
    int rc;

    *reminded = 0;
    clock_now_iso(now, sizeof now);
    clock_date_format(clock_date_add_days(today, before[0]), until, sizeof until);
    rc = store_eval_raters_due(sv->store, until, EVAL_REMIND_BATCH, &due, err);
    json_array_foreach(due, i, r)
    {
        struct clock_date d, last = {0, 0, 0}, point = {0, 0, 0}, x;
        const char *seen = !json_is_null(json_object_get(r, "reminded_at"))
                               ? svc__str(r, "reminded_at")
                               : svc__str(r, "invited_at");
        char day[CLOCK_DATE_LEN];
        json_t *ev;

        if (rc != CF_OK)
            break;
        if (clock_date_parse(svc__str(r, "due_on"), &d) != 0)
            continue;
        /* The latest reminder point already reached; none after the due date passes. */
        for (size_t k = 0; k < sizeof before / sizeof before[0]; k++) {
            x = clock_date_add_days(d, -before[k]);
            if (clock_date_cmp(x, today) <= 0 && clock_date_cmp(today, d) <= 0)
                point = x;
        }
        if (point.y == 0)
            continue;
        /* Once per point: the last contact (invitation or reminder) was before it. */
        if (seen != NULL && strlen(seen) >= 10) {
            snprintf(day, sizeof day, "%.10s", seen);
            if (clock_date_parse(day, &last) == 0 && clock_date_cmp(last, point) >= 0)
                continue;
        }
        ev = json_pack("{s:s, s:s, s:s?, s:s?, s:s?}", "id", svc__str(r, "evaluation_id"), "title",
                       svc__str(r, "title"), "subject_name", svc__str(r, "subject_name"), "due_on",
                       svc__str(r, "due_on"), "org_id", svc__str(r, "org_id"));
        if (ev == NULL) {
            rc = nomem(err);
            break;
        }
        rc = invite(sv, ev, r, 1, err);
        json_decref(ev);
        if (rc == CF_OK)
            (*reminded)++;
    }
    json_decref(due);
    return rc;
}

/* --- readiness for the credential (point 7) ------------------------------------------- */

int svc_eval_readiness(const struct svc *sv, const char *program, json_t **out,
                       struct cf_error *err)
{
    json_t *latest = NULL, *view = NULL, *app = NULL, *below = json_array(),
           *reasons = json_array();
    json_t *elig = NULL, *x;
    const char *verdict, *headline;
    size_t i;
    int rc, target = 3, eligible = 0;

    *out = NULL;
    if (below == NULL || reasons == NULL) {
        rc = nomem(err);
        goto out;
    }
    if (me(sv) == NULL) {
        rc = cf_error_set(err, CF_EUNAUTH, NULL, "Sign in to see your readiness.");
        goto out;
    }
    /* The eligibility facts, as the application form checks them. */
    rc = svc_apply_get(sv, program, &app, err);
    if (rc != CF_OK)
        goto out;
    elig = json_object_get(json_object_get(app, "evaluation"), "eligibility");
    eligible = json_is_true(json_object_get(elig, "eligible"));

    /* The latest closed evaluation of the person, read as they read it. */
    rc = store_eval_latest_closed(sv->store, me(sv), &latest, err);
    if (rc == CF_OK)
        rc = eval_get(sv, svc__str(latest, "id"), NULL, &view, err);
    if (rc == CF_ENOTFOUND) {
        rc = CF_OK;
        json_decref(latest);
        latest = NULL;
    }
    if (rc != CF_OK)
        goto out;
    if (view != NULL) {
        const json_t *res = json_object_get(view, "results");
        long levels = num(json_object_get(view, "evaluation"), "levels");

        /* The target: the level below the top of the scale (Proficient on the shipped
         * four-level rubric). Others' ratings count; the self rating only without them. */
        target = levels > 2 ? (int)levels - 1 : 2;
        json_array_foreach(json_object_get(res, "skills"), i, x)
        {
            const json_t *o = json_object_get(x, "others_mean"), *sf = json_object_get(x, "self");
            const json_t *v = json_is_number(o) ? o : sf;

            if (!json_is_number(v) || json_number_value(v) >= target)
                continue;
            json_array_append_new(
                below,
                json_pack("{s:O, s:O, s:O, s:i, s:O, s:s, s:f}", "code", json_object_get(x, "code"),
                          "name", json_object_get(x, "name"), "level", v, "target", target,
                          "weight", json_object_get(x, "weight"), "by",
                          json_is_number(o) ? "others" : "self", "priority",
                          (target - json_number_value(v)) * (double)num(x, "weight")));
        }
        /* Heaviest gap first: how far below, times the skill's weight. */
        for (i = 1; i < json_array_size(below); i++)
            for (size_t j = i; j > 0; j--) {
                json_t *a = json_array_get(below, j - 1), *b = json_array_get(below, j);

                if (json_number_value(json_object_get(b, "priority")) >
                    json_number_value(json_object_get(a, "priority"))) {
                    json_incref(a);
                    json_array_set(below, j - 1, b);
                    json_array_set_new(below, j, a);
                } else
                    break;
            }
    }

    if (view == NULL) {
        verdict = "review";
        headline = "Ask your district for a readiness review first.";
        json_array_append_new(reasons, json_string("No evaluation of you has closed yet, so "
                                                   "there are no ratings to read your readiness "
                                                   "from."));
    } else if (json_array_size(below) > 0) {
        verdict = "build";
        headline = "Build these areas first.";
        json_array_append_new(reasons,
                              json_sprintf("%zu of the skills were rated below %s in your latest "
                                           "evaluation.",
                                           json_array_size(below),
                                           target == 3 ? "Proficient" : "the target"));
    } else if (!eligible) {
        verdict = "eligibility";
        headline = "Your ratings are ready; meet the eligibility rules first.";
        json_array_append_new(reasons,
                              json_string("Every skill was rated at the target level or above."));
    } else {
        verdict = "apply";
        headline = "Apply now.";
        json_array_append_new(reasons,
                              json_string("Every skill was rated at the target level or above."));
    }
    json_array_append_new(reasons,
                          json_string(eligible ? "Your application meets the eligibility rules."
                                               : "Your application does not meet the eligibility "
                                                 "rules yet: the rules missed are listed below."));
    *out = json_pack(
        "{s:s, s:s, s:O, s:O, s:i, s:o, s:O?, s:b}", "verdict", verdict, "headline", headline,
        "reasons", reasons, "below", below, "target", target, "evaluation",
        view != NULL
            ? json_pack("{s:O, s:O, s:O}", "id",
                        json_object_get(json_object_get(view, "evaluation"), "id"), "title",
                        json_object_get(json_object_get(view, "evaluation"), "title"), "closed_at",
                        json_object_get(json_object_get(view, "evaluation"), "closed_at"))
            : json_null(),
        "eligibility", elig, "eligible", eligible);
    if (*out == NULL)
        rc = nomem(err);
out:
    json_decref(latest);
    json_decref(view);
    json_decref(app);
    json_decref(below);
    json_decref(reasons);
    return rc;
}
