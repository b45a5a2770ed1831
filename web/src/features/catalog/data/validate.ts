// Form checks for the catalog pages, mirroring the API's rules, in words.
import { parseUsd, wholeUsdToMicros } from "@/lib/money";

const ID_RE = /^[a-z0-9][a-z0-9._-]*$/;
const ENV_RE = /^[A-Z][A-Z0-9_]*$/;
const MODEL_ID_RE = /^[a-z0-9][a-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._:+-]*$/;

export function checkId(id: string, example: string): string | null {
  const v = id.trim();
  if (!v) return "Enter an id.";
  if (v.length > 64) return "Use at most 64 characters.";
  if (!ID_RE.test(v)) return `Use lower-case letters, digits, “-”, “_” or “.”, starting with a letter or digit (like “${example}”).`;
  return null;
}

export function checkName(name: string): string | null {
  const v = name.trim();
  if (!v) return "Enter a name.";
  if (v.length > 200) return "Use at most 200 characters.";
  return null;
}

export function checkBaseUrl(url: string): string | null {
  const v = url.trim();
  if (!v) return "Enter the provider's base URL, like https://api.groq.com/openai/v1.";
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return "Enter a full URL starting with https:// or http://, like https://api.groq.com/openai/v1.";
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") return "The URL must start with https:// or http://.";
  if (!u.hostname) return "The URL needs a host name.";
  if (u.username || u.password) return "Remove the user:password@ part: credentials belong in the credential variable, not in the URL.";
  if (u.search || u.hash || v.includes("?") || v.includes("#")) return "Remove the ?query or #fragment from the URL.";
  if (v.length > 2000) return "The URL is too long.";
  return null;
}

/** Looks like a credential rather than a variable name (people paste keys into such fields). */
export function looksLikeSecret(v: string): boolean {
  const t = v.trim();
  return /^(sk|pk|rk|gsk|xai|AIza)[-_]/i.test(t) || (t.length >= 24 && /[a-z]/.test(t) && /\d/.test(t) && !/\s/.test(t));
}

/** An environment variable NAME (never its value); empty is allowed. */
export function checkEnvName(name: string): string | null {
  const v = name.trim();
  if (!v) return null;
  if (looksLikeSecret(v)) {
    return "This looks like a secret. Enter only the NAME of the environment variable that holds it (like GROQ_API_KEY) and set that variable on the server.";
  }
  if (v.length > 128) return "Use at most 128 characters.";
  if (!ENV_RE.test(v)) return "Use capital letters, digits and “_”, starting with a letter (like GROQ_API_KEY).";
  return null;
}

/** The highest price per million tokens the API takes: $1,000,000. */
const MAX_PRICE_MICROS = wholeUsdToMicros(1_000_000);

/** A price in USD per million tokens; empty is allowed unless `required`. */
export function checkPrice(price: string, required: boolean): string | null {
  const { error } = parseUsd(price, { max: MAX_PRICE_MICROS });
  if (error === "empty") return required ? "Enter a price in USD per million tokens (0 for free)." : null;
  if (error === "too-large") return "Prices go up to $1,000,000 per million tokens.";
  if (error) return "Enter USD per million tokens as a number, like 0.15 (at most 6 decimals).";
  return null;
}

export function checkModelId(id: string): string | null {
  const v = id.trim();
  if (!v) return "Enter an id.";
  if (v.length > 160) return "Use at most 160 characters.";
  if (!MODEL_ID_RE.test(v)) return "Use company/model, like “openai/gpt-4o-mini” (the company part in lower case).";
  return null;
}

export function checkTokens(value: string, label: string, required: boolean): string | null {
  const v = value.trim();
  if (!v) return required ? `Enter the ${label}.` : null;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 100_000_000) return `The ${label} is a whole number of tokens from 1 to 100,000,000.`;
  return null;
}
