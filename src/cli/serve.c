/*
 * serve.c — `ctoframe serve`: open (and migrate) the database, load the
 * shipped frameworks into a new one, load templates and static files, serve;
 * and `ctoframe routes`, the web server's route table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli/cli.h"
#include "lib/mustache.h"
#include "svc/jobs.h"
#include "svc/mail.h"
#include "svc/svc.h"
#include "web/web.h"

static const char USAGE[] =
    "usage: ctoframe serve [--host H] [--port N] [--db PATH|URL] [--threads N] [--no-load]\n"
    "                      [--demo] [--public-url URL] [--trusted-proxy CIDR,...]\n"
    "                      [--max-connections N] [--max-connections-per-address N]\n"
    "                      [--header-timeout S] [--body-timeout S]\n"
    "                      [--smtp URL [--mail-from ADDR]]\n\n"
    "Serves the web pages and the CASE API. --host defaults to 127.0.0.1, --port to 8080\n"
    "(0 picks a free port). On start it prints `listening on http://H:PORT`. A new\n"
    "database gets the frameworks shipped in data/frameworks/ and the program rules in\n"
    "data/programs/ (as version 1 of each program) unless --no-load is given;\n"
    "with --demo (as `make run` does) also the demo program of fictional people\n"
    "(`ctoframe demo --remove` takes it out).\n"
    "While no program administrator exists it also prints a one-time setup link.\n"
    "--threads sets the worker threads (default: one per core). SIGTERM or SIGINT stops\n"
    "it after the requests in flight have finished.\n"
    "--public-url (or $CTOFRAME_PUBLIC_URL) is the address people use, like\n"
    "https://ctoframe.example.org (behind a TLS proxy: cookies are then marked Secure);\n"
    "links in messages and absolute URLs start with it. Without it they start with the\n"
    "address the server listens on. They never come from request headers.\n"
    "--trusted-proxy (or $CTOFRAME_TRUSTED_PROXY) lists the proxies whose\n"
    "X-Forwarded-For and X-Forwarded-Proto are believed, as IPv4/IPv6 CIDR ranges.\n"
    "--max-connections (default 1024) caps open connections in all,\n"
    "--max-connections-per-address (default 256) per client address; more get 503.\n"
    "--header-timeout (default 10 s) and --body-timeout (default 60 s) are deadlines\n"
    "for a request's headers and body that slow sending does not extend.\n"
    "--smtp smtp://HOST:PORT delivers the outbox (invitations, password resets) with\n"
    "retries; without it messages wait in the outbox (`ctoframe outbox`).\n"
    "A background thread runs `ctoframe tick` every CTOFRAME_TICK_S seconds (default 5)\n"
    "and the due background jobs (`ctoframe jobs`).\n";

#define DEFAULT_MAX_CONNS          1024
#define DEFAULT_MAX_CONNS_PER_ADDR 256
#define DEFAULT_HEADER_TIMEOUT_S   10
#define DEFAULT_BODY_TIMEOUT_S     60
#define FDS_KEPT_BACK              64 /* descriptors kept for the database, files, logs */

/* The option's value, else the environment variable's, else NULL. */
static const char *opt_or_env(const char *opt, const char *env)
{
    const char *v = opt != NULL ? opt : getenv(env);

    return v != NULL && v[0] != '\0' ? v : NULL;
}

/*
 * A whole number from lo to hi for the option called name (v NULL: dflt) into
 * *out; prints an error naming the option and returns CLI_USAGE when it is not one.
 */
static int parse_count(const char *v, const char *name, long lo, long hi, long dflt, int *out)
{
    char *end;
    long n;

    if (v == NULL) {
        *out = (int)dflt;
        return CLI_OK;
    }
    n = strtol(v, &end, 10);
    if (v[0] == '\0' || *end != '\0' || n < lo || n > hi) {
        fprintf(stderr, "ctoframe: %s must be a whole number from %ld to %ld, not \"%s\"\n", name,
                lo, hi, v);
        return CLI_USAGE;
    }
    *out = (int)n;
    return CLI_OK;
}

/*
 * The limits and the trusted proxies from the options (or their environment
 * variables) into app. The total cap is kept under the open-file limit.
 */
