/* authz.c — the role → permission table and the reach of a grant. */
#include "core/authz.h"

#include <string.h>

/* Every permission has a name: the table is exactly as long as the enum. */

static const char *const perm_names[PERM__COUNT] = {
    [PERM_UNSET] = "unset",
    [PERM_PUBLIC] = "public",
    [PERM_SIGNED_IN] = "signed_in",
    [PERM_PEOPLE_READ] = "people.read",
    [PERM_PEOPLE_WRITE] = "people.write",
    [PERM_PEOPLE_ERASE] = "people.erase",
    [PERM_ORGS_READ] = "orgs.read",
    [PERM_ORGS_WRITE] = "orgs.write",
    [PERM_AUDIT_READ] = "audit.read",
    [PERM_OUTBOX_READ] = "outbox.read",
    [PERM_OUTBOX_WRITE] = "outbox.write",
    [PERM_PROGRAM_READ] = "program.read",
    [PERM_PROGRAM_WRITE] = "program.write",
    [PERM_APPLICATIONS_REVIEW] = "applications.review",
    [PERM_APPEALS_DECIDE] = "appeals.decide",
    [PERM_RESULTS_IMPORT] = "results.import",
    [PERM_CREDENTIALS_READ] = "credentials.read",
    [PERM_CREDENTIALS_WRITE] = "credentials.write",
    [PERM_CE_REVIEW] = "ce.review",
    [PERM_CE_IMPORT] = "ce.import",
    [PERM_REPORTS_READ] = "reports.read",
    [PERM_EVALUATIONS_MANAGE] = "evaluations.manage",
};
_Static_assert(sizeof perm_names / sizeof perm_names[0] == PERM__COUNT,
               "perm_names must name every permission");
_Static_assert(PERM_SET_WORDS * 64u >= (size_t)PERM__COUNT, "struct perm_set is too narrow");

void perm_set_add(struct perm_set *s, enum perm p)
{
    if ((int)p >= 0 && p < PERM__COUNT)
        s->w[(size_t)p / 64u] |= UINT64_C(1) << ((unsigned)p % 64u);
}

int perm_set_has(const struct perm_set *s, enum perm p)
{
    if ((int)p < 0 || p >= PERM__COUNT)
        return 0;
    return (s->w[(size_t)p / 64u] >> ((unsigned)p % 64u)) & 1u;
}

int perm_set_count(const struct perm_set *s)
{
    int n = 0;

    for (int p = 0; p < PERM__COUNT; p++)
        n += perm_set_has(s, (enum perm)p);
    return n;
}

const char *perm_name(enum perm p)
{
    return (int)p >= 0 && p < PERM__COUNT && perm_names[p] != NULL ? perm_names[p] : "unset";
}

const char *const authz_roles[] = {"leader",   "evaluator", "district_admin",
                                   "reviewer", "examiner",  "program_admin"};
const int authz_nroles = (int)(sizeof authz_roles / sizeof authz_roles[0]);

/* The longest permission list of a role, PERM_UNSET-terminated (a longer list draws
 * "excess elements in array initializer", an error in CI's -Werror build). */
#define ROLE_PERMS_MAX 48
#define EVERYONE       PERM_PUBLIC, PERM_SIGNED_IN

/*
 * What each role may do, as a list of permissions (later issues add theirs:
 * the list is as long as it needs to be, with no bit-width limit);
 * all_perms: every permission there is.
 */
static const struct {
    const char *role, *label, *description;
    enum perm perms[ROLE_PERMS_MAX];
    int program_wide;
    int all_perms;
} table[] = {
    {"leader",
     "Technology leader",
     "A CTO, technology director or someone preparing for the post. Reads the frameworks, "
     "each skill's rubric and the crosswalks; rates themselves when a review asks for a "
     "self-assessment; applies for the CETL credential, logs continuing education and renews "
     "it; keeps their own account and API tokens.",
     {EVERYONE},
     0,
     0},
    {"evaluator",
     "Evaluator",
     "A superintendent, supervisor or peer of a technology leader. Reads the frameworks and "
     "what each rubric level looks like, rates a leader skill by skill when a review asks, and "
     "keeps their own account and API tokens.",
     {EVERYONE},
     0,
     0},
    {"district_admin",
     "District administrator",
     "The superintendent's office or HR of one district. Invites the district's staff, gives "
     "and takes away their roles, adds and updates the district's schools, and runs the "
     "reviews of its technology leaders against the framework's rubric.",
     {EVERYONE, PERM_PEOPLE_READ, PERM_PEOPLE_WRITE, PERM_ORGS_READ, PERM_ORGS_WRITE,
      PERM_EVALUATIONS_MANAGE},
     0,
     0},
    {"reviewer",
     "Certification reviewer",
     "Program staff. Works the queue of applications (approve, reject, ask for information, "
     "decide appeals of others' decisions), reviews continuing-education claims and renewal "
     "audits, and sees every credential; sees the program's people and organizations.",
     {EVERYONE, PERM_PEOPLE_READ, PERM_ORGS_READ, PERM_APPLICATIONS_REVIEW, PERM_APPEALS_DECIDE,
      PERM_CREDENTIALS_READ, PERM_CE_REVIEW, PERM_REPORTS_READ},
     1,
     0},
    {"examiner",
     "Examiner",
     "Program staff who work with the exam and the framework's content. Imports the testing "
     "vendor's exam results; reads the frameworks, rubrics and crosswalks and fetches them "
     "as CASE 1.0 packages for other systems.",
     {EVERYONE, PERM_RESULTS_IMPORT},
     1,
     0},
    {"program_admin",
     "Program administrator",
     "Runs the installation and the certification program: organizations and people "
     "everywhere, every role, the program's rules, results and continuing-education "
     "imports, suspending or revoking credentials, the audit trail and the outbox.",
     {PERM_UNSET},
     1,
     1},
};

