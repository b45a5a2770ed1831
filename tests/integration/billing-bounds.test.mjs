// The bill against what a client controls (issue 13, "Money"): the bill is the provider's reported
// usage even above the hold; the provider is never asked for more output than was held (the held
// limit is written into every upstream request, thinking budgets included); a client that hangs
// up after the provider received its request is billed what the provider charges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from '../lib/setup.mjs';
import {
  assertLedger, chat, chatJson, eventually, expectedCostMicros, fakeRequestsWith, fixtureJson, getJson, nonce,
  pricesOf, sleep, userMessage, userShow,
} from '../lib/gateway.mjs';

const ctx = useServer();
const MODEL = 'openai/gpt-4o-mini';
const CLAUDE = 'anthropic/claude-sonnet-4.5';
const TEXT = fixtureJson('chat-nonstream-text-after-tool-results.json');

// The model's output cap as /api/v1/models publishes it.
async function outputCap(modelId) {
  const r = await getJson(ctx.tp, '/api/v1/models');
  const model = r.body.data.find((m) => m.id === modelId);
  assert.ok(model, `${modelId} is listed`);
  return model.top_provider.max_completion_tokens;
}

// Spent from an account that started with `credits` USD, once nothing is held any more.
async function settled(email, credits, expect) {
  const start = credits * 1_000_000;
  const done = await eventually(async () => {
    const u = await userShow(ctx.tp, email);
    const spent = start - u.balance_micros;
    const holds = await ctx.tp.query(
      `SELECT count(*) AS n FROM holds h JOIN users u ON u.id = h.user_id WHERE u.email = '${email}' AND h.settled_micros IS NULL`);
    return Number(holds[0].n) === 0 && expect(spent) && { spent };
  }, { timeout: 8_000, what: `${email}: holds released and the spend as expected` });
  return done.spent;
}

async function ledgerOf(email) {
  return ctx.tp.query(
    `SELECT l.kind, l.amount_micros AS amount, l.request_id FROM ledger_entries l JOIN users u ON u.id = l.user_id ` +
    `WHERE u.email = '${email}' AND l.kind IN ('hold', 'settle') ORDER BY l.id`);
}

test('a provider reporting more than max_tokens is billed what it reports, and the ledger shows the excess', async () => {
  const { tp } = ctx;
  const { email, key } = await tp.account({ credits: '10' });
  const prices = await pricesOf(tp, MODEL);
  const marker = nonce();
  const r = await chatJson(tp, key, userMessage(`bill above the hold ${marker}`, { model: MODEL, max_tokens: 1 }));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  // The recording reports 3 completion tokens (and 146 prompt tokens) for a request allowed 1.
  assert.ok(r.body.usage.completion_tokens > 1);
  const cost = expectedCostMicros(TEXT.usage, prices);
  assert.equal(Math.round(r.body.usage.cost * 1e6), cost, 'the answer carries the cost of the reported usage');
  const spent = await settled(email, 10, (s) => s === cost);
  assert.equal(spent, cost, 'billed the provider usage, not the hold');
  const [up] = await fakeRequestsWith(ctx.fake, marker);
  assert.equal(up.body.max_tokens, 1, 'the client\'s own limit within the cap goes upstream as it was');
  const ledger = await ledgerOf(email);
  const hold = ledger.find((e) => e.kind === 'hold');
  const settle = ledger.find((e) => e.kind === 'settle');
  assert.ok(-Number(hold.amount) < cost, `the hold (${-hold.amount}) was below the cost (${cost})`);
  assert.equal(Number(settle.amount), -(cost - -Number(hold.amount)), 'the settle entry debits the excess');
  await assertLedger(tp, email);
});

test('the upstream request carries the held output limit: the cap when the client sets none or more', async () => {
  const { tp } = ctx;
  const { key } = await tp.account({ credits: '5' });
  const cap = await outputCap(MODEL);
  const none = nonce();
  const huge = nonce();
  const a = await chatJson(tp, key, userMessage(`no limit ${none}`, { model: MODEL }));
  assert.equal(a.status, 200, JSON.stringify(a.body));
  // Before: a max_tokens of 1e8 was held in full and refused ("can cost up to $60…") on $5.
  const b = await chatJson(tp, key, userMessage(`huge limit ${huge}`, { model: MODEL, max_tokens: 100_000_000 }));
  assert.equal(b.status, 200, JSON.stringify(b.body));
  const [upA] = await fakeRequestsWith(ctx.fake, none);
  const [upB] = await fakeRequestsWith(ctx.fake, huge);
  assert.equal(upA.body.max_tokens, cap, 'no max_tokens: the cap the hold covers is sent');
  assert.equal(upB.body.max_tokens, cap, 'max_tokens above the cap: sent as the cap');
});

