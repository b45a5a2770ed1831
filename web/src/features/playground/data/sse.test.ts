import { describe, expect, it } from "vitest";
import { createSseParser, parseChatData, readChatStream, type SseEvent } from "./sse";

const enc = new TextEncoder();

/** Feeds `bytes` to a fresh parser in pieces cut at `cuts`, then ends it. */
function parseInPieces(bytes: Uint8Array, cuts: number[]): SseEvent[] {
  const p = createSseParser();
  const out: SseEvent[] = [];
  let start = 0;
  for (const c of [...cuts, bytes.length]) {
    out.push(...p.push(bytes.slice(start, c)));
    start = c;
  }
  out.push(...p.end());
  return out;
}

function streamOf(pieces: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (const piece of pieces) controller.enqueue(typeof piece === "string" ? enc.encode(piece) : piece);
      controller.close();
    },
  });
}

const chunk = (content: string, extra: Record<string, unknown> = {}) =>
  "data: " +
  JSON.stringify({ id: "gen-abc", object: "chat.completion.chunk", model: "fakeco/duo", choices: [{ index: 0, delta: { content }, finish_reason: null }], ...extra }) +
  "\n\n";

const usageChunk =
  "data: " +
  JSON.stringify({ id: "gen-abc", object: "chat.completion.chunk", choices: [], usage: { prompt_tokens: 14, completion_tokens: 8, total_tokens: 22, cost: 0.00048 } }) +
  "\n\n";

describe("createSseParser", () => {
  const text = ": OPENROUTER PROCESSING\n\ndata: {\"a\":\"héllo — 日本\"}\n\nevent: ping\ndata: one\ndata: two\n\ndata: [DONE]\n\n";
  const expected: SseEvent[] = [
    { event: "message", data: '{"a":"héllo — 日本"}', id: null },
    { event: "ping", data: "one\ntwo", id: null },
    { event: "message", data: "[DONE]", id: null },
  ];

  it("parses events, joins data lines and skips comments", () => {
    expect(parseInPieces(enc.encode(text), [])).toEqual(expected);
  });

  it("gives the same events however the bytes are split, even inside a multi-byte character", () => {
    const bytes = enc.encode(text);
    for (let i = 1; i < bytes.length; i++) {
      expect(parseInPieces(bytes, [i])).toEqual(expected);
    }
    // Every byte on its own.
    expect(parseInPieces(bytes, Array.from({ length: bytes.length - 1 }, (_, i) => i + 1))).toEqual(expected);
  });

  it("accepts CRLF and lone CR line endings, also when a chunk ends between CR and LF", () => {
    const crlf = enc.encode(text.replace(/\n/g, "\r\n"));
    for (let i = 1; i < crlf.length; i++) expect(parseInPieces(crlf, [i])).toEqual(expected);
    const cr = enc.encode(text.replace(/\n/g, "\r"));
    expect(parseInPieces(cr, [])).toEqual(expected);
  });

  it("does not make an empty event out of a CR+LF split across chunks", () => {
    const p = createSseParser();
    expect(p.push("data: x\r")).toEqual([]);
    expect(p.push("\n")).toEqual([]);
    expect(p.push("\r\n")).toEqual([{ event: "message", data: "x", id: null }]);
  });

  it("strips only one space after the colon and keeps field values without one", () => {
    const events = parseInPieces(enc.encode("data:no-space\n\ndata:  two spaces\n\n"), []);
    expect(events.map((e) => e.data)).toEqual(["no-space", " two spaces"]);
  });

  it("delivers a last event that has no blank line after it when the stream ends", () => {
    const p = createSseParser();
    expect(p.push("data: tail")).toEqual([]);
    expect(p.end()).toEqual([{ event: "message", data: "tail", id: null }]);
  });

  it("remembers the last event id", () => {
    const events = parseInPieces(enc.encode("id: 7\ndata: a\n\ndata: b\n\n"), []);
    expect(events.map((e) => e.id)).toEqual(["7", "7"]);
  });
});

