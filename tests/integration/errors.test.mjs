// Everything that must fail, fails the way OpenRouter clients expect: the status, the error body
// {"error":{"code","message","type","param"}}, an x-request-id, and not a cent charged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from '../lib/setup.mjs';
import {
  assertError, assertLedger, chat, chatJson, chatStream, fakeRequestsWith, keyList, measureHold,
  microsToUsd, nonce, rawRequest, sleep, untilEqual, usdToMicros, userMessage, userShow,
} from '../lib/gateway.mjs';

const ctx = useServer();
const START = 10_000_000; // the accounts' 10 USD

async function assertUntouched(email, what) {
  await untilEqual(async () => (await userShow(ctx.tp, email)).balance_micros, START,
    `${what}: the account is charged nothing`);
  await assertLedger(ctx.tp, email);
}

async function parsed(res) {
  const text = await res.text();
  try {
    return { status: res.status, headers: res.headers, body: JSON.parse(text) };
  } catch {
    return { status: res.status, headers: res.headers, body: text };
  }
}

// Upstream status → what the client gets. The gateway's own provider key being refused is the
// gateway's problem (502), never "your key is bad" (401).
const UPSTREAM = [[400, 400], [401, 502], [429, 429], [500, 502]];

for (const [upstream, client] of UPSTREAM) {
  test(`upstream ${upstream} → ${client}, charged 0 (non-stream and stream)`, async () => {
    const { email, key } = await ctx.tp.account();
    const marker = nonce();
    const r = await chatJson(ctx.tp, key, userMessage(`[[fake:error=${upstream}]] ${marker}`));
    const err = assertError(r, client, `upstream ${upstream}`);
    if (upstream === 401) assert.notEqual(err.type, 'authentication_error', 'not blamed on the client key');
    assert.ok((await fakeRequestsWith(ctx.fake, marker)).length >= 1, 'the upstream was called');

    // Before the first byte an upstream error is still an HTTP error, even for a stream.
    const s = await chatStream(ctx.tp, key, userMessage(`[[fake:error=${upstream}]] ${nonce()}`));
    assertError({ status: s.status, headers: s.headers, body: s.body }, client, `stream, upstream ${upstream}`);
    await assertUntouched(email, `upstream ${upstream}`);
  });
}

test('a body over the size limit → 413', async () => {
  const { email, key } = await ctx.tp.account();
  const body = JSON.stringify(userMessage('x'.repeat(11 * 1024 * 1024)));
  const r = await rawRequest(`${ctx.tp.gatewayUrl}/api/v1/chat/completions`, {
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body,
  });
  assertError({ status: r.status, headers: r.headers, body: JSON.parse(r.text) }, 413, '11 MiB body');
  await assertUntouched(email, '413');
});

test('malformed requests and an unknown model → 400; nothing reaches the upstream', async () => {
  const { email, key } = await ctx.tp.account();
  const marker = nonce();
  const cases = [
    ['bad JSON', `{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"${marker}"}`, 400],
    ['missing model', JSON.stringify({ messages: [{ role: 'user', content: marker }] }), 400],
    ['missing messages', JSON.stringify({ model: 'openai/gpt-4o-mini', note: marker }), 400],
    ['messages not an array', JSON.stringify({ model: 'openai/gpt-4o-mini', messages: marker }), 400],
    ['unknown model', JSON.stringify({ ...userMessage(marker), model: 'nobody/no-such-model' }), 400],
    // Read one way here and another upstream (the last wins there): usage could be switched off.
    ['a member twice', `{"model":"openai/gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},`
      + `"messages":[{"role":"user","content":"${marker}"}],"stream_options":{"include_usage":false}}`, 400],
  ];
  for (const [what, body, status] of cases) {
    assertError(await parsed(await chat(ctx.tp, key, body)), status, what);
  }
  assert.equal((await fakeRequestsWith(ctx.fake, marker)).length, 0);
  assert.equal((await ctx.fake.requests()).filter((r) => JSON.stringify(r.body ?? '').includes(marker)).length, 0);
  await assertUntouched(email, 'bad requests');
});

test('no key, a malformed key and an unknown key → 401', async () => {
  const marker = nonce();
  const body = userMessage(marker);
  assertError(await parsed(await chat(ctx.tp, null, body)), 401, 'no Authorization header');
  assertError(await parsed(await chat(ctx.tp, null, body, { headers: { authorization: 'Basic dXNlcjpwdw==' } })),
    401, 'not a Bearer token');
  assertError(await parsed(await chat(ctx.tp, 'hello', body)), 401, 'malformed key');
  assertError(await parsed(await chat(ctx.tp, `sk-tp-${'0'.repeat(48)}`, body)), 401, 'unknown key');
  const { key } = await ctx.tp.account();
  assertError(await parsed(await chat(ctx.tp, `${key}x`, body)), 401, 'a valid key plus one character');
  assertError(await parsed(await fetch(`${ctx.tp.gatewayUrl}/api/v1/key`)), 401, '/api/v1/key without a key');
  assert.equal((await fakeRequestsWith(ctx.fake, marker)).length, 0);
});

