// `ctoframe exam angoff | hofstee | beuk` (issue 10 point 7): the JSON examiners read, every
// bad cell as FILE:LINE:COL with exit 1, usage errors exit 2, no cut when the lines do not
// meet. The program is run directly (serverBinary(), so the ASan build is tested too); no
// database is opened. Expected values are the hand-worked ones of tests/unit/test_angoff.c
// (test_panel, test_hofstee, test_beuk), the arithmetic repeated beside each.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serverBinary, ROOT } from './helper.mjs';

const BIN = serverBinary();

/** Runs ctoframe with args and resolves with { code, stdout, stderr }. */
function run(args) {
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
        child.stdin.end();
    });
}

const show = (r) => `exit ${r.code}\nstdout:\n${r.stdout.slice(0, 2000)}\nstderr:\n${r.stderr.slice(0, 2000)}`;

function assertExit(r, code, what) {
    assert.equal(r.code, code, `${what}: ${show(r)}`);
    assert.doesNotMatch(r.stderr, /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:/, `${what}: sanitizer`);
}

const dir = mkdtempSync(path.join(tmpdir(), 'ctoframe-angoff-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Writes text to dir/name and returns the path. */
function file(name, text) {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
}

const near = (got, want, tol, what) => assert.ok(Math.abs(got - want) <= tol, `${what}: ${got}, want ${want}`);

// test_panel: cuts 2.6, 1.9, 3.0; panel 2.5; SD sqrt(.31); SE sqrt(.31 / 3); I3 disagrees most.
// Round 2 (Q .5 .5 .5 .5 = 2.0, R .8 .8 .8 .8 = 3.2): cut 2.6.
const RATINGS =
    'round,panelist,I1,I2,I3,I4\n1,P1,.6,.7,.5,.8\n1,P2,0.5,0.6,0.1,0.7\n1,P3,0.7,0.8,0.6,0.9\n' +
    '2,Q,.5,.5,.5,.5\n2,R,.8,.8,.8,.8\n';
// 8 persons with totals 0, 1, 1, 2, 3, 3, 3, 4: pass rates 8/8, 7/8, 5/8, 4/8, 1/8.
const RESPONSES =
    'id,I4,I3,I2,I1\n' +
    'a,0,0,0,0\nb,1,0,0,0\nc,0,1,0,0\nd,1,1,0,0\ne,1,1,1,0\nf,0,1,1,1\ng,1,0,1,1\nh,1,1,1,1\n';

test('angoff: rounds, the panel cut and its SE, and impact at the final cut', async () => {
    const r = await run(['exam', 'angoff', file('r.csv', RATINGS), '--responses', file('p.csv', RESPONSES)]);
    assertExit(r, 0, 'exam angoff');
    const j = JSON.parse(r.stdout);
    assert.equal(j.items, 4);
    assert.deepEqual(j.rounds.map((t) => t.round), [1, 2]);
    const t = j.rounds[0];
    assert.equal(t.panelists, 3);
    near(t.cut, 2.5, 1e-9, 'cut');
    near(t.cut_percent, 62.5, 1e-9, 'cut_percent');
    near(t.sd, Math.sqrt(0.31), 1e-9, 'sd');
    near(t.se, Math.sqrt(0.31 / 3), 1e-9, 'se');
    assert.deepEqual(t.panelist_cuts.map((p) => p.panelist), ['P1', 'P2', 'P3']);
    near(t.panelist_cuts[1].cut, 1.9, 1e-9, 'P2 cut');
    assert.equal(t.most_disagreement[0], 'I3');
    near(t.items[2].mean, 0.4, 1e-9, 'I3 mean');
    // the final round is the last: 2.6 points, applied as 3; 4 of 8 score 3 or more
    assert.equal(j.final_round, 2);
    near(j.final_cut, 2.6, 1e-9, 'final_cut');
    assert.equal(j.final_raw_cut, 3);
    assert.equal(j.impact.persons, 8);
    assert.deepEqual(j.impact.by_raw_cut.map((c) => c.pass_rate), [1, 7 / 8, 5 / 8, 4 / 8, 1 / 8]);
    near(j.impact.pass_rate, 0.5, 1e-12, 'pass rate at the final cut');

    const one = await run(['exam', 'angoff', file('r1.csv', RATINGS), '--round', '1']);
    assertExit(one, 0, 'exam angoff --round 1');
    const j1 = JSON.parse(one.stdout);
    assert.equal(j1.rounds.length, 1);
    assert.equal(j1.final_round, 1);
    assert.equal(j1.final_raw_cut, 3);
    assert.equal(j1.impact, undefined);
});

test('angoff: every bad cell named with its line and column, exit 1', async () => {
    const bad = file('bad.csv', 'round,panelist,a,b\n1,p1,65,x\n0,p2,,0.5\n1,p1,0.2,0.3\n');
    const r = await run(['exam', 'angoff', bad]);
    assertExit(r, 1, 'exam angoff bad.csv');
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /bad\.csv:2:6: The rating "65" is above 1/);
    assert.match(r.stderr, /bad\.csv:2:9: The rating "x" is not a number/);
    assert.match(r.stderr, /bad\.csv:3:1: The round "0"/);
    assert.match(r.stderr, /bad\.csv:3:6: The rating of item "a" is empty/);
    assert.match(r.stderr, /bad\.csv:4:3: The panelist "p1" already has a row in round 1/);

    // responses on other items: each side's odd item at its header cell
    const other = file('other.csv', 'id,I1,I2,I3,I9\na,1,1,1,1\n');
    const m = await run(['exam', 'angoff', file('r2.csv', RATINGS), '--responses', other]);
    assertExit(m, 1, 'exam angoff with other items');
    assert.match(m.stderr, /r2\.csv:1:25: The item "I4" is not in/);
    assert.match(m.stderr, /other\.csv:1:13: The item "I9" has no rating/);
});

test('hofstee and beuk: the hand-worked crossings, and no cut when the lines do not meet', async () => {
    const p = file('h.csv', RESPONSES);
    // kmin 25%, kmax 75% (1 and 3 points), fmin 25%, fmax 75%: crossing at x = 7/3, fail 5/12
    const h = await run(['exam', 'hofstee', '--responses', p, '--kmin', '25', '--kmax', '75', '--fmin', '25', '--fmax', '75']);
    assertExit(h, 0, 'exam hofstee');
    const hj = JSON.parse(h.stdout);
    assert.equal(hj.crosses, true);
    near(hj.cut_points, 7 / 3, 1e-9, 'hofstee x');
    near(hj.fail_percent_there, 500 / 12, 1e-9, 'hofstee fail rate');
    assert.equal(hj.raw_cut, 3);
    near(hj.pass_percent_at_raw_cut, 50, 1e-9, 'hofstee pass at raw cut');

    // kmin 75%, kmax 100%, fmax 25%: 50% already fail at 3 points
    const n = await run(['exam', 'hofstee', '--responses', p, '--kmin=75', '--kmax=100', '--fmin=0', '--fmax=25']);
    assertExit(n, 0, 'exam hofstee, no crossing');
    const nj = JSON.parse(n.stdout);
    assert.equal(nj.crosses, false);
    assert.equal(nj.raw_cut, null);
    assert.match(nj.why, /above f_max/);

    // cut 50 (SD 10), pass 40 (SD 20): slope -2, crossing at x = 1.1 (27.5%), 85% pass
    const b = await run(['exam', 'beuk', '--responses', p, '--cut', '50', '--cut-sd', '10', '--pass', '40', '--pass-sd', '20']);
    assertExit(b, 0, 'exam beuk');
    const bj = JSON.parse(b.stdout);
    near(bj.slope, -2, 1e-12, 'slope');
    near(bj.cut_points, 1.1, 1e-9, 'beuk x');
    near(bj.cut_percent, 27.5, 1e-9, 'beuk percent');
    near(bj.pass_percent_there, 85, 1e-9, 'beuk pass rate');
    assert.equal(bj.raw_cut, 2);

    // pass 80 (SD 10): the line 130 - 25 x lies above the curve everywhere
    const bn = await run(['exam', 'beuk', '--responses', p, '--cut', '50', '--cut-sd', '10', '--pass', '80', '--pass-sd', '10']);
    assertExit(bn, 0, 'exam beuk, no crossing');
    assert.equal(JSON.parse(bn.stdout).crosses, false);
});

test('usage errors exit 2', async () => {
    const p = file('u.csv', RESPONSES);
    for (const args of [
        ['exam', 'angoff'],
        ['exam', 'angoff', p, '--round', '0'],
        ['exam', 'angoff', p, '--bogus', '1'],
        ['exam', 'hofstee', '--responses', p, '--kmin', '80', '--kmax', '20', '--fmin', '0', '--fmax', '10'],
        ['exam', 'hofstee', '--responses', p, '--kmin', '10', '--kmax', '20', '--fmin', '0'],
        ['exam', 'beuk', '--responses', p, '--cut', '101', '--cut-sd', '1', '--pass', '50', '--pass-sd', '1'],
        ['exam', 'beuk', '--responses', p, '--cut', '50', '--cut', '60'],
    ]) {
        const r = await run(args);
        assertExit(r, 2, args.join(' '));
        assert.equal(r.stdout, '');
    }
});
