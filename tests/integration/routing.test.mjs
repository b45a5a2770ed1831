// OpenRouter's provider routing and model fallbacks through the gateway (docs/architecture.md
// §7.4), against the fake provider: fakeco/duo is served by fake-cheap and fake-pricey, fakeco/solo
// by fake-pricey alone (tests/fixtures/catalog-test.toml). The fake answers 400 to any argument
// OpenAI does not know, as api.openai.com does, so a 200 also proves that none of OpenRouter's own
// members reached it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from '../lib/setup.mjs';
import {
  assertError, chatJson, chatStream, contentOf, fakeRequestsWith, getJson, nonce, userShow,
} from '../lib/gateway.mjs';

const ctx = useServer();
const CHEAP = '/cheap/v1/chat/completions';
const PRICEY = '/pricey/v1/chat/completions';

const ask = (model, text, extra = {}) => ({ model, messages: [{ role: 'user', content: text }], ...extra });
const paths = async (marker) => (await fakeRequestsWith(ctx.fake, marker)).sort((a, b) => a.id - b.id).map((c) => c.path);

test('OpenRouter\'s members are consumed: the provider never sees provider, models, reasoning, transforms, usage, user', async () => {
  const { key } = await ctx.tp.account();
  const marker = nonce();
  const r = await chatJson(ctx.tp, key, ask('fakeco/duo', marker, {
    provider: { sort: 'price', data_collection: 'deny' }, models: ['fakeco/solo'], transforms: ['middle-out'],
    route: 'fallback', usage: { include: true }, plugins: [], reasoning: { effort: 'high' }, user: 'alice@example.test',
    temperature: 0.3, top_k: 5,
  }));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const [call] = await fakeRequestsWith(ctx.fake, marker);
  for (const member of ['provider', 'models', 'transforms', 'route', 'usage', 'plugins', 'reasoning', 'user', 'top_k']) {
    assert.equal(member in call.body, false, `${member} reached the provider`);
  }
  assert.equal(call.body.temperature, 0.3, 'a parameter the endpoint supports is forwarded');
  assert.equal(r.body.model, 'fakeco/duo');
  assert.equal(r.body.provider, 'Fake Pricey', 'data_collection "deny" leaves out fake-cheap (it may collect)');
});

test('provider.order, only and ignore pick the provider; :floor is the cheapest', async () => {
  const { key } = await ctx.tp.account();
  const cases = [
    [{ order: ['fake-pricey'] }, 'fakeco/duo', [PRICEY]],
    [{ only: ['Fake Pricey'] }, 'fakeco/duo', [PRICEY]],
    [{ ignore: ['fake-cheap'] }, 'fakeco/duo', [PRICEY]],
    [undefined, 'fakeco/duo:floor', [CHEAP]],
    [{ sort: 'price' }, 'fakeco/duo', [CHEAP]],
    // The catalog's data policy: fake-pricey denies data collection and is zdr, fake-cheap is neither.
    [{ data_collection: 'deny' }, 'fakeco/duo', [PRICEY]],
    [{ zdr: true }, 'fakeco/duo', [PRICEY]],
    [{ data_collection: 'allow', zdr: false }, 'fakeco/duo', [CHEAP]],
  ];
  for (const [provider, model, want] of cases) {
    const marker = nonce();
    const r = await chatJson(ctx.tp, key, ask(model, marker, provider ? { provider } : {}));
    assert.equal(r.status, 200, `${JSON.stringify(provider)}: ${JSON.stringify(r.body)}`);
    assert.deepEqual(await paths(marker), want, JSON.stringify(provider));
  }
});

test('each endpoint publishes the data policy that data_collection and zdr route by', async () => {
  const r = await getJson(ctx.tp, '/api/v1/models/fakeco/duo/endpoints');
  assert.equal(r.status, 200);
  const policies = Object.fromEntries(r.body.data.endpoints.map((e) => [e.tag, e.data_policy]));
  assert.deepEqual(policies, {
    'fake-pricey': { data_collection: 'deny', zdr: true },
    'fake-cheap': { data_collection: 'allow', zdr: false },
  });
});

test('allow_fallbacks: false stops after the providers in order; with it, a failure moves on', async () => {
  const { key } = await ctx.tp.account();
  let marker = nonce();
  let r = await chatJson(ctx.tp, key, ask('fakeco/duo', `[[fake:fail-path=/pricey:503]] ${marker}`,
    { provider: { order: ['fake-pricey'], allow_fallbacks: false } }));
  assertError(r, 502, 'the only allowed provider failed');
  assert.deepEqual(await paths(marker), [PRICEY]);
  marker = nonce();
  r = await chatJson(ctx.tp, key, ask('fakeco/duo', `[[fake:fail-path=/pricey:503]] ${marker}`,
    { provider: { order: ['fake-pricey'] } }));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(await paths(marker), [PRICEY, CHEAP]);
});

