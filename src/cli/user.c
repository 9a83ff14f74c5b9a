/*
 * user.c — `ctoframe user …` and `ctoframe org …`.
 *
 * The command line acts with every right (whoever runs it can read the
 * database anyway) and every change is on the audit trail as actor "cli".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "svc/svc.h"

static const char USAGE_USER[] =
    "usage: ctoframe user add EMAIL --name NAME --role ROLE --org ORG [--title TITLE]\n"
    "                         [--password-stdin]\n"
    "       ctoframe user list [--json]\n"
    "       ctoframe user show EMAIL [--json]\n"
    "       ctoframe user grant EMAIL --role ROLE --org ORG\n"
    "       ctoframe user revoke EMAIL --role ROLE --org ORG\n"
    "       ctoframe user disable EMAIL | enable EMAIL | invite EMAIL | erase EMAIL\n\n"
    "add      creates an account holding ROLE in organization ORG (its name, id or NCES\n"
    "         id). With --password-stdin the password is read from standard input and\n"
    "         the account is active; otherwise an invitation link is queued in the\n"
    "         outbox (`ctoframe outbox`).\n"
    "grant    gives another role; revoke takes one away.\n"
    "disable  stops an account from signing in and ends its sessions; enable undoes it.\n"
    "invite   sends a new invitation to someone who has not accepted yet.\n"
    "erase    removes a person's personal data (audit entries keep a pseudonym).\n\n"
    "Roles: leader, evaluator, district_admin, reviewer, examiner, program_admin.\n"
    "Every command takes --db PATH|URL. Links in messages start with --public-url URL,\n"
    "else $CTOFRAME_PUBLIC_URL, else the address the server (`ctoframe serve`) last\n"
    "started with on this database.\n";

static const char USAGE_ORG[] =
    "usage: ctoframe org add NAME --kind KIND [--parent ORG] [--nces ID] [--enrollment N]\n"
    "       ctoframe org list [--json]\n"
    "       ctoframe org rename ORG NEW-NAME\n"
    "       ctoframe org move ORG --parent ORG\n"
    "       ctoframe org delete ORG\n\n"
    "Kinds: body (the certification body), state, district (in a state), school (in a\n"
    "district). ORG is a name, id or NCES id. --nces is the 7-digit district or 12-digit\n"
    "school NCES id; --enrollment the number of students.\n"
    "rename and move keep everything else; move puts a district in another state or a\n"
    "school in another district. delete removes an organization that holds nothing: no\n"
    "people, roles or organizations inside it.\n";

static void print_json(const json_t *v)
{
    char *t = json_dumps(v, JSON_INDENT(2) | JSON_ENCODE_ANY);

    if (t != NULL)
        puts(t);
    free(t);
}

/* Reads the password from standard input: the first line, without its newline. */
static int read_password(char *pw, size_t n)
{
    size_t len;

    if (fgets(pw, (int)n, stdin) == NULL) {
        fprintf(stderr, "ctoframe: --password-stdin: nothing on standard input\n");
        return CLI_FAIL;
    }
    len = strlen(pw);
    if (len == n - 1 && pw[len - 1] != '\n') {
        fprintf(stderr, "ctoframe: --password-stdin: the password is too long\n");
        return CLI_FAIL;
    }
    while (len > 0 && (pw[len - 1] == '\n' || pw[len - 1] == '\r'))
        pw[--len] = '\0';
    return CLI_OK;
}

static int fail_field(const struct cf_error *err)
{
    static const struct {
        const char *field, *opt;
    } opts[] = {{"name", "--name"},     {"role", "--role"},       {"org", "--org"},
                {"title", "--title"},   {"password", "password"}, {"kind", "--kind"},
                {"parent", "--parent"}, {"nces_id", "--nces"},    {"enrollment", "--enrollment"},
                {"email", "EMAIL"}};

    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
        if (strcmp(err->field, opts[i].field) == 0) {
            fprintf(stderr, "ctoframe: %s: %s\n", opts[i].opt, err->message);
            return CLI_FAIL;
        }
    return cli_fail(err);
}

