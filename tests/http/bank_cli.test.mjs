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

// --- Issue 10 point 1: what an item holds (the bank file "ctoframe-bank/1", docs/exam.md) ---

// A scenario set of three items sharing one stimulus, and an item on its own. The content is
// written here for the test; it is not exam content.
const bankFile = () => ({
    format: 'ctoframe-bank/1',
    notice: 'Items written for this test; not the real exam.',
    stimuli: [{
        identifier: 'case-riverside',
        title: 'Riverside Unified',
        text: 'Riverside Unified has 14 schools and 9,000 students.\nIts wireless network is seven years old and the budget for next year is flat.',
    }],
    items: [
        {
            identifier: 'rv-1', title: 'First step', interaction: 'single', skills: ['II.B', 'I.A'], cognitive: 'analysis',
            stimulus: 'case-riverside', prompt: 'What should the CTO do first?',
            choices: [
                { id: 'A', text: 'Replace every access point this summer', rationale: 'Wrong: it spends before knowing the need.' },
                { id: 'B', text: 'Survey coverage and load in every school', rationale: 'Right: the survey says where the need is.' },
                { id: 'C', text: 'Ask the board for a bond', rationale: 'Wrong: a bond needs a plan and numbers first.' },
            ],
            correct: ['B'], references: ['CoSN, Framework of Essential Skills of the K-12 CTO (2018)'], author: 'Test Writer A',
        },
        {
            identifier: 'rv-2', title: 'Paying for it', interaction: 'multiple', skills: ['III.D'], cognitive: 'application',
            stimulus: 'case-riverside', prompt: 'Which two sources could fund the refresh? Choose two.',
            choices: [
                { id: 'A', text: 'E-rate Category Two', rationale: 'Right: it funds internal connections.' },
                { id: 'B', text: 'The lunch program', rationale: 'Wrong: that money is restricted.' },
                { id: 'C', text: 'A multi-year lease', rationale: 'Right: it spreads the cost.' },
            ],
            correct: ['A', 'C'], references: [], author: 'Test Writer B',
        },
        {
            identifier: 'rv-3', title: 'Telling the board', interaction: 'single', skills: ['I.C'], cognitive: 'recall',
            stimulus: 'case-riverside', prompt: 'What does the board most need to see?',
            choices: [
                { id: 'A', text: 'The cost of doing nothing', rationale: 'Right: it frames the decision.' },
                { id: 'B', text: 'Vendor brochures', rationale: 'Wrong: they sell, they do not decide.' },
            ],
            correct: ['A'], references: ['One reference', 'Another reference'], author: 'Test Writer A',
        },
        {
            identifier: 'lone-1', title: 'On its own', interaction: 'single', skills: ['II.A'], cognitive: 'recall',
            prompt: 'Which   document  sets the district\'s\ntechnology direction?',
            choices: [
                { id: 'A', text: 'The strategic technology plan', rationale: 'Right: it is the direction.' },
                { id: 'B', text: 'The help desk log', rationale: 'Wrong: it records problems.' },
            ],
            correct: ['A'], references: ['A reference'], author: 'Test Writer C',
        },
    ],
});

