// The command line: ctoframe run directly (serverBinary(), so the ASan build is tested
// too) against temporary SQLite files. Expectations come from the input files.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import {
    copyFileSync,
    chmodSync,
    existsSync,
    mkdtempSync,
    readdirSync,
    readFileSync,
    rmSync,
    statSync,
    truncateSync,
    writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, get, serverBinary, ROOT } from './helper.mjs';

const BIN = serverBinary();
const DATA_DIR = path.join(ROOT, 'data', 'frameworks');

function sharedDir() {
    const candidates = [
        process.env.CTOFRAME_SHARED,
        path.resolve(ROOT, '..', 'shared'),
        '/work/shared',
    ].filter(Boolean);
    for (const c of candidates) if (existsSync(path.join(c, 'testdata', 'case'))) return c;
    throw new Error(`shared test data not found (tried ${candidates.join(', ')}); set CTOFRAME_SHARED`);
}
const SHARED = sharedDir();
const OPENSALT = readdirSync(path.join(SHARED, 'testdata', 'case'))
    .filter((f) => f.endsWith('Framework.json'))
    .sort()
    .map((f) => path.join(SHARED, 'testdata', 'case', f));

const ours = (name) => path.join(DATA_DIR, name + '.json');
const readJson = (f) => JSON.parse(readFileSync(f, 'utf8'));
const ISTE_FILE = ours('iste-education-leaders-2018');
const ISTE = readJson(ISTE_FILE);
const ORDER = ['cosn-k12cto-2009', 'cosn-k12cto-2019', 'cosn-crosswalk-2009-2019', 'iste-education-leaders-2018'];
const UNKNOWN_UUID = '00000000-0000-4000-8000-000000000000';

// --- running the program ----------------------------------------------------------------

/** Runs ctoframe (or cmd) and resolves with { code, signal, stdout, stderr, ms }. */
function run(args, { cmd = BIN, input, env = {}, cwd, timeout = 30000 } = {}) {
    return new Promise((resolve) => {
        const t0 = Date.now();
        const child = execFile(
            cmd,
            args,
            {
                cwd: cwd || ROOT,
                env: { ...process.env, CTOFRAME_DB: undefined, ...env },
                timeout,
                maxBuffer: 64 * 1024 * 1024,
            },
            (err, stdout, stderr) => {
                resolve({
                    code: err ? (typeof err.code === 'number' ? err.code : null) : 0,
                    signal: err?.signal || null,
                    stdout,
                    stderr,
                    ms: Date.now() - t0,
                });
            },
        );
        // A child that exits without reading its stdin makes this write fail with EPIPE;
        // its exit status tells what happened.
        child.stdin.on('error', () => {});
        if (input !== undefined) child.stdin.end(input);
        else child.stdin.end();
    });
}

const cli = (...args) => run(args);
const show = (r) => `exit ${r.code}${r.signal ? ' signal ' + r.signal : ''}\nstdout:\n${r.stdout.slice(0, 2000)}\nstderr:\n${r.stderr.slice(0, 2000)}`;

function assertExit(r, code, what) {
    assert.equal(r.code, code, `${what}: ${show(r)}`);
    assert.doesNotMatch(r.stderr, /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:/, `${what}: sanitizer`);
}

// --- temp dirs ---------------------------------------------------------------------------

const temps = [];
function tempDir() {
    const d = mkdtempSync(path.join(tmpdir(), 'ctoframe-cli-'));
    temps.push(d);
    return d;
}
after(() => {
    for (const d of temps) {
        try {
            chmodSync(d, 0o755);
        } catch {
            /* gone */
        }
        rmSync(d, { recursive: true, force: true });
    }
});

async function list(db) {
    const r = await cli('framework', 'list', '--db', db);
    assertExit(r, 0, `framework list --db ${db}`);
    return r.stdout;
}

async function importOk(db, file) {
    const r = await cli('framework', 'import', file, '--db', db);
    assertExit(r, 0, `import ${path.basename(file)}`);
    return r;
}

// --- usage --------------------------------------------------------------------------------

test('no arguments: exit 2 and usage on stderr', async () => {
    const r = await cli();
    assertExit(r, 2, 'ctoframe');
    assert.match(r.stderr, /usage/i);
    assert.equal(r.stdout, '', 'nothing on stdout');
});

