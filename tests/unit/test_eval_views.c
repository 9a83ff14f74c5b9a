/*
 * test_eval_views.c — src/svc/eval_views.c (and store/eval_views.c) on SQLite and
 * (with CTOFRAME_TEST_PG) PostgreSQL: the team heatmap of a district and the state and
 * program aggregates under the group-of-5 rule. Evaluations are built through svc_eval_*
 * exactly as a district does: create, add raters, open, answer, close.
 *
 * Shown: each heatmap cell is the others' mean of the person's LATEST closed evaluation
 * (hand-computed below; self apart; "no basis to rate" left out; open evaluations not
 * shown); a district administrator of another district gets 404; a group of 4 is hidden,
 * a group of 5 shown; hiding one group hides another when the total would give it away.
 */
#include "tu_db.h"

/*
 * Opens an evaluation of subject run by admin, with a self rater and the raters of emails
 * (accounts); eval receives its id, skill the first two counted skills' ids and code their
 * codes.
 */
static void eval_open(struct store *s, const char *admin, const char *subject,
                      const char *const *emails, size_t n, char eval[37], char skill[2][37],
                      char code[2][16])
{
    struct tu_as a;
    struct cf_error err = {0};
    json_t *out = NULL, *in, *v = NULL;

    tu_as_person(&a, s, admin);
    in = json_pack("{s:s, s:s, s:s}", "subject", subject, "purpose", "annual", "title",
                   "Annual review");
    assert_ok(svc_eval_create(&a.sv, in, &out, &err), err);
    snprintf(eval, 37, "%s", tu_str(out, "id"));
    json_decref(out);
    json_decref(in);
    in = json_pack("{s:s}", "kind", "self");
    assert_ok(svc_eval_rater_add(&a.sv, eval, in, &out, &err), err);
    json_decref(out);
    json_decref(in);
    for (size_t i = 0; i < n; i++) {
        in = json_pack("{s:s, s:s, s:s}", "kind", i == 0 ? "supervisor" : "peer", "name", "A Rater",
                       "email", emails[i]);
        assert_ok(svc_eval_rater_add(&a.sv, eval, in, &out, &err), err);
        json_decref(out);
        json_decref(in);
    }
    in = json_object();
    assert_ok(svc_eval_act(&a.sv, eval, "open", in, &err), err);
    json_decref(in);
    assert_ok(svc_eval_get(&a.sv, eval, &v, &err), err);
    for (size_t i = 0; i < 2; i++) {
        const json_t *k = json_array_get(json_object_get(v, "skills"), i);

        snprintf(skill[i], 37, "%s", tu_str(k, "item_id"));
        snprintf(code[i], 16, "%s", tu_str(k, "code"));
    }
    json_decref(v);
    tu_as_done(&a);
}

/* person's answer on item of eval: level 1..4, or 0 for "no basis to rate". */
static void answer(struct store *s, const char *person, const char *eval, const char *item,
                   int level)
{
    struct tu_as a;
    struct cf_error err = {0};
    json_t *out = NULL, *in = json_pack("{s:s, s:i, s:b, s:i}", "item_id", item, "level", level,
                                        "no_basis", level == 0, "seq", 0);

    tu_as_person(&a, s, person);
    assert_ok(svc_eval_answer(&a.sv, eval, in, &out, &err), err);
    json_decref(out);
    json_decref(in);
    tu_as_done(&a);
}

/* Closes eval as admin at the instant at (the clock moves there and back). */
static void eval_close(struct store *s, const char *admin, const char *eval, const char *at)
{
    struct tu_as a;
    struct cf_error err = {0};
    json_t *in = json_object();

    setenv("CTOFRAME_NOW", at, 1);
    tu_as_person(&a, s, admin);
    assert_ok(svc_eval_act(&a.sv, eval, "close", in, &err), err);
    tu_as_done(&a);
    json_decref(in);
    setenv("CTOFRAME_NOW", TU_DB_NOW, 1);
}

/* The place of code among the view's columns, failing when absent. */
static size_t col(const json_t *v, const char *code)
{
    size_t i;
    json_t *c;

    json_array_foreach(json_object_get(v, "columns"), i, c)
    {
        if (strcmp(tu_str(c, "code"), code) == 0)
            return i;
    }
    fail_msg("no column %s", code);
    return 0;
}

/* The row of the view's list k whose key is val. */
static json_t *row_of(const json_t *v, const char *k, const char *key, const char *val)
{
    size_t i;
    json_t *r;

    json_array_foreach(json_object_get(v, k), i, r)
    {
        if (strcmp(tu_str(r, key), val) == 0)
            return r;
    }
    fail_msg("no row %s in %s", val, k);
    return NULL;
}

