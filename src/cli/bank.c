/*
 * bank.c — `ctoframe bank import FILE.xml|FILE.zip`, `ctoframe bank list --json` and
 * `ctoframe bank export FILE.zip`: the exam's item bank from the command line (issue 10;
 * svc/bank.c; docs/qti.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/qtipkg.h"
#include "svc/svc.h"

static const char USAGE[] =
    "usage: ctoframe bank import FILE.xml|FILE.zip [--json] [--db PATH|URL]\n"
    "       ctoframe bank list [--json] [--db PATH|URL]\n"
    "       ctoframe bank export FILE.zip [--db PATH|URL]\n\n"
    "The exam's item bank. import reads one QTI 3.0 or 2.1 choice item (XML) or an IMS\n"
    "content package of them (a zip with imsmanifest.xml), all or nothing: an unsafe or\n"
    "broken package, or any item that cannot be read, is refused with the reason and\n"
    "nothing is written. Items keep their identifiers; an identifier already in the bank\n"
    "with other content becomes a new version of that item. list prints every item (its\n"
    "identifier, title, interaction, number of choices, correct response and skills);\n"
    "--json as [{\"identifier\",\"title\",\"interaction\",\"choices\",\"correct\",\"skills\"}].\n"
    "export writes every item as a content package of QTI 3.0 items (FILE - : stdout).\n"
    "The answer keys are in every output: keep them with the examiners.\n"
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
    int rc = cli_read_input(file, QTIPKG_MAX_ZIP_BYTES, &data, &n);

    if (rc != CLI_OK)
        return rc;
    if (n > QTIPKG_MAX_ZIP_BYTES) {
        fprintf(stderr, "ctoframe: %s: the file is larger than %u MB.\n", file,
                QTIPKG_MAX_ZIP_BYTES / (1024u * 1024u));
        free(data);
        return CLI_FAIL;
    }
    cf_error_clear(&err);
    rc = svc_bank_import(sv, file, data, n, &res, &err);
    free(data);
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
    if (o->json)
        print_json(res);
    else
        printf("items %lld: added %lld, changed %lld, unchanged %lld\n",
               (long long)json_integer_value(json_object_get(res, "items")),
               (long long)json_integer_value(json_object_get(res, "added")),
               (long long)json_integer_value(json_object_get(res, "changed")),
               (long long)json_integer_value(json_object_get(res, "unchanged")));
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
    rc = svc_bank_export(sv, &zip, &n, &err);
    if (rc != CF_OK)
        return cli_fail(&err);
    f = strcmp(file, "-") == 0 ? stdout : fopen(file, "wb");
    if (f == NULL || fwrite(zip, 1, n, f) != n || (f != stdout && fclose(f) != 0)) {
        fprintf(stderr, "ctoframe: cannot write %s\n", file);
        free(zip);
        return CLI_FAIL;
    }
    free(zip);
    return CLI_OK;
}

int cli_bank(int argc, char **argv)
{
    struct cli_opts o;
    struct svc sv = {NULL, "cli", NULL, NULL, NULL, NULL};
    int rc = cli_parse(argc, argv, 2, "db json", &o, USAGE), want;

    if (rc != CLI_OK || o.help)
        return rc;
    want = o.npos >= 1 && strcmp(o.pos[0], "list") == 0 ? 1 : 2;
    if (o.npos != want || (strcmp(o.pos[0], "import") != 0 && strcmp(o.pos[0], "list") != 0 &&
                           strcmp(o.pos[0], "export") != 0)) {
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
    else
        rc = do_export(&o, &sv);
    store_close(sv.store);
    return rc;
}
