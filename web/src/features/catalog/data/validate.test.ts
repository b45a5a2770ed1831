import { describe, expect, it } from "vitest";
import { checkBaseUrl, checkEnvName, checkId, checkPrice } from "./validate";

describe("catalog form checks", () => {
  it("checks ids", () => {
    expect(checkId("groq", "groq")).toBeNull();
    expect(checkId("Groq AI", "groq")).toMatch(/lower-case/);
    expect(checkId("", "groq")).toBe("Enter an id.");
  });
  it("wants an http(s) base URL without credentials or query", () => {
    expect(checkBaseUrl("https://api.groq.com/openai/v1")).toBeNull();
    expect(checkBaseUrl("api.groq.com")).toMatch(/full URL/);
    expect(checkBaseUrl("ftp://x.example")).toMatch(/https:\/\//);
    expect(checkBaseUrl("https://user:pw@x.example/v1")).toMatch(/credentials belong in the credential variable/);
    expect(checkBaseUrl("https://x.example/v1?key=1")).toMatch(/query/);
  });
  it("takes a variable NAME and refuses what looks like a secret", () => {
    expect(checkEnvName("")).toBeNull();
    expect(checkEnvName("GROQ_API_KEY")).toBeNull();
    expect(checkEnvName("groq_api_key")).toMatch(/capital letters/);
    expect(checkEnvName("sk-proj-abc123")).toMatch(/looks like a secret/);
    expect(checkEnvName("gsk_4f8a9b0c1d2e3f4a5b6c7d8e9f")).toMatch(/looks like a secret/);
  });
  it("checks prices in USD per million tokens", () => {
    expect(checkPrice("0.15", true)).toBeNull();
    expect(checkPrice("", false)).toBeNull();
    expect(checkPrice("", true)).toMatch(/Enter a price/);
    expect(checkPrice("1.1234567", true)).toMatch(/6 decimals/);
    expect(checkPrice("-1", true)).toMatch(/as a number/);
    expect(checkPrice("2000000", true)).toMatch(/up to/);
    expect(checkPrice("1000000", true)).toBeNull();
    expect(checkPrice("1000000.000001", true)).toMatch(/up to/);
    expect(checkPrice("$0.29", true)).toBeNull();
    expect(checkPrice("$", true)).toMatch(/Enter a price/);
    expect(checkPrice("1e3", true)).toMatch(/as a number/);
  });
});
