// Exam results import (issue 8 point 3): `ctoframe results import FILE.csv` and the upload
// page /admin/results. A pass issues a credential with the right number and dates; a fail
// records the retake date; every refusal (unknown id, outside the window, a sitting twice
// in the file or already stored, a score outside the scale, a retake too early, too many
// attempts, missing or unknown columns, a date in the future) is reported as
// FILE:LINE:COL: sentence with exit 1 and leaves every table as it was; one bad row among
// 1,000 good ones writes nothing.
//
// Authorizations to test come from another part of issue 8, built at the same time: the
// fixtures (resultshelp.mjs) insert approved applications and authorizations directly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bearerJar, cli, cliOk, ownDb, withServer } from './authhelp.mjs';
import { authorize, candidates, counts, HEADER, importText, loadProgram, sql } from './resultshelp.mjs';

const NOW = { CTOFRAME_NOW: '2026-12-02T10:00:00Z' };

/** A database with the CETL rules and n candidates (window 2026-11-01..2027-01-30). */
async function setup(n = 3, { from = '2026-11-01', to = '2027-01-30' } = {}) {
    const d = await ownDb();
    const dir = mkdtempSync(path.join(tmpdir(), 'ctoframe-results-'));
    await loadProgram(d.db);
    const people = await candidates(d.db, n, from, to, 'r');
    return {
        db: d.db,
        dir,
        people,
        async done() {
            rmSync(dir, { recursive: true, force: true });
            await d.drop();
        },
    };
}

/** The problem lines of stderr: [{file, line, col, message}]. */
function problems(stderr) {
    return stderr
        .split('\n')
        .map((l) => /^(.+?):(\d+):(\d+): (.+)$/.exec(l))
        .filter(Boolean)
        .map((m) => ({ file: m[1], line: Number(m[2]), col: Number(m[3]), message: m[4] }));
}

/** A refused import: exit 1, the expected problems, every table unchanged. */
async function refused(t, text, expect, env = NOW) {
    const before = await counts(t.db);
    const r = await importText(t.db, t.dir, text, { env });
    assert.equal(r.code, 1, `exit 1 expected; stderr:\n${r.stderr}`);
    const got = problems(r.stderr);
    for (const e of expect) {
        const hit = got.find((p) => p.line === e.line && p.col === e.col && e.re.test(p.message));
        assert.ok(hit, `a problem at ${e.line}:${e.col} matching ${e.re}; got:\n${r.stderr}`);
        assert.equal(hit.file, r.file);
        assert.match(hit.message, /^[A-Z].*\.$/, 'one sentence');
    }
    assert.equal(got.length, expect.length, `exactly the expected problems; got:\n${r.stderr}`);
    assert.deepEqual(await counts(t.db), before, 'nothing written');
    return r;
}

test('a pass issues a credential with its number and dates; a fail records the retake date', async () => {
    const t = await setup(3);
    try {
        const [a, b, c] = t.people;
        const before = await counts(t.db);
        const r = await importText(
            t.db,
            t.dir,
            `${HEADER}\n${a.elig},A,2026-11-20,650,640,660,610\n${b.elig},A,2026-11-21,599,600,580,590\n${c.elig},B,2026-11-22,600,600,600,600\n`,
            { env: NOW },
        );
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /results 3: passed 2, failed 1, credentials issued 2/);
        const after = await counts(t.db);
        assert.equal(after.exam_results - before.exam_results, 3);
        assert.equal(after.credentials - before.credentials, 2);
        assert.equal(after.credential_events - before.credential_events, 2);
        assert.equal(after.jobs - before.jobs, 2, 'one certificate job per credential');

        // Numbers in order of the file, per program and year; 3-year term from the day of issue.
        const one = JSON.parse(await cliOk(['credential', 'show', 'CETL-2026-000001', '--json'], { db: t.db, env: NOW }));
        assert.equal(one.holder, a.name);
        assert.equal(one.status, 'active');
        assert.equal(one.issued_on, '2026-12-02');
        assert.equal(one.expires_on, '2029-12-02');
        assert.equal(one.points.required, 60);
        assert.equal(one.points.earned, 0);
        assert.equal(one.points.counted, 0);
        assert.ok(one.points.categories.length > 0);
        for (const cat of one.points.categories) assert.deepEqual([cat.earned, cat.counted], [0, 0]);
        const two = JSON.parse(await cliOk(['credential', 'show', 'CETL-2026-000002', '--json'], { db: t.db, env: NOW }));
        assert.equal(two.holder, c.name, 'exactly the cut passes');

        // The fail: no credential, its retake date 90 days after the sitting; the authorization stays open.
        const row = (await sql(t.db, `SELECT passed, retake_on FROM exam_results WHERE eligibility_id = '${b.elig}';\n`)).trim();
        assert.equal(row, '0|2027-02-19');
        const st = (await sql(t.db, `SELECT eligibility_id, status FROM authorizations ORDER BY eligibility_id;\n`)).trim();
        assert.equal(st, `${a.elig}|used\n${b.elig}|open\n${c.elig}|used`);
        const ev = (await sql(t.db, `SELECT kind, to_status, rules_version FROM credential_events ORDER BY id;\n`)).trim();
        assert.equal(ev, 'issue|active|1\nissue|active|1');
        const audit = (await sql(t.db, `SELECT action FROM audit_log WHERE action LIKE 'credential.%' OR action LIKE 'results.%' ORDER BY id;\n`)).trim();
        assert.equal(audit, 'credential.issue\ncredential.issue\nresults.import');

        // A new year starts a new sequence.
        const [d] = await candidates(t.db, 1, '2026-12-20', '2027-03-20', 'y');
        const r2 = await importText(t.db, t.dir, `${HEADER}\n${d.elig},A,2027-01-04,700,700,700,700\n`, {
            env: { CTOFRAME_NOW: '2027-01-05T09:00:00Z' },
        });
        assert.equal(r2.code, 0, r2.stderr);
        const three = JSON.parse(await cliOk(['credential', 'show', 'CETL-2027-000001', '--json'], { db: t.db, env: NOW }));
        assert.equal(three.holder, d.name);
        assert.equal(three.expires_on, '2030-01-05');
    } finally {
        await t.done();
    }
});

