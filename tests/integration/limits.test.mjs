// The gateway's limits and connection handling: an oversized request head, a client that stalls
// mid-request, an upstream that never answers or goes silent mid-stream, keep-alive, pipelining,
// and a slow reader of a long stream (back-pressure: the gateway must not buffer the upstream).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { useServer } from '../lib/setup.mjs';
import {
  assertError, assertLedger, chatJson, eventually, expectedCostMicros, fakeRequestsWith,
  fixtureEvents, measureHold, nonce, pricesOf, sleep, untilEqual, usdToMicros, userMessage, userShow,
} from '../lib/gateway.mjs';

const READ_TIMEOUT_MS = 1000;
const FIRST_BYTE_TIMEOUT_MS = 800;
const IDLE_TIMEOUT_MS = 800;
const ctx = useServer({
  env: {
    TURNPIKE_READ_TIMEOUT_MS: String(READ_TIMEOUT_MS),
    TURNPIKE_UPSTREAM_FIRST_BYTE_TIMEOUT_MS: String(FIRST_BYTE_TIMEOUT_MS),
    TURNPIKE_UPSTREAM_IDLE_TIMEOUT_MS: String(IDLE_TIMEOUT_MS),
  },
});
const START = 10_000_000;
const TEXT_STREAM = fixtureEvents('chat-stream-text-include-usage.sse');
const CHAT = '/api/v1/chat/completions';

// ---------------------------------------------------------------------------------------------
// Raw HTTP/1.1 over node:net, for what node:http and fetch do not let a client do.

