/*
 * cli.c — the command table, shared option parsing, opening the store.
 */
#include "cli/cli.h"

#include <errno.h>
#include <stddef.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "svc/svc.h"

#define VERSION "0.1.0"

#define CLI_READ_CHUNK 65536u /* first buffer of cli_read_stream(); it doubles */

static const struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"serve", cli_serve, "serve the web application and the CASE API"},
    {"framework", cli_framework, "import, export and list frameworks (CASE 1.0 packages)"},
    {"program", cli_program, "list, show, import and export certification program rules"},
    {"backup", cli_backup, "copy a live SQLite database consistently"},
    {"migrate", cli_migrate, "create or upgrade the database schema"},
    {"user", cli_user, "add, list, grant, revoke and disable user accounts"},
    {"org", cli_org, "add, list, rename, move and delete organizations"},
    {"outbox", cli_outbox, "show the messages the system sends, or deliver them over SMTP"},
    {"routes", cli_routes, "list every web route with the permission it needs"},
    {"jobs", cli_jobs, "show the background jobs and their state; run a dead one again"},
    {"tick", cli_tick, "run the periodic work once, then the due background jobs"},
    {"certificate", cli_certificate, "preview a credential certificate (PDF) for given fields"},
    /* issue 8: exam results and credentials */
    {"results", cli_results, "import the testing vendor's exam results (CSV), all or nothing"},
    {"credential", cli_credential, "a credential: show, certificate, suspend, reinstate, revoke"},
    /* issue 8 points 5-6 */
    {"ce", cli_ce, "import providers' attendance; show a credential's points; renew"},
    {"demo", cli_demo, "load or remove the demo program (fictional people, for trying ctoframe)"},
    /* issue 9 */
    {"stats", cli_stats, "rater agreement of a ratings file (kappa, intraclass correlations)"},
    {"pd", cli_pd, "recommend the best plan of professional development activities for gaps"},
    /* issue 10 */
    {"bank", cli_bank, "the exam's item bank: import QTI items and packages, list, export"},
    {"form", cli_form, "exam forms: build from the bank, check the blueprint, release"},
    {"exam", cli_exam, "item analysis of exam response files (p, point-biserials, alpha)"},
};

static void usage_all(FILE *f)
{
    fprintf(f, "usage: ctoframe COMMAND [options]\n\n"
               "ctoframe holds the K-12 CTO framework and its rubrics, and the organizations and\n"
               "people who use them.\n\n"
               "commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "  %-12s %s\n", "help", "this text, or `ctoframe help COMMAND`");
    fprintf(f, "  %-12s %s\n", "version", "print the version");
    fprintf(f, "\nEvery command takes --db PATH|URL (default: $CTOFRAME_DB or var/ctoframe.db;\n"
               "a postgres:// URL selects PostgreSQL). `ctoframe COMMAND --help` for details.\n");
}

int cli_main(int argc, char **argv)
{
    if (argc < 2) {
        usage_all(stderr);
        return CLI_USAGE;
    }
    if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        if (argc > 2) {
            for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
                if (strcmp(argv[2], commands[i].name) == 0) {
                    char *args[] = {argv[0], argv[2], (char *)"--help", NULL};

                    return commands[i].run(3, args);
                }
            }
            fprintf(stderr, "ctoframe: no command \"%s\"\n", argv[2]);
            return CLI_USAGE;
        }
        usage_all(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
        printf("ctoframe %s\n", VERSION);
        return CLI_OK;
    }
    {
        /* New passwords are checked against the list shipped beside the templates. */
        char list[PATH_MAX];

        if (snprintf(list, sizeof list, "%s/data/common-passwords.txt", cli_home()) <
            (int)sizeof list)
            svc_password_list_use(list);
        /* issue 8 points 5-6: the catalog of pre-approved CE activities. */
        if (snprintf(list, sizeof list, "%s/data/ce-catalog.json", cli_home()) < (int)sizeof list)
            svc_ce_catalog_use(list);
        /* issue 9 point 5: the PD catalog growth plans recommend from. */
        if (snprintf(list, sizeof list, "%s/data/pd-catalog.json", cli_home()) < (int)sizeof list)
            svc_pd_catalog_use(list);
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc, argv);
    fprintf(stderr, "ctoframe: unknown command \"%s\" (try `ctoframe help`)\n", argv[1]);
    return CLI_USAGE;
}

