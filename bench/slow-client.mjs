#!/usr/bin/env node
// The client side of the open-streams phase of bench/run.mjs: opens --count streamed chat
// completions through the gateway (a connection each), --batch at a time, a batch counting as open
// once every stream in it has had its first content chunk, and holds them. Then it waits for them
// to end (the slow upstream finishes them when the benchmark says so) and checks each ended
// properly: status 200, `data: [DONE]` last. A process of its own, because each stream costs it a
// file descriptor and the machine allows 20,000 per process.
//
//   node bench/slow-client.mjs --url URL --key KEY --count N [--batch 500] [--open-seconds 60]
// Reports JSON lines on stdout: {"event":"progress",...}, then {"event":"open",...} once every
// stream is open (or the time is up), then {"event":"done",...} once every stream has ended.
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values: opt } = parseArgs({ options: {
  url: { type: 'string' },
  key: { type: 'string' },
  count: { type: 'string' },
  batch: { type: 'string', default: '500' },
  'open-seconds': { type: 'string', default: '60' },
} });
const COUNT = Number(opt.count);
const BATCH = Number(opt.batch);
const OPEN_MS = Number(opt['open-seconds']) * 1000;
const say = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);

const body = JSON.stringify({ model: 'bench/slow', messages: [{ role: 'user', content: 'Keep talking.' }],
  max_tokens: 64, stream: true });
// No keep-alive pool: one connection per stream, as many clients holding streams would have.
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

const errors = [];
let started = 0;    // requests sent
let opened = 0;     // streams that had their first content chunk
let live = 0;       // opened and not ended yet
let ended = 0;      // ended, well or not
let completed = 0;  // ended with status 200 and data: [DONE]
let events = 0;     // data: events received, all streams
const fail = (what) => {
  if (errors.length < 20) errors.push(what);
};

// Resolves when the stream has had its first content chunk (or failed); `done` settles at its end.
function openStream() {
  let resolveOpen;
  const isOpen = new Promise((r) => { resolveOpen = r; });
  let finished = false;
  let wasOpen = false;
  const end = (ok, why) => {
    if (finished) return;
    finished = true;
    ended++;
    if (wasOpen) live--;
    if (ok) completed++;
    else fail(why);
    resolveOpen(false);
    maybeDone();
  };
  const req = http.request(opt.url, { method: 'POST', agent, headers: {
    'Content-Type': 'application/json', Authorization: `Bearer ${opt.key}`, 'Content-Length': Buffer.byteLength(body),
  } }, (res) => {
    let text = '';
    let seenContent = false;
    res.setEncoding('utf8');
    res.on('data', (d) => {
      text += d;
      // Keep only the unfinished event; count the finished ones.
      const parts = text.split('\n\n');
      text = parts.pop();
      for (const p of parts) {
        if (!p.startsWith('data:')) continue;
        events++;
        if (p === 'data: [DONE]') {
          res.done = true;
        } else if (!seenContent && res.statusCode === 200) {
          seenContent = true;
          wasOpen = true;
          opened++;
          live++;
          resolveOpen(true);
        }
      }
      if (res.statusCode !== 200) res.errorBody = (res.errorBody ?? '') + d;
    });
    res.on('end', () => {
      if (res.statusCode !== 200) end(false, `status ${res.statusCode}: ${(res.errorBody ?? text).slice(0, 300)}`);
      else if (!res.done) end(false, 'stream ended without data: [DONE]');
      else end(true);
    });
    res.on('error', (e) => end(false, `response: ${e.message}`));
  });
  req.on('error', (e) => end(false, `request: ${e.code ?? e.message}`));
  req.end(body);
  return isOpen;
}

let openingDone = false;
function maybeDone() {
  if (!openingDone || ended < started) return;
  say({ event: 'done', started, completed, failed: started - completed, events, errors });
  process.exit(0);
}

const t0 = Date.now();
while (started < COUNT && Date.now() - t0 < OPEN_MS) {
  const n = Math.min(BATCH, COUNT - started);
  started += n;
  const batch = [];
  for (let i = 0; i < n; i++) batch.push(openStream());
  // A stream that never starts must not hold the phase past its time.
  await Promise.race([Promise.all(batch), new Promise((r) => setTimeout(r, Math.max(0, OPEN_MS - (Date.now() - t0))))]);
  say({ event: 'progress', started, live, failed: ended - completed, seconds: (Date.now() - t0) / 1000 });
}
openingDone = true;
say({ event: 'open', started, opened, live, failed: ended - completed, seconds: (Date.now() - t0) / 1000, errors });
maybeDone();
