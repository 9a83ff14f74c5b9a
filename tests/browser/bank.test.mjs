// The item bank's pages in a real browser (issue 10 point 1): an examiner opens Item bank
// from the dashboard, filters the list by skill and by text, opens an item, reads its key and
// the rationale of every option, moves it to review with a note and finds the move in its
// history. Each page is scanned with axe-core (no serious or critical violation) and checked
// at a 390 px phone width: the page does not scroll sideways. The practice bank
// (data/bank/practice-items.json) is the fixture.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startServer } from '../http/helper.mjs';
import { CHEAP, ownDb, buildWorld, cliOk } from '../http/authhelp.mjs';
import { ROOT, launchBrowser, formatViolations, clickAndWait, signIn, check, closeAll, screenshot } from './helper.mjs';

const FILE = path.join(ROOT, 'data', 'bank', 'practice-items.json');
const BANK = JSON.parse(readFileSync(FILE, 'utf8'));
let d, srv, browser, w;
const scanned = new Map();

before(async () => {
    d = await ownDb();
    w = await buildWorld(d.db);
    await cliOk(['bank', 'import', FILE], { db: d.db });
    srv = await startServer({ db: d.db, env: CHEAP });
    browser = await launchBrowser();
});

after(async () => {
    await closeAll({ browser, srv, d });
});

const OPTS = { scanned, prefix: 'bank', axePhone: true };

test('an examiner browses the bank, filters it, reads an item and moves it to review', { timeout: 120000 }, async () => {
    const { page } = browser;
    const main = page.locator('main');
    await signIn(page, srv.url, w.people.examiner.email);
    await clickAndWait(page, main.getByRole('link', { name: 'Item bank', exact: true }), /\/exam\/bank$/);
    assert.match(await main.innerText(), new RegExp(`All ${BANK.items.length}`));
    await check(page, '/exam/bank', OPTS);

    // Filter by skill III.B: every row shown serves it; then add words of a title.
    const iiib = BANK.items.filter((x) => x.skills.includes('III.B'));
    await page.getByLabel('Skill area', { exact: true }).selectOption('III.B');
    await clickAndWait(page, page.getByRole('button', { name: 'Show the items' }), /skill=III\.B/);
    const rows = main.locator('table.stack tbody tr');
    assert.equal(await rows.count(), Math.min(iiib.length, 50));
    for (const t of await main.locator('table.stack tbody td[data-label="Skills"]').allInnerTexts()) assert.match(t, /III\.B/);
    const it = iiib.find((x) => x.choices.every((c) => c.rationale));
    await page.getByLabel('Identifier or title', { exact: true }).fill(it.title.split(' ').slice(-2).join(' '));
    await clickAndWait(page, page.getByRole('button', { name: 'Show the items' }), /q=/);
    await check(page, '/exam/bank (filtered)', OPTS);

    // Open it: the key in words, each option's rationale.
    await clickAndWait(page, main.getByRole('link', { name: it.identifier, exact: true }), new RegExp(`/exam/bank/${it.identifier}$`));
    const content = await page.locator('section[aria-labelledby="content-title"]').innerText();
    const key = it.choices.find((c) => it.correct.includes(c.id));
    assert.match(content, new RegExp(`${key.id}\\. .*The key`));
    for (const c of it.choices) assert.ok(content.includes(c.rationale), `rationale of ${c.id}`);
    await check(page, '/exam/bank/ITEM', OPTS);
    await screenshot(page, 'bank-item-desktop.png', { fullPage: false });

    // Move it to review with a note: the notice, the status, the move in the history.
    await page.getByLabel('In review', { exact: true }).check();
    await page.getByLabel('Note', { exact: true }).fill('Ready for a second reader.');
    await clickAndWait(page, page.getByRole('button', { name: 'Move the item' }), /done=moved/);
    assert.match(await page.locator('[role="status"]').innerText(), /The item is moved\./);
    assert.match(await page.locator('.lead').innerText(), /In review/);
    const history = await page.locator('section[aria-labelledby="history-title"]').innerText();
    assert.match(history, /Moved from draft to review\.[\s\S]*Ready for a second reader\./);
    await check(page, '/exam/bank/ITEM (moved)', OPTS);

    // A move the workflow forbids is not offered; an empty note to send it back is refused
    // beside the note, with the choice kept.
    assert.equal(await page.getByLabel('Operational', { exact: true }).count(), 0);
    await page.getByLabel('Draft (a note is required)', { exact: true }).check();
    await clickAndWait(page, page.getByRole('button', { name: 'Move the item' }), /\/move$/);
    assert.match(await page.locator('#move-note-error').innerText(), /Say why the item goes back/);
    assert.equal(await page.getByLabel('Draft (a note is required)', { exact: true }).isChecked(), true);
    await check(page, '/exam/bank/ITEM (note missing)', OPTS);

    await page.goto(srv.url + '/exam/bank/sets');
    await check(page, '/exam/bank/sets', OPTS);
});

test('axe finds no serious or critical violation on the bank pages', () => {
    assert.ok(scanned.size >= 10, `pages scanned: ${[...scanned.keys()].join(', ')}`);
    const all = [...scanned].flatMap(([where, v]) => (v.length ? [formatViolations(v, where)] : []));
    assert.deepEqual(all, [], all.join('\n'));
});
