/*
 * seed_people.c — fills a database with a large organization for bench/people.
 *
 *   seed_people DB PEOPLE DISTRICTS
 *
 * Makes the certification body with one program administrator, STATES = 10
 * states, DISTRICTS districts spread over them, each with one school, and
 * PEOPLE people spread over the districts and schools: in each district one
 * district administrator, the rest leaders and evaluators. Bulk rows go in
 * through the store in one transaction; the two accounts the benchmark signs
 * in as (the program administrator and the first district's administrator)
 * are made through svc with a real password. Prints two API tokens, one line
 * each: "program_admin TOKEN" and "district_admin TOKEN".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc/svc.h"

#define STATES 10
#define PW     "correct horse battery staple 9"

static void die(const char *what, const struct cf_error *err)
{
    fprintf(stderr, "seed_people: %s: %s\n", what, err != NULL ? err->message : "");
    exit(1);
}

static void uuid_of(const char *kind, long n, char id[37])
{
    /* Stable, distinct, UUID-shaped ids: kind number in the last group. */
    snprintf(id, 37, "00000000-0000-4000-8%03x-%012lx", (unsigned)(kind[0] & 0xff), n);
}

static void org(struct store *s, const char *id, const char *kind, const char *name,
                const char *parent)
{
    struct cf_error err = {0};
    json_t *o = json_pack("{s:s, s:s, s:s, s:s?, s:n, s:n, s:s, s:s}", "id", id, "kind", kind,
                          "name", name, "parent_id", parent, "nces_id", "enrollment", "created_at",
                          "2026-01-01T00:00:00Z", "updated_at", "2026-01-01T00:00:00Z");

    if (store_org_insert(s, o, &err) != CF_OK)
        die("org", &err);
    json_decref(o);
}

static void person(struct store *s, long n, const char *org_id, const char *role,
                   const char *grant_org)
{
    struct cf_error err = {0};
    char id[37], email[64], name[64], pseudo[32];
    json_t *p;

    uuid_of("p", n, id);
    snprintf(email, sizeof email, "person%06ld@district.example", n);
    snprintf(name, sizeof name, "Person %06ld", n);
    snprintf(pseudo, sizeof pseudo, "person-%06ld", n);
    p = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", id, "email", email, "name",
                  name, "title", "Technology staff", "org_id", org_id, "status", "active",
                  "pseudonym", pseudo, "created_at", "2026-01-01T00:00:00Z", "updated_at",
                  "2026-01-01T00:00:00Z");
    if (store_person_insert(s, p, &err) != CF_OK)
        die("person", &err);
    if (store_grant_add(s, id, role, grant_org, "2026-01-01T00:00:00Z", &err) != CF_OK)
        die("grant", &err);
    json_decref(p);
}

/* Adds a signed-in-able account through svc and prints an API token for it. */
static void account(struct store *s, const char *email, const char *role, const char *org_id)
{
    struct svc cli = {s, "cli", NULL, NULL, NULL, NULL};
    struct cf_error err = {0};
    json_t *out = NULL, *in = json_pack("{s:s, s:s, s:s, s:s, s:s}", "email", email, "name", role,
                                        "role", role, "org", org_id, "password", PW);
    struct principal who = {NULL, NULL, "session", NULL};
    struct svc as;
    const char *id;

    if (svc_person_add(&cli, in, &out, &err) != CF_OK)
        die("account", &err);
    json_decref(in);
    id = json_string_value(json_object_get(json_object_get(out, "person"), "id"));
    who.person_id = id;
    if (store_grants_of(s, id, &who.grants, &err) != CF_OK)
        die("grants", &err);
    as = (struct svc){s, "cli", NULL, NULL, &who, NULL};
    {
        json_t *tok = NULL, *roles = json_array();

        if (svc_api_token_create(&as, "bench", roles, &tok, &err) != CF_OK)
            die("token", &err);
        printf("%s %s\n", role, json_string_value(json_object_get(tok, "token")));
        json_decref(tok);
        json_decref(roles);
    }
    json_decref(who.grants);
    json_decref(out);
}

int main(int argc, char **argv)
{
    struct store *s = NULL;
    struct cf_error err = {0};
    char body[37], states[STATES][37], d0[37];
    long people, districts, n = 0;

    if (argc != 4) {
        fprintf(stderr, "usage: seed_people DB PEOPLE DISTRICTS\n");
        return 2;
    }
    people = strtol(argv[2], NULL, 10);
    districts = strtol(argv[3], NULL, 10);
    if (people < districts * 2 || districts < 1) {
        fprintf(stderr, "seed_people: need at least two people per district\n");
        return 2;
    }
    if (store_open(argv[1], STORE_CREATE | STORE_MIGRATE, &s, NULL, &err) != CF_OK)
        die("open", &err);
    if (store_begin(s, &err) != CF_OK)
        die("begin", &err);
    uuid_of("b", 0, body);
    org(s, body, "body", "Certification Body", NULL);
    for (int i = 0; i < STATES; i++) {
        char name[32];

        uuid_of("s", i, states[i]);
        snprintf(name, sizeof name, "State %02d", i);
        org(s, states[i], "state", name, NULL);
    }
    for (long d = 0; d < districts; d++) {
        char did[37], sid[37], name[48];
        long here = people / districts + (d < people % districts ? 1 : 0);

        uuid_of("d", d, did);
        uuid_of("c", d, sid);
        snprintf(name, sizeof name, "District %04ld", d);
        org(s, did, "district", name, states[d % STATES]);
        snprintf(name, sizeof name, "School %04ld", d);
        org(s, sid, "school", name, did);
        if (d == 0)
            memcpy(d0, did, sizeof d0);
        /* The first district's administrator is the benchmark's account (below). */
        for (long k = d == 0 ? 1 : 0; k < here; k++, n++)
            person(s, n, k % 2 == 0 ? did : sid,
                   k == 0 ? "district_admin" : (k % 5 == 0 ? "evaluator" : "leader"),
                   k == 0 ? did : (k % 2 == 0 ? did : sid));
    }
    if (store_commit(s, &err) != CF_OK)
        die("commit", &err);
    account(s, "program.admin@bench.example", "program_admin", body);
    account(s, "district.admin@bench.example", "district_admin", d0);
    fprintf(stderr, "seed_people: %ld people (+2 accounts), %ld districts, %d states\n", n,
            districts, STATES);
    store_close(s);
    return 0;
}
