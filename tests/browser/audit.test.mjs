// The audit trail on a phone (issue 7, point 11): at 390 px wide every entry reads in
// words, nothing is cut off or hidden in a sideways scroll, a long e-mail address wraps
// after "@" and dots, and axe-core finds no serious or critical violation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withServer, addUser, cliOk, tryLogin, PASSWORD } from '../http/authhelp.mjs';
import { launchBrowser, axeScan, formatViolations, screenshot } from './helper.mjs';

const PHONE = { width: 390, height: 844 };
const LONG = 'averyveryverylongemailaddressforwrapping@some-very-long-district-domain.example.org';

test('the audit trail reads at 390 px', { timeout: 120000 }, async () => {
    await withServer({}, async (ctx) => {
        await ctx.start();
        const w = ctx.w;
        const admin = await ctx.signIn(w.people.program_admin.email);
        await tryLogin(ctx.jar(), w.people.leader_a.email, 'not the password');
        const r = await admin.post('/admin/people', { name: 'Long Address', email: LONG, org: w.orgs.a, role: 'leader' });
        assert.equal(r.status, 201, r.text);
        await addUser(ctx.db, 'gone@example.org', { name: 'Gone Person', role: 'leader', org: w.orgs.b });
        await cliOk(['user', 'erase', 'gone@example.org'], { db: ctx.db });

        const b = await launchBrowser({ viewport: PHONE });
        try {
            const { page } = b;
            await page.goto(ctx.url + '/login');
            await page.getByLabel('E-mail address').fill(w.people.program_admin.email);
            await page.getByLabel('Password').fill(PASSWORD);
            await Promise.all([page.waitForURL(/\/dashboard$/), page.getByRole('button', { name: 'Sign in' }).click()]);
            await page.goto(ctx.url + '/admin/audit');
            const main = await page.locator('main').innerText();
            for (const words of ['Sign-in failed', 'Person added', 'Role given', 'Person erased'])
                assert.ok(main.includes(words), `the page says "${words}"`);
            assert.ok(!/auth\.login_failed|grant\.add/.test(main), 'no action codes on the page');

            // Nothing wider than the screen, and no box that hides part of its content.
            const m = await page.evaluate(() => {
                const vw = document.documentElement.clientWidth;
                const wide = [];
                // Visually hidden parts (a stacked table's header row, kept for screen readers)
                // are clipped to nothing: they cannot be cut off.
                const hidden = (el) => {
                    for (let e = el; e && e !== document.body; e = e.parentElement) {
                        const c = getComputedStyle(e);
                        if ((c.clipPath && c.clipPath !== 'none') || (c.clip && c.clip !== 'auto')) return true;
                    }
                    return false;
                };
                for (const el of document.querySelectorAll('main *')) {
                    if (hidden(el)) continue;
                    const rect = el.getBoundingClientRect();
                    if (rect.width > 0 && rect.right > vw + 0.5) wide.push(`${el.tagName}.${el.className} right=${rect.right}`);
                    const cs = getComputedStyle(el);
                    if (el.scrollWidth > el.clientWidth + 1 && cs.overflowX !== 'visible' && el.clientWidth > 0)
                        wide.push(`${el.tagName}.${el.className} scrolls: ${el.scrollWidth} > ${el.clientWidth}`);
                }
                return { scrollWidth: document.documentElement.scrollWidth, wide: wide.slice(0, 10) };
            });
            assert.ok(m.scrollWidth <= PHONE.width, `the page is ${m.scrollWidth} px wide`);
            assert.deepEqual(m.wide, [], 'every element fits the screen');

            // The address wraps at the points it offers: each line ends after "@" or a dot,
            // no piece between them is broken (here and on a wide screen).
            const addr = page.locator('.addr', { hasText: 'averyvery' }).first();
            const wrapping = () =>
                addr.evaluate((el) => {
                    const tops = (node) => {
                        const range = document.createRange();
                        range.selectNodeContents(node);
                        return [...new Set([...range.getClientRects()].map((r) => Math.round(r.top)))];
                    };
                    // Where a piece goes on to the next line: only after a hyphen is a word
                    // boundary (the browser's own); anywhere else the piece is broken.
                    const brokenInside = (node) => {
                        const range = document.createRange();
                        let last = null;
                        for (let i = 0; i < node.length; i++) {
                            range.setStart(node, i);
                            range.setEnd(node, i + 1);
                            const top = Math.round(range.getBoundingClientRect().top);
                            if (last !== null && top !== last && node.textContent[i - 1] !== '-') return true;
                            last = top;
                        }
                        return false;
                    };
                    const pieces = [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE);
                    return { lines: tops(el).length, broken: pieces.filter(brokenInside).map((n) => n.textContent) };
                });
            let wrap = await wrapping();
            assert.ok(wrap.lines >= 2, `the long address wraps (${wrap.lines} lines)`);
            assert.deepEqual(wrap.broken, [], 'no piece of the address is broken mid-word');
            const box = await addr.boundingBox();
            assert.ok(box.x + box.width <= PHONE.width, 'the address stays on the screen');

            const v = await axeScan(page);
            assert.deepEqual(v, [], formatViolations(v, '/admin/audit at 390 px'));
            await screenshot(page, 'audit-390.png');
            await page.setViewportSize({ width: 1280, height: 900 });
            wrap = await wrapping();
            assert.deepEqual(wrap.broken, [], 'on a wide screen, no piece of the address is broken either');
            assert.deepEqual(b.consoleErrors, []);
        } finally {
            await b.close();
        }
    });
});
