// End-to-end, issue 12.11: every screen and state passes axe-core's WCAG 2.1 AA rules
// with no violation, every control is a finger wide (44 px; 48 px for the big button),
// and neither language pushes anything off a 390 px phone screen.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { App, launchProfile, startServer } from './harness.mjs';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const DEMO_SCHOOLS = ['s01', 's02', 's03', 's04'];

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

/** axe-core's WCAG 2.1 A and AA rules on the page as it is now: the violations. */
async function violations(page) {
  // Evaluated through the DevTools protocol: the app's CSP does not apply to it.
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
  return page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`
      + (v.nodes.length > 3 ? ` (+${v.nodes.length - 3})` : ''));
  });
}

/** Visible controls smaller than a fingertip, and whether the page is wider than the phone. */
function layoutProblemsInPage() {
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
  };
  const small = [];
  const controls = document.querySelectorAll(
    'button, a[href], select, input:not([type=checkbox]):not([type=radio]):not([type=hidden]), label:has(> input[type=checkbox])');
  for (const el of controls) {
    if (!visible(el)) continue;
    const min = el.classList.contains('big-button') ? 48 : 44;
    const h = el.getBoundingClientRect().height;
    if (h < min - 0.5) small.push(`${el.tagName.toLowerCase()}[${el.dataset.testid || el.className || el.textContent.trim().slice(0, 12)}] ${h.toFixed(0)}px < ${min}`);
  }
  const wide = document.documentElement.scrollWidth > window.innerWidth
    ? [`page ${document.documentElement.scrollWidth}px wide`] : [];
  const nav = document.querySelector('.bottom-nav');
  const navOverflow = nav && nav.scrollWidth > nav.clientWidth + 1 ? [`nav ${nav.scrollWidth}px > ${nav.clientWidth}px`] : [];
  return [...small, ...wide, ...navOverflow];
}

/** Checks the screen as it is now; returns problems prefixed by `where`. */
async function check(app, where) {
  await app.page.waitForTimeout(200); // let the screen settle (fonts, transitions)
  const found = [...await violations(app.page), ...await app.page.evaluate(layoutProblemsInPage)];
  return found.map((f) => `${where}: ${f}`);
}

async function setLanguage(app, tag) {
  await app.byId('nav-settings').click();
  await app.byId('settings-lang').selectOption(tag);
  await app.page.waitForFunction((t) => document.documentElement.lang === t, tag);
}

/** Every officer screen and the states that change what it shows. */
async function officerScreens(app, lang) {
  const problems = [];
  const at = (name) => `officer/${lang}/${name}`;
  await app.byId('nav-checkin').click();
  await app.byId('checkin-submit').waitFor();
  problems.push(...await check(app, at('check-in')));
  await app.checkIn({ note: `a11y ${lang}` });
  problems.push(...await check(app, at('check-in saved')));
  await app.byId('checkin-submit').click();
  await app.byId('repeat-ask').waitFor();
  problems.push(...await check(app, at('check-in repeat question')));
  await app.byId('repeat-cancel').click();
  await app.byId('nav-today').click();
  await app.page.waitForSelector('section.today');
  problems.push(...await check(app, at('today')));
  await app.byId('nav-incident').click();
  await app.byId('incident-submit').waitFor();
  problems.push(...await check(app, at('incident')));
  await app.history();
  problems.push(...await check(app, at('history')));
  await app.page.locator('[data-testid="row-edit"]').first().click();
  await app.byId('edit-panel').waitFor();
  problems.push(...await check(app, at('history correction panel')));
  await app.byId('nav-settings').click();
  await app.byId('logout').click();
  await app.byId('logout-confirm-panel').waitFor();
  problems.push(...await check(app, at('settings, logout question')));
  await app.byId('logout-cancel').click();
  return problems;
}

/** The lead's team screens: empty, with a team, roster and a running session; 月报. */
async function leadScreens(app, lang) {
  const problems = [];
  const at = (name) => `lead/${lang}/${name}`;
  await app.byId('nav-team').click();
  await app.page.waitForSelector('section.team');
  problems.push(...await check(app, at('team')));
  if (await app.byId('team-name-input').isVisible()) {
    await app.byId('team-name-input').fill('无障碍检查队');
    await app.byId('team-create').click();
    await app.byId('team-report-link').waitFor();
  }
  problems.push(...await check(app, at('team with its roster')));
  await app.byId('team-report-link').click();
  await app.page.waitForSelector('section.team-report');
  problems.push(...await check(app, at('monthly report')));
  await app.screenshot(`a11y-report-${lang}`);
  await app.byId('nav-settings').click();
  await app.byId('nav-gate').click();
  await app.page.waitForSelector('section.gate');
  problems.push(...await check(app, at('gate code')));
  return problems;
}

test('every screen passes WCAG 2.1 AA (axe-core), has finger-wide controls, and fits a phone in both languages', async () => {
  const officer = await server.createUser({ username: 'a11y.officer', role: 'officer', schools: DEMO_SCHOOLS });
  const lead = await server.createUser({ username: 'a11y.lead', role: 'lead', schools: DEMO_SCHOOLS });
  const phone = await launchProfile(undefined, { timezoneId: 'Asia/Shanghai' });
  const leadPhone = await launchProfile(undefined, { timezoneId: 'Asia/Shanghai' });
  const problems = [];
  try {
    await phone.page.goto(server.base);
    await phone.page.getByTestId('login-submit').waitFor();
    const app = new App(phone.page, server.base, officer);
    problems.push(...await check(app, 'login'));
    await app.open();
    for (const lang of ['zh-CN', 'en']) {
      await setLanguage(app, lang);
      problems.push(...await officerScreens(app, lang));
    }
    await app.screenshot('a11y-officer-en');

    const leadApp = new App(leadPhone.page, server.base, lead);
    await leadApp.open();
    for (const lang of ['zh-CN', 'en']) {
      await setLanguage(leadApp, lang);
      problems.push(...await leadScreens(leadApp, lang));
    }
    await leadApp.screenshot('a11y-lead-en');
  } finally {
    await phone.page.goto('about:blank').catch(() => {});
    await phone.context.close();
    await leadPhone.context.close();
  }
  assert.deepEqual(problems, [], `accessibility problems:\n${problems.join('\n')}`);
});