test('bank file: JSON import, list, show, export --json and import back identical; a scenario set of three items', { timeout: 120000 }, async () => {
    const a = await ownDb();
    const b = await ownDb();
    try {
        const src = bankFile();
        let r = await cli(['bank', 'import', file('bank.json', JSON.stringify(src, null, 2))], { db: a.db });
        assert.equal(r.code, 0, show(r));
        assert.match(r.stdout, /items 4: added 4, changed 0, unchanged 0/);
        assert.match(r.stdout, /stimuli 1: added 1, changed 0, unchanged 0/);

        // list: the interface's keys, skills and keys from the file.
        const items = await list(a.db);
        assert.deepEqual(items, [
            { identifier: 'lone-1', title: 'On its own', interaction: 'single', choices: 2, correct: ['A'], skills: ['II.A'] },
            { identifier: 'rv-1', title: 'First step', interaction: 'single', choices: 3, correct: ['B'], skills: ['II.B', 'I.A'] },
            { identifier: 'rv-2', title: 'Paying for it', interaction: 'multiple', choices: 3, correct: ['A', 'C'], skills: ['III.D'] },
            { identifier: 'rv-3', title: 'Telling the board', interaction: 'single', choices: 2, correct: ['A'], skills: ['I.C'] },
        ]);

        // show: rationales, references, author, the stimulus shared by the three.
        const showJson = async (db, id) => {
            const s = await cli(['bank', 'show', id, '--json'], { db });
            assert.equal(s.code, 0, show(s));
            return JSON.parse(s.stdout);
        };
        for (const id of ['rv-1', 'rv-2', 'rv-3']) {
            const it = await showJson(a.db, id);
            assert.equal(it.stimulus.identifier, 'case-riverside', id);
            assert.equal(it.stimulus.text, src.stimuli[0].text, id);
            assert.equal(it.stimulus.version, 1);
        }
        let it = await showJson(a.db, 'rv-1');
        assert.deepEqual(it.body.choices.map((c) => c.rationale), src.items[0].choices.map((c) => c.rationale));
        assert.deepEqual(it.body.references, src.items[0].references);
        assert.equal(it.body.author, 'Test Writer A');
        assert.equal(it.skills, 'II.B;I.A');
        assert.equal(it.cognitive, 'analysis');
        assert.deepEqual(it.comments, []);
        it = await showJson(a.db, 'lone-1');
        assert.equal(it.stimulus, null);
        // White space squeezed as QTI reads text: "Which   document  sets ...\ntechnology".
        assert.equal(it.body.prompt, "Which document sets the district's technology direction?");
        // The plain show prints them for a reader.
        r = await cli(['bank', 'show', 'rv-1'], { db: a.db });
        assert.equal(r.code, 0, show(r));
        assert.match(r.stdout, /scenario set: case-riverside \(Riverside Unified\)/);
        assert.match(r.stdout, /\*B Survey coverage and load in every school\n\s+rationale: Right: the survey says where the need is\./);
        assert.match(r.stdout, /reference: CoSN, Framework of Essential Skills/);
        assert.match(r.stdout, /author: Test Writer A/);

        // export --json: the same format, the file's content back (prompt squeezed).
        const out = path.join(dir, 'export.json');
        r = await cli(['bank', 'export', out, '--json'], { db: a.db });
        assert.equal(r.code, 0, show(r));
        const exported = JSON.parse(readFileSync(out, 'utf8'));
        assert.equal(exported.format, 'ctoframe-bank/1');
        assert.deepEqual(exported.stimuli, src.stimuli);
        const want = src.items.map((x) => ({ ...x }));
        want[3].prompt = "Which document sets the district's technology direction?";
        const byId = (xs) => [...xs].sort((p, q) => (p.identifier < q.identifier ? -1 : 1));
        assert.deepEqual(byId(exported.items), byId(want));
        // Imported back into the same bank: nothing changes.
        r = await cli(['bank', 'import', out], { db: a.db });
        assert.equal(r.code, 0, show(r));
        assert.match(r.stdout, /items 4: added 0, changed 0, unchanged 4/);
        assert.match(r.stdout, /stimuli 1: added 0, changed 0, unchanged 1/);
        // Into an empty bank: its own export is byte for byte the first one.
        r = await cli(['bank', 'import', out], { db: b.db });
        assert.equal(r.code, 0, show(r));
        const out2 = path.join(dir, 'export2.json');
        assert.equal((await cli(['bank', 'export', out2, '--json'], { db: b.db })).code, 0);
        assert.equal(readFileSync(out2, 'utf8'), readFileSync(out, 'utf8'));

        // QTI: the rationales travel as inline feedback; references, author and the scenario
        // set stay with the stored item, so QTI export -> import changes nothing.
        const zip = path.join(dir, 'content.zip');
        assert.equal((await cli(['bank', 'export', zip], { db: a.db })).code, 0);
        const xml = execFileSync('/usr/bin/python3', ['-c', 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print("".join(z.read(n).decode() for n in z.namelist() if n.startswith("items/")))', zip], { encoding: 'utf8' });
        assert.match(xml, /<qti-feedback-inline outcome-identifier="FEEDBACK" identifier="B" show-hide="show">Right: the survey says where the need is\.<\/qti-feedback-inline>/);
        r = await cli(['bank', 'import', zip], { db: a.db });
        assert.equal(r.code, 0, show(r));
        assert.match(r.stdout, /items 4: added 0, changed 0, unchanged 4/);
        const c = await ownDb();
        try {
            assert.equal((await cli(['bank', 'import', zip], { db: c.db })).code, 0);
            it = await showJson(c.db, 'rv-1');
            assert.deepEqual(it.body.choices.map((x) => x.rationale), src.items[0].choices.map((x) => x.rationale));
            assert.equal(it.stimulus, null, 'a scenario set is not in QTI');
        } finally {
            await c.drop();
        }

        // A changed stimulus is a new version of it; the items stay as they were.
        const changed = bankFile();
        changed.stimuli[0].text += ' A new superintendent starts in July.';
        r = await cli(['bank', 'import', file('bank2.json', JSON.stringify(changed))], { db: a.db });
        assert.equal(r.code, 0, show(r));
        assert.match(r.stdout, /items 4: added 0, changed 0, unchanged 4/);
        assert.match(r.stdout, /stimuli 1: added 0, changed 1, unchanged 0/);
        assert.equal((await showJson(a.db, 'rv-2')).stimulus.version, 2);
        assert.equal(sql(a.db, "SELECT COUNT(*) FROM bank_stimulus_versions;").trim(), '2');
    } finally {
        await a.drop();
        await b.drop();
    }
});

test('bank file: a refused file names every problem with its place and writes nothing', { timeout: 120000 }, async () => {
    const d = await ownDb();
    try {
        const count = () => sql(d.db, 'SELECT (SELECT COUNT(*) FROM bank_items) || \' \' || (SELECT COUNT(*) FROM bank_stimuli) || \' \' || (SELECT COUNT(*) FROM audit_log WHERE action LIKE \'bank.%\');').trim();
        assert.deepEqual(await list(d.db), []); // the database, migrated and empty
        const empty = count();
        assert.equal(empty, '0 0 0');

        const bad = bankFile();
        delete bad.items[1].choices[2].rationale;
        bad.items[0].skills.push('IV.A');
        bad.items[2].stimulus = 'case-nowhere';
        bad.items[3].correct = ['Z'];
        let r = await cli(['bank', 'import', file('bad.json', JSON.stringify(bad))], { db: d.db });
        assert.equal(r.code, 1, show(r));
        assert.match(r.stderr, /\$\.items\[0\]\.skills\[2\]: is not a skill code/);
        assert.match(r.stderr, /\$\.items\[1\]\.choices\[2\]\.rationale: is missing/);
        assert.match(r.stderr, /\$\.items\[2\]\.stimulus: "case-nowhere" is not the identifier/);
        assert.match(r.stderr, /\$\.items\[3\]\.correct\[0\]: "Z" is not the id/);
        assert.match(r.stderr, /4 problems\. Nothing was imported\./);
        assert.equal(count(), empty);

        // JSON that does not read: its line and column. Line 3 is `  "items": [1,}`: two
        // spaces (columns 1-2), "items": (3-10), a space (11), [ (12), 1 (13), "," (14), so
        // the '}' that cannot follow is column 15.
        r = await cli(['bank', 'import', file('broken.json', '{\n  "format": "ctoframe-bank/1",\n  "items": [1,}\n')], { db: d.db });
        assert.equal(r.code, 1, show(r));
        assert.match(r.stderr, /line 3, column 15/);
        assert.match(r.stderr, /Nothing was imported\./);
        assert.equal(count(), empty);

        // A refusal found while writing rolls back what the file wrote before it: the
        // operational item keeps its tags, and the new stimulus of the same file is not kept.
        assert.equal((await cli(['bank', 'import', file('ok.json', JSON.stringify(bankFile()))], { db: d.db })).code, 0);
        for (const to of ['review', 'pretest', 'operational'])
            assert.equal((await cli(['bank', 'move', 'rv-3', to], { db: d.db })).code, 0, to);
        const before = count();
        const retag = bankFile();
        retag.stimuli.push({ identifier: 'case-new', title: 'New', text: 'A new case.' });
        retag.items[2].skills = ['III.A'];
        r = await cli(['bank', 'import', file('retag.json', JSON.stringify(retag))], { db: d.db });
        assert.equal(r.code, 1, show(r));
        assert.match(r.stderr, /The item "rv-3" \(\$\.items\[2\]\.skills\) is operational/);
        assert.match(r.stderr, /Nothing was imported\./);
        assert.equal(count(), before);
        assert.equal(sql(d.db, "SELECT COUNT(*) FROM bank_stimuli WHERE identifier = 'case-new';").trim(), '0');
    } finally {
        await d.drop();
    }
});

test('bank comment: a reviewer comment without a move, in the history and on the audit trail', { timeout: 120000 }, async () => {
    const d = await ownDb();
    try {
        assert.equal((await cli(['bank', 'import', file('c.json', JSON.stringify(bankFile()))], { db: d.db })).code, 0);
        let r = await cli(['bank', 'comment', 'rv-2', 'Option B reads as a trick; rewrite it.'], { db: d.db });
        assert.equal(r.code, 0, show(r));
        r = await cli(['bank', 'comment', 'rv-2', 'Second look:\nfine after the edit.'], { db: d.db });
        assert.equal(r.code, 0, show(r));
        const it = JSON.parse((await cli(['bank', 'show', 'rv-2', '--json'], { db: d.db })).stdout);
        assert.equal(it.status, 'draft', 'a comment moves nothing');
        assert.deepEqual(it.comments.map((c) => c.text), ['Option B reads as a trick; rewrite it.', 'Second look:\nfine after the edit.']);
        assert.equal(it.comments[0].actor, 'cli');
        assert.deepEqual(it.events.map((e) => e.kind), ['import', 'comment', 'comment']);
        r = await cli(['bank', 'show', 'rv-2'], { db: d.db });
        assert.match(r.stdout, /comment .* \(cli\): Option B reads as a trick; rewrite it\./);
        // Refused: an empty comment, an unknown item; usage: no text.
        r = await cli(['bank', 'comment', 'rv-2', '  '], { db: d.db });
        assert.equal(r.code, 1, show(r));
        assert.match(r.stderr, /Write the comment/);
        r = await cli(['bank', 'comment', 'nobody', 'text'], { db: d.db });
        assert.equal(r.code, 1, show(r));
        assert.equal((await cli(['bank', 'comment', 'rv-2'], { db: d.db })).code, 2);
        const audit = sql(d.db, "SELECT action FROM audit_log WHERE action LIKE 'bank.%' ORDER BY id;").trim().split('\n');
        assert.deepEqual(audit, ['bank.import', 'bank.comment', 'bank.comment']);
    } finally {
        await d.drop();
    }
});
