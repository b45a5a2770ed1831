import { describe, expect, it } from "vitest";
import {
  approxUsdForChart,
  formatPricePerMillion,
  formatUsd,
  formatUsdAxisTick,
  formatUsdExact,
  isWholeCents,
  microsToUsdCentsText,
  microsToUsdText,
  normalizeUsdText,
  parseUsd,
  parseUsdMicros,
  reportedUsdToMicros,
  wholeUsdToMicros,
} from "./money";

const MAX = Number.MAX_SAFE_INTEGER; // 9,007,199,254.740991 USD

/** The exact decimal text of `micros` (a reference written independently of the module). */
function decimal(micros: number): string {
  const sign = micros < 0 ? "-" : "";
  const digits = String(Math.abs(micros)).padStart(7, "0");
  return `${sign}${digits.slice(0, -6)}.${digits.slice(-6)}`;
}

/** What Intl writes for the exact decimal (it rounds a numeric string as a decimal, half away from zero). */
function intl(micros: number, digits: number): string {
  return new Intl.NumberFormat("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(
    decimal(Math.abs(micros)) as `${number}`,
  );
}

/** Amounts across every magnitude, with ties at each rounding position. */
function sweep(): number[] {
  const out = [0, 1, 4, 5, 9, 10, 49, 50, 99, 100, 499, 500, 4_999, 5_000, 9_999, 10_000, 14_999, 15_000, 99_999, 100_000];
  out.push(999_999, 1_000_000, 1_000_001, 1_004_999, 1_005_000, 1_234_550, 1_234_549, 9_999_995_000, MAX, MAX - 1);
  for (let v = 1; v < MAX / 11; v = v * 11 + 7) out.push(v, v - (v % 5_000), v - (v % 50) + 50, v - (v % 500));
  return out;
}

