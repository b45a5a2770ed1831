// Client-side helpers for the integration tests: calling the gateway, reading SSE, checking the
// error shape, reading accounts through the CLI, and exact money arithmetic.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import crypto from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { ROOT } from './harness.mjs';
import { noteHeaders, noteSeen } from './secrets.mjs';

export const FIXTURES = path.join(ROOT, 'tests/fixtures/providers/openai');
export const TEST_CATALOG = path.join(ROOT, 'tests/fixtures/catalog-test.toml');

export function nonce() {
  return `n-${crypto.randomBytes(6).toString('hex')}`;
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Polls `fn` until it returns a truthy value; returns that value, or throws after `timeout` ms
// with the last value seen.
export async function eventually(fn, { timeout = 2_000, interval = 25, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeout} ms (last: ${JSON.stringify(last)})`);
    await sleep(interval);
  }
}

// Polls `fn` until it returns `expected` (deep equality), then asserts; the failure shows the last
// value. For money read right after a response: docs/architecture.md §3.10 has it settled before the response
// completes, which one test checks on its own (account.test.mjs); elsewhere a short wait keeps a
// late settlement from failing unrelated tests.
export async function untilEqual(fn, expected, what, { timeout = 2_000 } = {}) {
  let last;
  try {
    await eventually(async () => {
      last = await fn();
      return isDeepStrictEqual(last, expected);
    }, { timeout, what });
  } catch {
    // reported below with the last value
  }
  assert.deepEqual(last, expected, what);
}

// ---------------------------------------------------------------------------------------------
// Money. Micro-USD are integers; USD amounts arrive as JSON numbers or decimal strings.

// Exact for decimal strings; for JSON numbers, the nearest micro-USD.
export function usdToMicros(usd) {
  if (typeof usd === 'number') return Math.round(usd * 1e6);
  return Number(decimalScaled(usd, 6));
}

export function microsToUsd(micros) {
  const sign = micros < 0 ? '-' : '';
  const abs = Math.abs(micros);
  const frac = String(abs % 1e6).padStart(6, '0').replace(/0+$/, '');
  return `${sign}${Math.floor(abs / 1e6)}${frac ? `.${frac}` : ''}`;
}

// A /models price string (USD per token) → micro-USD per million tokens, exactly:
// "0.00000015" USD/token = 0.15 USD/M = 150000 µUSD/M.
export function perTokenToMicrosPerMillion(text) {
  return Number(decimalScaled(text, 12));
}

// Parses a plain decimal string into an integer scaled by 10^scale, exactly (BigInt).
function decimalScaled(text, scale) {
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(String(text).trim());
  assert.ok(m && (m[2] || m[3]), `not a plain decimal: ${JSON.stringify(text)}`);
  const frac = (m[3] ?? '').padEnd(scale, '0');
  assert.ok(/^0*$/.test(frac.slice(scale)), `${text} has more than ${scale} decimals`);
  const value = BigInt(m[2] || '0') * 10n ** BigInt(scale) + BigInt(frac.slice(0, scale) || '0');
  return m[1] ? -value : value;
}

// docs/architecture.md §4.2: ceil((prompt*p_in + completion*p_out + ...) / 1e6), prices in µUSD per million.
export function expectedCostMicros(usage, prices) {
  const cached = usage.prompt_tokens_details?.cached_tokens ?? 0;
  const cacheRead = prices.cacheRead ? cached : 0;
  const num = BigInt(usage.prompt_tokens - cacheRead) * BigInt(prices.input)
    + BigInt(cacheRead) * BigInt(prices.cacheRead ?? 0)
    + BigInt(usage.completion_tokens) * BigInt(prices.output);
  return Number((num + 999_999n) / 1_000_000n);
}

// ---------------------------------------------------------------------------------------------
// Fixtures.

export function fixtureJson(name) {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8'));
}

// The parsed data events of a recorded stream, without [DONE].
export function fixtureEvents(name) {
  return fs.readFileSync(path.join(FIXTURES, name), 'utf8').split('\n\n')
    .filter((e) => e.startsWith('data: ') && e !== 'data: [DONE]')
    .map((e) => JSON.parse(e.slice('data: '.length)));
}

export function toolCallDeltas(events) {
  return events.flatMap((e) => e.choices?.[0]?.delta?.tool_calls ?? []);
}

export function contentOf(events) {
  return events.map((e) => e.choices?.[0]?.delta?.content ?? '').join('');
}

// ---------------------------------------------------------------------------------------------
// Calling the gateway.

export function userMessage(text, extra = {}) {
  return { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: text }], ...extra };
}

// fetch() with the transport error's cause and the server's last output in the message, so a
// refused or reset connection says why (did the server die?).
export async function gatewayFetch(tp, route, init = {}) {
  try {
    return await fetch(`${tp.gatewayUrl}${route}`, init);
  } catch (err) {
    if (err.name === 'AbortError' || init.signal?.aborted) throw err;
    const cause = err.cause?.code ?? err.cause?.message ?? '';
    throw new Error(`${init.method ?? 'GET'} ${route}: ${err.message} (${cause}); server output tail:\n`
      + `${tp.output().slice(-3000)}`, { cause: err });
  }
}

export function chat(tp, key, body, { path: route = '/api/v1/chat/completions', signal, headers = {} } = {}) {
  const h = { 'content-type': 'application/json', ...headers };
  if (key) h.authorization = `Bearer ${key}`;
  return gatewayFetch(tp, route, {
    method: 'POST',
    headers: h,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal,
  });
}

// A non-stream call: { status, headers, body (parsed JSON, or the text if it is not JSON) }.
export async function chatJson(tp, key, body, opts) {
  const res = await chat(tp, key, body, opts);
  return { status: res.status, headers: res.headers, body: await parseBody(res, `POST ${opts?.path ?? 'chat'}`) };
}

export async function getJson(tp, route, key) {
  const res = await gatewayFetch(tp, route, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  return { status: res.status, headers: res.headers, body: await parseBody(res, `GET ${route}`) };
}

// The body's text, parsed when it is JSON; the text and the headers go to the secrets scan.
async function parseBody(res, where = res.url) {
  const text = await res.text();
  noteHeaders(where, res.headers);
  noteSeen(`the body of ${where}`, text);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// Yields each SSE event of a fetch Response as { data, json } (json is null for [DONE] or
// non-JSON data). Accepts \n\n, \r\n\r\n and \r\r separators and comment lines.
export async function* sseEvents(res) {
  const decoder = new TextDecoder();
  let buffer = '';
  noteHeaders(`stream ${res.url}`, res.headers);
  for await (const chunk of res.body) {
    const text = decoder.decode(chunk, { stream: true });
    noteSeen(`the stream ${res.url}`, text);
    buffer += text;
    for (;;) {
      const m = /\r\n\r\n|\n\n|\r\r/.exec(buffer);
      if (!m) break;
      const block = buffer.slice(0, m.index);
      buffer = buffer.slice(m.index + m[0].length);
      const data = block.split(/\r\n|\n|\r/).filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).replace(/^ /, '')).join('\n');
      if (block.split(/\r\n|\n|\r/).every((l) => l.startsWith(':') || l === '')) continue;
      let json = null;
      try {
        json = data === '[DONE]' ? null : JSON.parse(data);
      } catch {
        // left null
      }
      yield { data, json };
    }
  }
  if (buffer.trim() !== '') yield { data: buffer, json: null, partial: true };
}

// Reads a whole stream: { status, headers, events (parsed JSON), done (saw [DONE] last),
// raw (every data value), failed (the body ended with a transport error) }.
export async function chatStream(tp, key, body, opts) {
  const res = await chat(tp, key, { ...body, stream: true }, opts);
  const out = { status: res.status, headers: res.headers, events: [], raw: [], done: false, failed: null };
  if (!(res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    out.body = await parseBody(res);
    return out;
  }
  try {
    for await (const e of sseEvents(res)) {
      out.raw.push(e.data);
      if (e.json) out.events.push(e.json);
    }
  } catch (err) {
    out.failed = err;
  }
  out.done = out.raw.at(-1) === '[DONE]';
  return out;
}

// An upstream that answers every request with `answer` as JSON (200), on a free loopback port:
// { server, base (its /v1 URL), close() }. For a test whose provider must say one exact thing.
export async function startJsonUpstream(answer) {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}/v1`;
  return { server, base, close: () => new Promise((resolve) => server.close(resolve)) };
}

// A raw request through node:http, for bodies fetch cannot send well (an 11 MiB upload that the
// server answers before reading it all). Resolves on the response, whatever happens to the upload.
export function rawRequest(url, { method = 'POST', headers = {}, body = '' } = {}) {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(url, { method, headers: { 'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
      answered = true;
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        noteHeaders(`${method} ${url}`, res.headers);
        noteSeen(`the body of ${method} ${url}`, text);
        resolve({ status: res.statusCode, headers: res.headers, text });
      });
      res.on('error', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', (err) => { if (!answered) reject(err); });
    req.end(body);
  });
}

// ---------------------------------------------------------------------------------------------
// Assertions a user relies on.

// {"error":{"code":<status>,"message":string,"type":string,"param":…}} and an x-request-id.
export function assertError(r, status, what = '') {
  assert.equal(r.status, status, `${what} status; body: ${JSON.stringify(r.body)}`);
  assertRequestId(r.headers, what);
  const body = typeof r.body === 'string' ? JSON.parse(r.body) : r.body;
  assert.equal(typeof body, 'object', `${what} error body is JSON`);
  assert.equal(typeof body.error, 'object', `${what} body has an error object: ${JSON.stringify(body)}`);
  assert.equal(body.error.code, status, `${what} error.code is the HTTP status as an integer`);
  assert.equal(typeof body.error.message, 'string', `${what} error.message`);
  assert.ok(body.error.message.length > 0, `${what} error.message is not empty`);
  assert.equal(typeof body.error.type, 'string', `${what} error.type`);
  assert.ok('param' in body.error, `${what} error.param is present`);
  return body.error;
}

// Every field of `expected` is in `actual` with the same value; `actual` may carry more (the
// gateway adds usage.cost, and may add OpenRouter's extra usage fields).
export function assertIncludes(actual, expected, what = '') {
  assert.ok(actual && typeof actual === 'object', `${what}: got ${JSON.stringify(actual)}`);
  for (const [k, v] of Object.entries(expected)) assert.deepEqual(actual[k], v, `${what}.${k}`);
}

export function assertRequestId(headers, what = '') {
  const id = typeof headers.get === 'function' ? headers.get('x-request-id') : headers['x-request-id'];
  assert.ok(id && id.length > 0, `${what} response carries an x-request-id header`);
}

// ---------------------------------------------------------------------------------------------
// Accounts, through the CLI (works while the server runs, and after it stopped).

export async function userShow(tp, email) {
  const r = await tp.cli(['user', 'show', '--email', email]);
  assert.equal(r.code, 0, `user show failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

export async function keyList(tp, email) {
  const r = await tp.cli(['key', 'list', '--email', email]);
  assert.equal(r.code, 0, `key list failed: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l.trim().startsWith('{')).map((l) => JSON.parse(l));
}

// Balance and ledger always agree; returns the user.
export async function assertLedger(tp, email) {
  const u = await userShow(tp, email);
  assert.equal(u.balance_micros, u.ledger_sum_micros, 'balance equals the sum of the ledger');
  return u;
}

// The catalog prices of `modelId` as the gateway publishes them (µUSD per million tokens).
export async function pricesOf(tp, modelId) {
  const r = await getJson(tp, '/api/v1/models');
  assert.equal(r.status, 200);
  const model = r.body.data.find((m) => m.id === modelId);
  assert.ok(model, `${modelId} is in /api/v1/models`);
  const p = model.pricing;
  return {
    input: perTokenToMicrosPerMillion(p.prompt),
    output: perTokenToMicrosPerMillion(p.completion),
    cacheRead: p.input_cache_read ? perTokenToMicrosPerMillion(p.input_cache_read) : 0,
  };
}

// The fake's records of the chat requests whose last message contains `marker`.
export async function fakeRequestsWith(fake, marker) {
  return (await fake.requests()).filter((r) => JSON.stringify(r.body?.messages?.at(-1) ?? '').includes(marker));
}

// Sends `body` and, while it is in flight, watches the key's usage (outstanding holds count in
// it). Returns { hold (µUSD, the most usage seen), response } — the key must be unused before.
export async function measureHold(tp, key, body, { stream = false } = {}) {
  let inFlight = true;
  const pending = (stream ? chatStream(tp, key, body) : chatJson(tp, key, body))
    .finally(() => { inFlight = false; });
  pending.catch(() => {}); // a failure is reported where it is awaited, below
  let hold = 0;
  while (inFlight) {
    const r = await getJson(tp, '/api/v1/key', key);
    if (r.status === 200 && inFlight) hold = Math.max(hold, usdToMicros(r.body.data.usage));
    await sleep(50);
  }
  return { hold, response: await pending };
}
