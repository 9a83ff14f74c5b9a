// Growth plans (issue 9 point 5): from a closed evaluation's gaps the system proposes goals
// and recommends PD activities within the hours and budget (the same plan `ctoframe pd
// recommend` computes for those gaps: one recommender, exact); leader and supervisor edit and
// agree a version (an edit clears both agreements; an agreement to an old version is 409);
// progress is tracked; a completed activity becomes a continuing-education claim on the
// leader's credential in one step. 404 for anyone outside the plan; bad input names its field
// and writes nothing; the plan downloads as CSV and XLSX (read back by openpyxl). An agreement
// racing an edit never leaves an agreement on a version it did not see.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http from 'node:http';
import { withServer, cliJson, show } from './authhelp.mjs';
import { sql, insertCredential } from './cehelp.mjs';

const NOW = '2026-09-01T12:00:00Z';

function run(cmd, args, input) {
    return new Promise((resolve, reject) => {
        const p = execFile(cmd, args, { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
            if (err) reject(new Error(`${cmd}: ${stderr || err.message}`));
            else resolve(stdout);
        });
        if (input !== undefined) p.stdin.end(input);
    });
}

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

/** A closed evaluation of leader A: self-assessment and supervisor, every skill rated. */
async function closedEvaluation(ctx, admin, levels) {
    const c = await admin.post('/evaluations', { subject: ctx.w.people.leader_a.id, purpose: 'annual', title: 'Annual review 2026' });
    assert.equal(c.status, 201, show(c));
    const id = c.json.id;
    for (const r of [{ kind: 'self' }, { kind: 'supervisor', name: 'Eve Evaluator', email: ctx.w.people.evaluator_a.email }]) {
        const a = await admin.post(`/evaluations/${id}/raters`, r);
        assert.equal(a.status, 200, show(a));
    }
    assert.equal((await admin.post(`/evaluations/${id}/act`, { action: 'open' })).status, 200);
    const leader = await ctx.signIn(ctx.w.people.leader_a.email);
    const evaluator = await ctx.signIn(ctx.w.people.evaluator_a.email);
    const view = (await leader.get(`/evaluations/${id}/rate`)).json;
    for (const [i, s] of view.skills.entries()) {
        assert.equal((await leader.post(`/evaluations/${id}/answer`, { item_id: s.item_id, level: 3, seq: 0 })).status, 200);
        const b = await evaluator.post(`/evaluations/${id}/answer`, { item_id: s.item_id, level: levels[i % levels.length], seq: 0 });
        assert.equal(b.status, 200, show(b));
    }
    return { id, leader, evaluator, skills: view.skills };
}

