// Continuing education (issue 8 point 5): a holder logs activities on their own credential
// (someone else's is 404), every bad field is named and nothing is written; a reviewer
// approves or rejects (with a reason) from a queue, oldest first; points follow the rules with
// caps, each activity saying which rule applied; providers import attendance all or nothing
// (one bad row leaves the database unchanged) with line and column for every bad row; the
// catalog fills the form. Credentials are inserted with SQL (cehelp.mjs): the issuing part is
// built elsewhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { withServer, cli, show } from './authhelp.mjs';
import { sql, insertCredential, at, csvOf } from './cehelp.mjs';

const TODAY = '2027-06-01';

function csvFile(text) {
    const dir = mkdtempSync(path.join(tmpdir(), 'ctoframe-ce-'));
    const f = path.join(dir, 'attendance.csv');
    writeFileSync(f, text);
    return f;
}

const count = (db, where = '1=1') => Number(sql(db, `SELECT COUNT(*) FROM ce_activities WHERE ${where};`).trim());

test('holders log, reviewers decide, points follow the caps, imports are all or nothing', { timeout: 180000 }, async () => {
    await withServer({ env: at(TODAY) }, async (ctx) => {
        await ctx.start();
        try {
            await body(ctx);
        } catch (e) {
            console.error("FAILED", e.stack, ctx.srv ? ctx.srv.stderr().slice(-4000) : "no server");
            throw e;
        }
    });
});

