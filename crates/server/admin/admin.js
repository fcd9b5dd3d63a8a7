// Gatewatch admin page: plain DOM over the public API (no framework, no build step).
// Loaded from /admin/admin.js so a `script-src 'self'` policy allows it; no inline code.
'use strict';

const WINDOW_NAMES = { morning: '早 (AM)', noon: '午 (noon)', afternoon: '晚 (PM)' };

const $ = (id) => document.querySelector(`[data-testid="${id}"]`);

/** An element with text content (never innerHTML: names come from a CSV). */
function el(tag, text, attrs = {}) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

function row(cells, attrs) {
  const tr = el('tr', null, attrs);
  for (const c of cells) tr.append(el('td', c));
  return tr;
}

function setStatus(id, state, text) {
  const node = $(id);
  node.dataset.state = state;
  node.textContent = text;
}

/** An error answer `{error, detail}` (or anything else) as one line for a person. */
async function errorText(response) {
  const body = await response.text();
  try {
    const json = JSON.parse(body);
    if (json && json.error) return `${json.error}: ${json.detail}`;
  } catch { /* not JSON: a proxy's page, say */ }
  return `HTTP ${response.status}${body ? `: ${body.slice(0, 200)}` : ''}`;
}

/** fetch that turns network failures and non-2xx answers into an Error with a readable message. */
async function api(path, options) {
  let response;
  try {
    response = await fetch(path, options);
  } catch (e) {
    throw new Error(`无法连接服务器 (cannot reach the server): ${e.message}`);
  }
  if (!response.ok) throw new Error(await errorText(response));
  return response.json();
}

// ---- Microdegrees from decimal strings, by string arithmetic (no float rounding). ----

/**
 * `"31.2304163"` → refused, `"31.230416"` → 31230416, `"-0.5"` → -500000. At most six
 * decimals (extra trailing zeros are fine); `max` is 90 or 180 degrees. Throws a message.
 */
function toE6(text, max, name) {
  const m = /^([+-]?)(\d{1,3})(?:\.(\d*))?$/.exec(text.trim());
  if (!m) throw new Error(`${name}: 不是十进制度数 (not decimal degrees): "${text}"`);
  const [, sign, whole, frac = ''] = m;
  if (frac.length > 6 && /[^0]/.test(frac.slice(6))) {
    throw new Error(`${name}: 最多 6 位小数 (at most 6 decimals): "${text}"`);
  }
  const e6 = Number(whole) * 1000000 + Number(frac.slice(0, 6).padEnd(6, '0'));
  if (e6 > max * 1000000) throw new Error(`${name}: 超出 ±${max} (out of range): "${text}"`);
  return sign === '-' && e6 !== 0 ? -e6 : e6;
}

/** 31230416 → "31.230416" (exact, the inverse of toE6). */
function fromE6(e6) {
  const abs = Math.abs(e6);
  const frac = String(abs % 1000000).padStart(6, '0');
  return `${e6 < 0 ? '-' : ''}${Math.floor(abs / 1000000)}.${frac}`;
}

// ---- Catalog ----

let schools = [];
let posts = [];

function windowsText(school) {
  return school.windows
    .map((w) => `${WINDOW_NAMES[w.kind] || w.kind} ${w.opens.slice(0, 5)}–${w.closes.slice(0, 5)}`)
    .join('，');
}

function renderCatalog() {
  $('admin-schools').replaceChildren(...schools.map((s) =>
    row([s.id, s.name, windowsText(s), s.lead_minutes], { 'data-testid': 'admin-school-row', 'data-id': s.id })));
  $('admin-posts').replaceChildren(...posts.map((p) => {
    const where = p.location ? `${fromE6(p.location.lat_e6)}, ${fromE6(p.location.lon_e6)}` : '—';
    return row([p.id, p.school, p.gate, where], {
      'data-testid': 'admin-post-row',
      'data-id': p.id,
      'data-location': p.location ? `${p.location.lat_e6},${p.location.lon_e6}` : '',
    });
  }));
  const select = $('admin-loc-post');
  const chosen = select.value;
  select.replaceChildren(...posts.map((p) => el('option', `${p.school} ${p.gate} (${p.id})`, { value: p.id })));
  if (posts.some((p) => p.id === chosen)) select.value = chosen;
  fillLocation();
}

async function loadCatalog() {
  setStatus('admin-load-status', 'loading', '加载中… (loading…)');
  try {
    [schools, posts] = await Promise.all([api('/api/schools'), api('/api/posts')]);
    renderCatalog();
    setStatus('admin-load-status', 'loaded', `${schools.length} 所学校，${posts.length} 个岗位 (${schools.length} schools, ${posts.length} posts)`);
  } catch (e) {
    setStatus('admin-load-status', 'error', `加载失败 (could not load): ${e.message}`);
  }
}

/** Puts the chosen post's current location in the inputs. */
function fillLocation() {
  const post = posts.find((p) => p.id === $('admin-loc-post').value);
  $('admin-loc-lat').value = post?.location ? fromE6(post.location.lat_e6) : '';
  $('admin-loc-lon').value = post?.location ? fromE6(post.location.lon_e6) : '';
}

