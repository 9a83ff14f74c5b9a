// The public registry (issue 8 point 7) and the demo program (point 9).
//
// GET /registry?q=&state=&page= searches credentials by name, organization, state and number,
// case and accents aside, 25 a page, status and dates only; its JSON has exactly the fields
// {"results":[{number,name,organization,state,status,issued_on,expires_on}],"total":N}. A
// holder may leave the directory (/me/registry) and is still verified by number
// (GET /verify/NUMBER); an unknown number is 404; an erased holder is in neither. The page
// counts credentials by state and status. `ctoframe demo` fills the registry with fictional
// holders and `ctoframe demo --remove` takes out exactly those.
//
// Credentials are written with SQL straight into the database (sqlite3, or psql when
// CTOFRAME_TEST_DB is a PostgreSQL URL: resultshelp.mjs), so that names, organizations and
// states are exactly what each search needs; the same SQL runs on both databases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from './resultshelp.mjs';
import { withServer, cli, cliJson, show } from './authhelp.mjs';

const FIELDS = ['number', 'name', 'organization', 'state', 'status', 'issued_on', 'expires_on'];

const q = (s) => (s === null || s === undefined ? 'NULL' : `'${String(s).replace(/'/g, "''")}'`);

/** Inserts an organization (the triggers of migration 018 give a state its code). */
async function org(db, name, kind, parent) {
    const id = randomUUID();
    await sql(db, `INSERT INTO orgs (id, kind, name, parent_id, created_at, updated_at)
        VALUES (${q(id)}, ${q(kind)}, ${q(name)}, ${q(parent)}, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');`);
    return id;
}

/** Inserts a person and a credential of the CETL program; the person id. */
async function holder(db, { name, org: orgId, number, status = 'active', person, listed = 1 }) {
    const pid = person || randomUUID();
    let text = '';
    if (!person) {
        text += `INSERT INTO people (id, email, name, org_id, status, pseudonym, created_at, updated_at)
            VALUES (${q(pid)}, ${q(`${pid}@example.org`)}, ${q(name)}, ${q(orgId)}, 'active', 'P', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');`;
    }
    text += `INSERT INTO credentials (id, number, program_id, person_id, status, issued_on, term_start, expires_on,
            rules_version, listed, created_at, updated_at)
        VALUES (${q(randomUUID())}, ${q(number)}, (SELECT id FROM programs WHERE code = 'CETL'), ${q(pid)}, ${q(status)},
            '2025-03-01', '2025-03-01', '2028-03-01', 1, ${listed}, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');`;
    await sql(db, text);
    return pid;
}

const numbers = (r) => r.json.results.map((x) => x.number).sort();

