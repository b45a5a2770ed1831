import { formatNumber, formatTokens } from "@/lib/format";
import { formatUsd } from "@/lib/money";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { BreakdownRow } from "../data/series";

function Share({ share }: { share: number }) {
  const pct = share * 100;
  return (
    <div className="flex items-center justify-end gap-2 max-sm:justify-start">
      <div className="hidden h-1.5 w-16 overflow-hidden rounded-full bg-muted sm:block" aria-hidden>
        <div className="h-full rounded-full bg-primary" style={{ width: `${Math.min(100, pct)}%` }} />
      </div>
      <span className="w-12 text-right tabular-nums max-sm:w-auto max-sm:text-left">{pct > 0 && pct < 0.1 ? "<0.1" : pct.toFixed(1)}%</span>
    </div>
  );
}

// Phones: each row folds into the name on its own line and Requests, Spend and Share under it,
// each with its label, so no column scrolls out of view (tokens stay in the row's title).
const PHONE_CELL = "max-sm:p-0 max-sm:text-left max-sm:before:block max-sm:before:text-xs max-sm:before:text-muted-foreground max-sm:before:content-[attr(data-label)]";

/** Requests, tokens, spend and share of the chosen metric per model or key. */
export function BreakdownTable({ rows, nameLabel, shareLabel }: { rows: BreakdownRow[]; nameLabel: string; shareLabel: string }) {
  return (
    <Table className="max-sm:block">
      <TableHeader className="max-sm:sr-only">
        <TableRow className="hover:bg-transparent">
          <TableHead>{nameLabel}</TableHead>
          <TableHead className="text-right">Requests</TableHead>
          <TableHead className="text-right">Tokens</TableHead>
          <TableHead className="text-right">Spend</TableHead>
          <TableHead className="text-right" title={`Share of ${shareLabel.toLowerCase()}`}>
            Share
          </TableHead>
        </TableRow>
      </TableHeader>
      <TableBody className="max-sm:block">
        {rows.map((r) => (
          <TableRow
            key={r.id}
            data-testid="breakdown-row"
            className="max-sm:grid max-sm:grid-cols-3 max-sm:gap-x-3 max-sm:gap-y-1.5 max-sm:px-3 max-sm:py-3"
            title={`${r.name}: ${formatNumber(r.prompt_tokens)} prompt + ${formatNumber(r.completion_tokens)} completion tokens`}
          >
            <TableCell className="max-w-72 truncate font-medium max-sm:col-span-3 max-sm:max-w-none max-sm:p-0" title={r.name}>
              {r.name}
            </TableCell>
            <TableCell data-label="Requests" className={"text-right tabular-nums " + PHONE_CELL}>
              {formatNumber(r.requests)}
              {r.errors > 0 && (
                <span className="block text-xs text-destructive">
                  {formatNumber(r.errors)} {r.errors === 1 ? "error" : "errors"}
                </span>
              )}
            </TableCell>
            <TableCell className="text-right tabular-nums max-sm:hidden" title={`${formatNumber(r.prompt_tokens)} prompt + ${formatNumber(r.completion_tokens)} completion`}>
              {formatTokens(r.prompt_tokens + r.completion_tokens)}
              <span className="block text-xs text-muted-foreground whitespace-nowrap">
                {formatTokens(r.prompt_tokens)} → {formatTokens(r.completion_tokens)}
              </span>
            </TableCell>
            <TableCell data-label="Spend" className={"text-right tabular-nums " + PHONE_CELL} data-testid="breakdown-spend">
              {formatUsd(r.cost_micros)}
            </TableCell>
            <TableCell data-label="Share" className={PHONE_CELL} data-testid="breakdown-share">
              <Share share={r.share} />
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

export function BreakdownSkeleton() {
  return (
    <div className="grid gap-3 py-2" aria-hidden>
      {[0, 1, 2].map((i) => (
        <Skeleton key={i} className="h-9 w-full" />
      ))}
    </div>
  );
}
