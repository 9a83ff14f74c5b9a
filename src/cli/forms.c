/*
 * forms.c — `ctoframe form ...`: exam forms from the command line (issue 10 point 3;
 * svc/forms.c; docs/exam-forms.md). Its own argument reader: `form add` takes any number
 * of item identifiers, more than cli_parse's positional slots.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "svc/svc.h"

static const char USAGE[] =
    "usage: ctoframe form create CODE --title TITLE [--pretest N] [--db PATH|URL]\n"
    "       ctoframe form list [--json]\n"
    "       ctoframe form show CODE [--json]\n"
    "       ctoframe form add CODE [--pretest] ITEM...\n"
    "       ctoframe form remove CODE ITEM...\n"
    "       ctoframe form release CODE\n"
    "       ctoframe form retire CODE\n"
    "       ctoframe form responses CODE FILE.csv\n"
    "       ctoframe form analysis CODE [--json]\n"
    "       ctoframe form send-back CODE ITEM\n"
    "       ctoframe form study CODE create|round|compromise|show|adopt ... (form study --help)\n"
    "       ctoframe form calibrate CODE [--wait]\n"
    "       ctoframe form calibration CODE [--json]\n\n"
    "Exam forms built by hand from the item bank and checked against the blueprint (of 100\n"
    "scored items: I.A 15, I.B 15, I.C 10, II.A 12, II.B 9, II.C 9, III.A 9, III.B 7, III.C 7,\n"
    "III.D 7; an item counts toward its first skill code). create makes a draft form with\n"
    "N pretest slots (default 0). add puts bank items (by identifier) on a draft form as\n"
    "scored items, or with --pretest as pretest items; remove takes them off; both all or\n"
    "nothing. show prints the items and the check: per skill required and have, the scored\n"
    "and pretest counts, enemies on the form, and every failing check. release freezes the\n"
    "form, and refuses while any check fails (scored items operational, pretest items in\n"
    "pretest, pretest items = slots, no two enemies). retire takes a form out of use.\n"
    "calibrate queues a Rasch calibration of the form's latest responses (with --wait, runs\n"
    "it here); calibration prints the kept result (docs/exam-rasch.md).\n"
    "Exit 0 on success, 1 when refused (the reason on stderr), 2 on a usage error.\n";

static void print_json(const json_t *v)
{
    char *text = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

    if (text != NULL)
        printf("%s\n", text);
    free(text);
}

static const char *str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));

    return s != NULL ? s : "";
}

static long num(const json_t *o, const char *k)
{
    return (long)json_integer_value(json_object_get(o, k));
}

/* Prints the failing checks of check to stderr, one a line. */
static void print_problems(const json_t *check)
{
    const json_t *p;
    size_t i;

    json_array_foreach(json_object_get(check, "problems"), i, p)
    {
        fprintf(stderr, "  - %s\n", str(p, "message"));
    }
}

static int refused(int rc, const struct cf_error *err)
{
    if (rc == CF_EINVAL || rc == CF_ECONFLICT || rc == CF_ENOTFOUND) {
        fprintf(stderr, "ctoframe: %s\n", err->message);
        return CLI_FAIL;
    }
    return rc == CF_OK ? CLI_OK : cli_fail(err);
}

static int do_list(struct svc *sv, int json)
{
    struct cf_error err;
    json_t *list = NULL, *x;
    size_t i;
    int rc;

    cf_error_clear(&err);
    rc = svc_form_list(sv, &list, &err);
    if (rc != CF_OK)
        return refused(rc, &err);
    if (json)
        print_json(list);
    else
        json_array_foreach(list, i, x)
        {
            printf("%s\t%s\t%ld scored, %ld pretest of %ld slots\t%s\n", str(x, "code"),
                   str(x, "status"), num(x, "scored"), num(x, "pretest"), num(x, "pretest_slots"),
                   str(x, "title"));
        }
    json_decref(list);
    return CLI_OK;
}

