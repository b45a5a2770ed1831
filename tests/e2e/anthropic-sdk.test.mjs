// The official @anthropic-ai/sdk → Turnpike's POST /api/v1/messages → an Anthropic-served, an
// OpenAI-served and a Gemini-served model (the fakes replay recorded provider bytes). A model
// Anthropic serves gets the client's request nearly as sent and its answer comes back as Anthropic
// sent it; the others are translated both ways. Expected texts, tool calls and usage come from the
// recorded fixtures, prices from GET /api/v1/models; each provider's block ends by checking that the
// key was charged exactly the sum of its calls, and every call is in the request log.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import Anthropic from '@anthropic-ai/sdk';

import { LOOKUP_TOOLS, fixtures, getJson, markerMaker, useFakeAndTurnpike } from './helpers.mjs';
import {
  ANTHROPIC_MODEL,
  ANTHROPIC_PNG_BASE64,
  ANTHROPIC_UPSTREAM_MODEL,
  GEMINI_MODEL,
  assertChargedMicros,
  geminiChunks,
  modelPricesWithCache,
  oneUpstreamRequest,
  providerJson,
  summarizeAnthropicMessage,
  summarizeAnthropicStream,
  summarizeGemini,
  upstreamCostMicros,
} from './translated-helpers.mjs';

const OPENAI_MODEL = 'openai/gpt-4o-mini';

let fake;
let tp;
useFakeAndTurnpike((f, t) => {
  fake = f;
  tp = t;
});
const marker = markerMaker();

function client(key) {
  return new Anthropic({ apiKey: key, baseURL: `${tp.gatewayUrl}/api`, maxRetries: 0 });
}

// Anthropic tools for the recorded OpenAI tool call (lookup_population).
const LOOKUP_ANTHROPIC_TOOLS = LOOKUP_TOOLS.map((t) => ({
  name: t.function.name,
  description: t.function.description,
  input_schema: t.function.parameters,
}));
const ENTITY_TOOL = {
  name: 'retrieve_entity_info',
  description: 'Look up a family member',
  input_schema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
};

// OpenAI usage → the mapped usage upstreamCostMicros takes.
function usageFromOpenAi(u) {
  const cached = u.prompt_tokens_details?.cached_tokens ?? 0;
  return {
    prompt_tokens: u.prompt_tokens,
    completion_tokens: u.completion_tokens,
    total_tokens: u.prompt_tokens + u.completion_tokens,
    cached_tokens: cached,
    cache_write_tokens: 0,
    reasoning_tokens: u.completion_tokens_details?.reasoning_tokens ?? 0,
  };
}

// The Anthropic usage a client must see for a mapped usage: input_tokens without cache reads and writes.
function assertAnthropicUsage(actual, expected, what) {
  assert.equal(actual.input_tokens, expected.prompt_tokens - expected.cached_tokens - expected.cache_write_tokens,
    `${what}: input_tokens`);
  assert.equal(actual.output_tokens, expected.completion_tokens, `${what}: output_tokens`);
  assert.equal(actual.cache_read_input_tokens ?? 0, expected.cached_tokens, `${what}: cache_read_input_tokens`);
  assert.equal(actual.cache_creation_input_tokens ?? 0, expected.cache_write_tokens,
    `${what}: cache_creation_input_tokens`);
}

// The generation of a call (its x-request-id): billed `micros`, logged under `model`, with its API.
async function assertLogged(key, requestId, model, micros, what) {
  assert.match(requestId ?? '', /^gen-/, `${what}: x-request-id is the generation id`);
  const g = await getJson(`${tp.gatewayUrl}/api/v1/generation?id=${requestId}`, key);
  assert.equal(g.data.model, model, `${what}: generation model`);
  assert.equal(g.data.status, 200, `${what}: generation status`);
  assert.equal(Math.round(g.data.total_cost * 1e6), Number(micros), `${what}: generation total_cost`);
}

