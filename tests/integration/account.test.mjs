// What a key holder can read about themselves and the catalog (OpenRouter's shapes, USD), the
// health endpoints, and CLI changes that a running server must honour at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from '../lib/setup.mjs';
import {
  assertLedger, assertRequestId, chatJson, chatStream, getJson, keyList, perTokenToMicrosPerMillion,
  untilEqual, userMessage, userShow, usdToMicros,
} from '../lib/gateway.mjs';

const ctx = useServer();

function assertKeyShape(data) {
  assert.equal(typeof data.label, 'string');
  assert.equal(typeof data.usage, 'number', 'usage is a number of USD');
  assert.ok(data.limit === null || typeof data.limit === 'number');
  assert.ok(data.limit_remaining === null || typeof data.limit_remaining === 'number');
  assert.equal(typeof data.is_free_tier, 'boolean');
  assert.equal(data.disabled, false);
}

test('/api/v1/key: label, usage, limit and limit_remaining in USD', async () => {
  const { tp } = ctx;
  const { key } = await tp.account({ credits: '10', limit: '1.5' });
  let r = await getJson(tp, '/api/v1/key', key);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assertRequestId(r.headers);
  assertKeyShape(r.body.data);
  assert.equal(r.body.data.usage, 0);
  assert.equal(r.body.data.limit, 1.5);
  assert.equal(r.body.data.limit_remaining, 1.5);

  const call = await chatJson(tp, key, userMessage('spend a little'));
  assert.equal(call.status, 200);
  const cost = usdToMicros(call.body.usage.cost);
  await untilEqual(async () => {
    const d = (await getJson(tp, '/api/v1/key', key)).body.data;
    return [usdToMicros(d.usage), usdToMicros(d.limit_remaining)];
  }, [cost, 1_500_000 - cost], '[usage, limit_remaining] after one call');

  const unlimited = await tp.account();
  r = await getJson(tp, '/api/v1/key', unlimited.key);
  assertKeyShape(r.body.data);
  assert.equal(r.body.data.limit, null);
  assert.equal(r.body.data.limit_remaining, null);
  assert.ok(!r.body.data.label.includes(unlimited.key), 'the label never reveals the whole key');
});

test('/api/v1/key: usage_daily, usage_weekly and usage_monthly are the key\'s own spend in those windows', async () => {
  const { tp } = ctx;
  const { email, key } = await tp.account({ credits: '10' });
  const other = await tp.createKey({ email, name: 'other' });
  const mine = await chatJson(tp, key, userMessage('spend on the first key'));
  const theirs = await chatJson(tp, other, userMessage('spend on the other key, a longer message'));
  assert.equal(mine.status, 200);
  assert.equal(theirs.status, 200);
  const cost = usdToMicros(mine.body.usage.cost);
  assert.ok(cost > 0);
  // Everything was spent today: each window holds exactly this key's calls, not the other key's.
  const d = (await getJson(tp, '/api/v1/key', key)).body.data;
  assert.deepEqual([d.usage, d.usage_daily, d.usage_weekly, d.usage_monthly].map(usdToMicros), [cost, cost, cost, cost]);
  const o = (await getJson(tp, '/api/v1/key', other)).body.data;
  assert.equal(usdToMicros(o.usage_daily), usdToMicros(theirs.body.usage.cost));
});

test('/api/v1/credits: total_credits and total_usage of the owner, in USD', async () => {
  const { tp } = ctx;
  const { key } = await tp.account({ credits: '12.5' });
  let r = await getJson(tp, '/api/v1/credits', key);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assertRequestId(r.headers);
  assert.equal(r.body.data.total_credits, 12.5);
  assert.equal(r.body.data.total_usage, 0);
  const call = await chatJson(tp, key, userMessage('spend'));
  await untilEqual(async () => {
    const d = (await getJson(tp, '/api/v1/credits', key)).body.data;
    return [d.total_credits, usdToMicros(d.total_usage)];
  }, [12.5, usdToMicros(call.body.usage.cost)], '[total_credits, total_usage] after one call');
});