static int do_show(struct svc *sv, const char *code, int json)
{
    struct cf_error err;
    json_t *form = NULL, *x, *check;
    size_t i;
    int rc;

    cf_error_clear(&err);
    rc = svc_form_show(sv, code, &form, &err);
    if (rc != CF_OK)
        return refused(rc, &err);
    if (json) {
        print_json(form);
        json_decref(form);
        return CLI_OK;
    }
    check = json_object_get(form, "check");
    printf("%s (%s, version %ld)\n%s\n", str(form, "code"), str(form, "status"),
           num(form, "version"), str(form, "title"));
    json_array_foreach(json_object_get(form, "items"), i, x)
    {
        printf("%ld\t%s\t%s\t%s\t%s\n", num(x, "position"), str(x, "identifier"),
               str(x, "skill")[0] != '\0' ? str(x, "skill") : "-", str(x, "role"),
               str(x, "status"));
    }
    printf("scored %ld of %ld; pretest %ld of %ld slots\n", num(check, "scored"),
           num(check, "scored_required"), num(check, "pretest"), num(check, "pretest_slots"));
    json_array_foreach(json_object_get(check, "skills"), i, x)
    {
        printf("  %-6s %ld of %ld%s\n", str(x, "code"), num(x, "have"), num(x, "required"),
               json_is_true(json_object_get(x, "ok")) ? "" : "  <-");
    }
    if (json_is_true(json_object_get(check, "ok")))
        printf("every check passes: the form can be released\n");
    else {
        printf("failing checks:\n");
        json_array_foreach(json_object_get(check, "problems"), i, x)
        {
            printf("  - %s\n", str(x, "message"));
        }
    }
    json_decref(form);
    return CLI_OK;
}

/* The option a names when it takes a value (--title, --db, --pretest, alone or with
 * "=value"), or NULL. */
static const char *value_option(const char *a)
{
    static const char *const names[] = {"--title", "--db", "--pretest"};

    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        size_t n = strlen(names[k]);

        if (strncmp(a, names[k], n) == 0 && (a[n] == '\0' || a[n] == '='))
            return names[k];
    }
    return NULL;
}

