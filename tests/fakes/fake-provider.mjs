#!/usr/bin/env node
// Fake OpenAI Chat Completions upstream. Replays the recorded bytes in
// tests/fixtures/providers/openai/ (see SOURCES.md there) with OpenAI's headers, so the gateway
// can be tested, and benchmarked, against the real wire format without the network.
//
//   node tests/fakes/fake-provider.mjs [--port 0] [--host 127.0.0.1] [--api-key KEY]
//        [--fixtures DIR] [--latency-ms N] [--chunk-delay-ms N] [--record-limit N]
//        [--exit-with-stdin]
//
// Prints exactly one line, `fake provider listening on http://HOST:PORT`, when ready.
//
// Routes: POST <any prefix>/v1/chat/completions, GET <any prefix>/v1/models (a prefix such as
// /cheap lets two catalog providers share one fake; the path is recorded), GET /_fake/requests,
// POST /_fake/reset. Anything else: 404 in OpenAI's error shape.
//
// Knobs are directives in the text of the LAST message (string content or text parts), so they
// pass through a gateway untouched. Unknown or malformed directives answer 400 so typos show.
//   [[fake:tool-call]]           one tool call (chat-*-tool-call fixtures)
//   [[fake:parallel-tool-calls]] two tool calls (chat-*-parallel-tool-calls fixtures)
//   [[fake:length]]              stream: chat-stream-length-reasoning-usage.sse (finish "length").
//                                non-stream: 400, because no non-stream length recording exists and
//                                the fake never invents bodies.
//   [[fake:error=STATUS]]        400/401/404/429 replay error-STATUS-*.json; any other 4xx/5xx
//                                (500/502/503/504/529 …) sends an OpenAI-shaped error of type
//                                server_error (5xx) or invalid_request_error (4xx)
//   [[fake:cut-after=N]]         stream: the first N events, then the socket is destroyed (no
//                                [DONE]); non-stream: the head and half the body, then destroyed
//   [[fake:delay-ms=N]]          wait N ms before the response head (default --latency-ms)
//   [[fake:chunk-delay-ms=N]]    wait N ms between SSE events (default --chunk-delay-ms)
//   [[fake:repeat=N]]            stream: the fixture's content-delta events N times in all (N=1 is
//                                the recording) before the finish event; the usage chunk's
//                                completion_tokens (and total_tokens) scale by N. Meant for text:
//                                repeated tool-call argument fragments do not form valid JSON.
//   [[fake:no-usage]]            stream: ends with [DONE] but never sends usage, even if asked
//                                (as an upstream that ignores stream_options would)
//   [[fake:hang]]                accept the request and never answer
// A last message with role "tool" (the second turn of a tool conversation) gets the text
// fixtures whatever other fixture-selecting knobs say; delay/error/cut knobs still apply.
//
// Requests are recorded (GET /_fake/requests, oldest first) as {id, method, path, headers
// (authorization redacted), body, authorized, startedAt, finishedAt, completed, aborted, cut}.
// --record-limit N keeps about the newest N, trimmed every 1024 (default 100000; 0 turns
// recording off, for benchmarks).
// --exit-with-stdin exits when standard input closes (the test harness uses it so that a fake
// never outlives a killed test process).
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const HERE = path.dirname(fileURLToPath(import.meta.url));

function usage(message) {
  process.stderr.write(`fake-provider: ${message}\n`);
  process.exit(2);
}

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      'api-key': { type: 'string' },
      fixtures: { type: 'string', default: path.join(HERE, '../fixtures/providers/openai') },
      'latency-ms': { type: 'string', default: '0' },
      'chunk-delay-ms': { type: 'string', default: '0' },
      'record-limit': { type: 'string', default: '100000' },
      'exit-with-stdin': { type: 'boolean', default: false },
    },
  }));
} catch (err) {
  usage(err.message);
}

function nonNegativeInt(name, text) {
  if (!/^\d+$/.test(text)) usage(`--${name} must be a non-negative integer, got "${text}"`);
  return Number(text);
}
const PORT = nonNegativeInt('port', args.port);
const API_KEY = args['api-key'];
const LATENCY_MS = nonNegativeInt('latency-ms', args['latency-ms']);
const CHUNK_DELAY_MS = nonNegativeInt('chunk-delay-ms', args['chunk-delay-ms']);
const RECORD_LIMIT = nonNegativeInt('record-limit', args['record-limit']);

// ---------------------------------------------------------------------------------------------
// Fixtures, read and pre-built once.

function readFixture(name) {
  try {
    return fs.readFileSync(path.join(args.fixtures, name));
  } catch (err) {
    usage(`cannot read fixture ${name}: ${err.message}`);
  }
}

const DONE = 'data: [DONE]\n\n';

