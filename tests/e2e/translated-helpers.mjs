// Helpers for the end-to-end tests of translated providers (OpenAI client → Turnpike → Anthropic
// Messages / Gemini generateContent fakes). Expected values are derived from the recorded upstream
// fixtures (tests/fixtures/providers/{anthropic,gemini}/), never from the gateway's answers:
// texts and tool calls as the upstream sent them, usage mapped per docs/protocols.md §9, costs per
// docs/architecture.md §4.2 with BigInt. Not a test file.
import assert from 'node:assert/strict';
import fs from 'node:fs';

import { assertUsdEquals, getJson, usdPerTokenToMicrosPerMillion } from './helpers.mjs';

export const ANTHROPIC_MODEL = 'anthropic/claude-sonnet-4.5';
export const GEMINI_MODEL = 'google/gemini-2.5-flash';
// Upstream ids of those models (catalog/default.toml, [[models.endpoints]] upstream_model).
export const ANTHROPIC_UPSTREAM_MODEL = 'claude-sonnet-4-5-20250929';
export const GEMINI_UPSTREAM_MODEL = 'gemini-2.5-flash';

const DIR = new URL('../fixtures/providers/', import.meta.url);

export function providerFixture(provider, name) {
  return fs.readFileSync(new URL(`${provider}/${name}`, DIR), 'utf8');
}

export function providerJson(provider, name) {
  return JSON.parse(providerFixture(provider, name));
}

// A 1×1 PNG as recorded in a real Gemini request (gemini/request-image-inline-data.json) and the
// image of a real Anthropic request (anthropic/messages-request-image-base64.json).
export const GEMINI_PNG_BASE64 = providerJson('gemini', 'request-image-inline-data.json')
  .contents[0].parts.find((p) => p.inlineData).inlineData.data;
export const ANTHROPIC_PNG_BASE64 = providerJson('anthropic', 'messages-request-image-base64.json')
  .messages[0].content.find((b) => b.type === 'image').source.data;

// ---------------------------------------------------------------------------------------------
// Anthropic fixtures → what the client should see.

// [{event, data}] of a recorded Anthropic stream (`event:` + `data:` blocks, `\n\n` apart).
export function anthropicEvents(name) {
  return providerFixture('anthropic', name).split('\n\n').filter(Boolean).map((block) => {
    const lines = block.split('\n');
    const event = lines.find((l) => l.startsWith('event: '))?.slice('event: '.length);
    const data = JSON.parse(lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice('data: '.length)).join('\n'));
    return { event, data };
  });
}

// Text, tool calls ({id, name, input}), stop reason and usage of a recorded Anthropic stream.
// Usage per docs/protocols.md §9: the input side from message_start, then every field message_delta
// repeats wins, output_tokens (cumulative) from the last message_delta.
export function summarizeAnthropicStream(name) {
  let text = '';
  let stopReason = null;
  let usage = {};
  let error = null;
  const tools = [];
  const toolOfBlock = new Map();
  for (const { data } of anthropicEvents(name)) {
    if (data.type === 'message_start') {
      usage = { ...data.message.usage };
    } else if (data.type === 'content_block_start' && data.content_block.type === 'tool_use') {
      toolOfBlock.set(data.index, tools.length);
      tools.push({ id: data.content_block.id, name: data.content_block.name, json: '' });
    } else if (data.type === 'content_block_delta' && data.delta.type === 'text_delta') {
      text += data.delta.text;
    } else if (data.type === 'content_block_delta' && data.delta.type === 'input_json_delta') {
      tools[toolOfBlock.get(data.index)].json += data.delta.partial_json;
    } else if (data.type === 'message_delta') {
      Object.assign(usage, data.usage);
      stopReason = data.delta.stop_reason;
    } else if (data.type === 'error') {
      error = data.error;
    }
  }
  return {
    text,
    // An empty input_json_delta sequence means {} (docs/protocols.md §5.1).
    tools: tools.map(({ id, name: n, json }) => ({ id, name: n, input: json === '' ? {} : JSON.parse(json) })),
    stopReason,
    usage: usageFromAnthropic(usage),
    error,
  };
}

