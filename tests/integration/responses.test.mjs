// POST /api/v1/responses (issue 14, point 3) with the official `openai` SDK: relayed to OpenAI (the
// fake's /v1/responses on the recorded responses-* fixtures) and translated for Anthropic and
// Gemini (their recorded answers written back as Responses objects and events); function-call
// round trips, previous_response_id, exact billing and the request log; bad requests answered in
// OpenRouter's error shape with nothing billed. Expected values come from the recorded fixtures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import OpenAI from 'openai';
import { useServer } from '../lib/setup.mjs';
import {
  contentOf, eventually, expectedCostMicros, fixtureEvents, fixtureJson, gatewayFetch, getJson, nonce, perTokenToMicrosPerMillion, pricesOf,
  userShow,
} from '../lib/gateway.mjs';

const ctx = useServer();
const OPENAI_MODEL = 'openai/gpt-5-nano';
const CLAUDE = 'anthropic/claude-haiku-4.5';
const GEMINI = 'google/gemini-2.5-flash';
const PROVIDERS = new URL('../fixtures/providers/', import.meta.url);

function client(key) {
  return new OpenAI({ apiKey: key, baseURL: `${ctx.tp.gatewayUrl}/api/v1`, maxRetries: 0 });
}

function fixtureText(path) {
  return fs.readFileSync(new URL(path, PROVIDERS), 'utf8');
}

// The data of each event of a recorded stream (`event:`/`data:` blocks).
function recordedEvents(path) {
  return fixtureText(path).split('\n\n').filter(Boolean)
    .map((block) => JSON.parse(block.split('\n').find((l) => l.startsWith('data: ')).slice('data: '.length)));
}

// The fake's records of requests whose body holds `marker` anywhere.
async function upstreamWith(marker) {
  return (await ctx.fake.requests()).filter((r) => JSON.stringify(r.body ?? '').includes(marker));
}

// Spent from an account that started with `credits` USD, once the charge is settled.
async function spentOnce(email, credits, expected) {
  const start = Number(credits) * 1_000_000;
  return eventually(async () => {
    const u = await userShow(ctx.tp, email);
    const spent = start - u.balance_micros;
    return spent === expected && spent;
  }, { timeout: 8_000, what: `${email} spent ${expected} µUSD` });
}

async function generation(key, id) {
  return eventually(async () => {
    const r = await getJson(ctx.tp, `/api/v1/generation?id=${encodeURIComponent(id)}`, key);
    return r.status === 200 && r.body.data;
  }, { what: `the log row of ${id}` });
}

function micros(usd) {
  return Math.round(usd * 1e6);
}

// Responses usage as OpenAI's chat usage, for expectedCostMicros.
function chatUsage(u) {
  return {
    prompt_tokens: u.input_tokens,
    completion_tokens: u.output_tokens,
    prompt_tokens_details: { cached_tokens: u.input_tokens_details?.cached_tokens ?? 0 },
  };
}

async function collect(stream) {
  const events = [];
  for await (const e of stream) events.push(e);
  return events;
}

// ---------------------------------------------------------------------------------------------
// Relayed to OpenAI.

