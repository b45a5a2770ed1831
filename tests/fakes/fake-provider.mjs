#!/usr/bin/env node
// Fake upstream for the three wire protocols the gateway speaks: OpenAI Chat Completions,
// Anthropic Messages and Gemini generateContent. Replays the recorded bytes in
// tests/fixtures/providers/{openai,anthropic,gemini}/ (see SOURCES.md there) with each provider's
// headers, so the gateway can be tested, and benchmarked, against the real wire formats without
// the network. One process, one port, one control API for all three.
//
//   node tests/fakes/fake-provider.mjs [--port 0] [--host 127.0.0.1] [--api-key KEY]
//        [--anthropic-api-key KEY] [--google-api-key KEY]
//        [--fixtures DIR] [--anthropic-fixtures DIR] [--gemini-fixtures DIR]
//        [--latency-ms N] [--chunk-delay-ms N] [--record-limit N] [--exit-with-stdin]
//
// Prints exactly one line, `fake provider listening on http://HOST:PORT`, when ready.
//
// Keys: --api-key is the OpenAI bearer token and also the default of --anthropic-api-key and
// --google-api-key. A provider with no key configured accepts any non-empty key.
//
// Routes (a prefix such as /cheap lets two catalog providers share one fake; the path is recorded):
//   POST <prefix>/v1/chat/completions                         OpenAI (below)
//   GET  <prefix>/v1/models                                   OpenAI model list
//   POST <prefix>/v1/messages                                 Anthropic (see "Anthropic" further down)
//   POST <prefix>/v1/responses                                OpenAI Responses (see "OpenAI Responses")
//   POST <prefix>/v1beta/models/<model>:generateContent       Gemini (see "Gemini" further down)
//   POST <prefix>/v1beta/models/<model>:streamGenerateContent?alt=sse
//   POST <prefix>/v1/embeddings                               OpenAI embeddings (see "Embeddings")
//   POST <prefix>/v1beta/models/<model>:embedContent | :batchEmbedContents   Gemini embeddings
//   GET  /_fake/requests, POST /_fake/reset                   control API
// Anything else: 404 in OpenAI's error shape (Google's shape under /v1beta/).
//
// Knobs are directives in the text of the LAST message (OpenAI: string content or text parts;
// Anthropic: string content or text blocks of the last message; Gemini: text parts of the last
// contents[] entry), so they pass through a gateway untouched. Unknown or malformed directives,
// and directives a route does not support, answer 400 so typos show.
//
// OpenAI knobs:
//   [[fake:tool-call]]           one tool call (chat-*-tool-call fixtures)
//   [[fake:parallel-tool-calls]] two tool calls (chat-*-parallel-tool-calls fixtures)
//   [[fake:length]]              stream: chat-stream-length-reasoning-usage.sse (finish "length").
//                                non-stream: 400, because no non-stream length recording exists and
//                                the fake never invents bodies.
//   [[fake:error=STATUS]]        400/401/404/429 replay error-STATUS-*.json; any other 4xx/5xx
//                                (500/502/503/504/529 …) sends an OpenAI-shaped error of type
//                                server_error (5xx) or invalid_request_error (4xx)
//   [[fake:retry-after=N]]       with an error: also send `retry-after: N` (OpenAI route)
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
//   [[fake:fail-path=PREFIX:STATUS]]  as [[fake:error=STATUS]], but only for a request whose path
//                                starts with PREFIX (e.g. /cheap); other paths are answered as if
//                                the directive were absent. May be repeated: the first matching
//                                one wins, and a match overrides [[fake:error=…]]. Lets a test
//                                make one of two catalog providers that share this fake fail.
//   [[fake:fail-model=MODEL:STATUS]]  OpenAI route only: as [[fake:error=STATUS]] for a request
//                                whose `model` is MODEL (the upstream model id); repeatable.
//   [[fake:hang-path=PREFIX]]    as [[fake:hang]], only for paths starting with PREFIX; repeatable.
//                                (Both: PREFIX starts with "/"; the path is matched without its
//                                query; a bad value answers 400.)
// A last message with role "tool" (the second turn of a tool conversation) gets the text
// fixtures whatever other fixture-selecting knobs say; delay/error/cut knobs still apply.
// Anthropic and Gemini take delay-ms, chunk-delay-ms, cut-after, hang, error, fail-path and
// hang-path too (an SSE "event" there is one `event:`+`data:` block, or one `data:` line with
// its CRLF CRLF); their fixture-selecting knobs are listed in their sections.
//
// Requests are recorded (GET /_fake/requests, oldest first) as {id, provider ("openai" |
// "anthropic" | "gemini"), method, path, headers, body, authorized, startedAt, finishedAt,
// completed, aborted, cut, sent}; `body` is the parsed JSON body (null when it is not JSON),
// recorded for refused requests too. Secrets are redacted: the authorization, x-api-key and
// x-goog-api-key headers and a `key=` query parameter in the path read "<redacted>".
// `sent` counts the bytes of an OpenAI stream's body that the OS has accepted so far (0 for
// other responses). A stream body over 1 MiB goes out in 64 KiB slices as the peer drains it,
// so `sent` of a big stream read slowly shows how far the fake got (`completed` turns true only
// once the whole body is in the socket buffer).
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
      'anthropic-api-key': { type: 'string' },
      'google-api-key': { type: 'string' },
      fixtures: { type: 'string', default: path.join(HERE, '../fixtures/providers/openai') },
      'anthropic-fixtures': { type: 'string', default: path.join(HERE, '../fixtures/providers/anthropic') },
      'gemini-fixtures': { type: 'string', default: path.join(HERE, '../fixtures/providers/gemini') },
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
const ANTHROPIC_API_KEY = args['anthropic-api-key'] ?? API_KEY;
const GOOGLE_API_KEY = args['google-api-key'] ?? API_KEY;
const LATENCY_MS = nonNegativeInt('latency-ms', args['latency-ms']);
const CHUNK_DELAY_MS = nonNegativeInt('chunk-delay-ms', args['chunk-delay-ms']);
const RECORD_LIMIT = nonNegativeInt('record-limit', args['record-limit']);

// ---------------------------------------------------------------------------------------------
// Fixtures, read and pre-built once.

function readFixture(name, dir = args.fixtures) {
  try {
    return fs.readFileSync(path.join(dir, name));
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

// Stream `s`, with or without usage, content repeated `repeat` times in all, as its three parts:
// { head, content (one round of the content events), tail } (event lists).
function streamParts(s, withUsage, repeat) {
  const parts = withUsage && s.usageObj ? s : s.stripped;
  const tail = [...parts.finish];
  if (withUsage && s.usageObj) {
    let obj = s.usageObj;
    if (repeat !== 1 && s.content.length > 0) {
      obj = structuredClone(obj);
      obj.usage.completion_tokens *= repeat;
      obj.usage.total_tokens = obj.usage.prompt_tokens + obj.usage.completion_tokens;
    }
    tail.push(`data: ${JSON.stringify(obj)}\n\n`);
  }
  tail.push(DONE);
  return { head: parts.head, content: parts.content, tail };
}

// The event list of stream `s` (see streamParts).
function streamEvents(s, withUsage, repeat) {
  const { head, content, tail } = streamParts(s, withUsage, repeat);
  const out = [...head];
  for (let i = 0; i < repeat; i++) out.push(...content);
  return out.concat(tail);
}

function buildStream(s, withUsage, repeat) {
  return Buffer.from(streamEvents(s, withUsage, repeat).join(''), 'utf8');
}

// The bytes of stream `s` in slices of about STREAM_SLICE, made as they are asked for: a long
// repeated stream (100 MB for [[fake:repeat=40000]]) is never built whole, so its first byte goes
// out at once however loaded the machine is.
function* streamSlices(s, withUsage, repeat) {
  const { head, content, tail } = streamParts(s, withUsage, repeat);
  const round = content.join('');
  const perSlice = Math.max(1, Math.floor(STREAM_SLICE / Math.max(1, Buffer.byteLength(round))));
  let slice = head.join('');
  for (let left = repeat; left > 0;) {
    const n = Math.min(left, perSlice);
    slice += round.repeat(n);
    left -= n;
    yield slice;
    slice = '';
  }
  yield slice + tail.join('');
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

function sendBuffer(res, started, status, contentType, body, extraHeaders = {}) {
  if (res.destroyed) return;
  const headers = { ...baseHeaders(started, contentType), ...extraHeaders };
  headers['content-length'] = String(body.length);
  res.writeHead(status, headers);
  res.end(body);
}

// `retryAfter`: seconds, sent as Retry-After (as providers do on 429 and 503), or undefined.
function sendError(res, started, status, body, retryAfter = undefined) {
  const extra = retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) };
  sendBuffer(res, started, status, 'application/json; charset=utf-8', body, extra);
}

const DIRECTIVE = /\[\[fake:([a-z-]+)(?:=([^\]]*))?\]\]/g;
const FLAG_KNOBS = new Set(['tool-call', 'parallel-tool-calls', 'length', 'no-usage', 'hang']);
const INT_KNOBS = new Set(['error', 'cut-after', 'delay-ms', 'chunk-delay-ms', 'repeat', 'retry-after']);
// Knobs that apply only on some paths; every route takes them.
const PATH_KNOBS = new Set(['fail-path', 'hang-path', 'fail-model']);

