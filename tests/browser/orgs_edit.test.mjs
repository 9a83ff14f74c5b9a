// Correcting an organization and erasing a person, in a real browser, without JavaScript
// of our own: the organization page's edit form moves a district without a state into one,
// a school that holds nothing is deleted after a confirmation page, and erasing a person
// takes a confirmation page where their e-mail address is typed. Each page is scanned with
// axe-core and checked at a 390 px phone width for anything cut off.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { startServer, isPostgresUrl } from '../http/helper.mjs';
import { CHEAP, ownDb, addOrg, addUser, buildWorld } from '../http/authhelp.mjs';
import { launchBrowser, formatViolations, clickAndWait, signIn, check, closeAll } from './helper.mjs';

let d, srv, browser, w;
let lone, typo, erin;
const scanned = new Map();
const expectedErrors = [];

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
    // A district from before districts had to belong to a state, with a long name.
    lone = randomUUID();
    rawSql(
        d.db,
        `INSERT INTO orgs (id, kind, name, parent_id, created_at, updated_at) VALUES ('${lone}', 'district', 'Northwestern Consolidated Independent School District Number Seven', NULL, '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z')`,
    );
    typo = await addOrg(d.db, 'Lincon Elementary', 'school', { parent: w.orgs.a });
    erin = await addUser(d.db, 'erin.verylongaddressforaphone@springfield-public-schools.example.org', {
        name: 'Erin Example',
        role: 'leader',
        org: w.orgs.a,
    });
    srv = await startServer({ db: d.db, env: CHEAP });
    browser = await launchBrowser();
});

after(() => closeAll({ browser, srv, d }));

const pathOf = (page) => new URL(page.url()).pathname;
const mainText = (page) => page.locator('main').innerText();
const field = (scope, label) => scope.getByLabel(label, { exact: true });

test('sign in as the program administrator', { timeout: 60000 }, async () => {
    const { page } = browser;
    await signIn(page, srv.url, w.people.program_admin.email);
});

test('a district without a state is marked on the list and put into one from its page', { timeout: 60000 }, async () => {
    const { page } = browser;
    await page.goto(srv.url + '/admin/orgs');
    const mark = page.locator('.tree li', { hasText: 'Number Seven' }).getByRole('link', { name: 'No state — choose one' });
    assert.equal(await mark.count(), 1, 'the list marks it');
    await check(page, '/admin/orgs', { scanned, prefix: 'orgs-edit', tableScroll: false });
    await clickAndWait(page, mark, new RegExp(`/admin/orgs/${lone}`));
    assert.match(await page.locator('.facts').innerText(), /No state — choose one/);
    await check(page, '/admin/orgs/{no state}', { scanned, prefix: 'orgs-edit', tableScroll: false });

    const form = page.locator(`form[action="/admin/orgs/${lone}"]`);
    assert.equal(await field(form, 'Belongs to').inputValue(), '', 'no state is chosen yet');
    await field(form, 'Name').fill('Northwestern Consolidated ISD 7');
    await field(form, 'Belongs to').selectOption({ label: 'State (state)' });
    await clickAndWait(page, form.getByRole('button', { name: 'Save the changes' }), /done=saved/);
    assert.match(await page.locator('h1').innerText(), /Northwestern Consolidated ISD 7/);
    assert.match(await page.locator('.facts').innerText(), /Belongs to\s+State \(state\)/);
    assert.doesNotMatch(await mainText(page), /No state/);
    await page.goto(srv.url + '/admin/orgs');
    assert.doesNotMatch(await mainText(page), /No state — choose one/);
    assert.equal(await page.locator('.tree li', { hasText: 'Northwestern' }).getAttribute('class'), 'depth-1');
});

