// The item bank from the command line (issue 10 point 2, "outside checks"):
// `ctoframe bank import FILE.xml|FILE.zip` and `ctoframe bank list --json`. A QTI 3.0
// single-choice item and a QTI 2.1 multiple-response item (written here in the shape of the
// public 1EdTech examples) import with their correct response; `bank export` writes a
// content package that imports into an empty bank identical; every unsafe package of the
// issue's list is refused with its reason and writes nothing (the zips are built here with
// Python's zipfile, an outside writer); usage errors exit 2. Runs on SQLite and, with
// CTOFRAME_TEST_DB, on PostgreSQL.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cli, ownDb } from './authhelp.mjs';
import { sql } from './cehelp.mjs';

const dir = mkdtempSync(path.join(tmpdir(), 'ctoframe-bank-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name, text) => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
};
const show = (r) => `exit ${r.code}\nstdout:\n${r.stdout.slice(0, 1500)}\nstderr:\n${r.stderr.slice(0, 1500)}`;

const V3 = `<?xml version="1.0" encoding="UTF-8"?>
<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0" identifier="cto-budget-001"
    title="Total cost of ownership" adaptive="false" time-dependent="false">
  <qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="identifier">
    <qti-correct-response><qti-value>C</qti-value></qti-correct-response>
  </qti-response-declaration>
  <qti-outcome-declaration identifier="SCORE" cardinality="single" base-type="float">
    <qti-default-value><qti-value>0</qti-value></qti-default-value>
  </qti-outcome-declaration>
  <qti-item-body>
    <qti-choice-interaction response-identifier="RESPONSE" max-choices="1" min-choices="1">
      <qti-prompt>Which cost is most often left out of a device program's budget?</qti-prompt>
      <qti-simple-choice identifier="A">The purchase price</qti-simple-choice>
      <qti-simple-choice identifier="B">The warranty</qti-simple-choice>
      <qti-simple-choice identifier="C">Staff time to support the devices</qti-simple-choice>
      <qti-simple-choice identifier="D">Shipping</qti-simple-choice>
    </qti-choice-interaction>
  </qti-item-body>
  <qti-response-processing template="https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct"/>
</qti-assessment-item>
`;

const V21 = `<?xml version="1.0" encoding="UTF-8"?>
<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="cto-privacy-002"
    title="Student data agreements" adaptive="false" timeDependent="false">
  <responseDeclaration identifier="RESPONSE" cardinality="multiple" baseType="identifier">
    <correctResponse><value>A</value><value>C</value></correctResponse>
  </responseDeclaration>
  <outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
  <itemBody>
    <choiceInteraction responseIdentifier="RESPONSE" shuffle="false" maxChoices="0">
      <prompt>Which belong in a data privacy agreement with a vendor? Choose all that apply.</prompt>
      <simpleChoice identifier="A">What data the vendor may collect</simpleChoice>
      <simpleChoice identifier="B">The vendor's marketing plan</simpleChoice>
      <simpleChoice identifier="C">When the data is deleted</simpleChoice>
    </choiceInteraction>
  </itemBody>
  <responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"/>
</assessmentItem>
`;

/** A zip with entries [[name, text]] written by Python's zipfile (deflated). */
function zipOf(name, entries) {
    const p = path.join(dir, name);
    const py = 'import sys, json, zipfile\n' +
        'out, entries = sys.argv[1], json.loads(sys.stdin.read())\n' +
        'with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:\n' +
        '    for n, t in entries: z.writestr(n, t)\n';
    execFileSync('/usr/bin/python3', ['-c', py, p], { input: JSON.stringify(entries) });
    return p;
}

const manifest = (files) => `<?xml version="1.0" encoding="UTF-8"?>
<manifest xmlns="http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1" identifier="pkg">
  <resources>
${files.map((f, i) => `    <resource identifier="r${i}" type="imsqti_item_xmlv3p0" href="${f}"><file href="${f}"/></resource>`).join('\n')}
  </resources>
</manifest>
`;

async function list(db) {
    const r = await cli(['bank', 'list', '--json'], { db });
    assert.equal(r.code, 0, show(r));
    return JSON.parse(r.stdout);
}

test('bank import of QTI 3.0 and 2.1 items, list, export and import back identical', { timeout: 120000 }, async () => {
    const a = await ownDb();
    const b = await ownDb();
    try {
        let r = await cli(['bank', 'import', file('v3.xml', V3)], { db: a.db });
        assert.equal(r.code, 0, show(r));
        assert.match(r.stdout, /items 1: added 1, changed 0, unchanged 0/);
        r = await cli(['bank', 'import', file('v21.xml', V21), '--json'], { db: a.db });
        assert.equal(r.code, 0, show(r));
        assert.equal(JSON.parse(r.stdout).added, 1);
        const items = await list(a.db);
        assert.deepEqual(items, [
            { identifier: 'cto-budget-001', title: 'Total cost of ownership', interaction: 'single', choices: 4, correct: ['C'], skills: [] },
            { identifier: 'cto-privacy-002', title: 'Student data agreements', interaction: 'multiple', choices: 3, correct: ['A', 'C'], skills: [] },
        ]);
        // The same item again changes nothing.
        r = await cli(['bank', 'import', file('v3again.xml', V3)], { db: a.db });
        assert.match(r.stdout, /unchanged 1/, show(r));

        // Export -> import into an empty bank: the same items.
        const zip = path.join(dir, 'bank.zip');
        r = await cli(['bank', 'export', zip], { db: a.db });
        assert.equal(r.code, 0, show(r));
        assert.equal(readFileSync(zip).subarray(0, 2).toString('latin1'), 'PK');
        r = await cli(['bank', 'import', zip], { db: b.db });
        assert.equal(r.code, 0, show(r));
        assert.match(r.stdout, /items 2: added 2/);
        assert.deepEqual(await list(b.db), items);
        // And back into the first bank: identical, so nothing changes.
        r = await cli(['bank', 'import', zip], { db: a.db });
        assert.match(r.stdout, /items 2: added 0, changed 0, unchanged 2/, show(r));
        // Python reads the exported package's manifest (an outside reader).
        const names = execFileSync('/usr/bin/python3', ['-c', 'import sys, zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', zip], { encoding: 'utf8' }).trim().split('\n');
        assert.ok(names.includes('imsmanifest.xml'), names.join(' '));
        assert.equal(names.filter((n) => n.endsWith('.xml')).length, 3);
    } finally {
        await a.drop();
        await b.drop();
    }
});

test('unsafe or broken packages are refused with the reason and write nothing', { timeout: 120000 }, async () => {
    const d = await ownDb();
    try {
        let r = await cli(['bank', 'import', file('seed.xml', V3)], { db: d.db });
        assert.equal(r.code, 0, show(r));
        const before = await list(d.db);
        const good = zipOf('good.zip', [['imsmanifest.xml', manifest(['items/a.xml'])], ['items/a.xml', V21]]);
        const cases = [
            ['a path escaping the package', zipOf('escape.zip', [['imsmanifest.xml', manifest(['../a.xml'])], ['../a.xml', V21]]), /\.\./],
            ['an absolute path', zipOf('abs.zip', [['imsmanifest.xml', manifest(['items/a.xml'])], ['items/a.xml', V21], ['/etc/x.xml', V21]]), /absolute|\//],
            ['no manifest', zipOf('nomanifest.zip', [['items/a.xml', V21]]), /imsmanifest\.xml/],
            ['a broken manifest', zipOf('badmanifest.zip', [['imsmanifest.xml', '<manifest><resources>'], ['items/a.xml', V21]]), /manifest/i],
            ['a file the manifest does not name', zipOf('extra.zip', [['imsmanifest.xml', manifest(['items/a.xml'])], ['items/a.xml', V21], ['items/b.xml', V3]]), /items\/b\.xml/],
            ['a manifest naming a missing file', zipOf('missing.zip', [['imsmanifest.xml', manifest(['items/a.xml', 'items/b.xml'])], ['items/a.xml', V21]]), /items\/b\.xml/],
            ['a truncated zip', (() => { const bytes = readFileSync(good); return file('trunc.zip', bytes.subarray(0, Math.floor(bytes.length * 0.6))); })(), /zip|truncated|archive/i],
            ['an item that is not QTI', zipOf('notqti.zip', [['imsmanifest.xml', manifest(['items/a.xml'])], ['items/a.xml', '<html/>']]), /QTI|item/],
        ];
        for (const [what, p, reason] of cases) {
            r = await cli(['bank', 'import', p], { db: d.db });
            assert.equal(r.code, 1, `${what}: ${show(r)}`);
            assert.match(r.stderr, reason, `${what}: the reason`);
            assert.match(r.stderr, /Nothing was imported\./, what);
            assert.deepEqual(await list(d.db), before, `${what}: nothing written`);
        }
        // The good package goes in whole.
        r = await cli(['bank', 'import', good], { db: d.db });
        assert.equal(r.code, 0, show(r));
        assert.equal((await list(d.db)).length, 2);
        // An XML item with a fault names its line.
        r = await cli(['bank', 'import', file('bad.xml', V3.replace('</qti-prompt>', '</qti-promt>'))], { db: d.db });
        assert.equal(r.code, 1, show(r));
        assert.match(r.stderr, /line \d+/, show(r));
        // Usage.
        for (const args of [['bank'], ['bank', 'import'], ['bank', 'list', 'x'], ['bank', 'frobnicate', 'x']]) {
            r = await cli(args, { db: d.db });
            assert.equal(r.code, 2, `${args.join(' ')}: ${show(r)}`);
        }
    } finally {
        await d.drop();
    }
});

test('the workflow: tag, review, pretest, operational, sent back with a comment, retired; enemies; history', { timeout: 120000 }, async () => {
    const d = await ownDb();
    try {
        let r = await cli(['bank', 'import', file('wf3.xml', V3)], { db: d.db });
        assert.equal(r.code, 0, show(r));
        r = await cli(['bank', 'import', file('wf21.xml', V21)], { db: d.db });
        assert.equal(r.code, 0, show(r));
        const id = 'cto-budget-001';
        const move = (to, extra = []) => cli(['bank', 'move', id, to, ...extra], { db: d.db });
        const item = async () => JSON.parse((await cli(['bank', 'show', id, '--json'], { db: d.db })).stdout);

        // Illegal moves: 409-like refusals (exit 1) with the rule, nothing changed.
        r = await move('operational');
        assert.equal(r.code, 1, show(r));
        assert.match(r.stderr, /cannot move to operational/);
        assert.equal((await move('review')).code, 0);
        r = await move('pretest');
        assert.equal(r.code, 1, show(r));
        assert.match(r.stderr, /Tag the item/);
        // Tagging: bad codes and levels named; then a good tag.
        r = await cli(['bank', 'tag', id, '--skills', 'I.A;IV.Q', '--level', 'guessing'], { db: d.db });
        assert.equal(r.code, 1, show(r));
        assert.match(r.stderr, /skill areas/);
        r = await cli(['bank', 'tag', id, '--skills', 'II.B; I.A', '--level', 'application'], { db: d.db });
        assert.equal(r.code, 0, show(r));
        assert.equal((await move('pretest')).code, 0);
        assert.equal((await move('operational')).code, 0);
        // An operational item keeps its tags.
        r = await cli(['bank', 'tag', id, '--skills', 'III.A'], { db: d.db });
        assert.equal(r.code, 1, show(r));
        // Sent back: the comment is required and kept.
        r = await move('review');
        assert.equal(r.code, 1, show(r));
        assert.match(r.stderr, /Say why/);
        r = await move('review', ['--note', 'Point-biserial -0.12 on form A: the key is disputed.']);
        assert.equal(r.code, 0, show(r));
        let it = await item();
        assert.equal(it.status, 'review');
        assert.equal(it.skills, 'II.B;I.A');
        assert.equal(it.cognitive, 'application');
        assert.deepEqual(it.events.map((e) => e.kind), ['import', 'status', 'tag', 'status', 'status', 'status']);
        const back = it.events.at(-1);
        assert.equal(back.from_status, 'operational');
        assert.equal(back.note, 'Point-biserial -0.12 on form A: the key is disputed.');
        assert.deepEqual(it.body.correct, ['C']);
        assert.equal(it.versions.length, 1);

        // Enemies: named once, both ways; not with itself; removed.
        r = await cli(['bank', 'enemy', id, 'cto-privacy-002'], { db: d.db });
        assert.equal(r.code, 0, show(r));
        r = await cli(['bank', 'enemy', 'cto-privacy-002', id], { db: d.db });
        assert.equal(r.code, 1, 'already enemies, whichever order');
        assert.equal((await cli(['bank', 'enemy', id, id], { db: d.db })).code, 1);
        assert.equal((await cli(['bank', 'enemy', id, 'nobody'], { db: d.db })).code, 1);
        it = await item();
        assert.deepEqual(it.enemies.map((e) => e.identifier), ['cto-privacy-002']);
        r = await cli(['bank', 'enemy', id, 'cto-privacy-002', '--remove'], { db: d.db });
        assert.equal(r.code, 0, show(r));
        assert.deepEqual((await item()).enemies, []);

        // Retired for good.
        assert.equal((await move('retired', ['--note', 'Replaced by a new item.'])).code, 0);
        r = await move('review', ['--note', 'again']);
        assert.equal(r.code, 1, show(r));
        assert.match(r.stderr, /stays retired/);
        // A new version on import keeps the workflow's status.
        r = await cli(['bank', 'import', file('wf3b.xml', V3.replace('Shipping', 'Delivery'))], { db: d.db });
        assert.match(r.stdout, /changed 1/, show(r));
        it = await item();
        assert.equal(it.version, 2);
        assert.equal(it.status, 'retired');
        assert.equal(it.versions.length, 2);
        // Unknown item, unknown status, usage.
        assert.equal((await cli(['bank', 'show', 'nobody'], { db: d.db })).code, 1);
        assert.equal((await move('published')).code, 1);
        assert.equal((await cli(['bank', 'tag', id], { db: d.db })).code, 2, '--skills is required');
        // The audit trail has each change, in order.
        const audit = sql(d.db, "SELECT action FROM audit_log WHERE action LIKE 'bank.%' ORDER BY id;").trim().split('\n');
        assert.deepEqual(audit, ['bank.import', 'bank.import', 'bank.move', 'bank.tag', 'bank.move', 'bank.move', 'bank.move', 'bank.enemy', 'bank.enemy_remove', 'bank.move', 'bank.import']);
    } finally {
        await d.drop();
    }
});
