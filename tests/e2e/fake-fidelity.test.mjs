// The official SDKs pointed straight at the fake upstream (no gateway): guards the fake's
// fidelity, i.e. that what the gateway is tested against is what the SDKs accept from OpenAI.
// (@openrouter/sdk is only used non-stream here: raw OpenAI chunks carry "usage": null, which it
// rejects; see sdk-contract.test.mjs. Rewriting them is the gateway's job.)
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startFake } from '../lib/harness.mjs';
import {
  LOOKUP_TOOLS,
  MULTIPLY_TOOLS,
  TOOL_DIRECTIVE,
  UPSTREAM_KEY,
  assertUsageTokens,
  fixtures,
  openaiClient,
  openrouterClient,
  summarizeChunks,
} from './helpers.mjs';

const MODEL = 'gpt-4o-mini';

describe('official SDKs straight against the fake upstream', () => {
  let fake;
  let openai;
  let openrouter;

  before(async () => {
    fake = await startFake({ args: ['--api-key', UPSTREAM_KEY] });
    openai = openaiClient(fake.baseUrl, UPSTREAM_KEY);
    openrouter = openrouterClient(fake.baseUrl, UPSTREAM_KEY);
  });
  after(async () => {
    await fake?.stop();
  });

  test('openai: non-stream text is the recorded response', async () => {
    const r = await openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Answer YES' }] });
    assert.deepEqual(r, fixtures.text);
  });

  test('openai: stream with include_usage replays the recorded chunks', async () => {
    const stream = await openai.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'What is the capital of Mexico?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    const got = summarizeChunks(chunks);
    const want = fixtures.textStream;
    assert.equal(got.text, want.text);
    assert.equal(got.finishReason, 'stop');
    assert.deepEqual(chunks.at(-1).choices, []);
    assert.deepEqual(chunks.at(-1).usage, want.usage);
  });

  test('openai: tool call, streamed through the .stream() helper, then the tool result gets text', async () => {
    const messages = [{ role: 'user', content: `What is 1231 times 2331? ${TOOL_DIRECTIVE}` }];
    const runner = openai.chat.completions.stream({ model: MODEL, messages, tools: MULTIPLY_TOOLS });
    const final = await runner.finalChatCompletion();
    const want = fixtures.toolCallStream.toolCalls[0];
    const call = final.choices[0].message.tool_calls[0];
    assert.equal(final.choices[0].finish_reason, 'tool_calls');
    assert.deepEqual({ id: call.id, type: call.type, name: call.function.name, arguments: call.function.arguments }, want);

    const turn2 = await openai.chat.completions.create({
      model: MODEL,
      tools: MULTIPLY_TOOLS,
      messages: [...messages, final.choices[0].message, { role: 'tool', tool_call_id: call.id, content: '2869461' }],
    });
    assert.equal(turn2.choices[0].message.content, fixtures.text.choices[0].message.content);
  });

  test('@openrouter/sdk: non-stream text and tool call parse', async () => {
    const r = await openrouter.chat.send({ chatRequest: { model: MODEL, messages: [{ role: 'user', content: 'Answer YES' }] } });
    assert.equal(r.choices[0].message.content, fixtures.text.choices[0].message.content);
    assert.equal(r.usage.promptTokens, fixtures.text.usage.prompt_tokens);

    const t = await openrouter.chat.send({
      chatRequest: { model: MODEL, tools: LOOKUP_TOOLS, messages: [{ role: 'user', content: `Crumpet? ${TOOL_DIRECTIVE}` }] },
    });
    const want = fixtures.toolCall.choices[0].message.tool_calls[0];
    assert.deepEqual(t.choices[0].message.toolCalls[0], want);
    assert.equal(t.choices[0].finishReason, 'tool_calls');
    assertUsageTokens(
      { prompt_tokens: t.usage.promptTokens, completion_tokens: t.usage.completionTokens, total_tokens: t.usage.totalTokens },
      fixtures.toolCall.usage,
      'tool call',
    );
  });

  test('a wrong upstream key is refused with 401', async () => {
    await assert.rejects(
      openaiClient(fake.baseUrl, 'wrong-key').chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] }),
      (e) => e.status === 401,
    );
  });
});