async function body(ctx) {
    {
        const db = ctx.db;
        const holder = ctx.w.people.leader_a;
        const c1 = insertCredential(db, { person: holder.id, number: 'CETL-2026-000101', issued: '2026-03-01', expires: '2029-03-01' });
        const c2 = insertCredential(db, { person: ctx.w.people.leader_b.id, number: 'CETL-2026-000102', issued: '2026-03-01', expires: '2029-03-01' });

        const me = await ctx.signIn(holder.email);
        const other = await ctx.signIn(ctx.w.people.leader_b.email);
        const reviewer = await ctx.signIn(ctx.w.people.reviewer.email);
        const admin = await ctx.signIn(ctx.w.people.program_admin.email);

        // The holder's page: nothing yet, 60 needed by the last day of the term.
        let r = await me.get(`/credentials/${c1.number}/ce`);
        assert.equal(r.status, 200, show(r));
        assert.equal(r.json.progress.counted, '0');
        assert.equal(r.json.progress.required, '60');
        assert.equal(r.json.progress.by, '2029-03-01');
        assert.ok(r.json.choices.skills.some((s) => s.code === 'III.C'), 'skill areas come from the framework');
        assert.ok(r.json.choices.catalog.length >= 20, 'the catalog is offered');
        // Someone else's credential, or one that does not exist: 404 alike.
        assert.equal((await other.get(`/credentials/${c1.number}/ce`)).status, 404);
        assert.equal((await me.get(`/credentials/${c2.number}/ce`)).status, 404);
        assert.equal((await me.get('/credentials/CETL-2026-999999/ce')).status, 404);
        r = await other.post(`/credentials/${c1.number}/ce`, { category: 'pd', title: 'x', completed_on: TODAY, hours: '1', skills: ['I.A'] });
        assert.equal(r.status, 404, show(r));
        // A reviewer (credentials.read) may look, but is offered no form to log or renew.
        r = await reviewer.get(`/credentials/${c1.number}/ce`, { html: true });
        assert.equal(r.status, 200);
        assert.doesNotMatch(r.text, /Log the activity/);
        assert.match((await admin.get(`/credentials/${c1.number}/ce`, { html: true })).text, /Log the activity/, 'credentials.write acts for holders');

        // Bad input: every field named, nothing written.
        r = await me.post(`/credentials/${c1.number}/ce`, { category: 'napping', title: '', completed_on: '2027-13-01', hours: '0', skills: ['Z.Z'] });
        assert.equal(r.status, 400, show(r));
        const fields = [r.json.error.field, ...(r.json.error.more || []).map((m) => m.field)];
        for (const f of ['category', 'title', 'completed_on', 'hours', 'skills']) assert.ok(fields.includes(f), `${f} is named: ${show(r)}`);
        r = await me.post(`/credentials/${c1.number}/ce`, { category: 'pd', title: 'Later', completed_on: '2027-06-02', hours: '1', skills: [] });
        assert.equal(r.status, 400, show(r));
        assert.ok([r.json.error.field, ...(r.json.error.more || []).map((m) => m.field)].includes('completed_on'), 'a future day is refused');
        r = await me.post(`/credentials/${c1.number}/ce`, { category: 'certification', title: 'Half a cert', completed_on: TODAY, hours: '1.5', skills: ['I.A'] });
        assert.equal(r.status, 400, show(r));
        assert.equal(r.json.error.field, 'hours');
        assert.equal(count(db), 0, 'nothing was written');

        // The HTML form comes back with the message beside the field.
        const page = await me.get(`/credentials/${c1.number}/ce`, { html: true });
        assert.equal(page.status, 200);
        assert.match(page.text, /<progress id="ce-progress" max="60" value="0">/);
        r = await me.request('POST', `/credentials/${c1.number}/ce`, { html: true, form: true, body: { category: 'pd', title: 'A webinar', completed_on: TODAY, hours: 'lots', skills: ['I.A', 'II.B'] } });
        assert.equal(r.status, 400);
        assert.match(r.text, /id="hours-error"/);
        assert.match(r.text, /value="A webinar"/);
        assert.match(r.text, /id="skill-II.B" name="skills" value="II.B" checked/);

        // A good activity: pending until reviewed.
        r = await me.post(`/credentials/${c1.number}/ce`, { category: 'pd', title: 'Budget webinar', provider: 'State association', started_on: '2027-05-01', completed_on: '2027-05-02', hours: '1.5', skills: 'III.C' });
        assert.equal(r.status, 201, show(r));
        const first = r.json.id;
        r = await me.post(`/credentials/${c1.number}/ce`, { category: 'volunteer', title: 'Board work', completed_on: '2027-05-03', hours: '3', skills: ['I.B'] });
        assert.equal(r.status, 201, show(r));
        const second = r.json.id;
        r = await me.get(`/credentials/${c1.number}/ce`);
        assert.equal(r.json.progress.counted, '0', 'pending activities do not count');
        assert.match(r.json.activities[0].rule, /once a reviewer approves/);

        // The queue: oldest first; a holder may not work it.
        assert.equal((await me.get('/ce/review')).status, 403);
        // One logged earlier (inserted with an older time: the clock is frozen in this test)
        // comes first.
        sql(db, `INSERT INTO ce_activities (id, credential_id, category, title, provider, completed_on, quantity, skills, source, status, rules_version, created_at, updated_at)
                 VALUES ('00000000-0000-4000-8000-000000000001', '${c1.id}', 'pd', 'Older claim', '', '2027-01-05', 200, 'I.A', 'holder', 'pending', 1, '2027-01-06T00:00:00Z', '2027-01-06T00:00:00Z');`);
        const older = '00000000-0000-4000-8000-000000000001';
        r = await reviewer.get('/ce/review');
        assert.equal(r.status, 200, show(r));
        assert.equal(r.json.activities[0].id, older, 'oldest first');
        assert.deepEqual(new Set(r.json.activities.map((a) => a.id)), new Set([older, first, second]));
        assert.equal(r.json.total, 3);
        r = await reviewer.post(`/ce/review/${older}`, { decision: 'reject', reason: 'No certificate of attendance was given.' });
        assert.equal(r.status, 200, show(r));
        // Reject without a reason: refused, nothing changes.
        r = await reviewer.post(`/ce/review/${second}`, { decision: 'reject', reason: '' });
        assert.equal(r.status, 400, show(r));
        assert.equal(r.json.error.field, 'reason');
        r = await reviewer.post(`/ce/review/${first}`, { decision: 'approve' });
        assert.equal(r.status, 200, show(r));
        r = await reviewer.post(`/ce/review/${first}`, { decision: 'approve' });
        assert.equal(r.status, 409, 'decided once');
        r = await reviewer.post(`/ce/review/${second}`, { decision: 'reject', reason: 'The board is the holder\'s own employer.' });
        assert.equal(r.status, 200, show(r));
        r = await me.get(`/credentials/${c1.number}/ce`);
        assert.equal(r.json.progress.counted, '1.5');
        const rej = r.json.activities.find((a) => a.id === second);
        assert.equal(rej.status, 'rejected');
        assert.match(rej.rule, /own employer/);
        assert.equal((await reviewer.get('/ce/review')).json.total, 0);

        // Caps and skill mapping, from a provider's file: 4 certifications (4 each, cap 12) and
        // 25 hours of volunteering (cap 20). By hand: certification 16 earned, 12 counted (the
        // third reaches the cap, the fourth counts 0); volunteer 25 earned, 20 counted; pd 1.5.
        const rows = [
            [c1.number, 'certification', 'Security cert', 'Body A', '2026-04-01', '1', 'III.A'],
            [c1.number, 'certification', 'Privacy cert', 'Body B', '2026-05-01', '1', 'I.C;III.D'],
            [c1.number, 'certification', 'PM cert', 'Body C', '2026-06-01', '1', 'I.B'],
            [c1.number, 'certification', 'Cloud cert', 'Body D', '2026-07-01', '1', 'III.A'],
            [c1.number, 'volunteer', 'Library help days', 'Public library', '2026-08-01', '25', 'II.C'],
        ];
        // One bad row among good ones: nothing is imported, every bad row is named.
        const bad = [...rows,
            ['CETL-2026-999999', 'pd', 'Ghost', 'X', '2026-08-01', '1', 'I.A'],
            [c1.number, 'napping', 'Nap', 'X', '2026-08-01', '1', 'I.A'],
            [c1.number, 'pd', 'Bad date', 'X', '2026-02-30', '1', 'I.A'],
            [c1.number, 'pd', 'No hours', 'X', '2026-08-01', '0', 'I.A'],
            [c1.number, 'pd', 'Bad skill', 'X', '2026-08-01', '1', 'I.A;Q.Q'],
            [c1.number, 'pd', 'No skill', 'X', '2026-08-01', '1', ''],
        ];
        const before = sql(db, 'SELECT COUNT(*), COALESCE(MAX(updated_at), \'\') FROM ce_activities;');
        let res = await cli(['ce', 'import', csvFile(csvOf(bad))], { db, env: at(TODAY) });
        assert.equal(res.code, 1, res.stderr);
        // FILE:LINE:COL: message, one a line, as `results import` says it; the column counts
        // characters, and the message names the column it is about.
        const got = res.stderr.split('\n').filter((l) => /^.+:\d+:\d+: /.test(l));
        const at_ = (row, k) => row.slice(0, k).reduce((c, v) => c + String(v).length + 1, 1);
        const want = [
            [7, at_(bad[5], 0), /^Column credential_number: No credential has this number/],
            [8, at_(bad[6], 1), /category/],
            [9, at_(bad[7], 4), /^Column completed_on: Write the day/],
            [10, at_(bad[8], 5), /hours/],
            [11, at_(bad[9], 6), /^Column skills: The code "Q\.Q" is not a skill area/],
            [12, at_(bad[10], 6), /^Column skills: Choose at least 1 skill area/],
        ];
        assert.equal(got.length, want.length, res.stderr);
        want.forEach(([line, col, re], i) => {
            const m = /^(.+):(\d+):(\d+): (.+)$/.exec(got[i]);
            assert.ok(m, got[i]);
            assert.match(m[1], /attendance\.csv$/, 'the file is named');
            assert.deepEqual([Number(m[2]), Number(m[3])], [line, col], `line ${line} column ${col}: ${got[i]}`);
            assert.match(m[4], re);
            assert.match(m[4], /^[A-Z].*\.$/, 'one sentence');
        });
        assert.match(res.stderr, /^ctoframe: The file has 6 problems/m);
        assert.equal(sql(db, 'SELECT COUNT(*), COALESCE(MAX(updated_at), \'\') FROM ce_activities;'), before, 'the database is unchanged');
        // Over HTTP too, as JSON: the problems listed, nothing written.
        r = await admin.post('/ce/import', { csv: csvOf(bad) });
        assert.equal(r.status, 400, show(r));
        assert.equal(r.json.problems.length, 6);
        assert.deepEqual(r.json.problems.map((p) => [p.line, p.column]), want.map(([l, c]) => [l, c]), 'the same lines and columns');
        // The upload page lists the same problems: line, column and message.
        r = await admin.post('/ce/import', { csv: csvOf(bad) }, { form: true, html: true });
        assert.equal(r.status, 400);
        assert.match(r.text, /<li>Line 7, column 1: Column credential_number: No credential has this number; check it against the holder(&#39;|&#x27;|')s certificate\.<\/li>/);
        assert.match(r.text, new RegExp(`<li>Line 12, column ${want[5][1]}: Column skills: Choose at least 1 skill area this activity served\\.</li>`));
        assert.equal(sql(db, 'SELECT COUNT(*), COALESCE(MAX(updated_at), \'\') FROM ce_activities;'), before);
        assert.equal((await me.post('/ce/import', { csv: csvOf(rows) })).status, 403);
        // The good file: imported and approved.
        res = await cli(['ce', 'import', csvFile(csvOf(rows)), '--json'], { db, env: at(TODAY) });
        assert.equal(res.code, 0, res.stderr);
        assert.equal(JSON.parse(res.stdout).imported, 5);
        assert.equal(count(db, "source = 'provider' AND status = 'approved'"), 5);

        r = await me.get(`/credentials/${c1.number}/ce`);
        const cat = Object.fromEntries(r.json.categories.map((c) => [c.code, c]));
        assert.equal(cat.certification.earned, '16');
        assert.equal(cat.certification.counted, '12');
        assert.equal(cat.volunteer.earned, '25');
        assert.equal(cat.volunteer.counted, '20');
        assert.equal(cat.pd.counted, '1.5');
        assert.equal(r.json.progress.counted, '33.5');
        assert.equal(r.json.progress.needed, '26.5');
        assert.match(r.json.progress.text, /26\.5 more by 2029-03-01/);
        const cloud = r.json.activities.find((a) => a.title === 'Cloud cert');
        assert.equal(cloud.counted, '0');
        assert.match(cloud.rule, /cap/i, 'the activity over the cap says so');
        const pm = r.json.activities.find((a) => a.title === 'PM cert');
        assert.equal(pm.counted, '4');
        assert.deepEqual(r.json.activities.find((a) => a.title === 'Privacy cert').skills.map((s) => s.code), ['I.C', 'III.D']);
        // The CLI shows the same numbers.
        res = await cli(['ce', 'show', c1.number, '--json'], { db, env: at(TODAY) });
        assert.equal(res.code, 0, res.stderr);
        const sh = JSON.parse(res.stdout);
        assert.equal(sh.points.counted, '33.5');
        assert.deepEqual(sh.points.categories.certification, { earned: '16', counted: '12' });

        // The catalog fills the form.
        const html = await me.get(`/credentials/${c1.number}/ce?catalog=erate-workshop`, { html: true });
        assert.equal(html.status, 200);
        assert.match(html.text, /id="title" name="title" maxlength="200" value="E-rate application workshop"/);
        assert.match(html.text, /id="skill-III.C" name="skills" value="III.C" checked/);
        assert.match(html.text, /<option value="pd" selected>/);

        // The import page and the review page render.
        assert.equal((await admin.get('/ce/import', { html: true })).status, 200);
        assert.equal((await reviewer.get('/ce/review', { html: true })).status, 200);
        // Evidence: a multipart form with a file, known by its first bytes, kept in the
        // database; a file that is not a PDF, PNG or JPEG is refused beside its field.
        const multipart = (fields, file) => {
            const b = '----ctoframe-test-boundary';
            const parts = [];
            for (const [k, v] of Object.entries(fields)) {
                for (const x of Array.isArray(v) ? v : [v]) parts.push(`--${b}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${x}\r\n`);
            }
            if (file) parts.push(`--${b}\r\nContent-Disposition: form-data; name="evidence"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n${file.data}\r\n`);
            return { body: Buffer.from(parts.join('') + `--${b}--\r\n`), type: `multipart/form-data; boundary=${b}` };
        };
        const PDF = '%PDF-1.4\n% a certificate of attendance\n%%EOF\n';
        const evFields = { csrf: await me.csrf(), category: 'pd', title: 'Privacy course', completed_on: '2027-05-10', hours: '2', skills: ['I.C', 'III.D'] };
        let mp = multipart(evFields, { name: 'notes.txt', type: 'application/pdf', data: 'just some text' });
        const n0 = count(db);
        r = await me.request('POST', `/credentials/${c1.number}/ce`, { body: mp.body, headers: { 'content-type': mp.type }, csrf: false });
        assert.equal(r.status, 400, show(r));
        assert.equal(r.json.error.field, 'evidence');
        assert.equal(count(db), n0, 'nothing written');
        assert.equal(sql(db, 'SELECT COUNT(*) FROM ce_evidence;').trim(), '0');
        mp = multipart(evFields, { name: 'C:\\Users\\me\\certificate.pdf', type: 'application/octet-stream', data: PDF });
        r = await me.request('POST', `/credentials/${c1.number}/ce`, { body: mp.body, headers: { 'content-type': mp.type }, csrf: false });
        assert.equal(r.status, 201, show(r));
        r = await me.get(`/credentials/${c1.number}/ce`);
        const withEv = r.json.activities.find((a) => a.title === 'Privacy course');
        assert.ok(withEv.evidence_id, 'the activity has its evidence');
        r = await me.get(`/credentials/${c1.number}/ce/evidence/${withEv.evidence_id}`);
        assert.equal(r.status, 200);
        assert.equal(r.headers['content-type'], 'application/pdf', 'the type is known by the bytes');
        assert.match(r.headers['content-disposition'] || '', /certificate\.pdf/);
        assert.equal(r.text, PDF);
        assert.equal((await other.get(`/credentials/${c1.number}/ce/evidence/${withEv.evidence_id}`)).status, 404);
        assert.equal((await reviewer.get(`/credentials/${c1.number}/ce/evidence/${withEv.evidence_id}`)).status, 200);

        // The queue pages in SQL: 25 a page, oldest first across pages.
        const values = [];
        for (let i = 0; i < 30; i++) {
            const n = String(i).padStart(2, '0');
            values.push(`('00000000-0000-4000-9000-0000000000${n}', '${c2.id}', 'pd', 'Queued ${n}', '', '2027-01-05', 100, 'I.A', 'holder', 'pending', 1, '2027-02-01T00:00:${n}Z', '2027-02-01T00:00:${n}Z')`);
        }
        sql(db, `INSERT INTO ce_activities (id, credential_id, category, title, provider, completed_on, quantity, skills, source, status, rules_version, created_at, updated_at) VALUES ${values.join(',')};`);
        r = await reviewer.get('/ce/review');
        assert.equal(r.json.total, 31, show(r)); // and the one with evidence
        assert.equal(r.json.activities.length, 25);
        assert.equal(r.json.activities[0].title, 'Queued 00');
        assert.equal(r.json.has_next, true);
        r = await reviewer.get('/ce/review?page=2');
        assert.equal(r.json.activities.length, 6);
        assert.equal(r.json.activities[4].title, 'Queued 29');
        assert.equal(r.json.has_next, false);
        assert.equal((await reviewer.get('/ce/review?page=zero')).status, 400);

        // The audit trail holds the decisions.
        const audit = sql(db, "SELECT action FROM audit_log WHERE action LIKE 'ce.%' ORDER BY id;");
        for (const a of ['ce.log', 'ce.approve', 'ce.reject', 'ce.import']) assert.ok(audit.includes(a), `${a} audited`);
    }
}
