// Exam results and credentials in a real browser: the examiner pastes a results file with
// a mistake (every problem beside the box with its line and column, the text kept, nothing
// imported), corrects it and imports it; the program administrator finds the credential in
// the list, opens it and suspends it with a reason; the holder sees it on /me/credentials
// with its certificate link. Each page is scanned with axe-core and checked at a 390 px
// phone width for anything cut off.
//
// The authorization to test is inserted directly (tests/http/resultshelp.mjs): the
// applications part of issue 8 is built by another helper at the same time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../http/helper.mjs';
import { CHEAP, ownDb, buildWorld } from '../http/authhelp.mjs';
import { authorize, HEADER } from '../http/resultshelp.mjs';
import { launchBrowser, formatViolations, clickAndWait, signIn, check, closeAll } from './helper.mjs';

const NOW = { CTOFRAME_NOW: '2026-12-02T10:00:00Z' };
let d, srv, browser, w;
const scanned = new Map();

before(async () => {
    d = await ownDb();
    w = await buildWorld(d.db);
    srv = await startServer({ db: d.db, env: { ...CHEAP, ...NOW } });
    await authorize(d.db, w.people.leader_a.id, 'E-BROWSER-1', '2026-11-01', '2027-01-30');
    browser = await launchBrowser();
});

after(() => closeAll({ browser, srv, d }));

const field = (scope, label) => scope.getByLabel(label, { exact: true });

test('import a result, then the credential: list, page, suspension, the holder’s own', { timeout: 120000 }, async () => {
    const { page } = browser;
    await signIn(page, srv.url, w.people.examiner.email, { fresh: true });
    await clickAndWait(page, page.getByRole('link', { name: 'Import exam results' }), /\/admin\/results$/);
    await check(page, '/admin/results', { scanned, prefix: 'credentials' });

    // A mistake in the scores: listed beside the box, the text kept, nothing imported.
    const box = field(page, 'Results file (CSV)');
    await box.fill(`${HEADER}\nE-BROWSER-1,A,2026-11-20,650,600,6o0,600\n`);
    await clickAndWait(page, page.getByRole('button', { name: 'Check and import' }));
    assert.match(await page.locator('#csv-problems').innerText(), /Line 2, column \d+: The II score must be a whole number from 0 to 800\./);
    assert.equal(await box.getAttribute('aria-invalid'), 'true');
    assert.match(await box.inputValue(), /6o0/);
    assert.match(await page.locator('.alert').innerText(), /Nothing was imported/);
    await check(page, '/admin/results (refused)', { scanned, prefix: 'credentials' });

    await box.fill(`${HEADER}\nE-BROWSER-1,A,2026-11-20,650,600,600,600\n`);
    await clickAndWait(page, page.getByRole('button', { name: 'Check and import' }), /done=imported/);
    assert.match(await page.locator('.notice').innerText(), /Imported 1 result: 1 passed, 0 failed; 1 credential issued\./);

    // The program administrator: list → credential → suspend with a reason.
    await signIn(page, srv.url, w.people.program_admin.email, { fresh: true });
    await clickAndWait(page, page.getByRole('link', { name: 'Credentials', exact: true }), /\/admin\/credentials$/);
    await check(page, '/admin/credentials', { scanned, prefix: 'credentials' });
    await clickAndWait(page, page.getByRole('link', { name: 'CETL-2026-000001' }), /CETL-2026-000001$/);
    const main = page.locator('main');
    assert.match(await main.innerText(), /leader-a person/);
    assert.match(await main.innerText(), /2029-12-02/);
    await check(page, '/admin/credentials/NUMBER', { scanned, prefix: 'credentials' });
    await field(page, 'Why suspend it').fill('Complaint under review.');
    await clickAndWait(page, page.getByRole('button', { name: 'Suspend' }), /done=suspended/);
    assert.match(await page.locator('.notice').innerText(), /now suspended/);
    assert.match(await main.innerText(), /Complaint under review\./);
    await check(page, '/admin/credentials/NUMBER (suspended)', { scanned, prefix: 'credentials' });

    // The holder: their own credential and its certificate link.
    await signIn(page, srv.url, w.people.leader_a.email, { fresh: true });
    assert.equal(await page.getByRole('link', { name: 'Import exam results' }).count(), 0, 'no card a leader cannot use');
    await clickAndWait(page, page.getByRole('link', { name: 'My credentials' }), /\/me\/credentials$/);
    assert.match(await main.innerText(), /CETL-2026-000001/);
    const link = page.getByRole('link', { name: 'Download CETL-2026-000001 (PDF)' });
    assert.equal(await link.getAttribute('href'), '/me/credentials/CETL-2026-000001/certificate');
    await check(page, '/me/credentials', { scanned, prefix: 'credentials' });
});

test('axe finds no serious or critical violation on the results and credential pages', () => {
    assert.ok(scanned.size >= 5, `pages scanned: ${[...scanned.keys()].join(', ')}`);
    const all = [...scanned].flatMap(([where, v]) => (v.length ? [formatViolations(v, where)] : []));
    assert.deepEqual(all, [], all.join('\n'));
});
