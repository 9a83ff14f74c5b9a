/*
 * form_study.c — `ctoframe form study CODE create|round|compromise|show|adopt`: the Angoff
 * study of an exam form kept in the database (issue 10 point 7; svc/study.c;
 * docs/standard-setting.md). cli/forms.c hands `form study` here; the arguments are read
 * here, each option once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/angoff.h"
#include "svc/svc.h"

#define OPT_NAME_MAX 32 /* an option's name as read */

static const char USAGE[] =
    "usage: ctoframe form study CODE create --title TITLE\n"
    "       ctoframe form study CODE round FILE.csv\n"
    "       ctoframe form study CODE compromise --kmin PCT --kmax PCT --fmin PCT --fmax PCT\n"
    "                                     [--beuk-pass PCT --beuk-sd SD]\n"
    "       ctoframe form study CODE show [--json]\n"
    "       ctoframe form study CODE adopt --round N\n"
    "       (each also takes --db PATH|URL)\n\n"
    "The modified Angoff study of released form CODE, kept in the database. create opens\n"
    "the study (one open study per form). round imports a round of the panel's ratings: the\n"
    "ratings file of `ctoframe exam angoff` (header round,panelist,ITEM...), its item columns\n"
    "exactly the form's scored items, every row carrying the study's next round number;\n"
    "whole or not at all, each problem as FILE:LINE:COLUMN. compromise records the Hofstee\n"
    "bounds (percent correct and percent failing) and, optionally, the panel's mean\n"
    "acceptable pass rate and its SD for Beuk. show prints the study record: every round's\n"
    "cut, SD, SE and pass rate on the form's latest responses, the compromise checks, the\n"
    "adopted cut and who did what when. adopt makes round N's cut, rounded up to a whole raw\n"
    "score, the form's raw cut (600 on the scaled score) and closes the study.\n"
    "Exit 0 on success, 1 when refused (the reason on stderr), 2 on a usage error.\n";

/* The options `form study` takes, each with a value. */
enum { O_TITLE, O_DB, O_KMIN, O_KMAX, O_FMIN, O_FMAX, O_BEUK_PASS, O_BEUK_SD, O_ROUND, O_N };
static const char *const OPT_NAMES[O_N] = {"title", "db",        "kmin",    "kmax", "fmin",
                                           "fmax",  "beuk-pass", "beuk-sd", "round"};

static const char *str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));

    return s != NULL ? s : "";
}

/* A number of o, or "n/a" for a null, with prec decimals, in buf. */
static const char *num(const json_t *o, const char *k, int prec, char *buf, size_t n)
{
    const json_t *v = json_object_get(o, k);

    if (!json_is_number(v))
        return "n/a";
    snprintf(buf, n, "%.*f", prec, json_number_value(v));
    return buf;
}

static int refused(int rc, const struct cf_error *err)
{
    if (rc == CF_EINVAL || rc == CF_ECONFLICT || rc == CF_ENOTFOUND) {
        fprintf(stderr, "ctoframe: %s\n", err->message);
        return CLI_FAIL;
    }
    return rc == CF_OK ? CLI_OK : cli_fail(err);
}

static int do_round(struct svc *sv, const char *code, const char *path)
{
    struct cf_error err;
    json_t *out = NULL, *problems = NULL;
    const char *base = strrchr(path, '/');
    char *data = NULL, b1[32], b2[32], b3[32];
    size_t n = 0;
    int rc = cli_read_input(path, ANGOFF_MAX_BYTES, &data, &n);

    if (rc != CLI_OK)
        return rc;
    cf_error_clear(&err);
    rc = svc_study_round(sv, code, base != NULL ? base + 1 : path, data, n, &out, &problems, &err);
    free(data);
    if (rc == CF_EINVAL && json_array_size(problems) > 0) {
        fprintf(stderr, "ctoframe: %s was not imported; nothing was written:\n", path);
        cli_print_problems(path, problems);
        json_decref(problems);
        return CLI_FAIL;
    }
    json_decref(problems);
    if (rc == CF_OK)
        printf("round %d of form %s's study imported from %s: %d panelists, cut %s (raw cut %d), "
               "SD %s, SE %s\n",
               (int)json_integer_value(json_object_get(out, "round")), code, str(out, "file_name"),
               (int)json_integer_value(json_object_get(out, "panelists")),
               num(out, "cut", 3, b1, sizeof b1),
               (int)json_integer_value(json_object_get(out, "raw_cut")),
               num(out, "sd", 3, b2, sizeof b2), num(out, "se", 3, b3, sizeof b3));
    json_decref(out);
    return refused(rc, &err);
}

