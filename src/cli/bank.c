/*
 * bank.c — `ctoframe bank import FILE.xml|FILE.zip|FILE.json`, `ctoframe bank list --json`,
 * `ctoframe bank export FILE.zip` (or `--json FILE.json`), show, move, tag, enemy and comment:
 * the exam's item bank from the command line (issue 10; svc/bank.c; docs/qti.md,
 * docs/exam.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/bankjson.h"
#include "core/qtipkg.h"
#include "svc/svc.h"

static const char USAGE[] =
    "usage: ctoframe bank import FILE.xml|FILE.zip|FILE.json [--json] [--db PATH|URL]\n"
    "       ctoframe bank list [--json] [--db PATH|URL]\n"
    "       ctoframe bank export FILE.zip [--db PATH|URL]\n"
    "       ctoframe bank export FILE.json --json [--db PATH|URL]\n"
    "       ctoframe bank show IDENTIFIER [--json]\n"
    "       ctoframe bank move IDENTIFIER STATUS [--note TEXT]\n"
    "       ctoframe bank tag IDENTIFIER --skills CODES [--level LEVEL]\n"
    "       ctoframe bank enemy IDENTIFIER IDENTIFIER [--remove]\n"
    "       ctoframe bank comment IDENTIFIER TEXT\n\n"
    "The exam's item bank. import reads one QTI 3.0 or 2.1 choice item (XML), an IMS\n"
    "content package of them (a zip with imsmanifest.xml) or a bank file (JSON, format\n"
    "ctoframe-bank/1: stimuli and items with rationales, references, author, skills and\n"
    "cognitive level; see docs/exam.md), all or nothing: an unsafe or broken package, or\n"
    "any item that cannot be read, is refused with the reason (for a bank file every\n"
    "problem with its place) and nothing is written. Items keep their identifiers; an identifier "
    "already in the bank\n"
    "with other content becomes a new version of that item. list prints every item (its\n"
    "identifier, title, interaction, number of choices, correct response and skills);\n"
    "--json as [{\"identifier\",\"title\",\"interaction\",\"choices\",\"correct\",\"skills\"}].\n"
    "export writes every item as a content package of QTI 3.0 items, or with --json as a\n"
    "bank file (FILE - : stdout). show prints one item with its rationales, references,\n"
    "author, scenario set, comments, versions, history and enemies. move takes an item along\n"
    "the workflow draft, review, pretest, operational, retired (--note: the reviewer's\n"
    "comment, required to send it back or retire it; pretest and operational need the item\n"
    "tagged). tag sets the skill areas it serves (codes separated by ';', as I.A;II.B) and\n"
    "its cognitive level (recall, application, analysis). enemy names two items that must\n"
    "never be on one form (--remove: no longer). comment adds a reviewer's comment to the\n"
    "item's history without moving it.\n"
    "The answer keys and rationales are in every output: keep them with the examiners.\n"
    "Exit 0 on success, 1 when the input is refused, 2 on a usage error.\n";

static void print_json(const json_t *v)
{
    char *text = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

    if (text != NULL)
        printf("%s\n", text);
    free(text);
}

static int do_import(const struct cli_opts *o, struct svc *sv)
{
    const char *file = o->pos[1];
    struct cf_error err;
    json_t *res = NULL;
    char *data = NULL;
    size_t n = 0;
    /* The larger of the two limits; the reader of each format checks its own. */
    const unsigned max =
        QTIPKG_MAX_ZIP_BYTES > BANKJSON_MAX_BYTES ? QTIPKG_MAX_ZIP_BYTES : BANKJSON_MAX_BYTES;
    int rc = cli_read_input(file, max, &data, &n);

    if (rc != CLI_OK)
        return rc;
    if (n > max) {
        fprintf(stderr, "ctoframe: %s: the file is larger than %u MB.\n", file,
                max / (1024u * 1024u));
        free(data);
        return CLI_FAIL;
    }
    cf_error_clear(&err);
    rc = svc_bank_import(sv, file, data, n, &res, &err);
    free(data);
    if (rc == CF_EINVAL && json_array_size(json_object_get(res, "problems")) > 0) {
        size_t i;
        json_t *pb;

        /* A bank file: every problem with its place, then the verdict. */
        json_array_foreach(json_object_get(res, "problems"), i, pb)
        {
            fprintf(stderr, "ctoframe: %s: %s: %s\n", file,
                    json_string_value(json_object_get(pb, "path")),
                    json_string_value(json_object_get(pb, "message")));
        }
        fprintf(stderr, "ctoframe: %s: %zu problem%s. Nothing was imported.\n", file,
                json_array_size(json_object_get(res, "problems")),
                json_array_size(json_object_get(res, "problems")) == 1 ? "" : "s");
        json_decref(res);
        return CLI_FAIL;
    }
    if (rc == CF_EINVAL || rc == CF_ETOOBIG) {
        size_t m = strlen(err.message);

        /* The core's reasons are phrases ("line 2, <qti-prompt>: ..."): end them as a
         * sentence before the next one. */
        fprintf(stderr, "ctoframe: %s: %s%s Nothing was imported.\n", file, err.message,
                m > 0 && err.message[m - 1] == '.' ? "" : ".");
        return CLI_FAIL;
    }
    if (rc != CF_OK)
        return cli_fail(&err);
    if (o->json) {
        print_json(res);
    } else {
        const json_t *st = json_object_get(res, "stimuli");

        printf("items %lld: added %lld, changed %lld, unchanged %lld\n",
               (long long)json_integer_value(json_object_get(res, "items")),
               (long long)json_integer_value(json_object_get(res, "added")),
               (long long)json_integer_value(json_object_get(res, "changed")),
               (long long)json_integer_value(json_object_get(res, "unchanged")));
        if (st != NULL)
            printf("stimuli %lld: added %lld, changed %lld, unchanged %lld\n",
                   (long long)json_integer_value(json_object_get(st, "count")),
                   (long long)json_integer_value(json_object_get(st, "added")),
                   (long long)json_integer_value(json_object_get(st, "changed")),
                   (long long)json_integer_value(json_object_get(st, "unchanged")));
    }
    json_decref(res);
    return CLI_OK;
}

