// The CASE API as people and programs meet it outside the happy path:
//  - /case-api, the page the "CASE API" menu item opens: what CASE is and each endpoint, with
//    example URLs on this server's configured public address (never the request's Host), each
//    of which answers 200 with JSON;
//  - any address under /ims/case/v1p0/ that no endpoint serves, and any method but GET/HEAD,
//    answers like the service does: imsx_StatusInfo JSON with 404/405, never an HTML page.
// Expectations come from data/frameworks (loaded into a new database on start).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { startServer, get, request, ROOT } from './helper.mjs';

const CASE = '/ims/case/v1p0';
const PUBLIC = 'https://ctoframe.example.org:8443';
const DATA_DIR = path.join(ROOT, 'data', 'frameworks');
const packages = readdirSync(DATA_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(path.join(DATA_DIR, f), 'utf8')));
const itemIds = new Set(packages.flatMap((p) => (p.CFItems || []).map((i) => i.identifier)));
const rubricIds = new Set(packages.flatMap((p) => (p.CFRubrics || []).map((r) => r.identifier)));
const assocIds = new Set(packages.flatMap((p) => (p.CFAssociations || []).map((a) => a.identifier)));
const docIds = new Set(packages.map((p) => p.CFDocument.identifier));

let srv;

before(async () => {
    srv = await startServer({ args: ['--public-url', PUBLIC] });
});

after(async () => {
    if (srv) await srv.stop();
});

function assertImsx(r, status, minor, what) {
    assert.equal(r.status, status, `${what}: status; body: ${r.text.slice(0, 300)}`);
    assert.match(r.headers['content-type'] || '', /^application\/json/i, `${what}: JSON, not HTML`);
    assert.ok(r.json, `${what}: a JSON body, got ${r.text.slice(0, 200)}`);
    assert.equal(r.json.imsx_codeMajor, 'failure', what);
    assert.equal(r.json.imsx_severity, 'error', what);
    assert.ok(typeof r.json.imsx_description === 'string' && r.json.imsx_description.length > 0, what);
    const fields = r.json.imsx_codeMinor?.imsx_codeMinorField || [];
    assert.ok(
        fields.some((f) => f.imsx_codeMinorFieldValue === minor),
        `${what}: imsx_codeMinor ${minor}: ${JSON.stringify(r.json.imsx_codeMinor)}`,
    );
    assert.equal(r.headers['access-control-allow-origin'], '*', `${what}: CORS`);
}

// --- point 13: unsupported CASE addresses ----------------------------------------------

test('unknown addresses under /ims/case/v1p0/ → 404 imsx_StatusInfo JSON, even for a browser', async () => {
    const html = { accept: 'text/html,application/xhtml+xml' };
    const item = [...itemIds][0];
    for (const p of [
        `${CASE}/CFNothing`,
        `${CASE}/CFItems/`,
        `${CASE}/CFDocuments/`,
        `${CASE}/`,
        CASE,
        `${CASE}/CFItems/${item}/extra`,
        `${CASE}/cfdocuments`,
    ]) {
        assertImsx(await get(srv.url + p), 404, 'unknownobject', `GET ${p}`);
        assertImsx(await get(srv.url + p, { headers: html }), 404, 'unknownobject', `GET ${p} (HTML asked)`);
    }
});

test('other methods on CASE endpoints → 405 imsx_StatusInfo JSON with Allow: GET, HEAD', async () => {
    const item = [...itemIds][0];
    for (const [method, p] of [
        ['POST', `${CASE}/CFDocuments`],
        ['PUT', `${CASE}/CFItems/${item}`],
        ['DELETE', `${CASE}/CFItems/${item}`],
        ['PATCH', `${CASE}/CFPackages/${[...docIds][0]}`],
    ]) {
        const r = await request(srv.url + p, { method, body: method === 'DELETE' ? undefined : '{}' });
        assertImsx(r, 405, 'invalid_data', `${method} ${p}`);
        assert.match(r.headers.allow || '', /\bGET\b/, `${method} ${p}: Allow`);
        assert.doesNotMatch(r.headers.allow || '', /POST/, `${method} ${p}: Allow has no POST`);
    }
    // An unknown CASE address with another method is still a 404 in CASE's form.
    assertImsx(await request(srv.url + `${CASE}/CFNothing`, { method: 'POST', body: '{}' }), 404, 'unknownobject', 'POST unknown');
});

test('outside /ims/case/v1p0/ an unknown address is still the HTML 404 page', async () => {
    for (const p of ['/nothing-here', '/ims/case/v1p1/CFDocuments', '/ims/case']) {
        const r = await get(srv.url + p, { headers: { accept: 'text/html' } });
        assert.equal(r.status, 404, p);
        assert.match(r.headers['content-type'] || '', /^text\/html/i, `${p}: HTML`);
    }
});

// --- point 6: the guide page -------------------------------------------------------------

test('the top menu links "CASE API" to /case-api, not to raw JSON', async () => {
    for (const p of ['/', '/frameworks']) {
        const r = await get(srv.url + p, { headers: { accept: 'text/html' } });
        assert.equal(r.status, 200, p);
        const nav = r.text.match(/<nav aria-label="Main">[\s\S]*?<\/nav>/);
        assert.ok(nav, `${p}: main navigation`);
        assert.match(nav[0], /<a href="\/case-api">CASE API<\/a>/, `${p}: menu link`);
        assert.doesNotMatch(nav[0], /\/ims\/case\/v1p0/, `${p}: no raw JSON address in the menu`);
    }
});

