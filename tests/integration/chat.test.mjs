// Chat completions through the gateway to the fake OpenAI provider: bodies and streams as the
// upstream sent them, usage.cost, what the upstream received, routing to the cheapest provider,
// and exactly what each call costs the account.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from '../lib/setup.mjs';
import {
  assertIncludes, assertRequestId, chatJson, chatStream, contentOf, eventually, expectedCostMicros,
  fakeRequestsWith, fixtureEvents, fixtureJson, getJson, nonce, pricesOf, toolCallDeltas, userMessage,
  userShow, usdToMicros,
} from '../lib/gateway.mjs';

const ctx = useServer();
const MODEL = 'openai/gpt-4o-mini';
const TEXT = fixtureJson('chat-nonstream-text-after-tool-results.json');
const TEXT_STREAM = fixtureEvents('chat-stream-text-include-usage.sse');
// fakeco/duo's endpoints in tests/fixtures/catalog-test.toml, in µUSD per million tokens.
const DUO_CHEAP = { input: 500_000, output: 1_500_000, cacheRead: 250_000 };
const SOLO_PRICEY = { input: 3_000_000, output: 12_000_000 };

async function upstreamRequest(marker) {
  const recs = await fakeRequestsWith(ctx.fake, marker);
  assert.equal(recs.length, 1, `the fake saw exactly one request marked ${marker}`);
  return recs[0];
}

// Waits for holds to settle, then checks that the account paid exactly `cost` µUSD.
async function assertCharged(email, startMicros, cost) {
  const u = await eventually(async () => {
    const s = await userShow(ctx.tp, email);
    return s.balance_micros === startMicros - cost && s;
  }, { what: `balance == ${startMicros} - ${cost}` }).catch(async (err) => {
    assert.fail(`${err.message}; user: ${JSON.stringify(await userShow(ctx.tp, email))}`);
  });
  assert.equal(u.balance_micros, u.ledger_sum_micros, 'balance equals the ledger sum');
}

test('non-stream: upstream body plus usage.cost, provider model id and key, exact charge', async () => {
  const { tp } = ctx;
  const { email, key } = await tp.account({ credits: '10' });
  const prices = await pricesOf(tp, MODEL);
  const marker = nonce();
  const r = await chatJson(tp, key, userMessage(`hello ${marker}`));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assertRequestId(r.headers);
  assert.match(r.headers.get('content-type'), /^application\/json/);

  const { cost } = r.body.usage;
  assert.equal(typeof cost, 'number', 'usage.cost is a JSON number (USD)');
  assertIncludes(r.body.usage, TEXT.usage, 'usage as the upstream reported it');
  assert.deepEqual(r.body.choices, TEXT.choices, 'choices as the upstream sent them');
  assert.equal(r.body.object, 'chat.completion');
  assert.equal(typeof r.body.id, 'string');
  assert.equal(typeof r.body.model, 'string');
  const expected = expectedCostMicros(TEXT.usage, prices);
  assert.equal(usdToMicros(cost), expected, `cost = ceil(146*in + 3*out) at ${JSON.stringify(prices)}`);

  const up = await upstreamRequest(marker);
  assert.equal(up.path, '/v1/chat/completions');
  assert.equal(up.authorized, true, 'the upstream got Authorization: Bearer test-upstream-key');
  assert.equal(up.body.model, 'gpt-4o-mini', 'the provider model id, not openai/gpt-4o-mini');
  assert.ok(!('stream_options' in up.body), 'no stream_options on a non-stream request');
  assert.notEqual(up.body.stream, true);
  assert.deepEqual(up.body.messages, [{ role: 'user', content: `hello ${marker}` }]);
  await assertCharged(email, 10_000_000, expected);
});

