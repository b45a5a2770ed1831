// The official `openai` SDK → Turnpike → Anthropic Messages and Gemini generateContent fakes:
// the gateway translates both ways (docs/protocols.md §4–§10). Expected texts, tool calls and usage
// come from the recorded upstream fixtures (translated-helpers.mjs), the prices from
// GET /api/v1/models, and each provider's last test checks that its key was charged exactly the
// sum of its calls. Tests in a describe block run in order and share one account.
//
// A build that does not route anthropic/* or google/* fails these tests (assertTranslated).
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';

import { openaiClient, summarizeChunks, markerMaker, useFakeAndTurnpike } from './helpers.mjs';
import {
  ANTHROPIC_MODEL,
  ANTHROPIC_PNG_BASE64,
  ANTHROPIC_UPSTREAM_MODEL,
  GEMINI_MODEL,
  GEMINI_PNG_BASE64,
  GEMINI_UPSTREAM_MODEL,
  assertChargedMicros,
  assertTranslatedUsage,
  geminiChunks,
  modelPricesWithCache,
  oneUpstreamRequest,
  providerJson,
  summarizeAnthropicMessage,
  summarizeAnthropicStream,
  summarizeGemini,
  toolResultText,
  assertTranslated,
  upstreamCostMicros,
} from './translated-helpers.mjs';

let fake;
let tp;
useFakeAndTurnpike((f, t) => {
  fake = f;
  tp = t;
});
const marker = markerMaker();

// Checks the chunks of a streamed tool-call turn: every chunk is a chat.completion.chunk, each
// call keeps one stable `index` (0, 1, …, in order of appearance), its first delta carries the
// id, type "function" and the name, and no later delta changes them.
function assertToolCallDeltas(chunks, what) {
  const first = new Map();
  for (const c of chunks) {
    assert.equal(c.object, 'chat.completion.chunk', what);
    for (const d of c.choices?.[0]?.delta?.tool_calls ?? []) {
      assert.ok(Number.isInteger(d.index), `${what}: tool_calls[].index is an integer`);
      if (!first.has(d.index)) {
        assert.equal(typeof d.id, 'string', `${what}: call ${d.index}'s first delta carries its id`);
        assert.ok(d.id.length > 0, `${what}: call ${d.index} id is not empty`);
        assert.equal(d.type, 'function', `${what}: call ${d.index}'s first delta carries type "function"`);
        assert.equal(typeof d.function?.name, 'string', `${what}: call ${d.index}'s first delta carries the name`);
        first.set(d.index, d);
      } else {
        if (d.id !== undefined) assert.equal(d.id, first.get(d.index).id, `${what}: call ${d.index} keeps its id`);
        assert.ok(!d.function?.name, `${what}: call ${d.index}'s name is sent once`);
      }
    }
  }
  assert.deepEqual([...first.keys()], [...first.keys()].map((_, i) => i), `${what}: indexes 0, 1, … in order`);
  return first;
}

// The usage chunk of an include_usage stream: last, with "choices": [], and only it has usage.
function usageChunk(chunks, what) {
  const last = chunks.at(-1);
  assert.ok(last, `${what}: no chunks`);
  assert.deepEqual(last.choices, [], `${what}: the usage chunk comes last, with no choices`);
  for (const c of chunks.slice(0, -1)) assert.ok(c.usage == null, `${what}: only the last chunk carries usage`);
  return last.usage;
}

// =============================================================================================

