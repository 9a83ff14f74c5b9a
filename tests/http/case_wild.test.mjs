// CASE packages from the wild through `ctoframe framework import`: a package shaped like the
// ones OpenSALT published in 2017 (built here in code, bend by bend) comes in with one warning
// per rewritten value and its JSON path; --strict refuses it and writes nothing; its export
// conforms to the 1EdTech CASE 1.0 JSON schema and imports again with --strict, unchanged;
// what is truly broken stays refused. The audit entry of the import holds the count and the
// first few warnings.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serverBinary, ROOT } from './helper.mjs';
import { loadCaseSchema, schemaProblems, sharedDir } from './caseschema.mjs';

const BIN = serverBinary();
const SCHEMA = loadCaseSchema();
const AUDIT_FIRST = 5; // how many warnings the audit entry lists (svc/framework.c)

const temps = [];
function tempDir() {
    const d = mkdtempSync(path.join(tmpdir(), 'ctoframe-wild-'));
    temps.push(d);
    return d;
}
after(() => {
    for (const d of temps) rmSync(d, { recursive: true, force: true });
});

function cli(...args) {
    return new Promise((resolve) => {
        execFile(BIN, args, { cwd: ROOT, env: { ...process.env, CTOFRAME_DB: undefined }, timeout: 30000, maxBuffer: 64 << 20 },
            (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }));
    });
}
const show = (r) => `exit ${r.code}\nstdout:\n${r.stdout.slice(0, 1500)}\nstderr:\n${r.stderr.slice(0, 3000)}`;
function assertExit(r, code, what) {
    assert.equal(r.code, code, `${what}: ${show(r)}`);
    assert.doesNotMatch(r.stderr, /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:/, `${what}: sanitizer`);
}

/** Rows of the audit trail of a SQLite database file (python3's sqlite3, as other tests do). */
function auditRows(db) {
    const py = 'import json,sqlite3,sys; c=sqlite3.connect(sys.argv[1]); ' +
        'print(json.dumps([{"action":a,"after":json.loads(x) if x else None} for a,x in ' +
        'c.execute("SELECT action, after FROM audit_log ORDER BY id")]))';
    const r = spawnSync('python3', ['-c', py, db], { encoding: 'utf8' });
    assert.equal(r.status, 0, `python3: ${r.stderr}`);
    return JSON.parse(r.stdout);
}

// --- the package from the wild ---------------------------------------------------------------

const HOST = 'http://opensalt-staging.example.org/uri/';
const DOC = '20c5134f-423d-4097-a971-3dd5152bf507';
const TYPE_CLUSTER = '5b5f9983-eabb-4661-aca4-9e0c81046772';
const TYPE_STANDARD = 'bbc1a9ba-640e-4bf2-a52c-b1cec75b4ee7';
const ITEMS = [
    ['edfce0e7-dbbf-40d5-af1a-baccabef85e9', 'CCSS.Math.Content.6.RP.A', 'Understand ratio concepts and use ratio reasoning to solve problems.', 'Cluster'],
    ['b6f61076-aa12-450b-8f9d-b86bc071f85e', 'CCSS.Math.Content.6.RP.A.1', 'Understand the concept of a ratio and use ratio language to describe a ratio relationship between two quantities.', 'Standard'],
    ['eceec0fb-e4de-4ef3-a48f-0987b366c9ae', 'CCSS.Math.Content.6.RP.A.2', 'Understand the concept of a unit rate a/b associated with a ratio a:b with b ≠ 0.', 'Standard'],
    ['d83a65ed-770c-4dbe-a505-11e5e17a9a79', 'CCSS.Math.Content.6.RP.A.3', 'Use ratio and rate reasoning to solve real-world and mathematical problems.', 'Standard'],
];
const ASSOC_IDS = [
    'fd349663-3904-4f28-b27d-9b07e6d0165c', '8025465e-8208-493f-8492-1a8696037e63',
    'c6565d02-7a7d-44f7-b5de-3e89aa32c39a', 'ae169d4e-f719-48de-a1ca-b910e8a05e74',
    '09c435b5-d488-4371-b826-9a5caff06f36', '02b65381-825f-4515-9f99-b757a6c770b9',
];
const TIME = '2017-05-25T18:05:33';

/**
 * A package as OpenSALT's 2017 exporter wrote them: times without a zone, CFPackageURI and
 * CFDocumentURI as URI strings, sequenceNumber as text, null descriptions, hierarchy codes as
 * numbers, extra fields (educationalLevel, CFItemAssociationURI). Returns { pkg, bends }:
 * bends lists the JSON path of every value a lenient import must rewrite.
 */
