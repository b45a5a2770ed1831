import fs from 'node:fs';
import path from 'node:path';
import { ROOT, freePort, nginxLiteral, startNginx, startTurnpike, waitFor, sleep } from './lib.mjs';
const fixture = (f) => fs.readFileSync(path.join(ROOT, 'tests/fixtures/providers/openai', f), 'utf8');
const answer = nginxLiteral(JSON.stringify(JSON.parse(fixture('chat-nonstream-text-after-tool-results.json'))), 'answer');
const stream = nginxLiteral(fixture('chat-stream-text-include-usage.sse'), 'stream');
const upstreamPort = freePort();
startNginx('upstream', 1, `server { listen 127.0.0.1:${upstreamPort};
    location /stream/ { default_type text/event-stream; return 200 '${stream}'; }
    location / { default_type application/json; return 200 '${answer}'; } }`);
await waitFor(`http://127.0.0.1:${upstreamPort}/v1/chat/completions`);
const tp = await startTurnpike({ bin: process.env.TURNPIKE_BIN, name: 'tp', threads: 1, config: '', providerEnv: {
  BENCH_UPSTREAM_KEY: 'bench', BENCH_UPSTREAM_BASE_URL: `http://127.0.0.1:${upstreamPort}/v1`,
  BENCH_STREAM_BASE_URL: `http://127.0.0.1:${upstreamPort}/stream/v1`, BENCH_SLOW_BASE_URL: 'http://127.0.0.1:9/v1' },
  extraEnv: { TURNPIKE_BILLING_ENABLED: 'false', TURNPIKE_LOG_REQUESTS: 'false' } });
fs.writeFileSync('/tmp/up_prof/info', `${tp.pid} ${tp.url('/api/v1/chat/completions')} ${tp.key}\n`);
await sleep(Number(process.env.HOLD_S ?? 40) * 1000);
process.exit(0);