static double cell_mean(const json_t *row, size_t c)
{
    return json_number_value(
        json_object_get(json_array_get(json_object_get(row, "cells"), c), "mean"));
}

static int cell_hidden(const json_t *row, size_t c)
{
    return json_is_true(
        json_object_get(json_array_get(json_object_get(row, "cells"), c), "hidden"));
}

/*
 * District Maple: Lee has two closed evaluations (the later counts: supervisor 3, peer 4,
 * self 2 on the first skill → 3.5, self apart; on the second supervisor 2, the peer "no
 * basis" → 2.0); Ada one closed (supervisor 4 on the first skill; the second unrated);
 * Kim only an open one (not shown). Team mean of the first skill (3.5 + 4) / 2 = 3.75.
 */
static void test_team(void **state)
{
    struct backend *b = *state;
    struct store *s = b->s;
    char st[37], maple[37], birch[37], school[37], body[37];
    char admin[37], lee[37], ada[37], kim[37], sup[37], peer[37], far[37], prog[37];
    char e1[37], e2[37], e3[37], e4[37], skill[2][37], code[2][16];
    const char *const raters[] = {"sup@maple.test", "peer@maple.test"};
    struct tu_as a;
    struct cf_error err = {0};
    json_t *v = NULL, *r;
    size_t c0, c1;

    tu_framework_load(s);
    org_add(s, "body", "The Program", body);
    org_add(s, "state", "Ohio", st);
    tu_child_add(s, "district", st, "Maple District", maple);
    tu_child_add(s, "district", st, "Birch District", birch);
    tu_child_add(s, "school", maple, "Maple High", school);
    tu_person_add(s, "hr@maple.test", "Hana Reyes", "district_admin", maple, admin);
    tu_person_add(s, "lee@maple.test", "Lee Okafor", "leader", maple, lee);
    tu_person_add(s, "ada@maple.test", "Ada Lin", "leader", school, ada);
    tu_person_add(s, "kim@maple.test", "Kim Ode", "leader", maple, kim);
    tu_person_add(s, "sup@maple.test", "Sam Ito", "evaluator", maple, sup);
    tu_person_add(s, "peer@maple.test", "Pat Moe", "evaluator", maple, peer);
    tu_person_add(s, "hr@birch.test", "Flo Diaz", "district_admin", birch, far);
    tu_person_add(s, "pa@program.test", "Pam Ali", "program_admin", body, prog);

    eval_open(s, admin, lee, raters, 2, e1, skill, code);
    answer(s, sup, e1, skill[0], 1);
    eval_close(s, admin, e1, "2030-03-02T09:00:00Z");
    eval_open(s, admin, lee, raters, 2, e2, skill, code);
    answer(s, sup, e2, skill[0], 3);
    answer(s, peer, e2, skill[0], 4);
    answer(s, lee, e2, skill[0], 2);
    answer(s, sup, e2, skill[1], 2);
    answer(s, peer, e2, skill[1], 0);
    eval_close(s, admin, e2, "2030-03-05T09:00:00Z");
    eval_open(s, admin, ada, raters, 1, e3, skill, code);
    answer(s, sup, e3, skill[0], 4);
    eval_close(s, admin, e3, "2030-03-03T09:00:00Z");
    eval_open(s, admin, kim, raters, 1, e4, skill, code);
    answer(s, sup, e4, skill[0], 1);

    /* The district's administrator, by default their own district. */
    tu_as_person(&a, s, admin);
    assert_ok(svc_eval_team(&a.sv, NULL, &v, &err), err);
    assert_string_equal(tu_str(json_object_get(v, "district"), "id"), maple);
    assert_int_equal(json_array_size(json_object_get(v, "columns")), 10);
    assert_int_equal(json_array_size(json_object_get(v, "people")), 2);
    c0 = col(v, code[0]);
    c1 = col(v, code[1]);
    r = row_of(v, "people", "person_id", lee);
    assert_string_equal(tu_str(r, "evaluation_id"), e2);
    assert_float_equal(cell_mean(r, c0), 3.5, 1e-9);
    assert_string_equal(tu_str(json_array_get(json_object_get(r, "cells"), c0), "text"), "3.5");
    assert_int_equal(json_integer_value(
                         json_object_get(json_array_get(json_object_get(r, "cells"), c0), "band")),
                     4);
    assert_float_equal(cell_mean(r, c1), 2.0, 1e-9);
    assert_int_equal(json_integer_value(
                         json_object_get(json_array_get(json_object_get(r, "self"), c0), "level")),
                     2);
    r = row_of(v, "people", "person_id", ada);
    assert_float_equal(cell_mean(r, c0), 4.0, 1e-9);
    assert_true(
        json_is_null(json_object_get(json_array_get(json_object_get(r, "cells"), c1), "mean")));
    assert_float_equal(json_number_value(json_object_get(
                           json_array_get(json_object_get(v, "team_mean"), c0), "mean")),
                       3.75, 1e-9);
    json_decref(v);
    tu_as_done(&a);

    /* Another district's administrator: no such district. A program administrator: yes. */
    tu_as_person(&a, s, far);
    assert_int_equal(svc_eval_team(&a.sv, maple, &v, &err), CF_ENOTFOUND);
    assert_null(v);
    assert_ok(svc_eval_team(&a.sv, NULL, &v, &err), err);
    assert_int_equal(json_array_size(json_object_get(v, "people")), 0);
    json_decref(v);
    tu_as_done(&a);
    tu_as_person(&a, s, prog);
    assert_ok(svc_eval_team(&a.sv, maple, &v, &err), err);
    assert_int_equal(json_array_size(json_object_get(v, "people")), 2);
    json_decref(v);
    /* A school is read as its district; a state is no district. */
    assert_ok(svc_eval_team(&a.sv, school, &v, &err), err);
    assert_string_equal(tu_str(json_object_get(v, "district"), "id"), maple);
    json_decref(v);
    assert_int_equal(svc_eval_team(&a.sv, st, &v, &err), CF_ENOTFOUND);
    tu_as_done(&a);

    /* The district's administrator may not see aggregates across districts. */
    tu_as_person(&a, s, admin);
    assert_int_equal(svc_eval_aggregate(&a.sv, "program", NULL, &v, &err), CF_EFORBIDDEN);
    assert_null(v);
    assert_false(svc_eval_may_aggregate(&a.sv));
    tu_as_done(&a);
    tu_as_person(&a, s, prog);
    assert_true(svc_eval_may_aggregate(&a.sv));
    tu_as_done(&a);
}

