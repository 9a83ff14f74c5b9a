// `ctoframe exam simulate` and `ctoframe exam calibrate` (issue 10 points 6 and 8) against
// R's eRm::RM() (Mair & Hatzinger 2007; Debian r-cran-erm), which estimates the Rasch model
// by conditional maximum likelihood as we do: on the same simulated 1,000 x 20 file the
// difficulties and their SEs must agree within 0.01 logits. eRm's betas are easiness
// parameters (difficulty = -beta) centred to sum 0 (sum0 = TRUE); its se.beta are the SEs
// of those centred parameters, as ours are. The program is run directly (serverBinary(), so
// the ASan build is tested too); no database is opened.
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
