// The outbox: `ctoframe outbox` (list, show, send) against temporary SQLite files, and
// delivery over SMTP to a small fake SMTP server run by this file (node's net module,
// port 0). Rows are inserted with python3's sqlite3 module after `ctoframe migrate`.
// The binary is serverBinary() (CTOFRAME_BIN), so the sanitizer build is tested too.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serverBinary, startServer, ROOT } from './helper.mjs';
import { CHEAP, signIn, addUser } from './authhelp.mjs';

const BIN = serverBinary();
const T0 = '2026-01-01T00:00:00Z';
const PAST = '2025-12-31T23:00:00Z';

// --- running the program ----------------------------------------------------------------

/** Runs ctoframe and resolves with { code, signal, stdout, stderr } (never rejects). */
function run(args, { env = {}, input } = {}) {
    return new Promise((resolve) => {
        const child = execFile(
            BIN,
            args,
            {
                cwd: ROOT,
                env: { ...process.env, CTOFRAME_DB: '', CTOFRAME_SMTP_USER: '', CTOFRAME_SMTP_PASSWORD: '', ...env },
                timeout: 30000,
            },
            (err, stdout, stderr) => {
                resolve({
                    code: err ? (typeof err.code === 'number' ? err.code : null) : 0,
                    signal: err?.signal || null,
                    stdout,
                    stderr,
                });
            },
        );
        // A child that exits without reading its stdin makes this write fail with EPIPE;
        // its exit status tells what happened.
        child.stdin.on('error', () => {});
        child.stdin.end(input);
    });
}

const show = (r) => `exit ${r.code}${r.signal ? ' signal ' + r.signal : ''}\nstdout:\n${r.stdout.slice(0, 3000)}\nstderr:\n${r.stderr.slice(0, 3000)}`;

function assertExit(r, code, what) {
    assert.equal(r.code, code, `${what}: ${show(r)}`);
    assert.doesNotMatch(r.stderr, /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:/, `${what}: sanitizer`);
}

/** Runs a python3 script with sqlite3 on db; input is passed as JSON on stdin, output parsed. */
function py(script, db, input) {
    return new Promise((resolve, reject) => {
        const child = execFile('python3', ['-c', script, db], { timeout: 30000 }, (err, stdout, stderr) => {
            if (err) reject(new Error(`python3: ${err.message}\n${stderr}`));
            else resolve(JSON.parse(stdout));
        });
        // A child that exits without reading its stdin makes this write fail with EPIPE;
        // its exit status tells what happened.
        child.stdin.on('error', () => {});
        child.stdin.end(JSON.stringify(input));
    });
}

const INSERT = `
import json, sqlite3, sys
rows = json.load(sys.stdin)
c = sqlite3.connect(sys.argv[1])
ids = []
for r in rows:
    cur = c.execute(
        "INSERT INTO outbox (kind, to_addr, subject, body, status, attempts, next_attempt_at,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (r.get("kind", "invite"), r["to"], r["subject"], r["body"], r.get("status", "pending"),
         r.get("attempts", 0), r.get("next", "${PAST}"), r.get("created", "${PAST}")))
    ids.append(cur.lastrowid)
c.commit()
print(json.dumps(ids))
`;

// --- databases ----------------------------------------------------------------------------

const temps = [];
after(() => {
    for (const d of temps) rmSync(d, { recursive: true, force: true });
});

/** A new migrated SQLite database; resolves with its path. */
async function freshDb() {
    const d = mkdtempSync(path.join(tmpdir(), 'ctoframe-outbox-'));
    temps.push(d);
    const db = path.join(d, 'ctoframe.db');
    assertExit(await run(['migrate', '--db', db]), 0, 'migrate');
    return db;
}

/** Inserts messages ({to, subject, body, next?, attempts?, ...}); resolves with their ids. */
const insert = (db, rows) => py(INSERT, db, rows);

/** The outbox rows by id, read through `ctoframe outbox --json`. */
async function rows(db, env = {}) {
    const r = await run(['outbox', '--json', '--db', db], { env });
    assertExit(r, 0, 'outbox --json');
    return new Map(JSON.parse(r.stdout).map((m) => [m.id, m]));
}