export function summarizeAnthropicMessage(name) {
  const m = providerJson('anthropic', name);
  return {
    text: m.content.filter((b) => b.type === 'text').map((b) => b.text).join(''),
    tools: m.content.filter((b) => b.type === 'tool_use').map((b) => ({ id: b.id, name: b.name, input: b.input })),
    stopReason: m.stop_reason,
    usage: usageFromAnthropic(m.usage),
  };
}

// docs/protocols.md §9: prompt = input + cache writes + cache reads (Anthropic's input_tokens leaves
// the cached ones out); completion = output_tokens.
export function usageFromAnthropic(u) {
  const cacheRead = u.cache_read_input_tokens ?? 0;
  const cacheWrite = u.cache_creation_input_tokens ?? 0;
  const prompt = u.input_tokens + cacheRead + cacheWrite;
  return {
    prompt_tokens: prompt,
    completion_tokens: u.output_tokens,
    total_tokens: prompt + u.output_tokens,
    cached_tokens: cacheRead,
    cache_write_tokens: cacheWrite,
    reasoning_tokens: 0,
  };
}

// ---------------------------------------------------------------------------------------------
// Gemini fixtures → what the client should see.

// The chunks of a recorded Gemini stream (`data: …\r\n\r\n`, EOF-terminated).
export function geminiChunks(name) {
  return providerFixture('gemini', name).split('\r\n\r\n').filter(Boolean)
    .map((e) => JSON.parse(e.slice('data: '.length)));
}

// Text (thought parts left out), function calls ({name, args}) in order, finishReason and usage
// (the LAST usageMetadata, docs/protocols.md §7) of Gemini responses (the chunks of a stream, or one body).
export function summarizeGemini(responses) {
  let text = '';
  let finishReason = null;
  let usageMetadata = null;
  const calls = [];
  for (const r of responses) {
    const cand = r.candidates?.[0];
    for (const p of cand?.content?.parts ?? []) {
      if (typeof p.text === 'string' && !p.thought) text += p.text;
      if (p.functionCall) calls.push({ name: p.functionCall.name, args: p.functionCall.args ?? {} });
    }
    if (cand?.finishReason) finishReason = cand.finishReason;
    if (r.usageMetadata) usageMetadata = r.usageMetadata;
  }
  return { text, calls, finishReason, usage: usageFromGemini(usageMetadata) };
}

// docs/protocols.md §9: prompt = promptTokenCount (cached included); completion = candidates + thoughts;
// total = totalTokenCount.
export function usageFromGemini(m) {
  const thoughts = m.thoughtsTokenCount ?? 0;
  return {
    prompt_tokens: m.promptTokenCount,
    completion_tokens: (m.candidatesTokenCount ?? 0) + thoughts,
    total_tokens: m.totalTokenCount,
    cached_tokens: m.cachedContentTokenCount ?? 0,
    cache_write_tokens: 0,
    reasoning_tokens: thoughts,
  };
}

// ---------------------------------------------------------------------------------------------
// Money.

// Prices of `model` from GET /api/v1/models, in micro-USD per million tokens (BigInt). A missing
// cache price bills those tokens as input (catalog/default.toml "Units").
export async function modelPricesWithCache(gatewayUrl, apiKey, model) {
  const list = await getJson(`${gatewayUrl}/api/v1/models`, apiKey);
  const entry = list.data.find((m) => m.id === model);
  assert.ok(entry, `${model} is not in GET /api/v1/models`);
  const p = entry.pricing;
  const input = usdPerTokenToMicrosPerMillion(p.prompt);
  return {
    input,
    output: usdPerTokenToMicrosPerMillion(p.completion),
    cacheRead: p.input_cache_read != null ? usdPerTokenToMicrosPerMillion(p.input_cache_read) : input,
    cacheWrite: p.input_cache_write != null ? usdPerTokenToMicrosPerMillion(p.input_cache_write) : input,
  };
}

