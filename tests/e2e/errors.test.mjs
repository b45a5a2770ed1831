// Gateway errors as the official SDKs surface them: {"error":{"code":<int status>,"message",...}}
// with application/json, so the openai SDK throws APIError(status) and @openrouter/sdk throws its
// typed *ResponseError (it throws ResponseValidationError instead if `code` is not an integer).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { APIError, AuthenticationError, BadRequestError } from 'openai';
import {
  BadRequestResponseError,
  PaymentRequiredResponseError,
  UnauthorizedResponseError,
} from '@openrouter/sdk/models/errors';

import { startFake, startTurnpike } from '../lib/harness.mjs';
import { MODEL, UPSTREAM_KEY, getJson, openaiClient, openrouterClient } from './helpers.mjs';

const UNKNOWN_MODEL = 'openai/no-such-model-xyz';
const messages = [{ role: 'user', content: 'Say hi' }];

// The wire body of an error response, checked for the documented shape.
async function wireError(url, apiKey, body, status) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  assert.equal(res.status, status, text);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json\b/i);
  const json = JSON.parse(text);
  assert.equal(json.error.code, status, 'error.code is the HTTP status as an integer');
  assert.equal(typeof json.error.message, 'string');
  assert.ok(json.error.message.length > 0);
  return json.error;
}

describe('gateway errors through the SDKs', () => {
  let fake;
  let tp;
  let broke;
  let funded;
  let api;

  const upstreamCalls = async () => (await fake.requests()).filter((r) => r.path.includes('/chat/completions')).length;

  before(async () => {
    fake = await startFake({ args: ['--api-key', UPSTREAM_KEY] });
    tp = await startTurnpike({ fake });
    broke = await tp.account({ credits: '0' });
    funded = await tp.account({ credits: '10' });
    api = `${tp.gatewayUrl}/api/v1`;
  });
  after(async () => {
    await tp?.stop();
    await fake?.stop();
  });

  test('no credits: 402 from both SDKs (non-stream and stream), before any upstream call', async () => {
    const before = await upstreamCalls();
    const openai = openaiClient(api, broke.key);
    const check402 = (e) => {
      assert.ok(e instanceof APIError, `expected APIError, got ${e?.constructor?.name}: ${e?.message}`);
      assert.equal(e.status, 402);
      assert.equal(e.code, 402);
      return true;
    };
    await assert.rejects(openai.chat.completions.create({ model: MODEL, messages }), check402);
    await assert.rejects(
      openai.chat.completions.create({ model: MODEL, messages, stream: true, stream_options: { include_usage: true } }),
      check402,
    );
    await assert.rejects(openrouterClient(api, broke.key).chat.send({ chatRequest: { model: MODEL, messages } }), (e) => {
      assert.ok(e instanceof PaymentRequiredResponseError, `expected PaymentRequiredResponseError, got ${e?.constructor?.name}: ${e?.message}`);
      assert.equal(e.statusCode, 402);
      assert.equal(e.error.code, 402);
      return true;
    });
    await wireError(`${api}/chat/completions`, broke.key, { model: MODEL, messages }, 402);
    assert.equal(await upstreamCalls(), before, 'a request that cannot be paid for never reaches the provider');
  });

  test('unknown model: 400 "… is not a valid model ID" from both SDKs, as OpenRouter answers, nothing charged', async () => {
    await assert.rejects(openaiClient(api, funded.key).chat.completions.create({ model: UNKNOWN_MODEL, messages }), (e) => {
      assert.ok(e instanceof BadRequestError, `expected BadRequestError, got ${e?.constructor?.name}: ${e?.message}`);
      assert.equal(e.status, 400);
      assert.equal(e.code, 400);
      assert.match(e.message, /openai\/no-such-model-xyz is not a valid model ID/);
      return true;
    });
    await assert.rejects(
      openrouterClient(api, funded.key).chat.send({ chatRequest: { model: UNKNOWN_MODEL, messages, stream: true } }),
      (e) => {
        assert.ok(e instanceof BadRequestResponseError, `expected BadRequestResponseError, got ${e?.constructor?.name}: ${e?.message}`);
        assert.equal(e.statusCode, 400);
        assert.equal(e.error.code, 400);
        return true;
      },
    );
    await wireError(`${api}/chat/completions`, funded.key, { model: UNKNOWN_MODEL, messages }, 400);
    const key = await getJson(`${api}/key`, funded.key);
    assert.equal(key.data.usage, 0, 'failed requests cost nothing');
  });

  test('bad key: 401 from both SDKs', async () => {
    const bad = 'sk-tp-not-a-real-key-0000000000000000';
    await assert.rejects(openaiClient(api, bad).chat.completions.create({ model: MODEL, messages }), (e) => {
      assert.ok(e instanceof AuthenticationError, `expected AuthenticationError, got ${e?.constructor?.name}: ${e?.message}`);
      assert.equal(e.status, 401);
      return true;
    });
    await assert.rejects(openrouterClient(api, bad).chat.send({ chatRequest: { model: MODEL, messages } }), (e) => {
      assert.ok(e instanceof UnauthorizedResponseError, `expected UnauthorizedResponseError, got ${e?.constructor?.name}: ${e?.message}`);
      assert.equal(e.statusCode, 401);
      assert.equal(e.error.code, 401);
      return true;
    });
    await wireError(`${api}/chat/completions`, bad, { model: MODEL, messages }, 401);
  });
});