function send(db, port, { now = T0, from, extra = [] } = {}) {
    const args = ['outbox', 'send', '--smtp', `smtp://127.0.0.1:${port}`, '--db', db, ...extra];
    if (from) args.push('--from', from);
    return run(args, { env: { CTOFRAME_NOW: now } });
}

// --- a fake SMTP server -------------------------------------------------------------------

/**
 * Listens on 127.0.0.1 (port 0). Every message accepted is pushed to srv.messages as
 * { from, to: [...], data } with data dot-unstuffed and without the final ".".
 * srv.fail = { at: 'MAIL' | 'RCPT' | 'DATA' | 'END', code: 451 } makes that step fail.
 * srv.commands lists every command line received. srv.delayMs delays each "queued" answer
 * (a slow server, so that senders overlap).
 */
async function fakeSmtp() {
    const srv = { messages: [], commands: [], fail: null, sockets: new Set() };
    const refuse = (at) => (srv.fail && srv.fail.at === at ? `${srv.fail.code} simulated failure at ${at}\r\n` : null);
    const server = net.createServer((sock) => {
        srv.sockets.add(sock);
        sock.on('close', () => srv.sockets.delete(sock));
        sock.on('error', () => {});
        let buf = '';
        let inData = false;
        let lines = [];
        let cur = { from: null, to: [] };
        sock.setEncoding('utf8');
        sock.write('220 fake.test ESMTP ready\r\n');
        sock.on('data', (chunk) => {
            buf += chunk;
            let i;
            while ((i = buf.indexOf('\r\n')) >= 0) {
                const line = buf.slice(0, i);
                buf = buf.slice(i + 2);
                if (inData) {
                    if (line === '.') {
                        inData = false;
                        const no = refuse('END');
                        if (no) sock.write(no);
                        else {
                            srv.messages.push({ ...cur, data: lines.join('\r\n') + '\r\n' });
                            const ok = () => sock.write('250 2.0.0 queued\r\n');
                            if (srv.delayMs) setTimeout(ok, srv.delayMs);
                            else ok();
                        }
                        cur = { from: null, to: [] };
                        lines = [];
                    } else lines.push(line.startsWith('.') ? line.slice(1) : line);
                    continue;
                }
                srv.commands.push(line);
                const verb = line.split(/[ :]/)[0].toUpperCase();
                if (verb === 'EHLO') sock.write('250-fake.test\r\n250-8BITMIME\r\n250 SIZE 10000000\r\n');
                else if (verb === 'HELO') sock.write('250 fake.test\r\n');
                else if (verb === 'MAIL') {
                    const no = refuse('MAIL');
                    if (no) sock.write(no);
                    else {
                        cur = { from: line.slice(10), to: [] };
                        sock.write('250 2.1.0 ok\r\n');
                    }
                } else if (verb === 'RCPT') {
                    const no = refuse('RCPT');
                    if (no) sock.write(no);
                    else {
                        cur.to.push(line.slice(8));
                        sock.write('250 2.1.5 ok\r\n');
                    }
                } else if (verb === 'DATA') {
                    const no = refuse('DATA');
                    if (no) sock.write(no);
                    else {
                        inData = true;
                        sock.write('354 go ahead\r\n');
                    }
                } else if (verb === 'RSET' || verb === 'NOOP') sock.write('250 ok\r\n');
                else if (verb === 'QUIT') {
                    sock.write('221 bye\r\n');
                    sock.end();
                } else sock.write('500 unknown command\r\n');
            }
        });
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    srv.port = server.address().port;
    srv.close = () =>
        new Promise((resolve) => {
            for (const s of srv.sockets) s.destroy();
            server.close(resolve);
        });
    return srv;
}

/** Splits a message into { headers: Map(lower-case name → unfolded value), body }. */
function parseMessage(data) {
    const end = data.indexOf('\r\n\r\n');
    assert.ok(end > 0, `no blank line after the headers:\n${data}`);
    const headers = new Map();
    const unfolded = data.slice(0, end).replace(/\r\n(?=[ \t])/g, '');
    for (const line of unfolded.split('\r\n')) {
        const c = line.indexOf(':');
        headers.set(line.slice(0, c).toLowerCase(), line.slice(c + 1).trim());
    }
    return { headers, body: data.slice(end + 4) };
}

/** Decodes RFC 2047 base64 UTF-8 encoded-words (whitespace between words dropped). */
function decodeWords(s) {
    if (!s.includes('=?')) return s;
    const parts = [...s.matchAll(/=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=/gi)].map((m) => Buffer.from(m[1], 'base64'));
    assert.equal(s.replace(/=\?UTF-8\?B\?[A-Za-z0-9+/=]*\?=/gi, '').trim(), '', `only encoded-words: ${s}`);
    return Buffer.concat(parts).toString('utf8');
}

// --- tests --------------------------------------------------------------------------------

test('send: due messages reach the SMTP server with the right envelope, headers and body', async () => {
    const db = await freshDb();
    const smtp = await fakeSmtp();
    try {
        const subject = 'Einladung für Zoë — ctoframe: a long subject to make more than one encoded word';
        const body = 'Hello Zoë,\n\n.a line that starts with a dot\nhttps://cto.example.org/invite/abc123\n';
        const [a, b, later] = await insert(db, [
            { to: 'zoe@example.org', subject, body },
            { to: 'sam@example.org', subject: 'Reset your password', body: 'Line 1\r\nLine 2' },
            { to: 'later@example.org', subject: 'Not yet', body: 'x', next: '2026-01-01T00:00:01Z' },
        ]);

        const r = await send(db, smtp.port, { from: 'CTO Framework <noreply@example.org>' });
        assertExit(r, 0, 'outbox send');
        assert.match(r.stderr, new RegExp(`mail: sent #${a} to zoe@example.org`));
        assert.match(r.stderr, new RegExp(`mail: sent #${b} to sam@example.org`));
        assert.match(r.stderr, /2 sent, 0 failed/);

        assert.equal(smtp.messages.length, 2, smtp.commands.join('\n'));
        const [m1, m2] = smtp.messages;
        assert.equal(m1.from.replace(/ SIZE=\d+$/, ''), '<noreply@example.org>');
        assert.deepEqual(m1.to, ['<zoe@example.org>']);
        assert.deepEqual(m2.to, ['<sam@example.org>']);

        const p1 = parseMessage(m1.data);
        assert.equal(p1.headers.get('from'), 'CTO Framework <noreply@example.org>');
        assert.equal(p1.headers.get('to'), 'zoe@example.org');
        assert.equal(decodeWords(p1.headers.get('subject')), subject);
        assert.equal(p1.headers.get('date'), 'Thu, 01 Jan 2026 00:00:00 +0000');
        assert.equal(p1.headers.get('message-id'), `<outbox-${a}@example.org>`);
        assert.equal(p1.headers.get('mime-version'), '1.0');
        assert.equal(p1.headers.get('content-type'), 'text/plain; charset=utf-8');
        assert.equal(p1.headers.get('content-transfer-encoding'), '8bit');
        assert.equal(p1.body, body.replace(/\n/g, '\r\n'));
        for (const line of m1.data.split('\r\n')) assert.ok(Buffer.byteLength(line) <= 998);

        const p2 = parseMessage(m2.data);
        assert.equal(p2.headers.get('subject'), 'Reset your password');
        assert.equal(p2.body, 'Line 1\r\nLine 2\r\n');

        const after = await rows(db);
        for (const id of [a, b]) {
            assert.equal(after.get(id).status, 'sent');
            assert.equal(after.get(id).attempts, 1);
            assert.equal(after.get(id).sent_at, T0);
            assert.equal(after.get(id).last_error, null);
        }
        assert.equal(after.get(later).status, 'pending');
        assert.equal(after.get(later).attempts, 0);

        // A second run has nothing to do; a sent message is never sent again.
        const again = await send(db, smtp.port);
        assertExit(again, 0, 'second send');
        assert.match(again.stderr, /no messages due/);
        assert.equal(smtp.messages.length, 2);

        const sentOnly = await run(['outbox', '--status', 'sent', '--json', '--db', db]);
        assertExit(sentOnly, 0, 'outbox --status sent');
        assert.deepEqual(JSON.parse(sentOnly.stdout).map((m) => m.id), [b, a]);
    } finally {
        await smtp.close();
    }
});

test('send: two senders on one database deliver each message exactly once', async () => {
    const db = await freshDb();
    const smtp = await fakeSmtp();
    smtp.delayMs = 15;
    try {
        const want = Array.from({ length: 30 }, (_, i) => `m${i}@example.org`);
        const ids = await insert(db, want.map((to) => ({ to, subject: `For ${to}`, body: 'x' })));
        const [r1, r2] = await Promise.all([send(db, smtp.port), send(db, smtp.port)]);
        assertExit(r1, 0, 'first sender');
        assertExit(r2, 0, 'second sender');
        const got = smtp.messages.map((m) => m.to[0].replace(/[<>]/g, '')).sort();
        assert.deepEqual(got, [...want].sort(), 'every message once, none twice');
        const sent1 = Number((/(\d+) sent/.exec(r1.stderr) || [0, 0])[1]);
        const sent2 = Number((/(\d+) sent/.exec(r2.stderr) || [0, 0])[1]);
        assert.equal(sent1 + sent2, want.length, `${r1.stderr}\n${r2.stderr}`);
        const after = await rows(db);
        for (const id of ids) {
            assert.equal(after.get(id).status, 'sent');
            assert.equal(after.get(id).attempts, 1);
        }
    } finally {
        await smtp.close();
    }
});

test('send: a refusing server reschedules with backoff, and the 6th failure is final', async () => {
    const db = await freshDb();
    const smtp = await fakeSmtp();
    smtp.fail = { at: 'RCPT', code: 451 };
    try {
        const [id] = await insert(db, [{ to: 'ann@example.org', subject: 'Hi', body: 'b' }]);
        // Each attempt at the time the previous one scheduled: 1 min, 5 min, 30 min, 2 h, 12 h.
        const schedule = [
            ['2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z'],
            ['2026-01-01T00:01:00Z', '2026-01-01T00:06:00Z'],
            ['2026-01-01T00:06:00Z', '2026-01-01T00:36:00Z'],
            ['2026-01-01T00:36:00Z', '2026-01-01T02:36:00Z'],
            ['2026-01-01T02:36:00Z', '2026-01-01T14:36:00Z'],
        ];
        for (const [i, [now, next]] of schedule.entries()) {
            const r = await send(db, smtp.port, { now });
            assertExit(r, 1, `attempt ${i + 1}`);
            assert.match(r.stderr, new RegExp(`mail: #${id} to ann@example.org failed \\(attempt ${i + 1}\\): .*451.*; next try at ${next}`));
            const m = (await rows(db)).get(id);
            assert.equal(m.status, 'pending');
            assert.equal(m.attempts, i + 1);
            assert.equal(m.next_attempt_at, next);
            assert.match(m.last_error, /451/);

            if (i === 0) {
                // Not due again before its time.
                const early = await send(db, smtp.port, { now: '2026-01-01T00:00:59Z' });
                assertExit(early, 0, 'send before the next attempt is due');
                assert.match(early.stderr, /no messages due/);
                assert.equal((await rows(db)).get(id).attempts, 1);
            }
        }
        const last = await send(db, smtp.port, { now: '2026-01-01T14:36:00Z' });
        assertExit(last, 1, 'attempt 6');
        assert.match(last.stderr, /failed \(attempt 6\): .*giving up/);
        const m = (await rows(db)).get(id);
        assert.equal(m.status, 'failed');
        assert.equal(m.attempts, 6);
        assert.match(m.last_error, /451/);
        assert.equal(smtp.messages.length, 0);

        // A failed message is not tried again.
        const later = await send(db, smtp.port, { now: '2027-01-01T00:00:00Z' });
        assertExit(later, 0, 'send after giving up');
        assert.equal((await rows(db)).get(id).attempts, 6);

        const table = await run(['outbox', '--db', db]);
        assertExit(table, 0, 'outbox');
        assert.match(table.stdout, /failed/);
        assert.match(table.stdout, /last error: .*451/);
    } finally {
        await smtp.close();
    }
});

test('send: a message refused for now after DATA stays pending for the next attempt', async () => {
    const db = await freshDb();
    const smtp = await fakeSmtp();
    smtp.fail = { at: 'END', code: 452 };
    try {
        const [id] = await insert(db, [{ to: 'bo@example.org', subject: 'Hi', body: 'b' }]);
        const r = await send(db, smtp.port);
        assertExit(r, 1, 'send');
        const m = (await rows(db)).get(id);
        assert.equal(m.status, 'pending');
        assert.equal(m.attempts, 1);
        assert.equal(m.next_attempt_at, '2026-01-01T00:01:00Z');
        assert.match(m.last_error, /452/);

        smtp.fail = null;
        const ok = await send(db, smtp.port, { now: '2026-01-01T00:01:00Z' });
        assertExit(ok, 0, 'send again');
        assert.equal(smtp.messages.length, 1);
        const sent = (await rows(db)).get(id);
        assert.equal(sent.status, 'sent');
        assert.equal(sent.attempts, 2);
        assert.equal(sent.last_error, null);
    } finally {
        await smtp.close();
    }
});

test('send: a permanent refusal fails at once; retry makes it pending again; login refusals are retried', async () => {
    const db = await freshDb();
    const smtp = await fakeSmtp();
    smtp.fail = { at: 'RCPT', code: 550 };
    try {
        const [id, other] = await insert(db, [
            { to: 'gone@example.org', subject: 'Hi', body: 'b' },
            { to: 'also-gone@example.org', subject: 'Hi', body: 'b' },
        ]);
        let r = await send(db, smtp.port);
        assertExit(r, 1, 'send');
        let m = (await rows(db)).get(id);
        assert.equal(m.status, 'failed', '550: no second try: ' + m.last_error);
        assert.equal(m.attempts, 1);
        assert.match(m.last_error, /550/);

        // Retrying a message that is not failed, or one that does not exist, is refused.
        smtp.fail = null;
        const pending = await insert(db, [{ to: 'p@example.org', subject: 'Pending', body: 'b', next: '2027-01-01T00:00:00Z' }]);
        r = await run(['outbox', 'retry', String(pending[0]), '--db', db]);
        assertExit(r, 1, 'retry of a pending message');
        assert.match(r.stderr, /only a failed message can be sent again/);
        r = await run(['outbox', 'retry', '99999', '--db', db]);
        assertExit(r, 1, 'retry of no message');
        assert.match(r.stderr, /no message #99999/);
        r = await run(['outbox', 'retry', 'x1', '--db', db]);
        assertExit(r, 2, 'retry of a bad id');

        r = await run(['outbox', 'retry', String(id), '--db', db], { env: { CTOFRAME_NOW: '2026-01-01T00:05:00Z' } });
        assertExit(r, 0, 'retry ID');
        assert.match(r.stderr, new RegExp(`message #${id} to gone@example.org is pending again`));
        m = (await rows(db)).get(id);
        assert.deepEqual([m.status, m.attempts, m.next_attempt_at], ['pending', 0, '2026-01-01T00:05:00Z']);
        assert.equal((await rows(db)).get(other).status, 'failed', 'the other one stays failed');
        r = await run(['outbox', 'retry', '--status', 'failed', '--db', db], { env: { CTOFRAME_NOW: '2026-01-01T00:05:00Z' } });
        assertExit(r, 0, 'retry --status failed');
        assert.match(r.stderr, /1 failed message\(s\) pending again/);

        r = await send(db, smtp.port, { now: '2026-01-01T00:06:00Z' });
        assertExit(r, 0, 'send after retry');
        assert.equal((await rows(db)).get(id).status, 'sent');
        assert.equal((await rows(db)).get(other).status, 'sent');

        // "530 authentication required" is the operator's settings, not the message: retried.
        smtp.fail = { at: 'MAIL', code: 530 };
        const [later] = await insert(db, [{ to: 'later@example.org', subject: 'Hi', body: 'b' }]);
        r = await send(db, smtp.port);
        assertExit(r, 1, 'send with a login refusal');
        m = (await rows(db)).get(later);
        assert.equal(m.status, 'pending');
        assert.match(m.last_error, /530/);
    } finally {
        await smtp.close();
    }
});

test('retry --status failed leaves out the messages that cannot be sent again', async () => {
    const db = await freshDb();
    const [cancelled, erased, failed] = await insert(db, [
        { to: 'old@example.org', subject: 'Your invitation', body: 'b', status: 'failed' },
        { to: '[erased]', subject: '[erased]', body: '[erased]', status: 'failed' },
        { to: 'again@example.org', subject: 'Hi', body: 'b', status: 'failed' },
    ]);
    // A newer invitation replaced the first one: cancelled on purpose, never to be sent.
    await py(
        `
import json, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("UPDATE outbox SET cancelled_at = ?, last_error = ? WHERE id = ?",
          ("${T0}", "not sent: a newer message replaced it", json.load(sys.stdin)))
c.commit()
print("null")
`,
        db,
        cancelled,
    );
    let m = await rows(db);
    assert.deepEqual(
        [cancelled, erased, failed].map((id) => m.get(id).can_retry),
        [false, false, true],
        'can_retry: only the failed message that may be sent again',
    );

    const r = await run(['outbox', 'retry', '--status', 'failed', '--db', db], { env: { CTOFRAME_NOW: T0 } });
    assertExit(r, 0, 'retry --status failed');
    assert.match(r.stderr, /1 failed message\(s\) pending again/);
    m = await rows(db);
    assert.equal(m.get(failed).status, 'pending');
    assert.equal(m.get(cancelled).status, 'failed', 'the cancelled message stays failed');
    assert.equal(m.get(erased).status, 'failed', 'the message to an erased person stays failed');
});

test('send: with a password, a server without STARTTLS gets nothing (no login in clear)', async () => {
    const db = await freshDb();
    const smtp = await fakeSmtp(); // offers no STARTTLS
    try {
        const [id] = await insert(db, [{ to: 'x@example.org', subject: 'Hi', body: 'b' }]);
        const r = await run(['outbox', 'send', '--smtp', `smtp://127.0.0.1:${smtp.port}`, '--db', db], {
            env: { CTOFRAME_NOW: T0, CTOFRAME_SMTP_USER: 'u', CTOFRAME_SMTP_PASSWORD: 'secret' },
        });
        assertExit(r, 1, 'send with a password to a plain server');
        assert.equal(smtp.messages.length, 0);
        assert.ok(!smtp.commands.some((c) => /^AUTH|^MAIL/i.test(c)), smtp.commands.join('\n'));
        const m = (await rows(db)).get(id);
        assert.equal(m.status, 'pending', 'kept for a later attempt');
        assert.match(m.last_error, /SSL|TLS/i);
    } finally {
        await smtp.close();
    }
});

test('send: a recipient or subject with CR/LF is never sent and is marked failed', async () => {
    const db = await freshDb();
    const smtp = await fakeSmtp();
    try {
        const [badSubject, badTo, good] = await insert(db, [
            { to: 'a@example.org', subject: 'Hello\r\nBcc: victim@example.org', body: 'x' },
            { to: 'b@example.org\nBcc: victim@example.org', subject: 'Hello', body: 'x' },
            { to: 'c@example.org', subject: 'Fine', body: 'x' },
        ]);
        const r = await send(db, smtp.port);
        assertExit(r, 1, 'send');
        assert.match(r.stderr, new RegExp(`mail: #${badSubject} to a@example.org refused: .*line break`));
        // The log line shows the address escaped, never a raw line break.
        assert.match(r.stderr, new RegExp(`mail: #${badTo} to b@example.org\\\\nBcc: victim@example.org refused`));
        assert.match(r.stderr, /1 sent, 2 failed/);

        assert.equal(smtp.messages.length, 1);
        assert.deepEqual(smtp.messages[0].to, ['<c@example.org>']);
        assert.ok(!smtp.commands.some((c) => /victim/.test(c)), smtp.commands.join('\n'));

        const all = await rows(db);
        for (const id of [badSubject, badTo]) {
            assert.equal(all.get(id).status, 'failed');
            assert.equal(all.get(id).attempts, 1);
            assert.match(all.get(id).last_error, /line break/);
        }
        assert.equal(all.get(good).status, 'sent');
    } finally {
        await smtp.close();
    }
});

test('send: an unreachable SMTP server gives exit 1 and leaves the messages pending', async () => {
    const db = await freshDb();
    // A port that was free a moment ago: nothing listens there.
    const probe = net.createServer();
    await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = probe.address().port;
    await new Promise((resolve) => probe.close(resolve));

    const ids = await insert(db, [
        { to: 'a@example.org', subject: 'One', body: 'x' },
        { to: 'b@example.org', subject: 'Two', body: 'y' },
    ]);
    const r = await send(db, port);
    assertExit(r, 1, 'send to a closed port');
    assert.match(r.stderr, /0 sent, 2 failed/);
    const all = await rows(db);
    for (const id of ids) {
        assert.equal(all.get(id).status, 'pending');
        assert.equal(all.get(id).attempts, 1);
        assert.equal(all.get(id).next_attempt_at, '2026-01-01T00:01:00Z');
        assert.match(all.get(id).last_error, /connect/i);
    }
});

test('show ID prints the message in full; list prints a table', async () => {
    const db = await freshDb();
    const body = 'Welcome to ctoframe.\n\nSet your password: https://cto.example.org/invite/tok123\n';
    const [id] = await insert(db, [
        { to: 'new@example.org', subject: 'You are invited', body, created: '2025-12-30T10:00:00Z' },
    ]);

    const r = await run(['outbox', 'show', String(id), '--db', db]);
    assertExit(r, 0, 'outbox show');
    assert.match(r.stdout, /^To: new@example.org$/m);
    assert.match(r.stdout, /^Subject: You are invited$/m);
    assert.match(r.stdout, /^Status: pending/m);
    assert.ok(r.stdout.endsWith('\n\n' + body), r.stdout);

    const j = await run(['outbox', 'show', String(id), '--json', '--db', db]);
    assertExit(j, 0, 'outbox show --json');
    assert.equal(JSON.parse(j.stdout).body, body);

    const list = await run(['outbox', '--db', db]);
    assertExit(list, 0, 'outbox');
    const lines = list.stdout.trimEnd().split('\n');
    assert.match(lines[0], /id\s+created\s+status\s+attempts\s+to\s+subject/);
    assert.match(lines[1], new RegExp(`^\\s*${id}\\s+2025-12-30T10:00:00Z\\s+pending\\s+0\\s+new@example.org\\s+You are invited$`));

    const missing = await run(['outbox', 'show', '999', '--db', db]);
    assertExit(missing, 1, 'outbox show 999');
    assert.match(missing.stderr, /^ctoframe: no message #999/m);

    const bad = await run(['outbox', 'show', 'abc', '--db', db]);
    assertExit(bad, 2, 'outbox show abc');
});

test('an empty outbox; usage errors exit 2', async () => {
    const db = await freshDb();
    const r = await run(['outbox', '--db', db]);
    assertExit(r, 0, 'outbox');
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /outbox is empty/);

    const j = await run(['outbox', '--json', '--db', db]);
    assertExit(j, 0, 'outbox --json');
    assert.deepEqual(JSON.parse(j.stdout), []);

    for (const args of [
        ['outbox', '--status', 'bogus'],
        ['outbox', 'send'],
        ['outbox', 'send', '--smtp', 'http://127.0.0.1:1'],
        ['outbox', 'send', '--smtp', 'smtp://127.0.0.1:1', '--from', 'not an address'],
        ['outbox', 'show'],
        ['outbox', 'frobnicate'],
        ['outbox', '--smtp', 'smtp://127.0.0.1:1'],
    ]) {
        const u = await run([...args, '--db', db]);
        assertExit(u, 2, args.join(' '));
        assert.match(u.stderr, /^ctoframe: /m, args.join(' '));
    }
});

// `ctoframe serve --smtp URL --mail-from ADDR` runs the delivery worker. Skipped while the
// binary's serve does not know --smtp.

test('serve --smtp delivers new messages within seconds and stops cleanly', async () => {
    const smtp = await fakeSmtp();
    let srv;
    try {
        // A SQLite file even when CTOFRAME_TEST_DB names PostgreSQL: rows go in with python3.
        const d = mkdtempSync(path.join(tmpdir(), 'ctoframe-outbox-'));
        temps.push(d);
        srv = await startServer({
            db: path.join(d, 'ctoframe.db'),
            args: ['--no-load', '--smtp', `smtp://127.0.0.1:${smtp.port}`, '--mail-from', 'noreply@example.org'],
            // A row inserted by hand has no delivery job yet: the tick gives it one.
            env: { CTOFRAME_QUIET: '1', CTOFRAME_TICK_S: '1' },
        });
        const [id] = await insert(srv.db, [{ to: 'w@example.org', subject: 'From the worker', body: 'hello' }]);
        const t0 = Date.now();
        while (smtp.messages.length === 0 && Date.now() - t0 < 8000) await new Promise((r) => setTimeout(r, 50));
        assert.equal(smtp.messages.length, 1, `not delivered within 8 s\n${srv.stderr()}`);
        assert.deepEqual(smtp.messages[0].to, ['<w@example.org>']);
        assert.equal(parseMessage(smtp.messages[0].data).headers.get('subject'), 'From the worker');
        let m;
        while (Date.now() - t0 < 8000) {
            m = (await rows(srv.db)).get(id);
            if (m.status === 'sent') break;
            await new Promise((r) => setTimeout(r, 50));
        }
        assert.equal(m.status, 'sent');
        assert.match(srv.stderr(), new RegExp(`mail: sent #${id} to w@example.org`));
        const t1 = Date.now();
        assert.equal(await srv.stop(), 0);
        assert.ok(Date.now() - t1 < 5000, `stop took ${Date.now() - t1} ms`);
        srv = null;
    } finally {
        if (srv) await srv.stop().catch(() => {});
        await smtp.close();
    }
});

test('the outbox page sends a failed message again (program admins), audited', async () => {
    const db = await freshDb();
    assertExit(await run(['org', 'add', 'Body', '--kind', 'body', '--db', db], { env: CHEAP }), 0, 'org add');
    await addUser(db, 'pa@example.org', { name: 'Pat Admin', role: 'program_admin', org: 'Body', env: CHEAP });
    const [failed, sent] = await insert(db, [
        { to: 'bounced@example.org', subject: 'Bounced', body: 'b', status: 'failed', attempts: 1 },
        { to: 'fine@example.org', subject: 'Fine', body: 'b', status: 'sent', attempts: 1 },
    ]);
    const srv = await startServer({ db, env: CHEAP });
    try {
        const admin = await signIn(srv.url, 'pa@example.org');
        let r = await admin.get('/admin/outbox?status=failed', { html: true });
        assert.equal(r.status, 200);
        assert.match(r.text, new RegExp(`action="/admin/outbox/${failed}/retry"`), 'a Send again form for the failed one');
        r = await admin.get('/admin/outbox', { html: true });
        assert.doesNotMatch(r.text, new RegExp(`/admin/outbox/${sent}/retry`), 'none for a sent one');

        r = await admin.post(`/admin/outbox/${failed}/retry`, {}, { form: true, html: true });
        assert.equal(r.status, 303, r.text.slice(0, 300));
        assert.equal(r.headers.location, '/admin/outbox?done=retried');
        r = await admin.get(r.headers.location, { html: true });
        assert.match(r.text, /pending again/);
        const m = (await rows(db)).get(failed);
        assert.deepEqual([m.status, m.attempts], ['pending', 0]);

        // Again: it is not failed any more. The page says so; nothing changes.
        r = await admin.post(`/admin/outbox/${failed}/retry`, {}, { form: true, html: true });
        assert.equal(r.status, 409);
        assert.match(r.text, /only a failed message can be sent again/);
        r = await admin.post(`/admin/outbox/${sent}/retry`, {});
        assert.equal(r.status, 409, 'JSON: a sent message');

        const audit = (await admin.get('/admin/audit?action=outbox.retry')).json.entries;
        assert.equal(audit.length, 1);
        assert.equal(audit[0].object_id, String(failed));
        assert.deepEqual(audit[0].changes.map((c) => [c.field, c.before, c.after]), [
            ['status', 'failed', 'pending'],
            ['attempts', '1', '0'],
            ['next_attempt_at', null, audit[0].after.next_attempt_at],
        ]);
    } finally {
        assert.equal(await srv.stop(), 0);
    }
});