test('every refusal names its line and column, and nothing is written', async () => {
    const t = await setup(4);
    try {
        const [a, b, c] = t.people;
        // unknown id (column 1), outside the window and in the future (taken_on, column 19 after "E-r-000000,A,")
        await refused(t, `${HEADER}\nE-nobody,A,2026-11-20,650,600,600,600\n`, [{ line: 2, col: 1, re: /E-nobody is not known/ }]);
        await refused(t, `${HEADER}\n${a.elig},A,2026-10-31,650,600,600,600\n`, [
            { line: 2, col: 14, re: /outside the authorization to test \(2026-11-01 to 2027-01-30\)/ },
        ]);
        await refused(t, `${HEADER}\n${a.elig},A,2026-12-03,650,600,600,600\n`, [{ line: 2, col: 14, re: /in the future/ }]);
        await refused(t, `${HEADER}\n${a.elig},A,2026-11-3,650,600,600,600\n`, [{ line: 2, col: 14, re: /YYYY-MM-DD/ }]);
        // scores outside the scale: scaled_score (column 25) and the II score (column 33)
        await refused(t, `${HEADER}\n${a.elig},A,2026-11-20,801,600,600,600\n${b.elig},A,2026-11-20,650,600,-1,600\n`, [
            { line: 2, col: 25, re: /scaled_score must be a whole number from 0 to 800/ },
            { line: 3, col: 33, re: /The II score must be a whole number from 0 to 800/ },
        ]);
        // the same sitting twice in the file
        await refused(t, `${HEADER}\n${a.elig},A,2026-11-20,500,500,500,500\n${a.elig},A,2026-11-20,500,500,500,500\n`, [
            { line: 3, col: 14, re: /reported twice; line 2 has it too/ },
        ]);
        // header: a missing category and an unknown column ("IV" starts at column 48)
        await refused(t, `eligibility_id,form,taken_on,scaled_score,I,II,IV\n${a.elig},A,2026-11-20,650,600,600,600\n`, [
            { line: 1, col: 1, re: /The column III .* is missing/ },
            { line: 1, col: 48, re: /The column IV is not a score category of CETL/ },
        ]);
        await refused(t, `${HEADER},II\n${a.elig},A,2026-11-20,650,600,600,600,600\n`, [
            { line: 1, col: 52, re: /The column II is named twice/ },
        ]);
        await refused(t, `eligibility_id,form,scaled_score,I,II,III\n${a.elig},A,650,600,600,600\n`, [
            { line: 1, col: 1, re: /The column taken_on is missing/ },
        ]);

        // A stored fail: the same sitting again is refused, and so is a retake before 90 days.
        let r = await importText(t.db, t.dir, `${HEADER}\n${c.elig},A,2026-11-02,550,550,550,550\n`, { env: NOW });
        assert.equal(r.code, 0, r.stderr);
        await refused(t, `${HEADER}\n${c.elig},A,2026-11-02,550,550,550,550\n`, [{ line: 2, col: 14, re: /already stored/ }]);
        await refused(t, `${HEADER}\n${c.elig},B,2026-11-30,650,650,650,650\n`, [
            { line: 2, col: 14, re: /retake is too early: .* waits 90 days, until 2027-01-31/ },
        ]);
        // a pass closes the authorization: a later result for it is refused
        r = await importText(t.db, t.dir, `${HEADER}\n${a.elig},A,2026-11-20,650,650,650,650\n`, { env: NOW });
        assert.equal(r.code, 0, r.stderr);
        await refused(t, `${HEADER}\n${a.elig},B,2026-11-25,650,650,650,650\n`, [{ line: 2, col: 1, re: /used by a passing result/ }]);

        // Several problems in one file: all reported, in line order.
        await refused(t, `${HEADER}\nE-x,A,2026-11-20,650,600,600,600\n${b.elig},A,2026-11-20,900,600,600,600\n`, [
            { line: 2, col: 1, re: /not known/ },
            { line: 3, col: 25, re: /scaled_score/ },
        ]);
        // Every problem of a row, not only the first: an unknown id does not hide the rest.
        await refused(t, `${HEADER}\nE-x,,2026-13-01,abc,600,6x0,600\n${b.elig},A,2026-11-20,900,801,600,600\n`, [
            { line: 2, col: 1, re: /The eligibility_id E-x is not known/ },
            { line: 2, col: 5, re: /The form must be 1 to/ },
            { line: 2, col: 6, re: /The taken_on date must be a date/ },
            { line: 2, col: 17, re: /The scaled_score must be a whole number from 0 to 800/ },
            { line: 2, col: 25, re: /The II score must be a whole number/ },
            { line: 3, col: 25, re: /The scaled_score must be/ },
            { line: 3, col: 29, re: /The I score must be/ },
        ]);
        // A stored sitting again with a bad score: both said.
        await refused(t, `${HEADER}\n${c.elig},A,2026-11-02,550,550,550,5500\n`, [
            { line: 2, col: 14, re: /already stored/ },
            { line: 2, col: 37, re: /The III score must be/ },
        ]);
    } finally {
        await t.done();
    }
});

