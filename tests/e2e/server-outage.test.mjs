// End-to-end: the server going away mid-shift. Records stay in the outbox with the
// header saying so, and go up once the server is back — exactly once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { App, launchProfile, startServer } from './harness.mjs';

test('server down: the record waits in the outbox; server back: it syncs once', async () => {
  let server = await startServer();
  const { dataDir, port } = server;
  const phone = await launchProfile();
  try {
    const app = new App(phone.page, server.base);
    // Every record the phone sends, across all pushes.
    const pushedIds = [];
    phone.page.on('request', (req) => {
      if (req.url().endsWith('/api/sync/push')) {
        pushedIds.push(...JSON.parse(req.postData()).records.map((r) => r.id));
      }
    });
    await app.open();
    await app.waitSyncState('synced');

    await server.stop();
    const id = await app.checkIn({ note: '服务器停机' });
    // The browser thinks it is online, so the failed sync is an error, not "offline".
    await app.waitSyncState('error');
    assert.equal(await app.pendingCount(), 1);

    server = await startServer({ dataDir, port });
    await app.byId('sync-now').click();
    await app.waitPending(0);
    await app.waitSyncState('synced');

    // The record went up once it could (pushes while the server was down never
    // arrived), and further syncs do not send it again.
    const afterSync = pushedIds.filter((x) => x === id).length;
    await app.byId('sync-now').click();
    await phone.page.waitForTimeout(1000);
    assert.equal(pushedIds.filter((x) => x === id).length, afterSync, 'an acknowledged record is not pushed again');
    const pulled = await (await server.api(`/api/sync/pull?since=0`)).json();
    assert.deepEqual(pulled.changes.map((c) => c.record.id), [id]);
  } finally {
    await phone.context.close();
    await server.stop();
  }
});
