// Evaluations against the framework's rubric (issue 9, points 1-3): a district administrator
// opens a review cycle for the district's technology leader with a self rater, the supervisor
// (an account) and a peer without an account (a one-time link); each answer is saved as it is
// given; submit locks; a blind cycle hides each rater's answers from the others until it
// closes (HTML and JSON); outside the district it is 404; a kill -9 between two answers loses
// nothing answered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { execFile } from 'node:child_process';
import { withServer, outbox, linkToken, show } from './authhelp.mjs';

/** GET p with the jar's cookies; the body as bytes. */
function getBytes(jar, p) {
    return new Promise((resolve, reject) => {
        const u = new URL(jar.base + p);
        const req = http.get({ host: u.hostname, port: u.port, path: u.pathname + u.search, agent: false, headers: { cookie: jar.cookieHeader() } }, (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
            res.on('error', reject);
        });
        req.on('error', reject);
    });
}

/** The rows of an XLSX's first sheet as openpyxl (Debian's python3-openpyxl) reads them. */
function readXlsx(buf) {
    const py = 'import io,json,sys,openpyxl\nws=openpyxl.load_workbook(io.BytesIO(sys.stdin.buffer.read()),read_only=True).worksheets[0]\nprint(json.dumps([[("" if v is None else v) for v in r] for r in ws.iter_rows(values_only=True)]))';
    return new Promise((resolve, reject) => {
        const p = execFile(process.env.CTOFRAME_TEST_PYTHON || '/usr/bin/python3', ['-c', py], (err, stdout, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve(JSON.parse(stdout))));
        p.stdin.end(buf);
    });
}

/** Creates, staffs and (optionally) opens an evaluation of leader A; its id. */
async function cycle(ctx, { open = true } = {}) {
    const admin = await ctx.signIn(ctx.w.people.district_admin_a.email);
    const c = await admin.post('/evaluations', {
        subject: ctx.w.people.leader_a.id,
        purpose: 'annual',
        title: 'Annual review 2026',
    });
    assert.equal(c.status, 201, show(c));
    const id = c.json.id;
    for (const r of [
        { kind: 'self' },
        { kind: 'supervisor', name: 'Eve Evaluator', email: ctx.w.people.evaluator_a.email },
        { kind: 'peer', name: 'Pia Peer', email: 'pia.peer@elsewhere.example' },
    ]) {
        const a = await admin.post(`/evaluations/${id}/raters`, r);
        assert.equal(a.status, 200, `${r.kind}: ${show(a)}`);
    }
    if (open) {
        const o = await admin.post(`/evaluations/${id}/act`, { action: 'open' });
        assert.equal(o.status, 200, show(o));
    }
    return { id, admin };
}

test('a district administrator creates an evaluation; every field at fault is named', { timeout: 120000 }, async () => {
    await withServer({}, async (ctx) => {
        await ctx.start();
        const admin = await ctx.signIn(ctx.w.people.district_admin_a.email);
        const bad = await admin.post('/evaluations', { subject: ctx.w.people.leader_b.id, purpose: 'weekly', title: '' });
        assert.equal(bad.status, 400, show(bad));
        const fields = [bad.json.error.field, ...(bad.json.error.more || []).map((m) => m.field)];
        assert.deepEqual(fields.sort(), ['purpose', 'subject', 'title']);
        // The form page: the people of the district, and the form again with the messages.
        const page = await admin.get('/evaluations/new', { html: true });
        assert.equal(page.status, 200);
        assert.match(page.text, new RegExp(ctx.w.people.leader_a.email.replace('.', '\\.')));
        assert.doesNotMatch(page.text, new RegExp(ctx.w.people.leader_b.email.replace('.', '\\.')));
        const again = await admin.post('/evaluations', { subject: '', purpose: 'annual', title: 'X' }, { form: true, html: true });
        assert.equal(again.status, 400);
        assert.match(again.text, /Choose the person to evaluate\./);
        // A leader has no such right (403 on the form), and the list says nothing of it.
        const leader = await ctx.signIn(ctx.w.people.leader_a.email);
        assert.equal((await leader.get('/evaluations/new', { html: true })).status, 403);
        const list = await leader.get('/evaluations');
        assert.equal(list.status, 200);
        assert.equal(list.json.may_create, false);
        // A form that leaves skills out and changes a weight: only the ticked ones count,
        // each with its weight; a weight that is not a number is named.
        const form = (await admin.get('/evaluations/new')).json;
        assert.equal(form.skills.length, 10);
        assert.ok(form.frameworks.length >= 2, 'the 2019 and 2009 frameworks are offered');
        const [s1, s2] = form.skills;
        const body = { subject: ctx.w.people.leader_a.id, purpose: 'annual', title: 'Two skills', framework: form.framework, skills_for: form.framework,
            [`skill_${s1.item_id}`]: 'on', [`weight_${s1.item_id}`]: '30', [`skill_${s2.item_id}`]: 'on', [`weight_${s2.item_id}`]: '10' };
        const two = await admin.post('/evaluations', body, { form: true, html: true });
        assert.equal(two.status, 303, show(two));
        const twoId = two.headers.location.split('/')[2].split('?')[0];
        const tv = (await admin.get(`/evaluations/${twoId}`)).json;
        assert.deepEqual(tv.skills.map((x) => [x.code, x.weight, x.weight_pct]), [[s1.code, 30, 75], [s2.code, 10, 25]]);
        const badw = await admin.post('/evaluations', { ...body, [`weight_${s2.item_id}`]: 'heavy' }, { form: true, html: true });
        assert.equal(badw.status, 400);
        assert.match(badw.text, /Give each skill a weight from 1 to 100\./);
        // A created draft redirects (HTML) to its page.
        const ok = await admin.post('/evaluations', { subject: ctx.w.people.leader_a.id, purpose: 'readiness', title: 'Ready?' }, { form: true, html: true });
        assert.equal(ok.status, 303, show(ok));
        assert.match(ok.headers.location, /^\/evaluations\/[0-9a-f-]{36}\?done=created$/);
    });
});

