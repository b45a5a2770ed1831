// Server-sent events, as the gateway streams chat completions (OpenRouter style). Pure code, no
// DOM: `createSseParser` turns bytes into events; `readChatStream` reads a response body into
// the answer text, its usage and cost, its id, and an in-stream error if the answer broke off.
import { reportedUsdToMicros } from "@/lib/money";

export type SseEvent = { event: string; data: string; id: string | null };

/**
 * An incremental parser following the EventSource rules: lines end in CRLF, LF or CR (also when a
 * chunk ends between CR and LF), a blank line ends an event, lines starting with ":" are comments
 * (keep-alives such as ": OPENROUTER PROCESSING"), "data" lines of one event are joined with "\n".
 * Bytes may be split anywhere, even inside a multi-byte character.
 */
export function createSseParser() {
  const decoder = new TextDecoder("utf-8");
  let buffer = "";
  let skipLeadingLf = false; // the previous chunk ended with CR: an LF that follows belongs to it
  let data: string[] = [];
  let eventType = "";
  let lastId: string | null = null;

  function line(text: string, out: SseEvent[]) {
    if (text === "") {
      if (data.length > 0) out.push({ event: eventType || "message", data: data.join("\n"), id: lastId });
      data = [];
      eventType = "";
      return;
    }
    if (text.startsWith(":")) return;
    const colon = text.indexOf(":");
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? "" : text.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") data.push(value);
    else if (field === "event") eventType = value;
    else if (field === "id" && !value.includes("\0")) lastId = value;
  }

  function drain(out: SseEvent[]) {
    let start = 0;
    for (let i = 0; i < buffer.length; i++) {
      const c = buffer[i];
      if (c !== "\n" && c !== "\r") continue;
      line(buffer.slice(start, i), out);
      if (c === "\r") {
        if (i + 1 < buffer.length) {
          if (buffer[i + 1] === "\n") i++;
        } else {
          skipLeadingLf = true;
        }
      }
      start = i + 1;
    }
    buffer = buffer.slice(start);
  }

  return {
    /** Feeds bytes (or text); returns the events completed by them. */
    push(chunk: Uint8Array | string): SseEvent[] {
      let text = typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
      if (skipLeadingLf && text.length > 0) {
        if (text.startsWith("\n")) text = text.slice(1);
        skipLeadingLf = false;
      }
      buffer += text;
      const out: SseEvent[] = [];
      drain(out);
      return out;
    },
    /** The stream ended: an event not yet closed by a blank line is still delivered. */
    end(): SseEvent[] {
      const out: SseEvent[] = [];
      buffer += decoder.decode();
      if (buffer !== "") {
        line(buffer, out);
        buffer = "";
      }
      line("", out);
      return out;
    },
  };
}

/**
 * Token counts and the cost from the final chunk. The gateway reports the cost OpenRouter style,
 * as a number of USD (`"cost": 0.00048`); it is kept as integer micro-USD (480), null if missing.
 */
export type ChatUsage = { prompt_tokens: number; completion_tokens: number; cost_micros: number | null };

/** The `error` object of an error body or an in-stream error chunk. */
export type GatewayError = { message: string; code: number | string | null; type: string | null };

export type ChatStreamResult = {
  content: string;
  usage: ChatUsage | null;
  /** The `id` of the chunks. */
  id: string | null;
  /** The model that answered, as the chunks name it. */
  model: string | null;
  finishReason: string | null;
  /** Set when the stream carried an error chunk (the answer broke off). */
  error: GatewayError | null;
  /** Whether `data: [DONE]` arrived. */
  done: boolean;
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function num(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/** Reads a `usage` object (of a chunk or a whole answer), or null when there is none. */
export function readUsage(usage: unknown): ChatUsage | null {
  if (!isRecord(usage)) return null;
  return {
    prompt_tokens: num(usage.prompt_tokens) ?? 0,
    completion_tokens: num(usage.completion_tokens) ?? 0,
    cost_micros: reportedUsdToMicros(usage.cost),
  };
}

/** Reads `{"error":{...}}` (a body or a chunk) into a GatewayError, or null. */
export function gatewayError(body: unknown): GatewayError | null {
  if (!isRecord(body)) return null;
  const e = body.error;
  if (isRecord(e)) {
    const message = typeof e.message === "string" && e.message ? e.message : "The gateway reported an error.";
    const code = typeof e.code === "number" || typeof e.code === "string" ? e.code : null;
    return { message, code, type: typeof e.type === "string" ? e.type : null };
  }
  if (typeof e === "string" && e) return { message: e, code: null, type: null };
  return null;
}

export type ChatEvent =
  | { kind: "done" }
  | { kind: "chunk"; id: string | null; model: string | null; delta: string; finishReason: string | null; usage: ChatUsage | null }
  | { kind: "error"; id: string | null; error: GatewayError }
  | { kind: "invalid" };

/** Interprets the data of one event of a chat completion stream. */
export function parseChatData(data: string): ChatEvent {
  if (data.trim() === "[DONE]") return { kind: "done" };
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return { kind: "invalid" };
  }
  if (!isRecord(json)) return { kind: "invalid" };
  const id = typeof json.id === "string" ? json.id : null;
  const error = gatewayError(json);
  if (error) return { kind: "error", id, error };
  let delta = "";
  let finishReason: string | null = null;
  const choices = Array.isArray(json.choices) ? json.choices : [];
  const first: unknown = choices[0];
  if (isRecord(first)) {
    if (isRecord(first.delta) && typeof first.delta.content === "string") delta = first.delta.content;
    else if (isRecord(first.message) && typeof first.message.content === "string") delta = first.message.content;
    if (typeof first.finish_reason === "string") finishReason = first.finish_reason;
  }
  const usage = readUsage(json.usage);
  return { kind: "chunk", id, model: typeof json.model === "string" ? json.model : null, delta, finishReason, usage };
}

/**
 * Reads a chat completion stream to its end, calling `onText` with the whole answer so far after
 * each piece. Rejects only when reading fails (an abort, a broken connection); an error chunk
 * from the gateway is returned in `error`.
 */
export async function readChatStream(
  body: ReadableStream<Uint8Array>,
  onText: (text: string) => void = () => {},
): Promise<ChatStreamResult> {
  const result: ChatStreamResult = { content: "", usage: null, id: null, model: null, finishReason: null, error: null, done: false };
  const parser = createSseParser();
  const reader = body.getReader();

  const apply = (events: SseEvent[]) => {
    let changed = false;
    for (const ev of events) {
      if (result.done) break;
      const parsed = parseChatData(ev.data);
      switch (parsed.kind) {
        case "done":
          result.done = true;
          break;
        case "error":
          result.error = parsed.error;
          result.id ??= parsed.id;
          result.finishReason = "error";
          break;
        case "chunk":
          result.id ??= parsed.id;
          result.model ??= parsed.model;
          if (parsed.delta) {
            result.content += parsed.delta;
            changed = true;
          }
          if (parsed.finishReason) result.finishReason = parsed.finishReason;
          if (parsed.usage) result.usage = parsed.usage;
          break;
        case "invalid":
          break;
      }
    }
    if (changed) onText(result.content);
  };

  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      apply(parser.push(value));
      if (result.done) break;
    }
    if (!result.done) apply(parser.end());
  } catch (e) {
    reader.cancel().catch(() => {});
    throw e;
  }
  // Nothing of interest follows [DONE]; let the connection go.
  if (result.done) reader.cancel().catch(() => {});
  return result;
}
