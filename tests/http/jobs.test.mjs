// Background jobs: `ctoframe jobs` (states, counts, retry), `ctoframe tick`, and several
// processes sharing one queue — two `ctoframe tick` and two `ctoframe serve` on one database
// deliver every message exactly once. The database is a temporary SQLite file, or a new
// PostgreSQL database when CTOFRAME_TEST_DB names a cluster (the case that matters for
// several app nodes). Messages are made the way the application makes them (invitations
// of `ctoframe user add`), and delivered to a small fake SMTP server on port 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer } from './helper.mjs';
import { CHEAP, ownDb, cli, cliOk, addOrg, addUser, outbox } from './authhelp.mjs';

const SANITIZER_RE = /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:/;

/** cli() that must exit with code; resolves with the result. */
async function cliExit(code, args, opts) {
    const r = await cli(args, opts);
    assert.equal(r.code, code, `ctoframe ${r.args.join(' ')}: exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
    assert.doesNotMatch(r.stderr, SANITIZER_RE);
    return r;
}

/**
 * A fake SMTP server on 127.0.0.1 (port 0): srv.messages gets { to, data } per accepted
 * message; srv.fail = { at: 'RCPT', code: 550 } refuses that step; srv.delayMs slows each
 * "queued" answer so that senders overlap.
 */
async function fakeSmtp() {
    const srv = { messages: [], fail: null, delayMs: 0, sockets: new Set() };
    const server = net.createServer((sock) => {
        srv.sockets.add(sock);
        sock.on('close', () => srv.sockets.delete(sock));
        sock.on('error', () => {});
        let buf = '';
        let inData = false;
        let lines = [];
        let to = [];
        sock.setEncoding('utf8');
        sock.write('220 fake.test ESMTP\r\n');
        sock.on('data', (chunk) => {
            buf += chunk;
            let i;
            while ((i = buf.indexOf('\r\n')) >= 0) {
                const line = buf.slice(0, i);
                buf = buf.slice(i + 2);
                if (inData) {
                    if (line === '.') {
                        inData = false;
                        srv.messages.push({ to, data: lines.join('\r\n') });
                        lines = [];
                        to = [];
                        const ok = () => sock.write('250 queued\r\n');
                        // unref: a reply held back must not keep this test process alive.
                        if (srv.delayMs) setTimeout(ok, srv.delayMs).unref();
                        else ok();
                    } else lines.push(line);
                    continue;
                }
                const verb = line.split(/[ :]/)[0].toUpperCase();
                if (srv.fail && srv.fail.at === verb) sock.write(`${srv.fail.code} simulated refusal\r\n`);
                else if (verb === 'EHLO') sock.write('250-fake.test\r\n250 8BITMIME\r\n');
                else if (verb === 'RCPT') {
                    to.push(line.slice(8).replace(/[<>]/g, ''));
                    sock.write('250 ok\r\n');
                } else if (verb === 'DATA') {
                    inData = true;
                    sock.write('354 go ahead\r\n');
                } else if (verb === 'QUIT') {
                    sock.write('221 bye\r\n');
                    sock.end();
                } else sock.write('250 ok\r\n');
            }
        });
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    srv.url = `smtp://127.0.0.1:${server.address().port}`;
    srv.close = () =>
        new Promise((resolve) => {
            for (const s of srv.sockets) s.destroy();
            server.close(resolve);
        });
    return srv;
}

/** A database with the certification body and n invited people (n invitations queued). */
async function withInvitations(n) {
    const d = await ownDb();
    await addOrg(d.db, 'Body', 'body');
    const emails = [];
    for (let i = 0; i < n; i++) {
        const email = `p${i}@example.org`;
        await addUser(d.db, email, { role: 'program_admin', org: 'Body', password: null, env: { CTOFRAME_PUBLIC_URL: 'http://jobs.test' } });
        emails.push(email);
    }
    return { ...d, emails };
}

const jobsJson = async (db, extra = []) => JSON.parse(await cliOk(['jobs', '--json', ...extra], { db }));

test('jobs: each queued message has a job; tick delivers with --smtp; jobs shows the states', async () => {
    const d = await withInvitations(3);
    const smtp = await fakeSmtp();
    try {
        let r = await cliExit(0, ['jobs'], { db: d.db });
        assert.match(r.stdout, /^queued 3, running 0, done 0, dead 0, cancelled 0$/m);
        assert.match(r.stdout, /^\s+\d+\s+outbox\.deliver\s+queued\s+0\/6\s+\S+\s+outbox:\d+$/m);
        let j = await jobsJson(d.db);
        assert.deepEqual(j.counts, { queued: 3, running: 0, done: 0, dead: 0, cancelled: 0 });
        assert.deepEqual(j.kinds, [{ kind: 'outbox.deliver', state: 'queued', n: 3 }]);
        assert.equal(j.jobs.length, 3);

        // Without SMTP settings the tick runs, but nothing can deliver mail: all stay queued.
        r = await cliExit(0, ['tick'], { db: d.db });
        assert.match(r.stderr, /tick: 0 expired lease\(s\) queued again, 0 job\(s\) queued/);
        assert.equal((await jobsJson(d.db)).counts.queued, 3);

        r = await cliExit(0, ['tick', '--smtp', smtp.url, '--json'], { db: d.db });
        assert.equal(JSON.parse(r.stdout).jobs.done, 3, r.stderr);
        assert.deepEqual(smtp.messages.map((m) => m.to[0]).sort(), d.emails);
        j = await jobsJson(d.db);
        assert.deepEqual(j.counts, { queued: 0, running: 0, done: 3, dead: 0, cancelled: 0 });
        for (const m of await outbox(d.db)) assert.deepEqual([m.status, m.attempts], ['sent', 1]);

        // Filters.
        assert.equal((await jobsJson(d.db, ['--status', 'queued'])).jobs.length, 0);
        assert.equal((await jobsJson(d.db, ['--status', 'done', '--kind', 'outbox.deliver'])).jobs.length, 3);
    } finally {
        await smtp.close();
        await d.drop();
    }
});

test('jobs retry: a dead delivery job runs again and its message is pending again', async () => {
    const d = await withInvitations(1);
    const smtp = await fakeSmtp();
    smtp.fail = { at: 'RCPT', code: 550 };
    try {
        await cliExit(0, ['tick', '--smtp', smtp.url], { db: d.db });
        let j = await jobsJson(d.db, ['--status', 'dead']);
        assert.equal(j.jobs.length, 1);
        const id = j.jobs[0].id;
        assert.match(j.jobs[0].last_error, /550/);
        let r = await cliExit(0, ['jobs', '--status', 'dead'], { db: d.db });
        assert.match(r.stdout, /last error: .*550/);
        let [m] = await outbox(d.db);
        assert.deepEqual([m.status, m.attempts], ['failed', 1]);

        r = await cliExit(0, ['jobs', 'retry', String(id)], { db: d.db });
        assert.match(r.stderr, new RegExp(`job #${id} \\(outbox.deliver\\) is queued again`));
        [m] = await outbox(d.db);
        assert.deepEqual([m.status, m.attempts], ['pending', 0]);
        r = await cliExit(1, ['jobs', 'retry', String(id)], { db: d.db });
        assert.match(r.stderr, /only a dead or cancelled job can be run again/);
        r = await cliExit(1, ['jobs', 'retry', '99999'], { db: d.db });
        assert.match(r.stderr, /no job #99999/);

        smtp.fail = null;
        await cliExit(0, ['tick', '--smtp', smtp.url], { db: d.db });
        [m] = await outbox(d.db);
        assert.deepEqual([m.status, m.attempts], ['sent', 1]);
        assert.equal(smtp.messages.length, 1);

        // Usage errors name what is wrong and exit 2.
        for (const args of [
            ['jobs', 'retry', 'x1'],
            ['jobs', 'retry'],
            ['jobs', '--status', 'bogus'],
            ['jobs', '--kind', 'no.such'],
            ['jobs', 'frobnicate'],
            ['tick', 'now'],
            ['tick', '--from', 'a@example.org'],
            ['tick', '--smtp', 'http://127.0.0.1:1'],
        ]) {
            r = await cliExit(2, args, { db: d.db });
            assert.match(r.stderr, /^ctoframe: /m, args.join(' '));
        }
    } finally {
        await smtp.close();
        await d.drop();
    }
});

/** Asserts every address got exactly one message and every message is sent once. */
async function assertOnceEach(d, smtp, what) {
    const got = smtp.messages.map((m) => m.to[0]).sort();
    assert.deepEqual(got, [...d.emails].sort(), `${what}: every message once, none twice`);
    for (const m of await outbox(d.db)) assert.deepEqual([m.status, m.attempts], ['sent', 1], what);
    const j = await jobsJson(d.db);
    assert.equal(j.counts.done, d.emails.length);
}

test('two tick processes on one database deliver each message exactly once', async () => {
    const d = await withInvitations(24);
    const smtp = await fakeSmtp();
    smtp.delayMs = 15; // a slow server: the two senders overlap
    try {
        const [a, b] = await Promise.all([
            cliExit(0, ['tick', '--smtp', smtp.url, '--json'], { db: d.db }),
            cliExit(0, ['tick', '--smtp', smtp.url, '--json'], { db: d.db }),
        ]);
        const done = JSON.parse(a.stdout).jobs.done + JSON.parse(b.stdout).jobs.done;
        assert.equal(done, d.emails.length, `${a.stderr}\n${b.stderr}`);
        await assertOnceEach(d, smtp, 'two ticks');
    } finally {
        await smtp.close();
        await d.drop();
    }
});

test('two serve processes on one database deliver each message exactly once', async () => {
    const d = await ownDb();
    const smtp = await fakeSmtp();
    smtp.delayMs = 15;
    const servers = [];
    try {
        await addOrg(d.db, 'Body', 'body');
        for (let i = 0; i < 2; i++) {
            servers.push(
                await startServer({ db: d.db, args: ['--no-load', '--smtp', smtp.url], env: CHEAP }),
            );
        }
        // Messages queued while both run (with their jobs, as the application queues them).
        d.emails = [];
        for (let i = 0; i < 16; i++) {
            const email = `s${i}@example.org`;
            await addUser(d.db, email, { role: 'program_admin', org: 'Body', password: null, env: { CTOFRAME_PUBLIC_URL: 'http://jobs.test' } });
            d.emails.push(email);
        }
        const t0 = Date.now();
        while (smtp.messages.length < d.emails.length && Date.now() - t0 < 30000) {
            await new Promise((r) => setTimeout(r, 100));
        }
        // A little longer: a second delivery of any message would show up now.
        await new Promise((r) => setTimeout(r, 2500));
        for (const s of servers.splice(0)) assert.equal(await s.stop(), 0);
        await assertOnceEach(d, smtp, 'two servers');
    } finally {
        for (const s of servers) await s.stop().catch(() => {});
        await smtp.close();
        await d.drop();
    }
});

test('serve stopping while a message is on the wire: after 5 s it gives the job back, uncounted', async () => {
    const d = await ownDb();
    const smtp = await fakeSmtp();
    smtp.delayMs = 10 * 60 * 1000; // the server never confirms the message
    let srv;
    try {
        await addOrg(d.db, 'Body', 'body');
        srv = await startServer({ db: d.db, args: ['--no-load', '--smtp', smtp.url], env: CHEAP });
        await addUser(d.db, 'w@example.org', { role: 'program_admin', org: 'Body', password: null });
        const t0 = Date.now();
        while (smtp.messages.length === 0 && Date.now() - t0 < 20000) await new Promise((r) => setTimeout(r, 100));
        assert.equal(smtp.messages.length, 1, `the message never reached the server\n${srv.stderr()}`);
        assert.equal((await jobsJson(d.db)).counts.running, 1);

        const t1 = Date.now();
        assert.equal(await srv.stop(), 0);
        const took = Date.now() - t1;
        assert.ok(took >= 4000 && took < 14000, `stop took ${took} ms (5 s of grace expected)`);
        assert.match(srv.stderr(), /mail: #\d+ to w@example.org: stopped while sending; it stays pending/);
        srv = null;

        const j = await jobsJson(d.db);
        assert.deepEqual(j.counts, { queued: 1, running: 0, done: 0, dead: 0, cancelled: 0 });
        assert.equal(j.jobs[0].attempts, 0, 'the abandoned attempt is not counted');
        const [m] = await outbox(d.db);
        assert.deepEqual([m.status, m.attempts], ['pending', 0]);
    } finally {
        if (srv) await srv.stop().catch(() => {});
        await smtp.close();
        await d.drop();
    }
});
