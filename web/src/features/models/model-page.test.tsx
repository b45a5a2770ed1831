import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { apiError, fakeApi, type Answer } from "@/test/fake-api";
import { renderWithClient } from "@/test/render";
import ModelPage from "./model-page";
import { testCatalog } from "./data/test-catalog";

const api = fakeApi();

const config = (gateway_url: string | null): Answer => ({
  body: { gateway_url, payments: { provider: "sandbox", min_micros: 5_000_000, max_micros: 1_000_000_000 } },
});

function renderModel(id: string, configAnswer: Answer = config("https://gw.example.com")) {
  api.routes = { "GET /api/models": { body: testCatalog }, "GET /api/config": configAnswer };
  return renderWithClient(<ModelPage params={{ "*": id }} />);
}

/** The providers table's body rows as lists of cell texts. */
function providerRows() {
  const table = screen.getByRole("table", { name: "Providers" });
  return within(table)
    .getAllByRole("row")
    .filter((r) => within(r).queryAllByRole("cell").length > 0);
}

function cellUnder(row: HTMLElement, header: string) {
  const table = screen.getByRole("table", { name: "Providers" });
  const headerRow = within(table).getAllByRole("row")[1]!;
  const index = within(headerRow)
    .getAllByRole("columnheader")
    .findIndex((h) => h.textContent === header);
  expect(index, `column ${header}`).toBeGreaterThanOrEqual(0);
  return within(row).getAllByRole("cell")[index]!;
}

async function codeSample() {
  return (await screen.findByTestId("code-sample")).textContent ?? "";
}

beforeEach(() => {
  localStorage.clear();
  window.history.replaceState(null, "", "/models");
});

