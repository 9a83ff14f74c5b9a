// The printable evaluation report as a PDF (issue 9 point 4): GET /evaluations/{id}/report.pdf.
// A district administrator runs a blind review of leader A (self, the supervisor with an
// account, a peer by a one-time link); while it is open the report is refused (409, saying
// when it comes); outside the district it is 404; once closed the leader downloads a PDF
// whose text pdftotext reads: the title, the person, the skills, the numbers, the agreement's
// method and the comments on the core values, every page numbered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { withServer, linkToken, show } from './authhelp.mjs';

const missing = (...tools) => tools.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);

/** GET path with jar's cookies, the body as bytes: { status, headers, bytes }. */
async function getBytes(jar, p) {
    const res = await fetch(jar.base + p, { headers: { cookie: jar.cookieHeader(), accept: 'application/pdf' }, redirect: 'manual' });
    return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** The text pdftotext reads in bytes, every run of white space one space; and the page count. */
function pdfText(bytes) {
    const dir = mkdtempSync(path.join(tmpdir(), 'eval-report-'));
    try {
        const file = path.join(dir, 'report.pdf');
        writeFileSync(file, bytes);
        const t = spawnSync('pdftotext', ['-enc', 'UTF-8', file, '-']);
        assert.equal(t.status, 0, t.stderr.toString());
        const info = spawnSync('pdfinfo', [file]);
        assert.equal(info.status, 0, info.stderr.toString());
        const pages = Number(/^Pages:\s+(\d+)/m.exec(info.stdout.toString())[1]);
        const size = /^Page size:\s+612 x 792 pts/m.test(info.stdout.toString());
        return { text: t.stdout.toString('utf8').replace(/\s+/g, ' '), pages, letter: size };
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

test('the report PDF: 409 while open and blind, 404 outside, readable text once closed', { timeout: 180000 }, async (t) => {
    const gone = missing('pdftotext', 'pdfinfo');
    if (gone.length) return t.skip(`${gone.join(', ')} not installed (scripts/bootstrap test)`);
    await withServer({}, async (ctx) => {
        await ctx.start();
        const admin = await ctx.signIn(ctx.w.people.district_admin_a.email);
        const c = await admin.post('/evaluations', { subject: ctx.w.people.leader_a.id, purpose: 'annual', title: 'Annual review 2026 <&>' });
        assert.equal(c.status, 201, show(c));
        const id = c.json.id;
        for (const r of [
            { kind: 'self' },
            { kind: 'supervisor', name: 'Eve Evaluator', email: ctx.w.people.evaluator_a.email },
            { kind: 'peer', name: 'Pia Peer', email: 'pia.peer@elsewhere.example' },
        ]) {
            const a = await admin.post(`/evaluations/${id}/raters`, r);
            assert.equal(a.status, 200, `${r.kind}: ${show(a)}`);
        }
        const o = await admin.post(`/evaluations/${id}/act`, { action: 'open' });
        assert.equal(o.status, 200, show(o));

        // Everyone rates: self high, the supervisor and the peer apart, one value commented on.
        const leader = await ctx.signIn(ctx.w.people.leader_a.email);
        const view = (await leader.get(`/evaluations/${id}/rate`)).json;
        const items = view.skills.map((s) => s.item_id);
        const evaluator = await ctx.signIn(ctx.w.people.evaluator_a.email);
        const token = await linkToken(ctx.db, 'rate', 'pia.peer@elsewhere.example');
        const peer = ctx.jar();
        for (const [i, item] of items.entries()) {
            const a = await leader.post(`/evaluations/${id}/answer`, { item_id: item, level: 4, seq: 0 });
            assert.equal(a.status, 200, show(a));
            const b = await evaluator.post(`/evaluations/${id}/answer`, { item_id: item, level: 1 + (i % 4), seq: 0 });
            assert.equal(b.status, 200, show(b));
            const p = await peer.post(`/rate/${token}/answer`, { item_id: item, level: 1 + ((i + 1) % 4), seq: 0 });
            assert.equal(p.status, 200, show(p));
        }
        const vc = await evaluator.post(`/evaluations/${id}/answer`, { item_id: view.values[0].item_id, seq: 0, note: 'Keeps <every> promise & more.' });
        assert.equal(vc.status, 200, show(vc));

        // Open and blind: no results in view, so no report; the message says when it comes.
        for (const jar of [leader, evaluator]) {
            const r = await jar.get(`/evaluations/${id}/report.pdf`);
            assert.equal(r.status, 409, show(r));
            assert.match(r.json.error.message, /when the evaluation closes\.$/);
        }
        // Outside the district, or an evaluation that does not exist: 404.
        for (const who of ['leader_b', 'district_admin_b']) {
            const j = await ctx.signIn(ctx.w.people[who].email);
            assert.equal((await j.get(`/evaluations/${id}/report.pdf`)).status, 404, who);
        }
        assert.equal((await leader.get('/evaluations/00000000-0000-4000-8000-000000000000/report.pdf')).status, 404);

        // Closed: the leader downloads it.
        const closed = await admin.post(`/evaluations/${id}/act`, { action: 'close' });
        assert.equal(closed.status, 200, show(closed));
        const after = (await leader.get(`/evaluations/${id}`)).json;
        const r = await getBytes(leader, `/evaluations/${id}/report.pdf`);
        assert.equal(r.status, 200);
        assert.equal(r.headers.get('content-type'), 'application/pdf');
        assert.match(r.headers.get('content-disposition'), /attachment; filename="evaluation-annual-review-2026\.pdf"/);
        assert.equal(r.bytes.subarray(0, 5).toString('latin1'), '%PDF-');
        const { text, pages, letter } = pdfText(r.bytes);
        assert.ok(letter, 'US Letter portrait');
        assert.ok(text.includes('Annual review 2026 <&>'), text.slice(0, 500));
        assert.ok(text.includes(after.evaluation.subject_name), 'the person');
        const fw = (await leader.get('/frameworks')).json.frameworks.find((f) => f.identifier === after.evaluation.framework_doc);
        assert.ok(fw, 'the evaluation keeps a listed framework');
        assert.ok(text.includes(fw.title), `the framework by its title: ${fw.title}`);
        for (const s of after.results.skills) assert.ok(text.includes(s.code), s.code);
        const first = after.results.skills[0];
        assert.ok(text.includes(first.name), first.name);
        assert.ok(text.includes(first.others_mean.toFixed(2)), `others' mean ${first.others_mean}`);
        assert.ok(text.includes(after.results.overall_others.toFixed(2)), 'overall');
        assert.ok(text.includes(`${after.skills[0].weight_pct}%`), `the weight as the page shows it: ${after.skills[0].weight_pct}%`);
        assert.ok(text.includes(`No comments on ${after.values[1].name}`), 'values without comments named together');
        assert.ok(text.includes("Cohen's weighted kappa"), 'two raters besides self: kappa');
        assert.ok(text.includes('quadratic weights'), 'the form named');
        assert.ok(text.includes('Keeps <every> promise & more.'), 'the comment as typed');
        assert.ok(text.includes('Strengths') && text.includes('Gaps'));
        assert.ok(text.includes(`Page ${pages} of ${pages}`), `every page numbered (${pages})`);

        // The supervisor and the administrator may download it too.
        for (const jar of [evaluator, admin]) assert.equal((await getBytes(jar, `/evaluations/${id}/report.pdf`)).status, 200);
    });
});
