// An evaluation in a real browser (issue 9, "Shown by tests"): the district administrator
// starts a review of the district's technology leader and invites the leader (self) and the
// supervisor; the leader completes the self-assessment (with JavaScript: each answer saved as
// it is given) and the supervisor rates without a page reload either way; the administrator
// closes it and opens the report. Every page on the way is scanned with axe-core, at desktop
// and phone widths, and screenshots are kept in build/screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../http/helper.mjs';
import { CHEAP, ownDb, buildWorld } from '../http/authhelp.mjs';
import { launchBrowser, axeScan, formatViolations, clickAndWait, signIn, signOut, closeAll, screenshot, cutOff, PHONE, DESKTOP } from './helper.mjs';

let d, srv, browser, w;
const scanned = new Map();

before(async () => {
    d = await ownDb();
    w = await buildWorld(d.db);
    srv = await startServer({ db: d.db, env: CHEAP });
    browser = await launchBrowser();
});

after(() => closeAll({ browser, srv, d }));

async function scan(page, name) {
    scanned.set(name, await axeScan(page));
}

/** Rates every skill on the page at level(i) and waits until each says "Saved.". */
async function rateAll(page, level) {
    const sets = page.locator('fieldset.skill:not(.value)');
    const n = await sets.count();
    assert.equal(n, 10, 'the ten skills are on the form');
    for (let i = 0; i < n; i++) {
        const set = sets.nth(i);
        await set.locator(`input[type=radio][value="${level(i)}"]`).check();
        try {
            await set.locator('.saved').filter({ hasText: 'Saved.' }).waitFor({ timeout: 10000 });
        } catch (e) {
            throw new Error(`skill ${i}: "${await set.locator('.saved').innerText()}"; console: ${browser.consoleErrors.join(' | ')}`);
        }
    }
}

