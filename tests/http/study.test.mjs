// The Angoff study kept in the database (issue 10 point 7): a released form of 100 scored
// items (built as in responses.test.mjs) and a scored response file of 20 candidates whose
// totals are chosen here; two rounds of ratings, whose cuts, SDs and SEs are worked by hand
// below and also compared with what `ctoframe exam angoff` prints for the same files (the
// file-based path, core/angoff.c read directly); impact data counted here from the totals;
// the Hofstee and Beuk checks against `exam hofstee` and `exam beuk` on the same responses; a
// bad ratings file named LINE:COLUMN with nothing written; wrong item columns refused; the
// adopted cut on the form; 404 for anyone but an examiner; CSRF on every form; two concurrent
// starts make one study. Runs on SQLite and, with CTOFRAME_TEST_DB, on PostgreSQL.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BLUEPRINT, SKILLS, bankFileOf } from './examhelp.mjs';
import { cli, withServer, show as showRes } from './authhelp.mjs';
import { sql } from './cehelp.mjs';

const show = (r) => `exit ${r.code}\nstdout:\n${r.stdout.slice(0, 1500)}\nstderr:\n${r.stderr.slice(0, 1500)}`;
const dir = mkdtempSync(path.join(tmpdir(), 'ctoframe-study-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const ITEMS = SKILLS.flatMap((s) => Array.from({ length: BLUEPRINT[s] }, (_, k) => `${s}-${k + 1}`));
assert.equal(ITEMS.length, 100);
const skillOf = (id) => id.replace(/-\d+$/, '');
const near = (a, b, what, eps = 1e-9) => assert.ok(Math.abs(a - b) < eps, `${what}: ${a} vs ${b}`);

async function ok(args, db) {
    const r = await cli(args, { db });
    assert.equal(r.code, 0, `${args.join(' ')}: ${show(r)}`);
    return r;
}

/** The bank (100 operational items, P-1 in pretest), form A released, form B released with
 * P-1 as its pretest item, form D a draft. */
async function buildForms(db) {
    await ok(['bank', 'import', bankFileOf(dir, 'bank.json', [...ITEMS, 'P-1'], (id) => (id === 'P-1' ? 'I.A' : skillOf(id)))], db);
    // The workflow is bank_cli.test.mjs's subject: the statuses are set at once.
    sql(db, "UPDATE bank_items SET status = CASE WHEN identifier = 'P-1' THEN 'pretest' ELSE 'operational' END;");
    await ok(['form', 'create', 'A', '--title', 'Form A'], db);
    await ok(['form', 'add', 'A', ...ITEMS], db);
    await ok(['form', 'release', 'A'], db);
    await ok(['form', 'create', 'B', '--title', 'Form B', '--pretest', '1'], db);
    await ok(['form', 'add', 'B', ...ITEMS], db);
    await ok(['form', 'add', 'B', '--pretest', 'P-1'], db);
    await ok(['form', 'release', 'B'], db);
    await ok(['form', 'create', 'D', '--title', 'Draft form'], db);
    await ok(['form', 'add', 'D', 'I.A-1'], db);
}

// The responses: candidate k answers the first TOTALS[k] items right and the rest wrong.
const TOTALS = [40, 50, 55, 60, 62, 63, 64, 65, 66, 67, 68, 70, 72, 75, 80, 85, 90, 95, 30, 64];
const responsesText = ['candidate,' + ITEMS.join(','),
    ...TOTALS.map((t, k) => `c${String(k).padStart(2, '0')},` + ITEMS.map((_, j) => (j < t ? 1 : 0)).join(','))].join('\n') + '\n';
// The share of candidates with a total of c or more, counted here.
const passAt = (c) => TOTALS.filter((t) => t >= c).length / TOTALS.length;
// Form B's vendor file: the options chosen (B the key of every item), the same candidates on
// the scored items, and everyone right on the pretest item P-1, which no total counts.
const optionsText = ['candidate,' + [...ITEMS, 'P-1'].join(','),
    ...TOTALS.map((t, k) => `c${String(k).padStart(2, '0')},` + ITEMS.map((_, j) => (j < t ? 'B' : 'A')).join(',') + ',B')].join('\n') + '\n';

// The ratings. Round 1: P1 rates every item 0.60 but I.A-1 0.20; P2 0.70 but I.A-1 0.90;
// P3 0.65 but I.A-1 0.55.
//   cuts: P1 99(0.60) + 0.20 = 59.6; P2 99(0.70) + 0.90 = 70.2; P3 99(0.65) + 0.55 = 64.9
//   panel cut = (59.6 + 70.2 + 64.9) / 3 = 194.7 / 3 = 64.9; deviations -5.3, 5.3, 0
//   SD = sqrt((5.3² + 5.3²) / 2) = 5.3; SE = 5.3 / sqrt(3) = 3.05996; raw cut 65
//   I.A-1's ratings (0.2, 0.9, 0.55) spread most: it heads the disagreement list.
// Round 2: P1 0.62, P2 0.66, P3 0.64 on every item: cuts 62, 66, 64; panel cut 64;
//   SD = sqrt((2² + 2²) / 2) = 2; SE = 2 / sqrt(3) = 1.15470; raw cut 64.
const row = (round, who, base, first) => `${round},${who},` + ITEMS.map((id) => (id === 'I.A-1' ? first : base)).join(',');
const header = 'round,panelist,' + ITEMS.join(',');
const round1 = [header, row(1, 'P1', '0.60', '0.20'), row(1, 'P2', '0.70', '0.90'), row(1, 'P3', '0.65', '0.55')].join('\n') + '\n';
const round2 = [header, row(2, 'P1', '0.62', '0.62'), row(2, 'P2', '0.66', '0.66'), row(2, 'P3', '0.64', '0.64')].join('\n') + '\n';
const HAND = [
    { round: 1, cut: 64.9, sd: 5.3, se: 5.3 / Math.sqrt(3), raw: 65, cuts: [59.6, 70.2, 64.9] },
    { round: 2, cut: 64, sd: 2, se: 2 / Math.sqrt(3), raw: 64, cuts: [62, 66, 64] },
];

test('study: rounds kept with their cuts and SEs (hand-worked, and as exam angoff prints them), impact data, refusals by LINE:COLUMN, compromise checks, adoption, pages, 404, CSRF, one open study', { timeout: 900000 }, async () => {
    await withServer({}, async (ctx) => {
        const db = ctx.db;
        await buildForms(db);
        const write = (name, text) => { const p = path.join(dir, name); writeFileSync(p, text); return p; };
        const respFile = write('responses.csv', responsesText);
        const r1 = write('round1.csv', round1);
        const r2 = write('round2.csv', round2);
        const ratings = () => Number(sql(db, 'SELECT COUNT(*) FROM exam_study_ratings;').trim());
        const rounds = () => Number(sql(db, 'SELECT COUNT(*) FROM exam_study_rounds;').trim());

        // Usage: exit 2.
        for (const args of [['form', 'study', 'A'], ['form', 'study', 'A', 'create'], ['form', 'study', 'A', 'round'],
            ['form', 'study', 'A', 'adopt'], ['form', 'study', 'A', 'adopt', '--round', 'x'], ['form', 'study', 'A', 'compromise', '--kmin', '50'],
            ['form', 'study', 'A', 'show', '--title', 'x'], ['form', 'study', 'A', 'nope']]) {
            const r = await cli(args, { db });
            assert.equal(r.code, 2, `${args.join(' ')}: ${show(r)}`);
        }
        // A draft form has no study; nor a round without a study.
        let r = await cli(['form', 'study', 'D', 'create', '--title', 'Panel'], { db });
        assert.equal(r.code, 1, show(r));
        assert.match(r.stderr, /The form D is draft: an Angoff study rates the frozen items of a released form\./);
        r = await cli(['form', 'study', 'A', 'round', r1], { db });
        assert.equal(r.code, 1, show(r));
        assert.match(r.stderr, /The form A has no open Angoff study\. Start one first\./);
        r = await ok(['form', 'study', 'A', 'show', '--json'], db);
        assert.equal(JSON.parse(r.stdout).study, null);

        await ok(['form', 'responses', 'A', respFile], db);
        r = await ok(['form', 'study', 'A', 'create', '--title', 'Spring panel'], db);
        assert.match(r.stdout, /Angoff study "Spring panel" started for form A/);
        r = await cli(['form', 'study', 'A', 'create', '--title', 'Another'], { db });
        assert.equal(r.code, 1, show(r));
        assert.match(r.stderr, /The form A has an open Angoff study already/);

        // A bad cell: line 3 (P2), the column of I.A-5: 1.5 is not a probability. Nothing written.
        const bad = round1.replace(/^(1,P2,(?:[^,\n]*,){4})0\.70/m, '$11.5');
        assert.notEqual(bad, round1);
        const line3 = bad.split('\n')[2];
        const col = line3.indexOf('1.5') + 1;
        r = await cli(['form', 'study', 'A', 'round', write('bad.csv', bad)], { db });
        assert.equal(r.code, 1, show(r));
        assert.match(r.stderr, /nothing was written/);
        assert.match(r.stderr, new RegExp(`bad\\.csv:3:${col}: `), show(r));
        assert.equal(ratings(), 0);
        assert.equal(rounds(), 0);

        // Wrong item columns: III.D-7 renamed NOPE (column of the last header cell).
        const nope = round1.replace(',III.D-7\n', ',NOPE\n');
        const nopeCol = header.lastIndexOf(',') + 2;
        r = await cli(['form', 'study', 'A', 'round', write('nope.csv', nope)], { db });
        assert.equal(r.code, 1, show(r));
        assert.ok(r.stderr.includes(`nope.csv:1:1: The form's scored item III.D-7 has no column.`), show(r));
        assert.ok(r.stderr.includes(`nope.csv:1:${nopeCol}: "NOPE" is not a scored item of this form.`), show(r));
        // Round 2 before round 1: every row named at its line, column 1.
        r = await cli(['form', 'study', 'A', 'round', r2], { db });
        assert.equal(r.code, 1, show(r));
        for (const line of [2, 3, 4]) assert.ok(r.stderr.includes(`round2.csv:${line}:1: The round is 2: the next round of this study is 1`), show(r));
        assert.equal(ratings(), 0);

        // Round 1 by the CLI.
        r = await ok(['form', 'study', 'A', 'round', r1], db);
        assert.match(r.stdout, /round 1 of form A's study imported from round1\.csv: 3 panelists, cut 64\.900 \(raw cut 65\), SD 5\.300, SE 3\.060/);
        assert.equal(ratings(), 300);
        // The same round again is refused: a round once imported is kept; a correction is a new round.
        r = await cli(['form', 'study', 'A', 'round', r1], { db });
        assert.equal(r.code, 1, show(r));
        assert.match(r.stderr, /round1\.csv:2:1: The round is 1: the next round of this study is 2/);
        // The database itself keeps a round as imported.
        assert.throws(() => sql(db, "UPDATE exam_study_ratings SET rating = 0.5 WHERE panelist = 'P1';"));
        assert.throws(() => sql(db, 'DELETE FROM exam_study_ratings;'));
        assert.equal(ratings(), 300);

        // Form B: impact data counts the scored items alone (the kept totals leave the pretest
        // item out); a pretest item is not rated.
        await ok(['form', 'responses', 'B', write('options.csv', optionsText)], db);
        assert.equal(sql(db, "SELECT total FROM exam_responses r JOIN exam_response_sets s ON s.id = r.set_id JOIN exam_forms f ON f.id = s.form_id WHERE f.code = 'B' AND r.candidate = 'c00';").trim(), String(TOTALS[0]));
        await ok(['form', 'study', 'B', 'create', '--title', 'Form B panel'], db);
        r = await cli(['form', 'study', 'B', 'round', write('pretest.csv', round1.replace(/\n/, ',P-1\n').replace(/^(1,P\d,.*)$/gm, '$1,0.5'))], { db });
        assert.equal(r.code, 1, show(r));
        assert.ok(r.stderr.includes(`pretest.csv:1:${header.length + 2}: "P-1" is not a scored item of this form.`), show(r));
        await ok(['form', 'study', 'B', 'round', r1], db);
        const recB = JSON.parse((await ok(['form', 'study', 'B', 'show', '--json'], db)).stdout);
        assert.equal(recB.rounds[0].raw_cut, 65);
        near(recB.rounds[0].pass_rate, passAt(65), 'form B: pass rate at 65 over the scored items');
        assert.notEqual(passAt(65), passAt(64), 'a total counting P-1 (one higher) would give another rate');
        assert.equal(recB.impact.persons, 20);

        // The pages: an examiner; a leader gets 404 everywhere.
        await ctx.start();
        const ex = await ctx.signIn(ctx.w.people.examiner.email);
        const leader = await ctx.signIn(ctx.w.people.leader_a.email);

        // Round 2 uploaded on the page (multipart, CSRF).
        const multipart = (fields, file) => {
            const b = '----ctoframe-study-boundary';
            const parts = Object.entries(fields).map(([k, v]) => `--${b}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
            parts.push(`--${b}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: text/csv\r\n\r\n${file.data}\r\n`);
            return { body: Buffer.from(parts.join('') + `--${b}--\r\n`), type: `multipart/form-data; boundary=${b}` };
        };
        let mp = multipart({}, { name: 'round2.csv', data: round2 });
        r = await ex.request('POST', '/exam/forms/A/study/round', { body: mp.body, headers: { 'content-type': mp.type }, csrf: false });
        assert.equal(r.status, 403, showRes(r));
        mp = multipart({ csrf: await ex.csrf() }, { name: 'bad.csv', data: bad.replace(/^1,/gm, '2,') });
        r = await ex.request('POST', '/exam/forms/A/study/round', { body: mp.body, headers: { 'content-type': mp.type }, csrf: false });
        assert.equal(r.status, 400, showRes(r));
        assert.ok(r.json.problems.some((p) => p.line === 3 && p.column === col), JSON.stringify(r.json));
        assert.equal(ratings(), 600, 'nothing written');
        mp = multipart({ csrf: await leader.csrf() }, { name: 'round2.csv', data: round2 });
        r = await leader.request('POST', '/exam/forms/A/study/round', { body: mp.body, headers: { 'content-type': mp.type }, csrf: false });
        assert.equal(r.status, 404, showRes(r));
        mp = multipart({ csrf: await ex.csrf() }, { name: 'round2.csv', data: round2 });
        r = await ex.request('POST', '/exam/forms/A/study/round', { body: mp.body, headers: { 'content-type': mp.type, accept: 'text/html' }, csrf: false });
        assert.equal(r.status, 303, showRes(r));
        assert.equal(r.headers.location, '/exam/forms/A/study?done=round');
        assert.equal(ratings(), 900); // A's two rounds and B's one

        // The record against the hand-worked numbers.
        r = await ex.get('/exam/forms/A/study');
        assert.equal(r.status, 200, showRes(r));
        const rec = r.json;
        assert.equal(rec.study.title, 'Spring panel');
        assert.equal(rec.study.status, 'open');
        assert.equal(rec.rounds.length, 2);
        for (const [i, h] of HAND.entries()) {
            const x = rec.rounds[i];
            assert.equal(x.round, h.round);
            assert.equal(x.panelists, 3);
            near(x.cut, h.cut, `cut of round ${h.round}`);
            near(x.sd, h.sd, `SD of round ${h.round}`);
            near(x.se, h.se, `SE of round ${h.round}`);
            assert.equal(x.raw_cut, h.raw);
            assert.deepEqual(x.panelist_cuts.map((p) => p.panelist), ['P1', 'P2', 'P3']);
            x.panelist_cuts.forEach((p, k) => near(p.cut, h.cuts[k], `cut of ${p.panelist}`));
            // Impact data: the share of the 20 candidates at or above the raw cut.
            near(x.pass_rate, passAt(h.raw), `pass rate at ${h.raw}`);
        }
        assert.equal(rec.rounds[0].most_disagreement[0], 'I.A-1');
        // Counted by hand from TOTALS: at 65 or more 65 66 67 68 70 72 75 80 85 90 95 (11 of 20);
        // at 64 or more those and the two 64s (13 of 20).
        assert.equal(passAt(65), 11 / 20);
        assert.equal(passAt(64), 13 / 20);
        assert.equal(rec.rounds[0].file_name, 'round1.csv');
        assert.equal(rec.rounds[1].file_name, 'round2.csv');
        assert.equal(rec.impact.persons, 20);

        // The same numbers by the file-based path: exam angoff on the two rounds and the responses.
        const both = write('both.csv', round1 + round2.split('\n').slice(1).join('\n'));
        for (const h of HAND) {
            r = await ok(['exam', 'angoff', both, '--round', String(h.round), '--responses', respFile]);
            const a = JSON.parse(r.stdout);
            const x = rec.rounds[h.round - 1];
            near(x.cut, a.rounds[0].cut, `cut as exam angoff prints it, round ${h.round}`, 1e-9);
            near(x.se, a.rounds[0].se, `SE as exam angoff prints it, round ${h.round}`, 1e-9);
            near(x.sd, a.rounds[0].sd, `SD as exam angoff prints it, round ${h.round}`, 1e-9);
            assert.equal(x.raw_cut, a.final_raw_cut);
            near(x.pass_rate, a.impact.pass_rate, `pass rate as exam angoff prints it, round ${h.round}`, 1e-9);
        }

        // The compromise parameters: refused field by field, then recorded.
        r = await ex.post('/exam/forms/A/study', { action: 'compromise', kmin: '80', kmax: '50', fmin: 'x', fmax: '50', beuk_pass: '70' }, { form: true });
        assert.equal(r.status, 400, showRes(r));
        r = await ok(['form', 'study', 'A', 'compromise', '--kmin', '50', '--kmax', '80', '--fmin', '10', '--fmax', '50', '--beuk-pass', '70', '--beuk-sd', '10'], db);
        r = await ex.get('/exam/forms/A/study');
        const hof = JSON.parse((await ok(['exam', 'hofstee', '--responses', respFile, '--kmin', '50', '--kmax', '80', '--fmin', '10', '--fmax', '50'])).stdout);
        assert.equal(r.json.hofstee.crosses, hof.crosses);
        assert.equal(r.json.hofstee.raw_cut, hof.raw_cut);
        near(r.json.hofstee.cut_percent, hof.cut_percent, 'Hofstee cut', 1e-6);
        // Beuk with the last round (2): the panel's cut 64 % (64 of 100 items), its SD 2 %.
        const beuk = JSON.parse((await ok(['exam', 'beuk', '--responses', respFile, '--cut', '64', '--cut-sd', '2', '--pass', '70', '--pass-sd', '10'])).stdout);
        assert.equal(r.json.beuk.round, 2);
        assert.equal(r.json.beuk.crosses, beuk.crosses);
        assert.equal(r.json.beuk.raw_cut, beuk.raw_cut);
        near(r.json.beuk.cut_percent, beuk.cut_percent, 'Beuk cut', 1e-6);
        assert.equal(r.json.study.compromise.kmin, 50);
        assert.equal(r.json.study.compromise.beuk_sd, 10);

        // The printable page.
        r = await ex.get('/exam/forms/A/study', { html: true });
        assert.equal(r.status, 200, showRes(r));
        assert.match(r.text, /<meta name="viewport" content="width=device-width/);
        assert.match(r.text, /<td data-label="Cut \(items\)" class="num">64\.90<\/td>/);
        assert.match(r.text, /<td data-label="SE" class="num">3\.06<\/td>/);
        assert.match(r.text, /Imported round 2 from round2\.csv \(3 panelists\)\./);
        r = await ex.get('/exam/forms/A', { html: true });
        assert.match(r.text, /href="\/exam\/forms\/A\/study"/);
        assert.match(r.text, /No cut is adopted yet\./);

        // Others: 404 on the page and every form.
        r = await leader.get('/exam/forms/A/study', { html: true });
        assert.equal(r.status, 404, showRes(r));
        for (const body of [{ action: 'adopt', round: '1' }, { action: 'create', title: 'x' }, { action: 'compromise', kmin: '1', kmax: '2', fmin: '1', fmax: '2' }]) {
            r = await leader.post('/exam/forms/A/study', body, { form: true, html: true });
            assert.equal(r.status, 404, showRes(r));
        }
        // CSRF on the forms.
        r = await ex.post('/exam/forms/A/study', { action: 'adopt', round: '2' }, { form: true, html: true, csrf: false });
        assert.equal(r.status, 403, showRes(r));

        // Adopting round 2: the form's cut is 64; the study closes.
        r = await ex.post('/exam/forms/A/study', { action: 'adopt', round: '9' }, { form: true });
        assert.equal(r.status, 400, showRes(r));
        r = await ex.post('/exam/forms/A/study', { action: 'adopt', round: '2' }, { form: true, html: true });
        assert.equal(r.status, 303, showRes(r));
        assert.equal(sql(db, "SELECT cut_raw FROM exam_forms WHERE code = 'A';").trim(), '64');
        r = await ex.get('/exam/forms/A', { html: true });
        assert.match(r.text, /Raw cut 64 of 100 scored items = 600 on the scaled score\./);
        r = await ok(['form', 'study', 'A', 'show', '--json'], db);
        const closed = JSON.parse(r.stdout);
        assert.equal(closed.cut_raw, 64);
        assert.equal(closed.study.status, 'closed');
        assert.equal(closed.study.adopted_round, 2);
        assert.ok(closed.events.some((e) => /Adopted the cut of round 2: raw cut 64/.test(e.what)));
        // The record of an adopted cut keeps its impact data: a later import (5 candidates, all
        // right) does not change it.
        assert.equal(closed.impact.kept_at_adoption, true);
        assert.equal(closed.impact.persons, 20);
        const later = ['candidate,' + ITEMS.join(','), ...[1, 2, 3, 4, 5].map((k) => `n${k},` + ITEMS.map(() => 1).join(','))].join('\n') + '\n';
        await ok(['form', 'responses', 'A', write('later.csv', later)], db);
        const after = JSON.parse((await ok(['form', 'study', 'A', 'show', '--json'], db)).stdout);
        assert.equal(after.impact.persons, 20);
        assert.equal(after.impact.file_name, 'responses.csv');
        near(after.rounds[1].pass_rate, passAt(64), 'round 2 pass rate as at adoption');
        assert.match((await ex.get('/exam/forms/A/study', { html: true })).text, /kept with the study so that this record does not change/);
        r = await cli(['form', 'study', 'A', 'adopt', '--round', '1'], { db });
        assert.equal(r.code, 1, show(r));
        assert.match(r.stderr, /no open Angoff study/);

        // Two starts at once make one study.
        const both2 = await Promise.all([1, 2].map((k) => ex.post('/exam/forms/A/study', { action: 'create', title: `Autumn ${k}` }, { form: true, html: true })));
        const codes = both2.map((x) => x.status).sort();
        assert.deepEqual(codes, [303, 409], both2.map(showRes).join('\n'));
        assert.equal(sql(db, "SELECT COUNT(*) FROM exam_studies s JOIN exam_forms f ON f.id = s.form_id WHERE s.status = 'open' AND f.code = 'A';").trim(), '1');

        // Audited.
        const actions = sql(db, "SELECT action FROM audit_log WHERE action LIKE 'form.study.%' ORDER BY id").trim().split('\n');
        assert.deepEqual(actions, ['form.study.create', 'form.study.round', 'form.study.create', 'form.study.round', 'form.study.round', 'form.study.compromise', 'form.study.adopt', 'form.study.create']);
    });
});
