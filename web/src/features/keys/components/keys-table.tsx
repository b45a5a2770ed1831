import type { ReactNode } from "react";
import { useNow } from "@/hooks/use-now";
import type { Key } from "@/lib/api";
import { formatDate, formatDateTime, formatRelative } from "@/lib/format";
import { cn } from "@/lib/utils";
import { Badge } from "@/components/ui/badge";
import { Skeleton } from "@/components/ui/skeleton";
import { displayPrefix, keyStatus, rateLimitsText, type KeyStatus } from "../data/key-utils";
import { KeyActions } from "./key-actions";
import { UsageMeter } from "./usage-meter";

const statusBadge: Record<KeyStatus, { label: string; variant: "success" | "secondary" | "destructive" }> = {
  active: { label: "Active", variant: "success" },
  disabled: { label: "Disabled", variant: "secondary" },
  expired: { label: "Expired", variant: "destructive" },
};

// One table for every width: on wide screens a table; below md each row becomes a card (cells
// stack into a grid and show their column name), so nothing scrolls sideways on a phone.
const tableCls = "w-full text-sm max-md:block";
const rowCls =
  "border-b transition-colors hover:bg-muted/40 max-md:relative max-md:mb-3 max-md:grid max-md:grid-cols-2 max-md:gap-x-4 max-md:gap-y-3 max-md:rounded-xl max-md:border max-md:bg-card max-md:p-4 max-md:shadow-sm md:last:border-0";
const cellCls = "px-3 py-3 align-middle max-md:block max-md:p-0";
const labelled =
  "max-md:before:mb-0.5 max-md:before:block max-md:before:text-xs max-md:before:font-medium max-md:before:text-muted-foreground max-md:before:content-[attr(data-label)]";
const headCls = "h-10 px-3 text-left align-middle text-xs font-medium uppercase tracking-wide text-muted-foreground whitespace-nowrap";

function TimeCell({ iso, relative, empty }: { iso: string | null; relative?: boolean; empty: string }) {
  if (!iso) return <span className="text-muted-foreground">{empty}</span>;
  return (
    <time dateTime={iso} title={formatDateTime(iso)} className="whitespace-nowrap">
      {relative ? formatRelative(iso) : formatDate(iso)}
    </time>
  );
}

/** "60/min" over "requests", and the same for tokens; "None" when the key has neither. */
function RateLimits({ keyItem }: { keyItem: Key }) {
  if (keyItem.rpm_limit === null && keyItem.tpm_limit === null) {
    return <span className="text-muted-foreground">None</span>;
  }
  return (
    <div className="grid gap-0.5 whitespace-nowrap" title={rateLimitsText(keyItem)}>
      {keyItem.rpm_limit !== null && <span className="tabular-nums">{keyItem.rpm_limit.toLocaleString("en-US")} req/min</span>}
      {keyItem.tpm_limit !== null && <span className="tabular-nums">{keyItem.tpm_limit.toLocaleString("en-US")} tok/min</span>}
    </div>
  );
}

function Head() {
  return (
    <thead className="border-b max-md:sr-only">
      <tr>
        <th className={headCls}>Name</th>
        <th className={headCls}>Key</th>
        <th className={headCls}>Created</th>
        <th className={headCls}>Last used</th>
        <th className={headCls}>Usage</th>
        <th className={headCls}>Rate limits</th>
        <th className={headCls}>Expires</th>
        <th className={headCls}>Status</th>
        <th className={headCls}>
          <span className="sr-only">Actions</span>
        </th>
      </tr>
    </thead>
  );
}

function Frame({ children, busy }: { children: ReactNode; busy?: boolean }) {
  return (
    <div className="md:overflow-x-auto md:rounded-xl md:border md:bg-card md:shadow-sm" aria-busy={busy || undefined}>
      <table className={tableCls}>
        <Head />
        <tbody className="max-md:block">{children}</tbody>
      </table>
    </div>
  );
}

export function KeysTable({ keys }: { keys: Key[] }) {
  const now = useNow();
  return (
    <Frame>
      {keys.map((key) => {
        const status = statusBadge[keyStatus(key, now)];
        return (
          <tr key={key.id} className={cn(rowCls, key.disabled && "text-muted-foreground")}>
            <td className={cn(cellCls, "max-md:col-span-2 max-md:pr-10 md:max-w-56")}>
              <span className="block truncate font-medium text-foreground" title={key.name}>
                {key.name}
              </span>
              {key.management && (
                <Badge variant="outline" title="Manages keys through /api/v1/keys; cannot call models">
                  Management
                </Badge>
              )}
              {key.log_prompts && <span className="text-xs text-muted-foreground">Logs prompts</span>}
            </td>
            <td className={cn(cellCls, "max-md:col-span-2")}>
              <code className="font-mono text-xs whitespace-nowrap text-muted-foreground">{displayPrefix(key.prefix)}</code>
            </td>
            <td className={cn(cellCls, labelled, "max-md:order-3")} data-label="Created">
              <TimeCell iso={key.created_at} empty="—" />
            </td>
            <td className={cn(cellCls, labelled, "max-md:order-3")} data-label="Last used">
              <TimeCell iso={key.last_used_at} relative empty="never" />
            </td>
            <td className={cn(cellCls, labelled, "max-md:order-2 max-md:col-span-2")} data-label="Usage">
              <UsageMeter keyItem={key} />
            </td>
            <td className={cn(cellCls, labelled, "max-md:order-2 max-md:col-span-2")} data-label="Rate limits">
              <RateLimits keyItem={key} />
            </td>
            <td className={cn(cellCls, labelled, "max-md:order-3")} data-label="Expires">
              <TimeCell iso={key.expires_at} empty="Never" />
            </td>
            <td className={cn(cellCls, labelled, "max-md:order-3")} data-label="Status">
              <Badge variant={status.variant}>{status.label}</Badge>
            </td>
            <td className={cn(cellCls, "w-12 text-right max-md:absolute max-md:right-2 max-md:top-2")}>
              <KeyActions keyItem={key} />
            </td>
          </tr>
        );
      })}
    </Frame>
  );
}

/** Three placeholder rows with the final row height. */
export function KeysTableSkeleton() {
  return (
    <Frame busy>
      {[0, 1, 2].map((i) => (
        <tr key={i} className={rowCls}>
          <td className={cn(cellCls, "max-md:col-span-2")}>
            <Skeleton className="h-4 w-28" />
          </td>
          <td className={cn(cellCls, "max-md:col-span-2")}>
            <Skeleton className="h-4 w-32" />
          </td>
          <td className={cellCls}>
            <Skeleton className="h-4 w-20" />
          </td>
          <td className={cellCls}>
            <Skeleton className="h-4 w-20" />
          </td>
          <td className={cn(cellCls, "max-md:col-span-2")}>
            <Skeleton className="h-4 w-24" />
            <Skeleton className="mt-2 h-1.5 w-36" />
          </td>
          <td className={cellCls}>
            <Skeleton className="h-4 w-20" />
          </td>
          <td className={cellCls}>
            <Skeleton className="h-4 w-16" />
          </td>
          <td className={cellCls}>
            <Skeleton className="h-5 w-14 rounded-full" />
          </td>
          <td className={cn(cellCls, "w-12")}>
            <Skeleton className="size-8" />
          </td>
        </tr>
      ))}
    </Frame>
  );
}
