// The dashboard end to end in headless Chromium, against the real binary (serving web/dist), a
// SQLite database and the fake provider: a newcomer signs up, creates a key and copies it, tops
// up through the sandbox, chats in the playground (streamed, through the gateway, with CORS),
// finds that request in Logs and Activity at the cost the playground showed, disables the key
// and sees the gateway refuse it. An admin then looks at users and the catalog. Every page is
// saved as a screenshot under build/screenshots/ (TURNPIKE_SCREENSHOTS).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { UPSTREAM_KEY } from '../lib/setup.mjs';
import { startFake, startTurnpike } from '../lib/harness.mjs';
import { TEST_CATALOG, chatJson, eventually, userMessage } from '../lib/gateway.mjs';
import { DIST, SCREENSHOTS, launch, screenshot, usdTextToMicros } from './browser.mjs';

const ctx = { fake: null, tp: null };
const EMAIL = `newcomer-${Date.now()}@example.test`;
const PASSWORD = 'a-long-enough-password';
const KEY_NAME = 'e2e-playground';

let browser;
let page;

before(async () => {
  assert.ok(fs.existsSync(DIST), `the dashboard is built (${DIST}): run make web`);
  ctx.fake = await startFake({ args: ['--api-key', UPSTREAM_KEY] });
  ctx.tp = await startTurnpike({ fake: ctx.fake, catalog: TEST_CATALOG });
  browser = await launch({ origin: ctx.tp.controlUrl });
  page = browser.page;
  page.setDefaultTimeout(15_000);
});

after(async () => {
  await browser?.close();
  if (process.env.TURNPIKE_TEST_LOG && ctx.tp) process.stderr.write(ctx.tp.output());
  await ctx.tp?.stop();
  await ctx.fake?.stop();
});

const url = (p) => `${ctx.tp.controlUrl}${p}`;

// In-app navigation (keeps the playground's in-memory key), by the sidebar link.
async function nav(label) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label, exact: true }).click();
}

function assertNoPageErrors(what) {
  const errors = browser.problems.filter((p) => p.startsWith('page error'));
  assert.deepEqual(errors, [], `${what}: no uncaught errors in the page`);
}

const state = { secret: null, costMicros: null, requestId: null };

