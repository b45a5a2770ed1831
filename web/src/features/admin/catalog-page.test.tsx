import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import type { Catalog } from "@/lib/api";
import { apiError, fakeApi } from "@/test/fake-api";
import { setWindowWide } from "@/test/match-media";
import { renderWithClient } from "@/test/render";
import { Toaster } from "@/components/ui/toast";
import { TooltipProvider } from "@/components/ui/tooltip";
import AdminCatalogPage from "./catalog-page";

const health = { requests: 0, failures: 0, error_rate: 0, latency_ms: null, last_failure_at: null, throughput_tps: null };

const catalog: Catalog = {
  companies: [
    { id: "fakeco", name: "FakeCo" },
    { id: "emptyco", name: "EmptyCo" },
  ],
  providers: [
    { id: "fake-cheap", name: "Fake Cheap", adapter: "openai", base_url: "https://cheap.invalid/v1", key_env: "OPENAI_API_KEY", available: true, health },
    { id: "groq", name: "Groq", adapter: "openai", base_url: "https://api.groq.com/openai/v1", key_env: "GROQ_API_KEY", available: false, health },
  ],
  models: [
    {
      id: "fakeco/duo",
      name: "FakeCo: Duo",
      company: "fakeco",
      description: "",
      context_length: 128000,
      max_output: 4096,
      input_modalities: ["text"],
      output_modalities: ["text"],
      endpoints: [
        {
          provider: "fake-cheap",
          upstream_model: "duo-cheap-1",
          available: true,
          prices: { input: 500_000, output: 1_500_000, cache_read: 250_000, cache_write: 0 },
          context_length: 128000,
          max_output: 4096,
          supported_parameters: [],
        },
      ],
    },
  ],
};

const adminProvider = {
  id: "groq",
  name: "Groq",
  adapter: "openai",
  base_url: "https://api.groq.com/openai/v1",
  key_env: "GROQ_API_KEY",
  base_url_env: null,
  enabled: true,
  available: false,
  unavailable_reason: "GROQ_API_KEY is not set",
};

const api = fakeApi();

beforeEach(() => {
  setWindowWide(true);
  window.history.replaceState(null, "", "/admin/catalog");
  api.routes = {
    "GET /api/models": { body: catalog },
    "POST /api/admin/providers": { status: 201, body: { provider: adminProvider } },
    "PATCH /api/admin/providers/*": { body: { provider: adminProvider } },
    // The model id travels URL-encoded, as one path segment.
    "GET /api/admin/models/fakeco%2Fduo/endpoints/fake-cheap/prices": {
      body: {
        model: "fakeco/duo",
        provider: "fake-cheap",
        endpoint_exists: true,
        history: [
          { prices: { input: 400_000, output: 1_200_000, cache_read: 0, cache_write: 0 }, effective_from: "2025-01-01T00:00:00Z", created_at: "2025-01-01T00:00:00Z", state: "superseded" },
          { prices: { input: 500_000, output: 1_500_000, cache_read: 250_000, cache_write: 0 }, effective_from: "2025-06-01T00:00:00Z", created_at: "2025-06-01T00:00:00Z", state: "current" },
        ],
      },
    },
    "PUT /api/admin/models/*/endpoints/*": { body: { endpoint: {} } },
    "POST /api/admin/companies": { status: 201, body: { company: { id: "mistralai", name: "Mistral AI" } } },
  };
});

function renderPage({ toasts = false } = {}) {
  return renderWithClient(
    <TooltipProvider>
      <AdminCatalogPage params={{}} />
      {toasts && <Toaster />}
    </TooltipProvider>,
  );
}

/** What was sent, with the path decoded; `rawPaths` keeps it as it went on the wire. */
const sent = () => api.sent.map(({ method, path, body }) => ({ method, path: decodeURIComponent(path), body }));
const rawPaths = () => api.sent.map((s) => s.path);
const writes = () => sent().filter((s) => s.method !== "GET");
const catalogLoads = () => sent().filter((s) => s.method === "GET" && s.path === "/api/models").length;

