// Helpers for the control-plane tests (docs/control-api.md, src/control/openapi.json).
//
// Importing this module wraps the global fetch(): every response from a registered control
// listener is checked against the OpenAPI document (route and method known, status listed for
// that operation, required headers present, body empty or valid JSON matching the schema), and
// every response from anywhere (gateway too) is recorded for the secrets scan at the end of each
// file. A response that breaks the contract makes that fetch() throw, so no test can skip the
// check; the last test of each file (secretsTest) also fails on any violation seen, in case a
// test swallowed the error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { ROOT, startFake, startTurnpike } from '../lib/harness.mjs';
import { TEST_CATALOG, rawRequest, sleep } from '../lib/gateway.mjs';

const require = createRequire(import.meta.url);
const Ajv2020 = require('ajv/dist/2020');
const addFormats = require('ajv-formats');

export const OPENAPI_PATH = path.join(ROOT, 'src/control/openapi.json');
export const CONTROL_DOC_PATH = path.join(ROOT, 'docs/control-api.md');
export const UPSTREAM_KEY = 'test-upstream-key';
export const JWT_SECRET = `control-tests-jwt-secret-${crypto.randomBytes(16).toString('hex')}`;

export function loadDocument() {
  return JSON.parse(fs.readFileSync(OPENAPI_PATH, 'utf8'));
}

export function randomHex(n = 6) {
  return crypto.randomBytes(n).toString('hex');
}

export function freshEmail(tag = 'user') {
  return `${tag}-${randomHex(6)}@example.test`;
}

export function freshPassword() {
  return `pw-${randomHex(10)}`;
}

// ---------------------------------------------------------------------------------------------
// The OpenAPI checker.

const COMPONENTS_ID = 'turnpike:openapi-components';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

function rewriteRefs(value) {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')) {
        out[k] = `${COMPONENTS_ID}#/$defs/${v.slice('#/components/schemas/'.length)}`;
      } else {
        out[k] = rewriteRefs(v);
      }
    }
    return out;
  }
  return value;
}

export function newAjv() {
  const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
  addFormats(ajv);
  return ajv;
}

export class OpenApiChecker {
  constructor(doc = loadDocument()) {
    this.doc = doc;
    this.ajv = newAjv();
    this.ajv.addSchema({ $id: COMPONENTS_ID, $defs: rewriteRefs(doc.components?.schemas ?? {}) });
    this.validators = new Map();
    this.routes = [];
    for (const [template, item] of Object.entries(doc.paths ?? {})) {
      const names = [];
      const source = template.replace(/[.*+?^${}()|[\]\\]/g, (c) => (c === '{' || c === '}' ? c : `\\${c}`))
        .replace(/\{([^}]+)\}/g, (_, name) => { names.push(name); return '([^/]+)'; });
      const regex = new RegExp(`^${source}$`);
      for (const method of METHODS) {
        if (item[method]) this.routes.push({ method: method.toUpperCase(), template, regex, operation: item[method] });
      }
    }
  }

  // A "#/components/…" reference inside the document.
  deref(obj) {
    let o = obj;
    for (let i = 0; o && o.$ref && i < 10; i++) {
      const parts = o.$ref.replace(/^#\//, '').split('/');
      o = parts.reduce((acc, p) => acc?.[p.replace(/~1/g, '/').replace(/~0/g, '~')], this.doc);
    }
    return o;
  }

  validator(key, schema) {
    let v = this.validators.get(key);
    if (!v) {
      v = this.ajv.compile(rewriteRefs(schema));
      this.validators.set(key, v);
    }
    return v;
  }

  route(method, pathname) {
    const candidates = this.routes.filter((r) => r.regex.test(pathname));
    if (candidates.length === 0) return { error: `no path of the OpenAPI document matches ${pathname}` };
    // A literal segment beats a template one (/api/keys/x/rotate vs /api/keys/{id}).
    const found = candidates.find((r) => r.method === method);
    if (!found) return { error: `${method} is not an operation of ${candidates[0].template} in the OpenAPI document` };
    return { route: found };
  }

  // Returns a list of problems (empty when the response matches the document).
  // `headers`: a Headers object; `setCookies`: the Set-Cookie values; `text`: the raw body.
  check({ method, pathname, status, headers, setCookies = [], text }) {
    const { route, error } = this.route(method, pathname);
    if (error) return [error];
    const problems = [];
    const where = `${method} ${route.template}`;
    const spec = route.operation.responses?.[String(status)] ?? route.operation.responses?.[`${String(status)[0]}XX`]
      ?? route.operation.responses?.default;
    if (!spec) {
      return [`${where}: status ${status} is not listed (listed: ${Object.keys(route.operation.responses ?? {}).join(', ')})`];
    }
    const response = this.deref(spec);
    for (const [name, headerSpec] of Object.entries(response.headers ?? {})) {
      const h = this.deref(headerSpec);
      const values = name.toLowerCase() === 'set-cookie' ? setCookies : [headers.get(name)].filter((v) => v !== null);
      if (values.length === 0) {
        if (h.required) problems.push(`${where} ${status}: required header ${name} is missing`);
        continue;
      }
      if (h.schema) {
        const v = this.validator(`header:${where}:${status}:${name}`, h.schema);
        if (!values.some((value) => v(value))) {
          problems.push(`${where} ${status}: header ${name} ${JSON.stringify(values)} does not match ${JSON.stringify(h.schema)}`);
        }
      }
    }
    const content = response.content;
    if (!content) {
      if (text.length > 0) problems.push(`${where} ${status}: the document lists no body, got ${JSON.stringify(text.slice(0, 200))}`);
      return problems;
    }
    const type = (headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
    const media = content[type];
    if (!media) {
      problems.push(`${where} ${status}: content-type ${JSON.stringify(type)} is not listed (${Object.keys(content).join(', ')})`);
      return problems;
    }
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      problems.push(`${where} ${status}: the body is not JSON: ${JSON.stringify(text.slice(0, 200))}`);
      return problems;
    }
    if (media.schema) {
      const v = this.validator(`body:${where}:${status}:${type}`, media.schema);
      if (!v(body)) {
        const errs = v.errors.slice(0, 8).map((e) => `${e.instancePath || '(root)'} ${e.message}`
          + `${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`);
        problems.push(`${where} ${status}: the body does not match the schema: ${errs.join('; ')}`);
      }
    }
    return problems;
  }
}

