/*
 * pd.c — `ctoframe pd recommend`: the best plan of professional development
 * activities for given gaps, hours and budget (core/recommend.h; docs/growth-plans.md).
 * Issue 9.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/blueprint.h"
#include "core/recommend.h"

static const char USAGE[] =
    "usage: ctoframe pd recommend --gaps SKILL=LEVELS,... --hours H --budget DOLLARS\n"
    "                             [--weights SKILL=W,...] [--json]\n\n"
    "Recommends the plan of activities from data/pd-catalog.json that closes the most\n"
    "weighted gap within H hours and DOLLARS US dollars, solved exactly (branch and bound;\n"
    "docs/growth-plans.md). --gaps gives, per skill code (I.A to III.D), the levels missing\n"
    "(target minus current, fractions allowed); skills not named have no gap. The weights\n"
    "default to the exam weights (I.A 15, I.B 15, I.C 10, II.A 12, II.B 9, II.C 9, III.A 9,\n"
    "III.B 7, III.C 7, III.D 7); --weights changes some of them. Each activity is printed\n"
    "with why it was picked. --json prints the plan as JSON.\n"
    "Exit 0 with a plan (proven optimal unless it says otherwise), 1 when the catalog or\n"
    "the input is refused, 2 on a usage error.\n";

#define PD_LIST_MAX 256 /* the longest --gaps or --weights list */

/*
 * Reads "I.A=1.5,II.B=1" into out (per skill; skills not named keep their
 * value). what names the option in messages. Prints why and returns CLI_USAGE
 * on a bad list.
 */
static int parse_list(const char *list, const char *what, double max, double *out)
{
    char buf[PD_LIST_MAX];
    char *save = NULL, *item;

    if (strlen(list) >= sizeof buf) {
        fprintf(stderr, "ctoframe: --%s is too long.\n", what);
        return CLI_USAGE;
    }
    snprintf(buf, sizeof buf, "%s", list);
    for (item = strtok_r(buf, ",", &save); item != NULL; item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '='), *end;
        double v;
        int s;

        if (eq == NULL) {
            fprintf(stderr, "ctoframe: --%s: \"%s\" must be SKILL=NUMBER, as I.A=1.5.\n", what,
                    item);
            return CLI_USAGE;
        }
        *eq = '\0';
        s = pd_skill_index(item);
        if (s < 0) {
            fprintf(stderr,
                    "ctoframe: --%s: \"%s\" is not a skill code; the codes are I.A, I.B, I.C, "
                    "II.A, II.B, II.C, III.A, III.B, III.C and III.D.\n",
                    what, item);
            return CLI_USAGE;
        }
        errno = 0;
        v = strtod(eq + 1, &end);
        if (errno != 0 || end == eq + 1 || *end != '\0' || !isfinite(v) || v < 0 || v > max) {
            fprintf(stderr, "ctoframe: --%s: %s must be a number from 0 to %g.\n", what, item, max);
            return CLI_USAGE;
        }
        out[s] = v;
    }
    return CLI_OK;
}

/* Reads a number of hours (steps of 0.5 are kept, the rest rounded down) or dollars. */
static int parse_amount(const char *s, const char *what, double max, double *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || v < 0 || v > max) {
        fprintf(stderr, "ctoframe: --%s must be a number from 0 to %g.\n", what, max);
        return CLI_USAGE;
    }
    *out = v;
    return CLI_OK;
}

/* Reads the shipped catalog; prints why and returns CLI_FAIL when it is refused. */
static int load_catalog(struct pd_catalog **c)
{
    char path[4096];
    char *data = NULL;
    size_t n = 0, i;
    json_t *problems = NULL, *pb;
    int rc;

    if (snprintf(path, sizeof path, "%s/data/pd-catalog.json", cli_home()) >= (int)sizeof path) {
        fprintf(stderr, "ctoframe: The path of the catalog is too long.\n");
        return CLI_FAIL;
    }
    rc = cli_read_input(path, PD_MAX_BYTES, &data, &n);
    if (rc != CLI_OK)
        return rc;
    if (pdcatalog_parse(data, n, c, &problems) != 0) {
        json_array_foreach(problems, i, pb)
        {
            fprintf(stderr, "%s: %s %s\n", path, json_string_value(json_object_get(pb, "path")),
                    json_string_value(json_object_get(pb, "message")));
        }
        rc = CLI_FAIL;
    }
    json_decref(problems);
    free(data);
    return rc;
}

