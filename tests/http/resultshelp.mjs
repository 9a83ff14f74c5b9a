// Test fixtures for exam results and credentials (issue 8 points 3 and 4).
//
// Applications and authorizations to test are another part of issue 8, built at the same
// time; until it lands, these fixtures INSERT approved applications and their
// authorizations (and, for large files, the people) straight into the database with the
// sqlite3 or psql command-line tools. Everything else goes through the real CLI and HTTP.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cliOk, cli } from './authhelp.mjs';
import { isPostgresUrl } from './helper.mjs';

/** Runs SQL text (several statements) on db with sqlite3 or psql; resolves stdout. */
export function sql(db, text) {
    const [cmd, args] = isPostgresUrl(db)
        ? ['psql', [db, '-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-f', '-']]
        : ['sqlite3', ['-bail', db]];
    return new Promise((resolve, reject) => {
        const child = execFile(cmd, args, { maxBuffer: 64 * 1024 * 1024, timeout: 120000 }, (err, stdout, stderr) => {
            if (err) reject(new Error(`${cmd}: ${err.message}\n${stderr}`));
            else resolve(stdout);
        });
        // A running server may hold the write lock for a moment: wait for it, as ctoframe does.
        child.stdin.end(isPostgresUrl(db) ? text : `.timeout 10000\n${text}`);
    });
}

const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
const PROGRAM = `(SELECT id FROM programs WHERE code = 'CETL')`;

/** Loads the shipped CETL rules as a program version (the CLI does not load them itself). */
export async function loadProgram(db) {
    await cliOk(['program', 'import', 'data/programs/cetl.json'], { db });
}

/**
 * SQL for an approved application and its open authorization to test for person, with
 * eligibility id elig and the window from..to (YYYY-MM-DD).
 */
export function authorizationSql(person, elig, from, to, status = 'open') {
    const app = randomUUID();
    const at = `${from}T00:00:00Z`;
    return (
        `INSERT INTO applications (id, program_id, person_id, status, rules_version, created_at, updated_at)` +
        ` VALUES (${q(app)}, ${PROGRAM}, ${q(person)}, 'approved', 1, ${q(at)}, ${q(at)});\n` +
        `INSERT INTO authorizations (eligibility_id, application_id, person_id, program_id, rules_version,` +
        ` issued_on, expires_on, status, created_at) VALUES (${q(elig)}, ${q(app)}, ${q(person)}, ${PROGRAM}, 1,` +
        ` ${q(from)}, ${q(to)}, ${q(status)}, ${q(at)});\n`
    );
}

/** An approved application with its authorization, for an existing person. */
export async function authorize(db, person, elig, from, to, status = 'open') {
    await sql(db, `BEGIN;\n${authorizationSql(person, elig, from, to, status)}COMMIT;\n`);
}

/**
 * n candidates, each a person (inserted directly) with an authorization E-<tag>-<i> for
 * from..to. Resolves [{ id, name, elig }].
 */
export async function candidates(db, n, from, to, tag = 'c') {
    const out = [];
    let text = 'BEGIN;\n';
    for (let i = 0; i < n; i++) {
        const id = randomUUID();
        const name = `Candidate ${tag} ${i}`;
        const elig = `E-${tag}-${String(i).padStart(6, '0')}`;
        text +=
            `INSERT INTO people (id, email, name, status, pseudonym, created_at, updated_at) VALUES` +
            ` (${q(id)}, ${q(`${tag}${i}@candidates.example.org`)}, ${q(name)}, 'active', ${q(`p-${id}`)},` +
            ` '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');\n` +
            authorizationSql(id, elig, from, to);
        out.push({ id, name, elig });
    }
    await sql(db, `${text}COMMIT;\n`);
    return out;
}

/** The number of rows of each table that an import writes. */
export async function counts(db) {
    const tables = ['exam_results', 'credentials', 'credential_events', 'credential_numbers', 'jobs', 'audit_log'];
    const out = {};
    for (const t of tables) {
        const r = await sql(db, `SELECT COUNT(*) FROM ${t};\n`);
        out[t] = Number(r.trim());
    }
    const open = await sql(db, `SELECT COUNT(*) FROM authorizations WHERE status = 'open';\n`);
    out.open_authorizations = Number(open.trim());
    return out;
}

/** The header of a CETL results file. */
export const HEADER = 'eligibility_id,form,taken_on,scaled_score,I,II,III';

/** Runs `ctoframe results import FILE` on the text of a file; resolves { code, stdout, stderr }. */
export async function importText(db, dir, text, { env = {}, name = 'results.csv' } = {}) {
    const { writeFileSync } = await import('node:fs');
    const path = await import('node:path');
    const file = path.join(dir, name);
    writeFileSync(file, text);
    const r = await cli(['results', 'import', file], { db, env });
    return { ...r, file };
}
