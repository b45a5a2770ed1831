// API keys through the control API, seen from the gateway: a key created here works there; a
// PATCH (disable, limit, expiry) reaches the gateway within 1.5 s; rotation kills the old secret
// and keeps id, usage and limit; deletion kills the key. The secret is shown only once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chatJson, getJson, usdToMicros, userMessage, sleep } from '../lib/gateway.mjs';
import { api, cliUser, expectError, expectStatus, login, secretsTest, useControl } from './helpers.mjs';

const S = {};
const ctx = useControl({
  async setup() {
    const u = await cliUser(ctx, { credits: '20' });
    S.U = { ...(await login(ctx, u.email, u.password)), id: u.id };
  },
});

const WITHIN_MS = 1_500;

// Polls the gateway with `secret` until it answers `status`; returns the milliseconds it took.
async function gatewayAnswers(secret, status, what) {
  const t0 = Date.now();
  let last;
  for (;;) {
    last = await chatJson(ctx.tp, secret, userMessage(`keys test: ${what}`));
    if (last.status === status) return Date.now() - t0;
    if (Date.now() - t0 > WITHIN_MS) {
      assert.fail(`${what}: the gateway still answers ${last.status} ${JSON.stringify(last.body)} after ${WITHIN_MS} ms (wanted ${status})`);
    }
    await sleep(50);
  }
}

async function listed(id) {
  const keys = expectStatus(await api(ctx, 'GET', '/api/keys', { auth: S.U }), 200).body.keys;
  return keys.find((k) => k.id === id);
}

test('create → works at the gateway; the secret is shown once; the list shows the key without it', async () => {
  const r = expectStatus(await api(ctx, 'POST', '/api/keys', {
    auth: S.U, body: { name: 'created', limit_usd: '2.5', log_prompts: false },
  }), 201, 'create');
  const { key, secret } = r.body;
  assert.match(secret, /^sk-tp-/);
  assert.equal(key.name, 'created');
  assert.equal(key.limit_micros, 2_500_000);
  assert.equal(key.usage_micros, 0);
  assert.equal(key.disabled, false);
  assert.equal(key.expires_at, null);
  assert.equal(key.last_used_at, null);
  assert.equal(key.management, false, 'an ordinary key unless asked');
  assert.match(key.hash, /^[0-9a-f]{64}$/, 'the public id the gateway\'s /api/v1/keys names it by');
  assert.ok(secret.startsWith(key.prefix.replace(/(…|\.\.\.|\*+)$/, '')), `the prefix ${key.prefix} starts the secret`);
  assert.ok(key.prefix.length < secret.length - 16, 'the prefix is far from the whole secret');

  const call = await chatJson(ctx.tp, secret, userMessage('first use'));
  assert.equal(call.status, 200, JSON.stringify(call.body));
  const gw = await getJson(ctx.tp, '/api/v1/key', secret);
  assert.equal(gw.body.data.limit, 2.5, 'the gateway sees the limit');
  const row = await listed(key.id);
  assert.ok(row, 'listed');
  assert.equal(row.usage_micros, usdToMicros(call.body.usage.cost), 'usage is the call\'s cost');
  assert.ok(!JSON.stringify(row).includes(secret), 'the list never shows the secret');
});

test('disable via PATCH → the gateway answers 403 within 1.5 s; enable → works again', async () => {
  const { key, secret } = expectStatus(await api(ctx, 'POST', '/api/keys', { auth: S.U, body: { name: 'to-disable' } }), 201).body;
  assert.equal((await chatJson(ctx.tp, secret, userMessage('cache me'))).status, 200, 'used once, so the gateway caches it');
  const p = expectStatus(await api(ctx, 'PATCH', `/api/keys/${key.id}`, { auth: S.U, body: { disabled: true } }), 200);
  assert.equal(p.body.key.disabled, true);
  assert.equal(p.body.key.name, 'to-disable', 'fields left out stay as they are');
  const ms = await gatewayAnswers(secret, 403, 'disabled key');
  console.log(`disabled key refused after ${ms} ms`);
  const refused = await chatJson(ctx.tp, secret, userMessage('still disabled'));
  assert.equal(refused.status, 403);
  assert.match(refused.body.error.message, /disabled/i);
  expectStatus(await api(ctx, 'PATCH', `/api/keys/${key.id}`, { auth: S.U, body: { disabled: false } }), 200);
  await gatewayAnswers(secret, 200, 're-enabled key');
});

