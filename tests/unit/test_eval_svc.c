/*
 * test_eval_svc.c — src/svc/evaluation.c on SQLite and (with CTOFRAME_TEST_PG)
 * PostgreSQL: a district administrator evaluates the district's technology leader
 * against the CoSN 2019 rubric, with a self rater, a supervisor with an account and a
 * peer without one.
 *
 * Shown: every field at fault named on create; invitations in the outbox when the
 * cycle opens (a link for the peer without an account); answers saved one by one
 * with their seq (a stale one refused); submit refused while a skill is unrated and
 * locking once done; reopen recorded; a blind cycle hides each rater's answers from
 * the others until it closes (and the district administrator sees progress only);
 * someone with no part in it gets 404; two administrators closing at once: one wins.
 */
#include "tu_db.h"

#include "svc/jobs.h"

#define NTHREADS 2
#define ROUNDS   4

struct fx {
    char state[37], district[37], other[37];
    char admin[37], admin2[37], leader[37], super[37], outsider[37], far_admin[37];
    char eval[37];
};

static void setup_people(struct store *s, struct fx *f)
{
    tu_framework_load(s);
    org_add(s, "state", "Ohio", f->state);
    tu_child_add(s, "district", f->state, "Maple District", f->district);
    tu_child_add(s, "district", f->state, "Birch District", f->other);
    tu_person_add(s, "hr@maple.test", "Hana Reyes", "district_admin", f->district, f->admin);
    tu_person_add(s, "hr2@maple.test", "Hugo Ross", "district_admin", f->district, f->admin2);
    tu_person_add(s, "cto@maple.test", "Lee Okafor", "leader", f->district, f->leader);
    tu_person_add(s, "supt@maple.test", "Sam Ito", "evaluator", f->district, f->super);
    tu_person_add(s, "cto@birch.test", "Olu Park", "leader", f->other, f->outsider);
    tu_person_add(s, "hr@birch.test", "Flo Diaz", "district_admin", f->other, f->far_admin);
}

/* An evaluation of the leader by the admin with self, supervisor and a peer (no account). */
static void cycle(struct store *s, struct fx *f, int open)
{
    struct tu_as a;
    struct cf_error err = {0};
    json_t *out = NULL, *in;

    tu_as_person(&a, s, f->admin);
    in = json_pack("{s:s, s:s, s:s, s:s}", "subject", f->leader, "purpose", "annual", "title",
                   "Annual review 2030", "due_on", "2030-06-30");
    assert_ok(svc_eval_create(&a.sv, in, &out, &err), err);
    snprintf(f->eval, sizeof f->eval, "%s", tu_str(out, "id"));
    json_decref(out);
    json_decref(in);
    in = json_pack("{s:s}", "kind", "self");
    assert_ok(svc_eval_rater_add(&a.sv, f->eval, in, &out, &err), err);
    json_decref(out);
    json_decref(in);
    in = json_pack("{s:s, s:s, s:s}", "kind", "supervisor", "name", "Sam Ito", "email",
                   "SUPT@maple.test");
    assert_ok(svc_eval_rater_add(&a.sv, f->eval, in, &out, &err), err);
    json_decref(out);
    json_decref(in);
    in = json_pack("{s:s, s:s, s:s}", "kind", "peer", "name", "Pia Nowak", "email",
                   "pia@elsewhere.test");
    assert_ok(svc_eval_rater_add(&a.sv, f->eval, in, &out, &err), err);
    json_decref(out);
    json_decref(in);
    if (open) {
        in = json_object();
        assert_ok(svc_eval_act(&a.sv, f->eval, "open", in, &err), err);
        json_decref(in);
    }
    tu_as_done(&a);
}

/* The ids of the counted skills of the evaluation as person sees it (at most n). */
static size_t skills_of(struct store *s, const char *person, const char *eval, char ids[][37],
                        size_t n)
{
    struct tu_as a;
    struct cf_error err = {0};
    json_t *v = NULL, *k;
    size_t i, got = 0;

    tu_as_person(&a, s, person);
    assert_ok(svc_eval_get(&a.sv, eval, &v, &err), err);
    json_array_foreach(json_object_get(v, "skills"), i, k)
    {
        if (got < n)
            snprintf(ids[got++], 37, "%s", tu_str(k, "item_id"));
    }
    json_decref(v);
    tu_as_done(&a);
    return got;
}

