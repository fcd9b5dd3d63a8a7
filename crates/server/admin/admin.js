// Gatewatch admin page: plain DOM over the public API (no framework, no build step).
// Loaded from /admin/admin.js so a `script-src 'self'` policy allows it; no inline code.
// The page holds no data of its own: it shows a login form until `/api/auth/me` names an
// admin, and every request goes through `api()`, which signs the page out on a 401.
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

/** A button labelled in Chinese then English, that runs `action` (an async function that reports its own errors). */
function button(zh, en, testid, action) {
  const node = el('button', `${zh} `, { type: 'button', 'data-testid': testid });
  node.append(el('span', `(${en})`, { class: 'en' }));
  node.addEventListener('click', action);
  return node;
}

function setStatus(id, state, text) {
  const node = $(id);
  node.dataset.state = state;
  node.textContent = text;
}

// ---- Talking to the server ----

/** Sessions from this page are listed under this device in an admin's device list. */
const DEVICE = 'adminpage';

/** A refused request: `status` and the server's `code` (`bad_credentials`, …) for decisions, the message for people. */
class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * What each of the server's error codes (`crates/server/src/error.rs`) means, in Chinese
 * then English; the server's detail follows it, since it names the line or field. A code
 * not listed here shows as the server sent it.
 */
const ERROR_WORDS = {
  invalid_encoding: '文件编码无法识别，请在 Excel 中“另存为”“CSV UTF-8”后重新导入 (unreadable text encoding)',
  invalid_csv: '文件内容有误 (the file has a mistake)',
  payload_too_large: '文件太大 (the file is too large)',
  unsupported_media_type: '文件类型不对 (wrong kind of upload)',
  invalid_user: '账号信息不符合要求 (the account is not valid)',
  username_taken: '用户名已被使用 (the username is taken)',
  invalid_school: '学校信息不符合要求 (the school is not valid)',
  invalid_post: '岗位信息不符合要求 (the post is not valid)',
  not_found: '找不到 (not found)',
  forbidden: '没有权限 (not allowed)',
  unauthenticated: '登录已失效 (not signed in)',
  bad_credentials: '用户名或密码错误 (wrong username or password)',
  account_disabled: '此账号已停用 (this account is disabled)',
  too_many_attempts: '失败次数过多，请稍后再试 (too many failed attempts: try again later)',
  csrf_header_missing: '请求被拒绝，请刷新页面 (request refused: reload the page)',
  request_timeout: '请求超时，请重试 (the request timed out: try again)',
  unavailable: '服务器暂时无法访问数据库，请稍后再试 (the server cannot reach its database: try again later)',
  internal: '服务器内部错误 (internal server error)',
};

/** An error answer `{error, detail}` (or anything else) as an ApiError with one line for a person. */
async function apiError(response) {
  const body = await response.text();
  try {
    const json = JSON.parse(body);
    if (json && json.error) {
      const words = ERROR_WORDS[json.error];
      return new ApiError(response.status, json.error, words ? `${words} — ${json.detail}` : `${json.error}: ${json.detail}`);
    }
  } catch { /* not JSON: a proxy's page, say */ }
  return new ApiError(response.status, null, `服务器错误 (server error) HTTP ${response.status}${body ? `: ${body.slice(0, 200)}` : ''}`);
}

/**
 * fetch for `/api/…`: adds `X-Gatewatch` to anything that is not a GET (the server refuses
 * a state-changing request without it: another site's form can send our cookie, not a
 * custom header), turns network failures and non-2xx answers into errors with a readable
 * message, and on a 401 — the session expired, was revoked or logged out elsewhere —
 * shows the login form. The cookie goes along by itself (same origin).
 */
async function api(path, init = {}) {
  const headers = new Headers(init.headers);
  const method = (init.method || 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'HEAD') headers.set('X-Gatewatch', '1');
  let response;
  try {
    response = await fetch(path, { ...init, headers });
  } catch (e) {
    throw new Error(`无法连接服务器 (cannot reach the server): ${e.message}`);
  }
  if (!response.ok) {
    const error = await apiError(response);
    if (response.status === 401) signedOut(error);
    throw error;
  }
  return response.json();
}

