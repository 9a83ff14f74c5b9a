/*
 * eval_views.c — evaluations seen across people (issue 9 point 6): a district's
 * team as a heatmap of skill levels, and state and program aggregates that
 * never show a group smaller than five people (docs/evaluations.md, "Team and
 * aggregate views").
 *
 * Both read the same rows (store_eval_view_rows: each person's latest closed
 * evaluation, summed per skill and rater kind, in one statement). A person's
 * value on a skill is the others' mean of that evaluation: every rater but
 * self, "no basis to rate" left out — the number the evaluation's own results
 * show. Skills are matched across framework versions by their code.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/clock.h"
#include "svc/svc_impl.h"

#define GROUP_MIN  5  /* the smallest group an aggregate shows */
#define HEAT_BANDS 4  /* colour bands of the heatmap */
#define NUM_TEXT   16 /* bytes of a mean printed with one decimal */
#define ID_LEN     37 /* bytes of an id (a UUID) and its NUL */

static const char SUPPRESSED[] = "Fewer than 5: not shown.";
static const char NO_DISTRICT[] = "There is no such district. Check the address.";

static int nomem(struct cf_error *err)
{
    return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory.");
}

static long num(const json_t *o, const char *k)
{
    return (long)json_integer_value(json_object_get(o, k));
}

/* A mean rounded to two decimals, as the evaluation's results give it. */
static json_t *num2(double v)
{
    return json_real(round(v * 100) / 100);
}

/*
 * The skill columns of rows: every skill area of the framework versions the
 * rows were rated on, and any other item rated, keyed by its code, in
 * the order of the first framework version that has it, with its name. *codes
 * maps each item id met to its code. One package read per framework version
 * in the rows (a handful), never per person. Both are new references.
 */
static int columns_of(const struct svc *sv, const json_t *rows, json_t **columns, json_t **codes,
                      struct cf_error *err)
{
    json_t *docs = json_object(), *cols = json_array(), *map = json_object(), *seen = json_object();
    json_t *x, *pkg = NULL, *it;
    const char *doc;
    size_t i;
    int rc = CF_OK;

    *columns = *codes = NULL;
    if (docs == NULL || cols == NULL || map == NULL || seen == NULL) {
        rc = nomem(err);
        goto out;
    }
    json_array_foreach(rows, i, x)
    {
        json_object_set_new(seen, svc__str(x, "item_id"), json_true());
        if (json_object_get(docs, svc__str(x, "framework_doc")) == NULL)
            json_object_set_new(docs, svc__str(x, "framework_doc"), json_integer((json_int_t)i));
    }
    json_object_foreach(docs, doc, x)
    {
        (void)x;
        rc = store_case_package_get(sv->store, doc, &pkg, err);
        if (rc == CF_ENOTFOUND) {
            rc = CF_OK; /* a framework removed since: its skills are left out */
            continue;
        }
        if (rc != CF_OK)
            goto out;
        json_array_foreach(json_object_get(pkg, "CFItems"), i, it)
        {
            const char *id = svc__str(it, "identifier"), *code = svc__str(it, "humanCodingScheme");
            const char *name = svc__str(it, "abbreviatedStatement");
            json_t *c;
            size_t j;
            int have = 0;

            const char *type = svc__str(it, "CFItemType");

            /* Every skill area, rated or not yet, and any other item rated. */
            if (id == NULL || code == NULL ||
                (json_object_get(seen, id) == NULL &&
                 (type == NULL || strcmp(type, "Skill Area") != 0)))
                continue;
            json_object_set_new(map, id, json_string(code));
            json_array_foreach(cols, j, c)
            {
                if (strcmp(svc__str(c, "code"), code) == 0)
                    have = 1;
            }
            if (!have)
                json_array_append_new(cols, json_pack("{s:s, s:s}", "code", code, "name",
                                                      name != NULL ? name
                                                      : svc__str(it, "fullStatement") != NULL
                                                          ? svc__str(it, "fullStatement")
                                                          : code));
        }
        json_decref(pkg);
        pkg = NULL;
    }
    *columns = json_incref(cols);
    *codes = json_incref(map);
out:
    json_decref(pkg);
    json_decref(seen);
    json_decref(map);
    json_decref(cols);
    json_decref(docs);
    return rc;
}

