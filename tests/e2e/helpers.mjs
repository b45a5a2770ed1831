// Shared helpers for the end-to-end tests: recorded fixtures, exact money arithmetic, SDK clients.
// Not a test file (no .test.mjs suffix), so `node --test tests/e2e/` does not run it on its own.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import fs from 'node:fs';

import OpenAI from 'openai';
import { startFake, startTurnpike } from '../lib/harness.mjs';
import { OpenRouter } from '@openrouter/sdk';

export const MODEL = 'openai/gpt-4o-mini';
export const OTHER_MODEL = 'anthropic/claude-3.5-sonnet';
export const UPSTREAM_KEY = 'test-upstream-key';
export const TOOL_DIRECTIVE = '[[fake:tool-call]]';

const FIXTURES = new URL('../fixtures/providers/openai/', import.meta.url);

export function readFixture(name) {
  return fs.readFileSync(new URL(name, FIXTURES), 'utf8');
}

export function readJsonFixture(name) {
  return JSON.parse(readFixture(name));
}

// The `data:` payloads of a recorded SSE stream, parsed, without the final [DONE].
export function readSseFixture(name) {
  return readFixture(name)
    .split(/\r?\n/)
    .filter((line) => line.startsWith('data: ') && line !== 'data: [DONE]')
    .map((line) => JSON.parse(line.slice('data: '.length)));
}

// What a recorded stream adds up to: text, tool calls (keyed by index), finish reason, usage.
export function summarizeChunks(chunks) {
  let text = '';
  let finishReason = null;
  let usage = null;
  const toolCalls = [];
  for (const chunk of chunks) {
    if (chunk.usage) usage = chunk.usage;
    for (const choice of chunk.choices ?? []) {
      const delta = choice.delta ?? {};
      if (typeof delta.content === 'string') text += delta.content;
      for (const tc of delta.tool_calls ?? []) {
        const slot = (toolCalls[tc.index] ??= { id: undefined, type: undefined, name: '', arguments: '' });
        if (tc.id) slot.id = tc.id;
        if (tc.type) slot.type = tc.type;
        if (tc.function?.name) slot.name += tc.function.name;
        if (tc.function?.arguments) slot.arguments += tc.function.arguments;
      }
      if (choice.finish_reason) finishReason = choice.finish_reason;
    }
  }
  return { text, toolCalls, finishReason, usage };
}

// The fixtures the OpenAI fake replays (see tests/fakes/fake-provider.mjs).
export const fixtures = {
  get text() {
    return readJsonFixture('chat-nonstream-text-after-tool-results.json');
  },
  get toolCall() {
    return readJsonFixture('chat-nonstream-tool-call.json');
  },
  get toolCallRequest() {
    return readJsonFixture('chat-nonstream-tool-call.request.json');
  },
  get textStream() {
    return summarizeChunks(readSseFixture('chat-stream-text-include-usage.sse'));
  },
  get toolCallStream() {
    return summarizeChunks(readSseFixture('chat-stream-tool-call.sse'));
  },
};

