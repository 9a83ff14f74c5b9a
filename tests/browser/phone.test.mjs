// The pages on a phone, and the rubric one tap away (issue 7, points 5 and 10).
//
// Point 5: on the framework page a skill's name looks like a link without hovering
// (underlined in the computed style, with a visible focus ring), the page says that each
// skill opens its rubric, and a "Rubric" link per skill opens the rubric levels.
// Point 10: at 390 px wide (a phone) nothing sticks out of the viewport on the framework,
// crosswalk, item, people, organizations, outbox and account pages: the page does not
// scroll sideways and every table's right edge is inside the viewport (tables reflow to
// one block per row; see docs/internals/pages.md). Each page is scanned with axe-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../http/helper.mjs';
import { ownDb, buildWorld, addUser, CHEAP } from '../http/authhelp.mjs';
import { launchBrowser, axeScan, formatViolations, screenshot, COSN_2019_DOC, cosn2019Item, signIn, closeAll } from './helper.mjs';

const PHONE = { width: 390, height: 844 };
const FRAMEWORK_PATH = `/frameworks/${COSN_2019_DOC}`;
const SKILL_IA = cosn2019Item('I.A');

let d;
let srv;
let browser;
let world;

before(async () => {
    d = await ownDb();
    world = await buildWorld(d.db);
    // An invitation nobody accepted yet: the outbox has a message to show.
    await addUser(d.db, 'invited.person.with.a.long.address@springfield-school-district.example.org', {
        name: 'Invited Person',
        role: 'leader',
        org: world.orgs.schoolA,
        password: null,
        env: { CTOFRAME_PUBLIC_URL: 'https://ctoframe.example.org' },
    });
    srv = await startServer({ db: d.db, env: CHEAP });
    browser = await launchBrowser();
});

after(() => closeAll({ browser, srv, d }));

test('the framework page says each skill opens its rubric, and skill names look like links', { timeout: 60000 }, async () => {
    const { page } = browser;
    const res = await page.goto(srv.url + FRAMEWORK_PATH);
    assert.equal(res.status(), 200);
    const text = await page.locator('main').innerText();
    assert.match(text, /Each skill opens its rubric/, 'the page says that each skill has a rubric');

    const name = page.locator(`main h3 a[href$="/items/${SKILL_IA}"]`).first();
    assert.equal(await name.count(), 1, 'the skill area I.A is a link in its heading');
    const style = await name.evaluate((a) => {
        const cs = getComputedStyle(a);
        return { line: cs.textDecorationLine, color: cs.color };
    });
    assert.match(style.line, /underline/, `a skill name is underlined without hovering (text-decoration-line: ${style.line})`);

    // Focus is visible: tabbing onto the link draws an outline.
    await name.focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
        const a = document.activeElement;
        const cs = getComputedStyle(a);
        return { href: a.getAttribute('href'), outline: cs.outlineStyle, width: parseFloat(cs.outlineWidth) };
    });
    assert.ok(focused.outline !== 'none' && focused.width >= 2, `a focused link shows an outline: ${JSON.stringify(focused)}`);

    // Every skill with a rubric has a visible "Rubric" link; I.A's opens its rubric.
    const rubricLinks = page.locator('main .rubric-link a');
    assert.equal(await rubricLinks.count(), 10, 'one Rubric link per skill area of the CoSN 2019 framework');
    const rubric = page.locator(`main .rubric-link a[href*="/items/${SKILL_IA}"]`);
    assert.equal(await rubric.count(), 1);
    assert.ok(await rubric.isVisible(), 'the Rubric link is visible');
    assert.match(await rubric.innerText(), /^Rubric/);
    const linkStyle = await rubric.evaluate((a) => getComputedStyle(a).textDecorationLine);
    assert.match(linkStyle, /underline/);
    await Promise.all([page.waitForURL(new RegExp(`/items/${SKILL_IA}`)), rubric.click()]);
    const heading = page.locator('#rubric-title');
    assert.ok(await heading.isVisible(), 'the rubric is on the page the link opens');
    const levels = await page.locator('.rubric .level h3').allInnerTexts();
    assert.equal(levels.length, 4, `four levels: ${levels.join(' | ')}`);
    for (const l of ['Emerging', 'Developing', 'Proficient', 'Exemplary']) {
        assert.ok(levels.some((t) => t.includes(l)), `level ${l}`);
    }
    // The link lands on the rubric, not at the top of the page.
    const top = await heading.evaluate((h) => h.getBoundingClientRect().top);
    assert.ok(top < 200, `the rubric heading is scrolled into view (top ${top}px)`);

    const v = await axeScan(page);
    assert.equal(v.length, 0, formatViolations(v, 'item'));
    await page.goto(srv.url + FRAMEWORK_PATH);
    const v2 = await axeScan(page);
    assert.equal(v2.length, 0, formatViolations(v2, 'framework'));
});

/**
 * What sticks out at the current viewport: the page's sideways overflow, tables whose right
 * edge is past the viewport, and any element wider than the viewport (outside a scroll
 * container that shows it scrolls).
 */
