// Money. The API counts integer micro-USD (`*_micros`, 1 USD = 1,000,000) and takes amounts as
// USD decimal text (`amount_usd`, `limit_usd`, prices). Every conversion between the two lives
// here and is done on integers and digit strings: no amount is multiplied or divided as a float,
// so "0.29" is 290000 micros exactly and 1e9 USD keeps every digit. The one float is
// `approxUsdForChart`, for chart axes only, as its name says.

export const MICROS_PER_USD = 1_000_000;
export const MICROS_PER_CENT = 10_000;

const MICROS = 1_000_000n;
/** The largest micro-USD amount a JS number holds exactly (about 9 billion USD). */
const MAX_MICROS = Number.MAX_SAFE_INTEGER;

// ---------------------------------------------------------------------------------------------
// USD text → micro-USD

/** Why a USD text did not parse. */
export type UsdParseError =
  /** Nothing but white space (or a lone "$"). */
  | "empty"
  /** Not a decimal amount ("12.", ".5", "1e3", "1,5", "abc"). */
  | "invalid"
  /** More decimals than allowed. */
  | "decimals"
  /** A "-" where only amounts from zero up are allowed. */
  | "negative"
  /** Larger than allowed (or than a JS number holds exactly). */
  | "too-large";

export type UsdParse = { micros: number; error: null } | { micros: null; error: UsdParseError };

export type UsdParseOptions = {
  /** How many decimals may follow the point, 0 to 6 (6 is one micro-dollar, the default). */
  decimals?: number;
  /** Accept a leading "-" (default: no). */
  negative?: boolean;
  /** The largest magnitude accepted, in micro-USD (default: about 9 billion USD, what a number holds exactly). */
  max?: number;
};

// An optional "-", an optional "$", digits, and optionally a point with at least one digit after it.
const USD_TEXT = /^(-?)\$?(\d+)(?:\.(\d+))?$/;

/**
 * Reads USD decimal text as typed by a person ("12.50", "$3", " 0.15 ") into integer micro-USD,
 * by string arithmetic: the digits before the point are whole dollars, those after it (padded to
 * six) are micros. Rejects junk, more than `decimals` decimals (never rounds), a "-" unless
 * `negative`, and amounts over `max`.
 */
export function parseUsd(text: string, opts: UsdParseOptions = {}): UsdParse {
  const { decimals = 6, negative = false, max = MAX_MICROS } = opts;
  const t = text.trim();
  if (t === "" || t === "$") return { micros: null, error: "empty" };
  const m = USD_TEXT.exec(t);
  if (!m) return { micros: null, error: "invalid" };
  const [, sign = "", whole = "", frac = ""] = m;
  if (frac.length > Math.min(decimals, 6)) return { micros: null, error: "decimals" };
  if (sign && !negative) return { micros: null, error: "negative" };
  const magnitude = BigInt(whole) * MICROS + BigInt(frac.padEnd(6, "0"));
  if (magnitude > BigInt(Math.min(max, MAX_MICROS))) return { micros: null, error: "too-large" };
  const micros = Number(magnitude);
  return { micros: sign && micros !== 0 ? -micros : micros, error: null };
}

/** `parseUsd`'s micros, or null for any text it rejects. */
export function parseUsdMicros(text: string, opts: UsdParseOptions = {}): number | null {
  return parseUsd(text, opts).micros;
}

/** Whole dollars (a constant such as a preset top-up) as micro-USD. */
export function wholeUsdToMicros(usd: number): number {
  if (!Number.isSafeInteger(usd)) throw new RangeError(`not a whole number of dollars: ${usd}`);
  const micros = BigInt(usd) * MICROS;
  if (micros > BigInt(MAX_MICROS) || micros < -BigInt(MAX_MICROS)) throw new RangeError(`too many dollars: ${usd}`);
  return Number(micros);
}

/**
 * A cost as the gateway reports it (a JSON number of USD, OpenRouter style: 0.00048) as
 * micro-USD, or null when it is not a usable number. The gateway writes the cost from integer
 * micros, and a number's shortest decimal text (what String gives) is that same decimal, so this
 * reads the digits of that text; anything finer than a micro-dollar is rounded half away from zero.
 */
export function reportedUsdToMicros(usd: unknown): number | null {
  if (typeof usd !== "number" || !Number.isFinite(usd)) return null;
  // String() gives "0.00048", "12", or for very small and very large numbers "4.8e-7", "1e+21".
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(usd));
  if (!m) return null;
  const [, sign = "", int = "", frac = "", exp = "0"] = m;
  let digits = int + frac;
  let point = int.length + Number(exp);
  if (point < 0) {
    digits = "0".repeat(-point) + digits;
    point = 0;
  }
  digits = digits.padEnd(point + 7, "0");
  // Whole dollars, six decimals, and the seventh decimal to round on.
  const micros = BigInt(digits.slice(0, point + 6) || "0") + (digits[point + 6]! >= "5" ? 1n : 0n);
  if (micros > BigInt(MAX_MICROS)) return null;
  const n = Number(micros);
  return sign && n !== 0 ? -n : n;
}

// ---------------------------------------------------------------------------------------------
// micro-USD → text

