/*
 * router.c — the one route table and its matcher.
 *
 * Each entry names the method, the path pattern ({} matches one segment),
 * the handler, the page template (NULL: JSON only), the permission it needs,
 * what that permission is checked against, and its flags. A route missing
 * here does not exist, and a route whose permission is PERM_UNSET is refused:
 * default deny. tests/unit/test_web.c fails when an entry has no permission,
 * and the HTTP matrix test fails when a route is missing from its table.
 */
#include <string.h>

#include "web/web.h"

#define PUB PERM_PUBLIC, SCOPE_NONE
#define CHG ROUTE_CHANGES

const struct route routes[] = {
    /* the framework, public */
    {"GET", "/", h_home, "home", PUB, ROUTE_CACHE},
    {"GET", "/healthz", h_health, NULL, PUB, ROUTE_JSON},
    {"GET", "/frameworks", h_frameworks, "frameworks", PUB, ROUTE_CACHE},
    {"GET", "/frameworks/{}", h_framework, "framework", PUB, ROUTE_CACHE},
    {"GET", "/frameworks/{}/items/{}", h_framework_item, "item", PUB, ROUTE_CACHE},
    {"GET", "/frameworks/{}/crosswalk/{}", h_crosswalk, "crosswalk", PUB, ROUTE_CACHE},
    {"GET", "/case-api", h_case_api, "case_api", PUB, ROUTE_CACHE},
    {"GET", "/ims/case/v1p0/CFDocuments", h_case_documents, NULL, PUB, ROUTE_CASE | ROUTE_CACHE},
    {"GET", "/ims/case/v1p0/CFDocuments/{}", h_case_document, NULL, PUB, ROUTE_CASE | ROUTE_CACHE},
    {"GET", "/ims/case/v1p0/CFPackages/{}", h_case_package, NULL, PUB, ROUTE_CASE | ROUTE_CACHE},
    {"GET", "/ims/case/v1p0/CFItems/{}", h_case_item, NULL, PUB, ROUTE_CASE | ROUTE_CACHE},
    {"GET", "/ims/case/v1p0/CFItemAssociations/{}", h_case_item_associations, NULL, PUB,
     ROUTE_CASE | ROUTE_CACHE},
    {"GET", "/ims/case/v1p0/CFAssociations/{}", h_case_association, NULL, PUB,
     ROUTE_CASE | ROUTE_CACHE},
    {"GET", "/ims/case/v1p0/CFRubrics/{}", h_case_rubric, NULL, PUB, ROUTE_CASE | ROUTE_CACHE},

    /* signing in and out, links */
    {"GET", "/login", h_login_form, "login", PUB, 0},
    {"POST", "/login", h_login, "login", PUB, CHG},
    {"POST", "/logout", h_logout, NULL, PUB, CHG},
    {"GET", "/setup/{}", h_setup_form, "setup", PUB, 0},
    {"POST", "/setup/{}", h_setup, "setup", PUB, CHG},
    {"GET", "/invite/{}", h_invite_form, "invite", PUB, 0},
    {"POST", "/invite/{}", h_invite, "invite", PUB, CHG},
    {"GET", "/reset", h_reset_request_form, "reset_request", PUB, 0},
    {"POST", "/reset", h_reset_request, "reset_request", PUB, CHG},
    {"GET", "/reset/{}", h_reset_form, "reset", PUB, 0},
    {"POST", "/reset/{}", h_reset, "reset", PUB, CHG},

    /* my account */
    {"GET", "/me", h_me, "me", PERM_SIGNED_IN, SCOPE_NONE, 0},
    {"GET", "/dashboard", h_dashboard, "dashboard", PERM_SIGNED_IN, SCOPE_NONE, 0},
    {"GET", "/account", h_account, "account", PERM_SIGNED_IN, SCOPE_NONE, 0},
    /* The same page: where a browser lands when it goes back to the token form's address. */
    {"GET", "/account/tokens", h_account, "account", PERM_SIGNED_IN, SCOPE_NONE, 0},
    {"POST", "/account/logout-everywhere", h_logout_everywhere, "account", PERM_SIGNED_IN,
     SCOPE_NONE, CHG},
    {"POST", "/account/sessions/{}/end", h_session_end, "account", PERM_SIGNED_IN, SCOPE_NONE, CHG},
    {"POST", "/account/password", h_password_change, "account", PERM_SIGNED_IN, SCOPE_NONE, CHG},
    {"POST", "/account/tokens", h_token_create, "token_created", PERM_SIGNED_IN, SCOPE_NONE, CHG},
    {"POST", "/account/tokens/{}/revoke", h_token_revoke, "account", PERM_SIGNED_IN, SCOPE_NONE,
     CHG},
    {"GET", "/account/export", h_account_export, NULL, PERM_SIGNED_IN, SCOPE_NONE, ROUTE_JSON},

    /* people and organizations */
    {"GET", "/admin/people", h_people, "people", PERM_PEOPLE_READ, SCOPE_NONE, 0},
    {"POST", "/admin/people", h_people_add, "people", PERM_PEOPLE_WRITE, SCOPE_NONE, CHG},
    {"GET", "/admin/people/{}", h_person, "person", PERM_PEOPLE_READ, SCOPE_PERSON, 0},
    {"POST", "/admin/people/{}", h_person_update, "person", PERM_PEOPLE_WRITE, SCOPE_PERSON, CHG},
    {"POST", "/admin/people/{}/grant", h_person_grant, "person", PERM_PEOPLE_WRITE, SCOPE_PERSON,
     CHG},
    {"POST", "/admin/people/{}/revoke", h_person_revoke, "person", PERM_PEOPLE_WRITE, SCOPE_PERSON,
     CHG},
    {"POST", "/admin/people/{}/disable", h_person_disable, "person", PERM_PEOPLE_WRITE,
     SCOPE_PERSON, CHG},
    {"POST", "/admin/people/{}/enable", h_person_enable, "person", PERM_PEOPLE_WRITE, SCOPE_PERSON,
     CHG},
    {"POST", "/admin/people/{}/invite", h_person_reinvite, "person", PERM_PEOPLE_WRITE,
     SCOPE_PERSON, CHG},
    {"GET", "/admin/people/{}/erase", h_person_erase_confirm, "person_erase", PERM_PEOPLE_ERASE,
     SCOPE_PERSON, 0},
    {"POST", "/admin/people/{}/erase", h_person_erase, "person_erase", PERM_PEOPLE_ERASE,
     SCOPE_PERSON, CHG},
    {"GET", "/admin/people/{}/export", h_person_export, NULL, PERM_PEOPLE_ERASE, SCOPE_PERSON,
     ROUTE_JSON},
    {"GET", "/admin/orgs", h_orgs, "orgs", PERM_ORGS_READ, SCOPE_NONE, 0},
    {"POST", "/admin/orgs", h_orgs_add, "orgs", PERM_ORGS_WRITE, SCOPE_NONE, CHG},
    {"GET", "/admin/orgs/{}", h_org, "org", PERM_ORGS_READ, SCOPE_ORG, 0},
    {"POST", "/admin/orgs/{}", h_org_update, "org", PERM_ORGS_WRITE, SCOPE_ORG, CHG},
    {"GET", "/admin/orgs/{}/delete", h_org_delete_confirm, "org_delete", PERM_ORGS_WRITE, SCOPE_ORG,
     0},
    {"POST", "/admin/orgs/{}/delete", h_org_delete, "org_delete", PERM_ORGS_WRITE, SCOPE_ORG, CHG},

    /* the audit trail and the outbox */
    {"GET", "/admin/audit", h_audit, "audit", PERM_AUDIT_READ, SCOPE_NONE, 0},
    {"GET", "/admin/audit.csv", h_audit_csv, NULL, PERM_AUDIT_READ, SCOPE_NONE, 0},
    {"GET", "/admin/outbox", h_outbox, "outbox", PERM_OUTBOX_READ, SCOPE_NONE, 0},
    {"POST", "/admin/outbox/{}/retry", h_outbox_retry, "outbox", PERM_OUTBOX_WRITE, SCOPE_NONE,
     CHG},

    /* certification programs: their rules, as versions */
    {"GET", "/admin/programs", h_programs, "programs", PERM_PROGRAM_READ, SCOPE_NONE, 0},
    {"GET", "/admin/programs/{}", h_program, "program", PERM_PROGRAM_READ, SCOPE_NONE, 0},
    {"POST", "/admin/programs/{}", h_program_save, "program", PERM_PROGRAM_WRITE, SCOPE_NONE, CHG},

    /* applying for a credential and reviewing applications (issue 8 point 2) */
    {"GET", "/apply", h_apply, "apply", PERM_SIGNED_IN, SCOPE_NONE, 0},
    {"POST", "/apply", h_apply_save, "apply", PERM_SIGNED_IN, SCOPE_NONE, CHG},
    {"GET", "/applications/{}", h_application, "application", PERM_SIGNED_IN, SCOPE_NONE, 0},
    {"POST", "/applications/{}/withdraw", h_application_withdraw, "application", PERM_SIGNED_IN,
     SCOPE_NONE, CHG},
    {"POST", "/applications/{}/answer", h_application_answer, "application", PERM_SIGNED_IN,
     SCOPE_NONE, CHG},
    {"POST", "/applications/{}/appeal", h_application_appeal, "application", PERM_SIGNED_IN,
     SCOPE_NONE, CHG},
    {"GET", "/review", h_review_queue, "review_queue", PERM_APPLICATIONS_REVIEW, SCOPE_NONE, 0},
    {"POST", "/review/conflicts", h_review_conflict, "review_queue", PERM_APPLICATIONS_REVIEW,
     SCOPE_NONE, CHG},
    {"GET", "/review/{}", h_review, "review", PERM_SIGNED_IN, SCOPE_NONE, 0},
    {"POST", "/review/{}", h_review_decide, "review", PERM_SIGNED_IN, SCOPE_NONE, CHG},
    {"GET", "/supervisor/{}", h_supervisor, "supervisor", PUB, 0},
    {"POST", "/supervisor/{}", h_supervisor_sign, "supervisor", PUB, CHG},
    /* issue 9: evaluations against the framework's rubric (h_evaluation.c); the svc
     * checks each evaluation's organization (404 outside it) and who rates it */
    {"GET", "/evaluations", h_evals, "evaluations", PERM_SIGNED_IN, SCOPE_NONE, 0},
    {"GET", "/evaluations/new", h_eval_new, "evaluation_new", PERM_EVALUATIONS_MANAGE, SCOPE_NONE,
     0},
    /* issue 9 point 6: the team heatmap and the aggregates (h_eval_views.c); before
     * /evaluations/{} so that it does not take them. svc checks the district (404 outside
     * it) and that aggregates are program-wide (403) */
    {"GET", "/evaluations/team", h_eval_team, "eval_team", PERM_EVALUATIONS_MANAGE, SCOPE_NONE, 0},
    {"GET", "/evaluations/aggregate", h_eval_aggregate, "eval_aggregate", PERM_EVALUATIONS_MANAGE,
     SCOPE_NONE, 0},
    {"POST", "/evaluations", h_eval_create, "evaluation_new", PERM_EVALUATIONS_MANAGE, SCOPE_NONE,
     CHG},
    {"GET", "/evaluations/{}", h_eval, "evaluation", PERM_SIGNED_IN, SCOPE_NONE, 0},
    {"POST", "/evaluations/{}/raters", h_eval_rater_add, "evaluation", PERM_EVALUATIONS_MANAGE,
     SCOPE_NONE, CHG},
    {"POST", "/evaluations/{}/raters/{}/remove", h_eval_rater_remove, "evaluation",
     PERM_EVALUATIONS_MANAGE, SCOPE_NONE, CHG},
    {"POST", "/evaluations/{}/raters/{}/reopen", h_eval_rater_reopen, "evaluation",
     PERM_EVALUATIONS_MANAGE, SCOPE_NONE, CHG},
    {"POST", "/evaluations/{}/act", h_eval_act, "evaluation", PERM_EVALUATIONS_MANAGE, SCOPE_NONE,
     CHG},
    {"GET", "/evaluations/{}/export", h_eval_export, NULL, PERM_SIGNED_IN, SCOPE_NONE, 0},
    {"GET", "/evaluations/{}/rate", h_eval_rate, "rate", PERM_SIGNED_IN, SCOPE_NONE, 0},
    {"POST", "/evaluations/{}/rate", h_eval_rate_save, "rate", PERM_SIGNED_IN, SCOPE_NONE, CHG},
    {"POST", "/evaluations/{}/answer", h_eval_answer, "rate", PERM_SIGNED_IN, SCOPE_NONE, CHG},
    {"GET", "/me/readiness", h_readiness, "readiness", PERM_SIGNED_IN, SCOPE_NONE, 0},
    {"GET", "/rate/{}", h_link_rate, "rate", PUB, 0},
    {"POST", "/rate/{}", h_link_rate_save, "rate", PUB, CHG},
    {"POST", "/rate/{}/answer", h_link_answer, "rate", PUB, CHG},
    /* issue 9 point 5: growth plans (h_growth.c); the svc shows a plan to its leader, the
     * evaluation's supervisor raters and its organization's administrators (404 to others) */
    {"POST", "/evaluations/{}/plan", h_plan_create, "evaluation", PERM_SIGNED_IN, SCOPE_NONE, CHG},
    {"GET", "/plans", h_plans, "plans", PERM_SIGNED_IN, SCOPE_NONE, 0},
    {"GET", "/plans/{}", h_plan, "growth_plan", PERM_SIGNED_IN, SCOPE_NONE, 0},
    {"POST", "/plans/{}/act", h_plan_act, "growth_plan", PERM_SIGNED_IN, SCOPE_NONE, CHG},
    {"GET", "/plans/{}/export", h_plan_export, NULL, PERM_SIGNED_IN, SCOPE_NONE, 0},
    /* issue 10 point 3: exam forms (h_forms.c); examiners only, the svc answers 404 to others */
    {"GET", "/exam/forms", h_forms, "exam_forms", PERM_SIGNED_IN, SCOPE_NONE, 0},
    {"POST", "/exam/forms", h_form_create, "exam_forms", PERM_SIGNED_IN, SCOPE_NONE, CHG},
    {"GET", "/exam/forms/{}", h_form, "exam_form", PERM_SIGNED_IN, SCOPE_NONE, 0},
    {"POST", "/exam/forms/{}/act", h_form_act, "exam_form", PERM_SIGNED_IN, SCOPE_NONE, CHG},
    /* issue 10 points 4-5: a form's responses and item analysis (h_responses.c), examiners */
    {"POST", "/exam/forms/{}/responses", h_form_responses, "exam_form", PERM_SIGNED_IN, SCOPE_NONE,
     CHG | ROUTE_UPLOAD},
    {"GET", "/exam/forms/{}/analysis", h_form_analysis, "exam_analysis", PERM_SIGNED_IN, SCOPE_NONE,
     0},
    {"POST", "/exam/forms/{}/send-back", h_form_send_back, "exam_analysis", PERM_SIGNED_IN,
     SCOPE_NONE, CHG},
    /* issue 10 point 7: a form's Angoff study (h_study.c), examiners */
    {"GET", "/exam/forms/{}/study", h_study, "exam_study", PERM_SIGNED_IN, SCOPE_NONE, 0},
    {"POST", "/exam/forms/{}/study", h_study_act, "exam_study", PERM_SIGNED_IN, SCOPE_NONE, CHG},
    {"POST", "/exam/forms/{}/study/round", h_study_round, "exam_study", PERM_SIGNED_IN, SCOPE_NONE,
     CHG},
    /* issue 10 point 6: a form's Rasch calibration as a job (h_calibration.c), examiners */
    {"POST", "/exam/forms/{}/calibrate", h_form_calibrate, "exam_form", PERM_SIGNED_IN, SCOPE_NONE,
     CHG},
    {"GET", "/exam/forms/{}/calibration", h_form_calibration, "exam_calibration", PERM_SIGNED_IN,
     SCOPE_NONE, 0},
    /* issue 9 point 4: the printable report as a PDF (h_eval_report.c); the svc checks the
     * evaluation's organization (404 outside it), 409 while it holds no results */
    {"GET", "/evaluations/{}/report.pdf", h_eval_report, NULL, PERM_SIGNED_IN, SCOPE_NONE, 0},
    /* issue 10 point 1: the item bank's pages (h_bank.c); examiners only, the svc answers 404
     * to others. /exam/bank/sets before /exam/bank/{}: the first match wins. */
    {"GET", "/exam/bank", h_bank, "exam_bank", PERM_SIGNED_IN, SCOPE_NONE, 0},
    {"GET", "/exam/bank/sets", h_bank_sets, "exam_bank_sets", PERM_SIGNED_IN, SCOPE_NONE, 0},
    {"GET", "/exam/bank/{}", h_bank_item, "exam_bank_item", PERM_SIGNED_IN, SCOPE_NONE, 0},
    {"POST", "/exam/bank/{}/move", h_bank_move, "exam_bank_item", PERM_SIGNED_IN, SCOPE_NONE, CHG},
    {"POST", "/exam/bank/{}/comment", h_bank_comment, "exam_bank_item", PERM_SIGNED_IN, SCOPE_NONE,
     CHG},
    /* issue 8: exam results and credentials (h_credential.c) */
    {"GET", "/admin/results", h_results_form, "results", PERM_RESULTS_IMPORT, SCOPE_NONE, 0},
    {"POST", "/admin/results", h_results_import, "results", PERM_RESULTS_IMPORT, SCOPE_NONE, CHG},
    {"GET", "/admin/credentials", h_credentials, "credentials", PERM_CREDENTIALS_READ, SCOPE_NONE,
     0},
    {"GET", "/admin/credentials/{}", h_credential, "credential", PERM_CREDENTIALS_READ, SCOPE_NONE,
     0},
    {"GET", "/admin/credentials/{}/certificate", h_credential_certificate, NULL,
     PERM_CREDENTIALS_READ, SCOPE_NONE, 0},
    {"POST", "/admin/credentials/{}/{}", h_credential_act, "credential", PERM_CREDENTIALS_WRITE,
     SCOPE_NONE, CHG},
    {"GET", "/me/credentials", h_my_credentials, "my_credentials", PERM_SIGNED_IN, SCOPE_NONE, 0},
    {"GET", "/me/credentials/{}/certificate", h_credential_certificate, NULL, PERM_SIGNED_IN,
     SCOPE_NONE, 0},
    /* issue 8 points 5-6: continuing education, renewal (the holder's own credential:
     * signed in, and svc checks it is theirs) */
    {"GET", "/me/ce", h_ce_mine, "ce_mine", PERM_SIGNED_IN, SCOPE_NONE, 0},
    {"GET", "/credentials/{}/ce", h_ce_page, "ce", PERM_SIGNED_IN, SCOPE_NONE, 0},
    {"POST", "/credentials/{}/ce", h_ce_log, "ce", PERM_SIGNED_IN, SCOPE_NONE, CHG},
    {"GET", "/credentials/{}/ce/evidence/{}", h_ce_evidence, NULL, PERM_SIGNED_IN, SCOPE_NONE, 0},
    {"POST", "/credentials/{}/renew", h_ce_renew, "ce", PERM_SIGNED_IN, SCOPE_NONE, CHG},
    {"GET", "/ce/review", h_ce_queue, "ce_review", PERM_CE_REVIEW, SCOPE_NONE, 0},
    {"POST", "/ce/review/{}", h_ce_decide, "ce_review", PERM_CE_REVIEW, SCOPE_NONE, CHG},
    {"POST", "/ce/audits/{}", h_ce_audit, "ce_review", PERM_CE_REVIEW, SCOPE_NONE, CHG},
    {"GET", "/ce/import", h_ce_import_form, "ce_import", PERM_CE_IMPORT, SCOPE_NONE, 0},
    {"POST", "/ce/import", h_ce_import, "ce_import", PERM_CE_IMPORT, SCOPE_NONE, CHG},
    /* the public registry and verification; a holder's place in it (issue 8 point 7) */
    {"GET", "/registry", h_registry, "registry", PUB, ROUTE_CACHE | ROUTE_REGISTRY},
    {"GET", "/verify/{}", h_verify, "verify", PUB, ROUTE_CACHE | ROUTE_REGISTRY},
    {"GET", "/me/registry", h_my_registry, "my_registry", PERM_SIGNED_IN, SCOPE_NONE, 0},
    {"POST", "/me/registry/{}", h_my_registry_set, "my_registry", PERM_SIGNED_IN, SCOPE_NONE, CHG},
    /* the program's reports: page, JSON, ?format=csv|xlsx (issue 8 point 8) */
    {"GET", "/reports", h_reports, "reports", PERM_REPORTS_READ, SCOPE_NONE, 0},
    {"GET", "/reports/{}", h_report, "report", PERM_REPORTS_READ, SCOPE_NONE, 0},
};
const int nroutes = (int)(sizeof routes / sizeof routes[0]);

