/*
 * test_authz.c — core/authz (roles, permissions, reach through the
 * organization tree) and the route table (every route decides its permission).
 */
#include "testutil.h"

#include <string.h>

#include "core/authz.h"
#include "web/web.h"

static json_t *grants(const char *spec)
{
    json_error_t je;
    json_t *g = json_loads(spec, 0, &je);

    assert_non_null(g);
    return g;
}

/* Every route names a real permission (PERM_UNSET would be refused and is a bug). */
static void test_every_route_has_a_permission(void **state)
{
    (void)state;
    assert_true(nroutes > 0);
    for (int i = 0; i < nroutes; i++) {
        const struct route *r = &routes[i];

        if (r->perm <= PERM_UNSET || r->perm >= PERM__COUNT)
            fail_msg("route %s %s has no permission", r->method, r->pattern);
        assert_string_not_equal(perm_name(r->perm), "unset");
        /* A scoped route names the thing in its first {} segment. */
        if (r->scope != SCOPE_NONE)
            assert_non_null(strstr(r->pattern, "{}"));
        /* Only GET routes may be cached, and never one that needs a signed-in person. */
        if (r->flags & ROUTE_CACHE) {
            assert_string_equal(r->method, "GET");
            assert_int_equal(r->perm, PERM_PUBLIC);
        }
        /* Every POST changes state, so it is CSRF-checked. */
        if (strcmp(r->method, "POST") == 0)
            assert_true(r->flags & ROUTE_CHANGES);
    }
}

static void test_perm_names(void **state)
{
    (void)state;
    assert_string_equal(perm_name(PERM_UNSET), "unset");
    assert_string_equal(perm_name(PERM_PEOPLE_READ), "people.read");
    assert_string_equal(perm_name((enum perm)999), "unset");
    for (int p = PERM_PUBLIC; p < PERM__COUNT; p++)
        assert_string_not_equal(perm_name((enum perm)p), "unset");
}

static void test_roles(void **state)
{
    (void)state;
    assert_int_equal(authz_nroles, 6);
    for (int i = 0; i < authz_nroles; i++)
        assert_true(authz_role_valid(authz_roles[i]));
    assert_false(authz_role_valid("public"));
    assert_false(authz_role_valid("Program_Admin"));
    assert_false(authz_role_valid(NULL));
    assert_true(authz_role_program_wide("program_admin"));
    assert_true(authz_role_program_wide("reviewer"));
    assert_false(authz_role_program_wide("district_admin"));
    assert_true(authz_role_has("program_admin", PERM_AUDIT_READ));
    assert_false(authz_role_has("district_admin", PERM_AUDIT_READ));
    assert_false(authz_role_has("district_admin", PERM_PEOPLE_ERASE));
    assert_true(authz_role_has("district_admin", PERM_PEOPLE_WRITE));
    assert_false(authz_role_has("leader", PERM_PEOPLE_READ));
    assert_true(authz_role_has("leader", PERM_SIGNED_IN));
    assert_false(authz_role_has("program_admin", PERM_UNSET));
}

/* The set is as wide as the enum: every permission has its own bit, none overlaps. */
static void test_perm_set(void **state)
{
    struct perm_set s, all = authz_role_perms("program_admin");

    (void)state;
    assert_true(PERM_SET_WORDS * 64 >= (size_t)PERM__COUNT);
    for (int p = 0; p < PERM__COUNT; p++) {
        memset(&s, 0, sizeof s);
        perm_set_add(&s, (enum perm)p);
        assert_int_equal(perm_set_count(&s), 1);
        for (int q = 0; q < PERM__COUNT; q++)
            assert_int_equal(perm_set_has(&s, (enum perm)q), p == q);
    }
    /* Values outside the enum are neither stored nor found. */
    memset(&s, 0, sizeof s);
    perm_set_add(&s, (enum perm)PERM__COUNT);
    perm_set_add(&s, (enum perm) - 1);
    assert_int_equal(perm_set_count(&s), 0);
    assert_false(perm_set_has(&all, (enum perm)PERM__COUNT));
    /* program_admin holds every permission but "unset"; the set and the check agree. */
    assert_int_equal(perm_set_count(&all), PERM__COUNT - 1);
    for (int i = 0; i < authz_nroles; i++) {
        struct perm_set r = authz_role_perms(authz_roles[i]);

        for (int p = 0; p < PERM__COUNT; p++)
            assert_int_equal(perm_set_has(&r, (enum perm)p),
                             authz_role_has(authz_roles[i], (enum perm)p));
    }
    s = authz_role_perms("nobody");
    assert_int_equal(perm_set_count(&s), 0);
}

/* A district admin reaches their district and its schools, not the state or another district. */
static void test_reach(void **state)
{
    json_t *g = grants("[{\"role\":\"district_admin\",\"org_id\":\"A\"}]");
    json_t *school_in_a = grants("[\"S\",\"A\",\"OH\"]");
    json_t *a = grants("[\"A\",\"OH\"]");
    json_t *b = grants("[\"B\",\"OH\"]");
    json_t *state_oh = grants("[\"OH\"]");
    json_t *none = json_array();
    json_t *pa = grants("[{\"role\":\"program_admin\",\"org_id\":\"BODY\"}]");

    (void)state;
    assert_true(authz_allows(g, PERM_PEOPLE_READ, school_in_a));
    assert_true(authz_allows(g, PERM_PEOPLE_WRITE, a));
    assert_false(authz_allows(g, PERM_PEOPLE_READ, b));
    assert_false(authz_allows(g, PERM_PEOPLE_READ, state_oh));
    assert_false(authz_allows(g, PERM_PEOPLE_READ, none));
    assert_true(authz_allows(g, PERM_PEOPLE_READ, NULL)); /* held somewhere */
    assert_false(authz_allows(g, PERM_AUDIT_READ, NULL));
    /* program-wide: everywhere, whatever the chain */
    assert_true(authz_allows(pa, PERM_PEOPLE_ERASE, b));
    assert_true(authz_allows(pa, PERM_PEOPLE_READ, none));
    /* nobody */
    assert_true(authz_allows(none, PERM_PUBLIC, b));
    assert_false(authz_allows(none, PERM_SIGNED_IN, NULL));
    assert_false(authz_allows(pa, PERM_UNSET, NULL));
    json_decref(g);
    json_decref(school_in_a);
    json_decref(a);
    json_decref(b);
    json_decref(state_oh);
    json_decref(none);
    json_decref(pa);
}

static void test_org_tree_rules(void **state)
{
    (void)state;
    assert_true(authz_org_parent_ok("body", NULL));
    assert_false(authz_org_parent_ok("body", "state"));
    assert_true(authz_org_parent_ok("state", NULL));
    assert_true(authz_org_parent_ok("district", "state"));
    assert_false(authz_org_parent_ok("district", NULL));
    assert_false(authz_org_parent_ok("district", "district"));
    assert_true(authz_org_parent_ok("school", "district"));
    assert_false(authz_org_parent_ok("school", NULL));
    assert_false(authz_org_parent_ok("school", "state"));
    assert_false(authz_org_parent_ok("county", NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_route_has_a_permission),
        cmocka_unit_test(test_perm_names),
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_perm_set),
        cmocka_unit_test(test_reach),
        cmocka_unit_test(test_org_tree_rules),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
