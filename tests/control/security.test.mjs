// Sessions and request hygiene: the cookie's attributes, the JWT (HS256 over JWT_SECRET, exp,
// sid); tampered, alg "none", expired, wrongly signed and revoked tokens → 401 and nothing
// changes; logout then reuse → 401; mutating requests from a foreign Origin (or by cookie without
// Origin) → 403; login rate limits (5/minute per email, 20/minute per IP) → 429 with retry-after.
// Runs with the default rate limits, so the number of logins here is counted: keep it small, and
// keep the rate-limit tests last.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  JWT_SECRET, api, cliUser, expectError, expectStatus, freshEmail, freshPassword, jwtHeader, jwtPayload, login,
  secretsTest, signJwt, snapshot, tamperSignature, useControl,
} from './helpers.mjs';

const S = {};
const ctx = useControl({
  rateLimits: true,
  async setup() {
    const u = await cliUser(ctx, { credits: '2' });
    S.U = { ...(await login(ctx, u.email, u.password)), id: u.id };
    expectStatus(await api(ctx, 'POST', '/api/keys', { auth: S.U, body: { name: 'existing' } }), 201, 'create key');
  },
});

const FOREIGN = 'http://evil.example';

// Signs the token's own header and payload segments again with `secret`.
function resign(token, secret) {
  const [h, p] = token.split('.');
  return signJwt(JSON.parse(Buffer.from(h, 'base64url')), JSON.parse(Buffer.from(p, 'base64url')), secret);
}

test('the session: an HttpOnly SameSite=Strict cookie for Path=/, an HS256 JWT naming a session, 7 days', () => {
  const { token, cookie, expires_at: expiresAt } = S.U;
  assert.ok(token && cookie, 'a token in the body and a cookie');
  const header = jwtHeader(token);
  assert.equal(header.alg, 'HS256');
  const payload = jwtPayload(token);
  assert.ok(payload.sid, `the JWT names a session (sid): ${JSON.stringify(payload)}`);
  assert.equal(typeof payload.exp, 'number');
  const sevenDays = 7 * 24 * 3600;
  assert.ok(Math.abs(payload.exp - (Date.now() / 1000 + sevenDays)) < 120, `exp is 7 days ahead: ${payload.exp}`);
  assert.ok(Math.abs(Date.parse(expiresAt) / 1000 - payload.exp) <= 1, `expires_at ${expiresAt} is the JWT's exp`);
});

test('Set-Cookie attributes on login', async () => {
  // One more login (counted against the limits below).
  const res = await api(ctx, 'POST', '/api/auth/login', { body: { email: S.U.email, password: S.U.password } });
  expectStatus(res, 200, 'login');
  const c = res.setCookies.find((x) => x.startsWith('tp_session='));
  assert.ok(c, JSON.stringify(res.setCookies));
  const attrs = c.split(';').slice(1).map((a) => a.trim().toLowerCase());
  assert.ok(attrs.includes('httponly'), `HttpOnly: ${c}`);
  assert.ok(attrs.includes('samesite=strict'), `SameSite=Strict: ${c}`);
  assert.ok(attrs.includes('path=/'), `Path=/: ${c}`);
  assert.ok(!attrs.includes('secure'), 'not Secure unless configured (the listener is plain HTTP here)');
  const maxAge = attrs.find((a) => a.startsWith('max-age='));
  const expires = attrs.find((a) => a.startsWith('expires='));
  assert.ok(maxAge || expires, 'the cookie lasts as long as the session');
  if (maxAge) assert.ok(Math.abs(Number(maxAge.slice(8)) - 7 * 24 * 3600) < 120, maxAge);
  S.second = { token: res.body.token, cookie: c.slice('tp_session='.length).split(';')[0] };
  assert.equal(resign(S.U.token, JWT_SECRET), S.U.token, 'the JWT is HS256 over JWT_SECRET (the forgeries below are real ones)');
});

test('the session works as a cookie and as a bearer token', async () => {
  expectStatus(await api(ctx, 'GET', '/api/me', { cookie: S.U.cookie }), 200, 'cookie');
  expectStatus(await api(ctx, 'GET', '/api/me', { auth: S.U.token }), 200, 'bearer');
});

