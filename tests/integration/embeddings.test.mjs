// POST /api/v1/embeddings through the official openai SDK (which asks for base64 unless told
// otherwise and decodes it itself), against the fake OpenAI and Gemini providers: vectors as the
// provider sent them, in input order, dimensions honoured, each request billed exactly by its
// input tokens (the provider's count, or an estimate where Gemini sends none) and logged; failover
// between OpenAI-compatible providers; bad requests refused in OpenRouter's error shape with
// nothing billed; GET /api/v1/embeddings/models. Models: the default catalog's
// openai/text-embedding-3-small and google/gemini-embedding-001, and the test models of
// tests/fixtures/catalog-embeddings.toml.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import { OpenRouter } from '@openrouter/sdk';
import { useServer } from '../lib/setup.mjs';
import { ROOT } from '../lib/harness.mjs';
import {
  assertError, assertLedger, chatJson, eventually, getJson, nonce, perTokenToMicrosPerMillion, untilEqual,
  usdToMicros, userShow,
} from '../lib/gateway.mjs';

const ctx = useServer({ catalog: 'tests/fixtures/catalog-embeddings.toml' });
const START = 10_000_000; // the account's µUSD
const FIX = path.join(ROOT, 'tests/fixtures/providers');
const json = (name) => JSON.parse(fs.readFileSync(path.join(FIX, name), 'utf8'));