function wildPackage() {
    const bends = [];
    const bend = (p) => bends.push(p);
    const pkg = {
        CFDocument: {
            identifier: DOC, uri: HOST + DOC, creator: 'Brandon Dorman', title: 'What Standards Could Be',
            adoptionStatus: 'Draft', lastChangeDateTime: TIME, CFPackageURI: HOST + DOC,
        },
    };
    bend('$.CFDocument.lastChangeDateTime');
    bend('$.CFDocument.CFPackageURI');
    pkg.CFItems = ITEMS.map(([id, code, statement, type], i) => {
        const item = {
            CFDocumentURI: HOST + DOC, identifier: id, uri: HOST + id, fullStatement: statement,
            humanCodingScheme: code, language: 'en', educationalLevel: '06', CFItemType: type,
            CFItemTypeURI: { title: type, identifier: type === 'Cluster' ? TYPE_CLUSTER : TYPE_STANDARD, uri: HOST + (type === 'Cluster' ? TYPE_CLUSTER : TYPE_STANDARD) },
            lastChangeDateTime: i === 2 ? '2017-05-25 18:05:29' : TIME,
            CFItemAssociationURI: `${HOST}${id}/associations`,
        };
        if (i === 1) item.listEnumeration = 1;
        if (i === 3) item.notes = null;
        const at = `$.CFItems[${i}]`;
        if (i === 3) bend(`${at}.notes`);
        if (i === 1) bend(`${at}.listEnumeration`);
        bend(`${at}.lastChangeDateTime`);
        bend(`${at}.CFDocumentURI`);
        return item;
    });
    const link = (id, title) => ({ title, identifier: id, uri: HOST + id });
    const [cluster, s1, s2, s3] = ITEMS.map(([id, code]) => link(id, code));
    const assoc = (i, type, from, to, extra = {}) => ({
        CFDocumentURI: HOST + DOC, identifier: ASSOC_IDS[i], uri: HOST + ASSOC_IDS[i], ...extra,
        originNodeURI: from, associationType: type, destinationNodeURI: to, lastChangeDateTime: TIME,
    });
    pkg.CFAssociations = [
        assoc(0, 'isChildOf', cluster, link(DOC, 'What Standards Could Be'), { sequenceNumber: '1' }),
        assoc(1, 'isChildOf', s1, cluster, { sequenceNumber: '1' }),
        assoc(2, 'isChildOf', s2, cluster, { sequenceNumber: '2' }),
        assoc(3, 'isChildOf', s3, cluster),
        assoc(4, 'precedes', s1, s2),
        assoc(5, 'exemplar', cluster, {
            title: 'Destination', identifier: '5586f197-b5fc-53c6-89cd-ec2d106082bf',
            uri: 'https://tasks.example.org/content-standards/6/RP/A/1/tasks/1181',
        }),
    ];
    pkg.CFAssociations.forEach((a, i) => {
        const at = `$.CFAssociations[${i}]`;
        if (a.sequenceNumber !== undefined) bend(`${at}.sequenceNumber`);
        bend(`${at}.lastChangeDateTime`);
        bend(`${at}.CFDocumentURI`);
    });
    pkg.CFDefinitions = {
        CFItemTypes: [
            [TYPE_CLUSTER, 'Cluster'], [TYPE_STANDARD, 'Standard'],
        ].map(([id, title]) => ({
            identifier: id, uri: HOST + id, title, description: null, hierarchyCode: 1, typeCode: title,
            lastChangeDateTime: '2017-02-14T20:34:39',
        })),
    };
    pkg.CFDefinitions.CFItemTypes.forEach((_, i) => {
        const at = `$.CFDefinitions.CFItemTypes[${i}]`;
        bend(`${at}.description`);
        bend(`${at}.hierarchyCode`);
        bend(`${at}.lastChangeDateTime`);
    });
    return { pkg, bends };
}

function writeJson(dir, name, v) {
    const f = path.join(dir, name);
    writeFileSync(f, JSON.stringify(v, null, 2));
    return f;
}

/** The "  path: message" lines the CLI printed, as [{path, message}]. */
function listed(stderr) {
    return [...stderr.matchAll(/^ {2}(\$[^:]*): (.+)$/gm)].map((m) => ({ path: m[1], message: m[2] }));
}

// --- tests ----------------------------------------------------------------------------------