// A recorded stream: the role chunk, the content deltas, the finish chunk, and (when the request
// asked for include_usage) a usage chunk with "choices":[]; then [DONE].
function loadStream(name) {
  const text = readFixture(name).toString('utf8');
  const events = text.split('\n\n').filter((e) => e.length > 0).map((e) => `${e}\n\n`);
  if (events.pop() !== DONE) usage(`${name} does not end with [DONE]`);
  const parsed = events.map((e) => JSON.parse(e.slice('data: '.length)));
  const usageAt = parsed.findIndex((p) => p.choices.length === 0 && p.usage);
  const finishAt = parsed.findIndex((p) => p.choices[0]?.finish_reason != null);
  if (finishAt < 1) usage(`${name} has no finish chunk`);
  const s = {
    name,
    head: events.slice(0, 1),
    content: events.slice(1, finishAt),
    finish: events.slice(finishAt, usageAt < 0 ? undefined : usageAt),
    usageObj: usageAt < 0 ? null : parsed[usageAt],
  };
  // Without include_usage the real API sends no usage key at all (see chat-stream-text-no-usage.sse),
  // so the stripped variant drops the final "choices":[] usage event and every ,"usage":null.
  const strip = (list) => list.map((e) => e.replace(',"usage":null', ''));
  s.stripped = { head: strip(s.head), content: strip(s.content), finish: strip(s.finish) };
  s.full = { withUsage: buildStream(s, true, 1), noUsage: buildStream(s, false, 1) };
  return s;
}

// The event list of stream `s`, with or without usage, content repeated `repeat` times in all.
function streamEvents(s, withUsage, repeat) {
  const parts = withUsage && s.usageObj ? s : s.stripped;
  const out = [...parts.head];
  for (let i = 0; i < repeat; i++) out.push(...parts.content);
  out.push(...parts.finish);
  if (withUsage && s.usageObj) {
    let obj = s.usageObj;
    if (repeat !== 1 && s.content.length > 0) {
      obj = structuredClone(obj);
      obj.usage.completion_tokens *= repeat;
      obj.usage.total_tokens = obj.usage.prompt_tokens + obj.usage.completion_tokens;
    }
    out.push(`data: ${JSON.stringify(obj)}\n\n`);
  }
  out.push(DONE);
  return out;
}

function buildStream(s, withUsage, repeat) {
  return Buffer.from(streamEvents(s, withUsage, repeat).join(''), 'utf8');
}

const JSON_FIXTURES = {
  text: readFixture('chat-nonstream-text-after-tool-results.json'),
  toolCall: readFixture('chat-nonstream-tool-call.json'),
  parallel: readFixture('chat-nonstream-parallel-tool-calls.json'),
};
const STREAMS = {
  textUsage: loadStream('chat-stream-text-include-usage.sse'),
  textNoUsage: loadStream('chat-stream-text-no-usage.sse'),
  toolCall: loadStream('chat-stream-tool-call.sse'),
  parallel: loadStream('chat-stream-parallel-tool-calls.sse'),
  length: loadStream('chat-stream-length-reasoning-usage.sse'),
};
const ERROR_FIXTURES = {
  400: readFixture('error-400-unsupported-parameter.json'),
  401: readFixture('error-401-invalid-api-key.json'),
  404: readFixture('error-404-model-not-found.json'),
  429: readFixture('error-429-rate-limit.json'),
};

// OpenAI's error layout: 4-space indent, keys message/type/param/code, trailing newline.
function openaiError(message, type, param = null, code = null) {
  return Buffer.from(`${JSON.stringify({ error: { message, type, param, code } }, null, 4)}\n`);
}

function errorBodyFor(status) {
  if (ERROR_FIXTURES[status]) return ERROR_FIXTURES[status];
  if (status >= 500) {
    return openaiError('The server had an error while processing your request. Sorry about that!', 'server_error');
  }
  return openaiError(`Fake provider error ${status}.`, 'invalid_request_error');
}

const MODELS_BODY = Buffer.from(`${JSON.stringify({
  object: 'list',
  data: ['gpt-4o-mini', 'gpt-4o', 'gpt-5-nano'].map((id) => ({
    id, object: 'model', created: 1715367049, owned_by: 'system',
  })),
}, null, 2)}\n`);

// ---------------------------------------------------------------------------------------------
// Requests.

const ID_PREFIX = crypto.randomBytes(12).toString('hex');
let responseCounter = 0;
function requestId() {
  responseCounter = (responseCounter + 1) >>> 0;
  return `req_${ID_PREFIX}${responseCounter.toString(16).padStart(8, '0')}`;
}

let records = [];
let nextRecordId = 1;

function baseHeaders(started, contentType) {
  return {
    'content-type': contentType,
    'x-request-id': requestId(),
    'openai-processing-ms': String(Date.now() - started),
    'openai-version': '2020-10-01',
  };
}

