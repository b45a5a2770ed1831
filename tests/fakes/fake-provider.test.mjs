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
  const nowhere = await fetch(`${fake.url}/v1/audio/speech`, { method: 'POST' });
  assert.equal(nowhere.status, 404);
  assert.equal((await nowhere.json()).error.message, 'Invalid URL (POST /v1/audio/speech)');
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

  // Without chunk-delay-ms the repeated stream goes out in slices: the same events.
  const sliced = events(await (await post(streamAsk('[[fake:repeat=3]]', true))).text());
  assert.deepEqual(sliced, evs);
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

test('sent: the stream bytes the OS accepted; a big stream read slowly stops short until it is drained', async () => {
  const small = await post(streamAsk('sent small', true));
  const smallLength = Buffer.byteLength(await small.text());
  assert.equal((await lastRecord()).sent, smallLength);

  // ~50 MB: more than the loopback socket buffers hold, so the fake must wait for the reader.
  const res = await post(streamAsk('[[fake:repeat=20000]] sent big', true));
  const reader = res.body.getReader();
  let read = (await reader.read()).value.length;
  await new Promise((resolve) => setTimeout(resolve, 300));
  const paused = await lastRecord();
  assert.equal(paused.completed, false, 'not completed while the reader waits');
  assert.ok(paused.sent > 0, 'some of it went out');
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    read += value.length;
  }
  const rec = await lastRecord();
  console.log(`sent: ${paused.sent} of ${read} bytes while the reader paused`);
  assert.ok(paused.sent < read / 2, `sent ${paused.sent} stays well short of ${read} while the reader paused`);
  assert.deepEqual([rec.completed, rec.sent], [true, read]);
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

// =============================================================================================
// Anthropic: POST <prefix>/v1/messages

const AFIX = path.join(ROOT, 'tests/fixtures/providers/anthropic');
const afixture = (name) => fs.readFileSync(path.join(AFIX, name), 'utf8');
const ANTHROPIC_REQUEST_ID = /^req_011C[1-9A-HJ-NP-Za-km-z]{20}$/;

function postAnthropic(body, { key = KEY, version = '2023-06-01', prefix = '', headers = {}, signal, raw = false } = {}) {
  const h = { 'content-type': 'application/json', ...headers };
  if (key !== null) h['x-api-key'] = key;
  if (version !== null) h['anthropic-version'] = version;
  return fetch(`${fake.url}${prefix}/v1/messages`, { method: 'POST', headers: h, signal, body: raw ? body : JSON.stringify(body) });
}
const aAsk = (text, extra = {}) => ({
  model: 'claude-sonnet-4-5', max_tokens: 1024, messages: [{ role: 'user', content: text }], ...extra,
});
const aStream = (text, extra = {}) => aAsk(text, { stream: true, ...extra });

async function readUntilError(res) {
  let text = '';
  const decoder = new TextDecoder();
  await assert.rejects(async () => {
    for await (const chunk of res.body) text += decoder.decode(chunk, { stream: true });
  }, 'the connection is dropped');
  return text;
}

test('anthropic: stream and non-stream defaults replay the recordings byte for byte, with Anthropic headers', async () => {
  const s = await postAnthropic(aStream('hello'));
  assert.equal(s.status, 200);
  assert.equal(s.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  assert.equal(s.headers.get('cache-control'), 'no-cache');
  assert.match(s.headers.get('request-id'), ANTHROPIC_REQUEST_ID);
  assert.equal(await s.text(), afixture('messages-stream-text.sse'));

  const n = await postAnthropic(aAsk('hello'));
  assert.equal(n.status, 200);
  assert.equal(n.headers.get('content-type'), 'application/json');
  assert.match(n.headers.get('request-id'), ANTHROPIC_REQUEST_ID);
  assert.equal(await n.text(), afixture('messages-nonstream-cache-usage.json'));

  // Text blocks carry directives too.
  const blocks = aStream('', { messages: [{ role: 'user', content: [{ type: 'text', text: '[[fake:thinking]]' }] }] });
  assert.equal(await (await postAnthropic(blocks)).text(), afixture('messages-stream-thinking.sse'));
});

test('anthropic: knobs select the stream and non-stream fixtures', async () => {
  const streams = {
    '[[fake:tool-call]]': 'messages-stream-tool-use.sse',
    '[[fake:parallel-tool-calls]]': 'messages-stream-parallel-tool-use.sse',
    '[[fake:thinking]]': 'messages-stream-thinking.sse',
    '[[fake:stop-sequence]]': 'messages-stream-stop-sequence.sse',
    '[[fake:stream-error]]': 'messages-stream-error-overloaded.sse',
  };
  for (const [knob, file] of Object.entries(streams)) {
    const res = await postAnthropic(aStream(`x ${knob}`));
    assert.equal(res.status, 200, knob);
    assert.equal(await res.text(), afixture(file), knob);
  }
  for (const knob of ['[[fake:tool-call]]', '[[fake:parallel-tool-calls]]']) {
    assert.equal(await (await postAnthropic(aAsk(knob))).text(), afixture('messages-nonstream-parallel-tool-use.json'), knob);
  }
  // No non-stream recording exists for these: a 400, never an invented body.
  for (const knob of ['[[fake:thinking]]', '[[fake:stop-sequence]]', '[[fake:stream-error]]']) {
    const res = await postAnthropic(aAsk(knob));
    assert.equal(res.status, 400, knob);
    const body = await res.json();
    assert.equal(body.type, 'error');
    assert.equal(body.error.type, 'invalid_request_error');
  }
});

test('anthropic: a last message holding tool_result blocks gets the text answers', async () => {
  const messages = [
    { role: 'user', content: 'Name two pelicans [[fake:parallel-tool-calls]]' },
    { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'pelican_name_generator', input: {} }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'Percy' }, { type: 'text', text: '[[fake:tool-call]]' }] },
  ];
  assert.equal(await (await postAnthropic(aAsk('', { messages }))).text(), afixture('messages-nonstream-cache-usage.json'));
  assert.equal(await (await postAnthropic(aStream('', { messages }))).text(), afixture('messages-stream-text.sse'));
});

