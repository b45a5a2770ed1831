// Connection limits and timeouts (issue 13, "Connections"): 20,000 idle connections do not stop
// /health; at the limit a new connection takes the place of the one idle the longest; with none
// idle it is answered 503 (error shape, Retry-After); silent and slow clients are closed after
// the header timeout. Quick: about 15 s in all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startTurnpike, turnpikeBinary } from '../lib/harness.mjs';
import { useServer } from '../lib/setup.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const LIMIT = 2000;
// The default header timeout (10 s): the idle connections stay until something else closes them.
const ctx = useServer({ env: { TURNPIKE_MAX_CONNECTIONS: String(LIMIT) } });

function hostPort(url) {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port) };
}

// One child process holding `count` idle connections (its descriptor limit raised to the hard
// limit first). Resolves once they are open, with a way to ask how many are still open.
function holdConnections(url, count, sources) {
  const { host, port } = hostPort(url);
  const script = path.join(HERE, 'hold-connections.mjs');
  const child = spawn('sh', ['-c', 'ulimit -n "$(ulimit -Hn)" && exec "$0" "$@"', process.execPath, script,
    host, String(port), String(count), sources.join(',')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout });
  const waiting = [];
  lines.on('line', (line) => waiting.shift()?.(JSON.parse(line)));
  const nextLine = () => new Promise((resolve) => waiting.push(resolve));
  return nextLine().then((first) => ({
    ...first,
    async count() {
      const reply = nextLine();
      child.stdin.write('count\n');
      return reply;
    },
    stop() {
      child.stdin.end();
      return new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
    },
  }));
}

// A raw request on a fresh connection: resolves to the answer's text once the server closes or
// `ms` pass.
function rawExchange(url, text, ms = 5000) {
  const { host, port } = hostPort(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port }, () => socket.write(text));
    let data = '';
    socket.on('data', (chunk) => { data += chunk; });
    socket.on('close', () => resolve(data));
    socket.on('error', reject);
    setTimeout(() => { socket.destroy(); resolve(data); }, ms).unref();
  });
}

async function timedHealth(url) {
  const started = performance.now();
  const r = await fetch(`${url}/health`);
  assert.equal(r.status, 200);
  assert.deepEqual(await r.json(), { status: 'ok' });
  return performance.now() - started;
}

