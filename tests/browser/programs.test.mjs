// Certification program rules in a real browser: the program administrator goes from the
// dashboard to the CETL rules, sees them as tables with the assumed defaults marked, saves
// a mistake (the problems are listed beside the textarea, the text kept, nothing saved),
// then a correct change that becomes version 2. Each page is scanned with axe-core and
// checked at a 390 px phone width for anything cut off.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../http/helper.mjs';
import { CHEAP, PASSWORD, ownDb, buildWorld } from '../http/authhelp.mjs';
import { launchBrowser, axeScan, formatViolations, screenshot } from './helper.mjs';

let d, srv, browser, w;
const scanned = new Map();

before(async () => {
    d = await ownDb();
    w = await buildWorld(d.db);
    srv = await startServer({ db: d.db, env: CHEAP });
    browser = await launchBrowser();
});

after(async () => {
    const errs = [];
    if (browser) await browser.close().catch((e) => errs.push(e));
    if (srv) await srv.stop().catch((e) => errs.push(e));
    if (d) await d.drop().catch((e) => errs.push(e));
    if (errs.length) throw errs[0];
});

const field = (scope, label) => scope.getByLabel(label, { exact: true });

async function clickAndWait(page, locator, urlTest) {
    const [res] = await Promise.all([page.waitForNavigation(urlTest ? { url: urlTest } : {}), locator.click()]);
    return res;
}

/** axe on the page now showing, then the same page at 390 px: nothing wider than the screen. */
async function check(page, name) {
    scanned.set(name, await axeScan(page));
    await page.setViewportSize({ width: 390, height: 844 });
    try {
        const cut = await page.evaluate(() => {
            const out = [];
            const width = document.documentElement.clientWidth;
            if (document.documentElement.scrollWidth - width > 1) out.push(`the page is ${document.documentElement.scrollWidth - width}px too wide`);
            for (const el of document.querySelectorAll('main *')) {
                if (el.closest('.table-scroll')) continue; // wide tables scroll inside their box
                const r = el.getBoundingClientRect();
                if (r.width > 0 && r.right > width + 1) out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} ends at ${Math.round(r.right)}px`);
            }
            return out;
        });
        assert.deepEqual(cut, [], `${name} at 390px`);
        await screenshot(page, `programs-${name.replace(/[^a-z0-9]+/gi, '-')}-phone.png`);
    } finally {
        await page.setViewportSize({ width: 1280, height: 900 });
    }
}

test('the program administrator reads and changes the CETL rules', { timeout: 90000 }, async () => {
    const { page } = browser;
    await page.goto(srv.url + '/login');
    await field(page, 'E-mail address').fill(w.people.program_admin.email);
    await field(page, 'Password').fill(PASSWORD);
    await clickAndWait(page, page.getByRole('button', { name: /sign in/i }), /\/dashboard/);

    await clickAndWait(page, page.getByRole('link', { name: 'Certification programs' }), /\/admin\/programs$/);
    await check(page, '/admin/programs');
    await clickAndWait(page, page.getByRole('link', { name: 'Certified Education Technology Leader' }), /\/admin\/programs\/CETL$/);
    const main = page.locator('main');
    assert.match(await main.innerText(), /a pass is 600 or more/);
    assert.match(await main.locator('table', { hasText: 'Industry certification' }).innerText(), /4 points each\s+12 points per term/);
    assert.ok((await main.locator('.tag-warn', { hasText: 'assumed' }).count()) >= 3, 'assumed defaults are marked');
    await check(page, '/admin/programs/CETL');

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
    await check(page, '/admin/programs/CETL (refused)');

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
