// Correcting organizations (issue 7, point 1) and the erasure's confirming step (point 12):
// rename, move within the placement rules and the actor's reach, delete only what holds
// nothing (with the reasons when refused), an audit entry for each change, districts without
// a state marked wherever they are listed; the same through `ctoframe org rename/move/delete`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { startServer, isPostgresUrl } from './helper.mjs';
import { CHEAP, ownDb, addOrg, addUser, buildWorld, signIn, show, cli, cliOk, cliJson } from './authhelp.mjs';

let d, srv, w, admin, daA, daB;
let otherState, oldDistrict;

/** Runs one SQL statement on the test's database (SQLite file or PostgreSQL URL). */
function rawSql(db, sql) {
    const r = isPostgresUrl(db)
        ? spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', db, '-c', sql], { encoding: 'utf8' })
        : spawnSync('python3', ['-c', 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit(); c.close()', db, sql], {
              encoding: 'utf8',
          });
    assert.equal(r.status, 0, `${sql}: ${r.stderr}`);
}

before(async () => {
    d = await ownDb();
    w = await buildWorld(d.db);
    otherState = await addOrg(d.db, 'Other State', 'state');
    // A district added before districts had to belong to a state: only raw SQL makes one now.
    oldDistrict = randomUUID();
    rawSql(
        d.db,
        `INSERT INTO orgs (id, kind, name, parent_id, created_at, updated_at) VALUES ('${oldDistrict}', 'district', 'Old District', NULL, '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z')`,
    );
    srv = await startServer({ db: d.db, env: CHEAP });
    admin = await signIn(srv.url, w.people.program_admin.email);
    daA = await signIn(srv.url, w.people.district_admin_a.email);
    daB = await signIn(srv.url, w.people.district_admin_b.email);
});

after(async () => {
    if (srv) await srv.stop();
    if (d) await d.drop();
});

const org = async (id) => (await admin.get(`/admin/orgs/${id}`)).json.org;

/** The audit entries about object id with action, newest first. */
async function audited(id, action) {
    const r = await admin.get(`/admin/audit?object=${id}&limit=1000`);
    assert.equal(r.status, 200, show(r));
    return r.json.entries.filter((e) => e.action === action);
}

function assertRefused(r, status, field, re, what) {
    assert.equal(r.status, status, `${what}: ${show(r)}`);
    assert.equal(r.json.error.field || '', field, `${what}: the field at fault`);
    if (re) assert.match(r.json.error.message, re, what);
    assert.match(r.json.error.message, /^[A-Z].*\.$/, `${what}: one sentence, capital and full stop`);
}

test('rename: the new name is kept and audited with the old one', async () => {
    const id = await addOrg(d.db, 'Scool With Typo', 'school', { parent: w.orgs.b });
    const r = await admin.post(`/admin/orgs/${id}`, { name: 'School With No Typo' });
    assert.equal(r.status, 200, show(r));
    assert.equal((await org(id)).name, 'School With No Typo');
    const [e] = await audited(id, 'org.update');
    assert.equal(e.before.name, 'Scool With Typo');
    assert.equal(e.after.name, 'School With No Typo');
    // A name another school of the same district has: refused beside the name.
    const twin = await addOrg(d.db, 'Twin School', 'school', { parent: w.orgs.b });
    assertRefused(await admin.post(`/admin/orgs/${twin}`, { name: 'school with no typo' }), 409, 'name', /already/, 'a taken name');
    assert.equal((await org(twin)).name, 'Twin School');
});

