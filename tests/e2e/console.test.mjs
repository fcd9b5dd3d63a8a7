// End-to-end, the managers' console at /console/ (crates/console) against the real
// server: a supervisor makes a week's roster in the grid (an overlap refused in words on
// its cell), copies it to the next week, imports a 值班表 CSV with a bad line and sees
// the line (nothing stored), with no CSP violation; a lead is told the console is for
// managers.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ADMIN, SCREENSHOTS, apiSession, launchProfile, startServer, watchViolations } from './harness.mjs';

const DESK = { width: 1280, height: 900 };
let server;

/** An account with a display name of its own (createUser names accounts by username). */
async function account(username, display_name, role, schools) {
  const password = `${username}-password`;
  const made = await server.api('/api/admin/users', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password, display_name, role, schools, teams: [] }),
  });
  assert.ok(made.ok, `create ${username}: ${made.status} ${await made.text()}`);
  return { username, password };
}

let chief;
let lead;
before(async () => {
  server = await startServer();
  chief = await account('chief1', '王所长', 'supervisor', ['s01']);
  lead = await account('lead9', '赵队长', 'lead', ['s01']);
  await account('zhang.wei', '张伟', 'officer', ['s01']);
  await account('li.na', '李娜', 'officer', ['s01']);
});
after(async () => { await server?.stop(); });

/** The console in a fresh browser, signed in as `who`. */
async function openConsole(who, viewport = DESK) {
  const { context, page } = await launchProfile(undefined, {
    viewport, isMobile: false, hasTouch: false, deviceScaleFactor: 1, timezoneId: 'Asia/Shanghai',
  });
  const violations = await watchViolations(context, page);
  // The phone app first, as on a desk where someone opened it: its service worker,
  // whose scope is the whole origin, must leave the console alone.
  await page.goto(`${server.base}/`);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  assert.ok(await page.evaluate(() => navigator.serviceWorker.controller !== null), 'the PWA\'s worker controls the page');
  const response = await page.goto(`${server.base}/console/`);
  assert.equal(response.fromServiceWorker(), false, '/console/ is not answered by the PWA\'s worker');
  assert.match(response.headers()['content-security-policy'], /script-src 'self' 'wasm-unsafe-eval'/);
  await page.getByTestId('login-username').fill(who.username);
  await page.getByTestId('login-password').fill(who.password);
  await page.getByTestId('login-submit').click();
  return { context, page, violations };
}

