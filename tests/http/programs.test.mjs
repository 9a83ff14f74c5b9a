// Certification programs: the rules as data, shown and changed by program administrators.
// A new database gets data/programs/cetl.json as version 1; the page shows it readably;
// saving changed rules makes version 2 with an audit entry; bad rules are refused with the
// JSON path at fault and nothing is written; others get 403, unknown programs 404. The CLI
// imports, shows and exports versions, and refuses bad input with exit 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from './helper.mjs';
import { withServer, cli, show } from './authhelp.mjs';

const CETL = JSON.parse(readFileSync(path.join(ROOT, 'data', 'programs', 'cetl.json'), 'utf8'));
const clone = (o) => JSON.parse(JSON.stringify(o));

/** The hidden CSRF field and the textarea of a program page. */
function formOf(html) {
    const csrf = /name="csrf" value="([^"]+)"/.exec(html);
    const ta = /<textarea id="rules"[^>]*>([\s\S]*?)<\/textarea>/.exec(html);
    const dec = (s) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    return { csrf: csrf && csrf[1], rules: ta && dec(ta[1]) };
}

test('program admins see, change and version the program rules; others may not', { timeout: 120000 }, async () => {
    await withServer({}, async (ctx) => {
        await ctx.start();
        const admin = await ctx.signIn(ctx.w.people.program_admin.email);

        // The list and the shipped rules as version 1.
        let r = await admin.get('/admin/programs');
        assert.equal(r.status, 200, show(r));
        const cetl = r.json.programs.find((p) => p.code === 'CETL');
        assert.ok(cetl, `CETL is listed: ${show(r)}`);
        assert.equal(cetl.version, 1);
        r = await admin.get('/admin/programs/CETL');
        assert.equal(r.status, 200, show(r));
        assert.equal(r.json.version, 1);
        assert.deepEqual(r.json.rules, CETL);
        assert.equal(r.json.view.exam.cut, 600);
        assert.ok(r.json.view.ce.categories.some((c) => c.code === 'certification' && c.cap === '12 points per term'));
        assert.ok(r.json.view.assumed.some((a) => a.path === '$.grace_period_days'));

        // The page, readably: eligibility, exam, CE table, assumed marks, history.
        const page = await admin.get('/admin/programs/CETL', { html: true });
        assert.equal(page.status, 200);
        for (const s of ['Bachelor', '600', '4 points each', '20 points per term', 'assumed', 'Version 1', 'CETL-']) {
            assert.ok(page.text.includes(s), `the page shows ${s}`);
        }

        // Bad rules, as a form: 400, the path beside the textarea, the text kept, nothing written.
        const bad = clone(CETL);
        bad.ce.categories[2].cap = -1;
        bad.exam.cutt = 1;
        const f = formOf(page.text);
        assert.ok(f.csrf && f.rules, 'the page has the edit form');
        const badText = JSON.stringify(bad, null, 2);
        r = await admin.request('POST', '/admin/programs/CETL', {
            html: true, form: true, csrf: f.csrf, body: { rules: badText, note: 'typo', base_version: '1' },
        });
        assert.equal(r.status, 400, show(r));
        assert.match(r.text, /\$\.ce\.categories\[2\]\.cap<\/code>: must be a whole number of points ≥ 0/);
        assert.match(r.text, /\$\.exam\.cutt<\/code>: is not a known key/);
        assert.ok(formOf(r.text).rules.includes('"cutt"'), 'what was typed is kept');
        // A note too long: the message beside the note, not the rules.
        r = await admin.request('POST', '/admin/programs/CETL', {
            html: true, form: true, csrf: f.csrf, body: { rules: JSON.stringify(CETL), note: 'x'.repeat(501) },
        });
        assert.equal(r.status, 400, show(r));
        assert.match(r.text, /<p class="field-error" id="note-error">Shorten the note/);
        assert.doesNotMatch(r.text, /id="rules-error"/);
        // As JSON: the error names the first path.
        r = await admin.post('/admin/programs/CETL', { rules: bad });
        assert.equal(r.status, 400, show(r));
        assert.match(r.json.error.field, /^\$\./);
        r = await admin.post('/admin/programs/CETL', { rules: '{"format": 1,' });
        assert.equal(r.status, 400, show(r));
        assert.match(r.json.error.message, /not valid JSON/);
        // A score category the framework does not have (checked against the stored framework).
        const nocat = clone(CETL);
        nocat.exam.score_categories[0].code = 'IX';
        r = await admin.post('/admin/programs/CETL', { rules: nocat });
        assert.equal(r.status, 400, show(r));
        assert.equal(r.json.error.field, '$.exam.score_categories[0].code');
        // Another program's rules on this page.
        const other = clone(CETL);
        other.code = 'OTHER';
        r = await admin.post('/admin/programs/CETL', { rules: other });
        assert.equal(r.status, 400, show(r));
        assert.equal(r.json.error.field, '$.code');
        r = await admin.get('/admin/programs/CETL');
        assert.equal(r.json.version, 1, 'nothing was written');
        assert.equal(r.json.versions.length, 1);

        // A good change through the form: version 2, redirect, history, audit.
        const good = clone(CETL);
        good.grace_period_days = 60;
        r = await admin.request('POST', '/admin/programs/CETL', {
            html: true, form: true, csrf: f.csrf,
            body: { rules: JSON.stringify(good), note: 'Grace set by the committee', base_version: '1' },
        });
        assert.equal(r.status, 303, show(r));
        assert.equal(r.headers.location, '/admin/programs/CETL?done=saved');
        r = await admin.get('/admin/programs/CETL');
        assert.equal(r.json.version, 2);
        assert.equal(r.json.rules.grace_period_days, 60);
        assert.equal(r.json.note, 'Grace set by the committee');
        assert.equal(r.json.created_by, `user:${ctx.w.people.program_admin.id}`);
        assert.deepEqual(r.json.versions.map((v) => v.version), [2, 1]);
        // The old version stays as it was.
        r = await admin.get('/admin/programs/CETL?version=1');
        assert.equal(r.status, 200);
        assert.equal(r.json.rules.grace_period_days, 90);
        assert.equal(r.json.is_current, false);
        r = await admin.get('/admin/audit?action=program.save');
        assert.equal(r.status, 200, show(r));
        const entry = r.json.entries.find((e) => e.after && e.after.version === 2);
        assert.ok(entry, `an audit entry for version 2: ${show(r)}`);
        assert.equal(entry.object_id, 'CETL');
        assert.equal(entry.before.version, 1);
        assert.deepEqual(entry.after.changed, ['grace_period_days']);

        // Started from version 1 after version 2 was saved: refused, nothing written.
        r = await admin.post('/admin/programs/CETL', { rules: CETL, base_version: 1 });
        assert.equal(r.status, 409, show(r));
        // The same rules again: no new version.
        r = await admin.post('/admin/programs/CETL', { rules: good, base_version: 2 });
        assert.equal(r.status, 200, show(r));
        assert.equal(r.json.unchanged, true);
        r = await admin.get('/admin/programs/CETL');
        assert.equal(r.json.version, 2);

        // Unknown programs and versions: 404.
        assert.equal((await admin.get('/admin/programs/NOPE')).status, 404);
        assert.equal((await admin.get('/admin/programs/CETL?version=7')).status, 404);
        assert.equal((await admin.post('/admin/programs/NOPE', { rules: CETL })).status, 404);

        // Everyone else: 403 (signed in), 401 (anonymous); nothing written.
        for (const key of ['reviewer', 'examiner', 'district_admin_a', 'leader_a']) {
            const j = await ctx.signIn(ctx.w.people[key].email);
            assert.equal((await j.get('/admin/programs')).status, 403, key);
            assert.equal((await j.get('/admin/programs/CETL')).status, 403, key);
            assert.equal((await j.post('/admin/programs/CETL', { rules: good })).status, 403, key);
        }
        assert.equal((await ctx.jar().get('/admin/programs')).status, 401);
        // A POST without the CSRF token is refused.
        r = await admin.post('/admin/programs/CETL', { rules: CETL }, { csrf: false });
        assert.equal(r.status, 403, show(r));
        r = await admin.get('/admin/programs/CETL');
        assert.equal(r.json.version, 2);
    });
});