test('move: a district to another state, a school to another district; audited as org.move', async () => {
    const dist = await addOrg(d.db, 'Moving District', 'district', { parent: w.orgs.state });
    const school = await addOrg(d.db, 'Moving School', 'school', { parent: dist });
    let r = await admin.post(`/admin/orgs/${dist}`, { name: 'Moving District', parent: otherState });
    assert.equal(r.status, 200, show(r));
    assert.equal((await org(dist)).parent_id, otherState);
    const [e] = await audited(dist, 'org.move');
    assert.ok(e, 'an org.move entry');
    assert.equal(e.before.parent_id, w.orgs.state);
    assert.equal(e.after.parent_id, otherState);
    // The list puts it (and its school) under the other state.
    const list = (await admin.get('/admin/orgs')).json.orgs;
    const at = (id) => list.findIndex((o) => o.id === id);
    assert.ok(at(otherState) < at(dist) && at(dist) < at(school), 'under Other State in the tree');
    assert.equal(list[at(dist)].depth, 1);
    assert.equal(list[at(school)].depth, 2);
    // A school, named by its new district's name, by a district admin who looks after both ends.
    r = await daA.post(`/admin/orgs/${w.orgs.schoolA}`, { name: 'School A1', parent: w.orgs.a });
    assert.equal(r.status, 200, `an unchanged parent is no move: ${show(r)}`);
    assert.equal((await audited(w.orgs.schoolA, 'org.move')).length, 0, 'nothing moved, nothing audited as a move');
    // District admin A saves their district with its state (which they cannot open): no move.
    r = await daA.post(`/admin/orgs/${w.orgs.a}`, { name: 'District A', parent: w.orgs.state });
    assert.equal(r.status, 200, `their district's own state: ${show(r)}`);
    r = await admin.post(`/admin/orgs/${school}`, { name: 'Moving School', parent: 'District B' });
    assert.equal(r.status, 200, show(r));
    assert.equal((await org(school)).parent_id, w.orgs.b);
});

test('forbidden moves: a district to nothing, into its own school, a state under a state, outside reach', async () => {
    const before = await org(w.orgs.a);
    assertRefused(await admin.post(`/admin/orgs/${w.orgs.a}`, { name: 'District A', parent: '' }), 400, 'parent', /district belongs to a state/i, 'district to nothing');
    assertRefused(await admin.post(`/admin/orgs/${w.orgs.a}`, { name: 'District A', parent: w.orgs.schoolA }), 400, 'parent', /state/, 'district into its own school');
    assertRefused(await admin.post(`/admin/orgs/${w.orgs.a}`, { name: 'District A', parent: w.orgs.b }), 400, 'parent', /state/, 'district into a district');
    assertRefused(await admin.post(`/admin/orgs/${w.orgs.state}`, { name: 'State', parent: otherState }), 400, 'parent', /stands on its own/, 'state under a state');
    assertRefused(await admin.post(`/admin/orgs/${w.orgs.schoolA}`, { name: 'School A1', parent: w.orgs.state }), 400, 'parent', /school belongs to a district/i, 'school under a state');
    assertRefused(await admin.post(`/admin/orgs/${w.orgs.schoolA}`, { name: 'School A1', parent: randomUUID() }), 400, 'parent', /no organization/, 'an unknown parent');
    // District admin A: district B is out of reach (an unknown place), and so is the state.
    assertRefused(await daA.post(`/admin/orgs/${w.orgs.schoolA}`, { name: 'School A1', parent: w.orgs.b }), 400, 'parent', /no organization/, 'school to another district');
    assertRefused(await daA.post(`/admin/orgs/${w.orgs.a}`, { name: 'District A', parent: otherState }), 400, 'parent', /no organization/, 'own district to another state');
    // District admin B: district A does not exist for them.
    assert.equal((await daB.post(`/admin/orgs/${w.orgs.a}`, { name: 'District A', parent: otherState })).status, 404);
    assert.equal((await daB.post(`/admin/orgs/${w.orgs.schoolA}`, { name: 'School A1', parent: w.orgs.b })).status, 404);
    // Nothing moved, nothing audited.
    assert.deepEqual(await org(w.orgs.a), before);
    assert.equal((await org(w.orgs.schoolA)).parent_id, w.orgs.a);
    assert.equal((await audited(w.orgs.a, 'org.move')).length, 0);
    assert.equal((await audited(w.orgs.schoolA, 'org.move')).length, 0);
});

test('adding a district that belongs to nothing is refused beside "Belongs to"', async () => {
    assertRefused(await admin.post('/admin/orgs', { name: 'Floating District', kind: 'district', parent: '' }), 400, 'parent', /belongs to a state/, 'JSON');
    const r = await admin.post('/admin/orgs', { name: 'Floating District', kind: 'district', parent: '' }, { form: true, html: true });
    assert.equal(r.status, 400);
    assert.match(r.text, /<p class="field-error" id="parent-error">A district belongs to a state\. Choose its state\.<\/p>\s*<select id="parent" name="parent" aria-invalid="true"/);
    const list = (await admin.get('/admin/orgs')).json.orgs;
    assert.ok(!list.some((o) => o.name === 'Floating District'), 'nothing was added');
});

