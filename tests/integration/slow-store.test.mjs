// The event loops never wait for the database. A slow or busy database delays the requests that
// need it (chat: key, hold, settlement, request log), never the ones that do not: GET /health
// and GET /api/v1/models keep answering at once while chat requests wait for the store, and
// those chat requests all get an answer (200, or 503 in the error shape), charged exactly.
//
// 1. TURNPIKE_TEST_STORE_DELAY_MS=300 (a test-only knob of `turnpike serve`: every database
//    operation of the gateway takes 300 ms more, on the store threads). The test first checks that
//    the knob is in effect (a chat request takes at least 300 ms), since otherwise it proves
//    nothing.
// 2. The same with a real cause: another program (the sqlite3 shell) holds the database's write
//    lock while chat requests need it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startFake, startTurnpike } from '../lib/harness.mjs';
import {
  TEST_CATALOG, assertError, assertLedger, chatJson, chatStream, sleep, untilEqual, userMessage, userShow,
  usdToMicros,
} from '../lib/gateway.mjs';
import { UPSTREAM_KEY } from '../lib/setup.mjs';

const STORE_DELAY_MS = 300;
const IN_FLIGHT = 16;
const CALLS = 20;
const MEDIAN_LIMIT_MS = 50;
const CALL_CAP_MS = 1_000;  // a call still unanswered after this counts as this slow

let fake;
before(async () => {
  fake = await startFake({ args: ['--api-key', UPSTREAM_KEY] });
});
after(async () => {
  await fake?.stop();
});

// `count` sequential GETs; the time of each (ms, capped at capMs), sorted, and the median.
async function timeGets(url, count, capMs) {
  const times = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(capMs) });
      assert.equal(res.status, 200, `GET ${url}`);
      await res.arrayBuffer();
    } catch (err) {
      if (err.name !== 'TimeoutError') throw err;
    }
    times.push(Math.min(capMs, Math.round(performance.now() - t)));
  }
  times.sort((a, b) => a - b);
  return { times, median: (times[count / 2 - 1] + times[count / 2]) / 2 };
}

// Starts `n` chat requests (half streamed), each ending in { id, status, cost, problem }: cost
// for a complete 200; problem says what is wrong with an answer that is neither a complete 200
// nor a 503 in the error shape. `pending()` is how many have not ended yet.
function launch(tp, key, n, text) {
  let pending = n;
  const all = Array.from({ length: n }, async (_, i) => {
    const stream = i % 2 === 1;
    const body = userMessage(`${text} ${i}`, stream ? { stream_options: { include_usage: true } } : {});
    const opts = { signal: AbortSignal.timeout(30_000) };
    const out = { i, stream, id: null, status: null, cost: null, problem: null };
    try {
      const r = stream ? await chatStream(tp, key, body, opts) : await chatJson(tp, key, body, opts);
      out.status = r.status;
      out.id = r.headers.get('x-request-id');
      if (r.status === 200) {
        const usage = stream ? r.events.findLast((e) => e.usage)?.usage : r.body.usage;
        if (stream && !r.done) out.problem = `200 stream without [DONE] (${r.failed?.message ?? 'ended early'})`;
        else if (usage?.cost === undefined) out.problem = '200 without usage.cost';
        else out.cost = usdToMicros(usage.cost);
      } else {
        try {
          assertError(r, 503, `request ${i}`);
        } catch (err) {
          out.problem = `${r.status}: ${err.message.split('\n')[0]} ${JSON.stringify(r.body ?? null).slice(0, 200)}`;
        }
      }
    } catch (err) {
      out.problem = `no answer: ${err.message.split('\n')[0]}`;
    } finally {
      pending--;
    }
    return out;
  });
  return { pending: () => pending, done: Promise.all(all) };
}

