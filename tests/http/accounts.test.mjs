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
