import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import type { Catalog } from "@/lib/api";
import { apiError, fakeApi, signedOut } from "@/test/fake-api";
import { renderWithClient } from "@/test/render";
import ModelsPage from "./index";
import { testCatalog } from "./data/test-catalog";

const api = fakeApi();

function renderPage(search = "", catalog: Catalog = testCatalog) {
  api.routes = { "GET /api/models": { body: catalog }, "GET /api/me": signedOut };
  window.history.replaceState(null, "", "/models" + search);
  return renderWithClient(<ModelsPage />);
}

/** The model names in the table, top to bottom. */
function tableNames() {
  const table = screen.getByRole("table", { name: "Models" });
  return within(table)
    .getAllByRole("row")
    .slice(1)
    .map((row) => within(row).getAllByRole("link")[0]!.textContent);
}

async function waitForRows() {
  const table = await screen.findByRole("table", { name: "Models" });
  await waitFor(() => expect(table).not.toHaveAttribute("aria-busy"));
}

beforeEach(() => {
  window.history.replaceState(null, "", "/models");
});

describe("Models page", () => {
  it("lists every model with its company, context, cheapest prices and provider count", async () => {
    renderPage();
    await waitForRows();
    expect(screen.getByRole("status")).toHaveTextContent("5 models");
    expect(tableNames()).toEqual([
      "Google: Gemini 2.5 Pro",
      "Meta: Llama 3.3 70B Instruct",
      "Meta: Llama Guard",
      "OpenAI: GPT-4o",
      "OpenAI: GPT-4o-mini",
    ]);
    const table = screen.getByRole("table", { name: "Models" });
    const llama = within(table).getByRole("link", { name: "Meta: Llama 3.3 70B Instruct" }).closest("tr")!;
    // The cheapest available provider (DeepInfra, listed second) sets the prices.
    expect(within(llama).getAllByRole("cell").map((c) => c.textContent)).toEqual([
      "Meta: Llama 3.3 70B Instructmeta-llama/llama-3.3-70b-instruct",
      "Meta",
      "131K",
      "$0.10",
      "$0.32",
      "2",
    ]);
    const gemini = within(table).getByRole("link", { name: "Google: Gemini 2.5 Pro" }).closest("tr")!;
    expect(within(gemini).getByText("Unavailable")).toBeInTheDocument();
    expect(within(gemini).getByText("1.05M")).toBeInTheDocument();
  });

  it("links each row to the model's page, keeping the slash in the id", async () => {
    renderPage();
    await waitForRows();
    const table = screen.getByRole("table", { name: "Models" });
    expect(within(table).getByRole("link", { name: "OpenAI: GPT-4o" })).toHaveAttribute("href", "/models/openai/gpt-4o");
    expect(within(table).getByRole("link", { name: "Meta: Llama 3.3 70B Instruct" })).toHaveAttribute(
      "href",
      "/models/meta-llama/llama-3.3-70b-instruct",
    );
  });

  it("narrows the list as you search, and puts the search in the URL", async () => {
    const user = userEvent.setup();
    renderPage();
    await waitForRows();
    await user.type(screen.getByLabelText("Search models"), "llama");
    expect(tableNames()).toEqual(["Meta: Llama 3.3 70B Instruct", "Meta: Llama Guard"]);
    expect(screen.getByRole("status")).toHaveTextContent("2 models of 5");
    expect(new URLSearchParams(window.location.search).get("q")).toBe("llama");

    // Descriptions count too.
    await user.clear(screen.getByLabelText("Search models"));
    await user.type(screen.getByLabelText("Search models"), "cheap");
    expect(tableNames()).toEqual(["OpenAI: GPT-4o-mini"]);
  });

  it("keeps only models that support tools when asked", async () => {
    const user = userEvent.setup();
    renderPage();
    await waitForRows();
    await user.click(screen.getByRole("checkbox", { name: "Supports tools" }));
    expect(tableNames()).toEqual(["Google: Gemini 2.5 Pro", "OpenAI: GPT-4o", "OpenAI: GPT-4o-mini"]);
    expect(new URLSearchParams(window.location.search).get("tools")).toBe("1");

    await user.type(screen.getByLabelText("Search models"), "4o-mini");
    expect(tableNames()).toEqual(["OpenAI: GPT-4o-mini"]);
  });

  it("keeps only models that take images when asked", async () => {
    const user = userEvent.setup();
    renderPage();
    await waitForRows();
    await user.click(screen.getByRole("checkbox", { name: "Supports images" }));
    expect(tableNames()).toEqual(["Google: Gemini 2.5 Pro", "OpenAI: GPT-4o", "OpenAI: GPT-4o-mini"]);
  });

  it("filters by company with the select", async () => {
    const user = userEvent.setup();
    renderPage();
    await waitForRows();
    await user.click(screen.getByRole("combobox", { name: "Company" }));
    await user.click(await screen.findByRole("option", { name: "Meta" }));
    expect(tableNames()).toEqual(["Meta: Llama 3.3 70B Instruct", "Meta: Llama Guard"]);
    expect(new URLSearchParams(window.location.search).get("company")).toBe("meta-llama");
  });

  it("opens a shared view from the URL", async () => {
    renderPage("?context=1m");
    await waitForRows();
    expect(tableNames()).toEqual(["Google: Gemini 2.5 Pro"]);
    expect(screen.getByRole("combobox", { name: "Context length" })).toHaveTextContent("1M+");
  });

  it("sorts by a column header and says so with aria-sort", async () => {
    const user = userEvent.setup();
    renderPage();
    await waitForRows();
    const table = screen.getByRole("table", { name: "Models" });
    const header = within(table).getByRole("columnheader", { name: /Prompt \$\/M/ });
    expect(header).toHaveAttribute("aria-sort", "none");
    expect(within(table).getByRole("columnheader", { name: /Model/ })).toHaveAttribute("aria-sort", "ascending");

    await user.click(within(header).getByRole("button"));
    expect(header).toHaveAttribute("aria-sort", "ascending");
    expect(tableNames()).toEqual([
      "Meta: Llama 3.3 70B Instruct",
      "OpenAI: GPT-4o-mini",
      "Google: Gemini 2.5 Pro",
      "OpenAI: GPT-4o",
      "Meta: Llama Guard", // no provider, no price: last
    ]);
    expect(window.location.search).toBe("?sort=prompt");

    await user.click(within(header).getByRole("button"));
    expect(header).toHaveAttribute("aria-sort", "descending");
    expect(tableNames()[0]).toBe("OpenAI: GPT-4o");

    const context = within(table).getByRole("columnheader", { name: /Context/ });
    await user.click(within(context).getByRole("button"));
    expect(context).toHaveAttribute("aria-sort", "descending");
    expect(tableNames()[0]).toBe("Google: Gemini 2.5 Pro");
  });

  it("says when nothing matches and clears the filters on request", async () => {
    const user = userEvent.setup();
    renderPage("?tools=1");
    await waitForRows();
    await user.type(screen.getByLabelText("Search models"), "zzz");
    expect(screen.getByText("No models match")).toBeInTheDocument();
    expect(screen.queryByRole("table")).not.toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Clear filters" }));
    expect(tableNames()).toHaveLength(5);
    expect(screen.getByLabelText("Search models")).toHaveValue("");
    expect(screen.getByRole("checkbox", { name: "Supports tools" })).not.toBeChecked();
    expect(window.location.search).toBe("");
  });

  it("says when the catalog is empty", async () => {
    renderPage("", { companies: [], providers: [], models: [] });
    expect(await screen.findByText("No models yet")).toBeInTheDocument();
  });

  it("explains a failure to load and offers to retry", async () => {
    api.routes = { "GET /api/models": apiError(500, "boom", "server_error") };
    window.history.replaceState(null, "", "/models");
    renderWithClient(<ModelsPage />);
    expect(await screen.findByText("The models could not be loaded")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Try again" })).toBeInTheDocument();
  });

  it("shows skeleton rows, not an empty table, while loading", () => {
    api.routes = { "GET /api/models": () => new Promise(() => {}) };
    renderWithClient(<ModelsPage />);
    const table = screen.getByRole("table", { name: "Models" });
    expect(table).toHaveAttribute("aria-busy", "true");
    expect(within(table).getAllByRole("row")).toHaveLength(9);
    expect(screen.queryByText("No models match")).not.toBeInTheDocument();
  });
});
