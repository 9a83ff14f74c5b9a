/*
 * pdcatalog.h — the professional development (PD) catalog growth plans draw on (pure).
 *
 * data/pd-catalog.json lists activities a growth plan can recommend: title,
 * provider, format, hours, cost in US dollars, the skill areas of the framework
 * each serves, the continuing-education (CE) category it earns under and, per
 * skill, how many rubric levels it can move that skill (its gain).
 * pdcatalog_parse() reads and checks such a document; every problem names its
 * JSON path ("$.activities[3].hours") and says what is wrong, and unknown keys
 * are refused so a typo is never silently ignored. docs/growth-plans.md
 * describes the format and the gain model.
 *
 * Units are chosen so the recommender (core/recommend.h) computes exactly:
 * hours are a multiple of half an hour (kept as whole half-hours), cost is whole
 * dollars, a gain is a multiple of a quarter level from 0.25 to 1 (kept as whole
 * quarters). Whether a CE category exists in a program is checked by the caller,
 * which has the program (core/program.h, program_category()).
 */
#ifndef CF_CORE_PDCATALOG_H
#define CF_CORE_PDCATALOG_H

#include <jansson.h>
#include <stddef.h>

#include "core/program.h"

/* The ten skill areas of the CoSN framework, in framework order. */
#define PD_NSKILLS 10
extern const char *const pd_skill_codes[PD_NSKILLS];

#define PD_MAX_BYTES         (512u * 1024u) /* a catalog document is at most this many bytes */
#define PD_MAX_ACTIVITIES    1000
#define PD_ID_MAX            49 /* an id: 1-48 of a-z 0-9 '-' (with the NUL) */
#define PD_CODE_MAX          17 /* a format or CE category code (with the NUL) */
#define PD_TITLE_MAX         161
#define PD_PROVIDER_MAX      121
#define PD_DESC_MAX          401
#define PD_PATH_MAX          96   /* a JSON path as "$.activities[12].gain.III.D" */
#define PD_MSG_MAX           400  /* one problem's message */
#define PD_HALF_HOURS_MAX    2000 /* 1000 hours */
#define PD_COST_MAX          100000
#define PD_GAIN_QUARTERS_MAX 4 /* one activity moves a skill by a level at most */

/* One activity. gain_q[s] is 0 for a skill it does not serve. */
struct pd_activity {
    char id[PD_ID_MAX];
    char title[PD_TITLE_MAX];
    char provider[PD_PROVIDER_MAX];
    char format[PD_CODE_MAX];
    int half_hours;         /* hours * 2, at least 1 */
    int cost;               /* whole US dollars, at least 0 */
    int gain_q[PD_NSKILLS]; /* quarter levels, 0-4; > 0 exactly for the skills served */
    int skills[PD_NSKILLS]; /* indexes into pd_skill_codes, in the document's order */
    int nskills;
    int gain_given; /* the document gave "gain" (else every gain is the default for hours) */
    char ce_category[PD_CODE_MAX];
    char description[PD_DESC_MAX];
};

struct pd_catalog {
    struct pd_activity *acts; /* n of them, in document order */
    int n;
};

/*
 * Reads and checks a catalog document (n bytes of JSON). Returns the number
 * of problems; 0 means *out is a new catalog the caller frees with
 * pdcatalog_free(), else *out is NULL. *problems (may be NULL) gets a new array
 * [{path, message}] (empty when none), every problem in document order. Out of
 * memory is reported as a problem at "$".
 */
int pdcatalog_parse(const char *bytes, size_t n, struct pd_catalog **out, json_t **problems);

/* Frees c and its activities (NULL is fine). */
void pdcatalog_free(struct pd_catalog *c);

/*
 * Appends a problem [{path, message}] to problems (may be NULL) for every
 * activity of c whose ce_category is not a CE category of program p, and
 * returns how many there were.
 */
int pdcatalog_check_program(const struct pd_catalog *c, const struct program *p, json_t *problems);

/* The index of skill code ("II.B") in pd_skill_codes, or -1. */
int pd_skill_index(const char *code);

/* The activity with id, or NULL. */
const struct pd_activity *pdcatalog_find(const struct pd_catalog *c, const char *id);

/*
 * The gain, in quarter levels, an activity of half_hours is given for each
 * skill it serves when the catalog says none: under 6 hours a quarter level,
 * under 15 half a level, under 30 three quarters, from 30 hours a whole level.
 */
int pd_default_gain_q(int half_hours);

#endif