/* The place of column code in columns, or -1. */
static int col_index(const json_t *columns, const char *code)
{
    size_t i;
    json_t *c;

    json_array_foreach(columns, i, c)
    {
        if (code != NULL && strcmp(svc__str(c, "code"), code) == 0)
            return (int)i;
    }
    return -1;
}

/*
 * rows folded into people: {person_id: {person_id, name, evaluation_id,
 * closed_at, levels, district_id, state_id, others: [[sum, n] per column],
 * self: [level per column, 0 for none]}} — plus, under the empty key (no person
 * id is empty), the person ids in the rows' order (by name). A new reference, or
 * NULL on memory failure.
 */
static json_t *people_of(const json_t *rows, const json_t *columns, const json_t *codes)
{
    json_t *people = json_object(), *order = json_array(), *x, *p;
    size_t i, nc = json_array_size(columns);

    if (people == NULL || order == NULL) {
        json_decref(people);
        json_decref(order);
        return NULL;
    }
    json_array_foreach(rows, i, x)
    {
        const char *id = svc__str(x, "person_id");
        int c =
            col_index(columns, json_string_value(json_object_get(codes, svc__str(x, "item_id"))));
        json_t *cell;

        p = json_object_get(people, id);
        if (p == NULL) {
            json_t *others = json_array(), *self = json_array();

            for (size_t k = 0; k < nc; k++) {
                json_array_append_new(others, json_pack("[i, i]", 0, 0));
                json_array_append_new(self, json_integer(0));
            }
            p = json_pack("{s:s, s:O, s:s, s:O, s:I, s:O, s:O, s:o, s:o}", "person_id", id, "name",
                          json_object_get(x, "person_name"), "evaluation_id",
                          svc__str(x, "evaluation_id"), "closed_at",
                          json_object_get(x, "closed_at"), "levels", (json_int_t)num(x, "levels"),
                          "district_id", json_object_get(x, "district_id"), "state_id",
                          json_object_get(x, "state_id"), "others", others, "self", self);
            if (p == NULL || json_object_set_new(people, id, p) != 0 ||
                json_array_append_new(order, json_string(id)) != 0) {
                json_decref(people);
                json_decref(order);
                return NULL;
            }
        }
        if (c < 0)
            continue;
        if (strcmp(svc__str(x, "kind"), "self") == 0) {
            json_array_set_new(json_object_get(p, "self"), (size_t)c,
                               json_integer(num(x, "n") > 0 ? num(x, "total") / num(x, "n") : 0));
            continue;
        }
        cell = json_array_get(json_object_get(p, "others"), (size_t)c);
        json_array_set_new(
            cell, 0, json_integer(json_integer_value(json_array_get(cell, 0)) + num(x, "total")));
        json_array_set_new(cell, 1,
                           json_integer(json_integer_value(json_array_get(cell, 1)) + num(x, "n")));
    }
    json_object_set_new(people, "", order); /* no person id is empty */
    return people;
}

/* Person p's others' mean on column c, or a negative number when nobody rated it. */
static double others_mean(const json_t *p, size_t c)
{
    const json_t *cell = json_array_get(json_object_get(p, "others"), c);
    json_int_t sum = json_integer_value(json_array_get(cell, 0));
    json_int_t n = json_integer_value(json_array_get(cell, 1));

    return n > 0 ? (double)sum / (double)n : -1;
}

/* The heat band (1..HEAT_BANDS) of mean on a scale of levels 1..k: its place on the scale. */
static int band_of(double mean, long k)
{
    double f = k > 1 ? (mean - 1) / (double)(k - 1) : 0;
    int b = 1 + (int)floor(f * HEAT_BANDS);

    return b < 1 ? 1 : b > HEAT_BANDS ? HEAT_BANDS : b;
}

/* A heatmap cell: {code, mean, text, band} (mean null and band 0 when nobody rated it). */
static json_t *heat_cell(const char *code, double mean, long k)
{
    char text[NUM_TEXT];

    if (mean < 0)
        return json_pack("{s:s, s:n, s:s, s:i}", "code", code, "mean", "text", "Not rated", "band",
                         0);
    snprintf(text, sizeof text, "%.1f", mean);
    return json_pack("{s:s, s:o, s:s, s:i}", "code", code, "mean", num2(mean), "text", text, "band",
                     band_of(mean, k));
}

