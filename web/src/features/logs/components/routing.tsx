import type { LogDetail } from "@/lib/api";
import { Badge } from "@/components/ui/badge";
import { cn } from "@/lib/utils";
import { routingOutcome } from "../data/detail";

/**
 * How routing chose (the x-turnpike-routing header the client got): every candidate endpoint in
 * the order it was to be tried and what became of it, then the endpoints left out and why. A list,
 * not a table, so that it reads on a phone.
 */
export function RoutingList({ routing, providerName }: { routing: LogDetail["routing"]; providerName: (id: string) => string }) {
  return (
    <ol className="grid gap-2" aria-label="Routing">
      {routing.map((step, i) => {
        const { label, tone, detail } = routingOutcome(step);
        const skipped = step.outcome === "skipped";
        return (
          <li key={i} className={cn("flex gap-3 rounded-lg border p-3 text-sm", step.outcome === "answered" && "border-success/40 bg-success/5")}>
            <span
              className={cn(
                "flex size-6 shrink-0 items-center justify-center rounded-full bg-muted text-xs font-medium tabular-nums",
                step.outcome === "answered" && "bg-success/15 text-success",
                skipped && "bg-transparent text-muted-foreground",
              )}
              aria-hidden
            >
              {skipped ? "–" : i + 1}
            </span>
            <div className="min-w-0 flex-1">
              <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
                <span className={cn("font-medium", skipped && "text-muted-foreground")}>{providerName(step.provider)}</span>
                <Badge variant={tone}>{label}</Badge>
              </div>
              <p className="mt-1 break-all font-mono text-xs text-muted-foreground">{step.model}</p>
              {detail && <p className="mt-1 break-words text-muted-foreground">{detail}</p>}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
