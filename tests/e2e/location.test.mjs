// End-to-end: a check-in carries the phone's position when the officer allows it, and
// the server's check-in export has it; without permission the check-in is saved anyway.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { App, launchProfile, startServer } from './harness.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

test('with location allowed the check-in has a position; without, it is saved all the same', async () => {
  const allowed = await launchProfile(undefined, {
    permissions: ['geolocation'],
    geolocation: { latitude: 31.2304163, longitude: 121.4737012, accuracy: 12.6 },
  });
  const denied = await launchProfile();
  try {
    const a = new App(allowed.page, server.base);
    await a.open();
    await a.waitSyncState('synced');
    // The fix arrives in the background; give it a moment, as at a real gate.
    await allowed.page.waitForTimeout(500);
    const located = await a.checkIn();
    await a.waitPending(0);
    await a.history();
    assert.match(await allowed.page.textContent(`[data-testid="checkin-row"][data-id="${located}"] [data-testid="row-located"]`), /±13 m/);

    const d = new App(denied.page, server.base);
    await d.open();
    await d.waitSyncState('synced');
    const plain = await d.checkIn();
    await d.waitPending(0);

    const pulled = await (await server.api(`/api/sync/pull?since=0`)).json();
    const byId = Object.fromEntries(pulled.changes.map((c) => [c.record.id, c.record.data]));
    assert.deepEqual(byId[located].position, { lat_e6: 31230416, lon_e6: 121473701, accuracy_m: 13 });
    assert.equal(byId[plain].position, undefined);
  } finally {
    await allowed.context.close();
    await denied.context.close();
  }
});

test('standing at a gate, the forms open on that gate', async () => {
  // 20 m from the demo school 育才小学's east gate (s03-g1 at 31.240000, 121.470000).
  const phone = await launchProfile(undefined, {
    permissions: ['geolocation'],
    geolocation: { latitude: 31.24018, longitude: 121.47, accuracy: 10 },
  });
  try {
    const app = new App(phone.page, server.base);
    await app.open();
    await app.waitSyncState('synced');
    await phone.page.waitForFunction(() => document.querySelector('[data-testid="post-select"]')?.value === 's03-g1');
    await app.byId('nav-incident').click();
    assert.equal(await app.byId('incident-post').inputValue(), 's03-g1');
    // A pick still wins over the position.
    await app.byId('nav-checkin').click();
    await app.byId('post-select').selectOption('s01-g1');
    const id = await app.checkIn();
    await app.waitPending(0);
    const all = (await (await server.api(`/api/sync/pull?since=0`)).json()).changes;
    assert.equal(all.find((c) => c.record.id === id).record.data.post_id, 's01-g1');
  } finally {
    await phone.context.close();
  }
});
