// A person browses the CoSN 2019 framework in a real browser (Debian chromium).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../http/helper.mjs';
import {
    launchBrowser,
    axeScan,
    formatViolations,
    screenshot,
    COSN_2019_DOC,
    cosn2019Item,
} from './helper.mjs';

const FRAMEWORK_PATH = `/frameworks/${COSN_2019_DOC}`;
const SKILL_IA = cosn2019Item('I.A');

const CATEGORIES = [
    /Leadership\s+(&|and)\s+Vision/i,
    /Understanding\s+the\s+Educational\s+Environment/i,
    /Managing\s+Technology\s+(&|and)\s+Support\s+Resources/i,
];
const SKILL_AREAS = [
    /Leadership\s+(&|and)\s+Vision/i,
    /Strategic\s+Planning/i,
    /Ethics\s+(&|and)\s+Polic(y|ies)/i,
    /Instructional\s+Focus\s+(&|and)\s+Professional\s+Development/i,
    /Team\s+Building\s+(&|and)\s+Staffing/i,
    /Stakeholder\s+Focus/i,
    /Information\s+Technology\s+Management/i,
    /Communication\s+Systems(\s+Management)?/i,
    /Business\s+Management/i,
    /Data\s+Management/i,
];
const CORE_VALUES = [
    /communicator/i,
    /innovat(or|ion|ive)/i,
    /courage/i,
    /flexib(le|ility)\s*(&|and|,)?\s*adaptab(le|ility)|flexib(le|ility)/i,
    /results[\s-]+oriented/i,
];
const LEVELS = ['Emerging', 'Developing', 'Proficient', 'Exemplary'];

let srv;
let browser;
const visited = new Set();

before(async () => {
    srv = await startServer();
    browser = await launchBrowser();
});

after(async () => {
    const errs = [];
    if (browser) await browser.close().catch((e) => errs.push(e));
    if (srv) await srv.stop().catch((e) => errs.push(e));
    if (errs.length) throw errs[0];
});

async function visibleText(page) {
    return page.locator('body').innerText();
}

test('from the home page, links lead to the CoSN 2019 framework', { timeout: 60000 }, async () => {
    const { page } = browser;
    const home = await page.goto(srv.url + '/');
    assert.equal(home.status(), 200);
    visited.add(page.url());

    const toList = page.locator('a[href="/frameworks"], a[href="/frameworks/"], a[href$="://' + new URL(srv.url).host + '/frameworks"]');
    assert.ok((await toList.count()) > 0, 'the home page links to /frameworks');
    await Promise.all([page.waitForURL(/\/frameworks\/?$/), toList.first().click()]);
    visited.add(page.url());

    const toFramework = page.locator(`a[href$="${FRAMEWORK_PATH}"]`);
    assert.ok(
        (await toFramework.count()) > 0,
        `the frameworks list links to ${FRAMEWORK_PATH}; page says:\n${(await visibleText(page)).slice(0, 800)}`,
    );
    await Promise.all([page.waitForURL((u) => u.pathname === FRAMEWORK_PATH), toFramework.first().click()]);
    visited.add(page.url());
});

test('the framework page shows title, categories, skill areas, weights, core values', { timeout: 60000 }, async () => {
    const { page } = browser;
    const res = await page.goto(srv.url + FRAMEWORK_PATH);
    assert.equal(res.status(), 200);
    assert.match(res.headers()['content-type'] || '', /^text\/html/i);
    visited.add(page.url());

    const h1 = await page.locator('h1').first().innerText();
    assert.match(h1, /K[-\u2010\u2011\u2013]12\s+CTO/i, `heading: ${h1}`);

    const text = await visibleText(page);
    for (const re of CATEGORIES) assert.match(text, re, `category ${re} is shown`);

    const found = SKILL_AREAS.filter((re) => re.test(text));
    const missing = SKILL_AREAS.filter((re) => !re.test(text)).map(String);
    assert.equal(found.length, 10, `10 skill areas listed; missing: ${missing.join(', ')}`);

    // "15 %" next to the skill area Leadership & Vision (its exam weight).
    const near = [];
    const re = /Leadership\s+(&|and)\s+Vision/gi;
    let m;
    while ((m = re.exec(text))) near.push(text.slice(Math.max(0, m.index - 40), m.index + m[0].length + 120));
    assert.ok(
        near.some((s) => /\b15\s?%/.test(s)),
        `"15 %" shown near Leadership & Vision; around it:\n${near.join('\n---\n')}`,
    );

    for (const cv of CORE_VALUES) assert.match(text, cv, `core value ${cv} is shown`);

    await screenshot(page, 'framework.png');
    await page.setViewportSize({ width: 390, height: 844 });
    try {
        await screenshot(page, 'framework-phone.png');
        // On a phone the page must not scroll sideways.
        const overflow = await page.evaluate(
            () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        assert.ok(overflow <= 1, `page is ${overflow}px wider than a 390px phone screen`);
    } finally {
        await page.setViewportSize({ width: 1280, height: 900 });
    }
});

test('a skill area opens and shows the 4 rubric levels', { timeout: 60000 }, async () => {
    const { page } = browser;
    await page.goto(srv.url + FRAMEWORK_PATH);
    const link = page.locator(`a[href$="/items/${SKILL_IA}"]`);
    const target = (await link.count()) > 0 ? link.first() : page.locator(`a[href*="${FRAMEWORK_PATH}/items/"]`).first();
    assert.ok((await target.count()) > 0, 'the framework page links to its skill areas');
    await Promise.all([page.waitForURL(/\/items\/[0-9a-f-]{36}$/), target.click()]);
    visited.add(page.url());

    const text = await visibleText(page);
    for (const level of LEVELS) assert.match(text, new RegExp(`\\b${level}\\b`, 'i'), `rubric level ${level}`);
    await screenshot(page, 'skill.png');
});

test('no console errors and no failed requests on the pages visited', () => {
    assert.deepEqual(browser.consoleErrors, [], 'console errors');
    assert.deepEqual(browser.badResponses, [], 'HTTP errors for the page or its resources');
});

test('axe-core: no serious or critical accessibility violations', { timeout: 120000 }, async () => {
    const { page } = browser;
    const pages = visited.size ? [...visited] : [srv.url + '/', srv.url + FRAMEWORK_PATH];
    const report = [];
    for (const url of pages) {
        await page.goto(url);
        const v = await axeScan(page);
        if (v.length) report.push(formatViolations(v, new URL(url).pathname));
    }
    assert.equal(report.length, 0, report.join('\n'));
});
