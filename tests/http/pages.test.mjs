// The public HTML pages: each is the rendering of the JSON the same URL returns with
// Accept: application/json. Expectations come from the packages in data/frameworks/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { startServer, get, getJson, request, ROOT } from './helper.mjs';

const DATA_DIR = path.join(ROOT, 'data', 'frameworks');
const load = (name) => JSON.parse(readFileSync(path.join(DATA_DIR, name + '.json'), 'utf8'));
const P2019 = load('cosn-k12cto-2019');
const P2009 = load('cosn-k12cto-2009');
const CROSSWALK = load('cosn-crosswalk-2009-2019');
const ISTE = load('iste-education-leaders-2018');
const SHIPPED = readdirSync(DATA_DIR).filter((f) => f.endsWith('.json')).length;

const ID2019 = P2019.CFDocument.identifier;
const ID2009 = P2009.CFDocument.identifier;
const UNKNOWN_UUID = '00000000-0000-4000-8000-000000000000';

function itemByCode(pkg, code) {
    const it = pkg.CFItems.find((i) => i.humanCodingScheme === code);
    assert.ok(it, `item ${code}`);
    return it;
}
const ofType = (pkg, type) => pkg.CFItems.filter((i) => i.CFItemType === type);
function childrenOf(pkg, id) {
    return pkg.CFAssociations.filter(
        (a) => a.associationType === 'isChildOf' && a.destinationNodeURI.identifier === id,
    )
        .sort((a, b) => a.sequenceNumber - b.sequenceNumber)
        .map((a) => pkg.CFItems.find((i) => i.identifier === a.originNodeURI.identifier));
}

const SKILL = itemByCode(P2019, 'I.A');
const PAGES = {
    home: '/',
    frameworks: '/frameworks',
    framework: `/frameworks/${ID2019}`,
    item: `/frameworks/${ID2019}/items/${SKILL.identifier}`,
    crosswalk: `/frameworks/${ID2009}/crosswalk/${ID2019}`,
};

// --- HTML helpers ---------------------------------------------------------------------