/* Options that take a value, and where it goes. */
static const char **slot(struct cli_opts *o, const char *name)
{
    if (strcmp(name, "db") == 0)
        return &o->db;
    if (strcmp(name, "host") == 0)
        return &o->host;
    if (strcmp(name, "port") == 0)
        return &o->port;
    if (strcmp(name, "output") == 0)
        return &o->output;
    if (strcmp(name, "home") == 0)
        return &o->home;
    if (strcmp(name, "threads") == 0)
        return &o->threads;
    static const struct {
        const char *name;
        size_t off;
    } more[] = {
        {"status", offsetof(struct cli_opts, status)},
        {"smtp", offsetof(struct cli_opts, smtp)},
        {"from", offsetof(struct cli_opts, from)},
        {"mail-from", offsetof(struct cli_opts, from)},
        {"name", offsetof(struct cli_opts, name)},
        {"role", offsetof(struct cli_opts, role)},
        {"org", offsetof(struct cli_opts, org)},
        {"kind", offsetof(struct cli_opts, kind)},
        {"parent", offsetof(struct cli_opts, parent)},
        {"title", offsetof(struct cli_opts, title)},
        {"nces", offsetof(struct cli_opts, nces)},
        {"enrollment", offsetof(struct cli_opts, enrollment)},
        {"public-url", offsetof(struct cli_opts, public_url)},
        {"trusted-proxy", offsetof(struct cli_opts, trusted_proxy)},
        {"max-connections", offsetof(struct cli_opts, max_conns)},
        {"max-connections-per-address", offsetof(struct cli_opts, max_conns_addr)},
        {"header-timeout", offsetof(struct cli_opts, header_timeout)},
        {"body-timeout", offsetof(struct cli_opts, body_timeout)},
        {"version", offsetof(struct cli_opts, version)},
        {"note", offsetof(struct cli_opts, note)},
        {"reason", offsetof(struct cli_opts, reason)},   /* issue 8: credential actions */
        {"holders", offsetof(struct cli_opts, holders)}, /* demo --holders N */
        {"levels", offsetof(struct cli_opts, levels)},   /* issue 9: stats --levels K */
        {"gaps", offsetof(struct cli_opts, gaps)},       /* issue 9: pd recommend */
        {"weights", offsetof(struct cli_opts, weights)}, /* issue 9 */
        {"hours", offsetof(struct cli_opts, hours)},     /* issue 9 */
        {"budget", offsetof(struct cli_opts, budget)},   /* issue 9 */
        {"skills", offsetof(struct cli_opts, skills)},   /* issue 10: bank tag */
        {"level", offsetof(struct cli_opts, level)},     /* issue 10: bank tag */
    };
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++)
        if (strcmp(name, more[i].name) == 0)
            return (const char **)(void *)((char *)o + more[i].off);
    return NULL;
}

/* 1 when name is in the space-separated list allowed. */
static int allowed_opt(const char *allowed, const char *name)
{
    size_t n = strlen(name);

    for (const char *p = allowed; (p = strstr(p, name)) != NULL; p += n)
        if ((p == allowed || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return 1;
    return 0;
}

int cli_parse(int argc, char **argv, int first, const char *allowed, struct cli_opts *o,
              const char *usage)
{
    memset(o, 0, sizeof *o);
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];

        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            o->help = 1;
            fputs(usage, stdout);
            return CLI_OK;
        }
        if (strncmp(a, "--", 2) == 0 && a[2] != '\0') {
            char name[32];
            const char *eq = strchr(a, '=');
            const char *val = NULL;
            const char **dst;

            snprintf(name, sizeof name, "%.*s", (int)(eq ? (size_t)(eq - a - 2) : strlen(a + 2)),
                     a + 2);
            if (!allowed_opt(allowed, name)) {
                fprintf(stderr, "ctoframe: unknown option --%s\n%s", name, usage);
                return CLI_USAGE;
            }
            /* demo --remove, serve --demo (issue 8 point 9) */
            if (strcmp(name, "remove") == 0 || strcmp(name, "demo") == 0) {
                if (eq != NULL) {
                    fprintf(stderr, "ctoframe: option --%s takes no value\n", name);
                    return CLI_USAGE;
                }
                *(name[0] == 'r' ? &o->remove : &o->demo) = 1;
                continue;
            }
            if (strcmp(name, "no-load") == 0 || strcmp(name, "json") == 0 ||
                strcmp(name, "password-stdin") == 0 || strcmp(name, "strict") == 0) {
                if (eq != NULL) {
                    fprintf(stderr, "ctoframe: option --%s takes no value\n", name);
                    return CLI_USAGE;
                }
                *(name[0] == 'n'   ? &o->no_load
                  : name[0] == 'j' ? &o->json
                  : name[0] == 's' ? &o->strict
                                   : &o->password_stdin) = 1;
                continue;
            }
            dst = slot(o, name);
            if (dst == NULL) {
                fprintf(stderr, "ctoframe: unknown option --%s\n%s", name, usage);
                return CLI_USAGE;
            }
            if (eq != NULL)
                val = eq + 1;
            else if (i + 1 < argc)
                val = argv[++i];
            if (val == NULL || val[0] == '\0') {
                fprintf(stderr, "ctoframe: option --%s needs a value\n", name);
                return CLI_USAGE;
            }
            *dst = val;
            continue;
        }
        if (o->npos == (int)(sizeof o->pos / sizeof o->pos[0])) {
            fprintf(stderr, "ctoframe: too many arguments\n%s", usage);
            return CLI_USAGE;
        }
        o->pos[o->npos++] = argv[i];
    }
    if (o->db == NULL)
        o->db = getenv("CTOFRAME_DB");
    if (o->db == NULL || o->db[0] == '\0')
        o->db = "var/ctoframe.db";
    return CLI_OK;
}

