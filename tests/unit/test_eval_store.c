/*
 * test_eval_store.c — src/store/evaluation.c on SQLite and (with CTOFRAME_TEST_PG)
 * PostgreSQL: evaluations, skills, raters, answers with their seq, the timeline;
 * and the two races the svc relies on the store for: two saves of one answer from
 * the same starting point (one wins, the other gets 409) and two status moves
 * from the same status (one wins).
 */
#include "tu_db.h"

#define NTHREADS 4
#define ROUNDS   5

static const char EVAL[] = "0e000000-0000-4000-8000-000000000001";
static const char RATER_SELF[] = "0e000000-0000-4000-8000-0000000000a1";
static const char RATER_SUP[] = "0e000000-0000-4000-8000-0000000000a2";

/* A person in org (no password); id receives their id. */
static void person(struct store *s, const char *email, const char *org, char id[37])
{
    struct svc sv = cli_of(s);
    struct cf_error err = {0};
    json_t *in = json_pack("{s:s, s:s, s:s, s:s}", "email", email, "name", "Pat Rater", "role",
                           "leader", "org", org);
    json_t *out = NULL;

    assert_ok(svc_person_add(&sv, in, &out, &err), err);
    snprintf(id, 37, "%s", tu_str(json_object_get(out, "person"), "id"));
    json_decref(in);
    json_decref(out);
}

/* A draft evaluation of subject in org with two skills, a self and a supervisor rater. */
static void fixture(struct store *s, char org[37], char subject[37], char sup[37])
{
    struct cf_error err = {0};
    json_t *row, *skills, *r;

    org_add(s, "state", "Ohio", org);
    person(s, "lee@x.test", org, subject);
    person(s, "sam@x.test", org, sup);
    row = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:b, s:s, s:s, s:s}", "id", EVAL,
                    "org_id", org, "subject_kind", "person", "subject_id", subject, "purpose",
                    "annual", "title", "Annual review 2030", "framework_doc", "doc-1", "rubric_id",
                    "rub-1", "levels", 4, "blind", 1, "due_on", "2030-06-30", "created_by", "cli",
                    "created_at", TU_DB_NOW);
    assert_ok(store_eval_insert(s, row, &err), err);
    json_decref(row);
    skills = json_pack("[{s:s, s:i}, {s:s, s:i}]", "item_id", "skill-IA", "weight", 15, "item_id",
                       "skill-IB", "weight", 10);
    assert_ok(store_eval_set_skills(s, EVAL, skills, &err), err);
    json_decref(skills);
    r = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", RATER_SELF, "evaluation_id", EVAL,
                  "kind", "self", "person_id", subject, "name", "Lee", "email", "lee@x.test",
                  "invited_at", TU_DB_NOW);
    assert_ok(store_eval_rater_insert(s, r, NULL, &err), err);
    json_decref(r);
    r = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", RATER_SUP, "evaluation_id", EVAL,
                  "kind", "supervisor", "person_id", sup, "name", "Sam", "email", "sam@x.test",
                  "invited_at", TU_DB_NOW);
    assert_ok(store_eval_rater_insert(s, r, NULL, &err), err);
    json_decref(r);
}

