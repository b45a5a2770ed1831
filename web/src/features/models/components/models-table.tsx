import { ArrowDown, ArrowUp, ArrowUpDown, ChevronRight } from "lucide-react";
import { formatContext } from "@/lib/format";
import { formatPricePerMillion } from "@/lib/money";
import { cn } from "@/lib/utils";
import { Badge } from "@/components/ui/badge";
import { Link } from "@/components/ui/link";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { ModelRow, SortDir, SortKey } from "../data/filter-models";
import { modelPath } from "../data/paths";

type Column = { key: SortKey; label: string; numeric?: boolean; className?: string };

const columns: Column[] = [
  { key: "name", label: "Model" },
  { key: "company", label: "Company" },
  { key: "context", label: "Context", numeric: true },
  { key: "prompt", label: "Prompt $/M", numeric: true },
  { key: "completion", label: "Completion $/M", numeric: true },
  { key: "providers", label: "Providers", numeric: true },
];

const ariaSort = { asc: "ascending", desc: "descending" } as const;

function SortHeader({ column, sort, dir, onSort }: { column: Column; sort: SortKey; dir: SortDir; onSort?: (key: SortKey) => void }) {
  const active = sort === column.key;
  const Icon = !active ? ArrowUpDown : dir === "asc" ? ArrowUp : ArrowDown;
  return (
    <TableHead aria-sort={active ? ariaSort[dir] : "none"} className={cn(column.numeric && "text-right", column.className)}>
      <button
        type="button"
        onClick={() => onSort?.(column.key)}
        disabled={!onSort}
        className={cn(
          "-mx-1.5 inline-flex cursor-pointer items-center gap-1 rounded px-1.5 py-1 uppercase tracking-wide hover:text-foreground focus-visible:outline-2 focus-visible:outline-ring disabled:cursor-default",
          active && "text-foreground",
          column.numeric && "flex-row-reverse",
        )}
      >
        {column.label}
        <Icon className={cn("size-3.5", !active && "opacity-40")} aria-hidden />
      </button>
    </TableHead>
  );
}

function Price({ row, kind }: { row: ModelRow; kind: "input" | "output" }) {
  if (!row.headline) return <span className="text-muted-foreground">—</span>;
  return <span className={cn(!row.available && "text-muted-foreground")}>{formatPricePerMillion(row.headline.prices[kind])}</span>;
}

function Providers({ row }: { row: ModelRow }) {
  if (row.providers === 0) return <span className="text-muted-foreground">None</span>;
  if (row.availableProviders === row.providers) return <>{row.providers}</>;
  return (
    <span title={`${row.availableProviders} of ${row.providers} providers available`}>
      {row.availableProviders}
      <span className="text-muted-foreground"> / {row.providers}</span>
    </span>
  );
}

