// The control plane's reads never delay the gateway. The request log is loaded with large rows
// (logged prompts of ~120 KB), then the gateway's latency for small chat requests is measured
// alone and while 4 loops hammer the control plane with the heaviest reads it has
// (GET /api/logs?limit=200, which reads every column of 200 large rows; GET /api/logs/{id} with
// its text; GET /api/activity). The gateway's writes (the hold, the settlement and the log row, in
// group commits) must not wait for those reads: the loaded median stays within LOADED_FACTOR ×
// the unloaded median + LOADED_SLACK_MS, and every request succeeds. The two are measured in
// alternating rounds, so that a machine busy with something else slows both alike.
//
// The rows are inserted with the sqlite3 shell (as another program would): the rows the gateway
// writes for a key with log_prompts on, in a second instead of hundreds of requests.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFake, startTurnpike, testDatabaseKind } from '../lib/harness.mjs';
import { TEST_CATALOG, chatJson, sleep, userMessage } from '../lib/gateway.mjs';
import { UPSTREAM_KEY } from '../lib/setup.mjs';

const ROWS = 250;
const PROMPT_BYTES = 120_000;   // hex text of PROMPT_BYTES / 2 random bytes
const READ_LOOPS = 4;           // the control plane runs API requests on 4 workers
const ROUNDS = 5;
const PER_PHASE = 20;           // chat requests per round, unloaded and loaded
const MIN_PER_PHASE = 5;        // a loaded phase may stop at this many after PHASE_CAP_MS
const PHASE_CAP_MS = 2_500;     // (the single-connection store takes ~80 ms a request there)
// Generous for a busy 2-core machine, where the reads still take CPU from the gateway (loaded
// medians of 1 to 3.2 times the unloaded one, 2.3 to 3.5 ms), yet far below what waiting for the
// reads costs: on the single-connection store the loaded median was 60 to 90 ms.
const LOADED_FACTOR = 3;
const LOADED_SLACK_MS = 10;

let fake;
before(async () => {
  fake = await startFake({ args: ['--api-key', UPSTREAM_KEY] });
});
after(async () => {
  await fake?.stop();
});

async function control(tp, route, { token, method = 'GET', body } = {}) {
  const res = await fetch(`${tp.controlUrl}${route}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let parsed = text;
  try { parsed = JSON.parse(text); } catch { /* left as text */ }
  return { status: res.status, body: parsed };
}

// The p-th percentile (0..100) of sorted `times`, nearest rank.
function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

// `count` sequential small chat requests, each of which must be a 200; their times (ms) are
// appended to `times`. Stops early, after `min`, once `capMs` have passed.
async function chats(tp, key, label, times, { count = PER_PHASE, min = PER_PHASE, capMs = Infinity } = {}) {
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    if (i >= min && performance.now() - started > capMs) break;
    const t = performance.now();
    const r = await chatJson(tp, key, userMessage(`${label} ${i}`, { max_tokens: 16 }),
      { signal: AbortSignal.timeout(30_000) });
    times.push(performance.now() - t);
    assert.equal(r.status, 200, `${label} request ${i}: ${JSON.stringify(r.body).slice(0, 300)}`);
  }
}

// Starts READ_LOOPS loops of heavy control-plane reads, counted in `reads`; the function returned
// stops them and resolves once their last reads are answered.
function startReads(tp, token, reads) {
  let stopping = false;
  const loops = Array.from({ length: READ_LOOPS }, async () => {
    while (!stopping) {
      // Numbered across loops and rounds, so that short rounds still send every kind.
      const n = reads.sent++;
      const which = n % 8 === 7 ? 'activity' : n % 8 === 3 ? 'detail' : 'logs';
      const route = which === 'activity' ? '/api/activity?group_by=day'
        : which === 'detail' ? `/api/logs/gen-isolation-${1 + ((n * 31) % ROWS)}` : '/api/logs?limit=200';
      try {
        const r = await control(tp, route, { token });
        if (r.status !== 200) reads.failures.push(`${route}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
        else reads[which]++;
      } catch (err) {
        reads.failures.push(`${route}: ${err.message}`);
      }
    }
  });
  return async () => {
    stopping = true;
    await Promise.all(loops);
  };
}

function summary(times) {
  const sorted = [...times].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted.at(-1) };
}

const fmt = (m) => `n=${m.n} p50=${m.p50.toFixed(1)} ms p95=${m.p95.toFixed(1)} ms max=${m.max.toFixed(1)} ms`;

