import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import type { Catalog } from "@/lib/api";
import { formatDateTime } from "@/lib/format";
import { apiError, fakeApi } from "@/test/fake-api";
import { setWindowWide } from "@/test/match-media";
import { renderWithClient } from "@/test/render";
import { Toaster } from "@/components/ui/toaster";
import { TooltipProvider } from "@/components/ui/tooltip";
import AdminCatalogPage from ".";
import type { AdminCatalog, AdminEndpoint, AdminProvider } from "./data/catalog";

const quiet = { requests: 0, failures: 0, error_rate: 0, latency_ms: null, last_failure_at: null, throughput_tps: null };

const cheapEndpoint: AdminEndpoint = {
  model: "fakeco/duo",
  provider: "fake-cheap",
  upstream_model: "duo-cheap-1",
  enabled: true,
  available: true,
  prices: { input: 500_000, output: 1_500_000, cache_read: 250_000, cache_write: 0 },
  // Only the prompt price changes on the 15th; cache write goes up later.
  scheduled_prices: [
    { prices: { input: 600_000, output: 1_500_000, cache_read: 250_000, cache_write: 0 }, effective_from: "2030-01-15T09:30:00Z" },
    { prices: { input: 600_000, output: 1_500_000, cache_read: 250_000, cache_write: 1_000_000 }, effective_from: "2030-03-01T00:00:00Z" },
  ],
  context_length: 128000,
  max_output: 4096,
  supported_parameters: [],
  data_collection: "allow",
  zdr: false,
};

const groqEndpoint: AdminEndpoint = {
  model: "fakeco/duo",
  provider: "groq",
  upstream_model: "duo-groq",
  enabled: false,
  available: false,
  prices: { input: 300_000, output: 900_000, cache_read: 0, cache_write: 0 },
  scheduled_prices: [],
  context_length: 128000,
  max_output: 4096,
  supported_parameters: [],
  data_collection: "allow",
  zdr: false,
};

const groq: AdminProvider = {
  id: "groq",
  name: "Groq",
  adapter: "openai",
  base_url: "https://api.groq.com/openai/v1",
  key_env: "GROQ_API_KEY",
  base_url_env: "GROQ_BASE_URL",
  enabled: true,
  available: false,
  unavailable_reason: "GROQ_API_KEY is not set",
};

const oldAi: AdminProvider = {
  id: "old-ai",
  name: "Old AI",
  adapter: "anthropic",
  base_url: "https://old.invalid/v1",
  key_env: null,
  base_url_env: null,
  enabled: false,
  available: false,
  unavailable_reason: "disabled in the catalog",
};

/** GET /api/admin/catalog: everything as admins edit it, the switched-off provider included. */
const adminCatalog: AdminCatalog = {
  companies: [
    { id: "fakeco", name: "FakeCo" },
    { id: "emptyco", name: "EmptyCo" },
  ],
  providers: [
    {
      id: "fake-cheap",
      name: "Fake Cheap",
      adapter: "openai",
      base_url: "https://cheap.invalid/v1",
      key_env: "OPENAI_API_KEY",
      base_url_env: null,
      enabled: true,
      available: true,
      unavailable_reason: null,
    },
    groq,
    oldAi,
  ],
  models: [
    {
      id: "fakeco/duo",
      name: "FakeCo: Duo",
      company: "fakeco",
      canonical_slug: "fakeco/duo",
      description: "",
      context_length: 128000,
      max_output: 4096,
      created: null,
      source: "test",
      input_modalities: ["text"],
      output_modalities: ["text"],
      endpoints: [cheapEndpoint, groqEndpoint],
    },
  ],
};

/** GET /api/models: the public catalog, read here only for live health. */
const publicCatalog: Catalog = {
  companies: adminCatalog.companies,
  providers: [
    {
      id: "fake-cheap",
      name: "Fake Cheap",
      adapter: "openai",
      base_url: "https://cheap.invalid/v1",
      key_env: "OPENAI_API_KEY",
      available: true,
      health: { requests: 1234, failures: 0, error_rate: 0, latency_ms: 420, last_failure_at: null, throughput_tps: 85 },
    },
    { id: "groq", name: "Groq", adapter: "openai", base_url: "https://api.groq.com/openai/v1", key_env: "GROQ_API_KEY", available: false, health: quiet },
  ],
  models: [],
};