int cli_form(int argc, char **argv)
{
    struct cli_opts o;
    struct svc sv = {NULL, "cli", NULL, NULL, NULL, NULL};
    struct cf_error err;
    const char *sub = argc > 2 ? argv[2] : "", *title = NULL, *slots = NULL, *db = NULL;
    const char **args = calloc((size_t)argc + 1, sizeof args[0]);
    size_t nargs = 0;
    int json = 0, pretest = 0, wait = 0, rc = CLI_OK, need;

    if (args == NULL) {
        fprintf(stderr, "ctoframe: out of memory\n");
        return CLI_FAIL;
    }
    if (strcmp(sub, "study") == 0) { /* its own arguments: cli/form_study.c */
        free(args);
        return cli_form_study(argc, argv);
    }
    for (int i = 3; rc == CLI_OK && i < argc; i++) {
        const char *a = argv[i];

        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(USAGE, stdout);
            free(args);
            return CLI_OK;
        } else if (strcmp(a, "--json") == 0)
            json = 1;
        else if (strcmp(a, "--pretest") == 0 && strcmp(sub, "add") == 0)
            pretest = 1;
        else if (strcmp(a, "--wait") == 0 && strcmp(sub, "calibrate") == 0)
            wait = 1;
        else if (value_option(a) != NULL) {
            /* --title T or --title=T (and --db, create's --pretest N) */
            const char *eq = strchr(a, '='), *v = eq != NULL     ? eq + 1
                                                  : i + 1 < argc ? argv[++i]
                                                                 : NULL;

            if (v == NULL || v[0] == '\0') {
                fprintf(stderr, "ctoframe: option %.*s needs a value\n",
                        (int)(eq != NULL ? (size_t)(eq - a) : strlen(a)), a);
                rc = CLI_USAGE;
            } else
                *(a[2] == 't' ? &title : a[2] == 'd' ? &db : &slots) = v;
        } else if (strncmp(a, "--", 2) == 0) {
            fprintf(stderr, "ctoframe: unknown option %s\n", a);
            rc = CLI_USAGE;
        } else
            args[nargs++] = a;
    }
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
        fputs(USAGE, stdout);
        free(args);
        return CLI_OK;
    }

    /* The positional arguments each subcommand takes (-1: the code and at least one item). */
    need = strcmp(sub, "list") == 0                                ? 0
           : strcmp(sub, "add") == 0 || strcmp(sub, "remove") == 0 ? -1
           : strcmp(sub, "create") == 0 || strcmp(sub, "show") == 0 ||
                   strcmp(sub, "release") == 0 || strcmp(sub, "retire") == 0 ||
                   strcmp(sub, "analysis") == 0 || strcmp(sub, "calibrate") == 0 ||
                   strcmp(sub, "calibration") == 0
               ? 1
           : strcmp(sub, "responses") == 0 || strcmp(sub, "send-back") == 0 ? 2
                                                                            : -2;
    if (rc == CLI_OK &&
        (need == -2 || (need >= 0 && nargs != (size_t)need) || (need == -1 && nargs < 2) ||
         (strcmp(sub, "create") == 0) != (title != NULL) ||
         (slots != NULL && strcmp(sub, "create") != 0) ||
         (json && strcmp(sub, "list") != 0 && strcmp(sub, "show") != 0 &&
          strcmp(sub, "analysis") != 0 && strcmp(sub, "calibration") != 0))) {
        if (strcmp(sub, "create") == 0 && title == NULL)
            fprintf(stderr, "ctoframe: form create needs --title.\n");
        rc = CLI_USAGE;
    }
    if (rc != CLI_OK) {
        fputs(USAGE, stderr);
        free(args);
        return rc;
    }

    memset(&o, 0, sizeof o);
    o.db = db != NULL ? db : getenv("CTOFRAME_DB");
    if (o.db == NULL || o.db[0] == '\0')
        o.db = "var/ctoframe.db";
    rc = cli_open_store(&o, &sv.store);
    if (rc != CLI_OK) {
        free(args);
        return rc;
    }
    cf_error_clear(&err);
    if (strcmp(sub, "list") == 0)
        rc = do_list(&sv, json);
    else if (strcmp(sub, "show") == 0)
        rc = do_show(&sv, args[0], json);
    else if (strcmp(sub, "responses") == 0)
        rc = cli_form_responses(&sv, args[0], args[1]);
    else if (strcmp(sub, "analysis") == 0)
        rc = cli_form_analysis(&sv, args[0], json);
    else if (strcmp(sub, "send-back") == 0)
        rc = cli_form_send_back(&sv, args[0], args[1]);
    else if (strcmp(sub, "calibrate") == 0)
        rc = cli_form_calibrate(&sv, args[0], wait);
    else if (strcmp(sub, "calibration") == 0)
        rc = cli_form_calibration(&sv, args[0], json);
    else if (strcmp(sub, "create") == 0) {
        json_t *in = json_pack("{s:s, s:s, s:s?}", "code", args[0], "title", title, "pretest_slots",
                               slots),
               *out = NULL;

        rc = in != NULL ? svc_form_create(&sv, in, &out, &err)
                        : cf_error_set(&err, CF_ENOMEM, NULL, "Out of memory.");
        if (rc == CF_OK)
            printf("form %s created (draft, %ld pretest slots)\n", args[0],
                   num(out, "pretest_slots"));
        rc = refused(rc, &err);
        json_decref(in);
        json_decref(out);
    } else if (strcmp(sub, "add") == 0 || strcmp(sub, "remove") == 0) {
        int add = sub[0] == 'a';

        rc = add ? svc_form_add(&sv, args[0], args + 1, nargs - 1, pretest, &err)
                 : svc_form_remove(&sv, args[0], args + 1, nargs - 1, &err);
        if (rc == CF_OK)
            printf("%s %zu %s %s form %s\n", add ? "added" : "removed", nargs - 1,
                   nargs - 1 == 1 ? "item" : "items", add ? "to" : "from", args[0]);
        rc = refused(rc, &err);
    } else if (strcmp(sub, "release") == 0) {
        json_t *check = NULL;

        rc = svc_form_release(&sv, args[0], &check, &err);
        if (rc == CF_ECONFLICT && check != NULL) {
            fprintf(stderr, "ctoframe: the form %s cannot be released; these checks fail:\n",
                    args[0]);
            print_problems(check);
            rc = CLI_FAIL;
        } else {
            if (rc == CF_OK)
                printf("form %s released\n", args[0]);
            rc = refused(rc, &err);
        }
        json_decref(check);
    } else {
        rc = svc_form_retire(&sv, args[0], &err);
        if (rc == CF_OK)
            printf("form %s retired\n", args[0]);
        rc = refused(rc, &err);
    }
    store_close(sv.store);
    free(args);
    return rc;
}
