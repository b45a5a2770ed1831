// The HTTP edge (issue 13): early answers reach the client (lingering close), the dashboard's
// security headers (Content-Security-Policy; HSTS and a Secure session cookie over HTTPS, as a
// trusted proxy reports it), /metrics behind a token or on a listener of its own, and login
// limits that slow a guesser without locking the owner out, with client addresses taken from
// X-Forwarded-For of trusted proxies only.
//
// The trusted proxy is 127.0.0.2: requests sent from that source address act as the proxy, ones
// from 127.0.0.1 as a client that writes forwarding headers of its own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startTurnpike } from '../lib/harness.mjs';
import { useServer } from '../lib/setup.mjs';

const INLINE_SCRIPT = '\n      document.documentElement.dataset.theme = "dark";\n    ';
const dashboardDir = fs.mkdtempSync(path.join(os.tmpdir(), 'turnpike-dashboard-'));
fs.mkdirSync(path.join(dashboardDir, 'assets'));
fs.writeFileSync(path.join(dashboardDir, 'index.html'),
  `<!doctype html><html><head><script>${INLINE_SCRIPT}</script>`
  + '<script type="module" crossorigin src="/assets/app-1.js"></script></head><body></body></html>');
fs.writeFileSync(path.join(dashboardDir, 'assets', 'app-1.js'), 'console.log(1);\n');
after(() => fs.rmSync(dashboardDir, { recursive: true, force: true }));

const PROXY = '127.0.0.2';
const METRICS_TOKEN = 'metrics-token-0123456789';
const ctx = useServer({
  env: {
    TURNPIKE_DASHBOARD_DIR: dashboardDir,
    TURNPIKE_TRUSTED_PROXIES: PROXY,
    TURNPIKE_METRICS_TOKEN: METRICS_TOKEN,
    TURNPIKE_LOGIN_PER_EMAIL_PER_MINUTE: '3',
    TURNPIKE_LOGIN_PER_EMAIL_ANY_ADDRESS_PER_MINUTE: '6',
  },
});

// One HTTP/1.1 request with node:http (a source address of our choosing); resolves to
// {status, headers, text}.
function call(url, { method = 'GET', headers = {}, body, localAddress } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, localAddress, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function login(email, password, { via, forwardedFor, proto } = {}) {
  const headers = { 'content-type': 'application/json' };
  if (forwardedFor) headers['x-forwarded-for'] = forwardedFor;
  if (proto) headers['x-forwarded-proto'] = proto;
  return call(`${ctx.tp.controlUrl}/api/auth/login`, {
    method: 'POST', headers, body: JSON.stringify({ email, password }), localAddress: via ?? '127.0.0.1',
  });
}

// Sends a request head and a body of `size` bytes as fast as the server reads it, then reads the
// answer: resolves to the answer's text, or rejects with the socket error (EPIPE, ECONNRESET).
function sendWholeBody(url, path_, size) {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: u.hostname, port: Number(u.port) });
    let answer = '';
    socket.on('data', (c) => { answer += c; });
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
    socket.on('connect', async () => {
      socket.write(`POST ${path_} HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/json\r\n`
        + `Content-Length: ${size}\r\n\r\n`);
      const chunk = Buffer.alloc(256 * 1024, 'a');
      for (let sent = 0; sent < size; sent += chunk.length) {
        const part = sent + chunk.length <= size ? chunk : chunk.subarray(0, size - sent);
        if (!socket.write(part)) await new Promise((r) => socket.once('drain', r));
      }
      socket.end();
    });
  });
}