/*
 * n people led in district d, each with one closed evaluation rated by the district's
 * supervisor: the first skill at levels[i], the second only for the first rated2 people
 * (level 2).
 */
static void team_of(struct store *s, const char *d, const char *tag, size_t n, const int *levels,
                    size_t rated2, char skill[2][37], char code[2][16])
{
    char admin[37], sup[37], email[64], sup_email[64];
    const char *raters[1];

    snprintf(email, sizeof email, "hr@%s.test", tag);
    tu_person_add(s, email, "Admin Person", "district_admin", d, admin);
    snprintf(sup_email, sizeof sup_email, "sup@%s.test", tag);
    tu_person_add(s, sup_email, "Super Visor", "evaluator", d, sup);
    raters[0] = sup_email;
    for (size_t i = 0; i < n; i++) {
        char who[37], ev[37], at[32];

        snprintf(email, sizeof email, "p%zu@%s.test", i, tag);
        tu_person_add(s, email, "Team Member", "leader", d, who);
        eval_open(s, admin, who, raters, 1, ev, skill, code);
        answer(s, sup, ev, skill[0], levels[i]);
        if (i < rated2)
            answer(s, sup, ev, skill[1], 2);
        /* Self-ratings never enter an aggregate. */
        answer(s, who, ev, skill[0], 1);
        snprintf(at, sizeof at, "2030-04-%02zuT09:00:00Z", i + 1);
        eval_close(s, admin, ev, at);
    }
}

/*
 * Ohio: Ash 5 people, Elm 4, Fir none. Elm is hidden (4 < 5), and Ash with it, since Ohio's total
 * of 9 minus Ash would give Elm away; the total shows. Iowa: Oak 5 (levels 1,2,3,4,4:
 * mean 2.8), Yew 5 (all 3: 3.0), total 2.9 — every group of 5 shows; the second skill
 * rated for 4 in Oak and 5 in Yew: Oak's cell hidden, and Yew's with it (the total of 9
 * would give Oak's away). Program-wide: Ohio 9 and Iowa 10 both show.
 */
