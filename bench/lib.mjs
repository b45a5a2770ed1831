// What every phase of the benchmark shares: the children it starts (and kills at exit), the two
// nginx instances, Turnpike instances, wrk, and what /proc says about a process (CPU, memory, fds).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => fs.existsSync(p));
export const WRK = ['/usr/bin/wrk', '/usr/local/bin/wrk'].find((p) => fs.existsSync(p));

export const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'turnpike-bench-'));

// Every child runs in a process group of its own (nginx's workers included), killed whole at exit.
const children = new Set();
export function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}
export function kill(child) {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
  children.delete(child);
}
process.on('exit', () => {
  for (const c of [...children]) kill(c);
  if (!process.env.BENCH_KEEP_DIR) fs.rmSync(dir, { recursive: true, force: true });
});
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function freePort() {
  const r = spawnSync(process.execPath, ['-e',
    "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"]);
  return Number(String(r.stdout).trim());
}

// Text put inside an nginx `return 200 '…'`: no quote to end it early, no $ to be read as a variable.
export function nginxLiteral(text, what) {
  if (/['$\\]/.test(text)) throw new Error(`${what} cannot be inlined in nginx.conf (it has ' $ or \\)`);
  return text;
}

// One nginx instance (master + `workers` workers) with the given server blocks. The upstream and
// the proxy are separate instances so the proxy's CPU can be read from its own processes alone.
export function startNginx(name, workers, servers) {
  const base = path.join(dir, name);
  fs.mkdirSync(path.join(base, 'tmp'), { recursive: true });
  const conf = path.join(base, 'nginx.conf');
  fs.writeFileSync(conf, `
worker_processes ${workers};
worker_rlimit_nofile 20000;
pid ${base}/nginx.pid;
error_log ${base}/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path ${base}/tmp;
  proxy_temp_path ${base}/tmp;
  fastcgi_temp_path ${base}/tmp;
  uwsgi_temp_path ${base}/tmp;
  scgi_temp_path ${base}/tmp;
  keepalive_requests 1000000;
${servers}
}
`);
  // Its errors go to error.log in the run's directory; no pipe is left to an orphaned worker.
  const child = track(spawn(NGINX, ['-c', conf, '-p', base, '-g', 'daemon off;'], { stdio: 'ignore', detached: true }));
  child.name = `nginx (${name})`;
  return child;
}

// The nginx master's workers: its children, as /proc lists them.
export function processTree(pid) {
  const pids = [pid];
  for (let i = 0; i < pids.length; i++) {
    try {
      const kids = fs.readFileSync(`/proc/${pids[i]}/task/${pids[i]}/children`, 'utf8').trim();
      if (kids) pids.push(...kids.split(/\s+/).map(Number));
    } catch {
      // gone
    }
  }
  return pids;
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

// CPU seconds (user + system, all threads) used so far by these processes.
export function cpuSeconds(pids) {
  let ticks = 0;
  for (const pid of pids) {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(f[11]) + Number(f[12]);  // utime, stime (fields 14 and 15 of proc(5))
  }
  return ticks / CLK_TCK;
}

// A line of /proc/<pid>/status in KiB (VmRSS, VmHWM), summed over the processes.
export function memKiB(pids, field) {
  let kib = 0;
  for (const pid of [pids].flat()) {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    kib += Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  }
  return kib;
}

export const openFds = (pid) => fs.readdirSync(`/proc/${pid}/fd`).length;

export function fdLimit(pid) {
  const limits = fs.readFileSync(`/proc/${pid}/limits`, 'utf8');
  return Number(/^Max open files\s+(\d+)/m.exec(limits)?.[1]);
}

// A Turnpike on a fresh SQLite database of its own, with the bench catalog, a user with credits and
// a key. `extraEnv` is how a run turns features off; `config` is the TOML file it is given.
// `setup` false: a further replica on a database another instance set up (pass its `key`), served
// with `serveArgs` (e.g. --role gateway).
export async function startTurnpike({ bin, name, threads, config, extraEnv = {}, providerEnv, setup = true, key: givenKey = '',
  serveArgs = [] }) {
  const base = path.join(dir, name);
  fs.mkdirSync(base, { recursive: true });
  const configFile = path.join(base, 'turnpike.toml');
  fs.writeFileSync(configFile, config);
  const port = freePort();
  const env = {
    ...process.env,
    DATABASE_URL: `sqlite://${base}/bench.db`,
    TURNPIKE_DATA_DIR: base,
    TURNPIKE_GATEWAY_PORT: String(port),
    TURNPIKE_CONTROL_PORT: '0',
    TURNPIKE_THREADS: String(threads),
    TURNPIKE_LOG_LEVEL: 'warn',
    TURNPIKE_BOOTSTRAP_ADMIN: 'false',
    TURNPIKE_DASHBOARD_DIR: path.join(base, 'no-dashboard'),
    ...providerEnv,
    ...extraEnv,
  };
  const cli = (...a) => {
    const r = spawnSync(bin, ['--config', configFile, ...a], { env, cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`turnpike ${a.join(' ')}: ${r.stderr || r.stdout}`);
    return r.stdout.trim();
  };
  let key = givenKey;
  if (setup) {
    cli('migrate');
    cli('catalog', 'import', path.join(ROOT, 'bench/catalog.toml'));
    cli('user', 'create', '--email', 'bench@example.test', '--password', 'bench-password-1', '--credits', '1000000');
    key = cli('key', 'create', '--email', 'bench@example.test', '--name', 'bench').split('\n').pop().trim();
  }
  // Output goes to a file, not a pipe: a pipe nobody drains fast enough would stall the gateway.
  const logFile = path.join(base, 'turnpike.log');
  const log = fs.openSync(logFile, 'w');
  const child = track(spawn(bin, ['--config', configFile, 'serve', ...serveArgs], { env, cwd: ROOT, stdio: ['ignore', log, log], detached: true }));
  fs.closeSync(log);
  let exited = null;
  child.once('exit', (code, signal) => { exited = `${code ?? signal}`; });
  const readLog = () => fs.readFileSync(logFile, 'utf8');
  for (let i = 0; !readLog().includes('turnpike ready'); i++) {
    if (exited !== null) throw new Error(`turnpike (${name}) exited (${exited}):\n${readLog()}`);
    if (i > 200) throw new Error(`turnpike (${name}) not ready after 10 s:\n${readLog()}`);
    await sleep(50);
  }
  return { name, child, pid: child.pid, port, key, readLog, exited: () => exited,
    url: (p) => `http://127.0.0.1:${port}${p}` };
}