test('a district without a state is marked on the list, the page and the choices, and can be fixed', async () => {
    let list = (await admin.get('/admin/orgs')).json;
    const old = list.orgs.find((o) => o.id === oldDistrict);
    assert.equal(old.no_state, true);
    assert.equal(list.orgs.filter((o) => o.no_state).length, 1, 'only the one without a state');
    assert.equal(list.parents.find((o) => o.id === oldDistrict).no_state, true);
    let html = (await admin.get('/admin/orgs', { html: true })).text;
    assert.match(html, new RegExp(`<a href="/admin/orgs/${oldDistrict}">Old District</a> <span class="tag">district</span> <a class="tag tag-warn" href="/admin/orgs/${oldDistrict}#parent">No state — choose one</a>`));
    assert.match(html, /Old District \(district, no state\)<\/option>/);
    // The organization choices of the invite form and of a person's roles say so too.
    for (const p of ['/admin/people', `/admin/people/${w.people.leader_a.id}`]) {
        assert.match((await admin.get(p, { html: true })).text, new RegExp(`<option value="${oldDistrict}">Old District \\(district, no state\\)</option>`), p);
    }
    html = (await admin.get(`/admin/orgs/${oldDistrict}`, { html: true })).text;
    assert.match(html, /<dt>Belongs to<\/dt><dd><span class="tag tag-warn">No state — choose one<\/span> <a href="#parent">/);
    assert.match(html, /<select id="parent" name="parent">\s*<option value="">Choose a state<\/option>/);
    assert.match(html, new RegExp(`<option value="${otherState}">Other State \\(state\\)</option>`));
    const listed = await cliOk(['org', 'list'], { db: d.db });
    assert.match(listed, new RegExp(`district Old District \\[no state: \`ctoframe org move\` it into one\\]  ${oldDistrict}`));
    // Saved without choosing: the name changes, the place stays as it was.
    let r = await admin.post(`/admin/orgs/${oldDistrict}`, { name: 'Old District', parent: '', enrollment: '120' });
    assert.equal(r.status, 200, show(r));
    assert.equal((await org(oldDistrict)).parent_id, null);
    // Fixed: the mark is gone everywhere.
    r = await admin.post(`/admin/orgs/${oldDistrict}`, { name: 'Old District', parent: otherState }, { form: true, html: true });
    assert.equal(r.status, 303, show(r));
    list = (await admin.get('/admin/orgs')).json;
    assert.equal(list.orgs.find((o) => o.id === oldDistrict).no_state, undefined);
    assert.ok(!(await admin.get('/admin/orgs', { html: true })).text.includes('No state — choose one'));
    assert.equal((await audited(oldDistrict, 'org.move'))[0].after.parent_id, otherState);
});

test('delete is refused while the organization holds people, roles or organizations, and says which', async () => {
    // District A: its administrator, leader and evaluator (3 people, 3 roles) and school A1.
    let r = await admin.post(`/admin/orgs/${w.orgs.a}/delete`, {});
    assertRefused(r, 409, '', null, 'district A');
    assert.equal(r.json.error.message, 'This organization still has 3 people, 3 roles given in it and 1 child organization. Move or remove them first.');
    // The state: two districts (and more added by other tests), nobody.
    const kids = (await admin.get(`/admin/orgs/${w.orgs.state}`)).json.children.length;
    r = await admin.post(`/admin/orgs/${w.orgs.state}/delete`, {});
    assertRefused(r, 409, '', new RegExp(`^This organization still has ${kids} child organizations\\. Move or remove them first\\.$`), 'the state');
    // A school with one role given in it to someone of another organization.
    const school = await addOrg(d.db, 'Granted School', 'school', { parent: w.orgs.b });
    r = await admin.post(`/admin/people/${w.people.leader_b.id}/grant`, { role: 'evaluator', org: school });
    assert.equal(r.status, 200, show(r));
    r = await admin.post(`/admin/orgs/${school}/delete`, {});
    assertRefused(r, 409, '', /^This organization still has 1 role given in it\. Move or remove them first\.$/, 'a granted role');
    // The page says so before anyone tries, and offers no delete button.
    const html = (await admin.get(`/admin/orgs/${w.orgs.a}/delete`, { html: true })).text;
    assert.match(html, /still has 3 people, 3 roles given in it and 1 child organization/);
    assert.ok(!html.includes('action="/admin/orgs/' + w.orgs.a + '/delete"'), 'no delete form');
    // The HTML form comes back with the reason.
    r = await admin.post(`/admin/orgs/${w.orgs.a}/delete`, {}, { form: true, html: true });
    assert.equal(r.status, 409);
    assert.match(r.text, /<h2>The organization was not deleted<\/h2>\s*<p>This organization still has 3 people/);
    for (const id of [w.orgs.a, w.orgs.state, school]) assert.ok(await org(id), 'still there');
    assert.equal((await audited(w.orgs.a, 'org.delete')).length, 0);
});

