// Test helper: a fake API behind `fetch`, answering by path. lib/api.ts hands `globalThis.fetch`
// and `Request` to openapi-fetch when the module loads, and Node's Request rejects relative URLs,
// so this must be installed before lib/api.ts is imported:
//   const fake = await vi.hoisted(async () => (await import("./data/test-fetch")).installFakeFetch());
// Each test then sets `fake.routes` (path → answer, or a function giving one, or a Promise that
// never settles for "still loading"); `fake.calls` records what was asked.

export type Answer = { status?: number; body: unknown };
export type Route = Answer | (() => Answer | Promise<Answer>);
export type FakeApi = { routes: Record<string, Route>; calls: { method: string; path: string }[] };

export function installFakeFetch(): FakeApi {
  const fake: FakeApi = { routes: {}, calls: [] };
  const Base = globalThis.Request;
  class RelativeRequest extends Base {
    constructor(input: RequestInfo | URL, init?: RequestInit) {
      super(typeof input === "string" ? new URL(input, "http://localhost") : input, init);
    }
  }
  globalThis.Request = RelativeRequest;
  globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = input instanceof Request ? input : new RelativeRequest(input, init);
    const url = new URL(req.url);
    fake.calls.push({ method: req.method, path: url.pathname });
    const route = fake.routes[url.pathname];
    const answer: Answer =
      route === undefined
        ? { status: 404, body: { error: { code: 404, message: `No route for ${req.method} ${url.pathname}`, type: "not_found_error", param: null } } }
        : typeof route === "function"
          ? await route()
          : route;
    return new Response(JSON.stringify(answer.body), { status: answer.status ?? 200, headers: { "content-type": "application/json" } });
  };
  return fake;
}

export const signedOut: Answer = { status: 401, body: { error: { code: 401, message: "Sign in first", type: "authentication_error", param: null } } };
