// Test helper: a fake API behind `fetch`. lib/api.ts hands `globalThis.fetch` and `Request` to
// openapi-fetch when the module loads, and Node's Request rejects relative URLs ("/api/keys"), so
// this must run before lib/api.ts is imported:
//   const fake = await vi.hoisted(async () => (await import("./test-fetch")).installFakeFetch());
// Each test then sets `fake.handler`; `fake.requests` records what was sent.

export type FakeRequest = { method: string; url: URL; body: string };
export type FakeFetch = {
  handler: (req: FakeRequest) => { status?: number; body: unknown } | Promise<{ status?: number; body: unknown }>;
  requests: FakeRequest[];
};

export function installFakeFetch(): FakeFetch {
  const fake: FakeFetch = { handler: () => ({ status: 404, body: { error: { code: "not_found", message: "Not found" } } }), requests: [] };
  const Base = globalThis.Request;
  class RelativeRequest extends Base {
    constructor(input: RequestInfo | URL, init?: RequestInit) {
      super(typeof input === "string" ? new URL(input, "http://localhost") : input, init);
    }
  }
  globalThis.Request = RelativeRequest;
  globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = input instanceof Request ? input : new RelativeRequest(input, init);
    const r: FakeRequest = { method: req.method, url: new URL(req.url), body: await req.text() };
    fake.requests.push(r);
    const { status = 200, body } = await fake.handler(r);
    return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  };
  return fake;
}
