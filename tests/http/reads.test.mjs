// Reads do not write (issue 6, limits 8).
//
// A GET never needs a write: /healthz, the pages and the API answer while another process
// holds the database's write lock (SQLite: BEGIN IMMEDIATE in the sqlite3 shell; PostgreSQL:
// every table locked against writes), as they would on a database they cannot write. The
// few writes a read may cause are rare: an API token's "last used" time and a session's
// "last seen" time are written at most once a minute.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request, isPostgresUrl, startServer } from './helper.mjs';
import { MINUTE, iso, baseTime, withServer, bearerJar, show, Jar, CHEAP, PASSWORD } from './authhelp.mjs';

// A read that waits for the lock takes the SQLite busy timeout (5 s) or, on PostgreSQL,
// forever; a read that needs no write answers in milliseconds. Generous for a loaded machine.
const QUICK_MS = 3000;

/**
 * Another process holding the database's write lock until release() is called: the
 * sqlite3 shell (BEGIN IMMEDIATE) or psql (every table locked in EXCLUSIVE mode, which lets
 * plain reads through and stops every write).
 */
async function holdWriteLock(db) {
    const pg = isPostgresUrl(db);
    const sql = pg
        ? `BEGIN;
DO $$ DECLARE t text; BEGIN
  FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP
    EXECUTE format('LOCK TABLE %I IN EXCLUSIVE MODE', t);
  END LOOP;
END $$;
SELECT 'locked';
`
        : ".timeout 10000\nBEGIN IMMEDIATE;\nSELECT 'locked';\n"; // waits while the server writes (its tick at start)
    const child = pg
        ? spawn('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', db], { stdio: ['pipe', 'pipe', 'pipe'] })
        : spawn('sqlite3', [db], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise((resolve) => child.on('close', resolve));
    child.on('error', (e) => (err += `\n${e.message} (is the ${pg ? 'psql' : 'sqlite3'} command installed? scripts/bootstrap test installs it)`));
    child.stdin.write(sql);
    const deadline = Date.now() + 15000;
    while (!/locked/.test(out)) {
        if (Date.now() > deadline || child.exitCode !== null || /error|not installed|ENOENT/i.test(err)) {
            child.kill('SIGKILL');
            throw new Error(`could not take the write lock: ${err || out}`);
        }
        await new Promise((r) => setTimeout(r, 20));
    }
    return {
        async release() {
            child.stdin.end('ROLLBACK;\n');
            await exited;
        },
    };
}

/** GET path (with extra headers); asserts 200 within QUICK_MS. */
async function quickGet(url, path, headers = {}, what = path) {
    const t = Date.now();
    let r;
    try {
        r = await request(url + path, { headers: { accept: 'application/json', ...headers }, timeout: QUICK_MS + 2000 });
    } catch (e) {
        assert.fail(`GET ${what} did not answer while the database was locked for writing: ${e.message}`);
    }
    const ms = Date.now() - t;
    assert.equal(r.status, 200, `GET ${what}: ${show(r)}`);
    assert.ok(ms < QUICK_MS, `GET ${what} took ${ms} ms: it waited for the write lock`);
    return r;
}

test('GETs answer while another process holds the write lock: /healthz, pages, the API by session and by token', async () => {
    const t0 = baseTime();
    await withServer({}, async (ctx) => {
        await ctx.start({ env: { CTOFRAME_NOW: iso(t0) } });
        const jar = await ctx.signIn(ctx.w.people.district_admin_a.email);
        const admin = await ctx.signIn(ctx.w.people.program_admin.email);
        const made = await jar.post('/account/tokens', { name: 'reader' });
        assert.equal(made.status, 201, show(made));
        assert.equal((await bearerJar(ctx.url, made.json.token).get('/me')).status, 200);

        // A fresh process (nothing cached) 30 s later: nothing is due to be written.
        await ctx.start({ env: { CTOFRAME_NOW: iso(t0 + 30 * 1000) } });
        const lock = await holdWriteLock(ctx.db);
        try {
            const h = await quickGet(ctx.url, '/healthz');
            assert.equal(h.json.status, 'ok');
            await quickGet(ctx.url, '/healthz', {}, '/healthz again');
            await quickGet(ctx.url, '/login', {}, '/login (a form for a new visitor)');
            await quickGet(ctx.url, '/', { accept: 'text/html' }, '/ (HTML)');
            await quickGet(ctx.url, '/frameworks');
            const cookie = { cookie: jar.cookieHeader() };
            const me = await quickGet(ctx.url, '/me', cookie, '/me (session)');
            assert.equal(me.json.person.email, ctx.w.people.district_admin_a.email);
            await quickGet(ctx.url, '/account', cookie, '/account (session)');
            await quickGet(ctx.url, '/admin/people', cookie, '/admin/people (session)');
            const bearer = { authorization: `Bearer ${made.json.token}` };
            for (let i = 0; i < 3; i++) await quickGet(ctx.url, '/me', bearer, `/me (token, ${i + 1})`);
            await quickGet(ctx.url, '/admin/people', bearer, '/admin/people (token)');
            const boss = { cookie: admin.cookieHeader(), accept: 'text/html' };
            for (const p of ['/dashboard', '/admin/audit', '/admin/orgs', '/admin/outbox', `/admin/people/${ctx.w.people.leader_a.id}`]) {
                await quickGet(ctx.url, p, boss, `${p} (program admin, HTML)`);
            }
        } finally {
            await lock.release();
        }
        // Writes work again once the lock is gone.
        assert.equal((await jar.post('/account/tokens', { name: 'after the lock' })).status, 201);

        // Two hours later the session has gone idle: it is refused (and the cookie cleared)
        // without a write; the row goes at the person's next sign-in.
        await ctx.start({ env: { CTOFRAME_NOW: iso(t0 + 2 * 60 * MINUTE) } });
        const lock2 = await holdWriteLock(ctx.db);
        try {
            const t = Date.now();
            const r = await request(ctx.url + '/me', { headers: { accept: 'application/json', cookie: jar.cookieHeader() }, timeout: QUICK_MS + 2000 });
            assert.equal(r.status, 401, `GET /me with an ended session: ${show(r)}`);
            assert.ok(Date.now() - t < QUICK_MS, `GET /me with an ended session took ${Date.now() - t} ms`);
            await quickGet(ctx.url, '/login', { cookie: jar.cookieHeader() }, '/login with an ended session');
        } finally {
            await lock2.release();
        }
    });
});

