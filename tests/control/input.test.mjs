// Bad input for every signed-in route: wrong JSON types, missing fields, huge values, negative
// and fractional-cent amounts, unknown ids, bad query parameters. Each gets a clear 4xx in the
// error shape (400s name the field), and nothing changes: the user's balance, keys and ledger read
// the same afterwards. (Sign-up and login: auth-input.test.mjs; sessions: security.test.mjs.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  adminLogin, api, cliUser, expectError, expectStatus, login, rawApi, secretsTest, snapshot, useControl,
} from './helpers.mjs';

const S = {};
const ctx = useControl({
  async setup() {
    S.admin = await adminLogin(ctx);
    const u = await cliUser(ctx, { credits: '3' });
    S.U = { ...(await login(ctx, u.email, u.password)), id: u.id };
    const r = expectStatus(await api(ctx, 'POST', '/api/keys', { auth: S.U, body: { name: 'the-key', limit_usd: '2' } }), 201, 'create key');
    S.key = r.body.key;
  },
});

const BIG = 'x'.repeat(20 * 1024);
const UNKNOWN = 987654321;

// Each case: [what, request options (or a function returning the response), allowed statuses,
// the field the message must name (or null)].
async function cases(list, { as = () => S.U, method, route } = {}) {
  const before = await snapshot(ctx, S.U);
  const failures = [];
  for (const [what, req, statuses, field] of list) {
    try {
      const r = typeof req === 'function' ? await req() : await api(ctx, req.method ?? method, req.route ?? route, { auth: as(), ...req });
      const err = expectError(r, statuses, what);
      if (field && r.status === 400) {
        assert.ok(err.message.includes(field) || err.param === field,
          `${what}: the message names ${field}: ${JSON.stringify(err)}`);
      }
    } catch (e) {
      failures.push(e.message.split('\n').slice(0, 3).join(' | '));
    }
  }
  const afterwards = await snapshot(ctx, S.U);
  assert.deepEqual(failures, [], `${route ?? ''}: bad requests answered badly`);
  assert.deepEqual(afterwards, before, 'nothing changed (balance, keys, ledger)');
}

// Body cases shared by the routes that take JSON objects.
const notObjects = [
  ['not JSON', { body: '{"name":' }, 400],
  ['an empty body', { body: '' }, 400],
  ['a JSON array', { body: '[]' }, 400],
  ['a JSON string', { body: '"hello"' }, 400],
  ['JSON null', { body: 'null' }, 400],
];

function amounts(field, extra = {}) {
  return [
    [`${field} not a number`, { body: { ...extra, [field]: 'abc' } }, 400, field],
    [`${field} 1e30`, { body: { ...extra, [field]: 1e30 } }, 400, field],
    [`${field} "1e30"`, { body: { ...extra, [field]: '1e30' } }, 400, field],
    [`${field} with 7 decimals`, { body: { ...extra, [field]: '0.0000001' } }, 400, field],
    [`${field} true`, { body: { ...extra, [field]: true } }, 400, field],
    [`${field} an object`, { body: { ...extra, [field]: { usd: 1 } } }, 400, field],
    [`${field} an empty string`, { body: { ...extra, [field]: '' } }, 400, field],
    [`${field} "NaN"`, { body: { ...extra, [field]: 'NaN' } }, 400, field],
    [`${field} "Infinity"`, { body: { ...extra, [field]: 'Infinity' } }, 400, field],
  ];
}

