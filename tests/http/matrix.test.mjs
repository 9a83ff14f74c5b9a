// Every route × every role. The table below holds a decision for each route of
// `ctoframe routes --json`: the permission and scope it must declare and the status each
// role must get. A route missing from the table fails the first test by name — that is how
// a new route without a decision is noticed.
//
// World (tests/http/authhelp.mjs buildWorld): a certification body with program_admin,
// reviewer, examiner; a state with district A (district_admin, leader, evaluator, a school)
// and district B (district_admin, leader). Requests are JSON (Accept: application/json) so
// templates do not matter; POSTs carry a valid CSRF token. Path parameters are real ids
// from district A (person: leader A, org: district A); routes that change a person act on
// a throwaway person of district A per role, so no check breaks a later one. Sign-outs run
// last, each on a fresh session.
//
// Expected statuses: 401 for anonymous on protected routes; 403 when an unscoped route's
// permission is missing; 404 when a scoped route's person or organization is out of reach
// (or the role lacks the permission there). Anything else is the handler's own answer to
// the request sent (e.g. 404 for a made-up link token), written down exactly.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { startServer, ROOT } from './helper.mjs';
import {
    CHEAP,
    ownDb,
    addUser,
    routes as listRoutes,
    fakeToken,
    Jar,
    bearerJar,
    signIn,
    show,
    buildWorld,
} from './authhelp.mjs';

// --- framework data for the public routes ------------------------------------------------

const pkg = (name) => JSON.parse(readFileSync(path.join(ROOT, 'data', 'frameworks', name + '.json'), 'utf8'));
const P2019 = pkg('cosn-k12cto-2019');
const P2009 = pkg('cosn-k12cto-2009');
const CROSSWALK = pkg('cosn-crosswalk-2009-2019');
const ID2019 = P2019.CFDocument.identifier;
const ID2009 = P2009.CFDocument.identifier;
const ITEM = P2019.CFItems.find((i) => i.humanCodingScheme === 'I.A') || P2019.CFItems[0];
const ASSOC = CROSSWALK.CFAssociations[0];
const RUBRIC = P2019.CFRubrics[0];
const CETL = JSON.parse(readFileSync(path.join(ROOT, 'data', 'programs', 'cetl.json'), 'utf8'));

// --- roles --------------------------------------------------------------------------------------

const ROLES = [
    'anonymous',
    'leader', // leader of district A
    'evaluator', // evaluator in district A
    'district_admin_a',
    'district_admin_b', // acting on district A's records
    'reviewer',
    'examiner',
    'program_admin',
    'token', // the program admin through an API token (Bearer, no cookie, no CSRF)
];
const PERSON_OF = {
    leader: 'leader_a',
    evaluator: 'evaluator_a',
    district_admin_a: 'district_admin_a',
    district_admin_b: 'district_admin_b',
    reviewer: 'reviewer',
    examiner: 'examiner',
    program_admin: 'program_admin',
    token: 'program_admin',
};
const PA = ['program_admin', 'token'];
const DA = ['district_admin_a', 'district_admin_b', ...PA]; // evaluations.manage (issue 9)

const everyone = (status) => Object.fromEntries(ROLES.map((r) => [r, status]));
const signedIn = (status) => ({ ...everyone(status), anonymous: 401 });
/**
 * allowed roles get `status`; other signed-in roles 404 when the route is scoped (out of
 * reach), else 403; anonymous 401. overrides: exact statuses for particular roles.
 */
function gate(status, allowed, { scoped = false, overrides = {} } = {}) {
    const m = {};
    for (const r of ROLES) m[r] = r === 'anonymous' ? 401 : allowed.includes(r) ? status : scoped ? 404 : 403;
    return { ...m, ...overrides };
}

// --- the table -------------------------------------------------------------------------------------
//
// path(role, w): the concrete path; body(role, w): the JSON body of a POST; phase: 1 reads and
// harmless changes, 2 changes paired with their undo or on throwaway targets, 3 sign-outs
// (each role signs in afresh first).

