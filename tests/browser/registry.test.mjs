// The public registry in a real browser (issue 8 point 7): anyone searches the registry the
// demo fills (by name without accents, then by state), opens a credential's verification page
// with its "Demo data" badge; a holder leaves the directory from their own page and is still
// verified. Each page is scanned with axe-core and checked at a 390 px phone width for
// anything cut off. Credentials of non-demo holders are written with sqlite3 (the life cycle
// that issues them is another part of issue 8); on PostgreSQL the test is skipped, visibly.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { startServer, isPostgresUrl } from '../http/helper.mjs';
import { CHEAP, ownDb, buildWorld, cliOk } from '../http/authhelp.mjs';
import { launchBrowser, formatViolations, clickAndWait, signIn, check, closeAll } from './helper.mjs';

const ON_PG = isPostgresUrl(process.env.CTOFRAME_TEST_DB);
let d, srv, browser, w;
const scanned = new Map();

const sqlite = (db, sql) =>
    new Promise((resolve, reject) => {
        execFile('sqlite3', ['-bail', '-cmd', '.timeout 10000', db, sql], (err, out, stderr) => (err ? reject(new Error(stderr)) : resolve(out)));
    });

before(async () => {
    if (ON_PG) return;
    d = await ownDb();
    w = await buildWorld(d.db);
    srv = await startServer({ db: d.db, env: CHEAP });
    await cliOk(['demo'], { db: d.db, env: CHEAP });
    await sqlite(d.db, `INSERT INTO credentials (id, number, program_id, person_id, status, issued_on, term_start, expires_on,
        rules_version, listed, created_at, updated_at) VALUES ('${randomUUID()}', 'CETL-2025-000042',
        (SELECT id FROM programs WHERE code = 'CETL'), '${w.people.leader_a.id}', 'active', '2025-03-01', '2025-03-01',
        '2028-03-01', 1, 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');`);
    browser = await launchBrowser();
});

after(() => closeAll({ browser, srv, d }));

test('anyone searches the registry and verifies a credential; a holder leaves the directory', { skip: ON_PG && 'credentials are inserted with sqlite3', timeout: 120000 }, async () => {
    const { page } = browser;
    await page.goto(srv.url + '/registry');
    const main = page.locator('main');
    assert.match(await main.innerText(), /Credentials by status/);
    assert.ok((await main.locator('.badge-demo').count()) > 0, 'demo credentials carry the badge');
    await check(page, '/registry', { scanned, prefix: 'registry', axePhone: true });

    // A name typed without its accent finds the accented one.
    await page.getByLabel('Name, organization or number').fill('zoe');
    await clickAndWait(page, page.getByRole('button', { name: 'Search' }), /q=zoe/);
    const names = await main.locator('td[data-label="Name"]').allInnerTexts();
    assert.ok(names.length > 0 && names.every((n) => /Zoë|Zoe/.test(n)), names.join(', '));
    await check(page, '/registry?q=zoe', { scanned, prefix: 'registry', axePhone: true });

    // A refused search: the message beside its field.
    await page.goto(srv.url + '/registry?state=zz9');
    assert.match(await page.locator('#state-error').innerText(), /two-letter code/);
    await check(page, '/registry (refused)', { scanned, prefix: 'registry', axePhone: true });

    // The verification page of a demo credential.
    await page.goto(srv.url + '/registry?q=zoe');
    await clickAndWait(page, main.locator('td[data-label="Credential"] a').first(), /\/verify\//);
    assert.match(await main.innerText(), /Demo data/);
    await check(page, '/verify/NUMBER', { scanned, prefix: 'registry', axePhone: true });

    // The holder leaves the directory from their own page; still verified.
    await signIn(page, srv.url, w.people.leader_a.email);
    await page.goto(srv.url + '/me/registry');
    await check(page, '/me/registry', { scanned, prefix: 'registry', axePhone: true });
    await clickAndWait(page, page.getByRole('button', { name: 'Leave the registry' }), /done=unlisted/);
    assert.match(await page.locator('.notice').innerText(), /still verifies/);
    await check(page, '/me/registry (left)', { scanned, prefix: 'registry', axePhone: true });
    await page.goto(srv.url + '/registry?q=CETL-2025-000042');
    assert.match(await main.innerText(), /No credential matches/);
    await page.goto(srv.url + '/verify/cetl-2025-000042');
    assert.match(await main.innerText(), /This credential is valid/);
});

test('axe finds no serious or critical violation on the registry pages', { skip: ON_PG && 'no pages were scanned' }, () => {
    assert.ok(scanned.size >= 10, `pages scanned: ${[...scanned.keys()].join(', ')}`);
    const all = [...scanned].flatMap(([where, v]) => (v.length ? [formatViolations(v, where)] : []));
    assert.deepEqual(all, [], all.join('\n'));
});