test('a growth plan: proposed from the gaps, edited, agreed, done and claimed; 404 outside; exports', { timeout: 240000 }, async () => {
    await withServer({ env: { CTOFRAME_NOW: NOW } }, async (ctx) => {
        await ctx.start();
        const admin = await ctx.signIn(ctx.w.people.district_admin_a.email);
        // The supervisor rates every skill 1 or 2 or 3: the skills at 1 and 2 fall below the
        // target (3, "Proficient" on the four-level rubric).
        const { id, leader, evaluator } = await closedEvaluation(ctx, admin, [1, 2, 3]);

        // Not closed yet: no plan (409 saying why).
        const early = await leader.post(`/evaluations/${id}/plan`, {});
        assert.equal(early.status, 409, show(early));
        assert.match(early.json.error.message, /closed evaluation/);
        assert.equal((await admin.post(`/evaluations/${id}/act`, { action: 'close' })).status, 200);

        // Another district's administrator, or another leader: 404 for the evaluation's plan.
        for (const who of ['district_admin_b', 'leader_b']) {
            const j = await ctx.signIn(ctx.w.people[who].email);
            assert.equal((await j.post(`/evaluations/${id}/plan`, {})).status, 404, who);
        }
        // Bad input: each field named, nothing written.
        const bad = await leader.post(`/evaluations/${id}/plan`, { hours: 'many', budget: '12.5', months: 0, target: 9 });
        assert.equal(bad.status, 400, show(bad));
        const fields = [bad.json.error.field, ...(bad.json.error.more || []).map((m) => m.field)].sort();
        assert.deepEqual(fields, ['budget', 'hours', 'months', 'target'], show(bad));
        assert.equal(sql(ctx.db, 'SELECT COUNT(*) FROM growth_plans;').trim(), '0');

        const made = await leader.post(`/evaluations/${id}/plan`, { hours: 30, budget: 1500 });
        assert.equal(made.status, 201, show(made));
        const planId = made.json.id;
        assert.equal((await leader.post(`/evaluations/${id}/plan`, {})).status, 409, 'one plan per evaluation');

        // The plan: a goal per skill below 3, due 12 months on; activities within 30 hours and
        // $1,500, each with its reason; proven optimal.
        let p = (await leader.get(`/plans/${planId}`)).json;
        const ev = (await leader.get(`/evaluations/${id}`)).json;
        const below = ev.results.skills.filter((s) => s.others_mean < 3);
        assert.deepEqual(p.goals.map((g) => g.skill), below.map((s) => s.code), 'one goal per skill below the target, in order');
        for (const g of p.goals) {
            assert.equal(g.target, 3);
            assert.equal(g.due_on, '2027-09-01');
            const s = below.find((x) => x.code === g.skill);
            assert.equal(g.current, Math.round(s.others_mean * 100), g.skill);
            assert.equal(g.weight, s.weight, g.skill);
        }
        assert.ok(p.activities.length > 0, 'something recommended');
        const half = p.activities.reduce((a, x) => a + x.half_hours, 0);
        const cost = p.activities.reduce((a, x) => a + x.cost, 0);
        assert.ok(half <= 60 && cost <= 1500, `${half / 2} h, $${cost}`);
        for (const a of p.activities) {
            assert.equal(a.source, 'recommended');
            assert.match(a.reason, /closes .* Without it the plan would close/, a.reason);
        }
        assert.equal(p.plan.proven_optimal, true);
        assert.equal(p.plan.status, 'draft');
        assert.equal(p.plan.version, 1);

        // The same recommender from the command line, for the plan's gaps and weights.
        const gaps = p.goals.map((g) => `${g.skill}=${(g.target - g.current / 100).toFixed(2)}`).join(',');
        const weights = p.goals.map((g) => `${g.skill}=${g.weight}`).join(',');
        const cli = await cliJson(['pd', 'recommend', '--gaps', gaps, '--weights', weights, '--hours', '30', '--budget', '1500']);
        assert.deepEqual(p.activities.map((a) => a.catalog_id).sort(), cli.activities.map((a) => a.id).sort(), 'the CLI picks the same set');

        // Outside the plan: 404 (another district's administrator, another leader, a stranger's id).
        for (const who of ['district_admin_b', 'leader_b']) {
            const j = await ctx.signIn(ctx.w.people[who].email);
            assert.equal((await j.get(`/plans/${planId}`)).status, 404, who);
            assert.equal((await j.post(`/plans/${planId}/act`, { action: 'agree', version: 1 })).status, 404, who);
            assert.equal((await j.get(`/plans/${planId}/export?format=csv`)).status, 404, who);
        }
        assert.equal((await leader.get('/plans/00000000-0000-4000-8000-000000000000')).status, 404);
        // The supervisor and the administrator see it; the list shows it to each.
        assert.equal((await evaluator.get(`/plans/${planId}`)).status, 200);
        assert.ok((await leader.get('/plans')).json.mine.some((x) => x.id === planId));
        assert.ok((await evaluator.get('/plans')).json.mine.some((x) => x.id === planId));
        assert.ok((await admin.get('/plans')).json.managed.some((x) => x.id === planId));
        // The evaluation's page links the plan.
        assert.equal((await leader.get(`/evaluations/${id}`)).json.plan.id, planId);

        // Agreement: the leader agrees version 1; the supervisor too: agreed.
        let r = await leader.post(`/plans/${planId}/act`, { action: 'agree', version: 1 });
        assert.equal(r.status, 200, show(r));
        assert.equal((await evaluator.post(`/plans/${planId}/act`, { action: 'agree', side: 'leader', version: 1 })).status, 403, 'only the leader agrees for the leader');
        r = await evaluator.post(`/plans/${planId}/act`, { action: 'agree', version: 1 });
        assert.equal(r.status, 200, show(r));
        p = (await leader.get(`/plans/${planId}`)).json;
        assert.equal(p.plan.status, 'agreed');
        assert.ok(p.plan.leader_agreed_at && p.plan.supervisor_agreed_at);

        // An edit (the supervisor removes an activity): version 2, draft, both agreements gone.
        const gone = p.activities[0];
        r = await evaluator.post(`/plans/${planId}/act`, { action: 'remove', activity: gone.id, version: 1 });
        assert.equal(r.status, 200, show(r));
        assert.equal(r.json.version, 2);
        p = (await leader.get(`/plans/${planId}`)).json;
        assert.equal(p.plan.status, 'draft');
        assert.equal(p.plan.leader_agreed_at, null);
        assert.equal(p.plan.supervisor_agreed_at, null);
        assert.ok(!p.activities.some((a) => a.id === gone.id));
        // Agreeing to what one saw before: 409, saying the plan changed.
        r = await leader.post(`/plans/${planId}/act`, { action: 'agree', version: 1 });
        assert.equal(r.status, 409, show(r));
        assert.match(r.json.error.message, /changed since you opened it/);
        r = await leader.post(`/plans/${planId}/act`, { action: 'agree' });
        assert.equal(r.status, 400, 'an agreement names its version');

        // An own activity: every bad field named, nothing written; then a good one.
        r = await leader.post(`/plans/${planId}/act`, { action: 'add', title: '', hours: '0', cost: '-3', skills: 'IV.Z' });
        assert.equal(r.status, 400, show(r));
        assert.deepEqual([r.json.error.field, ...(r.json.error.more || []).map((m) => m.field)].sort(), ['cost', 'hours', 'skills', 'title']);
        assert.equal((await leader.get(`/plans/${planId}`)).json.plan.version, 2, 'nothing written');
        r = await leader.post(`/plans/${planId}/act`, { action: 'add', title: 'Shadow the CFO through budget season', provider: 'Own district', hours: '6', cost: '0', skills: 'II.B; I.A', ce_category: 'pd' });
        assert.equal(r.status, 200, show(r));
        p = (await leader.get(`/plans/${planId}`)).json;
        const own = p.activities.find((a) => a.source === 'added');
        assert.equal(own.skills, 'II.B;I.A');
        assert.equal(own.half_hours, 12);
        // A goal changed: a new target and date.
        const g0 = p.goals[0];
        r = await leader.post(`/plans/${planId}/act`, { action: 'goal', skill: g0.skill, target: 4, due_on: '2027-03-31', version: p.plan.version });
        assert.equal(r.status, 200, show(r));
        r = await leader.post(`/plans/${planId}/act`, { action: 'goal', skill: g0.skill, target: 4, due_on: '2026-01-01' });
        assert.equal(r.status, 400, 'not due before the plan starts');
        assert.equal(r.json.error.field, 'due_on');

        // Done and claimed in one step: a pending CE activity on the leader's credential.
        const cred = insertCredential(ctx.db, { person: ctx.w.people.leader_a.id, number: 'CETL-2026-000777', issued: '2026-01-15', expires: '2029-01-15' });
        r = await evaluator.post(`/plans/${planId}/act`, { action: 'done', activity: own.id, completed_on: '2026-08-20', claim: '1' });
        assert.equal(r.status, 403, 'only the leader claims');
        assert.equal(sql(ctx.db, `SELECT status FROM growth_activities WHERE id = '${own.id}';`).trim(), 'planned', 'the refused claim took the done with it');
        r = await leader.post(`/plans/${planId}/act`, { action: 'done', activity: own.id, completed_on: '2027-01-01' });
        assert.equal(r.status, 400, 'not in the future');
        r = await leader.post(`/plans/${planId}/act`, { action: 'done', activity: own.id, completed_on: '2026-08-20', claim: '1' });
        assert.equal(r.status, 200, show(r));
        assert.ok(r.json.ce_activity_id, show(r));
        const ce = sql(ctx.db, `SELECT a.status, a.category, a.title, a.completed_on, a.quantity, a.skills, c.number FROM ce_activities a JOIN credentials c ON c.id = a.credential_id WHERE a.id = '${r.json.ce_activity_id}';`).trim();
        assert.equal(ce, `pending|pd|Shadow the CFO through budget season|2026-08-20|600|II.B;I.A|${cred.number}`);
        p = (await leader.get(`/plans/${planId}`)).json;
        const doneOwn = p.activities.find((a) => a.id === own.id);
        assert.equal(doneOwn.status, 'done');
        assert.equal(doneOwn.claimed, true);
        assert.equal((await leader.post(`/plans/${planId}/act`, { action: 'claim', activity: own.id })).status, 409, 'claimed once');
        assert.equal((await leader.post(`/plans/${planId}/act`, { action: 'remove', activity: own.id })).status, 409, 'a done activity stays');
        // Done later, claimed later.
        const rec = p.activities.find((a) => a.source === 'recommended');
        r = await leader.post(`/plans/${planId}/act`, { action: 'done', activity: rec.id });
        assert.equal(r.status, 200, show(r));
        assert.equal(r.json.ce_activity_id, null, 'done without a claim');
        r = await leader.post(`/plans/${planId}/act`, { action: 'claim', activity: rec.id });
        assert.equal(r.status, 200, show(r));
        assert.ok(r.json.ce_activity_id);
        const words = (await leader.get(`/plans/${planId}`)).json.events.map((e) => e.kind);
        assert.deepEqual(words.slice(0, 3), ['proposed', 'agreed_leader', 'agreed_supervisor']);
        assert.ok(words.includes('claimed') && words.includes('done') && words.includes('removed'));
        // On the audit trail.
        const audit = sql(ctx.db, `SELECT action FROM audit_log WHERE object_id = '${planId}' ORDER BY id;`).trim().split('\n');
        assert.equal(audit[0], 'plan.create');
        assert.ok(audit.includes('plan.claim') && audit.includes('plan.agree'), audit.join(' '));

        // Downloads: CSV of the activities (a record per activity) and XLSX, read by openpyxl.
        p = (await leader.get(`/plans/${planId}`)).json;
        const csv = await getBytes(leader, `/plans/${planId}/export?format=csv`);
        assert.equal(csv.status, 200);
        assert.match(csv.headers['content-type'], /^text\/csv/);
        const lines = csv.body.toString('utf8').trim().split('\r\n');
        assert.match(lines[0], /^Activity,Provider,Format,Hours,Cost \(USD\),Skills,CE category,Source,Status,Completed on,Why$/);
        assert.equal(lines.length - 1, p.activities.length);
        const x = await getBytes(leader, `/plans/${planId}/export?format=xlsx&part=goals`);
        assert.equal(x.status, 200);
        const py = 'import io,sys,json,openpyxl\nwb=openpyxl.load_workbook(io.BytesIO(sys.stdin.buffer.read()),read_only=True)\nprint(json.dumps([[c for c in r] for r in wb.worksheets[0].iter_rows(values_only=True)]))';
        const rows = JSON.parse(await run(process.env.CTOFRAME_TEST_PYTHON || '/usr/bin/python3', ['-c', py], x.body));
        assert.deepEqual(rows[0], ['Skill code', 'Skill', 'Current level', 'Target level', 'Weight', 'Due']);
        assert.deepEqual(rows.slice(1).map((r) => r[0]), p.goals.map((g) => g.skill));
        assert.equal(rows[1][3], 4, 'the changed target, as a number');

        // Closed by the supervisor: no more changes (409).
        assert.equal((await leader.post(`/plans/${planId}/act`, { action: 'close' })).status, 403);
        assert.equal((await evaluator.post(`/plans/${planId}/act`, { action: 'close' })).status, 200);
        r = await leader.post(`/plans/${planId}/act`, { action: 'add', catalog: p.catalog[0].id });
        assert.equal(r.status, 409, show(r));
    });
});

