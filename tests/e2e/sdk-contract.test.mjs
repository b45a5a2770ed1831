// What the official SDKs accept, checked offline against their own schemas and parsers (no server).
// These are the shapes the gateway must emit; the e2e tests then check the gateway really does.
// Sources: node_modules/@openrouter/sdk/esm/models/{chatresult,chatstreamchunk,chatusage,model,
// modelslistresponse,...}.js, models/operations/{getcurrentkey,getcredits}.js, lib/matchers.js;
// node_modules/openai/core/streaming.js, core/error.js.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';

import { ChatResult$inboundSchema } from '@openrouter/sdk/models/chatresult.js';
import { ChatStreamChunk$inboundSchema } from '@openrouter/sdk/models/chatstreamchunk.js';
import { ModelsListResponse$inboundSchema } from '@openrouter/sdk/models/modelslistresponse.js';
import { GetCurrentKeyResponse$inboundSchema } from '@openrouter/sdk/models/operations/getcurrentkey.js';
import { GetCreditsResponse$inboundSchema } from '@openrouter/sdk/models/operations/getcredits.js';
import {
  NotFoundResponseError,
  PaymentRequiredResponseError,
  ResponseValidationError,
} from '@openrouter/sdk/models/errors';
import { APIError } from 'openai';

import {
  fixtures,
  openaiClient,
  openrouterClient,
  readSseFixture,
  usdPerTokenToMicrosPerMillion,
  costMicros,
} from './helpers.mjs';

const ok = (schema, value, what) => {
  const r = schema.safeParse(value);
  assert.ok(r.success, `${what} rejected: ${r.success ? '' : JSON.stringify(r.error.issues)}`);
  return r.data;
};
const rejected = (schema, value, what) => {
  const r = schema.safeParse(value);
  assert.ok(!r.success, `${what} unexpectedly accepted`);
  return r.error.issues;
};

// Gateway-shaped examples (minimal: every field here is required by @openrouter/sdk unless marked).
const usage = {
  prompt_tokens: 14,
  completion_tokens: 8,
  total_tokens: 22,
  cost: 0.000007, // optional for the schema, but the gateway always sends it (USD, a number)
  prompt_tokens_details: { cached_tokens: 0 }, // optional
  completion_tokens_details: { reasoning_tokens: 0 }, // optional
};
const chunkBase = {
  id: 'gen-abc',
  object: 'chat.completion.chunk',
  created: 1754688929,
  model: 'openai/gpt-4o-mini',
};
const modelEntry = {
  id: 'openai/gpt-4o-mini',
  canonical_slug: 'openai/gpt-4o-mini',
  name: 'OpenAI: GPT-4o-mini',
  created: 1721260800,
  context_length: 128000,
  architecture: { modality: 'text+image->text', input_modalities: ['text', 'image'], output_modalities: ['text'] },
  pricing: { prompt: '0.00000015', completion: '0.0000006' },
  top_provider: { is_moderated: false },
  per_request_limits: null,
  supported_parameters: ['tools', 'tool_choice', 'max_tokens', 'stream_options'],
  default_parameters: null,
  supported_voices: null,
  links: { details: '/api/v1/models/openai/gpt-4o-mini/endpoints' },
};
const keyData = {
  label: 'sk-tp-…abcd',
  usage: 0.000031,
  usage_daily: 0.000031,
  usage_weekly: 0.000031,
  usage_monthly: 0.000031,
  limit: null,
  limit_remaining: null,
  limit_reset: null,
  is_free_tier: false,
  is_management_key: false,
  is_provisioning_key: false,
  include_byok_in_limit: false,
  byok_usage: 0,
  byok_usage_daily: 0,
  byok_usage_weekly: 0,
  byok_usage_monthly: 0,
  allowed_data_regions: ['global'],
  creator_user_id: null,
  organization_id: null,
  workspace_id: null,
  free_model_daily_requests: { limit: 0, remaining: 0, used: 0 },
  rate_limit: { requests: 60, tokens: -1, interval: '1m', note: 'Per key, over a sliding minute: requests 60, tokens unlimited' },
};

