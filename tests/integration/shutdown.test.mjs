// SIGTERM is a graceful shutdown: a stream in flight runs to its end, is billed, and the process
// then exits 0. The database stays consistent afterwards (read through the CLI).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from '../lib/setup.mjs';
import {
  assertLedger, chat, contentOf, expectedCostMicros, fixtureEvents, pricesOf, sseEvents,
  userMessage, usdToMicros,
} from '../lib/gateway.mjs';

const ctx = useServer();
const TEXT_STREAM = fixtureEvents('chat-stream-text-include-usage.sse');

test('SIGTERM while a stream is in flight: the stream completes, then exit 0', async () => {
  const { tp } = ctx;
  const { email, key } = await tp.account();
  const prices = await pricesOf(tp, 'openai/gpt-4o-mini');
  // 10 × 8 content deltas 25 ms apart: about 2 s of streaming.
  const body = userMessage('[[fake:repeat=10]] [[fake:chunk-delay-ms=25]]', {
    stream: true, stream_options: { include_usage: true },
  });
  const res = await chat(tp, key, body);
  assert.equal(res.status, 200);

  const events = [];
  const raw = [];
  let exit = null;
  let signalledAt = null;
  try {
    for await (const e of sseEvents(res)) {
      raw.push(e.data);
      if (e.json) events.push(e.json);
      if (!exit && contentOf(events).length > 0) {
        signalledAt = Date.now();
        exit = tp.stop({ signal: 'SIGTERM' });
      }
    }
  } catch (err) {
    assert.fail(`the stream broke off after ${events.length} events, ${Date.now() - signalledAt} ms after `
      + `SIGTERM (${err.message}); output:\n${tp.output().slice(-2000)}`);
  }
  assert.ok(exit, 'the stream had started before SIGTERM');
  assert.equal(raw.at(-1), '[DONE]', 'the stream ran to [DONE]');
  assert.equal(contentOf(events), contentOf(TEXT_STREAM).repeat(10), 'every delta arrived');
  const usage = events.at(-1).usage;
  assert.equal(usage.completion_tokens, 80);

  const code = await exit;
  console.log(`graceful shutdown: exit code ${code}, ${Date.now() - signalledAt} ms after SIGTERM`);
  assert.equal(code, 0, `exit code 0 after SIGTERM; output:\n${tp.output().slice(-2000)}`);

  const refused = await fetch(`${tp.gatewayUrl}/health`).then(() => 'answered', () => 'refused');
  assert.equal(refused, 'refused', 'nothing listens after exit');

  const cost = expectedCostMicros({ ...usage }, prices);
  assert.equal(usdToMicros(usage.cost), cost);
  const u = await assertLedger(tp, email);
  assert.equal(u.balance_micros, 10_000_000 - cost, 'the stream was settled before exit');
});
