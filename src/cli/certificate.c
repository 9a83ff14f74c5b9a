/*
 * certificate.c — `ctoframe certificate sample`: a certificate PDF for
 * fields given on the command line, written to standard output. A preview
 * for designers and operators; it opens no database.
 *
 * Its options are parsed here rather than by cli_parse: they belong to this
 * command alone, and an empty value must reach the checks (which name the
 * flag) instead of being a usage error.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "svc/certificate.h"

static const char USAGE_CERTIFICATE[] =
    "usage: ctoframe certificate sample --name NAME --number NUMBER --issued YYYY-MM-DD\n"
    "           --expires YYYY-MM-DD --url URL [--title TITLE] [--program PROGRAM]\n"
    "           [--issuer ISSUER] [--demo] > FILE.pdf\n\n"
    "Writes a credential certificate (PDF, one page, US Letter landscape) for the\n"
    "fields given to standard output: a preview of the layout for designers and\n"
    "operators. Nothing is read from or written to the database.\n"
    "  --name     the holder's full name, any script (at most 120 characters)\n"
    "  --number   the credential number: letters, digits and hyphens (CETL-2026-000123)\n"
    "  --issued   the issue date, --expires the expiry date (after it), as YYYY-MM-DD\n"
    "  --url      the public verification address (http:// or https://), printed\n"
    "             and encoded in the QR code\n"
    "  --title    default \"Certified Education Technology Leader\"\n"
    "  --program  default \"CETL\"\n"
    "  --issuer   the issuing body; default \"CoSN (Consortium for School Networking)\"\n"
    "  --demo     across the page: \"DEMO — not a real credential\"\n"
    "Exit 0 when written, 1 when a value is refused (the message names its flag),\n"
    "2 on a usage error (also when standard output is a terminal).\n";

/* Each option, the field of struct cert_fields it fills (as cert_fields_check names it). */
static const struct {
    const char *opt, *field;
    int required;
} OPTS[] = {
    {"--name", "name", 1},          {"--number", "number", 1},  {"--issued", "issued_on", 1},
    {"--expires", "expires_on", 1}, {"--url", "verify_url", 1}, {"--title", "title", 0},
    {"--program", "program", 0},    {"--issuer", "issuer", 0},
};
#define NOPTS (sizeof OPTS / sizeof OPTS[0])

/* The slot in f for field. */
static const char **field_slot(struct cert_fields *f, const char *field)
{
    const char **slots[] = {&f->name,       &f->number, &f->issued_on, &f->expires_on,
                            &f->verify_url, &f->title,  &f->program,   &f->issuer};

    for (size_t i = 0; i < NOPTS; i++)
        if (strcmp(OPTS[i].field, field) == 0)
            return slots[i];
    return NULL;
}

/* The flag of field, for messages ("--name"); field itself when none. */
static const char *flag_of(const char *field)
{
    for (size_t i = 0; i < NOPTS; i++)
        if (strcmp(OPTS[i].field, field) == 0)
            return OPTS[i].opt;
    return field;
}

/* Prints every field at fault, each after its flag; returns CLI_FAIL. */
static int fail_fields(const struct cf_error *err)
{
    if (err->field[0] == '\0')
        return cli_fail(err);
    fprintf(stderr, "ctoframe: %s: %s\n", flag_of(err->field), err->message);
    for (int i = 0; i < err->nextra; i++)
        fprintf(stderr, "ctoframe: %s: %s\n", flag_of(err->extra[i].field), err->extra[i].message);
    return CLI_FAIL;
}

/*
 * Parses argv[3..] into f: --opt VALUE or --opt=VALUE, --demo, --help.
 * CLI_OK (with *help set for --help), or CLI_USAGE after saying why.
 */
static int parse(int argc, char **argv, struct cert_fields *f, int *help)
{
    int given[NOPTS] = {0};

    for (int i = 3; i < argc; i++) {
        const char *a = argv[i], *eq = strchr(a, '='), *val = NULL;
        size_t len = eq != NULL ? (size_t)(eq - a) : strlen(a);
        size_t k;

        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            *help = 1;
            return CLI_OK;
        }
        if (strcmp(a, "--demo") == 0) {
            f->demo = 1;
            continue;
        }
        for (k = 0; k < NOPTS; k++)
            if (strlen(OPTS[k].opt) == len && strncmp(a, OPTS[k].opt, len) == 0)
                break;
        if (k == NOPTS) {
            fprintf(stderr, "ctoframe: unknown option or argument \"%.*s\"\n%s", (int)len, a,
                    USAGE_CERTIFICATE);
            return CLI_USAGE;
        }
        if (eq != NULL)
            val = eq + 1;
        else if (i + 1 < argc)
            val = argv[++i];
        if (val == NULL) {
            fprintf(stderr, "ctoframe: option %s needs a value\n", OPTS[k].opt);
            return CLI_USAGE;
        }
        *field_slot(f, OPTS[k].field) = val;
        given[k] = 1;
    }
    for (size_t k = 0; k < NOPTS; k++)
        if (OPTS[k].required && !given[k]) {
            fprintf(stderr, "ctoframe: certificate sample needs %s\n%s", OPTS[k].opt,
                    USAGE_CERTIFICATE);
            return CLI_USAGE;
        }
    return CLI_OK;
}

int cli_certificate(int argc, char **argv)
{
    struct cert_fields f = {
        .title = "Certified Education Technology Leader",
        .program = "CETL",
        .issuer = "CoSN (Consortium for School Networking)",
    };
    struct cf_error err;
    char *pdf = NULL;
    size_t n = 0;
    int help = 0, rc;

    if (argc >= 3 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0)) {
        fputs(USAGE_CERTIFICATE, stdout);
        return CLI_OK;
    }
    if (argc < 3 || strcmp(argv[2], "sample") != 0) {
        fprintf(stderr, "ctoframe: certificate needs the word sample\n%s", USAGE_CERTIFICATE);
        return CLI_USAGE;
    }
    rc = parse(argc, argv, &f, &help);
    if (rc != CLI_OK)
        return rc;
    if (help) {
        fputs(USAGE_CERTIFICATE, stdout);
        return CLI_OK;
    }
    if (isatty(STDOUT_FILENO)) {
        fprintf(stderr, "ctoframe: the PDF would go to the terminal; redirect it to a file: "
                        "> certificate.pdf\n");
        return CLI_USAGE;
    }

    cf_error_clear(&err);
    rc = svc_certificate_sample(&f, &pdf, &n, &err);
    if (rc == CF_EINVAL)
        return fail_fields(&err);
    if (rc != CF_OK)
        return cli_fail(&err);
    rc = CLI_OK;
    if (fwrite(pdf, 1, n, stdout) != n || fflush(stdout) != 0) {
        fprintf(stderr, "ctoframe: the PDF could not be written to standard output\n");
        rc = CLI_FAIL;
    }
    free(pdf);
    return rc;
}
