// Applying for a credential and reviewing applications (issue 8, point 2): the candidate's
// draft, the arithmetic of the years of experience, every eligibility rule met or missed,
// submission refused with reasons, the waiver with a supervisor's signature by a one-time
// link, the reviewers' queue and decisions (an authorization to test with the program's
// window, CTOFRAME_NOW), information asked and given, rejection and an appeal decided by
// someone else, withdrawal, conflicts of interest, every illegal transition answered 409,
// and someone else's application 404.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withServer, linkToken, show, Jar } from './authhelp.mjs';

const NOW = '2026-03-01T12:00:00Z';
const TODAY = '2026-03-01';
const DAY = 86400000;
const days = (a, b) => Math.round((Date.parse(b) - Date.parse(a)) / DAY) + 1; // both ends
const addDays = (d, n) => new Date(Date.parse(d) + n * DAY).toISOString().slice(0, 10);

const GOOD = {
    degree: 'bachelor',
    institution: 'State University',
    year: '2010',
    employment: [
        { employer: 'District A', title: 'Technology coordinator', start: '2015-01-01', end: '2019-12-31', relevant: true },
        { employer: 'District B', title: 'Director of technology', start: '2019-07-01', current: true, relevant: true },
        { employer: 'Corner shop', title: 'Clerk', start: '2008-01-01', end: '2014-12-31', relevant: false },
    ],
    attestation: true,
    code_of_conduct: true,
};

async function submitted(jar, body) {
    let r = await jar.post('/apply', body);
    assert.equal(r.status, 200, show(r));
    r = await jar.post('/apply', { ...body, submit: true });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.json.status, 'submitted', show(r));
    return r.json.id;
}

test('apply → arithmetic → submit → queue → approve with the authorization window; illegal moves 409; others 404', { timeout: 120000 }, async () => {
    await withServer({ env: { CTOFRAME_NOW: NOW } }, async (ctx) => {
        await ctx.start();
        const cand = await ctx.signIn(ctx.w.people.leader_a.email);
        const rev = await ctx.signIn(ctx.w.people.reviewer.email);
        const other = await ctx.signIn(ctx.w.people.leader_b.email);

        let r = await cand.get('/apply');
        assert.equal(r.status, 200, show(r));
        assert.equal(r.json.status, 'new');
        assert.equal(r.json.evaluation.eligibility.eligible, false);

        // A bad date and a bad year: 400, each named, nothing written.
        r = await cand.post('/apply', { ...GOOD, year: '20x0', employment: [{ employer: 'X', title: 'Y', start: '2015-13-01', relevant: true }] });
        assert.equal(r.status, 400, show(r));
        const named = [r.json.error.field, ...(r.json.error.more || []).map((m) => m.field)];
        assert.ok(named.includes('year') && named.includes('emp0_start'), show(r));
        r = await cand.get('/apply');
        assert.equal(r.json.status, 'new', 'nothing was written');

        // The draft saves; the arithmetic: each period's days, the union, years to one decimal.
        r = await cand.post('/apply', GOOD);
        assert.equal(r.status, 200, show(r));
        assert.equal(r.json.status, 'draft');
        const x = r.json.evaluation.experience;
        const d1 = days('2015-01-01', '2019-12-31');
        const d2 = days('2019-07-01', TODAY);
        const union = days('2015-01-01', TODAY);
        assert.deepEqual(x.periods.map((p) => p.days), [d1, d2], 'the irrelevant job is not counted');
        assert.equal(x.union_days, union);
        assert.ok(d1 + d2 > union, 'the overlap counts once');
        assert.equal(x.years, (Math.round((union * 10) / 365.25) / 10).toFixed(1));
        assert.match(x.arithmetic, new RegExp(`${d1} \\+ ${d2} days.*${union} days`));
        assert.equal(r.json.evaluation.eligibility.eligible, true);
        assert.ok(r.json.evaluation.eligibility.rules.every((x2) => typeof x2.text === 'string' && x2.text.endsWith('.')));

        // The page shows the arithmetic and the rules.
        const page = await cand.get('/apply', { html: true });
        assert.equal(page.status, 200);
        assert.ok(page.text.includes(`${union} days`), 'the page shows the union');
        assert.ok(page.text.includes('/static/apply.js'));

        // Submit; the queue, oldest first.
        r = await cand.post('/apply', { ...GOOD, submit: true });
        assert.equal(r.status, 200, show(r));
        const id = r.json.id;
        assert.equal(r.json.status, 'submitted');
        assert.equal(r.json.rules_version, 1);
        r = await rev.get('/review');
        assert.equal(r.status, 200, show(r));
        assert.ok(r.json.applications.some((a) => a.id === id && a.conflict === false));
        assert.equal((await cand.get('/review')).status, 403, 'candidates have no queue');

        // Someone else's application: 404 to read and to act on.
        assert.equal((await other.get(`/applications/${id}`)).status, 404);
        assert.equal((await other.post(`/applications/${id}/withdraw`, {})).status, 404);

        // A candidate cannot change a submitted application.
        r = await cand.post('/apply', GOOD);
        assert.equal(r.status, 409, show(r));
        assert.match(r.json.error.message, /^This application is Submitted.*can no longer be changed\./);

        // Approve: the eligibility id, issued today, expiring after the rules' 90 days.
        r = await rev.get(`/review/${id}`);
        assert.equal(r.status, 200, show(r));
        assert.equal(r.json.can_decide, true);
        r = await rev.post(`/review/${id}`, { decision: 'approve' });
        assert.equal(r.status, 200, show(r));
        assert.equal(r.json.status, 'approved');
        assert.match(r.json.authorization.eligibility_id, /^E-CETL-2026-\d{6}$/);
        assert.equal(r.json.authorization.issued_on, TODAY);
        assert.equal(r.json.authorization.expires_on, addDays(TODAY, 90));
        assert.equal(r.json.authorization.rules_version, 1);

        // The candidate's timeline.
        r = await cand.get(`/applications/${id}`);
        assert.equal(r.status, 200, show(r));
        assert.deepEqual(r.json.events.map((e) => e.kind), ['created', 'submitted', 'approved']);
        const html = await cand.get(`/applications/${id}`, { html: true });
        assert.ok(html.text.includes(r.json.authorization.eligibility_id));

        // Every illegal move now: 409 with a sentence.
        for (const [who, path, body] of [
            [rev, `/review/${id}`, { decision: 'approve' }],
            [rev, `/review/${id}`, { decision: 'reject', reason: 'No.' }],
            [rev, `/review/${id}`, { decision: 'info', reason: 'More?' }],
            [rev, `/review/${id}`, { decision: 'uphold' }],
            [cand, `/applications/${id}/withdraw`, {}],
            [cand, `/applications/${id}/answer`, { answer: 'Here.' }],
            [cand, `/applications/${id}/appeal`, { statement: 'Please.' }],
        ]) {
            r = await who.post(path, body);
            assert.equal(r.status, 409, `${path} ${JSON.stringify(body)}: ${show(r)}`);
            assert.match(r.json.error.message, /^[A-Z].*\.$/);
        }
        // A reject needs a reason (400, named) before anything else.
        r = await rev.post(`/review/${id}`, { decision: 'reject' });
        assert.equal(r.status, 400, show(r));
        assert.equal(r.json.error.field, 'reason');
        r = await rev.post(`/review/${id}`, { decision: 'maybe' });
        assert.equal(r.status, 400, show(r));
        assert.equal(r.json.error.field, 'decision');
    });
});