test(`heavy control-plane reads (${READ_LOOPS} loops of /api/logs?limit=200 over ${ROWS} rows of ~${PROMPT_BYTES / 1000} KB) `
  + 'do not slow the gateway', {
  timeout: 60_000,
  // On PostgreSQL the heavy reads run in the database server, on the same cores as the gateway in
  // this test: on 2 cores the loaded median was 26 ms against a bound of 20.5 ms.
  todo: testDatabaseKind() === 'postgresql' ? 'the database server shares the cores: slower than the bound on 2 cores' : false,
}, async () => {
  const tp = await startTurnpike({ fake, catalog: TEST_CATALOG });
  try {
    // A dashboard user whose log holds the large rows, and another account that uses the gateway
    // (its small rows never enter the dashboard user's pages).
    const reader = await tp.account({ credits: '1' });
    const { key } = await tp.account({ credits: '100' });
    const [{ id: keyId }] = await tp.query(`SELECT id FROM api_keys WHERE user_id = ${reader.userId}`);
    const login = await control(tp, '/api/auth/login', {
      method: 'POST', body: { email: reader.email, password: 'correct-horse-9' },
    });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    const token = login.body.token;

    // The large rows and their activity rollups, as the gateway writes them.
    const now = Date.now();
    const pg = tp.database === 'postgresql';
    const randomText = pg
      ? `(SELECT string_agg(md5(random()::text || g::text || i::text), '') FROM generate_series(1, ${PROMPT_BYTES / 32}) g)`
      : `hex(randomblob(${PROMPT_BYTES / 2}))`;
    const day = pg ? "to_char(to_timestamp(created_at / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
      : "date(created_at / 1000, 'unixepoch')";
    await tp.query(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${ROWS})
      INSERT INTO request_log (request_id, user_id, key_id, model_id, provider_id, upstream_model, http_status,
        prompt_tokens, completion_tokens, cost_micros, created_at, prompt_text, completion_text)
      SELECT 'gen-isolation-' || i, ${reader.userId}, ${keyId}, 'openai/gpt-4o-mini', 'openai', 'gpt-4o-mini', 200,
        ${PROMPT_BYTES / 4}, 8, 1, ${now} - (${ROWS} - i) * 10, ${randomText}, 'ok'
      FROM n;
      INSERT INTO activity_rollups (user_id, day, model_id, key_id, requests, errors, prompt_tokens,
        completion_tokens, cost_micros)
      SELECT user_id, ${day}, model_id, key_id, count(*), 0, sum(prompt_tokens),
        sum(completion_tokens), sum(cost_micros)
      FROM request_log WHERE user_id = ${reader.userId} GROUP BY 1, 2, 3, 4;`);

    // The heavy read really is heavy: a full page of large rows, and how long one takes alone.
    let t = performance.now();
    const page = await control(tp, '/api/logs?limit=200', { token });
    const oneRead = performance.now() - t;
    assert.equal(page.status, 200, JSON.stringify(page.body).slice(0, 300));
    assert.equal(page.body.logs.length, 200);
    t = performance.now();
    const detail = await control(tp, '/api/logs/gen-isolation-1', { token });
    assert.equal(detail.status, 200);
    assert.equal(detail.body.log.prompt.length, PROMPT_BYTES);
    console.log(`one GET /api/logs?limit=200 alone: ${oneRead.toFixed(1)} ms; one GET /api/logs/{id}: `
      + `${(performance.now() - t).toFixed(1)} ms`);

    // Warm up (key cache, connections, the fake), then alternate: PER_PHASE requests alone, then
    // PER_PHASE while the reads run.
    for (let i = 0; i < 10; i++) assert.equal((await chatJson(tp, key, userMessage(`warm ${i}`))).status, 200);
    const alone = [];
    const loaded = [];
    const reads = { sent: 0, logs: 0, detail: 0, activity: 0, failures: [] };
    let logsDuring = 0;
    for (let round = 0; round < ROUNDS; round++) {
      await chats(tp, key, `alone ${round}`, alone);
      const stop = startReads(tp, token, reads);
      // Every loop has a read in flight (the control plane's workers are reading) before the
      // first measured request.
      await sleep(Math.min(200, Math.max(50, oneRead)));
      const logsBefore = reads.logs;
      try {
        await chats(tp, key, `loaded ${round}`, loaded, { min: MIN_PER_PHASE, capMs: PHASE_CAP_MS });
      } finally {
        logsDuring += reads.logs - logsBefore;
        await stop();
      }
    }
    const base = summary(alone);
    const under = summary(loaded);
    console.log(`alone:  ${fmt(base)}`);
    console.log(`loaded: ${fmt(under)}; ${logsDuring} × /api/logs?limit=200 answered meanwhile (in all ${reads.logs} `
      + `logs, ${reads.detail} details, ${reads.activity} activity)`);

    assert.deepEqual(reads.failures, [], 'every control-plane read succeeded');
    assert.ok(logsDuring >= ROUNDS, `the heavy reads were answered along the loaded phases (${logsDuring})`);
    const bound = LOADED_FACTOR * base.p50 + LOADED_SLACK_MS;
    assert.ok(under.p50 <= bound, `the gateway's median under control-plane reads, ${under.p50.toFixed(1)} ms, is `
      + `within ${LOADED_FACTOR} × its median alone ${base.p50.toFixed(1)} ms + ${LOADED_SLACK_MS} ms `
      + `(${bound.toFixed(1)} ms); loaded ${fmt(under)}; alone ${fmt(base)}`);
  } finally {
    if (process.env.TURNPIKE_TEST_LOG) process.stderr.write(tp.output());
    await tp.stop();
  }
});