/** `init` for a JSON request. */
function json(method, body) {
  return { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/**
 * `init` for a CSV upload (both imports), or null when there is nothing to send. A chosen
 * file goes as its bytes, untouched: Excel on a Chinese Windows saves GBK, which reading
 * it as text here would turn into replacement characters; the server tells GBK from
 * UTF-8. Pasted text goes as UTF-8. No charset: the bytes decide.
 */
function csvUpload(fileId, textId) {
  const file = $(fileId).files[0];
  const text = $(textId).value;
  const body = file || (text.trim() ? text : null);
  return body && { method: 'POST', headers: { 'content-type': 'text/csv' }, body };
}

/**
 * A file input and a text area that are two ways to give one CSV: choosing a file empties
 * the text area, typing in it forgets the file, so what is imported is what is in view.
 */
function oneSource(fileId, textId) {
  $(fileId).addEventListener('change', () => {
    if ($(fileId).files.length) $(textId).value = '';
  });
  $(textId).addEventListener('input', () => {
    $(fileId).value = '';
  });
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

function schoolName(id) {
  return schools.find((s) => s.id === id)?.name || id;
}

function windowsText(school) {
  return school.windows
    .map((w) => `${WINDOW_NAMES[w.kind] || w.kind} ${w.opens.slice(0, 5)}–${w.closes.slice(0, 5)}`)
    .join('，');
}

function renderCatalog() {
  $('admin-schools').replaceChildren(...schools.map((s) =>
    row([s.id, s.name, windowsText(s), s.lead_minutes, s.district || '—', s.counted_from || '—'],
      { 'data-testid': 'admin-school-row', 'data-id': s.id })));
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
  fillPickers();
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
    const saved = await api(`/api/admin/posts/${encodeURIComponent(post.id)}`,
      json('PUT', { school_id: post.school_id, gate: post.gate, location }));
    const where = saved.location ? `${fromE6(saved.location.lat_e6)}, ${fromE6(saved.location.lon_e6)}` : '无 (none)';
    setStatus('admin-loc-result', 'ok', `已保存 (saved) ${saved.id}: ${where}`);
    await loadCatalog();
  } catch (e) {
    setStatus('admin-loc-result', 'error', `保存失败 (not saved): ${e.message}`);
  }
}

// ---- Import ----

async function importCsv() {
  const upload = csvUpload('admin-import-file', 'admin-import-text');
  if (!upload) return setStatus('admin-import-result', 'error', '没有内容 (nothing to import): 选择文件或粘贴 (choose a file or paste)');
  setStatus('admin-import-result', 'saving', '导入中… (importing…)');
  try {
    const done = await api('/api/admin/import', upload);
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

/** A table in a box that scrolls sideways on its own, so a phone-wide page does not. */
function scroller(table) {
  const box = el('div', null, { class: 'scroll' });
  box.append(table);
  return box;
}

function rateTable(title, rows, nameOf) {
  const table = el('table');
  table.append(el('caption', title));
  const body = el('tbody');
  for (const r of rows) {
    body.append(row([nameOf(r.key), percentText(r)], { 'data-testid': 'admin-coverage-row', 'data-key': r.key }));
  }
  table.append(body);
  return scroller(table);
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

// ---- Signing in ----

const ROLE_NAMES = {
  officer: '执勤民警 (officer)',
  lead: '护学队队长 (lead)',
  supervisor: '所长/指挥室 (supervisor)',
  admin: '管理员 (admin)',
};

/** What each view shows: the elements (by id) not hidden. */
const VIEWS = {
  checking: ['checking'],
  login: ['login'],
  forbidden: ['session', 'forbidden'],
  admin: ['session', 'admin'],
};

let view = 'checking';
/** The signed-in user's profile (`GET /api/auth/me`), null when signed out. */
let me = null;

function showView(next) {
  const was = view;
  view = next;
  document.body.dataset.view = next;
  const shown = new Set(VIEWS[next]);
  for (const id of new Set(Object.values(VIEWS).flat())) document.getElementById(id).hidden = !shown.has(id);
  if (next === 'login' && was !== 'login') $('admin-login-username').focus();
}

/**
 * A 401 from any request. Said in words only when it ends a session the page was using
 * (on the first check or a failed login there is nothing to explain).
 */
function signedOut(error) {
  const wasIn = view === 'admin' || view === 'forbidden';
  forget();
  showView('login');
  if (wasIn) setStatus('admin-login-error', 'error', `登录已失效，请重新登录 (signed out, sign in again): ${error.message}`);
}

/** Drops what the last user saw, one-time passwords above all, so the next one does not. */
function forget() {
  me = null;
  users = [];
  $('admin-signed-in').textContent = '';
  $('admin-users').replaceChildren();
  $('admin-user-new-password').value = '';
  hideOncePasswords();
  closeEdit();
  closeDevices();
  for (const id of ['admin-user-result', 'admin-users-import-result']) setStatus(id, '', '');
}

async function enter(profile) {
  me = profile;
  const who = $('admin-signed-in');
  who.textContent = `已登录 (signed in): ${profile.display_name} · ${profile.username} · ${ROLE_NAMES[profile.role] || profile.role}`;
  who.dataset.username = profile.username;
  if (profile.role !== 'admin') return showView('forbidden');
  showView('admin');
  // The users table names schools, and the coverage tables too: the catalog first.
  await loadCatalog();
  await Promise.all([loadCoverage(), loadUsers()]);
}

/** The first look: signed in already (here or in the phone app, same cookie), or not. */
async function checkSession() {
  try {
    await enter(await api('/api/auth/me'));
  } catch (e) {
    // A 401 has shown the form already; anything else (the server is down) is said there.
    if (view !== 'login') {
      showView('login');
      setStatus('admin-login-error', 'error', e.message);
    }
  }
}

async function login(event) {
  event.preventDefault();
  const username = $('admin-login-username').value.trim();
  const password = $('admin-login-password').value;
  if (!username || !password) {
    return setStatus('admin-login-error', 'error', '请填写用户名和密码 (enter a username and a password)');
  }
  const submit = $('admin-login-submit');
  submit.disabled = true;
  setStatus('admin-login-error', '', '');
  try {
    const profile = await api('/api/auth/login', json('POST', { username, password, device: DEVICE }));
    $('admin-login-password').value = '';
    await enter(profile);
  } catch (e) {
    $('admin-login-password').select();
    setStatus('admin-login-error', 'error', `登录失败 (could not sign in): ${e.message}`);
  } finally {
    submit.disabled = false;
  }
}

async function logout() {
  try {
    await api('/api/auth/logout', { method: 'POST' });
  } catch (e) {
    // The cookie may still be there: say so rather than pretend.
    forget();
    showView('login');
    return setStatus('admin-login-error', 'error', `退出可能未完成 (logging out may have failed): ${e.message}`);
  }
  forget();
  showView('login');
  setStatus('admin-login-error', '', '');
}

// ---- Users ----

let users = [];
/** Teams the server holds (`/api/admin/teams`), for choosing a lead's. */
let teams = [];

function teamName(id) {
  const team = teams.find((t) => t.id === id);
  return team ? `${team.name} (${schoolName(team.school_id)})` : id;
}

function listText(ids, nameOf) {
  return ids.length ? ids.map(nameOf).join('、') : '—';
}

function chosen(select) {
  return [...select.selectedOptions].map((o) => o.value);
}

/** Replaces a select's options (`[value, label]`), keeping what was chosen. */
function fillOptions(select, options, keep = chosen(select)) {
  const wanted = new Set(keep);
  select.replaceChildren(...options.map(([value, label]) => {
    const option = el('option', label, { value });
    option.selected = wanted.has(value);
    return option;
  }));
}

const schoolOptions = () => schools.map((s) => [s.id, `${s.name} (${s.id})`]);
const teamOptions = () => teams.map((t) => [t.id, teamName(t.id)]);

/** The school and team pickers of both forms, from the catalog and the teams (either may have changed). */
function fillPickers() {
  for (const select of document.querySelectorAll('select[data-picker="schools"]')) fillOptions(select, schoolOptions());
  for (const select of document.querySelectorAll('select[data-picker="teams"]')) fillOptions(select, teamOptions());
}

function userRow(user) {
  const self = user.id === me?.user;
  const tr = row([
    self ? `${user.username} · 你 (you)` : user.username,
    user.display_name,
    ROLE_NAMES[user.role] || user.role,
    listText(user.schools, schoolName),
    listText(user.teams, teamName),
    user.disabled ? '已停用 (disabled)' : '正常 (active)',
  ], {
    'data-testid': 'admin-user-row',
    'data-id': user.id,
    'data-username': user.username,
    'data-role': user.role,
    'data-disabled': String(user.disabled),
    class: user.disabled ? 'disabled' : '',
  });
  const actions = el('td', null, { class: 'actions' });
  actions.append(
    button('修改', 'Edit', 'admin-user-edit', () => openEdit(user)),
    button('重置密码', 'Reset password', 'admin-user-reset', () => resetPassword(user)),
    button('设备', 'Devices', 'admin-user-devices', () => openDevices(user)),
  );
  tr.append(actions);
  return tr;
}

async function loadUsers() {
  setStatus('admin-users-status', 'loading', '加载中… (loading…)');
  try {
    [users, teams] = await Promise.all([api('/api/admin/users'), api('/api/admin/teams')]);
    $('admin-users').replaceChildren(...users.map(userRow));
    fillPickers();
    setStatus('admin-users-status', 'loaded', `${users.length} 个账号 (accounts)`);
  } catch (e) {
    setStatus('admin-users-status', 'error', `加载失败 (could not load): ${e.message}`);
  }
}

/** Where a made-up password came from, for the list of them. */
const ONCE_FROM = {
  created: '新建 (created)',
  reset: '重置 (reset)',
  imported: '导入 (imported)',
};

/**
 * Adds a password the server made up to the list above the users table. It is never
 * fetched again, so it stays — through later creations, resets and imports — until the
 * admin says it is noted (or signs out: the next person at this desk must not see it).
 * A newer password for the same account replaces its older one, which no longer works.
 */
function showOncePassword(username, password, from) {
  const rows = $('admin-once-rows');
  rows.querySelector(`tr[data-username="${CSS.escape(username)}"]`)?.remove();
  const secret = el('td');
  secret.append(el('code', password, { 'data-testid': 'admin-once-password' }));
  const tr = el('tr', null, { 'data-testid': 'admin-once-row', 'data-username': username });
  tr.append(el('td', username), secret, el('td', from));
  rows.prepend(tr);
  const box = $('admin-once');
  box.hidden = false;
  box.scrollIntoView({ block: 'nearest' });
}

function hideOncePasswords() {
  $('admin-once').hidden = true;
  $('admin-once-rows').replaceChildren();
}

/** Leaving the page would lose passwords not yet noted: the browser asks first. */
function guardOncePasswords(event) {
  if ($('admin-once-rows').childElementCount) event.preventDefault();
}

async function createUser(event) {
  event.preventDefault();
  const form = $('admin-user-new-form');
  const body = {
    username: $('admin-user-new-username').value.trim(),
    display_name: $('admin-user-new-name').value.trim(),
    role: $('admin-user-new-role').value,
    schools: chosen($('admin-user-new-schools')),
    teams: chosen($('admin-user-new-teams')),
  };
  // Left empty, the server makes one up and answers it once.
  const password = $('admin-user-new-password').value;
  if (password) body.password = password;
  setStatus('admin-user-result', 'saving', '创建中… (creating…)');
  try {
    const made = await api('/api/admin/users', json('POST', body));
    form.reset();
    setStatus('admin-user-result', 'ok', `已创建 (created) ${made.user.username}${made.password ? '' : '，使用你设定的密码 (with the password you gave)'}`);
    if (made.password) showOncePassword(made.user.username, made.password, ONCE_FROM.created);
    await loadUsers();
  } catch (e) {
    setStatus('admin-user-result', 'error', `未创建 (not created): ${e.message}`);
  }
}

/** The user being edited, while the edit form is open. */
let editing = null;

function openEdit(user) {
  editing = user;
  closeDevices();
  $('admin-user-edit-for').textContent = `${user.display_name} · ${user.username}`;
  $('admin-user-edit-name').value = user.display_name;
  $('admin-user-edit-role').value = user.role;
  $('admin-user-edit-disabled').checked = user.disabled;
  fillOptions($('admin-user-edit-schools'), schoolOptions(), user.schools);
  fillOptions($('admin-user-edit-teams'), teamOptions(), user.teams);
  // The server refuses both on one's own account (it must keep a way in); say so before a click.
  const self = user.id === me?.user;
  $('admin-user-edit-role').disabled = self;
  $('admin-user-edit-disabled').disabled = self;
  $('admin-user-edit-self').hidden = !self;
  const panel = $('admin-user-edit-panel');
  panel.hidden = false;
  panel.scrollIntoView({ block: 'nearest' });
  $('admin-user-edit-name').focus();
}

function closeEdit() {
  editing = null;
  $('admin-user-edit-panel').hidden = true;
}

async function saveEdit(event) {
  event.preventDefault();
  if (!editing) return;
  const fields = {
    display_name: $('admin-user-edit-name').value.trim(),
    role: $('admin-user-edit-role').value,
    schools: chosen($('admin-user-edit-schools')),
    teams: chosen($('admin-user-edit-teams')),
    disabled: $('admin-user-edit-disabled').checked,
  };
  setStatus('admin-user-result', 'saving', '保存中… (saving…)');
  try {
    const saved = await api(`/api/admin/users/${encodeURIComponent(editing.id)}`, json('PUT', fields));
    closeEdit();
    setStatus('admin-user-result', 'ok', `已保存 (saved) ${saved.username}`);
    await loadUsers();
  } catch (e) {
    setStatus('admin-user-result', 'error', `未保存 (not saved): ${e.message}`);
  }
}

async function resetPassword(user) {
  // It logs the person out everywhere: not something to do by a slip of the mouse.
  if (!window.confirm(`重置 ${user.username} 的密码？其所有设备都需要用新密码重新登录。\n(Reset ${user.username}'s password? Every device of theirs must log in again with the new one.)`)) return;
  setStatus('admin-user-result', 'saving', '重置中… (resetting…)');
  try {
    const done = await api(`/api/admin/users/${encodeURIComponent(user.id)}/password`, json('POST', {}));
    setStatus('admin-user-result', 'ok', `已重置 ${user.username} 的密码，结束了 ${done.sessions_ended} 个会话 (password reset, ${done.sessions_ended} sessions ended)`);
    showOncePassword(user.username, done.password, ONCE_FROM.reset);
  } catch (e) {
    setStatus('admin-user-result', 'error', `未重置 (not reset): ${e.message}`);
  }
}

// ---- Devices ----

/** The user whose devices are listed, while the list is open. */
let devicesOf = null;

function when(iso) {
  return new Date(iso).toLocaleString('zh-CN', { hour12: false });
}

function deviceRow(device) {
  const tr = row([device.device, device.user_agent || '—', when(device.first_login), when(device.last_seen), device.active_sessions], {
    'data-testid': 'admin-device-row',
    'data-device': device.device,
    'data-active': String(device.active_sessions),
  });
  const revoke = button('注销此设备', 'Revoke', 'admin-device-revoke', () => revokeDevice(device.device));
  revoke.disabled = device.active_sessions === 0;
  const cell = el('td');
  cell.append(revoke);
  tr.append(cell);
  return tr;
}

async function openDevices(user) {
  devicesOf = user;
  closeEdit();
  $('admin-devices-for').textContent = `${user.display_name} · ${user.username}`;
  const panel = $('admin-devices-panel');
  panel.hidden = false;
  await loadDevices();
  panel.scrollIntoView({ block: 'nearest' });
}

function closeDevices() {
  devicesOf = null;
  $('admin-devices-panel').hidden = true;
  $('admin-devices').replaceChildren();
}

/** Fills the device list; true when it could. */
async function loadDevices() {
  if (!devicesOf) return false;
  setStatus('admin-devices-status', 'loading', '加载中… (loading…)');
  try {
    const list = await api(`/api/admin/users/${encodeURIComponent(devicesOf.id)}/devices`);
    $('admin-devices').replaceChildren(...list.map(deviceRow));
    setStatus('admin-devices-status', 'loaded', list.length ? '' : '尚未在任何设备上登录过 (never signed in on any device)');
    return true;
  } catch (e) {
    $('admin-devices').replaceChildren();
    setStatus('admin-devices-status', 'error', `加载失败 (could not load): ${e.message}`);
    return false;
  }
}

async function revokeDevice(device) {
  const user = devicesOf;
  if (!user || !window.confirm(`注销 ${user.username} 在设备 ${device} 上的登录？\n(End ${user.username}'s sessions on ${device}?)`)) return;
  try {
    const done = await api(`/api/admin/users/${encodeURIComponent(user.id)}/devices/${encodeURIComponent(device)}/revoke`, { method: 'POST' });
    if (await loadDevices()) {
      setStatus('admin-devices-status', 'ok', `已注销 ${device}，结束了 ${done.sessions_ended} 个会话 (revoked, ${done.sessions_ended} sessions ended)`);
    }
  } catch (e) {
    setStatus('admin-devices-status', 'error', `未注销 (not revoked): ${e.message}`);
  }
}

// ---- Users from a CSV ----

async function importUsers() {
  const upload = csvUpload('admin-users-import-file', 'admin-users-import-text');
  if (!upload) return setStatus('admin-users-import-result', 'error', '没有内容 (nothing to import): 选择文件或粘贴 (choose a file or paste)');
  // Each new account's password is hashed on purpose slowly: 5,000 take about a minute.
  setStatus('admin-users-import-result', 'saving', '导入中，数千个账号约需一两分钟，请勿关闭页面… (importing: thousands of accounts take a minute or two; keep this page open)');
  try {
    const { created, updated } = await api('/api/admin/users/import', upload);
    for (const { username, password } of created) showOncePassword(username, password, ONCE_FROM.imported);
    const passwords = created.length ? '，新密码见上方 (new passwords: see above)' : '';
    setStatus('admin-users-import-result', 'ok', `已导入 (imported): 新建 ${created.length} 个 (created)，更新 ${updated.length} 个 (updated)${updated.length ? `：${updated.join('、')}` : ''}${passwords}`);
    await loadUsers();
  } catch (e) {
    setStatus('admin-users-import-result', 'error', `未导入，没有任何改动 (nothing imported): ${e.message}`);
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
  const roles = Object.entries(ROLE_NAMES);
  for (const select of document.querySelectorAll('select[data-roles]')) fillOptions(select, roles, ['officer']);

  $('admin-login-form').addEventListener('submit', login);
  $('admin-logout').addEventListener('click', logout);
  $('admin-duty-month').addEventListener('input', updateDutyLink);
  $('admin-duty-month').addEventListener('change', updateDutyLink);
  $('admin-from').addEventListener('change', updateLinks);
  $('admin-to').addEventListener('change', updateLinks);
  $('admin-range').addEventListener('submit', loadCoverage);
  $('admin-loc-post').addEventListener('change', fillLocation);
  $('admin-loc-form').addEventListener('submit', saveLocation);
  oneSource('admin-import-file', 'admin-import-text');
  $('admin-import-submit').addEventListener('click', importCsv);
  $('admin-user-new-form').addEventListener('submit', createUser);
  $('admin-once-dismiss').addEventListener('click', hideOncePasswords);
  window.addEventListener('beforeunload', guardOncePasswords);
  $('admin-user-edit-form').addEventListener('submit', saveEdit);
  $('admin-user-edit-cancel').addEventListener('click', closeEdit);
  $('admin-devices-close').addEventListener('click', closeDevices);
  oneSource('admin-users-import-file', 'admin-users-import-text');
  $('admin-users-import-submit').addEventListener('click', importUsers);
  checkSession();
});
