import { describe, expect, it } from "vitest";
import { checkBaseUrl, checkEnvName, checkId, checkPrice, microsToUsdText, normalizePrice } from "./validate";

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
  });
  it("converts between micro-USD and the USD text of the forms", () => {
    expect(microsToUsdText(1_500_000)).toBe("1.5");
    expect(microsToUsdText(150_000)).toBe("0.15");
    expect(microsToUsdText(2_000_000)).toBe("2");
    expect(microsToUsdText(1)).toBe("0.000001");
    expect(normalizePrice("1.50")).toBe("1.5");
    expect(normalizePrice("$2")).toBe("2");
    expect(normalizePrice("0.000")).toBe("0");
  });
});
