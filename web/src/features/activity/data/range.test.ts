import { describe, expect, it } from "vitest";
import { writeSearch } from "@/lib/router";
import { activitySearch, addDays, apiRange, checkCustomRange, daysIn, formatRange, parseDay, presetRange, readView, utcDay } from "./range";

// 2024-03-10 23:30 UTC: late evening, so a local-time bug would land on the wrong day.
const NOW = Date.UTC(2024, 2, 10, 23, 30);

describe("UTC days", () => {
  it("takes the UTC day of an instant, not the local one", () => {
    expect(utcDay(Date.UTC(2024, 2, 10, 0, 0))).toBe("2024-03-10");
    expect(utcDay(Date.UTC(2024, 2, 10, 23, 59, 59, 999))).toBe("2024-03-10");
    expect(utcDay(Date.UTC(2024, 2, 11, 0, 0))).toBe("2024-03-11");
  });

  it("parses real dates only", () => {
    expect(parseDay("2024-02-29")).toBe(Date.UTC(2024, 1, 29));
    expect(parseDay("2023-02-29")).toBeNull();
    expect(parseDay("2024-13-01")).toBeNull();
    expect(parseDay("yesterday")).toBeNull();
  });

  it("adds days across month, year and leap-day boundaries", () => {
    expect(addDays("2024-02-28", 1)).toBe("2024-02-29");
    expect(addDays("2024-02-29", 1)).toBe("2024-03-01");
    expect(addDays("2023-12-31", 1)).toBe("2024-01-01");
    expect(addDays("2024-01-01", -1)).toBe("2023-12-31");
  });

  it("lists every day of a range, both ends included", () => {
    expect(daysIn({ from: "2024-02-27", to: "2024-03-02" })).toEqual([
      "2024-02-27",
      "2024-02-28",
      "2024-02-29",
      "2024-03-01",
      "2024-03-02",
    ]);
    expect(daysIn({ from: "2024-03-02", to: "2024-03-01" })).toEqual([]);
  });
});

describe("presets", () => {
  it("ends today (UTC) and covers exactly N days", () => {
    const r = presetRange("7d", NOW);
    expect(r).toEqual({ from: "2024-03-04", to: "2024-03-10" });
    expect(daysIn(r)).toHaveLength(7);
    expect(daysIn(presetRange("30d", NOW))).toHaveLength(30);
    expect(daysIn(presetRange("90d", NOW))).toHaveLength(90);
  });

  it("asks the API up to the start of the day after the last one (its `to` is exclusive)", () => {
    expect(apiRange({ from: "2024-03-04", to: "2024-03-10" })).toEqual({
      from: "2024-03-04T00:00:00Z",
      to: "2024-03-11T00:00:00Z",
    });
  });
});

describe("readView", () => {
  it("defaults to 30 days of spend by model", () => {
    const v = readView(new URLSearchParams(""), NOW);
    expect(v.range).toBe("30d");
    expect(v.metric).toBe("spend");
    expect(v.breakdown).toBe("model");
    expect(v.days).toEqual({ ok: true, range: { from: "2024-02-10", to: "2024-03-10" } });
  });

  it("reads a custom range and the switches from the query string", () => {
    const v = readView(new URLSearchParams("range=custom&from=2024-01-01&to=2024-01-31&metric=tokens&by=key"), NOW);
    expect(v.metric).toBe("tokens");
    expect(v.breakdown).toBe("key");
    expect(v.days).toEqual({ ok: true, range: { from: "2024-01-01", to: "2024-01-31" } });
  });

  it("ignores values it does not know", () => {
    const v = readView(new URLSearchParams("range=forever&metric=joy&by=mood"), NOW);
    expect([v.range, v.metric, v.breakdown]).toEqual(["30d", "spend", "model"]);
  });

  it("keeps Total in the query string, since it is no longer the default", () => {
    expect(readView(new URLSearchParams("by=total"), NOW).breakdown).toBe("total");
    expect(writeSearch(activitySearch, "?range=7d", { by: "total" })).toBe("?range=7d&by=total");
    expect(writeSearch(activitySearch, "?range=7d&by=total", { by: "model" })).toBe("?range=7d");
  });

  it("explains a custom range that cannot be shown", () => {
    expect(checkCustomRange("2024-02-01", "2024-01-01")).toMatchObject({ ok: false, error: expect.stringMatching(/after/) });
    expect(checkCustomRange("", "2024-01-01")).toMatchObject({ ok: false });
    expect(checkCustomRange("2020-01-01", "2024-01-01")).toMatchObject({ ok: false, error: expect.stringMatching(/two years/) });
  });
});

describe("formatRange", () => {
  it("names the days in UTC", () => {
    expect(formatRange({ from: "2024-03-04", to: "2024-03-10" })).toBe("Mar 4 – Mar 10, 2024");
    expect(formatRange({ from: "2023-12-30", to: "2024-01-02" })).toBe("Dec 30, 2023 – Jan 2, 2024");
    expect(formatRange({ from: "2024-03-10", to: "2024-03-10" })).toBe("Mar 10, 2024");
  });
});