describe('@openrouter/sdk: chat completion (non-stream)', () => {
  test('recorded OpenAI responses are accepted as they are', () => {
    ok(ChatResult$inboundSchema, fixtures.text, 'text fixture');
    ok(ChatResult$inboundSchema, fixtures.toolCall, 'tool-call fixture');
  });
  test('object, created (int), id, model, choices[].{index,message.role,finish_reason} and system_fingerprint (may be null) are required', () => {
    const minimal = {
      id: 'gen-1',
      object: 'chat.completion',
      created: 1,
      model: 'openai/gpt-4o-mini',
      system_fingerprint: null,
      choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
      usage,
    };
    const parsed = ok(ChatResult$inboundSchema, minimal, 'minimal');
    assert.equal(parsed.usage.cost, usage.cost);
    for (const field of ['id', 'object', 'created', 'model', 'system_fingerprint', 'choices']) {
      const copy = { ...minimal };
      delete copy[field];
      rejected(ChatResult$inboundSchema, copy, `without ${field}`);
    }
    rejected(ChatResult$inboundSchema, { ...minimal, object: 'chat.completion.chunk' }, 'wrong object');
    rejected(ChatResult$inboundSchema, { ...minimal, created: 1.5 }, 'non-integer created');
    const noFinish = structuredClone(minimal);
    delete noFinish.choices[0].finish_reason;
    rejected(ChatResult$inboundSchema, noFinish, 'choice without finish_reason key');
    rejected(ChatResult$inboundSchema, { ...minimal, usage: null }, 'usage: null');
    rejected(ChatResult$inboundSchema, { ...minimal, usage: { ...usage, cost: '0.000007' } }, 'cost as a string');
  });
});

describe('@openrouter/sdk: stream chunks', () => {
  test('raw OpenAI chunks are NOT accepted: "usage": null and "system_fingerprint": null fail', () => {
    const raw = readSseFixture('chat-stream-text-include-usage.sse');
    const issues = rejected(ChatStreamChunk$inboundSchema, raw[0], 'raw first chunk');
    assert.deepEqual(issues.map((i) => i.path.join('.')), ['usage']);
    const noUsage = readSseFixture('chat-stream-text-no-usage.sse');
    const issues2 = rejected(ChatStreamChunk$inboundSchema, noUsage[0], 'raw chunk with system_fingerprint null');
    assert.deepEqual(issues2.map((i) => i.path.join('.')), ['system_fingerprint']);
  });
  test('the same chunks with null usage/system_fingerprint left out are accepted', () => {
    for (const name of ['chat-stream-text-include-usage.sse', 'chat-stream-tool-call.sse', 'chat-stream-text-no-usage.sse',
      'chat-stream-parallel-tool-calls.sse', 'chat-stream-length-reasoning-usage.sse']) {
      for (const chunk of readSseFixture(name)) {
        const c = { ...chunk };
        if (c.usage === null) delete c.usage;
        if (c.system_fingerprint === null) delete c.system_fingerprint;
        ok(ChatStreamChunk$inboundSchema, c, `${name} chunk`);
      }
    }
  });
  test('content, finish and usage chunks as the gateway should send them', () => {
    ok(ChatStreamChunk$inboundSchema, { ...chunkBase, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }, 'role chunk');
    ok(ChatStreamChunk$inboundSchema, { ...chunkBase, choices: [{ index: 0, delta: { content: 'The' }, finish_reason: null }] }, 'content chunk');
    ok(ChatStreamChunk$inboundSchema, { ...chunkBase, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }, 'finish chunk');
    const u = ok(ChatStreamChunk$inboundSchema, { ...chunkBase, choices: [], usage }, 'usage chunk');
    assert.equal(u.usage.cost, usage.cost);
    // Every chunk needs id, object, created, model, choices; each choice needs index, delta, finish_reason (may be null).
    for (const field of ['id', 'object', 'created', 'model', 'choices']) {
      const c = { ...chunkBase, choices: [], usage };
      delete c[field];
      rejected(ChatStreamChunk$inboundSchema, c, `usage chunk without ${field}`);
    }
    rejected(ChatStreamChunk$inboundSchema, { ...chunkBase, choices: [{ index: 0, delta: { content: 'x' } }] }, 'choice without finish_reason');
    rejected(ChatStreamChunk$inboundSchema, { ...chunkBase, choices: [{ index: 0, finish_reason: null }] }, 'choice without delta');
  });
  test('a mid-stream error is a full chunk carrying error{code:int,message}; a bare {"error":…} is rejected', () => {
    const errChunk = {
      ...chunkBase,
      choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }],
      error: { code: 502, message: 'upstream failed', metadata: { error_type: 'provider_unavailable' } },
    };
    const parsed = ok(ChatStreamChunk$inboundSchema, errChunk, 'error chunk');
    assert.equal(parsed.error.code, 502);
    rejected(ChatStreamChunk$inboundSchema, { error: { code: 502, message: 'x' } }, 'bare error event');
    rejected(ChatStreamChunk$inboundSchema, { ...errChunk, error: { code: 'server_error', message: 'x' } }, 'string error code');
  });
});

