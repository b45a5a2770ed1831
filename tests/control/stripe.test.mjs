// Stripe payments end to end: the real binary with payments.provider = "stripe" against the fake
// Stripe (tests/fakes/fake-stripe.mjs). Checkout creates a Checkout Session and a pending top-up;
// only a correctly signed checkout.session.completed credits it, exactly once however often (and
// however concurrently) it is delivered; forged, stale, tampered, mismatched and unknown
// deliveries change nothing; balance == ledger sum at the end; no Stripe secret ever shows.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startFakeStripe, signStripe } from '../fakes/fake-stripe.mjs';
import {
  useControl, api, signup, expectStatus, expectError, addSecret, secretsTest,
} from './helpers.mjs';

const SECRET_KEY = `sk_test_${crypto.randomBytes(16).toString('hex')}`;
const WEBHOOK_SECRET = `whsec_${crypto.randomBytes(16).toString('hex')}`;
const WEBHOOK = '/api/payments/stripe/webhook';

// Started before the server, whose environment names its URL (top-level await: Node runs
// top-level before() hooks without waiting for one another).
const stripe = await startFakeStripe({ secretKey: SECRET_KEY, webhookSecret: WEBHOOK_SECRET });
after(() => stripe.stop());
addSecret(SECRET_KEY, 'upstream', 'the Stripe secret key');
addSecret(WEBHOOK_SECRET, 'upstream', 'the Stripe webhook secret');

const ctx = useControl({
  env: {
    TURNPIKE_PAYMENTS_PROVIDER: 'stripe',
    TURNPIKE_STRIPE_API_BASE: stripe.url,
    STRIPE_SECRET_KEY: SECRET_KEY,
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
  },
});

const now = () => Math.floor(Date.now() / 1000);

// Sends `payload` (an event object, serialised the way Stripe does, or raw text) to the webhook
// through the checked fetch. `sign`: {secret, timestamp, header} overrides; `sign: false` sends none.
async function deliver(payload, { sign = {}, headers = {} } = {}) {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload, null, 2);
  const h = { ...headers };
  if (sign !== false) {
    h['stripe-signature'] = sign.header ?? signStripe(sign.secret ?? WEBHOOK_SECRET, body, sign.timestamp ?? now());
  }
  return api(ctx, 'POST', WEBHOOK, { body, headers: h });
}

async function credits(session) {
  return expectStatus(await api(ctx, 'GET', '/api/credits', { auth: session }), 200, 'GET /api/credits').body;
}

async function ledger(session) {
  const r = expectStatus(await api(ctx, 'GET', '/api/credits/transactions?limit=200', { auth: session }), 200, 'ledger');
  return r.body.transactions;
}

// A user's balance equals their ledger's sum, and credited - spent.
async function expectBalanced(session, what) {
  const c = await credits(session);
  const sum = (await ledger(session)).reduce((a, t) => a + t.amount_micros, 0);
  assert.equal(c.balance_micros, sum, `${what}: balance == ledger sum`);
  assert.equal(c.total_credited_micros - c.total_spent_micros, c.balance_micros, `${what}: credited - spent == balance`);
  return c.balance_micros;
}

async function checkout(session, amountUsd) {
  const before = stripe.requests.length;
  const r = expectStatus(await api(ctx, 'POST', '/api/credits/checkout', {
    auth: session, origin: true, body: { amount_usd: amountUsd },
  }), 200, `checkout of $${amountUsd}`);
  assert.equal(stripe.requests.length, before + 1, 'one call to Stripe per checkout');
  const sent = stripe.requests.at(-1);
  const id = /\/c\/pay\/(cs_test_[A-Za-z0-9]+)/.exec(r.body.checkout_url)?.[1];
  assert.ok(id && stripe.sessions.has(id), `checkout_url names a session the fake created: ${r.body.checkout_url}`);
  return { topup: r.body.topup, url: r.body.checkout_url, sessionId: id, sent };
}

