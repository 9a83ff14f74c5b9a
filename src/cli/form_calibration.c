/*
 * form_calibration.c — `ctoframe form calibrate|calibration`: the Rasch calibration of a form
 * as a job and its kept result from the command line (issue 10 point 6; svc/calibration.c;
 * docs/exam-rasch.md). cli/forms.c reads the arguments and calls these.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "svc/jobs.h"
#include "svc/svc.h"

static const char *str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));

    return s != NULL ? s : "";
}

static int num(const json_t *o, const char *k)
{
    return (int)json_integer_value(json_object_get(o, k));
}

/* A number with digits decimals, or "n/a" for a null, as text. */
static const char *num_text(const json_t *v, int digits, char *buf, size_t n)
{
    if (!json_is_number(v))
        return "n/a";
    snprintf(buf, n, "%.*f", digits, json_number_value(v));
    return buf;
}

/* The reason on stderr and CLI_FAIL for a refusal; cli_fail() for the rest. */
static int refused(int rc, const struct cf_error *err)
{
    if (rc == CF_EINVAL || rc == CF_ECONFLICT || rc == CF_ENOTFOUND) {
        fprintf(stderr, "ctoframe: %s\n", err->message);
        return CLI_FAIL;
    }
    return rc == CF_OK ? CLI_OK : cli_fail(err);
}

/* The summary of a done calibration's result on stdout. */
static void print_summary(const json_t *res)
{
    char b1[32];

    printf("persons %d: used %d; left out %d with a score of 0, %d perfect, %d presented none\n",
           num(res, "persons"), num(res, "used"), num(res, "zero"), num(res, "perfect"),
           num(res, "none"));
    printf("items %zu (%d scored), %d iterations, log-likelihood %s, %d misfitting (infit or "
           "outfit outside %.1f-%.1f)\n",
           json_array_size(json_object_get(res, "items")), num(res, "scored_items"),
           num(res, "iterations"), num_text(json_object_get(res, "loglik"), 4, b1, sizeof b1),
           num(res, "misfits"), CAL_FIT_LOW, CAL_FIT_HIGH);
}

/* A calibration as svc_form_calibration gives it, on stdout; CLI_FAIL when it failed. */
static int print_calibration(const json_t *c, int json)
{
    const json_t *res = json_object_get(c, "result"), *x;
    char b1[32], b2[32], b3[32], b4[32];
    size_t i;

    if (json) {
        char *text = json_dumps(c, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

        if (text != NULL)
            printf("%s\n", text);
        free(text);
        return CLI_OK;
    }
    printf("calibration %s of form %s: %s (file %s, requested %s by %s)\n", str(c, "id"),
           str(c, "form"), str(c, "state"), str(json_object_get(c, "set"), "file_name"),
           str(c, "requested_at"), str(c, "requested_by"));
    if (strcmp(str(c, "state"), "failed") == 0) {
        printf("failed: %s\n", str(c, "error"));
        return CLI_OK;
    }
    if (!json_is_object(res))
        return CLI_OK;
    print_summary(res);
    printf("item,role,difficulty,se,infit,outfit,misfit\n");
    json_array_foreach(json_object_get(res, "items"), i, x)
    {
        printf("%s,%s,%s,%s,%s,%s,%s\n", str(x, "identifier"), str(x, "role"),
               num_text(json_object_get(x, "difficulty"), 6, b1, sizeof b1),
               num_text(json_object_get(x, "se"), 6, b2, sizeof b2),
               num_text(json_object_get(x, "infit"), 4, b3, sizeof b3),
               num_text(json_object_get(x, "outfit"), 4, b4, sizeof b4),
               json_object_get(x, "dropped") != NULL        ? "not calibrated"
               : json_is_true(json_object_get(x, "misfit")) ? "yes"
                                                            : "no");
    }
    json_array_foreach(json_object_get(res, "items"), i, x)
    {
        if (json_object_get(x, "dropped") != NULL)
            fprintf(stderr, "ctoframe: pretest item %s was left out of the calibration: %s\n",
                    str(x, "identifier"), str(x, "dropped"));
    }
    printf("\nraw,theta,se\n");
    json_array_foreach(json_object_get(res, "score_table"), i, x)
    {
        printf("%d,%s,%s\n", num(x, "raw"), num_text(json_object_get(x, "theta"), 4, b1, sizeof b1),
               num_text(json_object_get(x, "se"), 4, b2, sizeof b2));
    }
    return CLI_OK;
}

int cli_form_calibrate(struct svc *sv, const char *code, int wait)
{
    struct jobs_env env = {NULL};
    struct cf_error err;
    json_t *out = NULL, *c = NULL;
    int rc;

    cf_error_clear(&err);
    rc = svc_form_calibrate(sv, code, &out, &err);
    if (rc != CF_OK)
        return refused(rc, &err);
    printf("calibration %s of form %s: %s (job %d)%s\n", str(out, "id"), code, str(out, "state"),
           num(out, "job_id"),
           json_is_true(json_object_get(out, "created")) ? "" : ", asked for already");
    json_decref(out);
    if (!wait)
        return CLI_OK;

    /* Runs the due calibrations here, this one among them. */
    rc = svc_jobs_run(sv, &env, "form.calibrate", 0, NULL, &err);
    if (rc == CF_OK)
        rc = svc_form_calibration(sv, code, &c, &err);
    if (rc != CF_OK)
        return refused(rc, &err);
    printf("calibration %s: %s\n", str(c, "id"), str(c, "state"));
    if (strcmp(str(c, "state"), "failed") == 0) {
        fprintf(stderr, "ctoframe: The calibration failed: %s\n", str(c, "error"));
        rc = CLI_FAIL;
    } else {
        if (json_is_object(json_object_get(c, "result")))
            print_summary(json_object_get(c, "result"));
        rc = CLI_OK;
    }
    json_decref(c);
    return rc;
}

int cli_form_calibration(struct svc *sv, const char *code, int json)
{
    struct cf_error err;
    json_t *c = NULL;
    int rc;

    cf_error_clear(&err);
    rc = svc_form_calibration(sv, code, &c, &err);
    if (rc != CF_OK)
        return refused(rc, &err);
    rc = print_calibration(c, json);
    json_decref(c);
    return rc;
}