describe("parseUsd", () => {
  it("reads dollars and up to six decimals into whole micros, by string arithmetic", () => {
    expect(parseUsd("0")).toEqual({ micros: 0, error: null });
    expect(parseUsdMicros("12")).toBe(12_000_000);
    expect(parseUsdMicros("12.50")).toBe(12_500_000);
    expect(parseUsdMicros("0.15")).toBe(150_000);
    expect(parseUsdMicros("1.000001")).toBe(1_000_001);
    expect(parseUsdMicros("0.000001")).toBe(1);
    expect(parseUsdMicros("0.600000")).toBe(600_000);
    expect(parseUsdMicros("007.5")).toBe(7_500_000);
    expect(parseUsdMicros("$3")).toBe(3_000_000);
    expect(parseUsdMicros("  $0.25 ")).toBe(250_000);
  });

  it("is exact where float arithmetic is not", () => {
    expect(parseUsdMicros("0.29")).toBe(290_000);
    expect(parseUsdMicros("8.2")).toBe(8_200_000); // 8.2 * 1e6 is 8199999.999999999
    expect(parseUsdMicros("1.005")).toBe(1_005_000); // 1.005 * 1e6 is 1004999.9999999999
    expect(parseUsdMicros("0.1")! + parseUsdMicros("0.2")!).toBe(parseUsdMicros("0.3"));
    expect(parseUsdMicros("0.000001")! * 3).toBe(parseUsdMicros("0.000003"));
    // Every whole-cent amount from $0.00 to $20.00.
    for (let cents = 0; cents <= 2_000; cents++) {
      const text = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
      expect(parseUsdMicros(text)).toBe(cents * 10_000);
    }
  });

  it("keeps every digit of huge amounts, up to what a number holds exactly", () => {
    expect(parseUsdMicros("1000000000")).toBe(1_000_000_000_000_000);
    expect(parseUsdMicros("1000000000.000001")).toBe(1_000_000_000_000_001);
    expect(parseUsdMicros("999999999.999999")).toBe(999_999_999_999_999);
    expect(parseUsdMicros("9007199254.740991")).toBe(MAX);
    expect(parseUsd("9007199254.740992")).toEqual({ micros: null, error: "too-large" });
    expect(parseUsd("99999999999999999999")).toEqual({ micros: null, error: "too-large" });
    expect(parseUsd("123456789012345678901234567890.5")).toEqual({ micros: null, error: "too-large" });
  });

  it("round-trips with microsToUsdText", () => {
    for (const v of sweep()) {
      expect(parseUsdMicros(microsToUsdText(v))).toBe(v);
      expect(parseUsdMicros(decimal(v))).toBe(v);
    }
  });

  it("rejects more decimals than allowed instead of rounding", () => {
    expect(parseUsd("1.0000001")).toEqual({ micros: null, error: "decimals" });
    expect(parseUsd("0.0000000")).toEqual({ micros: null, error: "decimals" });
    expect(parseUsd("1.234", { decimals: 2 })).toEqual({ micros: null, error: "decimals" });
    expect(parseUsd("1.23", { decimals: 2 })).toEqual({ micros: 1_230_000, error: null });
    expect(parseUsd("12.5", { decimals: 0 })).toEqual({ micros: null, error: "decimals" });
    expect(parseUsd("12", { decimals: 0 })).toEqual({ micros: 12_000_000, error: null });
  });

  it("rejects a minus sign unless negative amounts are allowed", () => {
    expect(parseUsd("-1")).toEqual({ micros: null, error: "negative" });
    expect(parseUsd("-0")).toEqual({ micros: null, error: "negative" });
    expect(parseUsd("-2.5", { negative: true })).toEqual({ micros: -2_500_000, error: null });
    expect(parseUsd("-$2.5", { negative: true })).toEqual({ micros: -2_500_000, error: null });
    expect(parseUsd("-0.000001", { negative: true })).toEqual({ micros: -1, error: null });
    expect(Object.is(parseUsdMicros("-0", { negative: true }), 0)).toBe(true);
    expect(parseUsd("-9007199254.740992", { negative: true })).toEqual({ micros: null, error: "too-large" });
  });

  it("rejects amounts over the caller's maximum", () => {
    expect(parseUsd("1000000", { max: 1_000_000_000_000 })).toEqual({ micros: 1_000_000_000_000, error: null });
    expect(parseUsd("1000000.000001", { max: 1_000_000_000_000 })).toEqual({ micros: null, error: "too-large" });
    expect(parseUsd("-5", { negative: true, max: 4_000_000 })).toEqual({ micros: null, error: "too-large" });
  });

  it("rejects anything that is not a plain decimal amount", () => {
    expect(parseUsd("")).toEqual({ micros: null, error: "empty" });
    expect(parseUsd("   ")).toEqual({ micros: null, error: "empty" });
    expect(parseUsd(" $ ")).toEqual({ micros: null, error: "empty" });
    for (const text of [".", "12.", ".5", "$ 5", "$-5", "+1", "--1", "1-", "1.2.3", "1e3", "1E3", "1,5", "1,000", "1 000", "0x10", "abc", "NaN", "Infinity", "١٢", "12$", "$$1"]) {
      expect(parseUsd(text), text).toEqual({ micros: null, error: "invalid" });
    }
  });
});

describe("reportedUsdToMicros", () => {
  it("reads the gateway's USD numbers exactly", () => {
    expect(reportedUsdToMicros(0.00048)).toBe(480);
    expect(reportedUsdToMicros(0.0001)).toBe(100);
    expect(reportedUsdToMicros(0.000001)).toBe(1);
    expect(reportedUsdToMicros(12)).toBe(12_000_000);
    expect(reportedUsdToMicros(0)).toBe(0);
    expect(reportedUsdToMicros(-0.5)).toBe(-500_000);
    expect(reportedUsdToMicros(0.1 + 0.2)).toBe(300_000);
    expect(reportedUsdToMicros(1_000_000_000.000001)).toBe(1_000_000_000_000_001);
    for (const v of sweep()) if (v < 2 ** 52) expect(reportedUsdToMicros(v / 1_000_000)).toBe(v);
  });

  it("rounds below a micro-dollar half away from zero", () => {
    expect(reportedUsdToMicros(4.8e-7)).toBe(0);
    expect(reportedUsdToMicros(5e-7)).toBe(1);
    expect(reportedUsdToMicros(1.5e-6)).toBe(2);
    expect(reportedUsdToMicros(0.0000024999)).toBe(2);
    expect(reportedUsdToMicros(-5e-7)).toBe(-1);
    expect(Object.is(reportedUsdToMicros(-1e-9), 0)).toBe(true);
  });

  it("gives null for what is not a usable amount", () => {
    expect(reportedUsdToMicros(null)).toBeNull();
    expect(reportedUsdToMicros(undefined)).toBeNull();
    expect(reportedUsdToMicros("0.5")).toBeNull();
    expect(reportedUsdToMicros(Number.NaN)).toBeNull();
    expect(reportedUsdToMicros(Number.POSITIVE_INFINITY)).toBeNull();
    expect(reportedUsdToMicros(1e21)).toBeNull();
    expect(reportedUsdToMicros(1e10)).toBeNull();
  });
});