test('the fixture really is outside the CASE 1.0 schema (so the tests below test something)', () => {
    const { pkg } = wildPackage();
    const problems = schemaProblems(SCHEMA, pkg);
    assert.ok(problems.length >= 10, problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('$.CFDocument.lastChangeDateTime')), problems.join('\n'));
});

test('--strict: the wild package is refused with every path named, and nothing is written', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'strict.db');
    const { pkg, bends } = wildPackage();
    const f = writeJson(dir, 'wild.json', pkg);
    const r = await cli('framework', 'import', f, '--strict', '--db', db);
    assertExit(r, 1, 'import --strict');
    assert.equal(r.stdout, '', 'no identifier printed');
    assert.match(r.stderr, /nothing was imported/);
    const paths = listed(r.stderr).map((p) => p.path);
    // Every value lenient reading rewrites is a problem here (a bend may add a sub-path or two).
    for (const b of bends) assert.ok(paths.includes(b), `problem at ${b}:\n${r.stderr}`);
    const l = await cli('framework', 'list', '--db', db);
    assertExit(l, 0, 'list');
    assert.equal(l.stdout, '', 'no framework stored');
    assert.deepEqual(auditRows(db).filter((a) => a.action.startsWith('framework.')), [], 'no audit entry');
});

test('lenient import: one warning per rewritten value with its path, the audit entry counts them', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'wild.db');
    const { pkg, bends } = wildPackage();
    const f = writeJson(dir, 'wild.json', pkg);
    const r = await cli('framework', 'import', f, '--db', db);
    assertExit(r, 0, 'import');
    assert.equal(r.stdout.trim(), DOC, 'the identifier on stdout');
    assert.match(r.stderr, new RegExp(`warning: ${bends.length} values of .* did not follow CASE 1\\.0`));
    const warnings = listed(r.stderr);
    assert.deepEqual(warnings.map((w) => w.path).sort(), [...bends].sort(), `one warning per bend:\n${r.stderr}`);
    const byPath = Object.fromEntries(warnings.map((w) => [w.path, w.message]));
    assert.match(byPath['$.CFDocument.lastChangeDateTime'], /no zone.*UTC/);
    assert.match(byPath['$.CFDocument.CFPackageURI'], new RegExp(`URI string.*${DOC}`));
    assert.match(byPath['$.CFItems[3].notes'], /null.*left out/);
    assert.match(byPath['$.CFAssociations[0].sequenceNumber'], /number/);
    for (const m of Object.values(byPath)) assert.match(m, /^[A-Z"].*\.$/, `a sentence: ${m}`);
    assert.match(r.stderr, /imported framework "What Standards Could Be" \(4 items, 6 associations\)/);

    const imports = auditRows(db).filter((a) => a.action === 'framework.import');
    assert.equal(imports.length, 1, 'one audit entry');
    assert.equal(imports[0].after.normalized, bends.length, 'the count');
    assert.deepEqual(imports[0].after.normalized_first,
        warnings.slice(0, AUDIT_FIRST).map((w) => `${w.path}: ${w.message}`), 'the first few');
});

test('round trip: the export conforms to the CASE schema and imports again with --strict, unchanged', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'a.db');
    const db2 = path.join(dir, 'b.db');
    const { pkg } = wildPackage();
    assertExit(await cli('framework', 'import', writeJson(dir, 'wild.json', pkg), '--db', db), 0, 'import');
    const e = await cli('framework', 'export', DOC, '--db', db);
    assertExit(e, 0, 'export');
    const out = JSON.parse(e.stdout);
    assert.deepEqual(schemaProblems(SCHEMA, out), [], 'the export conforms to case-v1p0-cfpackage-schema.json');

    // What was rewritten, and how.
    assert.equal(out.CFDocument.lastChangeDateTime, TIME + 'Z');
    assert.deepEqual(out.CFDocument.CFPackageURI, { title: pkg.CFDocument.title, identifier: DOC, uri: HOST + DOC });
    assert.deepEqual(out.CFItems[0].CFDocumentURI, { title: pkg.CFDocument.title, identifier: DOC, uri: HOST + DOC });
    assert.equal(out.CFItems[2].lastChangeDateTime, '2017-05-25T18:05:29Z');
    assert.equal(out.CFItems[1].listEnumeration, '1');
    assert.ok(!('notes' in out.CFItems[3]), 'the null notes left out');
    assert.equal(out.CFAssociations[2].sequenceNumber, 2);
    assert.equal(out.CFDefinitions.CFItemTypes[0].hierarchyCode, '1');
    // What was not: statements, codes, extra fields, the exemplar's outside destination.
    for (let i = 0; i < ITEMS.length; i++) {
        assert.equal(out.CFItems[i].fullStatement, pkg.CFItems[i].fullStatement);
        assert.equal(out.CFItems[i].educationalLevel, '06');
        assert.equal(out.CFItems[i].CFItemAssociationURI, pkg.CFItems[i].CFItemAssociationURI);
    }
    assert.deepEqual(out.CFAssociations[5].destinationNodeURI, pkg.CFAssociations[5].destinationNodeURI);

    // --strict takes the export as it is, with no warning, and gives the same package back.
    const again = await cli('framework', 'import', writeJson(dir, 'export.json', out), '--strict', '--db', db2);
    assertExit(again, 0, 'import --strict of the export');
    assert.doesNotMatch(again.stderr, /warning/i);
    const e2 = await cli('framework', 'export', DOC, '--db', db2);
    assertExit(e2, 0, 'export again');
    assert.deepEqual(JSON.parse(e2.stdout), out, 'the same content');
    // And the lenient import of it has nothing to rewrite either.
    const lenient = await cli('framework', 'import', writeJson(dir, 'export2.json', out), '--db', db2);
    assertExit(lenient, 0, 'lenient re-import');
    assert.doesNotMatch(lenient.stderr, /warning/i);
});