const api = fakeApi();

beforeEach(() => {
  setWindowWide(true);
  window.history.replaceState(null, "", "/admin/catalog");
  api.routes = {
    "GET /api/admin/catalog": { body: adminCatalog },
    "GET /api/models": { body: publicCatalog },
    "POST /api/admin/providers": { status: 201, body: { provider: groq } },
    "PATCH /api/admin/providers/*": { body: { provider: groq } },
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
      <AdminCatalogPage />
      {toasts && <Toaster />}
    </TooltipProvider>,
  );
}

/** What was sent, with the path decoded; `rawPaths` keeps it as it went on the wire. */
const sent = () => api.sent.map(({ method, path, body }) => ({ method, path: decodeURIComponent(path), body }));
const rawPaths = () => api.sent.map((s) => s.path);
const writes = () => sent().filter((s) => s.method !== "GET");
const loads = (path: string) => sent().filter((s) => s.method === "GET" && s.path === path).length;
/** How often the admin listing and the public catalog have been read. */
const catalogLoads = () => ({ admin: loads("/api/admin/catalog"), public: loads("/api/models") });

describe("AdminCatalogPage · providers", () => {
  it("lists providers from the admin listing: URL and its override variable, credential variable, status and why not", async () => {
    renderPage();
    const row = (await screen.findByText("Groq")).closest("tr")!;
    expect(within(row).getByText("https://api.groq.com/openai/v1")).toBeInTheDocument();
    expect(within(row).getByText("GROQ_BASE_URL")).toBeInTheDocument();
    expect(within(row).getByText("GROQ_API_KEY")).toBeInTheDocument();
    expect(within(row).getByText("Unavailable")).toBeInTheDocument();
    expect(within(row).getByText("GROQ_API_KEY is not set.")).toBeInTheDocument();
    expect(within(screen.getByText("Fake Cheap").closest("tr")!).getByText("Available")).toBeInTheDocument();
    expect(api.sent.some((r) => r.path === "/api/admin/catalog")).toBe(true);
  });

  it("shows a switched-off provider, which the public catalog leaves out, as switched off with its reason", async () => {
    renderPage();
    const row = (await screen.findByText("Old AI")).closest("tr")!;
    expect(within(row).getByText("Switched off")).toBeInTheDocument();
    expect(within(row).getByText("Disabled in the catalog.")).toBeInTheDocument();
    expect(within(row).queryByText("Available")).toBeNull();
    // The tab counts what the admin listing has.
    expect(screen.getByRole("tab", { name: /Providers/ })).toHaveTextContent("3");
  });

  it("shows live health from the public catalog, and a dash where it has none", async () => {
    renderPage();
    const cheap = (await screen.findByText("Fake Cheap")).closest("tr")!;
    await waitFor(() => expect(within(cheap).getByText(/1,234 calls/)).toBeInTheDocument());
    expect(within(cheap).getByText(/420 ms latency · 85 tok\/s/)).toBeInTheDocument();
    expect(within(screen.getByText("Groq").closest("tr")!).getByText("No traffic yet")).toBeInTheDocument();
    expect(within(screen.getByText("Old AI").closest("tr")!).getByText("—")).toBeInTheDocument();
  });

  it("says so when the admin listing cannot be read", async () => {
    api.routes["GET /api/admin/catalog"] = apiError(403, "Admins only", "permission_error");
    renderPage();
    expect(await screen.findByText("The catalog could not be loaded")).toBeInTheDocument();
    expect(screen.getByText("Admins only")).toBeInTheDocument();
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
    // Both the admin listing and the public catalog the rest of the dashboard reads are read again.
    await waitFor(() => {
      expect(catalogLoads().admin).toBeGreaterThan(loadsBefore.admin);
      expect(catalogLoads().public).toBeGreaterThan(loadsBefore.public);
    });
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

  it("edits a provider pre-filled from the admin listing, sending only what changed", async () => {
    const user = userEvent.setup();
    renderPage();
    await screen.findByText("Groq");
    await user.click(screen.getByRole("button", { name: "Edit Groq" }));
    const dialog = await screen.findByRole("dialog");
    expect(within(dialog).getByLabelText("ID")).toBeDisabled();
    expect(within(dialog).getByLabelText("Base URL")).toHaveValue("https://api.groq.com/openai/v1");
    expect(within(dialog).getByLabelText("Credential variable")).toHaveValue("GROQ_API_KEY");
    expect(within(dialog).getByLabelText("Base URL override variable")).toHaveValue("GROQ_BASE_URL");
    expect(within(dialog).getByRole("switch", { name: "Switched on" })).toBeChecked();
    // Nothing is left to guess.
    expect(within(dialog).queryByText("Leave as it is")).toBeNull();
    expect(within(dialog).getByText("Not available now: GROQ_API_KEY is not set")).toBeInTheDocument();

    await user.clear(within(dialog).getByLabelText("Name"));
    await user.type(within(dialog).getByLabelText("Name"), "Groq Cloud");
    await user.click(within(dialog).getByRole("button", { name: "Save changes" }));
    await waitFor(() => expect(writes()).toEqual([{ method: "PATCH", path: "/api/admin/providers/groq", body: { name: "Groq Cloud" } }]));
  });

  it("clears a base URL override and switches a provider off", async () => {
    const user = userEvent.setup();
    renderPage();
    await screen.findByText("Groq");
    await user.click(screen.getByRole("button", { name: "Edit Groq" }));
    const dialog = await screen.findByRole("dialog");
    await user.clear(within(dialog).getByLabelText("Base URL override variable"));
    await user.click(within(dialog).getByRole("switch", { name: "Switched on" }));
    await user.click(within(dialog).getByRole("button", { name: "Save changes" }));
    await waitFor(() =>
      expect(writes()).toEqual([{ method: "PATCH", path: "/api/admin/providers/groq", body: { base_url_env: null, enabled: false } }]),
    );
  });

  it("switches a switched-off provider back on", async () => {
    const user = userEvent.setup();
    renderPage();
    await screen.findByText("Old AI");
    await user.click(screen.getByRole("button", { name: "Edit Old AI" }));
    const dialog = await screen.findByRole("dialog");
    const toggle = within(dialog).getByRole("switch", { name: "Switched on" });
    expect(toggle).not.toBeChecked();
    expect(within(dialog).getByLabelText("Credential variable")).toHaveValue("");
    expect(within(dialog).getByLabelText("Base URL override variable")).toHaveValue("");
    await user.click(toggle);
    await user.click(within(dialog).getByRole("button", { name: "Save changes" }));
    await waitFor(() => expect(writes()).toEqual([{ method: "PATCH", path: "/api/admin/providers/old-ai", body: { enabled: true } }]));
  });
});

describe("AdminCatalogPage · models", () => {
  it("lists the models as a table like /models, sortable by price", async () => {
    const user = userEvent.setup();
    const solo = {
      ...adminCatalog.models[0]!,
      id: "fakeco/solo",
      name: "FakeCo: Solo",
      context_length: 8000,
      endpoints: [{ ...adminCatalog.models[0]!.endpoints[0]!, prices: { input: 100_000, output: 9_000_000, cache_read: 0, cache_write: 0 }, scheduled_prices: [] }],
    };
    api.routes["GET /api/admin/catalog"] = { body: { ...adminCatalog, models: [...adminCatalog.models, solo] } };
    renderPage();
    await screen.findByText("Groq");
    await user.click(screen.getByRole("tab", { name: /Models/ }));
    const table = await screen.findByRole("table", { name: "Models" });
    expect(within(table).getAllByRole("columnheader").map((h) => h.textContent)).toEqual([
      "Model",
      "Company",
      "Context",
      "Prompt $/M",
      "Completion $/M",
      "Providers",
    ]);
    const names = () => screen.getAllByTestId("model-row").map((r) => within(r).getByRole("button").textContent);
    expect(names()).toEqual(["FakeCo: Duofakeco/duo", "FakeCo: Solofakeco/solo"]);
    const duo = screen.getAllByTestId("model-row")[0]!;
    expect(duo).toHaveTextContent("128K");
    expect(duo).toHaveTextContent("$0.50");
    expect(duo).toHaveTextContent("$1.50");

    await user.click(within(table).getByRole("button", { name: "Prompt $/M" }));
    expect(names()).toEqual(["FakeCo: Solofakeco/solo", "FakeCo: Duofakeco/duo"]);
    expect(within(table).getByRole("columnheader", { name: /Prompt/ })).toHaveAttribute("aria-sort", "ascending");
    await user.click(within(table).getByRole("button", { name: "Completion $/M" }));
    await user.click(within(table).getByRole("button", { name: "Completion $/M" }));
    expect(within(table).getByRole("columnheader", { name: /Completion/ })).toHaveAttribute("aria-sort", "descending");
    expect(names()).toEqual(["FakeCo: Solofakeco/solo", "FakeCo: Duofakeco/duo"]);
    // A row still opens its providers.
    await user.click(screen.getByRole("button", { name: /FakeCo: Duo/ }));
    expect(await screen.findByRole("button", { name: "Edit FakeCo: Duo at Fake Cheap" })).toBeInTheDocument();
  });

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

  /** Renders the page on its Models tab with FakeCo: Duo's endpoints open. */
  async function openDuo() {
    const user = userEvent.setup();
    renderPage();
    await screen.findByText("Groq");
    await user.click(screen.getByRole("tab", { name: /Models/ }));
    await user.click(await screen.findByRole("button", { name: /FakeCo: Duo/ }));
    return user;
  }
  const endpointRow = (provider: string) => screen.getAllByTestId("endpoint-row").find((r) => within(r).queryByText(provider, { selector: "td" }))!;

  it("shows scheduled price changes next to the prices in force", async () => {
    await openDuo();
    const row = endpointRow("Fake Cheap");
    const cells = within(row).getAllByRole("cell");
    // Prompt: $0.50 now, $0.60 from the 15th; completion and cache read do not change.
    expect(cells[2]).toHaveTextContent(`$0.50changes to $0.60 on ${formatDateTime("2030-01-15T09:30:00Z")}`);
    expect(cells[3]).toHaveTextContent(/^\$1\.50$/);
    expect(cells[4]).toHaveTextContent(/^\$0\.25$/);
    expect(cells[5]).toHaveTextContent(`$0changes to $1.00 on ${formatDateTime("2030-03-01T00:00:00Z")}`);
    expect(within(row).getAllByTestId("scheduled-price")).toHaveLength(2);
    expect(within(endpointRow("Groq")).queryByTestId("scheduled-price")).toBeNull();
  });

  it("shows scheduled price changes on phones too", async () => {
    setWindowWide(false);
    await openDuo();
    const card = screen.getAllByTestId("endpoint-card").find((c) => within(c).queryByText("Fake Cheap"))!;
    expect(within(card).getByText(`changes to $0.60 on ${formatDateTime("2030-01-15T09:30:00Z")}`)).toBeInTheDocument();
  });

  it("shows a switched-off endpoint as switched off, and switches it on from its pre-filled form", async () => {
    const user = await openDuo();
    expect(within(endpointRow("Groq")).getByText("Switched off")).toBeInTheDocument();
    expect(within(endpointRow("Fake Cheap")).getByText("Available")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Edit FakeCo: Duo at Groq" }));
    const dialog = await screen.findByRole("dialog");
    const toggle = within(dialog).getByRole("switch", { name: "Switched on" });
    expect(toggle).not.toBeChecked();
    expect(within(dialog).queryByText("Leave as it is")).toBeNull();
    // Its provider is not available either, and the form says why.
    expect(within(dialog).getByText("Groq is not available now: GROQ_API_KEY is not set")).toBeInTheDocument();
    await user.click(toggle);
    await user.click(within(dialog).getByRole("button", { name: "Save changes" }));
    await waitFor(() => expect(writes()).toEqual([{ method: "PUT", path: "/api/admin/models/fakeco/duo/endpoints/groq", body: { enabled: true } }]));
  });

  it("switches an endpoint off", async () => {
    const user = await openDuo();
    await user.click(screen.getByRole("button", { name: "Edit FakeCo: Duo at Fake Cheap" }));
    const dialog = await screen.findByRole("dialog");
    const toggle = within(dialog).getByRole("switch", { name: "Switched on" });
    expect(toggle).toBeChecked();
    await user.click(toggle);
    await user.click(within(dialog).getByRole("button", { name: "Save changes" }));
    await waitFor(() => expect(writes()).toEqual([{ method: "PUT", path: "/api/admin/models/fakeco/duo/endpoints/fake-cheap", body: { enabled: false } }]));
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
