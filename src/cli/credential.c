/*
 * credential.c — `ctoframe credential show|certificate|suspend|reinstate|
 * revoke NUMBER`: one credential from the command line (svc/credential.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "svc/svc.h"

static const char USAGE[] =
    "usage: ctoframe credential show NUMBER [--json] [--db PATH|URL]\n"
    "       ctoframe credential certificate NUMBER [--public-url URL] [--db PATH|URL] > FILE.pdf\n"
    "       ctoframe credential suspend|reinstate|revoke NUMBER --reason TEXT [--db PATH|URL]\n\n"
    "show         the credential's status (as of today), dates and continuing-education\n"
    "             points; --json prints {status, issued_on, expires_on, points: {earned,\n"
    "             counted, categories: [{code, earned, counted}], required, ...}, ...}.\n"
    "certificate  writes the certificate PDF to standard output: the one the background\n"
    "             job stored, or made now. Its QR code points at the public address\n"
    "             (--public-url, $CTOFRAME_PUBLIC_URL, or the last server's; else\n"
    "             http://127.0.0.1:8080, with a warning) /verify/NUMBER.\n"
    "suspend, reinstate, revoke\n"
    "             change the status, with the reason (required) on the credential's history\n"
    "             and the audit trail. A move the rules do not allow is refused (exit 1).\n"
    "CTOFRAME_NOW=YYYY-MM-DDTHH:MM:SSZ moves the clock. Exit 0 ok, 1 refused or not found,\n"
    "2 on a usage error.\n";

/* The address `make run` serves: the QR code's when no other is known. */
#define DEFAULT_PUBLIC_URL "http://127.0.0.1:8080"

static int do_show(const struct cli_opts *o, struct svc *sv)
{
    struct cf_error err;
    json_t *out = NULL;
    int rc;

    cf_error_clear(&err);
    rc = svc_credential_show(sv, o->pos[1], &out, &err);
    if (rc != CF_OK)
        return cli_fail(&err);
    if (o->json) {
        char *text = json_dumps(out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

        if (text != NULL)
            printf("%s\n", text);
        free(text);
    } else {
        json_t *pts = json_object_get(out, "points");

        printf("%s  %s  %s\nissued %s, expires %s\n",
               json_string_value(json_object_get(out, "number")),
               json_string_value(json_object_get(out, "holder")),
               json_string_value(json_object_get(out, "status")),
               json_string_value(json_object_get(out, "issued_on")),
               json_string_value(json_object_get(out, "expires_on")));
        printf("CE points counted %g of %g\n", json_number_value(json_object_get(pts, "counted")),
               json_number_value(json_object_get(pts, "required")));
    }
    json_decref(out);
    return CLI_OK;
}

static int do_certificate(const struct cli_opts *o, struct svc *sv)
{
    struct cf_error err;
    char base[512], *pdf = NULL;
    size_t n = 0;
    int rc;

    if (isatty(STDOUT_FILENO)) {
        fprintf(stderr, "ctoframe: the certificate is a PDF; redirect it to a file: > FILE.pdf\n");
        return CLI_USAGE;
    }
    /*
     * Given or set: that address; else the one the last server recorded; else,
     * when no server has run here yet, the address `make run` serves, said on stderr.
     */
    cf_error_clear(&err);
    if (o->public_url != NULL || getenv("CTOFRAME_PUBLIC_URL") != NULL) {
        rc = cli_public_url(o, sv->store, base, sizeof base);
        if (rc != CLI_OK)
            return rc;
    } else if ((rc = svc_public_url_known(sv, base, sizeof base, &err)) == CF_ENOTFOUND) {
        snprintf(base, sizeof base, "%s", DEFAULT_PUBLIC_URL);
        fprintf(stderr,
                "ctoframe: warning: no server has run on this database, so its public address is "
                "not known; the QR code points at %s/verify/%s. Give --public-url URL for "
                "another.\n",
                base, o->pos[1]);
    } else if (rc != CF_OK) {
        return cli_fail(&err);
    }
    sv->base_url = base;
    cf_error_clear(&err);
    rc = svc_credential_certificate(sv, o->pos[1], &pdf, &n, NULL, &err);
    sv->base_url = NULL;
    if (rc != CF_OK)
        return cli_fail(&err);
    if (fwrite(pdf, 1, n, stdout) != n || fflush(stdout) != 0) {
        free(pdf);
        fprintf(stderr, "ctoframe: cannot write the PDF to standard output\n");
        return CLI_FAIL;
    }
    free(pdf);
    return CLI_OK;
}

static int do_act(const struct cli_opts *o, struct svc *sv)
{
    struct cf_error err;
    json_t *out = NULL;
    int rc;

    cf_error_clear(&err);
    rc = svc_credential_act(sv, o->pos[1], o->pos[0], o->reason, &out, &err);
    if (rc != CF_OK) {
        if (err.field[0] != '\0' && strcmp(err.field, "reason") == 0)
            fprintf(stderr, "ctoframe: --reason: %s\n", err.message);
        else
            cli_fail(&err);
        return CLI_FAIL;
    }
    printf("%s %s\n", json_string_value(json_object_get(out, "number")),
           json_string_value(json_object_get(out, "status")));
    json_decref(out);
    return CLI_OK;
}

int cli_credential(int argc, char **argv)
{
    struct cli_opts o;
    struct svc sv = {NULL, "cli", NULL, NULL, NULL, NULL};
    const char *verb;
    int rc = cli_parse(argc, argv, 2, "db json reason public-url", &o, USAGE);
    int act;

    if (rc != CLI_OK || o.help)
        return rc;
    verb = o.npos > 0 ? o.pos[0] : "";
    act = strcmp(verb, "suspend") == 0 || strcmp(verb, "reinstate") == 0 ||
          strcmp(verb, "revoke") == 0;
    if (o.npos != 2 || !(act || strcmp(verb, "show") == 0 || strcmp(verb, "certificate") == 0)) {
        fputs(USAGE, stderr);
        return CLI_USAGE;
    }
    if (act && o.reason == NULL) {
        fprintf(stderr, "ctoframe: %s needs --reason TEXT: say why, for the history.\n%s", verb,
                USAGE);
        return CLI_USAGE;
    }
    if ((o.json && strcmp(verb, "show") != 0) || (o.reason != NULL && !act) ||
        (o.public_url != NULL && strcmp(verb, "certificate") != 0)) {
        fprintf(stderr, "ctoframe: that option does not go with credential %s\n%s", verb, USAGE);
        return CLI_USAGE;
    }
    rc = cli_open_store(&o, &sv.store);
    if (rc != CLI_OK)
        return rc;
    if (strcmp(verb, "show") == 0)
        rc = do_show(&o, &sv);
    else if (strcmp(verb, "certificate") == 0)
        rc = do_certificate(&o, &sv);
    else
        rc = do_act(&o, &sv);
    store_close(sv.store);
    return rc;
}