test('ineligible explained; missing fields named; withdrawal; a new application after it', { timeout: 120000 }, async () => {
    await withServer({ env: { CTOFRAME_NOW: NOW } }, async (ctx) => {
        await ctx.start();
        const cand = await ctx.signIn(ctx.w.people.leader_b.email);

        // Missing fields: each named (the draft itself is kept).
        let r = await cand.post('/apply', { submit: true });
        assert.equal(r.status, 400, show(r));
        const named = [r.json.error.field, ...(r.json.error.more || []).map((m) => m.field)];
        for (const f of ['degree', 'emp0_employer', 'attestation', 'code_of_conduct']) assert.ok(named.includes(f), `${f} named: ${show(r)}`);

        // Not eligible: 409 with the rules missed.
        const weak = { ...GOOD, degree: 'none', institution: '', year: '', employment: [{ employer: 'D', title: 'T', start: '2023-01-01', current: true, relevant: true }] };
        r = await cand.post('/apply', { ...weak, submit: true });
        assert.equal(r.status, 409, show(r));
        assert.match(r.json.error.message, /not eligible/);
        assert.match(r.json.error.message, /years of relevant experience/);
        r = await cand.request('POST', '/apply', { html: true, form: true, body: { degree: 'none', emp0_employer: 'D', emp0_title: 'T', emp0_start: '2023-01-01', emp0_current: 'on', emp0_relevant: 'on', attestation: 'on', code_of_conduct: 'on', action: 'submit' } });
        assert.equal(r.status, 409);
        assert.match(r.text, /role="alert"[\s\S]*You are not eligible yet/);
        assert.match(r.text, /value="D"/, 'what was typed is kept');
        r = await cand.get('/apply');
        assert.equal(r.json.status, 'draft', 'not submitted');
        const missed = r.json.evaluation.eligibility.rules.filter((x) => !x.met);
        assert.ok(missed.length >= 2, 'each path says what it misses');
        const html = await cand.get('/apply', { html: true });
        assert.match(html.text, /Missed/);

        // The form as a browser posts it: a bad date comes back beside its row.
        r = await cand.request('POST', '/apply', { html: true, form: true, body: { degree: 'none', emp0_employer: 'D', emp0_title: 'T', emp0_start: '2023-02-30', emp0_relevant: 'on', action: 'save' } });
        assert.equal(r.status, 400);
        assert.match(r.text, /id="emp0_start-error">Enter the start date as YYYY-MM-DD/);
        assert.match(r.text, /value="D"/, 'what was typed is kept');

        // Withdraw, then /apply starts afresh.
        const id = r.json?.id ?? (await cand.get('/apply')).json.id;
        r = await cand.post(`/applications/${id}/withdraw`, {});
        assert.equal(r.status, 200, show(r));
        assert.equal(r.json.status, 'withdrawn');
        r = await cand.get('/apply');
        assert.equal(r.json.status, 'new');
        assert.equal(r.json.previous, id);
    });
});