function sendBuffer(res, started, status, contentType, body) {
  if (res.destroyed) return;
  const headers = baseHeaders(started, contentType);
  headers['content-length'] = String(body.length);
  res.writeHead(status, headers);
  res.end(body);
}

function sendError(res, started, status, body) {
  sendBuffer(res, started, status, 'application/json; charset=utf-8', body);
}

const DIRECTIVE = /\[\[fake:([a-z-]+)(?:=([^\]]*))?\]\]/g;
const FLAG_KNOBS = new Set(['tool-call', 'parallel-tool-calls', 'length', 'no-usage', 'hang']);
const INT_KNOBS = new Set(['error', 'cut-after', 'delay-ms', 'chunk-delay-ms', 'repeat']);

function lastMessageText(messages) {
  const content = messages[messages.length - 1]?.content;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.filter((p) => p && p.type === 'text' && typeof p.text === 'string').map((p) => p.text).join('\n');
}

// Returns the knobs of the last message, or a string describing a bad directive.
function parseKnobs(text) {
  const knobs = {};
  if (!text.includes('[[fake:')) return knobs;
  for (const [, name, value] of text.matchAll(DIRECTIVE)) {
    if (FLAG_KNOBS.has(name) && value === undefined) {
      knobs[name] = true;
    } else if (INT_KNOBS.has(name) && value !== undefined && /^\d{1,9}$/.test(value)) {
      knobs[name] = Number(value);
    } else {
      return `bad fake directive [[fake:${name}${value === undefined ? '' : `=${value}`}]]`;
    }
  }
  if (knobs.error !== undefined && (knobs.error < 400 || knobs.error > 599)) {
    return `[[fake:error=${knobs.error}]] must be a 4xx or 5xx status`;
  }
  if (knobs.repeat === 0) return '[[fake:repeat=0]] must be at least 1';
  return knobs;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function record(req) {
  const rec = {
    id: nextRecordId++,
    method: req.method,
    path: req.url,
    headers: { ...req.headers },
    body: null,
    authorized: false,
    startedAt: Date.now(),
    finishedAt: null,
    completed: false,
    aborted: false,
    cut: false,
  };
  if (rec.headers.authorization !== undefined) rec.headers.authorization = '<redacted>';
  if (RECORD_LIMIT > 0) {
    records.push(rec);
    // Trimmed in batches so that a benchmark at the limit does not pay O(N) per request.
    if (records.length >= RECORD_LIMIT + 1024) records = records.slice(-RECORD_LIMIT);
  }
  return rec;
}

function authorized(req) {
  const header = req.headers.authorization;
  if (typeof header !== 'string' || !header.startsWith('Bearer ')) return false;
  const token = header.slice('Bearer '.length);
  if (token.length === 0) return false;
  return API_KEY === undefined || token === API_KEY;
}

async function handleChat(req, res) {
  const started = Date.now();
  const rec = record(req);
  const abort = new AbortController();
  const state = { cut: false };
  res.on('finish', () => {
    rec.completed = true;
    rec.finishedAt = Date.now();
  });
  // 'close' without 'finish' means the peer went away first (or we cut the socket on purpose).
  res.on('close', () => {
    if (!res.writableFinished) {
      rec.finishedAt = Date.now();
      if (state.cut) rec.cut = true;
      else rec.aborted = true;
    }
    abort.abort();
  });

  const raw = await readBody(req);
  if (!authorized(req)) return sendError(res, started, 401, ERROR_FIXTURES[401]);
  rec.authorized = true;
  let body;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return sendError(res, started, 400, openaiError(
      'We could not parse the JSON body of your request. (HINT: This likely means you aren\'t using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)',
      'invalid_request_error'));
  }
  rec.body = body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return sendError(res, started, 400, openaiError('The request body must be a JSON object.', 'invalid_request_error'));
  }
  if (typeof body.model !== 'string' || body.model === '') {
    return sendError(res, started, 400, openaiError('you must provide a model parameter', 'invalid_request_error'));
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return sendError(res, started, 400, openaiError(
      "Missing required parameter: 'messages'.", 'invalid_request_error', 'messages', 'missing_required_parameter'));
  }
  const knobs = parseKnobs(lastMessageText(body.messages));
  if (typeof knobs === 'string') return sendError(res, started, 400, openaiError(knobs, 'invalid_request_error'));
  if (knobs.hang) return undefined; // never answer; 'close' marks the record aborted

  const delay = knobs['delay-ms'] ?? LATENCY_MS;
  if (delay > 0) {
    try {
      await sleep(delay, undefined, { signal: abort.signal });
    } catch {
      return undefined; // the peer left during the delay
    }
  }
  if (knobs.error !== undefined) return sendError(res, started, knobs.error, errorBodyFor(knobs.error));

  const toolTurn = body.messages[body.messages.length - 1]?.role === 'tool';
  const which = toolTurn ? 'text'
    : knobs['parallel-tool-calls'] ? 'parallel'
      : knobs['tool-call'] ? 'toolCall'
        : knobs.length ? 'length' : 'text';

  if (body.stream !== true) {
    if (which === 'length') {
      return sendError(res, started, 400, openaiError(
        '[[fake:length]] works only with stream:true (there is no non-stream recording of finish_reason "length").',
        'invalid_request_error'));
    }
    return sendJson(res, started, JSON_FIXTURES[which], knobs['cut-after'] !== undefined, state);
  }
  const includeUsage = body.stream_options?.include_usage === true;
  const s = which === 'text' ? (includeUsage ? STREAMS.textUsage : STREAMS.textNoUsage) : STREAMS[which];
  const withUsage = includeUsage && !knobs['no-usage'];
  return sendStream(res, started, s, withUsage, knobs, abort.signal, state);
}

