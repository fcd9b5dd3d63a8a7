// End-to-end, the managers' console at /console/ (crates/console) against the real
// server: a supervisor makes a week's roster in the grid (an overlap refused in words on
// its cell), copies it to the next week (what was left out said), imports a 值班表 CSV
// with a bad line and sees the line (nothing stored), with no CSP violation; each
// officer of a cell keeps their own car, a cell changed meanwhile is reloaded and said
// so, pickers offer the cell's / request's school only, past days are read-only; 落实率
// in English with the not-due assignments and each officer's rate as the sheet has it;
// 校历's month is one of the chosen year; 换班 shows no withdrawn request and says why a
// decision was refused; a lead is told the console is for managers.
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
let chief2;
let lead;
before(async () => {
  server = await startServer();
  chief = await account('chief1', '王所长', 'supervisor', ['s01']);
  // A station with two schools: its pickers must keep them apart.
  chief2 = await account('chief2', '钱所长', 'supervisor', ['s01', 's02']);
  lead = await account('lead9', '赵队长', 'lead', ['s01']);
  await account('zhang.wei', '张伟', 'officer', ['s01']);
  await account('li.na', '李娜', 'officer', ['s01']);
  await account('zhao.lei', '赵磊', 'officer', ['s01']);
  await account('wang.qiang', '王强', 'officer', ['s02']);
});

/** An account's id, by username. */
async function userId(username) {
  const users = await (await server.api('/api/admin/users')).json();
  return users.find((u) => u.username === username).id;
}

/** Puts officers on a slot through the API, as another manager's tab would. */
async function putSlot(postId, date, window, officers) {
  const answer = await server.api('/api/roster/slot', {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ post_id: postId, date, window, officers }),
  });
  assert.equal(answer.status, 200, await answer.text());
}
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

