import { ArrowDownLeft, ArrowUpRight, Wallet } from "lucide-react";
import type { ReactNode } from "react";
import type { Schemas } from "@/lib/api";
import { formatUsd } from "@/lib/money";
import { cn } from "@/lib/utils";
import { Card } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";

function Stat({
  label,
  value,
  hint,
  icon,
  testId,
  emphasis,
}: {
  label: string;
  value: string | null;
  hint: string;
  icon: ReactNode;
  testId?: string;
  emphasis?: boolean;
}) {
  return (
    <Card className={cn("min-w-0 p-4 sm:p-5", emphasis && "col-span-2 border-primary/30 bg-primary/[0.03] sm:col-span-1 lg:col-span-2")}>
      <div className="flex items-center justify-between gap-2 text-sm text-muted-foreground">
        <span>{label}</span>
        <span className="text-muted-foreground [&_svg]:size-4" aria-hidden>
          {icon}
        </span>
      </div>
      {value === null ? (
        <Skeleton className={cn("mt-2", emphasis ? "h-9 w-36" : "h-7 w-24 sm:h-8 sm:w-28")} />
      ) : (
        <p data-testid={testId} className={cn("mt-2 font-semibold tabular-nums tracking-tight", emphasis ? "text-3xl" : "text-xl sm:text-2xl")}>
          {value}
        </p>
      )}
      <p className="mt-1 text-xs text-muted-foreground">{hint}</p>
    </Card>
  );
}

export function BalanceCards({ balances }: { balances: Schemas["Balances"] | undefined }) {
  return (
    <div className="grid grid-cols-2 gap-4 sm:grid-cols-3 lg:grid-cols-2">
      <Stat
        label="Balance"
        value={balances ? formatUsd(balances.balance_micros) : null}
        hint="Available for requests now"
        icon={<Wallet />}
        testId="credit-balance"
        emphasis
      />
      <Stat
        label="Total credited"
        value={balances ? formatUsd(balances.total_credited_micros) : null}
        hint="Top-ups and grants"
        icon={<ArrowDownLeft />}
      />
      <Stat
        label="Total spent"
        value={balances ? formatUsd(balances.total_spent_micros) : null}
        hint="Requests, including ones in flight"
        icon={<ArrowUpRight />}
      />
    </div>
  );
}
