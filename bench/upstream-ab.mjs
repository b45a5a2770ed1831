#!/usr/bin/env node
// The two upstream clients side by side (upstream.client = native vs curl, docs/architecture.md
// §5.1): fresh Turnpikes of the same build against the same upstream nginx, measured in
// alternating rounds so that drift of the machine is not taken for a difference. Each pair runs
// with billing and the request log on (the real hot path) and off (where the upstream client's
// share of the CPU shows most). Prints req/s and CPU µs per request for non-streamed and streamed
// answers; the ratio native / curl is the figure to read.
//
//   node bench/upstream-ab.mjs [--seconds 3] [--rounds 3] [--connections 32]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, cpuSeconds, freePort, kill, nginxLiteral, startNginx, startTurnpike, waitFor, wrk } from './lib.mjs';

const { values: opt } = parseArgs({ options: {
  seconds: { type: 'string', default: '3' },
  rounds: { type: 'string', default: '3' },
  connections: { type: 'string', default: '32' },
} });
const BIN = process.env.TURNPIKE_BIN ?? path.join(ROOT, 'build/turnpike');
const fixture = (f) => fs.readFileSync(path.join(ROOT, 'tests/fixtures/providers/openai', f), 'utf8');
const answer = nginxLiteral(JSON.stringify(JSON.parse(fixture('chat-nonstream-text-after-tool-results.json'))), 'answer');
const stream = nginxLiteral(fixture('chat-stream-text-include-usage.sse'), 'stream');

const upstreamPort = freePort();
startNginx('upstream', 1, `
  server {
    listen 127.0.0.1:${upstreamPort};
    location /stream/ { default_type text/event-stream; return 200 '${stream}'; }
    location / { default_type application/json; return 200 '${answer}'; }
  }`);
await waitFor(`http://127.0.0.1:${upstreamPort}/v1/chat/completions`);
const providerEnv = {
  BENCH_UPSTREAM_KEY: 'bench',
  BENCH_UPSTREAM_BASE_URL: `http://127.0.0.1:${upstreamPort}/v1`,
  BENCH_STREAM_BASE_URL: `http://127.0.0.1:${upstreamPort}/stream/v1`,
  BENCH_SLOW_BASE_URL: 'http://127.0.0.1:9/v1',
};
const off = { TURNPIKE_BILLING_ENABLED: 'false', TURNPIKE_LOG_REQUESTS: 'false' };

const targets = [];
for (const billing of ['on', 'off']) {
  for (const client of ['native', 'curl']) {
    const tp = await startTurnpike({ bin: BIN, name: `tp-${client}-${billing}`, threads: 1, config: '', providerEnv,
      extraEnv: { TURNPIKE_UPSTREAM_CLIENT: client, ...(billing === 'off' ? off : {}) } });
    const url = tp.url('/api/v1/chat/completions');
    targets.push({ name: `${client}, billing ${billing}`, client, billing, url, streamUrl: url, key: tp.key, pids: [tp.pid], tp });
  }
}
for (const t of targets) {
  wrk(t, { connections: 4, seconds: 1 });
  wrk(t, { connections: 4, seconds: 1, stream: true });
}

const sums = new Map();
for (let i = 0; i < Number(opt.rounds); i++) {
  for (const stream of [false, true]) {
    for (const t of targets) {
      const before = cpuSeconds(t.pids);
      const r = wrk(t, { connections: Number(opt.connections), seconds: Number(opt.seconds), stream });
      const key = `${t.name}|${stream}`;
      const s = sums.get(key) ?? { rps: 0, requests: 0, cpu: 0 };
      s.rps += r.rps / Number(opt.rounds);
      s.requests += r.requests;
      s.cpu += cpuSeconds(t.pids) - before;
      sums.set(key, s);
    }
  }
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
console.log(`upstream clients A/B — ${new Date().toISOString()}, ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(2)} at the end, ` +
  `${opt.rounds} rounds of ${opt.seconds} s, ${opt.connections} connections\n`);
console.log('| billing | answers | native req/s | curl req/s | ratio | native CPU µs/req | curl CPU µs/req | ratio |');
console.log('|---|---|---|---|---|---|---|---|');
for (const billing of ['on', 'off']) {
  for (const stream of [false, true]) {
    const [n, c] = ['native', 'curl'].map((client) => sums.get(`${client}, billing ${billing}|${stream}`));
    const [ncpu, ccpu] = [n, c].map((s) => (s.cpu / s.requests) * 1e6);
    console.log(`| ${billing} | ${stream ? 'streamed' : 'non-streamed'} | ${fmt(n.rps)} | ${fmt(c.rps)} | ${(n.rps / c.rps).toFixed(2)}× | ` +
      `${fmt(ncpu)} | ${fmt(ccpu)} | ${(ncpu / ccpu).toFixed(2)}× |`);
  }
}
for (const t of targets) kill(t.tp.child);
process.exit(0);
