// The edge of the server: where links point (the public address, never a request header),
// trusted proxies, connection caps and deadlines, malformed requests, bytes out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import http from 'node:http';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { startServer, request, isPostgresUrl, ROOT } from './helper.mjs';
import { CHEAP, PASSWORD, ownDb, addOrg, addUser, cli, cliOk, outbox, signIn, Jar } from './authhelp.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A database with a certification body and one active program administrator. */
async function dbWithAdmin() {
    const d = await ownDb();
    const body = await addOrg(d.db, 'Certification Body', 'body');
    await addUser(d.db, 'admin@example.org', { name: 'Ada Admin', role: 'program_admin', org: body });
    return { ...d, body };
}

/** The links (http…) in the outbox messages of kind to `to`. */
async function links(db, kind, to) {
    const rows = (await outbox(db)).filter((m) => m.kind === kind && m.to_addr === to);
    return rows.flatMap((m) => [...m.body.matchAll(/https?:\/\/[^\s"<>]+/g)].map((x) => x[0]));
}

const EVIL = {
    host: 'evil.example',
    'x-forwarded-host': 'evil.example',
    'x-forwarded-proto': 'https',
    'x-forwarded-for': '203.0.113.66',
};

// --- 1. the public address ---------------------------------------------------------------------

test('a reset link follows neither Host nor X-Forwarded-*: it starts with the listening address', async () => {
    const d = await dbWithAdmin();
    const srv = await startServer({ db: d.db, env: CHEAP });
    try {
        const anon = new Jar(srv.url);
        const r = await anon.post('/reset', { email: 'admin@example.org' }, { headers: EVIL });
        assert.equal(r.status, 200, r.text);
        const found = await links(d.db, 'reset', 'admin@example.org');
        assert.equal(found.length, 1, `one link in the message: ${found}`);
        assert.ok(found[0].startsWith(srv.url + '/reset/'), `${found[0]} starts with ${srv.url}/reset/`);
    } finally {
        await srv.stop();
        await d.drop();
    }
});

test('with --public-url the links start with it, whatever the request says', async () => {
    const d = await dbWithAdmin();
    const srv = await startServer({ db: d.db, env: CHEAP, args: ['--public-url', 'https://cto.example.org/'] });
    try {
        const r = await new Jar(srv.url).post('/reset', { email: 'admin@example.org' }, { headers: EVIL });
        assert.equal(r.status, 200, r.text);
        const found = await links(d.db, 'reset', 'admin@example.org');
        assert.equal(found.length, 1);
        assert.match(found[0], /^https:\/\/cto\.example\.org\/reset\/[A-Za-z0-9_-]{43}$/);
    } finally {
        await srv.stop();
        await d.drop();
    }
});

test('CASE answers (cached for everyone) do not follow Host or X-Forwarded-Proto', async () => {
    const srv = await startServer({ env: CHEAP });
    try {
        const list = await request(srv.url + '/ims/case/v1p0/CFDocuments', { headers: { accept: 'application/json' } });
        const id = list.json.CFDocuments[0].identifier;
        const path = `/ims/case/v1p0/CFDocuments/${id}`;
        // The first answer is made for a hostile request and cached ...
        const first = await request(srv.url + path, { headers: { ...EVIL, accept: 'application/json' } });
        assert.equal(first.status, 200, first.text);
        // ... and a later client gets the same bytes.
        const later = await request(srv.url + path, { headers: { accept: 'application/json' } });
        for (const r of [first, later]) {
            assert.doesNotMatch(r.text, /evil\.example/);
            assert.doesNotMatch(r.text, /https:\/\/127\.0\.0\.1/);
            assert.ok(r.text.includes(`"${srv.url}/ims/case/v1p0/CFPackages/${id}"`), r.text.slice(0, 400));
        }
        assert.equal(later.text, first.text);
    } finally {
        await srv.stop();
    }
});

test('the command line queues invitations with the running server\'s address', async () => {
    const d = await dbWithAdmin();
    try {
        // No server has run on this database yet: no address is known, and it says so.
        const none = await cli(['user', 'add', 'early@example.org', '--name', 'Early', '--role', 'program_admin', '--org', d.body], { db: d.db, env: { CTOFRAME_PUBLIC_URL: undefined } });
        assert.equal(none.code, 1, none.stderr);
        assert.match(none.stderr, /No server address is known.*--public-url/s);

        const srv = await startServer({ db: d.db, env: CHEAP });
        try {
            const added = await cli(['user', 'add', 'ivy@example.org', '--name', 'Ivy', '--role', 'program_admin', '--org', d.body], { db: d.db, env: { CTOFRAME_PUBLIC_URL: undefined } });
            assert.equal(added.code, 0, added.stderr);
            assert.ok(added.stderr.includes(`with a link to ${srv.url},`), `user add names the server: ${added.stderr}`);
            const found = await links(d.db, 'invite', 'ivy@example.org');
            assert.equal(found.length, 1);
            assert.ok(found[0].startsWith(srv.url + '/invite/'), `${found[0]} starts with ${srv.url}/invite/`);
            // --public-url (or the environment) wins over what the server recorded.
            await cliOk(['user', 'add', 'max@example.org', '--name', 'Max', '--role', 'program_admin', '--org', d.body, '--public-url', 'https://cto.example.org'], { db: d.db });
            assert.match((await links(d.db, 'invite', 'max@example.org'))[0], /^https:\/\/cto\.example\.org\/invite\//);
            const bad = await cli(['user', 'invite', 'max@example.org'], { db: d.db, env: { CTOFRAME_PUBLIC_URL: 'cto.example.org' } });
            assert.equal(bad.code, 2);
            assert.match(bad.stderr, /CTOFRAME_PUBLIC_URL must start with http:\/\/ or https:\/\//);
        } finally {
            await srv.stop();
        }
    } finally {
        await d.drop();
    }
});

test('serve refuses a public URL that is not scheme://host[:port], naming --public-url', async () => {
    for (const bad of ['ftp://x.example', 'https://', 'https://x.example/app', 'https://x.example?a=1', 'https://u@x.example', 'https://x.example:99999', 'x.example']) {
        const r = await cli(['serve', '--port', '0', '--public-url', bad], { db: '/nonexistent/never-opened.db' });
        assert.equal(r.code, 2, `${bad}: ${r.stderr}`);
        assert.match(r.stderr, /--public-url/, bad);
    }
});

// --- 2. trusted proxies --------------------------------------------------------------------------

/** 20 failed sign-ins (unknown addresses) as client `ip` says X-Forwarded-For. */
async function failTwenty(url, ip) {
    const jar = new Jar(url);
    for (let i = 0; i < 20; i++) {
        const r = await jar.post('/login', { email: `nobody${i}@example.org`, password: 'wrong password here' }, { headers: { 'x-forwarded-for': ip } });
        assert.equal(r.status, 401, `failure ${i}: ${r.status} ${r.text.slice(0, 200)}`);
    }
    const r = await jar.post('/login', { email: 'nobody@example.org', password: 'wrong password here' }, { headers: { 'x-forwarded-for': ip } });
    assert.equal(r.status, 429, 'the 21st attempt from that address is throttled');
}

test('behind a trusted proxy X-Forwarded-For is the throttled address; from anyone else it is ignored', async () => {
    const d = await dbWithAdmin();
    try {
        let srv = await startServer({ db: d.db, env: CHEAP, args: ['--trusted-proxy', '10.0.0.0/8, 127.0.0.1/32'] });
        try {
            await failTwenty(srv.url, '198.51.100.1');
            const b = new Jar(srv.url);
            const r = await b.post('/login', { email: 'admin@example.org', password: PASSWORD }, { headers: { 'x-forwarded-for': '198.51.100.2' } });
            assert.equal(r.status, 200, `client B is not locked out by client A: ${r.text.slice(0, 200)}`);
            // The rightmost untrusted hop counts: a client cannot pick its address by prepending one.
            const c = await new Jar(srv.url).post('/login', { email: 'admin@example.org', password: PASSWORD }, { headers: { 'x-forwarded-for': '198.51.100.9, 198.51.100.1' } });
            assert.equal(c.status, 429, 'forged left part ignored');
        } finally {
            await srv.stop();
        }
        // Without --trusted-proxy the header is anyone's word: every request is the peer's.
        srv = await startServer({ db: d.db, env: CHEAP });
        try {
            await failTwenty(srv.url, '192.0.2.1');
            const r = await new Jar(srv.url).post('/login', { email: 'admin@example.org', password: PASSWORD }, { headers: { 'x-forwarded-for': '192.0.2.2' } });
            assert.equal(r.status, 429, 'the header changes nothing: it is the same peer');
        } finally {
            await srv.stop();
        }
    } finally {
        await d.drop();
    }
});

test('X-Forwarded-Proto: https marks cookies Secure only from a trusted proxy', async () => {
    const secure = async (args) => {
        const srv = await startServer({ env: CHEAP, args });
        try {
            const r = await request(srv.url + '/login', { headers: { 'x-forwarded-proto': 'https' } });
            const c = [].concat(r.headers['set-cookie'] || []).find((x) => x.startsWith('cf_pre='));
            assert.ok(c, 'a pre-session cookie');
            return /;\s*Secure/i.test(c);
        } finally {
            await srv.stop();
        }
    };
    assert.equal(await secure([]), false, 'untrusted peer');
    assert.equal(await secure(['--trusted-proxy', '127.0.0.0/8']), true, 'trusted proxy');
});

test('--trusted-proxy with a bad entry: exit 2 naming the flag and the entry', async () => {
    for (const [bad, entry] of [['10.0.0.0/33', '10.0.0.0/33'], ['10.0.0.0/8,proxy.local', 'proxy.local'], ['10.1.0.0/8', '10.1.0.0/8'], ['1.2.3.4,,5.6.7.8', '']]) {
        const r = await cli(['serve', '--port', '0', '--trusted-proxy', bad], { db: '/nonexistent/never-opened.db' });
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, /--trusted-proxy/);
        assert.ok(r.stderr.includes(`"${entry}"`), `${bad}: ${r.stderr}`);
    }
});

// --- 4. slow clients -----------------------------------------------------------------------------

/** A raw connection from localAddress; collects what arrives and when it closes. */
function rawConn(port, localAddress = '127.0.0.1') {
    const s = net.connect({ port, host: '127.0.0.1', localAddress });
    const c = { sock: s, data: '', closed: false, error: null };
    s.setEncoding('latin1');
    s.on('data', (d) => {
        c.data += d;
    });
    s.on('error', (e) => {
        c.error = e.code;
    });
    c.done = new Promise((resolve) => s.on('close', () => {
        c.closed = true;
        resolve();
    }));
    c.connected = new Promise((resolve) => s.on('connect', resolve));
    return c;
}

/** GET path from localAddress; { status, ms }. */
function getFrom(url, path, localAddress) {
    const u = new URL(url);
    const t0 = Date.now();
    return new Promise((resolve, reject) => {
        const req = http.get({ host: u.hostname, port: u.port, path, localAddress, agent: false, timeout: 10000 }, (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode, ms: Date.now() - t0 }));
        });
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', reject);
    });
}

test('1,000 slow connections from one address: another address is served, the excess gets 503, tricklers are cut at the deadline', async () => {
    const CAP = 50;
    // The deadline must outlast opening the 1,000 connections (slow under a sanitizer), or
    // slots freed by the first cuts would let later connections in.
    const DEADLINE_S = 8;
    const srv = await startServer({ env: CHEAP, args: ['--max-connections-per-address', String(CAP), '--header-timeout', String(DEADLINE_S)] });
    const conns = [];
    let timer;
    try {
        for (let i = 0; i < 1000; i++) {
            const c = rawConn(srv.port);
            c.connected.then(() => c.sock.write('GET /healthz HTTP/1.1\r\nHo'));
            conns.push(c);
        }
        await Promise.all(conns.map((c) => Promise.race([c.connected, c.done])));
        // Trickle one byte every 300 ms: each byte would restart an inactivity timeout.
        timer = setInterval(() => {
            for (const c of conns) if (!c.closed && !c.error) c.sock.write('s');
        }, 300);
        const t0 = Date.now();
        const other = await getFrom(srv.url, '/healthz', '127.0.0.2');
        assert.equal(other.status, 200, 'another address is served');
        // Generous for a loaded 2-core machine; without the caps it is not served at all.
        assert.ok(other.ms < 5000, `promptly (${other.ms} ms)`);

        // Connections over the address's cap get a clean 503 and are closed; the ones let in
        // keep trickling, yet are cut with 408 when the header deadline passes. (A trickle
        // restarts the 30 s idle timeout, so without the deadline none of them would go.)
        while (Date.now() < t0 + 30000 && conns.some((c) => !c.closed)) await sleep(100);
        const elapsed = Date.now() - t0;
        assert.ok(conns.every((c) => c.closed), `all closed (${conns.filter((c) => !c.closed).length} open)`);
        const refused = conns.filter((c) => /^HTTP\/1\.1 503 /.test(c.data));
        const cut = conns.filter((c) => /^HTTP\/1\.1 408 /.test(c.data));
        assert.equal(refused.length, 1000 - CAP, `${1000 - CAP} refused with 503`);
        for (const c of refused) assert.match(c.data, /Retry-After: \d+/);
        assert.equal(cut.length, CAP, `the ${CAP} let in are cut with 408`);
        assert.ok(elapsed < 25000, `cut at the ${DEADLINE_S} s deadline, not later (${elapsed} ms)`);
        // And the address may connect again.
        assert.equal((await getFrom(srv.url, '/healthz', '127.0.0.1')).status, 200);
        // The operator hears of it (at most every 10 s, and at the stop).
        clearInterval(timer);
        await srv.stop();
        assert.match(srv.stderr(), /connection\(s\) over the connection caps got 503/);
        const reported = [...srv.stderr().matchAll(/(\d+) connection\(s\) over the connection caps got 503 and (\d+) request/g)];
        assert.equal(reported.reduce((a, m) => a + Number(m[1]), 0), 1000 - CAP);
        assert.equal(reported.reduce((a, m) => a + Number(m[2]), 0), CAP);
    } finally {
        clearInterval(timer);
        for (const c of conns) c.sock.destroy();
        await srv.stop();
    }
});

test('the total cap: over --max-connections a new connection from anywhere gets 503', async () => {
    const srv = await startServer({ env: CHEAP, args: ['--max-connections', '20', '--header-timeout', '120'] });
    const conns = [];
    try {
        for (let i = 0; i < 20; i++) conns.push(rawConn(srv.port));
        await Promise.all(conns.map((c) => c.connected));
        // An answered request on each: the server surely holds all 20 (kept alive).
        for (const c of conns) c.sock.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
        const t = Date.now();
        while (Date.now() - t < 20000 && conns.some((c) => !/\r\n\r\n/.test(c.data))) await sleep(50);
        for (const c of conns) assert.match(c.data, /^HTTP\/1\.1 200 /);
        const extra = rawConn(srv.port, '127.0.0.2');
        await extra.done;
        assert.match(extra.data, /^HTTP\/1\.1 503 /);
        for (const c of conns) c.sock.destroy();
        await sleep(300);
        assert.equal((await getFrom(srv.url, '/healthz', '127.0.0.2')).status, 200, 'served again once they are gone');
    } finally {
        for (const c of conns) c.sock.destroy();
        await srv.stop();
    }
});

test('a body sent too slowly is cut at --body-timeout with 408', async () => {
    const srv = await startServer({ env: CHEAP, args: ['--body-timeout', '2'] });
    try {
        const c = rawConn(srv.port);
        await c.connected;
        const t0 = Date.now();
        c.sock.write('POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{');
        const timer = setInterval(() => !c.closed && c.sock.write(' '), 200);
        await c.done;
        clearInterval(timer);
        assert.match(c.data, /^HTTP\/1\.1 408 /);
        assert.ok(Date.now() - t0 < 15000, `cut at the 2 s deadline, not later (${Date.now() - t0} ms)`);
    } finally {
        await srv.stop();
    }
});

test('limit flags are checked: exit 2 naming the flag', async () => {
    for (const [flag, v] of [['--max-connections', '0'], ['--max-connections-per-address', 'many'], ['--header-timeout', '-1'], ['--body-timeout', '99999']]) {
        const r = await cli(['serve', '--port', '0', flag, v], { db: '/nonexistent/never-opened.db' });
        assert.equal(r.code, 2, r.stderr);
        assert.ok(r.stderr.includes(flag), r.stderr);
    }
});

// --- 8. malformed requests -------------------------------------------------------------------

/** Sends raw bytes; resolves with the first line of the answer. */
async function raw(port, bytes) {
    const c = rawConn(port);
    await c.connected;
    c.sock.end(bytes);
    await c.done;
    return c.data.split('\r\n')[0];
}

test('%00 in the path, no Host in HTTP/1.1, two different Content-Length values: 400', async () => {
    const srv = await startServer({ env: CHEAP });
    try {
        assert.equal(await raw(srv.port, 'GET /healthz%00.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), 'HTTP/1.1 400 Bad Request');
        assert.equal(await raw(srv.port, 'GET /frameworks?q=%00 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), 'HTTP/1.1 400 Bad Request');
        assert.equal(await raw(srv.port, 'GET /healthz%2500 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), 'HTTP/1.1 404 Not Found', 'an encoded % is no NUL');
        assert.equal(await raw(srv.port, 'GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n'), 'HTTP/1.1 400 Bad Request');
        assert.equal(await raw(srv.port, 'GET /healthz HTTP/1.0\r\n\r\n'), 'HTTP/1.1 200 OK', 'HTTP/1.0 needs no Host');
        assert.equal(
            await raw(srv.port, 'POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 5\r\nConnection: close\r\n\r\n{}abc'),
            'HTTP/1.1 400 Bad Request',
        );
        // The same value twice is one length.
        assert.notEqual(
            await raw(srv.port, 'POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}'),
            'HTTP/1.1 400 Bad Request',
        );
    } finally {
        await srv.stop();
    }
});

// --- bytes out -------------------------------------------------------------------------------

/** GET as raw bytes: { status, headers, body (Buffer) }. */
function getBytes(url, { method = 'GET', headers = {} } = {}) {
    const u = new URL(url);
    return new Promise((resolve, reject) => {
        const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers, agent: false, timeout: 60000 }, (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks), complete: res.complete }));
            res.on('error', reject);
        });
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', reject);
        req.end();
    });
}

test('a PNG in static/ is served byte for byte, with its type, ETag and 304', async () => {
    const png = readFileSync(path.join(ROOT, 'static', 'icon.png'));
    assert.ok(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), 'a real PNG');
    const srv = await startServer({ env: CHEAP });
    try {
        const r = await getBytes(srv.url + '/static/icon.png');
        assert.equal(r.status, 200);
        assert.equal(r.headers['content-type'], 'image/png');
        assert.ok(r.body.equals(png), `the same ${png.length} bytes (got ${r.body.length})`);
        assert.equal(r.headers['x-content-type-options'], 'nosniff');
        const again = await getBytes(srv.url + '/static/icon.png', { headers: { 'if-none-match': r.headers.etag } });
        assert.equal(again.status, 304);
        const head = await getBytes(srv.url + '/static/icon.png', { method: 'HEAD' });
        assert.equal(head.status, 200);
        assert.equal(head.body.length, 0);
        // The layout points browsers at it.
        const page = await getBytes(srv.url + '/', { headers: { accept: 'text/html' } });
        assert.match(page.body.toString('utf8'), /<link rel="apple-touch-icon" href="\/static\/icon\.png">/);
    } finally {
        await srv.stop();
    }
});

/** Appends n audit entries straight into the database (SQLite through python3, or psql). */
function bulkAudit(db, n) {
    const sql =
        "INSERT INTO audit_log (at, actor, action, object_type, object_id, after, request_id) " +
        `SELECT '2026-01-01T00:00:00Z', 'cli', 'test.bulk', 'test', 'row-' || x, '{"n":"=' || x || '"}', 'bulk' FROM `;
    if (isPostgresUrl(db)) {
        const r = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', db, '-c', sql + `generate_series(1, ${n}) AS g(x)`], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
        return;
    }
    const py = 'import sqlite3,sys\nc=sqlite3.connect(sys.argv[1])\nc.execute(sys.argv[2])\nc.commit()';
    const r = spawnSync('python3', ['-c', py, db, sql + `(WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < ${n}) SELECT x FROM s)`], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
}

test('the audit CSV export streams page by page: 20,000 entries, BOM and format kept', async () => {
    const N = 20000;
    const d = await dbWithAdmin();
    bulkAudit(d.db, N);
    const srv = await startServer({ db: d.db, env: CHEAP });
    try {
        const admin = await signIn(srv.url, 'admin@example.org');
        const r = await getBytes(srv.url + '/admin/audit.csv?action=test.bulk', { headers: { cookie: admin.cookieHeader() } });
        assert.equal(r.status, 200, r.body.toString('utf8').slice(0, 300));
        assert.equal(r.headers['content-type'], 'text/csv; charset=utf-8');
        assert.equal(r.headers['content-disposition'], 'attachment; filename="ctoframe-audit.csv"');
        assert.equal(r.headers['transfer-encoding'], 'chunked', 'streamed, not built whole first');
        assert.equal(r.headers['content-length'], undefined);
        assert.ok(r.complete, 'the stream ended properly');
        assert.ok(r.body.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])), 'UTF-8 byte order mark');
        const lines = r.body.subarray(3).toString('utf8').split('\r\n');
        assert.equal(lines.pop(), '', 'every line ends with CRLF');
        assert.equal(lines[0], 'id,at,actor,actor_name,org,org_name,action,object_type,object_id,object_name,before,after,request_id');
        assert.equal(lines.length - 1, N, 'every entry, once');
        assert.match(lines[1], /^\d+,"2026-01-01T00:00:00Z","cli",,,,"test\.bulk","test","row-20000",,,"\{""n"":""=20000""\}","bulk"$/);
        const ids = lines.slice(1).map((l) => Number(l.split(',')[0]));
        assert.ok(ids.every((id, i) => i === 0 || id < ids[i - 1]), 'newest first, no repeats across pages');
        // A limit still holds across pages.
        const some = await getBytes(srv.url + '/admin/audit.csv?action=test.bulk&limit=777', { headers: { cookie: admin.cookieHeader() } });
        assert.equal(some.body.toString('utf8').split('\r\n').length - 2, 777);
        // Refusals are still answered before any byte is streamed.
        const anon = await getBytes(srv.url + '/admin/audit.csv', { headers: { accept: 'application/json' } });
        assert.equal(anon.status, 401);
        const bad = await getBytes(srv.url + '/admin/audit.csv?since=yesterday', { headers: { cookie: admin.cookieHeader(), accept: 'application/json' } });
        assert.equal(bad.status, 400);
    } finally {
        await srv.stop();
        await d.drop();
    }
});
