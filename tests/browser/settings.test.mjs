// The Settings page in headless Chromium, against the real binary (serving web/dist) and SQLite:
// a password change (wrong current password refused in words; after the change the old password
// no longer signs in, another browser's session ends, this one stays), the low-balance alert in
// the header, and signing out everywhere. Screenshots under build/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { UPSTREAM_KEY } from '../lib/setup.mjs';
import { startFake, startTurnpike } from '../lib/harness.mjs';
import { TEST_CATALOG } from '../lib/gateway.mjs';
import { DIST, launch, screenshot } from './browser.mjs';

const ctx = { fake: null, tp: null };
const EMAIL = `settings-${Date.now()}@example.test`;
const OLD_PASSWORD = 'the-first-password';
const NEW_PASSWORD = 'the-second-password';

let browser;
let other;
let page;

before(async () => {
  assert.ok(fs.existsSync(DIST), `the dashboard is built (${DIST}): run make web`);
  ctx.fake = await startFake({ args: ['--api-key', UPSTREAM_KEY] });
  ctx.tp = await startTurnpike({ fake: ctx.fake, catalog: TEST_CATALOG });
  browser = await launch({ viewport: { width: 1440, height: 900 } });
  other = await launch({ viewport: { width: 390, height: 844 } });
  page = browser.page;
  page.setDefaultTimeout(15_000);
  other.page.setDefaultTimeout(15_000);
});

after(async () => {
  await browser?.close();
  await other?.close();
  if (process.env.TURNPIKE_TEST_LOG && ctx.tp) process.stderr.write(ctx.tp.output());
  await ctx.tp?.stop();
  await ctx.fake?.stop();
});

const url = (p) => `${ctx.tp.controlUrl}${p}`;

async function signIn(p, password) {
  await p.goto(url('/signin'));
  await p.getByLabel('Email').fill(EMAIL);
  await p.getByLabel('Password').fill(password);
  await p.getByRole('button', { name: 'Sign in' }).click();
}

async function sessionStatus(p) {
  return p.evaluate(async () => (await fetch('/api/me')).status);
}

