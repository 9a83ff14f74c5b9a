/*
 * cli.h — the command table: argv → command → svc → stdout/stderr.
 *
 * Messages for people go to stderr, results (JSON, paths) to stdout.
 * Exit status: 0 ok, 1 failure, 2 usage error.
 */
#ifndef CF_CLI_H
#define CF_CLI_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "lib/err.h"
#include "store/store.h"

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

int cli_main(int argc, char **argv);

/* The options every command shares, parsed by cli_parse(). */
struct cli_opts {
    const char *db;             /* --db, CTOFRAME_DB, or var/ctoframe.db */
    const char *host;           /* serve */
    const char *port;           /* serve */
    const char *output;         /* export --output */
    const char *home;           /* where templates/, static/ and data/ are */
    const char *threads;        /* serve --threads */
    const char *status;         /* outbox --status */
    const char *smtp;           /* serve/outbox --smtp URL */
    const char *from;           /* outbox --from, serve --mail-from */
    const char *name;           /* user --name, org --name */
    const char *role;           /* user --role */
    const char *org;            /* user --org */
    const char *kind;           /* org --kind */
    const char *parent;         /* org --parent */
    const char *title;          /* user --title */
    const char *nces;           /* org --nces */
    const char *enrollment;     /* org --enrollment */
    const char *public_url;     /* serve --public-url, user --public-url */
    const char *trusted_proxy;  /* serve --trusted-proxy CIDR,… */
    const char *max_conns;      /* serve --max-connections */
    const char *max_conns_addr; /* serve --max-connections-per-address */
    const char *header_timeout; /* serve --header-timeout SECONDS */
    const char *body_timeout;   /* serve --body-timeout SECONDS */
    const char *version;        /* program show/export --version N */
    const char *note;           /* program import --note TEXT */
    const char *reason;         /* issue 8: credential suspend|reinstate|revoke --reason TEXT */
    int no_load;                /* serve --no-load: do not load shipped frameworks */
    int json;                   /* --json: JSON on stdout */
    int password_stdin;         /* user add --password-stdin */
    int strict;                 /* framework import --strict */
    const char *holders;        /* demo --holders N */
    int remove;                 /* demo --remove */
    int demo;                   /* serve --demo: load the demo on a new database */
    const char *levels;         /* issue 9: stats agreement --levels K */
    /* issue 9: pd recommend --gaps, --weights, --hours, --budget */
    const char *gaps;
    const char *weights;
    const char *hours;
    const char *budget;
    /* issue 10: bank tag --skills CODES --level LEVEL */
    const char *skills;
    const char *level;
    int help;
    int npos;
    char *pos[8]; /* positional arguments after the command words */
};

/*
 * Parses argv[first..] into o. Unknown options and missing values are usage
 * errors: prints a message naming the option and returns CLI_USAGE.
 */
int cli_parse(int argc, char **argv, int first, const char *allowed, struct cli_opts *o,
              const char *usage);

/* Opens (creating and migrating) the store named by o->db; prints the error. */
int cli_open_store(const struct cli_opts *o, struct store **s);
/* The same with more STORE_* flags (serve: STORE_READONLY_OK). */
int cli_open_store_flags(const struct cli_opts *o, int extra, struct store **s);

/* Prints "ctoframe: <message>" to stderr and returns the exit status for code. */
int cli_fail(const struct cf_error *err);

/*
 * The base URL of links the command line prints or queues: --public-url,
 * else $CTOFRAME_PUBLIC_URL, else the one the server last recorded in the
 * database. Checked (like `serve --public-url`); copied to out (n bytes).
 * Prints why and returns CLI_FAIL or CLI_USAGE when there is none.
 */
int cli_public_url(const struct cli_opts *o, struct store *s, char *out, size_t n);

/*
 * Reads f to its end, but at most max + 1 bytes, into *data (malloc'd, NUL-terminated) and
 * the count into *n: *n > max says the input is larger than max, which the caller refuses
 * in its own words. name is what messages call the input. Prints why and returns CLI_FAIL
 * when memory runs out or reading fails; CLI_OK otherwise.
 */
int cli_read_stream(FILE *f, const char *name, size_t max, char **data, size_t *n);

/*
 * cli_read_stream() of the file at path, or of standard input when path is "-". Prints why
 * and returns CLI_FAIL when the file cannot be opened.
 */
int cli_read_input(const char *path, size_t max, char **data, size_t *n);

/*
 * Prints the problems a reader found in file (an array of {line, column, message}) to
 * stderr, each as FILE:LINE:COLUMN: sentence, then a line saying how many there are.
 */
void cli_print_problems(const char *file, const json_t *problems);

/* The directory holding templates/, static/ and data/ (see cli.c). */
const char *cli_home(void);

/* Command groups (one file each). */
int cli_serve(int argc, char **argv);
int cli_framework(int argc, char **argv);
int cli_program(int argc, char **argv);
int cli_backup(int argc, char **argv);
int cli_migrate(int argc, char **argv);
int cli_outbox(int argc, char **argv);
int cli_user(int argc, char **argv);
int cli_org(int argc, char **argv);
int cli_routes(int argc, char **argv);
int cli_jobs(int argc, char **argv);
int cli_tick(int argc, char **argv);
int cli_certificate(int argc, char **argv);
/* issue 8: exam results and credentials */
int cli_results(int argc, char **argv);
int cli_credential(int argc, char **argv);
/* issue 8 points 5-6 */
int cli_ce(int argc, char **argv);
int cli_demo(int argc, char **argv);
/* issue 9: rater agreement */
int cli_stats(int argc, char **argv);
/* issue 9 */
int cli_pd(int argc, char **argv);
/* bank.c: the exam's item bank (issue 10) */
int cli_bank(int argc, char **argv);
/* forms.c: exam forms (issue 10 point 3) */
int cli_form(int argc, char **argv);
/* `form responses|analysis|send-back` (cli/form_responses.c), on an open svc. */
struct svc;
int cli_form_responses(struct svc *sv, const char *code, const char *path);
int cli_form_analysis(struct svc *sv, const char *code, int json);
int cli_form_send_back(struct svc *sv, const char *code, const char *item);
/* `form study CODE ...` (cli/form_study.c): the whole command line, its own arguments. */
int cli_form_study(int argc, char **argv);
/* `form calibrate|calibration` (cli/form_calibration.c), on an open svc. */
int cli_form_calibrate(struct svc *sv, const char *code, int wait);
int cli_form_calibration(struct svc *sv, const char *code, int json);
/* issue 10: exam response files (src/cli/exam.c) */
int cli_exam(int argc, char **argv);
/*
 * issue 10: `exam calibrate` and `exam simulate` (cli/exam_rasch.c), for the exam command
 * group to call with argv[0] the subcommand's name and its arguments after it.
 */
int cli_exam_calibrate(int argc, char **argv);
int cli_exam_simulate(int argc, char **argv);
/* issue 10: `exam equate`, `exam scale` and `exam dif` (cli/exam_link.c), called the same way. */
int cli_exam_equate(int argc, char **argv);
int cli_exam_scale(int argc, char **argv);
int cli_exam_dif(int argc, char **argv);

#endif
