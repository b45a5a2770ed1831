// Date-range maths for the Activity page. The server keeps usage in whole UTC days, so every
// range here is a list of UTC days ("YYYY-MM-DD"), inclusive at both ends in the UI. The API's
// `to` is exclusive, so the request asks up to the start of the day after the last one.

import { param, readSearch, type SearchValues } from "@/lib/router";

export const DAY_MS = 86_400_000;

export type RangePreset = "7d" | "30d" | "90d";
export type RangeKind = RangePreset | "custom";
export type Metric = "spend" | "tokens" | "requests";
export type Breakdown = "total" | "model" | "key";

export const PRESET_DAYS: Record<RangePreset, number> = { "7d": 7, "30d": 30, "90d": 90 };
export const RANGE_OPTIONS: { value: RangeKind; label: string }[] = [
  { value: "7d", label: "7 days" },
  { value: "30d", label: "30 days" },
  { value: "90d", label: "90 days" },
  { value: "custom", label: "Custom" },
];
export const METRIC_OPTIONS: { value: Metric; label: string }[] = [
  { value: "spend", label: "Spend" },
  { value: "tokens", label: "Tokens" },
  { value: "requests", label: "Requests" },
];
export const BREAKDOWN_OPTIONS: { value: Breakdown; label: string }[] = [
  { value: "total", label: "Total" },
  { value: "model", label: "By model" },
  { value: "key", label: "By key" },
];

/** The longest custom range the page draws (two years of daily bars). */
export const MAX_RANGE_DAYS = 731;

export const DEFAULT_RANGE: RangeKind = "30d";
export const DEFAULT_METRIC: Metric = "spend";
// Per model, stacked, as OpenRouter's activity page opens; "Total" stays one click (and ?by=total) away.
export const DEFAULT_BREAKDOWN: Breakdown = "model";

/** A span of whole UTC days, both ends included. */
export type DayRange = { from: string; to: string };

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The UTC day of an instant: "2024-05-03". */
export function utcDay(ms: number): string {
  return new Date(Math.floor(ms / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
}

/** Milliseconds at the UTC midnight that starts `day`, or null if it is not a real date. */
export function parseDay(day: string): number | null {
  const m = DAY_RE.exec(day);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // Date.UTC rolls "2024-02-31" over into March; a real date survives the round trip.
  return utcDay(ms) === day ? ms : null;
}

export function addDays(day: string, n: number): string {
  const ms = parseDay(day);
  if (ms === null) throw new Error("Not a day: " + day);
  return utcDay(ms + n * DAY_MS);
}

/** Every day from `range.from` to `range.to`, both included, in order. */
export function daysIn(range: DayRange): string[] {
  const start = parseDay(range.from);
  const end = parseDay(range.to);
  if (start === null || end === null || end < start) return [];
  const days: string[] = [];
  for (let ms = start; ms <= end; ms += DAY_MS) days.push(utcDay(ms));
  return days;
}

/** The last `n` UTC days, today included. */
export function presetRange(preset: RangePreset, now: number): DayRange {
  const to = utcDay(now);
  return { from: addDays(to, -(PRESET_DAYS[preset] - 1)), to };
}

/** The query parameters for /api/activity: `from` at the first midnight, `to` (exclusive) at the midnight after the last day. */
export function apiRange(range: DayRange): { from: string; to: string } {
  return { from: range.from + "T00:00:00Z", to: addDays(range.to, 1) + "T00:00:00Z" };
}

export type ActivityView = {
  range: RangeKind;
  metric: Metric;
  breakdown: Breakdown;
  /** The days to show, or an explanation of why the custom range cannot be shown. */
  days: { ok: true; range: DayRange } | { ok: false; error: string; range: null };
  /** The custom range's inputs as typed (also filled for presets, to seed the inputs). */
  customFrom: string;
  customTo: string;
};

/**
 * The page's state in the query string: ?range=custom&from=2026-03-01&to=2026-03-07&metric=tokens&by=model.
 * The custom days are kept as typed, so a bad one can be explained rather than silently dropped.
 */
export const activitySearch = {
  range: param.oneOf(["7d", "30d", "90d", "custom"] as const, DEFAULT_RANGE),
  metric: param.oneOf(["spend", "tokens", "requests"] as const, DEFAULT_METRIC),
  by: param.oneOf(["total", "model", "key"] as const, DEFAULT_BREAKDOWN),
  from: param.text(10),
  to: param.text(10),
};
export type ActivitySearch = SearchValues<typeof activitySearch>;

/** The page's view from its search parameters. */
export function viewOf(search: ActivitySearch, now: number): ActivityView {
  const { range, metric, by: breakdown } = search;
  if (range !== "custom") {
    const r = presetRange(range, now);
    return { range, metric, breakdown, days: { ok: true, range: r }, customFrom: r.from, customTo: r.to };
  }
  const fallback = presetRange("30d", now);
  const customFrom = search.from || fallback.from;
  const customTo = search.to || fallback.to;
  return { range, metric, breakdown, days: checkCustomRange(customFrom, customTo), customFrom, customTo };
}

/** Reads the page's state from the query string (`range`, `from`, `to`, `metric`, `by`). */
export function readView(params: URLSearchParams, now: number): ActivityView {
  return viewOf(readSearch(activitySearch, params), now);
}

export function checkCustomRange(from: string, to: string): ActivityView["days"] {
  const start = parseDay(from);
  const end = parseDay(to);
  if (start === null) return { ok: false, error: "Choose a start date.", range: null };
  if (end === null) return { ok: false, error: "Choose an end date.", range: null };
  if (end < start) return { ok: false, error: "The start date is after the end date.", range: null };
  if ((end - start) / DAY_MS + 1 > MAX_RANGE_DAYS) {
    return { ok: false, error: "Choose a range of at most two years.", range: null };
  }
  return { ok: true, range: { from, to } };
}

/** "May 3" for an axis tick (the day is a UTC day, so it is formatted in UTC). */
export function formatDayShort(day: string): string {
  const ms = parseDay(day);
  if (ms === null) return day;
  return new Date(ms).toLocaleDateString("en-US", { month: "short", day: "numeric", timeZone: "UTC" });
}

/** "Fri, May 3, 2024" for a tooltip. */
export function formatDayLong(day: string): string {
  const ms = parseDay(day);
  if (ms === null) return day;
  return new Date(ms).toLocaleDateString("en-US", { weekday: "short", month: "short", day: "numeric", year: "numeric", timeZone: "UTC" });
}

/** "May 1 – May 30, 2024" (UTC days). */
export function formatRange(range: DayRange): string {
  const a = parseDay(range.from);
  const b = parseDay(range.to);
  if (a === null || b === null) return "";
  const sameYear = new Date(a).getUTCFullYear() === new Date(b).getUTCFullYear();
  const opts: Intl.DateTimeFormatOptions = { month: "short", day: "numeric", timeZone: "UTC" };
  const left = new Date(a).toLocaleDateString("en-US", sameYear ? opts : { ...opts, year: "numeric" });
  const right = new Date(b).toLocaleDateString("en-US", { ...opts, year: "numeric" });
  return range.from === range.to ? right : `${left} – ${right}`;
}