// ---------------------------------------------------------------------------------------------
// The recorder and the fetch wrapper (installed once per test process).

export const checker = new OpenApiChecker();

class ContractViolation extends Error {}

const state = {
  controlBases: new Set(),
  responses: [],   // { seq, method, url, status, headers: [[k, v]], text, control }
  violations: [],
  secrets: new Map(), // value → { kind, what, allowedSeq: Set }
  pending: new Set(),
  seq: 0,
};

export function registerControl(url) {
  state.controlBases.add(url.replace(/\/$/, ''));
}

// kind: 'password' | 'apiKey' | 'token' | 'sid' | 'upstream'. `allowedSeq`: the response that may
// carry it (the one that issued it).
export function addSecret(value, kind, what = kind, allowedSeq = null) {
  if (typeof value !== 'string' || value.length < 8) return;
  let s = state.secrets.get(value);
  if (!s) {
    s = { kind, what, allowedSeq: new Set() };
    state.secrets.set(value, s);
  }
  if (allowedSeq !== null) s.allowedSeq.add(allowedSeq);
}

export function jwtPayload(token) {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
  } catch {
    return null;
  }
}

function addToken(token, allowedSeq, what) {
  addSecret(token, 'token', what, allowedSeq);
  const sid = jwtPayload(token)?.sid;
  if (typeof sid === 'string' && sid.length >= 12) addSecret(sid, 'sid', `${what} (sid)`);
}

export function sessionCookieValue(setCookies) {
  for (const c of setCookies) {
    const m = /^tp_session=([^;]*)/.exec(c);
    if (m && m[1]) return m[1];
  }
  return null;
}

function controlBaseOf(url) {
  for (const base of state.controlBases) {
    if (url === base || url.startsWith(`${base}/`) || url.startsWith(`${base}?`)) return base;
  }
  return null;
}