test('delete of an empty organization: confirmed on its own page, audited, gone', async () => {
    const school = await addOrg(d.db, 'Test Schol', 'school', { parent: w.orgs.a });
    // An erased person's row does not hold it back (it is detached).
    const gone = await addUser(d.db, 'erased-in-school@example.org', { name: 'Erased Someone', role: 'leader', org: school });
    let r = await admin.post(`/admin/people/${gone}/erase`, { confirm: 'erased-in-school@example.org' });
    assert.equal(r.status, 200, show(r));
    // The org page links to a confirmation page that holds the form.
    let html = (await daA.get(`/admin/orgs/${school}`, { html: true })).text;
    assert.match(html, new RegExp(`<a class="button danger" href="/admin/orgs/${school}/delete">Delete Test Schol…</a>`));
    html = (await daA.get(`/admin/orgs/${school}/delete`, { html: true })).text;
    assert.match(html, /<h1>Delete Test Schol\?<\/h1>/);
    assert.match(html, /This cannot be undone\./);
    assert.match(html, new RegExp(`<form method="post" action="/admin/orgs/${school}/delete"`));
    // District admin B: not theirs (404); district admin A: deleted, back to the district.
    assert.equal((await daB.post(`/admin/orgs/${school}/delete`, {})).status, 404);
    r = await daA.post(`/admin/orgs/${school}/delete`, {}, { form: true, html: true });
    assert.equal(r.status, 303, show(r));
    assert.equal(r.headers.location, `/admin/orgs/${w.orgs.a}?done=deleted`);
    assert.match((await daA.get(r.headers.location, { html: true })).text, /The organization has been deleted\./);
    assert.equal((await admin.get(`/admin/orgs/${school}`)).status, 404);
    const [e] = await audited(school, 'org.delete');
    assert.equal(e.before.name, 'Test Schol');
    assert.equal(e.after, null);
    // Deleting it again: there is no such organization.
    assert.equal((await admin.post(`/admin/orgs/${school}/delete`, {})).status, 404);
    // JSON: the answer names what was deleted.
    const st = await addOrg(d.db, 'Empty State', 'state');
    r = await admin.post(`/admin/orgs/${st}/delete`, {});
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.json, { id: st, deleted: true, parent_id: null });
});

