import type { Key } from "@/lib/api";
import { formatUsd, microsToUsdCentsText, parseUsd } from "@/lib/money";

export type KeyStatus = "active" | "disabled" | "expired";

/** Disabled wins over expired: re-enabling an expired key would not make it work. */
export function keyStatus(key: Key, now = Date.now()): KeyStatus {
  if (key.disabled) return "disabled";
  if (key.expires_at && new Date(key.expires_at).getTime() <= now) return "expired";
  return "active";
}

/** "sk-tp-v1-ab12..." → "sk-tp-v1-ab12…" */
export function displayPrefix(prefix: string): string {
  return prefix.replace(/[.…]+$/, "") + "…";
}

/** Today's date as a date input wants it ("2026-01-31"), in local time. */
export function todayInputValue(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/**
 * A date input's value ("2026-01-31") as the API's timestamp: the key works through the end of
 * that day in the user's time zone, sent as UTC ("2026-01-31T22:59:59Z" from Berlin).
 */
export function expiryFromDateInput(value: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return null;
  const end = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 23, 59, 59);
  if (Number.isNaN(end.getTime())) return null;
  return end.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export const KEY_NAME_MAX = 100;

export function validateKeyName(name: string): string | null {
  const t = name.trim();
  if (!t) return "Give the key a name, such as the app that will use it.";
  if (t.length > KEY_NAME_MAX) return `Keep the name under ${KEY_NAME_MAX} characters.`;
  return null;
}

/** An optional limit field: "" means no limit; `usd` is the text the API takes ("12.50"). */
export function validateLimit(text: string): { usd: string | null; error: string | null } {
  if (!text.trim()) return { usd: null, error: null };
  const { micros, error } = parseUsd(text, { decimals: 2 });
  if (error === "too-large") return { usd: null, error: "That limit is too large." };
  if (micros === null) return { usd: null, error: "Enter an amount in dollars and cents, like 10 or 12.50." };
  return { usd: microsToUsdCentsText(micros), error: null };
}

/** When a key's spending limit starts again from zero; null: never (it caps the key's whole life). */
export type LimitReset = NonNullable<Key["limit_reset"]>;

/** The "Limit resets" choices; "" is Never (the form's value for null). */
export const LIMIT_RESET_OPTIONS: { value: LimitReset | ""; label: string }[] = [
  { value: "", label: "Never" },
  { value: "daily", label: "Daily" },
  { value: "weekly", label: "Weekly" },
  { value: "monthly", label: "Monthly" },
];

/** The select's value ("" or a period) as the API's `limit_reset`; anything else is null (never). */
export function parseLimitReset(value: string): LimitReset | null {
  return value === "daily" || value === "weekly" || value === "monthly" ? value : null;
}

const RESET_WHEN: Record<LimitReset, string> = {
  daily: "Daily: at 00:00 UTC",
  weekly: "Weekly: Mondays at 00:00 UTC",
  monthly: "Monthly: on the 1st at 00:00 UTC",
};

/** When the limit starts again from zero, for the hint under the choice. */
export function limitResetHint(reset: LimitReset | null): string {
  return reset ? RESET_WHEN[reset] : "Never: the limit caps everything the key ever spends.";
}

const PERIOD: Record<LimitReset, { current: string; per: string }> = {
  daily: { current: "today", per: "a day" },
  weekly: { current: "this week", per: "a week" },
  monthly: { current: "this month", per: "a month" },
};

/** The period a resetting limit counts now: "today", "this week", "this month". */
export function currentPeriod(reset: LimitReset): string {
  return PERIOD[reset].current;
}

/** "$1.00", or "$1.00 a day" for a limit that resets daily. */
export function limitText(limitMicros: number, reset: LimitReset | null): string {
  return reset ? `${formatUsd(limitMicros)} ${PERIOD[reset].per}` : formatUsd(limitMicros);
}

/** "It has spent $0.40 today." for a resetting limit; the key's whole spend otherwise. */
export function spentText(key: Pick<Key, "usage_micros" | "limit_reset" | "limit_usage_micros">): string {
  if (key.limit_reset) return `It has spent ${formatUsd(key.limit_usage_micros)} ${currentPeriod(key.limit_reset)}.`;
  return `It has spent ${formatUsd(key.usage_micros)} so far.`;
}

/**
 * What the key forms say next to a field the server refused (its error's `param`), in the words
 * of the checks above (errors.ts, apiFieldError): the server's own text names JSON members.
 */
export const KEY_FIELD_WORDS = {
  name: `Give the key a name of at most ${KEY_NAME_MAX} characters.`,
  limit_usd: "Enter an amount in dollars and cents, like 10 or 12.50.",
  expires_at: "Pick today or a later date, or leave it empty for a key that never expires.",
  rpm_limit: "Enter a whole number of requests per minute, or leave it empty for no limit.",
  tpm_limit: "Enter a whole number of tokens per minute, or leave it empty for no limit.",
  limit_reset: "Choose when the limit starts again from zero: never, daily, weekly or monthly.",
} as const;
export type KeyField = keyof typeof KEY_FIELD_WORDS;

export function validateExpiry(value: string, now = new Date()): { expiresAt: string | null; error: string | null } {
  if (!value) return { expiresAt: null, error: null };
  const expiresAt = expiryFromDateInput(value);
  if (!expiresAt) return { expiresAt: null, error: "Enter a date, or leave it empty for a key that never expires." };
  if (value < todayInputValue(now)) return { expiresAt: null, error: "Pick today or a later date." };
  return { expiresAt, error: null };
}

/** The API's bounds for a key's rate limits (docs/control-api.md). */
export const RPM_MAX = 1_000_000_000;
export const TPM_MAX = 1_000_000_000_000;

/**
 * An optional rate-limit field: "" (or "0") means no limit; otherwise a whole number from 1 to
 * `max`. Thousands separators (",", "_", spaces) are allowed: "100,000".
 */
export function validateRateLimit(text: string, max: number): { value: number | null; error: string | null } {
  const t = text.trim().replace(/[,_\s]/g, "");
  if (!t || /^0+$/.test(t)) return { value: null, error: null };
  if (!/^\d+$/.test(t)) return { value: null, error: "Enter a whole number, or leave it empty for no limit." };
  const n = Number(t);
  if (n > max) return { value: null, error: `At most ${max.toLocaleString("en-US")}.` };
  return { value: n, error: null };
}

/** "60 requests/min · 100,000 tokens/min", one of them, or "No rate limit". */
export function rateLimitsText(key: Pick<Key, "rpm_limit" | "tpm_limit">): string {
  const parts: string[] = [];
  if (key.rpm_limit !== null) parts.push(`${key.rpm_limit.toLocaleString("en-US")} requests/min`);
  if (key.tpm_limit !== null) parts.push(`${key.tpm_limit.toLocaleString("en-US")} tokens/min`);
  return parts.length ? parts.join(" · ") : "No rate limit";
}
