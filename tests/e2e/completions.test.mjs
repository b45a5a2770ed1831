// The official `openai` SDK's legacy completions → Turnpike's POST /api/v1/completions → the fake
// OpenAI provider's /v1/completions (a recorded gpt-3.5-turbo-instruct stream). The answer is the
// provider's, with OpenRouter's id, model, provider and usage.cost; each call is billed exactly and
// logged; models whose provider has no completions API are refused, in OpenRouter's error shape,
// with nothing billed.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';

import { assertUsdEquals, costMicros, getJson, modelPrices, openaiClient, markerMaker, useFakeAndTurnpike } from './helpers.mjs';
import { ANTHROPIC_MODEL, assertChargedMicros, oneUpstreamRequest } from './translated-helpers.mjs';

const MODEL = 'openai/gpt-3.5-turbo-instruct';

// The recorded stream's chunks, and what the fake says it used (tests/fakes/fake-provider.mjs).
const CHUNKS = fs.readFileSync(new URL('../fixtures/providers/openai/completions-stream-logprobs.sse', import.meta.url),
  'utf8').split('\n\n').filter((e) => e && e !== 'data: [DONE]').map((e) => JSON.parse(e.slice('data: '.length)));
const TEXT = CHUNKS.map((c) => c.choices[0].text).join('');
const FAKE_USAGE = { prompt_tokens: 14, completion_tokens: 16, total_tokens: 30 };

let fake;
let tp;
useFakeAndTurnpike((f, t) => {
  fake = f;
  tp = t;
});
const marker = markerMaker();

describe('legacy completions', () => {
  let key;
  let client;
  let prices;
  let charged = 0n;
  before(async () => {
    ({ key } = await tp.account({ credits: '5' }));
    client = openaiClient(`${tp.gatewayUrl}/api/v1`, key);
    prices = await modelPrices(tp.gatewayUrl, key, MODEL);
  });

  test('completions.create: the provider\'s text, OpenRouter\'s id and usage.cost, billed and logged', async () => {
    const m = marker('create');
    const { data, response } = await client.completions.create({
      model: MODEL, prompt: `Translate to Italian: I love cars ${m}`, temperature: 0,
    }).withResponse();
    assert.equal(data.object, 'text_completion');
    assert.equal(data.choices[0].text, TEXT);
    assert.equal(data.choices[0].finish_reason, 'length');
    assert.equal(data.model, MODEL);
    assert.equal(data.provider, 'OpenAI');
    assert.match(data.id, /^gen-/);
    assert.equal(data.id, response.headers.get('x-request-id'));
    const micros = costMicros(FAKE_USAGE, prices);
    assertUsdEquals(data.usage.cost, micros, 'usage.cost');
    assert.equal(data.usage.prompt_tokens, FAKE_USAGE.prompt_tokens);
    charged += micros;

    const up = await oneUpstreamRequest(fake, 'openai', m);
    assert.equal(up.path, '/v1/completions');
    assert.equal(up.body.model, 'gpt-3.5-turbo-instruct');
    assert.equal(up.body.prompt, `Translate to Italian: I love cars ${m}`);
    assert.equal(up.body.max_tokens, 16, 'OpenAI\'s default max_tokens, written so the hold bounds it');
    assert.equal(up.body.temperature, 0);

    const g = await getJson(`${tp.gatewayUrl}/api/v1/generation?id=${data.id}`, key);
    assert.equal(g.data.model, MODEL);
    assert.equal(g.data.tokens_completion, FAKE_USAGE.completion_tokens);
    assertUsdEquals(g.data.total_cost, micros, 'generation total_cost');
  });

  test('streamed: the recorded chunks with OpenRouter\'s id, a usage chunk with cost, [DONE]', async () => {
    const m = marker('stream');
    const stream = await client.completions.create({ model: MODEL, prompt: `Stream ${m}`, stream: true, max_tokens: 40 });
    let text = '';
    let usage = null;
    const ids = new Set();
    for await (const chunk of stream) {
      ids.add(chunk.id);
      for (const c of chunk.choices) text += c.text;
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, TEXT);
    assert.equal(ids.size, 1, 'one id in every chunk');
    assert.match([...ids][0], /^gen-/);
    assert.ok(usage, 'a usage chunk, though the client did not ask');
    const micros = costMicros(FAKE_USAGE, prices);
    assertUsdEquals(usage.cost, micros, 'stream usage.cost');
    charged += micros;
    const up = await oneUpstreamRequest(fake, 'openai', m);
    assert.equal(up.body.stream, true);
    assert.deepEqual(up.body.stream_options, { include_usage: true });
    assert.equal(up.body.max_tokens, 40);
  });

  test('a model whose provider has no completions API for it: the provider\'s refusal, nothing billed', async () => {
    await assert.rejects(client.completions.create({ model: 'openai/gpt-4o-mini', prompt: 'hi' }),
      (err) => err.status >= 400 && /chat model and not supported in the v1\/completions endpoint/.test(err.message));
  });

  test('a provider without the API (Anthropic): 400, nothing billed', async () => {
    await assert.rejects(client.completions.create({ model: ANTHROPIC_MODEL, prompt: 'hi' }),
      (err) => err.status === 400 && /does not offer the legacy completions API/.test(err.message));
  });

  for (const [what, body, pattern] of [
    ['no prompt', { model: MODEL }, /'prompt' is required/],
    ['a prompt of the wrong type', { model: MODEL, prompt: 5 }, /'prompt' must be/],
    ['an empty prompt list', { model: MODEL, prompt: [] }, /'prompt' must be/],
    ['n out of range', { model: MODEL, prompt: 'x', n: 0 }, /'n' must be/],
    ['too many completions', { model: MODEL, prompt: ['a', 'b', 'c'], n: 50 }, /at most 128/],
    ['negative max_tokens', { model: MODEL, prompt: 'x', max_tokens: -1 }, /'max_tokens'/],
    ['no model', { prompt: 'x' }, /'model' is required/],
    ['an unknown model', { model: 'nope/none', prompt: 'x' }, /not a valid model ID/],
  ]) {
    test(`bad input, ${what}: 400 in OpenRouter's shape`, async () => {
      const res = await fetch(`${tp.gatewayUrl}/api/v1/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = await res.json();
      assert.equal(res.status, 400, JSON.stringify(json));
      assert.equal(json.error.code, 400);
      assert.match(json.error.message, pattern);
    });
  }

  test('the key was charged exactly the sum of the answered calls', async () => {
    await assertChargedMicros(tp.gatewayUrl, key, charged, 'completions');
  });
});
