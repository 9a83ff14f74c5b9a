/*
 * demo.c — the demo program (issue 8 point 9): `ctoframe demo` and a new
 * database under `serve --demo` (make run) load a few hundred fictional people
 * in every stage of the certification life cycle, so a newcomer sees a living
 * registry; `ctoframe demo --holders N` loads N credential holders for
 * benchmarks; `ctoframe demo --remove` takes out exactly the demo rows.
 *
 * Every row is marked demo = 1 (migration 018); organizations are named
 * "Demo …" and pages show a "Demo data" badge on demo credentials. The data
 * comes from a seeded PRNG (splitmix64) and today's date (CTOFRAME_NOW moves
 * it), so the same day gives the same demo. Credential numbers of the demo use
 * the sequence numbers from DEMO_SEQ_FIRST of each year, far from those the
 * program issues, so neither collides with the other.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/credential.h"
#include "core/program.h"
#include "lib/clock.h"
#include "svc/svc_impl.h"

#define DEMO_SEED        0x5eed2026c0517ULL
#define DEMO_PEOPLE      320    /* people of the small demo */
#define DEMO_HOLDERS_MAX 500000 /* --holders at most */
#define DEMO_SEQ_FIRST   900001 /* the demo's credential numbers start here each year */
#define DEMO_YEARS       16     /* years back a demo credential may be issued */
#define DEMO_DISTRICTS   3      /* districts per state in the small demo */
#define DEMO_BIG_DIST    10     /* districts per state in the large demo */
#define DEMO_TEXT        128    /* bytes of a generated name or title */
#define DEMO_ID          37     /* a UUID and its NUL */
#define DEMO_DATE        11     /* YYYY-MM-DD and its NUL */

struct demo {
    const struct svc *sv;
    uint64_t rng;
    struct program prog;
    struct cred_rules cr;
    int version;
    int64_t program_id;
    struct clock_date today;
    char now[32];
    long seq[DEMO_YEARS]; /* next sequence number per year, today's year last */
    long people, credentials, applications, results, activities, orgs;
};

/* The states of the demo: code and name. */
static const struct {
    const char *code, *name;
} STATES[] = {
    {"AL", "Alabama"},        {"AK", "Alaska"},         {"AZ", "Arizona"},
    {"AR", "Arkansas"},       {"CA", "California"},     {"CO", "Colorado"},
    {"CT", "Connecticut"},    {"DE", "Delaware"},       {"DC", "District of Columbia"},
    {"FL", "Florida"},        {"GA", "Georgia"},        {"HI", "Hawaii"},
    {"ID", "Idaho"},          {"IL", "Illinois"},       {"IN", "Indiana"},
    {"IA", "Iowa"},           {"KS", "Kansas"},         {"KY", "Kentucky"},
    {"LA", "Louisiana"},      {"ME", "Maine"},          {"MD", "Maryland"},
    {"MA", "Massachusetts"},  {"MI", "Michigan"},       {"MN", "Minnesota"},
    {"MS", "Mississippi"},    {"MO", "Missouri"},       {"MT", "Montana"},
    {"NE", "Nebraska"},       {"NV", "Nevada"},         {"NH", "New Hampshire"},
    {"NJ", "New Jersey"},     {"NM", "New Mexico"},     {"NY", "New York"},
    {"NC", "North Carolina"}, {"ND", "North Dakota"},   {"OH", "Ohio"},
    {"OK", "Oklahoma"},       {"OR", "Oregon"},         {"PA", "Pennsylvania"},
    {"RI", "Rhode Island"},   {"SC", "South Carolina"}, {"SD", "South Dakota"},
    {"TN", "Tennessee"},      {"TX", "Texas"},          {"UT", "Utah"},
    {"VT", "Vermont"},        {"VA", "Virginia"},       {"WA", "Washington"},
    {"WV", "West Virginia"},  {"WI", "Wisconsin"},      {"WY", "Wyoming"},
};
#define NSTATES      (sizeof STATES / sizeof STATES[0])
#define DEMO_NSTATES 14 /* states in the small demo */

