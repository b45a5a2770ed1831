import { Zap } from "lucide-react";
import type { MouseEvent } from "react";
import type { Log } from "@/lib/api";
import { formatMs, formatNumber, formatRelative } from "@/lib/format";
import { formatUsdExact } from "@/lib/money";
import { navigate } from "@/lib/router";
import { Link } from "@/components/ui/link";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { exactTime } from "../data/format";
import { StatusBadge } from "./status-badge";

/** What the table and the phone list show: the requests, how to name their keys and providers, and "now" for relative times. */
type LogsProps = {
  logs: Log[];
  keyName: (id: number) => string;
  providerName: (id: string) => string;
  now: number;
};

/** Where a request's own page is. */
const logPath = (id: string) => "/logs/" + encodeURIComponent(id);

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
export function LogsTable({ logs, keyName, providerName, now }: LogsProps) {
  const open = (e: MouseEvent<HTMLTableRowElement>, id: string) => {
    if ((e.target as HTMLElement).closest("a, button") || window.getSelection()?.toString()) return;
    navigate(logPath(id));
  };
  return (
    <Table>
      <Head />
      <TableBody>
        {logs.map((log) => (
          <TableRow key={log.id} className="cursor-pointer" onClick={(e) => open(e, log.id)} data-testid="log-row">
            <TableCell className="whitespace-nowrap">
              <Link
                to={logPath(log.id)}
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
            <TableCell className="whitespace-nowrap text-right tabular-nums">{formatUsdExact(log.cost_micros)}</TableCell>
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

/** The same requests as a list of cards, for phone widths where ten columns do not fit. */
export function LogsList({ logs, keyName, providerName, now }: LogsProps) {
  return (
    <ul className="grid grid-cols-[minmax(0,1fr)] gap-2" aria-label="Requests">
      {logs.map((log) => (
        <li key={log.id} className="min-w-0">
          <Link
            to={logPath(log.id)}
            className="block rounded-lg border bg-card p-3 text-sm shadow-sm transition-colors hover:bg-accent/50"
            data-testid="log-card"
          >
            <span className="flex items-center justify-between gap-2">
              <span className="min-w-0 truncate font-mono text-xs font-medium">{log.model}</span>
              <StatusBadge status={log.status} />
            </span>
            <span className="mt-1 block truncate text-xs text-muted-foreground">
              <time dateTime={log.created_at} title={exactTime(log.created_at)}>
                {formatRelative(log.created_at, now)}
              </time>{" "}
              · {keyName(log.key_id)}
              {log.provider && <> · {providerName(log.provider)}</>}
            </span>
            <span className="mt-1.5 flex flex-wrap items-center gap-x-3 gap-y-1 text-xs tabular-nums">
              <span>
                {formatNumber(log.prompt_tokens)} → {formatNumber(log.completion_tokens)} tokens
              </span>
              <span>{formatUsdExact(log.cost_micros)}</span>
              <span>{formatMs(log.latency_ms)}</span>
              {log.streamed && (
                <span className="inline-flex items-center gap-1 text-muted-foreground">
                  <Zap className="size-3.5" aria-hidden />
                  Streamed
                </span>
              )}
            </span>
          </Link>
        </li>
      ))}
    </ul>
  );
}