test('limits via PATCH: a tiny limit → 402 at the gateway; null removes it', async () => {
  const { key, secret } = expectStatus(await api(ctx, 'POST', '/api/keys', { auth: S.U, body: { name: 'limited' } }), 201).body;
  assert.equal(key.limit_micros, null, 'no limit by default');
  assert.equal((await chatJson(ctx.tp, secret, userMessage('cache me'))).status, 200);
  let p = expectStatus(await api(ctx, 'PATCH', `/api/keys/${key.id}`, { auth: S.U, body: { limit_usd: '0.000001' } }), 200);
  assert.equal(p.body.key.limit_micros, 1);
  await gatewayAnswers(secret, 402, 'a key over its limit');
  p = expectStatus(await api(ctx, 'PATCH', `/api/keys/${key.id}`, { auth: S.U, body: { limit_usd: null } }), 200);
  assert.equal(p.body.key.limit_micros, null, 'null removes the limit');
  await gatewayAnswers(secret, 200, 'the limit removed');
  p = expectStatus(await api(ctx, 'PATCH', `/api/keys/${key.id}`, { auth: S.U, body: { limit_usd: 3 } }), 200);
  assert.equal(p.body.key.limit_micros, 3_000_000, 'a JSON number is USD');
});

test('rate limits: rpm_limit / tpm_limit on create, PATCH (null clears, others stay) and the list; bad values 400', async () => {
  const created = expectStatus(await api(ctx, 'POST', '/api/keys', {
    auth: S.U, body: { name: 'rate-limited', rpm_limit: 60, tpm_limit: 100_000 },
  }), 201).body;
  assert.equal(created.key.rpm_limit, 60);
  assert.equal(created.key.tpm_limit, 100_000);
  const plain = expectStatus(await api(ctx, 'POST', '/api/keys', { auth: S.U, body: { name: 'no-rate-limits' } }), 201).body;
  assert.equal(plain.key.rpm_limit, null, 'no rate limit by default');
  assert.equal(plain.key.tpm_limit, null);
  const id = created.key.id;
  let p = expectStatus(await api(ctx, 'PATCH', `/api/keys/${id}`, { auth: S.U, body: { rpm_limit: 5 } }), 200);
  assert.deepEqual([p.body.key.rpm_limit, p.body.key.tpm_limit], [5, 100_000], 'only what is given changes');
  p = expectStatus(await api(ctx, 'PATCH', `/api/keys/${id}`, { auth: S.U, body: { tpm_limit: null } }), 200);
  assert.deepEqual([p.body.key.rpm_limit, p.body.key.tpm_limit], [5, null], 'null clears');
  assert.deepEqual([(await listed(id)).rpm_limit, (await listed(id)).tpm_limit], [5, null]);

  for (const [field, value] of [['rpm_limit', 0], ['rpm_limit', -1], ['rpm_limit', 1.5], ['rpm_limit', '10'],
    ['rpm_limit', 1_000_000_001], ['tpm_limit', 0], ['tpm_limit', 1e13], ['tpm_limit', true]]) {
    const bad = expectError(await api(ctx, 'PATCH', `/api/keys/${id}`, { auth: S.U, body: { [field]: value } }), 400,
      `PATCH ${field} ${JSON.stringify(value)}`);
    assert.ok(bad.message.includes(field) || bad.param === field, `the error names ${field}: ${JSON.stringify(bad)}`);
    expectError(await api(ctx, 'POST', '/api/keys', { auth: S.U, body: { name: 'bad', [field]: value } }), 400,
      `POST ${field} ${JSON.stringify(value)}`);
  }
  assert.deepEqual([(await listed(id)).rpm_limit, (await listed(id)).tpm_limit], [5, null], 'a refused PATCH changes nothing');
});

