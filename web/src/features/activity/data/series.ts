// Turns /api/activity buckets into what the chart and the breakdown table draw. Pure, so the
// zero-filling and the top-5 + "Other" grouping are tested on their own.
import type { ActivityBucket } from "@/lib/api";
import { formatNumber } from "@/lib/format";
import { formatUsd, formatUsdAxisTick } from "@/lib/money";
import type { Metric } from "./range";

/** How many series get their own colour before the rest are summed into "Other". */
export const TOP_SERIES = 5;
export const OTHER_ID = "__other__";

export type ChartSeries = {
  /** The row field holding this series' values ("s0", "s1", …; model ids contain dots, which chart libraries read as paths). */
  key: `s${number}`;
  /** The model id or key id, or OTHER_ID. */
  id: string;
  name: string;
  color: string;
  /** The series' sum over the range, in the metric's unit. */
  total: number;
};

export type ChartRow = { day: string; total: number } & { [key: `s${number}`]: number };

export type ChartData = { rows: ChartRow[]; series: ChartSeries[] };

type Counts = Pick<ActivityBucket, "requests" | "prompt_tokens" | "completion_tokens" | "cost_micros">;

/** A bucket's value for the metric: micro-USD for spend, a count otherwise. */
export function metricValue(b: Counts, metric: Metric): number {
  switch (metric) {
    case "spend":
      return b.cost_micros;
    case "tokens":
      return b.prompt_tokens + b.completion_tokens;
    case "requests":
      return b.requests;
  }
}

export function seriesColor(index: number): string {
  return `var(--chart-${Math.min(index, 5) + 1})`;
}

/**
 * One row per day of `days` (days without usage are zeros, so the time axis is continuous).
 * With `split`, buckets carry a `series` (model or key id): the biggest TOP_SERIES series over the
 * range keep their own bar and the rest are summed into "Other" (a single leftover keeps its own
 * name). Series that add up to nothing for this metric are left out. Without `split` there is one
 * series named `totalName`.
 */
export function buildChart(
  buckets: readonly ActivityBucket[],
  days: readonly string[],
  metric: Metric,
  opts: { split: boolean; nameOf: (id: string) => string; totalName: string },
): ChartData {
  const dayIndex = new Map(days.map((d, i) => [d, i]));
  const rows: ChartRow[] = days.map((day) => ({ day, total: 0 }));

  // Sum per series over the range, to rank them.
  const sums = new Map<string, { value: number; requests: number }>();
  const split = opts.split && buckets.some((b) => b.series !== undefined);
  for (const b of buckets) {
    if (!dayIndex.has(b.group)) continue;
    const id = split ? (b.series ?? "") : "";
    const s = sums.get(id) ?? { value: 0, requests: 0 };
    s.value += metricValue(b, metric);
    s.requests += b.requests;
    sums.set(id, s);
  }

  let series: ChartSeries[];
  const keyOf = new Map<string, ChartSeries["key"]>();
  if (!split) {
    series = [{ key: "s0", id: "", name: opts.totalName, color: seriesColor(0), total: sums.get("")?.value ?? 0 }];
    keyOf.set("", "s0");
  } else {
    const ranked = [...sums.entries()]
      .filter(([, s]) => s.value > 0)
      .sort((a, b) => b[1].value - a[1].value || b[1].requests - a[1].requests || a[0].localeCompare(b[0]));
    const own = ranked.length <= TOP_SERIES + 1 ? ranked : ranked.slice(0, TOP_SERIES);
    series = own.map(([id, s], i) => ({ key: `s${i}`, id, name: opts.nameOf(id), color: seriesColor(i), total: s.value }));
    for (const s of series) keyOf.set(s.id, s.key);
    const rest = ranked.slice(own.length);
    if (rest.length > 0) {
      const other: ChartSeries = {
        key: `s${series.length}`,
        id: OTHER_ID,
        name: `Other (${rest.length})`,
        color: seriesColor(series.length),
        total: rest.reduce((n, [, s]) => n + s.value, 0),
      };
      for (const [id] of rest) keyOf.set(id, other.key);
      series.push(other);
    }
    if (series.length === 0) {
      series = [{ key: "s0", id: "", name: opts.totalName, color: seriesColor(0), total: 0 }];
    }
  }

  for (const row of rows) for (const s of series) row[s.key] = 0;
  for (const b of buckets) {
    const i = dayIndex.get(b.group);
    if (i === undefined) continue;
    const key = keyOf.get(split ? (b.series ?? "") : "");
    if (key === undefined) continue;
    const v = metricValue(b, metric);
    const row = rows[i]!;
    row[key] = (row[key] ?? 0) + v;
    row.total += v;
  }
  return { rows, series };
}

export type BreakdownRow = {
  id: string;
  name: string;
  requests: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost_micros: number;
  /** This row's part of the metric over all rows, 0..1. */
  share: number;
};

/** The rows of the breakdown table (buckets grouped by model or key), biggest first for the metric. */
export function buildBreakdown(buckets: readonly ActivityBucket[], metric: Metric, nameOf: (id: string) => string): BreakdownRow[] {
  const total = buckets.reduce((n, b) => n + metricValue(b, metric), 0);
  return buckets
    .filter((b) => b.requests > 0 || b.cost_micros > 0)
    .map((b) => ({
      id: b.group,
      name: nameOf(b.group),
      requests: b.requests,
      errors: b.errors,
      prompt_tokens: b.prompt_tokens,
      completion_tokens: b.completion_tokens,
      cost_micros: b.cost_micros,
      share: total > 0 ? metricValue(b, metric) / total : 0,
    }))
    .sort((a, b) => b.share - a.share || b.requests - a.requests || a.name.localeCompare(b.name));
}

const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

/** A value of the metric for an axis tick: "$1.2K", "$0.05", "$0.0004", "12K". */
export function formatAxisValue(metric: Metric, value: number): string {
  return metric === "spend" ? formatUsdAxisTick(value) : compact.format(value);
}

/** A value of the metric for people: "$0.000123", "12,345 tokens", "1 request". */
export function formatMetricValue(metric: Metric, value: number): string {
  switch (metric) {
    case "spend":
      return formatUsd(value);
    case "tokens":
      return formatNumber(value) + (value === 1 ? " token" : " tokens");
    case "requests":
      return formatNumber(value) + (value === 1 ? " request" : " requests");
  }
}