test('registry search: name with and without accents, state, organization, number, paging, the exact JSON', { timeout: 120000 }, async () => {
    await withServer({}, async (ctx) => {
        await ctx.start();
        const db = ctx.db;
        const ohio = await org(db, 'Ohio', 'state');
        const union = await org(db, 'Ünïon Valley Schools', 'district', ohio);
        const school = await org(db, 'Riverside High', 'school', union);
        const texas = await org(db, 'Texas', 'state');
        const austin = await org(db, 'Bluebonnet ISD', 'district', texas);
        await holder(db, { name: 'Zoë Ångström', org: union, number: 'CETL-2025-000777' });
        await holder(db, { name: 'José Núñez', org: school, number: 'CETL-2025-000778', status: 'expiring' });
        await holder(db, { name: 'Zoe Plain', org: austin, number: 'CETL-2025-000779', status: 'lapsed' });
        const anon = ctx.jar();

        // Name, with and without accents, in any case.
        for (const text of ['zoe angstrom', 'ZOË ÅNGSTRÖM', 'Zoë', 'angst']) {
            const r = await anon.get(`/registry?q=${encodeURIComponent(text)}`);
            assert.equal(r.status, 200, show(r));
            assert.ok(numbers(r).includes('CETL-2025-000777'), `${text}: ${show(r)}`);
        }
        let r = await anon.get('/registry?q=zoe');
        assert.deepEqual(numbers(r), ['CETL-2025-000777', 'CETL-2025-000779']);
        r = await anon.get('/registry?q=jose%20nunez');
        assert.deepEqual(numbers(r), ['CETL-2025-000778']);

        // The JSON has exactly the documented shape: results of seven fields, and total.
        assert.deepEqual(Object.keys(r.json).sort(), ['results', 'total']);
        assert.equal(r.json.total, 1);
        assert.deepEqual(Object.keys(r.json.results[0]).sort(), [...FIELDS].sort());
        assert.deepEqual(r.json.results[0], {
            number: 'CETL-2025-000778', name: 'José Núñez', organization: 'Riverside High', state: 'OH',
            status: 'expiring', issued_on: '2025-03-01', expires_on: '2028-03-01',
        });
        assert.ok(!JSON.stringify(r.json).includes('@example.org'), 'no e-mail address');

        // State: the code of the state above the holder's organization (school → district → state).
        r = await anon.get('/registry?state=oh');
        assert.deepEqual(numbers(r), ['CETL-2025-000777', 'CETL-2025-000778']);
        r = await anon.get('/registry?state=TX&q=zoe');
        assert.deepEqual(numbers(r), ['CETL-2025-000779']);
        r = await anon.get('/registry?q=texas');
        assert.deepEqual(numbers(r), ['CETL-2025-000779'], 'the state name is searched too');
        r = await anon.get('/registry?state=Ohio');
        assert.equal(r.status, 400, show(r));
        assert.equal(r.json.error.field, 'state');

        // Organization, accents aside; the number, case and dashes aside.
        r = await anon.get('/registry?q=union%20valley');
        assert.deepEqual(numbers(r), ['CETL-2025-000777', 'CETL-2025-000778'], 'the district and the schools under it');
        r = await anon.get('/registry?q=riverside');
        assert.deepEqual(numbers(r), ['CETL-2025-000778']);
        r = await anon.get('/registry?q=cetl-2025-000779');
        assert.deepEqual(numbers(r), ['CETL-2025-000779']);
        r = await anon.get('/registry?q=%22%27*%20OR%20NEAR(');
        assert.equal(r.status, 200, `query syntax is not passed through: ${show(r)}`);

        // Paging: 25 a page, in name order, no result twice, the total on every page.
        for (let i = 0; i < 30; i++) {
            await holder(db, { name: `Pagetest Holder ${String(i).padStart(2, '0')}`, org: austin, number: `CETL-2024-${String(500 + i).padStart(6, '0')}` });
        }
        const p1 = await anon.get('/registry?q=pagetest');
        const p2 = await anon.get('/registry?q=pagetest&page=2');
        const p3 = await anon.get('/registry?q=pagetest&page=3');
        assert.equal(p1.json.total, 30);
        assert.equal(p2.json.total, 30);
        assert.equal(p1.json.results.length, 25);
        assert.equal(p2.json.results.length, 5);
        assert.equal(p3.json.results.length, 0);
        const names = [...p1.json.results, ...p2.json.results].map((x) => x.name);
        assert.deepEqual(names, [...names].sort());
        assert.equal(new Set(names).size, 30);
        r = await anon.get('/registry?q=pagetest&page=0');
        assert.equal(r.status, 400, show(r));
        assert.equal(r.json.error.field, 'page');
        // The page again: the message, and the search's own first page below it (not everyone).
        r = await anon.get('/registry?q=pagetest&page=0', { html: true });
        assert.equal(r.status, 400, show(r));
        assert.match(r.text, /Choose a page number/);
        assert.match(r.text, /1–25 of 30 matching/);
        assert.match(r.text, /value="pagetest"/);
        // A search that cannot be run lists nobody under it.
        r = await anon.get(`/registry?q=${'x'.repeat(300)}`, { html: true });
        assert.equal(r.status, 400, show(r));
        assert.doesNotMatch(r.text, /<td data-label="Name">/);
        assert.doesNotMatch(r.text, /matching|No credential matches/);
        const html = await anon.get('/registry?q=pagetest', { html: true });
        assert.equal(html.status, 200);
        assert.match(html.text, /href="\/registry\?q=pagetest&amp;page=2" rel="next"/);

        // Writes elsewhere keep the index in step (triggers): a renamed organization and person.
        await sql(db, `UPDATE orgs SET name = 'Quartzite Unified' WHERE id = ${q(union)};`);
        r = await anon.get('/registry?q=quartzite');
        assert.deepEqual(numbers(r), ['CETL-2025-000777', 'CETL-2025-000778']);
        r = await anon.get('/registry?q=union%20valley');
        assert.equal(r.json.total, 0);
        await sql(db, `UPDATE orgs SET name = 'Oregon' WHERE id = ${q(ohio)};`);
        r = await anon.get('/registry?state=OR');
        assert.deepEqual(numbers(r), ['CETL-2025-000777', 'CETL-2025-000778'], 'a renamed state takes its new code');
    });
});

