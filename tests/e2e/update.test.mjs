// End-to-end: a new deployment is offered as "update available" and never breaks the
// running app; taking the update activates the new service worker and drops old caches.
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { test } from 'node:test';
import { App, DIST, launchProfile, startServer, tempDir } from './harness.mjs';

test('a new version shows "update available" and replaces the old one only when asked', async () => {
  const dist = join(tempDir('dist'), 'dist');
  cpSync(DIST, dist, { recursive: true });
  const server = await startServer({ dist });
  const phone = await launchProfile();
  try {
    const app = new App(phone.page, server.base);
    await app.open();
    await app.serviceWorkerReady();
    await app.byId('checkin-note').fill('正在输入');

    // Deploy a "new build": a service worker with another content hash.
    const swPath = join(dist, 'sw.js');
    const sw = readFileSync(swPath, 'utf8');
    const next = sw.replace(/const BUILD_HASH = '([0-9a-f]+)'/, "const BUILD_HASH = '$1next'");
    assert.notEqual(next, sw, 'sw.js carries a build hash');
    // Precompressed copies too: the server prefers them, as after a real build.
    writeFileSync(swPath, next);
    writeFileSync(`${swPath}.br`, brotliCompressSync(next));
    writeFileSync(`${swPath}.gz`, gzipSync(next));
    await phone.page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r.update()));

    await app.byId('update-available').waitFor();
    assert.equal(await app.byId('checkin-note').inputValue(), '正在输入', 'the running app was not reloaded');

    await Promise.all([
      phone.page.waitForEvent('load'),
      app.byId('update-available').getByRole('button').click(),
    ]);
    await app.byId('checkin-submit').waitFor();
    const caches = await phone.page.evaluate(() => caches.keys());
    assert.equal(caches.length, 1, `one cache left: ${caches}`);
    assert.match(caches[0], /next$/);
  } finally {
    await phone.context.close();
    await server.stop();
  }
});
