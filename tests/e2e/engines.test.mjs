// The offline scenario in the browser engines phones have besides Chromium, over W3C
// WebDriver: WebKit (Debian's WebKitWebDriver driving MiniBrowser under Xvfb — the engine
// of every iPhone browser and of WeChat on iOS) and Gecko (Firefox ESR, geckodriver).
// Log in, check in with no server, reopen the app with no server (as a person would:
// the address again — a WebDriver refresh in Gecko bypasses the service worker), the
// server comes back, and the record is on the server exactly once.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { Builder, By, until } from 'selenium-webdriver';
import { ADMIN, apiSession, freePort, startServer, tempDir } from './harness.mjs';

const ENGINES = {
  webkit: {
    // MiniBrowser has no headless mode: it draws into Xvfb.
    driver: (port) => spawn('xvfb-run', ['-a', '/usr/bin/WebKitWebDriver', `--port=${port}`], { stdio: 'ignore', detached: true }),
    capabilities: {
      browserName: 'MiniBrowser',
      'webkitgtk:browserOptions': {
        binary: '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
        args: ['--automation'],
      },
    },
  },
  firefox: {
    driver: (port) => spawn(`${process.env.HOME}/.cargo/bin/geckodriver`, ['--port', String(port), '--host', '127.0.0.1'], { stdio: 'ignore', detached: true }),
    capabilities: {
      browserName: 'firefox',
      'moz:firefoxOptions': {
        binary: '/usr/bin/firefox-esr',
        args: ['-headless', '-width', '390', '-height', '844'],
        // A fresh profile per session; service workers need no opt-in over http on
        // 127.0.0.1 (a secure context), but the test's own profile must allow them.
        prefs: { 'dom.serviceWorkers.enabled': true, 'dom.serviceWorkers.testing.enabled': true },
      },
    },
  },
};

/** Waits until the driver answers /status (it starts listening after a moment). */
async function driverReady(port, timeoutMs = 30000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      const status = await (await fetch(`http://127.0.0.1:${port}/status`)).json();
      if (status.value?.ready !== false) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`WebDriver on port ${port} did not start`);
}

/** Check-ins the server holds, as its admin pulls them. */
async function checkInsOnServer(base) {
  const api = await apiSession(base, ADMIN, 'e2eengines', { renew: true });
  const pulled = await (await api('/api/sync/pull?since=0')).json();
  return pulled.changes.map((c) => c.record).filter((r) => r.kind === 'checkin');
}

for (const [name, engine] of Object.entries(ENGINES)) {
  test(`${name}: offline check-in, reopened offline, on the server exactly once`, { timeout: 240_000 }, async () => {
    const dataDir = tempDir(`db-${name}`);
    const port = await freePort();
    let server = await startServer({ dataDir, port });
    const driverPort = await freePort();
    const driver = engine.driver(driverPort);
    let d;
    try {
      await driverReady(driverPort);
      d = await new Builder().usingServer(`http://127.0.0.1:${driverPort}`).withCapabilities(engine.capabilities).build();
      const byId = (id) => By.css(`[data-testid="${id}"]`);
      const attr = async (id, a) => (await d.findElement(byId(id))).getAttribute(a);
      const text = async (id) => (await d.findElement(byId(id))).getText();
      // Scrolled to the middle first: the fixed bottom nav covers the screen's last 64 px.
      const tap = async (id) => {
        const el = await d.findElement(byId(id));
        await d.executeScript("arguments[0].scrollIntoView({block:'center'})", el);
        await el.click();
      };
      const waitFor = (check, ms, what) => d.wait(async () => { try { return await check(); } catch { return false; } }, ms, what);

      await d.get(server.base);
      await d.wait(until.elementLocated(byId('login-submit')), 60000);
      await d.findElement(byId('login-username')).sendKeys(ADMIN.username);
      await d.findElement(byId('login-password')).sendKeys(ADMIN.password);
      await tap('login-submit');
      await d.wait(until.elementLocated(byId('checkin-submit')), 30000);
      await waitFor(async () => (await attr('sync-status', 'data-state')) === 'synced', 30000, 'first sync');
      // The app must be able to open with no server: its service worker controls the page.
      await waitFor(() => d.executeScript('return !!navigator.serviceWorker && !!navigator.serviceWorker.controller'), 30000, 'service worker in control');

      await server.stop();
      await tap('checkin-submit');
      await waitFor(async () => (await attr('save-status', 'data-state')) === 'saved', 20000, 'saved on the phone');
      const id = await attr('save-status', 'data-record-id');
      assert.ok(id, 'the saved check-in names its record');
      await waitFor(async () => (await text('pending-count')).includes('1'), 10000, 'one record waiting');

      // Reopened with no server: typed address, served by the service worker.
      await d.get('about:blank');
      await d.get(server.base);
      await d.wait(until.elementLocated(byId('pending-count')), 30000);
      await waitFor(async () => (await text('pending-count')).includes('1'), 20000, 'still waiting after reopening');
      assert.notEqual(await attr('sync-status', 'data-state'), 'synced', 'with no server the header must not say synced');

      server = await startServer({ dataDir, port });
      await waitFor(() => d.findElement(byId('sync-now')).then((b) => b.click()).then(() => true), 5000, 'sync now').catch(() => {});
      await waitFor(async () => (await attr('sync-status', 'data-state')) === 'synced', 90000, 'synced once the server is back');

      const onServer = (await checkInsOnServer(server.base)).filter((r) => r.id === id);
      assert.equal(onServer.length, 1, 'the check-in is on the server exactly once');
      const all = await checkInsOnServer(server.base);
      assert.equal(all.length, 1, `one check-in in all: ${JSON.stringify(all.map((r) => r.id))}`);
    } finally {
      await d?.quit().catch(() => {});
      try { process.kill(-driver.pid, 'SIGTERM'); } catch { /* already gone */ }
      await server.stop().catch(() => {});
    }
  });
}