test('limit_reset: daily / weekly / monthly on create and PATCH (null: never); limit_usage_micros counts the period; bad values 400', async () => {
  const created = expectStatus(await api(ctx, 'POST', '/api/keys', {
    auth: S.U, body: { name: 'resets-daily', limit_usd: '1', limit_reset: 'daily' },
  }), 201).body;
  assert.equal(created.key.limit_reset, 'daily');
  assert.equal(created.key.limit_usage_micros, 0);
  const plain = expectStatus(await api(ctx, 'POST', '/api/keys', { auth: S.U, body: { name: 'never-resets', limit_usd: '1' } }), 201).body;
  assert.equal(plain.key.limit_reset, null, 'a limit never resets by default');
  const id = created.key.id;
  assert.equal((await chatJson(ctx.tp, created.secret, userMessage('limit reset: spend'))).status, 200);
  // This period's spend is all of the key's spend so far.
  const row = await listed(id);
  assert.ok(row.usage_micros > 0, 'the request was charged');
  assert.equal(row.limit_usage_micros, row.usage_micros);

  let p = expectStatus(await api(ctx, 'PATCH', `/api/keys/${id}`, { auth: S.U, body: { limit_reset: 'monthly' } }), 200);
  assert.equal(p.body.key.limit_reset, 'monthly');
  assert.equal(p.body.key.limit_micros, 1_000_000, 'only what is given changes');
  p = expectStatus(await api(ctx, 'PATCH', `/api/keys/${id}`, { auth: S.U, body: { limit_reset: null } }), 200);
  assert.equal(p.body.key.limit_reset, null, 'null: never');
  for (const value of ['yearly', 'Daily', '', 1, true]) {
    const bad = expectError(await api(ctx, 'PATCH', `/api/keys/${id}`, { auth: S.U, body: { limit_reset: value } }), 400,
      `PATCH limit_reset ${JSON.stringify(value)}`);
    assert.equal(bad.param, 'limit_reset', JSON.stringify(bad));
    expectError(await api(ctx, 'POST', '/api/keys', { auth: S.U, body: { name: 'bad', limit_usd: '1', limit_reset: value } }), 400,
      `POST limit_reset ${JSON.stringify(value)}`);
  }
  assert.equal((await listed(id)).limit_reset, null, 'a refused PATCH changes nothing');
});

test('an expiry set via PATCH → the gateway refuses the key within 1.5 s of it', async () => {
  const { key, secret } = expectStatus(await api(ctx, 'POST', '/api/keys', {
    auth: S.U, body: { name: 'expiring', expires_at: '2099-01-01T00:00:00Z' },
  }), 201).body;
  assert.equal(key.expires_at, '2099-01-01T00:00:00Z');
  assert.equal((await chatJson(ctx.tp, secret, userMessage('cache me'))).status, 200);
  const soon = new Date(Math.ceil(Date.now() / 1000) * 1000 + 2_000);
  const p = expectStatus(await api(ctx, 'PATCH', `/api/keys/${key.id}`, { auth: S.U, body: { expires_at: soon.toISOString() } }), 200);
  assert.equal(Date.parse(p.body.key.expires_at), soon.getTime(), 'the expiry, to the second');
  assert.equal((await chatJson(ctx.tp, secret, userMessage('not yet expired'))).status, 200, 'works until it expires');
  let last;
  do {
    last = await chatJson(ctx.tp, secret, userMessage('expired?'));
    if ([401, 403].includes(last.status)) break;
    await sleep(50);
  } while (Date.now() < soon.getTime() + WITHIN_MS);
  assert.ok([401, 403].includes(last.status), `an expired key is refused: ${last.status} ${JSON.stringify(last.body)}`);
  console.log(`expired key refused ${Date.now() - soon.getTime()} ms after its expiry`);
});

test('rotate → the old secret gets 401 at the gateway, the new one works; same id, usage and limit', async () => {
  const { key, secret } = expectStatus(await api(ctx, 'POST', '/api/keys', {
    auth: S.U, body: { name: 'to-rotate', limit_usd: '4' },
  }), 201).body;
  const call = await chatJson(ctx.tp, secret, userMessage('before rotation'));
  assert.equal(call.status, 200);
  const usage = usdToMicros(call.body.usage.cost);
  const r = expectStatus(await api(ctx, 'POST', `/api/keys/${key.id}/rotate`, { auth: S.U }), 200, 'rotate');
  assert.notEqual(r.body.secret, secret, 'a new secret');
  assert.match(r.body.secret, /^sk-tp-/);
  assert.equal(r.body.key.id, key.id, 'same id');
  assert.equal(r.body.key.name, 'to-rotate');
  assert.equal(r.body.key.limit_micros, 4_000_000, 'same limit');
  assert.equal(r.body.key.usage_micros, usage, 'same usage');
  assert.ok(r.body.secret.startsWith(r.body.key.prefix.replace(/(…|\.\.\.|\*+)$/, '')), 'the prefix follows the new secret');
  const ms = await gatewayAnswers(secret, 401, 'the old secret');
  console.log(`old secret refused after ${ms} ms`);
  const fresh = await chatJson(ctx.tp, r.body.secret, userMessage('after rotation'));
  assert.equal(fresh.status, 200, JSON.stringify(fresh.body));
  const row = await listed(key.id);
  assert.equal(row.usage_micros, usage + usdToMicros(fresh.body.usage.cost), 'usage carries on');
  expectError(await chatJson(ctx.tp, secret, userMessage('old again')), 401, 'the old secret stays dead');
});