test('waiver: the supervisor signs by a one-time link without an account; approval needs it', { timeout: 120000 }, async () => {
    await withServer({ env: { CTOFRAME_NOW: NOW } }, async (ctx) => {
        await ctx.start();
        const cand = await ctx.signIn(ctx.w.people.leader_b.email);
        const rev = await ctx.signIn(ctx.w.people.reviewer.email);
        const body = {
            ...GOOD,
            degree: 'none', institution: '', year: '',
            employment: [{ employer: 'District B', title: 'Network manager', start: '2017-01-01', current: true, relevant: true }],
            waiver_request: 'I have led technology in District B for nine years.\nPlease consider my record.',
        };
        // A waiver needs the supervisor's name and address.
        let r = await cand.post('/apply', { ...body, submit: true });
        assert.equal(r.status, 400, show(r));
        const named = [r.json.error.field, ...(r.json.error.more || []).map((m) => m.field)];
        assert.ok(named.includes('supervisor_name') && named.includes('supervisor_email'), show(r));
        const id = await submitted(cand, { ...body, supervisor_name: 'Sam Super', supervisor_email: 'sam@district-b.example' });
        r = await cand.get(`/applications/${id}`);
        assert.equal(r.json.evaluation.eligibility.eligible, false);
        assert.equal(r.json.evaluation.eligibility.waiver_ok, true);

        // Approval before the signature: 409.
        r = await rev.post(`/review/${id}`, { decision: 'approve' });
        assert.equal(r.status, 409, show(r));
        assert.match(r.json.error.message, /supervisor signs/);

        // The link in the outbox; the page needs no account.
        const token = await linkToken(ctx.db, 'supervisor', 'sam@district-b.example');
        assert.ok(token, 'the supervisor got a link');
        const anon = new Jar(ctx.url);
        r = await anon.get(`/supervisor/${token}`);
        assert.equal(r.status, 200, show(r));
        assert.match(r.json.waiver_request, /nine years/);
        assert.equal(r.json.signed, false);
        assert.equal((await anon.get(`/supervisor/${'x'.repeat(43)}`)).status, 404);
        r = await anon.post(`/supervisor/${token}`, { name: 'Sam Super', title: 'Superintendent', statement: 'Strong leader.' });
        assert.equal(r.status, 400, show(r));
        assert.equal(r.json.error.field, 'recommend');
        r = await anon.post(`/supervisor/${token}`, { name: 'Sam Super', title: 'Superintendent', statement: 'Strong leader.\nRecommended.', recommend: 'on' });
        assert.equal(r.status, 200, show(r));
        assert.equal(r.json.signed, true);
        r = await anon.post(`/supervisor/${token}`, { name: 'Sam Super', title: 'Superintendent', statement: 'Again.', recommend: 'on' });
        assert.equal(r.status, 409, show(r));

        // The application shows it signed; the committee's reviewer approves.
        r = await cand.get(`/applications/${id}`);
        assert.ok(r.json.supervisor.signed_at, show(r));
        assert.ok(r.json.events.some((e) => e.kind === 'supervisor_signed'));
        assert.equal(r.json.evaluation.eligibility.eligible, true);
        r = await rev.post(`/review/${id}`, { decision: 'approve' });
        assert.equal(r.status, 200, show(r));
        assert.equal(r.json.status, 'approved');
    });
});

