// Shared helpers for auth.test.mjs and matrix.test.mjs: a database a test owns (survives
// server restarts; SQLite file or a new PostgreSQL database when CTOFRAME_TEST_DB is set),
// the command line against it, a cookie-jar HTTP client, signing in, and a small world of
// organizations and people made through the CLI.
//
//   const d = await ownDb();                     // { db, drop() }
//   await cliOk(['org', 'add', 'Body', '--kind', 'body'], { db: d.db });
//   const srv = await startServer({ db: d.db, env: CHEAP });
//   const jar = await signIn(srv.url, 'a@x.org', PASSWORD);
//   const r = await jar.post('/account/tokens', { name: 't' });   // JSON, csrf added
//
// Passwords made by the CLI use CHEAP (CTOFRAME_ARGON2=t=1,m=8): start servers with the same
// env, or the first sign-in of each person rehashes at full cost.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import {
    request,
    startServer,
    serverBinary,
    isPostgresUrl,
    createPgDatabase,
    ROOT,
} from './helper.mjs';

export const CHEAP = { CTOFRAME_ARGON2: 't=1,m=8', CTOFRAME_QUIET: '1' };
export const PASSWORD = 'correct horse battery staple';

const SANITIZER_RE = /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|SUMMARY: UndefinedBehaviorSanitizer/;

// --- time ------------------------------------------------------------------------------

