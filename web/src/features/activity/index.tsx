import { LineChart } from "lucide-react";
import { useMemo, useState } from "react";
import { useSearch } from "@/lib/router";
import { cn } from "@/lib/utils";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { Skeleton } from "@/components/ui/skeleton";
import { exportFilename } from "@/lib/csv";
import { ExportButton, type CsvExport } from "@/components/ui/export-button";
import { GetStartedActions } from "@/components/ui/get-started-actions";
import { EmptyState, ErrorState } from "@/components/ui/states";
import { ActivityChart, CHART_HEIGHT, ChartLegend } from "./components/activity-chart";
import { BreakdownSkeleton, BreakdownTable } from "./components/breakdown-table";
import { CustomRange } from "./components/custom-range";
import { Segmented } from "./components/segmented";
import { TotalsCards, TotalsSkeleton } from "./components/totals";
import { activityCsv, fetchActivityRows } from "./data/export";
import { useActivityByDay, useActivityGrouped, useSeriesNamer } from "./data/queries";
import {
  BREAKDOWN_OPTIONS,
  daysIn,
  formatRange,
  METRIC_OPTIONS,
  RANGE_OPTIONS,
  activitySearch,
  viewOf,
  utcDay,
  type Breakdown,
  type DayRange,
  type Metric,
  type RangeKind,
} from "./data/range";
import { buildBreakdown, buildChart } from "./data/series";

const metricLabel: Record<Metric, string> = { spend: "Spend", tokens: "Tokens", requests: "Requests" };

export default function ActivityPage() {
  const [search, setSearch] = useSearch(activitySearch);
  const [now] = useState(() => Date.now());
  const view = viewOf(search, now);
  const range = view.days.ok ? view.days.range : null;
  const split = view.breakdown === "total" ? null : view.breakdown;
  const tableBy = view.breakdown === "key" ? "key" : "model";

  const byDay = useActivityByDay(range, split);
  const grouped = useActivityGrouped(range, tableBy);
  const nameSeries = useSeriesNamer(split ?? "model");
  const nameRow = useSeriesNamer(tableBy);

  const from = range?.from;
  const to = range?.to;
  const days = useMemo(() => (from && to ? daysIn({ from, to }) : []), [from, to]);
  const chart = useMemo(
    () => buildChart(byDay.data?.buckets ?? [], days, view.metric, { split: split !== null, nameOf: nameSeries, totalName: metricLabel[view.metric] }),
    [byDay.data, days, view.metric, split, nameSeries],
  );
  const rows = useMemo(() => buildBreakdown(grouped.data?.buckets ?? [], view.metric, nameRow), [grouped.data, view.metric, nameRow]);

  const setRange = (r: RangeKind) => {
    if (r === "custom") {
      setSearch({ range: "custom", from: view.customFrom, to: view.customTo });
    } else {
      setSearch({ range: r, from: "", to: "" });
    }
  };
  const buildExport = async (): Promise<CsvExport> => {
    const by = tableBy;
    const buckets = await fetchActivityRows(range!, by);
    return { filename: exportFilename(`activity-${range!.from}-to-${range!.to}`), csv: activityCsv(buckets, by, nameRow) };
  };
  const setMetric = (m: Metric) => setSearch({ metric: m });
  const setBreakdown = (b: Breakdown) => setSearch({ by: b });

  return (
    <>
      <PageHeader
        title="Activity"
        description="What your API keys spent, per day. Days are in UTC; the view stays in the address, so it can be shared."
        actions={range && <ExportButton build={buildExport} />}
      />
      <div className="mb-6 grid gap-3">
        <div className="flex flex-wrap items-center gap-3">
          <Segmented label="Date range" value={view.range} options={RANGE_OPTIONS} onChange={setRange} />
          <div className="flex flex-wrap gap-3 xl:ml-auto">
            <Segmented label="Metric" value={view.metric} options={METRIC_OPTIONS} onChange={setMetric} />
            <Segmented label="Breakdown" value={view.breakdown} options={BREAKDOWN_OPTIONS} onChange={setBreakdown} />
          </div>
        </div>
        {view.range === "custom" && (
          <CustomRange from={view.customFrom} to={view.customTo} max={utcDay(now)} onChange={(r) => setSearch({ from: r.from, to: r.to })} />
        )}
      </div>

      {!view.days.ok ? (
        <EmptyState icon={<LineChart />} title="Choose a date range" description={view.days.error} />
      ) : byDay.isError ? (
        <ErrorState error={byDay.error} onRetry={() => byDay.refetch()} title="Your activity could not be loaded" />
      ) : !byDay.data ? (
        <LoadingBody />
      ) : byDay.data.totals.requests === 0 ? (
        <NoUsage range={range!} />
      ) : (
        <div className={cn("grid grid-cols-[minmax(0,1fr)] gap-6 transition-opacity", byDay.isPlaceholderData && "opacity-60")} aria-busy={byDay.isFetching || undefined}>
          <TotalsCards totals={byDay.data.totals} days={days.length} />
          <Card>
            <CardHeader className="gap-3 sm:flex-row sm:items-start sm:justify-between">
              <div className="grid gap-1">
                <CardTitle>{metricLabel[view.metric]} per day</CardTitle>
                <CardDescription>{formatRange(range!)} (UTC)</CardDescription>
              </div>
            </CardHeader>
            <CardContent className="grid gap-4">
              {split && <ChartLegend series={chart.series} metric={view.metric} />}
              <figure className="m-0">
                <ActivityChart data={chart} metric={view.metric} />
                <figcaption className="sr-only">
                  {metricLabel[view.metric]} per day from {formatRange(range!)}. The table below lists the totals per {tableBy}.
                </figcaption>
              </figure>
            </CardContent>
          </Card>
          <Card>
            <CardHeader>
              <CardTitle>{tableBy === "key" ? "By key" : "By model"}</CardTitle>
              <CardDescription>Share of {metricLabel[view.metric].toLowerCase()} over the whole range.</CardDescription>
            </CardHeader>
            <CardContent className="px-2 sm:px-5">
              {grouped.isError ? (
                <ErrorState error={grouped.error} onRetry={() => grouped.refetch()} title="The breakdown could not be loaded" />
              ) : !grouped.data ? (
                <BreakdownSkeleton />
              ) : (
                <BreakdownTable rows={rows} nameLabel={tableBy === "key" ? "Key" : "Model"} shareLabel={metricLabel[view.metric]} />
              )}
            </CardContent>
          </Card>
        </div>
      )}
    </>
  );
}

function LoadingBody() {
  return (
    <div className="grid grid-cols-[minmax(0,1fr)] gap-6" aria-busy="true" aria-label="Loading activity">
      <TotalsSkeleton />
      <Card>
        <CardHeader>
          <Skeleton className="h-4 w-32" />
          <Skeleton className="h-5 w-48" />
        </CardHeader>
        <CardContent>
          <Skeleton style={{ height: CHART_HEIGHT }} className="w-full" />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <Skeleton className="h-4 w-24" />
        </CardHeader>
        <CardContent>
          <BreakdownSkeleton />
        </CardContent>
      </Card>
    </div>
  );
}

function NoUsage({ range }: { range: DayRange }) {
  return (
    <EmptyState
      icon={<LineChart />}
      title="No requests in this period"
      description={`Nothing was sent with your API keys ${range.from === range.to ? "on" : "between"} ${formatRange(range).replace(" – ", " and ")}. Try a model in the playground, or create a key and point your app at Turnpike.`}
      action={<GetStartedActions />}
    />
  );
}
