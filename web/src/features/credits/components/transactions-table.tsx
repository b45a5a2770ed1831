import { ReceiptText, SearchX } from "lucide-react";
import type { Transaction } from "@/lib/api";
import { KIND_LABELS } from "../data/history";
import { formatDateTime } from "@/lib/format";
import { formatUsd, isWholeCents } from "@/lib/money";
import { cn } from "@/lib/utils";
import { Badge } from "@/components/ui/badge";
import { Link } from "@/components/ui/link";
import { Skeleton } from "@/components/ui/skeleton";
import { EmptyState } from "@/components/ui/states";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";

const KIND_VARIANT: Record<Transaction["kind"], "success" | "default" | "secondary" | "outline"> = {
  topup: "success",
  grant: "success",
  refund: "success",
  deduct: "secondary",
  request: "secondary",
};

const KIND_HINT: Record<Transaction["kind"], string> = {
  topup: "Credits you bought",
  grant: "Credits an admin added",
  deduct: "Credits an admin removed",
  request: "What a request made with your keys cost",
  refund: "Returned to your balance",
};

/** Sub-cent amounts keep their digits ("−$0.000420"), whole cents stay short ("$1.50"). */
function formatCents(micros: number): string {
  return formatUsd(micros, { precise: !isWholeCents(micros) });
}

/** Signed amount: "+$25.00", "−$0.000420"; a request that cost nothing reads "$0.00". */
function formatAmount(micros: number): string {
  const text = formatCents(micros);
  return micros > 0 ? "+" + text : text;
}

/**
 * One line per change to the balance; a request is one line of what it cost (while it runs, what
 * is held for it, marked "Running").
 */
export function TransactionsTable({ transactions, filtered = false }: { transactions: Transaction[]; filtered?: boolean }) {
  if (transactions.length === 0) {
    return filtered ? (
      <EmptyState icon={<SearchX />} title="Nothing matches these filters" description="Try another type, or widen the dates." />
    ) : (
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
              <time dateTime={t.created_at}>{formatDateTime(t.created_at, { zone: true })}</time>
            </TableCell>
            <TableCell className="max-sm:col-start-1 max-sm:row-start-1 max-sm:p-0">
              {t.running ? (
                <Badge variant="outline" title="Still running: the amount is held, and replaced by the cost when it finishes">
                  Running
                </Badge>
              ) : (
                <Badge variant={KIND_VARIANT[t.kind]} title={KIND_HINT[t.kind]}>
                  {KIND_LABELS[t.kind]}
                </Badge>
              )}
            </TableCell>
            <TableCell className="max-w-0 max-sm:col-span-2 max-sm:row-start-3 max-sm:max-w-none max-sm:p-0">
              <div className="flex min-w-0 flex-col gap-0.5">
                {t.note && (
                  <span className="truncate" title={t.note}>
                    {t.note}
                  </span>
                )}
                {t.kind === "request" && !t.running && t.amount_micros === 0 && (
                  <span className="truncate text-xs text-muted-foreground">No charge</span>
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
              {t.running && <span className="block text-xs font-normal text-muted-foreground">held</span>}
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