// docs/architecture.md §4.2: ceil((uncached·p_in + cached·p_cache_read + cache_write·p_cache_write + completion·p_out) / 1e6)
// micro-USD, for a usage mapped by usageFromAnthropic / usageFromGemini.
export function upstreamCostMicros(u, prices) {
  const uncached = BigInt(u.prompt_tokens - u.cached_tokens - u.cache_write_tokens);
  assert.ok(uncached >= 0n, `cached + cache writes exceed the prompt: ${JSON.stringify(u)}`);
  const num = uncached * prices.input
    + BigInt(u.cached_tokens) * prices.cacheRead
    + BigInt(u.cache_write_tokens) * prices.cacheWrite
    + BigInt(u.completion_tokens) * prices.output;
  return (num + 999_999n) / 1_000_000n;
}

// The client-visible usage of one call against the mapped upstream usage: the token counts,
// cached and reasoning details, and usage.cost = the independently computed cost.
export function assertTranslatedUsage(actual, expected, prices, what) {
  assert.ok(actual, `${what}: no usage`);
  assert.equal(actual.prompt_tokens, expected.prompt_tokens, `${what}: prompt_tokens`);
  assert.equal(actual.completion_tokens, expected.completion_tokens, `${what}: completion_tokens`);
  assert.equal(actual.total_tokens, expected.total_tokens, `${what}: total_tokens`);
  assert.equal(actual.prompt_tokens_details?.cached_tokens ?? 0, expected.cached_tokens, `${what}: cached_tokens`);
  assert.equal(actual.completion_tokens_details?.reasoning_tokens ?? 0, expected.reasoning_tokens,
    `${what}: reasoning_tokens`);
  assert.ok('cost' in actual, `${what}: usage has no cost`);
  const micros = upstreamCostMicros(expected, prices);
  assertUsdEquals(actual.cost, micros, `${what}: usage.cost`);
  return micros;
}

// What a key and its owner must have been charged: the sum of the calls' costs, exactly.
export async function assertChargedMicros(gatewayUrl, apiKey, micros, what) {
  const key = await getJson(`${gatewayUrl}/api/v1/key`, apiKey);
  assertUsdEquals(key.data.usage, micros, `GET /api/v1/key data.usage (${what})`);
  const credits = await getJson(`${gatewayUrl}/api/v1/credits`, apiKey);
  assertUsdEquals(credits.data.total_usage, micros, `GET /api/v1/credits data.total_usage (${what})`);
}

// ---------------------------------------------------------------------------------------------
// The fake's records.

// The fake's records for `provider` ('anthropic' | 'gemini') whose request body contains `marker`.
export async function upstreamRequests(fake, provider, marker) {
  return (await fake.requests()).filter((r) => r.provider === provider && JSON.stringify(r.body ?? '').includes(marker));
}

export async function oneUpstreamRequest(fake, provider, marker) {
  const recs = await upstreamRequests(fake, provider, marker);
  assert.equal(recs.length, 1, `exactly one ${provider} request carries ${marker}: ${JSON.stringify(recs.map((r) => r.path))}`);
  return recs[0];
}

// The text of an Anthropic tool_result's content (a string or text blocks).
export function toolResultText(block) {
  if (typeof block.content === 'string') return block.content;
  return (block.content ?? []).filter((b) => b.type === 'text').map((b) => b.text).join('');
}

// ---------------------------------------------------------------------------------------------
// The build must route translated providers.

// Throws unless `model` is routable: a gateway answering 503 "adapter is not available in this
// build" is a regression, and the tests fail on it. Uses a throw-away account (the probe reaches
// the fake and costs a little).
export async function assertTranslated(tp, model) {
  const probe = await tp.account({ credits: '1' });
  const res = await fetch(`${tp.gatewayUrl}/api/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${probe.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, max_tokens: 16, messages: [{ role: 'user', content: 'routing probe' }] }),
  });
  const text = await res.text();
  if (res.status !== 503 || !/adapter is not available in this build/.test(text)) return;
  throw new Error(`${model} is not routed by this build (${JSON.parse(text).error.message})`);
}
