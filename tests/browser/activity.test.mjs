// Credits history, Activity and Logs in headless Chromium against the real binary and the fake
// provider (issue 15): one credits line per request with what it cost, filters kept in the URL
// (restored after a reload), CSV exports of the filtered views, tab titles, and every page at
// phone width (390 px) without horizontal scrolling or cut figures. Screenshots of every page at
// 1440 and 390 px, light and dark, land under build/screenshots/ (TURNPIKE_SCREENSHOTS).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { UPSTREAM_KEY } from '../lib/setup.mjs';
import { startFake, startTurnpike } from '../lib/harness.mjs';
import { TEST_CATALOG, chatJson, userMessage } from '../lib/gateway.mjs';
import { DIST, launch, screenshot, usdTextToMicros } from './browser.mjs';

const ctx = { fake: null, tp: null };
let browser;
let page;
const calls = []; // {id, model} of the gateway requests made here
let adminId = 0;

const url = (p) => `${ctx.tp.controlUrl}${p}`;

async function signIn(p) {
  const { email, password } = ctx.tp.bootstrap;
  await p.goto(url('/signin'));
  await p.getByLabel('Email').fill(email);
  await p.getByLabel('Password').fill(password);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.waitForURL(/\/activity/);
}

// Clicks "Export CSV" and returns the downloaded file's name and text.
async function exportCsv(p) {
  const [download] = await Promise.all([p.waitForEvent('download'), p.getByRole('button', { name: 'Export CSV' }).click()]);
  const file = await download.path();
  return { name: download.suggestedFilename(), text: fs.readFileSync(file, 'utf8') };
}

before(async () => {
  assert.ok(fs.existsSync(DIST), `the dashboard is built (${DIST}): run make web`);
  ctx.fake = await startFake({ args: ['--api-key', UPSTREAM_KEY] });
  ctx.tp = await startTurnpike({ fake: ctx.fake, catalog: TEST_CATALOG });
  assert.ok(ctx.tp.bootstrap, 'the first start prints the admin credentials');
  for (const model of ['fakeco/duo', 'fakeco/solo', 'fakeco/duo']) {
    const r = await chatJson(ctx.tp, ctx.tp.bootstrap.apiKey, userMessage(`activity test ${calls.length}`, { model }));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    calls.push({ id: r.body.id, model });
  }
  browser = await launch({ viewport: { width: 1440, height: 900 } });
  page = browser.page;
  page.setDefaultTimeout(15_000);
  await signIn(page);
  adminId = await page.evaluate(async () => (await (await fetch('/api/me')).json()).user.id);
});

after(async () => {
  await browser?.close();
  if (process.env.TURNPIKE_TEST_LOG && ctx.tp) process.stderr.write(ctx.tp.output());
  await ctx.tp?.stop();
  await ctx.fake?.stop();
});

test('credits history: one line per request with what it cost, times with their zone', async () => {
  await page.goto(url('/credits'));
  const table = page.getByRole('table');
  await table.getByRole('link', { name: calls[0].id }).waitFor();
  assert.equal(await page.title(), 'Turnpike · Credits');
  for (const call of calls) {
    const row = table.getByRole('row').filter({ has: page.getByRole('link', { name: call.id }) });
    assert.equal(await row.count(), 1, `${call.id}: exactly one line`);
    const text = await row.innerText();
    assert.match(text, /Request/, `${call.id}: a request line`);
    const log = await page.evaluate(async (id) => (await (await fetch(`/api/logs/${id}`)).json()).log, call.id);
    assert.equal(usdTextToMicros(text.slice(text.lastIndexOf('$') - 1)), -log.cost_micros, `${call.id}: the line is the request's cost`);
    assert.doesNotMatch(text, /\+\$/, `${call.id}: no refund-looking amount`);
  }
  assert.equal(await table.getByText('Hold', { exact: true }).count(), 0, 'no hold lines for finished requests');
  assert.equal(await table.getByText('Charge', { exact: true }).count(), 0, 'no separate charge lines');
  const time = await table.locator('time').first().innerText();
  assert.match(time, /(UTC|GMT)/, `the time names its zone: ${time}`);
});

