// Responses and item analysis in a real browser (issue 10, "chromium: an examiner imports
// responses, opens the item analysis and sends a flagged item back to review"): a released
// form of 100 items is built with the CLI; the examiner uploads the vendor's file on the
// form's page, lands on the item analysis, reads the flagged item's statistics and options,
// presses "Send back to review" on it and sees its new status. Each page is scanned with
// axe-core and checked at a 390 px phone width.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer } from '../http/helper.mjs';
import { CHEAP, ownDb, buildWorld, cliOk } from '../http/authhelp.mjs';
import { BLUEPRINT_ITEMS as ITEMS, releasedForm } from '../http/examhelp.mjs';
import { sql } from '../http/cehelp.mjs';
import { launchBrowser, formatViolations, clickAndWait, signIn, check, closeAll } from './helper.mjs';

let d, srv, browser, w;
const scanned = new Map();
const dir = mkdtempSync(path.join(tmpdir(), 'ctoframe-responses-browser-'));


before(async () => {
    d = await ownDb();
    w = await buildWorld(d.db);
    await releasedForm({ dir, code: 'SPRING', title: 'Spring sitting', cli: (args) => cliOk(args, { db: d.db }), sql: (text) => sql(d.db, text) });

    // The vendor's file: 30 candidates; I.A-2's distractor A draws 24 of them (the key 6).
    const rows = Array.from({ length: 30 }, (_, c) => `cand${c},` + ITEMS.map((id, j) =>
        id === 'I.A-2' ? (c < 24 ? 'A' : 'B') : ((c * 31 + j * 17) % 10) < 3 + c / 5 ? 'B' : 'C').join(','));
    writeFileSync(path.join(dir, 'spring.csv'), ['candidate,' + ITEMS.join(','), ...rows].join('\n') + '\n');
    srv = await startServer({ db: d.db, env: CHEAP });
    browser = await launchBrowser();
});

after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await closeAll({ browser, srv, d });
});

const OPTS = { scanned, prefix: 'responses', axePhone: true };

test('an examiner imports responses, opens the item analysis and sends a flagged item back to review', { timeout: 180000 }, async () => {
    const { page } = browser;
    const main = page.locator('main');
    await signIn(page, srv.url, w.people.examiner.email);
    await page.goto(srv.url + '/exam/forms/SPRING');
    await check(page, '/exam/forms/CODE (released)', OPTS);

    await page.getByLabel(/Response file/).setInputFiles(path.join(dir, 'spring.csv'));
    await clickAndWait(page, page.getByRole('button', { name: 'Import the responses' }), /\/exam\/forms\/SPRING\/analysis\?done=imported/);
    assert.match(await main.innerText(), /The response file is imported\./);
    assert.match(await main.innerText(), /Candidates\s+30/);
    await check(page, '/exam/forms/CODE/analysis', OPTS);

    const item = page.locator('section[aria-labelledby="item-I.A-2"]');
    const text = await item.innerText();
    assert.match(text, /flagged/);
    assert.match(text, /a distractor out-draws the key/);
    assert.match(text, /0\.200/); // p: 6 of 30
    assert.match(text, /A\s+0\.800/); // A's share: 24 of 30
    assert.match(text, /B \(key\)/);

    await clickAndWait(page, item.getByRole('button', { name: 'Send back to review item I.A-2' }), /sent=I\.A-2/);
    assert.match(await page.locator('[role="status"]').first().innerText(), /The item I\.A-2 is sent back to review/);
    const after = await page.locator('section[aria-labelledby="item-I.A-2"]').innerText();
    assert.match(after, /Sent back: the item is now in review\./);
    assert.equal(await page.locator('section[aria-labelledby="item-I.A-2"]').getByRole('button').count(), 0, 'no second send-back');
    await check(page, '/exam/forms/CODE/analysis (sent back)', OPTS);
});

test('axe finds no serious or critical violation on the response pages', () => {
    assert.ok(scanned.size >= 6, `pages scanned: ${[...scanned.keys()].join(', ')}`);
    const all = [...scanned].flatMap(([where, v]) => (v.length ? [formatViolations(v, where)] : []));
    assert.deepEqual(all, [], all.join('\n'));
});