static void print_roles(const json_t *roles)
{
    size_t i;
    json_t *g;

    json_array_foreach(roles, i, g)
        printf("%s%s in %s", i > 0 ? ", " : "", json_string_value(json_object_get(g, "role")),
               json_string_value(json_object_get(g, "org_name")));
}

static int user_list(struct svc *sv, int json)
{
    struct cf_error err;
    json_t *out;
    size_t i;
    json_t *p;

    cf_error_clear(&err);
    if (svc_person_list(sv, &out, &err) != CF_OK)
        return cli_fail(&err);
    if (json) {
        print_json(json_object_get(out, "people"));
    } else if (json_array_size(json_object_get(out, "people")) == 0) {
        fprintf(stderr, "ctoframe: no people yet (`ctoframe user add`)\n");
    } else {
        json_array_foreach(json_object_get(out, "people"), i, p)
        {
            printf("%-32s %-28s %-9s ", json_string_value(json_object_get(p, "email")),
                   json_string_value(json_object_get(p, "name")),
                   json_string_value(json_object_get(p, "status")));
            print_roles(json_object_get(p, "roles"));
            putchar('\n');
        }
    }
    json_decref(out);
    return CLI_OK;
}

int cli_user(int argc, char **argv)
{
    struct cli_opts o;
    struct store *s = NULL;
    struct cf_error err;
    json_t *out = NULL;
    const char *verb;
    char id[37];
    int rc = cli_parse(argc, argv, 2, "db name role org title password-stdin json public-url", &o,
                       USAGE_USER);

    if (rc != CLI_OK || o.help)
        return rc;
    if (o.npos < 1) {
        fprintf(stderr, "ctoframe: user needs a subcommand\n%s", USAGE_USER);
        return CLI_USAGE;
    }
    verb = o.pos[0];
    if (strcmp(verb, "list") == 0 ? o.npos != 1
        : (strcmp(verb, "add") == 0 || strcmp(verb, "show") == 0 || strcmp(verb, "grant") == 0 ||
           strcmp(verb, "revoke") == 0 || strcmp(verb, "disable") == 0 ||
           strcmp(verb, "enable") == 0 || strcmp(verb, "invite") == 0 || strcmp(verb, "erase") == 0)
            ? o.npos != 2
            : 1) {
        fprintf(stderr, "ctoframe: user %s: wrong arguments\n%s", verb, USAGE_USER);
        return CLI_USAGE;
    }
    if (strcmp(verb, "add") == 0 && (o.name == NULL || o.role == NULL || o.org == NULL)) {
        fprintf(stderr, "ctoframe: user add needs --name, --role and --org\n%s", USAGE_USER);
        return CLI_USAGE;
    }
    if ((strcmp(verb, "grant") == 0 || strcmp(verb, "revoke") == 0) &&
        (o.role == NULL || o.org == NULL)) {
        fprintf(stderr, "ctoframe: user %s needs --role and --org\n%s", verb, USAGE_USER);
        return CLI_USAGE;
    }
    rc = cli_open_store(&o, &s);
    if (rc != CLI_OK)
        return rc;
    /* Only what sends an invitation needs the server's address. */
    char base[SVC_URL_MAX] = "";
    int links = strcmp(verb, "invite") == 0 || (strcmp(verb, "add") == 0 && !o.password_stdin);

    if (links && (rc = cli_public_url(&o, s, base, sizeof base)) != CLI_OK) {
        store_close(s);
        return rc;
    }
    struct svc sv = {s, "cli", NULL, links ? base : NULL, NULL, NULL};

    cf_error_clear(&err);
    if (strcmp(verb, "list") == 0) {
        rc = user_list(&sv, o.json);
        goto out;
    }
    if (strcmp(verb, "add") == 0) {
        char pw[1100] = "";
        json_t *in;

        if (o.password_stdin && (rc = read_password(pw, sizeof pw)) != CLI_OK)
            goto out;
        in = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s}", "email", o.pos[1], "name", o.name, "role",
                       o.role, "org", o.org, "title", o.title, "password", pw);
        rc = svc_person_add(&sv, in, &out, &err);
        json_decref(in);
        if (rc != CF_OK) {
            rc = fail_field(&err);
            goto out;
        }
        printf("%s\n", json_string_value(json_object_get(json_object_get(out, "person"), "id")));
        if (json_is_true(json_object_get(out, "invitation_sent")))
            fprintf(stderr,
                    "ctoframe: added %s as %s in %s; the invitation, with a link to %s, is in "
                    "the outbox (`ctoframe outbox`)\n",
                    o.pos[1], o.role, o.org, base);
        else
            fprintf(stderr, "ctoframe: added %s as %s in %s\n", o.pos[1], o.role, o.org);
        rc = CLI_OK;
        goto out;
    }
    if (svc_person_resolve(&sv, o.pos[1], id, &err) != CF_OK) {
        rc = cli_fail(&err);
        goto out;
    }
    if (strcmp(verb, "show") == 0)
        rc = svc_person_show(&sv, id, &out, &err);
    else if (strcmp(verb, "grant") == 0)
        rc = svc_person_grant(&sv, id, o.role, o.org, &out, &err);
    else if (strcmp(verb, "revoke") == 0)
        rc = svc_person_revoke(&sv, id, o.role, o.org, &out, &err);
    else if (strcmp(verb, "disable") == 0 || strcmp(verb, "enable") == 0)
        rc = svc_person_set_status(&sv, id, verb[0] == 'd' ? "disabled" : "active", &out, &err);
    else if (strcmp(verb, "invite") == 0)
        rc = svc_person_reinvite(&sv, id, &out, &err);
    else
        rc = svc_person_erase(&sv, id, NULL, &out, &err);
    if (rc != CF_OK) {
        rc = fail_field(&err);
        goto out;
    }
    if (strcmp(verb, "show") == 0 || o.json) {
        print_json(out);
    } else {
        fprintf(stderr, "ctoframe: %s: done (%s)\n", verb, o.pos[1]);
    }
    rc = CLI_OK;
