// Accounts as a new user meets them (issue 7): a reset or an accepted invitation clears the
// sign-in failures of the old password; passwords are checked against NIST SP 800-63B
// (length, common and breached passwords, the person's own name and address) on every path
// that sets one; the person who invited someone can pass the link on when no mail server is
// set up; a message whose link was used or replaced is "no longer needed", not failed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
    PASSWORD,
    cli,
    cliOk,
    addUser,
    outbox,
    linkToken,
    tryLogin,
    withServer,
    show,
} from './authhelp.mjs';

const NEW = 'a brand new passphrase for spring';

// --- point 7: a reset clears the lock -----------------------------------------------------

test('locked out by 5 wrong passwords, a completed reset lets the new password in at once', async () => {
    await withServer({}, async (ctx) => {
        await ctx.start();
        const who = ctx.w.people.leader_a.email;
        const jar = ctx.jar();
        for (let i = 1; i <= 5; i++) {
            const r = await tryLogin(jar, who, `wrong password number ${i}`);
            assert.equal(r.status, 401, `failure ${i}: ${show(r)}`);
        }
        let r = await tryLogin(ctx.jar(), who, PASSWORD);
        assert.equal(r.status, 429, `locked: ${show(r)}`);

        r = await ctx.jar().post('/reset', { email: who });
        assert.equal(r.status, 200, show(r));
        const token = await linkToken(ctx.db, 'reset', who);
        assert.ok(token, 'a reset link in the outbox');
        r = await ctx.jar().post(`/reset/${token}`, { password: NEW, password2: NEW });
        assert.equal(r.status, 200, `reset: ${show(r)}`);

        r = await tryLogin(ctx.jar(), who, NEW);
        assert.equal(r.status, 200, `the new password right after the reset: ${show(r)}`);
    });
});

test('an invitation accepted after failed sign-ins with its address signs in at once', async () => {
    await withServer({}, async (ctx) => {
        await ctx.start();
        const email = 'new-invitee@example.org';
        await addUser(ctx.db, email, { name: 'Nia Invitee', role: 'leader', org: ctx.w.orgs.a, password: null });
        for (let i = 1; i <= 5; i++) await tryLogin(ctx.jar(), email, `guess number ${i} here`);
        const token = await linkToken(ctx.db, 'invite', email);
        let r = await ctx.jar().post(`/invite/${token}`, { password: NEW, password2: NEW });
        assert.equal(r.status, 200, `accept: ${show(r)}`);
        r = await tryLogin(ctx.jar(), email, NEW);
        assert.equal(r.status, 200, `sign-in right after accepting: ${show(r)}`);
    });
});

// --- point 8: NIST SP 800-63B on every path that sets a password ------------------------

/** A refusal of a weak password: 400 on "password", one sentence matching re. */
function refused(r, re, what) {
    assert.equal(r.status, 400, `${what}: ${show(r)}`);
    assert.equal(r.json?.error?.field, 'password', `${what}: the field at fault`);
    assert.match(r.json.error.message, re, what);
    assert.match(r.json.error.message, /^[A-Z].*\.$/, `${what}: one sentence`);
}

/** The HTML form's answer: the reason in the error beside the password field. */
function refusedHtml(r, re, what) {
    assert.equal(r.status, 400, `${what}: ${show(r)}`);
    const m = /<p class="field-error" id="(?:password|pw-new)-error">([^<]*)<\/p>\s*<input type="password" id="(?:password|pw-new)"/.exec(r.text);
    assert.ok(m, `${what}: an error right above the password field`);
    assert.match(m[1], re, what);
}

const STOLEN = /stolen from other sites/;
const REPEATED = /One character repeated/;
const OWN_NAME = /built from your name or e-mail address/;
const SHORT = /at least 10 characters/;