int cli_fail(const struct cf_error *err)
{
    fprintf(stderr, "ctoframe: %s\n",
            err->message[0] != '\0' ? err->message : cf_strerror(err->code));
    return CLI_FAIL;
}

int cli_open_store(const struct cli_opts *o, struct store **s)
{
    return cli_open_store_flags(o, 0, s);
}

int cli_open_store_flags(const struct cli_opts *o, int extra, struct store **s)
{
    struct cf_error err;
    int rc;

    cf_error_clear(&err);
    /* The default location is ours to create; a path the user names is not. */
    if (strcmp(o->db, "var/ctoframe.db") == 0)
        mkdir("var", 0755);
    rc = store_open(o->db, STORE_CREATE | STORE_MIGRATE | extra, s, NULL, &err);
    if (rc != CF_OK)
        return cli_fail(&err);
    return CLI_OK;
}

/* 1 when dir/templates exists. */
static int has_templates(const char *dir)
{
    char p[PATH_MAX];
    struct stat sb;

    snprintf(p, sizeof p, "%s/templates", dir);
    return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/*
 * Where templates/, static/ and data/ live: $CTOFRAME_HOME; else the
 * directory above the executable (build/ctoframe → the source tree); else
 * /usr/share/ctoframe; else the current directory.
 */
const char *cli_home(void)
{
    static char home[PATH_MAX];
    const char *env = getenv("CTOFRAME_HOME");
    char exe[PATH_MAX];
    ssize_t n;

    if (env != NULL && env[0] != '\0')
        return env;
    n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        char *d;

        exe[n] = '\0';
        d = dirname(exe);
        /* build/ctoframe or build/san/ctoframe: walk up until templates/ appears. */
        for (int up = 0; up < 3; up++) {
            if (has_templates(d)) {
                snprintf(home, sizeof home, "%s", d);
                return home;
            }
            d = dirname(d);
        }
    }
    if (has_templates("/usr/share/ctoframe"))
        return "/usr/share/ctoframe";
    return ".";
}

static const char USAGE_BACKUP[] =
    "usage: ctoframe backup FILE [--db PATH]\n\n"
    "Writes a consistent copy of the SQLite database to FILE while the server may be\n"
    "running (SQLite's online backup). For PostgreSQL use pg_dump.\n";

int cli_backup(int argc, char **argv)
{
    struct cli_opts o;
    struct svc sv = {NULL, "cli", NULL, NULL, NULL, NULL};
    struct cf_error err;
    int rc = cli_parse(argc, argv, 2, "db", &o, USAGE_BACKUP);

    if (rc != CLI_OK || o.help)
        return rc;
    if (o.npos != 1) {
        fprintf(stderr, "ctoframe: backup needs one FILE\n%s", USAGE_BACKUP);
        return CLI_USAGE;
    }
    rc = cli_open_store(&o, &sv.store);
    if (rc != CLI_OK)
        return rc;
    cf_error_clear(&err);
    if (svc_backup(&sv, o.pos[0], &err) != CF_OK) {
        store_close(sv.store);
        return cli_fail(&err);
    }
    store_close(sv.store);
    fprintf(stderr, "ctoframe: backup of %s written to %s\n", o.db, o.pos[0]);
    return CLI_OK;
}

