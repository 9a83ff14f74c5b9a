// The certification life cycle end to end in a real browser (issue 8, "Shown by tests"):
// a leader applies, a reviewer approves (an authorization to test), the examiner imports
// the testing vendor's result, and the credential that pass issues is in the public
// registry and verifies. Every page on the way is scanned with axe-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../http/helper.mjs';
import { CHEAP, ownDb, buildWorld } from '../http/authhelp.mjs';
import { launchBrowser, axeScan, formatViolations, clickAndWait, signIn, signOut, closeAll } from './helper.mjs';

let d, srv, browser, w;
const scanned = new Map();

before(async () => {
    d = await ownDb();
    w = await buildWorld(d.db);
    srv = await startServer({ db: d.db, env: { ...CHEAP, CTOFRAME_NOW: '2026-03-01T12:00:00Z' } });
    browser = await launchBrowser();
});

after(() => closeAll({ browser, srv, d }));

async function scan(page, name) {
    scanned.set(name, await axeScan(page));
}

test('apply → approve → import the result → the credential is in the registry and verifies', { timeout: 180000 }, async () => {
    const { page } = browser;
    const main = page.locator('main');

    // The candidate applies.
    await signIn(page, srv.url, w.people.leader_a.email);
    await clickAndWait(page, page.getByRole('link', { name: 'Apply for a credential' }), /\/apply$/);
    await page.locator('#degree').selectOption('bachelor');
    await page.locator('#institution').fill('State University');
    await page.locator('#year').fill('2008');
    await page.locator('#emp0_employer').fill('District A');
    await page.locator('#emp0_title').fill('Director of technology');
    await page.locator('#emp0_start').fill('2016-08-01');
    await page.locator('#emp0_current').check();
    await page.locator('#attestation').check();
    await page.locator('#code_of_conduct').check();
    await clickAndWait(page, page.getByRole('button', { name: 'Save the draft and check' }), /done=saved/);
    await scan(page, '/apply');
    await clickAndWait(page, page.getByRole('button', { name: 'Submit the application' }), /\/applications\/.*done=submitted/);
    await signOut(page);

    // The reviewer approves: an authorization to test with its eligibility id.
    await signIn(page, srv.url, w.people.reviewer.email);
    await clickAndWait(page, page.getByRole('link', { name: 'Applications to review' }), /\/review$/);
    await clickAndWait(page, page.getByRole('link', { name: 'leader-a person' }), /\/review\/[0-9a-f-]+$/);
    await page.getByLabel(/Approve/).check();
    await clickAndWait(page, page.getByRole('button', { name: 'Record the decision' }), /done=decided/);
    const elig = (await page.locator('#eligibility-id').innerText()).trim();
    assert.match(elig, /^E-CETL-2026-\d{6}$/);
    await signOut(page);

    // The examiner imports the vendor's result: a pass at 600 or more issues the credential.
    await signIn(page, srv.url, w.people.examiner.email);
    await clickAndWait(page, page.getByRole('link', { name: 'Import exam results' }), /\/admin\/results$/);
    await page.getByLabel('Results file (CSV)', { exact: true }).fill(
        `eligibility_id,form,taken_on,scaled_score,I,II,III\n${elig},A,2026-03-01,655,640,660,670\n`,
    );
    await clickAndWait(page, page.getByRole('button', { name: 'Check and import' }), /done=imported/);
    assert.match(await page.locator('.notice').innerText(), /1 passed/);
    await scan(page, '/admin/results (imported)');
    await signOut(page);

    // Anyone finds it in the registry and verifies it by number.
    await page.goto(srv.url + '/registry');
    await page.getByLabel('Name, organization or number').fill('leader-a');
    await clickAndWait(page, page.getByRole('button', { name: 'Search' }), /q=leader-a/);
    const text = await main.innerText();
    assert.match(text, /leader-a person/);
    // The same search as JSON (the registry's public interface) names the number.
    const json = await (await page.request.get(srv.url + '/registry?q=leader-a', { headers: { accept: 'application/json' } })).json();
    assert.equal(json.total, 1, JSON.stringify(json));
    const { number, name, status, expires_on: expires } = json.results[0];
    assert.equal(name, 'leader-a person');
    assert.equal(status, 'active');
    assert.equal(expires, '2029-03-01');
    assert.match(number, /^CETL-2026-\d{6}$/);
    assert.ok(text.includes(number), `the page shows ${number}`);
    await scan(page, '/registry?q=leader-a');
    await page.goto(srv.url + '/verify/' + number);
    const v = await main.innerText();
    assert.match(v, /leader-a person/);
    assert.match(v, /[Aa]ctive/);
    assert.match(v, /2029-03-01/, 'three years from the day of issue');
    await scan(page, '/verify/{number}');
    assert.deepEqual(browser.consoleErrors, []);
});

test('axe finds no serious or critical violation on the life-cycle pages', () => {
    assert.ok(scanned.size >= 4, `pages scanned: ${[...scanned.keys()].join(', ')}`);
    const all = [...scanned].flatMap(([where, v]) => (v.length ? [formatViolations(v, where)] : []));
    assert.deepEqual(all, [], all.join('\n'));
});
