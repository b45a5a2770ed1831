// Per-key rate limits (requests and tokens per minute) as a client meets them at the gateway: the
// request over a limit gets 429 in OpenRouter's error shape with a Retry-After in whole seconds,
// is never sent upstream nor billed, and other keys go on; /api/v1/key reports the limits; the
// limits are set through the CLI (`key create --rpm/--tpm`, `key set-limits`) and through the
// control API (POST/PATCH /api/keys), and a change reaches the running gateway at once (control
// API) or within the key cache's TTL (CLI, another process).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from '../lib/setup.mjs';
import {
  assertError, assertLedger, chatJson, eventually, fakeRequestsWith, getJson, nonce, sleep, userMessage, userShow,
  usdToMicros,
} from '../lib/gateway.mjs';

const ctx = useServer();

// /api/v1/key's rate_limit without its note (a sentence; @openrouter/sdk requires one).
async function rateLimitOf(tp, secret) {
  const { note, ...figures } = (await getJson(tp, '/api/v1/key', secret)).body.data.rate_limit;
  assert.equal(typeof note, 'string');
  return figures;
}

// A new key of `email` made by the CLI with `extra` arguments (e.g. ['--rpm', '3']); its secret.
async function cliKey(tp, email, extra) {
  const r = await tp.cli(['key', 'create', '--email', email, '--name', `rl-${nonce()}`, ...extra]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim().split('\n').pop().trim();
}

async function keyId(tp, email, secret) {
  const d = (await getJson(tp, '/api/v1/key', secret)).body.data;
  const listed = await tp.cli(['key', 'list', '--email', email]);
  const keys = listed.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  const key = keys.find((k) => k.prefix === d.label);
  assert.ok(key, `key ${d.label} in ${listed.stdout}`);
  return key;
}

function assertRateLimited(r, what, needle) {
  const error = assertError(r, 429, what);
  assert.ok(error.message.includes(needle), `${what}: the message names the limit (${needle}): ${error.message}`);
  const retry = r.headers.get('retry-after');
  assert.match(retry ?? '', /^\d+$/, `${what}: Retry-After in whole seconds`);
  assert.ok(Number(retry) >= 1 && Number(retry) <= 60, `${what}: Retry-After ${retry} within the minute`);
  return Number(retry);
}

async function control(tp, method, route, body, token) {
  const res = await fetch(`${tp.controlUrl}${route}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

test('rpm 3: the 4th request within the minute is 429 with Retry-After, not sent upstream, not billed; another key goes on', async () => {
  const { tp, fake } = ctx;
  const { email, key: other } = await tp.account({ credits: '10' });
  const key = await cliKey(tp, email, ['--rpm', '3']);
  const tag = `rpm-${nonce()}`;
  let spent = 0;
  for (let i = 0; i < 3; i++) {
    const ok = await chatJson(tp, key, userMessage(`${tag} ${i}`));
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    spent += usdToMicros(ok.body.usage.cost);
  }
  await eventually(async () => (await userShow(tp, email)).total_spent_micros === spent, { what: 'the three charges' });
  const before = await userShow(tp, email);

  const refused = await chatJson(tp, key, userMessage(`${tag} refused`));
  assertRateLimited(refused, 'the 4th request', '3 requests per minute');
  assert.equal((await fakeRequestsWith(fake, `${tag} refused`)).length, 0, 'the refused request never went upstream');
  // A streamed request is refused the same way, before any stream starts.
  const streamed = await chatJson(tp, key, userMessage(`${tag} refused`, { stream: true }));
  assertRateLimited(streamed, 'a streamed 5th request', '3 requests per minute');
  const metrics = await (await fetch(`${tp.gatewayUrl}/metrics`)).text();
  assert.ok(Number(/^turnpike_key_rate_limited_total (\d+)$/m.exec(metrics)?.[1]) >= 2, 'the refusals are counted in /metrics');

  const fine = await chatJson(tp, other, userMessage(`${tag} other key`));
  assert.equal(fine.status, 200, 'another key of the same user is not limited');
  await eventually(async () => (await userShow(tp, email)).total_spent_micros === before.total_spent_micros
    + usdToMicros(fine.body.usage.cost), { what: 'only the other key\'s charge' });
  await assertLedger(tp, email);
  assert.equal((await fakeRequestsWith(fake, tag)).length, 4, 'three of the limited key, one of the other');
});

test('tpm: refused once the minute\'s billed tokens (prompt + completion) reach the limit', async () => {
  const { tp, fake } = ctx;
  const { email, key: probe } = await tp.account({ credits: '10' });
  const tag = `tpm-${nonce()}`;
  // The tokens one such request bills, from a key without limits.
  const first = await chatJson(tp, probe, userMessage(`${tag} probe`));
  assert.equal(first.status, 200);
  const tokens = first.body.usage.prompt_tokens + first.body.usage.completion_tokens;
  assert.ok(tokens > 0);

  // Two requests fit under 2T - 1 (T < 2T - 1 after one), the third finds 2T ≥ the limit.
  const limit = 2 * tokens - 1;
  const key = await cliKey(tp, email, ['--tpm', String(limit)]);
  for (let i = 0; i < 2; i++) {
    const ok = await chatJson(tp, key, userMessage(`${tag} ${i}`));
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.usage.prompt_tokens + ok.body.usage.completion_tokens, tokens);
  }
  const refused = await chatJson(tp, key, userMessage(`${tag} refused`));
  assertRateLimited(refused, 'over the token limit', `${limit} tokens per minute`);
  assert.ok(refused.body.error.message.includes(`used ${2 * tokens}`), refused.body.error.message);
  assert.equal((await fakeRequestsWith(fake, `${tag} refused`)).length, 0);

  // /api/v1/key reports both figures; -1 is "no limit".
  assert.deepEqual(await rateLimitOf(tp, key), { requests: -1, tokens: limit, interval: '1m' });
  assert.deepEqual(await rateLimitOf(tp, probe), { requests: -1, tokens: -1, interval: '1m' });
});

test('CLI: key set-limits changes a running gateway\'s limits within the key cache TTL; 0 / none clear them', async () => {
  const { tp } = ctx;
  const { email } = await tp.account({ credits: '10' });
  const key = await cliKey(tp, email, ['--rpm', '1', '--tpm', '1000000']);
  const { id } = await keyId(tp, email, key);
  assert.equal((await chatJson(tp, key, userMessage('cli: first'))).status, 200);
  assertRateLimited(await chatJson(tp, key, userMessage('cli: second')), 'rpm 1', '1 request per minute');

  let r = await tp.cli(['key', 'set-limits', '--id', String(id), '--rpm', '3']);
  assert.equal(r.code, 0, r.stderr);
  // The key has spent (its first request): what counts against a spending limit, had it one.
  const limits = { id, limit_micros: null, limit_reset: null };
  const shown = JSON.parse(r.stdout.trim());
  assert.ok(shown.limit_usage_micros > 0, 'the first request counts');
  assert.deepEqual(shown, { ...limits, limit_usage_micros: shown.limit_usage_micros, rpm_limit: 3, tpm_limit: 1_000_000 });
  await eventually(async () => (await chatJson(tp, key, userMessage('cli: raised'))).status === 200,
    { timeout: 2_000, what: 'the raised limit' });
  assert.deepEqual(await rateLimitOf(tp, key), { requests: 3, tokens: 1_000_000, interval: '1m' });

  r = await tp.cli(['key', 'set-limits', '--id', String(id), '--rpm', 'none', '--tpm', '0']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual({ ...JSON.parse(r.stdout.trim()), limit_usage_micros: 0 },
    { ...limits, limit_usage_micros: 0, rpm_limit: null, tpm_limit: null });
  const listed = await keyId(tp, email, key);
  assert.equal(listed.rpm_limit, null);
  assert.deepEqual(await rateLimitOf(tp, key), { requests: -1, tokens: -1, interval: '1m' });
  await sleep(1_100);  // the gateway's key cache: auth.key_cache_ttl_ms (500 ms by default)
  for (let i = 0; i < 5; i++) assert.equal((await chatJson(tp, key, userMessage(`cli: free ${i}`))).status, 200);

  // Bad values are refused with the option named, and change nothing.
  for (const bad of [['--rpm=-1'], ['--tpm', '1.5'], ['--rpm', 'lots'], []]) {
    r = await tp.cli(['key', 'set-limits', '--id', String(id), ...bad]);
    assert.notEqual(r.code, 0, `set-limits ${bad.join(' ')} fails`);
    assert.match(r.stderr, bad.length ? new RegExp(bad[0].slice(0, 5)) : /--limit, --limit-reset, --rpm, --tpm/);
  }
  r = await tp.cli(['key', 'create', '--email', email, '--name', 'bad', '--rpm', 'x']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /--rpm/);
  r = await tp.cli(['key', 'set-limits', '--id', '999999', '--rpm', '3']);
  assert.notEqual(r.code, 0, 'an unknown key id fails');
});

test('control API: limits set on create and by PATCH apply at the gateway at once; null removes them', async () => {
  const { tp } = ctx;
  const { email } = await tp.account({ credits: '10' });
  const password = 'correct-horse-9';  // tp.account's default
  const login = await control(tp, 'POST', '/api/auth/login', { email, password });
  assert.equal(login.status, 200, JSON.stringify(login.body));
  const token = login.body.token;

  const created = await control(tp, 'POST', '/api/keys', { name: 'api-limited', rpm_limit: 2 }, token);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.key.rpm_limit, 2);
  assert.equal(created.body.key.tpm_limit, null);
  const { secret } = created.body;
  const id = created.body.key.id;
  for (let i = 0; i < 2; i++) assert.equal((await chatJson(tp, secret, userMessage(`api ${i}`))).status, 200);
  assertRateLimited(await chatJson(tp, secret, userMessage('api over')), 'rpm 2', '2 requests per minute');

  const raised = await control(tp, 'PATCH', `/api/keys/${id}`, { rpm_limit: 3 }, token);
  assert.equal(raised.status, 200, JSON.stringify(raised.body));
  assert.equal(raised.body.key.rpm_limit, 3);
  // The control plane drops the key from this process's cache: the next request sees it.
  assert.equal((await chatJson(tp, secret, userMessage('api raised'))).status, 200);
  assertRateLimited(await chatJson(tp, secret, userMessage('api over again')), 'rpm 3', '3 requests per minute');

  const cleared = await control(tp, 'PATCH', `/api/keys/${id}`, { rpm_limit: null, tpm_limit: 5000 }, token);
  assert.equal(cleared.status, 200, JSON.stringify(cleared.body));
  assert.equal(cleared.body.key.rpm_limit, null);
  assert.equal(cleared.body.key.tpm_limit, 5000);
  assert.equal((await chatJson(tp, secret, userMessage('api cleared'))).status, 200);
  const listed = await control(tp, 'GET', '/api/keys', undefined, token);
  const row = listed.body.keys.find((k) => k.id === id);
  assert.equal(row.rpm_limit, null);
  assert.equal(row.tpm_limit, 5000);
});
