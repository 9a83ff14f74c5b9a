// `ctoframe exam dif`, `exam equate` and `exam scale` (issue 10 point 6) from the outside:
// Mantel–Haenszel against R's mantelhaen.test() on the same 2×2×K tables (strata: the total
// score; the odds ratio of the reference group's success over the focal group's), common-item
// equating on calibration files written here (one anchor moved by a whole logit is dropped),
// and the 0–800 scale (the raw cut at 600, the ends at 0 and 800, never decreasing).
// Skips the R comparison, counted, when Rscript is missing.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cli } from './authhelp.mjs';

const dir = mkdtempSync(path.join(tmpdir(), 'ctoframe-exam-link-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name, text) => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
};
const show = (r) => `exit ${r.code}\nstdout:\n${r.stdout.slice(0, 1500)}\nstderr:\n${r.stderr.slice(0, 1500)}`;
const haveR = spawnSync('sh', ['-c', 'command -v Rscript']).status === 0;

test('exam dif: alpha_MH and the MH chi-square as R mantelhaen.test computes them', { timeout: 120000 }, async (t) => {
    let r = await cli(['exam', 'simulate', '--persons', '1500', '--items', '12', '--seed', '77']);
    assert.equal(r.code, 0, show(r));
    const responses = file('resp.csv', r.stdout);
    const lines = r.stdout.trim().split('\n');
    // Every third person is focal: the labels in file order are ref first.
    const groups = file('groups.csv', 'person,group\n' + lines.slice(1).map((l, i) => `${l.split(',')[0]},${i % 3 === 2 ? 'foc' : 'ref'}`).join('\n') + '\n');
    r = await cli(['exam', 'dif', responses, '--groups', groups, '--focal', 'foc']);
    assert.equal(r.code, 0, show(r));
    const out = JSON.parse(r.stdout);
    assert.equal(out.reference, 'ref');
    assert.equal(out.focal, 'foc');
    assert.equal(out.persons_focal, 500);
    assert.equal(out.items.length, 12);
    for (const it of out.items) {
        assert.ok(['A', 'B', 'C'].includes(it.ets), it.item);
        assert.ok(Math.abs(it.mh_d_dif + 2.35 * Math.log(it.alpha_mh)) < 1e-9, `${it.item}: D = -2.35 ln alpha`);
    }
    if (!haveR) return t.skip('Rscript not installed (scripts/bootstrap test)');
    const rcode = `
d <- read.csv("${responses}", row.names = 1, check.names = FALSE)
g <- read.csv("${groups}")
grp <- factor(g$group[match(rownames(d), g$person)], levels = c("ref", "foc"))
tot <- rowSums(d)
for (j in seq_len(ncol(d))) {
  keep <- tot %in% as.integer(names(which(table(tot) > 1)))
  tab <- table(grp[keep], factor(d[keep, j], levels = c(1, 0)), tot[keep])
  m <- mantelhaen.test(tab, correct = TRUE)
  cat(colnames(d)[j], unname(m$estimate), unname(m$statistic), "\\n")
}`;
    const ref = execFileSync('Rscript', ['-e', rcode], { encoding: 'utf8' }).trim().split('\n').map((l) => l.trim().split(/\s+/));
    assert.equal(ref.length, 12);
    for (const [item, est, chi] of ref) {
        const it = out.items.find((x) => x.item === item);
        assert.ok(Math.abs(it.alpha_mh - Number(est)) < 1e-6, `${item}: alpha ${it.alpha_mh} vs R ${est}`);
        assert.ok(Math.abs(it.chi2 - Number(chi)) < 1e-6, `${item}: chi2 ${it.chi2} vs R ${chi}`);
    }
});

test('exam equate: the shift through the anchors; a drifting anchor is dropped and named', { timeout: 60000 }, async () => {
    const head = 'item,difficulty,se,infit,outfit\n';
    const base = file('base.csv', head + [['A', -1.0], ['B', -0.5], ['C', 0.0], ['D', 0.5], ['E', 1.0], ['X', 0.2]].map(([i, b]) => `${i},${b},0.05,1,1`).join('\n') + '\n');
    // The new form: the same items 0.4 logit easier on its own scale (new = base - 0.4), but
    // D moved a whole logit (D drifted), and N is new.
    const nw = file('new.csv', head + [['A', -1.4], ['B', -0.9], ['C', -0.4], ['D', 1.1], ['E', 0.6], ['N', 0.0]].map(([i, b]) => `${i},${b},0.05,1,1`).join('\n') + '\n');
    let r = await cli(['exam', 'equate', '--base', base, '--new', nw]);
    assert.equal(r.code, 0, show(r));
    const out = JSON.parse(r.stdout);
    assert.ok(Math.abs(out.shift - 0.4) < 1e-9, `shift ${out.shift}`);
    assert.deepEqual(out.dropped.map((d) => d.item), ['D']);
    assert.deepEqual(out.anchors.filter((a) => a.kept).map((a) => a.item).sort(), ['A', 'B', 'C', 'E']);
    const n = out.items.find((i) => i.item === 'N');
    assert.ok(Math.abs(n.difficulty - 0.4) < 1e-9, 'the new item on the base scale');
    // Refused: fewer than 2 shared items; a bad cell named by line and column.
    const lone = file('lone.csv', head + 'A,0,0.05,1,1\nZ,1,0.05,1,1\n');
    r = await cli(['exam', 'equate', '--base', base, '--new', lone]);
    assert.equal(r.code, 1, show(r));
    const bad = file('bad.csv', head + 'A,zero,0.05,1,1\n');
    r = await cli(['exam', 'equate', '--base', base, '--new', bad]);
    assert.equal(r.code, 1, show(r));
    assert.match(r.stderr, /bad\.csv:2:\d+:/);
    r = await cli(['exam', 'equate', '--base', base]);
    assert.equal(r.code, 2, show(r));
});

test('exam scale: the raw cut at 600, 0 and 800 at the ends, never decreasing', { timeout: 60000 }, async () => {
    let r = await cli(['exam', 'simulate', '--persons', '2000', '--items', '20', '--seed', '9']);
    const cal = file('cal.csv', (await cli(['exam', 'calibrate', file('s.csv', r.stdout)])).stdout);
    r = await cli(['exam', 'scale', cal, '--cut', '13']);
    assert.equal(r.code, 0, show(r));
    const rows = r.stdout.trim().split('\n');
    assert.equal(rows[0], 'raw,theta,se,scaled');
    const scaled = rows.slice(1).map((l) => Number(l.split(',').at(-1)));
    assert.equal(scaled.length, 21);
    assert.equal(scaled[0], 0);
    assert.equal(scaled[20], 800);
    assert.equal(scaled[13], 600);
    for (let i = 1; i < scaled.length; i++) assert.ok(scaled[i] >= scaled[i - 1], `raw ${i}`);
    for (const cut of ['0', '20', 'x']) {
        r = await cli(['exam', 'scale', cal, '--cut', cut]);
        assert.ok(r.code === 1 || r.code === 2, `--cut ${cut}: ${show(r)}`);
    }
});