test('20,000 idle connections do not stop /health: the longest idle make room for new ones', { timeout: 60_000 }, async () => {
  const hard = Number(execFileSync('sh', ['-c', 'ulimit -Hn']).toString().trim()) || 4096;
  const total = 20_000;
  const perChild = Math.min(10_000, hard - 256);
  // Several loopback source addresses, so that client ports do not run short.
  const sources = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'];
  const started = performance.now();
  const children = [];
  for (let left = total; left > 0; left -= perChild) {
    children.push(holdConnections(ctx.tp.gatewayUrl, Math.min(perChild, left), sources));
  }
  const held = await Promise.all(children);
  const openMs = performance.now() - started;
  try {
    const opened = held.reduce((n, c) => n + c.opened, 0);
    assert.equal(opened, total, `every connection was accepted (${held.map((c) => c.failed).join('+')} failed)`);
    // /health answers at once, several times, while the 20,000 were just made.
    const times = [];
    for (let i = 0; i < 20; i += 1) times.push(await timedHealth(ctx.tp.gatewayUrl));
    times.sort((a, b) => a - b);
    const median = times[10];
    const worst = times[times.length - 1];
    console.log(`# 20,000 connections opened in ${openMs.toFixed(0)} ms; /health median ${median.toFixed(1)} ms, `
      + `worst ${worst.toFixed(1)} ms`);
    assert.ok(worst < 1000, `/health took ${worst.toFixed(0)} ms`);
    // The server kept at most its limit of them open (the longest idle were closed for new ones).
    let counts;
    for (let i = 0; i < 50; i += 1) {
      counts = await Promise.all(held.map((c) => c.count()));
      if (counts.reduce((n, c) => n + c.open, 0) <= LIMIT) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const stillOpen = counts.reduce((n, c) => n + c.open, 0);
    const closedByServer = counts.reduce((n, c) => n + c.closed, 0);
    console.log(`# still open ${stillOpen}, closed by the server ${closedByServer}`);
    assert.ok(stillOpen <= LIMIT, `${stillOpen} connections still open, over the limit of ${LIMIT}`);
    assert.ok(closedByServer >= total - LIMIT, `only ${closedByServer} closed by the server`);
  } finally {
    await Promise.all(held.map((c) => c.stop()));
  }
  // Once they are gone the server serves as before.
  assert.ok(await timedHealth(ctx.tp.gatewayUrl) < 1000);
});

test('with every connection busy, a new one gets 503 in the error shape with Retry-After', { timeout: 30_000 }, async () => {
  const { host, port } = hostPort(ctx.tp.gatewayUrl);
  // LIMIT connections each in the middle of a request head: busy. Under load the server may see
  // one before its bytes arrive, take it for idle and close it to make room for the next: such
  // ones are replaced until LIMIT stay open (a few more at first, for idle keep-alive connections
  // of this process, fetch's pool, which are displaced first).
  const busy = new Set();
  const openBusy = (n) => Promise.all(Array.from({ length: n }, () => new Promise((resolve) => {
    const s = net.connect({ host, port }, () => {
      s.write('GET /health HTTP/1.1\r\nHost: x\r\n');
      resolve();
    });
    s.on('error', () => {});
    s.on('close', () => { busy.delete(s); resolve(); });
    busy.add(s);
  })));
  await openBusy(LIMIT + 16);
  try {
    for (let round = 0; round < 20; round += 1) {
      await new Promise((r) => setTimeout(r, 300));  // the partial heads reach the server
      if (busy.size >= LIMIT) break;
      await openBusy(LIMIT - busy.size);
    }
    assert.ok(busy.size >= LIMIT, `only ${busy.size} busy connections stay open`);
    // A connection the server still took for idle may make room once more (200): a 503 comes soon.
    let answer;
    for (let i = 0; i < 20; i += 1) {
      answer = await rawExchange(ctx.tp.gatewayUrl, 'GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      if (!answer.startsWith('HTTP/1.1 200 ')) break;
    }
    const [head, body] = answer.split('\r\n\r\n');
    assert.match(head, /^HTTP\/1\.1 503 /, answer);
    assert.match(head, /\r\nRetry-After: 1\r\n/i);
    assert.match(head, /\r\nConnection: close\r\n/i);
    const error = JSON.parse(body).error;
    assert.equal(error.code, 503);
    assert.match(error.message, /connection limit/);
    // Refusals cost a descriptor and a read each: past 256 under way at once, connections over
    // the limit are closed at accept, unanswered.
    const flood = await Promise.all(Array.from({ length: 400 }, () => new Promise((resolve) => {
      const s = net.connect({ host, port }, () => s.write('GET /health HTTP/1.1\r\n'));
      let data = '';
      s.on('data', (c) => { data += c; });
      s.on('error', () => {});
      s.on('close', () => resolve({ closed: true, data }));
      setTimeout(() => { resolve({ closed: false, data }); s.destroy(); }, 3000).unref();
    })));
    const closedUnanswered = flood.filter((f) => f.closed && f.data === '').length;
    console.log(`# 400 more over the limit: ${closedUnanswered} closed at accept`);
    assert.ok(closedUnanswered >= 100, `only ${closedUnanswered} of 400 closed at accept`);
    assert.ok(closedUnanswered <= 400 - 200, `${closedUnanswered} of 400 closed at accept: too few refusals answered`);
  } finally {
    for (const s of busy) s.destroy();
  }
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(await timedHealth(ctx.tp.gatewayUrl) < 1000);
});

test('a connection that sends nothing is closed, and a head that stalls gets 408, after the header timeout', { timeout: 30_000 }, async () => {
  const tp = await startTurnpike({ fake: ctx.fake, env: { TURNPIKE_HEADER_TIMEOUT_MS: '1000' } });
  try {
    const started = performance.now();
    const [silent, stalled, answered] = await Promise.all([
      rawExchange(tp.gatewayUrl, '', 8000),
      rawExchange(tp.gatewayUrl, 'GET /health HTTP/1.1\r\nHost: x\r\n', 8000),
      rawExchange(tp.gatewayUrl, 'GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 8000),
    ]);
    const elapsed = performance.now() - started;
    assert.equal(silent, '');
    assert.match(stalled, /^HTTP\/1\.1 408 /);
    assert.match(answered, /^HTTP\/1\.1 200 /);
    assert.ok(elapsed < 4000, `closed after ${elapsed.toFixed(0)} ms (header timeout 1 s)`);
  } finally {
    await tp.stop();
  }
});

// The CPU time (user + system, in seconds) the process has used so far.
function cpuSeconds(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);  // utime, stime
  return ticks / 100;  // USER_HZ is 100 on Linux
}

// Starts a server whose binary runs under `limits` (shell `ulimit` commands); resolves to the
// server and its process id.
async function startLimited(limits, env) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'turnpike-limits-'));
  const pidFile = path.join(dir, 'pid');
  const wrapper = path.join(dir, 'turnpike');
  fs.writeFileSync(wrapper, `#!/bin/sh\n${limits}\necho $$ > ${pidFile}\nexec ${turnpikeBinary()} "$@"\n`, { mode: 0o755 });
  const previous = process.env.TURNPIKE_BIN;
  process.env.TURNPIKE_BIN = wrapper;
  try {
    const tp = await startTurnpike({ fake: ctx.fake, env });
    return { tp, pid: Number(fs.readFileSync(pidFile, 'utf8')), dir };
  } finally {
    if (previous === undefined) delete process.env.TURNPIKE_BIN; else process.env.TURNPIKE_BIN = previous;
  }
}