describe("wholeUsdToMicros", () => {
  it("turns whole dollars into micros and refuses anything else", () => {
    expect(wholeUsdToMicros(25)).toBe(25_000_000);
    expect(wholeUsdToMicros(0)).toBe(0);
    expect(wholeUsdToMicros(1_000_000_000)).toBe(1_000_000_000_000_000);
    expect(() => wholeUsdToMicros(1.5)).toThrow(RangeError);
    expect(() => wholeUsdToMicros(10_000_000_000)).toThrow(RangeError);
  });
});

describe("formatUsd", () => {
  it("writes dollars and cents, grouped, with a real minus sign", () => {
    expect(formatUsd(0)).toBe("$0.00");
    expect(formatUsd(12_340_000)).toBe("$12.34");
    expect(formatUsd(1_000_000)).toBe("$1.00");
    expect(formatUsd(1_234_567_890_000)).toBe("$1,234,567.89");
    expect(formatUsd(1_000_000_000_000_000)).toBe("$1,000,000,000.00");
    expect(formatUsd(MAX)).toBe("$9,007,199,254.74");
    expect(formatUsd(-2_500_000)).toBe("−$2.50");
  });

  it("rounds half away from zero on the exact amount", () => {
    expect(formatUsd(15_000)).toBe("$0.02");
    expect(formatUsd(14_999)).toBe("$0.01");
    expect(formatUsd(1_005_000)).toBe("$1.01");
    expect(formatUsd(1_004_999)).toBe("$1.00");
    expect(formatUsd(999_995)).toBe("$1.00");
    expect(formatUsd(9_999_995_000)).toBe("$10,000.00");
    expect(formatUsd(-1_005_000)).toBe("−$1.01");
  });

  it("keeps enough digits for amounts under a cent", () => {
    expect(formatUsd(123)).toBe("$0.000123");
    expect(formatUsd(1)).toBe("$0.000001");
    expect(formatUsd(9_999)).toBe("$0.009999");
    expect(formatUsd(10_000)).toBe("$0.01");
    expect(formatUsd(-420)).toBe("−$0.000420");
  });

  it("shows four decimals from a dollar up and six below when precise", () => {
    expect(formatUsd(1_234_550, { precise: true })).toBe("$1.2346");
    expect(formatUsd(1_234_549, { precise: true })).toBe("$1.2345");
    expect(formatUsd(999_999, { precise: true })).toBe("$0.999999");
    expect(formatUsd(0, { precise: true })).toBe("$0.000000");
    expect(formatUsd(MAX, { precise: true })).toBe("$9,007,199,254.7410");
  });

  it("agrees with Intl on the exact decimal at every magnitude", () => {
    for (const v of sweep()) {
      for (const precise of [false, true]) {
        const digits = precise || (v > 0 && v < 10_000) ? (v >= 1_000_000 ? 4 : 6) : 2;
        expect(formatUsd(v, { precise }), `${v}`).toBe("$" + intl(v, digits));
        if (v > 0) expect(formatUsd(-v, { precise }), `${-v}`).toBe("−$" + intl(v, digits));
      }
    }
  });

  it("rounds an amount that is not whole micros first, and refuses what is not a number", () => {
    expect(formatUsd(1_234_567.6)).toBe("$1.23");
    expect(() => formatUsd(Number.NaN)).toThrow(RangeError);
  });
});

describe("formatUsdExact and isWholeCents", () => {
  it("shows a cost to the micro-dollar, nothing as $0.00", () => {
    expect(formatUsdExact(0)).toBe("$0.00");
    expect(formatUsdExact(480)).toBe("$0.000480");
    expect(formatUsdExact(1_234_567)).toBe("$1.2346");
    expect(formatUsdExact(-100)).toBe("−$0.000100");
  });

  it("tells whole cents from sub-cent amounts", () => {
    expect(isWholeCents(0)).toBe(true);
    expect(isWholeCents(10_000)).toBe(true);
    expect(isWholeCents(-20_000)).toBe(true);
    expect(isWholeCents(10_001)).toBe(false);
    expect(isWholeCents(-420)).toBe(false);
  });
});

