import { describe, expect, it } from "vitest";
import type { Key } from "@/lib/api";
import {
  KEY_FIELD_WORDS,
  LIMIT_RESET_OPTIONS,
  RPM_MAX,
  TPM_MAX,
  displayPrefix,
  expiryFromDateInput,
  keyStatus,
  limitResetHint,
  limitText,
  parseLimitReset,
  rateLimitsText,
  spentText,
  validateExpiry,
  validateKeyName,
  validateLimit,
  validateRateLimit,
} from "./key-utils";

const key = (over: Partial<Key>): Key => ({
  id: 1,
  name: "k",
  prefix: "sk-tp-v1-ab12...",
  created_at: "2026-01-01T00:00:00Z",
  last_used_at: null,
  expires_at: null,
  disabled: false,
  log_prompts: false,
  usage_micros: 0,
  limit_micros: null,
  rpm_limit: null,
  tpm_limit: null,
  management: false,
  hash: "0".repeat(64),
  limit_reset: null,
  limit_usage_micros: 0,
  ...over,
});

describe("key utils", () => {
  it("derives the status, disabled before expired", () => {
    const now = Date.parse("2026-06-01T00:00:00Z");
    expect(keyStatus(key({}), now)).toBe("active");
    expect(keyStatus(key({ expires_at: "2026-05-31T23:59:59Z" }), now)).toBe("expired");
    expect(keyStatus(key({ expires_at: "2026-06-02T00:00:00Z" }), now)).toBe("active");
    expect(keyStatus(key({ disabled: true, expires_at: "2020-01-01T00:00:00Z" }), now)).toBe("disabled");
  });

  it("shows the prefix with an ellipsis", () => {
    expect(displayPrefix("sk-tp-v1-ab12...")).toBe("sk-tp-v1-ab12…");
    expect(displayPrefix("sk-tp-v1-ab12")).toBe("sk-tp-v1-ab12…");
  });

  it("turns a date into the end of that local day, in UTC without milliseconds", () => {
    const iso = expiryFromDateInput("2030-02-28")!;
    expect(iso).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const d = new Date(iso);
    expect([d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes()]).toEqual([2030, 1, 28, 23, 59]);
    expect(expiryFromDateInput("")).toBeNull();
  });

  it("validates the optional expiry and limit", () => {
    const now = new Date(2030, 5, 10, 12);
    expect(validateExpiry("", now)).toEqual({ expiresAt: null, error: null });
    expect(validateExpiry("2030-06-09", now).error).toBe("Pick today or a later date.");
    expect(validateExpiry("2030-06-10", now).error).toBeNull();
    expect(validateLimit("")).toEqual({ usd: null, error: null });
    expect(validateLimit("$12.5")).toEqual({ usd: "12.50", error: null });
    expect(validateLimit("1.234").error).toMatch(/dollars and cents/);
    expect(validateLimit("-3").error).toMatch(/dollars and cents/);
    expect(validateLimit("0.29")).toEqual({ usd: "0.29", error: null });
    expect(validateLimit("1,000").error).toMatch(/dollars and cents/);
    expect(validateLimit("1000000000")).toEqual({ usd: "1000000000.00", error: null });
    expect(validateLimit("99999999999").error).toBe("That limit is too large.");
  });

  it("requires a name", () => {
    expect(validateKeyName("  ")).toMatch(/Give the key a name/);
    expect(validateKeyName("x".repeat(101))).toMatch(/under 100/);
    expect(validateKeyName("ok")).toBeNull();
  });

  it("reads a rate limit: empty or 0 is none, whole numbers with separators up to the maximum", () => {
    expect(validateRateLimit("", RPM_MAX)).toEqual({ value: null, error: null });
    expect(validateRateLimit(" 0 ", RPM_MAX)).toEqual({ value: null, error: null });
    expect(validateRateLimit("60", RPM_MAX)).toEqual({ value: 60, error: null });
    expect(validateRateLimit("100,000", TPM_MAX)).toEqual({ value: 100_000, error: null });
    expect(validateRateLimit("1_000 000", TPM_MAX)).toEqual({ value: 1_000_000, error: null });
    expect(validateRateLimit(String(RPM_MAX), RPM_MAX).value).toBe(RPM_MAX);
    expect(validateRateLimit(String(RPM_MAX + 1), RPM_MAX).error).toMatch(/At most/);
    for (const bad of ["1.5", "-3", "ten", "1e3"]) expect(validateRateLimit(bad, RPM_MAX).error).toMatch(/whole number/);
  });

  it("describes a key's rate limits", () => {
    expect(rateLimitsText({ rpm_limit: null, tpm_limit: null })).toBe("No rate limit");
    expect(rateLimitsText({ rpm_limit: 60, tpm_limit: null })).toBe("60 requests/min");
    expect(rateLimitsText({ rpm_limit: 1_000, tpm_limit: 25_000 })).toBe("1,000 requests/min · 25,000 tokens/min");
  });

  it("reads the limit reset choice: Never is null, as the API has it", () => {
    expect(LIMIT_RESET_OPTIONS.map((o) => [o.value, o.label])).toEqual([
      ["", "Never"],
      ["daily", "Daily"],
      ["weekly", "Weekly"],
      ["monthly", "Monthly"],
    ]);
    expect(parseLimitReset("")).toBeNull();
    expect(parseLimitReset("daily")).toBe("daily");
    expect(parseLimitReset("weekly")).toBe("weekly");
    expect(parseLimitReset("monthly")).toBe("monthly");
    expect(parseLimitReset("yearly")).toBeNull();
  });

  it("says when a limit resets, and how much counts now", () => {
    expect(limitResetHint("daily")).toBe("Daily: at 00:00 UTC");
    expect(limitResetHint("weekly")).toBe("Weekly: Mondays at 00:00 UTC");
    expect(limitResetHint("monthly")).toBe("Monthly: on the 1st at 00:00 UTC");
    expect(limitResetHint(null)).toMatch(/^Never/);
    expect(limitText(1_000_000, null)).toBe("$1.00");
    expect(limitText(1_000_000, "daily")).toBe("$1.00 a day");
    expect(limitText(2_500_000, "monthly")).toBe("$2.50 a month");
    expect(spentText(key({ usage_micros: 3_200_000, limit_usage_micros: 3_200_000 }))).toBe("It has spent $3.20 so far.");
    expect(spentText(key({ usage_micros: 3_200_000, limit_reset: "daily", limit_usage_micros: 400_000 }))).toBe("It has spent $0.40 today.");
    expect(spentText(key({ usage_micros: 3_200_000, limit_reset: "weekly", limit_usage_micros: 0 }))).toBe("It has spent $0.00 this week.");
    expect(spentText(key({ usage_micros: 3_200_000, limit_reset: "monthly", limit_usage_micros: 1_000_000 }))).toBe("It has spent $1.00 this month.");
  });

  it("has the form's words for a refused reset, naming no JSON member", () => {
    expect(KEY_FIELD_WORDS.limit_reset).toBeTruthy();
    expect(KEY_FIELD_WORDS.limit_reset).not.toMatch(/limit_reset|null/);
  });
});