const CASE = '/ims/case/v1p0';
const TABLE = {
    // the framework, public
    'GET /': { perm: 'public', scope: 'none', expect: everyone(200) },
    'GET /healthz': { perm: 'public', scope: 'none', expect: everyone(200) },
    'GET /frameworks': { perm: 'public', scope: 'none', expect: everyone(200) },
    'GET /case-api': { perm: 'public', scope: 'none', expect: everyone(200) },
    'GET /frameworks/{}': { perm: 'public', scope: 'none', path: () => `/frameworks/${ID2019}`, expect: everyone(200) },
    'GET /frameworks/{}/items/{}': {
        perm: 'public', scope: 'none', path: () => `/frameworks/${ID2019}/items/${ITEM.identifier}`, expect: everyone(200),
    },
    'GET /frameworks/{}/crosswalk/{}': {
        perm: 'public', scope: 'none', path: () => `/frameworks/${ID2009}/crosswalk/${ID2019}`, expect: everyone(200),
    },
    [`GET ${CASE}/CFDocuments`]: { perm: 'public', scope: 'none', expect: everyone(200) },
    [`GET ${CASE}/CFDocuments/{}`]: { perm: 'public', scope: 'none', path: () => `${CASE}/CFDocuments/${ID2019}`, expect: everyone(200) },
    [`GET ${CASE}/CFPackages/{}`]: { perm: 'public', scope: 'none', path: () => `${CASE}/CFPackages/${ID2019}`, expect: everyone(200) },
    [`GET ${CASE}/CFItems/{}`]: { perm: 'public', scope: 'none', path: () => `${CASE}/CFItems/${ITEM.identifier}`, expect: everyone(200) },
    [`GET ${CASE}/CFItemAssociations/{}`]: {
        perm: 'public', scope: 'none', path: () => `${CASE}/CFItemAssociations/${ITEM.identifier}`, expect: everyone(200),
    },
    [`GET ${CASE}/CFAssociations/{}`]: {
        perm: 'public', scope: 'none', path: () => `${CASE}/CFAssociations/${ASSOC.identifier}`, expect: everyone(200),
    },
    [`GET ${CASE}/CFRubrics/{}`]: { perm: 'public', scope: 'none', path: () => `${CASE}/CFRubrics/${RUBRIC.identifier}`, expect: everyone(200) },

    // signing in and out, links (made-up tokens: the handler answers 404)
    'GET /login': { perm: 'public', scope: 'none', expect: everyone(200) },
    'POST /login': { perm: 'public', scope: 'none', body: () => ({}), expect: everyone(400) }, // no e-mail given
    'POST /logout': { perm: 'public', scope: 'none', phase: 3, expect: everyone(200) },
    'GET /setup/{}': { perm: 'public', scope: 'none', path: () => `/setup/${fakeToken()}`, expect: everyone(404) },
    'POST /setup/{}': { perm: 'public', scope: 'none', path: () => `/setup/${fakeToken()}`, expect: everyone(404) },
    'GET /invite/{}': { perm: 'public', scope: 'none', path: () => `/invite/${fakeToken()}`, expect: everyone(404) },
    'POST /invite/{}': { perm: 'public', scope: 'none', path: () => `/invite/${fakeToken()}`, expect: everyone(404) },
    'GET /reset': { perm: 'public', scope: 'none', expect: everyone(200) },
    'POST /reset': { perm: 'public', scope: 'none', body: () => ({ email: 'nobody-matrix@example.org' }), expect: everyone(200) },
    'GET /reset/{}': { perm: 'public', scope: 'none', path: () => `/reset/${fakeToken()}`, expect: everyone(404) },
    'POST /reset/{}': { perm: 'public', scope: 'none', path: () => `/reset/${fakeToken()}`, expect: everyone(404) },

    // my account
    'GET /me': { perm: 'signed_in', scope: 'none', expect: signedIn(200) },
    'GET /dashboard': { perm: 'signed_in', scope: 'none', expect: signedIn(200) },
    'GET /account': { perm: 'signed_in', scope: 'none', expect: signedIn(200) },
    'GET /account/tokens': { perm: 'signed_in', scope: 'none', expect: signedIn(200) },
    'POST /account/logout-everywhere': {
        // signing out everywhere also revokes the person's API tokens: the program admin's
        // (just before) has ended the token, so it is refused as unknown
        perm: 'signed_in', scope: 'none', phase: 3, expect: { ...signedIn(200), token: 401 },
    },
    'POST /account/sessions/{}/end': {
        // a made-up handle: not one of anybody's sessions; an API token may not end sessions
        perm: 'signed_in', scope: 'none', path: () => `/account/sessions/${'0'.repeat(32)}/end`,
        expect: { ...signedIn(404), token: 403 },
    },
    'POST /account/password': {
        // nothing filled in: 400 naming the fields; an API token may not change it
        perm: 'signed_in', scope: 'none', body: () => ({}), expect: { ...signedIn(400), token: 403 },
    },
    'POST /account/tokens': {
        // an API token may not make tokens
        perm: 'signed_in', scope: 'none', body: (role) => ({ name: `matrix ${role}` }),
        expect: { ...signedIn(201), token: 403 },
        after: (role, r, s) => {
            if (r.status === 201) s.tokenIds[role] = r.json.id;
        },
    },
    'POST /account/tokens/{}/revoke': {
        // each role revokes the token it has just made; an API token may not revoke tokens
        perm: 'signed_in', scope: 'none', path: (role, w, s) => `/account/tokens/${s.tokenIds[role] || randomUUID()}/revoke`,
        expect: { ...signedIn(200), token: 403 },
    },
    'GET /account/export': { perm: 'signed_in', scope: 'none', expect: signedIn(200) },

    // people
    'GET /admin/people': {
        perm: 'people.read', scope: 'none', expect: gate(200, ['district_admin_a', 'district_admin_b', 'reviewer', ...PA]),
    },
    'POST /admin/people': {
        perm: 'people.write', scope: 'none',
        body: (role, w) => ({ email: `new-${role}@example.org`, name: `New ${role}`, role: 'leader', org: w.orgs.a }),
        // district admin B names district A in the body: no such organization for them
        expect: gate(201, ['district_admin_a', 'district_admin_b', ...PA], { overrides: { district_admin_b: 400 } }),
    },
    'GET /admin/people/{}': {
        perm: 'people.read', scope: 'person', path: (role, w) => `/admin/people/${w.people.leader_a.id}`,
        expect: gate(200, ['district_admin_a', 'reviewer', ...PA], { scoped: true }),
    },
    'POST /admin/people/{}': {
        // each role corrects the name of its own throwaway person
        perm: 'people.write', scope: 'person', phase: 2, path: (role, w, s) => `/admin/people/${s.victims[role]}`,
        body: (role) => ({ name: `Victim ${role} renamed`, email: `victim-${role.replace(/_/g, '-')}@example.org` }),
        expect: gate(200, ['district_admin_a', ...PA], { scoped: true }),
    },
    'POST /admin/people/{}/grant': {
        perm: 'people.write', scope: 'person', phase: 2, path: (role, w, s) => `/admin/people/${s.victims[role]}/grant`,
        body: (role, w) => ({ role: 'evaluator', org: w.orgs.a }),
        expect: gate(200, ['district_admin_a', ...PA], { scoped: true }),
    },
    'POST /admin/people/{}/revoke': {
        perm: 'people.write', scope: 'person', phase: 2, path: (role, w, s) => `/admin/people/${s.victims[role]}/revoke`,
        body: (role, w) => ({ role: 'evaluator', org: w.orgs.a }),
        expect: gate(200, ['district_admin_a', ...PA], { scoped: true }),
    },
    'POST /admin/people/{}/disable': {
        perm: 'people.write', scope: 'person', phase: 2, path: (role, w, s) => `/admin/people/${s.victims[role]}/disable`,
        expect: gate(200, ['district_admin_a', ...PA], { scoped: true }),
    },
    'POST /admin/people/{}/enable': {
        perm: 'people.write', scope: 'person', phase: 2, path: (role, w, s) => `/admin/people/${s.victims[role]}/enable`,
        expect: gate(200, ['district_admin_a', ...PA], { scoped: true }),
    },
    'POST /admin/people/{}/invite': {
        perm: 'people.write', scope: 'person', phase: 2, path: (role, w, s) => `/admin/people/${s.invitees[role]}/invite`,
        expect: gate(200, ['district_admin_a', ...PA], { scoped: true }),
    },
    'GET /admin/people/{}/erase': {
        perm: 'people.erase', scope: 'person', path: (role, w) => `/admin/people/${w.people.leader_a.id}/erase`,
        expect: gate(200, PA, { scoped: true }),
    },
    'POST /admin/people/{}/erase': {
        // confirmed by typing the person's e-mail address
        perm: 'people.erase', scope: 'person', phase: 2, path: (role, w, s) => `/admin/people/${s.victims[role]}/erase`,
        body: (role) => ({ confirm: `victim-${role.replace(/_/g, '-')}@example.org` }),
        expect: gate(200, PA, { scoped: true }),
    },
    'GET /admin/people/{}/export': {
        perm: 'people.erase', scope: 'person', path: (role, w) => `/admin/people/${w.people.leader_a.id}/export`,
        expect: gate(200, PA, { scoped: true }),
    },

    // organizations
    'GET /admin/orgs': {
        perm: 'orgs.read', scope: 'none', expect: gate(200, ['district_admin_a', 'district_admin_b', 'reviewer', ...PA]),
    },
    'POST /admin/orgs': {
        perm: 'orgs.write', scope: 'none',
        body: (role, w) =>
            PA.includes(role)
                ? { name: `State by ${role}`, kind: 'state' }
                : { name: `School by ${role}`, kind: 'school', parent: w.orgs.a },
        // district admin B names district A as the parent: no such organization for them
        expect: gate(201, ['district_admin_a', 'district_admin_b', ...PA], { overrides: { district_admin_b: 400 } }),
    },
    'GET /admin/orgs/{}': {
        perm: 'orgs.read', scope: 'org', path: (role, w) => `/admin/orgs/${w.orgs.a}`,
        expect: gate(200, ['district_admin_a', 'reviewer', ...PA], { scoped: true }),
    },
    'POST /admin/orgs/{}': {
        perm: 'orgs.write', scope: 'org', path: (role, w) => `/admin/orgs/${w.orgs.a}`,
        body: () => ({ name: 'District A' }), // its own name: a change that changes nothing
        expect: gate(200, ['district_admin_a', ...PA], { scoped: true }),
    },
    'GET /admin/orgs/{}/delete': {
        perm: 'orgs.write', scope: 'org', path: (role, w) => `/admin/orgs/${w.orgs.a}/delete`,
        expect: gate(200, ['district_admin_a', ...PA], { scoped: true }),
    },
    'POST /admin/orgs/{}/delete': {
        // district A holds people, roles and a school: refused (409) for those who may delete
        perm: 'orgs.write', scope: 'org', path: (role, w) => `/admin/orgs/${w.orgs.a}/delete`,
        expect: gate(409, ['district_admin_a', ...PA], { scoped: true }),
    },

    // the audit trail and the outbox
    'GET /admin/audit': { perm: 'audit.read', scope: 'none', expect: gate(200, PA) },
    'GET /admin/audit.csv': { perm: 'audit.read', scope: 'none', expect: gate(200, PA) },
    'GET /admin/outbox': { perm: 'outbox.read', scope: 'none', expect: gate(200, PA) },
    'POST /admin/outbox/{}/retry': {
        // a message that does not exist: 404 for those who may retry
        perm: 'outbox.write', scope: 'none', path: () => '/admin/outbox/999999/retry', expect: gate(404, PA),
    },

    // certification programs (the shipped CETL rules are loaded on the new database)
    'GET /admin/programs': { perm: 'program.read', scope: 'none', expect: gate(200, PA) },
    'GET /admin/programs/{}': { perm: 'program.read', scope: 'none', path: () => '/admin/programs/CETL', expect: gate(200, PA) },
    'POST /admin/programs/{}': {
        // the rules as they are: checked, and nothing changes (no new version)
        perm: 'program.write', scope: 'none', path: () => '/admin/programs/CETL',
        body: () => ({ rules: CETL, note: 'matrix' }), expect: gate(200, PA),
    },

    // applying for a credential and reviewing applications (issue 8 point 2); made-up ids
    // and tokens: the handler answers 404 to those who may act
    'GET /apply': { perm: 'signed_in', scope: 'none', expect: signedIn(200) },
    'POST /apply': { perm: 'signed_in', scope: 'none', body: () => ({}), expect: signedIn(200) }, // an empty draft
    'GET /applications/{}': { perm: 'signed_in', scope: 'none', path: () => `/applications/${FAKE_APP}`, expect: signedIn(404) },
    'POST /applications/{}/withdraw': {
        perm: 'signed_in', scope: 'none', path: () => `/applications/${FAKE_APP}/withdraw`, expect: signedIn(404),
    },
    'POST /applications/{}/answer': {
        perm: 'signed_in', scope: 'none', path: () => `/applications/${FAKE_APP}/answer`, body: () => ({ answer: 'x' }),
        expect: signedIn(404),
    },
    'POST /applications/{}/appeal': {
        perm: 'signed_in', scope: 'none', path: () => `/applications/${FAKE_APP}/appeal`, body: () => ({ statement: 'x' }),
        expect: signedIn(404),
    },
    'GET /review': { perm: 'applications.review', scope: 'none', expect: gate(200, ['reviewer', ...PA]) },
    'POST /review/conflicts': {
        perm: 'applications.review', scope: 'none', body: () => ({}), expect: gate(400, ['reviewer', ...PA]), // nobody named
    },
    'GET /review/{}': { perm: 'signed_in', scope: 'none', path: () => `/review/${FAKE_APP}`, expect: gate(404, ['reviewer', ...PA]) },
    'POST /review/{}': {
        perm: 'signed_in', scope: 'none', path: () => `/review/${FAKE_APP}`, body: () => ({ decision: 'approve' }),
        expect: gate(404, ['reviewer', ...PA]),
    },
    'GET /supervisor/{}': { perm: 'public', scope: 'none', path: () => `/supervisor/${fakeToken()}`, expect: everyone(404) },
    'POST /supervisor/{}': {
        perm: 'public', scope: 'none', path: () => `/supervisor/${fakeToken()}`,
        body: () => ({ name: 'x', title: 'y', statement: 'z', recommend: 'on' }), expect: everyone(404),
    },
    // issue 8: exam results and credentials (no credential exists in this world: 404 for those who may look)
    'GET /admin/results': { perm: 'results.import', scope: 'none', expect: gate(200, ['examiner', ...PA]) },
    'POST /admin/results': {
        // a file with the header only: checked, nothing to write
        perm: 'results.import', scope: 'none',
        body: () => ({ csv: 'eligibility_id,form,taken_on,scaled_score,I,II,III\n' }),
        expect: gate(200, ['examiner', ...PA]),
    },
    'GET /admin/credentials': { perm: 'credentials.read', scope: 'none', expect: gate(200, ['reviewer', ...PA]) },
    'GET /admin/credentials/{}': {
        perm: 'credentials.read', scope: 'none', path: () => '/admin/credentials/CETL-2026-999999',
        expect: gate(404, ['reviewer', ...PA]),
    },
    'GET /admin/credentials/{}/certificate': {
        perm: 'credentials.read', scope: 'none', path: () => '/admin/credentials/CETL-2026-999999/certificate',
        expect: gate(404, ['reviewer', ...PA]),
    },
    'POST /admin/credentials/{}/{}': {
        perm: 'credentials.write', scope: 'none', path: () => '/admin/credentials/CETL-2026-999999/suspend',
        body: () => ({ reason: 'matrix' }), expect: gate(404, PA),
    },
    'GET /me/credentials': { perm: 'signed_in', scope: 'none', expect: signedIn(200) },
    'GET /me/credentials/{}/certificate': {
        perm: 'signed_in', scope: 'none', path: () => '/me/credentials/CETL-2026-999999/certificate', expect: signedIn(404),
    },
    // issue 8 points 5-6: continuing education and renewal. The credential routes answer
    // 404 for a number that does not exist (and for someone else's) to every signed-in role.
    'GET /me/ce': { perm: 'signed_in', scope: 'none', expect: signedIn(200) },
    'GET /credentials/{}/ce': { perm: 'signed_in', scope: 'none', path: () => '/credentials/CETL-2026-999999/ce', expect: signedIn(404) },
    'POST /credentials/{}/ce': {
        perm: 'signed_in', scope: 'none', path: () => '/credentials/CETL-2026-999999/ce',
        body: () => ({ category: 'pd', title: 'x', completed_on: '2026-01-01', hours: '1', skills: ['I.A'] }), expect: signedIn(404),
    },
    'GET /credentials/{}/ce/evidence/{}': { perm: 'signed_in', scope: 'none', path: () => `/credentials/CETL-2026-999999/ce/evidence/${randomUUID()}`, expect: signedIn(404) },
    'POST /credentials/{}/renew': { perm: 'signed_in', scope: 'none', path: () => '/credentials/CETL-2026-999999/renew', expect: signedIn(404) },
    'GET /ce/review': { perm: 'ce.review', scope: 'none', expect: gate(200, ['reviewer', ...PA]) },
    'POST /ce/review/{}': {
        // an activity that does not exist: 404 for those who may review
        perm: 'ce.review', scope: 'none', path: () => `/ce/review/${randomUUID()}`,
        body: () => ({ decision: 'approve' }), expect: gate(404, ['reviewer', ...PA]),
    },
    'POST /ce/audits/{}': {
        perm: 'ce.review', scope: 'none', path: () => `/ce/audits/${randomUUID()}`,
        body: () => ({ decision: 'pass' }), expect: gate(404, ['reviewer', ...PA]),
    },
    'GET /ce/import': { perm: 'ce.import', scope: 'none', expect: gate(200, PA) },
    'POST /ce/import': {
        // a file with a header and no rows: refused (400), nothing written
        perm: 'ce.import', scope: 'none',
        body: () => ({ csv: 'credential_number,category,title,provider,completed_on,hours,skills\n' }), expect: gate(400, PA),
    },
    // the public registry and verification; a holder's place in it (issue 8 point 7)
    'GET /registry': { perm: 'public', scope: 'none', expect: everyone(200) },
    'GET /verify/{}': {
        // a number nobody holds: 404 for everyone
        perm: 'public', scope: 'none', path: () => '/verify/CETL-2099-000001', expect: everyone(404),
    },
    'GET /me/registry': { perm: 'signed_in', scope: 'none', expect: signedIn(200) },
    'POST /me/registry/{}': {
        // a made-up credential: nobody's own, so 404 for everyone signed in
        perm: 'signed_in', scope: 'none', path: () => `/me/registry/${randomUUID()}`,
        body: () => ({ listed: '0' }), expect: signedIn(404),
    },
    // the program's reports (issue 8 point 8): reviewers and program admins
    'GET /reports': { perm: 'reports.read', scope: 'none', expect: gate(200, ['reviewer', ...PA]) },
    'GET /reports/{}': {
        perm: 'reports.read', scope: 'none', path: () => '/reports/credentials', expect: gate(200, ['reviewer', ...PA]),
    },
    // issue 9: evaluations. Every signed-in person may be asked to rate; district and program
    // administrators start them. Made-up evaluations and links: 404 to everyone who may look.
    'GET /evaluations': { perm: 'signed_in', scope: 'none', expect: signedIn(200) },
    'GET /evaluations/new': { perm: 'evaluations.manage', scope: 'none', expect: gate(200, DA) },
    'POST /evaluations': {
        // nobody named: refused field by field, nothing written
        perm: 'evaluations.manage', scope: 'none', body: () => ({}), expect: gate(400, DA),
    },
    'GET /evaluations/{}': { perm: 'signed_in', scope: 'none', path: () => `/evaluations/${FAKE_APP}`, expect: signedIn(404) },
    'POST /evaluations/{}/raters': {
        perm: 'evaluations.manage', scope: 'none', path: () => `/evaluations/${FAKE_APP}/raters`,
        body: () => ({ kind: 'peer', name: 'Matrix Peer', email: 'matrix-peer@example.org' }), expect: gate(404, DA),
    },
    'POST /evaluations/{}/raters/{}/remove': {
        perm: 'evaluations.manage', scope: 'none', path: () => `/evaluations/${FAKE_APP}/raters/${FAKE_APP}/remove`,
        expect: gate(404, DA),
    },
    'POST /evaluations/{}/raters/{}/reopen': {
        perm: 'evaluations.manage', scope: 'none', path: () => `/evaluations/${FAKE_APP}/raters/${FAKE_APP}/reopen`,
        body: () => ({ reason: 'matrix' }), expect: gate(404, DA),
    },
    'POST /evaluations/{}/act': {
        perm: 'evaluations.manage', scope: 'none', path: () => `/evaluations/${FAKE_APP}/act`,
        body: () => ({ action: 'close' }), expect: gate(404, DA),
    },
    'GET /evaluations/{}/export': {
        perm: 'signed_in', scope: 'none', path: () => `/evaluations/${FAKE_APP}/export?format=csv`, expect: signedIn(404),
    },
    'GET /evaluations/{}/rate': { perm: 'signed_in', scope: 'none', path: () => `/evaluations/${FAKE_APP}/rate`, expect: signedIn(404) },
    'POST /evaluations/{}/rate': {
        perm: 'signed_in', scope: 'none', path: () => `/evaluations/${FAKE_APP}/rate`, body: () => ({ action: 'save' }),
        expect: signedIn(404),
    },
    'POST /evaluations/{}/answer': {
        perm: 'signed_in', scope: 'none', path: () => `/evaluations/${FAKE_APP}/answer`,
        body: () => ({ item_id: 'x', level: 1, seq: 0 }), expect: signedIn(404),
    },
    'GET /me/readiness': { perm: 'signed_in', scope: 'none', expect: signedIn(200) },
    // issue 9 point 6: the team heatmap (district A's: another district's administrator
    // gets 404) and the aggregates (program-wide managers only).
    'GET /evaluations/team': {
        perm: 'evaluations.manage', scope: 'none', path: () => `/evaluations/team?org=${world.orgs.a}`,
        expect: gate(200, ['district_admin_a', ...PA], { overrides: { district_admin_b: 404 } }),
    },
    'GET /evaluations/aggregate': { perm: 'evaluations.manage', scope: 'none', expect: gate(200, PA) },
    'GET /rate/{}': { perm: 'public', scope: 'none', path: () => `/rate/${fakeToken()}`, expect: everyone(404) },
    'POST /rate/{}': { perm: 'public', scope: 'none', path: () => `/rate/${fakeToken()}`, body: () => ({ action: 'save' }), expect: everyone(404) },
    'POST /rate/{}/answer': {
        perm: 'public', scope: 'none', path: () => `/rate/${fakeToken()}/answer`,
        body: () => ({ item_id: 'x', level: 1, seq: 0 }), expect: everyone(404),
    },
    // issue 10 point 3: exam forms (h_forms.c); examiners only, 404 to every other role
    'GET /exam/forms': { perm: 'signed_in', scope: 'none', expect: gate(200, ['examiner', ...PA], { scoped: true }) },
    'POST /exam/forms': {
        // no code nor title: refused field by field, for those who may make forms
        perm: 'signed_in', scope: 'none', body: () => ({ code: '', title: '' }), expect: gate(400, ['examiner', ...PA], { scoped: true }),
    },
    'GET /exam/forms/{}': { perm: 'signed_in', scope: 'none', path: () => '/exam/forms/NO-SUCH-FORM', expect: signedIn(404) },
    'POST /exam/forms/{}/act': {
        perm: 'signed_in', scope: 'none', path: () => '/exam/forms/NO-SUCH-FORM/act', body: () => ({ action: 'release' }), expect: signedIn(404),
    },
    // issue 10 points 4-5: a form's response file, its analysis, send-back (h_responses.c)
    'POST /exam/forms/{}/responses': {
        perm: 'signed_in', scope: 'none', path: () => '/exam/forms/NO-SUCH-FORM/responses', body: () => ({}), expect: signedIn(404),
    },
    'GET /exam/forms/{}/analysis': { perm: 'signed_in', scope: 'none', path: () => '/exam/forms/NO-SUCH-FORM/analysis', expect: signedIn(404) },
    'POST /exam/forms/{}/send-back': {
        perm: 'signed_in', scope: 'none', path: () => '/exam/forms/NO-SUCH-FORM/send-back', body: () => ({ item: 'X' }), expect: signedIn(404),
    },
    // issue 10 point 1: the item bank's pages (h_bank.c); examiners only, 404 to every other role
    'GET /exam/bank': { perm: 'signed_in', scope: 'none', expect: gate(200, ['examiner', ...PA], { scoped: true }) },
    'GET /exam/bank/sets': { perm: 'signed_in', scope: 'none', expect: gate(200, ['examiner', ...PA], { scoped: true }) },
    'GET /exam/bank/{}': { perm: 'signed_in', scope: 'none', path: () => '/exam/bank/NO-SUCH-ITEM', expect: signedIn(404) },
    'POST /exam/bank/{}/move': {
        perm: 'signed_in', scope: 'none', path: () => '/exam/bank/NO-SUCH-ITEM/move', body: () => ({ to: 'review' }), expect: signedIn(404),
    },
    'POST /exam/bank/{}/comment': {
        perm: 'signed_in', scope: 'none', path: () => '/exam/bank/NO-SUCH-ITEM/comment', body: () => ({ text: 'x' }), expect: signedIn(404),
    },
    // issue 10 point 7: a form's Angoff study (h_study.c)
    'GET /exam/forms/{}/study': { perm: 'signed_in', scope: 'none', path: () => '/exam/forms/NO-SUCH-FORM/study', expect: signedIn(404) },
    'POST /exam/forms/{}/study': {
        perm: 'signed_in', scope: 'none', path: () => '/exam/forms/NO-SUCH-FORM/study', body: () => ({ action: 'create', title: 'x' }), expect: signedIn(404),
    },
    'POST /exam/forms/{}/study/round': {
        perm: 'signed_in', scope: 'none', path: () => '/exam/forms/NO-SUCH-FORM/study/round', body: () => ({}), expect: signedIn(404),
    },
    // issue 10 point 6: a form's Rasch calibration as a job (h_calibration.c)
    'POST /exam/forms/{}/calibrate': {
        perm: 'signed_in', scope: 'none', path: () => '/exam/forms/NO-SUCH-FORM/calibrate', body: () => ({}), expect: signedIn(404),
    },
    'GET /exam/forms/{}/calibration': { perm: 'signed_in', scope: 'none', path: () => '/exam/forms/NO-SUCH-FORM/calibration', expect: signedIn(404) },
    // issue 9 point 4: the printable report as a PDF (h_eval_report.c)
    'GET /evaluations/{}/report.pdf': {
        perm: 'signed_in', scope: 'none', path: () => `/evaluations/${FAKE_APP}/report.pdf`, expect: signedIn(404),
    },
    // issue 9 point 5: growth plans (h_growth.c); a plan nobody may see is 404 to all
    'POST /evaluations/{}/plan': {
        perm: 'signed_in', scope: 'none', path: () => `/evaluations/${FAKE_APP}/plan`, body: () => ({ hours: 10 }), expect: signedIn(404),
    },
    'GET /plans': { perm: 'signed_in', scope: 'none', expect: signedIn(200) },
    'GET /plans/{}': { perm: 'signed_in', scope: 'none', path: () => `/plans/${FAKE_APP}`, expect: signedIn(404) },
    'POST /plans/{}/act': {
        perm: 'signed_in', scope: 'none', path: () => `/plans/${FAKE_APP}/act`, body: () => ({ action: 'agree', version: 1 }),
        expect: signedIn(404),
    },
    'GET /plans/{}/export': {
        perm: 'signed_in', scope: 'none', path: () => `/plans/${FAKE_APP}/export?format=csv`, expect: signedIn(404),
    },
};
const FAKE_APP = '00000000-0000-4000-8000-000000000000';

