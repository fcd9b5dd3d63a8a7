// Gatewatch benchmark report (a report, not a test): `node tests/e2e/bench.mjs`, or
// `make bench`. Prints markdown on stdout, progress on stderr. In one run, against the
// real server and Debian's headless Chromium, it measures:
//   1. first-load bytes: raw, gzip -9, brotli q11, and what the server really sends;
//   2. tap → durable "saved" with 0 / 1,000 / 10,000 records stored, against a bare
//      setItem + strict IndexedDB put in the same page; app start with those records;
//   3. the localStorage quota and how many check-ins fit in half of it;
//   4. a first visit on Slow 4G with a 4× slower CPU: first paint, the app interactive,
//      and the warm start the service worker gives afterwards.
// Everything lives in one temp dir removed at the end; a watchdog ends a hung run.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { get } from 'node:http';
import os from 'node:os';
import { join, relative } from 'node:path';
import zlib from 'node:zlib';
import { App, CHROMIUM, DIST, launchProfile, startServer, tempDir } from './harness.mjs';

const SEED_COUNTS = [0, 1000, 10000]; // records stored before the taps (0 = reference)
const TAPS = 50;          // timed taps per count, after WARMUP untimed ones
const WARMUP = 2;
const IDLE_MS = 150;      // quiet time before each tap and each baseline repetition
const RELOADS = 5;        // timed offline app starts per count
const REAL_CHECKINS = 5;  // app-made records: the seeding template and the size sample
const NOTE = '校门口秩序良好';
// The demo officer's display name, which the app puts on every record it makes.
const OFFICER = '民警 Officer';
// A phone at a Chinese school gate: device times carry "+08:00", as they would there.
const PHONE_OPTIONS = { timezoneId: 'Asia/Shanghai' };
const TARGET = { firstLoadKB: 350, ratio: 3, quotaShare: 0.5, records: 10000,
  firstPaintMs: 1500, interactiveMs: 4000, warmStartMs: 400 };
// Slow 4G as Chrome's DevTools define it, and a phone's slower CPU.
const SLOW_4G = { offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 0.75e6 / 8 };
const CPU_SLOWDOWN = 4;
const FIRST_VISITS = 3;   // fresh profiles, each visited once (median reported)
const WARM_STARTS = 5;    // reloads served by the service worker, after the first visit
const WATCHDOG_MS = 12 * 60 * 1000;

const log = (...a) => console.error('[bench]', ...a);
const root = tempDir('bench');
const open = new Set(); // browser contexts still open, for cleanup()
let server;

// ---- helpers ---------------------------------------------------------------------------

/** Nearest-rank percentile. */
function pct(values, p) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)];
}
const stats = (v) => ({ p50: pct(v, 50), p95: pct(v, 95), max: Math.max(...v) });
const ms = (x) => `${x.toFixed(1)} ms`;
const kb = (b) => `${(b / 1000).toFixed(1)} KB`;
const sleep = (t) => new Promise((r) => setTimeout(r, t));
const pass = (ok) => (ok ? '**pass**' : '**FAIL**');

function run(cmd, args) {
  try { return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'], timeout: 10000 }).toString().trim(); } catch { return 'unknown'; }
}

/** A fresh phone profile (in our temp dir), handed to `body`, always closed after. */
async function withPhone(name, body) {
  const phone = await launchProfile(join(root, name), PHONE_OPTIONS);
  open.add(phone.context);
  phone.page.setDefaultTimeout(30000);
  try { return await body(phone, new App(phone.page, server.base)); } finally {
    // Leave the app while still offline: closing the context lifts the offline
    // emulation first, and the app would push its bench taps to the shared server.
    await phone.page.goto('about:blank').catch(() => {});
    open.delete(phone.context);
    await phone.context.close().catch(() => {});
  }
}

// ---- 1. first-load bytes -----------------------------------------------------------------

function listFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name)) : e.name.startsWith('.') ? [] : [join(dir, e.name)]);
}

