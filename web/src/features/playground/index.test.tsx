import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setPlaygroundKey } from "@/hooks/use-playground-key";
import type { Catalog } from "@/lib/api";
import { fakeApi } from "@/test/fake-api";
import { renderWithClient } from "@/test/render";
import PlaygroundPage from "./index";

const catalog: Catalog = {
  companies: [{ id: "fakeco", name: "FakeCo" }],
  providers: [
    {
      id: "fake-cheap",
      name: "Fake Cheap",
      adapter: "openai",
      base_url: "https://cheap.invalid/v1",
      key_env: "OPENAI_API_KEY",
      available: true,
      health: { requests: 0, failures: 0, error_rate: 0, latency_ms: null, last_failure_at: null, throughput_tps: null },
    },
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
          prices: { input: 500_000, output: 1_500_000, cache_read: 0, cache_write: 0 },
          context_length: 128000,
          max_output: 4096,
          supported_parameters: [],
          data_collection: "allow",
          zdr: false,
        },
      ],
    },
    {
      id: "fakeco/solo",
      name: "FakeCo: Solo",
      company: "fakeco",
      description: "",
      context_length: 64000,
      max_output: 2048,
      input_modalities: ["text"],
      output_modalities: ["text"],
      endpoints: [
        {
          provider: "fake-cheap",
          upstream_model: "solo-1",
          available: true,
          prices: { input: 3_000_000, output: 12_000_000, cache_read: 0, cache_write: 0 },
          context_length: 64000,
          max_output: 2048,
          supported_parameters: [],
          data_collection: "allow",
          zdr: false,
        },
      ],
    },
  ],
};

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

const enc = new TextEncoder();
const sse = (o: unknown) => "data: " + JSON.stringify(o) + "\n\n";
const delta = (content: string) => sse({ id: "gen-abc123", object: "chat.completion.chunk", model: "fakeco/duo", choices: [{ index: 0, delta: { content }, finish_reason: null }] });

/** A streaming response whose pieces the test releases one by one. */
function controlledStream() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  return {
    response: new Response(body, { status: 200, headers: { "content-type": "text/event-stream" } }),
    send: (text: string) => controller.enqueue(enc.encode(text)),
    close: () => controller.close(),
  };
}

type GatewayCall = { url: string; init: RequestInit };
let gatewayCalls: GatewayCall[];
let gatewayAnswer: () => Response | Promise<Response>;

const api = fakeApi();

beforeEach(() => {
  gatewayCalls = [];
  window.history.replaceState(null, "", "/playground?model=fakeco/duo");
  setPlaygroundKey("sk-tp-v1-secret");
  api.routes = {
    "GET /api/models": { body: catalog },
    "GET /api/config": { body: { gateway_url: "http://gw.test:4104", payments: { provider: "none", min_micros: 0, max_micros: 0 } } },
    "GET /api/me": { body: {} },
    "GET /api/credits": { body: {} },
  };
  // The chat goes to the gateway, another origin, with a plain fetch(url, init).
  api.elsewhere = async (input, init) => {
    gatewayCalls.push({ url: String(input), init: init ?? {} });
    return gatewayAnswer();
  };
});

afterEach(() => setPlaygroundKey(null));

function renderPage() {
  return renderWithClient(<PlaygroundPage />);
}

async function waitForModel() {
  await waitFor(() => expect(screen.getByLabelText("Model")).toHaveValue("fakeco/duo"));
}