test('sign-in and sign-up pages explain what is wrong in words', async () => {
  await page.goto(url('/'));
  await page.waitForURL(/\/signin/);
  await screenshot(page, '01-sign-in');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Enter your email address.').waitFor();
  await page.getByText('Enter your password.').waitFor();
  await page.getByLabel('Email').fill('nobody@example.test');
  await page.getByLabel('Password').fill('wrong-password-1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: /email or password|Invalid/i }).waitFor();

  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.waitForURL(/\/signup/);
  await page.getByLabel('Email').fill('not-an-email');
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByText("That doesn't look like an email address.").waitFor();
  await page.getByText('Use at least 8 characters.').waitFor();
  await screenshot(page, '02-sign-up-errors');
});

test('a newcomer signs up and creates a key, copying its secret once', async () => {
  await page.getByLabel('Email').fill(EMAIL);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(/\/keys$/);
  await page.getByText('No API keys yet').waitFor();

  await page.getByRole('button', { name: 'Create key', exact: true }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Name', { exact: true }).fill(KEY_NAME);
  await dialog.getByRole('button', { name: 'Create key' }).click();
  const secretBox = dialog.getByTestId('new-key-secret');
  await secretBox.waitFor();
  const secret = (await secretBox.inputValue()).trim();
  assert.match(secret, /^sk-tp-v1-[0-9a-f]{64}$/, 'the full secret is shown');
  await dialog.getByRole('button', { name: 'Copy key' }).click();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, secret, 'the copy button puts the secret on the clipboard');
  await screenshot(page, '03-keys-new-secret');
  await dialog.getByRole('button', { name: 'Done' }).click();
  await page.getByRole('cell', { name: KEY_NAME }).or(page.getByText(KEY_NAME)).first().waitFor();
  assert.equal(await page.getByText(secret).count(), 0, 'the secret is not shown again');
  await screenshot(page, '04-keys');
  state.secret = copied;
  assertNoPageErrors('keys');
});

test('the sandbox top-up credits the balance at once', async () => {
  await nav('Credits');
  await page.getByTestId('credit-balance').filter({ hasText: '$0.00' }).waitFor();
  await page.getByRole('button', { name: '$25', exact: true }).click();
  await page.getByRole('button', { name: 'Add credits' }).click();
  await page.getByText('Added $25.00 to your balance').waitFor();
  await page.getByTestId('credit-balance').filter({ hasText: '$25.00' }).waitFor();
  await page.getByTestId('header-balance').filter({ hasText: '$25.00' }).waitFor();
  await page.getByRole('cell', { name: /Top-up/ }).or(page.getByText('Top-up')).first().waitFor();
  await screenshot(page, '05-credits');
});

test('the playground streams an answer through the gateway and shows its cost', async () => {
  await nav('Playground');
  await page.getByRole('radio', { name: 'Paste a key' }).click();
  await page.getByLabel('API key').fill(state.secret);
  await page.getByLabel('Model').selectOption('fakeco/solo');
  await page.getByLabel('Message').fill('Say hello to the dashboard test');
  await page.getByRole('button', { name: 'Send' }).click();
  const cost = page.getByTestId('answer-cost');
  await cost.waitFor({ timeout: 20_000 });
  const answer = page.getByTestId('assistant-message').last();
  assert.ok((await answer.innerText()).trim().length > 0, 'the answer text is shown');
  state.costMicros = usdTextToMicros(await cost.innerText());
  assert.ok(state.costMicros > 0, `a cost is shown: ${await cost.innerText()}`);
  const link = page.getByRole('log', { name: 'Conversation' }).getByRole('link', { name: /^gen-/ }).last();
  state.requestId = (await link.innerText()).trim();
  assert.match(state.requestId, /^gen-\d{10}-[0-9A-Za-z]{20}$/, 'the generation id links to its log');
  await screenshot(page, '06-playground');
  assertNoPageErrors('playground');
});

test('the request is in Logs with the cost the playground showed', async () => {
  await nav('Logs');
  const row = page.getByTestId('log-row').first();
  await row.waitFor();
  assert.match(await row.innerText(), /fakeco\/solo/);
  await screenshot(page, '07-logs');
  await page.goto(url(`/logs/${state.requestId}`));
  const cost = page.getByTestId('log-cost');
  await cost.waitFor();
  assert.equal(usdTextToMicros(await cost.innerText()), state.costMicros, 'the same cost in the log detail');
  await page.getByText('fake-pricey').or(page.getByText('Fake Pricey')).first().waitFor();
  // How routing chose, kept with the row: fakeco/solo's one endpoint answered.
  await page.getByRole('list', { name: 'Routing' }).getByText('Answered').waitFor();
  await screenshot(page, '08-log-detail');
  // The page and the API agree to the micro-dollar.
  const log = await page.evaluate(async (id) => (await (await fetch(`/api/logs/${id}`)).json()).log, state.requestId);
  assert.equal(log.cost_micros, state.costMicros);
  assert.equal(log.status, 200);
  assert.equal(log.attempts.length, 1);
  assert.deepEqual(log.routing.map((r) => [r.provider, r.model, r.outcome]), [['fake-pricey', 'fakeco/solo', 'answered']]);
});

test('Activity counts the request and its spend', async () => {
  await page.goto(url('/activity'));
  const spend = page.getByTestId('activity-total-spend');
  await spend.waitFor();
  await page.getByTestId('activity-total-requests').filter({ hasText: /^\s*1\s*$/ }).waitFor();
  assert.equal(usdTextToMicros(await spend.innerText()), state.costMicros, 'total spend = the answer cost');
  await screenshot(page, '09-activity');
  await page.getByRole('group', { name: 'Breakdown' }).getByRole('button', { name: 'By model' }).click();
  await page.getByText('fakeco/solo').or(page.getByText('Fake Solo')).first().waitFor();
  await screenshot(page, '10-activity-by-model');
});

test('the models browser and a model page show prices, providers and a code sample', async () => {
  await page.goto(url('/models'));
  await page.getByLabel('Search models').fill('duo');
  await page.getByText('fakeco/duo', { exact: true }).first().waitFor();
  assert.equal(await page.getByText('fakeco/solo', { exact: true }).count(), 0, 'the search narrows the list');
  await screenshot(page, '11-models');
  await page.goto(url('/models/fakeco/duo'));
  await page.getByRole('button', { name: 'Copy model id' }).waitFor();
  await page.getByText('Lowest price').waitFor();
  const sample = await page.locator('pre').first().innerText();
  assert.match(sample, /fakeco\/duo/);
  assert.ok(sample.includes(`${new URL(ctx.tp.gatewayUrl).port}/api/v1`), `the sample calls this gateway:\n${sample}`);
  await screenshot(page, '12-model-page');
});

test('a disabled key is refused by the gateway, and the playground says so', async () => {
  await page.goto(url('/keys'));
  await page.getByRole('button', { name: `Actions for ${KEY_NAME}` }).click();
  await page.getByRole('menuitem', { name: 'Disable' }).click();
  await page.getByText('Key disabled').waitFor();
  await page.getByText('Disabled', { exact: true }).first().waitFor();

  // The gateway itself: within the key cache's TTL (1 s across processes; at once here).
  const direct = await chatJson(ctx.tp, state.secret, { ...userMessage('after disable'), model: 'fakeco/solo' });
  assert.equal(direct.status, 403, JSON.stringify(direct.body));

  await nav('Playground');
  await page.getByRole('radio', { name: 'Paste a key' }).click();
  await page.getByLabel('API key').fill(state.secret);
  await page.getByLabel('Model').selectOption('fakeco/solo');
  await page.getByLabel('Message').fill('Am I still allowed?');
  await page.getByRole('button', { name: 'Send' }).click();
  const alert = page.getByRole('alert').filter({ hasText: /disabled/i });
  await alert.waitFor();
  await screenshot(page, '13-playground-key-disabled');
  assertNoPageErrors('disabled key');
});

test('pages do not shift as their data arrives (cumulative layout shift under 0.1)', async () => {
  const shifts = {};
  for (const path of ['/activity', '/logs', '/keys', '/credits', '/models', '/models/fakeco/duo', `/logs/${state.requestId}`, '/playground']) {
    await page.goto(url(path));
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(300);
    shifts[path] = await page.evaluate(() => window.__turnpikeLayoutShift ?? null);
  }
  console.log(`cumulative layout shift per page: ${JSON.stringify(shifts)}`);
  for (const [path, cls] of Object.entries(shifts)) {
    assert.notEqual(cls, null, `${path}: measured`);
    assert.ok(cls < 0.1, `${path}: layout shift ${cls} (0.1 is the "good" limit)`);
  }
});

test('keys can be made and deleted with the keyboard alone', async () => {
  await page.goto(url('/keys'));
  const create = page.getByRole('button', { name: 'Create key', exact: true });
  await create.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Name', { exact: true }).waitFor();
  assert.equal(await dialog.getByLabel('Name', { exact: true }).evaluate((el) => el === document.activeElement), true,
    'the dialog puts focus on its first field');
  await page.keyboard.type('keyboard-key');
  await page.keyboard.press('Enter');
  await dialog.getByTestId('new-key-secret').waitFor();
  await dialog.getByRole('button', { name: 'Done' }).focus();
  await page.keyboard.press('Enter');
  await dialog.waitFor({ state: 'detached' });

  const actions = page.getByRole('button', { name: 'Actions for keyboard-key' });
  await actions.focus();
  await page.keyboard.press('Enter');
  const menu = page.getByRole('menu');
  await menu.waitFor();
  // As someone on the keyboard would: wait for the open menu to focus an item, then step down one
  // item at a time, each press once the previous one has moved the focus.
  const focusedItem = () => page.evaluate(() => (document.activeElement?.getAttribute('role') === 'menuitem'
    ? document.activeElement.textContent : null));
  await eventually(async () => (await focusedItem()) !== null, { timeout: 5_000, what: 'the menu focuses an item' });
  for (let i = 0; i < 8 && (await focusedItem()) !== 'Delete'; i++) {
    const before = await focusedItem();
    await page.keyboard.press('ArrowDown');
    await eventually(async () => (await focusedItem()) !== before, { timeout: 5_000, what: `ArrowDown from ${before}` });
  }
  assert.equal(await focusedItem(), 'Delete');
  await page.keyboard.press('Enter');
  const confirm = page.getByRole('alertdialog');
  await confirm.getByRole('button', { name: 'Delete key' }).focus();
  await page.keyboard.press('Enter');
  await confirm.waitFor({ state: 'detached' });
  await page.getByRole('button', { name: 'Actions for keyboard-key' }).waitFor({ state: 'detached' });
  await page.getByRole('button', { name: `Actions for ${KEY_NAME}` }).waitFor();
});

test('phone width and dark theme keep every page usable', async () => {
  const phone = await launch({ viewport: { width: 375, height: 780 }, colorScheme: 'dark' });
  try {
    const p = phone.page;
    p.setDefaultTimeout(15_000);
    await p.goto(url('/signin'));
    await p.getByLabel('Email').fill(EMAIL);
    await p.getByLabel('Password').fill(PASSWORD);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.waitForURL(/\/activity/);
    for (const [path, name] of [['/activity', 'activity'], ['/keys', 'keys'], ['/logs', 'logs'], ['/credits', 'credits'],
      ['/models', 'models'], ['/playground', 'playground']]) {
      await p.goto(url(path));
      await p.getByRole('heading', { level: 1 }).first().waitFor();
      await p.waitForLoadState('networkidle');
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `${path}: nothing wider than a phone (${overflow}px too wide)`);
      await screenshot(p, `phone-dark-${name}`);
    }
    await p.getByRole('button', { name: 'Open menu' }).click();
    await p.getByRole('dialog').getByRole('link', { name: 'Keys', exact: false }).first().waitFor();
    await screenshot(p, 'phone-dark-menu');
    assert.deepEqual(phone.problems.filter((x) => x.startsWith('page error')), []);
  } finally {
    await phone.close();
  }
});

