/*
 * serve.c — `ctoframe serve`: open (and migrate) the database, load the
 * shipped frameworks into a new one, load templates and static files, serve.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "lib/mustache.h"
#include "svc/jobs.h"
#include "svc/mail.h"
#include "svc/svc.h"
#include "web/web.h"

static const char USAGE[] =
    "usage: ctoframe serve [--host H] [--port N] [--db PATH|URL] [--threads N] [--no-load]\n"
    "                      [--public-url URL] [--smtp URL [--mail-from ADDR]]\n\n"
    "Serves the web pages and the CASE API. --host defaults to 127.0.0.1, --port to 8080\n"
    "(0 picks a free port). On start it prints `listening on http://H:PORT`. A new\n"
    "database gets the frameworks shipped in data/frameworks/ unless --no-load is given.\n"
    "While no program administrator exists it also prints a one-time setup link.\n"
    "--threads sets the worker threads (default: one per core). SIGTERM or SIGINT stops\n"
    "it after the requests in flight have finished.\n"
    "--public-url is the address people use (https://… behind a TLS proxy: cookies are\n"
    "then marked Secure); links in messages start with it.\n"
    "--smtp smtp://HOST:PORT delivers the outbox (invitations, password resets) with\n"
    "retries; without it messages wait in the outbox (`ctoframe outbox`).\n"
    "A background thread runs `ctoframe tick` every CTOFRAME_TICK_S seconds (default 5)\n"
    "and the due background jobs (`ctoframe jobs`).\n";

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
    long threads;
    struct mail_config mc;
    struct jobs_env jobs_env = {NULL};
    int jobs_started = 0;
    char setup_token[44] = "";
    int rc = cli_parse(argc, argv, 2, "db host port threads no-load public-url smtp mail-from", &o,
                       USAGE);

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
    app.quiet = getenv("CTOFRAME_QUIET") != NULL;
    if (o.public_url != NULL) {
        size_t n = strlen(o.public_url);

        if ((strncmp(o.public_url, "http://", 7) != 0 &&
             strncmp(o.public_url, "https://", 8) != 0) ||
            o.public_url[n - 1] == '/' || strpbrk(o.public_url, " \"<>") != NULL) {
            fprintf(stderr, "ctoframe: --public-url is like https://ctoframe.example.org "
                            "(http or https, no trailing slash)\n");
            return CLI_USAGE;
        }
        app.public_url = o.public_url;
        app.secure_cookies = strncmp(o.public_url, "https://", 8) == 0;
    }
    app.mail_delivery = o.smtp != NULL;
    if (o.smtp != NULL && strncmp(o.smtp, "smtp://", 7) != 0 &&
        strncmp(o.smtp, "smtps://", 8) != 0) {
        fprintf(stderr, "ctoframe: --smtp is smtp://HOST:PORT or smtps://HOST:PORT\n");
        return CLI_USAGE;
    }

    cf_error_clear(&err);
    app.templates = mustache_set_new();
    snprintf(tdir, sizeof tdir, "%s/templates", app.home);
    if (app.templates == NULL || mustache_set_load_dir(app.templates, tdir, &err) != CF_OK ||
        web_load_statics(&app, &err) != CF_OK) {
        rc = cli_fail(&err);
        goto out;
    }

    rc = cli_open_store(&o, &s);
    if (rc != CLI_OK)
        goto out;
    if (!o.no_load) {
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
    }
    {
        struct svc sv = {s, "system", NULL, app.public_url, NULL, NULL};
        int needed = 0;

        if (svc_setup_needed(&sv, &needed, &err) != CF_OK ||
            (needed && svc_setup_link(&sv, setup_token, &err) != CF_OK)) {
            rc = cli_fail(&err);
            goto out;
        }
        if (needed)
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
    if (svc_jobs_worker_start(o.db, &jobs_env, 0, &err) != CF_OK) {
        rc = cli_fail(&err);
        goto out;
    }
    jobs_started = 1;

    if (web_serve(&app, o.host, o.port, (int)threads, &err) != CF_OK)
        rc = cli_fail(&err);
    else
        rc = CLI_OK;
out:
    if (jobs_started)
        svc_jobs_worker_stop();
    store_close(s);
    mustache_set_free(app.templates);
    json_decref(app.statics);
    return rc;
}
