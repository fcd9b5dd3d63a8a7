// End-to-end, issue 3's records beyond check-ins: an incident reported offline, a
// check-in corrected and another voided (nothing deleted), history filters, CSV files
// made on the phone, and what a second phone and the server see after sync.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { App, launchProfile, startServer } from './harness.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

/** Clicks an export button and returns the downloaded file's name and bytes. */
async function download(app, testid) {
  const [file] = await Promise.all([app.page.waitForEvent('download'), app.byId(testid).click()]);
  return { name: file.suggestedFilename(), bytes: readFileSync(await file.path()) };
}

/** A phone-made CSV: BOM first, then rows of cells (no quoted commas in these tests). */
function parseCsv(bytes) {
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'CSV starts with a BOM for Excel');
  return bytes.subarray(3).toString('utf8').trim().split('\r\n').map((l) => l.split(','));
}

const row = (id) => `[data-id="${id}"]`;

test('offline: report an incident, correct one check-in, void another; both phones and the server agree', async () => {
  const a = await launchProfile();
  const b = await launchProfile();
  try {
    const phone = new App(a.page, server.base);
    await phone.open();
    await phone.waitSyncState('synced');
    await a.context.setOffline(true);

    const kept = await phone.checkIn({ post: 's01-g1', note: '南门有积水' });
    const wrong = await phone.checkIn({ post: 's02-g1' });

    await phone.byId('nav-incident').click();
    await phone.byId('incident-submit').click();
    assert.match(await a.page.textContent('section.incident'), /请填写经过/, 'an empty description is refused, in words');
    await phone.byId('incident-post').selectOption('s01-g1');
    await phone.byId('incident-category').selectOption('fraud');
    await phone.byId('incident-severity').selectOption('high');
    await phone.byId('incident-description').fill('冒充老师向家长收取资料费');
    await phone.byId('incident-people').fill('两名成年男子');
    await phone.byId('incident-submit').click();
    const incident = await (await a.page.waitForFunction(() => {
      const el = document.querySelector('[data-testid="save-status"]');
      return el?.dataset.state === 'saved' && el.dataset.recordId;
    })).jsonValue();
    await phone.screenshot('incident-saved');

    await phone.history();
    // The browser's Back button returns to the previous screen.
    await a.page.goBack();
    await a.page.waitForSelector('section.incident');
    await a.page.goForward();
    await a.page.waitForSelector('section.history');

    // Correct the first check-in's note; void the second with a reason.
    await a.page.click(`${row(kept)} [data-testid="row-edit"]`);
    await a.page.fill(`${row(kept)} [data-testid="edit-text"]`, '南门积水已处理');
    await a.page.click(`${row(kept)} [data-testid="edit-save"]`);
    await a.page.waitForSelector(`${row(kept)} [data-testid="row-edited"]`);
    await a.page.click(`${row(wrong)} [data-testid="row-void"]`);
    await a.page.click(`${row(wrong)} [data-testid="void-confirm"]`);
    assert.match(await a.page.textContent(`${row(wrong)} [data-testid="void-panel"]`), /作废原因/, 'a void needs a reason');
    await a.page.fill(`${row(wrong)} [data-testid="void-reason"]`, '选错岗位');
    await a.page.click(`${row(wrong)} [data-testid="void-confirm"]`);
    await a.page.waitForSelector(`${row(wrong)}[data-voided="true"] [data-testid="row-voided"]`);
    await phone.screenshot('history-corrected-voided');

    // Filters: by kind, by post.
    const count = async () => Number(await phone.byId('history-count').textContent());
    assert.equal(await count(), 3);
    await phone.byId('filter-kind').selectOption('incident');
    assert.equal(await count(), 1);
    await a.page.waitForSelector(`[data-testid="incident-row"]${row(incident)}`);
    await phone.byId('filter-kind').selectOption('');
    await phone.byId('filter-post').selectOption('s02-g1');
    assert.equal(await count(), 1);
    await phone.byId('filter-post').selectOption('');
    await phone.byId('filter-from').fill('2000-01-01');
    await phone.byId('filter-to').fill('2000-01-02');
    assert.equal(await count(), 0);
    await phone.byId('filter-from').fill('');
    await phone.byId('filter-to').fill('');
    assert.equal(await count(), 3);

    // CSV files made on the phone, still offline.
    const incidents = await download(phone, 'export-incidents');
    // In the screen's language (Chinese), named by the days it covers.
    assert.match(incidents.name, /^警情记录_\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.csv$/);
    const [head, ...rows] = parseCsv(incidents.bytes);
    assert.deepEqual(head.slice(0, 8), ['编号', '学校', '校门', '岗位编号', '类别', '严重程度', '处理状态', '经过']);
    assert.equal(rows.length, 1);
    assert.deepEqual(rows[0].slice(0, 9), [incident, '实验小学', '南门', 's01-g1', '诈骗', '严重', '待处理', '冒充老师向家长收取资料费', '两名成年男子']);
    const checkIns = parseCsv((await download(phone, 'export-checkins')).bytes);
    const col = (name) => checkIns[0].indexOf({ note: '备注', edits: '修改次数', voided: '作废原因' }[name]);
    const byId = Object.fromEntries(checkIns.slice(1).map((r) => [r[0], r]));
    assert.equal(byId[kept][col('note')], '南门积水已处理');
    assert.equal(byId[kept][col('edits')], '1');
    assert.equal(byId[wrong][col('voided')], '选错岗位');

    // Online: everything goes up; a second phone sees the same, and cannot edit it.
    await a.context.setOffline(false);
    await phone.waitPending(0);
    const other = new App(b.page, server.base);
    await other.open();
    await other.waitSyncState('synced');
    await other.history();
    await b.page.waitForSelector(`[data-testid="incident-row"]${row(incident)} [data-testid="row-follow-up"][data-status="open"]`);
    await b.page.waitForSelector(`${row(wrong)}[data-voided="true"]`);
    await b.page.waitForSelector(`${row(kept)} [data-testid="row-edited"]`);
    assert.equal(await b.page.locator(`${row(kept)} [data-testid="row-edit"]`).count(), 0, 'not this phone\'s record');

    // Corrected and voided before they ever reached the server: the server's history
    // still has every state, oldest first. The server exports the incident.
    const history = await (await server.api(`/api/records/${kept}/history`)).json();
    assert.deepEqual(history.map((v) => [v.record.data.note, v.record.edits ?? 0]), [['南门有积水', 0], ['南门积水已处理', 1]]);
    const voids = await (await server.api(`/api/records/${wrong}/history`)).json();
    assert.deepEqual(voids.map((v) => v.record.voided ?? null), [null, '选错岗位']);
    const yesterday = new Date(Date.now() - 86400000).toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86400000).toISOString().slice(0, 10);
    const sheet = await (await server.api(`/api/export/incidents.csv?from=${yesterday}&to=${tomorrow}`)).text();
    assert.match(sheet, /冒充老师向家长收取资料费/);

    // Later, the follow-up status changes on the first phone: an edit like any other.
    await phone.history();
    await a.page.click(`${row(incident)} [data-testid="row-edit"]`);
    await a.page.selectOption(`${row(incident)} [data-testid="edit-status"]`, 'handed_over');
    await a.page.click(`${row(incident)} [data-testid="edit-save"]`);
    await a.page.waitForSelector(`${row(incident)} [data-testid="row-follow-up"][data-status="handed_over"]`);
    await phone.waitPending(0);
    await other.byId('sync-now').click();
    await b.page.waitForSelector(`${row(incident)} [data-testid="row-follow-up"][data-status="handed_over"]`);
    // Both states of the incident are in the server's history, oldest first.
    const versions = await (await server.api(`/api/records/${incident}/history`)).json();
    assert.deepEqual(versions.map((v) => v.record.data.status), ['open', 'handed_over']);
  } finally {
    await a.context.close();
    await b.context.close();
  }
});
