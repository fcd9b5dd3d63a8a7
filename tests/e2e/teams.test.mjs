// End-to-end, issues 4 and 12.9: a volunteer team lead, offline, creates a team of five
// (a 7-digit phone number refused), starts a session with one tap, unticks an absentee,
// corrects the audience and place while it runs, lets one member leave early, ends it
// (the absentee listed); then online a second phone sees the session and the hours, the
// lead approves them (a second tap confirms) while the second phone has a form open
// that the sync leaves open, the report's total is its rows added up in hours and
// minutes, and the hours CSV made on the phone is downloaded and parsed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { App, launchProfile, startServer } from './harness.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

const MEMBERS = [
  ['王芳', '13800000001'],
  ['李强', '13800000002'],
  ['张伟', '13800000003'],
  ['刘洋', '13800000004'],
  ['赵敏', '13800000005'],
];

// `1小时45分钟` / `45分钟` / `2小时` back to minutes (NaN for anything else: `1.75`).
const minutesOf = (text) => {
  const m = /^(?:(\d+)小时)?(?:(\d+)分钟)?$/.exec(text.trim());
  return m && (m[1] || m[2]) ? Number(m[1] || 0) * 60 + Number(m[2] || 0) : NaN;
};

const member = (name) => `[data-testid="participant"][data-name="${name}"]`;
const participant = (name) => `[data-testid="session-participant"][data-name="${name}"]`;

