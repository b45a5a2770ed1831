import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { apiError, fakeApi } from "@/test/fake-api";
import { renderWithClient } from "@/test/render";
import LogPage from "./log-page";

const api = fakeApi();

const detail = {
  id: "gen-abc123",
  model: "fakeco/duo",
  provider: "backupco",
  upstream_model: "duo-1",
  key_id: 7,
  streamed: false,
  prompt_tokens: 12,
  completion_tokens: 3,
  cached_tokens: 4,
  reasoning_tokens: 0,
  cost_micros: 42,
  usage_source: "estimated",
  latency_ms: 1500,
  ttft_ms: null,
  status: 200,
  finish_reason: "stop",
  error: null,
  created_at: "2024-03-01T12:00:00Z",
  prices: { input: 2_500_000, output: 10_000_000, cache_read: 1_250_000, cache_write: 0 },
  attempts: [
    { provider: "fakeco", status: 503, error: "Upstream is overloaded", latency_ms: 200 },
    { provider: "backupco", status: 200, error: null, latency_ms: 1200 },
  ],
  routing: [
    { provider: "fakeco", model: "fakeco/duo", outcome: "failed", status: 503, reason: null },
    { provider: "backupco", model: "fakeco/duo", outcome: "answered", status: null, reason: null },
    { provider: "backupco", model: "fakeco/solo", outcome: "not needed", status: null, reason: null },
    { provider: "cheapco", model: "fakeco/duo", outcome: "skipped", status: null, reason: "in provider.ignore" },
  ],
};

function setup(log: Record<string, unknown> | null) {
  api.routes = {
    "GET /api/keys": { body: { keys: [] } },
    "GET /api/models": { body: { companies: [], providers: [{ id: "backupco", name: "Backup Co" }], models: [] } },
    "GET /api/logs/*": log ? { body: { log } } : apiError(404, "No request with id gen-missing", "not_found_error"),
  };
}

function renderPage(id: string) {
  return renderWithClient(<LogPage params={{ id }} />);
}

describe("Request detail page", () => {
  it("shows the attempts and says it failed over", async () => {
    setup(detail);
    renderPage("gen-abc123");
    expect(await screen.findByTestId("failover")).toHaveTextContent("Failed over from fakeco (503) to");
    const attempts = screen.getByRole("list", { name: "Attempts" });
    const items = within(attempts).getAllByRole("listitem");
    expect(items).toHaveLength(2);
    expect(items[0]).toHaveTextContent("fakeco");
    expect(items[0]).toHaveTextContent("503");
    expect(items[0]).toHaveTextContent("Upstream is overloaded");
    expect(items[1]).toHaveTextContent("Answered");
    expect(api.sent.some((r) => r.path === "/api/logs/gen-abc123")).toBe(true);
  });

  it("explains the routing: each candidate in order with what became of it and why", async () => {
    setup(detail);
    renderPage("gen-abc123");
    const routing = await screen.findByRole("list", { name: "Routing" });
    const items = within(routing).getAllByRole("listitem");
    expect(items).toHaveLength(4);
    expect(items[0]).toHaveTextContent("fakeco");
    expect(items[0]).toHaveTextContent("Failed (503)");
    expect(await within(items[1]!).findByText("Backup Co")).toBeInTheDocument();
    expect(items[1]).toHaveTextContent("Answered");
    expect(items[2]).toHaveTextContent("fakeco/solo");
    expect(items[2]).toHaveTextContent("Not needed");
    expect(items[3]).toHaveTextContent("cheapco");
    expect(items[3]).toHaveTextContent("Skipped");
    expect(items[3]).toHaveTextContent("in provider.ignore");
  });

  it("has no routing card for a request logged without an explanation", async () => {
    setup({ ...detail, routing: [] });
    renderPage("gen-abc123");
    await screen.findByRole("list", { name: "Attempts" });
    expect(screen.queryByRole("list", { name: "Routing" })).toBeNull();
  });

  it("shows id, tokens, cost and the prices it was charged at", async () => {
    setup(detail);
    renderPage("gen-abc123");
    expect(await screen.findByText("gen-abc123")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Copy request id" })).toBeInTheDocument();
    expect(screen.getByTestId("log-cost")).toHaveTextContent("$0.000042");
    expect(screen.getByText("$2.50")).toBeInTheDocument();
    expect(screen.getByText("$10.00")).toBeInTheDocument();
    expect(screen.getByText("Estimated")).toBeInTheDocument();
    expect(screen.getByText("1.50 s")).toBeInTheDocument();
  });

  it("notes that prompt logging is off when there is no text, with a link to keys", async () => {
    setup(detail);
    renderPage("gen-abc123");
    const note = await screen.findByTestId("prompt-logging-off");
    expect(note).toHaveTextContent("Prompt logging is off for this key");
    expect(within(note).getByRole("link")).toHaveAttribute("href", "/keys");
  });

  it("shows the prompt as messages and the completion when they were logged", async () => {
    setup({ ...detail, prompt: JSON.stringify({ model: "fakeco/duo", messages: [{ role: "user", content: "Hello there" }] }), completion: "General Kenobi" });
    renderPage("gen-abc123");
    expect(await screen.findByText("Hello there")).toBeInTheDocument();
    expect(screen.getByText("General Kenobi")).toBeInTheDocument();
    expect(screen.queryByTestId("prompt-logging-off")).toBeNull();
  });

  it("says clearly when the request does not exist", async () => {
    setup(null);
    renderPage("gen-missing");
    expect(await screen.findByText("Request not found")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Back to logs" })).toHaveAttribute("href", "/logs");
  });
});
