// The program's reports (issue 8 point 8): applications by status and age, pass rates by form
// and period, credentials by state and status, upcoming expirations, CE compliance. Each is a
// page, JSON, a CSV and an XLSX download, for reviewers and program admins (PERM_REPORTS_READ).
//
// The demo data (`ctoframe demo`) fills the database; every number a report shows is checked
// against a count the test makes on its own from the tables (sqlite3) or, for CE points, from
// `ctoframe credential show NUMBER --json` (another path through core/ce). The CSV is parsed
// here (RFC 4180); the XLSX is read back by openpyxl (python3) and compared with the CSV.
// On SQLite the counts read the database with sqlite3, on PostgreSQL (CTOFRAME_TEST_DB a
// URL) with psql: the same SQL on both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http from 'node:http';
import { isPostgresUrl } from './helper.mjs';
import { withServer, cliJson, show } from './authhelp.mjs';

const NOW = '2026-06-15T12:00:00Z';
const TODAY = NOW.slice(0, 10);
const DAY = 86400000;

function run(cmd, args, input) {
    return new Promise((resolve, reject) => {
        const p = execFile(cmd, args, { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
            if (err) reject(new Error(`${cmd}: ${stderr || err.message}`));
            else resolve(stdout);
        });
        if (input !== undefined) p.stdin.end(input);
    });
}

