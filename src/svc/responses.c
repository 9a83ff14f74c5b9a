/*
 * responses.c — the response files of exam forms and their item analysis (issue 10 points 4
 * and 5). An examiner imports the vendor's file for a released form; it is read against the
 * form's items and the bank's keys (core/vendorcsv.h), kept whole with its analysis in one
 * transaction, or refused whole with every bad cell. An item the analysis flags can be sent
 * back to review from the set, with its statistics as the note of the bank's move.
 * docs/exam-responses.md describes the file and the numbers.
 *
 * Who: as forms (svc/forms.c), examiners only; anyone else is told there is no such form.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vendorcsv.h"
#include "lib/clock.h"
#include "svc/svc_impl.h"

#define ACTOR_LEN     64
#define ID_LEN        37 /* a UUID's 36 characters and the NUL (svc__uuid) */
#define NOW_LEN       32
#define FILE_NAME_MAX 200  /* bytes of a file name kept */
#define NOTE_MAX      4096 /* bytes of a send-back note */

static int nomem(struct cf_error *err)
{
    return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
}

/* The form's items as vendorcsv reads them: the bank's options and keys. */
struct form_items {
    size_t n;
    struct vendor_item *item;
    const char **ids; /* every item's option ids, one block */
    json_t *rows;     /* the bank rows the strings point into */
};

static void form_items_free(struct form_items *f)
{
    free(f->item);
    free(f->ids);
    json_decref(f->rows);
    memset(f, 0, sizeof *f);
}

/*
 * Reads the items of form (an id) into *f (form order) with the options and keys of the
 * versions the form is scored by (those it was released with: store_form_item_bodies) and
 * each item's role. CF_OK, CF_ENOMEM, or a store error.
 */
static int form_items_read(const struct svc *sv, const char *form, struct form_items *f,
                           struct cf_error *err)
{
    json_t *x;
    size_t i, nids = 0, at = 0;
    int rc;

    memset(f, 0, sizeof *f);
    rc = store_form_item_bodies(sv->store, form, &f->rows, err);
    if (rc != CF_OK)
        return rc;
    f->n = json_array_size(f->rows);
    f->item = calloc(f->n + 1, sizeof *f->item);
    if (f->item == NULL) {
        rc = nomem(err);
        goto out;
    }
    json_array_foreach(f->rows, i, x)
    {
        json_t *body = json_loads(svc__str(x, "body"), 0, NULL);

        if (json_object_set_new(x, "body_json", body != NULL ? body : json_object()) != 0) {
            rc = nomem(err);
            goto out;
        }
        nids += json_array_size(json_object_get(json_object_get(x, "body_json"), "choices"));
    }
    f->ids = calloc(nids + 1, sizeof *f->ids);
    if (f->ids == NULL) {
        rc = nomem(err);
        goto out;
    }
    json_array_foreach(f->rows, i, x)
    {
        const json_t *body = json_object_get(x, "body_json"), *c, *k;
        size_t o, m;

        f->item[i].identifier = svc__str(x, "identifier");
        f->item[i].pretest = strcmp(svc__str(x, "role"), "pretest") == 0;
        f->item[i].option_id = f->ids + at;
        json_array_foreach(json_object_get(body, "choices"), o, c)
        {
            f->ids[at++] = svc__str(c, "id");
            f->item[i].noptions++;
        }
        json_array_foreach(json_object_get(body, "correct"), m, k)
        {
            for (int q = 0; q < f->item[i].noptions && q < DISTRACTOR_OPTIONS_MAX; q++)
                if (json_string_value(k) != NULL &&
                    strcmp(f->item[i].option_id[q], json_string_value(k)) == 0)
                    f->item[i].key |= 1u << q;
        }
    }
out:
    if (rc != CF_OK)
        form_items_free(f);
    return rc;
}

