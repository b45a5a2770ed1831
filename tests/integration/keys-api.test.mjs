// OpenRouter's key management API on the gateway (/api/v1/keys, alias /v1/keys) as a script that
// provisions keys meets it: a management key (made by the CLI's `key create --management` or the
// control API) lists, creates, reads, changes and deletes the ordinary keys of its own user, in
// the shapes @openrouter/sdk parses; every change holds on the very next request (the server runs
// with a 10-minute key cache, so only the API's own cache invalidation can explain it); a
// management key cannot call models (403 in the route's error shape, nothing sent upstream,
// nothing billed), an ordinary key cannot manage keys, and bad input is a 400 that creates nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { OpenRouter } from '@openrouter/sdk';
import { startFake, startTurnpike } from '../lib/harness.mjs';
import { UPSTREAM_KEY } from '../lib/setup.mjs';
import { noteSecret, noteSeen, scanForSecrets } from '../lib/secrets.mjs';
import {
  TEST_CATALOG, assertError, chatJson, eventually, fakeRequestsWith, gatewayFetch, getJson, nonce, usdToMicros,
  userMessage, userShow,
} from '../lib/gateway.mjs';

const ctx = { fake: null, tp: null, configDir: null };

before(async () => {
  ctx.configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'turnpike-keys-api-'));
  const config = path.join(ctx.configDir, 'turnpike.toml');
  fs.writeFileSync(config, '[auth]\nkey_cache_ttl_ms = 600000\n');
  ctx.fake = await startFake({ args: ['--api-key', UPSTREAM_KEY] });
  ctx.tp = await startTurnpike({ fake: ctx.fake, catalog: TEST_CATALOG, args: ['--config', config] });
});

after(async () => {
  await ctx.tp?.stop();
  await ctx.fake?.stop();
  fs.rmSync(ctx.configDir, { recursive: true, force: true });
  const output = (ctx.tp?.output() ?? '').split('\n').filter((l) => !/admin password:|api key: sk-tp-/.test(l)).join('\n');
  const { found, summary } = scanForSecrets(output);
  if (found.length > 0) throw new Error(`secrets leaked (${summary}):\n${found.join('\n')}`);
});

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const HEX64 = /^[0-9a-f]{64}$/;

