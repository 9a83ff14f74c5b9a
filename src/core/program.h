/*
 * program.h — a certification program's rules as data (pure).
 *
 * A program (CETL is the first; any other certification body's program uses
 * the same format) is a JSON document: eligibility paths, the authorization
 * to test, the exam's scale and cut, retakes, the term, the continuing
 * education (CE) requirement and its activity categories, the grace period,
 * audits, reminders and the credential number. program_parse() reads and
 * checks such a document into a struct program; every problem names its JSON
 * path ("$.ce.categories[2].cap") and says what is wrong, and unknown keys are
 * refused so a typo is never silently ignored. docs/programs.md describes
 * every field.
 *
 * The other functions are eligibility with every rule met or missed
 * explained, and the adapters that hand the program's numbers to the
 * credential life cycle (core/credential.h: term, reminders, numbers) and to
 * continuing education (core/ce.h: points with caps), which do those
 * computations once for every program. No I/O, no SQL: structs
 * in, structs out. Whether the score categories exist in the named framework
 * is checked by svc, which has the framework.
 */
#ifndef CF_CORE_PROGRAM_H
#define CF_CORE_PROGRAM_H

#include <jansson.h>
#include <stddef.h>

#include "core/ce.h"
#include "core/credential.h"

/* The one version of the format this code reads ("format": 1). */
#define PROGRAM_FORMAT 1
/* A program document is at most this many bytes. */
#define PROGRAM_MAX_BYTES (256u * 1024u)

#define PROGRAM_CODE_MAX    17 /* a code: 1-16 of A-Z a-z 0-9 _ - (with the NUL) */
#define PROGRAM_LABEL_MAX   201
#define PROGRAM_UUID_LEN    37
#define PROGRAM_PATHS_MAX   8
#define PROGRAM_SCORES_MAX  12
#define PROGRAM_CATS_MAX    16
#define PROGRAM_REMIND_MAX  8
#define PROGRAM_ASSUMED_MAX 48
#define PROGRAM_PATH_MAX    96  /* a JSON path as "$.a.b[3].c" */
#define PROGRAM_PREFIX_MAX  13  /* a credential number prefix: 1-12 of A-Z 0-9 */
#define PROGRAM_RULE_MAX    640 /* an explanation of one rule */

/* Degrees, lowest first: a path names the least it needs. */
enum program_degree {
    PROGRAM_DEGREE_NONE = 0,
    PROGRAM_DEGREE_ASSOCIATE,
    PROGRAM_DEGREE_BACHELOR,
    PROGRAM_DEGREE_MASTER,
    PROGRAM_DEGREE_DOCTORATE,
};

/* How a CE category's value counts. */
enum program_unit {
    PROGRAM_PER_HOUR = 0,
    PROGRAM_PER_ITEM,
    PROGRAM_PER_MEMBERSHIP_YEAR,
};

/* One way to be eligible: every rule of a path must be met. */
struct program_path {
    char id[PROGRAM_CODE_MAX];
    char label[PROGRAM_LABEL_MAX];
    enum program_degree degree;        /* the least degree (NONE: no degree needed) */
    int years;                         /* years of relevant experience, at least */
    int waiver;                        /* a written waiver request is needed */
    int supervisor_recommendation;     /* a signed supervisor recommendation is needed */
    char decided_by[PROGRAM_CODE_MAX]; /* "reviewer" or "committee" */
};

struct program_score_category {
    char code[PROGRAM_CODE_MAX]; /* a code of the framework ("I") */
    char label[PROGRAM_LABEL_MAX];
};

struct program_category {
    char code[PROGRAM_CODE_MAX];
    char label[PROGRAM_LABEL_MAX];
    int points;             /* points per unit */
    enum program_unit unit; /* per hour, per item, per membership-year */
    int cap;                /* points counted per term at most; -1: no cap */
};

struct program {
    char code[PROGRAM_CODE_MAX];
    char name[PROGRAM_LABEL_MAX];
    char framework_id[PROGRAM_UUID_LEN]; /* the CASE CFDocument identifier */
    char framework_title[PROGRAM_LABEL_MAX];

    int code_of_conduct; /* candidates must accept it */
    struct program_path paths[PROGRAM_PATHS_MAX];
    int npaths;

