// A running server survives a PostgreSQL restart: its broken connections are reopened and
// requests succeed afterwards (before, every request answered 500 until the server restarted).
//
// Runs when CTOFRAME_TEST_PG_DIR is set (scripts/test sets it when PostgreSQL is available),
// else it is reported as skipped. It restarts a cluster of its own, made with
// scripts/pg-cluster beside the one in CTOFRAME_TEST_PG_DIR, so that test files running at the
// same time on the shared cluster are not cut off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import path from 'node:path';

import { ROOT, startServer, getJson } from './helper.mjs';
import { CHEAP, Jar, addOrg, addUser, signIn, show } from './authhelp.mjs';

const SCRIPT = path.join(ROOT, 'scripts', 'pg-cluster');

function pgCluster(cmd, dir) {
    return new Promise((resolve, reject) => {
        execFile(SCRIPT, [cmd, dir], { timeout: 120000 }, (err, stdout, stderr) => {
            if (err) {
                err.message += `\n${stderr}`;
                reject(err);
            } else resolve(stdout.trim());
        });
    });
}

test('the server answers again after PostgreSQL restarts under it', async (t) => {
    if (!process.env.CTOFRAME_TEST_PG_DIR) {
        t.skip('CTOFRAME_TEST_PG_DIR is not set (no PostgreSQL cluster for this run)');
        return;
    }
    // Short path: the cluster's socket lives in it (107 bytes at most). scripts/pg-cluster
    // takes an empty directory and deletes it on stop.
    const dir = mkdtempSync('/tmp/ctoframe-pgr.');
    let srv = null;
    try {
        const db = await pgCluster('start', dir);
        const body = await addOrg(db, 'Certification Body', 'body', { env: CHEAP });
        await addUser(db, 'admin@example.org', { role: 'program_admin', org: body, env: CHEAP });
        srv = await startServer({ db, env: CHEAP, args: ['--threads', '2'] });

        const jar = await signIn(srv.url, 'admin@example.org');
        const people = async () => jar.get('/admin/people');
        let r = await people();
        assert.equal(r.status, 200, show(r));
        for (let i = 0; i < 4; i++) {
            r = await getJson(srv.url + '/healthz');
            assert.equal(r.status, 200, show(r));
        }

        await pgCluster('restart', dir);

        // Reads, a signed-in page and a new sign-in (a write): every one succeeds, on every
        // worker thread, with no request lost to the restart.
        for (let i = 0; i < 8; i++) {
            r = await getJson(srv.url + '/healthz');
            assert.equal(r.status, 200, `healthz #${i} after the restart: ${show(r)}`);
            assert.equal(r.json.database, 'postgresql');
        }
        for (let i = 0; i < 4; i++) {
            r = await people();
            assert.equal(r.status, 200, `people #${i} after the restart: ${show(r)}`);
        }
        const again = await signIn(srv.url, 'admin@example.org', undefined, new Jar(srv.url));
        r = await again.get('/admin/people');
        assert.equal(r.status, 200, show(r));
    } finally {
        if (srv) await srv.stop();
        await pgCluster('stop', dir).catch(() => {});
    }
});