function requestText(method, path, { key, body = '', headers = {} } = {}) {
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1'];
  if (key) lines.push(`Authorization: Bearer ${key}`);
  if (method === 'POST') lines.push('Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`);
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

// The complete responses at the start of `buf` (the gateway sizes its JSON answers with
// Content-Length): { responses: [{ status, headers, text, body }], rest }.
function parseResponses(buf) {
  const responses = [];
  for (let end; (end = buf.indexOf('\r\n\r\n')) >= 0;) {
    const [statusLine, ...lines] = buf.subarray(0, end).toString('latin1').split('\r\n');
    const headers = Object.fromEntries(lines.map((l) => {
      const colon = l.indexOf(':');
      return [l.slice(0, colon).toLowerCase(), l.slice(colon + 1).trim()];
    }));
    assert.ok(!/chunked/i.test(headers['transfer-encoding'] ?? ''), 'a Content-Length response');
    const length = Number(headers['content-length'] ?? 0);
    if (buf.length < end + 4 + length) break;
    const text = buf.subarray(end + 4, end + 4 + length).toString('utf8');
    let body = text;
    try { body = JSON.parse(text); } catch { /* not JSON */ }
    responses.push({ status: Number(statusLine.split(' ')[1]), headers, text, body });
    buf = buf.subarray(end + 4 + length);
  }
  return { responses, rest: buf };
}

// Writes `text` on a new connection and collects what comes back until the server closes it (or
// `timeout` ms pass): { responses, rest, raw, closed, firstByteMs, closedMs } (times from the
// write). With `first`, that request is sent and answered before, so that `text` is the second
// request of a kept-alive connection.
async function exchange(text, { first, timeout = 5_000 } = {}) {
  const u = new URL(ctx.tp.gatewayUrl);
  const socket = net.connect(Number(u.port), u.hostname);
  socket.on('error', () => {}); // a reset shows as 'close'; what arrived is checked
  let data = Buffer.alloc(0);
  let firstByteAt = null;
  socket.on('data', (c) => { firstByteAt ??= Date.now(); data = Buffer.concat([data, c]); });
  const closed = new Promise((resolve) => {
    socket.once('close', () => resolve(true));
    setTimeout(() => resolve(false), timeout).unref();
  });
  await new Promise((resolve) => socket.once('connect', resolve));
  if (first) {
    socket.write(first);
    await eventually(() => parseResponses(data).responses.length > 0, { timeout, what: 'the first answer' });
  }
  firstByteAt = null;
  const t0 = Date.now();
  socket.write(text);
  const r = { closed: await closed, closedMs: Date.now() - t0, firstByteMs: firstByteAt && firstByteAt - t0 };
  socket.destroy();
  return { ...r, ...parseResponses(data), raw: data.toString('latin1') };
}

// GET /api/v1/key with an X-Pad header of `bytes`; the server closes the connection after it.
const padded = (key, bytes) => requestText('GET', '/api/v1/key', {
  key, headers: { 'X-Pad': 'a'.repeat(bytes), Connection: 'close' },
});

// ---------------------------------------------------------------------------------------------

test('a request head over 16 KiB → 431 JSON error with an x-request-id; a 15 KiB head is served', async () => {
  const { key } = await ctx.tp.account();
  const ok = await exchange(padded(key, 15 * 1024));
  assert.equal(ok.responses[0]?.status, 200, `a 15 KiB head is within the limit: ${ok.raw.slice(0, 300)}`);
  for (const kib of [17, 64]) {
    const r = await exchange(padded(key, kib * 1024));
    console.log(`${kib} KiB request head: ${r.responses[0]?.status} ${r.responses[0]?.text}`);
    assert.equal(r.responses.length, 1, `one response: ${JSON.stringify(r.raw.slice(0, 300))}`);
    assertError(r.responses[0], 431, `${kib} KiB head`);
    assert.ok(r.closed, 'then the connection closes');
  }
});

// As the second request of a kept-alive connection (what SDKs and fetch send), an oversized
// head or body still gets its answer.
test('on a kept-alive connection, a head over 16 KiB → 431 and a body over 10 MiB → 413, too', async () => {
  const { key } = await ctx.tp.account();
  const huge = JSON.stringify(userMessage('x'.repeat(11 * 1024 * 1024)));
  const cases = [
    [431, '17 KiB head', padded(key, 17 * 1024)],
    [413, '11 MiB body', requestText('POST', CHAT, { key, body: huge })],
  ];
  const results = await Promise.all(cases.map(async ([status, what, text]) => {
    const r = await exchange(text, { first: requestText('GET', '/api/v1/key', { key }) });
    console.log(`${what} as the 2nd request of a connection: responses ${r.responses.map((x) => x.status)}, `
      + `closed=${r.closed}`);
    return [status, what, r];
  }));
  for (const [status, what, r] of results) {
    assert.equal(r.responses[0]?.status, 200, `${what}: the first, small request is served`);
    assert.equal(r.responses.length, 2, `${what}: a second response: ${JSON.stringify(r.raw.slice(-300))}`);
    assertError(r.responses[1], status, `${what} on a reused connection`);
  }
});

// The three timeouts mostly wait, so they run side by side.
describe('timeouts', { concurrency: true }, () => {
  test(`a client that stalls mid-request gets a 408 JSON error after ~${READ_TIMEOUT_MS} ms, then the connection closes`, async () => {
    const { email, key } = await ctx.tp.account();
    const marker = nonce();
    const full = requestText('POST', CHAT, { key, body: JSON.stringify(userMessage(`${marker} ${'x'.repeat(2000)}`)) });
    const cases = {
      'head and half the body': full.slice(0, full.indexOf('\r\n\r\n') + 4 + 1000),
      'half the head': full.slice(0, full.indexOf('Authorization')),
    };
    await Promise.all(Object.entries(cases).map(async ([what, partial]) => {
      const r = await exchange(partial, { timeout: READ_TIMEOUT_MS + 10_000 });
      console.log(`stalled client (${what}): response after ${r.firstByteMs} ms, closed after ${r.closedMs} ms`);
      assert.ok(r.closed, `${what}: the server closed the connection`);
      assert.equal(r.responses.length, 1, `${what}: one response: ${r.raw}`);
      assert.equal(r.rest.length, 0, `${what}: nothing after the response`);
      assertError(r.responses[0], 408, what);
      assert.ok(r.firstByteMs >= READ_TIMEOUT_MS - 100, `${what}: not before the read timeout (${r.firstByteMs} ms)`);
      assert.ok(r.firstByteMs <= READ_TIMEOUT_MS + 4000, `${what}: soon after the read timeout (${r.firstByteMs} ms)`);
      assert.ok(r.closedMs - r.firstByteMs < 2000, `${what}: closed right after the 408`);
    }));
    assert.equal((await fakeRequestsWith(ctx.fake, marker)).length, 0, 'nothing went upstream');
    const u = await assertLedger(ctx.tp, email);
    assert.equal(u.balance_micros, START);
  });

  test(`no response head within ${FIRST_BYTE_TIMEOUT_MS} ms → 408 JSON error, nothing charged, upstream aborted`, async () => {
    const { email, key } = await ctx.tp.account();
    await Promise.all([false, true].map(async (stream) => {
      const marker = nonce();
      const body = userMessage(`[[fake:hang]] ${marker}`, stream ? { stream: true } : {});
      const t0 = Date.now();
      const r = await chatJson(ctx.tp, key, body);
      const ms = Date.now() - t0;
      console.log(`first-byte timeout (stream=${stream}): ${r.status} after ${ms} ms`);
      assertError(r, 408, `hung upstream, stream=${stream}`);
      assert.ok(ms >= FIRST_BYTE_TIMEOUT_MS - 50 && ms < FIRST_BYTE_TIMEOUT_MS + 4000, `answered after ${ms} ms`);
      const rec = await eventually(async () => (await fakeRequestsWith(ctx.fake, marker)).find((x) => x.aborted),
        { timeout: 3_000, what: 'the fake sees the hung request aborted' });
      assert.equal(rec.completed, false);
    }));
    await untilEqual(async () => (await userShow(ctx.tp, email)).balance_micros, START, 'the balance is back to the start');
    await assertLedger(ctx.tp, email);
  });

  test(`upstream silent ${IDLE_TIMEOUT_MS} ms mid-stream: the chunks so far, an error chunk, the end; billed ≤ hold`, async () => {
    const { tp } = ctx;
    const { email, key } = await tp.account();
    const marker = nonce();
    // The fake sends the role chunk, then waits 6 s before each next event.
    const body = userMessage(`[[fake:chunk-delay-ms=6000]] ${marker}`, { stream_options: { include_usage: true } });
    const t0 = Date.now();
    const { hold, response: s } = await measureHold(tp, key, body, { stream: true });
    const ms = Date.now() - t0;
    console.log(`idle timeout: stream over after ${ms} ms (hold ${hold} µUSD); last event: ${s.raw.at(-1)?.slice(0, 400)}`);
    assert.equal(s.status, 200);
    assert.equal(s.failed, null, `the chunked body ends cleanly: ${s.failed?.message}`);
    assert.ok(ms < 5000, 'over before the fake sent its second event');
    assert.equal(s.events.length, 2, 'the first chunk, then the error chunk');
    assert.equal(s.events[0].choices[0].delta.role, 'assistant', 'the first chunk is the upstream\'s');
    const e = s.events[1];
    assert.equal(typeof e.error, 'object', `an error chunk: ${JSON.stringify(e)}`);
    assert.equal(e.error.code, 408, 'error.code is the timeout status as an integer');
    assert.equal(typeof e.error.message, 'string');
    assert.deepEqual(e.choices, [{ index: 0, delta: { content: '' }, finish_reason: 'error' }]);
    assert.equal(e.object, 'chat.completion.chunk');
    assert.equal(s.done, false, 'no [DONE] after an error');

    const rec = await eventually(async () => (await fakeRequestsWith(ctx.fake, marker)).find((r) => r.aborted),
      { timeout: 3_000, what: 'the gateway closed the silent upstream request' });
    assert.equal(rec.completed, false);
    const u = await eventually(async () => {
      const x = await userShow(tp, email);
      return START - x.balance_micros <= hold && x;
    }, { timeout: 3_000, what: 'spend ≤ hold (settled)' });
    console.log(`idle timeout: billed ${START - u.balance_micros} µUSD`);
    assert.ok(hold > 0);
    await assertLedger(tp, email);
  });
});

test('keep-alive: sequential requests, stream and not, share one connection', async () => {
  const { key } = await ctx.tp.account();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  // One request through the agent: { status, text, socket, reused }.
  const send = (body) => new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = http.request(`${ctx.tp.gatewayUrl}${CHAT}`, {
      method: 'POST', agent, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c) => { text += c; }).on('error', reject)
        .on('end', () => resolve({ status: res.statusCode, text, socket: req.socket, reused: req.reusedSocket }));
    });
    req.on('error', reject).end(payload);
  });
  try {
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await send(userMessage(`keep-alive ${i}`, i % 2 ? { stream: true } : {})));
    const ports = results.map((r) => r.socket.localPort);
    console.log(`keep-alive: statuses ${results.map((r) => r.status)}, client ports ${ports}`);
    for (const [i, r] of results.entries()) {
      assert.equal(r.status, 200, `request ${i}: ${r.text.slice(0, 300)}`);
      if (i % 2 === 1) assert.ok(r.text.trimEnd().endsWith('data: [DONE]'), `stream ${i} complete`);
      else assert.equal(JSON.parse(r.text).object, 'chat.completion');
      assert.equal(r.socket, results[0].socket, `request ${i} used the first request's socket`);
      assert.equal(r.reused, i > 0, `request ${i}: reusedSocket`);
    }
  } finally {
    agent.destroy();
  }
});