test('holders leave and rejoin the directory and are still verified; unknown 404; erased absent; counts', { timeout: 120000 }, async () => {
    await withServer({}, async (ctx) => {
        await ctx.start();
        const db = ctx.db;
        const w = ctx.w;
        await holder(db, { person: w.people.leader_a.id, number: 'CETL-2025-000101' });
        await holder(db, { person: w.people.leader_b.id, number: 'CETL-2025-000102', status: 'suspended' });
        await holder(db, { person: w.people.evaluator_a.id, number: 'CETL-2025-000103', status: 'revoked', listed: 0 });
        const anon = ctx.jar();
        const leader = await ctx.signIn(w.people.leader_a.email);
        let r = await anon.get('/registry');
        assert.deepEqual(numbers(r), ['CETL-2025-000101', 'CETL-2025-000102'], 'an unlisted credential is not listed');

        // The holder's own page, and the toggle (own credential only).
        r = await leader.get('/me/registry');
        assert.equal(r.status, 200, show(r));
        assert.equal(r.json.credentials.length, 1);
        const mine = r.json.credentials[0];
        assert.equal(mine.listed, true);
        const page = await leader.get('/me/registry', { html: true });
        assert.match(page.text, /Leave the registry/);
        r = await leader.post(`/me/registry/${mine.id}`, { listed: '0' });
        assert.equal(r.status, 200, show(r));
        r = await anon.get('/registry?q=leader');
        assert.deepEqual(numbers(r), ['CETL-2025-000102'], 'gone from the search (leader-b stays)');
        r = await anon.get('/verify/cetl-2025-000101');
        assert.equal(r.status, 200, `still verifies by number (case forgiven): ${show(r)}`);
        assert.deepEqual(r.json, {
            number: 'CETL-2025-000101', name: 'leader-a person', program: r.json.program, status: 'active',
            issued_on: '2025-03-01', expires_on: '2028-03-01',
        });
        assert.ok(r.json.program.length > 0);
        r = await anon.get('/verify/%20CETL-2025-000103%20');
        assert.equal(r.status, 200, `an unlisted revoked one verifies too: ${show(r)}`);
        assert.equal(r.json.status, 'revoked');
        const vhtml = await anon.get('/verify/CETL-2025-000103', { html: true });
        assert.match(vhtml.text, /not in force/);

        // Someone else's credential: not found, and unchanged.
        const other = await ctx.signIn(w.people.leader_b.email);
        r = await other.post(`/me/registry/${mine.id}`, { listed: '1' });
        assert.equal(r.status, 404, show(r));
        r = await other.post(`/me/registry/${mine.id}`, { listed: 'maybe' });
        assert.equal(r.status, 400, show(r));
        assert.equal(r.json.error.field, 'listed');
        r = await anon.get('/registry?q=leader');
        assert.deepEqual(numbers(r), ['CETL-2025-000102']);
        r = await leader.post(`/me/registry/${mine.id}`, { listed: '1' });
        assert.equal(r.status, 200, show(r));
        r = await anon.get('/registry?q=leader');
        assert.deepEqual(numbers(r), ['CETL-2025-000101', 'CETL-2025-000102'], 'back in the directory');
        const admin = await ctx.signIn(w.people.program_admin.email);
        r = await admin.get('/admin/audit?action=credential.unlisted');
        assert.ok(JSON.stringify(r.json).includes('credential.unlisted'), show(r));

        // Unknown numbers: 404 (JSON and page), also for text that is no number at all.
        for (const n of ['CETL-2099-000001', 'not-a-number']) {
            r = await anon.get(`/verify/${n}`);
            assert.equal(r.status, 404, show(r));
            assert.equal(r.json.error.code, 'not_found');
        }
        r = await anon.get('/verify/CETL-2099-000001', { html: true });
        assert.equal(r.status, 404);

        // Counts by state and status, from the rows themselves: two listed, one each.
        r = await anon.get('/registry', { html: true });
        assert.match(r.text, /<strong data-status="active">1<\/strong>/);
        assert.match(r.text, /<strong data-status="suspended">1<\/strong>/);
        assert.match(r.text, /<strong data-status="revoked">0<\/strong>/, 'the unlisted one is not counted');

        // An erased holder: in neither the search nor verification.
        r = await admin.post(`/admin/people/${w.people.leader_b.id}/erase`, { confirm: w.people.leader_b.email });
        assert.ok(r.status === 200 || r.status === 303, show(r));
        r = await anon.get('/registry');
        assert.deepEqual(numbers(r), ['CETL-2025-000101']);
        r = await anon.get('/verify/CETL-2025-000102');
        assert.equal(r.status, 404, show(r));
        r = await anon.get('/registry', { html: true });
        assert.match(r.text, /<strong data-status="suspended">0<\/strong>/);
    });
});

