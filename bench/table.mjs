// The one table bench/run.mjs prints: a row per measure, the three paths side by side, the ratio
// (or the added latency) the target is judged on, the target and whether this run met it.
const int = (n) => Math.round(n).toLocaleString('en-US');
const us = (ms) => `${int(ms * 1000)} µs`;
const added = (ms) => `${ms >= 0 ? '+' : '−'}${int(Math.abs(ms) * 1000)} µs`;
const times = (r) => `${r.toFixed(2)}×`;
const mib = (kib) => `${(kib / 1024).toFixed(1)} MiB`;
const met = (ok) => (ok ? 'met' : '**missed**');

// Billing and logging on, like the SQLite Turnpike's "on" figure it is compared with.
function pgRows(pg, b, c) {
  if (!pg || pg.skipped) return [];
  return [
    [`PostgreSQL, 1 replica: req/s, ${c} conns (p99)`, '', '', `${int(pg.one.rps)} (${us(pg.one.p99_ms)})`,
      `${times(pg.one.rps / b.on.rps)} SQLite (billing on)`, '', ''],
    [`PostgreSQL, 2 replicas: req/s, ${pg.two.connections_each} conns each (p99)`, '', '',
      `${int(pg.two.rps)} (${us(pg.two.p99_ms)})`, `${times(pg.two.rps / pg.one.rps)} 1 replica`, '', ''],
    ['PostgreSQL: CPU per request (Turnpike processes)', '', '', `${us(pg.one.cpu_us / 1000)} / ${us(pg.two.cpu_us / 1000)}`,
      `1 / 2 replicas; SQLite ${us(b.on.cpu_us / 1000)}`, '', ''],
  ];
}

