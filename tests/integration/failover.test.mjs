// Failover between the providers of one model, before the first byte reaches the client
// (docs/architecture.md §3.7): fakeco/duo is served by fake-cheap (tried first) and fake-pricey, both on the
// one fake (paths /cheap/v1 and /pricey/v1; tests/fixtures/catalog-test.toml). A retryable failure
// at cheap (5xx, 429, no answer in time, connection refused) is answered by pricey and billed at
// pricey's prices; a client error (400) is not retried; when both fail the client gets 502 and
// pays nothing. The hold covers the pricier candidate, since the request may end up there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { useServer } from '../lib/setup.mjs';
import { startTurnpike } from '../lib/harness.mjs';
import {
  TEST_CATALOG, assertError, assertLedger, chatJson, chatStream, contentOf, eventually, expectedCostMicros,
  fakeRequestsWith, fixtureEvents, fixtureJson, getJson, microsToUsd, nonce, perTokenToMicrosPerMillion,
  untilEqual, usdToMicros, userShow,
} from '../lib/gateway.mjs';

const FIRST_BYTE_TIMEOUT_MS = 800;
const ctx = useServer({ env: { TURNPIKE_UPSTREAM_FIRST_BYTE_TIMEOUT_MS: String(FIRST_BYTE_TIMEOUT_MS) } });
const MODEL = 'fakeco/duo';
const START = 10_000_000;
const CHEAP = '/cheap/v1/chat/completions';
const PRICEY = '/pricey/v1/chat/completions';
const TEXT = fixtureJson('chat-nonstream-text-after-tool-results.json');
const TEXT_STREAM = fixtureEvents('chat-stream-text-include-usage.sse');

const duo = (text, extra = {}) => ({ model: MODEL, messages: [{ role: 'user', content: text }], ...extra });

// fakeco/duo's per-provider prices as the gateway publishes them (µUSD per million tokens).
async function duoPrices(tp) {
  const r = await getJson(tp, '/api/v1/models');
  const model = r.body.data.find((m) => m.id === MODEL);
  const prices = {};
  for (const e of model.endpoints) {
    prices[e.provider] = {
      input: perTokenToMicrosPerMillion(e.pricing.prompt), output: perTokenToMicrosPerMillion(e.pricing.completion),
    };
  }
  const { 'fake-cheap': cheap, 'fake-pricey': pricey } = prices;
  assert.ok(cheap && pricey, `both providers are listed: ${JSON.stringify(prices)}`);
  assert.ok(cheap.input < pricey.input && cheap.output < pricey.output, 'fake-cheap is the cheaper one');
  return { cheap, pricey };
}

async function upstreamCalls(marker) {
  return (await fakeRequestsWith(ctx.fake, marker)).sort((a, b) => a.id - b.id);
}

async function assertCharged(email, cost, what) {
  await untilEqual(async () => (await userShow(ctx.tp, email)).balance_micros, START - cost, `${what}: charged ${cost} µUSD`);
  await assertLedger(ctx.tp, email);
}

// cheap was called first, then pricey, one after the other, each with its own model id.
function assertCheapThenPricey(calls, what) {
  assert.deepEqual(calls.map((c) => c.path), [CHEAP, PRICEY], `${what}: cheap, then pricey`);
  assert.deepEqual(calls.map((c) => c.body.model), ['duo-cheap-1', 'duo-pricey-1'], `${what}: upstream model ids`);
  assert.ok(calls[1].startedAt >= calls[0].finishedAt, `${what}: pricey only after cheap had failed`);
}