test('OpenAI relay: the recorded answer as OpenAI sent it, with the gateway id, the held limit and the cost', async () => {
  const { tp } = ctx;
  const { email, key } = await tp.account({ credits: '10' });
  const prices = await pricesOf(tp, OPENAI_MODEL);
  const marker = nonce();
  const r = await client(key).responses.create({
    model: OPENAI_MODEL, input: `What is the capital of France? ${marker}`, metadata: { m: marker },
    provider: { sort: 'price' },
  });
  const recorded = fixtureJson('responses-nonstream-text.json');
  assert.equal(r.object, 'response');
  assert.match(r.id, /^gen-/, 'the gateway id, for previous_response_id and /generation');
  assert.equal(r.output_text, 'Paris.');
  assert.deepEqual(r.output, recorded.output, 'the output items as OpenAI sent them');
  assert.equal(r.model, OPENAI_MODEL);
  assert.equal(r.store, true, 'the client did not say store:false');
  const { cost, ...usage } = r.usage;
  assert.deepEqual(usage, recorded.usage);
  const expected = expectedCostMicros(chatUsage(recorded.usage), prices);
  assert.equal(micros(cost), expected);
  assert.equal(await spentOnce(email, 10, expected), expected, 'billed exactly the reported usage');

  const [up] = await upstreamWith(marker);
  assert.match(up.path, /\/v1\/responses$/);
  assert.equal(up.body.model, 'gpt-5-nano');
  assert.equal(up.body.store, false, 'nothing is kept at OpenAI');
  assert.ok(Number.isInteger(up.body.max_output_tokens) && up.body.max_output_tokens > 0, 'the held limit goes upstream');
  assert.equal(up.body.provider, undefined, "OpenRouter's members stay at the gateway");
  assert.deepEqual(up.body.metadata, { m: marker });

  const row = await generation(key, r.id);
  assert.equal(row.model, OPENAI_MODEL);
  assert.equal(row.tokens_prompt, 13);
  assert.equal(row.tokens_completion, 171);
  assert.equal(row.native_tokens_reasoning, 128);
  assert.equal(micros(row.total_cost), expected);
});

test('OpenAI relay, streamed: OpenAI\'s events, no [DONE], the last one with the gateway id and the cost', async () => {
  const { tp } = ctx;
  const { email, key } = await tp.account({ credits: '10' });
  const prices = await pricesOf(tp, OPENAI_MODEL);
  const marker = nonce();
  const res = await gatewayFetch(tp, '/api/v1/responses', {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: OPENAI_MODEL, input: `Count from 1 to 3 ${marker}`, stream: true }),
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/event-stream/);
  const text = await res.text();
  assert.ok(!text.includes('[DONE]'), 'a Responses stream has no [DONE]');
  const recorded = recordedEvents('openai/responses-stream-text.sse');
  const events = text.split('\n\n').filter((b) => b.includes('data: '))
    .map((b) => JSON.parse(b.split('\n').find((l) => l.startsWith('data: ')).slice(6)));
  assert.deepEqual(events.map((e) => e.type), recorded.map((e) => e.type));
  assert.deepEqual(events.slice(2, -1), recorded.slice(2, -1), 'the item events as OpenAI sent them');
  const done = events.at(-1).response;
  const id = res.headers.get('x-request-id');
  assert.equal(done.id, id);
  assert.equal(events[0].response.id, id);
  const expected = expectedCostMicros(chatUsage(recorded.at(-1).response.usage), prices);
  assert.equal(micros(done.usage.cost), expected);
  assert.equal(await spentOnce(email, 10, expected), expected);

  // The SDK reads the same events with stream: true, and its stream helper assembles the answer.
  const sdkEvents = await collect(await client(key).responses.create({ model: OPENAI_MODEL, input: `Count ${nonce()}`, stream: true }));
  assert.deepEqual(sdkEvents.map((e) => e.type), recorded.map((e) => e.type));
  assert.equal(sdkEvents.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta).join(''), '1, 2, 3');
  const final = await client(key).responses.stream({ model: OPENAI_MODEL, input: `Count again ${nonce()}` }).finalResponse();
  assert.equal(final.output_text, '1, 2, 3');
  assert.match(final.id, /^gen-/);
  const row = await generation(key, id);
  assert.equal(row.streamed, true);
  assert.equal(micros(row.total_cost), expected);
});

