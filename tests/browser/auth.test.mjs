// Signing in and the administration pages, in a real browser (Debian chromium).
//
// A fresh server prints a one-time set-up link; a person opens it, creates the first
// program administrator, lands on the dashboard, signs out, signs in again (a wrong
// password first), then uses the admin pages the way an administrator would: adds a
// state, a district and a school, invites a leader, gives a role, makes and revokes an
// API token, reads the outbox and the audit trail. The invited leader accepts the
// invitation. Every page is scanned with axe-core; no JavaScript is needed anywhere.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer } from '../http/helper.mjs';
import { launchBrowser, axeScan, formatViolations, screenshot, clickAndWait, signOut } from './helper.mjs';

const ADMIN = {
    organization: 'CETL Program',
    name: 'Pat Morgan',
    email: 'pat.morgan@cetl.test',
    password: 'correct horse battery staple',
};
const LEADER = { name: 'Lee Chen', email: 'lee@springfield.test', title: 'Director of Technology' };
const LEADER_PASSWORD = 'lee chooses a long password';

let srv;
let browser;
let setupUrl;
const ids = {}; // person / org ids met on the way
const scanned = new Map(); // path → violations (serious and critical)
const expectedErrors = []; // responses >= 400 the test caused on purpose

before(async () => {
    srv = await startServer();
    setupUrl = await waitForSetupLink(srv);
    browser = await launchBrowser();
});

after(async () => {
    const errs = [];
    if (browser) await browser.close().catch((e) => errs.push(e));
    if (srv) await srv.stop().catch((e) => errs.push(e));
    if (errs.length) throw errs[0];
});

/** The server prints "first run: open http://…/setup/TOKEN …" on a new database. */
async function waitForSetupLink(s, ms = 10000) {
    const t0 = Date.now();
    for (;;) {
        const m = /first run: open (http:\/\/\S+\/setup\/[A-Za-z0-9_-]+)/.exec(s.stdout());
        if (m) return m[1];
        if (Date.now() - t0 > ms) {
            throw new Error(`no set-up link in the server's output:\n${s.stdout()}\n${s.stderr()}`);
        }
        await new Promise((r) => setTimeout(r, 50));
    }
}

const text = (page) => page.locator('body').innerText();
const mainText = (page) => page.locator('main').innerText();
const pathOf = (page) => new URL(page.url()).pathname;

/** Runs axe on the page now showing and keeps the result under its path (or `name`). */
async function scan(page, name = pathOf(page)) {
    scanned.set(name, await axeScan(page));
}

/** Field of the form labelled `label` (exact label text). */
const field = (scope, label) => scope.getByLabel(label, { exact: true });