test('ctoframe demo loads a labelled demo in every stage; --remove takes out exactly it', { timeout: 180000 }, async () => {
    await withServer({}, async (ctx) => {
        await ctx.start();
        const db = ctx.db;
        const ohio = await org(db, 'Ohio', 'state');
        await holder(db, { name: 'Real Holder', org: ohio, number: 'CETL-2025-000001' });
        const anon = ctx.jar();
        const before = await anon.get('/registry');
        assert.equal(before.json.total, 1);
        const tables = ['orgs', 'people', 'applications', 'application_events', 'authorizations', 'exam_results',
            'credentials', 'credential_events', 'ce_activities'];
        const count = async () => {
            const out = await sql(db, tables.map((t) => `SELECT COUNT(*) FROM ${t};`).join(''));
            return Object.fromEntries(out.trim().split('\n').map((n, i) => [tables[i], Number(n)]));
        };
        const rowsBefore = await count();

        const loaded = await cliJson(['demo'], { db });
        assert.ok(loaded.people >= 200 && loaded.people <= 500, JSON.stringify(loaded));
        const after = await count();
        for (const t of tables) assert.ok(after[t] > rowsBefore[t], `${t} has demo rows`);
        // Every stage and every status.
        const stages = (await sql(db, "SELECT DISTINCT status FROM applications WHERE demo = 1 ORDER BY 1;")).trim().split('\n');
        for (const s of ['approved', 'draft', 'rejected', 'submitted']) assert.ok(stages.includes(s), `application ${s}: ${stages}`);
        const statuses = (await sql(db, "SELECT DISTINCT status FROM credentials WHERE demo = 1 ORDER BY 1;")).trim().split('\n');
        assert.deepEqual(statuses, ['active', 'expired', 'expiring', 'lapsed', 'revoked', 'suspended']);
        const orgNames = (await sql(db, 'SELECT name FROM orgs WHERE demo = 1;')).trim().split('\n');
        assert.ok(orgNames.every((n) => n.startsWith('Demo ')), 'demo organizations are labelled');
        const states = (await sql(db, "SELECT COUNT(DISTINCT state) FROM registry WHERE state <> '';")).trim();
        assert.ok(Number(states) >= 10, `many states: ${states}`);

        // The registry shows the holders, with the badge on the page.
        let r = await anon.get('/registry');
        assert.ok(r.json.total > 100, show(r));
        const page = await anon.get('/registry', { html: true });
        assert.match(page.text, /Demo data/);
        const demoNumber = r.json.results.find((x) => x.number !== 'CETL-2025-000001').number;
        const v = await anon.get(`/verify/${demoNumber}`, { html: true });
        assert.match(v.text, /Demo data/);

        // A second load is refused; the same day gives the same demo (seeded).
        const again = await cli(['demo'], { db });
        assert.equal(again.code, 1, again.stderr);
        assert.match(again.stderr, /already loaded/);

        // The running system writes about demo rows (the tick's reminders and their messages,
        // for holders whose expiry comes near): --remove still takes the whole demo out, and
        // no message to a demo person is left waiting to be sent.
        const tick = await cli(['tick'], { db, env: { CTOFRAME_NOW: '2027-06-01T00:00:00Z' } });
        assert.equal(tick.code, 0, tick.stderr);
        assert.ok(Number((await sql(db, 'SELECT COUNT(*) FROM credential_reminders;')).trim()) > 0, 'the tick queued reminders');

        const removed = await cliJson(['demo', '--remove'], { db });
        assert.equal(removed.people, loaded.people);
        assert.equal((await sql(db, "SELECT COUNT(*) FROM outbox WHERE person_id IS NULL AND status = 'pending';")).trim(), '0');
        assert.equal((await sql(db, 'SELECT COUNT(*) FROM credential_reminders;')).trim(), '0');
        assert.deepEqual(await count(), rowsBefore, 'exactly the demo rows are gone');
        r = await anon.get('/registry');
        assert.deepEqual(r.json, before.json, 'the registry is as before');

        // Deterministic: loaded again, the same holders.
        await cliJson(['demo'], { db });
        const second = await anon.get('/registry');
        assert.equal(second.json.total, loaded.credentials - (await sql(db, 'SELECT COUNT(*) FROM credentials WHERE demo = 1 AND listed = 0;')).trim() * 1 + 1);
        await cliJson(['demo', '--remove'], { db });

        // --holders N: N holders, each with a credential.
        const big = await cliJson(['demo', '--holders', '1500'], { db });
        assert.equal(big.credentials, 1500);
        assert.equal(big.people, 1500);
        // A word most holders share (more than 1,000 matches: the name-index walk): the same
        // total as the database counts, in name order across pages, with and without a state.
        const visible = Number((await sql(db, "SELECT COUNT(*) FROM registry WHERE visible = 1 AND doc LIKE '%Demo%';")).trim());
        const p1 = await anon.get('/registry?q=demo');
        const p2 = await anon.get('/registry?q=demo&page=2');
        assert.equal(p1.json.total, visible);
        const names = [...p1.json.results, ...p2.json.results].map((x) => x.name.toLowerCase());
        assert.equal(names.length, 50);
        assert.deepEqual(names, [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
        const inOh = Number((await sql(db, "SELECT COUNT(*) FROM registry WHERE visible = 1 AND state = 'OH' AND doc LIKE '%Demo%';")).trim());
        const oh = await anon.get('/registry?q=demo&state=OH');
        assert.equal(oh.json.total, inOh);
        assert.ok(oh.json.results.every((x) => x.state === 'OH'));
        const bad = await cli(['demo', '--holders', 'many'], { db });
        assert.equal(bad.code, 2);
        await cliJson(['demo', '--remove'], { db });
        assert.deepEqual(await count(), rowsBefore);
    });
});

test('serve --demo (make run) loads the demo on a new database only; plain serve does not', { timeout: 120000 }, async () => {
    await withServer({ world: false }, async (ctx) => {
        await ctx.start();
        let r = await ctx.jar().get('/registry');
        assert.equal(r.json.total, 0, 'no demo without --demo');
    });
    await withServer({ world: false, args: ['--demo'] }, async (ctx) => {
        await ctx.start();
        assert.match(ctx.srv.stderr(), /loaded the demo program .*ctoframe demo --remove/);
        const first = await ctx.jar().get('/registry');
        assert.ok(first.json.total > 100, show(first));
        await ctx.start(); // not a new database any more: nothing is loaded again
        const again = await ctx.jar().get('/registry');
        assert.equal(again.json.total, first.json.total);
        assert.doesNotMatch(ctx.srv.stderr(), /loaded the demo/);
    });
});