describe("Model page", () => {
  it("shows the model's name, id, company, description, limits and modalities", async () => {
    renderModel("openai/gpt-4o");
    expect(await screen.findByRole("heading", { level: 1, name: "OpenAI: GPT-4o" })).toBeInTheDocument();
    expect(screen.getByText("openai/gpt-4o", { selector: "code" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Copy model id" })).toBeInTheDocument();
    expect(screen.getByText("Flagship multimodal model.")).toBeInTheDocument();
    expect(screen.getByText((_, el) => el?.tagName === "SPAN" && el.textContent === "by OpenAI")).toBeInTheDocument();
    const context = screen.getByText("Context", { selector: "dt" }).parentElement!;
    expect(context).toHaveTextContent("128K tokens");
    const maxOutput = screen.getByText("Max output", { selector: "dt" }).parentElement!;
    expect(maxOutput).toHaveTextContent("16K tokens");
    const input = screen.getByText("Input", { selector: "dt" }).parentElement!;
    expect(within(input).getByText("image")).toBeInTheDocument();
    expect(within(input).getByText("file")).toBeInTheDocument();
  });

  it("copies the model id", async () => {
    const user = userEvent.setup();
    renderModel("openai/gpt-4o");
    await user.click(await screen.findByRole("button", { name: "Copy model id" }));
    expect(await navigator.clipboard.readText()).toBe("openai/gpt-4o");
  });

  it("lists providers with prices per million tokens and live health", async () => {
    renderModel("openai/gpt-4o");
    await screen.findByRole("table", { name: "Providers" });
    const [row] = providerRows();
    expect(row).toBeDefined();
    expect(within(row!).getByText("OpenAI")).toBeInTheDocument();
    expect(within(row!).getByText("Available")).toBeInTheDocument();
    expect(within(row!).getByText("Lowest price")).toBeInTheDocument();
    expect(cellUnder(row!, "Prompt")).toHaveTextContent("$2.50");
    expect(cellUnder(row!, "Completion")).toHaveTextContent("$10.00");
    expect(cellUnder(row!, "Cache read")).toHaveTextContent("$1.25");
    expect(cellUnder(row!, "Context")).toHaveTextContent("128K");
    expect(cellUnder(row!, "Max output")).toHaveTextContent("16K");
    expect(cellUnder(row!, "Latency")).toHaveTextContent("412 ms");
    expect(cellUnder(row!, "Throughput")).toHaveTextContent("87.6 tok/s");
    expect(cellUnder(row!, "Errors")).toHaveTextContent("0.5%of 1,234 requests");
    expect(cellUnder(row!, "Last failure")).toHaveTextContent("3m ago");
    // No endpoint has a cache-write price, so there is no such column.
    expect(screen.queryByRole("columnheader", { name: "Cache write" })).not.toBeInTheDocument();
  });

  it("puts the cheapest available provider first and marks it, whatever the catalog order", async () => {
    renderModel("meta-llama/llama-3.3-70b-instruct");
    await screen.findByRole("table", { name: "Providers" });
    const rows = providerRows();
    expect(rows).toHaveLength(2);
    expect(within(rows[0]!).getByText("DeepInfra")).toBeInTheDocument();
    expect(within(rows[0]!).getByText("Lowest price")).toBeInTheDocument();
    expect(cellUnder(rows[0]!, "Prompt")).toHaveTextContent("$0.10");
    expect(cellUnder(rows[0]!, "Completion")).toHaveTextContent("$0.32");
    expect(within(rows[1]!).getByText("Groq")).toBeInTheDocument();
    expect(within(rows[1]!).queryByText("Lowest price")).not.toBeInTheDocument();
    expect(cellUnder(rows[1]!, "Prompt")).toHaveTextContent("$0.59");
    expect(cellUnder(rows[1]!, "Completion")).toHaveTextContent("$0.79");
    // No traffic yet: no numbers to show.
    expect(cellUnder(rows[1]!, "Latency")).toHaveTextContent("—");
    expect(cellUnder(rows[1]!, "Last failure")).toHaveTextContent("Never");
  });

  it("marks no provider as lowest price when none is available, and says requests fail", async () => {
    renderModel("google/gemini-2.5-pro");
    await screen.findByRole("table", { name: "Providers" });
    const [row] = providerRows();
    expect(within(row!).getByText("Unavailable")).toBeInTheDocument();
    expect(screen.queryByText("Lowest price")).not.toBeInTheDocument();
    expect(screen.getByText(/No provider of this model is available right now/)).toBeInTheDocument();
  });

  it("fills the code sample with the gateway URL and the model id, in each language", async () => {
    const user = userEvent.setup();
    renderModel("openai/gpt-4o");
    let code = await codeSample();
    expect(code).toContain("curl https://gw.example.com/api/v1/chat/completions");
    expect(code).toContain('"model": "openai/gpt-4o"');
    expect(code).toContain("$TURNPIKE_API_KEY");
    expect(screen.getByRole("link", { name: "API keys" })).toHaveAttribute("href", "/keys");

    await user.click(screen.getByRole("tab", { name: "Python" }));
    code = await codeSample();
    expect(code).toContain('base_url="https://gw.example.com/api/v1"');
    expect(code).toContain('model="openai/gpt-4o"');

    await user.click(screen.getByRole("tab", { name: "TypeScript" }));
    code = await codeSample();
    expect(code).toContain('baseURL: "https://gw.example.com/api/v1"');
    expect(code).toContain('model: "openai/gpt-4o"');

    await user.click(screen.getByRole("button", { name: "Copy code sample" }));
    expect(await navigator.clipboard.readText()).toBe(code);
  });

  it("uses this host on port 4000 when the server has no gateway URL", async () => {
    renderModel("openai/gpt-4o", config(null));
    const code = await codeSample();
    expect(code).toContain(`${window.location.protocol}//${window.location.hostname}:4000/api/v1/chat/completions`);
  });

  it("still shows a usable sample when the server cannot tell its config", async () => {
    renderModel("openai/gpt-4o", apiError(404, "No route", "not_found_error"));
    const code = await codeSample();
    expect(code).toContain(`${window.location.hostname}:4000/api/v1`);
  });

  it("links to the playground with the model picked", async () => {
    renderModel("openai/gpt-4o");
    expect(await screen.findByRole("link", { name: "Try in playground" })).toHaveAttribute("href", "/playground?model=openai%2Fgpt-4o");
  });

  it("says when the model does not exist, with a way back", async () => {
    renderModel("nobody/nothing");
    expect(await screen.findByText("Model not found")).toBeInTheDocument();
    expect(screen.getByText("nobody/nothing")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Browse all models" })).toHaveAttribute("href", "/models");
  });

  it("says the catalog could not be loaded", async () => {
    api.routes = { "GET /api/models": apiError(500, "boom", "server_error") };
    renderWithClient(<ModelPage params={{ "*": "openai/gpt-4o" }} />);
    expect(await screen.findByText("This model could not be loaded")).toBeInTheDocument();
  });
});
