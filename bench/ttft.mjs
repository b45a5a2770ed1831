// Streamed answers seen by a client: how many events one carries, and the time to first token —
// from sending the request to the first `data:` event whose delta carries content — measured at
// one connection, requests back to back, so nothing queues behind anything.
import http from 'node:http';
import { oneConnection, percentile } from './lib.mjs';

const BODY = JSON.stringify({ model: 'bench/stream', messages: [{ role: 'user', content: 'What is the capital of Mexico?' }],
  max_tokens: 64, stream: true, stream_options: { include_usage: true } });

// One streamed request. Resolves with the ms to the first content event, the data: events and the
// whole text; rejects on a non-200 answer, a socket error, or an end without `data: [DONE]`.
function streamedRequest(target, agent) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    let firstToken = NaN;
    let text = '';
    let scanned = 0;
    const headers = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(BODY) };
    if (target.key) headers.Authorization = `Bearer ${target.key}`;
    const req = http.request(target.streamUrl, { method: 'POST', agent, headers }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (d) => {
        text += d;
        if (!Number.isNaN(firstToken)) return;
        // Look at each event completed since the last chunk for the first one with content.
        let end;
        while ((end = text.indexOf('\n\n', scanned)) >= 0) {
          const event = text.slice(scanned, end);
          scanned = end + 2;
          if (!event.startsWith('data: {')) continue;
          const content = JSON.parse(event.slice(6)).choices?.[0]?.delta?.content;
          if (content) {
            firstToken = Number(process.hrtime.bigint() - t0) / 1e6;
            break;
          }
        }
      });
      res.on('end', () => {
        const events = text.split('\n').filter((l) => l.startsWith('data:')).length;
        if (res.statusCode !== 200) reject(new Error(`streamed request to ${target.name}: ${res.statusCode} ${text.slice(0, 300)}`));
        else if (!text.trimEnd().endsWith('data: [DONE]')) reject(new Error(`stream from ${target.name} did not end with data: [DONE]:\n${text}`));
        else if (Number.isNaN(firstToken)) reject(new Error(`stream from ${target.name} carried no content:\n${text}`));
        else resolve({ firstToken, events, text });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(BODY);
  });
}

// The data: events one streamed answer from this target carries (its events/s are streams/s × this).
export async function eventsPerStream(target) {
  const agent = oneConnection();
  try {
    return (await streamedRequest(target, agent)).events;
  } finally {
    agent.destroy();
  }
}

// Time to first token over `count` sequential requests (after `warmup` unmeasured): p50 / p99 in ms.
export async function timeToFirstToken(target, count, warmup = 200) {
  const agent = oneConnection();
  const times = [];
  try {
    for (let i = 0; i < warmup + count; i++) {
      const r = await streamedRequest(target, agent);
      if (i >= warmup) times.push(r.firstToken);
    }
  } finally {
    agent.destroy();
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), count };
}