test('the set-up link creates the first administrator and lands on the dashboard', { timeout: 60000 }, async () => {
    const { page } = browser;
    const res = await page.goto(setupUrl);
    assert.equal(res.status(), 200, await text(page));
    assert.match(await page.locator('h1').innerText(), /set up/i);
    await scan(page, '/setup/…');

    // The two passwords differ: the form comes back with the message beside the field.
    await field(page, 'Organization name').fill(ADMIN.organization);
    await field(page, 'Your full name').fill(ADMIN.name);
    await field(page, 'Your e-mail address').fill(ADMIN.email);
    await field(page, 'Choose a password').fill(ADMIN.password);
    await field(page, 'Type the password again').fill(ADMIN.password + ' typo');
    const bad = await clickAndWait(page, page.getByRole('button', { name: /create the account/i }));
    assert.equal(bad.status(), 400);
    expectedErrors.push(`400 POST ${setupUrl}`);
    const again = field(page, 'Type the password again');
    assert.equal(await again.getAttribute('aria-invalid'), 'true');
    const described = await again.getAttribute('aria-describedby');
    assert.ok(described, 'the second password field points at its message');
    assert.match(await page.locator(`#${described}`).innerText(), /not the same/i);
    // One field at fault: its message is beside it only; the summary points there.
    assert.equal((await page.getByRole('alert').innerText()).trim().split('\n').pop(), 'Please correct the field marked below.');
    assert.doesNotMatch(await page.getByRole('alert').innerText(), /not the same/i);
    assert.equal(await field(page, 'Your full name').inputValue(), ADMIN.name, 'what was typed is kept');
    assert.equal(await field(page, 'Your e-mail address').inputValue(), ADMIN.email);
    assert.equal(await field(page, 'Choose a password').inputValue(), '', 'passwords are never sent back');
    await scan(page, '/setup/… (with an error)');

    await field(page, 'Organization name').fill(ADMIN.organization);
    await field(page, 'Choose a password').fill(ADMIN.password);
    await field(page, 'Type the password again').fill(ADMIN.password);
    await clickAndWait(page, page.getByRole('button', { name: /create the account/i }), /\/dashboard$/);
    assert.match(await page.locator('h1').innerText(), new RegExp(ADMIN.name));
    const t = await mainText(page);
    assert.match(t, /Program administrator/, 'the dashboard lists the role by its name');
    assert.match(t, new RegExp(ADMIN.organization));
    for (const name of ['People', 'Organizations', 'Audit trail', 'Outbox']) {
        assert.ok(
            (await page.getByRole('navigation', { name: 'Your work' }).getByRole('link', { name }).count()) === 1,
            `the header links to ${name}`,
        );
    }
    await scan(page);
    await screenshot(page, 'auth-dashboard.png');
});

test('sign out, then a wrong password, then sign in with the keyboard', { timeout: 60000 }, async () => {
    const { page } = browser;
    await page.goto(srv.url + '/dashboard');
    await signOut(page, /\/login/);
    assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 0, 'no sign-out button once signed out');

    // Signed out: the dashboard sends you to the sign-in page and back afterwards.
    await page.goto(srv.url + '/dashboard');
    assert.equal(pathOf(page), '/login');
    await scan(page);
    await screenshot(page, 'auth-login.png');

    await field(page, 'E-mail address').fill(ADMIN.email);
    await field(page, 'Password').fill('not the password at all');
    const res = await clickAndWait(page, page.getByRole('button', { name: 'Sign in' }));
    assert.equal(res.status(), 401);
    expectedErrors.push(`401 POST ${srv.url}/login`);
    // The message sits beside the password, never the e-mail field (which was wrong is not said).
    assert.doesNotMatch(await page.getByRole('alert').innerText(), /e-mail address or password/i);
    const pwHelp = await field(page, 'Password').getAttribute('aria-describedby');
    assert.match(await page.locator(`#${pwHelp}`).innerText(), /e-mail address or password is not right/i);
    assert.equal(await field(page, 'E-mail address').getAttribute('aria-invalid'), null);
    assert.equal(await field(page, 'E-mail address').inputValue(), ADMIN.email, 'the address is kept');
    assert.equal(await field(page, 'Password').inputValue(), '', 'the password is not');
    assert.equal(await field(page, 'Password').getAttribute('aria-invalid'), 'true');
    await scan(page, '/login (wrong password)');
    await screenshot(page, 'auth-login-error.png');

    // Keyboard only: type the password, press Enter.
    await field(page, 'Password').focus();
    await page.keyboard.type(ADMIN.password);
    await Promise.all([page.waitForURL(/\/dashboard$/), page.keyboard.press('Enter')]);
    assert.match(await page.locator('h1').innerText(), new RegExp(ADMIN.name));
});

