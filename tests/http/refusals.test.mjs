// Refusals of anonymous requests cannot flood the audit trail (issue 6, fault 5).
//
// 5,000 POSTs a second without a CSRF token once wrote one append-only audit row each.
// Now a refusal of someone not signed in is counted per address, reason and 10-minute
// interval: the first of an interval is an entry at once, the rest only count, and when the
// interval is over its count becomes one more entry. The audit page says it in words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from './helper.mjs';
import { MINUTE, iso, baseTime, withServer, show } from './authhelp.mjs';

const BURST = 2000;
const WINDOW = 10 * MINUTE;

/** n POSTs to /login without a CSRF token, `parallel` at a time; resolves with the statuses. */
async function burst(url, n, parallel = 16) {
    const statuses = new Map();
    let next = 0;
    const one = async () => {
        while (next < n) {
            next++;
            const r = await request(url + '/login', {
                method: 'POST',
                headers: { accept: 'application/json', 'content-type': 'application/json' },
                body: JSON.stringify({ email: 'x@example.org', password: 'whatever it is' }),
                timeout: 60000,
            });
            statuses.set(r.status, (statuses.get(r.status) || 0) + 1);
        }
    };
    await Promise.all(Array.from({ length: parallel }, one));
    return statuses;
}

async function refusedEntries(admin) {
    const r = await admin.get('/admin/audit?action=auth.refused&limit=1000');
    assert.equal(r.status, 200, show(r));
    return r.json;
}

test(`${BURST} POSTs without a CSRF token from one address add a handful of audit entries, with the count`, async () => {
    // A fixed clock, one minute into an interval: the burst cannot straddle two intervals.
    const t0 = baseTime() - (baseTime() % WINDOW) + MINUTE;
    await withServer({}, async (ctx) => {
        await ctx.start({ env: { CTOFRAME_NOW: iso(t0) } });
        const admin = await ctx.signIn(ctx.w.people.program_admin.email);
        const before = (await refusedEntries(admin)).entries.length;

        const statuses = await burst(ctx.url, BURST);
        assert.deepEqual([...statuses], [[403, BURST]], 'every one refused');

        // One entry (the first), the rest counted, and the page says how many so far.
        let page = await refusedEntries(admin);
        const added = page.entries.length - before;
        assert.equal(added, 1, `entries added by ${BURST} refusals: ${added}`);
        assert.equal(page.entries[0].after.reason, 'csrf');
        assert.equal(page.entries[0].after.count, 1);
        assert.match(page.entries[0].summary, /^A request from \S+ was refused \(csrf\)\. Further refusals from there in the next 10 minutes are counted in one entry\.$/);
        const counting = page.refusals_counting.find((c) => c.reason === 'csrf');
        assert.ok(counting, `being counted: ${JSON.stringify(page.refusals_counting)}`);
        assert.equal(counting.count, BURST);
        assert.match(counting.words, /^2,000 requests from \S+ refused \(csrf\) since \d\d:\d\d:\d\d UTC, still being counted\.$/);
        let html = await admin.get('/admin/audit', { html: true });
        assert.ok(html.text.includes('2,000 requests from'), 'the HTML page shows the count in words');

        // The next interval: its first refusal writes the count of the last one as one entry.
        await ctx.start({ env: { CTOFRAME_NOW: iso(t0 + WINDOW) } });
        assert.deepEqual([...(await burst(ctx.url, 1, 1))], [[403, 1]]);
        const again = await ctx.signIn(ctx.w.people.program_admin.email);
        page = await refusedEntries(again);
        const mine = page.entries.slice(0, page.entries.length - before);
        assert.ok(mine.length <= 3, `at most three entries for two intervals: ${mine.length}`);
        const total = mine.find((e) => e.after?.count === BURST);
        assert.ok(total, `an entry with the count ${BURST}: ${JSON.stringify(mine.map((e) => e.after))}`);
        assert.equal(total.actor, 'anonymous');
        assert.match(total.summary, /^2,000 requests from \S+ were refused \(csrf\) between \d\d:\d\d:\d\d UTC and \d\d:\d\d:\d\d UTC\.$/);
        assert.equal(page.refusals_counting.find((c) => c.reason === 'csrf')?.count, 1, 'the new interval counts from 1');
        html = await again.get('/admin/audit', { html: true });
        assert.ok(html.text.includes('2,000 requests from'), 'the HTML page shows the entry in words');
    });
});