describe('@openrouter/sdk: GET /models, /key, /credits', () => {
  test('models list: {data, links:{next}, total_count} and the required fields of an entry', () => {
    const parsed = ok(ModelsListResponse$inboundSchema, { data: [modelEntry], links: { next: null }, total_count: 1 }, 'models list');
    assert.equal(parsed.data[0].pricing.prompt, '0.00000015');
    rejected(ModelsListResponse$inboundSchema, { data: [modelEntry] }, 'list without links/total_count');
    const required = ['id', 'canonical_slug', 'name', 'created', 'context_length', 'architecture', 'pricing', 'top_provider',
      'per_request_limits', 'supported_parameters', 'default_parameters', 'supported_voices', 'links'];
    for (const field of required) {
      const e = { ...modelEntry };
      delete e[field];
      rejected(ModelsListResponse$inboundSchema, { data: [e], links: { next: null }, total_count: 1 }, `entry without ${field}`);
    }
    const numericPrice = { ...modelEntry, pricing: { prompt: 0.00000015, completion: '0.0000006' } };
    rejected(ModelsListResponse$inboundSchema, { data: [numericPrice], links: { next: null }, total_count: 1 }, 'numeric price');
    const noModeration = { ...modelEntry, top_provider: {} };
    rejected(ModelsListResponse$inboundSchema, { data: [noModeration], links: { next: null }, total_count: 1 }, 'top_provider without is_moderated');
  });
  test('GET /key: data with every field of OpenRouter\'s key object', () => {
    const parsed = ok(GetCurrentKeyResponse$inboundSchema, { data: keyData }, 'key');
    assert.equal(parsed.data.usage, keyData.usage);
    for (const field of Object.keys(keyData)) {
      const d = { ...keyData };
      delete d[field];
      rejected(GetCurrentKeyResponse$inboundSchema, { data: d }, `key without ${field}`);
    }
    ok(GetCurrentKeyResponse$inboundSchema, { data: { ...keyData, expires_at: null, disabled: false } }, 'extra/optional fields');
  });
  test('GET /credits: data.total_credits and data.total_usage (numbers)', () => {
    ok(GetCreditsResponse$inboundSchema, { data: { total_credits: 10, total_usage: 0.000031 } }, 'credits');
    rejected(GetCreditsResponse$inboundSchema, { data: { total_credits: '10', total_usage: 0 } }, 'string credits');
  });
});

