// Catalog administration (docs/control-api.md "Catalog administration"): the authorization matrix
// of every admin catalog route (anonymous 401, user 403 and nothing changed, admin OK), bad input
// (400 naming the field, 404, 409), and effective-dated prices end to end with the fake provider:
// a change effective now charges the next request at the new price; a change scheduled 3 s ahead
// leaves requests before it at the old price and those after at the new; a request that started
// before a change is charged the old price. The request log shows the prices each request was
// charged at. Every response is checked against the OpenAPI document by helpers.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chatJson, eventually, expectedCostMicros, fakeRequestsWith, nonce, rawRequest, usdToMicros, userMessage,
} from '../lib/gateway.mjs';
import {
  adminLogin, api, cliUser, expectError, expectStatus, login, secretsTest, useControl,
} from './helpers.mjs';

const S = {};
const ctx = useControl({
  async setup() {
    S.admin = await adminLogin(ctx);
    const u = await cliUser(ctx, { credits: '20' });
    S.user = { ...(await login(ctx, u.email, u.password)), id: u.id };
    const key = expectStatus(await api(ctx, 'POST', '/api/keys', { auth: S.user, body: { name: 'catalog-admin' } }), 201);
    S.key = key.body.secret;
  },
});

const MINI = 'openai/gpt-4o-mini';
const MINI_PATH = `/api/admin/models/${encodeURIComponent(MINI)}`;
const MINI_OPENAI = `${MINI_PATH}/endpoints/openai`;

// ---------------------------------------------------------------------------------------------
// The authorization matrix.

// `call(session)`: anonymous → 401, the user → 403, and `check()` shows nothing changed; then the
// admin → `adminStatus`. Returns the admin's response.
async function adminOnly(what, call, adminStatus, check = async () => {}) {
  const before = await check();
  expectError(await call(undefined), 401, `${what} as anonymous`);
  expectError(await call(S.user), 403, `${what} as a user`);
  assert.deepEqual(await check(), before, `${what}: the refused calls changed nothing`);
  return expectStatus(await call(S.admin), adminStatus, `${what} as the admin`);
}

async function publicCatalog() {
  const r = expectStatus(await api(ctx, 'GET', '/api/models'), 200, 'GET /api/models');
  return r.body;
}