test('preferences nobody meets, or that contradict, are 4xx before any upstream call, and cost nothing', async () => {
  const { email, key } = await ctx.tp.account();
  const marker = nonce();
  const none = await chatJson(ctx.tp, key, ask('fakeco/duo', marker, { provider: { only: ['nobody'] } }));
  assertError(none, 404, 'only: nobody');
  assert.match(none.body.error.message, /No endpoints found for fakeco\/duo/);
  assert.match(none.body.error.message, /fake-cheap: not in provider\.only/);
  const both = await chatJson(ctx.tp, key, ask('fakeco/duo', marker, { provider: { only: ['fake-cheap'], ignore: ['fake-cheap'] } }));
  assertError(both, 400, 'only and ignore');
  const cheapOnly = await chatJson(ctx.tp, key, ask('fakeco/duo', marker,
    { provider: { max_price: { prompt: 0.1 } } }));
  assertError(cheapOnly, 404, 'max_price below every endpoint');
  const private_ = await chatJson(ctx.tp, key, ask('fakeco/duo', marker, { provider: { zdr: true, ignore: ['fake-pricey'] } }));
  assertError(private_, 404, 'zdr, with the one zdr endpoint ignored');
  assert.match(private_.body.error.message, /fakeco\/duo at fake-cheap: not zdr/);
  const collecting = await chatJson(ctx.tp, key, ask('fakeco/duo', marker, { provider: { data_collection: 'deny', only: ['fake-cheap'] } }));
  assertError(collecting, 404, 'data_collection deny at a provider that may collect');
  assert.match(collecting.body.error.message, /fakeco\/duo at fake-cheap: data collection/);
  const badSort = await chatJson(ctx.tp, key, ask('fakeco/duo', marker, { provider: { sort: 'cheapest' } }));
  assertError(badSort, 400, 'sort: cheapest');
  assert.match(badSort.body.error.message, /provider\.sort/);
  assert.deepEqual(await paths(marker), [], 'nothing reached the provider');
  assert.equal((await userShow(ctx.tp, email)).balance_micros, 10_000_000);
});

test('models: when every provider of the model fails before the first byte, the next model answers and is named', async () => {
  const { email, key } = await ctx.tp.account();
  for (const stream of [false, true]) {
    const marker = nonce();
    // fakeco/duo fails at both of its providers; fakeco/solo (at pricey) answers.
    const fail = '[[fake:fail-model=duo-cheap-1:503]] [[fake:fail-model=duo-pricey-1:503]]';
    const body = { models: ['fakeco/duo', 'fakeco/solo'], messages: [{ role: 'user', content: `${fail} ${marker}` }] };
    const r = stream ? await chatStream(ctx.tp, key, body) : await chatJson(ctx.tp, key, body);
    assert.equal(r.status, 200, `stream=${stream}: ${JSON.stringify(r.body)}`);
    const calls = (await fakeRequestsWith(ctx.fake, marker)).sort((a, b) => a.id - b.id);
    assert.deepEqual(calls.map((c) => c.body.model), ['duo-cheap-1', 'duo-pricey-1', 'solo-pricey-1']);
    const named = stream ? [...new Set(r.events.map((e) => e.model))] : [r.body.model];
    assert.deepEqual(named, ['fakeco/solo'], 'the answer names the model that answered');
  }
  const u = await userShow(ctx.tp, email);
  assert.equal(u.balance_micros, u.ledger_sum_micros);
  assert.ok(u.balance_micros < 10_000_000, 'the fallback\'s answers were charged');
});

// No other gateway says why it chose: x-turnpike-routing lists every candidate in order with
// what became of it, then what the preferences left out.
test('x-turnpike-routing explains the choice: failed, answered, not needed, skipped', async () => {
  const { key } = await ctx.tp.account();
  const r = await chatJson(ctx.tp, key, ask('fakeco/duo', `[[fake:fail-path=/cheap:503]] ${nonce()}`,
    { models: ['fakeco/solo'] }));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.headers.get('x-turnpike-routing'),
    'fake-cheap@fakeco/duo=failed (503); fake-pricey@fakeco/duo=answered; fake-pricey@fakeco/solo=not needed');
  const s = await chatStream(ctx.tp, key, ask('fakeco/duo', nonce(), { provider: { ignore: ['fake-cheap'] } }));
  assert.equal(s.headers.get('x-turnpike-routing'),
    'fake-pricey@fakeco/duo=answered; skipped fakeco/duo at fake-cheap: in provider.ignore');
  const z = await chatJson(ctx.tp, key, ask('fakeco/duo', nonce(), { provider: { zdr: true, data_collection: 'deny' } }));
  assert.equal(z.headers.get('x-turnpike-routing'),
    'fake-pricey@fakeco/duo=answered; skipped fakeco/duo at fake-cheap: data collection');
  const failed = await chatJson(ctx.tp, key, ask('fakeco/solo', `[[fake:fail-path=/pricey:503]] ${nonce()}`));
  assert.equal(failed.status, 502);
  assert.equal(failed.headers.get('x-turnpike-routing'), 'fake-pricey@fakeco/solo=failed (503)');
});

