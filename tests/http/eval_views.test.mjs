// Team and aggregate views of evaluations (issue 9 point 6): district A's administrator
// closes an evaluation of A's leader and sees the team heatmap (JSON and HTML: a table with
// row and column headers, a number in every shaded cell, a legend); another district's
// administrator gets 404 for it, a leader 403. The aggregates are the program's: district
// A's one person is a group smaller than 5, so no number of it shows (JSON or HTML), and a
// district administrator gets 403.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withServer, show } from './authhelp.mjs';

/** An evaluation of leader A, rated by the supervisor (levels) and self, then closed. */
async function closedEvaluation(ctx, levels, selfLevel) {
    const admin = await ctx.signIn(ctx.w.people.district_admin_a.email);
    const c = await admin.post('/evaluations', { subject: ctx.w.people.leader_a.id, purpose: 'annual', title: 'Review 2026' });
    assert.equal(c.status, 201, show(c));
    const id = c.json.id;
    for (const r of [{ kind: 'self' }, { kind: 'supervisor', name: 'Eve Evaluator', email: ctx.w.people.evaluator_a.email }]) {
        const a = await admin.post(`/evaluations/${id}/raters`, r);
        assert.equal(a.status, 200, show(a));
    }
    assert.equal((await admin.post(`/evaluations/${id}/act`, { action: 'open' })).status, 200);
    const sup = await ctx.signIn(ctx.w.people.evaluator_a.email);
    const items = (await sup.get(`/evaluations/${id}/rate`)).json.skills.map((s) => s.item_id);
    for (const [i, level] of levels.entries()) {
        const r = await sup.post(`/evaluations/${id}/answer`, { item_id: items[i], level, seq: 0 });
        assert.equal(r.status, 200, show(r));
    }
    const leader = await ctx.signIn(ctx.w.people.leader_a.email);
    assert.equal((await leader.post(`/evaluations/${id}/answer`, { item_id: items[0], level: selfLevel, seq: 0 })).status, 200);
    const closed = await admin.post(`/evaluations/${id}/act`, { action: 'close' });
    assert.equal(closed.status, 200, show(closed));
    return { id, admin };
}

test('the team heatmap: the latest closed evaluation per person, 404 outside the district', { timeout: 180000 }, async () => {
    await withServer({}, async (ctx) => {
        await ctx.start();
        const { id, admin } = await closedEvaluation(ctx, [3, 2], 1);

        const j = await admin.get('/evaluations/team');
        assert.equal(j.status, 200, show(j));
        assert.equal(j.json.district.id, ctx.w.orgs.a);
        assert.equal(j.json.columns.length, 10);
        assert.equal(j.json.people.length, 1);
        const row = j.json.people[0];
        assert.equal(row.person_id, ctx.w.people.leader_a.id);
        assert.equal(row.evaluation_id, id);
        assert.equal(row.cells[0].mean, 3);
        assert.equal(row.cells[0].text, '3.0');
        assert.equal(row.cells[1].mean, 2);
        assert.equal(row.cells[2].mean, null);
        assert.equal(row.self[0].level, 1, 'self is kept apart');
        assert.equal(j.json.legend.length, 4);

        const h = await admin.get(`/evaluations/team?org=${ctx.w.orgs.a}`, { html: true });
        assert.equal(h.status, 200);
        assert.match(h.text, /<table class="heatmap">/);
        assert.match(h.text, /<th scope="col"><span class="heat-code">I\.A<\/span>/);
        assert.match(h.text, /<th scope="row"><a href="\/evaluations\/[0-9a-f-]{36}">/);
        assert.match(h.text, /<td class="heat heat-3">3\.0<\/td>/, 'the number is printed in the shaded cell');
        assert.match(h.text, /Not rated/);
        assert.match(h.text, /Self-ratings/);

        // Another district's administrator: no such district. A leader: no such right.
        const adminB = await ctx.signIn(ctx.w.people.district_admin_b.email);
        const out = await adminB.get(`/evaluations/team?org=${ctx.w.orgs.a}`);
        assert.equal(out.status, 404, show(out));
        assert.doesNotMatch(JSON.stringify(out.json), new RegExp(ctx.w.people.leader_a.id));
        assert.equal((await adminB.get(`/evaluations/team?org=${ctx.w.orgs.a}`, { html: true })).status, 404);
        const own = await adminB.get('/evaluations/team');
        assert.equal(own.status, 200);
        assert.equal(own.json.people.length, 0);
        const leader = await ctx.signIn(ctx.w.people.leader_a.email);
        assert.equal((await leader.get('/evaluations/team')).status, 403);
        // The program's administrator names a district; without one the field is named.
        const pa = await ctx.signIn(ctx.w.people.program_admin.email);
        assert.equal((await pa.get(`/evaluations/team?org=${ctx.w.orgs.a}`)).json.people.length, 1);
        const none = await pa.get('/evaluations/team');
        assert.equal(none.status, 400, show(none));
        assert.equal(none.json.error.field, 'org');
    });
});

test('aggregates show no group smaller than 5, in JSON and HTML; program administrators only', { timeout: 180000 }, async () => {
    await withServer({}, async (ctx) => {
        await ctx.start();
        await closedEvaluation(ctx, [4, 4], 4);
        const pa = await ctx.signIn(ctx.w.people.program_admin.email);

        for (const path of [`/evaluations/aggregate?scope=state&org=${ctx.w.orgs.state}`, '/evaluations/aggregate?scope=program']) {
            const j = await pa.get(path);
            assert.equal(j.status, 200, show(j));
            assert.equal(j.json.min_group, 5);
            // Every district of the state (B: nobody evaluated), every state: a hidden row
            // does not tell whether anyone is in it.
            assert.equal(j.json.groups.length, path.includes('state&') ? 2 : 1);
            for (const g of [...j.json.groups, j.json.total]) {
                assert.equal(g.hidden, true, `${path}: ${g.name}`);
                assert.equal(g.people, null);
                for (const c of g.cells) {
                    assert.equal(c.mean, null);
                    assert.equal(c.n, null);
                    assert.equal(c.text, 'Fewer than 5: not shown.');
                }
            }
            const h = await pa.get(path, { html: true });
            assert.equal(h.status, 200);
            assert.match(h.text, /Fewer than 5: not shown\./);
            assert.doesNotMatch(h.text, /4\.0/, 'no mean of the group of one');
        }
        assert.equal((await pa.get('/evaluations/aggregate?scope=state&org=' + ctx.w.orgs.a)).status, 404);
        const bad = await pa.get('/evaluations/aggregate?scope=planet');
        assert.equal(bad.status, 400);
        assert.equal(bad.json.error.field, 'scope');

        const adminA = await ctx.signIn(ctx.w.people.district_admin_a.email);
        assert.equal((await adminA.get('/evaluations/aggregate?scope=program')).status, 403);
        assert.equal((await adminA.get('/evaluations/aggregate?scope=program', { html: true })).status, 403);
    });
});
