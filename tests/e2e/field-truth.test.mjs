// End-to-end, issue 12: every screen tells the officer the truth. Each role sees only
// what it may do; the check-in's confirmation says what was saved and where it is, the
// picker stays on the gate, a double tap asks first; a failed sync says so in words;
// the first paint is the app shell, before the app has started.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { App, launchProfile, startServer } from './harness.mjs';

const DEMO_SCHOOLS = ['s01', 's02', 's03', 's04'];

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

const visible = (app, id) => app.byId(id).isVisible();

test('an officer sees check-in screens, a lead the team: each role only what it may do', async () => {
  const officer = await server.createUser({ username: 'zhou.jing', role: 'officer', schools: DEMO_SCHOOLS });
  const lead = await server.createUser({ username: 'sun.lead', role: 'lead', schools: DEMO_SCHOOLS });
  const a = await launchProfile();
  const b = await launchProfile();
  try {
    const o = new App(a.page, server.base, officer);
    await o.open();
    assert.equal(await visible(o, 'nav-checkin'), true);
    assert.equal(await visible(o, 'nav-incident'), true);
    await o.byId('nav-checkin').waitFor();
    assert.equal(await visible(o, 'nav-team'), false, 'an officer has no 队伍');
    // Typing the team's address shows the officer's home instead.
    await o.open('/team');
    await o.byId('checkin-submit').waitFor();
    assert.equal(await o.byId('team-name-input').count(), 0);
    await o.byId('nav-settings').click();
    await o.byId('settings-lang').waitFor();
    assert.equal(await o.byId('nav-gate').isVisible(), false, 'no gate codes for an officer');
    // After login the app asked the browser to keep its storage; 设置 says what it
    // answered and how much space the app uses.
    await o.page.waitForSelector('[data-testid="storage-box"][data-persisted]');
    assert.match(await o.byId('storage-box').getAttribute('data-persisted'), /^(granted|denied|unknown)$/);
    assert.match(await o.byId('storage-box').textContent(), /浏览器|长期保留/);
    await o.page.waitForFunction(() => /本应用占用空间：\d+\.\d MB/.test(document.querySelector('[data-testid="storage-used"]')?.textContent));
    await o.screenshot('role-officer-settings');

    const l = new App(b.page, server.base, lead);
    await l.open();
    // A lead lands on 队伍, not on a check-in the server would refuse.
    await l.byId('team-name-input').waitFor();
    assert.equal(await l.byId('nav-team').getAttribute('aria-current'), 'page');
    assert.equal(await visible(l, 'nav-checkin'), false, 'a lead has no 签到');
    assert.equal(await visible(l, 'nav-incident'), false);
    assert.equal(await visible(l, 'nav-today'), true);
    assert.equal(await l.byId('checkin-submit').count(), 0);
    await l.byId('nav-settings').click();
    await l.byId('nav-gate').waitFor();
    await l.screenshot('role-lead-team');
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

test('the check-in says what was saved and where; the picker stays; a double tap asks first', async () => {
  const officer = await server.createUser({ username: 'qian.wei', role: 'officer', schools: DEMO_SCHOOLS });
  const phone = await launchProfile(undefined, { timezoneId: 'Asia/Shanghai' });
  try {
    const app = new App(phone.page, server.base, officer);
    await app.open();
    await app.waitSyncState('synced');
    await phone.context.setOffline(true);

    // A 120 ms double tap: one record, and the second tap asks.
    await app.byId('post-select').selectOption('s03-g1');
    await app.byId('checkin-submit').click();
    await phone.page.waitForTimeout(120);
    await app.byId('checkin-submit').click();
    await app.byId('repeat-ask').waitFor();
    assert.match(await app.byId('repeat-ask').textContent(), /刚刚已提交过相同的签到/);
    await app.byId('repeat-cancel').click();
    await app.waitPending(1);
    assert.equal(await app.pendingCount(), 1, 'a double tap made one record');
    // Cancelling gives back the first tap's confirmation.
    const status = app.byId('save-status');
    await phone.page.waitForSelector('[data-testid="save-status"][data-state="saved"]');
    assert.match(await status.textContent(), /已保存：育才小学/);

    // The confirmation names the post, the event and the time, and says it is only on
    // the phone; the picker stays on the gate just saved.
    await app.byId('post-select').selectOption('s02-g1');
    await app.checkIn();
    assert.match(await status.textContent(), /已保存：第一中学.*正门 · 到岗 · \d\d:\d\d/);
    assert.match(await app.byId('save-where').textContent(), /已存本机，有信号后自动上传/);
    await phone.page.waitForTimeout(1500); // the board ticks; the picker must not move
    assert.equal(await app.byId('post-select').inputValue(), 's02-g1');
    await app.screenshot('checkin-saved-offline');

    // Once the server has it, the same line says so.
    await phone.context.setOffline(false);
    await app.byId('sync-now').click();
    await phone.page.waitForFunction(() => document.querySelector('[data-testid="save-status"]')?.dataset.sync === 'on-server');
    assert.match(await app.byId('save-where').textContent(), /已上传到服务器/);
    // A new attempt (another event) clears the old confirmation.
    await app.byId('event-departure').click();
    assert.equal(await status.getAttribute('data-state'), 'idle');
  } finally {
    await phone.page.goto('about:blank').catch(() => {});
    await phone.context.close();
  }
});

test('a failed sync says in words what failed, that the records are safe, and when it tries again', async () => {
  const own = await startServer();
  const phone = await launchProfile();
  try {
    const app = new App(phone.page, own.base);
    await app.open();
    await app.serviceWorkerReady();
    await app.waitSyncState('synced');
    assert.equal(await visible(app, 'sync-problem'), false, 'nothing to say while all is well');
    await own.stop(); // the server dies; the phone still has a signal
    await app.checkIn({ note: '服务器停机时' });
    await app.waitSyncState('error');
    const problem = app.byId('sync-problem');
    await problem.waitFor();
    assert.match(await problem.textContent(), /同步失败：服务器没有响应。记录已安全保存在本机；自动重试时间 \d\d:\d\d:\d\d/);
    assert.equal(await app.pendingCount(), 1);
    await app.screenshot('sync-failed-in-words');
  } finally {
    await phone.context.close();
    await own.stop().catch(() => {});
  }
});

test('a first visit paints the app shell before the app starts', async () => {
  const phone = await launchProfile();
  try {
    // Hold the app's wasm back: what shows meanwhile is index.html's shell.
    let release;
    const held = new Promise((r) => { release = r; });
    await phone.page.route(/\.wasm$/, async (route) => { await held; await route.continue(); });
    await phone.page.goto(server.base, { waitUntil: 'domcontentloaded' });
    await phone.page.getByTestId('app-shell').waitFor();
    assert.match(await phone.page.getByTestId('app-shell').textContent(), /护学岗巡查.*正在启动/s);
    await new App(phone.page, server.base).screenshot('first-paint-shell');
    release();
    await phone.page.getByTestId('login-submit').waitFor();
    assert.equal(await phone.page.getByTestId('app-shell').count(), 0, 'the app replaced the shell');
  } finally {
    await phone.context.close();
  }
});
