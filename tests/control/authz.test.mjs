// The authorization matrix: every route of docs/control-api.md, called as anonymous, user A,
// user B and the admin (the bootstrap user). B and the admin asking for A's resources get 404
// (never data, and nothing changes); non-admins on admin routes get 403; anonymous gets 401
// everywhere but the public routes. Every response is also checked against the OpenAPI document
// by helpers.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chatJson, eventually, userMessage } from '../lib/gateway.mjs';
import {
  adminLogin, api, cliUser, expectStatus, freshEmail, freshPassword, loadDocument, login, secretsTest,
  useControl,
} from './helpers.mjs';

const S = {}; // sessions and resources, filled in by setup()
const ctx = useControl({ setup });

async function setup() {
  S.admin = await adminLogin(ctx);
  const a = await cliUser(ctx, { credits: '5' });
  const b = await cliUser(ctx, { credits: '7' });
  S.A = { ...(await login(ctx, a.email, a.password)), id: a.id };
  S.B = { ...(await login(ctx, b.email, b.password)), id: b.id };
  S.C = await cliUser(ctx); // logs in from every identity in the login row

  const mk = async (session, name) => {
    const r = expectStatus(await api(ctx, 'POST', '/api/keys', { auth: session, body: { name } }), 201, `create key ${name}`);
    return { ...r.body.key, secret: r.body.secret };
  };
  S.aKey = await mk(S.A, `a-main-${Date.now()}`);
  S.aKey2 = await mk(S.A, 'a-rotate-me');
  S.aKey3 = await mk(S.A, 'a-delete-me');
  S.bKey = await mk(S.B, 'b-main');
  const call = await chatJson(ctx.tp, S.aKey.secret, userMessage('a request of A for the log'));
  assert.equal(call.status, 200, `A's key works at the gateway: ${JSON.stringify(call.body)}`);
  S.aLog = await eventually(async () => {
    const r = await api(ctx, 'GET', '/api/logs', { auth: S.A });
    return r.status === 200 && r.body.logs[0];
  }, { timeout: 5_000, what: 'A\'s request in GET /api/logs' });
  // What B or the admin must never be shown about A (ids are left out: the asker sent them).
  S.aMarkers = [S.A.email, S.aKey.name, S.aKey.prefix, S.aKey.secret, S.aLog.model === 'openai/gpt-4o-mini' ? null : S.aLog.model]
    .filter(Boolean);
}

const IDS = ['anon', 'A', 'B', 'admin'];
const session = (id) => (id === 'anon' ? undefined : S[id]);

// Runs `call(id, session)` for every identity and checks each result with expect[id] (a status,
// a list of statuses, or a function that throws). Reports the whole row at once.
async function row(call, expect) {
  const failures = [];
  for (const id of IDS) {
    if (!(id in expect)) continue;
    let r;
    try {
      r = await call(id, session(id));
      const e = expect[id];
      if (typeof e === 'function') await e(r);
      else expectStatus(r, e, id);
      if (r.status >= 400) {
        for (const m of S.aMarkers ?? []) {
          if (id !== 'A' && r.text.includes(m)) failures.push(`${id}: the ${r.status} answer shows A's data ${JSON.stringify(m)}`);
        }
      }
    } catch (err) {
      failures.push(`${id}: ${err.message.split('\n')[0]}`);
    }
  }
  assert.deepEqual(failures, [], 'authorization matrix row');
}

const is = (status, more = () => {}) => async (r) => {
  expectStatus(r, status);
  await more(r.body);
};

test('GET /api/me', () => row((id, s) => api(ctx, 'GET', '/api/me', { auth: s }), {
  anon: 401,
  A: is(200, (b) => assert.equal(b.user.email, S.A.email)),
  B: is(200, (b) => assert.equal(b.user.email, S.B.email)),
  admin: is(200, (b) => { assert.equal(b.user.email, ctx.tp.bootstrap.email); assert.equal(b.user.is_admin, true); }),
}));

