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

/** A compact "how long ago": "just now", "49s ago", "3m ago", "5h ago", "2d ago", then the date. */
export function formatAgo(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (seconds < 10) return "just now";
  if (seconds < 60) return `${seconds}s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ago`;
  const days = Math.floor(hours / 24);
  if (days < 30) return `${days}d ago`;
  return new Date(iso).toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
}
