// The harness on its own, against a shell script that plays the turnpike binary's process
// contract (start-up lines, CLI output), so it can be tested before the real binary exists.
// Run: node --test tests/lib/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFake, startTurnpike } from './harness.mjs';

const STUB = `#!/bin/sh
echo "$*" >> "$TURNPIKE_DATA_DIR/calls.log"
env > "$TURNPIKE_DATA_DIR/env.$1"
case "$STUB_MODE:$1:$2" in
  fail-migrate:migrate:*) echo "migration 3 failed: disk full" >&2; exit 3 ;;
  *:migrate:*|*:catalog:import) exit 0 ;;
  die:serve:*) echo "config error: TURNPIKE_GATEWAY_PORT is bad" >&2; exit 1 ;;
  silent:serve:*) echo "turnpike gateway listening on http://127.0.0.1:1"; exec sleep 60 ;;
  *:serve:*)
    trap 'echo "bye"; exit 0' TERM
    echo "[info] turnpike gateway listening on http://127.0.0.1:4111"
    echo "[info] turnpike control listening on http://127.0.0.1:3111" >&2
    echo "admin email: admin@example.test"
    echo "admin password: s3cret-pw"
    echo "api key: sk-tp-v1-bootstrap"
    echo "turnpike ready"
    while :; do sleep 0.05; done ;;
  *:user:create) echo "created user"; echo 42 ;;
  *:key:create) echo "Save this key, it is shown once:"; echo "sk-tp-v1-newkey" ;;
  *) echo "unknown command: $*" >&2; exit 2 ;;
esac
`;

let dir;
let bin;
let fake;
before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harness-test-'));
  bin = path.join(dir, 'turnpike');
  fs.writeFileSync(bin, STUB, { mode: 0o755 });
  process.env.TURNPIKE_BIN = bin;
  process.env.TURNPIKE_TEST_DATABASE = 'sqlite';  // the stub has no database to make
  fake = await startFake();
});
after(async () => {
  await fake?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('startTurnpike runs migrate, catalog import, serve; parses the lines; drives the CLI', async () => {
  const tp = await startTurnpike({ fake, catalog: 'tests/fixtures/catalog-test.toml', env: { EXTRA: 'yes' }, database: 'sqlite' });
  assert.equal(tp.gatewayUrl, 'http://127.0.0.1:4111');
  assert.equal(tp.controlUrl, 'http://127.0.0.1:3111');
  assert.deepEqual(tp.bootstrap, { email: 'admin@example.test', password: 's3cret-pw', apiKey: 'sk-tp-v1-bootstrap' });
  assert.equal(tp.databaseUrl, `sqlite://${tp.dataDir}/turnpike.db`);
  assert.match(tp.output(), /turnpike ready/);

  const calls = fs.readFileSync(path.join(tp.dataDir, 'calls.log'), 'utf8').trim().split('\n');
  assert.equal(calls[0], 'migrate');
  assert.match(calls[1], /^catalog import \/.*tests\/fixtures\/catalog-test\.toml$/);
  assert.equal(calls[2], 'serve');

  const env = Object.fromEntries(fs.readFileSync(path.join(tp.dataDir, 'env.serve'), 'utf8')
    .trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  assert.equal(env.DATABASE_URL, tp.databaseUrl);
  assert.equal(env.TURNPIKE_HOST, '127.0.0.1');
  assert.equal(env.TURNPIKE_GATEWAY_PORT, '0');
  assert.equal(env.TURNPIKE_CONTROL_PORT, '0');
  assert.equal(env.TURNPIKE_DATA_DIR, tp.dataDir);
  assert.equal(env.OPENAI_BASE_URL, `${fake.url}/v1`);
  assert.equal(env.OPENAI_API_KEY, 'test-upstream-key');
  assert.equal(env.ANTHROPIC_BASE_URL, fake.url, 'no /v1: the adapter adds /v1/messages');
  assert.equal(env.ANTHROPIC_API_KEY, 'test-upstream-key');
  assert.equal(env.GOOGLE_BASE_URL, fake.url, 'no /v1beta: the adapter adds it');
  assert.equal(env.GOOGLE_API_KEY, 'test-upstream-key');
  assert.equal(env.FAKE_CHEAP_BASE_URL, `${fake.url}/cheap/v1`);
  assert.equal(env.FAKE_PRICEY_BASE_URL, `${fake.url}/pricey/v1`);
  assert.equal(env.EXTRA, 'yes');

  assert.equal(await tp.createUser({ email: 'a@example.test', credits: '5', admin: true }), 42);
  assert.equal(await tp.createKey({ email: 'a@example.test', limit: '1' }), 'sk-tp-v1-newkey');
  const acct = await tp.account();
  assert.equal(acct.key, 'sk-tp-v1-newkey');
  assert.match(acct.email, /^user-[0-9a-f]+@example\.test$/);
  const log = fs.readFileSync(path.join(tp.dataDir, 'calls.log'), 'utf8');
  assert.match(log, /user create --email a@example\.test --password \S+ --admin --credits 5\n/);
  assert.match(log, /key create --email a@example\.test --name test --limit 1\n/);
  assert.match(log, /user create --email user-[0-9a-f]+@example\.test --password \S+ --credits 10\n/);

  const r = await tp.cli(['nonsense']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown command: nonsense/);
  assert.equal(await tp.stop(), 0, 'SIGTERM, then the exit code');
  assert.match(tp.output(), /bye/);
});

test('a failing step or a server that never gets ready throws with its output', async () => {
  await assert.rejects(startTurnpike({ env: { STUB_MODE: 'fail-migrate' } }), /migrate exited 3[\s\S]*disk full/);
  await assert.rejects(startTurnpike({ env: { STUB_MODE: 'die' } }), /exited \(1\)[\s\S]*TURNPIKE_GATEWAY_PORT is bad/);
  const t0 = Date.now();
  await assert.rejects(startTurnpike({ env: { STUB_MODE: 'silent' } }), /no "turnpike ready" \(after both listening lines\) within 15000 ms[\s\S]*listening/);
  assert.ok(Date.now() - t0 < 20_000);
});

test('a missing binary is named in the error', async () => {
  const saved = process.env.TURNPIKE_BIN;
  process.env.TURNPIKE_BIN = path.join(dir, 'nope');
  try {
    await assert.rejects(startTurnpike(), /turnpike binary not found at .*nope.*TURNPIKE_BIN/);
  } finally {
    process.env.TURNPIKE_BIN = saved;
  }
});