describe('openai SDK → Turnpike → Anthropic Messages', () => {
  let client;
  let key;
  let prices;
  let charged = 0n;
  // Adds a call's cost, computed from the upstream fixture, as soon as the call has returned, so
  // that a failed assertion in one test does not also fail the final money check.
  const bill = (usage) => { charged += upstreamCostMicros(usage, prices); };

  before(async () => {
    await assertTranslated(tp, ANTHROPIC_MODEL);
    const account = await tp.account({ credits: '10' });
    client = openaiClient(`${tp.gatewayUrl}/api/v1`, account.key);
    key = account.key;
    prices = await modelPricesWithCache(tp.gatewayUrl, account.key, ANTHROPIC_MODEL);
  });

  test('prices of the model come from the catalog: cache reads and writes are priced', () => {
    // catalog/default.toml: input 3.00, output 15.00, cache_read 0.30, cache_write 3.75 USD/M.
    assert.deepEqual(prices, { input: 3_000_000n, output: 15_000_000n, cacheRead: 300_000n, cacheWrite: 3_750_000n });
  });

  test('non-stream text: content, finish_reason, usage with cache reads and writes, cost', async (t) => {
    const m = marker('a-text');
    const r = await client.chat.completions.create({
      model: ANTHROPIC_MODEL,
      messages: [
        { role: 'system', content: 'Answer in one sentence.' },
        { role: 'user', content: `What is Python? ${m}` },
      ],
    });
    const want = summarizeAnthropicMessage('messages-nonstream-cache-usage.json');
    bill(want.usage);
    assert.equal(r.object, 'chat.completion');
    assert.equal(r.choices.length, 1);
    assert.equal(r.choices[0].message.role, 'assistant');
    assert.equal(r.choices[0].message.content, want.text);
    assert.equal(r.choices[0].finish_reason, 'stop');
    assertTranslatedUsage(r.usage, want.usage, prices, 'anthropic non-stream');

    // What went upstream: Messages API shape, the catalog's upstream model, the gateway's key.
    const up = await oneUpstreamRequest(fake, 'anthropic', m);
    assert.equal(up.path, '/v1/messages');
    assert.equal(up.authorized, true, 'the gateway sent ANTHROPIC_API_KEY as x-api-key');
    assert.ok(up.headers['anthropic-version'], 'anthropic-version header');
    assert.equal(up.body.model, ANTHROPIC_UPSTREAM_MODEL);
    assert.ok(Number.isInteger(up.body.max_tokens) && up.body.max_tokens > 0, 'max_tokens is always sent');
    assert.ok(up.body.stream !== true);
    const system = typeof up.body.system === 'string' ? up.body.system
      : (up.body.system ?? []).map((b) => b.text).join('');
    assert.match(system, /Answer in one sentence\./, 'system messages become the top-level system');
    assert.ok(up.body.messages.every((x) => x.role === 'user' || x.role === 'assistant'), 'no system role in messages');
  });

  test('streamed text with include_usage: deltas, finish_reason stop, a final usage chunk with cost', async (t) => {
    const m = marker('a-stream');
    const stream = await client.chat.completions.create({
      model: ANTHROPIC_MODEL,
      messages: [{ role: 'user', content: `Two names for a pet pelican ${m}` }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    const want = summarizeAnthropicStream('messages-stream-text.sse');
    bill(want.usage);
    const got = summarizeChunks(chunks);
    assert.equal(got.text, want.text);
    assert.equal(got.finishReason, 'stop');
    assert.equal(chunks[0].choices[0].delta.role, 'assistant', 'the first delta carries the role');
    for (const c of chunks) assert.equal(c.object, 'chat.completion.chunk');
    assertTranslatedUsage(usageChunk(chunks, 'anthropic stream'), want.usage, prices, 'anthropic stream');
    const up = await oneUpstreamRequest(fake, 'anthropic', m);
    assert.equal(up.body.stream, true);
  });

  // OpenRouter's reasoning.exclude: the model thinks (and is paid for it), the answer leaves the
  // thinking out; without it, the thinking arrives as delta.reasoning.
  test('streamed thinking: delta.reasoning, and none with reasoning.exclude', async (t) => {
    const want = summarizeAnthropicStream('messages-stream-thinking.sse');
    for (const exclude of [false, true]) {
      const m = marker(`a-think-${exclude}`);
      const stream = await client.chat.completions.create({
        model: ANTHROPIC_MODEL,
        messages: [{ role: 'user', content: `[[fake:thinking]] Think first ${m}` }],
        stream: true,
        max_tokens: 4096,
        reasoning: { effort: 'low', exclude },
      });
      const chunks = [];
      for await (const c of stream) chunks.push(c);
      bill(want.usage);
      const reasoning = chunks.map((c) => c.choices[0]?.delta?.reasoning ?? '').join('');
      if (exclude) {
        assert.equal(reasoning, '', 'reasoning.exclude keeps the thinking out');
      } else {
        assert.ok(reasoning.length > 0, 'the thinking arrives as delta.reasoning');
      }
      assert.equal(summarizeChunks(chunks).text, want.text);
      assertTranslatedUsage(usageChunk(chunks, 'anthropic thinking'), want.usage, prices, 'anthropic thinking');
    }
  });

  test('streamed parallel tool calls through the .stream() helper: indexes 0 and 1, recorded ids and names', async (t) => {
    const m = marker('a-par');
    const tools = [{
      type: 'function',
      function: { name: 'pelican_name_generator', description: 'Generates a pelican name', parameters: { type: 'object', properties: {} } },
    }];
    const runner = client.chat.completions.stream({
      model: ANTHROPIC_MODEL,
      messages: [{ role: 'user', content: `Two pelican names, use the tool twice [[fake:parallel-tool-calls]] ${m}` }],
      tools,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    runner.on('chunk', (c) => chunks.push(c));
    // finalChatCompletion() insists on role, finish_reason and each call's type and name.
    const final = await runner.finalChatCompletion();
    const want = summarizeAnthropicStream('messages-stream-parallel-tool-use.sse');
    bill(want.usage);
    assert.equal(want.tools.length, 2);

    const firstDeltas = assertToolCallDeltas(chunks, 'anthropic parallel');
    assert.deepEqual([...firstDeltas.values()].map((d) => d.id), want.tools.map((x) => x.id), 'ids from the upstream');
    assert.equal(final.choices[0].finish_reason, 'tool_calls');
    assert.equal(final.choices[0].message.content, want.text, 'the text block before the calls');
    const calls = final.choices[0].message.tool_calls;
    assert.deepEqual(calls.map((c) => [c.id, c.type, c.function.name]), want.tools.map((x) => [x.id, 'function', x.name]));
    for (const [i, c] of calls.entries()) {
      let args;
      assert.doesNotThrow(() => { args = JSON.parse(c.function.arguments); },
        `call ${i} arguments ${JSON.stringify(c.function.arguments)} parse as JSON (an empty input is "{}")`);
      assert.deepEqual(args, want.tools[i].input);
    }
    assertTranslatedUsage(usageChunk(chunks, 'anthropic parallel'), want.usage, prices, 'anthropic parallel');
    const up = await oneUpstreamRequest(fake, 'anthropic', m);
    assert.deepEqual(up.body.tools.map((x) => x.name), ['pelican_name_generator']);
    assert.ok(up.body.tools[0].input_schema, 'tools carry input_schema');
  });

  test('two-turn tool conversation: tool_calls back as tool_use, results as one user message of tool_result blocks', async (t) => {
    const m = marker('a-tools');
    const tools = [{
      type: 'function',
      function: {
        name: 'retrieve_entity_info',
        description: 'Get information about a person',
        parameters: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
      },
    }];
    const messages = [
      { role: 'system', content: 'Use retrieve_entity_info for each person, in parallel.' },
      { role: 'user', content: `Alice, Bob, Charlie and Daisy are a family. Who is the youngest? [[fake:tool-call]] ${m}` },
    ];
    const r1 = await client.chat.completions.create({ model: ANTHROPIC_MODEL, messages, tools });
    const want1 = summarizeAnthropicMessage('messages-nonstream-parallel-tool-use.json');
    bill(want1.usage);
    assert.equal(r1.choices[0].finish_reason, 'tool_calls');
    assert.equal(r1.choices[0].message.content, want1.text);
    const calls = r1.choices[0].message.tool_calls;
    assert.deepEqual(calls.map((c) => [c.id, c.type, c.function.name]), want1.tools.map((x) => [x.id, 'function', x.name]));
    assert.deepEqual(calls.map((c) => JSON.parse(c.function.arguments)), want1.tools.map((x) => x.input));
    assertTranslatedUsage(r1.usage, want1.usage, prices, 'anthropic tool turn 1');

    // Results as the recorded conversation had them (anthropic/messages-request-system-tools-tool-results.json).
    const recorded = providerJson('anthropic', 'messages-request-system-tools-tool-results.json');
    const results = recorded.messages.at(-1).content.map(toolResultText);
    const r2 = await client.chat.completions.create({
      model: ANTHROPIC_MODEL,
      tools,
      messages: [
        ...messages,
        r1.choices[0].message,
        ...calls.map((c, i) => ({ role: 'tool', tool_call_id: c.id, content: results[i] })),
      ],
    });
    const want2 = summarizeAnthropicMessage('messages-nonstream-cache-usage.json');
    bill(want2.usage);
    assert.equal(r2.choices[0].message.content, want2.text);
    assert.equal(r2.choices[0].finish_reason, 'stop');
    assertTranslatedUsage(r2.usage, want2.usage, prices, 'anthropic tool turn 2');

    // Turn 2 upstream: …, assistant [text, tool_use×4], user [tool_result×4].
    const up = (await fake.requests()).filter((r) => r.provider === 'anthropic' && JSON.stringify(r.body ?? '').includes(m)).at(-1);
    const msgs = up.body.messages;
    const last = msgs.at(-1);
    assert.equal(last.role, 'user', 'tool results go up as a user message');
    assert.ok(Array.isArray(last.content));
    const resultBlocks = last.content.filter((b) => b.type === 'tool_result');
    assert.equal(resultBlocks.length, calls.length, 'all results in ONE user message');
    assert.deepEqual(last.content.slice(0, calls.length).map((b) => b.type), calls.map(() => 'tool_result'),
      'the tool_result blocks come first');
    assert.deepEqual(resultBlocks.map((b) => b.tool_use_id), calls.map((c) => c.id), 'tool_use_id is the call id, in order');
    assert.deepEqual(resultBlocks.map(toolResultText), results);
    const assistant = msgs.at(-2);
    assert.equal(assistant.role, 'assistant');
    const uses = assistant.content.filter((b) => b.type === 'tool_use');
    assert.deepEqual(uses.map((b) => [b.id, b.name]), want1.tools.map((x) => [x.id, x.name]));
    assert.deepEqual(uses.map((b) => b.input), want1.tools.map((x) => x.input), 'input is the parsed arguments object');
    assert.ok(!msgs.some((x) => x.role === 'tool' || x.role === 'system'), 'no tool or system roles upstream');
  });

  test('image input: a data URL becomes a base64 image block', async (t) => {
    const m = marker('a-image');
    const r = await client.chat.completions.create({
      model: ANTHROPIC_MODEL,
      messages: [{
        role: 'user',
        content: [
          { type: 'text', text: `Describe image in three words ${m}` },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${ANTHROPIC_PNG_BASE64}` } },
        ],
      }],
    });
    const want = summarizeAnthropicMessage('messages-nonstream-cache-usage.json');
    bill(want.usage);
    assert.equal(r.choices[0].message.content, want.text);
    assertTranslatedUsage(r.usage, want.usage, prices, 'anthropic image');
    const up = await oneUpstreamRequest(fake, 'anthropic', m);
    const content = up.body.messages.at(-1).content;
    const image = content.find((b) => b.type === 'image');
    assert.deepEqual(image?.source, { type: 'base64', media_type: 'image/png', data: ANTHROPIC_PNG_BASE64 });
    assert.ok(content.some((b) => b.type === 'text' && b.text.includes(m)), 'the text part goes along');
  });

  test('the key was charged exactly the sum of the calls', async (t) => {
    assert.ok(charged > 0n);
    await assertChargedMicros(tp.gatewayUrl, key, charged, 'anthropic calls');
  });
});

// =============================================================================================

describe('openai SDK → Turnpike → Gemini generateContent', () => {
  let client;
  let key;
  let prices;
  let charged = 0n;
  // Adds a call's cost, computed from the upstream fixture, as soon as the call has returned, so
  // that a failed assertion in one test does not also fail the final money check.
  const bill = (usage) => { charged += upstreamCostMicros(usage, prices); };
  // The fake's default non-stream body is reassembled from this stream (tests/fakes/fake-provider.mjs).
  const TEXT = summarizeGemini(geminiChunks('stream-generate-content-text.sse'));

  before(async () => {
    await assertTranslated(tp, GEMINI_MODEL);
    const account = await tp.account({ credits: '10' });
    client = openaiClient(`${tp.gatewayUrl}/api/v1`, account.key);
    key = account.key;
    prices = await modelPricesWithCache(tp.gatewayUrl, account.key, GEMINI_MODEL);
  });

  test('prices of the model come from the catalog', () => {
    // catalog/default.toml: input 0.30, output 2.50, cache_read 0.03 USD/M, no cache-write price.
    assert.deepEqual(prices, { input: 300_000n, output: 2_500_000n, cacheRead: 30_000n, cacheWrite: 300_000n });
  });

  test('non-stream text: content, finish_reason, usage, cost; the model goes in the path', async (t) => {
    const m = marker('g-text');
    const r = await client.chat.completions.create({
      model: GEMINI_MODEL,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: `What is the capital of France? ${m}` },
      ],
    });
    bill(TEXT.usage);
    assert.equal(r.object, 'chat.completion');
    assert.equal(r.choices[0].message.role, 'assistant');
    assert.equal(r.choices[0].message.content, TEXT.text);
    assert.equal(r.choices[0].finish_reason, 'stop');
    assertTranslatedUsage(r.usage, TEXT.usage, prices, 'gemini non-stream');

    const up = await oneUpstreamRequest(fake, 'gemini', m);
    assert.match(up.path, new RegExp(`^/v1beta/models/${GEMINI_UPSTREAM_MODEL}:generateContent(\\?|$)`));
    assert.equal(up.authorized, true, 'the gateway sent GOOGLE_API_KEY');
    assert.ok(!('model' in up.body), 'the model is in the path, not the body');
    assert.equal(up.body.contents.at(-1).role, 'user');
    const sys = (up.body.systemInstruction?.parts ?? []).map((p) => p.text).join('');
    assert.match(sys, /Be brief\./, 'system messages become systemInstruction');
    assert.ok(up.body.contents.every((c) => c.role === 'user' || c.role === 'model'));
  });

  test('streamed text with include_usage: deltas, finish_reason stop, a final usage chunk with cost', async (t) => {
    const m = marker('g-stream');
    const stream = await client.chat.completions.create({
      model: GEMINI_MODEL,
      messages: [{ role: 'user', content: `What is the capital of France? ${m}` }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    bill(TEXT.usage);
    const got = summarizeChunks(chunks);
    assert.equal(got.text, TEXT.text);
    assert.equal(got.finishReason, 'stop');
    assert.equal(chunks[0].choices[0].delta.role, 'assistant', 'the first delta carries the role');
    for (const c of chunks) assert.equal(c.object, 'chat.completion.chunk');
    // The last usageMetadata counts (promptTokenCount falls from 15 to 13 in the recording).
    assertTranslatedUsage(usageChunk(chunks, 'gemini stream'), TEXT.usage, prices, 'gemini stream');
    const up = await oneUpstreamRequest(fake, 'gemini', m);
    assert.match(up.path, new RegExp(`^/v1beta/models/${GEMINI_UPSTREAM_MODEL}:streamGenerateContent\\?(.*&)?alt=sse(&|$)`));
  });

  test('streamed parallel function calls: indexes 0, 1, 2, distinct ids, names, arguments, reasoning tokens', async (t) => {
    const m = marker('g-par');
    const tools = [{
      type: 'function',
      function: { name: 'generate_topic', description: 'Generates a topic', parameters: { type: 'object', properties: {} } },
    }];
    const stream = await client.chat.completions.create({
      model: GEMINI_MODEL,
      messages: [{ role: 'user', content: `Three topics [[fake:parallel-tool-calls]] ${m}` }],
      tools,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    const want = summarizeGemini(geminiChunks('stream-generate-content-parallel-function-calls.sse'));
    bill(want.usage);
    assert.equal(want.calls.length, 3);
    const firstDeltas = assertToolCallDeltas(chunks, 'gemini parallel');
    const got = summarizeChunks(chunks);
    assert.equal(got.finishReason, 'tool_calls', 'Gemini says STOP, but a functionCall was seen');
    assert.equal(got.toolCalls.length, 3);
    const ids = [...firstDeltas.values()].map((d) => d.id);
    assert.equal(new Set(ids).size, 3, `Gemini 2.x sends no ids: the gateway mints distinct ones (${ids})`);
    assert.deepEqual(got.toolCalls.map((c) => c.name), want.calls.map((c) => c.name));
    assert.deepEqual(got.toolCalls.map((c) => JSON.parse(c.arguments)), want.calls.map((c) => c.args));
    assertTranslatedUsage(usageChunk(chunks, 'gemini parallel'), want.usage, prices, 'gemini parallel');
    const up = await oneUpstreamRequest(fake, 'gemini', m);
    const decls = up.body.tools.flatMap((x) => x.functionDeclarations ?? []);
    assert.deepEqual(decls.map((d) => d.name), ['generate_topic']);
  });

  test('two-turn tool conversation: functionCall parts back, results as functionResponse parts named after the function', async (t) => {
    const m = marker('g-tools');
    const tools = [{
      type: 'function',
      function: { name: 'generate_topic', description: 'Generates a topic', parameters: { type: 'object', properties: {} } },
    }];
    const messages = [{ role: 'user', content: `Give me three topics [[fake:tool-call]] ${m}` }];
    const r1 = await client.chat.completions.create({ model: GEMINI_MODEL, messages, tools });
    const want1 = summarizeGemini([providerJson('gemini', 'generate-content-parallel-function-calls.json')]);
    bill(want1.usage);
    assert.equal(r1.choices[0].finish_reason, 'tool_calls');
    assert.ok(r1.choices[0].message.content == null || r1.choices[0].message.content === '', 'no text parts, no content');
    const calls = r1.choices[0].message.tool_calls;
    assert.deepEqual(calls.map((c) => [c.type, c.function.name]), want1.calls.map((c) => ['function', c.name]));
    assert.deepEqual(calls.map((c) => JSON.parse(c.function.arguments)), want1.calls.map((c) => c.args));
    assert.equal(new Set(calls.map((c) => c.id)).size, calls.length, 'distinct ids');
    assertTranslatedUsage(r1.usage, want1.usage, prices, 'gemini tool turn 1');

    const results = ['pelicans', 'lighthouses', 'tide pools'];
    const r2 = await client.chat.completions.create({
      model: GEMINI_MODEL,
      tools,
      messages: [
        ...messages,
        r1.choices[0].message,
        ...calls.map((c, i) => ({ role: 'tool', tool_call_id: c.id, content: results[i] })),
      ],
    });
    bill(TEXT.usage);
    assert.equal(r2.choices[0].message.content, TEXT.text);
    assert.equal(r2.choices[0].finish_reason, 'stop');
    assertTranslatedUsage(r2.usage, TEXT.usage, prices, 'gemini tool turn 2');

    const up = (await fake.requests()).filter((r) => r.provider === 'gemini' && JSON.stringify(r.body ?? '').includes(m)).at(-1);
    const contents = up.body.contents;
    const last = contents.at(-1);
    assert.equal(last.role, 'user', 'function responses go up in a user content');
    const responses = last.parts.filter((p) => p.functionResponse).map((p) => p.functionResponse);
    assert.equal(responses.length, calls.length, 'all results in ONE content');
    assert.deepEqual(responses.map((r) => r.name), calls.map((c) => c.function.name), 'named after the called function');
    for (const [i, r] of responses.entries()) {
      assert.ok(r.response && typeof r.response === 'object' && !Array.isArray(r.response), 'response is an object');
      assert.ok(JSON.stringify(r.response).includes(results[i]), `result ${i} in order: ${JSON.stringify(r.response)}`);
    }
    const model = contents.at(-2);
    assert.equal(model.role, 'model');
    const fcs = model.parts.filter((p) => p.functionCall).map((p) => p.functionCall);
    assert.deepEqual(fcs.map((f) => [f.name, f.args ?? {}]), want1.calls.map((c) => [c.name, c.args]),
      'the calls go back as functionCall parts with parsed args');
  });

  test('image input: a data URL becomes inlineData', async (t) => {
    const m = marker('g-image');
    const r = await client.chat.completions.create({
      model: GEMINI_MODEL,
      messages: [{
        role: 'user',
        content: [
          { type: 'text', text: `Make this image larger ${m}` },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${GEMINI_PNG_BASE64}` } },
        ],
      }],
    });
    bill(TEXT.usage);
    assert.equal(r.choices[0].message.content, TEXT.text);
    assertTranslatedUsage(r.usage, TEXT.usage, prices, 'gemini image');
    const up = await oneUpstreamRequest(fake, 'gemini', m);
    const parts = up.body.contents.at(-1).parts;
    const inline = parts.find((p) => p.inlineData);
    assert.deepEqual(inline?.inlineData, { mimeType: 'image/png', data: GEMINI_PNG_BASE64 });
    assert.ok(parts.some((p) => typeof p.text === 'string' && p.text.includes(m)), 'the text part goes along');
  });

  test('the key was charged exactly the sum of the calls', async (t) => {
    assert.ok(charged > 0n);
    await assertChargedMicros(tp.gatewayUrl, key, charged, 'gemini calls');
  });
});