describe('Anthropic-served model: the request and answer pass through', () => {
  let key;
  let anthropic;
  let prices;
  let charged = 0n;
  before(async () => {
    ({ key } = await tp.account({ credits: '10' }));
    anthropic = client(key);
    prices = await modelPricesWithCache(tp.gatewayUrl, key, ANTHROPIC_MODEL);
  });

  test('messages.create: the recorded message as Anthropic sent it; cache_control and the version reach Anthropic', async () => {
    const m = marker('native');
    const { data, response } = await anthropic.messages.create({
      model: ANTHROPIC_MODEL,
      max_tokens: 1024,
      system: [{ type: 'text', text: 'Answer in one sentence.', cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: `What is Python? ${m}` }],
      top_k: 5,
    }).withResponse();
    const recorded = providerJson('anthropic', 'messages-nonstream-cache-usage.json');
    assert.deepEqual(data, recorded, 'the answer is Anthropic\'s, unchanged');
    const want = summarizeAnthropicMessage('messages-nonstream-cache-usage.json');
    const micros = upstreamCostMicros(want.usage, prices);
    charged += micros;

    const up = await oneUpstreamRequest(fake, 'anthropic', m);
    assert.equal(up.path, '/v1/messages');
    assert.equal(up.authorized, true, 'the provider key, not the client\'s');
    assert.match(up.headers['anthropic-version'] ?? '', /^\d{4}-\d{2}-\d{2}$/, 'the SDK\'s anthropic-version');
    assert.equal(up.body.model, ANTHROPIC_UPSTREAM_MODEL);
    assert.equal(up.body.max_tokens, 1024);
    assert.equal(up.body.top_k, 5, 'Anthropic-only parameters pass through');
    assert.deepEqual(up.body.system,
      [{ type: 'text', text: 'Answer in one sentence.', cache_control: { type: 'ephemeral' } }],
      'cache_control passes through');
    await assertLogged(key, response.headers.get('x-request-id'), ANTHROPIC_MODEL, micros, 'native create');
  });

  test('messages.stream: text deltas and the final message as Anthropic streamed them', async () => {
    const m = marker('native-stream');
    const stream = anthropic.messages.stream({
      model: ANTHROPIC_MODEL, max_tokens: 512, messages: [{ role: 'user', content: `Say hello ${m}` }],
    });
    let text = '';
    stream.on('text', (delta) => { text += delta; });
    const final = await stream.finalMessage();
    const want = summarizeAnthropicStream('messages-stream-text.sse');
    assert.equal(text, want.text);
    assert.equal(final.content[0].text, want.text);
    assert.equal(final.stop_reason, want.stopReason);
    assertAnthropicUsage(final.usage, want.usage, 'native stream');
    charged += upstreamCostMicros(want.usage, prices);
    const up = await oneUpstreamRequest(fake, 'anthropic', m);
    assert.equal(up.body.stream, true);
  });

  test('a tool-use round trip: tool_use blocks out, tool_result blocks back unchanged', async () => {
    const m = marker('native-tool');
    const first = await anthropic.messages.create({
      model: ANTHROPIC_MODEL,
      max_tokens: 1024,
      tools: [ENTITY_TOOL],
      messages: [{ role: 'user', content: `Who is the youngest? [[fake:tool-call]] ${m}` }],
    });
    const recorded = providerJson('anthropic', 'messages-nonstream-parallel-tool-use.json');
    assert.deepEqual(first.content, recorded.content);
    assert.equal(first.stop_reason, 'tool_use');
    charged += upstreamCostMicros(summarizeAnthropicMessage('messages-nonstream-parallel-tool-use.json').usage, prices);

    const results = first.content.filter((b) => b.type === 'tool_use')
      .map((b, i) => ({ type: 'tool_result', tool_use_id: b.id, content: `${b.input.name} is ${30 - i}` }));
    const m2 = marker('native-tool-2');
    const second = await anthropic.messages.create({
      model: ANTHROPIC_MODEL,
      max_tokens: 1024,
      tools: [ENTITY_TOOL],
      messages: [
        { role: 'user', content: `Who is the youngest? ${m2}` },
        { role: 'assistant', content: first.content },
        { role: 'user', content: results },
      ],
    });
    assert.equal(second.stop_reason, 'end_turn');
    charged += upstreamCostMicros(summarizeAnthropicMessage('messages-nonstream-cache-usage.json').usage, prices);
    const up = await oneUpstreamRequest(fake, 'anthropic', m2);
    assert.deepEqual(up.body.messages[2].content, results, 'the tool results as the client sent them');
    assert.deepEqual(up.body.messages[1].content, first.content, 'the tool_use turn as the client sent it');
  });

  test('streamed tool use: the tool_use block and its input', async () => {
    const stream = anthropic.messages.stream({
      model: ANTHROPIC_MODEL, max_tokens: 512, tools: [ENTITY_TOOL],
      messages: [{ role: 'user', content: `Look it up [[fake:tool-call]] ${marker('native-stream-tool')}` }],
    });
    const final = await stream.finalMessage();
    const want = summarizeAnthropicStream('messages-stream-tool-use.sse');
    const tools = final.content.filter((b) => b.type === 'tool_use').map(({ id, name, input }) => ({ id, name, input }));
    assert.deepEqual(tools, want.tools);
    assert.equal(final.stop_reason, 'tool_use');
    charged += upstreamCostMicros(want.usage, prices);
  });

  test('count_tokens: Anthropic\'s count, for free', async () => {
    const m = marker('count');
    const bare = await anthropic.messages.countTokens({
      model: ANTHROPIC_MODEL, messages: [{ role: 'user', content: `How many? ${m}` }],
    });
    assert.deepEqual(bare, providerJson('anthropic', 'count-tokens.json'));
    const up = await oneUpstreamRequest(fake, 'anthropic', m);
    assert.equal(up.path, '/v1/messages/count_tokens');
    assert.equal(up.body.model, ANTHROPIC_UPSTREAM_MODEL);
    const withTools = await anthropic.messages.countTokens({
      model: ANTHROPIC_MODEL, system: 'Be brief.', tools: [ENTITY_TOOL],
      messages: [{ role: 'user', content: 'How many now?' }],
    });
    assert.deepEqual(withTools, providerJson('anthropic', 'count-tokens-system-tools.json'));
  });

  test('the key was charged exactly the sum of the calls', async () => {
    await assertChargedMicros(tp.gatewayUrl, key, charged, 'anthropic-served messages');
  });
});