test('authorization: every catalog admin route is 401 anonymous, 403 for users, and works for admins', async () => {
  const id = `m${nonce().slice(2, 8)}`;
  const company = `co-${id}`;
  const provider = `pr-${id}`;
  const model = `${company}/model-1`;
  const modelPath = `/api/admin/models/${encodeURIComponent(model)}`;
  const endpointPath = `${modelPath}/endpoints/${provider}`;
  const call = (method, route, body) => (session) => api(ctx, method, route, { auth: session, body });

  let r = await adminOnly('POST /api/admin/companies', call('POST', '/api/admin/companies', { id: company, name: 'Co' }), 201,
    async () => (await publicCatalog()).companies);
  assert.deepEqual(r.body.company, { id: company, name: 'Co' });
  r = await adminOnly('PATCH /api/admin/companies/{id}', call('PATCH', `/api/admin/companies/${company}`, { name: 'Co 2' }), 200,
    async () => (await publicCatalog()).companies);
  assert.equal(r.body.company.name, 'Co 2');

  r = await adminOnly('POST /api/admin/providers', call('POST', '/api/admin/providers', {
    id: provider, name: 'Pr', adapter: 'openai', base_url: 'https://pr.example.test/v1', key_env: 'OPENAI_API_KEY',
    base_url_env: 'OPENAI_BASE_URL',
  }), 201, async () => (await publicCatalog()).providers);
  assert.equal(r.body.provider.key_env, 'OPENAI_API_KEY');
  assert.equal(r.body.provider.available, true, 'its credential variable is set');
  r = await adminOnly('PATCH /api/admin/providers/{id}', call('PATCH', `/api/admin/providers/${provider}`, { name: 'Pr 2' }), 200,
    async () => (await publicCatalog()).providers);
  assert.equal(r.body.provider.name, 'Pr 2');

  r = await adminOnly('POST /api/admin/models', call('POST', '/api/admin/models', {
    id: model, name: 'Model 1', context_length: 1000, max_output: 100,
  }), 201, async () => (await publicCatalog()).models.map((m) => m.id));
  assert.equal(r.body.model.company, company);
  assert.deepEqual(r.body.model.endpoints, []);
  assert.equal(r.body.model.canonical_slug, model, 'none given: the id');
  r = await adminOnly('PATCH /api/admin/models/{id}', call('PATCH', modelPath, { description: 'changed' }), 200,
    async () => (await publicCatalog()).models.find((m) => m.id === model));
  assert.equal(r.body.model.description, 'changed');
  r = expectStatus(await api(ctx, 'PATCH', modelPath, { auth: S.admin, body: { canonical_slug: `${model}-20260101` } }), 200);
  assert.equal(r.body.model.canonical_slug, `${model}-20260101`);
  assert.equal(r.body.model.description, 'changed', 'what is left out stays');

  r = await adminOnly('PUT /api/admin/models/{id}/endpoints/{provider}', call('PUT', endpointPath, {
    upstream_model: 'up-1', prices: { input: '1.25', output: '2.5' },
  }), 201, async () => (await publicCatalog()).models.find((m) => m.id === model));
  assert.deepEqual(r.body.endpoint.prices, { input: 1_250_000, output: 2_500_000, cache_read: 0, cache_write: 0 });
  assert.deepEqual([r.body.endpoint.data_collection, r.body.endpoint.zdr], ['allow', false], 'a new endpoint: allow, not zdr');
  r = expectStatus(await api(ctx, 'PUT', endpointPath, { auth: S.admin, body: { data_collection: 'deny', zdr: true } }), 200);
  assert.deepEqual([r.body.endpoint.data_collection, r.body.endpoint.zdr], ['deny', true]);
  assert.deepEqual(r.body.endpoint.prices.input, 1_250_000, 'what is left out stays');
  const published = (await publicCatalog()).models.find((m) => m.id === model).endpoints[0];
  assert.deepEqual([published.data_collection, published.zdr], ['deny', true], 'GET /api/models shows the data policy');
  r = await adminOnly('GET /api/admin/models/{id}/endpoints/{provider}/prices', call('GET', `${endpointPath}/prices`), 200);
  assert.equal(r.body.history.length, 1);
  assert.equal(r.body.history[0].state, 'current');
  // The admin listing shows what the public one leaves out, disabled entries included.
  expectStatus(await api(ctx, 'PATCH', `/api/admin/providers/${provider}`, { auth: S.admin, body: { enabled: false } }), 200);
  r = await adminOnly('GET /api/admin/catalog', call('GET', '/api/admin/catalog'), 200);
  const listed = r.body.providers.find((p) => p.id === provider);
  assert.equal(listed.enabled, false);
  assert.equal(listed.base_url_env, 'OPENAI_BASE_URL');
  assert.ok(listed.unavailable_reason, 'says why it is unavailable');
  const listedModel = r.body.models.find((m) => m.id === model);
  assert.deepEqual(listedModel.endpoints.map((e) => [e.provider, e.upstream_model, e.enabled]), [[provider, 'up-1', true]]);
  assert.ok(r.body.companies.some((c) => c.id === company));
  expectStatus(await api(ctx, 'PATCH', `/api/admin/providers/${provider}`, { auth: S.admin, body: { enabled: true } }), 200);

  await adminOnly('DELETE /api/admin/models/{id}/endpoints/{provider}', call('DELETE', endpointPath), 204,
    async () => (await publicCatalog()).models.find((m) => m.id === model));
  await adminOnly('DELETE /api/admin/models/{id}', call('DELETE', modelPath), 204,
    async () => (await publicCatalog()).models.map((m) => m.id));
  await adminOnly('DELETE /api/admin/providers/{id}', call('DELETE', `/api/admin/providers/${provider}`), 204,
    async () => (await publicCatalog()).providers);
  await adminOnly('DELETE /api/admin/companies/{id}', call('DELETE', `/api/admin/companies/${company}`), 204,
    async () => (await publicCatalog()).companies);
  const after = await publicCatalog();
  assert.ok(!after.companies.some((c) => c.id === company), 'the company is gone');
  assert.ok(!after.providers.some((p) => p.id === provider), 'the provider is gone');
});

