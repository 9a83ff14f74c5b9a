// One voice for every message (issue 7, point 9).
//
// 1. Every message the code gives people through the error setter (cf_error_set,
//    cf_error_also in src/lib/err.h) or render_error, in src/svc, src/web and src/cli, is a
//    sentence: it starts with a capital letter and ends with a period. The source is read
//    here, so a new message in another voice fails this test.
// 2. A form with one field at fault shows the message beside that field only; the summary
//    at the top says "Please correct the field marked below."; several fields are listed as
//    links to them; a message about no field on the page is said in the summary.
// 3. A wrong e-mail or password on /login sits beside the password, never the e-mail field.
// JSON errors keep their shape: {error: {code, message, field}}.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './helper.mjs';
import { withServer, tryLogin, show } from './authhelp.mjs';

// --- 1. the messages in the source ---------------------------------------------------------

const DIRS = ['src/svc', 'src/web', 'src/cli'];
// name → index of the message argument
const SETTERS = { cf_error_set: 3, cf_error_also: 2, render_error: 3 };

/** The arguments of the call whose "(" is at src[i], split at top-level commas. */
function callArgs(src, i) {
    let depth = 0;
    let cur = '';
    const out = [];
    for (let j = i; j < src.length; j++) {
        const c = src[j];
        if (c === '"' || c === "'") {
            let k = j + 1;
            while (src[k] !== c) k += src[k] === '\\' ? 2 : 1;
            cur += src.slice(j, k + 1);
            j = k;
            continue;
        }
        if (c === '/' && src[j + 1] === '*') {
            j = src.indexOf('*/', j) + 1;
            continue;
        }
        if (c === '(') {
            depth++;
            if (depth === 1) continue;
        }
        if (c === ')') {
            depth--;
            if (depth === 0) {
                out.push(cur.trim());
                return out;
            }
        }
        if (c === ',' && depth === 1) {
            out.push(cur.trim());
            cur = '';
            continue;
        }
        cur += c;
    }
    return null;
}

/**
 * The C string literals of an expression, adjacent ones joined: ["a" "b" ? "c"] → [ab, c].
 * Literals inside a call (the condition strcmp(kind, "setup") == 0) are not messages.
 */
function literals(expr) {
    const out = [];
    for (let prev = null; prev !== expr; ) {
        prev = expr;
        expr = expr.replace(/\w+\s*\((?:[^()"]|"(?:[^"\\]|\\.)*")*\)/g, '');
    }
    let cur = null;
    const re = /"((?:[^"\\]|\\.)*)"|([?:])/g;
    let m;
    while ((m = re.exec(expr))) {
        if (m[2]) {
            if (cur !== null) out.push(cur);
            cur = null;
        } else cur = (cur ?? '') + m[1].replace(/\\(.)/g, '$1');
    }
    if (cur !== null) out.push(cur);
    return out;
}