// --- the world and its clients ----------------------------------------------------------------------

let db;
let srv;
let world;
let allRoutes;
const state = { jars: {}, tokenIds: {}, victims: {}, invitees: {} };

async function jarFor(role, fresh = false) {
    if (role === 'anonymous') return state.jars.anonymous;
    if (role === 'token') return state.jars.token;
    if (fresh || !state.jars[role]) state.jars[role] = await signIn(srv.url, world.people[PERSON_OF[role]].email);
    return state.jars[role];
}

before(async () => {
    db = await ownDb();
    world = await buildWorld(db.db);
    // Throwaway people of district A, one pair per role: an active one for grant, revoke,
    // disable, enable, erase, and an invited one for a new invitation.
    for (const role of ROLES) {
        state.victims[role] = await addUser(db.db, `victim-${role.replace(/_/g, '-')}@example.org`, {
            name: `Victim ${role}`, role: 'leader', org: world.orgs.a,
        });
        state.invitees[role] = await addUser(db.db, `invitee-${role.replace(/_/g, '-')}@example.org`, {
            name: `Invitee ${role}`, role: 'leader', org: world.orgs.a, password: null,
            // No server has run on this database yet: the CLI needs the address for the link.
            env: { CTOFRAME_PUBLIC_URL: 'http://127.0.0.1:8080' },
        });
    }
    srv = await startServer({ db: db.db, env: CHEAP });
    allRoutes = await listRoutes();
    state.jars.anonymous = new Jar(srv.url);
    for (const role of ROLES) if (role !== 'anonymous' && role !== 'token') await jarFor(role);
    const r = await state.jars.program_admin.post('/account/tokens', { name: 'matrix bearer' });
    assert.equal(r.status, 201, `token for the matrix: ${show(r)}`);
    state.jars.token = bearerJar(srv.url, r.json.token);
});