static int find(const char *role)
{
    if (role == NULL)
        return -1;
    for (int i = 0; i < (int)(sizeof table / sizeof table[0]); i++)
        if (strcmp(role, table[i].role) == 0)
            return i;
    return -1;
}

const char *authz_role_label(const char *role)
{
    int i = find(role);

    return i >= 0 ? table[i].label : role;
}

int authz_role_fits(const char *role, const char *org_kind)
{
    int i = find(role);

    if (i < 0 || org_kind == NULL)
        return 0;
    if (table[i].program_wide)
        return strcmp(org_kind, "body") == 0;
    if (strcmp(role, "district_admin") == 0)
        return strcmp(org_kind, "district") == 0;
    return strcmp(org_kind, "state") == 0 || strcmp(org_kind, "district") == 0 ||
           strcmp(org_kind, "school") == 0;
}

const char *authz_role_where(const char *role)
{
    int i = find(role);

    if (i >= 0 && table[i].program_wide)
        return "in the certification body (it reaches the whole program)";
    if (i >= 0 && strcmp(role, "district_admin") == 0)
        return "in a district";
    return "in a state, a district or a school";
}

const char *authz_role_description(const char *role)
{
    int i = find(role);

    return i >= 0 ? table[i].description : "";
}

int authz_role_valid(const char *role)
{
    return find(role) >= 0;
}

int authz_role_program_wide(const char *role)
{
    int i = find(role);

    return i >= 0 && table[i].program_wide;
}

struct perm_set authz_role_perms(const char *role)
{
    struct perm_set s;
    int i = find(role);

    memset(&s, 0, sizeof s);
    if (i < 0)
        return s;
    if (table[i].all_perms) {
        for (int p = PERM_UNSET + 1; p < PERM__COUNT; p++)
            perm_set_add(&s, (enum perm)p);
        return s;
    }
    for (int k = 0; k < ROLE_PERMS_MAX && table[i].perms[k] != PERM_UNSET; k++)
        perm_set_add(&s, table[i].perms[k]);
    return s;
}

int authz_role_has(const char *role, enum perm p)
{
    int i = find(role);

    if (i < 0 || p <= PERM_UNSET || p >= PERM__COUNT)
        return 0;
    if (table[i].all_perms)
        return 1;
    for (int k = 0; k < ROLE_PERMS_MAX && table[i].perms[k] != PERM_UNSET; k++)
        if (table[i].perms[k] == p)
            return 1;
    return 0;
}

static int in_chain(const json_t *chain, const char *org)
{
    size_t i;
    json_t *v;

    if (org == NULL)
        return 0;
    json_array_foreach(chain, i,
                       v) if (json_is_string(v) && strcmp(json_string_value(v), org) == 0) return 1;
    return 0;
}

int authz_allows(const json_t *grants, enum perm p, const json_t *chain)
{
    size_t i;
    json_t *g;

    if (p == PERM_PUBLIC)
        return 1;
    if (p == PERM_UNSET)
        return 0;
    json_array_foreach(grants, i, g)
    {
        const char *role = json_string_value(json_object_get(g, "role"));

        if (!authz_role_has(role, p))
            continue;
        if (chain == NULL || authz_role_program_wide(role) ||
            in_chain(chain, json_string_value(json_object_get(g, "org_id"))))
            return 1;
    }
    return 0;
}

int authz_org_kind_valid(const char *kind)
{
    return kind != NULL && (strcmp(kind, "body") == 0 || strcmp(kind, "state") == 0 ||
                            strcmp(kind, "district") == 0 || strcmp(kind, "school") == 0);
}

int authz_org_parent_ok(const char *kind, const char *parent_kind)
{
    if (!authz_org_kind_valid(kind))
        return 0;
    if (strcmp(kind, "body") == 0 || strcmp(kind, "state") == 0)
        return parent_kind == NULL;
    /* A district belongs to a state (docs/guide.md: older ones without one are shown so). */
    if (strcmp(kind, "district") == 0)
        return parent_kind != NULL && strcmp(parent_kind, "state") == 0;
    return parent_kind != NULL && strcmp(parent_kind, "district") == 0; /* school */
}
