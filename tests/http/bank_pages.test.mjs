// The item bank's pages (issue 10 point 1): the practice bank (data/bank/practice-items.json,
// imported with `ctoframe bank import`) browsed by an examiner: the list as JSON with its
// filters (status, skill, text) and pages checked against what the file itself holds; one
// item with its key marked and every rationale; the scenario sets; a move and a comment
// posted through the pages with their CSRF token; a move the workflow forbids refused with
// the rule's sentence and nothing written; every other signed-in user gets 404 for every
// bank page and never sees a key. Runs on SQLite and, with CTOFRAME_TEST_DB, on PostgreSQL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './helper.mjs';
import { cli, withServer, show } from './authhelp.mjs';
import { sql } from './cehelp.mjs';

const FILE = path.join(ROOT, 'data', 'bank', 'practice-items.json');
const BANK = JSON.parse(readFileSync(FILE, 'utf8'));
const PAGE = 50; // items per page (h_bank.c BANK_PAGE_SIZE)
const ids = (xs) => xs.map((x) => x.identifier);
const byId = (a, b) => (a.identifier < b.identifier ? -1 : a.identifier > b.identifier ? 1 : 0);
const sorted = [...BANK.items].sort(byId);

/** What our mustache writes for text (lib/mustache.c put_escaped). */
const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

