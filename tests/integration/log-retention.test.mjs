// The request log never grows past its retention (docs/architecture.md, "Request-log retention"):
// with a small size cap and a quick sweeper, a key that logs its prompts sends far more text than
// the cap, and the log settles under the cap, its oldest rows gone (/generation answers 404 for
// them, as for an unknown id), its newest kept with their text cut to log.max_text_bytes, and the
// activity rollups still count every request. And with the text waiting to be written bounded
// below one row's, rows keep their charge but not their prompt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTurnpike } from '../lib/harness.mjs';
import { useJsonUpstream } from '../lib/setup.mjs';
import {
  TEST_CATALOG, chatJson, eventually, fixtureJson, getJson, userMessage,
} from '../lib/gateway.mjs';

const MAX_BYTES = 20_000;      // log.max_bytes
const MAX_TEXT_BYTES = 2_048;  // log.max_text_bytes
const REQUESTS = 30;
const PROMPT_CHARS = 5_000;    // each prompt is cut to MAX_TEXT_BYTES: 30 rows of ~2.5 KB are ~4× the cap

const ANSWER = fixtureJson('chat-nonstream-text-after-tool-results.json');

const ctx = useJsonUpstream(ANSWER, {
  env: {
    TURNPIKE_LOG_MAX_BYTES: String(MAX_BYTES),
    TURNPIKE_LOG_MAX_TEXT_BYTES: String(MAX_TEXT_BYTES),
    TURNPIKE_LOG_SWEEP_INTERVAL_MS: '50',
  },
});

async function logSize(tp) {
  const [size] = await tp.query('SELECT row_bytes AS bytes FROM request_log_size');
  const [sum] = await tp.query('SELECT count(*) AS n, coalesce(sum(row_bytes), 0) AS bytes FROM request_log');
  return { running: Number(size.bytes), summed: Number(sum.bytes), rows: Number(sum.n) };
}

test('the request log never grows past its retention', { timeout: 60_000 }, async () => {
  const { tp } = ctx;
  const { key, userId } = await tp.account({ credits: '5' });
  await tp.query(`UPDATE api_keys SET log_prompts = true WHERE user_id = ${Number(userId)}`);
  await new Promise((resolve) => setTimeout(resolve, 1_000));  // past the key cache's TTL

  const ids = [];
  for (let i = 0; i < REQUESTS; i++) {
    const r = await chatJson(tp, key, userMessage(`${i} ${'x'.repeat(PROMPT_CHARS)}`, { model: 'fakeco/duo' }));
    assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 300));
    ids.push(r.headers.get('x-request-id'));
  }
  const last = ids.at(-1);
  await eventually(async () => {
    const got = await getJson(tp, `/api/v1/generation?id=${last}`, key);
    return got.status === 200;
  }, { what: `generation ${last} logged`, timeout: 10_000 });

  // The sweeper brings the log under its cap; the running size is the rows' sum.
  const settled = await eventually(async () => {
    const s = await logSize(tp);
    return s.running <= MAX_BYTES && s;
  }, { what: `the log under ${MAX_BYTES} bytes`, timeout: 10_000 });
  assert.equal(settled.running, settled.summed, 'the running size is the sum of the rows');
  assert.ok(settled.rows >= 3 && settled.rows < REQUESTS, `${settled.rows} rows kept`);

  // The oldest are gone, as unknown ids are; the newest is kept, its prompt cut to the cap.
  const first = await getJson(tp, `/api/v1/generation?id=${ids[0]}`, key);
  assert.equal(first.status, 404, JSON.stringify(first.body));
  assert.equal((await getJson(tp, `/api/v1/generation?id=${last}`, key)).status, 200);
  const [row] = await tp.query(`SELECT length(prompt_text) AS n FROM request_log WHERE request_id = '${last}'`);
  assert.ok(Number(row.n) > 0 && Number(row.n) <= MAX_TEXT_BYTES, `prompt of ${row.n} characters`);

  // Later requests keep it there.
  for (let i = 0; i < 10; i++) {
    const r = await chatJson(tp, key, userMessage(`more ${i} ${'y'.repeat(PROMPT_CHARS)}`, { model: 'fakeco/duo' }));
    assert.equal(r.status, 200);
  }
  await eventually(async () => (await logSize(tp)).running <= MAX_BYTES, { what: 'the log under its cap again', timeout: 10_000 });

  // The activity rollups count every request, swept or not.
  const [rollups] = await tp.query(`SELECT sum(requests) AS n FROM activity_rollups WHERE user_id = ${Number(userId)}`);
  assert.equal(Number(rollups.n), REQUESTS + 10);
});

test('past log.queue_max_bytes a row is written without its text, never without its charge', { timeout: 60_000 }, async () => {
  const tp = await startTurnpike({
    catalog: TEST_CATALOG,
    env: {
      FAKE_CHEAP_BASE_URL: ctx.upstream.base,
      FAKE_PRICEY_BASE_URL: ctx.upstream.base,
      OPENAI_API_KEY: 'k',
      TURNPIKE_LOG_QUEUE_MAX_BYTES: '1024',  // less than one row with its prompt
    },
  });
  try {
    const { key, userId } = await tp.account({ credits: '5' });
    await tp.query(`UPDATE api_keys SET log_prompts = true WHERE user_id = ${Number(userId)}`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));  // past the key cache's TTL
    const big = await chatJson(tp, key, userMessage(`big ${'z'.repeat(3_000)}`, { model: 'fakeco/duo' }));
    assert.equal(big.status, 200);
    const small = await chatJson(tp, key, userMessage('hi', { model: 'fakeco/duo' }));
    assert.equal(small.status, 200);
    const rows = await eventually(async () => {
      const got = await tp.query(`SELECT request_id, cost_micros, length(prompt_text) AS prompt FROM request_log
        WHERE user_id = ${Number(userId)} ORDER BY id`);
      return got.length === 2 && got;
    }, { what: 'both rows written', timeout: 10_000 });
    assert.equal(rows[0].request_id, big.headers.get('x-request-id'));
    assert.equal(Number(rows[0].prompt), 0, 'the big row lost its prompt');
    assert.ok(Number(rows[0].cost_micros) > 0, 'and kept its charge');
    assert.ok(Number(rows[1].prompt) > 0, 'a row that fits keeps its prompt');
    const metrics = await (await fetch(`${tp.gatewayUrl}/metrics`)).text();
    assert.match(metrics, /^turnpike_request_log_text_dropped_total [1-9]\d*$/m, 'the drop is counted in /metrics');
    assert.match(metrics, /^turnpike_request_log_text_waiting_bytes \d+$/m);
  } finally {
    await tp.stop();
  }
});
