// Test helper: run a real ctoframe server on a loopback port and talk HTTP to it.
//
//   const srv = await startServer();            // fresh SQLite file, or a fresh PG database
//   const r = await get(srv.url + '/', { headers: { accept: 'application/json' } });
//   r.status, r.headers['content-type'], r.text, r.json
//   const code = await srv.stop();              // SIGTERM; resolves with the exit code
//
// Environment:
//   CTOFRAME_BIN      server binary (default build/ctoframe), relative to the project root
//   CTOFRAME_TEST_DB  a postgres:// URL of a cluster: each server gets its own new database
//                     t_<random> there (created with psql, dropped by stop())
//
// stop() rejects when the server's stderr holds a sanitizer report (ASan, LSan, UBSan), so
// a leak or undefined behaviour fails the test file even when every request looked right.
import { spawn, execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const START_TIMEOUT_MS = 15000;
const STOP_TIMEOUT_MS = 15000;
const SANITIZER_RE =
    /(ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|SUMMARY: UndefinedBehaviorSanitizer|WARNING: ThreadSanitizer)/;

export function serverBinary() {
    return path.resolve(ROOT, process.env.CTOFRAME_BIN || 'build/ctoframe');
}

export function isPostgresUrl(s) {
    return typeof s === 'string' && /^postgres(ql)?:\/\//.test(s);
}

function run(cmd, args, opts = {}) {
    return new Promise((resolve, reject) => {
        execFile(cmd, args, { timeout: 30000, ...opts }, (err, stdout, stderr) => {
            if (err) {
                err.message += `\n${stderr}`;
                reject(err);
            } else resolve(stdout);
        });
    });
}

function psql(url, sql) {
    return run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql]);
}

/** A URL for database `name` in the same cluster as `clusterUrl`. */
export function databaseUrl(clusterUrl, name) {
    const u = new URL(clusterUrl);
    u.pathname = '/' + name;
    // libpq also takes ?dbname=; keep it consistent if present.
    if (u.searchParams.has('dbname')) u.searchParams.set('dbname', name);
    return u.toString();
}