/* The legend: each band with the range of means it stands for on a scale of k levels. */
static json_t *legend_of(long k)
{
    json_t *out = json_array();

    for (int b = 1; b <= HEAT_BANDS; b++) {
        char words[64];
        double lo = 1 + (double)(k - 1) * (b - 1) / HEAT_BANDS;
        double hi = 1 + (double)(k - 1) * b / HEAT_BANDS;
        int n = b == HEAT_BANDS ? snprintf(words, sizeof words, "%.2f to %.2f", lo, hi)
                                : snprintf(words, sizeof words, "%.2f to under %.2f", lo, hi);

        if (n < 0 || (size_t)n >= sizeof words)
            words[0] = '\0';
        json_array_append_new(out, json_pack("{s:i, s:s}", "band", b, "words", words));
    }
    return out;
}

/*
 * The district org names, or the viewer's own district when org is NULL or
 * empty (a school's parent). *out is the district's row. CF_ENOTFOUND (404)
 * when there is no such district or sv may not manage its evaluations, so an
 * outsider learns nothing; CF_EINVAL naming "org" when there is no default
 * (sv belongs to no district).
 */
static int district_of(const struct svc *sv, const char *org, json_t **out, struct cf_error *err)
{
    json_t *person = NULL, *o = NULL;
    int rc = CF_OK, own = org == NULL || org[0] == '\0';

    *out = NULL;
    if (own && sv->who != NULL && sv->who->person_id != NULL) {
        rc = store_person_get(sv->store, sv->who->person_id, &person, err);
        if (rc != CF_OK)
            goto out;
        org = svc__str(person, "org_id");
    }
    if (org == NULL || org[0] == '\0') {
        rc = cf_error_set(err, CF_EINVAL, "org",
                          "Choose a district: add ?org= and the district's id to the address.");
        goto out;
    }
    rc = store_org_get(sv->store, org, &o, err);
    if (rc == CF_OK && strcmp(svc__str(o, "kind"), "school") == 0 &&
        svc__str(o, "parent_id") != NULL) {
        char parent[ID_LEN];

        snprintf(parent, sizeof parent, "%s", svc__str(o, "parent_id"));
        json_decref(o);
        o = NULL;
        rc = store_org_get(sv->store, parent, &o, err);
    }
    /* Someone whose own organization is no district (the program's staff) names one. */
    if (own && rc == CF_OK && strcmp(svc__str(o, "kind"), "district") != 0) {
        rc = cf_error_set(err, CF_EINVAL, "org",
                          "Choose a district: add ?org= and the district's id to the address.");
        goto out;
    }
    if (rc == CF_ENOTFOUND ||
        (rc == CF_OK && (strcmp(svc__str(o, "kind"), "district") != 0 ||
                         !svc__can(sv, PERM_EVALUATIONS_MANAGE, svc__str(o, "id")))))
        rc = cf_error_set(err, CF_ENOTFOUND, "org", NO_DISTRICT);
    if (rc == CF_OK)
        *out = json_incref(o);
out:
    json_decref(o);
    json_decref(person);
    return rc;
}