describe("AdminCatalogPage · providers", () => {
  it("lists providers with base URL, credential variable name and availability", async () => {
    renderPage();
    const row = (await screen.findByText("Groq")).closest("tr")!;
    expect(within(row).getByText("https://api.groq.com/openai/v1")).toBeInTheDocument();
    expect(within(row).getByText("GROQ_API_KEY")).toBeInTheDocument();
    expect(within(row).getByText("Unavailable")).toBeInTheDocument();
    expect(within(screen.getByText("Fake Cheap").closest("tr")!).getByText("Available")).toBeInTheDocument();
  });

  it("adds a provider by the NAME of its credential variable; the dialog has no secret field", async () => {
    const user = userEvent.setup();
    renderPage();
    await screen.findByText("Groq");
    const loadsBefore = catalogLoads();
    await user.click(screen.getByRole("button", { name: "Add provider" }));
    const dialog = await screen.findByRole("dialog");

    // Nothing that takes a secret: no password input, and every field is one of these.
    expect(dialog.querySelector('input[type="password"]')).toBeNull();
    const labels = within(dialog)
      .getAllByRole("textbox")
      .map((el) => (el.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent : null));
    expect(labels).toEqual(["ID", "Name", "Base URL", "Credential variable", "Base URL override variable"]);
    expect(within(dialog).queryByLabelText(/secret|api key|token|password/i)).toBeNull();

    // A pasted key is refused in words, and nothing is sent.
    await user.type(within(dialog).getByLabelText("ID"), "groq2");
    await user.type(within(dialog).getByLabelText("Name"), "Groq 2");
    await user.type(within(dialog).getByLabelText("Base URL"), "https://api.groq.com/openai/v1");
    await user.type(within(dialog).getByLabelText("Credential variable"), "gsk_4f8a9b0c1d2e3f4a5b6c7d8e9f");
    await user.click(within(dialog).getByRole("button", { name: "Add provider" }));
    expect(within(dialog).getByText(/This looks like a secret/)).toBeInTheDocument();
    expect(writes()).toHaveLength(0);

    await user.clear(within(dialog).getByLabelText("Credential variable"));
    await user.type(within(dialog).getByLabelText("Credential variable"), "GROQ2_API_KEY");
    await user.click(within(dialog).getByRole("button", { name: "Add provider" }));
    await waitFor(() => expect(writes()).toHaveLength(1));
    expect(writes()[0]).toEqual({
      method: "POST",
      path: "/api/admin/providers",
      body: { id: "groq2", name: "Groq 2", adapter: "openai", base_url: "https://api.groq.com/openai/v1", key_env: "GROQ2_API_KEY", enabled: true },
    });
    // The catalog is read again.
    await waitFor(() => expect(catalogLoads()).toBeGreaterThan(loadsBefore));
  });

  it("explains bad input in words", async () => {
    const user = userEvent.setup();
    renderPage();
    await screen.findByText("Groq");
    await user.click(screen.getByRole("button", { name: "Add provider" }));
    const dialog = await screen.findByRole("dialog");
    await user.type(within(dialog).getByLabelText("ID"), "Groq AI");
    await user.type(within(dialog).getByLabelText("Base URL"), "api.groq.com");
    await user.type(within(dialog).getByLabelText("Credential variable"), "groq_key");
    await user.click(within(dialog).getByRole("button", { name: "Add provider" }));
    expect(within(dialog).getByText(/Use lower-case letters, digits/)).toBeInTheDocument();
    expect(within(dialog).getByText("Enter a name.")).toBeInTheDocument();
    expect(within(dialog).getByText(/Enter a full URL starting with https:\/\//)).toBeInTheDocument();
    expect(within(dialog).getByText(/Use capital letters, digits and “_”/)).toBeInTheDocument();
    expect(writes()).toHaveLength(0);
  });

  it("edits a provider, sending only what changed", async () => {
    const user = userEvent.setup();
    renderPage();
    await screen.findByText("Groq");
    await user.click(screen.getByRole("button", { name: "Edit Groq" }));
    const dialog = await screen.findByRole("dialog");
    expect(within(dialog).getByLabelText("ID")).toBeDisabled();
    await user.clear(within(dialog).getByLabelText("Name"));
    await user.type(within(dialog).getByLabelText("Name"), "Groq Cloud");
    await user.click(within(dialog).getByRole("button", { name: "Save changes" }));
    await waitFor(() => expect(writes()).toEqual([{ method: "PATCH", path: "/api/admin/providers/groq", body: { name: "Groq Cloud" } }]));
  });
});

describe("AdminCatalogPage · models", () => {
  it("changes an endpoint's prices in USD per million tokens, scheduled for later, and shows the history", async () => {
    const user = userEvent.setup();
    renderPage();
    await screen.findByText("Groq");
    await user.click(screen.getByRole("tab", { name: /Models/ }));
    await user.click(await screen.findByRole("button", { name: /FakeCo: Duo/ }));
    await user.click(screen.getByRole("button", { name: "Edit FakeCo: Duo at Fake Cheap" }));
    const dialog = await screen.findByRole("dialog");

    expect(within(dialog).getByLabelText("Prompt")).toHaveValue("0.5");
    expect(within(dialog).getByLabelText("Completion")).toHaveValue("1.5");
    expect(within(dialog).getByLabelText("Cache read")).toHaveValue("0.25");
    // History, newest first.
    await waitFor(() => expect(within(dialog).getAllByTestId("price-row")).toHaveLength(2));
    expect(within(dialog).getAllByTestId("price-row")[0]).toHaveTextContent("In force");
    expect(within(dialog).getAllByTestId("price-row")[1]).toHaveTextContent("$0.40");

    await user.clear(within(dialog).getByLabelText("Prompt"));
    await user.type(within(dialog).getByLabelText("Prompt"), "0.60");
    await user.click(within(dialog).getByLabelText("Later"));
    const when = new Date(Date.now() + 3 * 86_400_000);
    const pad = (n: number) => String(n).padStart(2, "0");
    const local = `${when.getFullYear()}-${pad(when.getMonth() + 1)}-${pad(when.getDate())}T09:30`;
    const at = within(dialog).getByLabelText("From");
    await user.clear(at);
    await user.type(at, local);
    await user.click(within(dialog).getByRole("button", { name: "Schedule prices" }));

    await waitFor(() => expect(writes()).toHaveLength(1));
    const put = writes()[0]!;
    expect(put.method).toBe("PUT");
    expect(put.path).toBe("/api/admin/models/fakeco/duo/endpoints/fake-cheap");
    // The model id travels URL-encoded, as one path segment.
    expect(rawPaths()).toContain("/api/admin/models/fakeco%2Fduo/endpoints/fake-cheap");
    expect(put.body).toEqual({
      prices: { input: "0.6", output: "1.5", cache_read: "0.25", cache_write: "0" },
      effective_from: new Date(local).toISOString(),
    });
  });

  it("refuses a bad price in words", async () => {
    const user = userEvent.setup();
    renderPage();
    await screen.findByText("Groq");
    await user.click(screen.getByRole("tab", { name: /Models/ }));
    await user.click(await screen.findByRole("button", { name: /FakeCo: Duo/ }));
    await user.click(screen.getByRole("button", { name: "Edit FakeCo: Duo at Fake Cheap" }));
    const dialog = await screen.findByRole("dialog");
    await user.clear(within(dialog).getByLabelText("Completion"));
    await user.type(within(dialog).getByLabelText("Completion"), "1,5");
    await user.click(within(dialog).getByRole("button", { name: "Save changes" }));
    expect(within(dialog).getByText(/Enter USD per million tokens as a number/)).toBeInTheDocument();
    expect(writes()).toHaveLength(0);
  });
});

describe("AdminCatalogPage · companies", () => {
  /** Renders the page (with toasts) on its Companies tab. */
  async function openCompanies() {
    const user = userEvent.setup();
    renderPage({ toasts: true });
    await screen.findByText("Groq");
    await user.click(screen.getByRole("tab", { name: /Companies/ }));
    return user;
  }

  /** Chooses Delete in a company's menu; the confirmation that opens. */
  async function askToDelete(user: ReturnType<typeof userEvent.setup>, name: string) {
    await user.click(await screen.findByRole("button", { name: `More actions for ${name}` }));
    await user.click(await screen.findByRole("menuitem", { name: "Delete" }));
    return screen.findByRole("alertdialog");
  }

  it("adds a company", async () => {
    const user = userEvent.setup();
    renderPage();
    await screen.findByText("Groq");
    await user.click(screen.getByRole("tab", { name: /Companies/ }));
    await user.click(await screen.findByRole("button", { name: "Add company" }));
    const dialog = await screen.findByRole("dialog");
    await user.type(within(dialog).getByLabelText("ID"), "mistralai");
    await user.type(within(dialog).getByLabelText("Name"), "Mistral AI");
    await user.click(within(dialog).getByRole("button", { name: "Add company" }));
    await waitFor(() => expect(writes()).toEqual([{ method: "POST", path: "/api/admin/companies", body: { id: "mistralai", name: "Mistral AI" } }]));
  });

  it("deletes a company without models only after confirming, and says so", async () => {
    api.routes["DELETE /api/admin/companies/*"] = { status: 204 };
    const user = await openCompanies();
    // A company with models cannot be deleted; the menu says why.
    await user.click(await screen.findByRole("button", { name: "More actions for FakeCo" }));
    expect(await screen.findByRole("menuitem", { name: "Delete" })).toHaveAttribute("aria-disabled", "true");
    expect(screen.getByText("It has 1 model. Delete those first.")).toBeInTheDocument();
    await user.keyboard("{Escape}");

    const confirm = await askToDelete(user, "EmptyCo");
    expect(confirm).toHaveTextContent("Delete EmptyCo?");
    expect(confirm).toHaveTextContent("It has no models, so nothing else changes.");
    expect(writes()).toHaveLength(0);
    await user.click(within(confirm).getByRole("button", { name: "Delete company" }));
    await waitFor(() => expect(writes()).toEqual([{ method: "DELETE", path: "/api/admin/companies/emptyco", body: undefined }]));
    expect((await screen.findByText("EmptyCo deleted")).closest('[role="status"]')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByRole("alertdialog")).toBeNull());
  });

  it("keeps the confirmation open and says why when a delete is refused", async () => {
    api.routes["DELETE /api/admin/companies/*"] = apiError(409, "The company still has models.");
    const user = await openCompanies();
    const confirm = await askToDelete(user, "EmptyCo");
    await user.click(within(confirm).getByRole("button", { name: "Delete company" }));
    const alert = await screen.findByText("The company was not deleted");
    expect(alert.closest('[role="alert"]')).toHaveTextContent("The company still has models.");
    expect(screen.getByRole("alertdialog")).toBeInTheDocument();
  });
});