// Checks and records one control response (from fetch or from a raw socket).
export function recordControl({ method, url, status, headers, setCookies, text, requestBody }) {
  const seq = ++state.seq;
  const u = new URL(url);
  const entries = headers instanceof Headers ? [...headers] : Object.entries(headers);
  const h = headers instanceof Headers ? headers : new Headers(Object.entries(headers)
    .flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, String(v)]])));
  state.responses.push({ seq, method, url, status, headers: entries, text, control: true });

  // Secrets this exchange introduces.
  if (requestBody) {
    try {
      const b = JSON.parse(requestBody);
      if (b && typeof b.password === 'string') addSecret(b.password, 'password', `a password sent to ${u.pathname}`);
    } catch { /* not JSON */ }
  }
  const cookie = sessionCookieValue(setCookies);
  if (cookie) addToken(cookie, null, `session cookie from ${method} ${u.pathname}`);
  let body = null;
  try { body = JSON.parse(text); } catch { /* checked below */ }
  if (body && status < 300) {
    if ((u.pathname === '/api/keys' && method === 'POST') || /^\/api\/keys\/[^/]+\/rotate$/.test(u.pathname)) {
      if (typeof body.secret === 'string') addSecret(body.secret, 'apiKey', `API key issued by ${method} ${u.pathname}`, seq);
    }
    if (['/api/auth/login', '/api/auth/signup'].includes(u.pathname) && typeof body.token === 'string') {
      addToken(body.token, seq, `session token from ${u.pathname}`);
    }
  }

  // The document describes the API; the dashboard's pages and assets are outside it.
  const problems = u.pathname.startsWith('/api/')
    ? checker.check({ method, pathname: u.pathname, status, headers: h, setCookies, text }) : [];
  if (problems.length > 0) {
    const message = `contract violation: ${method} ${u.pathname}${u.search} → ${status}\n  ${problems.join('\n  ')}\n`
      + `  body: ${text.slice(0, 600)}`;
    state.violations.push(message);
    throw new ContractViolation(message);
  }
  return seq;
}