/* The summary an import returns: {form, file_name, kind, persons, items, alpha, flagged}. */
static json_t *import_view(const char *code, const char *file_name, const json_t *analysis)
{
    json_t *flagged = json_array(), *x;
    size_t i;

    if (flagged == NULL)
        return NULL;
    json_array_foreach(json_object_get(analysis, "items"), i, x)
    {
        if (json_is_true(json_object_get(x, "flagged")) &&
            json_array_append_new(flagged, json_pack("{s:O, s:O}", "id", json_object_get(x, "id"),
                                                     "flags", json_object_get(x, "flags"))) != 0) {
            json_decref(flagged);
            return NULL;
        }
    }
    return json_pack("{s:s, s:s, s:O, s:O, s:O, s:O, s:o}", "form", code, "file_name", file_name,
                     "kind", json_object_get(analysis, "kind"), "persons",
                     json_object_get(analysis, "persons"), "items",
                     json_object_get(analysis, "item_count"), "alpha",
                     json_object_get(analysis, "alpha"), "flagged", flagged);
}

int svc_form_responses(const struct svc *sv, const char *code, const char *file_name,
                       const char *bytes, size_t n, json_t **out, json_t **problems,
                       struct cf_error *err)
{
    struct form_items fi;
    struct vendorcsv v;
    json_t *form = NULL, *analysis = NULL, *after = NULL;
    char id[ID_LEN], now[NOW_LEN], actor[ACTOR_LEN], name[FILE_NAME_MAX + 1];
    int rc = svc__form_allowed(sv, err);

    *out = NULL;
    if (problems != NULL)
        *problems = NULL;
    memset(&fi, 0, sizeof fi);
    memset(&v, 0, sizeof v);
    if (rc != CF_OK)
        return rc;
    snprintf(name, sizeof name, "%s",
             file_name != NULL && file_name[0] != '\0' ? file_name : "responses.csv");
    svc__uuid(id);
    clock_now_iso(now, sizeof now);
    snprintf(actor, sizeof actor, "%s", sv->actor != NULL ? sv->actor : "cli");
    rc = svc__form_begin(sv, code, &form, err);
    if (rc != CF_OK)
        return rc;

    /* The rule: a released form, held while its responses are written. */
    if (strcmp(svc__str(form, "status"), "released") != 0) {
        rc = cf_error_set(err, CF_ECONFLICT, "form",
                          "The form %s is %s: responses are imported for a released form only.",
                          code, svc__str(form, "status"));
        goto out;
    }

    if (bytes == NULL || n == 0) {
        rc = cf_error_set(err, CF_EINVAL, "file", "Choose the vendor's response file (CSV).");
        goto out;
    }

    /* The file, read against the form's items and the bank's keys, whole or not at all. */
    rc = form_items_read(sv, svc__str(form, "id"), &fi, err);
    if (rc != CF_OK)
        goto out;
    rc = vendorcsv_parse(bytes, n, fi.item, fi.n, &v, problems);
    if (rc == CF_ENOMEM) {
        rc = nomem(err);
        goto out;
    }
    if (rc != CF_OK) {
        size_t np = problems != NULL ? json_array_size(*problems) : 0;
        const json_t *first = problems != NULL ? json_array_get(*problems, 0) : NULL;

        char msg[sizeof err->message];

        /* The count and the first problem; the caller lists them all from *problems. */
        snprintf(msg, sizeof msg,
                 "The file was not imported: %zu problem%s, the first at line %d, column %d: %s",
                 np, np == 1 ? "" : "s", (int)json_integer_value(json_object_get(first, "line")),
                 (int)json_integer_value(json_object_get(first, "column")),
                 svc__str(first, "message"));
        rc = cf_error_set(err, CF_EINVAL, "file", "%s", msg);
        goto out;
    }
    analysis = vendorcsv_analysis(&v, fi.item);
    if (analysis == NULL) {
        rc = nomem(err);
        goto out;
    }

