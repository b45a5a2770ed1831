// What the dashboard needs from the server beyond the REST routes: GET /api/config, the built
// dashboard served at / (with page paths falling back to index.html), the gateway answering
// browsers (CORS) for the playground, activity split by model or key for stacked charts, every
// provider attempt and the routing explanation in a log's detail, and provider output speed in the catalog.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { chatJson, chatStream, contentOf, eventually, rawRequest, userMessage } from '../lib/gateway.mjs';
import { api, cliUser, expectStatus, login, rawApi, secretsTest, useControl } from './helpers.mjs';

const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'turnpike-dist-'));
fs.mkdirSync(path.join(dist, 'assets'));
const INDEX = '<!doctype html><title>Turnpike</title><div id="root"></div>';
fs.writeFileSync(path.join(dist, 'index.html'), INDEX);
fs.writeFileSync(path.join(dist, 'assets', 'index-abc123.js'), 'console.log("dashboard")');

const ctx = useControl({ env: { TURNPIKE_DASHBOARD_DIR: dist, TURNPIKE_PAYMENTS_PROVIDER: 'sandbox' } });

test('GET /api/config tells where the gateway is and how top-ups work, to anyone', async () => {
  const r = expectStatus(await api(ctx, 'GET', '/api/config'), 200);
  const gatewayPort = new URL(ctx.tp.gatewayUrl).port;
  const controlHost = new URL(ctx.url).hostname;
  assert.equal(r.body.gateway_url, `http://${controlHost}:${gatewayPort}`, 'the page host on the gateway port');
  assert.deepEqual(r.body.payments, { provider: 'sandbox', min_micros: 1_000_000, max_micros: 10_000_000_000 });
  // fetch cannot set Host: these go through node:http.
  const viaName = expectStatus(await rawApi(ctx, 'GET', '/api/config', { headers: { host: `localhost:${new URL(ctx.url).port}` } }), 200);
  assert.equal(viaName.body.gateway_url, `http://localhost:${gatewayPort}`, 'follows the name the browser used');
  const odd = expectStatus(await rawApi(ctx, 'GET', '/api/config', { headers: { host: 'evil.example/<script>' } }), 200);
  assert.equal(odd.body.gateway_url, null, 'a Host with odd characters is not echoed');
});

test('the built dashboard is served at /, page paths get index.html, missing assets 404', async () => {
  const index = await fetch(`${ctx.url}/`);
  assert.equal(index.status, 200);
  assert.equal(await index.text(), INDEX);
  assert.equal(index.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(index.headers.get('cache-control'), 'no-cache');
  assert.equal(index.headers.get('x-frame-options'), 'DENY');
  const etag = index.headers.get('etag');
  assert.match(etag, /^"[0-9a-f]{32}"$/);
  const again = await fetch(`${ctx.url}/`, { headers: { 'if-none-match': etag } });
  assert.equal(again.status, 304);
  // HEAD: the head only, with the length of the body a GET gets; the connection stays usable.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const head = await new Promise((resolve, reject) => {
    const req = http.request(`${ctx.url}/keys`, { method: 'HEAD', agent }, (res) => {
      let bytes = 0;
      res.on('data', (c) => { bytes += c.length; });
      res.on('end', () => resolve({ status: res.statusCode, length: res.headers['content-length'], bytes }));
    });
    req.on('error', reject);
    req.end();
  });
  assert.deepEqual(head, { status: 200, length: String(Buffer.byteLength(INDEX)), bytes: 0 });
  const after = await new Promise((resolve, reject) => {
    http.get(`${ctx.url}/health`, { agent }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve(text));
    }).on('error', reject);
  });
  agent.destroy();
  assert.equal(after, '{"status":"ok"}', 'the next answer on the same connection is intact');

  for (const page of ['/keys', '/models/openai/gpt-4o', '/logs/gen-0123456789abcdef01234567', '/admin/users']) {
    const r = await fetch(`${ctx.url}${page}`);
    assert.equal(r.status, 200, page);
    assert.equal(await r.text(), INDEX, `${page} is the app`);
  }
  const js = await fetch(`${ctx.url}/assets/index-abc123.js`);
  assert.equal(js.status, 200);
  assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.equal((await fetch(`${ctx.url}/assets/index-gone.js`)).status, 404);
  // (Outside the contract checker, which would count an undocumented path as a violation.)
  const unknownApi = await rawRequest(`${ctx.url}/api/nothing-here`, { method: 'GET' });
  assert.equal(unknownApi.status, 404, 'API paths never fall back to the app');
  assert.equal(JSON.parse(unknownApi.text).error.code, 404);
  assert.equal((await fetch(`${ctx.url}/keys`, { method: 'POST' })).status, 404, 'only GET gets pages');
});

