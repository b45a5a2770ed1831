// The fake OpenAI provider on its own: exact fixture bytes, headers, knobs, request records.
// Run: node --test tests/fakes/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { startFake, ROOT } from '../lib/harness.mjs';

const FIX = path.join(ROOT, 'tests/fixtures/providers/openai');
const fixture = (name) => fs.readFileSync(path.join(FIX, name), 'utf8');
const KEY = 'test-upstream-key';

let fake;
before(async () => { fake = await startFake({ args: ['--api-key', KEY] }); });
after(async () => { await fake?.stop(); });

function post(body, { key = KEY, prefix = '', signal, raw = false } = {}) {
  const headers = { 'content-type': 'application/json' };
  if (key !== null) headers.authorization = `Bearer ${key}`;
  return fetch(`${fake.url}${prefix}/v1/chat/completions`, {
    method: 'POST', headers, signal, body: raw ? body : JSON.stringify(body),
  });
}
const ask = (text, extra = {}) => ({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: text }], ...extra });
const streamAsk = (text, usage, extra = {}) => ask(text, {
  stream: true, ...(usage ? { stream_options: { include_usage: true } } : {}), ...extra,
});
const events = (text) => text.split('\n\n').filter(Boolean);
const lastRecord = async () => (await fake.requests()).at(-1);

function assertOpenAIHeaders(res, contentType) {
  assert.equal(res.headers.get('content-type'), contentType);
  assert.match(res.headers.get('x-request-id'), /^req_[0-9a-f]{32}$/);
  assert.match(res.headers.get('openai-processing-ms'), /^\d+$/);
}

test('prints exactly one ready line and stops cleanly on SIGTERM', async () => {
  const child = spawn(process.execPath, [path.join(ROOT, 'tests/fakes/fake-provider.mjs'), '--port', '0']);
  let out = '';
  child.stdout.on('data', (c) => { out += c; });
  await new Promise((resolve) => child.stdout.once('data', resolve));
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.match(out, /^fake provider listening on http:\/\/127\.0\.0\.1:\d+\n$/);
  const code = new Promise((resolve) => child.once('exit', (c) => resolve(c)));
  child.kill('SIGTERM');
  assert.equal(await code, 0);
});

test('non-stream default replays the text fixture byte for byte', async () => {
  const res = await post(ask('hello'));
  assert.equal(res.status, 200);
  assertOpenAIHeaders(res, 'application/json');
  assert.equal(await res.text(), fixture('chat-nonstream-text-after-tool-results.json'));
});

test('stream with include_usage replays the recording byte for byte', async () => {
  const res = await post(streamAsk('hello', true));
  assertOpenAIHeaders(res, 'text/event-stream; charset=utf-8');
  assert.equal(await res.text(), fixture('chat-stream-text-include-usage.sse'));
});

test('stream without include_usage replays the no-usage recording', async () => {
  const res = await post(streamAsk('hello', false));
  assert.equal(await res.text(), fixture('chat-stream-text-no-usage.sse'));
});

test('tool-call knobs select the tool fixtures; usage is stripped when not asked for', async () => {
  assert.equal(await (await post(ask('x [[fake:tool-call]]'))).text(), fixture('chat-nonstream-tool-call.json'));
  assert.equal(await (await post(ask('[[fake:parallel-tool-calls]]'))).text(),
    fixture('chat-nonstream-parallel-tool-calls.json'));
  assert.equal(await (await post(streamAsk('[[fake:tool-call]]', true))).text(), fixture('chat-stream-tool-call.sse'));
  assert.equal(await (await post(streamAsk('[[fake:parallel-tool-calls]]', true))).text(),
    fixture('chat-stream-parallel-tool-calls.sse'));

  const stripped = await (await post(streamAsk('[[fake:parallel-tool-calls]]', false))).text();
  assert.ok(!stripped.includes('"usage"'), 'no usage key at all without include_usage');
  const recorded = events(fixture('chat-stream-parallel-tool-calls.sse'));
  assert.equal(events(stripped).length, recorded.length - 1, 'only the usage event is dropped');
  assert.equal(events(stripped).at(-1), 'data: [DONE]');
});