static long answer(struct store *s, const char *person, const char *eval, const char *item,
                   int level, long seq, int *rc)
{
    struct tu_as a;
    struct cf_error err = {0};
    json_t *out = NULL, *in = json_pack("{s:s, s:i, s:I, s:s}", "item_id", item, "level", level,
                                        "seq", (json_int_t)seq, "note", "Seen at board meetings.");
    long got = -1;

    tu_as_person(&a, s, person);
    *rc = svc_eval_answer(&a.sv, eval, in, &out, &err);
    if (*rc == CF_OK)
        got = (long)json_integer_value(json_object_get(out, "seq"));
    json_decref(out);
    json_decref(in);
    tu_as_done(&a);
    return got;
}

static void test_create_refusals(void **state)
{
    struct backend *b = *state;
    struct fx f;
    struct tu_as a;
    struct cf_error err = {0};
    json_t *out = NULL, *in;

    setup_people(b->s, &f);
    tu_as_person(&a, b->s, f.admin);
    in = json_pack("{s:s, s:s, s:s, s:s}", "subject", f.outsider, "purpose", "monthly", "title", "",
                   "due_on", "2001-01-01");
    assert_int_equal(svc_eval_create(&a.sv, in, &out, &err), CF_EINVAL);
    /* Each field at fault: a person outside the district is "no such person" to this admin. */
    assert_string_equal(err.field, "subject");
    assert_non_null(strstr(err.message, "."));
    json_decref(in);
    in = json_pack("{s:s, s:s, s:s, s:[{s:s}]}", "subject", f.leader, "purpose", "annual", "title",
                   "Review", "skills", "item_id", "not-a-skill");
    assert_int_equal(svc_eval_create(&a.sv, in, &out, &err), CF_EINVAL);
    assert_string_equal(err.field, "skills");
    json_decref(in);
    /* A leader cannot open evaluations. */
    tu_as_done(&a);
    tu_as_person(&a, b->s, f.leader);
    in = json_pack("{s:s, s:s, s:s}", "subject", f.leader, "purpose", "annual", "title", "Me");
    assert_int_equal(svc_eval_create(&a.sv, in, &out, &err), CF_EINVAL);
    assert_string_equal(err.field, "subject");
    json_decref(in);
    tu_as_done(&a);
}

