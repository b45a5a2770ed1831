// Holds are atomic: with room for exactly 20 holds, 200 concurrent requests yield exactly 20
// successes and 180 × 402, the balance never goes negative, the ledger adds up, and the account
// pays exactly what the successful responses say they cost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from '../lib/setup.mjs';
import {
  chatJson, eventually, fakeRequestsWith, measureHold, microsToUsd, nonce, userMessage, userShow,
  usdToMicros,
} from '../lib/gateway.mjs';

const ctx = useServer();
const N = 200;
const FIT = 20;

test(`${N} concurrent requests against a balance of ${FIT} holds: exactly ${FIT} × 200 and ${N - FIT} × 402`, async () => {
  const { tp } = ctx;
  // Every request is identical, so every hold is the same H. The upstream answers after 4 s (margin for a loaded machine),
  // so all the holds are outstanding at once.
  const marker = nonce();
  const body = userMessage(`[[fake:delay-ms=4000]] concurrency ${marker}`);

  const probe = await tp.account();
  const { hold, response } = await measureHold(tp, probe.key, body);
  assert.equal(response.status, 200, JSON.stringify(response.body));
  assert.ok(hold > 0, 'the hold shows in /api/v1/key usage while the request is in flight');
  const probeCost = usdToMicros(response.body.usage.cost);
  console.log(`hold H = ${hold} µUSD (${microsToUsd(hold)} USD); one request costs ${probeCost} µUSD`);

  const start = FIT * hold;
  const { email, key } = await tp.account({ credits: microsToUsd(start) });
  assert.equal((await userShow(tp, email)).balance_micros, start);

  const t0 = Date.now();
  const results = await Promise.all(Array.from({ length: N }, () => chatJson(tp, key, body)
    .catch((err) => ({ status: `error: ${err.cause?.cause?.code ?? err.message.split('\n')[0]}` }))));
  const elapsed = Date.now() - t0;

  const counts = {};
  for (const r of results) counts[r.status] = (counts[r.status] ?? 0) + 1;
  console.log(`${N} concurrent requests in ${elapsed} ms: ${JSON.stringify(counts)}`);
  const ok = results.filter((r) => r.status === 200);
  const refused = results.filter((r) => r.status === 402);
  assert.equal(ok.length, FIT, `exactly ${FIT} succeed: ${JSON.stringify(counts)}`);
  assert.equal(refused.length, N - FIT, `exactly ${N - FIT} get 402: ${JSON.stringify(counts)}`);
  for (const r of refused) assert.equal(r.body?.error?.code, 402);

  const costs = ok.map((r) => usdToMicros(r.body.usage.cost));
  const sum = costs.reduce((a, b) => a + b, 0);
  const u = await eventually(async () => {
    const s = await userShow(tp, email);
    return start - s.balance_micros === sum && s;
  }, { timeout: 3_000, what: `spend == Σ usage.cost (${sum} µUSD)` })
    .catch(async (err) => assert.fail(`${err.message}; user: ${JSON.stringify(await userShow(tp, email))}`));
  console.log(`balance ${start} → ${u.balance_micros} µUSD; ledger sum ${u.ledger_sum_micros}; `
    + `Σ usage.cost ${sum} µUSD; total_spent ${u.total_spent_micros}`);
  assert.ok(u.balance_micros >= 0, 'the balance never goes negative');
  assert.equal(u.balance_micros, u.ledger_sum_micros, 'balance == ledger sum');
  assert.equal(start - u.balance_micros, sum, 'spend == the sum of the successful responses\' usage.cost');
  assert.equal(u.total_spent_micros, sum);

  const upstream = await fakeRequestsWith(ctx.fake, marker);
  assert.equal(upstream.length, 1 + FIT, 'refused requests never reached the upstream');
});
