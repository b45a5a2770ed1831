// PostgreSQL stopped for 5 s under load, then started again (a cluster of this file's own:
// scripts/pg-test-cluster pause / resume). The server neither crashes nor hangs: every request
// ends within a few seconds, as a 200 or as a 503 in the API's error shape; /ready says 503
// "database unreachable" while the database is down and 200 once it is back; afterwards the
// user's spend is exactly the cost of every 200 the clients saw (nothing lost, nothing doubled)
// and balance = ledger sum. Twice: with the answers waiting for their charges (up to 10 s, longer
// than the outage), and with a wait shorter than the outage (TURNPIKE_TEST_CHARGE_RETRY_MS), so
// that answers go out with their charges kept in memory and written once the database is back
// (Gateway::WriteBacklog). Always on PostgreSQL, whatever TURNPIKE_TEST_DATABASE says.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPgDatabase, ROOT, startFake, startTurnpike } from '../lib/harness.mjs';
import {
  assertError, chatJson, eventually, gatewayFetch, sleep, TEST_CATALOG, userMessage, userShow, usdToMicros,
} from '../lib/gateway.mjs';
import { UPSTREAM_KEY } from '../lib/setup.mjs';

const CLIENTS = 16;
const OUTAGE_MS = 5_000;
const BEFORE_MS = 2_000;
const AFTER_MS = 4_000;
const ENDS_WITHIN_MS = 12_000;  // the store's deadlines: connect 5 s, a query 10 s
const SCRIPT = path.join(ROOT, 'scripts/pg-test-cluster');

function cluster(command, dir) {
  return new Promise((resolve, reject) => {
    execFile(SCRIPT, [command, dir], { timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`pg-test-cluster ${command}: ${stderr}`));
      else resolve(stdout.trim());
    });
  });
}

const S = {};

before(async () => {
  S.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'turnpike-outage-'));
  fs.chmodSync(S.dir, 0o755);
  S.clusterDir = path.join(S.dir, 'cluster');
  const server = await cluster('start', S.clusterDir);
  S.fake = await startFake({ args: ['--api-key', UPSTREAM_KEY] });
  S.server = server;
}, { timeout: 120_000 });

after(async () => {
  if (process.env.TURNPIKE_TEST_LOG && S.tp) process.stderr.write(S.tp.output());
  await S.tp?.kill();
  await S.fake?.stop();
  await cluster('stop', S.clusterDir).catch(() => {});
  fs.rmSync(S.dir, { recursive: true, force: true });
});

async function ready() {
  const t = performance.now();
  try {
    const res = await gatewayFetch(S.tp, '/ready');
    return { status: res.status, body: await res.json(), ms: Math.round(performance.now() - t) };
  } catch (err) {
    return { status: `error: ${err.message.split('\n')[0]}`, ms: Math.round(performance.now() - t) };
  }
}

// A server of its own on a database of its own, for one run of the outage.
async function startServer(serveEnv = {}) {
  if (S.tp) {
    if (process.env.TURNPIKE_TEST_LOG) process.stderr.write(S.tp.output());
    await S.tp.kill();
  }
  S.tp = await startTurnpike({
    fake: S.fake, catalog: TEST_CATALOG, databaseUrl: await createPgDatabase(S.server), serveEnv,
  });
}

test('PostgreSQL stopped for 5 s under load: no crash, no hang, every 200 charged exactly once', { timeout: 90_000 }, async () => {
  await startServer();
  await outage();
});

test('… and with answers that do not wait for their charges: kept, then written once back', { timeout: 90_000 }, async () => {
  await startServer({ TURNPIKE_TEST_CHARGE_RETRY_MS: '1000' });
  await outage();
  const output = S.tp.output();
  assert.match(output, /is kept, to be written when the database answers again/, 'charges were kept');
  assert.match(output, /wrote \d+ settlements kept while the database was away/, 'and written later');
  const metrics = await (await gatewayFetch(S.tp, '/metrics')).text();
  assert.match(metrics, /^turnpike_settlements_kept_total [1-9]\d*$/m, metrics);
  assert.match(metrics, /^turnpike_settlements_unwritten 0$/m, 'none left unwritten');
  assert.match(metrics, /^turnpike_settlements_dropped_total 0$/m);
});