test('the /v1/chat/completions alias answers the same', async () => {
  const { key } = await ctx.tp.account();
  const r = await chatJson(ctx.tp, key, userMessage('alias'), { path: '/v1/chat/completions' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.choices, TEXT.choices);
});

test('stream with include_usage: deltas, a usage chunk with cost, [DONE] last', async () => {
  const { tp } = ctx;
  const { email, key } = await tp.account();
  const prices = await pricesOf(tp, MODEL);
  const marker = nonce();
  const s = await chatStream(tp, key, userMessage(marker, { stream_options: { include_usage: true } }));
  assert.equal(s.status, 200, JSON.stringify(s.body));
  assertRequestId(s.headers);
  assert.match(s.headers.get('content-type'), /^text\/event-stream/);
  assert.equal(s.failed, null, 'the stream ended cleanly');
  assert.equal(s.done, true, '[DONE] is the last event');
  assert.equal(contentOf(s.events), contentOf(TEXT_STREAM));
  const finish = s.events.filter((e) => e.choices?.[0]?.finish_reason);
  assert.deepEqual(finish.map((e) => e.choices[0].finish_reason), ['stop']);

  const usageChunks = s.events.filter((e) => e.usage);
  assert.equal(usageChunks.length, 1, 'exactly one usage chunk');
  assert.equal(s.events.at(-1), usageChunks[0], 'the usage chunk is the last before [DONE]');
  assert.deepEqual(usageChunks[0].choices, []);
  const { cost, ...usage } = usageChunks[0].usage;
  assertIncludes(usage, TEXT_STREAM.at(-1).usage, 'usage');
  assert.equal(typeof cost, 'number');
  const expected = expectedCostMicros(usage, prices);
  assert.equal(usdToMicros(cost), expected);

  const up = await upstreamRequest(marker);
  assert.equal(up.body.stream, true);
  assert.equal(up.body.stream_options?.include_usage, true);
  assert.equal(up.body.model, 'gpt-4o-mini');
  await assertCharged(email, 10_000_000, expected);
});

// OpenRouter sends the usage chunk, with its cost, in every stream: its `usage` and
// stream_options.include_usage switches are deprecated, and clients (the AI SDK's OpenRouter
// provider) read it without asking. Every chunk carries OpenRouter's id (the one
// /api/v1/generation takes), the catalog's model and the provider's name, not the provider's own.
test('stream without include_usage: the usage chunk with its cost all the same; OpenRouter\'s id, model and provider in every chunk', async () => {
  const { tp } = ctx;
  const { email, key } = await tp.account();
  const prices = await pricesOf(tp, MODEL);
  const marker = nonce();
  const s = await chatStream(tp, key, userMessage(marker));
  assert.equal(s.status, 200, JSON.stringify(s.body));
  assert.equal(s.done, true);
  assert.equal(contentOf(s.events), contentOf(TEXT_STREAM));
  const expected = expectedCostMicros(TEXT_STREAM.at(-1).usage, prices);
  const withUsage = s.events.filter((e) => e.usage);
  assert.equal(withUsage.length, 1, 'one chunk carries usage');
  assert.equal(Math.round(withUsage[0].usage.cost * 1e6), expected);
  const ids = new Set(s.events.map((e) => e.id));
  assert.equal(ids.size, 1, 'one id in every chunk');
  const [id] = ids;
  assert.match(id, /^gen-\d{10}-[0-9A-Za-z]{20}$/);
  assert.ok(s.events.every((e) => e.model === MODEL && e.provider === 'OpenAI'),
    `model ${MODEL} and the provider's name in every chunk: ${JSON.stringify(s.events[0])}`);

  const up = await upstreamRequest(marker);
  assert.equal(up.body.stream_options?.include_usage, true, 'the gateway always asks the upstream for usage');
  await assertCharged(email, 10_000_000, expected);
  const generation = await getJson(tp, `/api/v1/generation?id=${id}`, key);
  assert.equal(generation.status, 200, 'the chunks\' id is the generation\'s');
});

test('tool calls, non-stream: tool_calls relayed exactly (single and parallel)', async () => {
  const { key } = await ctx.tp.account();
  for (const [knob, file] of [['[[fake:tool-call]]', 'chat-nonstream-tool-call.json'],
    ['[[fake:parallel-tool-calls]]', 'chat-nonstream-parallel-tool-calls.json']]) {
    const want = fixtureJson(file);
    const tools = [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }];
    const r = await chatJson(ctx.tp, key, userMessage(knob, { tools }));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.choices, want.choices, file);
    assert.equal(r.body.choices[0].finish_reason, 'tool_calls');
  }
});

