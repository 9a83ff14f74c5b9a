// Applying and reviewing in a real browser: a leader fills in the application (education,
// one job, attestation), saves the draft and sees the arithmetic of their years, submits;
// the field-change save (static/apply.js) keeps a draft without a button; the reviewer
// finds the application in the queue and approves it; the candidate sees the eligibility
// id. Each page is scanned with axe-core and checked at 390 px for anything cut off.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../http/helper.mjs';
import { CHEAP, ownDb, buildWorld } from '../http/authhelp.mjs';
import { launchBrowser, formatViolations, clickAndWait, signIn, signOut, check, closeAll } from './helper.mjs';

let d, srv, browser, w;
const scanned = new Map();

before(async () => {
    d = await ownDb();
    w = await buildWorld(d.db);
    srv = await startServer({ db: d.db, env: { ...CHEAP, CTOFRAME_NOW: '2026-03-01T12:00:00Z' } });
    browser = await launchBrowser();
});

after(() => closeAll({ browser, srv, d }));

test('apply → submit → the reviewer approves → the candidate sees the eligibility id', { timeout: 120000 }, async () => {
    const { page } = browser;
    await signIn(page, srv.url, w.people.leader_a.email);
    await clickAndWait(page, page.getByRole('link', { name: 'Apply for a credential' }), /\/apply$/);
    await check(page, '/apply (new)', { scanned, prefix: 'applications' });

    // The script saves a draft when a field changes, without a button.
    const saved = page.waitForResponse((r) => r.url().includes('/apply') && r.request().method() === 'POST');
    await page.locator('#institution').fill('State University');
    await page.locator('#institution').blur();
    assert.equal((await saved.catch((e) => { throw new Error(e.message + ' ' + JSON.stringify([browser.consoleErrors, browser.badResponses])); })).status(), 200);
    await page.locator('#autosave', { hasText: 'Draft saved.' }).waitFor();

    await page.locator('#degree').selectOption('bachelor');
    await page.locator('#year').fill('2008');
    await page.locator('#emp0_employer').fill('District A');
    await page.locator('#emp0_title').fill('Director of technology');
    await page.locator('#emp0_start').fill('2016-08-01');
    await page.locator('#emp0_current').check();
    await page.locator('#attestation').check();
    await page.locator('#code_of_conduct').check();
    await clickAndWait(page, page.getByRole('button', { name: 'Save the draft and check' }), /done=saved/);
    const main = page.locator('main');
    assert.match(await main.innerText(), /Your draft is saved\./);
    assert.match(await page.locator('#arithmetic').innerText(), /3500 days/); // 2016-08-01 … 2026-03-01
    assert.match(await main.innerText(), /Eligible/);
    assert.equal(await page.locator('#emp0_employer').inputValue(), 'District A', 'the draft is kept');
    await check(page, '/apply (draft)', { scanned, prefix: 'applications' });

    await clickAndWait(page, page.getByRole('button', { name: 'Submit the application' }), /\/applications\/.*done=submitted/);
    const appUrl = page.url().replace(/\?.*$/, '');
    assert.match(await page.locator('#status').innerText(), /Submitted/);
    await check(page, '/applications/{id} (submitted)', { scanned, prefix: 'applications' });

    // The reviewer: the queue, the application, approve.
    await signOut(page);
    await signIn(page, srv.url, w.people.reviewer.email);
    await clickAndWait(page, page.getByRole('link', { name: 'Applications to review' }), /\/review$/);
    await check(page, '/review', { scanned, prefix: 'applications' });
    await clickAndWait(page, page.getByRole('link', { name: 'leader-a person' }), /\/review\/[0-9a-f-]+$/);
    assert.match(await main.innerText(), /3500 days/);
    await check(page, '/review/{id}', { scanned, prefix: 'applications' });
    await page.getByLabel(/Approve/).check();
    await clickAndWait(page, page.getByRole('button', { name: 'Record the decision' }), /done=decided/);
    assert.match(await page.locator('#status').innerText(), /Approved/);
    const elig = await page.locator('#eligibility-id').innerText();
    assert.match(elig, /^E-CETL-2026-\d{6}$/);

    // The candidate sees it with the window's end.
    await signOut(page);
    await signIn(page, srv.url, w.people.leader_a.email);
    await page.goto(appUrl);
    assert.equal(await page.locator('#eligibility-id').innerText(), elig);
    assert.equal(await page.locator('#expires-on').innerText(), '2026-05-30');
    assert.match(await page.locator('.timeline').innerText(), /Approved/);
    await check(page, '/applications/{id} (approved)', { scanned, prefix: 'applications' });
    assert.deepEqual(browser.consoleErrors, []);
});

test('axe finds no serious or critical violation on the application pages', () => {
    assert.ok(scanned.size >= 5, `pages scanned: ${[...scanned.keys()].join(', ')}`);
    const all = [...scanned].flatMap(([where, v]) => (v.length ? [formatViolations(v, where)] : []));
    assert.deepEqual(all, [], all.join('\n'));
});