test('anthropic: error knobs replay the error fixtures with their status, request-id and x-should-retry', async () => {
  const files = { 400: 'error-400-invalid-request.json', 401: 'error-401-authentication.json',
    429: 'error-429-rate-limit.json', 529: 'error-529-overloaded.json' };
  for (const [status, file] of Object.entries(files)) {
    for (const body of [aAsk(`[[fake:error=${status}]]`), aStream(`[[fake:error=${status}]]`)]) {
      const res = await postAnthropic(body);
      assert.equal(res.status, Number(status));
      assert.equal(res.headers.get('content-type'), 'application/json');
      const text = await res.text();
      assert.equal(text, afixture(file));
      assert.equal(res.headers.get('request-id'), JSON.parse(text).request_id, 'the header matches the body');
      assert.equal(res.headers.get('x-should-retry'), ['429', '529'].includes(status) ? 'true' : 'false', status);
    }
  }
  const res = await postAnthropic(aAsk('[[fake:error=500]]'));
  assert.equal(res.status, 500);
  const text = await res.text();
  const body = JSON.parse(text);
  assert.equal(text, JSON.stringify(body), 'compact JSON, no trailing newline');
  assert.deepEqual(Object.keys(body), ['type', 'error', 'request_id']);
  assert.equal(body.error.type, 'api_error');
  assert.match(body.request_id, ANTHROPIC_REQUEST_ID);
  assert.equal(res.headers.get('request-id'), body.request_id);
});

test('anthropic: a missing, empty or wrong x-api-key gets the 401 fixture; a bearer token is not enough', async () => {
  for (const opts of [{ key: null }, { key: '' }, { key: 'wrong' }, { key: null, headers: { authorization: `Bearer ${KEY}` } }]) {
    const res = await postAnthropic(aAsk('x'), opts);
    assert.equal(res.status, 401, JSON.stringify(opts));
    assert.equal(await res.text(), afixture('error-401-authentication.json'));
  }
  await (await postAnthropic(aAsk('x'), { key: 'wrong-secret' })).text();
  const rec = await lastRecord();
  assert.equal(rec.provider, 'anthropic');
  assert.equal(rec.authorized, false);
  assert.equal(rec.headers['x-api-key'], '<redacted>');
  assert.deepEqual(rec.body, aAsk('x'), 'a refused request is recorded with its body');
  assert.ok(!JSON.stringify(rec).includes('wrong-secret'), 'the key never shows in the records');
});