test('information round trip; rejection; the appeal is not the first reviewer\'s to decide', { timeout: 120000 }, async () => {
    await withServer({ env: { CTOFRAME_NOW: NOW } }, async (ctx) => {
        await ctx.start();
        const cand = await ctx.signIn(ctx.w.people.evaluator_a.email);
        const rev = await ctx.signIn(ctx.w.people.reviewer.email);
        const admin = await ctx.signIn(ctx.w.people.program_admin.email);
        const id = await submitted(cand, GOOD);

        let r = await rev.post(`/review/${id}`, { decision: 'info', reason: 'Send the dates of your District B post.' });
        assert.equal(r.status, 200, show(r));
        assert.equal(r.json.status, 'info_requested');
        r = await cand.get(`/applications/${id}`);
        assert.equal(r.json.can_answer, true);
        r = await cand.post(`/applications/${id}/answer`, {});
        assert.equal(r.status, 400, show(r));
        assert.equal(r.json.error.field, 'answer');
        r = await cand.post(`/applications/${id}/answer`, { answer: 'Since 2019-07-01, full time.' });
        assert.equal(r.status, 200, show(r));
        assert.equal(r.json.status, 'submitted');

        r = await rev.post(`/review/${id}`, { decision: 'reject', reason: 'The references could not be confirmed.' });
        assert.equal(r.status, 200, show(r));
        assert.equal(r.json.status, 'rejected');
        assert.equal(r.json.authorization, null);
        r = await cand.post(`/applications/${id}/appeal`, { statement: 'My references are attached.' });
        assert.equal(r.status, 200, show(r));
        assert.equal(r.json.status, 'appealed');
        r = await cand.post(`/applications/${id}/appeal`, { statement: 'Again.' });
        assert.equal(r.status, 409, 'one appeal');

        // The reviewer who rejected may not decide the appeal.
        r = await rev.get(`/review/${id}`);
        assert.equal(r.json.can_decide_appeal, false);
        r = await rev.post(`/review/${id}`, { decision: 'uphold' });
        assert.equal(r.status, 409, show(r));
        assert.match(r.json.error.message, /You rejected this application/);
        r = await admin.post(`/review/${id}`, { decision: 'uphold', reason: 'References confirmed.' });
        assert.equal(r.status, 200, show(r));
        assert.equal(r.json.status, 'appeal_upheld');
        assert.match(r.json.authorization.eligibility_id, /^E-CETL-2026-\d{6}$/);
        r = await cand.get(`/applications/${id}`);
        assert.deepEqual(r.json.events.map((e) => e.kind),
            ['created', 'submitted', 'info_requested', 'answered', 'rejected', 'appealed', 'appeal_upheld']);
    });
});

test('conflicts of interest: a person, an organization and below; the queue marks them', { timeout: 120000 }, async () => {
    await withServer({ env: { CTOFRAME_NOW: NOW } }, async (ctx) => {
        await ctx.start();
        const rev = await ctx.signIn(ctx.w.people.reviewer.email);
        const admin = await ctx.signIn(ctx.w.people.program_admin.email);
        const a = await ctx.signIn(ctx.w.people.leader_a.email);
        const b = await ctx.signIn(ctx.w.people.leader_b.email);
        const idA = await submitted(a, GOOD);
        const idB = await submitted(b, GOOD);

        let r = await rev.post('/review/conflicts', { person: ctx.w.people.leader_b.email, reason: 'My sister.' });
        assert.equal(r.status, 200, show(r));
        r = await rev.post('/review/conflicts', { org: ctx.w.orgs.state });
        assert.equal(r.status, 200, show(r));
        r = await rev.post('/review/conflicts', {});
        assert.equal(r.status, 400, show(r));
        r = await rev.post('/review/conflicts', { person: 'nobody@example.org' });
        assert.equal(r.status, 400, show(r));
        assert.equal(r.json.error.field, 'person');

        r = await rev.get('/review');
        const q = Object.fromEntries(r.json.applications.map((x) => [x.id, x.conflict]));
        assert.equal(q[idA], true, 'District A is under the state');
        assert.equal(q[idB], true);
        for (const id of [idA, idB]) {
            r = await rev.post(`/review/${id}`, { decision: 'approve' });
            assert.equal(r.status, 403, show(r));
            assert.match(r.json.error.message, /conflict of interest/);
        }
        // The page says it too, and the queue page marks it.
        r = await rev.request('POST', `/review/${idB}`, { html: true, form: true, body: { decision: 'approve' } });
        assert.equal(r.status, 403);
        assert.match(r.text, /You declared a conflict of interest with this candidate/);
        r = await rev.get('/review', { html: true });
        assert.match(r.text, /Your conflict: not yours to decide/);
        // Another reviewer is not bound by it.
        r = await admin.post(`/review/${idA}`, { decision: 'approve' });
        assert.equal(r.status, 200, show(r));
    });
});
