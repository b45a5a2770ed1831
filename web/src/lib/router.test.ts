import { describe, expect, it } from "vitest";
import { isDay, param, readSearch, writeSearch } from "./router";

const schema = {
  type: param.oneOf(["", "request", "topup"] as const, ""),
  from: param.day(),
  q: param.text(10),
  key: param.digits(1, 1_000_000),
};

describe("typed search params", () => {
  it("reads each parameter with its type, defaults for absent or bad ones", () => {
    expect(readSearch(schema, new URLSearchParams("type=request&from=2026-12-01&q=%20gpt%20&key=42"))).toEqual({
      type: "request",
      from: "2026-12-01",
      q: "gpt",
      key: "42",
    });
    expect(readSearch(schema, new URLSearchParams(""))).toEqual({ type: "", from: "", q: "", key: "" });
    expect(readSearch(schema, new URLSearchParams("type=hold&from=2026-02-31&q=0123456789abc&key=0"))).toEqual({
      type: "",
      from: "",
      q: "0123456789",
      key: "",
    });
    expect(readSearch(schema, new URLSearchParams("key=1e3")).key).toBe("");
  });

  it("writes only what changed, drops defaults and keeps other parameters", () => {
    expect(writeSearch(schema, "?page=2&type=topup", { from: "2026-12-01" })).toBe("?page=2&type=topup&from=2026-12-01");
    expect(writeSearch(schema, "?type=topup&from=2026-12-01", { type: "" })).toBe("?from=2026-12-01");
    expect(writeSearch(schema, "?from=2026-12-01", { from: "" })).toBe("");
    // Names outside the schema are not written.
    expect(writeSearch(schema, "", { other: "x" } as never)).toBe("");
  });

  it("round-trips: what is written reads back the same", () => {
    const values = { type: "request" as const, from: "2024-02-29", q: "a b&c", key: "7" };
    expect(readSearch(schema, new URLSearchParams(writeSearch(schema, "", values)))).toEqual(values);
  });

  it("knows real days", () => {
    expect(isDay("2024-02-29")).toBe(true);
    expect(isDay("2023-02-29")).toBe(false);
    expect(isDay("2026-1-01")).toBe(false);
  });
});