test('checkout creates a Stripe Checkout Session and a pending top-up, and answers its URL', async () => {
  const user = await signup(ctx);
  const { topup, url, sessionId, sent } = await checkout(user, '12.34');
  assert.equal(topup.provider, 'stripe');
  assert.equal(topup.status, 'pending');
  assert.equal(topup.amount_micros, 12_340_000);
  assert.equal(topup.completed_at, null);
  assert.match(url, /^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_/);

  // What Stripe received: the bearer key, a form with one $12.34 line item, return URLs on the
  // page's own origin, and the user in the metadata.
  assert.equal(sent.authorized, true, 'Authorization: Bearer <STRIPE_SECRET_KEY>');
  assert.equal(sent.status, 200);
  assert.match(sent.headers['content-type'], /^application\/x-www-form-urlencoded/);
  const origin = new URL(ctx.url).origin;
  assert.deepEqual(sent.form, {
    mode: 'payment',
    'line_items[0][price_data][currency]': 'usd',
    'line_items[0][price_data][unit_amount]': '1234',
    'line_items[0][price_data][product_data][name]': 'Turnpike credits',
    'line_items[0][quantity]': '1',
    success_url: `${origin}/credits?checkout=success&session_id={CHECKOUT_SESSION_ID}`,
    cancel_url: `${origin}/credits?checkout=cancelled`,
    client_reference_id: `turnpike-user-${user.user.id}`,
    'metadata[turnpike_user_id]': String(user.user.id),
  });
  assert.equal(stripe.sessions.get(sessionId).amount_total, 1234);

  // Nothing is credited before Stripe says it was paid.
  const c = await credits(user);
  assert.equal(c.balance_micros, 0);
  assert.deepEqual(await ledger(user), []);
});

test('a correctly signed checkout.session.completed credits the top-up once', async () => {
  const user = await signup(ctx);
  const { sessionId } = await checkout(user, '5.00');
  const event = stripe.event(sessionId);
  const r = expectStatus(await deliver(event), 200, 'the paid event');
  assert.deepEqual(r.body, { received: true, outcome: 'credited' });
  const c = await credits(user);
  assert.equal(c.balance_micros, 5_000_000);
  const entries = await ledger(user);
  assert.equal(entries.length, 1);
  assert.equal(entries[0].kind, 'topup');
  assert.equal(entries[0].amount_micros, 5_000_000);
  assert.equal(await expectBalanced(user, 'after one payment'), 5_000_000);
});

test('the same event delivered 5 times in a row and 5 times at once credits once', async () => {
  const user = await signup(ctx);
  const { sessionId } = await checkout(user, '7.77');
  const event = stripe.event(sessionId);
  const sequential = [];
  for (let i = 0; i < 5; i++) sequential.push(expectStatus(await deliver(event), 200, `delivery ${i + 1}`).body.outcome);
  assert.deepEqual(sequential, ['credited', 'already_credited', 'already_credited', 'already_credited', 'already_credited']);

  // Another payment, its event delivered five times concurrently (Stripe retries overlap).
  const second = await checkout(user, '2.50');
  const again = stripe.event(second.sessionId);
  const concurrent = await Promise.all(Array.from({ length: 5 }, () => deliver(again)));
  const outcomes = concurrent.map((r) => expectStatus(r, 200, 'a concurrent delivery').body.outcome).sort();
  assert.deepEqual(outcomes, ['already_credited', 'already_credited', 'already_credited', 'already_credited', 'credited']);
  // Redelivered later, re-signed with a fresh timestamp, as Stripe's retries are.
  assert.equal(expectStatus(await deliver(event, { sign: { timestamp: now() - 10 } }), 200, 'late retry').body.outcome,
    'already_credited');

  assert.equal(await expectBalanced(user, 'after repeated deliveries'), 7_770_000 + 2_500_000);
  const topups = (await ledger(user)).filter((t) => t.kind === 'topup').map((t) => t.amount_micros).sort((a, b) => a - b);
  assert.deepEqual(topups, [2_500_000, 7_770_000], 'one ledger entry per payment');
});

