// Helpers of the exam tests (HTTP and browser): the blueprint, a bank file, a released form,
// QTI 3.0 items and IMS content packages of them, written by Python's zipfile.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

// The blueprint (docs/exam-forms.md): scored items per skill, 100 in all.
export const BLUEPRINT = { 'I.A': 15, 'I.B': 15, 'I.C': 10, 'II.A': 12, 'II.B': 9, 'II.C': 9, 'III.A': 9, 'III.B': 7, 'III.C': 7, 'III.D': 7 };
export const SKILLS = Object.keys(BLUEPRINT);
assert.equal(Object.values(BLUEPRINT).reduce((a, b) => a + b, 0), 100);

/** A QTI 3.0 single-choice item: options A, B, C; the key B. */
export const qti = (id) => `<?xml version="1.0" encoding="UTF-8"?>
<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0" identifier="${id}"
    title="Item ${id}" adaptive="false" time-dependent="false">
  <qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="identifier">
    <qti-correct-response><qti-value>B</qti-value></qti-correct-response>
  </qti-response-declaration>
  <qti-outcome-declaration identifier="SCORE" cardinality="single" base-type="float"/>
  <qti-item-body>
    <qti-choice-interaction response-identifier="RESPONSE" max-choices="1">
      <qti-prompt>Question ${id}: which step comes first?</qti-prompt>
      <qti-simple-choice identifier="A">Buy the devices</qti-simple-choice>
      <qti-simple-choice identifier="B">Agree on the goal with the instructional leaders</qti-simple-choice>
      <qti-simple-choice identifier="C">Train the staff</qti-simple-choice>
    </qti-choice-interaction>
  </qti-item-body>
  <qti-response-processing template="https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct"/>
</qti-assessment-item>
`;

/** An IMS content package (dir/name) of the items ids, written by Python's zipfile. */
export function packageOf(dir, name, ids, manifestId = 'items') {
    const p = path.join(dir, name);
    const files = ids.map((id, i) => [`items/i${i}.xml`, qti(id)]);
    const manifest = `<?xml version="1.0" encoding="UTF-8"?>
<manifest xmlns="http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1" identifier="${manifestId}">
  <resources>
${files.map(([f], i) => `    <resource identifier="r${i}" type="imsqti_item_xmlv3p0" href="${f}"><file href="${f}"/></resource>`).join('\n')}
  </resources>
</manifest>
`;
    const py = 'import sys, json, zipfile\n' +
        'out, entries = sys.argv[1], json.loads(sys.stdin.read())\n' +
        'with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:\n' +
        '    for n, t in entries: z.writestr(n, t)\n';
    execFileSync('/usr/bin/python3', ['-c', py, p], { input: JSON.stringify([['imsmanifest.xml', manifest], ...files]) });
    return p;
}

/** Runs fn over xs, at most n at a time. */
export async function pool(xs, n, fn) {
    let next = 0;
    await Promise.all(Array.from({ length: n }, async () => {
        while (next < xs.length) await fn(xs[next++]);
    }));
}

/**
 * A bank file (ctoframe-bank/1, dir/name) of the items ids: each tagged to the skill its
 * identifier starts with (`I.A-3` → I.A; `skillOf` may say otherwise), options A, B, C with a
 * rationale each, the key B. One `bank import` loads it with its tags, where QTI needs a
 * `bank tag` per item.
 */
export function bankFileOf(dir, name, ids, skillOf = (id) => id.replace(/-\d+$/, '')) {
    const p = path.join(dir, name);
    const items = ids.map((id) => ({
        identifier: id, title: `Item ${id}`, interaction: 'single', skills: [skillOf(id)], cognitive: 'application',
        prompt: `Question ${id}: which step comes first?`,
        choices: [
            { id: 'A', text: 'Buy the devices', rationale: 'Devices bought before the goal is agreed often sit unused.' },
            { id: 'B', text: 'Agree on the goal with the instructional leaders', rationale: 'The goal decides what to buy and whom to train.' },
            { id: 'C', text: 'Train the staff', rationale: 'Training before the goal is set trains for the wrong thing.' },
        ],
        correct: ['B'], references: ['ctoframe test fixture'], author: 'tests',
    }));
    writeFileSync(p, JSON.stringify({ format: 'ctoframe-bank/1', notice: 'Test fixture, not exam content.', stimuli: [], items }));
    return p;
}

/** The 100 items of the blueprint: `I.A-1` … `III.D-7`, in skill order. */
export const BLUEPRINT_ITEMS = SKILLS.flatMap((s) => Array.from({ length: BLUEPRINT[s] }, (_, k) => `${s}-${k + 1}`));

/**
 * A released form `code` of the 100 blueprint items on database db: the bank from one bank
 * file (bankFileOf in dir), the items made operational in SQL (the workflow is
 * bank_cli.test.mjs's subject), then `form create`, `add` and `release`. cli(args) runs a
 * ctoframe command on db and fails the test unless it exits 0; sql(text) runs SQL on db.
 */
export async function releasedForm({ dir, code, title, cli, sql }) {
    await cli(['bank', 'import', bankFileOf(dir, 'bank.json', BLUEPRINT_ITEMS)]);
    sql("UPDATE bank_items SET status = 'operational';");
    await cli(['form', 'create', code, '--title', title]);
    await cli(['form', 'add', code, ...BLUEPRINT_ITEMS]);
    await cli(['form', 'release', code]);
    return BLUEPRINT_ITEMS;
}
