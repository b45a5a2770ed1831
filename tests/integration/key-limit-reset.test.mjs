// Spending limits that reset (OpenRouter's `limit_reset`) from end to end. Keys made by the CLI
// (`key create --limit-reset`) with a daily, weekly and monthly limit, and one whose limit never
// resets, each spend until the gateway refuses them (402). The same database is then served as if
// one day later, and again as if 32 days later (libfaketime shifts the serving process's clock,
// nothing else): a key whose period has turned may spend its limit again, and only its limit; one
// whose period has not, and the lifetime key, stay refused. GET /api/v1/key reports the period's
// `limit_remaining` and the key's `usage` over its life; the control API's key object carries
// `limit_reset` and `limit_usage_micros` (tests/control/keys.test.mjs); the CLI refuses bad values.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startFake, startTurnpike } from '../lib/harness.mjs';
import { UPSTREAM_KEY } from '../lib/setup.mjs';
import { TEST_CATALOG, chatJson, getJson, keyList, measureHold, usdToMicros, userMessage } from '../lib/gateway.mjs';

const FAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
const DAY_MS = 86_400_000;
const ctx = { fake: null, tp: null };

before(async () => {
  assert.ok(fs.existsSync(FAKETIME), `libfaketime is installed (${FAKETIME}): scripts/install-deps`);
  ctx.fake = await startFake({ args: ['--api-key', UPSTREAM_KEY] });
  ctx.tp = await startTurnpike({ fake: ctx.fake, catalog: TEST_CATALOG });
});

after(async () => {
  await ctx.tp?.stop();
  await ctx.fake?.stop();
});

// The serving process's clock `days` days ahead; steady clocks (timeouts) stay real.
function daysAhead(days) {
  return { LD_PRELOAD: FAKETIME, FAKETIME: `+${days}d`, FAKETIME_DONT_FAKE_MONOTONIC: '1' };
}