static int parse_limits(const struct cli_opts *o, struct app *app)
{
    const char *proxies = opt_or_env(o->trusted_proxy, "CTOFRAME_TRUSTED_PROXY");
    struct rlimit rl;
    int header_s, body_s;

    if (parse_count(opt_or_env(o->max_conns, "CTOFRAME_MAX_CONNECTIONS"), "--max-connections", 1,
                    1000000, DEFAULT_MAX_CONNS, &app->max_conns) != CLI_OK ||
        parse_count(opt_or_env(o->max_conns_addr, "CTOFRAME_MAX_CONNECTIONS_PER_ADDRESS"),
                    "--max-connections-per-address", 1, 1000000, DEFAULT_MAX_CONNS_PER_ADDR,
                    &app->max_conns_per_addr) != CLI_OK ||
        parse_count(opt_or_env(o->header_timeout, "CTOFRAME_HEADER_TIMEOUT"), "--header-timeout", 1,
                    3600, DEFAULT_HEADER_TIMEOUT_S, &header_s) != CLI_OK ||
        parse_count(opt_or_env(o->body_timeout, "CTOFRAME_BODY_TIMEOUT"), "--body-timeout", 1, 3600,
                    DEFAULT_BODY_TIMEOUT_S, &body_s) != CLI_OK)
        return CLI_USAGE;
    app->header_ms = header_s * 1000;
    app->body_ms = body_s * 1000;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        (rlim_t)app->max_conns + FDS_KEPT_BACK > rl.rlim_cur) {
        int fit = rl.rlim_cur > 2 * FDS_KEPT_BACK ? (int)(rl.rlim_cur - FDS_KEPT_BACK) : 16;

        fprintf(stderr,
                "ctoframe: --max-connections %d is more than the open-file limit allows "
                "(ulimit -n %lu); using %d\n",
                app->max_conns, (unsigned long)rl.rlim_cur, fit);
        app->max_conns = fit;
    }
    if (proxies != NULL) {
        char bad[80];

        if (cidr_list_parse(proxies, &app->trusted_proxies, bad, sizeof bad) != 0) {
            fprintf(stderr,
                    "ctoframe: --trusted-proxy: \"%s\" is not an IP address or CIDR range (like "
                    "10.0.0.0/8 or 2001:db8::/32, at most %d, separated by commas)\n",
                    bad, CIDR_LIST_MAX);
            return CLI_USAGE;
        }
    }
    return CLI_OK;
}

/*
 * The base of links when no public address is configured: the listening
 * address. A wildcard address (0.0.0.0, ::) is no place to send people: the
 * machine's host name stands in for it, with a warning.
 */
static void listening_base(const char *where, char *out, size_t n)
{
    const char *port = strrchr(where, ':');

    if (port != NULL && (strncmp(where, "0.0.0.0:", 8) == 0 || strncmp(where, "[::]:", 5) == 0)) {
        char host[256];

        if (gethostname(host, sizeof host) != 0 || host[0] == '\0')
            snprintf(host, sizeof host, "localhost");
        host[sizeof host - 1] = '\0';
        if (snprintf(out, n, "http://%s%s", host, port) >= (int)n)
            snprintf(out, n, "http://localhost%s", port);
        fprintf(stderr,
                "ctoframe: listening on every address without --public-url: links start with "
                "%s; give --public-url if people reach the server by another name\n",
                out);
        return;
    }
    if (snprintf(out, n, "http://%s", where) >= (int)n)
        snprintf(out, n, "http://localhost%s", port != NULL ? port : "");
}

static int parse_port(const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);

    if (s[0] == '\0' || *end != '\0' || v < 0 || v > 65535)
        return -1;
    return (int)v;
}

