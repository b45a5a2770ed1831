// Money through the control API: 20 concurrent sandbox checkouts, 20 concurrent admin grants and
// gateway spending at the same time leave balance == ledger sum == what the responses add up to;
// the ledger lists every movement; concurrent deductions never take a balance below zero.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chatJson, eventually, microsToUsd, usdToMicros, userMessage, userShow } from '../lib/gateway.mjs';
import { adminLogin, api, cliUser, expectError, expectStatus, login, secretsTest, useControl } from './helpers.mjs';

const S = {};
const ctx = useControl({
  async setup() {
    S.admin = await adminLogin(ctx);
  },
});

const N = 20;

async function cliBalance(email) {
  const u = await userShow(ctx.tp, email);
  return u;
}

test(`${N} concurrent checkouts + ${N} concurrent grants + gateway spending: balance == ledger sum`, async () => {
  const u = await cliUser(ctx);
  const session = await login(ctx, u.email, u.password);
  const START = 5_000_000;
  const first = expectStatus(await api(ctx, 'POST', `/api/admin/users/${u.id}/credits`, {
    auth: S.admin, body: { amount_usd: '5', note: 'starting credit' },
  }), 200, 'first grant');
  assert.equal(first.body.balance_micros, START);
  const key = expectStatus(await api(ctx, 'POST', '/api/keys', { auth: session, body: { name: 'spender' } }), 201, 'create key').body;

  // Amounts: checkouts in whole cents (strings and numbers), grants with up to 6 decimals.
  const checkoutCents = Array.from({ length: N }, (_, i) => 100 + i * 137);
  const checkoutBody = (cents, i) => ({ amount_usd: i % 2 ? cents / 100 : (cents / 100).toFixed(2) });
  const grantMicros = Array.from({ length: N }, (_, i) => 1_000_000 * (i % 3) + 123_457 * (i + 1));
  const SPEND = 10;

  const t0 = Date.now();
  const [checkouts, grants, calls] = await Promise.all([
    Promise.all(checkoutCents.map((c, i) => api(ctx, 'POST', '/api/credits/checkout', { auth: session, body: checkoutBody(c, i) }))),
    Promise.all(grantMicros.map((m, i) => api(ctx, 'POST', `/api/admin/users/${u.id}/credits`, {
      auth: S.admin, body: { amount_usd: microsToUsd(m), note: `grant ${i}` },
    }))),
    Promise.all(Array.from({ length: SPEND }, (_, i) => chatJson(ctx.tp, key.secret, userMessage(`money test spend ${i}`)))),
  ]);
  console.log(`${N} checkouts, ${N} grants and ${SPEND} gateway calls in ${Date.now() - t0} ms`);

  const topupIds = new Set();
  checkouts.forEach((r, i) => {
    expectStatus(r, 200, `checkout ${i}`);
    assert.equal(r.body.checkout_url, null, 'sandbox: no checkout page');
    assert.equal(r.body.topup.amount_micros, checkoutCents[i] * 10_000, `checkout ${i} amount`);
    assert.equal(r.body.topup.provider, 'sandbox');
    assert.equal(r.body.topup.status, 'completed', 'sandbox: credited at once');
    assert.ok(r.body.topup.completed_at, 'completed_at is set');
    topupIds.add(r.body.topup.id);
  });
  assert.equal(topupIds.size, N, 'every checkout is its own top-up');
  grants.forEach((r, i) => expectStatus(r, 200, `grant ${i}`));
  calls.forEach((r, i) => assert.equal(r.status, 200, `gateway call ${i}: ${JSON.stringify(r.body)}`));

  const credited = START + checkoutCents.reduce((a, c) => a + c * 10_000, 0) + grantMicros.reduce((a, b) => a + b, 0);
  const spent = calls.reduce((a, r) => a + usdToMicros(r.body.usage.cost), 0);
  assert.ok(spent > 0, 'the calls cost something');
  const expected = credited - spent;

  const shown = await eventually(async () => {
    const s = await cliBalance(u.email);
    return s.balance_micros === expected && s;
  }, { timeout: 3_000, what: `balance == ${expected}` }).catch(async (err) => assert.fail(`${err.message}: ${JSON.stringify(await cliBalance(u.email))}`));
  assert.equal(shown.balance_micros, shown.ledger_sum_micros, 'balance == ledger sum');
  assert.equal(shown.total_credited_micros, credited);
  assert.equal(shown.total_spent_micros, spent);

  const me = expectStatus(await api(ctx, 'GET', '/api/me', { auth: session }), 200).body;
  const credits = expectStatus(await api(ctx, 'GET', '/api/credits', { auth: session }), 200).body;
  const totals = { balance_micros: expected, total_credited_micros: credited, total_spent_micros: spent };
  assert.deepEqual(credits, totals, 'GET /api/credits');
  assert.deepEqual({ balance_micros: me.balance_micros, total_credited_micros: me.total_credited_micros, total_spent_micros: me.total_spent_micros },
    totals, 'GET /api/me');

  const tx = expectStatus(await api(ctx, 'GET', '/api/credits/transactions?limit=200', { auth: session }), 200).body.transactions;
  const byKind = (k) => tx.filter((t) => t.kind === k).map((t) => t.amount_micros).sort((a, b) => a - b);
  assert.deepEqual(byKind('topup'), checkoutCents.map((c) => c * 10_000).sort((a, b) => a - b), 'one topup entry per checkout');
  assert.deepEqual(byKind('grant'), [START, ...grantMicros].sort((a, b) => a - b), 'one grant entry per grant');
  assert.equal(tx.reduce((a, t) => a + t.amount_micros, 0), expected, 'the listed ledger adds up to the balance');
  for (let i = 1; i < tx.length; i++) assert.ok(tx[i - 1].id > tx[i].id, 'newest first');
  // A request line carries the time its request started, and is recorded when it was charged
  // (docs/control-api.md), so only the other lines' times are in order.
  const others = tx.filter((t) => t.kind !== 'request');
  for (let i = 1; i < others.length; i++) assert.ok(others[i - 1].created_at >= others[i].created_at, 'newest first (times)');
  // One line per request (its hold and settlement together), carrying what the request cost.
  assert.deepEqual(tx.filter((t) => t.kind === 'hold' || t.kind === 'settle'), [], 'no separate hold or settle lines');
  const requests = tx.filter((t) => t.kind === 'request');
  assert.equal(requests.length, SPEND, 'one line per gateway call');
  for (const r of requests) {
    assert.match(r.request_id ?? '', /^gen-/, 'a request line names its request');
    assert.equal(r.running, false, 'a finished request is not running');
    assert.ok(r.amount_micros <= 0, `a request line is its cost: ${r.amount_micros}`);
    assert.ok(r.settled_at >= r.created_at, 'settled when it finished');
  }
  assert.equal(-requests.reduce((a, t) => a + t.amount_micros, 0), spent, 'the request lines add up to what was spent');
  const note = tx.find((t) => t.kind === 'grant' && t.amount_micros === START).note;
  assert.equal(note, 'starting credit', 'the grant keeps its note');

  const keys = expectStatus(await api(ctx, 'GET', '/api/keys', { auth: session }), 200).body.keys;
  assert.equal(keys.find((k) => k.id === key.key.id).usage_micros, spent, 'the key\'s usage is what it spent');
});

