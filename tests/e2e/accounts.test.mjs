// End-to-end, issue 5: accounts on a phone. An officer logs in once, works offline,
// the session expires meanwhile, the records wait on the phone and go up after the
// next login; logout is refused while records are unsynced (they can be exported to a
// file) and then wipes the person's data; a team lead cannot see another lead's team.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { App, apiSession, launchProfile, startServer } from './harness.mjs';

// Sessions end after 12 s on this server, so the test can wait one out.
const SESSION_SECS = 12;
const DEMO_SCHOOLS = ['s01', 's02', 's03', 's04'];

// The expiry test has a server of its own: the others must not race a 12 s session.
let server;
let shortLived;
before(async () => {
  server = await startServer();
  shortLived = await startServer({ env: { GATEWATCH_SESSION_TTL_SECS: String(SESSION_SECS) } });
});
after(async () => {
  await server?.stop();
  await shortLived?.stop();
});

test('log in, go offline, record, the session expires, log in again: the records sync', async () => {
  const server = shortLived;
  const officer = await server.createUser({ username: 'wang.li', role: 'officer', schools: DEMO_SCHOOLS });
  const phone = await launchProfile();
  try {
    const app = new App(phone.page, server.base, officer);
    await phone.page.goto(server.base);
    // A new phone: the login screen, and no navigation to anything else.
    await app.byId('login-submit').waitFor();
    assert.equal(await app.byId('nav-history').isVisible(), false);
    await app.byId('login-username').fill('wang.li');
    await app.byId('login-password').fill('not-my-password');
    await app.byId('login-submit').click();
    await phone.page.waitForFunction(() => document.querySelector('[data-testid="login-error"]')?.textContent);
    assert.match(await app.byId('login-error').textContent(), /用户名或密码错误/);
    await app.screenshot('login-refused');
    await app.login();
    // The session was made before this instant, so it ends before this + its lifetime.
    const loggedInAt = Date.now();
    assert.equal(await app.byId('signed-in-user').getAttribute('data-user'), 'wang.li');
    // The cookie is the session; no script can read it.
    assert.equal(await phone.page.evaluate(() => document.cookie), '');
    await app.serviceWorkerReady();
    await app.waitSyncState('synced');

    await phone.context.setOffline(true);
    await app.waitSyncState('offline');
    const id = await app.checkIn({ note: '会话过期前的记录' });
    // Offline after one login: a reload still opens the app, not the login screen.
    await phone.page.reload();
    await app.byId('checkin-submit').waitFor();
    assert.equal(await app.pendingCount(), 1);

    // The session runs out while the phone is offline.
    const left = loggedInAt + SESSION_SECS * 1000 + 500 - Date.now();
    if (left > 0) await new Promise((r) => setTimeout(r, left));
    await phone.context.setOffline(false);
    await app.byId('sync-now').click();
    await app.waitSyncState('signed-out');
    await app.byId('session-ended').waitFor();
    assert.equal(await app.pendingCount(), 1, 'the record waits on the phone');
    await app.screenshot('session-ended');

    await app.byId('log-in-again').click();
    assert.equal(await app.byId('login-username').inputValue(), 'wang.li');
    await app.login();
    await app.waitPending(0);
    await app.waitSyncState('synced');
    assert.equal(await app.byId('session-ended').isVisible(), false);

    const pulled = await (await server.api('/api/sync/pull?since=0')).json();
    assert.deepEqual(pulled.changes.map((c) => c.record.id), [id], 'on the server exactly once');
    const history = await (await server.api(`/api/records/${id}/history`)).json();
    assert.equal(history.length, 1);
  } finally {
    await phone.context.close();
  }
});