out:
    json_decref(out);
    store_close(s);
    return rc;
}

/*
 * `org rename ORG NAME`, `org move ORG --parent ORG`, `org delete ORG` through the
 * same svc functions as the organization page. Returns a CLI_ exit code.
 */
static int org_change(const struct svc *sv, const struct cli_opts *o)
{
    struct cf_error err;
    char id[37];
    json_t *org = NULL, *in = NULL, *out = NULL;
    int rc;

    cf_error_clear(&err);
    if (svc_org_resolve(sv, o->pos[1], id, &err) != CF_OK)
        return cli_fail(&err);
    if (strcmp(o->pos[0], "delete") == 0) {
        rc = svc_org_delete(sv, id, &out, &err);
        if (rc == CF_OK)
            fprintf(stderr, "ctoframe: deleted \"%s\"\n", o->pos[1]);
        goto out;
    }
    /* The form's other fields as they are: only the name or the place changes. */
    if ((rc = svc_org_show(sv, id, &org, &err)) != CF_OK)
        goto out;
    {
        const json_t *row = json_object_get(org, "org");

        in = json_pack("{s:O?, s:O?, s:O?}", "name", json_object_get(row, "name"), "nces_id",
                       json_object_get(row, "nces_id"), "enrollment",
                       json_object_get(row, "enrollment"));
    }
    if (strcmp(o->pos[0], "rename") == 0)
        json_object_set_new(in, "name", json_string(o->pos[2]));
    else
        json_object_set_new(in, "parent", json_string(o->parent));
    rc = svc_org_update(sv, id, in, &out, &err);
    if (rc == CF_OK)
        fprintf(stderr, "ctoframe: %s \"%s\"\n",
                strcmp(o->pos[0], "rename") == 0 ? "renamed" : "moved", o->pos[1]);
out:
    json_decref(org);
    json_decref(in);
    json_decref(out);
    if (rc != CF_OK)
        return fail_field(&err);
    printf("%s\n", id);
    return CLI_OK;
}