test('start a review, rate self and as supervisor, close it and read the report', { timeout: 240000 }, async () => {
    const { page } = browser;
    const main = page.locator('main');

    // The district administrator starts the review from the dashboard.
    await signIn(page, srv.url, w.people.district_admin_a.email);
    await clickAndWait(page, page.getByRole('link', { name: 'Evaluations' }).first(), /\/evaluations$/);
    await scan(page, '/evaluations (administrator)');
    await clickAndWait(page, page.getByRole('link', { name: 'Start a new evaluation' }), /\/evaluations\/new$/);
    await page.getByLabel('Person to evaluate').selectOption({ label: `leader-a person (${w.people.leader_a.email})` });
    await page.getByLabel('Title').fill('Annual review 2026');
    await scan(page, '/evaluations/new');
    await clickAndWait(page, page.getByRole('button', { name: 'Create the draft' }), /\/evaluations\/[0-9a-f-]+\?done=created$/);
    const evalUrl = page.url().replace(/\?.*$/, '');
    await page.getByLabel('Rates as').selectOption('self');
    await clickAndWait(page, page.getByRole('button', { name: 'Add the rater' }), /done=rater/);
    await page.getByLabel('Rates as').selectOption('supervisor');
    await page.getByLabel(/^Name/).fill('Eve Evaluator');
    await page.getByLabel(/^E-mail/).fill(w.people.evaluator_a.email);
    await clickAndWait(page, page.getByRole('button', { name: 'Add the rater' }), /done=rater/);
    await clickAndWait(page, page.getByRole('button', { name: 'Open it and send the invitations' }), /done=open/);
    assert.match(await main.innerText(), /0 of 2 raters have submitted/);
    await scan(page, '/evaluations/{id} (open)');
    await screenshot(page, 'evaluation-open');
    await signOut(page);

    // The leader's self-assessment: each answer saved as it is given, then submitted.
    await signIn(page, srv.url, w.people.leader_a.email);
    await clickAndWait(page, page.getByRole('link', { name: 'Evaluations' }).first(), /\/evaluations$/);
    await clickAndWait(page, page.getByRole('link', { name: 'Annual review 2026' }), /\/evaluations\/[0-9a-f-]+$/);
    await clickAndWait(page, page.getByRole('link', { name: /^Rate / }), /\/rate$/);
    assert.match(await main.innerText(), /Your self-assessment/);
    await scan(page, '/evaluations/{id}/rate (self)');
    await rateAll(page, (i) => 2 + (i % 3));
    const note = page.locator('textarea[name^="note_"]').first();
    await note.fill('Led the three-year plan.');
    await note.blur();
    await page.locator('fieldset.skill').first().locator('.saved').filter({ hasText: 'Saved.' }).waitFor();
    await screenshot(page, 'evaluation-rate-self');
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'evaluation-rate-self-top', { fullPage: false });
    // A reload shows what was saved without pressing any button.
    await page.reload();
    assert.equal(await page.locator('fieldset.skill').first().locator('input[type=radio]:checked').getAttribute('value'), '2');
    assert.equal(await note.inputValue(), 'Led the three-year plan.');
    await clickAndWait(page, page.getByRole('button', { name: 'Submit my ratings' }), /done=submitted/);
    assert.match(await main.innerText(), /Submitted\./);
    await signOut(page);

    // The supervisor rates at phone width: the form reflows and nothing is cut off.
    await page.setViewportSize(PHONE);
    await signIn(page, srv.url, w.people.evaluator_a.email);
    await page.goto(evalUrl + '/rate');
    assert.match(await main.innerText(), /Rate leader-a person/);
    assert.deepEqual(await cutOff(page), [], 'nothing is cut off at 390 px');
    await scan(page, '/evaluations/{id}/rate (supervisor, phone)');
    await rateAll(page, (i) => 1 + (i % 4));
    await screenshot(page, 'evaluation-rate-phone');
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'evaluation-rate-phone-top', { fullPage: false });
    await clickAndWait(page, page.getByRole('button', { name: 'Submit my ratings' }), /done=submitted/);
    await page.setViewportSize(DESKTOP);
    await signOut(page);

    // The administrator closes it; the report has the charts, the table and the agreement.
    await signIn(page, srv.url, w.people.district_admin_a.email);
    await page.goto(evalUrl);
    assert.match(await main.innerText(), /2 of 2 raters have submitted/);
    await clickAndWait(page, page.getByRole('button', { name: 'Close it' }), /done=close/);
    const report = await main.innerText();
    assert.match(report, /Results/);
    assert.match(report, /Strongest, by the others' ratings/);
    assert.equal(await page.locator('figure.chart svg[role="img"]').count(), 2);
    assert.match(await page.locator('figure.chart svg title').first().textContent(), /Self and others/);
    await scan(page, '/evaluations/{id} (closed, report)');
    await screenshot(page, 'evaluation-report');
    await page.setViewportSize(PHONE);
    assert.deepEqual(await cutOff(page), [], 'the report fits 390 px');
    await screenshot(page, 'evaluation-report-phone');
    await page.setViewportSize(DESKTOP);

    // The growth plan (point 5): proposed from the closed evaluation's page, agreed by both
    // sides, an activity marked done.
    await clickAndWait(page, page.getByRole('button', { name: 'Propose a growth plan' }), /\/plans\/[0-9a-f-]+\?done=created$/);
    const planUrl = page.url().replace(/\?.*$/, '');
    const plan = await main.innerText();
    assert.match(plan, /Growth plan of leader-a person/);
    assert.match(plan, /proven by an exact search/);
    const goals = page.locator('table').filter({ has: page.locator('caption', { hasText: "The plan's goals" }) }).locator('tbody tr');
    const acts = page.locator('table').filter({ has: page.locator('caption', { hasText: "The plan's activities" }) }).locator('tbody tr');
    assert.ok((await goals.count()) > 0, 'goals proposed');
    assert.ok((await acts.count()) > 0, 'activities recommended');
    assert.match(await acts.first().innerText(), /closes .* of the/);
    await scan(page, '/plans/{id}');
    await screenshot(page, 'growth-plan');
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'growth-plan-top', { fullPage: false });
    await page.setViewportSize(PHONE);
    assert.deepEqual(await cutOff(page), [], 'the plan fits 390 px');
    await screenshot(page, 'growth-plan-phone');
    await page.setViewportSize(DESKTOP);
    await clickAndWait(page, page.getByRole('button', { name: 'Agree to version 1 for the supervisor' }), /done=agreed_supervisor/);
    await signOut(page);
    await signIn(page, srv.url, w.people.leader_a.email);
    await page.goto(planUrl);
    await clickAndWait(page, page.getByRole('button', { name: 'I agree to version 1 of my plan' }), /done=agreed_leader/);
    assert.match(await main.innerText(), /Agreed\s+Version 1/);
    await acts.first().locator('summary').click();
    await clickAndWait(page, acts.first().getByRole('button', { name: 'Mark done' }), /done=done/);
    assert.match(await acts.first().innerText(), /Done \d{4}-\d{2}-\d{2}/);
    await scan(page, '/plans/{id} (leader, agreed)');
    await page.goto(srv.url + '/evaluations');
    await clickAndWait(page, page.getByRole('link', { name: 'Growth plans' }), /\/plans$/);
    assert.match(await main.innerText(), /Plans you lead or supervise/);
    await scan(page, '/plans');
    assert.deepEqual(browser.consoleErrors, []);
});

test('axe finds no serious or critical violation on the evaluation pages', () => {
    assert.ok(scanned.size >= 6, `pages scanned: ${[...scanned.keys()].join(', ')}`);
    const all = [...scanned].flatMap(([where, v]) => (v.length ? [formatViolations(v, where)] : []));
    assert.deepEqual(all, [], all.join('\n'));
});
