// End-to-end, the admins' page at /admin (served by the server, no wasm): a CSV import
// with its line-numbered error and then its success, a gate's location set in decimal
// degrees, and the coverage report for a date range downloaded and read.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { App, launchProfile, startServer } from './harness.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

const DESK = { viewport: { width: 1280, height: 900 }, isMobile: false, hasTouch: false };

const CATALOG = [
  'school_id,school_name,post_id,gate,morning,noon,afternoon,lead_minutes',
  'e2e1,测试一小,e2e1-g1,南门,07:20-08:00,11:40-12:20,16:30-17:20,15',
  'e2e1,测试一小,e2e1-g2,北门,07:20-08:00,11:40-12:20,16:30-17:20,15',
  'e2e2,测试幼儿园,e2e2-g1,正门,08:00-08:30,,16:00-16:40,',
].join('\n');

/** A server CSV: BOM first, then rows of cells (no quoted commas in these tests). */
function parseCsv(bytes) {
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'CSV starts with a BOM for Excel');
  return bytes.subarray(3).toString('utf8').trim().split('\r\n').map((l) => l.split(','));
}

test('an admin imports schools, sets a gate location and downloads a coverage report', async () => {
  const { context, page } = await launchProfile(undefined, DESK);
  const byId = (id) => page.getByTestId(id);
  const state = (id) => byId(id).getAttribute('data-state');
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  try {
    // Same browser as the phone app: its service worker must not answer for /admin.
    const app = new App(page, server.base);
    await app.open();
    await app.serviceWorkerReady();
    const response = await page.goto(`${server.base}/admin`);
    assert.match(response.headers()['content-type'], /^text\/html/);
    assert.match(await byId('admin-unauthenticated').textContent(), /尚无账号/);
    await page.waitForSelector('[data-testid="admin-load-status"][data-state="loaded"]');
    // The demo catalog of a fresh server is listed.
    assert.ok(await byId('admin-school-row').count() > 0);

    // A broken file: nothing is imported, and the error names the line.
    await byId('admin-import-text').fill(CATALOG.replace('e2e1-g2,北门,07:20-08:00', 'e2e1-g2,北门,07:20-25:00'));
    await byId('admin-import-submit').click();
    await page.waitForSelector('[data-testid="admin-import-result"][data-state="error"]');
    const refused = await byId('admin-import-result').textContent();
    assert.match(refused, /invalid_csv: line 3/, refused);
    assert.equal(await page.locator('[data-testid="admin-school-row"][data-id="e2e1"]').count(), 0);

    // The fixed file, through the file picker.
    await byId('admin-import-text').fill('');
    await byId('admin-import-file').setInputFiles({ name: 'catalog.csv', mimeType: 'text/csv', buffer: Buffer.from(CATALOG) });
    await page.waitForFunction(() => document.querySelector('[data-testid="admin-import-text"]').value.includes('e2e2'));
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
    const posts = await (await fetch(`${server.base}/api/posts`)).json();
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
    assert.match(await page.locator('[data-testid="admin-coverage-row"][data-key="e2e1"]').textContent(), /测试一小0\.0% \(0\/9\)/);
    for (const report of ['checkins', 'incidents', 'coverage']) {
      assert.equal(await byId(`admin-export-${report}`).getAttribute('href'),
        `/api/export/${report}.csv?from=2025-09-01&to=2025-09-03`);
    }
    const [file] = await Promise.all([page.waitForEvent('download'), byId('admin-export-coverage').click()]);
    assert.equal(file.suggestedFilename(), 'gatewatch-coverage_2025-09-01_2025-09-03.csv');
    const rows = parseCsv(readFileSync(await file.path()));
    assert.deepEqual(rows[0], ['school_id', 'school', 'date', 'window', 'status']);
    const mine = rows.filter((r) => r[0] === 'e2e1' || r[0] === 'e2e2');
    // e2e1 has three windows a day, e2e2 two; nobody checked in on those days.
    assert.equal(mine.length, 3 * 3 + 3 * 2);
    assert.ok(mine.every((r) => r[4] === 'missed'), JSON.stringify(mine));
    assert.deepEqual(rows.at(-1).slice(1, 4), ['rate', '2025-09-01_2025-09-03', 'all']);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
