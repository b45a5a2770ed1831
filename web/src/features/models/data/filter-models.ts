// The Models browser's filtering and sorting, kept free of React so it can be tested on its own.
// Filters live in the URL query string (so a view can be shared); `parseFilters` and
// `filtersToParams` convert between the two.
import type { Catalog, Endpoint, Model } from "@/lib/api";
import { microsToUsdText, parseUsdMicros } from "@/lib/money";

export type SortKey = "name" | "company" | "context" | "prompt" | "completion" | "providers";
export type SortDir = "asc" | "desc";

export type ModelFilters = {
  /** Free text matched against id, name, description and company. */
  q: string;
  /** Company id, or null for all companies. */
  company: string | null;
  /** Minimum context length in tokens (0 = any). */
  minContext: number;
  /** Maximum prompt price in micro-USD per million tokens (null = any). */
  maxPrompt: number | null;
  tools: boolean;
  images: boolean;
  sort: SortKey;
  dir: SortDir;
};

export const defaultFilters: ModelFilters = {
  q: "",
  company: null,
  minContext: 0,
  maxPrompt: null,
  tools: false,
  images: false,
  sort: "name",
  dir: "asc",
};

/** The minimum-context choices; `value` is what the URL carries. */
export const contextOptions = [
  { value: "", label: "Any", tokens: 0 },
  { value: "8k", label: "8K+", tokens: 8_000 },
  { value: "32k", label: "32K+", tokens: 32_000 },
  { value: "128k", label: "128K+", tokens: 128_000 },
  { value: "1m", label: "1M+", tokens: 1_000_000 },
] as const;

/** The maximum prompt price choices, in USD per million tokens (the URL carries the number). */
export const maxPromptOptions = [
  { value: "", label: "Any price" },
  { value: "0", label: "Free" },
  { value: "0.25", label: "Up to $0.25" },
  { value: "1", label: "Up to $1" },
  { value: "3", label: "Up to $3" },
  { value: "10", label: "Up to $10" },
] as const;

const sortKeys: readonly SortKey[] = ["name", "company", "context", "prompt", "completion", "providers"];

/** The direction a column sorts in when it is first picked: big numbers first for size and choice. */
export function defaultDir(key: SortKey): SortDir {
  return key === "context" || key === "providers" ? "desc" : "asc";
}

function parseContext(text: string | null): number {
  if (!text) return 0;
  const option = contextOptions.find((o) => o.value === text.toLowerCase());
  if (option) return option.tokens;
  const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.trim());
  if (!m) return 0;
  const mult = m[2]!.toLowerCase() === "m" ? 1_000_000 : m[2]!.toLowerCase() === "k" ? 1000 : 1;
  return Math.round(Number(m[1]) * mult);
}

function formatContextParam(tokens: number): string | null {
  if (tokens <= 0) return null;
  const option = contextOptions.find((o) => o.tokens === tokens);
  return option ? option.value : String(tokens);
}

/** The max_prompt parameter: USD per million tokens ("0.25", "$1") as micro-USD, or null. */
export function parseMaxPrompt(text: string | null): number | null {
  return text === null ? null : parseUsdMicros(text);
}

/** Micro-USD per million tokens as the max_prompt parameter ("0.25"), or null for any price. */
export function formatMaxPrompt(micros: number | null): string | null {
  return micros === null ? null : microsToUsdText(micros);
}

const truthy = (v: string | null) => v === "1" || v === "true";

/** Reads filters from a query string; anything unreadable falls back to its default. */
export function parseFilters(params: URLSearchParams): ModelFilters {
  const sortParam = params.get("sort");
  const sort = sortKeys.includes(sortParam as SortKey) ? (sortParam as SortKey) : defaultFilters.sort;
  const dirParam = params.get("dir");
  const dir: SortDir = dirParam === "asc" || dirParam === "desc" ? dirParam : defaultDir(sort);
  return {
    q: params.get("q") ?? "",
    company: params.get("company") || null,
    minContext: parseContext(params.get("context")),
    maxPrompt: parseMaxPrompt(params.get("max_prompt")),
    tools: truthy(params.get("tools")),
    images: truthy(params.get("images")),
    sort,
    dir,
  };
}

/**
 * The query-string update for a change of filters: keys to set, or null to remove (defaults are
 * left out so a plain view has a plain URL).
 */
export function filtersToParams(change: Partial<ModelFilters>): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  if ("q" in change) out.q = change.q ? change.q : null;
  if ("company" in change) out.company = change.company ?? null;
  if ("minContext" in change) out.context = formatContextParam(change.minContext ?? 0);
  if ("maxPrompt" in change) out.max_prompt = formatMaxPrompt(change.maxPrompt ?? null);
  if ("tools" in change) out.tools = change.tools ? "1" : null;
  if ("images" in change) out.images = change.images ? "1" : null;
  if ("sort" in change || "dir" in change) {
    const sort = change.sort ?? defaultFilters.sort;
    const dir = change.dir ?? defaultDir(sort);
    const isDefault = sort === defaultFilters.sort && dir === defaultFilters.dir;
    out.sort = isDefault ? null : sort;
    out.dir = isDefault || dir === defaultDir(sort) ? null : dir;
  }
  return out;
}