    rc = store_response_set_add(sv->store, id, svc__str(form, "id"), name,
                                v.scored ? "scored" : "options", (int)v.persons, (int)v.items,
                                analysis, actor, now, err);
    if (rc == CF_OK)
        rc = store_responses_add(sv->store, id, v.persons, v.candidate, v.kept, v.total, err);
    if (rc != CF_OK)
        goto out;
    after = import_view(code, name, analysis);
    if (after == NULL) {
        rc = nomem(err);
        goto out;
    }
    rc = svc__audit(sv, NULL, "form.responses", "exam_form", code, NULL, after, err);
out:
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    if (rc == CF_OK)
        *out = json_incref(after);
    json_decref(form);
    json_decref(analysis);
    json_decref(after);
    vendorcsv_free(&v);
    form_items_free(&fi);
    return rc;
}

/* Sets each item of analysis's "status" (the bank's, now) and "can_send_back". */
static int add_statuses(const struct svc *sv, json_t *analysis, struct cf_error *err)
{
    json_t *x;
    size_t i;

    json_array_foreach(json_object_get(analysis, "items"), i, x)
    {
        json_t *row = NULL;
        const char *st;
        int rc = store_bank_item_by_identifier(sv->store, svc__str(x, "id"), &row, err), can;

        if (rc == CF_ENOTFOUND)
            continue;
        if (rc != CF_OK)
            return rc;
        st = svc__str(row, "status");
        can = strcmp(st, "operational") == 0 || strcmp(st, "pretest") == 0;
        rc = json_object_set_new(x, "status", json_string(st)) != 0 ||
                     json_object_set_new(
                         x, "can_send_back",
                         json_boolean(can && json_is_true(json_object_get(x, "flagged")))) != 0
                 ? nomem(err)
                 : CF_OK;
        json_decref(row);
        if (rc != CF_OK)
            return rc;
    }
    return CF_OK;
}

int svc_form_analysis(const struct svc *sv, const char *code, json_t **out, struct cf_error *err)
{
    json_t *form = NULL, *set = NULL, *analysis;
    int rc = svc__form_allowed(sv, err);

    *out = NULL;
    if (rc != CF_OK)
        return rc;
    rc = svc__form_row(sv, code, &form, err);
    if (rc == CF_OK) {
        rc = store_response_set_latest(sv->store, svc__str(form, "id"), &set, err);
        if (rc == CF_ENOTFOUND)
            rc = cf_error_set(err, CF_ENOTFOUND, "form",
                              "The form %s has no responses yet. Import the vendor's file first.",
                              code);
    }
    if (rc == CF_OK) {
        analysis = json_object_get(set, "analysis");
        rc = add_statuses(sv, analysis, err);
    }
    if (rc == CF_OK) {
        *out = json_pack("{s:s, s:O, s:O, s:{s:O, s:O, s:O, s:O, s:O}, s:O}", "form", code, "title",
                         json_object_get(form, "title"), "status", json_object_get(form, "status"),
                         "set", "file_name", json_object_get(set, "file_name"), "kind",
                         json_object_get(set, "kind"), "persons", json_object_get(set, "persons"),
                         "created_at", json_object_get(set, "created_at"), "created_by",
                         json_object_get(set, "created_by"), "analysis", analysis);
        if (*out == NULL)
            rc = nomem(err);
    }
    json_decref(form);
    json_decref(set);
    return rc;
}

/* A number for a note: "0.612" or "n/a" when null. */
static void num_text(const json_t *v, char *out, size_t n)
{
    if (json_is_number(v))
        snprintf(out, n, "%.3f", json_number_value(v));
    else
        snprintf(out, n, "n/a");
}

