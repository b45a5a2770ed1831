// Wording for a provider's live health numbers.
import type { Provider } from "@/lib/api";

type Health = Provider["health"];

/** "0.5%", "<0.1%", "12%"; "—" before any request was counted. */
export function formatErrorRate(health: Pick<Health, "requests" | "error_rate">): string {
  if (health.requests === 0) return "—";
  const pct = health.error_rate * 100;
  if (pct === 0) return "0%";
  if (pct < 0.1) return "<0.1%";
  return (pct < 10 ? pct.toFixed(1) : pct.toFixed(0)) + "%";
}

/** "87.6 tok/s", "1,204 tok/s"; "—" until measured (older servers leave the field out). */
export function formatThroughput(tps: number | null | undefined): string {
  if (tps === null || tps === undefined) return "—";
  return (tps >= 100 ? Math.round(tps).toLocaleString("en-US") : tps.toFixed(1)) + " tok/s";
}
