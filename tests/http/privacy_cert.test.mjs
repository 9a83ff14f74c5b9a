// Privacy of the certification records (issue 8 with issue 7's export and erasure): a
// person's data export holds their applications (form, timeline, authorizations, supervisor),
// credentials (with events) and CE activities (evidence by name, type and size, never its
// bytes); erasing them withdraws what is still open, clears the application form, reasons,
// notes and the supervisor's details (the link stops working), rewrites the audit entries of
// their applications down to the decisions and drops stored certificates, while status, dates
// and ids stay; an organization named by a reviewer's conflict of interest is not deleted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withServer, linkToken, addOrg, show, Jar } from './authhelp.mjs';
import { sql, insertCredential } from './cehelp.mjs';

const NOW = '2026-06-01T12:00:00Z';
const WAIVER = {
    degree: 'none',
    institution: '',
    year: '',
    employment: [{ employer: 'Privacy District', title: 'Network manager', start: '2017-01-01', current: true, relevant: true }],
    waiver_request: 'I have run the network of Privacy District since 2017.',
    attestation: true,
    code_of_conduct: true,
    supervisor_name: 'Sally Supervisor',
    supervisor_email: 'sally.supervisor@district-b.example',
};
const PERSONAL = ['Privacy District', 'Network manager', 'since 2017', 'Sally Supervisor', 'sally.supervisor@', 'Superintendent', 'Runs a tidy network'];

