// Credentials (issue 8 point 4): the certificate PDF read back by outside readers
// (pdftotext: name, number, dates; pdftoppm + zbarimg: the QR code is the public address
// + /verify/NUMBER), rendered by the credential.certificate job or on demand; suspend,
// reinstate and revoke with a reason (409 with a sentence when illegal, events and audit);
// the list, the page and the holder's own credentials; `ctoframe credential show --json`
// with CTOFRAME_NOW.
//
// Authorizations to test come from another part of issue 8, built at the same time: the
// fixtures (resultshelp.mjs) insert approved applications and authorizations directly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CHEAP, cli, cliOk, ownDb, withServer } from './authhelp.mjs';
import { ROOT, serverBinary } from './helper.mjs';
import { authorize, candidates, HEADER, importText, loadProgram, sql } from './resultshelp.mjs';

const NOW = { CTOFRAME_NOW: '2026-12-02T10:00:00Z' };

const missing = (...tools) => tools.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);

/** `ctoframe ARGS` with stdout as bytes; resolves { code, stdout (Buffer), stderr }. */
function runBytes(args, env = {}) {
    return new Promise((resolve) => {
        const e = { ...process.env };
        delete e.CTOFRAME_PUBLIC_URL; // only when a test gives it
        Object.assign(e, CHEAP, env);
        execFile(serverBinary(), args, { cwd: ROOT, env: e, encoding: 'buffer', maxBuffer: 64 << 20, timeout: 60000 }, (err, stdout, stderr) =>
            resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr: stderr.toString() }),
        );
    });
}

function tool(cmd, args) {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    return { code: r.status, out: r.stdout || '', err: r.stderr || '' };
}

/** The text of a PDF and what its QR code says. */
function readBack(dir, pdf) {
    const file = path.join(dir, 'c.pdf');
    writeFileSync(file, pdf);
    const text = tool('pdftotext', ['-layout', file, '-']).out;
    tool('pdftoppm', ['-r', '150', '-png', '-singlefile', file, path.join(dir, 'page')]);
    const qr = tool('zbarimg', ['-q', '--raw', path.join(dir, 'page.png')]).out.trim();
    return { text, qr };
}

/** A database with CETL and one credential issued to a candidate; resolves { db, dir, person, number, done }. */
async function issued() {
    const d = await ownDb();
    const dir = mkdtempSync(path.join(tmpdir(), 'ctoframe-cred-'));
    await loadProgram(d.db);
    const [p] = await candidates(d.db, 1, '2026-11-01', '2027-01-30', 'k');
    await sql(d.db, `UPDATE people SET name = 'José Ñandú Øster' WHERE id = '${p.id}';\n`);
    const r = await importText(d.db, dir, `${HEADER}\n${p.elig},A,2026-11-20,650,600,600,600\n`, { env: NOW });
    assert.equal(r.code, 0, r.stderr);
    return {
        db: d.db,
        dir,
        person: p,
        number: 'CETL-2026-000001',
        async done() {
            rmSync(dir, { recursive: true, force: true });
            await d.drop();
        },
    };
}

test('the certificate from the command line: name, number and dates in its text; its QR code is /verify/NUMBER', async (t) => {
    const lack = missing('pdftotext', 'pdftoppm', 'zbarimg');
    if (lack.length) return t.skip(`missing ${lack.join(', ')} (scripts/bootstrap test installs them)`);
    const c = await issued();
    try {
        // Rendered on demand (the job has not run), at the address given.
        const r = await runBytes(['credential', 'certificate', c.number, '--public-url', 'https://registry.example.org', '--db', c.db], NOW);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout.subarray(0, 5).toString('latin1'), '%PDF-');
        const { text, qr } = readBack(c.dir, r.stdout);
        assert.match(text, /José Ñandú Øster/);
        assert.match(text, /CETL-2026-000001/);
        assert.match(text, /2 December 2026/);
        assert.match(text, /2 December 2029/);
        assert.equal(qr, 'https://registry.example.org/verify/CETL-2026-000001');

        // No address known (no server ran, none given): the address `make run` serves, said on stderr.
        const none = await runBytes(['credential', 'certificate', c.number, '--db', c.db], NOW);
        assert.equal(none.code, 0, none.stderr);
        assert.match(none.stderr, /warning: no server has run on this database.*Give --public-url URL/);
        assert.equal(readBack(c.dir, none.stdout).qr, 'http://127.0.0.1:8080/verify/CETL-2026-000001');
        // CTOFRAME_PUBLIC_URL is the address too.
        const env = await runBytes(['credential', 'certificate', c.number, '--db', c.db], { ...NOW, CTOFRAME_PUBLIC_URL: 'https://env.example.org' });
        assert.equal(env.code, 0, env.stderr);
        assert.equal(readBack(c.dir, env.stdout).qr, 'https://env.example.org/verify/CETL-2026-000001');
        // Unknown number: 1; usage: 2.
        assert.equal((await runBytes(['credential', 'certificate', 'CETL-2026-999999', '--public-url', 'https://x.org', '--db', c.db])).code, 1);
        assert.equal((await runBytes(['credential', 'certificate', '--db', c.db])).code, 2);
    } finally {
        await c.done();
    }
});