function addDays(date, n) {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

const cell = (page, post, date, window) => page.getByTestId(`cell-${post}-${date}-${window}`);

/** Adds `label` (an officer picker's text) to a cell, with a car if given. */
async function assign(page, target, label, car) {
  await target.getByTestId('cell-edit').click();
  await target.getByTestId('cell-officer-choice').selectOption({ label });
  if (car) await target.getByTestId('cell-car').fill(car);
  await target.getByTestId('cell-save').click();
}

test('a supervisor makes a week in the grid, copies it, and sees a CSV refused by its line', async () => {
  const { context, page, violations } = await openConsole(chief);
  try {
    await page.getByTestId('roster-grid').waitFor();
    // Only the supervisor's school is offered.
    assert.deepEqual(await page.getByTestId('roster-school').locator('option').allTextContents(), ['实验小学']);
    const monday = await page.getByTestId('roster-week').inputValue();
    assert.equal(new Date(`${monday}T00:00:00Z`).getUTCDay(), 1, `the week starts on a Monday: ${monday}`);
    const tuesday = addDays(monday, 1);
    const saturday = addDays(monday, 5);

    // Weekends are not due (no calendar entry makes them so): grey.
    assert.match(await cell(page, 's01-g1', saturday, 'morning').getAttribute('class'), /not-due/);
    assert.match(await cell(page, 's01-g1', monday, 'morning').getAttribute('class'), /\bdue\b/);

    await assign(page, cell(page, 's01-g1', monday, 'morning'), '张伟 (zhang.wei)', '苏A·12345');
    const mondayCell = cell(page, 's01-g1', monday, 'morning');
    await mondayCell.getByTestId('cell-officer').filter({ hasText: '张伟' }).waitFor();
    assert.equal(await mondayCell.getByTestId('cell-car-plate').textContent(), '苏A·12345');
    await assign(page, cell(page, 's01-g1', tuesday, 'morning'), '李娜 (li.na)');
    await cell(page, 's01-g1', tuesday, 'morning').getByTestId('cell-officer').filter({ hasText: '李娜' }).waitFor();

    // 张伟 at the other gate in the same window: refused, said on that cell.
    const other = cell(page, 's01-g2', monday, 'morning');
    await assign(page, other, '张伟 (zhang.wei)');
    const refusal = other.getByTestId('cell-error');
    await refusal.waitFor();
    assert.match(await refusal.textContent(), /冲突/);
    assert.equal(await other.getByTestId('cell-officer').count(), 0);

    // The next week, copied from this one.
    await page.getByTestId('roster-next').click();
    const nextMonday = addDays(monday, 7);
    await cell(page, 's01-g1', nextMonday, 'morning').waitFor();
    await page.getByTestId('roster-copy-previous').click();
    await page.getByTestId('roster-status').filter({ hasText: '已复制岗位数： 2' }).waitFor();
    const copied = cell(page, 's01-g1', nextMonday, 'morning');
    await copied.getByTestId('cell-officer').filter({ hasText: '张伟' }).waitFor();
    assert.equal(await copied.getByTestId('cell-car-plate').textContent(), '苏A·12345');

    // A 值班表 with an unknown officer on line 3: refused whole, the line named.
    const csv = [
      '日期,学校,校门,时段,民警,车辆',
      `${nextMonday},实验小学,南门,午,li.na,`,
      `${nextMonday},实验小学,南门,晚,nobody.here,`,
    ].join('\n');
    await page.getByTestId('roster-import').setInputFiles({ name: '值班表.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByTestId('roster-import-send').click();
    const status = page.getByTestId('roster-status').filter({ hasText: '第 3 行' });
    await status.waitFor();
    assert.match(await status.textContent(), /CSV 未导入/);
    const chiefApi = await apiSession(server.base, chief, 'e2echief');
    const week = await (await chiefApi(`/api/roster?from=${nextMonday}&to=${addDays(nextMonday, 6)}`)).json();
    assert.deepEqual(week.assignments.map((a) => [a.date, a.window]).sort(),
      [[nextMonday, 'morning'], [addDays(nextMonday, 1), 'morning']], 'nothing of the refused file stored');

    // The export the link offers is the week as the import reads it.
    const href = await page.getByTestId('roster-export').getAttribute('href');
    assert.equal(href, `/api/export/roster.csv?from=${nextMonday}&to=${addDays(nextMonday, 6)}&lang=zh`);
    const sheet = await (await chiefApi(href)).text();
    assert.match(sheet, /zhang\.wei/);

    // At 390 px the page does not scroll sideways: the grid scrolls in its own box.
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(overflow <= 390, `page width at 390 px: ${overflow}`);
    await page.screenshot({ path: join(SCREENSHOTS, 'console-roster-390.png') });
    assert.deepEqual(violations(), [], 'no CSP violation in the console');
  } finally {
    await context.close();
  }
});

test('a team lead is told the console is for managers, and shown no screen of it', async () => {
  const { context, page, violations } = await openConsole(lead);
  try {
    await page.getByTestId('not-for-you').waitFor();
    assert.equal(await page.getByTestId('nav-roster').count(), 0);
    assert.equal(await page.getByTestId('to-phone-app').getAttribute('href'), '/');
    assert.deepEqual(violations(), []);
  } finally {
    await context.close();
  }
});

test('an admin loads the national calendar: the grid greys the holiday and has the 调休 Saturday due', async () => {
  const { context, page, violations } = await openConsole(ADMIN);
  try {
    await page.getByTestId('nav-calendar').click();
    await page.getByTestId('calendar-year').selectOption('2026');
    await page.getByTestId('calendar-national').click();
    await page.getByTestId('calendar-status').filter({ hasText: '已导入条数' }).waitFor();
    assert.ok(await page.getByTestId('calendar-entries').locator('tbody tr').count() >= 8, 'the year\'s entries listed');
    await page.getByTestId('calendar-month').fill('2026-10');
    const saturday = page.getByTestId('day-2026-10-10');
    await saturday.filter({ hasText: '国庆节调休' }).waitFor();
    assert.match(await saturday.getAttribute('class'), /\bdue\b/);
    assert.match(await page.getByTestId('day-2026-10-01').getAttribute('class'), /\boff\b/);

    await page.getByTestId('nav-roster').click();
    await page.getByTestId('roster-week').fill('2026-10-07');
    await cell(page, 's01-g1', '2026-10-10', 'morning').waitFor();
    assert.match(await cell(page, 's01-g1', '2026-10-05', 'morning').getAttribute('class'), /not-due/, 'a holiday');
    assert.match(await cell(page, 's01-g1', '2026-10-09', 'morning').getAttribute('class'), /\bdue\b/);
    assert.match(await cell(page, 's01-g1', '2026-10-10', 'morning').getAttribute('class'), /\bdue\b/, 'the 调休 Saturday');
    assert.match(await cell(page, 's01-g1', '2026-10-11', 'morning').getAttribute('class'), /not-due/);
    await page.screenshot({ path: join(SCREENSHOTS, 'console-roster-holiday.png'), fullPage: true });
    assert.deepEqual(violations(), []);
  } finally {
    await context.close();
  }
});
