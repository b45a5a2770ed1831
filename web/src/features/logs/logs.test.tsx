import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { downloadCsv } from "@/lib/csv";
import { fakeApi, type SentRequest } from "@/test/fake-api";
import { renderWithClient } from "@/test/render";
import LogsPage from "./index";

const key = (id: number, name: string) => ({
  id,
  name,
  prefix: "tp-" + id,
  created_at: "2024-01-01T00:00:00Z",
  last_used_at: null,
  expires_at: null,
  disabled: false,
  log_prompts: false,
  usage_micros: 0,
  limit_micros: null,
});

function log(id: string, over: Record<string, unknown> = {}) {
  return {
    id,
    model: "fakeco/duo",
    provider: "fakeco",
    upstream_model: "duo-1",
    key_id: 7,
    streamed: true,
    prompt_tokens: 1200,
    completion_tokens: 34,
    cached_tokens: 0,
    reasoning_tokens: 0,
    cost_micros: 1234,
    usage_source: "provider",
    latency_ms: 850,
    ttft_ms: 120,
    status: 200,
    finish_reason: "stop",
    error: null,
    created_at: new Date(Date.now() - 5 * 60_000).toISOString(),
    prices: { input: 1_000_000, output: 2_000_000, cache_read: 0, cache_write: 0 },
    ...over,
  };
}

vi.mock("@/lib/csv", async (original) => ({ ...(await original<typeof import("@/lib/csv")>()), downloadCsv: vi.fn() }));

const api = fakeApi();
let logsHandler: (r: SentRequest) => unknown;

beforeEach(() => {
  logsHandler = () => ({ logs: [log("gen-1"), log("gen-2", { status: 502, model: "fakeco/solo", key_id: 8, streamed: false, ttft_ms: null })], next_cursor: null });
  api.routes = {
    "GET /api/keys": { body: { keys: [key(7, "Production"), key(8, "Staging")] } },
    "GET /api/models": { body: { companies: [], providers: [], models: [] } },
    "GET /api/logs": (r) => ({ body: logsHandler(r) }),
  };
});

function renderPage(search = "") {
  window.history.replaceState(null, "", "/logs" + search);
  return renderWithClient(<LogsPage />);
}

const logRequests = () => api.sent.filter((r) => r.path === "/api/logs").map((r) => r.url.searchParams);

