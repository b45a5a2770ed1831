#!/usr/bin/env node
// Fake Stripe: the one REST call Turnpike makes (create a Checkout Session) and the webhook
// deliveries Stripe would make afterwards, signed like Stripe signs them. Node stdlib only.
//
// In a test (in-process):
//   import { startFakeStripe, signStripe } from '../fakes/fake-stripe.mjs';
//   const stripe = await startFakeStripe({ secretKey: 'sk_test_…', webhookSecret: 'whsec_…' });
//   stripe.url                       base URL (TURNPIKE_STRIPE_API_BASE)
//   stripe.requests                  every request, oldest first: {method, path, headers, form, raw, authorized, status}
//                                    (authorization reads "<redacted>")
//   stripe.sessions                  Map id → the session object answered
//   stripe.failNext(status, message) the next create call answers `status` with a Stripe error body
//   stripe.event(id, overrides)      a checkout.session.completed event for a session (paid), as
//                                    Stripe sends it: {id, object:"event", type, data:{object: session}}
//   stripe.deliver(url, event, {secret, timestamp}) POSTs it signed; resolves to {status, body}
//   stripe.stop()
//
// From a shell (to try Turnpike's Stripe mode without Stripe):
//   node tests/fakes/fake-stripe.mjs --port 12111 --secret-key sk_test_local --webhook-secret whsec_local \
//        --webhook-url http://127.0.0.1:3000/api/payments/stripe/webhook
// prints `fake stripe listening on http://HOST:PORT`; `POST /_fake/pay/<session id>` then
// "pays" a session (delivers its signed checkout.session.completed to --webhook-url) and answers
// Turnpike's answer; `GET /_fake/requests` lists the requests.
//
// POST /v1/checkout/sessions checks what Stripe checks for the fields Turnpike sends: the bearer
// key (401 otherwise, the key masked in the message as Stripe does), a form body, mode=payment,
// exactly one line item with price_data (currency usd, integer unit_amount >= 50 cents, a product
// name) and quantity 1, absolute success_url/cancel_url, metadata sizes; an unknown parameter is
// a 400 "Received unknown parameter", as at Stripe.
import http from 'node:http';
import crypto from 'node:crypto';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

// Stripe-Signature for `payload` (a string: the exact bytes sent) at `timestamp` (unix seconds).
export function signStripe(secret, payload, timestamp = Math.floor(Date.now() / 1000)) {
  const v1 = crypto.createHmac('sha256', secret).update(`${timestamp}.${payload}`).digest('hex');
  return `t=${timestamp},v1=${v1}`;
}

