/*
 * program.c — certification programs: their rules as versioned data.
 *
 * A program's rules are a JSON document (docs/programs.md) checked by
 * core/program.c. Saving never changes a version: it adds the next one, so a
 * decision that recorded the version it used can always be explained. What
 * needs stored state (the framework the rules name, the current version) is
 * read here, inside the write transaction.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/program.h"
#include "lib/clock.h"
#include "svc/svc_impl.h"

/* The shipped directory holds at most this many program files. */
#define PROGRAM_FILES_MAX 64
/* An example sequence number for the credential number shown on the page. */
#define NUMBER_EXAMPLE_SEQ 123

static int forbidden_read(struct cf_error *err)
{
    return cf_error_set(err, CF_EFORBIDDEN, NULL,
                        "Only program administrators see the certification programs.");
}

int svc_program_list(const struct svc *sv, json_t **out, struct cf_error *err)
{
    json_t *rows = NULL, *r;
    size_t i;
    int rc;

    *out = NULL;
    if (!svc__can(sv, PERM_PROGRAM_READ, NULL))
        return forbidden_read(err);
    rc = store_program_list(sv->store, &rows, err);
    if (rc != CF_OK)
        return rc;
    json_array_foreach(rows, i, r)
    {
        json_object_set_new(r, "href", json_pack("s+", "/admin/programs/", svc__str(r, "code")));
    }
    *out = json_pack("{s:o, s:b}", "programs", rows, "can_write",
                     svc__can(sv, PERM_PROGRAM_WRITE, NULL));
    return CF_OK;
}

/* 1 when path, one of its parents or one of its children is an assumed default of p. */
static int assumed_near(const struct program *p, const char *path)
{
    size_t n = strlen(path);

    for (int i = 0; i < p->nassumed; i++) {
        const char *a = p->assumed[i];
        size_t m = strlen(a);

        if (strcmp(a, path) == 0)
            return 1;
        if (m > n && strncmp(a, path, n) == 0 && (a[n] == '.' || a[n] == '['))
            return 1;
        if (n > m && strncmp(path, a, m) == 0 && (path[m] == '.' || path[m] == '['))
            return 1;
    }
    return 0;
}

/* One eligibility path as people read it. */
static json_t *path_view(const struct program *p, int i)
{
    const struct program_path *pp = &p->paths[i];
    char at[PROGRAM_PATH_MAX], degree[PROGRAM_LABEL_MAX];

    snprintf(at, sizeof at, "$.eligibility.paths[%d]", i);
    if (pp->degree == PROGRAM_DEGREE_NONE)
        snprintf(degree, sizeof degree, "No degree needed");
    else
        snprintf(degree, sizeof degree, "A %s's degree or higher", program_degree_name(pp->degree));
    return json_pack("{s:s, s:s, s:s, s:i, s:b, s:b, s:s, s:b}", "id", pp->id, "label", pp->label,
                     "degree", degree, "years", pp->years, "waiver", pp->waiver,
                     "supervisor_recommendation", pp->supervisor_recommendation, "decided_by",
                     strcmp(pp->decided_by, "committee") == 0 ? "a committee" : "a reviewer",
                     "assumed", assumed_near(p, at));
}

/* The CE categories as a table: value and cap in words. */
static json_t *categories_view(const struct program *p)
{
    json_t *list = json_array();

    for (int i = 0; i < p->ncats; i++) {
        const struct program_category *c = &p->cats[i];
        char value[PROGRAM_LABEL_MAX], cap[PROGRAM_LABEL_MAX], at[PROGRAM_PATH_MAX];

        program_value_text(c, value, sizeof value);
        if (c->cap < 0)
            snprintf(cap, sizeof cap, "no cap");
        else
            snprintf(cap, sizeof cap, "%d point%s per term", c->cap, c->cap == 1 ? "" : "s");
        snprintf(at, sizeof at, "$.ce.categories[%d]", i);
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:b}", "code", c->code, "label",
                                              c->label, "value", value, "cap", cap, "assumed",
                                              assumed_near(p, at)));
    }
    return list;
}