test('erasing a person asks for their e-mail address on a confirmation page first', async () => {
    const id = await addUser(d.db, 'erin.erase@example.org', { name: 'Erin Erase', role: 'leader', org: w.orgs.b });
    const html = (await admin.get(`/admin/people/${id}`, { html: true })).text;
    assert.match(html, new RegExp(`<a class="button danger" href="/admin/people/${id}/erase">Erase Erin Erase…</a>`));
    assert.ok(!html.includes(`action="/admin/people/${id}/erase"`), 'no one-click erase form on the person page');
    const page = (await admin.get(`/admin/people/${id}/erase`, { html: true })).text;
    assert.match(page, /<h1>Erase Erin Erase\?<\/h1>/);
    assert.match(page, /erin\.erase@example\.org/);
    assert.match(page, /This cannot be undone\./);
    assert.match(page, /<label for="confirm">To confirm, type Erin Erase's e-mail address<\/label>/);
    // Without the confirmation, or with someone else's address: refused beside the field.
    let r = await admin.post(`/admin/people/${id}/erase`, {});
    assertRefused(r, 400, 'confirm', /Type Erin Erase's e-mail address/, 'no confirmation');
    r = await admin.post(`/admin/people/${id}/erase`, { confirm: 'leader-b@example.org' }, { form: true, html: true });
    assert.equal(r.status, 400);
    assert.match(r.text, /<p class="field-error" id="confirm-error">That is not Erin Erase(?:'|&#39;)s e-mail address\. Type it exactly to confirm the erasure\.<\/p>\s*<input type="text" id="confirm" name="confirm" value="leader-b@example.org"/);
    assert.equal((await admin.get(`/admin/people/${id}`)).json.person.status, 'active', 'not erased');
    // One's own account: the page says so and offers no form.
    const own = (await admin.get(`/admin/people/${w.people.program_admin.id}/erase`, { html: true })).text;
    assert.match(own, /You cannot erase your own account here\./);
    assert.ok(!own.includes(`action="/admin/people/${w.people.program_admin.id}/erase"`));
    // Typed with other capitals: erased.
    r = await admin.post(`/admin/people/${id}/erase`, { confirm: ' Erin.Erase@Example.org ' }, { form: true, html: true });
    assert.equal(r.status, 303, show(r));
    assert.equal(r.headers.location, '/admin/people?done=erased');
    assert.equal((await admin.get(`/admin/people/${id}`)).status, 404, 'an erased person is shown no more');
});

test('ctoframe org rename / move / delete', async () => {
    const db = d.db;
    const id = await addOrg(db, 'Cli Schol', 'school', { parent: w.orgs.a });
    assert.equal((await cliOk(['org', 'rename', id, 'Cli School'], { db })).trim(), id);
    assert.equal((await cliOk(['org', 'move', 'Cli School', '--parent', 'District B'], { db })).trim(), id);
    let r = await cli(['org', 'move', 'Cli School', '--parent', 'State'], { db });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /--parent: A school belongs to a district\. Choose its district\./);
    r = await cli(['org', 'move', 'Cli School'], { db });
    assert.equal(r.code, 2, r.stderr);
    r = await cli(['org', 'delete', 'District A'], { db });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /This organization still has 3 people, 3 roles given in it and 1 child organization\./);
    const row = (await cliJson(['org', 'list'], { db })).find((o) => o.id === id);
    assert.equal(row.name, 'Cli School');
    assert.equal(row.parent_id, w.orgs.b);
    assert.equal((await cliOk(['org', 'delete', id], { db })).trim(), id);
    assert.ok(!(await cliJson(['org', 'list'], { db })).some((o) => o.id === id));
    for (const [action, n] of [['org.update', 1], ['org.move', 1], ['org.delete', 1]]) assert.equal((await audited(id, action)).length, n, action);
});

test('with more than 150 places to choose from, "Belongs to" takes a typed name instead of a list', async () => {
    // 151 more districts in Other State (one statement, both databases).
    const rows = Array.from({ length: 151 }, (_, i) => `('${randomUUID()}', 'district', 'Bulk District ${String(i).padStart(3, '0')}', '${otherState}', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z')`);
    rawSql(d.db, `INSERT INTO orgs (id, kind, name, parent_id, created_at, updated_at) VALUES ${rows.join(', ')}`);
    const school = await addOrg(d.db, 'Roaming School', 'school', { parent: w.orgs.b });
    const r0 = await admin.get(`/admin/orgs/${school}`);
    assert.equal(r0.json.move_choices, undefined, 'no list of every district');
    assert.ok(r0.json.move_text.count > 150, JSON.stringify(r0.json.move_text));
    const html = (await admin.get(`/admin/orgs/${school}`, { html: true })).text;
    assert.ok(!html.includes('<select id="parent"'), 'no select');
    assert.match(html, /<label for="move_to">Move it to <span class="small">\(optional\)<\/span><\/label>\s*<span class="hint" id="move_to-hint">Now in District B\. /);
    // Left empty: renamed, not moved.
    let r = await admin.post(`/admin/orgs/${school}`, { name: 'Roaming School 2', move_to: '' }, { form: true, html: true });
    assert.equal(r.status, 303, show(r));
    assert.equal((await org(school)).parent_id, w.orgs.b);
    // A typed name that is no district: refused beside the field, nothing changed.
    r = await admin.post(`/admin/orgs/${school}`, { name: 'Roaming School 3', move_to: 'Other State' }, { form: true, html: true });
    assert.equal(r.status, 400);
    assert.match(r.text, /<p class="field-error" id="move_to-error">A school belongs to a district\. Choose its district\.<\/p>\s*<input type="text" id="move_to" name="move_to" value="Other State"/);
    assert.equal((await org(school)).name, 'Roaming School 2');
    // A district's name: moved.
    r = await admin.post(`/admin/orgs/${school}`, { name: 'Roaming School 2', move_to: 'bulk district 150' }, { form: true, html: true });
    assert.equal(r.status, 303, show(r));
    assert.equal((await admin.get(`/admin/orgs/${school}`)).json.parent.name, 'Bulk District 150');
});