test('OpenAI relay: a function-call round trip through previous_response_id sends the whole conversation', async () => {
  const { tp } = ctx;
  const { key } = await tp.account({ credits: '10' });
  const sdk = client(key);
  const tools = fixtureJson('responses-nonstream-function-call.request.json').tools;
  const marker = nonce();
  const first = await sdk.responses.create({ model: OPENAI_MODEL, input: `Weather in Berlin? [[fake:tool-call]] ${marker}`, tools });
  const call = first.output.find((i) => i.type === 'function_call');
  assert.equal(call.name, 'weather');
  assert.equal(call.call_id, 'call_R1nRm6zHHaYdJmzUTyHeErE1');
  const second = await sdk.responses.create({
    model: OPENAI_MODEL, previous_response_id: first.id, tools,
    input: [{ type: 'function_call_output', call_id: call.call_id, output: `{"temp":"21C"} ${marker}-2` }],
  });
  assert.equal(second.output_text, 'Paris.');
  assert.equal(second.previous_response_id, first.id);
  const [up] = await upstreamWith(`${marker}-2`);
  assert.equal(up.body.previous_response_id, undefined, 'OpenAI keeps nothing: the gateway sends the items');
  assert.equal(up.body.store, false);
  const types = up.body.input.map((i) => i.type ?? 'message');
  // The reasoning item goes back with its encrypted content; no item carries an id OpenAI never kept.
  assert.deepEqual(types, ['message', 'reasoning', 'function_call', 'function_call_output']);
  assert.equal(up.body.input[2].call_id, call.call_id);
  assert.equal(up.body.input[2].id, undefined);
  assert.ok(up.body.input[1].encrypted_content);
});

// ---------------------------------------------------------------------------------------------
// Translated: Anthropic and Gemini.

test('Anthropic, translated: a Responses object from the recorded Messages answer, billed exactly', async () => {
  const { tp } = ctx;
  const { email, key } = await tp.account({ credits: '10' });
  const marker = nonce();
  const r = await client(key).responses.create({
    model: CLAUDE, instructions: 'Answer in one sentence.', input: `What is Python? ${marker}`, max_output_tokens: 500,
  });
  const recorded = JSON.parse(fixtureText('anthropic/messages-nonstream-cache-usage.json'));
  assert.equal(r.object, 'response');
  assert.equal(r.status, 'completed');
  assert.equal(r.output_text, recorded.content.filter((b) => b.type === 'text').map((b) => b.text).join(''));
  assert.equal(r.output.length, 1);
  assert.equal(r.output[0].type, 'message');
  assert.equal(r.instructions, 'Answer in one sentence.');
  assert.equal(r.max_output_tokens, 500);
  const u = recorded.usage;
  const input = u.input_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens;
  assert.equal(r.usage.input_tokens, input);
  assert.equal(r.usage.input_tokens_details.cached_tokens, u.cache_read_input_tokens);
  assert.equal(r.usage.output_tokens, u.output_tokens);
  assert.equal(r.usage.total_tokens, input + u.output_tokens);
  // Each token class at its catalog price (docs/architecture.md §4.2).
  const models = (await getJson(tp, '/api/v1/models')).body.data;
  const p = models.find((m) => m.id === CLAUDE).pricing;
  const num = BigInt(u.input_tokens) * BigInt(perTokenToMicrosPerMillion(p.prompt))
    + BigInt(u.cache_read_input_tokens) * BigInt(perTokenToMicrosPerMillion(p.input_cache_read))
    + BigInt(u.cache_creation_input_tokens) * BigInt(perTokenToMicrosPerMillion(p.input_cache_write))
    + BigInt(u.output_tokens) * BigInt(perTokenToMicrosPerMillion(p.completion));
  const expected = Number((num + 999_999n) / 1_000_000n);
  assert.equal(micros(r.usage.cost), expected);
  assert.equal(await spentOnce(email, 10, expected), expected);

  const [up] = await upstreamWith(marker);
  assert.equal(up.provider, 'anthropic');
  assert.match(up.path, /\/v1\/messages$/);
  assert.equal(up.body.max_tokens, 500);
  assert.equal(JSON.stringify(up.body.system).includes('Answer in one sentence.'), true);
  const row = await generation(key, r.id);
  assert.equal(row.model, CLAUDE);
  assert.equal(micros(row.total_cost), expected);
});

