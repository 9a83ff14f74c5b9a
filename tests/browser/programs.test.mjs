// Certification program rules in a real browser: the program administrator goes from the
// dashboard to the CETL rules, sees them as tables with the assumed defaults marked, saves
// a mistake (the problems are listed beside the textarea, the text kept, nothing saved),
// then a correct change that becomes version 2. Each page is scanned with axe-core and
// checked at a 390 px phone width for anything cut off.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../http/helper.mjs';
import { CHEAP, ownDb, buildWorld } from '../http/authhelp.mjs';
import { launchBrowser, formatViolations, clickAndWait, signIn, check, closeAll } from './helper.mjs';

let d, srv, browser, w;
const scanned = new Map();

before(async () => {
    d = await ownDb();
    w = await buildWorld(d.db);
    srv = await startServer({ db: d.db, env: CHEAP });
    browser = await launchBrowser();
});

after(() => closeAll({ browser, srv, d }));

const field = (scope, label) => scope.getByLabel(label, { exact: true });

test('the program administrator reads and changes the CETL rules', { timeout: 90000 }, async () => {
    const { page } = browser;
    await signIn(page, srv.url, w.people.program_admin.email);

    await clickAndWait(page, page.getByRole('link', { name: 'Certification programs' }), /\/admin\/programs$/);
    await check(page, '/admin/programs', { scanned, prefix: 'programs' });
    await clickAndWait(page, page.getByRole('link', { name: 'Certified Education Technology Leader' }), /\/admin\/programs\/CETL$/);
    const main = page.locator('main');
    assert.match(await main.innerText(), /a pass is 600 or more/);
    assert.match(await main.locator('table', { hasText: 'Industry certification' }).innerText(), /4 points each\s+12 points per term/);
    assert.ok((await main.locator('.tag-warn', { hasText: 'assumed' }).count()) >= 3, 'assumed defaults are marked');
    await check(page, '/admin/programs/CETL', { scanned, prefix: 'programs' });

    // A mistake: the cap of the second category made negative.
    const rules = field(page, 'Rules (JSON)');
    const text = await rules.inputValue();
    const rulesObj = JSON.parse(text);
    rulesObj.ce.categories.find((c) => c.code === 'certification').cap = -2;
    await rules.fill(JSON.stringify(rulesObj, null, 2));
    await field(page, 'Why the change').fill('a mistake');
    await clickAndWait(page, page.getByRole('button', { name: 'Save as a new version' }));
    const problems = page.locator('#rules-problems');
    assert.match(await problems.innerText(), /\$\.ce\.categories\[\d\]\.cap: must be a whole number of points ≥ 0/);
    assert.equal(await rules.getAttribute('aria-invalid'), 'true');
    assert.match(await rules.inputValue(), /"cap": -2/, 'the text is kept');
    await check(page, '/admin/programs/CETL (refused)', { scanned, prefix: 'programs' });

    // The correction: a shorter grace period, version 2.
    rulesObj.ce.categories.find((c) => c.code === 'certification').cap = 12;
    rulesObj.grace_period_days = 60;
    await rules.fill(JSON.stringify(rulesObj, null, 2));
    await field(page, 'Why the change').fill('Grace period set by the committee');
    await clickAndWait(page, page.getByRole('button', { name: 'Save as a new version' }), /done=saved/);
    assert.match(await page.locator('.lead').innerText(), /Version 2 \(current\)/);
    assert.match(await main.innerText(), /60 days after expiry/);
    assert.match(await main.innerText(), /Grace period set by the committee/);
});

test('axe finds no serious or critical violation on the program pages', () => {
    assert.ok(scanned.size >= 3, `pages scanned: ${[...scanned.keys()].join(', ')}`);
    const all = [...scanned].flatMap(([where, v]) => (v.length ? [formatViolations(v, where)] : []));
    assert.deepEqual(all, [], all.join('\n'));
});