async function saveLocation(event) {
  event.preventDefault();
  const post = posts.find((p) => p.id === $('admin-loc-post').value);
  if (!post) return setStatus('admin-loc-result', 'error', '请先选择岗位 (choose a post first)');
  const lat = $('admin-loc-lat').value.trim();
  const lon = $('admin-loc-lon').value.trim();
  let location = null;
  try {
    if (lat || lon) {
      if (!lat || !lon) throw new Error('纬度和经度要一起填写 (give both latitude and longitude, or neither)');
      location = { lat_e6: toE6(lat, 90, '纬度 (latitude)'), lon_e6: toE6(lon, 180, '经度 (longitude)') };
    }
  } catch (e) {
    return setStatus('admin-loc-result', 'error', e.message);
  }
  setStatus('admin-loc-result', 'saving', '保存中… (saving…)');
  try {
    const saved = await api(`/api/admin/posts/${encodeURIComponent(post.id)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ school_id: post.school_id, gate: post.gate, location }),
    });
    const where = saved.location ? `${fromE6(saved.location.lat_e6)}, ${fromE6(saved.location.lon_e6)}` : '无 (none)';
    setStatus('admin-loc-result', 'ok', `已保存 (saved) ${saved.id}: ${where}`);
    await loadCatalog();
  } catch (e) {
    setStatus('admin-loc-result', 'error', `保存失败 (not saved): ${e.message}`);
  }
}

// ---- Import ----

async function readFile() {
  const file = $('admin-import-file').files[0];
  if (file) $('admin-import-text').value = await file.text();
}

async function importCsv() {
  const text = $('admin-import-text').value;
  if (!text.trim()) return setStatus('admin-import-result', 'error', '没有内容 (nothing to import): 选择文件或粘贴 (choose a file or paste)');
  setStatus('admin-import-result', 'saving', '导入中… (importing…)');
  try {
    const done = await api('/api/admin/import', {
      method: 'POST',
      headers: { 'content-type': 'text/csv; charset=utf-8' },
      body: text,
    });
    setStatus('admin-import-result', 'ok', `已导入 (imported): ${done.schools} 所学校 (schools)，${done.posts} 个岗位 (posts)`);
    await loadCatalog();
  } catch (e) {
    setStatus('admin-import-result', 'error', `未导入，文件未作任何改动 (nothing imported): ${e.message}`);
  }
}

// ---- Reports ----

function localDate(d) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function range() {
  return new URLSearchParams({ from: $('admin-from').value, to: $('admin-to').value }).toString();
}

function updateLinks() {
  for (const a of document.querySelectorAll('a[data-report]')) {
    a.href = `/api/export/${a.dataset.report}.csv?${range()}`;
  }
}

function percentText(rate) {
  return rate.percent === null ? '—' : `${rate.percent.toFixed(1)}% (${rate.covered}/${rate.decided})`;
}

function rateTable(title, rows, nameOf) {
  const table = el('table');
  table.append(el('caption', title));
  const body = el('tbody');
  for (const r of rows) {
    body.append(row([nameOf(r.key), percentText(r)], { 'data-testid': 'admin-coverage-row', 'data-key': r.key }));
  }
  table.append(body);
  return table;
}

async function loadCoverage(event) {
  event?.preventDefault();
  updateLinks();
  setStatus('admin-coverage-status', 'loading', '计算中… (computing…)');
  try {
    const c = await api(`/api/coverage?${range()}`);
    const overall = el('p', `总落实率 (overall) ${c.from} – ${c.to}: ${percentText(c.overall)}`, {
      'data-testid': 'admin-coverage-overall',
      'data-percent': c.overall.percent === null ? '' : String(c.overall.percent),
    });
    const schoolName = (id) => schools.find((s) => s.id === id)?.name || id;
    $('admin-coverage').replaceChildren(
      overall,
      rateTable('按时段 (by window)', c.by_window, (k) => WINDOW_NAMES[k] || k),
      rateTable('按学校 (by school)', c.by_school, schoolName),
      rateTable('按日期 (by day)', c.by_day, (k) => k),
    );
    setStatus('admin-coverage-status', 'loaded', '');
  } catch (e) {
    $('admin-coverage').replaceChildren();
    setStatus('admin-coverage-status', 'error', `无法计算 (could not compute): ${e.message}`);
  }
}

// ---- Volunteer hours ----

/** Points the hours download at the chosen month (`YYYY-MM`; a browser without a month picker gets a text box). */
function updateDutyLink() {
  const month = $('admin-duty-month').value.trim();
  const link = $('admin-duty-hours');
  if (/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) {
    link.href = `/api/export/duty-hours.csv?${new URLSearchParams({ month })}`;
    link.removeAttribute('aria-disabled');
    setStatus('admin-duty-status', 'ok', '');
  } else {
    link.removeAttribute('href');
    link.setAttribute('aria-disabled', 'true');
    setStatus('admin-duty-status', 'error', '请选择月份，如 2026-11 (choose a month, e.g. 2026-11)');
  }
}

// ---- Start ----

document.addEventListener('DOMContentLoaded', () => {
  const today = new Date();
  const weekAgo = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 6);
  $('admin-from').value = localDate(weekAgo);
  $('admin-to').value = localDate(today);
  updateLinks();
  $('admin-duty-month').value = localDate(today).slice(0, 7);
  updateDutyLink();
  $('admin-duty-month').addEventListener('input', updateDutyLink);
  $('admin-duty-month').addEventListener('change', updateDutyLink);
  $('admin-from').addEventListener('change', updateLinks);
  $('admin-to').addEventListener('change', updateLinks);
  $('admin-range').addEventListener('submit', loadCoverage);
  $('admin-loc-post').addEventListener('change', fillLocation);
  $('admin-loc-form').addEventListener('submit', saveLocation);
  $('admin-import-file').addEventListener('change', readFile);
  $('admin-import-submit').addEventListener('click', importCsv);
  loadCatalog().then(() => loadCoverage());
});