/** Rows of a query as arrays of strings (sqlite3 -json would need a newer shell), or psql's. */
async function rows(db, sql) {
    const out = isPostgresUrl(db)
        ? await run('psql', [db, '-X', '-q', '-t', '-A', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-c', sql])
        : await run('sqlite3', ['-bail', '-separator', '\t', '-cmd', '.timeout 10000', db, sql]);
    return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

/** GET p with the jar's cookies; the body as bytes. */
function getBytes(jar, p) {
    return new Promise((resolve, reject) => {
        const u = new URL(jar.base + p);
        const req = http.get({ host: u.hostname, port: u.port, path: u.pathname + u.search, agent: false, headers: { cookie: jar.cookieHeader() } }, (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
            res.on('error', reject);
        });
        req.on('error', reject);
    });
}

/** RFC 4180: records of fields; quoted fields may hold commas, quotes (doubled) and line breaks. */
function parseCsv(text) {
    const out = [];
    let rec = [], f = '', i = 0, quoted = false;
    while (i < text.length) {
        const c = text[i];
        if (quoted) {
            if (c === '"' && text[i + 1] === '"') { f += '"'; i += 2; continue; }
            if (c === '"') { quoted = false; i++; continue; }
            f += c; i++; continue;
        }
        if (c === '"' && f === '') { quoted = true; i++; continue; }
        assert.notEqual(c, '"', `a quote inside an unquoted field at ${i}`);
        if (c === ',') { rec.push(f); f = ''; i++; continue; }
        if (c === '\r' && text[i + 1] === '\n') { rec.push(f); out.push(rec); rec = []; f = ''; i += 2; continue; }
        assert.ok(c !== '\n' && c !== '\r', `a bare line break at ${i}`);
        f += c; i++;
    }
    assert.equal(f, '', 'the file ends with CRLF');
    assert.equal(rec.length, 0, 'the file ends with CRLF');
    return out;
}

/** The cells of the XLSX's first sheet as openpyxl reads them, as strings. */
async function readXlsx(buf) {
    const py = `
import io, json, sys
import openpyxl
wb = openpyxl.load_workbook(io.BytesIO(sys.stdin.buffer.read()), read_only=True)
ws = wb.worksheets[0]
def s(v):
    if v is None: return ''
    if isinstance(v, float) and v.is_integer(): return str(int(v))
    return str(v)
print(json.dumps({"sheet": ws.title, "rows": [[s(v) for v in r] for r in ws.iter_rows(values_only=True)]}))
`;
    // Debian's python3 (python3-openpyxl), not one a version manager put first in PATH.
    return JSON.parse(await run(process.env.CTOFRAME_TEST_PYTHON || '/usr/bin/python3', ['-c', py], buf));
}

/** Fetches a report as JSON, CSV and XLSX; checks the three agree; returns them. */
async function report(jar, p) {
    const sep = p.includes('?') ? '&' : '?';
    const j = await jar.get(p);
    assert.equal(j.status, 200, show(j));
    const csv = await getBytes(jar, `${p}${sep}format=csv`);
    assert.equal(csv.status, 200, csv.body.toString());
    assert.match(csv.headers['content-type'], /^text\/csv/);
    assert.match(csv.headers['content-disposition'] || '', /attachment; filename="?ctoframe-[a-z-]+\.csv/);
    const table = parseCsv(csv.body.toString('utf8'));
    const cols = j.json.columns;
    assert.deepEqual(table[0], cols.map((c) => c.label), 'the CSV header is the columns');
    assert.equal(table.length - 1, j.json.rows.length, 'one CSV record per row');
    const cell = (v) => (v === undefined || v === null ? '' : String(v));
    j.json.rows.forEach((r, i) => {
        assert.deepEqual(table[i + 1].map((v) => v.replace(/^'(?=[=+\-@])/, '')), cols.map((c) => cell(r[c.key])), `CSV row ${i + 1}`);
    });
    const x = await getBytes(jar, `${p}${sep}format=xlsx`);
    assert.equal(x.status, 200, x.body.toString());
    assert.equal(x.headers['content-type'], 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    assert.match(x.headers['content-disposition'] || '', /filename="?ctoframe-[a-z-]+\.xlsx/);
    const book = await readXlsx(x.body);
    // The XLSX holds text as text (never a formula), so the CSV's guard apostrophe is not in it.
    assert.deepEqual(book.rows, table.map((rec) => rec.map((v) => v.replace(/^'(?=[=+\-@])/, ''))), 'the XLSX cells are the CSV');
    return { json: j.json, table, book };
}

const quarterOf = (d) => `${d.slice(0, 4)}-Q${Math.floor((Number(d.slice(5, 7)) + 2) / 3)}`;

test('reports on the demo data: each number against an independent count; CSV and XLSX agree', { timeout: 180000 }, async () => {
    await withServer({ env: { CTOFRAME_NOW: NOW } }, async (ctx) => {
        const db = ctx.db;
        await cliJson(['demo'], { db, env: { CTOFRAME_NOW: NOW } });
        // A holder whose name a spreadsheet would run as a formula.
        const victim = (await rows(db, "SELECT c.number FROM credentials c WHERE c.status IN ('active', 'expiring') AND c.expires_on >= '" + TODAY + "' AND c.expires_on <= '" + new Date(Date.parse(TODAY) + 180 * DAY).toISOString().slice(0, 10) + "' ORDER BY c.number LIMIT 1;"))[0][0];
        await rows(db, `UPDATE people SET name = '=HYPERLINK("http://x","y")' WHERE id = (SELECT person_id FROM credentials WHERE number = '${victim}');`);
        await ctx.start();
        const rev = await ctx.signIn(ctx.w.people.reviewer.email);

        // The list, and the dashboard's card.
        let r = await rev.get('/reports');
        assert.equal(r.status, 200, show(r));
        assert.deepEqual(r.json.reports.map((x) => x.name), ['applications', 'pass-rates', 'credentials', 'expirations', 'ce']);
        r = await rev.get('/dashboard', { html: true });
        assert.match(r.text, /href="\/reports"/, 'the dashboard has a Reports card');

        // Applications by status and age (days since submitted, else created).
        const apps = await rows(db, 'SELECT status, COALESCE(submitted_at, created_at) FROM applications;');
        assert.ok(apps.length > 50, 'the demo has applications');
        const want = {};
        for (const [st, since] of apps) {
            const age = (Date.parse(NOW) - Date.parse(since)) / DAY;
            const w = (want[st] ||= { total: 0, age_0_7: 0, age_8_30: 0, age_31_90: 0, age_over_90: 0 });
            w.total++;
            w[age <= 7 ? 'age_0_7' : age <= 30 ? 'age_8_30' : age <= 90 ? 'age_31_90' : 'age_over_90']++;
        }
        let rep = await report(rev, '/reports/applications');
        const got = Object.fromEntries(rep.json.rows.map((x) => [x.status, { total: x.total, age_0_7: x.age_0_7, age_8_30: x.age_8_30, age_31_90: x.age_31_90, age_over_90: x.age_over_90 }]));
        assert.deepEqual(got, want);

        // Pass rates by form and month, then quarter, within from..to.
        const res = await rows(db, 'SELECT form, taken_on, passed FROM exam_results;');
        assert.ok(res.length > 20, 'the demo has results');
        const from = '2024-01-01', to = '2026-03-31';
        for (const period of ['month', 'quarter']) {
            const w = {};
            for (const [form, on, passed] of res) {
                if (on < from || on > to) continue;
                const k = `${form} ${period === 'month' ? on.slice(0, 7) : quarterOf(on)}`;
                const x = (w[k] ||= { sittings: 0, passed: 0 });
                x.sittings++;
                x.passed += Number(passed);
            }
            rep = await report(rev, `/reports/pass-rates?period=${period}&from=${from}&to=${to}`);
            assert.ok(rep.json.rows.length > 1, `${period}: several periods`);
            const g = Object.fromEntries(rep.json.rows.map((x) => [`${x.form} ${x.period}`, { sittings: x.sittings, passed: x.passed }]));
            assert.deepEqual(g, w, period);
            for (const x of rep.json.rows) {
                assert.equal(x.failed, x.sittings - x.passed);
                assert.equal(x.pass_rate, Math.round((x.passed * 1000) / x.sittings) / 10);
            }
        }

        // Credentials by state and status: per status and in all, against the table.
        const creds = Object.fromEntries(await rows(db, 'SELECT status, COUNT(*) FROM credentials GROUP BY status;'));
        rep = await report(rev, '/reports/credentials');
        const byStatus = {};
        for (const x of rep.json.rows) byStatus[x.status] = String((Number(byStatus[x.status]) || 0) + x.count);
        assert.deepEqual(byStatus, creds);
        assert.ok(new Set(rep.json.rows.map((x) => x.state)).size > 2, 'several states');

        // Upcoming expirations: the next 180 days by default, then 30.
        for (const [q, days] of [['', 180], ['?days=30', 30]]) {
            const until = new Date(Date.parse(TODAY) + days * DAY).toISOString().slice(0, 10);
            const w = (await rows(db, `SELECT number FROM credentials WHERE status IN ('active', 'expiring') AND expires_on >= '${TODAY}' AND expires_on <= '${until}' ORDER BY expires_on, number;`)).map((x) => x[0]);
            rep = await report(rev, `/reports/expirations${q}`);
            assert.deepEqual(rep.json.rows.map((x) => x.number), w, `${days} days`);
            assert.equal(rep.json.filters.days, days);
            if (days === 180) {
                assert.ok(w.length > 3, 'some expire within 180 days');
                const v = rep.table.find((rec) => rec[1] === victim);
                assert.equal(v[0], `'=HYPERLINK("http://x","y")`, 'a formula-like cell is guarded in the CSV');
            }
            for (const x of rep.json.rows) assert.equal(x.days_left, (Date.parse(x.expires_on) - Date.parse(TODAY)) / DAY);
        }

        // CE compliance: a row per credential in force; points as `credential show` counts them.
        const inForce = (await rows(db, "SELECT number, term_start, expires_on FROM credentials WHERE status IN ('active', 'expiring') ORDER BY number;"));
        rep = await report(rev, '/reports/ce');
        assert.deepEqual(rep.json.rows.map((x) => x.number), inForce.map((x) => x[0]));
        const withPoints = (await rows(db, "SELECT DISTINCT c.number FROM credentials c JOIN ce_activities a ON a.credential_id = c.id AND a.status = 'approved' WHERE c.status IN ('active', 'expiring') ORDER BY 1 LIMIT 4;")).map((x) => x[0]);
        assert.ok(withPoints.length > 0, 'some credentials in force have approved CE');
        for (const num of [...withPoints, inForce[0][0]]) {
            const shown = await cliJson(['credential', 'show', num, '--json'], { db, env: { CTOFRAME_NOW: NOW } });
            const row = rep.json.rows.find((x) => x.number === num);
            assert.equal(row.counted, shown.points.counted, num);
            assert.equal(row.required, shown.points.required, num);
        }
        let onTrack = 0;
        for (const x of rep.json.rows) {
            const [, start, end] = inForce.find((c) => c[0] === x.number);
            const term = (Date.parse(end) - Date.parse(start)) / DAY + 1;
            const elapsed = Math.min(term, Math.max(0, (Date.parse(TODAY) - Date.parse(start)) / DAY + 1));
            const expected = Math.floor((x.required * 100 * elapsed) / term) / 100;
            assert.equal(x.expected, expected, x.number);
            assert.equal(x.on_track, x.counted >= x.required || x.counted >= expected ? 'yes' : 'no', x.number);
            if (x.on_track === 'yes') onTrack++;
        }
        assert.ok(onTrack > 0 && onTrack < rep.json.rows.length, 'some on track, some not');

        // The page: a table that reflows (class="stack", data-label on each cell), download links.
        r = await rev.get('/reports/expirations', { html: true });
        assert.equal(r.status, 200);
        assert.match(r.text, /<table class="stack">/);
        assert.match(r.text, /<td data-label="Holder">/);
        assert.match(r.text, /href="\/reports\/expirations\?format=csv&amp;days=180"/);
    });
});

test('reports: only reviewers and program admins; bad filters are 400 naming the field', { timeout: 60000 }, async () => {
    await withServer({ env: { CTOFRAME_NOW: NOW } }, async (ctx) => {
        await ctx.start();
        const leader = await ctx.signIn(ctx.w.people.leader_a.email);
        for (const p of ['/reports', '/reports/applications', '/reports/ce?format=csv', '/reports/expirations?format=xlsx']) {
            const r = await leader.get(p);
            assert.equal(r.status, 403, `${p}: ${show(r)}`);
        }
        let r = await leader.get('/dashboard', { html: true });
        assert.doesNotMatch(r.text, /href="\/reports"/, 'no Reports card for a leader');
        const admin = await ctx.signIn(ctx.w.people.program_admin.email);
        r = await admin.get('/reports/credentials');
        assert.equal(r.status, 200, show(r));
        r = await admin.get('/reports/nosuch');
        assert.equal(r.status, 404, show(r));
        for (const [p, field] of [
            ['/reports/pass-rates?period=week', 'period'],
            ['/reports/pass-rates?from=2026-13-01', 'from'],
            ['/reports/pass-rates?to=yesterday', 'to'],
            ['/reports/pass-rates?from=2026-05-01&to=2026-04-01', 'to'],
            ['/reports/expirations?days=0', 'days'],
            ['/reports/expirations?days=12x', 'days'],
            ['/reports/expirations?days=3651', 'days'],
            ['/reports/ce?page=0', 'page'],
            ['/reports/ce?format=pdf', 'format'],
            ['/reports/expirations?days=-5&format=csv', 'days'],
        ]) {
            r = await admin.get(p);
            assert.equal(r.status, 400, `${p}: ${show(r)}`);
            assert.equal(r.json.error.field, field, p);
            assert.match(r.json.error.message, /^[A-Z].*\.$/, p);
        }
        // The page again, with the message beside the field.
        r = await admin.get('/reports/expirations?days=0', { html: true });
        assert.equal(r.status, 400);
        assert.match(r.text, /id="days-error"/);
        assert.match(r.text, /<h1>Upcoming expirations<\/h1>/, 'the report is named on its error page');
        assert.doesNotMatch(r.text, /format=csv/, 'no download of a refused filter');
        assert.match(r.text, /aria-invalid="true"/);
    });
});