const realFetch = globalThis.fetch;
if (!realFetch.turnpikeWrapped) {
  const wrapped = async function fetchChecked(input, init = {}) {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const method = String(init.method ?? (typeof input === 'object' && input.method ? input.method : 'GET')).toUpperCase();
    const res = await realFetch(input, init);
    if (!controlBaseOf(url)) {
      // Not the control API (the gateway, the fake): record a copy for the secrets scan without
      // holding back the caller (streams stay streams).
      const seq = ++state.seq;
      const copy = res.clone();
      const p = copy.text().catch(() => '').then((text) => {
        state.responses.push({ seq, method, url, status: res.status, headers: [...res.headers], text, control: false });
      });
      state.pending.add(p);
      p.finally(() => state.pending.delete(p));
      return res;
    }
    const text = await res.text();
    recordControl({
      method, url, status: res.status, headers: res.headers, setCookies: res.headers.getSetCookie(), text,
      requestBody: typeof init.body === 'string' ? init.body : null,
    });
    const nullBody = [101, 204, 205, 304].includes(res.status) || method === 'HEAD';
    return new Response(nullBody ? null : text, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
  wrapped.turnpikeWrapped = true;
  globalThis.fetch = wrapped;
}

// ---------------------------------------------------------------------------------------------
// A server per test file.

// Starts the fake and a Turnpike server with a known JWT_SECRET. `rateLimits: false` raises the
// login/sign-up limits (for files that do not test them; the defaults apply otherwise).
// `setup(ctx)` runs after the start, in the same hook (Node 20 runs top-level before() hooks as
// soon as they are registered, without waiting for the previous one).
export function useControl({ env = {}, rateLimits = false, setup = null } = {}) {
  const ctx = { fake: null, tp: null, url: null };
  before(async () => {
    ctx.fake = await startFake({ args: ['--api-key', UPSTREAM_KEY] });
    const extra = rateLimits ? {} : {
      TURNPIKE_LOGIN_PER_IP_PER_MINUTE: '100000', TURNPIKE_LOGIN_PER_EMAIL_PER_MINUTE: '100000',
    };
    ctx.tp = await startTurnpike({ fake: ctx.fake, catalog: TEST_CATALOG, env: { JWT_SECRET, ...extra, ...env } });
    ctx.url = ctx.tp.controlUrl;
    assert.ok(ctx.url, `the server printed its control URL:\n${ctx.tp.output()}`);
    registerControl(ctx.url);
    addSecret(UPSTREAM_KEY, 'upstream', 'the provider key');
    if (ctx.tp.bootstrap) {
      addSecret(ctx.tp.bootstrap.apiKey, 'apiKey', 'the bootstrap API key');
      addSecret(ctx.tp.bootstrap.password, 'password', 'the bootstrap admin password');
    }
    if (setup) await setup(ctx);
  });
  after(async () => {
    if (process.env.TURNPIKE_TEST_LOG && ctx.tp) process.stderr.write(ctx.tp.output());
    await ctx.tp?.stop();
    await ctx.fake?.stop();
  });
  return ctx;
}

// ---------------------------------------------------------------------------------------------
// Calling the control API.

// opts: body (object → JSON; string → sent as is), auth (a session: Bearer), cookie (a session:
// the tp_session cookie), origin (true = the listener's own origin; a string = that origin),
// headers (more headers).
export async function api(ctx, method, route, opts = {}) {
  const headers = { ...(opts.headers ?? {}) };
  let body;
  if (opts.body !== undefined) {
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  }
  const auth = opts.auth;
  if (auth) headers.authorization = `Bearer ${typeof auth === 'string' ? auth : auth.token}`;
  if (opts.cookie) headers.cookie = `tp_session=${typeof opts.cookie === 'string' ? opts.cookie : opts.cookie.cookie}`;
  if (opts.origin) headers.origin = opts.origin === true ? new URL(ctx.url).origin : opts.origin;
  let res;
  try {
    res = await fetch(`${ctx.url}${route}`, { method, headers, body });
  } catch (err) {
    if (err instanceof ContractViolation) throw err;
    const cause = err.cause?.code ?? err.cause?.message ?? '';
    throw new Error(`${method} ${route}: ${err.message} (${cause}); server output tail:\n${ctx.tp.output().slice(-3000)}`,
      { cause: err });
  }
  const text = await res.text();
  let parsed = text;
  try { parsed = text ? JSON.parse(text) : null; } catch { /* left as text */ }
  return { status: res.status, headers: res.headers, body: parsed, text, setCookies: res.headers.getSetCookie() };
}

// A raw request (for bodies fetch cannot send well), checked and recorded like fetch.
export async function rawApi(ctx, method, route, { headers = {}, body = '' } = {}) {
  const url = `${ctx.url}${route}`;
  const r = await rawRequest(url, { method, headers, body });
  const setCookies = [].concat(r.headers['set-cookie'] ?? []);
  const plain = { ...r.headers };
  delete plain['set-cookie'];
  recordControl({ method, url, status: r.status, headers: plain, setCookies, text: r.text, requestBody: null });
  let parsed = r.text;
  try { parsed = JSON.parse(r.text); } catch { /* text */ }
  return { status: r.status, headers: new Headers(Object.entries(plain).map(([k, v]) => [k, String(v)])), body: parsed, text: r.text };
}

function fmt(r) {
  return `${r.status} ${typeof r.body === 'string' ? r.body.slice(0, 500) : JSON.stringify(r.body)?.slice(0, 500)}`;
}

export function expectStatus(r, status, what = '') {
  const allowed = [].concat(status);
  assert.ok(allowed.includes(r.status), `${what}: expected ${allowed.join(' or ')}, got ${fmt(r)}`);
  return r;
}

// The error shape (the checker already validated it against the document); returns the error.
export function expectError(r, status, what = '') {
  expectStatus(r, status, what);
  assert.ok(r.body && typeof r.body === 'object' && r.body.error, `${what}: an error body, got ${fmt(r)}`);
  assert.equal(r.body.error.code, r.status, `${what}: error.code is the status`);
  assert.ok(r.headers.get('x-request-id'), `${what}: x-request-id`);
  return r.body.error;
}

// Sign-up through the API: { email, password, user, token, cookie } (token = cookie value).
export async function signup(ctx, { email = freshEmail(), password = freshPassword() } = {}) {
  const r = await api(ctx, 'POST', '/api/auth/signup', { body: { email, password } });
  expectStatus(r, 201, `sign-up of ${email}`);
  const cookie = sessionCookieValue(r.setCookies);
  assert.ok(cookie, `sign-up sets the tp_session cookie: ${JSON.stringify(r.setCookies)}`);
  return { email, password, user: r.body.user, token: cookie, cookie };
}

// Login through the API: { email, password, user, token (from the body), cookie (from Set-Cookie) }.
export async function login(ctx, email, password) {
  const r = await api(ctx, 'POST', '/api/auth/login', { body: { email, password } });
  expectStatus(r, 200, `login of ${email}`);
  const cookie = sessionCookieValue(r.setCookies);
  assert.ok(cookie, `login sets the tp_session cookie: ${JSON.stringify(r.setCookies)}`);
  return { email, password, user: r.body.user, token: r.body.token, cookie, expires_at: r.body.expires_at };
}

export function adminLogin(ctx) {
  const b = ctx.tp.bootstrap;
  assert.ok(b, `the server printed a bootstrap admin:\n${ctx.tp.output()}`);
  return login(ctx, b.email, b.password);
}

// A user made through the CLI (no rate limit spent), then signed in through the API.
export async function cliUser(ctx, { credits, admin = false } = {}) {
  const email = freshEmail(admin ? 'admin' : 'cli');
  const password = freshPassword();
  addSecret(password, 'password', `password of ${email}`);
  const id = await ctx.tp.createUser({ email, password, credits, admin });
  return { email, password, id };
}

// Everything a user can read about their own account, for "nothing changed" checks.
export async function snapshot(ctx, session) {
  const me = expectStatus(await api(ctx, 'GET', '/api/me', { auth: session }), 200, 'GET /api/me');
  const keys = expectStatus(await api(ctx, 'GET', '/api/keys', { auth: session }), 200, 'GET /api/keys');
  const tx = expectStatus(await api(ctx, 'GET', '/api/credits/transactions?limit=100', { auth: session }), 200,
    'GET /api/credits/transactions');
  return { me: me.body, keys: keys.body.keys, transactions: tx.body.transactions };
}

// ---------------------------------------------------------------------------------------------
// Sessions by hand (JWT HS256).

const b64 = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

export function signJwt(header, payload, secret = JWT_SECRET) {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${crypto.createHmac('sha256', secret).update(input).digest('base64url')}`;
}

export function jwtHeader(token) {
  return JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'));
}

// The same token with one character of the signature changed (never to an equivalent one:
// the last base64url character may carry padding bits, so change one in the middle).
export function tamperSignature(token) {
  const [h, p, s] = token.split('.');
  const i = Math.floor(s.length / 2);
  const c = s[i] === 'A' ? 'B' : 'A';
  return `${h}.${p}.${s.slice(0, i)}${c}${s.slice(i + 1)}`;
}

// ---------------------------------------------------------------------------------------------
// The secrets scan: the last test of every file.

// The secrets found in `text` that may not be there. `seq`: the response it comes from (the one
// that issued a secret may carry it); `inSetCookie`: a Set-Cookie header (session tokens may be there).
export function scanText(text, { seq = null, where, inSetCookie = false }) {
  const found = [];
  for (const [value, s] of state.secrets) {
    if (!text.includes(value)) continue;
    if (seq !== null && s.allowedSeq.has(seq) && !inSetCookie) continue;
    if (inSetCookie && (s.kind === 'token')) continue;
    found.push(`${s.what} (${s.kind}) appears in ${where}`);
  }
  return found;
}

export function secretsTest(ctx) {
  test('no secret in any response body or header, nor in the server output; no contract violation', async () => {
    await Promise.all([...state.pending]);
    const found = [];
    for (const r of state.responses) {
      const where = `${r.method} ${r.url} → ${r.status}`;
      found.push(...scanText(r.text, { seq: r.seq, where: `the body of ${where}` }));
      for (const [k, v] of r.headers) {
        found.push(...scanText(v, { where: `header ${k} of ${where}`, inSetCookie: k.toLowerCase() === 'set-cookie' }));
      }
    }
    // The first start prints the bootstrap admin's password and key once, on purpose.
    const output = ctx.tp.output().split('\n').filter((l) => !/admin password:|api key: sk-tp-/.test(l)).join('\n');
    found.push(...scanText(output, { where: 'the server output' }));
    const kinds = {};
    for (const s of state.secrets.values()) kinds[s.kind] = (kinds[s.kind] ?? 0) + 1;
    console.log(`secrets scan: ${state.responses.length} responses and ${output.length} bytes of server output `
      + `searched for ${JSON.stringify(kinds)}`);
    assert.deepEqual([...new Set(found)], [], 'secrets leaked');
    assert.deepEqual(state.violations, [], 'responses that broke the OpenAPI document');
  });
}

export { sleep };
