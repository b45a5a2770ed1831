// Runs nginx with the deployment's own configuration (deploy/nginx.conf) in front of Turnpike
// processes started by the harness, on loopback ports of its own. Only the addresses are
// rewritten: the replicas' and the control process's ports for the `server` lines of the two
// upstreams, and free loopback ports for the two `listen` lines. The main configuration around it
// (pid, logs, temp paths, worker_connections) is the test's. Killed at exit with the other
// processes the test started.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './harness.mjs';

export const NGINX_CONF = path.join(ROOT, 'deploy/nginx.conf');

export function nginxBinary() {
  for (const candidate of [process.env.NGINX_BIN, '/usr/sbin/nginx', '/usr/bin/nginx']) {
    if (candidate && fs.existsSync(candidate)) return candidate;
  }
  return null;
}

// A loopback port that was free a moment ago.
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function hostPort(url) {
  const u = new URL(url);
  return `${u.hostname}:${u.port}`;
}

// deploy/nginx.conf with its addresses replaced.
export function rewriteConf(text, { gateways, control, gatewayPort, controlPort }) {
  const replaceServers = (block, targets) => {
    const re = new RegExp(`(upstream ${block} \\{)([\\s\\S]*?)(\\n\\})`);
    const m = re.exec(text);
    if (!m) throw new Error(`deploy/nginx.conf has no upstream ${block}`);
    const lines = m[2].split('\n');
    const first = lines.find((l) => /^\s*server\s/.test(l));
    if (!first) throw new Error(`upstream ${block} has no server line`);
    const body = [];
    let placed = false;
    for (const line of lines) {
      if (!/^\s*server\s/.test(line)) {
        body.push(line);
      } else if (!placed) {
        for (const t of targets) body.push(first.replace(/server\s+[^\s;]+/, `server ${hostPort(t)}`));
        placed = true;
      }
    }
    text = text.replace(re, `$1${body.join('\n')}$3`);
  };
  replaceServers('turnpike_gateway', gateways);
  replaceServers('turnpike_control', [control]);
  const listens = [...text.matchAll(/^(\s*)listen\s+\S+;/gm)];
  if (listens.length !== 2) throw new Error(`deploy/nginx.conf: expected 2 listen lines, found ${listens.length}`);
  let n = 0;
  return text.replace(/^(\s*)listen\s+\S+;/gm, (_, indent) => `${indent}listen 127.0.0.1:${n++ === 0 ? gatewayPort : controlPort};`);
}

// Starts nginx in front of `gateways` (URLs) and `control` (URL). Resolves to { gatewayUrl,
// controlUrl, dir, stop() }.
export async function startNginx({ gateways, control }) {
  const bin = nginxBinary();
  if (!bin) throw new Error('nginx not found (scripts/install-deps installs it)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'turnpike-nginx-'));
  const gatewayPort = await freePort();
  const controlPort = await freePort();
  fs.writeFileSync(path.join(dir, 'turnpike.conf'),
    rewriteConf(fs.readFileSync(NGINX_CONF, 'utf8'), { gateways, control, gatewayPort, controlPort }));
  for (const t of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) fs.mkdirSync(path.join(dir, t));
  const root = process.getuid?.() === 0;
  fs.writeFileSync(path.join(dir, 'nginx.conf'), `${root ? 'user root;\n' : ''}daemon off;
worker_processes 2;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${dir}/turnpike.conf;
}
`);
  const args = ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')];
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c) => { output += c; });
  child.stderr.on('data', (c) => { output += c; });
  const kill = () => { try { child.kill('SIGKILL'); } catch { /* gone */ } };
  process.on('exit', kill);
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const controlUrl = `http://127.0.0.1:${controlPort}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`nginx exited (${child.exitCode}): ${output}\n${fs.readFileSync(path.join(dir, 'error.log'), 'utf8')}`);
    }
    try {
      const r = await fetch(`${controlUrl}/health`);
      await r.arrayBuffer();
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`nginx did not answer within 10 s: ${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    gatewayUrl,
    controlUrl,
    dir,
    errors: () => fs.readFileSync(path.join(dir, 'error.log'), 'utf8'),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGQUIT');
      const t = setTimeout(kill, 5_000);
      await done;
      clearTimeout(t);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
