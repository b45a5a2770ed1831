// A database the server cannot read answers as an error, never as "not found" or "empty": the
// gateway 503, the control plane 500, the CLI a message and a non-zero exit; and a catalog read
// that fails keeps the catalog being served. Tables are dropped behind the server's back (the
// `sqlite3` shell, as another program would), so this file has a server of its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { useServer } from '../lib/setup.mjs';
import { assertError, getJson } from '../lib/gateway.mjs';

const ctx = useServer();

async function dropTable(table) {
  if (ctx.tp.database === 'postgresql') {
    await ctx.tp.query(`DROP TABLE ${table} CASCADE`);
    return;
  }
  execFileSync('sqlite3', [path.join(ctx.tp.dataDir, 'turnpike.db'), `DROP TABLE ${table}`]);
}

async function control(method, route, token, body) {
  const res = await fetch(`${ctx.tp.controlUrl}${route}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

async function logIn(email, password) {
  const r = await control('POST', '/api/auth/login', null, { email, password });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.token;
}

test('a request log that cannot be read: /generation 503 and /api/logs 500, not 404', async () => {
  const { email, key } = await ctx.tp.account();
  const token = await logIn(email, 'correct-horse-9');
  assertError(await getJson(ctx.tp, '/api/v1/generation?id=gen-missing', key), 404, 'before: an unknown id');
  assertError(await control('GET', '/api/logs/gen-missing', token), 404, 'before: an unknown log');

  await dropTable('request_log');
  const gateway = assertError(await getJson(ctx.tp, '/api/v1/generation?id=gen-missing', key), 503, '/generation');
  assert.doesNotMatch(gateway.message, /sqlite|request_log/, 'the database message is not sent');
  const one = assertError(await control('GET', '/api/logs/gen-missing', token), 500, '/api/logs/{id}');
  assert.doesNotMatch(one.message, /sqlite|request_log/, 'the database message is not sent');
  assertError(await control('GET', '/api/logs', token), 500, '/api/logs');
  // What does not need the table still works.
  assert.equal((await getJson(ctx.tp, '/api/v1/credits', key)).status, 200);
  assert.equal((await fetch(`${ctx.tp.gatewayUrl}/ready`)).status, 200);
});

test('a catalog that cannot be read: the CLI says so, the served catalog stays', async () => {
  const before = await getJson(ctx.tp, '/api/v1/models');
  assert.equal(before.status, 200);
  assert.ok(before.body.data.length > 0);

  await dropTable('price_history');
  const listed = await ctx.tp.cli(['catalog', 'list']);
  assert.notEqual(listed.code, 0, 'catalog list fails');
  assert.match(listed.stderr, /^turnpike: .*price_history/m, 'and prints the error');

  // An admin change reloads the catalog at once; the reload fails and the snapshot stays.
  const admin = ctx.tp.bootstrap;
  assert.ok(admin, 'the bootstrap admin');
  const token = await logIn(admin.email, admin.password);
  const created = await control('POST', '/api/admin/companies', token, { id: 'newco', name: 'NewCo' });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const after = await getJson(ctx.tp, '/api/v1/models');
  assert.equal(after.status, 200);
  assert.deepEqual(after.body.data.map((m) => m.id), before.body.data.map((m) => m.id),
    'every model is still served');
  assert.match(ctx.tp.output(), /catalog reload failed, still serving the catalog loaded before/);
  // Reads that need the table answer 500 rather than an empty catalog.
  assertError(await control('PATCH', '/api/admin/companies/newco', token, { name: 'NewCo 2' }), 500, 'PATCH company');
});
