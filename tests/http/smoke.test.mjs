// Smoke tests: only the basic serve contract (start, home page, 404 shapes, port clash, SIGTERM).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, get } from './helper.mjs';

let srv;

before(async () => {
    srv = await startServer();
});

after(async () => {
    if (srv) await srv.stop();
});

test('server listens on a free loopback port it chose itself', () => {
    assert.match(srv.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(srv.port > 0 && srv.port < 65536, `port ${srv.port}`);
});

test('GET / is an HTML page', async () => {
    const r = await get(srv.url + '/');
    assert.equal(r.status, 200, r.text.slice(0, 500));
    assert.match(r.headers['content-type'] || '', /^text\/html/i);
    assert.match(r.text, /<html/i);
});

test('unknown route: 404 as an HTML page', async () => {
    const r = await get(srv.url + '/no-such-page-' + Date.now());
    assert.equal(r.status, 404);
    assert.match(r.headers['content-type'] || '', /^text\/html/i);
    assert.ok(r.text.length > 0, 'a body a person can read');
});

test('unknown route: 404 as JSON with Accept: application/json', async () => {
    const r = await get(srv.url + '/no-such-page-' + Date.now(), {
        headers: { accept: 'application/json' },
    });
    assert.equal(r.status, 404);
    assert.match(r.headers['content-type'] || '', /^application\/json/i);
    assert.ok(r.json, `JSON body, got: ${r.text.slice(0, 300)}`);
    assert.equal(typeof r.json.error, 'object');
    assert.equal(r.json.error.code, 'not_found');
    assert.equal(typeof r.json.error.message, 'string');
});

test('a second server on the same port exits non-zero and says why on stderr', async () => {
    await assert.rejects(startServer({ port: srv.port }), (e) => {
        assert.ok(e.exitCode !== undefined, `expected an exit, got: ${e.message}`);
        assert.notEqual(e.exitCode, 0, 'non-zero exit status');
        assert.ok((e.stderr || '').trim().length > 0, 'a message on stderr');
        return true;
    });
    // The first server is unharmed.
    const r = await get(srv.url + '/');
    assert.equal(r.status, 200);
});

test('SIGTERM stops the server with exit status 0', async () => {
    const s = await startServer();
    const r = await get(s.url + '/');
    assert.equal(r.status, 200);
    const code = await s.stop();
    assert.equal(code, 0, `exit ${code}; stderr:\n${s.stderr()}`);
});
