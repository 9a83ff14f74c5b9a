// API tokens end with what should end them, and cannot manage sessions or tokens; password
// reset requests are throttled per account and per address (issue 6, fault 7).
//
// A token is a standing credential: when its owner changes the password, resets it, signs
// out everywhere or is disabled, every token of theirs stops working (and enabling the
// account again does not bring them back). A token may act for its owner, but making or
// revoking tokens, ending sessions and changing the password need a browser session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
    PASSWORD,
    withServer,
    bearerJar,
    linkToken,
    outbox,
    show,
} from './authhelp.mjs';

const NEW_PASSWORD = 'a brand new passphrase here';

async function makeToken(jar, name) {
    const r = await jar.post('/account/tokens', { name });
    assert.equal(r.status, 201, `POST /account/tokens: ${show(r)}`);
    return r.json;
}

async function works(ctx, token) {
    return (await bearerJar(ctx.url, token.token).get('/me')).status;
}

test('API tokens end with a password change, a reset, signing out everywhere and disabling', async () => {
    await withServer({}, async (ctx) => {
        await ctx.start();
        const me = ctx.w.people.district_admin_a;
        const admin = await ctx.signIn(ctx.w.people.program_admin.email);
        let jar = await ctx.signIn(me.email);

        // A password change.
        let t = await makeToken(jar, 'before the password change');
        assert.equal(await works(ctx, t), 200, 'a new token works');
        let r = await jar.post('/account/password', { current: PASSWORD, password: NEW_PASSWORD, password2: NEW_PASSWORD });
        assert.equal(r.status, 200, `password change: ${show(r)}`);
        assert.equal(await works(ctx, t), 401, 'the token after a password change');

        // A password reset.
        t = await makeToken(jar, 'before the reset');
        r = await ctx.jar().post('/reset', { email: me.email });
        assert.equal(r.status, 200, `POST /reset: ${show(r)}`);
        const link = await linkToken(ctx.db, 'reset', me.email);
        assert.ok(link, 'a reset link in the outbox');
        r = await ctx.jar().post(`/reset/${link}`, { password: PASSWORD, password2: PASSWORD });
        assert.equal(r.status, 200, `POST /reset/…: ${show(r)}`);
        assert.equal(await works(ctx, t), 401, 'the token after a password reset');

        // Signing out everywhere.
        jar = await ctx.signIn(me.email);
        t = await makeToken(jar, 'before signing out everywhere');
        const kept = await makeToken(admin, "someone else's");
        r = await jar.post('/account/logout-everywhere', {});
        assert.equal(r.status, 200, `logout-everywhere: ${show(r)}`);
        assert.equal(r.json.tokens_revoked, 1, JSON.stringify(r.json));
        assert.match(r.json.message, /API tokens have been revoked/);
        assert.equal(await works(ctx, t), 401, 'the token after signing out everywhere');
        assert.equal(await works(ctx, kept), 200, "another person's token is untouched");

        // Disabling, then enabling again.
        jar = await ctx.signIn(me.email);
        t = await makeToken(jar, 'before disabling');
        r = await admin.post(`/admin/people/${me.id}/disable`, {});
        assert.equal(r.status, 200, `disable: ${show(r)}`);
        assert.equal(await works(ctx, t), 401, 'the token of a disabled account');
        r = await admin.post(`/admin/people/${me.id}/enable`, {});
        assert.equal(r.status, 200, `enable: ${show(r)}`);
        assert.equal(await works(ctx, t), 401, 'the token stays ended after enabling');
        jar = await ctx.signIn(me.email);
        const listed = (await jar.get('/account')).json.tokens;
        assert.ok(listed.length >= 4 && listed.every((x) => x.revoked_at), `every token revoked: ${JSON.stringify(listed)}`);
        assert.equal(await works(ctx, await makeToken(jar, 'after enabling')), 200, 'a new token works');
    });
});

test('an API token cannot make or revoke tokens, end sessions, sign out everywhere or change the password', async () => {
    await withServer({}, async (ctx) => {
        await ctx.start();
        const me = ctx.w.people.district_admin_a;
        const jar = await ctx.signIn(me.email);
        const t = await makeToken(jar, 'all my roles');
        const other = await makeToken(jar, 'another');
        const bearer = bearerJar(ctx.url, t.token);
        const handle = (await jar.get('/account')).json.sessions[0]?.id;
        assert.ok(handle, 'a session handle on /account');

        for (const [p, body] of [
            ['/account/tokens', { name: 'minted by a token' }],
            [`/account/tokens/${other.id}/revoke`, {}],
            [`/account/sessions/${handle}/end`, {}],
            ['/account/logout-everywhere', {}],
            ['/account/password', { current: PASSWORD, password: NEW_PASSWORD, password2: NEW_PASSWORD }],
        ]) {
            const r = await bearer.post(p, body);
            assert.equal(r.status, 403, `POST ${p} with a token: ${show(r)}`);
            assert.match(r.json.error.message, /API token cannot .*Sign in with a browser/, p);
        }
        // Nothing changed: both tokens and the session still work, no third token.
        assert.equal(await works(ctx, t), 200);
        assert.equal(await works(ctx, other), 200);
        const acc = (await jar.get('/account')).json;
        assert.equal(acc.tokens.length, 2, 'no token made');
        assert.equal(acc.sessions.length, 1, 'the session is still there');
        // The token still acts for its owner otherwise.
        assert.equal((await bearer.get('/admin/people')).status, 200);
    });
});

test('password reset requests: throttled per account and per address, the same answer for any address', async () => {
    await withServer({}, async (ctx) => {
        await ctx.start();
        const known = ctx.w.people.leader_a.email;
        const anon = ctx.jar();
        const answers = new Set();

        // Per account: after 3 in the window nothing more is sent, and the answer stays the
        // same; the last link sent still works.
        for (let i = 0; i < 5; i++) {
            const r = await anon.post('/reset', { email: known });
            assert.equal(r.status, 200, `request ${i + 1} for a known address: ${show(r)}`);
            answers.add(r.json.message);
        }
        const mails = (await outbox(ctx.db)).filter((m) => m.kind === 'reset' && m.to_addr === known);
        assert.equal(mails.length, 3, `messages queued for one account: ${mails.length}`);
        const link = await linkToken(ctx.db, 'reset', known);
        assert.equal((await anon.get(`/reset/${link}`)).status, 200, 'the last link sent still works');
        // An address nobody has: the same answers, nothing sent.
        for (let i = 0; i < 5; i++) {
            const r = await anon.post('/reset', { email: 'nobody-at-all@example.org' });
            assert.equal(r.status, 200, `request ${i + 1} for an unknown address: ${show(r)}`);
            answers.add(r.json.message);
        }
        assert.equal(answers.size, 1, `one answer for every request: ${[...answers].join(' | ')}`);

        // Per address: 20 requests in the window, then 429 whatever the e-mail address.
        for (let i = 10; i < 20; i++) {
            const r = await anon.post('/reset', { email: `someone${i}@example.org` });
            assert.equal(r.status, 200, `request ${i + 1} from the address: ${show(r)}`);
        }
        const r = await anon.post('/reset', { email: ctx.w.people.leader_b.email });
        assert.equal(r.status, 429, `request 21 from one address: ${show(r)}`);
        assert.match(r.json.error.message, /There have been too many requests for a new password from your address\. Try again in \d+ minutes?\./);
        assert.equal((await outbox(ctx.db)).filter((m) => m.to_addr === ctx.w.people.leader_b.email && m.kind === 'reset').length, 0);
    });
});