/* Fictional names, some with accents (the registry ignores them in a search). */
static const char *const FIRST[] = {
    "Amara",  "Bartholomew", "Céline", "Dmitri",   "Éloïse", "Fitzgerald", "Gwendolyn",  "Hiroshi",
    "Inès",   "Jasper",      "Keziah", "Leopold",  "Maëlle", "Nikolai",    "Oona",       "Perpetua",
    "Quincy", "Rosalind",    "Søren",  "Thaddeus", "Ulla",   "Valentín",   "Wilhelmina", "Xiomara",
    "Yusuf",  "Zoë",         "José",   "Renée",    "Björn",  "Chloé",      "Ángel",      "François",
};
static const char *const LAST[] = {
    "Abernathy-Quill", "Brightwater",  "Cobblestone", "Dunmore-Vale", "Featherstone",
    "Gallowglass",     "Hollowell",    "Ironwood",    "Juniperberry", "Kestrelford",
    "Lanternfield",    "Marchbanks",   "Nightingale", "Oakenshield",  "Pemberton-Fig",
    "Quillfeather",    "Ravenscroft",  "Silverthorn", "Thistlewood",  "Umberfield",
    "Vantablack",      "Whitlock-Pye", "Yarrowby",    "Zephyrine",    "Núñez-Ferrow",
    "Østergaard",      "Décarie",      "Müller-Lind",
};
static const char *const PLACES[] = {
    "Maple Hollow", "Cedar Bluff",  "Willow Creek", "Granite Falls", "Harbor Point",
    "Fox Run",      "Elm Crossing", "Silver Lake",  "Pine Ridge",    "Copper Valley",
};