test('tampered, forged, expired and alg "none" tokens → 401, as bearer and as cookie, and change nothing', async () => {
  const before = await snapshot(ctx, S.U);
  const t = S.U.token;
  const [h, p] = t.split('.');
  const payload = jwtPayload(t);
  const header = jwtHeader(t);
  const none = (pl) => `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(pl)).toString('base64url')}.`;
  const forged = {
    'one character of the signature flipped': tamperSignature(t),
    'signature removed': `${h}.${p}.`,
    'alg "none", no signature': none(payload),
    'alg "none", the old signature kept': `${none(payload).slice(0, -1)}.${t.split('.')[2]}`,
    'alg "None"': `${Buffer.from(JSON.stringify({ alg: 'None', typ: 'JWT' })).toString('base64url')}.${p}.`,
    'alg "HS512" header, HS256 signature': signJwt({ ...header, alg: 'HS512' }, payload),
    'signed with another secret': signJwt(header, payload, `${JWT_SECRET}-not`),
    'expired (exp an hour ago), correctly signed': signJwt(header, { ...payload, exp: Math.floor(Date.now() / 1000) - 3600 }),
    'a session id that does not exist, correctly signed': signJwt(header, { ...payload, sid: `${payload.sid}`.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')) }),
    'the payload changed (exp later), old signature': `${h}.${Buffer.from(JSON.stringify({ ...payload, exp: payload.exp + 3600 })).toString('base64url')}.${t.split('.')[2]}`,
    'garbage': 'not-a-jwt',
    'two segments': `${h}.${p}`,
    'empty': '',
  };
  const failures = [];
  for (const [what, token] of Object.entries(forged)) {
    for (const how of ['bearer', 'cookie']) {
      const opts = how === 'bearer' ? { auth: token } : { cookie: token };
      if (how === 'bearer' && token === '') opts.headers = { authorization: 'Bearer ' };
      try {
        expectError(await api(ctx, 'GET', '/api/me', opts), 401, `${what} (${how}) GET /api/me`);
        expectError(await api(ctx, 'POST', '/api/keys', { ...opts, origin: true, body: { name: 'forged' } }), 401, `${what} (${how}) POST /api/keys`);
        expectError(await api(ctx, 'POST', '/api/credits/checkout', { ...opts, origin: true, body: { amount_usd: '5.00' } }), 401,
          `${what} (${how}) POST /api/credits/checkout`);
      } catch (e) {
        failures.push(e.message.split('\n')[0]);
      }
    }
  }
  assert.deepEqual(failures, []);
  assert.deepEqual(await snapshot(ctx, S.U), before, 'nothing changed');
});

test('logout then reuse → 401 (bearer and cookie); another session of the same user lives on', async () => {
  expectStatus(await api(ctx, 'POST', '/api/auth/logout', { auth: S.second.token }), 204, 'logout by bearer');
  expectError(await api(ctx, 'GET', '/api/me', { auth: S.second.token }), 401, 'reuse as bearer');
  expectError(await api(ctx, 'GET', '/api/me', { cookie: S.second.token }), 401, 'reuse as cookie');
  expectError(await api(ctx, 'POST', '/api/keys', { auth: S.second.token, body: { name: 'after logout' } }), 401, 'mutate after logout');
  expectStatus(await api(ctx, 'POST', '/api/auth/logout', { auth: S.second.token }), [204, 401], 'logout twice');
  if (S.second.cookie !== S.second.token) {
    expectError(await api(ctx, 'GET', '/api/me', { cookie: S.second.cookie }), 401, 'the cookie of the same session');
  }
  expectStatus(await api(ctx, 'GET', '/api/me', { auth: S.U.token }), 200, 'the first session still works');
});

test('logout by cookie (with its own Origin) revokes the session', async () => {
  const third = await login(ctx, S.U.email, S.U.password);
  const out = await api(ctx, 'POST', '/api/auth/logout', { cookie: third.cookie, origin: true });
  expectStatus(out, 204, 'logout by cookie');
  expectError(await api(ctx, 'GET', '/api/me', { cookie: third.cookie }), 401, 'the cookie after logout');
  const cleared = out.setCookies.find((c) => c.startsWith('tp_session='));
  if (cleared) assert.match(cleared, /tp_session=;|max-age=0|expires=thu, 01 jan 1970/i, `logout clears the cookie: ${cleared}`);
});

test('Origin: foreign → 403 on every mutating route; cookie without Origin → 403; own Origin or bearer without Origin → allowed', async () => {
  const before = await snapshot(ctx, S.U);
  const keyId = before.keys[0]?.id ?? 1;
  const mutations = [
    ['POST', '/api/keys', { name: 'x' }],
    ['PATCH', `/api/keys/${keyId}`, { name: 'x' }],
    ['DELETE', `/api/keys/${keyId}`, undefined],
    ['POST', `/api/keys/${keyId}/rotate`, undefined],
    ['POST', '/api/credits/checkout', { amount_usd: '5.00' }],
    ['PATCH', `/api/admin/users/${S.U.id}`, { is_admin: true }],
    ['POST', `/api/admin/users/${S.U.id}/credits`, { amount_usd: '1', note: 'x' }],
    ['POST', '/api/auth/logout', undefined],
  ];
  const failures = [];
  for (const [method, route, body] of mutations) {
    for (const [what, opts] of [
      ['bearer + foreign Origin', { auth: S.U, origin: FOREIGN }],
      ['cookie + foreign Origin', { cookie: S.U, origin: FOREIGN }],
      ['cookie + Origin "null"', { cookie: S.U, origin: 'null' }],
      ['cookie without Origin', { cookie: S.U }],
      ['bearer + the same host on another port', { auth: S.U, origin: `http://127.0.0.1:${Number(new URL(ctx.url).port) === 1 ? 2 : 1}` }],
    ]) {
      try {
        expectError(await api(ctx, method, route, { ...opts, body }), 403, `${method} ${route} with ${what}`);
      } catch (e) {
        failures.push(e.message.split('\n')[0]);
      }
    }
  }
  for (const route of ['/api/auth/login', '/api/auth/signup']) {
    try {
      expectError(await api(ctx, 'POST', route, { origin: FOREIGN, body: { email: freshEmail('origin'), password: freshPassword() } }), 403,
        `POST ${route} with a foreign Origin`);
    } catch (e) {
      failures.push(e.message.split('\n')[0]);
    }
  }
  assert.deepEqual(failures, []);
  assert.deepEqual(await snapshot(ctx, S.U), before, 'nothing changed');
  expectStatus(await api(ctx, 'GET', '/api/me', { cookie: S.U, origin: FOREIGN }), 200, 'reads are not mutations');
  expectStatus(await api(ctx, 'POST', '/api/keys', { cookie: S.U, origin: true, body: { name: 'by-cookie' } }), 201, 'cookie + own Origin');
  expectStatus(await api(ctx, 'POST', '/api/keys', { auth: S.U, body: { name: 'by-bearer' } }), 201, 'bearer without Origin (a script)');
  expectStatus(await api(ctx, 'POST', '/api/keys', { auth: S.U, origin: true, body: { name: 'by-bearer-own' } }), 201, 'bearer + own Origin');
});

// The limits are per minute: everything below must run within the minute of its first attempt.
test('login per email: the 6th attempt within a minute → 429 with retry-after, even with the right password', async () => {
  const v = await cliUser(ctx);
  let r;
  // Two rounds at most: a per-minute window may roll over between the 5th and 6th attempt.
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 5; i++) {
      r = await api(ctx, 'POST', '/api/auth/login', { body: { email: v.email, password: `${v.password}-wrong-${round}${i}` } });
      if (round === 0) expectError(r, 401, `wrong password ${i + 1}`);
    }
    r = await api(ctx, 'POST', '/api/auth/login', { body: { email: v.email, password: v.password } });
    if (r.status === 429) break;
    console.log(`round ${round}: the 6th attempt got ${r.status}; trying once more`);
  }
  expectError(r, 429, 'the 6th attempt');
  const retry = Number(r.headers.get('retry-after'));
  assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 60, `retry-after in seconds: ${r.headers.get('retry-after')}`);
  assert.equal(r.setCookies.length, 0, 'no session on a 429');
});