async function ok(args, db) {
    const r = await cli(args, { db });
    assert.equal(r.code, 0, `${args.join(' ')}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
    return r;
}

/** The item's events and the audit entries of the bank: what a refused change must not add. */
const written = (db) => sql(db, "SELECT (SELECT COUNT(*) FROM bank_item_events) || ' ' || (SELECT COUNT(*) FROM audit_log WHERE action LIKE 'bank.%')").trim();

test('the bank pages: list, filters and pages, an item with its rationales, the sets, a move and a comment with CSRF, a forbidden move refused; 404 to everyone but examiners', { timeout: 300000 }, async () => {
    await withServer({}, async (ctx) => {
        await ok(['bank', 'import', FILE], ctx.db);
        // One item operational and on a form, to show the forms that carry it.
        const onForm = sorted.find((x) => x.skills.includes('II.A'));
        for (const to of ['review', 'pretest', 'operational']) await ok(['bank', 'move', onForm.identifier, to], ctx.db);
        await ok(['form', 'create', 'BANK-F1', '--title', 'Bank pages form'], ctx.db);
        await ok(['form', 'add', 'BANK-F1', onForm.identifier], ctx.db);
        await ctx.start();
        const ex = await ctx.signIn(ctx.w.people.examiner.email);
        const leader = await ctx.signIn(ctx.w.people.leader_a.email);
        const reviewer = await ctx.signIn(ctx.w.people.reviewer.email);

        // --- the list as JSON: the first page, the counts, no key in it.
        let r = await ex.get('/exam/bank');
        assert.equal(r.status, 200, show(r));
        assert.equal(r.json.total, BANK.items.length, JSON.stringify({ ...r.json, items: r.json.items.length }));
        assert.equal(r.json.all, BANK.items.length);
        assert.deepEqual(Object.fromEntries(r.json.counts.map((c) => [c.status, c.count])),
            { draft: BANK.items.length - 1, review: 0, pretest: 0, operational: 1, retired: 0 });
        assert.deepEqual(ids(r.json.items), ids(sorted.slice(0, PAGE)));
        const first = r.json.items[0];
        assert.deepEqual(first.skills, sorted[0].skills);
        assert.equal(first.cognitive, sorted[0].cognitive);
        assert.equal(first.stimulus, sorted[0].stimulus ?? null);
        assert.equal(first.version, 1);
        assert.equal(first.status, 'draft');
        assert.ok(!('correct' in first) && !('body' in first), JSON.stringify(first));

        // Paged in SQL: the last page holds the rest (161 = 3 * 50 + 11), past it none.
        const last = Math.ceil(BANK.items.length / PAGE);
        r = await ex.get(`/exam/bank?page=${last}`);
        assert.deepEqual(ids(r.json.items), ids(sorted.slice((last - 1) * PAGE)));
        assert.equal(r.json.offset, (last - 1) * PAGE);
        r = await ex.get(`/exam/bank?page=${last + 1}`);
        assert.equal(r.status, 200, show(r));
        assert.deepEqual(r.json.items, []);
        for (const bad of ['0', '-1', 'two', '1.5']) {
            r = await ex.get(`/exam/bank?page=${bad}`);
            assert.equal(r.status, 400, `page=${bad}: ${show(r)}`);
            assert.equal(r.json.error.field, 'page');
        }

        // Filters: a skill (matched whole: I.A never matches II.A or III.A), text in the
        // identifier or title (ASCII case ignored; '%' and '_' are plain characters), a status.
        const ia = sorted.filter((x) => x.skills.includes('I.A'));
        r = await ex.get('/exam/bank?skill=I.A');
        assert.deepEqual(ids(r.json.items), ids(ia).slice(0, PAGE));
        assert.equal(r.json.total, ia.length);
        assert.equal(r.json.counts.find((c) => c.status === 'draft').count, ia.length);
        const word = 'plan';
        const hits = sorted.filter((x) => (x.identifier + '\n' + x.title).toLowerCase().includes(word));
        assert.ok(hits.length > 0 && hits.length < BANK.items.length, `some titles hold "${word}"`);
        for (const q of [word, word.toUpperCase(), ` ${word}`]) {
            r = await ex.get(`/exam/bank?q=${encodeURIComponent(q)}`);
            assert.deepEqual(ids(r.json.items), ids(hits), `q=${q}`);
        }
        r = await ex.get('/exam/bank?q=cf-iib');
        assert.deepEqual(ids(r.json.items), ids(sorted.filter((x) => x.identifier.startsWith('CF-IIB'))));
        for (const q of ['%', '_', '!']) {
            r = await ex.get(`/exam/bank?q=${encodeURIComponent(q)}`);
            assert.deepEqual(ids(r.json.items), ids(sorted.filter((x) => (x.identifier + '\n' + x.title).includes(q))).slice(0, PAGE), `q=${q}`);
        }
        r = await ex.get(`/exam/bank?status=operational&skill=II.A&q=${encodeURIComponent(onForm.identifier.toLowerCase())}`);
        assert.deepEqual(ids(r.json.items), [onForm.identifier]);
        r = await ex.get('/exam/bank?status=review');
        assert.equal(r.json.total, 0);
        assert.deepEqual(r.json.items, []);
        r = await ex.get('/exam/bank?status=approved&skill=IV.Z');
        assert.equal(r.status, 400, show(r));
        r = await ex.get('/exam/bank?status=approved&skill=IV.Z', { html: true });
        assert.equal(r.status, 400, show(r));
        assert.match(r.text, /id="f-status-error"/);
        assert.match(r.text, /id="f-skill-error"/);

        // The list as a page: links to the items, the next page keeping the filter.
        r = await ex.get('/exam/bank', { html: true });
        assert.equal(r.status, 200, show(r));
        assert.match(r.text, new RegExp(`<a href="/exam/bank/${sorted[0].identifier}">${sorted[0].identifier}</a>`));
        assert.match(r.text, /<a href="\/exam\/bank\?page=2" rel="next">Next page<\/a>/);
        assert.match(r.text, /<table class="stack">/);
        r = await ex.get('/exam/bank?skill=I.A&page=1', { html: true });
        if (ia.length > PAGE) assert.match(r.text, /href="\/exam\/bank\?skill=I\.A&amp;page=2"/);
        assert.match(r.text, /<option value="I.A" selected>/);

        // --- one item: its key marked in words, every rationale, references, the stimulus.
        const it = sorted.find((x) => x.stimulus && x.choices.every((c) => c.rationale) && x.identifier !== onForm.identifier);
        const stim = BANK.stimuli.find((s) => s.identifier === it.stimulus);
        r = await ex.get(`/exam/bank/${it.identifier}`);
        assert.equal(r.status, 200, show(r));
        assert.deepEqual(r.json.body.choices.map((c) => [c.id, c.is_key]), it.choices.map((c) => [c.id, it.correct.includes(c.id)]));
        assert.deepEqual(r.json.body.choices.map((c) => c.rationale), it.choices.map((c) => c.rationale));
        assert.equal(r.json.stimulus.identifier, stim.identifier);
        assert.equal(r.json.stimulus.text, stim.text);
        assert.deepEqual(r.json.moves, [{ to: 'review', label: 'In review', note_required: false, checked: false }]);
        assert.deepEqual(r.json.forms, []);
        r = await ex.get(`/exam/bank/${it.identifier}`, { html: true });
        const key = it.choices.find((c) => it.correct.includes(c.id));
        assert.ok(r.text.includes(`<span class="choice-id">${key.id}.</span> ${esc(key.text)} <strong class="tag tag-key">The key</strong>`), 'the key marked in words');
        for (const c of it.choices) {
            assert.ok(r.text.includes(esc(c.rationale)), `rationale of ${c.id}`);
            if (!it.correct.includes(c.id)) assert.ok(r.text.includes(`${esc(c.text)} <strong class="tag">A distractor</strong>`), `distractor ${c.id}`);
        }
        for (const ref of it.references) assert.ok(r.text.includes(esc(ref)), ref);
        assert.ok(r.text.includes(esc(stim.text.split('\n')[0])), 'the stimulus');
        r = await ex.get(`/exam/bank/${onForm.identifier}`);
        assert.deepEqual(r.json.forms, [{ code: 'BANK-F1', title: 'Bank pages form', status: 'draft', role: 'scored' }]);
        assert.deepEqual(r.json.moves.map((m) => [m.to, m.note_required]), [['review', true], ['retired', true]]);
        r = await ex.get(`/exam/bank/${onForm.identifier}`, { html: true });
        assert.match(r.text, /<a href="\/exam\/forms\/BANK-F1">BANK-F1<\/a>/);
        // ... and back: the form's item row links to the item, the forms list to the bank.
        r = await ex.get('/exam/forms/BANK-F1', { html: true });
        assert.ok(r.text.includes(`<a href="/exam/bank/${onForm.identifier}">${onForm.identifier}</a>`));
        assert.match((await ex.get('/exam/forms', { html: true })).text, /href="\/exam\/bank"/);
        r = await ex.get('/exam/bank/NO-SUCH-ITEM');
        assert.equal(r.status, 404, show(r));
        assert.match(r.json.error.message, /The bank has no item "NO-SUCH-ITEM"\./);

        // --- the scenario sets: each stimulus with its items.
        r = await ex.get('/exam/bank/sets');
        assert.equal(r.status, 200, show(r));
        assert.deepEqual(ids(r.json.sets), ids([...BANK.stimuli].sort(byId)));
        for (const s of r.json.sets) {
            assert.equal(s.text, BANK.stimuli.find((x) => x.identifier === s.identifier).text);
            assert.deepEqual(ids(s.items), ids(sorted.filter((x) => x.stimulus === s.identifier)), s.identifier);
        }
        r = await ex.get('/exam/bank/sets', { html: true });
        assert.ok(r.text.includes(`<a href="/exam/bank/${it.identifier}">${it.identifier}</a>`));

        // --- a move through the page: without the CSRF token refused, nothing written.
        const path0 = `/exam/bank/${it.identifier}`;
        let before = written(ctx.db);
        r = await ex.post(`${path0}/move`, { to: 'review', note: 'Ready.' }, { form: true, html: true, csrf: false });
        assert.equal(r.status, 403, show(r));
        assert.equal(written(ctx.db), before);
        r = await ex.post(`${path0}/move`, { to: 'review', note: 'Ready for a second reader.' }, { form: true, html: true });
        assert.equal(r.status, 303, show(r));
        assert.equal(r.headers.location, `${path0}?done=moved#history-title`);
        r = await ex.get(path0);
        assert.equal(r.json.status, 'review');
        assert.deepEqual(r.json.events.at(-1), { ...r.json.events.at(-1), kind: 'status', from_status: 'draft', to_status: 'review', note: 'Ready for a second reader.' });
        assert.deepEqual(r.json.moves.map((m) => [m.to, m.note_required]), [['draft', true], ['pretest', false], ['retired', true]]);
        r = await ex.get(`${path0}?done=moved`, { html: true });
        assert.match(r.text, /The item is moved\./);
        assert.match(r.text, /<strong>Moved from draft to review\.<\/strong>/);
        assert.match(r.text, /Ready for a second reader\./);

        // A move the workflow forbids (review -> operational): 409 with the rule's sentence,
        // the choice and the note kept, nothing written.
        before = written(ctx.db);
        const rule = 'An item in review cannot move to operational: the workflow is draft, review, pretest, operational, retired (a reviewer may send it back a step).';
        r = await ex.post(`${path0}/move`, { to: 'operational', note: 'Skip ahead.' });
        assert.equal(r.status, 409, show(r));
        assert.equal(r.json.error.message, rule);
        assert.equal(r.json.error.field, 'status');
        r = await ex.post(`${path0}/move`, { to: 'operational', note: 'Skip ahead, please.' }, { form: true, html: true });
        assert.equal(r.status, 409, show(r));
        assert.ok(r.text.includes(esc(rule)), r.text.slice(0, 3000));
        assert.match(r.text, />Skip ahead, please\.<\/textarea>/);
        assert.match(r.text, /<a href="#move-to">Please correct the field marked below\.<\/a>/);
        assert.match(r.text, /<fieldset class="field" id="move-to"/);
        assert.equal(written(ctx.db), before, 'nothing written');
        assert.equal((await ex.get(path0)).json.status, 'review');
        // Sending it back needs a note: refused beside the field, nothing written.
        r = await ex.post(`${path0}/move`, { to: 'draft', note: '' }, { form: true, html: true });
        assert.equal(r.status, 400, show(r));
        assert.match(r.text, /id="move-note-error"/);
        assert.match(r.text, /<a href="#move-note">Please correct the field marked below\.<\/a>/);
        assert.match(r.text, /<input type="radio" id="move-draft" name="to" value="draft" checked/);
        assert.equal(written(ctx.db), before, 'nothing written');
        r = await ex.post(`${path0}/move`, { to: 'nowhere' });
        assert.equal(r.status, 400, show(r));
        assert.equal(written(ctx.db), before, 'nothing written');

        // A comment through the page, kept with its line break; an empty one refused.
        r = await ex.post(`${path0}/comment`, { text: 'Option B reads as a trick.\nRewrite it.' }, { form: true, html: true });
        assert.equal(r.status, 303, show(r));
        assert.equal(r.headers.location, `${path0}?done=commented#comments-title`);
        r = await ex.get(path0);
        assert.deepEqual(r.json.comments.map((c) => c.text), ['Option B reads as a trick.\nRewrite it.']);
        assert.equal(r.json.status, 'review', 'a comment does not move the item');
        before = written(ctx.db);
        r = await ex.post(`${path0}/comment`, { text: '   ' }, { form: true, html: true });
        assert.equal(r.status, 400, show(r));
        assert.match(r.text, /id="comment-text-error"/);
        assert.equal(written(ctx.db), before, 'nothing written');
        const audit = sql(ctx.db, "SELECT action FROM audit_log WHERE action LIKE 'bank.%' AND action <> 'bank.import' ORDER BY id").trim().split('\n');
        assert.deepEqual(audit.slice(-2), ['bank.move', 'bank.comment']);

        // --- everyone else: 404 for every bank page, nothing changed, no key anywhere.
        assert.match((await ex.get('/dashboard', { html: true })).text, /href="\/exam\/bank"/);
        const secrets = BANK.items.flatMap((x) => x.choices.filter((c) => c.rationale).map((c) => c.rationale));
        before = written(ctx.db);
        for (const [who, jar] of [['leader', leader], ['reviewer', reviewer]]) {
            const dash = await jar.get('/dashboard', { html: true });
            assert.equal(dash.status, 200);
            assert.doesNotMatch(dash.text, /href="\/exam\/bank"/);
            const pages = [dash.text];
            for (const p of ['/exam/bank', '/exam/bank?status=draft', '/exam/bank/sets', path0, `/exam/bank/${onForm.identifier}`, '/exam/bank/NO-SUCH-ITEM']) {
                for (const html of [true, false]) {
                    r = await jar.get(p, { html });
                    assert.equal(r.status, 404, `${who} GET ${p}: ${show(r)}`);
                    pages.push(r.text);
                }
            }
            r = await jar.post(`${path0}/move`, { to: 'pretest', note: 'x' }, { form: true, html: true });
            assert.equal(r.status, 404, `${who} move: ${show(r)}`);
            pages.push(r.text);
            r = await jar.post(`${path0}/comment`, { text: 'x' }, { form: true, html: true });
            assert.equal(r.status, 404, `${who} comment: ${show(r)}`);
            pages.push(r.text);
            for (const text of pages) {
                assert.doesNotMatch(text, new RegExp(it.identifier));
                for (const s of secrets) assert.ok(!text.includes(s) && !text.includes(esc(s)), `${who} saw a rationale`);
            }
        }
        assert.equal(written(ctx.db), before, 'nothing written by them');
        assert.equal((await ex.get(path0)).json.status, 'review');
    });
});
