// The README's script (docs/examples/account-flow.sh) runs as documented against a real server:
// sign up, create a key, top up through the sandbox, spend through the gateway, read the log and
// the activity — all through the APIs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT, startFake, startTurnpike } from '../lib/harness.mjs';

let fake;
let tp;
before(async () => {
  fake = await startFake({ args: ['--api-key', 'test-upstream-key'] });
  tp = await startTurnpike({ fake });
});
after(async () => {
  await tp?.stop();
  await fake?.stop();
});

test('docs/examples/account-flow.sh: sign up → key → top-up → spend → log and activity', () => {
  const email = `flow-${Date.now()}@example.com`;
  const r = spawnSync('bash', [path.join(ROOT, 'docs/examples/account-flow.sh')], {
    env: { ...process.env, CONTROL: tp.controlUrl, GATEWAY: tp.gatewayUrl, EMAIL: email },
    encoding: 'utf8',
    timeout: 30_000,
  });
  console.log(r.stdout);
  assert.equal(r.status, 0, `the script failed:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, new RegExp(`signed up as ${email}`));
  assert.match(r.stdout, /^balance: 10000000 micro-USD$/m, 'the sandbox top-up of $10 arrived');
  const cost = Number(/cost of the call \(USD\): ([0-9.]+)/.exec(r.stdout)[1]);
  assert.ok(cost > 0, 'the call was charged');
  assert.match(r.stdout, /^logged requests: 1$/m);
  const micros = Math.round(cost * 1e6);
  assert.match(r.stdout, new RegExp(`^activity: 1 requests, ${micros} micro-USD$`, 'm'));
  assert.match(r.stdout, new RegExp(`^balance after: ${10_000_000 - micros} micro-USD$`, 'm'));
});
