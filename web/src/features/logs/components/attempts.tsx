import type { Attempt } from "@/lib/api";
import { formatMs } from "@/lib/format";
import { cn } from "@/lib/utils";
import { StatusBadge } from "./status-badge";

/** Every provider tried, in order; the last one answered (or failed last). */
export function AttemptsList({ attempts, succeeded, providerName }: { attempts: Attempt[]; succeeded: boolean; providerName: (id: string) => string }) {
  if (attempts.length === 0) {
    return <p className="text-sm text-muted-foreground">No provider was tried: the gateway answered this request itself.</p>;
  }
  return (
    <ol className="grid gap-2" aria-label="Attempts">
      {attempts.map((a, i) => {
        const answered = succeeded && i === attempts.length - 1;
        return (
          <li key={i} className={cn("flex gap-3 rounded-lg border p-3 text-sm", answered && "border-success/40 bg-success/5")}>
            <span
              className={cn(
                "flex size-6 shrink-0 items-center justify-center rounded-full bg-muted text-xs font-medium tabular-nums",
                answered && "bg-success/15 text-success",
              )}
              aria-hidden
            >
              {i + 1}
            </span>
            <div className="min-w-0 flex-1">
              <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
                <span className="font-medium">{providerName(a.provider)}</span>
                {a.status !== null ? <StatusBadge status={a.status} /> : <span className="text-xs text-muted-foreground">No response</span>}
                <span className="text-xs tabular-nums text-muted-foreground">{formatMs(a.latency_ms)}</span>
                {answered && <span className="text-xs font-medium text-success">Answered</span>}
              </div>
              {a.error && <p className="mt-1 break-words text-muted-foreground">{a.error}</p>}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
