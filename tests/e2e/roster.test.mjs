// End-to-end, issue 14: an officer's duty roster on the phone. The phone keeps the
// officer's assignments and who is due at each gate offline; the officer's own posts
// come first; a swap asked for offline goes up with the outbox, a supervisor approves
// it, and the phone then shows the substitute at that gate and the decision.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { App, apiSession, launchProfile, startServer } from './harness.mjs';

const DEMO_SCHOOLS = ['s01', 's02', 's03', 's04'];

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

/** Today in China (the demo schools' zone), as YYYY-MM-DD, or `days` later. */
function chinaToday(days = 0) {
  return new Date(Date.now() + (8 + 24 * days) * 3600 * 1000).toISOString().slice(0, 10);
}

async function userId(username) {
  const users = await (await server.api('/api/admin/users')).json();
  return users.find((u) => u.username === username).id;
}

/** Puts `officers` (account ids) on a slot, each with `car`. */
async function assign(postId, date, window, officers, car) {
  const answer = await server.api('/api/roster/slot', {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ post_id: postId, date, window, officers: officers.map((officer) => ({ officer, car })) }),
  });
  assert.equal(answer.status, 200, await answer.text());
}

/** The board row of `post` × `kind`. */
const row = (app, post, kind) => app.page.locator(
  `[data-testid="board-item"][data-post="${post}"][data-kind="${kind}"]`,
);