static int do_list(const struct cli_opts *o, struct svc *sv)
{
    struct cf_error err;
    json_t *list = NULL, *x, *c;
    size_t i, j;
    int rc;

    cf_error_clear(&err);
    rc = svc_bank_list(sv, &list, &err);
    if (rc != CF_OK)
        return cli_fail(&err);
    if (o->json) {
        /* The interface's keys; status and version stay in the bank's pages. */
        json_array_foreach(list, i, x)
        {
            json_object_del(x, "status");
            json_object_del(x, "version");
        }
        print_json(list);
    } else {
        json_array_foreach(list, i, x)
        {
            printf("%s\t%s\t%s\t%lld choices\tcorrect:",
                   json_string_value(json_object_get(x, "identifier")),
                   json_string_value(json_object_get(x, "interaction")),
                   json_string_value(json_object_get(x, "status")),
                   (long long)json_integer_value(json_object_get(x, "choices")));
            json_array_foreach(json_object_get(x, "correct"), j, c)
            {
                printf(" %s", json_string_value(c));
            }
            printf("\t%s\n", json_string_value(json_object_get(x, "title")));
        }
    }
    json_decref(list);
    return CLI_OK;
}

static int do_export(const struct cli_opts *o, struct svc *sv)
{
    const char *file = o->pos[1];
    struct cf_error err;
    void *zip = NULL;
    size_t n = 0;
    FILE *f;
    int rc;

    cf_error_clear(&err);
    if (o->json) {
        json_t *doc = NULL;

        /* The bank file: keys in the format's order, indented, a line break at the end. */
        rc = svc_bank_export_json(sv, &doc, &err);
        if (rc != CF_OK)
            return cli_fail(&err);
        zip = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        json_decref(doc);
        if (zip == NULL) {
            fprintf(stderr, "ctoframe: out of memory\n");
            return CLI_FAIL;
        }
        n = strlen(zip);
        ((char *)zip)[n] = '\n'; /* json_dumps' NUL becomes the final line break */
        n++;
    } else {
        rc = svc_bank_export(sv, &zip, &n, &err);
        if (rc != CF_OK)
            return cli_fail(&err);
    }
    f = strcmp(file, "-") == 0 ? stdout : fopen(file, "wb");
    if (f == NULL || fwrite(zip, 1, n, f) != n || (f != stdout && fclose(f) != 0)) {
        fprintf(stderr, "ctoframe: cannot write %s\n", file);
        free(zip);
        return CLI_FAIL;
    }
    free(zip);
    return CLI_OK;
}

/* The text of s, or "" (a missing key prints as nothing). */
static const char *txt(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));

    return s != NULL ? s : "";
}

