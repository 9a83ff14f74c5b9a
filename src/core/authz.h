/*
 * authz.h — roles, permissions and where they reach.
 *
 * A person holds roles in organizations (grants). A role brings a set of
 * permissions; a grant in an organization reaches that organization and
 * everything below it in the tree. Program-wide roles (program_admin,
 * reviewer, examiner) reach every organization wherever they were granted.
 * Pure: no I/O; grants and organization chains come in as JSON.
 */
#ifndef CF_CORE_AUTHZ_H
#define CF_CORE_AUTHZ_H

#include <jansson.h>
#include <stdint.h>

enum perm {
    PERM_UNSET = 0,    /* a route without a permission: refused, and the tests fail */
    PERM_PUBLIC,       /* anyone, signed in or not */
    PERM_SIGNED_IN,    /* any signed-in person (their own account) */
    PERM_PEOPLE_READ,  /* see people of an organization */
    PERM_PEOPLE_WRITE, /* invite people, grant and revoke roles, disable accounts */
    PERM_PEOPLE_ERASE, /* erase a person's personal data */
    PERM_ORGS_READ,    /* see organizations */
    PERM_ORGS_WRITE,   /* add and change organizations */
    PERM_AUDIT_READ,   /* browse and export the audit trail */
    PERM_OUTBOX_READ,  /* see the messages the system sends */
    PERM_OUTBOX_WRITE, /* send a failed message again */

    /* certification programs (issue 8) */
    PERM_PROGRAM_READ,  /* see the programs and the versions of their rules */
    PERM_PROGRAM_WRITE, /* save a new version of a program's rules */
    /* The certification life cycle (issue 8). Applying, logging one's own CE and seeing
     * one's own credential need only PERM_SIGNED_IN (the svc checks it is one's own). */
    PERM_APPLICATIONS_REVIEW, /* work the application queue: approve, reject, ask */
    PERM_APPEALS_DECIDE,      /* decide an appeal (never the first reviewer: a rule in svc) */
    PERM_RESULTS_IMPORT,      /* import the testing vendor's exam results */
    PERM_CREDENTIALS_READ,    /* see every credential, with its history */
    PERM_CREDENTIALS_WRITE,   /* suspend, reinstate and revoke credentials */
    PERM_CE_REVIEW,           /* approve or reject CE activities; run audits */
    PERM_CE_IMPORT,           /* import providers' attendance files */
    PERM_REPORTS_READ,        /* the program's reports */
    /* issue 9: evaluations against the framework's rubric */
    PERM_EVALUATIONS_MANAGE, /* open review cycles for people, invite raters, close, reopen */
    PERM__COUNT
};

/*
 * A set of permissions: one bit per value of enum perm, as many 64-bit words
 * as the enum needs, so adding permissions never overflows a fixed-width
 * integer (the width follows PERM__COUNT at compile time).
 */
#define PERM_SET_WORDS (((size_t)PERM__COUNT + 63u) / 64u)

struct perm_set {
    uint64_t w[PERM_SET_WORDS];
};

/* Adds p to s (values outside the enum are ignored). */
void perm_set_add(struct perm_set *s, enum perm p);
/* 1 when s holds p; 0 for values outside the enum. */
int perm_set_has(const struct perm_set *s, enum perm p);
/* How many permissions s holds. */
int perm_set_count(const struct perm_set *s);

/* The permission's name ("people.read"); "unset" for PERM_UNSET. */
const char *perm_name(enum perm p);

/* The roles, in the order of DESIGN.md ("public" is not a role one is granted). */
extern const char *const authz_roles[];
extern const int authz_nroles;

/* The role as people read it ("District administrator"); role itself when unknown. */
const char *authz_role_label(const char *role);

/*
 * 1 when role may be held in an organization of org_kind: program-wide roles
 * in the certification body ("body"), district_admin in a district, leader
 * and evaluator in a state, district or school.
 */
int authz_role_fits(const char *role, const char *org_kind);
/* Where the role is given, for messages ("in a district"). */
const char *authz_role_where(const char *role);

/* What a person with the role does, in a sentence; "" when unknown. */
const char *authz_role_description(const char *role);

/* 1 when role is one of authz_roles. */
int authz_role_valid(const char *role);

/* 1 when the role is program-wide (its grants reach every organization). */
int authz_role_program_wide(const char *role);

/* The permissions role brings (an empty set for an unknown role). */
struct perm_set authz_role_perms(const char *role);

/* 1 when role brings permission p. */
int authz_role_has(const char *role, enum perm p);

/*
 * 1 when grants ([{role, org_id}]) allow p on a target whose organization
 * chain is chain (["self id", "parent id", …, "root id"]). chain NULL: the
 * target belongs to no organization in particular (any grant with p will do);
 * an empty chain: only program-wide roles reach it.
 */
int authz_allows(const json_t *grants, enum perm p, const json_t *chain);

/* The kinds of organization, and which kinds may be the parent of each. */
int authz_org_kind_valid(const char *kind);
int authz_org_parent_ok(const char *kind, const char *parent_kind);

#endif
