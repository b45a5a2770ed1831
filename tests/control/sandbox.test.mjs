// (This server also allows private base URLs in its configuration: the last test.)
// The sandbox payment provider credits without payment. On a server other hosts can reach
// (server.host not loopback) only an admin may use it: otherwise anyone on the network could sign
// up, top up for nothing and spend the operator's provider keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adminLogin, api, cliUser, expectError, expectStatus, login, useControl } from './helpers.mjs';

const S = {};
const ctx = useControl({
  env: { TURNPIKE_HOST: '0.0.0.0', TURNPIKE_PAYMENTS_PROVIDER: 'sandbox', TURNPIKE_UPSTREAM_ALLOW_PRIVATE_BASE_URLS: 'true' },
  async setup() {
    S.admin = await adminLogin(ctx);
  },
});

test('bound to every interface, the sandbox credits an admin but refuses other users', async () => {
  assert.match(ctx.tp.output(), /every interface/, 'the server says it is reachable from other hosts');
  const u = await cliUser(ctx);
  const session = await login(ctx, u.email, u.password);
  const refused = await api(ctx, 'POST', '/api/credits/checkout', { auth: session, body: { amount_usd: '25' } });
  expectError(refused, 403, 'a user topping up through the sandbox');
  assert.match(refused.body.error.message, /only admins/);
  const admin = expectStatus(await api(ctx, 'POST', '/api/credits/checkout', { auth: S.admin, body: { amount_usd: '25' } }),
    200, 'an admin topping up through the sandbox');
  assert.equal(admin.body.topup.status, 'completed');
});

test('with upstream.allow_private_base_urls, an admin may point a provider at a local model server', async () => {
  const r = await api(ctx, 'POST', '/api/admin/providers', {
    auth: S.admin,
    body: { id: 'local-llm', name: 'Local LLM', adapter: 'openai', base_url: 'http://127.0.0.1:11434/v1' },
  });
  expectStatus(r, 201, 'a loopback base_url, allowed by the configuration');
});
