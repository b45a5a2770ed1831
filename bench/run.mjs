#!/usr/bin/env node
// The Turnpike benchmark (docs/architecture.md §9.2). One upstream nginx answers with recorded
// OpenAI bytes (a non-streamed body, and an SSE stream on another path); the same requests are
// measured three ways in one run on this machine:
//   direct   client → upstream nginx
//   nginx    client → nginx reverse proxy (its own instance; keep-alive pool) → upstream nginx
//   turnpike client → turnpike gateway (auth, routing, hold, settle, request log) → upstream nginx
// Measured: non-streamed latency at one connection and throughput at --connections (wrk), CPU per
// request (/proc of the proxy's own processes over the loaded run), the same for streamed answers
// plus time to first token (bench/ttft.mjs), Turnpike with billing and logging off, Turnpike on
// PostgreSQL with one replica and with two (bench/pg.mjs; --skip-pg leaves it out), peak memory,
// and --streams slow streams held open at once (bench/open-streams.mjs). Results are ratios of
// this run, never absolutes. One table at the end; --json writes every figure.
//
//   node bench/run.mjs [--seconds 10] [--connections 32] [--threads 1] [--json out.json]
//                      [--streams 10000] [--skip-slow-streams] [--ttft-requests 2000] [--skip-pg]
//
// Needs build/turnpike ($TURNPIKE_BIN), nginx and wrk (scripts/install-deps --bench installs the last two).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { NGINX, ROOT, WRK, cpuSeconds, freePort, fsyncLatency, kill, memKiB, nginxLiteral, processTree, startNginx,
  startTurnpike, waitFor, wrk } from './lib.mjs';
import { openStreamsPhase, startSlowUpstream } from './open-streams.mjs';
import { pgPhase, pgServer } from './pg.mjs';
import { renderTable } from './table.mjs';
import { eventsPerStream, timeToFirstToken } from './ttft.mjs';

const { values: opt } = parseArgs({ options: {
  seconds: { type: 'string', default: '10' },
  connections: { type: 'string', default: '32' },
  threads: { type: 'string', default: '1' },
  json: { type: 'string' },
  streams: { type: 'string', default: '10000' },
  'skip-slow-streams': { type: 'boolean', default: false },
  'ttft-requests': { type: 'string', default: '2000' },
  'open-seconds': { type: 'string', default: '60' },
  'skip-pg': { type: 'boolean', default: false },
} });
const SECONDS = Number(opt.seconds);
const CONNECTIONS = Number(opt.connections);
const THREADS = Number(opt.threads);  // turnpike event loops and nginx workers alike
const BIN = process.env.TURNPIKE_BIN ?? path.join(ROOT, 'build/turnpike');
const log = (s) => console.error(s);

for (const [what, p] of [['build/turnpike (make build)', fs.existsSync(BIN) && BIN], ['nginx', NGINX], ['wrk', WRK]]) {
  if (!p) {
    console.error(`bench: ${what} not found; scripts/install-deps --bench installs nginx and wrk`);
    process.exit(2);
  }
}

// What else would move the figures: other work on the machine, and the disk's flush time (every
// Turnpike request waits for durable commits).
const loadBefore = os.loadavg()[0];
if (loadBefore > 1) log(`bench: load average ${loadBefore.toFixed(2)} before starting: other work on this machine will skew the figures`);
const fsyncMs = fsyncLatency();

// The recorded bytes the upstream returns.
const fixture = (f) => fs.readFileSync(path.join(ROOT, 'tests/fixtures/providers/openai', f), 'utf8');
const answer = nginxLiteral(JSON.stringify(JSON.parse(fixture('chat-nonstream-text-after-tool-results.json'))), 'the recorded answer');
const stream = nginxLiteral(fixture('chat-stream-text-include-usage.sse'), 'the recorded stream');

const upstreamPort = freePort();
const proxyPort = freePort();
const upstream = startNginx('upstream', THREADS, `
  server {
    listen 127.0.0.1:${upstreamPort};
    location /stream/ { default_type text/event-stream; return 200 '${stream}'; }
    location / { default_type application/json; return 200 '${answer}'; }
  }`);
// Streams must pass through as they come: proxy_buffering off on the streamed path (what anyone
// proxying SSE configures); the non-streamed path keeps nginx's default buffering.
const proxy = startNginx('proxy', THREADS, `
  upstream recorded { server 127.0.0.1:${upstreamPort}; keepalive 256; }
  server {
    listen 127.0.0.1:${proxyPort};
    location / { proxy_pass http://recorded; proxy_http_version 1.1; proxy_set_header Connection ""; }
    location /stream/ {
      proxy_pass http://recorded; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_buffering off;
    }
  }`);

