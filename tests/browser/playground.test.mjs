// The sign-up form and the playground in headless Chromium, against the real binary (serving
// web/dist), a SQLite database and the fake provider: sign-up does not inherit the password typed on
// the sign-in form; a failed playground turn is marked, never sent again as context, and retried;
// the session key the dashboard makes; Markdown answers naming their model; two models compared
// side by side with cost and latency; the page at phone width. Screenshots under build/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { UPSTREAM_KEY } from '../lib/setup.mjs';
import { startFake, startTurnpike } from '../lib/harness.mjs';
import { TEST_CATALOG } from '../lib/gateway.mjs';
import { DIST, launch, screenshot, usdTextToMicros } from './browser.mjs';

const ctx = { fake: null, tp: null };
const EMAIL = `player-${Date.now()}@example.test`;
const PASSWORD = 'the-right-password';

let browser;
let page;
// The chat requests the page sent to the gateway, as parsed JSON bodies.
const gatewayBodies = [];

before(async () => {
  assert.ok(fs.existsSync(DIST), `the dashboard is built (${DIST}): run make web`);
  ctx.fake = await startFake({ args: ['--api-key', UPSTREAM_KEY] });
  ctx.tp = await startTurnpike({ fake: ctx.fake, catalog: TEST_CATALOG });
  browser = await launch({ viewport: { width: 1440, height: 900 }, origin: ctx.tp.controlUrl });
  page = browser.page;
  page.setDefaultTimeout(15_000);
  page.on('request', (req) => {
    if (req.method() === 'POST' && req.url().endsWith('/api/v1/chat/completions')) gatewayBodies.push(JSON.parse(req.postData()));
  });
});

after(async () => {
  await browser?.close();
  if (process.env.TURNPIKE_TEST_LOG && ctx.tp) process.stderr.write(ctx.tp.output());
  await ctx.tp?.stop();
  await ctx.fake?.stop();
});

const url = (p) => `${ctx.tp.controlUrl}${p}`;

function assertNoPageErrors(what, problems = browser.problems) {
  assert.deepEqual(problems.filter((p) => p.startsWith('page error')), [], `${what}: no uncaught errors in the page`);
}

