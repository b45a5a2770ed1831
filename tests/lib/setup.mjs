// One fake provider and one Turnpike server per test file, started in `before` and stopped in
// `after`. Set TURNPIKE_TEST_LOG=1 to print the server's output when the file ends.
import { before, after } from 'node:test';
import { startFake, startTurnpike } from './harness.mjs';
import { TEST_CATALOG, startJsonUpstream } from './gateway.mjs';
import { scanForSecrets } from './secrets.mjs';

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
    // Every answer read through lib/gateway.mjs and every line the server printed (but the two
    // lines of a first start that show the bootstrap admin's password and key, on purpose).
    const output = (ctx.tp?.output() ?? '').split('\n').filter((l) => !/admin password:|api key: sk-tp-/.test(l)).join('\n');
    const { found, summary } = scanForSecrets(output);
    if (process.env.TURNPIKE_TEST_LOG) console.log(`secrets scan: ${summary}`);
    if (found.length > 0) throw new Error(`secrets leaked (${summary}):\n${found.join('\n')}`);
  });
  return ctx;
}

// One Turnpike per test file on the test catalog whose providers (fakeco/duo, fakeco/solo) are
// one upstream answering every request with `answer` (startJsonUpstream), for a test whose
// provider must say one exact thing; `env` adds settings. ctx: { upstream, tp }.
export function useJsonUpstream(answer, { env = {} } = {}) {
  const ctx = { upstream: null, tp: null };
  before(async () => {
    ctx.upstream = await startJsonUpstream(answer);
    const { base } = ctx.upstream;
    ctx.tp = await startTurnpike({
      catalog: TEST_CATALOG,
      env: { FAKE_CHEAP_BASE_URL: base, FAKE_PRICEY_BASE_URL: base, OPENAI_API_KEY: 'k', ...env },
    });
  });
  after(async () => {
    await ctx.tp?.stop();
    await ctx.upstream?.close();
  });
  return ctx;
}
