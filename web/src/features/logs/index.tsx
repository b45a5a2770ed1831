import { ChevronLeft, ChevronRight, ScrollText, SearchX } from "lucide-react";
import { useMemo, useState } from "react";
import { useKeyNames } from "@/hooks/use-key-names";
import { useNow } from "@/hooks/use-now";
import { useSearch } from "@/lib/router";
import { cn } from "@/lib/utils";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { Skeleton } from "@/components/ui/skeleton";
import { exportFilename } from "@/lib/csv";
import { ExportButton, type CsvExport } from "@/components/ui/export-button";
import { GetStartedActions } from "@/components/ui/get-started-actions";
import { EmptyState, ErrorState } from "@/components/ui/states";
import { LogFiltersBar } from "./components/log-filters";
import { LogsList, LogsTable, LogsTableSkeleton } from "./components/logs-table";
import { fetchAllLogs, logsCsv } from "./data/export";
import { currentCursor, hasFilters, logSearch, newerPage, olderPage, toQuery, type Pager } from "./data/filters";
import { useCatalogNames, useLogs } from "./data/queries";

export default function LogsPage() {
  const [filters, setFilters] = useSearch(logSearch);
  const query = toQuery(filters);
  const filterKey = JSON.stringify(query);

  // The pages walked through (newest first); back to the first page whenever the filters change.
  const [pager, setPager] = useState<{ filterKey: string } & Pager>({ filterKey, stack: [] });
  const current: Pager = pager.filterKey === filterKey ? pager : { stack: [] };
  const cursor = currentCursor(current);
  const page = current.stack.length;

  const logs = useLogs(query, cursor);
  const openedAt = useNow();
  const keys = useKeyNames();
  const catalog = useCatalogNames();
  // Relative times count from when the page was fetched (from now, until it has been).
  const now = logs.dataUpdatedAt || openedAt;

  const models = useMemo(
    () => [...new Set([...(logs.data?.logs ?? []).map((l) => l.model), ...catalog.modelIds])].sort(),
    [logs.data, catalog.modelIds],
  );
  const filtered = hasFilters(filters);

  const clear = () => setFilters({ key: "", model: "", status: "", from: "", to: "" });
  const buildExport = async (): Promise<CsvExport> => {
    const { logs: rows, truncated } = await fetchAllLogs(query);
    return {
      filename: exportFilename("logs"),
      csv: logsCsv(rows, keys.name),
      truncatedNote: truncated ? `Exported the newest ${rows.length.toLocaleString("en-US")} requests; narrow the filters for older ones.` : undefined,
    };
  };

  return (
    <>
      <PageHeader
        title="Logs"
        description="Every request made with your API keys, newest first. Filters stay in the address, so a view can be shared."
        actions={<ExportButton build={buildExport} />}
      />
      <Card className="mb-4 p-4">
        <LogFiltersBar filters={filters} keys={keys.keys} models={models} onChange={setFilters} />
      </Card>

      {logs.isError && !logs.data ? (
        <ErrorState error={logs.error} onRetry={() => logs.refetch()} title="The log could not be loaded" />
      ) : !logs.data ? (
        <div aria-busy="true" aria-label="Loading requests">
          <Card className="hidden overflow-hidden md:block">
            <LogsTableSkeleton />
          </Card>
          <div className="grid gap-2 md:hidden">
            {Array.from({ length: 6 }, (_, i) => (
              <Skeleton key={i} className="h-[86px] rounded-lg" />
            ))}
          </div>
        </div>
      ) : logs.data.logs.length === 0 && page === 0 ? (
        filtered ? (
          <EmptyState
            icon={<SearchX />}
            title="No requests match these filters"
            description="Try another key, model or status, or widen the dates."
            action={
              <Button variant="outline" onClick={clear}>
                Clear filters
              </Button>
            }
          />
        ) : (
          <EmptyState
            icon={<ScrollText />}
            title="No requests yet"
            description="Requests made with your API keys show up here within seconds, with their tokens, cost and timing."
            action={<GetStartedActions />}
          />
        )
      ) : (
        <>
          <div className={cn("transition-opacity", logs.isPlaceholderData && "opacity-60")} aria-busy={logs.isFetching || undefined}>
            {logs.data.logs.length === 0 ? (
              <Card className="px-4 py-10 text-center text-sm text-muted-foreground">No older requests.</Card>
            ) : (
              <>
                <Card className="hidden overflow-hidden md:block">
                  <LogsTable logs={logs.data.logs} keyName={keys.name} providerName={catalog.providerName} now={now} />
                </Card>
                <div className="md:hidden">
                  <LogsList logs={logs.data.logs} keyName={keys.name} providerName={catalog.providerName} now={now} />
                </div>
              </>
            )}
          </div>
          <nav aria-label="Pages" className="mt-4 flex flex-wrap items-center justify-between gap-3">
            <p className="text-sm text-muted-foreground" aria-live="polite">
              {page === 0 ? "Newest requests · refreshes every 10 seconds" : `Page ${page + 1}`}
              {logs.isError && <span className="text-destructive"> · could not refresh</span>}
            </p>
            <div className="flex gap-2">
              <Button
                variant="outline"
                size="sm"
                disabled={page === 0}
                onClick={() => setPager({ filterKey, ...newerPage(current) })}
              >
                <ChevronLeft />
                Newer
              </Button>
              <Button
                variant="outline"
                size="sm"
                disabled={!logs.data.next_cursor || logs.isPlaceholderData}
                onClick={() => logs.data?.next_cursor && setPager({ filterKey, ...olderPage(current, logs.data.next_cursor) })}
              >
                Older
                <ChevronRight />
              </Button>
            </div>
          </nav>
        </>
      )}
    </>
  );
}