// The start (ms) of the UTC day, week (from Monday) or month around `ms`.
function periodStart(reset, ms) {
  const d = new Date(ms);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (reset === 'daily') return day;
  if (reset === 'weekly') return day - ((d.getUTCDay() + 6) % 7) * DAY_MS;
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

// The end (ms) of that period: the next one's start.
function periodEnd(reset, ms) {
  if (reset === 'daily') return periodStart(reset, ms) + DAY_MS;
  if (reset === 'weekly') return periodStart(reset, ms) + 7 * DAY_MS;
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

const request = (tag) => userMessage(`limit reset: ${tag}`, { max_tokens: 40 });

// Sends requests with `key` until one is refused; returns how many were answered. Each must be a
// 200 until the refusal, a 402 naming the key's limit.
async function spendUntilRefused(tp, key, what, reset, days = 0) {
  for (let n = 0; n < 30; n++) {
    const r = await chatJson(tp, key, request(`${what} ${n}`));
    if (r.status === 402) {
      const { message } = r.body.error;
      if (reset === 'never') {
        assert.match(message, /^This API key's spending limit does not cover this request/, `${what}: the 402 names the key's limit`);
      } else {
        // It says when the next period begins.
        const next = periodEnd(reset, Date.now() + days * DAY_MS);
        assert.match(message, new RegExp(`^This API key's ${reset} spending limit does not cover this request`), what);
        assert.ok(message.includes(`starts again at ${new Date(next).toISOString().replace('.000Z', 'Z')}`), `${what}: ${message}`);
      }
      return n;
    }
    assert.equal(r.status, 200, `${what} request ${n}: ${JSON.stringify(r.body)}`);
  }
  assert.fail(`${what}: still answered after 30 requests`);
}

// The key's `usage` (over its life) and `limit_remaining` (in its period), in µUSD.
async function keyFigures(tp, key) {
  const me = (await getJson(tp, '/api/v1/key', key)).body.data;
  return { me, usage: usdToMicros(me.usage), remaining: usdToMicros(me.limit_remaining) };
}

test('a daily, weekly or monthly limit lets a key spend again once its period turns; a lifetime limit does not', async () => {
  let { tp } = ctx;
  // What one request holds (seen while it is in flight) and costs, on a key without a limit.
  const probe = await tp.account({ credits: '50' });
  const { hold, response } = await measureHold(tp, probe.key, request('[[fake:delay-ms=600]] probe'));
  assert.equal(response.status, 200, JSON.stringify(response.body));
  const cost = usdToMicros(response.body.usage.cost);
  assert.ok(hold > 0 && cost > 0 && cost <= hold, `hold ${hold} µUSD, cost ${cost} µUSD`);
  // Room for one hold and two more requests' cost: a few requests fit, then one is refused.
  const limitMicros = hold + 2 * cost;
  const limitUsd = (limitMicros / 1e6).toFixed(6);

  const resets = ['daily', 'weekly', 'monthly', 'never'];
  const keys = {};
  for (const reset of resets) {
    const r = await tp.cli(['key', 'create', '--email', probe.email, '--name', reset, '--limit', limitUsd, '--limit-reset', reset]);
    assert.equal(r.code, 0, r.stderr);
    keys[reset] = r.stdout.trim();
  }
  const listed = await keyList(tp, probe.email);
  for (const reset of resets) {
    const row = listed.find((k) => k.name === reset);
    assert.equal(row.limit_reset, reset === 'never' ? null : reset, `key list: ${reset}`);
    assert.equal(row.limit_micros, limitMicros);
    assert.equal(row.limit_usage_micros, 0);
  }

  // Per key: how many requests its first period allowed, when it last spent (ms, on the serving
  // clock) and its usage then.
  const first = {}, lastSpend = {}, usageBefore = {};
  for (const reset of resets) {
    first[reset] = await spendUntilRefused(tp, keys[reset], `${reset}, today`, reset);
    assert.ok(first[reset] >= 1, `${reset}: at least one request fits the limit`);
    lastSpend[reset] = Date.now();
    const { me, usage, remaining } = await keyFigures(tp, keys[reset]);
    assert.equal(me.limit_reset, reset === 'never' ? null : reset, `/key: ${reset}`);
    assert.equal(usdToMicros(me.limit), limitMicros);
    assert.ok(remaining < hold, `${reset}: less than a request's hold remains (${remaining} µUSD)`);
    assert.equal(usage + remaining, limitMicros, `${reset}: all its spend is this period's`);
    usageBefore[reset] = usage;
  }

  const dataDir = tp.dataDir;
  for (const days of [1, 32]) {
    await tp.stop();
    tp = ctx.tp = await startTurnpike({ fake: ctx.fake, catalog: TEST_CATALOG, dataDir, serveEnv: daysAhead(days) });
    for (const reset of resets) {
      const key = keys[reset];
      // The key's period turned if the period holding the serving clock's now began after its last spend.
      const turned = reset !== 'never' && periodStart(reset, Date.now() + days * DAY_MS) > lastSpend[reset];
      const r = await chatJson(tp, key, request(`${reset} +${days}d`));
      if (!turned) {
        assert.equal(r.status, 402, `${reset} +${days}d: its period has not turned (${JSON.stringify(r.body)})`);
        continue;
      }
      assert.equal(r.status, 200, `${reset} +${days}d: a new period (${JSON.stringify(r.body)})`);
      const { usage, remaining } = await keyFigures(tp, key);
      assert.ok(usage > usageBefore[reset], `${reset} +${days}d: usage stays the key's life's and grows`);
      assert.equal(remaining, limitMicros - (usage - usageBefore[reset]), `${reset} +${days}d: what remains is the new period's`);
      // The new period allows what the first did, give or take one request.
      const again = 1 + await spendUntilRefused(tp, key, `${reset} +${days}d`, reset, days);
      assert.ok(Math.abs(again - first[reset]) <= 1, `${reset} +${days}d: ${again} requests, ${first[reset]} in the first period`);
      lastSpend[reset] = Date.now() + days * DAY_MS;
      usageBefore[reset] = (await keyFigures(tp, key)).usage;
    }
  }
});

test('limit_reset through the CLI: set, changed, cleared, and bad values refused', async () => {
  const { tp } = ctx;
  const { email } = await tp.account({ credits: '1' });
  const made = await tp.cli(['key', 'create', '--email', email, '--name', 'cli', '--limit', '2', '--limit-reset', 'weekly']);
  assert.equal(made.code, 0, made.stderr);
  const { id } = (await keyList(tp, email)).find((k) => k.name === 'cli');
  let r = await tp.cli(['key', 'set-limits', '--id', String(id), '--limit-reset', 'monthly']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), {
    id, limit_micros: 2_000_000, limit_reset: 'monthly', limit_usage_micros: 0, rpm_limit: null, tpm_limit: null,
  });
  r = await tp.cli(['key', 'set-limits', '--id', String(id), '--limit', 'none', '--limit-reset', 'never']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).limit_micros, null);
  assert.equal(JSON.parse(r.stdout).limit_reset, null);
  for (const bad of [['--limit-reset', 'yearly'], ['--limit-reset', ''], ['--limit', 'ten']]) {
    r = await tp.cli(['key', 'set-limits', '--id', String(id), ...bad]);
    assert.notEqual(r.code, 0, `set-limits ${bad.join(' ')} fails`);
    assert.match(r.stderr, new RegExp(bad[0]), `set-limits ${bad.join(' ')}`);
  }
  r = await tp.cli(['key', 'create', '--email', email, '--name', 'bad', '--limit-reset', 'Daily']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /--limit-reset: daily, weekly, monthly or never/);
  assert.equal((await keyList(tp, email)).length, 2, 'the refused key was not made');
});