test('tool calls, stream: every tool_calls delta relayed exactly (single and parallel)', async () => {
  const { key } = await ctx.tp.account();
  for (const [knob, file] of [['[[fake:tool-call]]', 'chat-stream-tool-call.sse'],
    ['[[fake:parallel-tool-calls]]', 'chat-stream-parallel-tool-calls.sse']]) {
    const want = fixtureEvents(file);
    const s = await chatStream(ctx.tp, key, userMessage(knob, { stream_options: { include_usage: true } }));
    assert.equal(s.status, 200, JSON.stringify(s.body));
    assert.equal(s.done, true);
    assert.deepEqual(toolCallDeltas(s.events), toolCallDeltas(want), file);
    assert.deepEqual(s.events.map((e) => e.choices?.[0]?.finish_reason).filter(Boolean), ['tool_calls']);
    assertIncludes(s.events.at(-1).usage, want.at(-1).usage, `${file} usage`);
    assert.equal(typeof s.events.at(-1).usage.cost, 'number');
  }
});

test('fakeco/duo goes to the cheapest provider and is billed at its prices', async () => {
  const { email, key } = await ctx.tp.account();
  const marker = nonce();
  const r = await chatJson(ctx.tp, key, { ...userMessage(marker), model: 'fakeco/duo' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const up = await upstreamRequest(marker);
  assert.equal(up.path, '/cheap/v1/chat/completions', 'fake-cheap was chosen');
  assert.equal(up.body.model, 'duo-cheap-1');
  assert.equal(up.authorized, true);
  const expected = expectedCostMicros(TEXT.usage, DUO_CHEAP);
  assert.equal(usdToMicros(r.body.usage.cost), expected);
  await assertCharged(email, 10_000_000, expected);
});

test('fakeco/solo goes to its only provider', async () => {
  const { key } = await ctx.tp.account();
  const marker = nonce();
  const s = await chatStream(ctx.tp, key, { ...userMessage(marker), model: 'fakeco/solo', stream_options: { include_usage: true } });
  assert.equal(s.status, 200, JSON.stringify(s.body));
  const up = await upstreamRequest(marker);
  assert.equal(up.path, '/pricey/v1/chat/completions');
  assert.equal(up.body.model, 'solo-pricey-1');
  const { cost, ...usage } = s.events.at(-1).usage;
  assert.equal(usdToMicros(cost), expectedCostMicros(usage, SOLO_PRICEY));
});

test('a tool-result turn is forwarded whole and answered with text', async () => {
  const { key } = await ctx.tp.account();
  const req = fixtureJson('chat-nonstream-text-after-tool-results.request.json');
  const r = await chatJson(ctx.tp, key, { ...req, model: MODEL });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.choices[0].message.content, 'YES');
  const recs = await ctx.fake.requests();
  const up = recs.findLast((x) => x.body?.messages?.at(-1)?.role === 'tool');
  // An assistant turn with only tool_calls may be re-encoded with "content": null; same meaning.
  const norm = (msgs) => msgs.map(({ content, ...m }) => (content === null || content === undefined ? m : { ...m, content }));
  assert.deepEqual(norm(up.body.messages), norm(req.messages), 'assistant tool_calls and tool messages unchanged');
  assert.deepEqual(up.body.tools, req.tools);
});