test('/case-api: an HTML page explaining CASE and every endpoint the router serves', async () => {
    const r = await get(srv.url + '/case-api', { headers: { accept: 'text/html' } });
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'] || '', /^text\/html/i);
    assert.match(r.text, /<h1>[^<]*CASE API[^<]*<\/h1>/);
    assert.match(r.text, /Competencies and Academic Standards Exchange/);
    for (const ep of ['CFDocuments', 'CFDocuments/{identifier}', 'CFPackages/{identifier}', 'CFItems/{identifier}',
        'CFItemAssociations/{identifier}', 'CFAssociations/{identifier}', 'CFRubrics/{identifier}']) {
        assert.ok(r.text.includes(`<code>GET ${CASE}/${ep}</code>`), `explains ${ep}`);
    }
});

test('/case-api: every example is a link and a curl line on the configured public address, never the Host header', async () => {
    const r = await get(srv.url + '/case-api', { headers: { accept: 'text/html', host: 'evil.example' } });
    assert.equal(r.status, 200);
    assert.doesNotMatch(r.text, /evil\.example/, 'the Host header is never used');
    const links = [...r.text.matchAll(/<a href="([^"]+)">/g)].map((m) => m[1]).filter((h) => h.includes(CASE));
    assert.equal(links.length, 7, `one example link per endpoint: ${links.join('\n')}`);
    const curls = [...r.text.matchAll(/<code>curl -s &#39;([^&]+)&#39;<\/code>/g)].map((m) => m[1]);
    assert.deepEqual(curls, links, 'a curl line for each link, with the same URL');
    for (const l of links) assert.ok(l.startsWith(PUBLIC + CASE + '/'), `${l} starts with the public address`);
    // The examples name objects this server really holds, of the right kind.
    const tail = (kind) => links.find((l) => l.includes(`/${kind}/`))?.split('/').pop();
    assert.ok(docIds.has(tail('CFDocuments')), 'a real document');
    assert.ok(docIds.has(tail('CFPackages')), 'a real package');
    assert.ok(itemIds.has(tail('CFItems')), 'a real item');
    assert.ok(itemIds.has(tail('CFItemAssociations')), 'a real item for its associations');
    assert.ok(assocIds.has(tail('CFAssociations')), 'a real association');
    assert.ok(rubricIds.has(tail('CFRubrics')), 'a real rubric');
});

test('/case-api: each example link answers 200 with the JSON the page says it returns', async () => {
    const r = await get(srv.url + '/case-api', { headers: { accept: 'application/json' } });
    assert.equal(r.status, 200);
    assert.equal(r.json.service_url, PUBLIC + CASE);
    assert.equal(r.json.endpoints.length, 7);
    // What each endpoint (by its path pattern) must answer.
    const promised = {
        [`${CASE}/CFDocuments`]: (j) => Array.isArray(j.CFDocuments) && j.CFDocuments.length === docIds.size,
        [`${CASE}/CFDocuments/{identifier}`]: (j) => docIds.has(j.identifier) && typeof j.title === 'string',
        [`${CASE}/CFPackages/{identifier}`]: (j) => docIds.has(j.CFDocument?.identifier) && Array.isArray(j.CFItems),
        [`${CASE}/CFItems/{identifier}`]: (j) => itemIds.has(j.identifier) && typeof j.fullStatement === 'string',
        [`${CASE}/CFItemAssociations/{identifier}`]: (j) => itemIds.has(j.CFItem?.identifier) && j.CFAssociations.length > 0,
        [`${CASE}/CFAssociations/{identifier}`]: (j) => assocIds.has(j.identifier) && typeof j.associationType === 'string',
        [`${CASE}/CFRubrics/{identifier}`]: (j) => rubricIds.has(j.identifier) && j.CFRubricCriteria.length > 0,
    };
    assert.deepEqual(r.json.endpoints.map((e) => e.path).sort(), Object.keys(promised).sort());
    for (const e of r.json.endpoints) {
        assert.equal(e.has_url, true, `${e.name}: an example`);
        assert.equal(e.curl, `curl -s '${e.url}'`);
        // The public address is not this test's loopback one: ask the server under the same path.
        const local = srv.url + e.url.slice(PUBLIC.length);
        const a = await get(local);
        assert.equal(a.status, 200, `${e.url}: ${a.text.slice(0, 200)}`);
        assert.match(a.headers['content-type'] || '', /^application\/json/i, e.url);
        assert.ok(promised[e.path](a.json), `${e.url}: the JSON "${e.name}" promises: ${a.text.slice(0, 200)}`);
    }
});

test('/case-api on a database with no framework: no dead links, the addresses show {identifier}', async () => {
    const empty = await startServer({ args: ['--no-load', '--public-url', PUBLIC] });
    try {
        const r = await get(empty.url + '/case-api', { headers: { accept: 'application/json' } });
        assert.equal(r.status, 200);
        assert.equal(r.json.has_examples, false);
        const withUrl = r.json.endpoints.filter((e) => e.has_url);
        assert.deepEqual(withUrl.map((e) => e.path), [`${CASE}/CFDocuments`], 'only the list has an example');
        const page = await get(empty.url + '/case-api', { headers: { accept: 'text/html' } });
        assert.equal(page.status, 200);
        assert.match(page.text, /No framework is loaded yet/);
        const list = await get(empty.url + withUrl[0].url.slice(PUBLIC.length));
        assert.equal(list.status, 200);
        assert.deepEqual(list.json.CFDocuments, []);
    } finally {
        await empty.stop();
    }
});
