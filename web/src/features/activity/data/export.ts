// The Activity page's CSV export: usage per UTC day and per model (or key), for the range shown.
import { api, call, type ActivityBucket } from "@/lib/api";
import { toCsv } from "@/lib/csv";
import { microsToUsdText } from "@/lib/money";
import { apiRange, type DayRange } from "./range";

export async function fetchActivityRows(range: DayRange, by: "model" | "key"): Promise<ActivityBucket[]> {
  const window = apiRange(range);
  const answer = await call(() => api.GET("/api/activity", { params: { query: { ...window, group_by: "day", split_by: by } } }));
  return answer.buckets;
}

/** One row per day and model (or key), oldest day first, then by cost (highest first). */
export function activityCsv(buckets: ActivityBucket[], by: "model" | "key", nameOf: (id: string) => string): string {
  const rows = [...buckets].sort((a, b) => a.group.localeCompare(b.group) || b.cost_micros - a.cost_micros);
  const header = ["day_utc", by, ...(by === "key" ? ["key_id"] : []), "requests", "errors", "prompt_tokens", "completion_tokens", "cost_usd"];
  return toCsv(
    header,
    rows.map((b) => [
      b.group,
      nameOf(b.series ?? ""),
      ...(by === "key" ? [b.series ?? ""] : []),
      b.requests,
      b.errors,
      b.prompt_tokens,
      b.completion_tokens,
      microsToUsdText(b.cost_micros),
    ]),
  );
}