static void test_cycle(void **state)
{
    struct backend *b = *state;
    struct fx f;
    struct tu_as a;
    struct cf_error err = {0};
    json_t *v = NULL, *msgs = NULL, *m, *in;
    char ids[12][37];
    size_t n, i;
    int rc;
    long seq;
    int links = 0, accounts = 0;

    setup_people(b->s, &f);
    cycle(b->s, &f, 0);

    /* A draft is the administrator's alone. */
    tu_as_person(&a, b->s, f.leader);
    assert_int_equal(svc_eval_get(&a.sv, f.eval, &v, &err), CF_ENOTFOUND);
    tu_as_done(&a);
    tu_as_person(&a, b->s, f.admin);
    assert_ok(svc_eval_get(&a.sv, f.eval, &v, &err), err);
    assert_int_equal(json_array_size(json_object_get(v, "skills")), 10);
    assert_int_equal(json_array_size(json_object_get(v, "raters")), 3);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(v, "evaluation"), "levels")), 4);
    /* The 2019 rubric's weights: I.A is 15 of 100. */
    assert_string_equal(tu_str(json_array_get(json_object_get(v, "skills"), 0), "code"), "I.A");
    assert_int_equal(json_integer_value(json_object_get(
                         json_array_get(json_object_get(v, "skills"), 0), "weight_pct")),
                     15);
    json_decref(v);
    in = json_object();
    assert_ok(svc_eval_act(&a.sv, f.eval, "open", in, &err), err);
    assert_int_equal(svc_eval_act(&a.sv, f.eval, "open", in, &err), CF_ECONFLICT);
    assert_int_equal(svc_eval_act(&a.sv, f.eval, "reopen", in, &err), CF_EINVAL); /* reason */
    json_decref(in);
    tu_as_done(&a);

    /* Three invitations: two to accounts (sign in), one with a one-time link. */
    {
        struct svc cli = cli_of(b->s);

        assert_ok(svc_outbox_list(&cli, NULL, 50, &msgs, &err), err);
    }
    json_array_foreach(
        json_object_get(msgs, "messages") != NULL ? json_object_get(msgs, "messages") : msgs, i, m)
    {
        const char *body = tu_str(m, "body");

        if (body == NULL || strstr(tu_str(m, "subject"), "Annual review 2030") == NULL)
            continue;
        if (strstr(body, "/rate/") != NULL)
            links++;
        if (strstr(body, "/evaluations/") != NULL)
            accounts++;
    }
    json_decref(msgs);
    assert_int_equal(links, 1);
    assert_int_equal(accounts, 2);

    /* The supervisor answers; a stale seq is refused; a level beyond the scale too. */
    n = skills_of(b->s, f.super, f.eval, ids, 12);
    assert_int_equal(n, 10);
    seq = answer(b->s, f.super, f.eval, ids[0], 3, 0, &rc);
    assert_int_equal(rc, CF_OK);
    assert_int_equal(seq, 1);
    assert_int_equal(answer(b->s, f.super, f.eval, ids[0], 2, 0, &rc), -1);
    assert_int_equal(rc, CF_ECONFLICT);
    assert_int_equal(answer(b->s, f.super, f.eval, ids[1], 5, 0, &rc), -1);
    assert_int_equal(rc, CF_EINVAL);

    /* Submit refused while skills are unrated. */
    tu_as_person(&a, b->s, f.super);
    assert_int_equal(svc_eval_submit(&a.sv, f.eval, &err), CF_EINVAL);
    assert_string_equal(err.field, "answers");
    assert_non_null(strstr(err.message, "9 skills"));
    tu_as_done(&a);
    for (i = 1; i < n; i++) {
        answer(b->s, f.super, f.eval, ids[i], 1 + (int)(i % 4), 0, &rc);
        assert_int_equal(rc, CF_OK);
    }
    /* The self rater answers one skill. */
    answer(b->s, f.leader, f.eval, ids[0], 4, 0, &rc);
    assert_int_equal(rc, CF_OK);

    /* Blind and open: the leader does not see the supervisor's answers, nor the reverse. */
    tu_as_person(&a, b->s, f.leader);
    assert_ok(svc_eval_get(&a.sv, f.eval, &v, &err), err);
    assert_int_equal(json_array_size(json_object_get(v, "others")), 0);
    assert_int_equal(json_array_size(json_object_get(v, "raters")), 0);
    assert_int_equal(json_integer_value(
                         json_object_get(json_array_get(json_object_get(v, "skills"), 0), "level")),
                     4);
    json_decref(v);
    tu_as_done(&a);
    /* The administrator sees progress, not answers. */
    tu_as_person(&a, b->s, f.admin);
    assert_ok(svc_eval_get(&a.sv, f.eval, &v, &err), err);
    assert_int_equal(json_array_size(json_object_get(v, "others")), 0);
    json_decref(v);
    tu_as_done(&a);
    /* Someone with no part in it, and an administrator of another district: 404. */
    tu_as_person(&a, b->s, f.outsider);
    assert_int_equal(svc_eval_get(&a.sv, f.eval, &v, &err), CF_ENOTFOUND);
    tu_as_done(&a);
    tu_as_person(&a, b->s, f.far_admin);
    assert_int_equal(svc_eval_get(&a.sv, f.eval, &v, &err), CF_ENOTFOUND);
    in = json_object();
    assert_int_equal(svc_eval_act(&a.sv, f.eval, "close", in, &err), CF_ENOTFOUND);
    json_decref(in);
    tu_as_done(&a);

    /* Submit locks; an answer after it is refused; a reopen is recorded and unlocks. */
    tu_as_person(&a, b->s, f.super);
    assert_ok(svc_eval_submit(&a.sv, f.eval, &err), err);
    assert_int_equal(svc_eval_submit(&a.sv, f.eval, &err), CF_ECONFLICT);
    tu_as_done(&a);
    assert_int_equal(answer(b->s, f.super, f.eval, ids[0], 1, 1, &rc), -1);
    assert_int_equal(rc, CF_ECONFLICT);
    tu_as_person(&a, b->s, f.admin);
    {
        char rater[37];
        json_t *r;

        assert_ok(svc_eval_get(&a.sv, f.eval, &v, &err), err);
        r = json_array_get(json_object_get(v, "raters"), 1);
        assert_string_equal(tu_str(r, "kind"), "supervisor");
        assert_true(json_is_true(json_object_get(r, "submitted")));
        snprintf(rater, sizeof rater, "%s", tu_str(r, "id"));
        json_decref(v);
        in = json_pack("{s:s}", "reason", "Sam asked to correct one rating.");
        assert_ok(svc_eval_rater_reopen(&a.sv, f.eval, rater, in, &err), err);
        assert_int_equal(svc_eval_rater_reopen(&a.sv, f.eval, rater, in, &err), CF_ECONFLICT);
        json_decref(in);
        assert_ok(svc_eval_get(&a.sv, f.eval, &v, &err), err);
        {
            json_t *t = json_object_get(v, "timeline"), *e;
            int reopened = 0;

            json_array_foreach(t, i, e)
            {
                if (strcmp(tu_str(e, "kind"), "reopened_rater") == 0 &&
                    strstr(tu_str(e, "note"), "correct one rating") != NULL)
                    reopened = 1;
            }
            assert_true(reopened);
        }
        json_decref(v);
    }
    tu_as_done(&a);
    answer(b->s, f.super, f.eval, ids[0], 2, 1, &rc);
    assert_int_equal(rc, CF_OK);

    /* Closed: the raters and the subject read every answer; nobody answers any more. */
    tu_as_person(&a, b->s, f.admin);
    in = json_object();
    assert_ok(svc_eval_act(&a.sv, f.eval, "close", in, &err), err);
    json_decref(in);
    assert_ok(svc_eval_get(&a.sv, f.eval, &v, &err), err);
    assert_int_equal(json_array_size(json_object_get(v, "others")), 3);
    json_decref(v);
    tu_as_done(&a);
    tu_as_person(&a, b->s, f.leader);
    assert_ok(svc_eval_get(&a.sv, f.eval, &v, &err), err);
    assert_int_equal(json_array_size(json_object_get(v, "others")), 2);
    {
        json_t *sup = json_array_get(json_object_get(v, "others"), 0);

        assert_string_equal(tu_str(sup, "kind"), "supervisor");
        assert_int_equal(json_integer_value(json_object_get(
                             json_array_get(json_object_get(sup, "answers"), 0), "level")),
                         2);
    }
    assert_false(json_is_true(json_object_get(v, "may_answer")));
    json_decref(v);
    tu_as_done(&a);
    assert_int_equal(answer(b->s, f.leader, f.eval, ids[1], 3, 0, &rc), -1);
    assert_int_equal(rc, CF_ECONFLICT);

    /* Lists: the leader's own, the administrator's managed. */
    tu_as_person(&a, b->s, f.leader);
    assert_ok(svc_eval_list(&a.sv, &v, &err), err);
    assert_int_equal(json_array_size(json_object_get(v, "mine")), 1);
    assert_int_equal(json_array_size(json_object_get(v, "managed")), 0);
    json_decref(v);
    tu_as_done(&a);
    tu_as_person(&a, b->s, f.far_admin);
    assert_ok(svc_eval_list(&a.sv, &v, &err), err);
    assert_int_equal(json_array_size(json_object_get(v, "managed")), 0);
    json_decref(v);
    tu_as_done(&a);
}

