// The only module that imports recharts, so the library ships in the Activity page's chunk.
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis, type TooltipContentProps } from "recharts";
import { formatDayLong, formatDayShort, type Metric } from "../data/range";
import { formatAxisValue, formatMetricValue, type ChartData, type ChartRow, type ChartSeries } from "../data/series";

export const CHART_HEIGHT = 288;

function ChartTooltip({ active, label, rows, series, metric }: { active: boolean; label: string | number | undefined; rows: Map<string, ChartRow>; series: ChartSeries[]; metric: Metric }) {
  const row = typeof label === "string" ? rows.get(label) : undefined;
  if (!active || !row) return null;
  const split = series.length > 1 || series[0]?.id !== "";
  const shown = split ? series.filter((s) => (row[s.key] ?? 0) > 0) : series;
  return (
    <div className="min-w-44 rounded-md border bg-popover px-3 py-2 text-xs text-popover-foreground shadow-md">
      <p className="mb-1.5 font-medium">{formatDayLong(row.day)}</p>
      <ul className="grid gap-1">
        {shown.map((s) => (
          <li key={s.key} className="flex items-center gap-2">
            <span className="size-2.5 shrink-0 rounded-sm" style={{ background: s.color }} aria-hidden />
            {split && <span className="max-w-48 truncate text-muted-foreground">{s.name}</span>}
            <span className={split ? "ml-auto pl-3 font-medium tabular-nums" : "font-medium tabular-nums"}>{formatMetricValue(metric, row[s.key] ?? 0)}</span>
          </li>
        ))}
      </ul>
      {split && (
        <p className="mt-1.5 flex justify-between border-t pt-1.5 font-medium">
          <span>Total</span>
          <span className="tabular-nums">{formatMetricValue(metric, row.total)}</span>
        </p>
      )}
    </div>
  );
}

/** Daily bars, stacked per series when there is a breakdown. */
export function ActivityChart({ data, metric }: { data: ChartData; metric: Metric }) {
  const byDay = new Map(data.rows.map((r) => [r.day, r]));
  const single = data.series.length === 1;
  return (
    <div style={{ height: CHART_HEIGHT }} className="w-full">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data.rows} margin={{ top: 8, right: 4, bottom: 0, left: 0 }} barCategoryGap="20%">
          <CartesianGrid vertical={false} stroke="var(--border)" />
          <XAxis
            dataKey="day"
            tickFormatter={formatDayShort}
            tick={{ fill: "var(--muted-foreground)", fontSize: 12 }}
            tickLine={false}
            axisLine={{ stroke: "var(--border)" }}
            minTickGap={20}
            interval="preserveStartEnd"
          />
          <YAxis
            tickFormatter={(v: number) => formatAxisValue(metric, v)}
            tick={{ fill: "var(--muted-foreground)", fontSize: 12 }}
            tickLine={false}
            axisLine={false}
            width={64}
            allowDecimals={metric === "spend"}
          />
          <Tooltip
            cursor={{ fill: "var(--muted)", fillOpacity: 0.7, stroke: "none" }}
            isAnimationActive={false}
            content={(props: TooltipContentProps) => (
              <ChartTooltip active={props.active} label={props.label} rows={byDay} series={data.series} metric={metric} />
            )}
          />
          {data.series.map((s, i) => (
            <Bar
              key={s.key}
              dataKey={s.key}
              name={s.name}
              stackId="usage"
              fill={s.color}
              maxBarSize={40}
              radius={single || i === data.series.length - 1 ? [3, 3, 0, 0] : 0}
              isAnimationActive={false}
            />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

/** The series' colours and totals, above the chart when there is a breakdown. */
export function ChartLegend({ series, metric }: { series: ChartSeries[]; metric: Metric }) {
  return (
    <ul className="flex flex-wrap gap-x-4 gap-y-1.5 text-xs" aria-label="Series">
      {series.map((s) => (
        <li key={s.key} className="flex min-w-0 items-center gap-1.5">
          <span className="size-2.5 shrink-0 rounded-sm" style={{ background: s.color }} aria-hidden />
          <span className="max-w-56 truncate" title={s.name}>
            {s.name}
          </span>
          <span className="tabular-nums text-muted-foreground">{formatMetricValue(metric, s.total)}</span>
        </li>
      ))}
    </ul>
  );
}
