// Test helper: a fake control API behind the global fetch. Call it once at the top of a test file,
// before the file's own beforeEach:
//   const api = fakeApi();
// Before each test it empties `routes` and `sent` and stubs fetch with vi.stubGlobal (lib/api
// calls the current global fetch, at absolute same-origin URLs); after each test it restores every
// stubbed global (vi.unstubAllGlobals). Set `api.routes` to answer by method and path; `api.sent`
// records what the page sent.
import { afterEach, beforeEach, vi } from "vitest";

/** A request the page sent: its method, full URL (query included), path, and JSON body if any. */
export type SentRequest = { method: string; url: URL; path: string; body: unknown };
/** An answer: `body` as JSON (no body when left out), with `status` (200 when left out). */
export type Answer = { status?: number; body?: unknown };
/** A fixed answer, or one made from the request. A Promise that never settles keeps the page loading. */
export type Route = Answer | ((request: SentRequest) => Answer | Promise<Answer>);
type Fetch = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

export type FakeApi = {
  /** Keyed by method and path, like "GET /api/keys"; a "*" segment matches any one path segment. */
  routes: Record<string, Route>;
  /** Every request to the page's own origin, in order. */
  sent: SentRequest[];
  /** Answers requests to other origins (the playground's gateway), given fetch's own arguments. */
  elsewhere: Fetch | null;
};

/** An error answer in the API's shape. */
export function apiError(status: number, message: string, type = "invalid_request_error", param: string | null = null): Answer {
  return { status, body: { error: { code: status, message, type, param } } };
}

export const signedOut = apiError(401, "Sign in first", "authentication_error");

function findRoute(routes: Record<string, Route>, key: string): Route | undefined {
  if (key in routes) return routes[key];
  const parts = key.split("/");
  const pattern = Object.keys(routes).find((p) => {
    const pp = p.split("/");
    return pp.length === parts.length && pp.every((s, i) => s === "*" || s === parts[i]);
  });
  return pattern === undefined ? undefined : routes[pattern];
}

export function fakeApi(): FakeApi {
  const api: FakeApi = { routes: {}, sent: [], elsewhere: null };

  const fetch: Fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input), globalThis.location.href);
    if (url.origin !== globalThis.location.origin) {
      if (!api.elsewhere) throw new TypeError(`fake-api: no answer for ${url.href}`);
      return api.elsewhere(input, init);
    }
    const request = new Request(input instanceof Request ? input : url, init);
    const text = await request.text();
    const sent: SentRequest = { method: request.method, url, path: url.pathname, body: text ? (JSON.parse(text) as unknown) : undefined };
    api.sent.push(sent);
    const route = findRoute(api.routes, `${sent.method} ${sent.path}`);
    const answer =
      route === undefined
        ? apiError(404, `No route for ${sent.method} ${sent.path}`, "not_found_error")
        : typeof route === "function"
          ? await route(sent)
          : route;
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
      status: answer.status ?? 200,
      headers: { "content-type": "application/json" },
    });
  };

  beforeEach(() => {
    api.routes = {};
    api.sent = [];
    api.elsewhere = null;
    vi.stubGlobal("fetch", fetch);
  });
  afterEach(() => vi.unstubAllGlobals());
  return api;
}
