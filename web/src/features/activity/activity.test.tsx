import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { downloadCsv } from "@/lib/csv";
import { fakeApi } from "@/test/fake-api";
import { renderWithClient } from "@/test/render";
import ActivityPage from "./index";
import { addDays, utcDay } from "./data/range";

type Body = Record<string, unknown>;

const keys = {
  keys: [
    { id: 7, name: "Production", prefix: "tp-abc", created_at: "2024-01-01T00:00:00Z", last_used_at: null, expires_at: null, disabled: false, log_prompts: false, usage_micros: 0, limit_micros: null },
  ],
};
const totals = { requests: 1234, errors: 5, prompt_tokens: 100_000, completion_tokens: 20_000, cost_micros: 1_230_000 };

vi.mock("@/lib/csv", async (original) => ({ ...(await original<typeof import("@/lib/csv")>()), downloadCsv: vi.fn() }));

const api = fakeApi();
const requests = () => api.sent.map((r) => r.url);

function mockApi(activity: (url: URL) => Body) {
  api.routes = {
    "GET /api/keys": { body: keys },
    "GET /api/activity": ({ url }) => ({ body: activity(url) }),
  };
}

function renderPage(search = "") {
  window.history.replaceState(null, "", "/activity" + search);
  return renderWithClient(<ActivityPage />);
}

const today = utcDay(Date.now());

beforeEach(() => {
  mockApi((url) => {
    const by = url.searchParams.get("group_by");
    if (by === "model") {
      return {
        buckets: [
          { group: "fakeco/duo", requests: 1000, errors: 5, prompt_tokens: 90_000, completion_tokens: 15_000, cost_micros: 1_000_000 },
          { group: "fakeco/solo", requests: 234, errors: 0, prompt_tokens: 10_000, completion_tokens: 5_000, cost_micros: 230_000 },
        ],
        totals,
      };
    }
    if (by === "key") {
      return { buckets: [{ group: "7", ...totals }], totals };
    }
    return { buckets: [{ group: today, ...totals, ...(url.searchParams.get("split_by") ? { series: "7" } : {}) }], totals };
  });
});

