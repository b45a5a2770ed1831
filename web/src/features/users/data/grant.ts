// The grant dialog's amount check, kept free of React so it is tested on its own.
import { formatUsd, parseUsd, wholeUsdToMicros } from "@/lib/money";

/** The most one grant may move: $1,000,000,000, as the server allows. */
const MAX_MICROS = wholeUsdToMicros(1_000_000_000);

/** Credits added to the balance, or taken from it. */
export type Direction = "grant" | "deduct";

/** Checks the amount; the micro-USD to move, or a message in words. */
export function validateGrant(amount: string, direction: Direction, balanceMicros: number): { micros: number } | { error: string } {
  if (amount.trim() === "") return { error: "Enter an amount in dollars, like 25 or 12.50." };
  const { micros, error } = parseUsd(amount, { decimals: 2, max: MAX_MICROS });
  if (error === "too-large") return { error: "That amount is too large." };
  if (micros === null) return { error: "Enter an amount in dollars with at most two decimals, like 25 or 12.50." };
  if (micros === 0) return { error: "The amount must be more than $0." };
  if (direction === "deduct" && micros > balanceMicros) {
    return { error: `The balance is ${formatUsd(balanceMicros)}; you can deduct at most that.` };
  }
  return { micros };
}
