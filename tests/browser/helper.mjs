// Browser test helper: Debian's chromium driven by playwright-core, plus an axe-core scan.
//
//   const b = await launchBrowser();      // { context, page, consoleErrors, badResponses, close() }
//   await b.page.goto(url);
//   const violations = await axeScan(b.page);   // impact serious/critical only
//   await b.close();
//
// Never `playwright install`: the browser is Debian's /usr/bin/chromium (override with
// env CHROMIUM). The flags keep it off the network, which this machine does not have.
import { mkdtempSync, readFileSync, rmSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { ROOT } from '../http/helper.mjs';
import { PASSWORD } from '../http/authhelp.mjs';

export { ROOT };
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const SCREENSHOTS = path.join(ROOT, 'build', 'screenshots');
const AXE_PATH = path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js');

export const CHROMIUM_ARGS = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
];

/**
 * Launch chromium with a fresh temporary profile (--user-data-dir) and open one page.
 * Console errors, uncaught page errors and HTTP responses >= 400 are collected on the
 * returned object so a test can assert there were none.
 */
export async function launchBrowser({ viewport = { width: 1280, height: 900 } } = {}) {
    if (!existsSync(CHROMIUM)) {
        throw new Error(`chromium not found at ${CHROMIUM} (scripts/bootstrap test installs it)`);
    }
    const profile = mkdtempSync(path.join(tmpdir(), 'ctoframe-chromium-'));
    let context;
    try {
        context = await chromium.launchPersistentContext(profile, {
            executablePath: CHROMIUM,
            headless: true,
            args: CHROMIUM_ARGS,
            viewport,
            locale: 'en-US',
            timeout: 30000,
        });
    } catch (e) {
        rmSync(profile, { recursive: true, force: true });
        throw e;
    }
    const page = context.pages()[0] || (await context.newPage());
    page.setDefaultTimeout(10000);
    page.setDefaultNavigationTimeout(15000);

    const consoleErrors = [];
    const badResponses = [];
    // The browser asks for /favicon.ico on its own; a 404 there is no fault of the page.
    const favicon = (u) => /\/favicon\.ico(\?|$)/.test(u || '');
    const watch = (p) => {
        p.on('console', (msg) => {
            if (msg.type() === 'error' && !favicon(msg.location().url)) {
                const loc = msg.location();
                consoleErrors.push(`${msg.text()} (${loc.url || p.url()}:${loc.lineNumber ?? '?'})`);
            }
        });
        p.on('pageerror', (err) => consoleErrors.push(`uncaught: ${err.message} (${p.url()})`));
        p.on('response', (res) => {
            if (res.status() >= 400 && !favicon(res.url())) badResponses.push(`${res.status()} ${res.request().method()} ${res.url()}`);
        });
        p.on('requestfailed', (req) => {
            badResponses.push(`failed ${req.method()} ${req.url()}: ${req.failure()?.errorText}`);
        });
    };
    watch(page);
    context.on('page', watch);

    return {
        context,
        page,
        consoleErrors,
        badResponses,
        async close() {
            try {
                await context.close();
            } finally {
                rmSync(profile, { recursive: true, force: true });
            }
        },
    };
}

/**
 * Run axe-core on the page; return the violations of impact serious or critical.
 * axe is injected through the DevTools protocol (page.evaluate of axe.min.js), not as an
 * inline <script>, so a strict Content-Security-Policy on the page does not block it and
 * does not log a console error of its own.
 */
export async function axeScan(page, { context = undefined, options = {} } = {}) {
    const hasAxe = await page.evaluate(() => typeof window.axe !== 'undefined');
    if (!hasAxe) {
        const src = readFileSync(AXE_PATH, 'utf8');
        await page.evaluate(src);
    }
    const violations = await page.evaluate(
        async ([ctx, opts]) => {
            const r = await window.axe.run(ctx || document, { resultTypes: ['violations'], ...opts });
            return r.violations.map((v) => ({
                id: v.id,
                impact: v.impact,
                help: v.help,
                helpUrl: v.helpUrl,
                nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, summary: n.failureSummary })),
            }));
        },
        [context, options],
    );
    return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Human-readable list of axe violations for an assertion message. */
export function formatViolations(violations, where = '') {
    return violations
        .map(
            (v) =>
                `${where}${where ? ': ' : ''}[${v.impact}] ${v.id}: ${v.help}\n` +
                v.nodes
                    .slice(0, 5)
                    .map((n) => `    ${n.target.join(' ')}  ${n.html.slice(0, 160)}`)
                    .join('\n'),
        )
        .join('\n');
}

/** Screenshot to build/screenshots/NAME.png (full page); returns the path. */
export async function screenshot(page, name, { fullPage = true } = {}) {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const file = path.join(SCREENSHOTS, name.endsWith('.png') ? name : `${name}.png`);
    await page.screenshot({ path: file, fullPage });
    return file;
}

