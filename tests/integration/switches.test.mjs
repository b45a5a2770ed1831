// billing.enabled and log.requests (TURNPIKE_BILLING_ENABLED, TURNPIKE_LOG_REQUESTS), the switches
// a team turns off when it meters elsewhere: with billing off a request is answered without a hold
// or a charge (a user without credit is served, the balance and ledger do not move); with request
// logging off no log row is written; with both off the key's last use is still recorded (from
// memory, a few times a second, rather than through a write per request).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from '../lib/setup.mjs';
import { chatJson, eventually, userMessage, userShow } from '../lib/gateway.mjs';

async function logRows(tp, userId) {
  return (await tp.query(`SELECT COUNT(*) AS n FROM request_log WHERE user_id = ${userId}`))[0].n;
}

describe('billing and logging off', () => {
  const ctx = useServer({ env: { TURNPIKE_BILLING_ENABLED: 'false', TURNPIKE_LOG_REQUESTS: 'false' } });

  test('a user without credit is served, nothing is charged or logged, the key use is recorded', async () => {
    const { tp } = ctx;
    const { email, key, userId } = await tp.account({ credits: '0' });
    for (let i = 0; i < 3; i++) {
      const r = await chatJson(tp, key, userMessage(`switches off ${i}`));
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.ok(r.body.usage.completion_tokens > 0);
    }
    const user = await userShow(tp, email);
    assert.equal(user.balance_micros, 0);
    assert.equal(user.ledger_sum_micros, 0);
    assert.equal((await tp.query(`SELECT COUNT(*) AS n FROM ledger_entries WHERE user_id = ${userId}`))[0].n, 0);
    assert.equal((await tp.query(`SELECT COUNT(*) AS n FROM holds WHERE user_id = ${userId}`))[0].n, 0);
    assert.equal(await logRows(tp, userId), 0);
    await eventually(async () => (await tp.query(`SELECT last_used_at FROM api_keys WHERE user_id = ${userId}`))[0].last_used_at,
      { timeout: 2_000, what: 'the key\'s last use' });
  });
});

describe('billing on, logging off', () => {
  const ctx = useServer({ env: { TURNPIKE_LOG_REQUESTS: 'false' } });

  test('the request is charged, and no log row is written', async () => {
    const { tp } = ctx;
    const { email, key, userId } = await tp.account({ credits: '1' });
    const r = await chatJson(tp, key, userMessage('logging off'));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const cost = Math.round(r.body.usage.cost * 1e6);
    assert.ok(cost > 0);
    await eventually(async () => (await userShow(tp, email)).balance_micros === 1_000_000 - cost,
      { what: 'the charge in the balance' });
    const user = await userShow(tp, email);
    assert.equal(user.balance_micros, user.ledger_sum_micros);
    assert.equal(await logRows(tp, userId), 0);
  });
});