/** Every message the source gives people: [{where, text}] and the calls it cannot read. */
function messagesInSource() {
    const found = [];
    const unreadable = [];
    for (const dir of DIRS) {
        for (const f of readdirSync(path.join(ROOT, dir)).filter((x) => x.endsWith('.c'))) {
            const src = readFileSync(path.join(ROOT, dir, f), 'utf8');
            const consts = {};
            for (const m of src.matchAll(/static const char (\w+)\[\]\s*=\s*((?:\s*"(?:[^"\\]|\\.)*")+)\s*;/g))
                consts[m[1]] = literals(m[2])[0];
            const lineOf = (i) => src.slice(0, i).split('\n').length;
            for (const [name, at] of Object.entries(SETTERS)) {
                for (const m of src.matchAll(new RegExp(`\\b${name}\\s*\\(`, 'g'))) {
                    const before = src.slice(src.lastIndexOf('\n', m.index) + 1, m.index);
                    if (/\b(int|void|MHD_Result)\s+$/.test(before)) continue; // the definition
                    const args = callArgs(src, m.index + m[0].length - 1);
                    const where = `${dir}/${f}:${lineOf(m.index)}`;
                    if (!args || args.length <= at) {
                        unreadable.push(where);
                        continue;
                    }
                    let fmt = args[at];
                    if (/^\w+$/.test(fmt) && consts[fmt] !== undefined) fmt = JSON.stringify(consts[fmt]);
                    const lits = literals(fmt);
                    if (lits.length === 1 && lits[0] === '%s') {
                        // Passed on: another checked message, or literals / constants to check.
                        const arg = args[at + 1];
                        if (/(^|\W)(message|e\.message|e->message)$/.test(arg)) continue;
                        // A sentence built in a buffer by a helper (org.c delete_blocked): its
                        // wording is checked by the HTTP test that reads it.
                        if (/^(why|msg)$/.test(arg)) continue;
                        if (/^\w+$/.test(arg) && consts[arg] !== undefined) {
                            found.push({ where, text: consts[arg] });
                            continue;
                        }
                        const inner = literals(arg);
                        if (inner.length === 0) unreadable.push(`${where}: ${arg}`);
                        for (const t of inner.filter((x) => x !== '')) found.push({ where, text: t });
                        continue;
                    }
                    if (lits.length === 0) {
                        // A variable: its values are checked where they are set (below).
                        if (/^(why|r->bad|message|msg)$/.test(fmt)) continue;
                        unreadable.push(`${where}: ${fmt}`);
                        continue;
                    }
                    for (const t of lits) found.push({ where, text: t });
                }
            }
            // Messages kept in a variable first (the reason a request is refused).
            for (const m of src.matchAll(/(?:\*why|r->bad)\s*=\s*((?:\s*"(?:[^"\\]|\\.)*")+)\s*;/g))
                found.push({ where: `${dir}/${f}:${lineOf(m.index)}`, text: literals(m[1])[0] });
        }
    }
    return { found, unreadable };
}

test('every message the code gives people starts with a capital letter and ends with a period', () => {
    const { found, unreadable } = messagesInSource();
    assert.ok(found.length > 150, `the scan finds the messages (${found.length})`);
    assert.deepEqual(unreadable, [], 'every message can be read from the source');
    const bad = found.filter(({ text }) => !/^[A-Z]/.test(text) || !/\.$/.test(text));
    assert.deepEqual(
        bad.map((b) => `${b.where}: ${b.text}`),
        [],
        'messages in another voice',
    );
});

// --- 2 and 3: forms over HTTP ------------------------------------------------------------------

/** The summary box (role="alert") of a page, or null. */
function summary(html) {
    const m = /<div class="alert" role="alert">([\s\S]*?)<\/div>/.exec(html);
    return m ? m[1] : null;
}

/** The message beside the field with id `id`: the element its aria-describedby names. */
function besideField(html, id) {
    const input = new RegExp(`<(?:input|select|textarea)[^>]*\\bid="${id}"[^>]*>`).exec(html);
    assert.ok(input, `the page has the field #${id}`);
    const tag = input[0];
    const described = /aria-describedby="([^"]*)"/.exec(tag);
    return {
        invalid: /aria-invalid="true"/.test(tag),
        messages: (described ? described[1].split(/\s+/) : [])
            .map((ref) => new RegExp(`<p class="field-error" id="${ref}">([^<]*)</p>`).exec(html)?.[1])
            .filter(Boolean),
    };
}

const decode = (s) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>');

test('forms: one field, several fields, a message about the form; the sign-in message', { timeout: 120000 }, async (t) => {
    await withServer({}, async (ctx) => {
        await ctx.start();
        const w = ctx.w;
        const admin = await ctx.signIn(w.people.program_admin.email);

        await t.test('one field at fault: beside the field only, the summary points there', async () => {
            const body = { name: 'Someone New', email: w.people.leader_b.email, org: w.orgs.a, role: 'leader' };
            let r = await admin.post('/admin/people', body);
            assert.equal(r.status, 409, show(r));
            assert.deepEqual(Object.keys(r.json.error).sort(), ['code', 'field', 'message'], 'the JSON shape');
            assert.equal(r.json.error.field, 'email');
            const message = r.json.error.message;
            assert.match(message, /^[A-Z].*\.$/);
            r = await admin.post('/admin/people', body, { form: true, html: true });
            assert.equal(r.status, 409, show(r));
            const field = besideField(r.text, 'email');
            assert.ok(field.invalid, 'the e-mail field is marked aria-invalid');
            assert.deepEqual(field.messages.map(decode), [message], 'aria-describedby points at the message');
            const box = summary(r.text);
            assert.ok(box, 'a summary at the top');
            assert.ok(!decode(box).includes(message), 'the message is not repeated in the summary');
            assert.match(box, /<a href="#email">Please correct the field marked below\.<\/a>/);
            assert.equal((r.text.match(/aria-invalid="true"/g) || []).length, 1, 'no other field is marked');
            // A group of checkboxes at fault: marked too, and the message not repeated.
            r = await admin.post('/account/tokens', { name: 'Report', roles: 'examiner' }, { form: true, html: true });
            assert.equal(r.status, 400, show(r));
            assert.match(r.text, /name="roles" value="program_admin" aria-invalid="true" aria-describedby="token-roles-error"/);
            assert.match(summary(r.text), /<a href="#token-roles-error">Please correct the field marked below\.<\/a>/);
            assert.doesNotMatch(summary(r.text), /do not hold the role/);
        });

        await t.test('several fields at fault: the summary lists them, linked to the fields', async () => {
            const r = await admin.post('/admin/people', { name: '', email: 'not an address', org: w.orgs.a, role: 'leader' }, { form: true, html: true });
            assert.equal(r.status, 400, show(r));
            const box = summary(r.text);
            assert.match(box, /Please correct the fields marked below\./);
            const links = [...box.matchAll(/<li><a href="#([^"]+)">([^<]+)<\/a><\/li>/g)].map((m) => [m[1], decode(m[2])]);
            assert.deepEqual(links.map((l) => l[0]), ['name', 'email'], 'one link per field, in order');
            for (const [id, text] of links) {
                const field = besideField(r.text, id);
                assert.ok(field.invalid, `#${id} is marked`);
                assert.deepEqual(field.messages.map(decode), [text], `#${id}: the linked message is the one beside it`);
            }
            // A form whose inputs are not named like their fields links to the right ones.
            const acc = await admin.post('/account/password', { current: 'wrong', password: 'short', password2: 'other' }, { form: true, html: true });
            const accLinks = [...summary(acc.text).matchAll(/<a href="#([^"]+)">/g)].map((m) => m[1]);
            assert.deepEqual(accLinks, ['pw-current', 'pw-new', 'pw-again']);
            for (const id of accLinks) assert.ok(besideField(acc.text, id).invalid, `#${id}`);
        });

        await t.test('a message about the form as a whole is said in the summary', async () => {
            // The message names the field "status", which the person page has no place for:
            // the summary says it, so it is not lost.
            const me = w.people.program_admin.id;
            const r = await admin.post(`/admin/people/${me}/disable`, {}, { form: true, html: true });
            assert.equal(r.status, 409, show(r));
            const box = summary(r.text);
            assert.ok(box, show(r));
            assert.match(decode(box), /You cannot disable yourself\./);
            assert.doesNotMatch(box, /marked below/);
            assert.doesNotMatch(r.text, /aria-invalid="true"/);
        });

        await t.test('sign-in: the wrong e-mail or password message is beside the password only', async () => {
            const jar = ctx.jar();
            let r = await tryLogin(jar, w.people.leader_a.email, 'not the password');
            assert.equal(r.status, 401);
            assert.equal(r.json.error.field, 'password', 'JSON: the password field');
            const message = r.json.error.message;
            assert.match(message, /not right\. Check both and try again/);
            r = await jar.post('/login', { email: w.people.leader_a.email, password: 'not the password' }, { form: true, html: true });
            assert.equal(r.status, 401);
            const email = besideField(r.text, 'email');
            assert.equal(email.invalid, false, 'the e-mail field is not marked');
            assert.deepEqual(email.messages, [], 'nothing beside the e-mail field');
            const pw = besideField(r.text, 'password');
            assert.ok(pw.invalid);
            assert.deepEqual(pw.messages.map(decode), [message]);
            assert.ok(!decode(summary(r.text)).includes(message), 'not repeated in the summary');
            // The same for an address nobody has: nothing says which of the two was wrong.
            const r2 = await jar.post('/login', { email: 'nobody@example.org', password: 'not the password' }, { form: true, html: true });
            assert.deepEqual(besideField(r2.text, 'password').messages.map(decode), [message]);
            assert.equal(besideField(r2.text, 'email').invalid, false);
            // Too many: about the account and address as a whole, never one field.
            for (let i = 0; i < 5; i++) await tryLogin(jar, w.people.evaluator_a.email, `wrong ${i}`);
            r = await tryLogin(jar, w.people.evaluator_a.email, 'wrong again');
            assert.equal(r.status, 429, show(r));
            assert.equal(r.json.error.field, undefined, 'no field');
            r = await jar.post('/login', { email: w.people.evaluator_a.email, password: 'x' }, { form: true, html: true });
            assert.equal(r.status, 429);
            assert.match(decode(summary(r.text)), /There have been too many failed sign-ins for this account\. Try again in \d+ minutes?\./);
            assert.equal(besideField(r.text, 'email').invalid, false);
        });
    });
});
