// Exam forms (issue 10 point 3, "A form that breaks the blueprint or holds two enemies
// cannot be released"): 100+ operational items are written here as QTI 3.0 items, imported
// as one IMS content package, tagged and moved to operational with `bank tag`/`bank move`;
// then forms are built with `ctoframe form`. A form breaking the blueprint (one skill short,
// one over), missing its pretest items, holding a draft item or two enemies is refused
// release with the reason; the right form releases and is frozen; a release racing an add
// of an enemy item never leaves a released form holding two enemies. The pages answer an
// examiner and are 404 for everyone else. Runs on SQLite and, with CTOFRAME_TEST_DB, on
// PostgreSQL.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BLUEPRINT, SKILLS, bankFileOf, packageOf } from './examhelp.mjs';
import { cli, ownDb, withServer, show as showRes } from './authhelp.mjs';
import { sql } from './cehelp.mjs';

const show = (r) => `exit ${r.code}\nstdout:\n${r.stdout.slice(0, 1500)}\nstderr:\n${r.stderr.slice(0, 1500)}`;

const dir = mkdtempSync(path.join(tmpdir(), 'ctoframe-forms-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function ok(args, db) {
    const r = await cli(args, { db });
    assert.equal(r.code, 0, show(r));
    return r;
}


// The bank: per skill, the blueprint's number of items plus one ("I.A-1" .. "I.A-16"),
// operational; P-1 and P-2 in pretest (I.C); D-1 left in draft.
const operational = SKILLS.flatMap((s) => Array.from({ length: BLUEPRINT[s] + 1 }, (_, k) => `${s}-${k + 1}`));
const skillOf = (id) => id.replace(/-\d+$/, '');

async function buildBank(db) {
    const skill = (id) => (id.startsWith('P-') ? 'I.C' : id === 'D-1' ? 'I.A' : skillOf(id));
    await ok(['bank', 'import', bankFileOf(dir, 'bank.json', [...operational, 'P-1', 'P-2', 'D-1'], skill)], db);
    // The workflow (review, pretest, operational) is bank_cli.test.mjs's subject and the
    // pages test below moves items through it; here the statuses are set at once.
    sql(db, "UPDATE bank_items SET status = CASE WHEN identifier IN ('P-1', 'P-2') THEN 'pretest'"
        + " WHEN identifier = 'D-1' THEN 'draft' ELSE 'operational' END;");
}

/** The items of the exact blueprint: the first BLUEPRINT[s] of each skill. */
const exact = () => SKILLS.flatMap((s) => Array.from({ length: BLUEPRINT[s] }, (_, k) => `${s}-${k + 1}`));

async function showForm(db, code) {
    const r = await ok(['form', 'show', code, '--json'], db);
    return JSON.parse(r.stdout);
}

test('forms: the blueprint, pretest slots, draft items and enemies are checked before release; a released form is frozen; a release races an enemy add', { timeout: 600000 }, async () => {
    const d = await ownDb();
    try {
        await buildBank(d.db);
        const list = JSON.parse((await ok(['bank', 'list', '--json'], d.db)).stdout);
        assert.equal(list.length, operational.length + 3);

        // Form A: I.A one short (14), II.B one over (10), the other skills exact; 2 pretest slots.
        await ok(['form', 'create', 'A', '--title', 'Form A', '--pretest', '2'], d.db);
        const firstA = exact().filter((id) => id !== 'I.A-15').concat(['II.B-10']);
        assert.equal(firstA.length, 100);
        await ok(['form', 'add', 'A', ...firstA], d.db);
        let r = await cli(['form', 'release', 'A'], { db: d.db });
        assert.equal(r.code, 1, show(r));
        assert.match(r.stderr, /I\.A has 14 scored items; the blueprint asks for 15: add 1\./);
        assert.match(r.stderr, /II\.B has 10 scored items; the blueprint asks for 9: remove 1 of/);
        assert.match(r.stderr, /0 pretest items for 2 pretest slots/);
        let f = await showForm(d.db, 'A');
        assert.equal(f.status, 'draft');
        assert.equal(f.check.ok, false);
        assert.equal(f.check.scored, 100);
        assert.deepEqual(f.check.skills.find((s) => s.code === 'I.A'), { code: 'I.A', required: 15, have: 14, ok: false });
        assert.deepEqual(f.check.skills.find((s) => s.code === 'II.B'), { code: 'II.B', required: 9, have: 10, ok: false });
        assert.equal(f.items.length, 100);
        assert.equal(f.items[0].skill, 'I.A');

        // Put it right: II.B-10 off, I.A-15 and the two pretest items on.
        await ok(['form', 'remove', 'A', 'II.B-10'], d.db);
        await ok(['form', 'add', 'A', 'I.A-15'], d.db);
        await ok(['form', 'add', 'A', '--pretest', 'P-1', 'P-2'], d.db);
        f = await showForm(d.db, 'A');
        assert.equal(f.check.ok, true, JSON.stringify(f.check.problems));
        assert.equal(f.check.pretest, 2);

        // Two enemies on it: refused, naming both.
        await ok(['bank', 'enemy', 'I.A-1', 'III.D-1'], d.db);
        r = await cli(['form', 'release', 'A'], { db: d.db });
        assert.equal(r.code, 1, show(r));
        assert.match(r.stderr, /Enemy items cannot be on one form: I\.A-1 and III\.D-1\./);
        f = await showForm(d.db, 'A');
        assert.deepEqual(f.check.enemies, [['I.A-1', 'III.D-1']]);
        assert.equal(f.status, 'draft');

        // A draft item among the scored ones: refused, naming it.
        await ok(['form', 'remove', 'A', 'III.D-1', 'I.A-2'], d.db);
        await ok(['form', 'add', 'A', 'III.D-8', 'D-1'], d.db);
        r = await cli(['form', 'release', 'A'], { db: d.db });
        assert.equal(r.code, 1, show(r));
        assert.match(r.stderr, /Scored items must be operational; this one is not: D-1 \(draft\)\./);

        // The right form releases.
        await ok(['form', 'remove', 'A', 'D-1'], d.db);
        await ok(['form', 'add', 'A', 'I.A-16'], d.db);
        r = await ok(['form', 'release', 'A'], d.db);
        assert.match(r.stdout, /form A released/);
        f = await showForm(d.db, 'A');
        assert.equal(f.status, 'released');
        assert.equal(f.check.ok, true);
        assert.equal(f.items.length, 102);
        assert.ok(f.released_at && f.released_by === 'cli', JSON.stringify(f));

        // Frozen: add and remove refused, release again refused.
        for (const args of [['form', 'add', 'A', 'I.C-11'], ['form', 'remove', 'A', 'I.C-1'], ['form', 'release', 'A']]) {
            r = await cli(args, { db: d.db });
            assert.equal(r.code, 1, `${args.join(' ')}: ${show(r)}`);
            assert.match(r.stderr, /The form A is released: its items are frozen/);
        }
        assert.equal((await showForm(d.db, 'A')).items.length, 102);

        // Refusals with reasons: an unknown item, an item twice, a duplicate code, bad slots.
        await ok(['form', 'create', 'B', '--title', 'Form B'], d.db);
        r = await cli(['form', 'add', 'B', 'I.A-1', 'NO-SUCH'], { db: d.db });
        assert.equal(r.code, 1, show(r));
        assert.match(r.stderr, /The bank has no item "NO-SUCH"/);
        assert.equal((await showForm(d.db, 'B')).items.length, 0, 'all or nothing');
        await ok(['form', 'add', 'B', 'I.A-1'], d.db);
        r = await cli(['form', 'add', 'B', 'I.A-1'], { db: d.db });
        assert.equal(r.code, 1, show(r));
        assert.match(r.stderr, /already on the form/);
        r = await cli(['form', 'create', 'B', '--title', 'Again'], { db: d.db });
        assert.equal(r.code, 1, show(r));
        assert.match(r.stderr, /already a form with the code B/);
        r = await cli(['form', 'create', 'C', '--title', 'C', '--pretest', '-1'], { db: d.db });
        assert.equal(r.code, 1, show(r));
        assert.match(r.stderr, /Pretest slots are a whole number from 0 to 50/);
        r = await cli(['form', 'show', 'NOPE'], { db: d.db });
        assert.equal(r.code, 1, show(r));
        assert.match(r.stderr, /no exam form "NOPE"/);

        // Usage: exit 2.
        for (const args of [['form'], ['form', 'frobnicate', 'A'], ['form', 'create', 'X'], ['form', 'add', 'A'], ['form', 'show'], ['form', 'list', 'x'], ['form', 'release', 'A', '--pretest', '2']]) {
            r = await cli(args, { db: d.db });
            assert.equal(r.code, 2, `${args.join(' ')}: ${show(r)}`);
        }

        // The list.
        const forms = JSON.parse((await ok(['form', 'list', '--json'], d.db)).stdout);
        assert.deepEqual(forms.map((x) => [x.code, x.status, x.scored, x.pretest]), [['A', 'released', 100, 2], ['B', 'draft', 1, 0]]);

        // Options also as --name=value.
        r = await ok(['form', 'create', 'Z', '--title=Zed form', '--pretest=3'], d.db);
        assert.match(r.stdout, /form Z created \(draft, 3 pretest slots\)/);

        // Retire: a released form is retired once.
        await ok(['form', 'retire', 'A'], d.db);
        r = await cli(['form', 'retire', 'A'], { db: d.db });
        assert.equal(r.code, 1, show(r));
        assert.match(r.stderr, /already retired/);

        // The race: release a right form while another process adds the enemy of one of its
        // items. Whatever the order, exactly one of them succeeds, and a released form never
        // holds two enemies.
        const right = [...exact().filter((id) => id !== 'III.D-1'), 'III.D-8'];
        const outcomes = new Set();
        for (let round = 0; round < 4; round++) {
            const code = `R${round}`;
            await ok(['form', 'create', code, '--title', `Race ${round}`], d.db);
            await ok(['form', 'add', code, ...right], d.db);
            assert.equal((await showForm(d.db, code)).check.ok, true);
            const [rel, add] = await Promise.all([
                cli(['form', 'release', code], { db: d.db }),
                cli(['form', 'add', code, 'III.D-1'], { db: d.db }),
            ]);
            assert.equal((rel.code === 0) + (add.code === 0), 1, `one of them: ${show(rel)}\n${show(add)}`);
            f = await showForm(d.db, code);
            if (f.status === 'released') {
                assert.equal(rel.code, 0);
                assert.deepEqual(f.check.enemies, []);
                assert.match(add.stderr, /frozen/, show(add));
                outcomes.add('release first');
            } else {
                assert.equal(add.code, 0, show(add));
                assert.deepEqual(f.check.enemies, [['I.A-1', 'III.D-1']]);
                assert.match(rel.stderr, /Enemy items cannot be on one form/, show(rel));
                outcomes.add('add first');
            }
        }
        console.log(`# race outcomes seen: ${[...outcomes].join(', ')}`);

        // Every change audited as form.*.
        const actions = sql(d.db, "SELECT action FROM audit_log WHERE action LIKE 'form.%' ORDER BY id").trim().split('\n');
        for (const a of ['form.create', 'form.add', 'form.remove', 'form.release', 'form.retire']) assert.ok(actions.includes(a), `${a} in ${actions.join(' ')}`);
        const releasedRaces = (await Promise.all([0, 1, 2, 3].map(async (i) => (await showForm(d.db, `R${i}`)).status))).filter((st) => st === 'released').length;
        assert.equal(actions.filter((a) => a === 'form.release').length, 1 + releasedRaces, 'one audit entry per release');
    } finally {
        await d.drop();
    }
});

test('the pages: an examiner lists, makes and fills a form, sees the check recomputed and the release refused with the reason; everyone else gets 404', { timeout: 300000 }, async () => {
    await withServer({}, async (ctx) => {
        // A small bank: two operational items (I.A, II.B) that are enemies, one pretest item.
        await ok(['bank', 'import', packageOf(dir, 'pages.zip', ['W-1', 'W-2', 'W-3'])], ctx.db);
        for (const [id, skill, to] of [['W-1', 'I.A', 'operational'], ['W-2', 'II.B;I.A', 'operational'], ['W-3', 'III.C', 'pretest']]) {
            await ok(['bank', 'tag', id, '--skills', skill, '--level', 'recall'], ctx.db);
            for (const st of ['review', 'pretest', 'operational']) {
                await ok(['bank', 'move', id, st], ctx.db);
                if (st === to) break;
            }
        }
        await ok(['bank', 'enemy', 'W-1', 'W-2'], ctx.db);
        await ctx.start();
        const ex = await ctx.signIn(ctx.w.people.examiner.email);
        const leader = await ctx.signIn(ctx.w.people.leader_a.email);
        const reviewer = await ctx.signIn(ctx.w.people.reviewer.email);

        // The dashboard leads an examiner to the forms, and nobody else.
        assert.match((await ex.get('/dashboard', { html: true })).text, /href="\/exam\/forms"/);
        assert.doesNotMatch((await leader.get('/dashboard', { html: true })).text, /href="\/exam\/forms"/);

        // The list, empty; a new form through the page's form (CSRF field), its title escaped.
        let r = await ex.get('/exam/forms', { html: true });
        assert.equal(r.status, 200, showRes(r));
        assert.match(r.text, /No form yet/);
        r = await ex.post('/exam/forms', { code: 'WEB-1', title: 'Spring <b>form</b>', pretest_slots: '1' }, { form: true, html: true });
        assert.equal(r.status, 303, showRes(r));
        assert.equal(r.headers.location, '/exam/forms/WEB-1?done=created');
        // Without the CSRF token: refused, nothing made.
        r = await ex.post('/exam/forms', { code: 'WEB-2', title: 'No token' }, { form: true, html: true, csrf: false });
        assert.equal(r.status, 403, showRes(r));
        // A bad code and no title: both fields named, what was typed kept.
        r = await ex.post('/exam/forms', { code: 'bad code!', title: '' }, { form: true, html: true });
        assert.equal(r.status, 400, showRes(r));
        assert.match(r.text, /id="form-code-error"/);
        assert.match(r.text, /id="form-title-error"/);
        assert.match(r.text, /value="bad code!"/);

        r = await ex.get('/exam/forms/WEB-1?done=created', { html: true });
        assert.equal(r.status, 200, showRes(r));
        assert.match(r.text, /Spring &lt;b&gt;form&lt;\/b&gt;/);
        assert.doesNotMatch(r.text, /<b>form<\/b>/);
        assert.match(r.text, /Scored items: <strong>0 of 100<\/strong>/);

        // Add by identifier: the check follows (W-2 counts toward II.B, its first skill).
        r = await ex.post('/exam/forms/WEB-1/act', { action: 'add', items: 'W-1, W-2', role: 'scored' }, { form: true, html: true });
        assert.equal(r.status, 303, showRes(r));
        r = await ex.post('/exam/forms/WEB-1/act', { action: 'add', items: 'W-3', role: 'pretest' }, { form: true, html: true });
        assert.equal(r.status, 303, showRes(r));
        r = await ex.get('/exam/forms/WEB-1');
        assert.equal(r.status, 200, showRes(r));
        assert.equal(r.json.check.scored, 2);
        assert.equal(r.json.check.pretest, 1);
        assert.deepEqual(r.json.check.skills.filter((s) => s.have > 0).map((s) => [s.code, s.have, s.required]), [['I.A', 1, 15], ['II.B', 1, 9]]);
        assert.deepEqual(r.json.check.enemies, [['W-1', 'W-2']]);
        r = await ex.get('/exam/forms/WEB-1', { html: true });
        assert.match(r.text, /Scored items: <strong>2 of 100<\/strong>/);
        assert.match(r.text, /<h3 id="skill-II.B">II.B: 1 of 9/);
        assert.match(r.text, /<li>W-1 and W-2<\/li>/);
        assert.match(r.text, /The release is refused while any check above fails/);

        // An unknown identifier: refused beside the field, nothing added.
        r = await ex.post('/exam/forms/WEB-1/act', { action: 'add', items: 'NOPE-9', role: 'scored' }, { form: true, html: true });
        assert.equal(r.status, 400, showRes(r));
        assert.match(r.text, /id="add-items-error"/);
        assert.match(r.text, /The bank has no item &quot;NOPE-9&quot;|The bank has no item "NOPE-9"/);

        // Release: refused with the failing checks (409), the form stays a draft.
        r = await ex.post('/exam/forms/WEB-1/act', { action: 'release' }, { form: true, html: true });
        assert.equal(r.status, 409, showRes(r));
        assert.match(r.text, /The form cannot be released/);
        r = await ex.post('/exam/forms/WEB-1/act', { action: 'release' });
        assert.equal(r.status, 409, showRes(r));
        assert.match(r.json.error.message, /I\.A has 1 scored item; the blueprint asks for 15: add 14\./);
        assert.match(r.json.error.message, /Enemy items cannot be on one form: W-1 and W-2\./);

        // Remove: the check follows again.
        r = await ex.post('/exam/forms/WEB-1/act', { action: 'remove', item: 'W-2' }, { form: true, html: true });
        assert.equal(r.status, 303, showRes(r));
        r = await ex.get('/exam/forms/WEB-1');
        assert.equal(r.json.check.scored, 1);
        assert.deepEqual(r.json.check.enemies, []);
        assert.equal(r.json.status, 'draft');

        // The list shows it.
        r = await ex.get('/exam/forms');
        assert.deepEqual(r.json.forms.map((f) => [f.code, f.status, f.scored, f.pretest]), [['WEB-1', 'draft', 1, 1]]);

        // Everyone but examiners (and program administrators): 404, nothing changed.
        for (const [who, jar] of [['leader', leader], ['reviewer', reviewer]]) {
            for (const p of ['/exam/forms', '/exam/forms/WEB-1']) {
                r = await jar.get(p, { html: true });
                assert.equal(r.status, 404, `${who} GET ${p}: ${showRes(r)}`);
                assert.doesNotMatch(r.text, /WEB-1|Spring/);
            }
            r = await jar.post('/exam/forms/WEB-1/act', { action: 'retire' }, { form: true, html: true });
            assert.equal(r.status, 404, `${who} retire: ${showRes(r)}`);
            r = await jar.post('/exam/forms', { code: 'X', title: 'X' }, { form: true, html: true });
            assert.equal(r.status, 404, `${who} create: ${showRes(r)}`);
        }
        assert.equal((await ex.get('/exam/forms/WEB-1')).json.status, 'draft');

        // At phone width: the page declares its viewport; the check's table (four short
        // columns) scrolls inside its box rather than the page; the list's table stacks.
        r = await ex.get('/exam/forms/WEB-1', { html: true });
        assert.match(r.text, /<meta name="viewport" content="width=device-width/);
        assert.match(r.text, /<div class="table-scroll">\s*<table>/);
        r = await ex.get('/exam/forms', { html: true });
        assert.match(r.text, /<table class="stack">/);
    });
});