const char *route_scope_name(enum route_scope s)
{
    return s == SCOPE_ORG ? "org" : s == SCOPE_PERSON ? "person" : "none";
}

/* Matches path against pattern, storing {} segments in r->params. */
static int match(struct req *r, const char *pattern, const char *path)
{
    const char *p = pattern, *s = path;
    int n = 0;

    while (*p != '\0' && *s != '\0') {
        if (p[0] == '{' && p[1] == '}') {
            const char *end = strchr(s, '/');
            size_t len = end != NULL ? (size_t)(end - s) : strlen(s);

            if (len == 0 || n == REQ_MAX_PARAMS)
                return 0;
            r->params[n++] = arena_strndup(r->arena, s, len);
            p += 2;
            s += len;
            continue;
        }
        if (*p != *s)
            return 0;
        p++;
        s++;
    }
    if (*p != '\0' || *s != '\0')
        return 0;
    r->nparams = n;
    return 1;
}

const struct route *router_match(struct req *r, const char *method, const char *path, int *allowed)
{
    *allowed = 0;
    for (int i = 0; i < nroutes; i++) {
        if (!match(r, routes[i].pattern, path))
            continue;
        if (strcmp(routes[i].method, method) == 0 ||
            (strcmp(method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0))
            return &routes[i];
        *allowed = 1;
    }
    r->nparams = 0;
    return NULL;
}