test('organizations: a state, a district in it and a school in the district', { timeout: 60000 }, async () => {
    const { page } = browser;
    await page.goto(srv.url + '/admin/orgs');
    await scan(page);

    const add = page.locator('form[action="/admin/orgs"]');
    await field(add, 'Name').fill('Ohio');
    await field(add, 'Kind').selectOption('state');
    await field(add, 'Belongs to').selectOption({ index: 0 });
    await clickAndWait(page, add.getByRole('button', { name: /add the organization/i }), /\/admin\/orgs\/[0-9a-f-]{36}/);
    assert.match(await page.locator('h1').innerText(), /Ohio/);
    assert.match(await page.getByRole('status').first().innerText(), /added/i);

    await page.goto(srv.url + '/admin/orgs');
    await field(add, 'Name').fill('Springfield City SD');
    await field(add, 'Kind').selectOption('district');
    await field(add, 'Belongs to').selectOption({ label: 'Ohio (state)' });
    await field(add, 'NCES id (optional)').fill('3904321');
    await field(add, 'Students enrolled (optional)').fill('7000');
    await clickAndWait(page, add.getByRole('button', { name: /add the organization/i }), /\/admin\/orgs\/[0-9a-f-]{36}/);
    ids.district = pathOf(page).split('/').pop();
    assert.match(await page.locator('h1').innerText(), /Springfield City SD/);
    assert.match(await mainText(page), /3904321/);

    await field(page, 'School name').fill('Lincoln Elementary');
    await clickAndWait(page, page.getByRole('button', { name: 'Add the school' }), /\/admin\/orgs\/[0-9a-f-]{36}/);
    assert.match(await page.locator('h1').innerText(), /Lincoln Elementary/);
    assert.match(await page.locator('.crumbs').innerText(), /Springfield City SD/);

    await page.goto(`${srv.url}/admin/orgs/${ids.district}`);
    assert.match(await mainText(page), /Lincoln Elementary/);
    await scan(page, '/admin/orgs/{district}');

    // The list is a tree: the school is indented under the district, under the state.
    await page.goto(srv.url + '/admin/orgs');
    const depth = async (name) =>
        page.locator('.tree li', { hasText: name }).first().getAttribute('class');
    assert.equal(await depth('Ohio'), 'depth-0');
    assert.equal(await depth('Springfield City SD'), 'depth-1');
    assert.equal(await depth('Lincoln Elementary'), 'depth-2');
});

test('people: invite a leader, give a role, see them in the list', { timeout: 60000 }, async () => {
    const { page } = browser;
    await page.goto(srv.url + '/admin/people');
    const form = page.locator('form[action="/admin/people"]');
    await field(form, 'Full name').fill(LEADER.name);
    await field(form, 'E-mail address').fill(LEADER.email);
    await field(form, 'Job title (optional)').fill(LEADER.title);
    await field(form, 'Organization').selectOption({ label: 'Springfield City SD (district, Ohio)' });
    await field(form, 'Role').selectOption('leader');
    await clickAndWait(page, form.getByRole('button', { name: /send the invitation/i }), /\/admin\/people\/[0-9a-f-]{36}/);
    ids.leader = pathOf(page).split('/').pop();
    assert.match(await page.locator('h1').innerText(), new RegExp(LEADER.name));
    // This server has no mail server: the person who invited gets the link to pass on.
    assert.match(await page.getByRole('status').first().innerText(), /sends no e-mail: copy the invitation link below/i);
    assert.match(await page.getByLabel('Select the link and copy it').inputValue(), /\/invite\/[A-Za-z0-9_-]{43}$/);
    assert.equal(await page.locator('a[href="/admin/outbox"]', { hasText: /open the outbox/i }).count(), 0);
    assert.match(await mainText(page), /invited/);
    // Only what fits an invited account is offered.
    assert.ok(await page.getByRole('button', { name: /send a new invitation/i }).isVisible());
    assert.equal(await page.getByRole('button', { name: /enable the account/i }).count(), 0);

    const grant = page.locator(`form[action="/admin/people/${ids.leader}/grant"]`);
    await field(grant, 'Role').selectOption('evaluator');
    await field(grant, 'In the organization').selectOption({ label: 'Springfield City SD (district, Ohio)' });
    await clickAndWait(page, grant.getByRole('button', { name: 'Give the role' }));
    assert.match(await page.getByRole('status').first().innerText(), /role has been given/i);
    const roles = await page.locator('section[aria-labelledby="roles-title"] .item-list').innerText();
    assert.match(roles, /leader/);
    assert.match(roles, /Evaluator/);
    await scan(page, '/admin/people/{id}');
    await screenshot(page, 'auth-person.png');

    await page.goto(srv.url + '/admin/people');
    const row = page.locator('tbody tr', { hasText: LEADER.email });
    assert.equal(await row.count(), 1);
    assert.match(await row.innerText(), /Springfield City SD/);
    assert.match(await row.innerText(), /invited/);
    await scan(page);
    await screenshot(page, 'auth-people.png');
});

