import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
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
    expect(day.searchParams.has("split_by")).toBe(false);
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
});
