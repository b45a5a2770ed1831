import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import type { AdminUser } from "@/lib/api";
import { apiError, fakeApi } from "@/test/fake-api";
import { setWindowWide } from "@/test/match-media";
import { renderWithClient } from "@/test/render";
import AdminUsersPage from ".";

const users: AdminUser[] = [
  { id: 1, email: "admin@example.com", is_admin: true, disabled: false, created_at: "2025-01-02T10:00:00Z", balance_micros: 10_000_000 },
  { id: 2, email: "ann@example.com", is_admin: false, disabled: false, created_at: "2025-02-03T10:00:00Z", balance_micros: 2_500_000 },
  { id: 3, email: "bob@example.org", is_admin: false, disabled: true, created_at: "2025-03-04T10:00:00Z", balance_micros: 0 },
];

const api = fakeApi();
let grantStatus: number;

beforeEach(() => {
  setWindowWide(true);
  grantStatus = 200;
  api.routes = {
    "GET /api/me": { body: { user: users[0], balance_micros: 10_000_000, total_credited_micros: 0, total_spent_micros: 0 } },
    "GET /api/admin/users": { body: { users } },
    "POST /api/admin/users/*/credits": () =>
      grantStatus !== 200
        ? apiError(grantStatus, "The balance cannot go below zero", "conflict_error", "amount_usd")
        : { body: { balance_micros: 27_500_000 } },
    "PATCH /api/admin/users/*": ({ path }) => {
      const u = users.find((x) => x.id === Number(path.split("/").at(-1)))!;
      return { body: { user: { id: u.id, email: u.email, is_admin: u.is_admin, disabled: true, created_at: u.created_at } } };
    },
  };
});

function renderPage() {
  return renderWithClient(<AdminUsersPage />);
}

const rowOf = (email: string) => screen.getByText(email).closest("tr")!;
const writes = () => api.sent.filter((s) => s.method !== "GET").map(({ method, path, body }) => ({ method, path, body }));

