// `ctoframe stats agreement FILE.csv [--levels K]` (issue 9): the JSON outside checks read,
// kappa only for two raters, every bad cell as FILE:LINE:COL, usage errors exit 2.
// The program is run directly (serverBinary(), so the ASan build is tested too); no
// database is opened. Expected values: Shrout & Fleiss (1979) Table 2 (published to two
// decimals) and the hand-worked kappa of tests/unit/test_agreement.c (test_kappa_hand).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serverBinary, ROOT } from './helper.mjs';

const BIN = serverBinary();

/** Runs ctoframe with args (input on stdin) and resolves with { code, stdout, stderr }. */
function run(args, input) {
    return new Promise((resolve) => {
        const child = execFile(
            BIN,
            args,
            { cwd: ROOT, env: { ...process.env, CTOFRAME_DB: undefined }, timeout: 30000 },
            (err, stdout, stderr) => {
                resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
            },
        );
        child.stdin.on('error', () => {});
        child.stdin.end(input);
    });
}

const show = (r) => `exit ${r.code}\nstdout:\n${r.stdout.slice(0, 2000)}\nstderr:\n${r.stderr.slice(0, 2000)}`;

function assertExit(r, code, what) {
    assert.equal(r.code, code, `${what}: ${show(r)}`);
    assert.doesNotMatch(r.stderr, /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:/, `${what}: sanitizer`);
}

const dir = mkdtempSync(path.join(tmpdir(), 'ctoframe-stats-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Writes text to dir/name and returns the path. */
function file(name, text) {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
}

const near = (got, want, tol, what) => assert.ok(Math.abs(got - want) <= tol, `${what}: ${got}, want ${want}`);

const SF = 'target,j1,j2,j3,j4\n1,9,2,5,8\n2,6,1,3,2\n3,8,4,6,8\n4,7,1,2,6\n5,10,5,6,9\n6,6,2,4,7\n';
const TWO = 'subject,self,supervisor\ns1,1,1\ns2,2,2\ns3,3,3\ns4,2,3\ns5,4,2\ns6,1,2\ns7,3,\n';

test('four raters: the six ICCs of Shrout & Fleiss Table 2, and no kappa', async () => {
    const r = await run(['stats', 'agreement', file('sf.csv', SF)]);
    assertExit(r, 0, 'stats agreement sf.csv');
    const j = JSON.parse(r.stdout);
    assert.equal(j.subjects, 6);
    assert.equal(j.raters, 4);
    assert.deepEqual(Object.keys(j.icc), ['ICC1', 'ICC2', 'ICC3', 'ICC1k', 'ICC2k', 'ICC3k']);
    const want = { ICC1: 0.17, ICC2: 0.29, ICC3: 0.71, ICC1k: 0.44, ICC2k: 0.62, ICC3k: 0.91 };
    for (const [k, v] of Object.entries(want)) near(j.icc[k], v, 0.005, k);
    assert.equal('kappa' in j, false, 'kappa is for two raters only');
    near(j.details.icc.ms.MSR, 11.24, 0.005, 'MSR');
    near(j.details.icc.ms.MSE, 1.02, 0.005, 'MSE');
});

test('two raters: kappa unweighted, linear and quadratic over --levels, from a file or stdin', async () => {
    const f = file('two.csv', TWO);
    for (const args of [['stats', 'agreement', f, '--levels', '4'], ['stats', 'agreement', '-', '--levels=4']]) {
        const r = await run(args, args[2] === '-' ? TWO : '');
        assertExit(r, 0, args.join(' '));
        const j = JSON.parse(r.stdout);
        assert.equal(j.subjects, 7);
        assert.equal(j.raters, 2);
        assert.equal(j.levels, 4);
        assert.deepEqual(Object.keys(j.kappa), ['unweighted', 'linear', 'quadratic']);
        near(j.kappa.unweighted, 4 / 13, 1e-9, 'unweighted');
        near(j.kappa.linear, 1 / 3, 1e-9, 'linear');
        near(j.kappa.quadratic, 11 / 29, 1e-9, 'quadratic');
        assert.equal(j.details.kappa.dropped_subjects, 1);
        for (const k of Object.keys(j.icc)) assert.equal(typeof j.icc[k], 'number', k);
    }
    // Without --levels the scale is the largest level present (4 here): the same weights.
    const r = await run(['stats', 'agreement', f]);
    assertExit(r, 0, 'no --levels');
    assert.equal(JSON.parse(r.stdout).levels, 4);
});

test('a value that cannot be computed is null', async () => {
    const r = await run(['stats', 'agreement', file('same.csv', 'id,a,b\nx,3,3\ny,3,3\nz,3,3\n'), '--levels', '4']);
    assertExit(r, 0, 'all alike');
    const j = JSON.parse(r.stdout);
    for (const k of Object.keys(j.icc)) assert.equal(j.icc[k], null, k);
    assert.deepEqual(j.kappa, { unweighted: null, linear: null, quadratic: null });
});

test('every bad cell is named FILE:LINE:COL on stderr and the exit is 1', async () => {
    const f = file('bad.csv', 'id,a,b\ns1,1,x\ns2,0,2\ns1,2,2\ns3,7,1\n');
    const r = await run(['stats', 'agreement', f, '--levels', '4']);
    assertExit(r, 1, 'bad cells');
    assert.equal(r.stdout, '');
    const lines = r.stderr.trim().split('\n');
    assert.match(lines[0], new RegExp(`^${f}:2:6: The rating "x" is not a whole number\\.`));
    assert.match(lines[1], new RegExp(`^${f}:3:4: The level 0 is below 1\\.`));
    assert.match(lines[2], new RegExp(`^${f}:4:1: The subject "s1" already has a row on line 2\\.`));
    assert.match(lines[3], new RegExp(`^${f}:5:4: The level 7 is above 4`));
    for (const l of lines) assert.match(l, /^(\S+:\d+:\d+|ctoframe): [A-Z].*\.$/, l);

    const one = await run(['stats', 'agreement', file('one.csv', 'id,a\ns1,1\ns2,2\n')]);
    assertExit(one, 1, 'one rater column');
    assert.match(one.stderr, /one\.csv:1:1: The file has 1 rater column\./);

    const few = await run(['stats', 'agreement', file('few.csv', 'id,a,b\ns1,1,2\ns2,,2\n')]);
    assertExit(few, 1, 'one complete subject');
    assert.match(few.stderr, /few\.csv:1:1: Only 1 subject is rated by every rater/);

    const missing = await run(['stats', 'agreement', path.join(dir, 'no-such.csv')]);
    assertExit(missing, 1, 'no such file');
});

test('usage errors exit 2; --help exits 0', async () => {
    const f = file('ok.csv', TWO);
    for (const args of [
        ['stats'],
        ['stats', 'nonsense'],
        ['stats', 'agreement'],
        ['stats', 'agreement', f, f],
        ['stats', 'agreement', f, '--levels', '1'],
        ['stats', 'agreement', f, '--levels', 'four'],
        ['stats', 'agreement', f, '--levels', '4.5'],
        ['stats', 'agreement', f, '--levels'],
        ['stats', 'agreement', f, '--bogus'],
    ]) {
        const r = await run(args, '');
        assertExit(r, 2, args.join(' '));
        assert.equal(r.stdout, '', args.join(' '));
    }
    for (const args of [['stats', '--help'], ['stats', 'agreement', '--help'], ['help', 'stats']]) {
        const r = await run(args, '');
        assertExit(r, 0, args.join(' '));
        assert.match(r.stdout, /ctoframe stats agreement FILE\.csv \[--levels K\]/);
    }
});
