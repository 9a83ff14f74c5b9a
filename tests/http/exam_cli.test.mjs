// `ctoframe exam analyze RESPONSES.csv` (issue 10): the JSON outside checks read, checked
// against an outside reader, R's psych package (Revelle), on a generated 0/1 file:
// psych::alpha on the complete cases (use = "complete.obs" would drop the same rows) gives
// alpha (total$raw_alpha), each item's item-total r (item.stats$raw.r), item-rest r
// (item.stats$r.drop) and alpha if deleted (alpha.drop$raw_alpha); the p-values are R's
// colMeans over every person presented the item (na.rm = TRUE), as docs/exam.md defines p.
// Without Rscript or psych (scripts/bootstrap test installs r-base-core and r-cran-psych)
// that comparison is skipped, with the reason. The program is run directly
// (serverBinary(), so the ASan build is tested too); no database is opened.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
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
            { cwd: ROOT, env: { ...process.env, CTOFRAME_DB: undefined }, timeout: 30000, maxBuffer: 1 << 24 },
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

const dir = mkdtempSync(path.join(tmpdir(), 'ctoframe-exam-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Writes text to dir/name and returns the path. */
function file(name, text) {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
}

const near = (got, want, tol, what) => assert.ok(Math.abs(got - want) <= tol, `${what}: ${got}, want ${want}`);

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
function prng(seed) {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/**
 * A response file of persons x items from the Rasch model: abilities N(0, 1) (Box-Muller),
 * difficulties evenly from -2 to 2, each cell missing with probability 0.03.
 */
function generate(persons, items, seed) {
    const u = prng(seed);
    const lines = ['person,' + Array.from({ length: items }, (_, j) => `item${j + 1}`).join(',')];
    for (let i = 0; i < persons; i++) {
        const theta = Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
        const cells = [];
        for (let j = 0; j < items; j++) {
            const b = -2 + (4 * j) / (items - 1);
            const right = u() < 1 / (1 + Math.exp(b - theta)) ? '1' : '0';
            cells.push(u() < 0.03 ? '' : right);
        }
        lines.push(`p${i + 1},${cells.join(',')}`);
    }
    return lines.join('\n') + '\n';
}

// R reads the file and prints one JSON object (numbers to 15 significant digits).
const R_SCRIPT = `
suppressMessages(library(psych))
x <- read.csv(commandArgs(TRUE)[1], row.names = 1, check.names = FALSE)
cc <- x[complete.cases(x), ]
a <- psych::alpha(cc, warnings = FALSE)
num <- function(v) paste0("[", paste(sprintf("%.15g", v), collapse = ","), "]")
cat(sprintf('{"complete":%d,"alpha":%.15g,"sem":%.15g,"p":%s,"raw_r":%s,"r_drop":%s,"alpha_drop":%s}',
    nrow(cc), a$total$raw_alpha, sd(rowSums(cc)) * sqrt(1 - a$total$raw_alpha),
    num(colMeans(x, na.rm = TRUE)), num(a$item.stats$raw.r), num(a$item.stats$r.drop),
    num(a$alpha.drop$raw_alpha)))
`;

/**
 * Runs R_SCRIPT on the file at f: { r } with R's numbers, or { why } when Rscript or psych
 * is not installed. Any other failure of R fails the test.
 */
function psych(f) {
    try {
        const out = execFileSync('Rscript', ['-e', R_SCRIPT, f], { encoding: 'utf8', stdio: 'pipe', timeout: 120000 });
        return { r: JSON.parse(out) };
    } catch (e) {
        if (e.code === 'ENOENT') return { why: 'Rscript is not installed (scripts/bootstrap test installs r-base-core)' };
        if (/there is no package called .psych./.test(String(e.stderr)))
            return { why: 'the R package psych is not installed (scripts/bootstrap test installs r-cran-psych)' };
        throw e;
    }
}

test('300 x 20 generated responses: alpha, p, item-total and item-rest r agree with R psych', async (t) => {
    const text = generate(300, 20, 20261203);
    const f = file('gen.csv', text);
    const r = await run(['exam', 'analyze', f]);
    assertExit(r, 0, 'exam analyze gen.csv');
    const j = JSON.parse(r.stdout);

    // What the file itself says, without R: counts, p as right / presented, KR-20 = alpha.
    const rows = text.trim().split('\n').slice(1).map((l) => l.split(',').slice(1));
    assert.equal(j.persons, 300);
    assert.equal(j.item_count, 20);
    assert.equal(j.items.length, 20);
    assert.equal(j.persons_complete, rows.filter((c) => !c.includes('')).length);
    assert.ok(j.persons_complete > 100 && j.persons_complete < 300, `complete ${j.persons_complete}`);
    j.items.forEach((it, k) => {
        assert.equal(it.id, `item${k + 1}`);
        const shown = rows.filter((c) => c[k] !== '');
        assert.equal(it.presented, shown.length);
        near(it.p, shown.filter((c) => c[k] === '1').length / shown.length, 1e-12, `p ${it.id}`);
        assert.ok(Array.isArray(it.flags), `flags ${it.id}`);
    });
    near(j.kr20, j.alpha, 1e-12, 'KR-20 and alpha on 0/1 items');

    const { r: rj, why } = psych(f);
    if (why) return t.skip(why);
    assert.equal(j.persons_complete, rj.complete, 'complete cases');
    near(j.alpha, rj.alpha, 1e-6, 'alpha');
    near(j.sem, rj.sem, 1e-6, 'sem');
    j.items.forEach((it, k) => {
        near(it.p, rj.p[k], 1e-6, `p ${it.id}`);
        near(it.r_pb, rj.raw_r[k], 1e-6, `r_pb ${it.id}`);
        near(it.r_pb_rest, rj.r_drop[k], 1e-6, `r_pb_rest ${it.id}`);
        near(it.alpha_if_deleted, rj.alpha_drop[k], 1e-6, `alpha_if_deleted ${it.id}`);
    });
});

test('the hand-worked example A of tests/unit/test_itemstats.c, from stdin', async () => {
    const a = 'person,i1,i2,i3\np1,1,1,1\np2,1,1,0\np3,1,0,0\np4,0,1,0\np5,0,0,0\np6,1,,1\n';
    const r = await run(['exam', 'analyze', '-'], a);
    assertExit(r, 0, 'exam analyze -');
    const j = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(j).slice(0, 6), ['persons', 'persons_complete', 'item_count', 'alpha', 'kr20', 'sem']);
    assert.deepEqual(Object.keys(j.items[0]).slice(0, 6), ['id', 'presented', 'p', 'r_pb', 'r_pb_rest', 'alpha_if_deleted']);
    assert.equal(j.persons, 6);
    assert.equal(j.persons_complete, 5);
    near(j.alpha, 15 / 26, 1e-12, 'alpha');
    near(j.kr20, 15 / 26, 1e-12, 'kr20');
    near(j.sem, Math.sqrt(0.55), 1e-12, 'sem');
    near(j.items[1].p, 3 / 5, 1e-12, 'p i2');
    near(j.items[0].r_pb_rest, 0.6 / Math.sqrt(1.2 * 2.8), 1e-12, 'r_pb_rest i1');
    near(j.items[2].alpha_if_deleted, 2 / 7, 1e-12, 'alpha_if_deleted i3');
});

test('a value that cannot be computed is null, with the reason', async () => {
    const r = await run(['exam', 'analyze', file('flat.csv', 'id,a,b\nx,1,0\ny,0,1\n')]);
    assertExit(r, 0, 'flat totals');
    const j = JSON.parse(r.stdout);
    assert.equal(j.alpha, null);
    assert.equal(j.kr20, null);
    assert.equal(j.sem, null);
    assert.match(j.null_because.alpha, /same total/);
    assert.equal(j.items[0].r_pb, null);
    assert.equal(j.items[0].r_pb_rest, -1);
    assert.deepEqual(j.items[0].flags, ['negative_discrimination']);
});

test('every bad cell is named FILE:LINE:COL on stderr and the exit is 1', async () => {
    const f = file('bad.csv', 'id,a,b\np1,1,2\np2,x,0\np1,1,1\np3,1\n');
    const r = await run(['exam', 'analyze', f]);
    assertExit(r, 1, 'bad cells');
    assert.equal(r.stdout, '');
    const lines = r.stderr.trim().split('\n');
    assert.match(lines[0], new RegExp(`^${f}:2:6: The cell "2" is not 0, 1 or empty\\.`));
    assert.match(lines[1], new RegExp(`^${f}:3:4: The cell "x" is not 0, 1 or empty\\.`));
    assert.match(lines[2], new RegExp(`^${f}:4:1: The person "p1" already has a row on line 2\\.`));
    assert.match(lines[3], new RegExp(`^${f}:5:5: This row has 2 fields; the header has 3\\.`));
    assert.match(lines[4], /^ctoframe: The file has 4 problems/);
    for (const l of lines) assert.match(l, /^(\S+:\d+:\d+|ctoframe): [A-Z].*\.$/, l);

    const none = await run(['exam', 'analyze', file('none.csv', 'id,a,b\n')]);
    assertExit(none, 1, 'no person');
    assert.match(none.stderr, /none\.csv:1:1: The file has no person/);
    const noitem = await run(['exam', 'analyze', file('noitem.csv', 'id\np1\n')]);
    assertExit(noitem, 1, 'no item');
    assert.match(noitem.stderr, /noitem\.csv:1:1: The file has no item column/);
    assertExit(await run(['exam', 'analyze', path.join(dir, 'no-such.csv')]), 1, 'no such file');
});

test('usage errors exit 2; --help exits 0', async () => {
    const f = file('ok.csv', 'id,a,b\np1,1,0\np2,0,1\n');
    for (const args of [['exam'], ['exam', 'nonsense'], ['exam', 'analyze'], ['exam', 'analyze', f, f], ['exam', 'analyze', f, '--bogus']]) {
        const r = await run(args, '');
        assertExit(r, 2, args.join(' '));
        assert.equal(r.stdout, '', args.join(' '));
        if (args.length < 3) assert.match(r.stderr, /analyze/);
    }
    for (const args of [['exam', '--help'], ['help', 'exam']]) {
        const r = await run(args, '');
        assertExit(r, 0, args.join(' '));
        assert.match(r.stdout, /analyze/);
    }
    const r = await run(['exam', 'analyze', '--help'], '');
    assertExit(r, 0, 'exam analyze --help');
    assert.match(r.stdout, /ctoframe exam analyze RESPONSES\.csv/);
});
