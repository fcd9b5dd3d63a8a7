// End-to-end, the app and the admin page under the server's Content-Security-Policy:
// the build has no inline script left (trunk's loader is a precached, precompressed
// file), every screen and /admin load without a single CSP violation, and a check-in
// still saves and syncs.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { App, DIST, launchProfile, startServer, watchViolations } from './harness.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

const SCREENS = ['nav-today', 'nav-incident', 'nav-history', 'nav-team', 'nav-settings', 'nav-checkin'];

test('the build has no inline script: the loader is its own precached, precompressed file', () => {
  const index = readFileSync(join(DIST, 'index.html'), 'utf8');
  const scripts = [...index.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
  assert.ok(scripts.length > 0, 'index.html loads a script');
  for (const [tag, attrs, code] of scripts) {
    assert.match(attrs, /\ssrc=/, `inline script: ${tag.slice(0, 80)}`);
    assert.equal(code.trim(), '', tag);
  }
  assert.doesNotMatch(index, /\sstyle=|<style/i, 'no inline style in index.html');
  const start = index.match(/src="\/(start-[0-9a-f]{16}\.js)"/);
  assert.ok(start, 'the start-up script is loaded from /start-<hash>.js');
  const file = join(DIST, start[1]);
  const bytes = readFileSync(file);
  assert.match(bytes.toString(), /_bg\.wasm/, 'it starts the wasm');
  assert.ok(brotliDecompressSync(readFileSync(`${file}.br`)).equals(bytes), '.br copy matches');
  assert.ok(gunzipSync(readFileSync(`${file}.gz`)).equals(bytes), '.gz copy matches');
  assert.ok(readFileSync(join(DIST, 'sw.js'), 'utf8').includes(`"/${start[1]}"`), 'precached by the service worker');
  assert.ok(!existsSync(join(DIST, 'sw.js.br')) || brotliDecompressSync(readFileSync(join(DIST, 'sw.js.br'))).equals(readFileSync(join(DIST, 'sw.js'))));
});

test('the app and /admin run under the CSP without a violation, and a check-in syncs', async () => {
  const { context, page } = await launchProfile();
  const violations = await watchViolations(context, page);
  try {
    const app = new App(page, server.base);
    const response = await app.open();
    const csp = response.headers()['content-security-policy'];
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.equal(response.headers()['x-content-type-options'], 'nosniff');
    await app.serviceWorkerReady();
    await app.waitSyncState('synced');

    const id = await app.checkIn({ note: 'CSP 检查' });
    await app.waitPending(0);
    const pulled = await (await server.api(`/api/sync/pull?since=0`)).json();
    assert.ok(pulled.changes.some((c) => c.record.id === id), 'the check-in reached the server');

    // Every screen, drawn by the app (innerHTML strings included), then a reload
    // answered by the service worker.
    for (const nav of SCREENS) {
      await app.byId(nav).click();
      await page.waitForSelector(`[data-testid="${nav}"][aria-current="page"]`);
    }
    await page.goto(`${server.base}/history`);
    await page.waitForSelector('section.history');
    assert.ok((await app.history()).some((r) => r.id === id && r.synced), 'shown as synced');
    assert.deepEqual(violations(), [], 'no CSP violation in the app');

    const admin = await page.goto(`${server.base}/admin`);
    assert.match(admin.headers()['content-security-policy'], /frame-ancestors 'none'/);
    await page.waitForSelector('[data-testid="admin-load-status"][data-state="loaded"]');
    assert.ok(await app.byId('admin-school-row').count() > 0, 'the admin script ran');
    assert.deepEqual(violations(), [], 'no CSP violation on /admin');

    // The watch itself works: an injected inline script is refused and reported.
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__gwInlineRan = true';
      document.body.append(s);
    });
    const until = Date.now() + 5000;
    while (violations().length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    assert.match(violations().join('\n'), /script-src/, 'an inline script is reported');
    assert.equal(await page.evaluate(() => window.__gwInlineRan), undefined, 'and did not run');
  } finally {
    await context.close();
  }
});
