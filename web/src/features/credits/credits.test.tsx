import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ServerConfig, Transaction } from "@/lib/api";
import { formatUsd } from "@/lib/money";
import { useMe } from "@/lib/queries";
import { Toaster } from "@/components/ui/toaster";
import { apiError, fakeApi, type Route, type SentRequest } from "@/test/fake-api";
import { renderWithClient } from "@/test/render";
import { downloadCsv } from "@/lib/csv";
import { redirectTo } from "./data/redirect";
import CreditsPage from "./index";

vi.mock("./data/redirect", () => ({ redirectTo: vi.fn() }));
vi.mock("@/lib/csv", async (original) => ({ ...(await original<typeof import("@/lib/csv")>()), downloadCsv: vi.fn() }));

const api = fakeApi();

function tx(over: Partial<Transaction>): Transaction {
  return {
    id: 1,
    kind: "topup",
    amount_micros: 25_000_000,
    running: false,
    note: null,
    request_id: null,
    created_at: "2026-03-01T12:00:00Z",
    settled_at: null,
    ...over,
  };
}

type State = {
  provider: ServerConfig["payments"]["provider"];
  balance: number;
  transactions: Transaction[];
};

/** Serves the config, balance, ledger (paged by cursor) and user from `state`, and `handlers` ("POST …"); returns what was sent. */
function mockApi(state: State, handlers: Record<string, Route> = {}) {
  api.routes = {
    "GET /api/config": () => ({ body: { gateway_url: null, payments: { provider: state.provider, min_micros: 1_000_000, max_micros: 10_000_000_000 } } }),
    "GET /api/credits": () => ({ body: { balance_micros: state.balance, total_credited_micros: state.balance + 2_000_000, total_spent_micros: 2_000_000 } }),
    // Pages like the server: newest first, ids below `before`, and a cursor only after a full page.
    "GET /api/credits/transactions": ({ url }) => {
      const limit = Number(url.searchParams.get("limit") ?? 50);
      const before = url.searchParams.get("before");
      const type = url.searchParams.get("type");
      const page = state.transactions
        .filter((t) => (before === null || t.id < Number(before)) && (type === null || t.kind === type))
        .slice(0, limit);
      return { body: { transactions: page, next_before: page.length === limit ? page[page.length - 1]!.id : null } };
    },
    "GET /api/me": () => ({
      body: {
        user: { id: 1, email: "ann@example.com", is_admin: false, disabled: false, created_at: "2026-01-01T00:00:00Z" },
        balance_micros: state.balance,
        total_credited_micros: state.balance,
        total_spent_micros: 0,
      },
    }),
    ...handlers,
  };
  return api.sent;
}

/** Stands in for the header, which shows the balance from /api/me. */
function HeaderBalance() {
  const me = useMe();
  return <p data-testid="header-balance">{me.data ? formatUsd(me.data.balance_micros) : ""}</p>;
}

function renderPage() {
  return renderWithClient(
    <>
      <HeaderBalance />
      <CreditsPage />
      <Toaster />
    </>,
  );
}

const count = (sent: SentRequest[], method: string, path: string) => sent.filter((r) => r.method === method && r.path === path).length;

beforeEach(() => {
  window.history.replaceState(null, "", "/credits");
  vi.mocked(redirectTo).mockClear();
});

