import { describe, expect, it } from "vitest";
import type { ActivityBucket } from "@/lib/api";
import { buildBreakdown, buildChart, formatAxisValue, OTHER_ID } from "./series";

function bucket(group: string, partial: Partial<ActivityBucket> = {}): ActivityBucket {
  return { group, requests: 1, errors: 0, prompt_tokens: 10, completion_tokens: 5, cost_micros: 100, ...partial };
}

const days = ["2024-03-01", "2024-03-02", "2024-03-03", "2024-03-04"];
const name = (id: string) => "name:" + id;

describe("buildChart", () => {
  it("fills every day of the range, zeros where there was no usage", () => {
    const { rows, series } = buildChart([bucket("2024-03-02", { cost_micros: 500 })], days, "spend", {
      split: false,
      nameOf: name,
      totalName: "Spend",
    });
    expect(series).toHaveLength(1);
    expect(series[0]).toMatchObject({ key: "s0", name: "Spend", total: 500 });
    expect(rows.map((r) => r.day)).toEqual(days);
    expect(rows.map((r) => r.s0)).toEqual([0, 500, 0, 0]);
    expect(rows.map((r) => r.total)).toEqual([0, 500, 0, 0]);
  });

  it("ignores buckets outside the range", () => {
    const { rows } = buildChart([bucket("2024-02-29"), bucket("2024-03-05"), bucket("2024-03-04")], days, "requests", {
      split: false,
      nameOf: name,
      totalName: "Requests",
    });
    expect(rows.map((r) => r.s0)).toEqual([0, 0, 0, 1]);
  });

  it("measures the chosen metric", () => {
    const b = [bucket("2024-03-01", { requests: 3, prompt_tokens: 100, completion_tokens: 20, cost_micros: 7 })];
    const opts = { split: false, nameOf: name, totalName: "x" };
    expect(buildChart(b, days, "requests", opts).rows[0]!.s0).toBe(3);
    expect(buildChart(b, days, "tokens", opts).rows[0]!.s0).toBe(120);
    expect(buildChart(b, days, "spend", opts).rows[0]!.s0).toBe(7);
  });

  it("keeps the five biggest series and sums the rest into Other", () => {
    const ids = ["a", "b", "c", "d", "e", "f", "g"];
    // Series "a" costs 700 over the range, "b" 600, … "g" 100; spread over two days.
    const buckets = ids.flatMap((id, i) => [
      bucket("2024-03-01", { series: id, cost_micros: (7 - i) * 50 }),
      bucket("2024-03-03", { series: id, cost_micros: (7 - i) * 50 }),
    ]);
    const { rows, series } = buildChart(buckets, days, "spend", { split: true, nameOf: name, totalName: "Spend" });
    expect(series.map((s) => s.name)).toEqual(["name:a", "name:b", "name:c", "name:d", "name:e", "Other (2)"]);
    expect(series[5]).toMatchObject({ id: OTHER_ID, total: 300, color: "var(--chart-6)" });
    expect(series.map((s) => s.color).slice(0, 5)).toEqual([1, 2, 3, 4, 5].map((n) => `var(--chart-${n})`));
    expect(rows[0]).toMatchObject({ s0: 350, s4: 150, s5: 150, total: 1400 });
    expect(rows[1]).toMatchObject({ s0: 0, s5: 0, total: 0 });
  });

  it("does not make an Other of a single leftover series", () => {
    const buckets = ["a", "b", "c", "d", "e", "f"].map((id, i) => bucket("2024-03-01", { series: id, cost_micros: 10 - i }));
    const { series } = buildChart(buckets, days, "spend", { split: true, nameOf: name, totalName: "Spend" });
    expect(series.map((s) => s.id)).toEqual(["a", "b", "c", "d", "e", "f"]);
  });

  it("ranks by the metric, leaves out series without any, and falls back to one series when nothing is left", () => {
    const buckets = [
      bucket("2024-03-01", { series: "free", cost_micros: 0, requests: 50 }),
      bucket("2024-03-01", { series: "paid", cost_micros: 10, requests: 1 }),
    ];
    const spend = buildChart(buckets, days, "spend", { split: true, nameOf: name, totalName: "Spend" });
    expect(spend.series.map((s) => s.id)).toEqual(["paid"]);
    const requests = buildChart(buckets, days, "requests", { split: true, nameOf: name, totalName: "Requests" });
    expect(requests.series.map((s) => s.id)).toEqual(["free", "paid"]);
    const none = buildChart([], days, "spend", { split: true, nameOf: name, totalName: "Spend" });
    expect(none.series).toHaveLength(1);
    expect(none.rows.every((r) => r.s0 === 0)).toBe(true);
  });

  it("draws one series when the server did not split the buckets", () => {
    const { series, rows } = buildChart([bucket("2024-03-01", { cost_micros: 9 })], days, "spend", {
      split: true,
      nameOf: name,
      totalName: "Spend",
    });
    expect(series.map((s) => s.name)).toEqual(["Spend"]);
    expect(rows[0]!.s0).toBe(9);
  });
});

describe("buildBreakdown", () => {
  it("sorts by the metric and gives each row its share", () => {
    const rows = buildBreakdown(
      [bucket("m1", { cost_micros: 100, requests: 9 }), bucket("m2", { cost_micros: 300, requests: 1 })],
      "spend",
      name,
    );
    expect(rows.map((r) => [r.name, r.share])).toEqual([
      ["name:m2", 0.75],
      ["name:m1", 0.25],
    ]);
    expect(buildBreakdown([bucket("m1", { cost_micros: 0 })], "spend", name)[0]!.share).toBe(0);
  });
});

describe("formatAxisValue", () => {
  it("formats money from micro-USD and counts compactly", () => {
    expect(formatAxisValue("spend", 0)).toBe("$0");
    expect(formatAxisValue("spend", 1_500_000_000)).toBe("$1.5K");
    expect(formatAxisValue("spend", 2_500_000)).toBe("$2.5");
    expect(formatAxisValue("spend", 50_000)).toBe("$0.05");
    expect(formatAxisValue("spend", 400)).toBe("$0.0004");
    expect(formatAxisValue("tokens", 12_345)).toBe("12.3K");
    expect(formatAxisValue("requests", 7)).toBe("7");
  });
});
