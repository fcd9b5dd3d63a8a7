// End-to-end, the admins' page at /admin (served by the server, no wasm): signing in
// (a wrong password refused in words, a non-admin turned away, logging out), a CSV
// import with its line-numbered error in Chinese, a file of neither UTF-8 nor GBK
// refused, then a GBK file as a Chinese Excel saves it imported with its names intact,
// a gate's location set in decimal degrees, the coverage report for a date range
// downloaded and read, and the accounts: one created with a made-up password, that
// password reset, two imported by CSV, the made-up passwords kept until dismissed, a
// phone's session revoked; and the page at a phone's 390 px width.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import iconv from 'iconv-lite';
import { ADMIN, App, PHONE, SCREENSHOTS, apiSession, launchProfile, startServer } from './harness.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

const DESK = { viewport: { width: 1280, height: 900 }, isMobile: false, hasTouch: false };

// Counted from 2025-09-01 (a school new to an import otherwise counts from that day).
const CATALOG = [
  'school_id,school_name,post_id,gate,morning,noon,afternoon,lead_minutes,counted_from',
  'e2e1,测试一小,e2e1-g1,南门,07:20-08:00,11:40-12:20,16:30-17:20,15,2025-09-01',
  'e2e1,测试一小,e2e1-g2,北门,07:20-08:00,11:40-12:20,16:30-17:20,15,2025-09-01',
  'e2e2,测试幼儿园,e2e2-g1,正门,08:00-08:30,,16:00-16:40,,2025-09-01',
].join('\n');

/** A file as Excel on a Chinese Windows saves plain "CSV": GBK bytes, no byte order mark. */
const gbk = (text) => iconv.encode(text, 'gbk');

/** A server CSV: BOM first, then rows of cells (no quoted commas in these tests). */
function parseCsv(bytes) {
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'CSV starts with a BOM for Excel');
  return bytes.subarray(3).toString('utf8').trim().split('\r\n').map((l) => l.split(','));
}