describe("parseChatData", () => {
  it("recognises [DONE]", () => {
    expect(parseChatData("[DONE]")).toEqual({ kind: "done" });
  });
  it("reads the delta content, the id and the finish reason", () => {
    const ev = parseChatData(JSON.stringify({ id: "gen-1", model: "m", choices: [{ delta: { content: "Hi" }, finish_reason: "stop" }] }));
    expect(ev).toEqual({ kind: "chunk", id: "gen-1", model: "m", delta: "Hi", finishReason: "stop", usage: null });
  });
  it("reads usage, the cost in USD as integer micro-USD", () => {
    const ev = parseChatData(JSON.stringify({ id: "gen-1", choices: [], usage: { prompt_tokens: 3, completion_tokens: 5, cost: 0.0001 } }));
    expect(ev).toMatchObject({ kind: "chunk", usage: { prompt_tokens: 3, completion_tokens: 5, cost_micros: 100 } });
    const unknown = parseChatData(JSON.stringify({ id: "gen-1", choices: [], usage: { prompt_tokens: 3, completion_tokens: 5 } }));
    expect(unknown).toMatchObject({ kind: "chunk", usage: { cost_micros: null } });
  });
  it("reads an in-stream error chunk", () => {
    const ev = parseChatData(
      JSON.stringify({
        id: "gen-1",
        error: { code: 502, message: "Provider x: upstream connection broke", type: "upstream_error", param: null },
        choices: [{ index: 0, delta: { content: "" }, finish_reason: "error" }],
      }),
    );
    expect(ev).toEqual({ kind: "error", id: "gen-1", error: { code: 502, message: "Provider x: upstream connection broke", type: "upstream_error" } });
  });
  it("marks data that is not JSON as invalid instead of throwing", () => {
    expect(parseChatData("{not json")).toEqual({ kind: "invalid" });
  });
});

describe("readChatStream", () => {
  it("accumulates the content, takes usage and id, and stops at [DONE]", async () => {
    const whole = ": OPENROUTER PROCESSING\n\n" + chunk("The") + chunk(" capital") + chunk(" is Paris.") + usageChunk + "data: [DONE]\n\n";
    const bytes = enc.encode(whole);
    // Cut into uneven pieces.
    const pieces: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += 7) pieces.push(bytes.slice(i, i + 7));
    const seen: string[] = [];
    const result = await readChatStream(streamOf(pieces), (t) => seen.push(t));
    expect(result).toMatchObject({
      content: "The capital is Paris.",
      id: "gen-abc",
      model: "fakeco/duo",
      done: true,
      error: null,
      usage: { prompt_tokens: 14, completion_tokens: 8, cost_micros: 480 },
    });
    expect(seen.at(-1)).toBe("The capital is Paris.");
    expect(seen[0]).toBe("The");
  });

  it("ignores anything after [DONE]", async () => {
    const result = await readChatStream(streamOf([chunk("A"), "data: [DONE]\n\n", chunk("B")]));
    expect(result.content).toBe("A");
  });

  it("returns the error of an error chunk along with the text so far", async () => {
    const errorChunk =
      "data: " +
      JSON.stringify({
        id: "gen-abc",
        error: { code: 502, message: "Provider fake-cheap: upstream connection broke mid-response", type: "upstream_error", param: null },
        choices: [{ index: 0, delta: { content: "" }, finish_reason: "error" }],
      }) +
      "\n\n";
    const result = await readChatStream(streamOf([chunk("Half an"), errorChunk]));
    expect(result.content).toBe("Half an");
    expect(result.done).toBe(false);
    expect(result.finishReason).toBe("error");
    expect(result.error?.message).toMatch(/upstream connection broke/);
  });

  it("handles CRLF streams and a final event without a blank line", async () => {
    const result = await readChatStream(streamOf([chunk("x").replace(/\n/g, "\r\n"), chunk("y").trimEnd()]));
    expect(result.content).toBe("xy");
    expect(result.done).toBe(false);
  });
});
