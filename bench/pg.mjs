// The PostgreSQL rows of the benchmark: the same non-streamed load as the SQLite Turnpike's (billing
// and the request log on), against one Turnpike on a PostgreSQL database, then against two
// replicas on one database (the second `serve --role gateway`), each replica getting half the
// connections from a wrk of its own, run at once (README "Scaling out"). The figures are req/s
// (the replicas' sum), p99 and CPU per request (both replicas' together).
//
// The server: $BENCH_PG_URL or $TURNPIKE_TEST_PG_URL when set, else a throwaway cluster started
// here with scripts/pg-test-cluster (stopped at exit). That cluster runs with fsync off (it is a
// test cluster): its commits cost less than a production server's, which the table says.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, cpuSeconds, kill, startTurnpike, wrk, wrkAsync } from './lib.mjs';

const CLUSTER = path.join(ROOT, 'scripts/pg-test-cluster');

// The server's URL and how it was found, or null (with why) when there is none to be had.
export function pgServer() {
  const given = process.env.BENCH_PG_URL ?? process.env.TURNPIKE_TEST_PG_URL;
  if (given) return { url: given, source: process.env.BENCH_PG_URL ? 'BENCH_PG_URL' : 'TURNPIKE_TEST_PG_URL' };
  // Open to the postgres user the cluster may run as (pg-test-cluster, as root).
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'turnpike-bench-pg-'));
  fs.chmodSync(base, 0o755);
  const clusterDir = path.join(base, 'cluster');
  const stop = () => {
    spawnSync(CLUSTER, ['stop', clusterDir], { timeout: 60_000 });
    fs.rmSync(base, { recursive: true, force: true });
  };
  const r = spawnSync(CLUSTER, ['start', clusterDir], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) {
    stop();
    return { url: null, why: `scripts/pg-test-cluster start failed: ${(r.stderr || r.stdout).trim()}` };
  }
  process.on('exit', stop);
  return { url: r.stdout.trim(), source: 'a throwaway cluster (scripts/pg-test-cluster), fsync off' };
}

function createDatabase(server) {
  const name = `turnpike_bench_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
  const admin = new URL(server);
  admin.pathname = '/postgres';
  const r = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', admin.toString(), '-c', `CREATE DATABASE ${name}`],
    { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`psql CREATE DATABASE: ${r.stderr}`);
  const u = new URL(server);
  u.pathname = `/${name}`;
  return u.toString();
}

const asTarget = (tp, name) => ({ name, url: tp.url('/api/v1/chat/completions'), streamUrl: tp.url('/api/v1/chat/completions'),
  key: tp.key, pids: [tp.pid] });

// { one: {rps, p99_ms, cpu_us}, two: {rps, p99_ms, cpu_us, replicas: [rps, rps]} }
export async function pgPhase({ server, bin, threads, config, providerEnv, connections, seconds, log }) {
  const result = {};
  {
    const url = createDatabase(server);
    const tp = await startTurnpike({ bin, name: 'turnpike-pg', threads, config, providerEnv, extraEnv: { DATABASE_URL: url } });
    const t = asTarget(tp, 'turnpike (PostgreSQL)');
    wrk(t, { connections: 4, seconds: 1 });
    const before = cpuSeconds(t.pids);
    const r = wrk(t, { connections, seconds });
    result.one = { rps: r.rps, p99_ms: r.p99, cpu_us: ((cpuSeconds(t.pids) - before) / r.requests) * 1e6 };
    kill(tp.child);
    log(`  PostgreSQL, 1 replica: ${Math.round(r.rps)} req/s`);
  }
  {
    const url = createDatabase(server);
    const a = await startTurnpike({ bin, name: 'turnpike-pg-a', threads, config, providerEnv, extraEnv: { DATABASE_URL: url } });
    const b = await startTurnpike({ bin, name: 'turnpike-pg-b', threads, config, providerEnv, extraEnv: { DATABASE_URL: url },
      setup: false, key: a.key, serveArgs: ['--role', 'gateway'] });
    const targets = [asTarget(a, 'turnpike (PostgreSQL, replica a)'), asTarget(b, 'turnpike (PostgreSQL, replica b)')];
    await Promise.all(targets.map((t) => wrkAsync(t, { connections: 4, seconds: 1 })));
    const pids = targets.flatMap((t) => t.pids);
    const before = cpuSeconds(pids);
    const half = Math.max(1, Math.floor(connections / 2));
    const rs = await Promise.all(targets.map((t) => wrkAsync(t, { connections: half, seconds })));
    const requests = rs.reduce((n, r) => n + r.requests, 0);
    result.two = { rps: rs.reduce((n, r) => n + r.rps, 0), p99_ms: Math.max(...rs.map((r) => r.p99)),
      cpu_us: ((cpuSeconds(pids) - before) / requests) * 1e6, replicas: rs.map((r) => r.rps), connections_each: half };
    for (const tp of [b, a]) kill(tp.child);
    log(`  PostgreSQL, 2 replicas: ${Math.round(result.two.rps)} req/s (${rs.map((r) => Math.round(r.rps)).join(' + ')})`);
  }
  return result;
}
