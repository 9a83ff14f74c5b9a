// `ctoframe exam simulate` and `ctoframe exam calibrate` (issue 10 points 6 and 8) against
// R's eRm::RM() (Mair & Hatzinger 2007; Debian r-cran-erm), which estimates the Rasch model
// by conditional maximum likelihood as we do: on the same simulated 1,000 x 20 file the
// difficulties and their SEs must agree within 0.01 logits. eRm's betas are easiness
// parameters (difficulty = -beta) centred to sum 0 (sum0 = TRUE); its se.beta are the SEs
// of those centred parameters, as ours are. The program is run directly (serverBinary(), so
// the ASan build is tested too); no database is opened.
//
// Also the two-item closed form and the refusals of calibrate, which need no R.
//
// Skipped, with the reason, when `exam simulate` or `exam calibrate` is not wired into the
// build (the exam command group joins them), or when Rscript or eRm is missing
// (scripts/bootstrap test installs them).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serverBinary, ROOT } from './helper.mjs';

const BIN = serverBinary();

/** Runs cmd with args and resolves with { code, stdout, stderr }. */
function runCmd(cmd, args, timeout = 60000) {
    return new Promise((resolve) => {
        execFile(
            cmd,
            args,
            { cwd: ROOT, env: { ...process.env, CTOFRAME_DB: undefined }, timeout, maxBuffer: 64 << 20 },
            (err, stdout, stderr) => {
                resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
            },
        );
    });
}
const run = (args) => runCmd(BIN, args);

const show = (r) => `exit ${r.code}\nstdout:\n${r.stdout.slice(0, 2000)}\nstderr:\n${r.stderr.slice(0, 2000)}`;

function assertExit(r, code, what) {
    assert.equal(r.code, code, `${what}: ${show(r)}`);
    assert.doesNotMatch(r.stderr, /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:/, `${what}: sanitizer`);
}

