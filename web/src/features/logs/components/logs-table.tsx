import { Zap } from "lucide-react";
import type { MouseEvent } from "react";
import type { Log } from "@/lib/api";
import { formatMs, formatNumber, formatRelative, formatUsd } from "@/lib/format";
import { Link, navigate } from "@/lib/router";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { exactTime } from "../data/time";
import { StatusBadge } from "./status-badge";

function Head() {
  return (
    <TableHeader>
      <TableRow className="hover:bg-transparent">
        <TableHead>Time</TableHead>
        <TableHead>Model</TableHead>
        <TableHead>Provider</TableHead>
        <TableHead>Key</TableHead>
        <TableHead className="text-right">Tokens</TableHead>
        <TableHead className="text-right">Cost</TableHead>
        <TableHead className="text-right">Latency</TableHead>
        <TableHead className="text-right">TTFT</TableHead>
        <TableHead>Status</TableHead>
        <TableHead>
          <span className="sr-only">Streamed</span>
        </TableHead>
      </TableRow>
    </TableHeader>
  );
}

/**
 * One row per request. The time is a real link to the request (keyboard and middle-click work);
 * a click anywhere else on the row goes there too.
 */
export function LogsTable({
  logs,
  keyName,
  providerName,
  now,
}: {
  logs: Log[];
  keyName: (id: number) => string;
  providerName: (id: string) => string;
  now: number;
}) {
  const open = (e: MouseEvent<HTMLTableRowElement>, id: string) => {
    if ((e.target as HTMLElement).closest("a, button") || window.getSelection()?.toString()) return;
    navigate("/logs/" + encodeURIComponent(id));
  };
  return (
    <Table>
      <Head />
      <TableBody>
        {logs.map((log) => (
          <TableRow key={log.id} className="cursor-pointer" onClick={(e) => open(e, log.id)} data-testid="log-row">
            <TableCell className="whitespace-nowrap">
              <Link
                to={"/logs/" + encodeURIComponent(log.id)}
                className="font-medium underline-offset-4 hover:underline focus-visible:underline"
                title={exactTime(log.created_at)}
                aria-label={`${formatRelative(log.created_at, now)}: ${log.model}, status ${log.status}`}
              >
                <time dateTime={log.created_at}>{formatRelative(log.created_at, now)}</time>
              </Link>
            </TableCell>
            <TableCell className="max-w-56 truncate font-mono text-xs" title={log.model}>
              {log.model}
            </TableCell>
            <TableCell className="whitespace-nowrap text-muted-foreground">{log.provider ? providerName(log.provider) : "—"}</TableCell>
            <TableCell className="max-w-40 truncate" title={keyName(log.key_id)}>
              {keyName(log.key_id)}
            </TableCell>
            <TableCell className="whitespace-nowrap text-right tabular-nums">
              {formatNumber(log.prompt_tokens)} <span className="text-muted-foreground">→</span> {formatNumber(log.completion_tokens)}
            </TableCell>
            <TableCell className="whitespace-nowrap text-right tabular-nums">{formatUsd(log.cost_micros, { precise: true })}</TableCell>
            <TableCell className="whitespace-nowrap text-right tabular-nums">{formatMs(log.latency_ms)}</TableCell>
            <TableCell className="whitespace-nowrap text-right tabular-nums text-muted-foreground">{formatMs(log.ttft_ms)}</TableCell>
            <TableCell>
              <StatusBadge status={log.status} />
            </TableCell>
            <TableCell className="w-8">
              {log.streamed ? (
                <span title="Streamed" className="inline-flex">
                  <Zap className="size-4 text-muted-foreground" aria-hidden />
                  <span className="sr-only">Streamed</span>
                </span>
              ) : (
                <span className="sr-only">Not streamed</span>
              )}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

export function LogsTableSkeleton({ rows = 8 }: { rows?: number }) {
  return (
    <Table aria-hidden>
      <Head />
      <TableBody>
        {Array.from({ length: rows }, (_, i) => (
          <TableRow key={i} className="hover:bg-transparent">
            {[20, 36, 16, 20, 20, 16, 12, 12, 10, 4].map((w, j) => (
              <TableCell key={j}>
                <Skeleton className="h-5" style={{ width: w * 4 }} />
              </TableCell>
            ))}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
