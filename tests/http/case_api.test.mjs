// CASE 1.0 service endpoints under /ims/case/v1p0/ against the packages shipped in
// data/frameworks/ (a new database loads them on start). Every expectation is derived
// from those files, never from what the server answered before.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, get, request, serverBinary, ROOT } from './helper.mjs';

const CASE = '/ims/case/v1p0';
const DATA_DIR = path.join(ROOT, 'data', 'frameworks');

// --- the shipped packages -------------------------------------------------------------

const files = readdirSync(DATA_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort();
const packages = Object.fromEntries(
    files.map((f) => [f.replace(/\.json$/, ''), JSON.parse(readFileSync(path.join(DATA_DIR, f), 'utf8'))]),
);
const P2019 = packages['cosn-k12cto-2019'];
const P2009 = packages['cosn-k12cto-2009'];
const CROSSWALK = packages['cosn-crosswalk-2009-2019'];
const ISTE = packages['iste-education-leaders-2018'];
const allPackages = Object.values(packages);
const allItems = allPackages.flatMap((p) => (p.CFItems || []).map((item) => ({ item, doc: p.CFDocument })));
const allAssociations = allPackages.flatMap((p) => p.CFAssociations || []);

function itemByCode(pkg, code) {
    const it = pkg.CFItems.find((i) => i.humanCodingScheme === code);
    assert.ok(it, `item ${code} in ${pkg.CFDocument.title}`);
    return it;
}

const UNKNOWN_UUID = '00000000-0000-4000-8000-000000000000';

// --- helpers --------------------------------------------------------------------------

function assertImsxError(r, status, minor) {
    assert.equal(r.status, status, `status; body: ${r.text.slice(0, 300)}`);
    assert.match(r.headers['content-type'] || '', /^application\/json/i);
    assert.ok(r.json && typeof r.json === 'object', `JSON body, got ${r.text.slice(0, 200)}`);
    assert.equal(r.json.imsx_codeMajor, 'failure');
    assert.equal(r.json.imsx_severity, 'error');
    assert.equal(typeof r.json.imsx_description, 'string');
    assert.ok(r.json.imsx_description.length > 0, 'a description');
    assert.ok(r.json.imsx_codeMinor !== undefined, 'imsx_codeMinor present');
    if (minor) {
        const fields = r.json.imsx_codeMinor?.imsx_codeMinorField || [];
        assert.ok(
            fields.some((f) => f.imsx_codeMinorFieldValue === minor),
            `imsx_codeMinor ${minor}: ${JSON.stringify(r.json.imsx_codeMinor)}`,
        );
    }
    assert.equal(r.headers['access-control-allow-origin'], '*', 'CORS on errors too');
}

function assertJsonOk(r) {
    assert.equal(r.status, 200, `status; body: ${r.text.slice(0, 300)}`);
    assert.match(r.headers['content-type'] || '', /^application\/json/i);
    assert.equal(r.headers['access-control-allow-origin'], '*');
    assert.ok(r.json !== undefined, `JSON body, got ${r.text.slice(0, 200)}`);
}

function withDocumentUri(item, doc) {
    return {
        ...item,
        CFDocumentURI: { title: doc.title, identifier: doc.identifier, uri: doc.uri },
    };
}

const byId = (a, b) => (a.identifier < b.identifier ? -1 : a.identifier > b.identifier ? 1 : 0);

let srv;

before(async () => {
    srv = await startServer();
});

after(async () => {
    if (srv) await srv.stop();
});

// --- CFDocuments ----------------------------------------------------------------------

test('the shipped packages are the four the README describes', () => {
    assert.equal(files.length, 4, files.join(', '));
    for (const p of [P2019, P2009, CROSSWALK, ISTE]) assert.ok(p?.CFDocument?.identifier);
});

test('CFDocuments: every shipped document, X-Total-Count, CFPackageURI on each', async () => {
    const r = await get(srv.url + `${CASE}/CFDocuments`);
    assertJsonOk(r);
    assert.equal(r.headers['x-total-count'], String(files.length));
    assert.ok(Array.isArray(r.json.CFDocuments), 'CFDocuments array');
    assert.equal(r.json.CFDocuments.length, files.length, 'default limit (100) returns them all');
    const expected = new Map(allPackages.map((p) => [p.CFDocument.identifier, p.CFDocument]));
    const seen = new Set();
    for (const d of r.json.CFDocuments) {
        const file = expected.get(d.identifier);
        assert.ok(file, `unexpected document ${d.identifier}`);
        assert.ok(!seen.has(d.identifier), `document ${d.identifier} listed twice`);
        seen.add(d.identifier);
        const { CFPackageURI, ...rest } = d;
        assert.deepEqual(rest, file, `document ${d.identifier} is the file's CFDocument`);
        assert.equal(typeof CFPackageURI, 'object');
        assert.deepEqual(Object.keys(CFPackageURI).sort(), ['identifier', 'title', 'uri']);
        assert.equal(CFPackageURI.title, file.title);
        assert.equal(CFPackageURI.identifier, file.identifier);
        assert.match(CFPackageURI.uri, new RegExp(`^https?://[^/]+${CASE}/CFPackages/${file.identifier}$`));
    }
    assert.equal(seen.size, expected.size);
});

test('CFDocuments: CFPackageURI.uri resolves to the package', async () => {
    const r = await get(srv.url + `${CASE}/CFDocuments`);
    const d = r.json.CFDocuments.find((x) => x.identifier === P2019.CFDocument.identifier);
    const u = new URL(d.CFPackageURI.uri);
    const p = await get(srv.url + u.pathname);
    assertJsonOk(p);
    assert.deepEqual(p.json, P2019);
});

test('CFDocuments: limit=1&offset=1 pages through the list', async () => {
    const all = await get(srv.url + `${CASE}/CFDocuments`);
    const r = await get(srv.url + `${CASE}/CFDocuments?limit=1&offset=1`);
    assertJsonOk(r);
    assert.equal(r.headers['x-total-count'], String(files.length), 'total, not the page size');
    assert.equal(r.json.CFDocuments.length, 1);
    assert.deepEqual(r.json.CFDocuments[0], all.json.CFDocuments[1]);
    const pages = [];
    for (let off = 0; off < files.length + 1; off++) {
        const p = await get(srv.url + `${CASE}/CFDocuments?limit=1&offset=${off}`);
        assertJsonOk(p);
        pages.push(...p.json.CFDocuments);
    }
    assert.deepEqual(pages, all.json.CFDocuments, 'pages of one add up to the whole list');
    const two = await get(srv.url + `${CASE}/CFDocuments?limit=2`);
    assert.deepEqual(two.json.CFDocuments, all.json.CFDocuments.slice(0, 2));
});

/** Minimal CASE packages (a document, no items) for paging tests. */
function makeDocs(n, label) {
    return Array.from({ length: n }, (_, i) => {
        const id = randomUUID();
        return {
            identifier: id,
            uri: `https://example.org/uri/${id}`,
            creator: 'ctoframe tests',
            title: `${label} document ${String(i).padStart(3, '0')}`,
            lastChangeDateTime: '2026-01-01T00:00:00+00:00',
        };
    });
}

/** Imports the documents with the CLI into db, `parallel` at a time. */
async function importDocs(db, docs, parallel) {
    const dir = mkdtempSync(path.join(tmpdir(), 'ctoframe-case-'));
    try {
        const importOne = (doc, i) =>
            new Promise((resolve, reject) => {
                const f = path.join(dir, `p${i}.json`);
                writeFileSync(f, JSON.stringify({ CFDocument: doc, CFItems: [], CFAssociations: [] }));
                execFile(serverBinary(), ['framework', 'import', f, '--db', db], { cwd: ROOT, timeout: 30000 }, (err, out, stderr) =>
                    err ? reject(new Error(`import ${i}: ${stderr}`)) : resolve(out.trim()),
                );
            });
        for (let i = 0; i < docs.length; i += parallel) {
            const batch = docs.slice(i, i + parallel);
            const ids = await Promise.all(batch.map((d, k) => importOne(d, i + k)));
            assert.deepEqual(ids, batch.map((d) => d.identifier));
        }
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

test('CFDocuments with 101 documents: default limit 100, limit up to 1000, offset past the end', async () => {
    const own = await startServer({ args: ['--no-load'] });
    try {
        const docs = makeDocs(101, 'Paging');
        await importDocs(own.db, docs, 8);
        const ids = new Set(docs.map((d) => d.identifier));
        const all = await get(own.url + `${CASE}/CFDocuments`);
        assertJsonOk(all);
        assert.equal(all.headers['x-total-count'], String(docs.length));
        assert.equal(all.json.CFDocuments.length, 100, 'default limit is 100');
        assert.equal(new Set(all.json.CFDocuments.map((d) => d.identifier)).size, 100, 'no document twice');
        assert.ok(all.json.CFDocuments.every((d) => ids.has(d.identifier)));
        const big = await get(own.url + `${CASE}/CFDocuments?limit=1000`);
        assertJsonOk(big);
        assert.deepEqual(big.json.CFDocuments.map((d) => d.identifier).sort(), [...ids].sort());
        const rest = await get(own.url + `${CASE}/CFDocuments?offset=100`);
        assertJsonOk(rest);
        assert.equal(rest.json.CFDocuments.length, 1);
        const past = await get(own.url + `${CASE}/CFDocuments?offset=500`);
        assertJsonOk(past);
        assert.deepEqual(past.json.CFDocuments, []);
        assert.equal(past.headers['x-total-count'], String(docs.length));
        assertImsxError(await get(own.url + `${CASE}/CFDocuments?limit=1001`), 400, 'invalid_selection_field');
    } finally {
        assert.equal(await own.stop(), 0);
    }
});

test('CFDocuments after concurrent imports: paging gives every document exactly once, in one order', async () => {
    const own = await startServer({ args: ['--no-load'] });
    try {
        const docs = makeDocs(24, 'Concurrent');
        await importDocs(own.db, docs, 12);
        const full = await get(own.url + `${CASE}/CFDocuments?limit=1000`);
        assertJsonOk(full);
        const order = full.json.CFDocuments.map((d) => d.identifier);
        assert.deepEqual([...order].sort(), docs.map((d) => d.identifier).sort());
        const again = await get(own.url + `${CASE}/CFDocuments?limit=1000`);
        assert.deepEqual(again.json.CFDocuments.map((d) => d.identifier), order, 'the same order twice');
        for (const size of [1, 5]) {
            const paged = [];
            for (let off = 0; off < docs.length; off += size) {
                const p = await get(own.url + `${CASE}/CFDocuments?limit=${size}&offset=${off}`);
                assertJsonOk(p);
                paged.push(...p.json.CFDocuments.map((d) => d.identifier));
            }
            assert.deepEqual(paged, order, `pages of ${size} add up to the full list, each document once`);
        }
    } finally {
        assert.equal(await own.stop(), 0);
    }
});

for (const q of ['limit=0', 'limit=abc', 'offset=-1', 'limit=', 'limit=1.5', 'offset=x']) {
    test(`CFDocuments?${q} → 400 imsx_StatusInfo`, async () => {
        const r = await get(srv.url + `${CASE}/CFDocuments?${q}`);
        assertImsxError(r, 400, 'invalid_selection_field');
    });
}

test('CFDocuments/{id}: each document with CFPackageURI', async () => {
    for (const p of allPackages) {
        const r = await get(srv.url + `${CASE}/CFDocuments/${p.CFDocument.identifier}`);
        assertJsonOk(r);
        const { CFPackageURI, ...rest } = r.json;
        assert.deepEqual(rest, p.CFDocument);
        assert.equal(CFPackageURI.identifier, p.CFDocument.identifier);
        assert.equal(CFPackageURI.title, p.CFDocument.title);
        assert.match(CFPackageURI.uri, new RegExp(`${CASE}/CFPackages/${p.CFDocument.identifier}$`));
    }
});

// --- CFPackages -----------------------------------------------------------------------

test('CFPackages/{id}: deep-equals the file in data/frameworks (export(import(x)) = x)', async () => {
    for (const [name, p] of Object.entries(packages)) {
        const r = await get(srv.url + `${CASE}/CFPackages/${p.CFDocument.identifier}`);
        assertJsonOk(r);
        assert.deepEqual(r.json, p, `${name}: field for field`);
        assert.deepEqual(Object.keys(r.json), Object.keys(p), `${name}: top-level keys in order`);
    }
});

// --- CFItems --------------------------------------------------------------------------

test('CFItems/{id}: the file item plus CFDocumentURI, for every shipped item', async () => {
    assert.ok(allItems.length > 100, `items: ${allItems.length}`);
    for (const { item, doc } of allItems) {
        const r = await get(srv.url + `${CASE}/CFItems/${item.identifier}`);
        assertJsonOk(r);
        assert.deepEqual(r.json, withDocumentUri(item, doc), `item ${doc.title} ${item.humanCodingScheme}`);
    }
});

// --- CFItemAssociations ---------------------------------------------------------------

test('CFItemAssociations/{id} of a 2019 skill: the item and all its associations, crosswalk included', async () => {
    const skill = itemByCode(P2019, 'I.A');
    const r = await get(srv.url + `${CASE}/CFItemAssociations/${skill.identifier}`);
    assertJsonOk(r);
    assert.deepEqual(Object.keys(r.json).sort(), ['CFAssociations', 'CFItem']);
    assert.deepEqual(r.json.CFItem, withDocumentUri(skill, P2019.CFDocument));
    const expected = allAssociations.filter(
        (a) =>
            a.originNodeURI.identifier === skill.identifier ||
            a.destinationNodeURI.identifier === skill.identifier,
    );
    const crosswalk = CROSSWALK.CFAssociations.filter((a) => a.destinationNodeURI.identifier === skill.identifier);
    assert.ok(crosswalk.length >= 1, 'the crosswalk file links a 2009 item to I.A');
    assert.ok(crosswalk.some((a) => a.associationType === 'exactMatchOf'));
    assert.ok(Array.isArray(r.json.CFAssociations));
    assert.deepEqual([...r.json.CFAssociations].sort(byId), [...expected].sort(byId));
    for (const a of crosswalk) {
        assert.ok(
            r.json.CFAssociations.some((x) => x.identifier === a.identifier),
            `crosswalk association ${a.identifier} (${a.associationType}) included`,
        );
    }
});

test('CFItemAssociations/{id} of every 2019 item matches the files', async () => {
    for (const item of P2019.CFItems) {
        const r = await get(srv.url + `${CASE}/CFItemAssociations/${item.identifier}`);
        assertJsonOk(r);
        const expected = allAssociations.filter(
            (a) =>
                a.originNodeURI.identifier === item.identifier ||
                a.destinationNodeURI.identifier === item.identifier,
        );
        assert.deepEqual(
            r.json.CFAssociations.map((a) => a.identifier).sort(),
            expected.map((a) => a.identifier).sort(),
            `associations of ${item.humanCodingScheme}`,
        );
    }
});

// --- CFAssociations, CFRubrics ----------------------------------------------------------

test('CFAssociations/{id}: the association as in the file (a crosswalk one and a tree one)', async () => {
    const picks = [
        CROSSWALK.CFAssociations.find((a) => a.associationType === 'exactMatchOf'),
        CROSSWALK.CFAssociations.find((a) => a.associationType === 'isRelatedTo'),
        P2019.CFAssociations.find((a) => a.associationType === 'isChildOf'),
        ISTE.CFAssociations[ISTE.CFAssociations.length - 1],
        P2009.CFAssociations[0],
    ];
    for (const a of picks) {
        assert.ok(a);
        const r = await get(srv.url + `${CASE}/CFAssociations/${a.identifier}`);
        assertJsonOk(r);
        assert.deepEqual(r.json, a);
    }
});

test('CFRubrics/{id}: the 2019 rubric as in the file', async () => {
    assert.equal(P2019.CFRubrics.length, 1);
    const rubric = P2019.CFRubrics[0];
    const r = await get(srv.url + `${CASE}/CFRubrics/${rubric.identifier}`);
    assertJsonOk(r);
    assert.deepEqual(r.json, rubric);
    assert.equal(r.json.CFRubricCriteria.length, 10);
});

// --- errors ---------------------------------------------------------------------------

const BY_ID = ['CFDocuments', 'CFPackages', 'CFItems', 'CFItemAssociations', 'CFAssociations', 'CFRubrics'];

test('unknown UUID → 404 imsx_StatusInfo on every by-id endpoint', async () => {
    for (const ep of BY_ID) {
        const r = await get(srv.url + `${CASE}/${ep}/${UNKNOWN_UUID}`);
        assertImsxError(r, 404, 'unknownobject');
    }
});

test('an identifier of the wrong kind → 404 (an item id asked as a rubric, a document id as an item)', async () => {
    const item = itemByCode(P2019, 'I.A');
    let r = await get(srv.url + `${CASE}/CFRubrics/${item.identifier}`);
    assertImsxError(r, 404, 'unknownobject');
    r = await get(srv.url + `${CASE}/CFItems/${P2019.CFDocument.identifier}`);
    assertImsxError(r, 404, 'unknownobject');
    r = await get(srv.url + `${CASE}/CFPackages/${item.identifier}`);
    assertImsxError(r, 404, 'unknownobject');
});

test('non-UUID → 400 imsx_StatusInfo on every by-id endpoint', async () => {
    for (const ep of BY_ID) {
        for (const bad of ['not-a-uuid', '12345', `${UNKNOWN_UUID}x`, 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz']) {
            const r = await get(srv.url + `${CASE}/${ep}/${bad}`);
            assertImsxError(r, 400);
        }
    }
});

test('unknown CASE path → 404, POST to a CASE endpoint → 405 with Allow', async () => {
    let r = await get(srv.url + `${CASE}/CFNothing`);
    assert.equal(r.status, 404);
    r = await request(srv.url + `${CASE}/CFDocuments`, { method: 'POST', body: '{}' });
    assert.equal(r.status, 405);
    assert.match(r.headers.allow || '', /\bGET\b/);
});

// --- representation -------------------------------------------------------------------

test('.json suffix gives the same answer', async () => {
    const id = P2019.CFDocument.identifier;
    for (const ep of ['CFDocuments', 'CFPackages']) {
        const plain = await get(srv.url + `${CASE}/${ep}/${id}`);
        const suffixed = await get(srv.url + `${CASE}/${ep}/${id}.json`);
        assertJsonOk(suffixed);
        assert.deepEqual(suffixed.json, plain.json);
    }
    const list = await get(srv.url + `${CASE}/CFDocuments.json`);
    assertJsonOk(list);
    assert.equal(list.json.CFDocuments.length, files.length);
    const item = itemByCode(ISTE, ISTE.CFItems[0].humanCodingScheme);
    const it = await get(srv.url + `${CASE}/CFItems/${item.identifier}.json`);
    assertJsonOk(it);
    assert.deepEqual(it.json, withDocumentUri(item, ISTE.CFDocument));
});

test('JSON even when the client prefers HTML', async () => {
    const r = await get(srv.url + `${CASE}/CFDocuments/${P2009.CFDocument.identifier}`, {
        headers: { accept: 'text/html,application/xhtml+xml' },
    });
    assertJsonOk(r);
    assert.equal(r.json.identifier, P2009.CFDocument.identifier);
});

test('ETag present; If-None-Match with it → 304 and an empty body', async () => {
    const urls = [
        `${CASE}/CFDocuments`,
        `${CASE}/CFDocuments?limit=1&offset=1`,
        `${CASE}/CFPackages/${P2019.CFDocument.identifier}`,
        `${CASE}/CFItems/${itemByCode(P2019, 'II.B').identifier}`,
        `${CASE}/CFRubrics/${P2019.CFRubrics[0].identifier}`,
    ];
    for (const u of urls) {
        const r = await get(srv.url + u);
        assertJsonOk(r);
        const etag = r.headers.etag;
        assert.ok(etag && etag.length > 2, `ETag on ${u}`);
        const again = await get(srv.url + u);
        assert.equal(again.headers.etag, etag, `same ETag for the same body (${u})`);
        const nm = await get(srv.url + u, { headers: { 'if-none-match': etag } });
        assert.equal(nm.status, 304, `304 for ${u}`);
        assert.equal(nm.text, '', '304 has no body');
        assert.equal(nm.headers.etag, etag);
        const other = await get(srv.url + u, { headers: { 'if-none-match': '"something-else"' } });
        assert.equal(other.status, 200, `a different ETag is not a match (${u})`);
        assert.deepEqual(other.json, r.json);
    }
    const a = await get(srv.url + `${CASE}/CFPackages/${P2019.CFDocument.identifier}`);
    const b = await get(srv.url + `${CASE}/CFPackages/${P2009.CFDocument.identifier}`);
    assert.notEqual(a.headers.etag, b.headers.etag, 'different bodies, different ETags');
});

test('Access-Control-Allow-Origin: * and application/json on every CASE answer', async () => {
    const item = itemByCode(P2009, P2009.CFItems[3].humanCodingScheme);
    for (const u of [
        `${CASE}/CFDocuments`,
        `${CASE}/CFDocuments/${CROSSWALK.CFDocument.identifier}`,
        `${CASE}/CFPackages/${CROSSWALK.CFDocument.identifier}`,
        `${CASE}/CFItems/${item.identifier}`,
        `${CASE}/CFItemAssociations/${item.identifier}`,
        `${CASE}/CFAssociations/${CROSSWALK.CFAssociations[0].identifier}`,
        `${CASE}/CFRubrics/${P2019.CFRubrics[0].identifier}`,
    ]) {
        const r = await get(srv.url + u);
        assertJsonOk(r);
        assert.match(r.headers['content-type'], /^application\/json(;\s*charset=utf-8)?$/i);
    }
});

test('HEAD on a CASE endpoint: 200, headers, no body', async () => {
    const r = await request(srv.url + `${CASE}/CFPackages/${ISTE.CFDocument.identifier}`, { method: 'HEAD' });
    assert.equal(r.status, 200);
    assert.equal(r.text, '');
    assert.match(r.headers['content-type'] || '', /^application\/json/i);
    assert.ok(r.headers.etag);
});
