// Shared pieces of the end-to-end tests and benchmarks: the real server started the
// way `make run` starts it (on a free loopback port, with its own database), and
// Debian's Chromium launched through playwright-core.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SERVER_BIN = join(ROOT, 'target/server/gatewatch-server');
export const DIST = process.env.GATEWATCH_E2E_DIST || join(ROOT, 'dist');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const SCREENSHOTS = join(ROOT, 'tests/e2e/screenshots');
export const PHONE = { width: 390, height: 844 };

// Flags from the machine notes: no background traffic to hosts this network refuses.
export const CHROMIUM_FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/**
 * Every temp dir of this test process (server data, browser profiles) lives under one
 * folder, removed when the process exits: a test run leaves nothing behind (each
 * browser profile is a few MB).
 */
let runRoot;
export function tempDir(prefix) {
  if (!runRoot) {
    runRoot = mkdtempSync(join(tmpdir(), 'gatewatch-e2e-'));
    process.once('exit', () => {
      // A browser that has not quite let go of its profile must not fail the run.
      try {
        rmSync(runRoot, { recursive: true, force: true, maxRetries: 3 });
      } catch (e) {
        console.error(`could not remove ${runRoot}: ${e.message}`);
      }
    });
  }
  return mkdtempSync(join(runRoot, `${prefix}-`));
}

export function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
    srv.on('error', rej);
  });
}

async function waitFor(check, what, timeoutMs = 15000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch { /* not yet */ }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The admin account every test server starts with (its first, bootstrap account). */
export const ADMIN = { username: 'admin', password: 'e2e-admin-password' };

/**
 * Logs `username` in against `base` with plain fetch; resolves to a fetch-like function
 * for `/api/...` paths that carries that session's cookie and the `X-Gatewatch` header.
 * With `renew`, a 401 (the session expired: some tests run short sessions) logs in
 * again and retries once.
 */
export async function apiSession(base, { username, password }, device = 'e2enode', { renew = false } = {}) {
  const login = async () => {
    const answer = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-gatewatch': '1' },
      body: JSON.stringify({ username, password, device }),
    });
    if (!answer.ok) throw new Error(`login ${username}: ${answer.status} ${await answer.text()}`);
    // The session's, not the device cookie a login also sets.
    const session = answer.headers.getSetCookie().find((c) => c.startsWith('gw_session='));
    if (!session) throw new Error(`login ${username}: no session cookie`);
    return session.split(';')[0];
  };
  let cookie = await login();
  const send = (path, init) => fetch(base + path, {
    ...init,
    headers: { ...(init.headers || {}), cookie, 'x-gatewatch': '1' },
  });
  return async (path, init = {}) => {
    const answer = await send(path, init);
    if (answer.status !== 401 || !renew) return answer;
    cookie = await login();
    return send(path, init);
  };
}

/**
 * Starts the sync server on 127.0.0.1 with a database in `dataDir`, its admin signed in
 * for the test's own API calls (`server.api(path, init)`). `env`: extra environment
 * (e.g. a short GATEWATCH_SESSION_TTL_SECS).
 */
export async function startServer({ dataDir = tempDir('db'), port, dist = DIST, env = {} } = {}) {
  port = port || await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(SERVER_BIN, [
    '--listen', `127.0.0.1:${port}`,
    '--database', join(dataDir, 'gatewatch.db'),
    '--dist', dist,
  ], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: 'warn', GATEWATCH_INITIAL_ADMIN_PASSWORD: ADMIN.password, ...env },
  });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const exited = new Promise((r) => child.once('exit', r));
  await waitFor(async () => (await fetch(`${base}/api/health`)).ok, `server at ${base}\n${log}`);
  const api = await apiSession(base, ADMIN, 'e2eadmin', { renew: true });
  return {
    base, port, dataDir, api,
    log: () => log,
    /** Creates an account as the admin; resolves to its login (username, password). */
    async createUser({ username, role, schools = [], teams = [] }) {
      const password = `${username}-password`;
      const made = await api('/api/admin/users', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password, display_name: username, role, schools, teams }),
      });
      if (!made.ok) throw new Error(`create ${username}: ${made.status} ${await made.text()}`);
      return { username, password };
    },
    /** Gives an account another role and scope, as an admin does on /admin. */
    async changeUser(username, { role, schools = [], teams = [] }) {
      const users = await (await api('/api/admin/users')).json();
      const user = users.find((u) => u.username === username);
      if (!user) throw new Error(`no account ${username}`);
      const changed = await api(`/api/admin/users/${user.id}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ display_name: user.display_name, role, schools, teams }),
      });
      if (!changed.ok) throw new Error(`change ${username}: ${changed.status} ${await changed.text()}`);
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Records CSP violations two ways: the browser console's "Refused to …" lines and the
 * DOM event. Resolves to a function that returns those seen so far.
 */
export async function watchViolations(context, page) {
  const seen = [];
  page.on('console', (msg) => {
    const text = msg.text();
    if (/Refused to|Content[- ]Security[- ]Policy/i.test(text)) seen.push(`console: ${text}`);
  });
  page.on('pageerror', (e) => seen.push(`pageerror: ${e.message}`));
  // Reported to node as they happen, so navigations lose none; the init script runs
  // before any page script and is not itself subject to the page's CSP.
  await context.exposeBinding('__gwCspViolation', (_source, text) => seen.push(`event: ${text}`));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__gwCspViolation(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber} (${e.sample})`);
    });
  });
  return () => [...seen];
}

