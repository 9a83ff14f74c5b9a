// `ctoframe certificate sample`: the certificate PDF read back by outside readers —
// pdftotext (the name in Latin with accents, in CJK and in Arabic; the number; both dates
// in words), pdfinfo (one page, US Letter landscape, the metadata), pdftotext -bbox (no word
// outside the border, even for the longest values), and pdftoppm + zbarimg (the QR code
// decodes to exactly the verification address). Refused values exit 1 naming the flag;
// usage errors exit 2. The command opens no database.
// scripts/bootstrap test installs poppler-utils and zbar-tools; without them the tests that
// need them are skipped, with the tool named.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serverBinary, ROOT } from './helper.mjs';

const BIN = serverBinary();

// The inner rule of the border, in points (src/core/certificate.c: BORDER_IN on 792 x 612).
const PAGE = { w: 792, h: 612, inner: 34 };

const temps = [];
function tempDir() {
    const d = mkdtempSync(path.join(tmpdir(), 'ctoframe-cert-'));
    temps.push(d);
    return d;
}
after(() => {
    for (const d of temps) rmSync(d, { recursive: true, force: true });
});

/** The tools of those named that are not on PATH. */
function missing(...tools) {
    return tools.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
}

/** Runs cmd with args; resolves with { code, stdout (Buffer), stderr (string) }. */
function run(cmd, args, { env = {} } = {}) {
    return new Promise((resolve) => {
        execFile(
            cmd,
            args,
            {
                cwd: ROOT,
                env: { ...process.env, ...env },
                encoding: 'buffer',
                maxBuffer: 64 * 1024 * 1024,
                timeout: 60000,
            },
            (err, stdout, stderr) =>
                resolve({
                    code: err ? (typeof err.code === 'number' ? err.code : -1) : 0,
                    stdout,
                    stderr: stderr.toString('utf8'),
                }),
        );
    });
}

const noSanitizer = (r, what) =>
    assert.doesNotMatch(r.stderr, /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:/, `${what}: sanitizer`);

/** The flags of a certificate for fields f. */
function flags(f) {
    const a = ['certificate', 'sample'];
    for (const [k, v] of Object.entries(f)) {
        if (k === 'demo') {
            if (v) a.push('--demo');
        } else a.push(`--${k}`, v);
    }
    return a;
}

/** Makes the PDF for f; returns its path. */
async function pdfFor(f, env = {}) {
    const r = await run(BIN, flags(f), { env });
    noSanitizer(r, 'certificate sample');
    assert.equal(r.code, 0, `certificate sample: exit ${r.code}\n${r.stderr}`);
    assert.equal(r.stdout.subarray(0, 5).toString('latin1'), '%PDF-', 'a PDF on stdout');
    const file = path.join(tempDir(), 'certificate.pdf');
    writeFileSync(file, r.stdout);
    return file;
}

