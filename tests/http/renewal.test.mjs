// Renewal and lapse (issue 8 point 6), with the clock moved by CTOFRAME_NOW: reminders at
// 180/90/30/7 days before expiry (each once, counted in the outbox), then expiring → expired →
// lapsed after the grace period; renewal at exactly 60 points, refused at 59 after a cap,
// across a leap day; one term from the old expiry; the audit sample holds a renewal for a
// reviewer, and a failed audit blocks it; decisions keep the rules version they used after the
// rules change. Credentials are inserted with SQL (cehelp.mjs): the issuing part is built
// elsewhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from './helper.mjs';
import { withServer, cli, outbox, show } from './authhelp.mjs';
import { sql, insertCredential, at, addDays, csvOf } from './cehelp.mjs';

function csvFile(text) {
    const dir = mkdtempSync(path.join(tmpdir(), 'ctoframe-renew-'));
    const f = path.join(dir, 'attendance.csv');
    writeFileSync(f, text);
    return f;
}

async function show_(db, number, day) {
    const r = await cli(['ce', 'show', number, '--json'], { db, env: at(day) });
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout);
}

async function tick(db, day) {
    const r = await cli(['tick', '--json'], { db, env: at(day) });
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout).tick;
}

const reminders = async (db, number) => (await outbox(db)).filter((m) => m.kind === 'credential_reminder' && m.subject.includes(number));

