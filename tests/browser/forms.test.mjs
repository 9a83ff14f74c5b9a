// Exam forms in a real browser (issue 10 point 3): an examiner opens Exam forms from the
// dashboard, makes a form through the page, adds items by identifier, sees the check panel
// follow (required and have per skill, the enemy pair), presses Release and reads why it is
// refused, removes an item. Each page is scanned with axe-core and checked at a 390 px
// phone width: nothing is cut off, the list's table reflows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer } from '../http/helper.mjs';
import { CHEAP, ownDb, buildWorld, cliOk } from '../http/authhelp.mjs';
import { launchBrowser, formatViolations, clickAndWait, signIn, check, closeAll } from './helper.mjs';

let d, srv, browser, w;
const scanned = new Map();
const dir = mkdtempSync(path.join(tmpdir(), 'ctoframe-forms-browser-'));

/** A QTI 3.0 single-choice item. */
const qti = (id) => `<?xml version="1.0" encoding="UTF-8"?>
<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0" identifier="${id}"
    title="Budget item ${id}" adaptive="false" time-dependent="false">
  <qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="identifier">
    <qti-correct-response><qti-value>A</qti-value></qti-correct-response>
  </qti-response-declaration>
  <qti-item-body>
    <qti-choice-interaction response-identifier="RESPONSE" max-choices="1">
      <qti-prompt>Which cost is most often left out?</qti-prompt>
      <qti-simple-choice identifier="A">Staff time</qti-simple-choice>
      <qti-simple-choice identifier="B">Shipping</qti-simple-choice>
    </qti-choice-interaction>
  </qti-item-body>
</qti-assessment-item>
`;

before(async () => {
    d = await ownDb();
    w = await buildWorld(d.db);
    for (const [id, skill] of [['BUD-1', 'I.A'], ['BUD-2', 'II.B'], ['BUD-3', 'III.C']]) {
        const f = path.join(dir, `${id}.xml`);
        writeFileSync(f, qti(id));
        await cliOk(['bank', 'import', f], { db: d.db });
        await cliOk(['bank', 'tag', id, '--skills', skill, '--level', 'application'], { db: d.db });
        for (const to of ['review', 'pretest', 'operational']) await cliOk(['bank', 'move', id, to], { db: d.db });
    }
    await cliOk(['bank', 'enemy', 'BUD-1', 'BUD-2'], { db: d.db });
    srv = await startServer({ db: d.db, env: CHEAP });
    browser = await launchBrowser();
});

after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await closeAll({ browser, srv, d });
});

const OPTS = { scanned, prefix: 'forms', axePhone: true };

test('an examiner makes a form, fills it, and is told why it cannot be released', { timeout: 120000 }, async () => {
    const { page } = browser;
    const main = page.locator('main');
    await signIn(page, srv.url, w.people.examiner.email);
    await clickAndWait(page, main.getByRole('link', { name: 'Exam forms', exact: true }), /\/exam\/forms$/);
    await check(page, '/exam/forms (empty)', OPTS);

    await page.getByLabel('Code', { exact: true }).fill('CETL-2027-A');
    await page.getByLabel('Title', { exact: true }).fill('Spring 2027');
    await page.getByLabel('Pretest slots', { exact: true }).fill('1');
    await clickAndWait(page, page.getByRole('button', { name: 'Make the form' }), /\/exam\/forms\/CETL-2027-A\?done=created/);
    assert.match(await main.innerText(), /The form is made\./);
    await check(page, '/exam/forms/CODE (empty)', OPTS);

    await page.getByLabel('Item identifiers', { exact: true }).fill('BUD-1, BUD-2\nBUD-3');
    await clickAndWait(page, page.getByRole('button', { name: 'Add', exact: true }), /done=added/);
    const panel = await page.locator('section[aria-labelledby="check-title"]').innerText();
    assert.match(panel, /Scored items: 3 of 100\./);
    assert.match(panel, /BUD-1 and BUD-2/);
    assert.match(panel, /II\.B has 1 scored item; the blueprint asks for 9: add 8\./);
    await check(page, '/exam/forms/CODE (three items)', OPTS);

    await clickAndWait(page, page.getByRole('button', { name: 'Release the form' }), /\/exam\/forms\/CETL-2027-A\/act/);
    const alert = await page.locator('[role="alert"]').innerText();
    assert.match(alert, /The form cannot be released/);
    assert.match(alert, /Enemy items cannot be on one form: BUD-1 and BUD-2\./);
    await check(page, '/exam/forms/CODE (release refused)', OPTS);

    await clickAndWait(page, page.getByRole('button', { name: 'Remove BUD-2' }), /done=removed/);
    assert.match(await page.locator('section[aria-labelledby="check-title"]').innerText(), /No two enemy items on the form\./);

    await page.goto(srv.url + '/exam/forms');
    assert.match(await main.locator('table.stack').innerText(), /CETL-2027-A/);
    await check(page, '/exam/forms (one form)', OPTS);
});

test('axe finds no serious or critical violation on the form pages', () => {
    assert.ok(scanned.size >= 8, `pages scanned: ${[...scanned.keys()].join(', ')}`);
    const all = [...scanned].flatMap(([where, v]) => (v.length ? [formatViolations(v, where)] : []));
    assert.deepEqual(all, [], all.join('\n'));
});
