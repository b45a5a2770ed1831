// Talking to the gateway from the browser: one streamed chat completion, and its failures in
// words. The gateway is another origin than the dashboard, so this is a plain CORS fetch with the
// key in the Authorization header and no cookies.
import { gatewayError, readChatStream, readUsage, type ChatStreamResult, type GatewayError } from "./sse";

export type ChatRole = "system" | "user" | "assistant";
export type ChatMessageInput = { role: ChatRole; content: string };

export type ChatRequest = {
  model: string;
  messages: ChatMessageInput[];
  temperature?: number;
  max_tokens?: number;
};

/** Where the gateway is: the server's `gateway_url`, else this page's host on port 4000. */
export function gatewayBase(configured: string | null | undefined, loc: Pick<Location, "protocol" | "hostname"> = window.location): string {
  const base = configured && configured.trim() ? configured.trim() : `${loc.protocol}//${loc.hostname}:4000`;
  return base.replace(/\/+$/, "");
}

export function completionsUrl(base: string): string {
  return base + "/api/v1/chat/completions";
}

export type PlaygroundErrorKind = "auth" | "forbidden" | "credits" | "network" | "gateway" | "stream";

/** A failed chat request: what kind of failure, the HTTP status (0 without an answer) and the gateway's words. */
export class PlaygroundError extends Error {
  constructor(
    readonly kind: PlaygroundErrorKind,
    readonly status: number,
    message: string,
    readonly gateway: string,
  ) {
    super(message);
    this.name = "PlaygroundError";
  }
}

export function isAbort(e: unknown): boolean {
  return e instanceof DOMException ? e.name === "AbortError" : e instanceof Error && e.name === "AbortError";
}

function errorFromResponse(status: number, body: GatewayError | null, gateway: string): PlaygroundError {
  const message = body?.message ?? "";
  if (status === 401) return new PlaygroundError("auth", status, message || "Invalid API key", gateway);
  if (status === 402) return new PlaygroundError("credits", status, message, gateway);
  if (status === 403) return new PlaygroundError("forbidden", status, message || "This key may not be used.", gateway);
  return new PlaygroundError("gateway", status, message || `The gateway answered with status ${status}.`, gateway);
}

export type CompletionResult = ChatStreamResult & {
  /** The generation id for the request log (gen-…), when the gateway told it. */
  generationId: string | null;
};

/**
 * Streams one chat completion. `onText` gets the whole answer so far. Resolves with the answer
 * (also when the stream carried an error chunk: see `error`); rejects with a PlaygroundError, or
 * with the AbortError when `signal` is aborted.
 */
export async function streamCompletion(opts: {
  gateway: string;
  apiKey: string;
  request: ChatRequest;
  signal?: AbortSignal;
  onText?: (text: string) => void;
  fetchImpl?: typeof fetch;
}): Promise<CompletionResult> {
  const { gateway, apiKey, request, signal, onText } = opts;
  const doFetch = opts.fetchImpl ?? fetch;
  let res: Response;
  try {
    res = await doFetch(completionsUrl(gateway), {
      method: "POST",
      mode: "cors",
      credentials: "omit",
      headers: {
        Authorization: `Bearer ${apiKey}`,
        "Content-Type": "application/json",
        Accept: "text/event-stream",
      },
      body: JSON.stringify({ ...request, stream: true, stream_options: { include_usage: true } }),
      signal,
    });
  } catch (e) {
    if (isAbort(e) || signal?.aborted) throw e;
    throw new PlaygroundError("network", 0, "The gateway could not be reached.", gateway);
  }

  if (!res.ok) {
    let body: GatewayError | null = null;
    try {
      body = gatewayError(JSON.parse(await res.text()));
    } catch (e) {
      if (isAbort(e) || signal?.aborted) throw e;
    }
    throw errorFromResponse(res.status, body, gateway);
  }

  // The header needs the gateway to expose it (Access-Control-Expose-Headers); the chunk ids are
  // the fallback.
  const headerId = res.headers.get("x-request-id");
  const contentType = res.headers.get("content-type") ?? "";
  let result: ChatStreamResult;
  if (!res.body || contentType.includes("application/json")) {
    // A gateway that answered without streaming: one JSON completion.
    result = await readWholeAnswer(res, gateway);
    if (result.content) onText?.(result.content);
  } else {
    try {
      result = await readChatStream(res.body, onText);
    } catch (e) {
      if (isAbort(e) || signal?.aborted) throw e;
      throw new PlaygroundError("stream", 0, "The connection to the gateway broke before the answer was complete.", gateway);
    }
  }
  const fromChunks = result.id && result.id.startsWith("gen-") ? result.id : null;
  return { ...result, generationId: headerId && headerId.startsWith("gen-") ? headerId : fromChunks };
}