int cli_serve(int argc, char **argv)
{
    struct cli_opts o;
    struct app app;
    struct store *s = NULL;
    struct cf_error err;
    char tdir[4096], ddir[4096];
    int fresh = 0; /* the shipped programs were loaded now: a new database */
    long threads;
    struct mail_config mc;
    struct jobs_env jobs_env = {NULL};
    int jobs_started = 0;
    int readonly = 0;
    char setup_token[44] = "";
    char public_url[SVC_URL_MAX], where[300];
    int fd = -1;
    int rc = cli_parse(argc, argv, 2,
                       "db host port threads no-load demo public-url trusted-proxy max-connections "
                       "max-connections-per-address header-timeout body-timeout smtp mail-from",
                       &o, USAGE);

    if (rc != CLI_OK || o.help)
        return rc;
    if (o.npos != 0) {
        fprintf(stderr, "ctoframe: serve takes no arguments\n%s", USAGE);
        return CLI_USAGE;
    }
    if (o.host == NULL)
        o.host = "127.0.0.1";
    if (o.port == NULL)
        o.port = "8080";
    if (parse_port(o.port) < 0) {
        fprintf(stderr, "ctoframe: --port must be a number from 0 to 65535, not \"%s\"\n", o.port);
        return CLI_USAGE;
    }
    threads = sysconf(_SC_NPROCESSORS_ONLN);
    if (o.threads != NULL) {
        char *end;

        threads = strtol(o.threads, &end, 10);
        if (*end != '\0' || threads < 1 || threads > 256) {
            fprintf(stderr, "ctoframe: --threads must be a number from 1 to 256\n");
            return CLI_USAGE;
        }
    }
    if (threads < 1)
        threads = 1;

    memset(&app, 0, sizeof app);
    app.db_url = o.db;
    app.home = cli_home();
    app.max_body = 1024 * 1024;
    app.max_upload = 32u * 1024u * 1024u; /* a vendor's response file of 100,000 candidates */
    app.quiet = getenv("CTOFRAME_QUIET") != NULL;
    public_url[0] = '\0';
    {
        const char *given = opt_or_env(o.public_url, "CTOFRAME_PUBLIC_URL");

        if (given != NULL) {
            cf_error_clear(&err);
            if (svc_public_url_check(given,
                                     o.public_url != NULL ? "--public-url" : "CTOFRAME_PUBLIC_URL",
                                     public_url, sizeof public_url, &err) != CF_OK) {
                fprintf(stderr, "ctoframe: %s\n", err.message);
                return CLI_USAGE;
            }
            app.secure_cookies = strncmp(public_url, "https://", 8) == 0;
        }
    }
    if ((rc = parse_limits(&o, &app)) != CLI_OK)
        return rc;
    app.mail_delivery = o.smtp != NULL;
    if (o.smtp != NULL && strncmp(o.smtp, "smtp://", 7) != 0 &&
        strncmp(o.smtp, "smtps://", 8) != 0) {
        fprintf(stderr, "ctoframe: --smtp is smtp://HOST:PORT or smtps://HOST:PORT\n");
        return CLI_USAGE;
    }

    cf_error_clear(&err);
    app.templates = mustache_set_new();
    snprintf(tdir, sizeof tdir, "%s/templates", app.home);
    /* The list new passwords are checked against: missing, the server does not start. */
    if (app.templates == NULL || mustache_set_load_dir(app.templates, tdir, &err) != CF_OK ||
        web_load_statics(&app, &err) != CF_OK || svc_password_list_ready(NULL, &err) != CF_OK) {
        rc = cli_fail(&err);
        goto out;
    }

    /* A database that cannot be written is served for reading (a read-only copy). */
    rc = cli_open_store_flags(&o, STORE_READONLY_OK, &s);
    if (rc != CLI_OK)
        goto out;
    readonly = store_readonly(s);
    if (readonly)
        fprintf(stderr,
                "ctoframe: the database %s is read-only: serving it for reading; "
                "changes answer 503 and background jobs do not run\n",
                o.db);
    if (!o.no_load && !readonly) {
        struct svc sv = {s, "system", NULL, NULL, NULL, NULL};
        json_t *list = NULL;
        int loaded = 0;

        if (svc_framework_list(&sv, &list, &err) != CF_OK) {
            rc = cli_fail(&err);
            goto out;
        }
        if (json_array_size(json_object_get(list, "frameworks")) == 0) {
            snprintf(ddir, sizeof ddir, "%s/data/frameworks", app.home);
            if (svc_framework_load_dir(&sv, ddir, &loaded, &err) != CF_OK) {
                json_decref(list);
                rc = cli_fail(&err);
                goto out;
            }
            fprintf(stderr, "ctoframe: new database: loaded %d framework packages from %s\n",
                    loaded, ddir);
        }
        json_decref(list);
        list = NULL;
        /* Programs after frameworks: their rules are checked against the framework they name. */
        if (svc_program_list(&sv, &list, &err) != CF_OK) {
            rc = cli_fail(&err);
            goto out;
        }
        if (json_array_size(json_object_get(list, "programs")) == 0) {
            snprintf(ddir, sizeof ddir, "%s/data/programs", app.home);
            if (svc_program_load_dir(&sv, ddir, &loaded, &err) != CF_OK) {
                json_decref(list);
                rc = cli_fail(&err);
                goto out;
            }
            fprintf(stderr, "ctoframe: new database: loaded %d programs from %s\n", loaded, ddir);
            fresh = 1;
        }
        json_decref(list);
    }
    /* serve --demo (make run): a new database gets the demo program after the programs. */
    if (o.demo && fresh) {
        struct svc sv = {s, "system", NULL, NULL, NULL, NULL};
        json_t *loaded = NULL;

        if (svc_demo_load(&sv, 0, &loaded, &err) != CF_OK) {
            rc = cli_fail(&err);
            goto out;
        }
        fprintf(stderr,
                "ctoframe: new database: loaded the demo program (%lld fictional people); "
                "remove it with `ctoframe demo --remove`\n",
                (long long)json_integer_value(json_object_get(loaded, "people")));
        json_decref(loaded);
    }
    /* Listen now: the base of links is the listening address unless one is configured. */
    rc = web_listen(o.host, o.port, &fd, where, sizeof where, &err) == CF_OK ? CLI_OK
                                                                             : cli_fail(&err);
    if (rc != CLI_OK)
        goto out;
    if (public_url[0] == '\0')
        listening_base(where, public_url, sizeof public_url);
    app.public_url = public_url;
    {
        struct svc sv = {s, "system", NULL, app.public_url, NULL, NULL};
        int needed = 0;

        /* The command line prints links to this server from now on. */
        if (!readonly && svc_public_url_record(&sv, app.public_url, &err) != CF_OK) {
            rc = cli_fail(&err);
            goto out;
        }

        if (svc_setup_needed(&sv, &needed, &err) != CF_OK ||
            (needed && !readonly && svc_setup_link(&sv, setup_token, &err) != CF_OK)) {
            rc = cli_fail(&err);
            goto out;
        }
        if (needed && !readonly)
            app.setup_token = setup_token;
    }
    store_close(s);
    s = NULL;
    if (o.smtp != NULL) {
        memset(&mc, 0, sizeof mc);
        mc.smtp_url = o.smtp;
        mc.from = o.from; /* NULL: ctoframe@<host name> */
        mc.user = getenv("CTOFRAME_SMTP_USER");
        mc.password = getenv("CTOFRAME_SMTP_PASSWORD");
        jobs_env.mail = &mc;
    }
    /* Background jobs and the periodic tick (docs/operations.md, "Background jobs"). */
    if (!readonly) {
        if (svc_jobs_worker_start(o.db, &jobs_env, 0, &err) != CF_OK) {
            rc = cli_fail(&err);
            goto out;
        }
        jobs_started = 1;
    }

    rc = web_serve(&app, fd, where, (int)threads, &err) == CF_OK ? CLI_OK : cli_fail(&err);
    fd = -1; /* web_serve closed it */
out:
    if (fd >= 0)
        close(fd);
    if (jobs_started)
        svc_jobs_worker_stop();
    store_close(s);
    mustache_set_free(app.templates);
    web_free_statics(&app);
    return rc;
}