test('setup refuses a weak password and says why beside the field; nothing is made', async () => {
    await withServer({ world: false }, async (ctx) => {
        const srv = await ctx.start();
        let m = null;
        for (let i = 0; i < 150 && !m; i++) {
            m = /\/setup\/([A-Za-z0-9_-]{43})\b/.exec(srv.stdout());
            if (!m) await new Promise((res) => setTimeout(res, 20));
        }
        assert.ok(m, 'a setup link on stdout');
        const token = m[1];
        const jar = ctx.jar();
        const fields = { organization: 'Body', name: 'Ada Lovelace', email: 'ada@example.org' };
        refused(await jar.post(`/setup/${token}`, { ...fields, password: 'aaaaaaaaaa' }), REPEATED, 'aaaaaaaaaa');
        refused(await jar.post(`/setup/${token}`, { ...fields, password: 'Password123' }), STOLEN, 'Password123');
        refused(await jar.post(`/setup/${token}`, { ...fields, password: 'lovelace!1815' }), OWN_NAME, 'her name');
        refused(await jar.post(`/setup/${token}`, { ...fields, password: 'ada@example.org' }), OWN_NAME, 'her address');
        refused(await jar.post(`/setup/${token}`, { ...fields, password: 'ctoframe2026!' }), /name of this site/, 'the product');
        refusedHtml(
            await jar.post(`/setup/${token}`, { ...fields, password: 'qwertyuiop', password2: 'qwertyuiop' }, { form: true, html: true }),
            STOLEN,
            'the setup form',
        );
        assert.deepEqual(JSON.parse(await cliOk(['user', 'list', '--json'], { db: ctx.db })), [], 'nobody made');
        const r = await jar.post(`/setup/${token}`, { ...fields, password: 'analytical engine notes' });
        assert.equal(r.status, 200, show(r));
    });
});

test('an invitation, a reset and a password change refuse weak passwords and say why', async () => {
    await withServer({}, async (ctx) => {
        await ctx.start();
        // Invitation.
        const email = 'grace.hopper@example.org';
        await addUser(ctx.db, email, { name: 'Grace Hopper', role: 'leader', org: ctx.w.orgs.a, password: null });
        const inv = await linkToken(ctx.db, 'invite', email);
        const anon = ctx.jar();
        refused(await anon.post(`/invite/${inv}`, { password: 'iloveyou2024', password2: 'iloveyou2024' }), STOLEN, 'invite: listed');
        refused(await anon.post(`/invite/${inv}`, { password: 'GraceHopper1906', password2: 'GraceHopper1906' }), OWN_NAME, 'invite: her name');
        refused(await anon.post(`/invite/${inv}`, { password: 'grace.hopper', password2: 'grace.hopper' }), OWN_NAME, 'invite: her address');
        refused(await anon.post(`/invite/${inv}`, { password: 'short', password2: 'short' }), SHORT, 'invite: short');
        refusedHtml(
            await anon.post(`/invite/${inv}`, { password: '1234567890', password2: '1234567890' }, { form: true, html: true }),
            /consecutive characters/,
            'the invitation form',
        );
        let r = await anon.post(`/invite/${inv}`, { password: 'compiler in the navy', password2: 'compiler in the navy' });
        assert.equal(r.status, 200, `a good password is taken: ${show(r)}`);

        // Reset.
        const who = ctx.w.people.leader_a.email; // "leader-a person"
        await ctx.jar().post('/reset', { email: who });
        const rt = await linkToken(ctx.db, 'reset', who);
        refused(await anon.post(`/reset/${rt}`, { password: 'aaaaaaaaaa', password2: 'aaaaaaaaaa' }), REPEATED, 'reset: repeated');
        refused(await anon.post(`/reset/${rt}`, { password: 'leader-a 2026', password2: 'leader-a 2026' }), OWN_NAME, 'reset: e-mail');
        refusedHtml(
            await anon.post(`/reset/${rt}`, { password: 'football!!!!', password2: 'football!!!!' }, { form: true, html: true }),
            STOLEN,
            'the reset form',
        );
        assert.equal((await tryLogin(ctx.jar(), who, PASSWORD)).status, 200, 'the old password still works: nothing changed');

        // Password change.
        const jar = await ctx.signIn(ctx.w.people.evaluator_a.email);
        refused(
            await jar.post('/account/password', { current: PASSWORD, password: 'qwertyuiop123', password2: 'qwertyuiop123' }),
            STOLEN,
            'change: listed',
        );
        refused(
            await jar.post('/account/password', { current: PASSWORD, password: 'eval-a person', password2: 'eval-a person' }),
            OWN_NAME,
            'change: own name',
        );
        refusedHtml(
            await jar.post('/account/password', { current: PASSWORD, password: 'zzzzzzzzzzzz', password2: 'zzzzzzzzzzzz' }, { form: true, html: true }),
            REPEATED,
            'the account form',
        );
        r = await jar.post('/account/password', { current: PASSWORD, password: 'tea with the district', password2: 'tea with the district' });
        assert.equal(r.status, 200, `a good new password: ${show(r)}`);
    });
});