// Every request got an answer; every 200 is charged exactly, its hold settled at its cost; the
// account's spend is the sum of the 200s' costs and its balance the sum of its ledger.
async function assertAnsweredAndCharged(tp, email, userId, results, spentBefore, extraCost = 0) {
  const counts = {};
  for (const r of results) counts[r.status ?? 'none'] = (counts[r.status ?? 'none'] ?? 0) + 1;
  console.log(`answers: ${JSON.stringify(counts)}`);
  assert.deepEqual(results.filter((r) => r.problem).map((r) => `#${r.i}: ${r.problem}`), [],
    'every request was answered: a complete 200 or a 503 in the error shape');
  const ok = results.filter((r) => r.status === 200);
  const sum = ok.reduce((a, r) => a + r.cost, 0) + extraCost;
  await untilEqual(async () => (await userShow(tp, email)).total_spent_micros - spentBefore, sum,
    'spend == Σ usage.cost of the 200s', { timeout: 3_000 });
  await assertLedger(tp, email);
  const holds = await tp.query(`SELECT request_id, settled_micros FROM holds WHERE user_id = ${userId}`);
  const settled = new Map(holds.map((h) => [h.request_id, h.settled_micros]));
  assert.deepEqual(ok.filter((r) => settled.get(r.id) !== r.cost).map((r) => [r.id, r.cost, settled.get(r.id)]), [],
    'each 200 settled its hold at its usage.cost');
  assert.deepEqual(holds.filter((h) => h.settled_micros === null), [], 'no hold is left unsettled');
}

test(`TURNPIKE_TEST_STORE_DELAY_MS=${STORE_DELAY_MS}: /health and /models answer at once while ${IN_FLIGHT} chat requests wait for the store`,
  { timeout: 50_000 }, async () => {
    const tp = await startTurnpike({
      fake, catalog: TEST_CATALOG, serveEnv: { TURNPIKE_TEST_STORE_DELAY_MS: String(STORE_DELAY_MS) },
    });
    try {
      const { email, key, userId } = await tp.account({ credits: '10' });

      // The knob must be in effect: a chat request needs the store (key, hold, settlement).
      let t = performance.now();
      const probe = await chatJson(tp, key, userMessage('probe the store delay'));
      const probeMs = Math.round(performance.now() - t);
      assert.equal(probe.status, 200, JSON.stringify(probe.body));
      console.log(`one chat request with the store delay: ${probeMs} ms`);
      assert.ok(probeMs >= STORE_DELAY_MS, `TURNPIKE_TEST_STORE_DELAY_MS=${STORE_DELAY_MS} is not in effect: a chat `
        + `request took ${probeMs} ms; this test proves nothing against a server without the knob`);
      const probeCost = usdToMicros(probe.body.usage.cost);

      // 16 requests the upstream answers after 3 s, so they are in flight all along.
      const load = launch(tp, key, IN_FLIGHT, '[[fake:delay-ms=3000]] slow store');
      await sleep(100);
      const health = await timeGets(`${tp.gatewayUrl}/health`, CALLS, CALL_CAP_MS);
      const pendingAfterHealth = load.pending();
      const models = await timeGets(`${tp.gatewayUrl}/api/v1/models`, CALLS, CALL_CAP_MS);
      const pendingAfterModels = load.pending();
      console.log(`/health ms: ${health.times.join(' ')} (median ${health.median}); in flight after: ${pendingAfterHealth}`);
      console.log(`/api/v1/models ms: ${models.times.join(' ')} (median ${models.median}); in flight after: ${pendingAfterModels}`);
      t = performance.now();
      const results = await load.done;
      console.log(`the ${IN_FLIGHT} chat requests ended ${Math.round(performance.now() - t)} ms later`);

      assert.ok(health.median < MEDIAN_LIMIT_MS, `median /health ${health.median} ms (< ${MEDIAN_LIMIT_MS} ms) while `
        + `chat requests wait for the store: ${health.times.join(' ')}`);
      assert.ok(models.median < MEDIAN_LIMIT_MS, `median /api/v1/models ${models.median} ms (< ${MEDIAN_LIMIT_MS} ms) `
        + `while chat requests wait for the store: ${models.times.join(' ')}`);
      assert.equal(pendingAfterModels, IN_FLIGHT, 'all the chat requests were in flight during every measured call');
      await assertAnsweredAndCharged(tp, email, userId, results, 0, probeCost);
    } finally {
      if (process.env.TURNPIKE_TEST_LOG) process.stderr.write(tp.output());
      await tp.stop();
    }
  });