describe("AdminUsersPage", () => {
  it("lists users with balance, role and status, and filters by email", async () => {
    const user = userEvent.setup();
    renderPage();
    expect(await screen.findByText("ann@example.com")).toBeInTheDocument();
    expect(screen.getAllByTestId("user-row")).toHaveLength(3);
    expect(within(rowOf("ann@example.com")).getByText("$2.50")).toBeInTheDocument();
    expect(within(rowOf("admin@example.com")).getByText("Admin")).toBeInTheDocument();
    expect(within(rowOf("admin@example.com")).getByText("You")).toBeInTheDocument();
    expect(within(rowOf("bob@example.org")).getByText("Disabled")).toBeInTheDocument();

    await user.type(screen.getByLabelText("Search by email"), "example.org");
    expect(screen.getAllByTestId("user-row")).toHaveLength(1);
    await user.clear(screen.getByLabelText("Search by email"));
    await user.type(screen.getByLabelText("Search by email"), "nobody");
    expect(screen.getByText("No user matches “nobody”")).toBeInTheDocument();
  });

  it("shows users as cards on a phone, with the same actions", async () => {
    setWindowWide(false);
    renderPage();
    const cards = await screen.findAllByTestId("user-card");
    expect(cards).toHaveLength(3);
    const ann = cards.find((c) => c.textContent?.includes("ann@example.com"))!;
    expect(ann).toHaveTextContent("$2.50");
    expect(within(ann).getByRole("button", { name: "Grant credits to ann@example.com" })).toBeInTheDocument();
    expect(within(ann).getByRole("button", { name: "More actions for ann@example.com" })).toBeInTheDocument();
    expect(screen.queryByRole("table")).toBeNull();
  });

  it("grants credits with the amount in USD and the note", async () => {
    const user = userEvent.setup();
    renderPage();
    await screen.findByText("ann@example.com");
    await user.click(screen.getByRole("button", { name: "Grant credits to ann@example.com" }));
    const dialog = await screen.findByRole("dialog");
    expect(dialog).toHaveTextContent("ann@example.com has $2.50");

    // Words, not a request, for a bad amount.
    await user.type(within(dialog).getByLabelText("Amount (USD)"), "abc");
    await user.click(within(dialog).getByRole("button", { name: "Grant credits" }));
    expect(within(dialog).getByRole("alert")).toHaveTextContent("Enter an amount in dollars");
    expect(writes()).toHaveLength(0);

    await user.clear(within(dialog).getByLabelText("Amount (USD)"));
    await user.type(within(dialog).getByLabelText("Amount (USD)"), "25");
    expect(dialog).toHaveTextContent("The balance becomes $27.50.");
    await user.type(within(dialog).getByLabelText("Note"), "Welcome bonus");
    await user.click(within(dialog).getByRole("button", { name: "Grant credits" }));

    await waitFor(() => expect(writes()).toHaveLength(1));
    expect(writes()[0]).toEqual({ method: "POST", path: "/api/admin/users/2/credits", body: { amount_usd: "25.00", note: "Welcome bonus" } });
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
  });

  it("deducts with a negative amount, never more than the balance", async () => {
    const user = userEvent.setup();
    renderPage();
    await screen.findByText("ann@example.com");
    await user.click(screen.getByRole("button", { name: "Grant credits to ann@example.com" }));
    const dialog = await screen.findByRole("dialog");
    await user.click(within(dialog).getByLabelText("Deduct credits"));
    await user.type(within(dialog).getByLabelText("Amount (USD)"), "3");
    await user.click(within(dialog).getByRole("button", { name: "Deduct credits" }));
    expect(within(dialog).getByRole("alert")).toHaveTextContent("The balance is $2.50; you can deduct at most that.");
    expect(writes()).toHaveLength(0);

    await user.clear(within(dialog).getByLabelText("Amount (USD)"));
    await user.type(within(dialog).getByLabelText("Amount (USD)"), "1.5");
    await user.click(within(dialog).getByRole("button", { name: "Deduct credits" }));
    await waitFor(() => expect(writes()).toHaveLength(1));
    expect(writes()[0]!.body).toEqual({ amount_usd: "-1.50", note: "Deducted by an administrator" });
  });

  it("shows the server's refusal in the dialog", async () => {
    grantStatus = 409;
    const user = userEvent.setup();
    renderPage();
    await screen.findByText("ann@example.com");
    await user.click(screen.getByRole("button", { name: "Grant credits to ann@example.com" }));
    const dialog = await screen.findByRole("dialog");
    await user.type(within(dialog).getByLabelText("Amount (USD)"), "1");
    await user.click(within(dialog).getByRole("button", { name: "Grant credits" }));
    expect(await within(dialog).findByText("The balance cannot go below zero")).toBeInTheDocument();
  });

  it("disables a user only after confirming, explaining what happens", async () => {
    const user = userEvent.setup();
    renderPage();
    await screen.findByText("ann@example.com");
    await user.click(screen.getByRole("button", { name: "More actions for ann@example.com" }));
    await user.click(await screen.findByRole("menuitem", { name: "Disable" }));
    const confirm = await screen.findByRole("alertdialog");
    expect(confirm).toHaveTextContent("Their API keys stop working at once and they are signed out everywhere.");
    expect(writes()).toHaveLength(0);
    await user.click(within(confirm).getByRole("button", { name: "Disable user" }));
    await waitFor(() => expect(writes()).toEqual([{ method: "PATCH", path: "/api/admin/users/2", body: { disabled: true } }]));
  });

  it("does not let an admin disable themselves or drop their own admin rights", async () => {
    const user = userEvent.setup();
    renderPage();
    await screen.findByText("admin@example.com");
    await user.click(screen.getByRole("button", { name: "More actions for admin@example.com" }));
    expect(await screen.findByRole("menuitem", { name: "Disable" })).toHaveAttribute("aria-disabled", "true");
    expect(screen.getByRole("menuitem", { name: "Remove admin" })).toHaveAttribute("aria-disabled", "true");
    expect(screen.getByText(/You cannot disable yourself/)).toBeInTheDocument();
  });

  it("makes a user an admin after confirming", async () => {
    const user = userEvent.setup();
    renderPage();
    await screen.findByText("ann@example.com");
    await user.click(screen.getByRole("button", { name: "More actions for ann@example.com" }));
    await user.click(await screen.findByRole("menuitem", { name: "Make admin" }));
    await user.click(within(await screen.findByRole("alertdialog")).getByRole("button", { name: "Make admin" }));
    await waitFor(() => expect(writes()).toEqual([{ method: "PATCH", path: "/api/admin/users/2", body: { is_admin: true } }]));
  });
});
