// The secrets scan of the gateway suites (issue 13): every response body and header the shared
// helpers read (lib/gateway.mjs), and every line the server printed, searched for the secrets the
// tests handed out — the provider key the fake accepts, the API keys and passwords created through
// the harness. useServer (lib/setup.mjs) runs the scan when a file ends and fails it on a find.
// One test file is one process, so the state here is the file's.
const secrets = new Map(); // value → what it is
const seen = []; // { where, text }
let seenBytes = 0;
const MAX_SEEN_BYTES = 256 << 20; // a bound on what a file keeps; past it, later text goes unscanned

export function noteSecret(value, what) {
  if (typeof value === 'string' && value.length >= 8) secrets.set(value, what);
}

export function noteSeen(where, text) {
  if (typeof text !== 'string' || text === '' || seenBytes + text.length > MAX_SEEN_BYTES) return;
  seenBytes += text.length;
  seen.push({ where, text });
}

// `headers`: a fetch Headers or node's header object.
export function noteHeaders(where, headers) {
  const entries = typeof headers?.entries === 'function' ? [...headers.entries()] : Object.entries(headers ?? {});
  for (const [k, v] of entries) noteSeen(`header ${k} of ${where}`, [].concat(v).join('\n'));
}

// Where each secret appears in what was seen and in `output` (the server's printed lines);
// a summary of what was searched.
export function scanForSecrets(output) {
  const found = [];
  const places = [...seen, { where: 'the server output', text: output }];
  for (const { where, text } of places) {
    for (const [value, what] of secrets) {
      if (text.includes(value)) found.push(`${what} appears in ${where}`);
    }
  }
  return { found: [...new Set(found)], summary: `${seen.length} responses/headers (${seenBytes} bytes) and ${output.length} bytes of server output searched for ${secrets.size} secrets` };
}