// The fake's vectors (tests/fakes/fake-provider.mjs, "Embeddings"): input i of d dimensions is
// the recorded vector from (31 i) on, repeated past its end; its tokens are its words, digits in
// threes and other symbols.
const FLOAT_BASE = json('openai/embeddings-float.json').data[0].embedding;
const B64_BASE = (() => {
  const b = Buffer.from(json('openai/embeddings-base64.json').data[0].embedding, 'base64');
  return Array.from({ length: b.length / 4 }, (_, i) => b.readFloatLE(4 * i));
})();
const GEMINI_BASE = json('gemini/batch-embed-contents.json').embeddings[0].values;
const fakeVector = (base, i, dims) => Array.from({ length: dims }, (_, j) => base[(31 * i + j) % base.length]);
const fakeTokens = (text) => Math.max(1, (text.match(/'[a-z]+|[A-Za-z]+|\d{1,3}|[^\sA-Za-z\d]/g) ?? []).length);
const sum = (a) => a.reduce((x, y) => x + y, 0);
const costOf = (tokens, price) => Math.ceil((tokens * price) / 1e6);

function client(key, baseURL = `${ctx.tp.gatewayUrl}/api/v1`) {
  return new OpenAI({ apiKey: key, baseURL, maxRetries: 0, timeout: 15_000 });
}

// The input price (µUSD per million tokens) of each endpoint of an embedding model, as
// GET /api/v1/embeddings/models publishes it.
async function inputPrices(model) {
  const r = await getJson(ctx.tp, '/api/v1/embeddings/models');
  assert.equal(r.status, 200);
  const m = r.body.data.find((x) => x.id === model);
  assert.ok(m, `${model} is listed at /embeddings/models`);
  return Object.fromEntries(m.endpoints.map((e) => [e.provider, perTokenToMicrosPerMillion(e.pricing.prompt)]));
}

function texts(n, marker = nonce()) {
  return Array.from({ length: n }, (_, i) => `Embedding number ${i} of a batch, ${marker}: the quick brown fox.`);
}

async function fakeCalls(marker) {
  return (await ctx.fake.requests()).filter((r) => JSON.stringify(r.body ?? '').includes(marker)).sort((a, b) => a.id - b.id);
}

async function assertCharged(email, cost, what) {
  await untilEqual(async () => (await userShow(ctx.tp, email)).balance_micros, START - cost, `${what}: charged ${cost} µUSD`);
  await assertLedger(ctx.tp, email);
}

async function generation(key, id) {
  return eventually(async () => {
    const g = await getJson(ctx.tp, `/api/v1/generation?id=${encodeURIComponent(id)}`, key);
    return g.status === 200 && g.body.data;
  }, { what: `generation ${id} logged` });
}

// The answer's own members, as OpenRouter sends them.
function assertOwnMembers(body, { model, provider, cost }) {
  assert.equal(body.object, 'list');
  assert.equal(body.model, model);
  assert.equal(body.provider, provider);
  assert.match(body.id, /\S/);
  assert.equal(usdToMicros(body.usage.cost), cost, 'usage.cost');
  assert.equal(body.usage.total_tokens, body.usage.prompt_tokens);
}

test('openai/text-embedding-3-small with the SDK default (base64): vectors as sent, in order, billed by the provider\'s tokens and logged', async () => {
  const { email, key } = await ctx.tp.account();
  const price = (await inputPrices('openai/text-embedding-3-small')).openai;
  assert.equal(price, 20_000, '$0.02 per million tokens');
  const marker = nonce();
  const input = texts(40, marker);
  const { data: body, response } = await client(key).embeddings.create({ model: 'openai/text-embedding-3-small', input }).withResponse();
  const tokens = sum(input.map(fakeTokens));
  assert.equal(body.usage.prompt_tokens, tokens, 'the provider\'s count');
  const cost = costOf(tokens, price);
  assert.ok(cost > 10, `a cost worth checking (${cost} µUSD)`);
  assertOwnMembers(body, { model: 'openai/text-embedding-3-small', provider: 'OpenAI', cost });
  assert.equal(body.data.length, 40);
  body.data.forEach((d, i) => {
    assert.equal(d.index, i);
    assert.deepEqual(d.embedding, fakeVector(B64_BASE, i, 1536), `vector ${i}: the provider's float32 values`);
  });
  const [call] = await fakeCalls(marker);
  assert.equal(call.path, '/v1/embeddings');
  assert.deepEqual(call.body, { model: 'text-embedding-3-small', input, encoding_format: 'base64' }, 'the SDK\'s body, model renamed');
  await assertCharged(email, cost, 'base64');
  const g = await generation(key, response.headers.get('x-request-id'));
  assert.equal(g.id, body.id);
  assert.equal(g.api_type, 'embeddings');
  assert.equal(g.model, 'openai/text-embedding-3-small');
  assert.equal(g.provider_name, 'OpenAI');
  assert.equal(g.tokens_prompt, tokens);
  assert.equal(g.tokens_completion, 0);
  assert.equal(g.usage_source, 'provider');
  assert.equal(usdToMicros(g.total_cost), cost);
  assert.equal(g.status, 200);
});

test('encoding_format "float" and dimensions: the provider\'s floats, truncated; the alias /v1/embeddings', async () => {
  const { email, key } = await ctx.tp.account();
  const marker = nonce();
  const input = texts(3, marker);
  const body = await client(key, `${ctx.tp.gatewayUrl}/v1`).embeddings.create({
    model: 'openai/text-embedding-3-small', input, encoding_format: 'float', dimensions: 256, user: 'alice',
  });
  body.data.forEach((d, i) => assert.deepEqual(d.embedding, fakeVector(FLOAT_BASE, i, 256), `vector ${i}`));
  const [call] = await fakeCalls(marker);
  assert.equal(call.body.dimensions, 256);
  assert.equal(call.body.encoding_format, 'float');
  assert.match(call.body.user, /^[0-9a-f]{32}$/, 'the end user as a digest, never the client\'s text');
  const cost = costOf(sum(input.map(fakeTokens)), 20_000);
  assert.equal(usdToMicros(body.usage.cost), cost);
  await assertCharged(email, cost, 'float');
});

test('an OpenAI-compatible endpoint without encoding_format: the gateway asks for floats and writes the base64', async () => {
  const { email, key } = await ctx.tp.account();
  const price = (await inputPrices('fakeco/embed-floats'))['fake-cheap'];
  const marker = nonce();
  const input = texts(5, marker);
  const body = await client(key).embeddings.create({ model: 'fakeco/embed-floats', input, dimensions: 64 });
  body.data.forEach((d, i) => assert.deepEqual(d.embedding, fakeVector(FLOAT_BASE, i, 64).map(Math.fround), `vector ${i}`));
  const [call] = await fakeCalls(marker);
  assert.equal(call.path, '/cheap/v1/embeddings');
  assert.equal(call.body.encoding_format, undefined, 'the endpoint does not take it');
  const tokens = sum(input.map(fakeTokens));
  assertOwnMembers(body, { model: 'fakeco/embed-floats', provider: 'Fake Cheap', cost: costOf(tokens, price) });
  assert.equal(body.usage.prompt_tokens, tokens);
  await assertCharged(email, costOf(tokens, price), 'converted');
});

test('google/gemini-embedding-001: one batchEmbedContents call, vectors back in OpenAI\'s list, billed on an estimate', async () => {
  const { email, key } = await ctx.tp.account();
  const price = (await inputPrices('google/gemini-embedding-001')).google;
  assert.equal(price, 150_000, '$0.15 per million tokens');
  const marker = nonce();
  const input = texts(30, marker);
  const { data: body, response } = await client(key).embeddings.create({ model: 'google/gemini-embedding-001', input, dimensions: 768 }).withResponse();
  body.data.forEach((d, i) => {
    assert.equal(d.index, i);
    assert.deepEqual(d.embedding, fakeVector(GEMINI_BASE, i, 768).map(Math.fround), `vector ${i} as float32`);
  });
  const calls = await fakeCalls(marker);
  assert.equal(calls.length, 1);
  assert.equal(calls[0].path, '/v1beta/models/gemini-embedding-001:batchEmbedContents');
  assert.equal(calls[0].headers['x-goog-api-key'], '<redacted>', 'the key in x-goog-api-key');
  assert.deepEqual(calls[0].body.requests, input.map((text) => ({
    model: 'models/gemini-embedding-001', content: { parts: [{ text }] }, outputDimensionality: 768,
  })));
  // gemini-embedding-001 reports no usage: the input at four characters a token.
  const tokens = Math.ceil(sum(input.map((t) => Buffer.byteLength(t))) / 4);
  const cost = costOf(tokens, price);
  assertOwnMembers(body, { model: 'google/gemini-embedding-001', provider: 'Google AI Studio', cost });
  assert.equal(body.usage.prompt_tokens, tokens);
  await assertCharged(email, cost, 'gemini');
  const g = await generation(key, response.headers.get('x-request-id'));
  assert.equal(g.usage_source, 'estimated');
  assert.equal(g.api_type, 'embeddings');

  const floats = await client(key).embeddings.create({ model: 'google/gemini-embedding-001', input: input.slice(0, 2), encoding_format: 'float' });
  floats.data.forEach((d, i) => assert.deepEqual(d.embedding, fakeVector(GEMINI_BASE, i, 3072), `float vector ${i}: Gemini's numbers`));
});

test('Gemini with usageMetadata: billed by promptTokenCount', async () => {
  const { email, key } = await ctx.tp.account();
  const price = (await inputPrices('fakeco/gemini-embed-2')).google;
  const input = texts(4);
  const body = await client(key).embeddings.create({ model: 'fakeco/gemini-embed-2', input, encoding_format: 'float' });
  const tokens = sum(input.map(fakeTokens));
  assert.equal(body.usage.prompt_tokens, tokens);
  assert.equal(body.data[3].embedding.length, 3072);
  await assertCharged(email, costOf(tokens, price), 'gemini usage');
  const g = await generation(key, body.id);
  assert.equal(g.usage_source, 'provider');
});

test('failover: the cheap provider answers 503, the pricey one serves it at its price; a 400 is not retried', async () => {
  const { email, key } = await ctx.tp.account();
  const prices = await inputPrices('fakeco/embed-duo');
  assert.ok(prices['fake-cheap'] < prices['fake-pricey']);
  const marker = nonce();
  const input = [`[[fake:fail-path=/cheap:503]] ${marker}`, 'second input'];
  const body = await client(key).embeddings.create({ model: 'fakeco/embed-duo', input });
  assert.equal(body.provider, 'Fake Pricey');
  body.data.forEach((d, i) => assert.deepEqual(d.embedding, fakeVector(B64_BASE, i, 1536)));
  const calls = await fakeCalls(marker);
  assert.deepEqual(calls.map((c) => c.path), ['/cheap/v1/embeddings', '/pricey/v1/embeddings']);
  const cost = costOf(sum(input.map(fakeTokens)), prices['fake-pricey']);
  assert.equal(usdToMicros(body.usage.cost), cost);
  await assertCharged(email, cost, 'failover');

  const refused = `[[fake:fail-path=/cheap:400]] ${nonce()}`;
  const r = await chatJson(ctx.tp, key, { model: 'fakeco/embed-duo', input: refused }, { path: '/api/v1/embeddings' });
  assertError(r, 400, 'cheap 400');
  assert.deepEqual((await fakeCalls(refused.split(' ')[1])).map((c) => c.path), ['/cheap/v1/embeddings']);
  await assertCharged(email, cost, 'nothing more for the refusal');
});

test('bad requests: a 4xx in OpenRouter\'s error shape, nothing billed', async () => {
  const { email, key } = await ctx.tp.account();
  const post = (body) => chatJson(ctx.tp, key, body, { path: '/api/v1/embeddings' });
  const model = 'openai/text-embedding-3-small';
  const cases = [
    ['missing input', { model }, /'input' is required/],
    ['input a number', { model, input: 42 }, /'input' must be a string/],
    ['empty array', { model, input: [] }, /must not be an empty array/],
    ['empty string', { model, input: '' }, /must not be an empty string/],
    ['mixed types', { model, input: ['a', 1] }, /'input\[1\]' is not/],
    ['a bad token id', { model, input: [[1, -2]] }, /token ids/],
    ['bad encoding_format', { model, input: 'x', encoding_format: 'int8' }, /encoding_format/],
    ['bad dimensions', { model, input: 'x', dimensions: 0 }, /'dimensions' must be a positive integer/],
    ['unknown model', { model: 'openai/text-embedding-9', input: 'x' }, /is not a valid model ID/],
    ['a chat model', { model: 'openai/gpt-4o-mini', input: 'x' }, /is not an embedding model \(GET \/api\/v1\/embeddings\/models/],
    ['too many inputs', { model, input: Array.from({ length: 2049 }, () => 'x') }, /at most 2048/],
    ['too many tokens', { model, input: Array.from({ length: 4 }, () => Array(80_000).fill(1)) }, /320000 tokens; at most 300000/],
    ['token ids beyond the context', { model, input: [Array(8192).fill(7)] }, /input\[0\] has 8192 tokens; openai\/text-embedding-3-small takes at most 8191/],
    ['over 100 inputs for Gemini', { model: 'google/gemini-embedding-001', input: Array.from({ length: 101 }, () => 'x') }, /Gemini embeds at most 100 inputs/],
    ['token ids for Gemini', { model: 'google/gemini-embedding-001', input: [1, 2, 3] }, /text only/],
    ['the provider refuses a text beyond the context', { model, input: 'word '.repeat(9000) }, /maximum context length is 8192 tokens/],
    ['the provider refuses the dimensions', { model, input: 'x', dimensions: 5000 }, /greater than the maximum of 1536/],
    ['not JSON', '{"model":', /not valid JSON/],
  ];
  for (const [what, body, message] of cases) {
    const r = await post(body);
    const error = assertError(r, 400, what);
    assert.match(error.message, message, what);
  }
  const chatOnEmbedding = await chatJson(ctx.tp, key, { model, messages: [{ role: 'user', content: 'hi' }] });
  assert.match(assertError(chatOnEmbedding, 400, 'chat with an embedding model').message, /is an embedding model: use POST \/api\/v1\/embeddings/);
  const sdk = await client(key).embeddings.create({ model, input: [] }).catch((e) => e);
  assert.ok(sdk instanceof OpenAI.BadRequestError, 'the SDK reads it as a 400');
  assert.equal(sdk.status, 400);
  await assertCharged(email, 0, 'bad requests');
});

test('GET /api/v1/embeddings/models lists the embedding models only; /api/v1/models leaves them out unless asked', async () => {
  const embedding = await getJson(ctx.tp, '/api/v1/embeddings/models');
  assert.equal(embedding.status, 200);
  const ids = embedding.body.data.map((m) => m.id);
  for (const id of ['openai/text-embedding-3-small', 'openai/text-embedding-3-large', 'google/gemini-embedding-001', 'fakeco/embed-duo']) {
    assert.ok(ids.includes(id), id);
  }
  assert.ok(embedding.body.data.every((m) => m.architecture.output_modalities.includes('embeddings')));
  assert.equal(embedding.body.total_count, ids.length);
  const large = embedding.body.data.find((m) => m.id === 'openai/text-embedding-3-large');
  assert.equal(large.context_length, 8191);
  assert.equal(large.pricing.prompt, '0.00000013');
  assert.equal(large.pricing.completion, '0');

  const main = await getJson(ctx.tp, '/api/v1/models');
  assert.ok(main.body.data.length > 0);
  assert.ok(main.body.data.every((m) => !m.architecture.output_modalities.includes('embeddings')), 'as OpenRouter: text models');
  const asked = await getJson(ctx.tp, '/api/v1/models?output_modalities=embeddings');
  assert.deepEqual(asked.body.data.map((m) => m.id).sort(), [...ids].sort());
  const all = await getJson(ctx.tp, '/api/v1/models?output_modalities=all');
  assert.equal(all.body.total_count, main.body.total_count + ids.length);
  const filtered = await getJson(ctx.tp, '/api/v1/embeddings/models?q=gemini');
  assert.deepEqual(filtered.body.data.map((m) => m.id).sort(), ['fakeco/gemini-embed-2', 'google/gemini-embedding-001']);
});

// @openrouter/sdk validates every answer against OpenRouter's schema: the embeddings list and
// the embedding models list must pass.
test('@openrouter/sdk: embeddings.generate and embeddings.listModels read the gateway\'s answers', async () => {
  const { email, key } = await ctx.tp.account();
  const sdk = new OpenRouter({ apiKey: key, serverURL: `${ctx.tp.gatewayUrl}/api/v1`, retryConfig: { strategy: 'none' }, timeoutMs: 15_000 });
  const input = texts(2);
  const r = await sdk.embeddings.generate({ requestBody: { model: 'openai/text-embedding-3-small', input, encodingFormat: 'float' } });
  assert.equal(typeof r, 'object', `a parsed list, not text: ${JSON.stringify(r).slice(0, 200)}`);
  assert.equal(r.data.length, 2);
  r.data.forEach((d, i) => assert.deepEqual(d.embedding, fakeVector(FLOAT_BASE, i, 1536)));
  const tokens = sum(input.map(fakeTokens));
  assert.equal(r.usage.promptTokens, tokens);
  assert.equal(usdToMicros(r.usage.cost), costOf(tokens, 20_000));
  await assertCharged(email, costOf(tokens, 20_000), '@openrouter/sdk');
  const page = await sdk.embeddings.listModels();
  const ids = page.result.data.map((m) => m.id);
  assert.ok(ids.includes('openai/text-embedding-3-large') && ids.includes('google/gemini-embedding-001'), ids.join());
});