int cli_org(int argc, char **argv)
{
    struct cli_opts o;
    struct store *s = NULL;
    struct cf_error err;
    json_t *out = NULL;
    int rc = cli_parse(argc, argv, 2, "db kind parent nces enrollment json", &o, USAGE_ORG);

    if (rc != CLI_OK || o.help)
        return rc;
    if (o.npos < 1 ||
        (strcmp(o.pos[0], "add") == 0                                       ? o.npos != 2
         : strcmp(o.pos[0], "list") == 0                                    ? o.npos != 1
         : strcmp(o.pos[0], "rename") == 0                                  ? o.npos != 3
         : strcmp(o.pos[0], "move") == 0 || strcmp(o.pos[0], "delete") == 0 ? o.npos != 2
                                                                            : 1)) {
        fprintf(stderr, "ctoframe: org: wrong arguments\n%s", USAGE_ORG);
        return CLI_USAGE;
    }
    if (strcmp(o.pos[0], "move") == 0 && o.parent == NULL) {
        fprintf(stderr, "ctoframe: org move needs --parent (where it goes)\n%s", USAGE_ORG);
        return CLI_USAGE;
    }
    if (strcmp(o.pos[0], "add") == 0 && o.kind == NULL) {
        fprintf(stderr, "ctoframe: org add needs --kind (body, state, district or school)\n%s",
                USAGE_ORG);
        return CLI_USAGE;
    }
    rc = cli_open_store(&o, &s);
    if (rc != CLI_OK)
        return rc;
    struct svc sv = {s, "cli", NULL, NULL, NULL, NULL};

    cf_error_clear(&err);
    if (strcmp(o.pos[0], "add") == 0) {
        json_t *in = json_pack("{s:s, s:s, s:s?, s:s?, s:s?}", "name", o.pos[1], "kind", o.kind,
                               "parent", o.parent, "nces_id", o.nces, "enrollment", o.enrollment);

        rc = svc_org_add(&sv, in, &out, &err);
        json_decref(in);
        if (rc != CF_OK) {
            rc = fail_field(&err);
            goto out;
        }
        printf("%s\n", json_string_value(json_object_get(out, "id")));
        fprintf(stderr, "ctoframe: added %s \"%s\"\n", o.kind, o.pos[1]);
        rc = CLI_OK;
        goto out;
    }
    if (strcmp(o.pos[0], "list") != 0) {
        rc = org_change(&sv, &o);
        goto out;
    }
    if (svc_org_list(&sv, &out, &err) != CF_OK) {
        rc = cli_fail(&err);
        goto out;
    }
    if (o.json) {
        print_json(json_object_get(out, "orgs"));
    } else {
        size_t i;
        json_t *g;

        if (json_array_size(json_object_get(out, "orgs")) == 0)
            fprintf(stderr, "ctoframe: no organizations yet (`ctoframe org add`)\n");
        json_array_foreach(json_object_get(out, "orgs"), i, g)
        {
            int depth = (int)json_integer_value(json_object_get(g, "depth"));
            const char *nces = json_string_value(json_object_get(g, "nces_id"));

            printf("%*s%-8s %s%s%s%s%s  %s\n", depth * 2, "",
                   json_string_value(json_object_get(g, "kind")),
                   json_string_value(json_object_get(g, "name")), nces != NULL ? " (NCES " : "",
                   nces != NULL ? nces : "", nces != NULL ? ")" : "",
                   json_is_true(json_object_get(g, "no_state"))
                       ? " [no state: `ctoframe org move` it into one]"
                       : "",
                   json_string_value(json_object_get(g, "id")));
        }
    }
    rc = CLI_OK;
out:
    json_decref(out);
    store_close(s);
    return rc;
}