async function outage() {
  const { email, key } = await S.tp.account({ credits: '50' });
  const start = (await userShow(S.tp, email)).balance_micros;
  assert.equal((await ready()).status, 200);

  const records = [];
  let stop = false;
  const client = async (c) => {
    for (let i = 0; !stop; i++) {
      const t = performance.now();
      const r = await chatJson(S.tp, key, userMessage(`[[fake:delay-ms=50]] outage ${c}.${i}`))
        .catch((err) => ({ status: `error: ${err.message.split('\n')[0]}` }));
      records.push({ ...r, ms: performance.now() - t, at: t });
      if (r.status !== 200) await sleep(50);
    }
  };
  const clients = Array.from({ length: CLIENTS }, (_, c) => client(c));

  await sleep(BEFORE_MS);
  const t0 = performance.now();
  await cluster('pause', S.clusterDir);
  const down = [];
  while (performance.now() - t0 < OUTAGE_MS) {
    down.push(await ready());
    await sleep(500);
  }
  await cluster('resume', S.clusterDir);
  const t1 = performance.now();
  const back = await eventually(async () => {
    const r = await ready();
    return r.status === 200 && r;
  }, { timeout: 15_000, what: '/ready is 200 again' });
  console.log(`/ready while down: ${JSON.stringify(down.map((r) => [r.status, r.ms]))}; `
    + `200 again ${Math.round(performance.now() - t1)} ms after the restart (${back.ms} ms)`);
  await sleep(AFTER_MS);
  stop = true;
  await Promise.all(clients);

  const counts = {};
  for (const r of records) counts[r.status] = (counts[r.status] ?? 0) + 1;
  const slowest = Math.max(...records.map((r) => r.ms));
  const during = records.filter((r) => r.at + r.ms >= t0 && r.at <= t1);
  console.log(`${records.length} requests: ${JSON.stringify(counts)}; slowest ${Math.round(slowest)} ms; `
    + `${during.length} overlapped the outage (${during.filter((r) => r.status === 200).length} × 200)`);

  // Alive, and the database state reported.
  assert.ok(down.some((r) => r.status === 503 && r.body?.status === 'database unreachable'),
    `/ready said 503 while the database was down: ${JSON.stringify(down)}`);
  assert.ok(down.every((r) => r.ms < 6_000), '/ready answers within its deadline');
  // No hang; a 200 or a 503 in the error shape.
  assert.ok(slowest < ENDS_WITHIN_MS, `every request ended within ${ENDS_WITHIN_MS} ms (slowest ${slowest})`);
  for (const r of records.filter((x) => x.status !== 200)) {
    const e = assertError(r, 503, 'a request during the outage');
    assert.ok(e.message.length > 0);
  }
  // The outage shows as 503s, or as answers held back until their charge could be written.
  assert.ok(counts[503] > 0 || slowest > OUTAGE_MS / 2, 'the outage was seen');
  assert.ok(records.filter((r) => r.at > t1 + 2_000 && r.status === 200).length > 0, 'requests succeed again');

  // Nothing lost, nothing doubled.
  const sum = records.filter((r) => r.status === 200).reduce((a, r) => a + usdToMicros(r.body.usage.cost), 0);
  const u = await eventually(async () => {
    const s = await userShow(S.tp, email);
    return start - s.balance_micros === sum && s;
  }, { timeout: 5_000, what: `spend == Σ usage.cost of the 200s (${sum} µUSD)` })
    .catch(async (err) => assert.fail(`${err.message}; user: ${JSON.stringify(await userShow(S.tp, email))}`));
  assert.equal(u.balance_micros, u.ledger_sum_micros, 'balance == ledger sum');
  console.log(`spend ${start - u.balance_micros} µUSD = Σ usage.cost of the ${counts[200]} answers`);
}

test('a server stopped while the database is away keeps its unwritten charges in a file; the next start writes them', { timeout: 90_000 }, async () => {
  await startServer({ TURNPIKE_TEST_CHARGE_RETRY_MS: '500' });
  const { email, key } = await S.tp.account({ credits: '50' });
  const start = (await userShow(S.tp, email)).balance_micros;
  // Requests in flight when the database goes away: their answers go out after 500 ms, their
  // charges kept in memory.
  const ok = [];
  let stop = false;
  const client = async (c) => {
    for (let i = 0; !stop; i++) {
      const r = await chatJson(S.tp, key, userMessage(`[[fake:delay-ms=300]] spool ${c}.${i}`))
        .catch((err) => ({ status: `error: ${err.message.split('\n')[0]}` }));
      if (r.status === 200) ok.push(r);
      else await sleep(50);
    }
  };
  const clients = Array.from({ length: 8 }, (_, c) => client(c));
  await sleep(1_000);
  await cluster('pause', S.clusterDir);
  await sleep(1_500);
  stop = true;
  await Promise.all(clients);
  const first = S.tp;
  await first.stop();
  const stopped = first.output();
  assert.match(stopped, /could not be written, the database being away: kept in \S+unwritten-settlements/,
    `the server kept its unwritten settlements in a file:\n${stopped.slice(-3000)}`);

  await cluster('resume', S.clusterDir);
  S.tp = await startTurnpike({ fake: S.fake, dataDir: first.dataDir });
  assert.match(S.tp.output(), /journaled \d+ settlements a stopped server could not write/);
  const sum = ok.reduce((a, r) => a + usdToMicros(r.body.usage.cost), 0);
  const u = await userShow(S.tp, email);
  assert.equal(start - u.balance_micros, sum, `spend == Σ usage.cost of the ${ok.length} answers`);
  assert.equal(u.balance_micros, u.ledger_sum_micros, 'balance == ledger sum');
  console.log(`${ok.length} answers; spend ${start - u.balance_micros} µUSD, charges written after a restart included`);
});