test('reminders at 180/90/30/7 days, each once; expiry, grace, lapse', { timeout: 240000 }, async () => {
    await withServer({}, async (ctx) => {
        await ctx.start();
        await ctx.stop(); // the CLI does the rest; no server tick in between
        const db = ctx.db;
        const holder = ctx.w.people.leader_a;
        const c = insertCredential(db, { person: holder.id, number: 'CETL-2026-000201', issued: '2026-03-01', expires: '2029-03-01' });
        const exp = '2029-03-01';

        const steps = [
            [addDays(exp, -181), 0, 'active'],
            [addDays(exp, -180), 1, 'expiring'],
            [addDays(exp, -180), 1, 'expiring'], // a second tick the same day sends nothing more
            [addDays(exp, -100), 1, 'expiring'],
            [addDays(exp, -90), 2, 'expiring'],
            [addDays(exp, -30), 3, 'expiring'],
            [addDays(exp, -29), 3, 'expiring'],
            [addDays(exp, -7), 4, 'expiring'],
            [exp, 4, 'expiring'],
            [addDays(exp, 1), 4, 'expired'],
            [addDays(exp, 90), 4, 'expired'],
            [addDays(exp, 91), 4, 'lapsed'],
            [addDays(exp, 400), 4, 'lapsed'],
        ];
        for (const [day, n, status] of steps) {
            await tick(db, day);
            const msgs = await reminders(db, c.number);
            assert.equal(msgs.length, n, `${day}: ${n} reminders`);
            assert.equal(sql(db, `SELECT status FROM credentials WHERE id = '${c.id}';`).trim(), status, `${day}: ${status}`);
        }
        const msgs = await reminders(db, c.number);
        assert.deepEqual(msgs.map((m) => Number(/in (\d+) days/.exec(m.body)[1])).sort((a, b) => b - a), [180, 90, 30, 7]);
        for (const m of msgs) {
            assert.equal(m.to_addr, holder.email);
            assert.match(m.body, /expires on 2029-03-01/);
            assert.match(m.body, /\/credentials\/CETL-2026-000201\/ce/);
        }
        // Every move is an event with the rules version, and on the audit trail.
        const ev = sql(db, `SELECT kind || ':' || to_status || ':' || rules_version FROM credential_events WHERE credential_id = '${c.id}' ORDER BY id;`).trim().split('\n');
        assert.deepEqual(ev, ['tick:expiring:1', 'tick:expired:1', 'tick:lapsed:1']);
        assert.equal(sql(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'credential.tick';").trim(), '3');
        // A lapsed credential cannot be renewed (the rules allow no reinstatement from lapse).
        const r = await cli(['ce', 'renew', c.number], { db, env: at(addDays(exp, 100)) });
        assert.equal(r.code, 1);
        assert.match(r.stderr, /lapsed/i);
    });
});

test('renewal at exactly 60 points, refused at 59 after a cap, across a leap day; audits; rule versions', { timeout: 240000 }, async () => {
    await withServer({ env: at('2030-06-01') }, async (ctx) => {
        await ctx.start();
        const db = ctx.db;
        const a = ctx.w.people.leader_a;
        const b = ctx.w.people.leader_b;
        // Issued on 29 February 2028: the term ends on 28 February 2031 (docs/internals/credential.md).
        const issued = '2028-02-29';
        const exp = '2031-02-28';
        const c60 = insertCredential(db, { person: a.id, number: 'CETL-2028-000301', issued, expires: exp });
        const c59 = insertCredential(db, { person: b.id, number: 'CETL-2028-000302', issued, expires: exp });
        const cAudit = insertCredential(db, { person: a.id, number: 'CETL-2028-000303', issued, expires: exp, audit: true });
        const cPass = insertCredential(db, { person: b.id, number: 'CETL-2028-000304', issued, expires: exp, audit: true });

        // By hand: 4 certifications earn 16 and count 12 (cap); 48 hours of pd count 48: 60.
        // With 47 hours: 59. The first activity is on the leap day itself, the term's first day.
        const rows = (n, hours) => [
            [n, 'certification', 'Cert 1', 'Body', '2028-02-29', '1', 'III.A'],
            [n, 'certification', 'Cert 2', 'Body', '2028-06-01', '1', 'I.C'],
            [n, 'certification', 'Cert 3', 'Body', '2029-01-10', '1', 'I.B'],
            [n, 'certification', 'Cert 4', 'Body', '2029-02-28', '1', 'III.A'],
            [n, 'pd', 'Academy', 'CoSN', '2029-09-01', hours, 'I.A;II.B'],
            // Before the term: earns nothing that counts.
            [n, 'pd', 'Old course', 'CoSN', '2028-02-28', '10', 'I.A'],
        ];
        const file = csvOf([...rows(c60.number, '48'), ...rows(c59.number, '47'), ...rows(cAudit.number, '48'), ...rows(cPass.number, '48')]);
        let res = await cli(['ce', 'import', csvFile(file)], { db, env: at('2030-06-01') });
        assert.equal(res.code, 0, res.stderr);

        let s = await show_(db, c60.number, '2030-06-01');
        assert.equal(s.points.counted, '60');
        assert.equal(s.points.required, '60');
        assert.deepEqual(s.points.categories.certification, { earned: '16', counted: '12' });
        s = await show_(db, c59.number, '2030-06-01');
        assert.equal(s.points.counted, '59');
        assert.equal(s.points.needed, '1');

        // 59: refused with what is missing, nothing changes.
        const holderB = await ctx.signIn(b.email);
        let r = await holderB.post(`/credentials/${c59.number}/renew`, {});
        assert.equal(r.status, 409, show(r));
        assert.match(r.json.error.message, /1 more points by 2031-02-28/);
        assert.equal(sql(db, `SELECT expires_on FROM credentials WHERE id = '${c59.id}';`).trim(), exp);
        // Someone else's credential: 404.
        r = await holderB.post(`/credentials/${c60.number}/renew`, {});
        assert.equal(r.status, 404, show(r));

        // 60: renewed, one term from the old expiry (28 Feb 2031 + 3 years).
        const holderA = await ctx.signIn(a.email);
        r = await holderA.post(`/credentials/${c60.number}/renew`, {});
        assert.equal(r.status, 200, show(r));
        assert.equal(r.json.result, 'renewed');
        assert.equal(r.json.expires_on, '2034-02-28');
        // The new term starts the day after the old expiry (core/credential.c cred_term_start).
        assert.equal(r.json.term_start, '2031-03-01');
        assert.equal(sql(db, `SELECT expires_on || ' ' || term_start FROM credentials WHERE id = '${c60.id}';`).trim(), '2034-02-28 2031-03-01');
        // Renewed once per term: a second renewal now is refused.
        r = await holderA.post(`/credentials/${c60.number}/renew`, {});
        assert.equal(r.status, 409, show(r));

        // The audit sample (deterministic per credential and term): the renewal waits.
        r = await holderA.post(`/credentials/${cAudit.number}/renew`, {});
        assert.equal(r.status, 202, show(r));
        assert.equal(r.json.result, 'audit');
        const auditId = r.json.audit;
        r = await holderA.post(`/credentials/${cAudit.number}/renew`, {});
        assert.equal(r.status, 409, 'it waits for the audit');
        const reviewer = await ctx.signIn(ctx.w.people.reviewer.email);
        r = await reviewer.get('/ce/review');
        assert.ok(r.json.audits.some((x) => x.id === auditId), show(r));
        r = await reviewer.post(`/ce/audits/${auditId}`, { decision: 'fail', reason: '' });
        assert.equal(r.status, 400, 'a failed audit needs a reason');
        r = await reviewer.post(`/ce/audits/${auditId}`, { decision: 'fail', reason: 'No evidence for the certifications.' });
        assert.equal(r.status, 200, show(r));
        assert.equal(sql(db, `SELECT expires_on FROM credentials WHERE id = '${cAudit.id}';`).trim(), exp, 'the rules say a failed audit blocks');
        r = await holderA.post(`/credentials/${cAudit.number}/renew`, {});
        assert.equal(r.status, 409, show(r));
        assert.match(r.json.error.message, /audit/);
        // A passed audit renews.
        const holderB2 = holderB;
        r = await holderB2.post(`/credentials/${cPass.number}/renew`, {});
        assert.equal(r.status, 202, show(r));
        r = await reviewer.post(`/ce/audits/${r.json.audit}`, { decision: 'pass' });
        assert.equal(r.status, 200, show(r));
        assert.equal(r.json.renewal.expires_on, '2034-02-28');

        // The rules change (version 2: certifications capped at 8). Old decisions keep version 1.
        const admin = await ctx.signIn(ctx.w.people.program_admin.email);
        const rules = JSON.parse(readFileSync(path.join(ROOT, 'data', 'programs', 'cetl.json'), 'utf8'));
        rules.ce.categories.find((x) => x.code === 'certification').cap = 8;
        r = await admin.post('/admin/programs/CETL', { rules, note: 'cap 8', base_version: 1 });
        assert.ok(r.status === 200 || r.status === 201 || r.status === 303, show(r));
        const renewEv = sql(db, `SELECT rules_version FROM credential_events WHERE credential_id = '${c60.id}' AND kind = 'renew';`).trim();
        assert.equal(renewEv, '1', 'the renewal keeps the version it used');
        assert.equal(sql(db, `SELECT DISTINCT rules_version FROM ce_activities WHERE credential_id = '${c59.id}';`).trim(), '1');
        // Under version 2, c59 counts 55 (cap 8), and a decision now records version 2.
        s = await show_(db, c59.number, '2030-06-01');
        assert.equal(s.points.categories.certification.counted, '8');
        r = await holderB.post(`/credentials/${c59.number}/ce`, { category: 'pd', title: 'Five more hours', completed_on: '2030-05-01', hours: '5', skills: ['II.A'] });
        assert.equal(r.status, 201, show(r));
        r = await reviewer.post(`/ce/review/${r.json.id}`, { decision: 'approve' });
        assert.equal(r.status, 200, show(r));
        assert.equal(sql(db, `SELECT rules_version FROM ce_activities WHERE title = 'Five more hours';`).trim(), '2');
        r = await holderB.post(`/credentials/${c59.number}/renew`, {});
        assert.equal(r.status, 200, show(r));
        assert.equal(r.json.rules_version, 2);
        assert.equal(sql(db, `SELECT rules_version FROM credential_events WHERE credential_id = '${c59.id}' AND kind = 'renew';`).trim(), '2');

        // The holder's page: the progress bar and the history.
        const page = await holderA.get(`/credentials/${c60.number}/ce`, { html: true });
        assert.equal(page.status, 200);
        assert.match(page.text, /<progress id="ce-progress"/);
        assert.match(page.text, /renew/);
    });
});

test('the exam passed again within the term renews without points (the results hook)', { timeout: 120000 }, async () => {
    await withServer({}, async (ctx) => {
        await ctx.start();
        await ctx.stop();
        const db = ctx.db;
        const a = ctx.w.people.leader_a;
        const c = insertCredential(db, { person: a.id, number: 'CETL-2026-000401', issued: '2026-03-01', expires: '2029-03-01' });
        let r = await cli(['ce', 'renew', c.number], { db, env: at('2028-12-01') });
        assert.equal(r.code, 1, 'no points, no exam: refused');
        assert.match(r.stderr, /60 more points by 2029-03-01/);
        // A passing sitting inserted as the results part will record it.
        sql(db, `INSERT INTO applications (id, program_id, person_id, status, created_at, updated_at)
                 VALUES ('app-401', (SELECT id FROM programs WHERE code = 'CETL'), '${a.id}', 'approved', '2028-01-01T00:00:00Z', '2028-01-01T00:00:00Z');
                 INSERT INTO authorizations (eligibility_id, application_id, person_id, program_id, rules_version, issued_on, expires_on, status, created_at)
                 VALUES ('ELIG-401', 'app-401', '${a.id}', (SELECT id FROM programs WHERE code = 'CETL'), 1, '2028-01-01', '2028-03-31', 'used', '2028-01-01T00:00:00Z');
                 INSERT INTO exam_results (eligibility_id, form, taken_on, scaled_score, passed, rules_version, created_at)
                 VALUES ('ELIG-401', 'A', '2028-02-15', 640, 1, 1, '2028-02-15T00:00:00Z');`);
        r = await cli(['ce', 'show', c.number, '--json'], { db, env: at('2028-12-01') });
        assert.equal(JSON.parse(r.stdout).renewal.by_exam, true, r.stdout);
        r = await cli(['ce', 'renew', c.number, '--json'], { db, env: at('2028-12-01') });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(JSON.parse(r.stdout).expires_on, '2032-03-01');
    });
});
