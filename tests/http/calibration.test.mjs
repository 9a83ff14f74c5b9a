// Rasch calibration of an exam form as a job, its result kept with the form (issue 10
// point 6). A released form A of 100 scored and 2 pretest items gets a simulated 0/1 response
// file (`ctoframe exam simulate`, 400 persons x 102 items); its calibration is queued from
// the CLI, run by `form calibrate --wait` (or `ctoframe tick`), and the kept difficulties are checked against
// what `ctoframe exam calibrate` prints for the same matrix written out as a file (an
// independent path: no store, no job), against sum 0, and the score table against a Newton
// solve done here over the scored items' kept difficulties (monotone, pretest items left
// out). The same matrix imported as the options chosen calibrates the same (scored against
// the bank's keys). A second form whose first item everyone got right is refused by CML: the calibration
// is failed with the reason, the job dead at once. The pages: the POST (CSRF) queues, the
// server's worker runs it, the page shows it in words; draft forms and forms without
// responses get 409; non-examiners 404; concurrent requests (CLI processes and POSTs) make
// one job. Runs on SQLite and, with CTOFRAME_TEST_DB, on PostgreSQL.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BLUEPRINT, SKILLS, bankFileOf } from './examhelp.mjs';
import { cli, withServer, show as showRes } from './authhelp.mjs';
import { sql } from './cehelp.mjs';