test('forged, stale, tampered, unsigned, mismatched and unknown deliveries are refused and change nothing', async () => {
  const user = await signup(ctx);
  const { sessionId } = await checkout(user, '3.00');
  const good = stripe.event(sessionId);
  const body = JSON.stringify(good, null, 2);
  const t = now();
  const v1 = (secret, ts, text) => crypto.createHmac('sha256', secret).update(`${ts}.${text}`).digest('hex');

  const refused = [
    ['no signature', deliver(good, { sign: false }), 400],
    ['a signature with another secret', deliver(good, { sign: { secret: `whsec_${crypto.randomBytes(16).toString('hex')}` } }), 400],
    ['a stale timestamp (10 minutes old)', deliver(good, { sign: { timestamp: t - 600 } }), 400],
    ['a timestamp from the future', deliver(good, { sign: { timestamp: t + 600 } }), 400],
    ['a fresh timestamp on an old signature', deliver(good, { sign: { header: `t=${t},v1=${v1(WEBHOOK_SECRET, t - 600, body)}` } }), 400],
    ['a tampered body (the amount raised after signing)', deliver(body.replace('"amount_total": 300', '"amount_total": 30000'),
      { sign: { header: signStripe(WEBHOOK_SECRET, body, t) } }), 400],
    ['the signed body re-serialised (not the raw bytes)', deliver(JSON.stringify(good), { sign: { header: signStripe(WEBHOOK_SECRET, body, t) } }), 400],
    ['a malformed header', deliver(good, { sign: { header: 'v1=abc' } }), 400],
    ['only a v0 signature', deliver(good, { sign: { header: `t=${t},v0=${v1(WEBHOOK_SECRET, t, body)}` } }), 400],
    ['a correctly signed wrong amount', deliver(stripe.event(sessionId, { session: { amount_total: 299, amount_subtotal: 299 } })), 400],
    ['a correctly signed wrong currency', deliver(stripe.event(sessionId, { session: { currency: 'eur' } })), 400],
    ['a correctly signed other user', deliver(stripe.event(sessionId, { session: { metadata: { turnpike_user_id: '999999' } } })), 400],
    ['a correctly signed unknown session', deliver(stripe.event('cs_test_unknown', {
      session: { id: 'cs_test_unknown', object: 'checkout.session', amount_total: 300, currency: 'usd',
        metadata: { turnpike_user_id: String(user.user.id) } },
    })), 404],
    ['signed text that is not an event', deliver('not json at all'), 400],
  ];
  for (const [what, pending, status] of refused) expectError(await pending, status, what);

  assert.equal((await credits(user)).balance_micros, 0, 'nothing credited');
  assert.deepEqual(await ledger(user), [], 'no ledger entry');

  // The genuine event still credits afterwards, and is still once.
  assert.equal(expectStatus(await deliver(good), 200, 'the genuine event').body.outcome, 'credited');
  assert.equal(await expectBalanced(user, 'after the refusals'), 3_000_000);
});

test('several v1 signatures (a secret being rolled): any match is enough', async () => {
  const user = await signup(ctx);
  const { sessionId } = await checkout(user, '1.50');
  const body = JSON.stringify(stripe.event(sessionId), null, 2);
  const t = now();
  const sig = (secret) => crypto.createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  const header = `t=${t},v1=${sig('whsec_the_old_one')},v1=${sig(WEBHOOK_SECRET)},v0=${'0'.repeat(64)}`;
  assert.equal(expectStatus(await deliver(body, { sign: { header } }), 200, 'two v1').body.outcome, 'credited');
  assert.equal(await expectBalanced(user, 'after rolling'), 1_500_000);
});

