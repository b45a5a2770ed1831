// Starts the processes a test needs (the fake provider, a Turnpike server on a fresh database)
// and drives Turnpike's CLI. Used by tests/integration and by the SDK tests in tests/e2e; keep the
// exported API stable.
//
// Every process started here is killed when the test process exits, on failure too, and every
// temporary data directory is removed then (set TURNPIKE_KEEP_TMP=1 to keep them for debugging).
import { execFile, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { noteSecret } from './secrets.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const FAKE_SCRIPT = path.join(ROOT, 'tests/fakes/fake-provider.mjs');
const READY_TIMEOUT_MS = 15_000;
const OUTPUT_LIMIT = 4 * 1024 * 1024;

const children = new Set();
const tempDirs = new Set();
const pgDatabases = new Set();  // URLs of the PostgreSQL databases made here
let pgCluster = null;           // { dir, url } of the cluster this process started, if any

function cleanup() {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  if (process.env.TURNPIKE_KEEP_TMP !== '1') {
    for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
    if (!pgCluster) {
      for (const url of pgDatabases) {
        const name = new URL(url).pathname.slice(1);
        try {
          execFileSync('psql', ['-X', '-q', '-d', pgAdminUrl(url), '-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`],
            { stdio: 'ignore', timeout: 10_000 });
        } catch {
          // the server is gone already: nothing to drop
        }
      }
    }
  }
  if (pgCluster) {
    try {
      execFileSync(path.join(ROOT, 'scripts/pg-test-cluster'), ['stop', path.join(pgCluster.dir, 'cluster')],
        { stdio: 'ignore', timeout: 30_000 });
    } catch {
      // best effort
    }
    fs.rmSync(pgCluster.dir, { recursive: true, force: true });
  }
}
process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    cleanup();
    process.exit(128 + os.constants.signals[signal]);
  });
}

function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

// Sends `signal`, waits up to `graceMs`, then SIGKILLs. Resolves to the exit code (null when a
// signal ended the process).
async function stopChild(child, signal, graceMs) {
  const done = exited(child);
  if (child.exitCode !== null || child.signalCode !== null) return done;
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    return await done;
  } finally {
    clearTimeout(timer);
  }
}

// Collects a child's stdout and stderr (capped) and calls `onText` with everything so far.
function captureOutput(child, onText = () => {}) {
  let text = '';
  const add = (chunk) => {
    text += chunk.toString('utf8');
    if (text.length > OUTPUT_LIMIT) text = text.slice(text.length - OUTPUT_LIMIT);
    onText(text);
  };
  child.stdout.on('data', add);
  child.stderr.on('data', add);
  return () => text;
}

// ---------------------------------------------------------------------------------------------
// The fake provider.