// fail-path=PREFIX:STATUS → {prefix, status}; hang-path=PREFIX → {prefix}; or an error string.
function parsePathKnob(name, value) {
  const bad = `bad fake directive [[fake:${name}=${value}]]`;
  if (name === 'hang-path') return /^\/\S*$/.test(value) ? { prefix: value } : `${bad}: PREFIX must start with "/"`;
  if (name === 'fail-model') {
    const f = /^([^\s:]+):(\d{3})$/.exec(value);
    if (!f || Number(f[2]) < 400 || Number(f[2]) > 599) return `${bad}: expected MODEL:STATUS with a 4xx or 5xx STATUS`;
    return { model: f[1], status: Number(f[2]) };
  }
  const m = /^(\/\S*):(\d{3})$/.exec(value);
  if (!m) return `${bad}: expected PREFIX:STATUS, PREFIX starting with "/"`;
  const status = Number(m[2]);
  if (status < 400 || status > 599) return `${bad}: STATUS must be a 4xx or 5xx status`;
  return { prefix: m[1], status };
}

// Resolves fail-path / hang-path for the path of `req` into error / hang; returns `knobs`.
function applyPathKnobs(knobs, req) {
  const q = req.url.indexOf('?');
  const p = q < 0 ? req.url : req.url.slice(0, q);
  const fail = knobs['fail-path']?.find((f) => p.startsWith(f.prefix));
  if (fail) knobs.error = fail.status;
  if (knobs['hang-path']?.some((h) => p.startsWith(h.prefix))) knobs.hang = true;
  return knobs;
}

function lastMessageText(messages) {
  const content = messages[messages.length - 1]?.content;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.filter((p) => p && p.type === 'text' && typeof p.text === 'string').map((p) => p.text).join('\n');
}