test('truly broken stays refused without --strict: no UUID in a link URI, a bad UUID, a dangling parent', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'broken.db');
    assertExit(await cli('framework', 'import', path.join(ROOT, 'data', 'frameworks', 'iste-education-leaders-2018.json'), '--db', db), 0, 'a good package first');
    const before = (await cli('framework', 'list', '--db', db)).stdout;
    const { pkg } = wildPackage();
    pkg.CFDocument.CFPackageURI = 'http://opensalt-staging.example.org/packages/latest';
    pkg.CFItems[1].identifier = 'b6f61076-aa12-450b-8f9d';
    pkg.CFAssociations[3].destinationNodeURI = { title: 'gone', identifier: '99999999-9999-4999-8999-999999999999', uri: HOST + 'gone' };
    const r = await cli('framework', 'import', writeJson(dir, 'broken.json', pkg), '--db', db);
    assertExit(r, 1, 'import');
    assert.equal(r.stdout, '');
    const paths = listed(r.stderr).map((p) => p.path);
    for (const p of ['$.CFDocument.CFPackageURI', '$.CFItems[1].identifier', '$.CFAssociations[3].destinationNodeURI.identifier']) {
        assert.ok(paths.includes(p), `problem at ${p}:\n${r.stderr}`);
    }
    assert.equal((await cli('framework', 'list', '--db', db)).stdout, before, 'nothing written');
});

test('conformant packages (ours and OpenSALT\'s samples) import with no warning and export conformant to the schema', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'ok.db');
    const ours = ['cosn-k12cto-2009', 'cosn-k12cto-2019', 'cosn-crosswalk-2009-2019', 'iste-education-leaders-2018']
        .map((n) => path.join(ROOT, 'data', 'frameworks', `${n}.json`));
    const theirs = readdirSync(path.join(sharedDir(), 'testdata', 'case'))
        .filter((f) => f.endsWith('Framework.json')).map((f) => path.join(sharedDir(), 'testdata', 'case', f));
    for (const f of [...ours, ...theirs]) {
        const pkg = JSON.parse(readFileSync(f, 'utf8'));
        const d = f.startsWith(ROOT) ? db : path.join(dir, `${path.basename(f)}.db`);
        const r = await cli('framework', 'import', f, '--db', d);
        assertExit(r, 0, path.basename(f));
        assert.doesNotMatch(r.stderr, /warning/i, `${path.basename(f)}: no warning`);
        const e = await cli('framework', 'export', pkg.CFDocument.identifier, '--db', d);
        assertExit(e, 0, `export ${path.basename(f)}`);
        assert.deepEqual(schemaProblems(SCHEMA, JSON.parse(e.stdout)), [], `${path.basename(f)}: export conforms`);
    }
});

test('--strict belongs to import only', async () => {
    const r = await cli('framework', 'list', '--strict', '--db', path.join(tempDir(), 'x.db'));
    assertExit(r, 2, 'list --strict');
    assert.match(r.stderr, /--strict/);
    const h = await cli('framework', '--help');
    assertExit(h, 0, 'help');
    assert.match(h.stdout, /--strict/);
});