/* The study record as text. */
static void print_record(const json_t *v)
{
    const json_t *st = json_object_get(v, "study"), *x, *c, *y;
    char b1[32], b2[32], b3[32], b4[32];
    size_t i, k;

    printf("form %s (%s): %d scored items; raw cut %s\n", str(v, "form"), str(v, "status"),
           (int)json_integer_value(json_object_get(v, "scored_items")),
           json_is_integer(json_object_get(v, "cut_raw")) ? num(v, "cut_raw", 0, b1, sizeof b1)
                                                          : "not set");
    if (json_is_null(st)) {
        printf("no Angoff study yet\n");
        return;
    }
    printf("study \"%s\" (%s), started %s by %s\n", str(st, "title"), str(st, "status"),
           str(st, "created_at"), str(st, "created_by"));
    x = json_object_get(v, "impact");
    if (json_is_object(x))
        printf("impact data: %s, %d candidates, imported %s\n", str(x, "file_name"),
               (int)json_integer_value(json_object_get(x, "persons")), str(x, "created_at"));
    else
        printf("impact data: none (the form has no responses yet)\n");
    printf("round\tpanelists\tcut\tSD\tSE\traw cut\tpass rate\tfile\n");
    json_array_foreach(json_object_get(v, "rounds"), i, x)
    {
        printf("%d\t%d\t%s\t%s\t%s\t%d\t%s\t%s\n",
               (int)json_integer_value(json_object_get(x, "round")),
               (int)json_integer_value(json_object_get(x, "panelists")),
               num(x, "cut", 3, b1, sizeof b1), num(x, "sd", 3, b2, sizeof b2),
               num(x, "se", 3, b3, sizeof b3),
               (int)json_integer_value(json_object_get(x, "raw_cut")),
               num(x, "pass_rate", 3, b4, sizeof b4), str(x, "file_name"));
        printf("  most disagreement:");
        json_array_foreach(json_object_get(x, "most_disagreement"), k, y)
        {
            printf(" %s", json_string_value(y));
        }
        printf("\n  panelists' cuts:");
        json_array_foreach(json_object_get(x, "panelist_cuts"), k, y)
        {
            printf(" %s %s", str(y, "panelist"), num(y, "cut", 2, b1, sizeof b1));
        }
        printf("\n");
    }
    for (int b = 0; b < 2; b++) {
        c = json_object_get(v, b ? "beuk" : "hofstee");
        if (!json_is_object(c))
            continue;
        if (json_is_true(json_object_get(c, "crosses")))
            printf("%s: cut %s%% correct, raw cut %d, pass rate there %s%%\n",
                   b ? "Beuk" : "Hofstee", num(c, "cut_percent", 2, b1, sizeof b1),
                   (int)json_integer_value(json_object_get(c, "raw_cut")),
                   num(c, "pass_percent_at_raw_cut", 2, b2, sizeof b2));
        else
            printf("%s: no cut: %s\n", b ? "Beuk" : "Hofstee", str(c, "why"));
    }
    if (json_is_integer(json_object_get(st, "adopted_round")))
        printf("adopted: round %d, raw cut %d\n",
               (int)json_integer_value(json_object_get(st, "adopted_round")),
               (int)json_integer_value(json_object_get(st, "adopted_cut_raw")));
    printf("history:\n");
    json_array_foreach(json_object_get(v, "events"), i, x)
    {
        printf("  %s %s: %s\n", str(x, "at"), str(x, "who"), str(x, "what"));
    }
}

/* Reads argv[5..] into val (options) and *pos (one positional); CLI_OK or CLI_USAGE. */
static int read_args(int argc, char **argv, const char **val, const char **pos, int *json)
{
    for (int i = 5; i < argc; i++) {
        const char *a = argv[i], *eq, *v = NULL;
        char name[OPT_NAME_MAX];
        size_t len;
        int k;

        if (strcmp(a, "--json") == 0) {
            *json = 1;
            continue;
        }
        if (strncmp(a, "--", 2) != 0) {
            if (*pos != NULL) {
                fprintf(stderr, "ctoframe: form study takes no argument \"%s\".\n", a);
                return CLI_USAGE;
            }
            *pos = a;
            continue;
        }
        eq = strchr(a, '=');
        len = eq != NULL ? (size_t)(eq - a - 2) : strlen(a + 2);
        if (len >= sizeof name)
            len = sizeof name - 1;
        memcpy(name, a + 2, len);
        name[len] = '\0';
        for (k = 0; k < O_N && strcmp(OPT_NAMES[k], name) != 0; k++)
            ;
        if (k == O_N) {
            fprintf(stderr, "ctoframe: unknown option --%s\n", name);
            return CLI_USAGE;
        }
        if (val[k] != NULL) {
            fprintf(stderr, "ctoframe: The option --%s is given twice.\n", name);
            return CLI_USAGE;
        }
        if (eq != NULL)
            v = eq + 1;
        else if (i + 1 < argc)
            v = argv[++i];
        if (v == NULL || v[0] == '\0') {
            fprintf(stderr, "ctoframe: The option --%s needs a value.\n", name);
            return CLI_USAGE;
        }
        val[k] = v;
    }
    return CLI_OK;
}