test('credits history: the type filter lives in the URL, survives a reload, and exports what it shows', async () => {
  await page.getByLabel('Type').click();
  await page.getByRole('option', { name: 'Grants' }).click();
  await page.waitForURL(/\/credits\?type=grant$/);
  await page.getByRole('table').getByText('Grant', { exact: true }).first().waitFor();
  await page.reload();
  await page.getByRole('table').getByText('Grant', { exact: true }).first().waitFor();
  assert.match(await page.getByLabel('Type').innerText(), /Grants/, 'the filter is restored from the URL');
  assert.equal(await page.getByRole('table').getByText('Request', { exact: true }).count(), 0, 'requests are filtered out');

  await page.goto(url('/credits?type=request'));
  await page.getByRole('table').getByRole('link', { name: calls[0].id }).waitFor();
  const { name, text } = await exportCsv(page);
  assert.match(name, /^turnpike-credits-\d{4}-\d{2}-\d{2}\.csv$/);
  const lines = text.trimEnd().split('\r\n');
  assert.equal(lines[0], 'date_utc,type,amount_usd,status,request_id,note,settled_at_utc');
  assert.equal(lines.length, 1 + calls.length, 'one CSV line per request, nothing else');
  for (const call of calls) assert.ok(lines.some((l) => l.includes(`,charged,${call.id},`)), `${call.id} in the CSV`);
  await screenshot(page, 'activity-credits-filtered');
});

test('logs: filters restored from the URL after a reload, CSV of the filtered view', async () => {
  await page.goto(url('/logs?model=fakeco%2Fsolo&status=200'));
  await page.getByTestId('log-row').first().waitFor();
  await page.reload();
  await page.getByTestId('log-row').first().waitFor();
  assert.equal(await page.getByLabel('Model').inputValue(), 'fakeco/solo', 'the model filter is restored');
  assert.equal(await page.getByTestId('log-row').count(), 1, 'only the fakeco/solo request');
  assert.equal(await page.title(), 'Turnpike · Logs');
  const { name, text } = await exportCsv(page);
  assert.match(name, /^turnpike-logs-\d{4}-\d{2}-\d{2}\.csv$/);
  const lines = text.trimEnd().split('\r\n');
  assert.equal(lines.length, 2, text);
  assert.ok(lines[1].includes(`,${calls[1].id},200,fakeco/solo,`), lines[1]);
});

test('activity: spend per day stacked by model, restored from the URL, exported as CSV', async () => {
  await page.goto(url('/activity?by=model&range=7d'));
  await page.getByTestId('activity-total-spend').waitFor();
  await page.reload();
  await page.getByTestId('activity-total-spend').waitFor();
  assert.equal(await page.getByRole('group', { name: 'Breakdown' }).getByRole('button', { name: 'By model' }).getAttribute('aria-pressed'), 'true');
  assert.equal(await page.getByRole('button', { name: '7 days' }).getAttribute('aria-pressed'), 'true');
  // One stacked series per model in the chart.
  await page.locator('.recharts-bar').nth(1).waitFor();
  assert.equal(await page.locator('.recharts-bar').count(), 2, 'a bar series per model');
  await screenshot(page, 'activity-by-model');
  const { text } = await exportCsv(page);
  const lines = text.trimEnd().split('\r\n');
  assert.equal(lines[0], 'day_utc,model,requests,errors,prompt_tokens,completion_tokens,cost_usd');
  const duo = lines.find((l) => l.includes(',fakeco/duo,'));
  assert.ok(duo && duo.split(',')[2] === '2', `two fakeco/duo requests: ${duo}`);
});

test('admin: a user\'s page with their keys, usage and recent requests, reached from the users list', async () => {
  await page.goto(url('/admin/users'));
  await page.getByRole('link', { name: ctx.tp.bootstrap.email }).first().click();
  await page.waitForURL(new RegExp(`/admin/users/${adminId}$`));
  await page.getByRole('heading', { name: ctx.tp.bootstrap.email }).waitFor();
  assert.equal(await page.title(), 'Turnpike · User');
  assert.equal((await page.getByTestId('user-requests').innerText()).trim(), String(calls.length));
  assert.equal(await page.getByTestId('user-request-row').count(), calls.length, 'each recent request');
  const usage = page.getByTestId('user-usage-row');
  assert.equal(await usage.count(), 2, 'usage for both models');
  assert.ok(await page.getByRole('table', { name: 'Keys' }).getByRole('row').count() >= 2, 'the admin\'s key is listed');
  await screenshot(page, 'activity-admin-user');
});

