// Continuing education in a real browser: the holder opens their credential from "My
// credentials", picks a catalog activity to fill the form, logs it with a mistake (the
// message beside the field, what was typed kept) and then correctly; the reviewer approves
// it from the queue; the program administrator sees the import page and a refused file with
// every bad row. Each page is scanned with axe-core and checked at 390 px for anything cut
// off. The credential is inserted with SQL (the issuing part is built elsewhere).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../http/helper.mjs';
import { CHEAP, ownDb, buildWorld } from '../http/authhelp.mjs';
import { insertCredential, at } from '../http/cehelp.mjs';
import { launchBrowser, formatViolations, clickAndWait, signIn, check, closeAll } from './helper.mjs';

let d, srv, browser, w;
const scanned = new Map();
const NUMBER = 'CETL-2026-000501';

before(async () => {
    d = await ownDb();
    w = await buildWorld(d.db);
    srv = await startServer({ db: d.db, env: { ...CHEAP, ...at('2027-06-01') } });
    insertCredential(d.db, { person: w.people.leader_a.id, number: NUMBER, issued: '2026-03-01', expires: '2029-03-01' });
    browser = await launchBrowser();
});

after(() => closeAll({ browser, srv, d }));

const field = (scope, label) => scope.getByLabel(label, { exact: true });

test('the holder logs an activity, the reviewer approves it, the admin imports', { timeout: 120000 }, async () => {
    const { page } = browser;
    await signIn(page, srv.url, w.people.leader_a.email, { fresh: true });
    await clickAndWait(page, page.getByRole('link', { name: 'Continuing education' }), /\/me\/ce$/);
    await check(page, '/me/ce', { scanned, prefix: 'ce' });
    await clickAndWait(page, page.getByRole('link', { name: NUMBER }), /\/ce$/);
    const main = page.locator('main');
    assert.match(await main.innerText(), /0 of 60 points/);
    assert.equal(await page.locator('progress#ce-progress').getAttribute('max'), '60');
    await check(page, 'credential CE page', { scanned, prefix: 'ce' });

    // The catalog fills the form; a wrong date comes back beside its field.
    await clickAndWait(page, page.getByRole('link', { name: 'E-rate application workshop' }), /catalog=erate-workshop/);
    assert.equal(await field(page, 'Title').inputValue(), 'E-rate application workshop');
    await field(page, 'Completed on').fill('2027-05-20');
    await field(page, 'Hours, items or membership-years').fill('none');
    await clickAndWait(page, page.getByRole('button', { name: 'Log the activity' }));
    assert.equal(await field(page, 'Hours, items or membership-years').getAttribute('aria-invalid'), 'true');
    assert.match(await page.locator('#hours-error').innerText(), /number above 0/);
    assert.equal(await field(page, 'Title').inputValue(), 'E-rate application workshop', 'what was typed is kept');
    await check(page, 'credential CE page (refused)', { scanned, prefix: 'ce' });
    await field(page, 'Hours, items or membership-years').fill('3');
    await clickAndWait(page, page.getByRole('button', { name: 'Log the activity' }), /done=logged/);
    assert.match(await main.innerText(), /Waiting for review/);

    // The reviewer approves it.
    await signIn(page, srv.url, w.people.reviewer.email, { fresh: true });
    await clickAndWait(page, page.getByRole('link', { name: 'Continuing education to review' }), /\/ce\/review$/);
    await check(page, '/ce/review', { scanned, prefix: 'ce' });
    await clickAndWait(page, page.getByRole('button', { name: 'Approve' }).first(), /done=approved/);
    await page.goto(srv.url + `/credentials/${NUMBER}/ce`);
    assert.match(await main.innerText(), /3 of 60 points/);

    // The program administrator: a refused file lists every bad row beside it.
    await signIn(page, srv.url, w.people.program_admin.email, { fresh: true });
    await page.goto(srv.url + '/ce/import');
    await check(page, '/ce/import', { scanned, prefix: 'ce' });
    await field(page, 'Attendance file (CSV)').fill(
        `credential_number,category,title,provider,completed_on,hours,skills\n${NUMBER},pd,Course,P,2027-02-30,1,I.A\nCETL-2026-999999,pd,Course,P,2027-01-01,1,I.A\n`,
    );
    await clickAndWait(page, page.getByRole('button', { name: 'Import' }));
    const problems = await page.locator('#csv-problems').innerText();
    // Columns count characters, as `ctoframe ce import` prints them (FILE:LINE:COL).
    assert.match(problems, new RegExp(`Line 2, column ${`${NUMBER},pd,Course,P,`.length + 1}: Column completed_on: `));
    assert.match(problems, /Line 3, column 1: Column credential_number: /);
    await check(page, '/ce/import (refused)', { scanned, prefix: 'ce' });
});

test('axe finds no serious or critical violation on the CE pages', () => {
    assert.ok(scanned.size >= 5, `pages scanned: ${[...scanned.keys()].join(', ')}`);
    const all = [...scanned].flatMap(([where, v]) => (v.length ? [formatViolations(v, where)] : []));
    assert.deepEqual(all, [], all.join('\n'));
});