function overflowReport(page) {
    return page.evaluate(() => {
        const vw = document.documentElement.clientWidth;
        const out = { scrollWidth: document.documentElement.scrollWidth, vw, tables: [], elements: [] };
        for (const t of document.querySelectorAll('main table')) {
            const r = t.getBoundingClientRect();
            if (r.right > vw + 0.5) out.tables.push(`${t.className || 'table'}: right edge ${Math.round(r.right)}px`);
        }
        // Text for screen readers only (.visually-hidden, a reflowed table's header row) is
        // clipped to nothing: it sticks out of nothing a person sees.
        const clipped = (el) => {
            for (let a = el; a && a !== document.body; a = a.parentElement) {
                const cs = getComputedStyle(a);
                if (cs.clipPath === 'inset(50%)' || /rect\(0px,? 0px,? 0px,? 0px\)/.test(cs.clip)) return true;
            }
            return false;
        };
        for (const el of document.querySelectorAll('body *')) {
            const r = el.getBoundingClientRect();
            if (r.width === 0 || r.height === 0) continue;
            if (r.right > vw + 0.5 && !clipped(el)) {
                out.elements.push(`${el.tagName.toLowerCase()}.${el.className}: right ${Math.round(r.right)}px`);
            }
        }
        out.elements = out.elements.slice(0, 10);
        return out;
    });
}

test('at 390 px nothing is cut off: framework, crosswalk, item, people, organizations, outbox, account', { timeout: 180000 }, async () => {
    const { page } = browser;
    await signIn(page, srv.url, world.people.program_admin.email);

    const fw = await (await fetch(srv.url + FRAMEWORK_PATH + '.json')).json();
    const crosswalks = fw.framework.crosswalks || [];
    assert.ok(crosswalks.length > 0, 'the CoSN 2019 framework has a crosswalk');
    const pages = [
        ['framework', FRAMEWORK_PATH],
        ['crosswalk', crosswalks[0].url],
        ['item', `${FRAMEWORK_PATH}/items/${SKILL_IA}`],
        ['people', '/admin/people'],
        ['orgs', '/admin/orgs'],
        ['org', `/admin/orgs/${world.orgs.a}`],
        ['outbox', '/admin/outbox'],
        ['account', '/account'],
        ['dashboard', '/dashboard'],
        ['home', '/'],
        ['frameworks', '/frameworks'],
    ];
    // Also the other direction of the crosswalk (the ISTE one has long names on both sides).
    for (const c of crosswalks.slice(1)) pages.push([`crosswalk ${c.title}`, c.url]);

    await page.setViewportSize(PHONE);
    const problems = [];
    try {
        for (const [name, p] of pages) {
            const res = await page.goto(srv.url + p);
            assert.equal(res.status(), 200, `${name} ${p}`);
            if (name === 'outbox') {
                // Open every message: the longest lines are inside them.
                for (const s of await page.locator('details summary').all()) await s.click();
            }
            const r = await overflowReport(page);
            if (r.scrollWidth > PHONE.width) problems.push(`${name}: the page is ${r.scrollWidth}px wide`);
            for (const t of r.tables) problems.push(`${name}: table ${t}`);
            for (const e of r.elements) problems.push(`${name}: ${e}`);
            await screenshot(page, `phone-${name.replace(/\W+/g, '-')}.png`);
            const v = await axeScan(page);
            if (v.length) problems.push(formatViolations(v, `${name} at 390 px`));
        }
    } finally {
        await page.setViewportSize({ width: 1280, height: 900 });
    }
    assert.deepEqual(problems, [], problems.join('\n'));
});

test('the crosswalk at 390 px labels each cell with its column', { timeout: 60000 }, async () => {
    const { page } = browser;
    const fw = await (await fetch(srv.url + FRAMEWORK_PATH + '.json')).json();
    const cw = fw.framework.crosswalks[0];
    await page.setViewportSize(PHONE);
    try {
        await page.goto(srv.url + cw.url);
        const row = page.locator('table.crosswalk tbody tr').first();
        const cells = await row.locator('td').evaluateAll((tds) =>
            tds.map((td) => ({ label: getComputedStyle(td, '::before').content, right: td.getBoundingClientRect().right })),
        );
        assert.equal(cells.length, 3);
        assert.match(cells[1].label, /Relation/, `the middle cell is labelled: ${cells[1].label}`);
        for (const c of cells) {
            assert.notEqual(c.label, 'none', 'each cell carries its column name');
            assert.ok(c.right <= PHONE.width, `a cell ends at ${c.right}px`);
        }
        // The third column is below the first, not beside it: nothing to scroll to.
        const third = await row.locator('td').nth(2).isVisible();
        assert.ok(third, 'the third column is visible');
    } finally {
        await page.setViewportSize({ width: 1280, height: 900 });
    }
});

test('no console errors and no failed requests', () => {
    assert.deepEqual(browser.consoleErrors, [], 'console errors');
    assert.deepEqual(browser.badResponses, [], 'HTTP errors for the pages or their resources');
});
