import { describe, expect, it } from "vitest";
import { currentCursor, hasFilters, newerPage, olderPage, readFilters, statusTone, toQuery } from "./filters";

describe("log filters", () => {
  it("reads the filters from the query string and drops nonsense", () => {
    expect(readFilters(new URLSearchParams("key=7&model=fakeco/duo&status=429&from=2024-03-01&to=2024-03-02"))).toEqual({
      key: "7",
      model: "fakeco/duo",
      status: "429",
      from: "2024-03-01",
      to: "2024-03-02",
    });
    expect(readFilters(new URLSearchParams("key=abc&status=42&from=2024-02-30"))).toEqual({ key: "", model: "", status: "", from: "", to: "" });
  });

  it("sends only the filters that are set, with the last day included", () => {
    expect(toQuery(readFilters(new URLSearchParams("")))).toEqual({});
    const q = toQuery({ key: "7", model: "fakeco/duo", status: "500", from: "2024-03-01", to: "2024-03-01" });
    expect(q.key_id).toBe(7);
    expect(q.model).toBe("fakeco/duo");
    expect(q.status).toBe(500);
    // The whole local day: from its midnight to the next (exclusive).
    expect(new Date(q.to!).getTime() - new Date(q.from!).getTime()).toBe(86_400_000);
    expect(new Date(q.from!).getDate()).toBe(1);
    expect(q.from).toMatch(/Z$/);
  });

  it("knows when any filter is set", () => {
    expect(hasFilters({ key: "", model: "", status: "", from: "", to: "" })).toBe(false);
    expect(hasFilters({ key: "", model: "", status: "", from: "", to: "2024-01-01" })).toBe(true);
  });
});

describe("status tone", () => {
  it("is green for 2xx, amber for 4xx, red for 5xx", () => {
    expect(statusTone(200)).toBe("success");
    expect(statusTone(429)).toBe("warning");
    expect(statusTone(502)).toBe("destructive");
  });
});

describe("cursor pages", () => {
  it("goes older and back newer through a stack of cursors", () => {
    let p = { stack: [] as string[] };
    expect(currentCursor(p)).toBeUndefined();
    p = olderPage(p, "90");
    p = olderPage(p, "40");
    expect(currentCursor(p)).toBe("40");
    p = newerPage(p);
    expect(currentCursor(p)).toBe("90");
    p = newerPage(p);
    expect(currentCursor(p)).toBeUndefined();
  });
});