describe("Activity page", () => {
  it("shows the totals of the range", async () => {
    renderPage();
    expect(await screen.findByTestId("activity-total-spend")).toHaveTextContent("$1.23");
    expect(screen.getByTestId("activity-total-requests")).toHaveTextContent("1,234");
    expect(screen.getByTestId("activity-total-tokens")).toHaveTextContent("120K");
    expect(screen.getByText("100K prompt · 20K completion")).toBeInTheDocument();
    expect(screen.getByTestId("activity-total-errors")).toHaveTextContent("5");
  });

  it("asks for the last 30 UTC days, today included", async () => {
    renderPage();
    await screen.findByTestId("activity-total-spend");
    const day = requests().find((u) => u.pathname === "/api/activity" && u.searchParams.get("group_by") === "day")!;
    expect(day.searchParams.get("from")).toBe(addDays(today, -29) + "T00:00:00Z");
    expect(day.searchParams.get("to")).toBe(addDays(today, 1) + "T00:00:00Z");
  });

  it("opens with the chart broken down by model; Total is kept in the URL and restored", async () => {
    const user = userEvent.setup();
    const { unmount } = renderPage();
    await screen.findByTestId("activity-total-spend");
    const breakdown = screen.getByRole("group", { name: "Breakdown" });
    expect(within(breakdown).getByRole("button", { name: "By model" })).toHaveAttribute("aria-pressed", "true");
    const day = requests().find((u) => u.searchParams.get("group_by") === "day")!;
    expect(day.searchParams.get("split_by")).toBe("model");
    // The default stays out of the address.
    expect(window.location.search).not.toContain("by=");

    await user.click(within(breakdown).getByRole("button", { name: "Total" }));
    expect(window.location.search).toContain("by=total");
    await waitFor(() =>
      expect(requests().some((u) => u.searchParams.get("group_by") === "day" && !u.searchParams.has("split_by"))).toBe(true),
    );
    unmount();

    // A reload of that address shows Total again.
    api.sent.length = 0;
    renderPage(window.location.search);
    await screen.findByTestId("activity-total-spend");
    expect(within(screen.getByRole("group", { name: "Breakdown" })).getByRole("button", { name: "Total" })).toHaveAttribute("aria-pressed", "true");
    const again = requests().find((u) => u.searchParams.get("group_by") === "day")!;
    expect(again.searchParams.has("split_by")).toBe(false);
  });

  it("lists the models with their share of spend", async () => {
    renderPage();
    const table = await screen.findByRole("table");
    const rows = within(table).getAllByRole("row");
    expect(rows[1]).toHaveTextContent("fakeco/duo");
    expect(rows[1]).toHaveTextContent("81.3%");
    expect(rows[2]).toHaveTextContent("fakeco/solo");
  });

  it("breaks down by key with key names, and keeps the choice in the URL", async () => {
    const user = userEvent.setup();
    renderPage("?range=7d");
    await screen.findByTestId("activity-total-spend");
    await user.click(within(screen.getByRole("group", { name: "Breakdown" })).getByRole("button", { name: "By key" }));
    expect(window.location.search).toContain("by=key");
    await waitFor(() =>
      expect(requests().some((u) => u.searchParams.get("group_by") === "day" && u.searchParams.get("split_by") === "key")).toBe(true),
    );
    const table = await screen.findByRole("table");
    await waitFor(() => expect(within(table).getByText("Production")).toBeInTheDocument());
    expect(screen.getByRole("button", { name: "7 days" })).toHaveAttribute("aria-pressed", "true");
  });

  it("offers a custom range with From and To dates", async () => {
    const user = userEvent.setup();
    renderPage();
    await screen.findByTestId("activity-total-spend");
    await user.click(screen.getByRole("button", { name: "Custom" }));
    expect(screen.getByLabelText("From")).toHaveValue(addDays(today, -29));
    expect(screen.getByLabelText("To")).toHaveValue(today);
    expect(window.location.search).toContain("range=custom");
  });

  it("says so when there was no usage, with a next step", async () => {
    mockApi(() => ({ buckets: [], totals: { requests: 0, errors: 0, prompt_tokens: 0, completion_tokens: 0, cost_micros: 0 } }));
    renderPage();
    expect(await screen.findByText("No requests in this period")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: /playground/i })).toHaveAttribute("href", "/playground");
    expect(screen.getByRole("link", { name: /API key/i })).toHaveAttribute("href", "/keys");
  });

  it("restores its view from the URL after a reload", async () => {
    renderPage("?range=custom&from=2026-03-01&to=2026-03-07&metric=tokens&by=model");
    await screen.findByTestId("activity-total-spend");
    expect(screen.getByRole("button", { name: "Custom" })).toHaveAttribute("aria-pressed", "true");
    expect(screen.getByRole("button", { name: "Tokens" })).toHaveAttribute("aria-pressed", "true");
    expect(screen.getByRole("button", { name: "By model" })).toHaveAttribute("aria-pressed", "true");
    expect(screen.getByLabelText("From")).toHaveValue("2026-03-01");
    const day = requests().find((u) => u.searchParams.get("group_by") === "day")!;
    expect(day.searchParams.get("from")).toBe("2026-03-01T00:00:00Z");
    expect(day.searchParams.get("to")).toBe("2026-03-08T00:00:00Z");
    expect(day.searchParams.get("split_by")).toBe("model");
  });

  it("exports usage per day and model as CSV for the range shown", async () => {
    const user = userEvent.setup();
    vi.mocked(downloadCsv).mockClear();
    mockApi((url) => {
      if (url.searchParams.get("split_by") === "model") {
        return {
          buckets: [
            { group: "2026-03-02", series: "fakeco/solo", requests: 2, errors: 0, prompt_tokens: 20, completion_tokens: 4, cost_micros: 1 },
            { group: "2026-03-01", series: "fakeco/solo", requests: 1, errors: 1, prompt_tokens: 10, completion_tokens: 2, cost_micros: 420 },
            { group: "2026-03-01", series: "fakeco/duo", requests: 3, errors: 0, prompt_tokens: 30, completion_tokens: 6, cost_micros: 1_500_000 },
          ],
          totals,
        };
      }
      return { buckets: [{ group: "2026-03-01", ...totals }], totals };
    });
    renderPage("?range=custom&from=2026-03-01&to=2026-03-02");
    await screen.findByTestId("activity-total-spend");
    await user.click(screen.getByRole("button", { name: "Export CSV" }));
    await waitFor(() => expect(downloadCsv).toHaveBeenCalledTimes(1));
    const [filename, csv] = vi.mocked(downloadCsv).mock.calls[0]!;
    expect(filename).toMatch(/^turnpike-activity-2026-03-01-to-2026-03-02-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(csv).toBe(
      "day_utc,model,requests,errors,prompt_tokens,completion_tokens,cost_usd\r\n" +
        "2026-03-01,fakeco/duo,3,0,30,6,1.5\r\n" +
        "2026-03-01,fakeco/solo,1,1,10,2,0.00042\r\n" +
        "2026-03-02,fakeco/solo,2,0,20,4,0.000001\r\n",
    );
  });
});