/** The query-string update that clears every filter but keeps the sort order. */
export function clearFilterParams(): Record<string, string | null> {
  return { q: null, company: null, context: null, max_prompt: null, tools: null, images: null };
}

/** True when any filter (not the sort) narrows the list. */
export function hasActiveFilters(f: ModelFilters): boolean {
  return f.q.trim() !== "" || f.company !== null || f.minContext > 0 || f.maxPrompt !== null || f.tools || f.images;
}

/** Clicking a column header: the same column flips direction, another starts at its default. */
export function nextSort(current: { sort: SortKey; dir: SortDir }, key: SortKey): { sort: SortKey; dir: SortDir } {
  if (current.sort === key) return { sort: key, dir: current.dir === "asc" ? "desc" : "asc" };
  return { sort: key, dir: defaultDir(key) };
}

const routePrice = (e: Endpoint) => e.prices.input + e.prices.output;

/**
 * The endpoints in the order the gateway tries them: available ones cheapest first (prompt +
 * completion price, ties in catalog order), then the unavailable ones in the same order.
 */
export function routingOrder(endpoints: readonly Endpoint[]): Endpoint[] {
  const byPrice = (list: Endpoint[]) =>
    list
      .map((e, i) => ({ e, i }))
      .sort((a, b) => routePrice(a.e) - routePrice(b.e) || a.i - b.i)
      .map((x) => x.e);
  return [...byPrice(endpoints.filter((e) => e.available)), ...byPrice(endpoints.filter((e) => !e.available))];
}

/** The endpoint a request would use: the cheapest available one, else the cheapest listed (or null). */
export function headlineEndpoint(model: Pick<Model, "endpoints">): Endpoint | null {
  return routingOrder(model.endpoints)[0] ?? null;
}

export type ModelRow = {
  model: Model;
  companyName: string;
  /** The endpoint whose prices the row shows (see `headlineEndpoint`). */
  headline: Endpoint | null;
  /** Some endpoint can serve requests right now. */
  available: boolean;
  providers: number;
  availableProviders: number;
  tools: boolean;
  images: boolean;
};

export function toRows(catalog: Catalog): ModelRow[] {
  const companies = new Map(catalog.companies.map((c) => [c.id, c.name]));
  return catalog.models.map((model) => {
    const availableProviders = model.endpoints.filter((e) => e.available).length;
    return {
      model,
      companyName: companies.get(model.company) ?? model.company,
      headline: headlineEndpoint(model),
      available: availableProviders > 0,
      providers: model.endpoints.length,
      availableProviders,
      tools: model.endpoints.some((e) => e.supported_parameters.includes("tools")),
      images: model.input_modalities.includes("image"),
    };
  });
}

function matchesSearch(row: ModelRow, q: string): boolean {
  const words = q.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = [row.model.id, row.model.name, row.model.description, row.model.company, row.companyName]
    .join("\n")
    .toLowerCase();
  return words.every((w) => haystack.includes(w));
}

export function filterRows(rows: readonly ModelRow[], f: ModelFilters): ModelRow[] {
  return rows.filter((row) => {
    if (!matchesSearch(row, f.q)) return false;
    if (f.company !== null && row.model.company !== f.company) return false;
    if (f.minContext > 0 && row.model.context_length < f.minContext) return false;
    if (f.maxPrompt !== null && (row.headline === null || row.headline.prices.input > f.maxPrompt)) return false;
    if (f.tools && !row.tools) return false;
    if (f.images && !row.images) return false;
    return true;
  });
}

const collator = new Intl.Collator("en", { sensitivity: "base", numeric: true });

/** Sorts a copy; rows without a price go last in either direction, ties fall back to the name. */
export function sortRows(rows: readonly ModelRow[], sort: SortKey, dir: SortDir): ModelRow[] {
  const sign = dir === "asc" ? 1 : -1;
  const byName = (a: ModelRow, b: ModelRow) => collator.compare(a.model.name, b.model.name) || collator.compare(a.model.id, b.model.id);
  const value = (r: ModelRow): number | null => {
    switch (sort) {
      case "context":
        return r.model.context_length;
      case "prompt":
        return r.headline ? r.headline.prices.input : null;
      case "completion":
        return r.headline ? r.headline.prices.output : null;
      case "providers":
        return r.availableProviders * 1000 + r.providers;
      default:
        return null;
    }
  };
  return [...rows].sort((a, b) => {
    if (sort === "name") return sign * byName(a, b);
    if (sort === "company") return sign * collator.compare(a.companyName, b.companyName) || byName(a, b);
    const va = value(a);
    const vb = value(b);
    if (va === null && vb === null) return byName(a, b);
    if (va === null) return 1;
    if (vb === null) return -1;
    return sign * (va - vb) || byName(a, b);
  });
}

/** Filters then sorts the catalog's models. */
export function selectModels(catalog: Catalog, f: ModelFilters): ModelRow[] {
  return sortRows(filterRows(toRows(catalog), f), f.sort, f.dir);
}
