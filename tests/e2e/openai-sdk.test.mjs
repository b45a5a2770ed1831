// The official `openai` SDK against Turnpike (real binary, loopback, fake OpenAI upstream), with
// only the base URL changed. Tests in this file run in order and share one account; the last one
// checks that the key was charged exactly the sum of the calls' costs.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startFake, startTurnpike } from '../lib/harness.mjs';
import {
  LOOKUP_TOOLS,
  Ledger,
  MODEL,
  MULTIPLY_TOOLS,
  OTHER_MODEL,
  TOOL_DIRECTIVE,
  UPSTREAM_KEY,
  assertCharged,
  assertUsageTokens,
  assertUsdEquals,
  costMicros,
  fixtures,
  modelPrices,
  openaiClient,
  summarizeChunks,
} from './helpers.mjs';

const CREDITS = '10';

describe('openai SDK through Turnpike', () => {
  let fake;
  let tp;
  let account;
  let client;
  let prices;
  const ledger = new Ledger();

  // Checks usage.cost of one call against the catalog price and records the call.
  const charge = (what, usage) => {
    assert.ok(usage, `${what}: no usage`);
    ledger.add(what, usage);
    assert.ok('cost' in usage, `${what}: usage has no cost`);
    assertUsdEquals(usage.cost, costMicros(usage, prices), `${what}: usage.cost`);
  };

  before(async () => {
    fake = await startFake({ args: ['--api-key', UPSTREAM_KEY] });
    tp = await startTurnpike({ fake });
    account = await tp.account({ credits: CREDITS });
    client = openaiClient(`${tp.gatewayUrl}/api/v1`, account.key);
    prices = await modelPrices(tp.gatewayUrl, account.key, MODEL);
  });
  after(async () => {
    await tp?.stop();
    await fake?.stop();
  });

  test('non-stream completion', async () => {
    const r = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'Can the country of Crumpet have dragons? Answer with only YES or NO' }],
    });
    charge('non-stream', r.usage);
    const want = fixtures.text;
    assert.equal(r.object, 'chat.completion');
    assert.equal(typeof r.id, 'string');
    assert.ok(Number.isInteger(r.created), 'created is an integer');
    assert.equal(r.choices.length, 1);
    assert.equal(r.choices[0].message.role, 'assistant');
    assert.equal(r.choices[0].message.content, want.choices[0].message.content);
    assert.equal(r.choices[0].finish_reason, 'stop');
    assertUsageTokens(r.usage, want.usage, 'non-stream');
  });

  test('stream with stream_options.include_usage', async () => {
    const stream = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'What is the capital of Mexico?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    charge('stream', chunks.at(-1)?.usage);
    const want = fixtures.textStream;
    const got = summarizeChunks(chunks);
    assert.equal(got.text, want.text);
    assert.equal(got.finishReason, 'stop');
    for (const c of chunks) {
      assert.equal(c.object, 'chat.completion.chunk');
      assert.equal(typeof c.id, 'string');
      assert.ok(Number.isInteger(c.created), 'created is an integer');
    }
    const last = chunks.at(-1);
    assert.deepEqual(last.choices, [], 'the usage chunk comes last, with no choices');
    assertUsageTokens(last.usage, want.usage, 'stream');
    for (const c of chunks.slice(0, -1)) assert.ok(c.usage == null, 'only the last chunk carries usage');
  });

  test('two-turn tool call (non-stream)', async () => {
    const messages = [{ role: 'user', content: `Can the country of Crumpet have dragons? ${TOOL_DIRECTIVE}` }];
    const r1 = await client.chat.completions.create({ model: MODEL, messages, tools: LOOKUP_TOOLS });
    charge('tool call (non-stream)', r1.usage);
    const want = fixtures.toolCall;
    assert.equal(r1.choices[0].finish_reason, 'tool_calls');
    const calls = r1.choices[0].message.tool_calls;
    assert.equal(calls.length, 1);
    assert.deepEqual(calls[0], want.choices[0].message.tool_calls[0]);
    assertUsageTokens(r1.usage, want.usage, 'tool call');

    const r2 = await client.chat.completions.create({
      model: MODEL,
      tools: LOOKUP_TOOLS,
      messages: [...messages, r1.choices[0].message, { role: 'tool', tool_call_id: calls[0].id, content: '123124' }],
    });
    charge('tool result turn (non-stream)', r2.usage);
    assert.equal(r2.choices[0].message.content, fixtures.text.choices[0].message.content);
    assert.equal(r2.choices[0].finish_reason, 'stop');
    assertUsageTokens(r2.usage, fixtures.text.usage, 'tool result turn');
  });

  test('two-turn tool call, streamed through the .stream() helper', async () => {
    const messages = [{ role: 'user', content: `What is 1231 times 2331? ${TOOL_DIRECTIVE}` }];
    const runner = client.chat.completions.stream({
      model: MODEL,
      messages,
      tools: MULTIPLY_TOOLS,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    runner.on('chunk', (c) => chunks.push(c));
    // finalChatCompletion() insists on role, finish_reason and each call's type and name.
    const final = await runner.finalChatCompletion();
    charge('tool call (stream)', chunks.at(-1)?.usage);
    const want = fixtures.toolCallStream;
    assert.equal(final.choices[0].finish_reason, 'tool_calls');
    const call = final.choices[0].message.tool_calls[0];
    assert.equal(final.choices[0].message.tool_calls.length, 1);
    assert.deepEqual(
      { id: call.id, type: call.type, name: call.function.name, arguments: call.function.arguments },
      want.toolCalls[0],
    );
    assert.deepEqual(JSON.parse(call.function.arguments), { a: 1231, b: 2331 });
    const last = chunks.at(-1);
    assert.deepEqual(last.choices, []);
    assertUsageTokens(last.usage, want.usage, 'streamed tool call');

    const stream2 = await client.chat.completions.create({
      model: MODEL,
      tools: MULTIPLY_TOOLS,
      messages: [...messages, final.choices[0].message, { role: 'tool', tool_call_id: call.id, content: '2869461' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks2 = [];
    for await (const c of stream2) chunks2.push(c);
    charge('tool result turn (stream)', chunks2.at(-1)?.usage);
    const got2 = summarizeChunks(chunks2);
    assert.equal(got2.text, fixtures.textStream.text);
    assert.equal(got2.finishReason, 'stop');
    assertUsageTokens(got2.usage, fixtures.textStream.usage, 'streamed tool result turn');
  });

  test('models list', async () => {
    const models = [];
    for await (const m of client.models.list()) models.push(m);
    const ids = models.map((m) => m.id);
    for (const id of [MODEL, OTHER_MODEL]) {
      const m = models.find((x) => x.id === id);
      assert.ok(m, `${id} missing from ${ids.join(', ')}`);
      assert.match(m.pricing.prompt, /^\d+(\.\d+)?$/, `${id} pricing.prompt is a decimal string`);
      assert.match(m.pricing.completion, /^\d+(\.\d+)?$/, `${id} pricing.completion is a decimal string`);
      assert.equal(typeof m.name, 'string');
      assert.ok(Number.isInteger(m.context_length) && m.context_length > 0, `${id} context_length`);
    }
    assert.equal(new Set(ids).size, ids.length, 'model ids are unique');
  });

  test('the key was charged exactly the sum of the calls', async () => {
    await assertCharged(tp.gatewayUrl, account.key, ledger, prices, { credits: CREDITS });
  });
});
