import { QueryClientProvider, useQuery } from "@tanstack/react-query";
import { render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { fakeApi, signedOut } from "@/test/fake-api";
import { api as client, call } from "./api";
import { makeQueryClient, useMe } from "./queries";

const api = fakeApi();

const me = {
  user: { id: 1, email: "ann@example.test", is_admin: false, disabled: false, created_at: "2026-11-28T00:00:00Z" },
  balance_micros: 0,
  total_credited_micros: 0,
  total_spent_micros: 0,
};

function Page() {
  const user = useMe();
  const keys = useQuery({
    queryKey: ["keys"],
    queryFn: () => call(() => client.GET("/api/keys")),
    retry: false,
    enabled: !!user.data,
  });
  if (user.data === null) return <p>signed out</p>;
  return (
    <div>
      <p>
        {user.data ? user.data.user.email : "…"} {keys.isError ? "keys failed" : ""} {keys.isSuccess ? "keys loaded" : ""}
      </p>
      <button onClick={() => void keys.refetch()}>Reload keys</button>
    </div>
  );
}

describe("makeQueryClient", () => {
  it("re-reads the user when a call answers 401, so an ended session goes back to sign-in", async () => {
    let sessionAlive = true;
    api.routes = {
      "GET /api/me": () => (sessionAlive ? { body: me } : signedOut),
      "GET /api/keys": () => (sessionAlive ? { body: { keys: [] } } : signedOut),
    };
    render(
      <QueryClientProvider client={makeQueryClient()}>
        <Page />
      </QueryClientProvider>,
    );
    await screen.findByText(/keys loaded/);
    sessionAlive = false; // revoked on the server while the page was open
    screen.getByRole("button", { name: "Reload keys" }).click();
    await waitFor(() => expect(screen.getByText("signed out")).toBeInTheDocument());
    expect(api.sent.filter((r) => r.path === "/api/me").length).toBeGreaterThanOrEqual(2);
  });

  it("leaves the user alone on other errors", async () => {
    api.routes = {
      "GET /api/me": { body: me },
      "GET /api/keys": { status: 403, body: { error: { code: 403, message: "no", type: "permission_error", param: null } } },
    };
    render(
      <QueryClientProvider client={makeQueryClient()}>
        <Page />
      </QueryClientProvider>,
    );
    await screen.findByText(/keys failed/);
    expect(api.sent.filter((r) => r.path === "/api/me")).toHaveLength(1);
  });
});
