import { ReceiptText } from "lucide-react";
import type { Transaction } from "@/lib/api";
import { formatDateTime } from "@/lib/format";
import { formatUsd, isWholeCents } from "@/lib/money";
import { cn } from "@/lib/utils";
import { Badge } from "@/components/ui/badge";
import { Link } from "@/components/ui/link";
import { Skeleton } from "@/components/ui/skeleton";
import { EmptyState } from "@/components/ui/states";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";

const KIND_LABELS: Record<Transaction["kind"], string> = {
  topup: "Top-up",
  grant: "Grant",
  deduct: "Deduction",
  hold: "Hold",
  settle: "Charge",
  refund: "Refund",
};

const KIND_VARIANT: Record<Transaction["kind"], "success" | "default" | "secondary" | "outline"> = {
  topup: "success",
  grant: "success",
  refund: "success",
  deduct: "secondary",
  hold: "outline",
  settle: "secondary",
};

const KIND_HINT: Record<Transaction["kind"], string> = {
  topup: "Credits you bought",
  grant: "Credits an admin added",
  deduct: "Credits an admin removed",
  hold: "Reserved while a request runs",
  settle: "The final cost of a request, less its hold",
  refund: "Returned to your balance",
};

/** Sub-cent amounts keep their digits ("−$0.000420"), whole cents stay short ("$1.50"). */
function formatCents(micros: number): string {
  return formatUsd(micros, { precise: !isWholeCents(micros) });
}

/** Signed amount: "+$25.00", "−$0.000420". */
function formatAmount(micros: number): string {
  const text = formatCents(micros);
  return micros > 0 ? "+" + text : text;
}

/**
 * A settlement is "hold minus final cost"; with its hold among the entries shown the final cost
 * itself can be shown, which is what a person wants to know. `transactions` is every page loaded
 * so far, so a charge whose (older) hold is on the next page gains its final cost once that page
 * is loaded.
 */
function finalCosts(transactions: Transaction[]): Map<number, number> {
  const holds = new Map<string, number>();
  for (const t of transactions) if (t.kind === "hold" && t.request_id) holds.set(t.request_id, t.amount_micros);
  const costs = new Map<number, number>();
  for (const t of transactions) {
    if (t.kind !== "settle" || !t.request_id) continue;
    const hold = holds.get(t.request_id);
    if (hold !== undefined) costs.set(t.id, -(hold + t.amount_micros));
  }
  return costs;
}

export function TransactionsTable({ transactions }: { transactions: Transaction[] }) {
  const costs = finalCosts(transactions);
  if (transactions.length === 0) {
    return (
      <EmptyState
        icon={<ReceiptText />}
        title="No transactions yet"
        description="Top-ups, grants and the cost of each request appear here."
      />
    );
  }
  return (
    // Phones: each row folds into two lines (type and date on the left, amount on the right,
    // details below), so the amount never scrolls out of view.
    <Table className="max-sm:block sm:min-w-[32rem]">
      <TableHeader className="max-sm:sr-only">
        <TableRow className="hover:bg-transparent">
          <TableHead className="w-40">Date</TableHead>
          <TableHead className="w-28">Type</TableHead>
          <TableHead>Details</TableHead>
          <TableHead className="text-right">Amount</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody className="max-sm:block">
        {transactions.map((t) => (
          <TableRow
            key={t.id}
            className="max-sm:grid max-sm:grid-cols-[minmax(0,1fr)_auto] max-sm:gap-x-3 max-sm:gap-y-1 max-sm:px-3 max-sm:py-3"
          >
            <TableCell className="whitespace-nowrap text-muted-foreground max-sm:col-start-1 max-sm:row-start-2 max-sm:p-0 max-sm:text-xs">
              <time dateTime={t.created_at}>{formatDateTime(t.created_at)}</time>
            </TableCell>
            <TableCell className="max-sm:col-start-1 max-sm:row-start-1 max-sm:p-0">
              <Badge variant={KIND_VARIANT[t.kind]} title={KIND_HINT[t.kind]}>
                {KIND_LABELS[t.kind]}
              </Badge>
            </TableCell>
            <TableCell className="max-w-0 max-sm:col-span-2 max-sm:row-start-3 max-sm:max-w-none max-sm:p-0">
              <div className="flex min-w-0 flex-col gap-0.5">
                {t.note && (
                  <span className="truncate" title={t.note}>
                    {t.note}
                  </span>
                )}
                {costs.has(t.id) && (
                  <span className="truncate text-xs text-muted-foreground">
                    {costs.get(t.id) === 0
                      ? "No charge"
                      : `Final cost ${formatCents(costs.get(t.id)!)}`}
                  </span>
                )}
                {t.request_id && (
                  <Link
                    to={`/logs/${encodeURIComponent(t.request_id)}`}
                    className="truncate font-mono text-xs text-primary hover:underline"
                    title="Open this request in the logs"
                  >
                    {t.request_id}
                  </Link>
                )}
                {!t.note && !t.request_id && <span className="text-muted-foreground max-sm:hidden">—</span>}
              </div>
            </TableCell>
            <TableCell
              className={cn(
                "whitespace-nowrap text-right font-medium tabular-nums max-sm:col-start-2 max-sm:row-span-2 max-sm:row-start-1 max-sm:self-center max-sm:p-0",
                t.amount_micros > 0 && "text-success",
              )}
            >
              {formatAmount(t.amount_micros)}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

export function TransactionsSkeleton() {
  return (
    <div aria-busy="true" aria-label="Loading transactions" className="grid">
      {[0, 1, 2, 3, 4].map((i) => (
        <div key={i} className="flex h-[45px] items-center gap-4 border-b px-3 last:border-0">
          <Skeleton className="h-4 w-32" />
          <Skeleton className="h-5 w-16 rounded-full" />
          <Skeleton className="h-4 flex-1" />
          <Skeleton className="h-4 w-16" />
        </div>
      ))}
    </div>
  );
}