describe("formatPricePerMillion", () => {
  it("writes two or three decimals", () => {
    expect(formatPricePerMillion(0)).toBe("$0");
    expect(formatPricePerMillion(2_500_000)).toBe("$2.50");
    expect(formatPricePerMillion(150_000)).toBe("$0.15");
    expect(formatPricePerMillion(100_000)).toBe("$0.10");
    expect(formatPricePerMillion(50_000)).toBe("$0.050");
    expect(formatPricePerMillion(99_999)).toBe("$0.100");
    expect(formatPricePerMillion(123_456)).toBe("$0.123");
    expect(formatPricePerMillion(123_500)).toBe("$0.124");
    expect(formatPricePerMillion(1_234_567)).toBe("$1.235");
    expect(formatPricePerMillion(400)).toBe("$0.000");
    expect(formatPricePerMillion(1_000_000_000_000)).toBe("$1,000,000.00");
  });

  it("agrees with Intl on the exact decimal at every magnitude", () => {
    for (const v of sweep()) {
      if (v === 0) continue;
      const min = v < 100_000 ? 3 : 2;
      const expected = new Intl.NumberFormat("en-US", { minimumFractionDigits: min, maximumFractionDigits: 3 }).format(decimal(v) as `${number}`);
      expect(formatPricePerMillion(v), `${v}`).toBe("$" + expected);
    }
  });
});

describe("USD text for forms and the API", () => {
  it("writes the exact amount, trailing zeros trimmed", () => {
    expect(microsToUsdText(1_500_000)).toBe("1.5");
    expect(microsToUsdText(150_000)).toBe("0.15");
    expect(microsToUsdText(2_000_000)).toBe("2");
    expect(microsToUsdText(1)).toBe("0.000001");
    expect(microsToUsdText(0)).toBe("0");
    expect(microsToUsdText(-500_000)).toBe("-0.5");
    expect(microsToUsdText(1_000_000_000_000_001)).toBe("1000000000.000001");
    expect(microsToUsdText(MAX)).toBe("9007199254.740991");
  });

  it("writes exactly two decimals, rounding half away from zero", () => {
    expect(microsToUsdCentsText(12_500_000)).toBe("12.50");
    expect(microsToUsdCentsText(0)).toBe("0.00");
    expect(microsToUsdCentsText(290_000)).toBe("0.29");
    expect(microsToUsdCentsText(1_005_000)).toBe("1.01");
    expect(microsToUsdCentsText(1_004_999)).toBe("1.00");
    expect(microsToUsdCentsText(-1_500_000)).toBe("-1.50");
    expect(microsToUsdCentsText(1_000_000_000_000_000)).toBe("1000000000.00");
  });

  it("normalizes typed amounts so equal amounts compare equal", () => {
    expect(normalizeUsdText("1.50")).toBe("1.5");
    expect(normalizeUsdText("$2")).toBe("2");
    expect(normalizeUsdText("0.000")).toBe("0");
    expect(normalizeUsdText(" 007.100 ")).toBe("7.1");
    expect(normalizeUsdText("-0.50")).toBe("-0.5");
    expect(normalizeUsdText(" abc ")).toBe("abc");
  });
});

describe("chart axis", () => {
  it("turns micros into approximate dollars for the scale only", () => {
    expect(approxUsdForChart(1_500_000)).toBe(1.5);
    expect(approxUsdForChart(0)).toBe(0);
  });

  it("labels spend ticks compactly", () => {
    expect(formatUsdAxisTick(0)).toBe("$0");
    expect(formatUsdAxisTick(1_500_000_000)).toBe("$1.5K");
    expect(formatUsdAxisTick(2_500_000)).toBe("$2.5");
    expect(formatUsdAxisTick(50_000)).toBe("$0.05");
    expect(formatUsdAxisTick(400)).toBe("$0.0004");
    expect(formatUsdAxisTick(0.5)).toBe("$0.000001");
  });
});