test('login and sign-up per IP: at most 20 a minute, then 429 with retry-after for any email', async () => {
  // Attempts so far in this file (setup, cookie test, logout test, origin tests, per-email test)
  // count too, so the 429 must come within 20 more attempts.
  // (41: a per-minute window may roll over once during the loop.)
  let attempts = 0;
  let limited = null;
  while (attempts < 41) {
    attempts++;
    const r = await api(ctx, 'POST', '/api/auth/login', { body: { email: freshEmail('ip'), password: freshPassword() } });
    if (r.status === 429) { limited = r; break; }
    expectError(r, 401, `attempt ${attempts}`);
  }
  assert.ok(limited, `no 429 after ${attempts} more attempts`);
  console.log(`per-IP limit reached after ${attempts} more attempts`);
  const retry = Number(limited.headers.get('retry-after'));
  assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 60, `retry-after: ${limited.headers.get('retry-after')}`);
  expectError(await api(ctx, 'POST', '/api/auth/signup', { body: { email: freshEmail('ip'), password: freshPassword() } }), 429,
    'sign-up shares the per-IP limit');
  expectError(await api(ctx, 'POST', '/api/auth/login', { body: { email: S.U.email, password: S.U.password } }), 429,
    'a good login from the same address is limited too');
  expectStatus(await api(ctx, 'GET', '/api/me', { auth: S.U.token }), 200, 'signed-in requests are not limited');
});

secretsTest(ctx);
