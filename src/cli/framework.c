/*
 * framework.c — `ctoframe framework import|export|list`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "core/case.h"
#include "svc/svc.h"

static const char USAGE[] =
    "usage: ctoframe framework import FILE [--strict] [--db PATH|URL]\n"
    "       ctoframe framework export ID [--output FILE] [--db PATH|URL]\n"
    "       ctoframe framework list [--db PATH|URL]\n\n"
    "import  reads a CASE 1.0 CFPackage (JSON), checks it and stores it; a package with\n"
    "        the same CFDocument identifier is replaced. Every problem is listed with its\n"
    "        JSON path; if there is any, nothing is written. FILE - reads standard input.\n"
    "        What packages from other CASE tools often bend, with one obvious meaning (a\n"
    "        time without a zone is UTC, a link given as a URI string…), is read that way\n"
    "        and listed as a warning with its JSON path. --strict refuses it instead.\n"
    "export  writes the package of framework ID (its CFDocument identifier) as JSON.\n"
    "list    prints identifier, version and title of every stored framework.\n";

static int do_import(const struct cli_opts *o)
{
    const char *file = o->pos[1];
    struct svc sv = {NULL, "cli", NULL, NULL, NULL, NULL};
    struct cf_error err;
    json_t *res = NULL, *problems = NULL;
    char *data = NULL;
    size_t n = 0;
    FILE *f;
    int rc;

    if (strcmp(file, "-") == 0) {
        f = stdin;
    } else {
        struct stat sb;

        f = fopen(file, "rb");
        if (f == NULL) {
            fprintf(stderr, "ctoframe: cannot open %s: %s\n", file, strerror(errno));
            return CLI_FAIL;
        }
        if (fstat(fileno(f), &sb) == 0 && (unsigned long long)sb.st_size > CASE_MAX_BYTES) {
            fprintf(stderr,
                    "ctoframe: %s is %lld MB; a CASE package may have at most %u MB — "
                    "nothing was imported\n",
                    file, (long long)(sb.st_size >> 20), CASE_MAX_BYTES >> 20);
            fclose(f);
            return CLI_FAIL;
        }
    }
    rc = cli_read_stream(f, file, CASE_MAX_BYTES, &data, &n);
    if (f != stdin)
        fclose(f);
    if (rc != CLI_OK)
        return rc;
    if (n > CASE_MAX_BYTES) {
        fprintf(stderr, "ctoframe: %s: more than %u MB; a CASE package may have at most %u MB\n",
                file, CASE_MAX_BYTES >> 20, CASE_MAX_BYTES >> 20);
        free(data);
        return CLI_FAIL;
    }
    rc = cli_open_store(o, &sv.store);
    if (rc != CLI_OK) {
        free(data);
        return rc;
    }
    cf_error_clear(&err);
    rc = svc_framework_import(&sv, data, n, o->strict, &res, &problems, &err);
    free(data);
    if (rc == CF_EINVAL && json_array_size(problems) > 0) {
        size_t i;
        json_t *p;

        fprintf(stderr, "ctoframe: %s is not a valid CASE 1.0 package; nothing was imported:\n",
                file);
        json_array_foreach(problems, i, p)
        {
            fprintf(stderr, "  %s: %s\n", json_string_value(json_object_get(p, "path")),
                    json_string_value(json_object_get(p, "message")));
        }
        rc = CLI_FAIL;
    } else if (rc != CF_OK) {
        rc = cli_fail(&err);
    } else {
        size_t i;
        json_t *w;
        long long normalized = (long long)json_integer_value(json_object_get(res, "normalized"));

        if (normalized > 0)
            fprintf(stderr,
                    "ctoframe: warning: %lld value%s of %s did not follow CASE 1.0 and %s read "
                    "as follows (--strict refuses them):\n",
                    normalized, normalized == 1 ? "" : "s", file, normalized == 1 ? "was" : "were");
        json_array_foreach(json_object_get(res, "warnings"), i, w)
        {
            fprintf(stderr, "  %s: %s\n", json_string_value(json_object_get(w, "path")),
                    json_string_value(json_object_get(w, "message")));
        }
        fprintf(stderr, "ctoframe: %s framework \"%s\" (%lld items, %lld associations)\n",
                json_is_true(json_object_get(res, "replaced")) ? "replaced" : "imported",
                json_string_value(json_object_get(res, "title")),
                (long long)json_integer_value(json_object_get(res, "items")),
                (long long)json_integer_value(json_object_get(res, "associations")));
        printf("%s\n", json_string_value(json_object_get(res, "identifier")));
        rc = CLI_OK;
    }
    json_decref(res);
    json_decref(problems);
    store_close(sv.store);
    return rc;
}

static int do_export(const struct cli_opts *o)
{
    struct svc sv = {NULL, "cli", NULL, NULL, NULL, NULL};
    struct cf_error err;
    json_t *pkg = NULL;
    int rc;

    if (!case_is_uuid(o->pos[1])) {
        fprintf(stderr,
                "ctoframe: \"%s\" is not a framework identifier (a UUID); "
                "`ctoframe framework list` shows them\n",
                o->pos[1]);
        return CLI_USAGE;
    }
    rc = cli_open_store(o, &sv.store);
    if (rc != CLI_OK)
        return rc;
    cf_error_clear(&err);
    rc = svc_framework_export(&sv, o->pos[1], &pkg, &err);
    store_close(sv.store);
    if (rc != CF_OK)
        return cli_fail(&err);
    if (o->output != NULL) {
        char tmp[4096];

        snprintf(tmp, sizeof tmp, "%s.partial", o->output);
        if (json_dump_file(pkg, tmp, JSON_INDENT(2) | JSON_REAL_PRECISION(17)) != 0 ||
            rename(tmp, o->output) != 0) {
            fprintf(stderr, "ctoframe: cannot write %s: %s\n", o->output, strerror(errno));
            remove(tmp);
            json_decref(pkg);
            return CLI_FAIL;
        }
    } else {
        json_dumpf(pkg, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
        fputc('\n', stdout);
    }
    json_decref(pkg);
    return CLI_OK;
}

static int do_list(const struct cli_opts *o)
{
    struct svc sv = {NULL, "cli", NULL, NULL, NULL, NULL};
    struct cf_error err;
    json_t *v = NULL;
    const char *keys[] = {"frameworks", "crosswalk_documents"};
    int rc = cli_open_store(o, &sv.store);

    if (rc != CLI_OK)
        return rc;
    cf_error_clear(&err);
    rc = svc_framework_list(&sv, &v, &err);
    store_close(sv.store);
    if (rc != CF_OK)
        return cli_fail(&err);
    for (int k = 0; k < 2; k++) {
        size_t i;
        json_t *f;

        json_array_foreach(json_object_get(v, keys[k]), i, f)
        {
            const char *ver = json_string_value(json_object_get(f, "version"));

            printf("%s  %-8s  %s%s\n", json_string_value(json_object_get(f, "identifier")),
                   ver != NULL ? ver : "-", json_string_value(json_object_get(f, "title")),
                   k == 1 ? "  (crosswalk)" : "");
        }
    }
    json_decref(v);
    return CLI_OK;
}

int cli_framework(int argc, char **argv)
{
    struct cli_opts o;
    int rc = cli_parse(argc, argv, 2, "db output strict", &o, USAGE);

    if (rc != CLI_OK || o.help)
        return rc;
    if (o.npos == 0) {
        fputs(USAGE, stderr);
        return CLI_USAGE;
    }
    if (o.strict && strcmp(o.pos[0], "import") != 0) {
        fprintf(stderr, "ctoframe: --strict belongs to framework import only\n%s", USAGE);
        return CLI_USAGE;
    }
    if (strcmp(o.pos[0], "import") == 0 && o.npos == 2)
        return do_import(&o);
    if (strcmp(o.pos[0], "export") == 0 && o.npos == 2)
        return do_export(&o);
    if (strcmp(o.pos[0], "list") == 0 && o.npos == 1)
        return do_list(&o);
    fprintf(stderr, "ctoframe: framework %s: wrong arguments\n%s", o.pos[0], USAGE);
    return CLI_USAGE;
}