describe("Credits page", () => {
  it("shows the balance, totals and one line per request with what it cost", async () => {
    mockApi({
      provider: "sandbox",
      balance: 12_340_000,
      transactions: [
        tx({ id: 5, kind: "request", amount_micros: -1_260_400, running: true, request_id: "gen-run" }),
        tx({ id: 3, kind: "request", amount_micros: -420, request_id: "gen-abc", settled_at: "2026-03-01T12:00:01Z" }),
        tx({ id: 2, kind: "deduct", amount_micros: -5_000_000, note: "correction" }),
        tx({ id: 1, kind: "grant", amount_micros: 10_000_000, note: "welcome" }),
      ],
    });
    renderPage();
    expect(await screen.findByTestId("credit-balance")).toHaveTextContent("$12.34");
    expect(screen.getByText("$14.34")).toBeInTheDocument();
    expect(screen.getByText("$2.00")).toBeInTheDocument();

    const done = (await screen.findByRole("link", { name: "gen-abc" })).closest("tr")!;
    expect(done).toHaveTextContent("Request");
    expect(done).toHaveTextContent("−$0.000420");
    expect(done).not.toHaveTextContent("+");
    expect(within(done).getByRole("link", { name: "gen-abc" })).toHaveAttribute("href", "/logs/gen-abc");
    // A request still running shows what is held for it, marked as such.
    const running = screen.getByRole("link", { name: "gen-run" }).closest("tr")!;
    expect(running).toHaveTextContent("Running");
    expect(running).toHaveTextContent("−$1.2604held");
    expect(screen.queryByText("Charge")).not.toBeInTheDocument();
    expect(screen.queryByText("Hold")).not.toBeInTheDocument();
    expect(screen.getByText("Deduction").closest("tr")).toHaveTextContent("−$5.00");
    const grant = screen.getByText("Grant").closest("tr")!;
    expect(grant).toHaveTextContent("welcome");
    expect(within(grant).getByText("+$10.00")).toHaveClass("text-success");
    // Times name their zone.
    const time = within(grant).getByText((_, el) => el?.tagName === "TIME");
    expect(time).toHaveAttribute("dateTime", "2026-03-01T12:00:00Z");
    expect(time.textContent).toMatch(/(UTC|GMT)/);
  });

  it("says so when there are no transactions", async () => {
    mockApi({ provider: "sandbox", balance: 0, transactions: [] });
    renderPage();
    expect(await screen.findByText("No transactions yet")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Load more" })).not.toBeInTheDocument();
  });

  it("validates a custom amount before sending anything", async () => {
    const user = userEvent.setup();
    const sent = mockApi({ provider: "sandbox", balance: 0, transactions: [] });
    renderPage();
    const input = await screen.findByLabelText("Custom amount (USD)");
    await waitFor(() => expect(input).toBeEnabled());
    const submit = screen.getByRole("button", { name: "Add credits" });

    await user.type(input, "abc");
    expect(screen.getByRole("button", { name: "$25" })).toHaveAttribute("aria-pressed", "false");
    await user.click(submit);
    expect(screen.getByRole("alert")).toHaveTextContent("Enter a dollar amount with at most two decimals, like 25 or 12.50.");
    expect(input).toHaveAttribute("aria-invalid", "true");

    for (const [text, message] of [
      ["12.345", "Enter a dollar amount with at most two decimals, like 25 or 12.50."],
      ["0.50", "The smallest top-up is $1.00."],
      ["20000", "The largest top-up is $10,000.00."],
    ] as const) {
      await user.clear(input);
      await user.type(input, text);
      await user.click(submit);
      expect(screen.getByRole("alert")).toHaveTextContent(message);
    }
    await user.clear(input);
    await user.click(submit);
    expect(screen.getByRole("alert")).toHaveTextContent("Enter an amount from $1.00 to $10,000.00.");
    expect(count(sent, "POST", "/api/credits/checkout")).toBe(0);
  });

  it("tops up $25 with the sandbox: posts the amount, toasts, refreshes balance and header", async () => {
    const user = userEvent.setup();
    const state: State = { provider: "sandbox", balance: 5_000_000, transactions: [] };
    const sent = mockApi(state, {
      "POST /api/credits/checkout": () => {
        state.balance += 25_000_000;
        state.transactions = [tx({ id: 9, note: "top-up via sandbox" })];
        return {
          body: {
            topup: { id: 1, amount_micros: 25_000_000, provider: "sandbox", status: "completed", created_at: "2026-03-01T12:00:00Z", completed_at: "2026-03-01T12:00:00Z" },
            checkout_url: null,
          },
        };
      },
    });
    renderPage();
    expect(await screen.findByTestId("credit-balance")).toHaveTextContent("$5.00");
    await waitFor(() => expect(screen.getByTestId("header-balance")).toHaveTextContent("$5.00"));
    expect(screen.getByRole("button", { name: "$25" })).toHaveAttribute("aria-pressed", "true");
    await waitFor(() => expect(screen.getByRole("button", { name: "Add credits" })).toBeEnabled());
    await user.click(screen.getByRole("button", { name: "Add credits" }));

    expect(await screen.findByText("Added $25.00 to your balance")).toBeInTheDocument();
    expect(sent.find((r) => r.method === "POST")?.body).toEqual({ amount_usd: "25.00" });
    await waitFor(() => expect(screen.getByTestId("credit-balance")).toHaveTextContent("$30.00"));
    await waitFor(() => expect(screen.getByTestId("header-balance")).toHaveTextContent("$30.00"));
    expect(await screen.findByText("top-up via sandbox")).toBeInTheDocument();
    expect(redirectTo).not.toHaveBeenCalled();
  });

  it("sends a custom amount as whole cents", async () => {
    const user = userEvent.setup();
    const sent = mockApi(
      { provider: "sandbox", balance: 0, transactions: [] },
      {
        "POST /api/credits/checkout": {
          body: {
            topup: { id: 1, amount_micros: 12_500_000, provider: "sandbox", status: "completed", created_at: "2026-03-01T12:00:00Z", completed_at: null },
            checkout_url: null,
          },
        },
      },
    );
    renderPage();
    const input = await screen.findByLabelText("Custom amount (USD)");
    await waitFor(() => expect(input).toBeEnabled());
    await user.type(input, "12.5");
    await user.click(screen.getByRole("button", { name: "Add credits" }));
    expect(await screen.findByText("Added $12.50 to your balance")).toBeInTheDocument();
    expect(sent.find((r) => r.method === "POST")?.body).toEqual({ amount_usd: "12.50" });
  });

  it("sends the browser to Stripe Checkout", async () => {
    const user = userEvent.setup();
    mockApi(
      { provider: "stripe", balance: 0, transactions: [] },
      {
        "POST /api/credits/checkout": {
          body: {
            topup: { id: 1, amount_micros: 50_000_000, provider: "stripe", status: "pending", created_at: "2026-03-01T12:00:00Z", completed_at: null },
            checkout_url: "https://checkout.stripe.com/c/pay/cs_test_1",
          },
        },
      },
    );
    renderPage();
    expect(await screen.findByText(/Stripe's secure checkout page/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "$50" }));
    await user.click(screen.getByRole("button", { name: "Add credits" }));
    await waitFor(() => expect(redirectTo).toHaveBeenCalledWith("https://checkout.stripe.com/c/pay/cs_test_1"));
  });

  it("explains and disables the form when top-ups are off", async () => {
    mockApi({ provider: "none", balance: 0, transactions: [] });
    renderPage();
    expect(await screen.findByText("Top-ups are not enabled on this server.")).toBeInTheDocument();
    expect(screen.getByText(/Ask an admin/)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Add credits" })).toBeDisabled();
    expect(screen.getByLabelText("Custom amount (USD)")).toBeDisabled();
    expect(screen.getByRole("button", { name: "$10" })).toBeDisabled();
  });

  it("shows the server's refusal", async () => {
    const user = userEvent.setup();
    mockApi(
      { provider: "sandbox", balance: 0, transactions: [] },
      {
        "POST /api/credits/checkout": apiError(503, "Top-ups are turned off on this server (payments.provider)", "service_unavailable"),
      },
    );
    renderPage();
    await waitFor(() => expect(screen.getByRole("button", { name: "Add credits" })).toBeEnabled());
    await user.click(screen.getByRole("button", { name: "Add credits" }));
    expect(await screen.findByText("Top-ups are turned off on this server (payments.provider)")).toBeInTheDocument();
  });

  it("welcomes the user back from Stripe, clears the parameter and refetches the balance", async () => {
    window.history.replaceState(null, "", "/credits?checkout=success&session_id=cs_test_1");
    const sent = mockApi({ provider: "stripe", balance: 0, transactions: [] });
    renderPage();
    expect(await screen.findByText("Payment received — your balance updates as soon as Stripe confirms it")).toBeInTheDocument();
    await waitFor(() => expect(window.location.search).toBe(""));
    // The webhook may land after the browser is back: the balance is fetched again a little later.
    await waitFor(() => expect(count(sent, "GET", "/api/credits")).toBeGreaterThanOrEqual(2), { timeout: 4000 });
  }, 10_000);

  it("says nothing was charged after a cancelled checkout", async () => {
    window.history.replaceState(null, "", "/credits?checkout=cancelled");
    mockApi({ provider: "stripe", balance: 0, transactions: [] });
    renderPage();
    expect(await screen.findByText(/Checkout cancelled/)).toBeInTheDocument();
    await waitFor(() => expect(window.location.search).toBe(""));
  });

  it("loads older pages by cursor until the last one", async () => {
    const user = userEvent.setup();
    const transactions = Array.from({ length: 120 }, (_, i) => tx({ id: 120 - i, note: `entry ${120 - i}` }));
    const sent = mockApi({ provider: "sandbox", balance: 0, transactions });
    renderPage();
    expect(await screen.findByText("entry 120")).toBeInTheDocument();
    expect(screen.getByText("entry 71")).toBeInTheDocument();
    expect(screen.queryByText("entry 70")).not.toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Load more" }));
    expect(await screen.findByText("entry 21")).toBeInTheDocument();
    expect(screen.getByText("entry 120")).toBeInTheDocument();
    expect(screen.queryByText("entry 20")).not.toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Load more" }));
    expect(await screen.findByText("entry 1")).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByRole("button", { name: "Load more" })).not.toBeInTheDocument());
    expect(screen.getAllByRole("row")).toHaveLength(1 + 120); // the header, then each entry once
    expect(screen.queryByText(/Showing the latest/)).not.toBeInTheDocument();
    expect(sent.filter((r) => r.path === "/api/credits/transactions").map((r) => r.url.search)).toEqual([
      "?limit=50",
      "?limit=50&before=71",
      "?limit=50&before=21",
    ]);
  });

  it("offers no more after a full last page once the next one comes back empty", async () => {
    const user = userEvent.setup();
    const transactions = Array.from({ length: 50 }, (_, i) => tx({ id: 50 - i, note: `entry ${50 - i}` }));
    const sent = mockApi({ provider: "sandbox", balance: 0, transactions });
    renderPage();
    expect(await screen.findByText("entry 1")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Load more" }));
    await waitFor(() => expect(screen.queryByRole("button", { name: "Load more" })).not.toBeInTheDocument());
    expect(screen.getByText("entry 50")).toBeInTheDocument();
    expect(screen.queryByText("No transactions yet")).not.toBeInTheDocument();
    expect(sent.filter((r) => r.path === "/api/credits/transactions").map((r) => r.url.search)).toEqual(["?limit=50", "?limit=50&before=1"]);
  });

  it("reads its filters from the URL, sends them, and writes changes back to the URL", async () => {
    const user = userEvent.setup();
    window.history.replaceState(null, "", "/credits?type=grant&from=2026-03-01&to=2026-03-02");
    const sent = mockApi({
      provider: "sandbox",
      balance: 0,
      transactions: [tx({ id: 2, kind: "request", amount_micros: -10, request_id: "gen-x" }), tx({ id: 1, kind: "grant", note: "welcome" })],
    });
    renderPage();
    expect(await screen.findByText("welcome")).toBeInTheDocument();
    expect(screen.queryByText("gen-x")).not.toBeInTheDocument();
    expect(screen.getByLabelText("From")).toHaveValue("2026-03-01");
    expect(screen.getByLabelText("To")).toHaveValue("2026-03-02");
    const q = sent.find((r) => r.path === "/api/credits/transactions")!.url.searchParams;
    expect(q.get("type")).toBe("grant");
    // Local days: from the first day's midnight to the midnight after the last.
    expect(new Date(q.get("from")!).getTime()).toBe(new Date(2026, 2, 1).getTime());
    expect(new Date(q.get("to")!).getTime()).toBe(new Date(2026, 2, 3).getTime());

    await user.click(screen.getByRole("button", { name: "Clear" }));
    await waitFor(() => expect(window.location.search).toBe(""));
    expect(await screen.findByText("gen-x")).toBeInTheDocument();
  });

  it("says the last day cannot be before the first, and asks nothing", async () => {
    window.history.replaceState(null, "", "/credits?from=2026-03-05&to=2026-03-01");
    const sent = mockApi({ provider: "sandbox", balance: 0, transactions: [] });
    renderPage();
    expect(await screen.findByText("The last day is before the first.")).toBeInTheDocument();
    expect(count(sent, "GET", "/api/credits/transactions")).toBe(0);
  });

  it("exports every line the filters select as CSV, across pages", async () => {
    const user = userEvent.setup();
    window.history.replaceState(null, "", "/credits?type=request");
    const transactions = Array.from({ length: 250 }, (_, i) =>
      tx({ id: 250 - i, kind: "request", amount_micros: -(250 - i), request_id: `gen-${250 - i}`, note: i === 0 ? 'say "hi", =1' : null }),
    );
    const sent = mockApi({ provider: "sandbox", balance: 0, transactions: [...transactions, tx({ id: 0, kind: "grant" })] });
    vi.mocked(downloadCsv).mockClear();
    renderPage();
    await screen.findByText("gen-250");
    await user.click(screen.getByRole("button", { name: "Export CSV" }));
    await waitFor(() => expect(downloadCsv).toHaveBeenCalledTimes(1));
    const [filename, csv] = vi.mocked(downloadCsv).mock.calls[0]!;
    expect(filename).toMatch(/^turnpike-credits-\d{4}-\d{2}-\d{2}\.csv$/);
    const lines = csv.trimEnd().split("\r\n");
    expect(lines[0]).toBe("date_utc,type,amount_usd,status,request_id,note,settled_at_utc");
    expect(lines).toHaveLength(251);
    expect(lines[1]).toBe(`2026-03-01T12:00:00Z,Request,-0.00025,charged,gen-250,"say ""hi"", =1",`);
    expect(lines[250]).toBe("2026-03-01T12:00:00Z,Request,-0.000001,charged,gen-1,,");
    const exportCalls = sent.filter((r) => r.path === "/api/credits/transactions" && r.url.searchParams.get("limit") === "200");
    expect(exportCalls.map((r) => r.url.searchParams.get("type"))).toEqual(["request", "request"]);
  });

  it("keeps the loaded entries when loading more fails, and can try again", async () => {
    const user = userEvent.setup();
    const transactions = Array.from({ length: 60 }, (_, i) => tx({ id: 60 - i, note: `entry ${60 - i}` }));
    let fail = true;
    mockApi(
      { provider: "sandbox", balance: 0, transactions },
      {
        "GET /api/credits/transactions": ({ url }) => {
          const before = url.searchParams.get("before");
          if (before !== null && fail) return apiError(503, "The ledger is busy", "service_unavailable");
          const page = transactions.filter((t) => before === null || t.id < Number(before)).slice(0, 50);
          return { body: { transactions: page, next_before: page.length === 50 ? page[49]!.id : null } };
        },
      },
    );
    renderPage();
    expect(await screen.findByText("entry 60")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Load more" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("The ledger is busy");
    expect(screen.getByText("entry 60")).toBeInTheDocument();
    expect(screen.queryByText("Transactions could not be loaded")).not.toBeInTheDocument();

    fail = false;
    await user.click(screen.getByRole("button", { name: "Load more" }));
    expect(await screen.findByText("entry 1")).toBeInTheDocument();
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Load more" })).not.toBeInTheDocument();
  });

  it("says so when the ledger cannot be loaded", async () => {
    mockApi(
      { provider: "sandbox", balance: 0, transactions: [] },
      { "GET /api/credits/transactions": apiError(503, "The ledger is busy", "service_unavailable") },
    );
    renderPage();
    expect(await screen.findByText("Transactions could not be loaded")).toBeInTheDocument();
    expect(screen.getByText("The ledger is busy")).toBeInTheDocument();
  });

  it("refreshes every loaded page after a top-up, each entry once", async () => {
    const user = userEvent.setup();
    const state: State = {
      provider: "sandbox",
      balance: 0,
      transactions: Array.from({ length: 60 }, (_, i) => tx({ id: 60 - i, note: `entry ${60 - i}` })),
    };
    const sent = mockApi(state, {
      "POST /api/credits/checkout": () => {
        state.transactions = [tx({ id: 61, note: "top-up via sandbox" }), ...state.transactions];
        return {
          body: {
            topup: { id: 1, amount_micros: 25_000_000, provider: "sandbox", status: "completed", created_at: "2026-03-01T12:00:00Z", completed_at: "2026-03-01T12:00:00Z" },
            checkout_url: null,
          },
        };
      },
    });
    renderPage();
    expect(await screen.findByText("entry 60")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Load more" }));
    expect(await screen.findByText("entry 1")).toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole("button", { name: "Add credits" })).toBeEnabled());
    sent.length = 0;

    await user.click(screen.getByRole("button", { name: "Add credits" }));
    expect(await screen.findByText("top-up via sandbox")).toBeInTheDocument();
    await waitFor(() =>
      expect(sent.filter((r) => r.path === "/api/credits/transactions").map((r) => r.url.search)).toEqual(["?limit=50", "?limit=50&before=12"]),
    );
    expect(screen.getByText("entry 1")).toBeInTheDocument();
    expect(screen.getAllByRole("row")).toHaveLength(1 + 61);
  });
});