test('a retake after the wait is taken; more attempts than the rules allow are refused', async () => {
    // A long window (the authorization is data here) so that four sittings fit in one year.
    const t = await setup(1, { from: '2025-06-01', to: '2026-11-30' });
    try {
        const [a] = t.people;
        const env = { CTOFRAME_NOW: '2026-12-01T09:00:00Z' };
        const rows = ['2025-06-02', '2025-08-31', '2025-11-29'].map((d) => `${a.elig},A,${d},500,500,500,500`);
        let r = await importText(t.db, t.dir, `${HEADER}\n${rows.join('\n')}\n`, { env });
        assert.equal(r.code, 0, `three sittings 90 days apart: ${r.stderr}`);
        assert.match(r.stdout, /failed 3/);
        // The 4th within 365 days of the 1st (2026-02-27 is day 270) is over the limit of 3;
        await refused(t, `${HEADER}\n${a.elig},B,2026-02-27,650,650,650,650\n`, [
            { line: 2, col: 14, re: /sitting 4 within 365 days; the rules allow 3/ },
        ], env);
        // a year after the first it counts again (2026-06-03: the window holds 2 earlier ones).
        r = await importText(t.db, t.dir, `${HEADER}\n${a.elig},B,2026-06-03,650,650,650,650\n`, { env });
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /passed 1, failed 0, credentials issued 1/);
    } finally {
        await t.done();
    }
});

test('one bad row among 1,000 good ones leaves the database unchanged', async () => {
    const t = await setup(1000);
    try {
        const rows = t.people.map((p, i) => `${p.elig},A,2026-11-${String(10 + (i % 15)).padStart(2, '0')},${500 + (i % 200)},600,600,600`);
        rows[736] = rows[736].replace(/,A,/, ',A,').replace(/,600,600,600$/, ',600,6x0,600');
        await refused(t, `${HEADER}\n${rows.join('\n')}\n`, [{ line: 738, col: 33, re: /The II score/ }]);
        const none = (await sql(t.db, 'SELECT COUNT(*) FROM exam_results;\n')).trim();
        assert.equal(none, '0');

        // Fixed, the same file imports whole.
        rows[736] = rows[736].replace('6x0', '600');
        const r = await importText(t.db, t.dir, `${HEADER}\n${rows.join('\n')}\n`, { env: NOW });
        assert.equal(r.code, 0, r.stderr);
        const passed = t.people.filter((_, i) => 500 + (i % 200) >= 600).length;
        assert.match(r.stdout, new RegExp(`results 1000: passed ${passed}, failed ${1000 - passed}, credentials issued ${passed}`));
        const numbers = (await sql(t.db, 'SELECT COUNT(DISTINCT number), MAX(number) FROM credentials;\n')).trim();
        assert.equal(numbers, `${passed}|CETL-2026-${String(passed).padStart(6, '0')}`);
    } finally {
        await t.done();
    }
});

