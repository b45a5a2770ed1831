#!/usr/bin/env node
// A slow OpenAI-compatible upstream for the open-streams phase of bench/run.mjs: every
// POST …/chat/completions gets a 200 SSE stream with one content chunk right away (so the client
// knows the stream is open end to end) and one more every --interval-ms, until the benchmark says
// POST /finish (or --max-seconds pass); then every open stream ends as OpenAI ends one: a
// finish_reason chunk, the usage chunk, `data: [DONE]`. A process of its own, because each stream
// costs it a file descriptor and the machine allows 20,000 per process.
//
//   node bench/slow-upstream.mjs [--interval-ms 1000] [--max-seconds 180]
// Prints {"port": N} once listening on 127.0.0.1, and {"finished": N} after each /finish.
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values: opt } = parseArgs({ options: {
  'interval-ms': { type: 'string', default: '1000' },
  'max-seconds': { type: 'string', default: '180' },
} });
const INTERVAL_MS = Number(opt['interval-ms']);
const MAX_MS = Number(opt['max-seconds']) * 1000;

const open = new Set();
let serial = 0;

const chunk = (id, delta, finish = null) => `data: ${JSON.stringify({
  id, object: 'chat.completion.chunk', created: 1754688929, model: 'gpt-4o-mini-2024-07-18',
  choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], usage: null,
})}\n\n`;

function finish(s) {
  if (!open.delete(s)) return;
  clearInterval(s.timer);  // the first tick's timeout or the interval: Node clears either
  clearTimeout(s.deadline);
  const usage = { prompt_tokens: 14, completion_tokens: s.sent, total_tokens: 14 + s.sent };
  s.res.end(chunk(s.id, {}, 'stop')
    + `data: ${JSON.stringify({ id: s.id, object: 'chat.completion.chunk', created: 1754688929,
      model: 'gpt-4o-mini-2024-07-18', choices: [], usage })}\n\n`
    + 'data: [DONE]\n\n');
}

const server = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/finish') {
    const n = open.size;
    for (const s of [...open]) finish(s);
    res.end(JSON.stringify({ finished: n }));
    console.log(JSON.stringify({ finished: n }));
    return;
  }
  if (req.method !== 'POST' || !req.url.endsWith('/chat/completions')) {
    res.writeHead(404).end();
    return;
  }
  req.resume();
  req.on('end', () => {
    const s = { id: `chatcmpl-slow-${++serial}`, res, sent: 1 };
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    res.write(chunk(s.id, { role: 'assistant', content: 'tick' }));
    // Each stream ticks at a phase of its own, as independent users' streams would: the client
    // opens them 500 at a time, and streams started together ticking together would make bursts
    // of 500 events every second, a load no one's traffic has.
    const tick = () => {
      s.sent++;
      res.write(chunk(s.id, { content: ' tick' }));
    };
    s.timer = setTimeout(() => {
      tick();
      s.timer = setInterval(tick, INTERVAL_MS);
    }, Math.random() * INTERVAL_MS);
    s.deadline = setTimeout(() => finish(s), MAX_MS);
    open.add(s);
    res.on('close', () => {
      open.delete(s);
      clearInterval(s.timer);
      clearTimeout(s.deadline);
    });
  });
});
// Node's default time limits are for whole requests and idle keep-alives; a stream is neither.
server.requestTimeout = 0;
server.headersTimeout = 60_000;
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