after(async () => {
    try {
        if (srv) assert.equal(await srv.stop(), 0, 'server exit code');
    } finally {
        if (db) await db.drop();
    }
});

const key = (r) => `${r.method} ${r.pattern}`;

// --- the tests ----------------------------------------------------------------------------------------

test('every route of `ctoframe routes` has a decision in the table, with the permission and scope it declares', () => {
    assert.ok(allRoutes.length >= 40, `routes: ${allRoutes.length}`);
    const missing = allRoutes.filter((r) => !TABLE[key(r)]).map((r) => `${key(r)} (perm ${r.perm}, scope ${r.scope})`);
    assert.deepEqual(missing, [], `routes without a decision in tests/http/matrix.test.mjs:\n  ${missing.join('\n  ')}`);
    const known = new Set(allRoutes.map(key));
    const stale = Object.keys(TABLE).filter((k) => !known.has(k));
    assert.deepEqual(stale, [], 'table entries for routes that no longer exist');
    const differ = allRoutes
        .filter((r) => TABLE[key(r)] && (TABLE[key(r)].perm !== r.perm || TABLE[key(r)].scope !== r.scope))
        .map((r) => `${key(r)}: declares ${r.perm}/${r.scope}, the table says ${TABLE[key(r)].perm}/${TABLE[key(r)].scope}`);
    assert.deepEqual(differ, [], 'permission or scope changed without the table');
    for (const r of allRoutes) assert.notEqual(r.perm, 'unset', `${key(r)} has no permission`);
});

