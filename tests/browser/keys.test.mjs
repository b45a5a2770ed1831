// The Keys page in headless Chromium, against the real binary serving web/dist (issue 15, Keys):
//   - the one-time secret dialog (after creating a key, and after rotating one) survives Escape
//     and a click outside: only its own buttons close it, so the secret is never lost by a
//     stray key press;
//   - a field the server refuses is shown at that field in the dashboard's own words, never as
//     the API's text ("limit_usd must be a USD amount such as …"). The server's real answer is
//     obtained by letting the request through with the limit altered on its way (the dashboard's
//     own checks never send such a value), and the page must not show a word of it;
//   - a spending limit that resets: created resetting daily through the dialog, the row counts
//     today's spend ("of $1.00 today", "Resets daily"), changed to weekly through Change limit
//     ("this week"), then removed ("No limit"); each time the control API's GET /api/keys must
//     agree (limit_reset, limit_micros, limit_usage_micros).
// Screenshots at 1440 px and 390 px under build/screenshots/ (TURNPIKE_SCREENSHOTS); at 390 px the
// page must not scroll sideways.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { UPSTREAM_KEY } from '../lib/setup.mjs';
import { startFake, startTurnpike } from '../lib/harness.mjs';
import { TEST_CATALOG, chatJson, eventually, userMessage } from '../lib/gateway.mjs';
import { DIST, launch, screenshot, usdTextToMicros } from './browser.mjs';

const ctx = { fake: null, tp: null };
const EMAIL = `keys-${Date.now()}@example.test`;
const PASSWORD = 'keys-page-password-1';

let browser;
let page;

before(async () => {
  assert.ok(fs.existsSync(DIST), `the dashboard is built (${DIST}): run make web`);
  ctx.fake = await startFake({ args: ['--api-key', UPSTREAM_KEY] });
  ctx.tp = await startTurnpike({ fake: ctx.fake, catalog: TEST_CATALOG });
  await ctx.tp.createUser({ email: EMAIL, password: PASSWORD, credits: '5' });
  browser = await launch({ viewport: { width: 1440, height: 900 }, origin: ctx.tp.controlUrl });
  page = browser.page;
  page.setDefaultTimeout(15_000);
  await page.goto(`${ctx.tp.controlUrl}/signin`);
  await page.getByLabel('Email').fill(EMAIL);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/signin'));
  await page.goto(`${ctx.tp.controlUrl}/keys`);
  await page.getByText('No API keys yet').waitFor();
});

after(async () => {
  await browser?.close();
  if (process.env.TURNPIKE_TEST_LOG && ctx.tp) process.stderr.write(ctx.tp.output());
  await ctx.tp?.stop();
  await ctx.fake?.stop();
});

async function noSidewaysScroll(what) {
  const { scroll, width } = await page.evaluate(() => ({
    scroll: document.scrollingElement.scrollWidth, width: window.innerWidth,
  }));
  assert.ok(scroll <= width, `${what}: the page scrolls sideways at ${width} px (${scroll} px wide)`);
}

async function atPhoneWidth(fn) {
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    await fn();
  } finally {
    await page.setViewportSize({ width: 1440, height: 900 });
  }
}

test('the new key\'s secret survives Escape and a click outside; only Done closes it', async () => {
  await page.getByRole('button', { name: 'Create key', exact: true }).first().click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Name', { exact: true }).fill('escape-proof');
  await dialog.getByRole('button', { name: 'Create key' }).click();
  const secretBox = dialog.getByTestId('new-key-secret');
  await secretBox.waitFor();
  const secret = (await secretBox.inputValue()).trim();
  assert.match(secret, /^sk-tp-v1-[0-9a-f]{64}$/);

  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');
  await page.mouse.click(5, 5);  // outside the dialog
  await page.waitForTimeout(300);  // a closing dialog would be gone by now (motion is reduced)
  assert.equal(await secretBox.inputValue(), secret, 'the secret is still shown after Escape and a click outside');
  assert.equal(await dialog.getByRole('button', { name: 'Close' }).count(), 0, 'no corner ✕ to lose it by');
  await screenshot(page, 'keys-secret-after-escape-1440');
  await atPhoneWidth(async () => {
    await page.keyboard.press('Escape');
    assert.equal(await secretBox.inputValue(), secret);
    await noSidewaysScroll('the secret dialog');
    await screenshot(page, 'keys-secret-after-escape-390');
  });

  await dialog.getByRole('button', { name: 'Done' }).click();
  await secretBox.waitFor({ state: 'detached' });
  await page.getByText('escape-proof').first().waitFor();
  assert.equal(await page.getByText(secret).count(), 0, 'the secret is not shown again');
});