test('a password change refuses a wrong current password, then signs out the other browsers only', async () => {
  await page.goto(url('/signup'));
  await page.getByLabel('Email').fill(EMAIL);
  await page.getByLabel('Password').fill(OLD_PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(/\/keys$/);
  await signIn(other.page, OLD_PASSWORD);
  await other.page.waitForURL(/\/activity/);

  // Settings is in the account menu.
  await page.getByRole('button', { name: 'Account menu' }).click();
  await page.getByRole('menuitem', { name: 'Settings' }).click();
  await page.waitForURL(/\/settings$/);
  await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();

  await page.getByLabel('Current password').fill('not-my-password');
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('New password again').fill(NEW_PASSWORD + 'x');
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByText('The two new passwords differ.').waitFor();
  await page.getByLabel('New password again').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByText('That is not your current password.').waitFor();
  assert.equal(await sessionStatus(page), 200, 'a wrong current password does not sign this browser out');
  await screenshot(page, 'settings-password-wrong');

  await page.getByLabel('Current password').fill(OLD_PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByText('Password changed').waitFor();
  assert.equal(await page.getByLabel('Current password').inputValue(), '', 'the form is emptied');
  assert.equal(await sessionStatus(page), 200, 'this browser stays signed in');
  assert.equal(await sessionStatus(other.page), 401, 'the other browser is signed out');
  await screenshot(page, 'settings-password-changed');

  // The old password no longer signs in. (That is this email's fifth sign-in attempt from this
  // address in a minute, the limit: the new password's sign-in is checked in the unit tests.)
  await signIn(other.page, OLD_PASSWORD);
  await other.page.getByRole('alert').filter({ hasText: /email or password/i }).waitFor();
  assert.deepEqual(browser.problems.filter((p) => p.startsWith('page error')), []);
});

test('the low-balance alert shows in the header while the balance is below it, at any width', async () => {
  await page.goto(url('/settings'));
  const badge = page.getByTestId('header-balance');
  await badge.waitFor();
  assert.equal(await badge.getAttribute('data-low'), null, 'no alert before one is set');

  await page.getByLabel('Alert below (USD)').fill('abc');
  await page.getByRole('button', { name: 'Save alert' }).click();
  await page.getByText('Enter an amount in dollars above zero').waitFor();
  await page.getByLabel('Alert below (USD)').fill('5');
  await page.getByRole('button', { name: 'Save alert' }).click();
  await page.getByTestId('low-balance-state').filter({ hasText: 'Alert below $5.00' }).waitFor();
  await page.locator('[data-testid=header-balance][data-low=true]').filter({ hasText: 'Low balance' }).waitFor();
  assert.match(await badge.getAttribute('aria-label'), /Low balance: \$0\.00, below your alert at \$5\.00/);
  await screenshot(page, 'settings-low-balance');

  // Kept with the account (every browser sees it), and across reloads; gone once the balance is above it.
  const me = await page.evaluate(async () => (await (await fetch('/api/me')).json()).low_balance_alert_micros);
  assert.equal(me, 5_000_000);
  await page.reload();
  await page.locator('[data-testid=header-balance][data-low=true]').waitFor();
  const topup = await page.evaluate(async () => (await fetch('/api/credits/checkout', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ amount_usd: '10' }),
  })).status);
  assert.equal(topup, 200);
  await page.goto(url('/credits'));
  await page.getByTestId('header-balance').filter({ hasText: '$10.00' }).waitFor();
  assert.equal(await page.getByTestId('header-balance').getAttribute('data-low'), null, 'no alert above the threshold');

  // Raise it above the balance: the alert is back, and fits a phone.
  await page.goto(url('/settings'));
  await page.getByLabel('Alert below (USD)').fill('20');
  await page.getByRole('button', { name: 'Save alert' }).click();
  await page.locator('[data-testid=header-balance][data-low=true]').waitFor();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.locator('[data-testid=header-balance][data-low=true]').waitFor();
  assert.ok(await page.locator('[data-testid=header-balance][data-low=true]').isVisible(), 'the alert shows on a phone too');
  const overflow = await page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `settings at 390 px: no horizontal scrolling (${overflow}px)`);
  await screenshot(page, 'phone-settings-low-balance');
  await page.setViewportSize({ width: 1440, height: 900 });

  // Emptying the field turns it off.
  await page.getByLabel('Alert below (USD)').fill('');
  await page.getByRole('button', { name: 'Save alert' }).click();
  await page.getByTestId('low-balance-state').filter({ hasText: 'No alert set.' }).waitFor();
  assert.equal(await page.getByTestId('header-balance').getAttribute('data-low'), null);
});