// Every page, as the admin (who sees them all).
function pages() {
  return [
    ['activity', '/activity?by=model', 'Activity'],
    ['logs', '/logs', 'Logs'],
    ['log-detail', `/logs/${calls[0].id}`, 'Request'],
    ['credits', '/credits', 'Credits'],
    ['keys', '/keys', 'API keys'],
    ['models', '/models', 'Models'],
    ['model', '/models/fakeco/duo', 'Model'],
    ['playground', '/playground', 'Playground'],
    ['admin-users', '/admin/users', 'Users'],
    ['admin-user', `/admin/users/${adminId}`, 'User'],
    ['admin-catalog', '/admin/catalog', 'Providers & prices'],
    ['admin-catalog-models', '/admin/catalog?tab=models', 'Providers & prices'],
  ];
}

// The page scrolls no wider than the viewport, and no figure (the totals, amounts, costs, badges)
// is cut: each is as wide as its text and inside the viewport.
async function checkLayout(p, pathname) {
  const report = await p.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const cut = [];
    const selector = '[data-testid^="activity-total-"], [data-testid="log-cost"], [data-testid="usage-source"], '
      + '[data-testid="credit-balance"], [data-testid="breakdown-spend"], [data-testid="breakdown-share"], .tabular-nums';
    for (const el of document.querySelectorAll(selector)) {
      if (el.closest('[aria-hidden="true"], .sr-only, [data-radix-scroll-area-viewport]')) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      // Inside a table that scrolls within its card, a cell may sit right of the viewport.
      const scroller = el.closest('.overflow-x-auto');
      const scrolls = scroller && scroller.scrollWidth > scroller.clientWidth;
      const clipped = el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflow !== 'visible';
      const outside = !scrolls && (r.right > vw + 1 || r.left < -1);
      const ellipsis = /…$/.test(el.textContent.trim()) && /\$|\d/.test(el.textContent);
      if (clipped || outside || ellipsis) cut.push(`${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 40)}" (${Math.round(r.left)}–${Math.round(r.right)} of ${vw})`);
    }
    return { scrollWidth: document.scrollingElement.scrollWidth, vw: window.innerWidth, cut };
  });
  assert.ok(report.scrollWidth <= report.vw, `${pathname}: the page scrolls sideways (${report.scrollWidth} > ${report.vw})`);
  assert.deepEqual(report.cut, [], `${pathname}: cut figures`);
}

for (const [width, height] of [[390, 844], [1440, 900]]) {
  test(`every page at ${width} px, light and dark: no sideways scrolling, no cut figures`, async () => {
    const b = await launch({ viewport: { width, height } });
    try {
      const p = b.page;
      p.setDefaultTimeout(15_000);
      await signIn(p);
      for (const [name, path, title] of pages()) {
        await p.emulateMedia({ colorScheme: 'light' });
        await p.goto(url(path));
        await p.getByRole('heading', { level: 1 }).first().waitFor();
        await p.waitForLoadState('networkidle');
        assert.equal(await p.title(), `Turnpike · ${title}`, `${path}: the tab title`);
        for (const scheme of ['light', 'dark']) {
          // The dashboard follows the system theme; the same page, switched.
          await p.emulateMedia({ colorScheme: scheme });
          await p.waitForFunction((dark) => document.documentElement.classList.contains('dark') === dark, scheme === 'dark');
          await checkLayout(p, `${path} at ${width} px (${scheme})`);
          await screenshot(p, `${width}-${scheme}-${name}`);
        }
      }
      assert.deepEqual(b.problems.filter((x) => x.startsWith('page error')), [], 'no uncaught errors');
    } finally {
      await b.close();
    }
  });
}

test('the model page keeps its health columns at 390 px, scrolling inside its card only', async () => {
  const b = await launch({ viewport: { width: 390, height: 844 } });
  try {
    const p = b.page;
    await signIn(p);
    await p.goto(url('/models/fakeco/duo'));
    const table = p.getByRole('table', { name: 'Providers' });
    await table.waitFor();
    for (const head of ['Latency', 'Throughput', 'Errors', 'Last failure']) {
      await table.getByRole('columnheader', { name: head }).scrollIntoViewIfNeeded();
      assert.ok(await table.getByRole('columnheader', { name: head }).isVisible(), `${head} can be reached`);
    }
    assert.ok(await p.evaluate(() => document.scrollingElement.scrollWidth <= window.innerWidth), 'only the table scrolls');
  } finally {
    await b.close();
  }
});
