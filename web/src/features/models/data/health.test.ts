import { describe, expect, it } from "vitest";
import { formatAgo, formatErrorRate, formatThroughput } from "./health";

describe("formatErrorRate", () => {
  it("shows a dash before any request, then a percentage", () => {
    expect(formatErrorRate({ requests: 0, error_rate: 0 })).toBe("—");
    expect(formatErrorRate({ requests: 10, error_rate: 0 })).toBe("0%");
    expect(formatErrorRate({ requests: 10_000, error_rate: 0.0004 })).toBe("<0.1%");
    expect(formatErrorRate({ requests: 1234, error_rate: 0.0049 })).toBe("0.5%");
    expect(formatErrorRate({ requests: 9, error_rate: 1 / 9 })).toBe("11%");
    expect(formatErrorRate({ requests: 2, error_rate: 1 })).toBe("100%");
  });
});

describe("formatThroughput", () => {
  it("shows tokens per second, or a dash until measured", () => {
    expect(formatThroughput(null)).toBe("—");
    expect(formatThroughput(undefined)).toBe("—");
    expect(formatThroughput(87.64)).toBe("87.6 tok/s");
    expect(formatThroughput(1203.6)).toBe("1,204 tok/s");
  });
});

describe("formatAgo", () => {
  const now = Date.parse("2025-06-01T12:00:00Z");
  const ago = (ms: number) => formatAgo(new Date(now - ms).toISOString(), now);
  it("is short enough for a table cell", () => {
    expect(ago(3_000)).toBe("just now");
    expect(ago(49_000)).toBe("49s ago");
    expect(ago(3 * 60_000)).toBe("3m ago");
    expect(ago(5 * 3_600_000)).toBe("5h ago");
    expect(ago(2 * 86_400_000)).toBe("2d ago");
    expect(ago(90 * 86_400_000)).toMatch(/2025/);
  });
  it("treats a time slightly in the future (clock skew) as just now", () => {
    expect(ago(-5_000)).toBe("just now");
  });
});