test('Anthropic, translated and streamed: the Responses event sequence, and finalResponse()', async () => {
  const { tp } = ctx;
  const { email, key } = await tp.account({ credits: '10' });
  const prices = await pricesOf(tp, CLAUDE);
  const stream = await client(key).responses.create({ model: CLAUDE, input: `Tell me a joke ${nonce()}`, stream: true });
  const events = await collect(stream);
  const types = events.map((e) => e.type);
  assert.deepEqual(types.slice(0, 4),
    ['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
  assert.deepEqual(types.slice(-4),
    ['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed']);
  assert.deepEqual(events.map((e) => e.sequence_number), events.map((_, i) => i));
  // The recorded text deltas, in order (anthropic/messages-stream-text.sse).
  const recordedText = fixtureText('anthropic/messages-stream-text.sse').split('\n\n')
    .map((b) => b.split('\n').find((l) => l.startsWith('data: ')))
    .filter(Boolean).map((l) => JSON.parse(l.slice(6)))
    .filter((d) => d.type === 'content_block_delta' && d.delta.type === 'text_delta').map((d) => d.delta.text).join('');
  const deltas = events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta).join('');
  assert.equal(deltas, recordedText);
  const done = events.at(-1).response;
  assert.equal(done.output[0].content[0].text, recordedText);
  assert.equal(done.usage.input_tokens, 17);
  assert.equal(done.usage.output_tokens, 10);
  const expected = expectedCostMicros({ prompt_tokens: 17, completion_tokens: 10 }, prices);
  assert.equal(micros(done.usage.cost), expected);
  assert.equal(await spentOnce(email, 10, expected), expected);

  const final = await client(key).responses.stream({ model: CLAUDE, input: `Again ${nonce()}` }).finalResponse();
  assert.equal(final.output_text, recordedText);
});

test('Anthropic thinking, translated and streamed: a reasoning item the SDK assembles, then the message', async () => {
  const { tp } = ctx;
  const { key } = await tp.account({ credits: '10' });
  const blocks = fixtureText('anthropic/messages-stream-thinking.sse').split('\n\n')
    .map((b) => b.split('\n').find((l) => l.startsWith('data: '))).filter(Boolean).map((l) => JSON.parse(l.slice(6)))
    .filter((d) => d.type === 'content_block_delta');
  const thinking = blocks.filter((d) => d.delta.type === 'thinking_delta').map((d) => d.delta.thinking).join('');
  const text = blocks.filter((d) => d.delta.type === 'text_delta').map((d) => d.delta.text).join('');
  const final = await client(key).responses.stream({
    model: CLAUDE, input: `Think first [[fake:thinking]] ${nonce()}`, reasoning: { effort: 'low' },
  }).finalResponse();
  assert.deepEqual(final.output.map((i) => i.type), ['reasoning', 'message']);
  assert.deepEqual(final.output[0].summary, [{ type: 'summary_text', text: thinking }]);
  assert.equal(final.output_text, text);
  assert.equal(final.reasoning.effort, 'low');
});

test('Gemini, translated: whole and streamed, billed exactly', async () => {
  const { tp } = ctx;
  const { email, key } = await tp.account({ credits: '10' });
  const prices = await pricesOf(tp, GEMINI);
  const sdk = client(key);
  const whole = await sdk.responses.create({ model: GEMINI, input: `Capital of France? ${nonce()}` });
  assert.equal(whole.output_text, 'The capital of France is Paris.\n');
  assert.deepEqual([whole.usage.input_tokens, whole.usage.output_tokens], [13, 8]);
  const streamed = await sdk.responses.stream({ model: GEMINI, input: `Capital of France? ${nonce()}` }).finalResponse();
  assert.equal(streamed.output_text, 'The capital of France is Paris.\n');
  assert.equal(streamed.status, 'completed');
  const each = expectedCostMicros({ prompt_tokens: 13, completion_tokens: 8 }, prices);
  assert.equal(micros(whole.usage.cost), each);
  assert.equal(micros(streamed.usage.cost), each);
  assert.equal(await spentOnce(email, 10, 2 * each), 2 * each);
  const row = await generation(key, streamed.id);
  assert.equal(row.model, GEMINI);
  assert.equal(row.streamed, true);
});

test('an OpenAI-compatible server that does not serve /responses gets chat completions, streamed or not', async () => {
  const { tp } = ctx;
  const { email, key } = await tp.account({ credits: '10' });
  const prices = await pricesOf(tp, 'fakeco/duo');
  const sdk = client(key);
  const marker = nonce();
  const whole = await sdk.responses.create({ model: 'fakeco/duo', input: `hi ${marker}`, max_output_tokens: 64 });
  const recorded = fixtureJson('chat-nonstream-text-after-tool-results.json');
  assert.equal(whole.output_text, recorded.choices[0].message.content);
  assert.deepEqual([whole.usage.input_tokens, whole.usage.output_tokens],
    [recorded.usage.prompt_tokens, recorded.usage.completion_tokens]);
  const [up] = await upstreamWith(marker);
  assert.match(up.path, /^\/cheap\/v1\/chat\/completions$/);
  assert.deepEqual(up.body.messages, [{ role: 'user', content: `hi ${marker}` }]);
  const streamed = await sdk.responses.stream({ model: 'fakeco/duo', input: `hi ${nonce()}` }).finalResponse();
  assert.ok(streamed.output_text.length > 0);
  assert.equal(streamed.status, 'completed');
  const streamUsage = fixtureEvents('chat-stream-text-include-usage.sse').find((e) => e.usage).usage;
  assert.equal(streamed.output_text, contentOf(fixtureEvents('chat-stream-text-include-usage.sse')));
  assert.equal(micros(streamed.usage.cost), expectedCostMicros(streamUsage, prices));
  assert.equal(micros(whole.usage.cost), expectedCostMicros(recorded.usage, prices));
  const expected = expectedCostMicros(recorded.usage, prices) + expectedCostMicros(streamUsage, prices);
  assert.equal(await spentOnce(email, 10, expected), expected);
});

test('Anthropic, translated: a function-call round trip through previous_response_id', async () => {
  const { tp } = ctx;
  const { key } = await tp.account({ credits: '10' });
  const sdk = client(key);
  const tools = [{
    type: 'function', name: 'get_weather', description: 'Weather for a city', strict: false,
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  }];
  const marker = nonce();
  const first = await sdk.responses.create({ model: CLAUDE, input: `Weather? [[fake:tool-call]] ${marker}`, tools });
  const calls = first.output.filter((i) => i.type === 'function_call');
  assert.ok(calls.length > 0, JSON.stringify(first.output));
  const recorded = JSON.parse(fixtureText('anthropic/messages-nonstream-parallel-tool-use.json'))
    .content.filter((b) => b.type === 'tool_use');
  assert.deepEqual(calls.map((c) => [c.call_id, c.name, JSON.parse(c.arguments)]),
    recorded.map((b) => [b.id, b.name, b.input]));
  const second = await sdk.responses.create({
    model: CLAUDE, previous_response_id: first.id, tools,
    input: calls.map((c) => ({ type: 'function_call_output', call_id: c.call_id, output: `sunny ${marker}-2` })),
  });
  assert.equal(second.status, 'completed');
  assert.ok(second.output_text.length > 0);
  const [up] = await upstreamWith(`${marker}-2`);
  assert.equal(up.provider, 'anthropic');
  const [user, assistant, results] = up.body.messages;
  assert.ok(JSON.stringify(user).includes(marker), 'the first turn, from the kept response');
  assert.deepEqual(assistant.content.filter((b) => b.type === 'tool_use').map((b) => b.id), recorded.map((b) => b.id));
  assert.deepEqual(results.content.filter((b) => b.type === 'tool_result').map((b) => b.tool_use_id),
    recorded.map((b) => b.id));
});

test('previous_response_id carries a conversation across providers, per user, unless store was false', async () => {
  const { tp } = ctx;
  const { key } = await tp.account({ credits: '10' });
  const other = await tp.account({ credits: '10' });
  const sdk = client(key);
  const marker = nonce();
  const first = await sdk.responses.create({ model: GEMINI, input: `My name is Ada ${marker}` });
  const second = await sdk.responses.create({ model: CLAUDE, input: `And my name? ${marker}-2`, previous_response_id: first.id });
  const [up] = await upstreamWith(`${marker}-2`);
  assert.equal(up.provider, 'anthropic');
  const texts = up.body.messages.map((m) => JSON.stringify(m.content));
  assert.equal(up.body.messages.length, 3);
  assert.ok(texts[0].includes(`My name is Ada ${marker}`));
  assert.ok(texts[1].includes('The capital of France is Paris.'), 'the first answer, as the assistant turn');
  assert.equal(second.previous_response_id, first.id);

  // Another user cannot continue it, and nothing is billed for the try.
  const before = (await userShow(tp, other.email)).balance_micros;
  await assert.rejects(
    client(other.key).responses.create({ model: CLAUDE, input: 'hi', previous_response_id: first.id }),
    (err) => err.status === 404 && err.error?.message === `Previous response with id '${first.id}' not found.`);
  assert.equal((await userShow(tp, other.email)).balance_micros, before);

  // A response answered with store:false is not kept.
  const unstored = await sdk.responses.create({ model: GEMINI, input: `hi ${nonce()}`, store: false });
  assert.equal(unstored.store, false);
  await assert.rejects(sdk.responses.create({ model: GEMINI, input: 'hi', previous_response_id: unstored.id }),
    (err) => err.status === 404);
});

// ---------------------------------------------------------------------------------------------
// Bad requests.

test('bad requests: clear 4xx in OpenRouter\'s error shape, nothing sent upstream, nothing billed', async () => {
  const { tp } = ctx;
  const { email, key } = await tp.account({ credits: '10' });
  const before = (await userShow(tp, email)).balance_micros;
  const marker = nonce();
  const cases = [
    [{ input: `hi ${marker}` }, 400, "Missing required parameter: 'model'."],
    [{ model: CLAUDE }, 400, "Missing required parameter: 'input'."],
    [{ model: CLAUDE, input: 42 }, 400, "Invalid type for 'input'"],
    [{ model: CLAUDE, input: `hi ${marker}`, temperature: 'hot' }, 400, "Invalid type for 'temperature'"],
    [{ model: CLAUDE, input: `hi ${marker}`, max_output_tokens: 5 }, 400, 'Expected a value >= 16'],
    [{ model: CLAUDE, input: `hi ${marker}`, messages: [] }, 400, 'Unrecognized request argument supplied: messages'],
    [{ model: CLAUDE, input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file-1' }] }] }, 400,
      'input[0].content[0].file_id'],
    [{ model: 'nobody/no-such-model', input: `hi ${marker}` }, 400, 'is not a valid model ID'],
    [{ model: CLAUDE, input: `hi ${marker}`, previous_response_id: 'gen-0-unknown' }, 404,
      "Previous response with id 'gen-0-unknown' not found."],
    [{ model: CLAUDE, input: `hi ${marker}`, tools: [{ type: 'web_search' }] }, 400, 'web_search, which only OpenAI serves'],
  ];
  for (const [body, status, words] of cases) {
    const res = await gatewayFetch(tp, '/api/v1/responses', {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = await res.json();
    assert.equal(res.status, status, JSON.stringify([body, answer]));
    assert.equal(answer.error.code, status, JSON.stringify(answer));
    assert.ok(answer.error.message.includes(words), `${JSON.stringify(body)} → ${answer.error.message}`);
  }
  // The SDK sees them as its APIError with the status and message.
  await assert.rejects(client(key).responses.create({ model: CLAUDE, input: 'hi', top_p: 7 }),
    (err) => err.status === 400 && /top_p/.test(err.message));
  assert.deepEqual(await upstreamWith(marker), [], 'nothing went upstream');
  assert.equal((await userShow(tp, email)).balance_micros, before, 'nothing billed');
});

// ---------------------------------------------------------------------------------------------
// Failures.

// The SSE events of a raw streamed request: [{event, data}].
async function rawStream(key, body) {
  const res = await gatewayFetch(ctx.tp, '/api/v1/responses', {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ...body, stream: true }),
  });
  assert.equal(res.status, 200);
  const text = await res.text();
  const events = text.split('\n\n').filter((b) => b.includes('data: ')).map((b) => {
    const lines = b.split('\n');
    return {
      event: lines.find((l) => l.startsWith('event: '))?.slice(7),
      data: JSON.parse(lines.find((l) => l.startsWith('data: ')).slice(6)),
    };
  });
  return { id: res.headers.get('x-request-id'), events, text };
}

test('OpenAI relay: an upstream error is the client\'s error in OpenRouter\'s shape, nothing billed', async () => {
  const { tp } = ctx;
  const { email, key } = await tp.account({ credits: '10' });
  const before = (await userShow(tp, email)).balance_micros;
  await assert.rejects(client(key).responses.create({ model: OPENAI_MODEL, input: `hi [[fake:error=400]] ${nonce()}` }),
    (err) => err.status === 400 && /Provider openai/.test(err.message));
  const res = await gatewayFetch(tp, '/api/v1/responses', {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: OPENAI_MODEL, input: `hi [[fake:error=429]] ${nonce()}` }),
  });
  const body = await res.json();
  assert.equal(res.status, 429);
  assert.equal(body.error.code, 429);
  assert.equal((await userShow(tp, email)).balance_micros, before);
});

