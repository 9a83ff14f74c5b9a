/*
 * exam_angoff.h — `ctoframe exam angoff`, `exam hofstee` and `exam beuk` (cli/exam_angoff.c,
 * issue 10 point 7), for the exam command group to call with argv[0] the subcommand's name
 * and its arguments after it. Each returns the exit status: 0, 1 (input refused), 2 (usage).
 */
#ifndef CF_CLI_EXAM_ANGOFF_H
#define CF_CLI_EXAM_ANGOFF_H

int cli_exam_angoff(int argc, char **argv);
int cli_exam_hofstee(int argc, char **argv);
int cli_exam_beuk(int argc, char **argv);

#endif