test('ctoframe user add --password-stdin refuses a weak password with the reason, adds nobody', async () => {
    await withServer({ world: true }, async (ctx) => {
        const args = ['user', 'add', 'weak@example.org', '--name', 'Wes Weak', '--role', 'leader', '--org', ctx.w.orgs.a, '--password-stdin'];
        for (const [pw, re] of [
            ['aaaaaaaaaa', REPEATED],
            ['password123', STOLEN],
            ['weak 2026!!', OWN_NAME],
        ]) {
            const r = await cli(args, { db: ctx.db, input: pw + '\n' });
            assert.notEqual(r.code, 0, `${pw}: refused`);
            assert.match(r.stderr, re, `${pw}: ${r.stderr}`);
        }
        const list = JSON.parse(await cliOk(['user', 'list', '--json'], { db: ctx.db }));
        assert.ok(!list.some((p) => p.email === 'weak@example.org'), 'nobody added');
        await cliOk(args, { db: ctx.db, input: 'a sound passphrase here\n' });
    });
});

// --- point 2: a message whose link was used or replaced is "no longer needed" ------------

test('the outbox shows a replaced or used invitation as no longer needed, not failed (page, JSON, CLI)', async () => {
    await withServer({}, async (ctx) => {
        await ctx.start();
        const email = 'ida.wells@example.org';
        const pid = await addUser(ctx.db, email, { name: 'Ida Wells', role: 'leader', org: ctx.w.orgs.a, password: null });
        const admin = await ctx.signIn(ctx.w.people.program_admin.email);
        // Invited again: the first message is replaced before it went out.
        let r = await admin.post(`/admin/people/${pid}/invite`, {});
        assert.equal(r.status, 200, show(r));
        // The second link is used before its message went out (passed on by hand).
        const token = await linkToken(ctx.db, 'invite', email);
        r = await ctx.jar().post(`/invite/${token}`, { password: NEW, password2: NEW });
        assert.equal(r.status, 200, show(r));

        r = await admin.get('/admin/outbox');
        assert.equal(r.status, 200, show(r));
        const mine = r.json.messages.filter((m) => m.to_addr === email);
        assert.equal(mine.length, 2, 'two invitations');
        for (const m of mine) {
            assert.equal(m.status, 'obsolete', `#${m.id}`);
            assert.equal(m.status_text, 'no longer needed', `#${m.id}`);
            assert.equal(m.can_retry, false, `#${m.id} is not sent again`);
        }
        r = await admin.get('/admin/outbox', { html: true });
        assert.equal(r.status, 200);
        assert.equal((r.text.match(/class="status status-obsolete">no longer needed</g) || []).length, 2, 'shown as no longer needed');
        assert.doesNotMatch(r.text, /status-failed|status-revoked/, 'nothing red');
        r = await admin.get('/admin/outbox?status=failed');
        assert.equal(r.json.messages.filter((m) => m.to_addr === email).length, 0, 'not among the failed');
        r = await admin.get('/admin/outbox?status=obsolete', { html: true });
        assert.equal(r.status, 200, show(r));
        assert.match(r.text, /aria-current="page">No longer needed</);

        const table = await cliOk(['outbox'], { db: ctx.db });
        const lines = table.split('\n').filter((l) => l.includes(email));
        assert.equal(lines.length, 2, table);
        for (const l of lines) assert.match(l, /no longer needed/);
        assert.doesNotMatch(table, /failed/);
        const json = JSON.parse(await cliOk(['outbox', '--status', 'obsolete', '--json'], { db: ctx.db }));
        assert.deepEqual(json.map((m) => [m.to_addr, m.status]), [[email, 'obsolete'], [email, 'obsolete']]);
        const show1 = await cliOk(['outbox', 'show', String(json[0].id)], { db: ctx.db });
        assert.match(show1, /^Status: no longer needed/m);
    });
});