test('help: exit 0 and lists the commands', async () => {
    const r = await cli('help');
    assertExit(r, 0, 'help');
    for (const c of ['serve', 'framework', 'backup', 'migrate']) {
        assert.match(r.stdout, new RegExp(`^\\s+${c}\\b`, 'm'), `lists ${c}`);
    }
    const h = await cli('--help');
    assertExit(h, 0, '--help');
    assert.equal(h.stdout, r.stdout);
});

test('framework --help and help framework: exit 0 with the subcommands', async () => {
    for (const args of [['framework', '--help'], ['help', 'framework'], ['framework', 'import', '--help']]) {
        const r = await cli(...args);
        assertExit(r, 0, args.join(' '));
        for (const sub of ['import', 'export', 'list']) assert.match(r.stdout, new RegExp(sub), `${args.join(' ')}: ${sub}`);
    }
});

test('unknown command: exit 2, named on stderr', async () => {
    const r = await cli('frobnicate');
    assertExit(r, 2, 'frobnicate');
    assert.match(r.stderr, /frobnicate/);
    const h = await cli('help', 'frobnicate');
    assertExit(h, 2, 'help frobnicate');
});

test('unknown option: exit 2, the option named on stderr', async () => {
    for (const args of [
        ['framework', 'list', '--bogus-opt'],
        ['migrate', '--frob=1'],
        ['serve', '--nope'],
        ['backup', 'x.db', '--port', '1'],
    ]) {
        const r = await cli(...args);
        assertExit(r, 2, args.join(' '));
        const name = args.find((a) => a.startsWith('--')).replace(/=.*/, '');
        assert.ok(r.stderr.includes(name), `${args.join(' ')}: names ${name}\n${r.stderr}`);
    }
});

test('wrong arguments: exit 2', async () => {
    const dir = tempDir();
    for (const args of [
        ['framework'],
        ['framework', 'import'],
        ['framework', 'export'],
        ['framework', 'dance'],
        ['backup'],
        ['migrate', 'extra'],
        ['framework', 'export', 'not-a-uuid', '--db', path.join(dir, 'x.db')],
    ]) {
        const r = await cli(...args);
        assertExit(r, 2, args.join(' '));
        assert.ok(r.stderr.length > 0, `${args.join(' ')}: says why`);
    }
});

test('serve --port abc (and 70000): exit 2', async () => {
    const dir = tempDir();
    for (const p of ['abc', '70000', '-1']) {
        const r = await cli('serve', '--port', p, '--db', path.join(dir, 'x.db'));
        assertExit(r, 2, `serve --port ${p}`);
        assert.match(r.stderr, /port/);
    }
    assert.ok(!existsSync(path.join(dir, 'x.db')), 'no database created for a usage error');
});

// --- import / export round trips -------------------------------------------------------------

test('OpenSALT sample packages: import into a fresh db prints the identifier; export gives the file back', async () => {
    assert.ok(OPENSALT.length >= 4, `OpenSALT samples: ${OPENSALT.join(', ')}`);
    for (const f of OPENSALT) {
        const pkg = readJson(f);
        const db = path.join(tempDir(), 'o.db');
        const r = await importOk(db, f);
        assert.equal(r.stdout, pkg.CFDocument.identifier + '\n', `${path.basename(f)}: identifier on stdout`);
        const e = await cli('framework', 'export', pkg.CFDocument.identifier, '--db', db);
        assertExit(e, 0, `export ${path.basename(f)}`);
        const out = JSON.parse(e.stdout);
        assert.deepEqual(out, pkg, `${path.basename(f)}: export(import(x)) = x`);
        assert.equal(JSON.stringify(out), JSON.stringify(pkg), `${path.basename(f)}: same key order`);
        const l = await list(db);
        assert.ok(l.includes(pkg.CFDocument.identifier), 'listed');
        assert.ok(l.includes(pkg.CFDocument.title), `title listed: ${pkg.CFDocument.title}`);
    }
});