    int authorization_days; /* the exam must be taken within this many days of approval */

    int scale_min, scale_max, cut; /* scaled score; a pass is score >= cut */
    struct program_score_category scores[PROGRAM_SCORES_MAX];
    int nscores;
    int retake_wait_days;    /* after a fail, days before the next sitting */
    int retake_max_attempts; /* sittings at most within retake_period_days */
    int retake_period_days;

    int term_years;

    int ce_points_required; /* per term */
    int ce_skill_areas_min; /* each activity mapped to at least this many skill areas */
    char ce_skill_area_type[PROGRAM_LABEL_MAX]; /* CFItemType of a skill area ("Skill Area") */
    struct program_category cats[PROGRAM_CATS_MAX];
    int ncats;

    int grace_days; /* after expiry, before a credential lapses */

    int audit_percent;        /* renewals sampled for audit, 0-100 */
    int audit_blocks_renewal; /* a failed audit blocks renewal */

    int reminders[PROGRAM_REMIND_MAX]; /* days before expiry, largest first */
    int nreminders;

    char number_prefix[PROGRAM_PREFIX_MAX];
    int number_digits; /* of the sequence, zero-padded */

    char assumed[PROGRAM_ASSUMED_MAX][PROGRAM_PATH_MAX]; /* paths of assumed defaults */
    int nassumed;
};

/*
 * Reads and checks a program document (n bytes of JSON). Returns the number
 * of problems; 0 means *p is filled. *problems (may be NULL) gets a new array
 * [{path, message}] (empty when none), every problem of the document in
 * document order. *doc (may be NULL) gets the parsed JSON (a new reference)
 * when there were no problems, else NULL.
 */
int program_parse(const char *bytes, size_t n, struct program *p, json_t **doc, json_t **problems);

/* The same for a JSON value already parsed (problems appended to problems). */
int program_from_json(const json_t *doc, struct program *p, json_t *problems);

/*
 * The rules the credential life cycle needs (core/credential.h), from the
 * program: term, grace, reminders, the number's prefix and digits. The
 * "expiring" status starts at the first reminder (CRED_DEFAULT_WARN when
 * there is none); a lapsed credential may not be reinstated (the format has
 * no field for it yet).
 */
void program_cred_rules(const struct program *p, struct cred_rules *r);

/*
 * The continuing-education rules (core/ce.h) from the program: the points
 * required per term and each category (a cap of -1, none, becomes 0).
 */
void program_ce_rules(const struct program *p, struct ce_rules *r);

/* The category with code, or NULL. */
const struct program_category *program_category(const struct program *p, const char *code);

/* "4 points each", "1 point per hour", "2 points per membership-year" into buf. */
void program_value_text(const struct program_category *c, char *buf, size_t n);

/* An applicant as eligibility sees one. */
struct program_applicant {
    enum program_degree degree;
    int experience_months; /* relevant experience, whole months */
    int waiver_requested;
    int supervisor_recommendation; /* signed */
    int code_of_conduct;           /* accepted */
};

#define PROGRAM_ELIG_RULES_MAX (PROGRAM_PATHS_MAX * 4 + 1)

/* One rule of eligibility, met or missed, with why. */
struct program_elig_rule {
    int path; /* index into p->paths; -1 for a rule of every path (the code of conduct) */
    int met;
    char text[PROGRAM_RULE_MAX];
};

struct program_eligibility {
    int eligible;              /* some path has every rule met */
    int path;                  /* the first such path, or -1 */
    int decision_by_committee; /* that path is decided by a committee, not a reviewer */
    struct program_elig_rule rules[PROGRAM_ELIG_RULES_MAX];
    int nrules;
};

/* Evaluates every path for a; out lists each rule met or missed. */
void program_eligibility(const struct program *p, const struct program_applicant *a,
                         struct program_eligibility *out);

/* The name of a degree ("bachelor"); the degree of a name, -1 when unknown. */
const char *program_degree_name(enum program_degree d);
int program_degree_of(const char *name);

/* 1 when path (as "$.exam.cut") is one of the assumed defaults of p. */
int program_is_assumed(const struct program *p, const char *path);

#endif
