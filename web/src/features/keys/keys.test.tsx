import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Key, KeyWithSecret } from "@/lib/api";
import { apiError, fakeApi, type Route } from "@/test/fake-api";
import { renderWithClient } from "@/test/render";
import { Toaster } from "@/components/ui/toaster";
import { getPlaygroundKey, setPlaygroundKey } from "@/hooks/use-playground-key";
import KeysPage from "./index";

const api = fakeApi();

function makeKey(over: Partial<Key> = {}): Key {
  const key: Key = {
    id: 1,
    name: "billing-bot",
    prefix: "sk-tp-v1-ab12...",
    created_at: "2026-01-02T10:00:00Z",
    last_used_at: null,
    expires_at: null,
    disabled: false,
    log_prompts: false,
    usage_micros: 1_200_000,
    limit_micros: 10_000_000,
    rpm_limit: null,
    tpm_limit: null,
    management: false,
    hash: "0".repeat(64),
    limit_reset: null,
    limit_usage_micros: 0,
    ...over,
  };
  // What counts against a limit that never resets is the whole spend.
  return { ...key, limit_usage_micros: over.limit_usage_micros ?? key.usage_micros };
}

/** Serves GET /api/keys from `state.keys`, and `handlers` ("POST /api/keys", …); returns what was sent. */
function mockApi(state: { keys: Key[] }, handlers: Record<string, Route> = {}) {
  api.routes = {
    "GET /api/keys": () => ({ body: { keys: state.keys } }),
    "GET /api/config": { body: { gateway_url: "http://gw.test", payments: { provider: "sandbox", min_micros: 1_000_000, max_micros: 10_000_000_000 } } },
    ...handlers,
  };
  return api.sent;
}

function renderPage() {
  return renderWithClient(
    <>
      <KeysPage />
      <Toaster />
    </>,
  );
}

beforeEach(() => {
  window.history.replaceState(null, "", "/keys");
  window.scrollTo = vi.fn() as unknown as typeof window.scrollTo;
  setPlaygroundKey(null);
});

