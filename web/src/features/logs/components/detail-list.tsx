import type { ReactNode } from "react";
import { cn } from "@/lib/utils";

/** Label/value pairs as a description list. */
export function DetailList({ items, className }: { items: [label: ReactNode, value: ReactNode][]; className?: string }) {
  return (
    <dl className={cn("grid grid-cols-[minmax(0,9rem)_minmax(0,1fr)] gap-x-4 gap-y-2.5 text-sm", className)}>
      {items.map(([label, value], i) => (
        <div key={i} className="contents">
          <dt className="text-muted-foreground">{label}</dt>
          <dd className="min-w-0 break-words">{value}</dd>
        </div>
      ))}
    </dl>
  );
}