/** Body bytes as the server sends them to a browser that accepts br (not decoded). */
function servedBytes(path) {
  return new Promise((res, rej) => get(`${server.base}${path}`, { headers: { 'accept-encoding': 'br, gzip' }, timeout: 10000 }, (r) => {
    let n = 0;
    r.on('data', (d) => { n += d.length; });
    r.on('end', () => res({ bytes: n, encoding: r.headers['content-encoding'] || 'none' }));
  }).on('timeout', function () { this.destroy(new Error(`timeout fetching ${path}`)); }).on('error', rej));
}

async function measureSizes() {
  const rows = [];
  // The build's own .br/.gz copies are alternatives of a file, not files the phone loads;
  // the managers' console (dist/console/) is another app, never part of a phone's visit.
  for (const file of listFiles(DIST).filter((f) => !/\.(br|gz)$/.test(f))) {
    const path = '/' + relative(DIST, file).split('\\').join('/');
    if (path.startsWith('/console/')) continue;
    const buf = fs.readFileSync(file);
    const br = zlib.brotliCompressSync(buf, { params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: buf.length } });
    const served = await servedBytes(path);
    rows.push({ path, raw: buf.length, gzip: zlib.gzipSync(buf, { level: 9 }).length, br: br.length,
      served: served.bytes, encoding: served.encoding, icon: path.startsWith('/icons/') });
  }
  return rows;
}

// ---- 2. real check-ins: the seeding template, the size sample, the first-visit requests ----

const readRecords = (page) => page.evaluate(() => Object.keys(localStorage)
  .filter((k) => k.startsWith('gw:r:')).map((k) => ({ key: k, value: localStorage.getItem(k) })));

async function realCheckIns() {
  return withPhone('template', async (phone, app) => {
    const requested = [];
    phone.context.on('request', (r) => requested.push({ path: new URL(r.url()).pathname, bySw: !!r.serviceWorker() }));
    await app.open();
    await app.serviceWorkerReady();
    await app.waitSyncState('synced');
    await phone.context.setOffline(true);
    for (let i = 0; i < REAL_CHECKINS; i++) await app.checkIn({ note: NOTE });
    const unsynced = await readRecords(phone.page);
    await phone.context.setOffline(false);
    await app.waitPending(0);
    // Steady state: a later pull brings each record back with its "received" time ("r").
    await app.byId('sync-now').click();
    await phone.page.waitForFunction(() => Object.keys(localStorage).filter((k) => k.startsWith('gw:r:'))
      .every((k) => localStorage.getItem(k).includes('"r":')), null, { timeout: 15000 }).catch(() => log('no "r" after a pull'));
    return { unsynced, synced: await readRecords(phone.page), requested };
  });
}

// ---- in-page code (these functions run in the browser) -------------------------------------

/** Writes n records in the app's stored format from a real value: new id, version, times. */
function seedInPage({ n, template }) {
  const t = JSON.parse(template);
  const device = t.v.split('-')[2];
  const off = t.t.match(/([+-])(\d\d):(\d\d)$/);
  const offMs = off ? (off[1] === '-' ? -1 : 1) * (off[2] * 60 + Number(off[3])) * 6e4 : 0;
  // Five minutes apart, the last a day ago: older than any clock it meets, and all
  // within the 90 days a phone keeps synced records (retention drops older ones).
  const start = Date.now() - 864e5 - n * 3e5;
  for (let i = 0; i < n; i++) {
    const when = start + i * 3e5;
    const rec = { ...t, v: `${when.toString(16).padStart(12, '0')}-0000-${device}`, e: i % 2 ? 'd' : 'a',
      t: new Date(when + offMs).toISOString().replace('Z', off ? off[0] : 'Z') };
    if ('r' in t) rec.r = new Date(when + 3e4).toISOString();
    localStorage.setItem(`gw:r:${crypto.randomUUID()}`, JSON.stringify(rec));
  }
}