function sendJson(res, started, body, cut, state) {
  if (!cut) return sendBuffer(res, started, 200, 'application/json', body);
  const headers = baseHeaders(started, 'application/json');
  headers['content-length'] = String(body.length);
  res.writeHead(200, headers);
  state.cut = true;
  res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
  return undefined;
}

async function sendStream(res, started, s, withUsage, knobs, signal, state) {
  const repeat = knobs.repeat ?? 1;
  const cutAfter = knobs['cut-after'];
  const chunkDelay = knobs['chunk-delay-ms'] ?? CHUNK_DELAY_MS;
  const headers = baseHeaders(started, 'text/event-stream; charset=utf-8');
  headers['transfer-encoding'] = 'chunked';
  res.writeHead(200, headers);

  // Hot path: the whole pre-built stream in one write.
  if (chunkDelay === 0 && cutAfter === undefined) {
    res.end(repeat === 1 ? s.full[withUsage ? 'withUsage' : 'noUsage'] : buildStream(s, withUsage, repeat));
    return;
  }
  let events = streamEvents(s, withUsage, repeat);
  if (cutAfter !== undefined) events = events.slice(0, Math.min(cutAfter, events.length - 1));
  if (chunkDelay === 0) {
    state.cut = true;
    res.write(events.join(''), () => res.destroy());
    return;
  }
  try {
    for (let i = 0; i < events.length; i++) {
      if (i > 0) await sleep(chunkDelay, undefined, { signal });
      if (res.destroyed) return;
      if (!res.write(events[i])) await waitDrain(res, signal);
    }
  } catch {
    return; // the peer left
  }
  if (cutAfter !== undefined) {
    state.cut = true;
    res.write('', () => res.destroy());
  } else {
    res.end();
  }
}

function waitDrain(res, signal) {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    res.once('drain', () => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

function route(req, res) {
  const started = Date.now();
  const q = req.url.indexOf('?');
  const p = q < 0 ? req.url : req.url.slice(0, q);
  if (req.method === 'POST' && p.endsWith('/v1/chat/completions')) {
    handleChat(req, res).catch((err) => {
      process.stderr.write(`fake-provider: ${err.stack}\n`);
      res.destroy();
    });
    return;
  }
  if (req.method === 'GET' && p.endsWith('/v1/models')) {
    if (!authorized(req)) return sendError(res, started, 401, ERROR_FIXTURES[401]);
    return sendBuffer(res, started, 200, 'application/json', MODELS_BODY);
  }
  if (req.method === 'GET' && p === '/_fake/requests') {
    return sendBuffer(res, started, 200, 'application/json', Buffer.from(JSON.stringify(records)));
  }
  if (req.method === 'POST' && p === '/_fake/reset') {
    records = [];
    return sendBuffer(res, started, 200, 'application/json', Buffer.from('{"ok":true}'));
  }
  return sendError(res, started, 404,
    openaiError(`Invalid URL (${req.method} ${p})`, 'invalid_request_error'));
}

// ---------------------------------------------------------------------------------------------

const server = http.createServer({ keepAliveTimeout: 120_000, headersTimeout: 130_000 }, (req, res) => {
  req.on('error', () => {});
  res.on('error', () => {});
  route(req, res);
});
server.keepAliveTimeout = 120_000;
server.requestTimeout = 0;

function shutdown() {
  server.close();
  server.closeAllConnections();
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
if (args['exit-with-stdin']) {
  process.stdin.on('end', shutdown);
  process.stdin.on('close', shutdown);
  process.stdin.resume();
}

server.on('error', (err) => usage(`cannot listen: ${err.message}`));
server.listen(PORT, args.host, () => {
  const { port } = server.address();
  const host = args.host.includes(':') ? `[${args.host}]` : args.host;
  process.stdout.write(`fake provider listening on http://${host}:${port}\n`);
});
