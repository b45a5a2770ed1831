// The official `@openrouter/sdk` against Turnpike, with only the server URL changed. This SDK
// validates every response and stream chunk with strict zod schemas, so a passing call means the
// shape is right (see sdk-contract.test.mjs for what it requires). Tests in this file run in
// order and share one account; the last one checks the key was charged exactly.
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
  getJson,
  modelPrices,
  openrouterClient,
  usageFromOpenRouter,
} from './helpers.mjs';

const CREDITS = '10';

// @openrouter/sdk stream chunks (camelCase) summed up like helpers.summarizeChunks.
function summarize(chunks) {
  let text = '';
  let finishReason = null;
  let usage = null;
  const toolCalls = [];
  for (const c of chunks) {
    if (c.usage) usage = c.usage;
    for (const choice of c.choices) {
      if (typeof choice.delta.content === 'string') text += choice.delta.content;
      for (const tc of choice.delta.toolCalls ?? []) {
        const slot = (toolCalls[tc.index] ??= { id: undefined, type: undefined, name: '', arguments: '' });
        if (tc.id) slot.id = tc.id;
        if (tc.type) slot.type = tc.type;
        if (tc.function?.name) slot.name += tc.function.name;
        if (tc.function?.arguments) slot.arguments += tc.function.arguments;
      }
      if (choice.finishReason) finishReason = choice.finishReason;
    }
  }
  return { text, toolCalls, finishReason, usage };
}

