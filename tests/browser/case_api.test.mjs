// A superintendent clicks "CASE API" in the top menu: a page for people explains the CASE
// service with live examples, instead of raw JSON. Read at desktop and at phone width (390 px),
// scanned with axe-core (no serious or critical violation).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../http/helper.mjs';
import { launchBrowser, axeScan, formatViolations, screenshot } from './helper.mjs';

let srv;
let desktop;
let phone;

before(async () => {
    srv = await startServer();
    desktop = await launchBrowser();
    phone = await launchBrowser({ viewport: { width: 390, height: 844 } });
});

after(async () => {
    const errs = [];
    for (const b of [desktop, phone]) if (b) await b.close().catch((e) => errs.push(e));
    if (srv) await srv.stop().catch((e) => errs.push(e));
    if (errs.length) throw errs[0];
});

test('the "CASE API" menu item opens the guide page, not JSON; axe finds nothing serious', async () => {
    const { page } = desktop;
    await page.goto(srv.url + '/');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'CASE API' }).click();
    await page.waitForURL(/\/case-api$/);
    await assert.doesNotReject(page.getByRole('heading', { level: 1, name: /CASE API/ }).waitFor());
    const type = await page.evaluate(() => document.contentType);
    assert.equal(type, 'text/html', 'an HTML page');
    const text = await page.locator('main').innerText();
    assert.match(text, /Competencies and Academic Standards Exchange/);
    assert.ok((await page.locator('main pre code').count()) >= 7, 'a curl line per endpoint');
    const v = await axeScan(page);
    assert.equal(v.length, 0, formatViolations(v, '/case-api'));
    await screenshot(page, 'case-api');
});

test('an example link on the page opens live JSON', async () => {
    const { page } = desktop;
    await page.goto(srv.url + '/case-api');
    const link = page.locator('main a[href*="/ims/case/v1p0/CFRubrics/"]');
    assert.equal(await link.count(), 1, 'a rubric example');
    const href = await link.getAttribute('href');
    const [res] = await Promise.all([page.waitForResponse((r) => r.url() === href), link.click()]);
    assert.equal(res.status(), 200);
    assert.match(res.headers()['content-type'] || '', /^application\/json/);
    const body = await res.json();
    assert.ok(Array.isArray(body.CFRubricCriteria) && body.CFRubricCriteria.length > 0, 'a rubric with criteria');
});

test('at 390 px the guide reads without sideways scrolling; axe finds nothing serious', async () => {
    const { page } = phone;
    await page.goto(srv.url + '/case-api');
    const over = await page.evaluate(() => {
        const vw = document.documentElement.clientWidth;
        const wide = [...document.querySelectorAll('main *')]
            .filter((el) => el.getBoundingClientRect().right > vw + 1)
            .map((el) => `${el.tagName.toLowerCase()}: ${el.textContent.slice(0, 60)}`);
        return { vw, scroll: document.documentElement.scrollWidth, wide };
    });
    assert.ok(over.scroll <= over.vw, `page wider than the screen (${over.scroll} > ${over.vw})`);
    assert.deepEqual(over.wide, [], 'nothing cut off at the right edge');
    const v = await axeScan(page);
    assert.equal(v.length, 0, formatViolations(v, '/case-api at 390 px'));
    await screenshot(page, 'case-api-390');
});

test('no console error and no failed request on the way', () => {
    for (const b of [desktop, phone]) {
        assert.deepEqual(b.consoleErrors, []);
        assert.deepEqual(b.badResponses, []);
    }
});