test('our 4 packages imported 2009, 2019, crosswalk, iste: each export deep-equals its file', async () => {
    const db = path.join(tempDir(), 'ours.db');
    for (const name of ORDER) {
        const pkg = readJson(ours(name));
        const r = await importOk(db, ours(name));
        assert.equal(r.stdout.trim(), pkg.CFDocument.identifier, `${name}: identifier on stdout`);
    }
    const l = await list(db);
    assert.equal(l.trim().split('\n').length, ORDER.length, `one line per framework:\n${l}`);
    for (const name of ORDER) {
        const pkg = readJson(ours(name));
        assert.ok(l.includes(pkg.CFDocument.identifier), `${name} listed`);
        const e = await cli('framework', 'export', pkg.CFDocument.identifier, '--db', db);
        assertExit(e, 0, `export ${name}`);
        assert.deepEqual(JSON.parse(e.stdout), pkg, `${name}: field for field`);
    }
    // --output writes the same JSON to a file.
    const out = path.join(path.dirname(db), 'out.json');
    const id = readJson(ours('cosn-k12cto-2019')).CFDocument.identifier;
    const o = await cli('framework', 'export', id, '--output', out, '--db', db);
    assertExit(o, 0, 'export --output');
    assert.deepEqual(readJson(out), readJson(ours('cosn-k12cto-2019')));
    // Re-import is a replace: still 4 frameworks.
    await importOk(db, ours('iste-education-leaders-2018'));
    assert.equal(await list(db), l, 'a re-import replaces, the list is the same');
});

test('import from standard input (FILE -)', async () => {
    const db = path.join(tempDir(), 'stdin.db');
    const r = await run(['framework', 'import', '-', '--db', db], { input: readFileSync(ISTE_FILE) });
    assertExit(r, 0, 'import -');
    assert.equal(r.stdout.trim(), ISTE.CFDocument.identifier);
});

test('export of an unknown UUID: exit 1 with a message', async () => {
    const db = path.join(tempDir(), 'e.db');
    await importOk(db, ISTE_FILE);
    const r = await cli('framework', 'export', UNKNOWN_UUID, '--db', db);
    assertExit(r, 1, 'export unknown');
    assert.equal(r.stdout.trim(), '', 'no JSON on stdout');
    assert.ok(r.stderr.includes(UNKNOWN_UUID) || /not found|no framework/i.test(r.stderr), r.stderr);
});

// --- bad input leaves the database unchanged ---------------------------------------------------

async function expectRejected(db, file, { paths = [], pattern, original }) {
    if (db === badDb) await ensureBadDb();
    const before = await list(db);
    const r = await cli('framework', 'import', file, '--db', db);
    assertExit(r, 1, `import ${path.basename(file)}`);
    assert.equal(r.stdout, '', 'no identifier printed');
    for (const p of paths) assert.ok(r.stderr.includes(p), `stderr names ${p}:\n${r.stderr}`);
    if (pattern) assert.match(r.stderr, pattern);
    assert.equal(await list(db), before, 'framework list unchanged');
    if (original) {
        const e = await cli('framework', 'export', original.CFDocument.identifier, '--db', db);
        assertExit(e, 0, 'export after a refused import');
        assert.deepEqual(JSON.parse(e.stdout), original, 'the stored package is untouched');
    }
    return r;
}

/** A copy of the ISTE package with a new title: if any of it were written, list would show it. */
function variant() {
    const p = structuredClone(ISTE);
    p.CFDocument.title = 'CHANGED TITLE ' + Date.now();
    return p;
}

// One database holding the ISTE package, shared by the bad-import tests.
const badDir = tempDir();
const badDb = path.join(badDir, 'bad.db');
let badReady = null;
const ensureBadDb = () => (badReady ??= importOk(badDb, ISTE_FILE));

test('bad import: not JSON → exit 1, line and column, database unchanged', async () => {
    const f = path.join(badDir, 'notjson.json');
    const text = readFileSync(ISTE_FILE, 'utf8').replace('"CFItems"', '"CFItems" oops');
    writeFileSync(f, text);
    const line = text.slice(0, text.indexOf(' oops')).split('\n').length;
    const r = await expectRejected(badDb, f, { paths: ['$'], pattern: /line \d+.*column \d+/i, original: ISTE });
    assert.match(r.stderr, new RegExp(`line ${line}\\b`), `the right line (${line})`);
    const g = path.join(badDir, 'garbage.json');
    writeFileSync(g, 'this is not JSON at all\n');
    await expectRejected(badDb, g, { pattern: /line 1\b.*column/i, original: ISTE });
    const e = path.join(badDir, 'empty.json');
    writeFileSync(e, '');
    await expectRejected(badDb, e, { original: ISTE });
});

