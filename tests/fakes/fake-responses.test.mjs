// The fake's OpenAI Responses route on its own: the recorded bytes, OpenAI's strictness, knobs.
// Run: node --test tests/fakes/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startFake, ROOT } from '../lib/harness.mjs';

const FIX = path.join(ROOT, 'tests/fixtures/providers/openai');
const fixture = (name) => fs.readFileSync(path.join(FIX, name), 'utf8');
const KEY = 'test-upstream-key';

let fake;
before(async () => { fake = await startFake({ args: ['--api-key', KEY] }); });
after(async () => { await fake?.stop(); });

function post(body, { key = KEY, raw = false } = {}) {
  const headers = { 'content-type': 'application/json' };
  if (key !== null) headers.authorization = `Bearer ${key}`;
  return fetch(`${fake.url}/v1/responses`, { method: 'POST', headers, body: raw ? body : JSON.stringify(body) });
}

test('answers with the recorded bytes: text and function call, whole and streamed', async () => {
  const cases = [
    [{ model: 'gpt-5-nano', input: 'hi' }, 'responses-nonstream-text.json', 'application/json'],
    [{ model: 'gpt-5-nano', input: 'hi [[fake:tool-call]]' }, 'responses-nonstream-function-call.json', 'application/json'],
    [{ model: 'gpt-5-nano', input: 'hi', stream: true }, 'responses-stream-text.sse', 'text/event-stream; charset=utf-8'],
    [{ model: 'gpt-5-nano', input: [{ role: 'user', content: [{ type: 'input_text', text: '[[fake:tool-call]]' }] }], stream: true },
      'responses-stream-function-call.sse', 'text/event-stream; charset=utf-8'],
    // The turn after a function call: the text answer whatever the knobs say.
    [{ model: 'gpt-5-nano', input: [{ role: 'user', content: '[[fake:tool-call]]' },
      { type: 'function_call_output', call_id: 'c', output: 'x' }] }, 'responses-nonstream-text.json', 'application/json'],
  ];
  for (const [body, name, type] of cases) {
    const res = await post(body);
    assert.equal(res.status, 200, name);
    assert.equal(res.headers.get('content-type'), type);
    assert.equal(await res.text(), fixture(name), name);
  }
  const last = (await fake.requests()).at(-1);
  assert.equal(last.provider, 'openai');
  assert.equal(last.path, '/v1/responses');
});

test('refuses as api.openai.com does: the key, unknown arguments, a missing model or input', async () => {
  assert.equal((await post({ model: 'gpt-5-nano', input: 'hi' }, { key: 'wrong' })).status, 401);
  const cases = [
    [{ model: 'gpt-5-nano', input: 'hi', provider: { sort: 'price' } }, 'Unrecognized request argument supplied: provider'],
    [{ model: 'gpt-5-nano', messages: [] }, 'Unrecognized request argument supplied: messages'],
    [{ input: 'hi' }, "Missing required parameter: 'model'."],
    [{ model: 'gpt-5-nano' }, "Missing required parameter: 'input'."],
    [{ model: 'gpt-5-nano', input: 'hi [[fake:thinking]]' }, 'not supported on this route'],
  ];
  for (const [body, message] of cases) {
    const res = await post(body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.ok((await res.json()).error.message.includes(message), message);
  }
  const res = await post('{not json', { raw: true });
  assert.equal(res.status, 400);
});

test('errors and cut streams by directive', async () => {
  const res = await post({ model: 'gpt-5-nano', input: 'hi [[fake:error=429]] [[fake:retry-after=3]]' });
  assert.equal(res.status, 429);
  assert.equal(res.headers.get('retry-after'), '3');
  assert.equal((await res.json()).error.code, 'rate_limit_exceeded');
  const cut = await post({ model: 'gpt-5-nano', input: 'hi [[fake:cut-after=3]]', stream: true });
  assert.equal(cut.status, 200);
  // The body ends with the socket destroyed: read what came before it.
  let text = '';
  const decoder = new TextDecoder();
  try {
    for await (const chunk of cut.body) text += decoder.decode(chunk, { stream: true });
  } catch {
    // the cut
  }
  const events = fixture('responses-stream-text.sse').split('\n\n').filter(Boolean);
  assert.equal(text, `${events.slice(0, 3).join('\n\n')}\n\n`);
});