test('a stream cut by the provider ends with an error event, relayed or translated, and is logged as failed', async () => {
  const { tp } = ctx;
  const { key } = await tp.account({ credits: '10' });
  for (const model of [OPENAI_MODEL, CLAUDE]) {
    const { id, events, text } = await rawStream(key, { model, input: `count [[fake:cut-after=6]] ${nonce()}` });
    assert.ok(!text.includes('[DONE]'));
    const last = events.at(-1);
    assert.equal(last.event, 'error', `${model}: ${text.slice(-300)}`);
    assert.equal(last.data.type, 'error');
    assert.match(last.data.message, /ended the stream before it was complete|Provider/);
    assert.ok(!events.some((e) => e.data.type === 'response.completed'));
    const row = await generation(key, id);
    assert.equal(row.status, 502);
    assert.equal(row.finish_reason, 'error');
  }
});

test('OpenAI relay: output items sent back by the client go upstream without the ids OpenAI never kept', async () => {
  const { tp } = ctx;
  const { key } = await tp.account({ credits: '10' });
  const sdk = client(key);
  const marker = nonce();
  const first = await sdk.responses.create({ model: OPENAI_MODEL, input: `hi ${marker}`, store: false });
  await sdk.responses.create({
    model: OPENAI_MODEL, store: false,
    input: [{ role: 'user', content: `hi ${marker}` }, ...first.output, { role: 'user', content: `more ${marker}-2` }],
  });
  const [up] = await upstreamWith(`${marker}-2`);
  const reasoning = first.output[0];
  assert.ok(reasoning.encrypted_content, 'the recording asked for encrypted reasoning');
  assert.deepEqual(up.body.input.map((i) => [i.type ?? 'message', i.id]),
    [['message', undefined], ['reasoning', reasoning.id], ['message', undefined], ['message', undefined]],
    'the message item goes without its id; the reasoning item, carrying its encrypted content, keeps it');
  assert.equal(up.body.input[2].content[0].text, 'Paris.');

  // A reasoning item without its encrypted content cannot be read back by OpenAI: it is left out.
  const bare = { id: reasoning.id, type: 'reasoning', summary: [] };
  await sdk.responses.create({
    model: OPENAI_MODEL, store: false, input: [{ role: 'user', content: `hi ${marker}` }, bare, { role: 'user', content: `${marker}-3` }],
  });
  const [up3] = await upstreamWith(`${marker}-3`);
  assert.deepEqual(up3.body.input.map((i) => i.type ?? 'message'), ['message', 'message']);
});