test('bad import: required fields missing → their JSON paths, database unchanged', async () => {
    const p = variant();
    delete p.CFDocument.title;
    delete p.CFItems[2].fullStatement;
    delete p.CFAssociations[1].associationType;
    const f = path.join(badDir, 'missing.json');
    writeFileSync(f, JSON.stringify(p));
    await expectRejected(badDb, f, {
        paths: ['$.CFDocument.title', '$.CFItems[2].fullStatement', '$.CFAssociations[1].associationType'],
        original: ISTE,
    });
    const q = variant();
    delete q.CFDocument;
    const g = path.join(badDir, 'nodoc.json');
    writeFileSync(g, JSON.stringify(q));
    await expectRejected(badDb, g, { paths: ['$.CFDocument'], original: ISTE });
});

test('bad import: an association to a missing node → its path, database unchanged', async () => {
    const p = variant();
    const k = p.CFAssociations.findIndex((a) => a.associationType === 'isChildOf');
    p.CFAssociations[k].destinationNodeURI.identifier = '11111111-2222-4333-8444-555555555555';
    const f = path.join(badDir, 'dangling.json');
    writeFileSync(f, JSON.stringify(p, null, 2));
    await expectRejected(badDb, f, {
        paths: [`$.CFAssociations[${k}].destinationNodeURI.identifier`],
        original: ISTE,
    });
    // A non-tree association to a node in no package at all.
    const q = variant();
    q.CFAssociations.push({
        ...structuredClone(q.CFAssociations[0]),
        identifier: '21111111-2222-4333-8444-555555555555',
        associationType: 'isRelatedTo',
        originNodeURI: { ...q.CFAssociations[0].originNodeURI, identifier: '31111111-2222-4333-8444-555555555555' },
    });
    const n = q.CFAssociations.length - 1;
    const g = path.join(badDir, 'dangling2.json');
    writeFileSync(g, JSON.stringify(q));
    await expectRejected(badDb, g, { paths: [`$.CFAssociations[${n}].originNodeURI.identifier`], original: ISTE });
});

test('bad import: the crosswalk before the frameworks it links → refused, database unchanged', async () => {
    const db = path.join(tempDir(), 'cw.db');
    await importOk(db, ISTE_FILE);
    await expectRejected(db, ours('cosn-crosswalk-2009-2019'), { paths: ['$.CFAssociations[0]'], original: ISTE });
});

test('bad import: a cycle in isChildOf → the path of an association in it, database unchanged', async () => {
    const p = variant();
    // A top-level standard and its first indicator: make the standard a child of the indicator.
    const top = p.CFAssociations.findIndex(
        (a) => a.associationType === 'isChildOf' && a.destinationNodeURI.identifier === p.CFDocument.identifier,
    );
    const standard = p.CFAssociations[top].originNodeURI.identifier;
    const down = p.CFAssociations.findIndex(
        (a) => a.associationType === 'isChildOf' && a.destinationNodeURI.identifier === standard,
    );
    assert.ok(top >= 0 && down >= 0);
    p.CFAssociations[top].destinationNodeURI = { ...p.CFAssociations[down].originNodeURI };
    const f = path.join(badDir, 'cycle.json');
    writeFileSync(f, JSON.stringify(p));
    const r = await expectRejected(badDb, f, { pattern: /cycle/i, original: ISTE });
    const m = r.stderr.match(/\$\.CFAssociations\[(\d+)\]/);
    assert.ok(m, `a path into CFAssociations:\n${r.stderr}`);
    assert.ok([top, down].includes(Number(m[1])), `the path names an association of the cycle (${top} or ${down}), got ${m[0]}`);
});

test('bad import: duplicate identifiers → the path of the second, database unchanged', async () => {
    const p = variant();
    p.CFItems[1].identifier = p.CFItems[0].identifier;
    const f = path.join(badDir, 'dup.json');
    writeFileSync(f, JSON.stringify(p));
    await expectRejected(badDb, f, { paths: ['$.CFItems[1].identifier'], pattern: /twice|duplicate/i, original: ISTE });
    const q = variant();
    q.CFAssociations[3].identifier = q.CFItems[5].identifier;
    const g = path.join(badDir, 'dup2.json');
    writeFileSync(g, JSON.stringify(q));
    await expectRejected(badDb, g, { paths: ['$.CFAssociations[3].identifier'], original: ISTE });
});