test('the certificate job renders with the public address the server knows, and the CLI returns the stored PDF', async (t) => {
    const lack = missing('pdftotext', 'pdftoppm', 'zbarimg');
    if (lack.length) return t.skip(`missing ${lack.join(', ')}`);
    await withServer({ world: true, env: { ...NOW, CTOFRAME_TICK_S: '1' }, args: ['--public-url', 'https://cert.example.org'] }, async (ctx) => {
        await ctx.start();
        const dir = mkdtempSync(path.join(tmpdir(), 'ctoframe-cred-'));
        try {
            const leader = ctx.w.people.leader_a;
            await authorize(ctx.db, leader.id, 'E-job-1', '2026-11-01', '2027-01-30');
            const r = await importText(ctx.db, dir, `${HEADER}\nE-job-1,A,2026-11-20,700,700,700,700\n`, { env: NOW });
            assert.equal(r.code, 0, r.stderr);
            // The server's worker runs the job; wait for the stored PDF.
            let stored = '';
            for (let i = 0; i < 100 && stored !== '1'; i++) {
                stored = (await sql(ctx.db, 'SELECT COUNT(*) FROM certificates;\n')).trim();
                if (stored !== '1') await new Promise((res) => setTimeout(res, 200));
            }
            assert.equal(stored, '1', 'the job stored the certificate');
            const job = (await sql(ctx.db, "SELECT state FROM jobs WHERE kind = 'credential.certificate';\n")).trim();
            assert.equal(job, 'done');
            // The CLI hands back the stored one (no address given: the job's is in it).
            const pdf = await runBytes(['credential', 'certificate', 'CETL-2026-000001', '--db', ctx.db], NOW);
            assert.equal(pdf.code, 0, pdf.stderr);
            const { text, qr } = readBack(dir, pdf.stdout);
            assert.match(text, /leader-a person/);
            assert.equal(qr, 'https://cert.example.org/verify/CETL-2026-000001');

            // The holder downloads it from /me/credentials; another leader gets 404.
            const holder = await ctx.signIn(leader.email);
            let h = await holder.get('/me/credentials');
            assert.equal(h.status, 200);
            assert.deepEqual(h.json.credentials.map((x) => x.number), ['CETL-2026-000001']);
            h = await holder.get('/me/credentials', { html: true });
            assert.match(h.text, /href="\/me\/credentials\/CETL-2026-000001\/certificate"/);
            h = await holder.get('/me/credentials/CETL-2026-000001/certificate');
            assert.equal(h.status, 200);
            assert.equal(h.headers['content-type'], 'application/pdf');
            assert.ok(h.text.startsWith('%PDF-'));
            const other = await ctx.signIn(ctx.w.people.leader_b.email);
            h = await other.get('/me/credentials/CETL-2026-000001/certificate');
            assert.equal(h.status, 404);
            h = await other.get('/me/credentials');
            assert.deepEqual(h.json.credentials, []);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});

test('suspend, reinstate and revoke: reasons required, illegal moves 409 with a sentence, events and audit', async () => {
    await withServer({ env: NOW }, async (ctx) => {
        await ctx.start();
        const dir = mkdtempSync(path.join(tmpdir(), 'ctoframe-cred-'));
        try {
            const [p, q] = await candidates(ctx.db, 2, '2026-11-01', '2027-01-30', 's');
            const r = await importText(ctx.db, dir, `${HEADER}\n${p.elig},A,2026-11-20,650,600,600,600\n${q.elig},A,2026-11-20,650,600,600,600\n`, { env: NOW });
            assert.equal(r.code, 0, r.stderr);
            const N = 'CETL-2026-000001';
            const admin = await ctx.signIn(ctx.w.people.program_admin.email);
            const reviewer = await ctx.signIn(ctx.w.people.reviewer.email);

            // The reviewer reads (list, page) but may not act.
            let x = await reviewer.get('/admin/credentials');
            assert.equal(x.status, 200);
            assert.equal(x.json.total, 2);
            x = await reviewer.get(`/admin/credentials/${N}`);
            assert.equal(x.status, 200);
            assert.equal(x.json.can_write, false);
            x = await reviewer.post(`/admin/credentials/${N}/suspend`, { reason: 'No.' });
            assert.equal(x.status, 403);

            // A reason is required: 400 naming the field, nothing changed.
            x = await admin.post(`/admin/credentials/${N}/suspend`, { reason: '  ' });
            assert.equal(x.status, 400);
            assert.equal(x.json.error.field, 'reason');
            x = await admin.get(`/admin/credentials/${N}`);
            assert.equal(x.json.status, 'active');

            // suspend → 200; again → 409 with the module's sentence.
            x = await admin.post(`/admin/credentials/${N}/suspend`, { reason: 'Complaint under review.' });
            assert.equal(x.status, 200, x.text);
            assert.equal(x.json.status, 'suspended');
            x = await admin.post(`/admin/credentials/${N}/suspend`, { reason: 'Again.' });
            assert.equal(x.status, 409);
            assert.match(x.json.error.message, /^[A-Z].*suspended.*\.$/);
            // HTML form: 409 with the message on the credential's page.
            x = await admin.post(`/admin/credentials/${N}/suspend`, { reason: 'Again.' }, { form: true, html: true });
            assert.equal(x.status, 409);
            assert.match(x.text, /already suspended/);
            // reinstate → active (HTML: a redirect with the notice); reinstate again → 409.
            x = await admin.post(`/admin/credentials/${N}/reinstate`, { reason: 'Cleared.' }, { form: true, html: true });
            assert.equal(x.status, 303);
            assert.match(x.headers.location, new RegExp(`/admin/credentials/${N}\\?done=active`));
            x = await admin.post(`/admin/credentials/${N}/reinstate`, { reason: 'Again.' });
            assert.equal(x.status, 409);
            // revoke → final; nothing after it.
            x = await admin.post(`/admin/credentials/${N}/revoke`, { reason: 'Fraud on the application.' });
            assert.equal(x.status, 200);
            for (const a of ['suspend', 'reinstate', 'revoke']) {
                x = await admin.post(`/admin/credentials/${N}/${a}`, { reason: 'Try.' });
                assert.equal(x.status, 409, a);
                assert.match(x.json.error.message, /revoked/i);
            }
            x = await admin.post(`/admin/credentials/${N}/frobnicate`, { reason: 'Try.' });
            assert.equal(x.status, 404);

            // The history and the audit trail.
            x = await admin.get(`/admin/credentials/${N}`);
            assert.deepEqual(x.json.events.map((e) => [e.kind, e.from_status, e.to_status, e.reason]), [
                ['issue', null, 'active', null],
                ['suspend', 'active', 'suspended', 'Complaint under review.'],
                ['reinstate', 'suspended', 'active', 'Cleared.'],
                ['revoke', 'active', 'revoked', 'Fraud on the application.'],
            ]);
            const audit = (await sql(ctx.db, "SELECT action FROM audit_log WHERE object_id = 'CETL-2026-000001' ORDER BY id;\n")).trim();
            assert.equal(audit, 'credential.issue\ncredential.suspend\ncredential.reinstate\ncredential.revoke');

            // The list filters by status in SQL and pages.
            x = await admin.get('/admin/credentials?status=revoked');
            assert.deepEqual(x.json.credentials.map((c) => c.number), [N]);
            x = await admin.get('/admin/credentials?status=active');
            assert.deepEqual(x.json.credentials.map((c) => c.number), ['CETL-2026-000002']);
            x = await admin.get('/admin/credentials?status=bogus');
            assert.equal(x.status, 400);
            x = await admin.get('/admin/credentials?page=2');
            assert.deepEqual(x.json.credentials, []);
            x = await admin.get('/admin/credentials', { html: true });
            assert.match(x.text, /<td data-label="Number"><a href="\/admin\/credentials\/CETL-2026-000002">/);
            x = await admin.get(`/admin/credentials/CETL-2026-000002`, { html: true });
            assert.match(x.text, /<form method="post" action="\/admin\/credentials\/CETL-2026-000002\/suspend"/);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});

test('the command line: show --json with CTOFRAME_NOW, suspend/reinstate/revoke with exit codes', async () => {
    const c = await issued();
    try {
        const show = async (env) => JSON.parse(await cliOk(['credential', 'show', c.number, '--json'], { db: c.db, env }));
        let s = await show(NOW);
        assert.deepEqual([s.status, s.issued_on, s.expires_on], ['active', '2026-12-02', '2029-12-02']);
        for (const k of ['earned', 'counted', 'categories', 'per_category', 'required']) assert.ok(k in s.points, k);
        assert.deepEqual(s.points.per_category, s.points.categories);
        // Time passes: expiring 180 days before, expired after, lapsed after the grace period.
        s = await show({ CTOFRAME_NOW: '2029-07-01T00:00:00Z' });
        assert.equal(s.status, 'expiring');
        s = await show({ CTOFRAME_NOW: '2029-12-03T00:00:00Z' });
        assert.equal(s.status, 'expired');
        s = await show({ CTOFRAME_NOW: '2030-03-03T00:00:00Z' });
        assert.equal(s.status, 'lapsed');

        // Approved CE activities count (inserted directly: the CE part is another helper's).
        const cid = (await sql(c.db, `SELECT id FROM credentials WHERE number = '${c.number}';\n`)).trim();
        await sql(
            c.db,
            `INSERT INTO ce_activities (id, credential_id, category, title, provider, completed_on, quantity, skills, source, status, rules_version, created_at, updated_at) VALUES` +
                ` ('a1', '${cid}', 'pd', 'Webinar', 'X', '2027-01-10', 150, 'I.A', 'holder', 'approved', 1, '2027-01-10T00:00:00Z', '2027-01-10T00:00:00Z'),` +
                ` ('a2', '${cid}', 'certification', 'Cert', 'Y', '2027-02-10', 400, 'I.B', 'holder', 'approved', 1, '2027-02-10T00:00:00Z', '2027-02-10T00:00:00Z'),` +
                ` ('a3', '${cid}', 'pd', 'Pending', 'Z', '2027-03-10', 1000, 'I.A', 'holder', 'pending', 1, '2027-03-10T00:00:00Z', '2027-03-10T00:00:00Z');\n`,
        );
        s = await show(NOW);
        assert.equal(s.points.earned, 17.5);
        assert.equal(s.points.counted, 13.5, 'certification capped at 12');
        assert.deepEqual(s.points.categories.find((x) => x.code === 'pd'), { code: 'pd', earned: 1.5, counted: 1.5 });
        assert.deepEqual(s.points.categories.find((x) => x.code === 'certification'), { code: 'certification', earned: 16, counted: 12 });
        assert.equal(s.points.required, 60);

        let r = await cli(['credential', 'suspend', c.number, '--reason', 'Investigation.'], { db: c.db, env: NOW });
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /CETL-2026-000001 suspended/);
        r = await cli(['credential', 'suspend', c.number, '--reason', 'Again.'], { db: c.db, env: NOW });
        assert.equal(r.code, 1);
        assert.match(r.stderr, /already suspended/);
        r = await cli(['credential', 'revoke', c.number], { db: c.db, env: NOW });
        assert.equal(r.code, 2, 'no --reason is a usage error');
        r = await cli(['credential', 'reinstate', c.number, '--reason', 'Cleared.'], { db: c.db, env: NOW });
        assert.equal(r.code, 0, r.stderr);
        assert.equal((await show(NOW)).status, 'active');
        r = await cli(['credential', 'show', 'CETL-2026-000777', '--json'], { db: c.db });
        assert.equal(r.code, 1);
        assert.match(r.stderr, /There is no credential CETL-2026-000777\./);
        assert.equal((await cli(['credential', 'show'], { db: c.db })).code, 2);
        assert.equal((await cli(['credential', 'bless', c.number], { db: c.db })).code, 2);
    } finally {
        await c.done();
    }
});