int svc_eval_team(const struct svc *sv, const char *org, json_t **out, struct cf_error *err)
{
    json_t *district = NULL, *rows = NULL, *columns = NULL, *codes = NULL, *people = NULL;
    json_t *list = NULL, *means = NULL, *id;
    size_t i, nc;
    long k = 0;
    int rc;

    *out = NULL;
    rc = district_of(sv, org, &district, err);
    if (rc == CF_OK)
        rc = store_eval_view_rows(sv->store, "district", svc__str(district, "id"), &rows, err);
    if (rc == CF_OK)
        rc = columns_of(sv, rows, &columns, &codes, err);
    if (rc != CF_OK)
        goto out;
    people = people_of(rows, columns, codes);
    list = json_array();
    means = json_array();
    if (people == NULL || list == NULL || means == NULL) {
        rc = nomem(err);
        goto out;
    }
    nc = json_array_size(columns);

    /* One row per person; the team's mean of their means below. */
    json_array_foreach(json_object_get(people, ""), i, id)
    {
        json_t *p = json_object_get(people, json_string_value(id));
        json_t *cells = json_array(), *selfs = json_array();
        char day[CLOCK_DATE_LEN];
        int has_self = 0;

        if (k == 0)
            k = num(p, "levels");
        for (size_t c = 0; c < nc; c++) {
            const char *code = svc__str(json_array_get(columns, c), "code");
            json_int_t s = json_integer_value(json_array_get(json_object_get(p, "self"), c));
            char text[NUM_TEXT];

            json_array_append_new(cells, heat_cell(code, others_mean(p, c), num(p, "levels")));
            snprintf(text, sizeof text, "%lld", (long long)s);
            json_array_append_new(selfs, json_pack("{s:s, s:o, s:s}", "code", code, "level",
                                                   s > 0 ? json_integer(s) : json_null(), "text",
                                                   s > 0 ? text : "Not rated"));
            has_self = has_self || s > 0;
        }
        /* closed_on: the date of closed_at, for the page. */
        snprintf(day, sizeof day, "%.10s",
                 svc__str(p, "closed_at") != NULL ? svc__str(p, "closed_at") : "");
        json_array_append_new(list, json_pack("{s:O, s:O, s:O, s:O, s:s, s:o, s:o, s:b}",
                                              "person_id", json_object_get(p, "person_id"), "name",
                                              json_object_get(p, "name"), "evaluation_id",
                                              json_object_get(p, "evaluation_id"), "closed_at",
                                              json_object_get(p, "closed_at"), "closed_on", day,
                                              "cells", cells, "self", selfs, "has_self", has_self));
    }
    for (size_t c = 0; c < nc; c++) {
        double sum = 0;
        int n = 0;

        json_array_foreach(json_object_get(people, ""), i, id)
        {
            double m = others_mean(json_object_get(people, json_string_value(id)), c);

            if (m >= 0) {
                sum += m;
                n++;
            }
        }
        json_array_append_new(means, heat_cell(svc__str(json_array_get(columns, c), "code"),
                                               n > 0 ? sum / n : -1, k > 0 ? k : 4));
    }
    *out = json_pack("{s:{s:O, s:O}, s:O, s:O, s:O, s:o, s:b, s:I}", "district", "id",
                     json_object_get(district, "id"), "name", json_object_get(district, "name"),
                     "columns", columns, "people", list, "team_mean", means, "legend",
                     legend_of(k > 0 ? k : 4), "has_people", json_array_size(list) > 0, "levels",
                     (json_int_t)(k > 0 ? k : 4));
    if (*out == NULL)
        rc = nomem(err);
out:
    json_decref(means);
    json_decref(list);
    json_decref(people);
    json_decref(codes);
    json_decref(columns);
    json_decref(rows);
    json_decref(district);
    return rc;
}

/* --- aggregates: the group-of-5 rule ----------------------------------------------------- */

/* One group being summed: how many people, and per column the sum of their means and count. */
struct group {
    const char *id;
    long people;
    double *sum;
    long *n;
    int hide_row; /* the whole row is not shown */
    int *hide;    /* per column */
};

/*
 * Hides, within one column of groups (values[g], g < ng; hidden[g] set for
 * those already hidden), enough more that the hidden groups together hold at
 * least GROUP_MIN people: then the total minus the shown groups gives away no
 * group smaller than GROUP_MIN (complementary suppression). The smallest
 * shown group is hidden first. Groups with no one in them count as neither.
 */
static void complement(const long *values, int *hidden, size_t ng)
{
    for (;;) {
        long held = 0;
        size_t smallest = ng;

        for (size_t g = 0; g < ng; g++) {
            if (hidden[g])
                held += values[g];
            else if (values[g] > 0 && (smallest == ng || values[g] < values[smallest]))
                smallest = g;
        }
        if (held == 0 || held >= GROUP_MIN || smallest == ng)
            return;
        hidden[smallest] = 1;
    }
}

/* The view of one group: {id, name, people, people_text, hidden, cells: [{code, mean, n, text}]}.
 */
