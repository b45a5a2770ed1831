// Money is integer micro-USD everywhere in the API; these format it for people.

const MICROS_PER_USD = 1_000_000;

/** "$12.34"; amounts under a cent keep enough digits to be non-zero ("$0.000123"). */
export function formatUsd(micros: number, opts: { precise?: boolean } = {}): string {
  const usd = micros / MICROS_PER_USD;
  const abs = Math.abs(usd);
  let digits = 2;
  if (opts.precise || (abs > 0 && abs < 0.01)) digits = abs >= 1 ? 4 : 6;
  const s = abs.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return (usd < 0 ? "−$" : "$") + s;
}

/** Price per million tokens from micro-USD per million tokens: "$2.50". */
export function formatPricePerMillion(microsPerMillion: number): string {
  const usd = microsPerMillion / MICROS_PER_USD;
  if (usd === 0) return "$0";
  const digits = usd < 0.1 ? 3 : 2;
  return "$" + usd.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: 3 });
}

/** Parses "12.34" / "12" into micro-USD; null if it is not a whole-cent amount. */
export function parseUsdToMicros(text: string): number | null {
  const t = text.trim().replace(/^\$/, "");
  if (!/^\d+(\.\d{1,2})?$/.test(t)) return null;
  const [whole, frac = ""] = t.split(".");
  return Number(whole) * MICROS_PER_USD + Number((frac + "00").slice(0, 2)) * 10_000;
}

export function formatTokens(n: number): string {
  if (n >= 1_000_000) return (n / 1_000_000).toFixed(n >= 10_000_000 ? 0 : 1) + "M";
  if (n >= 10_000) return Math.round(n / 1000) + "K";
  return n.toLocaleString("en-US");
}

export function formatNumber(n: number): string {
  return n.toLocaleString("en-US");
}

export function formatContext(tokens: number): string {
  if (tokens >= 1_000_000) return (tokens / 1_000_000).toFixed(tokens % 1_000_000 === 0 ? 0 : 2).replace(/\.?0+$/, "") + "M";
  if (tokens >= 1000) return Math.round(tokens / 1000) + "K";
  return String(tokens);
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return d.toLocaleString(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "—";
  return new Date(iso).toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
}

/** "3 minutes ago", "in 2 days", "just now". */
export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "never";
  const diff = new Date(iso).getTime() - now;
  const abs = Math.abs(diff);
  if (abs < 45_000) return "just now";
  const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ["year", 365 * 86_400_000],
    ["month", 30 * 86_400_000],
    ["day", 86_400_000],
    ["hour", 3_600_000],
    ["minute", 60_000],
  ];
  for (const [unit, ms] of units) {
    if (abs >= ms) return rtf.format(Math.round(diff / ms), unit);
  }
  return rtf.format(Math.round(diff / 1000), "second");
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  if (ms >= 10_000) return (ms / 1000).toFixed(1) + " s";
  if (ms >= 1000) return (ms / 1000).toFixed(2) + " s";
  return Math.round(ms) + " ms";
}
