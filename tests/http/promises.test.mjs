// The product says what it does today (issue 7, point 4).
//
// Hiring and open badges are not built yet (the certification life cycle is: applications,
// results, credentials, continuing education, renewal and the registry, issue 8; rating a
// leader against the rubric in a review, and growth plans, are: issue 9; the exam's item
// bank, its forms, analysis, calibration and standard setting are: issue 10). No text a person reads may offer what is not built: not the home page, not a dashboard, not the role help of
// the invitation form, not the invitation or password e-mails. And each role's dashboard
// offers something real: every link on it opens (200) for that role, never 403 or 404.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withServer, outbox, show } from './authhelp.mjs';

/**
 * Words that offer what is not built. "certification body" (a kind of organization, and
 * the name of one in the test world), the label "Certification reviewer" (a role's
 * name), "Certification programs" (the page of program rules) and "pass rates" (an exam
 * report) are taken out before the check: they name what exists, they offer nothing.
 */
const PROMISES =
    /\b(hir(?:e|es|ed|ing)|badges?|job candidates?)\b/gi;
const NAMES_OF_WHAT_EXISTS = [/certification body/gi, /Certification reviewer/g, /Certification programs/g, /pass rates/gi];

/** Visible text of an HTML page (and its meta description), tags and scripts removed. */
function textOf(html) {
    const meta = /<meta name="description" content="([^"]*)"/.exec(html);
    const body = html
        .replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, ' ')
        .replace(/<[^>]+>/g, ' ');
    return decode(`${meta ? meta[1] : ''} ${body}`).replace(/\s+/g, ' ');
}

function decode(s) {
    return s
        .replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n)))
        .replace(/&#x([0-9a-f]+);/gi, (_, n) => String.fromCodePoint(parseInt(n, 16)))
        .replace(/&quot;/g, '"')
        .replace(/&apos;/g, "'")
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&');
}

/** The promises found in text ([] when it promises nothing), with some context each. */
function promisesIn(text, { except = [] } = {}) {
    let t = text;
    for (const e of except) t = t.split(e).join(' ');
    for (const re of NAMES_OF_WHAT_EXISTS) t = t.replace(re, ' ');
    return [...t.matchAll(PROMISES)].map((m) => `"${m[0]}" in …${t.slice(Math.max(0, m.index - 60), m.index + 60)}…`);
}

/** The href of every <a> in html. */
function links(html) {
    return [...html.matchAll(/<a\b[^>]*\bhref="([^"]*)"/gi)].map((m) => decode(m[1]));
}

test('the words check catches what the old texts promised', () => {
    // The check itself can fail: sentences from before this change are caught.
    assert.notDeepEqual(promisesIn('Grow, hire and certify district technology leaders against one framework'), []);
    assert.notDeepEqual(promisesIn('A CTO: self-assessment, job candidates, continuing education, the credential.'), []);
    assert.notDeepEqual(promisesIn('Districts use it to hire their technology leaders'), []);
    assert.notDeepEqual(promisesIn('Run review cycles and badges'), []);
    // The item bank and standard setting exist now (issue 10): naming them promises nothing.
    assert.deepEqual(promisesIn('Item bank: the exam\'s items; the standard setting study of a form'), []);
    // Growth plans exist now (issue 9 point 5): naming them promises nothing.
    assert.deepEqual(promisesIn('Growth plans: goals and activities from a closed evaluation'), []);
    assert.deepEqual(promisesIn('Program administrator in Certification Body (certification body)'), []);
});