// Holds a write transaction on the server's database until release() is called: BEGIN EXCLUSIVE
// in a sqlite3 shell, or, on PostgreSQL, exclusive locks on the tables a request writes in psql.
async function lockDatabase(tp) {
  const pg = tp.database === 'postgresql';
  const dbFile = pg ? tp.databaseUrl : path.join(tp.dataDir, 'turnpike.db');
  const shell = pg
    ? spawn('psql', ['-X', '-q', '-A', '-t', '-d', tp.databaseUrl], { stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn('sqlite3', [dbFile], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  shell.stdout.on('data', (c) => { out += c; });
  shell.stderr.on('data', (c) => { out += c; });
  const exited = new Promise((resolve) => shell.once('exit', resolve));
  shell.stdin.write(pg
    ? "BEGIN;\nLOCK TABLE users, api_keys, leases, settlement_journal IN EXCLUSIVE MODE;\nSELECT 'locked';\n"
    : ".timeout 5000\nBEGIN EXCLUSIVE;\nSELECT 'locked';\n");
  const deadline = Date.now() + 5_000;
  while (!/^locked$/m.test(out)) {
    if (Date.now() > deadline || shell.exitCode !== null) {
      shell.kill('SIGKILL');
      throw new Error(`sqlite3 could not lock ${dbFile}: ${out}`);
    }
    await sleep(10);
  }
  return {
    async release() {
      shell.stdin.end(pg ? 'COMMIT;\n' : 'COMMIT;\n.quit\n');
      await exited;
    },
  };
}

test(`a database locked by another program: /health answers at once while ${IN_FLIGHT} chat requests wait for the lock`,
  { timeout: 40_000 }, async () => {
    const tp = await startTurnpike({ fake, catalog: TEST_CATALOG });
    try {
      const { email, key, userId } = await tp.account({ credits: '10' });
      const warm = await chatJson(tp, key, userMessage('warm the key cache'));
      assert.equal(warm.status, 200, JSON.stringify(warm.body));
      const spentBefore = (await userShow(tp, email)).total_spent_micros;

      // The lock is held for the 20 calls (each capped at 150 ms: at most 3 s, under the
      // server's 5 s busy timeout), then released.
      const lock = await lockDatabase(tp);
      let health;
      let pendingAfterHealth;
      const locked = performance.now();
      let load;
      try {
        load = launch(tp, key, IN_FLIGHT, 'locked store');
        await sleep(100);
        health = await timeGets(`${tp.gatewayUrl}/health`, CALLS, 150);
        pendingAfterHealth = load.pending();
      } finally {
        await lock.release();
      }
      console.log(`database locked for ${Math.round(performance.now() - locked)} ms; /health ms: ${health.times.join(' ')} `
        + `(median ${health.median}); chat requests in flight after: ${pendingAfterHealth}`);
      const results = await load.done;

      assert.ok(health.median < MEDIAN_LIMIT_MS, `median /health ${health.median} ms (< ${MEDIAN_LIMIT_MS} ms) while `
        + `chat requests wait for the locked database: ${health.times.join(' ')}`);
      assert.equal(pendingAfterHealth, IN_FLIGHT, 'the chat requests were waiting for the lock during every call');
      await assertAnsweredAndCharged(tp, email, userId, results, spentBefore);
    } finally {
      if (process.env.TURNPIKE_TEST_LOG) process.stderr.write(tp.output());
      await tp.stop();
    }
  });
