// The Logs page's CSV export: every request the filters select (newest first, up to
// EXPORT_MAX_ROWS), read page by page from /api/logs.
import { api, call, type Log } from "@/lib/api";
import { toCsv } from "@/lib/csv";
import { microsToUsdText } from "@/lib/money";
import type { LogQuery } from "./filters";

const EXPORT_PAGE = 200;
export const EXPORT_MAX_ROWS = 10_000;

export async function fetchAllLogs(query: LogQuery): Promise<{ logs: Log[]; truncated: boolean }> {
  const logs: Log[] = [];
  let cursor: string | null = null;
  for (;;) {
    const page = await call(() =>
      api.GET("/api/logs", { params: { query: { ...query, ...(cursor ? { cursor } : {}), limit: EXPORT_PAGE } } }),
    );
    logs.push(...page.logs);
    cursor = page.next_cursor;
    if (cursor === null) return { logs, truncated: false };
    if (logs.length >= EXPORT_MAX_ROWS) return { logs, truncated: true };
  }
}

/** The requests as CSV: times in UTC (ISO 8601), cost as an exact USD decimal, the key by name. */
export function logsCsv(logs: Log[], keyName: (id: number) => string): string {
  return toCsv(
    [
      "created_at_utc",
      "request_id",
      "status",
      "model",
      "provider",
      "upstream_model",
      "key",
      "streamed",
      "prompt_tokens",
      "completion_tokens",
      "cached_tokens",
      "reasoning_tokens",
      "cost_usd",
      "usage_source",
      "latency_ms",
      "ttft_ms",
      "finish_reason",
      "error",
    ],
    logs.map((l) => [
      l.created_at,
      l.id,
      l.status,
      l.model,
      l.provider,
      l.upstream_model,
      l.key_id === null ? "" : keyName(l.key_id),
      l.streamed,
      l.prompt_tokens,
      l.completion_tokens,
      l.cached_tokens,
      l.reasoning_tokens,
      microsToUsdText(l.cost_micros),
      l.usage_source,
      l.latency_ms,
      l.ttft_ms,
      l.finish_reason,
      l.error,
    ]),
  );
}