describe('OpenAI-served model: translated to chat completions and back', () => {
  let key;
  let anthropic;
  let prices;
  let charged = 0n;
  before(async () => {
    ({ key } = await tp.account({ credits: '10' }));
    anthropic = client(key);
    prices = await modelPricesWithCache(tp.gatewayUrl, key, OPENAI_MODEL);
  });

  test('messages.create: an Anthropic message with the provider\'s text and usage', async () => {
    const m = marker('oa');
    const { data, response } = await anthropic.messages.create({
      model: OPENAI_MODEL,
      max_tokens: 300,
      system: 'Be brief.',
      stop_sequences: ['END'],
      temperature: 0.2,
      messages: [{ role: 'user', content: `Hello ${m}` }],
    }).withResponse();
    const recorded = fixtures.text;
    assert.equal(data.type, 'message');
    assert.equal(data.role, 'assistant');
    assert.equal(data.model, OPENAI_MODEL);
    assert.deepEqual(data.content, [{ type: 'text', text: recorded.choices[0].message.content }]);
    assert.equal(data.stop_reason, 'end_turn');
    const usage = usageFromOpenAi(recorded.usage);
    assertAnthropicUsage(data.usage, usage, 'openai create');
    const micros = upstreamCostMicros(usage, prices);
    charged += micros;

    const up = await oneUpstreamRequest(fake, 'openai', m);
    assert.equal(up.path, '/v1/chat/completions');
    assert.equal(up.body.model, 'gpt-4o-mini');
    assert.deepEqual(up.body.messages[0], { role: 'system', content: 'Be brief.' });
    assert.deepEqual(up.body.stop, ['END']);
    assert.equal(up.body.temperature, 0.2);
    assert.equal(up.body.max_completion_tokens ?? up.body.max_tokens, 300);
    await assertLogged(key, response.headers.get('x-request-id'), OPENAI_MODEL, micros, 'openai create');
  });

  test('messages.stream: Anthropic\'s event sequence from OpenAI chunks', async () => {
    const m = marker('oa-stream');
    const stream = anthropic.messages.stream({
      model: OPENAI_MODEL, max_tokens: 300, messages: [{ role: 'user', content: `Stream ${m}` }],
    });
    const events = [];
    let text = '';
    stream.on('streamEvent', (e) => events.push(e.type));
    stream.on('text', (delta) => { text += delta; });
    const final = await stream.finalMessage();
    const want = fixtures.textStream;
    assert.equal(text, want.text);
    assert.equal(final.content[0].text, want.text);
    assert.equal(final.stop_reason, 'end_turn');
    const usage = usageFromOpenAi(want.usage);
    assertAnthropicUsage(final.usage, usage, 'openai stream');
    charged += upstreamCostMicros(usage, prices);
    assert.equal(events[0], 'message_start');
    assert.equal(events.at(-2), 'message_delta');
    assert.equal(events.at(-1), 'message_stop');
    assert.ok(events.includes('content_block_start') && events.includes('content_block_stop'));
  });

  test('a tool-use round trip: tool_calls become tool_use, tool_result becomes a tool message', async () => {
    const m = marker('oa-tool');
    const first = await anthropic.messages.create({
      model: OPENAI_MODEL, max_tokens: 300, tools: LOOKUP_ANTHROPIC_TOOLS,
      messages: [{ role: 'user', content: `Population? [[fake:tool-call]] ${m}` }],
    });
    const call = fixtures.toolCall.choices[0].message.tool_calls[0];
    assert.equal(first.stop_reason, 'tool_use');
    assert.deepEqual(first.content,
      [{ type: 'tool_use', id: call.id, name: call.function.name, input: JSON.parse(call.function.arguments) }]);
    charged += upstreamCostMicros(usageFromOpenAi(fixtures.toolCall.usage), prices);
    const up1 = await oneUpstreamRequest(fake, 'openai', m);
    assert.deepEqual(up1.body.tools.map((t) => t.function.name), LOOKUP_TOOLS.map((t) => t.function.name));

    const m2 = marker('oa-tool-2');
    const second = await anthropic.messages.create({
      model: OPENAI_MODEL, max_tokens: 300, tools: LOOKUP_ANTHROPIC_TOOLS,
      messages: [
        { role: 'user', content: `Population? ${m2}` },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: '1,234' }] },
      ],
    });
    assert.equal(second.content[0].text, fixtures.text.choices[0].message.content);
    charged += upstreamCostMicros(usageFromOpenAi(fixtures.text.usage), prices);
    const up2 = await oneUpstreamRequest(fake, 'openai', m2);
    const msgs = up2.body.messages;
    assert.equal(msgs[1].role, 'assistant');
    assert.equal(msgs[1].tool_calls[0].id, call.id);
    assert.deepEqual(JSON.parse(msgs[1].tool_calls[0].function.arguments), JSON.parse(call.function.arguments));
    assert.equal(msgs[2].role, 'tool');
    assert.equal(msgs[2].tool_call_id, call.id);
  });

  test('an image block becomes an image_url part', async () => {
    const m = marker('oa-image');
    await anthropic.messages.create({
      model: OPENAI_MODEL, max_tokens: 100,
      messages: [{ role: 'user', content: [
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: ANTHROPIC_PNG_BASE64 } },
        { type: 'text', text: `What is this? ${m}` },
      ] }],
    });
    charged += upstreamCostMicros(usageFromOpenAi(fixtures.text.usage), prices);
    const up = await oneUpstreamRequest(fake, 'openai', m);
    const parts = up.body.messages[0].content;
    assert.equal(parts[0].type, 'image_url');
    assert.equal(parts[0].image_url.url, `data:image/png;base64,${ANTHROPIC_PNG_BASE64}`);
  });

  test('count_tokens is Anthropic\'s only: a 400 in Anthropic\'s shape', async () => {
    await assert.rejects(
      anthropic.messages.countTokens({ model: OPENAI_MODEL, messages: [{ role: 'user', content: 'hi' }] }),
      (err) => err instanceof Anthropic.BadRequestError && err.error?.error?.type === 'invalid_request_error'
        && /only for models Anthropic serves/.test(err.error.error.message));
  });

  test('the key was charged exactly the sum of the calls', async () => {
    await assertChargedMicros(tp.gatewayUrl, key, charged, 'openai-served messages');
  });
});