async function readWholeAnswer(res: Response, gateway: string): Promise<ChatStreamResult> {
  let json: unknown;
  try {
    json = JSON.parse(await res.text());
  } catch {
    throw new PlaygroundError("gateway", res.status, "The gateway's answer could not be read.", gateway);
  }
  const err = gatewayError(json);
  const o = (typeof json === "object" && json !== null ? json : {}) as {
    id?: unknown;
    model?: unknown;
    choices?: { message?: { content?: unknown }; finish_reason?: unknown }[];
    usage?: unknown;
  };
  const first = Array.isArray(o.choices) ? o.choices[0] : undefined;
  return {
    content: typeof first?.message?.content === "string" ? first.message.content : "",
    usage: readUsage(o.usage),
    id: typeof o.id === "string" ? o.id : null,
    model: typeof o.model === "string" ? o.model : null,
    finishReason: typeof first?.finish_reason === "string" ? first.finish_reason : null,
    error: err,
    done: true,
  };
}

/** An error as the chat shows it: a sentence, maybe a detail, maybe a link to the page that fixes it. */
export type ErrorDescription = {
  message: string;
  detail?: string;
  link?: { to: string; label: string };
};

/** A 402 about the key's own spending limit, not the account's balance (both are "insufficient_credits"). */
export function isKeyLimit(message: string): boolean {
  return /\bkey\b.*\blimit\b/i.test(message);
}

export function describeError(e: unknown): ErrorDescription {
  if (e instanceof PlaygroundError) {
    switch (e.kind) {
      case "auth":
        return {
          message: "This API key is not valid",
          detail: "Check that you pasted the whole key, or use a session key. Deleted keys, and old secrets of rotated keys, stop working.",
          link: { to: "/keys", label: "Manage your keys" },
        };
      case "forbidden":
        return { message: e.message, detail: "Enable the key or choose another one.", link: { to: "/keys", label: "Manage your keys" } };
      case "credits":
        if (isKeyLimit(e.message)) {
          return {
            message: "This key's spending limit is reached",
            detail: (e.message ? e.message + " " : "") + "Your account balance is not the problem: raise the key's limit on the Keys page, use another key, or lower Max tokens.",
            link: { to: "/keys", label: "Go to Keys" },
          };
        }
        return {
          message: "Not enough credits — top up on the Credits page",
          detail: e.message || "Add credits, or lower Max tokens: it bounds what a request may cost.",
          link: { to: "/credits", label: "Go to Credits" },
        };
      case "network":
        return {
          message: `The gateway at ${e.gateway} could not be reached`,
          detail: "Check that the gateway is running and accepts requests from this page, then try again.",
        };
      case "stream":
        return { message: "The answer broke off", detail: (e.message ? e.message + " " : "") + "Retry to ask again; the part that arrived was billed." };
      case "gateway":
        if (e.status === 429) {
          return {
            message: "Too many requests",
            detail: (e.message ? e.message + " " : "") + "Wait a moment and retry, or raise the key's rate limit on the Keys page.",
          };
        }
        if (e.status === 400) return { message: "The request was refused", detail: (e.message ? e.message + " " : "") + "Change the model or the options, then retry." };
        if (e.status === 404) return { message: "The model was not found", detail: (e.message ? e.message + " " : "") + "Choose another model." };
        if (e.status >= 500) {
          return {
            message: "The model could not answer",
            detail: (e.message ? e.message + " " : "") + "The provider failed, not your request: retry in a moment, or choose another model.",
          };
        }
        return { message: e.message };
    }
  }
  if (e instanceof Error && e.message) return { message: e.message };
  return { message: "Something went wrong." };
}