static const char USAGE_MIGRATE[] =
    "usage: ctoframe migrate [--db PATH|URL]\n\n"
    "Creates the database if needed and applies pending schema migrations (the server\n"
    "also does this when it starts). Prints the schema version.\n";

int cli_migrate(int argc, char **argv)
{
    struct cli_opts o;
    struct svc sv = {NULL, "cli", NULL, NULL, NULL, NULL};
    struct cf_error err;
    json_t *health = NULL;
    int rc = cli_parse(argc, argv, 2, "db", &o, USAGE_MIGRATE);

    if (rc != CLI_OK || o.help)
        return rc;
    if (o.npos != 0) {
        fprintf(stderr, "ctoframe: migrate takes no arguments\n%s", USAGE_MIGRATE);
        return CLI_USAGE;
    }
    rc = cli_open_store(&o, &sv.store);
    if (rc != CLI_OK)
        return rc;
    cf_error_clear(&err);
    if (svc_health(&sv, &health, &err) != CF_OK) {
        store_close(sv.store);
        return cli_fail(&err);
    }
    printf("schema version %lld (%s)\n",
           (long long)json_integer_value(json_object_get(health, "schema_version")),
           json_string_value(json_object_get(health, "database")));
    json_decref(health);
    store_close(sv.store);
    return CLI_OK;
}

int cli_public_url(const struct cli_opts *o, struct store *s, char *out, size_t n)
{
    struct cf_error err;
    const char *given = o->public_url;
    const char *field = "--public-url";
    struct svc sv = {s, "cli", NULL, NULL, NULL, NULL};

    cf_error_clear(&err);
    if (given == NULL && getenv("CTOFRAME_PUBLIC_URL") != NULL &&
        getenv("CTOFRAME_PUBLIC_URL")[0] != '\0') {
        given = getenv("CTOFRAME_PUBLIC_URL");
        field = "CTOFRAME_PUBLIC_URL";
    }
    if (given != NULL) {
        if (svc_public_url_check(given, field, out, n, &err) != CF_OK) {
            fprintf(stderr, "ctoframe: %s\n", err.message);
            return CLI_USAGE;
        }
        return CLI_OK;
    }
    if (svc_public_url_known(&sv, out, n, &err) != CF_OK)
        return cli_fail(&err);
    return CLI_OK;
}

/*
 * See cli.h. The buffer starts at CLI_READ_CHUNK bytes and doubles, never past max + 1 bytes
 * (plus the NUL), so a small input costs little and a large one is noticed without reading
 * it all.
 */
int cli_read_stream(FILE *f, const char *name, size_t max, char **data, size_t *n)
{
    size_t cap = 0, len = 0;
    char *p = NULL;
    int rc = CLI_FAIL;

    *data = NULL;
    *n = 0;
    for (;;) {
        size_t got;

        if (len == cap) {
            size_t want = cap == 0 ? CLI_READ_CHUNK : cap * 2;
            char *q;

            if (len > max)
                break;
            if (want > max + 1)
                want = max + 1;
            q = realloc(p, want + 1);
            if (q == NULL) {
                fprintf(stderr, "ctoframe: out of memory reading %s\n", name);
                goto out;
            }
            p = q;
            cap = want;
        }
        got = fread(p + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        fprintf(stderr, "ctoframe: cannot read %s: %s\n", name, strerror(errno));
        goto out;
    }
    p[len] = '\0';
    *data = p;
    *n = len;
    p = NULL;
    rc = CLI_OK;
out:
    free(p);
    return rc;
}

/* See cli.h. */
int cli_read_input(const char *path, size_t max, char **data, size_t *n)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    int rc;

    if (f == NULL) {
        fprintf(stderr, "ctoframe: cannot open %s: %s\n", path, strerror(errno));
        return CLI_FAIL;
    }
    rc = cli_read_stream(f, path, max, data, n);
    if (f != stdin)
        fclose(f);
    return rc;
}

void cli_print_problems(const char *file, const json_t *problems)
{
    const json_t *pb;
    size_t i;

    json_array_foreach(problems, i, pb)
    {
        fprintf(stderr, "%s:%lld:%lld: %s\n", file,
                (long long)json_integer_value(json_object_get(pb, "line")),
                (long long)json_integer_value(json_object_get(pb, "column")),
                json_string_value(json_object_get(pb, "message")));
    }
    fprintf(stderr,
            "ctoframe: The file has %zu problem%s; each is listed with its line and column.\n",
            json_array_size(problems), json_array_size(problems) == 1 ? "" : "s");
}