/** The models as a sortable table (from the `md` breakpoint up). */
export function ModelsTable({
  rows,
  sort,
  dir,
  onSort,
  loading,
}: {
  rows: ModelRow[];
  sort: SortKey;
  dir: SortDir;
  onSort: (key: SortKey) => void;
  loading?: boolean;
}) {
  return (
    <div className="hidden rounded-xl border bg-card md:block">
      <Table aria-label="Models" aria-busy={loading || undefined}>
        <TableHeader>
          <TableRow className="hover:bg-transparent">
            {columns.map((c) => (
              <SortHeader key={c.key} column={c} sort={sort} dir={dir} onSort={loading ? undefined : onSort} />
            ))}
          </TableRow>
        </TableHeader>
        <TableBody>
          {loading
            ? Array.from({ length: 8 }, (_, i) => (
                <TableRow key={i} className="hover:bg-transparent">
                  <TableCell>
                    <div className="grid gap-0.5">
                      <Skeleton className="h-5 w-52" />
                      <Skeleton className="h-4 w-40" />
                    </div>
                  </TableCell>
                  <TableCell>
                    <Skeleton className="h-5 w-20" />
                  </TableCell>
                  {[12, 14, 14, 6].map((w, j) => (
                    <TableCell key={j}>
                      <Skeleton className="ml-auto h-5" style={{ width: w * 4 }} />
                    </TableCell>
                  ))}
                </TableRow>
              ))
            : rows.map((row) => (
                <TableRow key={row.model.id} className="group relative">
                  <TableCell className="max-w-0 min-w-64 w-full">
                    <div className="grid gap-0.5">
                      <div className="flex h-5 min-w-0 items-center gap-2">
                        <Link
                          to={modelPath(row.model.id)}
                          className="truncate font-medium leading-5 after:absolute after:inset-0 after:content-[''] hover:underline focus-visible:outline-none focus-visible:after:rounded-sm focus-visible:after:outline-2 focus-visible:after:-outline-offset-2 focus-visible:after:outline-ring"
                        >
                          {row.model.name}
                        </Link>
                        {!row.available && row.providers > 0 && <Badge variant="secondary">Unavailable</Badge>}
                      </div>
                      <span className="truncate font-mono text-xs leading-4 text-muted-foreground">{row.model.id}</span>
                    </div>
                  </TableCell>
                  <TableCell className="whitespace-nowrap">{row.companyName}</TableCell>
                  <TableCell className="text-right tabular-nums whitespace-nowrap">{formatContext(row.model.context_length)}</TableCell>
                  <TableCell className="text-right tabular-nums whitespace-nowrap">
                    <Price row={row} kind="input" />
                  </TableCell>
                  <TableCell className="text-right tabular-nums whitespace-nowrap">
                    <Price row={row} kind="output" />
                  </TableCell>
                  <TableCell className="text-right tabular-nums whitespace-nowrap">
                    <Providers row={row} />
                  </TableCell>
                </TableRow>
              ))}
        </TableBody>
      </Table>
    </div>
  );
}

/** The models as cards (below the `md` breakpoint, where the table would not fit). */
export function ModelCards({ rows, loading }: { rows: ModelRow[]; loading?: boolean }) {
  if (loading) {
    return (
      <ul className="grid grid-cols-1 gap-3 md:hidden" aria-busy="true">
        {Array.from({ length: 6 }, (_, i) => (
          <li key={i} className="rounded-xl border bg-card p-4">
            <Skeleton className="h-5 w-48" />
            <Skeleton className="mt-0.5 h-4 w-36" />
            <Skeleton className="mt-3 h-5 w-full" />
          </li>
        ))}
      </ul>
    );
  }
  return (
    <ul className="grid grid-cols-1 gap-3 md:hidden" aria-label="Models">
      {rows.map((row) => (
        <li key={row.model.id}>
          <Link
            to={modelPath(row.model.id)}
            className="flex items-center gap-3 rounded-xl border bg-card p-4 transition-colors hover:bg-accent/50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring"
          >
            <div className="min-w-0 flex-1">
              <p className="flex min-w-0 flex-wrap items-center gap-x-2 gap-y-1">
                <span className="font-medium leading-5 break-words">{row.model.name}</span>
                {!row.available && row.providers > 0 && <Badge variant="secondary">Unavailable</Badge>}
              </p>
              <p className="mt-0.5 truncate font-mono text-xs leading-4 text-muted-foreground">{row.model.id}</p>
              <dl className="mt-3 flex flex-wrap gap-x-4 gap-y-1 text-xs leading-5 text-muted-foreground">
                <div className="flex gap-1">
                  <dt className="sr-only">Company</dt>
                  <dd className="text-foreground">{row.companyName}</dd>
                </div>
                <div className="flex gap-1">
                  <dt>Context</dt>
                  <dd className="tabular-nums text-foreground">{formatContext(row.model.context_length)}</dd>
                </div>
                <div className="flex gap-1">
                  <dt>In/Out $/M</dt>
                  <dd className="tabular-nums text-foreground">
                    <Price row={row} kind="input" />
                    {row.headline && (
                      <>
                        {" / "}
                        <Price row={row} kind="output" />
                      </>
                    )}
                  </dd>
                </div>
                <div className="flex gap-1">
                  <dt>Providers</dt>
                  <dd className="tabular-nums text-foreground">
                    <Providers row={row} />
                  </dd>
                </div>
              </dl>
            </div>
            <ChevronRight className="size-4 shrink-0 text-muted-foreground" aria-hidden />
          </Link>
        </li>
      ))}
    </ul>
  );
}