test('export holds applications, credentials and CE; erasure keeps only the record of them', { timeout: 120000 }, async () => {
    await withServer({ env: { CTOFRAME_NOW: NOW } }, async (ctx) => {
        await ctx.start();
        const db = ctx.db;
        const who = ctx.w.people.leader_b;
        const cand = await ctx.signIn(who.email);
        const admin = await ctx.signIn(ctx.w.people.program_admin.email);

        // A waiver application, submitted and signed by the supervisor.
        let r = await cand.post('/apply', WAIVER);
        assert.equal(r.status, 200, show(r));
        r = await cand.post('/apply', { ...WAIVER, submit: true });
        assert.equal(r.json.status, 'submitted', show(r));
        const app = r.json.id;
        const token = await linkToken(db, 'supervisor', WAIVER.supervisor_email);
        assert.ok(token, 'the supervisor got a link');
        const anon = new Jar(ctx.url);
        r = await anon.post(`/supervisor/${token}`, { name: 'Sally Supervisor', title: 'Superintendent', statement: 'Runs a tidy network.', recommend: 'on' });
        assert.equal(r.status, 200, show(r));

        // A credential (made with SQL, as the CE tests do) with a stored certificate, and an
        // activity with an evidence file.
        const cred = insertCredential(db, { person: who.id, number: 'CETL-2026-000901', issued: '2026-03-01', expires: '2029-03-01' });
        sql(db, `INSERT INTO certificates (credential_id, pdf, size, rendered_for, rendered_at) VALUES ('${cred.id}', 'JVBERi0xLjQK', 9, 'old', '${NOW}');`);
        const b = '----ctoframe-privacy-boundary';
        const PDF = '%PDF-1.4\n% attendance of leader b\n%%EOF\n';
        const fields = { csrf: await cand.csrf(), category: 'pd', title: 'Privacy course', completed_on: '2026-05-10', hours: '2', skills: ['I.C'] };
        const parts = [];
        for (const [k, v] of Object.entries(fields)) {
            for (const x of Array.isArray(v) ? v : [v]) parts.push(`--${b}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${x}\r\n`);
        }
        parts.push(`--${b}\r\nContent-Disposition: form-data; name="evidence"; filename="attendance.pdf"\r\nContent-Type: application/pdf\r\n\r\n${PDF}\r\n`);
        r = await cand.request('POST', `/credentials/${cred.number}/ce`, {
            body: Buffer.from(parts.join('') + `--${b}--\r\n`),
            headers: { 'content-type': `multipart/form-data; boundary=${b}` },
            csrf: false,
        });
        assert.equal(r.status, 201, show(r));

        // The export: the application with its form, timeline and supervisor; the credential
        // with its events; the activity with its evidence's name and size, not its bytes.
        r = await cand.get('/account/export');
        assert.equal(r.status, 200, show(r));
        const x = r.json;
        assert.equal(x.applications.length, 1, show(r));
        const a = x.applications[0];
        assert.equal(a.id, app);
        assert.equal(a.status, 'submitted');
        assert.equal(a.data.employment[0].employer, 'Privacy District');
        assert.ok(a.timeline.some((e) => e.kind === 'submitted') && a.timeline.some((e) => e.kind === 'supervisor_signed'), show(r));
        assert.equal(a.supervisor.signer_title, 'Superintendent');
        assert.ok(!('token_hash' in a.supervisor), 'no link hash');
        assert.deepEqual(x.exam_results, [], 'no sitting yet');
        assert.deepEqual(x.credentials.map((c) => c.number), [cred.number]);
        assert.ok(Array.isArray(x.credentials[0].events));
        assert.equal(x.ce_activities.length, 1);
        const ce = x.ce_activities[0];
        assert.equal(ce.title, 'Privacy course');
        assert.equal(ce.credential_number, cred.number);
        assert.equal(ce.evidence_name, 'attendance.pdf');
        assert.equal(ce.evidence_size, Buffer.byteLength(PDF));
        assert.ok(!r.text.includes('attendance of leader b') && !r.text.includes(Buffer.from(PDF).toString('hex')), 'no evidence bytes');
        // The program administrator's export of them says the same.
        r = await admin.get(`/admin/people/${who.id}/export`);
        assert.equal(r.status, 200, show(r));
        assert.equal(r.json.applications[0].id, app);
        assert.equal(r.json.ce_activities.length, 1);

        // Erased: the open application is withdrawn, its form and the supervisor's details
        // are gone, the link no longer works, the certificate is dropped.
        r = await admin.post(`/admin/people/${who.id}/erase`, { confirm: who.email });
        assert.equal(r.status, 200, show(r));
        const row = sql(db, `SELECT status || '|' || data || '|' || COALESCE(submitted_at, '') || '|' || COALESCE(path, '') FROM applications WHERE id = '${app}';`).trim().split('|');
        assert.equal(row[0], 'withdrawn');
        assert.equal(row[1], '{}');
        assert.ok(row[2].length > 0, 'the dates stay');
        assert.ok(row[3].length > 0, 'the path stays');
        const events = sql(db, `SELECT kind || '|' || COALESCE(note, '') FROM application_events WHERE application_id = '${app}' ORDER BY id;`).trim().split('\n');
        assert.ok(events.includes('submitted|') && events.includes('supervisor_signed|'), events.join(';'));
        assert.equal(events.at(-1), 'withdrawn|The candidate was erased.');
        const sup = sql(db, `SELECT supervisor_name || '|' || supervisor_email || '|' || COALESCE(signer_name, '') || COALESCE(statement, '') || '|' || COALESCE(signed_at, '') FROM supervisor_recommendations WHERE application_id = '${app}';`).trim();
        assert.match(sup, /^\[erased\]\|\[erased\]\|\|\d{4}-/, 'the signature date stays');
        assert.equal((await anon.get(`/supervisor/${token}`)).status, 404, 'the link no longer works');
        assert.equal(sql(db, `SELECT COUNT(*) FROM certificates WHERE credential_id = '${cred.id}';`).trim(), '0');
        assert.equal(sql(db, `SELECT status FROM credentials WHERE id = '${cred.id}';`).trim(), 'active', 'the credential stays');

        // Nothing personal of the application is left in the database's rows about it: the
        // audit entries keep the decisions, the outbox the fact that a message went.
        const audit = sql(db, `SELECT COALESCE(before, '') || COALESCE(after, '') FROM audit_log WHERE object_id = '${app}';`);
        const mail = sql(db, `SELECT to_addr || subject || body FROM outbox WHERE kind = 'supervisor';`);
        for (const s of PERSONAL) {
            assert.ok(!audit.includes(s), `the audit entries hold no "${s}"`);
            assert.ok(!mail.includes(s), `the outbox holds no "${s}"`);
        }
        assert.match(audit, /"eligible"/, 'the decisions stay');
        const apps = sql(db, `SELECT data || COALESCE(reason, '') FROM applications WHERE person_id = '${who.id}';`);
        const notes = sql(db, `SELECT COALESCE(note, '') FROM application_events e JOIN applications a ON a.id = e.application_id WHERE a.person_id = '${who.id}';`);
        for (const s of PERSONAL) assert.ok(!apps.includes(s) && !notes.includes(s), `no "${s}" in the applications`);
    });
});

test('an organization named by a reviewer\'s conflict of interest is not deleted, and says why', { timeout: 120000 }, async () => {
    await withServer({}, async (ctx) => {
        await ctx.start();
        const admin = await ctx.signIn(ctx.w.people.program_admin.email);
        const rev = await ctx.signIn(ctx.w.people.reviewer.email);
        const school = await addOrg(ctx.db, 'Conflicted School', 'school', { parent: ctx.w.orgs.a });
        let r = await rev.post('/review/conflicts', { org: school, reason: 'I taught there.' });
        assert.ok(r.status === 200 || r.status === 201, show(r));
        r = await admin.post(`/admin/orgs/${school}/delete`, {});
        assert.equal(r.status, 409, show(r));
        assert.equal(r.json.error.message, "This organization still has 1 reviewer's conflict of interest declared with it. Move or remove them first.");
        assert.equal((await admin.get(`/admin/orgs/${school}`)).status, 200, 'still there');
        // The page says so before anyone tries.
        const html = (await admin.get(`/admin/orgs/${school}/delete`, { html: true })).text;
        assert.match(html, /still has 1 reviewer(&#39;|&#x27;|')s conflict of interest declared with it/);
    });
});