/* splitmix64: small, fast and the same everywhere. */
static uint64_t next(struct demo *d)
{
    uint64_t z = (d->rng += 0x9E3779B97F4A7C15ULL);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* A number from 0 to n - 1. */
static long pick(struct demo *d, long n)
{
    return n > 0 ? (long)(next(d) % (uint64_t)n) : 0;
}

/* A version-4 UUID from the generator (so the demo's ids are the same each time). */
static void uuid(struct demo *d, char out[DEMO_ID])
{
    uint64_t a = next(d), b = next(d);

    snprintf(out, DEMO_ID, "%08" PRIx64 "-%04" PRIx64 "-4%03" PRIx64 "-%04" PRIx64 "-%012" PRIx64,
             a >> 32, (a >> 16) & 0xFFFF, a & 0xFFF, ((b >> 48) & 0x3FFF) | 0x8000,
             (uint64_t)(b & 0xFFFFFFFFFFFFULL));
}

static void date_text(struct clock_date dt, char out[DEMO_DATE])
{
    if (clock_date_format(dt, out, DEMO_DATE) != CF_OK)
        out[0] = '\0';
}

/* The instant at noon UTC of a date, as the tables keep instants. */
static void instant(struct clock_date dt, char *out, size_t n)
{
    snprintf(out, n, "%04d-%02d-%02dT12:00:00Z", dt.y, dt.m, dt.d);
}

static int add_org(struct demo *d, const char *kind, const char *name, const char *parent,
                   const char *code, char id[DEMO_ID], struct cf_error *err)
{
    struct store_demo_org o = {id, kind, name, parent, code, d->now};

    uuid(d, id);
    d->orgs++;
    return store_demo_org(d->sv->store, &o, err);
}

static int add_person(struct demo *d, const char *org, char id[DEMO_ID], struct cf_error *err)
{
    char name[DEMO_TEXT], email[DEMO_TEXT], pseudo[DEMO_TEXT];
    struct store_demo_person p = {id, email, name, org, pseudo, d->now};

    uuid(d, id);
    d->people++;
    snprintf(name, sizeof name, "%s %s", FIRST[pick(d, sizeof FIRST / sizeof FIRST[0])],
             LAST[pick(d, sizeof LAST / sizeof LAST[0])]);
    snprintf(email, sizeof email, "demo-%06ld@demo.invalid", d->people);
    snprintf(pseudo, sizeof pseudo, "Demo person %ld", d->people);
    return store_demo_person(d->sv->store, &p, err);
}

/* The dates of a credential in status st, relative to today. */
static void cred_dates(struct demo *d, enum cred_status st, struct clock_date *issued,
                       struct clock_date *expires)
{
    long term = clock_date_diff(d->today, clock_date_add_years(d->today, d->cr.term_years));
    long grace = d->cr.grace_days, warn = d->cr.expiring_days;

    switch (st) {
    case CRED_EXPIRING:
        *expires = clock_date_add_days(d->today, 1 + pick(d, warn > 1 ? warn - 1 : 1));
        break;
    case CRED_EXPIRED:
        *expires = clock_date_add_days(d->today, -(1 + pick(d, grace > 1 ? grace - 1 : 1)));
        break;
    case CRED_LAPSED:
        *expires = clock_date_add_days(d->today, -(grace + 1 + pick(d, 2 * 365)));
        break;
    default:
        *expires = clock_date_add_days(d->today, warn + 1 + pick(d, term - warn - 10));
        break;
    }
    *issued = clock_date_add_years(*expires, -d->cr.term_years);
}

/* The next demo credential number of the year of issue. */
static int number_of(struct demo *d, struct clock_date issued, char *out, size_t n,
                     struct cf_error *err)
{
    int k = DEMO_YEARS - 1 - (d->today.y - issued.y);

    if (k < 0)
        k = 0;
    if (d->seq[k] == 0)
        d->seq[k] = DEMO_SEQ_FIRST;
    if (cred_number_format(&d->cr, issued.y, d->seq[k]++, out, n) != CF_OK)
        return cf_error_set(err, CF_EINVAL, "holders",
                            "Ask for fewer holders: the demo ran out of credential numbers.");
    return CF_OK;
}

/*
 * A credential for person in status st with its events: issued (and, for a
 * status set by an admin, the suspension or revocation). CE activities in the
 * small demo.
 */
static int add_cred(struct demo *d, const char *person, enum cred_status st, int64_t result,
                    int listed, int with_ce, struct cf_error *err)
{
    static const char *const reasons[] = {"Demo: a complaint under review.",
                                          "Demo: conduct found in breach of the code."};
    char id[DEMO_ID], number[CRED_NUMBER_MAX], issued[DEMO_DATE], expires[DEMO_DATE], at[32];
    struct clock_date di, de;
    const char *reason = st == CRED_SUSPENDED ? reasons[0] : st == CRED_REVOKED ? reasons[1] : NULL;
    int rc;

    cred_dates(d, st, &di, &de);
    date_text(di, issued);
    date_text(de, expires);
    uuid(d, id);
    rc = number_of(d, di, number, sizeof number, err);
    if (rc != CF_OK)
        return rc;
    {
        struct store_demo_cred c = {
            id,     number,        person, cred_status_name(st), issued, issued, expires, reason,
            d->now, d->program_id, result, d->version,           listed};

        rc = store_demo_cred(d->sv->store, &c, err);
    }
    d->credentials++;
    if (rc != CF_OK || !with_ce)
        return rc;

    instant(di, at, sizeof at);
    {
        struct store_demo_event e = {id, at, "issue", NULL, "active", expires, NULL, d->version};

        rc = store_demo_cred_event(d->sv->store, &e, err);
    }
    if (rc == CF_OK && st != CRED_ACTIVE) {
        const char *kind = st == CRED_SUSPENDED ? "suspend"
                           : st == CRED_REVOKED ? "revoke"
                                                : "tick";
        struct store_demo_event e = {id,      d->now, kind,      "active", cred_status_name(st),
                                     expires, reason, d->version};

        rc = store_demo_cred_event(d->sv->store, &e, err);
    }

    /* A few CE activities, in the categories of the rules, on the framework's skill areas. */
    for (long k = 0, n = pick(d, 5); rc == CF_OK && k < n && d->prog.ncats > 0; k++) {
        static const char *const skills[] = {"I.A", "I.B", "II.A", "II.C", "III.B", "III.D"};
        static const char *const titles[] = {
            "Demo: Network security workshop", "Demo: Budgeting for technology leaders",
            "Demo: Data privacy in schools", "Demo: Leading digital change"};
        static const char *const statuses[] = {"approved", "approved", "pending", "rejected"};
        char aid[DEMO_ID], done[DEMO_DATE];
        struct clock_date dc = clock_date_add_days(di, 30 + pick(d, 700));

        if (clock_date_cmp(dc, d->today) > 0)
            dc = d->today;
        date_text(dc, done);
        uuid(d, aid);
        {
            struct store_demo_ce a = {aid,
                                      id,
                                      d->prog.cats[pick(d, d->prog.ncats)].code,
                                      titles[pick(d, 4)],
                                      "Demo Provider Guild",
                                      done,
                                      skills[pick(d, 6)],
                                      statuses[pick(d, 4)],
                                      d->now,
                                      (1 + pick(d, 8)) * 100,
                                      d->version};

            rc = store_demo_ce(d->sv->store, &a, err);
        }
        d->activities++;
    }
    return rc;
}

/* The stages of the small demo, in the order people are spread over them. */
enum stage { ST_DRAFT, ST_SUBMITTED, ST_INFO, ST_REJECTED, ST_APPROVED, ST_FAILED, ST_HOLDER };

/*
 * One person's way through the program up to stage: the application (and its
 * events), the authorization to test, the result, the credential.
 */
static int add_journey(struct demo *d, const char *person, enum stage stage, struct cf_error *err)
{
    static const char *const app_status[] = {"draft",    "submitted", "info_requested", "rejected",
                                             "approved", "approved",  "approved"};
    char app[DEMO_ID], elig[48], sub[32], dec[32], on[DEMO_DATE], until[DEMO_DATE],
        taken[DEMO_DATE], retake[DEMO_DATE];
    struct clock_date ds = clock_date_add_days(d->today, -(20 + pick(d, 400)));
    struct clock_date dd = clock_date_add_days(ds, 5 + pick(d, 20));
    const char *path = d->prog.npaths > 0 ? d->prog.paths[pick(d, d->prog.npaths)].id : NULL;
    int64_t result = 0;
    int rc;

    if (stage == ST_HOLDER) {
        /* A holder applied before the credential was issued. */
        ds = clock_date_add_days(d->today, -(3 * 365 + 200));
        dd = clock_date_add_days(ds, 14);
    }
    instant(ds, sub, sizeof sub);
    instant(dd, dec, sizeof dec);
    uuid(d, app);
    {
        struct store_demo_app a = {app,
                                   person,
                                   app_status[stage],
                                   path,
                                   stage == ST_DRAFT ? NULL : sub,
                                   stage >= ST_REJECTED ? dec : NULL,
                                   d->now,
                                   d->program_id,
                                   d->version};

        rc = store_demo_app(d->sv->store, &a, err);
    }
    d->applications++;
    {
        static const char *const kinds[] = {"created", "submitted", "info_requested", "rejected",
                                            "approved"};
        int last = stage == ST_DRAFT       ? 0
                   : stage == ST_SUBMITTED ? 1
                   : stage == ST_INFO      ? 2
                   : stage == ST_REJECTED  ? 3
                                           : 4;

        for (int k = 0; rc == CF_OK && k <= last; k++) {
            if (k >= 2 && k < last)
                continue; /* one decision each */
            struct store_demo_event e = {app,
                                         k == 0   ? sub
                                         : k == 1 ? sub
                                                  : dec,
                                         kinds[k],
                                         NULL,
                                         NULL,
                                         NULL,
                                         k == 3 ? "Demo: the employment dates do not add up."
                                                : NULL,
                                         d->version};

            rc = store_demo_app_event(d->sv->store, &e, err);
        }
    }
    if (rc != CF_OK || stage < ST_APPROVED)
        return rc;

    snprintf(elig, sizeof elig, "DEMO-%s", app);
    date_text(dd, on);
    date_text(clock_date_add_days(dd, d->prog.authorization_days), until);
    {
        struct store_demo_auth a = {elig,   app,           person,
                                    on,     until,         stage == ST_APPROVED ? "open" : "used",
                                    d->now, d->program_id, d->version};

        rc = store_demo_auth(d->sv->store, &a, err);
    }
    if (rc != CF_OK || stage == ST_APPROVED)
        return rc;

    date_text(clock_date_add_days(dd, 10 + pick(d, 60)), taken);
    date_text(clock_date_add_days(dd, 100), retake);
    {
        int passed = stage == ST_HOLDER;
        int span = d->prog.scale_max - d->prog.cut;
        int score = passed ? d->prog.cut + (int)pick(d, span > 0 ? span : 1)
                           : d->prog.cut - 1 - (int)pick(d, d->prog.cut - d->prog.scale_min);
        struct store_demo_result r = {elig,   "DEMO-A", taken,  passed ? NULL : retake,
                                      d->now, score,    passed, d->version};

        rc = store_demo_result(d->sv->store, &r, &result, err);
    }
    d->results++;
    if (rc != CF_OK || stage == ST_FAILED)
        return rc;

    {
        /* Every status, most of them active; one holder in twelve left the directory. */
        static const enum cred_status spread[] = {
            CRED_ACTIVE,   CRED_ACTIVE,  CRED_ACTIVE, CRED_ACTIVE, CRED_ACTIVE,    CRED_EXPIRING,
            CRED_EXPIRING, CRED_EXPIRED, CRED_LAPSED, CRED_LAPSED, CRED_SUSPENDED, CRED_REVOKED,
        };

        return add_cred(d, person, spread[pick(d, sizeof spread / sizeof spread[0])], result,
                        pick(d, 12) != 0, 1, err);
    }
}

/* The small demo: states, districts and schools, and people in every stage. */
static int load_small(struct demo *d, struct cf_error *err)
{
    static const enum stage spread[] = {ST_DRAFT,    ST_SUBMITTED, ST_INFO,   ST_REJECTED,
                                        ST_APPROVED, ST_FAILED,    ST_HOLDER, ST_HOLDER,
                                        ST_HOLDER,   ST_HOLDER,    ST_HOLDER, ST_HOLDER};
    char orgs[DEMO_NSTATES * (DEMO_DISTRICTS + 1)][DEMO_ID];
    size_t norgs = 0;
    int rc = CF_OK;

    for (size_t s = 0; rc == CF_OK && s < DEMO_NSTATES; s++) {
        char name[DEMO_TEXT], state[DEMO_ID];
        size_t st = (s * 7) % NSTATES; /* states from all over the list */

        snprintf(name, sizeof name, "Demo %s", STATES[st].name);
        rc = add_org(d, "state", name, NULL, STATES[st].code, state, err);
        for (int k = 0; rc == CF_OK && k < DEMO_DISTRICTS; k++) {
            snprintf(name, sizeof name, "Demo %s School District",
                     PLACES[(s + (size_t)k * 3) % (sizeof PLACES / sizeof PLACES[0])]);
            rc = add_org(d, "district", name, state, NULL, orgs[norgs++], err);
        }
        if (rc == CF_OK) {
            /* A school under the first district: holders there still belong to the state. */
            snprintf(name, sizeof name, "Demo %s High School",
                     PLACES[s % (sizeof PLACES / sizeof PLACES[0])]);
            size_t parent = norgs - DEMO_DISTRICTS;

            rc = add_org(d, "school", name, orgs[parent], NULL, orgs[norgs], err);
            norgs++;
        }
    }
    for (long i = 0; rc == CF_OK && i < DEMO_PEOPLE; i++) {
        char person[DEMO_ID];

        rc = add_person(d, orgs[pick(d, (long)norgs)], person, err);
        if (rc == CF_OK)
            rc = add_journey(d, person, spread[pick(d, sizeof spread / sizeof spread[0])], err);
    }
    return rc;
}

/* The large demo: holders people with a credential each, in every state. */
static int load_large(struct demo *d, long holders, struct cf_error *err)
{
    static const enum cred_status spread[] = {CRED_ACTIVE, CRED_ACTIVE,    CRED_ACTIVE,
                                              CRED_ACTIVE, CRED_EXPIRING,  CRED_EXPIRED,
                                              CRED_LAPSED, CRED_SUSPENDED, CRED_REVOKED};
    static char orgs[NSTATES * DEMO_BIG_DIST][DEMO_ID];
    size_t norgs = 0;
    int rc = CF_OK;

    for (size_t s = 0; rc == CF_OK && s < NSTATES; s++) {
        char name[DEMO_TEXT], state[DEMO_ID];

        snprintf(name, sizeof name, "Demo %s", STATES[s].name);
        rc = add_org(d, "state", name, NULL, STATES[s].code, state, err);
        for (int k = 0; rc == CF_OK && k < DEMO_BIG_DIST; k++) {
            snprintf(name, sizeof name, "Demo %s School District %d",
                     PLACES[(size_t)k % (sizeof PLACES / sizeof PLACES[0])], k + 1);
            rc = add_org(d, "district", name, state, NULL, orgs[norgs++], err);
        }
    }
    for (long i = 0; rc == CF_OK && i < holders; i++) {
        char person[DEMO_ID];

        rc = add_person(d, orgs[pick(d, (long)norgs)], person, err);
        if (rc == CF_OK)
            rc = add_cred(d, person, spread[pick(d, sizeof spread / sizeof spread[0])], 0,
                          pick(d, 20) != 0, 0, err);
    }
    return rc;
}

int svc_demo_load(const struct svc *sv, long holders, json_t **out, struct cf_error *err)
{
    static struct demo d; /* large (the program rules); one load at a time */
    json_t *after = NULL;
    long present = 0;
    int rc;

    *out = NULL;
    if (holders < 0 || holders > DEMO_HOLDERS_MAX)
        return cf_error_set(err, CF_EINVAL, "holders", "Ask for 1 to %d holders.",
                            DEMO_HOLDERS_MAX);
    memset(&d, 0, sizeof d);
    d.sv = sv;
    d.rng = DEMO_SEED;
    d.today = clock_date_of(clock_now());
    clock_now_iso(d.now, sizeof d.now);

    rc = svc__begin(sv, err);
    if (rc != CF_OK)
        return rc;
    rc = store_demo_count(sv->store, &present, err);
    if (rc == CF_OK && present > 0)
        rc = cf_error_set(err, CF_ECONFLICT, NULL,
                          "The demo is already loaded. Remove it first with "
                          "ctoframe demo --remove.");
    if (rc != CF_OK)
        goto out;
    rc = svc__program_rules(sv, "CETL", 0, &d.prog, &d.version, err);
    if (rc == CF_ENOTFOUND)
        rc = cf_error_set(err, CF_ENOTFOUND, NULL,
                          "Load the CETL program first: start ctoframe serve once, or run "
                          "ctoframe program import data/programs/cetl.json.");
    if (rc == CF_OK)
        rc = store_demo_program_id(sv->store, "CETL", &d.program_id, err);
    if (rc != CF_OK)
        goto out;
    program_cred_rules(&d.prog, &d.cr);

    if (holders > 0)
        rc = store_demo_bulk(sv->store, err);
    if (rc == CF_OK)
        rc = holders > 0 ? load_large(&d, holders, err) : load_small(&d, err);
    if (rc != CF_OK)
        goto out;
    after = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "orgs", (json_int_t)d.orgs, "people",
                      (json_int_t)d.people, "applications", (json_int_t)d.applications, "results",
                      (json_int_t)d.results, "credentials", (json_int_t)d.credentials,
                      "ce_activities", (json_int_t)d.activities);
    rc = svc__audit(sv, NULL, "demo.load", "demo", NULL, NULL, after, err);

out:
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    if (rc == CF_OK)
        *out = after;
    else
        json_decref(after);
    return rc;
}