test('/api/v1/models and /v1/models list the catalog in OpenRouter\'s shape', async () => {
  const { tp } = ctx;
  const { key } = await tp.account();
  for (const route of ['/api/v1/models', '/v1/models']) {
    const r = await getJson(tp, route, key);
    assert.equal(r.status, 200, `${route}: ${JSON.stringify(r.body)}`);
    assertRequestId(r.headers, route);
    assert.ok(Array.isArray(r.body.data) && r.body.data.length >= 3, route);
    for (const m of r.body.data) {
      assert.match(m.id, /^[a-z0-9-]+\/[^/\s]+$/, `${route}: id is company/model`);
      assert.equal(typeof m.name, 'string');
      assert.ok(Number.isInteger(m.context_length) && m.context_length > 0, `${m.id} context_length`);
      assert.equal(typeof m.pricing.prompt, 'string', `${m.id} pricing.prompt is a string`);
      assert.equal(typeof m.pricing.completion, 'string');
      perTokenToMicrosPerMillion(m.pricing.prompt); // a plain decimal, USD per token
      perTokenToMicrosPerMillion(m.pricing.completion);
    }
    const byId = Object.fromEntries(r.body.data.map((m) => [m.id, m]));
    assert.ok(byId['openai/gpt-4o-mini'], 'the default catalog is there');
    const solo = byId['fakeco/solo'];
    assert.equal(solo.name, 'FakeCo: Solo');
    assert.equal(solo.context_length, 64000);
    assert.equal(perTokenToMicrosPerMillion(solo.pricing.prompt), 3_000_000, '$3/M = 0.000003 per token');
    assert.equal(perTokenToMicrosPerMillion(solo.pricing.completion), 12_000_000);
    const duo = byId['fakeco/duo'];
    assert.deepEqual([perTokenToMicrosPerMillion(duo.pricing.prompt), perTokenToMicrosPerMillion(duo.pricing.completion)],
      [500_000, 1_500_000], 'a model on two providers shows the price a default request pays (the cheapest)');
  }
});

test('/health and /ready answer 200', async () => {
  for (const route of ['/health', '/ready']) {
    const res = await fetch(`${ctx.tp.gatewayUrl}${route}`);
    assert.equal(res.status, 200, route);
    await res.arrayBuffer();
  }
});

test('a fresh database prints a bootstrap admin whose key works', async () => {
  const b = ctx.tp.bootstrap;
  assert.ok(b, `bootstrap lines in the output:\n${ctx.tp.output()}`);
  assert.match(b.apiKey, /^sk-tp-/);
  const r = await getJson(ctx.tp, '/api/v1/key', b.apiKey);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const admin = await userShow(ctx.tp, b.email);
  assert.equal(admin.is_admin, true);
});

test('a key created with the CLI while the server runs works at once', async () => {
  const { tp } = ctx;
  const { email, key } = await tp.account();
  assert.equal((await chatJson(tp, key, userMessage('first key'))).status, 200);
  const second = await tp.createKey({ email, name: 'second' });
  const r = await chatJson(tp, second, userMessage('second key'));
  assert.equal(r.status, 200, JSON.stringify(r.body));

  const keys = await keyList(tp, email);
  assert.equal(keys.length, 2);
  await untilEqual(async () => (await keyList(tp, email)).find((x) => x.name === 'second').usage_micros,
    usdToMicros(r.body.usage.cost), 'the key\'s usage is its own spend');
  const k = keys.find((x) => x.name === 'second');
  assert.equal(k.limit_micros, null);
  assert.equal(k.disabled, false);
  assert.ok(second.startsWith(k.prefix.replace(/(…|\.\.\.|\*+)$/, '')), `prefix ${k.prefix} starts the key`);
  assert.ok(k.prefix.length < second.length, 'the prefix is not the whole key');
});

test('a user created with credits while the server runs can spend them at once', async () => {
  const { tp } = ctx;
  const email = `late-${Date.now()}@example.test`;
  await tp.createUser({ email, credits: '0.5' });
  const key = await tp.createKey({ email, name: 'late' });
  const r = await chatJson(tp, key, userMessage('new money'));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const cost = usdToMicros(r.body.usage.cost);
  await untilEqual(async () => (await userShow(tp, email)).balance_micros, 500_000 - cost, 'balance after one call');
  const u = await assertLedger(tp, email);
  assert.equal(u.total_credited_micros, 500_000);
  assert.equal(u.total_spent_micros, cost);
  assert.equal(u.is_admin, false);
});

// docs/architecture.md §3.10: a request is settled before the last byte of its response. So the moment a
// client has the whole response, /api/v1/key shows the settled cost, never the hold.
test('a call is settled before its response completes', async () => {
  const { tp } = ctx;
  const { key } = await tp.account();
  let total = 0;
  const late = [];
  for (let i = 0; i < 12; i++) {
    const stream = i % 3 === 2;
    let cost;
    if (stream) {
      const s = await chatStream(tp, key, userMessage(`settle ${i}`, { stream_options: { include_usage: true } }));
      assert.equal(s.done, true);
      cost = usdToMicros(s.events.at(-1).usage.cost);
    } else {
      const r = await chatJson(tp, key, userMessage(`settle ${i}`));
      assert.equal(r.status, 200);
      cost = usdToMicros(r.body.usage.cost);
    }
    total += cost;
    const usage = usdToMicros((await getJson(tp, '/api/v1/key', key)).body.data.usage);
    if (usage !== total) late.push({ call: i, stream, usage, settled: total });
  }
  console.log(`settlement: ${late.length} of 12 calls not yet settled when their response had completed`);
  assert.deepEqual(late, [], 'key usage right after each response equals the settled spend');
});
