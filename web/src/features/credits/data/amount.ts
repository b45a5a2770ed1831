import { formatUsd, microsToUsdCentsText, parseUsd } from "@/lib/money";

export const PRESETS_USD = [10, 25, 50, 100] as const;

/** Used when /api/config cannot be read: the server's documented defaults. */
export const DEFAULT_BOUNDS = { min_micros: 1_000_000, max_micros: 10_000_000_000 };

export type AmountCheck = { micros: number; usd: string; error: null } | { micros: null; usd: null; error: string };

/** Checks a top-up amount typed by the user: whole cents within the server's bounds. */
export function checkAmount(text: string, bounds: { min_micros: number; max_micros: number }): AmountCheck {
  const range = `from ${formatUsd(bounds.min_micros)} to ${formatUsd(bounds.max_micros)}`;
  if (!text.trim()) return { micros: null, usd: null, error: `Enter an amount ${range}.` };
  const { micros, error } = parseUsd(text.replace(/,/g, ""), { decimals: 2, max: bounds.max_micros });
  if (error === "too-large") return { micros: null, usd: null, error: `The largest top-up is ${formatUsd(bounds.max_micros)}.` };
  if (micros === null) return { micros: null, usd: null, error: "Enter a dollar amount with at most two decimals, like 25 or 12.50." };
  if (micros < bounds.min_micros) return { micros: null, usd: null, error: `The smallest top-up is ${formatUsd(bounds.min_micros)}.` };
  return { micros, usd: microsToUsdCentsText(micros), error: null };
}
