// The audit trail in words (issue 7, point 11): actions as words, names instead of ids,
// e-mail addresses that wrap after "@" and dots; the codes and raw ids stay in the JSON
// and the CSV. An action the words table does not know still reads as words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { isPostgresUrl } from './helper.mjs';
import { withServer, addUser, cliOk, tryLogin, show } from './authhelp.mjs';

const LONG = 'averyveryverylongemailaddressforwrapping@some-very-long-district-domain.example.org';

/** Runs one SQL statement on the test's database (sqlite3 or psql): entries no action writes. */
function sql(db, statement) {
    const [cmd, args] = isPostgresUrl(db)
        ? ['psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', db, '-c', statement]]
        : ['sqlite3', [db, statement]];
    return new Promise((resolve, reject) =>
        execFile(cmd, args, { timeout: 30000 }, (err, stdout, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve(stdout))),
    );
}

/** The text a person reads in the audit table (tags and their attributes left out). */
function tableText(html) {
    const m = /<table class="[^"]*audit[^"]*">([\s\S]*?)<\/table>/.exec(html);
    assert.ok(m, 'the page has the audit table');
    return m[1].replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ');
}

let ctx, admin, page, json, csv, ids;
const cases = [];
const check = (name, fn) => cases.push([name, fn]);

/** Fills the trail: a failed sign-in, a long address, a role, an erased person, odd entries. */
async function fill() {
    const w = ctx.w;
    admin = await ctx.signIn(w.people.program_admin.email);
    await tryLogin(ctx.jar(), w.people.leader_a.email, 'not the password');
    let r = await admin.post('/admin/people', { name: 'Long Address', email: LONG, org: w.orgs.a, role: 'leader' });
    assert.equal(r.status, 201, show(r));
    const gone = await addUser(ctx.db, 'gone@example.org', { name: 'Gone Person', role: 'leader', org: w.orgs.b });
    await cliOk(['user', 'grant', 'gone@example.org', '--role', 'evaluator', '--org', w.orgs.a], { db: ctx.db });
    await cliOk(['user', 'erase', 'gone@example.org'], { db: ctx.db });
    // Entries no action of today writes: an unknown action of a known kind, one of an
    // unknown kind, both about things that are gone (an organization deleted since).
    const deleted = randomUUID();
    ids = { gone, deleted, a: w.orgs.a, b: w.orgs.b };
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    await sql(
        ctx.db,
        `INSERT INTO audit_log (at, actor, org, action, object_type, object_id, before, after, request_id) VALUES` +
            ` ('${now}', 'cli', '${deleted}', 'org.merge_into', 'org', '${deleted}', '{"parent_id":"${w.orgs.a}"}', '{"parent_id":"${w.orgs.b}"}', NULL),` +
            ` ('${now}', 'system', NULL, 'widget.frob_it', 'widget', NULL, NULL, NULL, NULL)`,
    );
    page = (await admin.get('/admin/audit?limit=200', { html: true })).text;
    json = (await admin.get('/admin/audit?limit=200')).json;
    r = await admin.get('/admin/audit.csv');
    assert.equal(r.status, 200, show(r));
    csv = r.text;
}

test('the audit trail in words', { timeout: 120000 }, async (t) => {
    await withServer({}, async (c) => {
        ctx = c;
        await c.start();
        await fill();
        for (const [name, fn] of cases) await t.test(name, fn);
    });
});

check('actions read as words; the codes stay out of the table but in the JSON and the CSV', () => {
    const text = tableText(page);
    for (const words of ['Sign-in failed', 'Signed in', 'Person added', 'Role given', 'Person erased'])
        assert.ok(text.includes(words), `the table says "${words}"`);
    for (const code of ['auth.login_failed', 'auth.login', 'person.add', 'grant.add', 'person.erase', 'org.merge_into', 'widget.frob_it'])
        assert.ok(!text.includes(code), `the table does not show the code ${code}`);
    const actions = new Set(json.entries.map((e) => e.action));
    for (const code of ['auth.login_failed', 'person.add', 'grant.add', 'person.erase'])
        assert.ok(actions.has(code), `the JSON keeps the code ${code}`);
    for (const code of ['auth.login_failed', 'person.add', 'grant.add', 'person.erase', 'org.merge_into'])
        assert.match(csv, new RegExp(`"${code.replace('.', '\\.')}"`), `the CSV keeps the code ${code}`);
});

check('an action the words table does not know still reads as words', () => {
    const text = tableText(page);
    assert.ok(text.includes('Organization: merge into'), 'a new action of a known kind');
    assert.ok(text.includes('Widget frob it'), 'an action of a kind not known at all');
    const e = json.entries.find((x) => x.action === 'org.merge_into');
    assert.equal(e.action_words, 'Organization: merge into');
});

check('names instead of ids; gone subjects said so; raw ids kept in the JSON and the CSV', () => {
    const text = tableText(page);
    // The role given in district A names the district, and the role by its label.
    const grant = json.entries.find((x) => x.action === 'grant.add' && x.object_name === 'Long Address');
    assert.ok(grant, 'the role given to the new person');
    const org = grant.changes.find((c) => c.field === 'org_id');
    assert.equal(org.after, ids.a, 'the JSON keeps the id');
    assert.equal(org.after_shown.text, 'District A');
    assert.equal(org.label, 'Organization');
    assert.ok(!text.includes(ids.a), 'no organization id in the table');
    assert.ok(!text.includes(ids.b), 'no organization id in the table (the moved one)');
    assert.ok(text.includes('Technology leader'), 'the role by its label');
    // The erased person and the deleted organization.
    assert.ok(text.includes('(erased person)'), 'an erased person is said to be erased');
    assert.ok(!text.includes('Gone Person'), 'the erased name is not shown');
    assert.ok(!text.includes(ids.gone), 'nor their id');
    const merged = json.entries.find((x) => x.action === 'org.merge_into');
    assert.equal(merged.org_label, '(deleted organization)');
    assert.equal(merged.object_label, '(deleted organization)');
    assert.deepEqual(merged.changes.map((c) => [c.before_shown.text, c.after_shown.text]), [['District A', 'District B']]);
    assert.ok(!text.includes(ids.deleted), 'the deleted organization is not an id');
    assert.ok(text.includes('(deleted organization)'));
    assert.ok(text.includes('Command line') && text.includes('The system'), 'cli and system in words');
    assert.ok(csv.includes(ids.deleted) && csv.includes(ids.a), 'the CSV keeps the ids');
});

check('a long e-mail address wraps after "@" and dots, not mid-word', () => {
    assert.ok(
        page.includes('<span class="addr">averyveryverylongemailaddressforwrapping@<wbr>some-very-long-district-domain.<wbr>example.<wbr>org'),
        'the address is cut after @ and each dot',
    );
});

check('the filter offers the actions in words, and keeps an unknown one', async () => {
    const sel = /<select id="f-action" name="action">([\s\S]*?)<\/select>/.exec(page);
    assert.ok(sel, 'the action filter is a list');
    assert.match(sel[1], /<option value="auth\.login_failed">– Sign-in failed<\/option>/);
    assert.match(sel[1], /<option value="org">Every action on organizations<\/option>/);
    const r = await admin.get('/admin/audit?action=org.merge_into', { html: true });
    assert.match(r.text, /<option value="org\.merge_into" selected>– Organization: merge into<\/option>/);
    assert.equal(tableText(r.text).includes('Organization: merge into'), true);
    assert.equal(tableText(r.text).includes('Person added'), false, 'the filter filters');
});