describe("Keys page", () => {
  it("lists keys with prefix, usage against the limit and status", async () => {
    mockApi({
      keys: [
        makeKey(),
        makeKey({ id: 2, name: "old", prefix: "sk-tp-v1-cd34...", limit_micros: null, usage_micros: 0, disabled: true }),
        makeKey({ id: 3, name: "stale", expires_at: "2020-01-01T00:00:00Z" }),
      ],
    });
    renderPage();
    const row = (await screen.findByText("billing-bot")).closest("tr")!;
    expect(within(row).getByText("sk-tp-v1-ab12…")).toBeInTheDocument();
    expect(row).toHaveTextContent("$1.20 of $10.00");
    expect(within(row).getByRole("progressbar")).toHaveAttribute("aria-valuenow", "12");
    expect(within(row).getByText("never")).toBeInTheDocument();
    expect(within(row).getByText("Active")).toBeInTheDocument();
    const old = screen.getByText("old").closest("tr")!;
    expect(within(old).getByText("No limit")).toBeInTheDocument();
    expect(within(old).getByText("Disabled")).toBeInTheDocument();
    expect(within(screen.getByText("stale").closest("tr")!).getByText("Expired")).toBeInTheDocument();
  });

  it("shows an empty state that leads to creating a key", async () => {
    mockApi({ keys: [] });
    renderPage();
    expect(await screen.findByText("No API keys yet")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Create your first key" }));
    expect(await screen.findByRole("dialog", { name: "Create key" })).toBeInTheDocument();
  });

  it("creates a key, sends the right body, and shows the secret once", async () => {
    const user = userEvent.setup();
    const state = { keys: [] as Key[] };
    const created: KeyWithSecret = {
      key: makeKey({ id: 7, name: "ci runner", limit_micros: 12_500_000, usage_micros: 0, log_prompts: true }),
      secret: "sk-tp-v1-0123456789abcdef",
    };
    const sent = mockApi(state, {
      "POST /api/keys": () => {
        state.keys = [created.key];
        return { status: 201, body: created };
      },
    });
    renderPage();
    await screen.findByText("No API keys yet");
    await user.click(screen.getByRole("button", { name: "Create key" }));
    const dialog = await screen.findByRole("dialog");

    // Validation before anything is sent.
    await user.click(within(dialog).getByRole("button", { name: "Create key" }));
    expect(within(dialog).getByText(/Give the key a name/)).toBeInTheDocument();
    await user.type(within(dialog).getByLabelText("Name"), "ci runner");
    await user.type(within(dialog).getByLabelText("Spending limit (USD)"), "12.505");
    await user.click(within(dialog).getByRole("button", { name: "Create key" }));
    expect(within(dialog).getByText(/dollars and cents/)).toBeInTheDocument();
    expect(sent.some((r) => r.method === "POST")).toBe(false);

    await user.clear(within(dialog).getByLabelText("Spending limit (USD)"));
    await user.type(within(dialog).getByLabelText("Spending limit (USD)"), "12.5");
    await user.type(within(dialog).getByLabelText("Expires"), "2099-03-04");
    await user.click(within(dialog).getByRole("switch", { name: "Log prompts and completions" }));
    await user.click(within(dialog).getByRole("button", { name: "Create key" }));

    const secret = await screen.findByTestId("new-key-secret");
    expect(secret).toHaveValue("sk-tp-v1-0123456789abcdef");
    expect(secret).toHaveAttribute("readonly");
    expect(screen.getByText(/It will not be shown again/)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Copy key" })).toBeInTheDocument();
    expect(screen.getByText("http://gw.test/api/v1")).toBeInTheDocument();

    const post = sent.find((r) => r.method === "POST" && r.path === "/api/keys")!;
    const expires = new Date(2099, 2, 4, 23, 59, 59).toISOString().replace(/\.\d{3}Z$/, "Z");
    expect(post.body).toEqual({ name: "ci runner", limit_usd: "12.50", expires_at: expires, log_prompts: true });

    // The list refreshes behind the dialog.
    await waitFor(() => expect(sent.filter((r) => r.method === "GET" && r.path === "/api/keys").length).toBeGreaterThan(1));

    await user.click(screen.getByRole("button", { name: "Done" }));
    await waitFor(() => expect(screen.queryByTestId("new-key-secret")).not.toBeInTheDocument());
    expect(await screen.findByText("ci runner")).toBeInTheDocument();

    // Reopening starts a fresh form, not the old secret.
    await user.click(screen.getByRole("button", { name: "Create key" }));
    expect(within(await screen.findByRole("dialog")).getByLabelText("Name")).toHaveValue("");
  });

  it("creates a management key without spending fields and marks it in the list", async () => {
    const user = userEvent.setup();
    const state = { keys: [] as Key[] };
    const created: KeyWithSecret = {
      key: makeKey({ id: 8, name: "provisioner", limit_micros: null, usage_micros: 0, management: true }),
      secret: "sk-tp-v1-fedcba9876543210",
    };
    const sent = mockApi(state, {
      "POST /api/keys": () => {
        state.keys = [created.key, makeKey({ id: 9, name: "ordinary" })];
        return { status: 201, body: created };
      },
    });
    renderPage();
    await screen.findByText("No API keys yet");
    await user.click(screen.getByRole("button", { name: "Create key" }));
    const dialog = await screen.findByRole("dialog");
    await user.type(within(dialog).getByLabelText("Name"), "provisioner");
    expect(within(dialog).getByLabelText("Spending limit (USD)")).toBeInTheDocument();
    await user.click(
      within(dialog).getByRole("switch", { name: "Management key (can manage keys, cannot call models)" }),
    );
    // It never calls models: no spending limit, rate limits or prompt logging to set.
    expect(within(dialog).queryByLabelText("Spending limit (USD)")).not.toBeInTheDocument();
    expect(within(dialog).queryByRole("switch", { name: "Log prompts and completions" })).not.toBeInTheDocument();
    await user.click(within(dialog).getByRole("button", { name: "Create key" }));
    expect(await screen.findByTestId("new-key-secret")).toHaveValue("sk-tp-v1-fedcba9876543210");
    expect(screen.getByText(/It cannot call models/)).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Open in playground" })).not.toBeInTheDocument();

    const post = sent.find((r) => r.method === "POST" && r.path === "/api/keys")!;
    expect(post.body).toEqual({ name: "provisioner", log_prompts: false, management: true });
    await user.click(screen.getByRole("button", { name: "Done" }));
    const row = (await screen.findByText("provisioner")).closest("tr")!;
    expect(within(row).getByText("Management")).toBeInTheDocument();
    expect(within(screen.getByText("ordinary").closest("tr")!).queryByText("Management")).not.toBeInTheDocument();
    // Its menu has no spending or rate limits to change.
    await user.click(within(row).getByRole("button", { name: /actions/i }));
    expect(await screen.findByRole("menuitem", { name: "Rename" })).toBeInTheDocument();
    expect(screen.queryByRole("menuitem", { name: "Change limit" })).not.toBeInTheDocument();
    expect(screen.queryByRole("menuitem", { name: "Rate limits" })).not.toBeInTheDocument();
  });

  it("hands the new secret to the playground", async () => {
    const user = userEvent.setup();
    mockApi({ keys: [] }, { "POST /api/keys": { status: 201, body: { key: makeKey(), secret: "sk-tp-v1-play" } } });
    renderPage();
    await user.click(await screen.findByRole("button", { name: "Create key" }));
    await user.type(within(await screen.findByRole("dialog")).getByLabelText("Name"), "play");
    await user.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Create key" }));
    await user.click(await screen.findByRole("button", { name: "Open in playground" }));
    expect(getPlaygroundKey()).toBe("sk-tp-v1-play");
    expect(window.location.pathname).toBe("/playground");
  });

  it("shows a refused field in the form's own words at that field, never the API's text", async () => {
    const user = userEvent.setup();
    let answer = apiError(400, 'limit_usd must be a USD amount such as "12.50" or 12.5 (at most 6 decimals)', "invalid_request_error", "limit_usd");
    mockApi({ keys: [] }, { "POST /api/keys": () => answer });
    renderPage();
    await user.click(await screen.findByRole("button", { name: "Create key" }));
    const dialog = await screen.findByRole("dialog");
    await user.type(within(dialog).getByLabelText("Name"), "x");
    await user.type(within(dialog).getByLabelText("Spending limit (USD)"), "5");
    await user.click(within(dialog).getByRole("button", { name: "Create key" }));
    const limit = within(dialog).getByLabelText("Spending limit (USD)");
    await waitFor(() => expect(limit).toHaveAttribute("aria-invalid", "true"));
    expect(limit).toHaveAccessibleDescription("Enter an amount in dollars and cents, like 10 or 12.50.");
    expect(dialog).not.toHaveTextContent("limit_usd");
    expect(dialog).not.toHaveTextContent("USD amount such as");
    expect(screen.queryByTestId("new-key-secret")).not.toBeInTheDocument();
    // Editing the field clears the server's refusal.
    await user.type(limit, "0");
    expect(limit).toHaveAttribute("aria-invalid", "false");
    expect(within(dialog).queryByText(/dollars and cents/)).not.toBeInTheDocument();
    // A refusal that is about no field is shown for the whole form.
    answer = apiError(409, "You have too many keys", "conflict");
    await user.click(within(dialog).getByRole("button", { name: "Create key" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent("You have too many keys");
  });

  it("keeps the secret when Escape is pressed: only its buttons close it", async () => {
    const user = userEvent.setup();
    mockApi({ keys: [] }, { "POST /api/keys": { status: 201, body: { key: makeKey(), secret: "sk-tp-v1-keepme" } } });
    renderPage();
    await user.click(await screen.findByRole("button", { name: "Create key" }));
    await user.type(within(await screen.findByRole("dialog")).getByLabelText("Name"), "keep");
    await user.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Create key" }));
    expect(await screen.findByTestId("new-key-secret")).toHaveValue("sk-tp-v1-keepme");
    await user.keyboard("{Escape}");
    await user.keyboard("{Escape}");
    expect(screen.getByTestId("new-key-secret")).toHaveValue("sk-tp-v1-keepme");
    expect(within(screen.getByRole("dialog")).queryByRole("button", { name: "Close" })).not.toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Done" }));
    await waitFor(() => expect(screen.queryByTestId("new-key-secret")).not.toBeInTheDocument());
  });

  it("asks before deleting, naming the key, then sends DELETE", async () => {
    const user = userEvent.setup();
    const state = { keys: [makeKey({ id: 42, name: "prod" })] };
    const sent = mockApi(state, {
      "DELETE /api/keys/42": () => {
        state.keys = [];
        return { status: 204 };
      },
    });
    renderPage();
    await user.click(await screen.findByRole("button", { name: "Actions for prod" }));
    const items = (await screen.findAllByRole("menuitem")).map((i) => i.textContent);
    expect(items).toEqual(["Rename", "Change limit", "Rate limits", "Disable", "Rotate", "Delete"]);
    await user.click(screen.getByRole("menuitem", { name: "Delete" }));
    const confirm = await screen.findByRole("alertdialog");
    expect(confirm).toHaveTextContent("Delete key “prod”?");
    expect(confirm).toHaveTextContent("Applications using it stop working at once.");
    expect(sent.some((r) => r.method === "DELETE")).toBe(false);
    await user.click(within(confirm).getByRole("button", { name: "Delete key" }));
    await waitFor(() => expect(sent.some((r) => r.method === "DELETE" && r.path === "/api/keys/42")).toBe(true));
    expect(await screen.findByText("Key deleted")).toBeInTheDocument();
    expect(await screen.findByText("No API keys yet")).toBeInTheDocument();
  });

  it("disables a key at once", async () => {
    const user = userEvent.setup();
    const state = { keys: [makeKey({ id: 5, name: "bot" })] };
    const sent = mockApi(state, {
      "PATCH /api/keys/5": () => {
        state.keys = [{ ...state.keys[0]!, disabled: true }];
        return { body: { key: state.keys[0] } };
      },
    });
    renderPage();
    await user.click(await screen.findByRole("button", { name: "Actions for bot" }));
    await user.click(await screen.findByRole("menuitem", { name: "Disable" }));
    expect(await screen.findByText("Key disabled")).toBeInTheDocument();
    expect(sent.find((r) => r.method === "PATCH")?.body).toEqual({ disabled: true });
    expect(await screen.findByText("Disabled")).toBeInTheDocument();
  });

  it("renames a key and clears its limit", async () => {
    const user = userEvent.setup();
    const state = { keys: [makeKey({ id: 5, name: "bot" })] };
    const sent = mockApi(state, { "PATCH /api/keys/5": () => ({ body: { key: state.keys[0] } }) });
    renderPage();
    await user.click(await screen.findByRole("button", { name: "Actions for bot" }));
    await user.click(await screen.findByRole("menuitem", { name: "Rename" }));
    const rename = await screen.findByRole("dialog");
    const name = within(rename).getByLabelText("Name");
    await user.clear(name);
    await user.type(name, "bot v2");
    await user.click(within(rename).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(sent.filter((r) => r.method === "PATCH").map((r) => r.body)).toEqual([{ name: "bot v2" }]));

    await user.click(screen.getByRole("button", { name: "Actions for bot" }));
    await user.click(await screen.findByRole("menuitem", { name: "Change limit" }));
    const limit = await screen.findByRole("dialog");
    const input = within(limit).getByLabelText("Spending limit (USD)");
    expect(input).toHaveValue("10.00");
    await user.clear(input);
    await user.click(within(limit).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(sent.filter((r) => r.method === "PATCH").map((r) => r.body)).toEqual([{ name: "bot v2" }, { limit_usd: null, limit_reset: null }]));
    expect(await screen.findByText("Limit removed")).toBeInTheDocument();
  });

  it("shows each key's rate limits in the list", async () => {
    mockApi({
      keys: [
        makeKey({ id: 1, name: "both", rpm_limit: 60, tpm_limit: 100_000 }),
        makeKey({ id: 2, name: "tokens only", tpm_limit: 2_500 }),
        makeKey({ id: 3, name: "unlimited" }),
      ],
    });
    renderPage();
    const both = (await screen.findByText("both")).closest("tr")!;
    expect(within(both).getByText("60 req/min")).toBeInTheDocument();
    expect(within(both).getByText("100,000 tok/min")).toBeInTheDocument();
    const tokens = screen.getByText("tokens only").closest("tr")!;
    expect(within(tokens).getByText("2,500 tok/min")).toBeInTheDocument();
    expect(within(tokens).queryByText(/req\/min/)).not.toBeInTheDocument();
    expect(within(screen.getByText("unlimited").closest("tr")!).getByText("None")).toBeInTheDocument();
  });

  it("creates a key with rate limits, refusing ones that are not whole numbers", async () => {
    const user = userEvent.setup();
    const state = { keys: [] as Key[] };
    const sent = mockApi(state, {
      "POST /api/keys": () => {
        const key = makeKey({ id: 8, name: "limited", rpm_limit: 30, tpm_limit: 50_000 });
        state.keys = [key];
        return { status: 201, body: { key, secret: "sk-tp-v1-limited" } };
      },
    });
    renderPage();
    await screen.findByText("No API keys yet");
    await user.click(screen.getByRole("button", { name: "Create key" }));
    const dialog = await screen.findByRole("dialog");
    await user.type(within(dialog).getByLabelText("Name"), "limited");
    await user.type(within(dialog).getByLabelText("Requests per minute"), "2.5");
    await user.type(within(dialog).getByLabelText("Tokens per minute"), "-4");
    await user.click(within(dialog).getByRole("button", { name: "Create key" }));
    expect(within(dialog).getAllByText(/whole number/)).toHaveLength(2);
    expect(sent.some((r) => r.method === "POST")).toBe(false);

    await user.clear(within(dialog).getByLabelText("Requests per minute"));
    await user.type(within(dialog).getByLabelText("Requests per minute"), "30");
    await user.clear(within(dialog).getByLabelText("Tokens per minute"));
    await user.type(within(dialog).getByLabelText("Tokens per minute"), "50,000");
    await user.click(within(dialog).getByRole("button", { name: "Create key" }));
    await screen.findByTestId("new-key-secret");
    const post = sent.find((r) => r.method === "POST" && r.path === "/api/keys")!;
    expect(post.body).toEqual({ name: "limited", log_prompts: false, rpm_limit: 30, tpm_limit: 50_000 });
  });

  it("changes a key's rate limits and removes them", async () => {
    const user = userEvent.setup();
    const state = { keys: [makeKey({ id: 6, name: "svc", rpm_limit: 10 })] };
    const sent = mockApi(state, {
      "PATCH /api/keys/6": (req) => {
        const body = req.body as { rpm_limit: number | null; tpm_limit: number | null };
        state.keys = [makeKey({ id: 6, name: "svc", rpm_limit: body.rpm_limit, tpm_limit: body.tpm_limit })];
        return { body: { key: state.keys[0] } };
      },
    });
    renderPage();
    await user.click(await screen.findByRole("button", { name: "Actions for svc" }));
    await user.click(await screen.findByRole("menuitem", { name: "Rate limits" }));
    let dialog = await screen.findByRole("dialog");
    const rpm = within(dialog).getByLabelText("Requests per minute");
    expect(rpm).toHaveValue("10");
    expect(within(dialog).getByLabelText("Tokens per minute")).toHaveValue("");
    await user.clear(rpm);
    await user.type(rpm, "20000000000");
    await user.click(within(dialog).getByRole("button", { name: "Save" }));
    expect(within(dialog).getByText(/At most 1,000,000,000/)).toBeInTheDocument();
    expect(sent.some((r) => r.method === "PATCH")).toBe(false);

    await user.clear(rpm);
    await user.type(rpm, "120");
    await user.type(within(dialog).getByLabelText("Tokens per minute"), "9000");
    await user.click(within(dialog).getByRole("button", { name: "Save" }));
    expect(await screen.findByText("Rate limits: 120 requests/min · 9,000 tokens/min")).toBeInTheDocument();
    const row = (await screen.findByText("120 req/min")).closest("tr")!;
    expect(within(row).getByText("9,000 tok/min")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Actions for svc" }));
    await user.click(await screen.findByRole("menuitem", { name: "Rate limits" }));
    dialog = await screen.findByRole("dialog");
    await user.click(within(dialog).getByRole("button", { name: "Remove rate limits" }));
    expect(await screen.findByText("Rate limits removed")).toBeInTheDocument();
    expect(sent.filter((r) => r.method === "PATCH").map((r) => r.body)).toEqual([
      { rpm_limit: 120, tpm_limit: 9_000 },
      { rpm_limit: null, tpm_limit: null },
    ]);
  });

  it("rotates after confirmation and shows the new secret", async () => {
    const user = userEvent.setup();
    const sent = mockApi(
      { keys: [makeKey({ id: 9, name: "svc" })] },
      { "POST /api/keys/9/rotate": { body: { key: makeKey({ id: 9, name: "svc" }), secret: "sk-tp-v1-rotated" } } },
    );
    renderPage();
    await user.click(await screen.findByRole("button", { name: "Actions for svc" }));
    await user.click(await screen.findByRole("menuitem", { name: "Rotate" }));
    const confirm = await screen.findByRole("alertdialog");
    expect(sent.some((r) => r.path.endsWith("/rotate"))).toBe(false);
    await user.click(within(confirm).getByRole("button", { name: "Rotate key" }));
    expect(await screen.findByTestId("new-key-secret")).toHaveValue("sk-tp-v1-rotated");
    expect(sent.filter((r) => r.method === "POST" && r.path === "/api/keys/9/rotate")).toHaveLength(1);
    // Shown once: Escape keeps it; Done closes it.
    await user.keyboard("{Escape}");
    expect(screen.getByTestId("new-key-secret")).toHaveValue("sk-tp-v1-rotated");
    await user.click(screen.getByRole("button", { name: "Done" }));
    await waitFor(() => expect(screen.queryByTestId("new-key-secret")).not.toBeInTheDocument());
  });

  it("creates a key whose limit resets daily; the choice waits for a limit", async () => {
    const user = userEvent.setup();
    const state = { keys: [] as Key[] };
    const sent = mockApi(state, {
      "POST /api/keys": () => {
        const key = makeKey({ id: 11, name: "daily bot", limit_micros: 1_000_000, limit_reset: "daily", usage_micros: 0 });
        state.keys = [key];
        return { status: 201, body: { key, secret: "sk-tp-v1-daily" } };
      },
    });
    renderPage();
    await screen.findByText("No API keys yet");
    await user.click(screen.getByRole("button", { name: "Create key" }));
    const dialog = await screen.findByRole("dialog");
    await user.type(within(dialog).getByLabelText("Name"), "daily bot");
    const resets = within(dialog).getByLabelText("Limit resets");
    expect(resets).toHaveValue("");
    expect(resets).toBeDisabled();
    expect(resets).toHaveAccessibleDescription("Set a spending limit to choose.");
    expect(within(resets).getAllByRole("option").map((o) => o.textContent)).toEqual(["Never", "Daily", "Weekly", "Monthly"]);

    await user.type(within(dialog).getByLabelText("Spending limit (USD)"), "1");
    expect(resets).toBeEnabled();
    expect(resets).toHaveAccessibleDescription(/^Never/);
    await user.selectOptions(resets, "Weekly");
    expect(resets).toHaveAccessibleDescription("Weekly: Mondays at 00:00 UTC");
    await user.selectOptions(resets, "Monthly");
    expect(resets).toHaveAccessibleDescription("Monthly: on the 1st at 00:00 UTC");
    await user.selectOptions(resets, "Daily");
    expect(resets).toHaveValue("daily");
    expect(resets).toHaveAccessibleDescription("Daily: at 00:00 UTC");
    await user.click(within(dialog).getByRole("button", { name: "Create key" }));
    await screen.findByTestId("new-key-secret");
    const post = sent.find((r) => r.method === "POST" && r.path === "/api/keys")!;
    expect(post.body).toEqual({ name: "daily bot", limit_usd: "1.00", limit_reset: "daily", log_prompts: false });
  });

  it("sends no reset for a key without a limit, even if one was chosen before the limit was cleared", async () => {
    const user = userEvent.setup();
    const sent = mockApi({ keys: [] }, { "POST /api/keys": { status: 201, body: { key: makeKey(), secret: "sk-tp-v1-none" } } });
    renderPage();
    await user.click(await screen.findByRole("button", { name: "Create key" }));
    const dialog = await screen.findByRole("dialog");
    await user.type(within(dialog).getByLabelText("Name"), "no limit");
    const limit = within(dialog).getByLabelText("Spending limit (USD)");
    await user.type(limit, "3");
    await user.selectOptions(within(dialog).getByLabelText("Limit resets"), "Weekly");
    await user.clear(limit);
    expect(within(dialog).getByLabelText("Limit resets")).toBeDisabled();
    await user.click(within(dialog).getByRole("button", { name: "Create key" }));
    await screen.findByTestId("new-key-secret");
    expect(sent.find((r) => r.method === "POST")!.body).toEqual({ name: "no limit", log_prompts: false });
  });

  it("shows a daily key's spend today against its limit, when it resets and what it spent in all", async () => {
    mockApi({
      keys: [
        makeKey({ id: 1, name: "daily", limit_micros: 1_000_000, limit_reset: "daily", limit_usage_micros: 400_000, usage_micros: 3_200_000 }),
        makeKey({ id: 2, name: "monthly", limit_micros: 50_000_000, limit_reset: "monthly", limit_usage_micros: 0, usage_micros: 7_000_000 }),
        makeKey({ id: 3, name: "lifetime", limit_micros: 10_000_000, usage_micros: 1_200_000 }),
      ],
    });
    renderPage();
    const daily = (await screen.findByText("daily")).closest("tr")!;
    expect(daily).toHaveTextContent("$0.40 of $1.00 today");
    expect(within(daily).getByText("Resets daily")).toBeInTheDocument();
    expect(within(daily).getByText("$3.20 in all")).toBeInTheDocument();
    expect(within(daily).getByRole("progressbar")).toHaveAttribute("aria-valuenow", "40");
    expect(within(daily).getByRole("progressbar")).toHaveAttribute("aria-valuetext", "40% of the limit used today");
    const monthly = screen.getByText("monthly").closest("tr")!;
    expect(monthly).toHaveTextContent("$0.00 of $50.00 this month");
    expect(within(monthly).getByText("Resets monthly")).toBeInTheDocument();
    // A limit that never resets looks as before.
    const lifetime = screen.getByText("lifetime").closest("tr")!;
    expect(lifetime).toHaveTextContent("$1.20 of $10.00");
    expect(within(lifetime).queryByText(/Resets/)).not.toBeInTheDocument();
    expect(within(lifetime).queryByText(/in all/)).not.toBeInTheDocument();
  });

  it("changes when a limit resets, with the limit, and removes both", async () => {
    const user = userEvent.setup();
    const state = {
      keys: [makeKey({ id: 5, name: "bot", limit_micros: 1_000_000, limit_reset: "daily", limit_usage_micros: 400_000, usage_micros: 3_200_000 })],
    };
    const sent = mockApi(state, {
      "PATCH /api/keys/5": (req) => {
        const body = req.body as { limit_usd: string | null; limit_reset: Key["limit_reset"] };
        state.keys = [
          makeKey({
            id: 5,
            name: "bot",
            limit_micros: body.limit_usd === null ? null : Math.round(Number(body.limit_usd) * 1_000_000),
            limit_reset: body.limit_reset,
            limit_usage_micros: body.limit_reset ? 400_000 : 3_200_000,
            usage_micros: 3_200_000,
          }),
        ];
        return { body: { key: state.keys[0] } };
      },
    });
    renderPage();
    await user.click(await screen.findByRole("button", { name: "Actions for bot" }));
    await user.click(await screen.findByRole("menuitem", { name: "Change limit" }));
    let dialog = await screen.findByRole("dialog");
    expect(dialog).toHaveAccessibleDescription(/It has spent \$0\.40 today\./);
    const resets = within(dialog).getByLabelText("Limit resets");
    expect(resets).toHaveValue("daily");
    expect(resets).toHaveAccessibleDescription("Daily: at 00:00 UTC");
    // Without a limit there is nothing to reset.
    const input = within(dialog).getByLabelText("Spending limit (USD)");
    await user.clear(input);
    expect(resets).toBeDisabled();
    await user.type(input, "1");
    await user.selectOptions(resets, "Weekly");
    await user.click(within(dialog).getByRole("button", { name: "Save" }));
    expect(await screen.findByText("Limit set to $1.00 a week")).toBeInTheDocument();
    const row = screen.getByText("bot").closest("tr")!;
    await waitFor(() => expect(row).toHaveTextContent("$0.40 of $1.00 this week"));
    expect(within(row).getByText("Resets weekly")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Actions for bot" }));
    await user.click(await screen.findByRole("menuitem", { name: "Change limit" }));
    dialog = await screen.findByRole("dialog");
    expect(within(dialog).getByLabelText("Limit resets")).toHaveValue("weekly");
    await user.click(within(dialog).getByRole("button", { name: "Remove limit" }));
    expect(await screen.findByText("Limit removed")).toBeInTheDocument();
    expect(sent.filter((r) => r.method === "PATCH").map((r) => r.body)).toEqual([
      { limit_usd: "1.00", limit_reset: "weekly" },
      { limit_usd: null, limit_reset: null },
    ]);
    await waitFor(() => expect(within(screen.getByText("bot").closest("tr")!).getByText("No limit")).toBeInTheDocument());
  });

  it("describes a lifetime limit's spend as before", async () => {
    const user = userEvent.setup();
    mockApi({ keys: [makeKey({ id: 5, name: "bot", usage_micros: 3_200_000 })] });
    renderPage();
    await user.click(await screen.findByRole("button", { name: "Actions for bot" }));
    await user.click(await screen.findByRole("menuitem", { name: "Change limit" }));
    const dialog = await screen.findByRole("dialog");
    expect(dialog).toHaveAccessibleDescription(/It has spent \$3\.20 so far\./);
    expect(within(dialog).getByLabelText("Limit resets")).toHaveValue("");
  });

  it("shows a refused reset in the form's words at that field", async () => {
    const user = userEvent.setup();
    mockApi({ keys: [] }, { "POST /api/keys": apiError(400, 'limit_reset must be "daily", "weekly", "monthly" or null', "invalid_request_error", "limit_reset") });
    renderPage();
    await user.click(await screen.findByRole("button", { name: "Create key" }));
    const dialog = await screen.findByRole("dialog");
    await user.type(within(dialog).getByLabelText("Name"), "x");
    await user.type(within(dialog).getByLabelText("Spending limit (USD)"), "5");
    const resets = within(dialog).getByLabelText("Limit resets");
    await user.selectOptions(resets, "Monthly");
    await user.click(within(dialog).getByRole("button", { name: "Create key" }));
    await waitFor(() => expect(resets).toHaveAttribute("aria-invalid", "true"));
    expect(resets).toHaveAccessibleDescription("Choose when the limit starts again from zero: never, daily, weekly or monthly.");
    expect(dialog).not.toHaveTextContent("limit_reset");
    expect(within(dialog).getAllByRole("alert")).toHaveLength(1);
    // Changing the choice clears the refusal.
    await user.selectOptions(resets, "Daily");
    expect(resets).toHaveAttribute("aria-invalid", "false");
  });
});