test('an admin manages users and the catalog', async () => {
  const admin = await launch({ origin: ctx.tp.controlUrl });
  try {
    const p = admin.page;
    p.setDefaultTimeout(15_000);
    const { email, password } = ctx.tp.bootstrap;
    await p.goto(url('/signin'));
    await p.getByLabel('Email').fill(email);
    await p.getByLabel('Password').fill(password);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.waitForURL(/\/activity/);
    await p.goto(url('/admin/users'));
    await p.getByText(EMAIL).first().waitFor();
    await screenshot(p, '14-admin-users');
    await p.goto(url('/admin/catalog'));
    await p.getByText('fake-cheap').first().waitFor();
    await screenshot(p, '15-admin-catalog');
    // Signing out ends the session on the server: the app and the API both ask for sign-in again.
    await p.getByRole('button', { name: 'Account menu' }).click();
    await p.getByRole('menuitem', { name: 'Sign out' }).click();
    await p.waitForURL(/\/signin/);
    const me = await p.evaluate(async () => (await fetch('/api/me')).status);
    assert.equal(me, 401, 'the session is gone');
    await p.goto(url('/admin/users'));
    await p.waitForURL(/\/signin\?next=%2Fadmin%2Fusers/);
    // A non-admin gets no admin page.
    await page.goto(url('/admin/users'));
    await page.getByText('Page not found').waitFor();
    assert.equal(await page.getByRole('link', { name: 'Users', exact: true }).count(), 0, 'no admin links for users');
  } finally {
    await admin.close();
  }
  console.log(`screenshots in ${SCREENSHOTS}`);
});