test('GET /api/keys: each sees only their own', () => row((id, s) => api(ctx, 'GET', '/api/keys', { auth: s }), {
  anon: 401,
  A: is(200, (b) => assert.deepEqual(b.keys.map((k) => k.id).sort(), [S.aKey.id, S.aKey2.id, S.aKey3.id].sort())),
  B: is(200, (b) => assert.deepEqual(b.keys.map((k) => k.id), [S.bKey.id])),
  admin: is(200, (b) => assert.ok(!b.keys.some((k) => [S.aKey.id, S.bKey.id].includes(k.id)), 'no other user\'s key')),
}));

test('POST /api/keys', () => row((id, s) => api(ctx, 'POST', '/api/keys', { auth: s, body: { name: `by-${id}` } }), {
  anon: 401, A: 201, B: 201, admin: 201,
}));

test('PATCH /api/keys/{id} of A\'s key', async () => {
  await row((id, s) => api(ctx, 'PATCH', `/api/keys/${S.aKey.id}`, { auth: s, body: { name: `renamed-by-${id}`, disabled: true } }), {
    anon: 401, B: 404, admin: 404,
  });
  const mine = (await api(ctx, 'GET', '/api/keys', { auth: S.A })).body.keys.find((k) => k.id === S.aKey.id);
  assert.equal(mine.name, S.aKey.name, 'the failed attempts changed nothing');
  assert.equal(mine.disabled, false);
  await row((id, s) => api(ctx, 'PATCH', `/api/keys/${S.aKey.id}`, { auth: s, body: { log_prompts: true } }), {
    A: is(200, (b) => { assert.equal(b.key.id, S.aKey.id); assert.equal(b.key.log_prompts, true); }),
  });
  const gw = await chatJson(ctx.tp, S.aKey.secret, userMessage('still mine'));
  assert.equal(gw.status, 200, 'A\'s key still works');
});

test('POST /api/keys/{id}/rotate of A\'s key', async () => {
  await row((id, s) => api(ctx, 'POST', `/api/keys/${S.aKey2.id}/rotate`, { auth: s }), { anon: 401, B: 404, admin: 404 });
  assert.equal((await chatJson(ctx.tp, S.aKey2.secret, userMessage('not rotated'))).status, 200, 'the secret still works');
  await row((id, s) => api(ctx, 'POST', `/api/keys/${S.aKey2.id}/rotate`, { auth: s }), {
    A: is(200, (b) => { assert.equal(b.key.id, S.aKey2.id); assert.notEqual(b.secret, S.aKey2.secret); }),
  });
});

test('DELETE /api/keys/{id} of A\'s key', async () => {
  await row((id, s) => api(ctx, 'DELETE', `/api/keys/${S.aKey3.id}`, { auth: s }), { anon: 401, B: 404, admin: 404 });
  const ids = (await api(ctx, 'GET', '/api/keys', { auth: S.A })).body.keys.map((k) => k.id);
  assert.ok(ids.includes(S.aKey3.id), 'the failed attempts deleted nothing');
  await row((id, s) => api(ctx, 'DELETE', `/api/keys/${S.aKey3.id}`, { auth: s }), { A: 204 });
  await row((id, s) => api(ctx, 'DELETE', `/api/keys/${S.aKey3.id}`, { auth: s }), { A: 404 });
});

test('GET /api/credits: each their own balance', async () => {
  const meOf = async (s) => (await api(ctx, 'GET', '/api/me', { auth: s })).body;
  const sameAsMe = (s) => is(200, async (b) => {
    const me = await meOf(s);
    assert.deepEqual(b, {
      balance_micros: me.balance_micros, total_credited_micros: me.total_credited_micros, total_spent_micros: me.total_spent_micros,
    });
  });
  await row((id, s) => api(ctx, 'GET', '/api/credits', { auth: s }), {
    anon: 401,
    A: sameAsMe(S.A),
    B: is(200, (b) => assert.equal(b.total_credited_micros, 7_000_000, 'B\'s own credits')),
    admin: sameAsMe(S.admin),
  });
});