static void test_rows(void **state)
{
    struct backend *b = *state;
    struct cf_error err = {0};
    char org[37], subject[37], sup[37];
    json_t *e = NULL, *list = NULL, *orgs, *skills = NULL, *raters = NULL, *dup, *events = NULL;

    fixture(b->s, org, subject, sup);
    assert_ok(store_eval_get(b->s, EVAL, &e, &err), err);
    assert_string_equal(tu_str(e, "status"), "draft");
    assert_string_equal(tu_str(e, "subject_name"), "Pat Rater");
    assert_int_equal(json_integer_value(json_object_get(e, "levels")), 4);
    assert_int_equal(json_integer_value(json_object_get(e, "blind")), 1);
    json_decref(e);

    orgs = json_pack("[s]", org);
    assert_ok(store_eval_list(b->s, orgs, 10, &list, &err), err);
    assert_int_equal(json_array_size(list), 1);
    json_decref(list);
    assert_ok(store_eval_list(b->s, orgs, 0, &list, &err), err);
    assert_int_equal(json_array_size(list), 0);
    json_decref(list);
    json_decref(orgs);

    assert_ok(store_eval_skills(b->s, EVAL, &skills, &err), err);
    assert_int_equal(json_array_size(skills), 2);
    assert_string_equal(tu_str(json_array_get(skills, 0), "item_id"), "skill-IA");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(skills, 1), "weight")), 10);
    json_decref(skills);

    assert_ok(store_eval_raters(b->s, EVAL, &raters, &err), err);
    assert_int_equal(json_array_size(raters), 2);
    assert_string_equal(tu_str(json_array_get(raters, 0), "kind"), "self");
    assert_string_equal(tu_str(json_array_get(raters, 1), "status"), "invited");
    json_decref(raters);

    /* A second self rater, or the same person twice: 409 with a sentence. */
    dup =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
                  "0e000000-0000-4000-8000-0000000000a3", "evaluation_id", EVAL, "kind", "self",
                  "person_id", sup, "name", "Sam", "email", "sam@x.test", "invited_at", TU_DB_NOW);
    assert_int_equal(store_eval_rater_insert(b->s, dup, NULL, &err), CF_ECONFLICT);
    assert_non_null(strstr(err.message, "self-assessment"));
    json_object_set_new(dup, "kind", json_string("peer"));
    assert_int_equal(store_eval_rater_insert(b->s, dup, NULL, &err), CF_ECONFLICT);
    assert_non_null(strstr(err.message, "already a rater"));
    /* Without an account the rater comes by a link. */
    json_object_set_new(dup, "person_id", json_null());
    json_object_set_new(dup, "email", json_string("out@y.test"));
    assert_ok(store_eval_rater_insert(b->s, dup, "hash-1", &err), err);
    json_decref(dup);
    assert_ok(store_eval_rater_by_token(b->s, "hash-1", &e, &err), err);
    assert_string_equal(tu_str(e, "email"), "out@y.test");
    json_decref(e);
    assert_int_equal(store_eval_rater_by_token(b->s, "hash-2", &e, &err), CF_ENOTFOUND);

    /* Status moves are compare-and-set. */
    assert_ok(store_eval_set_status(b->s, EVAL, "draft", "open", TU_DB_NOW, &err), err);
    assert_int_equal(store_eval_set_status(b->s, EVAL, "draft", "open", TU_DB_NOW, &err),
                     CF_ECONFLICT);
    assert_ok(store_eval_get(b->s, EVAL, &e, &err), err);
    assert_string_equal(tu_str(e, "opened_at"), TU_DB_NOW);
    json_decref(e);

    assert_ok(store_eval_event_add(b->s, EVAL, NULL, TU_DB_NOW, "cli", "opened", NULL, &err), err);
    assert_ok(
        store_eval_event_add(b->s, EVAL, RATER_SUP, TU_DB_NOW, "cli", "invited", "Due soon.", &err),
        err);
    assert_ok(store_eval_events(b->s, EVAL, &events, &err), err);
    assert_int_equal(json_array_size(events), 2);
    assert_string_equal(tu_str(json_array_get(events, 1), "rater_id"), RATER_SUP);
    json_decref(events);
}