/** Today in China (the demo schools' zone, the roster's day), as YYYY-MM-DD. */
function chinaToday() {
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

/** The Monday of `date`'s week. */
function mondayOf(date) {
  return addDays(date, -((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7));
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
    const saturday = addDays(monday, 5);

    // Weekends are not due (no calendar entry makes them so): grey.
    assert.match(await cell(page, 's01-g1', saturday, 'morning').getAttribute('class'), /not-due/);
    assert.match(await cell(page, 's01-g1', monday, 'morning').getAttribute('class'), /\bdue\b/);

    // Next week: every day of it still to come, so editable whatever today is.
    await page.getByTestId('roster-next').click();
    const week1 = addDays(monday, 7);
    const tuesday = addDays(week1, 1);
    await assign(page, cell(page, 's01-g1', week1, 'morning'), '张伟 (zhang.wei)', '苏A·12345');
    const mondayCell = cell(page, 's01-g1', week1, 'morning');
    await mondayCell.getByTestId('cell-officer').filter({ hasText: '张伟' }).waitFor();
    assert.equal(await mondayCell.getByTestId('cell-car-plate').textContent(), '苏A·12345');
    await assign(page, cell(page, 's01-g1', tuesday, 'morning'), '李娜 (li.na)');
    await cell(page, 's01-g1', tuesday, 'morning').getByTestId('cell-officer').filter({ hasText: '李娜' }).waitFor();

    // 张伟 at the other gate in the same window: refused, said on that cell.
    const other = cell(page, 's01-g2', week1, 'morning');
    await assign(page, other, '张伟 (zhang.wei)');
    const refusal = other.getByTestId('cell-error');
    await refusal.waitFor();
    assert.match(await refusal.textContent(), /冲突/);
    assert.equal(await other.getByTestId('cell-officer').count(), 0);

    // The week after, copied from that one.
    await page.getByTestId('roster-next').click();
    const week2 = addDays(monday, 14);
    await cell(page, 's01-g1', week2, 'morning').waitFor();
    await page.getByTestId('roster-copy-previous').click();
    await page.getByTestId('roster-status').filter({ hasText: '已复制岗位数： 2' }).waitFor();
    assert.equal(await page.getByTestId('roster-skipped').count(), 0, 'nothing left out');
    const copied = cell(page, 's01-g1', week2, 'morning');
    await copied.getByTestId('cell-officer').filter({ hasText: '张伟' }).waitFor();
    assert.equal(await copied.getByTestId('cell-car-plate').textContent(), '苏A·12345');

    // A 值班表 with an unknown officer on line 3: refused whole, the line named.
    const csv = [
      '日期,学校,校门,时段,民警,车辆',
      `${week2},实验小学,南门,午,li.na,`,
      `${week2},实验小学,南门,晚,nobody.here,`,
    ].join('\n');
    await page.getByTestId('roster-import').setInputFiles({ name: '值班表.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByTestId('roster-import-send').click();
    const status = page.getByTestId('roster-status').filter({ hasText: '第 3 行' });
    await status.waitFor();
    assert.match(await status.textContent(), /CSV 未导入/);
    const chiefApi = await apiSession(server.base, chief, 'e2echief');
    const week = await (await chiefApi(`/api/roster?from=${week2}&to=${addDays(week2, 6)}`)).json();
    assert.deepEqual(week.assignments.map((a) => [a.date, a.window]).sort(),
      [[week2, 'morning'], [addDays(week2, 1), 'morning']], 'nothing of the refused file stored');

    // The export the link offers is the week as the import reads it.
    const href = await page.getByTestId('roster-export').getAttribute('href');
    assert.equal(href, `/api/export/roster.csv?from=${week2}&to=${addDays(week2, 6)}&lang=zh`);
    const sheet = await (await chiefApi(href)).text();
    assert.match(sheet, /zhang\.wei/);

    // 张伟 already at the other gate that Monday morning of the next week: the copy
    // leaves him out of 南门 and says why, and copies the rest.
    const week3 = addDays(monday, 21);
    await putSlot('s01-g2', week3, 'morning', [{ officer: await userId('zhang.wei') }]);
    await page.getByTestId('roster-next').click();
    await cell(page, 's01-g1', week3, 'morning').waitFor();
    await page.getByTestId('roster-copy-previous').click();
    await page.getByTestId('roster-status').filter({ hasText: '已复制岗位数： 1' }).waitFor();
    const skipped = page.getByTestId('roster-skipped');
    await skipped.waitFor();
    assert.equal(await skipped.locator('li').count(), 1);
    const left = await skipped.textContent();
    assert.match(left, /zhang\.wei/);
    assert.match(left, /南门/);
    assert.match(left, /同一时段已在其他岗位/);
    await cell(page, 's01-g1', addDays(week3, 1), 'morning').getByTestId('cell-officer').filter({ hasText: '李娜' }).waitFor();
    assert.equal(await cell(page, 's01-g1', week3, 'morning').getByTestId('cell-officer').count(), 0);

    // A week whose previous one is empty: nothing copied, and said so.
    await page.getByTestId('roster-week').fill(addDays(monday, 42));
    await cell(page, 's01-g1', addDays(monday, 42), 'morning').waitFor();
    await page.getByTestId('roster-copy-previous').click();
    await page.getByTestId('roster-status').filter({ hasText: '上周没有排班' }).waitFor();

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

test('each officer keeps their car, a cell changed meanwhile is reloaded, pickers keep to the school, past days are read-only', async () => {
  const { context, page, violations } = await openConsole(chief2);
  try {
    await page.getByTestId('roster-grid').waitFor();
    const monday = await page.getByTestId('roster-week').inputValue();
    const day = addDays(monday, 9); // next week's Wednesday
    await page.getByTestId('roster-week').fill(day);
    const target = cell(page, 's01-g2', day, 'noon');
    await target.waitFor();
    const officerIn = (name) => target.getByTestId('cell-officer').filter({ hasText: name });
    const plateOf = async (name) => officerIn(name).getByTestId('cell-car-plate').textContent();

    // Two officers, two cars: each cell line shows its own.
    await assign(page, target, '张伟 (zhang.wei)', '苏A·11111');
    await officerIn('张伟').waitFor();
    await assign(page, target, '李娜 (li.na)', '苏A·22222');
    await officerIn('李娜').waitFor();
    assert.equal(await plateOf('张伟'), '苏A·11111');
    assert.equal(await plateOf('李娜'), '苏A·22222');

    // The cell's editor offers the school's officers only: not 王强 of 第一中学 (s02).
    await target.getByTestId('cell-edit').click();
    const offered = await target.getByTestId('cell-officer-choice').locator('option').allTextContents();
    assert.ok(offered.includes('赵磊 (zhao.lei)'), offered.join(','));
    assert.ok(!offered.some((o) => o.includes('王强')), `an s02 officer offered in an s01 cell: ${offered}`);
    assert.ok(!offered.some((o) => o.includes('张伟')), 'someone already on the cell is not offered');

    // One officer's car changed in the editor: the other's stays.
    const [liNa, zhaoLei, zhangWei] = await Promise.all(['li.na', 'zhao.lei', 'zhang.wei'].map(userId));
    const zhangCar = target.locator(`[data-testid="cell-officer-car"][data-officer="${zhangWei}"]`);
    assert.equal(await zhangCar.inputValue(), '苏A·11111');
    await zhangCar.fill('苏A·33333');
    await target.getByTestId('cell-save').click();
    await officerIn('张伟').filter({ hasText: '苏A·33333' }).waitFor();
    assert.equal(await plateOf('李娜'), '苏A·22222');

    // Removing 张伟 leaves 李娜 with her own car.
    await officerIn('张伟').getByTestId('cell-remove').click();
    await officerIn('张伟').waitFor({ state: 'detached' });
    assert.equal(await plateOf('李娜'), '苏A·22222');
    const slotNow = async () => {
      const page = await (await server.api(`/api/roster?from=${day}&to=${day}`)).json();
      return page.assignments.filter((a) => a.post_id === 's01-g2' && a.window === 'noon')
        .map((a) => [a.officer, a.car ?? null]).sort();
    };
    assert.deepEqual(await slotNow(), [[liNa, '苏A·22222']]);

    // Meanwhile another manager adds 赵磊 to that cell; this grid still shows 李娜 alone
    // and adds 张伟: refused, said on the cell, the week read again — 赵磊 not lost.
    await putSlot('s01-g2', day, 'noon', [{ officer: liNa, car: '苏A·22222' }, { officer: zhaoLei }]);
    await assign(page, target, '张伟 (zhang.wei)');
    const said = target.getByTestId('cell-error');
    await said.waitFor();
    assert.match(await said.textContent(), /被他人修改/);
    await officerIn('赵磊').waitFor();
    assert.deepEqual(await slotNow(), [[liNa, '苏A·22222'], [zhaoLei, null]].sort());
    assert.ok(!(await slotNow()).some(([o]) => o === zhangWei));

    // 第一中学's grid offers its own officer, and none of 实验小学's.
    await page.getByTestId('roster-school').selectOption('s02');
    const s02 = cell(page, 's02-g1', day, 'morning');
    await s02.getByTestId('cell-edit').click();
    const offered2 = await s02.getByTestId('cell-officer-choice').locator('option').allTextContents();
    assert.ok(offered2.includes('王强 (wang.qiang)'), offered2.join(','));
    assert.ok(!offered2.some((o) => o.includes('张伟') || o.includes('李娜')), offered2.join(','));

    // Last week is past: read-only, and the grid says why.
    await page.getByTestId('roster-school').selectOption('s01');
    await page.getByTestId('roster-week').fill(addDays(monday, -7));
    await cell(page, 's01-g1', addDays(monday, -7), 'morning').waitFor();
    await page.getByTestId('roster-past-hint').waitFor();
    assert.match(await page.getByTestId('roster-past-hint').textContent(), /只读/);
    assert.equal(await page.getByTestId('cell-edit').count(), 0, 'no editor opens on a past day');
    assert.equal(await page.getByTestId('cell-remove').count(), 0);
    // Next week has no past day: no hint, every cell editable.
    await page.getByTestId('roster-week').fill(addDays(monday, 7));
    await cell(page, 's01-g1', addDays(monday, 7), 'morning').waitFor();
    assert.equal(await page.getByTestId('roster-past-hint').count(), 0);
    assert.ok(await page.getByTestId('cell-edit').count() > 0);
    assert.deepEqual(violations(), []);
  } finally {
    await context.close();
  }
});

test('落实率 in English: reasons in English, the not-due assignments, each officer\'s rate as the sheet has it', async () => {
  // Four weeks on, a Monday: due (still to come) and its Saturday: not due.
  const week = addDays(mondayOf(chinaToday()), 28);
  const saturday = addDays(week, 5);
  const zhangWei = await userId('zhang.wei');
  await putSlot('s01-g1', week, 'morning', [{ officer: zhangWei, car: '苏A·55555' }]);
  await putSlot('s01-g1', saturday, 'morning', [{ officer: zhangWei, car: '苏A·66666' }]);
  const { context, page, violations } = await openConsole(chief);
  try {
    await page.getByTestId('nav-roster').waitFor();
    await page.getByTestId('lang').click();
    await page.getByTestId('nav-coverage').click();
    await page.getByTestId('coverage-from').fill(week);
    await page.getByTestId('coverage-to').fill(addDays(week, 6));
    const assigned = page.getByTestId('coverage-assignments').locator('tbody tr').filter({ hasText: week });
    await assigned.waitFor();
    assert.match(await assigned.textContent(), /not over yet/, 'the reason in the console\'s language');
    const notDue = page.getByTestId('coverage-not-due').locator('tbody tr');
    await notDue.first().waitFor();
    assert.equal(await notDue.count(), 1);
    const row = await notDue.first().locator('td').allTextContents();
    assert.deepEqual(row, ['张伟 (zhang.wei)', '实验小学 · 南门', saturday, 'morning', '苏A·66666', 'not due']);

    // The officer's rate reads as the officers sheet's 落实率 cell.
    const chiefApi = await apiSession(server.base, chief, 'e2echief3');
    const sheet = await (await chiefApi(`/api/export/officers.csv?from=${week}&to=${addDays(week, 6)}&lang=en`)).text();
    const line = sheet.split(/\r?\n/).find((l) => l.includes('zhang.wei'));
    const sheetRate = line.slice(line.lastIndexOf(',') + 1).replace(/"/g, '');
    const officers = page.getByTestId('coverage-officers');
    const head = await officers.locator('thead th').allTextContents();
    assert.equal(head.at(-1), 'Rate');
    const cells = await officers.locator('tbody tr').filter({ hasText: 'zhang.wei' }).locator('td').allTextContents();
    assert.equal(cells.at(-1), sheetRate);
    assert.deepEqual(violations(), []);
  } finally {
    await context.close();
  }
});

test('校历: choosing a year shows a month of that year, and the month picker stays within it', async () => {
  const { context, page, violations } = await openConsole(ADMIN);
  try {
    await page.getByTestId('nav-calendar').click();
    const years = await page.getByTestId('calendar-year').locator('option').allTextContents();
    const last = years[0];
    await page.getByTestId('calendar-year').selectOption(last);
    const month = page.getByTestId('calendar-month');
    await page.waitForFunction((y) => document.querySelector('[data-testid="calendar-month"]')?.value.startsWith(`${y}-`), last);
    assert.equal(await month.getAttribute('min'), `${last}-01`);
    assert.equal(await month.getAttribute('max'), `${last}-12`);
    const shown = await month.inputValue();
    await page.getByTestId(`day-${shown}-01`).waitFor();
    // Another year's month typed in: not shown with this year's entries.
    await month.fill(`${Number(last) + 1}-10`);
    assert.equal(await month.inputValue(), shown);
    assert.equal(await page.getByTestId(`day-${Number(last) + 1}-10-01`).count(), 0);
    assert.deepEqual(violations(), []);
  } finally {
    await context.close();
  }
});

/** Pushes a swap request as `who` (an officer's session from node), in versions. */
async function pushSwap(who, id, data, { voided } = {}) {
  const device = `e2e${who.username.replace(/\W/g, '')}`.slice(0, 16);
  const version = (ms) => `${ms.toString(16).padStart(12, '0')}-0000-${device}`;
  const first = version(Date.now());
  const records = [{ id, version: first, kind: 'swap', data }];
  if (voided) records.push({ id, version: version(Date.now() + 1), kind: 'swap', data, voided, base: first });
  const api = await apiSession(server.base, who, device);
  for (const record of records) {
    const answer = await api('/api/sync/push', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ device, records: [record] }),
    });
    const body = await answer.json();
    assert.equal(answer.status, 200, JSON.stringify(body));
    assert.deepEqual(body.rejected ?? [], [], JSON.stringify(body));
  }
}

test('换班: a withdrawn request is not shown, the substitute is one of the school\'s, a refused decision is said in words', async () => {
  // Seven weeks on: a week no other test of this file writes.
  const monday = addDays(mondayOf(chinaToday()), 49);
  const zhang = { username: 'zhang.wei', password: 'zhang.wei-password' };
  const zhangWei = await userId('zhang.wei');
  const liNa = await userId('li.na');
  await putSlot('s01-g1', monday, 'afternoon', [{ officer: zhangWei }]);
  const ask = (date, reason) => ({
    post_id: 's01-g1', date, window: 'afternoon', officer: zhangWei, reason,
    device_time: new Date().toISOString(),
  });
  await pushSwap(zhang, '5a000000-0000-4000-8000-000000000001', ask(monday, '孩子生病'));
  await pushSwap(zhang, '5a000000-0000-4000-8000-000000000002', ask(monday, '不去了'), { voided: '不需要了' });
  // A day 张伟 is not on: approving it must not add anyone.
  await pushSwap(zhang, '5a000000-0000-4000-8000-000000000003', ask(addDays(monday, 1), '弄错了'));
  const { context, page, violations } = await openConsole(chief2);
  try {
    await page.getByTestId('nav-swaps').click();
    const cards = page.getByTestId('swap');
    await cards.first().waitFor();
    const reasons = await cards.locator('.why').allTextContents();
    assert.equal(await cards.count(), 2, reasons.join(' | '));
    assert.ok(!reasons.some((r) => r.includes('不去了')), 'a withdrawn request is not pending');

    const sick = cards.filter({ hasText: '孩子生病' });
    const offered = await sick.getByTestId('swap-substitute').locator('option').allTextContents();
    assert.ok(offered.includes('李娜 (li.na)'), offered.join(','));
    assert.ok(!offered.some((o) => o.includes('王强')), `an s02 officer offered for an s01 slot: ${offered}`);
    assert.ok(!offered.some((o) => o.includes('张伟')), 'not the asker');

    // 张伟 holds no slot that day: the refusal is said, the roster unchanged.
    const wrong = cards.filter({ hasText: '弄错了' });
    await wrong.getByTestId('swap-substitute').selectOption(liNa);
    await wrong.getByTestId('swap-approve').click();
    const error = wrong.locator('.error');
    await error.filter({ hasText: '不在该时段的排班中' }).waitFor();
    const next = await (await server.api(`/api/roster?from=${addDays(monday, 1)}&to=${addDays(monday, 1)}`)).json();
    assert.deepEqual(next.assignments, []);

    await sick.getByTestId('swap-substitute').selectOption(liNa);
    await sick.getByTestId('swap-approve').click();
    await cards.filter({ hasText: '孩子生病' }).waitFor({ state: 'detached' });
    const slot = await (await server.api(`/api/roster?from=${monday}&to=${monday}`)).json();
    assert.deepEqual(slot.assignments.filter((a) => a.window === 'afternoon').map((a) => a.officer), [liNa]);
    assert.deepEqual(violations(), []);
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