test('an unknown fallback model is a 400 naming it', async () => {
  const { key } = await ctx.tp.account();
  const r = await chatJson(ctx.tp, key, ask('fakeco/duo', nonce(), { models: ['fakeco/duo', 'fakeco/sol'] }));
  assertError(r, 400, 'unknown fallback');
  assert.match(r.body.error.message, /fakeco\/sol is not a valid model ID\. Did you mean fakeco\/solo\?/);
});

test('a provider\'s error reaches the client as OpenRouter sends it: metadata with the provider\'s name and scrubbed words, and its Retry-After', async () => {
  const { key } = await ctx.tp.account();
  const r = await chatJson(ctx.tp, key, ask('fakeco/solo', `[[fake:error=429]] [[fake:retry-after=7]] ${nonce()}`));
  assertError(r, 429, 'the provider\'s rate limit');
  assert.equal(r.headers.get('retry-after'), '7');
  assert.equal(r.body.error.metadata.provider_name, 'Fake Pricey');
  assert.match(r.body.error.metadata.raw, /Rate limit reached for gpt-4 in organization org-\*+ on tokens per min/);
  // A failure with no Retry-After from the provider has none either.
  const plain = await chatJson(ctx.tp, key, ask('fakeco/solo', `[[fake:error=500]] ${nonce()}`));
  assert.equal(plain.status, 502);
  assert.equal(plain.headers.get('retry-after'), null);
  assert.equal(plain.body.error.metadata.provider_name, 'Fake Pricey');
  // The gateway's own refusals carry no provider metadata.
  const own = await chatJson(ctx.tp, key, ask('fakeco/nope', nonce()));
  assert.equal(own.status, 400);
  assert.equal(own.body.error.metadata, undefined);
});

test('GET /models applies OpenRouter\'s filters, and GET /providers lists the catalog\'s providers', async () => {
  // The server also holds the default catalog: every query but the authors' own keeps to fakeco.
  const ids = async (query) => {
    const r = await getJson(ctx.tp, `/api/v1/models?model_authors=fakeco${query}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return { ids: r.body.data.map((m) => m.id).sort(), total: r.body.total_count };
  };
  assert.deepEqual((await ids('')).ids, ['fakeco/duo', 'fakeco/solo']);
  assert.deepEqual((await ids('&supported_parameters=tools,temperature')).ids, ['fakeco/duo', 'fakeco/solo']);
  assert.deepEqual((await ids('&supported_parameters=tools%2Creasoning')).ids, [], 'every parameter must be supported');
  assert.deepEqual((await ids('&providers=fake-cheap')).ids, ['fakeco/duo']);
  assert.deepEqual((await ids('&providers=Fake%20Pricey')).ids, ['fakeco/duo', 'fakeco/solo'], 'by name too');
  assert.deepEqual((await ids('&q=DUO')).ids, ['fakeco/duo']);
  assert.deepEqual((await ids('&input_modalities=text&output_modalities=text')).ids, ['fakeco/duo', 'fakeco/solo']);
  assert.deepEqual((await ids('&input_modalities=audio')).ids, []);
  assert.deepEqual(await ids('&limit=1&offset=1'), { ids: ['fakeco/solo'], total: 2 }, 'total_count before paging');
  const nobody = await getJson(ctx.tp, '/api/v1/models?model_authors=nobody');
  assert.deepEqual([nobody.body.data, nobody.body.total_count], [[], 0]);
  const unfiltered = await getJson(ctx.tp, '/api/v1/models');
  assert.ok(unfiltered.body.data.length > 2 && unfiltered.body.total_count === unfiltered.body.data.length);
  assert.equal((await getJson(ctx.tp, '/api/v1/models?limit=-1')).status, 400);
  const providers = await getJson(ctx.tp, '/api/v1/providers');
  assert.equal(providers.status, 200);
  const bySlug = Object.fromEntries(providers.body.data.map((p) => [p.slug, p]));
  assert.equal(bySlug['fake-cheap'].name, 'Fake Cheap');
  assert.equal(bySlug['fake-pricey'].name, 'Fake Pricey');
  assert.equal(bySlug['fake-cheap'].privacy_policy_url, null);
});
