import type { ReactNode } from "react";
import type { Endpoint, Model, Provider } from "@/lib/api";
import { formatContext, formatDateTime, formatMs, formatNumber } from "@/lib/format";
import { formatPricePerMillion } from "@/lib/money";
import { cn } from "@/lib/utils";
import { Badge } from "@/components/ui/badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { routingOrder } from "../data/filter-models";
import { formatAgo, formatErrorRate, formatThroughput } from "../data/health";

const Muted = ({ children }: { children: ReactNode }) => <span className="text-muted-foreground">{children}</span>;

/**
 * The providers serving a model, in the order the gateway tries them: the cheapest available one
 * first (marked "Lowest price"), the rest as fallbacks.
 */
export function ProvidersTable({ model, providers }: { model: Model; providers: Provider[] }) {
  const byId = new Map(providers.map((p) => [p.id, p]));
  const endpoints = routingOrder(model.endpoints);
  const showCacheRead = endpoints.some((e) => e.prices.cache_read > 0);
  const showCacheWrite = endpoints.some((e) => e.prices.cache_write > 0);
  const price = (e: Endpoint, micros: number) => <span className={cn(!e.available && "text-muted-foreground")}>{formatPricePerMillion(micros)}</span>;

  const num = "text-right tabular-nums whitespace-nowrap";
  // Two-word headers wrap so the numbers under them set the column width.
  const wrapHead = "h-auto py-2 text-right leading-4 whitespace-normal";
  const group = "h-8 border-b-0 pb-0 text-[11px] normal-case tracking-normal";
  const priceCols = 2 + (showCacheRead ? 1 : 0) + (showCacheWrite ? 1 : 0);

  return (
    <Table aria-label="Providers" className="[&_td]:px-2 [&_th]:px-2 [&_td:first-child]:pl-3 [&_th:first-child]:pl-3 [&_td:last-child]:pr-3 [&_th:last-child]:pr-3">
      <TableHeader>
        <TableRow className="border-b-0 hover:bg-transparent">
          <TableHead className={group}>
            <span className="sr-only">Provider</span>
          </TableHead>
          <TableHead colSpan={priceCols} scope="colgroup" className={cn(group, "text-center")}>
            <span className="block border-b pb-1">USD per 1M tokens</span>
          </TableHead>
          <TableHead colSpan={2} scope="colgroup" className={cn(group, "text-center")}>
            <span className="block border-b pb-1">Limits (tokens)</span>
          </TableHead>
          <TableHead colSpan={4} scope="colgroup" className={cn(group, "text-center")}>
            <span className="block border-b pb-1">Live health</span>
          </TableHead>
        </TableRow>
        <TableRow className="hover:bg-transparent">
          <TableHead>Provider</TableHead>
          <TableHead className="text-right">Prompt</TableHead>
          <TableHead className="text-right">Completion</TableHead>
          {showCacheRead && <TableHead className={wrapHead}>Cache read</TableHead>}
          {showCacheWrite && <TableHead className={wrapHead}>Cache write</TableHead>}
          <TableHead className="text-right">Context</TableHead>
          <TableHead className={wrapHead}>Max output</TableHead>
          <TableHead className="text-right">Latency</TableHead>
          <TableHead className="text-right">Throughput</TableHead>
          <TableHead className="text-right">Errors</TableHead>
          <TableHead className="h-auto py-2 leading-4 whitespace-normal">Last failure</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {endpoints.map((e, i) => {
          const p = byId.get(e.provider);
          const h = p?.health;
          const lowest = i === 0 && e.available;
          return (
            <TableRow key={e.provider}>
              <TableCell className="min-w-44">
                <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
                  <span className="font-medium">{p?.name ?? e.provider}</span>
                  {lowest && <Badge>Lowest price</Badge>}
                </div>
                <div className="mt-1 flex flex-wrap items-center gap-x-2 gap-y-1">
                  {e.available ? <Badge variant="success">Available</Badge> : <Badge variant="secondary">Unavailable</Badge>}
                  <span className="font-mono text-xs text-muted-foreground" title="The model name sent to the provider">
                    {e.upstream_model}
                  </span>
                </div>
              </TableCell>
              <TableCell className={num}>{price(e, e.prices.input)}</TableCell>
              <TableCell className={num}>{price(e, e.prices.output)}</TableCell>
              {showCacheRead && (
                <TableCell className={num}>{e.prices.cache_read > 0 ? price(e, e.prices.cache_read) : <Muted>—</Muted>}</TableCell>
              )}
              {showCacheWrite && (
                <TableCell className={num}>{e.prices.cache_write > 0 ? price(e, e.prices.cache_write) : <Muted>—</Muted>}</TableCell>
              )}
              <TableCell className={num} title={formatNumber(e.context_length) + " tokens"}>
                {formatContext(e.context_length)}
              </TableCell>
              <TableCell className={num} title={formatNumber(e.max_output) + " tokens"}>
                {formatContext(e.max_output)}
              </TableCell>
              <TableCell className={num}>{h ? formatMs(h.latency_ms) : <Muted>—</Muted>}</TableCell>
              <TableCell className={num}>{formatThroughput(h?.throughput_tps)}</TableCell>
              <TableCell className={num}>
                {h && h.requests > 0 ? (
                  <>
                    <span className={cn(h.error_rate >= 0.05 && "font-medium text-destructive")}>{formatErrorRate(h)}</span>
                    <span className="block text-xs text-muted-foreground">
                      of {formatNumber(h.requests)} {h.requests === 1 ? "request" : "requests"}
                    </span>
                  </>
                ) : (
                  <span className="text-muted-foreground" title="No requests yet">
                    —
                  </span>
                )}
              </TableCell>
              <TableCell className="whitespace-nowrap">
                {h?.last_failure_at ? (
                  <time dateTime={h.last_failure_at} title={formatDateTime(h.last_failure_at)}>
                    {formatAgo(h.last_failure_at)}
                  </time>
                ) : (
                  <Muted>Never</Muted>
                )}
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