for (const status of [503, 429, 500]) {
  test(`cheap answers ${status} → served by pricey, billed at pricey's prices`, async () => {
    const { pricey } = await duoPrices(ctx.tp);
    const { email, key } = await ctx.tp.account();
    const marker = nonce();
    const r = await chatJson(ctx.tp, key, duo(`[[fake:fail-path=/cheap:${status}]] ${marker}`));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.choices, TEXT.choices, 'the answer is pricey\'s');
    const cost = expectedCostMicros(TEXT.usage, pricey);
    assert.equal(usdToMicros(r.body.usage.cost), cost, 'usage.cost at pricey\'s prices');
    const calls = await upstreamCalls(marker);
    assertCheapThenPricey(calls, `cheap ${status}`);
    assert.deepEqual(calls.map((c) => c.completed), [true, true]);
    await assertCharged(email, cost, `cheap ${status}`);
  });
}

test('cheap answers 400 → no failover: the client gets 400, pricey is never called, nothing charged', async () => {
  const { email, key } = await ctx.tp.account();
  for (const stream of [false, true]) {
    const marker = nonce();
    const body = duo(`[[fake:fail-path=/cheap:400]] ${marker}`);
    const r = stream ? await chatStream(ctx.tp, key, body) : await chatJson(ctx.tp, key, body);
    assertError(r, 400, `cheap 400, stream=${stream}`);
    assert.deepEqual((await upstreamCalls(marker)).map((c) => c.path), [CHEAP], 'only cheap was called');
  }
  await assertCharged(email, 0, 'cheap 400');
});