static void test_aggregate(void **state)
{
    struct backend *b = *state;
    struct store *s = b->s;
    char body[37], ohio[37], iowa[37], ash[37], elm[37], fir[37], oak[37], yew[37], prog[37];
    char skill[2][37], code[2][16];
    static const int l_ash[] = {2, 2, 2, 2, 2}, l_elm[] = {4, 4, 4, 4};
    static const int l_oak[] = {1, 2, 3, 4, 4}, l_yew[] = {3, 3, 3, 3, 3};
    struct tu_as a;
    struct cf_error err = {0};
    json_t *v = NULL, *r, *t;
    size_t c0, c1;

    tu_framework_load(s);
    org_add(s, "body", "The Program", body);
    org_add(s, "state", "Ohio", ohio);
    org_add(s, "state", "Iowa", iowa);
    tu_child_add(s, "district", ohio, "Ash District", ash);
    tu_child_add(s, "district", ohio, "Elm District", elm);
    tu_child_add(s, "district", ohio, "Fir District", fir);
    tu_child_add(s, "district", iowa, "Oak District", oak);
    tu_child_add(s, "district", iowa, "Yew District", yew);
    tu_person_add(s, "pa@program.test", "Pam Ali", "program_admin", body, prog);
    team_of(s, ash, "ash", 5, l_ash, 5, skill, code);
    team_of(s, elm, "elm", 4, l_elm, 4, skill, code);
    team_of(s, oak, "oak", 5, l_oak, 4, skill, code);
    team_of(s, yew, "yew", 5, l_yew, 5, skill, code);

    tu_as_person(&a, s, prog);
    assert_ok(svc_eval_aggregate(&a.sv, "state", ohio, &v, &err), err);
    c0 = col(v, code[0]);
    c1 = col(v, code[1]);
    r = row_of(v, "groups", "id", elm);
    assert_true(json_is_true(json_object_get(r, "hidden")));
    assert_true(json_is_null(json_object_get(r, "people")));
    assert_true(cell_hidden(r, c0));
    assert_string_equal(tu_str(json_array_get(json_object_get(r, "cells"), c0), "text"),
                        "Fewer than 5: not shown.");
    r = row_of(v, "groups", "id", ash);
    assert_true(json_is_true(json_object_get(r, "hidden"))); /* complementary */
    assert_true(cell_hidden(r, c0));
    /* Fir, where nobody is evaluated, is listed and hidden like the others. */
    assert_int_equal(json_array_size(json_object_get(v, "groups")), 3);
    assert_true(json_is_true(json_object_get(row_of(v, "groups", "id", fir), "hidden")));
    t = json_object_get(v, "total");
    assert_int_equal(json_integer_value(json_object_get(t, "people")), 9);
    assert_float_equal(cell_mean(t, c0), 2.89, 1e-9); /* (5 x 2 + 4 x 4) / 9, two decimals */
    json_decref(v);

    assert_ok(svc_eval_aggregate(&a.sv, "state", iowa, &v, &err), err);
    r = row_of(v, "groups", "id", oak);
    assert_false(json_is_true(json_object_get(r, "hidden")));
    assert_int_equal(json_integer_value(json_object_get(r, "people")), 5);
    assert_float_equal(cell_mean(r, c0), 2.8, 1e-9);
    assert_true(cell_hidden(r, c1)); /* 4 rated the second skill */
    r = row_of(v, "groups", "id", yew);
    assert_float_equal(cell_mean(r, c0), 3.0, 1e-9);
    assert_true(cell_hidden(r, c1)); /* complementary: 9 - 5 would give Oak's 4 away */
    t = json_object_get(v, "total");
    assert_float_equal(cell_mean(t, c0), 2.9, 1e-9);
    assert_false(cell_hidden(t, c1));
    assert_int_equal(
        json_integer_value(json_object_get(json_array_get(json_object_get(t, "cells"), c1), "n")),
        9);
    /* A skill nobody rated: hidden everywhere (fewer than 5, namely none). */
    assert_true(cell_hidden(t, c1 == 9 ? 8 : 9));
    json_decref(v);

    assert_ok(svc_eval_aggregate(&a.sv, "program", NULL, &v, &err), err);
    r = row_of(v, "groups", "id", ohio);
    assert_int_equal(json_integer_value(json_object_get(r, "people")), 9);
    r = row_of(v, "groups", "id", iowa);
    assert_int_equal(json_integer_value(json_object_get(r, "people")), 10);
    assert_float_equal(cell_mean(r, c0), 2.9, 1e-9);
    t = json_object_get(v, "total");
    assert_int_equal(json_integer_value(json_object_get(t, "people")), 19);
    json_decref(v);

    /* A district is no state; a scope is named. */
    assert_int_equal(svc_eval_aggregate(&a.sv, "state", oak, &v, &err), CF_ENOTFOUND);
    assert_int_equal(svc_eval_aggregate(&a.sv, "planet", NULL, &v, &err), CF_EINVAL);
    assert_string_equal(err.field, "scope");
    tu_as_done(&a);
}

#define COMMON_TESTS(X) X(test_team) X(test_aggregate)

int main(void)
{
    TU_DB_MAIN("evaluation views", COMMON_TESTS);
}