test('usage errors exit 2', async () => {
    const t = await setup(0);
    try {
        assert.equal((await cli(['results'], { db: t.db })).code, 2);
        assert.equal((await cli(['results', 'import'], { db: t.db })).code, 2);
        assert.equal((await cli(['results', 'export', 'x.csv'], { db: t.db })).code, 2);
        assert.equal((await cli(['results', 'import', 'a.csv', '--bogus'], { db: t.db })).code, 2);
        const r = await cli(['results', 'import', path.join(t.dir, 'missing.csv')], { db: t.db });
        assert.equal(r.code, 1);
    } finally {
        await t.done();
    }
});

test('a file or standard input over 8 MB is refused, named, and nothing is written', { timeout: 60000 }, async () => {
    const t = await setup(1);
    try {
        const limit = 8 * 1024 * 1024;
        const big = HEADER + '\n' + 'x'.repeat(limit);
        const file = path.join(t.dir, 'big.csv');
        writeFileSync(file, big);
        const before = await counts(t.db);
        const r = await cli(['results', 'import', file], { db: t.db, env: NOW });
        assert.equal(r.code, 1, r.stderr);
        assert.equal(r.stderr, `${file}:1:1: The file is larger than 8 MB. Split it into smaller files.\n`);
        const s = await cli(['results', 'import', '-'], { db: t.db, env: NOW, input: big });
        assert.equal(s.code, 1, s.stderr);
        assert.equal(s.stderr, '-:1:1: The file is larger than 8 MB. Split it into smaller files.\n');
        assert.deepEqual(await counts(t.db), before);
        // One byte under the limit is read and judged on its content, not its size.
        const under = await cli(['results', 'import', '-'], { db: t.db, env: NOW, input: big.slice(0, limit) });
        assert.equal(under.code, 1);
        assert.doesNotMatch(under.stderr, /larger than/);
    } finally {
        await t.done();
    }
});

test('the upload page: examiners import a pasted file; JSON clients get every problem; others are refused', async () => {
    await withServer({ env: NOW }, async (ctx) => {
        await ctx.start();
        const [a, b] = await candidates(ctx.db, 2, '2026-11-01', '2027-01-30', 'w');
        const examiner = await ctx.signIn(ctx.w.people.examiner.email);

        let r = await examiner.get('/admin/results', { html: true });
        assert.equal(r.status, 200);
        assert.match(r.text, /<textarea id="csv" name="csv"/);

        // Refused: HTML form again with the problems beside the box, the text kept, 400.
        const bad = `${HEADER}\n${a.elig},A,2026-11-20,650,600,600,600\nE-nope,A,2026-11-20,650,600,600,600\n`;
        const before = await counts(ctx.db);
        r = await examiner.post('/admin/results', { csv: bad }, { form: true, html: true });
        assert.equal(r.status, 400);
        assert.match(r.text, /Line 3, column 1: The eligibility_id E-nope is not known/);
        assert.match(r.text, /aria-invalid="true"/);
        assert.ok(r.text.includes('E-nope,A,2026-11-20'), 'the pasted text is kept');
        // JSON: the problems with line and column.
        r = await examiner.post('/admin/results', { csv: bad });
        assert.equal(r.status, 400);
        assert.equal(r.json.error.code, 'invalid');
        assert.deepEqual(r.json.error.problems.map((p) => [p.line, p.column]), [[3, 1]]);
        assert.deepEqual(await counts(ctx.db), before, 'nothing written');

        // Accepted: a redirect to the page with the counts.
        const good = `${HEADER}\n${a.elig},A,2026-11-20,650,600,600,600\n${b.elig},A,2026-11-20,450,400,400,400\n`;
        r = await examiner.post('/admin/results', { csv: good }, { form: true, html: true });
        assert.equal(r.status, 303);
        assert.match(r.headers.location, /done=imported&results=2&passed=1&failed=1&issued=1/);
        r = await examiner.get(r.headers.location, { html: true });
        assert.match(r.text, /Imported 2 results: 1 passed, 1 failed; 1 credential issued\./);

        // A reviewer may not import; a leader neither.
        const reviewer = await ctx.signIn(ctx.w.people.reviewer.email);
        r = await reviewer.post('/admin/results', { csv: good });
        assert.equal(r.status, 403);
        const leader = await ctx.signIn(ctx.w.people.leader_a.email);
        r = await leader.get('/admin/results');
        assert.equal(r.status, 403);
    });
});