test('a lead offline: team of 5, one-tap session, absentee, early leaver; a second phone sees the hours; approval; CSV', async () => {
  const a = await launchProfile();
  const b = await launchProfile();
  try {
    // The lead's phone runs on a school morning's clock, so the hours are predictable.
    await a.page.clock.install({ time: new Date('2026-11-25T07:00:00+08:00') });
    const lead = new App(a.page, server.base);
    await lead.open();
    await lead.waitSyncState('synced');
    // The offline reload below is answered by the service worker: it must be in charge.
    await lead.serviceWorkerReady();
    await a.context.setOffline(true);

    await lead.byId('nav-team').click();
    await lead.byId('team-empty').waitFor();
    await lead.byId('team-create').click();
    assert.match(await a.page.textContent('section.team'), /请填写姓名或名称/, 'a team needs a name, said in words');
    await lead.byId('team-name-input').fill('实验小学护学队');
    await lead.byId('team-create').click();
    await lead.byId('team-name').filter({ hasText: '实验小学护学队' }).waitFor();

    // A 7-digit number is not a mobile number: refused in words, nobody added, and
    // what was typed stays to be corrected.
    await lead.byId('member-add').click();
    await lead.byId('member-name').fill('王芳');
    await lead.byId('member-phone-input').fill('1381234');
    await lead.byId('member-save').click();
    await a.page.locator('.member-form .field-error').filter({ hasText: '11位手机号' }).waitFor();
    assert.equal(await lead.byId('member-row').count(), 0);
    assert.equal(await lead.byId('member-phone-input').inputValue(), '1381234');
    await lead.byId('member-add').click(); // closes the form

    for (const [name, phone] of MEMBERS) {
      await lead.byId('member-add').click();
      await lead.byId('member-name').fill(name);
      await lead.byId('member-phone-input').fill(phone);
      await lead.byId('member-save').click();
      await a.page.waitForSelector(`[data-testid="member-row"][data-name="${name}"]`);
    }
    // Lists show phones masked; the detail view shows the number.
    const masked = await a.page.$$eval('[data-testid="member-phone"]', (els) => els.map((e) => e.textContent));
    assert.equal(masked.length, 5);
    assert.ok(masked.every((p) => /^138\*\*\*\*000\d$/.test(p)), masked.join(' '));
    await a.page.click('[data-testid="member-row"][data-name="王芳"] [data-testid="member-open"]');
    assert.equal(await lead.byId('member-phone-full').textContent(), '13800000001');

    // One tap: an anti-fraud talk with the whole active roster on it.
    await lead.byId('session-activity').selectOption('anti_fraud');
    await lead.byId('session-audience').fill('120');
    await lead.byId('session-place').fill('学校礼堂');
    await lead.byId('session-start').click();
    await lead.byId('session-running').waitFor();
    assert.equal(await a.page.locator('[data-testid="participant"][data-on="true"]').count(), 5);

    // A note written at the start survives the taps that follow (each redraws the list).
    await lead.byId('session-note').fill('<b>礼堂</b>满座');
    // The audience and the place are corrected while the talk runs.
    await lead.byId('session-running-audience').fill('130');
    await lead.byId('session-running-place').fill('学校礼堂二楼');
    await lead.byId('session-running-place').press('Tab');
    // 赵敏 is absent: untick. 刘洋 leaves after an hour.
    await a.page.click(`${member('赵敏')} [data-testid="participant-toggle"]`);
    await a.page.waitForSelector(`${member('赵敏')}[data-on="false"]`);
    await a.page.clock.runFor('01:00:00');
    await a.page.click(`${member('刘洋')} [data-testid="participant-leave"]`);
    await a.page.waitForSelector(`${member('刘洋')} small`);
    await a.page.clock.runFor('00:30:00');
    await lead.screenshot('team-session-running');
    await lead.byId('session-end').click();
    await lead.byId('session-row').waitFor();
    assert.equal(await lead.byId('session-participant').count(), 4);
    assert.equal(await a.page.getAttribute(participant('王芳'), 'data-minutes'), '90');
    assert.equal(await a.page.getAttribute(participant('刘洋'), 'data-minutes'), '60');
    assert.equal(await a.page.textContent(`${participant('王芳')} [data-testid="participant-hours"]`), '1小时30分钟');
    // 赵敏 was expected and unticked at once: listed as absent.
    assert.match(await lead.byId('session-absentees').textContent(), /^缺席: 赵敏$/);
    assert.match(await a.page.textContent('[data-testid="session-row"] .row-detail'), /^学校礼堂二楼 · 听众人数 130/);
    // Typed text is shown as text, never as markup.
    assert.equal(await a.page.textContent('[data-testid="session-row"] .note'), '<b>礼堂</b>满座');
    assert.equal(await a.page.locator('[data-testid="session-row"] .note b').count(), 0);

    // The lead forgot to end on time: the end moves 15 minutes later (times are shown
    // on the phone's clock; whoever stayed to the end gets the 15 minutes, 刘洋 does not).
    await lead.byId('session-edit').click();
    const end = await lead.byId('session-edit-end').inputValue();
    const [h, m] = end.split(':').map(Number);
    const later = (h * 60 + m + 15) % (24 * 60);
    await lead.byId('session-edit-end').fill(`${String(Math.floor(later / 60)).padStart(2, '0')}:${String(later % 60).padStart(2, '0')}`);
    await lead.byId('session-edit-save').click();
    await a.page.waitForSelector(`${participant('王芳')}[data-minutes="105"]`);
    assert.equal(await a.page.getAttribute(participant('刘洋'), 'data-minutes'), '60');

    // Still offline: a reload keeps everything (served by the service worker).
    await a.page.reload();
    await lead.byId('session-row').waitFor();
    assert.equal(await lead.byId('member-row').count(), 5);

    // Online: it all goes up. The second phone sees the session and the hours.
    await a.context.setOffline(false);
    await lead.byId('sync-now').click();
    await lead.waitPending(0);
    const other = new App(b.page, server.base);
    await other.open();
    await other.waitSyncState('synced');
    // Until it follows the team, the other phone holds the team's name but not its
    // people (their phone numbers) nor its sessions.
    const heldKinds = (page) => page.evaluate(() => {
      const kinds = {};
      for (let i = 0; i < localStorage.length; i++) {
        const key = localStorage.key(i);
        if (key.startsWith('gw:r:')) {
          const k = JSON.parse(localStorage.getItem(key)).k;
          kinds[k] = (kinds[k] || 0) + 1;
        }
      }
      return kinds;
    });
    const before = await heldKinds(b.page);
    assert.equal(before.t, 1);
    assert.equal(before.v, undefined);
    assert.equal(before.s, undefined);
    await other.byId('nav-team').click();
    await other.byId('team-empty').waitFor();
    await other.byId('team-follow').click();
    await other.byId('team-name').filter({ hasText: '实验小学护学队' }).waitFor();
    await other.byId('session-row').waitFor();
    assert.equal(await b.page.getAttribute(participant('张伟'), 'data-approval'), 'pending');
    assert.equal((await heldKinds(b.page)).v, 5);
    // The second phone opens the session's correction form and starts typing...
    await other.byId('session-edit').click();
    await other.byId('session-edit-note').fill('还没保存');

    // ...while the lead approves the session: the first tap only asks.
    await lead.byId('approve-session').click();
    await lead.byId('approve-confirm').waitFor();
    assert.equal(await lead.byId('approve-cancel').count(), 1);
    await lead.screenshot('team-approve-confirm');
    await a.page.waitForTimeout(300);
    assert.ok(await a.page.$$eval('[data-testid="session-participant"]', (ps) => ps.every((p) => p.dataset.approval === 'pending')),
      'nothing is approved before the lead confirms');
    // Cancelled, the question goes away and nothing changed; asked again and confirmed,
    // the hours are approved.
    await lead.byId('approve-cancel').click();
    await lead.byId('approve-session').waitFor();
    assert.equal(await lead.byId('approve-confirm').count(), 0);
    await lead.byId('approve-session').click();
    await lead.byId('approve-confirm').click();
    await a.page.waitForFunction(() => [...document.querySelectorAll('[data-testid="session-participant"]')]
      .every((p) => p.dataset.approval === 'approved'));
    assert.equal(await lead.byId('approve-one').count(), 0, 'approved hours offer no further decision');
    assert.equal(await lead.byId('approve-session').count(), 0, 'nothing is left to approve');
    await lead.waitPending(0);

    // The approval reaches the second phone; the form it had open stays open, with
    // what was typed in it.
    await other.byId('sync-now').click();
    await b.page.waitForFunction(() => [...document.querySelectorAll('[data-testid="session-participant"]')]
      .every((p) => p.dataset.approval === 'approved'));
    assert.ok(await other.byId('session-edit-panel').isVisible(), 'a sync does not close an open form');
    assert.equal(await other.byId('session-edit-note').inputValue(), '还没保存');
    await b.page.click('[data-testid="session-edit-panel"] button:not([data-testid])');
    await other.byId('session-edit-panel').waitFor({ state: 'detached' });

    await other.byId('team-report-link').click();
    // The report is part of the team's screen: its navigation entry stays current.
    await b.page.waitForSelector('[data-testid="nav-team"][aria-current="page"]');
    await other.byId('report-month').selectOption('2026-11');
    const totals = other.byId('report-totals');
    assert.equal(await totals.getAttribute('data-sessions'), '1');
    assert.equal(await totals.getAttribute('data-approved'), String(3 * 105 + 60));
    assert.equal(await totals.getAttribute('data-pending'), '0');
    assert.equal(await totals.getAttribute('data-audience'), '130');
    // The total is the rows added up, as shown: hours and minutes, not rounded hours.
    const shown = await b.page.$$eval('[data-testid="report-row"] td:nth-child(4)', (tds) => tds.map((td) => td.textContent));
    assert.deepEqual(shown.sort(), ['1小时', '1小时45分钟', '1小时45分钟', '1小时45分钟']);
    const totalShown = await b.page.textContent('[data-testid="report-total-row"] td:nth-child(4)');
    assert.equal(totalShown, '6小时15分钟');
    assert.equal(shown.map(minutesOf).reduce((x, y) => x + y, 0), minutesOf(totalShown));
    // No bar with hours is labelled 0.
    const bars = await b.page.$$eval('[data-testid="chart-month"]', (gs) => gs.map((g) => [g.dataset.minutes, g.querySelector('text.value').textContent]));
    assert.ok(bars.some(([m]) => m === '375'), JSON.stringify(bars));
    for (const [minutes, label] of bars) {
      assert.equal(minutesOf(label), Number(minutes), JSON.stringify(bars));
    }
    // The month's activity list.
    assert.equal(await other.byId('report-activity-row').count(), 1);
    assert.match(await other.byId('report-activity-row').textContent(), /反诈宣传学校礼堂二楼4/);
    await other.screenshot('team-report');
    // Printed, the monthly report is the report alone: no app header, navigation or
    // controls, the table whole, the activities, and a block to sign and date.
    await b.page.emulateMedia({ media: 'print' });
    for (const hidden of ['.bottom-nav', '.top', '[data-testid="report-csv"]', '[data-testid="report-month"]']) {
      assert.equal(await b.page.locator(hidden).isVisible(), false, `${hidden} is not printed`);
    }
    assert.equal(await other.byId('report-row').count(), 4);
    assert.ok(await other.byId('report-table').isVisible());
    assert.ok(await other.byId('report-activities').isVisible());
    assert.ok(await other.byId('report-signature').isVisible());
    assert.match(await other.byId('report-signature').textContent(), /负责人签字.*日期/);
    await other.screenshot('team-report-print');
    await b.page.emulateMedia({ media: 'screen' });
    assert.equal(await other.byId('report-signature').isVisible(), false, 'on screen there is nothing to sign');

    // The lead's monthly CSV, made on the phone.
    await lead.byId('team-report-link').click();
    await lead.byId('report-month').selectOption('2026-11');
    const [file] = await Promise.all([a.page.waitForEvent('download'), lead.byId('report-csv').click()]);
    assert.equal(file.suggestedFilename(), 'gatewatch-hours-2026-11.csv');
    const bytes = readFileSync(await file.path());
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'CSV starts with a BOM for Excel');
    const [head, ...rows] = bytes.subarray(3).toString('utf8').trim().split('\r\n').map((l) => l.split(','));
    // In the screen's language (Chinese).
    assert.deepEqual(head, ['月份', '队伍', '志愿者编号', '姓名', '电话', '次数', '已批准时长（小时）', '待审批时长（小时）']);
    const byName = Object.fromEntries(rows.map((r) => [r[3], r]));
    const total = Object.keys(byName).find((k) => !['刘洋', '张伟', '李强', '王芳'].includes(k));
    assert.deepEqual(Object.keys(byName).sort(), ['刘洋', '张伟', '李强', '王芳', total].sort());
    assert.deepEqual(byName['王芳'].filter((_, i) => i !== 2), ['2026-11', '实验小学护学队', '王芳', '138****0001', '1', '1.75', '0.00']);
    assert.deepEqual(byName['刘洋'].slice(5), ['1', '1.00', '0.00']);
    assert.deepEqual(byName[total].slice(5), ['1', '6.25', '0.00']);

    // The server's report says the same, and its sheet for the team is byte for byte
    // the phone's: one model, one sheet writer.
    const report = await (await server.api(`/api/reports/duty?month=2026-11`)).json();
    assert.equal(report.sessions, 1);
    assert.equal(report.audience, 130);
    assert.deepEqual(report.teams.map((t) => [t.name, t.approved_minutes, t.pending_minutes]), [['实验小学护学队', 375, 0]]);
    const serverSheet = Buffer.from(await (await server.api(`/api/export/duty-hours.csv?month=2026-11&team=${report.teams[0].id}`)).arrayBuffer());
    assert.equal(serverSheet.toString('utf8'), bytes.toString('utf8'));
  } finally {
    await a.context.close();
    await b.context.close();
  }
});