test('pipelining: two requests written at once are answered in order on one connection', async () => {
  const { key } = await ctx.tp.account();
  // The first is slow (the fake waits 300 ms); the second could be answered at once.
  const { responses, raw } = await exchange(
    requestText('POST', CHAT, { key, body: JSON.stringify(userMessage(`[[fake:delay-ms=300]] ${nonce()}`)) })
    + requestText('GET', '/api/v1/key', { key, headers: { Connection: 'close' } }));
  assert.equal(responses.length, 2, `two responses: ${raw.slice(0, 500)}`);
  assert.equal(responses[0].status, 200, responses[0].text);
  assert.equal(responses[0].body.object, 'chat.completion', 'first: the chat completion');
  assert.equal(responses[1].status, 200, responses[1].text);
  assert.ok('limit_remaining' in (responses[1].body.data ?? {}), `second: the key info: ${responses[1].text}`);
});

// [[fake:repeat=40000]]: 8 × 40000 content events, ~100 MB of SSE.
const REPEAT = 40_000;

test('back-pressure: a slow reader holds the upstream back; drained, the stream completes and is billed', async () => {
  const { tp } = ctx;
  const { email, key } = await tp.account();
  const prices = await pricesOf(tp, 'openai/gpt-4o-mini');
  const marker = nonce();
  const expectedUsage = { ...TEXT_STREAM.at(-1).usage };
  expectedUsage.completion_tokens *= REPEAT;
  // max_tokens as large as what the fake will report, so the hold covers the real cost (the
  // gateway never bills more than it held).
  const body = JSON.stringify(userMessage(`[[fake:repeat=${REPEAT}]] ${marker}`, {
    stream: true, stream_options: { include_usage: true }, max_tokens: expectedUsage.completion_tokens,
  }));
  // node:http stops reading the socket while the response is not read (fetch reads further ahead).
  const res = await new Promise((resolve, reject) => {
    http.request(`${tp.gatewayUrl}${CHAT}`, {
      method: 'POST', agent: false, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    }, resolve).on('error', reject).end(body);
  });
  assert.equal(res.statusCode, 200);
  const reader = res[Symbol.asyncIterator]();
  const decoder = new TextDecoder();
  let read = 0;
  let pending = '';
  let events = 0;
  let tail = [];
  const take = (bytes) => {
    read += bytes.length;
    const parts = (pending + decoder.decode(bytes, { stream: true })).split('\n\n');
    pending = parts.pop();
    events += parts.length;
    tail = [...tail, ...parts].slice(-3);
  };

  // ~2 s of small reads: one chunk every 200 ms.
  const t0 = Date.now();
  while (Date.now() - t0 < 2000) {
    const { value, done } = await reader.next();
    assert.ok(!done, 'the stream is still going');
    take(value);
    await sleep(200);
  }
  const [atCheck] = await fakeRequestsWith(ctx.fake, marker);
  const readAtCheck = read;
  console.log(`back-pressure: after ${Date.now() - t0} ms the client had read ${readAtCheck} bytes; `
    + `the fake had sent ${atCheck.sent} bytes, completed=${atCheck.completed}`);
  assert.equal(atCheck.completed, false, 'the upstream is not done while the client lags');

  const t1 = Date.now();
  for (let r; !(r = await reader.next()).done;) take(r.value);
  const rec = await eventually(async () => (await fakeRequestsWith(ctx.fake, marker)).find((r) => r.completed),
    { what: 'the upstream request completed' });
  console.log(`back-pressure: drained ${read} bytes in ${Date.now() - t1} ms; the fake sent ${rec.sent} bytes in all, `
    + `${(rec.sent / atCheck.sent).toFixed(1)}× what it had sent at the check`);
  assert.ok(rec.sent >= 5 * atCheck.sent, 'the stream is ≥ 5× what was in flight at the check (buffers cannot hide it)');
  assert.ok(readAtCheck * 20 < read, 'the client had read only a small part at the check');

  assert.equal(pending, '', 'the body ends at an event boundary');
  assert.equal(tail.at(-1), 'data: [DONE]', 'the stream ends with [DONE]');
  const contentEvents = TEXT_STREAM.findIndex((e) => e.choices[0]?.finish_reason) - 1;
  assert.equal(events, TEXT_STREAM.length + 1 + (REPEAT - 1) * contentEvents, 'every event arrived');
  const usageChunk = JSON.parse(tail.at(-2).slice('data: '.length));
  assert.equal(usageChunk.usage.completion_tokens, expectedUsage.completion_tokens);
  const cost = expectedCostMicros(expectedUsage, prices);
  assert.equal(usdToMicros(usageChunk.usage.cost), cost, 'usage.cost at the catalog prices');
  await untilEqual(async () => (await userShow(tp, email)).balance_micros, START - cost, 'the account paid usage.cost');
  await assertLedger(tp, email);
});
