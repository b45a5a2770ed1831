// The fake Stripe refuses what Stripe refuses (so Turnpike's requests are checked for real), and
// signs webhooks the way Stripe documents it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { startFakeStripe, signStripe } from './fake-stripe.mjs';

const KEY = 'sk_test_fake_self_test';
const stripe = await startFakeStripe({ secretKey: KEY, webhookSecret: 'whsec_self_test' });
after(() => stripe.stop());

const GOOD = {
  mode: 'payment',
  'line_items[0][price_data][currency]': 'usd',
  'line_items[0][price_data][unit_amount]': '1234',
  'line_items[0][price_data][product_data][name]': 'Turnpike credits',
  'line_items[0][quantity]': '1',
  success_url: 'http://localhost:3000/credits?checkout=success&session_id={CHECKOUT_SESSION_ID}',
  cancel_url: 'http://localhost:3000/credits?checkout=cancelled',
  client_reference_id: 'turnpike-user-1',
  'metadata[turnpike_user_id]': '1',
};

async function create(fields, { key = KEY, type = 'application/x-www-form-urlencoded' } = {}) {
  const res = await fetch(`${stripe.url}/v1/checkout/sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': type },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: res.status, body: await res.json() };
}

test('creates a session like Stripe and records the request without the key', async () => {
  const r = await create(GOOD);
  assert.equal(r.status, 200);
  assert.match(r.body.id, /^cs_test_[A-Za-z0-9]+$/);
  assert.equal(r.body.object, 'checkout.session');
  assert.match(r.body.url, /^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_/);
  assert.equal(r.body.amount_total, 1234);
  assert.equal(r.body.payment_status, 'unpaid');
  assert.deepEqual(r.body.metadata, { turnpike_user_id: '1' });
  const rec = stripe.requests.at(-1);
  assert.equal(rec.authorized, true);
  assert.equal(rec.headers.authorization, '<redacted>');
  assert.ok(!JSON.stringify(stripe.requests).includes(KEY));
});

test('refuses a wrong key, a JSON body, unknown or missing fields, and tiny amounts', async () => {
  const bad = await create(GOOD, { key: 'sk_test_wrong_key_123' });
  assert.equal(bad.status, 401);
  assert.match(bad.body.error.message, /Invalid API Key provided: sk_test_\*\*\*\*_123/);
  assert.equal((await create(GOOD, { type: 'application/json' })).status, 400);
  const cases = [
    [{ ...GOOD, extra: 'x' }, 'extra'],
    [{ ...GOOD, mode: 'subscription' }, 'mode'],
    [{ ...GOOD, 'line_items[0][price_data][unit_amount]': '49' }, 'line_items[0][price_data][unit_amount]'],
    [{ ...GOOD, 'line_items[0][price_data][unit_amount]': '12.5' }, 'line_items[0][price_data][unit_amount]'],
    [{ ...GOOD, 'line_items[0][price_data][currency]': 'eur' }, 'line_items[0][price_data][currency]'],
    [{ ...GOOD, success_url: '/credits' }, 'success_url'],
    [Object.fromEntries(Object.entries(GOOD).filter(([k]) => k !== 'success_url')), 'success_url'],
  ];
  for (const [fields, param] of cases) {
    const r = await create(fields);
    assert.equal(r.status, 400, param);
    assert.equal(r.body.error.param, param);
  }
  stripe.failNext(503, 'down');
  assert.equal((await create(GOOD)).status, 503);
  assert.equal((await create(GOOD)).status, 200, 'failNext fails one call');
});

test('signs webhooks as HMAC-SHA256 of "<t>.<body>" and delivers the raw bytes', async () => {
  const header = signStripe('whsec_x', '{"a":1}', 1700000000);
  const expected = crypto.createHmac('sha256', 'whsec_x').update('1700000000.{"a":1}').digest('hex');
  assert.equal(header, `t=1700000000,v1=${expected}`);

  const { body } = await create(GOOD);
  const seen = [];
  const sink = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => { raw += c; });
    req.on('end', () => {
      seen.push({ raw, signature: req.headers['stripe-signature'] });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"received":true}');
    });
  });
  await new Promise((r) => sink.listen(0, '127.0.0.1', r));
  try {
    const event = stripe.event(body.id);
    assert.equal(event.type, 'checkout.session.completed');
    assert.equal(event.data.object.payment_status, 'paid');
    assert.equal(event.data.object.amount_total, 1234);
    const answer = await stripe.deliver(`http://127.0.0.1:${sink.address().port}/hook`, event, { timestamp: 1700000001 });
    assert.equal(answer.status, 200);
    const [{ raw, signature }] = seen;
    assert.equal(signature, signStripe('whsec_self_test', raw, 1700000001));
    assert.deepEqual(JSON.parse(raw), event);
  } finally {
    await new Promise((r) => sink.close(r));
  }
});
