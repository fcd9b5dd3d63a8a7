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

    // A second "sync now" pushes nothing new and the server still holds one record.
    await app.byId('sync-now').click();
    await app.waitSyncState('synced');
    const pulled = await (await fetch(`${server.base}/api/sync/pull?since=0`)).json();
    assert.deepEqual(pulled.changes.map((c) => c.record.id), [id]);
  } finally {
    await phone.context.close();
    await server.stop();
  }
});