describe("Logs page", () => {
  it("shows one row per request, each a link to its detail", async () => {
    renderPage();
    const rows = await screen.findAllByTestId("log-row");
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent("fakeco/duo");
    expect(rows[0]).toHaveTextContent("1,200 → 34");
    expect(rows[0]).toHaveTextContent("$0.001234");
    expect(rows[0]).toHaveTextContent("850 ms");
    expect(rows[0]).toHaveTextContent("200");
    expect(within(rows[0]!).getByText("Streamed")).toBeInTheDocument();
    expect(within(rows[0]!).getByRole("link")).toHaveAttribute("href", "/logs/gen-1");
    expect(within(rows[0]!).getByRole("link")).toHaveTextContent("5 minutes ago");
    await waitFor(() => expect(rows[1]).toHaveTextContent("Staging"));
    expect(rows[1]).toHaveTextContent("502");
    expect(within(rows[1]!).getByText("Not streamed")).toBeInTheDocument();
  });

  it("sends the filters from the URL and the page size", async () => {
    renderPage("?key=7&model=fakeco%2Fduo&status=429");
    await screen.findAllByTestId("log-row");
    const q = logRequests()[0]!;
    expect(q.get("key_id")).toBe("7");
    expect(q.get("model")).toBe("fakeco/duo");
    expect(q.get("status")).toBe("429");
    expect(q.get("limit")).toBe("50");
    expect(q.has("cursor")).toBe(false);
  });

  it("filters by model as you type, and by date", async () => {
    const user = userEvent.setup();
    renderPage();
    await screen.findAllByTestId("log-row");
    await user.type(screen.getByLabelText("Model"), "fakeco/solo{Enter}");
    await waitFor(() => expect(logRequests().some((q) => q.get("model") === "fakeco/solo")).toBe(true));
    expect(window.location.search).toContain("model=fakeco%2Fsolo");

    await user.type(screen.getByLabelText("From"), "2024-03-01");
    await waitFor(() => expect(logRequests().some((q) => q.has("from"))).toBe(true));
    const from = logRequests().find((q) => q.has("from"))!.get("from")!;
    expect(new Date(from).getDate()).toBe(1);
    expect(from).toMatch(/Z$/);
  });

  it("pages older with the cursor and back newer", async () => {
    const user = userEvent.setup();
    logsHandler = (r) =>
      r.url.searchParams.get("cursor") === "41"
        ? { logs: [log("gen-old")], next_cursor: null }
        : { logs: [log("gen-new")], next_cursor: "41" };
    renderPage();
    await screen.findAllByRole("link", { name: /fakeco\/duo/ });
    expect(screen.getByRole("button", { name: "Newer" })).toBeDisabled();
    await user.click(screen.getByRole("button", { name: "Older" }));
    await waitFor(() => expect(screen.getAllByTestId("log-row")[0]).toContainElement(document.querySelector('a[href="/logs/gen-old"]')));
    expect(logRequests().at(-1)!.get("cursor")).toBe("41");
    expect(screen.getByRole("button", { name: "Older" })).toBeDisabled();
    await user.click(screen.getByRole("button", { name: "Newer" }));
    await waitFor(() => expect(document.querySelector('a[href="/logs/gen-new"]')).not.toBeNull());
  });

  it("has a next step when there are no requests, and a way out when filters hide them", async () => {
    logsHandler = () => ({ logs: [], next_cursor: null });
    const { unmount } = renderPage();
    expect(await screen.findByText("No requests yet")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: /playground/i })).toHaveAttribute("href", "/playground");
    unmount();

    const user = userEvent.setup();
    renderPage("?status=500");
    expect(await screen.findByText("No requests match these filters")).toBeInTheDocument();
    await user.click(screen.getAllByRole("button", { name: "Clear filters" }).at(-1)!);
    expect(window.location.search).toBe("");
  });

  it("exports the filtered requests as CSV, every page of them", async () => {
    const user = userEvent.setup();
    vi.mocked(downloadCsv).mockClear();
    logsHandler = (r) => {
      const cursor = r.url.searchParams.get("cursor");
      if (r.url.searchParams.get("limit") !== "200") return { logs: [log("gen-1")], next_cursor: null };
      return cursor === null
        ? { logs: [log("gen-3", { created_at: "2026-03-01T12:00:00Z" }), log("gen-2", { error: 'bad "quote", here' })], next_cursor: "c2" }
        : { logs: [log("gen-1", { key_id: 8, status: 502, cost_micros: 0 })], next_cursor: null };
    };
    renderPage("?status=502&model=fakeco/duo");
    const rows = await screen.findAllByTestId("log-row");
    await waitFor(() => expect(rows[0]).toHaveTextContent("Production"));
    await user.click(screen.getByRole("button", { name: "Export CSV" }));
    await waitFor(() => expect(downloadCsv).toHaveBeenCalledTimes(1));
    const [filename, csv] = vi.mocked(downloadCsv).mock.calls[0]!;
    expect(filename).toMatch(/^turnpike-logs-\d{4}-\d{2}-\d{2}\.csv$/);
    const lines = csv.trimEnd().split("\r\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]!.split(",").slice(0, 7)).toEqual(["created_at_utc", "request_id", "status", "model", "provider", "upstream_model", "key"]);
    expect(lines[1]).toMatch(/^2026-03-01T12:00:00Z,gen-3,200,fakeco\/duo,fakeco,duo-1,Production,true,1200,34,0,0,0\.001234,provider,850,120,stop,$/);
    expect(lines[2]).toContain('"bad ""quote"", here"');
    expect(lines[3]).toContain(",gen-1,502,");
    expect(lines[3]).toContain(",Staging,");
    const exportCalls = api.sent.filter((r) => r.path === "/api/logs" && r.url.searchParams.get("limit") === "200");
    expect(exportCalls.map((r) => [r.url.searchParams.get("status"), r.url.searchParams.get("model"), r.url.searchParams.get("cursor")])).toEqual([
      ["502", "fakeco/duo", null],
      ["502", "fakeco/duo", "c2"],
    ]);
  });
});