test('ctoframe program import, show and export', { timeout: 120000 }, async () => {
    await withServer({ world: false }, async (ctx) => {
        const dir = mkdtempSync(path.join(tmpdir(), 'ctoframe-prog-'));
        try {
            const db = ctx.db;
            // A second program in the same format: nothing is CETL-only.
            const other = clone(CETL);
            other.code = 'K12NE';
            other.name = 'K-12 Network Engineer';
            other.exam.scale = { min: 100, max: 500 };
            other.exam.cut = 350;
            other.credential_number = { prefix: 'NE', sequence_digits: 4 };
            other.ce.categories = [{ code: 'lab', label: 'Lab hours', value: { points: 2, per: 'hour' }, cap: 10 }];
            other.assumed = ['$.exam.cut'];
            const file = path.join(dir, 'ne.json');
            writeFileSync(file, JSON.stringify(other));
            let r = await cli(['program', 'import', file, '--note', 'first'], { db });
            assert.equal(r.code, 0, r.stderr);
            assert.equal(r.stdout.trim(), 'K12NE 1');
            r = await cli(['program', 'list'], { db });
            assert.equal(r.code, 0, r.stderr);
            assert.match(r.stdout, /K12NE\s+v1\s+K-12 Network Engineer/);
            r = await cli(['program', 'show', 'K12NE'], { db });
            assert.equal(r.code, 0, r.stderr);
            assert.match(r.stdout, /pass at 350/);
            assert.match(r.stdout, /NE-\d{4}-0123/);
            assert.match(r.stdout, /\$\.exam\.cut = 350/);

            // Bad input: exit 1, every problem with its path, nothing written.
            const bad = clone(other);
            bad.exam.cut = 900;
            bad.ce.categories[0].cap = 'many';
            writeFileSync(file, JSON.stringify(bad));
            r = await cli(['program', 'import', file], { db });
            assert.equal(r.code, 1, r.stderr);
            assert.match(r.stderr, /\$\.exam\.cut: must lie on the scale/);
            assert.match(r.stderr, /\$\.ce\.categories\[0\]\.cap: must be a whole number of points ≥ 0/);
            writeFileSync(file, '{"format": 1, "code": "K12NE"');
            r = await cli(['program', 'import', file], { db });
            assert.equal(r.code, 1);
            assert.match(r.stderr, /\$: is not valid JSON/);
            r = await cli(['program', 'show', 'K12NE', '--json'], { db });
            assert.equal(JSON.parse(r.stdout).version, 1, 'nothing was written');

            // A change: version 2; export of each version; show --version.
            other.grace_period_days = 30;
            writeFileSync(file, JSON.stringify(other));
            r = await cli(['program', 'import', file, '--note', 'shorter grace'], { db });
            assert.equal(r.code, 0, r.stderr);
            assert.equal(r.stdout.trim(), 'K12NE 2');
            r = await cli(['program', 'export', 'K12NE', '--version', '1'], { db });
            assert.equal(r.code, 0, r.stderr);
            assert.equal(JSON.parse(r.stdout).grace_period_days, CETL.grace_period_days);
            r = await cli(['program', 'export', 'K12NE'], { db });
            assert.deepEqual(JSON.parse(r.stdout), other);
            r = await cli(['program', 'show', 'K12NE', '--version', '1', '--json'], { db });
            const v1 = JSON.parse(r.stdout);
            assert.equal(v1.version, 1);
            assert.equal(v1.current_version, 2);
            assert.deepEqual(v1.versions.map((v) => v.note), ['shorter grace', 'first']);

            // Exported rules import again unchanged.
            writeFileSync(file, (await cli(['program', 'export', 'K12NE'], { db })).stdout);
            r = await cli(['program', 'import', file], { db });
            assert.equal(r.code, 0, r.stderr);
            assert.equal(r.stdout.trim(), 'K12NE 2');

            // Usage errors: exit 2; unknown program or version: exit 1.
            assert.equal((await cli(['program', 'show'], { db })).code, 2);
            assert.equal((await cli(['program', 'show', 'K12NE', '--version', 'x'], { db })).code, 2);
            assert.equal((await cli(['program', 'list', '--note', 'x'], { db })).code, 2);
            assert.equal((await cli(['program', 'show', 'NOPE'], { db })).code, 1);
            assert.equal((await cli(['program', 'export', 'K12NE', '--version', '9'], { db })).code, 1);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});

test('a new database gets the shipped programs; --no-load gets none', { timeout: 60000 }, async () => {
    await withServer({ world: false, args: ['--no-load'] }, async (ctx) => {
        await ctx.start();
        await ctx.stop();
        const r = await cli(['program', 'list', '--json'], { db: ctx.db });
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(JSON.parse(r.stdout), []);
    });
    await withServer({ world: false }, async (ctx) => {
        await ctx.start();
        assert.match(ctx.srv.stderr(), /loaded 1 programs from/);
        await ctx.stop();
        const r = await cli(['program', 'list', '--json'], { db: ctx.db });
        const list = JSON.parse(r.stdout);
        assert.deepEqual(list.map((p) => [p.code, p.version, p.updated_by]), [['CETL', 1, 'system']]);
    });
});