test('bad import: a 200 MB file → exit 1 quickly with a size message, database unchanged', async () => {
    const f = path.join(badDir, 'huge.json');
    writeFileSync(f, '');
    truncateSync(f, 200 * 1024 * 1024); // sparse: no 200 MB written
    const t0 = Date.now();
    const r = await expectRejected(badDb, f, { pattern: /(200\s*MB|209715200)/i, original: ISTE });
    assert.ok(Date.now() - t0 < 10000, `took ${Date.now() - t0} ms`);
    assert.ok(r.ms < 3000, `the import itself took ${r.ms} ms`);
    assert.match(r.stderr, /MB|bytes/);
    rmSync(f);
});

// --- the database file -----------------------------------------------------------------------

test('--db in a directory that does not exist → exit 1 naming the directory', async () => {
    const dir = path.join(tempDir(), 'no', 'such', 'dir');
    const r = await cli('framework', 'list', '--db', path.join(dir, 'x.db'));
    assertExit(r, 1, 'missing dir');
    assert.ok(r.stderr.includes(dir), `names ${dir}:\n${r.stderr}`);
    assert.ok(!existsSync(dir), 'did not create it');
});

test('--db that is a directory → exit 1', async () => {
    const dir = tempDir();
    const r = await cli('framework', 'list', '--db', dir);
    assertExit(r, 1, '--db DIR');
    assert.match(r.stderr, /directory/i);
    assert.deepEqual(readdirSync(dir), [], 'nothing written into it');
});

test('a file that is not SQLite → exit 1 "not a SQLite database", file untouched', async () => {
    const f = path.join(tempDir(), 'text.db');
    const content = 'just some text, not a database\n'.repeat(10);
    writeFileSync(f, content);
    for (const args of [['framework', 'list'], ['migrate'], ['framework', 'import', ISTE_FILE]]) {
        const r = await cli(...args, '--db', f);
        assertExit(r, 1, args.join(' '));
        assert.match(r.stderr, /not a SQLite database/);
    }
    assert.equal(readFileSync(f, 'utf8'), content);
});

function haveRunuser() {
    const r = spawnSync('runuser', ['--help'], { stdio: 'ignore' });
    return !r.error;
}

// The first unprivileged user that can run a program from DIR (some CI sandboxes cannot switch
// to "nobody" because its uid is not mapped, or mount the temp dir noexec for it).
function unprivilegedUser(bin, dir) {
    for (const u of ['nobody', 'daemon', 'postgres']) {
        const r = spawnSync('runuser', ['-u', u, '--', bin, 'version'], { cwd: dir, encoding: 'utf8' });
        if (!r.error && r.status === 0) return { user: u };
    }
    const r = spawnSync('runuser', ['-u', 'nobody', '--', bin, 'version'], { cwd: dir, encoding: 'utf8' });
    return { why: `no unprivileged user can run ${bin}: ${(r.stderr || String(r.error || r.status)).trim()}` };
}

test('a read-only database (run as an unprivileged user) → exit 1 with a clear read-only message', async (t) => {
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    if (!isRoot) {
        t.skip('not root: cannot switch to an unprivileged user');
        return;
    }
    if (!haveRunuser()) {
        t.skip('runuser is not available');
        return;
    }
    const dir = tempDir();
    const db = path.join(dir, 'ro.db');
    await importOk(db, ISTE_FILE);
    const before = await list(db);
    chmodSync(db, 0o444);
    chmodSync(dir, 0o755);
    // The user may not reach the build tree (a clone in a 0700 mktemp dir): give it its own
    // copies of the program and the package, beside the database.
    const bin = path.join(dir, 'ctoframe');
    copyFileSync(BIN, bin);
    chmodSync(bin, 0o755);
    const pkg = path.join(dir, 'iste.json');
    copyFileSync(ISTE_FILE, pkg);
    chmodSync(pkg, 0o644);
    const who = unprivilegedUser(bin, dir);
    if (!who.user) {
        t.skip(who.why);
        return;
    }
    const bytes = readFileSync(db);
    const r = await run(['-u', who.user, '--', bin, 'framework', 'list', '--db', db], { cmd: 'runuser', cwd: dir });
    assertExit(r, 1, `framework list as ${who.user} on a 0444 file`);
    assert.match(r.stderr, /read-only|read only|readonly|not writable|cannot be written|permission/i);
    assert.ok(r.stderr.includes(db), `names the file:\n${r.stderr}`);
    const i = await run(['-u', who.user, '--', bin, 'framework', 'import', pkg, '--db', db], { cmd: 'runuser', cwd: dir });
    assertExit(i, 1, `framework import as ${who.user}`);
    assert.match(i.stderr, /read-only|read only|readonly|not writable|cannot be written|permission/i);
    assert.ok(readFileSync(db).equals(bytes), 'the file is unchanged');
    assert.equal(await list(db), before);
});