test('logout is refused while records are unsynced, offers them as a file, then wipes the phone', async () => {
  const officer = await server.createUser({ username: 'zhao.min', role: 'officer', schools: DEMO_SCHOOLS });
  const phone = await launchProfile();
  try {
    const app = new App(phone.page, server.base, officer);
    await app.open();
    await app.waitSyncState('synced');
    await phone.context.setOffline(true);
    const id = await app.checkIn({ note: '退出前未上传' });

    await app.byId('nav-settings').click();
    assert.match(await app.byId('account-who').textContent(), /zhao\.min/);
    await app.byId('logout').click();
    // It asks first, and says that logging in again needs a signal.
    assert.match(await app.byId('logout-confirm-panel').textContent(), /再次登录需要网络信号/);
    await app.byId('logout-confirm').click();
    await phone.page.waitForFunction(() => document.querySelector('[data-testid="logout-problem"]')?.textContent);
    assert.match(await app.byId('logout-problem').textContent(), /未上传.*1/);
    await app.screenshot('logout-refused');
    const [download] = await Promise.all([
      phone.page.waitForEvent('download'),
      app.byId('export-unsynced').click(),
    ]);
    const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
    assert.deepEqual(exported.map((r) => r.id), [id]);
    assert.equal(exported[0].data.note, '退出前未上传');
    assert.equal(await app.pendingCount(), 1, 'still on the phone');

    await phone.context.setOffline(false);
    await app.byId('sync-now').click();
    await app.waitPending(0);
    await app.byId('logout').click();
    await app.byId('logout-cancel').click();
    assert.equal(await app.byId('signed-in-user').getAttribute('data-user'), 'zhao.min', 'cancel keeps the user signed in');
    await app.byId('logout').click();
    await app.byId('logout-confirm').click();
    await app.byId('login-submit').waitFor();
    const left = await phone.page.evaluate(() => Object.keys(localStorage).filter((k) =>
      k.startsWith('gw:r:') || k === 'gw:profile' || k === 'gw:cursor'));
    assert.deepEqual(left, [], 'no records or profile left on the phone');
    // The session ended on the server too: a reload does not bring the user back.
    await phone.page.reload();
    await app.byId('login-submit').waitFor();
  } finally {
    await phone.context.close();
  }
});

