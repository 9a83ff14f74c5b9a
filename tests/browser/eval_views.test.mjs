// The team heatmap and the aggregates in a real browser (issue 9 point 6): a closed
// evaluation of district A's leader, then the heatmap as A's administrator and the state's
// aggregate as the program's administrator — axe-core finds no serious or critical
// violation, and at phone width nothing but the tables' own scrolling boxes is wider than
// the screen. Screenshots in build/screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../http/helper.mjs';
import { CHEAP, ownDb, buildWorld, signIn as apiSignIn } from '../http/authhelp.mjs';
import { launchBrowser, formatViolations, signIn, signOut, closeAll, check } from './helper.mjs';

let d, srv, browser, w;
const scanned = new Map();

before(async () => {
    d = await ownDb();
    w = await buildWorld(d.db);
    srv = await startServer({ db: d.db, env: CHEAP });
    browser = await launchBrowser();
});

after(() => closeAll({ browser, srv, d }));

/** A closed evaluation of leader A, rated on every skill by the supervisor (through the API). */
async function closedEvaluation() {
    const admin = await apiSignIn(srv.url, w.people.district_admin_a.email);
    const id = (await admin.post('/evaluations', { subject: w.people.leader_a.id, purpose: 'annual', title: 'Review 2026' })).json.id;
    await admin.post(`/evaluations/${id}/raters`, { kind: 'self' });
    await admin.post(`/evaluations/${id}/raters`, { kind: 'supervisor', name: 'Eve Evaluator', email: w.people.evaluator_a.email });
    assert.equal((await admin.post(`/evaluations/${id}/act`, { action: 'open' })).status, 200);
    const sup = await apiSignIn(srv.url, w.people.evaluator_a.email);
    const items = (await sup.get(`/evaluations/${id}/rate`)).json.skills.map((s) => s.item_id);
    for (const [i, item] of items.entries()) {
        assert.equal((await sup.post(`/evaluations/${id}/answer`, { item_id: item, level: 1 + (i % 4), seq: 0 })).status, 200);
    }
    assert.equal((await admin.post(`/evaluations/${id}/act`, { action: 'close' })).status, 200);
}

test('the heatmap and the aggregate pass axe and fit a phone', { timeout: 240000 }, async () => {
    const { page } = browser;
    await closedEvaluation();

    await signIn(page, srv.url, w.people.district_admin_a.email);
    await page.goto(`${srv.url}/evaluations/team`);
    assert.match(await page.locator('h1').innerText(), /Team heatmap: District A/);
    assert.equal(await page.locator('table.heatmap tbody tr').first().locator('td').count(), 10);
    await check(page, '/evaluations/team', { scanned, prefix: 'eval-views', axePhone: true });
    await signOut(page);

    await signIn(page, srv.url, w.people.program_admin.email);
    await page.goto(`${srv.url}/evaluations/aggregate?scope=state&org=${w.orgs.state}`);
    assert.match(await page.locator('main').innerText(), /Fewer than 5: not shown\./);
    await check(page, '/evaluations/aggregate', { scanned, prefix: 'eval-views', axePhone: true });

    const all = [...scanned].flatMap(([where, v]) => (v.length ? [formatViolations(v, where)] : []));
    assert.deepEqual(all, [], all.join('\n'));
});