const dir = mkdtempSync(path.join(tmpdir(), 'ctoframe-rasch-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Why a subcommand of exam cannot be tested here, or null when it is wired. */
async function unwired(sub) {
    const r = await run(['exam', sub, '--help']);
    return r.code === 0 ? null : `ctoframe exam ${sub} is not wired into this build (exit ${r.code})`;
}

/** Why eRm cannot be run, or null when Rscript and eRm are there. */
function noErm() {
    try {
        execFileSync('Rscript', ['-e', 'suppressMessages(library(eRm))'], { stdio: 'ignore', timeout: 60000 });
        return null;
    } catch (e) {
        return e.code === 'ENOENT' ? 'Rscript is not installed (scripts/bootstrap test)' : 'the R package eRm is not installed (r-cran-erm; scripts/bootstrap test)';
    }
}

/** Writes text to dir/name and returns the path. */
function file(name, text) {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
}

/** Parses CSV without quotes into an array of rows of strings. */
const csv = (text) => text.trim().split('\n').map((l) => l.split(','));

test('exam simulate: the header, the ids, the truth file, the same file for the same seed', async (t) => {
    const why = await unwired('simulate');
    if (why) return t.skip(why);
    const truth = path.join(dir, 'truth.csv');
    const a = await run(['exam', 'simulate', '--persons', '50', '--items', '12', '--seed', '99', '--truth', truth]);
    assertExit(a, 0, 'simulate');
    const rows = csv(a.stdout);
    assert.equal(rows.length, 51);
    assert.deepEqual(rows[0], ['person', ...Array.from({ length: 12 }, (_, i) => `I${String(i + 1).padStart(3, '0')}`)]);
    assert.equal(rows[1][0], 'P00001');
    assert.equal(rows[50][0], 'P00050');
    for (const r of rows.slice(1)) {
        assert.equal(r.length, 13);
        for (const c of r.slice(1)) assert.ok(c === '0' || c === '1', `cell ${c}`);
    }
    const tr = csv(readFileSync(truth, 'utf8'));
    assert.deepEqual(tr[0], ['kind', 'id', 'value']);
    const items = tr.filter((r) => r[0] === 'item');
    assert.equal(items.length, 12);
    assert.equal(tr.filter((r) => r[0] === 'person').length, 50);
    assert.ok(Math.abs(items.reduce((s, r) => s + Number(r[2]), 0)) < 1e-9, 'difficulties sum to 0');

    const b = await run(['exam', 'simulate', '--persons', '50', '--items', '12', '--seed', '99']);
    assert.equal(b.stdout, a.stdout, 'same seed, same file');
    const c = await run(['exam', 'simulate', '--persons', '50', '--items', '12', '--seed', '100']);
    assert.notEqual(c.stdout, a.stdout, 'another seed, another file');

    const m = await run(['exam', 'simulate', '--persons', '200', '--items', '10', '--seed', '1', '--missing', '0.3']);
    assertExit(m, 0, 'simulate --missing');
    const cells = csv(m.stdout).slice(1).flatMap((r) => r.slice(1));
    const empty = cells.filter((c) => c === '').length;
    assert.ok(empty > 500 && empty < 700, `${empty} of 2000 cells empty at 0.3 (SD 20)`);

    for (const args of [
        ['--persons', '0', '--items', '5', '--seed', '1'],
        ['--persons', '5', '--items', '1', '--seed', '1'],
        ['--persons', '5', '--items', '5', '--seed', '-3'],
        ['--persons', '5', '--items', '5'],
        ['--persons', '5', '--items', '5', '--seed', '1', '--missing', '1'],
        ['--persons', '5', '--items', '5', '--seed', '1', '--colour', 'red'],
    ]) {
        const r = await run(['exam', 'simulate', ...args]);
        assertExit(r, 2, args.join(' '));
        assert.match(r.stderr, /ctoframe: /);
    }
});

// Two items, hand-worked in tests/unit/test_rasch.c (test_two_items_closed_form): with 30
// persons right on item 1 only and 10 on item 2 only, b2 - b1 = log(30/10), so the centred
// difficulties are -+log(3)/2, each SE sqrt(1/30), infit = outfit = sqrt(3)/2.
test('exam calibrate: the two-item closed form, the persons left out, the refusals', async (t) => {
    const why = await unwired('calibrate');
    if (why) return t.skip(why);
    const rows = ['person,easy,hard'];
    let p = 0;
    const add = (n, cells) => {
        for (let i = 0; i < n; i++) rows.push(`p${++p},${cells}`);
    };
    add(30, '1,0');
    add(10, '0,1');
    add(5, '0,0');
    add(7, '1,1');
    add(1, ',1');
    add(1, ',');
    const c = await run(['exam', 'calibrate', file('two.csv', rows.join('\n') + '\n')]);
    assertExit(c, 0, 'calibrate two.csv');
    const out = csv(c.stdout);
    assert.deepEqual(out[0], ['item', 'difficulty', 'se', 'infit', 'outfit']);
    assert.deepEqual(out.slice(1).map((r) => r[0]), ['easy', 'hard']);
    // printed to 6 decimals (difficulty, SE) and 4 (infit, outfit)
    const near = (got, want, tol, what) => assert.ok(Math.abs(Number(got) - want) <= tol, `${what}: ${got}, want ${want}`);
    near(out[1][1], -Math.log(3) / 2, 5e-7, 'b easy');
    near(out[2][1], Math.log(3) / 2, 5e-7, 'b hard');
    for (const r of out.slice(1)) {
        near(r[2], Math.sqrt(1 / 30), 5e-7, `SE ${r[0]}`);
        near(r[3], Math.sqrt(3) / 2, 5e-5, `infit ${r[0]}`);
        near(r[4], Math.sqrt(3) / 2, 5e-5, `outfit ${r[0]}`);
    }
    assert.match(c.stderr, /40 of 54 persons used/);
    assert.match(c.stderr, /5 with a score of 0, 8 with every presented item right \(a perfect score\), 1 presented no item/);

    const all = await run(['exam', 'calibrate', file('allright.csv', 'person,a,b,c\np1,1,0,1\np2,0,1,1\np3,1,1,1\np4,0,0,1\n')]);
    assertExit(all, 1, 'an item everyone used got right');
    assert.match(all.stderr, /allright\.csv:1:4: item c: Item 3 was answered rightly by all 3 persons used/);
    const bad = await run(['exam', 'calibrate', file('bad.csv', 'person,a,b\np1,1,0\np2,0,2\n')]);
    assertExit(bad, 1, 'a bad cell');
    assert.match(bad.stderr, /bad\.csv:3:6: /);
    assertExit(await run(['exam', 'calibrate']), 2, 'no file');
    assertExit(await run(['exam', 'calibrate', 'a.csv', 'b.csv']), 2, 'two files');
    assertExit(await run(['exam', 'calibrate', '--levels', '3', 'a.csv']), 2, 'an unknown option');
});

test('exam calibrate agrees with eRm::RM() on a simulated 1,000 x 20 file (difficulties and SEs within 0.01)', async (t) => {
    const why = (await unwired('simulate')) || (await unwired('calibrate')) || noErm();
    if (why) return t.skip(why);
    const file = path.join(dir, 'sim.csv');
    const s = await run(['exam', 'simulate', '--persons', '1000', '--items', '20', '--seed', '2026']);
    assertExit(s, 0, 'simulate');
    writeFileSync(file, s.stdout);

    const c = await run(['exam', 'calibrate', file]);
    assertExit(c, 0, 'calibrate');
    const ours = csv(c.stdout);
    assert.deepEqual(ours[0], ['item', 'difficulty', 'se', 'infit', 'outfit']);
    assert.equal(ours.length, 21);
    assert.match(c.stderr, /zero or perfect|excluded|left out/i, 'the excluded persons are counted on stderr');

    const script = [
        'suppressMessages(library(eRm))',
        'args <- commandArgs(trailingOnly = TRUE)',
        'd <- read.csv(args[1], row.names = 1, check.names = FALSE)',
        'm <- RM(as.matrix(d), sum0 = TRUE)',
        'out <- data.frame(item = colnames(d), difficulty = -m$betapar, se = m$se.beta)',
        'write.csv(out, stdout(), row.names = FALSE, quote = FALSE)',
    ].join('\n');
    const rfile = path.join(dir, 'rm.R');
    writeFileSync(rfile, script);
    const r = await runCmd('Rscript', [rfile, file], 600000);
    assert.equal(r.code, 0, `Rscript: ${r.stderr}`);
    const theirs = csv(r.stdout).slice(1);
    assert.equal(theirs.length, 20);

    let db = 0;
    let dse = 0;
    for (let i = 0; i < 20; i++) {
        const [id, b, se] = ours[i + 1];
        assert.equal(id, theirs[i][0]);
        db = Math.max(db, Math.abs(Number(b) - Number(theirs[i][1])));
        dse = Math.max(dse, Math.abs(Number(se) - Number(theirs[i][2])));
    }
    t.diagnostic(`largest difference: difficulty ${db.toExponential(2)}, SE ${dse.toExponential(2)}`);
    assert.ok(db <= 0.01, `difficulties differ by up to ${db}`);
    assert.ok(dse <= 0.01, `SEs differ by up to ${dse}`);
});