export function renderTable(meta, results, streams) {
  const { direct: d, nginx: n, turnpike: t, billing: b } = results;
  const c = meta.connections;
  const rows = [
    ['non-streamed latency p50, 1 conn', us(d.p50_ms), us(n.p50_ms), us(t.p50_ms),
      `${added(t.p50_ms - d.p50_ms)} (nginx ${added(n.p50_ms - d.p50_ms)})`, '≤ +50 µs over direct', met(t.p50_ms - d.p50_ms <= 0.05)],
    ['non-streamed latency p99, 1 conn', us(d.p99_ms), us(n.p99_ms), us(t.p99_ms),
      `${added(t.p99_ms - d.p99_ms)} (nginx ${added(n.p99_ms - d.p99_ms)})`, '≤ +250 µs over direct', met(t.p99_ms - d.p99_ms <= 0.25)],
    [`non-streamed req/s, ${c} conns`, int(d.rps), int(n.rps), int(t.rps), `${times(t.rps / n.rps)} nginx`, '≥ 0.70× nginx',
      met(t.rps / n.rps >= 0.7)],
    [`non-streamed latency p99, ${c} conns`, us(d.p99_ms_loaded), us(n.p99_ms_loaded), us(t.p99_ms_loaded), '', '', ''],
    ['CPU per non-streamed request', us(d.cpu_us / 1000), us(n.cpu_us / 1000), us(t.cpu_us / 1000),
      `${times(t.cpu_us / n.cpu_us)} nginx`, '≤ 1.50× nginx', met(t.cpu_us / n.cpu_us <= 1.5)],
    [`billing + logging on vs off, req/s, ${c} conns`, '', '', `${int(b.on.rps)} on, ${int(b.off.rps)} off`,
      `${times(b.on.rps / b.off.rps)} off`, '≥ 0.90× off', met(b.on.rps / b.off.rps >= 0.9)],
    ...pgRows(results.pg, b, c),
    ['streamed time to first token p50, 1 conn', us(d.ttft_p50_ms), us(n.ttft_p50_ms), us(t.ttft_p50_ms),
      `${added(t.ttft_p50_ms - d.ttft_p50_ms)} (nginx ${added(n.ttft_p50_ms - d.ttft_p50_ms)})`, '≤ +100 µs over direct',
      met(t.ttft_p50_ms - d.ttft_p50_ms <= 0.1)],
    ['streamed time to first token p99, 1 conn', us(d.ttft_p99_ms), us(n.ttft_p99_ms), us(t.ttft_p99_ms),
      `${added(t.ttft_p99_ms - d.ttft_p99_ms)} (nginx ${added(n.ttft_p99_ms - d.ttft_p99_ms)})`, '', ''],
    [`streamed events/s, ${c} conns`, int(d.events_per_s), int(n.events_per_s), int(t.events_per_s),
      `${times(t.events_per_s / n.events_per_s)} nginx`, '≥ 0.70× nginx', met(t.events_per_s / n.events_per_s >= 0.7)],
    ['CPU per streamed request', us(d.stream_cpu_us / 1000), us(n.stream_cpu_us / 1000), us(t.stream_cpu_us / 1000),
      `${times(t.stream_cpu_us / n.stream_cpu_us)} nginx`, '≤ 1.50× nginx', met(t.stream_cpu_us / n.stream_cpu_us <= 1.5)],
    ['peak RSS after the load runs (VmHWM)', mib(d.hwm_kib), mib(n.hwm_kib), mib(t.hwm_kib), '', '', ''],
  ];
  if (streams) {
    const s = streams;
    rows.push(
      ['slow streams open at once', '', '', `${int(s.live)} of ${int(s.count)}, opened in ${s.open_seconds.toFixed(1)} s`,
        '', `${int(s.requested)}${s.capped ? ` (${int(s.count)}: fd limit)` : ''}, all ended well`,
        met(s.live === s.count && s.failed === 0)],
      ['RSS per open stream', '', '', `${(s.kib_per_stream).toFixed(1)} KiB`, '', '< 20 KiB', met(s.kib_per_stream < 20)],
      ['GET /health p50 / p99 under the streams', '', '', `${s.health.p50.toFixed(2)} / ${s.health.p99.toFixed(2)} ms`,
        `idle ${s.health_idle.p50.toFixed(2)} / ${s.health_idle.p99.toFixed(2)} ms`, '< 5 ms (p99)', met(s.health.p99 < 5)],
      ['peak RSS with the streams (VmHWM)', '', '', mib(results.turnpike.hwm_end_kib), '', '', ''],
    );
  }
  const out = [
    `Turnpike benchmark — ${meta.date}, turnpike ${meta.commit} (${meta.bin}), ${meta.cores} cores (${meta.cpu}), `
      + `${meta.threads} turnpike thread(s) / nginx worker(s) per instance, ${c} connections for ${meta.seconds} s; `
      + `load average ${meta.load_before.toFixed(2)} before, 4 KiB write + fdatasync ${meta.fsync_ms.toFixed(2)} ms (p50)`,
    '',
    '| measure | direct | nginx | turnpike | ratio | target | met? |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.map((x) => x || '—').join(' | ')} |`),
    '',
    `Events per stream (data: lines): direct ${d.events_per_stream}, nginx ${n.events_per_stream}, turnpike ${t.events_per_stream}; `
      + 'events/s = streams/s × that. CPU: the "direct" column is the upstream nginx itself.',
    `Billing on vs off: two fresh turnpikes in alternating rounds; in the same rounds the run's own turnpike, `
      + `after the runs above, did ${int(b.used.rps)} req/s (${times(b.used.rps / b.on.rps)} the fresh one with billing on); `
      + `CPU per request: on ${us(b.on.cpu_us / 1000)}, off ${us(b.off.cpu_us / 1000)}.`,
  ];
  if (results.pg?.skipped) out.push(`PostgreSQL rows left out: ${results.pg.skipped}.`);
  if (results.pg && !results.pg.skipped) {
    out.push(`PostgreSQL: ${results.pg.source}; every replica and the server on this machine's cores, the two `
      + `replicas loaded by two wrk at once (${int(results.pg.two.replicas[0])} + ${int(results.pg.two.replicas[1])} req/s).`);
  }
  if (streams) {
    const s = streams;
    if (s.capped) out.push(`Open streams: ${s.capped}.`);
    out.push(`Open streams: turnpike RSS ${mib(s.rss_before_kib)} before, ${mib(s.rss_open_kib)} with them open, `
      + `${mib(s.rss_after_kib)} after; descriptors ${int(s.fds_before)} → ${int(s.fds_open)} → ${int(s.fds_after)}; `
      + `${int(s.completed)} of ${int(s.count)} ended with data: [DONE], ${int(s.failed)} failed. `
      + `CPU while they tick (% of a core): turnpike ${int(s.cpu_pct_while_open.turnpike)} `
      + `(≈ ${int((s.cpu_pct_while_open.turnpike / 100 / s.live) * 1e6)} µs per relayed event at ${int(s.live)} events/s), `
      + `slow upstream ${int(s.cpu_pct_while_open.upstream)}, client ${int(s.cpu_pct_while_open.client)}.`);
    for (const e of [...s.open_errors, ...s.errors].slice(0, 5)) out.push(`    stream error: ${e}`);
  }
  return `\n${out.join('\n')}`;
}