test('POST /api/keys: bad bodies', () => cases([
  ...notObjects,
  ['name missing', { body: {} }, 400, 'name'],
  ['name a number', { body: { name: 5 } }, 400, 'name'],
  ['name null', { body: { name: null } }, 400, 'name'],
  ['name an array', { body: { name: ['a'] } }, 400, 'name'],
  ['name of 20 KB', { body: { name: BIG } }, [400, 413], 'name'],
  ...amounts('limit_usd', { name: 'k' }),
  ['limit_usd negative', { body: { name: 'k', limit_usd: -1 } }, 400, 'limit_usd'],
  ['limit_usd "-0.01"', { body: { name: 'k', limit_usd: '-0.01' } }, 400, 'limit_usd'],
  ['expires_at not a time', { body: { name: 'k', expires_at: 'tomorrow' } }, 400, 'expires_at'],
  ['expires_at a number', { body: { name: 'k', expires_at: 1764322200 } }, 400, 'expires_at'],
  ['expires_at February 30th', { body: { name: 'k', expires_at: '2030-02-30T00:00:00Z' } }, 400, 'expires_at'],
  ['log_prompts a string', { body: { name: 'k', log_prompts: 'yes' } }, 400, 'log_prompts'],
  ['log_prompts a number', { body: { name: 'k', log_prompts: 1 } }, 400, 'log_prompts'],
  ['management a string', { body: { name: 'k', management: 'yes' } }, 400, 'management'],
  ['a body over the control API limit of 64 KiB (256 KiB)', () => rawApi(ctx, 'POST', '/api/keys', {
    headers: { authorization: `Bearer ${S.U.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'x'.repeat(256 * 1024) }),
  }), 413],
], { method: 'POST', route: '/api/keys' }));

test('PATCH /api/keys/{id}: bad bodies and unknown ids', () => cases([
  ...notObjects,
  ['name a number', { body: { name: 5 } }, 400, 'name'],
  ['name of 20 KB', { body: { name: BIG } }, [400, 413], 'name'],
  ['disabled a string', { body: { disabled: 'true' } }, 400, 'disabled'],
  ['disabled a number', { body: { disabled: 1 } }, 400, 'disabled'],
  ['disabled null', { body: { disabled: null } }, 400, 'disabled'],
  ...amounts('limit_usd'),
  ['limit_usd negative', { body: { limit_usd: -5 } }, 400, 'limit_usd'],
  ['expires_at not a time', { body: { expires_at: 'soon' } }, 400, 'expires_at'],
  ['log_prompts a string', { body: { log_prompts: 'no' } }, 400, 'log_prompts'],
  ['a valid change with one bad field changes nothing', { body: { name: 'changed', disabled: 'yes' } }, 400, 'disabled'],
  ['an unknown id', { route: `/api/keys/${UNKNOWN}`, body: { name: 'x' } }, 404],
  ['id 0', { route: '/api/keys/0', body: { name: 'x' } }, [400, 404]],
  ['id -1', { route: '/api/keys/-1', body: { name: 'x' } }, [400, 404]],
  ['id not a number', { route: '/api/keys/abc', body: { name: 'x' } }, [400, 404]],
  ['id with a fraction', { route: `/api/keys/${S.key?.id ?? 1}.5`, body: { name: 'x' } }, [400, 404]],
  ['id beyond 64 bits', { route: '/api/keys/99999999999999999999999', body: { name: 'x' } }, [400, 404]],
], { method: 'PATCH', route: `/api/keys/${S.key.id}` }));

test('DELETE /api/keys/{id} and POST /api/keys/{id}/rotate: unknown ids', () => cases([
  ['DELETE an unknown id', { method: 'DELETE', route: `/api/keys/${UNKNOWN}` }, 404],
  ['DELETE id not a number', { method: 'DELETE', route: '/api/keys/abc' }, [400, 404]],
  ['DELETE id 0', { method: 'DELETE', route: '/api/keys/0' }, [400, 404]],
  ['DELETE id -1', { method: 'DELETE', route: '/api/keys/-1' }, [400, 404]],
  ['rotate an unknown id', { method: 'POST', route: `/api/keys/${UNKNOWN}/rotate` }, 404],
  ['rotate id not a number', { method: 'POST', route: '/api/keys/abc/rotate' }, [400, 404]],
  ['rotate id beyond 64 bits', { method: 'POST', route: '/api/keys/99999999999999999999999/rotate' }, [400, 404]],
]));

test('POST /api/credits/checkout: bad amounts', () => cases([
  ...notObjects,
  ['amount_usd missing', { body: {} }, 400, 'amount_usd'],
  ['amount_usd null', { body: { amount_usd: null } }, 400, 'amount_usd'],
  ...amounts('amount_usd'),
  ['amount_usd negative', { body: { amount_usd: -5 } }, 400, 'amount_usd'],
  ['amount_usd "-5.00"', { body: { amount_usd: '-5.00' } }, 400, 'amount_usd'],
  ['amount_usd zero', { body: { amount_usd: 0 } }, 400, 'amount_usd'],
  ['amount_usd below the minimum ($0.99)', { body: { amount_usd: '0.99' } }, 400, 'amount_usd'],
  ['amount_usd above the maximum ($10,000.01)', { body: { amount_usd: '10000.01' } }, 400, 'amount_usd'],
  ['amount_usd a fraction of a cent ("12.345")', { body: { amount_usd: '12.345' } }, 400, 'amount_usd'],
  ['amount_usd a fraction of a cent (12.345)', { body: { amount_usd: 12.345 } }, 400, 'amount_usd'],
  ['amount_usd a fraction of a cent ("5.001")', { body: { amount_usd: '5.001' } }, 400, 'amount_usd'],
], { method: 'POST', route: '/api/credits/checkout' }));

test('GET /api/credits/transactions: bad limits', () => cases([
  ['limit not a number', { route: '/api/credits/transactions?limit=abc' }, 400, 'limit'],
  ['limit negative', { route: '/api/credits/transactions?limit=-1' }, 400, 'limit'],
  ['limit zero', { route: '/api/credits/transactions?limit=0' }, 400, 'limit'],
  ['limit with a fraction', { route: '/api/credits/transactions?limit=1.5' }, 400, 'limit'],
  ['before zero', { route: '/api/credits/transactions?before=0' }, 400, 'before'],
  ['before not a number', { route: '/api/credits/transactions?before=gen-1' }, 400, 'before'],
  ['type unknown', { route: '/api/credits/transactions?type=hold' }, 400, 'type'],
  ['type settle', { route: '/api/credits/transactions?type=settle' }, 400, 'type'],
  ['from not a time', { route: '/api/credits/transactions?from=yesterday' }, 400, 'from'],
  ['to not a time', { route: '/api/credits/transactions?to=2026-13-01T00:00:00Z' }, 400, 'to'],
  ['to before from', { route: '/api/credits/transactions?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z' }, 400, 'to'],
  ['to equal to from', { route: '/api/credits/transactions?from=2026-12-02T00:00:00Z&to=2026-12-02T00:00:00Z' }, 400, 'to'],
], { method: 'GET' }));

test('GET /api/logs: bad filters', () => cases([
  ['limit 0', { route: '/api/logs?limit=0' }, 400, 'limit'],
  ['limit 201', { route: '/api/logs?limit=201' }, 400, 'limit'],
  ['limit 1e30', { route: '/api/logs?limit=1e30' }, 400, 'limit'],
  ['limit not a number', { route: '/api/logs?limit=ten' }, 400, 'limit'],
  ['from not a time', { route: '/api/logs?from=yesterday' }, 400, 'from'],
  ['to not a time', { route: '/api/logs?to=2026-13-45' }, 400, 'to'],
  ['a cursor that was never issued', { route: '/api/logs?cursor=%00garbage!!' }, 400, 'cursor'],
  ['status not a number', { route: '/api/logs?status=ok' }, 400, 'status'],
  ['key_id not a number', { route: '/api/logs?key_id=abc' }, 400, 'key_id'],
], { method: 'GET' }));

test('GET /api/logs/{id}: unknown ids', () => cases([
  ['an unknown request id', { route: '/api/logs/gen-doesnotexist0000000000' }, 404],
  ['not a request id', { route: '/api/logs/abc' }, [400, 404]],
  ['a number', { route: '/api/logs/1' }, [400, 404]],
], { method: 'GET' }));

test('GET /api/activity: bad parameters', () => cases([
  ['group_by unknown', { route: '/api/activity?group_by=week' }, 400, 'group_by'],
  ['from not a time', { route: '/api/activity?from=last-week' }, 400, 'from'],
  ['to not a time', { route: '/api/activity?to=x' }, 400, 'to'],
], { method: 'GET' }));

test('GET /api/admin/users: bad parameters', () => cases([
  ['after not a number', { route: '/api/admin/users?after=abc' }, 400, 'after'],
  ['limit not a number', { route: '/api/admin/users?limit=abc' }, 400, 'limit'],
  ['limit zero', { route: '/api/admin/users?limit=0' }, 400, 'limit'],
  ['limit negative', { route: '/api/admin/users?limit=-3' }, 400, 'limit'],
], { method: 'GET', as: () => S.admin }));

test('PATCH /api/admin/users/{id}: bad bodies and unknown ids', async () => {
  await cases([
    ...notObjects,
    ['is_admin a string', { body: { is_admin: 'yes' } }, 400, 'is_admin'],
    ['is_admin a number', { body: { is_admin: 1 } }, 400, 'is_admin'],
    ['disabled a string', { body: { disabled: 'true' } }, 400, 'disabled'],
    ['one good field and one bad', { body: { is_admin: true, disabled: 'no' } }, 400, 'disabled'],
    ['an unknown user', { route: `/api/admin/users/${UNKNOWN}`, body: { disabled: true } }, 404],
    ['id not a number', { route: '/api/admin/users/abc', body: { disabled: true } }, [400, 404]],
    ['id -1', { route: '/api/admin/users/-1', body: { disabled: true } }, [400, 404]],
  ], { method: 'PATCH', route: `/api/admin/users/${S.U.id}`, as: () => S.admin });
  const me = (await api(ctx, 'GET', '/api/me', { auth: S.U })).body.user;
  assert.equal(me.is_admin, false, 'still not an admin');
  assert.equal(me.disabled, false, 'still enabled');
});

test('POST /api/admin/users/{id}/credits: bad amounts, unknown users, deductions below zero', () => cases([
  ...notObjects,
  ['amount_usd missing', { body: { note: 'n' } }, 400, 'amount_usd'],
  ...amounts('amount_usd', { note: 'n' }),
  ['amount_usd -1e30', { body: { amount_usd: -1e30, note: 'n' } }, 400, 'amount_usd'],
  ['amount_usd zero', { body: { amount_usd: '0', note: 'n' } }, 400, 'amount_usd'],
  ['amount_usd "-0.0000001"', { body: { amount_usd: '-0.0000001', note: 'n' } }, 400, 'amount_usd'],
  ['note a number', { body: { amount_usd: '1', note: 5 } }, 400, 'note'],
  ['an unknown user', { route: `/api/admin/users/${UNKNOWN}/credits`, body: { amount_usd: '1', note: 'n' } }, 404],
  ['id not a number', { route: '/api/admin/users/abc/credits', body: { amount_usd: '1', note: 'n' } }, [400, 404]],
  ['a deduction below zero ($3 balance, -$3.000001)', { body: { amount_usd: '-3.000001', note: 'n' } }, 409],
  ['a deduction far below zero', { body: { amount_usd: -1000, note: 'n' } }, 409],
], { method: 'POST', route: `/api/admin/users/${S.U.id}/credits`, as: () => S.admin }));

secretsTest(ctx);