static json_t *group_view(const struct group *g, const char *name, const json_t *columns)
{
    json_t *cells = json_array();
    size_t nc = json_array_size(columns);
    char text[NUM_TEXT];

    for (size_t c = 0; c < nc; c++) {
        const char *code = svc__str(json_array_get(columns, c), "code");

        if (g->hide_row || g->hide[c]) {
            json_array_append_new(cells, json_pack("{s:s, s:n, s:n, s:s, s:b}", "code", code,
                                                   "mean", "n", "text", SUPPRESSED, "hidden", 1));
            continue;
        }
        snprintf(text, sizeof text, "%.1f", g->n[c] > 0 ? g->sum[c] / (double)g->n[c] : 0.0);
        json_array_append_new(cells, json_pack("{s:s, s:o, s:I, s:s, s:b}", "code", code, "mean",
                                               num2(g->sum[c] / (double)g->n[c]), "n",
                                               (json_int_t)g->n[c], "text", text, "hidden", 0));
    }
    snprintf(text, sizeof text, "%ld", g->people);
    return json_pack("{s:s?, s:s, s:o, s:s, s:b, s:o}", "id", g->id, "name", name, "people",
                     g->hide_row ? json_null() : json_integer(g->people), "people_text",
                     g->hide_row ? SUPPRESSED : text, "hidden", g->hide_row, "cells", cells);
}

/* Frees the arrays of groups[0..ng) (the total last). */
static void groups_free(struct group *groups, size_t ng)
{
    for (size_t g = 0; groups != NULL && g < ng; g++) {
        free(groups[g].sum);
        free(groups[g].n);
        free(groups[g].hide);
    }
    free(groups);
}

int svc_eval_aggregate(const struct svc *sv, const char *scope, const char *org, json_t **out,
                       struct cf_error *err)
{
    json_t *place = NULL, *rows = NULL, *columns = NULL, *codes = NULL, *people = NULL;
    json_t *orgs = NULL, *names = NULL, *ids = NULL, *list = NULL, *id, *o;
    struct group *groups = NULL;
    size_t i, nc, ng = 0;
    long *vals = NULL;
    int *hid = NULL, state_scope, rc = CF_OK;

    *out = NULL;
    /* Program-wide: the districts' own people are theirs to see, not other districts'. */
    if (!svc_eval_may_aggregate(sv))
        return cf_error_set(err, CF_EFORBIDDEN, NULL,
                            "Only the program's administrators see aggregates across districts.");
    state_scope = scope != NULL && strcmp(scope, "state") == 0;
    if (!state_scope && (scope == NULL || strcmp(scope, "program") != 0))
        return cf_error_set(err, CF_EINVAL, "scope", "The scope must be state or program.");
    if (state_scope) {
        rc = org != NULL && org[0] != '\0' ? store_org_get(sv->store, org, &place, err)
                                           : CF_ENOTFOUND;
        if (rc == CF_ENOTFOUND || (rc == CF_OK && strcmp(svc__str(place, "kind"), "state") != 0))
            rc = cf_error_set(err, CF_ENOTFOUND, "org",
                              "There is no such state. Check the address.");
    }
    if (rc == CF_OK)
        rc = store_eval_view_rows(sv->store, state_scope ? "state" : "all",
                                  state_scope ? svc__str(place, "id") : NULL, &rows, err);
    if (rc == CF_OK)
        rc = columns_of(sv, rows, &columns, &codes, err);
    if (rc == CF_OK)
        rc = store_org_list(sv->store, &orgs, err);
    if (rc != CF_OK)
        goto out;
    people = people_of(rows, columns, codes);
    names = json_object();
    ids = json_object();
    list = json_array();
    if (people == NULL || names == NULL || ids == NULL || list == NULL) {
        rc = nomem(err);
        goto out;
    }
    json_array_foreach(orgs, i, o)
    {
        json_object_set(names, svc__str(o, "id"), json_object_get(o, "name"));
    }
    nc = json_array_size(columns);