// ---------------------------------------------------------------------------------------------
// Bad input.

test('bad input: 400 naming the field, 404 for unknown ids, 409 for conflicts; nothing changes', async () => {
  const before = await publicCatalog();
  const admin = (method, route, body) => api(ctx, method, route, { auth: S.admin, body });
  const bad = async (method, route, body, param, status = 400) => {
    const e = expectError(await admin(method, route, body), status, `${method} ${route} ${JSON.stringify(body)}`);
    assert.equal(e.param, param, `${method} ${route} ${JSON.stringify(body)}: param (${e.message})`);
  };
  const provider = { id: 'newprov', name: 'New', adapter: 'openai', base_url: 'https://new.example.test/v1' };
  await bad('POST', '/api/admin/providers', { ...provider, api_key: 'sk-live-0123456789' }, 'api_key');
  await bad('POST', '/api/admin/providers', { ...provider, key_env: 'sk-live-0123456789' }, 'key_env');
  await bad('POST', '/api/admin/providers', { ...provider, key_env: 'openai_api_key' }, 'key_env');
  // Only a provider credential's name: never a secret of the server's own, sent to a URL of the
  // admin's choosing.
  for (const name of ['JWT_SECRET', 'STRIPE_SECRET_KEY', 'DATABASE_URL', 'TURNPIKE_DB_API_KEY', 'AWS_SECRET_ACCESS_KEY']) {
    await bad('POST', '/api/admin/providers', { ...provider, key_env: name }, 'key_env');
  }
  await bad('POST', '/api/admin/providers', { ...provider, adapter: 'cohere' }, 'adapter');
  await bad('POST', '/api/admin/providers', { ...provider, base_url: 'https://user:secret@new.example.test/v1' }, 'base_url');
  await bad('POST', '/api/admin/providers', { ...provider, base_url: 'file:///etc/passwd' }, 'base_url');
  // The server's own network (SSRF): loopback, private, link-local (cloud metadata), unspecified,
  // by address or by a name that resolves there; allowed only by the server's configuration.
  for (const url of ['http://127.0.0.1:9100/v1', 'http://localhost:4000/v1', 'http://10.1.2.3/v1', 'http://172.20.0.1/v1',
    'http://192.168.1.10:11434/v1', 'http://169.254.169.254/latest', 'http://[::1]:8080/v1', 'http://0.0.0.0/v1',
    'http://[fd00::5]/v1', 'http://metadata.localhost/v1']) {
    await bad('POST', '/api/admin/providers', { ...provider, base_url: url }, 'base_url');
  }
  await bad('PATCH', '/api/admin/providers/openai', { base_url: 'http://127.0.0.1:22/v1' }, 'base_url');
  await bad('POST', '/api/admin/providers', { ...provider, id: 'New Prov' }, 'id');
  await bad('POST', '/api/admin/providers', { ...provider, id: 'openai' }, 'id', 409);
  await bad('POST', '/api/admin/companies', { id: 'x'.repeat(65), name: 'X' }, 'id');
  await bad('POST', '/api/admin/companies', { id: 'openai', name: 'Again' }, 'id', 409);
  await bad('POST', '/api/admin/models', { id: 'no-slash', name: 'M', context_length: 1, max_output: 1 }, 'id');
  await bad('POST', '/api/admin/models', { id: 'nobody/m', name: 'M', context_length: 1, max_output: 1 }, 'company');
  await bad('POST', '/api/admin/models', { id: 'openai/m', name: 'M', context_length: 1, max_output: 1e30 }, 'max_output');
  await bad('PATCH', MINI_PATH, { endpoints: [] }, 'endpoints');
  await bad('PATCH', MINI_PATH, { canonical_slug: 'no-slash' }, 'canonical_slug');
  await bad('PATCH', MINI_PATH, { name: 'x'.repeat(20_000) }, 'name');
  await bad('PUT', MINI_OPENAI, { prices: { input: '-1' } }, 'prices.input');
  await bad('PUT', MINI_OPENAI, { prices: { output: '0.1234567' } }, 'prices.output');
  await bad('PUT', MINI_OPENAI, { prices: { input: 1e30 } }, 'prices.input');
  await bad('PUT', MINI_OPENAI, { prices: { input: '1' }, effective_from: 'tomorrow' }, 'effective_from');
  await bad('PUT', MINI_OPENAI, { effective_from: '2999-01-01' }, 'effective_from');
  await bad('PUT', MINI_OPENAI, { context_length: 0 }, 'context_length');
  await bad('PUT', MINI_OPENAI, { data_collection: 'never' }, 'data_collection');
  await bad('PUT', MINI_OPENAI, { zdr: 'yes' }, 'zdr');
  await bad('PUT', `${MINI_PATH}/endpoints/groq`, {}, 'upstream_model'); // groq serves no gpt-4o-mini yet
  await bad('PUT', `${MINI_PATH}/endpoints/groq`, { upstream_model: 'x', prices: { input: '1', output: '1' }, effective_from: '2999-01-01' },
    'effective_from');
  await bad('PUT', `${MINI_PATH}/endpoints/nowhere`, { upstream_model: 'x', prices: { input: '1', output: '1' } }, null, 404);
  await bad('PUT', '/api/admin/models/openai%2Fnone/endpoints/openai', {}, null, 404);
  await bad('PATCH', '/api/admin/companies/nobody', { name: 'X' }, null, 404);
  await bad('DELETE', '/api/admin/providers/nobody', undefined, null, 404);
  await bad('GET', '/api/admin/models/openai%2Fnone/endpoints/openai/prices', undefined, null, 404);
  // Conflicts: something depends on it.
  await bad('DELETE', '/api/admin/companies/openai', undefined, null, 409);
  await bad('DELETE', '/api/admin/providers/openai', undefined, null, 409);
  // A model id in a path must be URL-encoded: unencoded, no route matches (not in the document,
  // so sent around the checker).
  const raw = await rawRequest(`${ctx.url}/api/admin/models/${MINI}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${S.admin.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'x' }),
  });
  assert.equal(raw.status, 404, raw.text);
  assert.deepEqual(await publicCatalog(), before, 'nothing changed');
  const history = expectStatus(await admin('GET', `${MINI_OPENAI}/prices`), 200).body.history;
  assert.equal(history.length, 1, 'no price change was recorded');
});

// ---------------------------------------------------------------------------------------------
// Prices end to end.

const micros = (input, output, cacheRead = 0) => ({ input, output, cache_read: cacheRead, cache_write: 0 });

// One chat through the gateway; waits for its log row (GET /api/logs/{id}) and checks the cost
// against the prices the row says it was charged at. Returns { id, log, cost }.
async function charged(text) {
  const r = await chatJson(ctx.tp, S.key, userMessage(text));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const id = r.headers.get('x-request-id');
  assert.match(id, /^gen-/);
  const log = await eventually(async () => {
    const l = await api(ctx, 'GET', `/api/logs/${id}`, { auth: S.user });
    return l.status === 200 && l.body.log;
  }, { timeout: 5_000, what: `the log row of ${id}` });
  const cost = usdToMicros(r.body.usage.cost);
  assert.equal(log.cost_micros, cost, 'the log row\'s cost is the response\'s');
  const p = log.prices;
  assert.ok(p, 'the log row has the prices');
  assert.equal(cost, expectedCostMicros(r.body.usage, { input: p.input, output: p.output, cacheRead: p.cache_read }),
    'the cost follows the logged prices');
  return { id, log, cost };
}

async function setPrices(body, status = 200) {
  return expectStatus(await api(ctx, 'PUT', MINI_OPENAI, { auth: S.admin, body }), status, `PUT ${MINI_OPENAI}`).body.endpoint;
}

async function publicPrices() {
  const m = (await publicCatalog()).models.find((x) => x.id === MINI);
  return m.endpoints.find((e) => e.provider === 'openai').prices;
}

test('a price change effective now charges the next request at the new price, and its log row shows it', async () => {
  const first = await charged('price test: before any change');
  assert.deepEqual(first.log.prices, micros(150_000, 600_000, 75_000), 'the catalog\'s price');

  const endpoint = await setPrices({ prices: { input: '2', output: '4.5', cache_read: '1' } });
  assert.deepEqual(endpoint.prices, micros(2_000_000, 4_500_000, 1_000_000));
  assert.deepEqual(endpoint.scheduled_prices, []);
  assert.equal(endpoint.upstream_model, 'gpt-4o-mini', 'the rest of the endpoint stays');
  const next = await charged('price test: right after the change');
  assert.deepEqual(next.log.prices, micros(2_000_000, 4_500_000, 1_000_000), 'charged at the new price at once');
  assert.ok(next.cost > first.cost, `the new price costs more (${next.cost} > ${first.cost})`);
  assert.deepEqual(await publicPrices(), micros(2_000_000, 4_500_000, 1_000_000), '/api/models shows it');
  // The earlier request keeps what it was charged.
  const again = expectStatus(await api(ctx, 'GET', `/api/logs/${first.id}`, { auth: S.user }), 200).body.log;
  assert.deepEqual(again.prices, micros(150_000, 600_000, 75_000));
});

test('a change scheduled 3 s ahead: requests before it pay the old price, requests after it the new', async () => {
  const current = await publicPrices();
  const when = Math.ceil(Date.now() / 1000) * 1000 + 3_000;
  const endpoint = await setPrices({ prices: { input: '3', output: '6' }, effective_from: new Date(when).toISOString() });
  assert.deepEqual(endpoint.prices, current, 'not yet');
  assert.deepEqual(endpoint.scheduled_prices, [{
    prices: { ...current, input: 3_000_000, output: 6_000_000 }, effective_from: new Date(when).toISOString().replace('.000Z', 'Z'),
  }]);

  const before = await charged('schedule test: before its time');
  assert.ok(Date.now() < when, 'this request ran before the change was due (the test machine is too slow otherwise)');
  assert.deepEqual(before.log.prices, current, 'before its time: the old price');

  // The gateway reloads when the change comes due; poll until it shows.
  await eventually(async () => (await publicPrices()).input === 3_000_000,
    { timeout: 3_000 + (when - Date.now()), interval: 100, what: 'the scheduled price in /api/models' });
  assert.ok(Date.now() >= when - 1_000, 'the change did not take effect early');
  const after = await charged('schedule test: after its time');
  assert.deepEqual(after.log.prices, { ...current, input: 3_000_000, output: 6_000_000 }, 'after its time: the new price');

  const history = expectStatus(await api(ctx, 'GET', `${MINI_OPENAI}/prices`, { auth: S.admin }), 200).body;
  assert.equal(history.endpoint_exists, true);
  assert.deepEqual(history.history.map((h) => h.state), ['superseded', 'superseded', 'current']);
  assert.deepEqual(history.history.map((h) => h.prices.input), [150_000, 2_000_000, 3_000_000]);
});

test('a request that started before a price change is charged the old price', async () => {
  const old = await publicPrices();
  const marker = nonce();
  const slow = chatJson(ctx.tp, S.key, userMessage(`[[fake:delay-ms=1500]] slow request ${marker}`));
  slow.catch(() => {});
  // The request has reached the provider: it is priced already.
  await eventually(async () => (await fakeRequestsWith(ctx.fake, marker)).length > 0,
    { timeout: 3_000, what: 'the slow request at the fake' });
  await setPrices({ prices: { input: '5', output: '10' } });
  const r = await slow;
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const id = r.headers.get('x-request-id');
  const log = await eventually(async () => {
    const l = await api(ctx, 'GET', `/api/logs/${id}`, { auth: S.user });
    return l.status === 200 && l.body.log;
  }, { timeout: 5_000, what: `the log row of ${id}` });
  assert.deepEqual(log.prices, old, 'charged at the prices in force when it started');
  assert.equal(log.cost_micros, usdToMicros(r.body.usage.cost));
  assert.equal(log.cost_micros, expectedCostMicros(r.body.usage, { input: old.input, output: old.output, cacheRead: old.cache_read }));
  const next = await charged('after the change');
  assert.deepEqual(next.log.prices, { ...old, input: 5_000_000, output: 10_000_000 }, 'the next request pays the new price');
});

secretsTest(ctx);