/* The note of a send-back: the set, the item's numbers, flags and options. */
static void note_of(const char *code, const json_t *set, const json_t *x, char *note, size_t n)
{
    char p[32], r[32], rr[32], a[32];
    size_t len, i;
    const json_t *f, *o;

    num_text(json_object_get(x, "p"), p, sizeof p);
    num_text(json_object_get(x, "r_pb"), r, sizeof r);
    num_text(json_object_get(x, "r_pb_rest"), rr, sizeof rr);
    num_text(json_object_get(x, "alpha_if_deleted"), a, sizeof a);
    len = (size_t)snprintf(note, n,
                           "Sent back from the item analysis of form %s (file %s, %d "
                           "candidates, imported %s): p %s, item-total r %s, item-rest r %s, "
                           "alpha if deleted %s; flags:",
                           code, svc__str(set, "file_name"),
                           (int)json_integer_value(json_object_get(set, "persons")),
                           svc__str(set, "created_at"), p, r, rr, a);
    if (json_array_size(json_object_get(x, "flags")) == 0 && len < n)
        len += (size_t)snprintf(note + len, n - len, " none");
    json_array_foreach(json_object_get(x, "flags"), i, f)
    {
        if (len < n)
            len += (size_t)snprintf(note + len, n - len, "%s %s", i > 0 ? "," : "",
                                    json_string_value(f));
    }
    if (len < n)
        len += (size_t)snprintf(note + len, n - len, ".");
    json_array_foreach(json_object_get(x, "options"), i, o)
    {
        char share[32], mean[32];

        num_text(json_object_get(o, "share"), share, sizeof share);
        num_text(json_object_get(o, "mean_total"), mean, sizeof mean);
        if (len < n)
            len += (size_t)snprintf(
                note + len, n - len, " Option %s%s: share %s, mean total %s.", svc__str(o, "id"),
                json_is_true(json_object_get(o, "key")) ? " (key)" : "", share, mean);
    }
}

int svc_form_send_back(const struct svc *sv, const char *code, const char *identifier, json_t **out,
                       struct cf_error *err)
{
    json_t *form = NULL, *set = NULL, *row = NULL, *x, *item = NULL;
    char *note = NULL;
    size_t i;
    int rc = svc__form_allowed(sv, err);

    *out = NULL;
    if (rc != CF_OK)
        return rc;
    note = malloc(NOTE_MAX);
    if (note == NULL)
        return nomem(err);
    rc = store_begin(sv->store, err);
    if (rc != CF_OK)
        goto done;

    /* The rule: the item is in the form's latest set and operational or pretest now. */
    rc = svc__form_row(sv, code, &form, err);
    if (rc != CF_OK)
        goto out;
    rc = store_response_set_latest(sv->store, svc__str(form, "id"), &set, err);
    if (rc == CF_ENOTFOUND)
        rc = cf_error_set(err, CF_ENOTFOUND, "form", "The form %s has no responses yet.", code);
    if (rc != CF_OK)
        goto out;
    json_array_foreach(json_object_get(json_object_get(set, "analysis"), "items"), i, x)
    {
        if (identifier != NULL && strcmp(svc__str(x, "id"), identifier) == 0)
            item = x;
    }
    if (item == NULL) {
        rc = cf_error_set(err, CF_ENOTFOUND, "item", "The form %s has no item \"%s\".", code,
                          identifier != NULL ? identifier : "");
        goto out;
    }
    rc = store_bank_item_by_identifier(sv->store, identifier, &row, err);
    if (rc != CF_OK)
        goto out;
    if (strcmp(svc__str(row, "status"), "operational") != 0 &&
        strcmp(svc__str(row, "status"), "pretest") != 0) {
        rc = cf_error_set(err, CF_ECONFLICT, "item",
                          "The item %s is %s: only an operational or pretest item goes back to "
                          "review from an analysis.",
                          identifier, svc__str(row, "status"));
        goto out;
    }
    note_of(code, set, item, note, NOTE_MAX);

    /* The bank's move keeps its rules, its history and its audit entry. */
    rc = svc_bank_move(sv, identifier, "review", note, err);
    if (rc != CF_OK)
        goto out;
    *out = json_pack("{s:s, s:s, s:s, s:s}", "identifier", identifier, "from",
                     svc__str(row, "status"), "status", "review", "note", note);
    if (*out == NULL)
        rc = nomem(err);
out:
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
    if (rc != CF_OK) {
        json_decref(*out);
        *out = NULL;
    }
done:
    free(note);
    json_decref(form);
    json_decref(set);
    json_decref(row);
    return rc;
}
