// A small history-API router: the dashboard has a dozen flat routes, so a library would be more
// code than it saves. <Link> (components/ui/link.tsx) renders real <a href> elements whose plain
// clicks `navigate` pushes onto history. Pages keep their filters in the query string through
// typed search params (`param`, `useSearch`), so a view survives a reload and can be shared.
import { useCallback, useSyncExternalStore } from "react";

const listeners = new Set<() => void>();
function emit() {
  for (const l of listeners) l();
}
if (typeof window !== "undefined") window.addEventListener("popstate", emit);

function subscribe(l: () => void) {
  listeners.add(l);
  return () => listeners.delete(l);
}

export function navigate(to: string, opts: { replace?: boolean } = {}) {
  if (to === window.location.pathname + window.location.search) return;
  if (opts.replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  if (!opts.replace) window.scrollTo(0, 0);
  emit();
}

/** The current path ("/keys") and query string ("?page=2" or ""). Re-renders on navigation. */
export function useLocation(): { path: string; search: string } {
  const path = useSyncExternalStore(subscribe, () => window.location.pathname);
  const search = useSyncExternalStore(subscribe, () => window.location.search);
  return { path, search };
}

/** The query string as URLSearchParams, and a setter that replaces the history entry. */
export function useSearchParams(): [URLSearchParams, (update: Record<string, string | null>) => void] {
  const { path, search } = useLocation();
  const params = new URLSearchParams(search);
  const set = useCallback(
    (update: Record<string, string | null>) => {
      const next = new URLSearchParams(window.location.search);
      for (const [k, v] of Object.entries(update)) {
        if (v === null || v === "") next.delete(k);
        else next.set(k, v);
      }
      const qs = next.toString();
      navigate(path + (qs ? "?" + qs : ""), { replace: true });
    },
    [path],
  );
  return [params, set];
}

/**
 * One typed search parameter: `parse` turns the raw text (null when absent) into a value, falling
 * back to the default for anything it does not accept, so a hand-edited or stale link never breaks
 * a page; `serialize` writes a value back, null (left out of the URL) for the default.
 */
export type SearchParam<T> = {
  parse(raw: string | null): T;
  serialize(value: T): string | null;
};

/** A page's search parameters by name. */
export type SearchSchema = Record<string, SearchParam<unknown>>;
export type SearchValues<S extends SearchSchema> = { [K in keyof S]: S[K] extends SearchParam<infer T> ? T : never };

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar day "YYYY-MM-DD" that exists (no 31 February). */
export function isDay(text: string): boolean {
  const m = DAY_RE.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === text;
}

/** Builders of the common parameter kinds. */
export const param = {
  /** Free text, trimmed; "" when absent. */
  text(maxLength = 200): SearchParam<string> {
    return {
      parse: (raw) => (raw ?? "").trim().slice(0, maxLength),
      serialize: (v) => (v === "" ? null : v),
    };
  },
  /** One of `values`; `fallback` (left out of the URL) otherwise. */
  oneOf<T extends string>(values: readonly T[], fallback: T): SearchParam<T> {
    return {
      parse: (raw) => (raw !== null && (values as readonly string[]).includes(raw) ? (raw as T) : fallback),
      serialize: (v) => (v === fallback ? null : v),
    };
  },
  /** A day "YYYY-MM-DD", or "" when absent or not a real date. */
  day(): SearchParam<string> {
    return { parse: (raw) => (raw !== null && isDay(raw) ? raw : ""), serialize: (v) => (v === "" ? null : v) };
  },
  /** Decimal digits within [min, max] (as text, so "" is "none"), "" otherwise. */
  digits(min: number, max: number): SearchParam<string> {
    return {
      parse: (raw) => (raw !== null && /^\d{1,15}$/.test(raw) && Number(raw) >= min && Number(raw) <= max ? String(Number(raw)) : ""),
      serialize: (v) => (v === "" ? null : v),
    };
  },
};

/** The typed values of `schema` read from a query string. */
export function readSearch<S extends SearchSchema>(schema: S, params: URLSearchParams): SearchValues<S> {
  const out: Record<string, unknown> = {};
  for (const [name, p] of Object.entries(schema)) out[name] = p.parse(params.get(name));
  return out as SearchValues<S>;
}

/**
 * The query string after `update` (only the schema's names it mentions change; other parameters
 * stay), "" or "?…".
 */
export function writeSearch<S extends SearchSchema>(schema: S, search: string, update: Partial<SearchValues<S>>): string {
  const next = new URLSearchParams(search);
  for (const [name, value] of Object.entries(update)) {
    const p = schema[name];
    if (!p) continue;
    const text = p.serialize(value);
    if (text === null || text === "") next.delete(name);
    else next.set(name, text);
  }
  const qs = next.toString();
  return qs ? "?" + qs : "";
}

/**
 * A page's search parameters, typed by `schema` (define it once, outside the component), and a
 * setter that replaces the history entry, so a filtered view survives a reload and can be shared
 * as a link, while Back leaves the page rather than undoing each filter.
 */
export function useSearch<S extends SearchSchema>(schema: S): [SearchValues<S>, (update: Partial<SearchValues<S>>) => void] {
  const { path, search } = useLocation();
  const values = readSearch(schema, new URLSearchParams(search));
  const set = useCallback(
    (update: Partial<SearchValues<S>>) => navigate(path + writeSearch(schema, window.location.search, update), { replace: true }),
    [path, schema],
  );
  return [values, set];
}

/**
 * Matches `path` against a pattern like "/logs/:id" or "/models/*"; returns the parameters
 * (the rest of a "*" pattern under "*"), or null.
 */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split("/").filter(Boolean);
  const s = path.split("/").filter(Boolean);
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const part = p[i]!;
    if (part === "*") {
      params["*"] = s.slice(i).map(decodeURIComponent).join("/");
      return params;
    }
    const seg = s[i];
    if (seg === undefined) return null;
    if (part.startsWith(":")) params[part.slice(1)] = decodeURIComponent(seg);
    else if (part !== seg) return null;
  }
  return s.length === p.length ? params : null;
}