const slow = opt['skip-slow-streams'] ? null : await startSlowUpstream();
const providerEnv = {
  BENCH_UPSTREAM_API_KEY: 'bench',
  BENCH_UPSTREAM_BASE_URL: `http://127.0.0.1:${upstreamPort}/v1`,
  BENCH_STREAM_BASE_URL: `http://127.0.0.1:${upstreamPort}/stream/v1`,
  BENCH_SLOW_BASE_URL: slow?.baseUrl ?? 'http://127.0.0.1:9/v1',
};
// The upstream pool allows 256 connections per host by default, queueing the rest: too few for the
// open streams, each of which holds one for its whole life.
const config = '[upstream]\nmax_connections_per_host = 20000\n';
const turnpike = await startTurnpike({ bin: BIN, name: 'turnpike', threads: THREADS, config, providerEnv });

await waitFor(`http://127.0.0.1:${upstreamPort}/v1/chat/completions`);
await waitFor(`http://127.0.0.1:${proxyPort}/v1/chat/completions`);

const targets = [
  { name: 'direct', url: `http://127.0.0.1:${upstreamPort}/v1/chat/completions`,
    streamUrl: `http://127.0.0.1:${upstreamPort}/stream/v1/chat/completions`, key: '', pids: processTree(upstream.pid) },
  { name: 'nginx', url: `http://127.0.0.1:${proxyPort}/v1/chat/completions`,
    streamUrl: `http://127.0.0.1:${proxyPort}/stream/v1/chat/completions`, key: '', pids: processTree(proxy.pid) },
  { name: 'turnpike', url: turnpike.url('/api/v1/chat/completions'), streamUrl: turnpike.url('/api/v1/chat/completions'),
    key: turnpike.key, pids: [turnpike.pid] },
];
if (targets[0].pids.length < 2 || targets[1].pids.length < 2) throw new Error('nginx workers not found in /proc');

// wrk at --connections, with the CPU the target's own processes spent meanwhile, per request.
function loaded(target, stream) {
  const before = cpuSeconds(target.pids);
  const r = wrk(target, { connections: CONNECTIONS, seconds: SECONDS, stream });
  return { ...r, cpu_us_per_request: ((cpuSeconds(target.pids) - before) / r.requests) * 1e6 };
}

const results = { direct: {}, nginx: {}, turnpike: {} };
for (const t of targets) results[t.name].events_per_stream = await eventsPerStream(t);
// Warm every path (connection pools, caches), then measure.
for (const t of targets) {
  wrk(t, { connections: 4, seconds: 1 });
  wrk(t, { connections: 4, seconds: 1, stream: true });
}

log('non-streamed: latency at 1 connection, throughput and CPU at load');
for (const t of targets) {
  const latency = wrk(t, { connections: 1, seconds: Math.max(3, Math.round(SECONDS / 2)) });
  Object.assign(results[t.name], { p50_ms: latency.p50, p99_ms: latency.p99, rps_1conn: latency.rps });
  const load = loaded(t, false);
  Object.assign(results[t.name], { rps: load.rps, p99_ms_loaded: load.p99, cpu_us: load.cpu_us_per_request });
}

// Billing and the request log on vs off: two fresh Turnpikes of the same build, one with both off,
// in alternating rounds (so drift of the machine between two runs is not taken for a difference).
// Both fresh because a Turnpike that has already served the runs above is not comparable with a new
// one; the run's own Turnpike takes part in the rounds too, to show by how much.
log('non-streamed: turnpike with billing and logging on, then off, alternately');
const fresh = {
  on: await startTurnpike({ bin: BIN, name: 'turnpike-on', threads: THREADS, config, providerEnv }),
  off: await startTurnpike({ bin: BIN, name: 'turnpike-off', threads: THREADS, config, providerEnv,
    extraEnv: { TURNPIKE_BILLING_ENABLED: 'false', TURNPIKE_LOG_REQUESTS: 'false' } }),
};
const billingTargets = {
  used: targets[2],
  ...Object.fromEntries(Object.entries(fresh).map(([k, tp]) => [k,
    { ...targets[2], name: `turnpike (fresh, billing ${k})`, url: tp.url('/api/v1/chat/completions'), key: tp.key, pids: [tp.pid] }])),
};
const rounds = {};
const roundSeconds = Math.max(2, Math.round(SECONDS / 2));
for (const t of Object.values(billingTargets)) wrk(t, { connections: 4, seconds: 1 });
for (let i = 0; i < 2; i++) {
  for (const [which, t] of Object.entries(billingTargets)) {
    rounds[which] ??= { rps: 0, requests: 0, cpu: 0 };
    const before = cpuSeconds(t.pids);
    const r = wrk(t, { connections: CONNECTIONS, seconds: roundSeconds });
    rounds[which].rps += r.rps / 2;
    rounds[which].requests += r.requests;
    rounds[which].cpu += cpuSeconds(t.pids) - before;
  }
}
results.billing = Object.fromEntries(Object.entries(rounds)
  .map(([k, r]) => [k, { rps: r.rps, cpu_us: (r.cpu / r.requests) * 1e6 }]));
