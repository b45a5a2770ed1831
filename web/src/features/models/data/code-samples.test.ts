import { describe, expect, it } from "vitest";
import { apiBaseUrl, codeSample } from "./code-samples";

describe("apiBaseUrl", () => {
  const loc = { protocol: "https:", hostname: "llm.example.com" };
  it("appends /api/v1 to the configured gateway URL, without doubling slashes", () => {
    expect(apiBaseUrl("https://gw.example.com", loc)).toBe("https://gw.example.com/api/v1");
    expect(apiBaseUrl("https://gw.example.com/", loc)).toBe("https://gw.example.com/api/v1");
  });
  it("falls back to this host on port 4000 when no gateway URL is configured", () => {
    expect(apiBaseUrl(null, loc)).toBe("https://llm.example.com:4000/api/v1");
    expect(apiBaseUrl(undefined, loc)).toBe("https://llm.example.com:4000/api/v1");
    expect(apiBaseUrl("", loc)).toBe("https://llm.example.com:4000/api/v1");
  });
});

describe("codeSample", () => {
  const base = "https://gw.example.com/api/v1";
  it("curl posts to chat/completions with the key from the environment", () => {
    const s = codeSample("curl", base, "openai/gpt-4o");
    expect(s).toContain("curl https://gw.example.com/api/v1/chat/completions");
    expect(s).toContain('"Authorization: Bearer $TURNPIKE_API_KEY"');
    expect(s).toContain('"model": "openai/gpt-4o"');
  });
  it("curl keeps a quote in a model id inside the shell's single quotes", () => {
    expect(codeSample("curl", base, "a/it's")).toContain(`"model": "a/it'\\''s"`);
  });
  it("Python uses the openai client with base_url and the model", () => {
    const s = codeSample("python", base, "openai/gpt-4o");
    expect(s).toContain("from openai import OpenAI");
    expect(s).toContain('base_url="https://gw.example.com/api/v1"');
    expect(s).toContain('api_key=os.environ["TURNPIKE_API_KEY"]');
    expect(s).toContain('model="openai/gpt-4o"');
  });
  it("TypeScript uses the openai package with baseURL and the model", () => {
    const s = codeSample("typescript", base, "openai/gpt-4o");
    expect(s).toContain('import OpenAI from "openai";');
    expect(s).toContain('baseURL: "https://gw.example.com/api/v1"');
    expect(s).toContain("apiKey: process.env.TURNPIKE_API_KEY");
    expect(s).toContain('model: "openai/gpt-4o"');
  });
});
