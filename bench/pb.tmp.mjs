import fs from 'node:fs';
import path from 'node:path';
import { ROOT, freePort, startNginx, startTurnpike, waitFor, sleep } from './lib.mjs';
const fixture = (f) => fs.readFileSync(path.join(ROOT, 'tests/fixtures/providers/openai', f), 'utf8');
import { nginxLiteral } from './lib.mjs';
const answer = nginxLiteral(JSON.stringify(JSON.parse(fixture('chat-nonstream-text-after-tool-results.json'))), 'a');
const stream = nginxLiteral(fixture('chat-stream-text-include-usage.sse'), 's');
const upstreamPort = freePort();
startNginx('upstream', 1, `server { listen 127.0.0.1:${upstreamPort};
  location /stream/ { default_type text/event-stream; return 200 '${stream}'; }
  location / { default_type application/json; return 200 '${answer}'; } }`);
const providerEnv = { BENCH_UPSTREAM_API_KEY: 'bench', BENCH_UPSTREAM_BASE_URL: `http://127.0.0.1:${upstreamPort}/v1`,
  BENCH_STREAM_BASE_URL: `http://127.0.0.1:${upstreamPort}/stream/v1`, BENCH_SLOW_BASE_URL: 'http://127.0.0.1:9/v1' };
const extraEnv = process.env.OFF ? { TURNPIKE_BILLING_ENABLED: 'false', TURNPIKE_LOG_REQUESTS: 'false' } : {};
const t = await startTurnpike({ bin: process.env.TURNPIKE_BIN, name: 'tp', threads: 1, config: '[upstream]\nmax_connections_per_host = 20000\n', providerEnv, extraEnv });
fs.writeFileSync('/tmp/pb/env', `URL=${t.url('/api/v1/chat/completions')}\nKEY=${t.key}\nPID=${t.pid}\n`);
console.log('ready', t.pid);
await sleep(1e9);