// Tools matching the recorded tool calls (lookup_population: non-stream; multiply: stream).
export const LOOKUP_TOOLS = fixtures.toolCallRequest.tools;
export const MULTIPLY_TOOLS = [
  {
    type: 'function',
    function: {
      name: 'multiply',
      description: 'Multiplies two integers',
      parameters: {
        type: 'object',
        properties: { a: { type: 'integer' }, b: { type: 'integer' } },
        required: ['a', 'b'],
      },
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Money, exactly: no floating point.

// "0.00000015" (USD per token, as in OpenRouter's /models pricing) -> 150000n micro-USD per
// million tokens. USD/token x 1e6 micro-USD/USD x 1e6 tokens/M = x 1e12. Plain decimals only.
export function usdPerTokenToMicrosPerMillion(text) {
  assert.equal(typeof text, 'string', `price must be a string, got ${JSON.stringify(text)}`);
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  assert.ok(m, `price ${JSON.stringify(text)} is not a plain non-negative decimal`);
  const [, whole, frac = ''] = m;
  const SCALE = 12;
  assert.ok(
    frac.length <= SCALE || /^0*$/.test(frac.slice(SCALE)),
    `price ${text} has more precision than a micro-USD per million tokens`,
  );
  return BigInt(whole) * 10n ** BigInt(SCALE) + BigInt((frac.slice(0, SCALE) || '0').padEnd(SCALE, '0'));
}

// Prices of one /models entry (snake_case as on the wire) in micro-USD per million tokens.
// A missing cache-read price means cached tokens bill as input (src/common/money.h).
export function pricesOf(modelEntry) {
  const p = modelEntry.pricing;
  const input = usdPerTokenToMicrosPerMillion(p.prompt);
  const output = usdPerTokenToMicrosPerMillion(p.completion);
  const cacheRead = p.input_cache_read != null ? usdPerTokenToMicrosPerMillion(p.input_cache_read) : input;
  return { input, output, cacheRead };
}

const big = (n) => BigInt(n ?? 0);

// Cost of one call in micro-USD (docs/architecture.md §4.2): ceil(sum(tokens x price) / 1e6). `usage` is the
// OpenAI-shaped usage of the response (snake_case). prompt_tokens includes the cached ones and
// completion_tokens includes reasoning (billed at the output price either way).
export function costMicros(usage, prices) {
  const prompt = big(usage.prompt_tokens);
  const completion = big(usage.completion_tokens);
  const cached = big(usage.prompt_tokens_details?.cached_tokens);
  assert.ok(cached <= prompt, 'cached_tokens > prompt_tokens');
  const numerator = (prompt - cached) * prices.input + cached * prices.cacheRead + completion * prices.output;
  return (numerator + 999_999n) / 1_000_000n;
}

// A USD amount as JSON number, checked to be exactly `micros` micro-USD. A gateway that prints
// micro-USD as a decimal yields the same double as micros / 1e6 (both are the correctly rounded
// value of the same rational), so strict equality is the right test.
export function assertUsdEquals(actual, micros, what) {
  assert.equal(typeof actual, 'number', `${what} must be a JSON number, got ${JSON.stringify(actual)}`);
  assert.equal(actual, Number(micros) / 1e6, `${what}: expected ${micros} micro-USD`);
}

// ---------------------------------------------------------------------------------------------
// Clients.

export function openaiClient(baseURL, apiKey, extra = {}) {
  return new OpenAI({ apiKey, baseURL, maxRetries: 0, timeout: 15_000, ...extra });
}

// serverURL is always given: otherwise the SDK falls back to $OPENROUTER_BASE_URL or openrouter.ai.
// Retries off: the SDK's default retries 5XX with backoff for up to an hour.
export function openrouterClient(serverURL, apiKey) {
  return new OpenRouter({ apiKey, serverURL, retryConfig: { strategy: 'none' }, timeoutMs: 15_000 });
}

export async function getJson(url, apiKey) {
  const res = await fetch(url, { headers: { authorization: `Bearer ${apiKey}` } });
  const text = await res.text();
  assert.equal(res.status, 200, `GET ${url} -> ${res.status}: ${text}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json\b/i);
  return JSON.parse(text);
}

// camelCase usage from @openrouter/sdk back to the wire's snake_case (for costMicros).
export function usageFromOpenRouter(u) {
  return {
    prompt_tokens: u.promptTokens,
    completion_tokens: u.completionTokens,
    total_tokens: u.totalTokens,
    prompt_tokens_details: u.promptTokensDetails ? { cached_tokens: u.promptTokensDetails.cachedTokens } : undefined,
    completion_tokens_details: u.completionTokensDetails
      ? { reasoning_tokens: u.completionTokensDetails.reasoningTokens }
      : undefined,
    cost: u.cost,
  };
}

export function assertUsageTokens(actual, expected, what) {
  assert.ok(actual, `${what}: no usage`);
  assert.equal(actual.prompt_tokens, expected.prompt_tokens, `${what}: prompt_tokens`);
  assert.equal(actual.completion_tokens, expected.completion_tokens, `${what}: completion_tokens`);
  assert.equal(actual.total_tokens, expected.total_tokens, `${what}: total_tokens`);
}

// Records each call's usage so that a file's last test can check what the key was charged.
export class Ledger {
  constructor() {
    this.calls = [];
  }
  add(what, usage) {
    this.calls.push({ what, usage });
  }
  totalMicros(prices) {
    return this.calls.reduce((sum, c) => sum + costMicros(c.usage, prices), 0n);
  }
}

// Prices of `model` as GET /api/v1/models reports them (plain fetch, wire format).
export async function modelPrices(gatewayUrl, apiKey, model) {
  const list = await getJson(`${gatewayUrl}/api/v1/models`, apiKey);
  const entry = list.data.find((m) => m.id === model);
  assert.ok(entry, `${model} is not in GET /api/v1/models`);
  return pricesOf(entry);
}

// The usage the key was charged and its owner's credits, checked against the recorded calls.
export async function assertCharged(gatewayUrl, apiKey, ledger, prices, { credits } = {}) {
  assert.ok(ledger.calls.length > 0, 'no calls were recorded');
  const expected = ledger.totalMicros(prices);
  const key = await getJson(`${gatewayUrl}/api/v1/key`, apiKey);
  assertUsdEquals(key.data.usage, expected,
    `GET /api/v1/key data.usage after ${ledger.calls.map((c) => c.what).join(', ')}`);
  const cr = await getJson(`${gatewayUrl}/api/v1/credits`, apiKey);
  assertUsdEquals(cr.data.total_usage, expected, 'GET /api/v1/credits data.total_usage');
  if (credits !== undefined) {
    assert.equal(cr.data.total_credits, Number(credits), 'GET /api/v1/credits data.total_credits');
  }
  return expected;
}

// ---------------------------------------------------------------------------------------------
// A file's servers.

// Starts, before the file's tests, the fake provider (answering UPSTREAM_KEY) and a Turnpike on it,
// hands both to `started(fake, tp)`, and stops them after (printing Turnpike's output first when
// TURNPIKE_TEST_LOG is set).
export function useFakeAndTurnpike(started) {
  let fake;
  let tp;
  before(async () => {
    fake = await startFake({ args: ['--api-key', UPSTREAM_KEY] });
    tp = await startTurnpike({ fake });
    started(fake, tp);
  });
  after(async () => {
    if (process.env.TURNPIKE_TEST_LOG && tp) process.stderr.write(tp.output());
    await tp?.stop();
    await fake?.stop();
  });
}

// A function making markers unique to this process, to find a call's upstream request by.
export function markerMaker() {
  let serial = 0;
  return (what) => `[m-${what}-${process.pid}-${++serial}]`;
}
