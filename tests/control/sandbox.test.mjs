// The sandbox payment provider credits without payment. On a server other hosts can reach
// (server.host not loopback) only an admin may use it: otherwise anyone on the network could sign
// up, top up for nothing and spend the operator's provider keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adminLogin, api, cliUser, expectError, expectStatus, login, useControl } from './helpers.mjs';

const S = {};
const ctx = useControl({
  env: { TURNPIKE_HOST: '0.0.0.0', TURNPIKE_PAYMENTS_PROVIDER: 'sandbox' },
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
