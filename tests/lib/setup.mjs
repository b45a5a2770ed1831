// One fake provider and one Turnpike server per test file, started in `before` and stopped in
// `after`. Set TURNPIKE_TEST_LOG=1 to print the server's output when the file ends.
import { before, after } from 'node:test';
import { startFake, startTurnpike } from './harness.mjs';
import { TEST_CATALOG } from './gateway.mjs';

// The fake only accepts this key, so a 200 from it proves the gateway sent the provider's key.
export const UPSTREAM_KEY = 'test-upstream-key';

export function useServer({ catalog = TEST_CATALOG, env = {}, fakeArgs = [] } = {}) {
  const ctx = { fake: null, tp: null };
  before(async () => {
    ctx.fake = await startFake({ args: ['--api-key', UPSTREAM_KEY, ...fakeArgs] });
    ctx.tp = await startTurnpike({ fake: ctx.fake, env, catalog });
  });
  after(async () => {
    if (process.env.TURNPIKE_TEST_LOG && ctx.tp) process.stderr.write(ctx.tp.output());
    await ctx.tp?.stop();
    await ctx.fake?.stop();
  });
  return ctx;
}