describe('@openrouter/sdk through Turnpike', () => {
  let fake;
  let tp;
  let account;
  let client;
  let prices;
  const ledger = new Ledger();

  const charge = (what, sdkUsage) => {
    assert.ok(sdkUsage, `${what}: no usage`);
    const usage = usageFromOpenRouter(sdkUsage);
    ledger.add(what, usage);
    assert.ok(usage.cost != null, `${what}: usage has no cost`);
    assertUsdEquals(usage.cost, costMicros(usage, prices), `${what}: usage.cost`);
  };
  const tokens = (u) => ({ prompt_tokens: u.promptTokens, completion_tokens: u.completionTokens, total_tokens: u.totalTokens });

  const collect = async (chatRequest) => {
    const stream = await client.chat.send({ chatRequest: { ...chatRequest, stream: true, streamOptions: { includeUsage: true } } });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    return chunks;
  };

  before(async () => {
    fake = await startFake({ args: ['--api-key', UPSTREAM_KEY] });
    tp = await startTurnpike({ fake });
    account = await tp.account({ credits: CREDITS });
    client = openrouterClient(`${tp.gatewayUrl}/api/v1`, account.key);
    prices = await modelPrices(tp.gatewayUrl, account.key, MODEL);
  });
  after(async () => {
    await tp?.stop();
    await fake?.stop();
  });

  test('non-stream completion', async () => {
    const r = await client.chat.send({
      chatRequest: {
        model: MODEL,
        messages: [{ role: 'user', content: 'Can the country of Crumpet have dragons? Answer with only YES or NO' }],
      },
    });
    charge('non-stream', r.usage);
    const want = fixtures.text;
    assert.equal(r.object, 'chat.completion');
    assert.equal(r.choices[0].message.content, want.choices[0].message.content);
    assert.equal(r.choices[0].finishReason, 'stop');
    assertUsageTokens(tokens(r.usage), want.usage, 'non-stream');
  });

  test('stream with streamOptions.includeUsage', async () => {
    const chunks = await collect({ model: MODEL, messages: [{ role: 'user', content: 'What is the capital of Mexico?' }] });
    charge('stream', chunks.at(-1)?.usage);
    const want = fixtures.textStream;
    const got = summarize(chunks);
    assert.equal(got.text, want.text);
    assert.equal(got.finishReason, 'stop');
    const last = chunks.at(-1);
    assert.deepEqual(last.choices, [], 'the usage chunk comes last, with no choices');
    assertUsageTokens(tokens(last.usage), want.usage, 'stream');
    for (const c of chunks.slice(0, -1)) assert.equal(c.usage, undefined, 'only the last chunk carries usage');
  });

  test('two-turn tool call (non-stream)', async () => {
    const messages = [{ role: 'user', content: `Can the country of Crumpet have dragons? ${TOOL_DIRECTIVE}` }];
    const r1 = await client.chat.send({ chatRequest: { model: MODEL, messages, tools: LOOKUP_TOOLS } });
    charge('tool call (non-stream)', r1.usage);
    const want = fixtures.toolCall;
    assert.equal(r1.choices[0].finishReason, 'tool_calls');
    const calls = r1.choices[0].message.toolCalls;
    assert.equal(calls.length, 1);
    assert.deepEqual(calls[0], want.choices[0].message.tool_calls[0]);
    assertUsageTokens(tokens(r1.usage), want.usage, 'tool call');

    const r2 = await client.chat.send({
      chatRequest: {
        model: MODEL,
        tools: LOOKUP_TOOLS,
        messages: [
          ...messages,
          { role: 'assistant', content: null, toolCalls: calls },
          { role: 'tool', toolCallId: calls[0].id, content: '123124' },
        ],
      },
    });
    charge('tool result turn (non-stream)', r2.usage);
    assert.equal(r2.choices[0].message.content, fixtures.text.choices[0].message.content);
    assert.equal(r2.choices[0].finishReason, 'stop');
  });

  test('two-turn tool call (stream)', async () => {
    const messages = [{ role: 'user', content: `What is 1231 times 2331? ${TOOL_DIRECTIVE}` }];
    const chunks = await collect({ model: MODEL, messages, tools: MULTIPLY_TOOLS });
    charge('tool call (stream)', chunks.at(-1)?.usage);
    const want = fixtures.toolCallStream;
    const got = summarize(chunks);
    assert.equal(got.finishReason, 'tool_calls');
    assert.deepEqual(got.toolCalls, want.toolCalls);
    assertUsageTokens(tokens(got.usage), want.usage, 'streamed tool call');

    const call = got.toolCalls[0];
    const chunks2 = await collect({
      model: MODEL,
      tools: MULTIPLY_TOOLS,
      messages: [
        ...messages,
        { role: 'assistant', content: null, toolCalls: [{ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }] },
        { role: 'tool', toolCallId: call.id, content: '2869461' },
      ],
    });
    charge('tool result turn (stream)', chunks2.at(-1)?.usage);
    const got2 = summarize(chunks2);
    assert.equal(got2.text, fixtures.textStream.text);
  });

  test('models.list (strictly validated)', async () => {
    const page = await client.models.list();
    const models = page.result.data;
    for (const id of [MODEL, OTHER_MODEL]) {
      const m = models.find((x) => x.id === id);
      assert.ok(m, `${id} missing from ${models.map((x) => x.id).join(', ')}`);
      assert.match(m.pricing.prompt, /^\d+(\.\d+)?$/);
      assert.match(m.pricing.completion, /^\d+(\.\d+)?$/);
    }
    assert.equal(page.result.totalCount, models.length);
  });

  test('models.list filters (supported_parameters, providers, q) and providers.list (strictly validated)', async () => {
    const all = (await client.models.list()).result.data;
    const withTools = (await client.models.list({ supportedParameters: 'tools' })).result;
    assert.ok(withTools.data.length > 0 && withTools.data.length <= all.length);
    for (const m of withTools.data) assert.ok(all.some((x) => x.id === m.id), m.id);
    const none = (await client.models.list({ supportedParameters: 'no_such_parameter' })).result;
    assert.equal(none.data.length, 0);
    assert.equal(none.totalCount, 0);
    const byName = (await client.models.list({ q: MODEL.split('/')[1] })).result.data;
    assert.ok(byName.some((m) => m.id === MODEL), 'q finds the model by its name');
    const providers = await client.providers.list();
    assert.ok(providers.data.length > 0);
    for (const p of providers.data) {
      assert.equal(typeof p.name, 'string');
      assert.match(p.slug, /^[a-z0-9-]+$/);
    }
    const served = (await client.models.list({ providers: providers.data[0].slug })).result.data;
    assert.ok(served.length > 0, `${providers.data[0].slug} serves a model`);
  });

  // The answer's id is the generation's; the SDK validates /generation strictly (created_at a
  // string, every member it requires present).
  test('generations.getGeneration for the id a completion carried (strictly validated)', async () => {
    const r = await client.chat.send({ chatRequest: { model: MODEL, messages: [{ role: 'user', content: 'Say hi' }] } });
    charge('generation lookup', r.usage);
    assert.match(r.id, /^gen-\d{10}-[0-9A-Za-z]{20}$/);
    const g = await client.generations.getGeneration({ id: r.id });
    assert.equal(g.data.id, r.id);
    assert.equal(g.data.model, MODEL);
    assert.equal(g.data.totalCost, r.usage.cost);
    assert.equal(g.data.tokensCompletion, r.usage.completionTokens);
    assert.ok(!Number.isNaN(Date.parse(g.data.createdAt)), `created_at ${g.data.createdAt} is a time`);
    assert.equal(typeof g.data.providerName, 'string');
  });

  // Every model's links.details points here; the SDK validates the answer strictly.
  test('endpoints.list for a model (strictly validated); links.details leads there; an unknown model is 404', async () => {
    const [author, slug] = MODEL.split('/');
    const r = await client.endpoints.list({ author, slug });
    assert.equal(r.data.id, MODEL);
    assert.ok(r.data.endpoints.length > 0);
    for (const e of r.data.endpoints) {
      assert.equal(e.modelId, MODEL);
      assert.match(e.pricing.prompt, /^\d+(\.\d+)?$/);
      assert.equal(typeof e.providerName, 'string');
    }
    const page = await client.models.list();
    const details = page.result.data.find((x) => x.id === MODEL).links.details;
    const wire = await getJson(`${tp.gatewayUrl}${details}`, account.key);
    assert.equal(wire.data.id, MODEL, 'links.details leads to the endpoints route');
    await assert.rejects(client.endpoints.list({ author: 'nobody', slug: 'nothing' }), (e) => e.statusCode === 404);
  });

  test('apiKeys.getCurrentKeyMetadata and credits.getCredits (strictly validated)', async () => {
    const key = await client.apiKeys.getCurrentKeyMetadata();
    const wire = await getJson(`${tp.gatewayUrl}/api/v1/key`, account.key);
    assert.equal(key.data.usage, wire.data.usage);
    assert.equal(key.data.label, wire.data.label);
    assert.equal(key.data.limit, null, 'a key created without a limit has limit null');
    const credits = await client.credits.getCredits();
    assert.equal(credits.data.totalCredits, Number(CREDITS));
  });

  test('the key was charged exactly the sum of the calls', async () => {
    await assertCharged(tp.gatewayUrl, account.key, ledger, prices, { credits: CREDITS });
  });
});