static void test_answers(void **state)
{
    struct backend *b = *state;
    struct cf_error err = {0};
    char org[37], subject[37], sup[37];
    int64_t seq = 0;
    json_t *all = NULL, *a;

    fixture(b->s, org, subject, sup);
    /* A first answer (seen 0), a change (seen 1), a stale change (seen 1 again): 409. */
    assert_ok(store_eval_answer_save(b->s, RATER_SELF, "skill-IA", 3, 0, "Led the plan.", "[]", 0,
                                     TU_DB_NOW, &seq, &err),
              err);
    assert_int_equal(seq, 1);
    assert_ok(store_eval_answer_save(b->s, RATER_SELF, "skill-IA", 4, 0, "Led it.",
                                     "[\"https://x.test/plan\"]", 1, TU_DB_NOW, &seq, &err),
              err);
    assert_int_equal(seq, 2);
    assert_int_equal(store_eval_answer_save(b->s, RATER_SELF, "skill-IA", 1, 0, "Old tab.", "[]", 1,
                                            TU_DB_NOW, &seq, &err),
                     CF_ECONFLICT);
    assert_string_equal(err.field, "level");
    /* A second "first" save of one answer: 409 too. */
    assert_int_equal(store_eval_answer_save(b->s, RATER_SELF, "skill-IA", 2, 0, "", "[]", 0,
                                            TU_DB_NOW, &seq, &err),
                     CF_ECONFLICT);
    /* No level yet (a note first), and "no basis to rate". */
    assert_ok(store_eval_answer_save(b->s, RATER_SUP, "skill-IB", 0, 0, "Ask the board.", "[]", 0,
                                     TU_DB_NOW, &seq, &err),
              err);
    assert_ok(store_eval_answer_save(b->s, RATER_SUP, "skill-IA", 0, 1, "", "[]", 0, TU_DB_NOW,
                                     &seq, &err),
              err);
    /* The database refuses a level with "no basis to rate". */
    assert_int_equal(store_eval_answer_save(b->s, RATER_SUP, "skill-IA", 2, 1, "", "[]", 1,
                                            TU_DB_NOW, &seq, &err),
                     CF_EINVAL);

    assert_ok(store_eval_answers(b->s, EVAL, NULL, &all, &err), err);
    assert_int_equal(json_array_size(all), 3);
    json_decref(all);
    assert_ok(store_eval_answers(b->s, EVAL, RATER_SELF, &all, &err), err);
    assert_int_equal(json_array_size(all), 1);
    a = json_array_get(all, 0);
    assert_int_equal(json_integer_value(json_object_get(a, "level")), 4);
    assert_int_equal(json_integer_value(json_object_get(a, "seq")), 2);
    assert_string_equal(json_string_value(json_array_get(json_object_get(a, "links"), 0)),
                        "https://x.test/plan");
    json_decref(all);
    assert_ok(store_eval_answers(b->s, EVAL, RATER_SUP, &all, &err), err);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(all, 0), "no_basis")), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(all, 1), "level")), 0);
    json_decref(all);

    /* Rater moves: started once, submitted, reopened (submitted_at cleared). */
    assert_ok(store_eval_rater_set_status(b->s, RATER_SELF, "invited", "started", TU_DB_NOW, &err),
              err);
    assert_ok(
        store_eval_rater_set_status(b->s, RATER_SELF, "started", "submitted", TU_DB_NOW, &err),
        err);
    assert_int_equal(
        store_eval_rater_set_status(b->s, RATER_SELF, "started", "submitted", TU_DB_NOW, &err),
        CF_ECONFLICT);
    assert_ok(
        store_eval_rater_set_status(b->s, RATER_SELF, "submitted", "started", TU_DB_NOW, &err),
        err);
    assert_ok(store_eval_rater_get(b->s, RATER_SELF, &a, &err), err);
    assert_true(json_is_null(json_object_get(a, "submitted_at")));
    assert_string_equal(tu_str(a, "started_at"), TU_DB_NOW);
    json_decref(a);
}

/* One racer: its own connection, one save of an answer from seq seen. */
struct saver {
    const char *url;
    pthread_barrier_t *start;
    int level;
    int64_t seen;
    int rc;
    struct cf_error err;
};

static void *save(void *p)
{
    struct saver *d = p;
    struct store *s = NULL;
    int64_t seq = 0;

    d->rc = store_open(d->url, 0, &s, NULL, &d->err);
    pthread_barrier_wait(d->start);
    if (d->rc == CF_OK)
        d->rc = store_eval_answer_save(s, RATER_SUP, "skill-IA", d->level, 0, "Race.", "[]",
                                       d->seen, TU_DB_NOW, &seq, &d->err);
    store_close(s);
    return NULL;
}

/* Racers saving one answer from the same seq: exactly one wins, the rest get 409. */
static void test_save_race(void **state)
{
    struct backend *b = *state;
    struct cf_error err = {0};
    char org[37], subject[37], sup[37];

    fixture(b->s, org, subject, sup);
    for (int round = 0; round < ROUNDS; round++) {
        struct saver d[NTHREADS];
        json_t *all = NULL;
        int ok = 0, won = 0;

        for (int i = 0; i < NTHREADS; i++)
            d[i] = (struct saver){b->url, NULL, 1 + i % 4, round, 0, {0}};
        tu_run_together(save, d, sizeof d[0], NTHREADS, offsetof(struct saver, start));
        for (int i = 0; i < NTHREADS; i++) {
            if (d[i].rc == CF_OK) {
                ok++;
                won = d[i].level;
            } else if (d[i].rc != CF_ECONFLICT && d[i].rc != CF_EBUSY)
                fail_msg("round %d, saver %d: %d (%s): %s", round, i, d[i].rc, cf_err_name(d[i].rc),
                         d[i].err.message);
        }
        if (ok != 1)
            fail_msg("round %d: %d of %d savers won; exactly one may", round, ok, NTHREADS);
        assert_ok(store_eval_answers(b->s, EVAL, RATER_SUP, &all, &err), err);
        assert_int_equal(json_integer_value(json_object_get(json_array_get(all, 0), "seq")),
                         round + 1);
        assert_int_equal(json_integer_value(json_object_get(json_array_get(all, 0), "level")), won);
        json_decref(all);
    }
}

#define COMMON_TESTS(X) X(test_rows) X(test_answers) X(test_save_race)

int main(void)
{
    TU_DB_MAIN("evaluation store", COMMON_TESTS);
}