const show = (r) => `exit ${r.code}\nstdout:\n${r.stdout.slice(0, 1500)}\nstderr:\n${r.stderr.slice(0, 1500)}`;
const dir = mkdtempSync(path.join(tmpdir(), 'ctoframe-calibration-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const ITEMS = SKILLS.flatMap((s) => Array.from({ length: BLUEPRINT[s] }, (_, k) => `${s}-${k + 1}`));
const PRETEST = ['P-1', 'P-2'];
const FORM_ITEMS = [...ITEMS, ...PRETEST];
const skillOf = (id) => id.replace(/-\d+$/, '');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function ok(args, db) {
    const r = await cli(args, { db });
    assert.equal(r.code, 0, `${args.join(' ')}: ${show(r)}`);
    return r;
}

/** The bank; form A (100 scored + 2 pretest) and B (100 scored) released, D a draft. */
async function buildForms(db) {
    await ok(['bank', 'import', bankFileOf(dir, 'bank.json', FORM_ITEMS, (id) => (PRETEST.includes(id) ? 'I.A' : skillOf(id)))], db);
    // The workflow is bank_cli.test.mjs's subject: the statuses are set at once.
    const pre = PRETEST.map((id) => `'${id}'`).join(', ');
    sql(db, `UPDATE bank_items SET status = CASE WHEN identifier IN (${pre}) THEN 'pretest' ELSE 'operational' END;`);
    await ok(['form', 'create', 'A', '--title', 'Form A', '--pretest', '2'], db);
    await ok(['form', 'add', 'A', ...ITEMS], db);
    await ok(['form', 'add', 'A', '--pretest', ...PRETEST], db);
    await ok(['form', 'release', 'A'], db);
    await ok(['form', 'create', 'B', '--title', 'Form B'], db);
    await ok(['form', 'add', 'B', ...ITEMS], db);
    await ok(['form', 'release', 'B'], db);
    await ok(['form', 'create', 'D', '--title', 'Draft form'], db);
    await ok(['form', 'add', 'D', 'I.A-1'], db);
}

/** Simulated 0/1 responses: [header, ...rows] of `exam simulate` (person, I001..). */
async function simulate(persons, items, seed) {
    const r = await cli(['exam', 'simulate', '--persons', String(persons), '--items', String(items), '--seed', String(seed)]);
    assert.equal(r.code, 0, show(r));
    return r.stdout.trim().split(/\r?\n/).map((l) => l.split(','));
}

/** The same matrix as the vendor's file of a form whose items are ids, column for column. */
const vendorFile = (rows, ids) => ['candidate,' + ids.join(','), ...rows.slice(1).map((r) => r.join(','))].join('\r\n') + '\r\n';

/** `exam calibrate FILE`: {I001: difficulty, ...}. */
async function reference(file) {
    const r = await cli(['exam', 'calibrate', file]);
    assert.equal(r.code, 0, show(r));
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines[0], 'item,difficulty,se,infit,outfit');
    return Object.fromEntries(lines.slice(1).map((l) => { const f = l.split(','); return [f[0], { b: Number(f[1]), se: Number(f[2]), infit: Number(f[3]), outfit: Number(f[4]) }]; }));
}

/** The ML ability of raw score r on items of difficulties b: Newton on sum P_i(theta) = r. */
function theta(b, r) {
    let t = Math.log(r / (b.length - r));
    for (let i = 0; i < 100; i++) {
        let s = 0, info = 0;
        for (const d of b) { const p = 1 / (1 + Math.exp(d - t)); s += p; info += p * (1 - p); }
        const step = (r - s) / info;
        t += step;
        if (Math.abs(step) < 1e-12) return { theta: t, se: 1 / Math.sqrt(info) };
    }
    throw new Error('no convergence');
}

test('calibration: queued as a job (CLI and page), kept with the form, agrees with exam calibrate; refusals; one job per set under a race', { timeout: 900000 }, async () => {
    await withServer({}, async (ctx) => {
        const db = ctx.db;
        await buildForms(db);
        const jobs = (kind = 'form.calibrate') => Number(sql(db, `SELECT COUNT(*) FROM jobs WHERE kind = '${kind}';`).trim());

        // Usage: exit 2.
        for (const args of [['form', 'calibrate'], ['form', 'calibration'], ['form', 'calibrate', 'A', '--json'], ['form', 'calibration', 'A', '--wait']]) {
            const r = await cli(args, { db });
            assert.equal(r.code, 2, `${args.join(' ')}: ${show(r)}`);
        }
        // A draft form, a released one without responses, no such form: refused (exit 1), nothing queued.
        let r = await cli(['form', 'calibrate', 'D'], { db });
        assert.equal(r.code, 1, show(r));
        assert.match(r.stderr, /The form D is draft: only a released form is calibrated\./);
        r = await cli(['form', 'calibrate', 'A'], { db });
        assert.equal(r.code, 1, show(r));
        assert.match(r.stderr, /The form A has no responses yet\. Import the vendor's file first\./);
        r = await cli(['form', 'calibrate', 'NOPE'], { db });
        assert.equal(r.code, 1, show(r));
        r = await cli(['form', 'calibration', 'A'], { db });
        assert.equal(r.code, 1, show(r));
        assert.match(r.stderr, /The form A has not been calibrated yet\./);
        assert.equal(jobs(), 0);

        // Form A's file: 400 simulated persons over its 102 items; the same matrix as `exam calibrate` reads it.
        const simA = await simulate(400, FORM_ITEMS.length, 11);
        assert.equal(simA[0].length, FORM_ITEMS.length + 1);
        const refFile = path.join(dir, 'sim-a.csv');
        writeFileSync(refFile, simA.map((row) => row.join(',')).join('\n') + '\n');
        const fileA = path.join(dir, 'vendor-a.csv');
        writeFileSync(fileA, vendorFile(simA, FORM_ITEMS));
        r = await ok(['form', 'responses', 'A', fileA], db);
        assert.match(r.stdout, /400 persons, 102 items \(scored\)/);

        // Queued from the CLI; asked again while queued: the same one, no second job.
        r = await ok(['form', 'calibrate', 'A'], db);
        const m = r.stdout.match(/^calibration ([0-9a-f-]{36}) of form A: queued \(job (\d+)\)$/m);
        assert.ok(m, show(r));
        r = await ok(['form', 'calibrate', 'A'], db);
        assert.ok(r.stdout.includes(`calibration ${m[1]} of form A: queued (job ${m[2]}), asked for already`), show(r));
        assert.equal(jobs(), 1);
        let c = JSON.parse((await ok(['form', 'calibration', 'A', '--json'], db)).stdout);
        assert.equal(c.state, 'queued');
        assert.equal(c.result, null);

        // Run by --wait (the due jobs of the kind, in-process): done, with its summary.
        r = await ok(['form', 'calibrate', 'A', '--wait'], db);
        assert.match(r.stdout, new RegExp(`calibration ${m[1]}: done`));
        assert.match(r.stdout, /persons 400: used \d+/);
        assert.match(r.stdout, /items 102 \(100 scored\)/);
        assert.equal(jobs(), 1, 'the waiting call found the queued one');
        assert.equal(sql(db, `SELECT state FROM jobs WHERE id = ${m[2]};`).trim(), 'done');

        // The kept result against `exam calibrate` on the same matrix.
        c = JSON.parse((await ok(['form', 'calibration', 'A', '--json'], db)).stdout);
        assert.equal(c.state, 'done');
        assert.equal(c.id, m[1]);
        assert.ok(c.finished_at);
        const res = c.result;
        const ref = await reference(refFile);
        assert.equal(res.items.length, 102);
        res.items.forEach((x, j) => {
            assert.equal(x.identifier, FORM_ITEMS[j]);
            assert.equal(x.role, j < 100 ? 'scored' : 'pretest');
            const want = ref[simA[0][j + 1]];
            // exam calibrate prints difficulty and SE with 6 decimals, fit with 4.
            assert.ok(Math.abs(x.difficulty - want.b) <= 5e-7 + 1e-9, `${x.identifier}: ${x.difficulty} vs ${want.b}`);
            assert.ok(Math.abs(x.se - want.se) <= 5e-7 + 1e-9, `se of ${x.identifier}`);
            assert.ok(Math.abs(x.infit - want.infit) <= 5e-5 + 1e-9, `infit of ${x.identifier}`);
            assert.ok(Math.abs(x.outfit - want.outfit) <= 5e-5 + 1e-9, `outfit of ${x.identifier}`);
            // The misfit rule: infit or outfit outside 0.7-1.3.
            assert.equal(x.misfit, x.infit < 0.7 || x.infit > 1.3 || x.outfit < 0.7 || x.outfit > 1.3);
            assert.ok(x.count > 0 && x.score > 0 && x.score < x.count);
        });
        assert.ok(Math.abs(res.items.reduce((a, x) => a + x.difficulty, 0)) < 1e-9, 'difficulties sum to 0');
        assert.equal(res.persons, 400);
        assert.equal(res.used + res.zero + res.perfect + res.none, 400);
        assert.equal(res.scored_items, 100);
        assert.equal(res.misfits, res.items.filter((x) => x.misfit).length);
        // The score table: raw 0..100 over the 100 scored items only, by a Newton solve here.
        const bScored = res.items.filter((x) => x.role === 'scored').map((x) => x.difficulty);
        assert.equal(res.score_table.length, 101);
        assert.equal(res.score_table[0].theta, null);
        assert.equal(res.score_table[100].theta, null);
        for (let raw = 1; raw < 100; raw++) {
            const row = res.score_table[raw];
            const want = theta(bScored, raw);
            assert.equal(row.raw, raw);
            assert.ok(Math.abs(row.theta - want.theta) < 1e-6, `theta of ${raw}: ${row.theta} vs ${want.theta}`);
            assert.ok(Math.abs(row.se - want.se) < 1e-6, `se of ${raw}`);
            if (raw > 1) assert.ok(row.theta > res.score_table[raw - 1].theta, `monotone at ${raw}`);
        }
        // No raw cut adopted yet: no scaled scores.
        assert.equal(c.cut, null);
        assert.equal(res.score_table[50].scaled, undefined);
        // A cut adopted through an Angoff study (two panelists rate every scored item 0.6:
        // cut 60) puts raw 60 at 600: scaled = round(600 + 100 (theta - theta_60)), raw 0 at 0
        // and raw 100 at 800 (core/scale.h).
        await ok(['form', 'study', 'A', 'create', '--title', 'Panel'], db);
        const ratings = ['round,panelist,' + ITEMS.join(','), ...['P1', 'P2'].map((p) => `1,${p},` + ITEMS.map(() => '0.6').join(','))].join('\n') + '\n';
        writeFileSync(path.join(dir, 'ratings.csv'), ratings);
        await ok(['form', 'study', 'A', 'round', path.join(dir, 'ratings.csv')], db);
        await ok(['form', 'study', 'A', 'adopt', '--round', '1'], db);
        const cs = JSON.parse((await ok(['form', 'calibration', 'A', '--json'], db)).stdout);
        assert.deepEqual({ raw: cs.cut.raw, scaled: cs.cut.scaled }, { raw: 60, scaled: 600 });
        const t60 = theta(bScored, 60).theta;
        assert.ok(Math.abs(cs.cut.theta - t60) < 1e-6);
        for (let raw = 1; raw < 100; raw++) {
            const want = Math.min(800, Math.max(0, Math.round(600 + 100 * (theta(bScored, raw).theta - t60))));
            assert.equal(cs.result.score_table[raw].scaled, want, `scaled at ${raw}`);
        }
        assert.equal(cs.result.score_table[60].scaled, 600);
        assert.equal(cs.result.score_table[0].scaled, 0);
        assert.equal(cs.result.score_table[100].scaled, 800);

        // The text form: the item table, then the score table.
        r = await ok(['form', 'calibration', 'A'], db);
        assert.match(r.stdout, /^item,role,difficulty,se,infit,outfit,misfit$/m);
        assert.match(r.stdout, /^P-1,pretest,-?\d+\.\d{6},\d\.\d{6},\d\.\d{4},\d\.\d{4},(yes|no)$/m);
        assert.match(r.stdout, /^raw,theta,se$/m);
        assert.match(r.stdout, /^0,n\/a,n\/a$/m);
        assert.match(r.stdout, /^100,n\/a,n\/a$/m);

        // Form B: its first item everyone got right; CML refuses; the calibration fails at once, the reason kept.
        const simB = await simulate(200, 100, 12);
        simB.slice(1).forEach((row) => { row[1] = '1'; });
        writeFileSync(path.join(dir, 'vendor-b.csv'), vendorFile(simB, ITEMS));
        await ok(['form', 'responses', 'B', path.join(dir, 'vendor-b.csv')], db);
        r = await cli(['form', 'calibrate', 'B', '--wait'], { db });
        assert.equal(r.code, 1, show(r));
        assert.match(r.stderr, /The calibration failed: Item 1 was answered rightly by all \d+ persons used; its CML difficulty would be infinite\. Item 1 of the form is I\.A-1\./);
        const cb = JSON.parse((await ok(['form', 'calibration', 'B', '--json'], db)).stdout);
        assert.equal(cb.state, 'failed');
        assert.equal(cb.result, null);
        assert.match(cb.error, /I\.A-1/);
        assert.equal(sql(db, `SELECT state || ' ' || attempts FROM jobs WHERE id = ${cb.job_id};`).trim(), 'dead 1');
        r = await ok(['form', 'calibration', 'B'], db);
        assert.match(r.stdout, /^failed: Item 1 was answered rightly/m);
        // The dead job retried: the calibration waits again, and fails again for the same reason.
        await ok(['jobs', 'retry', String(cb.job_id)], db);
        assert.equal(JSON.parse((await ok(['form', 'calibration', 'B', '--json'], db)).stdout).state, 'queued');
        await ok(['tick'], db);
        const cb2 = JSON.parse((await ok(['form', 'calibration', 'B', '--json'], db)).stdout);
        assert.equal(cb2.id, cb.id);
        assert.equal(cb2.state, 'failed');
        assert.equal(cb2.error, cb.error);

        // A race of processes: four requests for form A's set at once make one job.
        const before = jobs();
        const raced = await Promise.all([1, 2, 3, 4].map(() => cli(['form', 'calibrate', 'A'], { db })));
        raced.forEach((x) => assert.equal(x.code, 0, show(x)));
        const ids = new Set(raced.map((x) => x.stdout.match(/calibration ([0-9a-f-]{36})/)[1]));
        assert.equal(ids.size, 1, raced.map((x) => x.stdout).join(''));
        assert.equal(jobs(), before + 1);
        assert.equal(raced.filter((x) => /asked for already/.test(x.stdout)).length, 3);
        await ok(['tick'], db); // the periodic work, then the due jobs (cli/jobs.c)
        assert.equal(JSON.parse((await ok(['form', 'calibration', 'A', '--json'], db)).stdout).state, 'done');

        // The same matrix as the options chosen (B is every item's key; A, C and "-" an omit are
        // wrong): a new file of form A, scored against the bank's keys, calibrates the same.
        const wrong = ['A', 'C', '-'];
        const optRows = simA.map((row, p) => (p === 0 ? row : row.map((x, j) => (j === 0 ? x : x === '1' ? 'B' : wrong[(p + j) % 3]))));
        writeFileSync(path.join(dir, 'vendor-a-options.csv'), vendorFile(optRows, FORM_ITEMS));
        r = await ok(['form', 'responses', 'A', path.join(dir, 'vendor-a-options.csv')], db);
        assert.match(r.stdout, /400 persons, 102 items \(options\)/);
        r = await ok(['form', 'calibrate', 'A', '--wait'], db);
        const co = JSON.parse((await ok(['form', 'calibration', 'A', '--json'], db)).stdout);
        assert.equal(co.state, 'done');
        assert.equal(co.set.kind, 'options');
        assert.notEqual(co.id, c.id);
        co.result.items.forEach((x, j) => {
            assert.ok(Math.abs(x.difficulty - res.items[j].difficulty) < 1e-9, `options file, ${x.identifier}`);
            assert.equal(x.score, res.items[j].score);
        });

        // The pages.
        await ctx.start();
        const ex = await ctx.signIn(ctx.w.people.examiner.email);
        const leader = await ctx.signIn(ctx.w.people.leader_a.email);
        r = await ex.get('/exam/forms/A/calibration');
        assert.equal(r.status, 200, showRes(r));
        assert.equal(r.json.state, 'done');
        assert.equal(r.json.result.items.length, 102);
        r = await ex.get('/exam/forms/A/calibration', { html: true });
        assert.equal(r.status, 200, showRes(r));
        assert.match(r.text, /<caption>Item difficulties, their standard errors and fit<\/caption>/);
        assert.match(r.text, /<td>P-1<\/td><td>pretest<\/td>/);
        assert.match(r.text, /<td>(fits|<span class="tag tag-warn">misfit<\/span>)<\/td>/);
        assert.match(r.text, /below 0\.7 or above 1\.3/);
        assert.match(r.text, /<div class="table-scroll" tabindex="0" role="region" aria-labelledby="items-title">/);
        assert.match(r.text, /<meta name="viewport" content="width=device-width/);
        r = await ex.get('/exam/forms/B/calibration', { html: true });
        assert.match(r.text, /The calibration failed:<\/strong> Item 1 was answered rightly/);
        // The buttons: on the form's page and the analysis.
        for (const p of ['/exam/forms/A', '/exam/forms/A/analysis']) {
            r = await ex.get(p, { html: true });
            assert.match(r.text, /action="\/exam\/forms\/A\/calibrate"/, p);
            assert.match(r.text, /Calibrate \(Rasch\)/, p);
        }

        // POST: CSRF required; a draft form 409; others 404.
        const n0 = jobs();
        r = await ex.post('/exam/forms/A/calibrate', {}, { form: true, html: true, csrf: false });
        assert.equal(r.status, 403, showRes(r));
        r = await ex.post('/exam/forms/D/calibrate', {});
        assert.equal(r.status, 409, showRes(r));
        assert.match(r.json.error.message, /only a released form is calibrated/);
        r = await ex.post('/exam/forms/D/calibrate', {}, { form: true, html: true });
        assert.equal(r.status, 409, showRes(r));
        assert.match(r.text, /only a released form is calibrated/);
        r = await leader.post('/exam/forms/A/calibrate', {}, { form: true, html: true });
        assert.equal(r.status, 404, showRes(r));
        r = await leader.get('/exam/forms/A/calibration', { html: true });
        assert.equal(r.status, 404, showRes(r));
        r = await leader.get('/exam/forms/A/calibration');
        assert.equal(r.status, 404, showRes(r));
        assert.equal(jobs(), n0);

        // Two POSTs at once: one calibration and one job. (The server's worker may take the
        // job meanwhile; then a second one is right only once the first had finished.)
        const posts = await Promise.all([ex.post('/exam/forms/A/calibrate', {}), ex.post('/exam/forms/A/calibrate', {})]);
        posts.forEach((x) => assert.equal(x.status, 202, showRes(x)));
        const pids = [...new Set(posts.map((x) => x.json.id))];
        if (pids.length > 1) {
            const rows = pids.map((id) => {
                const [st, fin, req] = sql(db, `SELECT state || '|' || COALESCE(finished_at, '') || '|' || requested_at FROM exam_calibrations WHERE id = '${id}';`).trim().split('|');
                return { state: st, finished_at: fin, requested_at: req };
            });
            rows.sort((a, b) => (a.requested_at < b.requested_at ? -1 : 1));
            assert.ok(rows[0].state === 'done' && rows[0].finished_at <= rows[1].requested_at, JSON.stringify(rows));
        } else {
            assert.equal(posts.filter((x) => x.json.created).length, 1);
        }
        assert.equal(jobs(), n0 + pids.length);
        // From the page (HTML): 303 to the calibration, which the server's worker runs.
        r = await ex.post('/exam/forms/A/calibrate', {}, { form: true, html: true });
        assert.equal(r.status, 303, showRes(r));
        assert.equal(r.headers.location, '/exam/forms/A/calibration');
        r = await ex.get('/exam/forms/A/calibration', { html: true });
        assert.ok(/The calibration runs in the background/.test(r.text) || /State: <strong>done/.test(r.text), r.text.slice(0, 2000));
        let state = '';
        for (let i = 0; i < 100 && state !== 'done'; i++) {
            state = (await ex.get('/exam/forms/A/calibration')).json.state;
            if (state !== 'done') await sleep(200);
        }
        assert.equal(state, 'done', 'the server ran it');

        // Audited, once per calibration made.
        const made = Number(sql(db, 'SELECT COUNT(*) FROM exam_calibrations;').trim());
        assert.equal(Number(sql(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'form.calibrate';").trim()), made);
        assert.equal(jobs(), made);
    });
});

// A pretest item nobody got right cannot be estimated: it is left out and reported, and the
// form's other items are calibrated (a scored item that cannot be estimated stops the
// calibration: form B above).
test('calibration: a pretest item CML cannot estimate is left out with its reason; the rest calibrate', { timeout: 900000 }, async () => {
    await withServer({}, async (ctx) => {
        const db = ctx.db;
        await buildForms(db);
        const sim = await simulate(300, 102, 21);
        sim.slice(1).forEach((row) => { row[102] = '0'; }); // P-2: everyone wrong
        const file = path.join(dir, 'vendor-p2.csv');
        writeFileSync(file, vendorFile(sim, FORM_ITEMS));
        await ok(['form', 'responses', 'A', file], db);
        let r = await ok(['form', 'calibrate', 'A', '--wait'], db);
        assert.match(r.stdout, /: done/, show(r));
        const c = JSON.parse((await ok(['form', 'calibration', 'A', '--json'], db)).stdout);
        assert.equal(c.state, 'done');
        assert.equal(c.result.dropped, 1);
        assert.equal(c.result.items.length, 102);
        const p2 = c.result.items.find((x) => x.identifier === 'P-2');
        assert.equal(p2.difficulty, null);
        assert.match(p2.dropped, /wrongly by all \d+ persons used/);
        const calibrated = c.result.items.filter((x) => x.dropped === undefined);
        assert.equal(calibrated.length, 101);
        assert.ok(Math.abs(calibrated.reduce((a, x) => a + x.difficulty, 0)) < 1e-9, 'the calibrated items sum to 0');
        assert.equal(c.result.items.findIndex((x) => x.identifier === 'P-2'), 101, 'the form order kept');
        assert.equal(c.result.score_table.length, 101);
        r = await ok(['form', 'calibration', 'A'], db);
        assert.match(r.stdout, /^P-2,pretest,n\/a,n\/a,n\/a,n\/a,not calibrated$/m);
        assert.match(r.stderr, /pretest item P-2 was left out of the calibration: Item \d+ was answered wrongly/);
        await ctx.start();
        const ex = await ctx.signIn(ctx.w.people.examiner.email);
        r = await ex.get('/exam/forms/A/calibration', { html: true });
        assert.match(r.text, /<td>P-2<\/td><td>pretest<\/td>.*<span class="tag tag-warn">not calibrated<\/span> Item \d+ was answered wrongly/);
    });
});