test('a body over the control API\'s limit gets its 413 even when the client sends all of it', async () => {
  const answer = await sendWholeBody(ctx.tp.controlUrl, '/api/auth/login', 8 << 20);
  assert.match(answer, /^HTTP\/1\.1 413 /);
  assert.match(answer, /"code":413/);
  // fetch (undici) sends the whole body too.
  const r = await fetch(`${ctx.tp.controlUrl}/api/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(4 << 20),
  });
  assert.equal(r.status, 413);
});

test('a body over the gateway\'s limit (10 MiB) gets its 413 even when the client sends all of it', async () => {
  const answer = await sendWholeBody(ctx.tp.gatewayUrl, '/api/v1/chat/completions', 24 << 20);
  assert.match(answer, /^HTTP\/1\.1 413 /);
});

test('the dashboard has a Content-Security-Policy that allows its inline theme script by hash', async () => {
  const r = await call(`${ctx.tp.controlUrl}/`);
  assert.equal(r.status, 200);
  const csp = r.headers['content-security-policy'];
  assert.ok(csp, 'no Content-Security-Policy');
  const hash = crypto.createHash('sha256').update(INLINE_SCRIPT).digest('base64');
  assert.match(csp, new RegExp(`script-src 'self' 'sha256-${hash.replace(/[+/]/g, '\\$&')}'`));
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.match(csp, /object-src 'none'/);
  const gatewayPort = new URL(ctx.tp.gatewayUrl).port;
  assert.match(csp, new RegExp(`connect-src 'self' http://\\*:${gatewayPort} https://\\*:${gatewayPort}`));
  // A page path (the dashboard routes in the browser) and an asset carry it too; the API does not.
  assert.ok((await call(`${ctx.tp.controlUrl}/keys`)).headers['content-security-policy']);
  assert.ok((await call(`${ctx.tp.controlUrl}/assets/app-1.js`)).headers['content-security-policy']);
  assert.equal((await call(`${ctx.tp.controlUrl}/api/config`)).headers['content-security-policy'], undefined);
});

test('HSTS only when a trusted proxy says the browser used HTTPS', async () => {
  const url = `${ctx.tp.controlUrl}/`;
  const viaProxy = await call(url, { localAddress: PROXY, headers: { 'x-forwarded-proto': 'https' } });
  assert.equal(viaProxy.headers['strict-transport-security'], 'max-age=31536000');
  const forwarded = await call(url, { localAddress: PROXY, headers: { forwarded: 'for=198.51.100.1;proto=https' } });
  assert.equal(forwarded.headers['strict-transport-security'], 'max-age=31536000');
  const plain = await call(url, { localAddress: PROXY, headers: { 'x-forwarded-proto': 'http' } });
  assert.equal(plain.headers['strict-transport-security'], undefined);
  // Anyone else's X-Forwarded-Proto is not believed.
  const spoofed = await call(url, { localAddress: '127.0.0.1', headers: { 'x-forwarded-proto': 'https' } });
  assert.equal(spoofed.headers['strict-transport-security'], undefined);
});

test('/api/config names the gateway with the scheme the browser used (no mixed content)', async () => {
  const url = `${ctx.tp.controlUrl}/api/config`;
  const port = new URL(ctx.tp.gatewayUrl).port;
  const https = await call(url, { localAddress: PROXY, headers: { 'x-forwarded-proto': 'https', host: 'tp.example.test' } });
  assert.equal(JSON.parse(https.text).gateway_url, `https://tp.example.test:${port}`);
  const plain = await call(url, { localAddress: '127.0.0.1', headers: { 'x-forwarded-proto': 'https', host: 'tp.example.test' } });
  assert.equal(JSON.parse(plain.text).gateway_url, `http://tp.example.test:${port}`, 'an untrusted X-Forwarded-Proto is not believed');
});

test('the session cookie is Secure whenever the dashboard is reached over HTTPS', async () => {
  const email = `cookie-${crypto.randomBytes(4).toString('hex')}@example.test`;
  await ctx.tp.createUser({ email, password: 'correct-horse-9' });
  const https = await login(email, 'correct-horse-9', { via: PROXY, forwardedFor: '198.51.100.20', proto: 'https' });
  assert.equal(https.status, 200, https.text);
  const secure = [].concat(https.headers['set-cookie']).join('\n');
  assert.match(secure, /tp_session=[^;]+;.*\bSecure\b/);
  const plain = await login(email, 'correct-horse-9', { via: PROXY, forwardedFor: '198.51.100.20', proto: 'http' });
  assert.equal(plain.status, 200, plain.text);
  assert.doesNotMatch([].concat(plain.headers['set-cookie']).join('\n'), /\bSecure\b/);
  const spoofed = await login(email, 'correct-horse-9', { via: '127.0.0.1', proto: 'https' });
  assert.equal(spoofed.status, 200, spoofed.text);
  assert.doesNotMatch([].concat(spoofed.headers['set-cookie']).join('\n'), /\bSecure\b/);
  // Signing out over HTTPS clears it with the same attribute.
  const out = await call(`${ctx.tp.controlUrl}/api/auth/logout`, {
    method: 'POST', localAddress: PROXY, headers: { 'x-forwarded-proto': 'https', authorization: `Bearer ${JSON.parse(https.text).token}` },
  });
  assert.equal(out.status, 204);
  assert.match([].concat(out.headers['set-cookie']).join('\n'), /\bSecure\b/);
});

test('/metrics needs the metrics token', async () => {
  const url = `${ctx.tp.gatewayUrl}/metrics`;
  const none = await call(url);
  assert.equal(none.status, 401);
  assert.equal(none.headers['www-authenticate'], 'Bearer');
  assert.equal(JSON.parse(none.text).error.code, 401);
  assert.equal((await call(url, { headers: { authorization: 'Bearer wrong-token' } })).status, 401);
  assert.equal((await call(url, { headers: { authorization: `Basic ${METRICS_TOKEN}` } })).status, 401);
  const ok = await call(url, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  assert.equal(ok.status, 200);
  assert.match(ok.text, /^turnpike_requests_total \d+$/m);
  assert.doesNotMatch(ok.text, new RegExp(METRICS_TOKEN));
});

test('/metrics shows each listener\'s connections', async () => {
  // Three idle connections held open on the control listener while /metrics is read.
  const idle = await Promise.all([0, 1, 2].map(() => new Promise((resolve, reject) => {
    const s = net.connect(Number(new URL(ctx.tp.controlUrl).port), '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  })));
  try {
    const ok = await call(`${ctx.tp.gatewayUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    assert.equal(ok.status, 200);
    const gauge = (name, listener) => Number(new RegExp(`^${name}\\{listener="${listener}"\\} (\\d+)$`, 'm').exec(ok.text)?.[1]);
    assert.ok(gauge('turnpike_open_connections', 'gateway') >= 1, ok.text);
    assert.ok(gauge('turnpike_requests_in_flight', 'gateway') >= 1, 'the /metrics request itself');
    assert.ok(gauge('turnpike_open_connections', 'control') >= 3, ok.text);
    assert.ok(Number.isInteger(gauge('turnpike_connections_refused_total', 'gateway')), ok.text);
    assert.ok(Number.isInteger(gauge('turnpike_connections_evicted_total', 'control')), ok.text);
  } finally {
    for (const s of idle) s.destroy();
  }
});

test('/metrics on a listener of its own is not on the gateway listener', async () => {
  const tp = await startTurnpike({ fake: ctx.fake, env: { TURNPIKE_METRICS_PORT: '0' } });
  try {
    const metricsUrl = /turnpike metrics listening on (http:\/\/\S+)\/metrics/.exec(tp.output())?.[1];
    assert.ok(metricsUrl, tp.output());
    assert.notEqual(metricsUrl, tp.gatewayUrl);
    const there = await call(`${metricsUrl}/metrics`);
    assert.equal(there.status, 200);
    assert.match(there.text, /turnpike_requests_total/);
    assert.equal((await call(`${metricsUrl}/health`)).status, 404);
    assert.equal((await call(`${metricsUrl}/api/v1/models`)).status, 404);
    const gateway = await call(`${tp.gatewayUrl}/metrics`);
    assert.equal(gateway.status, 404);
    assert.equal((await call(`${tp.gatewayUrl}/health`)).status, 200);
  } finally {
    await tp.stop();
  }
});

test('a guesser cannot lock the owner out: limits are per (email, address), and per email only for new addresses', async () => {
  const email = `owner-${crypto.randomBytes(4).toString('hex')}@example.test`;
  await ctx.tp.createUser({ email, password: 'correct-horse-9' });
  const owner = { via: PROXY, forwardedFor: '198.51.100.7' };
  assert.equal((await login(email, 'correct-horse-9', owner)).status, 200);

  // One guessing address: 3 tries a minute, then 429 with Retry-After.
  const guesser = { via: PROXY, forwardedFor: '203.0.113.5' };
  for (let i = 0; i < 3; i += 1) assert.equal((await login(email, 'wrong-password', guesser)).status, 401);
  const limited = await login(email, 'wrong-password', guesser);
  assert.equal(limited.status, 429);
  assert.ok(Number(limited.headers['retry-after']) >= 1);
  // The owner, from the address they signed in from, still gets in.
  assert.equal((await login(email, 'correct-horse-9', owner)).status, 200);

  // Guessing from many addresses: 6 tries a minute for the account from addresses it had not
  // signed in from (4 spent above: the owner's first sign-in, from an address new then, and the
  // guesser's 3), then every new address is refused...
  for (let i = 0; i < 2; i += 1) {
    assert.equal((await login(email, 'wrong-password', { via: PROXY, forwardedFor: `203.0.113.${10 + i}` })).status, 401);
  }
  assert.equal((await login(email, 'wrong-password', { via: PROXY, forwardedFor: '203.0.113.50' })).status, 429);
  // ...while the owner still gets in, and X-Forwarded-For is read right to left (what a client
  // wrote before the proxy's entry is not believed).
  assert.equal((await login(email, 'correct-horse-9', { via: PROXY, forwardedFor: '203.0.113.99, 198.51.100.7' })).status, 200);
  assert.equal((await login(email, 'correct-horse-9', { via: PROXY, forwardedFor: '198.51.100.7, 203.0.113.99' })).status, 429);

  // A client that is not a trusted proxy cannot pick its address with X-Forwarded-For: it is
  // 127.0.0.1, whatever it writes.
  const other = `other-${crypto.randomBytes(4).toString('hex')}@example.test`;
  await ctx.tp.createUser({ email: other, password: 'correct-horse-9' });
  for (let i = 0; i < 3; i += 1) {
    assert.equal((await login(other, 'wrong-password', { via: '127.0.0.1', forwardedFor: `192.0.2.${i + 1}` })).status, 401);
  }
  assert.equal((await login(other, 'wrong-password', { via: '127.0.0.1', forwardedFor: '192.0.2.99' })).status, 429);
});
