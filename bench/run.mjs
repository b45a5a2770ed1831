#!/usr/bin/env node
// The Turnpike benchmark (docs/architecture.md §9.2): the same non-streamed chat completion, answered by one
// nginx "upstream" with a recorded OpenAI body, measured three ways in one run on this machine:
//   direct   wrk → upstream
//   nginx    wrk → nginx reverse proxy (keep-alive upstream pool) → upstream
//   turnpike wrk → turnpike gateway (auth, routing, hold, settle, request log) → upstream
// Latency at low load: one connection, requests back to back (wrk -c1 --latency): p50 / p99.
// Throughput: wrk -c<connections> for <seconds>. Results are ratios of this run, never absolutes.
//
//   node bench/run.mjs [--seconds 10] [--connections 32] [--threads 1]
//
// Needs build/turnpike, nginx and wrk (scripts/install-deps --bench installs the last two).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = Object.fromEntries(process.argv.slice(2).join(' ').split('--').filter(Boolean)
  .map((a) => a.trim().split(/\s+/)).map(([k, v]) => [k, v ?? 'true']));
const SECONDS = Number(args.seconds ?? 10);
const CONNECTIONS = Number(args.connections ?? 32);
const THREADS = Number(args.threads ?? 1);  // turnpike event loops and nginx workers alike
const BIN = process.env.TURNPIKE_BIN ?? path.join(ROOT, 'build/turnpike');
const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => fs.existsSync(p));
const WRK = ['/usr/bin/wrk', '/usr/local/bin/wrk'].find((p) => fs.existsSync(p));

