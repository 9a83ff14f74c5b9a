/*
 * form_responses.c — `ctoframe form responses|analysis|send-back`: a form's response file and
 * its item analysis from the command line (issue 10 points 4 and 5; svc/responses.c;
 * docs/exam-responses.md). cli/forms.c reads the arguments and calls these.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/vendorcsv.h"
#include "svc/svc.h"

static const char *str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));

    return s != NULL ? s : "";
}

/* A number or "n/a" for a null, as text. */
static const char *num_text(const json_t *v, char *buf, size_t n)
{
    if (!json_is_number(v))
        return "n/a";
    snprintf(buf, n, "%.3f", json_number_value(v));
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

/* The flags of an item, comma-separated, on stdout. */
static void print_flags(const json_t *flags)
{
    const json_t *f;
    size_t i;

    json_array_foreach(flags, i, f)
    {
        printf("%s%s", i > 0 ? ", " : "", json_string_value(f));
    }
}

int cli_form_responses(struct svc *sv, const char *code, const char *path)
{
    struct cf_error err;
    json_t *out = NULL, *problems = NULL, *x;
    const char *base = strrchr(path, '/');
    char *data = NULL, buf[32];
    size_t n = 0, i;
    int rc = cli_read_input(path, VENDORCSV_MAX_BYTES, &data, &n);

    if (rc != CLI_OK)
        return rc;
    if (n > VENDORCSV_MAX_BYTES) {
        fprintf(stderr, "ctoframe: %s is larger than %u MB.\n", path,
                VENDORCSV_MAX_BYTES / (1024u * 1024u));
        free(data);
        return CLI_FAIL;
    }
    cf_error_clear(&err);
    rc = svc_form_responses(sv, code, base != NULL ? base + 1 : path, data, n, &out, &problems,
                            &err);
    free(data);
    if (rc == CF_EINVAL && json_array_size(problems) > 0) {
        fprintf(stderr, "ctoframe: %s was not imported; nothing was written:\n", path);
        json_array_foreach(problems, i, x)
        {
            fprintf(stderr, "%s:%d:%d: %s\n", path,
                    (int)json_integer_value(json_object_get(x, "line")),
                    (int)json_integer_value(json_object_get(x, "column")), str(x, "message"));
        }
        json_decref(problems);
        return CLI_FAIL;
    }
    json_decref(problems);
    if (rc == CF_OK) {
        printf("imported %s for form %s: %d persons, %d items (%s), alpha %s\n",
               str(out, "file_name"), code,
               (int)json_integer_value(json_object_get(out, "persons")),
               (int)json_integer_value(json_object_get(out, "items")), str(out, "kind"),
               num_text(json_object_get(out, "alpha"), buf, sizeof buf));
        printf("%zu flagged items\n", json_array_size(json_object_get(out, "flagged")));
        json_array_foreach(json_object_get(out, "flagged"), i, x)
        {
            printf("  %s: ", str(x, "id"));
            print_flags(json_object_get(x, "flags"));
            printf("\n");
        }
    }
    json_decref(out);
    return refused(rc, &err);
}

int cli_form_analysis(struct svc *sv, const char *code, int json)
{
    struct cf_error err;
    json_t *out = NULL, *a, *x;
    char b1[32], b2[32], b3[32], b4[32];
    size_t i;
    int rc;

    cf_error_clear(&err);
    rc = svc_form_analysis(sv, code, &out, &err);
    if (rc != CF_OK)
        return refused(rc, &err);
    a = json_object_get(out, "analysis");
    if (json) {
        char *text = json_dumps(out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

        if (text != NULL)
            printf("%s\n", text);
        free(text);
        json_decref(out);
        return CLI_OK;
    }
    printf("form %s, file %s (%s), imported %s by %s\n", code,
           str(json_object_get(out, "set"), "file_name"), str(a, "kind"),
           str(json_object_get(out, "set"), "created_at"),
           str(json_object_get(out, "set"), "created_by"));
    printf("persons %d (complete %d), items %d, alpha %s, KR-20 %s, SEM %s\n",
           (int)json_integer_value(json_object_get(a, "persons")),
           (int)json_integer_value(json_object_get(a, "persons_complete")),
           (int)json_integer_value(json_object_get(a, "item_count")),
           num_text(json_object_get(a, "alpha"), b1, sizeof b1),
           num_text(json_object_get(a, "kr20"), b2, sizeof b2),
           num_text(json_object_get(a, "sem"), b3, sizeof b3));
    printf("item\tp\titem-total r\titem-rest r\talpha if deleted\tstatus\tflags\n");
    json_array_foreach(json_object_get(a, "items"), i, x)
    {
        printf("%s\t%s\t%s\t%s\t%s\t%s\t", str(x, "id"),
               num_text(json_object_get(x, "p"), b1, sizeof b1),
               num_text(json_object_get(x, "r_pb"), b2, sizeof b2),
               num_text(json_object_get(x, "r_pb_rest"), b3, sizeof b3),
               num_text(json_object_get(x, "alpha_if_deleted"), b4, sizeof b4), str(x, "status"));
        print_flags(json_object_get(x, "flags"));
        printf("\n");
    }
    json_decref(out);
    return CLI_OK;
}

int cli_form_send_back(struct svc *sv, const char *code, const char *item)
{
    struct cf_error err;
    json_t *out = NULL;
    int rc;

    cf_error_clear(&err);
    rc = svc_form_send_back(sv, code, item, &out, &err);
    if (rc == CF_OK)
        printf("item %s moved from %s to review\nnote: %s\n", item, str(out, "from"),
               str(out, "note"));
    json_decref(out);
    return refused(rc, &err);
}