test('my account: make an API token, see it once, revoke it', { timeout: 60000 }, async () => {
    const { page } = browser;
    await page.goto(srv.url + '/account');
    assert.match(await mainText(page), /this browser/i, 'the current session is marked');
    await scan(page);
    await field(page, 'What is it for?').fill('HR report script');
    await page.getByLabel(/Program administrator/).check();
    await clickAndWait(page, page.getByRole('button', { name: 'Create the token' }), /\/account\/tokens$/);
    const token = await page.getByLabel('The token').inputValue();
    assert.match(token, /^cf_[A-Za-z0-9_-]{20,}$/);
    assert.match(await mainText(page), /only time/i, 'a clear warning to copy it now');
    await scan(page, '/account/tokens (new token)');

    await clickAndWait(page, page.getByRole('link', { name: /back to my account/i }), /\/account$/);
    assert.ok(!(await text(page)).includes(token), 'the token is never shown again');
    assert.match(await mainText(page), /HR report script/);
    await clickAndWait(page, page.getByRole('button', { name: /revoke the token/i }), /\/account\?done=revoked$/);
    assert.match(await page.getByRole('status').first().innerText(), /revoked/i);
    assert.equal(await page.getByRole('button', { name: /revoke the token/i }).count(), 0);
});

test('the outbox holds the invitation, and the leader accepts it', { timeout: 60000 }, async () => {
    const { page } = browser;
    await page.goto(srv.url + '/admin/outbox');
    const item = page.locator('.item-list li', { hasText: LEADER.email }).first();
    assert.ok(await item.isVisible(), 'the invitation is listed');
    await item.locator('summary').click();
    const body = await item.locator('pre').innerText();
    const m = /\/invite\/[A-Za-z0-9_-]+/.exec(body);
    assert.ok(m, `an invitation link in the message:\n${body}`);
    await scan(page);

    // The leader, in a browser of their own.
    const other = await launchBrowser();
    try {
        const p = other.page;
        const res = await p.goto(srv.url + m[0]);
        assert.equal(res.status(), 200);
        assert.match(await p.locator('main').innerText(), new RegExp(LEADER.email));
        await scan(p, '/invite/…');
        await field(p, 'Choose a password').fill(LEADER_PASSWORD);
        await field(p, 'Type the password again').fill(LEADER_PASSWORD);
        const accepted = await clickAndWait(p, p.getByRole('button', { name: /save the password/i }));
        assert.equal(
            pathOf(p),
            '/dashboard',
            `accepting the invitation leads to the dashboard; got ${accepted.status()} ${p.url()}:\n` +
                (await p.locator('main').innerText()).slice(0, 600),
        );
        assert.match(await p.locator('h1').innerText(), new RegExp(LEADER.name));
        const t = await p.locator('main').innerText();
        assert.match(t, /Technology leader/);
        assert.match(t, /Evaluator/);
        // A leader has no admin pages: no links to them.
        assert.equal(await p.getByRole('link', { name: 'Audit trail' }).count(), 0);
        assert.equal(await p.getByRole('link', { name: 'People' }).count(), 0);
        assert.deepEqual(other.consoleErrors, []);
        assert.deepEqual(other.badResponses, []);
    } finally {
        await other.close();
    }
});