describe("PlaygroundPage", () => {
  it("preselects the model from the URL and shows its prices per million tokens", async () => {
    renderPage();
    await waitForModel();
    expect(screen.getByTestId("model-price")).toHaveTextContent("$0.50 prompt · $1.50 completion per 1M tokens");
    // The key from the Keys page is there, hidden.
    expect(screen.getByLabelText("API key")).toHaveAttribute("type", "password");
    expect(screen.getByLabelText("API key")).toHaveValue("sk-tp-v1-secret");
  });

  it("streams an answer from the gateway and shows its tokens, cost and generation id", async () => {
    const stream = controlledStream();
    gatewayAnswer = () => stream.response;
    const user = userEvent.setup();
    renderPage();
    await waitForModel();

    await user.type(screen.getByLabelText("Message"), "What is the capital of France?");
    await user.click(screen.getByRole("button", { name: "Send" }));

    await waitFor(() => expect(gatewayCalls).toHaveLength(1));
    const call = gatewayCalls[0]!;
    expect(call.url).toBe("http://gw.test:4104/api/v1/chat/completions");
    expect(call.init.method).toBe("POST");
    expect(call.init.mode).toBe("cors");
    expect(call.init.credentials).toBe("omit");
    expect(new Headers(call.init.headers).get("authorization")).toBe("Bearer sk-tp-v1-secret");
    expect(JSON.parse(String(call.init.body))).toEqual({
      model: "fakeco/duo",
      messages: [{ role: "user", content: "What is the capital of France?" }],
      stream: true,
      stream_options: { include_usage: true },
    });

    // The text shows while it streams; Stop is offered meanwhile.
    stream.send(": OPENROUTER PROCESSING\n\n" + delta("The capital"));
    expect(await screen.findByText(/The capital/)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Stop" })).toBeInTheDocument();

    stream.send(delta(" is Paris."));
    stream.send(sse({ id: "gen-abc123", choices: [], usage: { prompt_tokens: 14, completion_tokens: 8, cost: 0.00048 } }));
    stream.send("data: [DONE]\n\n");
    stream.close();

    const answer = await screen.findByText(/The capital is Paris\./);
    expect(answer.closest("[data-testid=assistant-message]")).not.toBeNull();
    expect(await screen.findByTestId("answer-cost")).toHaveTextContent("$0.000480");
    expect(within(answer.closest("li")!).getByText(/14 in · 8 out/)).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "gen-abc123" })).toHaveAttribute("href", "/logs/gen-abc123");
    expect(screen.getByTestId("conversation-total")).toHaveTextContent("$0.000480 for 1 answer");
    expect(screen.getByRole("button", { name: "Send" })).toBeInTheDocument();
    // The message box was emptied for the next message.
    expect(screen.getByLabelText("Message")).toHaveValue("");
  });

  it("sends on Enter, keeps Shift+Enter as a new line, and passes the options", async () => {
    const stream = controlledStream();
    gatewayAnswer = () => stream.response;
    const user = userEvent.setup();
    renderPage();
    await waitForModel();

    await user.click(screen.getByRole("button", { name: /Options/ }));
    await user.type(screen.getByLabelText("System prompt"), "Be brief.");
    await user.type(screen.getByLabelText("Temperature"), "0.5");
    await user.type(screen.getByLabelText("Max tokens"), "100");

    await user.type(screen.getByLabelText("Message"), "line one{Shift>}{Enter}{/Shift}line two{Enter}");
    await waitFor(() => expect(gatewayCalls).toHaveLength(1));
    expect(JSON.parse(String(gatewayCalls[0]!.init.body))).toMatchObject({
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "line one\nline two" },
      ],
      temperature: 0.5,
      max_tokens: 100,
    });
    stream.close();
  });

  it("tells a key's spending limit (402) from the account balance, with a link to Keys", async () => {
    gatewayAnswer = () =>
      json({ error: { code: 402, message: "This API key's spending limit does not cover this request (up to $0.50). Raise the limit or lower max_tokens.", type: "insufficient_credits", param: null } }, 402);
    const user = userEvent.setup();
    renderPage();
    await waitForModel();
    await user.type(screen.getByLabelText("Message"), "Hi{Enter}");
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("This key's spending limit is reached");
    expect(alert).toHaveTextContent("Your account balance is not the problem");
    expect(alert).not.toHaveTextContent("top up");
    expect(within(alert).getByRole("link", { name: "Go to Keys" })).toHaveAttribute("href", "/keys");
  });

  it("explains a 429 and a provider failure (5xx) with what to do", async () => {
    gatewayAnswer = () => json({ error: { code: 429, message: "Rate limit exceeded: 1 requests per minute for this key", type: "rate_limit_exceeded", param: null } }, 429);
    const user = userEvent.setup();
    renderPage();
    await waitForModel();
    await user.type(screen.getByLabelText("Message"), "Hi{Enter}");
    expect(await screen.findByRole("alert")).toHaveTextContent(/Too many requests.*Wait a moment and retry/);
    gatewayAnswer = () => json({ error: { code: 502, message: "Every provider failed", type: "upstream_error", param: null } }, 502);
    await user.click(screen.getByRole("button", { name: "Retry" }));
    await waitFor(() => expect(screen.getByRole("alert")).toHaveTextContent(/The model could not answer.*choose another model/));
  });

  it("marks a failed question, never sends it again as context, and retries or removes it", async () => {
    gatewayAnswer = () => json({ error: { code: 502, message: "Every provider failed", type: "upstream_error", param: null } }, 502);
    const user = userEvent.setup();
    renderPage();
    await waitForModel();
    await user.type(screen.getByLabelText("Message"), "First question{Enter}");
    await screen.findByRole("alert");
    const failed = screen.getByTestId("user-message").closest("li")!;
    expect(failed).toHaveAttribute("data-failed", "true");
    expect(failed).toHaveTextContent("Not answered");

    // The next question goes alone: no two user turns in a row.
    const stream = controlledStream();
    gatewayAnswer = () => stream.response;
    await user.type(screen.getByLabelText("Message"), "Second question{Enter}");
    await waitFor(() => expect(gatewayCalls).toHaveLength(2));
    expect(JSON.parse(String(gatewayCalls[1]!.init.body)).messages).toEqual([{ role: "user", content: "Second question" }]);
    stream.send(delta("Second answer"));
    stream.close();
    await screen.findByText("Second answer");

    // Retry asks the failed question again, after the answered one, with that exchange as context
    // (and it fails again here).
    gatewayAnswer = () => json({ error: { code: 503, message: "Every provider failed", type: "upstream_error", param: null } }, 503);
    await user.click(screen.getByRole("button", { name: "Retry" }));
    await waitFor(() => expect(gatewayCalls).toHaveLength(3));
    expect(JSON.parse(String(gatewayCalls[2]!.init.body)).messages).toEqual([
      { role: "user", content: "Second question" },
      { role: "assistant", content: "Second answer" },
      { role: "user", content: "First question" },
    ]);
    await waitFor(() => expect(screen.getAllByTestId("user-message").map((e) => e.textContent)).toEqual(["You: Second question", "You (not answered): First question"]));

    // Remove takes the failed question out of the conversation.
    await user.click(screen.getByRole("button", { name: "Remove" }));
    expect(screen.getAllByTestId("user-message").map((e) => e.textContent)).toEqual(["You: Second question"]);
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("renders the answer as Markdown with code blocks, never as HTML, and names its model", async () => {
    const stream = controlledStream();
    gatewayAnswer = () => stream.response;
    const user = userEvent.setup();
    const { container } = renderPage();
    await waitForModel();
    await user.type(screen.getByLabelText("Message"), "Code please{Enter}");
    stream.send(delta("Use **this**:\n\n```js\nconsole.log(1 < 2);\n```\n\n<img src=x onerror=alert(1)> [x](javascript:alert(1))"));
    stream.send(sse({ id: "gen-abc123", choices: [], usage: { prompt_tokens: 3, completion_tokens: 9, cost: 0.00002 } }));
    stream.close();
    const block = await screen.findByTestId("code-block");
    expect(within(block).getByText("js")).toBeInTheDocument();
    expect(block.querySelector("pre code")).toHaveTextContent("console.log(1 < 2);");
    const answer = screen.getByTestId("assistant-message");
    expect(answer.querySelector("strong")).toHaveTextContent("this");
    expect(answer).toHaveTextContent("<img src=x onerror=alert(1)>");
    expect(container.querySelector("img")).toBeNull();
    expect(within(answer).queryByRole("link")).toBeNull();
    expect(await screen.findByTestId("answer-model")).toHaveTextContent("FakeCo: Duo");
    expect(screen.getByTestId("answer-latency")).toHaveTextContent(/\d+ (ms|s)/);
  });

  it("makes a short-lived session key when no key is pasted, and reuses it", async () => {
    setPlaygroundKey(null);
    const minted: unknown[] = [];
    api.routes["POST /api/keys"] = (req) => {
      minted.push(req.body);
      return { status: 201, body: { key: { id: "k1" }, secret: "sk-tp-v1-session" } };
    };
    const user = userEvent.setup();
    renderPage();
    await waitForModel();
    for (const text of ["One", "Two"]) {
      const stream = controlledStream();
      gatewayAnswer = () => stream.response;
      await user.type(screen.getByLabelText("Message"), text + "{Enter}");
      await waitFor(() => expect(gatewayCalls.length).toBeGreaterThan(text === "One" ? 0 : 1));
      stream.send(delta("ok " + text));
      stream.close();
      await screen.findByText("ok " + text);
    }
    expect(minted).toHaveLength(1);
    const body = minted[0] as { name: string; expires_at: string };
    expect(body.name).toBe("Playground session");
    const ttl = Date.parse(body.expires_at) - Date.now();
    expect(ttl).toBeGreaterThan(50 * 60_000);
    expect(ttl).toBeLessThanOrEqual(60 * 60_000);
    for (const c of gatewayCalls) expect(new Headers(c.init.headers).get("authorization")).toBe("Bearer sk-tp-v1-session");
  });

  it("compares models side by side: the same prompt to each, with cost and latency per column", async () => {
    window.history.replaceState(null, "", "/playground?compare=fakeco/duo,fakeco/solo");
    const streams = [controlledStream(), controlledStream()];
    gatewayAnswer = () => streams[gatewayCalls.length - 1]!.response;
    const user = userEvent.setup();
    renderPage();
    await waitFor(() => expect(screen.getByLabelText("Model 2")).toHaveValue("fakeco/solo"));
    expect(screen.getByLabelText("Model 1")).toHaveValue("fakeco/duo");
    await user.type(screen.getByLabelText("Message"), "Same question{Enter}");
    await waitFor(() => expect(gatewayCalls).toHaveLength(2));
    expect(gatewayCalls.map((c) => JSON.parse(String(c.init.body)).model)).toEqual(["fakeco/duo", "fakeco/solo"]);
    expect(gatewayCalls.map((c) => JSON.parse(String(c.init.body)).messages)).toEqual([
      [{ role: "user", content: "Same question" }],
      [{ role: "user", content: "Same question" }],
    ]);
    streams[0]!.send(delta("Duo says") + sse({ id: "gen-1", choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, cost: 0.00001 } }));
    streams[0]!.close();
    streams[1]!.send(sse({ id: "gen-2", model: "fakeco/solo", choices: [{ index: 0, delta: { content: "Solo says" }, finish_reason: null }] }) + sse({ id: "gen-2", choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, cost: 0.00004 } }));
    streams[1]!.close();
    const columns = await screen.findAllByTestId("compare-column");
    expect(columns).toHaveLength(2);
    await waitFor(() => expect(within(columns[1]!).getByTestId("column-cost")).toHaveTextContent("$0.000040"));
    expect(within(columns[0]!).getByTestId("column-cost")).toHaveTextContent("$0.000010");
    expect(within(columns[0]!).getByText("Duo says")).toBeInTheDocument();
    expect(within(columns[1]!).getByText("Solo says")).toBeInTheDocument();
    for (const c of columns) expect(within(c).getByTestId("column-latency")).toHaveTextContent(/\d+ (ms|s)/);
    expect(screen.getByTestId("conversation-total")).toHaveTextContent("$0.000050 for 2 answers");

    // Removing the first model leaves the second, with its conversation.
    await user.click(screen.getByRole("button", { name: "Remove model 1 from the comparison" }));
    await waitFor(() => expect(screen.getByLabelText("Model")).toHaveValue("fakeco/solo"));
    expect(screen.getByText("Solo says")).toBeInTheDocument();
    expect(screen.queryByText("Duo says")).toBeNull();
  });

  it("starts with the cheapest available text model when the address names none", async () => {
    window.history.replaceState(null, "", "/playground");
    renderPage();
    await waitFor(() => expect(screen.getByLabelText("Model")).toHaveValue("fakeco/duo"));
  });

  it("explains a 402 with a link to the Credits page", async () => {
    gatewayAnswer = () =>
      json({ error: { code: 402, message: "Insufficient credits: this request can cost up to $0.50 and the balance is $0.01.", type: "insufficient_credits", param: null } }, 402);
    const user = userEvent.setup();
    renderPage();
    await waitForModel();
    await user.type(screen.getByLabelText("Message"), "Hi{Enter}");

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Not enough credits — top up on the Credits page");
    expect(within(alert).getByRole("link", { name: "Go to Credits" })).toHaveAttribute("href", "/credits");
    // The question stays, no empty answer bubble.
    expect(screen.getByTestId("user-message")).toHaveTextContent("Hi");
    expect(screen.queryByTestId("assistant-message")).toBeNull();
  });

  it("says when the key is not valid, and when the gateway cannot be reached", async () => {
    gatewayAnswer = () => json({ error: { code: 401, message: "Invalid API key", type: "authentication_error", param: null } }, 401);
    const user = userEvent.setup();
    renderPage();
    await waitForModel();
    await user.type(screen.getByLabelText("Message"), "Hi{Enter}");
    expect(await screen.findByRole("alert")).toHaveTextContent("This API key is not valid");

    gatewayAnswer = () => Promise.reject(new TypeError("Failed to fetch"));
    await user.click(screen.getByRole("button", { name: "Retry" }));
    await waitFor(() => expect(screen.getByRole("alert")).toHaveTextContent("The gateway at http://gw.test:4104 could not be reached"));
    expect(gatewayCalls).toHaveLength(2);
  });

  it("shows the gateway's words for a refused key (403)", async () => {
    gatewayAnswer = () => json({ error: { code: 403, message: "This key has expired", type: "permission_error", param: null } }, 403);
    const user = userEvent.setup();
    renderPage();
    await waitForModel();
    await user.type(screen.getByLabelText("Message"), "Hi{Enter}");
    expect(await screen.findByRole("alert")).toHaveTextContent("This key has expired");
  });

  it("keeps the text of an answer that broke off and says so", async () => {
    const stream = controlledStream();
    gatewayAnswer = () => stream.response;
    const user = userEvent.setup();
    renderPage();
    await waitForModel();
    await user.type(screen.getByLabelText("Message"), "Hi{Enter}");
    stream.send(delta("Half an"));
    stream.send(sse({ id: "gen-abc123", error: { code: 502, message: "Provider fake-cheap: upstream connection broke", type: "upstream_error", param: null }, choices: [] }));
    stream.close();
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The answer broke off");
    expect(alert).toHaveTextContent("upstream connection broke");
    expect(screen.getByTestId("assistant-message")).toHaveTextContent("Half an");
  });

  it("stops a streaming answer and keeps what arrived", async () => {
    gatewayAnswer = () => {
      const init = gatewayCalls.at(-1)!.init;
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(enc.encode(delta("Once upon")));
          init.signal?.addEventListener("abort", () => c.error(new DOMException("aborted", "AbortError")));
        },
      });
      return new Response(body, { headers: { "content-type": "text/event-stream" } });
    };
    const user = userEvent.setup();
    renderPage();
    await waitForModel();
    await user.type(screen.getByLabelText("Message"), "Tell me a story{Enter}");
    await screen.findByText(/Once upon/);
    await user.click(screen.getByRole("button", { name: "Stop" }));
    expect(await screen.findByText("Stopped")).toBeInTheDocument();
    expect(screen.getByTestId("assistant-message")).toHaveTextContent("Once upon");
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("asks for a key before sending, and sends an example from the empty state", async () => {
    setPlaygroundKey(null);
    const stream = controlledStream();
    gatewayAnswer = () => stream.response;
    const user = userEvent.setup();
    renderPage();
    await waitForModel();
    // Without a key from the Keys page, the playground offers a session key; the user pastes one.
    expect(screen.getByRole("radio", { name: "Session key" })).toHaveAttribute("aria-checked", "true");
    await user.click(screen.getByRole("radio", { name: "Paste a key" }));
    const example = screen.getByRole("button", { name: /haiku/ });
    await user.click(example);
    expect(gatewayCalls).toHaveLength(0);
    expect(screen.getByRole("alert")).toHaveTextContent("Paste an API key first");

    await user.type(screen.getByLabelText("API key"), "sk-tp-v1-typed");
    await user.click(screen.getByRole("button", { name: "Show key" }));
    expect(screen.getByLabelText("API key")).toHaveAttribute("type", "text");
    await user.click(example);
    await waitFor(() => expect(gatewayCalls).toHaveLength(1));
    expect(new Headers(gatewayCalls[0]!.init.headers).get("authorization")).toBe("Bearer sk-tp-v1-typed");
    expect(JSON.parse(String(gatewayCalls[0]!.init.body)).messages[0].content).toMatch(/haiku/);
    stream.close();
  });
});
