// The OpenAPI document itself (src/control/openapi.json): valid OpenAPI 3.1, every schema compiles
// as JSON Schema 2020-12, it covers exactly the routes of docs/control-api.md, it is strict enough
// to catch drift (closed response objects, integer money, UTC times), and the response checker
// that every other control test relies on really rejects what it should. No server needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import {
  CONTROL_DOC_PATH, OPENAPI_PATH, OpenApiChecker, addSecret, loadDocument, scanText, signJwt,
} from './helpers.mjs';

const doc = loadDocument();
const METHODS = ['get', 'post', 'patch', 'put', 'delete'];

function operations() {
  const out = [];
  for (const [p, item] of Object.entries(doc.paths)) {
    for (const m of METHODS) if (item[m]) out.push({ path: p, method: m.toUpperCase(), op: item[m], item });
  }
  return out;
}

function deref(o) {
  let x = o;
  while (x && x.$ref) x = x.$ref.replace(/^#\//, '').split('/').reduce((a, k) => a[k], doc);
  return x;
}

test('src/control/openapi.json is a valid OpenAPI 3.1 document', async () => {
  const validator = new Validator();
  const result = await validator.validate(OPENAPI_PATH);
  assert.deepEqual(result.errors ?? [], [], 'schema errors');
  assert.equal(result.valid, true);
  assert.equal(validator.version, '3.1');
  assert.match(doc.openapi, /^3\.1\.\d+$/);
  // The OpenAPI validator does not look inside Schema Objects; a strict Ajv 2020-12 compile does.
  let compiled = 0;
  const checker = new OpenApiChecker(doc);
  for (const name of Object.keys(doc.components.schemas)) {
    checker.validator(`component:${name}`, { $ref: `#/components/schemas/${name}` });
    compiled++;
  }
  for (const { path: p, method, op, item } of operations()) {
    for (const param of [...(item.parameters ?? []), ...(op.parameters ?? [])]) {
      checker.validator(`param:${method}:${p}:${param.name}`, deref(param).schema);
      compiled++;
    }
    const reqSchema = op.requestBody?.content?.['application/json']?.schema;
    if (reqSchema) { checker.validator(`request:${method}:${p}`, reqSchema); compiled++; }
    for (const [status, r] of Object.entries(op.responses)) {
      const res = deref(r);
      for (const [h, spec] of Object.entries(res.headers ?? {})) {
        checker.validator(`h:${method}:${p}:${status}:${h}`, deref(spec).schema);
        compiled++;
      }
      for (const media of Object.values(res.content ?? {})) {
        checker.validator(`b:${method}:${p}:${status}`, media.schema);
        compiled++;
      }
    }
  }
  assert.ok(compiled > 50, `compiled ${compiled} schemas`);
});

test('the document has exactly the routes of docs/control-api.md', () => {
  const md = fs.readFileSync(CONTROL_DOC_PATH, 'utf8');
  const documented = new Set();
  for (const m of md.matchAll(/`(GET|POST|PATCH|PUT|DELETE) (\/api\/[^`?\s]*)/g)) {
    documented.add(`${m[1]} ${m[2]}`);
  }
  assert.ok(documented.size >= 20, `found ${documented.size} routes in the contract`);
  const described = new Set(operations().map((o) => `${o.method} ${o.path}`));
  assert.deepEqual([...documented].filter((r) => !described.has(r)).sort(), [], 'routes of the contract missing from the document');
  assert.deepEqual([...described].filter((r) => !documented.has(r)).sort(), [], 'routes in the document that the contract does not name');
});