test('GET /api/credits/transactions: each their own ledger', () => row(
  (id, s) => api(ctx, 'GET', '/api/credits/transactions?limit=100', { auth: s }),
  {
    anon: 401,
    A: is(200, (b) => assert.ok(b.transactions.some((t) => t.kind === 'grant' && t.amount_micros === 5_000_000))),
    B: is(200, (b) => {
      assert.ok(!b.transactions.some((t) => t.request_id === S.aLog.id), 'none of A\'s holds');
      assert.ok(!b.transactions.some((t) => t.amount_micros === 5_000_000), 'not A\'s grant');
    }),
    admin: 200,
  },
));

test('POST /api/credits/checkout', () => row(
  (id, s) => api(ctx, 'POST', '/api/credits/checkout', { auth: s, body: { amount_usd: '1.25' } }),
  {
    anon: 401,
    A: is(200, (b) => { assert.equal(b.topup.amount_micros, 1_250_000); assert.equal(b.topup.status, 'completed'); }),
    B: 200,
    admin: 200,
  },
));

test('GET /api/logs: each their own requests', () => row((id, s) => api(ctx, 'GET', '/api/logs', { auth: s }), {
  anon: 401,
  A: is(200, (b) => assert.ok(b.logs.some((l) => l.id === S.aLog.id))),
  B: is(200, (b) => assert.deepEqual(b.logs, [])),
  admin: is(200, (b) => assert.ok(!b.logs.some((l) => l.id === S.aLog.id))),
}));

test('GET /api/logs?key_id= of A\'s key shows others nothing', () => row(
  (id, s) => api(ctx, 'GET', `/api/logs?key_id=${S.aKey.id}`, { auth: s }),
  {
    anon: 401,
    A: is(200, (b) => assert.ok(b.logs.length >= 1)),
    B: (r) => { expectStatus(r, [200, 404]); if (r.status === 200) assert.deepEqual(r.body.logs, []); },
    admin: (r) => { expectStatus(r, [200, 404]); if (r.status === 200) assert.deepEqual(r.body.logs, []); },
  },
));

test('GET /api/logs/{id} of A\'s request', () => row((id, s) => api(ctx, 'GET', `/api/logs/${S.aLog.id}`, { auth: s }), {
  anon: 401,
  A: is(200, (b) => { assert.equal(b.log.id, S.aLog.id); assert.equal(b.log.key_id, S.aKey.id); }),
  B: 404,
  admin: 404,
}));

test('GET /api/activity: each their own totals', () => row((id, s) => api(ctx, 'GET', '/api/activity?group_by=key', { auth: s }), {
  anon: 401,
  A: is(200, (b) => assert.ok(b.totals.requests >= 1, JSON.stringify(b))),
  B: is(200, (b) => { assert.equal(b.totals.requests, 0); assert.deepEqual(b.buckets, []); }),
  admin: is(200, (b) => assert.ok(!b.buckets.some((k) => k.group === String(S.aKey.id)))),
}));

test('GET /api/models is public and the same for everyone', async () => {
  const bodies = [];
  await row(async (id, s) => {
    const r = await api(ctx, 'GET', '/api/models', { auth: s });
    bodies.push(r.body);
    return r;
  }, { anon: 200, A: 200, B: 200, admin: 200 });
  for (const b of bodies.slice(1)) assert.deepEqual(b, bodies[0]);
  assert.ok(bodies[0].models.some((m) => m.id === 'fakeco/solo'), 'the test catalog');
});

test('GET /api/openapi.json is public and is src/control/openapi.json', () => row(
  (id, s) => api(ctx, 'GET', '/api/openapi.json', { auth: s }),
  Object.fromEntries(IDS.map((id) => [id, is(200, (b) => assert.deepEqual(b, loadDocument()))])),
));

test('GET /api/admin/users: admins only', () => row((id, s) => api(ctx, 'GET', '/api/admin/users?limit=200', { auth: s }), {
  anon: 401,
  A: 403,
  B: 403,
  admin: is(200, async (b) => {
    const a = b.users.find((u) => u.id === S.A.id);
    assert.ok(a, 'A is listed');
    const me = (await api(ctx, 'GET', '/api/me', { auth: S.A })).body;
    assert.equal(a.balance_micros, me.balance_micros);
  }),
}));