export async function waitFor(url) {
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(url, { method: 'POST', body: '{}' });
      return;
    } catch {
      await sleep(50);
    }
  }
  throw new Error(`${url} did not answer`);
}

const UNIT = { us: 1e-3, ms: 1, s: 1000, m: 60_000 };
// wrk with bench/request.lua: `stream` picks the streamed request. Any non-2xx answer, socket error
// or timeout fails the run. Returns req/s, latency percentiles (ms) and the request count.
function wrkArgs(target, { connections, seconds, stream = false }) {
  return [WRK, ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', path.join(ROOT, 'bench/request.lua'),
    stream ? target.streamUrl : target.url],
  { env: { ...process.env, BENCH_KEY: target.key, BENCH_MODEL: stream ? 'bench/stream' : 'bench/echo', BENCH_STREAM: stream ? '1' : '' },
    encoding: 'utf8' }];
}

export function wrk(target, options) {
  const r = spawnSync(...wrkArgs(target, options));
  return wrkResult(target, options, r.stdout, r.stderr);
}

// wrk without blocking this process: several at once, against several targets.
export function wrkAsync(target, options) {
  return new Promise((resolve, reject) => {
    const [bin, args, opts] = wrkArgs(target, options);
    const child = track(spawn(bin, args, { env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] }));
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.once('exit', () => {
      try {
        resolve(wrkResult(target, options, out, err));
      } catch (e) {
        reject(e);
      }
    });
  });
}

function wrkResult(target, { stream = false }, text, stderr) {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1]);
  const requests = Number(/(\d+) requests in/.exec(text)?.[1]);
  const pct = (p) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(text);
    return m ? Number(m[1]) * UNIT[m[2]] : NaN;
  };
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const errors = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(text)?.[1] ?? 0)
    + (socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0);
  if (!rps || errors > 0) {
    throw new Error(`wrk ${stream ? 'streamed' : 'non-streamed'} against ${target.name} failed (${errors} errors):\n${text}${stderr}`);
  }
  return { rps, requests, p50: pct(50), p99: pct(99) };
}

// A keep-alive client on one connection, for sequential requests timed one by one.
export const oneConnection = () => new http.Agent({ keepAlive: true, maxSockets: 1 });

export function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

// GET /health `count` times on one keep-alive connection, `gapMs` apart: p50 / p99 / max in ms.
export async function healthLatency(url, count, gapMs) {
  const agent = oneConnection();
  const times = [];
  for (let i = 0; i < count; i++) {
    const t0 = process.hrtime.bigint();
    const status = await new Promise((resolve, reject) => {
      http.get(url, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      }).on('error', reject);
    });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (status !== 200) throw new Error(`GET ${url}: ${status}`);
    if (gapMs) await sleep(gapMs);
  }
  agent.destroy();
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), max: times.at(-1), count };
}

// How long this disk takes to make a 4 KiB write durable (write + fdatasync, where the run's SQLite
// databases live): p50 in ms. Turnpike commits durably on every request, so its latency follows
// this figure; a run is only comparable with another on a disk as fast.
export function fsyncLatency(count = 50) {
  const file = path.join(dir, 'fsync-probe');
  const fd = fs.openSync(file, 'w');
  const block = Buffer.alloc(4096, 1);
  const times = [];
  try {
    for (let i = 0; i < count; i++) {
      const t0 = process.hrtime.bigint();
      fs.writeSync(fd, block, 0, block.length, 0);
      fs.fdatasyncSync(fd);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  } finally {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
  }
  times.sort((a, b) => a - b);
  return percentile(times, 50);
}