/** Init script: when the big button first exists, note the time of the next frame. */
function markStartInPage() {
  const mo = new MutationObserver(() => {
    if (window.__gwStart || !document.querySelector('[data-testid="checkin-submit"]')) return;
    window.__gwStart = -1;
    mo.disconnect();
    requestAnimationFrame(() => { window.__gwStart = performance.now(); });
  });
  mo.observe(document, { childList: true, subtree: true });
}

/**
 * Times taps in the page: capture-phase click → save-status "saved" with a new record id.
 * Also times the app's own journal transaction (open → complete), to show where time goes.
 */
function installTapTimerInPage() {
  const s = (window.__gwTaps = { tapAt: 0, lastId: '', commit: 0, lat: [], commits: [] });
  document.addEventListener('click', (ev) => {
    // The same post and event again within a minute asks first: the confirming tap is
    // then the one that saves.
    if (ev.target.closest?.('[data-testid="checkin-submit"], [data-testid="repeat-confirm"]')) s.tapAt = performance.now();
  }, { capture: true });
  const transaction = IDBDatabase.prototype.transaction;
  IDBDatabase.prototype.transaction = function (...args) {
    const tx = transaction.apply(this, args);
    if (this.name === 'gatewatch-journal' && args[1] === 'readwrite' && s.tapAt) {
      const t0 = performance.now();
      tx.addEventListener('complete', () => { s.commit = performance.now() - t0; });
    }
    return tx;
  };
  new MutationObserver(() => {
    const el = document.querySelector('[data-testid="save-status"]');
    const id = el?.dataset.recordId;
    if (el?.dataset.state !== 'saved' || !id || id === s.lastId || !s.tapAt) return;
    s.lastId = id;
    s.lat.push(performance.now() - s.tapAt);
    s.commits.push(s.commit);
    s.tapAt = s.commit = 0;
  }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-state', 'data-record-id'] });
}

/**
 * The floor: a bare setItem of one record + one strict IndexedDB put in its own database,
 * awaited. `__gwPut` runs it from page script; a probe button runs it from a real click,
 * because Chromium answers IndexedDB more slowly right after real input (see BENCHMARKS.md).
 */
async function installBaselineInPage(value) {
  const db = await new Promise((res, rej) => {
    const r = indexedDB.open('gatewatch-bench', 1);
    r.onupgradeneeded = () => r.result.createObjectStore('b');
    r.onsuccess = () => res(r.result);
    r.onerror = () => rej(r.error);
  });
  let n = 0;
  window.__gwPut = async () => {
    const t0 = performance.now(), i = n++;
    localStorage.setItem(`bench:${i}`, value);
    await new Promise((res, rej) => {
      const tx = db.transaction('b', 'readwrite', { durability: 'strict' });
      tx.objectStore('b').put(value, `k${i}`);
      tx.oncomplete = res;
      tx.onerror = tx.onabort = () => rej(tx.error);
    });
    return performance.now() - t0;
  };
  const probe = Object.assign(document.createElement('button'), { id: 'gw-bench-probe', textContent: 'bench' });
  probe.style.cssText = 'position:fixed;top:0;left:0;z-index:9999;width:60px;height:30px';
  window.__gwClicked = [];
  probe.addEventListener('click', async () => window.__gwClicked.push(await window.__gwPut()));
  document.body.append(probe);
  window.__gwBenchDone = () => {
    for (let i = 0; i < n; i++) localStorage.removeItem(`bench:${i}`);
    db.close();
    indexedDB.deleteDatabase('gatewatch-bench');
    probe.remove();
  };
}

/** Fills localStorage until QuotaExceededError: with one character in halving chunks, or
 *  with app-format records. Returns UTF-16 code units of keys + values, and item count. */
function fillInPage({ ch, template }) {
  localStorage.clear();
  let size = template ? 1 : 1 << 22, units = 0, items = 0;
  for (let guard = 0; size >= 1 && guard < 500000; guard++) {
    const key = template ? `gw:r:${crypto.randomUUID()}` : `q${items}`;
    const value = template ? template.replace(/"v":"[0-9a-f]{12}/, `"v":"${items.toString(16).padStart(12, '0')}`) : ch.repeat(size);
    try { localStorage.setItem(key, value); } catch (e) {
      if (e.name !== 'QuotaExceededError') throw e;
      size = template ? 0 : Math.floor(size / 2);
      continue;
    }
    units += key.length + value.length;
    items++;
  }
  localStorage.clear();
  return { units, items };
}

// ---- 2. timing with N records stored ---------------------------------------------------------

async function timeWithRecords(n, template) {
  return withPhone(`seed-${n}`, async ({ page, context }, app) => {
    await context.addInitScript(markStartInPage);
    // Seed from a same-origin page that is not the app, so the app first starts with N.
    await page.goto(`${server.base}/api/health`);
    await page.evaluate(seedInPage, { n, template });
    await app.open();
    await app.serviceWorkerReady();
    await app.waitSyncState('synced');
    await context.setOffline(true); // no sync during the taps; starts come from the SW
    const starts = [];
    for (let i = 0; i < RELOADS; i++) {
      await page.reload();
      const h = await page.waitForFunction(() => window.__gwStart > 0 && window.__gwStart, null, { timeout: 60000 });
      starts.push(await h.jsonValue());
    }
    const stored = (await readRecords(page)).length; // seeded + the real ones pulled
    if (stored < n) throw new Error(`seeded ${n} records, the app kept ${stored}`);
    await app.byId('pending-count').waitFor();
    await page.evaluate(installTapTimerInPage);
    await page.evaluate(installBaselineInPage, template);
    // App taps and baseline repetitions alternate after the same idle time, so all meet
    // the page and the disk in the same state.
    const base = [];
    for (let i = 0; i < TAPS + WARMUP; i++) {
      await sleep(IDLE_MS);
      await app.byId('checkin-submit').click();
      const outcome = await page.waitForFunction((k) => (window.__gwTaps.lat.length > k && 'saved')
        || (document.querySelector('[data-testid="save-status"]')?.dataset.state === 'ask-repeat' && 'ask'),
        i, { timeout: 30000 });
      if (await outcome.jsonValue() === 'ask') {
        await sleep(IDLE_MS);
        await app.byId('repeat-confirm').click();
      }
      await page.waitForFunction((k) => window.__gwTaps.lat.length > k, i, { timeout: 30000 });
      await sleep(IDLE_MS);
      base.push(await page.evaluate(() => window.__gwPut()));
      await sleep(IDLE_MS);
      await page.click('#gw-bench-probe');
      await page.waitForFunction((k) => window.__gwClicked.length > k, i, { timeout: 30000 });
    }
    const { lat, commits } = await page.evaluate(() => window.__gwTaps);
    const clicked = await page.evaluate(() => { window.__gwBenchDone(); return window.__gwClicked; });
    const [taps, commit, floor, click] = [lat, commits, base, clicked].map((v) => stats(v.slice(WARMUP)));
    log(`N=${n}: tap p95 ${ms(taps.p95)}, baseline p95 ${ms(floor.p95)}, clicked baseline p95 ${ms(click.p95)}`);
    return { n, stored, taps, commit, base: floor, click, start: stats(starts) };
  });
}

// ---- 4. first visit on a slow network -------------------------------------------------

/** Init script: the time (since navigation) the app's first control exists — the login
 * form on a first visit, the big button once signed in: the app is then interactive. */
function markInteractiveInPage() {
  const mo = new MutationObserver(() => {
    if (window.__gwInteractive) return;
    if (!document.querySelector('[data-testid="login-submit"], [data-testid="checkin-submit"]')) return;
    window.__gwInteractive = performance.now();
    mo.disconnect();
  });
  mo.observe(document, { childList: true, subtree: true });
}

/** Throttles a page as a phone on Slow 4G with a 4× slower CPU (DevTools protocol). */
async function throttle(phone) {
  const cdp = await phone.context.newCDPSession(phone.page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
}

/** First paint and interactive of one navigation, from the page's own clocks. */
async function navigationTimes(page) {
  await page.waitForFunction(() => window.__gwInteractive, null, { timeout: 60000 });
  return page.evaluate(() => ({
    paint: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
    interactive: window.__gwInteractive,
    shell: !!document.querySelector('[data-testid="app-shell"]'),
  }));
}

async function measureFirstVisits() {
  const first = [], warm = [];
  for (let i = 0; i < FIRST_VISITS; i++) {
    await withPhone(`first-${i}`, async (phone) => {
      await phone.context.addInitScript(markInteractiveInPage);
      await throttle(phone);
      await phone.page.goto(server.base, { waitUntil: 'commit' });
      first.push(await navigationTimes(phone.page));
      if (i > 0) return;
      // Warm starts: the service worker serves the app (same throttling).
      await phone.page.waitForFunction(() => navigator.serviceWorker.controller
        || navigator.serviceWorker.ready.then(() => true), null, { timeout: 60000 });
      await phone.page.reload({ waitUntil: 'commit' });
      await navigationTimes(phone.page);
      for (let k = 0; k < WARM_STARTS; k++) {
        await phone.page.reload({ waitUntil: 'commit' });
        warm.push((await navigationTimes(phone.page)).interactive);
      }
    });
  }
  return {
    paint: stats(first.map((f) => f.paint)),
    interactive: stats(first.map((f) => f.interactive)),
    warm: stats(warm),
  };
}

// ---- 3. quota ------------------------------------------------------------------------------

async function measureQuota(template) {
  return withPhone('quota', async ({ page }) => {
    await page.goto(`${server.base}/api/health`); // the origin, without the app's own keys
    const ascii = (await page.evaluate(fillInPage, { ch: 'x' })).units, cjk = (await page.evaluate(fillInPage, { ch: '张' })).units;
    return { ascii, cjk, records: await page.evaluate(fillInPage, { template }) };
  });
}

// ---- the report ------------------------------------------------------------------------------

function reportSizes(p, sizes, requested) {
  const core = sizes.filter((r) => !r.icon), icons = sizes.filter((r) => r.icon);
  const sum = (rows, k) => rows.reduce((s, r) => s + r[k], 0);
  p('## 1. First-load bytes\n');
  p('| file | raw | gzip -9 | brotli q11 | as served (encoding) |\n|---|---:|---:|---:|---:|');
  for (const r of [...core, ...icons]) p(`| ${r.path} | ${r.raw} | ${r.gzip} | ${r.br} | ${r.served} (${r.encoding}) |`);
  for (const [name, rows] of [['app files, no icons', core], ['icons', icons]]) {
    p(`| **${name}** | ${sum(rows, 'raw')} | ${sum(rows, 'gzip')} | ${sum(rows, 'br')} | ${sum(rows, 'served')} |`);
  }
  const br = sum(core, 'br'), served = sum(core, 'served'), limit = TARGET.firstLoadKB * 1000;
  p(`\nApp files at brotli q11: **${kb(br)}** (${(br / 1024).toFixed(1)} KiB), target ≤ ${TARGET.firstLoadKB} KB: ${pass(br <= limit)}. ` +
    `As the server sends them (the build's precompressed copies): **${kb(served)}**: ${pass(served <= limit)}. KB = 1,000 bytes.`);
  const seen = (bySw) => [...new Set(requested.filter((r) => r.bySw === bySw && !r.path.startsWith('/api/')).map((r) => r.path))].join(', ');
  p(`\nRequested by the page on a first visit: ${seen(false)}.\n`);
  p(`Requested by the service worker's precache in the same visit: ${seen(true)}.\n`);
}

function reportTiming(p, timing) {
  p('## 2. Tap → durable "saved", and app start\n');
  p(`One fresh profile per row, records seeded, network off; ${TAPS} taps after ${WARMUP} untimed, each after ${IDLE_MS} ms idle. ` +
    'App: capture-phase click → save-status "saved" with a new record id; journal commit = its strict IndexedDB transaction. ' +
    'Baseline, same page, alternating with the taps: setItem of one record + one strict IndexedDB put in its own database, ' +
    `awaited; from page script, and from a probe button clicked like the app's. Start: navigation → first frame with the ` +
    `check-in button, ${RELOADS} offline reloads from the service worker. Nearest-rank percentiles.\n`);
  const two = (s) => `${ms(s.p50)} / ${ms(s.p95)}`;
  const ratio = (t, b) => `${(t.taps.p95 / b.p95).toFixed(2)}×`;
  p('| records stored | app p50 / p95 | app max | journal commit p50 / p95 | baseline p50 / p95 | p95 ratio | ' +
    'baseline from a real click p50 / p95 | p95 ratio | start p50 | start max |');
  p('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const t of timing) {
    p(`| ${t.n} + ${t.stored - t.n} pulled | ${two(t.taps)} | ${ms(t.taps.max)} | ${two(t.commit)} | ${two(t.base)} | ${ratio(t, t.base)} | ` +
      `${two(t.click)} | ${ratio(t, t.click)} | ${ms(t.start.p50)} | ${ms(t.start.max)} |`);
  }
  const big = timing.find((t) => t.n === TARGET.records);
  // Like for like: in this Chromium any IndexedDB transaction started from a real click
  // takes ~13 ms whoever starts it, so the target compares the app's tap with the same
  // bare writes started by a real click. The script-started ratio is shown beside it.
  const r = big.taps.p95 / big.click.p95;
  p(`\nAt ${TARGET.records} records: app p95 / bare writes from a real click p95 = **${r.toFixed(2)}×**, ` +
    `target ≤ ${TARGET.ratio}×: ${pass(r <= TARGET.ratio)}. ` +
    `Against bare writes started from page script (no click): **${ratio(big, big.base)}** — the gap is the ` +
    'click-started IndexedDB transaction, which costs the bare writes the same. ' +
    `App start with ${TARGET.records} records: **${ms(big.start.p50)}** p50, ${ms(big.start.max)} max.\n`);
}

function reportFirstVisit(p, v) {
  p('## 4. First visit on Slow 4G, 4× CPU slowdown\n');
  p(`Fresh profile each (${FIRST_VISITS} visits, median), network emulated as Slow 4G (150 ms RTT, ` +
    `1.6 Mbps down, 750 kbps up) and the CPU ${CPU_SLOWDOWN}× slower through the DevTools protocol. ` +
    "First paint = the page's first-contentful-paint (the app shell of index.html); interactive = " +
    "the app's login form (or big button) exists; warm start = the same after a reload served by " +
    `the service worker (${WARM_STARTS} reloads, same throttling).\n`);
  p('| measure | p50 | max | target |\n|---|---:|---:|---:|');
  p(`| first paint | ${ms(v.paint.p50)} | ${ms(v.paint.max)} | ≤ ${TARGET.firstPaintMs} ms: ${pass(v.paint.max <= TARGET.firstPaintMs)} |`);
  p(`| interactive | ${ms(v.interactive.p50)} | ${ms(v.interactive.max)} | ≤ ${TARGET.interactiveMs} ms: ${pass(v.interactive.max <= TARGET.interactiveMs)} |`);
  p(`| warm start | ${ms(v.warm.p50)} | ${ms(v.warm.max)} | ≤ ${TARGET.warmStartMs} ms (p50): ${pass(v.warm.p50 <= TARGET.warmStartMs)} |\n`);
}

function reportQuota(p, quota, real) {
  const avg = (recs) => recs.reduce((s, r) => s + r.key.length + r.value.length, 0) / recs.length;
  const unsynced = avg(real.unsynced), synced = avg(real.synced), per = Math.max(unsynced, synced);
  const share = (TARGET.records * per) / quota.ascii;
  p('## 3. localStorage quota\n');
  p('Counted in UTF-16 code units (JavaScript string length) of keys + values, filled until QuotaExceededError in halving chunks: ' +
    `ASCII ('x') **${quota.ascii}** units, CJK ('张') **${quota.cjk}** units ` +
    `(${quota.ascii === quota.cjk ? 'equal: Chromium counts code units, not bytes' : 'they differ: not simply code units'}).\n`);
  p(`App-made check-ins (${REAL_CHECKINS} real taps, note '${NOTE}', officer '${OFFICER}', time zone ${PHONE_OPTIONS.timezoneId}): ` +
    `**${unsynced.toFixed(1)}** units each (key + value) before sync, **${synced.toFixed(1)}** once synced and pulled back. Sized by the larger.\n`);
  p('Example: `' + real.synced[0].key + '` = `' + real.synced[0].value + '`\n');
  p(`- check-ins that fit in 50% of the quota: **${Math.floor((quota.ascii * TARGET.quotaShare) / per)}**`);
  p(`- ${TARGET.records} check-ins take **${(share * 100).toFixed(1)}%** of the quota, target ≤ 50%: ${pass(share <= TARGET.quotaShare)}`);
  p(`- cross-check, that record written under fresh keys until full: **${quota.records.items}** fit ` +
    `(${quota.records.units} units), so ${TARGET.records} take ${((100 * TARGET.records) / quota.records.items).toFixed(1)}%`);
}

function report({ sizes, real, timing, quota, firstVisit }) {
  const out = [];
  const p = (s) => out.push(s);
  const build = (fs.readFileSync(join(DIST, 'sw.js'), 'utf8').match(/BUILD_HASH = '(\w+)'/) || [])[1];
  p('# Gatewatch benchmark report\n');
  p(`- date: ${new Date().toISOString()}`);
  p(`- machine: nproc ${run('nproc', [])}, ${os.cpus()[0]?.model}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.platform()} ${os.release()}`);
  p(`- browser: ${run(CHROMIUM, ['--version'])}, headless, playwright-core; node ${process.version}`);
  p(`- profiles on: ${run('df', ['--output=fstype', root]).split('\n').pop()} (${root})`);
  p(`- app: ${DIST} (build hash ${build})\n`);
  reportSizes(p, sizes, real.requested);
  reportTiming(p, timing);
  reportQuota(p, quota, real);
  reportFirstVisit(p, firstVisit);
  return out.join('\n');
}

// ---- run -------------------------------------------------------------------------------------

let cleaned = false;
async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  for (const c of open) await c.close().catch(() => {});
  await server?.stop().catch(() => {});
  fs.rmSync(root, { recursive: true, force: true });
}

const watchdog = setTimeout(() => {
  log(`gave up after ${WATCHDOG_MS / 60000} min`);
  cleanup().finally(() => process.exit(2));
}, WATCHDOG_MS);
process.once('SIGINT', () => cleanup().finally(() => process.exit(130)));

try {
  if (!fs.existsSync(join(DIST, 'index.html'))) throw new Error(`no built app in ${DIST}: run make app`);
  fs.mkdirSync(join(root, 'db'));
  server = await startServer({ dataDir: join(root, 'db') });
  log(`server ${server.base}, app ${DIST}`);
  const sizes = await measureSizes();
  log('sizes done; real check-ins');
  const real = await realCheckIns();
  const timing = [];
  for (const n of SEED_COUNTS) timing.push(await timeWithRecords(n, real.synced[0].value));
  log('quota');
  const quota = await measureQuota(real.synced[0].value);
  log('first visits on Slow 4G');
  const firstVisit = await measureFirstVisits();
  console.log(report({ sizes, real, timing, quota, firstVisit }));
} catch (e) {
  log('failed:', e);
  process.exitCode = 1;
} finally {
  clearTimeout(watchdog);
  await cleanup();
}