static const char USAGE_ROUTES[] =
    "usage: ctoframe routes [--json]\n\n"
    "Lists every web route with the permission it needs and what it is scoped to.\n";

/* Prints the route table: method, pattern, permission, scope (--json: and whether it changes
 * state). */
int cli_routes(int argc, char **argv)
{
    struct cli_opts o;
    json_t *list;
    int rc = cli_parse(argc, argv, 2, "json", &o, USAGE_ROUTES);

    if (rc != CLI_OK || o.help)
        return rc;
    if (o.npos != 0) {
        fprintf(stderr, "ctoframe: routes takes no arguments\n%s", USAGE_ROUTES);
        return CLI_USAGE;
    }
    list = json_array();
    for (int i = 0; i < nroutes; i++)
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:b}", "method",
                                              routes[i].method, "pattern", routes[i].pattern,
                                              "perm", perm_name(routes[i].perm), "scope",
                                              route_scope_name(routes[i].scope), "changes",
                                              (routes[i].flags & ROUTE_CHANGES) != 0));
    if (o.json) {
        char *t = json_dumps(list, JSON_INDENT(2));

        if (t != NULL)
            puts(t);
        free(t);
    } else {
        size_t i;
        json_t *r;

        json_array_foreach(list, i, r)
            printf("%-5s %-44s %-14s %s\n", json_string_value(json_object_get(r, "method")),
                   json_string_value(json_object_get(r, "pattern")),
                   json_string_value(json_object_get(r, "perm")),
                   json_string_value(json_object_get(r, "scope")));
    }
    json_decref(list);
    return CLI_OK;
}
