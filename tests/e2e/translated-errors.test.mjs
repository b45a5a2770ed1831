// Upstream failures of the translated providers as an OpenAI client sees them (docs/architecture.md §8.3
// statuses, docs/protocols.md §11 mapping): Anthropic 529 → 503, 429 → 429, the gateway's own
// provider key refused (Anthropic 401, Gemini 400 API_KEY_INVALID) → 502 and never "your key is
// bad", nothing charged for any of them; and errors after the first byte (an Anthropic
// `event: error`, a Gemini stream cut mid-way) end the stream with an error the SDK raises.
//
// A build that does not route the model fails these tests (assertTranslated throws).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { APIError, RateLimitError } from 'openai';

import { startFake, startTurnpike } from '../lib/harness.mjs';
import { assertError, chatJson, chatStream, contentOf, eventually } from '../lib/gateway.mjs';
import { UPSTREAM_KEY, getJson, openaiClient } from './helpers.mjs';
import {
  ANTHROPIC_MODEL,
  GEMINI_MODEL,
  geminiChunks,
  summarizeAnthropicStream,
  summarizeGemini,
  assertTranslated,
  upstreamRequests,
} from './translated-helpers.mjs';

const REVOKED = 'revoked-upstream-key';

let fake;
let tp;
let revoked; // a second gateway on the same fake, holding provider keys the fake refuses
before(async () => {
  fake = await startFake({ args: ['--api-key', UPSTREAM_KEY] });
  tp = await startTurnpike({ fake });
  revoked = await startTurnpike({ fake, env: { ANTHROPIC_API_KEY: REVOKED, GOOGLE_API_KEY: REVOKED } });
  await assertTranslated(tp, ANTHROPIC_MODEL);
  await assertTranslated(tp, GEMINI_MODEL);
});
after(async () => {
  if (process.env.TURNPIKE_TEST_LOG && tp) process.stderr.write(tp.output());
  await revoked?.stop();
  await tp?.stop();
  await fake?.stop();
});

let serial = 0;
const marker = (what) => `[e-${what}-${process.pid}-${++serial}]`;
const ask = (model, text, extra = {}) => ({ model, messages: [{ role: 'user', content: text }], ...extra });

async function keyUsage(server, key) {
  return (await getJson(`${server.gatewayUrl}/api/v1/key`, key)).data.usage;
}

// One upstream status → one client status, for the SDK (non-stream and stream) and on the wire
// (OpenRouter's error shape with an integer code). Returns the wire error.
async function expectStatus(server, key, model, directive, status, what) {
  const client = openaiClient(`${server.gatewayUrl}/api/v1`, key);
  const m = marker(what.replace(/\W+/g, '-'));
  const isStatus = (e) => {
    assert.ok(e instanceof APIError, `${what}: expected APIError, got ${e?.constructor?.name}: ${e?.message}`);
    assert.equal(e.status, status, `${what}: ${e.message}`);
    return true;
  };
  await assert.rejects(client.chat.completions.create(ask(model, `${directive} ${m}`)), isStatus);
  await assert.rejects((async () => {
    const s = await client.chat.completions.create(ask(model, `${directive} ${m}`, { stream: true, stream_options: { include_usage: true } }));
    for await (const c of s) void c; // an error before the first byte is an HTTP error, also for a stream
  })(), isStatus);
  const wire = assertError(await chatJson(server, key, ask(model, `${directive} ${m}`)), status, what);
  const provider = model.startsWith('anthropic/') ? 'anthropic' : 'gemini';
  assert.ok((await upstreamRequests(fake, provider, m)).length >= 3, `${what}: the upstream was called`);
  return wire;
}

describe('upstream errors before the first byte', () => {
  test('Anthropic 529 overloaded → 503; nothing charged', async (t) => {
    const { key } = await tp.account();
    await expectStatus(tp, key, ANTHROPIC_MODEL, '[[fake:error=529]]', 503, 'anthropic 529');
    assert.equal(await keyUsage(tp, key), 0, 'failed requests cost nothing');
  });

  test('upstream 429 → 429 (Anthropic rate_limit_error, Gemini RESOURCE_EXHAUSTED); nothing charged', async (t) => {
    const { key } = await tp.account();
    await expectStatus(tp, key, ANTHROPIC_MODEL, '[[fake:error=429]]', 429, 'anthropic 429');
    await expectStatus(tp, key, GEMINI_MODEL, '[[fake:error=429]]', 429, 'gemini 429');
    await assert.rejects(
      openaiClient(`${tp.gatewayUrl}/api/v1`, key).chat.completions.create(ask(GEMINI_MODEL, `[[fake:error=429]] ${marker('g429')}`)),
      (e) => e instanceof RateLimitError,
    );
    assert.equal(await keyUsage(tp, key), 0, 'failed requests cost nothing');
  });

  test('the gateway\'s Gemini key refused (400 API_KEY_INVALID) → 502, not blamed on the client; nothing charged', async (t) => {
    const { key } = await revoked.account();
    const wire = await expectStatus(revoked, key, GEMINI_MODEL, '', 502, 'gemini invalid key');
    assert.notEqual(wire.type, 'authentication_error', 'the client\'s key is fine');
    const recs = (await fake.requests()).filter((r) => r.provider === 'gemini' && r.body && JSON.stringify(r.body).includes('gemini-invalid-key'));
    assert.ok(recs.length > 0 && recs.every((r) => r.authorized === false), 'the fake refused the gateway\'s key');
    assert.equal(await keyUsage(revoked, key), 0, 'failed requests cost nothing');
  });

  test('the gateway\'s Anthropic key refused (401 authentication_error) → 502, not blamed on the client; nothing charged', async (t) => {
    const { key } = await revoked.account();
    const wire = await expectStatus(revoked, key, ANTHROPIC_MODEL, '', 502, 'anthropic invalid key');
    assert.notEqual(wire.type, 'authentication_error', 'the client\'s key is fine');
    assert.equal(await keyUsage(revoked, key), 0, 'failed requests cost nothing');
  });
});

