import { Search, X } from "lucide-react";
import type { Company } from "@/lib/api";
import { Checkbox } from "@/components/ui/checkbox";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { contextOptions, formatMaxPrompt, maxPromptOptions, parseMaxPrompt, type ModelFilters } from "../data/filter-models";

// Radix Select items cannot have an empty value; "any" stands for "no filter".
const ANY = "any";

function contextValue(tokens: number): string {
  return contextOptions.find((o) => o.tokens === tokens)?.value || (tokens > 0 ? String(tokens) : ANY);
}

function maxPromptValue(micros: number | null): string {
  return formatMaxPrompt(micros) ?? ANY;
}

/** The search box, the three selects and the two checkboxes above the models list. */
export function ModelFiltersBar({
  filters,
  companies,
  onChange,
}: {
  filters: ModelFilters;
  companies: Company[] | undefined;
  onChange: (change: Partial<ModelFilters>) => void;
}) {
  const ctx = contextValue(filters.minContext);
  const maxPrompt = maxPromptValue(filters.maxPrompt);
  // A value from a shared URL that is not one of the choices still shows.
  const customContext = ctx !== ANY && !contextOptions.some((o) => o.value === ctx);
  const customPrice = maxPrompt !== ANY && !maxPromptOptions.some((o) => o.value === maxPrompt);
  const customCompany = filters.company !== null && !(companies ?? []).some((c) => c.id === filters.company) ? filters.company : null;

  return (
    <div className="grid gap-3">
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-[minmax(0,1fr)_12rem_9rem_10rem]">
        <div className="col-span-2 grid gap-1.5 sm:col-span-3 lg:col-span-1">
          <Label htmlFor="models-search" className="text-xs text-muted-foreground">
            Search models
          </Label>
          <div className="relative">
            <Search className="pointer-events-none absolute left-3 top-1/2 size-4 -translate-y-1/2 text-muted-foreground" aria-hidden />
            <Input
              id="models-search"
              type="search"
              value={filters.q}
              onChange={(e) => onChange({ q: e.target.value })}
              placeholder="Name, id, company or description"
              className="pl-9 pr-9 [&::-webkit-search-cancel-button]:hidden"
              autoComplete="off"
              spellCheck={false}
            />
            {filters.q && (
              <button
                type="button"
                onClick={() => onChange({ q: "" })}
                aria-label="Clear search"
                className="absolute right-1.5 top-1/2 flex size-6 -translate-y-1/2 cursor-pointer items-center justify-center rounded text-muted-foreground hover:text-foreground focus-visible:outline-2 focus-visible:outline-ring"
              >
                <X className="size-4" />
              </button>
            )}
          </div>
        </div>

        <div className="col-span-2 grid gap-1.5 sm:col-span-1 lg:col-span-1">
          <Label htmlFor="models-company" className="text-xs text-muted-foreground">
            Company
          </Label>
          <Select value={filters.company ?? ANY} onValueChange={(v) => onChange({ company: v === ANY ? null : v })}>
            <SelectTrigger id="models-company">
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              <SelectItem value={ANY}>All companies</SelectItem>
              {companies?.map((c) => (
                <SelectItem key={c.id} value={c.id}>
                  {c.name}
                </SelectItem>
              ))}
              {customCompany && <SelectItem value={customCompany}>{customCompany}</SelectItem>}
            </SelectContent>
          </Select>
        </div>

        <div className="grid gap-1.5">
          <Label htmlFor="models-context" className="text-xs text-muted-foreground">
            Context length
          </Label>
          <Select value={ctx} onValueChange={(v) => onChange({ minContext: contextOptions.find((o) => o.value === v)?.tokens ?? 0 })}>
            <SelectTrigger id="models-context">
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              {contextOptions.map((o) => (
                <SelectItem key={o.label} value={o.value || ANY}>
                  {o.label}
                </SelectItem>
              ))}
              {customContext && <SelectItem value={ctx}>{Number(ctx).toLocaleString("en-US")}+</SelectItem>}
            </SelectContent>
          </Select>
        </div>

        <div className="grid gap-1.5">
          <Label htmlFor="models-max-prompt" className="text-xs text-muted-foreground">
            Prompt price per 1M
          </Label>
          <Select
            value={maxPrompt}
            onValueChange={(v) => onChange({ maxPrompt: v === ANY ? null : parseMaxPrompt(v) })}
          >
            <SelectTrigger id="models-max-prompt">
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              {maxPromptOptions.map((o) => (
                <SelectItem key={o.label} value={o.value || ANY}>
                  {o.label}
                </SelectItem>
              ))}
              {customPrice && <SelectItem value={maxPrompt}>Up to ${maxPrompt}</SelectItem>}
            </SelectContent>
          </Select>
        </div>
      </div>

      <div className="flex flex-wrap items-center gap-x-5 gap-y-2">
        <div className="flex items-center gap-2">
          <Checkbox id="models-tools" checked={filters.tools} onCheckedChange={(v) => onChange({ tools: v === true })} />
          <Label htmlFor="models-tools" className="cursor-pointer font-normal">
            Supports tools
          </Label>
        </div>
        <div className="flex items-center gap-2">
          <Checkbox id="models-images" checked={filters.images} onCheckedChange={(v) => onChange({ images: v === true })} />
          <Label htmlFor="models-images" className="cursor-pointer font-normal">
            Supports images
          </Label>
        </div>
      </div>
    </div>
  );
}