function stripeError(res, status, message, param) {
  const error = { message, type: status === 401 ? 'invalid_request_error' : status >= 500 ? 'api_error' : 'invalid_request_error' };
  if (param) error.param = param;
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${crypto.randomBytes(7).toString('hex')}` });
  res.end(JSON.stringify({ error }, null, 2));
}

const KNOWN = new Set([
  'mode', 'success_url', 'cancel_url', 'client_reference_id',
  'line_items[0][price_data][currency]', 'line_items[0][price_data][unit_amount]',
  'line_items[0][price_data][product_data][name]', 'line_items[0][quantity]',
]);

function absoluteUrl(text) {
  try {
    const u = new URL(text);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

// The form's problem as [message, param], or null.
function checkForm(form) {
  for (const key of form.keys()) {
    if (KNOWN.has(key)) continue;
    const m = /^metadata\[([^\]]*)\]$/.exec(key);
    if (m) {
      if (m[1].length === 0 || m[1].length > 40) return [`Invalid metadata key: ${m[1]}`, key];
      if (form.get(key).length > 500) return ['Metadata values can have up to 500 characters', key];
      continue;
    }
    return [`Received unknown parameter: ${key}`, key];
  }
  for (const key of form.keys()) {
    if (form.getAll(key).length > 1) return [`Received the parameter ${key} more than once`, key];
  }
  if (form.get('mode') !== 'payment') return ['mode must be payment', 'mode'];
  const currency = form.get('line_items[0][price_data][currency]');
  if (currency !== 'usd') return [`Invalid currency: ${currency}`, 'line_items[0][price_data][currency]'];
  const unit = form.get('line_items[0][price_data][unit_amount]') ?? '';
  if (!/^[0-9]+$/.test(unit)) return ['Invalid integer: unit_amount', 'line_items[0][price_data][unit_amount]'];
  if (Number(unit) < 50) return ['The Checkout Session\'s total amount due must add up to at least $0.50 usd', 'line_items[0][price_data][unit_amount]'];
  if (Number(unit) > 99_999_999) return ['This value must be less than or equal to 99999999', 'line_items[0][price_data][unit_amount]'];
  if (!form.get('line_items[0][price_data][product_data][name]')) {
    return ['Missing required param: line_items[0][price_data][product_data][name].', 'line_items[0][price_data][product_data][name]'];
  }
  if (form.get('line_items[0][quantity]') !== '1') return ['quantity must be 1 here', 'line_items[0][quantity]'];
  if (!form.get('success_url')) return ['Missing required param: success_url.', 'success_url'];
  if (!absoluteUrl(form.get('success_url'))) return ['Not a valid URL', 'success_url'];
  if (form.has('cancel_url') && !absoluteUrl(form.get('cancel_url'))) return ['Not a valid URL', 'cancel_url'];
  if ((form.get('client_reference_id') ?? '').length > 200) return ['client_reference_id is too long', 'client_reference_id'];
  return null;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startFakeStripe({ secretKey, webhookSecret = null, webhookUrl = null, port = 0, host = '127.0.0.1' } = {}) {
  if (!secretKey) throw new Error('startFakeStripe: secretKey is required');
  const requests = [];
  const sessions = new Map();
  const failures = [];

  function event(sessionId, overrides = {}) {
    const session = sessions.get(sessionId);
    if (!session && !overrides.session) throw new Error(`fake stripe: no session ${sessionId}`);
    const object = { ...(session ?? {}), status: 'complete', payment_status: 'paid', ...(overrides.session ?? {}) };
    return {
      id: `evt_${crypto.randomBytes(12).toString('hex')}`,
      object: 'event',
      api_version: '2024-06-20',
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type: overrides.type ?? 'checkout.session.completed',
      data: { object },
    };
  }

  async function deliver(url, ev, { secret = webhookSecret, timestamp, headers = {} } = {}) {
    const payload = typeof ev === 'string' ? ev : JSON.stringify(ev, null, 2);
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
        'stripe-signature': signStripe(secret, payload, timestamp),
        ...headers,
      },
      body: payload,
    });
    const text = await res.text();
    let body = text;
    try { body = JSON.parse(text); } catch { /* text */ }
    return { status: res.status, body };
  }

  async function handle(req, res) {
    const url = new URL(req.url, 'http://fake');
    const raw = await readBody(req);
    const headers = { ...req.headers };
    if (headers.authorization) headers.authorization = '<redacted>';
    const record = { method: req.method, path: url.pathname, headers, raw, form: null, authorized: false, status: 0 };

    if (url.pathname === '/_fake/requests' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(requests));
      return;
    }
    const pay = /^\/_fake\/pay\/([^/]+)$/.exec(url.pathname);
    if (pay && req.method === 'POST') {
      if (!webhookUrl || !webhookSecret || !sessions.has(pay[1])) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'needs --webhook-url, --webhook-secret and a known session id' }));
        return;
      }
      const answer = await deliver(webhookUrl, event(pay[1]));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
      return;
    }

    requests.push(record);
    if (!(url.pathname === '/v1/checkout/sessions' && req.method === 'POST')) {
      record.status = 404;
      stripeError(res, 404, `Unrecognized request URL (${req.method}: ${url.pathname}).`);
      return;
    }
    const auth = req.headers.authorization ?? '';
    record.authorized = auth === `Bearer ${secretKey}`;
    if (!record.authorized) {
      record.status = 401;
      const given = auth.replace(/^Bearer\s+/i, '');
      stripeError(res, 401, given ? `Invalid API Key provided: ${given.slice(0, 8)}****${given.slice(-4)}`
        : 'You did not provide an API key.');
      return;
    }
    if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      record.status = 400;
      stripeError(res, 400, 'Invalid request: expected application/x-www-form-urlencoded');
      return;
    }
    const form = new URLSearchParams(raw);
    record.form = Object.fromEntries(form);
    const failure = failures.shift();
    if (failure) {
      record.status = failure.status;
      stripeError(res, failure.status, failure.message);
      return;
    }
    const problem = checkForm(form);
    if (problem) {
      record.status = 400;
      stripeError(res, 400, problem[0], problem[1]);
      return;
    }
    const id = `cs_test_${crypto.randomBytes(24).toString('base64url').replace(/[-_]/g, 'a')}`;
    const amount = Number(form.get('line_items[0][price_data][unit_amount]'));
    const metadata = {};
    for (const [k, v] of form) {
      const m = /^metadata\[([^\]]*)\]$/.exec(k);
      if (m) metadata[m[1]] = v;
    }
    const created = Math.floor(Date.now() / 1000);
    const session = {
      id,
      object: 'checkout.session',
      amount_subtotal: amount,
      amount_total: amount,
      cancel_url: form.get('cancel_url') ?? null,
      client_reference_id: form.get('client_reference_id') ?? null,
      created,
      currency: 'usd',
      customer: null,
      expires_at: created + 86_400,
      livemode: false,
      metadata,
      mode: 'payment',
      payment_intent: null,
      payment_status: 'unpaid',
      status: 'open',
      success_url: form.get('success_url'),
      url: `https://checkout.stripe.com/c/pay/${id}#fidkdWxOYHwnPyd1blpxYHZxWjA0`,
    };
    sessions.set(id, session);
    record.status = 200;
    res.writeHead(200, { 'content-type': 'application/json', 'request-id': `req_${crypto.randomBytes(7).toString('hex')}` });
    res.end(JSON.stringify(session, null, 2));
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) stripeError(res, 500, `fake stripe: ${err.message}`);
      else res.destroy();
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    requests,
    sessions,
    failNext(status, message = 'Something went wrong on Stripe\'s end.') {
      failures.push({ status, message });
    },
    event,
    deliver,
    stop() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '12111' },
      host: { type: 'string', default: '127.0.0.1' },
      'secret-key': { type: 'string', default: 'sk_test_local' },
      'webhook-secret': { type: 'string' },
      'webhook-url': { type: 'string' },
    },
  });
  const fake = await startFakeStripe({
    secretKey: values['secret-key'],
    webhookSecret: values['webhook-secret'] ?? null,
    webhookUrl: values['webhook-url'] ?? null,
    port: Number(values.port),
    host: values.host,
  });
  process.stdout.write(`fake stripe listening on ${fake.url}\n`);
}
