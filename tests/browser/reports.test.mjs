// The program's reports in a real browser (issue 8 point 8): a reviewer opens Reports from the
// dashboard, the pass rates by quarter through the filter form, the upcoming expirations with
// a refused filter (the message beside the field), and the CE compliance. Each page is scanned
// with axe-core and checked at a 390 px phone width: the tables reflow (class="stack",
// data-label), nothing is cut off.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../http/helper.mjs';
import { CHEAP, ownDb, buildWorld, cliOk } from '../http/authhelp.mjs';
import { launchBrowser, formatViolations, clickAndWait, signIn, check, closeAll } from './helper.mjs';

const NOW = { CTOFRAME_NOW: '2026-06-15T12:00:00Z' };
let d, srv, browser, w;
const scanned = new Map();

before(async () => {
    d = await ownDb();
    w = await buildWorld(d.db);
    await cliOk(['demo'], { db: d.db, env: { ...CHEAP, ...NOW } });
    srv = await startServer({ db: d.db, env: { ...CHEAP, ...NOW } });
    browser = await launchBrowser();
});

after(() => closeAll({ browser, srv, d }));

// Reflowed at 390 px: each cell shows its column's name.
const PHONE_CHECK_OPTS = {
    scanned,
    prefix: 'reports',
    axePhone: true,
    tableScroll: false,
    extra: async (page, name) => {
        const labelled = await page.evaluate(() => [...document.querySelectorAll('table.stack td')].every((td) => td.dataset.label));
        assert.ok(labelled, `${name}: every cell has data-label`);
    },
};

test('a reviewer reads the reports: list, pass rates by quarter, expirations (a refused filter), CE compliance', { timeout: 120000 }, async () => {
    const { page } = browser;
    const main = page.locator('main');
    await signIn(page, srv.url, w.people.reviewer.email);
    await clickAndWait(page, main.getByRole('link', { name: 'Reports', exact: true }), /\/reports$/);
    await check(page, '/reports', PHONE_CHECK_OPTS);

    await clickAndWait(page, main.getByRole('link', { name: 'Pass rates by form and period' }), /\/reports\/pass-rates/);
    await page.getByLabel('Period', { exact: true }).selectOption('quarter');
    await page.getByLabel('First day', { exact: true }).fill('2024-01-01');
    await clickAndWait(page, page.getByRole('button', { name: 'Show' }), /period=quarter/);
    assert.match(await main.locator('table.stack').innerText(), /\d{4}-Q[1-4]/);
    await check(page, '/reports/pass-rates?period=quarter', PHONE_CHECK_OPTS);

    await page.goto(srv.url + '/reports/expirations');
    assert.ok((await main.locator('table.stack tbody tr').count()) > 0, 'some credentials expire within 180 days');
    await check(page, '/reports/expirations', PHONE_CHECK_OPTS);
    await page.getByLabel('Days ahead', { exact: true }).fill('0');
    // The browser's own min check would stop the form; the server's answer is what is tested.
    await page.evaluate(() => document.querySelector('form.filters').setAttribute('novalidate', ''));
    await clickAndWait(page, page.getByRole('button', { name: 'Show' }), /days=0/);
    assert.match(await page.locator('#days-error').innerText(), /whole number from 1 to 3650\./);
    await check(page, '/reports/expirations?days=0', PHONE_CHECK_OPTS);

    await page.goto(srv.url + '/reports/ce');
    assert.match(await main.innerText(), /credentials in force; page 1 of 1\./);
    await check(page, '/reports/ce', PHONE_CHECK_OPTS);
});

test('axe finds no serious or critical violation on the report pages', () => {
    assert.ok(scanned.size >= 10, `pages scanned: ${[...scanned.keys()].join(', ')}`);
    const all = [...scanned].flatMap(([where, v]) => (v.length ? [formatViolations(v, where)] : []));
    assert.deepEqual(all, [], all.join('\n'));
});
