// End-to-end: today's board on the phone, from its own records, offline. The page's
// clock is set to a school morning (Beijing time) so the windows are predictable.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { App, launchProfile, startServer } from './harness.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

const item = (page, post, kind) =>
  page.locator(`[data-testid="board-item"][data-post="${post}"][data-kind="${kind}"]`);

test('the board counts down, shows a gate on duty after check-in, and alerts when a gate is overdue', async () => {
  const phone = await launchProfile(undefined, { timezoneId: 'Asia/Shanghai' });
  const { page } = phone;
  try {
    await page.clock.install({ time: new Date('2026-11-25T06:50:00+08:00') });
    const app = new App(page, server.base);
    await app.open();
    await app.waitSyncState('synced');
    await phone.context.setOffline(true);

    // 06:50: 15 minutes until 07:05, the time to be on post for the 07:20 window.
    await app.byId('nav-today').click();
    const morning = item(page, 's01-g1', 'morning');
    await morning.waitFor();
    assert.equal(await morning.getAttribute('data-phase'), 'beforedue');
    // (The page clock keeps running from 06:50, so a second may have passed.)
    assert.match(await morning.getByTestId('board-countdown').textContent(), /0:1[45]:[0-5][0-9]/);

    // The check-in screen preselects the gate due next; one tap records the arrival.
    await app.byId('nav-checkin').click();
    assert.equal(await app.byId('post-select').inputValue(), 's01-g1');
    await app.checkIn();
    await app.byId('nav-today').click();
    // On duty; nothing is decided before the window closes.
    await page.waitForSelector('[data-testid="board-item"][data-post="s01-g1"][data-kind="morning"][data-state="on-duty"]');
    assert.equal(await item(page, 's01-g1', 'morning').getAttribute('data-status'), 'upcoming');

    // 07:10: past due at every other gate; nobody there → the alert names them.
    await page.clock.runFor('20:00');
    const alert = app.byId('board-alert');
    await alert.waitFor();
    assert.match(await alert.textContent(), /第一中学/);
    assert.doesNotMatch(await alert.textContent(), /实验小学 · 南门/);
    assert.equal(await item(page, 's02-g1', 'morning').getAttribute('data-phase'), 'open');
    assert.equal(await item(page, 's01-g1', 'morning').getAttribute('data-state'), 'on-duty');
    await app.screenshot('today-board');

    // A late arrival says late (and on duty); a row opens the check-in at its gate;
    // 离岗 ends 执勤中.
    await app.byId('nav-checkin').click();
    await app.checkIn({ post: 's02-g1' });
    await app.byId('nav-today').click();
    await page.waitForSelector('[data-testid="board-item"][data-post="s02-g1"][data-kind="morning"][data-state="late-on-duty"]');
    assert.match(await item(page, 's02-g1', 'morning').textContent(), /迟到 · 执勤中/);
    await item(page, 's01-g1', 'morning').click();
    await app.byId('checkin-submit').waitFor();
    assert.equal(await app.byId('post-select').inputValue(), 's01-g1', 'the row opened its own gate');
    await app.byId('event-departure').click();
    await app.checkIn();
    await app.byId('nav-today').click();
    await page.waitForSelector('[data-testid="board-item"][data-post="s01-g1"][data-kind="morning"][data-state="left"]');
    assert.match(await item(page, 's01-g1', 'morning').textContent(), /已离岗/);

    // 08:30: the morning windows closed. s01-g1 was left before the close (partial),
    // s02-g1 was late, the rest missed: none of 5 gates covered → 0%.
    await page.clock.runFor('01:20:00');
    await page.waitForSelector('[data-testid="board-item"][data-post="s03-g1"][data-kind="morning"][data-status="missed"]');
    assert.equal(await item(page, 's01-g1', 'morning').getAttribute('data-status'), 'partial');
    assert.equal(await item(page, 's02-g1', 'morning').getAttribute('data-status'), 'late');
    assert.equal(await app.byId('board-rate').getAttribute('data-rate'), '0');
    // The windows still to come are listed first, the closed ones after.
    const phases = await page.locator('[data-testid="board-item"]').evaluateAll((rows) => rows.map((r) => r.dataset.phase));
    assert.notEqual(phases[0], 'closed');
    assert.deepEqual(phases.slice(phases.indexOf('closed')).filter((p) => p !== 'closed'), [], 'closed rows last');
  } finally {
    await page.goto('about:blank').catch(() => {});
    await phone.context.close();
  }
});
