// The Rasch calibration of a form in a real browser (issue 10 point 6): a released form of
// 100 items with a simulated 0/1 response file (`ctoframe exam simulate`, 300 persons) is
// built with the CLI; the examiner presses "Calibrate (Rasch)" on the form's page, lands on
// the calibration, which the server's worker runs in the background, reloads until it is
// done and reads the item table (misfit said in words), the candidates and the score table.
// Each page is scanned with axe-core and checked at a 390 px phone width (the tables scroll
// inside their boxes).
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
const dir = mkdtempSync(path.join(tmpdir(), 'ctoframe-calibration-browser-'));

before(async () => {
    d = await ownDb();
    w = await buildWorld(d.db);
    await releasedForm({ dir, code: 'SPRING', title: 'Spring sitting', cli: (args) => cliOk(args, { db: d.db }), sql: (text) => sql(d.db, text) });
    const sim = (await cliOk(['exam', 'simulate', '--persons', '300', '--items', '100', '--seed', '5'])).trim().split(/\r?\n/);
    writeFileSync(path.join(dir, 'spring.csv'), ['candidate,' + ITEMS.join(','), ...sim.slice(1)].join('\n') + '\n');
    await cliOk(['form', 'responses', 'SPRING', path.join(dir, 'spring.csv')], { db: d.db });
    srv = await startServer({ db: d.db, env: CHEAP });
    browser = await launchBrowser();
});

after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await closeAll({ browser, srv, d });
});

const OPTS = { scanned, prefix: 'calibration', axePhone: true };

test('an examiner calibrates a form and reads the kept result', { timeout: 180000 }, async () => {
    const { page } = browser;
    const main = page.locator('main');
    await signIn(page, srv.url, w.people.examiner.email);
    await page.goto(srv.url + '/exam/forms/SPRING');
    await clickAndWait(page, page.getByRole('button', { name: 'Calibrate (Rasch)' }), /\/exam\/forms\/SPRING\/calibration$/);
    let text = await main.innerText();
    assert.match(text, /State: (queued|running|done)/);
    if (!/State: done/.test(text)) {
        assert.match(text, /The calibration runs in the background\. Reload this page/);
        await check(page, '/exam/forms/CODE/calibration (waiting)', OPTS);
    }
    for (let i = 0; i < 50 && !/State: done/.test(text); i++) {
        await page.waitForTimeout(300);
        await page.reload();
        text = await main.innerText();
    }
    assert.match(text, /State: done/);
    assert.match(text, /Candidates in the file\s+300/);
    assert.match(text, /below 0\.7 or above 1\.3/);
    const rows = page.locator('table').first().locator('tbody tr');
    assert.equal(await rows.count(), 100);
    assert.match(await rows.first().innerText(), /I\.A-1\s+scored\s+-?\d\.\d{3}\s+\d\.\d{3}\s+\d\.\d{2}\s+\d\.\d{2}\s+(fits|misfit)/);
    assert.equal(await page.locator('table').nth(1).locator('tbody tr').count(), 101);
    await check(page, '/exam/forms/CODE/calibration (done)', OPTS);

    // The button on the item analysis asks for one again.
    await page.goto(srv.url + '/exam/forms/SPRING/analysis');
    await clickAndWait(page, page.getByRole('button', { name: 'Calibrate (Rasch)' }), /\/exam\/forms\/SPRING\/calibration$/);
    assert.match(await main.innerText(), /State: (queued|running|done)/);
});

test('axe finds no serious or critical violation on the calibration pages', () => {
    assert.ok(scanned.size >= 2, `pages scanned: ${[...scanned.keys()].join(', ')}`);
    const all = [...scanned].flatMap(([where, v]) => (v.length ? [formatViolations(v, where)] : []));
    assert.deepEqual(all, [], all.join('\n'));
});