test(`${N} concurrent deductions of $1 from $10: exactly 10 succeed, never below zero`, async () => {
  const u = await cliUser(ctx, { credits: '10' });
  const results = await Promise.all(Array.from({ length: N }, (_, i) => api(ctx, 'POST', `/api/admin/users/${u.id}/credits`, {
    auth: S.admin, body: { amount_usd: -1, note: `deduct ${i}` },
  })));
  const counts = {};
  for (const r of results) counts[r.status] = (counts[r.status] ?? 0) + 1;
  assert.deepEqual(counts, { 200: 10, 409: 10 }, JSON.stringify(counts));
  for (const r of results.filter((x) => x.status === 409)) expectError(r, 409);
  // Each success reports a balance (read after its own deduction, so possibly after others too).
  for (const r of results.filter((x) => x.status === 200)) {
    assert.ok(r.body.balance_micros >= 0 && r.body.balance_micros <= 9_000_000 && r.body.balance_micros % 1_000_000 === 0,
      `a reported balance: ${r.body.balance_micros}`);
  }
  const s = await cliBalance(u.email);
  assert.equal(s.balance_micros, 0);
  assert.equal(s.ledger_sum_micros, 0, 'balance == ledger sum');
  const session = await login(ctx, u.email, u.password);
  const tx = expectStatus(await api(ctx, 'GET', '/api/credits/transactions', { auth: session }), 200).body.transactions;
  assert.equal(tx.filter((t) => t.kind === 'deduct').length, 10, 'ten deduct entries');
  assert.ok(tx.filter((t) => t.kind === 'deduct').every((t) => t.amount_micros === -1_000_000), 'deductions are negative');
});

test('a checkout and a grant show in /api/me at once', async () => {
  const u = await cliUser(ctx);
  const session = await login(ctx, u.email, u.password);
  expectStatus(await api(ctx, 'POST', '/api/credits/checkout', { auth: session, body: { amount_usd: 10000 } }), 200, 'the maximum');
  expectStatus(await api(ctx, 'POST', '/api/credits/checkout', { auth: session, body: { amount_usd: '1.00' } }), 200, 'the minimum');
  let me = expectStatus(await api(ctx, 'GET', '/api/me', { auth: session }), 200).body;
  assert.equal(me.balance_micros, 10_001_000_000);
  const g = expectStatus(await api(ctx, 'POST', `/api/admin/users/${u.id}/credits`, {
    auth: S.admin, body: { amount_usd: '0.000001', note: 'one micro-dollar' },
  }), 200);
  assert.equal(g.body.balance_micros, 10_001_000_001);
  me = expectStatus(await api(ctx, 'GET', '/api/me', { auth: session }), 200).body;
  assert.equal(me.balance_micros, 10_001_000_001);
  const s = await cliBalance(u.email);
  assert.equal(s.balance_micros, s.ledger_sum_micros);
});

secretsTest(ctx);
