// A small history-API router: the dashboard has a dozen flat routes, so a library would be more
// code than it saves. <Link> (components/ui/link.tsx) renders real <a href> elements whose plain
// clicks `navigate` pushes onto history.
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