test('a 10,000-row file fits the 1 MB body as a paste, and as a text/csv body for an API token; every bad row is reported', async () => {
    await withServer({ env: NOW }, async (ctx) => {
        await ctx.start();
        const [c] = await candidates(ctx.db, 1, '2026-11-01', '2027-01-30', 'big');
        // 10,000 rows of realistic width, none of them known (no need to seed 10,000 people).
        const rows = [];
        for (let i = 0; i < 10000; i++) rows.push(`E-2026-${String(i).padStart(6, '0')},A,2026-11-${String(1 + (i % 28)).padStart(2, '0')},${450 + (i % 350)},612,598,640`);
        const text = `${HEADER}\n${rows.join('\n')}\n`;
        const encoded = new URLSearchParams({ csv: text, csrf: 'x'.repeat(64) }).toString();
        assert.ok(encoded.length < 1024 * 1024, `form-encoded ${encoded.length} bytes`);

        const examiner = await ctx.signIn(ctx.w.people.examiner.email);
        const before = await counts(ctx.db);
        let r = await examiner.post('/admin/results', { csv: text }, { form: true });
        assert.equal(r.status, 400, 'refused for its rows, not 413');
        const lines = r.json.error.problems.map((p) => p.line);
        assert.equal(lines.length, 10000, 'every bad row');
        assert.deepEqual([lines[0], lines[9999]], [2, 10001]);
        assert.deepEqual(await counts(ctx.db), before);

        // The file as the body (Content-Type: text/csv) with an API token: imported.
        const t = await examiner.post('/account/tokens', { name: 'vendor upload' });
        assert.equal(t.status, 201);
        const bearer = bearerJar(ctx.url, t.json.token);
        r = await bearer.request('POST', '/admin/results', {
            body: `${HEADER}\r\n${c.elig},A,2026-11-20,650,640,660,610\r\n`,
            headers: { 'content-type': 'text/csv' },
        });
        assert.equal(r.status, 200, r.text);
        assert.deepEqual([r.json.results, r.json.passed, r.json.credentials_issued], [1, 1, 1]);
        assert.equal(r.json.credentials[0].number, 'CETL-2026-000001');
        // A browser session cannot send it that way: no CSRF token.
        r = await examiner.request('POST', '/admin/results', { body: HEADER + '\n', headers: { 'content-type': 'text/csv' }, csrf: false });
        assert.equal(r.status, 403);
    });
});

test('two imports at once: the rules are read inside the write transaction, so one sitting is taken once and numbers never repeat', async () => {
    const t = await setup(40);
    try {
        const line = (p) => `${p.elig},A,2026-11-20,650,650,650,650`;
        // The same file twice at once: exactly one takes it.
        const same = `${HEADER}\n${t.people.slice(0, 20).map(line).join('\n')}\n`;
        const [r1, r2] = await Promise.all([
            importText(t.db, t.dir, same, { env: NOW, name: 'a.csv' }),
            importText(t.db, t.dir, same, { env: NOW, name: 'b.csv' }),
        ]);
        assert.deepEqual([r1.code, r2.code].sort(), [0, 1], `${r1.stderr}\n${r2.stderr}`);
        // Two different files at once: both taken, numbers 21..40 without a gap or a repeat.
        const [r3, r4] = await Promise.all([
            importText(t.db, t.dir, `${HEADER}\n${t.people.slice(20, 30).map(line).join('\n')}\n`, { env: NOW, name: 'c.csv' }),
            importText(t.db, t.dir, `${HEADER}\n${t.people.slice(30, 40).map(line).join('\n')}\n`, { env: NOW, name: 'd.csv' }),
        ]);
        assert.deepEqual([r3.code, r4.code], [0, 0], `${r3.stderr}\n${r4.stderr}`);
        const n = (await sql(t.db, 'SELECT COUNT(*), COUNT(DISTINCT number), MIN(number), MAX(number) FROM credentials;\n')).trim();
        assert.equal(n, '40|40|CETL-2026-000001|CETL-2026-000040');
        assert.equal((await sql(t.db, 'SELECT COUNT(*) FROM exam_results;\n')).trim(), '40');
    } finally {
        await t.done();
    }
});

