// Signing in and out, sessions, single-use links (first-run setup, invitation, password
// reset), throttling, CSRF, API tokens, hostile input, privacy (export, erase), the audit
// trail and disabled accounts — against a real server on a database each test owns, with
// people made through the CLI (tests/http/authhelp.mjs).
//
// Time travel: the server's clock is fixed with CTOFRAME_NOW; sessions, links and failed
// sign-ins live in the database, so a restart with a later NOW sees them age.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { startServer, ROOT } from './helper.mjs';
import {
    CHEAP,
    PASSWORD,
    HOUR,
    MINUTE,
    iso,
    baseTime,
    ownDb,
    cli,
    cliOk,
    cliJson,
    addUser,
    outbox,
    linkToken,
    routes,
    fakeToken,
    setCookies,
    Jar,
    bearerJar,
    signIn,
    tryLogin,
    show,
    buildWorld,
} from './authhelp.mjs';

// The shipped program rules (a new database loads them as version 1).
const CETL_RULES = JSON.parse(readFileSync(path.join(ROOT, 'data', 'programs', 'cetl.json'), 'utf8'));

const BAD_LOGIN =
    'The e-mail address or password is not right. Check both and try again, or choose a new password with “Forgot your password?”.';
const SCRIPT = '<script>alert(1)</script>';
const SCRIPT_ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;';
const SQL1 = "'; DROP TABLE people; --";
const SQL2 = '" OR 1=1 --';
const BACKSLASH = 'back\\slash \\\\ end\\';
const PAYLOADS = [SQL1, SQL2, BACKSLASH, SCRIPT];

// --- fixture: one database, a world, a server that can be restarted ------------------------

async function fixture({ world = true, env = {}, args = [] } = {}) {
    const d = await ownDb();
    let w = null;
    try {
        if (world) w = await buildWorld(d.db);
    } catch (e) {
        await d.drop();
        throw e;
    }
    let srv = null;
    const jars = [];
    const extras = [];
    const ctx = {
        db: d.db,
        w,
        get url() {
            return srv.url;
        },
        get srv() {
            return srv;
        },
        /** (Re)starts the server; jars made by ctx.jar() follow it to its new port. */
        async start(opts = {}) {
            if (srv) await ctx.stop();
            srv = await startServer({
                db: d.db,
                env: { ...CHEAP, ...env, ...(opts.env || {}) },
                args: [...args, ...(opts.args || [])],
            });
            for (const j of jars) j.base = srv.url;
            return srv;
        },
        /**
         * Another server process on the same database (its own env, e.g. another
         * CTOFRAME_NOW), running beside the main one; stopped by close().
         */
        async also(opts = {}) {
            const s = await startServer({
                db: d.db,
                env: { ...CHEAP, ...env, ...(opts.env || {}) },
                args: [...args, ...(opts.args || [])],
            });
            extras.push(s);
            return s;
        },
        async stop() {
            if (!srv) return;
            const s = srv;
            srv = null;
            const code = await s.stop();
            assert.equal(code, 0, `server exit code; stderr:\n${s.stderr().slice(-2000)}`);
        },
        jar() {
            const j = new Jar(srv.url);
            jars.push(j);
            return j;
        },
        async signIn(email, password = PASSWORD) {
            const j = ctx.jar();
            return signIn(srv.url, email, password, j);
        },
        async close() {
            try {
                const codes = await Promise.all([ctx.stop(), ...extras.map((x) => x.stop())]);
                codes.slice(1).forEach((c) => assert.equal(c, 0, 'exit code of a second server'));
            } finally {
                await d.drop();
            }
        },
    };
    return ctx;
}