test('an admin signs in, imports schools, sets a gate location, downloads a report and manages accounts', async () => {
  const { context, page } = await launchProfile(undefined, DESK);
  const byId = (id) => page.getByTestId(id);
  const state = (id) => byId(id).getAttribute('data-state');
  const userRow = (username) => page.locator(`[data-testid="admin-user-row"][data-username="${username}"]`);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  // Resetting a password and revoking a device ask first.
  page.on('dialog', (d) => d.accept());
  const signIn = async ({ username, password }) => {
    await byId('admin-login-username').fill(username);
    await byId('admin-login-password').fill(password);
    await byId('admin-login-submit').click();
  };
  try {
    // Same browser as the phone app: its service worker must not answer for /admin.
    const app = new App(page, server.base);
    await app.open();
    await app.serviceWorkerReady();
    const response = await page.goto(`${server.base}/admin`);
    assert.match(response.headers()['content-type'], /^text\/html/);
    // The app's session is this page's too (one cookie): signed in already. Log out.
    await byId('admin-signed-in').waitFor();
    assert.match(await byId('admin-signed-in').textContent(), /admin/);
    await byId('admin-logout').click();
    await byId('admin-login-submit').waitFor();

    // Signed out, nothing but the form; a wrong password is refused in words.
    assert.ok(await byId('admin-load-status').isHidden());
    await signIn({ username: ADMIN.username, password: 'not-the-password' });
    await page.waitForSelector('[data-testid="admin-login-error"][data-state="error"]');
    assert.match(await byId('admin-login-error').textContent(), /用户名或密码错误/);
    assert.ok(await byId('admin-users').isHidden());
    await app.screenshot('admin-login');
    await signIn(ADMIN);
    await byId('admin-signed-in').waitFor();
    assert.match(await byId('admin-signed-in').textContent(), /admin/);
    await page.waitForSelector('[data-testid="admin-load-status"][data-state="loaded"]');
    // The demo catalog of a fresh server is listed.
    assert.ok(await byId('admin-school-row').count() > 0);

    // A broken file: nothing is imported, and the error names the line.
    await byId('admin-import-text').fill(CATALOG.replace('e2e1-g2,北门,07:20-08:00', 'e2e1-g2,北门,07:20-25:00'));
    await byId('admin-import-submit').click();
    await page.waitForSelector('[data-testid="admin-import-result"][data-state="error"]');
    const refused = await byId('admin-import-result').textContent();
    assert.match(refused, /文件内容有误.*line 3/, refused);
    assert.equal(await page.locator('[data-testid="admin-school-row"][data-id="e2e1"]').count(), 0);

    // A file of neither UTF-8 nor GBK (a byte no character starts with): refused in
    // Chinese, naming the line, nothing imported.
    const broken = Buffer.concat([gbk(CATALOG), Buffer.from('\ne2e3,'), Buffer.from([0xff, 0x41]), Buffer.from(',e2e3-g1,x,,,,\n')]);
    await byId('admin-import-file').setInputFiles({ name: 'broken.csv', mimeType: 'text/csv', buffer: broken });
    assert.equal(await byId('admin-import-text').inputValue(), '', 'a chosen file replaces pasted text');
    await byId('admin-import-submit').click();
    await page.waitForSelector('[data-testid="admin-import-result"][data-state="error"] >> text=文件编码无法识别');
    assert.match(await byId('admin-import-result').textContent(), /未导入.*CSV UTF-8.*0xFF on line 5/);
    assert.equal(await page.locator('[data-testid="admin-school-row"][data-id="e2e1"]').count(), 0);

    // The fixed file as a Chinese Excel saves it (GBK), through the file picker: the page
    // sends its bytes, the server reads them as GB18030.
    await byId('admin-import-file').setInputFiles({ name: 'catalog.csv', mimeType: 'text/csv', buffer: gbk(CATALOG) });
    await byId('admin-import-submit').click();
    await page.waitForSelector('[data-testid="admin-import-result"][data-state="ok"]');
    assert.match(await byId('admin-import-result').textContent(), /2 所学校.*3 个岗位/);
    const school = page.locator('[data-testid="admin-school-row"][data-id="e2e1"]');
    await school.waitFor();
    assert.match(await school.textContent(), /测试一小.*07:20–08:00.*15/);
    assert.match(await page.locator('[data-testid="admin-school-row"][data-id="e2e2"]').textContent(), /测试幼儿园/);

    // A location with a seventh decimal is refused in words before anything is sent.
    await byId('admin-loc-post').selectOption('e2e1-g2');
    await byId('admin-loc-lat').fill('22.5430991');
    await byId('admin-loc-lon').fill('113.264385');
    await byId('admin-loc-save').click();
    assert.equal(await state('admin-loc-result'), 'error');
    assert.match(await byId('admin-loc-result').textContent(), /6 位小数/);
    // Decimal degrees become microdegrees exactly.
    await byId('admin-loc-lat').fill('22.543099');
    await byId('admin-loc-save').click();
    await page.waitForSelector('[data-testid="admin-loc-result"][data-state="ok"]');
    await page.waitForSelector('[data-testid="admin-post-row"][data-id="e2e1-g2"][data-location="22543099,113264385"]');
    const posts = await (await server.api(`/api/posts`)).json();
    const post = posts.find((p) => p.id === 'e2e1-g2');
    assert.deepEqual(post.location, { lat_e6: 22543099, lon_e6: 113264385 });
    assert.equal(post.gate, '北门', 'the PUT kept the gate');
    assert.equal(posts.find((p) => p.id === 'e2e1-g1').location, undefined);

    // Reports for three past days: the coverage rates on the page, then the CSV.
    await byId('admin-from').fill('2025-09-01');
    await byId('admin-to').fill('2025-09-03');
    await byId('admin-coverage-refresh').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="admin-coverage-overall"]')?.textContent.includes('2025-09-01 – 2025-09-03'));
    assert.match(await byId('admin-coverage-overall').textContent(), /: 0\.0% \(0\/\d+\)/);
    assert.equal(await byId('admin-coverage-overall').getAttribute('data-percent'), '0');
    assert.match(await page.locator('[data-testid="admin-coverage-row"][data-key="e2e1"]').textContent(), /测试一小0\.0% \(0\/18\)/);
    for (const report of ['checkins', 'incidents', 'coverage']) {
      assert.equal(await byId(`admin-export-${report}`).getAttribute('href'),
        `/api/export/${report}.csv?from=2025-09-01&to=2025-09-03`);
    }
    const [file] = await Promise.all([page.waitForEvent('download'), byId('admin-export-coverage').click()]);
    // In Chinese by default, named with its dates.
    assert.equal(file.suggestedFilename(), '落实率_2025-09-01_2025-09-03.csv');
    const rows = parseCsv(readFileSync(await file.path()));
    assert.deepEqual(rows[0].slice(0, 5), ['学校编号', '学校', '日期', '时段', '结果']);
    const mine = rows.filter((r) => r[0] === 'e2e1' || r[0] === 'e2e2');
    // e2e1 has two gates with three windows a day, e2e2 one gate with two; nobody
    // checked in on those three weekdays.
    assert.equal(mine.length, 3 * 2 * 3 + 3 * 2);
    assert.ok(mine.every((r) => r[4] === '未到岗'), JSON.stringify(mine));
    assert.deepEqual(rows.at(-1).slice(1, 4), ['落实率', '2025-09-01_2025-09-03', '全部']);

    const gates = (await (await server.api('/api/posts')).json()).filter((p) => p.school_id === 'e2e1');
    assert.deepEqual(gates.map((p) => `${p.school} ${p.gate}`).sort(), ['测试一小 北门', '测试一小 南门'],
      'the names every officer\'s post picker shows');

    // An officer of the imported school, with a password the server makes up.
    await page.waitForSelector('[data-testid="admin-users-status"][data-state="loaded"]');
    assert.equal(await userRow(ADMIN.username).getAttribute('data-role'), 'admin');
    await byId('admin-user-new-username').fill('e2e.officer');
    await byId('admin-user-new-name').fill('测试民警');
    await byId('admin-user-new-role').selectOption('officer');
    await byId('admin-user-new-schools').selectOption(['e2e1']);
    await byId('admin-user-create').click();
    const once = (username) => page.locator(`[data-testid="admin-once-row"][data-username="${username}"]`);
    await once('e2e.officer').waitFor();
    const first = await once('e2e.officer').getByTestId('admin-once-password').textContent();
    assert.match(await byId('admin-once').textContent(), /只显示这一次/);
    await userRow('e2e.officer').waitFor();
    assert.match(await userRow('e2e.officer').textContent(), /测试民警.*执勤民警.*测试一小.*正常/);
    await byId('admin-users').scrollIntoViewIfNeeded();
    await app.screenshot('admin-users');
    const officer = { username: 'e2e.officer', password: first };
    const firstSession = await apiSession(server.base, officer);
    assert.deepEqual((await (await firstSession('/api/auth/me')).json()).schools, ['e2e1']);

    // Reset: a new password, the old one refused, the old session over.
    await userRow('e2e.officer').getByTestId('admin-user-reset').click();
    await page.waitForFunction((old) => {
      const shown = document.querySelector('[data-testid="admin-once-row"][data-username="e2e.officer"] code')?.textContent;
      return shown && shown !== old;
    }, first);
    // The new password replaces the old one, which no longer works: one row.
    assert.equal(await once('e2e.officer').count(), 1);
    officer.password = await once('e2e.officer').getByTestId('admin-once-password').textContent();
    assert.match(await byId('admin-user-result').textContent(), /1 个会话/);
    await assert.rejects(apiSession(server.base, { ...officer, password: first }), /401.*bad_credentials/);
    assert.equal((await firstSession('/api/auth/me')).status, 401);
    const phone = await apiSession(server.base, officer);

    // An edit: a second school.
    await userRow('e2e.officer').getByTestId('admin-user-edit').click();
    await byId('admin-user-edit-schools').selectOption(['e2e1', 'e2e2']);
    await byId('admin-user-edit-save').click();
    await page.waitForSelector('[data-testid="admin-user-result"][data-state="ok"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="admin-user-row"][data-username="e2e.officer"]')?.textContent.includes('测试幼儿园'));
    assert.deepEqual((await (await phone('/api/auth/me')).json()).schools, ['e2e1', 'e2e2']);
    // One's own role and state are not offered.
    await userRow(ADMIN.username).getByTestId('admin-user-edit').click();
    assert.ok(await byId('admin-user-edit-role').isDisabled());
    assert.ok(await byId('admin-user-edit-disabled').isDisabled());
    await byId('admin-user-edit-cancel').click();

    // Accounts by CSV: a bad file changes nothing and names its line, then two accounts.
    const people = [
      'username,display_name,role,schools,teams',
      'e2e.lead,李队长,lead,e2e1,',
      'e2e.second,王二,officer,e2e1;e2e2,',
    ].join('\n');
    await byId('admin-users-import-text').fill(people.replace('王二,officer', '王二,chief'));
    await byId('admin-users-import-submit').click();
    await page.waitForSelector('[data-testid="admin-users-import-result"][data-state="error"]');
    assert.match(await byId('admin-users-import-result').textContent(), /文件内容有误.*line 3: .*chief/);
    assert.equal(await userRow('e2e.lead').count(), 0);
    await byId('admin-users-import-file').setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: gbk(people) });
    await byId('admin-users-import-submit').click();
    await page.waitForSelector('[data-testid="admin-users-import-result"][data-state="ok"]');
    await userRow('e2e.second').waitFor();
    assert.match(await userRow('e2e.lead').textContent(), /李队长/, 'a GBK name read right');
    assert.equal(await userRow('e2e.lead').getAttribute('data-role'), 'lead');
    // Every made-up password is still there, the officer's from before the import too,
    // after the users list was reloaded.
    const passwords = await page.$$eval('[data-testid="admin-once-row"]',
      (rows) => rows.map((r) => ({ username: r.dataset.username, password: r.querySelector('code').textContent })));
    assert.deepEqual(passwords.map((c) => c.username).sort(), ['e2e.lead', 'e2e.officer', 'e2e.second']);
    const created = ['e2e.lead', 'e2e.second'].map((u) => passwords.find((c) => c.username === u));
    await apiSession(server.base, created[1]);
    // Another action does not hide them; the dismiss button does.
    await byId('admin-coverage-refresh').click();
    await page.waitForSelector('[data-testid="admin-coverage-status"][data-state="loaded"]', { state: 'attached' });
    assert.ok(await byId('admin-once').isVisible());
    await byId('admin-once-dismiss').click();
    assert.ok(await byId('admin-once').isHidden());
    assert.equal(await page.locator('[data-testid="admin-once-row"]').count(), 0, 'the passwords are gone from the page');

    // The officer's phone is listed; revoking it ends its session.
    await userRow('e2e.officer').getByTestId('admin-user-devices').click();
    const device = page.locator('[data-testid="admin-device-row"][data-device="e2enode"]');
    await device.waitFor();
    assert.equal(await device.getAttribute('data-active'), '1');
    await device.getByTestId('admin-device-revoke').click();
    await page.waitForSelector('[data-testid="admin-device-row"][data-device="e2enode"][data-active="0"]');
    assert.match(await byId('admin-devices-status').textContent(), /1 个会话/);
    assert.equal((await phone('/api/auth/me')).status, 401);

    // Logging out brings the form back, and it stays after a reload (the cookie is gone).
    await byId('admin-logout').click();
    await byId('admin-login-submit').waitFor();
    assert.ok(await byId('admin-users').isHidden());
    assert.equal(await page.locator('[data-testid="admin-once-row"]').count(), 0, 'no one-time password is left');
    await page.reload();
    await byId('admin-login-submit').waitFor();

    // A lead may sign in, but this page is not theirs.
    await signIn(created[0]);
    await byId('admin-forbidden').waitFor();
    assert.match(await byId('admin-signed-in').textContent(), /e2e\.lead/);
    assert.ok(await byId('admin-load-status').isHidden());
    await byId('admin-logout').click();
    await byId('admin-login-submit').waitFor();
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('at a phone\'s 390 px the page does not scroll sideways and its controls are a finger wide', async () => {
  const { context, page } = await launchProfile(undefined, { viewport: PHONE });
  const byId = (id) => page.getByTestId(id);
  try {
    await page.goto(`${server.base}/admin`);
    await byId('admin-login-username').fill(ADMIN.username);
    await byId('admin-login-password').fill(ADMIN.password);
    await byId('admin-login-submit').click();
    await page.waitForSelector('[data-testid="admin-users-status"][data-state="loaded"]');
    await page.waitForSelector('[data-testid="admin-coverage-status"][data-state="loaded"]', { state: 'attached' });
    // A made-up password on screen too, and an error line: the widest things it shows.
    await byId('admin-user-new-username').fill('phone.width');
    await byId('admin-user-new-name').fill('窄屏测试');
    await byId('admin-user-create').click();
    await page.locator('[data-testid="admin-once-row"][data-username="phone.width"]').waitFor();
    await byId('admin-import-file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from([0x61, 0xff, 0x0a]) });
    await byId('admin-import-submit').click();
    await page.waitForSelector('[data-testid="admin-import-result"][data-state="error"]');

    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= PHONE.width, `the page is ${width} px wide`);
    // Every visible control at least 44 px tall, and none of them past the right edge
    // of the page (the users table's buttons scroll inside the table's own box).
    const small = await page.$$eval('button, input, select, .toc a, .downloads a', (nodes) => nodes
      .filter((n) => n.getClientRects().length && n.type !== 'checkbox')
      .map((n) => ({ what: n.dataset.testid || n.textContent.trim() || n.type, height: n.getBoundingClientRect().height }))
      .filter((c) => c.height < 44));
    assert.deepEqual(small, [], 'touch targets under 44 px');
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'admin-phone.png'), fullPage: true });
  } finally {
    await context.close();
  }
});