    /*
     * The groups: every district of the state, or every state, by name — also those with
     * nobody evaluated, so that a hidden row does not tell that someone was; then any other
     * a person falls in. ids maps a group's id to its row.
     */
    json_array_foreach(orgs, i, o)
    {
        const char *parent = svc__str(o, "parent_id");

        if (state_scope ? strcmp(svc__str(o, "kind"), "district") == 0 && parent != NULL &&
                              strcmp(parent, svc__str(place, "id")) == 0
                        : strcmp(svc__str(o, "kind"), "state") == 0)
            json_object_set_new(ids, svc__str(o, "id"), json_integer((json_int_t)ng++));
    }
    json_array_foreach(json_object_get(people, ""), i, id)
    {
        const char *g = svc__str(json_object_get(people, json_string_value(id)),
                                 state_scope ? "district_id" : "state_id");

        if (g != NULL && json_object_get(ids, g) == NULL)
            json_object_set_new(ids, g, json_integer((json_int_t)ng++));
    }
    groups = calloc(ng + 1, sizeof *groups);
    vals = calloc(ng + 1, sizeof *vals);
    hid = calloc(ng + 1, sizeof *hid);
    if (groups == NULL || vals == NULL || hid == NULL) {
        rc = nomem(err);
        goto out;
    }
    for (size_t g = 0; g <= ng; g++) {
        groups[g].sum = calloc(nc + 1, sizeof(double));
        groups[g].n = calloc(nc + 1, sizeof(long));
        groups[g].hide = calloc(nc + 1, sizeof(int));
        if (groups[g].sum == NULL || groups[g].n == NULL || groups[g].hide == NULL) {
            rc = nomem(err);
            goto out;
        }
    }
    {
        const char *gid;
        json_t *v;

        json_object_foreach(ids, gid, v)
        {
            groups[json_integer_value(v)].id = gid;
        }
    }

    /* Sums: each person once, in their group and in the total (groups[ng]). */
    json_array_foreach(json_object_get(people, ""), i, id)
    {
        const json_t *p = json_object_get(people, json_string_value(id));
        const char *gid = svc__str(p, state_scope ? "district_id" : "state_id");
        struct group *in[2] = {&groups[ng], NULL};

        if (gid != NULL)
            in[1] = &groups[json_integer_value(json_object_get(ids, gid))];
        for (int w = 0; w < 2; w++) {
            if (in[w] == NULL)
                continue;
            in[w]->people++;
            for (size_t c = 0; c < nc; c++) {
                double m = others_mean(p, c);

                if (m >= 0) {
                    in[w]->sum[c] += m;
                    in[w]->n[c]++;
                }
            }
        }
    }

    /* The rule: a group of fewer than GROUP_MIN is hidden, then complementary hiding. */
    groups[ng].hide_row = groups[ng].people < GROUP_MIN;
    for (size_t g = 0; g < ng; g++) {
        groups[g].hide_row = groups[ng].hide_row || groups[g].people < GROUP_MIN;
        vals[g] = groups[g].people;
        hid[g] = groups[g].hide_row;
    }
    if (!groups[ng].hide_row)
        complement(vals, hid, ng);
    for (size_t g = 0; g < ng; g++)
        groups[g].hide_row = hid[g];
    for (size_t c = 0; c < nc; c++) {
        groups[ng].hide[c] = groups[ng].hide_row || groups[ng].n[c] < GROUP_MIN;
        for (size_t g = 0; g < ng; g++) {
            vals[g] = groups[g].n[c];
            hid[g] = groups[g].hide_row || groups[ng].hide[c] || groups[g].n[c] < GROUP_MIN;
        }
        if (!groups[ng].hide[c])
            complement(vals, hid, ng);
        for (size_t g = 0; g < ng; g++)
            groups[g].hide[c] = hid[g];
    }

    for (size_t g = 0; g < ng; g++) {
        const char *name = json_string_value(json_object_get(names, groups[g].id));

        json_array_append_new(list,
                              group_view(&groups[g], name != NULL ? name : groups[g].id, columns));
    }
    *out =
        json_pack("{s:s, s:o, s:O, s:O, s:o, s:i, s:b, s:s}", "scope",
                  state_scope ? "state" : "program", "place",
                  state_scope ? json_pack("{s:O, s:O}", "id", json_object_get(place, "id"), "name",
                                          json_object_get(place, "name"))
                              : json_null(),
                  "columns", columns, "groups", list, "total",
                  group_view(&groups[ng], state_scope ? "The whole state" : "Everywhere", columns),
                  "min_group", GROUP_MIN, "has_groups", ng > 0, "group_label",
                  state_scope ? "District" : "State");
    if (*out == NULL)
        rc = nomem(err);
out:
    groups_free(groups, ng + 1);
    free(vals);
    free(hid);
    json_decref(list);
    json_decref(ids);
    json_decref(names);
    json_decref(orgs);
    json_decref(people);
    json_decref(codes);
    json_decref(columns);
    json_decref(rows);
    json_decref(place);
    return rc;
}

int svc_eval_may_aggregate(const struct svc *sv)
{
    return svc__can_everywhere(sv, PERM_EVALUATIONS_MANAGE);
}