test('raters are invited when it opens; answers save one by one; blind until closed', { timeout: 180000 }, async () => {
    await withServer({}, async (ctx) => {
        await ctx.start();
        const { id, admin } = await cycle(ctx);

        // Three invitations: the peer has no account, so a one-time link.
        const mails = (await outbox(ctx.db)).filter((m) => /Annual review 2026/.test(m.subject));
        assert.equal(mails.length, 3, JSON.stringify(mails.map((m) => m.to_addr)));
        const token = await linkToken(ctx.db, 'rate', 'pia.peer@elsewhere.example');
        assert.ok(token, 'the peer got a /rate/ link');
        const sup = mails.find((m) => m.to_addr === ctx.w.people.evaluator_a.email);
        assert.match(sup.body, new RegExp(`/evaluations/${id}/rate`));

        // The leader rates themselves: the page shows the rubric's levels and descriptors.
        const leader = await ctx.signIn(ctx.w.people.leader_a.email);
        const form = await leader.get(`/evaluations/${id}/rate`, { html: true });
        assert.equal(form.status, 200, show(form));
        assert.match(form.text, /Your self-assessment/);
        assert.match(form.text, /Emerging/);
        assert.match(form.text, /Exemplary/);
        assert.doesNotMatch(form.text, /No basis to rate/, 'the self rater always has a basis');
        const view = (await leader.get(`/evaluations/${id}/rate`)).json;
        assert.equal(view.skills.length, 10);
        const items = view.skills.map((s) => s.item_id);
        const first = await leader.post(`/evaluations/${id}/answer`, { item_id: items[0], level: 3, seq: 0, note: 'Wrote the plan.' });
        assert.equal(first.status, 200, show(first));
        assert.equal(first.json.seq, 1);
        // A second window still at seq 0: refused, the newer answer stands.
        const stale = await leader.post(`/evaluations/${id}/answer`, { item_id: items[0], level: 1, seq: 0 });
        assert.equal(stale.status, 409, show(stale));
        // An indicator of a skill takes an optional level, saved the same way.
        const ind = view.skills[0].indicators[0];
        assert.ok(ind && ind.code.startsWith('I.A.'), JSON.stringify(view.skills[0].indicators));
        const ia = await leader.post(`/evaluations/${id}/answer`, { item_id: ind.item_id, level: 2, seq: 0 });
        assert.equal(ia.status, 200, show(ia));
        const again = (await leader.get(`/evaluations/${id}/rate`)).json.skills[0].indicators[0];
        assert.equal(again.level, 2);
        assert.equal(again.seq, 1);
        const beyond = await leader.post(`/evaluations/${id}/answer`, { item_id: items[1], level: 9, seq: 0 });
        assert.equal(beyond.status, 400);
        assert.equal(beyond.json.error.field, 'level');

        // The supervisor rates everything and a private note; submit locks.
        const evaluator = await ctx.signIn(ctx.w.people.evaluator_a.email);
        for (const [i, item] of items.entries()) {
            const r = await evaluator.post(`/evaluations/${id}/answer`, { item_id: item, level: 1 + (i % 4), seq: 0, note: i === 0 ? 'SUPERVISOR-NOTE-7' : '' });
            assert.equal(r.status, 200, show(r));
        }
        const sub = await evaluator.post(`/evaluations/${id}/rate`, { action: 'submit' }, { form: true, html: true });
        assert.equal(sub.status, 303, show(sub));
        const locked = await evaluator.post(`/evaluations/${id}/answer`, { item_id: items[0], level: 4, seq: 1 });
        assert.equal(locked.status, 409);

        // Blind and open: the leader reads neither the supervisor's levels nor notes.
        for (const path of [`/evaluations/${id}`, `/evaluations/${id}/rate`]) {
            const j = await leader.get(path);
            assert.equal(j.status, 200);
            assert.deepEqual(j.json.others, []);
            assert.doesNotMatch(JSON.stringify(j.json), /SUPERVISOR-NOTE-7/);
            const h = await leader.get(path, { html: true });
            assert.doesNotMatch(h.text, /SUPERVISOR-NOTE-7/);
        }
        // Outside the district: 404, page and actions alike.
        for (const who of ['leader_b', 'district_admin_b']) {
            const j = await ctx.signIn(ctx.w.people[who].email);
            assert.equal((await j.get(`/evaluations/${id}`)).status, 404, who);
            assert.equal((await j.get(`/evaluations/${id}/rate`)).status, 404, who);
        }
        const adminB = await ctx.signIn(ctx.w.people.district_admin_b.email);
        assert.equal((await adminB.post(`/evaluations/${id}/act`, { action: 'close' })).status, 404);

        // The peer without an account, by the link: no-JS save of two answers, then submit
        // refused while eight are missing, naming how many.
        const anon = ctx.jar();
        const peerPage = await anon.get(`/rate/${token}`, { html: true });
        assert.equal(peerPage.status, 200, show(peerPage));
        assert.match(peerPage.text, /No basis to rate/);
        const body = { action: 'save', [`level_${items[0]}`]: '2', [`level_${items[1]}`]: 'nb', [`seq_${items[0]}`]: '0', [`seq_${items[1]}`]: '0' };
        const saved = await anon.post(`/rate/${token}`, body, { form: true, html: true });
        assert.equal(saved.status, 303, show(saved));
        const early = await anon.post(`/rate/${token}`, { action: 'submit' }, { form: true, html: true });
        assert.equal(early.status, 400);
        assert.match(early.text, /8 skills have no rating yet/);
        assert.equal((await ctx.jar().get(`/rate/${'x'.repeat(43)}`, { html: true })).status, 404);

        // A comment on a core value (no level: a level is refused).
        const value = view.values[0].item_id;
        assert.equal(view.values.length, 5);
        const vc = await leader.post(`/evaluations/${id}/answer`, { item_id: value, seq: 0, note: 'VALUE-COMMENT-3' });
        assert.equal(vc.status, 200, show(vc));
        const vl = await leader.post(`/evaluations/${id}/answer`, { item_id: view.values[1].item_id, level: 2, seq: 0 });
        assert.equal(vl.status, 400);

        // Closed: everyone with a part reads every rater's answers.
        const closed = await admin.post(`/evaluations/${id}/act`, { action: 'close' });
        assert.equal(closed.status, 200, show(closed));
        const after = (await leader.get(`/evaluations/${id}`)).json;
        assert.equal(after.others.length, 2);
        assert.match(JSON.stringify(after), /SUPERVISOR-NOTE-7/);
        const late = await leader.post(`/evaluations/${id}/answer`, { item_id: items[1], level: 2, seq: 0 });
        assert.equal(late.status, 409);
        // Results: per skill, self against the others' mean; agreement named; charts drawn.
        const res = after.results;
        assert.equal(res.skills.length, 10);
        assert.equal(res.skills[0].self, 3);
        assert.equal(res.skills[0].others_n, 2); // the supervisor (1) and the peer (2)
        assert.match(res.agreement.method, /kappa/);
        assert.equal(res.has_self, true);
        assert.ok(res.strengths.length > 0 && res.gaps.length > 0);
        const rpage = await leader.get(`/evaluations/${id}`, { html: true });
        assert.match(rpage.text, /<svg[^>]*role="img"/);
        assert.match(rpage.text, /<title id="radar[^"]*">/);
        assert.match(rpage.text, /VALUE-COMMENT-3/);
        assert.match(rpage.text, /How far the raters agree/);
        // The results as CSV and XLSX (read back by openpyxl).
        const csv = await leader.get(`/evaluations/${id}/export?format=csv`, { html: true });
        assert.equal(csv.status, 200);
        assert.match(csv.headers['content-type'], /text\/csv/);
        const lines = csv.text.trim().split(/\r\n/);
        assert.equal(lines.length, 11);
        assert.match(lines[0], /^Skill code,Skill,Weight,Self,Others' mean/);
        assert.match(lines[1], /^I\.A,Leadership & Vision,15,3,/);
        const x = await getBytes(leader, `/evaluations/${id}/export?format=xlsx`);
        assert.equal(x.status, 200);
        assert.match(x.headers['content-type'], /spreadsheetml/);
        const book = await readXlsx(x.body);
        assert.equal(book.length, 11);
        assert.deepEqual(book[1].slice(0, 4), ['I.A', 'Leadership & Vision', 15, 3]);
        assert.equal((await admin.get(`/evaluations/${id}/export?format=pdf`)).status, 400);
        // The administrator's page tells the story in words.
        const page = await admin.get(`/evaluations/${id}`, { html: true });
        for (const w of ['Invitation sent', 'Opened', 'Ratings submitted', 'Closed']) assert.match(page.text, new RegExp(w));
    });
});

test('a kill -9 between two answers loses nothing answered', { timeout: 120000 }, async () => {
    await withServer({}, async (ctx) => {
        await ctx.start();
        const { id } = await cycle(ctx);
        const leader = await ctx.signIn(ctx.w.people.leader_a.email);
        const items = (await leader.get(`/evaluations/${id}/rate`)).json.skills.map((s) => s.item_id);
        const a1 = await leader.post(`/evaluations/${id}/answer`, { item_id: items[0], level: 4, seq: 0, note: 'Before the crash.' });
        assert.equal(a1.status, 200, show(a1));
        ctx.srv.proc.kill('SIGKILL');
        await ctx.stop().catch(() => {});
        await ctx.start();
        const again = await ctx.signIn(ctx.w.people.leader_a.email);
        const v = (await again.get(`/evaluations/${id}/rate`)).json;
        assert.equal(v.skills[0].level, 4);
        assert.equal(v.skills[0].note, 'Before the crash.');
        assert.equal(v.skills[0].seq, 1);
        const a2 = await again.post(`/evaluations/${id}/answer`, { item_id: items[1], level: 2, seq: 0 });
        assert.equal(a2.status, 200, show(a2));
    });
});

test('erasing a rater or the person rated clears their words from evaluations', { timeout: 120000 }, async () => {
    await withServer({}, async (ctx) => {
        await ctx.start();
        const { id, admin } = await cycle(ctx);
        const evaluator = await ctx.signIn(ctx.w.people.evaluator_a.email);
        const items = (await evaluator.get(`/evaluations/${id}/rate`)).json.skills.map((s) => s.item_id);
        const a = await evaluator.post(`/evaluations/${id}/answer`, { item_id: items[0], level: 3, seq: 0, note: 'ERASE-ME-NOTE', links: 'https://x.example/e' });
        assert.equal(a.status, 200, show(a));
        // The rater's export holds the answers they gave; the leader's, the evaluation of them.
        const mine = (await evaluator.get('/account/export')).json;
        assert.equal(mine.ratings_given.length, 1);
        assert.equal(mine.ratings_given[0].note, 'ERASE-ME-NOTE');
        const leader = await ctx.signIn(ctx.w.people.leader_a.email);
        const theirs = (await leader.get('/account/export')).json;
        assert.equal(theirs.evaluations_of_person.length, 1);
        assert.equal(theirs.evaluations_of_person[0].title, 'Annual review 2026');
        const pa = await ctx.signIn(ctx.w.people.program_admin.email);
        const e = await pa.post(`/admin/people/${ctx.w.people.evaluator_a.id}/erase`, { confirm: ctx.w.people.evaluator_a.email });
        assert.ok(e.status < 400, show(e));
        assert.equal((await admin.post(`/evaluations/${id}/act`, { action: 'close' })).status, 200);
        const v = (await admin.get(`/evaluations/${id}`)).json;
        const text = JSON.stringify(v);
        assert.doesNotMatch(text, /ERASE-ME-NOTE/);
        assert.doesNotMatch(text, new RegExp(ctx.w.people.evaluator_a.email.replace('.', '\\.')));
        assert.doesNotMatch(text, /Eve Evaluator/);
        // The level stays: it is a number in the results.
        const sup = v.others.find((o) => o.kind === 'supervisor');
        assert.equal(sup.answers[0].level, 3);
        assert.equal(sup.answers[0].note, '');
    });
});

test('an evaluation rated on the 2009 framework reads in the 2019 terms through the crosswalk', { timeout: 120000 }, async () => {
    await withServer({}, async (ctx) => {
        await ctx.start();
        const admin = await ctx.signIn(ctx.w.people.district_admin_a.email);
        const form = (await admin.get('/evaluations/new')).json;
        const old = form.frameworks.find((f) => !f.selected && /2\.0|2009/.test(`${f.version} ${f.title}`));
        assert.ok(old, JSON.stringify(form.frameworks));
        const c = await admin.post('/evaluations', { subject: ctx.w.people.leader_a.id, purpose: 'annual', title: 'Rated in 2009 terms', framework: old.id });
        assert.equal(c.status, 201, show(c));
        const id = c.json.id;
        assert.equal((await admin.post(`/evaluations/${id}/raters`, { kind: 'supervisor', name: 'Eve', email: ctx.w.people.evaluator_a.email })).status, 200);
        assert.equal((await admin.post(`/evaluations/${id}/act`, { action: 'open' })).status, 200);
        const ev = await ctx.signIn(ctx.w.people.evaluator_a.email);
        const v = (await ev.get(`/evaluations/${id}/rate`)).json;
        assert.equal(v.evaluation.levels, 4, 'no rubric: four plain levels');
        assert.ok(v.skills.length >= 10, `the 2009 skill areas: ${v.skills.length}`);
        for (const [i, sk] of v.skills.entries()) {
            const r = await ev.post(`/evaluations/${id}/answer`, { item_id: sk.item_id, level: 1 + (i % 4), seq: 0 });
            assert.equal(r.status, 200, show(r));
        }
        assert.equal((await admin.post(`/evaluations/${id}/act`, { action: 'close' })).status, 200);
        const res = (await admin.get(`/evaluations/${id}`)).json.results;
        const cw = res.crosswalk;
        assert.ok(cw, 'a crosswalk view of the results');
        assert.equal(cw.skills.length, 10);
        const mapped = cw.skills.filter((s) => s.mapped);
        assert.ok(mapped.length >= 8, `mapped: ${mapped.map((s) => s.code).join(' ')}`);
        // Each mapped skill's number is the mean of the 2009 skills joined to it.
        const byCode = Object.fromEntries(res.skills.map((s) => [s.code, s.others_mean]));
        for (const s of mapped) {
            const vals = s.from.map((code) => byCode[code]).filter((x) => x !== null);
            const mean = Math.round((vals.reduce((a, b) => a + b, 0) / vals.length) * 100) / 100;
            assert.equal(s.others_mean, mean, `${s.code} from ${s.from.join(', ')}`);
        }
        const page = await admin.get(`/evaluations/${id}`, { html: true });
        assert.match(page.text, /In the current framework's terms/);
    });
});

test('readiness: no evaluation yet, then the skills below Proficient, heaviest gap first', { timeout: 120000 }, async () => {
    await withServer({}, async (ctx) => {
        await ctx.start();
        const leader = await ctx.signIn(ctx.w.people.leader_a.email);
        let r = await leader.get('/me/readiness');
        assert.equal(r.status, 200, show(r));
        assert.equal(r.json.verdict, 'review');
        assert.equal(r.json.eligible, false);
        assert.ok(r.json.eligibility.rules.length > 0, 'each eligibility rule is listed');

        const { id, admin } = await cycle(ctx);
        const ev = await ctx.signIn(ctx.w.people.evaluator_a.email);
        const skills = (await ev.get(`/evaluations/${id}/rate`)).json.skills;
        // I.A (weight 15) at 2, I.C (weight 10) at 1, II.A (12) at 2; every other skill 3 or 4.
        const level = { 'I.A': 2, 'I.C': 1, 'II.A': 2 };
        for (const [i, s] of skills.entries()) {
            const a = await ev.post(`/evaluations/${id}/answer`, { item_id: s.item_id, level: level[s.code] ?? 3 + (i % 2), seq: 0 });
            assert.equal(a.status, 200, show(a));
        }
        assert.equal((await admin.post(`/evaluations/${id}/act`, { action: 'close' })).status, 200);
        r = await leader.get('/me/readiness');
        assert.equal(r.json.verdict, 'build');
        assert.equal(r.json.target, 3);
        // Priority: (3 - level) x weight: I.C 2 x 10 = 20, I.A 1 x 15 = 15, II.A 1 x 12 = 12.
        assert.deepEqual(r.json.below.map((b) => b.code), ['I.C', 'I.A', 'II.A']);
        const page = await leader.get('/me/readiness', { html: true });
        assert.match(page.text, /Build these areas first/);
        assert.match(page.text, /I\.C Ethics &amp; Policies/);
    });
});