test('an agreement racing an edit: never an agreement on a version it did not see', { timeout: 240000 }, async () => {
    await withServer({ env: { CTOFRAME_NOW: NOW } }, async (ctx) => {
        await ctx.start();
        const admin = await ctx.signIn(ctx.w.people.district_admin_a.email);
        const { id, leader, evaluator } = await closedEvaluation(ctx, admin, [1, 2]);
        assert.equal((await admin.post(`/evaluations/${id}/act`, { action: 'close' })).status, 200);
        const made = await leader.post(`/evaluations/${id}/plan`, { hours: 60, budget: 5000 });
        assert.equal(made.status, 201, show(made));
        const planId = made.json.id;
        let wins = { agree: 0, edit: 0 };
        for (let round = 0; round < 8; round++) {
            const p = (await leader.get(`/plans/${planId}`)).json;
            const v = p.plan.version;
            const [a, e] = await Promise.all([
                evaluator.post(`/plans/${planId}/act`, { action: 'agree', version: v }),
                leader.post(`/plans/${planId}/act`, { action: 'recommend', hours: 60 - round, version: v }),
            ]);
            assert.ok([200, 409].includes(a.status), show(a));
            assert.equal(e.status, 200, show(e));
            if (a.status === 200) wins.agree++;
            const after = (await leader.get(`/plans/${planId}`)).json.plan;
            // The edit always lands; whatever order they ran in, no agreement survives it.
            assert.equal(after.version, v + 1);
            assert.equal(after.supervisor_agreed_at, null, `round ${round}`);
            wins.edit++;
        }
        assert.equal(wins.edit, 8);
    });
});