describe('upstream errors after the first byte', () => {
  test('Anthropic `event: error` mid-stream: the SDK throws APIError after the first text; no retry; billed', async (t) => {
    const { key } = await tp.account();
    const client = openaiClient(`${tp.gatewayUrl}/api/v1`, key);
    const m = marker('a-midstream');
    const want = summarizeAnthropicStream('messages-stream-error-overloaded.sse');
    assert.equal(want.error?.type, 'overloaded_error');
    let text = '';
    const stream = await client.chat.completions.create(
      ask(ANTHROPIC_MODEL, `Pelican names [[fake:stream-error]] ${m}`, { stream: true, stream_options: { include_usage: true } }),
    );
    await assert.rejects((async () => {
      for await (const c of stream) text += c.choices?.[0]?.delta?.content ?? '';
    })(), (e) => {
      assert.ok(e instanceof APIError, `expected APIError, got ${e?.constructor?.name}: ${e?.message}`);
      assert.ok(typeof e.message === 'string' && e.message.length > 0);
      return true;
    });
    assert.equal(text, want.text, 'the text sent before the error arrives');
    assert.equal((await upstreamRequests(fake, 'anthropic', m)).length, 1, 'no silent retry after the first byte');
    // docs/architecture.md §3.9/§3.10: what was generated is billed (the exact amount — reported
    // or estimated — is the gateway's choice; the OpenAI-path tests check its bounds).
    await eventually(async () => (await keyUsage(tp, key)) > 0, { timeout: 5_000, what: 'the partial stream is billed' });
  });

  test('Gemini stream cut mid-way: the events so far, then an error chunk; the SDK throws; billed', async (t) => {
    const { key } = await tp.account();
    const recorded = geminiChunks('stream-generate-content-text.sse');
    const before = summarizeGemini(recorded.slice(0, 2)).text;

    // On the wire: [[fake:cut-after=2]] sends two chunks, then destroys the connection.
    const m = marker('g-cut');
    const s = await chatStream(tp, key, ask(GEMINI_MODEL, `[[fake:cut-after=2]] ${m}`, { stream_options: { include_usage: true } }));
    assert.equal(s.status, 200, 'the stream had started, so the status stays 200');
    const errIdx = s.events.findIndex((e) => e.error);
    assert.ok(errIdx >= 0, `an error chunk arrives: ${JSON.stringify(s.raw)}`);
    assert.equal(contentOf(s.events.slice(0, errIdx)), before, 'every delta sent before the cut arrives');
    const err = s.events[errIdx].error;
    assert.equal(typeof err.message, 'string');
    assert.ok(err.message.length > 0);
    assert.equal(contentOf(s.events.slice(errIdx + 1)), '', 'no content after the error chunk');
    assert.ok(!s.events.slice(errIdx + 1).some((e) => e.error), 'one error chunk');
    const up = await upstreamRequests(fake, 'gemini', m);
    assert.equal(up.length, 1, 'no silent retry after the first byte');
    assert.equal(up[0].cut, true);

    // Through the SDK: iteration throws once the error chunk arrives.
    const client = openaiClient(`${tp.gatewayUrl}/api/v1`, key);
    const stream = await client.chat.completions.create(
      ask(GEMINI_MODEL, `[[fake:cut-after=2]] ${marker('g-cut-sdk')}`, { stream: true }),
    );
    let text = '';
    await assert.rejects((async () => {
      for await (const c of stream) text += c.choices?.[0]?.delta?.content ?? '';
    })(), (e) => e instanceof APIError);
    assert.equal(text, before);
    await eventually(async () => (await keyUsage(tp, key)) > 0, { timeout: 5_000, what: 'the partial streams are billed' });
  });
});