// Error bodies go through the SDKs' HTTP layer, so serve them from a throw-away local server.
describe('error bodies through both SDKs', () => {
  const serve = async (status, body, contentType = 'application/json') => {
    const srv = http.createServer((req, res) => {
      req.resume();
      res.writeHead(status, { 'content-type': contentType });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    });
    await new Promise((r) => srv.listen(0, '127.0.0.1', r));
    return { url: `http://127.0.0.1:${srv.address().port}/api/v1`, close: () => new Promise((r) => srv.close(r)) };
  };
  const chat = { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };

  test('{"error":{"code":402,"message"}} -> PaymentRequiredResponseError / openai APIError(402)', async () => {
    const s = await serve(402, { error: { code: 402, message: 'Insufficient credits', type: 'insufficient_credits', param: null } });
    try {
      await assert.rejects(openrouterClient(s.url, 'k').chat.send({ chatRequest: chat }), (e) => {
        assert.ok(e instanceof PaymentRequiredResponseError, e.constructor.name);
        assert.equal(e.statusCode, 402);
        assert.equal(e.error.code, 402);
        assert.equal(e.message, 'Insufficient credits');
        return true;
      });
      await assert.rejects(openaiClient(s.url, 'k').chat.completions.create(chat), (e) => {
        assert.ok(e instanceof APIError);
        assert.equal(e.status, 402);
        assert.equal(e.code, 402);
        assert.equal(e.type, 'insufficient_credits');
        assert.equal(e.message, '402 Insufficient credits');
        return true;
      });
    } finally {
      await s.close();
    }
  });

  test('an OpenAI-style string code breaks @openrouter/sdk (ResponseValidationError); so does a non-JSON content type', async () => {
    const s = await serve(404, { error: { message: 'no such model', type: 'invalid_request_error', param: null, code: 'model_not_found' } });
    try {
      await assert.rejects(openrouterClient(s.url, 'k').chat.send({ chatRequest: chat }), (e) => e instanceof ResponseValidationError);
    } finally {
      await s.close();
    }
    const t = await serve(404, { error: { code: 404, message: 'no such model' } }, 'text/plain');
    try {
      await assert.rejects(openrouterClient(t.url, 'k').chat.send({ chatRequest: chat }),
        (e) => !(e instanceof NotFoundResponseError) && e.statusCode === 404);
    } finally {
      await t.close();
    }
  });

  test('openai SDK: a data event with "error" mid-stream throws APIError (status undefined)', async () => {
    const chunk = (delta, finish = null) => JSON.stringify({ ...chunkBase, choices: [{ index: 0, delta, finish_reason: finish }] });
    const body = `data: ${chunk({ role: 'assistant', content: '' })}\n\n` +
      `data: ${chunk({ content: 'Hel' })}\n\n` +
      `data: ${JSON.stringify({ ...chunkBase, choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }], error: { code: 502, message: 'upstream failed' } })}\n\n` +
      'data: [DONE]\n\n';
    const s = await serve(200, body, 'text/event-stream');
    try {
      const stream = await openaiClient(s.url, 'k').chat.completions.create({ ...chat, stream: true });
      let text = '';
      await assert.rejects(async () => {
        for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
      }, (e) => {
        assert.ok(e instanceof APIError);
        assert.equal(e.status, undefined);
        assert.equal(e.code, 502);
        assert.equal(e.message, 'upstream failed');
        return true;
      });
      assert.equal(text, 'Hel');
      // @openrouter/sdk does not throw: it yields the chunk with .error and finishReason "error".
      const or = await openrouterClient(s.url, 'k').chat.send({ chatRequest: { ...chat, stream: true } });
      const seen = [];
      for await (const c of or) seen.push(c);
      assert.equal(seen.at(-1).error.code, 502);
      assert.equal(seen.at(-1).choices[0].finishReason, 'error');
    } finally {
      await s.close();
    }
  });
});

describe('money helpers', () => {
  test('USD-per-token strings convert exactly to micro-USD per million tokens', () => {
    assert.equal(usdPerTokenToMicrosPerMillion('0.00000015'), 150000n);
    assert.equal(usdPerTokenToMicrosPerMillion('0.0000006'), 600000n);
    assert.equal(usdPerTokenToMicrosPerMillion('0.000003'), 3000000n);
    assert.equal(usdPerTokenToMicrosPerMillion('0'), 0n);
    assert.equal(usdPerTokenToMicrosPerMillion('15'), 15_000_000_000_000n);
    assert.equal(usdPerTokenToMicrosPerMillion('0.000000000001'), 1n);
    assert.throws(() => usdPerTokenToMicrosPerMillion('0.0000000000001'));
    assert.throws(() => usdPerTokenToMicrosPerMillion('1.5e-7'));
    assert.throws(() => usdPerTokenToMicrosPerMillion(0.00000015));
  });
  test('cost rounds up to whole micro-USD', () => {
    const prices = { input: 150000n, output: 600000n, cacheRead: 75000n };
    // 14*0.15 + 8*0.6 = 2.1 + 4.8 = 6.9 micro-USD -> 7
    assert.equal(costMicros({ prompt_tokens: 14, completion_tokens: 8 }, prices), 7n);
    // 146*0.15 + 3*0.6 = 21.9 + 1.8 = 23.7 -> 24
    assert.equal(costMicros({ prompt_tokens: 146, completion_tokens: 3 }, prices), 24n);
    assert.equal(costMicros({ prompt_tokens: 0, completion_tokens: 0 }, prices), 0n);
    // cached tokens at the cache-read price: 100 prompt of which 40 cached: 60*0.15 + 40*0.075 = 12 -> 12
    assert.equal(costMicros({ prompt_tokens: 100, completion_tokens: 0, prompt_tokens_details: { cached_tokens: 40 } }, prices), 12n);
  });
});
