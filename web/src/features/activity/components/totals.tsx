import type { ReactNode } from "react";
import type { ActivityTotals } from "@/lib/api";
import { formatNumber, formatTokens } from "@/lib/format";
import { formatUsd } from "@/lib/money";
import { cn } from "@/lib/utils";
import { Card } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";

function Stat({ label, value, title, sub, testId, tone }: { label: string; value: ReactNode; title?: string; sub: ReactNode; testId?: string; tone?: "destructive" }) {
  return (
    <Card className="p-4 sm:p-5">
      <p className="text-sm text-muted-foreground">{label}</p>
      <p
        // Never cut: a small amount ("$0.000412") wraps rather than losing digits on a phone.
        className={cn(
          "mt-1 text-xl font-semibold tabular-nums tracking-tight [overflow-wrap:anywhere] sm:text-2xl",
          tone === "destructive" && "text-destructive",
        )}
        data-testid={testId}
        title={title}
      >
        {value}
      </p>
      <p className="mt-1 text-xs text-muted-foreground">{sub}</p>
    </Card>
  );
}

function formatPerDay(n: number): string {
  return formatNumber(n >= 10 ? Math.round(n) : Math.round(n * 10) / 10);
}

/** Spend, requests, tokens and errors over the range. */
export function TotalsCards({ totals, days }: { totals: ActivityTotals; days: number }) {
  const tokens = totals.prompt_tokens + totals.completion_tokens;
  const errorRate = totals.requests > 0 ? totals.errors / totals.requests : 0;
  return (
    <div className="grid grid-cols-2 gap-3 sm:gap-4 lg:grid-cols-4">
      <Stat
        label="Spend"
        testId="activity-total-spend"
        value={formatUsd(totals.cost_micros)}
        title={formatUsd(totals.cost_micros, { precise: true })}
        sub={totals.requests > 0 ? `${formatUsd(Math.round(totals.cost_micros / totals.requests))} per request` : "Nothing spent"}
      />
      <Stat
        label="Requests"
        testId="activity-total-requests"
        value={formatNumber(totals.requests)}
        sub={`${formatPerDay(totals.requests / Math.max(days, 1))} per day on average`}
      />
      <Stat
        label="Tokens"
        testId="activity-total-tokens"
        value={formatTokens(tokens)}
        title={formatNumber(tokens) + " tokens"}
        sub={`${formatTokens(totals.prompt_tokens)} prompt · ${formatTokens(totals.completion_tokens)} completion`}
      />
      <Stat
        label="Errors"
        testId="activity-total-errors"
        value={formatNumber(totals.errors)}
        tone={totals.errors > 0 ? "destructive" : undefined}
        sub={totals.requests > 0 ? `${(errorRate * 100).toFixed(errorRate > 0 && errorRate < 0.01 ? 2 : 1)}% of requests` : "No requests"}
      />
    </div>
  );
}

export function TotalsSkeleton() {
  return (
    <div className="grid grid-cols-2 gap-3 sm:gap-4 lg:grid-cols-4" aria-hidden>
      {["Spend", "Requests", "Tokens", "Errors"].map((label) => (
        <Card key={label} className="p-4 sm:p-5">
          <p className="text-sm text-muted-foreground">{label}</p>
          <Skeleton className="mt-1 h-8 w-24" />
          <Skeleton className="mt-1 h-4 w-32 max-w-full" />
        </Card>
      ))}
    </div>
  );
}
