// The registry's words in memory (svc/registry.c, core/regindex.c; docs/registry.md) under
// writes from another process: every answer to a search is the registry as it was at one
// moment — never a count from one moment with the rows of another — and the first search
// after a write sees it.
//
// 30 holders named "Racer NN" (Racer 00 first in name order, so it is on the first page
// whenever it is listed). Another process (sqlite3 or psql) takes Racer 00 out of the
// directory and puts it back, 12 times, while 6 clients search "racer" without pause, each
// request with a new unused argument so none is answered from the web cache. Each answer
// must be either 30 holders with Racer 00 first, or 29 without it. Runs under
// ThreadSanitizer too (scripts/test: tsan_http).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from './resultshelp.mjs';
import { withServer, show } from './authhelp.mjs';

const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
const NOW = "'2026-01-01T00:00:00Z'";

async function holders(db, n) {
    const org = randomUUID();
    let text = `INSERT INTO orgs (id, kind, name, parent_id, created_at, updated_at)
        VALUES (${q(org)}, 'district', 'Race District', NULL, ${NOW}, ${NOW});\n`;
    for (let i = 0; i < n; i++) {
        const pid = randomUUID();
        const nn = String(i).padStart(2, '0');
        text += `INSERT INTO people (id, email, name, org_id, status, pseudonym, created_at, updated_at)
            VALUES (${q(pid)}, ${q(`racer${nn}@example.org`)}, ${q(`Racer ${nn}`)}, ${q(org)}, 'active', 'P', ${NOW}, ${NOW});
            INSERT INTO credentials (id, number, program_id, person_id, status, issued_on, term_start, expires_on,
                rules_version, listed, created_at, updated_at)
            VALUES (${q(randomUUID())}, ${q(`CETL-2025-0009${nn}`)}, (SELECT id FROM programs WHERE code = 'CETL'),
                ${q(pid)}, 'active', '2025-03-01', '2025-03-01', '2028-03-01', 1, 1, ${NOW}, ${NOW});\n`;
    }
    await sql(db, text);
}

test('searches racing directory changes from another process are each one moment of the registry', { timeout: 180000 }, async () => {
    await withServer({ world: false }, async (ctx) => {
        await ctx.start();
        await holders(ctx.db, 30);
        const anon = ctx.jar();
        let n = 0;
        const search = async () => {
            n += 1;
            const r = await anon.get(`/registry?q=racer&x=${n}-${Math.random()}`);
            assert.equal(r.status, 200, show(r));
            return r.json;
        };

        let r = await search();
        assert.equal(r.total, 30);
        assert.equal(r.results[0].name, 'Racer 00');

        let writing = true;
        const seen = { listed: 0, unlisted: 0 };
        const writer = (async () => {
            try {
                for (let i = 0; i < 12; i++) {
                    await sql(ctx.db, "UPDATE credentials SET listed = 0 WHERE number = 'CETL-2025-000900';\n");
                    await sql(ctx.db, "UPDATE credentials SET listed = 1 WHERE number = 'CETL-2025-000900';\n");
                }
            } finally {
                writing = false;
            }
        })();
        const reader = async () => {
            while (writing) {
                const a = await search();
                const first = a.results[0]?.name;
                if (a.total === 30) {
                    assert.equal(first, 'Racer 00', `30 holders must include Racer 00: ${JSON.stringify(a).slice(0, 300)}`);
                    seen.listed += 1;
                } else {
                    assert.equal(a.total, 29, `a total of 29 or 30: ${JSON.stringify(a).slice(0, 300)}`);
                    assert.equal(first, 'Racer 01', 'without Racer 00, Racer 01 is first');
                    seen.unlisted += 1;
                }
                assert.equal(a.results.length, 25);
                assert.ok(a.results.every((x) => x.status === 'active'));
            }
        };
        await Promise.all([writer, ...Array.from({ length: 6 }, reader)]);
        assert.ok(seen.listed + seen.unlisted >= 24, `searches answered while writing: ${JSON.stringify(seen)}`);

        // The first search after the last write (listed again) sees it; so does one after a
        // change of what a row shows (a status).
        r = await search();
        assert.equal(r.total, 30);
        await sql(ctx.db, "UPDATE credentials SET status = 'suspended' WHERE number = 'CETL-2025-000900';\n");
        r = await search();
        assert.equal(r.results[0].status, 'suspended');
    });
});