/** Create a fresh, empty database in the cluster; returns { url, drop() }. */
export async function createPgDatabase(clusterUrl) {
    const name = 't_' + randomBytes(6).toString('hex');
    await psql(clusterUrl, `CREATE DATABASE "${name}"`);
    let dropped = false;
    return {
        name,
        url: databaseUrl(clusterUrl, name),
        async drop() {
            if (dropped) return;
            dropped = true;
            await psql(clusterUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        },
    };
}

// Servers still running and temp dirs still there when this process ends (a test that
// threw before stop(), or the runner's timeout sending SIGTERM) are cleaned up here.
const live = new Set();
const tempDirs = new Set();
process.on('exit', () => {
    for (const p of live) {
        try {
            p.kill('SIGKILL');
        } catch {
            /* already gone */
        }
    }
    for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});
// `on`, not `once`: a second signal (timeout signals the child and then its group) must
// not kill the process in the middle of the cleanup above.
let exiting = false;
for (const [sig, code] of [['SIGTERM', 143], ['SIGINT', 130]]) {
    process.on(sig, () => {
        if (!exiting) {
            exiting = true;
            process.exit(code);
        }
    });
}

/**
 * Start `ctoframe serve` on 127.0.0.1.
 * opts.db    database path or URL (default: fresh temp SQLite, or a fresh PG database when
 *            CTOFRAME_TEST_DB is a postgres URL)
 * opts.port  port (default 0: the server picks a free one)
 * opts.env   extra environment variables
 * opts.args  extra command-line arguments after the standard ones
 * Resolves with { url, port, db, proc, stderr(), stdout(), stop() }.
 * Rejects (err.exitCode, err.stderr set) if the server exits or is silent for 15 s.
 */
export async function startServer(opts = {}) {
    const bin = serverBinary();
    if (!existsSync(bin)) {
        throw new Error(`ctoframe binary not found: ${bin} (run make, or set CTOFRAME_BIN)`);
    }
    const cleanups = [];
    let db = opts.db;
    if (!db) {
        const testDb = process.env.CTOFRAME_TEST_DB;
        if (isPostgresUrl(testDb)) {
            const pg = await createPgDatabase(testDb);
            cleanups.push(() => pg.drop());
            db = pg.url;
        } else {
            const dir = mkdtempSync(path.join(tmpdir(), 'ctoframe-test-'));
            tempDirs.add(dir);
            cleanups.push(() => {
                rmSync(dir, { recursive: true, force: true });
                tempDirs.delete(dir);
            });
            db = path.join(dir, 'ctoframe.db');
        }
    }
    const cleanup = async () => {
        for (const f of cleanups.splice(0).reverse()) {
            try {
                await f();
            } catch (e) {
                process.stderr.write(`helper cleanup: ${e.message}\n`);
            }
        }
    };

    const args = [
        'serve', '--host', '127.0.0.1', '--port', String(opts.port ?? 0), '--db', db,
        ...(opts.args || []),
    ];
    const proc = spawn(bin, args, {
        cwd: ROOT,
        env: { ...process.env, ...(opts.env || {}) },
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(proc);

    let out = '';
    let err = '';
    proc.stdout.setEncoding('utf8');
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (d) => {
        err += d;
    });

    const exited = new Promise((resolve) => {
        proc.on('exit', (code, signal) => {
            live.delete(proc);
            resolve({ code, signal });
        });
        proc.on('error', (e) => {
            live.delete(proc);
            err += `\nspawn ${bin}: ${e.message}\n`;
            resolve({ code: null, signal: null, error: e });
        });
    });
    // Make sure 'exit' has been seen and both pipes are drained before reading stderr.
    const closed = new Promise((resolve) => proc.on('close', resolve));

    let url;
    try {
        url = await new Promise((resolve, reject) => {
            const timer = setTimeout(() => {
                const e = new Error(
                    `ctoframe did not print "listening on" within ${START_TIMEOUT_MS} ms\n` +
                        `command: ${bin} ${args.join(' ')}\nstdout:\n${out}\nstderr:\n${err}`,
                );
                e.stderr = err;
                proc.kill('SIGKILL');
                reject(e);
            }, START_TIMEOUT_MS);
            proc.stdout.on('data', (d) => {
                out += d;
                const m = /^listening on (http:\/\/\S+)\s*$/m.exec(out);
                if (m) {
                    clearTimeout(timer);
                    resolve(m[1].replace(/\/$/, ''));
                }
            });
            exited.then(async ({ code, signal }) => {
                clearTimeout(timer);
                await Promise.race([closed, new Promise((r) => setTimeout(r, 1000))]);
                const e = new Error(
                    `ctoframe exited before listening (code ${code}, signal ${signal})\n` +
                        `command: ${bin} ${args.join(' ')}\nstderr:\n${err}`,
                );
                e.exitCode = code;
                e.signal = signal;
                e.stderr = err;
                reject(e);
            });
        });
    } catch (e) {
        await cleanup();
        throw e;
    }

    const port = Number(new URL(url).port);
    let stopping = null;
    const stop = () => {
        if (stopping) return stopping;
        stopping = (async () => {
            if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
            let timer;
            const res = await Promise.race([
                exited,
                new Promise((r) => {
                    timer = setTimeout(() => r(null), STOP_TIMEOUT_MS);
                }),
            ]);
            clearTimeout(timer);
            if (res === null) {
                proc.kill('SIGKILL');
                await exited;
                await cleanup();
                throw new Error(`ctoframe did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM\nstderr:\n${err}`);
            }
            await Promise.race([closed, new Promise((r) => setTimeout(r, 1000))]);
            await cleanup();
            if (SANITIZER_RE.test(err)) {
                const e = new Error(`sanitizer report in ctoframe's stderr:\n${err}`);
                e.exitCode = res.code;
                throw e;
            }
            return res.signal ? res.signal : res.code;
        })();
        return stopping;
    };

    return {
        url,
        port,
        db,
        proc,
        stdout: () => out,
        stderr: () => err,
        stop,
    };
}

/**
 * One HTTP request (no keep-alive, no redirects followed).
 * Resolves with { status, headers (lower-case names), text, json (parsed body or undefined) }.
 */
export function request(url, { method = 'GET', headers = {}, body, timeout = 10000 } = {}) {
    return new Promise((resolve, reject) => {
        const u = new URL(url);
        const hdrs = { ...headers };
        let payload = body;
        if (payload !== undefined && typeof payload !== 'string' && !Buffer.isBuffer(payload)) {
            payload = JSON.stringify(payload);
            if (!Object.keys(hdrs).some((k) => k.toLowerCase() === 'content-type')) {
                hdrs['content-type'] = 'application/json';
            }
        }
        if (payload !== undefined) hdrs['content-length'] = Buffer.byteLength(payload);
        const req = http.request(
            {
                host: u.hostname,
                port: u.port,
                path: u.pathname + u.search,
                method,
                headers: hdrs,
                agent: false,
                timeout,
            },
            (res) => {
                const chunks = [];
                res.on('data', (c) => chunks.push(c));
                res.on('error', reject);
                res.on('end', () => {
                    const text = Buffer.concat(chunks).toString('utf8');
                    let json;
                    try {
                        json = JSON.parse(text);
                    } catch {
                        json = undefined;
                    }
                    resolve({ status: res.statusCode, headers: res.headers, text, json });
                });
            },
        );
        req.on('timeout', () => req.destroy(new Error(`timeout after ${timeout} ms: ${method} ${url}`)));
        req.on('error', reject);
        if (payload !== undefined) req.write(payload);
        req.end();
    });
}

export function get(url, opts = {}) {
    return request(url, { ...opts, method: 'GET' });
}

/** GET with Accept: application/json. */
export function getJson(url, opts = {}) {
    return get(url, { ...opts, headers: { accept: 'application/json', ...(opts.headers || {}) } });
}
