// A storm of 429s from the cheaper provider (issue 12): every request is served by the other one,
// billed once at its prices, and every hold is released. Its own server: the storm opens the
// cheap endpoint's circuit breaker, which would change the routing of failover.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from '../lib/setup.mjs';
import {
  assertLedger, chatJson, expectedCostMicros, fakeRequestsWith, fixtureJson, getJson, nonce,
  perTokenToMicrosPerMillion, untilEqual, userShow,
} from '../lib/gateway.mjs';

const ctx = useServer();
const MODEL = 'fakeco/duo';
const START = 10_000_000;
const CHEAP = '/cheap/v1/chat/completions';
const PRICEY = '/pricey/v1/chat/completions';
const TEXT = fixtureJson('chat-nonstream-text-after-tool-results.json');

test('a 429 storm at cheap: 24 requests at once are all served by pricey, each billed once, every hold released', async () => {
  const { tp } = ctx;
  const models = await getJson(tp, '/api/v1/models');
  const endpoint = models.body.data.find((m) => m.id === MODEL).endpoints.find((e) => e.provider === 'fake-pricey');
  const pricey = {
    input: perTokenToMicrosPerMillion(endpoint.pricing.prompt), output: perTokenToMicrosPerMillion(endpoint.pricing.completion),
  };
  const { email, key } = await tp.account();
  const marker = nonce();
  const rs = await Promise.all(Array.from({ length: 24 }, (_, i) => chatJson(tp, key, {
    model: MODEL, messages: [{ role: 'user', content: `[[fake:fail-path=/cheap:429]] storm ${i} ${marker}` }],
  })));
  for (const r of rs) {
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.provider, 'Fake Pricey');
  }
  const calls = await fakeRequestsWith(ctx.fake, marker);
  assert.equal(calls.filter((c) => c.path === PRICEY).length, 24, 'pricey answered each once');
  const cheap = calls.filter((c) => c.path === CHEAP).length;
  assert.ok(cheap <= 24, 'cheap was never asked twice for one request');
  console.log(`429 storm: cheap was tried ${cheap} times of 24 (its breaker opens after 5 failures in a row)`);
  const cost = 24 * expectedCostMicros(TEXT.usage, pricey);
  await untilEqual(async () => (await userShow(tp, email)).balance_micros, START - cost, `charged ${cost} µUSD`);
  await assertLedger(tp, email);
});