/** RFC 4122 version-5 UUID (SHA-1) of `name` in namespace `ns`. */
export function uuid5(ns, name) {
    const nsBytes = Buffer.from(ns.replace(/-/g, ''), 'hex');
    const h = createHash('sha1').update(Buffer.concat([nsBytes, Buffer.from(name, 'utf8')])).digest();
    h[6] = (h[6] & 0x0f) | 0x50;
    h[8] = (h[8] & 0x3f) | 0x80;
    const x = h.subarray(0, 16).toString('hex');
    return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

export const NAMESPACE_URL = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';
/** Namespace of every identifier ctoframe ships in its frameworks. */
export const CTOFRAME_NS = uuid5(NAMESPACE_URL, 'https://frameworks.ctoframe.org/');
export const COSN_2019_DOC = uuid5(CTOFRAME_NS, 'cosn-k12cto-2019/document');
export const cosn2019Item = (code) => uuid5(CTOFRAME_NS, `cosn-k12cto-2019/item/${code}`);

/** Clicks `locator` and waits for the navigation it starts (to a URL matching `urlTest`, if given). */
export async function clickAndWait(page, locator, urlTest) {
    const [res] = await Promise.all([page.waitForNavigation(urlTest ? { url: urlTest } : {}), locator.click()]);
    return res;
}

/**
 * Signs the browser in as `email` through the sign-in form at `base`/login and waits for the
 * dashboard. `fresh` drops the cookies of an earlier session first.
 */
export async function signIn(page, base, email, { password = PASSWORD, fresh = false } = {}) {
    if (fresh) await page.context().clearCookies();
    await page.goto(base + '/login');
    await page.getByLabel('E-mail address', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await clickAndWait(page, page.getByRole('button', { name: /sign in/i }), /\/dashboard$/);
}

/** Presses the Sign out button and waits for the page it leads to (matching `urlTest`, if given). */
export async function signOut(page, urlTest) {
    return clickAndWait(page, page.getByRole('button', { name: 'Sign out' }), urlTest);
}

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };

/**
 * What in `main` sticks out at the current viewport: the page's sideways overflow and every
 * element whose right edge is past the viewport. Text for screen readers only
 * (.visually-hidden, a reflowed table's header row) is clipped to nothing and is skipped;
 * so is the content of a `.table-scroll` box (it scrolls inside its box) unless
 * `tableScroll` is false.
 */
export function cutOff(page, { tableScroll = true } = {}) {
    return page.evaluate((skipScroll) => {
        const out = [];
        const width = document.documentElement.clientWidth;
        if (document.documentElement.scrollWidth - width > 1) out.push(`the page is ${document.documentElement.scrollWidth - width}px too wide`);
        const clipped = (el) => {
            for (let a = el; a && a !== document.body; a = a.parentElement) {
                const cs = getComputedStyle(a);
                if (cs.clipPath === 'inset(50%)' || /rect\(0px,? 0px,? 0px,? 0px\)/.test(cs.clip)) return true;
            }
            return false;
        };
        for (const el of document.querySelectorAll('main *')) {
            if (skipScroll && el.closest('.table-scroll')) continue;
            const r = el.getBoundingClientRect();
            if (r.width > 0 && r.right > width + 1 && !clipped(el)) out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} ends at ${Math.round(r.right)}px`);
        }
        return out;
    }, tableScroll);
}

/**
 * axe on the page now showing (kept in `scanned` under `name`), then the same page at 390 px:
 * nothing wider than the screen, and a screenshot build/screenshots/PREFIX-NAME-phone.png.
 * Options: `axePhone` scans again at 390 px (kept as "NAME (390 px)"); `tableScroll: false`
 * checks the content of `.table-scroll` boxes too; `extra(page, name)` runs more assertions
 * at 390 px. The viewport is back at 1280 px afterwards, whatever happened.
 */
export async function check(page, name, { scanned, prefix, axePhone = false, tableScroll = true, extra } = {}) {
    scanned.set(name, await axeScan(page));
    await page.setViewportSize(PHONE);
    try {
        if (axePhone) scanned.set(`${name} (390 px)`, await axeScan(page));
        assert.deepEqual(await cutOff(page, { tableScroll }), [], `${name} at 390px`);
        if (extra) await extra(page, name);
        await screenshot(page, `${prefix}-${name.replace(/[^a-z0-9]+/gi, '-')}-phone.png`);
    } finally {
        await page.setViewportSize(DESKTOP);
    }
}

/**
 * The `after` of a browser test: closes the browser, stops the server and drops the database
 * (each if it was made), trying all three, then throws the first error.
 */
export async function closeAll({ browser, srv, d } = {}) {
    const errs = [];
    if (browser) await browser.close().catch((e) => errs.push(e));
    if (srv) await srv.stop().catch((e) => errs.push(e));
    if (d) await d.drop().catch((e) => errs.push(e));
    if (errs.length) throw errs[0];
}