test(`cheap sends no response head within ${FIRST_BYTE_TIMEOUT_MS} ms → served by pricey; cheap's request aborted`, async () => {
  const { pricey } = await duoPrices(ctx.tp);
  const { email, key } = await ctx.tp.account();
  const marker = nonce();
  const t0 = Date.now();
  const r = await chatJson(ctx.tp, key, duo(`[[fake:hang-path=/cheap]] ${marker}`));
  const ms = Date.now() - t0;
  console.log(`first-byte failover: answered after ${ms} ms`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.ok(ms >= FIRST_BYTE_TIMEOUT_MS - 50, `cheap was given its ${FIRST_BYTE_TIMEOUT_MS} ms (${ms} ms)`);
  assert.ok(ms < FIRST_BYTE_TIMEOUT_MS + 5_000, `then pricey answered promptly (${ms} ms)`);
  const cost = expectedCostMicros(TEXT.usage, pricey);
  assert.equal(usdToMicros(r.body.usage.cost), cost);
  const calls = await eventually(async () => {
    const c = await upstreamCalls(marker);
    return c.length === 2 && c[0].aborted && c;
  }, { timeout: 3_000, what: 'cheap\'s hung request aborted' });
  assert.deepEqual(calls.map((c) => c.path), [CHEAP, PRICEY]);
  assert.equal(calls[1].completed, true);
  await assertCharged(email, cost, 'first-byte failover');
});

test('stream: cheap answers 503 → the stream comes from pricey, usage.cost at pricey\'s prices', async () => {
  const { pricey } = await duoPrices(ctx.tp);
  const { email, key } = await ctx.tp.account();
  const marker = nonce();
  const body = duo(`[[fake:fail-path=/cheap:503]] ${marker}`, { stream_options: { include_usage: true } });
  const s = await chatStream(ctx.tp, key, body);
  assert.equal(s.status, 200, JSON.stringify(s.body));
  assert.equal(s.failed, null);
  assert.ok(s.done, 'ends with [DONE]');
  assert.ok(!s.events.some((e) => e.error), 'no error event: the failure happened before the first byte');
  assert.equal(contentOf(s.events), contentOf(TEXT_STREAM), 'pricey\'s stream, whole');
  const usage = s.events.at(-1).usage;
  const cost = expectedCostMicros(TEXT_STREAM.at(-1).usage, pricey);
  assert.equal(usdToMicros(usage.cost), cost);
  const calls = await upstreamCalls(marker);
  assertCheapThenPricey(calls, 'stream');
  assert.equal(calls[1].body.stream, true);
  await assertCharged(email, cost, 'stream failover');
});

test('both providers answer 503 → the client gets 502 after trying both, and pays nothing', async () => {
  const { email, key } = await ctx.tp.account();
  for (const stream of [false, true]) {
    const marker = nonce();
    const body = duo(`[[fake:fail-path=/cheap:503]] [[fake:fail-path=/pricey:503]] ${marker}`);
    const r = stream ? await chatStream(ctx.tp, key, body) : await chatJson(ctx.tp, key, body);
    assertError(r, 502, `both 503, stream=${stream}`);
    assertCheapThenPricey(await upstreamCalls(marker), `both 503, stream=${stream}`);
  }
  await assertCharged(email, 0, 'both failed');
});

// A loopback port with nothing listening on it.
async function closedPort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('cheap refuses the connection → served by pricey', async () => {
  const port = await closedPort();
  // A second server whose fake-cheap points at the closed port; fake-pricey is the shared fake.
  const tp = await startTurnpike({
    fake: ctx.fake, catalog: TEST_CATALOG, env: { FAKE_CHEAP_BASE_URL: `http://127.0.0.1:${port}/cheap/v1` },
  });
  try {
    const { pricey } = await duoPrices(tp);
    const { email, key } = await tp.account();
    const marker = nonce();
    const t0 = Date.now();
    const r = await chatJson(tp, key, duo(marker));
    console.log(`connection refused failover: answered after ${Date.now() - t0} ms`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const cost = expectedCostMicros(TEXT.usage, pricey);
    assert.equal(usdToMicros(r.body.usage.cost), cost);
    assert.deepEqual((await upstreamCalls(marker)).map((c) => c.path), [PRICEY]);
    await untilEqual(async () => (await userShow(tp, email)).balance_micros, START - cost, 'charged at pricey\'s prices');
    await assertLedger(tp, email);
  } finally {
    await tp.stop();
  }
});

test('the hold covers the pricier provider: a balance enough only for cheap\'s worst case → 402', async () => {
  const { cheap, pricey } = await duoPrices(ctx.tp);
  const maxTokens = 4000;
  // Worst cases for max_tokens output, with a prompt allowance far above the gateway's estimate
  // for this short message on cheap, and none on pricey: the balance lies between them.
  const cheapWorst = Math.ceil((1000 * cheap.input + maxTokens * cheap.output) / 1e6);
  const priceyOutput = Math.ceil((maxTokens * pricey.output) / 1e6);
  const balance = Math.round((cheapWorst + priceyOutput) / 2);
  console.log(`hold sizing: cheap worst ≤ ${cheapWorst} µUSD, pricey's output alone ${priceyOutput} µUSD, `
    + `balance ${balance} µUSD`);
  assert.ok(cheapWorst < balance && balance < priceyOutput);
  const { email, key } = await ctx.tp.account({ credits: microsToUsd(balance) });

  const marker = nonce();
  const r = await chatJson(ctx.tp, key, duo(marker, { max_tokens: maxTokens }));
  const err = assertError(r, 402, 'balance below pricey\'s worst case');
  console.log(`hold sizing: 402 "${err.message}"`);
  const stated = /\$([0-9.]+)/.exec(err.message);
  assert.ok(stated && usdToMicros(stated[1]) >= priceyOutput, `the message names the hold, at pricey's prices: ${err.message}`);
  assert.equal((await upstreamCalls(marker)).length, 0, 'nothing went upstream');

  // The same account can afford a request whose worst case fits at both providers; cheap serves it.
  const small = nonce();
  const ok = await chatJson(ctx.tp, key, duo(small, { max_tokens: 1000 }));
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.deepEqual((await upstreamCalls(small)).map((c) => c.path), [CHEAP]);
  const cost = expectedCostMicros(TEXT.usage, cheap);
  assert.equal(usdToMicros(ok.body.usage.cost), cost);
  await untilEqual(async () => (await userShow(ctx.tp, email)).balance_micros, balance - cost, 'charged at cheap\'s prices');
});