/**
 * A Chromium with a persistent profile, driven by playwright (closed normally).
 * `options` are extra playwright context options (the benchmark sets a time zone).
 */
export async function launchProfile(profileDir = tempDir('profile'), options = {}) {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: PHONE,
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    serviceWorkers: 'allow',
    ...options,
  });
  const page = context.pages()[0] || await context.newPage();
  return { context, page, profileDir };
}

/**
 * A Chromium process we start ourselves, so a test can SIGKILL it like a phone that
 * dies; playwright attaches over the DevTools protocol.
 */
export async function launchKillable(profileDir = tempDir('profile')) {
  mkdirSync(profileDir, { recursive: true });
  const child = spawn(CHROMIUM, [
    '--headless=new', ...CHROMIUM_FLAGS,
    `--user-data-dir=${profileDir}`, '--remote-debugging-port=0',
    `--window-size=${PHONE.width},${PHONE.height}`, 'about:blank',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  const ws = await new Promise((res, rej) => {
    let err = '';
    const timer = setTimeout(() => rej(new Error(`chromium did not start:\n${err}`)), 20000);
    child.stderr.on('data', (d) => {
      err += d;
      const m = err.match(/DevTools listening on (ws:\/\/\S+)/);
      if (m) { clearTimeout(timer); res(m[1]); }
    });
    child.once('exit', (code) => rej(new Error(`chromium exited ${code}:\n${err}`)));
  });
  const browser = await chromium.connectOverCDP(ws);
  const context = browser.contexts()[0];
  const page = context.pages()[0] || await context.newPage();
  await page.setViewportSize(PHONE);
  const exited = new Promise((r) => child.once('exit', r));
  return {
    browser, context, page, profileDir,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async close() {
      await browser.close().catch(() => {});
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * The app's screens, by the stable data-testids listed in tests/e2e/README.md.
 * `login`: the account `open` signs in with when the app asks (the admin by default).
 */
export class App {
  constructor(page, base, login = ADMIN) {
    this.page = page;
    this.base = base;
    this.credentials = login;
  }

  byId(id) {
    return this.page.getByTestId(id);
  }

  /** Opens `path`; signs in through the login screen if the app shows it. */
  async open(path = '/') {
    const resp = await this.page.goto(this.base + path);
    // Signed in (the header names the user), or the login screen.
    await this.page.waitForFunction(() => document.querySelector('[data-testid="login-submit"]')
      || document.querySelector('[data-testid="signed-in-user"]')?.dataset.user);
    if (await this.byId('login-submit').count()) await this.login();
    await this.byId('checkin-submit').or(this.byId('pending-count')).first().waitFor();
    return resp;
  }

  /** Fills in and submits the login screen; resolves once the app is signed in. */
  async login({ username, password } = this.credentials) {
    await this.byId('login-username').fill(username);
    await this.byId('login-password').fill(password);
    await this.byId('login-submit').click();
    await this.page.waitForFunction(() => !document.querySelector('[data-testid="login-submit"]')
      && document.querySelector('[data-testid="signed-in-user"]')?.dataset.user);
  }

  /** Resolves once the service worker is active and controls the page. */
  async serviceWorkerReady() {
    await this.page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller) {
        await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
      }
    });
  }

  async pendingCount() {
    return Number(await this.byId('pending-count').textContent());
  }

  async waitPending(n, timeout = 20000) {
    await this.page.waitForFunction(
      (want) => document.querySelector('[data-testid="pending-count"]')?.textContent === String(want),
      n, { timeout },
    );
  }

  async waitSyncState(state, timeout = 20000) {
    await this.page.waitForSelector(`[data-testid="sync-status"][data-state="${state}"]`, { timeout });
  }

  /** Taps the big button, waits until the app says "saved", returns the record id. The
   * same post and event again within a minute asks first, and this confirms it (tests
   * that check the question itself click for themselves). */
  async checkIn({ post, note } = {}) {
    if (post) await this.byId('post-select').selectOption(post);
    if (note) await this.byId('checkin-note').fill(note);
    const before = await this.byId('save-status').getAttribute('data-record-id');
    await this.byId('checkin-submit').click();
    const handle = await this.page.waitForFunction((old) => {
      const el = document.querySelector('[data-testid="save-status"]');
      if (el?.dataset.state === 'ask-repeat') return 'ask';
      const id = el?.dataset.recordId;
      return el?.dataset.state === 'saved' && id && id !== old ? id : null;
    }, before || '');
    if ((await handle.jsonValue()) === 'ask') {
      await this.byId('repeat-confirm').click();
      return (await this.page.waitForFunction((old) => {
        const el = document.querySelector('[data-testid="save-status"]');
        const id = el?.dataset.recordId;
        return el?.dataset.state === 'saved' && id && id !== old ? id : null;
      }, before || '')).jsonValue();
    }
    return handle.jsonValue();
  }

  async history() {
    await this.byId('nav-history').click();
    await this.page.waitForSelector('section.history');
    return this.page.$$eval('[data-testid="checkin-row"]', (rows) =>
      rows.map((r) => ({ id: r.dataset.id, synced: r.dataset.synced === 'true', text: r.textContent })));
  }

  async screenshot(name) {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await this.page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
  }
}