test('signed out, an HTML page that needs a role redirects to the sign-in page', async () => {
    const anon = new Jar(srv.url);
    for (const p of ['/admin/people', '/admin/audit', '/account', `/admin/orgs/${world.orgs.a}`]) {
        const r = await anon.get(p, { html: true });
        assert.equal(r.status, 303, `GET ${p} (HTML, signed out): ${show(r)}`);
        assert.equal(r.headers.location, `/login?next=${p}`);
    }
    const r = await anon.get('/admin/people');
    assert.equal(r.status, 401, 'the same page as JSON: 401');
});

test('every route × every role', async (t) => {
    const ordered = allRoutes
        .filter((r) => TABLE[key(r)])
        .map((r, i) => ({ r, i, phase: TABLE[key(r)].phase || 1 }))
        .sort((a, b) => a.phase - b.phase || a.i - b.i);
    for (const { r: rt, phase } of ordered) {
        const entry = TABLE[key(rt)];
        await t.test(key(rt), async () => {
            const wrong = [];
            for (const role of ROLES) {
                const jar = await jarFor(role, phase === 3);
                const p = entry.path ? entry.path(role, world, state) : rt.pattern;
                assert.ok(!p.includes('{}'), `${key(rt)}: the table gives no path`);
                const opts = {};
                if (rt.method !== 'GET') opts.body = entry.body ? entry.body(role, world, state) : {};
                const res = await jar.request(rt.method, p, opts);
                if (entry.after) entry.after(role, res, state);
                const want = entry.expect[role];
                const ok = Array.isArray(want) ? want.includes(res.status) : res.status === want;
                if (!ok) wrong.push(`${role}: ${rt.method} ${p} → expected ${want}, got ${show(res).slice(0, 300)}`);
                else if (res.status === 401 && !/^application\/json/.test(res.headers['content-type'] || '')) {
                    wrong.push(`${role}: 401 is not JSON: ${show(res).slice(0, 200)}`);
                }
            }
            assert.deepEqual(wrong, [], `${key(rt)}:\n  ${wrong.join('\n  ')}`);
        });
    }
});
