// Shared by ce.test.mjs and renewal.test.mjs: credentials inserted straight into the
// database (the issuing part of issue 8 is built by another part; until it lands, tests
// make their credentials with SQL), the renewal audit sample as svc/ce.c computes it, and
// day arithmetic for time travel.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { isPostgresUrl } from './helper.mjs';

/** Runs SQL on the test's database (sqlite3 or psql); resolves stdout. */
export function sql(db, text) {
    if (isPostgresUrl(db)) return execFileSync('psql', [db, '-qAtX', '-v', 'ON_ERROR_STOP=1', '-c', text], { encoding: 'utf8' });
    return execFileSync('sqlite3', ['-cmd', '.timeout 10000', db, text], { encoding: 'utf8' });
}

const q = (s) => (s === null || s === undefined ? 'NULL' : `'${String(s).replace(/'/g, "''")}'`);

/** FNV-1a of "id|expires_on" % 100 < percent: the audit sample of svc/ce.c. */
export function sampled(id, expiresOn, percent = 10) {
    let h = 2166136261;
    for (const b of Buffer.from(`${id}|${expiresOn}`)) {
        h ^= b;
        h = Math.imul(h, 16777619) >>> 0;
    }
    return h % 100 < percent;
}

/** A credential id the sample picks (want true) or leaves (false) for expiresOn. */
export function credentialId(expiresOn, want) {
    for (;;) {
        const id = randomUUID();
        if (sampled(id, expiresOn) === want) return id;
    }
}

/** Inserts a CETL credential for person: { id, number }. */
export function insertCredential(db, { person, number, issued, expires, status = 'active', audit = false }) {
    const id = credentialId(expires, audit);
    const now = `${issued}T00:00:00Z`;
    sql(
        db,
        `INSERT INTO credentials (id, number, program_id, person_id, status, issued_on, term_start, expires_on, rules_version, created_at, updated_at)
         VALUES (${q(id)}, ${q(number)}, (SELECT id FROM programs WHERE code = 'CETL'), ${q(person)}, ${q(status)}, ${q(issued)}, ${q(issued)}, ${q(expires)}, 1, ${q(now)}, ${q(now)});`,
    );
    return { id, number };
}

/** YYYY-MM-DD plus n days (UTC). */
export function addDays(date, n) {
    const d = new Date(`${date}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + n);
    return d.toISOString().slice(0, 10);
}

/** CTOFRAME_NOW for noon of a day. */
export const at = (date) => ({ CTOFRAME_NOW: `${date}T12:00:00Z` });

/** A CSV attendance file from rows of [number, category, title, provider, completed_on, hours, skills]. */
export function csvOf(rows) {
    const head = 'credential_number,category,title,provider,completed_on,hours,skills';
    const cell = (v) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
    return [head, ...rows.map((r) => r.map(cell).join(','))].join('\n') + '\n';
}