async function tool(cmd, args) {
    const r = await run(cmd, args);
    assert.equal(r.code, 0, `${cmd} ${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
    return r.stdout.toString('utf8');
}

// Bidirectional controls pdftotext puts around a right-to-left run.
const unbidi = (s) => s.replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '');
const oneLine = (s) => unbidi(s).replace(/\s+/g, ' ');

/** The text of the PDF, every run of white space as one space. */
const textOf = async (file) => oneLine(await tool('pdftotext', [file, '-']));

/** What zbarimg reads in the page rendered at 150 dpi: one line per code. */
async function qrOf(file) {
    const prefix = path.join(path.dirname(file), 'page');
    await tool('pdftoppm', ['-r', '150', '-png', '-singlefile', file, prefix]);
    return (await tool('zbarimg', ['--raw', '-q', `${prefix}.png`])).replace(/\n$/, '').split('\n');
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
/** "2026-12-02" as "2 December 2026", computed here apart from the C code. */
const inWords = (ymd) => {
    const [y, m, d] = ymd.split('-').map(Number);
    return `${d} ${MONTHS[m - 1]} ${y}`;
};

const base = (over = {}) => ({
    name: 'Zoë Ångström-Núñez',
    number: 'CETL-2026-000123',
    issued: '2026-12-02',
    expires: '2029-12-02',
    url: 'http://127.0.0.1:8080/verify/CETL-2026-000123',
    ...over,
});

const cases = [
    ['Latin with accents', base()],
    ['CJK, issued on a leap day, demo', base({ name: '山田 太郎', number: 'CETL-2024-000007', issued: '2024-02-29', expires: '2027-02-28', url: 'https://registry.example.org/verify/CETL-2024-000007', demo: true })],
    ['Arabic', base({ name: 'محمد عبد الله الفارسي', number: 'CETL-2026-000999', issued: '2026-01-31', expires: '2029-01-31', url: 'https://example.org/verify/CETL-2026-000999?lang=ar' })],
];

for (const [what, f] of cases) {
    test(`${what}: pdftotext reads the name, number and dates; pdfinfo one letter page`, async (t) => {
        const gone = missing('pdftotext', 'pdfinfo');
        if (gone.length) return t.skip(`${gone.join(', ')} not installed (scripts/bootstrap test)`);
        const file = await pdfFor(f);
        const text = await textOf(file);
        for (const want of [f.name, f.number, inWords(f.issued), inWords(f.expires), f.url, 'Certified Education Technology Leader']) {
            assert.ok(text.includes(want), `${what}: "${want}" in the text:\n${text}`);
        }
        assert.equal(text.includes('DEMO — not a real credential'), !!f.demo, `${what}: the demo mark only when asked`);
        const info = await tool('pdfinfo', [file]);
        assert.match(info, /^Pages:\s+1$/m, info);
        assert.match(info, /^Page size:\s+792 x 612 pts \(letter\)$/m, `landscape letter:\n${info}`);
        assert.match(info, /^Page rot:\s+0$/m, info);
        assert.ok(unbidi(info).includes(f.name), `the title metadata names the holder:\n${info}`);
        assert.match(info, new RegExp(`^CreationDate:.*\\b${Number(f.issued.slice(8))}\\b.*\\b${f.issued.slice(0, 4)}\\b`, 'm'), `created on the issue date:\n${info}`);
    });

    test(`${what}: the QR code decodes to exactly the verification address`, async (t) => {
        const gone = missing('pdftoppm', 'zbarimg');
        if (gone.length) return t.skip(`${gone.join(', ')} not installed (scripts/bootstrap test)`);
        const file = await pdfFor(f);
        assert.deepEqual(await qrOf(file), [f.url]);
    });
}

test('the longest values: every word inside the border, the 300-byte address still decodes', async (t) => {
    const gone = missing('pdftotext', 'pdftoppm', 'zbarimg');
    if (gone.length) return t.skip(`${gone.join(', ')} not installed (scripts/bootstrap test)`);
    const words = 'Maximiliana Wolfeschlegelsteinhausenbergerdorff de la Cruz '.repeat(3).slice(0, 120);
    const url = ('https://registry.example.org/verify/CETL-2026-000123?' + 'x'.repeat(300)).slice(0, 300);
    const longs = [
        base({ name: words, title: words, issuer: words, program: words, url, demo: true }),
        base({ name: '龍'.repeat(120), title: '認'.repeat(120), issuer: '協'.repeat(120), url }),
    ];
    for (const f of longs) {
        const file = await pdfFor(f);
        const html = await tool('pdftotext', ['-bbox', file, '-']);
        const boxes = [...html.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)];
        assert.ok(boxes.length > 10, `words found:\n${html.slice(0, 500)}`);
        for (const [, x0, y0, x1, y1, w] of boxes) {
            const inside = +x0 >= PAGE.inner && +y0 >= PAGE.inner && +x1 <= PAGE.w - PAGE.inner && +y1 <= PAGE.h - PAGE.inner;
            assert.ok(inside, `"${w}" at (${x0}, ${y0})–(${x1}, ${y1}) crosses the border`);
        }
        // Wrapped between characters: the lines joined are the address, nothing cut off.
        const joined = (await tool('pdftotext', [file, '-'])).replace(/\s+/g, '');
        assert.ok(joined.includes(url), `the address, whole, in the text:\n${joined.slice(-400)}`);
        assert.deepEqual(await qrOf(file), [url]);
    }
});

test('the same fields give the same bytes', async () => {
    const a = readFileSync(await pdfFor(base()));
    const b = readFileSync(await pdfFor(base()));
    assert.ok(a.equals(b), 'byte for byte');
    const c = readFileSync(await pdfFor(base({ number: 'CETL-2026-000124' })));
    assert.ok(!a.equals(c), 'another number, other bytes');
});

test('refused values: exit 1, each message after its flag, nothing on stdout', async () => {
    const refusals = [
        [{ name: '' }, '--name'],
        [{ name: 'Jane\nDoe' }, '--name'],
        [{ name: 'é'.repeat(121) }, '--name'],
        [{ number: 'CETL 2026' }, '--number'],
        [{ issued: '2026-02-30' }, '--issued'],
        [{ expires: '2026-12-02' }, '--expires'],
        [{ url: 'ftp://example.org/verify/1' }, '--url'],
        [{ url: 'javascript:alert(1)' }, '--url'],
        [{ url: 'https://example.org/a b' }, '--url'],
        [{ title: '' }, '--title'],
        [{ issuer: '' }, '--issuer'],
        [{ program: '' }, '--program'],
    ];
    for (const [over, flag] of refusals) {
        const r = await run(BIN, flags(base(over)));
        noSanitizer(r, flag);
        assert.equal(r.code, 1, `${JSON.stringify(over)}: exit ${r.code}\n${r.stderr}`);
        assert.equal(r.stdout.length, 0, `${flag}: nothing on stdout`);
        const m = r.stderr.match(/^ctoframe: (--[a-z]+): (.*)$/m);
        assert.ok(m, `${flag}: a message after a flag:\n${r.stderr}`);
        assert.equal(m[1], flag);
        assert.match(m[2], /^[A-Z].*\.$/, `${flag}: one sentence: ${m[2]}`);
    }
    // Several at once: every one named.
    const r = await run(BIN, flags(base({ name: '', url: 'ftp://x' })));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^ctoframe: --name: /m);
    assert.match(r.stderr, /^ctoframe: --url: /m);
});

test('usage errors exit 2; help exits 0', async () => {
    const all = flags(base()).slice(2);
    const without = (flag) => {
        const i = all.indexOf(flag);
        return [...all.slice(0, i), ...all.slice(i + 2)];
    };
    for (const [args, re] of [
        [['certificate'], /sample/],
        [['certificate', 'frobnicate'], /sample/],
        [['certificate', 'sample', ...without('--url')], /needs --url/],
        [['certificate', 'sample', ...without('--name')], /needs --name/],
        [['certificate', 'sample', ...all, '--colour', 'red'], /--colour/],
        [['certificate', 'sample', ...all, '--number'], /--number needs a value/],
    ]) {
        const r = await run(BIN, args);
        noSanitizer(r, args.join(' '));
        assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
        assert.match(r.stderr, re);
        assert.equal(r.stdout.length, 0);
    }
    for (const args of [['help', 'certificate'], ['certificate', '--help'], ['certificate', 'sample', '--help']]) {
        const r = await run(BIN, args);
        assert.equal(r.code, 0, args.join(' '));
        assert.match(r.stdout.toString(), /usage: ctoframe certificate sample --name NAME/);
    }
    const h = await run(BIN, ['help']);
    assert.match(h.stdout.toString(), /^\s+certificate\s+\S/m, 'listed in help');
});

test('the preview opens no database', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'never.db');
    await pdfFor(base(), { CTOFRAME_DB: db });
    assert.equal(existsSync(db), false, 'no database file made');
});