test('the audit trail shows what was done, filters it and offers a CSV', { timeout: 60000 }, async () => {
    const { page } = browser;
    await page.goto(srv.url + '/admin/audit');
    await scan(page);
    await screenshot(page, 'auth-audit.png');
    const t = await mainText(page);
    // Actions in words, not codes (the codes are in the JSON and the CSV).
    for (const action of ['Organization added', 'Person added', 'Role given', 'API token made', 'API token revoked']) {
        assert.ok(t.includes(action), `the audit trail lists "${action}"; the page says:\n${t.slice(0, 1500)}`);
    }
    assert.ok(!t.includes('org.add'), 'no action codes on the page');

    await field(page, 'Action').selectOption({ label: '– Organization added' });
    await clickAndWait(page, page.getByRole('button', { name: 'Show entries' }), /\/admin\/audit\?/);
    assert.equal(await field(page, 'Action').inputValue(), 'org.add', 'the filter stays chosen');
    const rows = page.locator('table.audit tbody tr');
    // The first run's organization, then Ohio, Springfield City SD and Lincoln Elementary.
    assert.equal(await rows.count(), 4, await mainText(page));
    for (const r of await rows.all()) assert.match(await r.innerText(), /Organization added/);

    // The CSV download keeps the filter.
    const csvForm = page.locator('form[action="/admin/audit.csv"]');
    assert.equal(await csvForm.locator('input[name="action"]').inputValue(), 'org.add');
    const [download] = await Promise.all([
        page.waitForEvent('download'),
        csvForm.getByRole('button', { name: /csv/i }).click(),
    ]);
    assert.match(download.suggestedFilename(), /\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8').trim().split(/\r?\n/);
    assert.match(csv[0], /^id,at,actor/, 'a header line');
    assert.equal(csv.length, 1 + 4, `the four org.add entries:\n${csv.join('\n')}`);
    // A download ends the navigation it started; chromium reports that as aborted.
    expectedErrors.push(`failed GET ${download.url()}: net::ERR_ABORTED`);
});

test('on a phone the admin pages do not scroll sideways', { timeout: 60000 }, async () => {
    const { page } = browser;
    await page.setViewportSize({ width: 390, height: 844 });
    try {
        for (const p of ['/dashboard', '/account', '/admin/people', `/admin/people/${ids.leader}`, '/admin/orgs', '/admin/audit', '/admin/outbox']) {
            await page.goto(srv.url + p);
            const overflow = await page.evaluate(
                () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
            );
            assert.ok(overflow <= 1, `${p} is ${overflow}px wider than a 390px phone screen`);
        }
        await page.goto(srv.url + '/admin/people');
        await screenshot(page, 'auth-people-phone.png');
    } finally {
        await page.setViewportSize({ width: 1280, height: 900 });
    }
});

test('the other signed-in pages render', { timeout: 60000 }, async () => {
    const { page } = browser;
    for (const p of ['/me', '/admin/outbox?status=pending']) {
        const res = await page.goto(srv.url + p);
        assert.equal(res.status(), 200, p);
        await scan(page, p);
    }
});

test('axe-core: no serious or critical accessibility violations', () => {
    const must = ['/login', '/setup/…', '/dashboard', '/account', '/admin/people', '/admin/people/{id}', '/admin/orgs', '/admin/audit'];
    for (const p of must) assert.ok(scanned.has(p), `${p} was scanned`);
    const report = [...scanned].filter(([, v]) => v.length).map(([p, v]) => formatViolations(v, p));
    assert.equal(report.length, 0, report.join('\n'));
});

test('no console errors and no failed requests but the ones asked for', () => {
    // Chromium logs every response >= 400 as a console error; those the test asked for are fine.
    const asked = (msg) =>
        expectedErrors.some((e) => {
            const [status, , url] = e.split(' ');
            return msg.startsWith(`Failed to load resource: the server responded with a status of ${status} `) &&
                msg.includes(`(${url}:`);
        });
    assert.deepEqual(browser.consoleErrors.filter((m) => !asked(m)), [], 'console errors');
    const unexpected = browser.badResponses.filter((r) => !expectedErrors.includes(r));
    assert.deepEqual(unexpected, [], 'HTTP errors for the pages or their resources');
});