test('an officer sees their posts offline, asks for a swap offline, and sees it approved', async () => {
  const today = chinaToday();
  // Today is a school day whatever the weekday the test runs on.
  const calendar = await server.api(`/api/admin/calendar/import?year=${today.slice(0, 4)}`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv' },
    body: `范围,开始日期,结束日期,类型,名称\n全国,${today},${today},上班,测试上课日\n`,
  });
  assert.equal(calendar.status, 200, await calendar.text());
  const zhao = await server.createUser({ username: 'zhao.lei', role: 'officer', schools: DEMO_SCHOOLS });
  await server.createUser({ username: 'qian.min', role: 'officer', schools: DEMO_SCHOOLS });
  const sun = await server.createUser({ username: 'sun.li', role: 'supervisor', schools: ['s01'] });
  await server.createUser({ username: 'li.si', role: 'officer', schools: ['s02'] });
  const [zhaoId, qianId, liId] = [await userId('zhao.lei'), await userId('qian.min'), await userId('li.si')];
  // Zhao at the south gate in the afternoon, with a car; Qian at the north gate in the
  // morning (so the roster names Qian to Zhao's phone); Li at another school.
  await assign('s01-g1', today, 'afternoon', [zhaoId], '苏A·12345');
  await assign('s01-g2', today, 'morning', [qianId]);
  await assign('s02-g1', today, 'morning', [liId]);
  // And Zhao's duty the day after tomorrow, which the phone lists under 我的排班.
  const later = chinaToday(2);
  await assign('s01-g2', later, 'morning', [zhaoId], '苏A·54321');

  const phone = await launchProfile();
  // 06:50 in China, whenever the test runs: every window of the day is still to come
  // (timers run as usual).
  await phone.page.clock.setFixedTime(new Date(`${today}T06:50:00+08:00`));
  try {
    const app = new App(phone.page, server.base, zhao);
    await app.open('/today');
    await app.waitSyncState('synced');
    const mine = row(app, 's01-g1', 'afternoon');
    await mine.waitFor();
    assert.equal(await mine.getAttribute('data-mine'), 'true');
    assert.match(await mine.getByTestId('board-assigned').textContent(), /zhao\.lei \(苏A·12345\)/);
    const first = app.page.locator('[data-testid="board-item"]').first();
    assert.equal(await first.getAttribute('data-mine'), 'true', 'my own post comes first');
    assert.match(await row(app, 's01-g2', 'morning').getByTestId('board-assigned').textContent(), /qian\.min/);

    // Offline, after a reload: the roster is still there.
    await app.serviceWorkerReady();
    await phone.context.setOffline(true);
    await phone.page.reload();
    await mine.waitFor();
    assert.equal(await mine.getAttribute('data-mine'), 'true');
    assert.match(await mine.getByTestId('board-assigned').textContent(), /zhao\.lei/);

    // The coming days' duties are listed too, offline.
    const duty = app.page.locator(`[data-testid="my-duty"][data-date="${later}"]`);
    await duty.waitFor();
    assert.equal(await app.page.locator('[data-testid="my-duty"]').count(), 1, 'today is the board\'s');
    assert.match(await duty.textContent(), new RegExp(`${later}.*苏A·54321`));

    // A swap asked for offline waits on the phone. Only officers the roster has at
    // this school are offered to take it (not Li, of another school).
    await mine.getByTestId('board-swap').click();
    await app.byId('swap-reason').fill('孩子生病，需去医院');
    const offered = await app.byId('swap-substitute').locator('option').evaluateAll((os) => os.map((o) => o.value));
    assert.deepEqual(offered, ['', qianId]);
    await app.byId('swap-substitute').selectOption(qianId);
    await app.byId('swap-send').click();
    await app.byId('swap-saved').waitFor();
    assert.equal(await app.byId('swap-form').count(), 0, 'the form closes once saved');
    const request = app.byId('my-swap');
    await request.waitFor();
    assert.equal(await request.getAttribute('data-decision'), 'pending');
    assert.notEqual(await request.getAttribute('data-sync'), 'on-server');
    await mine.getByTestId('board-swap-pending').waitFor();
    assert.equal(await app.pendingCount(), 1);
    await app.screenshot('roster-swap-asked-offline');

    await phone.context.setOffline(false);
    await app.byId('sync-now').click();
    await app.waitPending(0);

    // The supervisor of s01 approves it.
    const supervisor = await apiSession(server.base, sun, 'e2esupervisor');
    const pending = await (await supervisor('/api/swaps?status=pending')).json();
    assert.equal(pending.swaps.length, 1);
    const swap = pending.swaps[0];
    assert.equal(swap.author.username, 'zhao.lei');
    const decided = await supervisor(`/api/swaps/${swap.record.id}/decision`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ approve: true, substitute: qianId, note: '同意' }),
    });
    assert.equal(decided.status, 200, await decided.text());

    // The phone learns the decision and the new roster at its next sync.
    await app.byId('sync-now').click();
    await app.page.waitForFunction(() => document.querySelector('[data-testid="my-swap"]')?.dataset.decision === 'approved');
    assert.match(await request.textContent(), /换班已批准 · qian\.min · 同意/);
    await app.page.waitForFunction(() => document.querySelector(
      '[data-testid="board-item"][data-post="s01-g1"][data-kind="afternoon"]',
    )?.dataset.mine === 'false');
    assert.match(await mine.getByTestId('board-assigned').textContent(), /qian\.min/);
    await app.screenshot('roster-swap-approved');

    // Each assignment's verdict, made on the phone from what it holds, is the server's:
    // one model function, one sheet (in Chinese, named by its dates).
    await app.history();
    const [file] = await Promise.all([
      phone.page.waitForEvent('download'), app.byId('export-assignments').click(),
    ]);
    assert.equal(file.suggestedFilename(), `排班落实_${today}_${later}.csv`);
    const phoneSheet = readFileSync(await file.path()).toString('utf8');
    const serverSheet = await (await server.api(`/api/export/assignments.csv?from=${today}&to=${later}`)).text();
    const rows = (text) => text.replace(/^\ufeff/, '').trim().split(/\r?\n/);
    assert.equal(rows(phoneSheet).length, 5, 'a header and four assignments');
    assert.deepEqual(rows(phoneSheet), rows(serverSheet));

    // A duty two days ahead is asked from 我的排班, and then waits for its decision.
    await app.byId('nav-today').click();
    await duty.getByTestId('board-swap').click();
    await app.byId('swap-reason').fill('出差');
    await app.byId('swap-send').click();
    await app.byId('swap-saved').waitFor();
    await duty.getByTestId('board-swap-pending').waitFor();
    await app.screenshot('roster-my-duties');
    await app.byId('sync-now').click();
    await app.waitPending(0);
    const asked = await (await supervisor('/api/swaps?status=pending')).json();
    assert.deepEqual(asked.swaps.map((s) => [s.record.data.date, s.record.data.post_id]), [[later, 's01-g2']]);
  } finally {
    await phone.context.close();
  }
});