describe('Gemini-served model: translated to generateContent and back', () => {
  let key;
  let anthropic;
  let prices;
  let charged = 0n;
  before(async () => {
    ({ key } = await tp.account({ credits: '10' }));
    anthropic = client(key);
    prices = await modelPricesWithCache(tp.gatewayUrl, key, GEMINI_MODEL);
  });

  test('messages.create and messages.stream: the provider\'s text and usage', async () => {
    const want = summarizeGemini(geminiChunks('stream-generate-content-text.sse'));
    const { data, response } = await anthropic.messages.create({
      model: GEMINI_MODEL, max_tokens: 200, messages: [{ role: 'user', content: `Hi ${marker('g')}` }],
    }).withResponse();
    assert.equal(data.content[0].text, want.text);
    assert.equal(data.stop_reason, 'end_turn');
    assertAnthropicUsage(data.usage, want.usage, 'gemini create');
    const micros = upstreamCostMicros(want.usage, prices);
    charged += micros;
    await assertLogged(key, response.headers.get('x-request-id'), GEMINI_MODEL, micros, 'gemini create');

    let text = '';
    const stream = anthropic.messages.stream({
      model: GEMINI_MODEL, max_tokens: 200, messages: [{ role: 'user', content: `Hi ${marker('g-stream')}` }],
    });
    stream.on('text', (delta) => { text += delta; });
    const final = await stream.finalMessage();
    assert.equal(text, want.text);
    assertAnthropicUsage(final.usage, want.usage, 'gemini stream');
    charged += upstreamCostMicros(want.usage, prices);
  });

  test('a tool-use round trip: functionCall parts become tool_use, results go back as functionResponse', async () => {
    const m = marker('g-tool');
    const first = await anthropic.messages.create({
      model: GEMINI_MODEL, max_tokens: 300, tools: [ENTITY_TOOL],
      messages: [{ role: 'user', content: `Look them up [[fake:tool-call]] ${m}` }],
    });
    const recorded = summarizeGemini([providerJson('gemini', 'generate-content-parallel-function-calls.json')]);
    const uses = first.content.filter((b) => b.type === 'tool_use');
    assert.deepEqual(uses.map((b) => ({ name: b.name, args: b.input })), recorded.calls);
    assert.equal(new Set(uses.map((b) => b.id)).size, uses.length, 'each call has its own id');
    assert.equal(first.stop_reason, 'tool_use');
    charged += upstreamCostMicros(recorded.usage, prices);

    const m2 = marker('g-tool-2');
    const second = await anthropic.messages.create({
      model: GEMINI_MODEL, max_tokens: 300, tools: [ENTITY_TOOL],
      messages: [
        { role: 'user', content: `Look them up ${m2}` },
        { role: 'assistant', content: first.content },
        { role: 'user', content: uses.map((b) => ({ type: 'tool_result', tool_use_id: b.id, content: 'found' })) },
      ],
    });
    assert.equal(second.content[0].type, 'text');
    charged += upstreamCostMicros(summarizeGemini(geminiChunks('stream-generate-content-text.sse')).usage, prices);
    const up = await oneUpstreamRequest(fake, 'gemini', m2);
    const responses = up.body.contents.flatMap((c) => c.parts).filter((p) => p.functionResponse);
    assert.equal(responses.length, uses.length);
    assert.deepEqual(responses.map((p) => p.functionResponse.name), uses.map((b) => b.name));
  });

  test('the key was charged exactly the sum of the calls', async () => {
    await assertChargedMicros(tp.gatewayUrl, key, charged, 'gemini-served messages');
  });
});