/* The plan r as JSON (a new reference, NULL when memory runs out). */
static json_t *plan_json(const struct pd_catalog *c, const struct reco_result *r)
{
    json_t *plan = json_pack(
        "{s:f, s:i, s:f, s:f, s:b, s:I, s:i, s:[], s:{}}", "hours", r->half_hours / 2.0, "cost",
        r->cost, "value", r->value, "max_value", r->max_value, "proven_optimal", r->proven, "nodes",
        (json_int_t)r->nodes, "candidates", r->ncandidates, "activities", "gap_left");
    json_t *acts, *left;

    if (plan == NULL)
        return NULL;
    acts = json_object_get(plan, "activities");
    left = json_object_get(plan, "gap_left");
    for (int t = 0; t < PD_NSKILLS; t++)
        json_object_set_new(left, pd_skill_codes[t], json_real(r->gap_left[t]));
    for (int i = 0; i < r->npicks; i++) {
        const struct reco_pick *p = &r->picks[i];
        const struct pd_activity *a = &c->acts[p->act];
        json_t *parts = json_array();

        for (int j = 0; j < p->nparts; j++)
            json_array_append_new(
                parts,
                json_pack("{s:s, s:f, s:f, s:f, s:f}", "skill", pd_skill_codes[p->parts[j].skill],
                          "gain", p->parts[j].gain, "gap_before", p->parts[j].gap_before, "closed",
                          p->parts[j].closed, "weighted", p->parts[j].weighted));
        json_array_append_new(
            acts, json_pack("{s:s, s:s, s:s, s:f, s:i, s:s, s:b, s:f, s:o}", "id", a->id, "title",
                            a->title, "provider", a->provider, "hours", a->half_hours / 2.0, "cost",
                            a->cost, "ce_category", a->ce_category, "already_chosen", p->fixed,
                            "marginal_value", p->marginal, "closes", parts));
    }
    return plan;
}

/* The plan r as text for people. */
static void plan_text(const struct pd_catalog *c, const struct reco_result *r)
{
    int left = 0;

    printf("plan: %d activities, %g hours, %d dollars; closes %.2f of %.2f weighted levels%s\n",
           r->npicks, r->half_hours / 2.0, r->cost, r->value, r->max_value,
           r->proven ? " (proven optimal)" : " (best found, NOT proven optimal: node limit)");
    for (int i = 0; i < r->npicks; i++) {
        const struct reco_pick *p = &r->picks[i];
        const struct pd_activity *a = &c->acts[p->act];

        printf("\n%s — %s\n  %s, %s, %g hours, %d dollars, CE category %s\n", a->id, a->title,
               a->provider, a->format, a->half_hours / 2.0, a->cost, a->ce_category);
        for (int j = 0; j < p->nparts; j++)
            if (p->parts[j].closed > 0)
                printf("  closes %.2f of the %.2f level(s) still missing on %s (%.2f weighted)\n",
                       p->parts[j].closed, p->parts[j].gap_before,
                       pd_skill_codes[p->parts[j].skill], p->parts[j].weighted);
        printf("  without it the plan would close %.2f weighted levels less\n", p->marginal);
    }
    printf("\ngap left:");
    for (int t = 0; t < PD_NSKILLS; t++)
        if (r->gap_left[t] > 0) {
            printf(" %s %.2f", pd_skill_codes[t], r->gap_left[t]);
            left = 1;
        }
    printf("%s\n", left ? "" : " none");
}

static int do_recommend(const struct cli_opts *o)
{
    struct pd_catalog *c = NULL;
    struct reco_input in;
    struct reco_result r = {0};
    struct cf_error err;
    double hours = 0, dollars = 0;
    int rc;

    memset(&in, 0, sizeof in);
    for (int k = 0; k < PD_NSKILLS; k++)
        in.weight[k] = blueprint_weights[k]; /* the exam weights (core/blueprint.h) */
    if (o->gaps == NULL || o->hours == NULL || o->budget == NULL) {
        fprintf(stderr, "ctoframe: pd recommend needs --gaps, --hours and --budget.\n%s", USAGE);
        return CLI_USAGE;
    }
    rc = parse_list(o->gaps, "gaps", RECO_GAP_MAX, in.gap);
    if (rc == CLI_OK && o->weights != NULL)
        rc = parse_list(o->weights, "weights", RECO_WEIGHT_MAX, in.weight);
    if (rc == CLI_OK)
        rc = parse_amount(o->hours, "hours", 100000, &hours);
    if (rc == CLI_OK)
        rc = parse_amount(o->budget, "budget", 100000000, &dollars);
    if (rc != CLI_OK)
        return rc;
    in.half_hours = (int)floor(hours * 2);
    in.cost = (int)floor(dollars);

    rc = load_catalog(&c);
    if (rc != CLI_OK)
        return rc;
    cf_error_clear(&err);
    if (recommend(c, &in, &r, &err) != CF_OK) {
        rc = cli_fail(&err);
        goto out;
    }
    if (o->json) {
        json_t *plan = plan_json(c, &r);
        char *text = plan != NULL ? json_dumps(plan, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;

        if (text == NULL) {
            fprintf(stderr, "ctoframe: Out of memory.\n");
            rc = CLI_FAIL;
        } else {
            printf("%s\n", text);
        }
        free(text);
        json_decref(plan);
    } else {
        plan_text(c, &r);
    }
out:
    reco_result_free(&r);
    pdcatalog_free(c);
    return rc;
}

int cli_pd(int argc, char **argv)
{
    struct cli_opts o;
    int rc = cli_parse(argc, argv, 2, "gaps hours budget weights json", &o, USAGE);

    if (rc != CLI_OK || o.help)
        return rc;
    if (o.npos < 1 || strcmp(o.pos[0], "recommend") != 0 || o.npos > 1) {
        fputs(USAGE, stderr);
        return CLI_USAGE;
    }
    return do_recommend(&o);
}