/* "180, 90, 30 and 7 days" into buf ("none" when there are no reminders). */
static void reminders_text(const struct program *p, char *buf, size_t n)
{
    size_t off = 0;

    buf[0] = '\0';
    if (p->nreminders == 0) {
        snprintf(buf, n, "none");
        return;
    }
    for (int i = 0; i < p->nreminders; i++) {
        int w = snprintf(buf + off, n - off, "%s%d",
                         i == 0                   ? ""
                         : i == p->nreminders - 1 ? " and "
                                                  : ", ",
                         p->reminders[i]);

        if (w < 0 || (size_t)w >= n - off)
            return;
        off += (size_t)w;
    }
    snprintf(buf + off, n - off, " days before expiry");
}

/* The value at path of doc as compact JSON text (a new string), for the assumed list. */
static json_t *value_at(const json_t *doc, const char *path)
{
    const json_t *at = doc;
    const char *s = path + 1;
    char *text;
    json_t *out;

    while (*s != '\0' && at != NULL) {
        if (*s == '.') {
            char key[PROGRAM_PATH_MAX];
            size_t k = 0;

            for (s++; *s != '\0' && *s != '.' && *s != '[' && k + 1 < sizeof key; s++)
                key[k++] = *s;
            key[k] = '\0';
            at = json_object_get(at, key);
        } else if (*s == '[') {
            at = json_array_get(at, strtoul(s + 1, NULL, 10));
            s = strchr(s, ']');
            if (s == NULL)
                break;
            s++;
        } else {
            break;
        }
    }
    text = at != NULL ? json_dumps(at, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    out = json_string(text != NULL ? text : "");
    free(text);
    return out;
}

/* The rules as people read them: what each field means is in docs/programs.md. */
static json_t *rules_view(const struct program *p, const json_t *doc)
{
    json_t *v = json_object(), *paths = json_array(), *scores = json_array(), *assumed;
    char buf[PROGRAM_RULE_MAX], number[CRED_NUMBER_MAX];
    struct cred_rules cr;
    struct tm tm;
    time_t now = clock_now();

    for (int i = 0; i < p->npaths; i++)
        json_array_append_new(paths, path_view(p, i));
    for (int i = 0; i < p->nscores; i++)
        json_array_append_new(scores, json_pack("{s:s, s:s}", "code", p->scores[i].code, "label",
                                                p->scores[i].label));
    json_object_set_new(v, "framework",
                        json_pack("{s:s, s:s, s:s+}", "identifier", p->framework_id, "title",
                                  p->framework_title, "href", "/frameworks/", p->framework_id));
    json_object_set_new(
        v, "eligibility",
        json_pack("{s:b, s:o}", "code_of_conduct", p->code_of_conduct, "paths", paths));
    json_object_set_new(v, "authorization_days", json_integer(p->authorization_days));
    json_object_set_new(v, "exam",
                        json_pack("{s:i, s:i, s:i, s:o, s:{s:i, s:i, s:i, s:b}}", "scale_min",
                                  p->scale_min, "scale_max", p->scale_max, "cut", p->cut,
                                  "score_categories", scores, "retake", "wait_days",
                                  p->retake_wait_days, "max_attempts", p->retake_max_attempts,
                                  "period_days", p->retake_period_days, "assumed",
                                  assumed_near(p, "$.exam.retake")));
    json_object_set_new(v, "term_years", json_integer(p->term_years));
    json_object_set_new(v, "ce",
                        json_pack("{s:i, s:i, s:s, s:o}", "points_required", p->ce_points_required,
                                  "skill_areas_per_activity", p->ce_skill_areas_min,
                                  "skill_area_type", p->ce_skill_area_type, "categories",
                                  categories_view(p)));
    json_object_set_new(v, "grace",
                        json_pack("{s:i, s:b}", "days", p->grace_days, "assumed",
                                  assumed_near(p, "$.grace_period_days")));
    json_object_set_new(v, "audit",
                        json_pack("{s:i, s:b, s:b}", "sample_percent", p->audit_percent,
                                  "blocks_renewal", p->audit_blocks_renewal, "assumed",
                                  assumed_near(p, "$.audit")));
    reminders_text(p, buf, sizeof buf);
    json_object_set_new(
        v, "reminders",
        json_pack("{s:s, s:b}", "text", buf, "assumed", assumed_near(p, "$.reminders")));
    gmtime_r(&now, &tm);
    program_cred_rules(p, &cr);
    if (cred_number_format(&cr, tm.tm_year + 1900, NUMBER_EXAMPLE_SEQ, number, sizeof number) !=
        CF_OK)
        number[0] = '\0';
    json_object_set_new(v, "number",
                        json_pack("{s:s, s:i, s:s, s:b}", "prefix", p->number_prefix, "digits",
                                  p->number_digits, "example", number, "assumed",
                                  assumed_near(p, "$.credential_number")));
    assumed = json_array();
    for (int i = 0; i < p->nassumed; i++)
        json_array_append_new(assumed, json_pack("{s:s, s:o}", "path", p->assumed[i], "value",
                                                 value_at(doc, p->assumed[i])));
    json_object_set_new(v, "has_assumed", json_boolean(json_array_size(assumed) > 0));
    json_object_set_new(v, "assumed", assumed);
    return v;
}

int svc__program_rules(const struct svc *sv, const char *code, int version, struct program *p,
                       int *used, struct cf_error *err)
{
    json_t *row = NULL;
    const char *text;
    int rc = store_program_get(sv->store, code, version, &row, err);

    if (used != NULL)
        *used = 0;
    if (rc == CF_ENOTFOUND)
        return version > 0 ? cf_error_set(err, CF_ENOTFOUND, "version",
                                          "Program %s has no version %d.", code, version)
                           : cf_error_set(err, CF_ENOTFOUND, NULL, "There is no program %s.", code);
    if (rc != CF_OK)
        return rc;
    text = svc__str(row, "rules");
    if (program_parse(text, strlen(text), p, NULL, NULL) != 0)
        rc = cf_error_set(err, CF_EIO, NULL,
                          "Version %lld of program %s cannot be read by this ctoframe.",
                          (long long)json_integer_value(json_object_get(row, "version")), code);
    else if (used != NULL)
        *used = (int)json_integer_value(json_object_get(row, "version"));
    json_decref(row);
    return rc;
}

int svc_program_get(const struct svc *sv, const char *code, int version, json_t **out,
                    struct cf_error *err)
{
    json_t *row = NULL, *cur = NULL, *versions = NULL, *doc = NULL, *problems = NULL;
    const char *text;
    struct program *p = NULL;
    int rc;

    *out = NULL;
    if (!svc__can(sv, PERM_PROGRAM_READ, NULL))
        return forbidden_read(err);
    rc = store_program_get(sv->store, code, version, &row, err);
    if (rc == CF_ENOTFOUND) {
        rc = version > 0 ? cf_error_set(err, CF_ENOTFOUND, "version",
                                        "Program %s has no version %d.", code, version)
                         : cf_error_set(err, CF_ENOTFOUND, NULL, "There is no program %s.", code);
        goto out;
    }
    if (rc != CF_OK)
        goto out;
    rc = store_program_get(sv->store, code, 0, &cur, err);
    if (rc == CF_OK)
        rc = store_program_versions(sv->store, code, &versions, err);
    if (rc != CF_OK)
        goto out;

    /* A stored version passed the checks when it was saved; read it the same way again. */
    p = malloc(sizeof *p);
    if (p == NULL) {
        rc = cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
        goto out;
    }
    text = svc__str(row, "rules");
    if (program_parse(text, strlen(text), p, &doc, &problems) != 0) {
        rc = cf_error_set(err, CF_EIO, NULL,
                          "Version %lld of program %s cannot be read by this ctoframe.",
                          (long long)json_integer_value(json_object_get(row, "version")), code);
        goto out;
    }
    *out =
        json_pack("{s:{s:O, s:O}, s:O, s:O, s:b, s:O, s:O, s:O, s:O, s:O, s:O, s:o, s:O, "
                  "s:b}",
                  "program", "code", json_object_get(row, "code"), "name",
                  json_object_get(row, "name"), "version", json_object_get(row, "version"),
                  "current_version", json_object_get(cur, "version"), "is_current",
                  json_integer_value(json_object_get(row, "version")) ==
                      json_integer_value(json_object_get(cur, "version")),
                  "created_at", json_object_get(row, "created_at"), "created_by",
                  json_object_get(row, "created_by"), "created_by_name",
                  json_object_get(row, "created_by_name"), "note", json_object_get(row, "note"),
                  "rules", doc, "text", json_object_get(row, "rules"), "view", rules_view(p, doc),
                  "versions", versions, "can_write", svc__can(sv, PERM_PROGRAM_WRITE, NULL));
    if (*out == NULL)
        rc = cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");

out:
    free(p);
    json_decref(row);
    json_decref(cur);
    json_decref(versions);
    json_decref(doc);
    json_decref(problems);
    return rc;
}

/* Adds a problem {path, message} to problems. */
static void add_problem(json_t *problems, const char *path, const char *message)
{
    json_array_append_new(problems, json_pack("{s:s, s:s}", "path", path, "message", message));
}

/*
 * Looks the framework p names up in the store: its score categories must be
 * codes (humanCodingScheme) of its items, and some item must have the type
 * of a skill area. A framework that is not stored cannot be checked: a warning
 * says so and the rules are kept.
 */
static int check_framework(const struct svc *sv, const struct program *p, json_t *problems,
                           json_t *warnings, struct cf_error *err)
{
    json_t *pkg = NULL, *items, *it;
    size_t i;
    int rc = store_case_package_get(sv->store, p->framework_id, &pkg, err);

    if (rc == CF_ENOTFOUND) {
        char msg[PROGRAM_RULE_MAX];

        snprintf(msg, sizeof msg,
                 "The framework %s is not loaded, so its score categories and skill areas were "
                 "not checked; import it and save the rules again to check them.",
                 p->framework_id);
        add_problem(warnings, "$.framework.identifier", msg);
        return CF_OK;
    }
    if (rc != CF_OK)
        return rc;
    items = json_object_get(pkg, "CFItems");
    for (int k = 0; k < p->nscores; k++) {
        int found = 0;

        json_array_foreach(items, i, it)
        {
            const char *hcs = svc__str(it, "humanCodingScheme");

            if (hcs != NULL && strcmp(hcs, p->scores[k].code) == 0)
                found = 1;
        }
        if (!found) {
            char at[PROGRAM_PATH_MAX], msg[PROGRAM_RULE_MAX];

            snprintf(at, sizeof at, "$.exam.score_categories[%d].code", k);
            snprintf(msg, sizeof msg,
                     "\"%s\" is not the code of any item of the framework \"%s\"; use one of its "
                     "codes (\"I\", \"II\").",
                     p->scores[k].code, p->framework_title);
            add_problem(problems, at, msg);
        }
    }
    {
        int found = 0;

        json_array_foreach(items, i, it)
        {
            const char *type = svc__str(it, "CFItemType");

            if (type != NULL && strcmp(type, p->ce_skill_area_type) == 0)
                found = 1;
        }
        if (!found) {
            char msg[PROGRAM_RULE_MAX];

            snprintf(msg, sizeof msg,
                     "No item of the framework has the type \"%s\"; name the CFItemType of its "
                     "skill areas (\"Skill Area\").",
                     p->ce_skill_area_type);
            add_problem(problems, "$.ce.skill_area_type", msg);
        }
    }
    json_decref(pkg);
    return CF_OK;
}

/* The top-level keys whose values differ between a and b (either may be NULL), as an array. */
static json_t *changed_keys(const json_t *a, const json_t *b)
{
    json_t *out = json_array(), *v;
    const char *k;

    json_object_foreach((json_t *)b, k, v)
    {
        if (!json_equal(v, json_object_get(a, k)))
            json_array_append_new(out, json_string(k));
    }
    json_object_foreach((json_t *)a, k, v)
    {
        if (json_object_get(b, k) == NULL)
            json_array_append_new(out, json_string(k));
    }
    return out;
}

/* err set from the first of problems (CF_EINVAL), the others as further fields. */
static int refuse(json_t *problems, struct cf_error *err)
{
    json_t *first = json_array_get(problems, 0), *pb;
    size_t i;

    cf_error_set(err, CF_EINVAL, svc__str(first, "path"), "At %s: %s Correct it and try again.",
                 svc__str(first, "path"), svc__str(first, "message"));
    json_array_foreach(problems, i, pb)
    {
        if (i > 0)
            cf_error_also(err, svc__str(pb, "path"), "At %s: %s Correct it and try again.",
                          svc__str(pb, "path"), svc__str(pb, "message"));
    }
    return CF_EINVAL;
}

int svc_program_save(const struct svc *sv, const char *code, const char *text, size_t n,
                     const char *note, int base_version, json_t **out, json_t **problems,
                     struct cf_error *err)
{
    struct program *p = NULL;
    json_t *doc = NULL, *cur = NULL, *cur_doc = NULL, *warnings = json_array();
    json_t *before = NULL, *after = NULL;
    char *canon = NULL, now[32];
    int rc, version = 0, unchanged = 0;

    *out = NULL;
    *problems = NULL;
    if (!svc__can(sv, PERM_PROGRAM_WRITE, NULL)) {
        rc = cf_error_set(err, CF_EFORBIDDEN, NULL,
                          "Only program administrators change a program's rules.");
        goto done;
    }
    if (note != NULL && strlen(note) > PROGRAM_NOTE_MAX) {
        rc = cf_error_set(err, CF_EINVAL, "note", "Shorten the note to at most %d characters.",
                          PROGRAM_NOTE_MAX);
        goto done;
    }
    for (const unsigned char *c = (const unsigned char *)note; c != NULL && *c != '\0'; c++)
        if (*c < 0x20 && *c != '\n' && *c != '\r' && *c != '\t') {
            rc = cf_error_set(err, CF_EINVAL, "note",
                              "Remove the control characters from the note.");
            goto done;
        }
    /* The page of a program that is not there: 404 before reading what was sent (the rule
     * is checked again in the transaction). */
    if (code != NULL) {
        rc = store_program_get(sv->store, code, 0, &cur, err);
        if (rc == CF_ENOTFOUND)
            rc = cf_error_set(err, CF_ENOTFOUND, NULL, "There is no program %s.", code);
        if (rc != CF_OK)
            goto done;
        json_decref(cur);
        cur = NULL;
    }
    p = malloc(sizeof *p);
    if (p == NULL) {
        rc = cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
        goto done;
    }

    /* The document on its own, before anything is read from the store. */
    if (program_parse(text != NULL ? text : "", text != NULL ? n : 0, p, &doc, problems) > 0) {
        rc = refuse(*problems, err);
        goto done;
    }
    if (code != NULL && strcmp(code, p->code) != 0) {
        char msg[PROGRAM_RULE_MAX];

        snprintf(msg, sizeof msg,
                 "must be \"%s\": this page changes program %s (a new program is imported with "
                 "`ctoframe program import`).",
                 code, code);
        add_problem(*problems, "$.code", msg);
        rc = refuse(*problems, err);
        goto done;
    }
    canon = json_dumps(doc, JSON_SORT_KEYS | JSON_INDENT(2));
    if (canon == NULL) {
        rc = cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
        goto done;
    }
    clock_now_iso(now, sizeof now);

    rc = svc__begin(sv, err);
    if (rc != CF_OK)
        goto done;
    rc = check_framework(sv, p, *problems, warnings, err);
    if (rc != CF_OK)
        goto out;
    if (json_array_size(*problems) > 0) {
        rc = refuse(*problems, err);
        goto out;
    }
    rc = store_program_get(sv->store, p->code, 0, &cur, err);
    if (rc == CF_ENOTFOUND && code != NULL) {
        rc = cf_error_set(err, CF_ENOTFOUND, NULL, "There is no program %s.", code);
        goto out;
    }
    if (rc != CF_OK && rc != CF_ENOTFOUND)
        goto out;
    rc = CF_OK;
    if (cur != NULL && base_version > 0 &&
        json_integer_value(json_object_get(cur, "version")) != base_version) {
        rc = cf_error_set(err, CF_ECONFLICT, "base_version",
                          "Version %lld of program %s was saved after version %d you started "
                          "from; look at it and make your change again.",
                          (long long)json_integer_value(json_object_get(cur, "version")), p->code,
                          base_version);
        goto out;
    }
    if (cur != NULL && strcmp(svc__str(cur, "rules"), canon) == 0) {
        unchanged = 1;
        version = (int)json_integer_value(json_object_get(cur, "version"));
        goto out;
    }
    rc = store_program_save(sv->store, p->code, p->name, canon,
                            sv->actor != NULL ? sv->actor : "system", note, now, &version, err);
    if (rc == CF_ECONFLICT)
        rc = cf_error_set(err, CF_ECONFLICT, NULL,
                          "Someone saved program %s at the same moment; look at it and make your "
                          "change again.",
                          p->code);
    if (rc != CF_OK)
        goto out;
    if (cur != NULL) {
        cur_doc = json_loads(svc__str(cur, "rules"), 0, NULL);
        before = json_pack("{s:O}", "version", json_object_get(cur, "version"));
    }
    after =
        json_pack("{s:s, s:s, s:i, s:s, s:o}", "code", p->code, "name", p->name, "version", version,
                  "note", note != NULL ? note : "", "changed", changed_keys(cur_doc, doc));
    rc = svc__audit(sv, NULL, "program.save", "program", p->code, before, after, err);

out:
    if (rc == CF_OK)
        rc = store_commit(sv->store, err);
    else
        store_rollback(sv->store);
done:
    if (rc == CF_OK) {
        *out = json_pack("{s:s, s:s, s:i, s:b, s:O}", "code", p->code, "name", p->name, "version",
                         version, "unchanged", unchanged, "warnings", warnings);
        json_decref(*problems);
        *problems = NULL;
    } else if (*problems == NULL) {
        *problems = json_array();
    }
    free(p);
    free(canon);
    json_decref(doc);
    json_decref(cur);
    json_decref(cur_doc);
    json_decref(warnings);
    json_decref(before);
    json_decref(after);
    return rc;
}

/* Reads the file at path (at most PROGRAM_MAX_BYTES) into a new buffer. */
static int read_file(const char *path, char **data, size_t *n, struct cf_error *err)
{
    FILE *f = fopen(path, "rb");
    struct stat sb;
    int rc = CF_OK;

    *data = NULL;
    if (f == NULL)
        return cf_error_set(err, CF_EIO, "file",
                            "The file %s cannot be read (%s). Check the path and its permissions.",
                            path, strerror(errno));
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode) ||
        (unsigned long long)sb.st_size > PROGRAM_MAX_BYTES) {
        rc = cf_error_set(
            err, CF_EIO, "file",
            "The file %s is not a regular file of at most 256 KB. Choose a program rules file.",
            path);
        goto out;
    }
    *data = malloc((size_t)sb.st_size + 1);
    if (*data == NULL) {
        rc = cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
        goto out;
    }
    *n = fread(*data, 1, (size_t)sb.st_size, f);
    if (*n != (size_t)sb.st_size) {
        free(*data);
        *data = NULL;
        rc = cf_error_set(err, CF_EIO, "file",
                          "The file %s cannot be read. Check the path and its permissions.", path);
    }