test('the gateway answers browsers: preflight and Access-Control-Allow-Origin on every answer', async () => {
  const origin = 'http://localhost:3001';
  const pre = await fetch(`${ctx.tp.gatewayUrl}/api/v1/chat/completions`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
  });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), '*');
  assert.match(pre.headers.get('access-control-allow-methods'), /POST/);
  assert.equal(pre.headers.get('access-control-allow-headers'), 'authorization,content-type');
  assert.equal(pre.headers.get('access-control-allow-credentials'), null);

  const { key } = await ctx.tp.account();
  const ok = await chatJson(ctx.tp, key, { ...userMessage('cors hello'), model: 'fakeco/solo' }, { headers: { origin } });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get('access-control-allow-origin'), '*');
  assert.equal(ok.headers.get('access-control-expose-headers'), 'x-request-id, retry-after', 'a page can read Retry-After of a 429');
  const stream = await chatStream(ctx.tp, key, { ...userMessage('cors stream'), model: 'fakeco/solo' }, { headers: { origin } });
  assert.equal(stream.headers.get('access-control-allow-origin'), '*', 'streamed answers too');
  assert.ok(contentOf(stream.events).length > 0);
  const denied = await chatJson(ctx.tp, 'sk-tp-v1-' + '0'.repeat(64), { ...userMessage('x'), model: 'fakeco/solo' }, { headers: { origin } });
  assert.equal(denied.status, 401);
  assert.equal(denied.headers.get('access-control-allow-origin'), '*', 'errors are readable by the page too');
  const plain = await chatJson(ctx.tp, key, { ...userMessage('no origin'), model: 'fakeco/solo' });
  assert.equal(plain.headers.get('access-control-allow-origin'), null, 'clients that are not browsers get no CORS headers');
});

// The routing explanation the client got in x-turnpike-routing is kept with the log row and
// shown in its detail, structured: every candidate in order with what became of it, then the
// endpoints the preferences left out and why.
test('a log detail explains the routing: failed over, answered, not needed, skipped', async () => {
  const user = await cliUser(ctx, { credits: '10' });
  const session = await login(ctx, user.email, user.password);
  const key = expectStatus(await api(ctx, 'POST', '/api/keys', { auth: session, origin: true, body: { name: 'routing' } }), 201).body.secret;
  const detailOf = async (r) => {
    const id = r.headers.get('x-request-id');
    const detail = await eventually(async () => {
      const d = await api(ctx, 'GET', `/api/logs/${id}`, { auth: session });
      return d.status === 200 ? d : null;
    }, { what: `the log row of ${id}` });
    return detail.body.log.routing;
  };

  const failover = await chatJson(ctx.tp, key, {
    ...userMessage('[[fake:fail-path=/cheap:503]] fail over'), model: 'fakeco/duo', models: ['fakeco/solo'],
  });
  assert.equal(failover.status, 200, JSON.stringify(failover.body));
  assert.equal(failover.headers.get('x-turnpike-routing'),
    'fake-cheap@fakeco/duo=failed (503); fake-pricey@fakeco/duo=answered; fake-pricey@fakeco/solo=not needed');
  assert.deepEqual(await detailOf(failover), [
    { provider: 'fake-cheap', model: 'fakeco/duo', outcome: 'failed', status: 503, reason: null },
    { provider: 'fake-pricey', model: 'fakeco/duo', outcome: 'answered', status: null, reason: null },
    { provider: 'fake-pricey', model: 'fakeco/solo', outcome: 'not needed', status: null, reason: null },
  ]);

  const failed = await chatJson(ctx.tp, key, {
    ...userMessage('[[fake:fail-path=/pricey:503]] no one left'), model: 'fakeco/duo', provider: { ignore: ['fake-cheap'] },
  });
  assert.equal(failed.status, 502, JSON.stringify(failed.body));
  assert.deepEqual(await detailOf(failed), [
    { provider: 'fake-pricey', model: 'fakeco/duo', outcome: 'failed', status: 503, reason: null },
    { provider: 'fake-cheap', model: 'fakeco/duo', outcome: 'skipped', status: null, reason: 'in provider.ignore' },
  ]);
});

