// Changes made outside the gateway's event loops, by another process (the turnpike CLI, or a
// program writing the database) or through the control plane, reach a running gateway within
// 1 s, however the gateway keeps keys and balances in memory:
//   (a) credit granted to a user with zero balance: a chat request that got 402 gets a 200;
//   (b) `turnpike key disable` on a key that just made a successful request: 403; and
//       `turnpike key enable`: 200 again;
//   (c) a user and key created with the CLI work at once.
// Each change is measured by polling every 50 ms from the moment the change was committed; the
// time is when the first answer showing it arrived, and must be ≤ 1,000 ms.
//
// The CLI has no command that credits an existing user (src/app/main.cc: only
// `user create --credits`), so (a) grants in the two other ways there are: from another process
// (the sqlite3 shell running the transaction SqliteStore::Credit runs: a `grant` ledger entry and
// the balance, together), and through the control plane (POST /api/admin/users/{id}/credits).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { useServer } from '../lib/setup.mjs';
import {
  assertError, assertLedger, chatJson, keyList, sleep, userMessage, userShow,
} from '../lib/gateway.mjs';

const ctx = useServer();
const POLL_MS = 50;
const LIMIT_MS = 1_000;
const GIVE_UP_MS = 3_000;  // keep polling past the limit, to report how late the change was

// Calls `probe` every 50 ms until `accept(result)`; returns { ms, result, tries }: ms from
// `since` to the arrival of the first accepted result.
async function pollUntil(since, probe, accept, what) {
  let last;
  for (let tries = 1; ; tries++) {
    last = await probe();
    const ms = Math.round(performance.now() - since);
    if (accept(last)) return { ms, result: last, tries };
    if (ms > GIVE_UP_MS) {
      assert.fail(`${what}: not in effect ${ms} ms after the change (${tries} tries); last answer `
        + `${last.status} ${JSON.stringify(last.body).slice(0, 300)}`);
    }
    await sleep(POLL_MS);
  }
}

function assertInTime(p, what) {
  console.log(`${what}: in effect after ${p.ms} ms (${p.tries} tries)`);
  assert.ok(p.ms <= LIMIT_MS, `${what}: in effect after ${p.ms} ms (limit ${LIMIT_MS} ms)`);
}

async function zeroBalanceAccount(tp, tag) {
  const email = `${tag}-${crypto.randomBytes(4).toString('hex')}@example.test`;
  const userId = await tp.createUser({ email });
  const key = await tp.createKey({ email, name: tag });
  assert.equal((await userShow(tp, email)).balance_micros, 0);
  const refused = await chatJson(tp, key, userMessage(`${tag}: no credit yet`));
  assertError(refused, 402, 'a user without credit');
  return { email, userId, key };
}

const ok200 = (r) => r.status === 200;

test('(a) credit granted by another process to a user with zero balance: 402 → 200 within 1 s', { timeout: 10_000 }, async () => {
  const { tp } = ctx;
  const { email, userId, key } = await zeroBalanceAccount(tp, 'grant-sql');
  const amount = 1_000_000;
  const pg = tp.database === 'postgresql';
  await tp.query(`${pg ? 'BEGIN' : 'BEGIN IMMEDIATE'};
    INSERT INTO ledger_entries (user_id, key_id, kind, amount_micros, idempotency_id, request_id, note, created_at)
      VALUES (${userId}, NULL, 'grant', ${amount}, 'grant:test:${crypto.randomBytes(8).toString('hex')}', '',
              'cli-propagation test', ${pg ? 'extract(epoch FROM now())::bigint' : "CAST(strftime('%s', 'now') AS INTEGER)"});
    UPDATE users SET balance_micros = balance_micros + ${amount} WHERE id = ${userId};
    COMMIT;`);
  const since = performance.now();
  const p = await pollUntil(since, () => chatJson(tp, key, userMessage('grant-sql: now with credit')), ok200,
    'a grant written by another process');
  assertInTime(p, 'a grant written by another process');
  assert.ok(p.result.body.usage.cost > 0);
  await assertLedger(tp, email);
});

test('(a) credit granted through the control plane to a user with zero balance: 402 → 200 within 1 s', { timeout: 10_000 }, async () => {
  const { tp } = ctx;
  const { email, userId, key } = await zeroBalanceAccount(tp, 'grant-api');
  const admin = tp.bootstrap;
  assert.ok(admin, `the server printed a bootstrap admin:\n${tp.output()}`);
  const control = async (route, body, token) => {
    const res = await fetch(`${tp.controlUrl}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
  const login = await control('/api/auth/login', { email: admin.email, password: admin.password });
  assert.equal(login.status, 200, JSON.stringify(login.body));
  const granted = await control(`/api/admin/users/${userId}/credits`, { amount_usd: '1', note: 'cli-propagation test' },
    login.body.token);
  assert.equal(granted.status, 200, JSON.stringify(granted.body));
  assert.equal(granted.body.balance_micros, 1_000_000);
  const since = performance.now();
  const p = await pollUntil(since, () => chatJson(tp, key, userMessage('grant-api: now with credit')), ok200,
    'a grant through the control plane');
  assertInTime(p, 'a grant through the control plane');
  await assertLedger(tp, email);
});

test('(b) `turnpike key disable` on a key that just made a request: 403 within 1 s; `key enable`: 200 within 1 s', { timeout: 10_000 }, async () => {
  const { tp } = ctx;
  const { email, key } = await tp.account({ credits: '5' });
  const first = await chatJson(tp, key, userMessage('disable: before'));
  assert.equal(first.status, 200, JSON.stringify(first.body));
  const [{ id }] = await keyList(tp, email);

  let r = await tp.cli(['key', 'disable', '--id', String(id)]);
  assert.equal(r.code, 0, r.stderr);
  let since = performance.now();
  const disabled = await pollUntil(since, () => chatJson(tp, key, userMessage('disable: after')),
    (x) => x.status !== 200, '`turnpike key disable`');
  assertError(disabled.result, 403, 'a disabled key');
  assertInTime(disabled, '`turnpike key disable`');
  for (let i = 0; i < 3; i++) {
    assertError(await chatJson(tp, key, userMessage(`disable: still ${i}`)), 403, 'a disabled key stays refused');
  }

  r = await tp.cli(['key', 'enable', '--id', String(id)]);
  assert.equal(r.code, 0, r.stderr);
  since = performance.now();
  const enabled = await pollUntil(since, () => chatJson(tp, key, userMessage('enable: after')), ok200,
    '`turnpike key enable`');
  assertInTime(enabled, '`turnpike key enable`');
  await assertLedger(tp, email);
});

test('(c) a user and key created with the CLI work at once', { timeout: 10_000 }, async () => {
  const { tp } = ctx;
  const email = `new-${crypto.randomBytes(4).toString('hex')}@example.test`;
  await tp.createUser({ email, credits: '2' });
  const key = await tp.createKey({ email, name: 'brand-new' });
  const since = performance.now();
  const p = await pollUntil(since, () => chatJson(tp, key, userMessage('a brand-new key')), ok200,
    'a user and key created with the CLI');
  assertInTime(p, 'a user and key created with the CLI');
  await assertLedger(tp, email);
});
