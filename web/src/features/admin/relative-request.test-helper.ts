// Test-only. lib/api's openapi-fetch client (1) uses relative URLs ("/api/models"), which Node's
// Request (used under jsdom) cannot parse, and (2) captures `fetch` and `Request` when it is
// created, so a later vi.stubGlobal("fetch") would not reach it. Import this FIRST in a test
// file, before anything that loads lib/api: relative URLs then resolve against the page's origin
// as in a browser, and the client calls whatever `fetch` is current.
const NodeRequest = globalThis.Request;

class RelativeRequest extends NodeRequest {
  constructor(input: RequestInfo | URL, init?: RequestInit) {
    super(typeof input === "string" && input.startsWith("/") ? window.location.origin + input : input, init);
  }
}

globalThis.Request = RelativeRequest as typeof Request;

const originalFetch = globalThis.fetch;
const currentFetch: typeof fetch = (input, init) =>
  (globalThis.fetch === currentFetch ? originalFetch : globalThis.fetch)(input, init);
globalThis.fetch = currentFetch;

export {};
