// The account's default provider preferences (Settings; PUT /api/me/provider-preferences), applied
// by the gateway to a request that sets no `provider`, on every model API, against the fake
// provider: fakeco/duo is served by fake-cheap (chosen by default, the cheaper) and fake-pricey
// (tests/fixtures/catalog-test.toml).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from '../lib/setup.mjs';
import { chatJson, fakeRequestsWith, gatewayFetch, nonce } from '../lib/gateway.mjs';

const ctx = useServer();
const CHEAP = '/cheap/v1/chat/completions';
const PRICEY = '/pricey/v1/chat/completions';

const ask = (text, extra = {}) => ({ model: 'fakeco/duo', messages: [{ role: 'user', content: text }], ...extra });
const paths = async (marker) => (await fakeRequestsWith(ctx.fake, marker)).sort((a, b) => a.id - b.id).map((c) => c.path);

async function control(method, route, token, body) {
  const res = await fetch(`${ctx.tp.controlUrl}${route}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function signIn(email) {
  const r = await control('POST', '/api/auth/login', null, { email, password: 'correct-horse-9' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.token;
}

test('a request without `provider` follows the account\'s defaults; one with its own does not', async () => {
  const { email, key } = await ctx.tp.account();
  const token = await signIn(email);

  let marker = nonce();
  let r = await chatJson(ctx.tp, key, ask(marker));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(await paths(marker), [CHEAP], 'without defaults, the cheaper provider');

  const set = await control('PUT', '/api/me/provider-preferences', token, { provider: { order: ['fake-pricey'], allow_fallbacks: false } });
  assert.equal(set.status, 200, JSON.stringify(set.body));
  assert.deepEqual(set.body.provider, { order: ['fake-pricey'], allow_fallbacks: false });

  marker = nonce();
  r = await chatJson(ctx.tp, key, ask(marker));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(await paths(marker), [PRICEY], 'the defaults apply at once');
  assert.equal(r.body.provider, 'Fake Pricey');

  // allow_fallbacks: false from the defaults too: the pricey provider failing is the answer.
  marker = nonce();
  r = await chatJson(ctx.tp, key, ask(`[[fake:fail-path=/pricey:503]] ${marker}`));
  assert.equal(r.status, 502, JSON.stringify(r.body));
  assert.deepEqual(await paths(marker), [PRICEY]);

  // A request's own `provider` replaces the defaults (even an empty one).
  marker = nonce();
  r = await chatJson(ctx.tp, key, ask(marker, { provider: {} }));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(await paths(marker), [CHEAP]);

  // Another model API: Anthropic's Messages, on the same path (gateway/chat_handler.cc).
  marker = nonce();
  const messages = await gatewayFetch(ctx.tp, '/api/v1/messages', {
    method: 'POST',
    headers: { 'x-api-key': key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ model: 'fakeco/duo', max_tokens: 50, messages: [{ role: 'user', content: marker }] }),
  });
  assert.equal(messages.status, 200, await messages.text());
  assert.deepEqual(await paths(marker), [PRICEY], '/api/v1/messages follows the defaults');

  // Another account is not affected.
  const other = await ctx.tp.account();
  marker = nonce();
  r = await chatJson(ctx.tp, other.key, ask(marker));
  assert.deepEqual(await paths(marker), [CHEAP]);

  // Cleared: back to the cheaper provider.
  const cleared = await control('PUT', '/api/me/provider-preferences', token, { provider: null });
  assert.equal(cleared.status, 200);
  assert.equal(cleared.body.provider, null);
  marker = nonce();
  r = await chatJson(ctx.tp, key, ask(marker));
  assert.deepEqual(await paths(marker), [CHEAP]);
});

test('bad defaults are refused in the API\'s error shape, nothing stored', async () => {
  const { email } = await ctx.tp.account();
  const token = await signIn(email);
  for (const provider of [{ sort: 'fastest' }, { only: 'fake-cheap' }, ['fake-cheap'], 'x', { quantizations: ['fp8'] },
    { max_price: { request: 1 } }]) {
    const r = await control('PUT', '/api/me/provider-preferences', token, { provider });
    assert.equal(r.status, 400, `${JSON.stringify(provider)}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.param, 'provider');
    assert.equal(typeof r.body.error.message, 'string');
  }
  const got = await control('GET', '/api/me/provider-preferences', token);
  assert.equal(got.status, 200);
  assert.equal(got.body.provider, null);
  assert.equal((await control('GET', '/api/me/provider-preferences', null)).status, 401);
});
