import { SearchX } from "lucide-react";
import { useMemo } from "react";
import { useCatalog, useMe } from "@/lib/queries";
import { useSearchParams } from "@/lib/router";
import { Button } from "@/components/ui/button";
import { Label } from "@/components/ui/label";
import { Link } from "@/components/ui/link";
import { PageHeader } from "@/components/ui/page-header";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { EmptyState, ErrorState } from "@/components/ui/states";
import { ModelFiltersBar } from "./components/model-filters";
import { ModelCards, ModelsTable } from "./components/models-table";
import {
  clearFilterParams,
  filtersToParams,
  hasActiveFilters,
  nextSort,
  parseFilters,
  selectModels,
  type ModelFilters,
  type SortDir,
  type SortKey,
} from "./data/filter-models";

// The phone layout has no column headers to click, so it sorts with a select.
const sortChoices: { value: `${SortKey}:${SortDir}`; label: string }[] = [
  { value: "name:asc", label: "Name (A–Z)" },
  { value: "name:desc", label: "Name (Z–A)" },
  { value: "company:asc", label: "Company" },
  { value: "context:desc", label: "Largest context" },
  { value: "prompt:asc", label: "Cheapest prompt" },
  { value: "completion:asc", label: "Cheapest completion" },
  { value: "prompt:desc", label: "Priciest prompt" },
  { value: "providers:desc", label: "Most providers" },
];

function plural(n: number, word: string) {
  return `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;
}

export default function ModelsPage() {
  const catalog = useCatalog();
  const me = useMe();
  const [params, setParams] = useSearchParams();
  const search = params.toString();
  const filters = useMemo(() => parseFilters(new URLSearchParams(search)), [search]);
  const rows = useMemo(() => (catalog.data ? selectModels(catalog.data, filters) : []), [catalog.data, filters]);

  const companies = useMemo(() => {
    if (!catalog.data) return undefined;
    const used = new Set(catalog.data.models.map((m) => m.company));
    return catalog.data.companies.filter((c) => used.has(c.id)).sort((a, b) => a.name.localeCompare(b.name));
  }, [catalog.data]);

  const update = (change: Partial<ModelFilters>) => setParams(filtersToParams(change));
  const clear = () => setParams(clearFilterParams());
  const onSort = (key: SortKey) => update(nextSort(filters, key));

  const total = catalog.data?.models.length ?? 0;
  const filtered = hasActiveFilters(filters);
  const loading = catalog.isPending;
  const sortValue = `${filters.sort}:${filters.dir}` as const;
  const sortKnown = sortChoices.some((c) => c.value === sortValue);

  return (
    <div>
      <PageHeader
        title="Models"
        description="Every model this gateway can route to, with the price of the provider a request goes to first."
      />

      <ModelFiltersBar filters={filters} companies={companies} onChange={update} />

      <div className="mt-5 mb-3 flex min-h-9 flex-wrap items-center justify-between gap-x-4 gap-y-2">
        <div className="flex items-center gap-3">
          {loading ? (
            <Skeleton className="h-5 w-20" />
          ) : (
            <p role="status" className="text-sm text-muted-foreground">
              <span className="font-medium text-foreground">{plural(rows.length, "model")}</span>
              {filtered && !catalog.isError && ` of ${total.toLocaleString("en-US")}`}
            </p>
          )}
          {filtered && rows.length > 0 && (
            <Button variant="ghost" size="sm" onClick={clear}>
              Clear filters
            </Button>
          )}
        </div>
        <div className="flex items-center gap-2 md:hidden">
          <Label htmlFor="models-sort" className="text-xs text-muted-foreground">
            Sort
          </Label>
          <Select
            value={sortValue}
            onValueChange={(v) => {
              const [sort, dir] = v.split(":") as [SortKey, SortDir];
              update({ sort, dir });
            }}
          >
            <SelectTrigger id="models-sort" className="h-8 w-48">
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              {sortChoices.map((c) => (
                <SelectItem key={c.value} value={c.value}>
                  {c.label}
                </SelectItem>
              ))}
              {!sortKnown && <SelectItem value={sortValue}>{`${filters.sort} (${filters.dir === "asc" ? "ascending" : "descending"})`}</SelectItem>}
            </SelectContent>
          </Select>
        </div>
      </div>

      {catalog.isError ? (
        <ErrorState error={catalog.error} onRetry={() => catalog.refetch()} title="The models could not be loaded" />
      ) : !loading && total === 0 ? (
        <EmptyState
          title="No models yet"
          description={
            me.data?.user.is_admin
              ? "The catalog is empty. Add providers and models, or import a catalog file."
              : "The catalog is empty. Ask your admin to add models."
          }
          action={
            me.data?.user.is_admin ? (
              <Button asChild variant="outline" size="sm">
                <Link to="/admin/catalog">Open Providers &amp; prices</Link>
              </Button>
            ) : undefined
          }
        />
      ) : !loading && rows.length === 0 ? (
        <EmptyState
          icon={<SearchX />}
          title="No models match"
          description={
            filters.q.trim()
              ? `Nothing matches “${filters.q.trim()}” with these filters. Try another word or fewer filters.`
              : "No model meets all of these filters. Loosen one to see more."
          }
          action={
            <Button variant="outline" size="sm" onClick={clear}>
              Clear filters
            </Button>
          }
        />
      ) : (
        <>
          <ModelsTable rows={rows} sort={filters.sort} dir={filters.dir} onSort={onSort} loading={loading} />
          <ModelCards rows={rows} loading={loading} />
        </>
      )}
    </div>
  );
}