test('delete → 204, the gateway answers 401 within 1.5 s, the key is gone from the list and from PATCH', async () => {
  const { key, secret } = expectStatus(await api(ctx, 'POST', '/api/keys', { auth: S.U, body: { name: 'to-delete' } }), 201).body;
  assert.equal((await chatJson(ctx.tp, secret, userMessage('cache me'))).status, 200);
  expectStatus(await api(ctx, 'DELETE', `/api/keys/${key.id}`, { auth: S.U }), 204, 'delete');
  const ms = await gatewayAnswers(secret, 401, 'deleted key');
  console.log(`deleted key refused after ${ms} ms`);
  assert.equal(await listed(key.id), undefined, 'gone from the list');
  expectError(await api(ctx, 'PATCH', `/api/keys/${key.id}`, { auth: S.U, body: { disabled: false } }), 404, 'PATCH a deleted key');
  expectError(await api(ctx, 'POST', `/api/keys/${key.id}/rotate`, { auth: S.U }), 404, 'rotate a deleted key');
  expectError(await api(ctx, 'DELETE', `/api/keys/${key.id}`, { auth: S.U }), 404, 'delete twice');
});

test('management: true → a management key: 403 on models, 200 on the gateway\'s /api/v1/keys; rotation keeps a key\'s hash', async () => {
  const { key, secret } = expectStatus(await api(ctx, 'POST', '/api/keys', {
    auth: S.U, body: { name: 'manager', management: true },
  }), 201, 'create a management key').body;
  assert.equal(key.management, true);
  const refused = await chatJson(ctx.tp, secret, userMessage('a management key calls a model'));
  assert.equal(refused.status, 403, JSON.stringify(refused.body));
  assert.equal(refused.body.error.message, 'Management keys cannot call models; use a regular API key');
  const managed = await getJson(ctx.tp, '/api/v1/keys', secret);
  assert.equal(managed.status, 200, JSON.stringify(managed.body));
  assert.ok(!managed.body.data.some((k) => k.hash === key.hash), 'management keys are not among the keys it manages');
  const ordinary = expectStatus(await api(ctx, 'POST', '/api/keys', { auth: S.U, body: { name: 'managed' } }), 201).body.key;
  const rotated = expectStatus(await api(ctx, 'POST', `/api/keys/${ordinary.id}/rotate`, { auth: S.U }), 200, 'rotate').body;
  assert.equal(rotated.key.hash, ordinary.hash, 'a new secret, the same hash');
  const seen = await getJson(ctx.tp, `/api/v1/keys/${ordinary.hash}`, secret);
  assert.equal(seen.status, 200, JSON.stringify(seen.body));
  assert.equal(seen.body.data.name, 'managed');
});

test('log_prompts: the request log keeps the texts only for keys that opt in', async () => {
  const on = expectStatus(await api(ctx, 'POST', '/api/keys', { auth: S.U, body: { name: 'logs-on', log_prompts: true } }), 201).body;
  const off = expectStatus(await api(ctx, 'POST', '/api/keys', { auth: S.U, body: { name: 'logs-off' } }), 201).body;
  assert.equal(on.key.log_prompts, true);
  assert.equal(off.key.log_prompts, false);
  const marker = `marker-${Date.now()}`;
  assert.equal((await chatJson(ctx.tp, on.secret, userMessage(`${marker} on`))).status, 200);
  assert.equal((await chatJson(ctx.tp, off.secret, userMessage(`${marker} off`))).status, 200);
  const find = async (keyId) => {
    const t0 = Date.now();
    for (;;) {
      const r = expectStatus(await api(ctx, 'GET', `/api/logs?key_id=${keyId}`, { auth: S.U }), 200);
      if (r.body.logs.length > 0) return r.body.logs[0];
      if (Date.now() - t0 > 5_000) assert.fail(`no log row for key ${keyId} after 5 s`);
      await sleep(100);
    }
  };
  const rowOn = await find(on.key.id);
  const rowOff = await find(off.key.id);
  const detailOn = expectStatus(await api(ctx, 'GET', `/api/logs/${rowOn.id}`, { auth: S.U }), 200).body.log;
  const detailOff = expectStatus(await api(ctx, 'GET', `/api/logs/${rowOff.id}`, { auth: S.U }), 200).body.log;
  assert.ok(detailOn.prompt?.includes(`${marker} on`), `the prompt is kept: ${JSON.stringify(detailOn)}`);
  assert.equal(typeof detailOn.completion, 'string');
  assert.equal(detailOff.prompt, undefined, 'no prompt without log_prompts');
  assert.equal(detailOff.completion, undefined, 'no completion without log_prompts');
  assert.equal(detailOn.key_id, on.key.id);
  assert.equal(detailOn.status, 200);
});

secretsTest(ctx);
