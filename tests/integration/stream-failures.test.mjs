// Streams that end badly: the upstream cuts the connection mid-stream, and the client walks away
// mid-stream. The client must learn of the first, the upstream must learn of the second at once,
// and in both cases the account pays for what was generated, no more than was held.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from '../lib/setup.mjs';
import {
  assertLedger, chat, contentOf, eventually, expectedCostMicros, fakeRequestsWith, fixtureEvents,
  measureHold, nonce, pricesOf, sseEvents, userMessage, userShow,
} from '../lib/gateway.mjs';

const ctx = useServer();
const MODEL = 'openai/gpt-4o-mini';
const START = 10_000_000;
const TEXT_STREAM = fixtureEvents('chat-stream-text-include-usage.sse');

// Spend so far, once no hold is outstanding (spend ≤ `below` means the hold was released).
async function settledSpend(email, below) {
  const u = await eventually(async () => {
    const s = await userShow(ctx.tp, email);
    return START - s.balance_micros < below && s;
  }, { timeout: 5_000, what: `spend < ${below} µUSD (hold released)` });
  assert.equal(u.balance_micros, u.ledger_sum_micros, 'balance equals the ledger sum');
  return START - u.balance_micros;
}

test('upstream cut mid-stream: the events so far, then an error event, then the end; billed > 0 and ≤ the hold', async () => {
  const { tp } = ctx;
  const { email, key } = await tp.account();
  const marker = nonce();
  // The fake sends the role chunk and 3 content deltas, then destroys the connection.
  const body = userMessage(`[[fake:delay-ms=800]] [[fake:cut-after=4]] ${marker}`, { stream_options: { include_usage: true } });
  const { hold, response: s } = await measureHold(tp, key, body, { stream: true });
  console.log(`cut stream: hold ${hold} µUSD`);
  assert.ok(hold > 0, 'the hold shows in /api/v1/key usage while the request is in flight');

  assert.equal(s.status, 200, 'the stream had started, so the status stays 200');
  // docs/architecture.md §3.7: after the first byte, an error chunk, then the stream ends. Whether
  // the gateway then ends the chunked body cleanly or closes the connection, the client must have
  // had the error event first.
  if (s.failed) console.log(`cut stream: the body ended with a transport error after the error event (${s.failed.message})`);
  const errIdx = s.events.findIndex((e) => e.error);
  assert.ok(errIdx >= 0, `an error event arrives: ${JSON.stringify(s.raw)}`);
  const before = s.events.slice(0, errIdx);
  assert.equal(contentOf(before), contentOf(TEXT_STREAM.slice(0, 4)), 'every delta sent before the cut arrives');
  const err = s.events[errIdx].error;
  assert.equal(typeof err.message, 'string');
  assert.ok(err.message.length > 0);
  assert.equal(contentOf(s.events.slice(errIdx + 1)), '', 'no content after the error event');
  assert.ok(!s.events.slice(errIdx + 1).some((e) => e.error), 'one error event');

  const up = await fakeRequestsWith(ctx.fake, marker);
  assert.equal(up.length, 1, 'no silent retry after the first byte');
  assert.equal(up[0].cut, true);

  const spent = await settledSpend(email, hold);
  console.log(`cut stream: billed ${spent} µUSD (estimated), hold ${hold} µUSD`);
  assert.ok(spent > 0, 'what was delivered is billed');
  assert.ok(spent <= hold, 'never more than the hold');
});

test('client disconnect mid-stream: upstream aborted within 2 s; billed > 0 and less than a full stream', async () => {
  const { tp } = ctx;
  const { email, key } = await tp.account();
  const prices = await pricesOf(tp, MODEL);
  const marker = nonce();
  // 200 × 8 content deltas, 20 ms apart: about 32 s if read to the end.
  const body = userMessage(`[[fake:repeat=200]] [[fake:chunk-delay-ms=20]] ${marker}`, { stream: true });
  const ac = new AbortController();
  const res = await chat(tp, key, body, { signal: ac.signal });
  assert.equal(res.status, 200);
  let content = 0;
  try {
    for await (const e of sseEvents(res)) {
      if (e.json?.choices?.[0]?.delta?.content) content += 1;
      if (content >= 5) break;
    }
  } finally {
    ac.abort();
  }
  const abortedAt = Date.now();

  const rec = await eventually(async () => {
    const [r] = await fakeRequestsWith(ctx.fake, marker);
    return r?.aborted && r;
  }, { timeout: 2_000, interval: 20, what: 'the fake sees the upstream request aborted' });
  console.log(`client disconnect: the fake saw the upstream request closed ${rec.finishedAt - abortedAt} ms after the client left`);
  assert.equal(rec.completed, false);

  const fullUsage = { ...TEXT_STREAM.at(-1).usage };
  fullUsage.completion_tokens *= 200;
  const full = expectedCostMicros(fullUsage, prices);
  const spent = await settledSpend(email, full);
  console.log(`client disconnect: billed ${spent} µUSD; a full stream costs ${full} µUSD`);
  assert.ok(spent > 0, 'what was generated before the disconnect is billed');
  assert.ok(spent < full, 'less than the whole stream');
  await assertLedger(tp, email);
});