// A call of the key management API: { status, headers, body }. The body of a creation (which
// carries the new secret, on purpose) is not handed to the secrets scan; every other one is.
async function keysApi(tp, method, route, key, body, { prefix = '/api/v1' } = {}) {
  const headers = key ? { authorization: `Bearer ${key}` } : {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await gatewayFetch(tp, `${prefix}${route}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  const created = method === 'POST' && res.status === 201;
  if (!created) noteSeen(`the body of ${method} ${route}`, text);
  let parsed = text;
  try {
    parsed = JSON.parse(text);
  } catch { /* not JSON: the test says so */ }
  if (created) noteSecret(parsed.key, `the key created by POST ${route}`);
  return { status: res.status, headers: res.headers, body: parsed };
}

// A call of the control API (port 3000) with a session token: { status, body }.
async function controlApi(tp, method, route, body, token) {
  const res = await fetch(`${tp.controlUrl}${route}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

// A user with credits, an ordinary key and a management key made by the CLI.
async function accountWithManager(tp) {
  const { email, key, userId } = await tp.account({ credits: '10' });
  const r = await tp.cli(['key', 'create', '--email', email, '--name', `mgr-${nonce()}`, '--management']);
  assert.equal(r.code, 0, r.stderr);
  const manager = r.stdout.trim().split('\n').pop().trim();
  assert.match(manager, /^sk-tp-/);
  noteSecret(manager, `the management key of ${email}`);
  return { email, key, userId, manager };
}

// Every member OpenRouter's key objects have (as @openrouter/sdk 1.3.19 requires them), with
// Turnpike's values for what it does not have.
function assertKeyShape(k, what) {
  for (const name of ['hash', 'name', 'label', 'created_at', 'workspace_id']) {
    assert.equal(typeof k[name], 'string', `${what}.${name}`);
  }
  for (const name of ['usage', 'usage_daily', 'usage_weekly', 'usage_monthly', 'byok_usage', 'byok_usage_daily',
    'byok_usage_weekly', 'byok_usage_monthly']) {
    assert.equal(typeof k[name], 'number', `${what}.${name}`);
  }
  assert.match(k.hash, HEX64, `${what}.hash`);
  assert.match(k.created_at, ISO, `${what}.created_at`);
  assert.equal(typeof k.disabled, 'boolean', `${what}.disabled`);
  assert.equal(k.include_byok_in_limit, false, `${what}.include_byok_in_limit`);
  assert.ok([null, 'daily', 'weekly', 'monthly'].includes(k.limit_reset), `${what}.limit_reset: ${k.limit_reset}`);
  assert.equal(k.external_user, null, `${what}.external_user`);
  assert.ok(k.updated_at === null || ISO.test(k.updated_at), `${what}.updated_at: ${k.updated_at}`);
  assert.ok(k.expires_at === null || ISO.test(k.expires_at), `${what}.expires_at: ${k.expires_at}`);
  assert.ok(k.limit === null || typeof k.limit === 'number', `${what}.limit`);
  assert.ok(k.limit_remaining === null || typeof k.limit_remaining === 'number', `${what}.limit_remaining`);
  assert.ok(k.label.startsWith('sk-tp-v1-'), `${what}.label is the key's display prefix`);
}

test('a management key creates a key (secret shown once), reads, renames, disables and deletes it; each change holds at once', async () => {
  const { tp, fake } = ctx;
  const { email, key: ordinary, userId, manager } = await accountWithManager(tp);

  const me = await getJson(tp, '/api/v1/key', manager);
  assert.equal(me.status, 200);
  assert.equal(me.body.data.is_management_key, true, '/key says it is a management key');
  assert.equal((await getJson(tp, '/api/v1/key', ordinary)).body.data.is_management_key, false);

  const expires = new Date(Date.now() + 30 * 86_400_000);
  expires.setUTCMilliseconds(0);
  const made = await keysApi(tp, 'POST', '/keys', manager, {
    name: 'customer-1', limit: 2.5, expires_at: expires.toISOString(), limit_reset: null, include_byok_in_limit: false,
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const secret = made.body.key;
  assert.match(secret, /^sk-tp-v1-[0-9a-f]{64}$/);
  const created = made.body.data;
  assertKeyShape(created, 'the created key');
  assert.equal(created.name, 'customer-1');
  assert.equal(created.limit, 2.5);
  assert.equal(created.limit_remaining, 2.5);
  assert.equal(created.usage, 0);
  assert.equal(created.disabled, false);
  assert.equal(created.expires_at, expires.toISOString().replace('.000Z', 'Z'));
  assert.equal(created.creator_user_id, String(userId), 'an individual user is the creator of their keys');
  assert.equal(created.workspace_id, 'default');
  const hash = created.hash;
  assert.notEqual(hash, crypto.createHash('sha256').update(secret).digest('hex'), 'the hash is not the secret\'s SHA-256');
  assert.ok(!secret.includes(hash) && !hash.includes(secret.slice(9, 20)), 'the hash reveals nothing of the secret');

  // The new key is an ordinary key: it calls models and is billed; its usage shows in the API.
  const answered = await chatJson(tp, secret, userMessage(`keys-api ${nonce()}`));
  assert.equal(answered.status, 200, JSON.stringify(answered.body));
  const cost = usdToMicros(answered.body.usage.cost);
  assert.ok(cost > 0);
  await eventually(async () => {
    const read = await keysApi(tp, 'GET', `/keys/${hash}`, manager);
    return read.status === 200 && usdToMicros(read.body.data.usage) === cost;
  }, { what: 'the key\'s usage in GET /keys/{hash}' });
  const read = (await keysApi(tp, 'GET', `/keys/${hash}`, manager)).body.data;
  assertKeyShape(read, 'GET /keys/{hash}');
  assert.equal(usdToMicros(read.usage_daily), cost, 'today\'s usage');
  assert.equal(usdToMicros(read.usage_monthly), cost, 'this month\'s usage');
  assert.equal(usdToMicros(read.limit_remaining), 2_500_000 - cost);
  assert.ok(!JSON.stringify(read).includes(secret), 'the secret is never shown again');

  // A limit that resets each UTC day: today's spend is all of it, so the same remains.
  const daily = await keysApi(tp, 'PATCH', `/keys/${hash}`, manager, { limit_reset: 'daily' });
  assert.equal(daily.status, 200, JSON.stringify(daily.body));
  assert.equal(daily.body.data.limit_reset, 'daily');
  assert.equal(daily.body.data.limit, 2.5, 'only what is given changes');
  assert.equal(usdToMicros(daily.body.data.limit_remaining), 2_500_000 - cost);
  assert.equal((await getJson(tp, '/api/v1/key', secret)).body.data.limit_reset, 'daily', 'GET /api/v1/key says so too');
  const never = await keysApi(tp, 'PATCH', `/keys/${hash}`, manager, { limit_reset: null });
  assert.equal(never.body.data.limit_reset, null, 'null: the limit never resets');

  // The list: the user's ordinary keys, the newest first; the management key is not among them.
  const listed = await keysApi(tp, 'GET', '/keys', manager);
  assert.equal(listed.status, 200);
  assert.deepEqual(listed.body.data.map((k) => k.name).slice(0, 1), ['customer-1']);
  assert.equal(listed.body.data.length, 2, 'the new key and the account\'s first key');
  listed.body.data.forEach((k, i) => assertKeyShape(k, `list[${i}]`));
  const cliKeys = (await tp.cli(['key', 'list', '--email', email])).stdout.split('\n').filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
  const managerRow = cliKeys.find((k) => k.management);
  assert.ok(managerRow && !listed.body.data.some((k) => k.hash === managerRow.hash), 'management keys are not listed');
  assert.deepEqual(new Set(cliKeys.filter((k) => !k.management).map((k) => k.hash)),
    new Set(listed.body.data.map((k) => k.hash)), 'the CLI shows the same hashes');

  // Disabled through the API: the next request is refused, though the gateway cached the key.
  const disabled = await keysApi(tp, 'PATCH', `/keys/${hash}`, manager, { disabled: true, name: 'customer-1 (paused)' });
  assert.equal(disabled.status, 200, JSON.stringify(disabled.body));
  assert.equal(disabled.body.data.disabled, true);
  assert.equal(disabled.body.data.name, 'customer-1 (paused)');
  assert.match(disabled.body.data.updated_at, ISO);
  assertError(await chatJson(tp, secret, userMessage('refused while disabled')), 403, 'a disabled key');
  assert.equal((await keysApi(tp, 'GET', '/keys', manager)).body.data.length, 1, 'disabled keys are left out by default');
  const all = await keysApi(tp, 'GET', '/keys?include_disabled=true', manager);
  assert.equal(all.body.data.length, 2, 'include_disabled=true shows them');
  assert.equal(all.body.data.find((k) => k.hash === hash).disabled, true);

  // POST /keys/ (with the slash, as OpenRouter's own examples write it) creates too.
  const slashed = await keysApi(tp, 'POST', '/keys/', manager, { name: 'customer-2' });
  assert.equal(slashed.status, 201, JSON.stringify(slashed.body));
  assert.equal(slashed.body.data.name, 'customer-2');
  assert.deepEqual((await keysApi(tp, 'DELETE', `/keys/${slashed.body.data.hash}`, manager)).body, { deleted: true });

  // Enabled again with a new limit (null: none), through the /v1 alias.
  const enabled = await keysApi(tp, 'PATCH', `/keys/${hash}`, manager, { disabled: false, limit: null }, { prefix: '/v1' });
  assert.equal(enabled.status, 200, JSON.stringify(enabled.body));
  assert.equal(enabled.body.data.limit, null);
  assert.equal(enabled.body.data.limit_remaining, null);
  assert.equal((await chatJson(tp, secret, userMessage(`enabled again ${nonce()}`))).status, 200);

  // Deleted: gone from the API and refused at once.
  const deleted = await keysApi(tp, 'DELETE', `/keys/${hash}`, manager);
  assert.equal(deleted.status, 200);
  assert.deepEqual(deleted.body, { deleted: true });
  const marker = `after delete ${nonce()}`;
  assertError(await chatJson(tp, secret, userMessage(marker)), 401, 'a deleted key');
  assert.equal((await fakeRequestsWith(fake, marker)).length, 0);
  assertError(await keysApi(tp, 'GET', `/keys/${hash}`, manager), 404, 'a deleted key\'s hash');
  assertError(await keysApi(tp, 'DELETE', `/keys/${hash}`, manager), 404, 'deleting it twice');
});

test('a management key cannot call models: 403 in the route\'s error shape for fetch and the openai SDK, nothing sent upstream or billed', async () => {
  const { tp, fake } = ctx;
  const { email, manager } = await accountWithManager(tp);
  const before = await userShow(tp, email);
  const marker = `management-model-call ${nonce()}`;
  for (const route of ['/api/v1/chat/completions', '/v1/chat/completions']) {
    const r = await chatJson(tp, manager, userMessage(marker), { path: route });
    const error = assertError(r, 403, `${route} with a management key`);
    assert.equal(error.message, 'Management keys cannot call models; use a regular API key');
    const streamed = await chatJson(tp, manager, userMessage(marker, { stream: true }), { path: route });
    assertError(streamed, 403, `a streamed request to ${route}`);
  }
  const client = new OpenAI({ baseURL: `${tp.gatewayUrl}/api/v1`, apiKey: manager, maxRetries: 0 });
  await assert.rejects(
    client.chat.completions.create(userMessage(marker)),
    (err) => err instanceof OpenAI.PermissionDeniedError && err.status === 403
      && /Management keys cannot call models/.test(err.message),
  );
  assert.equal((await fakeRequestsWith(fake, marker)).length, 0, 'nothing reached the provider');
  const afterwards = await userShow(tp, email);
  assert.equal(afterwards.total_spent_micros, before.total_spent_micros, 'nothing was billed');
  assert.equal(afterwards.balance_micros, before.balance_micros);
});

test('only a management key may use /keys, and only on its own user\'s keys', async () => {
  const { tp } = ctx;
  const alice = await accountWithManager(tp);
  const bob = await accountWithManager(tp);
  const aliceKey = (await keysApi(tp, 'POST', '/keys', alice.manager, { name: 'alice-app' })).body.data;

  for (const [method, route, body] of [['GET', '/keys'], ['POST', '/keys', { name: 'x' }], ['GET', `/keys/${aliceKey.hash}`],
    ['PATCH', `/keys/${aliceKey.hash}`, { disabled: true }], ['DELETE', `/keys/${aliceKey.hash}`]]) {
    const refused = await keysApi(tp, method, route, alice.key, body);
    const error = assertError(refused, 403, `${method} ${route} with an ordinary key`);
    assert.equal(error.message, 'This route needs a management key');
    assertError(await keysApi(tp, method, route, null, body), 401, `${method} ${route} without a key`);
    assertError(await keysApi(tp, method, route, 'sk-tp-v1-nope', body), 401, `${method} ${route} with an unknown key`);
  }

  // Bob's management key does not see or reach Alice's keys: the same 404 as an unknown hash.
  assert.ok(!(await keysApi(tp, 'GET', '/keys', bob.manager)).body.data.some((k) => k.hash === aliceKey.hash));
  for (const method of ['GET', 'PATCH', 'DELETE']) {
    const r = await keysApi(tp, method, `/keys/${aliceKey.hash}`, bob.manager, method === 'PATCH' ? { disabled: true } : undefined);
    assertError(r, 404, `${method} another user's key`);
  }
  const still = await keysApi(tp, 'GET', `/keys/${aliceKey.hash}`, alice.manager);
  assert.equal(still.body.data.disabled, false, 'Alice\'s key is untouched');

  // A management key is not reachable through the API, not even its own.
  const managerHash = (await tp.cli(['key', 'list', '--email', alice.email])).stdout.split('\n')
    .filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).find((k) => k.management).hash;
  assertError(await keysApi(tp, 'DELETE', `/keys/${managerHash}`, alice.manager), 404, 'deleting a management key');

  // A disabled management key manages nothing.
  const r = await tp.cli(['key', 'create', '--email', bob.email, '--name', 'bob-mgr-2', '--management']);
  const bobSecond = r.stdout.trim().split('\n').pop().trim();
  noteSecret(bobSecond, 'bob\'s second management key');
  const bobId = (await tp.cli(['key', 'list', '--email', bob.email])).stdout.split('\n').filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l)).find((k) => k.name === 'bob-mgr-2').id;
  assert.equal((await tp.cli(['key', 'disable', '--id', String(bobId)])).code, 0);
  const error = assertError(await keysApi(tp, 'GET', '/keys', bobSecond), 403, 'a disabled management key');
  assert.equal(error.message, 'This API key is disabled');
});

test('bad input is a 400 (unknown hash 404) in the gateway\'s error shape, and creates or changes nothing', async () => {
  const { tp } = ctx;
  const { manager } = await accountWithManager(tp);
  const target = (await keysApi(tp, 'POST', '/keys', manager, { name: 'target', limit: 1 })).body.data;
  const count = async () => (await keysApi(tp, 'GET', '/keys?include_disabled=true', manager)).body.data.length;
  const before = await count();

  const creates = [
    [{}, /'name' is required/],
    [{ name: '' }, /'name'/],
    [{ name: 42 }, /'name' must be a string/],
    [{ name: 'x'.repeat(101) }, /'name' must be 1 to 100 characters/],
    [{ name: 'x', limit: 'ten' }, /'limit'/],
    [{ name: 'x', limit: -1 }, /'limit'/],
    [{ name: 'x', limit: 0.0000001 }, /'limit'/],
    [{ name: 'x', limit_reset: 'Daily' }, /'limit_reset' must be "daily", "weekly", "monthly" or null/],
    [{ name: 'x', limit_reset: 'yearly' }, /'limit_reset'/],
    [{ name: 'x', limit_reset: '' }, /'limit_reset'/],
    [{ name: 'x', limit_reset: 1 }, /'limit_reset'/],
    [{ name: 'x', include_byok_in_limit: true }, /BYOK/],
    [{ name: 'x', expires_at: '2020-01-01T00:00:00Z' }, /in the future/],
    [{ name: 'x', expires_at: '2099-01-01T00:00Z' }, /'expires_at'/],
    [{ name: 'x', expires_at: 'tomorrow' }, /'expires_at'/],
    [{ name: 'x', expires_at: '2099-02-30T00:00:00Z' }, /'expires_at'/],
    [{ name: 'x', expires_at: 4102444800 }, /'expires_at'/],
    [{ name: 'x', workspace_id: 'ws-1' }, /workspaces/],
    [{ name: 'x', management: true }, /Unknown member 'management'/],
    [{ name: 'x', disabled: true }, /Unknown member 'disabled'/],
    ['not json', /JSON object/],
    [[{ name: 'x' }], /JSON object/],
  ];
  for (const [body, message] of creates) {
    const error = assertError(await keysApi(tp, 'POST', '/keys', manager, body), 400, `POST ${JSON.stringify(body)}`);
    assert.match(error.message, message, `POST ${JSON.stringify(body)}`);
  }
  const patches = [
    [{ disabled: 'yes' }, /'disabled'/],
    [{ name: null }, /'name'/],
    [{ limit: '5' }, /'limit'/],
    [{ limit_reset: 'never' }, /'limit_reset'/],
    [{ nmae: 'typo' }, /Unknown member 'nmae'/],
  ];
  for (const [body, message] of patches) {
    const error = assertError(await keysApi(tp, 'PATCH', `/keys/${target.hash}`, manager, body), 400, `PATCH ${JSON.stringify(body)}`);
    assert.match(error.message, message, `PATCH ${JSON.stringify(body)}`);
  }
  for (const query of ['offset=-1', 'offset=x', 'include_disabled=maybe', 'workspace_id=ws-1']) {
    assertError(await keysApi(tp, 'GET', `/keys?${query}`, manager), 400, `GET /keys?${query}`);
  }
  assertError(await keysApi(tp, 'PUT', '/keys', manager, { name: 'x' }), 400, 'PUT /keys');
  assertError(await keysApi(tp, 'POST', `/keys/${target.hash}`, manager, { name: 'x' }), 400, 'POST /keys/{hash}');
  for (const hash of ['0'.repeat(64), 'not-a-hash', target.hash.toUpperCase(), `${target.hash}/extra`]) {
    assertError(await keysApi(tp, 'GET', `/keys/${hash}`, manager), 404, `GET /keys/${hash}`);
    assertError(await keysApi(tp, 'PATCH', `/keys/${hash}`, manager, { disabled: true }), 404, `PATCH /keys/${hash}`);
  }

  assert.equal(await count(), before, 'no key was created');

  // A time with an offset is the same instant in UTC.
  const offset = await keysApi(tp, 'POST', '/keys', manager, { name: 'offset', expires_at: '2099-01-01T12:00:00.5+02:00' });
  assert.equal(offset.status, 201, JSON.stringify(offset.body));
  assert.equal(offset.body.data.expires_at, '2099-01-01T10:00:00Z');
  assert.deepEqual((await keysApi(tp, 'DELETE', `/keys/${offset.body.data.hash}`, manager)).body, { deleted: true });
  const unchanged = (await keysApi(tp, 'GET', `/keys/${target.hash}`, manager)).body.data;
  assert.equal(unchanged.name, 'target');
  assert.equal(unchanged.limit, 1);
  assert.equal(unchanged.disabled, false);
  assert.equal(unchanged.updated_at, null, 'never changed');
});

test('pages of 100, the newest first; offset pages on', async () => {
  const { tp } = ctx;
  const { manager } = await accountWithManager(tp);
  for (let i = 0; i < 102; i++) {
    const r = await keysApi(tp, 'POST', '/keys', manager, { name: `bulk-${String(i).padStart(3, '0')}` });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  const first = (await keysApi(tp, 'GET', '/keys', manager)).body.data;
  assert.equal(first.length, 100);
  assert.equal(first[0].name, 'bulk-101');
  const second = (await keysApi(tp, 'GET', '/keys?offset=100', manager)).body.data;
  // 103 ordinary keys: 102 made here and the account's first key, the oldest.
  assert.equal(second.length, 3);
  assert.deepEqual(second.slice(0, 2).map((k) => k.name), ['bulk-001', 'bulk-000']);
  assert.match(second[2].name, /^key-/, 'the account\'s first key comes last');
  assert.equal((await keysApi(tp, 'GET', '/keys?offset=1000', manager)).body.data.length, 0);
});

test('@openrouter/sdk manages keys through the gateway: every answer parses', async () => {
  const { tp } = ctx;
  const { manager } = await accountWithManager(tp);
  const sdk = new OpenRouter({ apiKey: manager, serverURL: `${tp.gatewayUrl}/api/v1`, retryConfig: { strategy: 'none' } });
  const created = await sdk.apiKeys.create({ requestBody: { name: 'sdk-made', limit: 3 } });
  noteSecret(created.key, 'the key made through @openrouter/sdk');
  assert.equal(created.data.name, 'sdk-made');
  assert.equal(created.data.limit, 3);
  const hash = created.data.hash;
  const listed = await sdk.apiKeys.list({ includeDisabled: true });
  assert.ok(listed.data.some((k) => k.hash === hash));
  const got = await sdk.apiKeys.get({ hash });
  assert.equal(got.data.name, 'sdk-made');
  const updated = await sdk.apiKeys.update({ hash, requestBody: { name: 'sdk-renamed', disabled: true } });
  assert.equal(updated.data.name, 'sdk-renamed');
  assert.equal(updated.data.disabled, true);
  const current = await sdk.apiKeys.getCurrentKeyMetadata();
  assert.equal(current.data.isManagementKey, true);
  const deleted = await sdk.apiKeys.delete({ hash });
  assert.equal(deleted.deleted, true);
});

test('the control API makes a management key (and shows every key\'s hash), which then manages keys at the gateway', async () => {
  const { tp } = ctx;
  const { email } = await tp.account({ credits: '10' });
  const control = (method, route, body, token) => controlApi(tp, method, route, body, token);
  const login = await control('POST', '/api/auth/login', { email, password: 'correct-horse-9' });
  assert.equal(login.status, 200, JSON.stringify(login.body));
  const token = login.body.token;
  const made = await control('POST', '/api/keys', { name: 'provisioner', management: true }, token);
  assert.equal(made.status, 201, JSON.stringify(made.body));
  assert.equal(made.body.key.management, true);
  assert.match(made.body.key.hash, HEX64);
  const manager = made.body.secret;
  noteSecret(manager, 'the management key made through the control API');
  assertError(await chatJson(ctx.tp, manager, userMessage('no models')), 403, 'the control API\'s management key');

  const viaApi = await keysApi(tp, 'POST', '/keys', manager, { name: 'provisioned' });
  assert.equal(viaApi.status, 201);
  const dashboard = await control('GET', '/api/keys', undefined, token);
  const row = dashboard.body.keys.find((k) => k.name === 'provisioned');
  assert.ok(row, 'the dashboard lists the key made through the gateway');
  assert.equal(row.hash, viaApi.body.data.hash, 'with the same hash');
  assert.equal(row.management, false, 'keys made through the API are ordinary keys');
  assert.equal(dashboard.body.keys.filter((k) => k.management).length, 1);
});

test('once an admin disables the account, its management key manages nothing, at once', async () => {
  const { tp } = ctx;
  const { userId, manager } = await accountWithManager(tp);
  assert.equal((await keysApi(tp, 'GET', '/keys', manager)).status, 200, 'works (and is cached) before');
  const adminEmail = `admin-${nonce()}@example.test`;
  await tp.createUser({ email: adminEmail, admin: true });
  const login = await controlApi(tp, 'POST', '/api/auth/login', { email: adminEmail, password: 'correct-horse-9' });
  assert.equal(login.status, 200, JSON.stringify(login.body));
  const disabled = await controlApi(tp, 'PATCH', `/api/admin/users/${userId}`, { disabled: true }, login.body.token);
  assert.equal(disabled.status, 200, JSON.stringify(disabled.body));
  for (const [method, body] of [['GET'], ['POST', { name: 'after the account was disabled' }]]) {
    const error = assertError(await keysApi(tp, method, '/keys', manager, body), 403, `${method} /keys`);
    assert.equal(error.message, 'This API key\'s account is disabled');
  }
});