test('anthropic: request checks — anthropic-version, max_tokens, messages, model, JSON, directives', async () => {
  const cases = [
    ['no anthropic-version', aAsk('x'), { version: null }, /anthropic-version/],
    ['no max_tokens', { model: 'm', messages: [{ role: 'user', content: 'x' }] }, {}, /^max_tokens: Field required$/],
    ['no messages', { model: 'm', max_tokens: 10 }, {}, /^messages: Field required$/],
    ['empty messages', { model: 'm', max_tokens: 10, messages: [] }, {}, /messages/],
    ['no model', { max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }, {}, /^model: Field required$/],
    ['not JSON', '{nope', { raw: true }, /JSON/],
    ['not an object', '[]', { raw: true }, /dictionary/],
    ['bad directive', aAsk('[[fake:wat]]'), {}, /bad fake directive/],
    ['OpenAI-only knob', aStream('[[fake:repeat=2]]'), {}, /not supported on this route/],
    ['knob of another provider', aAsk('[[fake:safety]]'), {}, /not supported on this route/],
  ];
  for (const [what, body, opts, message] of cases) {
    const res = await postAnthropic(body, opts);
    assert.equal(res.status, 400, what);
    assert.equal(res.headers.get('content-type'), 'application/json', what);
    const text = await res.text();
    const err = JSON.parse(text);
    assert.equal(text, JSON.stringify(err), `${what}: compact`);
    assert.equal(err.type, 'error', what);
    assert.equal(err.error.type, 'invalid_request_error', what);
    assert.match(err.error.message, message, what);
    assert.match(err.request_id, ANTHROPIC_REQUEST_ID, what);
  }
});

