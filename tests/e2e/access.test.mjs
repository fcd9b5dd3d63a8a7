// End-to-end, issue 13: what a phone does when the server takes access away or holds
// it back. A revoked device or a disabled account locks the phone — what the server
// has leaves it, unsynced records are hidden, offered as a file, and come back (and go
// up) when the same user logs in again; a push over the account's daily limit waits,
// says why, and keeps its record waiting, not refused.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { App, launchProfile, startServer } from './harness.mjs';

const DEMO_SCHOOLS = ['s01', 's02', 's03', 's04'];

let server;
let limited;
before(async () => {
  server = await startServer();
  // Two records a day per account, so the third check-in is over the limit.
  limited = await startServer({ env: { GATEWATCH_PUSH_RECORDS_PER_DAY: '2' } });
});
after(async () => {
  await server?.stop();
  await limited?.stop();
});

/** The account's id, as an admin's list has it. */
async function userId(srv, username) {
  const users = await (await srv.api('/api/admin/users')).json();
  return users.find((u) => u.username === username).id;
}

/** The keys of records held in the phone's localStorage. */
async function heldRecordKeys(page) {
  return page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('gw:r:')));
}

/** An officer's phone with one record on the server and one made offline, not sent. */
async function phoneWithOneSyncedOneNot(srv, username) {
  const officer = await srv.createUser({ username, role: 'officer', schools: DEMO_SCHOOLS });
  const phone = await launchProfile();
  const app = new App(phone.page, srv.base, officer);
  await app.open();
  const sent = await app.checkIn({ post: 's01-g1', note: '已上传' });
  await app.waitPending(0);
  await phone.context.setOffline(true);
  const kept = await app.checkIn({ post: 's01-g1', note: '未上传' });
  return { phone, app, sent, kept };
}

test('a revoked phone drops what the server has, hides the rest, offers it, and the same user gets it back', async () => {
  const { phone, app, sent, kept } = await phoneWithOneSyncedOneNot(server, 'wu.gang');
  try {
    const device = await phone.page.evaluate(() => JSON.parse(localStorage.getItem('gw:clock')).device);
    const id = await userId(server, 'wu.gang');
    const revoked = await server.api(`/api/admin/users/${id}/devices/${device}/revoke`, { method: 'POST' });
    assert.equal(revoked.status, 200);

    await phone.context.setOffline(false);
    await app.byId('sync-now').click();
    await app.byId('locked').waitFor();
    assert.equal(await app.byId('locked').getAttribute('data-reason'), 'device_revoked');
    assert.match(await app.byId('locked-why').textContent(), /管理员已收回本机的访问权限/);
    assert.equal(await app.byId('locked-hidden-count').textContent(), '1');
    assert.equal(await app.byId('checkin-submit').count(), 0, 'nothing of the app shows');
    const keys = await heldRecordKeys(phone.page);
    assert.deepEqual(keys, [`gw:r:${kept}`], 'the synced record left the phone; the unsynced one is kept');
    const cursor = await phone.page.evaluate(() => localStorage.getItem('gw:cursor'));
    assert.ok(cursor === null || cursor === '0', `the feed starts again: ${cursor}`);
    assert.deepEqual(await phone.page.evaluate(() => Object.keys(localStorage)
      .filter((k) => k.startsWith('gw:gate:') || k === 'gw:posts' || k === 'gw:schools')), []);
    await app.screenshot('locked-revoked');

    // Offered as a file, and still held after a reload.
    const [download] = await Promise.all([
      phone.page.waitForEvent('download'),
      app.byId('locked-export').click(),
    ]);
    const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
    assert.deepEqual(exported.records.map((r) => r.id), [kept]);
    await app.byId('locked-clear').waitFor();
    await phone.page.reload();
    await app.byId('locked').waitFor();

    // The same user logs in again: the hidden record is back and goes up.
    await app.byId('locked-log-in').click();
    await app.login();
    await app.waitPending(0);
    const rows = await app.history();
    assert.deepEqual(rows.map((r) => r.id).sort(), [sent, kept].sort(), 'both, the first pulled again');
    const pulled = await (await server.api('/api/sync/pull?since=0')).json();
    const ids = pulled.changes.map((c) => c.record.id);
    assert.equal(ids.filter((i) => i === kept).length, 1, 'on the server exactly once');
  } finally {
    await phone.context.close();
  }
});