// The raw event stream of a POST /api/v1/messages: [{event, data}] and the bytes.
async function rawStream(key, body) {
  const res = await fetch(`${tp.gatewayUrl}/api/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
    body: JSON.stringify({ ...body, stream: true }),
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/event-stream/);
  const text = await res.text();
  const events = text.split('\n\n').filter((b) => b && !b.startsWith(':')).map((block) => {
    const lines = block.split('\n');
    const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
    const data = JSON.parse(lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n'));
    assert.equal(data.type, event, `the event line names the data's type: ${block}`);
    return { event, data };
  });
  return { text, events };
}

describe('streams on the wire', () => {
  let key;
  before(async () => {
    ({ key } = await tp.account({ credits: '10' }));
  });

  test('an Anthropic-served stream is the provider\'s events, byte for byte, and no [DONE]', async () => {
    const { text } = await rawStream(key, {
      model: ANTHROPIC_MODEL, max_tokens: 100, messages: [{ role: 'user', content: `raw ${marker('raw')}` }],
    });
    const recorded = fs.readFileSync(new URL('../fixtures/providers/anthropic/messages-stream-text.sse', import.meta.url),
      'utf8');
    const blocks = (t) => t.split('\n\n').filter((b) => b.trim() && !b.startsWith(':'));
    assert.deepEqual(blocks(text), blocks(recorded));
    assert.ok(!text.includes('[DONE]'));
  });

  test('a translated stream: message_start, ping, one block per part, message_delta with usage, message_stop', async () => {
    const { events, text } = await rawStream(key, {
      model: OPENAI_MODEL, max_tokens: 100, messages: [{ role: 'user', content: `raw ${marker('raw-oa')}` }],
    });
    const types = events.map((e) => e.event);
    assert.deepEqual(types.slice(0, 3), ['message_start', 'ping', 'content_block_start']);
    assert.deepEqual(types.slice(-3), ['content_block_stop', 'message_delta', 'message_stop']);
    assert.ok(types.slice(3, -3).every((t) => t === 'content_block_delta'));
    assert.equal(events[0].data.message.model, OPENAI_MODEL);
    assert.match(events[0].data.message.id, /^gen-/);
    const delta = events.at(-2).data;
    assert.equal(delta.delta.stop_reason, 'end_turn');
    assert.equal(delta.usage.output_tokens, fixtures.textStream.usage.completion_tokens);
    assert.ok(!text.includes('[DONE]'));
  });

  test('Anthropic\'s own error event mid-stream passes through, and the stream ends', async () => {
    const { events } = await rawStream(key, {
      model: ANTHROPIC_MODEL, max_tokens: 100,
      messages: [{ role: 'user', content: `[[fake:stream-error]] ${marker('raw-err')}` }],
    });
    assert.deepEqual(events.at(-1).data, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
  });

  test('a translated stream the provider cuts ends with an error event in Anthropic\'s shape', async () => {
    const { events } = await rawStream(key, {
      model: OPENAI_MODEL, max_tokens: 100,
      messages: [{ role: 'user', content: `[[fake:cut-after=2]] ${marker('raw-cut')}` }],
    });
    const last = events.at(-1).data;
    assert.equal(last.type, 'error');
    assert.equal(last.error.type, 'api_error');
    assert.match(last.error.message, /ended the stream|Provider/);
    assert.ok(!events.some((e) => e.event === 'message_stop'), 'no message_stop after a failure');
  });
});

describe('fallbacks, as for chat', () => {
  test('Anthropic overloaded (529): the next model in `models` answers, in Anthropic\'s shape, billed at its price', async () => {
    const { key } = await tp.account({ credits: '10' });
    const prices = await modelPricesWithCache(tp.gatewayUrl, key, OPENAI_MODEL);
    const m = marker('fallback');
    const { data, response } = await client(key).messages.create({
      model: ANTHROPIC_MODEL,
      models: [OPENAI_MODEL],
      max_tokens: 200,
      messages: [{ role: 'user', content: `[[fake:fail-path=/v1/messages:529]] ${m}` }],
    }).withResponse();
    assert.equal(data.type, 'message');
    assert.equal(data.model, OPENAI_MODEL);
    assert.equal(data.content[0].text, fixtures.text.choices[0].message.content);
    const routing = response.headers.get('x-turnpike-routing');
    assert.match(routing, /anthropic@anthropic\/claude-sonnet-4\.5=failed \(529\)/);
    assert.match(routing, /openai@openai\/gpt-4o-mini=answered/);
    const micros = upstreamCostMicros(usageFromOpenAi(fixtures.text.usage), prices);
    await assertLogged(key, response.headers.get('x-request-id'), OPENAI_MODEL, micros, 'fallback');
    await assertChargedMicros(tp.gatewayUrl, key, micros, 'fallback');
  });
});

describe('bad input: Anthropic\'s error shape, nothing billed', () => {
  let key;
  before(async () => {
    ({ key } = await tp.account({ credits: '1' }));
  });

  async function post(body, headers = {}) {
    const res = await fetch(`${tp.gatewayUrl}/api/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  }
  const ok = { model: ANTHROPIC_MODEL, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };

  for (const [what, body, status, pattern] of [
    ['not JSON', '{"model":', 400, /not valid JSON/],
    ['no max_tokens', { ...ok, max_tokens: undefined }, 400, /max_tokens: Field required/],
    ['max_tokens not an integer', { ...ok, max_tokens: 'ten' }, 400, /max_tokens/],
    ['no model', { ...ok, model: undefined }, 400, /model: Field required/],
    ['no messages', { ...ok, messages: undefined }, 400, /messages: Field required/],
    ['a message with another role', { ...ok, messages: [{ role: 'system', content: 'x' }] }, 400, /role/],
    ['content of a wrong type', { ...ok, messages: [{ role: 'user', content: 5 }] }, 400, /content/],
    ['a block without type', { ...ok, messages: [{ role: 'user', content: [{ text: 'x' }] }] }, 400, /type/],
    ['thinking budget over max_tokens', { ...ok, max_tokens: 2000, thinking: { type: 'enabled', budget_tokens: 4000 } },
      400, /budget_tokens/],
    ['an unknown model', { ...ok, model: 'nope/nothing' }, 400, /not a valid model ID/],
  ]) {
    test(`${what}: ${status}`, async () => {
      const r = await post(body);
      assert.equal(r.status, status, JSON.stringify(r.body));
      assert.equal(r.body.type, 'error');
      assert.equal(r.body.error.type, 'invalid_request_error');
      assert.match(r.body.error.message, pattern);
    });
  }

  test('a Bearer token works as well as x-api-key (the SDK\'s authToken)', async () => {
    const bearer = new Anthropic({ authToken: key, baseURL: `${tp.gatewayUrl}/api`, maxRetries: 0 });
    await assert.rejects(
      bearer.messages.create({ model: 'nope/nothing', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
      (err) => err instanceof Anthropic.BadRequestError && /not a valid model ID/.test(err.error?.error?.message),
      'authenticated (a 400 for the model, not a 401)');
  });

  test('a management key cannot call models: 403 permission_error', async () => {
    const { email } = await tp.account({ credits: '1' });
    const made = await tp.cli(['key', 'create', '--email', email, '--name', `mgr-${marker('m')}`, '--management']);
    assert.equal(made.code, 0, made.stderr);
    const manager = made.stdout.trim().split('\n').pop().trim();
    await assert.rejects(
      client(manager).messages.create({ model: ANTHROPIC_MODEL, max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
      (err) => err instanceof Anthropic.PermissionDeniedError && err.error?.error?.type === 'permission_error');
  });

  test('a wrong key: 401 authentication_error, through the SDK', async () => {
    await assert.rejects(
      client('sk-tp-wrong').messages.create({ model: ANTHROPIC_MODEL, max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
      (err) => err instanceof Anthropic.AuthenticationError && err.error?.error?.type === 'authentication_error');
  });

  test('a body over the size limit: 413 request_too_large in Anthropic\'s shape', async () => {
    const huge = { ...ok, messages: [{ role: 'user', content: 'x'.repeat(12 * 1024 * 1024) }] };
    const r = await post(huge);
    assert.equal(r.status, 413);
    assert.equal(r.body.type, 'error');
    assert.equal(r.body.error.type, 'request_too_large');
  });

  test('an Anthropic server tool cannot go to another provider: the route is refused with a 400', async () => {
    const r = await post({ ...ok, model: OPENAI_MODEL, tools: [{ type: 'web_search_20250305', name: 'web_search' }] });
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.match(r.body.error.message, /only Anthropic serves/);
  });

  test('nothing was billed', async () => {
    await assertChargedMicros(tp.gatewayUrl, key, 0n, 'bad requests');
  });
});
