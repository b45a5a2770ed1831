import { formatUsd } from "@/lib/money";
import { cn } from "@/lib/utils";

/** "$1.20 of $10.00" with a thin bar, or the spend and "No limit". */
export function UsageMeter({ usage, limit, name }: { usage: number; limit: number | null; name: string }) {
  if (limit === null) {
    return (
      <div className="grid gap-0.5">
        <span className="tabular-nums">{formatUsd(usage)}</span>
        <span className="text-xs text-muted-foreground">No limit</span>
      </div>
    );
  }
  const ratio = limit > 0 ? Math.min(1, usage / limit) : 1;
  const percent = Math.round(ratio * 100);
  return (
    <div className="grid min-w-36 gap-1.5">
      <span className="tabular-nums whitespace-nowrap">
        {formatUsd(usage)} <span className="text-muted-foreground">of {formatUsd(limit)}</span>
      </span>
      <div
        role="progressbar"
        aria-label={`Spending limit used by ${name}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={`${percent}% of the limit used`}
        className="h-1.5 w-full overflow-hidden rounded-full bg-muted"
      >
        <div
          className={cn("h-full rounded-full bg-primary transition-[width]", ratio >= 0.9 && "bg-warning", ratio >= 1 && "bg-destructive")}
          style={{ width: `${Math.max(ratio * 100, usage > 0 ? 2 : 0)}%` }}
        />
      </div>
    </div>
  );
}