test('a disabled account locks the phone and says so', async () => {
  const { phone, app, kept } = await phoneWithOneSyncedOneNot(server, 'sun.li');
  try {
    const id = await userId(server, 'sun.li');
    const disabled = await server.api(`/api/admin/users/${id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ display_name: 'sun.li', role: 'officer', schools: DEMO_SCHOOLS, disabled: true }),
    });
    assert.equal(disabled.status, 200);
    await phone.context.setOffline(false);
    await app.byId('sync-now').click();
    await app.byId('locked').waitFor();
    assert.equal(await app.byId('locked').getAttribute('data-reason'), 'account_disabled');
    assert.match(await app.byId('locked-why').textContent(), /此账号已被管理员停用/);
    assert.equal(await app.byId('session-ended').isVisible(), false, 'not also "expired"');
    assert.deepEqual(await heldRecordKeys(phone.page), [`gw:r:${kept}`]);
  } finally {
    await phone.context.close();
  }
});

test('a disabled account whose session cookie lapsed locks the phone at the next login', async () => {
  const { phone, app, kept } = await phoneWithOneSyncedOneNot(server, 'qian.yu');
  try {
    const held = (await heldRecordKeys(phone.page)).sort();
    // Away long enough for the browser to drop the cookie: no sync can learn why.
    await phone.context.clearCookies({ name: 'gw_session' });
    const id = await userId(server, 'qian.yu');
    const disabled = await server.api(`/api/admin/users/${id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ display_name: 'qian.yu', role: 'officer', schools: DEMO_SCHOOLS, disabled: true }),
    });
    assert.equal(disabled.status, 200);
    await phone.context.setOffline(false);
    await app.byId('sync-now').click();
    await app.byId('session-ended').waitFor();
    assert.deepEqual((await heldRecordKeys(phone.page)).sort(), held, 'a lapsed session alone keeps everything');

    await app.byId('log-in-again').click();
    await app.byId('login-password').fill('qian.yu-password');
    await app.byId('login-submit').click();
    await app.byId('locked').waitFor();
    assert.equal(await app.byId('locked').getAttribute('data-reason'), 'account_disabled');
    assert.deepEqual(await heldRecordKeys(phone.page), [`gw:r:${kept}`]);
  } finally {
    await phone.context.close();
  }
});

test('over the daily push limit the record waits on the phone, not refused, and the header says why', async () => {
  const officer = await limited.createUser({ username: 'zhou.yi', role: 'officer', schools: DEMO_SCHOOLS });
  const phone = await launchProfile();
  try {
    const app = new App(phone.page, limited.base, officer);
    await app.open();
    await app.checkIn({ post: 's01-g1', note: '一' });
    await app.waitPending(0);
    await app.checkIn({ post: 's02-g1', note: '二' });
    await app.waitPending(0);
    const third = await app.checkIn({ post: 's03-g1', note: '三' });
    await app.waitSyncState('error');
    const problem = await app.byId('sync-problem').textContent();
    assert.match(problem, /本账号今日上传已达上限/);
    assert.match(problem, /记录已安全保存在本机/);
    // When uploads resume (a day later), with its date: not the next pull.
    assert.match(problem, /自动重试时间 \d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
    assert.equal(await app.pendingCount(), 1, 'waiting, not refused');
    assert.equal(await app.byId('refused-count').isVisible(), false);
    // Asking again before the server's time sends nothing and changes nothing.
    await app.byId('sync-now').click();
    await app.waitSyncState('error');
    assert.equal(await app.pendingCount(), 1);
    const pulled = await (await limited.api('/api/sync/pull?since=0')).json();
    assert.equal(pulled.changes.length, 2);
    assert.ok(!pulled.changes.some((c) => c.record.id === third));
    await app.screenshot('push-limit');
  } finally {
    await phone.context.close();
  }
});
