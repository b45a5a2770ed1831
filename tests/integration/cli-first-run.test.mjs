// The two ways back in after the first start (README "Quick start"), whose printed admin
// password and API key are shown only once:
//   `turnpike user set-password --email E --password-stdin` sets a new password, hashed as the
//   control plane hashes them (sign-in with it works, the old one fails), and signs out every
//   dashboard session of that user (their tokens answer 401), and nobody else's;
//   `turnpike key create --email E --name N` prints a fresh key that calls models at once.
// Both run against a running server, as a user who lost the first start's output would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from '../lib/setup.mjs';
import { chatJson, userMessage } from '../lib/gateway.mjs';

const ctx = useServer();

async function control(method, route, body, token) {
  const res = await fetch(`${ctx.tp.controlUrl}${route}`, {
    method,
    headers: {
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

const login = (email, password) => control('POST', '/api/auth/login', { email, password });

test('the first start printed an admin login that works', async () => {
  const admin = ctx.tp.bootstrap;
  assert.ok(admin, 'the first start printed the admin email, password and key');
  const r = await login(admin.email, admin.password);
  assert.equal(r.status, 200, JSON.stringify(r.body));
});

test('user set-password --password-stdin: the new password signs in, the old one fails, the user\'s sessions end', { timeout: 30_000 }, async () => {
  const { tp } = ctx;
  const admin = tp.bootstrap;
  // Two sessions of the admin (two browsers) and one of another user.
  const s1 = await login(admin.email, admin.password);
  const s2 = await login(admin.email, admin.password);
  assert.equal(s1.status, 200);
  assert.equal(s2.status, 200);
  const other = 'bystander@example.test';
  await tp.createUser({ email: other, password: 'bystander-pass-1' });
  const s3 = await login(other, 'bystander-pass-1');
  assert.equal(s3.status, 200);
  assert.equal((await control('GET', '/api/me', null, s1.body.token)).status, 200);

  const fresh = 'a-new-admin-password-42';
  const r = await tp.cli(['user', 'set-password', '--email', admin.email.toUpperCase(), '--password-stdin'],
    { input: `${fresh}\n` });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.includes(`password changed for ${admin.email}`), r.stdout);
  assert.ok(!r.stdout.includes(fresh) && !r.stderr.includes(fresh), 'the password is never printed');

  assert.equal((await control('GET', '/api/me', null, s1.body.token)).status, 401, 'session 1 ended');
  assert.equal((await control('GET', '/api/me', null, s2.body.token)).status, 401, 'session 2 ended');
  assert.equal((await control('GET', '/api/me', null, s3.body.token)).status, 200, 'another user\'s session lives');

  assert.equal((await login(admin.email, admin.password)).status, 401, 'the old password no longer signs in');
  const again = await login(admin.email, fresh);
  assert.equal(again.status, 200, JSON.stringify(again.body));
  const me = await control('GET', '/api/me', null, again.body.token);
  assert.equal(me.status, 200);
  assert.equal(me.body.user.email, admin.email);
  assert.equal(me.body.user.is_admin, true, 'still an admin');
  // A line ending from Windows (\r\n) is not part of the password.
  const crlf = await tp.cli(['user', 'set-password', '--email', other, '--password-stdin'], { input: 'crlf-password-7\r\n' });
  assert.equal(crlf.code, 0, crlf.stderr);
  assert.equal((await login(other, 'crlf-password-7')).status, 200);
});

test('user set-password refuses what it cannot set, and changes nothing', { timeout: 30_000 }, async () => {
  const { tp } = ctx;
  const email = 'refusals@example.test';
  await tp.createUser({ email, password: 'original-pass-1' });
  const cases = [
    { args: ['--email', email, '--password-stdin'], input: 'short\n', stderr: /8 to 256 characters/ },
    { args: ['--email', email, '--password-stdin'], input: '', stderr: /no password on standard input/ },
    { args: ['--email', 'nobody@example.test', '--password-stdin'], input: 'long-enough-pass\n', stderr: /no user with email/ },
    // Without --password-stdin it prompts, which needs a terminal: a pipe is refused, not read.
    { args: ['--email', email], input: 'long-enough-pass\n', stderr: /not a terminal.*--password-stdin/ },
  ];
  for (const c of cases) {
    const r = await tp.cli(['user', 'set-password', ...c.args], { input: c.input });
    assert.notEqual(r.code, 0, `${c.args.join(' ')} with ${JSON.stringify(c.input)} was refused`);
    assert.match(r.stderr, c.stderr);
  }
  // No --password option: a password is never an argument.
  const arg = await tp.cli(['user', 'set-password', '--email', email, '--password', 'long-enough-pass']);
  assert.notEqual(arg.code, 0);
  assert.equal((await login(email, 'original-pass-1')).status, 200, 'the password is unchanged');
});

test('key create --email <admin>: a fresh key for the admin, printed once, works at once', { timeout: 30_000 }, async () => {
  const { tp } = ctx;
  const admin = tp.bootstrap;
  const r = await tp.cli(['key', 'create', '--email', admin.email, '--name', 'laptop']);
  assert.equal(r.code, 0, r.stderr);
  const key = r.stdout.trim();
  assert.match(key, /^sk-tp-v1-\S+$/, 'stdout is the key alone, ready for $(…)');
  assert.match(r.stderr, /shown only now/);
  assert.notEqual(key, admin.apiKey);
  const answer = await chatJson(tp, key, userMessage('a fresh admin key'));
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.ok(answer.body.usage.cost > 0, 'billed to the admin\'s starting credit');
  const list = await tp.cli(['key', 'list', '--email', admin.email]);
  const names = list.stdout.trim().split('\n').map((l) => JSON.parse(l).name);
  assert.deepEqual(names.sort(), ['default', 'laptop']);
});
