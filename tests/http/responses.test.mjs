// Response files and item analysis (issue 10 points 4 and 5): a released form of 100
// operational items is built as in forms_cli.test.mjs; a vendor's file of 40 candidates is
// generated here with three items made to be flagged (one everyone answers right, one whose
// distractor draws most candidates, one the strong candidates get wrong). The file is refused
// for a draft form and for a bad cell (named LINE:COLUMN, nothing written); imported whole;
// its analysis (CLI, JSON page) agrees with numbers computed below from the file itself; a
// flagged item sent back goes to review with its statistics in its history (CLI and page);
// the page's upload takes the file (multipart, CSRF); others get 404. Runs on SQLite and,
// with CTOFRAME_TEST_DB, on PostgreSQL.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BLUEPRINT, SKILLS, bankFileOf, qti } from './examhelp.mjs';
import { cli, withServer, show as showRes } from './authhelp.mjs';
import { sql } from './cehelp.mjs';

const show = (r) => `exit ${r.code}\nstdout:\n${r.stdout.slice(0, 1500)}\nstderr:\n${r.stderr.slice(0, 1500)}`;
const dir = mkdtempSync(path.join(tmpdir(), 'ctoframe-responses-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const ITEMS = SKILLS.flatMap((s) => Array.from({ length: BLUEPRINT[s] }, (_, k) => `${s}-${k + 1}`));
assert.equal(ITEMS.length, 100);
const skillOf = (id) => id.replace(/-\d+$/, '');

async function ok(args, db) {
    const r = await cli(args, { db });
    assert.equal(r.code, 0, `${args.join(' ')}: ${show(r)}`);
    return r;
}

/** The bank (100 operational items and W-1 in draft), form A released, form D a draft. */
async function buildForms(db) {
    await ok(['bank', 'import', bankFileOf(dir, 'bank.json', [...ITEMS, 'W-1'], (id) => (id === 'W-1' ? 'I.A' : skillOf(id)))], db);
    // The workflow (review, pretest, operational) is bank_cli.test.mjs's subject; here the 100
    // items are made operational at once (400 commands less per server).
    sql(db, "UPDATE bank_items SET status = 'operational' WHERE identifier <> 'W-1';");
    await ok(['form', 'create', 'A', '--title', 'Form A'], db);
    await ok(['form', 'add', 'A', ...ITEMS], db);
    await ok(['form', 'release', 'A'], db);
    await ok(['form', 'create', 'D', '--title', 'Draft form'], db);
    await ok(['form', 'add', 'D', 'I.A-1'], db);
}

// The vendor's file: 40 candidates c00..c39 of rising ability; cell = the option chosen.
const N = 40;
function choice(c, j, id) {
    if (id === 'I.A-1') return 'B'; // everyone right: too easy
    if (id === 'I.A-2') return c < 30 ? 'A' : 'B'; // A draws 30 of 40, the key 10
    if (id === 'I.A-3') return c >= 20 ? 'C' : 'B'; // the strong half gets it wrong
    if (id === 'I.A-4' && c === 0) return ''; // not presented
    if (id === 'I.A-4' && c === 1) return '-'; // presented, nothing chosen
    const u = ((c * 7919 + j * 104729) % 1000) / 1000;
    return u < 0.25 + 0.7 * (c / (N - 1)) ? 'B' : (c + j) % 2 ? 'A' : 'C';
}
const cells = Array.from({ length: N }, (_, c) => ITEMS.map((id, j) => choice(c, j, id)));
// Columns in another order than the form's: reversed.
const order = [...ITEMS].reverse();
const fileText = (rows = cells) => ['candidate,' + order.join(','),
    ...rows.map((row, c) => `c${String(c).padStart(2, '0')},` + order.map((id) => row[ITEMS.indexOf(id)]).join(','))].join('\r\n') + '\r\n';

// The numbers, computed here from the cells (scores: B right; '' not presented).
const score = cells.map((row) => row.map((x) => (x === '' ? null : x === 'B' ? 1 : 0)));
const total = score.map((row) => row.reduce((a, x) => a + (x === 1 ? 1 : 0), 0));
const complete = score.map((row, c) => c).filter((c) => score[c].every((x) => x !== null));
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const variance = (xs) => { const m = mean(xs); return xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1); };
const pearson = (xs, ys) => {
    const mx = mean(xs), my = mean(ys);
    let sxy = 0, sxx = 0, syy = 0;
    for (let i = 0; i < xs.length; i++) { sxy += (xs[i] - mx) * (ys[i] - my); sxx += (xs[i] - mx) ** 2; syy += (ys[i] - my) ** 2; }
    return sxy / Math.sqrt(sxx * syy);
};
// Cronbach's alpha over the complete candidates: k/(k-1) (1 - sum of item variances / variance of totals).
const alpha = (() => {
    const k = ITEMS.length;
    const itemVar = ITEMS.map((_, j) => variance(complete.map((c) => score[c][j]))).reduce((a, b) => a + b, 0);
    return (k / (k - 1)) * (1 - itemVar / variance(complete.map((c) => total[c])));
})();
const restR = (id) => {
    const j = ITEMS.indexOf(id);
    return pearson(complete.map((c) => score[c][j]), complete.map((c) => total[c] - score[c][j]));
};
const multipart = (fields, file) => {
    const b = '----ctoframe-responses-boundary';
    const parts = Object.entries(fields).map(([k, v]) => `--${b}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
    parts.push(`--${b}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: text/csv\r\n\r\n${file.data}\r\n`);
    return { body: Buffer.from(parts.join('') + `--${b}--\r\n`), type: `multipart/form-data; boundary=${b}` };
};
const near = (a, b, what) => assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} vs ${b}`);

test('responses: refused for a draft form and for a bad cell (LINE:COLUMN, nothing written); imported; the analysis and distractors; send-back to review with the statistics; the pages', { timeout: 900000 }, async () => {
    await withServer({}, async (ctx) => {
        const db = ctx.db;
        await buildForms(db);
        const good = path.join(dir, 'vendor.csv');
        writeFileSync(good, fileText());
        const sets = () => Number(sql(db, 'SELECT COUNT(*) FROM exam_response_sets;').trim());
        const rows = () => Number(sql(db, 'SELECT COUNT(*) FROM exam_responses;').trim());

        // A draft form takes no responses.
        let r = await cli(['form', 'responses', 'D', good], { db });
        assert.equal(r.code, 1, show(r));
        assert.match(r.stderr, /The form D is draft: responses are imported for a released form only/);

        // A bad cell: line 3 (candidate c01), the column of I.A-5; and an unknown item heading.
        const bad = cells.map((row) => [...row]);
        bad[1][ITEMS.indexOf('I.A-5')] = 'Z';
        const badText = fileText(bad).replace('candidate,III.D-7,', 'candidate,NOPE,');
        writeFileSync(path.join(dir, 'bad.csv'), badText);
        const line3 = badText.split('\r\n')[2].split(',');
        const col = line3.slice(0, order.indexOf('I.A-5') + 1).reduce((a, f) => a + f.length + 1, 0) + 1;
        r = await cli(['form', 'responses', 'A', path.join(dir, 'bad.csv')], { db });
        assert.equal(r.code, 1, show(r));
        assert.match(r.stderr, /nothing was written/);
        assert.ok(r.stderr.includes(`bad.csv:3:${col}: Item I.A-5: "Z" is not an option of this item (it has 3).`), show(r));
        assert.ok(r.stderr.includes('bad.csv:1:11: "NOPE" is not an item of this form.'), show(r));
        assert.ok(r.stderr.includes('bad.csv:1:1: The form\'s item III.D-7 has no column.'), show(r));
        assert.equal(sets(), 0, 'no set written');
        assert.equal(rows(), 0, 'no candidate row written');

        // Usage: exit 2.
        for (const args of [['form', 'responses', 'A'], ['form', 'analysis'], ['form', 'send-back', 'A'], ['form', 'responses', 'A', good, '--json']]) {
            r = await cli(args, { db });
            assert.equal(r.code, 2, `${args.join(' ')}: ${show(r)}`);
        }
        r = await cli(['form', 'analysis', 'A'], { db });
        assert.equal(r.code, 1, show(r));
        assert.match(r.stderr, /no responses yet/);

        // The good file.
        r = await ok(['form', 'responses', 'A', good], db);
        assert.match(r.stdout, /imported vendor\.csv for form A: 40 persons, 100 items \(options\), alpha (\d\.\d{3})/);
        assert.equal(Number(r.stdout.match(/alpha (-?\d\.\d{3})/)[1]), Number(alpha.toFixed(3)));
        assert.match(r.stdout, /^ {2}I\.A-1: too_easy$/m);
        assert.match(r.stdout, /^ {2}I\.A-2: .*distractor_outdraws_key/m);
        assert.match(r.stdout, /^ {2}I\.A-3: .*negative_discrimination.*distractor_draws_stronger/m);
        assert.equal(sets(), 1);
        assert.equal(rows(), 40);
        // c00's row keeps its cells as given; I.A-4 (not presented) is left out, and its total is its number right.
        const c00 = JSON.parse(sql(db, "SELECT cells FROM exam_responses WHERE candidate = 'c00';").trim());
        assert.equal(c00['I.A-2'], 'A');
        assert.equal(c00['I.A-4'], undefined);
        assert.equal(Number(sql(db, "SELECT total FROM exam_responses WHERE candidate = 'c00';").trim()), total[0]);

        // The analysis as JSON, against the numbers computed above.
        const a = JSON.parse((await ok(['form', 'analysis', 'A', '--json'], db)).stdout);
        assert.equal(a.analysis.kind, 'options');
        assert.equal(a.analysis.persons, 40);
        assert.equal(a.analysis.persons_complete, complete.length);
        assert.equal(complete.length, 39);
        near(a.analysis.alpha, alpha, 'alpha');
        const item = (id) => a.analysis.items.find((x) => x.id === id);
        assert.equal(item('I.A-1').p, 1);
        assert.deepEqual(item('I.A-1').flags, ['too_easy']);
        near(item('I.A-2').p, 10 / 40, 'p of I.A-2');
        near(item('I.A-3').p, 20 / 40, 'p of I.A-3');
        near(item('I.A-3').r_pb_rest, restR('I.A-3'), 'item-rest r of I.A-3');
        assert.ok(item('I.A-3').r_pb_rest < 0);
        near(item('I.A-4').p, cells.filter((row) => row[ITEMS.indexOf('I.A-4')] === 'B').length / 39, 'p of I.A-4 over the 39 presented it');
        assert.equal(item('I.A-4').omitted, 1);
        const optA = item('I.A-2').options.find((o) => o.id === 'A');
        const optB = item('I.A-2').options.find((o) => o.id === 'B');
        near(optA.share, 30 / 40, 'share of A');
        assert.equal(optA.key, false);
        assert.equal(optB.key, true);
        near(optA.mean_total, mean(total.slice(0, 30)), 'mean total of A choosers');
        near(optB.mean_total, mean(total.slice(30)), 'mean total of B choosers');
        assert.deepEqual(optA.flags, ['outdraws_key']);
        assert.ok(a.analysis.flagged.includes('I.A-2'));
        assert.equal(item('I.A-2').status, 'operational');
        assert.equal(item('I.A-2').can_send_back, true);

        // The text form of the analysis labels both point-biserials.
        r = await ok(['form', 'analysis', 'A'], db);
        assert.match(r.stdout, /item-total r\titem-rest r/);

        // Send-back from the CLI: I.A-2 to review, its statistics in its history.
        r = await ok(['form', 'send-back', 'A', 'I.A-2'], db);
        assert.match(r.stdout, /item I\.A-2 moved from operational to review/);
        const shown = JSON.parse((await ok(['bank', 'show', 'I.A-2', '--json'], db)).stdout);
        assert.equal(shown.status, 'review');
        const note = shown.events.find((e) => e.to_status === 'review' && /item analysis/.test(e.note || ''));
        assert.ok(note, JSON.stringify(shown.events));
        assert.match(note.note, /p 0\.250/);
        assert.match(note.note, /item-rest r -?\d\.\d{3}/);
        assert.match(note.note, /distractor_outdraws_key/);
        assert.match(note.note, /Option A: share 0\.750, mean total/);
        assert.match(note.note, /Option B \(key\): share 0\.250/);
        // Again: it is in review now, refused.
        r = await cli(['form', 'send-back', 'A', 'I.A-2'], { db });
        assert.equal(r.code, 1, show(r));
        assert.match(r.stderr, /The item I\.A-2 is review: only an operational or pretest item/);
        r = await cli(['form', 'send-back', 'A', 'W-1'], { db });
        assert.equal(r.code, 1, show(r));
        assert.match(r.stderr, /The form A has no item "W-1"/);

        // The pages.
        await ctx.start();
        const ex = await ctx.signIn(ctx.w.people.examiner.email);
        const leader = await ctx.signIn(ctx.w.people.leader_a.email);
        r = await ex.get('/exam/forms/A/analysis');
        assert.equal(r.status, 200, showRes(r));
        near(r.json.analysis.alpha, alpha, 'alpha on the page');
        assert.equal(r.json.analysis.items.find((x) => x.id === 'I.A-2').status, 'review');
        r = await ex.get('/exam/forms/A/analysis', { html: true });
        assert.equal(r.status, 200, showRes(r));
        assert.match(r.text, /Item-total point-biserial/);
        assert.match(r.text, /Item-rest point-biserial/);
        assert.match(r.text, /<h3 id="item-I.A-3">I.A-3 <span class="tag">in the bank: operational<\/span> <span class="tag tag-warn">flagged<\/span>/);
        assert.match(r.text, /B <strong>\(key\)<\/strong>/);
        assert.match(r.text, /<meta name="viewport" content="width=device-width/);

        // Send-back from the page: CSRF required; then I.A-3 is in review, said on the page.
        r = await ex.post('/exam/forms/A/send-back', { item: 'I.A-3' }, { form: true, html: true, csrf: false });
        assert.equal(r.status, 403, showRes(r));
        r = await ex.post('/exam/forms/A/send-back', { item: 'I.A-3' }, { form: true, html: true });
        assert.equal(r.status, 303, showRes(r));
        assert.equal(r.headers.location, '/exam/forms/A/analysis?sent=I.A-3#item-I.A-3');
        r = await ex.get('/exam/forms/A/analysis?sent=I.A-3', { html: true });
        assert.match(r.text, /Sent back: the item is now in review\./);
        assert.equal(JSON.parse((await ok(['bank', 'show', 'I.A-3', '--json'], db)).stdout).status, 'review');

        // The upload on the form's page: a bad file is refused with its cells (JSON), nothing written.
        r = await ex.get('/exam/forms/A', { html: true });
        assert.match(r.text, /enctype="multipart\/form-data"/);
        let mp = multipart({ csrf: await ex.csrf() }, { name: 'bad.csv', data: badText });
        r = await ex.request('POST', '/exam/forms/A/responses', { body: mp.body, headers: { 'content-type': mp.type }, csrf: false });
        assert.equal(r.status, 400, showRes(r));
        assert.ok(r.json.problems.some((p) => p.line === 3 && p.column === col && /"Z" is not an option/.test(p.message)), JSON.stringify(r.json));
        assert.equal(sets(), 1, 'nothing written');
        mp = multipart({ csrf: await ex.csrf() }, { name: 'vendor2.csv', data: fileText() });
        r = await ex.request('POST', '/exam/forms/A/responses', { body: mp.body, headers: { 'content-type': mp.type, accept: 'text/html' }, csrf: false });
        assert.equal(r.status, 303, showRes(r));
        assert.equal(r.headers.location, '/exam/forms/A/analysis?done=imported');
        assert.equal(sets(), 2);
        r = await ex.get('/exam/forms/A/analysis');
        assert.equal(r.json.set.file_name, 'vendor2.csv');
        // Without the CSRF token: refused.
        mp = multipart({}, { name: 'vendor3.csv', data: fileText() });
        r = await ex.request('POST', '/exam/forms/A/responses', { body: mp.body, headers: { 'content-type': mp.type }, csrf: false });
        assert.equal(r.status, 403, showRes(r));
        assert.equal(sets(), 2);

        // Everyone but examiners: 404.
        for (const p of ['/exam/forms/A/analysis']) {
            r = await leader.get(p, { html: true });
            assert.equal(r.status, 404, showRes(r));
        }
        r = await leader.post('/exam/forms/A/send-back', { item: 'I.A-4' }, { form: true, html: true });
        assert.equal(r.status, 404, showRes(r));
        assert.equal(JSON.parse((await ok(['bank', 'show', 'I.A-4', '--json'], db)).stdout).status, 'operational');

        // Audited.
        const actions = sql(db, "SELECT action FROM audit_log WHERE action IN ('form.responses', 'bank.move') ORDER BY id").trim().split('\n');
        assert.equal(actions.filter((x) => x === 'form.responses').length, 2);
    });
});

// A released form is scored by the item versions it was released with (migration 028), and a
// pretest item is analysed against the scored total without counting in it.
test('responses: a released form keeps the keys it was released with; pretest items are left out of the total', { timeout: 900000 }, async () => {
    await withServer({}, async (ctx) => {
        const db = ctx.db;
        await buildForms(db);
        for (const to of ['review', 'pretest']) await ok(['bank', 'move', 'W-1', to], db);
        await ok(['form', 'create', 'P', '--title', 'Form P', '--pretest', '1'], db);
        await ok(['form', 'add', 'P', ...ITEMS], db);
        await ok(['form', 'add', 'P', '--pretest', 'W-1'], db);
        await ok(['form', 'release', 'P'], db);

        // After the release the bank gets a new version of I.B-1 whose key is A, not B.
        const v2 = path.join(dir, 'I.B-1-v2.xml');
        writeFileSync(v2, qti('I.B-1').replace('<qti-value>B</qti-value>', '<qti-value>A</qti-value>'));
        let r = await ok(['bank', 'import', v2], db);
        const shown = JSON.parse((await ok(['bank', 'show', 'I.B-1', '--json'], db)).stdout);
        assert.deepEqual(shown.correct ?? shown.body?.correct, ['A'], 'the bank holds the new key');

        // Candidate k answers B everywhere except k's first k items (A); everyone gets W-1 right.
        const all = [...ITEMS, 'W-1'];
        const rows = Array.from({ length: 6 }, (_, k) => all.map((id, j) => (j < k * 5 ? 'A' : 'B')));
        const text = ['candidate,' + all.join(','), ...rows.map((row, k) => `p${k},` + row.join(','))].join('\n') + '\n';
        const file = path.join(dir, 'p.csv');
        writeFileSync(file, text);
        r = await ok(['form', 'responses', 'P', file], db);
        // Scored by the released key B: p0 (all B) has 100 right; W-1 (pretest) is not counted.
        const totals = sql(db, "SELECT candidate, total FROM exam_responses r JOIN exam_response_sets s ON s.id = r.set_id JOIN exam_forms f ON f.id = s.form_id WHERE f.code = 'P' ORDER BY candidate;")
            .trim().split('\n').map((l) => Number(l.split('|')[1]));
        assert.deepEqual(totals, [100, 95, 90, 85, 80, 75]);
        const a = JSON.parse((await ok(['form', 'analysis', 'P', '--json'], db)).stdout).analysis;
        assert.equal(a.item_count, 101);
        assert.equal(a.scored_count, 100);
        const w = a.items.find((x) => x.id === 'W-1');
        assert.equal(w.role, 'pretest');
        assert.equal(w.p, 1);
        assert.equal(w.alpha_if_deleted, null);
        const b1 = a.items.find((x) => x.id === 'I.B-1');
        assert.equal(b1.role, 'scored');
        assert.equal(b1.options.find((o) => o.id === 'B').key, true, 'the released key');
        near(a.mean_total, (100 + 95 + 90 + 85 + 80 + 75) / 6, 'mean of the scored totals');

        // The page takes a vendor's file larger than the 1 MB body limit of other requests
        // (6,000 candidates, about 1.3 MB); other routes keep the 1 MB limit.
        await ctx.start();
        const ex = await ctx.signIn(ctx.w.people.examiner.email);
        const big = ['candidate,' + all.join(','), ...Array.from({ length: 6000 }, (_, k) => `q${k},` + rows[k % 6].join(','))].join('\n') + '\n';
        assert.ok(big.length > 1024 * 1024, `${big.length} bytes`);
        let mp = multipart({ csrf: await ex.csrf() }, { name: 'big.csv', data: big });
        r = await ex.request('POST', '/exam/forms/P/responses', { body: mp.body, headers: { 'content-type': mp.type, accept: 'text/html' }, csrf: false });
        assert.equal(r.status, 303, showRes(r));
        assert.equal(r.headers.location, '/exam/forms/P/analysis?done=imported');
        r = await ex.get('/exam/forms/P/analysis');
        assert.equal(r.json.set.file_name, 'big.csv');
        assert.equal(r.json.analysis.persons, 6000);
        mp = multipart({ csrf: await ex.csrf() }, { name: 'big.csv', data: big });
        r = await ex.request('POST', '/exam/forms/P/act', { body: mp.body, headers: { 'content-type': mp.type }, csrf: false });
        assert.equal(r.status, 413, showRes(r));
        assert.match(r.json.error.message, /larger than the 1 MB limit/);
    });
});