test('a log detail lists every provider tried; activity splits days by model and key', async () => {
  const user = await cliUser(ctx, { credits: '10' });
  const session = await login(ctx, user.email, user.password);
  const created = expectStatus(await api(ctx, 'POST', '/api/keys', { auth: session, origin: true, body: { name: 'attempts' } }), 201);
  const key = created.body.secret;
  assert.ok(key, `the new key's secret: ${JSON.stringify(created.body)}`);
  const failover = await chatJson(ctx.tp, key, { ...userMessage('[[fake:fail-path=/cheap:503]] fail over'), model: 'fakeco/duo' });
  assert.equal(failover.status, 200);
  const id = failover.headers.get('x-request-id');
  const direct = await chatJson(ctx.tp, key, { ...userMessage('straight'), model: 'fakeco/solo' });
  assert.equal(direct.status, 200);

  const detail = await eventually(async () => {
    const r = await api(ctx, 'GET', `/api/logs/${id}`, { auth: session });
    return r.status === 200 ? r : null;
  }, { what: 'the log row' });
  const attempts = detail.body.log.attempts;
  assert.equal(attempts.length, 2, JSON.stringify(attempts));
  assert.equal(attempts[0].provider, 'fake-cheap');
  assert.equal(attempts[0].status, 503);
  assert.ok(attempts[0].error, 'why it moved on');
  assert.deepEqual({ ...attempts[1], latency_ms: 0 }, { provider: 'fake-pricey', status: 200, error: null, latency_ms: 0 });
  assert.ok(Number.isInteger(attempts[1].latency_ms));
  assert.equal(detail.body.log.provider, 'fake-pricey');

  const split = await eventually(async () => {
    const r = expectStatus(await api(ctx, 'GET', '/api/activity?group_by=day&split_by=model', { auth: session }), 200);
    return r.body.buckets.length === 2 ? r : null;
  }, { what: 'two model series' });
  const today = new Date().toISOString().slice(0, 10);
  assert.deepEqual(split.body.buckets.map((b) => [b.group, b.series, b.requests]),
    [[today, 'fakeco/duo', 1], [today, 'fakeco/solo', 1]]);
  const byKey = expectStatus(await api(ctx, 'GET', '/api/activity?group_by=day&split_by=key', { auth: session }), 200);
  assert.deepEqual(byKey.body.buckets.map((b) => [b.group, b.series, b.requests]), [[today, String(created.body.key.id), 2]]);
  assert.equal(split.body.totals.requests, 2);
  const bad = await api(ctx, 'GET', '/api/activity?group_by=model&split_by=key', { auth: session });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.param, 'split_by');
});

test('the transaction history pages back to the first entry', async () => {
  const user = await cliUser(ctx, { credits: '1' });
  const session = await login(ctx, user.email, user.password);
  for (let i = 1; i <= 4; i++) {
    expectStatus(await api(ctx, 'POST', '/api/credits/checkout', { auth: session, origin: true, body: { amount_usd: `${i}.00` } }), 200);
  }
  const seen = [];
  let before = null;
  for (let page = 0; page < 6; page++) {
    const r = expectStatus(await api(ctx, 'GET', `/api/credits/transactions?limit=2${before ? `&before=${before}` : ''}`, { auth: session }), 200);
    seen.push(...r.body.transactions.map((t) => t.amount_micros));
    before = r.body.next_before;
    if (before === null) break;
  }
  assert.deepEqual(seen, [4_000_000, 3_000_000, 2_000_000, 1_000_000, 1_000_000], 'four top-ups, then the first grant, newest first');
});

test('provider output speed appears once a streamed answer was timed', async () => {
  const { key } = await ctx.tp.account();
  // 12 chunks 10 ms apart: long enough to time.
  const r = await chatStream(ctx.tp, key, { ...userMessage('[[fake:chunk-delay-ms=10]] speed'), model: 'fakeco/solo', stream: true });
  assert.equal(r.status, 200);
  const tps = await eventually(async () => {
    const body = expectStatus(await api(ctx, 'GET', '/api/models'), 200).body;
    return body.providers.find((p) => p.id === 'fake-pricey').health.throughput_tps;
  }, { what: 'throughput of fake-pricey' });
  console.log(`fake-pricey throughput: ${tps} tokens/s`);
  assert.ok(tps > 0 && tps < 100_000, `plausible: ${tps}`);
});

secretsTest(ctx);
