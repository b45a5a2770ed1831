import { describe, expect, it } from "vitest";
import { failoverSummary, promptView } from "./detail";

const a = (provider: string, status: number | null, error: string | null = null) => ({ provider, status, error, latency_ms: 10 });

describe("failoverSummary", () => {
  it("says nothing for a single attempt", () => {
    expect(failoverSummary([a("openai", 200)], true)).toBeNull();
    expect(failoverSummary([], false)).toBeNull();
  });

  it("names the providers that failed and the one that answered", () => {
    expect(failoverSummary([a("openai", 502, "Bad gateway"), a("groq", 200)], true)).toBe("Failed over from openai (502) to groq.");
    expect(failoverSummary([a("openai", 502), a("azure", null, "timeout"), a("groq", 200)], true, (id) => id.toUpperCase())).toBe(
      "Failed over from OPENAI (502) and AZURE to GROQ.",
    );
  });

  it("says when every provider failed", () => {
    expect(failoverSummary([a("openai", 503), a("groq", 500)], false)).toBe("All 2 providers tried failed: openai (503) and groq (500).");
  });
});

describe("promptView", () => {
  it("shows a chat request as its messages", () => {
    const raw = JSON.stringify({
      model: "x",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: [{ type: "text", text: "What is this?" }, { type: "image_url", image_url: { url: "data:" } }] },
      ],
    });
    expect(promptView(raw)).toEqual({
      kind: "messages",
      messages: [
        { role: "system", text: "Be brief." },
        { role: "user", text: "What is this?\n[image]" },
      ],
    });
  });

  it("pretty-prints other JSON and keeps plain text as it is", () => {
    expect(promptView('{"prompt":"hi"}')).toEqual({ kind: "text", text: '{\n  "prompt": "hi"\n}' });
    expect(promptView("not json {")).toEqual({ kind: "text", text: "not json {" });
  });
});