test('anthropic: any prefix; cut-after, delay-ms, chunk-delay-ms and hang work on this route', async () => {
  await (await postAnthropic(aAsk('prefixed'), { prefix: '/anthropic' })).text();
  assert.equal((await lastRecord()).path, '/anthropic/v1/messages');

  const cut = await postAnthropic(aStream('[[fake:cut-after=3]]'));
  assert.equal(cut.status, 200);
  const events = afixture('messages-stream-text.sse').split('\n\n').filter(Boolean).map((e) => `${e}\n\n`);
  assert.equal(await readUntilError(cut), events.slice(0, 3).join(''));
  const rec = await lastRecord();
  assert.deepEqual([rec.completed, rec.aborted, rec.cut], [false, false, true]);
  await assert.rejects((await postAnthropic(aAsk('[[fake:cut-after=1]]'))).text(), 'non-stream: half the body');

  const t0 = Date.now();
  const slow = await postAnthropic(aStream('[[fake:delay-ms=200]] [[fake:chunk-delay-ms=10]]'));
  assert.ok(Date.now() - t0 >= 190, 'the head waits for delay-ms');
  assert.equal(await slow.text(), afixture('messages-stream-text.sse'));
  assert.ok(Date.now() - t0 >= 190 + 10 * (events.length - 1) - 20, 'events are spaced by chunk-delay-ms');

  const ac = new AbortController();
  const hung = postAnthropic(aStream('[[fake:hang]]'), { signal: ac.signal });
  await new Promise((resolve) => setTimeout(resolve, 150));
  ac.abort();
  await hung.catch(() => {});
  let last;
  for (let i = 0; i < 100 && !last?.aborted; i++) {
    last = await lastRecord();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.equal(last.aborted, true);
});

// =============================================================================================
// Gemini: POST <prefix>/v1beta/models/<model>:generateContent | :streamGenerateContent?alt=sse

const GFIX = path.join(ROOT, 'tests/fixtures/providers/gemini');
const gfixture = (name) => fs.readFileSync(path.join(GFIX, name), 'utf8');

function postGemini(body, { method = 'generateContent', model = 'gemini-2.5-flash', key = KEY, via = 'header',
  alt = method === 'streamGenerateContent', prefix = '', signal, raw = false } = {}) {
  const params = new URLSearchParams();
  if (alt) params.set('alt', 'sse');
  const headers = { 'content-type': 'application/json' };
  if (key !== null && via === 'header') headers['x-goog-api-key'] = key;
  if (key !== null && via === 'query') params.set('key', key);
  const qs = params.toString();
  return fetch(`${fake.url}${prefix}/v1beta/models/${model}:${method}${qs ? `?${qs}` : ''}`, {
    method: 'POST', headers, signal, body: raw ? body : JSON.stringify(body),
  });
}
const gAsk = (text, extra = {}) => ({ contents: [{ role: 'user', parts: [{ text }] }], ...extra });
const STREAM = { method: 'streamGenerateContent' };

function assertGeminiHeaders(res, contentType) {
  assert.equal(res.headers.get('content-type'), contentType);
  assert.equal(res.headers.get('server'), 'scaffolding on HTTPServer2');
  assert.match(res.headers.get('server-timing'), /^gfet4t7; dur=\d+$/);
}

test('gemini: stream (alt=sse) replays the recordings byte for byte; the key may come from the header or ?key=', async () => {
  for (const via of ['header', 'query']) {
    const res = await postGemini(gAsk('hello'), { ...STREAM, via });
    assert.equal(res.status, 200, via);
    assertGeminiHeaders(res, 'text/event-stream');
    assert.equal(res.headers.get('content-disposition'), 'attachment');
    assert.equal(await res.text(), gfixture('stream-generate-content-text.sse'), via);
  }
  const streams = {
    '[[fake:tool-call]]': 'stream-generate-content-tool-call.sse',
    '[[fake:parallel-tool-calls]]': 'stream-generate-content-parallel-function-calls.sse',
    '[[fake:thinking]]': 'stream-generate-content-thinking.sse',
  };
  for (const [knob, file] of Object.entries(streams)) {
    assert.equal(await (await postGemini(gAsk(`x ${knob}`), STREAM)).text(), gfixture(file), knob);
  }
});

test('gemini: non-stream knobs replay the recorded bodies', async () => {
  const bodies = {
    '[[fake:tool-call]]': 'generate-content-parallel-function-calls.json',
    '[[fake:parallel-tool-calls]]': 'generate-content-parallel-function-calls.json',
    '[[fake:length]]': 'generate-content-max-tokens.json',
    '[[fake:safety]]': 'generate-content-safety-blocked.json',
  };
  for (const [knob, file] of Object.entries(bodies)) {
    const res = await postGemini(gAsk(knob), { via: 'query' });
    assert.equal(res.status, 200, knob);
    assertGeminiHeaders(res, 'application/json; charset=UTF-8');
    assert.equal(await res.text(), gfixture(file), knob);
  }
  // Only one mode is recorded for these.
  for (const [knob, opts] of [['[[fake:thinking]]', {}], ['[[fake:length]]', STREAM], ['[[fake:safety]]', STREAM]]) {
    const res = await postGemini(gAsk(knob), opts);
    assert.equal(res.status, 400, knob);
    assert.equal((await res.json()).error.status, 'INVALID_ARGUMENT');
  }
});

test('gemini: the default non-stream body is reassembled from the recorded text stream only', async () => {
  const chunks = gfixture('stream-generate-content-text.sse').split('\r\n\r\n').filter(Boolean)
    .map((e) => JSON.parse(e.slice('data: '.length)));
  const last = chunks.at(-1);
  const expected = {
    candidates: [{
      content: { parts: [{ text: chunks.map((c) => c.candidates[0].content.parts[0].text).join('') }], role: 'model' },
      finishReason: 'STOP',
    }],
    usageMetadata: last.usageMetadata,
    modelVersion: last.modelVersion,
    responseId: last.responseId,
  };
  const res = await postGemini(gAsk('hello'));
  assert.equal(res.status, 200);
  assertGeminiHeaders(res, 'application/json; charset=UTF-8');
  const text = await res.text();
  assert.equal(text, `${JSON.stringify(expected, null, 2)}\n`, 'the layout of the recorded non-stream bodies');
  assert.equal(JSON.parse(text).candidates[0].content.parts[0].text, 'The capital of France is Paris.\n');
  assert.equal(JSON.parse(text).usageMetadata.promptTokenCount, 13, 'the last usage snapshot, not the first');
});

test('gemini: a last content holding functionResponse parts gets the text answers', async () => {
  const body = {
    contents: [
      { role: 'user', parts: [{ text: 'Topics? [[fake:parallel-tool-calls]]' }] },
      { role: 'model', parts: [{ functionCall: { name: 'generate_topic', args: {} } }] },
      { role: 'user', parts: [{ functionResponse: { name: 'generate_topic', response: { content: 'ducks' } } }, { text: '[[fake:tool-call]]' }] },
    ],
  };
  const plain = await (await postGemini(gAsk('x'))).text();
  assert.equal(await (await postGemini(body)).text(), plain);
  assert.equal(await (await postGemini(body, STREAM)).text(), gfixture('stream-generate-content-text.sse'));
});

test('gemini: a missing or wrong key gets the recorded 400 API_KEY_INVALID; secrets are redacted in the records', async () => {
  for (const opts of [{ key: null }, { key: '' }, { key: 'wrong-secret' }, { key: 'wrong-secret', via: 'query' },
    { key: 'wrong-secret', ...STREAM }]) {
    const res = await postGemini(gAsk('x'), opts);
    assert.equal(res.status, 400, JSON.stringify(opts));
    assertGeminiHeaders(res, 'application/json; charset=UTF-8');
    assert.equal(await res.text(), gfixture('error-400-invalid-argument-api-key.json'));
  }
  const rec = await lastRecord();
  assert.equal(rec.provider, 'gemini');
  assert.equal(rec.authorized, false);
  assert.equal(rec.headers['x-goog-api-key'], '<redacted>');
  assert.deepEqual(rec.body, gAsk('x'), 'a refused request is recorded with its body');

  await (await postGemini(gAsk('redact me'), { via: 'query', key: KEY })).text();
  const ok = await lastRecord();
  assert.equal(ok.authorized, true);
  assert.equal(ok.path, '/v1beta/models/gemini-2.5-flash:generateContent?key=<redacted>');
  assert.deepEqual(ok.body, gAsk('redact me'), 'the body is recorded parsed');
  assert.ok(!JSON.stringify(await fake.requests()).includes('wrong-secret'), 'no key shows in the records');
});

test('gemini: request checks — alt=sse, contents, JSON, directives, unknown methods', async () => {
  const noAlt = await postGemini(gAsk('x'), { ...STREAM, alt: false });
  assert.equal(noAlt.status, 400, 'streamGenerateContent without alt=sse is not served');
  assert.match((await noAlt.json()).error.message, /alt=sse/);

  for (const [what, body, opts] of [['no contents', {}, {}], ['empty contents', { contents: [] }, {}],
    ['not JSON', '{nope', { raw: true }], ['bad directive', gAsk('[[fake:wat]]'), {}],
    ['knob of another provider', gAsk('[[fake:stop-sequence]]'), {}]]) {
    const res = await postGemini(body, opts);
    assert.equal(res.status, 400, what);
    const text = await res.text();
    const err = JSON.parse(text).error;
    assert.equal(text, `${JSON.stringify({ error: err }, null, 2)}\n`, `${what}: 2-space layout`);
    assert.deepEqual(Object.keys(err), ['code', 'message', 'status'], what);
    assert.equal(err.code, 400, what);
    assert.equal(err.status, 'INVALID_ARGUMENT', what);
  }
  const unknown = await postGemini(gAsk('x'), { method: 'countTokens' });
  assert.equal(unknown.status, 404);
  assert.equal((await unknown.json()).error.status, 'NOT_FOUND');
});

test('gemini: error knobs — 429 replays the recording, others have Google\'s shape', async () => {
  for (const opts of [{}, STREAM]) {
    const res = await postGemini(gAsk('[[fake:error=429]]'), opts);
    assert.equal(res.status, 429);
    assertGeminiHeaders(res, 'application/json; charset=UTF-8');
    assert.equal(await res.text(), gfixture('error-429-resource-exhausted.json'));
  }
  for (const [code, status] of [[400, 'INVALID_ARGUMENT'], [500, 'INTERNAL'], [503, 'UNAVAILABLE']]) {
    const res = await postGemini(gAsk(`[[fake:error=${code}]]`));
    assert.equal(res.status, code);
    const err = (await res.json()).error;
    assert.equal(err.code, code);
    assert.equal(err.status, status);
    assert.notEqual(err.message, 'API key not valid. Please pass a valid API key.', 'a plain 400 is not a key error');
  }
});

test('gemini: any prefix; cut-after, delay-ms and hang work on this route', async () => {
  await (await postGemini(gAsk('x'), { prefix: '/google', ...STREAM })).text();
  assert.equal((await lastRecord()).path, '/google/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');

  const res = await postGemini(gAsk('[[fake:cut-after=2]]'), STREAM);
  const events = gfixture('stream-generate-content-text.sse').split('\r\n\r\n').filter(Boolean).map((e) => `${e}\r\n\r\n`);
  assert.equal(await readUntilError(res), events.slice(0, 2).join(''));
  const rec = await lastRecord();
  assert.deepEqual([rec.completed, rec.aborted, rec.cut], [false, false, true]);

  const t0 = Date.now();
  assert.equal(await (await postGemini(gAsk('[[fake:delay-ms=200]] [[fake:chunk-delay-ms=5]]'), STREAM)).text(),
    gfixture('stream-generate-content-text.sse'));
  assert.ok(Date.now() - t0 >= 190);

  const ac = new AbortController();
  const hung = postGemini(gAsk('[[fake:hang]]'), { signal: ac.signal });
  await new Promise((resolve) => setTimeout(resolve, 150));
  ac.abort();
  await hung.catch(() => {});
  let last;
  for (let i = 0; i < 100 && !last?.aborted; i++) {
    last = await lastRecord();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.equal(last.aborted, true);
});

// =============================================================================================
// Keys per provider

test('--api-key is every provider\'s default key; --anthropic-api-key / --google-api-key override it; no key accepts any', async () => {
  const split = await startFake({ args: ['--api-key', 'oa-key', '--anthropic-api-key', 'an-key', '--google-api-key', 'go-key'] });
  const open = await startFake();
  try {
    const a = (f, key) => fetch(`${f.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key, 'anthropic-version': '2023-06-01' },
      body: JSON.stringify(aAsk('x')),
    }).then(async (r) => { await r.arrayBuffer(); return r.status; });
    const g = (f, key) => fetch(`${f.url}/v1beta/models/gemini-2.5-flash:generateContent?key=${key}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(gAsk('x')),
    }).then(async (r) => { await r.arrayBuffer(); return r.status; });
    const o = (f, key) => fetch(`${f.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify(ask('x')),
    }).then(async (r) => { await r.arrayBuffer(); return r.status; });

    assert.deepEqual([await a(split, 'an-key'), await a(split, 'oa-key')], [200, 401]);
    assert.deepEqual([await g(split, 'go-key'), await g(split, 'oa-key')], [200, 400]);
    assert.deepEqual([await o(split, 'oa-key'), await o(split, 'an-key')], [200, 401]);
    assert.deepEqual([await a(fake, KEY), await g(fake, KEY), await o(fake, KEY)], [200, 200, 200], '--api-key alone covers all three');
    assert.deepEqual([await a(open, 'anything'), await g(open, 'anything'), await o(open, 'anything')], [200, 200, 200]);
  } finally {
    await split.stop();
    await open.stop();
  }
});

// =============================================================================================
// Path-scoped knobs: one fake behind two catalog providers (/cheap and /pricey), one failing.

async function untilAborted(what) {
  let last;
  for (let i = 0; i < 100 && !last?.aborted; i++) {
    last = await lastRecord();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.equal(last.aborted, true, what);
}

test('fail-path=PREFIX:STATUS fails only the requests whose path starts with PREFIX', async () => {
  const knob = '[[fake:fail-path=/cheap:503]] fp';
  const failed = await post(ask(knob), { prefix: '/cheap' });
  assert.equal(failed.status, 503);
  assertOpenAIHeaders(failed, 'application/json; charset=utf-8');
  assert.equal((await failed.json()).error.type, 'server_error');
  const rec = await lastRecord();
  assert.deepEqual([rec.path, rec.completed, rec.body.messages[0].content], ['/cheap/v1/chat/completions', true, knob]);
  for (const prefix of ['/pricey', '']) {
    const ok = await post(ask(knob), { prefix });
    assert.equal(ok.status, 200, `prefix "${prefix}" is answered normally`);
    assert.equal(await ok.text(), fixture('chat-nonstream-text-after-tool-results.json'));
  }
  const streamed = await post(streamAsk(knob, true), { prefix: '/pricey' });
  assert.equal(await streamed.text(), fixture('chat-stream-text-include-usage.sse'), 'streams are untouched elsewhere');

  // Recorded error bodies for 400/401/404/429, as with error=STATUS; repeated directives: the first match wins.
  for (const [status, file] of [[429, 'error-429-rate-limit.json'], [400, 'error-400-unsupported-parameter.json']]) {
    const res = await post(streamAsk(`[[fake:fail-path=/cheap:${status}]]`, true), { prefix: '/cheap' });
    assert.equal(res.status, status);
    assert.equal(await res.text(), fixture(file));
  }
  const both = '[[fake:fail-path=/pricey:502]] [[fake:fail-path=/p:429]] [[fake:fail-path=/cheap:500]]';
  const statusAt = async (prefix) => {
    const res = await post(ask(both), { prefix });
    await res.arrayBuffer();
    return res.status;
  };
  assert.deepEqual([await statusAt('/cheap'), await statusAt('/pricey'), await statusAt('/other')], [500, 502, 200]);
  const overrides = await post(ask('[[fake:error=429]] [[fake:fail-path=/cheap:503]]'), { prefix: '/cheap' });
  assert.equal(overrides.status, 503, 'a matching fail-path overrides error=');
  await overrides.text();
});

test('hang-path=PREFIX hangs only matching paths; bad path knobs are 400s', async () => {
  const ac = new AbortController();
  const hung = post(ask('[[fake:hang-path=/cheap]] hp'), { prefix: '/cheap', signal: ac.signal });
  let settled = false;
  hung.then(() => { settled = true; }, () => { settled = true; });
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(settled, false, 'no answer on /cheap');
  ac.abort();
  await hung.catch(() => {});
  await untilAborted('the hung request is recorded as aborted');
  const ok = await post(ask('[[fake:hang-path=/cheap]] hp'), { prefix: '/pricey' });
  assert.equal(ok.status, 200);
  await ok.text();

  for (const bad of ['fail-path=cheap:503', 'fail-path=/cheap:abc', 'fail-path=/cheap', 'fail-path=/cheap:200',
    'fail-path=/cheap:600', 'fail-path', 'hang-path', 'hang-path=', 'hang-path=cheap']) {
    const res = await post(ask(`[[fake:${bad}]]`), { prefix: '/cheap' });
    assert.equal(res.status, 400, bad);
    assert.match((await res.json()).error.message, /bad fake directive/, bad);
  }
});

test('fail-path and hang-path work on the Anthropic and Gemini routes too', async () => {
  const a = await postAnthropic(aAsk('[[fake:fail-path=/cheap:529]]'), { prefix: '/cheap' });
  assert.equal(a.status, 529);
  assert.equal(await a.text(), afixture('error-529-overloaded.json'));
  const aOk = await postAnthropic(aAsk('[[fake:fail-path=/cheap:529]]'), { prefix: '/pricey' });
  assert.equal(aOk.status, 200);
  await aOk.text();

  const g = await postGemini(gAsk('[[fake:fail-path=/cheap/v1beta:429]]'), { prefix: '/cheap' });
  assert.equal(g.status, 429);
  assert.equal(await g.text(), gfixture('error-429-resource-exhausted.json'));
  const gOk = await postGemini(gAsk('[[fake:fail-path=/cheap/v1beta:429]]'), { prefix: '/pricey' });
  assert.equal(gOk.status, 200);
  await gOk.text();

  for (const send of [(signal) => postAnthropic(aAsk('[[fake:hang-path=/x]]'), { prefix: '/x', signal }),
    (signal) => postGemini(gAsk('[[fake:hang-path=/x]]'), { prefix: '/x', signal })]) {
    const ac = new AbortController();
    const hung = send(ac.signal);
    await new Promise((resolve) => setTimeout(resolve, 150));
    ac.abort();
    await hung.catch(() => {});
    await untilAborted('hang-path on a translated route');
  }
});
