// The fake's embeddings routes on their own: the recorded answers byte for byte for the recorded
// requests, N vectors for N inputs, dimensions, base64 as float32, and the refusals a strict
// provider answers (tests/fixtures/providers/SOURCES.md, "Embeddings").
// Run: node --test tests/fakes/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startFake, ROOT } from '../lib/harness.mjs';

const FIX = path.join(ROOT, 'tests/fixtures/providers');
const fixture = (name) => fs.readFileSync(path.join(FIX, name), 'utf8');
const KEY = 'test-upstream-key';

let fake;
before(async () => { fake = await startFake({ args: ['--api-key', KEY] }); });
after(async () => { await fake?.stop(); });

function openai(body, { key = KEY } = {}) {
  return fetch(`${fake.url}/v1/embeddings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
function gemini(model, method, body) {
  return fetch(`${fake.url}/v1beta/models/${model}:${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-goog-api-key': KEY },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
const decode = (b64) => {
  const b = Buffer.from(b64, 'base64');
  return Array.from({ length: b.length / 4 }, (_, i) => b.readFloatLE(4 * i));
};

test('OpenAI: the recorded requests get the recorded answers, byte for byte', async () => {
  const float = await openai(fixture('openai/embeddings-float.request.json'));
  assert.equal(float.status, 200);
  assert.equal(float.headers.get('content-type'), 'application/json');
  assert.equal(await float.text(), fixture('openai/embeddings-float.json'));
  const b64 = await openai(fixture('openai/embeddings-base64.request.json'));
  assert.equal(b64.status, 200);
  assert.equal(await b64.text(), fixture('openai/embeddings-base64.json'));
});

test('OpenAI: N inputs get N vectors in order, each its own; dimensions truncate; token ids count one each', async () => {
  const base = JSON.parse(fixture('openai/embeddings-float.json')).data[0].embedding;
  const r = await openai({ model: 'text-embedding-3-large', input: ['one', 'two words', 'three'], dimensions: 2000 });
  assert.equal(r.status, 200);
  const body = await r.json();
  assert.deepEqual(body.data.map((d) => d.index), [0, 1, 2]);
  body.data.forEach((d, i) => {
    assert.equal(d.embedding.length, 2000);
    assert.deepEqual(d.embedding, Array.from({ length: 2000 }, (_, j) => base[(31 * i + j) % base.length]));
  });
  assert.deepEqual(body.usage, { prompt_tokens: 4, total_tokens: 4 });
  const t = await (await openai({ model: 'text-embedding-3-small', input: [[1, 2, 3], [4]], encoding_format: 'base64' })).json();
  assert.equal(t.usage.prompt_tokens, 4);
  const b64base = decode(JSON.parse(fixture('openai/embeddings-base64.json')).data[0].embedding);
  assert.deepEqual(decode(t.data[1].embedding), Array.from({ length: 1536 }, (_, j) => b64base[(31 + j) % 1536]));
});

test('OpenAI: strict about what it takes', async () => {
  const error = async (res, status) => {
    assert.equal(res.status, status);
    return (await res.json()).error;
  };
  assert.match((await error(await openai({ model: 'text-embedding-3-small', input: 'x', provider: {} }), 400)).message,
    /Unrecognized request argument supplied: provider/);
  const unknown = await openai({ model: 'text-embedding-9', input: 'x' });
  assert.equal(unknown.status, 404);
  assert.equal(await unknown.text(), fixture('openai/error-404-embeddings-model-not-found.json').replace('text-embedding-4-ultra', 'text-embedding-9'));
  const dims = await openai({ model: 'text-embedding-3-small', input: 'x', dimensions: -1 });
  assert.equal(dims.status, 400);
  assert.equal(await dims.text(), fixture('openai/error-400-embeddings-invalid-dimensions.json'));
  assert.match((await error(await openai({ model: 'text-embedding-3-small', input: 'x', dimensions: 1537 }), 400)).message, /maximum of 1536/);
  assert.match((await error(await openai({ model: 'text-embedding-ada-002', input: 'x', dimensions: 8 }), 400)).message, /does not support/);
  assert.match((await error(await openai({ model: 'text-embedding-3-small', input: '' }), 400)).message, /input' is invalid/);
  assert.match((await error(await openai({ model: 'text-embedding-3-small', input: ['a', 1] }), 400)).message, /input' is invalid/);
  assert.match((await error(await openai({ model: 'text-embedding-3-small', input: 'x', encoding_format: 'int8' }), 400)).message, /encoding_format/);
  const long = await error(await openai({ model: 'text-embedding-3-small', input: 'word '.repeat(9000) }), 400);
  assert.match(long.message, /maximum context length is 8192 tokens, however you requested 9000 tokens/);
  assert.equal((await openai({ model: 'text-embedding-3-small', input: 'x' }, { key: 'wrong' })).status, 401);
});

test('Gemini: batchEmbedContents answers each request in order, in Google\'s layout, usage only where recorded', async () => {
  const recorded = JSON.parse(fixture('gemini/batch-embed-contents.request.json'));
  const r = await gemini('gemini-embedding-2', 'batchEmbedContents', recorded);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/json; charset=UTF-8');
  const text = await r.text();
  const want = JSON.parse(fixture('gemini/batch-embed-contents.json'));
  const got = JSON.parse(text);
  assert.deepEqual(got.embeddings[0], want.embeddings[0], 'the recorded first vector');
  assert.equal(got.embeddings.length, 2);
  assert.deepEqual(got.usageMetadata, { promptTokenCount: 4, promptTokenDetails: [{ modality: 'TEXT', tokenCount: 4 }] });
  assert.ok(text.startsWith(fixture('gemini/batch-embed-contents.json').split('\n').slice(0, 209).join('\n')),
    'the recorded layout, small values with an exponent');
  const bare = await (await gemini('gemini-embedding-001', 'batchEmbedContents', {
    requests: [{ model: 'models/gemini-embedding-001', content: { parts: [{ text: 'a' }] } }],
  })).json();
  assert.equal(bare.embeddings[0].values.length, 3072);
  assert.equal(bare.usageMetadata, undefined, 'gemini-embedding-001 reports no usage');
  const single = await (await gemini('text-embedding-004', 'embedContent', fixture('gemini/embed-content.request.json'))).text();
  assert.equal(single, fixture('gemini/embed-content.json'), 'embedContent replays its recording');
});

test('Gemini: refuses what Google refuses', async () => {
  const req = (n, extra = {}) => ({
    requests: Array.from({ length: n }, () => ({ model: 'models/gemini-embedding-001', content: { parts: [{ text: 'a' }] }, ...extra })),
  });
  const many = await gemini('gemini-embedding-001', 'batchEmbedContents', req(101));
  assert.equal(many.status, 400);
  assert.match((await many.json()).error.message, /at most 100 requests can be in one batch/);
  assert.equal((await gemini('gemini-embedding-001', 'batchEmbedContents', req(1, { outputDimensionality: 4000 }))).status, 400);
  assert.equal((await gemini('gemini-embedding-001', 'batchEmbedContents', req(1, { foo: 1 }))).status, 400);
  assert.equal((await gemini('gemini-embedding-9', 'batchEmbedContents', req(1))).status, 404);
});