for (const [what, p] of [['build/turnpike (make build)', fs.existsSync(BIN) && BIN], ['nginx', NGINX], ['wrk', WRK]]) {
  if (!p) {
    console.error(`bench: ${what} not found; scripts/install-deps --bench installs nginx and wrk`);
    process.exit(2);
  }
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'turnpike-bench-'));
// Every child runs in a process group of its own (nginx's workers included), killed whole at exit.
const children = [];
process.on('exit', () => {
  for (const c of children) {
    try {
      process.kill(-c.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
});
process.on('SIGINT', () => process.exit(130));

function freePort() {
  const r = spawnSync(process.execPath, ['-e',
    "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"]);
  return Number(String(r.stdout).trim());
}

// The recorded answer nginx returns (nginx `return` takes it in single quotes: none inside).
const answer = JSON.stringify(JSON.parse(fs.readFileSync(
  path.join(ROOT, 'tests/fixtures/providers/openai/chat-nonstream-text-after-tool-results.json'), 'utf8')));
if (answer.includes("'") || answer.includes('$')) throw new Error('the recorded answer cannot be inlined in nginx.conf');

const upstreamPort = freePort();
const proxyPort = freePort();
fs.mkdirSync(path.join(dir, 'nginx'));
fs.writeFileSync(path.join(dir, 'nginx.conf'), `
worker_processes ${THREADS};
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/nginx;
  proxy_temp_path ${dir}/nginx;
  fastcgi_temp_path ${dir}/nginx;
  uwsgi_temp_path ${dir}/nginx;
  scgi_temp_path ${dir}/nginx;
  keepalive_requests 1000000;
  upstream recorded { server 127.0.0.1:${upstreamPort}; keepalive 256; }
  server {
    listen 127.0.0.1:${upstreamPort};
    location / { default_type application/json; return 200 '${answer}'; }
  }
  server {
    listen 127.0.0.1:${proxyPort};
    location / {
      proxy_pass http://recorded;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`);
// Its errors go to nginx-error.log in the run's directory; no pipe is left to an orphaned worker.
const nginx = spawn(NGINX, ['-c', path.join(dir, 'nginx.conf'), '-p', dir, '-g', 'daemon off;'], { stdio: 'ignore', detached: true });
children.push(nginx);

// Turnpike on a fresh SQLite database, pointed at the upstream.
const gatewayPort = freePort();
const env = {
  ...process.env,
  DATABASE_URL: `sqlite://${dir}/bench.db`,
  TURNPIKE_DATA_DIR: dir,
  TURNPIKE_GATEWAY_PORT: String(gatewayPort),
  TURNPIKE_CONTROL_PORT: '0',
  TURNPIKE_THREADS: String(THREADS),
  TURNPIKE_LOG_LEVEL: 'warn',
  TURNPIKE_BOOTSTRAP_ADMIN: 'false',
  TURNPIKE_DASHBOARD_DIR: path.join(dir, 'no-dashboard'),
  BENCH_UPSTREAM_KEY: 'bench',
  BENCH_UPSTREAM_BASE_URL: `http://127.0.0.1:${upstreamPort}/v1`,
};
function cli(...a) {
  const r = spawnSync(BIN, a, { env, cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`turnpike ${a.join(' ')}: ${r.stderr || r.stdout}`);
  return r.stdout.trim();
}
cli('migrate');
cli('catalog', 'import', path.join(ROOT, 'bench/catalog.toml'));
cli('user', 'create', '--email', 'bench@example.test', '--password', 'bench-password-1', '--credits', '1000000');
const key = cli('key', 'create', '--email', 'bench@example.test', '--name', 'bench').split('\n').pop().trim();
const turnpike = spawn(BIN, ['serve'], { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
children.push(turnpike);
await new Promise((resolve, reject) => {
  let out = '';
  turnpike.stdout.on('data', (d) => {
    out += d;
    if (out.includes('turnpike ready')) resolve();
  });
  turnpike.once('exit', (code) => reject(new Error(`turnpike exited (${code}): ${out}`)));
});

async function waitFor(url) {
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(url, { method: 'POST', body: '{}' });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`${url} did not answer`);
}
await waitFor(`http://127.0.0.1:${upstreamPort}/v1/chat/completions`);
await waitFor(`http://127.0.0.1:${proxyPort}/v1/chat/completions`);

const targets = [
  { name: 'direct', url: `http://127.0.0.1:${upstreamPort}/v1/chat/completions`, key: '' },
  { name: 'nginx', url: `http://127.0.0.1:${proxyPort}/v1/chat/completions`, key: '' },
  { name: 'turnpike', url: `http://127.0.0.1:${gatewayPort}/api/v1/chat/completions`, key },
];

const UNIT = { us: 1e-3, ms: 1, s: 1000, m: 60_000 };
function wrk(target, connections, seconds) {
  const r = spawnSync(WRK, ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', path.join(ROOT, 'bench/request.lua'), target.url],
    { env: { ...process.env, BENCH_KEY: target.key }, encoding: 'utf8' });
  const text = r.stdout;
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1]);
  const pct = (p) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(text);
    return m ? Number(m[1]) * UNIT[m[2]] : NaN;
  };
  const errors = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(text)?.[1] ?? 0)
    + Number(/Socket errors:.*?timeout (\d+)/.exec(text)?.[1] ?? 0);
  if (!rps || errors > 0) throw new Error(`wrk against ${target.name} failed (${errors} errors):\n${text}${r.stderr}`);
  return { rps, p50: pct(50), p99: pct(99) };
}

// Warm every path (connection pools, caches), then measure.
for (const t of targets) wrk(t, 4, 1);
const results = {};
for (const t of targets) {
  const latency = wrk(t, 1, Math.max(3, Math.round(SECONDS / 2)));
  const load = wrk(t, CONNECTIONS, SECONDS);
  results[t.name] = { p50_ms: latency.p50, p99_ms: latency.p99, rps_1conn: latency.rps, rps: load.rps, p99_ms_loaded: load.p99 };
}
const rssKb = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${turnpike.pid}/status`, 'utf8'))?.[1]);

const us = (ms) => `${Math.round(ms * 1000)} µs`;
const row = (name, r) => `| ${name} | ${us(r.p50_ms)} | ${us(r.p99_ms)} | ${Math.round(r.rps_1conn)} | ${Math.round(r.rps)} | ${us(r.p99_ms_loaded)} |`;
const d = results.direct, n = results.nginx, t = results.turnpike;
console.log(`\nTurnpike benchmark — ${new Date().toISOString()}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), `
  + `${THREADS} turnpike thread(s) / nginx worker(s), ${CONNECTIONS} connections for ${SECONDS} s\n`);
console.log('| path | p50 (1 conn) | p99 (1 conn) | req/s (1 conn) | req/s (loaded) | p99 (loaded) |');
console.log('|---|---|---|---|---|---|');
console.log(row('direct', d));
console.log(row('nginx proxy', n));
console.log(row('turnpike', t));
console.log(`\nadded latency over direct: p50 ${us(t.p50_ms - d.p50_ms)} (target ≤ 50 µs), p99 ${us(t.p99_ms - d.p99_ms)} (target ≤ 250 µs)`);
console.log(`nginx's added latency:     p50 ${us(n.p50_ms - d.p50_ms)}, p99 ${us(n.p99_ms - d.p99_ms)}`);
console.log(`throughput: turnpike / nginx = ${(t.rps / n.rps).toFixed(2)} (target ≥ 0.70); turnpike / direct = ${(t.rps / d.rps).toFixed(2)}`);
console.log(`turnpike RSS after the run: ${(rssKb / 1024).toFixed(1)} MiB`);
if (args.json) fs.writeFileSync(args.json, JSON.stringify({ date: new Date().toISOString(), threads: THREADS, connections: CONNECTIONS, seconds: SECONDS, results, rss_kb: rssKb }, null, 2));
process.exit(0);