test('a lead cannot see another lead\'s team', async () => {
  const leadA = await server.createUser({ username: 'lead.a', role: 'lead', schools: DEMO_SCHOOLS });
  const leadB = await server.createUser({ username: 'lead.b', role: 'lead', schools: DEMO_SCHOOLS });
  const a = await launchProfile();
  const b = await launchProfile();
  try {
    const appA = new App(a.page, server.base, leadA);
    await appA.open();
    await appA.byId('nav-team').click();
    await appA.byId('team-name-input').fill('甲队');
    await appA.byId('team-create').click();
    await appA.byId('team-name').filter({ hasText: '甲队' }).waitFor();
    await appA.byId('member-add').click();
    await appA.byId('member-name').fill('王芳');
    await appA.byId('member-phone-input').fill('13800000001');
    await appA.byId('member-save').click();
    await appA.byId('sync-now').click();
    await appA.waitPending(0);

    const appB = new App(b.page, server.base, leadB);
    await appB.open();
    await appB.waitSyncState('synced');
    await appB.byId('nav-team').click();
    await appB.byId('team-empty').waitFor();
    assert.equal(await appB.byId('team-follow').isVisible(), false, 'no other team to follow');
    // Check-ins of lead B's schools may be there; nothing of team 甲 (kinds t, v, s).
    const heldKinds = await b.page.evaluate(() => Object.keys(localStorage)
      .filter((k) => k.startsWith('gw:r:'))
      .map((k) => JSON.parse(localStorage.getItem(k)).k));
    assert.deepEqual(heldKinds.filter((k) => k !== 'c'), [], 'nothing of team 甲 on the other lead\'s phone');
    // Nor does the server give it to lead B directly, while lead A gets it.
    const kindsFor = async (login, device) => {
      const api = await apiSession(server.base, login, device);
      const pulled = await (await api('/api/sync/pull?since=0')).json();
      return pulled.changes.map((c) => c.record.kind).filter((k) => k !== 'checkin');
    };
    assert.deepEqual(await kindsFor(leadB, 'leadbnode'), []);
    assert.deepEqual((await kindsFor(leadA, 'leadanode')).sort(), ['team', 'volunteer']);
    await appB.screenshot('lead-other-team-hidden');
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

test('a check-in at a school taken out of the officer\'s scope while offline is refused, kept on the phone and says why', async () => {
  const officer = await server.createUser({ username: 'li.na', role: 'officer', schools: ['s01', 's02'] });
  const phone = await launchProfile();
  try {
    const app = new App(phone.page, server.base, officer);
    await app.open();
    await app.waitSyncState('synced');
    // The picker offers the gates of the officer's schools only.
    const offered = async () => (await app.byId('post-select').locator('option').evaluateAll(
      (options) => options.map((o) => o.value))).map((id) => id.split('-')[0]);
    assert.deepEqual([...new Set(await offered())].sort(), ['s01', 's02']);
    await phone.context.setOffline(true);
    const mine = await app.checkIn({ post: 's01-g1', note: '本校' });
    const other = await app.checkIn({ post: 's02-g1', note: '外校' });
    // Meanwhile an admin moves the officer to s01 alone.
    await server.changeUser('li.na', { role: 'officer', schools: ['s01'] });
    await phone.context.setOffline(false);
    await app.byId('sync-now').click();
    // Its own goes up; the other one stays, refused, with the server's reason beside it:
    // not counted as waiting. The header says all that can go up is on the server, with
    // the refused count beside it.
    await app.byId('refused-count').waitFor();
    assert.equal(await app.pendingCount(), 0, 'a refused record is not pending');
    assert.match(await app.byId('refused-count').textContent(), /拒收\s*1/);
    await app.waitSyncState('synced');
    await app.history();
    await phone.page.waitForSelector(`[data-testid="checkin-row"][data-id="${mine}"][data-synced="true"]`);
    const row = phone.page.locator(`[data-testid="checkin-row"][data-id="${other}"]`);
    assert.equal(await row.getAttribute('data-synced'), 'false');
    assert.equal(await row.getAttribute('data-status'), 'refused');
    assert.match(await row.locator('[data-testid="row-sync"]').textContent(), /服务器拒收.*不在您账号的辖区内/);
    assert.equal(await row.getByTestId('row-void').count(), 0, 'a refused record is not voided (it would be refused again)');
    await app.screenshot('out-of-scope-refused');
    // It stays refused after a reload (not pending, not pushed again).
    await phone.page.reload();
    await app.byId('refused-count').waitFor();
    assert.equal(await app.pendingCount(), 0);
    // Logout is not blocked by it: it asks, naming the refused record that will go.
    await app.byId('nav-settings').click();
    await app.byId('logout').click();
    assert.match(await app.byId('logout-refused').textContent(), /1\s*条被拒收的记录将从本机删除/);
    await app.byId('logout-cancel').click();
    // Exported to a file, then discarded after confirming.
    await app.history();
    const [download] = await Promise.all([
      phone.page.waitForEvent('download'),
      row.getByTestId('row-export').click(),
    ]);
    const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
    assert.deepEqual(exported.map((r) => [r.record.id, r.refusal.code]), [[other, 'out_of_scope']]);
    await row.getByTestId('row-discard').click();
    await row.getByTestId('discard-confirm').click();
    await row.waitFor({ state: 'detached' });
    assert.equal(await app.byId('refused-count').isVisible(), false);
    // Never stored on the server.
    const history = await server.api(`/api/records/${other}/history`);
    assert.equal(history.status, 404);
    // The phone now offers only s01's gates.
    await app.byId('nav-checkin').click();
    await phone.page.waitForFunction(() => {
      const offered = [...document.querySelectorAll('[data-testid="post-select"] option')];
      return offered.length > 0 && offered.every((o) => o.value.startsWith('s01-'));
    });
  } finally {
    await phone.context.close();
  }
});