async function withFixture(opts, fn) {
    const ctx = await fixture(opts);
    try {
        await fn(ctx);
    } finally {
        await ctx.close();
    }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitForStdout(srv, re, ms = 3000) {
    const deadline = Date.now() + ms;
    for (;;) {
        const m = re.exec(srv.stdout());
        if (m || Date.now() > deadline) return m;
        await sleep(20);
    }
}

function assertStatus(r, status, what) {
    if (Array.isArray(status)) assert.ok(status.includes(r.status), `${what}: expected ${status.join('|')}, got ${show(r)}`);
    else assert.equal(r.status, status, `${what}: ${show(r)}`);
}

function assertJsonError(r, status, what) {
    assertStatus(r, status, what);
    assert.match(r.headers['content-type'] || '', /^application\/json/, `${what}: JSON`);
    assert.ok(r.json?.error && typeof r.json.error.message === 'string', `${what}: error shape ${r.text.slice(0, 200)}`);
}

function assertHtml(r, status, what) {
    assertStatus(r, status, what);
    assert.match(r.headers['content-type'] || '', /^text\/html/, `${what}: HTML`);
}

/** An HTML page that shows the script payload escaped and never raw. */
function assertEscaped(r, what, status = 200) {
    assertHtml(r, status, what);
    assert.ok(!r.text.includes('<script>alert(1)'), `${what}: the payload appears raw`);
    assert.ok(r.text.includes(SCRIPT_ESCAPED), `${what}: the payload appears escaped (${SCRIPT_ESCAPED})`);
}

function hasRole(me, role, orgId) {
    return (me.roles || []).some((g) => g.role === role && (!orgId || g.org_id === orgId));
}

async function audit(jar, query = '') {
    const sep = query.includes('?') ? '&' : '?';
    const r = await jar.get(`/admin/audit${query}${sep}limit=1000`);
    assertStatus(r, 200, `GET /admin/audit${query}`);
    return r.json.entries;
}

/** A minimal RFC 4180 reader: rows of fields. */
function parseCsv(text) {
    const rows = [];
    let row = [];
    let field = '';
    let quoted = false;
    let i = 0;
    let wasQuoted = [];
    let fieldQuoted = false;
    const quotedRows = [];
    while (i < text.length) {
        const c = text[i];
        if (quoted) {
            if (c === '"' && text[i + 1] === '"') {
                field += '"';
                i += 2;
                continue;
            }
            if (c === '"') {
                quoted = false;
                i++;
                continue;
            }
            field += c;
            i++;
            continue;
        }
        if (c === '"') {
            quoted = true;
            fieldQuoted = true;
            i++;
        } else if (c === ',') {
            row.push(field);
            wasQuoted.push(fieldQuoted);
            field = '';
            fieldQuoted = false;
            i++;
        } else if (c === '\r' && text[i + 1] === '\n') {
            row.push(field);
            wasQuoted.push(fieldQuoted);
            rows.push(row);
            quotedRows.push(wasQuoted);
            row = [];
            wasQuoted = [];
            field = '';
            fieldQuoted = false;
            i += 2;
        } else {
            field += c;
            i++;
        }
    }
    if (field !== '' || row.length) {
        row.push(field);
        wasQuoted.push(fieldQuoted);
        rows.push(row);
        quotedRows.push(wasQuoted);
    }
    return { rows, quotedRows };
}

// --- 1. first-run setup ---------------------------------------------------------------------

test('setup link: a form, then the first program administrator; single use; none after restart', async () => {
    await withFixture({ world: false }, async (ctx) => {
        const srv = await ctx.start();
        const m = await waitForStdout(srv, /^first run: open (http:\/\/\S+)\/setup\/([A-Za-z0-9_-]{43})\b/m);
        assert.ok(m, `a setup link on stdout:\n${srv.stdout()}`);
        assert.equal(m[1], srv.url, 'the link points at this server');
        const token = m[2];
        const jar = ctx.jar();

        let r = await jar.get(`/setup/${token}`);
        assertStatus(r, 200, 'GET /setup/TOKEN (JSON)');
        assert.equal(r.json.link?.kind, 'setup');
        assert.equal(typeof r.json.csrf, 'string');
        const csrf = r.json.csrf;

        r = await jar.get(`/setup/${token}`, { html: true });
        assertHtml(r, 200, 'GET /setup/TOKEN (HTML)');
        assert.match(r.text, /<form[^>]*method="post"/i, 'a form');
        for (const f of ['organization', 'name', 'email', 'password', 'password2']) {
            assert.match(r.text, new RegExp(`name="${f}"`), `field ${f}`);
        }
        assert.match(r.text, new RegExp(`name="csrf"[^>]*value="${csrf}"|value="${csrf}"[^>]*name="csrf"`), 'hidden csrf field');

        const fields = {
            organization: 'Consortium Certification Body',
            name: 'Ada Admin',
            email: 'ada@example.org',
            password: PASSWORD,
            password2: PASSWORD,
        };
        // Passwords that differ: refused, nothing made, the link still works.
        r = await jar.post(`/setup/${token}`, { ...fields, password2: PASSWORD + '!' });
        assertJsonError(r, 400, 'setup with different passwords');
        assert.equal(r.json.error.field, 'password2');
        r = await jar.post(`/setup/${token}`, { ...fields, password2: PASSWORD + '!' }, { form: true, html: true });
        assertHtml(r, 400, 'setup form with different passwords');
        assert.match(r.text, /not the same/, 'the message beside the field');
        assert.deepEqual(await cliJson(['user', 'list'], { db: ctx.db }), [], 'nobody made');

        r = await jar.post(`/setup/${token}`, fields, { form: true, html: true });
        assertStatus(r, 303, 'setup form');
        assert.equal(r.headers.location, '/dashboard');
        assert.ok(setCookies(r).some((c) => c.name === 'cf_session' && c.value.length > 0), 'a session cookie');

        r = await jar.get('/me');
        assertStatus(r, 200, 'GET /me after setup');
        assert.equal(r.json.person.email, 'ada@example.org');
        assert.equal(r.json.person.name, 'Ada Admin');
        const body = r.json.roles.find((g) => g.role === 'program_admin');
        assert.ok(body, `program_admin role: ${JSON.stringify(r.json.roles)}`);
        assert.equal(body.org_kind, 'body');
        assert.equal(body.org_name, 'Consortium Certification Body');

        // Second use: refused, nothing more made.
        const other = ctx.jar();
        r = await other.post(`/setup/${token}`, { ...fields, email: 'eve@example.org', name: 'Eve' });
        assertJsonError(r, 409, 'second use of the setup link');
        r = await other.get(`/setup/${token}`);
        assertJsonError(r, 409, 'GET of a used setup link');
        const people = await cliJson(['user', 'list'], { db: ctx.db });
        assert.deepEqual(people.map((p) => p.email), ['ada@example.org']);

        // Restart: an administrator exists, so no link is printed and the old one stays used.
        const srv2 = await ctx.start();
        r = await other.get('/healthz');
        assertStatus(r, 200, 'healthz after restart');
        assert.doesNotMatch(srv2.stdout(), /first run|\/setup\//, 'no setup link once an admin exists');
        r = await other.post(`/setup/${token}`, { ...fields, email: 'eve@example.org', name: 'Eve' });
        assertJsonError(r, 409, 'setup link after restart');
        r = await other.post(`/setup/${fakeToken()}`, { ...fields, email: 'eve@example.org', name: 'Eve' });
        assertJsonError(r, 404, 'an unknown setup link');
        assert.equal((await cliJson(['user', 'list'], { db: ctx.db })).length, 1);
        // The session made by setup survives the restart.
        r = await jar.get('/me');
        assertStatus(r, 200, 'the setup session after restart');
    });
});

// --- 2. sign in and out ---------------------------------------------------------------------------

test('login: 303 and an HttpOnly SameSite=Lax cookie; wrong password and unknown address alike 401; logout ends it', async () => {
    await withFixture({}, async (ctx) => {
        await ctx.start();
        const admin = ctx.w.people.program_admin;
        const jar = ctx.jar();
        await jar.csrf();
        const pre = jar.cookies.get('cf_pre');
        assert.ok(pre, 'GET /login gives a cf_pre cookie to bind the form to');

        let r = await jar.post('/login', { email: admin.email, password: PASSWORD }, { form: true, html: true });
        assertStatus(r, 303, 'POST /login (form)');
        assert.equal(r.headers.location, '/dashboard');
        const c = setCookies(r).find((x) => x.name === 'cf_session');
        assert.ok(c, `Set-Cookie cf_session: ${JSON.stringify(r.headers['set-cookie'])}`);
        assert.ok(c.value.length >= 32, 'a long random value');
        assert.equal(c.attrs.httponly, true, `HttpOnly: ${c.raw}`);
        assert.equal(String(c.attrs.samesite).toLowerCase(), 'lax', `SameSite=Lax: ${c.raw}`);
        assert.equal(c.attrs.path, '/', `Path=/: ${c.raw}`);
        assert.equal(c.attrs.secure, undefined, `no Secure over http: ${c.raw}`);
        r = await jar.get('/me');
        assertStatus(r, 200, '/me');
        assert.equal(r.json.person.email, admin.email);
        assert.equal(r.json.via, 'session');

        // JSON sign-in answers the person and when the session ends.
        const j2 = ctx.jar();
        r = await tryLogin(j2, admin.email, PASSWORD);
        assertStatus(r, 200, 'POST /login (JSON)');
        assert.equal(r.json.person.email, admin.email);
        assert.match(r.json.expires_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        assert.equal(r.json.token, undefined, 'the session token travels in the cookie only');
        assert.ok(!r.text.includes(j2.session), 'the session value is not in the body');

        // Where to go next: a path on this site only (as a browser resolves it: it drops
        // tabs and newlines and reads "\\" as "/"); nothing asked for: the dashboard; anything
        // else: the home page.
        for (const [next, want] of [
            ['/admin/people', '/admin/people'],
            ['', '/dashboard'],
            ['//evil.example/x', '/'],
            ['https://evil.example/', '/'],
            ['/\\evil.example', '/'],
            ['/\t/evil.example/x', '/'],
            ['/\n/evil.example/x', '/'],
            ['/%2F/evil.example/x', '/'],
            ['/%5C/evil.example/x', '/'],
            ['/.//evil.example/x', '/'],
        ]) {
            const j = ctx.jar();
            r = await j.post('/login', { email: admin.email, password: PASSWORD, next }, { form: true, html: true });
            assertStatus(r, 303, `login with next=${next}`);
            assert.equal(r.headers.location, want, `next=${next}`);
        }

        // Wrong password and unknown address: the same 401 and message.
        const anon = ctx.jar();
        for (const [email, password, what] of [
            [admin.email, 'not the right password', 'wrong password'],
            ['nobody-here@example.org', PASSWORD, 'unknown address'],
        ]) {
            r = await tryLogin(anon, email, password);
            assertJsonError(r, 401, `${what} (JSON)`);
            assert.equal(r.json.error.message, BAD_LOGIN, what);
            assert.ok(!setCookies(r).some((x) => x.name === 'cf_session' && x.value), `${what}: no session`);
            r = await anon.post('/login', { email, password }, { form: true, html: true });
            assertHtml(r, 401, `${what} (HTML)`);
            assert.ok(r.text.includes(BAD_LOGIN), `${what}: the message on the page`);
            assert.ok(!r.text.includes(password), `${what}: the password is not echoed`);
        }

        // Logout: the cookie is cleared and its value no longer works anywhere.
        const old = jar.session;
        r = await jar.post('/logout', {}, { form: true, html: true });
        assertStatus(r, 303, 'POST /logout (form)');
        assert.match(r.headers.location, /^\/login/);
        const cleared = setCookies(r).find((x) => x.name === 'cf_session');
        assert.ok(cleared && (cleared.value === '' || cleared.attrs['max-age'] === '0'), 'cookie cleared');
        const thief = ctx.jar();
        thief.session = old;
        r = await thief.get('/me');
        assertJsonError(r, 401, '/me with the cookie of a signed-out session');
        r = await jar.get('/me');
        assertJsonError(r, 401, '/me after logout');
        // The other session of the same person is untouched.
        r = await j2.get('/me');
        assertStatus(r, 200, 'another session after logout');

        // Behind TLS (--public-url https://…) the cookies are Secure.
        await ctx.start({ args: ['--public-url', 'https://x.test'] });
        const tls = ctx.jar();
        r = await tls.get('/login');
        const preTls = setCookies(r).find((x) => x.name === 'cf_pre');
        assert.ok(preTls, 'cf_pre set');
        assert.equal(preTls.attrs.secure, true, `cf_pre Secure: ${preTls.raw}`);
        r = await tryLogin(tls, admin.email, PASSWORD);
        assertStatus(r, 200, 'login behind TLS');
        const sec = setCookies(r).find((x) => x.name === 'cf_session');
        assert.equal(sec.attrs.secure, true, `Secure: ${sec.raw}`);
        assert.equal(sec.attrs.httponly, true, `HttpOnly: ${sec.raw}`);
        assert.equal(String(sec.attrs.samesite).toLowerCase(), 'lax', `SameSite: ${sec.raw}`);
    });
});

// --- 3. session fixation ------------------------------------------------------------------------------

test('session fixation: the session after sign-in is never the one the client had before', async () => {
    await withFixture({}, async (ctx) => {
        await ctx.start();
        const leader = ctx.w.people.leader_a;

        // A value chosen by an attacker and planted in the browser.
        const jar = ctx.jar();
        const csrf = await jar.csrf();
        const planted = 'A'.repeat(43);
        jar.session = planted;
        let r = await jar.post('/login', { email: leader.email, password: PASSWORD }, { csrf });
        assertStatus(r, 200, 'sign-in with a planted cookie');
        assert.ok(jar.session && jar.session !== planted, 'a new value');
        const attacker = ctx.jar();
        attacker.session = planted;
        r = await attacker.get('/me');
        assertJsonError(r, 401, 'the planted value');

        // A previous real session: signing in again replaces it, the old value stops working.
        const before = jar.session;
        r = await tryLogin(jar, leader.email, PASSWORD);
        assertStatus(r, 200, 'sign-in again while signed in');
        assert.ok(jar.session && jar.session !== before, 'a new value on the second sign-in');
        const stale = ctx.jar();
        stale.session = before;
        r = await stale.get('/me');
        assertJsonError(r, 401, 'the previous session value');
        r = await jar.get('/me');
        assertStatus(r, 200, 'the new session');

        // A session of someone else in the browser: signing in as leader replaces it too.
        const admin = await ctx.signIn(ctx.w.people.program_admin.email);
        const adminValue = admin.session;
        r = await tryLogin(admin, leader.email, PASSWORD);
        assertStatus(r, 200, 'sign-in as another person');
        assert.notEqual(admin.session, adminValue);
        r = await admin.get('/me');
        assert.equal(r.json.person.email, leader.email);
        const old = ctx.jar();
        old.session = adminValue;
        r = await old.get('/me');
        assertJsonError(r, 401, 'the replaced session of another person');
    });
});

// --- 4. expiry and revocation ------------------------------------------------------------------------

test('sessions expire after 1 h idle and 12 h in all (CTOFRAME_NOW, servers at later instants)', async () => {
    const t0 = baseTime();
    await withFixture({}, async (ctx) => {
        const email = ctx.w.people.leader_a.email;
        await ctx.start({ env: { CTOFRAME_NOW: iso(t0) } });
        const busy = await ctx.signIn(email);
        const idle = await ctx.signIn(email);
        // Sessions live in the database: a server whose clock says later sees them older.
        // One server per instant, all on the same database (no restarts to wait for).
        const steps = [50, 61];
        for (let m = 116; m <= 666; m += 55) steps.push(m);
        steps.push(719, 721);
        const servers = await Promise.all(steps.map((m) => ctx.also({ env: { CTOFRAME_NOW: iso(t0 + m * MINUTE) } })));
        const at = (m) => servers[steps.indexOf(m)].url;
        const on = async (jar, m) => {
            jar.base = at(m);
            return jar.get('/me');
        };

        assertStatus(await on(busy, 50), 200, 'used after 50 min');
        assertJsonError(await on(idle, 61), 401, 'unused for 61 min (idle)');
        assertStatus(await on(busy, 61), 200, 'used 11 min ago');
        // Kept busy, it still ends 12 h after sign-in.
        for (const m of steps.filter((x) => x > 61 && x <= 666)) {
            assertStatus(await on(busy, m), 200, `kept busy, at +${m} min`);
        }
        assertStatus(await on(busy, 719), 200, 'at 11 h 59 min (53 min after last use)');
        assertJsonError(await on(busy, 721), 401, 'at 12 h 1 min (absolute limit)');
        // A new sign-in works then.
        const again = await signIn(at(721), email);
        assertStatus(await again.get('/me'), 200, 'a new session');
    });
});

test('logout-everywhere ends every session of the person (two cookie jars), not others', async () => {
    await withFixture({}, async (ctx) => {
        await ctx.start();
        const email = ctx.w.people.evaluator_a.email;
        const a = await ctx.signIn(email);
        const b = await ctx.signIn(email);
        const other = await ctx.signIn(ctx.w.people.leader_a.email);
        assertStatus(await b.get('/me'), 200, 'second jar before');

        let r = await a.post('/account/logout-everywhere', {});
        assertStatus(r, 200, 'POST /account/logout-everywhere');
        assert.equal(r.json.sessions_ended, 2, JSON.stringify(r.json));
        assertJsonError(await a.get('/me'), 401, 'first jar after');
        assertJsonError(await b.get('/me'), 401, 'second jar after');
        assertStatus(await other.get('/me'), 200, 'someone else is still signed in');

        // HTML: 303 to the sign-in page.
        const c = await ctx.signIn(email);
        r = await c.post('/account/logout-everywhere', {}, { form: true, html: true });
        assertStatus(r, 303, 'logout-everywhere (form)');
        assert.match(r.headers.location, /^\/login/);
        assertJsonError(await c.get('/me'), 401, 'after the form');
    });
});

test('one session can be ended from /account: that browser is signed out, the others stay', async () => {
    await withFixture({}, async (ctx) => {
        await ctx.start();
        const email = ctx.w.people.evaluator_a.email;
        const a = await ctx.signIn(email);
        const b = await ctx.signIn(email);
        const other = await ctx.signIn(ctx.w.people.leader_a.email);

        let acc = (await a.get('/account')).json;
        assert.equal(acc.sessions.length, 2, JSON.stringify(acc.sessions));
        for (const s of acc.sessions) {
            assert.match(s.id, /^[0-9a-f]{32}$/, 'a handle, not the stored hash');
            assert.equal(s.id_hash, undefined);
        }
        const mine = acc.sessions.find((s) => s.current);
        const theirs = acc.sessions.find((s) => !s.current);
        assert.ok(mine && theirs, 'one is marked as this browser');

        // Someone else cannot end it: the handle is not one of their sessions.
        assertJsonError(await other.post(`/account/sessions/${theirs.id}/end`, {}), 404, "another person's session");
        assertStatus(await b.get('/me'), 200, 'still signed in');

        let r = await a.post(`/account/sessions/${theirs.id}/end`, {});
        assertStatus(r, 200, 'ending the other session');
        assert.deepEqual(r.json, { ended: theirs.id, current: false });
        assertJsonError(await b.get('/me'), 401, 'that browser is signed out');
        assertStatus(await a.get('/me'), 200, 'this one is not');
        assertStatus(await other.get('/me'), 200, 'nor is anyone else');
        acc = (await a.get('/account')).json;
        assert.deepEqual(acc.sessions.map((s) => s.id), [mine.id]);
        assertJsonError(await a.post(`/account/sessions/${theirs.id}/end`, {}), 404, 'ending it twice');

        const entries = await audit(await ctx.signIn(ctx.w.people.program_admin.email), '?action=auth.session_end');
        assert.equal(entries.length, 1, JSON.stringify(entries));
        assert.equal(entries[0].object_id, ctx.w.people.evaluator_a.id);

        // Ending this browser's own session from the page signs it out.
        r = await a.post(`/account/sessions/${mine.id}/end`, {}, { form: true, html: true });
        assertStatus(r, 303, 'ending the current session (form)');
        assert.match(r.headers.location, /^\/login\?signed_out/);
        assertJsonError(await a.get('/me'), 401, 'signed out');
    });
});

// --- 5. password reset ------------------------------------------------------------------------------------

test('password reset: same answer for any address, a single-use link that expires, old sessions end', async () => {
    const t0 = baseTime();
    const NEW = 'an entirely new passphrase';
    await withFixture({}, async (ctx) => {
        await ctx.start({ env: { CTOFRAME_NOW: iso(t0) } });
        const who = ctx.w.people.leader_b;
        const elsewhere = await ctx.signIn(who.email); // a session the reset must end
        const anon = ctx.jar();

        let r = await anon.get('/reset');
        assertStatus(r, 200, 'GET /reset');
        assert.equal(typeof r.json.csrf, 'string');

        r = await anon.post('/reset', { email: who.email });
        assertStatus(r, 200, 'reset for a known address');
        const known = r.json.message;
        assert.ok(known && known.length > 10, JSON.stringify(r.json));
        r = await anon.post('/reset', { email: 'nobody-at-all@example.org' });
        assertStatus(r, 200, 'reset for an unknown address');
        assert.equal(r.json.message, known, 'the same message');
        r = await anon.post('/reset', { email: 'nobody-at-all@example.org' }, { form: true, html: true });
        assertHtml(r, 200, 'reset form for an unknown address');
        assert.ok(r.text.includes(known.split('.')[0]), 'the message on the page');

        const mail = await outbox(ctx.db);
        assert.equal(mail.filter((m) => m.to_addr === 'nobody-at-all@example.org').length, 0, 'nothing for unknown');
        assert.equal(mail.filter((m) => m.to_addr === who.email && m.kind === 'reset').length, 1, 'one message for known');
        const token = await linkToken(ctx.db, 'reset', who.email);
        assert.ok(token, 'a /reset/TOKEN link');

        r = await anon.get(`/reset/${token}`);
        assertStatus(r, 200, 'GET /reset/TOKEN');
        assert.equal(r.json.link?.kind, 'reset');
        r = await anon.get(`/reset/${token}`, { html: true });
        assertHtml(r, 200, 'GET /reset/TOKEN (HTML)');
        assert.match(r.text, /name="password"/);

        // Too short: refused, link still usable.
        r = await anon.post(`/reset/${token}`, { password: 'short', password2: 'short' });
        assertJsonError(r, 400, 'a short password');

        const user = ctx.jar();
        r = await user.post(`/reset/${token}`, { password: NEW, password2: NEW });
        assertStatus(r, 200, 'POST /reset/TOKEN');
        assert.ok(user.session, 'signed in');
        r = await user.get('/me');
        assertStatus(r, 200, '/me after reset');
        assert.equal(r.json.person.email, who.email);
        assertJsonError(await elsewhere.get('/me'), 401, 'the session opened before the reset');

        // Reuse: refused, nothing changes.
        const again = ctx.jar();
        r = await again.post(`/reset/${token}`, { password: 'a third password here', password2: 'a third password here' });
        assertJsonError(r, 409, 'reuse of a reset link');
        assert.ok(!again.session, 'no session from a used link');
        assertStatus(await user.get('/me'), 200, 'the reset session survives the refused reuse');
        assertJsonError(await tryLogin(ctx.jar(), who.email, 'a third password here'), 401, 'the third password');
        assertJsonError(await tryLogin(ctx.jar(), who.email, PASSWORD), 401, 'the old password');
        assertStatus(await tryLogin(ctx.jar(), who.email, NEW), 200, 'the new password');

        // An expired link: asked for now, used 2 h later.
        r = await anon.post('/reset', { email: who.email });
        assertStatus(r, 200, 'second reset request');
        const late = await linkToken(ctx.db, 'reset', who.email);
        assert.ok(late && late !== token, 'a new link');
        await ctx.start({ env: { CTOFRAME_NOW: iso(t0 + 2 * HOUR) } });
        r = await anon.get(`/reset/${late}`);
        assertJsonError(r, 409, 'GET of an expired reset link');
        r = await anon.post(`/reset/${late}`, { password: 'too late a password', password2: 'too late a password' });
        assertJsonError(r, 409, 'POST of an expired reset link');
        assertJsonError(await tryLogin(ctx.jar(), who.email, 'too late a password'), 401, 'expired link changed nothing');
        assertStatus(await tryLogin(ctx.jar(), who.email, NEW), 200, 'the new password still works');
    });
});

// --- 6. invitation ----------------------------------------------------------------------------------------

test('invitation: user add without a password queues a link; accepting it sets the password and signs in', async () => {
    await withFixture({}, async (ctx) => {
        await ctx.start();
        const email = 'invitee@example.org';
        const id = await addUser(ctx.db, email, { name: 'Ivy Invitee', role: 'leader', org: ctx.w.orgs.a, password: null });
        let shown = await cliJson(['user', 'show', email], { db: ctx.db });
        assert.equal(shown.person.status, 'invited');
        assertJsonError(await tryLogin(ctx.jar(), email, PASSWORD), 401, 'an invited person cannot sign in yet');

        const token = await linkToken(ctx.db, 'invite', email);
        assert.ok(token, 'an /invite/TOKEN link in the outbox');
        const jar = ctx.jar();
        let r = await jar.get(`/invite/${token}`);
        assertStatus(r, 200, 'GET /invite/TOKEN');
        assert.equal(r.json.link?.person?.email, email);
        r = await jar.get(`/invite/${token}`, { html: true });
        assertHtml(r, 200, 'GET /invite/TOKEN (HTML)');
        assert.match(r.text, /name="password2"/);

        r = await jar.post(`/invite/${token}`, { password: PASSWORD, password2: PASSWORD + 'x' });
        assertJsonError(r, 400, 'different passwords');
        r = await jar.post(`/invite/${token}`, { password: email, password2: email });
        assertJsonError(r, 400, 'the e-mail address as password');
        // The form again, still addressed to the person, with the message by the field.
        r = await jar.post(`/invite/${token}`, { password: PASSWORD, password2: 'typo' }, { form: true, html: true });
        assertHtml(r, 400, 'different passwords (form)');
        assert.match(r.text, /Hello Ivy Invitee\./, 'the page still greets the invited person');
        assert.match(r.text, /not the same/);

        r = await jar.post(`/invite/${token}`, { password: PASSWORD, password2: PASSWORD }, { form: true, html: true });
        assertStatus(r, 303, 'POST /invite/TOKEN (form)');
        assert.equal(r.headers.location, '/dashboard');
        r = await jar.get('/me');
        assertStatus(r, 200, '/me after accepting');
        assert.equal(r.json.person.id, id);
        assert.equal(r.json.person.status, 'active');
        assert.ok(hasRole(r.json, 'leader', ctx.w.orgs.a));
        shown = await cliJson(['user', 'show', email], { db: ctx.db });
        assert.equal(shown.person.status, 'active');

        r = await ctx.jar().post(`/invite/${token}`, { password: 'another password 123', password2: 'another password 123' });
        assertJsonError(r, 409, 'reuse of the invitation');
        assertJsonError(await ctx.jar().get(`/invite/${token}`), 409, 'GET of a used invitation');
        assertStatus(await tryLogin(ctx.jar(), email, PASSWORD), 200, 'the chosen password');
        assertJsonError(await tryLogin(ctx.jar(), email, 'another password 123'), 401, 'the refused one');
        // A link of another kind is not an invitation.
        assertJsonError(await ctx.jar().get(`/reset/${token}`), 404, 'an invitation token used as a reset link');
    });
});

// --- 7. throttling --------------------------------------------------------------------------------------------

test('throttling: 5 failures lock the account, 20 the address; 16 minutes later sign-in works', async () => {
    const t0 = baseTime();
    await withFixture({}, async (ctx) => {
        await ctx.start({ env: { CTOFRAME_NOW: iso(t0) } });
        const x = ctx.w.people.leader_a.email;
        const y = ctx.w.people.evaluator_a.email;
        const jar = ctx.jar();
        for (let i = 1; i <= 5; i++) {
            assertJsonError(await tryLogin(jar, x, `wrong password number ${i}`), 401, `failure ${i}`);
        }
        let r = await tryLogin(jar, x, PASSWORD);
        assertJsonError(r, 429, '6th attempt, right password');
        let m = /Try again in (\d+) minutes?/.exec(r.json.error.message);
        assert.ok(m, `"Try again in N minutes": ${r.json.error.message}`);
        assert.ok(Number(m[1]) >= 1 && Number(m[1]) <= 15, `N = ${m[1]}`);
        assert.ok(!jar.session, 'no session');
        r = await jar.post('/login', { email: x, password: PASSWORD }, { form: true, html: true });
        assertHtml(r, 429, 'throttled (HTML)');
        assert.match(r.text, /Try again in \d+ minutes?/);

        // Another account from the same address still works until 20 failures from it.
        assertStatus(await tryLogin(ctx.jar(), y, PASSWORD), 200, 'another account after 5 failures');
        for (let i = 1; i <= 14; i++) {
            assertJsonError(await tryLogin(jar, `ghost${i}@example.org`, PASSWORD), 401, `unknown account failure ${i}`);
        }
        assertStatus(await tryLogin(ctx.jar(), y, PASSWORD), 200, 'another account after 19 failures');
        assertJsonError(await tryLogin(jar, 'ghost-last@example.org', PASSWORD), 401, '20th failure');
        r = await tryLogin(ctx.jar(), y, PASSWORD);
        assertJsonError(r, 429, 'another account after 20 failures from the address');
        m = /Try again in (\d+) minutes?/.exec(r.json.error.message);
        assert.ok(m && Number(m[1]) >= 1 && Number(m[1]) <= 15, r.json.error.message);

        // The refusals are on the audit trail (by the CLI's view of the database: sign in later).
        await ctx.start({ env: { CTOFRAME_NOW: iso(t0 + 16 * MINUTE) } });
        assertStatus(await tryLogin(ctx.jar(), x, PASSWORD), 200, 'the locked account 16 min later');
        assertStatus(await tryLogin(ctx.jar(), y, PASSWORD), 200, 'the other account 16 min later');
        const admin = await ctx.signIn(ctx.w.people.program_admin.email);
        const failed = await audit(admin, '?action=auth.login_failed');
        assert.equal(failed.length, 20, 'every failure audited');
        // Throttled attempts are refusals of anonymous requests: counted per address and interval,
        // the first an entry at once, the count on the audit page.
        const refused = (await audit(admin, '?action=auth.refused')).filter((e) => e.after?.reason === 'sign-in throttled');
        const first = refused.filter((e) => e.after.count === 1);
        assert.equal(first.length, 1, `the first throttled attempt is an entry: ${JSON.stringify(refused)}`);
        // The interval is over 16 minutes later: the server's tick may already have written its
        // count into the trail; until then the audit page shows it being counted.
        const page = await admin.get('/admin/audit');
        const counting = page.json.refusals_counting.find((c) => c.reason === 'sign-in throttled');
        const counted = refused.find((e) => e.after.count >= 3);
        assert.ok((counting && counting.count >= 3) || counted, `throttled attempts counted: ${JSON.stringify(page.json.refusals_counting)} ${JSON.stringify(refused)}`);
        assert.ok(refused.length <= 2, 'one entry at once, at most one more with the count');
        if (counting) assert.match(counting.words, /^\d+ requests from \S+ refused \(sign-in throttled\) since/);
        else assert.match(counted.summary, /^\d+ requests from \S+ were refused \(sign-in throttled\) between/);
    });
});

// --- 8. CSRF ------------------------------------------------------------------------------------------------------

test('CSRF: every state-changing route refuses a cookie request without the right token and writes nothing', async () => {
    await withFixture({}, async (ctx) => {
        await ctx.start();
        const w = ctx.w;
        const admin = await ctx.signIn(w.people.program_admin.email);
        const otherSession = await ctx.signIn(w.people.leader_a.email);
        const foreign = await otherSession.csrf(); // valid, but bound to another session
        const anon = ctx.jar();
        const anonForeign = await ctx.jar().csrf(); // bound to another pre-session
        await anon.csrf();

        const changing = (await routes()).filter((r) => r.changes);
        assert.ok(changing.length >= 15, `state-changing routes: ${changing.length}`);
        const bodies = {
            '/login': { email: w.people.program_admin.email, password: PASSWORD },
            '/logout': {},
            '/setup/{}': { organization: 'X', name: 'X', email: 'x@example.org', password: PASSWORD, password2: PASSWORD },
            '/invite/{}': { password: PASSWORD, password2: PASSWORD },
            '/reset': { email: w.people.program_admin.email },
            '/reset/{}': { password: PASSWORD, password2: PASSWORD },
            '/account/logout-everywhere': {},
            '/account/sessions/{}/end': {},
            '/account/password': { current: PASSWORD, password: 'a brand new passphrase', password2: 'a brand new passphrase' },
            '/admin/outbox/{}/retry': {},
            '/account/tokens': { name: 'csrf token' },
            '/account/tokens/{}/revoke': {},
            '/admin/people': { email: 'csrf-person@example.org', name: 'CSRF', role: 'leader', org: w.orgs.a },
            '/admin/people/{}': { name: 'CSRF Renamed', email: 'csrf-renamed@example.org' },
            '/admin/people/{}/grant': { role: 'evaluator', org: w.orgs.a },
            '/admin/people/{}/revoke': { role: 'leader', org: w.orgs.a },
            '/admin/people/{}/disable': {},
            '/admin/people/{}/enable': {},
            '/admin/people/{}/invite': {},
            '/admin/people/{}/erase': { confirm: w.people.leader_a.email },
            '/admin/orgs': { name: 'CSRF State', kind: 'state' },
            '/admin/orgs/{}': { name: 'CSRF renamed' },
            '/admin/orgs/{}/delete': {},
            '/admin/programs/{}': { rules: JSON.stringify({ ...CETL_RULES, grace_period_days: 45 }), note: 'csrf' },
            // applications and their review (issue 8 point 2)
            '/apply': { degree: 'bachelor' },
            '/applications/{}/withdraw': {},
            '/applications/{}/answer': { answer: 'csrf' },
            '/applications/{}/appeal': { statement: 'csrf' },
            '/review/conflicts': { person: w.people.leader_a.email },
            '/review/{}': { decision: 'approve' },
            '/supervisor/{}': { name: 'x', title: 'y', statement: 'z', recommend: 'on' },
            // issue 8: exam results and credentials
            '/admin/results': { csv: 'eligibility_id,form,taken_on,scaled_score,I,II,III\n' },
            '/admin/credentials/{}/{}': { reason: 'csrf' },
            // issue 8 points 5-6: continuing education and renewal
            '/credentials/{}/ce': { category: 'pd', title: 'csrf', completed_on: '2026-01-01', hours: '1', skills: 'I.A' },
            '/credentials/{}/renew': {},
            '/ce/review/{}': { decision: 'approve' },
            '/ce/audits/{}': { decision: 'pass' },
            '/ce/import': { csv: 'credential_number,category,title,provider,completed_on,hours,skills\n' },
            '/me/registry/{}': { listed: '0' }, // issue 8 point 7
            // issue 9: evaluations
            '/evaluations': { subject: w.people.leader_a.id, purpose: 'annual', title: 'CSRF review' },
            '/evaluations/{}/raters': { kind: 'self' },
            '/evaluations/{}/raters/{}/remove': {},
            '/evaluations/{}/raters/{}/reopen': { reason: 'csrf' },
            '/evaluations/{}/act': { action: 'open' },
            '/evaluations/{}/rate': { action: 'save' },
            '/evaluations/{}/answer': { item_id: 'x', level: '1', seq: '0' },
            '/rate/{}': { action: 'save' },
            '/rate/{}/answer': { item_id: 'x', level: '1', seq: '0' },
            // issue 9 point 5: growth plans
            '/evaluations/{}/plan': { hours: '10' },
            '/plans/{}/act': { action: 'agree', version: '1' },
            // issue 10: exam forms, their responses and item analysis
            '/exam/forms': { code: 'CSRF-1', title: 'csrf' },
            '/exam/forms/{}/act': { action: 'retire' },
            '/exam/forms/{}/responses': {},
            '/exam/forms/{}/send-back': { item: 'I.A-1' },
            // issue 10 point 1: the item bank's pages
            '/exam/bank/{}/move': { to: 'review', note: 'csrf' },
            '/exam/bank/{}/comment': { text: 'csrf' },
            '/exam/forms/{}/study': { action: 'create', title: 'csrf' },
            '/exam/forms/{}/study/round': {},
            '/exam/forms/{}/calibrate': {}, // issue 10 point 6
        };
        const fill = (pattern) => {
            let i = 0;
            return pattern.replace(/\{\}/g, () => {
                i++;
                if (pattern.startsWith('/admin/people/')) return w.people.leader_a.id;
                if (pattern.startsWith('/admin/orgs/')) return w.orgs.a;
                if (pattern.startsWith('/admin/outbox/')) return '1'; // a pending invitation
                if (pattern.startsWith('/admin/programs/')) return 'CETL';
                if (pattern.startsWith('/admin/credentials/')) return i === 1 ? 'CETL-2026-000001' : 'suspend';
                return fakeToken();
            });
        };

        const snapshot = async () => ({
            people: await cliJson(['user', 'list'], { db: ctx.db }),
            orgs: await cliJson(['org', 'list'], { db: ctx.db }),
            outbox: (await outbox(ctx.db)).length,
            audit: (await audit(admin)).filter((e) => e.action !== 'auth.refused'),
            refused: (await audit(admin, '?action=auth.refused')).length,
            counting: (await admin.get('/admin/audit')).json.refusals_counting,
            account: (await admin.get('/account')).json,
        });
        const before = await snapshot();

        let refusals = 0;
        let anonymous = 0;
        const missing = [];
        for (const rt of changing) {
            const p = fill(rt.pattern);
            const body = bodies[rt.pattern];
            if (!body) missing.push(rt.pattern);
            const tries = [
                ['signed in, no token', admin, { csrf: false }],
                ['signed in, a token of another session (header)', admin, { csrf: foreign }],
                ['signed in, a wrong token (form field)', admin, { csrf: 'f'.repeat(64), form: true, html: true }],
            ];
            if (rt.perm === 'public') {
                tries.push(['signed out, no token', anon, { csrf: false }]);
                tries.push(['signed out, a token of another pre-session', anon, { csrf: anonForeign }]);
            }
            for (const [what, jar, opts] of tries) {
                const r = await jar.request(rt.method, p, { body: { ...(body || {}) }, ...opts });
                if (jar === anon) anonymous++;
                else refusals++;
                const label = `${rt.method} ${rt.pattern} (${what})`;
                assert.equal(r.status, 403, `${label}: ${show(r)}`);
                if (!opts.html) assert.equal(r.json?.error?.code, 'csrf', `${label}: error code csrf`);
                assert.ok(!setCookies(r).some((c) => c.name === 'cf_session' && c.value), `${label}: no new session`);
            }
        }
        assert.deepEqual(missing, [], 'a body for every state-changing route (add new routes to this test)');

        const after = await snapshot();
        assert.deepEqual(after.people, before.people, 'people unchanged');
        assert.deepEqual(after.orgs, before.orgs, 'organizations unchanged');
        assert.equal(after.outbox, before.outbox, 'no message queued');
        assert.deepEqual(
            after.audit.map((e) => `${e.id} ${e.action}`),
            before.audit.map((e) => `${e.id} ${e.action}`),
            'no audit entry other than refusals',
        );
        // Signed in: one entry each. Signed out: counted per address and interval (at most the
        // interval's first is an entry), so nobody can flood the trail.
        const added = after.refused - before.refused;
        assert.ok(added >= refusals && added <= refusals + 1, `${added} entries for ${refusals} signed-in and ${anonymous} signed-out refusals`);
        const csrfRefusals = (await audit(admin, '?action=auth.refused')).filter((e) => e.after?.reason === 'csrf');
        assert.equal(csrfRefusals.length, added, 'with reason csrf');
        const counted = (c) => c.find((x) => x.reason === 'csrf')?.count ?? 0;
        assert.equal(counted(after.counting) - counted(before.counting), anonymous, 'signed-out refusals counted');
        assert.equal(after.account.sessions.length, before.account.sessions.length, 'sessions unchanged');
        assert.equal(after.account.tokens.length, before.account.tokens.length, 'tokens unchanged');
        assertStatus(await admin.get('/me'), 200, 'still signed in');

        // With the right token: accepted (JSON header, JSON field, form field).
        let r = await admin.post('/admin/orgs', { name: 'CSRF OK State', kind: 'state' });
        assertStatus(r, 201, 'POST /admin/orgs with X-CSRF-Token');
        r = await admin.post('/account/tokens', { name: 'ok token', csrf: await admin.csrf() }, { csrf: false });
        assertStatus(r, 201, 'POST /account/tokens with a csrf JSON field');
        r = await admin.post(`/admin/people/${w.people.leader_a.id}/grant`, { role: 'evaluator', org: w.orgs.a }, { form: true, html: true });
        assertStatus(r, 303, 'grant form with the csrf field');
        assert.equal(r.headers.location, `/admin/people/${w.people.leader_a.id}?done=granted`);
        r = await anon.post('/reset', { email: 'nobody@example.org' });
        assertStatus(r, 200, 'signed out: POST /reset with the pre-session token');
        const orgs = await cliJson(['org', 'list'], { db: ctx.db });
        assert.ok(orgs.some((o) => o.name === 'CSRF OK State'));
        const shown = await cliJson(['user', 'show', w.people.leader_a.email], { db: ctx.db });
        assert.ok(shown.roles.some((g) => g.role === 'evaluator'));
    });
});

// --- 9. API tokens ---------------------------------------------------------------------------------------------------

test('API tokens: shown once, Bearer without CSRF, limited to the roles asked for, revocable, stored hashed', async () => {
    await withFixture({}, async (ctx) => {
        await ctx.start();
        const w = ctx.w;
        const da = w.people.district_admin_a;
        await cliOk(['user', 'grant', da.email, '--role', 'leader', '--org', w.orgs.a], { db: ctx.db });
        const jar = await ctx.signIn(da.email);

        let r = await jar.post('/account/tokens', { name: 'leader only', roles: ['leader'] });
        assertStatus(r, 201, 'POST /account/tokens (leader)');
        const limited = r.json;
        assert.match(limited.token, /^cf_[A-Za-z0-9_-]{40,}$/, 'the token, once');
        assert.deepEqual(limited.roles, ['leader']);
        r = await jar.post('/account/tokens', { name: 'everything' });
        assertStatus(r, 201, 'POST /account/tokens (all roles)');
        const full = r.json;
        assert.deepEqual([...full.roles].sort(), ['district_admin', 'leader']);
        r = await jar.post('/account/tokens', { name: 'not mine', roles: ['program_admin'] });
        assertJsonError(r, 400, 'a role the person does not hold');
        r = await jar.post('/account/tokens', { name: '' });
        assertJsonError(r, 400, 'a token without a name');

        // Shown once: the account page lists it without the secret.
        r = await jar.get('/account');
        assertStatus(r, 200, 'GET /account');
        assert.ok(r.json.tokens.some((t) => t.id === limited.id && t.name === 'leader only'), 'listed');
        assert.ok(!r.text.includes(limited.token) && !r.text.includes(limited.token.slice(3)), 'not shown again');
        assert.ok(r.json.tokens.every((t) => t.token === undefined && t.hash === undefined), 'no secret or hash');

        // Bearer: works without cookies or CSRF.
        const lim = bearerJar(ctx.url, limited.token);
        r = await lim.get('/me');
        assertStatus(r, 200, 'GET /me with the leader token');
        assert.equal(r.json.person.email, da.email);
        assert.equal(r.json.via, 'token');
        assert.deepEqual(r.json.roles.map((g) => g.role), ['leader'], 'only the roles of the token');
        r = await lim.get('/admin/people');
        assertJsonError(r, 403, 'GET /admin/people with a leader-only token of a district admin');
        r = await lim.get(`/admin/people/${w.people.leader_a.id}`);
        assertJsonError(r, 404, 'a person page with the leader-only token');
        const fullJar = bearerJar(ctx.url, full.token);
        r = await fullJar.get('/admin/people');
        assertStatus(r, 200, 'GET /admin/people with the full token');
        r = await fullJar.post('/admin/orgs', { name: 'School by token', kind: 'school', parent: w.orgs.a });
        assertStatus(r, 201, 'a change with a Bearer token needs no CSRF');
        assert.ok(!setCookies(r).some((c) => c.name === 'cf_session' && c.value), 'no session from a token');

        // Garbage and revoked tokens: 401.
        r = await bearerJar(ctx.url, 'cf_' + fakeToken()).get('/me');
        assertJsonError(r, 401, 'an unknown token');
        assert.match(String(r.headers['www-authenticate']), /Bearer/);
        r = await jar.post(`/account/tokens/${limited.id}/revoke`, {});
        assertStatus(r, 200, 'revoke');
        r = await lim.get('/me');
        assertJsonError(r, 401, 'the revoked token');
        assertStatus(await fullJar.get('/me'), 200, 'the other token still works');
        // Someone else cannot revoke it.
        const other = await ctx.signIn(w.people.district_admin_b.email);
        r = await other.post(`/account/tokens/${full.id}/revoke`, {});
        assertJsonError(r, 404, "revoking another person's token");
        assertJsonError(await jar.post(`/account/tokens/${limited.id}/revoke`, {}), 404, 'revoking it twice');
        assertStatus(await fullJar.get('/me'), 200, 'still works after a stranger tried to revoke it');

        // Stored hashed: not in the outbox, the export, nor the database file.
        const box = JSON.stringify(await outbox(ctx.db));
        r = await jar.get('/account/export');
        assertStatus(r, 200, 'GET /account/export');
        for (const t of [limited.token, full.token]) {
            const secret = t.slice(3);
            assert.ok(!box.includes(secret), 'not in the outbox');
            assert.ok(!r.text.includes(secret), 'not in the export');
        }
        assert.ok(Array.isArray(r.json.api_tokens) && r.json.api_tokens.length === 2, 'the export lists the tokens');
        if (!/^postgres/.test(ctx.db)) {
            await ctx.stop();
            const bytes = ['', '-wal'].filter((s) => existsSync(ctx.db + s)).map((s) => readFileSync(ctx.db + s).toString('latin1')).join('');
            for (const t of [limited.token, full.token]) assert.ok(!bytes.includes(t.slice(3)), 'not in the database file');
        }
    });
});

// --- 10. hostile input ---------------------------------------------------------------------------------------------

test('payloads: SQL metacharacters and <script> in every text field are stored as typed and shown escaped', async () => {
    await withFixture({}, async (ctx) => {
        await ctx.start();
        const w = ctx.w;
        const admin = await ctx.signIn(w.people.program_admin.email);

        // Organization names (add and rename).
        const orgIds = {};
        for (const p of PAYLOADS) {
            const r = await admin.post('/admin/orgs', { name: p, kind: 'state' });
            assertStatus(r, 201, `org named ${p}`);
            orgIds[p] = r.json.id;
            const g = await admin.get(`/admin/orgs/${r.json.id}`);
            assertStatus(g, 200, 'GET the org');
            assert.equal(g.json.org.name, p, 'stored as typed');
        }
        let r = await admin.post(`/admin/orgs/${w.orgs.b}`, { name: SCRIPT + SQL1 });
        assertStatus(r, 200, 'rename an org');
        assert.equal((await admin.get(`/admin/orgs/${w.orgs.b}`)).json.org.name, SCRIPT + SQL1);

        // People: name, title, and e-mail local parts that are valid addresses.
        const personIds = {};
        for (const [i, p] of PAYLOADS.entries()) {
            r = await admin.post('/admin/people', { email: `payload${i}@example.org`, name: p, title: p, role: 'leader', org: w.orgs.a });
            assertStatus(r, 201, `person named ${p}`);
            personIds[p] = r.json.person.id;
            const g = await admin.get(`/admin/people/${r.json.person.id}`);
            assert.equal(g.json.person.name, p, 'name as typed');
            assert.equal(g.json.person.title, p, 'title as typed');
        }
        const sqlEmails = ["o'hara'--@example.org", "x'or'1'='1@example.org", "drop'table'people--@example.org", 'a%27%20or@example.org'];
        for (const e of sqlEmails) {
            r = await admin.post('/admin/people', { email: e, name: 'Quote Person', role: 'leader', org: w.orgs.a });
            assertStatus(r, 201, `person with e-mail ${e}`);
            assert.equal(r.json.person.email, e);
            assert.equal((await cliJson(['user', 'show', e], { db: ctx.db })).person.email, e);
        }
        // An address that cannot be valid is refused, and the form shows what was typed, escaped.
        r = await admin.post('/admin/people', { email: `${SCRIPT}@example.org`, name: SCRIPT, role: 'leader', org: w.orgs.a });
        assertJsonError(r, 400, 'an e-mail address with <>');
        r = await admin.post('/admin/people', { email: `${SCRIPT}@example.org`, name: SCRIPT, role: 'leader', org: w.orgs.a }, { form: true, html: true });
        assertEscaped(r, 'people form shown again', 400);

        // API token names.
        for (const p of PAYLOADS) {
            r = await admin.post('/account/tokens', { name: p });
            assertStatus(r, 201, `token named ${p}`);
            assert.equal(r.json.name, p);
        }
        r = await admin.get('/account');
        for (const p of PAYLOADS) assert.ok(r.json.tokens.some((t) => t.name === p), `token ${p} listed as typed`);

        // The sign-in e-mail: never signs anyone in; the form keeps the input, escaped.
        const anon = ctx.jar();
        for (const p of [...PAYLOADS, "x'or'1'='1@example.org", `${w.people.program_admin.email}' --`, "' OR '1'='1"]) {
            r = await tryLogin(anon, p, "' OR '1'='1");
            assert.ok([400, 401].includes(r.status), `login with email ${p}: ${show(r)}`);
            assert.ok(!anon.session, 'no session');
        }
        r = await anon.post('/login', { email: SCRIPT, password: 'x' }, { form: true, html: true });
        assertEscaped(r, 'sign-in form shown again', 400);

        // Everything is still there (no statement was broken or injected).
        const people = await cliJson(['user', 'list'], { db: ctx.db });
        assert.equal(people.length, 8 + PAYLOADS.length + sqlEmails.length);
        for (const p of PAYLOADS) assert.ok(people.some((x) => x.name === p && x.title === p), `listed: ${p}`);
        const orgs = await cliJson(['org', 'list'], { db: ctx.db });
        for (const p of PAYLOADS) assert.ok(orgs.some((o) => o.name === p), `org listed: ${p}`);

        // HTML pages: escaped, never raw.
        const scriptOrg = orgIds[SCRIPT];
        const scriptPerson = personIds[SCRIPT];
        for (const p of ['/admin/orgs', `/admin/orgs/${scriptOrg}`, `/admin/orgs/${w.orgs.b}`, '/admin/people', `/admin/people/${scriptPerson}`, `/admin/orgs/${w.orgs.a}`, '/account', '/admin/audit']) {
            assertEscaped(await admin.get(p, { html: true }), `GET ${p}`);
        }
        // And the JSON of the audit trail keeps the values as typed.
        const added = await audit(admin, `?object=${scriptPerson}`);
        assert.ok(added.some((e) => e.action === 'person.add' && e.after?.name === SCRIPT), 'audit after.name as typed');
    });
});

test('payloads in the first-run setup form: stored as typed, shown escaped', async () => {
    await withFixture({ world: false }, async (ctx) => {
        const srv = await ctx.start();
        const m = await waitForStdout(srv, /\/setup\/([A-Za-z0-9_-]{43})\b/);
        assert.ok(m, 'setup link');
        const jar = ctx.jar();
        const fields = { organization: SCRIPT, name: SQL1 + SCRIPT, email: "o'neil@example.org", password: PASSWORD, password2: PASSWORD };
        let r = await jar.post(`/setup/${m[1]}`, fields);
        assertStatus(r, 200, 'setup (JSON)');
        r = await jar.get('/me');
        assert.equal(r.json.person.name, SQL1 + SCRIPT);
        assert.equal(r.json.person.email, "o'neil@example.org");
        assert.ok(r.json.roles.some((g) => g.org_name === SCRIPT), 'organization as typed');
        for (const p of ['/dashboard', '/account', '/admin/orgs', '/admin/people']) {
            assertEscaped(await jar.get(p, { html: true }), `GET ${p}`);
        }
    });
});

// --- 11. privacy --------------------------------------------------------------------------------------------------------

test('privacy: my data as JSON (no secrets); erase replaces the person by a pseudonym everywhere', async () => {
    await withFixture({}, async (ctx) => {
        await ctx.start();
        const w = ctx.w;
        const who = w.people.leader_a;
        const name = 'leader-a person';
        const admin = await ctx.signIn(w.people.program_admin.email);
        await cliOk(['user', 'grant', who.email, '--role', 'evaluator', '--org', w.orgs.schoolA], { db: ctx.db });
        let r = await admin.post(`/admin/people/${who.id}/grant`, { role: 'evaluator', org: w.orgs.a });
        assertStatus(r, 200, 'grant evaluator (JSON)');
        assertJsonError(await tryLogin(ctx.jar(), who.email, 'a wrong password'), 401, 'a failed sign-in about them');
        const me = await ctx.signIn(who.email);
        r = await me.post('/account/tokens', { name: 'my script' });
        assertStatus(r, 201, 'a token');
        r = await ctx.jar().post('/reset', { email: who.email });
        assertStatus(r, 200, 'a reset message to them');

        r = await me.get('/account/export');
        assertStatus(r, 200, 'GET /account/export');
        assert.match(r.headers['content-type'], /^application\/json/);
        assert.match(String(r.headers['content-disposition']), /attachment/);
        const x = r.json;
        assert.equal(x.person.email, who.email);
        assert.equal(x.person.name, name);
        assert.ok(x.roles.some((g) => g.role === 'leader') && x.roles.some((g) => g.role === 'evaluator'), 'roles');
        assert.ok(Array.isArray(x.sessions) && x.sessions.length >= 1, 'sessions');
        assert.ok(x.audit_by_person.some((e) => e.action === 'auth.login'), 'their own actions');
        assert.ok(x.audit_about_person.some((e) => e.action === 'person.add'), 'actions about them');
        assert.ok(x.messages.some((m) => m.kind === 'reset'), 'messages sent to them');
        assert.ok(!/password_hash|id_hash|"hash"|\$argon2/.test(r.text), 'no hashes in the export');
        assert.ok(!r.text.includes(me.session), 'not the session cookie');

        // A program administrator may export anyone's data; a district admin may not.
        r = await admin.get(`/admin/people/${who.id}/export`);
        assertStatus(r, 200, 'admin export of a person');
        assert.equal(r.json.person.id, who.id);
        const da = await ctx.signIn(w.people.district_admin_a.email);
        assertJsonError(await da.get(`/admin/people/${who.id}/export`), 404, 'district admin export');

        // Erase.
        r = await admin.post(`/admin/people/${who.id}/erase`, { confirm: who.email });
        assertStatus(r, 200, 'POST /admin/people/{id}/erase');
        const pseudo = r.json.pseudonym;
        assert.match(pseudo, /^Person [0-9a-f]{8}$/);
        assert.equal(pseudo, `Person ${who.id.slice(0, 8)}`);
        const gone = (text, what) => {
            assert.ok(!text.includes(who.email), `${what}: no e-mail address`);
            assert.ok(!text.includes(name), `${what}: no name`);
        };

        r = await admin.get('/admin/people');
        assert.ok(!r.json.people.some((p) => p.id === who.id), 'not in the people list');
        gone(r.text, 'people list');
        gone(JSON.stringify(await cliJson(['user', 'list'], { db: ctx.db })), 'user list');
        const shown = await cli(['user', 'show', who.email, '--json'], { db: ctx.db });
        assert.notEqual(shown.code, 0, 'user show of the old address fails');
        gone(shown.stdout, 'user show');
        assertJsonError(await admin.get(`/admin/people/${who.id}`), 404, 'their page');
        gone((await admin.get(`/admin/orgs/${w.orgs.a}`)).text, 'their district');
        gone(JSON.stringify(await outbox(ctx.db)), 'outbox');

        const about = await audit(admin, `?object=${who.id}`);
        assert.ok(about.length >= 4, `entries about them: ${about.length}`);
        gone(JSON.stringify(about), 'audit entries about them');
        const add = about.find((e) => e.action === 'person.add');
        assert.equal(add.after.name, pseudo, 'person.add after.name');
        assert.equal(add.after.email, pseudo, 'person.add after.email');
        const byThem = await audit(admin, `?actor=user:${who.id}`);
        assert.ok(byThem.length >= 2, `their own actions: ${byThem.length}`);
        for (const e of byThem) assert.equal(e.actor_name, pseudo, `actor_name of ${e.action}`);
        gone((await admin.get('/admin/audit?limit=1000')).text, 'the whole audit trail (JSON)');
        r = await admin.get('/admin/audit.csv');
        assertStatus(r, 200, 'audit.csv');
        gone(r.text, 'the audit trail (CSV)');
        r = await admin.get('/admin/audit', { html: true });
        assertHtml(r, 200, 'audit page');
        gone(r.text, 'the audit page');

        assertJsonError(await me.get('/me'), 401, 'their session');
        assertJsonError(await tryLogin(ctx.jar(), who.email, PASSWORD), 401, 'sign-in with the old address');
        assertJsonError(await admin.post(`/admin/people/${who.id}/erase`, {}), [404, 409], 'erase twice');
    });
});

// --- 12. the audit trail -----------------------------------------------------------------------------------------------

test('audit: sign-ins, failures, refusals and changes with actor and time; filters; CSV; program admins only', async () => {
    await withFixture({}, async (ctx) => {
        await ctx.start();
        const w = ctx.w;
        const admin = await ctx.signIn(w.people.program_admin.email);
        const adminId = w.people.program_admin.id;
        const leader = w.people.leader_a;
        assertJsonError(await tryLogin(ctx.jar(), leader.email, 'not my password'), 401, 'failed sign-in');
        const lj = await ctx.signIn(leader.email);
        assertJsonError(await lj.get('/admin/people'), 403, 'a refusal');
        let r = await admin.post('/admin/orgs', { name: 'Audited School', kind: 'school', parent: w.orgs.a });
        assertStatus(r, 201, 'org add');
        const orgId = r.json.id;
        r = await admin.post('/admin/people', { email: 'audited@example.org', name: 'Audited Person', role: 'evaluator', org: orgId });
        assertStatus(r, 201, 'person add');
        const personId = r.json.person.id;

        const all = await audit(admin);
        for (const e of all) {
            assert.equal(typeof e.id, 'number');
            assert.match(e.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'at');
            assert.equal(typeof e.actor, 'string');
            assert.equal(typeof e.action, 'string');
        }
        const find = (pred, what) => {
            const e = all.find(pred);
            assert.ok(e, `${what} in the audit trail`);
            return e;
        };
        find((e) => e.action === 'auth.login' && e.actor === `user:${leader.id}` && e.actor_name === 'leader-a person', 'leader sign-in');
        find((e) => e.action === 'auth.login' && e.actor === `user:${adminId}`, 'admin sign-in');
        const failed = find((e) => e.action === 'auth.login_failed' && e.object_id === leader.id, 'failed sign-in');
        assert.equal(failed.after?.email, leader.email);
        assert.ok(!JSON.stringify(failed).includes('not my password'), 'the tried password is not recorded');
        const refused = find((e) => e.action === 'auth.refused' && e.actor === `user:${leader.id}`, 'refusal');
        assert.equal(refused.after?.path, '/admin/people');
        find((e) => e.action === 'org.add' && e.object_id === orgId && e.actor === `user:${adminId}`, 'org.add');
        find((e) => e.action === 'person.add' && e.object_id === personId && e.actor === `user:${adminId}`, 'person.add');
        find((e) => e.action === 'grant.add' && e.object_id === personId && e.after?.role === 'evaluator', 'grant.add');
        find((e) => e.action === 'person.add' && e.actor === 'cli', 'CLI changes as actor cli');
        const ids = all.map((e) => e.id);
        assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest first');

        // Filters.
        const persons = await audit(admin, '?action=person');
        assert.ok(persons.length >= 9, `action=person: ${persons.length}`);
        assert.ok(persons.every((e) => e.action === 'person' || e.action.startsWith('person.')), 'action prefix');
        assert.ok(!persons.some((e) => e.action === 'grant.add'));
        const exact = await audit(admin, '?action=auth.login');
        assert.ok(exact.length >= 2 && exact.every((e) => e.action === 'auth.login'), 'exact action');
        const byAdmin = await audit(admin, `?actor=user:${adminId}`);
        assert.ok(byAdmin.length >= 4 && byAdmin.every((e) => e.actor === `user:${adminId}`), 'actor filter');
        const onPerson = await audit(admin, `?object=${personId}`);
        assert.ok(onPerson.length >= 2 && onPerson.every((e) => e.object_id === personId), 'object filter');
        const none = await audit(admin, '?action=nothing.like.this');
        assert.equal(none.length, 0);
        const page = await admin.get('/admin/audit?limit=2');
        assert.equal(page.json.entries.length, 2);
        assert.equal(typeof page.json.next_before, 'number', 'a next page');
        const page2 = await admin.get(`/admin/audit?limit=2&before=${page.json.next_before}`);
        assert.ok(page2.json.entries.every((e) => e.id < page.json.next_before), 'older entries');
        assertJsonError(await admin.get('/admin/audit?limit=0'), 400, 'limit=0');
        assertJsonError(await admin.get('/admin/audit?before=x'), 400, 'before=x');

        // CSV: a header and one quoted row per entry.
        const everything = await audit(admin);
        r = await admin.get('/admin/audit.csv', { html: true });
        assertStatus(r, 200, 'GET /admin/audit.csv');
        assert.match(r.headers['content-type'], /^text\/csv/);
        assert.equal(r.text[0], '\uFEFF', 'a byte order mark, so that Excel reads UTF-8');
        const { rows, quotedRows } = parseCsv(r.text.slice(1));
        assert.deepEqual(rows[0], ['id', 'at', 'actor', 'actor_name', 'org', 'org_name', 'action', 'object_type', 'object_id', 'object_name', 'before', 'after', 'request_id']);
        assert.equal(rows.length - 1, everything.length, 'one row per entry');
        for (const [i, row] of rows.slice(1).entries()) {
            const e = everything[i];
            assert.equal(Number(row[0]), e.id);
            assert.equal(row[6], e.action);
            assert.equal(row[2], e.actor);
            assert.ok(quotedRows[i + 1][1] && quotedRows[i + 1][6], `row ${i + 1}: text fields quoted`);
        }
        r = await admin.get('/admin/audit.csv?action=org');
        const orgRows = parseCsv(r.text.slice(1)).rows.slice(1);
        assert.ok(orgRows.length >= 1 && orgRows.every((row) => row[6].startsWith('org.')), 'CSV filtered');

        // Program administrators only.
        for (const role of ['reviewer', 'district_admin_a', 'examiner']) {
            const j = await ctx.signIn(w.people[role].email);
            assertJsonError(await j.get('/admin/audit'), 403, `${role}: /admin/audit`);
            assertStatus(await j.get('/admin/audit.csv'), 403, `${role}: /admin/audit.csv`);
        }
    });
});

// --- 13. disabled accounts ----------------------------------------------------------------------------------------------

test('disable: no sign-in, sessions end; enable restores; the last program admin cannot be disabled or revoked', async () => {
    await withFixture({}, async (ctx) => {
        await ctx.start();
        const w = ctx.w;
        const admin = await ctx.signIn(w.people.program_admin.email);
        const who = w.people.leader_a;
        const lj = await ctx.signIn(who.email);
        const token = (await lj.post('/account/tokens', { name: 'leader token' })).json.token;
        assertStatus(await bearerJar(ctx.url, token).get('/me'), 200, 'token before');

        let r = await admin.post(`/admin/people/${who.id}/disable`, {});
        assertStatus(r, 200, 'disable');
        assert.equal(r.json.person.status, 'disabled');
        assertJsonError(await lj.get('/me'), 401, 'their session after disable');
        assertJsonError(await bearerJar(ctx.url, token).get('/me'), 401, 'their API token after disable');
        r = await tryLogin(ctx.jar(), who.email, PASSWORD);
        assertJsonError(r, 401, 'sign-in of a disabled account');
        assert.equal((await cliJson(['user', 'show', who.email], { db: ctx.db })).person.status, 'disabled');
        // A disabled person cannot use a reset link either.
        r = await ctx.jar().post('/reset', { email: who.email });
        assertStatus(r, 200, 'reset request for a disabled account (same answer)');
        assert.equal(await linkToken(ctx.db, 'reset', who.email), null, 'no reset link for a disabled account');

        r = await admin.post(`/admin/people/${who.id}/enable`, {});
        assertStatus(r, 200, 'enable');
        assert.equal(r.json.person.status, 'active');
        assertStatus(await tryLogin(ctx.jar(), who.email, PASSWORD), 200, 'sign-in after enable');
        assertJsonError(await lj.get('/me'), 401, 'the ended session stays ended');

        // The district admin of the district may disable there; the one of another may not.
        const da = await ctx.signIn(w.people.district_admin_a.email);
        assertStatus(await da.post(`/admin/people/${who.id}/disable`, {}), 200, 'district admin A disables in A');
        const db = await ctx.signIn(w.people.district_admin_b.email);
        assertJsonError(await db.post(`/admin/people/${who.id}/enable`, {}), 404, 'district admin B in A');
        assertStatus(await da.post(`/admin/people/${who.id}/enable`, {}), 200, 'district admin A enables');

        // The last program administrator.
        const adminId = w.people.program_admin.id;
        r = await admin.post(`/admin/people/${adminId}/disable`, {});
        assertJsonError(r, 409, 'disable the last program admin (themselves)');
        r = await admin.post(`/admin/people/${adminId}/revoke`, { role: 'program_admin', org: w.orgs.body });
        assertJsonError(r, 409, 'revoke the last program admin role');
        const c = await cli(['user', 'disable', w.people.program_admin.email], { db: ctx.db });
        assert.notEqual(c.code, 0, 'CLI disable of the last program admin fails');
        assert.match(c.stderr, /last program administrator/);
        const c2 = await cli(['user', 'revoke', w.people.program_admin.email, '--role', 'program_admin', '--org', w.orgs.body], { db: ctx.db });
        assert.notEqual(c2.code, 0, 'CLI revoke of the last program admin role fails');
        assertStatus(await admin.get('/me'), 200, 'still an admin');
        const me = (await admin.get('/me')).json;
        assert.ok(hasRole(me, 'program_admin'), 'still program_admin');

        // With a second one, the first may be disabled by the second; then the second is the last.
        const second = await addUser(ctx.db, 'second-admin@example.org', { name: 'Second Admin', role: 'program_admin', org: w.orgs.body });
        const sj = await ctx.signIn('second-admin@example.org');
        assertStatus(await sj.post(`/admin/people/${adminId}/disable`, {}), 200, 'second admin disables the first');
        assertJsonError(await admin.get('/me'), 401, 'the first admin is signed out');
        assertJsonError(await sj.post(`/admin/people/${second}/revoke`, { role: 'program_admin', org: w.orgs.body }), 409, 'now the last one');
        assertStatus(await sj.post(`/admin/people/${adminId}/enable`, {}), 200, 'enable the first again');
    });
});

// --- what the admin forms offer ---------------------------------------------------------------------------------

/** The options of the <select name="NAME"> in html: [{ value, label, selected }]. */
function options(html, name) {
    const m = new RegExp(`<select[^>]*name="${name}"[^>]*>([\\s\\S]*?)</select>`).exec(html);
    assert.ok(m, `a select named ${name}`);
    return [...m[1].matchAll(/<option value="([^"]*)"( selected)?>([^<]*)<\/option>/g)].map((o) => ({
        value: o[1],
        label: o[3],
        selected: Boolean(o[2]),
    }));
}