test('events that need nothing are acknowledged and ignored', async () => {
  const user = await signup(ctx);
  const { sessionId } = await checkout(user, '4.00');
  const ignored = [
    ['another event type', stripe.event(sessionId, { type: 'checkout.session.async_payment_succeeded', session: { id: 'cs_test_other', metadata: {} } })],
    ['a completed session not paid yet (a delayed payment method)', stripe.event(sessionId, { session: { payment_status: 'unpaid' } })],
    ['a session Turnpike did not create (no metadata)', stripe.event(sessionId, { session: { id: 'cs_test_foreign', metadata: {} } })],
    ['not a checkout session at all', { id: 'evt_x', object: 'event', type: 'customer.created', data: { object: { id: 'cus_1', object: 'customer' } } }],
  ];
  for (const [what, ev] of ignored) {
    assert.deepEqual(expectStatus(await deliver(ev), 200, what).body, { received: true, outcome: 'ignored' }, what);
  }
  assert.equal((await credits(user)).balance_micros, 0);
  // The delayed payment succeeds later.
  const paid = stripe.event(sessionId, { type: 'checkout.session.async_payment_succeeded' });
  assert.equal(expectStatus(await deliver(paid), 200, 'async_payment_succeeded').body.outcome, 'credited');
  assert.equal(await expectBalanced(user, 'after the delayed payment'), 4_000_000);
});

test('an expired session, or a delayed payment that failed, ends its top-up as failed, never pending', async () => {
  const user = await signup(ctx);
  const expired = await checkout(user, '3.00');
  const declined = await checkout(user, '5.00');
  const ev = stripe.event(expired.sessionId, { type: 'checkout.session.expired', session: { status: 'expired', payment_status: 'unpaid' } });
  assert.equal(expectStatus(await deliver(ev), 200, 'expired').body.outcome, 'failed');
  assert.equal(expectStatus(await deliver(ev), 200, 'expired again').body.outcome, 'ignored');
  const failed = stripe.event(declined.sessionId, { type: 'checkout.session.async_payment_failed', session: { payment_status: 'unpaid' } });
  assert.equal(expectStatus(await deliver(failed), 200, 'async_payment_failed').body.outcome, 'failed');
  assert.equal((await credits(user)).balance_micros, 0);
  // A late "completed" for the expired session credits nothing (its top-up is failed).
  const late = await deliver(stripe.event(expired.sessionId));
  assert.notEqual(late.status, 200);
  assert.equal((await credits(user)).balance_micros, 0);
});

test('the webhook needs no session and ignores Origin and cookies (server to server)', async () => {
  const user = await signup(ctx);
  const { sessionId } = await checkout(user, '2.00');
  const r = await deliver(stripe.event(sessionId), {
    headers: { origin: 'https://evil.example', cookie: 'tp_session=not-a-session' },
  });
  assert.equal(expectStatus(r, 200, 'with a foreign Origin and a junk cookie').body.outcome, 'credited');
});

test('Stripe failing: checkout answers 502, records nothing, and leaks no secret', async () => {
  const user = await signup(ctx);
  const before = await ledger(user);
  for (const [status, message] of [[500, 'Something went wrong on Stripe\'s end.'], [401, `Invalid API Key provided: ${SECRET_KEY}`], [429, 'Too many requests']]) {
    stripe.failNext(status, message);
    const e = expectError(await api(ctx, 'POST', '/api/credits/checkout', {
      auth: user, origin: true, body: { amount_usd: '9.00' },
    }), 502, `Stripe answering ${status}`);
    assert.ok(!e.message.includes(SECRET_KEY));
  }
  assert.deepEqual(await ledger(user), before);
  assert.equal((await credits(user)).balance_micros, 0);
  // The checkouts that failed left no top-up behind: paying for their sessions is impossible, and
  // the next checkout works.
  const { topup } = await checkout(user, '9.00');
  assert.equal(topup.status, 'pending');
});

test('balance == ledger sum for every user of this file, and the server log holds no Stripe secret', async () => {
  const user = await signup(ctx);
  const { sessionId } = await checkout(user, '10.00');
  await Promise.all(Array.from({ length: 3 }, () => deliver(stripe.event(sessionId))));
  assert.equal(await expectBalanced(user, 'final'), 10_000_000);
  const output = ctx.tp.output();
  assert.ok(!output.includes(SECRET_KEY), 'the secret key is not in the server output');
  assert.ok(!output.includes(WEBHOOK_SECRET), 'the webhook secret is not in the server output');
  assert.match(output, /does not match top-up/, 'the mismatched payment was logged');
});

secretsTest(ctx);