struct closer {
    const char *url, *admin, *eval;
    pthread_barrier_t *start;
    int rc;
    struct cf_error err;
};

static void *close_it(void *p)
{
    struct closer *d = p;
    struct store *s = NULL;
    struct principal who = {d->admin, NULL, "session", NULL};
    char actor[64];
    struct svc sv;
    json_t *in = json_object();

    d->rc = store_open(d->url, 0, &s, NULL, &d->err);
    if (d->rc == CF_OK)
        d->rc = store_grants_of(s, d->admin, &who.grants, &d->err);
    snprintf(actor, sizeof actor, "user:%s", d->admin);
    sv = (struct svc){s, actor, "req", TU_DB_BASE_URL, &who, "192.0.2.1"};
    pthread_barrier_wait(d->start);
    if (d->rc == CF_OK)
        d->rc = svc_eval_act(&sv, d->eval, "close", in, &d->err);
    json_decref(in);
    json_decref(who.grants);
    store_close(s);
    return NULL;
}

/* Two administrators close one evaluation at the same moment: one wins, one gets 409. */
static void test_close_race(void **state)
{
    struct backend *b = *state;
    struct fx f;

    setup_people(b->s, &f);
    for (int round = 0; round < ROUNDS; round++) {
        struct closer d[NTHREADS];
        int ok = 0;

        cycle(b->s, &f, 1);
        d[0] = (struct closer){b->url, f.admin, f.eval, NULL, 0, {0}};
        d[1] = (struct closer){b->url, f.admin2, f.eval, NULL, 0, {0}};
        tu_run_together(close_it, d, sizeof d[0], NTHREADS, offsetof(struct closer, start));
        for (int i = 0; i < NTHREADS; i++) {
            if (d[i].rc == CF_OK)
                ok++;
            else if (d[i].rc != CF_ECONFLICT && d[i].rc != CF_EBUSY)
                fail_msg("round %d, closer %d: %d (%s): %s", round, i, d[i].rc,
                         cf_err_name(d[i].rc), d[i].err.message);
        }
        if (ok != 1)
            fail_msg("round %d: %d of %d closers succeeded; exactly one may", round, ok, NTHREADS);
    }
}

