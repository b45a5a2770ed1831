import type { Key } from "@/lib/api";
import { formatUsd } from "@/lib/money";
import { cn } from "@/lib/utils";
import { currentPeriod } from "../data/key-utils";

type MeterKey = Pick<Key, "name" | "usage_micros" | "limit_micros" | "limit_reset" | "limit_usage_micros">;

/**
 * "$1.20 of $10.00" with a thin bar, or the spend and "No limit". A limit that resets counts the
 * current period ("$0.40 of $1.00 today"), says when it resets, and keeps the lifetime spend in view.
 */
export function UsageMeter({ keyItem }: { keyItem: MeterKey }) {
  const { name, usage_micros: usage, limit_micros: limit, limit_reset: reset } = keyItem;
  if (limit === null) {
    return (
      <div className="grid gap-0.5">
        <span className="tabular-nums">{formatUsd(usage)}</span>
        <span className="text-xs text-muted-foreground">No limit</span>
      </div>
    );
  }
  // What counts against the limit now: the whole spend, or this period's for a resetting limit.
  const counted = reset ? keyItem.limit_usage_micros : usage;
  const ratio = limit > 0 ? Math.min(1, counted / limit) : 1;
  const percent = Math.round(ratio * 100);
  return (
    <div className="grid min-w-36 gap-1.5">
      <span className="tabular-nums whitespace-nowrap">
        {formatUsd(counted)}{" "}
        <span className="text-muted-foreground">
          of {formatUsd(limit)}
          {reset && ` ${currentPeriod(reset)}`}
        </span>
      </span>
      <div
        role="progressbar"
        aria-label={`Spending limit used by ${name}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={`${percent}% of the limit used${reset ? ` ${currentPeriod(reset)}` : ""}`}
        className="h-1.5 w-full overflow-hidden rounded-full bg-muted"
      >
        <div
          className={cn("h-full rounded-full bg-primary transition-[width]", ratio >= 0.9 && "bg-warning", ratio >= 1 && "bg-destructive")}
          style={{ width: `${Math.max(ratio * 100, counted > 0 ? 2 : 0)}%` }}
        />
      </div>
      {reset && (
        <span className="flex flex-wrap gap-x-1.5 text-xs text-muted-foreground">
          <span>{`Resets ${reset}`}</span>
          <span aria-hidden>·</span>
          <span className="tabular-nums" title="Everything the key has spent, in all periods">
            {formatUsd(usage)} in all
          </span>
        </span>
      )}
    </div>
  );
}