/* One attempt of svc_demo_remove. */
static int demo_remove_once(const struct svc *sv, json_t **out, struct cf_error *err)
{
    json_t *counts = NULL;
    int rc;

    rc = svc__begin(sv, err);
    if (rc != CF_OK)
        return rc;
    rc = store_demo_remove(sv->store, &counts, err);
    if (rc == CF_OK)
        rc = svc__audit(sv, NULL, "demo.remove", "demo", NULL, NULL, counts, err);
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    if (rc == CF_OK)
        *out = counts;
    else
        json_decref(counts);
    return rc;
}

#define DEMO_REMOVE_ATTEMPTS 5 /* a deadlock with a running server's work is tried again */

int svc_demo_remove(const struct svc *sv, json_t **out, struct cf_error *err)
{
    int rc;

    *out = NULL;
    /*
     * The removal deletes many rows while a running server's tick or jobs may update some of
     * them (a credential moving to expired): PostgreSQL can then end one of the two with a
     * deadlock. The removal's transaction was rolled back whole, so it is tried again.
     */
    for (int attempt = 1;; attempt++) {
        rc = demo_remove_once(sv, out, err);
        if (rc != CF_EBUSY || attempt == DEMO_REMOVE_ATTEMPTS)
            return rc;
        cf_error_clear(err);
        usleep(100000u * (unsigned)attempt);
    }
}