test('every operation: an operationId, x-request-id on every response, the statuses the contract promises', () => {
  const ids = new Set();
  const security = doc.security;
  for (const { path: p, method, op } of operations()) {
    const where = `${method} ${p}`;
    assert.ok(op.operationId, `${where}: operationId`);
    assert.ok(!ids.has(op.operationId), `${where}: unique operationId`);
    ids.add(op.operationId);
    const statuses = Object.keys(op.responses);
    for (const s of statuses) {
      const res = deref(op.responses[s]);
      assert.ok(res.headers?.['x-request-id'], `${where} ${s}: x-request-id header`);
      assert.equal(deref(res.headers['x-request-id']).required, true, `${where} ${s}: x-request-id required`);
      if (Number(s) >= 400) {
        const schema = res.content?.['application/json']?.schema;
        assert.ok(schema, `${where} ${s}: a JSON body`);
        assert.ok(JSON.stringify(schema).includes('#/components/schemas/Error'), `${where} ${s}: the Error schema`);
      }
    }
    const secured = (op.security ?? security).length > 0;
    if (secured) assert.ok(statuses.includes('401'), `${where}: a signed-in route lists 401`);
    // A webhook (x-webhook) is server to server: its signature authenticates it, and no Origin is checked.
    if (['POST', 'PATCH', 'DELETE'].includes(method) && !op['x-webhook']) {
      assert.ok(statuses.includes('403'), `${where}: a mutating route lists 403 (origin)`);
    }
    if (op['x-webhook']) {
      assert.deepEqual(op.security, [], `${where}: a webhook needs no session`);
      assert.ok(!statuses.includes('403') && !statuses.includes('401'), `${where}: a webhook is never 401/403`);
    }
    if (op.requestBody) assert.ok(statuses.includes('400'), `${where}: a route with a body lists 400`);
    if (/\{id\}/.test(p) && secured) assert.ok(statuses.includes('404'), `${where}: a route with an id lists 404`);
    if (/^\/api\/admin\//.test(p)) assert.ok(statuses.includes('403'), `${where}: an admin route lists 403`);
    if (/\/api\/auth\/(login|signup)$/.test(p)) {
      assert.ok(statuses.includes('429'), `${where}: rate limited`);
      assert.ok(deref(op.responses['429']).headers['retry-after'], `${where}: 429 has retry-after`);
    }
  }
  assert.deepEqual(Object.keys(doc.components.securitySchemes).sort(), ['bearerSession', 'cookieSession']);
  assert.deepEqual(doc.components.securitySchemes.cookieSession, {
    ...doc.components.securitySchemes.cookieSession, type: 'apiKey', in: 'cookie', name: 'tp_session',
  });
  assert.equal(doc.components.securitySchemes.bearerSession.scheme, 'bearer');
});

test('response schemas are closed, money is integer micro-USD, times are date-time or null', () => {
  const problems = [];
  const seen = new Set();
  function walk(schema, where) {
    if (!schema || typeof schema !== 'object') return;
    if (schema.$ref) {
      if (seen.has(schema.$ref)) return;
      seen.add(schema.$ref);
      walk(deref(schema), schema.$ref);
      return;
    }
    for (const k of ['allOf', 'oneOf', 'anyOf']) (schema[k] ?? []).forEach((s, i) => walk(s, `${where}/${k}/${i}`));
    if (schema.items) walk(schema.items, `${where}[]`);
    if (schema.properties) {
      const isErrorCodeOverlay = where.includes('/allOf/1');
      if (!isErrorCodeOverlay && schema.additionalProperties !== false) problems.push(`${where}: additionalProperties is not false`);
      for (const [name, prop] of Object.entries(schema.properties)) {
        const resolved = JSON.stringify(prop);
        if (/_micros$/.test(name) && !/#\/components\/schemas\/Micros|"integer"/.test(resolved)) problems.push(`${where}.${name}: money is not an integer`);
        if (/_at$/.test(name) && !/#\/components\/schemas\/Timestamp|date-time/.test(resolved)) problems.push(`${where}.${name}: not a date-time`);
        walk(prop, `${where}.${name}`);
      }
    }
  }
  for (const { path: p, method, op } of operations()) {
    if (p === '/api/openapi.json') continue; // the document itself is open
    for (const [s, r] of Object.entries(op.responses)) {
      for (const media of Object.values(deref(r).content ?? {})) walk(media.schema, `${method} ${p} ${s}`);
    }
  }
  assert.deepEqual(problems, []);
  assert.equal(doc.components.schemas.Micros.type, 'integer');
  assert.equal(doc.components.schemas.Timestamp.format, 'date-time');
  for (const name of ['User', 'Key', 'Topup', 'Log', 'ActivityBucket', 'Error', 'Transaction', 'AdminUser']) {
    assert.ok(doc.components.schemas[name], `components.schemas.${name}`);
  }
});

// The checker must fail what drifts, or every other file proves nothing.
test('the response checker rejects drift', () => {
  const checker = new OpenApiChecker(doc);
  const ok = { 'content-type': 'application/json', 'x-request-id': 'r1' };
  const run = (method, pathname, status, body, headers = ok, setCookies = []) => checker.check({
    method, pathname, status, headers: new Headers(headers), setCookies, text: body === null ? '' : JSON.stringify(body),
  });
  const user = { id: 1, email: 'a@example.test', is_admin: false, disabled: false, created_at: '2026-11-28T09:30:00Z' };
  const key = {
    id: 3, name: 'k', prefix: 'sk-tp-v1-ab12', created_at: '2026-11-28T09:30:00Z', last_used_at: null, expires_at: null,
    disabled: false, log_prompts: false, usage_micros: 0, limit_micros: null, limit_reset: null, limit_usage_micros: 0,
    rpm_limit: 60, tpm_limit: null, management: false, hash: 'ab'.repeat(32),
  };
  const me = { user, balance_micros: 5, total_credited_micros: 5, total_spent_micros: 0, low_balance_alert_micros: null };
  const err = (code) => ({ error: { code, message: 'm', type: 't', param: null } });

  assert.deepEqual(run('GET', '/api/me', 200, me), []);
  assert.deepEqual(run('GET', '/api/keys', 200, { keys: [key] }), []);
  assert.deepEqual(run('PATCH', '/api/keys/3', 200, { key }), []);
  assert.deepEqual(run('DELETE', '/api/keys/3', 204, null, { 'x-request-id': 'r' }), []);
  assert.deepEqual(run('GET', '/api/keys', 401, err(401)), []);
  assert.deepEqual(run('POST', '/api/auth/login', 429, err(429), { ...ok, 'retry-after': '12' }), []);
  assert.deepEqual(run('POST', '/api/auth/login', 200, { user, token: 'a.b.c', expires_at: '2026-12-05T09:30:00Z' }, ok,
    ['tp_session=a.b.c; HttpOnly; SameSite=Strict; Path=/']), []);

  const bad = [
    ['an extra property', run('GET', '/api/me', 200, { ...me, password_hash: 'x' })],
    ['an extra property in a nested object', run('GET', '/api/me', 200, { ...me, user: { ...user, password_hash: 'x' } })],
    ['money as a string', run('GET', '/api/me', 200, { ...me, balance_micros: '5' })],
    ['money with a fraction', run('GET', '/api/me', 200, { ...me, balance_micros: 5.5 })],
    ['a time that is not ISO 8601', run('GET', '/api/me', 200, { ...me, user: { ...user, created_at: 1764322200 } })],
    ['a local time without a zone', run('GET', '/api/me', 200, { ...me, user: { ...user, created_at: '2026-11-28T09:30:00' } })],
    ['a missing field', run('GET', '/api/keys', 200, { keys: [{ ...key, limit_micros: undefined }] })],
    ['a rate limit of 0 (null is "none")', run('GET', '/api/keys', 200, { keys: [{ ...key, rpm_limit: 0 }] })],
    ['a limit reset that is not a period', run('GET', '/api/keys', 200, { keys: [{ ...key, limit_reset: 'yearly' }] })],
    ['a status not listed', run('GET', '/api/me', 500, err(500))],
    ['a 404 for a route that has none', run('GET', '/api/me', 404, err(404))],
    ['an error code unlike the status', run('GET', '/api/keys', 401, err(403))],
    ['an error without param', run('GET', '/api/keys', 401, { error: { code: 401, message: 'm', type: 't' } })],
    ['no x-request-id', run('GET', '/api/me', 200, me, { 'content-type': 'application/json' })],
    ['a 204 with a body', run('DELETE', '/api/keys/3', 204, { ok: true })],
    ['a body that is not JSON', checker.check({ method: 'GET', pathname: '/api/me', status: 200, headers: new Headers(ok), setCookies: [], text: '<html>' })],
    ['text/html', run('GET', '/api/me', 200, me, { 'content-type': 'text/html', 'x-request-id': 'r' })],
    ['429 without retry-after', run('POST', '/api/auth/login', 429, err(429))],
    ['login without the cookie', run('POST', '/api/auth/login', 200, { user, token: 'a.b.c', expires_at: '2026-12-05T09:30:00Z' })],
    ['an unknown route', run('GET', '/api/nope', 200, {})],
    ['an unknown method', run('PUT', '/api/keys', 200, {})],
  ];
  for (const [what, problems] of bad) assert.ok(problems.length > 0, `the checker accepts ${what}`);
});

// The secrets scan must find what it looks for, or the last test of every file proves nothing.
test('the secrets scan finds secrets, and allows only an issuing response and Set-Cookie', () => {
  const key = 'sk-tp-v1-selftest0123456789abcdef';
  const token = signJwt({ alg: 'HS256', typ: 'JWT' }, { sid: 'selftest-sid-0123456789abcdef', exp: 1 });
  addSecret(key, 'apiKey', 'self-test key', 1001);
  addSecret(token, 'token', 'self-test token', 1002);
  addSecret('selftest-sid-0123456789abcdef', 'sid', 'self-test sid');
  addSecret('pw-selftest-secret', 'password', 'self-test password');
  assert.deepEqual(scanText(`{"secret":"${key}"}`, { seq: 1001, where: 'issuing body' }), []);
  assert.equal(scanText(`{"secret":"${key}"}`, { seq: 1003, where: 'another body' }).length, 1);
  assert.equal(scanText(`x ${key} y`, { where: 'server output' }).length, 1);
  assert.deepEqual(scanText(`tp_session=${token}; HttpOnly`, { where: 'set-cookie', inSetCookie: true }), []);
  assert.equal(scanText(`{"token":"${token}"}`, { seq: 1003, where: 'another body' }).length, 1);
  assert.deepEqual(scanText(`{"token":"${token}"}`, { seq: 1002, where: 'login body' }), []);
  assert.equal(scanText(`Bearer ${token}`, { where: 'a header' }).length, 1);
  assert.equal(scanText('session selftest-sid-0123456789abcdef', { where: 'output' }).length, 1);
  assert.equal(scanText('{"password":"pw-selftest-secret"}', { seq: 1001, where: 'a body' }).length, 1);
  assert.deepEqual(scanText('nothing here', { where: 'a body' }), []);
});
