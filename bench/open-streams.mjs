// The open-streams phase: many slow streams held open through Turnpike at once (bench/slow-client.mjs
// on one side, bench/slow-upstream.mjs on the other), and what they cost it — resident memory per
// stream — and whether it still answers promptly meanwhile (GET /health latency).
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { ROOT, cpuSeconds, fdLimit, healthLatency, kill, memKiB, openFds, sleep, track } from './lib.mjs';

// Descriptors Turnpike needs besides the streams' own: the listeners, SQLite's files, the loops'
// wakeups, pooled idle connections.
const FD_HEADROOM = 300;

// A child speaking JSON lines on stdout: `next(pred, ms)` waits for the first line matching pred.
function jsonLines(child, name) {
  const seen = [];
  const waiters = [];
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    let o;
    try {
      o = JSON.parse(line);
    } catch {
      return;
    }
    seen.push(o);
    for (const w of [...waiters]) {
      if (w.pred(o)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(o);
      }
    }
  });
  let exited = null;
  child.once('exit', (code) => {
    exited = code;
    for (const w of waiters) w.reject(new Error(`${name} exited (${code}) before answering`));
  });
  return {
    seen,
    next(pred, ms) {
      const old = seen.find(pred);
      if (old) return Promise.resolve(old);
      if (exited !== null) return Promise.reject(new Error(`${name} exited (${exited})`));
      return new Promise((resolve, reject) => {
        const w = { pred, resolve, reject };
        waiters.push(w);
        setTimeout(() => {
          if (waiters.includes(w)) {
            waiters.splice(waiters.indexOf(w), 1);
            reject(new Error(`${name}: no answer within ${ms / 1000} s`));
          }
        }, ms);
      });
    },
  };
}

// The slow upstream starts before Turnpike (its base URL is in Turnpike's environment).
export async function startSlowUpstream() {
  const child = track(spawn(process.execPath, [path.join(ROOT, 'bench/slow-upstream.mjs')],
    { stdio: ['ignore', 'pipe', 'inherit'], detached: true }));
  const lines = jsonLines(child, 'slow-upstream');
  const { port } = await lines.next((o) => o.port, 10_000);
  return { child, port, lines, baseUrl: `http://127.0.0.1:${port}/v1` };
}

export async function openStreamsPhase({ turnpike, upstream, requested, openSeconds, log }) {
  const limit = fdLimit(turnpike.pid);
  const fit = Math.floor((limit - FD_HEADROOM) / 2);
  const count = Math.min(requested, fit);
  const capped = count < requested
    ? `${count} streams, not ${requested}: Turnpike holds two descriptors a stream (client and upstream) and may `
      + `open ${limit} (keeping ${FD_HEADROOM} for the rest)` : '';
  if (capped) log(capped);

  const idleHealth = await healthLatency(turnpike.url('/health'), 100, 5);
  const rssBefore = memKiB(turnpike.pid, 'VmRSS');
  const fdsBefore = openFds(turnpike.pid);

  const client = track(spawn(process.execPath, [path.join(ROOT, 'bench/slow-client.mjs'),
    '--url', turnpike.url('/api/v1/chat/completions'), '--key', turnpike.key, '--count', String(count),
    '--open-seconds', String(openSeconds)], { stdio: ['ignore', 'pipe', 'inherit'], detached: true }));
  const lines = jsonLines(client, 'slow-client');
  let last = 0;
  const progress = setInterval(() => {
    const p = lines.seen.filter((o) => o.event === 'progress').at(-1);
    if (p && p.started !== last) {
      last = p.started;
      log(`  ${p.live} streams open after ${p.seconds.toFixed(1)} s (${p.failed} failed)`);
    }
  }, 2000);
  let opened;
  try {
    opened = await lines.next((o) => o.event === 'open', (openSeconds + 30) * 1000);
  } finally {
    clearInterval(progress);
  }
  // Let every stream get a few chunks through before measuring what they hold.
  await sleep(2000);
  const fdsOpen = openFds(turnpike.pid);
  // The share of a core each process uses while the streams tick (one event a second each): the
  // gateway's own cost of holding them, and how much the two helpers take from the same cores.
  const who = { turnpike: [turnpike.pid], upstream: [upstream.child.pid], client: [client.pid] };
  const cpu0 = Object.fromEntries(Object.entries(who).map(([k, pids]) => [k, cpuSeconds(pids)]));
  const t0 = Date.now();
  const underLoad = await healthLatency(turnpike.url('/health'), 200, 10);
  const cpuPct = Object.fromEntries(Object.entries(who)
    .map(([k, pids]) => [k, (100 * (cpuSeconds(pids) - cpu0[k])) / ((Date.now() - t0) / 1000)]));
  const rssOpen = memKiB(turnpike.pid, 'VmRSS');

  // End every stream properly (final chunks, usage, [DONE]) and check the client saw each end so.
  await fetch(`http://127.0.0.1:${upstream.port}/finish`, { method: 'POST' });
  let done;
  try {
    done = await lines.next((o) => o.event === 'done', 60_000);
  } finally {
    kill(client);
  }
  await sleep(1000);
  return {
    requested, count, capped, fd_limit: limit,
    opened: opened.opened, open_seconds: opened.seconds, live: opened.live, open_errors: opened.errors,
    completed: done.completed, failed: done.failed, errors: done.errors,
    rss_before_kib: rssBefore, rss_open_kib: rssOpen, rss_after_kib: memKiB(turnpike.pid, 'VmRSS'),
    kib_per_stream: (rssOpen - rssBefore) / Math.max(1, opened.live),
    fds_before: fdsBefore, fds_open: fdsOpen, fds_after: openFds(turnpike.pid),
    health_idle: idleHealth, health: underLoad, cpu_pct_while_open: cpuPct,
  };
}