test('at start the soft file-descriptor limit is raised to the hard limit, and logged', async (t) => {
  const hard = Number(execFileSync('sh', ['-c', 'ulimit -Hn']).toString().trim());
  if (!(hard > 300)) {
    t.skip(`the hard limit (${hard}) leaves nothing to raise`);
    return;
  }
  const { tp, pid, dir } = await startLimited('ulimit -Sn 300', {});
  try {
    const limits = fs.readFileSync(`/proc/${pid}/limits`, 'utf8');
    const soft = Number(/^Max open files\s+(\d+)/m.exec(limits)[1]);
    assert.equal(soft, hard);
    assert.match(tp.output(), new RegExp(`file-descriptor limit raised from 300 to ${hard}`));
  } finally {
    await tp.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('out of descriptors, the server pauses accepting (no busy loop), logs it once, and recovers', { timeout: 40_000 }, async () => {
  // The server runs with a hard limit of 256 descriptors, so it cannot raise it, and a connection
  // limit far above: accept fails with EMFILE once ~200 connections are open.
  const { tp, pid, dir } = await startLimited('ulimit -n 256', { TURNPIKE_MAX_CONNECTIONS: '100000' });
  const { host, port } = hostPort(tp.gatewayUrl);
  const busy = [];
  try {
    // 400 connections, each in the middle of a request head (busy: none can be displaced).
    for (let i = 0; i < 400; i += 1) {
      const s = net.connect({ host, port }, () => s.write('GET /health HTTP/1.1\r\n'));
      s.on('error', () => {});
      busy.push(s);
    }
    await new Promise((r) => setTimeout(r, 1000));
    const before = cpuSeconds(pid);
    await new Promise((r) => setTimeout(r, 2000));
    const used = cpuSeconds(pid) - before;
    console.log(`# out of descriptors: ${used.toFixed(2)} s of CPU in 2 s`);
    assert.ok(used < 0.25, `the server used ${used.toFixed(2)} s of CPU in 2 s while out of descriptors`);
    const failures = tp.output().match(/accept failed: .*pausing accepts/g) ?? [];
    assert.equal(failures.length, 1, tp.output());
  } finally {
    for (const s of busy) s.destroy();
  }
  // Descriptors free again: the connections waiting in the backlog and new ones are served.
  await new Promise((r) => setTimeout(r, 1500));
  assert.ok(await timedHealth(tp.gatewayUrl) < 2000);
  await tp.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});