test('text parts carry directives too, and a tool turn gets the text answer', async () => {
  const parts = { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: '[[fake:tool-call]]' }] }] };
  assert.equal(await (await post(parts)).text(), fixture('chat-nonstream-tool-call.json'));
  const turn2 = JSON.parse(fixture('chat-nonstream-text-after-tool-results.request.json'));
  assert.equal(await (await post(turn2)).text(), fixture('chat-nonstream-text-after-tool-results.json'));
  const res = await post({ ...turn2, stream: true, stream_options: { include_usage: true } });
  assert.equal(await res.text(), fixture('chat-stream-text-include-usage.sse'));
});

test('length: stream replays the length fixture; non-stream is a 400', async () => {
  assert.equal(await (await post(streamAsk('[[fake:length]]', true))).text(),
    fixture('chat-stream-length-reasoning-usage.sse'));
  const res = await post(ask('[[fake:length]]'));
  assert.equal(res.status, 400);
  assert.equal((await res.json()).error.type, 'invalid_request_error');
});

test('error knobs replay the error fixtures or a server_error body', async () => {
  const files = { 400: 'error-400-unsupported-parameter.json', 401: 'error-401-invalid-api-key.json',
    404: 'error-404-model-not-found.json', 429: 'error-429-rate-limit.json' };
  for (const [status, file] of Object.entries(files)) {
    const res = await post(ask(`[[fake:error=${status}]]`));
    assert.equal(res.status, Number(status));
    assertOpenAIHeaders(res, 'application/json; charset=utf-8');
    assert.equal(await res.text(), fixture(file));
  }
  for (const status of [500, 502, 503, 504, 529]) {
    const res = await post(streamAsk(`[[fake:error=${status}]]`, true));
    assert.equal(res.status, status);
    const text = await res.text();
    assert.match(text, /^\{\n {4}"error": \{\n {8}"message": /, 'OpenAI 4-space error layout');
    assert.deepEqual(Object.keys(JSON.parse(text).error), ['message', 'type', 'param', 'code']);
    assert.equal(JSON.parse(text).error.type, 'server_error');
  }
});

test('auth: missing, empty and wrong bearer tokens get the 401 fixture', async () => {
  for (const key of [null, '', 'wrong']) {
    const res = await post(ask('x'), { key });
    assert.equal(res.status, 401);
    assert.equal(await res.text(), fixture('error-401-invalid-api-key.json'));
  }
  const rec = await lastRecord();
  assert.equal(rec.authorized, false);
  assert.equal(rec.headers.authorization, '<redacted>');
});

test('bad bodies and bad directives are 400s in OpenAI error shape', async () => {
  for (const body of ['{nope', '[]', '{"messages":[{"role":"user","content":"x"}]}', '{"model":"m"}',
    '{"model":"m","messages":[]}', JSON.stringify(ask('[[fake:error=abc]]')), JSON.stringify(ask('[[fake:wat]]'))]) {
    const res = await post(body, { raw: true });
    assert.equal(res.status, 400, body);
    const err = (await res.json()).error;
    assert.equal(typeof err.message, 'string');
    assert.equal(err.type, 'invalid_request_error');
  }
});

test('routes: any prefix before /v1, models list, 404 elsewhere; the path is recorded', async () => {
  await post(ask('prefixed'), { prefix: '/cheap' });
  assert.equal((await lastRecord()).path, '/cheap/v1/chat/completions');
  const models = await fetch(`${fake.url}/pricey/v1/models`, { headers: { authorization: `Bearer ${KEY}` } });
  assert.equal(models.status, 200);
  const list = await models.json();
  assert.equal(list.object, 'list');
  assert.ok(list.data.every((m) => m.object === 'model' && typeof m.id === 'string'));
  const nowhere = await fetch(`${fake.url}/v1/embeddings`, { method: 'POST' });
  assert.equal(nowhere.status, 404);
  assert.equal((await nowhere.json()).error.message, 'Invalid URL (POST /v1/embeddings)');
});

test('cut-after=N sends N events then drops the connection; non-stream sends half the body', async () => {
  const res = await post(streamAsk('[[fake:cut-after=3]]', true));
  let text = '';
  const decoder = new TextDecoder();
  await assert.rejects(async () => {
    for await (const chunk of res.body) text += decoder.decode(chunk, { stream: true });
  });
  assert.equal(text, events(fixture('chat-stream-text-include-usage.sse')).slice(0, 3).map((e) => `${e}\n\n`).join(''));
  const rec = await lastRecord();
  assert.deepEqual([rec.completed, rec.aborted, rec.cut], [false, false, true]);

  const half = await post(ask('[[fake:cut-after=1]]'));
  assert.equal(half.status, 200);
  await assert.rejects(half.text());
});

test('delay-ms, chunk-delay-ms and repeat shape the timing and the length of a stream', async () => {
  const t0 = Date.now();
  const res = await post(streamAsk('[[fake:delay-ms=300]] [[fake:chunk-delay-ms=10]] [[fake:repeat=3]]', true));
  assert.ok(Date.now() - t0 >= 290, 'the head waits for delay-ms');
  const evs = events(await res.text());
  assert.ok(Date.now() - t0 >= 290 + 10 * (evs.length - 1) - 20, 'events are spaced by chunk-delay-ms');
  const recorded = events(fixture('chat-stream-text-include-usage.sse'));
  assert.equal(evs.length, recorded.length + 2 * 8, 'the 8 content deltas appear 3 times');
  const usage = JSON.parse(evs.at(-2).slice(6)).usage;
  assert.equal(usage.completion_tokens, 24);
  assert.equal(usage.total_tokens, 14 + 24);
});

test('no-usage ends with [DONE] but never sends usage', async () => {
  const text = await (await post(streamAsk('[[fake:no-usage]]', true))).text();
  assert.ok(!text.includes('"usage"'));
  assert.ok(text.endsWith('data: [DONE]\n\n'));
});

test('a peer that leaves mid-stream or during a hang is recorded as aborted at once', async () => {
  for (const knob of ['[[fake:repeat=100]] [[fake:chunk-delay-ms=20]] abort-me', '[[fake:hang]] abort-me']) {
    const ac = new AbortController();
    const res = post(streamAsk(knob, true), { signal: ac.signal });
    if (knob.includes('hang')) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    } else {
      const reader = (await res).body.getReader();
      await reader.read();
    }
    ac.abort();
    await res.then((r) => r.text()).catch(() => {});
    const t0 = Date.now();
    let rec;
    while (Date.now() - t0 < 2000) {
      rec = await lastRecord();
      if (rec.aborted) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(rec.aborted, true, knob);
    assert.equal(rec.completed, false, knob);
    assert.ok(rec.finishedAt >= rec.startedAt);
  }
});

test('records every chat request with its parsed body; reset clears them', async () => {
  await fake.reset();
  await (await post(ask('one'), { prefix: '/x' })).text();
  await (await post(streamAsk('two', true))).text();
  const recs = await fake.requests();
  assert.equal(recs.length, 2);
  assert.deepEqual(recs.map((r) => r.body.messages[0].content), ['one', 'two']);
  for (const r of recs) {
    assert.equal(r.method, 'POST');
    assert.equal(r.authorized, true);
    assert.equal(r.completed, true);
    assert.equal(r.aborted, false);
    assert.equal(r.headers.authorization, '<redacted>');
    assert.ok(r.finishedAt >= r.startedAt);
  }
  assert.ok(recs[1].id > recs[0].id);
  await fake.reset();
  assert.deepEqual(await fake.requests(), []);
});