export async function startFake({ args = [] } = {}) {
  const child = track(spawn(process.execPath, [FAKE_SCRIPT, '--port', '0', '--exit-with-stdin', ...args], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  }));
  const url = await new Promise((resolve, reject) => {
    const output = captureOutput(child, (text) => {
      const m = /fake provider listening on (http:\/\/\S+)/.exec(text);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`fake provider exited (${code}) before it was ready:\n${output()}`)));
    setTimeout(() => reject(new Error(`fake provider not ready after 10 s:\n${output()}`)), 10_000).unref();
  });
  const port = Number(new URL(url).port);
  return {
    url,
    baseUrl: `${url}/v1`,
    port,
    async requests() {
      const res = await fetch(`${url}/_fake/requests`);
      if (!res.ok) throw new Error(`GET /_fake/requests: ${res.status}`);
      return res.json();
    },
    async reset() {
      const res = await fetch(`${url}/_fake/reset`, { method: 'POST' });
      if (!res.ok) throw new Error(`POST /_fake/reset: ${res.status}`);
      await res.arrayBuffer();
    },
    async stop() {
      await stopChild(child, 'SIGTERM', 5_000);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The database of each server: a SQLite file in its data directory, or, with
// TURNPIKE_TEST_DATABASE=postgresql, a fresh PostgreSQL database on the server TURNPIKE_TEST_PG_URL
// names (scripts/with-pg-test-cluster sets it) or, when it is unset, on a throwaway cluster this
// test process starts (scripts/pg-test-cluster) and removes at exit.

// 'sqlite' or 'postgresql': what startTurnpike uses unless told.
export function testDatabaseKind() {
  const kind = (process.env.TURNPIKE_TEST_DATABASE || 'sqlite').toLowerCase();
  if (kind === 'postgres' || kind === 'postgresql' || kind === 'pg') return 'postgresql';
  if (kind === 'sqlite') return 'sqlite';
  throw new Error(`TURNPIKE_TEST_DATABASE=${kind}: expected sqlite or postgresql`);
}

// The URL of the same server's `postgres` database (to create and drop others from).
function pgAdminUrl(url) {
  const u = new URL(url);
  u.pathname = '/postgres';
  return u.toString();
}

function run(file, args, { input = '', timeout = 30_000 } = {}) {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${path.basename(file)} failed (${err.code ?? err.message}): ${stderr}`));
      else resolve(stdout);
    }).stdin.end(input);
  });
}

let pgServerPromise = null;
function pgServerUrl() {
  if (process.env.TURNPIKE_TEST_PG_URL) return Promise.resolve(process.env.TURNPIKE_TEST_PG_URL);
  pgServerPromise ??= (async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'turnpike-pg-'));
    fs.chmodSync(dir, 0o755);  // the cluster may run as the postgres user (pg-test-cluster)
    pgCluster = { dir, url: null };
    const url = (await run(path.join(ROOT, 'scripts/pg-test-cluster'), ['start', path.join(dir, 'cluster')],
      { timeout: 120_000 })).trim();
    pgCluster.url = url;
    return url;
  })();
  return pgServerPromise;
}

// A fresh, empty PostgreSQL database on `server` (a URL; by default the tests' server, see above);
// resolves to its URL. Dropped at exit (unless TURNPIKE_KEEP_TMP=1), or with the throwaway cluster.
export async function createPgDatabase(server = null) {
  server ??= await pgServerUrl();
  const name = `turnpike_it_${crypto.randomBytes(8).toString('hex')}`;
  await run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', pgAdminUrl(server), '-c', `CREATE DATABASE ${name}`]);
  const u = new URL(server);
  u.pathname = `/${name}`;
  pgDatabases.add(u.toString());
  return u.toString();
}

// Splits a script at the semicolons that end statements (outside quotes and dollar quotes are
// not looked for: the tests' SQL has none holding a semicolon).
function splitStatements(sql) {
  return sql.split(';').map((t) => t.trim()).filter((t) => t.length > 0);
}

// Runs `sql` on a PostgreSQL database with psql (stop at the first error); resolves to the rows of
// the last statement as objects, when it is a query (SELECT, VALUES, or WITH … SELECT), else [].
// Numbers come back as numbers, booleans as true/false.
export async function pgQuery(url, sql) {
  const statements = splitStatements(sql);
  const last = statements.pop() ?? '';
  const isQuery = /^(select|values)\b/i.test(last)
    || (/^with\b/i.test(last) && !/\b(insert|update|delete)\b/i.test(last));
  const script = [...statements, isQuery ? `SELECT coalesce(json_agg(t), '[]'::json) FROM (${last}) t` : last]
    .filter((t) => t.length > 0).map((t) => `${t};`).join('\n');
  let out;
  try {
    out = await run('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', url], { input: script });
  } catch (err) {
    throw new Error(`${err.message}\nSQL: ${sql}`);
  }
  if (!isQuery) return [];
  // The last statement's one value: a JSON array (json_agg puts a newline between rows).
  const text = out.trim();
  return JSON.parse(text.slice(text.lastIndexOf('\n[') + 1));
}

// ---------------------------------------------------------------------------------------------
// Turnpike.

export function turnpikeBinary() {
  return process.env.TURNPIKE_BIN || path.join(ROOT, 'build/turnpike');
}

// The environment of every Turnpike process of one server. Provider and Stripe credentials,
// proxies and TURNPIKE_* settings of the developer's shell are dropped, so a test can never reach
// a real provider, a real Stripe account or a real database.
function serverEnv(dataDir, databaseUrl, fake, extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(TURNPIKE_|OPENAI_|ANTHROPIC_|GOOGLE_|GEMINI_|FAKE_|STRIPE_|DATABASE_URL$|JWT_SECRET$)/.test(k)) continue;
    if (/^(https?_proxy|all_proxy|no_proxy)$/i.test(k)) continue;
    env[k] = v;
  }
  Object.assign(env, {
    DATABASE_URL: databaseUrl,
    TURNPIKE_HOST: '127.0.0.1',
    TURNPIKE_GATEWAY_PORT: '0',
    TURNPIKE_CONTROL_PORT: '0',
    TURNPIKE_DATA_DIR: dataDir,
    TURNPIKE_PAYMENTS_PROVIDER: 'sandbox',  // as `make run` has it; a test may override
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
  });
  if (fake) {
    Object.assign(env, {
      OPENAI_BASE_URL: fake.baseUrl,
      OPENAI_API_KEY: 'test-upstream-key',
      // Anthropic's and Google's base URLs carry no version: the adapters add /v1/messages and
      // /v1beta/models/… themselves (catalog/default.toml).
      ANTHROPIC_BASE_URL: fake.url,
      ANTHROPIC_API_KEY: 'test-upstream-key',
      GOOGLE_BASE_URL: fake.url,
      GOOGLE_API_KEY: 'test-upstream-key',
      FAKE_CHEAP_BASE_URL: `${fake.url}/cheap/v1`,
      FAKE_PRICEY_BASE_URL: `${fake.url}/pricey/v1`,
    });
  }
  Object.assign(env, extra);
  // Credentials the server is given never show in an answer or a log line (lib/secrets.mjs).
  for (const [k, v] of Object.entries(env)) {
    if (/(_API_KEY|_SECRET|_SECRET_KEY|_TOKEN|_PASSWORD)$/.test(k)) noteSecret(v, `the value of ${k}`);
  }
  return env;
}

function runCli(bin, env, args, { timeout = 30_000, input } = {}) {
  return new Promise((resolve, reject) => {
    const child = track(spawn(bin, args, { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => { stdout += c; });
    child.stderr.on('data', (c) => { stderr += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${bin} ${args.join(' ')}: ${err.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? `killed by ${signal}` : null), stdout, stderr });
    });
    // A command that exits without reading its input closes the pipe first: not an error.
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

function describe(args, r) {
  return `turnpike ${args.join(' ')} exited ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

// Options beyond the fake, env and catalog:
//   dataDir   run on this existing data directory (and its database) instead of a fresh one,
//             e.g. `startTurnpike({ fake, dataDir: old.dataDir })` to restart after `old.kill()`;
//             the directory is removed at exit only if the harness made it.
//   serveEnv  extra environment for the `serve` process only (not for migrate or the CLI).
//   database  'sqlite' (a file in the data directory) or 'postgresql' (a fresh database, kept with
//             the data directory for a restart on it); TURNPIKE_TEST_DATABASE, else 'sqlite'.
//   databaseUrl  run on this database (a URL) instead of a fresh one.
//   args      arguments after `serve` (e.g. ['--role', 'gateway']).
export async function startTurnpike({
  fake, env = {}, catalog = null, dataDir: reuseDir = null, serveEnv = {}, database = testDatabaseKind(), args = [],
  databaseUrl: givenUrl = null,
} = {}) {
  const bin = turnpikeBinary();
  if (!fs.existsSync(bin)) {
    throw new Error(`turnpike binary not found at ${bin}: build it (cmake --build build) or set TURNPIKE_BIN`);
  }
  const dataDir = reuseDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'turnpike-test-'));
  if (!reuseDir) tempDirs.add(dataDir);
  // The database of a data directory is named in it, so that a restart on it finds it again.
  const urlFile = path.join(dataDir, 'database-url');
  let databaseUrl;
  if (givenUrl) {
    databaseUrl = givenUrl;
    fs.writeFileSync(urlFile, `${databaseUrl}\n`);
  } else if (fs.existsSync(urlFile)) {
    databaseUrl = fs.readFileSync(urlFile, 'utf8').trim();
  } else {
    databaseUrl = database === 'postgresql' ? await createPgDatabase() : `sqlite://${path.join(dataDir, 'turnpike.db')}`;
    fs.writeFileSync(urlFile, `${databaseUrl}\n`);
  }
  const fullEnv = serverEnv(dataDir, databaseUrl, fake, env);

  const cli = (args, opts = {}) => runCli(bin, { ...fullEnv, ...(opts.env ?? {}) }, args, opts);
  const mustCli = async (args) => {
    const r = await cli(args);
    if (r.code !== 0) throw new Error(describe(args, r));
    return r;
  };

  await mustCli(['migrate']);
  if (catalog) await mustCli(['catalog', 'import', path.resolve(ROOT, catalog)]);

  const child = track(spawn(bin, ['serve', ...args], { cwd: ROOT, env: { ...fullEnv, ...serveEnv }, stdio: ['ignore', 'pipe', 'pipe'] }));
  let output;
  // stdout and stderr are separate pipes, so lines printed before "turnpike ready" on the other
  // stream may arrive after it: wait for every line we parse, then a moment for stragglers.
  const role = args.includes('--role') ? args[args.indexOf('--role') + 1] : 'all';
  const complete = (text) => /turnpike ready/.test(text)
    && (role === 'control' || /turnpike gateway listening on/.test(text))
    && (role === 'gateway' || /turnpike control listening on/.test(text))
    && (!/admin email:/.test(text) || /api key:/.test(text));
  const ready = new Promise((resolve, reject) => {
    output = captureOutput(child, (text) => {
      if (complete(text)) setTimeout(resolve, 50);
    });
    child.once('error', (err) => reject(new Error(`cannot start ${bin} serve: ${err.message}`)));
    child.once('exit', (code, signal) => reject(new Error(
      `turnpike serve exited (${code ?? signal}) before "turnpike ready":\n${output()}`)));
    setTimeout(() => reject(new Error(`turnpike serve printed no "turnpike ready" (after both listening `
      + `lines) within ${READY_TIMEOUT_MS} ms:\n${output()}`)), READY_TIMEOUT_MS).unref();
  });
  try {
    await ready;
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }

  const text = output();
  const find = (re) => re.exec(text)?.[1] ?? null;
  const gatewayUrl = find(/turnpike gateway listening on (http:\/\/\S+)/);
  const controlUrl = find(/turnpike control listening on (http:\/\/\S+)/);
  const adminEmail = find(/admin email: (\S+)/);
  const adminPassword = find(/admin password: (\S+)/);
  const adminKey = find(/api key: (sk-tp-\S+)/);
  const bootstrap = adminEmail && adminPassword && adminKey
    ? { email: adminEmail, password: adminPassword, apiKey: adminKey } : null;
  noteSecret(adminPassword, 'the bootstrap admin\'s password');
  noteSecret(adminKey, 'the bootstrap admin\'s API key');

  async function createUser({ email, password = 'correct-horse-9', credits, admin = false }) {
    noteSecret(password, `the password of ${email}`);
    const args = ['user', 'create', '--email', email, '--password', password];
    if (admin) args.push('--admin');
    if (credits !== undefined && !/^0*(\.0*)?$/.test(String(credits))) args.push('--credits', String(credits));
    const r = await mustCli(args);
    const m = /(\d+)\s*$/.exec(r.stdout.trim());
    if (!m) throw new Error(`no user id in the output of ${describe(args, r)}`);
    return Number(m[1]);
  }

  async function createKey({ email, name = 'test', limit }) {
    const args = ['key', 'create', '--email', email, '--name', name];
    if (limit !== undefined) args.push('--limit', String(limit));
    const r = await mustCli(args);
    const last = r.stdout.trim().split('\n').pop().trim();
    if (!last.startsWith('sk-tp-')) throw new Error(`no sk-tp- key on the last line of ${describe(args, r)}`);
    noteSecret(last, `the API key "${name}" of ${email}`);
    return last;
  }

  return {
    gatewayUrl,
    controlUrl,
    databaseUrl,
    database: databaseUrl.startsWith('postgresql:') ? 'postgresql' : 'sqlite',
    dataDir,
    bootstrap,
    output,
    cli,
    createUser,
    createKey,
    async account({ credits = '10', limit } = {}) {
      const email = `user-${crypto.randomBytes(6).toString('hex')}@example.test`;
      const userId = await createUser({ email, credits });
      const key = await createKey({ email, name: `key-${crypto.randomBytes(3).toString('hex')}`, limit });
      return { email, key, userId };
    },
    stop({ signal = 'SIGTERM' } = {}) {
      return stopChild(child, signal, 15_000);
    },
    // SIGKILL, as a crash would: no drain, no flush. Resolves once the process is gone, to the
    // signal that ended it (null if it had already exited with a code).
    async kill() {
      const done = exited(child);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await done;
      return child.signalCode;
    },
    // Runs SQL on the server's database with the `sqlite3` shell or `psql` (as another program
    // would, while the server runs or after it stopped); resolves to the rows as objects.
    query(sql) {
      if (databaseUrl.startsWith('postgresql:')) return pgQuery(databaseUrl, sql);
      return sqliteQuery(path.join(dataDir, 'turnpike.db'), sql);
    },
  };
}

// Runs `sql` on a SQLite database file with the `sqlite3` shell (-json, a 5 s busy timeout, stop
// at the first error); resolves to the rows of the last statement that returns rows, as objects.
export function sqliteQuery(dbFile, sql) {
  return new Promise((resolve, reject) => {
    execFile('sqlite3', ['-bail', '-json', '-cmd', '.timeout 5000', dbFile], { timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`sqlite3 ${dbFile} failed (${err.code ?? err.message}): ${stderr}\nSQL: ${sql}`));
        return;
      }
      const text = stdout.trim();
      if (!text) {
        resolve([]);
        return;
      }
      // One JSON array per statement that returned rows; keep the last.
      const arrays = text.split(/\n(?=\[)/).map((t) => JSON.parse(t));
      resolve(arrays.at(-1));
    }).stdin.end(sql);
  });
}