for (const tp of Object.values(fresh)) kill(tp.child);

let pg = null;
if (!opt['skip-pg']) {
  const server = pgServer();
  if (server.url) {
    log(`non-streamed: turnpike on PostgreSQL (${server.source}), one replica, then two`);
    pg = { source: server.source, ...await pgPhase({ server: server.url, bin: BIN, threads: THREADS, config, providerEnv,
      connections: CONNECTIONS, seconds: SECONDS, log }) };
  } else {
    log(`bench: no PostgreSQL rows: ${server.why}`);
    pg = { skipped: server.why };
  }
}
results.pg = pg;

log(`streamed: time to first token (${opt['ttft-requests']} requests at 1 connection), events/s and CPU at load`);
for (const t of targets) {
  const ttft = await timeToFirstToken(t, Number(opt['ttft-requests']));
  Object.assign(results[t.name], { ttft_p50_ms: ttft.p50, ttft_p99_ms: ttft.p99 });
  const load = loaded(t, true);
  Object.assign(results[t.name], { streams_per_s: load.rps, events_per_s: load.rps * results[t.name].events_per_stream,
    stream_cpu_us: load.cpu_us_per_request });
}

// Peak resident memory over the load runs (nginx: master and workers together).
for (const t of targets) results[t.name].hwm_kib = memKiB(t.pids, 'VmHWM');

let streams = null;
if (slow) {
  log(`open streams: up to ${opt.streams} slow streams through turnpike at once`);
  streams = await openStreamsPhase({ turnpike, upstream: slow, requested: Number(opt.streams),
    openSeconds: Number(opt['open-seconds']), log });
  results.turnpike.hwm_end_kib = memKiB(turnpike.pid, 'VmHWM');
}
if (turnpike.exited() !== null) throw new Error(`turnpike exited (${turnpike.exited()}) during the run`);

// What Turnpike logged at warn or above during the run: evidence when something went wrong.
const warnings = turnpike.readLog().split('\n').filter((l) => /\[(warning|error|critical)\]/.test(l));

// Which Turnpike was measured: the last commit to its sources (bench/ commits do not change it),
// marked when the checkout has uncommitted changes there. The binary is trusted to be built from it.
let commit = '?';
try {
  const git = (...a) => execFileSync('git', ['-C', ROOT, ...a], { encoding: 'utf8' }).trim();
  const sources = ['src', 'CMakeLists.txt', 'cmake'];
  commit = git('log', '-1', '--format=%h', '--', ...sources)
    + (git('status', '--porcelain', '--', ...sources) ? '+uncommitted changes' : '');
} catch {
  // not a checkout
}
const meta = { date: new Date().toISOString(), commit, bin: path.relative(ROOT, BIN) || BIN, cores: os.cpus().length,
  cpu: os.cpus()[0]?.model ?? '?', threads: THREADS, connections: CONNECTIONS, seconds: SECONDS,
  load_before: loadBefore, fsync_ms: fsyncMs };
console.log(renderTable(meta, results, streams));
if (warnings.length) {
  console.log(`\nturnpike logged ${warnings.length} warning/error line(s); the first ones:`);
  for (const l of warnings.slice(0, 10)) console.log(`    ${l}`);
}
if (opt.json) fs.writeFileSync(opt.json, JSON.stringify({ ...meta, results, streams, warnings: warnings.length }, null, 2));
// A stream that failed is a failed run, after the table has said what was measured.
process.exit(streams && (streams.failed > 0 || streams.live < streams.count) ? 1 : 0);