/* Reminders at 7 and 1 days before the due date, once each, only to raters not submitted. */
static long tick_on(struct store *s, const char *now)
{
    struct svc sv = cli_of(s);
    struct cf_error err = {0};
    struct tick_report rep;

    setenv("CTOFRAME_NOW", now, 1);
    assert_ok(svc_tick(&sv, &rep, &err), err);
    setenv("CTOFRAME_NOW", TU_DB_NOW, 1);
    return (long)rep.rater_reminders;
}

static void test_reminders(void **state)
{
    struct backend *b = *state;
    struct fx f;
    struct tu_as a;
    struct cf_error err = {0};
    char ids[12][37];
    size_t n;
    int rc;

    setup_people(b->s, &f);
    cycle(b->s, &f, 1); /* due 2030-06-30, opened 2030-03-01 */
    assert_int_equal(tick_on(b->s, "2030-06-22T08:00:00Z"), 0); /* 8 days before */
    assert_int_equal(tick_on(b->s, "2030-06-23T08:00:00Z"), 3); /* 7 days before: everyone */
    assert_int_equal(tick_on(b->s, "2030-06-23T20:00:00Z"), 0); /* once per point */
    assert_int_equal(tick_on(b->s, "2030-06-26T08:00:00Z"), 0);

    /* The supervisor submits; the day before, only the two others are reminded. */
    n = skills_of(b->s, f.super, f.eval, ids, 12);
    for (size_t i = 0; i < n; i++) {
        answer(b->s, f.super, f.eval, ids[i], 2, 0, &rc);
        assert_int_equal(rc, CF_OK);
    }
    tu_as_person(&a, b->s, f.super);
    assert_ok(svc_eval_submit(&a.sv, f.eval, &err), err);
    tu_as_done(&a);
    assert_int_equal(tick_on(b->s, "2030-06-29T08:00:00Z"), 2);
    assert_int_equal(tick_on(b->s, "2030-06-30T08:00:00Z"), 0);
    assert_int_equal(tick_on(b->s, "2030-07-01T08:00:00Z"), 0); /* past due: no more */
}

/* A rater who has not started can be removed (the timeline keeps the invitation); one who
 * has started stays (409); another district's administrator gets 404. */
static void test_remove_rater(void **state)
{
    struct backend *b = *state;
    struct fx f;
    struct tu_as a;
    struct cf_error err = {0};
    json_t *v = NULL, *r;
    char ids[12][37], self[37] = "", sup[37] = "";
    size_t i;
    int rc;

    setup_people(b->s, &f);
    cycle(b->s, &f, 1);
    tu_as_person(&a, b->s, f.admin);
    assert_ok(svc_eval_get(&a.sv, f.eval, &v, &err), err);
    json_array_foreach(json_object_get(v, "raters"), i, r)
    {
        if (strcmp(tu_str(r, "kind"), "self") == 0)
            snprintf(self, sizeof self, "%s", tu_str(r, "id"));
        if (strcmp(tu_str(r, "kind"), "supervisor") == 0)
            snprintf(sup, sizeof sup, "%s", tu_str(r, "id"));
    }
    json_decref(v);
    tu_as_done(&a);
    skills_of(b->s, f.leader, f.eval, ids, 12);
    answer(b->s, f.leader, f.eval, ids[0], 2, 0, &rc);
    assert_int_equal(rc, CF_OK);

    tu_as_person(&a, b->s, f.far_admin);
    assert_int_equal(svc_eval_rater_remove(&a.sv, f.eval, sup, &err), CF_ENOTFOUND);
    tu_as_done(&a);
    tu_as_person(&a, b->s, f.admin);
    assert_int_equal(svc_eval_rater_remove(&a.sv, f.eval, self, &err), CF_ECONFLICT);
    assert_ok(svc_eval_rater_remove(&a.sv, f.eval, sup, &err), err);
    assert_int_equal(svc_eval_rater_remove(&a.sv, f.eval, sup, &err), CF_ENOTFOUND);
    assert_ok(svc_eval_get(&a.sv, f.eval, &v, &err), err);
    assert_int_equal(json_array_size(json_object_get(v, "raters")), 2);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(v, "progress"), "raters")),
                     2);
    json_decref(v);
    tu_as_done(&a);
}

#define COMMON_TESTS(X)                                                                            \
    X(test_create_refusals) X(test_cycle) X(test_close_race) X(test_reminders) X(test_remove_rater)

int main(void)
{
    TU_DB_MAIN("evaluations", COMMON_TESTS);
}