test('a rotated key\'s new secret survives Escape too', async () => {
  await page.getByRole('button', { name: 'Actions for escape-proof' }).click();
  await page.getByRole('menuitem', { name: 'Rotate' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Rotate key' }).click();
  const secretBox = page.getByTestId('new-key-secret');
  await secretBox.waitFor();
  const secret = (await secretBox.inputValue()).trim();
  await page.keyboard.press('Escape');
  await page.waitForTimeout(300);
  assert.equal(await secretBox.inputValue(), secret, 'the rotated secret is still shown after Escape');
  await page.getByRole('dialog').getByRole('button', { name: 'Done' }).click();
  await secretBox.waitFor({ state: 'detached' });
});

test('a limit the server refuses is shown at the field in the dashboard\'s words, not the API\'s', async () => {
  // Let the create request through to the real server with a limit no form would send, and keep
  // the server's own words to make sure the page shows none of them.
  let refusal = null;
  await page.route('**/api/keys', async (route) => {
    const request = route.request();
    if (request.method() !== 'POST') return route.continue();
    const body = JSON.parse(request.postData());
    body.limit_usd = '12.5.0';
    const response = await route.fetch({ postData: JSON.stringify(body) });
    refusal = await response.json();
    await route.fulfill({ response });
  });
  try {
    await page.getByRole('button', { name: 'Create key', exact: true }).first().click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name', { exact: true }).fill('refused-limit');
    const limit = dialog.getByLabel('Spending limit (USD)');
    await limit.fill('12.50');
    await dialog.getByRole('button', { name: 'Create key' }).click();
    await dialog.getByText('Enter an amount in dollars and cents, like 10 or 12.50.').waitFor();

    assert.equal(refusal?.error?.param, 'limit_usd', `the server refused the limit: ${JSON.stringify(refusal)}`);
    const serverWords = refusal.error.message;
    assert.match(serverWords, /USD amount/);
    const text = await dialog.innerText();
    assert.ok(!text.includes(serverWords), `the API's text is not in the form: ${text}`);
    assert.ok(!text.includes('limit_usd'), 'no JSON member names in the form');
    assert.equal(await limit.getAttribute('aria-invalid'), 'true', 'the limit field is marked');
    const alerts = await dialog.getByRole('alert').allInnerTexts();
    assert.deepEqual(alerts, ['Enter an amount in dollars and cents, like 10 or 12.50.'],
      'the one alert is the field\'s own message (no form-wide one)');
    assert.equal(await dialog.getByTestId('new-key-secret').count(), 0, 'nothing was created');
    await screenshot(page, 'keys-limit-refused-1440');
    await atPhoneWidth(async () => {
      await noSidewaysScroll('the create-key dialog with a field error');
      await screenshot(page, 'keys-limit-refused-390');
    });

    // Editing the field clears the refusal; a key is created once the server accepts.
    await page.unroute('**/api/keys');
    await limit.fill('12.5');
    assert.equal(await limit.getAttribute('aria-invalid'), 'false');
    await dialog.getByRole('button', { name: 'Create key' }).click();
    await dialog.getByTestId('new-key-secret').waitFor();
    await dialog.getByRole('button', { name: 'Done' }).click();
    await page.getByText('refused-limit').first().waitFor();
  } finally {
    await page.unroute('**/api/keys');
  }
  const errors = browser.problems.filter((p) => p.startsWith('page error'));
  assert.deepEqual(errors, [], 'no uncaught errors in the page');
});

// The key named `name` as the control API has it, asked with the page's own session cookie.
async function apiKey(name) {
  const keys = await page.evaluate(async () => {
    const res = await fetch('/api/keys', { credentials: 'same-origin' });
    if (!res.ok) throw new Error(`GET /api/keys: ${res.status} ${await res.text()}`);
    return (await res.json()).keys;
  });
  const key = keys.find((k) => k.name === name);
  assert.ok(key, `the API lists the key "${name}": ${JSON.stringify(keys.map((k) => k.name))}`);
  return key;
}

test('a spending limit that resets daily, then weekly, then no limit at all', async () => {
  const NAME = 'resetting-limit';
  const row = () => page.getByRole('row').filter({ hasText: NAME });

  // Create it through the dialog: the choice waits for a limit.
  await page.getByRole('button', { name: 'Create key', exact: true }).first().click();
  let dialog = page.getByRole('dialog');
  await dialog.getByLabel('Name', { exact: true }).fill(NAME);
  const resets = dialog.getByLabel('Limit resets');
  assert.equal(await resets.isDisabled(), true, 'no reset to choose without a limit');
  await dialog.getByLabel('Spending limit (USD)').fill('1.00');
  assert.equal(await resets.isEnabled(), true, 'a limit can reset');
  await resets.selectOption('daily');
  await dialog.getByText('Daily: at 00:00 UTC').waitFor();
  await screenshot(page, 'keys-limit-reset-create-1440');
  await atPhoneWidth(async () => {
    await noSidewaysScroll('the create-key dialog with a resetting limit');
    await screenshot(page, 'keys-limit-reset-create-390');
  });
  await dialog.getByRole('button', { name: 'Create key' }).click();
  const secretBox = dialog.getByTestId('new-key-secret');
  await secretBox.waitFor();
  const secret = (await secretBox.inputValue()).trim();
  await dialog.getByRole('button', { name: 'Done' }).click();
  await secretBox.waitFor({ state: 'detached' });

  let key = await apiKey(NAME);
  assert.equal(key.limit_reset, 'daily', `created resetting daily: ${JSON.stringify(key)}`);
  assert.equal(key.limit_micros, 1_000_000);
  assert.equal(key.limit_usage_micros, 0);

  // Spend something with it, so that today's spend is more than nothing.
  const answer = await chatJson(ctx.tp, secret, userMessage('count me today', { model: 'fakeco/solo' }));
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  key = await eventually(async () => {
    const k = await apiKey(NAME);
    return k.usage_micros > 0 && k;
  }, { timeout: 5_000, what: 'the request counted against the key' });
  assert.equal(key.limit_usage_micros, key.usage_micros, 'everything it spent was spent today');
  await page.reload();
  await row().getByText('of $1.00 today').waitFor();
  await row().getByText('Resets daily').waitFor();
  const meter = await row().getByText(/of \$1\.00 today/).locator('..').innerText();
  assert.ok(Math.abs(usdTextToMicros(meter) - key.limit_usage_micros) < 5_000, `today's spend shown: ${meter} vs ${key.limit_usage_micros}`);
  assert.equal(await row().getByRole('progressbar').count(), 1);
  await screenshot(page, 'keys-limit-reset-daily-1440');
  await atPhoneWidth(async () => {
    await row().getByText('Resets daily').waitFor();
    await noSidewaysScroll('the keys list with a resetting limit');
    await screenshot(page, 'keys-limit-reset-daily-390');
  });

  // Change it to weekly through Change limit.
  await page.getByRole('button', { name: `Actions for ${NAME}` }).click();
  await page.getByRole('menuitem', { name: 'Change limit' }).click();
  dialog = page.getByRole('dialog');
  await dialog.getByText(/It has spent \$[0-9.,]+ today\./).waitFor();
  const editResets = dialog.getByLabel('Limit resets');
  assert.equal(await editResets.inputValue(), 'daily');
  await editResets.selectOption('weekly');
  await dialog.getByText('Weekly: Mondays at 00:00 UTC').waitFor();
  await atPhoneWidth(async () => {
    await noSidewaysScroll('the Change limit dialog');
    await screenshot(page, 'keys-limit-reset-change-390');
  });
  await screenshot(page, 'keys-limit-reset-change-1440');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Limit set to $1.00 a week').first().waitFor();
  await row().getByText('of $1.00 this week').waitFor();
  await row().getByText('Resets weekly').waitFor();
  key = await apiKey(NAME);
  assert.equal(key.limit_reset, 'weekly', `changed to weekly: ${JSON.stringify(key)}`);
  assert.equal(key.limit_micros, 1_000_000, 'the limit itself is kept');
  assert.equal(key.limit_usage_micros, key.usage_micros, 'this week\'s spend is today\'s');

  // Remove the limit: it no longer resets either.
  await page.getByRole('button', { name: `Actions for ${NAME}` }).click();
  await page.getByRole('menuitem', { name: 'Change limit' }).click();
  dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: 'Remove limit' }).click();
  await page.getByText('Limit removed').first().waitFor();
  await row().getByText('No limit').waitFor();
  assert.equal(await row().getByText(/Resets/).count(), 0);
  key = await apiKey(NAME);
  assert.equal(key.limit_micros, null, `the limit is gone: ${JSON.stringify(key)}`);
  assert.equal(key.limit_reset, null, 'and with it the reset');
  assert.equal(key.limit_usage_micros, key.usage_micros);
  await screenshot(page, 'keys-limit-reset-removed-1440');
  await atPhoneWidth(async () => {
    await noSidewaysScroll('the keys list after removing the limit');
    await screenshot(page, 'keys-limit-reset-removed-390');
  });

  const errors = browser.problems.filter((p) => p.startsWith('page error'));
  assert.deepEqual(errors, [], 'no uncaught errors in the page');
});