/** An instant as the server's clock wants it (no milliseconds): 2026-01-01T10:00:00Z. */
export function iso(ms) {
    return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A fixed instant to start a time-travelling test from (a whole minute, in the past). */
export function baseTime() {
    const t = Date.now() - 24 * 3600 * 1000;
    return t - (t % 60000);
}

export const MINUTE = 60 * 1000;
export const HOUR = 60 * MINUTE;

// --- databases -------------------------------------------------------------------------------

const temps = new Set();
process.on('exit', () => {
    for (const d of temps) rmSync(d, { recursive: true, force: true });
});

/** A database this test owns: { db, drop() } (a temp SQLite file or a new PG database). */
export async function ownDb() {
    const pgUrl = process.env.CTOFRAME_TEST_DB;
    if (isPostgresUrl(pgUrl)) {
        const pg = await createPgDatabase(pgUrl);
        return { db: pg.url, drop: () => pg.drop() };
    }
    const dir = mkdtempSync(path.join(tmpdir(), 'ctoframe-auth-'));
    temps.add(dir);
    return {
        db: path.join(dir, 'ctoframe.db'),
        async drop() {
            rmSync(dir, { recursive: true, force: true });
            temps.delete(dir);
        },
    };
}

// --- the command line --------------------------------------------------------------------------

function childEnv(extra) {
    const e = { ...process.env };
    delete e.CTOFRAME_DB;
    for (const [k, v] of Object.entries(extra)) {
        if (v === undefined) delete e[k];
        else e[k] = v;
    }
    return e;
}

/** Runs ctoframe ARGS --db DB; resolves { code, stdout, stderr }. */
export function cli(args, { db, env = {}, input } = {}) {
    const full = db ? [...args, '--db', db] : args;
    return new Promise((resolve) => {
        const child = execFile(
            serverBinary(),
            full,
            {
                cwd: ROOT,
                env: childEnv({ ...CHEAP, ...env }),
                timeout: 60000,
                maxBuffer: 64 * 1024 * 1024,
            },
            (err, stdout, stderr) => {
                resolve({
                    code: err ? (typeof err.code === 'number' ? err.code : -1) : 0,
                    stdout,
                    stderr,
                    args: full,
                });
            },
        );
        // A child that exits without reading its stdin makes this write fail with EPIPE;
        // its exit status tells what happened.
        child.stdin.on('error', () => {});
        child.stdin.end(input ?? '');
    });
}

/** cli() that must succeed (exit 0, no sanitizer report); resolves with stdout. */
export async function cliOk(args, opts = {}) {
    const r = await cli(args, opts);
    if (r.code !== 0 || SANITIZER_RE.test(r.stderr)) {
        throw new Error(`ctoframe ${r.args.join(' ')}: exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
    }
    return r.stdout;
}

/** cliOk() whose stdout is JSON. */
export async function cliJson(args, opts = {}) {
    return JSON.parse(await cliOk([...args, '--json'], opts));
}

/** `ctoframe org add` → the new organization's id. */
export async function addOrg(db, name, kind, { parent, nces, enrollment, env } = {}) {
    const args = ['org', 'add', name, '--kind', kind];
    if (parent) args.push('--parent', parent);
    if (nces) args.push('--nces', nces);
    if (enrollment !== undefined) args.push('--enrollment', String(enrollment));
    return (await cliOk(args, { db, env })).trim();
}

/**
 * `ctoframe user add` → the person's id. password: a string (active account, read from
 * stdin), or null (invited: the link is in the outbox).
 */
export async function addUser(db, email, { name, role, org, title, password = PASSWORD, env } = {}) {
    const args = ['user', 'add', email, '--name', name ?? email.split('@')[0], '--role', role, '--org', org];
    if (title !== undefined) args.push('--title', title);
    if (password !== null) args.push('--password-stdin');
    return (await cliOk(args, { db, env, input: password !== null ? password + '\n' : '' })).trim();
}

/** The outbox rows ([{id, kind, to_addr, subject, body, person_id, …}]). */
export async function outbox(db) {
    return JSON.parse(await cliOk(['outbox', '--json'], { db }));
}

/** The token of the last link /KIND/TOKEN in the outbox messages to `to` (or null). */
export async function linkToken(db, kind, to) {
    const rows = (await outbox(db)).filter((m) => !to || m.to_addr === to);
    let token = null;
    for (const m of rows.sort((a, b) => a.id - b.id)) {
        const found = [...m.body.matchAll(new RegExp(`/${kind}/([A-Za-z0-9_-]{43})\\b`, 'g'))];
        if (found.length) token = found[found.length - 1][1];
    }
    return token;
}

/** `ctoframe routes --json`. */
export async function routes() {
    return JSON.parse(await cliOk(['routes', '--json']));
}

/** A random token shaped like a link token (43 URL-safe base64 characters). */
export function fakeToken() {
    return randomBytes(32).toString('base64url');
}

// --- HTTP with cookies ---------------------------------------------------------------------

function parseSetCookie(line) {
    const parts = line.split(';').map((s) => s.trim());
    const eq = parts[0].indexOf('=');
    const name = parts[0].slice(0, eq);
    const value = parts[0].slice(eq + 1);
    const attrs = {};
    for (const p of parts.slice(1)) {
        const i = p.indexOf('=');
        const k = (i < 0 ? p : p.slice(0, i)).toLowerCase();
        attrs[k] = i < 0 ? true : p.slice(i + 1);
    }
    return { name, value, attrs, raw: line };
}

/** The Set-Cookie headers of a response, parsed: [{name, value, attrs, raw}]. */
export function setCookies(res) {
    const h = res.headers['set-cookie'];
    return (Array.isArray(h) ? h : h ? [h] : []).map(parseSetCookie);
}

/**
 * A client with its own cookies. Requests ask for JSON unless html: true. A body object is
 * sent as JSON, or as a form with form: true. csrf: true (default for POST) adds the token
 * this jar's cookies earn (GET /login as JSON), as the X-CSRF-Token header for JSON and the
 * csrf field for forms; csrf: 'value' sends that value; csrf: false sends none.
 */
export class Jar {
    constructor(base) {
        this.base = base;
        this.cookies = new Map();
        this.bearer = null;
    }

    /** A copy with the same cookies (another browser that stole them). */
    clone() {
        const j = new Jar(this.base);
        for (const [k, v] of this.cookies) j.cookies.set(k, v);
        j.bearer = this.bearer;
        return j;
    }

    get session() {
        return this.cookies.get('cf_session');
    }

    set session(v) {
        if (v === undefined || v === null) this.cookies.delete('cf_session');
        else this.cookies.set('cf_session', v);
    }

    cookieHeader() {
        return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    }

    remember(res) {
        for (const c of setCookies(res)) {
            if (c.value === '' || c.attrs['max-age'] === '0') this.cookies.delete(c.name);
            else this.cookies.set(c.name, c.value);
        }
    }

    /**
     * The CSRF token this jar's cookies earn (GET /login as JSON), remembered while the
     * cookie it is bound to (cf_session, else cf_pre) stays the same.
     */
    async csrf({ fresh = false } = {}) {
        const binding = () => this.cookies.get('cf_session') || 'pre:' + (this.cookies.get('cf_pre') || '');
        if (!fresh && this.csrfCache && this.csrfCache.binding === binding()) return this.csrfCache.token;
        const r = await this.request('GET', '/login');
        if (r.status !== 200 || !r.json || typeof r.json.csrf !== 'string') {
            throw new Error(`GET /login (JSON) gave no csrf: ${r.status} ${r.text.slice(0, 300)}`);
        }
        this.csrfCache = { binding: binding(), token: r.json.csrf };
        return r.json.csrf;
    }

    async request(method, p, { headers = {}, body, form = false, html = false, csrf, auth = true } = {}) {
        const h = { ...headers };
        if (!html && !Object.keys(h).some((k) => k.toLowerCase() === 'accept')) h.accept = 'application/json';
        if (html && !Object.keys(h).some((k) => k.toLowerCase() === 'accept')) h.accept = 'text/html';
        const wantCsrf =
            csrf === undefined ? method !== 'GET' && method !== 'HEAD' && !(auth && this.bearer) : csrf;
        let token = null;
        if (wantCsrf === true) token = await this.csrf();
        else if (typeof wantCsrf === 'string') token = wantCsrf;
        let payload = body;
        if (form) {
            const f = { ...(body || {}) };
            if (token !== null) f.csrf = token;
            const sp = new URLSearchParams();
            for (const [k, v] of Object.entries(f)) {
                if (Array.isArray(v)) for (const x of v) sp.append(k, x);
                else sp.append(k, v);
            }
            payload = sp.toString();
            h['content-type'] = 'application/x-www-form-urlencoded';
        } else if (token !== null) {
            h['x-csrf-token'] = token;
        }
        if (payload === undefined && method === 'POST' && !form) payload = {};
        const cookie = this.cookieHeader();
        if (cookie) h.cookie = cookie;
        if (auth && this.bearer) h.authorization = `Bearer ${this.bearer}`;
        const res = await request(this.base + p, { method, headers: h, body: payload });
        this.remember(res);
        return res;
    }

    get(p, opts = {}) {
        return this.request('GET', p, opts);
    }

    post(p, body, opts = {}) {
        return this.request('POST', p, { ...opts, body });
    }
}

/** A jar that authenticates with an API token (no cookies, no CSRF). */
export function bearerJar(base, token) {
    const j = new Jar(base);
    j.bearer = token;
    return j;
}

/** Signs in (JSON); resolves with the jar, or throws with the answer. */
export async function signIn(base, email, password = PASSWORD, jar = new Jar(base)) {
    const r = await jar.post('/login', { email, password });
    if (r.status !== 200 || !jar.session) {
        throw new Error(`sign-in of ${email} failed: ${r.status} ${r.text.slice(0, 300)}`);
    }
    return jar;
}

/** POST /login as JSON, whatever the outcome; resolves with the response. */
export async function tryLogin(jar, email, password) {
    return jar.post('/login', { email, password });
}

/** Short description of a response for assertion messages. */
export function show(r) {
    return `${r.status} ${r.headers?.['content-type'] || ''} ${String(r.text).slice(0, 400)}`;
}

// --- a world -----------------------------------------------------------------------------------

/**
 * Organizations and people for the permission tests (all active, password PASSWORD):
 *   body "Certification Body": program_admin, reviewer, examiner
 *   state "State" → district A (district_admin A, leader A, evaluator A, school A1)
 *                 → district B (district_admin B, leader B)
 * Resolves { orgs: {body, state, a, b, schoolA}, people: {role: {id, email}} }.
 */
export async function buildWorld(db, { tag = '' } = {}) {
    const orgs = {};
    orgs.body = await addOrg(db, `Certification Body${tag}`, 'body');
    orgs.state = await addOrg(db, `State${tag}`, 'state');
    orgs.a = await addOrg(db, `District A${tag}`, 'district', { parent: orgs.state, nces: null });
    orgs.b = await addOrg(db, `District B${tag}`, 'district', { parent: orgs.state });
    orgs.schoolA = await addOrg(db, `School A1${tag}`, 'school', { parent: orgs.a });
    const spec = [
        ['program_admin', 'admin', orgs.body],
        ['reviewer', 'reviewer', orgs.body],
        ['examiner', 'examiner', orgs.body],
        ['district_admin', 'dadmin-a', orgs.a, 'district_admin_a'],
        ['leader', 'leader-a', orgs.a, 'leader_a'],
        ['evaluator', 'eval-a', orgs.a, 'evaluator_a'],
        ['district_admin', 'dadmin-b', orgs.b, 'district_admin_b'],
        ['leader', 'leader-b', orgs.b, 'leader_b'],
    ];
    const people = {};
    for (const [role, local, org, key] of spec) {
        const email = `${local}@example.org`;
        const id = await addUser(db, email, { name: `${local} person`, role, org });
        people[key || role] = { id, email, role, org };
    }
    return { orgs, people };
}

// --- a server on a database the test owns --------------------------------------------------------

/**
 * Runs fn(ctx) with a database of its own (a world from buildWorld unless world: false) and
 * stops everything afterwards, also when fn throws. ctx: { db, w, url, srv, start({env,
 * args}) (re)starts the server, stop(), jar() (follows restarts), signIn(email) }. Every
 * server gets CHEAP and env; a server must exit 0.
 */
export async function withServer({ world = true, env = {}, args = [] } = {}, fn) {
    const d = await ownDb();
    let srv = null;
    const jars = [];
    const ctx = {
        db: d.db,
        w: null,
        get url() {
            return srv.url;
        },
        get srv() {
            return srv;
        },
        async start(opts = {}) {
            if (srv) await ctx.stop();
            srv = await startServer({
                db: d.db,
                env: { ...CHEAP, ...env, ...(opts.env || {}) },
                args: [...args, ...(opts.args || [])],
            });
            for (const j of jars) j.base = srv.url;
            return srv;
        },
        async stop() {
            if (!srv) return;
            const s = srv;
            srv = null;
            const code = await s.stop();
            if (code !== 0) throw new Error(`server exit code ${code}; stderr:\n${s.stderr().slice(-2000)}`);
        },
        jar() {
            const j = new Jar(srv.url);
            jars.push(j);
            return j;
        },
        signIn(email, password = PASSWORD) {
            return signIn(srv.url, email, password, ctx.jar());
        },
    };
    try {
        if (world) ctx.w = await buildWorld(d.db);
        await fn(ctx);
        await ctx.stop();
    } finally {
        if (srv) await srv.stop().catch(() => {});
        await d.drop();
    }
}