async function disable(email, name) {
  const keys = await keyList(ctx.tp, email);
  const k = keys.find((x) => x.name === name);
  assert.ok(k, `key ${name} in key list: ${JSON.stringify(keys)}`);
  const r = await ctx.tp.cli(['key', 'disable', '--id', String(k.id)]);
  assert.equal(r.code, 0, r.stderr);
  const after = (await keyList(ctx.tp, email)).find((x) => x.id === k.id);
  assert.equal(after.disabled, true);
}

test('a disabled key → 403 saying so, whether or not the server has seen it before', async () => {
  const { email } = await ctx.tp.account();
  const fresh = await ctx.tp.createKey({ email, name: 'never-used' });
  const used = await ctx.tp.createKey({ email, name: 'used-once' });
  const warm = await chatJson(ctx.tp, used, userMessage('warm the key cache'));
  assert.equal(warm.status, 200);
  const balance = START - usdToMicros(warm.body.usage.cost);
  await untilEqual(async () => (await userShow(ctx.tp, email)).balance_micros, balance, 'balance after one call');

  await disable(email, 'never-used');
  await disable(email, 'used-once');
  // The CLI is another process: a running server sees its change within its key cache's and
  // lease's lifetime (500 ms each by default; docs/architecture.md §4.11), not at once.
  await sleep(1_000);
  for (const [what, key] of [['never used', fresh], ['used before', used]]) {
    const marker = nonce();
    const err = assertError(await chatJson(ctx.tp, key, userMessage(marker)), 403, `disabled key, ${what}`);
    assert.match(err.message, /disabled/i, `${what}: the message says the key is disabled`);
    assert.equal((await fakeRequestsWith(ctx.fake, marker)).length, 0);
  }
  const u = await assertLedger(ctx.tp, email);
  assert.equal(u.balance_micros, balance, 'nothing charged for refused requests');
});

test('not enough credit → 402 before any upstream call', async () => {
  const { email, key } = await ctx.tp.account({ credits: '0' });
  for (const stream of [false, true]) {
    const marker = nonce();
    const body = userMessage(marker, stream ? { stream: true } : {});
    assertError(await parsed(await chat(ctx.tp, key, body)), 402, `no credit, stream=${stream}`);
    assert.equal((await fakeRequestsWith(ctx.fake, marker)).length, 0, 'the fake received no request');
  }
  const u = await assertLedger(ctx.tp, email);
  assert.equal(u.balance_micros, 0);

  const poor = await ctx.tp.account({ credits: '0.000001' });
  const marker = nonce();
  assertError(await chatJson(ctx.tp, poor.key, userMessage(marker)), 402, 'one micro-USD of credit');
  assert.equal((await fakeRequestsWith(ctx.fake, marker)).length, 0);
});

test('a key over its limit → 402 before any upstream call; the balance is untouched', async () => {
  const { email, key } = await ctx.tp.account({ limit: '0.000001' });
  const marker = nonce();
  assertError(await chatJson(ctx.tp, key, userMessage(marker)), 402, 'key limit');
  assert.equal((await fakeRequestsWith(ctx.fake, marker)).length, 0);
  await assertUntouched(email, 'key limit');

  // A limit that exactly one call's hold fits in: the first call passes, the second is refused
  // because the key has spent something since.
  const probe = await ctx.tp.account();
  const body = userMessage('[[fake:delay-ms=600]] limit probe');
  const { hold } = await measureHold(ctx.tp, probe.key, body);
  assert.ok(hold > 0, 'the hold shows in the key usage while the call is in flight');
  const one = await ctx.tp.account({ limit: microsToUsd(hold) });
  const first = await chatJson(ctx.tp, one.key, body);
  assert.equal(first.status, 200, JSON.stringify(first.body));
  const marker2 = nonce();
  assertError(await chatJson(ctx.tp, one.key, userMessage(`[[fake:delay-ms=600]] limit probe ${marker2}`)),
    402, 'second call over the key limit');
  assert.equal((await fakeRequestsWith(ctx.fake, marker2)).length, 0);
  await untilEqual(async () => (await keyList(ctx.tp, one.email))[0].usage_micros, usdToMicros(first.body.usage.cost),
    'key usage is what the first call cost');
  const [k] = await keyList(ctx.tp, one.email);
  assert.equal(k.limit_micros, hold);
  const u = await assertLedger(ctx.tp, one.email);
  assert.equal(u.balance_micros, START - k.usage_micros);
});