async function assertFitsPhone(p, what) {
  const wide = await p.evaluate(() => [...document.querySelectorAll('body *')]
    .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
    .filter((e) => {
      for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
        if (getComputedStyle(a).overflowX !== 'visible') return false;
      }
      return true;
    })
    .slice(0, 5).map((e) => `${e.tagName}.${e.className}`.slice(0, 160)));
  const overflow = await p.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${what}: no horizontal scrolling at phone width (${overflow}px too wide): ${wide.join(' | ')}`);
}

test('sign-up keeps the email but not the password typed on the sign-in form; a stale "already exists" clears', async () => {
  const existing = ctx.tp.bootstrap.email;
  await page.goto(url('/signin'));
  await page.getByLabel('Email').fill(existing);
  await page.getByLabel('Password').fill('a-mistyped-password');
  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.waitForURL(/\/signup/);
  assert.equal(await page.getByLabel('Email').inputValue(), existing, 'the email carries over');
  assert.equal(await page.getByLabel('Password').inputValue(), '', 'the password typed to sign in does not');

  await page.getByLabel('Password').fill('another-password');
  await page.getByRole('button', { name: 'Create account' }).click();
  const taken = page.getByRole('alert').filter({ hasText: 'An account with this email already exists' });
  await taken.waitFor();
  await screenshot(page, 'signup-email-taken');
  await page.getByLabel('Email').fill(EMAIL);
  await taken.waitFor({ state: 'detached' });
  assert.equal(await page.getByRole('alert').count(), 0, 'no error about the email typed before');

  // Back to sign-in and again to sign-up: the password typed there is gone too.
  await page.getByRole('link', { name: 'Sign in' }).click();
  await page.waitForURL(/\/signin/);
  assert.equal(await page.getByLabel('Password').inputValue(), '');
  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(/\/keys$/);
  // The account has the password typed on the sign-up form.
  const login = await page.evaluate(async ([email, password]) => (await fetch('/api/auth/login', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }),
  })).status, [EMAIL, PASSWORD]);
  assert.equal(login, 200);
  assertNoPageErrors('sign-up');
});

test('a failed turn is marked, says what to do, is never re-sent as context, and can be retried', async () => {
  // No credits yet: the first question fails with a 402 about the balance.
  await page.goto(url('/playground?model=fakeco/solo'));
  await page.getByRole('radio', { name: 'Session key', checked: true }).waitFor();
  await page.getByLabel('Message').fill('First question');
  await page.getByRole('button', { name: 'Send' }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'Not enough credits' });
  await alert.waitFor({ timeout: 20_000 });
  await alert.getByRole('link', { name: 'Go to Credits' }).waitFor();
  const failed = page.locator('li[data-failed]');
  await failed.getByText('Not answered · not sent again as context').waitFor();
  await screenshot(page, 'playground-failed-turn');

  // Top up (sandbox), staying on the page so the conversation stays.
  const topup = await page.evaluate(async () => (await fetch('/api/credits/checkout', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ amount_usd: '10' }),
  })).status);
  assert.equal(topup, 200);

  // A new question goes alone: the failed one is not context.
  await page.getByLabel('Message').fill('Second question');
  await page.getByRole('button', { name: 'Send' }).click();
  await page.getByTestId('answer-cost').first().waitFor({ timeout: 20_000 });
  const second = gatewayBodies.at(-1);
  assert.deepEqual(second.messages, [{ role: 'user', content: 'Second question' }]);

  // Retry asks the failed question again, after the answered exchange.
  await page.getByRole('button', { name: 'Retry' }).click();
  await page.getByTestId('answer-cost').nth(1).waitFor({ timeout: 20_000 });
  const retried = gatewayBodies.at(-1);
  assert.deepEqual(retried.messages.map((m) => m.role), ['user', 'assistant', 'user']);
  assert.equal(retried.messages[0].content, 'Second question');
  assert.equal(retried.messages[2].content, 'First question');
  assert.equal(await page.locator('li[data-failed]').count(), 0, 'nothing is marked failed any more');
  for (const body of gatewayBodies) {
    for (let i = 1; i < body.messages.length; i++) {
      assert.ok(!(body.messages[i].role === 'user' && body.messages[i - 1].role === 'user'), 'never two user turns in a row');
    }
  }

  // Each answer names its model and shows its latency; the session key is the user's own, listed on Keys.
  const models = await page.getByTestId('answer-model').allInnerTexts();
  assert.equal(models.length, 2);
  for (const m of models) assert.ok(m.trim().length > 0, 'the answer names its model');
  assert.match(await page.getByTestId('answer-latency').first().innerText(), /^\d+(\.\d)? (ms|s)$/);
  const keys = await page.evaluate(async () => (await (await fetch('/api/keys')).json()).keys);
  const session = keys.filter((k) => k.name === 'Playground session');
  assert.equal(session.length, 1, 'one session key for the tab');
  const ttl = Date.parse(session[0].expires_at) - Date.now();
  assert.ok(ttl > 50 * 60_000 && ttl <= 60 * 60_000, `the session key expires within the hour (${ttl} ms)`);
  await screenshot(page, 'playground-retried');
  assertNoPageErrors('playground retry');
});

test('Markdown answers show code blocks; two models compared side by side with cost and latency', async () => {
  await page.goto(url('/playground?model=fakeco/duo'));
  await page.getByRole('button', { name: 'Compare with another model' }).click();
  await page.getByLabel('Model 2', { exact: true }).selectOption('fakeco/solo');
  await page.waitForURL(/compare=fakeco%2Fduo%2Cfakeco%2Fsolo|compare=fakeco\/duo,fakeco\/solo/);
  const before = gatewayBodies.length;
  await page.getByLabel('Message').fill('Compare these');
  await page.getByRole('button', { name: 'Send' }).click();
  const columns = page.getByTestId('compare-column');
  await columns.nth(0).getByTestId('column-cost').waitFor({ timeout: 20_000 });
  await columns.nth(1).getByTestId('column-cost').waitFor({ timeout: 20_000 });
  assert.deepEqual(gatewayBodies.slice(before).map((b) => b.model).sort(), ['fakeco/duo', 'fakeco/solo']);
  let sum = 0;
  for (let i = 0; i < 2; i++) {
    const col = columns.nth(i);
    const cost = usdTextToMicros(await col.getByTestId('column-cost').innerText());
    assert.ok(cost > 0, `column ${i + 1} shows a cost`);
    sum += cost;
    assert.match(await col.getByTestId('column-latency').innerText(), /^\d+(\.\d)? (ms|s)$/);
    assert.ok((await col.getByTestId('assistant-message').innerText()).trim().length > 0);
  }
  assert.equal(usdTextToMicros(await page.getByTestId('conversation-total').innerText()), sum, 'the total is the columns\' sum');
  await screenshot(page, 'playground-compare');

  // The answers are Markdown: whatever the fake replays, no HTML from it becomes elements.
  assert.equal(await page.getByTestId('assistant-message').locator('script, img, iframe').count(), 0);
  assertNoPageErrors('compare');
});

test('the playground fits a phone (390 px): no horizontal scrolling, columns scroll inside their card', async () => {
  const phone = await launch({ viewport: { width: 390, height: 844 } });
  try {
    const p = phone.page;
    p.setDefaultTimeout(15_000);
    await p.goto(url('/signin'));
    await p.getByLabel('Email').fill(EMAIL);
    await p.getByLabel('Password').fill(PASSWORD);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.waitForURL(/\/activity/);
    // The message box is on the first screen, without scrolling.
    await p.goto(url('/playground'));
    const composer = await p.getByLabel('Message').boundingBox();
    assert.ok(composer && composer.y + composer.height <= 844, `the message box is above the fold: ${JSON.stringify(composer)}`);
    await screenshot(p, 'phone-playground');
    await p.goto(url('/playground?compare=fakeco/duo,fakeco/solo'));
    await p.getByLabel('Model 2', { exact: true }).waitFor();
    await p.getByLabel('Message').fill('Hello from a phone');
    await p.getByRole('button', { name: 'Send' }).click();
    await p.getByTestId('compare-column').nth(0).getByTestId('column-cost').waitFor({ timeout: 20_000 });
    await assertFitsPhone(p, 'playground compare');
    // The first column's figures are whole inside the viewport.
    const box = await p.getByTestId('compare-column').nth(0).getByTestId('column-figures').boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 390, `figures inside the screen: ${JSON.stringify(box)}`);
    await screenshot(p, 'phone-playground-compare');
    assertNoPageErrors('phone', phone.problems);
  } finally {
    await phone.close();
  }
});