/* bank show without --json: the item as a reviewer reads it. */
static void print_item(const json_t *item)
{
    const json_t *b = json_object_get(item, "body"), *st = json_object_get(item, "stimulus");
    json_t *x, *c;
    size_t i, j;

    printf("%s (version %lld, %s)\n%s\n", txt(item, "identifier"),
           (long long)json_integer_value(json_object_get(item, "version")),
           txt(item, "status_label"), txt(item, "title"));
    printf("skills: %s; cognitive level: %s\n",
           txt(item, "skills")[0] != '\0' ? txt(item, "skills") : "(not tagged)",
           txt(item, "cognitive")[0] != '\0' ? txt(item, "cognitive") : "(none)");
    if (json_is_object(st))
        printf("scenario set: %s (%s)\n%s\n", txt(st, "identifier"), txt(st, "title"),
               txt(st, "text"));
    if (txt(b, "body")[0] != '\0')
        printf("%s\n", txt(b, "body"));
    printf("%s\n", txt(b, "prompt"));
    json_array_foreach(json_object_get(b, "choices"), i, x)
    {
        const char *id = txt(x, "id");
        int key = 0;

        json_array_foreach(json_object_get(b, "correct"), j, c)
        {
            key |= json_string_value(c) != NULL && strcmp(json_string_value(c), id) == 0;
        }
        printf("  %s%s %s\n", key ? "*" : " ", id, txt(x, "text"));
        if (txt(x, "rationale")[0] != '\0')
            printf("      rationale: %s\n", txt(x, "rationale"));
    }
    json_array_foreach(json_object_get(b, "references"), i, x)
    {
        printf("reference: %s\n", json_string_value(x));
    }
    if (txt(b, "author")[0] != '\0')
        printf("author: %s\n", txt(b, "author"));
    json_array_foreach(json_object_get(item, "comments"), i, x)
    {
        printf("comment %s (%s): %s\n", txt(x, "at"), txt(x, "actor"), txt(x, "text"));
    }
}

/* show, move, tag, enemy and comment: one item (or two) by identifier. */
static int do_item(const struct cli_opts *o, struct svc *sv)
{
    const char *what = o->pos[0];
    struct cf_error err;
    json_t *item = NULL;
    int rc;

    cf_error_clear(&err);
    if (strcmp(what, "show") == 0) {
        rc = svc_bank_show(sv, o->pos[1], &item, &err);
        if (rc == CF_OK) {
            if (o->json)
                print_json(item);
            else
                print_item(item);
        }
        json_decref(item);
    } else if (strcmp(what, "move") == 0)
        rc = svc_bank_move(sv, o->pos[1], o->pos[2], o->note, &err);
    else if (strcmp(what, "tag") == 0)
        rc = svc_bank_tag(sv, o->pos[1], o->skills, o->level, &err);
    else if (strcmp(what, "comment") == 0)
        rc = svc_bank_comment(sv, o->pos[1], o->pos[2], &err);
    else
        rc = svc_bank_enemy(sv, o->pos[1], o->pos[2], !o->remove, &err);
    if (rc == CF_EINVAL || rc == CF_ECONFLICT || rc == CF_ENOTFOUND) {
        fprintf(stderr, "ctoframe: %s\n", err.message);
        return CLI_FAIL;
    }
    return rc == CF_OK ? CLI_OK : cli_fail(&err);
}

int cli_bank(int argc, char **argv)
{
    struct cli_opts o;
    struct svc sv = {NULL, "cli", NULL, NULL, NULL, NULL};
    static const struct {
        const char *name;
        int args; /* positional arguments, the subcommand's name included */
    } subs[] = {{"import", 2}, {"list", 1}, {"export", 2}, {"show", 2},
                {"move", 3},   {"tag", 2},  {"enemy", 3},  {"comment", 3}};
    int rc = cli_parse(argc, argv, 2, "db json note skills level remove", &o, USAGE), ok = 0;

    if (rc != CLI_OK || o.help)
        return rc;
    for (size_t i = 0; o.npos >= 1 && i < sizeof subs / sizeof subs[0]; i++)
        if (strcmp(o.pos[0], subs[i].name) == 0 && o.npos == subs[i].args)
            ok = 1;
    if (ok && strcmp(o.pos[0], "tag") == 0 && o.skills == NULL) {
        fprintf(stderr, "ctoframe: bank tag needs --skills.\n");
        ok = 0;
    }
    if (!ok) {
        fputs(USAGE, stderr);
        return CLI_USAGE;
    }
    rc = cli_open_store(&o, &sv.store);
    if (rc != CLI_OK)
        return rc;
    if (strcmp(o.pos[0], "import") == 0)
        rc = do_import(&o, &sv);
    else if (strcmp(o.pos[0], "list") == 0)
        rc = do_list(&o, &sv);
    else if (strcmp(o.pos[0], "export") == 0)
        rc = do_export(&o, &sv);
    else
        rc = do_item(&o, &sv);
    store_close(sv.store);
    return rc;
}