test('an API token\'s "last used" and a session\'s "last seen" are written at most once a minute', async () => {
    const t0 = baseTime();
    await withServer({}, async (ctx) => {
        await ctx.start({ env: { CTOFRAME_NOW: iso(t0) } });
        const jar = await ctx.signIn(ctx.w.people.district_admin_a.email);
        const made = await jar.post('/account/tokens', { name: 'counted' });
        assert.equal(made.status, 201, show(made));
        const token = made.json;
        const seen = async () => {
            const acc = (await jar.get('/account')).json;
            return {
                used: acc.tokens.find((x) => x.id === token.id).last_used_at,
                seen: acc.sessions.find((s) => s.current)?.last_seen ?? acc.sessions[0].last_seen,
            };
        };
        assert.equal((await seen()).used, null, 'never used yet');
        assert.equal((await bearerJar(ctx.url, token.token).get('/me')).status, 200);
        assert.equal((await seen()).used, iso(t0), 'the first use is written');

        // Two more reads 30 s later (a new process): nothing is written.
        await ctx.start({ env: { CTOFRAME_NOW: iso(t0 + 30 * 1000) } });
        for (let i = 0; i < 2; i++) assert.equal((await bearerJar(ctx.url, token.token).get('/me')).status, 200);
        let now = await seen();
        assert.equal(now.used, iso(t0), 'last used is not written again within a minute');
        assert.equal(now.seen, iso(t0), 'last seen is not written again within a minute');

        // A minute after the last write: written once more.
        await ctx.start({ env: { CTOFRAME_NOW: iso(t0 + MINUTE) } });
        assert.equal((await bearerJar(ctx.url, token.token).get('/me')).status, 200);
        now = await seen();
        assert.equal(now.used, iso(t0 + MINUTE), 'last used a minute later');
        assert.equal(now.seen, iso(t0 + MINUTE), 'last seen a minute later');
    });
});

test('a read-only SQLite database is served for reading: /healthz and pages answer, a change is a clear 503', async (t) => {
    if (isPostgresUrl(process.env.CTOFRAME_TEST_DB)) {
        t.skip('SQLite only (the PostgreSQL case is the next test)');
        return;
    }
    await withServer({}, async (ctx) => {
        // A first server makes the database (migrations, frameworks, the CSRF key); then a
        // second one opens it read-only. As root a chmod 0444 file stays writable, so the
        // file is opened through SQLite's read-only URI, as a read-only copy would be.
        await ctx.start();
        await ctx.stop();
        const srv = await startServer({ db: `file:${ctx.db}?mode=ro`, env: CHEAP });
        try {
            const h = await quickGet(srv.url, '/healthz');
            assert.equal(h.json.status, 'ok');
            assert.equal(h.json.database, 'sqlite');
            await quickGet(srv.url, '/frameworks');
            await quickGet(srv.url, '/login', {}, '/login (a form for a new visitor)');
            // Signing in would write a session: refused in words, not a crash or a 500.
            const jar = new Jar(srv.url);
            const r = await jar.post('/login', { email: ctx.w.people.program_admin.email, password: PASSWORD });
            assert.equal(r.status, 503, show(r));
            assert.equal(r.json.error.code, 'read_only');
            assert.match(r.json.error.message, /read-only/);
        } finally {
            await srv.stop();
        }
        assert.match(srv.stderr(), /read-only: serving it for reading/);
    });
});

test('/healthz and public pages answer on a read-only PostgreSQL database (default_transaction_read_only)', async (t) => {
    if (!isPostgresUrl(process.env.CTOFRAME_TEST_DB)) {
        // SQLite's read-only case is the test above.
        t.skip('PostgreSQL only: set CTOFRAME_TEST_DB');
        return;
    }
    await withServer({ world: false }, async (ctx) => {
        // The server migrates at start on its own connection; the connections of its workers
        // are opened at their first request, after the database has become read-only.
        await ctx.start();
        const name = decodeURIComponent(new URL(ctx.db).pathname.slice(1));
        const admin = process.env.CTOFRAME_TEST_DB;
        const psql = (sql) =>
            new Promise((resolve, reject) => {
                const c = spawn('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', admin, '-c', sql]);
                let err = '';
                c.stderr.on('data', (d) => (err += d));
                c.on('close', (code) => (code === 0 ? resolve() : reject(new Error(err))));
            });
        await psql(`ALTER DATABASE "${name}" SET default_transaction_read_only = on`);
        try {
            const h = await quickGet(ctx.url, '/healthz');
            assert.equal(h.json.status, 'ok');
            assert.equal(h.json.database, 'postgresql');
            assert.ok(h.json.schema_version >= 8, JSON.stringify(h.json));
            await quickGet(ctx.url, '/login', {}, '/login (a form for a new visitor)');
            await quickGet(ctx.url, '/frameworks');
        } finally {
            await psql(`ALTER DATABASE "${name}" RESET default_transaction_read_only`);
        }
    });
});