test('sign out everywhere ends every session, after a confirmation', async () => {
  // Another account: the first has used this address's sign-in attempts for the minute.
  const email = `everywhere-${Date.now()}@example.test`;
  await page.evaluate(() => fetch('/api/auth/logout', { method: 'POST' }));
  await page.goto(url('/signup'));
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(OLD_PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(/\/keys$/);
  await other.page.goto(url('/signin'));
  await other.page.getByLabel('Email').fill(email);
  await other.page.getByLabel('Password').fill(OLD_PASSWORD);
  await other.page.getByRole('button', { name: 'Sign in' }).click();
  await other.page.waitForURL(/\/activity/);
  assert.equal(await sessionStatus(other.page), 200);

  await page.goto(url('/settings'));
  await page.getByRole('button', { name: 'Sign out everywhere' }).click();
  const dialog = page.getByRole('alertdialog');
  await dialog.getByText('Every session of this account ends at once').waitFor();
  await screenshot(page, 'settings-sign-out-everywhere');
  await dialog.getByRole('button', { name: 'Sign out everywhere' }).click();
  await page.waitForURL(/\/signin/);
  assert.equal(await sessionStatus(page), 401);
  assert.equal(await sessionStatus(other.page), 401, 'the other browser too');
});

test('deleting the account asks for its email, says what happens, and ends its keys and sessions', async () => {
  const email = `leaving-${Date.now()}@example.test`;
  await page.goto(url('/signup'));
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(OLD_PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(/\/keys$/);
  const made = await page.evaluate(async () => (await (await fetch('/api/keys', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'before-delete' }),
  })).json()).secret);
  assert.match(made, /^sk-tp-/);

  await page.goto(url('/settings'));
  const consequences = await page.getByTestId('delete-consequences').innerText();
  assert.match(consequences, /forfeits the remaining credit balance/);
  assert.match(consequences, /deletes every API key/);
  assert.match(consequences, /keeps the ledger and request logs/);
  const button = page.getByRole('button', { name: 'Delete account' });
  assert.equal(await button.isDisabled(), true, 'disabled until the email is typed');
  await page.getByLabel(`Type ${email} to confirm`).fill('someone-else@example.test');
  assert.equal(await button.isDisabled(), true);
  await page.getByLabel(`Type ${email} to confirm`).fill(email.toUpperCase());
  await screenshot(page, 'settings-delete-account');
  await button.click();
  await page.waitForURL(/\/signin/);
  assert.equal(await sessionStatus(page), 401);

  // The key is refused by the gateway; the address can sign up again.
  const gateway = await fetch(`${ctx.tp.gatewayUrl}/api/v1/models`, { headers: { authorization: `Bearer ${made}` } });
  const chat = await fetch(`${ctx.tp.gatewayUrl}/api/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${made}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'fakeco/solo', messages: [{ role: 'user', content: 'still there?' }] }),
  });
  assert.ok(chat.status === 401 || chat.status === 403, `the deleted account's key is refused (${chat.status}; models ${gateway.status})`);
  await page.goto(url('/signup'));
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(/\/keys$/);
  await page.getByText('No API keys yet').waitFor();
});

test('default provider preferences are saved from Settings and cleared', async () => {
  const email = `prefs-${Date.now()}@example.test`;
  await page.evaluate(() => fetch('/api/auth/logout', { method: 'POST' }));
  await page.goto(url('/signup'));
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(OLD_PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(/\/keys$/);
  await page.goto(url('/settings'));
  await page.getByLabel('Try first, in order').fill('fake-pricey');
  await page.getByLabel('Data collection').selectOption('deny');
  await page.getByLabel('Fall back to other providers').click();
  await page.getByRole('button', { name: 'Save preferences' }).click();
  await page.getByText('Default provider preferences saved').waitFor();
  const saved = await page.evaluate(async () => (await (await fetch('/api/me/provider-preferences')).json()).provider);
  assert.deepEqual(saved, { order: ['fake-pricey'], allow_fallbacks: false, data_collection: 'deny' });
  await screenshot(page, 'settings-provider-preferences');

  await page.reload();
  assert.equal(await page.getByLabel('Try first, in order').inputValue(), 'fake-pricey', 'shown again after a reload');
  await page.getByLabel('Sort providers by').selectOption('latency');
  await page.getByLabel('Only these providers').fill('fake-pricey, fake-cheap');
  await page.getByLabel('Never these providers').fill('fake-pricey');
  await page.getByRole('button', { name: 'Save preferences' }).click();
  await page.getByRole('alert').filter({ hasText: /only|ignore/i }).first().waitFor();
  await page.getByLabel('Never these providers').fill('');
  await page.getByRole('button', { name: 'Clear' }).click();
  await page.getByText('Default provider preferences cleared').waitFor();
  const cleared = await page.evaluate(async () => (await (await fetch('/api/me/provider-preferences')).json()).provider);
  assert.equal(cleared, null);
});