/** The magnitude of an amount in micros, as a bigint (an amount that is not whole is rounded first). */
function magnitude(micros: number): bigint {
  if (!Number.isFinite(micros)) throw new RangeError(`not an amount of micro-USD: ${micros}`);
  const whole = Number.isInteger(micros) ? micros : Math.round(micros);
  return BigInt(Math.abs(whole));
}

/** `abs` micros rounded half away from zero to `digits` decimals (0 to 6): whole dollars and the decimals' digits. */
function rounded(abs: bigint, digits: number): { whole: bigint; frac: string } {
  const unit = 10n ** BigInt(6 - digits);
  const q = (abs + unit / 2n) / unit;
  const scale = 10n ** BigInt(digits);
  return { whole: q / scale, frac: (q % scale).toString().padStart(digits, "0") };
}

/** "1234567" → "1,234,567", as en-US writes it. */
function grouped(whole: bigint): string {
  return whole.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function withFraction(whole: string, frac: string): string {
  return frac ? `${whole}.${frac}` : whole;
}

/**
 * "$12.34", for people: two decimals, grouped thousands ("$1,234.50"), "−$" before a negative
 * amount. Amounts under a cent keep enough digits to be non-zero ("$0.000123"); `precise` shows
 * four decimals from a dollar up and six below. Rounds half away from zero.
 */
export function formatUsd(micros: number, opts: { precise?: boolean } = {}): string {
  const abs = magnitude(micros);
  let digits = 2;
  if (opts.precise || (abs > 0n && abs < BigInt(MICROS_PER_CENT))) digits = abs >= MICROS ? 4 : 6;
  const { whole, frac } = rounded(abs, digits);
  return (micros < 0 ? "−$" : "$") + withFraction(grouped(whole), frac);
}

/** Exact to the micro-dollar ("$0.000480", "$1.2346"), but nothing reads "$0.00": a request's cost. */
export function formatUsdExact(micros: number): string {
  return micros === 0 ? formatUsd(0) : formatUsd(micros, { precise: true });
}

/** Whether an amount is a whole number of cents (no digits past the second decimal). */
export function isWholeCents(micros: number): boolean {
  return micros % MICROS_PER_CENT === 0;
}

/**
 * A price per million tokens from micro-USD per million tokens: "$2.50", "$0.150", "$0" for free.
 * Up to three decimals, at least two (three under $0.10), rounded half away from zero.
 */
export function formatPricePerMillion(microsPerMillion: number): string {
  if (microsPerMillion === 0) return "$0";
  const minDigits = microsPerMillion < MICROS_PER_USD / 10 ? 3 : 2;
  const { whole, frac } = rounded(magnitude(microsPerMillion), 3);
  let f = frac;
  while (f.length > minDigits && f.endsWith("0")) f = f.slice(0, -1);
  return "$" + (microsPerMillion < 0 ? "-" : "") + withFraction(grouped(whole), f);
}

/**
 * The exact decimal text of an amount, trailing zeros trimmed, as the API takes it and as a form
 * field shows it: 1_500_000 → "1.5", 1 → "0.000001", 2_000_000 → "2", -500_000 → "-0.5".
 */
export function microsToUsdText(micros: number): string {
  const abs = magnitude(micros);
  const frac = (abs % MICROS).toString().padStart(6, "0").replace(/0+$/, "");
  return (micros < 0 ? "-" : "") + withFraction((abs / MICROS).toString(), frac);
}

/** An amount as USD text with exactly two decimals, rounded half away from zero: 12_500_000 → "12.50". */
export function microsToUsdCentsText(micros: number): string {
  const { whole, frac } = rounded(magnitude(micros), 2);
  return (micros < 0 ? "-" : "") + withFraction(whole.toString(), frac);
}

/**
 * Canonical USD text for an amount typed into a form ("1.50" → "1.5", "$2" → "2", "0.000" → "0"),
 * so two spellings of one amount compare equal; text that is not an amount comes back trimmed.
 */
export function normalizeUsdText(text: string): string {
  const parsed = parseUsd(text, { negative: true });
  return parsed.micros === null ? text.trim() : microsToUsdText(parsed.micros);
}

// ---------------------------------------------------------------------------------------------
// Charts

/**
 * An amount as a float number of dollars, ONLY to place and label chart ticks: floats cannot hold
 * every amount exactly, so nothing may compute or show money from this.
 */
export function approxUsdForChart(micros: number): number {
  return micros / MICROS_PER_USD;
}

const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

/**
 * A spend axis tick (the chart's scale may put ticks between whole micros): "$1.2K", "$3.5",
 * "$0.05", "$0.0004". Approximate by nature; amounts for people use `formatUsd`.
 */
export function formatUsdAxisTick(micros: number): string {
  const usd = approxUsdForChart(micros);
  if (usd === 0) return "$0";
  if (usd >= 1000) return "$" + compact.format(usd);
  if (usd >= 1) return "$" + usd.toLocaleString("en-US", { maximumFractionDigits: 2 });
  // Enough digits to tell ticks apart: $0.5, $0.05, $0.0005.
  const digits = Math.min(6, Math.max(2, 1 - Math.floor(Math.log10(usd))));
  return "$" + usd.toLocaleString("en-US", { maximumFractionDigits: digits });
}
