import type { ReactNode } from "react";
import type { Endpoint, Model, Provider } from "@/lib/api";
import { formatContext, formatDateTime, formatMs, formatNumber, formatPricePerMillion, formatRelative } from "@/lib/format";
import { cn } from "@/lib/utils";
import { Badge } from "@/components/ui/badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { routingOrder } from "../data/filter-models";
import { formatErrorRate, formatThroughput } from "../data/health";

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

  return (
    <Table aria-label="Providers">
      <TableHeader>
        <TableRow className="hover:bg-transparent">
          <TableHead>Provider</TableHead>
          <TableHead className="text-right">Prompt $/M</TableHead>
          <TableHead className="text-right">Completion $/M</TableHead>
          {showCacheRead && <TableHead className="text-right">Cache read $/M</TableHead>}
          {showCacheWrite && <TableHead className="text-right">Cache write $/M</TableHead>}
          <TableHead className="text-right">Context</TableHead>
          <TableHead className="text-right">Max output</TableHead>
          <TableHead className="text-right">Latency</TableHead>
          <TableHead className="text-right">Throughput</TableHead>
          <TableHead className="text-right">Error rate</TableHead>
          <TableHead className="text-right">Requests</TableHead>
          <TableHead>Last failure</TableHead>
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
                  {e.available ? <Badge variant="success">Available</Badge> : <Badge variant="secondary">Unavailable</Badge>}
                  {lowest && <Badge>Lowest price</Badge>}
                </div>
                <p className="mt-0.5 font-mono text-xs text-muted-foreground">{e.upstream_model}</p>
              </TableCell>
              <TableCell className="text-right tabular-nums whitespace-nowrap">{price(e, e.prices.input)}</TableCell>
              <TableCell className="text-right tabular-nums whitespace-nowrap">{price(e, e.prices.output)}</TableCell>
              {showCacheRead && (
                <TableCell className="text-right tabular-nums whitespace-nowrap">
                  {e.prices.cache_read > 0 ? price(e, e.prices.cache_read) : <Muted>—</Muted>}
                </TableCell>
              )}
              {showCacheWrite && (
                <TableCell className="text-right tabular-nums whitespace-nowrap">
                  {e.prices.cache_write > 0 ? price(e, e.prices.cache_write) : <Muted>—</Muted>}
                </TableCell>
              )}
              <TableCell className="text-right tabular-nums whitespace-nowrap">{formatContext(e.context_length)}</TableCell>
              <TableCell className="text-right tabular-nums whitespace-nowrap">{formatContext(e.max_output)}</TableCell>
              <TableCell className="text-right tabular-nums whitespace-nowrap">{h ? formatMs(h.latency_ms) : <Muted>—</Muted>}</TableCell>
              <TableCell className="text-right tabular-nums whitespace-nowrap">{formatThroughput(h?.throughput_tps)}</TableCell>
              <TableCell
                className={cn(
                  "text-right tabular-nums whitespace-nowrap",
                  h && h.requests > 0 && h.error_rate >= 0.05 && "font-medium text-destructive",
                )}
              >
                {h ? formatErrorRate(h) : "—"}
              </TableCell>
              <TableCell className="text-right tabular-nums whitespace-nowrap">{h ? formatNumber(h.requests) : "—"}</TableCell>
              <TableCell className="whitespace-nowrap">
                {h?.last_failure_at ? (
                  <time dateTime={h.last_failure_at} title={formatDateTime(h.last_failure_at)}>
                    {formatRelative(h.last_failure_at)}
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