test('GET /api/admin/users/{id}: admins only, with the user\'s own keys', () => row((id, s) => api(ctx, 'GET', `/api/admin/users/${S.A.id}`, { auth: s }), {
  anon: 401,
  A: 403,
  B: 403,
  admin: is(200, async (b) => {
    assert.equal(b.user.id, S.A.id);
    const me = (await api(ctx, 'GET', '/api/me', { auth: S.A })).body;
    assert.equal(b.user.balance_micros, me.balance_micros);
    const keys = (await api(ctx, 'GET', '/api/keys', { auth: S.A })).body.keys;
    assert.deepEqual(b.keys.map((k) => k.id).sort(), keys.map((k) => k.id).sort(), 'exactly A\'s keys');
  }),
}));

test('PATCH /api/admin/users/{id}: admins only', async () => {
  await row((id, s) => api(ctx, 'PATCH', `/api/admin/users/${id === 'B' ? S.B.id : S.A.id}`, { auth: s, body: { is_admin: true } }), {
    anon: 401, A: 403, B: 403,
  });
  const me = (await api(ctx, 'GET', '/api/me', { auth: S.B })).body;
  assert.equal(me.user.is_admin, false, 'B did not make itself admin');
  await row((id, s) => api(ctx, 'PATCH', `/api/admin/users/${S.B.id}`, { auth: s, body: { disabled: false } }), {
    admin: is(200, (b) => { assert.equal(b.user.id, S.B.id); assert.equal(b.user.is_admin, false); }),
  });
});

test('POST /api/admin/users/{id}/credits: admins only', async () => {
  const balance = async () => (await api(ctx, 'GET', '/api/me', { auth: S.A })).body.balance_micros;
  const before = await balance();
  await row((id, s) => api(ctx, 'POST', `/api/admin/users/${S.A.id}/credits`, { auth: s, body: { amount_usd: '100', note: `by ${id}` } }), {
    anon: 401, A: 403, B: 403,
  });
  assert.equal(await balance(), before, 'nobody but an admin moves money');
  await row((id, s) => api(ctx, 'POST', `/api/admin/users/${S.A.id}/credits`, { auth: s, body: { amount_usd: '1', note: 'by admin' } }), {
    admin: is(200, (b) => assert.equal(b.balance_micros, before + 1_000_000)),
  });
  assert.equal(await balance(), before + 1_000_000);
});

test('POST /api/auth/signup: open to everyone', () => row(
  (id, s) => api(ctx, 'POST', '/api/auth/signup', { auth: s, body: { email: freshEmail(`signup-${id}`), password: freshPassword() } }),
  { anon: 201, A: 201, B: 201, admin: 201 },
));

test('POST /api/auth/login: whoever asks, with C\'s credentials, signs in as C', () => row(
  (id, s) => api(ctx, 'POST', '/api/auth/login', { auth: s, body: { email: S.C.email, password: S.C.password } }),
  Object.fromEntries(IDS.map((id) => [id, is(200, (b) => assert.equal(b.user.email, S.C.email))])),
));

test('POST /api/auth/logout: revokes only the session it is sent with', async () => {
  const second = {
    A: await login(ctx, S.A.email, S.A.password),
    B: await login(ctx, S.B.email, S.B.password),
    admin: await adminLogin(ctx),
  };
  // Without a session, logout may say 401 (not signed in) or 204 (nothing to end): the contract
  // does not choose; either way nothing is revoked.
  await row((id) => api(ctx, 'POST', '/api/auth/logout', { auth: second[id] }), { anon: [204, 401], A: 204, B: 204, admin: 204 });
  await row((id) => api(ctx, 'GET', '/api/me', { auth: second[id] }), { A: 401, B: 401, admin: 401 });
  await row((id, s) => api(ctx, 'GET', '/api/me', { auth: s }), { A: 200, B: 200, admin: 200 });
});

secretsTest(ctx);
