// GET /api/models shows each provider's live health as the gateway in the same process sees it:
// calls, retryable failures, first-byte latency. A provider refusing a request (400) is working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chatJson, userMessage } from '../lib/gateway.mjs';
import { api, expectStatus, secretsTest, useControl } from './helpers.mjs';

const ctx = useControl();

async function health(providerId) {
  const body = expectStatus(await api(ctx, 'GET', '/api/models'), 200).body;
  const provider = body.providers.find((p) => p.id === providerId);
  assert.ok(provider, `${providerId} is listed`);
  return provider.health;
}

test('calls, failures and latency of a provider move with the traffic it gets', async () => {
  const before = await health('fake-cheap');
  assert.deepEqual(before, { requests: 0, failures: 0, error_rate: 0, latency_ms: null, throughput_tps: null, last_failure_at: null });
  const { key } = await ctx.tp.account();
  const ask = (text) => chatJson(ctx.tp, key, { ...userMessage(text), model: 'fakeco/solo' });
  // fakeco/solo is served by fake-pricey only.
  assert.equal((await ask('[[fake:delay-ms=150]] health ok')).status, 200);
  assert.equal((await ask('health ok again')).status, 200);
  assert.equal((await ask('[[fake:error=503]] health down')).status, 502);
  assert.equal((await ask('[[fake:error=400]] health refused')).status, 400);
  const h = await health('fake-pricey');
  console.log(`fake-pricey health: ${JSON.stringify(h)}`);
  assert.equal(h.requests, 4);
  assert.equal(h.failures, 1, 'only the 503 is a failure; the 400 is the provider working');
  assert.equal(h.error_rate, 0.25);
  assert.ok(Number.isInteger(h.latency_ms) && h.latency_ms >= 0, `latency ${h.latency_ms}`);
  assert.ok(Date.parse(h.last_failure_at) > Date.now() - 60_000, 'the failure is recent');
  assert.deepEqual(await health('fake-cheap'), before, 'a provider that got nothing is unchanged');
});

secretsTest(ctx);
