import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { apiError, fakeApi } from "@/test/fake-api";
import { renderWithClient } from "@/test/render";
import AdminUserPage from "./user-page";

const api = fakeApi();

const page = {
  user: {
    id: 5,
    email: "tess@example.com",
    is_admin: false,
    disabled: false,
    created_at: "2026-01-01T00:00:00Z",
    balance_micros: 7_500_000,
    total_credited_micros: 10_000_000,
    total_spent_micros: 2_500_000,
  },
  keys: [
    { id: 7, name: "Production", prefix: "sk-tp-v1-ab", created_at: "2026-01-01T00:00:00Z", last_used_at: null, expires_at: null, disabled: false, log_prompts: false, usage_micros: 420, limit_micros: 5_000_000 },
  ],
  usage: {
    from: "2026-02-01T00:00:00Z",
    to: "2026-03-03T00:00:00Z",
    totals: { requests: 3, errors: 1, prompt_tokens: 300, completion_tokens: 30, cost_micros: 420 },
    by_model: [{ group: "fakeco/duo", requests: 3, errors: 1, prompt_tokens: 300, completion_tokens: 30, cost_micros: 420 }],
  },
  recent_requests: [
    {
      id: "gen-1",
      model: "fakeco/duo",
      provider: "fakeco",
      upstream_model: "duo-1",
      key_id: 7,
      streamed: false,
      prompt_tokens: 100,
      completion_tokens: 10,
      cached_tokens: 0,
      reasoning_tokens: 0,
      cost_micros: 140,
      usage_source: "provider",
      latency_ms: 10,
      ttft_ms: null,
      status: 502,
      finish_reason: null,
      error: "upstream failed",
      created_at: "2026-03-02T10:00:00Z",
      prices: { input: 1, output: 1, cache_read: 0, cache_write: 0 },
    },
  ],
};

describe("An admin's user page", () => {
  it("shows the user's balance, keys, usage by model and recent requests", async () => {
    api.routes = { "GET /api/admin/users/5": { body: page } };
    renderWithClient(<AdminUserPage params={{ id: "5" }} />);
    expect(await screen.findByRole("heading", { name: "tess@example.com" })).toBeInTheDocument();
    expect(screen.getByTestId("user-balance")).toHaveTextContent("$7.50");
    expect(screen.getByTestId("user-spent")).toHaveTextContent("$2.5000");
    expect(screen.getByTestId("user-requests")).toHaveTextContent("3");
    const keys = screen.getByRole("table", { name: "Keys" });
    expect(within(keys).getByText("Production")).toBeInTheDocument();
    expect(within(keys).getByText("of $5.00")).toBeInTheDocument();
    expect(screen.getByTestId("user-usage-row")).toHaveTextContent("fakeco/duo");
    expect(screen.getByTestId("user-usage-row")).toHaveTextContent("$0.000420");
    const request = screen.getByTestId("user-request-row");
    expect(request).toHaveTextContent("502");
    expect(request).toHaveTextContent("$0.000140");
    expect(screen.getByRole("link", { name: "All users" })).toHaveAttribute("href", "/admin/users");
  });

  it("says so when the user does not exist", async () => {
    api.routes = { "GET /api/admin/users/9": apiError(404, "No user with id 9", "not_found_error") };
    renderWithClient(<AdminUserPage params={{ id: "9" }} />);
    expect(await screen.findByText("This user could not be loaded")).toBeInTheDocument();
    expect(screen.getByText("No user with id 9")).toBeInTheDocument();
  });

  it("asks nothing for an id that is not a number", async () => {
    renderWithClient(<AdminUserPage params={{ id: "abc" }} />);
    expect(await screen.findByText("This user could not be loaded")).toBeInTheDocument();
    expect(api.sent).toEqual([]);
  });
});