// --- point 3: the person who invited passes the link on when no mail server is set up ------

/** POST /admin/people as the form does; resolves with the new person's page address. */
async function inviteByForm(jar, fields) {
    const r = await jar.post('/admin/people', fields, { form: true, html: true });
    assert.equal(r.status, 303, `invite: ${show(r)}`);
    assert.match(r.headers.location, /^\/admin\/people\/[0-9a-f-]{36}\?done=invited$/);
    return r.headers.location;
}

const linkOnPage = (html) => /<input type="text" id="invitation-link" value="([^"]+)"/.exec(html)?.[1];

test('no mail server: the district admin who invited sees and follows the link; other admins do not', async () => {
    await withServer({}, async (ctx) => {
        const a2 = 'dadmin-a2@example.org';
        await addUser(ctx.db, a2, { name: 'Second Admin', role: 'district_admin', org: ctx.w.orgs.a });
        await ctx.start();
        const da = await ctx.signIn(ctx.w.people.district_admin_a.email);
        const email = 'nora.teacher@example.org';
        const where = await inviteByForm(da, { email, name: 'Nora Teacher', org: ctx.w.orgs.a, role: 'leader' });
        const id = where.slice('/admin/people/'.length, where.indexOf('?'));

        let r = await da.get(where, { html: true });
        assert.equal(r.status, 200, show(r));
        assert.doesNotMatch(r.text, /href="\/admin\/outbox/, 'no link to the outbox, which answers 403 for a district admin');
        assert.equal((await da.get('/admin/outbox')).status, 403, 'the outbox is closed to them indeed');
        assert.match(r.text, /class="notice"[^>]*><p>This server sends no e-mail: copy the invitation link below/);
        const link = linkOnPage(r.text);
        const token = await linkToken(ctx.db, 'invite', email);
        assert.ok(token, 'the invitation is in the outbox');
        assert.equal(link, `${ctx.url}/invite/${token}`, 'the link shown is the invitation link');
        r = await da.get(`/admin/people/${id}`);
        assert.equal(r.json.invitation?.link, link, 'the JSON has it too');
        assert.ok(r.json.invitation.expires_at, 'and when it expires');
        r = await da.post('/admin/people', { email: 'json.client@example.org', name: 'Jay Son', org: ctx.w.orgs.a, role: 'leader' });
        assert.equal(r.status, 201, show(r));
        assert.equal(r.json.invitation?.link, `${ctx.url}/invite/${await linkToken(ctx.db, 'invite', 'json.client@example.org')}`, 'an API client gets the link in the answer');

        // Another district admin of the same district, the program admin (not the sender), another district.
        const other = await ctx.signIn(a2);
        r = await other.get(`/admin/people/${id}`, { html: true });
        assert.equal(r.status, 200, show(r));
        assert.equal(linkOnPage(r.text), undefined, 'another district admin does not see the link');
        assert.doesNotMatch(r.text, new RegExp(token), 'nor the token anywhere');
        assert.equal((await other.get(`/admin/people/${id}`)).json.invitation, undefined);
        r = await other.get(`${where}`, { html: true }); // the notice, as if they had invited
        assert.doesNotMatch(r.text, /href="\/admin\/outbox/);
        assert.match(r.text, /ask a program administrator to pass the invitation on/);
        const admin = await ctx.signIn(ctx.w.people.program_admin.email);
        r = await admin.get(where, { html: true });
        assert.equal(linkOnPage(r.text), undefined, 'the program admin did not send it');
        assert.match(r.text, /the invitation waits in the outbox.*<a href="\/admin\/outbox">Open the outbox\.<\/a>/, 'who can open the outbox is pointed there');
        assert.equal((await (await ctx.signIn(ctx.w.people.district_admin_b.email)).get(`/admin/people/${id}`)).status, 404);

        // The invitee follows the link passed on.
        const path = new URL(link).pathname;
        const invitee = ctx.jar();
        r = await invitee.get(path, { html: true });
        assert.equal(r.status, 200, show(r));
        r = await invitee.post(path, { password: NEW, password2: NEW });
        assert.equal(r.status, 200, show(r));
        r = await da.get(`/admin/people/${id}`);
        assert.equal(r.json.invitation, undefined, 'a used link is no longer shown');
    });
});

test('no mail server: a new invitation moves the link to whoever sent it; an expired one is not shown', async () => {
    await withServer({}, async (ctx) => {
        const a2 = 'dadmin-a2@example.org';
        await addUser(ctx.db, a2, { name: 'Second Admin', role: 'district_admin', org: ctx.w.orgs.a });
        await ctx.start();
        const da = await ctx.signIn(ctx.w.people.district_admin_a.email);
        const where = await inviteByForm(da, { email: 'omar.new@example.org', name: 'Omar New', org: ctx.w.orgs.a, role: 'leader' });
        const id = where.slice('/admin/people/'.length, where.indexOf('?'));
        const other = await ctx.signIn(a2);
        let r = await other.post(`/admin/people/${id}/invite`, {}, { form: true, html: true });
        assert.equal(r.status, 303, show(r));
        r = await other.get(r.headers.location, { html: true });
        const link = linkOnPage(r.text);
        assert.ok(link, 'the one who invited again sees the new link');
        assert.equal(link, `${ctx.url}/invite/${await linkToken(ctx.db, 'invite', 'omar.new@example.org')}`);
        r = await da.get(`/admin/people/${id}`, { html: true });
        assert.equal(linkOnPage(r.text), undefined, 'the replaced link is gone for the first sender');

        // Eight days later the link has expired: nothing to pass on.
        await ctx.start({ env: { CTOFRAME_NOW: new Date(Date.now() + 8 * 24 * 3600 * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') } });
        const again = await ctx.signIn(a2);
        r = await again.get(`/admin/people/${id}`);
        assert.equal(r.status, 200, show(r));
        assert.equal(r.json.invitation, undefined, 'an expired link is not shown');
    });
});

test('with a mail server the notice says the invitation was e-mailed and shows no link', async () => {
    await withServer({ args: ['--smtp', 'smtp://127.0.0.1:9'] }, async (ctx) => {
        await ctx.start();
        const da = await ctx.signIn(ctx.w.people.district_admin_a.email);
        const where = await inviteByForm(da, { email: 'pia.mail@example.org', name: 'Pia Mail', org: ctx.w.orgs.a, role: 'leader' });
        const r = await da.get(where, { html: true });
        assert.equal(r.status, 200, show(r));
        assert.match(r.text, /class="notice"[^>]*><p>The invitation has been e-mailed\./);
        assert.equal(linkOnPage(r.text), undefined);
        assert.doesNotMatch(r.text, /href="\/admin\/outbox/);
    });
});
