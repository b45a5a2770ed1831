// The circuit breaker (docs/architecture.md §7.3): an endpoint failing again and again cools down
// and traffic moves to the others without trying it; once the cooldown is over one request
// probes it, and a good probe puts it back in service. fakeco/duo is served by fake-cheap (tried
// first: cheaper) and fake-pricey (tests/fixtures/catalog-test.toml); the cooldown is shortened to
// 1.5 s for the test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from '../lib/setup.mjs';
import { chatJson, fakeRequestsWith, getJson, nonce, sleep, assertLedger } from '../lib/gateway.mjs';

const COOLDOWN_MS = 1_500;
const ctx = useServer({ env: { TURNPIKE_UPSTREAM_BREAKER_COOLDOWN_MS: String(COOLDOWN_MS) } });
const CHEAP = '/cheap/v1/chat/completions';
const PRICEY = '/pricey/v1/chat/completions';

const ask = (text) => ({ model: 'fakeco/duo', messages: [{ role: 'user', content: text }] });
const paths = async (marker) => (await fakeRequestsWith(ctx.fake, marker)).sort((a, b) => a.id - b.id).map((c) => c.path);
const cheapHealth = async () => {
  const r = await getJson(ctx.tp, '/api/v1/models/fakeco/duo/endpoints');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.data.endpoints.find((e) => e.tag === 'fake-cheap').health;
};

test('a provider failing 10 times cools down, traffic moves away without trying it, and it comes back once a probe succeeds', async () => {
  const { email, key } = await ctx.tp.account();
  // Ten requests while fake-cheap answers 503: each fails over to fake-pricey and is served.
  const tried = [];
  for (let i = 0; i < 10; i++) {
    const marker = nonce();
    const r = await chatJson(ctx.tp, key, ask(`[[fake:fail-path=/cheap:503]] ${marker}`));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    tried.push(await paths(marker));
  }
  // The first five tried fake-cheap first; from then on it was cooling down and was not tried.
  assert.deepEqual(tried.slice(0, 5), Array(5).fill([CHEAP, PRICEY]));
  assert.deepEqual(tried.slice(5), Array(5).fill([PRICEY]));
  let health = await cheapHealth();
  assert.equal(health.circuit, 'open');
  assert.equal(health.requests, 5);
  assert.ok(health.error_rate > 0.5, JSON.stringify(health));
  assert.ok(health.cooldown_until >= Math.floor(Date.now() / 1000), JSON.stringify(health));

  // Recovered (no failure directive), but still cooling down: not tried.
  let marker = nonce();
  let r = await chatJson(ctx.tp, key, ask(marker));
  assert.equal(r.status, 200);
  assert.deepEqual(await paths(marker), [PRICEY]);
  assert.match(r.headers.get('x-turnpike-routing'), /^fake-pricey@fakeco\/duo=answered; fake-cheap@fakeco\/duo=not needed/);

  // After the cooldown, one slow request probes fake-cheap; a request meanwhile keeps away from it.
  await sleep(COOLDOWN_MS + 100);
  const probeMarker = nonce();
  const probe = chatJson(ctx.tp, key, ask(`[[fake:delay-ms=800]] ${probeMarker}`));
  await sleep(250);
  marker = nonce();
  r = await chatJson(ctx.tp, key, ask(marker));
  assert.equal(r.status, 200);
  assert.deepEqual(await paths(marker), [PRICEY], 'only one request probes a half-open endpoint');
  assert.match(r.headers.get('x-turnpike-routing'), /fake-cheap@fakeco\/duo=cooling down/);
  const probed = await probe;
  assert.equal(probed.status, 200, JSON.stringify(probed.body));
  assert.deepEqual(await paths(probeMarker), [CHEAP], 'the probe went to the cooled-down endpoint first');

  // The probe succeeded: back in service, and first again.
  health = await cheapHealth();
  assert.equal(health.circuit, 'closed');
  marker = nonce();
  r = await chatJson(ctx.tp, key, ask(marker));
  assert.deepEqual(await paths(marker), [CHEAP]);
  await assertLedger(ctx.tp, email);
});

test('when every endpoint is cooling down, the request is still served by the one back soonest', async () => {
  const { key } = await ctx.tp.account();
  // fakeco/solo has one endpoint (fake-pricey): make it trip.
  const solo = (text) => ({ model: 'fakeco/solo', messages: [{ role: 'user', content: text }] });
  for (let i = 0; i < 5; i++) {
    const r = await chatJson(ctx.tp, key, solo(`[[fake:fail-path=/pricey:503]] ${nonce()}`));
    assert.equal(r.status, 502);
  }
  const endpoints = await getJson(ctx.tp, '/api/v1/models/fakeco/solo/endpoints');
  assert.equal(endpoints.body.data.endpoints[0].health.circuit, 'open');
  const marker = nonce();
  const r = await chatJson(ctx.tp, key, solo(marker));
  assert.equal(r.status, 200, 'a cooling endpoint is still tried when it is the only one');
  assert.deepEqual(await paths(marker), [PRICEY]);
});