function insertFutureMigration(db) {
    const sql = "INSERT INTO schema_migrations VALUES (999,'future','x')";
    let r = spawnSync('sqlite3', [db, sql], { encoding: 'utf8' });
    if (!r.error && r.status === 0) return 'sqlite3';
    r = spawnSync('python3', ['-c', 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit(); c.close()', db, sql], {
        encoding: 'utf8',
    });
    if (!r.error && r.status === 0) return 'python3';
    return null;
}

test('a database with a newer schema → exit 1 mentioning "newer"', async (t) => {
    const db = path.join(tempDir(), 'future.db');
    await importOk(db, ISTE_FILE);
    const how = insertFutureMigration(db);
    if (!how) {
        t.skip('neither the sqlite3 CLI nor python3 is available to write the row');
        return;
    }
    for (const args of [['framework', 'list'], ['migrate'], ['framework', 'import', ISTE_FILE]]) {
        const r = await cli(...args, '--db', db);
        assertExit(r, 1, args.join(' '));
        assert.match(r.stderr, /newer/i);
    }
    // The server refuses too.
    await assert.rejects(startServer({ db }), (e) => {
        assert.notEqual(e.exitCode, 0);
        assert.match(e.stderr || '', /newer/i);
        return true;
    });
});

test('migrate prints the schema version (the newest migration)', async () => {
    const versions = readdirSync(path.join(ROOT, 'src', 'store', 'migrations'))
        .map((f) => /^(\d+)_.*\.sql$/.exec(f))
        .filter(Boolean)
        .map((m) => Number(m[1]));
    const latest = Math.max(...versions);
    const db = path.join(tempDir(), 'm.db');
    const r = await cli('migrate', '--db', db);
    assertExit(r, 0, 'migrate');
    const m = r.stdout.match(/schema version (\d+)/);
    assert.ok(m, `schema version on stdout:\n${r.stdout}`);
    assert.equal(Number(m[1]), latest);
    const again = await cli('migrate', '--db', db);
    assertExit(again, 0, 'migrate again');
    assert.equal(again.stdout, r.stdout, 'idempotent');
    assert.equal(await list(db), '', 'a migrated database has no frameworks');
});

// --- backup ------------------------------------------------------------------------------------

test('backup FILE while a server runs on the same db → exit 0; the copy lists the same frameworks', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'live.db');
    const srv = await startServer({ db });
    try {
        const original = await list(db);
        assert.equal(original.trim().split('\n').length, readdirSync(DATA_DIR).filter((f) => f.endsWith('.json')).length);
        const copy = path.join(dir, 'copy.db');
        const busy = Promise.all(
            Array.from({ length: 20 }, () => get(srv.url + '/ims/case/v1p0/CFDocuments')),
        );
        const r = await cli('backup', copy, '--db', db);
        assertExit(r, 0, 'backup');
        for (const x of await busy) assert.equal(x.status, 200);
        assert.ok(statSync(copy).size > 0);
        assert.ok(!existsSync(copy + '.partial'), 'no partial file left');
        assert.equal(await list(copy), original);
        const id = readJson(ours('cosn-k12cto-2019')).CFDocument.identifier;
        const e = await cli('framework', 'export', id, '--db', copy);
        assertExit(e, 0, 'export from the copy');
        assert.deepEqual(JSON.parse(e.stdout), readJson(ours('cosn-k12cto-2019')));
        const h = await get(srv.url + '/healthz');
        assert.equal(h.status, 200, 'the server still serves');
    } finally {
        const code = await srv.stop();
        assert.equal(code, 0);
    }
});

test('backup into a directory that does not exist → exit 1', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'b.db');
    await importOk(db, ISTE_FILE);
    const target = path.join(dir, 'missing', 'copy.db');
    const r = await cli('backup', target, '--db', db);
    assertExit(r, 1, 'backup to a missing dir');
    assert.ok(r.stderr.length > 0);
    assert.ok(!existsSync(target));
});
