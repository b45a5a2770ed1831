// Local calendar days ("YYYY-MM-DD", as <input type="date"> gives them) turned into instants.
import { isDay } from "./router";

/** The local midnight that starts `day`, or null when it is not a real day. */
export function localDayStart(day: string): Date | null {
  if (!isDay(day)) return null;
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return new Date(y, m - 1, d);
}

/**
 * The API's [from, to) for local days, both included: from the midnight starting `from` to the
 * midnight after `to`. An empty or unreal day leaves its end open.
 */
export function localDaysWindow(from: string, to: string): { from?: string; to?: string } {
  const out: { from?: string; to?: string } = {};
  const start = localDayStart(from);
  if (start) out.from = start.toISOString();
  const end = localDayStart(to);
  if (end) out.to = new Date(end.getFullYear(), end.getMonth(), end.getDate() + 1).toISOString();
  return out;
}