test('an empty school is deleted after a confirmation page; a full district says why it cannot be', { timeout: 60000 }, async () => {
    const { page } = browser;
    await page.goto(`${srv.url}/admin/orgs/${w.orgs.a}`);
    assert.match(await page.locator('#delete-title').locator('..').innerText(), /still has 4 people, 4 roles given in it and 2 child organizations/);
    assert.equal(await page.getByRole('link', { name: /^Delete District A/ }).count(), 0, 'no delete button');
    await check(page, '/admin/orgs/{district}', { scanned, prefix: 'orgs-edit', tableScroll: false });

    await page.goto(`${srv.url}/admin/orgs/${typo}`);
    await clickAndWait(page, page.getByRole('link', { name: 'Delete Lincon Elementary…' }), new RegExp(`/admin/orgs/${typo}/delete$`));
    assert.match(await page.locator('h1').innerText(), /Delete Lincon Elementary\?/);
    assert.match(await mainText(page), /This cannot be undone\./);
    await check(page, '/admin/orgs/{id}/delete', { scanned, prefix: 'orgs-edit', tableScroll: false });
    await clickAndWait(page, page.getByRole('button', { name: 'Delete Lincon Elementary' }), /done=deleted/);
    assert.equal(pathOf(page), `/admin/orgs/${w.orgs.a}`);
    assert.match(await page.locator('.notice').innerText(), /The organization has been deleted\./);
    assert.doesNotMatch(await mainText(page), /Lincon/);
    const res = await page.goto(`${srv.url}/admin/orgs/${typo}`);
    assert.equal(res.status(), 404);
    expectedErrors.push(`404 GET ${srv.url}/admin/orgs/${typo}`);
});

test('erasing a person: a confirmation page, refused without their e-mail address, done with it', { timeout: 60000 }, async () => {
    const { page } = browser;
    await page.goto(`${srv.url}/admin/people/${erin}`);
    await clickAndWait(page, page.getByRole('link', { name: 'Erase Erin Example…' }), new RegExp(`/admin/people/${erin}/erase$`));
    const main = await mainText(page);
    assert.match(main, /Erase Erin Example\?/);
    assert.match(main, /erin\.verylongaddressforaphone@springfield-public-schools\.example\.org/);
    assert.match(main, /This cannot be undone\./);
    await check(page, '/admin/people/{id}/erase', { scanned, prefix: 'orgs-edit', tableScroll: false });

    // Erase without typing anything: the page comes back with the message beside the field.
    await clickAndWait(page, page.getByRole('button', { name: 'Erase Erin Example for good' }));
    expectedErrors.push(`400 POST ${srv.url}/admin/people/${erin}/erase`);
    const box = field(page, "To confirm, type Erin Example's e-mail address");
    assert.equal(await box.getAttribute('aria-invalid'), 'true');
    assert.match(await page.locator('#confirm-error').innerText(), /^Type Erin Example's e-mail address to confirm the erasure\.$/);
    await check(page, '/admin/people/{id}/erase (refused)', { scanned, prefix: 'orgs-edit', tableScroll: false });
    await page.goto(`${srv.url}/admin/people/${erin}`);
    assert.match(await page.locator('h1').innerText(), /Erin Example/, 'still there');

    await page.goto(`${srv.url}/admin/people/${erin}/erase`);
    await box.fill('ERIN.verylongaddressforaphone@springfield-public-schools.example.org');
    await clickAndWait(page, page.getByRole('button', { name: 'Erase Erin Example for good' }), /done=erased/);
    assert.match(await page.locator('.notice').innerText(), /erased/);
    assert.doesNotMatch(await mainText(page), /Erin Example/);
});

test('axe-core: no serious or critical violations on the pages changed', () => {
    for (const p of ['/admin/orgs', '/admin/orgs/{no state}', '/admin/orgs/{id}/delete', '/admin/people/{id}/erase']) assert.ok(scanned.has(p), `${p} was scanned`);
    const report = [...scanned].filter(([, v]) => v.length).map(([p, v]) => formatViolations(v, p));
    assert.equal(report.length, 0, report.join('\n'));
});

test('no console errors and no failed requests but the ones asked for', () => {
    const asked = (msg) =>
        expectedErrors.some((e) => {
            const [status, , url] = e.split(' ');
            return msg.startsWith(`Failed to load resource: the server responded with a status of ${status} `) && msg.includes(`(${url}:`);
        });
    assert.deepEqual(browser.consoleErrors.filter((m) => !asked(m)), [], 'console errors');
    assert.deepEqual(browser.badResponses.filter((r) => !expectedErrors.includes(r)), [], 'HTTP errors');
});
