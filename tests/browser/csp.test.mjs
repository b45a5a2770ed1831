// The built dashboard (web/dist) under its Content-Security-Policy (issue 13): every page it
// loads raises no CSP violation, its inline theme script runs (allowed by hash), and a script
// injected at run time is refused — so the policy is in force, not merely sent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { UPSTREAM_KEY } from '../lib/setup.mjs';
import { startFake, startTurnpike } from '../lib/harness.mjs';
import { TEST_CATALOG } from '../lib/gateway.mjs';
import { DIST, launch } from './browser.mjs';

const ctx = { fake: null, tp: null, browser: null };

before(async () => {
  assert.ok(fs.existsSync(DIST), `the dashboard is built (${DIST}): run make web`);
  ctx.fake = await startFake({ args: ['--api-key', UPSTREAM_KEY] });
  ctx.tp = await startTurnpike({ fake: ctx.fake, catalog: TEST_CATALOG });
  ctx.browser = await launch({ colorScheme: 'dark' });
});

after(async () => {
  await ctx.browser?.close();
  await ctx.tp?.stop();
  await ctx.fake?.stop();
});

test('the dashboard works under its Content-Security-Policy, which refuses injected scripts', async () => {
  const { page, problems } = ctx.browser;
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  const response = await page.goto(`${ctx.tp.controlUrl}/`);
  assert.match(response.headers()['content-security-policy'] ?? '', /script-src 'self' 'sha256-/);
  await page.waitForURL(/\/signin/);
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  // The inline script of index.html ran before the first paint: the saved-or-system theme (dark).
  assert.equal(await page.evaluate(() => document.documentElement.classList.contains('dark')), true);
  // Sign in as the bootstrap admin and open the pages that load the most.
  const { email, password } = ctx.tp.bootstrap;
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !/\/signin/.test(u.pathname));
  for (const path of ['/models', '/keys', '/credits', '/activity', '/logs', '/playground']) {
    await page.goto(`${ctx.tp.controlUrl}${path}`);
    await page.waitForLoadState('networkidle');
  }
  assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
  assert.deepEqual(problems.filter((p) => /Content Security Policy|page error/.test(p)), []);
  // A script injected into the page is refused, and reported.
  const ran = await page.evaluate(() => new Promise((resolve) => {
    const s = document.createElement('script');
    s.textContent = 'window.__injected = true;';
    document.head.appendChild(s);
    setTimeout(() => resolve(window.__injected === true), 100);
  }));
  assert.equal(ran, false, 'an injected inline script ran');
  assert.ok((await page.evaluate(() => window.__cspViolations)).some((v) => v.startsWith('script-src')));
});