/* 1 when only the options of mask (bits of O_*) and O_DB are given. */
static int only(const char *const *val, unsigned mask)
{
    for (int k = 0; k < O_N; k++)
        if (val[k] != NULL && k != O_DB && !(mask & (1u << k)))
            return 0;
    return 1;
}

int cli_form_study(int argc, char **argv)
{
    struct cli_opts o;
    struct svc sv = {NULL, "cli", NULL, NULL, NULL, NULL};
    struct cf_error err;
    const char *val[O_N] = {NULL}, *pos = NULL, *code = argc > 3 ? argv[3] : "",
               *sub = argc > 4 ? argv[4] : "";
    json_t *out = NULL;
    int json = 0, rc, fit;
    long round = 0;

    for (int i = 3; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(USAGE, stdout);
            return CLI_OK;
        }
    rc = code[0] == '\0' || strncmp(code, "--", 2) == 0 ? CLI_USAGE
                                                        : read_args(argc, argv, val, &pos, &json);

    /* What each subcommand takes. */
    fit = strcmp(sub, "create") == 0
              ? val[O_TITLE] != NULL && only(val, 1u << O_TITLE) && pos == NULL && !json
          : strcmp(sub, "round") == 0 ? pos != NULL && only(val, 0) && !json
          : strcmp(sub, "compromise") == 0
              ? val[O_KMIN] != NULL && val[O_KMAX] != NULL && val[O_FMIN] != NULL &&
                    val[O_FMAX] != NULL &&
                    only(val, 1u << O_KMIN | 1u << O_KMAX | 1u << O_FMIN | 1u << O_FMAX |
                                  1u << O_BEUK_PASS | 1u << O_BEUK_SD) &&
                    pos == NULL && !json
          : strcmp(sub, "show") == 0 ? only(val, 0) && pos == NULL
          : strcmp(sub, "adopt") == 0
              ? val[O_ROUND] != NULL && only(val, 1u << O_ROUND) && pos == NULL && !json
              : 0;
    if (rc == CLI_OK && fit && val[O_ROUND] != NULL) {
        char *end = NULL;

        errno = 0;
        round = strtol(val[O_ROUND], &end, 10);
        if (errno != 0 || *end != '\0' || val[O_ROUND][0] < '0' || val[O_ROUND][0] > '9' ||
            round < 1 || round > ANGOFF_ROUNDS_MAX) {
            fprintf(stderr,
                    "ctoframe: The option --round takes a whole number from 1 to %d, not \"%s\".\n",
                    ANGOFF_ROUNDS_MAX, val[O_ROUND]);
            rc = CLI_USAGE;
        }
    }
    if (rc != CLI_OK || !fit) {
        fputs(USAGE, stderr);
        return CLI_USAGE;
    }

    memset(&o, 0, sizeof o);
    o.db = val[O_DB] != NULL ? val[O_DB] : getenv("CTOFRAME_DB");
    if (o.db == NULL || o.db[0] == '\0')
        o.db = "var/ctoframe.db";
    rc = cli_open_store(&o, &sv.store);
    if (rc != CLI_OK)
        return rc;
    cf_error_clear(&err);
    if (strcmp(sub, "round") == 0)
        rc = do_round(&sv, code, pos);
    else {
        if (strcmp(sub, "create") == 0) {
            rc = svc_study_create(&sv, code, val[O_TITLE], &out, &err);
            if (rc == CF_OK)
                printf("Angoff study \"%s\" started for form %s\n", str(out, "title"), code);
        } else if (strcmp(sub, "compromise") == 0) {
            json_t *in = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?}", "kmin", val[O_KMIN], "kmax",
                                   val[O_KMAX], "fmin", val[O_FMIN], "fmax", val[O_FMAX],
                                   "beuk_pass", val[O_BEUK_PASS], "beuk_sd", val[O_BEUK_SD]);

            rc = in != NULL ? svc_study_compromise(&sv, code, in, &out, &err)
                            : cf_error_set(&err, CF_ENOMEM, NULL, "Out of memory.");
            json_decref(in);
            if (rc == CF_OK)
                printf("compromise parameters recorded for form %s's study\n", code);
        } else if (strcmp(sub, "adopt") == 0) {
            rc = svc_study_adopt(&sv, code, (int)round, &out, &err);
            if (rc == CF_OK)
                printf("form %s: raw cut %d of %d scored items adopted from round %d (= %d on "
                       "the scaled score); the study is closed\n",
                       code, (int)json_integer_value(json_object_get(out, "cut_raw")),
                       (int)json_integer_value(json_object_get(out, "scored_items")), (int)round,
                       (int)json_integer_value(json_object_get(out, "scaled_cut")));
        } else {
            rc = svc_study_show(&sv, code, &out, &err);
            if (rc == CF_OK && json) {
                char *text =
                    json_dumps(out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));

                if (text != NULL)
                    printf("%s\n", text);
                free(text);
            } else if (rc == CF_OK)
                print_record(out);
        }
        rc = refused(rc, &err);
    }
    json_decref(out);
    store_close(sv.store);
    return rc;
}
