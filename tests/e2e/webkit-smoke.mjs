// WebKit (what every iPhone browser runs) smoke test, `make test-webkit`, not part of `make
// test`: Debian's WebKitWebDriver drives MiniBrowser under Xvfb through the real server —
// login, a check-in and its confirmation (on the phone, then on the server), the repeat
// question, the history row's state, the storage box, logout's question, and a server that
// stops: the record waits and the header says why in words.
import { spawn } from 'node:child_process';
import { Builder, By, until } from 'selenium-webdriver';
import { startServer, ADMIN, freePort } from './harness.mjs';

const server = await startServer();
const port = await freePort();
// Under Xvfb: MiniBrowser has no headless mode.
const driverProc = spawn('xvfb-run', ['-a', '/usr/bin/WebKitWebDriver', `--port=${port}`], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 3000)); // the driver starts listening
const caps = { browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary: '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser', args: ['--automation'] } };
const d = await new Builder().usingServer(`http://127.0.0.1:${port}`).withCapabilities(caps).build();
const byId = (id) => By.css(`[data-testid="${id}"]`);
const text = async (id) => (await d.findElement(byId(id))).getText();
const attr = async (id, a) => (await d.findElement(byId(id))).getAttribute(a);
const out = [];
// Scrolled to the middle first: the fixed bottom nav covers the screen's last 64 px.
const tap = async (id) => {
  const el = await d.findElement(byId(id));
  await d.executeScript("arguments[0].scrollIntoView({block:'center'})", el);
  await el.click();
};
try {
  await d.get(server.base);
  await d.wait(until.elementLocated(byId('login-submit')), 30000);
  await d.findElement(byId('login-username')).sendKeys(ADMIN.username);
  await d.findElement(byId('login-password')).sendKeys(ADMIN.password);
  await tap('login-submit');
  await d.wait(until.elementLocated(byId('checkin-submit')), 30000);
  await d.wait(async () => (await attr('sync-status', 'data-state')) === 'synced', 20000);
  out.push(`header: ${await text('sync-status')} / pending ${await text('pending-count')}`);
  await tap('checkin-submit');
  await d.wait(async () => (await attr('save-status', 'data-state')) === 'saved', 20000);
  out.push(`saved: ${await text('save-status')}`);
  await d.wait(async () => (await attr('save-status', 'data-sync')) === 'on-server', 20000);
  out.push(`after sync: ${await text('save-where')}`);
  await tap('checkin-submit');
  await d.wait(async () => (await attr('save-status', 'data-state')) === 'ask-repeat', 10000);
  out.push(`repeat asked: ${await text('repeat-ask')}`);
  await tap('repeat-cancel');
  await tap('nav-history');
  await d.wait(until.elementLocated(By.css('[data-testid="checkin-row"][data-status="on-server"]')), 20000);
  out.push('history row on-server: ok');
  await tap('nav-settings');
  await d.wait(async () => (await attr('storage-box', 'data-persisted')) !== null, 10000);
  out.push(`storage: ${await attr('storage-box', 'data-persisted')} — ${await text('storage-box')}`);
  await tap('logout');
  out.push(`logout asks: ${await text('logout-confirm-panel')}`);
  await tap('logout-cancel');
  // The server stops: a check-in waits, the header says why in words.
  await tap('nav-checkin');
  await d.wait(until.elementLocated(byId('checkin-submit')), 10000);
  await server.stop();
  await tap('event-departure');
  await tap('checkin-submit');
  await d.wait(async () => (await attr('sync-status', 'data-state')) === 'error', 30000);
  out.push(`server down: ${await text('sync-problem')} / pending ${await text('pending-count')}`);
  console.log('WEBKIT SMOKE PASSED\n' + out.join('\n'));
} catch (e) {
  console.log('WEBKIT SMOKE FAILED', e, '\n' + out.join('\n'));
  process.exitCode = 1;
} finally {
  await d.quit().catch(() => {});
  driverProc.kill();
  await server.stop().catch(() => {});
}
