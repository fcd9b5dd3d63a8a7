// End-to-end, issue 3's "morning run": an admin imports two schools; an officer checks
// in offline at one gate with the lead's gate code and misses the other; after sync the
// board shows 50% on the officer's phone and on a second device, and the server's
// coverage CSV says the same.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { ADMIN, App, launchProfile, startServer } from './harness.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

// Counted from September (a school new to an import otherwise counts from that day).
const CSV = '\ufeffschool_id,school_name,post_id,gate,morning,noon,afternoon,lead_minutes,counted_from\n' +
  'm01,晨光小学,m01-g1,南门,07:20-08:00,,16:30-17:20,15,2026-09-01\n' +
  'm02,朝阳中学,m02-g1,东门,07:20-08:00,,16:30-17:20,15,2026-09-01\n';
const MORNING = '2026-11-25T06:55:00+08:00';
const PHONE = { timezoneId: 'Asia/Shanghai' };

/** Opens the app at a fixed morning time, marks the two imported gates as "my posts". */
async function phoneAt(time) {
  const phone = await launchProfile(undefined, PHONE);
  await phone.page.clock.install({ time: new Date(time) });
  const app = new App(phone.page, server.base);
  await app.open();
  await app.waitSyncState('synced');
  await app.byId('nav-settings').click();
  for (const post of ['m01-g1', 'm02-g1']) {
    await phone.page.check(`[data-testid="settings-my-post"][value="${post}"]`);
  }
  return { phone, app };
}

test('import two schools, cover one gate with a verified code, miss the other: 50% everywhere', async () => {
  const imported = await server.api(`/api/admin/import`, {
    method: 'POST', headers: { 'content-type': 'text/csv' }, body: CSV,
  });
  assert.equal(imported.status, 200, await imported.text());

  const lead = await phoneAt(MORNING);
  const officer = await phoneAt(MORNING);
  const other = await phoneAt(MORNING);
  try {
    // The lead shows m01-g1's code at the gate.
    await lead.app.byId('nav-settings').click();
    await lead.app.byId('nav-gate').click();
    await lead.app.byId('gate-post').selectOption('m01-g1');
    await lead.app.byId('gate-qr').waitFor();
    const code = (await lead.app.byId('gate-code').textContent()).trim();

    // The officer, offline, checks in at m01-g1 with it; nobody goes to m02-g1.
    await officer.phone.context.setOffline(true);
    await officer.app.byId('nav-checkin').click();
    await officer.app.byId('checkin-code').fill(code);
    const id = await officer.app.checkIn({ post: 'm01-g1' });

    // 08:30: the morning windows have closed. Back online, everything syncs.
    for (const p of [officer, other]) await p.phone.page.clock.runFor('01:35:00');
    await officer.phone.context.setOffline(false);
    await officer.app.waitPending(0);
    await other.app.history();
    await other.app.byId('sync-now').click();
    await other.phone.page.waitForSelector(`[data-testid="checkin-row"][data-id="${id}"]`);

    for (const { app, phone } of [officer, other]) {
      await app.byId('nav-today').click();
      await phone.page.waitForSelector('[data-testid="board-item"][data-post="m01-g1"][data-kind="morning"][data-status="covered"]');
      await phone.page.waitForSelector('[data-testid="board-item"][data-post="m02-g1"][data-kind="morning"][data-status="missed"]');
      assert.equal(await app.byId('board-rate').getAttribute('data-rate'), '50');
    }
    await other.app.screenshot('morning-run-second-device');

    // The weekly chart on the phone: eight weeks, this one (from Monday 11-23) last,
    // with the covered window in it; the period rates beside it.
    const weeks = await officer.phone.page.$$eval('[data-testid="chart-week"]',
      (gs) => gs.map((g) => [g.dataset.week, Number(g.dataset.tenths)]));
    assert.equal(weeks.length, 8);
    assert.equal(weeks[7][0], '2026-11-23');
    assert.ok(weeks[7][1] > 0, 'the covered window counts this week');
    assert.equal(Number(await officer.app.byId('rate-week').getAttribute('data-tenths')), weeks[7][1]);
    await officer.app.byId('coverage-chart').scrollIntoViewIfNeeded();
    await officer.app.screenshot('coverage-chart');

    // The phone makes the coverage CSV itself, offline, and it says what the server says.
    await other.phone.context.setOffline(true);
    await other.app.history();
    await other.app.byId('filter-from').fill('2026-11-25');
    await other.app.byId('filter-to').fill('2026-11-25');
    const [file] = await Promise.all([
      other.phone.page.waitForEvent('download'), other.app.byId('export-coverage').click(),
    ]);
    const phoneBytes = readFileSync(await file.path());
    assert.match(file.suggestedFilename(), /^落实率_2026-11-25_2026-11-25\.csv$/);
    const sheetRows = (bytes) => bytes.subarray(3).toString('utf8').trim().split(/\r?\n/).map((l) => l.split(','));
    const phoneRows = sheetRows(phoneBytes);
    // In the screen's language: school id, school, date, window (早), status.
    const phoneStatus = (school) => phoneRows.find((r) => r[0] === school && r[3] === '早')?.[4];
    assert.equal(phoneStatus('m01'), '已落实');
    assert.equal(phoneStatus('m02'), '未到岗');
    await officer.app.history();
    assert.equal(
      await officer.phone.page.getAttribute(`[data-testid="checkin-row"][data-id="${id}"] [data-testid="row-proof"]`, 'data-proof'),
      'verified',
    );

    // The server's sheet, in Chinese by default, has the same rows for these gates,
    // why included (who came, when, with what): one model function, one sheet writer.
    const bytes = Buffer.from(await (await server.api(`/api/export/coverage.csv?from=2026-11-25&to=2026-11-25`)).arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'CSV starts with a BOM for Excel');
    const rows = sheetRows(bytes);
    assert.deepEqual(rows[0], phoneRows[0], 'the same columns');
    // The morning only: on the phone's clock (08:30) the afternoon is still to come.
    const ours = (all) => all.filter((r) => (r[0] === 'm01' || r[0] === 'm02') && r[3] === '早');
    assert.equal(ours(rows).length, 2);
    assert.deepEqual(ours(rows), ours(phoneRows));

    // The managers' console shows the server's figures for that day: the rate, the
    // gate covered and the gate missed, and the heatmap.
    const report = await (await server.api('/api/reports/coverage?from=2026-11-25&to=2026-11-25')).json();
    const desk = await launchProfile(undefined, { timezoneId: 'Asia/Shanghai' });
    try {
      const page = desk.page;
      await page.goto(`${server.base}/console/coverage`);
      await page.getByTestId('login-username').fill(ADMIN.username);
      await page.getByTestId('login-password').fill(ADMIN.password);
      await page.getByTestId('login-submit').click();
      for (const id of ['coverage-from', 'coverage-to']) {
        await page.getByTestId(id).fill('2026-11-25');
        await page.getByTestId(id).dispatchEvent('change');
      }
      const { covered, decided } = report.rate;
      await page.waitForFunction((want) => document.querySelector('[data-testid="coverage-rate"]')?.textContent.startsWith(want),
        `${covered}/${decided} (`);
      assert.ok(covered >= 1 && decided > covered, JSON.stringify(report.rate));
      const gates = await page.getByTestId('coverage-gates').textContent();
      assert.match(gates, /晨光小学/);
      assert.match(gates, /朝阳中学/);
      await page.getByTestId('heatmap').waitFor();
    } finally {
      await desk.context.close();
    }
  } finally {
    for (const p of [lead, officer, other]) await p.phone.context.close();
  }
});