/** The ways a correct HTML escaper may write text (apostrophe and quote have variants). */
function escapedVariants(s) {
    const base = String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const out = new Set();
    for (const q of ['&quot;', '&#34;', '&#x22;', '"']) {
        for (const a of ['&#39;', '&#x27;', '&apos;', "'"]) out.add(base.replace(/"/g, q).replace(/'/g, a));
    }
    return [...out];
}

function assertShowsText(html, text, what) {
    assert.equal(typeof text, 'string', `${what}: a string in the JSON`);
    assert.ok(text.length > 0, `${what}: not empty`);
    assert.ok(
        escapedVariants(text).some((v) => html.includes(v)),
        `${what} appears HTML-escaped in the page: ${JSON.stringify(text.slice(0, 120))}`,
    );
    if (/[<>&]/.test(text)) {
        assert.ok(!html.includes(text), `${what} must not appear unescaped`);
    }
}

function count(html, re) {
    return (html.match(re) || []).length;
}

function assertPageStructure(html, what) {
    assert.match(html, /^<!doctype html>/i, `${what}: doctype`);
    assert.match(html, /<html lang="en">/, `${what}: <html lang="en">`);
    assert.equal(count(html, /<h1[\s>]/gi), 1, `${what}: exactly one <h1>`);
    assert.equal(count(html, /<main[\s>]/gi), 1, `${what}: one <main>`);
    assert.match(html, /<meta name="viewport" content="[^"]*width=device-width[^"]*">/i, `${what}: viewport`);
    assert.match(html, /<link rel="stylesheet" href="[^"]+\.css">/i, `${what}: stylesheet`);
    assert.equal(count(html, /<script/gi), 0, `${what}: no <script> at all`);
    assert.doesNotMatch(html, /\son[a-z]+\s*=/i, `${what}: no inline event handlers`);
    assert.match(html, /<title>[^<]+<\/title>/, `${what}: a <title>`);
}

function cspDirectives(csp) {
    const m = new Map();
    for (const part of csp.split(';')) {
        const [name, ...vals] = part.trim().split(/\s+/);
        if (name) m.set(name.toLowerCase(), vals);
    }
    return m;
}

function assertSecurityHeaders(r, what) {
    const h = r.headers;
    const csp = h['content-security-policy'];
    assert.ok(csp, `${what}: Content-Security-Policy`);
    const d = cspDirectives(csp);
    assert.deepEqual(d.get('frame-ancestors'), ["'none'"], `${what}: frame-ancestors 'none'`);
    const scripts = d.get('script-src') || d.get('default-src');
    assert.ok(scripts, `${what}: script-src or default-src`);
    assert.ok(!scripts.includes("'unsafe-inline'"), `${what}: no 'unsafe-inline' for scripts`);
    assert.ok(!scripts.includes("'unsafe-eval'"), `${what}: no 'unsafe-eval' for scripts`);
    assert.equal(h['x-content-type-options'], 'nosniff', `${what}: nosniff`);
    assert.ok(h['referrer-policy'], `${what}: Referrer-Policy`);
    assert.match(h['x-request-id'] || '', /^[A-Za-z0-9-]{8,}$/, `${what}: X-Request-Id`);
}

async function html(url, what) {
    const r = await get(srv.url + url, { headers: { accept: 'text/html' } });
    assert.equal(r.status, 200, `${what}: ${r.text.slice(0, 300)}`);
    assert.match(r.headers['content-type'] || '', /^text\/html/i, what);
    assertSecurityHeaders(r, what);
    assertPageStructure(r.text, what);
    return r;
}

async function json(url, what) {
    const r = await getJson(srv.url + url);
    assert.equal(r.status, 200, `${what} JSON: ${r.text.slice(0, 300)}`);
    assert.match(r.headers['content-type'] || '', /^application\/json/i, what);
    assert.ok(r.json && typeof r.json === 'object', `${what}: JSON body`);
    assertSecurityHeaders(r, what + ' (JSON)');
    return r;
}

let srv;

before(async () => {
    srv = await startServer({ env: { CTOFRAME_QUIET: undefined } });
});

after(async () => {
    if (srv) await srv.stop();
});

// --- each page --------------------------------------------------------------------------

test('every page is text/html with the common structure', async () => {
    for (const [name, url] of Object.entries(PAGES)) await html(url, name);
});

test('home: the frameworks of its JSON appear in the HTML', async () => {
    const j = (await json(PAGES.home, 'home')).json;
    const h = (await html(PAGES.home, 'home')).text;
    assert.ok(Array.isArray(j.frameworks));
    const shippedFrameworks = [P2019, P2009, ISTE].map((p) => p.CFDocument.identifier).sort();
    assert.deepEqual(j.frameworks.map((f) => f.identifier).sort(), shippedFrameworks);
    for (const f of j.frameworks) {
        assertShowsText(h, f.title, `home: title of ${f.identifier}`);
        if (f.description) assertShowsText(h, f.description, `home: description of ${f.identifier}`);
        assert.ok(h.includes(`href="${f.url}"`), `home links to ${f.url}`);
    }
});

test('frameworks: list JSON and HTML agree, crosswalk package listed apart', async () => {
    const j = (await json(PAGES.frameworks, 'frameworks')).json;
    const h = (await html(PAGES.frameworks, 'frameworks')).text;
    assert.equal(j.frameworks.length + j.crosswalk_documents.length, SHIPPED);
    assert.deepEqual(
        j.crosswalk_documents.map((d) => d.identifier),
        [CROSSWALK.CFDocument.identifier],
    );
    for (const f of [...j.frameworks, ...j.crosswalk_documents]) {
        assertShowsText(h, f.title, `frameworks: title ${f.identifier}`);
    }
    for (const f of j.frameworks) {
        const pkg = [P2019, P2009, ISTE].find((p) => p.CFDocument.identifier === f.identifier);
        assert.equal(f.item_count, pkg.CFItems.length, `item count of ${f.title}`);
        if (f.version) assertShowsText(h, f.version, `frameworks: version ${f.version}`);
        assert.ok(h.includes(`href="${f.url}"`));
    }
});

test('2019 framework: 3 categories, 10 skill areas, 5 core values, weights, indicators', async () => {
    const cats = ofType(P2019, 'Category');
    const skills = ofType(P2019, 'Skill Area');
    const values = ofType(P2019, 'Core Value');
    const indicators = ofType(P2019, 'Indicator');
    assert.deepEqual([cats.length, skills.length, values.length], [3, 10, 5], 'the file as the README says');

    const j = (await json(PAGES.framework, 'framework')).json.framework;
    const h = (await html(PAGES.framework, 'framework')).text;
    assertShowsText(h, j.title, 'framework title');
    assert.equal(j.title, P2019.CFDocument.title);
    assert.ok(new RegExp(`<h1>[^<]*${P2019.CFDocument.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`).test(h), 'title is the h1');

    assert.equal(j.groups.length, cats.length, 'categories in the JSON');
    assert.deepEqual(j.groups.map((g) => g.code), cats.map((c) => c.humanCodingScheme));
    assert.equal(j.groups.reduce((n, g) => n + g.children.length, 0), skills.length, 'skill areas');
    assert.equal(j.core_values.length, values.length, 'core values');

    const criteria = new Map(
        P2019.CFRubrics[0].CFRubricCriteria.map((c) => [c.CFItemURI.identifier, c.weight]),
    );
    for (const g of j.groups) {
        assertShowsText(h, g.name, `category ${g.code}`);
        let sum = 0;
        for (const s of g.children) {
            const file = skills.find((x) => x.identifier === s.identifier);
            assert.ok(file, `skill ${s.code} is a Skill Area of the file`);
            assert.equal(s.name, file.abbreviatedStatement);
            assertShowsText(h, s.name, `skill ${s.code}`);
            const w = criteria.get(s.identifier);
            assert.equal(typeof w, 'number', `weight of ${s.code} in the rubric`);
            assert.equal(s.weight_label, `${w}%`, `weight label of ${s.code}`);
            assert.ok(h.includes(`${w}%`), `weight ${w}% on the page`);
            sum += w;
            for (const ind of s.children) {
                assertShowsText(h, ind.statement, `indicator ${ind.code}`);
            }
            assert.deepEqual(
                s.children.map((c) => c.statement),
                childrenOf(P2019, s.identifier).map((c) => c.fullStatement),
                `indicators of ${s.code} in order`,
            );
        }
        assert.equal(g.weight_label, `${sum}%`, `category ${g.code} weight is the sum of its skills`);
        assert.ok(h.includes(`${sum}%`));
    }
    assert.ok(h.includes('15%'), '"15%" shown');
    const shownIndicators = j.groups.flatMap((g) => g.children.flatMap((s) => s.children));
    assert.equal(shownIndicators.length, indicators.length, 'every indicator shown');
    for (const v of j.core_values) {
        assertShowsText(h, v.name, `core value ${v.code}`);
        assertShowsText(h, v.statement, `core value statement ${v.code}`);
        assert.ok(values.some((x) => x.abbreviatedStatement === v.name));
    }
});

test('skill page (I.A): 4 rubric levels with descriptors, and its indicators', async () => {
    const j = (await json(PAGES.item, 'item')).json;
    const h = (await html(PAGES.item, 'item')).text;
    const criterion = P2019.CFRubrics[0].CFRubricCriteria.find((c) => c.CFItemURI.identifier === SKILL.identifier);
    assert.ok(criterion, 'the file has a criterion for I.A');
    const fileLevels = [...criterion.CFRubricCriterionLevels].sort((a, b) => a.position - b.position);
    assert.equal(fileLevels.length, 4);

    assert.equal(j.item.identifier, SKILL.identifier);
    assert.equal(j.item.name, SKILL.abbreviatedStatement);
    assertShowsText(h, j.item.name, 'skill name');
    assertShowsText(h, j.item.statement, 'skill statement');
    assert.equal(j.item.statement, SKILL.fullStatement);
    assertShowsText(h, j.framework.title, 'framework title in the breadcrumb');

    assert.ok(j.rubric, 'rubric in the JSON');
    assert.equal(j.rubric.levels.length, 4, 'four levels');
    j.rubric.levels.forEach((lv, i) => {
        assert.equal(lv.quality, fileLevels[i].quality);
        assert.equal(lv.description, fileLevels[i].description);
        assertShowsText(h, lv.quality, `level ${i + 1} quality`);
        assertShowsText(h, lv.description, `level ${i + 1} descriptor`);
        assertShowsText(h, lv.feedback, `level ${i + 1} feedback`);
        assert.equal(lv.feedback, fileLevels[i].feedback);
    });
    // The levels appear in their order.
    const at = j.rubric.levels.map((lv) => h.indexOf(escapedVariants(lv.description).find((v) => h.includes(v))));
    assert.deepEqual([...at].sort((a, b) => a - b), at, 'levels in order');

    const inds = childrenOf(P2019, SKILL.identifier);
    assert.ok(inds.length >= 3);
    assert.deepEqual(j.item.children.map((c) => c.identifier), inds.map((i) => i.identifier));
    for (const c of j.item.children) assertShowsText(h, c.statement, `indicator ${c.code}`);

    // Crosswalk links: the 2009 skill area that is an exact match of I.A.
    const match = CROSSWALK.CFAssociations.find(
        (a) => a.associationType === 'exactMatchOf' && a.destinationNodeURI.identifier === SKILL.identifier,
    );
    assert.ok(match);
    const rel = j.related.find((r) => r.identifier === match.originNodeURI.identifier);
    assert.ok(rel, 'the exact match is among the related items');
    assertShowsText(h, rel.title, 'related 2009 item');
    assert.ok(h.includes(`href="/frameworks/${ID2009}/items/${match.originNodeURI.identifier}"`), 'links to it');
});

test('crosswalk 2009 → 2019: 18 exact matches', async () => {
    const exact = CROSSWALK.CFAssociations.filter((a) => a.associationType === 'exactMatchOf');
    const related = CROSSWALK.CFAssociations.filter((a) => a.associationType === 'isRelatedTo');
    assert.equal(exact.length, 18, 'the file has 18');
    const j = (await json(PAGES.crosswalk, 'crosswalk')).json.crosswalk;
    const h = (await html(PAGES.crosswalk, 'crosswalk')).text;
    assert.equal(j.exact_count, exact.length);
    assert.equal(j.related_count, related.length);
    assert.equal(j.rows.length, CROSSWALK.CFAssociations.length);
    assert.equal(j.rows.filter((r) => r.exact).length, exact.length);
    for (const a of exact) {
        assert.ok(
            j.rows.some(
                (r) =>
                    r.exact &&
                    r.from.identifier === a.originNodeURI.identifier &&
                    r.to.identifier === a.destinationNodeURI.identifier,
            ),
            `exact row ${a.originNodeURI.title} → ${a.destinationNodeURI.title}`,
        );
    }
    assert.equal(count(h, /<tr[^>]*\bclass="[^"]*\bexact\b[^"]*"/g), exact.length, '18 exact rows in the table');
    assert.ok(h.includes(String(exact.length)), 'the count is shown');
    assertShowsText(h, j.from.title, 'from title');
    for (const r of j.rows) {
        assertShowsText(h, r.from.name, `row from ${r.from.code}`);
        assertShowsText(h, r.to.name, `row to ${r.to.code}`);
    }
});

test('pages by .json suffix equal the Accept: application/json answer', async () => {
    for (const url of Object.values(PAGES).filter((u) => u !== '/')) {
        const a = await getJson(srv.url + url);
        const b = await get(srv.url + url + '.json');
        assert.equal(b.status, 200, url);
        assert.match(b.headers['content-type'], /^application\/json/);
        assert.deepEqual(b.json, a.json, url);
    }
});

// --- headers, static, errors ------------------------------------------------------------

test('security headers on every kind of response', async () => {
    const cases = [
        ['GET', '/'],
        ['GET', '/frameworks'],
        ['GET', '/healthz'],
        ['GET', '/static/style.css'],
        ['GET', '/static/no-such.css'],
        ['GET', '/no-such-page'],
        ['GET', `/frameworks/${UNKNOWN_UUID}`],
        ['POST', '/frameworks'],
        ['HEAD', '/'],
        ['GET', '/ims/case/v1p0/CFDocuments'],
    ];
    const ids = new Set();
    for (const [method, url] of cases) {
        const r = await request(srv.url + url, { method });
        assertSecurityHeaders(r, `${method} ${url} (${r.status})`);
        ids.add(r.headers['x-request-id']);
    }
    assert.equal(ids.size, cases.length, 'a new request id for each request');
});

test('/static/style.css is text/css with print styles', async () => {
    const r = await get(srv.url + '/static/style.css');
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'] || '', /^text\/css/i);
    assert.ok(r.text.includes('@media print'), '@media print');
    assert.equal(r.text, readFileSync(path.join(ROOT, 'static', 'style.css'), 'utf8'), 'the file as is');
    const p = await get(srv.url + '/static/..%2fMakefile');
    assert.notEqual(p.status, 200, 'no path traversal');
});

test('unknown route → 404 HTML page and 404 JSON', async () => {
    const h = await get(srv.url + '/no/such/page', { headers: { accept: 'text/html' } });
    assert.equal(h.status, 404);
    assert.match(h.headers['content-type'] || '', /^text\/html/i);
    assertPageStructure(h.text, '404 page');
    assert.ok(h.text.includes(h.headers['x-request-id']), 'the error page shows its request id');
    const j = await getJson(srv.url + '/no/such/page');
    assert.equal(j.status, 404);
    assert.match(j.headers['content-type'] || '', /^application\/json/i);
    assert.equal(j.json?.error?.code, 'not_found');
    assert.equal(typeof j.json.error.message, 'string');
});

test('framework id that is not a UUID → 404; unknown UUID → 404', async () => {
    for (const url of [
        '/frameworks/not-a-uuid',
        '/frameworks/12345',
        `/frameworks/${UNKNOWN_UUID}`,
        `/frameworks/${UNKNOWN_UUID}/items/${SKILL.identifier}`,
        `/frameworks/${ID2019}/items/not-a-uuid`,
        `/frameworks/${ID2019}/items/${UNKNOWN_UUID}`,
        `/frameworks/${ID2009}/items/${SKILL.identifier}`,
        `/frameworks/${ID2019}/crosswalk/${ID2019}`,
        `/frameworks/${ID2009}/crosswalk/${UNKNOWN_UUID}`,
        `/frameworks/not-a-uuid/crosswalk/${ID2019}`,
    ]) {
        const h = await get(srv.url + url, { headers: { accept: 'text/html' } });
        assert.equal(h.status, 404, `HTML ${url}`);
        assert.match(h.headers['content-type'] || '', /^text\/html/i, url);
        const j = await getJson(srv.url + url);
        assert.equal(j.status, 404, `JSON ${url}`);
        assert.equal(j.json?.error?.code, 'not_found', url);
    }
});

test('POST /frameworks → 405 with an Allow header', async () => {
    const r = await request(srv.url + '/frameworks', { method: 'POST', body: 'x=1' });
    assert.equal(r.status, 405);
    assert.match(r.headers.allow || '', /\bGET\b/);
    for (const m of ['PUT', 'DELETE']) {
        const x = await request(srv.url + `/frameworks/${ID2019}`, { method: m });
        assert.equal(x.status, 405, m);
        assert.ok(x.headers.allow);
    }
});

test('HEAD / → 200 with an empty body and the GET headers', async () => {
    const r = await request(srv.url + '/', { method: 'HEAD' });
    assert.equal(r.status, 200);
    assert.equal(r.text, '');
    assert.match(r.headers['content-type'] || '', /^text\/html/i);
});

test('/healthz: JSON status ok', async () => {
    const r = await get(srv.url + '/healthz');
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'] || '', /^application\/json/i);
    assert.equal(r.json?.status, 'ok');
});

test('a 2 MB request body is refused cleanly and the server keeps serving', async () => {
    const body = Buffer.alloc(2 * 1024 * 1024, 'a');
    for (const url of ['/frameworks', '/', '/no-such-path', '/ims/case/v1p0/CFDocuments']) {
        let r;
        try {
            r = await request(srv.url + url, {
                method: 'POST',
                body,
                headers: { 'content-type': 'application/octet-stream' },
            });
        } catch (e) {
            assert.fail(`POST ${url} with 2 MB: no HTTP answer (${e.code || e.message})`);
        }
        assert.ok([413, 405, 404, 400].includes(r.status), `POST ${url}: refused, got ${r.status}`);
        const after = await get(srv.url + '/healthz');
        assert.equal(after.status, 200, 'still serving');
    }
    const page = await get(srv.url + PAGES.framework);
    assert.equal(page.status, 200);
});

test('X-Request-Id is the rid= of the access-log line on stderr', async () => {
    const r = await get(srv.url + PAGES.frameworks);
    assert.equal(r.status, 200);
    const rid = r.headers['x-request-id'];
    assert.ok(rid);
    const deadline = Date.now() + 3000;
    let line;
    while (Date.now() < deadline) {
        line = srv.stderr().split('\n').find((l) => l.includes(`rid=${rid}`));
        if (line) break;
        await new Promise((res) => setTimeout(res, 25));
    }
    assert.ok(line, `an access-log line with rid=${rid}`);
    assert.match(line, new RegExp(`rid=${rid} GET /frameworks 200 `));
    const n404 = await get(srv.url + '/nothing-here');
    const rid404 = n404.headers['x-request-id'];
    await new Promise((res) => setTimeout(res, 100));
    assert.match(srv.stderr(), new RegExp(`rid=${rid404} GET /nothing-here 404 `));
});