test('each role: the dashboard promises nothing unbuilt, and every link on it opens', { timeout: 120000 }, async () => {
    await withServer({}, async (ctx) => {
        await ctx.start();
        const roles = Object.entries(ctx.w.people);
        assert.equal(roles.length, 8);
        const report = [];
        for (const [key, p] of roles) {
            const jar = await ctx.signIn(p.email);
            const r = await jar.get('/dashboard', { html: true });
            assert.equal(r.status, 200, `${key}: ${show(r)}`);
            for (const w of promisesIn(textOf(r.text))) report.push(`${key} dashboard: ${w}`);

            // It offers this role something beyond the page itself and the account.
            const hrefs = [...new Set(links(r.text))].filter((h) => !h.startsWith('#'));
            assert.ok(hrefs.some((h) => h.startsWith('/frameworks/')), `${key}: the dashboard links a framework`);
            for (const h of hrefs) {
                assert.ok(h.startsWith('/'), `${key}: a link to ${h} leaves the site`);
                const res = await jar.get(h, { html: true });
                if (res.status !== 200) report.push(`${key}: ${h} answers ${res.status}`);
            }

            // The JSON says what the page offers: the role's description is what it does today.
            const j = await jar.get('/dashboard');
            assert.equal(j.status, 200);
            for (const role of j.json.roles) {
                assert.ok(role.description && role.description.length > 20, `${key}: ${role.role} is described`);
                for (const w of promisesIn(role.description)) report.push(`${key} role ${role.role}: ${w}`);
            }
        }
        assert.deepEqual(report, [], report.join('\n'));
    });
});

test('the home page, the role help and the e-mails promise nothing unbuilt', { timeout: 120000 }, async () => {
    await withServer({ args: ['--public-url', 'https://ctoframe.example.org'] }, async (ctx) => {
        await ctx.start();
        const report = [];

        // The home page, signed out and signed in. A framework's description is the
        // package's text about the framework (how the field uses it), not an offer of ours.
        const anon = ctx.jar();
        const home = await anon.get('/', { html: true });
        assert.equal(home.status, 200);
        const data = (await anon.get('/')).json;
        const descriptions = data.frameworks.map((f) => f.description).filter(Boolean);
        for (const w of promisesIn(textOf(home.text), { except: descriptions })) report.push(`home: ${w}`);
        const admin = await ctx.signIn(ctx.w.people.program_admin.email);
        const home2 = await admin.get('/', { html: true });
        for (const w of promisesIn(textOf(home2.text), { except: descriptions })) report.push(`home (signed in): ${w}`);
        const login = await anon.get('/login', { html: true });
        for (const w of promisesIn(textOf(login.text))) report.push(`sign-in page: ${w}`);

        // The role help under the invitation form: every role, as the program admin sees it.
        const people = await admin.get('/admin/people', { html: true });
        assert.equal(people.status, 200);
        const help = /What each of these roles does[\s\S]*?<\/dl>/.exec(people.text);
        assert.ok(help, 'the people page explains the roles');
        const helpText = textOf(help[0]);
        for (const label of ['Technology leader', 'Evaluator', 'District administrator', 'Examiner', 'Program administrator']) {
            assert.ok(helpText.includes(label), `the role help names ${label}`);
        }
        for (const w of promisesIn(helpText)) report.push(`role help: ${w}`);
        const offered = (await admin.get('/admin/people')).json.roles_offered;
        if (offered) for (const o of offered) for (const w of promisesIn(o.description)) report.push(`role ${o.role}: ${w}`);

        // The invitation (by a district administrator) and the password reset e-mails.
        const dadmin = await ctx.signIn(ctx.w.people.district_admin_a.email);
        const inv = await dadmin.post('/admin/people', {
            name: 'New Leader',
            email: 'new.leader@example.org',
            org: ctx.w.orgs.a,
            role: 'leader',
        });
        assert.ok(inv.status === 200 || inv.status === 201, `invite: ${show(inv)}`);
        const reset = await ctx.jar().post('/reset', { email: ctx.w.people.leader_a.email });
        assert.ok(reset.status < 400, `reset: ${show(reset)}`);
        const mails = await outbox(ctx.db);
        const invite = mails.find((m) => m.kind === 'invite' && m.to_addr === 'new.leader@example.org');
        const resetMail = mails.find((m) => m.kind === 'reset' && m.to_addr === ctx.w.people.leader_a.email);
        assert.ok(invite, 'the invitation is in the outbox');
        assert.ok(resetMail, 'the reset message is in the outbox');
        assert.match(invite.body, /framework/i, 'the invitation says what the person can do');
        for (const m of [invite, resetMail]) {
            for (const w of promisesIn(`${m.subject}\n${m.body}`)) report.push(`${m.kind} e-mail: ${w}`);
        }
        assert.deepEqual(report, [], report.join('\n'));
    });
});