test('admin forms: only the actions and roles that apply, readable role names, the choice kept after an error', async () => {
    await withFixture({}, async (ctx) => {
        await ctx.start();
        const w = ctx.w;
        const admin = await ctx.signIn(w.people.program_admin.email);
        const who = w.people.leader_a;

        // An active account: disable, not enable or a new invitation.
        let page = (await admin.get(`/admin/people/${who.id}`, { html: true })).text;
        assert.match(page, new RegExp(`action="/admin/people/${who.id}/disable"`));
        assert.doesNotMatch(page, /\/enable"/, 'no enable form for an active account');
        assert.doesNotMatch(page, /\/invite"/, 'no new invitation for an active account');
        assert.match(page, /<span class="role">Technology leader<\/span>/, 'the role by its name');
        assert.deepEqual(options(page, 'org').filter((o) => o.selected).map((o) => o.value), [w.orgs.a],
            "a new role defaults to the person's own organization");
        let json = (await admin.get(`/admin/people/${who.id}`)).json;
        assert.deepEqual([json.can_disable, json.can_enable, json.can_reinvite], [true, false, false]);

        // Disabled: enable only.
        assertStatus(await admin.post(`/admin/people/${who.id}/disable`, {}), 200, 'disable');
        page = (await admin.get(`/admin/people/${who.id}`, { html: true })).text;
        assert.match(page, /\/enable"/);
        assert.doesNotMatch(page, /\/disable"/, 'no disable form for a disabled account');
        json = (await admin.get(`/admin/people/${who.id}`)).json;
        assert.deepEqual([json.can_disable, json.can_enable, json.can_reinvite], [false, true, false]);

        // Invited: a new invitation, or disable.
        const inv = await addUser(ctx.db, 'invited-forms@example.org', { name: 'Ivy Invited', role: 'leader', org: w.orgs.a, password: null });
        json = (await admin.get(`/admin/people/${inv}`)).json;
        assert.deepEqual([json.can_disable, json.can_enable, json.can_reinvite], [true, false, true]);

        // The program admin is offered every role; a district admin only those of a district.
        const all = options(page, 'role');
        assert.deepEqual(all.map((o) => o.value), ['leader', 'evaluator', 'district_admin', 'reviewer', 'examiner', 'program_admin']);
        assert.equal(all[2].label, 'District administrator');
        const da = await ctx.signIn(w.people.district_admin_a.email);
        const daPage = (await da.get('/admin/people', { html: true })).text;
        assert.deepEqual(options(daPage, 'role').map((o) => o.value), ['leader', 'evaluator', 'district_admin']);
        const leaderPage = (await ctx.signIn(w.people.evaluator_a.email)).get('/account', { html: true });
        assert.doesNotMatch((await leaderPage).text, /name="role"/, 'no role choice without people.write');

        // A failed invitation keeps the chosen role and organization.
        const r = await admin.post(
            '/admin/people',
            { email: 'not-an-address', name: 'Kept Choice', role: 'evaluator', org: w.orgs.b },
            { form: true, html: true },
        );
        assertStatus(r, 400, 'a bad e-mail address');
        const roleOpts = options(r.text, 'role');
        assert.deepEqual(roleOpts.filter((o) => o.selected).map((o) => o.value), ['evaluator']);
        assert.deepEqual(options(r.text, 'org').filter((o) => o.selected).map((o) => o.value), [w.orgs.b]);

        // The same for a new organization: kind and parent.
        const r2 = await admin.post('/admin/orgs', { name: '', kind: 'district', parent: w.orgs.state }, { form: true, html: true });
        assertStatus(r2, 400, 'an organization without a name');
        assert.deepEqual(options(r2.text, 'kind').filter((o) => o.selected).map((o) => o.value), ['district']);
        assert.deepEqual(options(r2.text, 'parent').filter((o) => o.selected).map((o) => o.value), [w.orgs.state]);
        assert.equal(options(r2.text, 'kind').find((o) => o.value === 'body').label, 'Certification body');
    });
});

test('pages: the token page shows this site in its example; the outbox marks the status shown', async () => {
    await withFixture({}, async (ctx) => {
        await ctx.start();
        const admin = await ctx.signIn(ctx.w.people.program_admin.email);
        const r = await admin.post('/account/tokens', { name: 'example' }, { form: true, html: true });
        assertHtml(r, 201, 'token page');
        assert.ok(r.text.includes(`-H &quot;Accept: application/json&quot; ${ctx.url}/me`) || r.text.includes(` ${ctx.url}/me</code>`),
            `the curl example names ${ctx.url}: ${r.text.slice(r.text.indexOf('<pre>'), r.text.indexOf('</pre>'))}`);
        assert.doesNotMatch(r.text, /ctoframe\.example\.org/);

        // Times read as people read them; the machine form stays in datetime.
        const acc = await admin.get('/account', { html: true });
        const m = /<time datetime="(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):\d\dZ">([^<]*)<\/time>/.exec(acc.text);
        assert.ok(m, 'a <time> on the account page');
        const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][Number(m[2]) - 1];
        assert.equal(m[6], `${Number(m[3])} ${month} ${m[1]}, ${m[4]}:${m[5]} UTC`);
        // The session's browser by name, the full User-Agent kept.
        const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';
        const chrome = ctx.jar();
        assertStatus(await chrome.post('/login', { email: ctx.w.people.leader_a.email, password: PASSWORD }, { headers: { 'user-agent': UA } }), 200, 'sign-in with a User-Agent');
        const sessions = (await chrome.get('/account')).json.sessions;
        assert.equal(sessions[0].browser, 'Chrome on Linux');
        assert.equal(sessions[0].user_agent, UA);

        for (const [query, label] of [['', 'All'], ['?status=pending', 'Pending'], ['?status=failed', 'Failed']]) {
            const page = await admin.get(`/admin/outbox${query}`, { html: true });
            assertHtml(page, 200, `outbox ${query}`);
            const current = [...page.text.matchAll(/<a href="[^"]*" aria-current="page">([^<]*)<\/a>/g)].map((m) => m[1]);
            assert.deepEqual(current, [label], `outbox${query}`);
        }
    });
});

test('a reloaded "new token" page makes no second token; replaced and used links say which', async () => {
    await withFixture({}, async (ctx) => {
        await ctx.start();
        const w = ctx.w;
        const jar = await ctx.signIn(w.people.leader_a.email);
        const page = await jar.get('/account', { html: true });
        const once = /name="once" value="([0-9a-f]{32})"/.exec(page.text);
        assert.ok(once, 'the token form carries a one-time value');
        let r = await jar.post('/account/tokens', { name: 'reloaded', once: once[1] }, { form: true, html: true });
        assertHtml(r, 201, 'first POST');
        r = await jar.post('/account/tokens', { name: 'reloaded', once: once[1] }, { form: true, html: true });
        assertHtml(r, 409, 'the same form again (a reload)');
        assert.match(r.text, /This form was sent already/);
        assert.doesNotMatch(r.text, /cf_[A-Za-z0-9_-]{40,}/, 'no token shown the second time');
        const tokens = (await jar.get('/account')).json.tokens.filter((t) => t.name === 'reloaded');
        assert.equal(tokens.length, 1, 'one token, not two');
        assertStatus(await jar.get('/account/tokens', { html: true }), 200, 'GET of the form address');

        // An invitation replaced by a newer one, then the newer one used.
        const email = 'twice-invited@example.org';
        const id = await addUser(ctx.db, email, { name: 'Twice Invited', role: 'leader', org: w.orgs.a, password: null });
        const first = await linkToken(ctx.db, 'invite', email);
        const admin = await ctx.signIn(w.people.program_admin.email);
        assertStatus(await admin.post(`/admin/people/${id}/invite`, {}), 200, 'a new invitation');
        const second = await linkToken(ctx.db, 'invite', email);
        assert.notEqual(first, second);
        r = await ctx.jar().get(`/invite/${first}`, { html: true });
        assertHtml(r, 409, 'the replaced link');
        assert.match(r.text, /A newer link has replaced this one/);
        assert.doesNotMatch(r.text, /already/);
        assertStatus(await ctx.jar().post(`/invite/${second}`, { password: PASSWORD, password2: PASSWORD }), 200, 'accepting');
        r = await ctx.jar().get(`/invite/${second}`, { html: true });
        assertHtml(r, 409, 'the used link');
        assert.match(r.text, /accepted already/);
        // Neither waiting e-mail goes out any more: one was replaced, the other's link used.
        const mails = (await outbox(ctx.db)).filter((m) => m.to_addr === email);
        assert.equal(mails.length, 2);
        for (const m of mails) {
            assert.equal(m.status, 'obsolete', `message #${m.id} is no longer needed, not failed`);
            assert.ok(m.cancelled_at, `message #${m.id} cancelled`);
            assert.match(m.last_error, /^not sent: /);
            assertJsonError(await admin.post(`/admin/outbox/${m.id}/retry`, {}), 409, `retry of #${m.id}`);
        }

        // A disabled person's invitation refuses before the form is filled in.
        const off = await addUser(ctx.db, 'disabled-invitee@example.org', { name: 'Dee Disabled', role: 'leader', org: w.orgs.a, password: null });
        const offLink = await linkToken(ctx.db, 'invite', 'disabled-invitee@example.org');
        assertStatus(await admin.post(`/admin/people/${off}/disable`, {}), 200, 'disable the invitee');
        r = await ctx.jar().get(`/invite/${offLink}`, { html: true });
        assertHtml(r, 409, 'the invitation of a disabled account');
        assert.match(r.text, /This account is disabled/);
        assert.doesNotMatch(r.text, /name="password"/, 'no password form');
    });
});

test('audit filter: a bad date is named beside its field; the CSV refuses it too', async () => {
    await withFixture({}, async (ctx) => {
        await ctx.start();
        const admin = await ctx.signIn(ctx.w.people.program_admin.email);
        let r = await admin.get('/admin/audit?since=11%2F22%2F2026&action=auth', { html: true });
        assertHtml(r, 400, 'since=11/22/2026');
        assert.match(r.text, /Give the date as YYYY-MM-DD/);
        assert.match(r.text, /id="f-since"[^>]*aria-invalid="true"/);
        assert.match(r.text, /<option value="auth" selected>/, 'the rest of the filter kept');
        assertJsonError(await admin.get('/admin/audit?until=2026-13-45'), 400, 'until=2026-13-45');
        assertJsonError(await admin.get('/admin/audit?since=2026-05-02&until=2026-05-01'), 400, 'until before since');
        assertJsonError(await admin.get('/admin/audit.csv?since=yesterday'), 400, 'the CSV');
        r = await admin.get('/admin/audit?since=2000-01-01&until=2100-01-01');
        assertStatus(r, 200, 'good dates');
        assert.ok(r.json.entries.length > 0);
        // The organization by its name; entries about a person or organization name it.
        r = await admin.get('/admin/audit?org=' + encodeURIComponent('District A'));
        assertStatus(r, 200, 'org by name');
        assert.ok(r.json.entries.length > 0 && r.json.entries.every((e) => e.org === ctx.w.orgs.a), 'only district A');
        const named = (await admin.get('/admin/audit?action=person.add')).json.entries;
        assert.ok(named.length > 0 && named.every((e) => typeof e.object_name === 'string' && e.object_name.length > 0), 'object_name');
        r = await admin.get('/admin/audit?since=2100-01-01');
        assertStatus(r, 200, 'a future day');
        assert.equal(r.json.entries.length, 0);
    });
});

test('organizations: no two of a name in one place; "7,200" students; the school form fails on its own page', async () => {
    await withFixture({}, async (ctx) => {
        await ctx.start();
        const w = ctx.w;
        const admin = await ctx.signIn(w.people.program_admin.email);
        let r = await admin.post('/admin/orgs', { name: 'state', kind: 'state' }); // "State" exists
        assertJsonError(r, 409, 'a second state named State (case aside)');
        assert.equal(r.json.error.field, 'name');
        r = await admin.post('/admin/orgs', { name: 'School A1', kind: 'school', parent: w.orgs.a });
        assertJsonError(r, 409, 'a second School A1 in district A');
        r = await admin.post('/admin/orgs', { name: 'School A1', kind: 'school', parent: w.orgs.b, enrollment: '7,200' });
        assertStatus(r, 201, 'the same name in another district, enrollment with a comma');
        assert.equal(r.json.enrollment, 7200);
        assertJsonError(await admin.post(`/admin/orgs/${w.orgs.b}`, { name: 'District A' }), 409, 'renaming onto a sibling');
        assertJsonError(await admin.post('/admin/orgs', { name: 'X', kind: 'state', enrollment: '7.2k' }), 400, '7.2k');

        // Only states and districts are offered as parents.
        const page = (await admin.get('/admin/orgs', { html: true })).text;
        const parents = /<select id="parent"[\s\S]*?<\/select>/.exec(page)[0];
        assert.match(parents, /District A \(district, State\)/);
        assert.doesNotMatch(parents, /\((school|body)\)/);

        // The district admin adds a school from the district page; an error stays there.
        const da = await ctx.signIn(w.people.district_admin_a.email);
        r = await da.post('/admin/orgs', { name: '', kind: 'school', parent: w.orgs.a, from: 'org', nces_id: '123' }, { form: true, html: true });
        assertHtml(r, 400, 'a school without a name, from the district page');
        assert.match(r.text, /The school was not added/);
        assert.match(r.text, /id="school-name-error"/);
        assert.match(r.text, /name="nces_id" value="123"/, 'what was typed is kept');
        assert.match(r.text, /<h1>District A/, 'on the district page');
        // Their state is named, without a link they could not follow.
        const mine = (await da.get(`/admin/orgs/${w.orgs.a}`, { html: true })).text;
        assert.match(mine, /<dt>Belongs to<\/dt><dd>State \(state\)/);
        assert.doesNotMatch(mine, new RegExp(`href="/admin/orgs/${w.orgs.state}"`));
    });
});

test('forms name every field at fault at once, not only the first', async () => {
    await withFixture({}, async (ctx) => {
        await ctx.start();
        const w = ctx.w;
        const admin = await ctx.signIn(w.people.program_admin.email);
        // Invite: no name and a bad address.
        let r = await admin.post('/admin/people', { name: '', email: 'not-an-address', role: 'leader', org: w.orgs.a }, { form: true, html: true });
        assertHtml(r, 400, 'invite with two problems');
        assert.match(r.text, /id="name-error"/);
        assert.match(r.text, /id="email-error"/);
        assert.match(r.text, /Please correct the fields marked below\./);
        r = await admin.post('/admin/people', { name: '', email: 'not-an-address', role: 'nobody', org: w.orgs.a });
        assertJsonError(r, 400, 'the same as JSON');
        const fields = [r.json.error.field, ...(r.json.error.more || []).map((m) => m.field)].sort();
        assert.deepEqual(fields, ['email', 'name', 'role']);
        // An organization: no name and a 3-digit NCES id.
        r = await admin.post('/admin/orgs', { name: '', kind: 'district', parent: w.orgs.state, nces_id: '123', enrollment: 'many' }, { form: true, html: true });
        assertHtml(r, 400, 'organization with three problems');
        for (const f of ['name', 'nces_id', 'enrollment']) assert.match(r.text, new RegExp(`id="${f}-error"`), f);
        // A password link: different passwords, and the first one too short.
        const email = 'multi-invitee@example.org';
        await addUser(ctx.db, email, { name: 'Multi Invitee', role: 'leader', org: w.orgs.a, password: null });
        const token = await linkToken(ctx.db, 'invite', email);
        r = await ctx.jar().post(`/invite/${token}`, { password: 'short', password2: 'other' }, { form: true, html: true });
        assertHtml(r, 400, 'two password problems');
        assert.match(r.text, /not the same/);
        assert.match(r.text, /at least \d+ characters/);
        assertStatus(await ctx.jar().get(`/invite/${token}`), 200, 'the link still works');
    });
});

test('no role locks nobody out; nobody takes away their own role; erased mail is not sent again', async () => {
    await withFixture({}, async (ctx) => {
        await ctx.start();
        const w = ctx.w;
        const admin = await ctx.signIn(w.people.program_admin.email);
        const da = await ctx.signIn(w.people.district_admin_a.email);
        // Their own page: no "Take away", no "Disable"; the request is refused too.
        const own = await da.get(`/admin/people/${w.people.district_admin_a.id}`, { html: true });
        assertHtml(own, 200, 'own person page');
        assert.doesNotMatch(own.text, /\/revoke"/, 'no Take away on your own roles');
        assert.doesNotMatch(own.text, /\/disable"/, 'no Disable on yourself');
        const r = await da.post(`/admin/people/${w.people.district_admin_a.id}/revoke`, { role: 'district_admin', org: w.orgs.a });
        assertJsonError(r, 409, 'taking away your own role');
        assert.match(r.json.error.message, /ask another administrator/);
        // Someone whose only role is taken away still reaches their dashboard and account.
        const leader = await ctx.signIn(w.people.leader_a.email);
        assertStatus(await admin.post(`/admin/people/${w.people.leader_a.id}/revoke`, { role: 'leader', org: w.orgs.a }), 200, 'revoke the only role');
        const dash = await leader.get('/dashboard', { html: true });
        assertHtml(dash, 200, 'dashboard with no role');
        assert.match(dash.text, /no role in any organization yet/);
        assertStatus(await leader.get('/account'), 200, 'account with no role');
        assertStatus(await leader.get('/me'), 200, '/me with no role');
        assertStatus(await leader.get('/admin/people'), 403, 'still no admin page');

        // An erased person's waiting invitation cannot be queued again.
        const gone = await addUser(ctx.db, 'to-erase@example.org', { name: 'To Erase', role: 'leader', org: w.orgs.a, password: null });
        const msg = (await outbox(ctx.db)).find((m) => m.to_addr === 'to-erase@example.org');
        assertStatus(await admin.post(`/admin/people/${gone}/erase`, { confirm: 'to-erase@example.org' }), 200, 'erase');
        const after = (await outbox(ctx.db)).find((m) => m.id === msg.id);
        assert.notEqual(after.status, 'pending', 'the invitation does not go out after erasure');
        assertJsonError(await admin.post(`/admin/outbox/${msg.id}/retry`, {}), 409, 'retry of an erased person\'s message');
    });
});

test('second review: lists tell same-named places apart; org edits report every field; quiet saves are not audited', async () => {
    await withFixture({}, async (ctx) => {
        await ctx.start();
        const w = ctx.w;
        const admin = await ctx.signIn(w.people.program_admin.email);
        // Options name the place: "School A1 (school, District A)".
        const page = (await admin.get('/admin/people', { html: true })).text;
        assert.match(page, /School A1\d* \(school, District A\d*\)<\/option>/);
        // Changing the details: every field at fault.
        let r = await admin.post(`/admin/orgs/${w.orgs.a}`, { name: '', nces_id: '1', enrollment: 'x' }, { form: true, html: true });
        assertHtml(r, 400, 'three problems');
        for (const f of ['name', 'nces_id', 'enrollment']) assert.match(r.text, new RegExp(`id="${f}-error"`), f);
        // A save that changes nothing writes no audit entry.
        const org = (await admin.get(`/admin/orgs/${w.orgs.a}`)).json.org;
        const count = async () => (await admin.get(`/admin/audit?action=org.update&limit=1000`)).json.entries.length;
        const n0 = await count();
        assertStatus(await admin.post(`/admin/orgs/${w.orgs.a}`, { name: org.name, nces_id: org.nces_id ?? '', enrollment: org.enrollment ?? '' }), 200, 'unchanged save');
        assert.equal(await count(), n0, 'no org.update for an unchanged save');
        // The audit filter names an organization that does not resolve.
        r = await admin.get('/admin/audit?org=Nowhere%20District', { html: true });
        assertHtml(r, 400, 'org filter: no such organization');
        assert.match(r.text, /id="f-org-error"/);
        // "Done by" takes a person's e-mail address.
        r = await admin.get('/admin/audit?actor=' + encodeURIComponent(w.people.program_admin.email));
        assertStatus(r, 200, 'actor by e-mail');
        assert.ok(r.json.entries.length > 0 && r.json.entries.every((e) => e.actor === `user:${w.people.program_admin.id}`));
        assertJsonError(await admin.get('/admin/audit?actor=nobody%40example.org'), 400, 'actor: no such person');
        // Token entries say which token.
        await admin.post('/account/tokens', { name: 'Nightly export' });
        const tok = (await admin.get('/admin/audit?action=token.create')).json.entries[0];
        assert.equal(tok.object_name, 'Nightly export');
        // A reviewer's dashboard promises no changes.
        const rev = await ctx.signIn(w.people.reviewer.email);
        const dash = (await rev.get('/dashboard', { html: true })).text;
        assert.doesNotMatch(dash, /invite new people/);
        assert.match(dash, /See everyone in the program/);
        // Enabling an invited person says they still have to accept.
        const inv = await addUser(ctx.db, 'enable-me@example.org', { name: 'Enable Me', role: 'leader', org: w.orgs.a, password: null });
        await admin.post(`/admin/people/${inv}/disable`, {});
        r = await admin.post(`/admin/people/${inv}/enable`, {}, { form: true, html: true });
        assertStatus(r, 303, 'enable (form)');
        r = await admin.get(r.headers.location, { html: true });
        assert.match(r.text, /still has to accept the invitation/);
    });
});

test('my account: change the password; every other session ends; wrong current passwords are throttled', async () => {
    await withFixture({}, async (ctx) => {
        await ctx.start();
        const email = ctx.w.people.leader_a.email;
        const NEW = 'a different long passphrase';
        const here = await ctx.signIn(email);
        const elsewhere = await ctx.signIn(email);
        // Every field at fault at once.
        let r = await here.post('/account/password', { current: 'wrong one', password: 'short', password2: 'other' }, { form: true, html: true });
        assertHtml(r, 400, 'three problems');
        for (const id of ['pw-current-error', 'pw-new-error', 'pw-again-error']) assert.match(r.text, new RegExp(`id="${id}"`), id);
        assertStatus(await here.get('/me'), 200, 'still signed in after a wrong current password');
        // The right one: 303 to the account page, a new session id, the other browser signed out.
        const before = here.session;
        r = await here.post('/account/password', { current: PASSWORD, password: NEW, password2: NEW }, { form: true, html: true });
        assertStatus(r, 303, 'change (form)');
        assert.equal(r.headers.location, '/account?done=password_changed');
        assert.notEqual(here.session, before, 'the session id changed');
        assertStatus(await here.get('/me'), 200, 'this browser stays signed in');
        assertJsonError(await elsewhere.get('/me'), 401, 'the other browser is signed out');
        assertJsonError(await tryLogin(ctx.jar(), email, PASSWORD), 401, 'the old password');
        assertStatus(await tryLogin(ctx.jar(), email, NEW), 200, 'the new password');
        const audit = (await (await ctx.signIn(ctx.w.people.program_admin.email)).get('/admin/audit?action=auth.password_changed')).json.entries;
        assert.equal(audit.length, 1);
        // Guessing the current password counts like failed sign-ins: 5, then 429.
        for (let i = 0; i < 5; i++) await here.post('/account/password', { current: `guess ${i}`, password: NEW + '!', password2: NEW + '!' });
        r = await here.post('/account/password', { current: NEW, password: NEW + '!', password2: NEW + '!' });
        assertJsonError(r, 429, 'throttled after five wrong current passwords');
        // Through an API token: refused.
        const t = (await here.post('/account/tokens', { name: 'script' })).json.token;
        assertJsonError(await bearerJar(ctx.url, t).post('/account/password', { current: NEW, password: 'x'.repeat(12), password2: 'x'.repeat(12) }), 403, 'an API token');
    });
});

test('person details: corrected by those who reach every role; duplicates and bad input named; audited', async () => {
    await withFixture({}, async (ctx) => {
        await ctx.start();
        const w = ctx.w;
        const who = w.people.leader_a;
        const da = await ctx.signIn(w.people.district_admin_a.email);
        let r = await da.post(`/admin/people/${who.id}`, { name: '', email: 'nope', title: 'x' }, { form: true, html: true });
        assertHtml(r, 400, 'two problems');
        assert.match(r.text, /id="d-name-error"/);
        assert.match(r.text, /id="d-email-error"/);
        assert.match(r.text, /<details class="section-box no-print" open>/, 'the form stays open');
        r = await da.post(`/admin/people/${who.id}`, { name: 'Lee Renamed', email: w.people.leader_b.email });
        assertJsonError(r, 409, 'an address of another account');
        assert.equal(r.json.error.field, 'email');
        r = await da.post(`/admin/people/${who.id}`, { name: 'Lee Renamed', email: 'Lee.New@Example.org', title: 'CTO' }, { form: true, html: true });
        assertStatus(r, 303, 'saved');
        const p = (await da.get(`/admin/people/${who.id}`)).json.person;
        assert.deepEqual([p.name, p.email, p.title], ['Lee Renamed', 'lee.new@example.org', 'CTO']);
        assertStatus(await tryLogin(ctx.jar(), 'lee.new@example.org', PASSWORD), 200, 'signs in with the new address');
        const admin = await ctx.signIn(w.people.program_admin.email);
        const e = (await admin.get('/admin/audit?action=person.update')).json.entries[0];
        assert.deepEqual(e.changes.map((c) => c.field).sort(), ['email', 'name', 'title']);
        // Someone with a program-wide role as well: their details are left to program staff.
        await cliOk(['user', 'grant', 'lee.new@example.org', '--role', 'reviewer', '--org', w.orgs.body], { db: ctx.db });
        assertJsonError(await da.post(`/admin/people/${who.id}`, { name: 'Nope', email: 'lee.new@example.org' }), 403, 'district admin, program role');
        assert.doesNotMatch((await da.get(`/admin/people/${who.id}`, { html: true })).text, /Correct the name/);
        // Another district's admin: 404.
        const db = await ctx.signIn(w.people.district_admin_b.email);
        assertJsonError(await db.post(`/admin/people/${who.id}`, { name: 'Nope', email: 'x@example.org' }), 404, 'another district');
    });
});
