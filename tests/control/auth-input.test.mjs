// Sign-up and login with bad input: wrong JSON types, missing fields, huge values, password length
// bounds, duplicate emails; wrong credentials never say which part was wrong; a disabled user
// cannot sign in and their keys stop working. Nothing is created by a refused sign-up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chatJson, eventually, userMessage } from '../lib/gateway.mjs';
import {
  adminLogin, api, cliUser, expectError, expectStatus, freshEmail, freshPassword, login, secretsTest, signup, useControl,
} from './helpers.mjs';

const S = {};
const ctx = useControl({
  async setup() {
    S.admin = await adminLogin(ctx);
  },
});

// Different letters, so that no secret is a substring of another value the server may echo.
const BIG_PASSWORD = 'p'.repeat(20 * 1024);
const BIG_EMAIL = `${'e'.repeat(20 * 1024)}@example.test`;

async function userCount() {
  const r = expectStatus(await api(ctx, 'GET', '/api/admin/users?limit=200', { auth: S.admin }), 200, 'list users');
  return r.body.users.length;
}

async function run(route, list) {
  const failures = [];
  for (const [what, body, statuses, field] of list) {
    try {
      const r = await api(ctx, 'POST', route, { body });
      const err = expectError(r, statuses, what);
      if (field && r.status === 400) {
        assert.ok(err.message.includes(field) || err.param === field, `${what}: the message names ${field}: ${JSON.stringify(err)}`);
      }
      assert.equal(r.setCookies.length, 0, `${what}: no cookie on a refusal`);
    } catch (e) {
      failures.push(e.message.split('\n').slice(0, 3).join(' | '));
    }
  }
  assert.deepEqual(failures, [], `${route}: bad requests answered badly`);
}

const notObjects = [
  ['not JSON', '{"email":', 400],
  ['an empty body', '', 400],
  ['a JSON array', '[]', 400],
  ['JSON null', 'null', 400],
];

test('POST /api/auth/signup: bad bodies create nobody', async () => {
  const before = await userCount();
  const taken = freshEmail('taken');
  await signup(ctx, { email: taken });
  await run('/api/auth/signup', [
    ...notObjects,
    ['email missing', { password: freshPassword() }, 400, 'email'],
    ['password missing', { email: freshEmail() }, 400, 'password'],
    ['email a number', { email: 5, password: freshPassword() }, 400, 'email'],
    ['email null', { email: null, password: freshPassword() }, 400, 'email'],
    ['password a number', { email: freshEmail(), password: 12345678 }, 400, 'password'],
    ['password an array', { email: freshEmail(), password: ['abcdefghij'] }, 400, 'password'],
    ['password of 7 characters', { email: freshEmail(), password: 'Zq3!x9w' }, 400, 'password'],
    ['password of 257 characters', { email: freshEmail(), password: 'p'.repeat(257) }, 400, 'password'],
    ['password of 20 KB', { email: freshEmail(), password: BIG_PASSWORD }, [400, 413], 'password'],
    ['email without @', { email: 'not-an-email', password: freshPassword() }, 400, 'email'],
    ['email empty', { email: '', password: freshPassword() }, 400, 'email'],
    ['email of 20 KB', { email: BIG_EMAIL, password: freshPassword() }, [400, 413], 'email'],
    ['a taken email', { email: taken, password: freshPassword() }, 409],
    ['a taken email in other case', { email: taken.toUpperCase(), password: freshPassword() }, 409],
  ]);
  assert.equal(await userCount(), before + 1, 'only the one good sign-up created a user');
  const dup = await api(ctx, 'POST', '/api/auth/signup', { body: { email: taken, password: freshPassword() } });
  assert.ok(!dup.body.error.message.includes(taken), 'the 409 message is generic (does not echo the email)');
});

test('POST /api/auth/signup: password length bounds are 8 and 256', async () => {
  const eight = await signup(ctx, { password: 'Zq3!x9wK' });
  assert.equal(eight.user.email, eight.email);
  const long = await signup(ctx, { password: `${freshPassword()}${'q'.repeat(256)}`.slice(0, 256) });
  const again = await login(ctx, long.email, long.password);
  assert.equal(again.user.id, long.user.id, 'a 256-character password works for login');
  const upper = freshEmail('MiXeD').replace('mixed', 'MiXeD');
  const r = expectStatus(await api(ctx, 'POST', '/api/auth/signup', { body: { email: upper, password: freshPassword() } }), 201);
  assert.equal(r.body.user.email, upper.toLowerCase(), 'emails are stored lower-cased');
  assert.equal(r.body.user.is_admin, false, 'sign-up never makes an admin');
});

test('POST /api/auth/login: bad bodies, and wrong credentials never say which part was wrong', async () => {
  const u = await cliUser(ctx);
  await run('/api/auth/login', [
    ...notObjects,
    ['password missing', { email: u.email }, 400, 'password'],
    ['email missing', { password: u.password }, 400, 'email'],
    ['email a number', { email: 5, password: u.password }, 400, 'email'],
    ['password a number', { email: u.email, password: 12345678 }, 400, 'password'],
    ['password of 20 KB', { email: u.email, password: BIG_PASSWORD }, [400, 401, 413]],
    ['email of 20 KB', { email: BIG_EMAIL, password: u.password }, [400, 401, 413]],
  ]);
  const wrongPassword = await api(ctx, 'POST', '/api/auth/login', { body: { email: u.email, password: `${u.password}x` } });
  const unknownEmail = await api(ctx, 'POST', '/api/auth/login', { body: { email: freshEmail('nobody'), password: u.password } });
  const e1 = expectError(wrongPassword, 401, 'wrong password');
  const e2 = expectError(unknownEmail, 401, 'unknown email');
  assert.equal(e1.message, 'Invalid email or password');
  assert.deepEqual(e2, e1, 'the same answer for an unknown email and a wrong password');
  const ok = await login(ctx, u.email.toUpperCase(), u.password);
  assert.equal(ok.user.email, u.email, 'login matches the email case-insensitively');
});

test('a disabled user cannot sign in (the same 401), and their keys stop working', async () => {
  const u = await cliUser(ctx, { credits: '1' });
  const session = await login(ctx, u.email, u.password);
  const key = expectStatus(await api(ctx, 'POST', '/api/keys', { auth: session, body: { name: 'k' } }), 201).body.secret;
  assert.equal((await chatJson(ctx.tp, key, userMessage('before'))).status, 200);

  const r = expectStatus(await api(ctx, 'PATCH', `/api/admin/users/${u.id}`, { auth: S.admin, body: { disabled: true } }), 200);
  assert.equal(r.body.user.disabled, true);
  const refused = await api(ctx, 'POST', '/api/auth/login', { body: { email: u.email, password: u.password } });
  assert.equal(expectError(refused, 401, 'disabled user').message, 'Invalid email or password');
  await eventually(async () => [401, 403].includes((await chatJson(ctx.tp, key, userMessage('after'))).status),
    { timeout: 1_500, what: 'the disabled user\'s key is refused at the gateway within 1.5 s' });

  expectStatus(await api(ctx, 'PATCH', `/api/admin/users/${u.id}`, { auth: S.admin, body: { disabled: false } }), 200);
  await login(ctx, u.email, u.password);
  await eventually(async () => (await chatJson(ctx.tp, key, userMessage('again'))).status === 200,
    { timeout: 1_500, what: 'the re-enabled user\'s key works again' });
});

secretsTest(ctx);