out:
    fclose(f);
    return rc;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int svc_program_load_dir(const struct svc *sv, const char *dir, int *loaded, struct cf_error *err)
{
    DIR *d = opendir(dir);
    char *names[PROGRAM_FILES_MAX];
    int count = 0, rc = CF_OK;
    struct dirent *de;

    *loaded = 0;
    if (d == NULL)
        return cf_error_set(err, CF_EIO, "dir",
                            "The folder %s cannot be opened (%s). Check the path.", dir,
                            strerror(errno));
    while ((de = readdir(d)) != NULL && count < PROGRAM_FILES_MAX) {
        size_t len = strlen(de->d_name);

        if (len > 5 && strcmp(de->d_name + len - 5, ".json") == 0 && de->d_name[0] != '.')
            names[count++] = strdup(de->d_name);
    }
    closedir(d);
    for (int i = 0; i < count; i++)
        if (names[i] == NULL) {
            rc = cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
            goto out;
        }
    qsort(names, (size_t)count, sizeof names[0], cmp_names);
    for (int i = 0; i < count; i++) {
        char path[4096], note[PROGRAM_NOTE_MAX];
        char *data = NULL;
        size_t n = 0;
        json_t *res = NULL, *problems = NULL;
        int w = snprintf(path, sizeof path, "%s/%s", dir, names[i]);

        if (w < 0 || (size_t)w >= sizeof path) {
            rc = cf_error_set(err, CF_EIO, "dir",
                              "The path %s/%s is too long. Use a shorter folder name.", dir,
                              names[i]);
            goto out;
        }
        rc = read_file(path, &data, &n, err);
        if (rc != CF_OK)
            goto out;
        snprintf(note, sizeof note, "Shipped with ctoframe (data/programs/%s).", names[i]);
        rc = svc_program_save(sv, NULL, data, n, note, 0, &res, &problems, err);
        free(data);
        json_decref(res);
        json_decref(problems);
        if (rc != CF_OK) {
            char why[sizeof err->message];

            snprintf(why, sizeof why, "%s", err != NULL ? err->message : "");
            cf_error_set(err, rc, "file", "In %s: %s Correct the file and try again.", path, why);
            goto out;
        }
        (*loaded)++;
    }
out:
    for (int i = 0; i < count; i++)
        free(names[i]);
    return rc;
}
