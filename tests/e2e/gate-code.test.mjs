// End-to-end: proof of presence. A lead's phone shows the gate's rotating code (QR and
// digits); an officer types it into an offline check-in; after sync the server's
// verdict shows on the record. A wrong code is recorded as failed, never refused.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { App, CHROMIUM_FLAGS, launchProfile, startServer } from './harness.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

test("a code from the lead's screen verifies the officer's offline check-in", async () => {
  const lead = await launchProfile();
  const officer = await launchProfile();
  try {
    const leadApp = new App(lead.page, server.base);
    await leadApp.open();
    await leadApp.byId('nav-settings').click();
    await leadApp.byId('nav-gate').click();
    await leadApp.byId('gate-post').selectOption('s01-g1');
    await leadApp.byId('gate-qr').waitFor();
    // Once fetched, the code keeps showing with no network.
    await lead.context.setOffline(true);
    const code = (await leadApp.byId('gate-code').textContent()).trim();
    assert.match(code, /^\d{6}$/);
    await leadApp.screenshot('gate-code');

    const app = new App(officer.page, server.base);
    await app.open();
    await app.waitSyncState('synced');
    await officer.context.setOffline(true);
    await app.byId('checkin-code').fill('12345');
    await app.byId('checkin-submit').click();
    // A malformed code is pointed out before anything is saved.
    assert.equal(await app.pendingCount(), 0);
    await app.byId('checkin-code').fill(code);
    const good = await app.checkIn({ post: 's01-g1' });
    await app.byId('checkin-code').fill(code === '000000' ? '111111' : '000000');
    const wrong = await app.checkIn({ post: 's02-g1' });

    await officer.context.setOffline(false);
    await app.waitPending(0);
    // The verdict shows on the check-in screen too, under the last check-in.
    await officer.page.waitForFunction(() => /岗位码不符/.test(document.querySelector('[data-testid="save-where"]')?.textContent));
    assert.match(await app.byId('save-where').textContent(), /已上传到服务器/);
    await app.history();
    const proof = (id) => officer.page.getAttribute(`[data-testid="checkin-row"][data-id="${id}"] [data-testid="row-proof"]`, 'data-proof');
    await officer.page.waitForSelector(`[data-testid="checkin-row"][data-id="${good}"] [data-proof]`);
    assert.equal(await proof(good), 'verified');
    assert.equal(await proof(wrong), 'failed');
  } finally {
    await lead.context.close();
    await officer.context.close();
  }
});

test('where the browser has BarcodeDetector, scanning the QR fills in the gate and its code', async () => {
  const lead = await launchProfile();
  // This Chromium (Linux) has no BarcodeDetector; stand in for it with one that "sees"
  // what the test puts in front of it, and give the camera a fake device.
  const officer = await launchProfile(undefined, {
    args: [...CHROMIUM_FLAGS, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
    permissions: ['camera'],
  });
  await officer.page.addInitScript(() => {
    window.BarcodeDetector = class {
      constructor(options) { window.__gwFormats = options.formats; }
      async detect() { return window.__gwQr ? [{ rawValue: window.__gwQr, format: 'qr_code' }] : []; }
    };
  });
  try {
    const leadApp = new App(lead.page, server.base);
    await leadApp.open();
    await leadApp.byId('nav-settings').click();
    await leadApp.byId('nav-gate').click();
    await leadApp.byId('gate-post').selectOption('s02-g1');
    await leadApp.byId('gate-qr').waitFor();
    const code = (await leadApp.byId('gate-code').textContent()).trim();

    const app = new App(officer.page, server.base);
    await app.open();
    await app.waitSyncState('synced');
    await app.byId('checkin-scan').click();
    await officer.page.waitForSelector('[data-testid="scan-video"]:not([hidden])');
    await officer.page.evaluate((qr) => { window.__gwQr = qr; }, `GW1:s02-g1:${code}`);
    await officer.page.waitForFunction(() => document.querySelector('[data-testid="checkin-code"]')?.value.length === 6);
    assert.equal(await app.byId('checkin-code').inputValue(), code);
    assert.equal(await app.byId('post-select').inputValue(), 's02-g1');
    assert.deepEqual(await officer.page.evaluate(() => window.__gwFormats), ['qr_code']);
    await officer.page.waitForSelector('[data-testid="checkin-scan"][data-scanning="false"]'); // camera off again
    assert.equal(await officer.page.evaluate(() => document.querySelector('#scan-video').srcObject?.active ?? false), false);
    const id = await app.checkIn();
    await app.waitPending(0);
    await app.history();
    await officer.page.waitForSelector(`[data-testid="checkin-row"][data-id="${id}"] [data-proof="verified"]`);
  } finally {
    await lead.context.close();
    await officer.context.close();
  }
});