// Returns the knobs of the last message, or a string describing a bad directive.
function parseKnobs(text, flagKnobs = FLAG_KNOBS, intKnobs = INT_KNOBS) {
  const knobs = {};
  if (!text.includes('[[fake:')) return knobs;
  for (const [, name, value] of text.matchAll(DIRECTIVE)) {
    if (flagKnobs.has(name) && value === undefined) {
      knobs[name] = true;
    } else if (intKnobs.has(name) && value !== undefined && /^\d{1,9}$/.test(value)) {
      knobs[name] = Number(value);
    } else if (PATH_KNOBS.has(name) && value !== undefined) {
      const parsed = parsePathKnob(name, value);
      if (typeof parsed === 'string') return parsed;
      (knobs[name] ??= []).push(parsed);
    } else if (flagKnobs !== FLAG_KNOBS && (ALL_FLAG_KNOBS.has(name) || ALL_INT_KNOBS.has(name))
      && !flagKnobs.has(name) && !intKnobs.has(name)) {
      return `[[fake:${name}]] is not supported on this route`;
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

// The request body parsed as JSON, or undefined when it is not JSON. Recorded before the key is
// checked, so a test can find a refused request by its content.
function parseJson(raw) {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function record(req, provider = 'openai') {
  const rec = {
    id: nextRecordId++,
    provider,
    method: req.method,
    path: redactQueryKey(req.url),
    headers: { ...req.headers },
    body: null,
    authorized: false,
    startedAt: Date.now(),
    finishedAt: null,
    completed: false,
    aborted: false,
    cut: false,
    sent: 0,
  };
  for (const h of ['authorization', 'x-api-key', 'x-goog-api-key']) {
    if (rec.headers[h] !== undefined) rec.headers[h] = '<redacted>';
  }
  if (RECORD_LIMIT > 0) {
    records.push(rec);
    // Trimmed in batches so that a benchmark at the limit does not pay O(N) per request.
    if (records.length >= RECORD_LIMIT + 1024) records = records.slice(-RECORD_LIMIT);
  }
  return rec;
}

// A path with its `key=` query parameter (Gemini's API key) replaced by <redacted>.
function redactQueryKey(url) {
  const q = url.indexOf('?');
  if (q < 0) return url;
  return url.slice(0, q) + url.slice(q).replace(/([?&]key=)[^&#]*/g, '$1<redacted>');
}

function authorized(req) {
  const header = req.headers.authorization;
  if (typeof header !== 'string' || !header.startsWith('Bearer ')) return false;
  const token = header.slice('Bearer '.length);
  if (token.length === 0) return false;
  return API_KEY === undefined || token === API_KEY;
}

// The request arguments of OpenAI's Chat Completions API (platform.openai.com API reference).
const OPENAI_CHAT_PARAMETERS = new Set([
  'messages', 'model', 'audio', 'frequency_penalty', 'function_call', 'functions', 'logit_bias', 'logprobs',
  'max_completion_tokens', 'max_tokens', 'metadata', 'modalities', 'n', 'parallel_tool_calls', 'prediction',
  'presence_penalty', 'prompt_cache_key', 'reasoning_effort', 'response_format', 'safety_identifier', 'seed',
  'service_tier', 'stop', 'store', 'stream', 'stream_options', 'temperature', 'tool_choice', 'tools', 'top_logprobs',
  'top_p', 'user', 'verbosity', 'web_search_options',
]);

// What every OpenAI route does first: the exchange recorded with its parsed body (undefined when
// it is not JSON), then the key checked. Null once it has answered (401, as OpenAI answers it).
async function beginOpenAi(req, res) {
  const begun = beginExchange(req, res, 'openai');
  begun.body = parseJson(await readBody(req));
  if (begun.body !== undefined) begun.rec.body = begun.body;
  if (!authorized(req)) {
    sendError(res, begun.started, 401, ERROR_FIXTURES[401]);
    return null;
  }
  begun.rec.authorized = true;
  return begun;
}

async function handleChat(req, res) {
  const begun = await beginOpenAi(req, res);
  if (!begun) return undefined;
  const { rec, signal, state, started, body } = begun;
  if (body === undefined) {
    return sendError(res, started, 400, openaiError(
      'We could not parse the JSON body of your request. (HINT: This likely means you aren\'t using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)',
      'invalid_request_error'));
  }
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
  // api.openai.com refuses any argument it does not know, with this message (OpenRouter's own
  // members among them: provider, models, transforms, reasoning, …).
  const unknown = Object.keys(body).find((k) => !OPENAI_CHAT_PARAMETERS.has(k));
  if (unknown !== undefined) {
    return sendError(res, started, 400, openaiError(`Unrecognized request argument supplied: ${unknown}`, 'invalid_request_error'));
  }
  const knobs = parseKnobs(lastMessageText(body.messages));
  if (typeof knobs === 'string') return sendError(res, started, 400, openaiError(knobs, 'invalid_request_error'));
  applyPathKnobs(knobs, req);
  const failModel = knobs['fail-model']?.find((f) => f.model === body.model);
  if (failModel) knobs.error = failModel.status;
  if (knobs.hang) return undefined; // never answer; 'close' marks the record aborted

  const delay = knobs['delay-ms'] ?? LATENCY_MS;
  if (delay > 0) {
    try {
      await sleep(delay, undefined, { signal });
    } catch {
      return undefined; // the peer left during the delay
    }
  }
  if (knobs.error !== undefined) return sendError(res, started, knobs.error, errorBodyFor(knobs.error), knobs['retry-after']);

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
  return sendStream(res, started, s, withUsage, knobs, signal, state);
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
  if (chunkDelay === 0 && cutAfter === undefined && repeat === 1) {
    const body = s.full[withUsage ? 'withUsage' : 'noUsage'];
    res.end(body, () => { state.rec.sent = body.length; });
    return;
  }
  // A repeated stream goes out slice by slice as the peer drains it, so that `sent` shows progress.
  if (chunkDelay === 0 && cutAfter === undefined) {
    try {
      for (const slice of streamSlices(s, withUsage, repeat)) {
        if (res.destroyed) return;
        if (!writeCounted(res, state, slice)) await waitDrain(res, signal);
      }
    } catch {
      return; // the peer left
    }
    res.end();
    return;
  }
  let events = streamEvents(s, withUsage, repeat);
  if (cutAfter !== undefined) events = events.slice(0, Math.min(cutAfter, events.length - 1));
  if (chunkDelay === 0) {
    state.cut = true;
    writeCounted(res, state, events.join(''), () => res.destroy());
    return;
  }
  try {
    for (let i = 0; i < events.length; i++) {
      if (i > 0) await sleep(chunkDelay, undefined, { signal });
      if (res.destroyed) return;
      if (!writeCounted(res, state, events[i])) await waitDrain(res, signal);
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

const STREAM_SLICE = 64 << 10;

// res.write that adds the bytes to the record's `sent` once the OS has accepted them.
function writeCounted(res, state, data, then = () => {}) {
  const n = Buffer.byteLength(data);
  return res.write(data, (err) => {
    if (!err) state.rec.sent += n;
    then();
  });
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

// =============================================================================================
// Shared by the Anthropic and Gemini routes.

// Every fixture-selecting knob the fake knows (for "not supported on this route" messages).
const ALL_FLAG_KNOBS = new Set([...FLAG_KNOBS, 'thinking', 'stop-sequence', 'stream-error', 'safety']);
const ALL_INT_KNOBS = INT_KNOBS;

// A recorded SSE body as {bytes, events}: `bytes` is the file (sent as-is on the hot path),
// `events` its events, each with its separator, which add up to the file byte for byte.
function loadEvents(dir, name, sep) {
  const bytes = readFixture(name, dir);
  const text = bytes.toString('utf8');
  const events = text.split(sep).filter((e) => e.length > 0).map((e) => `${e}${sep}`);
  if (events.join('') !== text || Buffer.byteLength(text) !== bytes.length) {
    usage(`${name} is not a sequence of events that each end with ${JSON.stringify(sep)}`);
  }
  return { name, bytes, events };
}

// The record, an abort signal that fires when the peer leaves ('close' without 'finish'), and
// the cut flag (a socket the fake destroys on purpose is recorded as `cut`, not `aborted`).
function beginExchange(req, res, provider) {
  const rec = record(req, provider);
  const abort = new AbortController();
  const state = { cut: false, rec };
  res.on('finish', () => {
    rec.completed = true;
    rec.finishedAt = Date.now();
  });
  res.on('close', () => {
    if (!res.writableFinished) {
      rec.finishedAt = Date.now();
      if (state.cut) rec.cut = true;
      else rec.aborted = true;
    }
    abort.abort();
  });
  return { rec, signal: abort.signal, state, started: Date.now() };
}

function sendWithHeaders(res, status, headers, body) {
  if (res.destroyed) return;
  res.writeHead(status, { ...headers, 'content-length': String(body.length) });
  res.end(body);
}

// A JSON body, or with `cut` the head and half the body, then the socket is destroyed.
function sendBodyMaybeCut(res, status, headers, body, cut, state) {
  if (!cut) return sendWithHeaders(res, status, headers, body);
  if (res.destroyed) return undefined;
  res.writeHead(status, { ...headers, 'content-length': String(body.length) });
  state.cut = true;
  res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
  return undefined;
}

// Waits `knobs['delay-ms']` (default --latency-ms); false when the peer left meanwhile.
async function delayHead(knobs, signal) {
  const delay = knobs['delay-ms'] ?? LATENCY_MS;
  if (delay <= 0) return true;
  try {
    await sleep(delay, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

// Sends a recorded stream `s` ({bytes, events}) as a 200 with `headers`, honouring
// chunk-delay-ms and cut-after (the first N events, never the last one, then the socket is
// destroyed). Without either knob the file goes out in one write.
async function sendEvents(res, headers, s, knobs, signal, state) {
  const cutAfter = knobs['cut-after'];
  const chunkDelay = knobs['chunk-delay-ms'] ?? CHUNK_DELAY_MS;
  if (res.destroyed) return;
  res.writeHead(200, { ...headers, 'transfer-encoding': 'chunked' });
  if (chunkDelay === 0 && cutAfter === undefined) {
    res.end(s.bytes);
    return;
  }
  let { events } = s;
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

// =============================================================================================
// Anthropic: POST <prefix>/v1/messages (docs/protocols.md §1, §2, §5, §11, §12).
//
// Checked as the real API does, in this order:
//   x-api-key missing, empty or (with --anthropic-api-key / --api-key) wrong → 401 with
//     error-401-authentication.json ("invalid x-api-key"; the real API words a missing header
//     "x-api-key header is required", the fake uses the one recorded body for both). Only
//     x-api-key counts, as the gateway must send it (docs/protocols.md §1); note that @anthropic-ai/sdk
//     1.14 sends an API key as `Authorization: Bearer` (pass it `defaultHeaders: {'x-api-key': K}`
//     and `apiKey: null` to point it at this fake).
//   no anthropic-version header → 400 invalid_request_error "anthropic-version: header is required"
//     (status and text UNVERIFIED, docs/protocols.md §12)
//   body not JSON / not an object, no `model`, no `max_tokens` ("max_tokens: Field required"),
//     no `messages` ("messages: Field required"), empty `messages` → 400 invalid_request_error
// Bodies are the recorded bytes: non-stream and errors compact JSON (`application/json`),
// streams `text/event-stream; charset=utf-8` with `cache-control: no-cache`; every response has
// a `request-id` header (an error fixture's own request_id for that fixture).
//
// Knobs (text of the last message):
//   (none)                       stream: messages-stream-text.sse; non-stream:
//                                messages-nonstream-cache-usage.json (there is no recorded plain-text
//                                non-stream body; this one is a text answer with cache reads and
//                                writes in its usage, which suits cache billing)
//   [[fake:tool-call]]           stream: messages-stream-tool-use.sse (one tool_use);
//                                non-stream: messages-nonstream-parallel-tool-use.json (4 tool_use)
//   [[fake:parallel-tool-calls]] stream: messages-stream-parallel-tool-use.sse (2 tool_use, indexes
//                                1 and 2, empty inputs); non-stream: messages-nonstream-parallel-tool-use.json
//   [[fake:thinking]]            stream only: messages-stream-thinking.sse
//   [[fake:stop-sequence]]       stream only: messages-stream-stop-sequence.sse
//   [[fake:stream-error]]        stream only: messages-stream-error-overloaded.sse (4 events, then
//                                `event: error` overloaded_error; the body then ends normally)
//   [[fake:error=STATUS]]        400/401/429/529 replay error-STATUS-*.json with that status; other
//                                4xx/5xx get a compact body of Anthropic's shape (type by status,
//                                docs/protocols.md §11). Every error carries x-should-retry: "true" for
//                                408/409/429/5xx (so 529 has `x-should-retry: true`), else "false".
//   delay-ms, chunk-delay-ms, cut-after, hang, fail-path, hang-path as for OpenAI.
// The stream-only knobs answer 400 without stream:true: there is no recording to replay.
// A last message holding tool_result blocks (the second turn of a tool conversation) gets the
// text answers whatever the fixture-selecting knobs say.

const ANTHROPIC_DIR = args['anthropic-fixtures'];
const ANTHROPIC_FLAGS = new Set(['tool-call', 'parallel-tool-calls', 'thinking', 'stop-sequence', 'stream-error', 'hang']);
const ANTHROPIC_INTS = new Set(['error', 'cut-after', 'delay-ms', 'chunk-delay-ms']);
const ANTHROPIC_STREAMS = {
  text: loadEvents(ANTHROPIC_DIR, 'messages-stream-text.sse', '\n\n'),
  toolCall: loadEvents(ANTHROPIC_DIR, 'messages-stream-tool-use.sse', '\n\n'),
  parallel: loadEvents(ANTHROPIC_DIR, 'messages-stream-parallel-tool-use.sse', '\n\n'),
  thinking: loadEvents(ANTHROPIC_DIR, 'messages-stream-thinking.sse', '\n\n'),
  stopSequence: loadEvents(ANTHROPIC_DIR, 'messages-stream-stop-sequence.sse', '\n\n'),
  streamError: loadEvents(ANTHROPIC_DIR, 'messages-stream-error-overloaded.sse', '\n\n'),
};
const ANTHROPIC_JSON = {
  text: readFixture('messages-nonstream-cache-usage.json', ANTHROPIC_DIR),
  toolCall: readFixture('messages-nonstream-parallel-tool-use.json', ANTHROPIC_DIR),
  parallel: readFixture('messages-nonstream-parallel-tool-use.json', ANTHROPIC_DIR),
};
function anthropicErrorFixture(name) {
  const body = readFixture(name, ANTHROPIC_DIR);
  return { body, requestId: JSON.parse(body.toString('utf8')).request_id };
}
const ANTHROPIC_ERRORS = {
  400: anthropicErrorFixture('error-400-invalid-request.json'),
  401: anthropicErrorFixture('error-401-authentication.json'),
  429: anthropicErrorFixture('error-429-rate-limit.json'),
  529: anthropicErrorFixture('error-529-overloaded.json'),
};
const ANTHROPIC_ERROR_TYPES = {
  400: 'invalid_request_error', 401: 'authentication_error', 402: 'billing_error', 403: 'permission_error',
  404: 'not_found_error', 409: 'conflict_error', 413: 'request_too_large', 429: 'rate_limit_error',
  500: 'api_error', 529: 'overloaded_error',
};
const ANTHROPIC_ERROR_MESSAGES = {
  403: 'Your API key does not have permission to use the specified resource.',
  404: 'The requested resource could not be found.',
  413: 'Request exceeds the maximum allowed number of bytes.',
  500: 'Internal server error',
  529: 'Overloaded',
};

// Anthropic request ids look like req_011CUBgWE2fdbDGiPKTUQTwy: "req_011C" and 20 base58 chars.
const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
function anthropicRequestId() {
  const bytes = crypto.randomBytes(20);
  let id = 'req_011C';
  for (const b of bytes) id += BASE58[b % 58];
  return id;
}

// A compact error body of Anthropic's shape: {"type":"error","error":{type,message},"request_id"}.
function anthropicError(status, message, type = undefined) {
  const requestId = anthropicRequestId();
  const errType = type ?? ANTHROPIC_ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
  const body = Buffer.from(JSON.stringify({ type: 'error', error: { type: errType, message }, request_id: requestId }));
  return { body, requestId };
}

function sendAnthropicError(res, status, err) {
  const headers = { 'content-type': 'application/json', 'request-id': err.requestId };
  // The live API sends x-should-retry on errors; the SDKs obey it (docs/protocols.md §11).
  headers['x-should-retry'] = [408, 409, 429].includes(status) || status >= 500 ? 'true' : 'false';
  sendWithHeaders(res, status, headers, err.body);
}

function anthropicFail(res, message, status = 400) {
  sendAnthropicError(res, status, anthropicError(status, message));
}

function anthropicLastText(messages) {
  const content = messages[messages.length - 1]?.content;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.filter((b) => b && b.type === 'text' && typeof b.text === 'string').map((b) => b.text).join('\n');
}

async function handleAnthropic(req, res) {
  const { rec, signal, state } = beginExchange(req, res, 'anthropic');
  const body = parseJson(await readBody(req));
  if (body !== undefined) rec.body = body;
  const key = req.headers['x-api-key'];
  if (typeof key !== 'string' || key === '' || (ANTHROPIC_API_KEY !== undefined && key !== ANTHROPIC_API_KEY)) {
    return sendAnthropicError(res, 401, ANTHROPIC_ERRORS[401]);
  }
  rec.authorized = true;
  if (!req.headers['anthropic-version']) return anthropicFail(res, 'anthropic-version: header is required');
  if (body === undefined) {
    return anthropicFail(res, 'There was an error parsing the body of your request: it is not valid JSON.');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return anthropicFail(res, 'body: Input should be a valid dictionary');
  }
  if (body.model === undefined) return anthropicFail(res, 'model: Field required');
  if (typeof body.model !== 'string' || body.model === '') return anthropicFail(res, 'model: Input should be a valid string');
  if (body.max_tokens === undefined) return anthropicFail(res, 'max_tokens: Field required');
  if (!Number.isInteger(body.max_tokens) || body.max_tokens < 1) {
    return anthropicFail(res, 'max_tokens: Input should be a valid integer greater than or equal to 1');
  }
  if (body.messages === undefined) return anthropicFail(res, 'messages: Field required');
  if (!Array.isArray(body.messages)) return anthropicFail(res, 'messages: Input should be a valid list');
  if (body.messages.length === 0) return anthropicFail(res, 'messages: at least one message is required');

  const knobs = parseKnobs(anthropicLastText(body.messages), ANTHROPIC_FLAGS, ANTHROPIC_INTS);
  if (typeof knobs === 'string') return anthropicFail(res, knobs);
  applyPathKnobs(knobs, req);
  if (knobs.error !== undefined && (knobs.error < 400 || knobs.error > 599)) {
    return anthropicFail(res, `[[fake:error=${knobs.error}]] must be a 4xx or 5xx status`);
  }
  if (knobs.hang) return undefined;
  if (!(await delayHead(knobs, signal))) return undefined;
  if (knobs.error !== undefined) {
    const err = ANTHROPIC_ERRORS[knobs.error]
      ?? anthropicError(knobs.error, ANTHROPIC_ERROR_MESSAGES[knobs.error] ?? `Fake provider error ${knobs.error}.`);
    return sendAnthropicError(res, knobs.error, err);
  }

  const last = body.messages[body.messages.length - 1];
  const toolTurn = last?.role === 'user' && Array.isArray(last.content)
    && last.content.some((b) => b && b.type === 'tool_result');
  const which = toolTurn ? 'text'
    : knobs['stream-error'] ? 'streamError'
      : knobs['parallel-tool-calls'] ? 'parallel'
        : knobs['tool-call'] ? 'toolCall'
          : knobs.thinking ? 'thinking'
            : knobs['stop-sequence'] ? 'stopSequence' : 'text';

  if (body.stream !== true) {
    if (!ANTHROPIC_JSON[which]) {
      return anthropicFail(res, `The fake has no non-stream recording for this knob (${which}); use stream:true.`);
    }
    return sendBodyMaybeCut(res, 200, { 'content-type': 'application/json', 'request-id': anthropicRequestId() },
      ANTHROPIC_JSON[which], knobs['cut-after'] !== undefined, state);
  }
  const headers = {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'request-id': anthropicRequestId(),
  };
  return sendEvents(res, headers, ANTHROPIC_STREAMS[which], knobs, signal, state);
}

// OpenAI: POST <prefix>/v1/completions (the legacy text completions API).
//
// Checks as api.openai.com: the key; `model` and `prompt` required; an argument it does not know
// → 400 "Unrecognized request argument supplied"; a model that is not a completions model → 404
// "This is a chat model and not supported in the v1/completions endpoint. …" (OpenAI's words).
// The stream is a recording (completions-stream-logprobs.sse: Azure OpenAI, gpt-3.5-turbo-instruct,
// 16 tokens, finish_reason "length"); with stream_options.include_usage a usage chunk follows it,
// and a non-stream answer is the same text in one text_completion — both in the shape of OpenAI's
// API reference (no recording of them was found), with usage 14 prompt + 16 completion tokens.
// Knobs as in chat (error, cut-after, delay-ms, hang) in the prompt text.
const COMPLETIONS_MODELS = new Set(['gpt-3.5-turbo-instruct', 'davinci-002', 'babbage-002']);
const COMPLETIONS_PARAMETERS = new Set(['model', 'prompt', 'best_of', 'echo', 'frequency_penalty', 'logit_bias',
  'logprobs', 'max_tokens', 'n', 'presence_penalty', 'seed', 'stop', 'stream', 'stream_options', 'suffix',
  'temperature', 'top_p', 'user']);
const COMPLETIONS_STREAM = loadEvents(args.fixtures, 'completions-stream-logprobs.sse', '\n\n');
const COMPLETIONS_USAGE = { prompt_tokens: 14, completion_tokens: 16, total_tokens: 30 };
const COMPLETIONS_CHUNKS = COMPLETIONS_STREAM.events.filter((e) => e !== DONE).map((e) => JSON.parse(e.slice(6)));
const COMPLETIONS_JSON = (() => {
  const first = COMPLETIONS_CHUNKS[0];
  const text = COMPLETIONS_CHUNKS.map((c) => c.choices[0].text).join('');
  return Buffer.from(`${JSON.stringify({
    id: first.id, object: 'text_completion', created: first.created, model: first.model,
    choices: [{ text, index: 0, logprobs: null, finish_reason: 'length' }], usage: COMPLETIONS_USAGE,
  }, null, 2)}\n`);
})();

function promptText(prompt) {
  if (typeof prompt === 'string') return prompt;
  return Array.isArray(prompt) ? prompt.filter((p) => typeof p === 'string').join('\n') : '';
}

async function handleCompletions(req, res) {
  const begun = await beginOpenAi(req, res);
  if (!begun) return undefined;
  const { rec, signal, state, started, body } = begun;
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    return sendError(res, started, 400, openaiError('The request body must be a JSON object.', 'invalid_request_error'));
  }
  if (typeof body.model !== 'string' || body.model === '') {
    return sendError(res, started, 400, openaiError('you must provide a model parameter', 'invalid_request_error'));
  }
  const unknown = Object.keys(body).find((k) => !COMPLETIONS_PARAMETERS.has(k));
  if (unknown !== undefined) {
    return sendError(res, started, 400, openaiError(`Unrecognized request argument supplied: ${unknown}`, 'invalid_request_error'));
  }
  if (body.prompt === undefined) {
    return sendError(res, started, 400, openaiError("Missing required parameter: 'prompt'.", 'invalid_request_error',
      'prompt', 'missing_required_parameter'));
  }
  if (!COMPLETIONS_MODELS.has(body.model)) {
    return sendError(res, started, 404, openaiError(
      'This is a chat model and not supported in the v1/completions endpoint. Did you mean to use v1/chat/completions?',
      'invalid_request_error', 'model'));
  }
  const knobs = parseKnobs(promptText(body.prompt));
  if (typeof knobs === 'string') return sendError(res, started, 400, openaiError(knobs, 'invalid_request_error'));
  if (knobs.hang) return undefined;
  const delay = knobs['delay-ms'] ?? LATENCY_MS;
  if (delay > 0) {
    try {
      await sleep(delay, undefined, { signal });
    } catch {
      return undefined;
    }
  }
  if (knobs.error !== undefined) return sendError(res, started, knobs.error, errorBodyFor(knobs.error), knobs['retry-after']);
  if (body.stream !== true) return sendJson(res, started, COMPLETIONS_JSON, knobs['cut-after'] !== undefined, state);
  const events = COMPLETIONS_STREAM.events.filter((e) => e !== DONE);
  if (body.stream_options?.include_usage === true) {
    const first = COMPLETIONS_CHUNKS[0];
    events.push(`data: ${JSON.stringify({
      id: first.id, object: 'text_completion', created: first.created, model: first.model, choices: [],
      usage: COMPLETIONS_USAGE,
    })}\n\n`);
  }
  events.push(DONE);
  const s = { name: COMPLETIONS_STREAM.name, events, bytes: Buffer.from(events.join('')) };
  return sendEvents(res, baseHeaders(started, 'text/event-stream; charset=utf-8'), s, knobs, signal, state);
}

// Anthropic: POST <prefix>/v1/messages/count_tokens. The same key and version checks as
// /v1/messages; `model` and `messages` required. The count is a recording's: count-tokens.json
// ({"input_tokens":14}) for a bare conversation, count-tokens-system-tools.json (588) when the
// request has `system` or `tools`. A model named "claude-does-not-exist" gets the recorded 404.
const ANTHROPIC_COUNTS = {
  bare: readFixture('count-tokens.json', ANTHROPIC_DIR),
  systemTools: readFixture('count-tokens-system-tools.json', ANTHROPIC_DIR),
  notFound: anthropicErrorFixture('error-404-count-tokens-model-not-found.json'),
};

async function handleAnthropicCountTokens(req, res) {
  const { rec } = beginExchange(req, res, 'anthropic');
  const body = parseJson(await readBody(req));
  if (body !== undefined) rec.body = body;
  const key = req.headers['x-api-key'];
  if (typeof key !== 'string' || key === '' || (ANTHROPIC_API_KEY !== undefined && key !== ANTHROPIC_API_KEY)) {
    return sendAnthropicError(res, 401, ANTHROPIC_ERRORS[401]);
  }
  rec.authorized = true;
  if (!req.headers['anthropic-version']) return anthropicFail(res, 'anthropic-version: header is required');
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return anthropicFail(res, 'body: Input should be a valid dictionary');
  }
  if (typeof body.model !== 'string' || body.model === '') return anthropicFail(res, 'model: Field required');
  if (!Array.isArray(body.messages)) return anthropicFail(res, 'messages: Field required');
  if (body.model === 'claude-does-not-exist') return sendAnthropicError(res, 404, ANTHROPIC_COUNTS.notFound);
  const counted = body.system !== undefined || body.tools !== undefined ? ANTHROPIC_COUNTS.systemTools : ANTHROPIC_COUNTS.bare;
  return sendWithHeaders(res, 200, { 'content-type': 'application/json', 'request-id': anthropicRequestId() }, counted);
}

// =============================================================================================
// Gemini: POST <prefix>/v1beta/models/<model>:generateContent and
// POST <prefix>/v1beta/models/<model>:streamGenerateContent?alt=sse (docs/protocols.md §1, §2, §7, §11, §12).
//
// Checks:
//   the key comes from the x-goog-api-key header, else the `key` query parameter; missing, empty
//     or (with --google-api-key / --api-key) wrong → 400 with error-400-invalid-argument-api-key.json.
//     (The real API answers a wrong key with exactly that body; a request with no key at all gets
//     403 PERMISSION_DENIED "unregistered callers" there, UNVERIFIED wording: the fake uses the one
//     recorded 400 for both.)
//   :streamGenerateContent without ?alt=sse → 400 INVALID_ARGUMENT. The real API would stream a
//     JSON array as application/json (docs/protocols.md §1); the gateway must not ask for that, and the
//     fake does not serve it.
//   body not JSON / not an object → 400 INVALID_ARGUMENT; no or empty `contents` → 400
//     INVALID_ARGUMENT "* GenerateContentRequest.contents: contents is not specified".
// Bodies: non-stream and errors 2-space pretty JSON with a trailing newline
// (`application/json; charset=UTF-8`); streams `text/event-stream` with
// `content-disposition: attachment`, the recorded `data: …\r\n\r\n` events as-is, ended by EOF.
// Headers as recorded: server "scaffolding on HTTPServer2", vary, server-timing.
//
// Knobs (text parts of the last contents[] entry):
//   (none)                       stream: stream-generate-content-text.sse; non-stream: the assembled
//                                text body below
//   [[fake:tool-call]]           stream: stream-generate-content-tool-call.sse (one functionCall);
//                                non-stream: generate-content-parallel-function-calls.json (3 calls)
//   [[fake:parallel-tool-calls]] stream: stream-generate-content-parallel-function-calls.sse (3 calls);
//                                non-stream: generate-content-parallel-function-calls.json
//   [[fake:thinking]]            stream only: stream-generate-content-thinking.sse
//   [[fake:length]]              non-stream only: generate-content-max-tokens.json (MAX_TOKENS)
//   [[fake:safety]]              non-stream only: generate-content-safety-blocked.json (SAFETY)
//   [[fake:error=STATUS]]        429 replays error-429-resource-exhausted.json; other 4xx/5xx get a
//                                body of Google's shape {"error":{code,message,status}} (status name
//                                by HTTP status; 400 is a plain INVALID_ARGUMENT, not the API-key one)
//   delay-ms, chunk-delay-ms, cut-after, hang, fail-path, hang-path as for OpenAI.
// Knobs without a recording for the requested mode answer 400. A last content holding
// functionResponse parts (the second turn of a tool conversation) gets the text answers.
//
// The default non-stream body, SOURCES.md style:
// | (built at start-up) | gemini/stream-generate-content-text.sse (pydantic-ai test_google_model_stream.yaml, i0) |
//   plain text answer, finishReason STOP | R: reassembled from the recorded stream's values only —
//   candidates[0].content.parts = one text part, the concatenation of every chunk's text;
//   finishReason from the last chunk ("STOP"); usageMetadata, modelVersion and responseId from the
//   last chunk — in the key order and 2-space layout (trailing "\n") of the recorded non-stream
//   bodies (docs/protocols.md §2). No `index` key: the recorded stream carries none. No plain-text
//   non-stream recording exists. |

const GEMINI_DIR = args['gemini-fixtures'];
const GEMINI_FLAGS = new Set(['tool-call', 'parallel-tool-calls', 'thinking', 'length', 'safety', 'hang']);
const GEMINI_INTS = new Set(['error', 'cut-after', 'delay-ms', 'chunk-delay-ms']);
const GEMINI_STREAMS = {
  text: loadEvents(GEMINI_DIR, 'stream-generate-content-text.sse', '\r\n\r\n'),
  toolCall: loadEvents(GEMINI_DIR, 'stream-generate-content-tool-call.sse', '\r\n\r\n'),
  parallel: loadEvents(GEMINI_DIR, 'stream-generate-content-parallel-function-calls.sse', '\r\n\r\n'),
  thinking: loadEvents(GEMINI_DIR, 'stream-generate-content-thinking.sse', '\r\n\r\n'),
};

function assembleGeminiText(s) {
  const chunks = s.events.map((e) => JSON.parse(e.slice('data: '.length)));
  const last = chunks[chunks.length - 1];
  const text = chunks.flatMap((c) => c.candidates?.[0]?.content?.parts ?? []).map((p) => p.text ?? '').join('');
  const finishReason = last.candidates?.[0]?.finishReason;
  if (finishReason !== 'STOP') usage(`${s.name}: the last chunk's finishReason is ${finishReason}, not STOP`);
  const body = {
    candidates: [{ content: { parts: [{ text }], role: 'model' }, finishReason }],
    usageMetadata: last.usageMetadata,
    modelVersion: last.modelVersion,
    responseId: last.responseId,
  };
  return Buffer.from(`${JSON.stringify(body, null, 2)}\n`);
}

const GEMINI_JSON = {
  text: assembleGeminiText(GEMINI_STREAMS.text),
  toolCall: readFixture('generate-content-parallel-function-calls.json', GEMINI_DIR),
  parallel: readFixture('generate-content-parallel-function-calls.json', GEMINI_DIR),
  length: readFixture('generate-content-max-tokens.json', GEMINI_DIR),
  safety: readFixture('generate-content-safety-blocked.json', GEMINI_DIR),
};
const GEMINI_ERRORS = {
  apiKey: readFixture('error-400-invalid-argument-api-key.json', GEMINI_DIR),
  429: readFixture('error-429-resource-exhausted.json', GEMINI_DIR),
};
const GOOGLE_STATUS = {
  400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED', 499: 'CANCELLED', 500: 'INTERNAL', 501: 'NOT_IMPLEMENTED', 503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};
const GOOGLE_MESSAGES = {
  400: 'Request contains an invalid argument.',
  500: 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
  503: 'The model is overloaded. Please try again later.',
  504: 'Deadline expired before operation could complete.',
};

function googleError(code, message) {
  const status = GOOGLE_STATUS[code] ?? (code >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION');
  return Buffer.from(`${JSON.stringify({ error: { code, message, status } }, null, 2)}\n`);
}

function geminiHeaders(started, contentType) {
  return {
    'content-type': contentType,
    vary: 'Origin, X-Origin, Referer',
    server: 'scaffolding on HTTPServer2',
    'server-timing': `gfet4t7; dur=${Date.now() - started}`,
  };
}

function sendGeminiError(res, started, status, body) {
  sendWithHeaders(res, status, geminiHeaders(started, 'application/json; charset=UTF-8'), body);
}

function geminiLastText(contents) {
  const parts = contents[contents.length - 1]?.parts;
  if (!Array.isArray(parts)) return '';
  return parts.filter((p) => p && typeof p.text === 'string').map((p) => p.text).join('\n');
}

const GEMINI_PATH = /\/v1beta\/models\/([^/:]+)(?::|%3A)(generateContent|streamGenerateContent|embedContent|batchEmbedContents)$/i;

// The same for the Gemini routes: the key from x-goog-api-key or ?key=, refused with Google's 400.
async function beginGemini(req, res, query) {
  const begun = beginExchange(req, res, 'gemini');
  begun.body = parseJson(await readBody(req));
  if (begun.body !== undefined) begun.rec.body = begun.body;
  const header = req.headers['x-goog-api-key'];
  const key = typeof header === 'string' && header !== '' ? header : query.get('key');
  if (!key || (GOOGLE_API_KEY !== undefined && key !== GOOGLE_API_KEY)) {
    sendGeminiError(res, begun.started, 400, GEMINI_ERRORS.apiKey);
    return null;
  }
  begun.rec.authorized = true;
  return begun;
}

async function handleGemini(req, res, method, query) {
  const begun = await beginGemini(req, res, query);
  if (!begun) return undefined;
  const { rec, signal, state, started, body } = begun;
  const stream = method === 'streamGenerateContent';
  if (stream && query.get('alt') !== 'sse') {
    return sendGeminiError(res, started, 400, googleError(400,
      'The fake provider serves :streamGenerateContent only with ?alt=sse (without it the real API streams a JSON array).'));
  }
  if (body === undefined) {
    return sendGeminiError(res, started, 400, googleError(400, 'Invalid JSON payload received. Unexpected token.'));
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return sendGeminiError(res, started, 400, googleError(400, 'Invalid JSON payload received. The body must be an object.'));
  }
  if (!Array.isArray(body.contents) || body.contents.length === 0) {
    return sendGeminiError(res, started, 400,
      googleError(400, '* GenerateContentRequest.contents: contents is not specified\n'));
  }

  const knobs = parseKnobs(geminiLastText(body.contents), GEMINI_FLAGS, GEMINI_INTS);
  if (typeof knobs === 'string') return sendGeminiError(res, started, 400, googleError(400, knobs));
  applyPathKnobs(knobs, req);
  if (knobs.error !== undefined && (knobs.error < 400 || knobs.error > 599)) {
    return sendGeminiError(res, started, 400, googleError(400, `[[fake:error=${knobs.error}]] must be a 4xx or 5xx status`));
  }
  if (knobs.hang) return undefined;
  if (!(await delayHead(knobs, signal))) return undefined;
  if (knobs.error !== undefined) {
    const errBody = GEMINI_ERRORS[knobs.error]
      ?? googleError(knobs.error, GOOGLE_MESSAGES[knobs.error] ?? `Fake provider error ${knobs.error}.`);
    return sendGeminiError(res, started, knobs.error, errBody);
  }

  const parts = body.contents[body.contents.length - 1]?.parts;
  const toolTurn = Array.isArray(parts) && parts.some((p) => p && p.functionResponse);
  const which = toolTurn ? 'text'
    : knobs['parallel-tool-calls'] ? 'parallel'
      : knobs['tool-call'] ? 'toolCall'
        : knobs.thinking ? 'thinking'
          : knobs.length ? 'length'
            : knobs.safety ? 'safety' : 'text';

  if (!stream) {
    if (!GEMINI_JSON[which]) {
      return sendGeminiError(res, started, 400, googleError(400,
        `The fake has no non-stream recording for this knob (${which}); use :streamGenerateContent?alt=sse.`));
    }
    return sendBodyMaybeCut(res, 200, geminiHeaders(started, 'application/json; charset=UTF-8'),
      GEMINI_JSON[which], knobs['cut-after'] !== undefined, state);
  }
  if (!GEMINI_STREAMS[which]) {
    return sendGeminiError(res, started, 400, googleError(400,
      `The fake has no stream recording for this knob (${which}); use :generateContent.`));
  }
  const headers = geminiHeaders(started, 'text/event-stream');
  headers['content-disposition'] = 'attachment';
  return sendEvents(res, headers, GEMINI_STREAMS[which], knobs, signal, state);
}

// ---------------------------------------------------------------------------------------------
// Embeddings: OpenAI's POST <prefix>/v1/embeddings, and Gemini's :embedContent and
// :batchEmbedContents. N inputs get N vectors, built from the recorded ones: vector i of d
// dimensions is recorded[(31*i + j) % length] for j < d (truncated, or repeated past the end), so
// each input has its own vector and a test can compute it. A text's tokens are counted as its
// words, apostrophe suffixes, runs of up to three digits and other symbols ("Ruby is a
// programmer's best friend" is 7, as OpenAI counted it); a token-id input has its length.
// Each answer keeps its fixture's layout: embeddings-float.json (compact), embeddings-base64.json
// (2-space pretty), Gemini's (2-space pretty, small values with an exponent as Google writes
// them). Knobs are read from the text inputs: error, retry-after (OpenAI), delay-ms, cut-after,
// hang, fail-path, hang-path, and fail-model (OpenAI).

const EMBED_FLOAT = readFixture('embeddings-float.json');
const EMBED_BASE_FLOAT = JSON.parse(EMBED_FLOAT).data[0].embedding;
const EMBED_BASE_B64 = (() => {
  const b = Buffer.from(JSON.parse(readFixture('embeddings-base64.json')).data[0].embedding, 'base64');
  return Array.from({ length: b.length / 4 }, (_, i) => b.readFloatLE(4 * i));
})();
const EMBED_ERRORS = {
  notFound: readFixture('error-404-embeddings-model-not-found.json').toString('utf8'),
  dimensions: readFixture('error-400-embeddings-invalid-dimensions.json').toString('utf8'),
  context: readFixture('error-400-embeddings-context-length.json').toString('utf8'),
};
// OpenAI's embedding models and their dimensions; null: `dimensions` is refused.
const OPENAI_EMBEDDING_MODELS = { 'text-embedding-3-small': 1536, 'text-embedding-3-large': 3072, 'text-embedding-ada-002': null };
const OPENAI_EMBEDDING_PARAMETERS = new Set(['input', 'model', 'encoding_format', 'dimensions', 'user']);
const GEMINI_EMBED_BASE = JSON.parse(readFixture('batch-embed-contents.json', GEMINI_DIR)).embeddings[0].values;
const GEMINI_EMBED_SINGLE_BASE = JSON.parse(readFixture('embed-content.json', GEMINI_DIR)).embedding.values;
// Gemini's embedding models: dimensions, and whether batch answers carry usageMetadata (the
// recorded gemini-embedding-001 answers do not; gemini-embedding-2's do).
const GEMINI_EMBEDDING_MODELS = {
  'gemini-embedding-001': { dims: 3072, usage: false },
  'gemini-embedding-2': { dims: 3072, usage: true },
  'text-embedding-004': { dims: 768, usage: false },
};
const EMBED_FLAGS = new Set(['hang']);
const EMBED_INTS = new Set(['error', 'retry-after', 'delay-ms', 'cut-after']);

function fakeTokens(text) {
  return Math.max(1, (text.match(/'[a-z]+|[A-Za-z]+|\d{1,3}|[^\sA-Za-z\d]/g) ?? []).length);
}

function fakeVector(base, i, dims) {
  return Array.from({ length: dims }, (_, j) => base[(31 * i + j) % base.length]);
}

// A float as Google writes it: an exponent (two digits at least) below 1e-4.
function googleNumber(x) {
  if (x === 0 || Math.abs(x) >= 1e-4) return String(x);
  return x.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
}

function googleJson(obj) {
  return Buffer.from(`${JSON.stringify(obj, null, 2).replace(/^(\s*)(-?\d[\d.e+-]*)(,?)$/gm,
    (_, indent, n, comma) => `${indent}${googleNumber(Number(n))}${comma}`)}\n`);
}

function base64Float32(values) {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeFloatLE(v, 4 * i));
  return b.toString('base64');
}

// The inputs of an OpenAI embeddings body as [{text} | {tokens}], or an error message.
function openaiEmbeddingInputs(input) {
  const invalid = "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.";
  const ids = (a) => a.length > 0 && a.every((t) => Number.isInteger(t) && t >= 0);
  if (typeof input === 'string') return input === '' ? invalid : [{ text: input }];
  if (!Array.isArray(input) || input.length === 0 || input.length > 2048) return invalid;
  if (input.every((x) => typeof x === 'string' && x !== '')) return input.map((text) => ({ text }));
  if (ids(input)) return [{ tokens: input }];
  if (input.every((x) => Array.isArray(x) && ids(x))) return input.map((tokens) => ({ tokens }));
  return invalid;
}

async function handleOpenAiEmbeddings(req, res) {
  const begun = await beginOpenAi(req, res);
  if (!begun) return undefined;
  const { rec, signal, state, started, body } = begun;
  const fail = (message, param = null, code = null) =>
    sendError(res, started, 400, openaiError(message, 'invalid_request_error', param, code));
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    return fail('We could not parse the JSON body of your request.');
  }
  const unknown = Object.keys(body).find((k) => !OPENAI_EMBEDDING_PARAMETERS.has(k));
  if (unknown !== undefined) return fail(`Unrecognized request argument supplied: ${unknown}`);
  if (typeof body.model !== 'string' || body.model === '') return fail('you must provide a model parameter');
  const inputs = openaiEmbeddingInputs(body.input);
  if (typeof inputs === 'string') return fail(inputs);
  const text = inputs.filter((i) => i.text !== undefined).map((i) => i.text).join('\n');
  const knobs = parseKnobs(text, EMBED_FLAGS, EMBED_INTS);
  if (typeof knobs === 'string') return fail(knobs);
  applyPathKnobs(knobs, req);
  const failModel = knobs['fail-model']?.find((f) => f.model === body.model);
  if (failModel) knobs.error = failModel.status;
  if (knobs.hang) return undefined;
  if (!(await delayHead(knobs, signal))) return undefined;
  if (knobs.error !== undefined) return sendError(res, started, knobs.error, errorBodyFor(knobs.error), knobs['retry-after']);

  if (!(body.model in OPENAI_EMBEDDING_MODELS)) {
    const escaped = JSON.stringify(body.model).slice(1, -1);
    return sendError(res, started, 404, Buffer.from(EMBED_ERRORS.notFound.replace('text-embedding-4-ultra', escaped)));
  }
  const native = OPENAI_EMBEDDING_MODELS[body.model];
  let dims = native ?? 1536;
  if (body.dimensions !== undefined && body.dimensions !== null) {
    const d = body.dimensions;
    if (!Number.isInteger(d) || d < 1) {
      return sendError(res, started, 400, Buffer.from(EMBED_ERRORS.dimensions.replace('-1 is', `${JSON.stringify(d)} is`)));
    }
    if (native === null) return fail('This model does not support specifying dimensions.');
    if (d > native) return fail(`${d} is greater than the maximum of ${native} - 'dimensions'`);
    dims = d;
  }
  const format = body.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64') {
    return fail(`${JSON.stringify(format).replace(/"/g, "'")} is not one of ['float', 'base64'] - 'encoding_format'`);
  }
  const counts = inputs.map((i) => (i.tokens ? i.tokens.length : fakeTokens(i.text)));
  const longest = Math.max(...counts);
  if (longest > 8192) {
    return sendError(res, started, 400, Buffer.from(EMBED_ERRORS.context.replace(/155434/g, String(longest))));
  }
  const tokens = counts.reduce((a, b) => a + b, 0);
  if (tokens > 300_000) return fail(`Requested ${tokens} tokens, max 300000 tokens per request`);
  const usage = { prompt_tokens: tokens, total_tokens: tokens };
  let answer;
  if (format === 'float') {
    answer = Buffer.from(JSON.stringify({
      object: 'list',
      data: inputs.map((_, i) => ({ object: 'embedding', embedding: fakeVector(EMBED_BASE_FLOAT, i, dims), index: i })),
      model: body.model,
      usage,
    }));
  } else {
    answer = Buffer.from(`${JSON.stringify({
      object: 'list',
      data: inputs.map((_, i) => ({ object: 'embedding', index: i, embedding: base64Float32(fakeVector(EMBED_BASE_B64, i, dims)) })),
      model: body.model,
      usage,
    }, null, 2)}\n`);
  }
  return sendJson(res, started, answer, knobs['cut-after'] !== undefined, state);
}

// One EmbedContentRequest (of a batch at `where`, or the body of :embedContent): its text, or an
// error message.
function geminiEmbedContent(r, where, model, dims, batch) {
  const allowed = new Set(['model', 'content', 'taskType', 'title', 'outputDimensionality']);
  if (r === null || typeof r !== 'object' || Array.isArray(r)) return `* ${where}: must be an object\n`;
  const unknown = Object.keys(r).find((k) => !allowed.has(k));
  if (unknown !== undefined) return `Invalid JSON payload received. Unknown name "${unknown}" at '${where}': Cannot find field.`;
  if (batch && r.model !== `models/${model}`) {
    return `* BatchEmbedContentsRequest.model: ${where}.model must be the model of the URL (models/${model}), got ${JSON.stringify(r.model)}\n`;
  }
  const parts = r.content?.parts;
  if (!Array.isArray(parts) || parts.length === 0 || !parts.every((p) => p && typeof p.text === 'string')) {
    return `* ${where}.content.parts: must hold text parts\n`;
  }
  const d = r.outputDimensionality;
  if (d !== undefined && (!Number.isInteger(d) || d < 1 || d > dims)) {
    return `* ${where}.output_dimensionality: must be between 1 and ${dims}, got ${JSON.stringify(d)}\n`;
  }
  return { text: parts.map((p) => p.text).join(' '), dims: d ?? dims };
}

async function handleGeminiEmbed(req, res, method, query, model) {
  const begun = await beginGemini(req, res, query);
  if (!begun) return undefined;
  const { rec, signal, state, started, body } = begun;
  const fail = (message) => sendGeminiError(res, started, 400, googleError(400, message));
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    return fail('Invalid JSON payload received. The body must be an object.');
  }
  const info = GEMINI_EMBEDDING_MODELS[model];
  if (!info) {
    return sendGeminiError(res, started, 404, googleError(404,
      `models/${model} is not found for API version v1beta, or is not supported for ${method}. Call ListModels to see the list of available models and their supported methods.`));
  }
  const batch = method === 'batchEmbedContents';
  let items;
  if (batch) {
    const unknown = Object.keys(body).find((k) => k !== 'requests');
    if (unknown !== undefined) return fail(`Invalid JSON payload received. Unknown name "${unknown}": Cannot find field.`);
    if (!Array.isArray(body.requests) || body.requests.length === 0) return fail('* BatchEmbedContentsRequest.requests: requests is not specified\n');
    if (body.requests.length > 100) return fail('* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch\n');
    items = body.requests.map((r, i) => geminiEmbedContent(r, `requests[${i}]`, model, info.dims, true));
  } else {
    items = [geminiEmbedContent(body, 'EmbedContentRequest', model, info.dims, false)];
  }
  const bad = items.find((i) => typeof i === 'string');
  if (bad !== undefined) return fail(bad);
  const knobs = parseKnobs(items.map((i) => i.text).join('\n'), EMBED_FLAGS, EMBED_INTS);
  if (typeof knobs === 'string') return fail(knobs);
  applyPathKnobs(knobs, req);
  if (knobs.hang) return undefined;
  if (!(await delayHead(knobs, signal))) return undefined;
  if (knobs.error !== undefined) {
    const errBody = GEMINI_ERRORS[knobs.error]
      ?? googleError(knobs.error, GOOGLE_MESSAGES[knobs.error] ?? `Fake provider error ${knobs.error}.`);
    return sendGeminiError(res, started, knobs.error, errBody);
  }
  let answer;
  if (batch) {
    const obj = { embeddings: items.map((it, i) => ({ values: fakeVector(GEMINI_EMBED_BASE, i, it.dims) })) };
    if (info.usage) {
      const tokens = items.reduce((a, it) => a + fakeTokens(it.text), 0);
      obj.usageMetadata = { promptTokenCount: tokens, promptTokenDetails: [{ modality: 'TEXT', tokenCount: tokens }] };
    }
    answer = googleJson(obj);
  } else {
    answer = googleJson({ embedding: { values: fakeVector(GEMINI_EMBED_SINGLE_BASE, 0, items[0].dims) } });
  }
  return sendBodyMaybeCut(res, 200, geminiHeaders(started, 'application/json; charset=UTF-8'), answer,
    knobs['cut-after'] !== undefined, state);
}

// =============================================================================================
// OpenAI Responses: POST <prefix>/v1/responses (the recorded responses-* fixtures).
//
// Checked as api.openai.com checks it: the bearer key (401 with the recorded body), a JSON object
// body, a string `model` ("Missing required parameter: 'model'."), `input` present, and no
// argument the API does not know ("Unrecognized request argument supplied: X"; OpenRouter's
// members among them). Bodies are the recorded bytes: non-stream `application/json`, streams
// `text/event-stream; charset=utf-8` (`event:`/`data:` pairs, no [DONE]).
// Knobs (text of the last input item: a string input, or the last message's string content or
// input_text parts): [[fake:tool-call]] answers with the function-call recordings; an input whose
// last item is a function_call_output gets the text recordings; error, retry-after, delay-ms,
// chunk-delay-ms, cut-after, hang, fail-path, hang-path, fail-model as for chat.

// The arguments of POST /v1/responses (platform.openai.com API reference, "Create a model response").
const OPENAI_RESPONSES_PARAMETERS = new Set([
  'background', 'conversation', 'include', 'input', 'instructions', 'max_output_tokens', 'max_tool_calls', 'metadata',
  'model', 'parallel_tool_calls', 'previous_response_id', 'prompt', 'prompt_cache_key', 'prompt_cache_retention',
  'reasoning', 'safety_identifier', 'service_tier', 'store', 'stream', 'stream_options', 'temperature', 'text',
  'tool_choice', 'tools', 'top_logprobs', 'top_p', 'truncation', 'user',
]);
const RESPONSES_FLAGS = new Set(['tool-call', 'hang']);
const RESPONSES_INTS = new Set(['error', 'retry-after', 'cut-after', 'delay-ms', 'chunk-delay-ms']);
const RESPONSES_JSON = {
  text: readFixture('responses-nonstream-text.json'),
  toolCall: readFixture('responses-nonstream-function-call.json'),
};
const RESPONSES_STREAMS = {
  text: loadEvents(args.fixtures, 'responses-stream-text.sse', '\n\n'),
  toolCall: loadEvents(args.fixtures, 'responses-stream-function-call.sse', '\n\n'),
};

function responsesLastText(input) {
  if (typeof input === 'string') return input;
  if (!Array.isArray(input)) return '';
  const last = input[input.length - 1];
  if (typeof last?.content === 'string') return last.content;
  if (!Array.isArray(last?.content)) return '';
  return last.content.filter((p) => p && p.type === 'input_text' && typeof p.text === 'string').map((p) => p.text).join('\n');
}

async function handleResponses(req, res) {
  const begun = await beginOpenAi(req, res);
  if (!begun) return undefined;
  const { rec, signal, state, started, body } = begun;
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    return sendError(res, started, 400, openaiError('The request body must be a JSON object.', 'invalid_request_error'));
  }
  const unknown = Object.keys(body).find((k) => !OPENAI_RESPONSES_PARAMETERS.has(k));
  if (unknown !== undefined) {
    return sendError(res, started, 400, openaiError(`Unrecognized request argument supplied: ${unknown}`, 'invalid_request_error'));
  }
  if (typeof body.model !== 'string' || body.model === '') {
    return sendError(res, started, 400, openaiError(
      "Missing required parameter: 'model'.", 'invalid_request_error', 'model', 'missing_required_parameter'));
  }
  if (body.input === undefined || body.input === null) {
    return sendError(res, started, 400, openaiError(
      "Missing required parameter: 'input'.", 'invalid_request_error', 'input', 'missing_required_parameter'));
  }
  const knobs = parseKnobs(responsesLastText(body.input), RESPONSES_FLAGS, RESPONSES_INTS);
  if (typeof knobs === 'string') return sendError(res, started, 400, openaiError(knobs, 'invalid_request_error'));
  applyPathKnobs(knobs, req);
  const failModel = knobs['fail-model']?.find((f) => f.model === body.model);
  if (failModel) knobs.error = failModel.status;
  if (knobs.hang) return undefined;
  if (!(await delayHead(knobs, signal))) return undefined;
  if (knobs.error !== undefined) return sendError(res, started, knobs.error, errorBodyFor(knobs.error), knobs['retry-after']);

  const toolTurn = Array.isArray(body.input) && body.input[body.input.length - 1]?.type === 'function_call_output';
  const which = !toolTurn && knobs['tool-call'] ? 'toolCall' : 'text';
  if (body.stream !== true) {
    return sendBodyMaybeCut(res, 200, baseHeaders(started, 'application/json'), RESPONSES_JSON[which],
      knobs['cut-after'] !== undefined, state);
  }
  return sendEvents(res, baseHeaders(started, 'text/event-stream; charset=utf-8'), RESPONSES_STREAMS[which], knobs,
    signal, state);
}

// =============================================================================================

function failed(res) {
  return (err) => {
    process.stderr.write(`fake-provider: ${err.stack}\n`);
    res.destroy();
  };
}

function route(req, res) {
  const started = Date.now();
  const q = req.url.indexOf('?');
  const p = q < 0 ? req.url : req.url.slice(0, q);
  if (req.method === 'POST' && p.endsWith('/v1/chat/completions')) {
    handleChat(req, res).catch(failed(res));
    return;
  }
  if (req.method === 'POST' && p.endsWith('/v1/completions') && !p.endsWith('/chat/completions')) {
    handleCompletions(req, res).catch(failed(res));
    return;
  }
  if (req.method === 'POST' && p.endsWith('/v1/responses')) return void handleResponses(req, res).catch(failed(res));
  if (req.method === 'POST' && p.endsWith('/v1/messages/count_tokens')) {
    handleAnthropicCountTokens(req, res).catch(failed(res));
    return;
  }
  if (req.method === 'POST' && p.endsWith('/v1/embeddings')) return void handleOpenAiEmbeddings(req, res).catch(failed(res));
  if (req.method === 'POST' && p.endsWith('/v1/messages')) {
    handleAnthropic(req, res).catch(failed(res));
    return;
  }
  const gemini = req.method === 'POST' ? GEMINI_PATH.exec(p) : null;
  if (gemini) {
    const query = new URLSearchParams(q < 0 ? '' : req.url.slice(q + 1));
    const embed = /embed/i.test(gemini[2]);
    (embed ? handleGeminiEmbed(req, res, gemini[2], query, gemini[1]) : handleGemini(req, res, gemini[2], query)).catch(failed(res));
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
  if (p.includes('/v1beta/')) {
    return sendGeminiError(res, started, 404, googleError(404, `Method not found: ${req.method} ${p}`));
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
