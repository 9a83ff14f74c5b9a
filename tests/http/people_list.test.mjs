// The people list at /admin/people: cut to the viewer's reach, searched, filtered by
// organization and paged by the server (50 a page), as JSON and as a page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './helper.mjs';
import { CHEAP, ownDb, addUser, buildWorld, signIn } from './authhelp.mjs';

let d, srv, w, admin, da;
const EXTRA = 55; // more leaders in district A than one page holds

before(async () => {
    d = await ownDb();
    w = await buildWorld(d.db);
    for (let i = 0; i < EXTRA; i++) {
        const n = String(i).padStart(2, '0');
        await addUser(d.db, `extra${n}@example.org`, {
            name: `Extra Leader ${n}`,
            role: 'leader',
            org: i % 2 ? w.orgs.a : w.orgs.schoolA,
            password: null,
            env: CHEAP,
        });
    }
    srv = await startServer({ db: d.db, env: CHEAP });
    admin = await signIn(srv.url, w.people.program_admin.email);
    da = await signIn(srv.url, w.people.district_admin_a.email);
});

after(async () => {
    if (srv) await srv.stop();
    if (d) await d.drop();
});

const emails = (r) => r.json.people.map((p) => p.email);

test('a district admin gets their district in pages of 50, never another district', async () => {
    const inA = 3 + EXTRA; // the district admin, leader and evaluator of A, and the extras
    let r = await da.get('/admin/people');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.total, inA);
    assert.equal(r.json.people.length, 50);
    assert.equal(r.json.page_no, 1);
    assert.equal(r.json.pages, 2);
    assert.equal(r.json.next_href, '/admin/people?page=2');
    assert.equal(r.json.prev_href, undefined);
    const first = emails(r);
    r = await da.get('/admin/people?page=2');
    assert.equal(r.json.people.length, inA - 50);
    assert.equal(r.json.prev_href, '/admin/people?page=1');
    const all = [...first, ...emails(r)];
    assert.equal(new Set(all).size, inA, 'no one twice across the pages');
    for (const who of ['dadmin-b@example.org', 'leader-b@example.org', 'admin@example.org'])
        assert.ok(!all.includes(who), `${who} is outside the district`);
    // In name order, case-insensitive, across the page boundary.
    const names = [];
    for (const p of [1, 2]) names.push(...(await da.get(`/admin/people?page=${p}`)).json.people.map((x) => x.name.toLowerCase()));
    assert.deepEqual(names, [...names].sort());
    // Past the end: an empty page, the same total.
    r = await da.get('/admin/people?page=3');
    assert.equal(r.json.people.length, 0);
    assert.equal(r.json.total, inA);
});

test('search by a piece of a name or address, within the reach only', async () => {
    let r = await da.get('/admin/people?q=EXTRA%20LEADER%200');
    assert.deepEqual(emails(r), Array.from({ length: 10 }, (_, i) => `extra0${i}@example.org`));
    assert.equal(r.json.total, 10);
    r = await da.get('/admin/people?q=leader-b');
    assert.equal(r.json.total, 0, 'district B is not searchable from A');
    r = await admin.get('/admin/people?q=leader-b');
    assert.deepEqual(emails(r), ['leader-b@example.org']);
    // Wildcards of SQL are plain characters.
    r = await admin.get('/admin/people?q=%25');
    assert.equal(r.json.total, 0);
    r = await admin.get('/admin/people?q=_');
    assert.equal(r.json.total, 0);
});

test('an organization filter takes its people and those below it', async () => {
    let r = await admin.get(`/admin/people?org=${encodeURIComponent('School A1')}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.total, Math.ceil(EXTRA / 2));
    assert.equal(r.json.org_name, 'School A1');
    r = await admin.get(`/admin/people?org=${w.orgs.b}`);
    assert.deepEqual(emails(r).sort(), ['dadmin-b@example.org', 'leader-b@example.org']);
    // Another district does not exist for a district admin.
    r = await da.get(`/admin/people?org=${w.orgs.b}`);
    assert.equal(r.status, 404);
    assert.equal(r.json.error.field, 'org');
});

test('the page shows the count, the search box and links that keep the search', async () => {
    const r = await da.get('/admin/people?q=extra%20&page=1', { html: true });
    assert.equal(r.status, 200);
    assert.match(r.text, /1–50 of 55 matching/);
    assert.match(r.text, /<input type="search" id="people-q" name="q" value="extra "/);
    assert.match(r.text, /href="\/admin\/people\?q=extra%20&amp;page=2" rel="next"/);
    assert.match(r.text, /page 1 of 2/);
    const none = await da.get('/admin/people?q=nobody-at-all', { html: true });
    assert.match(none.text, /Nobody matches that search\./);
    assert.match(none.text, /Show everyone/);
});

test('a bad page number is refused by name', async () => {
    for (const p of ['0', '-1', 'two', '1.5', '99999999999']) {
        const r = await da.get(`/admin/people?page=${p}`);
        assert.equal(r.status, 400, `page=${p}`);
        assert.equal(r.json.error.field, 'page');
        assert.match(r.json.error.message, /page number/);
    }
});