test('Anthropic with thinking: max_tokens (budget included) never exceeds the cap the hold covers', async () => {
  const { tp } = ctx;
  const { key } = await tp.account({ credits: '10' });
  const cap = await outputCap(CLAUDE);
  for (const extra of [{ max_tokens: 1, reasoning_effort: 'high' }, { max_tokens: 10_000_000, reasoning: { effort: 'high' } }]) {
    const marker = nonce();
    const r = await chatJson(tp, key, userMessage(`think ${marker}`, { model: CLAUDE, ...extra }));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const [up] = await fakeRequestsWith(ctx.fake, marker);
    assert.equal(up.provider, 'anthropic');
    assert.ok(up.body.max_tokens <= cap, `max_tokens ${up.body.max_tokens} ≤ cap ${cap}`);
    assert.ok(up.body.thinking.budget_tokens < up.body.max_tokens, 'the budget fits within max_tokens');
  }
});

// Sends `body` (whose last message holds `marker`) and leaves once the provider has the request;
// resolves to the fake's record of the upstream call once that call has ended.
async function hangUpOnceUpstream(key, body, marker) {
  const ac = new AbortController();
  const pending = chat(ctx.tp, key, body, { signal: ac.signal });
  pending.catch(() => {});
  await eventually(async () => (await fakeRequestsWith(ctx.fake, marker)).length === 1, { what: 'the request upstream' });
  await sleep(100);
  ac.abort();
  const [up] = await eventually(async () => {
    const rs = await fakeRequestsWith(ctx.fake, marker);
    return rs[0]?.finishedAt && rs;
  }, { timeout: 5_000, what: 'the upstream call ended' });
  return up;
}

test('a client that hangs up on a non-streamed request is billed the provider\'s usage', async () => {
  const { tp } = ctx;
  const { email, key } = await tp.account({ credits: '10' });
  const prices = await pricesOf(tp, MODEL);
  const marker = nonce();
  const up = await hangUpOnceUpstream(key, userMessage(`[[fake:delay-ms=1200]] hang up ${marker}`, { model: MODEL }), marker);
  assert.equal(up.aborted, false, 'the gateway read the answer to its end');
  const cost = expectedCostMicros(TEXT.usage, prices);
  const spent = await settled(email, 10, (s) => s === cost);
  assert.equal(spent, cost, 'billed the usage the provider reported');
  const rows = await tp.query(
    `SELECT r.http_status, r.cost_micros, r.usage_source FROM request_log r JOIN users u ON u.id = r.user_id WHERE u.email = '${email}'`);
  assert.equal(rows.length, 1);
  assert.equal(Number(rows[0].http_status), 499, 'logged as cancelled by the client');
  assert.equal(Number(rows[0].cost_micros), cost);
  await assertLedger(tp, email);
});

test('a client that hangs up on a stream before its first byte pays the prompt', async () => {
  const { tp } = ctx;
  const { email, key } = await tp.account({ credits: '10' });
  const marker = nonce();
  // A long stream (100 × 8 deltas, 20 ms apart): cut, it cannot have been sent whole.
  const body = userMessage(`[[fake:delay-ms=1200]] [[fake:repeat=100]] [[fake:chunk-delay-ms=20]] stream hang up ${marker}`,
    { model: MODEL, stream: true });
  const up = await hangUpOnceUpstream(key, body, marker);
  assert.equal(up.completed, false, 'the stream was cut once it began');
  const spent = await settled(email, 10, (s) => s > 0);
  console.log(`stream hang-up before the first byte: billed ${spent} µUSD`);
  assert.ok(spent > 0, 'the prompt the provider read is billed');
  await assertLedger(tp, email);
});

// --- While a stream waits for a slow first byte (issue 12, "answers shaped like OpenRouter's") ---

async function rawStream(key, body) {
  const res = await chat(ctx.tp, key, body);
  return { status: res.status, headers: res.headers, text: await res.text() };
}

test('a slow first byte: the stream begins with ": OPENROUTER PROCESSING" comments, then the answer', async () => {
  const { tp } = ctx;
  const { key } = await tp.account({ credits: '5' });
  const r = await rawStream(key, userMessage(`[[fake:delay-ms=2600]] slow ${nonce()}`, { model: MODEL, stream: true }));
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/event-stream/);
  const firstData = r.text.indexOf('data:');
  const before = r.text.slice(0, firstData);
  const comments = before.split('\n\n').filter((b) => b === ': OPENROUTER PROCESSING');
  assert.ok(comments.length >= 2, `two comments or more before the first event: ${JSON.stringify(before)}`);
  assert.ok(r.text.trimEnd().endsWith('data: [DONE]'), 'the answer follows in full');
});

test('a slow provider that then fails: comments, then OpenRouter\'s error chunk; nothing billed', async () => {
  const { tp } = ctx;
  const { email, key } = await tp.account({ credits: '5' });
  const r = await rawStream(key, userMessage(`[[fake:delay-ms=1600]] [[fake:error=400]] slow fail ${nonce()}`, { model: MODEL, stream: true }));
  assert.equal(r.status, 200, 'the 200 went out with the first comment');
  assert.match(r.text, /^: OPENROUTER PROCESSING\n\n/);
  const events = r.text.split('\n\n').filter((b) => b.startsWith('data: ')).map((b) => JSON.parse(b.slice(6)));
  assert.equal(events.length, 1, r.text);
  assert.equal(events[0].error.code, 400);
  assert.equal(events[0].choices[0].finish_reason, 'error');
  assert.ok(!r.text.includes('[DONE]'));
  await settled(email, 5, (s) => s === 0);
  await assertLedger(tp, email);
});
